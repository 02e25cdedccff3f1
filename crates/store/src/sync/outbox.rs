//! `outbox`: the clerk's commands in the order they were issued, and what the server
//! answered.

use chrono::{DateTime, Utc};
use kyosai_sync_protocol::{CommandEnvelope, CommandResult, Outcome};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use uuid::Uuid;

use super::actions::is_action;
use super::{
    parse_json, parse_time, parse_uuid, refresh_label, seq_from_sql, seq_to_sql, time_text,
    to_json_text, SyncRepo,
};
use crate::StoreError;

/// Where a command stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutboxState {
    /// Not answered yet (it may have reached the server; it is sent again until answered).
    Pending,
    /// The server applied it.
    SentApplied,
    /// The server recorded a conflict; the draft is kept, labelled 競合.
    Conflict,
    /// The server refused it; the draft is kept, labelled 差戻し.
    Rejected,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::SentApplied => "sent_applied",
            OutboxState::Conflict => "conflict",
            OutboxState::Rejected => "rejected",
        }
    }

    pub(super) fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "pending" => OutboxState::Pending,
            "sent_applied" => OutboxState::SentApplied,
            "conflict" => OutboxState::Conflict,
            "rejected" => OutboxState::Rejected,
            other => {
                return Err(StoreError::DataInvalid {
                    what: format!("outbox.state {other}"),
                })
            }
        })
    }
}

/// One outbox row, for diagnostics and tests.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    pub seq: u64,
    pub name: String,
    pub version: u32,
    pub record_id: Uuid,
    pub base_version: Option<i64>,
    pub after_seq: Option<u64>,
    pub payload: serde_json::Value,
    pub issued_at: DateTime<Utc>,
    pub state: OutboxState,
    pub applied_version: Option<i64>,
    pub result_code: Option<String>,
    pub result_message: Option<String>,
    pub conflict_id: Option<Uuid>,
}

/// The numbers of the status bar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncCounts {
    /// Commands waiting to be sent or answered.
    pub pending: u64,
    /// Records whose draft is in conflict (競合).
    pub conflicted: u64,
    /// Records whose draft the server refused (差戻し).
    pub rejected: u64,
}

/// What [`SyncRepo::apply_push_results`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PushApplied {
    pub applied: usize,
    pub conflicts: usize,
    pub rejected: usize,
    /// Results for commands that were already answered (a replay) or that this outbox
    /// does not hold.
    pub ignored: usize,
}

/// A command to append, in the transaction of the local change it describes.
pub(super) struct NewCommand<'a> {
    pub name: &'a str,
    pub version: u32,
    pub record_id: &'a str,
    pub base_version: Option<i64>,
    pub after_seq: Option<u64>,
    pub payload: &'a serde_json::Value,
}

/// Appends `cmd` with the next seq. Must run inside the caller's transaction: the seq
/// counter and the row are written together, so a rollback returns the seq too.
pub(super) fn append(tx: &Transaction<'_>, cmd: &NewCommand<'_>) -> Result<u64, StoreError> {
    let now = Utc::now();
    let seq: i64 = tx.query_row(
        "UPDATE sync_state SET last_seq = last_seq + 1, updated_at = ?1 WHERE id = 1
         RETURNING last_seq",
        params![crate::now_rfc3339()],
        |r| r.get(0),
    )?;
    let after_seq = cmd.after_seq.map(seq_to_sql).transpose()?;
    tx.prepare_cached(
        "INSERT INTO outbox (seq, name, version, record_id, base_version, after_seq, payload,
                             issued_at, state, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending', ?8)",
    )?
    .execute(params![
        seq,
        cmd.name,
        cmd.version,
        cmd.record_id,
        cmd.base_version,
        after_seq,
        to_json_text(cmd.payload),
        time_text(now),
    ])?;
    seq_from_sql(seq)
}

/// The newest unanswered command on a record, if any.
pub(super) fn last_pending_for(
    conn: &Connection,
    record_id: &str,
) -> Result<Option<u64>, StoreError> {
    let seq: Option<i64> = conn
        .prepare_cached("SELECT max(seq) FROM outbox WHERE record_id = ?1 AND state = 'pending'")?
        .query_row(params![record_id], |r| r.get(0))?;
    seq.map(seq_from_sql).transpose()
}

pub(super) fn has_unsent_work(conn: &Connection) -> Result<bool, StoreError> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM outbox WHERE state = 'pending' AND name NOT LIKE 'work.%')
             OR EXISTS (SELECT 1 FROM records WHERE dirty = 1)",
        [],
        |r| r.get(0),
    )?)
}

