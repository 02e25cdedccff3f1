#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Online backup and restore against real SQLCipher files: a backup taken while another
//! connection keeps writing, the keys that open (and do not open) a copy, passphrases,
//! tampered files, and the restore's swap with the old database kept.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use kyosai_store::backup::{
    header_path, passphrase_key, KdfParams, Keying, MIN_PASSPHRASE_CHARS, PAGES_PER_STEP,
};
use kyosai_store::{
    backup_to, backup_with_passphrase, file_kind, restore_from, BackupError, BackupHeader, DbKey,
    FileKind, Store, StoreError, LATEST_SCHEMA_VERSION,
};
use rusqlite::{params, Connection, OpenFlags};
use serde_json::json;
use sha2::{Digest, Sha256};

const PASSPHRASE: &str = "しんじゅく-区役所-2026-春";

/// Light argon2id settings: the tests prove the mechanism, not the cost.
fn light() -> KdfParams {
    KdfParams {
        memory_kib: 8 * 1024,
        iterations: 1,
        parallelism: 1,
    }
}

fn db_in(dir: &Path) -> PathBuf {
    dir.join("profiles/tanaka/kyosai.sqlite3")
}

/// A raw connection to an encrypted file, read-only.
fn raw(path: &Path, key: &DbKey) -> Connection {
    let c = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    c.execute_batch(&format!("PRAGMA key = \"x'{}'\";", key.to_hex().as_str()))
        .unwrap();
    c
}

fn setting(path: &Path, key: &DbKey, name: &str) -> Option<String> {
    raw(path, key)
        .query_row("SELECT value FROM settings WHERE key = ?1", [name], |r| {
            r.get(0)
        })
        .ok()
}

/// A profile database with 資格取得届 drafts and an office setting.
fn profile_db(dir: &Path, key: &DbKey, office: &str) -> PathBuf {
    let db = db_in(dir);
    let mut store = Store::open_encrypted(&db, key).unwrap();
    store.settings().put_all(&[("officeName", office)]).unwrap();
    for (i, name) in ["山田 花子", "佐藤 健一", "鈴木 美咲"].iter().enumerate() {
        store
            .sync()
            .record_create_local(
                "acquisition",
                "1203",
                &format!("資格取得届（{name}）"),
                &json!({ "氏名": name, "組合員番号": format!("1203-{i:05}") }),
            )
            .unwrap();
    }
    db
}

