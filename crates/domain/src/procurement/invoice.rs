//! The invoice (請求書) as received, and the checks a clerk needs before paying it.
//!
//! An [`Invoice`] keeps what the invoice **says** (its lines, and the totals, tax and
//! payable amount written on it) next to what can be recomputed from the lines. The checks
//! of [`check_invoice`] compare the two:
//!
//! - the seller's 登録番号 (T + 13 digits): without it the invoice is not a qualified
//!   invoice (適格請求書) and the association cannot deduct its consumption tax
//!   (仕入税額控除), so a missing or malformed number is an error;
//! - the tax per rate, which must be rounded once per rate per invoice
//!   ([`super::tax::tax_per_rate`]); an invoice that rounded each line is recognised and
//!   said so;
//! - totals that do not add up, an issue date in the future, an invoice without lines.
//!
//! The rounding method (切捨て, 四捨五入, 切上げ) is the issuer's choice: a stated tax equal
//! to any of the three roundings of a rate's total is accepted. Only rounding per line is
//! refused.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use super::tax::{tax_per_line_summed, tax_per_rate, RateTotal, Rounding, TaxCategory, TaxLine};
use crate::finding::Finding;
use crate::ids::{
    check_invoice_registration_number, validate_account_number, validate_bank_code,
    validate_branch_code, BankAccount, DepositType,
};
use crate::rules::yen;

/// Where an invoice came from.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum InvoiceSource {
    /// Typed in by a clerk from a paper or PDF invoice.
    #[default]
    Manual,
    /// Imported from a JP PINT (UBL 2.1) e-invoice.
    JpPint {
        /// The invoice's `cbc:CustomizationID`.
        #[serde(rename = "customizationId")]
        customization_id: String,
    },
    /// Read by OCR and confirmed by a clerk.
    Ocr,
}

/// The account the seller asks to be paid into, as written on the invoice.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayeeAccount {
    /// The account identifier as written (JP PINT `PayeeFinancialAccount/ID`; the
    /// specification's examples write it 「金融機関コード:支店コード:預金種目:口座番号」,
    /// e.g. 「1234:567:1:3242394」).
    pub id: String,
    /// 口座名義 as written (usually half-width kana).
    #[serde(default)]
    pub name: Option<String>,
    /// The bank or branch identifier, when given separately (JP PINT
    /// `FinancialInstitutionBranch/ID`).
    #[serde(default)]
    pub branch_id: Option<String>,
}

impl PayeeAccount {
    /// The 全銀 account, when `id` has the form 「金融機関コード:支店コード:預金種目:口座番号」
    /// with valid parts; `None` otherwise (the clerk then enters the account by hand).
    pub fn zengin_account(&self) -> Option<BankAccount> {
        let parts: Vec<&str> = self.id.split(':').map(str::trim).collect();
        let [bank, branch, deposit, account] = parts.as_slice() else {
            return None;
        };
        Some(BankAccount {
            bank_code: validate_bank_code(bank).ok()?,
            branch_code: validate_branch_code(branch).ok()?,
            deposit_type: DepositType::from_code(deposit.parse().ok()?).ok()?,
            account_number: validate_account_number(account).ok()?,
        })
    }
}

/// One line of an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceLine {
    /// 取引内容 (item name or description).
    pub description: String,
    /// 数量 as written, a decimal number in text (e.g. 「5」, 「1.5」); may be empty.
    #[serde(default)]
    pub quantity: String,
    /// 単価 in yen, when the invoice gives one per unit of `quantity`.
    #[serde(default)]
    pub unit_price: Option<i64>,
    /// 金額: the tax-exclusive (税抜) line amount in yen; negative for a discount.
    pub amount: i64,
    /// The line's tax category.
    pub category: TaxCategory,
}

