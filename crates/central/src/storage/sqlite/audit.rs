//! SQLite: the audit log (schema 4).
//!
//! [`append`] takes a plain connection so that it runs inside the transaction of the
//! action it records (a `Transaction` derefs to a `Connection`). Every write of this
//! backend goes through the one writer connection in a `BEGIN IMMEDIATE` transaction, and
//! another process (the `kyosai-central` command while the service runs) takes the same
//! database lock: reading the last entry and adding the next one can never interleave.

use kyosai_audit::canonical::{format_at, to_canonical};
use kyosai_audit::{Entry, NewEntry};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::SqliteStorage;
use crate::storage::{audit_row, AuditRow, StorageError};

const SELECT: &str =
    "SELECT seq, at, actor, action, target, detail, prev_hash, hash FROM audit_log";

fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, [String; 5], Option<String>, String)> {
    Ok((
        r.get(0)?,
        [r.get(1)?, r.get(2)?, r.get(3)?, r.get(6)?, r.get(7)?],
        r.get(4)?,
        r.get(5)?,
    ))
}

fn to_row(raw: (i64, [String; 5], Option<String>, String)) -> Result<AuditRow, StorageError> {
    let (seq, [at, actor, action, prev_hash, hash], target, detail) = raw;
    audit_row(seq, at, actor, action, target, detail, prev_hash, hash)
}

fn last(conn: &Connection) -> Result<Option<Entry>, StorageError> {
    let raw = conn
        .prepare_cached(&format!("{SELECT} ORDER BY seq DESC LIMIT 1"))?
        .query_row([], read)
        .optional()?;
    raw.map(|r| to_row(r).map(|row| row.entry)).transpose()
}

fn insert(conn: &Connection, e: &Entry) -> Result<(), StorageError> {
    let seq = i64::try_from(e.seq)
        .map_err(|_| StorageError::Internal(format!("audit seq {} out of range", e.seq)))?;
    conn.prepare_cached(
        "INSERT INTO audit_log (seq, at, actor, action, target, detail, prev_hash, hash) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        seq,
        format_at(&e.at),
        e.actor,
        e.action,
        e.target,
        to_canonical(&e.detail),
        e.prev_hash,
        e.hash
    ])?;
    Ok(())
}

/// Appends `entries` in order through `conn`, inside the caller's write transaction.
pub(crate) fn append(conn: &Connection, entries: Vec<NewEntry>) -> Result<(), StorageError> {
    if entries.is_empty() {
        return Ok(());
    }
    let mut prev = last(conn)?;
    for new in entries {
        let e = kyosai_audit::next(prev.as_ref(), crate::audit::safe(new));
        insert(conn, &e)?;
        prev = Some(e);
    }
    Ok(())
}

fn all(conn: &Connection) -> Result<Vec<AuditRow>, StorageError> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} ORDER BY seq"))?;
    let raw = stmt.query_map([], read)?.collect::<Result<Vec<_>, _>>()?;
    raw.into_iter().map(to_row).collect()
}

impl SqliteStorage {
    /// Appends one entry in a transaction of its own (an event with nothing else to write).
    pub async fn audit_append(&self, new: NewEntry) -> Result<(), StorageError> {
        self.write(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            append(&tx, vec![new])?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// Every entry in `seq` order, each with whether it is stored in canonical form.
    pub async fn audit_rows(&self) -> Result<Vec<AuditRow>, StorageError> {
        self.read(all).await
    }

    /// Appends `new` (the export's own entry) and reads the whole log, in one transaction.
    pub async fn audit_export(&self, new: NewEntry) -> Result<Vec<AuditRow>, StorageError> {
        self.write(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            append(&tx, vec![new])?;
            let rows = all(&tx)?;
            tx.commit()?;
            Ok(rows)
        })
        .await
    }

    /// The last entry, or `None` while the log is empty.
    pub async fn audit_last(&self) -> Result<Option<Entry>, StorageError> {
        self.read(last).await
    }
}
