//! 電子決裁 for the approver: the inbox, a document's detail (route, history, 後閲, what
//! I may do now), the approval actions, bulk approval, the trail CSV, and absences
//! (不在・代決者).
//!
//! The rules are `kyosai_domain::approval`'s: the inbox is `engine::task_for` over the
//! local copies, and an action is first tried with `engine::apply` on the copy the
//! approver is looking at, so a refusal is explained at once and nothing is queued. An
//! accepted action is only the approver's intent: it goes to the outbox as
//! `approval.act@1` and the central service decides with the same engine. The screen
//! shows what the server answered ([`outcomes`]).
//!
//! The directory (who holds which post, display names) and the absences come from the
//! central service when online and are kept in the settings table, so the inbox works
//! offline.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDateTime, Utc};
use kyosai_domain::acquisition::workflow::Role as DomainRole;
use kyosai_domain::approval::{
    self as ap, engine, trail, Absence, ActKind, Action, ApprovalActor, ApprovalError,
    ApprovalState, Context, DecisionTable, Filled, Position, PostReadReason, Status, Task,
};
use kyosai_domain::Coded;
use kyosai_store::sync::{LocalRecord, OutboxState};
use kyosai_store::Store;
use kyosai_sync_client::SharedStore;
use kyosai_sync_protocol::approval::{AbsenceInfo, Directory};
use kyosai_sync_protocol::{Role as WireRole, UserInfo};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::sync::{time_text, with_store};
use crate::AppError;

/// Settings key of the cached directory ([`CachedDirectory`] as JSON).
pub const DIRECTORY_KEY: &str = "approval.directory";
/// Settings key of the last signed-in user as the server described them (for offline).
pub const ME_KEY: &str = "approval.me";

/// The directory as last fetched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedDirectory {
    pub directory: Directory,
    pub fetched_at: DateTime<Utc>,
}

// ---------------------------------------------------------------------------------------
// Who I am, who the others are

/// The domain role of a wire role (the same snake_case names).
pub fn domain_role(r: WireRole) -> Option<DomainRole> {
    serde_json::to_value(r)
        .ok()
        .and_then(|v| serde_json::from_value(v).ok())
}

fn actor_from(
    user_id: &str,
    roles: &[WireRole],
    positions: &[String],
    office: &Option<String>,
) -> ApprovalActor {
    ApprovalActor {
        user_id: user_id.to_string(),
        roles: roles.iter().filter_map(|r| domain_role(*r)).collect(),
        positions: positions
            .iter()
            .filter_map(|p| Position::from_id(p))
            .collect(),
        office_code: office.clone(),
    }
}

/// The approval rules' view of the signed-in user.
pub fn actor_of(u: &UserInfo) -> ApprovalActor {
    actor_from(&u.user_id, &u.roles, &u.positions, &u.office_code)
}

/// Keeps the signed-in user for offline use.
pub fn remember_me(store: &mut Store, me: &UserInfo) -> Result<(), AppError> {
    let json = serde_json::to_string(me).map_err(|e| AppError::internal("me json", &e))?;
    if store.settings().get(ME_KEY)?.map(|e| e.value) != Some(json.clone()) {
        store.settings().put_all(&[(ME_KEY, &json)])?;
    }
    Ok(())
}

/// The user last remembered, if it is `user_id`.
pub fn remembered_me(store: &mut Store, user_id: &str) -> Result<Option<UserInfo>, AppError> {
    let Some(entry) = store.settings().get(ME_KEY)? else {
        return Ok(None);
    };
    Ok(serde_json::from_str::<UserInfo>(&entry.value)
        .ok()
        .filter(|u| u.user_id == user_id))
}

/// Replaces the cached directory.
pub fn save_directory(store: &mut Store, directory: &Directory) -> Result<(), AppError> {
    let cached = CachedDirectory {
        directory: directory.clone(),
        fetched_at: Utc::now(),
    };
    let json =
        serde_json::to_string(&cached).map_err(|e| AppError::internal("directory json", &e))?;
    store.settings().put_all(&[(DIRECTORY_KEY, &json)])?;
    Ok(())
}

/// The cached directory, if any.
pub fn load_directory(store: &mut Store) -> Result<Option<CachedDirectory>, AppError> {
    Ok(store
        .settings()
        .get(DIRECTORY_KEY)?
        .and_then(|e| serde_json::from_str(&e.value).ok()))
}

/// The people and absences the rules need, and names for ids.
#[derive(Debug, Clone, Default)]
pub(crate) struct People {
    pub directory: Vec<ApprovalActor>,
    pub absences: Vec<Absence>,
    pub infos: Vec<AbsenceInfo>,
    names: HashMap<String, String>,
    pub fetched_at: Option<DateTime<Utc>>,
}

impl People {
    pub(crate) fn load(store: &mut Store, me: Option<&UserInfo>) -> Result<People, AppError> {
        let cached = load_directory(store)?;
        let mut p = People::default();
        if let Some(c) = cached {
            p.fetched_at = Some(c.fetched_at);
            for u in &c.directory.users {
                p.names.insert(u.user_id.clone(), u.display_name.clone());
                p.directory.push(actor_from(
                    &u.user_id,
                    &u.roles,
                    &u.positions,
                    &u.office_code,
                ));
            }
            for a in &c.directory.absences {
                p.absences.push(Absence {
                    user_id: a.user_id.clone(),
                    delegate_id: a.delegate_id.clone(),
                    from: a.from,
                    until: a.until,
                });
            }
            p.infos = c.directory.absences;
        }
        if let Some(me) = me {
            p.names
                .entry(me.user_id.clone())
                .or_insert_with(|| me.display_name.clone());
            if !p.directory.iter().any(|m| m.user_id == me.user_id) {
                p.directory.push(actor_of(me));
            }
        }
        Ok(p)
    }

