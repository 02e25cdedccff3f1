//! Who may see a stored 個人番号 in full, and why (番号法: use limited to what the work
//! needs, and every use traceable).
//!
//! Screens show a stored 個人番号 masked (「●●●● ●●●● 9018」). Pressing 「表示」 reveals one
//! field of one record, for one stated purpose, and the app writes an audit entry (who,
//! when, which record, which field, why) before it answers.
//!
//! - 所属所担当者 reveals to correct or compare what they entered against the paper form;
//! - 事務局審査担当 reveals to review the notification against the member's documents;
//! - 所属所長, 決裁者 and システム管理者 certify, approve or administer without the number
//!   itself, so they never see it in full.

use serde::{Deserialize, Serialize};

use super::workflow::Role;
use crate::ids::find_my_numbers;

/// Why a 個人番号 is revealed (the audit keeps the code and, for `Other`, the note).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevealPurpose {
    /// 届書（紙）との照合.
    CompareWithPaper,
    /// 入力誤りの訂正.
    Correction,
    /// 本人確認書類との照合（審査）.
    Review,
    /// その他（内容を記入）.
    Other,
}

impl RevealPurpose {
    pub const ALL: [RevealPurpose; 4] = [
        RevealPurpose::CompareWithPaper,
        RevealPurpose::Correction,
        RevealPurpose::Review,
        RevealPurpose::Other,
    ];

    /// The stable code written to the audit log.
    pub fn code(self) -> &'static str {
        match self {
            RevealPurpose::CompareWithPaper => "compare_with_paper",
            RevealPurpose::Correction => "correction",
            RevealPurpose::Review => "review",
            RevealPurpose::Other => "other",
        }
    }

    /// The purpose of a [`code`](Self::code).
    pub fn from_code(code: &str) -> Option<RevealPurpose> {
        RevealPurpose::ALL.into_iter().find(|p| p.code() == code)
    }

    /// 「届書（紙）との照合」 …
    pub fn name_ja(self) -> &'static str {
        match self {
            RevealPurpose::CompareWithPaper => "届書（紙）との照合",
            RevealPurpose::Correction => "入力誤りの訂正",
            RevealPurpose::Review => "本人確認書類との照合（審査）",
            RevealPurpose::Other => "その他",
        }
    }
}

/// The longest note kept with a reveal.
pub const MAX_NOTE_CHARS: usize = 200;

/// Why a reveal is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevealRefusal {
    /// None of the user's roles may see a 個人番号 in full.
    RoleNotPermitted,
    /// `Other` needs a note saying why.
    NoteRequired,
    /// The note is longer than [`MAX_NOTE_CHARS`].
    NoteTooLong,
    /// The note holds a 個人番号 (it is kept in the audit log).
    NoteHoldsMyNumber,
}

impl RevealRefusal {
    /// A stable code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            RevealRefusal::RoleNotPermitted => "my_number.reveal_not_permitted",
            RevealRefusal::NoteRequired => "my_number.reveal_note_required",
            RevealRefusal::NoteTooLong => "my_number.reveal_note_too_long",
            RevealRefusal::NoteHoldsMyNumber => "my_number.reveal_note_has_number",
        }
    }

    /// What the clerk reads.
    pub fn message(&self) -> String {
        match self {
            RevealRefusal::RoleNotPermitted => {
                "個人番号を表示できるのは所属所担当者と事務局審査担当だけです。".into()
            }
            RevealRefusal::NoteRequired => {
                "「その他」を選んだときは、表示する理由を書いてください。".into()
            }
            RevealRefusal::NoteTooLong => {
                format!("理由は {MAX_NOTE_CHARS} 文字以内で書いてください。")
            }
            RevealRefusal::NoteHoldsMyNumber => {
                "理由の欄に個人番号を書かないでください（監査ログに残ります）。".into()
            }
        }
    }
}

/// Whether a user with `roles` may reveal a stored 個人番号.
pub fn may_reveal(roles: &[Role]) -> bool {
    roles
        .iter()
        .any(|r| matches!(r, Role::OfficeClerk | Role::SecretariatReviewer))
}

/// Checks a reveal request; `Ok` gives the note as it will be kept (trimmed, `None` when
/// empty).
pub fn check_reveal(
    roles: &[Role],
    purpose: RevealPurpose,
    note: &str,
) -> Result<Option<String>, RevealRefusal> {
    if !may_reveal(roles) {
        return Err(RevealRefusal::RoleNotPermitted);
    }
    let note = note.trim();
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(RevealRefusal::NoteTooLong);
    }
    if !find_my_numbers(note).is_empty() {
        return Err(RevealRefusal::NoteHoldsMyNumber);
    }
    if note.is_empty() {
        if purpose == RevealPurpose::Other {
            return Err(RevealRefusal::NoteRequired);
        }
        return Ok(None);
    }
    Ok(Some(note.to_string()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn only_clerks_and_reviewers_see_the_number() {
        for role in Role::ALL {
            let expected = matches!(role, Role::OfficeClerk | Role::SecretariatReviewer);
            assert_eq!(may_reveal(&[role]), expected, "{role:?}");
            let r = check_reveal(&[role], RevealPurpose::CompareWithPaper, "");
            assert_eq!(r.is_ok(), expected, "{role:?}");
            if !expected {
                assert_eq!(r.unwrap_err(), RevealRefusal::RoleNotPermitted);
            }
        }
        assert!(!may_reveal(&[]));
        assert!(may_reveal(&[Role::Approver, Role::SecretariatReviewer]));
    }

    #[test]
    fn notes() {
        let clerk = [Role::OfficeClerk];
        assert_eq!(
            check_reveal(&clerk, RevealPurpose::Other, "  "),
            Err(RevealRefusal::NoteRequired)
        );
        assert_eq!(
            check_reveal(&clerk, RevealPurpose::Other, " 年金事務所からの照会 "),
            Ok(Some("年金事務所からの照会".into()))
        );
        assert_eq!(
            check_reveal(&clerk, RevealPurpose::Correction, ""),
            Ok(None)
        );
        assert_eq!(
            check_reveal(
                &clerk,
                RevealPurpose::Other,
                &"あ".repeat(MAX_NOTE_CHARS + 1)
            ),
            Err(RevealRefusal::NoteTooLong)
        );
        assert_eq!(
            check_reveal(&clerk, RevealPurpose::Other, "番号 1234 5678 9018 の確認"),
            Err(RevealRefusal::NoteHoldsMyNumber)
        );
        for r in [
            RevealRefusal::RoleNotPermitted,
            RevealRefusal::NoteRequired,
            RevealRefusal::NoteTooLong,
            RevealRefusal::NoteHoldsMyNumber,
        ] {
            assert!(r.code().starts_with("my_number."));
            assert!(!r.message().is_empty());
        }
    }

    #[test]
    fn purposes_have_distinct_codes() {
        let codes: std::collections::HashSet<_> =
            RevealPurpose::ALL.iter().map(|p| p.code()).collect();
        assert_eq!(codes.len(), RevealPurpose::ALL.len());
        for p in RevealPurpose::ALL {
            assert_eq!(RevealPurpose::from_code(p.code()), Some(p));
        }
        assert_eq!(RevealPurpose::from_code("curiosity"), None);
    }
}
