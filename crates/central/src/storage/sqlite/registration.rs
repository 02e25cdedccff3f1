//! SQLite: registration batches for the core system (schema 3).

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use uuid::Uuid;

use super::{audit, from_ts, record_at, ts, uuid, SqliteStorage, RECORD_COLUMNS};
use crate::storage::{RegistrationBatch, RenderRegistrations, StorageError};

const CANDIDATES: &str = "FROM records r WHERE r.kind = 'acquisition' AND r.state = 'approved' \
     AND NOT EXISTS (SELECT 1 FROM registration_exports e WHERE e.record_id = r.id) \
     ORDER BY r.updated_at, r.id";

impl SqliteStorage {
    /// Puts every registered acquisition not yet exported into a new batch whose file
    /// `render` writes; `None` when there is nothing new. One transaction: a record is in
    /// exactly one batch.
    pub async fn create_registration_batch(
        &self,
        created_by: &str,
        now: DateTime<Utc>,
        render: RenderRegistrations,
    ) -> Result<Option<(RegistrationBatch, String)>, StorageError> {
        let created_by = created_by.to_string();
        self.write(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let records = {
                let mut stmt = tx.prepare(&format!("SELECT {RECORD_COLUMNS} {CANDIDATES}"))?;
                let mut rows = stmt.query([])?;
                let mut out = Vec::new();
                while let Some(row) = rows.next()? {
                    if let Some(r) = record_at(row, 0)? {
                        out.push(r);
                    }
                }
                out
            };
            if records.is_empty() {
                return Ok(None);
            }
            let (file_name, content) = render(&records);
            let id = Uuid::new_v4();
            tx.execute(
                "INSERT INTO registration_batches (id, created_at, created_by, record_count, file_name, content) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id.to_string(), ts(now), created_by, records.len() as i64, file_name, content],
            )?;
            for r in &records {
                tx.execute(
                    "INSERT INTO registration_exports (record_id, batch_id, exported_at) VALUES (?1, ?2, ?3)",
                    params![r.id.to_string(), id.to_string(), ts(now)],
                )?;
            }
            let batch = RegistrationBatch {
                id,
                created_at: now,
                created_by,
                record_count: u32::try_from(records.len()).unwrap_or(u32::MAX),
                file_name,
            };
            audit::append(
                &tx,
                vec![crate::audit::registration(&batch.created_by, "create", &batch, now)],
            )?;
            tx.commit()?;
            Ok(Some((batch, content)))
        })
        .await
    }

    /// Every batch, newest first.
    pub async fn registration_batches(&self) -> Result<Vec<RegistrationBatch>, StorageError> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT id, created_at, created_by, record_count, file_name \
                 FROM registration_batches ORDER BY created_at DESC, id",
            )?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, String>(4)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            rows.into_iter()
                .map(|(id, at, by, n, name)| {
                    Ok(RegistrationBatch {
                        id: uuid(&id)?,
                        created_at: from_ts(at)?,
                        created_by: by,
                        record_count: u32::try_from(n).unwrap_or(0),
                        file_name: name,
                    })
                })
                .collect()
        })
        .await
    }

    /// One batch and its file, as delivered.
    pub async fn registration_batch_file(
        &self,
        id: Uuid,
    ) -> Result<Option<(RegistrationBatch, String)>, StorageError> {
        self.read(move |c| {
            let row = c
                .query_row(
                    "SELECT created_at, created_by, record_count, file_name, content \
                     FROM registration_batches WHERE id = ?1",
                    params![id.to_string()],
                    |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, i64>(2)?,
                            r.get::<_, String>(3)?,
                            r.get::<_, String>(4)?,
                        ))
                    },
                )
                .optional()?;
            row.map(|(at, by, n, name, content)| {
                Ok((
                    RegistrationBatch {
                        id,
                        created_at: from_ts(at)?,
                        created_by: by,
                        record_count: u32::try_from(n).unwrap_or(0),
                        file_name: name,
                    },
                    content,
                ))
            })
            .transpose()
        })
        .await
    }
}