    /// The display name of a user id, or the id itself.
    pub(crate) fn name(&self, id: &str) -> String {
        self.names
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }
}

// ---------------------------------------------------------------------------------------
// Documents

/// A document under approval as this PC holds it: the server's copy (what approvers
/// see and what the hash binds) and its approval state.
pub(crate) struct Doc {
    pub id: Uuid,
    pub kind: String,
    pub office_code: String,
    pub title: String,
    pub body: serde_json::Value,
    pub state: ApprovalState,
    pub hash: String,
    pub amount: i64,
}

impl Doc {
    pub(crate) fn of(r: &LocalRecord) -> Option<Doc> {
        let s = r.server.as_ref()?;
        let state = ap::state_of(&s.body)?;
        Some(Doc {
            id: r.id,
            kind: r.kind.clone(),
            office_code: s.office_code.clone(),
            title: s.title.clone(),
            hash: ap::content_hash(&r.kind, &s.title, &s.body),
            amount: ap::document_amount(&s.body),
            body: s.body.clone(),
            state,
        })
    }

    pub(crate) fn ctx<'a>(&'a self, people: &'a People, now: DateTime<Utc>) -> Context<'a> {
        Context {
            now,
            today: ap::jst(now).date(),
            kind: &self.kind,
            office_code: &self.office_code,
            content_hash: &self.hash,
            amount_yen: self.amount,
            absences: &people.absences,
            directory: &people.directory,
            table: DecisionTable::builtin(),
        }
    }

    fn text(&self) -> String {
        self.body
            .get("text")
            .and_then(|t| t.as_str())
            .unwrap_or_default()
            .to_string()
    }
}

/// 「起案文書」 …: the kind's name in the table the route was frozen from.
pub(crate) fn kind_name(kind: &str, table_id: Option<&str>) -> String {
    let table = DecisionTable::builtin();
    table_id
        .and_then(|id| table.by_id(id))
        .or_else(|| table.at(ap::jst(Utc::now()).date()))
        .and_then(|t| t.kind(kind))
        .map(|k| k.name_ja.clone())
        .unwrap_or_else(|| kind.to_string())
}

fn u32_of(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn secs_u32(s: i64) -> u32 {
    u32::try_from(s.max(0)).unwrap_or(u32::MAX)
}

/// 「2人目 / 4人中」.
pub(crate) fn step_text(ordinal: usize, of: usize) -> String {
    format!("{ordinal}人目 / {of}人中")
}

fn bad_id() -> AppError {
    AppError::new(
        "request.invalid",
        "対象の文書が見つかりません。一覧を開き直してください。",
    )
}

pub(crate) fn parse_id(id: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(id).map_err(|_| bad_id())
}

fn not_found() -> AppError {
    AppError::new(
        "approval.not_found",
        "この文書はこのPCにありません（または決裁の対象ではありません）。同期してから一覧を開き直してください。",
    )
}

pub(crate) fn refusal(e: &ApprovalError) -> AppError {
    AppError::new(e.code(), e.to_string())
}

// ---------------------------------------------------------------------------------------
// The inbox

/// One line of the 決裁 inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct InboxItem {
    pub id: String,
    pub kind: String,
    /// 「起案文書」 …
    pub kind_name: String,
    pub title: String,
    /// Yen as decimal digits (64-bit numbers do not cross the IPC boundary).
    pub amount: String,
    /// 「1,234,567」.
    pub amount_text: String,
    pub drafter_id: String,
    pub drafter_name: String,
    pub office_code: String,
    /// When the document reached its current state (the last act), RFC 3339.
    pub received_at: Option<String>,
    pub waiting_secs: u32,
    /// 「1日 3時間 5分」.
    pub waiting_text: String,
    /// `decide`, `delegate` or `post_read`.
    pub task: String,
    /// 「2人目 / 4人中」 (empty for 後閲).
    pub step_text: String,
    /// 「課長」 (or 「後閲」).
    pub slot_name: String,
    /// For 代決: whom I decide for.
    pub for_user_name: Option<String>,
    /// 「重要・異例」 or empty.
    pub flags_label: String,
    /// An action of mine on it is still unsent (送信待ち): not actionable.
    pub pending: bool,
}

fn item(doc: &Doc, task: &Task, people: &People, pending: bool, now: DateTime<Utc>) -> InboxItem {
    let received = doc
        .state
        .history
        .last()
        .map(|a| a.at)
        .unwrap_or(doc.state.submitted_at);
    let waited = (now - received).num_seconds().max(0);
    let (task_id, step, slot, for_user) = match task {
        Task::Decide {
            ordinal,
            of,
            slot_name,
        } => ("decide", step_text(*ordinal, *of), slot_name.clone(), None),
        Task::DecideAsDelegate {
            ordinal,
            of,
            slot_name,
            for_user,
        } => (
            "delegate",
            step_text(*ordinal, *of),
            slot_name.clone(),
            Some(people.name(for_user)),
        ),
        Task::PostRead => ("post_read", String::new(), "後閲".to_string(), None),
    };
    InboxItem {
        id: doc.id.to_string(),
        kind: doc.kind.clone(),
        kind_name: kind_name(&doc.kind, Some(&doc.state.route.table_id)),
        title: doc.title.clone(),
        amount: doc.amount.to_string(),
        amount_text: ap::yen(doc.amount),
        drafter_id: doc.state.drafter.clone(),
        drafter_name: people.name(&doc.state.drafter),
        office_code: doc.office_code.clone(),
        received_at: Some(time_text(received)),
        waiting_secs: secs_u32(waited),
        waiting_text: trail::duration_ja(waited),
        task: task_id.to_string(),
        step_text: step,
        slot_name: slot,
        for_user_name: for_user,
        flags_label: doc.state.flags.label_ja(),
        pending,
    }
}

