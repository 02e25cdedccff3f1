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
//! What it refuses, on purpose:
//! - a database written by a newer version of the app (opening it could lose data);
//! - a database on a network drive (SQLite's locking is not safe there).

mod diagnostics;
mod error;
mod location;
mod migrations;
mod settings;
pub mod sync;

use std::path::{Path, PathBuf};

use rusqlite::Connection;

pub use diagnostics::IntegrityReport;
pub use error::StoreError;
pub use location::{check_local_path, LocationError};
pub use migrations::LATEST_SCHEMA_VERSION;
pub use settings::{SettingEntry, SettingsRepo};
pub use sync::SyncRepo;

/// An open local database.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::CreateDir {
                path: parent.to_path_buf(),
                source,
            })?;
            check_local_path(parent)?;
        }
        let conn = Connection::open(path).map_err(|e| StoreError::open(path, e))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.configure()?;
        migrations::migrate(&mut store.conn)?;
        tracing::info!(path = %path.display(), version = store.schema_version()?, "local database opened");
        Ok(store)
    }

    /// An in-memory database with the full schema, for tests.
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let conn = Connection::open_in_memory()?;
        let mut store = Store {
            conn,
            path: PathBuf::from(":memory:"),
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

    /// The outbox, the local records and the sync state.
    pub fn sync(&mut self) -> SyncRepo<'_> {
        SyncRepo::new(&mut self.conn)
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
