//! Where a 資格取得届 stands, read from its approval state: the one rule behind the
//! clerk's queue, the reviewer's screen and the central service's review messages.
//!
//! The notification travels the approval route 所属所長 (証明) → 事務局審査担当 (審査) →
//! 決裁者 (登録); the stage is named after the slot that is waiting.

use crate::acquisition::workflow::Role;
use crate::approval::{ApprovalState, Approver, Status};

/// The stage of a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Never submitted.
    Draft,
    /// Waiting for the 所属所長's certification.
    Certify,
    /// Waiting for the secretariat's review.
    Review,
    /// Waiting for registration.
    Register,
    /// 登録済み.
    Registered,
    Returned,
    Rejected,
    Withdrawn,
}

impl Stage {
    /// The stage of a notification whose approval state is `state` (`None`: never submitted).
    pub fn of(state: Option<&ApprovalState>) -> Stage {
        let Some(state) = state else {
            return Stage::Draft;
        };
        match state.status {
            Status::InProgress => {
                let waiting = state
                    .steps
                    .get(state.current_step)
                    .and_then(|s| s.slots.iter().find(|x| x.done.is_none()))
                    .map(|s| s.approver);
                match waiting {
                    Some(Approver::Role(Role::OfficeHead)) => Stage::Certify,
                    Some(Approver::Role(Role::SecretariatReviewer)) => Stage::Review,
                    _ => Stage::Register,
                }
            }
            Status::Approved => Stage::Registered,
            Status::Returned => Stage::Returned,
            Status::Rejected => Stage::Rejected,
            Status::Withdrawn => Stage::Withdrawn,
        }
    }

    /// The stable id the UI filters on (`"certify"` …).
    pub fn id(self) -> &'static str {
        match self {
            Stage::Draft => "draft",
            Stage::Certify => "certify",
            Stage::Review => "review",
            Stage::Register => "register",
            Stage::Registered => "registered",
            Stage::Returned => "returned",
            Stage::Rejected => "rejected",
            Stage::Withdrawn => "withdrawn",
        }
    }

    /// 「所属所長の証明待ち」 …
    pub fn label_ja(self) -> &'static str {
        match self {
            Stage::Draft => "下書き",
            Stage::Certify => "所属所長の証明待ち",
            Stage::Review => "事務局の審査待ち",
            Stage::Register => "登録待ち",
            Stage::Registered => "登録済み",
            Stage::Returned => "差戻し",
            Stage::Rejected => "却下",
            Stage::Withdrawn => "取下げ",
        }
    }

    /// Whether the notification is a case other notifications are compared with (submitted,
    /// and neither withdrawn nor rejected).
    pub fn is_case(self) -> bool {
        !matches!(self, Stage::Draft | Stage::Withdrawn | Stage::Rejected)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::approval::{submit, ApprovalActor, Context, DecisionTable, Flags};
    use chrono::{TimeZone, Utc};

    #[test]
    fn the_waiting_slot_names_the_stage() {
        assert_eq!(Stage::of(None), Stage::Draft);
        assert!(!Stage::Draft.is_case());
        let clerk = ApprovalActor {
            user_id: "c".into(),
            roles: vec![Role::OfficeClerk],
            positions: vec![],
            office_code: Some("1203".into()),
        };
        let now = Utc.with_ymd_and_hms(2026, 4, 2, 0, 0, 0).unwrap();
        let ctx = Context {
            now,
            today: crate::approval::jst(now).date(),
            kind: "acquisition",
            office_code: "1203",
            content_hash: "h",
            amount_yen: 0,
            absences: &[],
            directory: &[],
            table: DecisionTable::builtin(),
        };
        let mut s = submit(None, &clerk, Flags::default(), None, &ctx).unwrap();
        assert_eq!(Stage::of(Some(&s)), Stage::Certify);
        s.current_step = 1;
        assert_eq!(Stage::of(Some(&s)).label_ja(), "事務局の審査待ち");
        s.current_step = 2;
        assert_eq!(Stage::of(Some(&s)).id(), "register");
        assert!(Stage::of(Some(&s)).is_case());
        s.status = Status::Withdrawn;
        assert!(!Stage::of(Some(&s)).is_case());
    }
}
