//! The bodies of the four step documents and their checks.
//!
//! Each body is the JSON of its record (camelCase keys, `#[serde(default)]` so a half-filled
//! form loads). `amount` is the yen amount the 専決規程 route is chosen by and `parent`
//! the record id of the step before ([`super::document`]). Checks return
//! [`Finding`]s named by the form's field paths (`"items[0].amount"`,
//! `"vendor.account.bankCode"`, …); errors block submission.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::banks::BankMaster;
use super::calendar::{is_bank_business_day, HolidayTable};
use super::contract::{self, Category, ContractDocument, Method, NegotiatedGround};
use super::deadlines::{self, PaymentDue, WorkType};
use super::document::InspectionResult;
use super::invoice::{self, Invoice};
use super::vendor::{self, Vendor, VendorAccount};
use crate::approval::{yen, Status};
use crate::finding::Finding;

/// The largest amount a step document takes (999,999,999,999 yen).
pub const MAX_AMOUNT: i64 = 999_999_999_999;
/// Fewer quotes than this on a 少額随意契約 is a warning (見積合わせ; 要確認 — the
/// association's 契約規程 governs).
pub const MIN_QUOTES: usize = 2;
/// From this share of a budget line used (per mille) the request gets a warning.
pub const BUDGET_WARN_PER_MILLE: i64 = 900;

/// 予算科目: the budget line a request is charged to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BudgetRef {
    /// 年度 (April–March), e.g. 2026.
    pub fiscal_year: i32,
    /// The line's code, e.g. 「01-02-03」.
    pub code: String,
    /// Its name, e.g. 「事務費 消耗品費」.
    pub name: String,
}

/// 予算配当: a budget line's allocation for a 年度 (the body of a `budget` record).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BudgetLine {
    /// 年度.
    pub fiscal_year: i32,
    /// 予算科目コード.
    pub code: String,
    /// 予算科目名.
    pub name: String,
    /// 配当額, yen.
    pub allocated: i64,
}

/// A budget line's allocation as the request sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BudgetStatus {
    /// 予算配当額.
    pub allocated: i64,
    /// Already committed by other requests (submitted or decided, not rejected or
    /// withdrawn).
    pub committed: i64,
}

impl BudgetStatus {
    /// What is left before this request.
    pub fn remaining(&self) -> i64 {
        self.allocated - self.committed
    }
}

/// One line of a request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Item {
    /// 品名.
    pub name: String,
    /// 規格・仕様.
    pub spec: String,
    /// 数量 (as typed, e.g. 「2」「1.5」).
    pub quantity: String,
    /// 単位 (台, 式, 箱 …).
    pub unit: String,
    /// 見込額 (tax included), yen.
    pub amount: i64,
}

/// One quote (見積) received for a request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Quote {
    /// The vendor's record id, when the vendor is registered.
    pub vendor_id: Option<String>,
    /// The vendor's name as on the quote.
    pub vendor_name: String,
    /// 見積額 (tax included), yen.
    pub amount: i64,
    /// 見積日.
    pub quoted_on: Option<NaiveDate>,
    /// 有効期限.
    pub valid_until: Option<NaiveDate>,
    /// 備考.
    pub note: String,
}

/// 調達依頼 (kind `procurement`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RequestBody {
    /// 予定金額 (tax included): the sum of the items.
    pub amount: i64,
    /// 目的・理由.
    pub purpose: String,
    /// The contract's category (decides the 随意契約 ceiling).
    pub category: Option<Category>,
    /// The budget line.
    pub budget: BudgetRef,
    /// 品目.
    pub items: Vec<Item>,
    /// 見積.
    pub quotes: Vec<Quote>,
    /// The quote chosen (index into `quotes`).
    pub selected_quote: Option<usize>,
    /// 納期 / 必要な日.
    pub needed_by: Option<NaiveDate>,
    /// 変更起案: the decided request this one changes.
    pub amends: Option<String>,
}

