//! The approval state of one document and the actions that move it.
//!
//! [`submit`] freezes a route into a new [`ApprovalState`]; [`apply`] takes one
//! [`Action`] by one [`ApprovalActor`] and returns the next state or the reason it is
//! refused. Nothing here reads a clock or a database: the caller passes the time, the
//! document's current content hash and amount, the registered absences and the directory
//! of users in a [`Context`]. The central service calls these functions to decide; the
//! app calls the same ones to show what is possible.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::route::{Approver, DecisionTable, Flags, FrozenRoute, Position};
use super::ApprovalError;
use crate::acquisition::workflow::Role;

/// A user as the approval rules see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalActor {
    pub user_id: String,
    pub roles: Vec<Role>,
    #[serde(default)]
    pub positions: Vec<Position>,
    /// `None` for secretariat staff (no office).
    pub office_code: Option<String>,
}

impl ApprovalActor {
    /// Whether this user may fill `slot` on a document of `doc_office`.
    pub fn fills(&self, slot: Approver, doc_office: &str) -> bool {
        match slot {
            Approver::Role(Role::OfficeHead) => {
                self.roles.contains(&Role::OfficeHead)
                    && self.office_code.as_deref() == Some(doc_office)
            }
            Approver::Role(r @ (Role::SecretariatReviewer | Role::Approver)) => {
                self.roles.contains(&r)
            }
            Approver::Role(Role::OfficeClerk | Role::ItAdmin) => false,
            Approver::Position(p) => self.positions.contains(&p),
        }
    }
}

/// A registered absence: while it lasts, `delegate_id` may decide (代決) in place of
/// `user_id`, and a later approver may pull the document up (引上げ) past `user_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Absence {
    pub user_id: String,
    pub delegate_id: String,
    /// From (inclusive).
    pub from: DateTime<Utc>,
    /// Until (exclusive).
    pub until: DateTime<Utc>,
}

impl Absence {
    /// Whether the absence is in force at `now`.
    pub fn covers(&self, now: DateTime<Utc>) -> bool {
        self.from <= now && now < self.until
    }
}

/// What the rules need to know besides the state and the actor.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub now: DateTime<Utc>,
    /// Today in Japan (the day a submission is routed by).
    pub today: NaiveDate,
    /// The document's kind and office.
    pub kind: &'a str,
    pub office_code: &'a str,
    /// [`super::content_hash`] of the document as it is now.
    pub content_hash: &'a str,
    /// The document's amount as it is now (0 when it has none).
    pub amount_yen: i64,
    /// Registered absences (any; only those in force at `now` count).
    pub absences: &'a [Absence],
    /// The users who may hold slots (for 代決 and 引上げ).
    pub directory: &'a [ApprovalActor],
    pub table: &'a DecisionTable,
}

impl Context<'_> {
    fn absent(&self, user_id: &str) -> bool {
        self.absences
            .iter()
            .any(|a| a.user_id == user_id && a.covers(self.now))
    }

    fn member(&self, user_id: &str) -> Option<&ApprovalActor> {
        self.directory.iter().find(|m| m.user_id == user_id)
    }
}

/// Where a document stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 回議中: waiting for the current step.
    InProgress,
    /// 決裁済み (final; immutable).
    Approved,
    /// 差戻し: back with the drafter, who may change it and submit again.
    Returned,
    /// 却下 (final; immutable).
    Rejected,
    /// 取下げ by the drafter; may be submitted again.
    Withdrawn,
}

impl Status {
    /// Decided documents are immutable.
    pub fn is_decided(self) -> bool {
        matches!(self, Status::Approved | Status::Rejected)
    }

    /// 「回議中」 …
    pub fn label_ja(self) -> &'static str {
        match self {
            Status::InProgress => "回議中",
            Status::Approved => "決裁済み",
            Status::Returned => "差戻し",
            Status::Rejected => "却下",
            Status::Withdrawn => "取下げ",
        }
    }

    /// The record state the central service stores for it.
    pub fn record_state(self) -> &'static str {
        match self {
            Status::InProgress => "in_approval",
            Status::Approved => "approved",
            Status::Returned => "returned",
            Status::Rejected => "rejected",
            Status::Withdrawn => "withdrawn",
        }
    }
}

