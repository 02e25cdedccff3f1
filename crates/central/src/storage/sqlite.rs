//! The embedded backend: one SQLite file in WAL mode with `synchronous=FULL`.
//!
//! rusqlite is synchronous, so every operation runs on tokio's blocking pool. Writes go
//! through one writer connection (SQLite allows one writer at a time anyway, and
//! `BEGIN IMMEDIATE` takes the lock up front); reads use a small pool of read-only
//! connections, which WAL lets run beside the writer.
//!
//! Times are stored as microseconds since the Unix epoch (INTEGER), ids as text.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use kyosai_sync_protocol::{CommandEnvelope, Conflict, Record, Resolution, Role, UserInfo};
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction, TransactionBehavior};
use uuid::Uuid;

use super::push::{self, ClientBinding, PushTx, StoredResult};
use super::{grace_key, GRACE_PREFIX};
use super::{
    resolution_str, AccessLookup, AdminError, ChangeRow, Device, LoginUser, NewTokens, NewUser,
    Office, PushOutcome, RefreshOutcome, ResolveOutcome, StorageError, StoredConflict, UserSummary,
    WorkSessionRow,
};
use crate::model::{parse_role, role_str, Actor, ChangeOp, Scope};

const MIGRATIONS: &[&str] = &[
    include_str!("sqlite_schema_1.sql"),
    include_str!("sqlite_schema_2.sql"),
    include_str!("sqlite_schema_3.sql"),
    include_str!("sqlite_schema_4.sql"),
    include_str!("sqlite_schema_5.sql"),
];

mod approval;
pub(crate) mod audit;
mod registration;
pub(crate) use approval::positions_of;
const MAX_IDLE_READERS: usize = 8;

