//! 調達・契約・支払 in the app: a purchase request (調達依頼, with its quotes) becomes a
//! contract, the delivery is inspected, and a payment order with the invoice is paid by a
//! 全銀 transfer file. Each step is a record of its kind (`procurement`, `contract`,
//! `inspection`, `payment_order`) linked to the decided step before it and approved
//! along the 専決規程 route ([`crate::approvals::submit_record`]).
//!
//! The clerk works on a 案件 (the request and every step that descends from it): the
//! list shows where each stands, the detail shows the steps in order with the next one
//! offered once the last is decided. Drafts may be saved with findings (nothing typed is
//! lost); submission needs no errors. The rules live in
//! [`kyosai_domain::procurement`]; the central service checks the links again.
//!
//! - [`forms`]: the forms as typed and their reading into the domain's bodies;
//! - [`masters`]: vendors (契約相手方) and budget lines (予算配当);
//! - [`transfer`]: the 全銀 総合振込 file from decided payment orders, and the deadlines
//!   dashboard.

pub mod forms;
pub mod masters;
pub mod print;
pub mod transfer;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use kyosai_domain::approval::{self as ap, Status};
use kyosai_domain::procurement::banks::BankMaster;
use kyosai_domain::procurement::calendar::HolidayTable;
use kyosai_domain::procurement::document::{self as doc, Linked};
use kyosai_domain::procurement::steps::{
    self, ContractBody, InspectionBody, PaymentOrderBody, RequestBody,
};
use kyosai_store::sync::{DraftState, LocalRecord};
use kyosai_store::Store;
use kyosai_sync_protocol::UserInfo;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use self::forms::StepForm;
use crate::approvals::parse_id;
use crate::findings::{has_errors, FindingDto};
use crate::proposals::FlagsDto;
use crate::sync::time_text;
use crate::AppError;

/// What the editor sends to check or save: no id for a new step; `parent` for a new step
/// after the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct StepInput {
    pub id: Option<String>,
    pub parent: Option<String>,
    pub title: String,
    pub form: StepForm,
    /// 変更起案: the decided step this new one changes (same kind, same parent).
    #[serde(default)]
    pub amends: Option<String>,
}

/// A step as the case shows it (`ProcurementStepView` on the IPC boundary: the approval
/// detail has a `StepView` of its own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename = "ProcurementStepView", rename_all = "camelCase")]
pub struct StepView {
    pub id: String,
    /// The record kind.
    pub kind: String,
    /// 「調達依頼」「契約」「検収・検査」「支出命令」.
    pub kind_label: String,
    pub title: String,
    pub parent: Option<String>,
    pub amount_text: String,
    /// `draft`, `in_progress`, `approved`, `returned`, `rejected`, `withdrawn`.
    pub status: String,
    pub status_label: String,
    /// 「課長 の決裁待ち」「差戻し（理由: …）」 …
    pub where_text: String,
    pub form: StepForm,
    /// The checks on the step as it is now (against its parent).
    pub findings: Vec<FindingDto>,
    pub can_edit: bool,
    pub can_submit: bool,
    pub can_withdraw: bool,
    /// Decided and approved: 「変更起案を作成」 is offered (調達依頼 and 契約).
    pub can_amend: bool,
    /// 変更起案: the record id of the step it changes.
    pub amends: Option<String>,
    /// The step that may start from this one (decided and approved), if any.
    pub next_kind: Option<String>,
    pub next_label: Option<String>,
    /// The sync label (未送信 / 競合 / 差戻し …).
    pub label: Option<String>,
    /// A submission or withdrawal is unsent.
    pub pending: bool,
    /// 検査期限 / 支払期限 with how it stands, for inspections and payment orders.
    pub deadline: Option<DeadlineView>,
    pub updated_at: Option<String>,
    /// A payment order whose invoice was taken from the AI-OCR queue: where each value
    /// came from.
    pub ocr_provenance: Option<crate::ocr::ProvenanceView>,
}

