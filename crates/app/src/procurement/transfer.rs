//! 支払: the 全銀 総合振込 file from decided payment orders.
//!
//! The paying account (振込依頼人) is a `payer` record of the office. A file is built
//! only when every selected order can go into it (all rejected rows are reported, with
//! the order's 件名); once written, a `payment_batch` record lists its orders so no PC
//! pays them twice and the deadlines dashboard counts them as paid.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use kyosai_domain::approval::{self as ap, Status};
use kyosai_domain::procurement::banks::BankMaster;
use kyosai_domain::procurement::calendar::{is_bank_business_day, HolidayTable};
use kyosai_domain::procurement::document::KIND_PAYMENT_ORDER;
use kyosai_domain::procurement::steps::PaymentOrderBody;
use kyosai_domain::procurement::zengin::{self, LineEnding, Requester, Transfer};
use kyosai_store::Store;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::masters::office_unknown;
use crate::findings::{has_errors, FindingDto};
use crate::input::Reader;
use crate::AppError;

/// The record kind of the paying account.
pub const KIND_PAYER: &str = "payer";
/// The record kind of a written transfer file.
pub const KIND_BATCH: &str = "payment_batch";

/// 振込依頼人 as the form holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default)]
pub struct PayerForm {
    pub id: Option<String>,
    /// 依頼人コード (10 digits, from the bank).
    pub code: String,
    pub name_kana: String,
    pub bank_code: String,
    pub branch_code: String,
    pub deposit_type: String,
    pub account_number: String,
}

/// A written transfer file (the body of a `payment_batch` record).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Batch {
    pub transfer_date: Option<NaiveDate>,
    pub orders: Vec<String>,
    pub count: u32,
    pub total: i64,
    pub file_name: String,
    pub sha256: String,
}

/// A decided payment order not yet in a transfer file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PayableOrder {
    pub id: String,
    pub title: String,
    pub payee: String,
    pub amount_text: String,
    /// 支払予定日 (YYYY-MM-DD).
    pub payment_date: String,
}

/// One row that cannot go into the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TransferErrorDto {
    /// The payment order's 件名, or 「振込依頼人」 for the header.
    pub about: String,
    pub field: String,
    pub code: String,
    pub message: String,
}

/// What was written, or why nothing was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TransferResult {
    /// The file written (empty when there were errors).
    pub path: String,
    pub count: u32,
    pub total_text: String,
    pub errors: Vec<TransferErrorDto>,
}

fn payer_of(store: &mut Store) -> Result<Option<(Uuid, PayerForm)>, AppError> {
    Ok(store
        .sync()
        .list_records(KIND_PAYER)?
        .into_iter()
        .next()
        .and_then(|r| {
            let mut f: PayerForm = serde_json::from_value(r.body).ok()?;
            f.id = Some(r.id.to_string());
            Some((r.id, f))
        }))
}

/// The paying account, or an empty form.
pub fn payer(store: &mut Store) -> Result<PayerForm, AppError> {
    Ok(payer_of(store)?.map(|(_, f)| f).unwrap_or_default())
}

fn requester_of(f: &PayerForm) -> (Requester, Vec<FindingDto>) {
    let mut r = Reader::default();
    let deposit_type = r.count::<u8>("depositType", &f.deposit_type).unwrap_or(0);
    let req = Requester {
        code: f.code.trim().to_string(),
        name_kana: f.name_kana.trim().to_string(),
        bank_code: f.bank_code.trim().to_string(),
        bank_name_kana: String::new(),
        branch_code: f.branch_code.trim().to_string(),
        branch_name_kana: String::new(),
        deposit_type,
        account_number: f.account_number.trim().to_string(),
    };
    (req, r.findings.into_iter().map(FindingDto::from).collect())
}

