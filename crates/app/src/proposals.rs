//! 起案文書 (kind `proposal`): a drafter writes a document (件名, 内容, 金額), sees who
//! will approve it while typing, and sends it round for approval (決裁に回す); after
//! 差戻し they change it and submit again, and they may withdraw it (取下げ) until it is
//! decided.
//!
//! The body is `{ "text": …, "amount": <yen> }` (and `"amends": "<record id>"` for a
//! 変更起案); the central service adds the approval state under `approval`. Submission
//! is checked first with `engine::submit` on the local copy, then sent as
//! `approval.submit@1` after the document's unsent edits.
//!
//! A decided document is immutable: a change is a new document (変更起案) that names the
//! original in `amends`. While a document is in 回議 its drafter may still change it; the
//! change is checked with `engine::content_changed` and, once the server applies it, the
//! approvals start again (round + 1, routed again for a new amount).

use chrono::{DateTime, Utc};
use kyosai_domain::approval::{
    self as ap, engine, ActKind, ApprovalState, Context, DecisionTable, Flags, Status,
};
use kyosai_store::sync::{DraftState, LocalRecord};
use kyosai_store::Store;
use kyosai_sync_client::SharedStore;
use kyosai_sync_protocol::UserInfo;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::approvals::{actor_of, kind_name, last_reason, parse_id, refusal, step_text, People};
use crate::findings::{has_errors, FindingDto};
use crate::sync::{time_text, with_store};
use crate::AppError;

/// The record kind on the wire.
pub const KIND: &str = "proposal";
const MAX_TITLE: usize = 100;
/// The body key of a 変更起案's link to the original (a record id).
pub const AMENDS_KEY: &str = "amends";
const MAX_TEXT: usize = 4_000;
/// 999,999,999,999 yen.
pub const MAX_AMOUNT: i64 = 999_999_999_999;

/// 重要 / 異例 / 先例 as the form sends them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct FlagsDto {
    pub important: bool,
    pub unusual: bool,
    pub precedent: bool,
}

impl From<FlagsDto> for Flags {
    fn from(f: FlagsDto) -> Flags {
        Flags {
            important: f.important,
            unusual: f.unusual,
            precedent: f.precedent,
        }
    }
}

impl From<Flags> for FlagsDto {
    fn from(f: Flags) -> FlagsDto {
        FlagsDto {
            important: f.important,
            unusual: f.unusual,
            precedent: f.precedent,
        }
    }
}

/// What the editor sends: no id for a new document. The amount is the text typed
/// (「1,200,000」 and full-width digits are accepted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ProposalDraft {
    pub id: Option<String>,
    pub title: String,
    pub text: String,
    pub amount: String,
    /// 変更起案: the record id of the decided document this one changes. Once stored it
    /// stays (a later save without it keeps the link).
    #[serde(default)]
    pub amends: Option<String>,
}

/// A document as the drafter's list and editor show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ProposalView {
    pub id: String,
    pub title: String,
    pub text: String,
    /// Yen as decimal digits.
    pub amount: String,
    pub amount_text: String,
    /// `draft` (never submitted), `in_progress`, `approved`, `returned`, `rejected`,
    /// `withdrawn`.
    pub status: String,
    /// 「下書き」「回議中」「決裁済み」「差戻し」「却下」「取下げ」.
    pub status_label: String,
    /// 「2人目 / 3人中 課長 の決裁待ち」, 「差戻し（理由: …）」 …
    pub where_text: String,
    /// The reason of the last 差戻し / 却下 of this round.
    pub reason: Option<String>,
    pub flags: FlagsDto,
    /// The sync label of an unsent edit (未送信 / 競合 / 差戻し …).
    pub label: Option<String>,
    /// A submission or withdrawal of mine is unsent (送信待ち).
    pub pending: bool,
    /// The content may be changed (never submitted, returned or withdrawn; or in 回議 by
    /// its drafter, which starts the approvals again).
    pub can_edit: bool,
    pub can_submit: bool,
    pub can_withdraw: bool,
    /// Decided (決裁済み / 却下): 「変更起案を作成」 is offered.
    pub can_amend: bool,
    /// 変更起案: the record id of the original.
    pub amends: Option<String>,
    /// The original's 件名, if this PC has it.
    pub amends_title: Option<String>,
    pub updated_at: Option<String>,
}

/// The route a document would take.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RoutePreview {
    /// One label per step: 「所属所長」「課長」「合議（経理課長・事務局審査担当）」.
    pub steps: Vec<String>,
    /// How many approvers in all.
    pub approvers: u32,
    /// The table's values are defaults not yet confirmed (要確認).
    pub unconfirmed: bool,
    /// Why there is no route (an amount that cannot be read …).
    pub error: Option<String>,
}