#[derive(Debug)]
struct Inner {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

/// The SQLite backend. Cheap to clone.
#[derive(Debug, Clone)]
pub struct SqliteStorage {
    inner: Arc<Inner>,
    /// Who administration through this handle is recorded as (see `Storage::operated_by`).
    operator: Arc<str>,
}

fn ts(d: DateTime<Utc>) -> i64 {
    d.timestamp_micros()
}

fn from_ts(v: i64) -> Result<DateTime<Utc>, StorageError> {
    DateTime::from_timestamp_micros(v)
        .ok_or_else(|| StorageError::Corrupt(format!("timestamp {v} out of range")))
}

fn opt_ts(v: Option<i64>) -> Result<Option<DateTime<Utc>>, StorageError> {
    v.map(from_ts).transpose()
}

fn uuid(s: &str) -> Result<Uuid, StorageError> {
    Uuid::parse_str(s).map_err(|e| StorageError::Corrupt(format!("id {s:?}: {e}")))
}

fn json(s: &str) -> Result<serde_json::Value, StorageError> {
    serde_json::from_str(s).map_err(|e| StorageError::Corrupt(format!("JSON column: {e}")))
}

fn to_json(v: &serde_json::Value) -> Result<String, StorageError> {
    serde_json::to_string(v).map_err(|e| StorageError::Internal(format!("JSON: {e}")))
}

const RECORD_COLUMNS: &str = "r.id, r.kind, r.office_code, r.version, r.state, r.title, r.body, \
     r.created_by, r.updated_by, r.created_at, r.updated_at";

/// Reads a record from the 11 columns at `at` (all NULL when the join found none).
fn record_at(row: &Row<'_>, at: usize) -> Result<Option<Record>, StorageError> {
    let id: Option<String> = row.get(at)?;
    let Some(id) = id else {
        return Ok(None);
    };
    let body: String = row.get(at + 6)?;
    Ok(Some(Record {
        id: uuid(&id)?,
        kind: row.get(at + 1)?,
        office_code: row.get(at + 2)?,
        version: row.get(at + 3)?,
        state: row.get(at + 4)?,
        title: row.get(at + 5)?,
        body: json(&body)?,
        created_by: row.get(at + 7)?,
        updated_by: row.get(at + 8)?,
        created_at: from_ts(row.get(at + 9)?)?,
        updated_at: from_ts(row.get(at + 10)?)?,
    }))
}

fn configure(conn: &Connection) -> Result<(), StorageError> {
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

fn migrate(conn: &mut Connection) -> Result<(), StorageError> {
    let known = MIGRATIONS.len() as i64;
    let current: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if current > known {
        return Err(StorageError::TooNew {
            found: current,
            known,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let version = i as i64 + 1;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        if version == 1 {
            tx.execute(
                "INSERT INTO server_meta (key, value) VALUES ('epoch', ?1)",
                params![Uuid::new_v4().simple().to_string()],
            )?;
        }
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::info!(version, "SQLite schema migrated");
    }
    Ok(())
}

fn roles_of(conn: &Connection, user_id: &str) -> Result<Vec<Role>, StorageError> {
    let mut stmt =
        conn.prepare_cached("SELECT role FROM user_roles WHERE user_id = ?1 ORDER BY role")?;
    let names = stmt
        .query_map(params![user_id], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    let mut roles: Vec<Role> = names.iter().filter_map(|n| parse_role(n)).collect();
    roles.sort();
    Ok(roles)
}

fn user_info(conn: &Connection, user_id: &str) -> Result<Option<UserInfo>, StorageError> {
    let row = conn
        .prepare_cached(
            "SELECT u.id, u.display_name, u.office_code, o.name FROM users u \
             LEFT JOIN offices o ON o.code = u.office_code WHERE u.id = ?1",
        )?
        .query_row(params![user_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })
        .optional()?;
    let Some((id, display_name, office_code, office_name)) = row else {
        return Ok(None);
    };
    Ok(Some(UserInfo {
        roles: roles_of(conn, &id)?,
        positions: positions_of(conn, &id)?
            .into_iter()
            .map(|p| p.id().to_string())
            .collect(),
        user_id: id,
        display_name,
        office_code,
        office_name,
    }))
}

fn revoke_all_tokens(
    conn: &Connection,
    user_id: &str,
    device_id: Uuid,
) -> Result<(), StorageError> {
    conn.execute(
        "UPDATE tokens SET revoked = 1 WHERE user_id = ?1 AND device_id = ?2 AND revoked = 0",
        params![user_id, device_id.to_string()],
    )?;
    Ok(())
}

/// Ends any grace of the user's rotated-away refresh tokens on the device (at most one is
/// live: the newest) and, when `grace` is given, lets `spent_hash` refresh once more until
/// then (see [`super::Storage::rotate_refresh`]).
fn replace_grace(
    conn: &Connection,
    user_id: &str,
    device_id: Uuid,
    grace: Option<(&str, DateTime<Utc>)>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    conn.execute(
        "DELETE FROM tokens WHERE user_id = ?1 AND device_id = ?2 AND hash LIKE ?3",
        params![user_id, device_id.to_string(), format!("{GRACE_PREFIX}%")],
    )?;
    if let Some((spent_hash, until)) = grace {
        conn.execute(
            "INSERT INTO tokens (hash, kind, user_id, device_id, expires_at, revoked, created_at) \
             VALUES (?1, 'refresh', ?2, ?3, ?4, 0, ?5)",
            params![
                grace_key(spent_hash),
                user_id,
                device_id.to_string(),
                ts(until),
                ts(now)
            ],
        )?;
    }
    Ok(())
}

fn insert_tokens(
    conn: &Connection,
    user_id: &str,
    device_id: Uuid,
    t: &NewTokens,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO tokens (hash, kind, user_id, device_id, expires_at, revoked, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6)",
    )?;
    let device = device_id.to_string();
    stmt.execute(params![
        t.access_hash,
        "access",
        user_id,
        device,
        ts(t.access_expires_at),
        ts(now)
    ])?;
    stmt.execute(params![
        t.refresh_hash,
        "refresh",
        user_id,
        device,
        ts(t.refresh_expires_at),
        ts(now)
    ])?;
    Ok(())
}

impl SqliteStorage {
    pub async fn open(path: &Path) -> Result<SqliteStorage, StorageError> {
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || {
            if let Some(parent) = path.parent() {
                if !parent.as_os_str().is_empty() {
                    std::fs::create_dir_all(parent).map_err(|e| StorageError::Open {
                        path: parent.display().to_string(),
                        message: e.to_string(),
                    })?;
                }
            }
            let mut writer = Connection::open(&path).map_err(|e| StorageError::Open {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
            configure(&writer)?;
            migrate(&mut writer)?;
            tracing::info!(path = %path.display(), "SQLite storage opened");
            Ok(SqliteStorage {
                inner: Arc::new(Inner {
                    path,
                    writer: Mutex::new(writer),
                    readers: Mutex::new(Vec::new()),
                }),
                operator: Arc::from("system"),
            })
        })
        .await
        .map_err(|e| StorageError::Internal(format!("storage task: {e}")))?
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// This handle, recording administration as by `operator`.
    pub fn operated_by(&self, operator: &str) -> SqliteStorage {
        SqliteStorage {
            inner: self.inner.clone(),
            operator: Arc::from(operator),
        }
    }

    async fn write<T, F>(&self, f: F) -> Result<T, StorageError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StorageError> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = inner.writer.lock().unwrap_or_else(PoisonError::into_inner);
            f(&mut conn)
        })
        .await
        .map_err(|e| StorageError::Internal(format!("storage task: {e}")))?
    }

    async fn read<T, F>(&self, f: F) -> Result<T, StorageError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StorageError> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let pooled = inner
                .readers
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop();
            let conn = match pooled {
                Some(c) => c,
                None => {
                    let c = Connection::open(&inner.path)?;
                    c.busy_timeout(Duration::from_secs(5))?;
                    c.pragma_update(None, "query_only", "ON")?;
                    c
                }
            };
            let result = f(&conn);
            let mut readers = inner.readers.lock().unwrap_or_else(PoisonError::into_inner);
            if readers.len() < MAX_IDLE_READERS {
                readers.push(conn);
            }
            result
        })
        .await
        .map_err(|e| StorageError::Internal(format!("storage task: {e}")))?
    }

