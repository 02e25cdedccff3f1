//! What the diagnostics screen shows.

use kyosai_store::Store;
use serde::Serialize;

use crate::AppError;

/// Version and where this profile keeps its files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    /// "debug" or "release".
    pub build_profile: String,
    pub profile: String,
    pub data_dir: String,
    pub log_dir: String,
    pub database_path: String,
    pub schema_version: u32,
    /// Why the local database could not be opened, if it could not.
    pub startup_error: Option<AppError>,
}

/// The result of the database check, as shown to the clerk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct IntegrityReport {
    pub ok: bool,
    pub messages: Vec<String>,
    pub foreign_key_violations: u32,
    pub page_count: u32,
    /// File size in KiB (u32 keeps it a plain number in TypeScript).
    pub size_kib: u32,
    pub schema_version: u32,
    pub elapsed_ms: u32,
}

/// Runs SQLite's integrity and foreign-key checks.
pub fn integrity_check(store: &Store) -> Result<IntegrityReport, AppError> {
    let r = store.integrity_check()?;
    if !r.ok {
        tracing::error!(messages = ?r.messages, fk = r.foreign_key_violations, "integrity check failed");
    }
    Ok(IntegrityReport {
        ok: r.ok,
        messages: r.messages,
        foreign_key_violations: u32::try_from(r.foreign_key_violations).unwrap_or(u32::MAX),
        page_count: u32::try_from(r.page_count).unwrap_or(u32::MAX),
        size_kib: u32::try_from(r.size_bytes.div_ceil(1024)).unwrap_or(u32::MAX),
        schema_version: r.schema_version,
        elapsed_ms: u32::try_from(r.elapsed_ms).unwrap_or(u32::MAX),
    })
}