/// 契約 (kind `contract`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ContractBody {
    /// 契約金額 (tax included).
    pub amount: i64,
    /// The decided request (record id).
    pub parent: String,
    /// The vendor's record id.
    pub vendor_id: Option<String>,
    /// The vendor as it was when the contract was drafted (the 契約書 prints it).
    pub vendor: Vendor,
    /// 契約の種類.
    pub category: Option<Category>,
    /// 契約方法.
    pub method: Option<Method>,
    /// 随意契約の根拠.
    pub ground: Option<NegotiatedGround>,
    /// 随意契約の理由 (required for grounds other than 少額).
    pub ground_reason: String,
    /// 契約期間 (from).
    pub period_from: Option<NaiveDate>,
    /// 契約期間 (to) / 履行期限.
    pub period_to: Option<NaiveDate>,
    /// 工事 or not (decides the 支払遅延防止法 days).
    pub work_type: Option<WorkType>,
    /// Whether the contract sets the inspection and payment dates (otherwise 10 / 15 days).
    pub contract_sets_dates: bool,
    /// 契約書 / 請書 / 省略.
    pub document: Option<ContractDocument>,
    /// 契約締結日.
    pub signed_on: Option<NaiveDate>,
    /// 履行場所・特記事項.
    pub note: String,
    /// 変更起案: the decided contract this one changes.
    pub amends: Option<String>,
}

/// 検収・検査 (kind `inspection`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InspectionBody {
    /// The amount delivered and inspected (tax included).
    pub amount: i64,
    /// The decided contract (record id).
    pub parent: String,
    /// 給付完了の通知を受けた日.
    pub completion_notice_on: Option<NaiveDate>,
    /// 検査日.
    pub inspected_on: Option<NaiveDate>,
    /// 検査員.
    pub inspector: String,
    /// 合格 / 不合格.
    pub result: InspectionResult,
    /// 所見.
    pub note: String,
}

/// 支出命令 (kind `payment_order`) with its invoice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PaymentOrderBody {
    /// 支払額: the invoice's payable amount.
    pub amount: i64,
    /// The decided, passed inspection (record id).
    pub parent: String,
    /// The invoice (typed, from JP PINT or from the OCR queue).
    pub invoice: Option<Invoice>,
    /// 請求書受付日 (the proper invoice's arrival).
    pub invoice_received_on: Option<NaiveDate>,
    /// A defective invoice was returned on this day …
    pub returned_on: Option<NaiveDate>,
    /// … and the corrected one arrived on this day (the clock stood still between).
    pub corrected_received_on: Option<NaiveDate>,
    /// 支払予定日 (振込指定日).
    pub payment_date: Option<NaiveDate>,
    /// 振込先.
    pub payee: VendorAccount,
}

fn positive_amount(field: &str, amount: i64, out: &mut Vec<Finding>) {
    if amount <= 0 {
        out.push(Finding::error(
            field,
            "procurement.amount_not_positive",
            "金額は1円以上で入力してください。",
        ));
    } else if amount > MAX_AMOUNT {
        out.push(Finding::error(
            field,
            "procurement.amount_too_large",
            format!("金額は{}円以下で入力してください。", yen(MAX_AMOUNT)),
        ));
    }
}

fn required_date(field: &str, d: Option<NaiveDate>, what: &str, out: &mut Vec<Finding>) {
    if d.is_none() {
        out.push(Finding::error(
            field,
            "procurement.date_missing",
            format!("{what}を入力してください。"),
        ));
    }
}

fn not_future(
    field: &str,
    d: Option<NaiveDate>,
    today: NaiveDate,
    what: &str,
    out: &mut Vec<Finding>,
) {
    if let Some(d) = d.filter(|d| *d > today) {
        out.push(Finding::error(
            field,
            "procurement.date_in_future",
            format!("{what}（{d}）が今日より後になっています。日付を確かめてください。"),
        ));
    }
}

/// Whether a request in this approval state counts against its budget line: submitted
/// (in 回議, or returned for changes) or approved; drafts, withdrawn and rejected ones do
/// not.
pub fn commits_budget(status: Option<Status>) -> bool {
    matches!(
        status,
        Some(Status::InProgress | Status::Approved | Status::Returned)
    )
}