/// How a slot was filled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "how")]
pub enum Filled {
    /// 承認 by the slot's own holder.
    Approved,
    /// 代決 by the designated delegate of `for_user`, who was absent.
    Delegated { for_user: String },
    /// 引上げ: a later approver decided past this slot, whose holders were absent.
    PulledUp,
}

/// A filled slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SlotDone {
    /// Who acted (for 引上げ: the later approver).
    pub by: String,
    #[serde(flatten)]
    pub filled: Filled,
    pub at: DateTime<Utc>,
}

/// One slot of the frozen route and its state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SlotState {
    pub approver: Approver,
    pub done: Option<SlotDone>,
}

/// One step of the frozen route and its slots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepState {
    pub slots: Vec<SlotState>,
}

impl StepState {
    fn complete(&self) -> bool {
        self.slots.iter().all(|s| s.done.is_some())
    }
}

/// Why someone owes a 後閲.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostReadReason {
    /// Their slot was passed by 引上げ.
    PulledUp,
    /// Their delegate decided in their place (代決).
    Delegated,
}

/// A 後閲: a user (any one of `owed_by`) must read the document after the fact. It stays
/// open until read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostRead {
    pub round: u32,
    pub step: usize,
    pub slot: usize,
    pub reason: PostReadReason,
    pub owed_by: Vec<String>,
    pub read_by: Option<String>,
    pub read_at: Option<DateTime<Utc>>,
}

impl PostRead {
    pub fn is_open(&self) -> bool {
        self.read_at.is_none()
    }
}

/// What happened, for the approval history and the trail report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActKind {
    /// 起案 (submission; round 1) or 再提出.
    Submit,
    /// 承認.
    Approve,
    /// 代決.
    Delegate,
    /// 引上げ (the actor's own approval, passing earlier slots).
    PullUp,
    /// 差戻し.
    Return,
    /// 却下.
    Reject,
    /// 取下げ.
    Withdraw,
    /// 後閲.
    PostRead,
    /// The drafter changed the content during 回議: approvals start again.
    Reset,
}

impl ActKind {
    /// 「承認」 …
    pub fn label_ja(self) -> &'static str {
        match self {
            ActKind::Submit => "起案",
            ActKind::Approve => "承認",
            ActKind::Delegate => "代決",
            ActKind::PullUp => "引上げ承認",
            ActKind::Return => "差戻し",
            ActKind::Reject => "却下",
            ActKind::Withdraw => "取下げ",
            ActKind::PostRead => "後閲",
            ActKind::Reset => "内容変更（承認をやり直し）",
        }
    }
}

/// One entry of the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Act {
    pub kind: ActKind,
    pub round: u32,
    pub by: String,
    /// 代決: the approver the delegate acted for.
    pub on_behalf_of: Option<String>,
    /// The step (0-based) the act was on, when it was on one.
    pub step: Option<usize>,
    pub comment: Option<String>,
    /// The content hash the actor saw.
    pub content_hash: String,
    pub at: DateTime<Utc>,
}

/// The approval of one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalState {
    pub status: Status,
    /// 1 at the first submission; +1 at each resubmission or reset.
    pub round: u32,
    pub route: FrozenRoute,
    pub flags: Flags,
    pub drafter: String,
    /// When the current round started.
    pub submitted_at: DateTime<Utc>,
    /// The content the current round approves.
    pub content_hash: String,
    pub amount_yen: i64,
    /// The step being decided (== `steps.len()` once approved).
    pub current_step: usize,
    pub steps: Vec<StepState>,
    #[serde(default)]
    pub post_reads: Vec<PostRead>,
    #[serde(default)]
    pub history: Vec<Act>,
    /// 変更起案: the record id of the decided document this one changes.
    #[serde(default)]
    pub amends: Option<String>,
    /// When the document was decided (approved or rejected).
    #[serde(default)]
    pub decided_at: Option<DateTime<Utc>>,
}

/// One action on a document under approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "action")]
pub enum Action {
    /// 承認.
    Approve {
        seen_hash: String,
        comment: Option<String>,
    },
    /// 代決 in place of `for_user`.
    Delegate {
        seen_hash: String,
        for_user: String,
        comment: Option<String>,
    },
    /// 引上げ: approve the actor's later slot, passing earlier slots whose holders are
    /// absent.
    PullUp {
        seen_hash: String,
        comment: Option<String>,
    },
    /// 差戻し (reason required).
    Return { seen_hash: String, reason: String },
    /// 却下 (reason required).
    Reject { seen_hash: String, reason: String },
    /// 取下げ (the drafter, until decided).
    Withdraw,
    /// 後閲.
    PostRead,
}