/// Every local document on which `me` has something to do now, the longest waiting
/// first. Works offline (the cached directory and absences).
pub fn inbox_of(
    store: &mut Store,
    me: &UserInfo,
    now: DateTime<Utc>,
) -> Result<Vec<InboxItem>, AppError> {
    let people = People::load(store, Some(me))?;
    let actor = actor_of(me);
    let pending: HashSet<Uuid> = store
        .sync()
        .records_with_pending_actions()?
        .into_iter()
        .collect();
    let mut out = Vec::new();
    for r in store.sync().records_with_body_key(ap::BODY_KEY)? {
        let Some(doc) = Doc::of(&r) else { continue };
        let Some(task) = engine::task_for(
            &doc.state,
            &actor,
            &doc.office_code,
            &people.absences,
            &people.directory,
            now,
        ) else {
            continue;
        };
        out.push(item(&doc, &task, &people, pending.contains(&doc.id), now));
    }
    out.sort_by(|a, b| {
        b.waiting_secs
            .cmp(&a.waiting_secs)
            .then_with(|| a.id.cmp(&b.id))
    });
    Ok(out)
}

/// [`inbox_of`] on the shared store.
pub async fn inbox(store: &SharedStore, me: UserInfo) -> Result<Vec<InboxItem>, AppError> {
    with_store(store, move |s| inbox_of(s, &me, Utc::now())).await
}

// ---------------------------------------------------------------------------------------
// The detail

/// One slot of the route as the detail shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SlotView {
    /// 1-based 「n人目」.
    pub ordinal: u32,
    /// 「課長」.
    pub approver_name: String,
    pub done: bool,
    pub by_name: Option<String>,
    /// 「承認」 / 「代決（加藤 課長に代わり）」 / 「引上げ」.
    pub how: Option<String>,
    pub at: Option<String>,
    /// The slot is waiting now (the current step, not done).
    pub waiting: bool,
}

/// One step of the route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct StepView {
    /// 「課長」 or 「合議（経理課長・事務局審査担当）」.
    pub label: String,
    pub current: bool,
    pub slots: Vec<SlotView>,
}

/// One act of the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct HistoryView {
    pub round: u32,
    pub step_label: String,
    pub act_label: String,
    pub by_name: String,
    pub on_behalf_of_name: Option<String>,
    pub at: String,
    /// 「1日 3時間 5分」: how long it waited for this act.
    pub waited_text: String,
    pub comment: String,
}

/// An open or read 後閲.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PostReadView {
    /// 「2人目 課長」.
    pub slot_label: String,
    /// 「代決のため」 / 「引上げのため」.
    pub reason: String,
    pub owed_by_names: Vec<String>,
    pub read_by_name: Option<String>,
    pub read_at: Option<String>,
}

/// What the server last said about one of my actions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OutcomeView {
    pub record_id: String,
    pub title: String,
    /// 「承認」「差戻し」「起案」 …
    pub action_label: String,
    /// `pending`, `applied`, `conflict`, `rejected`.
    pub state: String,
    /// 送信待ち / 反映済み / 競合 / 差戻し（受付不可）.
    pub state_label: String,
    pub code: Option<String>,
    pub message: Option<String>,
    pub at: String,
}

/// A document as the approver opens it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalDetail {
    pub id: String,
    pub kind: String,
    pub kind_name: String,
    pub title: String,
    pub text: String,
    pub amount: String,
    pub amount_text: String,
    pub office_code: String,
    pub drafter_name: String,
    /// `in_progress`, `approved`, `returned`, `rejected`, `withdrawn`.
    pub status: String,
    /// 「回議中」 …
    pub status_label: String,
    pub round: u32,
    pub flags_label: String,
    pub submitted_at: String,
    pub steps: Vec<StepView>,
    pub history: Vec<HistoryView>,
    pub post_reads: Vec<PostReadView>,
    /// What I may do now: `approve`, `return`, `reject`, `delegate`, `pull_up`,
    /// `withdraw`, `post_read` (empty while an action of mine is unsent).
    pub actions: Vec<String>,
    /// For `delegate`: the absent approver I decide for.
    pub delegate_for: Option<String>,
    pub delegate_for_name: Option<String>,
    /// 「2人目 / 4人中 課長」 when it is my turn.
    pub my_step: Option<String>,
    /// The content hash of the copy shown (sent back with an action).
    pub seen_hash: String,
    /// An action of mine is unsent (送信待ち).
    pub pending: bool,
    /// The server's answer to my last action on it.
    pub last_outcome: Option<OutcomeView>,
    /// 変更起案: the record id of the decided document this one changes.
    pub amends: Option<String>,
    /// The original's 件名, if this PC has it.
    pub amends_title: Option<String>,
}

fn status_id(s: Status) -> &'static str {
    match s {
        Status::InProgress => "in_progress",
        Status::Approved => "approved",
        Status::Returned => "returned",
        Status::Rejected => "rejected",
        Status::Withdrawn => "withdrawn",
    }
}

fn how_of(filled: &Filled, people: &People) -> String {
    match filled {
        Filled::Approved => "承認".to_string(),
        Filled::Delegated { for_user } => format!("代決（{}に代わり）", people.name(for_user)),
        Filled::PulledUp => "引上げ".to_string(),
    }
}

fn steps_of(state: &ApprovalState, people: &People) -> Vec<StepView> {
    state
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let current = state.status == Status::InProgress && i == state.current_step;
            StepView {
                label: state
                    .route
                    .steps
                    .get(i)
                    .map(|st| st.label_ja())
                    .unwrap_or_default(),
                current,
                slots: s
                    .slots
                    .iter()
                    .enumerate()
                    .map(|(j, sl)| SlotView {
                        ordinal: u32_of(state.ordinal(i, j)),
                        approver_name: sl.approver.name_ja().to_string(),
                        done: sl.done.is_some(),
                        by_name: sl.done.as_ref().map(|d| people.name(&d.by)),
                        how: sl.done.as_ref().map(|d| how_of(&d.filled, people)),
                        at: sl.done.as_ref().map(|d| time_text(d.at)),
                        waiting: current && sl.done.is_none(),
                    })
                    .collect(),
            }
        })
        .collect()
}