fn normalise_digits(s: &str) -> String {
    s.trim()
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | ' ' | '　' | '円'))
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            c => c,
        })
        .collect()
}

/// The amount typed, in yen: empty is 0; digits (with separators) up to
/// [`MAX_AMOUNT`].
pub fn parse_amount(s: &str) -> Result<i64, String> {
    let d = normalise_digits(s);
    if d.is_empty() {
        return Ok(0);
    }
    if !d.chars().all(|c| c.is_ascii_digit()) {
        return Err("金額は円単位の整数（数字のみ）で入力してください。".to_string());
    }
    match d.parse::<i64>() {
        Ok(n) if n <= MAX_AMOUNT => Ok(n),
        _ => Err("金額は 999,999,999,999 円以下にしてください。".to_string()),
    }
}

/// Field findings for the editor.
pub fn check(draft: &ProposalDraft) -> Vec<FindingDto> {
    let mut out = Vec::new();
    let title = draft.title.trim();
    if title.is_empty() {
        out.push(FindingDto::error(
            "title",
            "proposal.title_required",
            "件名を入力してください。",
        ));
    } else if title.chars().count() > MAX_TITLE {
        out.push(FindingDto::error(
            "title",
            "proposal.title_too_long",
            format!("件名は{MAX_TITLE}文字以内にしてください。"),
        ));
    }
    if draft.text.chars().count() > MAX_TEXT {
        out.push(FindingDto::error(
            "text",
            "proposal.text_too_long",
            format!("内容は{MAX_TEXT}文字以内にしてください。"),
        ));
    }
    if let Err(m) = parse_amount(&draft.amount) {
        out.push(FindingDto::error("amount", "proposal.amount_invalid", m));
    }
    out
}