fn steps_for(route: &FrozenRoute) -> Vec<StepState> {
    route
        .steps
        .iter()
        .map(|s| StepState {
            slots: s
                .slots
                .iter()
                .map(|a| SlotState {
                    approver: *a,
                    done: None,
                })
                .collect(),
        })
        .collect()
}

/// 起案 / 再提出: freezes the route the decision table gives today and starts round 1
/// (or the next round after 差戻し / 取下げ).
pub fn submit(
    prev: Option<&ApprovalState>,
    actor: &ApprovalActor,
    flags: Flags,
    amends: Option<String>,
    ctx: &Context<'_>,
) -> Result<ApprovalState, ApprovalError> {
    if let Some(p) = prev {
        match p.status {
            Status::Returned | Status::Withdrawn => {}
            Status::InProgress => return Err(ApprovalError::AlreadySubmitted),
            Status::Approved | Status::Rejected => return Err(ApprovalError::Decided),
        }
        if p.drafter != actor.user_id {
            return Err(ApprovalError::NotDrafter);
        }
    }
    let route = ctx
        .table
        .route(ctx.today, ctx.kind, ctx.amount_yen, flags)?;
    let round = prev.map_or(1, |p| p.round + 1);
    let mut history = prev.map(|p| p.history.clone()).unwrap_or_default();
    history.push(Act {
        kind: ActKind::Submit,
        round,
        by: actor.user_id.clone(),
        on_behalf_of: None,
        step: None,
        comment: None,
        content_hash: ctx.content_hash.to_string(),
        at: ctx.now,
    });
    Ok(ApprovalState {
        status: Status::InProgress,
        round,
        steps: steps_for(&route),
        route,
        flags,
        drafter: actor.user_id.clone(),
        submitted_at: ctx.now,
        content_hash: ctx.content_hash.to_string(),
        amount_yen: ctx.amount_yen,
        current_step: 0,
        post_reads: prev.map(|p| p.post_reads.clone()).unwrap_or_default(),
        history,
        amends: amends.or_else(|| prev.and_then(|p| p.amends.clone())),
        decided_at: None,
    })
}

/// The drafter changed the content (title, body, amount) while it was being decided: the
/// approvals given so far no longer hold. The route is chosen again for the new amount
/// from the table version frozen at submission, and the round starts again from the
/// first step. Decided documents are immutable ([`ApprovalError::Decided`]); after
/// 差戻し / 取下げ the content may change freely (the next [`submit`] starts a round).
pub fn content_changed(
    state: &ApprovalState,
    actor: &ApprovalActor,
    ctx: &Context<'_>,
) -> Result<ApprovalState, ApprovalError> {
    match state.status {
        Status::Approved | Status::Rejected => return Err(ApprovalError::Decided),
        Status::Returned | Status::Withdrawn => return Ok(state.clone()),
        Status::InProgress => {}
    }
    if actor.user_id != state.drafter {
        return Err(ApprovalError::NotDrafter);
    }
    if ctx.content_hash == state.content_hash && ctx.amount_yen == state.amount_yen {
        return Ok(state.clone());
    }
    let table = ctx
        .table
        .by_id(&state.route.table_id)
        .ok_or(ApprovalError::NoTable)?;
    let route = table.route(ctx.kind, ctx.amount_yen, state.flags)?;
    let mut next = state.clone();
    next.round += 1;
    next.steps = steps_for(&route);
    next.route = route;
    next.current_step = 0;
    next.submitted_at = ctx.now;
    let comment = (ctx.amount_yen != state.amount_yen).then(|| {
        format!(
            "金額変更 {}円 → {}円",
            crate::approval::yen(state.amount_yen),
            crate::approval::yen(ctx.amount_yen)
        )
    });
    next.content_hash = ctx.content_hash.to_string();
    next.amount_yen = ctx.amount_yen;
    next.history.push(Act {
        kind: ActKind::Reset,
        round: next.round,
        by: actor.user_id.clone(),
        on_behalf_of: None,
        step: None,
        comment,
        content_hash: ctx.content_hash.to_string(),
        at: ctx.now,
    });
    Ok(next)
}