pub(crate) fn history_of(
    doc_id: &str,
    title: &str,
    state: &ApprovalState,
    people: &People,
) -> Vec<HistoryView> {
    trail::trail(doc_id, title, state)
        .into_iter()
        .map(|r| HistoryView {
            round: r.round,
            step_label: r.step_label,
            act_label: r.act_label,
            by_name: people.name(&r.by),
            on_behalf_of_name: r.on_behalf_of.as_deref().map(|u| people.name(u)),
            at: time_text(r.at),
            waited_text: trail::duration_ja(r.waited_secs),
            comment: r.comment,
        })
        .collect()
}

fn post_reads_of(state: &ApprovalState, people: &People) -> Vec<PostReadView> {
    state
        .post_reads
        .iter()
        .map(|p| {
            let slot = state
                .steps
                .get(p.step)
                .and_then(|s| s.slots.get(p.slot))
                .map(|s| s.approver.name_ja())
                .unwrap_or("");
            PostReadView {
                slot_label: format!("{}人目 {}", state.ordinal(p.step, p.slot), slot),
                reason: match p.reason {
                    PostReadReason::Delegated => "代決のため".to_string(),
                    PostReadReason::PulledUp => "引上げのため".to_string(),
                },
                owed_by_names: p.owed_by.iter().map(|u| people.name(u)).collect(),
                read_by_name: p.read_by.as_deref().map(|u| people.name(u)),
                read_at: p.read_at.map(time_text),
            }
        })
        .collect()
}

/// Which actions `actor` may take now, each tried on the copy shown.
fn possible(
    doc: &Doc,
    actor: &ApprovalActor,
    people: &People,
    now: DateTime<Utc>,
) -> (Vec<String>, Option<String>) {
    let ctx = doc.ctx(people, now);
    let seen = doc.hash.clone();
    let delegate_for = match engine::task_for(
        &doc.state,
        actor,
        &doc.office_code,
        &people.absences,
        &people.directory,
        now,
    ) {
        Some(Task::DecideAsDelegate { for_user, .. }) => Some(for_user),
        _ => None,
    };
    let mut candidates: Vec<(&str, Action)> = vec![
        (
            "approve",
            Action::Approve {
                seen_hash: seen.clone(),
                comment: None,
            },
        ),
        (
            "return",
            Action::Return {
                seen_hash: seen.clone(),
                reason: "確認".into(),
            },
        ),
        (
            "reject",
            Action::Reject {
                seen_hash: seen.clone(),
                reason: "確認".into(),
            },
        ),
        (
            "pull_up",
            Action::PullUp {
                seen_hash: seen.clone(),
                comment: None,
            },
        ),
        ("withdraw", Action::Withdraw),
        ("post_read", Action::PostRead),
    ];
    if let Some(f) = &delegate_for {
        candidates.push((
            "delegate",
            Action::Delegate {
                seen_hash: seen.clone(),
                for_user: f.clone(),
                comment: None,
            },
        ));
    }
    let mut out: Vec<String> = candidates
        .into_iter()
        .filter(|(_, a)| engine::apply(&doc.state, actor, a, &ctx).is_ok())
        .map(|(n, _)| n.to_string())
        .collect();
    // As the delegate, 差戻し / 却下 are for the absent approver's slot too.
    if delegate_for.is_some() && !out.iter().any(|a| a == "return") {
        if let Some(absent) = delegate_for
            .as_deref()
            .and_then(|u| people.directory.iter().find(|m| m.user_id == u))
        {
            for (n, a) in [
                (
                    "return",
                    Action::Return {
                        seen_hash: seen.clone(),
                        reason: "確認".into(),
                    },
                ),
                (
                    "reject",
                    Action::Reject {
                        seen_hash: seen.clone(),
                        reason: "確認".into(),
                    },
                ),
            ] {
                if engine::apply(&doc.state, absent, &a, &ctx).is_ok() {
                    out.push(n.to_string());
                }
            }
        }
    }
    (out, delegate_for)
}

fn action_label(name: &str, payload: &serde_json::Value) -> String {
    if name == kyosai_sync_protocol::approval::SUBMIT {
        return "起案".to_string();
    }
    match payload.get("action").and_then(|a| a.as_str()).unwrap_or("") {
        "approve" => "承認",
        "delegate" => "代決",
        "pullUp" => "引上げ承認",
        "return" => "差戻し",
        "reject" => "却下",
        "withdraw" => "取下げ",
        "postRead" => "後閲",
        _ => "操作",
    }
    .to_string()
}

fn state_of_outcome(s: OutboxState) -> (&'static str, &'static str) {
    match s {
        OutboxState::Pending => ("pending", "送信待ち"),
        OutboxState::SentApplied => ("applied", "反映済み"),
        OutboxState::Conflict => ("conflict", "競合"),
        OutboxState::Rejected => ("rejected", "受け付けられませんでした"),
    }
}

fn outcomes_of(store: &mut Store, limit: usize) -> Result<Vec<OutcomeView>, AppError> {
    let rows = store.sync().approval_outcomes(limit)?;
    let mut titles: HashMap<Uuid, String> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for o in rows {
        let title = match titles.get(&o.record_id) {
            Some(t) => t.clone(),
            None => {
                let t = store
                    .sync()
                    .record(o.record_id)?
                    .map(|r| r.title)
                    .unwrap_or_default();
                titles.insert(o.record_id, t.clone());
                t
            }
        };
        let (state, label) = state_of_outcome(o.state);
        out.push(OutcomeView {
            record_id: o.record_id.to_string(),
            title,
            action_label: action_label(&o.name, &o.payload),
            state: state.to_string(),
            state_label: label.to_string(),
            code: o.code,
            message: o.message,
            at: time_text(o.updated_at),
        });
    }
    Ok(out)
}