fn sha256_hex(path: &Path) -> String {
    Sha256::digest(std::fs::read(path).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn a_backup_taken_while_another_connection_writes_is_one_consistent_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let key = DbKey::generate().unwrap();
    let db = profile_db(dir.path(), &key, "新宿区役所");
    let src = Store::open_encrypted(&db, &key).unwrap();
    {
        // About 6 MiB: many steps of PAGES_PER_STEP pages.
        let mut w = Connection::open(&db).unwrap();
        w.execute_batch(&format!("PRAGMA key = \"x'{}'\";", key.to_hex().as_str()))
            .unwrap();
        let tx = w.transaction().unwrap();
        for i in 0..3000 {
            tx.execute(
                "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, '2026-04-01')",
                params![format!("fill-{i:05}"), "共済".repeat(700)],
            )
            .unwrap();
        }
        tx.execute(
            "INSERT INTO settings (key, value, updated_at) VALUES ('counter', '0', '2026-04-01')",
            [],
        )
        .unwrap();
        tx.commit().unwrap();
    }

    // Another connection (as the app's sync loop) commits in a loop: each commit adds a
    // row and moves the counter to the number of rows, in one transaction.
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicU64::new(0));
    let writer = {
        let (db, hex, stop, written) = (db.clone(), key.to_hex(), stop.clone(), written.clone());
        std::thread::spawn(move || {
            let mut w = Connection::open(&db).unwrap();
            w.execute_batch(&format!(
                "PRAGMA key = \"x'{}'\"; PRAGMA busy_timeout = 5000;",
                hex.as_str()
            ))
            .unwrap();
            let mut n = 0u64;
            while !stop.load(Ordering::SeqCst) {
                n += 1;
                let tx = w.transaction().unwrap();
                tx.execute(
                    "INSERT INTO settings (key, value, updated_at) VALUES (?1, '受付', '2026-04-01')",
                    [format!("written-{n:06}")],
                )
                .unwrap();
                tx.execute(
                    "UPDATE settings SET value = ?1 WHERE key = 'counter'",
                    [n.to_string()],
                )
                .unwrap();
                tx.commit().unwrap();
                written.store(n, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            n
        })
    };
    while written.load(Ordering::SeqCst) < 5 {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }

    let dest = dir.path().join("backup/tanaka-2026-04-01.kdb");
    let mut steps: Vec<(u64, u64)> = Vec::new();
    let before = written.load(Ordering::SeqCst);
    let summary = backup_to(&src, &dest, &key, |done, total| steps.push((done, total))).unwrap();
    let after = written.load(Ordering::SeqCst);
    stop.store(true, Ordering::SeqCst);
    let total_written = writer.join().unwrap();

    assert!(
        after > before,
        "the writer kept committing during the backup ({before} → {after})"
    );
    assert!(steps.len() >= 4, "copied in steps: {steps:?}");
    let total = steps.last().unwrap().1;
    assert!(total > 4 * PAGES_PER_STEP as u64, "{total} pages");
    assert_eq!(steps.last().unwrap().0, total);
    assert!(steps.windows(2).all(|w| w[0].0 <= w[1].0), "{steps:?}");
    assert_eq!(summary.header.page_count, total);
    assert_eq!(
        summary.header.size_bytes,
        std::fs::metadata(&dest).unwrap().len()
    );
    assert_eq!(summary.header.schema_version, LATEST_SCHEMA_VERSION);
    assert_eq!(summary.header.sha256, sha256_hex(&dest));

    // One instant of the database: the counter matches the rows beside it, every earlier
    // row is there, and the writer went on after it.
    let c = raw(&dest, &key);
    let counter: u64 = c
        .query_row(
            "SELECT value FROM settings WHERE key = 'counter'",
            [],
            |r| r.get::<_, String>(0),
        )
        .unwrap()
        .parse()
        .unwrap();
    let rows: u64 = c
        .query_row(
            "SELECT count(*) FROM settings WHERE key LIKE 'written-%'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .unwrap()
        .try_into()
        .unwrap();
    let fill: i64 = c
        .query_row(
            "SELECT count(*) FROM settings WHERE key LIKE 'fill-%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(fill, 3000);
    assert_eq!(rows, counter);
    assert!(
        counter >= before && counter < total_written,
        "{before} ≤ {counter} < {total_written}"
    );
    assert_eq!(fill, 3000);
    let mode: String = c
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "delete", "the backup is one self-contained file");
    drop(c);
    assert!(!dest.with_extension("kdb-wal").exists());
    let leftovers: Vec<_> = std::fs::read_dir(dest.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(
        {
            let mut l = leftovers;
            l.sort();
            l
        },
        vec!["tanaka-2026-04-01.kdb", "tanaka-2026-04-01.kdb.json"]
    );
    // The source goes on working after the backup let its snapshot go.
    assert!(src.integrity_check().unwrap().ok);
}

#[test]
fn a_copy_keyed_with_another_key_opens_with_that_key_only() {
    let dir = tempfile::tempdir().unwrap();
    let key = DbKey::generate().unwrap();
    let other = DbKey::generate().unwrap();
    let db = profile_db(dir.path(), &key, "新宿区役所");
    let src = Store::open_encrypted(&db, &key).unwrap();
    let dest = dir.path().join("copy.kdb");
    let summary = backup_to(&src, &dest, &other, |_, _| {}).unwrap();
    assert_eq!(summary.header.keying, Keying::DatabaseKey);

    assert_eq!(file_kind(&dest).unwrap(), FileKind::Encrypted);
    assert_eq!(
        setting(&dest, &other, "officeName").as_deref(),
        Some("新宿区役所")
    );
    // Not with the source's key, and not without a key.
    let e = Store::open_encrypted(&dest, &key).unwrap_err();
    assert_eq!(e.code(), "store.key_mismatch");
    let plain = Connection::open_with_flags(&dest, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let e = plain
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap_err();
    assert!(e.to_string().contains("not a database"), "{e}");
    let bytes = std::fs::read(&dest).unwrap();
    for needle in ["SQLite format 3", "山田 花子", "新宿区役所"] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "{needle} readable in the backup"
        );
    }

    // The header names the keying and the file's hash, never a key.
    let text = std::fs::read_to_string(header_path(&dest)).unwrap();
    for k in [&key, &other] {
        assert!(!text.contains(k.to_hex().as_str()));
    }
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["format"], "kyosai-db-backup");
    assert_eq!(v["keying"], "databaseKey");
    assert_eq!(v["kdf"], serde_json::Value::Null);
    assert_eq!(v["sha256"], sha256_hex(&dest));
    assert_eq!(BackupHeader::read(&dest).unwrap(), summary.header);
}

#[test]
fn an_existing_backup_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let key = DbKey::generate().unwrap();
    let src = Store::open_encrypted(&profile_db(dir.path(), &key, "新宿区役所"), &key).unwrap();
    let dest = dir.path().join("weekly.kdb");
    backup_to(&src, &dest, &key, |_, _| {}).unwrap();
    let first = std::fs::read(&dest).unwrap();
    let first_header = std::fs::read(header_path(&dest)).unwrap();
    let e = backup_to(&src, &dest, &key, |_, _| {}).unwrap_err();
    assert_eq!(e.code(), "backup.destination_exists");
    assert_eq!(std::fs::read(&dest).unwrap(), first);
    assert_eq!(std::fs::read(header_path(&dest)).unwrap(), first_header);

    // A header left alone (its backup moved away) also keeps the name taken.
    let lone = dir.path().join("lone.kdb");
    std::fs::write(header_path(&lone), b"{}").unwrap();
    let e = backup_to(&src, &lone, &key, |_, _| {}).unwrap_err();
    assert_eq!(e.code(), "backup.destination_exists");
    assert!(!lone.exists());
}

#[test]
fn a_passphrase_backup_restores_on_a_replacement_pc_and_a_wrong_passphrase_is_refused() {
    let old_pc = tempfile::tempdir().unwrap();
    let new_pc = tempfile::tempdir().unwrap();
    let old_key = DbKey::generate().unwrap();
    let src = Store::open_encrypted(&profile_db(old_pc.path(), &old_key, "新宿区役所"), &old_key)
        .unwrap();
    let dest = old_pc.path().join("usb/tanaka.kdb");

    let e = backup_with_passphrase(&src, &dest, "short", light(), |_, _| {}).unwrap_err();
    assert_eq!(e.code(), "backup.passphrase_too_short");
    assert!(e.to_string().contains(&MIN_PASSPHRASE_CHARS.to_string()));
    assert!(!dest.exists());

    let summary = backup_with_passphrase(&src, &dest, PASSPHRASE, light(), |_, _| {}).unwrap();
    let Keying::Passphrase { params, salt } = summary.header.keying.clone() else {
        panic!("{:?}", summary.header.keying)
    };
    assert_eq!(params, light());
    assert_eq!(salt.len(), 16);
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(header_path(&dest)).unwrap()).unwrap();
    assert_eq!(v["keying"], "passphrase");
    assert_eq!(v["kdf"]["algorithm"], "argon2id");
    assert_eq!(v["kdf"]["memoryKib"], 8192);
    // The passphrase's key opens it; the PC's key does not.
    let backup_key = passphrase_key(PASSPHRASE, &params, &salt).unwrap();
    assert_eq!(
        setting(&dest, &backup_key, "officeName").as_deref(),
        Some("新宿区役所")
    );
    assert_eq!(
        Store::open_encrypted(&dest, &old_key).unwrap_err().code(),
        "store.key_mismatch"
    );

    // The replacement PC: a new user key, no database yet.
    let new_key = DbKey::generate().unwrap();
    let new_db = db_in(new_pc.path());
    let wrong = passphrase_key("しんじゅく-区役所-2026-夏", &params, &salt).unwrap();
    let e = restore_from(&dest, &wrong, &new_db, &new_key).unwrap_err();
    assert_eq!(e.code(), "backup.wrong_key");
    assert!(e.to_string().contains("パスフレーズが違う"), "{e}");
    assert!(!new_db.exists());

    let restored = restore_from(&dest, &backup_key, &new_db, &new_key).unwrap();
    assert_eq!(restored.previous, None);
    assert_eq!(restored.schema_version, LATEST_SCHEMA_VERSION);
    let mut store = Store::open_encrypted(&new_db, &new_key).unwrap();
    assert_eq!(
        store.settings().get("officeName").unwrap().unwrap().value,
        "新宿区役所"
    );
    // The unsent work came along.
    assert_eq!(store.sync().counts().unwrap().pending, 3);
    assert!(store.integrity_check().unwrap().ok);
}