/// A deadline and how it stands today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DeadlineView {
    /// 「検査期限」「支払期限」.
    pub what: String,
    /// YYYY-MM-DD.
    pub date: String,
    /// `done`, `ok`, `dueSoon`, `overdue`.
    pub risk: String,
    /// 「あと3日」「2日超過」「完了」.
    pub risk_label: String,
}

/// A case (案件) in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CaseSummary {
    /// The request's record id.
    pub id: String,
    pub title: String,
    pub amount_text: String,
    /// The furthest step and how it stands: 「契約 回議中」.
    pub stage: String,
    pub vendor: String,
    pub steps: u32,
    /// The most urgent deadline of the case, if any.
    pub deadline: Option<DeadlineView>,
    pub updated_at: Option<String>,
}

/// A case with its steps in order (request first; inspections and payment orders after
/// their contract).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CaseView {
    pub id: String,
    pub title: String,
    pub steps: Vec<StepView>,
}

fn status_of(r: &LocalRecord) -> Option<Status> {
    r.server
        .as_ref()
        .and_then(|s| ap::state_of(&s.body))
        .map(|s| s.status)
}

fn status_id(s: Option<Status>) -> &'static str {
    match s {
        None => "draft",
        Some(Status::InProgress) => "in_progress",
        Some(Status::Approved) => "approved",
        Some(Status::Returned) => "returned",
        Some(Status::Rejected) => "rejected",
        Some(Status::Withdrawn) => "withdrawn",
    }
}

/// The step records this PC has, by id.
struct Steps {
    records: HashMap<Uuid, LocalRecord>,
    pending: Vec<Uuid>,
}

impl Steps {
    fn load(store: &mut Store) -> Result<Steps, AppError> {
        let mut records = HashMap::new();
        for kind in doc::STEP_KINDS {
            for r in store.sync().list_records(kind)? {
                records.insert(r.id, r);
            }
        }
        let pending = store.sync().records_with_pending_actions()?;
        Ok(Steps { records, pending })
    }

    fn get(&self, id: &str) -> Option<&LocalRecord> {
        Uuid::parse_str(id).ok().and_then(|u| self.records.get(&u))
    }

    fn parent_of(&self, r: &LocalRecord) -> Option<&LocalRecord> {
        doc::parent_of(&r.body).and_then(|p| self.get(p))
    }

    fn children(&self, id: Uuid) -> Vec<&LocalRecord> {
        let key = id.to_string();
        let mut out: Vec<&LocalRecord> = self
            .records
            .values()
            .filter(|r| doc::parent_of(&r.body) == Some(key.as_str()))
            .collect();
        out.sort_by_key(|r| (created_at(r), r.id));
        out
    }

    /// The request at the root of `r`'s chain.
    fn root<'a>(&'a self, mut r: &'a LocalRecord) -> &'a LocalRecord {
        for _ in 0..8 {
            match self.parent_of(r) {
                Some(p) => r = p,
                None => break,
            }
        }
        r
    }
}

fn created_at(r: &LocalRecord) -> Option<DateTime<Utc>> {
    r.server
        .as_ref()
        .and_then(|s| s.created_at)
        .or_else(|| r.draft.as_ref().and_then(|d| d.updated_at))
}

fn body_of<T: for<'de> Deserialize<'de> + Default>(r: &LocalRecord) -> T {
    serde_json::from_value(r.body.clone()).unwrap_or_default()
}

fn linked(r: &LocalRecord) -> (String, Option<ap::ApprovalState>, Option<bool>) {
    let state = r.server.as_ref().and_then(|s| ap::state_of(&s.body));
    let passed = (r.kind == doc::KIND_INSPECTION).then(|| doc::inspection_passed(&r.body));
    (r.kind.clone(), state, passed)
}

/// The decided parent a new step starts from, as far as this PC knows.
fn check_parent(kind: &str, parent: Option<&LocalRecord>) -> Result<(), AppError> {
    let l = parent.map(linked);
    let link = l.as_ref().map(|(k, s, p)| Linked {
        kind: k,
        approval: s.as_ref(),
        passed: *p,
    });
    doc::check_parent(kind, link).map_err(|e| AppError::new(e.code(), e.to_string()))
}

