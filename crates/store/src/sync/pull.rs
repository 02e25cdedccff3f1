//! Applying a pulled page: server copies change, drafts never do.

use kyosai_sync_protocol::{Change, PullResponse, Record};
use rusqlite::{params, Transaction};

use super::{refresh_label, time_text, to_json_text, SyncRepo};
use crate::StoreError;

/// What [`SyncRepo::apply_pull_page`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PullApplied {
    pub upserted: usize,
    /// Upserts older than the copy already held (ignored).
    pub stale: usize,
    /// Revoked records removed.
    pub removed: usize,
    /// Revoked records kept because they hold a draft (labelled).
    pub kept_drafts: usize,
    /// Server copies dropped by a reset.
    pub reset_removed: usize,
}

impl SyncRepo<'_> {
    /// Applies one pull page and saves its cursor, in one transaction: either all of it
    /// or none. A reset first drops every server copy that holds no draft; upserts
    /// replace server copies (never the draft columns); a revoke removes the local copy
    /// unless it holds a draft, which is then labelled 「閲覧権限がなくなりました」.
    pub fn apply_pull_page(&mut self, page: &PullResponse) -> Result<PullApplied, StoreError> {
        let tx = self.conn.transaction()?;
        let mut done = PullApplied::default();
        if page.reset {
            done.reset_removed = tx.execute("DELETE FROM records WHERE dirty = 0", [])?;
            tracing::info!(
                removed = done.reset_removed,
                "pull reset: server copies dropped"
            );
        }
        for change in &page.changes {
            match change {
                Change::Upsert { record } => {
                    if upsert(&tx, record, page.reset)? {
                        done.upserted += 1;
                    } else {
                        done.stale += 1;
                    }
                }
                Change::Revoke { record_id } => {
                    let id = record_id.to_string();
                    let n = tx
                        .prepare_cached("DELETE FROM records WHERE id = ?1 AND dirty = 0")?
                        .execute(params![id])?;
                    if n > 0 {
                        done.removed += 1;
                    } else {
                        let kept = tx
                            .prepare_cached(
                                "UPDATE records SET revoked = 1 WHERE id = ?1 AND dirty = 1",
                            )?
                            .execute(params![id])?;
                        if kept > 0 {
                            refresh_label(&tx, &id)?;
                            done.kept_drafts += 1;
                        }
                    }
                }
            }
        }
        tx.execute(
            "UPDATE sync_state SET cursor = ?1, updated_at = ?2 WHERE id = 1",
            params![page.cursor, crate::now_rfc3339()],
        )?;
        tx.commit()?;
        self.outbox_changed();
        Ok(done)
    }
}

/// Replaces the server copy of `r` unless the local copy is newer (an older change that
/// arrives after the clerk's own confirmed command). Returns whether it wrote.
fn upsert(tx: &Transaction<'_>, r: &Record, force: bool) -> Result<bool, StoreError> {
    let id = r.id.to_string();
    let n = tx
        .prepare_cached(
            "INSERT INTO records (id, kind, office_code, version, state, title, body,
                                  created_by, updated_by, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT (id) DO UPDATE SET
                kind = excluded.kind, office_code = excluded.office_code,
                version = excluded.version, state = excluded.state, title = excluded.title,
                body = excluded.body, created_by = excluded.created_by,
                updated_by = excluded.updated_by, created_at = excluded.created_at,
                updated_at = excluded.updated_at, revoked = 0
             WHERE ?12 OR records.version IS NULL OR excluded.version >= records.version",
        )?
        .execute(params![
            id,
            r.kind,
            r.office_code,
            r.version,
            r.state,
            r.title,
            to_json_text(&r.body),
            r.created_by,
            r.updated_by,
            time_text(r.created_at),
            time_text(r.updated_at),
            force,
        ])?;
    if n > 0 {
        refresh_label(tx, &id)?;
    }
    Ok(n > 0)
}
