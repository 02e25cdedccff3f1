//! Many new records at once (a CSV import): every draft and its `record.create@1` command
//! in **one** transaction, so an import is all or nothing.
//!
//! The rows are exactly what [`SyncRepo::record_create_local`] writes for one record, the
//! commands get consecutive `seq`s, and a failure or a cancel part-way rolls everything
//! back (the seq counter included: the outbox stays gapless).

use kyosai_sync_protocol::record as cmd;
use rusqlite::params;
use uuid::Uuid;

use super::outbox::{append, NewCommand};
use super::{to_json_text, SyncRepo};
use crate::StoreError;

/// One record to create locally.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLocalRecord {
    pub office_code: String,
    pub title: String,
    pub body: serde_json::Value,
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
        items: Vec<NewLocalRecord>,
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
        let every = every.max(1);
        let total = items.len();
        let now = crate::now_rfc3339();
        let tx = self.conn.transaction()?;
        let mut created = Vec::with_capacity(total);
        for (i, item) in items.into_iter().enumerate() {
            let id = Uuid::new_v4();
            let id_text = id.to_string();
            tx.prepare_cached(
                "INSERT INTO records (id, kind, office_code, dirty, local_title, local_body,
                                      local_state, local_updated_at, label)
                 VALUES (?1, ?2, ?3, 1, ?4, ?5, 'pending', ?6, '未送信')",
            )?
            .execute(params![
                id_text,
                kind,
                item.office_code,
                item.title,
                to_json_text(&item.body),
                now
            ])?;
            let payload = serde_json::to_value(cmd::Create {
                kind: kind.to_string(),
                office_code: item.office_code,
                title: item.title,
                body: item.body,
            })
            .map_err(|e| StoreError::DataInvalid {
                what: e.to_string(),
            })?;
            let seq = append(
                &tx,
                &NewCommand {
                    name: cmd::CREATE,
                    version: 1,
                    record_id: &id_text,
                    base_version: None,
                    after_seq: None,
                    payload: &payload,
                },
            )?;
            created.push((id, seq));
            let done = i + 1;
            if (done % every == 0 || done == total) && !progress(done) {
                // Dropping the transaction rolls it back.
                drop(tx);
                return Ok(BulkCreate::Cancelled { after: done });
            }
        }
        tx.commit()?;
        Ok(BulkCreate::Created(created))
    }
}