/// The body to store and the findings of a step's form, against its parent chain.
fn read_form(
    store: &mut Store,
    steps: &Steps,
    this: Option<Uuid>,
    parent: Option<&LocalRecord>,
    form: &StepForm,
    amends: Option<&str>,
    today: NaiveDate,
) -> Result<(serde_json::Value, Vec<FindingDto>), AppError> {
    let parent_id = parent.map(|p| p.id.to_string()).unwrap_or_default();
    let master = BankMaster::builtin();
    let holidays = HolidayTable::builtin();
    let (body, findings) = match form {
        StepForm::Procurement(f) => {
            let (mut b, mut found) = forms::request_body(f);
            b.amends = this
                .and_then(|id| steps.records.get(&id))
                .and_then(amends_of)
                .or_else(|| amends.map(str::to_string));
            let budget = masters::budget_status_of(store, &b, this)?;
            found.extend(steps::check_request(&b, budget, today));
            (to_json(&b)?, found)
        }
        StepForm::Contract(f) => {
            let request: RequestBody = parent.map(body_of).unwrap_or_default();
            let (mut b, mut found) = forms::contract_body(f, &parent_id);
            if let Some(v) = b.vendor_id.as_deref() {
                match masters::vendor_by_id(store, v)? {
                    Some(vendor) => b.vendor = vendor,
                    None => found.push(kyosai_domain::finding::Finding::error(
                        "vendorId",
                        "procurement.vendor_unknown",
                        "選んだ契約相手方がこのPCにありません。同期してから選び直してください。",
                    )),
                }
            }
            if b.category.is_none() {
                b.category = request.category;
            }
            found.extend(steps::check_contract(&b, &request, master, today));
            (to_json(&b)?, found)
        }
        StepForm::Inspection(f) => {
            let contract: ContractBody = parent.map(body_of).unwrap_or_default();
            let (b, mut found) = forms::inspection_body(f, &parent_id);
            found.extend(steps::check_inspection(&b, &contract, today));
            (to_json(&b)?, found)
        }
        StepForm::PaymentOrder(f) => {
            let inspection: InspectionBody = parent.map(body_of).unwrap_or_default();
            let contract: ContractBody = parent
                .and_then(|p| steps.parent_of(p))
                .map(body_of)
                .unwrap_or_default();
            let (b, mut found) = forms::payment_order_body(f, &parent_id);
            found.extend(steps::check_payment_order(
                &b,
                &contract,
                &inspection,
                master,
                holidays,
                today,
            ));
            (to_json(&b)?, found)
        }
    };
    Ok((body, findings.into_iter().map(FindingDto::from).collect()))
}

fn to_json<T: Serialize>(v: &T) -> Result<serde_json::Value, AppError> {
    serde_json::to_value(v).map_err(|e| AppError::internal("procurement json", &e))
}

fn form_of(r: &LocalRecord) -> StepForm {
    match r.kind.as_str() {
        doc::KIND_CONTRACT => StepForm::Contract(forms::contract_form(&body_of(r))),
        doc::KIND_INSPECTION => StepForm::Inspection(forms::inspection_form(&body_of(r))),
        doc::KIND_PAYMENT_ORDER => StepForm::PaymentOrder(forms::payment_order_form(&body_of(r))),
        _ => StepForm::Procurement(forms::request_form(&body_of(r))),
    }
}

fn risk_view(
    what: &str,
    date: NaiveDate,
    risk: kyosai_domain::procurement::deadlines::Risk,
) -> DeadlineView {
    use kyosai_domain::procurement::deadlines::Risk;
    let id = match risk {
        Risk::Done => "done",
        Risk::Ok { .. } => "ok",
        Risk::DueSoon { .. } => "dueSoon",
        Risk::Overdue { .. } => "overdue",
    };
    DeadlineView {
        what: what.to_string(),
        date: date.format("%Y-%m-%d").to_string(),
        risk: id.to_string(),
        risk_label: risk.label_ja(),
    }
}

