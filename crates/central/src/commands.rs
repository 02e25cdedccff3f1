//! Named, versioned commands: what each may do and who may send it.
//!
//! A command is parsed by the registry entry for its `(name, version)` into an
//! [`Intent`]; [`decide`] then checks the actor's rights, the record's version and the
//! payload against the record as it is now, and answers with a [`Decision`]. Nothing here
//! touches storage: the storage layer loads what `decide` needs and writes what it
//! returns, in one transaction.

use chrono::{DateTime, Utc};
use kyosai_domain::approval::{self as appr, ApprovalError};
use kyosai_domain::procurement::document as procurement;
use kyosai_domain::Coded as _;
use kyosai_sync_protocol::{approval, codes, record, work, CommandEnvelope, Record, Role};
use serde::Deserialize as _;

use crate::model::{Actor, ApprovalView, ChangeOp};

/// What a command asks for, once its payload is read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Intent {
    Create(record::Create),
    Update(record::Update),
    Transfer(record::Transfer),
    /// 起案 / 再提出.
    ApprovalSubmit(approval::Submit),
    /// 承認, 差戻し, 却下, 代決, 引上げ, 取下げ, 後閲.
    ApprovalAct(appr::Action),
    /// Working time on the case (見える化): changes nothing in it.
    WorkTime(work::TimePayload),
}

impl Intent {
    /// The records besides its own that deciding this command needs: the parent step a
    /// procurement document starts from and the original a 変更起案 names (ids as
    /// written; an id that is not a UUID is treated as missing).
    pub(crate) fn linked_ids(&self, current: Option<&Record>) -> LinkedIds {
        let uuid = |s: Option<&str>| s.and_then(|s| uuid::Uuid::parse_str(s).ok());
        match self {
            Intent::Create(c) => LinkedIds {
                parent: uuid(procurement::parent_of(&c.body)),
                amends: None,
            },
            Intent::ApprovalSubmit(s) => LinkedIds {
                parent: current.and_then(|r| uuid(procurement::parent_of(&r.body))),
                amends: s.amends,
            },
            _ => LinkedIds::default(),
        }
    }

    /// An office the command names and that must exist.
    pub(crate) fn named_office(&self) -> Option<&str> {
        match self {
            Intent::Create(c) => Some(&c.office_code),
            Intent::Transfer(t) => Some(&t.office_code),
            Intent::Update(_)
            | Intent::ApprovalSubmit(_)
            | Intent::ApprovalAct(_)
            | Intent::WorkTime(_) => None,
        }
    }
}

impl Intent {
    /// The audit action of this command and, for an approval action, which one (承認,
    /// 代決, 引上げ, 後閲 are all `record.approve`; the detail tells them apart).
    pub(crate) fn audit_action(&self) -> (&'static str, Option<&'static str>) {
        use kyosai_audit::actions as a;
        match self {
            Intent::Create(_) => (a::RECORD_CREATE, None),
            Intent::Update(_) => (a::RECORD_UPDATE, None),
            Intent::Transfer(_) => (a::RECORD_TRANSFER, None),
            Intent::WorkTime(_) => (crate::audit::WORK_TIME, None),
            Intent::ApprovalSubmit(_) => (a::RECORD_SUBMIT, None),
            Intent::ApprovalAct(action) => match action {
                appr::Action::Approve { .. } => (a::RECORD_APPROVE, Some("approve")),
                appr::Action::Delegate { .. } => (a::RECORD_APPROVE, Some("delegate")),
                appr::Action::PullUp { .. } => (a::RECORD_APPROVE, Some("pull_up")),
                appr::Action::PostRead => (a::RECORD_APPROVE, Some("post_read")),
                appr::Action::Return { .. } => (a::RECORD_RETURN, Some("return")),
                appr::Action::Reject { .. } => (a::RECORD_REJECT, Some("reject")),
                appr::Action::Withdraw => (a::RECORD_WITHDRAW, Some("withdraw")),
            },
        }
    }
}

/// The ids of [`Intent::linked_ids`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct LinkedIds {
    pub parent: Option<uuid::Uuid>,
    pub amends: Option<uuid::Uuid>,
}