/// The base version a command is sent with. A command issued while an earlier command on
/// the same record was unsent is based on that command's result: it is bound once that
/// one is answered (`None` = not bound yet, wait).
fn binding(conn: &Connection, seq: i64) -> Result<Option<Option<i64>>, StoreError> {
    let mut seq = seq;
    // Walks back along after_seq; each step goes to a smaller seq, so this ends.
    loop {
        let row: Option<(Option<i64>, Option<i64>)> = conn
            .prepare_cached("SELECT base_version, after_seq FROM outbox WHERE seq = ?1")?
            .query_row(params![seq], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((base, after)) = row else {
            return Ok(Some(None));
        };
        let Some(after) = after else {
            return Ok(Some(base));
        };
        let pred: Option<(String, Option<i64>)> = conn
            .prepare_cached("SELECT state, applied_version FROM outbox WHERE seq = ?1")?
            .query_row(params![after], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match pred {
            None => return Ok(Some(base)),
            Some((state, applied)) => match OutboxState::parse(&state)? {
                OutboxState::Pending => return Ok(None),
                OutboxState::SentApplied => return Ok(Some(applied)),
                // The earlier command did not apply: this one is sent on the same base,
                // so the server answers it the same way instead of applying it on top of
                // someone else's change.
                OutboxState::Conflict | OutboxState::Rejected => seq = after,
            },
        }
    }
}

impl SyncRepo<'_> {
    /// Up to `limit` unanswered commands in `seq` order, ready to push. Stops before a
    /// command that depends on an earlier command of the same batch (it is sent once that
    /// one is answered), so the result is always a gapless run from the oldest pending seq.
    pub fn pending_commands(&self, limit: usize) -> Result<Vec<CommandEnvelope>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, name, version, record_id, payload, issued_at
             FROM outbox WHERE state = 'pending' ORDER BY seq LIMIT ?1",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map(params![limit], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, u32>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut out = Vec::with_capacity(rows.len());
        for (seq, name, version, record_id, payload, issued_at) in rows {
            let Some(base_version) = binding(self.conn, seq)? else {
                break;
            };
            out.push(CommandEnvelope {
                seq: seq_from_sql(seq)?,
                name,
                version,
                record_id: parse_uuid(&record_id, "outbox.record_id")?,
                base_version,
                payload: parse_json(&payload, "outbox.payload")?,
                issued_at: parse_time(Some(issued_at), "outbox.issued_at")?
                    .unwrap_or_else(Utc::now),
            });
        }
        Ok(out)
    }

    /// Applies the server's answers in one transaction. Applied: the record takes the
    /// server's version and its draft is cleared unless a later unanswered command still
    /// touches it. Conflict / rejected: the draft stays, labelled. Answers for commands
    /// already answered are ignored, so a replayed response changes nothing.
    pub fn apply_push_results(
        &mut self,
        results: &[CommandResult],
    ) -> Result<PushApplied, StoreError> {
        let tx = self.conn.transaction()?;
        let mut done = PushApplied::default();
        let now = crate::now_rfc3339();
        for result in results {
            let seq = seq_to_sql(result.seq)?;
            let row: Option<(String, String, String)> = tx
                .prepare_cached("SELECT record_id, state, name FROM outbox WHERE seq = ?1")?
                .query_row(params![seq], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?;
            let Some((record_id, state, name)) = row else {
                tracing::warn!(
                    seq = result.seq,
                    "push result for a seq this outbox does not hold"
                );
                done.ignored += 1;
                continue;
            };
            if OutboxState::parse(&state)? != OutboxState::Pending {
                done.ignored += 1;
                continue;
            }
            let later_pending: bool = tx
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM outbox
                                    WHERE record_id = ?1 AND seq > ?2 AND state = 'pending')",
                )?
                .query_row(params![record_id, seq], |r| r.get(0))?;
            match &result.outcome {
                Outcome::Applied {
                    record_id: answered,
                    version,
                } => {
                    if answered.to_string() != record_id {
                        tracing::warn!(seq = result.seq, %answered, %record_id,
                            "applied result names another record; the outbox's record is used");
                    }
                    tx.prepare_cached(
                        "UPDATE outbox SET state = 'sent_applied', applied_version = ?2,
                                updated_at = ?3 WHERE seq = ?1",
                    )?
                    .execute(params![seq, version, now])?;
                    if is_action(&name) {
                        action_applied(&tx, &record_id, *version, later_pending)?;
                    } else {
                        apply_applied(&tx, &record_id, *version, later_pending)?;
                    }
                    done.applied += 1;
                }
                Outcome::Conflict {
                    conflict_id,
                    code,
                    message,
                } => {
                    tx.prepare_cached(
                        "UPDATE outbox SET state = 'conflict', result_code = ?2,
                                result_message = ?3, conflict_id = ?4, updated_at = ?5
                         WHERE seq = ?1",
                    )?
                    .execute(params![
                        seq,
                        code,
                        message,
                        conflict_id.to_string(),
                        now
                    ])?;
                    if is_action(&name) {
                        action_not_applied(&tx, &record_id, later_pending)?;
                    } else {
                        mark_draft(
                            &tx,
                            &record_id,
                            "conflict",
                            code,
                            message,
                            Some(*conflict_id),
                        )?;
                    }
                    done.conflicts += 1;
                }
                Outcome::Rejected { code, message } => {
                    tx.prepare_cached(
                        "UPDATE outbox SET state = 'rejected', result_code = ?2,
                                result_message = ?3, updated_at = ?4
                         WHERE seq = ?1",
                    )?
                    .execute(params![seq, code, message, now])?;
                    if is_action(&name) {
                        action_not_applied(&tx, &record_id, later_pending)?;
                    } else {
                        mark_draft(&tx, &record_id, "rejected", code, message, None)?;
                    }
                    done.rejected += 1;
                }
            }
        }
        tx.commit()?;
        self.outbox_changed();
        Ok(done)
    }

    /// The numbers for the status bar. Working-time reports (`work.*`) are not counted
    /// here nor in [`Self::has_unsent_work`]: they are measurements the clerk never typed,
    /// they stay queued across a sign-out (the profile's outbox is kept) and go with the
    /// same user's next sign-in, so they must not hold a sign-out back or show as
    /// 「未送信」 work.
    pub fn counts(&self) -> Result<SyncCounts, StoreError> {
        let (pending, conflicted, rejected): (i64, i64, i64) = self.conn.query_row(
            "SELECT (SELECT count(*) FROM outbox WHERE state = 'pending' AND name NOT LIKE 'work.%'),
                    (SELECT count(*) FROM records WHERE dirty = 1 AND local_state = 'conflict'),
                    (SELECT count(*) FROM records WHERE dirty = 1 AND local_state = 'rejected')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        Ok(SyncCounts {
            pending: u64::try_from(pending).unwrap_or(0),
            conflicted: u64::try_from(conflicted).unwrap_or(0),
            rejected: u64::try_from(rejected).unwrap_or(0),
        })
    }

    /// True while any command is unanswered or any draft (pending, conflicted, rejected,
    /// revoked) is not settled: sign-out and a change of user are refused then.
    pub fn has_unsent_work(&self) -> Result<bool, StoreError> {
        has_unsent_work(self.conn)
    }

    /// Every outbox row in seq order (diagnostics and tests).
    pub fn outbox_entries(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, name, version, record_id, base_version, after_seq, payload, issued_at,
                    state, applied_version, result_code, result_message, conflict_id
             FROM outbox ORDER BY seq",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, u32>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<i64>>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, String>(8)?,
                    r.get::<_, Option<i64>>(9)?,
                    r.get::<_, Option<String>>(10)?,
                    r.get::<_, Option<String>>(11)?,
                    r.get::<_, Option<String>>(12)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|r| {
                Ok(OutboxEntry {
                    seq: seq_from_sql(r.0)?,
                    name: r.1,
                    version: r.2,
                    record_id: parse_uuid(&r.3, "outbox.record_id")?,
                    base_version: r.4,
                    after_seq: r.5.map(seq_from_sql).transpose()?,
                    payload: parse_json(&r.6, "outbox.payload")?,
                    issued_at: parse_time(Some(r.7), "outbox.issued_at")?.unwrap_or_else(Utc::now),
                    state: OutboxState::parse(&r.8)?,
                    applied_version: r.9,
                    result_code: r.10,
                    result_message: r.11,
                    conflict_id: r
                        .12
                        .as_deref()
                        .map(|s| parse_uuid(s, "outbox.conflict_id"))
                        .transpose()?,
                })
            })
            .collect()
    }
}