    pub async fn epoch(&self) -> Result<String, StorageError> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT value FROM server_meta WHERE key = 'epoch'",
                [],
                |r| r.get(0),
            )?)
        })
        .await
    }

    pub async fn rotate_epoch(&self) -> Result<String, StorageError> {
        let operator = self.operator.clone();
        self.write(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let epoch = Uuid::new_v4().simple().to_string();
            tx.execute(
                "UPDATE server_meta SET value = ?1 WHERE key = 'epoch'",
                params![epoch],
            )?;
            audit::append(
                &tx,
                vec![crate::audit::config(
                    &operator,
                    Some(&epoch),
                    serde_json::json!({ "op": "epoch_rotate" }),
                )],
            )?;
            tx.commit()?;
            Ok(epoch)
        })
        .await
    }

    pub async fn upsert_office(&self, code: &str, name: &str) -> Result<(), StorageError> {
        let (code, name) = (code.to_string(), name.to_string());
        let operator = self.operator.clone();
        self.write(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "INSERT INTO offices (code, name, created_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name",
                params![code, name, ts(crate::model::now())],
            )?;
            audit::append(
                &tx,
                vec![crate::audit::config(
                    &operator,
                    Some(&code),
                    serde_json::json!({ "op": "office", "name": name }),
                )],
            )?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    pub async fn offices(&self) -> Result<Vec<Office>, StorageError> {
        self.read(|c| {
            let mut stmt = c.prepare("SELECT code, name FROM offices ORDER BY code")?;
            let rows = stmt
                .query_map([], |r| {
                    Ok(Office {
                        code: r.get(0)?,
                        name: r.get(1)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .await
    }

    pub async fn add_user(&self, user: NewUser) -> Result<(), AdminError> {
        let operator = self.operator.clone();
        let result = self
            .write(move |c| {
                let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let exists: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM users WHERE id = ?1)",
                    params![user.id],
                    |r| r.get(0),
                )?;
                if exists {
                    return Ok(Err(AdminError::UserExists(user.id)));
                }
                if let Some(office) = &user.office_code {
                    let known: bool = tx.query_row(
                        "SELECT EXISTS (SELECT 1 FROM offices WHERE code = ?1)",
                        params![office],
                        |r| r.get(0),
                    )?;
                    if !known {
                        return Ok(Err(AdminError::NoSuchOffice(office.clone())));
                    }
                }
                tx.execute(
                    "INSERT INTO users (id, display_name, password_hash, office_code, created_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![
                        user.id,
                        user.display_name,
                        user.password_hash,
                        user.office_code,
                        ts(crate::model::now())
                    ],
                )?;
                for role in &user.roles {
                    tx.execute(
                        "INSERT OR IGNORE INTO user_roles (user_id, role) VALUES (?1, ?2)",
                        params![user.id, role_str(*role)],
                    )?;
                }
                audit::append(
                    &tx,
                    vec![crate::audit::user_admin(
                        &operator,
                        &user.id,
                        serde_json::json!({
                            "op": "add",
                            "roles": crate::audit::roles(&user.roles),
                            "office": user.office_code,
                        }),
                    )],
                )?;
                tx.commit()?;
                Ok(Ok(()))
            })
            .await?;
        result
    }

    pub async fn users(&self) -> Result<Vec<UserSummary>, StorageError> {
        self.read(|c| {
            let mut roles: HashMap<String, Vec<Role>> = HashMap::new();
            {
                let mut stmt = c.prepare("SELECT user_id, role FROM user_roles")?;
                let mut rows = stmt.query([])?;
                while let Some(r) = rows.next()? {
                    let user: String = r.get(0)?;
                    let role: String = r.get(1)?;
                    if let Some(role) = parse_role(&role) {
                        roles.entry(user).or_default().push(role);
                    }
                }
            }
            let mut stmt = c.prepare(
                "SELECT id, display_name, office_code, failed_logins, locked_until, disabled \
                 FROM users ORDER BY id",
            )?;
            let mut rows = stmt.query([])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let id: String = r.get(0)?;
                let mut user_roles = roles.remove(&id).unwrap_or_default();
                user_roles.sort();
                out.push(UserSummary {
                    display_name: r.get(1)?,
                    office_code: r.get(2)?,
                    failed_logins: r.get(3)?,
                    locked_until: opt_ts(r.get(4)?)?,
                    disabled: r.get(5)?,
                    roles: user_roles,
                    id,
                });
            }
            Ok(out)
        })
        .await
    }

    pub async fn set_password(&self, user_id: &str, hash: &str) -> Result<bool, StorageError> {
        let (user_id, hash) = (user_id.to_string(), hash.to_string());
        let operator = self.operator.clone();
        self.write(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let n = tx.execute(
                "UPDATE users SET password_hash = ?2, failed_logins = 0, locked_until = NULL WHERE id = ?1",
                params![user_id, hash],
            )?;
            if n > 0 {
                audit::append(
                    &tx,
                    vec![crate::audit::user_admin(
                        &operator,
                        &user_id,
                        serde_json::json!({ "op": "set_password" }),
                    )],
                )?;
            }
            tx.commit()?;
            Ok(n > 0)
        })
        .await
    }

    pub async fn unlock_user(&self, user_id: &str) -> Result<bool, StorageError> {
        let user_id = user_id.to_string();
        let operator = self.operator.clone();
        self.write(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let n = tx.execute(
                "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?1",
                params![user_id],
            )?;
            if n > 0 {
                audit::append(
                    &tx,
                    vec![crate::audit::user_admin(
                        &operator,
                        &user_id,
                        serde_json::json!({ "op": "unlock" }),
                    )],
                )?;
            }
            tx.commit()?;
            Ok(n > 0)
        })
        .await
    }

    /// Disables (or enables again) a user. `false` when there is no such user.
    pub async fn set_disabled(&self, user_id: &str, disabled: bool) -> Result<bool, StorageError> {
        let user_id = user_id.to_string();
        let operator = self.operator.clone();
        self.write(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let n = tx.execute(
                "UPDATE users SET disabled = ?2 WHERE id = ?1",
                params![user_id, disabled],
            )?;
            if n > 0 {
                let op = if disabled { "disable" } else { "enable" };
                audit::append(
                    &tx,
                    vec![crate::audit::user_admin(
                        &operator,
                        &user_id,
                        serde_json::json!({ "op": op }),
                    )],
                )?;
            }
            tx.commit()?;
            Ok(n > 0)
        })
        .await
    }

    /// Replaces a user's roles and office.
    pub async fn set_roles(
        &self,
        user_id: &str,
        roles: &[Role],
        office_code: Option<&str>,
    ) -> Result<(), AdminError> {
        let (user_id, roles) = (user_id.to_string(), roles.to_vec());
        let office_code = office_code.map(str::to_string);
        let operator = self.operator.clone();
        let result = self
            .write(move |c| {
                let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
                if let Some(office) = &office_code {
                    let known: bool = tx.query_row(
                        "SELECT EXISTS (SELECT 1 FROM offices WHERE code = ?1)",
                        params![office],
                        |r| r.get(0),
                    )?;
                    if !known {
                        return Ok(Err(AdminError::NoSuchOffice(office.clone())));
                    }
                }
                let n = tx.execute(
                    "UPDATE users SET office_code = ?2 WHERE id = ?1",
                    params![user_id, office_code],
                )?;
                if n == 0 {
                    return Ok(Err(AdminError::NoSuchUser(user_id)));
                }
                tx.execute(
                    "DELETE FROM user_roles WHERE user_id = ?1",
                    params![user_id],
                )?;
                for role in &roles {
                    tx.execute(
                        "INSERT OR IGNORE INTO user_roles (user_id, role) VALUES (?1, ?2)",
                        params![user_id, role_str(*role)],
                    )?;
                }
                audit::append(
                    &tx,
                    vec![crate::audit::user_admin(
                        &operator,
                        &user_id,
                        serde_json::json!({
                            "op": "roles",
                            "roles": crate::audit::roles(&roles),
                            "office": office_code,
                        }),
                    )],
                )?;
                tx.commit()?;
                Ok(Ok(()))
            })
            .await?;
        result
    }

    pub async fn user_for_login(&self, user_id: &str) -> Result<Option<LoginUser>, StorageError> {
        let user_id = user_id.to_string();
        self.read(move |c| {
            let row = c
                .prepare_cached(
                    "SELECT password_hash, locked_until, disabled FROM users WHERE id = ?1",
                )?
                .query_row(params![user_id], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<i64>>(1)?,
                        r.get::<_, bool>(2)?,
                    ))
                })
                .optional()?;
            let Some((password_hash, locked_until, disabled)) = row else {
                return Ok(None);
            };
            let Some(info) = user_info(c, &user_id)? else {
                return Ok(None);
            };
            Ok(Some(LoginUser {
                info,
                password_hash,
                locked_until: opt_ts(locked_until)?,
                disabled,
            }))
        })
        .await
    }

    pub async fn record_login_failure(
        &self,
        user_id: &str,
        threshold: u32,
        locked_until: DateTime<Utc>,
        failed: kyosai_audit::NewEntry,
        lockout: kyosai_audit::NewEntry,
    ) -> Result<Option<DateTime<Utc>>, StorageError> {
        let user_id = user_id.to_string();
        self.write(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let count: Option<u32> = tx
                .query_row(
                    "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ?1 RETURNING failed_logins",
                    params![user_id],
                    |r| r.get(0),
                )
                .optional()?;
            let locked = match count {
                Some(n) if n >= threshold => {
                    tx.execute(
                        "UPDATE users SET failed_logins = 0, locked_until = ?2 WHERE id = ?1",
                        params![user_id, ts(locked_until)],
                    )?;
                    Some(locked_until)
                }
                _ => None,
            };
            let mut entries = vec![failed];
            if locked.is_some() {
                entries.push(lockout);
            }
            audit::append(&tx, entries)?;
            tx.commit()?;
            Ok(locked)
        })
        .await
    }

    pub async fn record_login_success(&self, user_id: &str) -> Result<(), StorageError> {
        let user_id = user_id.to_string();
        self.write(move |c| {
            c.execute(
                "UPDATE users SET failed_logins = 0, locked_until = NULL \
                 WHERE id = ?1 AND (failed_logins <> 0 OR locked_until IS NOT NULL)",
                params![user_id],
            )?;
            Ok(())
        })
        .await
    }

    pub async fn device(
        &self,
        user_id: &str,
        device_id: Uuid,
    ) -> Result<Option<Device>, StorageError> {
        let user_id = user_id.to_string();
        self.read(move |c| {
            let row = c
                .prepare_cached(
                    "SELECT name, enrolled_at, revoked_at FROM devices WHERE user_id = ?1 AND device_id = ?2",
                )?
                .query_row(params![user_id, device_id.to_string()], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, Option<i64>>(2)?))
                })
                .optional()?;
            row.map(|(name, enrolled_at, revoked_at)| {
                Ok(Device {
                    device_id,
                    user_id: user_id.clone(),
                    name,
                    enrolled_at: from_ts(enrolled_at)?,
                    revoked_at: opt_ts(revoked_at)?,
                })
            })
            .transpose()
        })
        .await
    }

    pub async fn enroll_device(
        &self,
        user_id: &str,
        device_id: Uuid,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let (user_id, name) = (user_id.to_string(), name.to_string());
        self.write(move |c| {
            c.execute(
                "INSERT INTO devices (device_id, user_id, name, enrolled_at, last_seen_at) \
                 VALUES (?1, ?2, ?3, ?4, ?4) \
                 ON CONFLICT (user_id, device_id) DO UPDATE SET name = excluded.name, last_seen_at = excluded.last_seen_at",
                params![device_id.to_string(), user_id, name, ts(now)],
            )?;
            Ok(())
        })
        .await
    }

    pub async fn devices(&self) -> Result<Vec<Device>, StorageError> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT device_id, user_id, name, enrolled_at, revoked_at FROM devices \
                 ORDER BY user_id, enrolled_at",
            )?;
            let mut rows = stmt.query([])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let id: String = r.get(0)?;
                out.push(Device {
                    device_id: uuid(&id)?,
                    user_id: r.get(1)?,
                    name: r.get(2)?,
                    enrolled_at: from_ts(r.get(3)?)?,
                    revoked_at: opt_ts(r.get(4)?)?,
                });
            }
            Ok(out)
        })
        .await
    }

    pub async fn revoke_device(
        &self,
        device_id: Uuid,
        user_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<u64, StorageError> {
        let user_id = user_id.map(str::to_string);
        let operator = self.operator.clone();
        self.write(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let device = device_id.to_string();
            let n = tx.execute(
                "UPDATE devices SET revoked_at = ?3 WHERE device_id = ?1 \
                 AND (?2 IS NULL OR user_id = ?2) AND revoked_at IS NULL",
                params![device, user_id, ts(now)],
            )?;
            tx.execute(
                "UPDATE tokens SET revoked = 1 WHERE device_id = ?1 AND (?2 IS NULL OR user_id = ?2)",
                params![device, user_id],
            )?;
            if n > 0 {
                audit::append(
                    &tx,
                    vec![crate::audit::user_admin(
                        &operator,
                        &device,
                        serde_json::json!({ "op": "revoke_device", "user": user_id, "count": n }),
                    )],
                )?;
            }
            tx.commit()?;
            Ok(n as u64)
        })
        .await
    }

    pub async fn issue_tokens(
        &self,
        user_id: &str,
        device_id: Uuid,
        tokens: &NewTokens,
        now: DateTime<Utc>,
        signed_in: kyosai_audit::NewEntry,
    ) -> Result<(), StorageError> {
        let (user_id, tokens) = (user_id.to_string(), tokens.clone());
        self.write(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "DELETE FROM tokens WHERE user_id = ?1 AND device_id = ?2 AND expires_at < ?3",
                params![user_id, device_id.to_string(), ts(now)],
            )?;
            insert_tokens(&tx, &user_id, device_id, &tokens, now)?;
            audit::append(&tx, vec![signed_in])?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    pub async fn lookup_access(
        &self,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<AccessLookup, StorageError> {
        let hash = hash.to_string();
        self.read(move |c| {
            let row = c
                .prepare_cached(
                    "SELECT t.kind, t.expires_at, t.revoked, t.user_id, t.device_id, u.office_code, \
                            u.disabled, d.device_id IS NULL OR d.revoked_at IS NOT NULL \
                     FROM tokens t JOIN users u ON u.id = t.user_id \
                     LEFT JOIN devices d ON d.user_id = t.user_id AND d.device_id = t.device_id \
                     WHERE t.hash = ?1",
                )?
                .query_row(params![hash], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, bool>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, Option<String>>(5)?,
                        r.get::<_, bool>(6)?,
                        r.get::<_, bool>(7)?,
                    ))
                })
                .optional()?;
            let Some((kind, expires_at, revoked, user_id, device_id, office_code, disabled, device_revoked)) = row
            else {
                return Ok(AccessLookup::Invalid);
            };
            if kind != "access" {
                return Ok(AccessLookup::Invalid);
            }
            if device_revoked {
                return Ok(AccessLookup::DeviceRevoked);
            }
            if revoked {
                return Ok(AccessLookup::Invalid);
            }
            if disabled {
                return Ok(AccessLookup::Disabled);
            }
            if expires_at <= ts(now) {
                return Ok(AccessLookup::Expired);
            }
            Ok(AccessLookup::Valid(Actor {
                roles: roles_of(c, &user_id)?,
                positions: positions_of(c, &user_id)?,
                approval: None,
                user_id,
                office_code,
                device_id: uuid(&device_id)?,
            }))
        })
        .await
    }

    pub async fn rotate_refresh(
        &self,
        old_hash: &str,
        device_id: Uuid,
        new: &NewTokens,
        grace_until: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<RefreshOutcome, StorageError> {
        let (old_hash, new) = (old_hash.to_string(), new.clone());
        self.write(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let row = tx
                .query_row(
                    "SELECT t.kind, t.user_id, t.device_id, t.expires_at, t.revoked, u.disabled, \
                            d.device_id IS NULL OR d.revoked_at IS NOT NULL \
                     FROM tokens t JOIN users u ON u.id = t.user_id \
                     LEFT JOIN devices d ON d.user_id = t.user_id AND d.device_id = t.device_id \
                     WHERE t.hash = ?1",
                    params![old_hash],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, i64>(3)?,
                            r.get::<_, bool>(4)?,
                            r.get::<_, bool>(5)?,
                            r.get::<_, bool>(6)?,
                        ))
                    },
                )
                .optional()?;
            let Some((kind, user_id, token_device, expires_at, revoked, disabled, device_revoked)) =
                row
            else {
                return Ok(RefreshOutcome::Unknown);
            };
            if kind != "refresh" || uuid(&token_device)? != device_id {
                return Ok(RefreshOutcome::Unknown);
            }
            if device_revoked {
                return Ok(RefreshOutcome::DeviceRevoked);
            }
            if revoked {
                // Rotated away within its grace (the answer to that refresh was lost)?
                let grace: Option<(i64, bool)> = tx
                    .query_row(
                        "SELECT expires_at, revoked FROM tokens WHERE hash = ?1",
                        params![grace_key(&old_hash)],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?;
                if !matches!(grace, Some((until, false)) if until > ts(now)) {
                    revoke_all_tokens(&tx, &user_id, device_id)?;
                    tx.commit()?;
                    return Ok(RefreshOutcome::Reused);
                }
                // Once only; the pair issued in the lost answer ends.
                replace_grace(&tx, &user_id, device_id, None, now)?;
                revoke_all_tokens(&tx, &user_id, device_id)?;
            }
            if expires_at <= ts(now) {
                return Ok(RefreshOutcome::Expired);
            }
            if disabled {
                return Ok(RefreshOutcome::Disabled);
            }
            if !revoked {
                tx.execute(
                    "UPDATE tokens SET revoked = 1 WHERE hash = ?1",
                    params![old_hash],
                )?;
                let grace = grace_until.map(|until| (old_hash.as_str(), until));
                replace_grace(&tx, &user_id, device_id, grace, now)?;
            }
            insert_tokens(&tx, &user_id, device_id, &new, now)?;
            let info = user_info(&tx, &user_id)?
                .ok_or_else(|| StorageError::Corrupt(format!("token of unknown user {user_id}")))?;
            tx.commit()?;
            Ok(if revoked {
                RefreshOutcome::Forgiven(info)
            } else {
                RefreshOutcome::Rotated(info)
            })
        })
        .await
    }

    pub async fn revoke_tokens(
        &self,
        user_id: &str,
        device_id: Uuid,
        signed_out: kyosai_audit::NewEntry,
    ) -> Result<(), StorageError> {
        let user_id = user_id.to_string();
        self.write(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            revoke_all_tokens(&tx, &user_id, device_id)?;
            audit::append(&tx, vec![signed_out])?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    pub async fn push(
        &self,
        actor: &Actor,
        client_id: Uuid,
        commands: Vec<CommandEnvelope>,
        now: DateTime<Utc>,
        client_head: Option<kyosai_audit::NewEntry>,
    ) -> Result<PushOutcome, StorageError> {
        let actor = actor.clone();
        self.write(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let outcome = {
                let mut ptx = SqlitePushTx { tx: &tx };
                push::complete_now(push::push(
                    &mut ptx,
                    &actor,
                    client_id,
                    &commands,
                    now,
                    client_head,
                ))??
            };
            if matches!(outcome, PushOutcome::Done { .. }) {
                tx.commit()?;
            }
            Ok(outcome)
        })
        .await
    }

    pub async fn changes_after(
        &self,
        scope: &Scope,
        after: i64,
        limit: u32,
    ) -> Result<Vec<ChangeRow>, StorageError> {
        let scope = scope.clone();
        self.read(move |c| {
            let (sql, office) = match &scope {
                Scope::Office(code) => (
                    format!(
                        "SELECT c.seq, c.record_id, c.op, {RECORD_COLUMNS} FROM changes c \
                         LEFT JOIN records r ON r.id = c.record_id \
                         WHERE c.seq > ?1 AND c.office_code = ?2 ORDER BY c.seq LIMIT ?3"
                    ),
                    Some(code.clone()),
                ),
                Scope::All => (
                    format!(
                        "SELECT c.seq, c.record_id, c.op, {RECORD_COLUMNS} FROM changes c \
                         LEFT JOIN records r ON r.id = c.record_id \
                         WHERE c.seq > ?1 AND (?2 IS NULL) AND c.op = 'upsert' ORDER BY c.seq LIMIT ?3"
                    ),
                    None,
                ),
                Scope::Nothing => return Ok(Vec::new()),
            };
            let mut stmt = c.prepare_cached(&sql)?;
            let mut rows = stmt.query(params![after, office, limit])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let record_id: String = r.get(1)?;
                let op: String = r.get(2)?;
                out.push(ChangeRow {
                    seq: r.get(0)?,
                    record_id: uuid(&record_id)?,
                    op: ChangeOp::parse(&op)
                        .ok_or_else(|| StorageError::Corrupt(format!("change op {op:?}")))?,
                    record: record_at(r, 3)?,
                });
            }
            Ok(out)
        })
        .await
    }

    pub async fn has_changes_after(&self, scope: &Scope, after: i64) -> Result<bool, StorageError> {
        let scope = scope.clone();
        self.read(move |c| {
            let found: bool = match &scope {
                Scope::Office(code) => c
                    .prepare_cached(
                        "SELECT EXISTS (SELECT 1 FROM changes WHERE seq > ?1 AND office_code = ?2)",
                    )?
                    .query_row(params![after, code], |r| r.get(0))?,
                Scope::All => c
                    .prepare_cached(
                        "SELECT EXISTS (SELECT 1 FROM changes WHERE seq > ?1 AND op = 'upsert')",
                    )?
                    .query_row(params![after], |r| r.get(0))?,
                Scope::Nothing => false,
            };
            Ok(found)
        })
        .await
    }

    pub async fn newest_change(&self) -> Result<i64, StorageError> {
        self.read(|c| {
            Ok(
                c.query_row("SELECT COALESCE(MAX(seq), 0) FROM changes", [], |r| {
                    r.get(0)
                })?,
            )
        })
        .await
    }

    pub async fn open_conflicts(&self, user_id: &str) -> Result<Vec<StoredConflict>, StorageError> {
        let user_id = user_id.to_string();
        self.read(move |c| {
            let mut stmt = c.prepare(&format!(
                "SELECT c.id, c.client_id, c.seq, c.command, c.version, c.record_id, c.base_version, \
                        c.payload, c.code, c.message, c.created_at, {RECORD_COLUMNS} \
                 FROM conflicts c LEFT JOIN records r ON r.id = c.record_id \
                 WHERE c.user_id = ?1 AND c.resolved_at IS NULL ORDER BY c.created_at, c.seq"
            ))?;
            let mut rows = stmt.query(params![user_id])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let id: String = r.get(0)?;
                let client_id: String = r.get(1)?;
                let record_id: String = r.get(5)?;
                let payload: String = r.get(7)?;
                out.push(StoredConflict {
                    conflict: Conflict {
                        id: uuid(&id)?,
                        client_id: uuid(&client_id)?,
                        seq: r.get::<_, i64>(2)? as u64,
                        command: r.get(3)?,
                        version: r.get(4)?,
                        record_id: uuid(&record_id)?,
                        base_version: r.get(6)?,
                        payload: json(&payload)?,
                        server_record: None,
                        code: r.get(8)?,
                        message: r.get(9)?,
                        created_at: from_ts(r.get(10)?)?,
                    },
                    record: record_at(r, 11)?,
                });
            }
            Ok(out)
        })
        .await
    }

    pub async fn resolve_conflict(
        &self,
        user_id: &str,
        id: Uuid,
        resolution: Resolution,
        now: DateTime<Utc>,
        resolved: kyosai_audit::NewEntry,
    ) -> Result<ResolveOutcome, StorageError> {
        let user_id = user_id.to_string();
        self.write(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let n = tx.execute(
                "UPDATE conflicts SET resolved_at = ?3, resolution = ?4 \
                 WHERE id = ?1 AND user_id = ?2 AND resolved_at IS NULL",
                params![id.to_string(), user_id, ts(now), resolution_str(resolution)],
            )?;
            if n > 0 {
                audit::append(&tx, vec![resolved])?;
                tx.commit()?;
                return Ok(ResolveOutcome::Resolved);
            }
            let exists: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM conflicts WHERE id = ?1 AND user_id = ?2)",
                params![id.to_string(), user_id],
                |r| r.get(0),
            )?;
            Ok(if exists {
                ResolveOutcome::AlreadyResolved
            } else {
                ResolveOutcome::NotFound
            })
        })
        .await
    }

    pub async fn record(&self, id: Uuid) -> Result<Option<Record>, StorageError> {
        self.read(move |c| read_record(c, id)).await
    }

    pub async fn command_count(&self, client_id: Uuid) -> Result<u64, StorageError> {
        self.read(move |c| {
            let n: i64 = c.query_row(
                "SELECT COUNT(*) FROM command_results WHERE client_id = ?1",
                params![client_id.to_string()],
                |r| r.get(0),
            )?;
            Ok(n as u64)
        })
        .await
    }

    pub async fn import_record(&self, record: &Record) -> Result<bool, StorageError> {
        let record = record.clone();
        let operator = self.operator.clone();
        self.write(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if read_record(&tx, record.id)?.is_some() {
                return Ok(false);
            }
            audit::append(&tx, vec![crate::audit::record_imported(&operator, &record)])?;
            let mut ptx = SqlitePushTx { tx: &tx };
            push::complete_now(async {
                ptx.save_record(&record, true).await?;
                ptx.append_change(
                    record.id,
                    ChangeOp::Upsert,
                    &record.office_code,
                    record.updated_at,
                )
                .await
            })??;
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    pub async fn import_records(
        &self,
        records: &[Record],
        source: &str,
    ) -> Result<u64, StorageError> {
        let records = records.to_vec();
        let operator = self.operator.clone();
        let source = source.to_string();
        self.write(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut seen = std::collections::HashSet::new();
            let mut fresh = Vec::new();
            {
                let mut exists = tx.prepare_cached("SELECT 1 FROM records WHERE id = ?1")?;
                for r in &records {
                    if seen.insert(r.id) && !exists.exists(params![r.id.to_string()])? {
                        fresh.push(r);
                    }
                }
            }
            if fresh.is_empty() {
                return Ok(0);
            }
            let n = fresh.len() as u64;
            audit::append(&tx, vec![super::records_imported(&operator, &source, n)])?;
            let mut ptx = SqlitePushTx { tx: &tx };
            push::complete_now(async {
                for r in &fresh {
                    ptx.save_record(r, true).await?;
                    ptx.append_change(r.id, ChangeOp::Upsert, &r.office_code, r.updated_at)
                        .await?;
                }
                Ok::<(), StorageError>(())
            })??;
            tx.commit()?;
            Ok(n)
        })
        .await
    }

    pub async fn work_sessions(
        &self,
        office: Option<&str>,
    ) -> Result<Vec<WorkSessionRow>, StorageError> {
        let office = office.map(str::to_string);
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT session_id, record_id, kind, step, user_id, office_code, started_at, \
                     active_seconds \
                 FROM work_sessions WHERE ?1 IS NULL OR office_code = ?1 \
                 ORDER BY started_at, session_id",
            )?;
            let mut rows = stmt.query(params![office])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let seconds: i64 = r.get(7)?;
                out.push(WorkSessionRow {
                    session_id: uuid(&r.get::<_, String>(0)?)?,
                    record_id: uuid(&r.get::<_, String>(1)?)?,
                    kind: r.get(2)?,
                    step: r.get(3)?,
                    user_id: r.get(4)?,
                    office_code: r.get(5)?,
                    started_at: from_ts(r.get(6)?)?,
                    active_seconds: u32::try_from(seconds).map_err(|_| {
                        StorageError::Corrupt(format!("work_sessions: {seconds} seconds"))
                    })?,
                });
            }
            Ok(out)
        })
        .await
    }

    pub async fn insert_work_sessions(&self, rows: &[WorkSessionRow]) -> Result<u64, StorageError> {
        let rows = rows.to_vec();
        self.write(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let now = Utc::now();
            let mut n = 0;
            for row in &rows {
                n += insert_work_session(&tx, row, now)?;
            }
            tx.commit()?;
            Ok(n)
        })
        .await
    }
}

