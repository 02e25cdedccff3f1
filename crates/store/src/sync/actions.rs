//! Commands that act on a record without changing its content (電子決裁: submit, approve,
//! return, …), and what the server answered to them.
//!
//! Such a command leaves the record's draft alone: the clerk typed nothing new. It is
//! ordered after any still-unsent create or update of the same record (`after_seq`), so
//! a drafter who edits and then submits sends both, in that order, each bound to the
//! version the previous one produced. The server's answer to it never labels the draft
//! (see `apply_push_results`): a refused approval is not a refused edit.

use chrono::{DateTime, Utc};
use rusqlite::params;
use uuid::Uuid;

use super::outbox::{append, last_pending_for, NewCommand, OutboxState};
use super::records::current;
use super::{parse_time, parse_uuid, seq_from_sql, SyncRepo};
use crate::StoreError;

/// Command names starting with this act on a record without changing its content.
pub const APPROVAL_PREFIX: &str = "approval.";

/// Command names starting with this report on a record (working time, `work.time`)
/// without changing it: content-free like the approval actions.
pub(crate) const WORK_PREFIX: &str = "work.";

/// Whether a command is a content-free action (its answer never labels the draft).
pub(super) fn is_action(name: &str) -> bool {
    name.starts_with(APPROVAL_PREFIX) || name.starts_with(WORK_PREFIX)
}

/// One approval command of this profile and where it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionOutcome {
    pub seq: u64,
    pub name: String,
    pub record_id: Uuid,
    /// Pending (送信待ち), applied, conflict or rejected.
    pub state: OutboxState,
    pub code: Option<String>,
    /// The server's Japanese explanation of a conflict or refusal.
    pub message: Option<String>,
    pub payload: serde_json::Value,
    pub issued_at: DateTime<Utc>,
    /// When the row last changed (the answer's arrival, for answered ones).
    pub updated_at: DateTime<Utc>,
}

impl SyncRepo<'_> {
    /// Appends an action on record `id` (`approval.act@1`, …) to the outbox without
    /// touching its draft. It is based on the server version the clerk saw, or chained
    /// after the record's newest unsent command. Refused for a record the server has
    /// never confirmed and that has nothing on its way (it must be created first).
    pub fn record_action_local(
        &mut self,
        id: Uuid,
        name: &str,
        version: u32,
        payload: &serde_json::Value,
    ) -> Result<u64, StoreError> {
        self.record_action_audited(id, name, version, payload, None)
    }

    /// [`record_action_local`](Self::record_action_local) with its audit log entry written
    /// in the same transaction: both are kept or neither. The outbox seq is added to the
    /// entry's detail (an object) as `outboxSeq`.
    pub fn record_action_audited(
        &mut self,
        id: Uuid,
        name: &str,
        version: u32,
        payload: &serde_json::Value,
        audit: Option<kyosai_audit::NewEntry>,
    ) -> Result<u64, StoreError> {
        if name.trim().is_empty() {
            return Err(StoreError::InvalidInput { field: "操作名" });
        }
        let id_text = id.to_string();
        let tx = self.conn.transaction()?;
        let cur = current(&tx, id)?;
        let (base_version, after_seq) = match last_pending_for(&tx, &id_text)? {
            Some(seq) => (None, Some(seq)),
            None => match cur.version {
                Some(v) => (Some(v), None),
                None => return Err(StoreError::DraftInFlight { id }),
            },
        };
        let seq = append(
            &tx,
            &NewCommand {
                name,
                version,
                record_id: &id_text,
                base_version,
                after_seq,
                payload,
            },
        )?;
        if let Some(mut entry) = audit {
            if let Some(detail) = entry.detail.as_object_mut() {
                detail.insert("outboxSeq".into(), seq.into());
            }
            crate::audit::append(&tx, entry)?;
        }
        tx.commit()?;
        self.outbox_changed();
        Ok(seq)
    }

    /// The newest approval commands of this profile (names starting with
    /// [`APPROVAL_PREFIX`]), newest first, at most `limit`.
    pub fn approval_outcomes(&self, limit: usize) -> Result<Vec<ActionOutcome>, StoreError> {
        let like = format!("{APPROVAL_PREFIX}%");
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, name, record_id, state, result_code, result_message, payload,
                    issued_at, updated_at
             FROM outbox WHERE name LIKE ?1 ORDER BY seq DESC LIMIT ?2",
        )?;
        let rows = stmt
            .query_map(params![like, limit], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, String>(8)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|r| {
                let issued_at = parse_time(Some(r.7), "outbox.issued_at")?.unwrap_or_else(Utc::now);
                Ok(ActionOutcome {
                    seq: seq_from_sql(r.0)?,
                    name: r.1,
                    record_id: parse_uuid(&r.2, "outbox.record_id")?,
                    state: OutboxState::parse(&r.3)?,
                    code: r.4,
                    message: r.5,
                    payload: super::parse_json(&r.6, "outbox.payload")?,
                    issued_at,
                    updated_at: parse_time(Some(r.8), "outbox.updated_at")?.unwrap_or(issued_at),
                })
            })
            .collect()
    }

    /// The records with an approval command still unsent (送信待ち).
    pub fn records_with_pending_actions(&self) -> Result<Vec<Uuid>, StoreError> {
        let like = format!("{APPROVAL_PREFIX}%");
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT record_id FROM outbox WHERE state = 'pending' AND name LIKE ?1",
        )?;
        let rows = stmt
            .query_map(params![like], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        rows.iter()
            .map(|s| parse_uuid(s, "outbox.record_id"))
            .collect()
    }
}
