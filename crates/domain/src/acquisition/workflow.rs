//! The path of a 資格取得届 from draft to registration.
//!
//! ```text
//! draft ──submit──▶ submitted ──certify──▶ certified ──review──▶ reviewed ──register──▶ registered
//!   ▲   (所属所担当者)     │      (所属所長)      │     (事務局審査担当)  │   (審査担当・決裁者)
//!   └─────────── return (差戻し, with a reason) ┴──────────────────────┘
//! draft / submitted / certified / reviewed ──withdraw (取下げ, by the drafter)──▶ withdrawn
//! ```
//!
//! Who may act:
//!
//! | action | from | role | office | not the drafter |
//! |---|---|---|---|---|
//! | submit | draft | office_clerk | own office | – |
//! | certify | submitted | office_head | own office | yes |
//! | review | certified | secretariat_reviewer | any | yes |
//! | register | reviewed | secretariat_reviewer or approver | any | yes |
//! | return | submitted | office_head | own office | – |
//! | return | certified | secretariat_reviewer | any | – |
//! | return | reviewed | secretariat_reviewer or approver | any | – |
//! | withdraw | draft … reviewed | the drafter | – | (is the drafter) |
//!
//! `registered` and `withdrawn` are final. [`transition`] checks roles and offices only;
//! the caller runs [`super::check_for_submission`] before a submit and records the
//! history (who, when, the reason of a return).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Where a notification stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// 下書き: being prepared (or returned) at the office.
    Draft,
    /// 提出済み: waiting for the 所属所長's certification.
    Submitted,
    /// 証明済み: waiting for the secretariat's review.
    Certified,
    /// 審査済み: waiting for registration.
    Reviewed,
    /// 登録済み (final).
    Registered,
    /// 取下げ済み (final).
    Withdrawn,
}

impl State {
    /// Every state, in workflow order.
    pub const ALL: [State; 6] = [
        State::Draft,
        State::Submitted,
        State::Certified,
        State::Reviewed,
        State::Registered,
        State::Withdrawn,
    ];

    /// 「下書き」, 「提出済み」 …
    pub fn name_ja(self) -> &'static str {
        match self {
            State::Draft => "下書き",
            State::Submitted => "提出済み",
            State::Certified => "証明済み",
            State::Reviewed => "審査済み",
            State::Registered => "登録済み",
            State::Withdrawn => "取下げ済み",
        }
    }

    /// Whether nothing more can happen.
    pub fn is_final(self) -> bool {
        matches!(self, State::Registered | State::Withdrawn)
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name_ja())
    }
}

/// What someone does to a notification.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// 提出.
    Submit,
    /// 証明 (所属所長).
    Certify,
    /// 審査 (事務局).
    Review,
    /// 登録.
    Register,
    /// 差戻し: back to draft, with the reason.
    Return {
        /// Why; required.
        reason: String,
    },
    /// 取下げ (the drafter).
    Withdraw,
}

/// An [`Action`] without its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// 提出.
    Submit,
    /// 証明.
    Certify,
    /// 審査.
    Review,
    /// 登録.
    Register,
    /// 差戻し.
    Return,
    /// 取下げ.
    Withdraw,
}

impl ActionKind {
    /// Every kind.
    pub const ALL: [ActionKind; 6] = [
        ActionKind::Submit,
        ActionKind::Certify,
        ActionKind::Review,
        ActionKind::Register,
        ActionKind::Return,
        ActionKind::Withdraw,
    ];

    /// 「提出」, 「証明」 …
    pub fn name_ja(self) -> &'static str {
        match self {
            ActionKind::Submit => "提出",
            ActionKind::Certify => "証明",
            ActionKind::Review => "審査",
            ActionKind::Register => "登録",
            ActionKind::Return => "差戻し",
            ActionKind::Withdraw => "取下げ",
        }
    }
}

impl fmt::Display for ActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name_ja())
    }
}

