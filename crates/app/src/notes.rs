//! 連絡メモ: short notes an office's staff leave for each other (hand-over, reminders).
//!
//! The first record kind that travels through the sync: a note is written locally (one
//! transaction with its outbox command), reaches the central service, and appears on the
//! PCs of the same office. Title up to 100 characters, text up to 4,000.

use kyosai_store::sync::LocalRecord;
use kyosai_sync_client::SharedStore;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::findings::{has_errors, FindingDto};
use crate::sync::{time_text, with_store};
use crate::AppError;

/// The record kind on the wire.
pub const KIND: &str = "note";
const MAX_TITLE: usize = 100;
const MAX_TEXT: usize = 4_000;

/// A note as the list and the editor show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct NoteView {
    pub id: String,
    pub title: String,
    pub text: String,
    pub office_code: String,
    /// 未送信, 競合, 差戻し, 閲覧権限がなくなりました; `None` when in step with the server.
    pub label: Option<String>,
    /// The server's version, `None` until the server has confirmed it.
    pub version: Option<u32>,
    pub updated_by: Option<String>,
    pub updated_at: Option<String>,
}

/// What the editor sends: no id for a new note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct NoteDraft {
    pub id: Option<String>,
    pub title: String,
    pub text: String,
}

fn view(r: &LocalRecord) -> NoteView {
    NoteView {
        id: r.id.to_string(),
        title: r.title.clone(),
        text: r
            .body
            .get("text")
            .and_then(|t| t.as_str())
            .unwrap_or_default()
            .to_string(),
        office_code: r.office_code.clone(),
        label: r.label.clone(),
        version: r
            .server
            .as_ref()
            .and_then(|s| u32::try_from(s.version).ok()),
        updated_by: r.server.as_ref().and_then(|s| s.updated_by.clone()),
        updated_at: r
            .draft
            .as_ref()
            .and_then(|d| d.updated_at)
            .or_else(|| r.server.as_ref().and_then(|s| s.updated_at))
            .map(time_text),
    }
}

/// Field findings for the editor (title required, lengths).
pub fn check(draft: &NoteDraft) -> Vec<FindingDto> {
    let mut out = Vec::new();
    let title = draft.title.trim();
    if title.is_empty() {
        out.push(FindingDto::error(
            "title",
            "note.title_required",
            "件名を入力してください。",
        ));
    } else if title.chars().count() > MAX_TITLE {
        out.push(FindingDto::error(
            "title",
            "note.title_too_long",
            format!("件名は{MAX_TITLE}文字以内にしてください。"),
        ));
    }
    if draft.text.chars().count() > MAX_TEXT {
        out.push(FindingDto::error(
            "text",
            "note.text_too_long",
            format!("本文は{MAX_TEXT}文字以内にしてください。"),
        ));
    }
    out
}

/// The notes of this profile, unconfirmed ones first.
pub async fn list(store: &SharedStore) -> Result<Vec<NoteView>, AppError> {
    with_store(store, |s| {
        Ok(s.sync().list_records(KIND)?.iter().map(view).collect())
    })
    .await
}

/// Saves a note locally (the draft and its outbox command in one transaction). The office
/// is the signed-in user's; the central service checks it again.
pub async fn save(
    store: &SharedStore,
    draft: NoteDraft,
    office_code: Option<String>,
) -> Result<NoteView, AppError> {
    let findings = check(&draft);
    if has_errors(&findings) {
        return Err(AppError::validation(&findings));
    }
    let title = draft.title.trim().to_string();
    let body = serde_json::json!({ "text": draft.text });
    let id = match &draft.id {
        Some(id) => Some(Uuid::parse_str(id).map_err(|_| {
            AppError::new(
                "request.invalid",
                "このメモが見つかりません。一覧から開き直してください。",
            )
        })?),
        None => None,
    };
    with_store(store, move |s| {
        let id = match id {
            Some(id) => {
                s.sync().record_update_local(id, &title, &body)?;
                id
            }
            None => {
                let office = office_code.ok_or_else(|| {
                    AppError::new(
                        "note.office_unknown",
                        "所属所が分かりません。サインインするか、「設定」で所属所番号を入力してください。",
                    )
                })?;
                s.sync().record_create_local(KIND, &office, &title, &body)?.0
            }
        };
        let record = s.sync().record(id)?.ok_or_else(|| {
            AppError::internal("note just saved is missing", &id)
        })?;
        Ok(view(&record))
    })
    .await
}
