//! 個人番号 leave the central service only for users who may see them.
//!
//! 番号法 limits who handles a 個人番号: only 所属所担当者 and 事務局審査担当 may reveal one
//! ([`kyosai_domain::acquisition::my_number::may_reveal`]). Masking it on screen is not
//! enough when the whole record still lands in the local database of a 所属所長's or a
//! 決裁者's PC, so every record body that leaves this service passes through
//! [`record_for`]: for anyone else, each stored 個人番号 becomes the marker
//! [`WITHHELD`] (「登録済み（表示の権限がありません）」 in the app):
//!
//! - a 資格取得届 (`acquisition`): `member.myNumber` and any other text holding a 個人番号
//!   (a note, the OCR provenance) — [`withhold_in_body`];
//! - a scanned document (`ocr_document`): every value of a field its template marks
//!   `sensitive` (the engines' readings, the normalised value, the people's entries and
//!   arbitration, the history), and any other text holding a 個人番号.
//!
//! Writes go the other way ([`restore_on_write`]): a body that comes back with the
//! marker (a 所属所長 saving a draft) keeps the number stored at that place, and a marker
//! where none is stored becomes an empty text — the marker is never stored as a number.
//!
//! A scan's images (`ocr_scan`) are pictures of the paper form: the scan of a form with a
//! 個人番号 field (a crop named `…myNumber`, the templates' id for it) reaches such a user
//! without its pages and crops — the app does not open such a document for them anyway.

use kyosai_domain::acquisition::my_number::{
    may_reveal, restore_withheld, withhold_in_body, withhold_numbers_in_text, WITHHELD,
};
use kyosai_sync_protocol::Record;

use crate::model::{domain_role, Actor};

/// The kind of a scanned document in the AI-OCR correction queue.
const OCR_DOCUMENT: &str = kyosai_sync_protocol::ocr::KIND;
/// The kind of a scanned document's images (`kyosai_ocr::queue::SCAN_KIND`).
const OCR_SCAN: &str = "ocr_scan";
/// How the templates name a field holding a 個人番号 (`member.myNumber`).
const MY_NUMBER_FIELD_SUFFIX: &str = "myNumber";

/// Whether the actor may receive stored 個人番号 as they are.
pub(crate) fn sees_my_numbers(actor: &Actor) -> bool {
    let roles: Vec<_> = actor.roles.iter().map(|r| domain_role(*r)).collect();
    may_reveal(&roles)
}

/// The change-history epoch in `actor`'s pull cursors: its own for those who do not
/// receive 個人番号, so that a cursor made before they were withheld (or before a change
/// of role) is answered with a reset and the PC's copies are replaced by what the user
/// may receive now.
pub(crate) fn epoch_for(actor: &Actor, epoch: String) -> String {
    if sees_my_numbers(actor) {
        epoch
    } else {
        format!("{epoch}.withheld")
    }
}

/// The record as `actor` may receive it.
pub(crate) fn record_for(actor: &Actor, record: &mut Record) {
    if !sees_my_numbers(actor) {
        withhold(&record.kind, &mut record.body);
    }
}

/// Replaces every stored 個人番号 of a body of `kind` by [`WITHHELD`].
pub(crate) fn withhold(kind: &str, body: &mut serde_json::Value) {
    if kind == OCR_DOCUMENT {
        withhold_in_ocr_document(body);
    } else if kind == OCR_SCAN {
        withhold_in_scan(body);
    } else {
        withhold_in_body(kind, body);
    }
}

/// A body sent by a client, before it is stored over `current` (`None` for a creation):
/// each [`WITHHELD`] marker becomes the value stored at the same place.
pub(crate) fn restore_on_write(body: &mut serde_json::Value, current: Option<&Record>) {
    restore_withheld(body, current.map(|r| &r.body));
}

/// The content hash takes a 個人番号 as withheld (so that those without it compute the same
/// hash), so a change of the number alone would not start the approvals again: while a
/// document is 回議中, such a change is refused (the drafter withdraws, corrects and
/// submits again). `hash` is the new content's hash, `body` the new body (restored).
pub(crate) fn my_number_only_change(
    approval: &kyosai_domain::approval::ApprovalState,
    hash: &str,
    current: &Record,
    body: &serde_json::Value,
) -> Option<crate::commands::Decision> {
    use kyosai_domain::approval::{Status, BODY_KEY};
    if approval.status != Status::InProgress || hash != approval.content_hash {
        return None;
    }
    let mut before = current.body.clone();
    if let Some(map) = before.as_object_mut() {
        map.remove(BODY_KEY);
    }
    if &before == body {
        return None;
    }
    Some(crate::commands::Decision::Reject(crate::commands::Rejection {
        code: MY_NUMBER_CHANGED_IN_APPROVAL,
        message: "決裁中の届の個人番号だけを変えることはできません。取下げてから個人番号を直し、提出し直してください（入力した内容は下書きとして残っています）。".to_string(),
    }))
}

/// The code of [`my_number_only_change`]'s refusal.
pub(crate) const MY_NUMBER_CHANGED_IN_APPROVAL: &str = "acquisition.my_number_changed_in_approval";

fn marker() -> serde_json::Value {
    serde_json::Value::String(WITHHELD.to_string())
}

