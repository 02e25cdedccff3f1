//! PostgreSQL: the audit log (schema 4).
//!
//! Every append takes the transaction-scoped advisory lock [`AUDIT_LOCK`] before it reads
//! the last entry, so two transactions never extend the same entry (the chain does not
//! fork) and entries commit in `seq` order. Any other lock a transaction needs is taken
//! before this one, never after (the push takes the change-log lock first): the order is
//! the same everywhere, so the locks cannot deadlock.

use deadpool_postgres::GenericClient;
use kyosai_audit::canonical::{format_at, to_canonical};
use kyosai_audit::{Entry, NewEntry};
use tokio_postgres::Row;

use super::PgStorage;
use crate::storage::{audit_row, AuditRow, StorageError};

/// The advisory lock every audit append holds until its transaction ends.
pub(crate) const AUDIT_LOCK: i64 = 0x6b79_6175_6469; // "kyaudi"

pub(crate) const SELECT_LAST: &str =
    "SELECT seq, at, actor, action, target, detail, prev_hash, hash FROM audit_log \
     ORDER BY seq DESC LIMIT 1";

pub(crate) fn row(r: &Row) -> Result<AuditRow, StorageError> {
    audit_row(
        r.try_get(0)?,
        r.try_get(1)?,
        r.try_get(2)?,
        r.try_get(3)?,
        r.try_get(4)?,
        r.try_get(5)?,
        r.try_get(6)?,
        r.try_get(7)?,
    )
}

/// The entries that follow `prev`, made from `news` in order.
pub(crate) fn chain(prev: Option<Entry>, news: Vec<NewEntry>) -> Vec<Entry> {
    let mut prev = prev;
    let mut out = Vec::with_capacity(news.len());
    for new in news {
        let e = kyosai_audit::next(prev.as_ref(), crate::audit::safe(new));
        prev = Some(e.clone());
        out.push(e);
    }
    out
}

/// Inserts entries already chained (one statement, in `seq` order).
pub(crate) async fn insert<C: GenericClient>(c: &C, entries: &[Entry]) -> Result<(), StorageError> {
    if entries.is_empty() {
        return Ok(());
    }
    let stmt = c
        .prepare_cached(
            "INSERT INTO audit_log (seq, at, actor, action, target, detail, prev_hash, hash) \
             SELECT seq, at, actor, action, target, detail, prev_hash, hash \
             FROM UNNEST($1::BIGINT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], \
                 $6::TEXT[], $7::TEXT[], $8::TEXT[]) \
                 AS u(seq, at, actor, action, target, detail, prev_hash, hash) \
             ORDER BY seq",
        )
        .await?;
    let seqs = entries
        .iter()
        .map(|e| {
            i64::try_from(e.seq)
                .map_err(|_| StorageError::Internal(format!("audit seq {} out of range", e.seq)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let at: Vec<String> = entries.iter().map(|e| format_at(&e.at)).collect();
    let actors: Vec<&str> = entries.iter().map(|e| e.actor.as_str()).collect();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    let targets: Vec<Option<&str>> = entries.iter().map(|e| e.target.as_deref()).collect();
    let details: Vec<String> = entries.iter().map(|e| to_canonical(&e.detail)).collect();
    let prevs: Vec<&str> = entries.iter().map(|e| e.prev_hash.as_str()).collect();
    let hashes: Vec<&str> = entries.iter().map(|e| e.hash.as_str()).collect();
    c.execute(
        &stmt,
        &[
            &seqs, &at, &actors, &actions, &targets, &details, &prevs, &hashes,
        ],
    )
    .await?;
    Ok(())
}

/// Takes [`AUDIT_LOCK`] and reads the last entry.
async fn lock_and_last<C: GenericClient>(c: &C) -> Result<Option<Entry>, StorageError> {
    c.execute("SELECT pg_advisory_xact_lock($1)", &[&AUDIT_LOCK])
        .await?;
    let r = c.query_opt(SELECT_LAST, &[]).await?;
    r.map(|r| row(&r).map(|a| a.entry)).transpose()
}

/// Appends `news` in order inside the caller's transaction (locks first).
pub(crate) async fn append<C: GenericClient>(
    c: &C,
    news: Vec<NewEntry>,
) -> Result<(), StorageError> {
    if news.is_empty() {
        return Ok(());
    }
    let prev = lock_and_last(c).await?;
    insert(c, &chain(prev, news)).await
}

async fn all<C: GenericClient>(c: &C) -> Result<Vec<AuditRow>, StorageError> {
    let rows = c
        .query(
            "SELECT seq, at, actor, action, target, detail, prev_hash, hash FROM audit_log \
             ORDER BY seq",
            &[],
        )
        .await?;
    rows.iter().map(row).collect()
}

impl PgStorage {
    /// Appends one entry in a transaction of its own.
    pub async fn audit_append(&self, new: NewEntry) -> Result<(), StorageError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        append(&tx, vec![new]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every entry in `seq` order, each with whether it is stored in canonical form.
    pub async fn audit_rows(&self) -> Result<Vec<AuditRow>, StorageError> {
        let c = self.client().await?;
        all(&c).await
    }

    /// Appends `new` and reads the whole log, in one transaction.
    pub async fn audit_export(&self, new: NewEntry) -> Result<Vec<AuditRow>, StorageError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        append(&tx, vec![new]).await?;
        let rows = all(&tx).await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// The last entry, or `None` while the log is empty.
    pub async fn audit_last(&self) -> Result<Option<Entry>, StorageError> {
        let c = self.client().await?;
        let r = c.query_opt(SELECT_LAST, &[]).await?;
        r.map(|r| row(&r).map(|a| a.entry)).transpose()
    }
}