/// Days before a deadline from which it shows as 「期限間近」.
pub const WARN_DAYS: i64 = 5;

fn deadline_of(
    steps: &Steps,
    r: &LocalRecord,
    paid: &[Uuid],
    today: NaiveDate,
) -> Option<DeadlineView> {
    use kyosai_domain::procurement::deadlines::risk;
    match r.kind.as_str() {
        doc::KIND_INSPECTION => {
            let b: InspectionBody = body_of(r);
            let contract: ContractBody = steps.parent_of(r).map(body_of)?;
            let date = steps::inspection_deadline(&b, &contract)?;
            Some(risk_view(
                "検査期限",
                date,
                risk(date, today, b.inspected_on.is_some(), WARN_DAYS),
            ))
        }
        doc::KIND_PAYMENT_ORDER => {
            let b: PaymentOrderBody = body_of(r);
            let contract: ContractBody = steps
                .parent_of(r)
                .and_then(|i| steps.parent_of(i))
                .map(body_of)?;
            let due = steps::payment_due(&b, &contract, HolidayTable::builtin())?;
            Some(risk_view(
                "支払期限",
                due.pay_by,
                risk(due.pay_by, today, paid.contains(&r.id), WARN_DAYS),
            ))
        }
        _ => None,
    }
}

fn step_view(
    store: &mut Store,
    steps: &Steps,
    r: &LocalRecord,
    me: &str,
    paid: &[Uuid],
    today: NaiveDate,
) -> Result<StepView, AppError> {
    let state = r.server.as_ref().and_then(|s| ap::state_of(&s.body));
    let status = state.as_ref().map(|s| s.status);
    let pending = steps.pending.contains(&r.id);
    let form = form_of(r);
    let parent = steps.parent_of(r);
    let (_, findings) = read_form(store, steps, Some(r.id), parent, &form, None, today)?;
    let open = matches!(status, None | Some(Status::Returned | Status::Withdrawn));
    let my_round =
        status == Some(Status::InProgress) && state.as_ref().is_some_and(|s| s.drafter == me);
    let settled_draft = r
        .draft
        .as_ref()
        .is_some_and(|d| d.state != DraftState::Pending || r.revoked);
    let where_text = match (&state, status) {
        (_, None) => "起案前（下書き）".to_string(),
        (Some(s), Some(Status::InProgress)) => s
            .steps
            .get(s.current_step)
            .map(|step| {
                let names: Vec<&str> = step
                    .slots
                    .iter()
                    .filter(|x| x.done.is_none())
                    .map(|x| x.approver.name_ja())
                    .collect();
                format!("{} の決裁待ち", names.join("・"))
            })
            .unwrap_or_default(),
        (Some(s), Some(Status::Returned)) => {
            match crate::approvals::last_reason(s, ap::ActKind::Return) {
                Some(reason) => format!("差戻し（理由: {reason}）"),
                None => "差戻し".to_string(),
            }
        }
        (Some(s), Some(Status::Rejected)) => {
            match crate::approvals::last_reason(s, ap::ActKind::Reject) {
                Some(reason) => format!("却下（理由: {reason}）"),
                None => "却下".to_string(),
            }
        }
        (_, Some(st)) => st.label_ja().to_string(),
    };
    let next_kind = (status == Some(Status::Approved)
        && (r.kind != doc::KIND_INSPECTION || doc::inspection_passed(&r.body)))
    .then(|| doc::child_kind(&r.kind))
    .flatten();
    Ok(StepView {
        id: r.id.to_string(),
        kind: r.kind.clone(),
        kind_label: doc::kind_label_ja(&r.kind).to_string(),
        title: r.title.clone(),
        parent: doc::parent_of(&r.body).map(str::to_string),
        amount_text: ap::yen(ap::document_amount(&r.body)),
        status: status_id(status).to_string(),
        status_label: status.map_or("下書き", |s| s.label_ja()).to_string(),
        where_text,
        can_edit: (open || my_round) && !pending,
        can_submit: open && !pending && !settled_draft && !has_errors(&findings),
        can_withdraw: status == Some(Status::InProgress) && !pending,
        can_amend: status == Some(Status::Approved)
            && !pending
            && matches!(r.kind.as_str(), doc::KIND_REQUEST | doc::KIND_CONTRACT),
        amends: amends_of(r),
        next_kind: next_kind.map(str::to_string),
        next_label: next_kind.map(|k| format!("{}を作成", doc::kind_label_ja(k))),
        findings,
        form,
        label: r.label.clone(),
        pending,
        deadline: deadline_of(steps, r, paid, today),
        updated_at: r
            .draft
            .as_ref()
            .and_then(|d| d.updated_at)
            .or_else(|| r.server.as_ref().and_then(|s| s.updated_at))
            .map(time_text),
        ocr_provenance: crate::ocr::provenance_view(&r.body),
    })
}