/// An invoice as received: what it says, to be checked with [`check_invoice`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invoice {
    /// 請求書番号.
    pub number: String,
    /// 発行日.
    pub issue_date: NaiveDate,
    /// 発行者 (seller) name.
    pub seller_name: String,
    /// 適格請求書発行事業者登録番号, 「T」 + 13 digits, as written.
    #[serde(default)]
    pub seller_registration: Option<String>,
    /// The seller's 法人番号 (13 digits), when given.
    #[serde(default)]
    pub seller_corporate_number: Option<String>,
    /// 宛名 (buyer) name.
    #[serde(default)]
    pub buyer_name: String,
    /// The lines (tax-exclusive amounts). An imported e-invoice's document-level
    /// allowances and charges are lines too, so that the lines add up to the totals.
    #[serde(default)]
    pub lines: Vec<InvoiceLine>,
    /// The taxable amount and tax per category **as written on the invoice**.
    #[serde(default)]
    pub stated_totals: Vec<RateTotal>,
    /// 消費税額合計 as written.
    #[serde(default)]
    pub stated_tax_total: i64,
    /// ご請求金額 (amount payable, tax included) as written.
    #[serde(default)]
    pub stated_payable: i64,
    /// 支払期日, when given.
    #[serde(default)]
    pub due_date: Option<NaiveDate>,
    /// 振込先, when given.
    #[serde(default)]
    pub payee_account: Option<PayeeAccount>,
    /// Where the invoice came from.
    #[serde(default)]
    pub source: InvoiceSource,
}

impl Invoice {
    /// The lines as the tax sees them.
    pub fn tax_lines(&self) -> Vec<TaxLine> {
        self.lines
            .iter()
            .map(|l| TaxLine {
                amount: l.amount,
                category: l.category,
            })
            .collect()
    }

    fn stated(&self, category: TaxCategory) -> Option<&RateTotal> {
        self.stated_totals.iter().find(|t| t.category == category)
    }
}

/// The totals per category recomputed from the lines, rounded once per rate at the rates
/// in force on the issue date. The rounding method is the issuer's: where the stated tax
/// of a category equals its 四捨五入 or 切上げ figure, that figure is taken; otherwise
/// 切捨て. Order S, AA, E, G, O.
pub fn computed_totals(inv: &Invoice) -> Vec<RateTotal> {
    let lines = inv.tax_lines();
    let per_method: Vec<Vec<RateTotal>> = Rounding::ALL
        .iter()
        .map(|r| tax_per_rate(&lines, *r, inv.issue_date))
        .collect();
    let floor = per_method.first().cloned().unwrap_or_default();
    floor
        .into_iter()
        .map(|mut total| {
            if let Some(stated) = inv.stated(total.category) {
                let matches_other = per_method
                    .iter()
                    .flatten()
                    .any(|t| t.category == total.category && t.tax == stated.tax);
                if matches_other {
                    total.tax = stated.tax;
                }
            }
            total
        })
        .collect()
}

/// What the invoice asks to be paid, recomputed: the lines plus the tax of
/// [`computed_totals`]. Equals `stated_payable` when the invoice is consistent.
pub fn payable(inv: &Invoice) -> i64 {
    computed_totals(inv)
        .iter()
        .map(|t| t.taxable.saturating_add(t.tax))
        .fold(0i64, i64::saturating_add)
}

/// The finding field of a category's totals, e.g. 「totals.S」.
fn totals_field(category: TaxCategory) -> String {
    format!("totals.{}", category.pint_code())
}

