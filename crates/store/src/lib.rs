//! The local store of Kyosai Desk: one SQLite database per profile.
//!
//! This crate owns every SQL statement the desktop app runs: the schema and its
//! versioned migrations, the connection settings (WAL, `synchronous=FULL`, foreign
//! keys), and small repositories that speak in plain Rust values. It knows nothing of
//! Tauri, HTTP or the screens, and holds no business rules: those live in
//! `kyosai-domain`.
//!
//! The [`sync`] module holds the local half of sync: the command outbox, the local copy
//! of server records with the clerk's drafts, and the sync state (see its docs for the
//! rules that keep a clerk's typing from ever being dropped).
//!
//! The app's database is encrypted at rest with SQLCipher ([`Store::open_encrypted`],
//! see the `cipher` module): the caller brings the 32-byte [`DbKey`] (the app keeps it in
//! the OS credential store), a plain database of an earlier version is encrypted in
//! place, and a file the key does not open is refused with `store.key_mismatch` and can
//! be set aside ([`set_aside`]). Next to it a plain summary of unsent work
//! ([`read_unsent_summary`]) says what starting afresh would lose, and the [`Vault`]
//! seals the other files the app keeps (scans, PDFs).
//!
//! The [`backup`] module takes online backups of a profile's database (SQLite's backup
//! API, keyed with the PC user's key or a passphrase) and restores them, keeping the
//! database it replaces.
//!
//! The [`audit`] module keeps the local, hash-chained audit log (`kyosai-audit`): rows
//! are only ever added, in the same transaction as the action they record where there is
//! one.
//!
//! What it refuses, on purpose:
//! - a database written by a newer version of the app (opening it could lose data);
//! - a database on a network drive (SQLite's locking is not safe there);
//! - an encrypted database without its key.

pub mod audit;
pub mod backup;
mod cipher;
mod diagnostics;
mod error;
mod key;
mod location;
mod migrations;
mod settings;
mod sidecar;
pub mod sync;
mod vault;

use std::path::{Path, PathBuf};

use rusqlite::Connection;

pub use audit::AuditRepo;
pub use backup::{
    backup_to, backup_with_passphrase, restore_from, BackupError, BackupHeader, BackupSummary,
    RestoreSummary,
};
pub use cipher::{file_kind, set_aside, FileKind, SetAside, PLAIN_HEADER};
pub use diagnostics::IntegrityReport;
pub use error::StoreError;
pub use key::{DbKey, DB_KEY_BYTES};
pub use location::{check_local_path, LocationError};
pub use migrations::LATEST_SCHEMA_VERSION;
pub use settings::{SettingEntry, SettingsRepo};
pub use sidecar::{read_unsent_summary, unsent_summary_path, UnsentSummary};
pub use sync::SyncRepo;
pub use vault::Vault;

/// An open local database.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// The plain summary of unsent work (encrypted databases only).
    sidecar: Option<sidecar::Sidecar>,
    /// Sealed files beside the database (encrypted databases only).
    vault: Option<Vault>,
}

fn prepare_folder(path: &Path) -> Result<(), StoreError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|source| StoreError::CreateDir {
            path: parent.to_path_buf(),
            source,
        })?;
        check_local_path(parent)?;
    }
    Ok(())
}

impl Store {
    /// Opens (creating if needed) the **unencrypted** database at `path` and brings its
    /// schema up to date. For tests, benchmarks and tools; the app uses
    /// [`Store::open_encrypted`].
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        prepare_folder(path)?;
        let conn = Connection::open(path).map_err(|e| StoreError::open(path, e))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            sidecar: None,
            vault: None,
        };
        store.configure()?;
        migrations::migrate(&mut store.conn)?;
        tracing::info!(path = %path.display(), version = store.schema_version()?, "local database opened");
        Ok(store)
    }

    /// Opens (creating if needed) the database at `path` encrypted with `key`, and brings
    /// its schema up to date. A plain database (an earlier version of the app) is
    /// encrypted in place first. A file that `key` does not open is refused with
    /// [`StoreError::KeyMismatch`] and left as it is.
    pub fn open_encrypted(path: &Path, key: &DbKey) -> Result<Self, StoreError> {
        prepare_folder(path)?;
        cipher::recover_leftovers(path)?;
        let kind = file_kind(path).map_err(|e| StoreError::Encrypt {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        if kind == FileKind::Plain {
            cipher::encrypt_in_place(path, key)?;
        }
        let conn = Connection::open(path).map_err(|e| StoreError::open(path, e))?;
        cipher::apply_key(&conn, key)?;
        cipher::check_key(&conn, path)?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            sidecar: Some(sidecar::Sidecar::new(path)),
            vault: Some(Vault::new(vault::dir_for(path), key)),
        };
        store.configure()?;
        migrations::migrate(&mut store.conn)?;
        store.refresh_unsent_summary();
        tracing::info!(path = %path.display(), version = store.schema_version()?, "encrypted local database opened");
        Ok(store)
    }

    /// Rewrites the unsent-work summary if the outbox changed. A failure is logged, not
    /// returned: the work itself is safe in the database.
    fn refresh_unsent_summary(&mut self) {
        if let Some(sidecar) = self.sidecar.as_mut() {
            if let Err(e) = sidecar.refresh(&self.conn) {
                tracing::warn!(code = e.code(), error = %e, "unsent-work summary not updated");
            }
        }
    }

    /// An in-memory database with the full schema, for tests.
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let conn = Connection::open_in_memory()?;
        let mut store = Store {
            conn,
            path: PathBuf::from(":memory:"),
            sidecar: None,
            vault: None,
        };
        store.configure()?;
        migrations::migrate(&mut store.conn)?;
        Ok(store)
    }

    fn configure(&self) -> Result<(), StoreError> {
        // WAL lets readers continue while the sync loop writes; FULL makes a committed
        // workflow step survive a power cut, which clerks rely on more than speed.
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
        if self.path != Path::new(":memory:") && !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(%mode, "WAL journal mode not available");
        }
        self.conn.execute_batch(
            "PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA busy_timeout = 5000;",
        )?;
        Ok(())
    }

    /// Where the database file lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version recorded in the file (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))?)
    }

    /// The connection settings repository.
    pub fn settings(&mut self) -> SettingsRepo<'_> {
        SettingsRepo::new(&mut self.conn)
    }

    /// The outbox, the local records and the sync state. Its writes keep the unsent-work
    /// summary beside an encrypted database up to date.
    pub fn sync(&mut self) -> SyncRepo<'_> {
        SyncRepo::new(&mut self.conn, self.sidecar.as_mut())
    }

    /// The audit log of this profile (see the [`audit`] module).
    pub fn audit(&mut self) -> AuditRepo<'_> {
        AuditRepo::new(&mut self.conn)
    }

    /// The sealed files of this profile (encrypted databases only).
    pub fn vault(&self) -> Result<&Vault, StoreError> {
        self.vault.as_ref().ok_or(StoreError::VaultUnavailable)
    }

    /// Runs `PRAGMA integrity_check` and `PRAGMA foreign_key_check`.
    pub fn integrity_check(&self) -> Result<IntegrityReport, StoreError> {
        diagnostics::integrity_check(&self.conn)
    }

    /// The journal mode in force (for diagnostics and tests).
    pub fn journal_mode(&self) -> Result<String, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA journal_mode", [], |row| row.get(0))?)
    }

    /// The `synchronous` level in force: 2 is FULL.
    pub fn synchronous(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA synchronous", [], |row| row.get(0))?)
    }
}

/// Now, as stored in the database (RFC 3339, UTC, milliseconds).
pub(crate) fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
