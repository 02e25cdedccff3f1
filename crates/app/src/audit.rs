//! The app's side of the audit log (`kyosai-audit`, stored by `kyosai_store::audit`).
//!
//! Where an action writes to the local database (a 決裁 command, settings), its entry is
//! written in the same transaction by the store (`record_action_audited`,
//! `put_all_audited`). This module covers the rest:
//!
//! - events with nothing else to write: sign-in, sign-out ([`record`]);
//! - files leaving the app (PDF, 全銀, CSV): [`record_export_on`] writes the entry once
//!   the file is complete and removes the file if the entry cannot be written, so nothing
//!   leaves unaudited;
//! - 「監査ログを書き出す」 ([`export_on`]): the whole log as JSON Lines for IT, who check
//!   it with `kyosai audit verify`; and the check itself on this PC ([`status_on`]).
//!
//! The actor is the signed-in user's id. Callers that do not carry the user take the
//! profile's user ([`profile_actor`]): a profile belongs to the last user who signed in
//! and is refused to another while that user's work is unsent.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use kyosai_audit::{actions, Head, NewEntry};
use kyosai_domain::approval as ap;
use kyosai_store::Store;
use kyosai_sync_client::SharedStore;
use serde::Serialize;

use crate::sync::with_store;
use crate::AppError;

/// The actor of an event when no user has ever signed in on this profile.
pub const NO_ACTOR: &str = "-";

/// The user this profile belongs to, or [`NO_ACTOR`].
pub fn profile_actor(store: &mut Store) -> Result<String, AppError> {
    Ok(store
        .sync()
        .state()?
        .user_id
        .unwrap_or_else(|| NO_ACTOR.to_owned()))
}

/// Appends `new` in a transaction of its own.
pub fn record_on(store: &mut Store, new: NewEntry) -> Result<(), AppError> {
    let entry = store.audit().append(new)?;
    tracing::info!(seq = entry.seq, action = %entry.action, "audited");
    Ok(())
}

/// [`record_on`] on the shared store.
pub async fn record(store: &SharedStore, new: NewEntry) -> Result<(), AppError> {
    with_store(store, move |s| record_on(s, new)).await
}

/// Records a file written at `path` (an export). If the entry cannot be written, the file
/// is removed and the error returned: no file leaves the app without its entry. An empty
/// `actor` is the profile's user ([`profile_actor`]).
pub fn record_export_on(store: &mut Store, mut new: NewEntry, path: &Path) -> Result<(), AppError> {
    let recorded = (|| {
        if new.actor.is_empty() {
            new.actor = profile_actor(store)?;
        }
        record_on(store, new)
    })();
    match recorded {
        Ok(()) => Ok(()),
        Err(e) => {
            if let Err(rm) = std::fs::remove_file(path) {
                tracing::error!(error = %rm, code = %e.code, "unaudited export could not be removed");
            } else {
                tracing::warn!(code = %e.code, "export removed: its audit entry was refused");
            }
            Err(e)
        }
    }
}

/// [`record_export_on`] on the shared store.
pub async fn record_export(
    store: &SharedStore,
    new: NewEntry,
    path: PathBuf,
) -> Result<(), AppError> {
    with_store(store, move |s| record_export_on(s, new, &path)).await
}

/// The file name of an export: its name (the last part of the path) only — the folder
/// can hold the user's name (`C:\Users\…`).
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// What 「監査ログを書き出す」 wrote, or what 「監査ログを確認」 found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AuditLogView {
    /// The file written (empty for a check).
    pub path: String,
    /// How many entries.
    pub count: u32,
    /// The last entry's seq and hash (`SEQ:HASH`, for `kyosai audit verify --anchor`);
    /// empty for an empty log.
    pub head: String,
    /// Whether the chain is intact.
    pub intact: bool,
    /// Where and how it is broken (Japanese), when it is.
    pub problem: Option<String>,
}

impl AuditLogView {
    fn new(path: String, count: u64, head: Option<&Head>, problem: Option<String>) -> Self {
        AuditLogView {
            path,
            count: u32::try_from(count).unwrap_or(u32::MAX),
            head: head.map(Head::to_string).unwrap_or_default(),
            intact: problem.is_none(),
            problem,
        }
    }
}

/// 監査ログ_YYYYMMDD_HHMMSS.jsonl (Japan time).
pub fn export_file_name(now: DateTime<Utc>) -> String {
    format!("監査ログ_{}.jsonl", ap::jst(now).format("%Y%m%d_%H%M%S"))
}

/// Checks the whole log on this PC.
pub fn status_on(store: &mut Store) -> Result<AuditLogView, AppError> {
    let entries = store.audit().entries()?;
    let count = entries.len() as u64;
    Ok(match store.audit().verify(None)? {
        Ok(summary) => AuditLogView::new(String::new(), count, summary.head.as_ref(), None),
        Err(b) => {
            tracing::error!(code = b.code(), seq = ?b.seq, position = b.position, "audit log broken");
            let head = entries.last().map(kyosai_audit::Entry::head);
            AuditLogView::new(String::new(), count, head.as_ref(), Some(b.message()))
        }
    })
}

