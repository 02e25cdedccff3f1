//! Many new records at once (a CSV import): every draft and its `record.create@1` command
//! in **one** transaction, so an import is all or nothing.
//!
//! The rows are exactly what [`SyncRepo::record_create_local`] writes for one record, the
//! commands get consecutive `seq`s, and a failure or a cancel part-way rolls everything
//! back (the seq counter included: the outbox stays gapless).
//!
//! Built for 10,000 rows in well under a second: bodies arrive as JSON text
//! ([`RawValue`], checked once when made), the command payload is written around that text
//! rather than re-serialised, and the seq counter is read once and written once.

use kyosai_sync_protocol::record as cmd;
use rusqlite::params;
use serde_json::value::RawValue;
use uuid::Uuid;

use super::{seq_from_sql, time_text, SyncRepo};
use crate::StoreError;

/// One record to create locally.
#[derive(Debug, Clone)]
pub struct NewLocalRecord {
    pub office_code: String,
    pub title: String,
    /// The body as JSON text (an object), e.g. from `serde_json::value::to_raw_value`.
    pub body: Box<RawValue>,
}

fn json_string(s: &str) -> String {
    // Serialising a `&str` cannot fail.
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

/// The `record.create@1` payload ([`cmd::Create`]) as JSON text, around the body's text.
fn create_payload_text(kind: &str, office_code: &str, title: &str, body: &RawValue) -> String {
    format!(
        "{{\"kind\":{},\"office_code\":{},\"title\":{},\"body\":{}}}",
        json_string(kind),
        json_string(office_code),
        json_string(title),
        body.get()
    )
}

/// What [`SyncRepo::records_create_local_many`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkCreate {
    /// Every record was created: its id and its command's seq, in input order.
    Created(Vec<(Uuid, u64)>),
    /// The caller asked to stop after this many rows: nothing was written.
    Cancelled { after: usize },
}

impl SyncRepo<'_> {
    /// Creates every record of `items` (kind `kind`) as a local draft with its
    /// `record.create@1` command, in one transaction. `progress(done)` is called every
    /// `every` rows (and after the last); when it returns `false` the transaction is
    /// rolled back and [`BulkCreate::Cancelled`] returned. Any error rolls back too.
    pub fn records_create_local_many(
        &mut self,
        kind: &str,
        items: &[NewLocalRecord],
        every: usize,
        progress: &mut dyn FnMut(usize) -> bool,
    ) -> Result<BulkCreate, StoreError> {
        if kind.trim().is_empty() {
            return Err(StoreError::InvalidInput { field: "種別" });
        }
        if items.iter().any(|i| i.office_code.trim().is_empty()) {
            return Err(StoreError::InvalidInput {
                field: "所属所番号",
            });
        }
        if items
            .iter()
            .any(|i| !i.body.get().trim_start().starts_with('{'))
        {
            return Err(StoreError::InvalidInput { field: "本文" });
        }
        let every = every.max(1);
        let total = items.len();
        let now = crate::now_rfc3339();
        let issued = time_text(chrono::Utc::now());
        let tx = self.conn.transaction()?;
        let last: i64 = tx.query_row("SELECT last_seq FROM sync_state WHERE id = 1", [], |r| {
            r.get(0)
        })?;
        let mut created = Vec::with_capacity(total);
        {
            let mut record = tx.prepare(
                "INSERT INTO records (id, kind, office_code, dirty, local_title, local_body,
                                      local_state, local_updated_at, label)
                 VALUES (?1, ?2, ?3, 1, ?4, ?5, 'pending', ?6, '未送信')",
            )?;
            // The same row as `outbox::append` writes for a creation.
            let mut command = tx.prepare(
                "INSERT INTO outbox (seq, name, version, record_id, base_version, after_seq,
                                     payload, issued_at, state, updated_at)
                 VALUES (?1, ?2, 1, ?3, NULL, NULL, ?4, ?5, 'pending', ?5)",
            )?;
            for (i, item) in items.iter().enumerate() {
                let id = Uuid::new_v4();
                let id_text = id.to_string();
                record.execute(params![
                    id_text,
                    kind,
                    item.office_code,
                    item.title,
                    item.body.get(),
                    now
                ])?;
                let seq = last + 1 + i64::try_from(i).unwrap_or(i64::MAX - last - 1);
                let payload = create_payload_text(kind, &item.office_code, &item.title, &item.body);
                command.execute(params![seq, cmd::CREATE, id_text, payload, issued])?;
                created.push((id, seq_from_sql(seq)?));
                let done = i + 1;
                if (done % every == 0 || done == total) && !progress(done) {
                    // Returning drops the transaction: everything is rolled back.
                    return Ok(BulkCreate::Cancelled { after: done });
                }
            }
        }
        let last_now = last + i64::try_from(total).unwrap_or(0);
        tx.execute(
            "UPDATE sync_state SET last_seq = ?1, updated_at = ?2 WHERE id = 1",
            params![last_now, now],
        )?;
        // One entry for the whole import; the records are the outbox seqs it names.
        if total > 0 {
            crate::audit::append_record_event(
                &tx,
                kyosai_audit::actions::RECORD_CREATE,
                None,
                serde_json::json!({
                    "kind": kind,
                    "count": total,
                    "firstOutboxSeq": last + 1,
                    "lastOutboxSeq": last_now,
                }),
            )?;
        }
        tx.commit()?;
        self.outbox_changed();
        Ok(BulkCreate::Created(created))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    /// The payload written around the body's text is the protocol's `record.create@1`.
    #[test]
    fn payload_text_is_the_protocol_create() {
        let body = serde_json::json!({ "member": { "name": "山田　太郎 \"T\"\n" }, "n": [1, 2] });
        let raw = serde_json::value::to_raw_value(&body).unwrap();
        let text = create_payload_text(
            "acquisition",
            "13104",
            "組合員資格取得届　山田 \"太郎\"",
            &raw,
        );
        let parsed: cmd::Create = serde_json::from_str(&text).unwrap();
        assert_eq!(
            parsed,
            cmd::Create {
                kind: "acquisition".into(),
                office_code: "13104".into(),
                title: "組合員資格取得届　山田 \"太郎\"".into(),
                body,
            }
        );
    }
}