/// The server's answers to my recent approval commands, newest first.
pub async fn outcomes(store: &SharedStore) -> Result<Vec<OutcomeView>, AppError> {
    with_store(store, |s| outcomes_of(s, 30)).await
}

pub(crate) fn load_doc(store: &mut Store, id: Uuid) -> Result<(LocalRecord, Doc), AppError> {
    let r = store.sync().record(id)?.ok_or_else(not_found)?;
    let doc = Doc::of(&r).ok_or_else(not_found)?;
    Ok((r, doc))
}

/// One document with its route, history, 後閲 and what I may do now.
pub fn detail_of(
    store: &mut Store,
    me: &UserInfo,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<ApprovalDetail, AppError> {
    let (_, doc) = load_doc(store, id)?;
    let people = People::load(store, Some(me))?;
    let actor = actor_of(me);
    let pending = store.sync().records_with_pending_actions()?.contains(&id);
    let (actions, delegate_for) = if pending {
        (Vec::new(), None)
    } else {
        possible(&doc, &actor, &people, now)
    };
    let my_step = match engine::task_for(
        &doc.state,
        &actor,
        &doc.office_code,
        &people.absences,
        &people.directory,
        now,
    ) {
        Some(Task::Decide {
            ordinal,
            of,
            slot_name,
        })
        | Some(Task::DecideAsDelegate {
            ordinal,
            of,
            slot_name,
            ..
        }) => Some(format!("{} {}", step_text(ordinal, of), slot_name)),
        _ => None,
    };
    let id_text = id.to_string();
    let last_outcome = outcomes_of(store, 200)?
        .into_iter()
        .find(|o| o.record_id == id_text);
    let s = &doc.state;
    let amends = s
        .amends
        .clone()
        .or_else(|| crate::proposals::amends_of(&doc.body));
    let amends_title = match &amends {
        Some(a) => crate::proposals::title_of(store, a)?,
        None => None,
    };
    Ok(ApprovalDetail {
        id: id_text.clone(),
        kind: doc.kind.clone(),
        kind_name: kind_name(&doc.kind, Some(&s.route.table_id)),
        title: doc.title.clone(),
        text: doc.text(),
        amount: doc.amount.to_string(),
        amount_text: ap::yen(doc.amount),
        office_code: doc.office_code.clone(),
        drafter_name: people.name(&s.drafter),
        status: status_id(s.status).to_string(),
        status_label: s.status.label_ja().to_string(),
        round: s.round,
        flags_label: s.flags.label_ja(),
        submitted_at: time_text(s.submitted_at),
        steps: steps_of(s, &people),
        history: history_of(&id_text, &doc.title, s, &people),
        post_reads: post_reads_of(s, &people),
        actions,
        delegate_for_name: delegate_for.as_deref().map(|u| people.name(u)),
        delegate_for,
        my_step,
        seen_hash: doc.hash.clone(),
        pending,
        last_outcome,
        amends,
        amends_title,
    })
}

/// [`detail_of`] on the shared store.
pub async fn detail(
    store: &SharedStore,
    me: UserInfo,
    id: &str,
) -> Result<ApprovalDetail, AppError> {
    let id = parse_id(id)?;
    with_store(store, move |s| detail_of(s, &me, id, Utc::now())).await
}

// ---------------------------------------------------------------------------------------
// Acting

/// What the approver chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ActKindDto {
    Approve,
    Return,
    Reject,
    Delegate,
    PullUp,
    Withdraw,
    PostRead,
}

/// One approval action from the screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ActRequest {
    pub id: String,
    pub kind: ActKindDto,
    /// 差戻し / 却下: required.
    pub reason: Option<String>,
    pub comment: Option<String>,
    /// 代決: the absent approver.
    pub for_user: Option<String>,
    /// The content hash of the copy the approver saw ([`ApprovalDetail::seen_hash`]).
    pub seen_hash: String,
}

fn action_of(req: &ActRequest) -> Action {
    let seen_hash = req.seen_hash.clone();
    let reason = req.reason.clone().unwrap_or_default();
    let comment = req.comment.clone().filter(|c| !c.trim().is_empty());
    match req.kind {
        ActKindDto::Approve => Action::Approve { seen_hash, comment },
        ActKindDto::Return => Action::Return { seen_hash, reason },
        ActKindDto::Reject => Action::Reject { seen_hash, reason },
        ActKindDto::Delegate => Action::Delegate {
            seen_hash,
            for_user: req.for_user.clone().unwrap_or_default(),
            comment,
        },
        ActKindDto::PullUp => Action::PullUp { seen_hash, comment },
        ActKindDto::Withdraw => Action::Withdraw,
        ActKindDto::PostRead => Action::PostRead,
    }
}

/// Tries `action` on the local copy; a refusal is returned as is. As the designated
/// delegate of an absent approver, 差戻し / 却下 are tried as that approver would.
fn try_action(
    store: &mut Store,
    me: &UserInfo,
    id: Uuid,
    action: &Action,
    now: DateTime<Utc>,
) -> Result<(Doc, Result<ApprovalState, ApprovalError>), AppError> {
    let (_, doc) = load_doc(store, id)?;
    let people = People::load(store, Some(me))?;
    let actor = actor_of(me);
    let ctx = doc.ctx(&people, now);
    let mut result = engine::apply(&doc.state, &actor, action, &ctx);
    if result.is_err() && matches!(action, Action::Return { .. } | Action::Reject { .. }) {
        if let Some(Task::DecideAsDelegate { for_user, .. }) = engine::task_for(
            &doc.state,
            &actor,
            &doc.office_code,
            &people.absences,
            &people.directory,
            now,
        ) {
            if let Some(absent) = people.directory.iter().find(|m| m.user_id == for_user) {
                if let Ok(next) = engine::apply(&doc.state, absent, action, &ctx) {
                    result = Ok(next);
                }
            }
        }
    }
    Ok((doc, result))
}