/// Writes the whole log, as JSON Lines, into `dir`; the export is itself the log's last
/// entry (`export.audit` by `actor`; empty: the profile's user). The file appears whole
/// or not at all (written as `….partial` and renamed); the log is exported as it is even
/// when broken, with the problem reported.
pub fn export_on(
    store: &mut Store,
    actor: &str,
    dir: &Path,
    now: DateTime<Utc>,
) -> Result<AuditLogView, AppError> {
    let actor = if actor.is_empty() {
        profile_actor(store)?
    } else {
        actor.to_owned()
    };
    let write_error = |e: &dyn std::fmt::Display| {
        AppError::new(
            "audit.write",
            format!("監査ログを書き出せませんでした（{e}）。ダウンロードフォルダの空き容量と権限を確認してください。"),
        )
    };
    std::fs::create_dir_all(dir).map_err(|e| write_error(&e))?;
    let path = dir.join(export_file_name(now));
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let new = NewEntry::now(actor, actions::EXPORT_AUDIT)
        .target(file_name(&path))
        .at(now);
    let written = (|| {
        let file = std::fs::File::create(&partial).map_err(|e| write_error(&e))?;
        let mut out = std::io::BufWriter::new(file);
        let summary = store.audit().export_jsonl(new, &mut out)?;
        let file = out.into_inner().map_err(|e| write_error(&e.error()))?;
        file.sync_all().map_err(|e| write_error(&e))?;
        std::fs::rename(&partial, &path).map_err(|e| write_error(&e))?;
        Ok::<_, AppError>(summary)
    })();
    let summary = match written {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    let problem = store.audit().verify(None)?.err().map(|b| {
        tracing::error!(code = b.code(), seq = ?b.seq, "audit log exported broken");
        b.message()
    });
    tracing::info!(count = summary.count, "audit log exported");
    Ok(AuditLogView::new(
        path.display().to_string(),
        summary.count,
        summary.head.as_ref(),
        problem,
    ))
}

/// [`export_on`] on the shared store, now.
pub async fn export(
    store: &SharedStore,
    actor: String,
    dir: PathBuf,
) -> Result<AuditLogView, AppError> {
    with_store(store, move |s| export_on(s, &actor, &dir, Utc::now())).await
}

/// [`status_on`] on the shared store.
pub async fn status(store: &SharedStore) -> Result<AuditLogView, AppError> {
    with_store(store, status_on).await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    #[test]
    fn the_export_is_a_verifiable_file_that_ends_with_its_own_entry() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("kyosai.db")).unwrap();
        assert_eq!(profile_actor(&mut store).unwrap(), NO_ACTOR);
        record_on(
            &mut store,
            NewEntry::now("tanto1203", actions::AUTH_SIGN_IN),
        )
        .unwrap();
        record_on(
            &mut store,
            NewEntry::now("tanto1203", actions::CONFIG_CHANGE)
                .detail(json!({"keys": ["proxyUrl"]})),
        )
        .unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 26, 6, 30, 0).unwrap();
        let out = dir.path().join("downloads");
        let view = export_on(&mut store, "it0001", &out, now).unwrap();
        assert!(
            view.path.ends_with("監査ログ_20261126_153000.jsonl"),
            "{}",
            view.path
        );
        assert_eq!(
            (view.count, view.intact, view.problem.clone()),
            (3, true, None)
        );
        let text = std::fs::read_to_string(&view.path).unwrap();
        let entries = kyosai_audit::read_jsonl(text.as_bytes()).unwrap();
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[2].action, actions::EXPORT_AUDIT);
        assert_eq!(entries[2].actor, "it0001");
        assert_eq!(
            entries[2].target.as_deref(),
            Some("監査ログ_20261126_153000.jsonl")
        );
        assert_eq!(entries[2].head().to_string(), view.head);
        assert!(kyosai_audit::verify(&entries, Head::parse(&view.head).as_ref()).is_ok());
        assert!(!out.join("監査ログ_20261126_153000.jsonl.partial").exists());
        assert_eq!(status_on(&mut store).unwrap().count, 3);
    }

    #[test]
    fn an_export_whose_entry_is_refused_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("kyosai.db")).unwrap();
        let file = dir.path().join("振込データ.txt");
        std::fs::write(&file, "1").unwrap();
        let err = record_export_on(
            &mut store,
            NewEntry::now("tanto1203", actions::EXPORT_ZENGIN)
                .detail(json!({"accountNumber": "1234567"})),
            &file,
        )
        .unwrap_err();
        assert_eq!(err.code, "audit.detail_sensitive_key");
        assert!(!file.exists());
        std::fs::write(&file, "1").unwrap();
        record_export_on(
            &mut store,
            NewEntry::now("tanto1203", actions::EXPORT_ZENGIN).target(file_name(&file)),
            &file,
        )
        .unwrap();
        assert!(file.exists());
        assert_eq!(
            store.audit().entries().unwrap()[0].target.as_deref(),
            Some("振込データ.txt")
        );
    }
}