/// A decimal written as text, as (digits without the point, number of decimals).
fn parse_decimal(text: &str) -> Option<(i128, u32)> {
    let t: String = text
        .nfkc()
        .filter(|c| *c != ',' && !c.is_whitespace())
        .collect();
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest.to_owned()),
        None => (false, t),
    };
    let (int, frac) = t.split_once('.').unwrap_or((&t, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        || int.len() + frac.len() > 30
    {
        return None;
    }
    let digits: i128 = format!("{int}{frac}").parse().ok()?;
    let scale = u32::try_from(frac.len()).ok()?;
    Some((if negative { -digits } else { digits }, scale))
}

fn check_line(i: usize, line: &InvoiceLine, out: &mut Vec<Finding>) {
    if line.description.trim().is_empty() {
        out.push(Finding::warning(
            format!("lines[{i}].description"),
            "invoice.line_description_missing",
            format!(
                "{}行目の取引内容が空です。適格請求書には取引内容の記載が必要です。",
                i + 1
            ),
        ));
    }
    if line.quantity.trim().is_empty() {
        return;
    }
    let Some((digits, scale)) = parse_decimal(&line.quantity) else {
        out.push(Finding::warning(
            format!("lines[{i}].quantity"),
            "invoice.line_quantity",
            format!(
                "{}行目の数量「{}」を数として読めません。数字で入力してください。",
                i + 1,
                line.quantity
            ),
        ));
        return;
    };
    let Some(price) = line.unit_price else {
        return;
    };
    let Some(ten_pow) = 10i128.checked_pow(scale) else {
        return;
    };
    let expected = digits.saturating_mul(i128::from(price));
    if expected != i128::from(line.amount).saturating_mul(ten_pow) {
        let shown = i64::try_from(expected / ten_pow).unwrap_or(i64::MAX);
        out.push(Finding::warning(
            format!("lines[{i}].amount"),
            "invoice.line_amount",
            format!(
                "{}行目の金額{}が数量×単価（{}）と一致しません。値引・割増が含まれていないか、請求書と照らして確認してください。",
                i + 1,
                yen(line.amount),
                yen(shown)
            ),
        ));
    }
}

fn check_registration(inv: &Invoice, out: &mut Vec<Finding>) {
    let field = "sellerRegistration";
    let written = inv
        .seller_registration
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let Some(written) = written else {
        out.push(Finding::error(
            field,
            "invoice.registration_missing",
            "登録番号（T＋13桁）が記載されていません。登録番号のない請求書では仕入税額控除ができません。発行者に登録番号を確認し、記載された請求書を依頼してください。",
        ));
        return;
    };
    let (normalised, findings) = check_invoice_registration_number(field, written);
    out.extend(findings);
    let (Some(t_number), Some(corporate)) = (normalised, inv.seller_corporate_number.as_deref())
    else {
        return;
    };
    let corporate: String = corporate.nfkc().filter(char::is_ascii_digit).collect();
    if corporate.len() == 13 && t_number.get(1..) != Some(corporate.as_str()) {
        out.push(Finding::warning(
            field,
            "invoice.registration_corporate_mismatch",
            format!(
                "登録番号{t_number}が法人番号{corporate}と一致しません。法人の登録番号は「T」＋法人番号です。国税庁の公表サイトで確認してください。"
            ),
        ));
    }
}

fn check_totals(inv: &Invoice, out: &mut Vec<Finding>) {
    let computed = computed_totals(inv);
    let per_line_any: Vec<Vec<RateTotal>> = Rounding::ALL
        .iter()
        .map(|r| tax_per_line_summed(&inv.tax_lines(), *r, inv.issue_date))
        .collect();
    for category in TaxCategory::ALL {
        let field = totals_field(category);
        let label = category.label_ja();
        let stated: Vec<&RateTotal> = inv
            .stated_totals
            .iter()
            .filter(|t| t.category == category)
            .collect();
        if stated.len() > 1 {
            out.push(Finding::error(
                field.clone(),
                "invoice.total_duplicate",
                format!(
                    "{label}の合計が{}回記載されています。税率ごとに1つにしてください。",
                    stated.len()
                ),
            ));
        }
        let own = computed.iter().find(|t| t.category == category);
        match (stated.first(), own) {
            (None, None) => {}
            (None, Some(c)) => out.push(Finding::error(
                field,
                "invoice.total_missing",
                format!(
                    "{label}の対象額（明細の合計{}）と消費税額が記載されていません。適格請求書には税率ごとの対象額と消費税額の記載が必要です。発行者に訂正を依頼してください。",
                    yen(c.taxable)
                ),
            )),
            (Some(s), None) => out.push(Finding::error(
                field,
                "invoice.taxable_mismatch",
                format!(
                    "{label}の対象額{}が記載されていますが、{label}の明細がありません。明細と合計を確認してください。",
                    yen(s.taxable)
                ),
            )),
            (Some(s), Some(c)) => {
                if s.taxable != c.taxable {
                    out.push(Finding::error(
                        field.clone(),
                        "invoice.taxable_mismatch",
                        format!(
                            "{label}の対象額が合いません。請求書の額は{}、明細の合計は{}です。明細と合計を確認してください。",
                            yen(s.taxable),
                            yen(c.taxable)
                        ),
                    ));
                }
                if s.tax != c.tax {
                    let by_line = per_line_any
                        .iter()
                        .flatten()
                        .any(|t| t.category == category && t.tax == s.tax && t.tax != c.tax);
                    let mut message = format!(
                        "{label}の消費税額が合いません。請求書の額は{}、税率ごとに1回端数処理した額は{}です。",
                        yen(s.tax),
                        yen(c.tax)
                    );
                    if by_line && category.is_taxable() {
                        message.push_str(
                            "明細ごとに端数処理されています（適格請求書では税率ごとに1回だけ端数処理します）。",
                        );
                    }
                    message.push_str("発行者に訂正を依頼してください。");
                    out.push(Finding::error(field, "invoice.tax_mismatch", message));
                }
            }
        }
    }
    let stated_tax: i64 = inv.stated_totals.iter().map(|t| t.tax).sum();
    if stated_tax != inv.stated_tax_total {
        out.push(Finding::error(
            "taxTotal",
            "invoice.tax_total_mismatch",
            format!(
                "消費税額の合計{}が税率ごとの消費税額の和{}と合いません。請求書の記載を確認してください。",
                yen(inv.stated_tax_total),
                yen(stated_tax)
            ),
        ));
    }
    let stated_taxable: i64 = inv.stated_totals.iter().map(|t| t.taxable).sum();
    let expected = stated_taxable.saturating_add(inv.stated_tax_total);
    if expected != inv.stated_payable {
        out.push(Finding::error(
            "payable",
            "invoice.payable_mismatch",
            format!(
                "ご請求金額{}が対象額と消費税額の合計{}と合いません。請求書の記載を確認してください。",
                yen(inv.stated_payable),
                yen(expected)
            ),
        ));
    }
}

/// Checks an invoice on `on` (today): what blocks payment is an error, what the clerk
/// should look at again a warning.
///
/// Fields and codes: `number` (`invoice.number_missing`), `issueDate`
/// (`invoice.issue_date_future`), `sellerName` (`invoice.seller_missing`),
/// `sellerRegistration` (`invoice.registration_missing`, `invoice_number.format`,
/// `invoice_number.check_digit` (warning), `invoice.registration_corporate_mismatch`
/// (warning)), `buyerName` (`invoice.buyer_missing`, warning), `lines`
/// (`invoice.no_lines`), `lines[i].description` / `lines[i].quantity` / `lines[i].amount`
/// (warnings), `totals.S` … `totals.O` (`invoice.total_missing`,
/// `invoice.total_duplicate`, `invoice.taxable_mismatch`, `invoice.tax_mismatch`),
/// `taxTotal` (`invoice.tax_total_mismatch`), `payable` (`invoice.payable_mismatch`),
/// `dueDate` (`invoice.due_before_issue`, warning).
pub fn check_invoice(inv: &Invoice, on: NaiveDate) -> Vec<Finding> {
    let mut out = Vec::new();
    if inv.number.trim().is_empty() {
        out.push(Finding::error(
            "number",
            "invoice.number_missing",
            "請求書番号を入力してください。番号のない請求書は、発行日と発行者で特定できるか確認してください。",
        ));
    }
    if inv.issue_date > on {
        out.push(Finding::error(
            "issueDate",
            "invoice.issue_date_future",
            format!(
                "発行日{}が今日より後です。請求書の日付を確認してください。",
                inv.issue_date.format("%Y-%m-%d")
            ),
        ));
    }
    if inv.seller_name.trim().is_empty() {
        out.push(Finding::error(
            "sellerName",
            "invoice.seller_missing",
            "発行者（請求元）の名称を入力してください。",
        ));
    }
    check_registration(inv, &mut out);
    if inv.buyer_name.trim().is_empty() {
        out.push(Finding::warning(
            "buyerName",
            "invoice.buyer_missing",
            "宛名が空です。適格請求書には交付を受ける者の名称の記載が必要です。請求書を確認してください。",
        ));
    }
    if inv.lines.is_empty() {
        out.push(Finding::error(
            "lines",
            "invoice.no_lines",
            "明細が1行もありません。請求書の明細（取引内容・金額・税率）を入力してください。",
        ));
    }
    for (i, line) in inv.lines.iter().enumerate() {
        check_line(i, line, &mut out);
    }
    check_totals(inv, &mut out);
    if let Some(due) = inv.due_date {
        if due < inv.issue_date {
            out.push(Finding::warning(
                "dueDate",
                "invoice.due_before_issue",
                "支払期日が発行日より前です。請求書の日付を確認してください。",
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::finding::{has_errors, Severity};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn line(
        description: &str,
        quantity: &str,
        unit_price: i64,
        category: TaxCategory,
    ) -> InvoiceLine {
        let amount = quantity.parse::<i64>().unwrap() * unit_price;
        InvoiceLine {
            description: description.into(),
            quantity: quantity.into(),
            unit_price: Some(unit_price),
            amount,
            category,
        }
    }

    /// 文具 and 飲食料品 from one supplier: 10% 1,801 → 180, 8% 1,392 → 111.
    fn mixed() -> Invoice {
        Invoice {
            number: "INV-2025-0042".into(),
            issue_date: d(2025, 3, 31),
            seller_name: "株式会社 丸の内文具".into(),
            seller_registration: Some("T7000012050002".into()),
            seller_corporate_number: Some("7000012050002".into()),
            buyer_name: "東京都職員共済組合".into(),
            lines: vec![
                line("ボールペン（黒）", "2", 617, TaxCategory::Standard),
                line("会議用茶菓子", "3", 353, TaxCategory::Reduced),
                line("クリアファイル", "1", 567, TaxCategory::Standard),
                line("ミネラルウォーター", "9", 37, TaxCategory::Reduced),
            ],
            stated_totals: vec![
                RateTotal {
                    category: TaxCategory::Standard,
                    taxable: 1_801,
                    tax: 180,
                },
                RateTotal {
                    category: TaxCategory::Reduced,
                    taxable: 1_392,
                    tax: 111,
                },
            ],
            stated_tax_total: 291,
            stated_payable: 3_484,
            due_date: Some(d(2025, 4, 30)),
            payee_account: None,
            source: InvoiceSource::Manual,
        }
    }

    fn codes(findings: &[Finding]) -> Vec<(&str, &'static str)> {
        findings
            .iter()
            .map(|f| (f.field.as_str(), f.code))
            .collect()
    }

    #[test]
    fn a_consistent_qualified_invoice_has_no_findings() {
        let inv = mixed();
        let findings = check_invoice(&inv, d(2025, 4, 1));
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(payable(&inv), 3_484);
        assert_eq!(computed_totals(&inv), inv.stated_totals);
    }

    #[test]
    fn tax_rounded_per_line_is_an_error_that_says_so() {
        let mut inv = mixed();
        // Per line: 10% 123 + 56 = 179; 8% (3×353=1,059 → 84) + (333 → 26) = 110.
        inv.stated_totals[0].tax = 179;
        inv.stated_totals[1].tax = 110;
        inv.stated_tax_total = 289;
        inv.stated_payable = 3_482;
        let findings = check_invoice(&inv, d(2025, 4, 1));
        assert_eq!(
            codes(&findings),
            [
                ("totals.S", "invoice.tax_mismatch"),
                ("totals.AA", "invoice.tax_mismatch")
            ]
        );
        let s = &findings[0];
        assert_eq!(s.severity, Severity::Error);
        assert!(s.message.contains("179円"), "{}", s.message);
        assert!(s.message.contains("180円"), "{}", s.message);
        assert!(s.message.contains("明細ごとに端数処理されています"));
        // What we owe is the once-per-rate figure.
        assert_eq!(payable(&inv), 3_484);
    }

    #[test]
    fn a_tax_that_is_simply_wrong_does_not_blame_per_line_rounding() {
        let mut inv = mixed();
        inv.stated_totals[0].tax = 200;
        inv.stated_tax_total = 311;
        inv.stated_payable = 3_504;
        let findings = check_invoice(&inv, d(2025, 4, 1));
        assert_eq!(codes(&findings), [("totals.S", "invoice.tax_mismatch")]);
        assert!(!findings[0].message.contains("明細ごと"));
    }

    #[test]
    fn the_issuers_rounding_method_is_accepted() {
        // 10% of 1,801 = 180.1 → 切上げ 181; 8% of 1,392 = 111.36 → 切上げ 112.
        let mut inv = mixed();
        inv.stated_totals[0].tax = 181;
        inv.stated_totals[1].tax = 112;
        inv.stated_tax_total = 293;
        inv.stated_payable = 3_486;
        assert!(check_invoice(&inv, d(2025, 4, 1)).is_empty());
        assert_eq!(payable(&inv), 3_486);
        // 切捨て (also the 四捨五入 figure) on one rate, 切上げ on the other: each is still
        // one rounding per rate.
        inv.stated_totals[0].tax = 180;
        inv.stated_tax_total = 292;
        inv.stated_payable = 3_485;
        assert!(check_invoice(&inv, d(2025, 4, 1)).is_empty());
    }

    #[test]
    fn nta_example_stated_per_line_is_caught() {
        let item = |_: usize| line("付箋", "1", 105, TaxCategory::Standard);
        let mut inv = mixed();
        inv.lines = (0..3).map(item).collect();
        inv.stated_totals = vec![RateTotal {
            category: TaxCategory::Standard,
            taxable: 315,
            tax: 30,
        }];
        inv.stated_tax_total = 30;
        inv.stated_payable = 345;
        let findings = check_invoice(&inv, d(2025, 4, 1));
        assert_eq!(codes(&findings), [("totals.S", "invoice.tax_mismatch")]);
        assert!(findings[0].message.contains("請求書の額は30円"));
        assert!(findings[0]
            .message
            .contains("税率ごとに1回端数処理した額は31円"));
        assert_eq!(payable(&inv), 346);
    }

    #[test]
    fn registration_number_missing_or_malformed() {
        let mut inv = mixed();
        inv.seller_registration = None;
        let f = check_invoice(&inv, d(2025, 4, 1));
        assert_eq!(
            codes(&f),
            [("sellerRegistration", "invoice.registration_missing")]
        );
        assert!(f[0].is_error());
        assert!(f[0].message.contains("仕入税額控除"));

        inv.seller_registration = Some("  ".into());
        assert_eq!(
            codes(&check_invoice(&inv, d(2025, 4, 1))),
            [("sellerRegistration", "invoice.registration_missing")]
        );

        inv.seller_registration = Some("7000012050002".into());
        let f = check_invoice(&inv, d(2025, 4, 1));
        assert_eq!(codes(&f), [("sellerRegistration", "invoice_number.format")]);
        assert!(f[0].is_error());

        // Full-width is accepted; a check digit that does not match is only a warning.
        inv.seller_registration = Some("Ｔ７００００１２０５０００２".into());
        assert!(check_invoice(&inv, d(2025, 4, 1)).is_empty());
        inv.seller_registration = Some("T7000012050003".into());
        inv.seller_corporate_number = None;
        let f = check_invoice(&inv, d(2025, 4, 1));
        assert_eq!(
            codes(&f),
            [("sellerRegistration", "invoice_number.check_digit")]
        );
        assert!(!has_errors(&f));
    }

    #[test]
    fn registration_of_another_corporation_is_a_warning() {
        let mut inv = mixed();
        inv.seller_corporate_number = Some("4011001098993".into());
        let f = check_invoice(&inv, d(2025, 4, 1));
        assert_eq!(
            codes(&f),
            [(
                "sellerRegistration",
                "invoice.registration_corporate_mismatch"
            )]
        );
        assert_eq!(f[0].severity, Severity::Warning);
    }

    #[test]
    fn totals_that_do_not_add_up() {
        let mut inv = mixed();
        inv.stated_tax_total = 290;
        inv.stated_payable = 3_500;
        let f = check_invoice(&inv, d(2025, 4, 1));
        assert_eq!(
            codes(&f),
            [
                ("taxTotal", "invoice.tax_total_mismatch"),
                ("payable", "invoice.payable_mismatch")
            ]
        );
        assert!(f[1].message.contains("3,500円"), "{}", f[1].message);
        assert!(f[1].message.contains("3,483円"), "{}", f[1].message);
    }

    #[test]
    fn taxable_amounts_must_match_the_lines() {
        let mut inv = mixed();
        inv.stated_totals[0].taxable = 1_800;
        inv.stated_payable = 3_483;
        let f = check_invoice(&inv, d(2025, 4, 1));
        assert_eq!(codes(&f), [("totals.S", "invoice.taxable_mismatch")]);

        let mut inv = mixed();
        inv.stated_totals.remove(1);
        inv.stated_tax_total = 180;
        inv.stated_payable = 1_981;
        let f = check_invoice(&inv, d(2025, 4, 1));
        assert_eq!(codes(&f), [("totals.AA", "invoice.total_missing")]);

        let mut inv = mixed();
        inv.stated_totals.push(RateTotal {
            category: TaxCategory::Exempt,
            taxable: 1_000,
            tax: 0,
        });
        inv.stated_payable = 4_484;
        let f = check_invoice(&inv, d(2025, 4, 1));
        assert_eq!(codes(&f), [("totals.E", "invoice.taxable_mismatch")]);

        let mut inv = mixed();
        inv.stated_totals.push(inv.stated_totals[0]);
        inv.stated_tax_total = 471;
        inv.stated_payable = 5_465;
        let f = check_invoice(&inv, d(2025, 4, 1));
        assert_eq!(codes(&f), [("totals.S", "invoice.total_duplicate")]);
    }

    #[test]
    fn future_issue_date_no_lines_and_blank_fields() {
        let mut inv = mixed();
        inv.issue_date = d(2025, 4, 2);
        let f = check_invoice(&inv, d(2025, 4, 1));
        assert_eq!(codes(&f), [("issueDate", "invoice.issue_date_future")]);
        assert!(check_invoice(&inv, d(2025, 4, 2)).is_empty());

        let mut inv = mixed();
        inv.lines.clear();
        inv.stated_totals.clear();
        inv.stated_tax_total = 0;
        inv.stated_payable = 0;
        assert_eq!(
            codes(&check_invoice(&inv, d(2025, 4, 1))),
            [("lines", "invoice.no_lines")]
        );

        let mut inv = mixed();
        inv.number = " ".into();
        inv.seller_name = String::new();
        inv.buyer_name = String::new();
        inv.due_date = Some(d(2025, 3, 1));
        let f = check_invoice(&inv, d(2025, 4, 1));
        assert_eq!(
            codes(&f),
            [
                ("number", "invoice.number_missing"),
                ("sellerName", "invoice.seller_missing"),
                ("buyerName", "invoice.buyer_missing"),
                ("dueDate", "invoice.due_before_issue"),
            ]
        );
        assert_eq!(
            f.iter().map(|f| f.severity).collect::<Vec<_>>(),
            [
                Severity::Error,
                Severity::Error,
                Severity::Warning,
                Severity::Warning
            ]
        );
    }

    #[test]
    fn line_amount_against_quantity_and_unit_price() {
        let mut inv = mixed();
        inv.lines[0].amount = 1_230; // 2 × 617 = 1,234
        inv.stated_totals[0].taxable = 1_797;
        inv.stated_totals[0].tax = 179;
        inv.stated_tax_total = 290;
        inv.stated_payable = 3_479;
        let f = check_invoice(&inv, d(2025, 4, 1));
        assert_eq!(codes(&f), [("lines[0].amount", "invoice.line_amount")]);
        assert!(f[0].message.contains("1,234円"));
        assert!(!f[0].is_error());

        // Decimal quantities: 1.5 × 378 = 567.
        let mut inv = mixed();
        inv.lines[2].quantity = "1.5".into();
        inv.lines[2].unit_price = Some(378);
        inv.lines[2].amount = 567;
        assert!(check_invoice(&inv, d(2025, 4, 1)).is_empty());
        inv.lines[2].quantity = "一つ".into();
        assert_eq!(
            codes(&check_invoice(&inv, d(2025, 4, 1))),
            [("lines[2].quantity", "invoice.line_quantity")]
        );
        inv.lines[2].quantity = String::new();
        inv.lines[2].description = String::new();
        assert_eq!(
            codes(&check_invoice(&inv, d(2025, 4, 1))),
            [("lines[2].description", "invoice.line_description_missing")]
        );
    }

    #[test]
    fn decimals_parse() {
        assert_eq!(parse_decimal("5"), Some((5, 0)));
        assert_eq!(parse_decimal("1.50"), Some((150, 2)));
        assert_eq!(parse_decimal("-2"), Some((-2, 0)));
        assert_eq!(parse_decimal("１，０００"), Some((1000, 0)));
        assert_eq!(parse_decimal(".5"), Some((5, 1)));
        assert_eq!(parse_decimal(""), None);
        assert_eq!(parse_decimal("."), None);
        assert_eq!(parse_decimal("1.2.3"), None);
        assert_eq!(parse_decimal("1e3"), None);
    }

    #[test]
    fn payee_account_in_zengin_form() {
        let a = PayeeAccount {
            id: "1234:567:1:3242394".into(),
            name: Some("ｶ)ﾏﾙﾏﾙｼﾖｳｼﾞ".into()),
            branch_id: None,
        };
        let z = a.zengin_account().unwrap();
        assert_eq!(z.bank_code.as_str(), "1234");
        assert_eq!(z.branch_code.as_str(), "567");
        assert_eq!(z.deposit_type, DepositType::Futsu);
        assert_eq!(z.account_number.as_str(), "3242394");
        for id in [
            "1234:567:3:3242394",
            "1234-567-1-3242394",
            "12345:567:1:1",
            "",
        ] {
            let a = PayeeAccount {
                id: id.into(),
                ..PayeeAccount::default()
            };
            assert_eq!(a.zengin_account(), None, "{id}");
        }
    }

    /// The UI and the store read this JSON; its shape is part of the contract.
    #[test]
    fn json_shape_round_trips() {
        let mut inv = mixed();
        inv.lines.truncate(1);
        inv.stated_totals.truncate(1);
        inv.source = InvoiceSource::JpPint {
            customization_id: "urn:peppol:pint:billing-1@jp-1".into(),
        };
        let json = serde_json::to_value(&inv).unwrap();
        assert_eq!(json["issueDate"], "2025-03-31");
        assert_eq!(json["sellerRegistration"], "T7000012050002");
        assert_eq!(json["statedTaxTotal"], 291);
        assert_eq!(
            json["lines"][0],
            serde_json::json!({"description": "ボールペン（黒）", "quantity": "2", "unitPrice": 617, "amount": 1234, "category": "standard"})
        );
        assert_eq!(
            json["statedTotals"][0],
            serde_json::json!({"category": "standard", "taxable": 1801, "tax": 180})
        );
        assert_eq!(
            json["source"],
            serde_json::json!({"kind": "jpPint", "customizationId": "urn:peppol:pint:billing-1@jp-1"})
        );
        let back: Invoice = serde_json::from_value(json).unwrap();
        assert_eq!(back, inv);
        // Optional parts may be left out.
        let minimal: Invoice = serde_json::from_value(serde_json::json!({
            "number": "1", "issueDate": "2025-03-31", "sellerName": "x"
        }))
        .unwrap();
        assert_eq!(minimal.source, InvoiceSource::Manual);
        assert!(minimal.lines.is_empty());
    }
}