/// Inserts one work session unless its id is stored already; 1 if inserted.
fn insert_work_session(
    c: &Connection,
    w: &WorkSessionRow,
    received_at: DateTime<Utc>,
) -> Result<u64, StorageError> {
    let n = c
        .prepare_cached(
            "INSERT INTO work_sessions (session_id, record_id, kind, step, user_id, office_code, \
                 started_at, active_seconds, received_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (session_id) DO NOTHING",
        )?
        .execute(params![
            w.session_id.to_string(),
            w.record_id.to_string(),
            w.kind,
            w.step,
            w.user_id,
            w.office_code,
            ts(w.started_at),
            i64::from(w.active_seconds),
            ts(received_at),
        ])?;
    Ok(n as u64)
}

fn read_record(c: &Connection, id: Uuid) -> Result<Option<Record>, StorageError> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {RECORD_COLUMNS} FROM records r WHERE r.id = ?1"
    ))?;
    let mut rows = stmt.query(params![id.to_string()])?;
    match rows.next()? {
        Some(r) => record_at(r, 0),
        None => Ok(None),
    }
}

struct SqlitePushTx<'a, 'c> {
    tx: &'a Transaction<'c>,
}

impl PushTx for SqlitePushTx<'_, '_> {
    async fn save_work_session(
        &mut self,
        session: &WorkSessionRow,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        insert_work_session(self.tx, session, now).map(|_| ())
    }