/// 変更起案: the record id of the decided step this one changes.
fn amends_of(r: &LocalRecord) -> Option<String> {
    r.body
        .get(AMENDS_KEY)
        .and_then(serde_json::Value::as_str)
        .map(str::to_string)
}

/// The body key of a 変更起案's link to its original.
const AMENDS_KEY: &str = "amends";

/// The original a new 変更起案 may name: a decided, approved step of the same kind with
/// the same parent, on this PC.
fn check_original(
    steps: &Steps,
    kind: &str,
    parent: Option<&str>,
    id: &str,
) -> Result<Uuid, AppError> {
    let bad = |why: &str| {
        AppError::new(
            "procurement.amends_invalid",
            format!("変更起案の元にできない文書です（{why}）。元の文書を開いて「変更起案を作成」を押し直してください。"),
        )
    };
    let r = steps.get(id).ok_or_else(|| bad("このPCにありません"))?;
    if r.kind != kind || doc::parent_of(&r.body) != parent {
        return Err(bad("種類か元の文書が違います"));
    }
    if status_of(r) != Some(Status::Approved) {
        return Err(bad("まだ決裁されていません"));
    }
    Ok(r.id)
}

/// The steps of the case rooted at `request`, in order.
fn chain<'a>(steps: &'a Steps, request: &'a LocalRecord) -> Vec<&'a LocalRecord> {
    let mut out = vec![request];
    let mut i = 0;
    while i < out.len() {
        let kids = steps.children(out[i].id);
        out.extend(kids);
        i += 1;
    }
    out
}

fn most_urgent(views: &[StepView]) -> Option<DeadlineView> {
    let rank = |d: &DeadlineView| match d.risk.as_str() {
        "overdue" => 0,
        "dueSoon" => 1,
        "ok" => 2,
        _ => 3,
    };
    views
        .iter()
        .filter_map(|v| v.deadline.clone())
        .filter(|d| d.risk != "done")
        .min_by(|a, b| (rank(a), &a.date).cmp(&(rank(b), &b.date)))
}

fn today_of(now: DateTime<Utc>) -> NaiveDate {
    ap::jst(now).date()
}