/// The route for `amount` and `flags` if submitted today.
pub fn route_preview(amount: &str, flags: FlagsDto, now: DateTime<Utc>) -> RoutePreview {
    let table = DecisionTable::builtin();
    let today = ap::jst(now).date();
    let unconfirmed = table.at(today).is_some_and(|t| t.unconfirmed);
    let amount = match parse_amount(amount) {
        Ok(a) => a,
        Err(m) => {
            return RoutePreview {
                steps: Vec::new(),
                approvers: 0,
                unconfirmed,
                error: Some(m),
            }
        }
    };
    match table.route(today, KIND, amount, flags.into()) {
        Ok(r) => RoutePreview {
            steps: r.steps.iter().map(|s| s.label_ja()).collect(),
            approvers: u32::try_from(r.slot_count()).unwrap_or(u32::MAX),
            unconfirmed,
            error: None,
        },
        Err(e) => RoutePreview {
            steps: Vec::new(),
            approvers: 0,
            unconfirmed,
            error: Some(e.to_string()),
        },
    }
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

/// 「2人目 / 3人中 課長 の決裁待ち」 for a document in 回議.
fn waiting_text(state: &ApprovalState) -> String {
    let Some(step) = state.steps.get(state.current_step) else {
        return String::new();
    };
    let pending: Vec<(usize, &str)> = step
        .slots
        .iter()
        .enumerate()
        .filter(|(_, s)| s.done.is_none())
        .map(|(j, s)| (j, s.approver.name_ja()))
        .collect();
    let Some((first, _)) = pending.first() else {
        return String::new();
    };
    let names: Vec<&str> = pending.iter().map(|(_, n)| *n).collect();
    format!(
        "{} {} の決裁待ち",
        step_text(
            state.ordinal(state.current_step, *first),
            state.route.slot_count()
        ),
        names.join("・")
    )
}

/// 変更起案: the original's record id, from the content (or the server's approval state).
pub(crate) fn amends_of(body: &serde_json::Value) -> Option<String> {
    body.get(AMENDS_KEY)
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .or_else(|| ap::state_of(body).and_then(|s| s.amends))
}

/// The 件名 of the record `id`, if this PC has it.
pub(crate) fn title_of(store: &mut Store, id: &str) -> Result<Option<String>, AppError> {
    let Ok(id) = Uuid::parse_str(id) else {
        return Ok(None);
    };
    Ok(store.sync().record(id)?.map(|r| r.title))
}

fn view(r: &LocalRecord, pending: bool, me: &str, amends_title: Option<String>) -> ProposalView {
    let state = r.server.as_ref().and_then(|s| ap::state_of(&s.body));
    let status = state.as_ref().map(|s| s.status);
    let amends = amends_of(&r.body).or_else(|| r.server.as_ref().and_then(|s| amends_of(&s.body)));
    let reason = state.as_ref().and_then(|s| match s.status {
        Status::Returned => last_reason(s, ActKind::Return),
        Status::Rejected => last_reason(s, ActKind::Reject),
        _ => None,
    });
    let where_text = match (&state, status) {
        (_, None) => "起案前（下書き）".to_string(),
        (Some(s), Some(Status::InProgress)) => waiting_text(s),
        (_, Some(Status::Approved)) => "決裁済み".to_string(),
        (_, Some(Status::Returned)) => match &reason {
            Some(r) => format!("差戻し（理由: {r}）"),
            None => "差戻し".to_string(),
        },
        (_, Some(Status::Rejected)) => match &reason {
            Some(r) => format!("却下（理由: {r}）"),
            None => "却下".to_string(),
        },
        (_, Some(Status::Withdrawn)) => "取下げ".to_string(),
        (None, Some(_)) => String::new(),
    };
    let open = matches!(
        status,
        None | Some(Status::Returned) | Some(Status::Withdrawn)
    );
    let my_round =
        status == Some(Status::InProgress) && state.as_ref().is_some_and(|s| s.drafter == me);
    let settled_draft = r
        .draft
        .as_ref()
        .is_some_and(|d| d.state != DraftState::Pending || r.revoked);
    let amount = ap::document_amount(&r.body);
    ProposalView {
        id: r.id.to_string(),
        title: r.title.clone(),
        text: r
            .body
            .get("text")
            .and_then(|t| t.as_str())
            .unwrap_or_default()
            .to_string(),
        amount: amount.to_string(),
        amount_text: ap::yen(amount),
        status: status_id(status).to_string(),
        status_label: status.map_or("下書き", |s| s.label_ja()).to_string(),
        where_text,
        reason,
        flags: state.as_ref().map(|s| s.flags.into()).unwrap_or_default(),
        label: r.label.clone(),
        pending,
        can_edit: (open || my_round) && !pending,
        can_submit: open && !pending && !settled_draft,
        can_withdraw: status == Some(Status::InProgress) && !pending,
        can_amend: status.is_some_and(Status::is_decided) && !pending,
        amends,
        amends_title,
        updated_at: r
            .draft
            .as_ref()
            .and_then(|d| d.updated_at)
            .or_else(|| r.server.as_ref().and_then(|s| s.updated_at))
            .map(time_text),
    }
}

fn mine(r: &LocalRecord, me: &str) -> bool {
    match &r.server {
        None => true,
        Some(s) => {
            ap::state_of(&s.body).is_some_and(|st| st.drafter == me)
                || s.created_by.as_deref() == Some(me)
                || (s.created_by.is_none() && r.draft.is_some())
        }
    }
}

fn pending_ids(store: &mut Store) -> Result<Vec<Uuid>, AppError> {
    Ok(store.sync().records_with_pending_actions()?)
}

fn view_of(
    store: &mut Store,
    r: &LocalRecord,
    pending: bool,
    me: &str,
) -> Result<ProposalView, AppError> {
    let amends = amends_of(&r.body).or_else(|| r.server.as_ref().and_then(|s| amends_of(&s.body)));
    let title = match amends {
        Some(a) => title_of(store, &a)?,
        None => None,
    };
    Ok(view(r, pending, me, title))
}

/// My documents (drafts and submitted), unconfirmed ones first.
pub fn list_of(store: &mut Store, me: &str) -> Result<Vec<ProposalView>, AppError> {
    let pending = pending_ids(store)?;
    let records = store.sync().list_records(KIND)?;
    records
        .iter()
        .filter(|r| mine(r, me))
        .map(|r| view_of(store, r, pending.contains(&r.id), me))
        .collect()
}

/// [`list_of`] on the shared store.
pub async fn list(store: &SharedStore, me: String) -> Result<Vec<ProposalView>, AppError> {
    with_store(store, move |s| list_of(s, &me)).await
}

fn one(store: &mut Store, id: Uuid, me: &str) -> Result<ProposalView, AppError> {
    let pending = pending_ids(store)?.contains(&id);
    let r = store
        .sync()
        .record(id)?
        .ok_or_else(|| AppError::internal("proposal missing", &id))?;
    view_of(store, &r, pending, me)
}

fn bad_original() -> AppError {
    AppError::new(
        "proposal.amends_invalid",
        "変更の元になる決裁済みの文書がこのPCにありません。同期してから、元の文書を開いて「変更起案を作成」を押し直してください。",
    )
}

/// 変更起案: the original must be another document, decided, as far as this PC knows.
/// With `required`, it must be on this PC (when the link is first made).
fn check_original(
    store: &mut Store,
    this: Option<Uuid>,
    original: &str,
    required: bool,
) -> Result<Uuid, AppError> {
    let id = Uuid::parse_str(original).map_err(|_| bad_original())?;
    if Some(id) == this {
        return Err(bad_original());
    }
    match store.sync().record(id)? {
        None if required => Err(bad_original()),
        None => Ok(id),
        Some(r) => {
            let decided = r
                .server
                .as_ref()
                .and_then(|s| ap::state_of(&s.body))
                .is_some_and(|s| s.status.is_decided());
            if decided {
                Ok(id)
            } else {
                Err(AppError::new(
                    "proposal.amends_invalid",
                    "変更起案は決裁済みの文書についてだけ作成できます。元の文書がまだ決裁されていない場合は、その文書を取下げて直してください。",
                ))
            }
        }
    }
}

fn not_signed_in() -> AppError {
    AppError::new(
        "auth.not_signed_in",
        "回議中の文書を変更するにはサインインが必要です。「サインイン」からサインインしてください。",
    )
}

/// Saves the document locally (the draft and its outbox command in one transaction).
///
/// A document in 回議 may be changed by its drafter (`me`): the change is checked with
/// `engine::content_changed` on the server's copy, and the server starts the approvals
/// again when it applies it. A decided document is refused (変更起案 instead).
pub fn save_on(
    store: &mut Store,
    draft: &ProposalDraft,
    office_code: Option<String>,
    me: Option<&UserInfo>,
    now: DateTime<Utc>,
) -> Result<ProposalView, AppError> {
    let findings = check(draft);
    if has_errors(&findings) {
        return Err(AppError::validation(&findings));
    }
    let amount = parse_amount(&draft.amount).unwrap_or(0);
    let title = draft.title.trim().to_string();
    let mut body = serde_json::json!({ "text": draft.text, "amount": amount });
    let wanted = draft
        .amends
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty());
    let me_id = me.map(|m| m.user_id.clone()).unwrap_or_default();
    let id = match &draft.id {
        Some(id) => {
            let id = parse_id(id)?;
            let r = store.sync().record(id)?.ok_or_else(|| {
                AppError::new(
                    "request.invalid",
                    "この文書が見つかりません。一覧から開き直してください。",
                )
            })?;
            // The link to the original is kept once made.
            let amends = match amends_of(&r.body) {
                Some(a) => Some(a),
                None => match wanted {
                    Some(a) => Some(check_original(store, Some(id), a, true)?.to_string()),
                    None => None,
                },
            };
            if let Some(a) = amends {
                body[AMENDS_KEY] = serde_json::Value::String(a);
            }
            let state = r.server.as_ref().and_then(|s| ap::state_of(&s.body));
            match state.as_ref().map(|s| s.status) {
                Some(Status::InProgress) => {
                    let me = me.ok_or_else(not_signed_in)?;
                    let state = state.as_ref().ok_or_else(not_signed_in)?;
                    let hash = ap::content_hash(&r.kind, &title, &body);
                    let people = People::load(store, Some(me))?;
                    let ctx = Context {
                        now,
                        today: ap::jst(now).date(),
                        kind: &r.kind,
                        office_code: &r.office_code,
                        content_hash: &hash,
                        amount_yen: amount,
                        absences: &people.absences,
                        directory: &people.directory,
                        table: DecisionTable::builtin(),
                    };
                    engine::content_changed(state, &actor_of(me), &ctx).map_err(|e| refusal(&e))?;
                }
                Some(Status::Approved | Status::Rejected) => {
                    return Err(refusal(&ap::ApprovalError::Decided))
                }
                _ => {}
            }
            // The approval state is the server's: keep it out of the content sent.
            store.sync().record_update_local(id, &title, &body)?;
            id
        }
        None => {
            if let Some(a) = wanted {
                body[AMENDS_KEY] =
                    serde_json::Value::String(check_original(store, None, a, true)?.to_string());
            }
            let office = office_code.ok_or_else(|| {
                AppError::new(
                    "proposal.office_unknown",
                    "所属所が分かりません。サインインするか、「設定」で所属所番号を入力してください。",
                )
            })?;
            store
                .sync()
                .record_create_local(KIND, &office, &title, &body)?
                .0
        }
    };
    if draft.id.is_some() {
        tracing::info!(record = %id, "proposal changed");
    }
    one(store, id, &me_id)
}

