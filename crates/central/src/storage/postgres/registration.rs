//! PostgreSQL: registration batches for the core system (schema 3).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{audit, record_at, PgStorage, RECORD_COLUMNS};
use crate::storage::{RegistrationBatch, RenderRegistrations, StorageError};

/// Serialises batch creation (two at once would otherwise both see the same candidates).
const BATCH_LOCK: i64 = 0x6b79_7265_6769; // "kyregi"

impl PgStorage {
    /// Puts every registered acquisition not yet exported into a new batch whose file
    /// `render` writes; `None` when there is nothing new. One transaction: a record is in
    /// exactly one batch.
    pub async fn create_registration_batch(
        &self,
        created_by: &str,
        now: DateTime<Utc>,
        render: RenderRegistrations,
    ) -> Result<Option<(RegistrationBatch, String)>, StorageError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&BATCH_LOCK])
            .await?;
        let rows = tx
            .query(
                &format!(
                    "SELECT {RECORD_COLUMNS} FROM records r WHERE r.kind = 'acquisition' \
                     AND r.state = 'approved' AND NOT EXISTS \
                     (SELECT 1 FROM registration_exports e WHERE e.record_id = r.id) \
                     ORDER BY r.updated_at, r.id"
                ),
                &[],
            )
            .await?;
        let mut records = Vec::with_capacity(rows.len());
        for row in &rows {
            if let Some(r) = record_at(row, 0)? {
                records.push(r);
            }
        }
        if records.is_empty() {
            return Ok(None);
        }
        let (file_name, content) = render(&records);
        let id = Uuid::new_v4();
        let count = i32::try_from(records.len()).unwrap_or(i32::MAX);
        tx.execute(
            "INSERT INTO registration_batches (id, created_at, created_by, record_count, file_name, content) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[&id, &now, &created_by, &count, &file_name, &content],
        )
        .await?;
        let ids: Vec<Uuid> = records.iter().map(|r| r.id).collect();
        tx.execute(
            "INSERT INTO registration_exports (record_id, batch_id, exported_at) \
             SELECT unnest($1::uuid[]), $2, $3",
            &[&ids, &id, &now],
        )
        .await?;
        let batch = RegistrationBatch {
            id,
            created_at: now,
            created_by: created_by.to_string(),
            record_count: u32::try_from(records.len()).unwrap_or(u32::MAX),
            file_name,
        };
        audit::append(
            &tx,
            vec![crate::audit::registration(
                created_by, "create", &batch, now,
            )],
        )
        .await?;
        tx.commit().await?;
        Ok(Some((batch, content)))
    }

    /// Every batch, newest first.
    pub async fn registration_batches(&self) -> Result<Vec<RegistrationBatch>, StorageError> {
        let c = self.client().await?;
        let rows = c
            .query(
                "SELECT id, created_at, created_by, record_count, file_name \
                 FROM registration_batches ORDER BY created_at DESC, id",
                &[],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(RegistrationBatch {
                    id: r.try_get(0)?,
                    created_at: r.try_get(1)?,
                    created_by: r.try_get(2)?,
                    record_count: u32::try_from(r.try_get::<_, i32>(3)?).unwrap_or(0),
                    file_name: r.try_get(4)?,
                })
            })
            .collect()
    }

    /// One batch and its file, as delivered.
    pub async fn registration_batch_file(
        &self,
        id: Uuid,
    ) -> Result<Option<(RegistrationBatch, String)>, StorageError> {
        let c = self.client().await?;
        let row = c
            .query_opt(
                "SELECT created_at, created_by, record_count, file_name, content \
                 FROM registration_batches WHERE id = $1",
                &[&id],
            )
            .await?;
        row.map(|r| {
            Ok((
                RegistrationBatch {
                    id,
                    created_at: r.try_get(0)?,
                    created_by: r.try_get(1)?,
                    record_count: u32::try_from(r.try_get::<_, i32>(2)?).unwrap_or(0),
                    file_name: r.try_get(3)?,
                },
                r.try_get(4)?,
            ))
        })
        .transpose()
    }
}