/// Every case this PC has, the most urgent first, then the newest.
pub fn cases_of(
    store: &mut Store,
    me: &str,
    now: DateTime<Utc>,
) -> Result<Vec<CaseSummary>, AppError> {
    let steps = Steps::load(store)?;
    let paid = transfer::paid_orders(store)?;
    let today = today_of(now);
    let mut out = Vec::new();
    let mut requests: Vec<&LocalRecord> = steps
        .records
        .values()
        .filter(|r| r.kind == doc::KIND_REQUEST)
        .collect();
    requests.sort_by_key(|r| std::cmp::Reverse((created_at(r), r.id)));
    for req in requests {
        let views = chain(&steps, req)
            .into_iter()
            .map(|r| step_view(store, &steps, r, me, &paid, today))
            .collect::<Result<Vec<_>, _>>()?;
        let last = views.last();
        let vendor = views
            .iter()
            .find(|v| v.kind == doc::KIND_CONTRACT)
            .and_then(|v| steps.get(&v.id))
            .map(|r| body_of::<ContractBody>(r).vendor.name)
            .unwrap_or_default();
        out.push(CaseSummary {
            id: req.id.to_string(),
            title: req.title.clone(),
            amount_text: ap::yen(ap::document_amount(&req.body)),
            stage: last
                .map(|l| format!("{} {}", l.kind_label, l.status_label))
                .unwrap_or_default(),
            vendor,
            steps: u32::try_from(views.len()).unwrap_or(u32::MAX),
            deadline: most_urgent(&views),
            updated_at: views.iter().filter_map(|v| v.updated_at.clone()).max(),
        });
    }
    out.sort_by_key(|c| match c.deadline.as_ref().map(|d| d.risk.as_str()) {
        Some("overdue") => 0,
        Some("dueSoon") => 1,
        _ => 2,
    });
    Ok(out)
}

/// One case with its steps; `id` may be any step of it.
pub fn case_of(
    store: &mut Store,
    id: &str,
    me: &str,
    now: DateTime<Utc>,
) -> Result<CaseView, AppError> {
    let steps = Steps::load(store)?;
    let paid = transfer::paid_orders(store)?;
    let r = steps.get(id).ok_or_else(not_found)?;
    let root = steps.root(r);
    let today = today_of(now);
    let views = chain(&steps, root)
        .into_iter()
        .map(|r| step_view(store, &steps, r, me, &paid, today))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CaseView {
        id: root.id.to_string(),
        title: root.title.clone(),
        steps: views,
    })
}

fn not_found() -> AppError {
    AppError::new(
        "request.invalid",
        "この文書が見つかりません。一覧から開き直してください。",
    )
}

/// The findings of a step's form as typed (nothing saved).
pub fn check_on(
    store: &mut Store,
    input: &StepInput,
    now: DateTime<Utc>,
) -> Result<Vec<FindingDto>, AppError> {
    let steps = Steps::load(store)?;
    let this = input.id.as_deref().map(parse_id).transpose()?;
    let parent = parent_for(&steps, this, input)?;
    let (_, findings) = read_form(
        store,
        &steps,
        this,
        parent,
        &input.form,
        input.amends.as_deref(),
        today_of(now),
    )?;
    Ok(findings)
}

fn parent_for<'a>(
    steps: &'a Steps,
    this: Option<Uuid>,
    input: &StepInput,
) -> Result<Option<&'a LocalRecord>, AppError> {
    let named = match this.and_then(|id| steps.records.get(&id)) {
        Some(r) => doc::parent_of(&r.body).map(str::to_string),
        None => input.parent.clone(),
    };
    Ok(named.as_deref().and_then(|p| steps.get(p)))
}