/// The records of [`LinkedIds`] as loaded (`None`: not named or not found).
#[derive(Debug, Clone, Default)]
pub(crate) struct Links {
    pub parent: Option<Record>,
    pub amends: Option<Record>,
    /// For the submission of a 調達依頼: its budget line's allocation and what the
    /// office's other requests commit (`Some(None)`: the line is not registered).
    pub budget: Option<Option<kyosai_domain::procurement::steps::BudgetStatus>>,
}

/// A linked record as the link rules see it; one the actor may not see counts as missing.
fn linked<'a>(
    actor: &Actor,
    r: Option<&'a Record>,
    approval: &'a Option<appr::ApprovalState>,
) -> Option<procurement::Linked<'a>> {
    let r = r.filter(|r| actor.scope().sees(&r.office_code))?;
    Some(procurement::Linked {
        kind: &r.kind,
        approval: approval.as_ref(),
        passed: (r.kind == procurement::KIND_INSPECTION)
            .then(|| procurement::inspection_passed(&r.body)),
    })
}

fn link_refused(e: &procurement::LinkError) -> Decision {
    Decision::Reject(reject(e.code(), format!("{e}{DRAFT_KEPT}")))
}

/// Whether a step may start from its parent (on creation and again on submission).
fn check_parent_link(actor: &Actor, kind: &str, links: &Links) -> Option<Decision> {
    let state = links.parent.as_ref().and_then(|p| appr::state_of(&p.body));
    procurement::check_parent(kind, linked(actor, links.parent.as_ref(), &state))
        .err()
        .map(|e| link_refused(&e))
}

/// The hard stop of the budget (the app checks first; the server decides): a request
/// beyond what is left of its line, or charged to a line that is not registered.
fn budget_refused(
    current: &Record,
    budget: Option<kyosai_domain::procurement::steps::BudgetStatus>,
) -> Option<Decision> {
    use kyosai_domain::procurement::steps::{check_budget, RequestBody};
    let body: RequestBody =
        serde_json::from_value(without_approval(current.body.clone())).unwrap_or_default();
    check_budget(&body, budget)
        .into_iter()
        .find(|f| f.is_error())
        .map(|f| Decision::Reject(reject(f.code, format!("{}{DRAFT_KEPT}", f.message))))
}

type Parser = fn(&serde_json::Value) -> Result<Intent, serde_json::Error>;

fn parse_create(v: &serde_json::Value) -> Result<Intent, serde_json::Error> {
    record::Create::deserialize(v).map(Intent::Create)
}
fn parse_update(v: &serde_json::Value) -> Result<Intent, serde_json::Error> {
    record::Update::deserialize(v).map(Intent::Update)
}
fn parse_transfer(v: &serde_json::Value) -> Result<Intent, serde_json::Error> {
    record::Transfer::deserialize(v).map(Intent::Transfer)
}
fn parse_submit(v: &serde_json::Value) -> Result<Intent, serde_json::Error> {
    approval::Submit::deserialize(v).map(Intent::ApprovalSubmit)
}
fn parse_act(v: &serde_json::Value) -> Result<Intent, serde_json::Error> {
    appr::Action::deserialize(v).map(Intent::ApprovalAct)
}
fn parse_work(v: &serde_json::Value) -> Result<Intent, serde_json::Error> {
    work::TimePayload::deserialize(v).map(Intent::WorkTime)
}

/// Every command this server knows, by name and version. A module adds its commands
/// here (and an [`Intent`] for each).
const REGISTRY: &[(&str, u32, Parser)] = &[
    (record::CREATE, 1, parse_create),
    (record::UPDATE, 1, parse_update),
    (record::TRANSFER, 1, parse_transfer),
    (approval::SUBMIT, 1, parse_submit),
    (approval::ACT, 1, parse_act),
    (work::TIME, 1, parse_work),
];

/// Whether deciding `name` needs the [`ApprovalView`] (the push handler loads it once per
/// batch that holds one).
pub fn needs_approval_view(name: &str) -> bool {
    name == record::UPDATE || name == approval::SUBMIT || name == approval::ACT
}

/// The `name@version` pairs this server accepts.
pub fn known_commands() -> Vec<String> {
    REGISTRY
        .iter()
        .map(|(name, version, _)| format!("{name}@{version}"))
        .collect()
}

/// A command that will not be applied as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rejection {
    pub code: &'static str,
    pub message: String,
}

const DRAFT_KEPT: &str = "入力した内容は下書きとして残っています。";

