//! SQLite: positions, the approval directory and absences (schema 2).

use chrono::{DateTime, Utc};
use kyosai_domain::approval::Position;
use kyosai_sync_protocol::approval::{AbsenceInfo, Directory, DirectoryUser, NewAbsence};
use kyosai_sync_protocol::Record;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use uuid::Uuid;

use super::{audit, from_ts, record_at, roles_of, ts, uuid, SqliteStorage, RECORD_COLUMNS};
use crate::storage::StorageError;

pub(crate) fn positions_of(
    conn: &Connection,
    user_id: &str,
) -> Result<Vec<Position>, StorageError> {
    let mut stmt = conn.prepare_cached(
        "SELECT position FROM user_positions WHERE user_id = ?1 ORDER BY position",
    )?;
    let ids = stmt
        .query_map(params![user_id], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(crate::model::positions_from(&ids))
}

impl SqliteStorage {
    /// Replaces a user's positions. `false` when there is no such user.
    pub async fn set_positions(
        &self,
        user_id: &str,
        positions: &[Position],
    ) -> Result<bool, StorageError> {
        let user_id = user_id.to_string();
        let positions: Vec<&'static str> = positions.iter().map(|p| p.id()).collect();
        let operator = self.operator.clone();
        self.write(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let exists: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM users WHERE id = ?1)",
                params![user_id],
                |r| r.get(0),
            )?;
            if !exists {
                return Ok(false);
            }
            tx.execute(
                "DELETE FROM user_positions WHERE user_id = ?1",
                params![user_id],
            )?;
            for p in &positions {
                tx.execute(
                    "INSERT OR IGNORE INTO user_positions (user_id, position) VALUES (?1, ?2)",
                    params![user_id, p],
                )?;
            }
            audit::append(
                &tx,
                vec![crate::audit::user_admin(
                    &operator,
                    &user_id,
                    serde_json::json!({ "op": "positions", "positions": positions }),
                )],
            )?;
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    /// Every enabled user (with roles and positions) and every absence not yet over.
    pub async fn approval_directory(&self, now: DateTime<Utc>) -> Result<Directory, StorageError> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, display_name, office_code FROM users WHERE disabled = 0 ORDER BY id",
            )?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let mut users = Vec::with_capacity(rows.len());
            for (user_id, display_name, office_code) in rows {
                users.push(DirectoryUser {
                    roles: roles_of(c, &user_id)?,
                    positions: positions_of(c, &user_id)?
                        .into_iter()
                        .map(|p| p.id().to_string())
                        .collect(),
                    user_id,
                    display_name,
                    office_code,
                });
            }
            let mut stmt = c.prepare_cached(
                "SELECT id, user_id, delegate_id, starts_at, ends_at FROM absences \
                 WHERE cancelled_at IS NULL AND ends_at > ?1 ORDER BY starts_at, id",
            )?;
            let rows = stmt
                .query_map(params![ts(now)], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, i64>(4)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let absences = rows
                .into_iter()
                .map(|(id, user_id, delegate_id, from, until)| {
                    Ok(AbsenceInfo {
                        id: uuid(&id)?,
                        user_id,
                        delegate_id,
                        from: from_ts(from)?,
                        until: from_ts(until)?,
                    })
                })
                .collect::<Result<Vec<_>, StorageError>>()?;
            Ok(Directory { users, absences })
        })
        .await
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
        let (user_id, new) = (user_id.to_string(), new.clone());
        self.write(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let delegate_ok: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM users WHERE id = ?1 AND disabled = 0)",
                params![new.delegate_id],
                |r| r.get(0),
            )?;
            if !delegate_ok {
                return Ok(None);
            }
            let id = Uuid::new_v4();
            tx.execute(
                "INSERT INTO absences (id, user_id, delegate_id, starts_at, ends_at, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    id.to_string(),
                    user_id,
                    new.delegate_id,
                    ts(new.from),
                    ts(new.until),
                    ts(now)
                ],
            )?;
            audit::append(&tx, vec![added.target(id.to_string())])?;
            tx.commit()?;
            Ok(Some(AbsenceInfo {
                id,
                user_id,
                delegate_id: new.delegate_id,
                from: new.from,
                until: new.until,
            }))
        })
        .await
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
        let user_id = user_id.to_string();
        self.write(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let found: Option<i64> = tx
                .query_row(
                    "UPDATE absences SET cancelled_at = ?3 \
                     WHERE id = ?1 AND user_id = ?2 AND cancelled_at IS NULL RETURNING 1",
                    params![id.to_string(), user_id, ts(now)],
                    |r| r.get(0),
                )
                .optional()?;
            if found.is_some() {
                audit::append(&tx, vec![cancelled])?;
                tx.commit()?;
            }
            Ok(found.is_some())
        })
        .await
    }

    /// Every record of `kind` (the automated review compares a case with all others).
    pub async fn records_of_kind(&self, kind: &str) -> Result<Vec<Record>, StorageError> {
        let kind = kind.to_string();
        self.read(move |c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {RECORD_COLUMNS} FROM records r WHERE r.kind = ?1 ORDER BY r.id"
            ))?;
            let mut rows = stmt.query(params![kind])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                if let Some(r) = record_at(row, 0)? {
                    out.push(r);
                }
            }
            Ok(out)
        })
        .await
    }
}