/// The record side of an applied command.
fn apply_applied(
    tx: &Transaction<'_>,
    record_id: &str,
    version: i64,
    later_pending: bool,
) -> Result<(), StoreError> {
    let row: Option<(Option<i64>, bool, bool)> = tx
        .prepare_cached("SELECT version, dirty, revoked FROM records WHERE id = ?1")?
        .query_row(params![record_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let Some((server_version, dirty, revoked)) = row else {
        return Ok(());
    };
    let now = crate::now_rfc3339();
    if !dirty {
        // Nothing of the clerk's to settle; keep the newest version we know.
        tx.prepare_cached(
            "UPDATE records SET version = ?2 WHERE id = ?1 AND (version IS NULL OR version < ?2)",
        )?
        .execute(params![record_id, version])?;
        return Ok(());
    }
    if later_pending {
        // The draft moves on: later commands build on this version.
        tx.prepare_cached(
            "UPDATE records SET local_base_version = ?2, local_state = 'pending',
                    local_code = NULL, local_message = NULL, local_conflict_id = NULL,
                    local_updated_at = ?3
             WHERE id = ?1",
        )?
        .execute(params![record_id, version, now])?;
        refresh_label(tx, record_id)?;
        return Ok(());
    }
    if revoked {
        // Confirmed on the server, which no longer shows it to this user.
        tx.prepare_cached("DELETE FROM records WHERE id = ?1")?
            .execute(params![record_id])?;
        return Ok(());
    }
    if server_version.is_none_or(|v| v < version) {
        // The server now holds exactly the draft: it becomes the local copy until the
        // next pull brings the server's own (state, who, when).
        tx.prepare_cached(
            "UPDATE records SET version = ?2, title = local_title, body = local_body,
                    office_code = coalesce(local_office_code, office_code)
             WHERE id = ?1",
        )?
        .execute(params![record_id, version])?;
    }
    tx.prepare_cached(
        "UPDATE records SET dirty = 0, local_title = NULL, local_body = NULL,
                local_office_code = NULL, local_state = NULL, local_base_version = NULL,
                local_code = NULL, local_message = NULL, local_conflict_id = NULL,
                local_updated_at = NULL, revoked = 0, label = NULL
         WHERE id = ?1",
    )?
    .execute(params![record_id])?;
    Ok(())
}

/// The draft of `record_id` when it waits only for this answer: `Some(base)` when it is
/// pending (every content command before was applied; `base` is the version the last
/// one produced) and no later command touches the record.
fn settled_pending_draft(
    tx: &Transaction<'_>,
    record_id: &str,
    later_pending: bool,
) -> Result<Option<Option<i64>>, StoreError> {
    if later_pending {
        return Ok(None);
    }
    let row: Option<(bool, Option<String>, Option<i64>)> = tx
        .prepare_cached("SELECT dirty, local_state, local_base_version FROM records WHERE id = ?1")?
        .query_row(params![record_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    Ok(match row {
        Some((true, Some(state), base)) if state == "pending" => Some(base),
        _ => None,
    })
}

/// The record side of an applied action (no content of its own). A pending draft whose
/// content commands were all applied is settled as for any applied command; a
/// conflicted or refused draft stays as it is (the action did not confirm it), and only
/// the server copy's version moves on.
fn action_applied(
    tx: &Transaction<'_>,
    record_id: &str,
    version: i64,
    later_pending: bool,
) -> Result<(), StoreError> {
    let dirty: Option<(bool, Option<String>)> = tx
        .prepare_cached("SELECT dirty, local_state FROM records WHERE id = ?1")?
        .query_row(params![record_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match dirty {
        Some((true, Some(state))) if state == "pending" => {
            apply_applied(tx, record_id, version, later_pending)
        }
        Some(_) => {
            tx.prepare_cached(
                "UPDATE records SET version = ?2
                 WHERE id = ?1 AND version IS NOT NULL AND version < ?2",
            )?
            .execute(params![record_id, version])?;
            Ok(())
        }
        None => Ok(()),
    }
}

/// The record side of a conflicted or refused action: the draft is not labelled (the
/// clerk's content was not what the server refused). A pending draft that waited only
/// for this answer is settled on the version its last content command produced.
fn action_not_applied(
    tx: &Transaction<'_>,
    record_id: &str,
    later_pending: bool,
) -> Result<(), StoreError> {
    if let Some(Some(base)) = settled_pending_draft(tx, record_id, later_pending)? {
        apply_applied(tx, record_id, base, false)?;
    }
    Ok(())
}

/// The record side of a conflicted or rejected command: the draft stays, labelled.
fn mark_draft(
    tx: &Transaction<'_>,
    record_id: &str,
    state: &str,
    code: &str,
    message: &str,
    conflict_id: Option<Uuid>,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "UPDATE records SET local_state = ?2, local_code = ?3, local_message = ?4,
                local_conflict_id = ?5, local_updated_at = ?6
         WHERE id = ?1 AND dirty = 1",
    )?
    .execute(params![
        record_id,
        state,
        code,
        message,
        conflict_id.map(|c| c.to_string()),
        crate::now_rfc3339()
    ])?;
    refresh_label(tx, record_id)?;
    Ok(())
}