fn reject(code: &'static str, message: String) -> Rejection {
    Rejection { code, message }
}

pub(crate) fn parse(cmd: &CommandEnvelope) -> Result<Intent, Rejection> {
    let Some((_, _, parser)) = REGISTRY
        .iter()
        .find(|(name, version, _)| *name == cmd.name && *version == cmd.version)
    else {
        return Err(reject(
            codes::UNKNOWN_COMMAND,
            format!(
                "このサーバーは操作「{}@{}」に対応していません。アプリを最新版に更新してください。{DRAFT_KEPT}",
                cmd.name, cmd.version
            ),
        ));
    };
    parser(&cmd.payload).map_err(|_| {
        if cmd.name == work::TIME {
            return work_invalid("作業時間の記録の形式が正しくありません。");
        }
        reject(
            codes::INVALID_PAYLOAD,
            format!(
                "送信された内容の形式が正しくありません（{}@{}）。{DRAFT_KEPT}続く場合はIT管理者に連絡してください。",
                cmd.name, cmd.version
            ),
        )
    })
}

/// What to do with a command.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Decision {
    /// Write `record` (insert when `is_new`) and these change-log rows (op, office).
    Apply {
        record: Box<Record>,
        is_new: bool,
        changes: Vec<(ChangeOp, String)>,
    },
    /// The record moved on since the clerk's version (or, for an approval, someone else
    /// acted first or the content changed): store a conflict.
    Conflict {
        code: &'static str,
        message: String,
    },
    Reject(Rejection),
    /// Keep this work session; the case itself is unchanged (answered with its
    /// `version`).
    Work {
        session: Box<crate::storage::WorkSessionRow>,
        version: i64,
    },
}

fn not_permitted() -> Decision {
    Decision::Reject(reject(
        codes::NOT_PERMITTED,
        format!("この操作を行う権限がありません。{DRAFT_KEPT}必要な場合は所属所長またはIT管理者に相談してください。"),
    ))
}

fn not_found() -> Decision {
    Decision::Reject(reject(
        codes::NOT_FOUND,
        format!("対象のレコードがサーバーにありません。削除されたか、別の所属所に移された可能性があります。{DRAFT_KEPT}"),
    ))
}

fn invalid(message: impl Into<String>) -> Decision {
    Decision::Reject(reject(codes::INVALID_PAYLOAD, message.into()))
}

fn version_conflict(base: i64, current: i64) -> Decision {
    Decision::Conflict {
        code: codes::VERSION_CONFLICT,
        message: format!(
            "このレコードは、あなたが編集している間に他の人が更新しました（編集の元にした版: {base}、現在の版: {current}）。競合の画面でサーバーの内容と比べ、反映し直すか破棄するかを選んでください。{DRAFT_KEPT}"
        ),
    }
}

/// May the actor write (create, edit, submit) records of `office`? Only its own staff,
/// as clerk or head. The secretariat reviews and the approvers decide through the route
/// (差戻し with a reason, never an edit of their own), and IT administers the system,
/// not the records: none of them writes an office's documents (separation of duties).
fn may_write(actor: &Actor, office: &str) -> bool {
    actor.office_code.as_deref() == Some(office)
        && (actor.has(Role::OfficeClerk) || actor.has(Role::OfficeHead))
}

/// The record a command names, if the actor may see it. A record of an office the actor
/// does not see is answered exactly like one that does not exist: a refusal must not
/// tell another office's staff (or IT) that a record exists.
fn visible<'a>(actor: &Actor, current: Option<&'a Record>) -> Option<&'a Record> {
    current.filter(|r| actor.scope().sees(&r.office_code))
}

const MAX_KIND_CHARS: usize = 64;
const MAX_TITLE_CHARS: usize = 500;

fn check_text(title: &str, kind: Option<&str>) -> Option<Decision> {
    if let Some(kind) = kind {
        let ok = !kind.is_empty()
            && kind.chars().count() <= MAX_KIND_CHARS
            && kind
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.');
        if !ok {
            return Some(invalid(format!(
                "レコードの種類「{kind}」が正しくありません。アプリを最新版に更新してください。{DRAFT_KEPT}"
            )));
        }
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Some(invalid(format!(
            "件名が長すぎます（{MAX_TITLE_CHARS}文字まで）。短くしてからもう一度保存してください。{DRAFT_KEPT}"
        )));
    }
    None
}