/// [`save_on`] on the shared store.
pub async fn save(
    store: &SharedStore,
    draft: ProposalDraft,
    office_code: Option<String>,
    me: Option<UserInfo>,
) -> Result<ProposalView, AppError> {
    with_store(store, move |s| {
        save_on(s, &draft, office_code, me.as_ref(), Utc::now())
    })
    .await
}

/// 決裁に回す / 再提出: checked with `engine::submit` on the document as it will reach
/// the server (the draft, if its edit is on its way), then `approval.submit@1`.
pub fn submit_on(
    store: &mut Store,
    me: &UserInfo,
    id: &str,
    flags: FlagsDto,
    now: DateTime<Utc>,
) -> Result<ProposalView, AppError> {
    let id = parse_id(id)?;
    let amends = match store.sync().record(id)?.and_then(|r| amends_of(&r.body)) {
        Some(a) => Some(check_original(store, Some(id), &a, false)?),
        None => None,
    };
    crate::approvals::submit_record(store, me, id, flags.into(), amends, now)?;
    tracing::info!(record = %id, amends = amends.is_some(), "proposal submitted");
    one(store, id, &me.user_id)
}

/// [`submit_on`] on the shared store.
pub async fn submit(
    store: &SharedStore,
    me: UserInfo,
    id: String,
    flags: FlagsDto,
) -> Result<ProposalView, AppError> {
    with_store(store, move |s| submit_on(s, &me, &id, flags, Utc::now())).await
}