impl Action {
    /// The kind of the action.
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Submit => ActionKind::Submit,
            Action::Certify => ActionKind::Certify,
            Action::Review => ActionKind::Review,
            Action::Register => ActionKind::Register,
            Action::Return { .. } => ActionKind::Return,
            Action::Withdraw => ActionKind::Withdraw,
        }
    }
}

/// A user's role (the same names as the central service's roles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 所属所担当者.
    OfficeClerk,
    /// 所属所長.
    OfficeHead,
    /// 事務局審査担当.
    SecretariatReviewer,
    /// 決裁者.
    Approver,
    /// システム管理者 (no part in the workflow).
    ItAdmin,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 5] = [
        Role::OfficeClerk,
        Role::OfficeHead,
        Role::SecretariatReviewer,
        Role::Approver,
        Role::ItAdmin,
    ];

    /// 「所属所担当者」 …
    pub fn name_ja(self) -> &'static str {
        match self {
            Role::OfficeClerk => "所属所担当者",
            Role::OfficeHead => "所属所長",
            Role::SecretariatReviewer => "事務局審査担当",
            Role::Approver => "決裁者",
            Role::ItAdmin => "システム管理者",
        }
    }
}

/// Who acts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    /// The user's id.
    pub user_id: String,
    /// The user's roles.
    pub roles: Vec<Role>,
    /// The 所属所番号 of the user's office; `None` for secretariat staff.
    pub office_code: Option<String>,
}

impl Actor {
    fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.roles.contains(r))
    }

    fn in_office(&self, office: &str) -> bool {
        self.office_code
            .as_deref()
            .is_some_and(|o| o.trim() == office.trim())
    }
}

/// The longest reason a return may carry, in characters.
pub const MAX_REASON_CHARS: usize = 1000;

/// Why an action was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The notification is registered or withdrawn.
    #[error("この届は{state}のため、これ以上操作できません。内容を変えるときは新しい届を作成してください。")]
    Finished {
        /// The final state.
        state: State,
    },
    /// The action does not apply in this state.
    #[error(
        "この届は{state}のため、{action}はできません。画面を更新して現在の状態を確認してください。"
    )]
    NotAllowedInState {
        /// The current state.
        state: State,
        /// The action tried.
        action: ActionKind,
    },
    /// The actor lacks the role.
    #[error("{action}には{}の権限が必要です。権限のある方に依頼してください。", roles_ja(.roles))]
    RoleRequired {
        /// The action tried.
        action: ActionKind,
        /// Any of these roles would do.
        roles: &'static [Role],
    },
    /// The notification belongs to another office.
    #[error("他の所属所の届の{action}はできません。ご自身の所属所の届か確認してください。")]
    OtherOffice {
        /// The action tried.
        action: ActionKind,
    },
    /// The actor drafted the notification.
    #[error("ご自身が作成した届の{action}はできません。別の担当者に依頼してください。")]
    OwnDraft {
        /// The action tried.
        action: ActionKind,
    },
    /// Only the drafter may withdraw.
    #[error("取下げは届を作成した方だけができます。作成した方に依頼してください。")]
    NotDrafter,
    /// A return without a reason.
    #[error("差戻しの理由が入力されていません。理由を入力してください。")]
    ReasonRequired,
    /// A reason over [`MAX_REASON_CHARS`].
    #[error("差戻しの理由は{max}文字以内で入力してください。")]
    ReasonTooLong {
        /// The limit.
        max: usize,
    },
}

fn roles_ja(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.name_ja())
        .collect::<Vec<_>>()
        .join("または")
}

impl TransitionError {
    /// The stable code, e.g. `"workflow.own_draft"`.
    pub fn code(&self) -> &'static str {
        match self {
            TransitionError::Finished { .. } => "workflow.finished",
            TransitionError::NotAllowedInState { .. } => "workflow.not_allowed_in_state",
            TransitionError::RoleRequired { .. } => "workflow.role_required",
            TransitionError::OtherOffice { .. } => "workflow.other_office",
            TransitionError::OwnDraft { .. } => "workflow.own_draft",
            TransitionError::NotDrafter => "workflow.not_drafter",
            TransitionError::ReasonRequired => "workflow.reason_required",
            TransitionError::ReasonTooLong { .. } => "workflow.reason_too_long",
        }
    }
}