/// The audit log entry of an approval action: 承認 / 代決 / 引上げ / 後閲 are
/// `record.approve` with the mode in the detail. Comments and reasons stay in the record,
/// not in the log.
fn audit_entry_of(
    me: &UserInfo,
    doc_kind: &str,
    id: Uuid,
    action: &Action,
    now: DateTime<Utc>,
) -> kyosai_audit::NewEntry {
    use kyosai_audit::actions as audit;
    let (name, mode) = match action {
        Action::Approve { .. } => (audit::RECORD_APPROVE, Some("承認")),
        Action::Delegate { .. } => (audit::RECORD_APPROVE, Some("代決")),
        Action::PullUp { .. } => (audit::RECORD_APPROVE, Some("引上げ")),
        Action::PostRead => (audit::RECORD_APPROVE, Some("後閲")),
        Action::Return { .. } => (audit::RECORD_RETURN, None),
        Action::Reject { .. } => (audit::RECORD_REJECT, None),
        Action::Withdraw => (audit::RECORD_WITHDRAW, None),
    };
    let mut detail = serde_json::json!({ "kind": doc_kind });
    if let (Some(mode), Some(d)) = (mode, detail.as_object_mut()) {
        d.insert("mode".into(), mode.into());
    }
    if let (Action::Delegate { for_user, .. }, Some(d)) = (action, detail.as_object_mut()) {
        d.insert("forUser".into(), for_user.as_str().into());
    }
    kyosai_audit::NewEntry::now(me.user_id.clone(), name)
        .target(id.to_string())
        .detail(detail)
        .at(now)
}

/// Queues `approval.act@1` with its audit log entry, in one transaction.
fn queue(
    store: &mut Store,
    me: &UserInfo,
    doc: &Doc,
    action: &Action,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    let payload =
        serde_json::to_value(action).map_err(|e| AppError::internal("action json", &e))?;
    let entry = audit_entry_of(me, &doc.kind, doc.id, action, now);
    Ok(store.sync().record_action_audited(
        doc.id,
        kyosai_sync_protocol::approval::ACT,
        1,
        &payload,
        Some(entry),
    )?)
}

fn refuse_if_pending(store: &mut Store, id: Uuid) -> Result<(), AppError> {
    if store.sync().records_with_pending_actions()?.contains(&id) {
        return Err(AppError::new(
            "approval.pending",
            "この文書へのあなたの操作はまだ送信待ちです。同期が終わってから、結果を確認してください。",
        ));
    }
    Ok(())
}

/// Checks one action on the local copy and, if the rules allow it, queues
/// `approval.act@1`. Nothing is queued on a refusal.
pub fn act_on(
    store: &mut Store,
    me: &UserInfo,
    req: &ActRequest,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let id = parse_id(&req.id)?;
    refuse_if_pending(store, id)?;
    let action = action_of(req);
    let (doc, result) = try_action(store, me, id, &action, now)?;
    result.map_err(|e| refusal(&e))?;
    queue(store, me, &doc, &action, now)?;
    tracing::info!(record = %id, kind = ?req.kind, "approval action queued");
    Ok(())
}

/// [`act_on`] on the shared store.
pub async fn act(store: &SharedStore, me: UserInfo, req: ActRequest) -> Result<(), AppError> {
    with_store(store, move |s| act_on(s, &me, &req, Utc::now())).await
}

/// A document bulk approval could not approve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BulkFailure {
    pub id: String,
    pub title: String,
    pub message: String,
}

/// What 「選択した n 件を承認」 did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BulkResult {
    pub approved: Vec<String>,
    pub failures: Vec<BulkFailure>,
}

/// Approves each document on its own (each checked and queued separately); one refusal
/// does not stop the others.
pub fn bulk_approve_on(
    store: &mut Store,
    me: &UserInfo,
    ids: &[String],
    now: DateTime<Utc>,
) -> Result<BulkResult, AppError> {
    let mut result = BulkResult {
        approved: Vec::new(),
        failures: Vec::new(),
    };
    for id_text in ids {
        let title = parse_id(id_text)
            .ok()
            .and_then(|id| store.sync().record(id).ok().flatten())
            .map(|r| r.title)
            .unwrap_or_default();
        let one = (|| -> Result<(), AppError> {
            let id = parse_id(id_text)?;
            refuse_if_pending(store, id)?;
            let (_, doc) = load_doc(store, id)?;
            let action = Action::Approve {
                seen_hash: doc.hash.clone(),
                comment: None,
            };
            let (doc, r) = try_action(store, me, id, &action, now)?;
            r.map_err(|e| refusal(&e))?;
            queue(store, me, &doc, &action, now)?;
            Ok(())
        })();
        match one {
            Ok(()) => result.approved.push(id_text.clone()),
            Err(e) => result.failures.push(BulkFailure {
                id: id_text.clone(),
                title,
                message: e.message,
            }),
        }
    }
    tracing::info!(
        approved = result.approved.len(),
        failed = result.failures.len(),
        "bulk approval"
    );
    Ok(result)
}

/// [`bulk_approve_on`] on the shared store.
pub async fn bulk_approve(
    store: &SharedStore,
    me: UserInfo,
    ids: Vec<String>,
) -> Result<BulkResult, AppError> {
    with_store(store, move |s| bulk_approve_on(s, &me, &ids, Utc::now())).await
}

// ---------------------------------------------------------------------------------------
// The trail CSV