/// Saves the paying account after checking it builds a valid header.
pub fn save_payer_on(
    store: &mut Store,
    f: &PayerForm,
    office_code: Option<&str>,
) -> Result<PayerForm, AppError> {
    let (req, mut findings) = requester_of(f);
    // The header's checks are the builder's: build a file without rows to get them.
    let probe = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap_or_default();
    if let Err(errors) =
        zengin::build_sogo_furikomi(&req, probe, &[], BankMaster::builtin(), LineEnding::CrLf)
    {
        for e in errors
            .iter()
            .filter(|e| e.row.is_none() && e.field.starts_with("requester"))
        {
            let field = e.field.trim_start_matches("requester.").to_string();
            findings.push(FindingDto::error(&field, e.code, e.message.clone()));
        }
    }
    if has_errors(&findings) {
        return Err(AppError::validation(&findings));
    }
    let mut stored = f.clone();
    stored.id = None;
    let body = serde_json::to_value(&stored).map_err(|e| AppError::internal("payer json", &e))?;
    match payer_of(store)? {
        Some((id, _)) => {
            store.sync().record_update_local(id, "振込依頼人", &body)?;
        }
        None => {
            let office = office_code.ok_or_else(office_unknown)?;
            store
                .sync()
                .record_create_local(KIND_PAYER, office, "振込依頼人", &body)?;
        }
    }
    payer(store)
}

fn batches(store: &mut Store) -> Result<Vec<Batch>, AppError> {
    Ok(store
        .sync()
        .list_records(KIND_BATCH)?
        .into_iter()
        .filter_map(|r| serde_json::from_value(r.body).ok())
        .collect())
}

/// Payment orders already in a transfer file.
pub fn paid_orders(store: &mut Store) -> Result<Vec<Uuid>, AppError> {
    Ok(batches(store)?
        .into_iter()
        .flat_map(|b| b.orders)
        .filter_map(|s| Uuid::parse_str(&s).ok())
        .collect())
}

/// Decided payment orders not yet in a transfer file, by payment date.
pub fn payable_of(store: &mut Store) -> Result<Vec<PayableOrder>, AppError> {
    let paid = paid_orders(store)?;
    let mut out: Vec<PayableOrder> = store
        .sync()
        .list_records(KIND_PAYMENT_ORDER)?
        .into_iter()
        .filter(|r| !paid.contains(&r.id))
        .filter(|r| {
            r.server
                .as_ref()
                .and_then(|s| ap::state_of(&s.body))
                .is_some_and(|s| s.status == Status::Approved)
        })
        .map(|r| {
            let b: PaymentOrderBody = serde_json::from_value(r.body.clone()).unwrap_or_default();
            PayableOrder {
                id: r.id.to_string(),
                title: r.title.clone(),
                payee: b.payee.holder_kana.clone(),
                amount_text: ap::yen(b.amount),
                payment_date: b
                    .payment_date
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
            }
        })
        .collect();
    out.sort_by(|a, b| a.payment_date.cmp(&b.payment_date));
    Ok(out)
}

fn bad_date() -> AppError {
    AppError::validation(&[FindingDto::error(
        "transferDate",
        "zengin.transfer_date",
        "振込指定日を入力してください。",
    )])
}

/// One payment as it will be in the file (read back from the built bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TransferRow {
    /// The payment order's 件名.
    pub about: String,
    /// 「ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ（0005）」.
    pub bank: String,
    pub branch: String,
    /// 普通 / 当座 …
    pub deposit_type: String,
    pub account_number: String,
    /// 受取人名 as the bank will see it (half-width kana).
    pub payee: String,
    pub amount_text: String,
}

/// What the file would hold, or every reason it cannot be built; nothing is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TransferPreview {
    /// 振込依頼人 as in the header.
    pub requester: String,
    pub transfer_date: String,
    pub rows: Vec<TransferRow>,
    pub count: u32,
    pub total_text: String,
    pub errors: Vec<TransferErrorDto>,
}

/// The orders of `ids` checked payable, as transfers, with their titles.
struct Prepared {
    date: NaiveDate,
    requester: Requester,
    transfers: Vec<Transfer>,
    titles: Vec<(String, String)>,
}