fn reason_of(reason: &str) -> Result<String, ApprovalError> {
    let r = reason.trim();
    if r.is_empty() {
        Err(ApprovalError::ReasonRequired)
    } else if r.chars().count() > 1000 {
        Err(ApprovalError::ReasonTooLong)
    } else {
        Ok(r.to_string())
    }
}

fn comment_of(c: &Option<String>) -> Result<Option<String>, ApprovalError> {
    match c.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(c) if c.chars().count() > 1000 => Err(ApprovalError::ReasonTooLong),
        Some(c) => Ok(Some(c.to_string())),
    }
}

impl ApprovalState {
    /// Whether `user` already filled a slot (or was acted for) in the current round.
    pub fn has_acted(&self, user: &str) -> bool {
        self.steps.iter().flat_map(|s| &s.slots).any(|s| {
            s.done.as_ref().is_some_and(|d| {
                (d.by == user && d.filled != Filled::PulledUp)
                    || matches!(&d.filled, Filled::Delegated { for_user } if for_user == user)
            })
        })
    }

    /// The pending slot of the current step that `who` fills, if any.
    fn pending_slot_for(&self, who: &ApprovalActor, office: &str) -> Option<usize> {
        let step = self.steps.get(self.current_step)?;
        step.slots
            .iter()
            .position(|s| s.done.is_none() && who.fills(s.approver, office))
    }

    /// Why `who` cannot act on the current step: already handled by someone else (a
    /// conflict), not yet their turn, or not theirs at all.
    fn why_not(&self, who: &ApprovalActor, office: &str) -> ApprovalError {
        let earlier_or_now = self
            .steps
            .iter()
            .take(self.current_step + 1)
            .flat_map(|s| &s.slots)
            .any(|s| s.done.is_some() && who.fills(s.approver, office));
        if earlier_or_now {
            return ApprovalError::AlreadyHandled;
        }
        let later = self
            .steps
            .iter()
            .skip(self.current_step + 1)
            .flat_map(|s| &s.slots)
            .any(|s| s.done.is_none() && who.fills(s.approver, office));
        if later {
            ApprovalError::NotYourTurn
        } else {
            ApprovalError::NotPermitted
        }
    }

    fn advance(&mut self, now: DateTime<Utc>) {
        while self
            .steps
            .get(self.current_step)
            .is_some_and(StepState::complete)
        {
            self.current_step += 1;
        }
        if self.current_step >= self.steps.len() {
            self.status = Status::Approved;
            self.decided_at = Some(now);
        }
    }

    /// The flattened ordinal (1-based) of a slot: the 「n人目」.
    pub fn ordinal(&self, step: usize, slot: usize) -> usize {
        self.steps
            .iter()
            .take(step)
            .map(|s| s.slots.len())
            .sum::<usize>()
            + slot
            + 1
    }

    /// Open 後閲 that `user` owes.
    pub fn open_post_reads_for<'a>(&'a self, user: &'a str) -> impl Iterator<Item = &'a PostRead> {
        self.post_reads
            .iter()
            .filter(move |p| p.is_open() && p.owed_by.iter().any(|u| u == user))
    }
}

