//! The production backend: PostgreSQL through tokio-postgres and a deadpool pool.
//!
//! Every write that touches records or the change log first takes one
//! transaction-scoped advisory lock, so change serials commit in the order they were
//! drawn (a `BIGSERIAL` alone would let a later serial commit first, and a puller could
//! skip the earlier one forever).
//!
//! The connection is not encrypted (`NoTls`): run PostgreSQL on the same host or on a
//! private network segment.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use kyosai_sync_protocol::{CommandEnvelope, Conflict, Record, Resolution, Role, UserInfo};
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};
use uuid::Uuid;

use super::push::{self, ClientBinding, CommandWrite, PushTx, StoredResult};
use super::{grace_key, GRACE_PREFIX};
use super::{
    resolution_str, AccessLookup, AdminError, ChangeRow, Device, LoginUser, NewTokens, NewUser,
    Office, PushOutcome, RefreshOutcome, ResolveOutcome, StorageError, StoredConflict, UserSummary,
    WorkSessionRow,
};
use crate::model::{parse_role, role_str, Actor, ChangeOp, Scope};

const MIGRATIONS: &[&str] = &[
    include_str!("postgres_schema_1.sql"),
    include_str!("postgres_schema_2.sql"),
    include_str!("postgres_schema_3.sql"),
    include_str!("postgres_schema_4.sql"),
    include_str!("postgres_schema_5.sql"),
];

mod approval;
pub(crate) mod audit;
mod registration;
/// The advisory lock every change-log writer holds until it commits.
const WRITE_LOCK: i64 = 0x6b79_6f73_6169; // "kyosai"
const POOL_SIZE: usize = 16;

/// The PostgreSQL backend. Cheap to clone.
#[derive(Clone)]
pub struct PgStorage {
    pool: Pool,
    /// Who administration through this handle is recorded as (see `Storage::operated_by`).
    operator: std::sync::Arc<str>,
}

impl std::fmt::Debug for PgStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The pool's configuration holds the password: never print it.
        f.debug_struct("PgStorage").finish_non_exhaustive()
    }
}

fn pool_err(e: impl std::fmt::Display) -> StorageError {
    StorageError::Pool(e.to_string())
}

const RECORD_COLUMNS: &str = "r.id, r.kind, r.office_code, r.version, r.state, r.title, r.body, \
     r.created_by, r.updated_by, r.created_at, r.updated_at";

fn record_at(row: &Row, at: usize) -> Result<Option<Record>, StorageError> {
    let id: Option<Uuid> = row.try_get(at)?;
    let Some(id) = id else {
        return Ok(None);
    };
    Ok(Some(Record {
        id,
        kind: row.try_get(at + 1)?,
        office_code: row.try_get(at + 2)?,
        version: row.try_get(at + 3)?,
        state: row.try_get(at + 4)?,
        title: row.try_get(at + 5)?,
        body: row.try_get(at + 6)?,
        created_by: row.try_get(at + 7)?,
        updated_by: row.try_get(at + 8)?,
        created_at: row.try_get(at + 9)?,
        updated_at: row.try_get(at + 10)?,
    }))
}

fn roles(names: Vec<String>) -> Vec<Role> {
    let mut roles: Vec<Role> = names.iter().filter_map(|n| parse_role(n)).collect();
    roles.sort();
    roles
}

fn seq_i64(seq: u64) -> Result<i64, StorageError> {
    i64::try_from(seq).map_err(|_| StorageError::Internal(format!("seq {seq} out of range")))
}

fn version_i32(v: u32) -> Result<i32, StorageError> {
    i32::try_from(v).map_err(|_| StorageError::Internal(format!("version {v} out of range")))
}

fn version_u32(v: i32) -> Result<u32, StorageError> {
    u32::try_from(v).map_err(|_| StorageError::Corrupt(format!("version {v}")))
}

async fn user_info<C: GenericClient>(
    c: &C,
    user_id: &str,
) -> Result<Option<UserInfo>, StorageError> {
    let row = c
        .query_opt(
            "SELECT u.id, u.display_name, u.office_code, o.name, \
                    ARRAY(SELECT role FROM user_roles WHERE user_id = u.id ORDER BY role), \
                    ARRAY(SELECT position FROM user_positions WHERE user_id = u.id ORDER BY position) \
             FROM users u LEFT JOIN offices o ON o.code = u.office_code WHERE u.id = $1",
            &[&user_id],
        )
        .await?;
    row.map(|r| {
        Ok(UserInfo {
            user_id: r.try_get(0)?,
            display_name: r.try_get(1)?,
            office_code: r.try_get(2)?,
            office_name: r.try_get(3)?,
            roles: roles(r.try_get(4)?),
            positions: r.try_get(5)?,
        })
    })
    .transpose()
}

async fn insert_tokens<C: GenericClient>(
    c: &C,
    user_id: &str,
    device_id: Uuid,
    t: &NewTokens,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    c.execute(
        "INSERT INTO tokens (hash, kind, user_id, device_id, expires_at, revoked, created_at) \
         VALUES ($1, 'access', $3, $4, $5, FALSE, $7), ($2, 'refresh', $3, $4, $6, FALSE, $7)",
        &[
            &t.access_hash,
            &t.refresh_hash,
            &user_id,
            &device_id,
            &t.access_expires_at,
            &t.refresh_expires_at,
            &now,
        ],
    )
    .await?;
    Ok(())
}

async fn revoke_all_tokens<C: GenericClient>(
    c: &C,
    user_id: &str,
    device_id: Uuid,
) -> Result<(), StorageError> {
    c.execute(
        "UPDATE tokens SET revoked = TRUE WHERE user_id = $1 AND device_id = $2 AND NOT revoked",
        &[&user_id, &device_id],
    )
    .await?;
    Ok(())
}

/// Ends any grace of the user's rotated-away refresh tokens on the device (at most one is
/// live: the newest) and, when `grace` is given, lets `spent_hash` refresh once more until
/// then (see [`super::Storage::rotate_refresh`]).
async fn replace_grace<C: GenericClient>(
    c: &C,
    user_id: &str,
    device_id: Uuid,
    grace: Option<(&str, DateTime<Utc>)>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    c.execute(
        "DELETE FROM tokens WHERE user_id = $1 AND device_id = $2 AND hash LIKE $3",
        &[&user_id, &device_id, &format!("{GRACE_PREFIX}%")],
    )
    .await?;
    if let Some((spent_hash, until)) = grace {
        c.execute(
            "INSERT INTO tokens (hash, kind, user_id, device_id, expires_at, revoked, created_at) \
             VALUES ($1, 'refresh', $2, $3, $4, FALSE, $5)",
            &[&grace_key(spent_hash), &user_id, &device_id, &until, &now],
        )
        .await?;
    }
    Ok(())
}

async fn read_record<C: GenericClient>(c: &C, id: Uuid) -> Result<Option<Record>, StorageError> {
    let stmt = c
        .prepare_cached(&format!(
            "SELECT {RECORD_COLUMNS} FROM records r WHERE r.id = $1"
        ))
        .await?;
    match c.query_opt(&stmt, &[&id]).await? {
        Some(row) => record_at(&row, 0),
        None => Ok(None),
    }
}

impl PgStorage {
    /// Connects to `url` (`postgres://…`) and brings the schema up to date.
    pub async fn open(url: &str) -> Result<PgStorage, StorageError> {
        let pg: tokio_postgres::Config =
            url.parse()
                .map_err(|e: tokio_postgres::Error| StorageError::Open {
                    path: "PostgreSQL".into(),
                    message: e.to_string(),
                })?;
        let manager = Manager::from_config(
            pg,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(Duration::from_secs(5)))
            .create_timeout(Some(Duration::from_secs(10)))
            .build()
            .map_err(pool_err)?;
        let storage = PgStorage {
            pool,
            operator: std::sync::Arc::from("system"),
        };
        storage.migrate().await?;
        tracing::info!("PostgreSQL storage opened");
        Ok(storage)
    }

