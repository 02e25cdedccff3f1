//! The push algorithm, written once for both backends.
//!
//! It runs inside one write transaction that the backend opens and commits: the client's
//! binding, each command's stored result, the record it changed, the change-log rows
//! and any conflict are committed together or not at all. A crash or a cut response
//! therefore never loses or duplicates a command: the client resends, and every seq the
//! server already processed is answered from `command_results` instead of being applied
//! again.
//!
//! Each command processed for the first time also leaves one audit entry (applied, or
//! `….refused` with its code), appended in the same transaction; a replayed seq leaves
//! none (it was recorded when first processed).

use std::collections::HashMap;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use chrono::{DateTime, Utc};
use kyosai_sync_protocol::{CommandEnvelope, CommandResult, Conflict, Outcome, Record};
use uuid::Uuid;

use super::{PushOutcome, StorageError, WorkSessionRow};
use crate::commands::{self, Decision};
use crate::model::{Actor, ChangeOp};

/// The client id's owner and progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClientBinding {
    pub user_id: String,
    pub device_id: Uuid,
    pub last_seq: u64,
}

/// A processed command as remembered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredResult {
    pub command: String,
    pub version: u32,
    pub record_id: Uuid,
    pub outcome_json: String,
}

/// The operations the algorithm needs inside the open transaction.
///
/// A backend may answer reads from what it loaded before the push (PostgreSQL loads the
/// batch's records and stored results with the lock) and defer writes (PostgreSQL
/// collects them and sends them as a few multi-row statements in [`PushTx::flush`]);
/// reads inside the same push must then see the deferred writes, e.g. a second command
/// on a record sees the version the first wrote.
pub(crate) trait PushTx {
    /// Called once per push after the last command and [`PushTx::set_last_seq`], before
    /// the commit: writes whatever the backend deferred. Returns the newest change serial
    /// it wrote. Default: nothing deferred.
    async fn flush(&mut self) -> Result<Option<i64>, StorageError> {
        Ok(None)
    }
    async fn client(&mut self, client_id: Uuid) -> Result<Option<ClientBinding>, StorageError>;
    async fn bind_client(
        &mut self,
        client_id: Uuid,
        user_id: &str,
        device_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError>;
    async fn stored_result(
        &mut self,
        client_id: Uuid,
        seq: u64,
    ) -> Result<Option<StoredResult>, StorageError>;
    async fn record(&mut self, id: Uuid) -> Result<Option<Record>, StorageError>;
    /// Every record of `kind` in `office` as this push sees them (its own writes included).
    async fn records_of_kind(
        &mut self,
        office: &str,
        kind: &str,
    ) -> Result<Vec<Record>, StorageError>;
    async fn office_exists(&mut self, code: &str) -> Result<bool, StorageError>;
    async fn save_record(&mut self, record: &Record, is_new: bool) -> Result<(), StorageError>;
    async fn append_change(
        &mut self,
        record_id: Uuid,
        op: ChangeOp,
        office_code: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, StorageError>;
    async fn save_conflict(
        &mut self,
        conflict: &Conflict,
        user_id: &str,
    ) -> Result<(), StorageError>;
    async fn save_result(
        &mut self,
        client_id: Uuid,
        command: &CommandEnvelope,
        outcome_json: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError>;
    async fn set_last_seq(&mut self, client_id: Uuid, seq: u64) -> Result<(), StorageError>;
    /// Keeps a work session unless its id is stored already.
    async fn save_work_session(
        &mut self,
        session: &WorkSessionRow,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError>;
    /// Appends the push's audit entries, in order, to the audit log (called once, after
    /// the last command and before [`PushTx::flush`]; a backend may defer the writes to
    /// the flush).
    async fn append_audit(
        &mut self,
        entries: Vec<kyosai_audit::NewEntry>,
    ) -> Result<(), StorageError>;

    /// Writes everything one processed command leaves behind: its stored outcome, the
    /// record and change-log rows (applied) or the conflict. Returns the newest change
    /// serial written. Backends may defer them to [`PushTx::flush`] (PostgreSQL does).
    async fn write_command(&mut self, w: &CommandWrite<'_>) -> Result<Option<i64>, StorageError> {
        let mut newest = None;
        if let Some((record, is_new)) = w.record {
            self.save_record(record, is_new).await?;
            for (op, office) in w.changes {
                newest = Some(self.append_change(record.id, *op, office, w.now).await?);
            }
        }
        if let Some((conflict, user_id)) = w.conflict {
            self.save_conflict(conflict, user_id).await?;
        }
        if let Some(session) = w.work {
            self.save_work_session(session, w.now).await?;
        }
        self.save_result(w.client_id, w.command, w.outcome_json, w.now)
            .await?;
        Ok(newest)
    }
}

/// What one processed command writes.
#[derive(Debug)]
pub(crate) struct CommandWrite<'a> {
    pub client_id: Uuid,
    pub command: &'a CommandEnvelope,
    pub outcome_json: &'a str,
    pub now: DateTime<Utc>,
    /// The record's new state and whether it is new.
    pub record: Option<(&'a Record, bool)>,
    pub changes: &'a [(ChangeOp, String)],
    /// A conflict and the user it belongs to.
    pub conflict: Option<(&'a Conflict, &'a str)>,
    /// A work session to keep (`work.time`; the record is unchanged).
    pub work: Option<&'a WorkSessionRow>,
}

/// Checks a batch's seqs before touching anything: they must be consecutive, start at 1
/// or later, and not skip past `last + 1`.
pub(crate) fn check_seqs(last: u64, commands: &[CommandEnvelope]) -> Result<(), u64> {
    let Some(first) = commands.first() else {
        return Ok(());
    };
    if first.seq == 0 || first.seq > last + 1 {
        return Err(last + 1);
    }
    for (i, c) in commands.iter().enumerate() {
        if c.seq != first.seq + i as u64 {
            // The gap is inside the batch; report what the server will expect once the
            // consecutive part is in.
            return Err(last.max(first.seq + i as u64 - 1) + 1);
        }
    }
    Ok(())
}

/// Processes a push. The caller commits only on [`PushOutcome::Done`]. `client_head`,
/// the app's own audit head, is the first audit entry of the push.
pub(crate) async fn push<T: PushTx>(
    tx: &mut T,
    actor: &Actor,
    client_id: Uuid,
    commands: &[CommandEnvelope],
    now: DateTime<Utc>,
    client_head: Option<kyosai_audit::NewEntry>,
) -> Result<PushOutcome, StorageError> {
    let last = match tx.client(client_id).await? {
        Some(b) => {
            if b.user_id != actor.user_id || b.device_id != actor.device_id {
                return Ok(PushOutcome::ClientMismatch);
            }
            b.last_seq
        }
        None => {
            tx.bind_client(client_id, &actor.user_id, actor.device_id, now)
                .await?;
            0
        }
    };
    if let Err(expected) = check_seqs(last, commands) {
        return Ok(PushOutcome::SeqGap { expected });
    }

    let mut results = Vec::with_capacity(commands.len());
    let mut newest_change = None;
    // Offices named by commands, looked up once per push.
    let mut offices: HashMap<String, bool> = HashMap::new();
    let mut acknowledged = last;
    let mut audit: Vec<kyosai_audit::NewEntry> = client_head.into_iter().collect();
    for cmd in commands {
        if cmd.seq <= last {
            let Some(stored) = tx.stored_result(client_id, cmd.seq).await? else {
                return Err(StorageError::Corrupt(format!(
                    "client {client_id}: seq {} is acknowledged but has no stored result",
                    cmd.seq
                )));
            };
            if stored.command != cmd.name
                || stored.version != cmd.version
                || stored.record_id != cmd.record_id
            {
                return Ok(PushOutcome::SeqReused { seq: cmd.seq });
            }
            let outcome: Outcome = serde_json::from_str(&stored.outcome_json).map_err(|e| {
                StorageError::Corrupt(format!("stored result of {client_id}/{}: {e}", cmd.seq))
            })?;
            results.push(CommandResult {
                seq: cmd.seq,
                outcome,
            });
            continue;
        }

        let (outcome, newest, entry) =
            apply_one(tx, actor, client_id, cmd, now, &mut offices).await?;
        audit.push(entry);
        if newest.is_some() {
            newest_change = newest;
        }
        results.push(CommandResult {
            seq: cmd.seq,
            outcome,
        });
        acknowledged = cmd.seq;
    }
    if acknowledged != last {
        tx.set_last_seq(client_id, acknowledged).await?;
    }
    if !audit.is_empty() {
        tx.append_audit(audit).await?;
    }
    if let Some(newest) = tx.flush().await? {
        newest_change = Some(newest_change.map_or(newest, |n: i64| n.max(newest)));
    }
    Ok(PushOutcome::Done {
        results,
        acknowledged_seq: acknowledged,
        newest_change,
    })
}

fn outcome_json(outcome: &Outcome) -> Result<String, StorageError> {
    serde_json::to_string(outcome)
        .map_err(|e| StorageError::Internal(format!("serialising an outcome: {e}")))
}

/// The budget line of request `r` and what the office's other requests commit, by the
/// domain's rule (`None` inside: the line is not registered).
async fn budget_of<T: PushTx>(
    tx: &mut T,
    r: &Record,
) -> Result<Option<kyosai_domain::procurement::steps::BudgetStatus>, StorageError> {
    use kyosai_domain::approval as appr;
    use kyosai_domain::procurement::document::{KIND_BUDGET, KIND_REQUEST};
    use kyosai_domain::procurement::steps::{budget_status, BudgetLine, RequestBody};
    let body: RequestBody = serde_json::from_value(r.body.clone()).unwrap_or_default();
    let lines: Vec<BudgetLine> = tx
        .records_of_kind(&r.office_code, KIND_BUDGET)
        .await?
        .into_iter()
        .filter_map(|b| serde_json::from_value(b.body).ok())
        .collect();
    let others: Vec<(String, RequestBody, Option<appr::Status>)> = tx
        .records_of_kind(&r.office_code, KIND_REQUEST)
        .await?
        .into_iter()
        .filter(|o| o.id != r.id)
        .filter_map(|o| {
            let status = appr::state_of(&o.body).map(|s| s.status);
            Some((
                o.id.to_string(),
                serde_json::from_value(o.body).ok()?,
                status,
            ))
        })
        .collect();
    Ok(budget_status(
        &body,
        &lines,
        others.iter().map(|(id, b, s)| (id.as_str(), b, *s)),
    ))
}

/// Decides one new command and writes what it leaves behind. Returns its outcome, the
/// newest change serial it wrote and its audit entry.
async fn apply_one<T: PushTx>(
    tx: &mut T,
    actor: &Actor,
    client_id: Uuid,
    cmd: &CommandEnvelope,
    now: DateTime<Utc>,
    offices: &mut HashMap<String, bool>,
) -> Result<(Outcome, Option<i64>, kyosai_audit::NewEntry), StorageError> {
    let mut write = CommandWrite {
        client_id,
        command: cmd,
        outcome_json: "",
        now,
        record: None,
        changes: &[],
        conflict: None,
        work: None,
    };
    let mut audit_action = (crate::audit::SYNC_COMMAND, None);
    let decision = match commands::parse(cmd) {
        Ok(intent) => {
            audit_action = intent.audit_action();
            let current = tx.record(cmd.record_id).await?;
            let office_exists = match intent.named_office() {
                Some(code) => match offices.get(code) {
                    Some(known) => *known,
                    None => {
                        let known = tx.office_exists(code).await?;
                        offices.insert(code.to_string(), known);
                        known
                    }
                },
                None => true,
            };
            let ids = intent.linked_ids(current.as_ref());
            let budget = match (&intent, current.as_ref()) {
                (commands::Intent::ApprovalSubmit(_), Some(r))
                    if r.kind == kyosai_domain::procurement::document::KIND_REQUEST =>
                {
                    Some(budget_of(tx, r).await?)
                }
                _ => None,
            };
            let links = commands::Links {
                budget,
                parent: match ids.parent {
                    Some(id) => tx.record(id).await?,
                    None => None,
                },
                amends: match ids.amends {
                    Some(id) => tx.record(id).await?,
                    None => None,
                },
            };
            commands::decide(
                actor,
                cmd,
                intent,
                current.as_ref(),
                &links,
                office_exists,
                now,
            )
        }
        Err(r) => Decision::Reject(r),
    };
    match decision {
        Decision::Apply {
            record,
            is_new,
            changes,
        } => {
            let outcome = Outcome::Applied {
                record_id: record.id,
                version: record.version,
            };
            let json = outcome_json(&outcome)?;
            write.outcome_json = &json;
            write.record = Some((&record, is_new));
            write.changes = &changes;
            let newest = tx.write_command(&write).await?;
            let entry = crate::audit::command(
                actor,
                client_id,
                cmd,
                audit_action.0,
                audit_action.1,
                &outcome,
                Some(&record),
                now,
            );
            Ok((outcome, newest, entry))
        }
        Decision::Work { session, version } => {
            let outcome = Outcome::Applied {
                record_id: cmd.record_id,
                version,
            };
            let json = outcome_json(&outcome)?;
            write.outcome_json = &json;
            write.work = Some(&session);
            tx.write_command(&write).await?;
            let entry = crate::audit::work_time(
                actor,
                client_id,
                cmd,
                &outcome,
                &session.step,
                session.active_seconds,
                now,
            );
            Ok((outcome, None, entry))
        }
        Decision::Conflict { code, message } => {
            let conflict = Conflict {
                id: Uuid::new_v4(),
                client_id,
                seq: cmd.seq,
                command: cmd.name.clone(),
                version: cmd.version,
                record_id: cmd.record_id,
                base_version: cmd.base_version,
                payload: cmd.payload.clone(),
                server_record: None,
                code: code.to_string(),
                message: message.clone(),
                created_at: now,
            };
            let outcome = Outcome::Conflict {
                conflict_id: conflict.id,
                code: conflict.code.clone(),
                message,
            };
            let json = outcome_json(&outcome)?;
            write.outcome_json = &json;
            write.conflict = Some((&conflict, &actor.user_id));
            tx.write_command(&write).await?;
            let entry = crate::audit::command(
                actor,
                client_id,
                cmd,
                audit_action.0,
                audit_action.1,
                &outcome,
                None,
                now,
            );
            Ok((outcome, None, entry))
        }
        Decision::Reject(r) => {
            let outcome = Outcome::Rejected {
                code: r.code.to_string(),
                message: r.message,
            };
            let json = outcome_json(&outcome)?;
            write.outcome_json = &json;
            tx.write_command(&write).await?;
            let entry = crate::audit::command(
                actor,
                client_id,
                cmd,
                audit_action.0,
                audit_action.1,
                &outcome,
                None,
                now,
            );
            Ok((outcome, None, entry))
        }
    }
}

/// Runs a future that never waits (the SQLite implementation of [`PushTx`] is
/// synchronous underneath) to completion on the current thread.
pub(crate) fn complete_now<F: Future>(future: F) -> Result<F::Output, StorageError> {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(v) => Ok(v),
        Poll::Pending => Err(StorageError::Internal(
            "a synchronous storage operation tried to wait".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmds(seqs: &[u64]) -> Vec<CommandEnvelope> {
        seqs.iter()
            .map(|&seq| CommandEnvelope {
                seq,
                name: "record.update".into(),
                version: 1,
                record_id: Uuid::nil(),
                base_version: Some(1),
                payload: serde_json::json!({}),
                issued_at: Utc::now(),
            })
            .collect()
    }

    #[test]
    fn seqs_must_be_consecutive_and_not_skip_ahead() {
        assert_eq!(check_seqs(0, &cmds(&[1, 2, 3])), Ok(()));
        assert_eq!(check_seqs(5, &cmds(&[3, 4, 5, 6])), Ok(()));
        assert_eq!(check_seqs(5, &cmds(&[])), Ok(()));
        assert_eq!(check_seqs(5, &cmds(&[7])), Err(6));
        assert_eq!(check_seqs(0, &cmds(&[0])), Err(1));
        assert_eq!(check_seqs(0, &cmds(&[1, 3])), Err(2));
        assert_eq!(check_seqs(5, &cmds(&[2, 3, 5])), Err(6));
    }
}