/// A 資格取得届 is submitted only when the server's own check finds no error and every
/// warning has been acknowledged on the form (the app checks first; the server decides).
fn ready_to_submit(current: &Record, now: DateTime<Utc>) -> Option<Decision> {
    use kyosai_domain::acquisition::{self as acq, AcquisitionForm, CheckContext};
    if current.kind != kyosai_sync_protocol::acquisition::KIND {
        return None;
    }
    let Ok(form) =
        serde_json::from_value::<AcquisitionForm>(without_approval(current.body.clone()))
    else {
        return Some(invalid(format!(
            "資格取得届の内容を読み取れません。アプリを最新版に更新してください。{DRAFT_KEPT}"
        )));
    };
    let ctx = CheckContext {
        today: appr::jst(now).date(),
        received_on: None,
    };
    let findings = acq::check_for_submission(&form, &ctx);
    let errors: Vec<&kyosai_domain::Finding> = findings.iter().filter(|f| f.is_error()).collect();
    if let Some(first) = errors.first() {
        return Some(Decision::Reject(reject(
            "acquisition.not_ready",
            format!(
                "資格取得届に誤りが{}件あるため提出できません（例: {}）。画面の指摘を直してから提出してください。{DRAFT_KEPT}",
                errors.len(),
                first.message
            ),
        )));
    }
    let open = acq::unacknowledged_warnings(&findings, &form.acknowledgements).len();
    if open > 0 {
        return Some(Decision::Reject(reject(
            "acquisition.warnings_unacknowledged",
            format!(
                "確認が済んでいない注意が{open}件あります。内容を確認して「確認しました」を付けてから提出してください。{DRAFT_KEPT}"
            ),
        )));
    }
    None
}

/// The body without the server-owned approval state (a client never sets it).
fn without_approval(mut body: serde_json::Value) -> serde_json::Value {
    if let Some(map) = body.as_object_mut() {
        map.remove(appr::BODY_KEY);
    }
    body
}

/// Writes the approval state into the body; a decision to reject when that fails.
fn put_approval(body: &mut serde_json::Value, state: &appr::ApprovalState) -> Option<Decision> {
    let value = match serde_json::to_value(state) {
        Ok(v) => v,
        Err(e) => {
            tracing::error!(error = %e, "serialising an approval state");
            return Some(invalid(
                "決裁の状態を保存できませんでした。IT管理者に連絡してください。",
            ));
        }
    };
    match body.as_object_mut() {
        Some(map) => {
            map.insert(appr::BODY_KEY.to_string(), value);
            None
        }
        None => Some(invalid(format!(
            "この文書の内容の形式では決裁に回せません。{DRAFT_KEPT}"
        ))),
    }
}

fn view_of(actor: &Actor) -> std::sync::Arc<ApprovalView> {
    actor.approval.clone().unwrap_or_else(|| {
        // Not loaded (a caller outside the push handler): the table alone; 代決 and 引上げ
        // then find no absence and are refused, never wrongly allowed.
        std::sync::Arc::new(ApprovalView {
            directory: Vec::new(),
            absences: Vec::new(),
            table: appr::DecisionTable::builtin().clone(),
        })
    })
}

fn context<'a>(
    view: &'a ApprovalView,
    current: &'a Record,
    hash: &'a str,
    amount_yen: i64,
    now: DateTime<Utc>,
) -> appr::Context<'a> {
    appr::Context {
        now,
        today: appr::jst(now).date(),
        kind: &current.kind,
        office_code: &current.office_code,
        content_hash: hash,
        amount_yen,
        absences: &view.absences,
        directory: &view.directory,
        table: &view.table,
    }
}

fn approval_applied(
    actor: &Actor,
    current: &Record,
    next: &appr::ApprovalState,
    now: DateTime<Utc>,
) -> Decision {
    let mut record = current.clone();
    if let Some(d) = put_approval(&mut record.body, next) {
        return d;
    }
    record.state = next.status.record_state().to_string();
    record.version += 1;
    record.updated_by = actor.user_id.clone();
    record.updated_at = now;
    let office = record.office_code.clone();
    Decision::Apply {
        record: Box::new(record),
        is_new: false,
        changes: vec![(ChangeOp::Upsert, office)],
    }
}