    /// This handle, recording administration as by `operator`.
    pub fn operated_by(&self, operator: &str) -> PgStorage {
        PgStorage {
            pool: self.pool.clone(),
            operator: std::sync::Arc::from(operator),
        }
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, StorageError> {
        self.pool.get().await.map_err(|e| match e {
            deadpool_postgres::PoolError::Backend(e) => StorageError::Postgres(e),
            other => pool_err(other),
        })
    }

    async fn migrate(&self) -> Result<(), StorageError> {
        let mut client = self.client().await?;
        client
            .batch_execute("CREATE TABLE IF NOT EXISTS kyosai_schema (version INTEGER NOT NULL)")
            .await?;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
            .await?;
        let current: i32 = match tx
            .query_opt("SELECT version FROM kyosai_schema", &[])
            .await?
        {
            Some(r) => r.try_get(0)?,
            None => {
                tx.execute("INSERT INTO kyosai_schema (version) VALUES (0)", &[])
                    .await?;
                0
            }
        };
        let known = MIGRATIONS.len() as i32;
        if current > known {
            return Err(StorageError::TooNew {
                found: current.into(),
                known: known.into(),
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            let version = i as i32 + 1;
            tx.batch_execute(sql).await?;
            if version == 1 {
                tx.execute(
                    "INSERT INTO server_meta (key, value) VALUES ('epoch', $1)",
                    &[&Uuid::new_v4().simple().to_string()],
                )
                .await?;
            }
            tx.execute("UPDATE kyosai_schema SET version = $1", &[&version])
                .await?;
            tracing::info!(version, "PostgreSQL schema migrated");
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn epoch(&self) -> Result<String, StorageError> {
        let c = self.client().await?;
        let row = c
            .query_one("SELECT value FROM server_meta WHERE key = 'epoch'", &[])
            .await?;
        Ok(row.try_get(0)?)
    }

    pub async fn rotate_epoch(&self) -> Result<String, StorageError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let epoch = Uuid::new_v4().simple().to_string();
        tx.execute(
            "UPDATE server_meta SET value = $1 WHERE key = 'epoch'",
            &[&epoch],
        )
        .await?;
        audit::append(
            &tx,
            vec![crate::audit::config(
                &self.operator,
                Some(&epoch),
                serde_json::json!({ "op": "epoch_rotate" }),
            )],
        )
        .await?;
        tx.commit().await?;
        Ok(epoch)
    }

    pub async fn upsert_office(&self, code: &str, name: &str) -> Result<(), StorageError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        tx.execute(
            "INSERT INTO offices (code, name, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (code) DO UPDATE SET name = excluded.name",
            &[&code, &name, &crate::model::now()],
        )
        .await?;
        audit::append(
            &tx,
            vec![crate::audit::config(
                &self.operator,
                Some(code),
                serde_json::json!({ "op": "office", "name": name }),
            )],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn offices(&self) -> Result<Vec<Office>, StorageError> {
        let c = self.client().await?;
        let rows = c
            .query("SELECT code, name FROM offices ORDER BY code", &[])
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Office {
                    code: r.try_get(0)?,
                    name: r.try_get(1)?,
                })
            })
            .collect()
    }

    pub async fn add_user(&self, user: NewUser) -> Result<(), AdminError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(StorageError::from)?;
        let exists: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM users WHERE id = $1)",
                &[&user.id],
            )
            .await
            .map_err(StorageError::from)?
            .try_get(0)
            .map_err(StorageError::from)?;
        if exists {
            return Err(AdminError::UserExists(user.id));
        }
        if let Some(office) = &user.office_code {
            let known: bool = tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM offices WHERE code = $1)",
                    &[office],
                )
                .await
                .map_err(StorageError::from)?
                .try_get(0)
                .map_err(StorageError::from)?;
            if !known {
                return Err(AdminError::NoSuchOffice(office.clone()));
            }
        }
        tx.execute(
            "INSERT INTO users (id, display_name, password_hash, office_code, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &user.id,
                &user.display_name,
                &user.password_hash,
                &user.office_code,
                &crate::model::now(),
            ],
        )
        .await
        .map_err(StorageError::from)?;
        for role in &user.roles {
            tx.execute(
                "INSERT INTO user_roles (user_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&user.id, &role_str(*role)],
            )
            .await
            .map_err(StorageError::from)?;
        }
        audit::append(
            &tx,
            vec![crate::audit::user_admin(
                &self.operator,
                &user.id,
                serde_json::json!({
                    "op": "add",
                    "roles": crate::audit::roles(&user.roles),
                    "office": user.office_code,
                }),
            )],
        )
        .await?;
        tx.commit().await.map_err(StorageError::from)?;
        Ok(())
    }

    pub async fn users(&self) -> Result<Vec<UserSummary>, StorageError> {
        let c = self.client().await?;
        let rows = c
            .query(
                "SELECT u.id, u.display_name, u.office_code, u.failed_logins, u.locked_until, u.disabled, \
                        ARRAY(SELECT role FROM user_roles WHERE user_id = u.id ORDER BY role) \
                 FROM users u ORDER BY u.id",
                &[],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(UserSummary {
                    id: r.try_get(0)?,
                    display_name: r.try_get(1)?,
                    office_code: r.try_get(2)?,
                    failed_logins: u32::try_from(r.try_get::<_, i32>(3)?).unwrap_or(0),
                    locked_until: r.try_get(4)?,
                    disabled: r.try_get(5)?,
                    roles: roles(r.try_get(6)?),
                })
            })
            .collect()
    }

    /// One statement on a user in a transaction with its `user.admin` entry (written when
    /// the statement found the user). `true` when it did.
    async fn admin_user_update(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
        user_id: &str,
        detail: serde_json::Value,
    ) -> Result<bool, StorageError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let n = tx.execute(sql, params).await?;
        if n > 0 {
            audit::append(
                &tx,
                vec![crate::audit::user_admin(&self.operator, user_id, detail)],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(n > 0)
    }

    pub async fn set_password(&self, user_id: &str, hash: &str) -> Result<bool, StorageError> {
        self.admin_user_update(
            "UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = NULL WHERE id = $1",
            &[&user_id, &hash],
            user_id,
            serde_json::json!({ "op": "set_password" }),
        )
        .await
    }

    pub async fn unlock_user(&self, user_id: &str) -> Result<bool, StorageError> {
        self.admin_user_update(
            "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1",
            &[&user_id],
            user_id,
            serde_json::json!({ "op": "unlock" }),
        )
        .await
    }

    /// Disables (or enables again) a user. `false` when there is no such user.
    pub async fn set_disabled(&self, user_id: &str, disabled: bool) -> Result<bool, StorageError> {
        let op = if disabled { "disable" } else { "enable" };
        self.admin_user_update(
            "UPDATE users SET disabled = $2 WHERE id = $1",
            &[&user_id, &disabled],
            user_id,
            serde_json::json!({ "op": op }),
        )
        .await
    }

    /// Replaces a user's roles and office.
    pub async fn set_roles(
        &self,
        user_id: &str,
        roles: &[Role],
        office_code: Option<&str>,
    ) -> Result<(), AdminError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(StorageError::from)?;
        if let Some(office) = office_code {
            let known: bool = tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM offices WHERE code = $1)",
                    &[&office],
                )
                .await
                .map_err(StorageError::from)?
                .try_get(0)
                .map_err(StorageError::from)?;
            if !known {
                return Err(AdminError::NoSuchOffice(office.to_string()));
            }
        }
        let n = tx
            .execute(
                "UPDATE users SET office_code = $2 WHERE id = $1",
                &[&user_id, &office_code],
            )
            .await
            .map_err(StorageError::from)?;
        if n == 0 {
            return Err(AdminError::NoSuchUser(user_id.to_string()));
        }
        tx.execute("DELETE FROM user_roles WHERE user_id = $1", &[&user_id])
            .await
            .map_err(StorageError::from)?;
        for role in roles {
            tx.execute(
                "INSERT INTO user_roles (user_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&user_id, &role_str(*role)],
            )
            .await
            .map_err(StorageError::from)?;
        }
        audit::append(
            &tx,
            vec![crate::audit::user_admin(
                &self.operator,
                user_id,
                serde_json::json!({
                    "op": "roles",
                    "roles": crate::audit::roles(roles),
                    "office": office_code,
                }),
            )],
        )
        .await?;
        tx.commit().await.map_err(StorageError::from)?;
        Ok(())
    }

    pub async fn user_for_login(&self, user_id: &str) -> Result<Option<LoginUser>, StorageError> {
        let c = self.client().await?;
        let Some(row) = c
            .query_opt(
                "SELECT password_hash, locked_until, disabled FROM users WHERE id = $1",
                &[&user_id],
            )
            .await?
        else {
            return Ok(None);
        };
        let Some(info) = user_info(&c, user_id).await? else {
            return Ok(None);
        };
        Ok(Some(LoginUser {
            info,
            password_hash: row.try_get(0)?,
            locked_until: row.try_get(1)?,
            disabled: row.try_get(2)?,
        }))
    }

    pub async fn record_login_failure(
        &self,
        user_id: &str,
        threshold: u32,
        locked_until: DateTime<Utc>,
        failed: kyosai_audit::NewEntry,
        lockout: kyosai_audit::NewEntry,
    ) -> Result<Option<DateTime<Utc>>, StorageError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let count: Option<i32> = tx
            .query_opt(
                "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins",
                &[&user_id],
            )
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
        let locked = match count {
            Some(n) if i64::from(n) >= i64::from(threshold) => {
                tx.execute(
                    "UPDATE users SET failed_logins = 0, locked_until = $2 WHERE id = $1",
                    &[&user_id, &locked_until],
                )
                .await?;
                Some(locked_until)
            }
            _ => None,
        };
        let mut entries = vec![failed];
        if locked.is_some() {
            entries.push(lockout);
        }
        audit::append(&tx, entries).await?;
        tx.commit().await?;
        Ok(locked)
    }

    pub async fn record_login_success(&self, user_id: &str) -> Result<(), StorageError> {
        let c = self.client().await?;
        c.execute(
            "UPDATE users SET failed_logins = 0, locked_until = NULL \
             WHERE id = $1 AND (failed_logins <> 0 OR locked_until IS NOT NULL)",
            &[&user_id],
        )
        .await?;
        Ok(())
    }

    pub async fn device(
        &self,
        user_id: &str,
        device_id: Uuid,
    ) -> Result<Option<Device>, StorageError> {
        let c = self.client().await?;
        let row = c
            .query_opt(
                "SELECT name, enrolled_at, revoked_at FROM devices WHERE user_id = $1 AND device_id = $2",
                &[&user_id, &device_id],
            )
            .await?;
        row.map(|r| {
            Ok(Device {
                device_id,
                user_id: user_id.to_string(),
                name: r.try_get(0)?,
                enrolled_at: r.try_get(1)?,
                revoked_at: r.try_get(2)?,
            })
        })
        .transpose()
    }

    pub async fn enroll_device(
        &self,
        user_id: &str,
        device_id: Uuid,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let c = self.client().await?;
        c.execute(
            "INSERT INTO devices (device_id, user_id, name, enrolled_at, last_seen_at) VALUES ($1, $2, $3, $4, $4) \
             ON CONFLICT (user_id, device_id) DO UPDATE SET name = excluded.name, last_seen_at = excluded.last_seen_at",
            &[&device_id, &user_id, &name, &now],
        )
        .await?;
        Ok(())
    }

    pub async fn devices(&self) -> Result<Vec<Device>, StorageError> {
        let c = self.client().await?;
        let rows = c
            .query(
                "SELECT device_id, user_id, name, enrolled_at, revoked_at FROM devices ORDER BY user_id, enrolled_at",
                &[],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Device {
                    device_id: r.try_get(0)?,
                    user_id: r.try_get(1)?,
                    name: r.try_get(2)?,
                    enrolled_at: r.try_get(3)?,
                    revoked_at: r.try_get(4)?,
                })
            })
            .collect()
    }

    pub async fn revoke_device(
        &self,
        device_id: Uuid,
        user_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<u64, StorageError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let n = tx
            .execute(
                "UPDATE devices SET revoked_at = $3 WHERE device_id = $1 \
                 AND ($2::TEXT IS NULL OR user_id = $2) AND revoked_at IS NULL",
                &[&device_id, &user_id, &now],
            )
            .await?;
        tx.execute(
            "UPDATE tokens SET revoked = TRUE WHERE device_id = $1 AND ($2::TEXT IS NULL OR user_id = $2)",
            &[&device_id, &user_id],
        )
        .await?;
        if n > 0 {
            audit::append(
                &tx,
                vec![crate::audit::user_admin(
                    &self.operator,
                    &device_id.to_string(),
                    serde_json::json!({ "op": "revoke_device", "user": user_id, "count": n }),
                )],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(n)
    }

    pub async fn issue_tokens(
        &self,
        user_id: &str,
        device_id: Uuid,
        tokens: &NewTokens,
        now: DateTime<Utc>,
        signed_in: kyosai_audit::NewEntry,
    ) -> Result<(), StorageError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        tx.execute(
            "DELETE FROM tokens WHERE user_id = $1 AND device_id = $2 AND expires_at < $3",
            &[&user_id, &device_id, &now],
        )
        .await?;
        insert_tokens(&tx, user_id, device_id, tokens, now).await?;
        audit::append(&tx, vec![signed_in]).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn lookup_access(
        &self,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<AccessLookup, StorageError> {
        let c = self.client().await?;
        let stmt = c
            .prepare_cached(
                "SELECT t.kind, t.expires_at, t.revoked, t.user_id, t.device_id, u.office_code, u.disabled, \
                        (d.device_id IS NULL OR d.revoked_at IS NOT NULL), \
                        ARRAY(SELECT role FROM user_roles WHERE user_id = t.user_id ORDER BY role), \
                        ARRAY(SELECT position FROM user_positions WHERE user_id = t.user_id ORDER BY position) \
                 FROM tokens t JOIN users u ON u.id = t.user_id \
                 LEFT JOIN devices d ON d.user_id = t.user_id AND d.device_id = t.device_id \
                 WHERE t.hash = $1",
            )
            .await?;
        let Some(r) = c.query_opt(&stmt, &[&hash]).await? else {
            return Ok(AccessLookup::Invalid);
        };
        let kind: String = r.try_get(0)?;
        let expires_at: DateTime<Utc> = r.try_get(1)?;
        let revoked: bool = r.try_get(2)?;
        if kind != "access" {
            return Ok(AccessLookup::Invalid);
        }
        if r.try_get::<_, bool>(7)? {
            return Ok(AccessLookup::DeviceRevoked);
        }
        if revoked {
            return Ok(AccessLookup::Invalid);
        }
        if r.try_get::<_, bool>(6)? {
            return Ok(AccessLookup::Disabled);
        }
        if expires_at <= now {
            return Ok(AccessLookup::Expired);
        }
        Ok(AccessLookup::Valid(Actor {
            user_id: r.try_get(3)?,
            device_id: r.try_get(4)?,
            office_code: r.try_get(5)?,
            roles: roles(r.try_get(8)?),
            positions: crate::model::positions_from(&r.try_get::<_, Vec<String>>(9)?),
            approval: None,
        }))
    }

    pub async fn rotate_refresh(
        &self,
        old_hash: &str,
        device_id: Uuid,
        new: &NewTokens,
        grace_until: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<RefreshOutcome, StorageError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let row = tx
            .query_opt(
                "SELECT t.kind, t.user_id, t.device_id, t.expires_at, t.revoked, u.disabled, \
                        (d.device_id IS NULL OR d.revoked_at IS NOT NULL) \
                 FROM tokens t JOIN users u ON u.id = t.user_id \
                 LEFT JOIN devices d ON d.user_id = t.user_id AND d.device_id = t.device_id \
                 WHERE t.hash = $1 FOR UPDATE OF t",
                &[&old_hash],
            )
            .await?;
        let Some(r) = row else {
            return Ok(RefreshOutcome::Unknown);
        };
        let kind: String = r.try_get(0)?;
        let user_id: String = r.try_get(1)?;
        let token_device: Uuid = r.try_get(2)?;
        let expires_at: DateTime<Utc> = r.try_get(3)?;
        let revoked: bool = r.try_get(4)?;
        let disabled: bool = r.try_get(5)?;
        let device_revoked: bool = r.try_get(6)?;
        if kind != "refresh" || token_device != device_id {
            return Ok(RefreshOutcome::Unknown);
        }
        if device_revoked {
            return Ok(RefreshOutcome::DeviceRevoked);
        }
        if revoked {
            // Rotated away within its grace (the answer to that refresh was lost)?
            let grace = tx
                .query_opt(
                    "SELECT expires_at, revoked FROM tokens WHERE hash = $1 FOR UPDATE",
                    &[&grace_key(old_hash)],
                )
                .await?;
            let forgiven = match grace {
                Some(g) => !g.try_get::<_, bool>(1)? && g.try_get::<_, DateTime<Utc>>(0)? > now,
                None => false,
            };
            if !forgiven {
                revoke_all_tokens(&tx, &user_id, device_id).await?;
                tx.commit().await?;
                return Ok(RefreshOutcome::Reused);
            }
            // Once only; the pair issued in the lost answer ends.
            replace_grace(&tx, &user_id, device_id, None, now).await?;
            revoke_all_tokens(&tx, &user_id, device_id).await?;
        }
        if expires_at <= now {
            return Ok(RefreshOutcome::Expired);
        }
        if disabled {
            return Ok(RefreshOutcome::Disabled);
        }
        if !revoked {
            tx.execute(
                "UPDATE tokens SET revoked = TRUE WHERE hash = $1",
                &[&old_hash],
            )
            .await?;
            let grace = grace_until.map(|until| (old_hash, until));
            replace_grace(&tx, &user_id, device_id, grace, now).await?;
        }
        insert_tokens(&tx, &user_id, device_id, new, now).await?;
        let info = user_info(&tx, &user_id)
            .await?
            .ok_or_else(|| StorageError::Corrupt(format!("token of unknown user {user_id}")))?;
        tx.commit().await?;
        Ok(if revoked {
            RefreshOutcome::Forgiven(info)
        } else {
            RefreshOutcome::Rotated(info)
        })
    }

    pub async fn revoke_tokens(
        &self,
        user_id: &str,
        device_id: Uuid,
        signed_out: kyosai_audit::NewEntry,
    ) -> Result<(), StorageError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        revoke_all_tokens(&tx, user_id, device_id).await?;
        audit::append(&tx, vec![signed_out]).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn push(
        &self,
        actor: &Actor,
        client_id: Uuid,
        commands: Vec<CommandEnvelope>,
        now: DateTime<Utc>,
        client_head: Option<kyosai_audit::NewEntry>,
    ) -> Result<PushOutcome, StorageError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let outcome = {
            let mut ptx = PgPushTx::new(&tx);
            ptx.lock_and_load(client_id, &commands).await?;
            push::push(&mut ptx, actor, client_id, &commands, now, client_head).await?
        };
        if matches!(outcome, PushOutcome::Done { .. }) {
            tx.commit().await?;
        } else {
            tx.rollback().await?;
        }
        Ok(outcome)
    }

    pub async fn changes_after(
        &self,
        scope: &Scope,
        after: i64,
        limit: u32,
    ) -> Result<Vec<ChangeRow>, StorageError> {
        let c = self.client().await?;
        let limit = i64::from(limit);
        let rows = match scope {
            Scope::Office(code) => {
                let stmt = c
                    .prepare_cached(&format!(
                        "SELECT c.seq, c.record_id, c.op, {RECORD_COLUMNS} FROM changes c \
                         LEFT JOIN records r ON r.id = c.record_id \
                         WHERE c.seq > $1 AND c.office_code = $2 ORDER BY c.seq LIMIT $3"
                    ))
                    .await?;
                c.query(&stmt, &[&after, code, &limit]).await?
            }
            Scope::All => {
                let stmt = c
                    .prepare_cached(&format!(
                        "SELECT c.seq, c.record_id, c.op, {RECORD_COLUMNS} FROM changes c \
                         LEFT JOIN records r ON r.id = c.record_id \
                         WHERE c.seq > $1 AND c.op = 'upsert' ORDER BY c.seq LIMIT $2"
                    ))
                    .await?;
                c.query(&stmt, &[&after, &limit]).await?
            }
            Scope::Nothing => return Ok(Vec::new()),
        };
        rows.iter()
            .map(|r| {
                let op: String = r.try_get(2)?;
                Ok(ChangeRow {
                    seq: r.try_get(0)?,
                    record_id: r.try_get(1)?,
                    op: ChangeOp::parse(&op)
                        .ok_or_else(|| StorageError::Corrupt(format!("change op {op:?}")))?,
                    record: record_at(r, 3)?,
                })
            })
            .collect()
    }

    pub async fn has_changes_after(&self, scope: &Scope, after: i64) -> Result<bool, StorageError> {
        let c = self.client().await?;
        let row = match scope {
            Scope::Office(code) => {
                c.query_one(
                    "SELECT EXISTS (SELECT 1 FROM changes WHERE seq > $1 AND office_code = $2)",
                    &[&after, code],
                )
                .await?
            }
            Scope::All => {
                c.query_one(
                    "SELECT EXISTS (SELECT 1 FROM changes WHERE seq > $1 AND op = 'upsert')",
                    &[&after],
                )
                .await?
            }
            Scope::Nothing => return Ok(false),
        };
        Ok(row.try_get(0)?)
    }

    pub async fn newest_change(&self) -> Result<i64, StorageError> {
        let c = self.client().await?;
        let row = c
            .query_one("SELECT COALESCE(MAX(seq), 0) FROM changes", &[])
            .await?;
        Ok(row.try_get(0)?)
    }

    pub async fn open_conflicts(&self, user_id: &str) -> Result<Vec<StoredConflict>, StorageError> {
        let c = self.client().await?;
        let rows = c
            .query(
                &format!(
                    "SELECT c.id, c.client_id, c.seq, c.command, c.version, c.record_id, c.base_version, \
                            c.payload, c.code, c.message, c.created_at, {RECORD_COLUMNS} \
                     FROM conflicts c LEFT JOIN records r ON r.id = c.record_id \
                     WHERE c.user_id = $1 AND c.resolved_at IS NULL ORDER BY c.created_at, c.seq"
                ),
                &[&user_id],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredConflict {
                    conflict: Conflict {
                        id: r.try_get(0)?,
                        client_id: r.try_get(1)?,
                        seq: u64::try_from(r.try_get::<_, i64>(2)?).unwrap_or(0),
                        command: r.try_get(3)?,
                        version: version_u32(r.try_get(4)?)?,
                        record_id: r.try_get(5)?,
                        base_version: r.try_get(6)?,
                        payload: r.try_get(7)?,
                        server_record: None,
                        code: r.try_get(8)?,
                        message: r.try_get(9)?,
                        created_at: r.try_get(10)?,
                    },
                    record: record_at(r, 11)?,
                })
            })
            .collect()
    }

    pub async fn resolve_conflict(
        &self,
        user_id: &str,
        id: Uuid,
        resolution: Resolution,
        now: DateTime<Utc>,
        resolved: kyosai_audit::NewEntry,
    ) -> Result<ResolveOutcome, StorageError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let n = tx
            .execute(
                "UPDATE conflicts SET resolved_at = $3, resolution = $4 \
                 WHERE id = $1 AND user_id = $2 AND resolved_at IS NULL",
                &[&id, &user_id, &now, &resolution_str(resolution)],
            )
            .await?;
        if n > 0 {
            audit::append(&tx, vec![resolved]).await?;
            tx.commit().await?;
            return Ok(ResolveOutcome::Resolved);
        }
        let exists: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM conflicts WHERE id = $1 AND user_id = $2)",
                &[&id, &user_id],
            )
            .await?
            .try_get(0)?;
        Ok(if exists {
            ResolveOutcome::AlreadyResolved
        } else {
            ResolveOutcome::NotFound
        })
    }

    pub async fn record(&self, id: Uuid) -> Result<Option<Record>, StorageError> {
        let c = self.client().await?;
        read_record(&c, id).await
    }

    pub async fn command_count(&self, client_id: Uuid) -> Result<u64, StorageError> {
        let c = self.client().await?;
        let n: i64 = c
            .query_one(
                "SELECT COUNT(*) FROM command_results WHERE client_id = $1",
                &[&client_id],
            )
            .await?
            .try_get(0)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    pub async fn import_record(&self, record: &Record) -> Result<bool, StorageError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
            .await?;
        if read_record(&tx, record.id).await?.is_some() {
            return Ok(false);
        }
        let mut ptx = PgPushTx::new(&tx);
        ptx.save_record(record, true).await?;
        ptx.append_change(
            record.id,
            ChangeOp::Upsert,
            &record.office_code,
            record.updated_at,
        )
        .await?;
        audit::append(
            &tx,
            vec![crate::audit::record_imported(&self.operator, record)],
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn import_records(
        &self,
        records: &[Record],
        source: &str,
    ) -> Result<u64, StorageError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
            .await?;
        let ids: Vec<Uuid> = records.iter().map(|r| r.id).collect();
        let stored: std::collections::HashSet<Uuid> = tx
            .query("SELECT id FROM records WHERE id = ANY($1)", &[&ids])
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
        let mut seen = std::collections::HashSet::new();
        let fresh: Vec<&Record> = records
            .iter()
            .filter(|r| !stored.contains(&r.id) && seen.insert(r.id))
            .collect();
        if fresh.is_empty() {
            return Ok(0);
        }
        let n = fresh.len() as u64;
        let mut ptx = PgPushTx::new(&tx);
        for r in &fresh {
            ptx.save_record(r, true).await?;
            ptx.append_change(r.id, ChangeOp::Upsert, &r.office_code, r.updated_at)
                .await?;
        }
        audit::append(
            &tx,
            vec![super::records_imported(&self.operator, source, n)],
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    pub async fn work_sessions(
        &self,
        office: Option<&str>,
    ) -> Result<Vec<WorkSessionRow>, StorageError> {
        let c = self.client().await?;
        let rows = c
            .query(
                "SELECT session_id, record_id, kind, step, user_id, office_code, started_at, \
                     active_seconds \
                 FROM work_sessions WHERE $1::TEXT IS NULL OR office_code = $1 \
                 ORDER BY started_at, session_id",
                &[&office],
            )
            .await?;
        rows.iter()
            .map(|r| {
                let seconds: i32 = r.try_get(7)?;
                Ok(WorkSessionRow {
                    session_id: r.try_get(0)?,
                    record_id: r.try_get(1)?,
                    kind: r.try_get(2)?,
                    step: r.try_get(3)?,
                    user_id: r.try_get(4)?,
                    office_code: r.try_get(5)?,
                    started_at: r.try_get(6)?,
                    active_seconds: u32::try_from(seconds).map_err(|_| {
                        StorageError::Corrupt(format!("work_sessions: {seconds} seconds"))
                    })?,
                })
            })
            .collect()
    }

    pub async fn insert_work_sessions(&self, rows: &[WorkSessionRow]) -> Result<u64, StorageError> {
        let c = self.client().await?;
        insert_work_sessions(&c, rows, Utc::now()).await
    }
}

/// Inserts the work sessions whose id is not stored yet, in one statement; how many were.
async fn insert_work_sessions<C: GenericClient>(
    c: &C,
    rows: &[WorkSessionRow],
    received_at: DateTime<Utc>,
) -> Result<u64, StorageError> {
    if rows.is_empty() {
        return Ok(0);
    }
    let stmt = c
        .prepare_cached(
            "INSERT INTO work_sessions (session_id, record_id, kind, step, user_id, office_code, \
                 started_at, active_seconds, received_at) \
             SELECT *, $9::TIMESTAMPTZ FROM UNNEST($1::UUID[], $2::UUID[], $3::TEXT[], \
                 $4::TEXT[], $5::TEXT[], $6::TEXT[], $7::TIMESTAMPTZ[], $8::INTEGER[]) \
             ON CONFLICT (session_id) DO NOTHING",
        )
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|w| w.session_id).collect();
    let records: Vec<Uuid> = rows.iter().map(|w| w.record_id).collect();
    let kinds: Vec<&str> = rows.iter().map(|w| w.kind.as_str()).collect();
    let steps: Vec<&str> = rows.iter().map(|w| w.step.as_str()).collect();
    let users: Vec<&str> = rows.iter().map(|w| w.user_id.as_str()).collect();
    let offices: Vec<&str> = rows.iter().map(|w| w.office_code.as_str()).collect();
    let started: Vec<DateTime<Utc>> = rows.iter().map(|w| w.started_at).collect();
    let seconds = rows
        .iter()
        .map(|w| i32::try_from(w.active_seconds))
        .collect::<Result<Vec<i32>, _>>()
        .map_err(|_| StorageError::Internal("work session seconds out of range".into()))?;
    let n = c
        .execute(
            &stmt,
            &[
                &ids,
                &records,
                &kinds,
                &steps,
                &users,
                &offices,
                &started,
                &seconds,
                &received_at,
            ],
        )
        .await?;
    Ok(n)
}

/// The push transaction. Reads are answered from what [`PgPushTx::lock_and_load`] loaded
/// in the same round trip as the lock, and writes are collected and sent in
/// [`PushTx::flush`] as a few multi-row statements, pipelined: a push costs four round
/// trips to PostgreSQL (begin; lock and reads; writes; commit) whatever its size, instead
/// of several per command. The advisory lock keeps every other writer out, so what was
/// loaded stays true until the commit, except for what this push itself writes, which
/// the cache follows.
struct PgPushTx<'a, 'c> {
    tx: &'a deadpool_postgres::Transaction<'c>,
    /// The client binding read with the lock (taken by the first [`PushTx::client`]).
    binding: Option<Option<ClientBinding>>,
    /// Every office code, read with the lock.
    offices: Option<std::collections::HashSet<String>>,
    /// Stored results of the batch's replayed seqs.
    stored: HashMap<u64, StoredResult>,
    /// Records as this push sees them (`None`: known not to exist), deferred writes included.
    records: HashMap<Uuid, Option<Record>>,
    /// Records to write, in first-touched order.
    pending: Vec<PendingRecord>,
    pending_index: HashMap<Uuid, usize>,
    changes: Vec<(Uuid, ChangeOp, String, DateTime<Utc>)>,
    conflicts: Vec<(Conflict, String)>,
    /// Work sessions to keep, and when they were received (the push's time).
    work: Vec<WorkSessionRow>,
    work_received: Option<DateTime<Utc>>,
    results: Vec<PendingResult>,
    last_seq: Option<(Uuid, u64)>,
    /// The last audit entry, read with the audit lock in [`PgPushTx::lock_and_load`]
    /// (`None` when not loaded: [`PushTx::append_audit`] then locks and reads itself).
    audit_last: Option<Option<kyosai_audit::Entry>>,
    /// Audit entries to write, already chained.
    audit: Vec<kyosai_audit::Entry>,
}

/// A record's final state in this push and the version it has in the database now
/// (`None`: new).
struct PendingRecord {
    record: Record,
    db_version: Option<i64>,
}

struct PendingResult {
    client_id: Uuid,
    seq: i64,
    command: String,
    version: i32,
    record_id: Uuid,
    outcome_json: String,
    now: DateTime<Utc>,
}

impl<'a, 'c> PgPushTx<'a, 'c> {
    fn new(tx: &'a deadpool_postgres::Transaction<'c>) -> Self {
        PgPushTx {
            tx,
            binding: None,
            offices: None,
            stored: HashMap::new(),
            records: HashMap::new(),
            pending: Vec::new(),
            pending_index: HashMap::new(),
            changes: Vec::new(),
            conflicts: Vec::new(),
            work: Vec::new(),
            work_received: None,
            results: Vec::new(),
            last_seq: None,
            audit_last: None,
            audit: Vec::new(),
        }
    }

    /// Takes the write lock and the audit lock (in that order, as everywhere) and reads,
    /// in the same round trip, the client binding, the stored results of the batch's
    /// seqs, the records it names, the office codes and the last audit entry.
    ///
    /// The statements are pipelined behind the lock on one connection and PostgreSQL runs
    /// them in the order sent, so every read runs once the lock is held. That order is
    /// why the lock's statement is prepared first (its request then goes out on the
    /// first poll) and the join is `biased` (polled in the order written).
    async fn lock_and_load(
        &mut self,
        client_id: Uuid,
        commands: &[CommandEnvelope],
    ) -> Result<(), StorageError> {
        let tx = self.tx;
        let lock = tx
            .prepare_cached("SELECT pg_advisory_xact_lock($1)")
            .await?;
        let binding = tx
            .prepare_cached("SELECT user_id, device_id, last_seq FROM clients WHERE client_id = $1")
            .await?;
        let stored = tx
            .prepare_cached(
                "SELECT seq, command, version, record_id, result FROM command_results \
                 WHERE client_id = $1 AND seq = ANY($2)",
            )
            .await?;
        let records = tx
            .prepare_cached(&format!(
                "SELECT {RECORD_COLUMNS} FROM records r WHERE r.id = ANY($1)"
            ))
            .await?;
        let offices = tx.prepare_cached("SELECT code FROM offices").await?;
        let audit_last = tx.prepare_cached(audit::SELECT_LAST).await?;
        let seqs = commands
            .iter()
            .map(|c| seq_i64(c.seq))
            .collect::<Result<Vec<_>, _>>()?;
        let mut ids = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for c in commands {
            if seen.insert(c.record_id) {
                ids.push(c.record_id);
            }
        }
        let (lock_params, binding_params): ([&(dyn ToSql + Sync); 1], [&(dyn ToSql + Sync); 1]) =
            ([&WRITE_LOCK], [&client_id]);
        let audit_lock_params: [&(dyn ToSql + Sync); 1] = [&audit::AUDIT_LOCK];
        let stored_params: [&(dyn ToSql + Sync); 2] = [&client_id, &seqs];
        let records_params: [&(dyn ToSql + Sync); 1] = [&ids];
        let (_, _, binding, stored, records, offices, audit_last) = tokio::try_join!(
            biased;
            tx.execute(&lock, &lock_params),
            tx.execute(&lock, &audit_lock_params),
            tx.query_opt(&binding, &binding_params),
            tx.query(&stored, &stored_params),
            tx.query(&records, &records_params),
            tx.query(&offices, &[]),
            tx.query_opt(&audit_last, &[]),
        )?;
        self.audit_last = Some(
            audit_last
                .map(|r| audit::row(&r).map(|a| a.entry))
                .transpose()?,
        );
        self.binding = Some(
            binding
                .map(|r| {
                    Ok::<_, StorageError>(ClientBinding {
                        user_id: r.try_get(0)?,
                        device_id: r.try_get(1)?,
                        last_seq: u64::try_from(r.try_get::<_, i64>(2)?)
                            .map_err(|_| StorageError::Corrupt("negative last_seq".into()))?,
                    })
                })
                .transpose()?,
        );
        for row in &stored {
            let seq = u64::try_from(row.try_get::<_, i64>(0)?)
                .map_err(|_| StorageError::Corrupt("negative seq".into()))?;
            self.stored.insert(seq, Self::stored_from_row(row, 1)?);
        }
        // Ids not found are known not to exist.
        for id in ids {
            self.records.insert(id, None);
        }
        for row in &records {
            if let Some(r) = record_at(row, 0)? {
                self.records.insert(r.id, Some(r));
            }
        }
        self.offices = Some(
            offices
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Result<_, _>>()?,
        );
        Ok(())
    }

    fn stored_from_row(r: &Row, at: usize) -> Result<StoredResult, StorageError> {
        Ok(StoredResult {
            command: r.try_get(at)?,
            version: version_u32(r.try_get(at + 1)?)?,
            record_id: r.try_get(at + 2)?,
            outcome_json: r.try_get(at + 3)?,
        })
    }

    /// `INSERT … SELECT FROM UNNEST(…)` of the new records.
    async fn insert_records(&self) -> Result<(), StorageError> {
        let new: Vec<&Record> = self
            .pending
            .iter()
            .filter(|p| p.db_version.is_none())
            .map(|p| &p.record)
            .collect();
        if new.is_empty() {
            return Ok(());
        }
        let stmt = self
            .tx
            .prepare_cached(
                "INSERT INTO records (id, kind, office_code, version, state, title, body, \
                     created_by, updated_by, created_at, updated_at) \
                 SELECT * FROM UNNEST($1::UUID[], $2::TEXT[], $3::TEXT[], $4::BIGINT[], \
                     $5::TEXT[], $6::TEXT[], $7::JSONB[], $8::TEXT[], $9::TEXT[], \
                     $10::TIMESTAMPTZ[], $11::TIMESTAMPTZ[])",
            )
            .await?;
        let col = |f: fn(&Record) -> &str| new.iter().map(|r| f(r)).collect::<Vec<_>>();
        let ids: Vec<Uuid> = new.iter().map(|r| r.id).collect();
        let versions: Vec<i64> = new.iter().map(|r| r.version).collect();
        let bodies: Vec<&serde_json::Value> = new.iter().map(|r| &r.body).collect();
        let created_at: Vec<DateTime<Utc>> = new.iter().map(|r| r.created_at).collect();
        let updated_at: Vec<DateTime<Utc>> = new.iter().map(|r| r.updated_at).collect();
        self.tx
            .execute(
                &stmt,
                &[
                    &ids,
                    &col(|r| r.kind.as_str()),
                    &col(|r| r.office_code.as_str()),
                    &versions,
                    &col(|r| r.state.as_str()),
                    &col(|r| r.title.as_str()),
                    &bodies,
                    &col(|r| r.created_by.as_str()),
                    &col(|r| r.updated_by.as_str()),
                    &created_at,
                    &updated_at,
                ],
            )
            .await?;
        Ok(())
    }

    /// One `UPDATE … FROM UNNEST(…)` of the changed records, each only if it still has the
    /// version this push read.
    async fn update_records(&self) -> Result<(), StorageError> {
        let changed: Vec<(&Record, i64)> = self
            .pending
            .iter()
            .filter_map(|p| p.db_version.map(|v| (&p.record, v)))
            .collect();
        if changed.is_empty() {
            return Ok(());
        }
        let stmt = self
            .tx
            .prepare_cached(
                "UPDATE records r SET kind = u.kind, office_code = u.office_code, \
                     version = u.version, state = u.state, title = u.title, body = u.body, \
                     updated_by = u.updated_by, updated_at = u.updated_at \
                 FROM UNNEST($1::UUID[], $2::TEXT[], $3::TEXT[], $4::BIGINT[], $5::TEXT[], \
                     $6::TEXT[], $7::JSONB[], $8::TEXT[], $9::TIMESTAMPTZ[], $10::BIGINT[]) \
                     AS u(id, kind, office_code, version, state, title, body, updated_by, \
                          updated_at, expected) \
                 WHERE r.id = u.id AND r.version = u.expected",
            )
            .await?;
        let col = |f: fn(&Record) -> &str| changed.iter().map(|(r, _)| f(r)).collect::<Vec<_>>();
        let ids: Vec<Uuid> = changed.iter().map(|(r, _)| r.id).collect();
        let versions: Vec<i64> = changed.iter().map(|(r, _)| r.version).collect();
        let bodies: Vec<&serde_json::Value> = changed.iter().map(|(r, _)| &r.body).collect();
        let updated_at: Vec<DateTime<Utc>> = changed.iter().map(|(r, _)| r.updated_at).collect();
        let expected: Vec<i64> = changed.iter().map(|(_, v)| *v).collect();
        let n = self
            .tx
            .execute(
                &stmt,
                &[
                    &ids,
                    &col(|r| r.kind.as_str()),
                    &col(|r| r.office_code.as_str()),
                    &versions,
                    &col(|r| r.state.as_str()),
                    &col(|r| r.title.as_str()),
                    &bodies,
                    &col(|r| r.updated_by.as_str()),
                    &updated_at,
                    &expected,
                ],
            )
            .await?;
        if n != changed.len() as u64 {
            return Err(StorageError::Internal(format!(
                "{} of {} records changed under a write transaction",
                changed.len() as u64 - n,
                changed.len()
            )));
        }
        Ok(())
    }

    /// The change-log rows, in the order the commands wrote them; returns the newest serial.
    async fn insert_changes(&self) -> Result<Option<i64>, StorageError> {
        if self.changes.is_empty() {
            return Ok(None);
        }
        // The serials are drawn as the sorted rows reach the insert, so they follow `n`.
        let stmt = self
            .tx
            .prepare_cached(
                "INSERT INTO changes (record_id, op, office_code, created_at) \
                 SELECT record_id, op, office_code, created_at \
                 FROM UNNEST($1::UUID[], $2::TEXT[], $3::TEXT[], $4::TIMESTAMPTZ[]) \
                     WITH ORDINALITY AS u(record_id, op, office_code, created_at, n) \
                 ORDER BY n RETURNING seq",
            )
            .await?;
        let ids: Vec<Uuid> = self.changes.iter().map(|c| c.0).collect();
        let ops: Vec<&str> = self.changes.iter().map(|c| c.1.as_str()).collect();
        let offices: Vec<&str> = self.changes.iter().map(|c| c.2.as_str()).collect();
        let at: Vec<DateTime<Utc>> = self.changes.iter().map(|c| c.3).collect();
        let rows = self.tx.query(&stmt, &[&ids, &ops, &offices, &at]).await?;
        if rows.len() != self.changes.len() {
            return Err(StorageError::Internal(format!(
                "{} change-log rows written of {}",
                rows.len(),
                self.changes.len()
            )));
        }
        let mut newest = None;
        for row in &rows {
            let seq: i64 = row.try_get(0)?;
            newest = Some(newest.map_or(seq, |n: i64| n.max(seq)));
        }
        Ok(newest)
    }

    async fn insert_results(&self) -> Result<(), StorageError> {
        if self.results.is_empty() {
            return Ok(());
        }
        let stmt = self
            .tx
            .prepare_cached(
                "INSERT INTO command_results (client_id, seq, command, version, record_id, \
                     result, processed_at) \
                 SELECT * FROM UNNEST($1::UUID[], $2::BIGINT[], $3::TEXT[], $4::INTEGER[], \
                     $5::UUID[], $6::TEXT[], $7::TIMESTAMPTZ[])",
            )
            .await?;
        let r = &self.results;
        let clients: Vec<Uuid> = r.iter().map(|x| x.client_id).collect();
        let seqs: Vec<i64> = r.iter().map(|x| x.seq).collect();
        let names: Vec<&str> = r.iter().map(|x| x.command.as_str()).collect();
        let versions: Vec<i32> = r.iter().map(|x| x.version).collect();
        let records: Vec<Uuid> = r.iter().map(|x| x.record_id).collect();
        let outcomes: Vec<&str> = r.iter().map(|x| x.outcome_json.as_str()).collect();
        let at: Vec<DateTime<Utc>> = r.iter().map(|x| x.now).collect();
        self.tx
            .execute(
                &stmt,
                &[&clients, &seqs, &names, &versions, &records, &outcomes, &at],
            )
            .await?;
        Ok(())
    }

    async fn insert_conflicts(&self) -> Result<(), StorageError> {
        // Rare (one per conflicting command): one statement each.
        for (c, user_id) in &self.conflicts {
            save_conflict(self.tx, c, user_id).await?;
        }
        Ok(())
    }

    async fn insert_work(&self) -> Result<(), StorageError> {
        match self.work_received {
            Some(at) => insert_work_sessions(self.tx, &self.work, at)
                .await
                .map(|_| ()),
            None => Ok(()),
        }
    }

    async fn write_last_seq(&self) -> Result<(), StorageError> {
        if let Some((client_id, seq)) = self.last_seq {
            self.tx
                .execute(
                    "UPDATE clients SET last_seq = $2 WHERE client_id = $1",
                    &[&client_id, &seq_i64(seq)?],
                )
                .await?;
        }
        Ok(())
    }
}

impl PushTx for PgPushTx<'_, '_> {
    /// Deferred to [`PushTx::flush`].
    async fn save_work_session(
        &mut self,
        session: &WorkSessionRow,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        self.work.push(session.clone());
        self.work_received = Some(now);
        Ok(())
    }

    async fn client(&mut self, client_id: Uuid) -> Result<Option<ClientBinding>, StorageError> {
        if let Some(binding) = self.binding.take() {
            return Ok(binding);
        }
        let stmt = self
            .tx
            .prepare_cached("SELECT user_id, device_id, last_seq FROM clients WHERE client_id = $1")
            .await?;
        let row = self.tx.query_opt(&stmt, &[&client_id]).await?;
        row.map(|r| {
            Ok(ClientBinding {
                user_id: r.try_get(0)?,
                device_id: r.try_get(1)?,
                last_seq: u64::try_from(r.try_get::<_, i64>(2)?)
                    .map_err(|_| StorageError::Corrupt("negative last_seq".into()))?,
            })
        })
        .transpose()
    }

    async fn bind_client(
        &mut self,
        client_id: Uuid,
        user_id: &str,
        device_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        self.tx
            .execute(
                "INSERT INTO clients (client_id, user_id, device_id, last_seq, created_at) VALUES ($1, $2, $3, 0, $4)",
                &[&client_id, &user_id, &device_id, &now],
            )
            .await?;
        Ok(())
    }

    async fn stored_result(
        &mut self,
        client_id: Uuid,
        seq: u64,
    ) -> Result<Option<StoredResult>, StorageError> {
        if let Some(stored) = self.stored.remove(&seq) {
            return Ok(Some(stored));
        }
        let stmt = self
            .tx
            .prepare_cached(
                "SELECT command, version, record_id, result FROM command_results WHERE client_id = $1 AND seq = $2",
            )
            .await?;
        let row = self
            .tx
            .query_opt(&stmt, &[&client_id, &seq_i64(seq)?])
            .await?;
        row.map(|r| Self::stored_from_row(&r, 0)).transpose()
    }

    async fn record(&mut self, id: Uuid) -> Result<Option<Record>, StorageError> {
        if let Some(known) = self.records.get(&id) {
            return Ok(known.clone());
        }
        // No row lock needed: the advisory lock already serialises every writer.
        let r = read_record(self.tx, id).await?;
        self.records.insert(id, r.clone());
        Ok(r)
    }

    async fn records_of_kind(
        &mut self,
        office: &str,
        kind: &str,
    ) -> Result<Vec<Record>, StorageError> {
        let stmt = self
            .tx
            .prepare_cached(&format!(
                "SELECT {RECORD_COLUMNS} FROM records r WHERE r.office_code = $1 AND r.kind = $2"
            ))
            .await?;
        let mut out: HashMap<Uuid, Record> = HashMap::new();
        for row in self.tx.query(&stmt, &[&office, &kind]).await? {
            if let Some(r) = record_at(&row, 0)? {
                out.insert(r.id, r);
            }
        }
        // This push's own (deferred) writes win over what the database still holds.
        for (id, r) in &self.records {
            match r {
                Some(r) if r.office_code == office && r.kind == kind => {
                    out.insert(*id, r.clone());
                }
                _ => {
                    out.remove(id);
                }
            }
        }
        Ok(out.into_values().collect())
    }

    async fn office_exists(&mut self, code: &str) -> Result<bool, StorageError> {
        if let Some(offices) = &self.offices {
            return Ok(offices.contains(code));
        }
        let stmt = self
            .tx
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM offices WHERE code = $1)")
            .await?;
        Ok(self.tx.query_one(&stmt, &[&code]).await?.try_get(0)?)
    }

    async fn save_record(&mut self, r: &Record, is_new: bool) -> Result<(), StorageError> {
        save_record(self.tx, r, is_new).await
    }

    async fn append_change(
        &mut self,
        record_id: Uuid,
        op: ChangeOp,
        office_code: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, StorageError> {
        append_change(self.tx, record_id, op, office_code, now).await
    }

    async fn save_conflict(&mut self, c: &Conflict, user_id: &str) -> Result<(), StorageError> {
        save_conflict(self.tx, c, user_id).await
    }

    async fn save_result(
        &mut self,
        client_id: Uuid,
        command: &CommandEnvelope,
        outcome_json: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        save_result(self.tx, client_id, command, outcome_json, now).await
    }

    /// Deferred to [`PushTx::flush`]; the record cache follows at once.
    async fn write_command(&mut self, w: &CommandWrite<'_>) -> Result<Option<i64>, StorageError> {
        if let Some((r, is_new)) = w.record {
            match self.pending_index.get(&r.id) {
                Some(&i) => self.pending[i].record = r.clone(),
                None => {
                    self.pending_index.insert(r.id, self.pending.len());
                    self.pending.push(PendingRecord {
                        record: r.clone(),
                        db_version: if is_new { None } else { Some(r.version - 1) },
                    });
                }
            }
            self.records.insert(r.id, Some(r.clone()));
            for (op, office) in w.changes {
                self.changes.push((r.id, *op, office.clone(), w.now));
            }
        }
        if let Some((c, user_id)) = w.conflict {
            self.conflicts.push((c.clone(), user_id.to_string()));
        }
        if let Some(session) = w.work {
            self.save_work_session(session, w.now).await?;
        }
        self.results.push(PendingResult {
            client_id: w.client_id,
            seq: seq_i64(w.command.seq)?,
            command: w.command.name.clone(),
            version: version_i32(w.command.version)?,
            record_id: w.command.record_id,
            outcome_json: w.outcome_json.to_string(),
            now: w.now,
        });
        Ok(None)
    }

    /// Deferred to [`PushTx::flush`].
    async fn set_last_seq(&mut self, client_id: Uuid, seq: u64) -> Result<(), StorageError> {
        self.last_seq = Some((client_id, seq));
        Ok(())
    }

    /// Chained at once from the entry read with the lock; written in [`PushTx::flush`].
    async fn append_audit(
        &mut self,
        entries: Vec<kyosai_audit::NewEntry>,
    ) -> Result<(), StorageError> {
        let prev = match self.audit.last() {
            Some(e) => Some(e.clone()),
            None => match self.audit_last.take() {
                Some(last) => last,
                None => {
                    // Not loaded with the push's locks: lock and read now.
                    self.tx
                        .execute("SELECT pg_advisory_xact_lock($1)", &[&audit::AUDIT_LOCK])
                        .await?;
                    let r = self.tx.query_opt(audit::SELECT_LAST, &[]).await?;
                    r.map(|r| audit::row(&r).map(|a| a.entry)).transpose()?
                }
            },
        };
        self.audit.extend(audit::chain(prev, entries));
        Ok(())
    }

    /// The deferred writes: at most eight statements, pipelined on the connection
    /// (tokio-postgres sends them back to back; PostgreSQL runs them in order).
    async fn flush(&mut self) -> Result<Option<i64>, StorageError> {
        let ((), (), newest, (), (), (), (), ()) = tokio::try_join!(
            self.insert_records(),
            self.update_records(),
            self.insert_changes(),
            self.insert_results(),
            self.insert_conflicts(),
            self.insert_work(),
            self.write_last_seq(),
            audit::insert(self.tx, &self.audit),
        )?;
        self.audit.clear();
        self.pending.clear();
        self.pending_index.clear();
        self.changes.clear();
        self.conflicts.clear();
        self.work.clear();
        self.work_received = None;
        self.results.clear();
        self.last_seq = None;
        Ok(newest)
    }
}

async fn save_record(
    tx: &deadpool_postgres::Transaction<'_>,
    r: &Record,
    is_new: bool,
) -> Result<(), StorageError> {
    if is_new {
        let stmt = tx
            .prepare_cached(
                "INSERT INTO records (id, kind, office_code, version, state, title, body, \
                     created_by, updated_by, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .await?;
        tx.execute(
            &stmt,
            &[
                &r.id,
                &r.kind,
                &r.office_code,
                &r.version,
                &r.state,
                &r.title,
                &r.body,
                &r.created_by,
                &r.updated_by,
                &r.created_at,
                &r.updated_at,
            ],
        )
        .await?;
    } else {
        let stmt = tx
                .prepare_cached(
                    "UPDATE records SET kind = $2, office_code = $3, version = $4::BIGINT, state = $5, title = $6, \
                     body = $7, updated_by = $8, updated_at = $9 WHERE id = $1 AND version = $4::BIGINT - 1",
                )
                .await?;
        let n = tx
            .execute(
                &stmt,
                &[
                    &r.id,
                    &r.kind,
                    &r.office_code,
                    &r.version,
                    &r.state,
                    &r.title,
                    &r.body,
                    &r.updated_by,
                    &r.updated_at,
                ],
            )
            .await?;
        if n != 1 {
            return Err(StorageError::Internal(format!(
                "record {} changed under a write transaction",
                r.id
            )));
        }
    }
    Ok(())
}

async fn append_change(
    tx: &deadpool_postgres::Transaction<'_>,
    record_id: Uuid,
    op: ChangeOp,
    office_code: &str,
    now: DateTime<Utc>,
) -> Result<i64, StorageError> {
    let stmt = tx
            .prepare_cached(
                "INSERT INTO changes (record_id, op, office_code, created_at) VALUES ($1, $2, $3, $4) RETURNING seq",
            )
            .await?;
    let row = tx
        .query_one(&stmt, &[&record_id, &op.as_str(), &office_code, &now])
        .await?;
    Ok(row.try_get(0)?)
}

async fn save_conflict(
    tx: &deadpool_postgres::Transaction<'_>,
    c: &Conflict,
    user_id: &str,
) -> Result<(), StorageError> {
    tx
            .execute(
                "INSERT INTO conflicts (id, client_id, seq, user_id, command, version, record_id, base_version, \
                 payload, code, message, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                &[
                    &c.id,
                    &c.client_id,
                    &seq_i64(c.seq)?,
                    &user_id,
                    &c.command,
                    &version_i32(c.version)?,
                    &c.record_id,
                    &c.base_version,
                    &c.payload,
                    &c.code,
                    &c.message,
                    &c.created_at,
                ],
            )
            .await?;
    Ok(())
}

async fn save_result(
    tx: &deadpool_postgres::Transaction<'_>,
    client_id: Uuid,
    command: &CommandEnvelope,
    outcome_json: &str,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let stmt = tx
            .prepare_cached(
                "INSERT INTO command_results (client_id, seq, command, version, record_id, result, processed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .await?;
    tx.execute(
        &stmt,
        &[
            &client_id,
            &seq_i64(command.seq)?,
            &command.name,
            &version_i32(command.version)?,
            &command.record_id,
            &outcome_json,
            &now,
        ],
    )
    .await?;
    Ok(())
}
