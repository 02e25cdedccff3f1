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
//!
//! They never even receive it: the central service sends such a user [`WITHHELD`] in place
//! of every stored 個人番号 ([`withhold_in_body`]), and a write that sends the marker back
//! keeps the stored number ([`restore_withheld`]).

use serde::{Deserialize, Serialize};

use super::workflow::Role;
use crate::ids::find_my_numbers;

/// What a user who may not see a 個人番号 receives in its place: 「registered, not shown
/// to you」. No digits, so it can never pass for a number, and distinct from a blank
/// field ("not entered"). The checks treat it as a number that is there.
pub const WITHHELD: &str = "withheld:my_number";

/// The record kind whose bodies [`withhold_in_body`] knows field by field.
pub const ACQUISITION_KIND: &str = "acquisition";

/// Whether `text` is the [`WITHHELD`] marker.
pub fn is_withheld(text: &str) -> bool {
    text == WITHHELD
}

/// Replaces, in a record body of `kind` as it will be sent to a user who may not see a
/// 個人番号, the stored number by [`WITHHELD`]: `member.myNumber` of a 資格取得届 (when
/// not blank) and, in a 資格取得届, any other text holding a 個人番号 (a note, the OCR
/// provenance). Returns whether anything was replaced. Other kinds are left alone.
pub fn withhold_in_body(kind: &str, body: &mut serde_json::Value) -> bool {
    if kind != ACQUISITION_KIND {
        return false;
    }
    let mut changed = false;
    if let Some(n) = body.pointer_mut("/member/myNumber") {
        if n.as_str()
            .is_some_and(|s| !s.trim().is_empty() && !is_withheld(s))
        {
            *n = serde_json::Value::String(WITHHELD.to_string());
            changed = true;
        }
    }
    // The approval state is the server's own record of the route: left as it is.
    if let Some(map) = body.as_object_mut() {
        for (k, v) in map.iter_mut() {
            if k.as_str() != crate::approval::BODY_KEY {
                changed |= withhold_numbers_in_text(v);
            }
        }
    }
    changed
}

/// Replaces every string of `value` that holds a 個人番号 ([`find_my_numbers`]) by
/// [`WITHHELD`].
pub fn withhold_numbers_in_text(value: &mut serde_json::Value) -> bool {
    let mut changed = false;
    match value {
        serde_json::Value::String(s) if !find_my_numbers(s).is_empty() => {
            *s = WITHHELD.to_string();
            changed = true;
        }
        serde_json::Value::Array(items) => {
            for v in items {
                changed |= withhold_numbers_in_text(v);
            }
        }
        serde_json::Value::Object(map) => {
            for v in map.values_mut() {
                changed |= withhold_numbers_in_text(v);
            }
        }
        _ => {}
    }
    changed
}

/// A body as it comes back from a write: every [`WITHHELD`] marker becomes what `stored`
/// (the body as it is now) holds at the same place, or an empty text when it holds no
/// text there. A marker is never kept as a number, whoever sends it.
pub fn restore_withheld(body: &mut serde_json::Value, stored: Option<&serde_json::Value>) {
    match body {
        serde_json::Value::String(s) if is_withheld(s) => {
            let kept = stored
                .and_then(serde_json::Value::as_str)
                .filter(|t| !is_withheld(t))
                .unwrap_or_default();
            *s = kept.to_string();
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter_mut().enumerate() {
                restore_withheld(v, stored.and_then(|s| s.get(i)));
            }
        }
        serde_json::Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                restore_withheld(v, stored.and_then(|s| s.get(k)));
            }
        }
        _ => {}
    }
}

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
    fn a_withheld_number_is_restored_from_the_stored_one_and_never_stored_itself() {
        let stored = serde_json::json!({
            "member": { "myNumber": "123456789018", "name": "山田 太郎" },
            "note": "番号 1234 5678 9018 を確認",
            "pension": "1234-567890",
        });
        let mut sent = stored.clone();
        assert!(withhold_in_body(ACQUISITION_KIND, &mut sent));
        assert_eq!(sent["member"]["myNumber"], WITHHELD);
        assert_eq!(sent["note"], WITHHELD);
        assert_eq!(sent["pension"], "1234-567890");
        assert_eq!(sent["member"]["name"], "山田 太郎");
        assert!(!withhold_in_body(ACQUISITION_KIND, &mut sent), "idempotent");
        let mut other = stored.clone();
        assert!(!withhold_in_body("contract", &mut other));
        assert_eq!(other, stored);

        let mut back = sent.clone();
        back["member"]["name"] = "山田 太朗".into();
        restore_withheld(&mut back, Some(&stored));
        assert_eq!(back["member"]["myNumber"], "123456789018");
        assert_eq!(back["note"], stored["note"]);
        assert_eq!(back["member"]["name"], "山田 太朗");

        // Nothing stored there (a creation, or a marker typed in): never kept.
        let mut new = serde_json::json!({ "member": { "myNumber": WITHHELD } });
        restore_withheld(&mut new, None);
        assert_eq!(new["member"]["myNumber"], "");
        let mut new = serde_json::json!({ "member": { "myNumber": WITHHELD } });
        restore_withheld(
            &mut new,
            Some(&serde_json::json!({ "member": { "myNumber": WITHHELD } })),
        );
        assert_eq!(new["member"]["myNumber"], "");
        // A blank number is not turned into the marker: "not entered" stays so.
        let mut blank = serde_json::json!({ "member": { "myNumber": " " } });
        assert!(!withhold_in_body(ACQUISITION_KIND, &mut blank));
        assert!(!is_withheld(" "));
    }

    #[test]
    fn a_withheld_number_hashes_like_the_number_and_passes_the_checks() {
        use crate::acquisition::{check, form::MyNumberText, AcquisitionForm, CheckContext};
        let full = serde_json::json!({ "member": { "myNumber": "123456789018" } });
        let mut sent = full.clone();
        withhold_in_body(ACQUISITION_KIND, &mut sent);
        let hash = crate::approval::content_hash;
        assert_eq!(
            hash(ACQUISITION_KIND, "t", &full),
            hash(ACQUISITION_KIND, "t", &sent)
        );
        let none = serde_json::json!({ "member": {} });
        assert_ne!(
            hash(ACQUISITION_KIND, "t", &full),
            hash(ACQUISITION_KIND, "t", &none)
        );

        let mut form = AcquisitionForm::default();
        form.member.my_number = Some(MyNumberText::new(WITHHELD));
        assert!(form.member.my_number.as_ref().unwrap().is_withheld());
        let ctx = CheckContext {
            today: chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
            received_on: None,
        };
        let findings = check(&form, &ctx);
        assert!(
            findings.iter().all(|f| f.field != "member.myNumber"),
            "{findings:?}"
        );
        let findings = crate::acquisition::check_for_submission(&form, &ctx);
        assert!(
            findings.iter().all(|f| f.field != "member.myNumber"),
            "{findings:?}"
        );
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