/// Someone else acted first or the content changed: a conflict the person sees; any other
/// refusal: rejected with the engine's code and message.
fn approval_refused(e: &ApprovalError) -> Decision {
    if e.is_conflict() {
        Decision::Conflict {
            code: e.code(),
            message: e.to_string(),
        }
    } else {
        Decision::Reject(reject(e.code(), e.to_string()))
    }
}

fn work_invalid(what: &str) -> Rejection {
    reject(
        work::codes::INVALID,
        format!("{what}作業時間は記録されませんでした（入力した内容には影響ありません）。"),
    )
}

/// A work session is kept for a case the sender may see (read or pull it); nothing else
/// is asked of them: it changes nothing in the case, so it never conflicts either. A
/// case the sender may not see is answered like one that does not exist.
fn decide_work(
    actor: &Actor,
    p: work::TimePayload,
    current: Option<&Record>,
    now: DateTime<Utc>,
) -> Decision {
    let Some(current) = visible(actor, current) else {
        return Decision::Reject(reject(
            work::codes::NOT_PERMITTED,
            "この案件の作業時間を記録する権限がありません（案件がないか、参照できない所属所のものです）。"
                .to_string(),
        ));
    };
    if p.active_seconds == 0 || p.active_seconds > work::MAX_ACTIVE_SECONDS {
        return Decision::Reject(work_invalid(&format!(
            "作業時間は1秒から{}秒（8時間）までです（送信された値: {}秒）。",
            work::MAX_ACTIVE_SECONDS,
            p.active_seconds
        )));
    }
    let step = p.step.trim();
    if step.is_empty()
        || step.chars().count() > work::MAX_STEP_CHARS
        || step.chars().any(char::is_control)
    {
        return Decision::Reject(work_invalid(
            "作業した段階（起案・承認の段）が正しくありません。",
        ));
    }
    // The app's clock may run a little ahead; a session that starts well in the future
    // is not a measurement.
    if p.started_at > now + chrono::Duration::minutes(10) {
        return Decision::Reject(work_invalid(
            "作業の開始時刻が未来になっています。パソコンの時計を確認してください。",
        ));
    }
    Decision::Work {
        session: Box::new(crate::storage::WorkSessionRow {
            session_id: p.session_id,
            record_id: current.id,
            kind: current.kind.clone(),
            step: step.to_string(),
            user_id: actor.user_id.clone(),
            office_code: current.office_code.clone(),
            started_at: p.started_at,
            active_seconds: p.active_seconds,
        }),
        version: current.version,
    }
}