/// The CSV (UTF-8 with BOM, for spreadsheet software) of the documents' trails.
pub fn trail_csv_text(
    store: &mut Store,
    me: Option<&UserInfo>,
    ids: &[String],
) -> Result<String, AppError> {
    let people = People::load(store, me)?;
    let mut rows = Vec::new();
    for id_text in ids {
        let id = parse_id(id_text)?;
        let (_, doc) = load_doc(store, id)?;
        rows.extend(trail::trail(id_text, &doc.title, &doc.state));
    }
    let name_of = |u: &str| people.name(u);
    Ok(format!("\u{FEFF}{}", trail::to_csv(&rows, &name_of)))
}

/// 決裁履歴_YYYYMMDD_HHMMSS.csv (Japan time).
pub fn trail_file_name(now: DateTime<Utc>) -> String {
    format!("決裁履歴_{}.csv", ap::jst(now).format("%Y%m%d_%H%M%S"))
}

/// Writes the trail CSV into `dir` (the user's download folder) and returns its path.
pub async fn trail_csv(
    store: &SharedStore,
    me: Option<UserInfo>,
    ids: Vec<String>,
    dir: std::path::PathBuf,
) -> Result<String, AppError> {
    if ids.is_empty() {
        return Err(AppError::new(
            "approval.nothing_selected",
            "保存する文書を選んでください。",
        ));
    }
    let now = Utc::now();
    let entry = kyosai_audit::NewEntry::now(
        me.as_ref().map(|m| m.user_id.clone()).unwrap_or_default(),
        kyosai_audit::actions::EXPORT_CSV,
    )
    .detail(serde_json::json!({ "what": "approval_trail", "records": ids }))
    .at(now);
    let text = with_store(store, move |s| trail_csv_text(s, me.as_ref(), &ids)).await?;
    let path = dir.join(trail_file_name(now));
    let path = tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(&dir)
            .and_then(|_| std::fs::write(&path, text.as_bytes()))
            .map(|_| path)
    })
    .await
    .map_err(|e| AppError::internal("csv task", &e))?
    .map_err(|e| {
        AppError::new(
            "approval.csv_write",
            format!("CSVファイルを保存できませんでした（{e}）。ダウンロードフォルダの空き容量と権限を確認してください。"),
        )
    })?;
    crate::audit::record_export(
        store,
        entry.target(crate::audit::file_name(&path)),
        path.clone(),
    )
    .await?;
    Ok(path.display().to_string())
}

// ---------------------------------------------------------------------------------------
// Absences and the directory

/// A user the delegate picker offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryUserView {
    pub user_id: String,
    pub display_name: String,
    /// 「課長・決裁権者」.
    pub posts: String,
    pub office_code: Option<String>,
}

/// A registered absence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AbsenceView {
    pub id: String,
    pub user_id: String,
    pub user_name: String,
    pub delegate_id: String,
    pub delegate_name: String,
    pub from: String,
    pub until: String,
    /// My own absence (I may cancel it); otherwise I am the delegate.
    pub mine: bool,
    pub in_force: bool,
}

/// The absences and people as the 不在・代決者 section shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AbsencesView {
    pub absences: Vec<AbsenceView>,
    pub users: Vec<DirectoryUserView>,
    /// When the directory was last fetched (`None`: never; the section needs a sync).
    pub fetched_at: Option<String>,
}

fn posts_of(roles: &[WireRole], positions: &[String]) -> String {
    let mut v: Vec<String> = positions
        .iter()
        .filter_map(|p| Position::from_id(p))
        .map(|p| p.name_ja().to_string())
        .collect();
    v.extend(
        roles
            .iter()
            .filter(|r| !matches!(r, WireRole::OfficeClerk | WireRole::ItAdmin))
            .map(|r| r.name_ja().to_string()),
    );
    v.join("・")
}

/// My absences and those I am the delegate for, and the people I may name.
pub fn absences_of(
    store: &mut Store,
    me: &UserInfo,
    now: DateTime<Utc>,
) -> Result<AbsencesView, AppError> {
    let cached = load_directory(store)?;
    let people = People::load(store, Some(me))?;
    let Some(c) = cached else {
        return Ok(AbsencesView {
            absences: Vec::new(),
            users: Vec::new(),
            fetched_at: None,
        });
    };
    let mut absences: Vec<AbsenceView> = c
        .directory
        .absences
        .iter()
        .filter(|a| a.user_id == me.user_id || a.delegate_id == me.user_id)
        .filter(|a| a.until > now)
        .map(|a| AbsenceView {
            id: a.id.to_string(),
            user_id: a.user_id.clone(),
            user_name: people.name(&a.user_id),
            delegate_id: a.delegate_id.clone(),
            delegate_name: people.name(&a.delegate_id),
            from: time_text(a.from),
            until: time_text(a.until),
            mine: a.user_id == me.user_id,
            in_force: a.from <= now && now < a.until,
        })
        .collect();
    absences.sort_by(|a, b| a.from.cmp(&b.from));
    let mut users: Vec<DirectoryUserView> = c
        .directory
        .users
        .iter()
        .filter(|u| u.user_id != me.user_id)
        .map(|u| DirectoryUserView {
            user_id: u.user_id.clone(),
            display_name: u.display_name.clone(),
            posts: posts_of(&u.roles, &u.positions),
            office_code: u.office_code.clone(),
        })
        .collect();
    users.sort_by(|a, b| a.user_id.cmp(&b.user_id));
    Ok(AbsencesView {
        absences,
        users,
        fetched_at: Some(time_text(c.fetched_at)),
    })
}

/// What the absence form sends: Japan-time `YYYY-MM-DDTHH:MM` (an `<input
/// type="datetime-local">`), until exclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AbsenceInput {
    pub delegate_id: String,
    pub from: String,
    pub until: String,
}