/// Saves a step locally (draft + outbox command in one transaction). Findings do not
/// block a draft; a new step after the request must start from a decided parent; a
/// decided step is immutable (変更起案 instead).
pub fn save_on(
    store: &mut Store,
    input: &StepInput,
    office_code: Option<&str>,
    me: &str,
    now: DateTime<Utc>,
) -> Result<CaseView, AppError> {
    let steps = Steps::load(store)?;
    let this = input.id.as_deref().map(parse_id).transpose()?;
    let kind = input.form.kind();
    let title = input.title.trim();
    if title.is_empty() {
        return Err(AppError::validation(&[FindingDto::error(
            "title",
            "procurement.title_missing",
            "件名を入力してください。",
        )]));
    }
    if title.chars().count() > 100 {
        return Err(AppError::validation(&[FindingDto::error(
            "title",
            "procurement.title_too_long",
            "件名は100文字以内にしてください。",
        )]));
    }
    let parent = parent_for(&steps, this, input)?;
    let ocr_document = ocr_document_of(&input.form);
    let id = match this {
        Some(id) => {
            let r = steps.records.get(&id).ok_or_else(not_found)?;
            if r.kind != kind {
                return Err(AppError::new(
                    "request.invalid",
                    "文書の種類が違います。一覧から開き直してください。",
                ));
            }
            if status_of(r).is_some_and(Status::is_decided) {
                return Err(crate::approvals::refusal(&ap::ApprovalError::Decided));
            }
            let (mut body, _) = read_form(
                store,
                &steps,
                Some(id),
                parent,
                &input.form,
                None,
                today_of(now),
            )?;
            // The link to the original is kept once made.
            if let Some(a) = amends_of(r) {
                body[AMENDS_KEY] = serde_json::Value::String(a);
            }
            let provenance = match ocr_document {
                Some(d) => Some(crate::ocr::invoice_provenance_on(store, d, Some(id))?),
                // Kept while the invoice is still the one read (not replaced by JP PINT).
                None if invoice_from_ocr(&input.form) => {
                    r.body.get(crate::ocr::PROVENANCE_KEY).cloned()
                }
                None => None,
            };
            set_provenance(&mut body, provenance);
            store.sync().record_update_local(id, title, &body)?;
            id
        }
        None => {
            check_parent(kind, parent)?;
            let office = match parent {
                Some(p) => p.office_code.clone(),
                None => office_code.ok_or_else(masters::office_unknown)?.to_string(),
            };
            let (mut body, _) = read_form(
                store,
                &steps,
                None,
                parent,
                &input.form,
                input.amends.as_deref(),
                today_of(now),
            )?;
            if let Some(a) = input.amends.as_deref().filter(|a| !a.is_empty()) {
                let parent_id = parent.map(|p| p.id.to_string());
                let original = check_original(&steps, kind, parent_id.as_deref(), a)?;
                body[AMENDS_KEY] = serde_json::Value::String(original.to_string());
            }
            let provenance = ocr_document
                .map(|d| crate::ocr::invoice_provenance_on(store, d, None))
                .transpose()?;
            set_provenance(&mut body, provenance);
            store
                .sync()
                .record_create_local(kind, &office, title, &body)?
                .0
        }
    };
    if let Some(d) = ocr_document {
        crate::ocr::hand_off_invoice_on(store, d, id, me, now)?;
    }
    tracing::info!(record = %id, kind, "procurement step saved");
    case_of(store, &id.to_string(), me, now)
}

/// The invoice still is the one read by the AI-OCR queue.
fn invoice_from_ocr(form: &StepForm) -> bool {
    matches!(form, StepForm::PaymentOrder(f) if f.invoice.source == "ocr")
}

/// The AI-OCR document whose invoice the payment order's form took (and still holds).
fn ocr_document_of(form: &StepForm) -> Option<&str> {
    match form {
        StepForm::PaymentOrder(f) if invoice_from_ocr(form) => f
            .ocr_document_id
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty()),
        _ => None,
    }
}

fn set_provenance(body: &mut serde_json::Value, provenance: Option<serde_json::Value>) {
    if let (Some(obj), Some(p)) = (body.as_object_mut(), provenance) {
        obj.insert(crate::ocr::PROVENANCE_KEY.to_string(), p);
    }
}

/// 決裁に回す: the step must have no error findings, and (after the request) its parent
/// must be decided; then `approval.submit@1`.
pub fn submit_on(
    store: &mut Store,
    me: &UserInfo,
    id: &str,
    flags: FlagsDto,
    now: DateTime<Utc>,
) -> Result<CaseView, AppError> {
    let steps = Steps::load(store)?;
    let uuid = parse_id(id)?;
    let r = steps.records.get(&uuid).ok_or_else(not_found)?;
    check_parent(&r.kind, steps.parent_of(r))?;
    let form = form_of(r);
    let (_, findings) = read_form(
        store,
        &steps,
        Some(uuid),
        steps.parent_of(r),
        &form,
        None,
        today_of(now),
    )?;
    if has_errors(&findings) {
        return Err(AppError::validation(&findings));
    }
    let amends = amends_of(r).and_then(|a| Uuid::parse_str(&a).ok());
    crate::approvals::submit_record(store, me, uuid, flags.into(), amends, now)?;
    case_of(store, id, &me.user_id, now)
}

