//! Opening the encrypted local database with its key from the OS credential store, and
//! the safe path when that key is gone.
//!
//! The key (32 random bytes, [`DbKey`]) lives in the credential store under the account
//! `<profile>/#db-key` (a user id can never contain `#`, so it never meets a refresh
//! token), never on disk. What happens at start:
//!
//! | credential store | database file | result |
//! |---|---|---|
//! | key | opens with it | [`Opened::Ready`] |
//! | key | missing or empty | a new database with that key |
//! | key | plain (earlier version) | encrypted in place with that key |
//! | no key | missing, empty or plain | a new key is made, saved and read back, then the database is created or encrypted |
//! | no key | encrypted | [`Opened::KeyLost`] (`missing`) |
//! | key | does not open with it | [`Opened::KeyLost`] (`mismatch`) |
//! | unreadable (locked, D-Bus down) | any | an error: nothing is touched, try again |
//!
//! On [`Opened::KeyLost`] the app shows what would be lost, from the plain unsent-work
//! summary next to the file, and only [`start_fresh`] — the clerk's explicit choice —
//! sets the unreadable file aside (renamed with a time stamp, never deleted) and starts
//! a new database; the server is authoritative, so sign-in downloads everything again.

use std::path::Path;

use chrono::{DateTime, Utc};
use kyosai_store::{file_kind, read_unsent_summary, set_aside, DbKey, FileKind, Store, StoreError};
use kyosai_sync_client::SecretStore;
use serde::Serialize;

use crate::AppError;

/// The credential-store account of a profile's database key.
pub fn key_account(profile: &str) -> String {
    format!("{profile}/#db-key")
}

/// Why the database cannot be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum KeyLostReason {
    /// The credential store has no key for this profile (a new Windows profile, a moved
    /// user profile, the entry deleted).
    Missing,
    /// The credential store's key does not open the file (a file copied from another PC
    /// or profile, or the entry replaced).
    Mismatch,
}

/// What the key-lost screen shows. Counts are `None` when the unsent-work summary is
/// missing or unreadable: then nobody can say whether work would be lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct KeyLostView {
    pub reason: KeyLostReason,
    /// The stable code IT looks up (`store.key_missing` / `store.key_mismatch`).
    pub code: String,
    pub database_path: String,
    /// Commands not yet accepted by the central service (未送信).
    pub unsent_commands: Option<u32>,
    /// Records with a draft the server does not hold (未送信・競合・差戻し).
    pub unsettled_drafts: Option<u32>,
    /// When the oldest unsent command was made (RFC 3339).
    pub oldest_unsent_at: Option<String>,
    /// When the summary was last written (RFC 3339).
    pub summary_updated_at: Option<String>,
}

impl KeyLostView {
    /// The error the rest of the app sees while the database is closed.
    pub fn error(&self) -> AppError {
        AppError::new(
            "store.key_lost",
            "このPCの鍵でデータベースを開けません。画面の案内に従って、新しく始めるか、IT管理者に連絡してください。",
        )
    }
}

/// The outcome of [`open`].
#[derive(Debug)]
pub enum Opened {
    Ready(Store),
    KeyLost(KeyLostView),
}

/// What [`start_fresh`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct StartedFresh {
    /// Where the unreadable database was moved (empty when it had become readable and
    /// nothing was moved).
    pub set_aside_path: String,
}

fn key_store_error(
    store: &dyn SecretStore,
    what: &str,
    detail: impl std::fmt::Display,
) -> AppError {
    tracing::error!(store = store.name(), %what, error = %detail, "credential store failed");
    AppError::new(
        "store.key_store",
        format!(
            "OSの資格情報ストア（{}）でデータベースの鍵を{what}できません（{detail}）。資格情報ストアのロックを解除してから共済デスクを起動し直してください。続く場合はIT管理者に連絡してください。",
            store.name()
        ),
    )
}