fn prepare(
    store: &mut Store,
    ids: &[String],
    transfer_date: &str,
    now: DateTime<Utc>,
) -> Result<Prepared, AppError> {
    let date =
        NaiveDate::parse_from_str(transfer_date.trim(), "%Y-%m-%d").map_err(|_| bad_date())?;
    if !is_bank_business_day(date, HolidayTable::builtin()) {
        return Err(AppError::validation(&[FindingDto::error(
            "transferDate",
            "zengin.transfer_date_holiday",
            format!("振込指定日{date}は銀行の休業日です。営業日を選んでください。"),
        )]));
    }
    if date < ap::jst(now).date() {
        return Err(AppError::validation(&[FindingDto::error(
            "transferDate",
            "zengin.transfer_date_past",
            "振込指定日が過ぎています。今日以降の営業日を選んでください。",
        )]));
    }
    if ids.is_empty() {
        return Err(AppError::new(
            "zengin.nothing_selected",
            "振込データに入れる支出命令を選んでください。",
        ));
    }
    let (_, payer) = payer_of(store)?.ok_or_else(|| {
        AppError::new(
            "zengin.no_payer",
            "振込依頼人（支払口座）が登録されていません。「振込データ」画面で登録してください。",
        )
    })?;
    let (requester, _) = requester_of(&payer);
    let payable: Vec<String> = payable_of(store)?.into_iter().map(|p| p.id).collect();
    let mut transfers = Vec::new();
    let mut titles = Vec::new();
    for id in ids {
        if !payable.contains(id) {
            return Err(AppError::new(
                "zengin.not_payable",
                "決裁済みでないか、既に振込データに入っている支出命令が選ばれています。一覧を開き直してください。",
            ));
        }
        let uuid = crate::approvals::parse_id(id)?;
        let r = store
            .sync()
            .record(uuid)?
            .ok_or_else(|| AppError::internal("order missing", id))?;
        let b: PaymentOrderBody = serde_json::from_value(r.body.clone()).unwrap_or_default();
        transfers.push(Transfer {
            bank_code: b.payee.bank_code.clone(),
            branch_code: b.payee.branch_code.clone(),
            deposit_type: b.payee.deposit_type,
            account_number: b.payee.account_number.clone(),
            payee_kana: b.payee.holder_kana.clone(),
            amount: b.amount,
            customer_code1: String::new(),
            customer_code2: String::new(),
            edi: None,
            reference: id.clone(),
        });
        titles.push((id.clone(), r.title.clone()));
    }
    Ok(Prepared {
        date,
        requester,
        transfers,
        titles,
    })
}

impl Prepared {
    fn build(&self) -> Result<zengin::ZenginFile, Vec<TransferErrorDto>> {
        zengin::build_sogo_furikomi(
            &self.requester,
            self.date,
            &self.transfers,
            BankMaster::builtin(),
            LineEnding::CrLf,
        )
        .map_err(|errors| {
            errors
                .iter()
                .map(|e| TransferErrorDto {
                    about: self
                        .titles
                        .iter()
                        .find(|(id, _)| *id == e.reference)
                        .map_or_else(|| "振込依頼人".to_string(), |(_, t)| t.clone()),
                    field: e.field.clone(),
                    code: e.code.to_string(),
                    message: e.message.clone(),
                })
                .collect()
        })
    }
}