/// The allocation of the request's budget line and what the other requests commit:
/// `lines` are the registered budget lines, `others` every other request as (record id,
/// body, approval status). `None` when the line is not registered.
///
/// A 変更起案 replaces its original: a request amended by a request that commits (or by
/// `body` itself) no longer counts, so a changed amount is never counted twice.
pub fn budget_status<'a>(
    body: &RequestBody,
    lines: impl IntoIterator<Item = &'a BudgetLine>,
    others: impl IntoIterator<Item = (&'a str, &'a RequestBody, Option<Status>)>,
) -> Option<BudgetStatus> {
    let b = &body.budget;
    let allocated = lines
        .into_iter()
        .find(|l| l.fiscal_year == b.fiscal_year && l.code == b.code)?
        .allocated;
    let others: Vec<(&str, &RequestBody, Option<Status>)> = others.into_iter().collect();
    let replaced: Vec<&str> = others
        .iter()
        .filter(|(_, _, status)| commits_budget(*status))
        .filter_map(|(_, o, _)| o.amends.as_deref())
        .chain(body.amends.as_deref())
        .collect();
    let committed = others
        .iter()
        .filter(|(id, o, status)| {
            commits_budget(*status)
                && !replaced.contains(id)
                && o.budget.fiscal_year == b.fiscal_year
                && o.budget.code == b.code
        })
        .map(|(_, o, _)| o.amount)
        .sum();
    Some(BudgetStatus {
        allocated,
        committed,
    })
}

/// The budget part of [`check_request`]: no line chosen or not registered (error),
/// beyond the remainder (error, the hard stop), from 90 % used (warning).
pub fn check_budget(body: &RequestBody, budget: Option<BudgetStatus>) -> Vec<Finding> {
    let mut out = Vec::new();
    if body.budget.code.trim().is_empty() {
        out.push(Finding::error(
            "budget.code",
            "procurement.budget_missing",
            "予算科目を選んでください。",
        ));
        return out;
    }
    match budget {
        None => out.push(Finding::error(
            "budget.code",
            "procurement.budget_unknown",
            format!(
                "予算科目「{}」の{}年度の配当が登録されていません。経理担当に確認してください。",
                body.budget.code, body.budget.fiscal_year
            ),
        )),
        Some(b) => {
            let remaining = b.remaining();
            if body.amount > remaining {
                out.push(Finding::error(
                    "amount",
                    "procurement.budget_exceeded",
                    format!(
                        "予算の残額{}円を{}円超えています。金額を見直すか、予算の流用・補正を経理担当に相談してください。",
                        yen(remaining.max(0)),
                        yen(body.amount - remaining.max(0))
                    ),
                ));
            } else if b.allocated > 0
                && (b.committed + body.amount) * 1000 >= b.allocated * BUDGET_WARN_PER_MILLE
            {
                out.push(Finding::warning(
                    "amount",
                    "procurement.budget_low",
                    format!(
                        "この依頼で予算の{}%を使います（残り{}円）。年度末までの支出見込みを確認してください。",
                        (b.committed + body.amount) * 100 / b.allocated,
                        yen(remaining - body.amount)
                    ),
                ));
            }
        }
    }
    out
}

