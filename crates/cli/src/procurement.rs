//! `kyosai invoice import FILE.xml` and `kyosai zengin export FILE.json --out FILE`.
//!
//! - `invoice import`: reads a JP PINT (Peppol BIS Billing, UBL 2.1) invoice and prints a
//!   summary with the checks of [`kyosai_domain::procurement::invoice::check_invoice`]:
//!   `{"invoice": {…}, "computedTotals": [...], "findings": [...], "errors": n,
//!   "warnings": n}`. Exit 1 when a check finds an error or the XML is not a JP PINT
//!   invoice (`{"error": {"code", "message"}}`), 2 when the file cannot be read or is not
//!   XML.
//! - `zengin export`: builds the 全銀 総合振込 file from a JSON request (see
//!   `docs/cli.md`) and writes it; prints `{"file", "count", "total", "sha256"}`, or
//!   `{"errors": [...]}` (every rejected row) with exit 1 and no file written.

use std::path::Path;

use chrono::NaiveDate;
use kyosai_domain::procurement::banks::BankMaster;
use kyosai_domain::procurement::calendar::{is_bank_business_day, HolidayTable};
use kyosai_domain::procurement::invoice::{check_invoice, computed_totals, payable};
use kyosai_domain::procurement::pint::parse_jp_pint;
use kyosai_domain::procurement::zengin::{self, LineEnding, Requester, Transfer};
use kyosai_domain::Severity;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::{error_json, Output};

/// Why the input could not be read (exit 2).
#[derive(Debug)]
pub struct Unreadable(pub String);

fn read(path: &Path) -> Result<Vec<u8>, Unreadable> {
    std::fs::read(path).map_err(|e| {
        Unreadable(format!(
            "{} を読み取れません（{e}）。ファイルの場所を確認してください。",
            path.display()
        ))
    })
}

/// `kyosai invoice import FILE.xml`.
pub fn invoice_import(path: &Path, today: NaiveDate) -> Result<Output, Unreadable> {
    let bytes = read(path)?;
    let invoice = match parse_jp_pint(&bytes) {
        Ok(i) => i,
        Err(e) if e.code == "pint.not_xml" => return Err(Unreadable(e.message)),
        Err(e) => {
            return Ok(Output {
                json: error_json(e.code, &e.message),
                valid: false,
            })
        }
    };
    let findings = check_invoice(&invoice, today);
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    Ok(Output {
        json: json!({
            "invoice": invoice,
            "computedTotals": computed_totals(&invoice),
            "payable": payable(&invoice),
            "findings": findings,
            "errors": errors,
            "warnings": warnings,
        }),
        valid: errors == 0,
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExportRequest {
    requester: RequesterJson,
    transfer_date: NaiveDate,
    transfers: Vec<TransferJson>,
    /// `crlf` (default) or `none`.
    #[serde(default)]
    line_ending: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RequesterJson {
    code: String,
    name_kana: String,
    bank_code: String,
    branch_code: String,
    deposit_type: u8,
    account_number: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TransferJson {
    bank_code: String,
    branch_code: String,
    deposit_type: u8,
    account_number: String,
    payee_kana: String,
    amount: i64,
    #[serde(default)]
    customer_code1: String,
    #[serde(default)]
    customer_code2: String,
    #[serde(default)]
    edi: Option<String>,
    #[serde(default)]
    reference: String,
}

/// `kyosai zengin export FILE.json --out FILE`.
pub fn zengin_export(path: &Path, out: &Path) -> Result<Output, Unreadable> {
    let bytes = read(path)?;
    let req: ExportRequest = serde_json::from_slice(&bytes).map_err(|e| {
        Unreadable(format!(
            "{} の形式が正しくありません（{e}）。docs/cli.md の例を確認してください。",
            path.display()
        ))
    })?;
    if !is_bank_business_day(req.transfer_date, HolidayTable::builtin()) {
        return Ok(Output {
            json: error_json(
                "zengin.transfer_date_holiday",
                &format!(
                    "振込指定日{}は銀行の休業日です。営業日を指定してください。",
                    req.transfer_date
                ),
            ),
            valid: false,
        });
    }
    let eol = match req.line_ending.as_deref() {
        None | Some("crlf") => LineEnding::CrLf,
        Some("none") => LineEnding::None,
        Some(other) => {
            return Err(Unreadable(format!(
                "lineEnding は crlf か none です（指定: {other}）。"
            )))
        }
    };
    let r = req.requester;
    let requester = Requester {
        code: r.code,
        name_kana: r.name_kana,
        bank_code: r.bank_code,
        bank_name_kana: String::new(),
        branch_code: r.branch_code,
        branch_name_kana: String::new(),
        deposit_type: r.deposit_type,
        account_number: r.account_number,
    };
    let transfers: Vec<Transfer> = req
        .transfers
        .into_iter()
        .map(|t| Transfer {
            bank_code: t.bank_code,
            branch_code: t.branch_code,
            deposit_type: t.deposit_type,
            account_number: t.account_number,
            payee_kana: t.payee_kana,
            amount: t.amount,
            customer_code1: t.customer_code1,
            customer_code2: t.customer_code2,
            edi: t.edi,
            reference: t.reference,
        })
        .collect();
    match zengin::build_sogo_furikomi(
        &requester,
        req.transfer_date,
        &transfers,
        BankMaster::builtin(),
        eol,
    ) {
        Err(errors) => Ok(Output {
            json: json!({ "errors": errors }),
            valid: false,
        }),
        Ok(file) => {
            std::fs::write(out, &file.bytes)
                .map_err(|e| Unreadable(format!("{} に書き込めません（{e}）。", out.display())))?;
            Ok(Output {
                json: json!({
                    "file": out.display().to_string(),
                    "count": file.count,
                    "total": file.total,
                    "sha256": format!("{:x}", Sha256::digest(&file.bytes)),
                }),
                valid: true,
            })
        }
    }
}