/// What the file of `ids` for `transfer_date` would hold, read back from the built bytes
/// (nothing written).
pub fn preview_on(
    store: &mut Store,
    ids: &[String],
    transfer_date: &str,
    now: DateTime<Utc>,
) -> Result<TransferPreview, AppError> {
    let p = prepare(store, ids, transfer_date, now)?;
    let date = p.date.format("%Y-%m-%d").to_string();
    let file = match p.build() {
        Ok(f) => f,
        Err(errors) => {
            return Ok(TransferPreview {
                requester: String::new(),
                transfer_date: date,
                rows: Vec::new(),
                count: 0,
                total_text: String::new(),
                errors,
            })
        }
    };
    let parsed = zengin::parse_sogo_furikomi(&file.bytes)
        .map_err(|e| AppError::internal("transfer file read back", &e))?;
    let rows = parsed
        .transfers
        .iter()
        .zip(&p.titles)
        .map(|(t, (_, title))| TransferRow {
            about: title.clone(),
            bank: format!("{}（{}）", t.bank_name, t.bank_code),
            branch: format!("{}（{}）", t.branch_name, t.branch_code),
            deposit_type: kyosai_domain::ids::DepositType::from_code(t.deposit_type)
                .map_or_else(|_| t.deposit_type.to_string(), |d| d.name_ja().to_string()),
            account_number: t.account_number.clone(),
            payee: t.payee_name.clone(),
            amount_text: ap::yen(t.amount),
        })
        .collect();
    Ok(TransferPreview {
        requester: format!(
            "{}（{}）",
            parsed.header.requester_name, parsed.header.requester_code
        ),
        transfer_date: date,
        rows,
        count: parsed.count,
        total_text: ap::yen(parsed.total),
        errors: Vec::new(),
    })
}

/// Builds the 総合振込 file of `ids` for `transfer_date` and writes it into `dir`; with
/// any rejected row nothing is written and every problem is returned.
pub fn export_on(
    store: &mut Store,
    ids: &[String],
    transfer_date: &str,
    dir: &Path,
    office_code: Option<&str>,
    now: DateTime<Utc>,
) -> Result<TransferResult, AppError> {
    let p = prepare(store, ids, transfer_date, now)?;
    let file = match p.build() {
        Ok(f) => f,
        Err(errors) => {
            return Ok(TransferResult {
                path: String::new(),
                count: 0,
                total_text: String::new(),
                errors,
            })
        }
    };
    let date = p.date;
    let path = unused_path(dir, &file.file_name_suggestion);
    std::fs::create_dir_all(dir)
        .and_then(|_| std::fs::write(&path, &file.bytes))
        .map_err(|e| {
            tracing::warn!(error = %e, "transfer file not written");
            AppError::new(
                "zengin.write",
                format!(
                    "振込データを保存できませんでした（{}）。保存先のフォルダを確認してください。",
                    dir.display()
                ),
            )
        })?;
    let batch = Batch {
        transfer_date: Some(date),
        orders: ids.to_vec(),
        count: file.count,
        total: file.total,
        file_name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        sha256: format!("{:x}", Sha256::digest(&file.bytes)),
    };
    // The file is audited before its batch is recorded: without the entry the file is
    // removed and nothing is recorded.
    crate::audit::record_export_on(
        store,
        kyosai_audit::NewEntry::now("", kyosai_audit::actions::EXPORT_ZENGIN)
            .target(batch.file_name.clone())
            .detail(serde_json::json!({
                "transferDate": date.to_string(),
                "count": file.count,
                "total": file.total,
                "sha256": batch.sha256.clone(),
                "orders": ids,
            }))
            .at(now),
        &path,
    )?;
    let office = office_code.ok_or_else(office_unknown)?;
    let body = serde_json::to_value(&batch).map_err(|e| AppError::internal("batch json", &e))?;
    store.sync().record_create_local(
        KIND_BATCH,
        office,
        &format!("総合振込 {date}（{}件）", file.count),
        &body,
    )?;
    tracing::info!(
        count = file.count,
        total = file.total,
        "transfer file written"
    );
    Ok(TransferResult {
        path: path.display().to_string(),
        count: file.count,
        total_text: ap::yen(file.total),
        errors: Vec::new(),
    })
}

/// `dir/name`, or `dir/stem-2.ext` … when a file of that name exists already.
fn unused_path(dir: &Path, name: &str) -> PathBuf {
    let first = dir.join(name);
    if !first.exists() {
        return first;
    }
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    (2..1000)
        .map(|n| dir.join(format!("{stem}-{n}.{ext}")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}