#[test]
fn a_changed_backup_is_refused_by_its_hash_and_by_its_page_checks() {
    let dir = tempfile::tempdir().unwrap();
    let key = DbKey::generate().unwrap();
    let src = Store::open_encrypted(&profile_db(dir.path(), &key, "新宿区役所"), &key).unwrap();
    let dest = dir.path().join("b.kdb");
    backup_to(&src, &dest, &key, |_, _| {}).unwrap();
    drop(src);
    let target = dir.path().join("restored/kyosai.sqlite3");

    // One byte changed in the middle of the last page.
    let mut bytes = std::fs::read(&dest).unwrap();
    let at = bytes.len() - 2048;
    bytes[at] ^= 0x5a;
    std::fs::write(&dest, &bytes).unwrap();
    let e = restore_from(&dest, &key, &target, &key).unwrap_err();
    assert_eq!(e.code(), "backup.tampered");
    assert!(e.to_string().contains("SHA-256"), "{e}");
    assert!(!target.exists());

    // Someone who also rewrites the header's hash: SQLCipher's page HMAC still refuses.
    let header = header_path(&dest);
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&header).unwrap()).unwrap();
    v["sha256"] = json!(sha256_hex(&dest));
    std::fs::write(&header, v.to_string()).unwrap();
    let e = restore_from(&dest, &key, &target, &key).unwrap_err();
    assert_eq!(e.code(), "backup.damaged", "{e}");
    assert!(!target.exists());
    // Refused before anything was made on the destination's side.
    assert!(!target.parent().unwrap().exists());

    // Without its header a backup is not restored at all.
    std::fs::remove_file(&header).unwrap();
    let e = restore_from(&dest, &key, &target, &key).unwrap_err();
    assert_eq!(e.code(), "backup.header_missing");
}