/// Applies one action. Errors say why it is refused; [`ApprovalError::is_conflict`]
/// tells a conflict (someone else acted first, or the content changed since the actor
/// saw it) from a refusal.
pub fn apply(
    state: &ApprovalState,
    actor: &ApprovalActor,
    action: &Action,
    ctx: &Context<'_>,
) -> Result<ApprovalState, ApprovalError> {
    let office = ctx.office_code;
    if let Action::PostRead = action {
        let mut next = state.clone();
        let mut any = false;
        for p in next.post_reads.iter_mut() {
            if p.is_open() && p.owed_by.contains(&actor.user_id) {
                p.read_by = Some(actor.user_id.clone());
                p.read_at = Some(ctx.now);
                any = true;
            }
        }
        if !any {
            return Err(ApprovalError::NothingToRead);
        }
        next.history.push(Act {
            kind: ActKind::PostRead,
            round: next.round,
            by: actor.user_id.clone(),
            on_behalf_of: None,
            step: None,
            comment: None,
            content_hash: ctx.content_hash.to_string(),
            at: ctx.now,
        });
        return Ok(next);
    }
    if let Action::Withdraw = action {
        if actor.user_id != state.drafter {
            return Err(ApprovalError::NotDrafter);
        }
        return match state.status {
            Status::InProgress => {
                let mut next = state.clone();
                next.status = Status::Withdrawn;
                next.history.push(Act {
                    kind: ActKind::Withdraw,
                    round: next.round,
                    by: actor.user_id.clone(),
                    on_behalf_of: None,
                    step: None,
                    comment: None,
                    content_hash: ctx.content_hash.to_string(),
                    at: ctx.now,
                });
                Ok(next)
            }
            Status::Approved | Status::Rejected => Err(ApprovalError::Decided),
            Status::Returned | Status::Withdrawn => Err(ApprovalError::NotInProgress),
        };
    }

    // Every remaining action decides on the current step.
    if state.status != Status::InProgress {
        return Err(ApprovalError::AlreadyHandled);
    }
    let seen = action.seen_hash().unwrap_or_default();
    if seen != ctx.content_hash || seen != state.content_hash {
        return Err(ApprovalError::ContentChanged);
    }
    if actor.user_id == state.drafter {
        return Err(ApprovalError::SelfApproval);
    }

    let mut next = state.clone();
    let step_no = state.current_step;
    let act = |kind, on_behalf_of: Option<String>, step, comment| Act {
        kind,
        round: state.round,
        by: actor.user_id.clone(),
        on_behalf_of,
        step: Some(step),
        comment,
        content_hash: ctx.content_hash.to_string(),
        at: ctx.now,
    };
    match action {
        Action::Approve { comment, .. } => {
            let comment = comment_of(comment)?;
            let Some(slot) = state.pending_slot_for(actor, office) else {
                return Err(state.why_not(actor, office));
            };
            if state.has_acted(&actor.user_id) {
                return Err(ApprovalError::AlreadyActed);
            }
            next.steps[step_no].slots[slot].done = Some(SlotDone {
                by: actor.user_id.clone(),
                filled: Filled::Approved,
                at: ctx.now,
            });
            next.history
                .push(act(ActKind::Approve, None, step_no, comment));
            next.advance(ctx.now);
        }
        Action::Delegate {
            for_user, comment, ..
        } => {
            let comment = comment_of(comment)?;
            if for_user == &state.drafter {
                return Err(ApprovalError::SelfApproval);
            }
            if for_user == &actor.user_id {
                return Err(ApprovalError::NotDelegate);
            }
            let in_force: Vec<&Absence> = ctx
                .absences
                .iter()
                .filter(|a| &a.user_id == for_user && a.covers(ctx.now))
                .collect();
            if in_force.is_empty() {
                return Err(ApprovalError::NotAbsent);
            }
            if !in_force.iter().any(|a| a.delegate_id == actor.user_id) {
                return Err(ApprovalError::NotDelegate);
            }
            let Some(absent) = ctx.member(for_user) else {
                return Err(ApprovalError::NotPermitted);
            };
            let Some(slot) = state.pending_slot_for(absent, office) else {
                return Err(state.why_not(absent, office));
            };
            if state.has_acted(&actor.user_id) || state.has_acted(for_user) {
                return Err(ApprovalError::AlreadyActed);
            }
            next.steps[step_no].slots[slot].done = Some(SlotDone {
                by: actor.user_id.clone(),
                filled: Filled::Delegated {
                    for_user: for_user.clone(),
                },
                at: ctx.now,
            });
            next.post_reads.push(PostRead {
                round: state.round,
                step: step_no,
                slot,
                reason: PostReadReason::Delegated,
                owed_by: vec![for_user.clone()],
                read_by: None,
                read_at: None,
            });
            next.history.push(act(
                ActKind::Delegate,
                Some(for_user.clone()),
                step_no,
                comment,
            ));
            next.advance(ctx.now);
        }
        Action::PullUp { comment, .. } => {
            let comment = comment_of(comment)?;
            if state.has_acted(&actor.user_id) {
                return Err(ApprovalError::AlreadyActed);
            }
            // The first later step with a pending slot the actor fills.
            let target = state
                .steps
                .iter()
                .enumerate()
                .skip(step_no + 1)
                .find_map(|(i, s)| {
                    s.slots
                        .iter()
                        .position(|sl| sl.done.is_none() && actor.fills(sl.approver, office))
                        .map(|j| (i, j))
                });
            let Some((target_step, target_slot)) = target else {
                return Err(if state.pending_slot_for(actor, office).is_some() {
                    ApprovalError::NothingToPullUp
                } else {
                    state.why_not(actor, office)
                });
            };
            // Every pending slot before the target must have no holder present.
            let mut passed = Vec::new();
            for (i, s) in state
                .steps
                .iter()
                .enumerate()
                .take(target_step)
                .skip(step_no)
            {
                for (j, sl) in s.slots.iter().enumerate() {
                    if sl.done.is_some() {
                        continue;
                    }
                    let holders: Vec<&ApprovalActor> = ctx
                        .directory
                        .iter()
                        .filter(|m| {
                            m.user_id != state.drafter
                                && m.user_id != actor.user_id
                                && m.fills(sl.approver, office)
                        })
                        .collect();
                    if let Some(present) = holders.iter().find(|m| !ctx.absent(&m.user_id)) {
                        return Err(ApprovalError::NotPullable {
                            slot: sl.approver.name_ja().to_string(),
                            holder: present.user_id.clone(),
                        });
                    }
                    passed.push((i, j, holders.iter().map(|m| m.user_id.clone()).collect()));
                }
            }
            for (i, j, owed_by) in passed {
                next.steps[i].slots[j].done = Some(SlotDone {
                    by: actor.user_id.clone(),
                    filled: Filled::PulledUp,
                    at: ctx.now,
                });
                let owed_by: Vec<String> = owed_by;
                if !owed_by.is_empty() {
                    next.post_reads.push(PostRead {
                        round: state.round,
                        step: i,
                        slot: j,
                        reason: PostReadReason::PulledUp,
                        owed_by,
                        read_by: None,
                        read_at: None,
                    });
                }
            }
            next.steps[target_step].slots[target_slot].done = Some(SlotDone {
                by: actor.user_id.clone(),
                filled: Filled::Approved,
                at: ctx.now,
            });
            next.current_step = target_step;
            next.history
                .push(act(ActKind::PullUp, None, target_step, comment));
            next.advance(ctx.now);
        }
        Action::Return { reason, .. } | Action::Reject { reason, .. } => {
            let reason = reason_of(reason)?;
            if state.pending_slot_for(actor, office).is_none() {
                return Err(state.why_not(actor, office));
            }
            let (kind, status) = if matches!(action, Action::Return { .. }) {
                (ActKind::Return, Status::Returned)
            } else {
                (ActKind::Reject, Status::Rejected)
            };
            next.status = status;
            if status == Status::Rejected {
                next.decided_at = Some(ctx.now);
            }
            next.history.push(act(kind, None, step_no, Some(reason)));
        }
        // Handled (and returned) above.
        Action::Withdraw | Action::PostRead => return Err(ApprovalError::NotInProgress),
    }
    Ok(next)
}