fn count(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn key_lost(db: &Path, reason: KeyLostReason) -> KeyLostView {
    let summary = match read_unsent_summary(db) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(code = e.code(), "unsent-work summary unreadable");
            None
        }
    };
    let code = match reason {
        KeyLostReason::Missing => "store.key_missing",
        KeyLostReason::Mismatch => "store.key_mismatch",
    };
    let view = KeyLostView {
        reason,
        code: code.to_string(),
        database_path: db.display().to_string(),
        unsent_commands: summary.as_ref().map(|s| count(s.unsent_commands)),
        unsettled_drafts: summary.as_ref().map(|s| count(s.unsettled_drafts)),
        oldest_unsent_at: summary
            .as_ref()
            .and_then(|s| s.oldest_unsent_at)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        summary_updated_at: summary.as_ref().map(|s| {
            s.updated_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        }),
    };
    tracing::error!(
        %code,
        unsent = ?view.unsent_commands,
        drafts = ?view.unsettled_drafts,
        "local database cannot be opened with this PC's key"
    );
    view
}

/// Makes a key, saves it and reads it back: a database is never created with a key the
/// credential store did not keep.
fn new_key(secrets: &dyn SecretStore, account: &str) -> Result<DbKey, AppError> {
    let key = DbKey::generate()?;
    let hex = key.to_hex();
    secrets
        .set(account, &hex)
        .map_err(|e| key_store_error(secrets, "保存", e.message))?;
    match secrets.get(account) {
        Ok(Some(back)) if back.as_str() == hex.as_str() => {
            tracing::info!(store = secrets.name(), "new database key saved");
            Ok(key)
        }
        Ok(_) => Err(key_store_error(
            secrets,
            "保存",
            "保存した鍵を読み出せません",
        )),
        Err(e) => Err(key_store_error(secrets, "読み出し", e.message)),
    }
}

fn kind_of(db: &Path) -> Result<FileKind, AppError> {
    file_kind(db).map_err(|e| {
        AppError::new(
            "store.open",
            format!(
                "データベース {} を読めません（{e}）。フォルダの権限を確認してください。",
                db.display()
            ),
        )
    })
}

/// Opens the database of `profile` at `db` (see the module docs for every case).
pub fn open(db: &Path, secrets: &dyn SecretStore, profile: &str) -> Result<Opened, AppError> {
    let account = key_account(profile);
    let stored = secrets
        .get(&account)
        .map_err(|e| key_store_error(secrets, "読み出し", e.message))?;
    let kind = kind_of(db)?;
    let key = match stored {
        Some(hex) => match DbKey::from_hex(&hex) {
            Ok(key) => key,
            // A damaged entry: it cannot open anything.
            Err(_) if kind == FileKind::Encrypted => {
                return Ok(Opened::KeyLost(key_lost(db, KeyLostReason::Mismatch)))
            }
            Err(_) => new_key(secrets, &account)?,
        },
        None if kind == FileKind::Encrypted => {
            return Ok(Opened::KeyLost(key_lost(db, KeyLostReason::Missing)))
        }
        None => new_key(secrets, &account)?,
    };
    match Store::open_encrypted(db, &key) {
        Ok(store) => Ok(Opened::Ready(store)),
        Err(StoreError::KeyMismatch { .. }) => {
            Ok(Opened::KeyLost(key_lost(db, KeyLostReason::Mismatch)))
        }
        Err(e) => Err(e.into()),
    }
}

/// The clerk chose 「新しく始める（サーバーから取り直す）」: sets the unreadable database
/// aside, makes a new key and a new database. If the file opens after all (IT restored
/// the key meanwhile), nothing is moved and that database is returned.
pub fn start_fresh(
    db: &Path,
    secrets: &dyn SecretStore,
    profile: &str,
    now: DateTime<Utc>,
) -> Result<(Store, StartedFresh), AppError> {
    let lost = match open(db, secrets, profile)? {
        Opened::Ready(store) => {
            return Ok((
                store,
                StartedFresh {
                    set_aside_path: String::new(),
                },
            ))
        }
        Opened::KeyLost(view) => view,
    };
    let moved = set_aside(db, &now.format("%Y%m%d-%H%M%SZ").to_string())?;
    tracing::warn!(
        code = %lost.code,
        unsent = ?lost.unsent_commands,
        drafts = ?lost.unsettled_drafts,
        "started afresh: the unreadable database was set aside"
    );
    let key = new_key(secrets, &key_account(profile))?;
    let store = Store::open_encrypted(db, &key)?;
    Ok((
        store,
        StartedFresh {
            set_aside_path: moved.database.display().to_string(),
        },
    ))
}