#[test]
fn a_restore_swaps_the_database_in_and_keeps_the_one_it_replaces() {
    let dir = tempfile::tempdir().unwrap();
    let key = DbKey::generate().unwrap();
    let db = profile_db(dir.path(), &key, "新宿区役所");
    let dest = dir.path().join("before-upgrade.kdb");
    {
        let src = Store::open_encrypted(&db, &key).unwrap();
        backup_to(&src, &dest, &key, |_, _| {}).unwrap();
    }
    let backup_bytes = std::fs::read(&dest).unwrap();
    {
        let mut store = Store::open_encrypted(&db, &key).unwrap();
        store
            .settings()
            .put_all(&[("officeName", "渋谷区役所")])
            .unwrap();
    }
    let summary_file = PathBuf::from(format!("{}.unsent.json", db.display()));
    assert!(summary_file.exists());

    let r = restore_from(&dest, &key, &db, &key).unwrap();
    assert_eq!(r.database, db);
    let previous = r.previous.clone().unwrap();
    let name = previous.file_name().unwrap().to_str().unwrap().to_string();
    assert!(
        name.starts_with("kyosai.sqlite3.before-restore-") && name.ends_with('Z'),
        "{name}"
    );
    // The restored database is the backup; the one it replaced is kept whole, with its
    // unsent-work summary, and opens with its key.
    assert_eq!(
        setting(&db, &key, "officeName").as_deref(),
        Some("新宿区役所")
    );
    assert_eq!(
        setting(&previous, &key, "officeName").as_deref(),
        Some("渋谷区役所")
    );
    assert!(PathBuf::from(format!("{}.unsent.json", previous.display())).exists());
    assert!(!summary_file.exists());
    for leftover in [".restoring", "-wal", "-journal"] {
        assert!(
            !PathBuf::from(format!("{}{leftover}", db.display())).exists(),
            "{leftover}"
        );
    }
    assert_eq!(
        std::fs::read(&dest).unwrap(),
        backup_bytes,
        "the backup is unchanged"
    );
    let mut store = Store::open_encrypted(&db, &key).unwrap();
    assert!(store.integrity_check().unwrap().ok);
    assert_eq!(store.sync().counts().unwrap().pending, 3);
    assert_eq!(store.journal_mode().unwrap(), "wal");
    drop(store);

    // A second restore keeps both earlier databases.
    let r2 = restore_from(&dest, &key, &db, &key).unwrap();
    assert_ne!(r2.previous.unwrap(), previous);
    assert!(previous.exists());
}