impl Action {
    /// The content hash the actor saw, for the actions that decide on a step.
    pub fn seen_hash(&self) -> Option<&str> {
        match self {
            Action::Approve { seen_hash, .. }
            | Action::Delegate { seen_hash, .. }
            | Action::PullUp { seen_hash, .. }
            | Action::Return { seen_hash, .. }
            | Action::Reject { seen_hash, .. } => Some(seen_hash),
            Action::Withdraw | Action::PostRead => None,
        }
    }
}

/// What a user is asked to do on a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "task")]
pub enum Task {
    /// Approve (or return / reject) the slot at `ordinal` of `of`.
    Decide {
        ordinal: usize,
        of: usize,
        slot_name: String,
    },
    /// Decide as the delegate of the absent `for_user`.
    DecideAsDelegate {
        ordinal: usize,
        of: usize,
        slot_name: String,
        for_user: String,
    },
    /// Read after the fact (後閲).
    PostRead,
}

/// What `actor` is asked to do on this document now, if anything (the inbox).
pub fn task_for(
    state: &ApprovalState,
    actor: &ApprovalActor,
    office: &str,
    absences: &[Absence],
    directory: &[ApprovalActor],
    now: DateTime<Utc>,
) -> Option<Task> {
    if state.status == Status::InProgress
        && actor.user_id != state.drafter
        && !state.has_acted(&actor.user_id)
    {
        let step = state.steps.get(state.current_step)?;
        if let Some(j) = state.pending_slot_for(actor, office) {
            return Some(Task::Decide {
                ordinal: state.ordinal(state.current_step, j),
                of: state.route.slot_count(),
                slot_name: step.slots[j].approver.name_ja().to_string(),
            });
        }
        for a in absences
            .iter()
            .filter(|a| a.delegate_id == actor.user_id && a.covers(now))
        {
            if a.user_id == state.drafter || state.has_acted(&a.user_id) {
                continue;
            }
            let Some(absent) = directory.iter().find(|m| m.user_id == a.user_id) else {
                continue;
            };
            if let Some(j) = state.pending_slot_for(absent, office) {
                return Some(Task::DecideAsDelegate {
                    ordinal: state.ordinal(state.current_step, j),
                    of: state.route.slot_count(),
                    slot_name: step.slots[j].approver.name_ja().to_string(),
                    for_user: a.user_id.clone(),
                });
            }
        }
    }
    if state.open_post_reads_for(&actor.user_id).next().is_some() {
        return Some(Task::PostRead);
    }
    None
}

