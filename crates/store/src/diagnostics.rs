//! Health checks a clerk or IT can run from the diagnostics screen.

use std::time::Instant;

use rusqlite::Connection;

use crate::StoreError;

/// The outcome of `PRAGMA integrity_check` and `PRAGMA foreign_key_check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrityReport {
    pub ok: bool,
    /// SQLite's own words, "ok" when healthy (at most 100 lines).
    pub messages: Vec<String>,
    pub foreign_key_violations: u64,
    pub page_count: u64,
    pub size_bytes: u64,
    pub schema_version: u32,
    pub elapsed_ms: u64,
}

pub(crate) fn integrity_check(conn: &Connection) -> Result<IntegrityReport, StoreError> {
    let started = Instant::now();
    match run_checks(conn, started) {
        // Damage bad enough that the check itself cannot read the file is a finding too.
        Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, msg)))
            if matches!(
                e.code,
                rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase
            ) =>
        {
            Ok(IntegrityReport {
                ok: false,
                messages: vec![msg.unwrap_or_else(|| e.to_string())],
                foreign_key_violations: 0,
                page_count: 0,
                size_bytes: 0,
                schema_version: conn
                    .query_row("PRAGMA user_version", [], |r| r.get(0))
                    .unwrap_or(0),
                elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            })
        }
        other => other,
    }
}

fn run_checks(conn: &Connection, started: Instant) -> Result<IntegrityReport, StoreError> {
    let mut stmt = conn.prepare("PRAGMA integrity_check(100)")?;
    let messages = stmt
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    let mut fk = conn.prepare("PRAGMA foreign_key_check")?;
    let mut rows = fk.query([])?;
    let mut foreign_key_violations = 0u64;
    while rows.next()?.is_some() {
        foreign_key_violations += 1;
    }
    // SQLCipher checks each page's HMAC here (nothing is reported for a sound file, and
    // a plain file has no HMACs to check).
    let cipher_messages = conn
        .prepare("PRAGMA cipher_integrity_check")?
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    let page_count: i64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
    // SQLCipher answers `page_size` as text.
    let page_size: u64 = match conn.query_row("PRAGMA page_size", [], |r| {
        r.get::<_, rusqlite::types::Value>(0)
    })? {
        rusqlite::types::Value::Integer(n) => u64::try_from(n).unwrap_or(0),
        rusqlite::types::Value::Text(t) => t.trim().parse().unwrap_or(0),
        _ => 0,
    };
    let page_count = u64::try_from(page_count).unwrap_or(0);
    let schema_version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let ok = messages.len() == 1
        && messages[0] == "ok"
        && foreign_key_violations == 0
        && cipher_messages.is_empty();
    let mut messages = messages;
    messages.extend(cipher_messages);
    Ok(IntegrityReport {
        ok,
        messages,
        foreign_key_violations,
        page_count,
        size_bytes: page_count * page_size,
        schema_version,
        elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    })
}