#[test]
fn a_restore_is_refused_while_the_database_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let key = DbKey::generate().unwrap();
    let db = profile_db(dir.path(), &key, "新宿区役所");
    let dest = dir.path().join("b.kdb");
    let mut app = Store::open_encrypted(&db, &key).unwrap();
    backup_to(&app, &dest, &key, |_, _| {}).unwrap();
    app.settings()
        .put_all(&[("officeName", "渋谷区役所")])
        .unwrap();

    // The app holds it open (idle, between two clicks).
    let e = restore_from(&dest, &key, &db, &key).unwrap_err();
    assert_eq!(e.code(), "backup.database_in_use");
    assert!(e.to_string().contains("終了してから"), "{e}");
    let names: Vec<String> = std::fs::read_dir(db.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(
        !names
            .iter()
            .any(|n| n.contains("before-restore") || n.contains("restoring")),
        "{names:?}"
    );
    // The app goes on as if nothing happened.
    assert_eq!(
        app.settings().get("officeName").unwrap().unwrap().value,
        "渋谷区役所"
    );
    app.settings()
        .put_all(&[("officeName", "中野区役所")])
        .unwrap();
    drop(app);

    let r = restore_from(&dest, &key, &db, &key).unwrap();
    assert_eq!(
        setting(&db, &key, "officeName").as_deref(),
        Some("新宿区役所")
    );
    assert_eq!(
        setting(&r.previous.unwrap(), &key, "officeName").as_deref(),
        Some("中野区役所")
    );
}

#[test]
fn a_restore_over_a_database_this_key_cannot_open_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let key = DbKey::generate().unwrap();
    let db = profile_db(dir.path(), &key, "新宿区役所");
    let dest = dir.path().join("b.kdb");
    backup_to(
        &Store::open_encrypted(&db, &key).unwrap(),
        &dest,
        &key,
        |_, _| {},
    )
    .unwrap();
    let other = DbKey::generate().unwrap();
    let e = restore_from(&dest, &key, &db, &other).unwrap_err();
    assert_eq!(e.code(), "backup.destination_key_mismatch");
    assert_eq!(
        setting(&db, &key, "officeName").as_deref(),
        Some("新宿区役所")
    );
}

#[test]
fn a_backup_of_a_newer_schema_is_not_restored_by_this_version() {
    let dir = tempfile::tempdir().unwrap();
    let key = DbKey::generate().unwrap();
    let db = profile_db(dir.path(), &key, "新宿区役所");
    let dest = dir.path().join("newer.kdb");
    backup_to(
        &Store::open_encrypted(&db, &key).unwrap(),
        &dest,
        &key,
        |_, _| {},
    )
    .unwrap();
    // As a newer app would have written it: a higher user_version, hash updated.
    {
        let c = Connection::open(&dest).unwrap();
        c.execute_batch(&format!(
            "PRAGMA key = \"x'{}'\"; PRAGMA user_version = {};",
            key.to_hex().as_str(),
            LATEST_SCHEMA_VERSION + 1
        ))
        .unwrap();
    }
    let header = header_path(&dest);
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&header).unwrap()).unwrap();
    v["sha256"] = json!(sha256_hex(&dest));
    std::fs::write(&header, v.to_string()).unwrap();

    let e = restore_from(&dest, &key, &db, &key).unwrap_err();
    assert_eq!(e.code(), "store.newer_schema");
    assert!(matches!(
        e,
        BackupError::Store(StoreError::NewerSchema { found, .. }) if found == LATEST_SCHEMA_VERSION + 1
    ));
    assert_eq!(
        setting(&db, &key, "officeName").as_deref(),
        Some("新宿区役所")
    );
}