/// The longest absence one registration may cover.
pub const MAX_ABSENCE_DAYS: i64 = 92;

/// Why an absence registration is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AbsenceError {
    #[error("自分自身を代決者にすることはできません。別の人を選んでください。")]
    SelfDelegate,
    #[error("不在の終了日時は開始日時より後にしてください。")]
    EndsBeforeStart,
    #[error("終了日時が過ぎています。これからの不在を登録してください。")]
    InThePast,
    #[error("一度に登録できる不在は{MAX_ABSENCE_DAYS}日までです。期間を分けて登録してください。")]
    TooLong,
    #[error(
        "「{0}」は代決者に指定できません。決裁権者、所属所長または職位のある人を選んでください。"
    )]
    DelegateWithoutAuthority(String),
}

/// Checks a registration of `user_id`'s absence from `from` until `until` with `delegate`
/// (`None` when the delegate is not an active user) at `now`. A delegate must be able to
/// decide: a 決裁権者, an office head or the holder of a position.
pub fn check_absence(
    user_id: &str,
    delegate_id: &str,
    delegate: Option<&ApprovalActor>,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), AbsenceError> {
    if delegate_id == user_id {
        return Err(AbsenceError::SelfDelegate);
    }
    if until <= from {
        return Err(AbsenceError::EndsBeforeStart);
    }
    if until <= now {
        return Err(AbsenceError::InThePast);
    }
    if until - from > chrono::Duration::days(MAX_ABSENCE_DAYS) {
        return Err(AbsenceError::TooLong);
    }
    let may_decide = delegate.is_some_and(|d| {
        d.roles.contains(&Role::Approver)
            || d.roles.contains(&Role::OfficeHead)
            || !d.positions.is_empty()
    });
    if !may_decide {
        return Err(AbsenceError::DelegateWithoutAuthority(
            delegate_id.to_string(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod absence_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn absence_rules() {
        let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
        let approver = ApprovalActor {
            user_id: "d".into(),
            roles: vec![Role::Approver],
            positions: vec![],
            office_code: None,
        };
        let clerk = ApprovalActor {
            roles: vec![Role::OfficeClerk],
            ..approver.clone()
        };
        let day = chrono::Duration::days(1);
        let ok = |d: Option<&ApprovalActor>, f, u| check_absence("u", "d", d, f, u, now);
        assert_eq!(ok(Some(&approver), now, now + day), Ok(()));
        assert_eq!(
            check_absence("u", "u", Some(&approver), now, now + day, now),
            Err(AbsenceError::SelfDelegate)
        );
        assert_eq!(
            ok(Some(&approver), now, now),
            Err(AbsenceError::EndsBeforeStart)
        );
        assert_eq!(
            ok(Some(&approver), now - day * 2, now - day),
            Err(AbsenceError::InThePast)
        );
        assert_eq!(ok(Some(&approver), now, now + day * 92), Ok(()));
        assert_eq!(
            ok(Some(&approver), now, now + day * 93),
            Err(AbsenceError::TooLong)
        );
        assert!(matches!(
            ok(Some(&clerk), now, now + day),
            Err(AbsenceError::DelegateWithoutAuthority(_))
        ));
        assert!(matches!(
            ok(None, now, now + day),
            Err(AbsenceError::DelegateWithoutAuthority(_))
        ));
    }
}