/// Checks a 調達依頼. `budget` is the line's allocation and what other requests already
/// committed (`None`: the line is not registered — an error, the request cannot be
/// charged to it).
pub fn check_request(
    body: &RequestBody,
    budget: Option<BudgetStatus>,
    on: NaiveDate,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if body.purpose.trim().is_empty() {
        out.push(Finding::error(
            "purpose",
            "procurement.purpose_missing",
            "目的・理由を入力してください。",
        ));
    }
    if body.category.is_none() {
        out.push(Finding::error(
            "category",
            "procurement.category_missing",
            "契約の種類（物品の購入、役務など）を選んでください。",
        ));
    }
    if body.items.is_empty() {
        out.push(Finding::error(
            "items",
            "procurement.items_missing",
            "品目を1行以上入力してください。",
        ));
    }
    for (i, item) in body.items.iter().enumerate() {
        if item.name.trim().is_empty() {
            out.push(Finding::error(
                format!("items[{i}].name"),
                "procurement.item_name_missing",
                format!("{}行目の品名を入力してください。", i + 1),
            ));
        }
        positive_amount(&format!("items[{i}].amount"), item.amount, &mut out);
    }
    let sum: i64 = body.items.iter().map(|i| i.amount).sum();
    if !body.items.is_empty() && sum != body.amount {
        out.push(Finding::error(
            "amount",
            "procurement.amount_not_sum",
            format!(
                "予定金額{}円が品目の合計{}円と合いません。",
                yen(body.amount),
                yen(sum)
            ),
        ));
    }
    positive_amount("amount", body.amount, &mut out);
    out.extend(check_budget(body, budget));
    for (i, q) in body.quotes.iter().enumerate() {
        if q.vendor_name.trim().is_empty() {
            out.push(Finding::error(
                format!("quotes[{i}].vendorName"),
                "procurement.quote_vendor_missing",
                format!("{}件目の見積の業者名を入力してください。", i + 1),
            ));
        }
        positive_amount(&format!("quotes[{i}].amount"), q.amount, &mut out);
        if let (Some(valid), true) = (q.valid_until, q.valid_until.is_some()) {
            if valid < on {
                out.push(Finding::warning(
                    format!("quotes[{i}].validUntil"),
                    "procurement.quote_expired",
                    format!("{}件目の見積は有効期限（{valid}）を過ぎています。", i + 1),
                ));
            }
        }
    }
    match body.selected_quote {
        Some(i) if i >= body.quotes.len() => out.push(Finding::error(
            "selectedQuote",
            "procurement.quote_selection",
            "選んだ見積がありません。見積を選び直してください。",
        )),
        Some(i) => {
            let chosen = body.quotes.get(i).map_or(0, |q| q.amount);
            if let Some(low) = body
                .quotes
                .iter()
                .map(|q| q.amount)
                .filter(|a| *a > 0)
                .min()
            {
                if chosen > low {
                    out.push(Finding::warning(
                        "selectedQuote",
                        "procurement.quote_not_lowest",
                        format!(
                            "最低額の見積（{}円）ではない見積（{}円）を選んでいます。選んだ理由を目的・理由に書いてください。",
                            yen(low),
                            yen(chosen)
                        ),
                    ));
                }
            }
        }
        None => {}
    }
    out
}

/// Checks a 契約 against its decided request.
pub fn check_contract(
    body: &ContractBody,
    request: &RequestBody,
    master: &BankMaster,
    on: NaiveDate,
) -> Vec<Finding> {
    let mut out = Vec::new();
    positive_amount("amount", body.amount, &mut out);
    if body.vendor_id.is_none() && body.vendor.name.trim().is_empty() {
        out.push(Finding::error(
            "vendor",
            "procurement.vendor_missing",
            "契約相手方を選んでください。",
        ));
    } else {
        for mut f in vendor::check_vendor(&body.vendor, master) {
            f.field = format!("vendor.{}", f.field);
            out.push(f);
        }
    }
    let category = body.category.or(request.category);
    match (category, body.method) {
        (Some(category), Some(method)) => {
            out.extend(contract::check_method(
                category,
                method,
                body.ground,
                body.amount,
                on,
            ));
            if method == Method::Negotiated
                && body
                    .ground
                    .is_some_and(|g| g != NegotiatedGround::SmallAmount)
                && body.ground_reason.trim().is_empty()
            {
                out.push(Finding::error(
                    "groundReason",
                    "procurement.ground_reason_missing",
                    "随意契約とする理由を具体的に書いてください。",
                ));
            }
            if method == Method::Negotiated
                && body.ground == Some(NegotiatedGround::SmallAmount)
                && request.quotes.len() < MIN_QUOTES
            {
                out.push(Finding::warning(
                    "method",
                    "procurement.quotes_too_few",
                    format!(
                        "少額随意契約ですが、調達依頼の見積が{}件です。原則として{MIN_QUOTES}者以上から見積を取ってください。",
                        request.quotes.len()
                    ),
                ));
            }
        }
        (None, _) => out.push(Finding::error(
            "category",
            "procurement.category_missing",
            "契約の種類を選んでください。",
        )),
        (_, None) => out.push(Finding::error(
            "method",
            "procurement.method_missing",
            "契約方法を選んでください。",
        )),
    }
    if body.work_type.is_none() {
        out.push(Finding::error(
            "workType",
            "procurement.work_type_missing",
            "工事かそれ以外かを選んでください（検査・支払の期限が変わります）。",
        ));
    }
    let required = contract::required_document(body.amount, on);
    match body.document {
        None => out.push(Finding::error(
            "document",
            "procurement.document_missing",
            format!(
                "契約書類を選んでください（この金額では「{}」です）。",
                required.label_ja()
            ),
        )),
        Some(chosen) if rank(chosen) < rank(required) => out.push(Finding::error(
            "document",
            "procurement.document_insufficient",
            format!(
                "契約金額{}円では「{}」が必要です（選ばれているのは「{}」）。",
                yen(body.amount),
                required.label_ja(),
                chosen.label_ja()
            ),
        )),
        Some(_) => {}
    }
    required_date(
        "periodTo",
        body.period_to,
        "履行期限（契約期間の終わり）",
        &mut out,
    );
    if let (Some(from), Some(to)) = (body.period_from, body.period_to) {
        if from > to {
            out.push(Finding::error(
                "periodTo",
                "procurement.period_order",
                "契約期間の終わりが始まりより前になっています。",
            ));
        }
    }
    if request.amount > 0 && body.amount > request.amount {
        out.push(Finding::warning(
            "amount",
            "procurement.over_request",
            format!(
                "契約金額{}円が調達依頼の予定金額{}円を超えています。超える理由を確認してください。",
                yen(body.amount),
                yen(request.amount)
            ),
        ));
    }
    out
}

