#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The store against real SQLite files on disk.

use std::io::{Seek, SeekFrom, Write};

use kyosai_store::{Store, StoreError, LATEST_SCHEMA_VERSION};

#[test]
fn a_new_database_is_migrated_in_wal_with_full_sync() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("profiles/default/kyosai.sqlite3");
    let store = Store::open(&path).unwrap();
    assert!(path.exists());
    assert_eq!(store.schema_version().unwrap(), LATEST_SCHEMA_VERSION);
    assert_eq!(store.journal_mode().unwrap(), "wal");
    assert_eq!(store.synchronous().unwrap(), 2, "synchronous=FULL");
}

#[test]
fn settings_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kyosai.sqlite3");
    {
        let mut store = Store::open(&path).unwrap();
        store
            .settings()
            .put_all(&[
                ("centralUrl", "https://central.kyosai.example:8443"),
                ("officeCode", "1203"),
            ])
            .unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    let all = store.settings().all().unwrap();
    assert_eq!(
        all["centralUrl"].value,
        "https://central.kyosai.example:8443"
    );
    assert_eq!(all["officeCode"].value, "1203");
    assert_eq!(all.len(), 2);
}

#[test]
fn an_empty_value_removes_the_setting() {
    let mut store = Store::open_in_memory().unwrap();
    store
        .settings()
        .put_all(&[("proxyUrl", "http://proxy:8080")])
        .unwrap();
    store.settings().put_all(&[("proxyUrl", "")]).unwrap();
    assert!(store.settings().get("proxyUrl").unwrap().is_none());
}

#[test]
fn unchanged_values_keep_their_timestamp() {
    let mut store = Store::open_in_memory().unwrap();
    store.settings().put_all(&[("officeCode", "1203")]).unwrap();
    let first = store.settings().get("officeCode").unwrap().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    store.settings().put_all(&[("officeCode", "1203")]).unwrap();
    let second = store.settings().get("officeCode").unwrap().unwrap();
    assert_eq!(first, second);
}

#[test]
fn a_database_from_a_newer_app_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kyosai.sqlite3");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(&format!(
            "CREATE TABLE future (x); PRAGMA user_version = {};",
            LATEST_SCHEMA_VERSION + 1
        ))
        .unwrap();
    }
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::NewerSchema { .. }), "{err:?}");
    assert_eq!(err.code(), "store.newer_schema");
    assert!(err.to_string().contains("最新版に更新してください"));
    let conn = rusqlite::Connection::open(&path).unwrap();
    let v: u32 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, LATEST_SCHEMA_VERSION + 1);
}

#[test]
fn integrity_check_is_ok_on_a_healthy_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("k.sqlite3")).unwrap();
    let report = store.integrity_check().unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.messages, vec!["ok".to_string()]);
    assert_eq!(report.schema_version, LATEST_SCHEMA_VERSION);
    assert!(report.page_count > 0);
}

#[test]
fn integrity_check_reports_a_damaged_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.sqlite3");
    {
        let mut store = Store::open(&path).unwrap();
        let many: Vec<(String, String)> = (0..400)
            .map(|i| (format!("key{i:04}"), "値".repeat(50)))
            .collect();
        let refs: Vec<(&str, &str)> = many.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        store.settings().put_all(&refs).unwrap();
        // Fold the WAL back so the damage below hits the pages the check will read.
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .unwrap();
    }
    let root: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT rootpage FROM sqlite_schema WHERE name = 'settings'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    {
        // Give the settings b-tree's root page an impossible page type.
        let mut f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.seek(SeekFrom::Start((root as u64 - 1) * 4096)).unwrap();
        f.write_all(&[0x00]).unwrap();
    }
    let report = match Store::open(&path) {
        Ok(store) => store.integrity_check().unwrap(),
        // Damage that SQLite notices while opening is also a detection.
        Err(e) => {
            assert!(
                matches!(
                    e,
                    StoreError::Sqlite(_) | StoreError::Open { .. } | StoreError::Migration { .. }
                ),
                "{e:?}"
            );
            return;
        }
    };
    assert!(!report.ok, "{report:?}");
    assert!(!report.messages.is_empty());
}