fn parse_jst(s: &str, what: &str) -> Result<DateTime<Utc>, AppError> {
    let s = s.trim();
    let t = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default())
        })
        .map_err(|_| {
            AppError::new(
                "approval.absence_invalid",
                format!("{what}の日時を 2024-07-01 09:00 のように入力してください。"),
            )
        })?;
    Ok((t - chrono::Duration::hours(9)).and_utc())
}

/// Checks the form and turns it into the wire request.
pub fn new_absence(
    input: &AbsenceInput,
    me: &UserInfo,
    now: DateTime<Utc>,
) -> Result<kyosai_sync_protocol::approval::NewAbsence, AppError> {
    let delegate = input.delegate_id.trim();
    if delegate.is_empty() {
        return Err(AppError::new(
            "approval.absence_invalid",
            "代決者を選んでください。",
        ));
    }
    if delegate == me.user_id {
        return Err(AppError::new(
            "approval.absence_invalid",
            "自分自身を代決者にすることはできません。別の人を選んでください。",
        ));
    }
    let from = parse_jst(&input.from, "開始")?;
    let until = parse_jst(&input.until, "終了")?;
    if until <= from {
        return Err(AppError::new(
            "approval.absence_invalid",
            "終了は開始より後の日時にしてください。",
        ));
    }
    if until <= now {
        return Err(AppError::new(
            "approval.absence_invalid",
            "終了が過去の日時です。これからの不在を登録してください。",
        ));
    }
    Ok(kyosai_sync_protocol::approval::NewAbsence {
        delegate_id: delegate.to_string(),
        from,
        until,
    })
}

/// Everything an inbox count needs, for the notification after a sync.
pub fn inbox_count(store: &mut Store, me: &UserInfo) -> Result<usize, AppError> {
    Ok(inbox_of(store, me, Utc::now())?
        .iter()
        .filter(|i| !i.pending)
        .count())
}

/// Whether the record's current approval status counts as decided (for the proposals
/// screen).
pub(crate) fn last_reason(state: &ApprovalState, kind: ActKind) -> Option<String> {
    state
        .history
        .iter()
        .rev()
        .find(|a| a.kind == kind && a.round == state.round)
        .and_then(|a| a.comment.clone())
}

#[cfg(test)]
mod tests;

/// 決裁に回す / 再提出 of any document kind: checked with `engine::submit` on the document
/// as it will reach the server (the draft, if its edit is on its way), then queued as
/// `approval.submit@1`. `amends` is the decided original of a 変更起案 (the caller checks
/// it is one as far as this PC knows; the server checks again).
pub(crate) fn submit_record(
    store: &mut Store,
    me: &UserInfo,
    id: Uuid,
    flags: kyosai_domain::approval::Flags,
    amends: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    use kyosai_store::sync::DraftState;
    use kyosai_sync_protocol::approval::{Submit, SUBMIT};
    if store.sync().records_with_pending_actions()?.contains(&id) {
        return Err(AppError::new(
            "approval.pending",
            "この文書への操作はまだ送信待ちです。同期が終わってからもう一度お試しください。",
        ));
    }
    let r = store.sync().record(id)?.ok_or_else(|| {
        AppError::new(
            "request.invalid",
            "この文書が見つかりません。一覧から開き直してください。",
        )
    })?;
    if let Some(d) = &r.draft {
        if d.state != DraftState::Pending || r.revoked {
            return Err(AppError::new(
                "proposal.draft_unsettled",
                "この文書の変更がサーバーに受け付けられていません（競合・差戻し）。「競合の確認」で整理してから決裁に回してください。",
            ));
        }
    }
    let prev = r.server.as_ref().and_then(|s| ap::state_of(&s.body));
    let hash = ap::content_hash(&r.kind, &r.title, &r.body);
    let people = People::load(store, Some(me))?;
    let ctx = Context {
        now,
        today: ap::jst(now).date(),
        kind: &r.kind,
        office_code: &r.office_code,
        content_hash: &hash,
        amount_yen: ap::document_amount(&r.body),
        absences: &people.absences,
        directory: &people.directory,
        table: DecisionTable::builtin(),
    };
    engine::submit(
        prev.as_ref(),
        &actor_of(me),
        flags,
        amends.map(|u| u.to_string()),
        &ctx,
    )
    .map_err(|e| refusal(&e))?;
    let payload = serde_json::to_value(Submit {
        important: flags.important,
        unusual: flags.unusual,
        precedent: flags.precedent,
        amends,
        seen_hash: hash,
    })
    .map_err(|e| AppError::internal("submit json", &e))?;
    store.sync().record_action_audited(
        id,
        SUBMIT,
        1,
        &payload,
        Some(submit_entry(me, &r.kind, id, amends, now)),
    )?;
    tracing::info!(record = %id, kind = %r.kind, amends = amends.is_some(), "submitted for approval");
    Ok(())
}

/// The audit log entry of 決裁に回す (`record.submit`; a 変更起案 names its original).
pub(crate) fn submit_entry(
    me: &UserInfo,
    kind: &str,
    id: Uuid,
    amends: Option<Uuid>,
    now: DateTime<Utc>,
) -> kyosai_audit::NewEntry {
    let mut detail = serde_json::json!({ "kind": kind });
    if let (Some(original), Some(d)) = (amends, detail.as_object_mut()) {
        d.insert("amends".into(), original.to_string().into());
    }
    kyosai_audit::NewEntry::now(me.user_id.clone(), kyosai_audit::actions::RECORD_SUBMIT)
        .target(id.to_string())
        .detail(detail)
        .at(now)
}

/// 取下げ of any document kind by its drafter while it is in 回議 (the server decides).
pub(crate) fn withdraw_record(
    store: &mut Store,
    me: &UserInfo,
    id: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let req = ActRequest {
        id: id.to_string(),
        kind: ActKindDto::Withdraw,
        reason: None,
        comment: None,
        for_user: None,
        seen_hash: String::new(),
    };
    act_on(store, me, &req, now)
}