/// Decides one command against the record as it is now (`current`). `office_exists`
/// tells whether [`Intent::named_office`] is a registered office.
pub(crate) fn decide(
    actor: &Actor,
    cmd: &CommandEnvelope,
    intent: Intent,
    current: Option<&Record>,
    links: &Links,
    office_exists: bool,
    now: DateTime<Utc>,
) -> Decision {
    match intent {
        Intent::WorkTime(p) => decide_work(actor, p, current, now),
        Intent::Create(c) => {
            if !may_write(actor, &c.office_code) {
                return not_permitted();
            }
            if let Some(d) = check_text(&c.title, Some(&c.kind)) {
                return d;
            }
            if !office_exists {
                return invalid(format!(
                    "所属所番号「{}」は登録されていません。{DRAFT_KEPT}",
                    c.office_code
                ));
            }
            if current.is_some() {
                return invalid(format!(
                    "同じIDのレコードがサーバーに既にあります。{DRAFT_KEPT}IT管理者に連絡してください。"
                ));
            }
            if let Some(d) = check_parent_link(actor, &c.kind, links) {
                return d;
            }
            let record = Record {
                id: cmd.record_id,
                kind: c.kind,
                office_code: c.office_code.clone(),
                version: 1,
                state: "draft".to_string(),
                title: c.title,
                body: {
                    let mut body = without_approval(c.body);
                    crate::redact::restore_on_write(&mut body, None);
                    body
                },
                created_by: actor.user_id.clone(),
                updated_by: actor.user_id.clone(),
                created_at: now,
                updated_at: now,
            };
            Decision::Apply {
                record: Box::new(record),
                is_new: true,
                changes: vec![(ChangeOp::Upsert, c.office_code)],
            }
        }
        Intent::Update(u) => {
            let Some(current) = visible(actor, current) else {
                return not_found();
            };
            if !may_write(actor, &current.office_code) {
                return not_permitted();
            }
            if let Some(d) = check_text(&u.title, None) {
                return d;
            }
            if procurement::parent_of(&u.body) != procurement::parent_of(&current.body) {
                return Decision::Reject(reject(
                    "procurement.parent_changed",
                    format!(
                        "元の文書（調達依頼・契約・検査）へのつながりは変えられません。別の元から始めるときは、その文書の画面から作成してください。{DRAFT_KEPT}"
                    ),
                ));
            }
            let Some(base) = cmd.base_version else {
                return invalid(format!(
                    "更新の元にした版がありません。アプリを最新版に更新してください。{DRAFT_KEPT}"
                ));
            };
            if base != current.version {
                return version_conflict(base, current.version);
            }
            let mut body = without_approval(u.body);
            crate::redact::restore_on_write(&mut body, Some(current));
            let mut state = current.state.clone();
            if let Some(approval) = appr::state_of(&current.body) {
                // A document under approval: a content change starts the approvals again;
                // a decided one is immutable (変更起案).
                let view = view_of(actor);
                let hash = appr::content_hash(&current.kind, &u.title, &body);
                if let Some(d) =
                    crate::redact::my_number_only_change(&approval, &hash, current, &body)
                {
                    return d;
                }
                let ctx = context(&view, current, &hash, appr::document_amount(&body), now);
                match appr::content_changed(&approval, &actor.approval_actor(), &ctx) {
                    Ok(next) => {
                        state = next.status.record_state().to_string();
                        if let Some(d) = put_approval(&mut body, &next) {
                            return d;
                        }
                    }
                    Err(e) => return approval_refused(&e),
                }
            }
            let mut record = current.clone();
            record.title = u.title;
            record.body = body;
            record.state = state;
            record.version += 1;
            record.updated_by = actor.user_id.clone();
            record.updated_at = now;
            let office = record.office_code.clone();
            Decision::Apply {
                record: Box::new(record),
                is_new: false,
                changes: vec![(ChangeOp::Upsert, office)],
            }
        }
        Intent::ApprovalSubmit(s) => {
            let Some(current) = visible(actor, current) else {
                return not_found();
            };
            if !may_write(actor, &current.office_code) {
                return not_permitted();
            }
            let view = view_of(actor);
            let hash = appr::content_hash(&current.kind, &current.title, &current.body);
            if s.seen_hash != hash {
                return approval_refused(&ApprovalError::ContentChanged);
            }
            if let Some(d) = ready_to_submit(current, now) {
                return d;
            }
            if let Some(d) = check_parent_link(actor, &current.kind, links) {
                return d;
            }
            if let Some(budget) = links.budget {
                if let Some(d) = budget_refused(current, budget) {
                    return d;
                }
            }
            if s.amends.is_some() {
                let state = links.amends.as_ref().and_then(|o| appr::state_of(&o.body));
                let original = linked(actor, links.amends.as_ref(), &state);
                if let Err(e) = procurement::check_amends(&current.kind, original) {
                    return link_refused(&e);
                }
            }
            let flags = appr::Flags {
                important: s.important,
                unusual: s.unusual,
                precedent: s.precedent,
            };
            let ctx = context(
                &view,
                current,
                &hash,
                appr::document_amount(&current.body),
                now,
            );
            let prev = appr::state_of(&current.body);
            match appr::submit(
                prev.as_ref(),
                &actor.approval_actor(),
                flags,
                s.amends.map(|u| u.to_string()),
                &ctx,
            ) {
                Ok(next) => approval_applied(actor, current, &next, now),
                Err(e) => approval_refused(&e),
            }
        }
        Intent::ApprovalAct(action) => {
            // Who may act on which step is the engine's to decide (the route names roles,
            // positions and delegates); the server only hides other offices' documents.
            let Some(current) = visible(actor, current) else {
                return not_found();
            };
            let Some(prev) = appr::state_of(&current.body) else {
                return Decision::Reject(reject(
                    "approval.not_submitted",
                    "この文書はまだ決裁に回されていません。最新の状態を確認してください。"
                        .to_string(),
                ));
            };
            let view = view_of(actor);
            let hash = appr::content_hash(&current.kind, &current.title, &current.body);
            let ctx = context(
                &view,
                current,
                &hash,
                appr::document_amount(&current.body),
                now,
            );
            match appr::apply(&prev, &actor.approval_actor(), &action, &ctx) {
                Ok(next) => approval_applied(actor, current, &next, now),
                Err(e) => approval_refused(&e),
            }
        }
        Intent::Transfer(t) => {
            let Some(current) = visible(actor, current) else {
                return not_found();
            };
            // 移管 is the secretariat's: it moves a member's record between offices.
            if !actor.has(Role::SecretariatReviewer) {
                return not_permitted();
            }
            let Some(base) = cmd.base_version else {
                return invalid(format!(
                    "移管の元にした版がありません。アプリを最新版に更新してください。{DRAFT_KEPT}"
                ));
            };
            if base != current.version {
                return version_conflict(base, current.version);
            }
            if !office_exists {
                return invalid(format!(
                    "移管先の所属所番号「{}」は登録されていません。{DRAFT_KEPT}",
                    t.office_code
                ));
            }
            if t.office_code == current.office_code {
                return Decision::Reject(reject(
                    codes::INVALID_TRANSITION,
                    format!(
                        "移管先が現在の所属所（{}）と同じです。{DRAFT_KEPT}",
                        current.office_code
                    ),
                ));
            }
            let from = current.office_code.clone();
            let mut record = current.clone();
            record.office_code = t.office_code.clone();
            record.version += 1;
            record.updated_by = actor.user_id.clone();
            record.updated_at = now;
            Decision::Apply {
                record: Box::new(record),
                is_new: false,
                changes: vec![(ChangeOp::Revoke, from), (ChangeOp::Upsert, t.office_code)],
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use serde_json::json;
    use uuid::Uuid;

    fn actor(roles: &[Role], office: Option<&str>) -> Actor {
        Actor {
            user_id: "u".into(),
            roles: roles.to_vec(),
            office_code: office.map(str::to_string),
            device_id: Uuid::nil(),
            positions: Vec::new(),
            approval: None,
        }
    }

    fn cmd(name: &str, base: Option<i64>, payload: serde_json::Value) -> CommandEnvelope {
        CommandEnvelope {
            seq: 1,
            name: name.into(),
            version: 1,
            record_id: Uuid::nil(),
            base_version: base,
            payload,
            issued_at: Utc::now(),
        }
    }

    fn rec(office: &str, version: i64) -> Record {
        Record {
            id: Uuid::nil(),
            kind: "note".into(),
            office_code: office.into(),
            version,
            state: "draft".into(),
            title: "t".into(),
            body: json!({}),
            created_by: "x".into(),
            updated_by: "x".into(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn run(a: &Actor, c: &CommandEnvelope, current: Option<&Record>) -> Decision {
        match parse(c) {
            Ok(intent) => decide(a, c, intent, current, &Links::default(), true, Utc::now()),
            Err(r) => Decision::Reject(r),
        }
    }

    fn code(d: &Decision) -> &'static str {
        match d {
            Decision::Apply { .. } | Decision::Work { .. } => "applied",
            Decision::Conflict { .. } => codes::VERSION_CONFLICT,
            Decision::Reject(r) => r.code,
        }
    }

    #[test]
    fn unknown_commands_and_bad_payloads_are_rejected() {
        let a = actor(&[Role::OfficeClerk], Some("1203"));
        let c = cmd("approval.approve", None, json!({}));
        assert_eq!(code(&run(&a, &c, None)), codes::UNKNOWN_COMMAND);
        let c = cmd(record::CREATE, None, json!({"kind": "note"}));
        assert_eq!(code(&run(&a, &c, None)), codes::INVALID_PAYLOAD);
    }

    #[test]
    fn who_may_do_what() {
        let create = cmd(
            record::CREATE,
            None,
            json!({"kind": "note", "office_code": "1203", "title": "t", "body": {}}),
        );
        let update = cmd(record::UPDATE, Some(1), json!({"title": "t2", "body": {}}));
        let transfer = cmd(record::TRANSFER, Some(1), json!({"office_code": "1101"}));
        let r = rec("1203", 1);

        let clerk = actor(&[Role::OfficeClerk], Some("1203"));
        let head = actor(&[Role::OfficeHead], Some("1203"));
        let other_clerk = actor(&[Role::OfficeClerk], Some("1101"));
        let reviewer = actor(&[Role::SecretariatReviewer], None);
        let approver = actor(&[Role::Approver], None);
        let it = actor(&[Role::ItAdmin], None);
        let clerk_without_office = actor(&[Role::OfficeClerk], None);

        assert_eq!(code(&run(&clerk, &create, None)), "applied");
        assert_eq!(code(&run(&head, &create, None)), "applied");
        assert_eq!(
            code(&run(&other_clerk, &create, None)),
            codes::NOT_PERMITTED
        );
        assert_eq!(code(&run(&reviewer, &create, None)), codes::NOT_PERMITTED);

        assert_eq!(code(&run(&clerk, &update, Some(&r))), "applied");
        assert_eq!(code(&run(&head, &update, Some(&r))), "applied");
        // Another office's record is answered as if it did not exist.
        assert_eq!(
            code(&run(&other_clerk, &update, Some(&r))),
            codes::NOT_FOUND
        );
        // The secretariat and approvers read every office but edit none (差戻し instead).
        assert_eq!(
            code(&run(&reviewer, &update, Some(&r))),
            codes::NOT_PERMITTED
        );
        assert_eq!(
            code(&run(&approver, &update, Some(&r))),
            codes::NOT_PERMITTED
        );
        // IT and an office role without an office see no business record.
        assert_eq!(code(&run(&it, &update, Some(&r))), codes::NOT_FOUND);
        assert_eq!(code(&run(&it, &create, None)), codes::NOT_PERMITTED);
        assert_eq!(
            code(&run(&clerk_without_office, &update, Some(&r))),
            codes::NOT_FOUND
        );

        assert_eq!(
            code(&run(&clerk, &transfer, Some(&r))),
            codes::NOT_PERMITTED
        );
        assert_eq!(code(&run(&head, &transfer, Some(&r))), codes::NOT_PERMITTED);
        assert_eq!(
            code(&run(&approver, &transfer, Some(&r))),
            codes::NOT_PERMITTED
        );
        assert_eq!(code(&run(&reviewer, &transfer, Some(&r))), "applied");
        assert_eq!(code(&run(&it, &transfer, Some(&r))), codes::NOT_FOUND);
        assert_eq!(
            code(&run(&other_clerk, &transfer, Some(&r))),
            codes::NOT_FOUND
        );
    }

    #[test]
    fn versions_are_checked_after_rights() {
        let update = cmd(record::UPDATE, Some(1), json!({"title": "t2", "body": {}}));
        let r = rec("1203", 2);
        let clerk = actor(&[Role::OfficeClerk], Some("1203"));
        assert_eq!(
            code(&run(&clerk, &update, Some(&r))),
            codes::VERSION_CONFLICT
        );
        let other = actor(&[Role::OfficeClerk], Some("1101"));
        assert_eq!(code(&run(&other, &update, Some(&r))), codes::NOT_FOUND);
        assert_eq!(code(&run(&clerk, &update, None)), codes::NOT_FOUND);
    }

    #[test]
    fn a_transfer_revokes_for_the_old_office_and_upserts_for_the_new() {
        let transfer = cmd(record::TRANSFER, Some(3), json!({"office_code": "1101"}));
        let r = rec("1203", 3);
        let d = run(
            &actor(&[Role::SecretariatReviewer], None),
            &transfer,
            Some(&r),
        );
        let Decision::Apply {
            record, changes, ..
        } = d
        else {
            panic!("not applied: {d:?}");
        };
        assert_eq!(record.office_code, "1101");
        assert_eq!(record.version, 4);
        assert_eq!(
            changes,
            vec![
                (ChangeOp::Revoke, "1203".to_string()),
                (ChangeOp::Upsert, "1101".to_string())
            ]
        );
        let same = cmd(record::TRANSFER, Some(3), json!({"office_code": "1203"}));
        let d = run(&actor(&[Role::SecretariatReviewer], None), &same, Some(&r));
        assert_eq!(code(&d), codes::INVALID_TRANSITION);
    }

    #[test]
    fn the_registry_lists_the_record_and_approval_commands() {
        assert_eq!(
            known_commands(),
            vec![
                "record.create@1",
                "record.update@1",
                "record.transfer@1",
                "approval.submit@1",
                "approval.act@1",
                "work.time@1"
            ]
        );
    }
}
