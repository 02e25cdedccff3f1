//! PostgreSQL: positions, the approval directory and absences (schema 2).

use chrono::{DateTime, Utc};
use kyosai_domain::approval::Position;
use kyosai_sync_protocol::approval::{AbsenceInfo, Directory, DirectoryUser, NewAbsence};
use kyosai_sync_protocol::Record;
use uuid::Uuid;

use super::{audit, record_at, roles, PgStorage, RECORD_COLUMNS};
use crate::storage::StorageError;

impl PgStorage {
    /// Replaces a user's positions. `false` when there is no such user.
    pub async fn set_positions(
        &self,
        user_id: &str,
        positions: &[Position],
    ) -> Result<bool, StorageError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let exists: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM users WHERE id = $1)",
                &[&user_id],
            )
            .await?
            .try_get(0)?;
        if !exists {
            return Ok(false);
        }
        tx.execute("DELETE FROM user_positions WHERE user_id = $1", &[&user_id])
            .await?;
        for p in positions {
            tx.execute(
                "INSERT INTO user_positions (user_id, position) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&user_id, &p.id()],
            )
            .await?;
        }
        let ids: Vec<&str> = positions.iter().map(|p| p.id()).collect();
        audit::append(
            &tx,
            vec![crate::audit::user_admin(
                &self.operator,
                user_id,
                serde_json::json!({ "op": "positions", "positions": ids }),
            )],
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Every enabled user (with roles and positions) and every absence not yet over.
    pub async fn approval_directory(&self, now: DateTime<Utc>) -> Result<Directory, StorageError> {
        let c = self.client().await?;
        let rows = c
            .query(
                "SELECT u.id, u.display_name, u.office_code, \
                        ARRAY(SELECT role FROM user_roles WHERE user_id = u.id ORDER BY role), \
                        ARRAY(SELECT position FROM user_positions WHERE user_id = u.id ORDER BY position) \
                 FROM users u WHERE NOT u.disabled ORDER BY u.id",
                &[],
            )
            .await?;
        let users = rows
            .iter()
            .map(|r| {
                Ok(DirectoryUser {
                    user_id: r.try_get(0)?,
                    display_name: r.try_get(1)?,
                    office_code: r.try_get(2)?,
                    roles: roles(r.try_get(3)?),
                    positions: crate::model::positions_from(&r.try_get::<_, Vec<String>>(4)?)
                        .into_iter()
                        .map(|p| p.id().to_string())
                        .collect(),
                })
            })
            .collect::<Result<Vec<_>, StorageError>>()?;
        let rows = c
            .query(
                "SELECT id, user_id, delegate_id, starts_at, ends_at FROM absences \
                 WHERE cancelled_at IS NULL AND ends_at > $1 ORDER BY starts_at, id",
                &[&now],
            )
            .await?;
        let absences = rows
            .iter()
            .map(|r| {
                Ok(AbsenceInfo {
                    id: r.try_get(0)?,
                    user_id: r.try_get(1)?,
                    delegate_id: r.try_get(2)?,
                    from: r.try_get(3)?,
                    until: r.try_get(4)?,
                })
            })
            .collect::<Result<Vec<_>, StorageError>>()?;
        Ok(Directory { users, absences })
    }

    /// Registers `user_id`'s absence and appends `added` (its target set to the absence's
    /// id). `None` when the delegate is not an enabled user.
    pub async fn add_absence(
        &self,
        user_id: &str,
        new: &NewAbsence,
        now: DateTime<Utc>,
        added: kyosai_audit::NewEntry,
    ) -> Result<Option<AbsenceInfo>, StorageError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let id = Uuid::new_v4();
        let n = tx
            .execute(
                "INSERT INTO absences (id, user_id, delegate_id, starts_at, ends_at, created_at) \
                 SELECT $1, $2, u.id, $4, $5, $6 FROM users u WHERE u.id = $3 AND NOT u.disabled",
                &[&id, &user_id, &new.delegate_id, &new.from, &new.until, &now],
            )
            .await?;
        if n == 1 {
            audit::append(&tx, vec![added.target(id.to_string())]).await?;
            tx.commit().await?;
        }
        Ok((n == 1).then(|| AbsenceInfo {
            id,
            user_id: user_id.to_string(),
            delegate_id: new.delegate_id.clone(),
            from: new.from,
            until: new.until,
        }))
    }

    /// Cancels one of `user_id`'s own absences and appends `cancelled`. `false` when there
    /// is none by that id.
    pub async fn cancel_absence(
        &self,
        user_id: &str,
        id: Uuid,
        now: DateTime<Utc>,
        cancelled: kyosai_audit::NewEntry,
    ) -> Result<bool, StorageError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let n = tx
            .execute(
                "UPDATE absences SET cancelled_at = $3 \
                 WHERE id = $1 AND user_id = $2 AND cancelled_at IS NULL",
                &[&id, &user_id, &now],
            )
            .await?;
        if n == 1 {
            audit::append(&tx, vec![cancelled]).await?;
            tx.commit().await?;
        }
        Ok(n == 1)
    }

    /// Every record of `kind` (the automated review compares a case with all others).
    pub async fn records_of_kind(&self, kind: &str) -> Result<Vec<Record>, StorageError> {
        let c = self.client().await?;
        let rows = c
            .query(
                &format!("SELECT {RECORD_COLUMNS} FROM records r WHERE r.kind = $1 ORDER BY r.id"),
                &[&kind],
            )
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            if let Some(r) = record_at(row, 0)? {
                out.push(r);
            }
        }
        Ok(out)
    }
}