    async fn append_audit(
        &mut self,
        entries: Vec<kyosai_audit::NewEntry>,
    ) -> Result<(), StorageError> {
        audit::append(self.tx, entries)
    }

    async fn client(&mut self, client_id: Uuid) -> Result<Option<ClientBinding>, StorageError> {
        let row = self
            .tx
            .prepare_cached(
                "SELECT user_id, device_id, last_seq FROM clients WHERE client_id = ?1",
            )?
            .query_row(params![client_id.to_string()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })
            .optional()?;
        row.map(|(user_id, device_id, last_seq)| {
            Ok(ClientBinding {
                user_id,
                device_id: uuid(&device_id)?,
                last_seq: last_seq as u64,
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
        self.tx.execute(
            "INSERT INTO clients (client_id, user_id, device_id, last_seq, created_at) VALUES (?1, ?2, ?3, 0, ?4)",
            params![client_id.to_string(), user_id, device_id.to_string(), ts(now)],
        )?;
        Ok(())
    }

    async fn stored_result(
        &mut self,
        client_id: Uuid,
        seq: u64,
    ) -> Result<Option<StoredResult>, StorageError> {
        let row = self
            .tx
            .prepare_cached(
                "SELECT command, version, record_id, result FROM command_results WHERE client_id = ?1 AND seq = ?2",
            )?
            .query_row(params![client_id.to_string(), seq as i64], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, u32>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .optional()?;
        row.map(|(command, version, record_id, outcome_json)| {
            Ok(StoredResult {
                command,
                version,
                record_id: uuid(&record_id)?,
                outcome_json,
            })
        })
        .transpose()
    }

    async fn record(&mut self, id: Uuid) -> Result<Option<Record>, StorageError> {
        read_record(self.tx, id)
    }

    async fn records_of_kind(
        &mut self,
        office: &str,
        kind: &str,
    ) -> Result<Vec<Record>, StorageError> {
        let mut stmt = self.tx.prepare_cached(&format!(
            "SELECT {RECORD_COLUMNS} FROM records r WHERE r.office_code = ?1 AND r.kind = ?2"
        ))?;
        let mut rows = stmt.query(params![office, kind])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            if let Some(r) = record_at(row, 0)? {
                out.push(r);
            }
        }
        Ok(out)
    }

    async fn office_exists(&mut self, code: &str) -> Result<bool, StorageError> {
        Ok(self
            .tx
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM offices WHERE code = ?1)")?
            .query_row(params![code], |r| r.get(0))?)
    }

    async fn save_record(&mut self, r: &Record, is_new: bool) -> Result<(), StorageError> {
        let body = to_json(&r.body)?;
        if is_new {
            self.tx
                .prepare_cached(
                    "INSERT INTO records (id, kind, office_code, version, state, title, body, \
                     created_by, updated_by, created_at, updated_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                )?
                .execute(params![
                    r.id.to_string(),
                    r.kind,
                    r.office_code,
                    r.version,
                    r.state,
                    r.title,
                    body,
                    r.created_by,
                    r.updated_by,
                    ts(r.created_at),
                    ts(r.updated_at)
                ])?;
        } else {
            let n = self
                .tx
                .prepare_cached(
                    "UPDATE records SET kind = ?2, office_code = ?3, version = ?4, state = ?5, title = ?6, \
                     body = ?7, updated_by = ?8, updated_at = ?9 WHERE id = ?1 AND version = ?4 - 1",
                )?
                .execute(params![
                    r.id.to_string(),
                    r.kind,
                    r.office_code,
                    r.version,
                    r.state,
                    r.title,
                    body,
                    r.updated_by,
                    ts(r.updated_at)
                ])?;
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
        &mut self,
        record_id: Uuid,
        op: ChangeOp,
        office_code: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, StorageError> {
        self.tx
            .prepare_cached(
                "INSERT INTO changes (record_id, op, office_code, created_at) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![record_id.to_string(), op.as_str(), office_code, ts(now)])?;
        Ok(self.tx.last_insert_rowid())
    }

    async fn save_conflict(&mut self, c: &Conflict, user_id: &str) -> Result<(), StorageError> {
        self.tx.execute(
            "INSERT INTO conflicts (id, client_id, seq, user_id, command, version, record_id, base_version, \
             payload, code, message, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                c.id.to_string(),
                c.client_id.to_string(),
                c.seq as i64,
                user_id,
                c.command,
                c.version,
                c.record_id.to_string(),
                c.base_version,
                to_json(&c.payload)?,
                c.code,
                c.message,
                ts(c.created_at)
            ],
        )?;
        Ok(())
    }

    async fn save_result(
        &mut self,
        client_id: Uuid,
        command: &CommandEnvelope,
        outcome_json: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        self.tx
            .prepare_cached(
                "INSERT INTO command_results (client_id, seq, command, version, record_id, result, processed_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                client_id.to_string(),
                command.seq as i64,
                command.name,
                command.version,
                command.record_id.to_string(),
                outcome_json,
                ts(now)
            ])?;
        Ok(())
    }

    async fn set_last_seq(&mut self, client_id: Uuid, seq: u64) -> Result<(), StorageError> {
        self.tx.execute(
            "UPDATE clients SET last_seq = ?2 WHERE client_id = ?1",
            params![client_id.to_string(), seq as i64],
        )?;
        Ok(())
    }
}