impl crate::finding::Coded for TransitionError {
    fn code(&self) -> &'static str {
        TransitionError::code(self)
    }
}

/// Who may take a step, and where it leads.
struct Step {
    roles: &'static [Role],
    own_office_only: bool,
    not_by_drafter: bool,
    to: State,
}

const CLERK: &[Role] = &[Role::OfficeClerk];
const HEAD: &[Role] = &[Role::OfficeHead];
const REVIEWER: &[Role] = &[Role::SecretariatReviewer];
const REVIEWER_OR_APPROVER: &[Role] = &[Role::SecretariatReviewer, Role::Approver];

fn step(state: State, action: ActionKind) -> Option<Step> {
    use ActionKind as A;
    use State as S;
    let (roles, own_office_only, not_by_drafter, to) = match (state, action) {
        (S::Draft, A::Submit) => (CLERK, true, false, S::Submitted),
        (S::Submitted, A::Certify) => (HEAD, true, true, S::Certified),
        (S::Submitted, A::Return) => (HEAD, true, false, S::Draft),
        (S::Certified, A::Review) => (REVIEWER, false, true, S::Reviewed),
        (S::Certified, A::Return) => (REVIEWER, false, false, S::Draft),
        (S::Reviewed, A::Register) => (REVIEWER_OR_APPROVER, false, true, S::Registered),
        (S::Reviewed, A::Return) => (REVIEWER_OR_APPROVER, false, false, S::Draft),
        _ => return None,
    };
    Some(Step {
        roles,
        own_office_only,
        not_by_drafter,
        to,
    })
}

/// The state after `actor` does `action` to a notification drafted by `drafter_id` for
/// the office `record_office`, or why that is refused.
///
/// Checked in this order: final state, action allowed in the state, role, office, not the
/// drafter, reason.
pub fn transition(
    state: State,
    action: &Action,
    actor: &Actor,
    drafter_id: &str,
    record_office: &str,
) -> Result<State, TransitionError> {
    if state.is_final() {
        return Err(TransitionError::Finished { state });
    }
    let kind = action.kind();
    if kind == ActionKind::Withdraw {
        // Any state before registration; only the drafter.
        return if actor.user_id == drafter_id {
            Ok(State::Withdrawn)
        } else {
            Err(TransitionError::NotDrafter)
        };
    }
    let step = step(state, kind).ok_or(TransitionError::NotAllowedInState {
        state,
        action: kind,
    })?;
    if !actor.has_any(step.roles) {
        return Err(TransitionError::RoleRequired {
            action: kind,
            roles: step.roles,
        });
    }
    if step.own_office_only && !actor.in_office(record_office) {
        return Err(TransitionError::OtherOffice { action: kind });
    }
    if step.not_by_drafter && actor.user_id == drafter_id {
        return Err(TransitionError::OwnDraft { action: kind });
    }
    if let Action::Return { reason } = action {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(TransitionError::ReasonRequired);
        }
        if reason.chars().count() > MAX_REASON_CHARS {
            return Err(TransitionError::ReasonTooLong {
                max: MAX_REASON_CHARS,
            });
        }
    }
    Ok(step.to)
}

/// The actions `actor` may take now (a return assumed to carry a reason), for the
/// screen's buttons.
pub fn available_actions(
    state: State,
    actor: &Actor,
    drafter_id: &str,
    record_office: &str,
) -> Vec<ActionKind> {
    ActionKind::ALL
        .into_iter()
        .filter(|kind| {
            let action = match kind {
                ActionKind::Submit => Action::Submit,
                ActionKind::Certify => Action::Certify,
                ActionKind::Review => Action::Review,
                ActionKind::Register => Action::Register,
                ActionKind::Return => Action::Return {
                    reason: "理由".to_owned(),
                },
                ActionKind::Withdraw => Action::Withdraw,
            };
            transition(state, &action, actor, drafter_id, record_office).is_ok()
        })
        .collect()
}

#[cfg(test)]
mod tests;