/// 契約書 > 請書 > 省略.
fn rank(d: ContractDocument) -> u8 {
    match d {
        ContractDocument::Contract => 2,
        ContractDocument::Acceptance => 1,
        ContractDocument::Omitted => 0,
    }
}

/// The 検査 deadline of an inspection under its contract, once the completion notice is in.
pub fn inspection_deadline(body: &InspectionBody, contract: &ContractBody) -> Option<NaiveDate> {
    let notice = body.completion_notice_on?;
    Some(deadlines::inspection_deadline(
        notice,
        contract.work_type.unwrap_or(WorkType::Other),
        contract.contract_sets_dates,
    ))
}

/// Checks a 検収・検査 against its decided contract (`today`: the clerk's day).
pub fn check_inspection(
    body: &InspectionBody,
    contract: &ContractBody,
    today: NaiveDate,
) -> Vec<Finding> {
    let mut out = Vec::new();
    positive_amount("amount", body.amount, &mut out);
    if body.amount > contract.amount {
        out.push(Finding::error(
            "amount",
            "procurement.over_contract",
            format!(
                "検査した金額{}円が契約金額{}円を超えています。",
                yen(body.amount),
                yen(contract.amount)
            ),
        ));
    }
    required_date(
        "completionNoticeOn",
        body.completion_notice_on,
        "給付完了の通知を受けた日",
        &mut out,
    );
    required_date("inspectedOn", body.inspected_on, "検査日", &mut out);
    not_future("inspectedOn", body.inspected_on, today, "検査日", &mut out);
    if body.inspector.trim().is_empty() {
        out.push(Finding::error(
            "inspector",
            "procurement.inspector_missing",
            "検査員の氏名を入力してください。",
        ));
    }
    if body.result == InspectionResult::Pending {
        out.push(Finding::error(
            "result",
            "procurement.result_missing",
            "検査結果（合格・不合格）を選んでください。",
        ));
    }
    if let (Some(notice), Some(done)) = (body.completion_notice_on, body.inspected_on) {
        if done < notice {
            out.push(Finding::error(
                "inspectedOn",
                "procurement.inspected_before_notice",
                "検査日が給付完了の通知を受けた日より前になっています。",
            ));
        }
        if let Some(deadline) = inspection_deadline(body, contract) {
            if done > deadline {
                out.push(Finding::warning(
                    "inspectedOn",
                    "procurement.inspection_late",
                    format!(
                        "検査は{deadline}までに行う必要がありました（支払遅延防止法、{}日以内）。遅れた理由を所見に書いてください。",
                        (deadline - notice).num_days()
                    ),
                ));
            }
        }
    }
    out
}