/// 取下げ (the drafter, while in 回議).
pub fn withdraw_on(
    store: &mut Store,
    me: &UserInfo,
    id: &str,
    now: DateTime<Utc>,
) -> Result<ProposalView, AppError> {
    crate::approvals::withdraw_record(store, me, id, now)?;
    one(store, parse_id(id)?, &me.user_id)
}

/// [`withdraw_on`] on the shared store.
pub async fn withdraw(
    store: &SharedStore,
    me: UserInfo,
    id: String,
) -> Result<ProposalView, AppError> {
    with_store(store, move |s| withdraw_on(s, &me, &id, Utc::now())).await
}

/// The kind's name (「起案文書」).
pub fn name() -> String {
    kind_name(KIND, None)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn amounts_accept_separators_and_full_width_digits() {
        assert_eq!(parse_amount(""), Ok(0));
        assert_eq!(parse_amount("1,200,000"), Ok(1_200_000));
        assert_eq!(
            parse_amount("１２０万"),
            Err("金額は円単位の整数（数字のみ）で入力してください。".into())
        );
        assert_eq!(parse_amount("３００００円"), Ok(30_000));
        assert_eq!(parse_amount("999999999999"), Ok(MAX_AMOUNT));
        assert!(parse_amount("1000000000000").is_err());
        assert!(parse_amount("-5").is_err());
        assert!(parse_amount("12.5").is_err());
    }

    #[test]
    fn findings_name_their_fields() {
        let d = ProposalDraft {
            id: None,
            title: " ".into(),
            text: "あ".repeat(4_001),
            amount: "abc".into(),
            amends: None,
        };
        let f = check(&d);
        let fields: Vec<&str> = f.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, vec!["title", "text", "amount"]);
        let ok = ProposalDraft {
            id: None,
            title: "あ".repeat(100),
            text: "あ".repeat(4_000),
            amount: "0".into(),
            amends: None,
        };
        assert!(check(&ok).is_empty());
    }

    #[test]
    fn the_preview_follows_the_amount_and_the_flags() {
        let now = chrono::TimeZone::with_ymd_and_hms(&Utc, 2024, 6, 3, 1, 0, 0).unwrap();
        let p = route_preview("300,000", FlagsDto::default(), now);
        assert_eq!(p.steps, vec!["所属所長", "決裁者"]);
        assert!(p.unconfirmed);
        let p = route_preview("2,000,000", FlagsDto::default(), now);
        assert_eq!(p.steps, vec!["所属所長", "課長", "部長"]);
        let p = route_preview(
            "300,000",
            FlagsDto {
                important: true,
                ..FlagsDto::default()
            },
            now,
        );
        assert_eq!(p.steps.len(), 5);
        assert_eq!(p.approvers, 6);
        assert!(p
            .steps
            .contains(&"合議（経理課長・事務局審査担当）".to_string()));
        let p = route_preview("abc", FlagsDto::default(), now);
        assert!(p.error.is_some());
    }
}