/// 取下げ (the drafter, while in 回議).
pub fn withdraw_on(
    store: &mut Store,
    me: &UserInfo,
    id: &str,
    now: DateTime<Utc>,
) -> Result<CaseView, AppError> {
    crate::approvals::withdraw_record(store, me, id, now)?;
    case_of(store, id, &me.user_id, now)
}

/// A new step's form, prefilled from its decided parent (`parent` = its record id).
pub fn new_step_form(
    store: &mut Store,
    parent: &str,
    now: DateTime<Utc>,
) -> Result<StepInput, AppError> {
    let steps = Steps::load(store)?;
    let p = steps.get(parent).ok_or_else(not_found)?;
    let kind = doc::child_kind(&p.kind).ok_or_else(|| {
        AppError::new(
            "procurement.no_next_step",
            "支出命令の次の文書はありません。振込データの作成に進んでください。",
        )
    })?;
    check_parent(kind, Some(p))?;
    let today = today_of(now).format("%Y-%m-%d").to_string();
    let form = match kind {
        doc::KIND_CONTRACT => {
            let r: RequestBody = body_of(p);
            let chosen = r.selected_quote.and_then(|i| r.quotes.get(i));
            StepForm::Contract(forms::ContractForm {
                vendor_id: chosen.and_then(|q| q.vendor_id.clone()).unwrap_or_default(),
                category: serde_json::to_value(r.category)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                amount: chosen.map_or(r.amount, |q| q.amount).to_string(),
                contract_sets_dates: true,
                ..forms::ContractForm::default()
            })
        }
        doc::KIND_INSPECTION => {
            let c: ContractBody = body_of(p);
            StepForm::Inspection(forms::InspectionForm {
                amount: c.amount.to_string(),
                inspected_on: today,
                result: "pending".to_string(),
                ..forms::InspectionForm::default()
            })
        }
        _ => {
            let contract: ContractBody = steps.parent_of(p).map(body_of).unwrap_or_default();
            StepForm::PaymentOrder(forms::PaymentOrderForm {
                invoice: forms::InvoiceForm {
                    seller_name: contract.vendor.name.clone(),
                    seller_registration: contract
                        .vendor
                        .invoice_registration
                        .clone()
                        .unwrap_or_default(),
                    source: "manual".to_string(),
                    ..forms::InvoiceForm::default()
                },
                invoice_received_on: today,
                payee: contract
                    .vendor
                    .account
                    .as_ref()
                    .map(forms::account_form)
                    .unwrap_or_default(),
                ..forms::PaymentOrderForm::default()
            })
        }
    };
    let root = steps.root(p);
    Ok(StepInput {
        id: None,
        parent: Some(p.id.to_string()),
        title: format!("{}（{}）", root.title, doc::kind_label_ja(kind)),
        form,
        amends: None,
    })
}

/// 変更起案: a new step of the same kind and parent as the decided step `id`, its form
/// copied for the clerk to change. Once decided it replaces the original (the budget
/// counts only the change).
pub fn amend_form(store: &mut Store, id: &str) -> Result<StepInput, AppError> {
    let steps = Steps::load(store)?;
    let r = steps.get(id).ok_or_else(not_found)?;
    let parent = doc::parent_of(&r.body).map(str::to_string);
    let original = check_original(&steps, &r.kind, parent.as_deref(), id)?;
    if !matches!(r.kind.as_str(), doc::KIND_REQUEST | doc::KIND_CONTRACT) {
        return Err(AppError::new(
            "procurement.amends_invalid",
            "変更起案は調達依頼と契約について作成できます。",
        ));
    }
    let title = r.title.trim_start_matches("【変更】").to_string();
    Ok(StepInput {
        id: None,
        parent,
        title: format!("【変更】{title}"),
        form: form_of(r),
        amends: Some(original.to_string()),
    })
}