/// A text value that is there (not blank) becomes the marker.
fn withhold_text(v: &mut serde_json::Value) {
    if v.as_str().is_some_and(|s| !s.trim().is_empty()) {
        *v = marker();
    }
}

/// The values of one field's work (`entries[].value`, `arbitration.value`).
fn withhold_work(work: &mut serde_json::Value) {
    if let Some(entries) = work
        .get_mut("entries")
        .and_then(serde_json::Value::as_array_mut)
    {
        for e in entries {
            if let Some(v) = e.get_mut("value") {
                withhold_text(v);
            }
        }
    }
    if let Some(v) = work.pointer_mut("/arbitration/value") {
        withhold_text(v);
    }
}

/// The images of a form with a 個人番号 field: none (pages and crops emptied).
fn withhold_in_scan(body: &mut serde_json::Value) {
    let has_my_number = body
        .get("crops")
        .and_then(serde_json::Value::as_object)
        .is_some_and(|crops| crops.keys().any(|k| k.ends_with(MY_NUMBER_FIELD_SUFFIX)));
    if !has_my_number {
        return;
    }
    if let Some(map) = body.as_object_mut() {
        map.insert("pages".into(), serde_json::Value::Array(Vec::new()));
        map.insert(
            "crops".into(),
            serde_json::Value::Object(Default::default()),
        );
    }
}

fn withhold_in_ocr_document(body: &mut serde_json::Value) {
    let mut sensitive: Vec<String> = Vec::new();
    if let Some(fields) = body
        .pointer_mut("/result/fields")
        .and_then(serde_json::Value::as_array_mut)
    {
        for f in fields {
            if f.get("sensitive").and_then(serde_json::Value::as_bool) != Some(true) {
                continue;
            }
            if let Some(id) = f.get("field").and_then(serde_json::Value::as_str) {
                sensitive.push(id.to_string());
            }
            if let Some(v) = f.get_mut("value") {
                withhold_text(v);
            }
            if let Some(readings) = f
                .get_mut("readings")
                .and_then(serde_json::Value::as_array_mut)
            {
                for r in readings {
                    if let Some(v) = r.get_mut("text") {
                        withhold_text(v);
                    }
                }
            }
        }
    }
    let is_sensitive = |w: &serde_json::Value| {
        w.get("field")
            .and_then(serde_json::Value::as_str)
            .is_some_and(|id| sensitive.iter().any(|s| s == id))
    };
    if let Some(work) = body
        .get_mut("work")
        .and_then(serde_json::Value::as_array_mut)
    {
        for w in work.iter_mut().filter(|w| is_sensitive(w)) {
            withhold_work(w);
        }
    }
    if let Some(history) = body
        .get_mut("history")
        .and_then(serde_json::Value::as_array_mut)
    {
        for step in history.iter_mut().filter(|s| is_sensitive(s)) {
            if let Some(before) = step.get_mut("before") {
                withhold_work(before);
            }
        }
    }
    withhold_numbers_in_text(body);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use kyosai_sync_protocol::Role;
    use serde_json::json;

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: "u".into(),
            roles: vec![role],
            office_code: Some("12030001".into()),
            device_id: uuid::Uuid::nil(),
            positions: Vec::new(),
            approval: None,
        }
    }

    #[test]
    fn only_clerks_and_reviewers_receive_numbers() {
        assert!(sees_my_numbers(&actor(Role::OfficeClerk)));
        assert!(sees_my_numbers(&actor(Role::SecretariatReviewer)));
        assert!(!sees_my_numbers(&actor(Role::OfficeHead)));
        assert!(!sees_my_numbers(&actor(Role::Approver)));
        assert!(!sees_my_numbers(&actor(Role::ItAdmin)));
    }

    #[test]
    fn an_ocr_document_keeps_no_sensitive_value() {
        let mut body = json!({
            "result": { "fields": [
                { "field": "my_number", "sensitive": true, "value": "123456789018",
                  "readings": [{ "text": "123456789018" }, { "text": "123456789019" }] },
                { "field": "name", "sensitive": false, "value": "山田 太郎",
                  "readings": [{ "text": "山田 太郎" }] },
                { "field": "blank", "sensitive": true, "value": "", "readings": [] },
            ]},
            "work": [
                { "field": "my_number", "entries": [{ "value": "123456789019" }],
                  "arbitration": { "value": "123456789018" } },
                { "field": "name", "entries": [{ "value": "山田 太郎" }] },
            ],
            "history": [
                { "field": "my_number", "before": { "entries": [{ "value": "123456789019" }] } },
            ],
        });
        let stored = body.clone();
        withhold(OCR_DOCUMENT, &mut body);
        let text = body.to_string();
        assert!(!text.contains("12345678901"), "{text}");
        assert_eq!(body["result"]["fields"][0]["value"], WITHHELD);
        assert_eq!(body["result"]["fields"][1]["value"], "山田 太郎");
        assert_eq!(body["result"]["fields"][2]["value"], "");
        assert_eq!(body["work"][1]["entries"][0]["value"], "山田 太郎");
        // Written back as received: everything is as stored.
        restore_withheld(&mut body, Some(&stored));
        assert_eq!(body, stored);
    }
}