/// The payment deadline of a payment order under its contract, once the invoice is in.
pub fn payment_due(
    body: &PaymentOrderBody,
    contract: &ContractBody,
    h: &HolidayTable,
) -> Option<PaymentDue> {
    let received = body.invoice_received_on?;
    let suspended = match (body.returned_on, body.corrected_received_on) {
        (Some(r), Some(c)) => deadlines::suspended_days(r, c),
        _ => 0,
    };
    Some(deadlines::payment_due(
        received,
        contract.work_type.unwrap_or(WorkType::Other),
        contract.contract_sets_dates,
        suspended,
        h,
    ))
}

/// Checks a 支出命令 against its contract and inspection.
pub fn check_payment_order(
    body: &PaymentOrderBody,
    contract: &ContractBody,
    inspection: &InspectionBody,
    master: &BankMaster,
    h: &HolidayTable,
    today: NaiveDate,
) -> Vec<Finding> {
    let mut out = Vec::new();
    positive_amount("amount", body.amount, &mut out);
    match &body.invoice {
        None => out.push(Finding::error(
            "invoice",
            "procurement.invoice_missing",
            "請求書を入力するか、JP PINT（XML）の請求書を読み込んでください。",
        )),
        Some(inv) => {
            for mut f in invoice::check_invoice(inv, today) {
                f.field = format!("invoice.{}", f.field);
                out.push(f);
            }
            let payable = invoice::payable(inv);
            if payable != body.amount {
                out.push(Finding::error(
                    "amount",
                    "procurement.amount_not_invoice",
                    format!(
                        "支払額{}円が請求額{}円と合いません。",
                        yen(body.amount),
                        yen(payable)
                    ),
                ));
            }
            if let (Some(t), Some(v)) = (
                inv.seller_registration.as_deref(),
                contract.vendor.invoice_registration.as_deref(),
            ) {
                if !t.is_empty() && !v.is_empty() && t != v {
                    out.push(Finding::warning(
                        "invoice.sellerRegistration",
                        "procurement.registration_differs",
                        format!(
                            "請求書の登録番号（{t}）が契約相手方の登録番号（{v}）と違います。請求元を確認してください。"
                        ),
                    ));
                }
            }
        }
    }
    if body.amount > inspection.amount {
        out.push(Finding::error(
            "amount",
            "procurement.over_inspected",
            format!(
                "支払額{}円が検査した金額{}円を超えています。",
                yen(body.amount),
                yen(inspection.amount)
            ),
        ));
    }
    required_date(
        "invoiceReceivedOn",
        body.invoice_received_on,
        "請求書の受付日",
        &mut out,
    );
    not_future(
        "invoiceReceivedOn",
        body.invoice_received_on,
        today,
        "請求書の受付日",
        &mut out,
    );
    match (body.returned_on, body.corrected_received_on) {
        (Some(r), Some(c)) if c < r => out.push(Finding::error(
            "correctedReceivedOn",
            "procurement.correction_order",
            "訂正後の請求書の受付日が返送した日より前になっています。",
        )),
        (Some(_), None) => out.push(Finding::error(
            "correctedReceivedOn",
            "procurement.correction_missing",
            "不備で返送した請求書の、訂正後の受付日を入力してください。",
        )),
        _ => {}
    }
    required_date("paymentDate", body.payment_date, "支払予定日", &mut out);
    if let Some(pay) = body.payment_date {
        if !is_bank_business_day(pay, h) {
            out.push(Finding::error(
                "paymentDate",
                "procurement.payment_not_business_day",
                format!("支払予定日{pay}は銀行の休業日です。営業日を選んでください。"),
            ));
        }
        if pay < today {
            out.push(Finding::error(
                "paymentDate",
                "procurement.payment_in_past",
                "支払予定日が過ぎています。新しい日付を選んでください。",
            ));
        }
        if let Some(due) = payment_due(body, contract, h) {
            if pay > due.pay_by {
                out.push(Finding::warning(
                    "paymentDate",
                    "procurement.payment_late",
                    format!(
                        "支払期限は{}です（請求書受付から{}日、支払遅延防止法）。支払予定日{pay}では遅れます。遅延利息の対象になります。",
                        due.pay_by, due.days
                    ),
                ));
            }
        }
    }
    for mut f in vendor::check_vendor_account(&body.payee, master) {
        f.field = format!("payee.{}", f.field.trim_start_matches("account."));
        out.push(f);
    }
    out
}

#[cfg(test)]
#[path = "steps_tests.rs"]
mod tests;
