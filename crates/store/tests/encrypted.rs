#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The encrypted store (SQLCipher) against real files: the key, the in-place encryption of
//! an earlier plain database, files set aside, the unsent-work summary and the vault.

use std::path::{Path, PathBuf};

use kyosai_store::{
    file_kind, read_unsent_summary, set_aside, unsent_summary_path, DbKey, FileKind, Store,
    StoreError, Vault, LATEST_SCHEMA_VERSION, PLAIN_HEADER,
};
use kyosai_sync_protocol::{CommandResult, Outcome};
use serde_json::json;

/// A name and a 個人番号-like number that must never be readable in any file on disk.
const SECRET_NAME: &str = "暗号山田花子";
const SECRET_NUMBER: &str = "123456789018";

fn db_in(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("profiles/default/kyosai.sqlite3")
}

/// Every byte of every file under `dir`.
fn all_bytes(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(all_bytes(&p));
        } else {
            out.push((p.clone(), std::fs::read(&p).unwrap()));
        }
    }
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn assert_nothing_readable(dir: &Path) {
    for (path, bytes) in all_bytes(dir) {
        for needle in [SECRET_NAME, SECRET_NUMBER, "SQLite format 3"] {
            assert!(
                !contains(&bytes, needle.as_bytes()),
                "{needle} readable in {}",
                path.display()
            );
        }
    }
}

fn write_personal_data(store: &mut Store) -> uuid::Uuid {
    let (id, _) = store
        .sync()
        .record_create_local(
            "acquisition",
            "1203",
            &format!("資格取得届（{SECRET_NAME}）"),
            &json!({ "氏名": SECRET_NAME, "個人番号": SECRET_NUMBER }),
        )
        .unwrap();
    id
}

fn not_a_database(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::NotADatabase)
}

#[test]
fn a_new_database_is_encrypted_and_needs_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    let key = DbKey::generate().unwrap();
    let id;
    {
        let mut store = Store::open_encrypted(&path, &key).unwrap();
        assert_eq!(store.schema_version().unwrap(), LATEST_SCHEMA_VERSION);
        assert_eq!(store.journal_mode().unwrap(), "wal");
        assert_eq!(store.synchronous().unwrap(), 2, "synchronous=FULL");
        id = write_personal_data(&mut store);
    }
    // The header is SQLCipher's random salt, not SQLite's magic.
    let head = std::fs::read(&path).unwrap();
    assert_ne!(&head[..16], PLAIN_HEADER);
    assert_eq!(file_kind(&path).unwrap(), FileKind::Encrypted);
    assert_nothing_readable(dir.path());

    // A plain open (sqlite3 without a key) sees no database.
    let plain = rusqlite::Connection::open(&path).unwrap();
    let err = plain
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap_err();
    assert!(not_a_database(&err), "{err:?}");
    drop(plain);
    // The store's plain open is refused too.
    assert!(Store::open(&path).is_err());

    // Another key is refused and changes nothing.
    let wrong = DbKey::generate().unwrap();
    let err = Store::open_encrypted(&path, &wrong).unwrap_err();
    assert_eq!(err.code(), "store.key_mismatch");
    assert!(matches!(err, StoreError::KeyMismatch { .. }));
    assert_eq!(file_kind(&path).unwrap(), FileKind::Encrypted);

    // The key from the credential store's text form opens it with the data.
    let again = DbKey::from_hex(&key.to_hex()).unwrap();
    let mut store = Store::open_encrypted(&path, &again).unwrap();
    let r = store.sync().record(id).unwrap().unwrap();
    assert_eq!(
        r.draft.as_ref().unwrap().body["個人番号"],
        json!(SECRET_NUMBER)
    );
    assert!(store.integrity_check().unwrap().ok);
}

#[test]
fn a_plain_database_of_an_earlier_version_is_encrypted_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    let id;
    {
        let mut store = Store::open(&path).unwrap();
        id = write_personal_data(&mut store);
        store.settings().put_all(&[("officeCode", "1203")]).unwrap();
    }
    assert_eq!(file_kind(&path).unwrap(), FileKind::Plain);
    let key = DbKey::generate().unwrap();
    {
        let mut store = Store::open_encrypted(&path, &key).unwrap();
        assert_eq!(store.schema_version().unwrap(), LATEST_SCHEMA_VERSION);
        assert!(store.sync().record(id).unwrap().is_some());
        assert_eq!(store.sync().outbox_entries().unwrap().len(), 1);
        assert_eq!(
            store.settings().get("officeCode").unwrap().unwrap().value,
            "1203"
        );
        assert_eq!(store.journal_mode().unwrap(), "wal");
    }
    assert_eq!(file_kind(&path).unwrap(), FileKind::Encrypted);
    let names: Vec<String> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(
        !names
            .iter()
            .any(|n| n.contains(".encrypting") || n.contains(".plain-wipe")),
        "{names:?}"
    );
    // Nothing plain is left behind: no readable name, number or SQLite header anywhere.
    assert_nothing_readable(dir.path());
    // And the summary of unsent work was written on the way.
    let summary = read_unsent_summary(&path).unwrap().unwrap();
    assert_eq!(summary.unsent_commands, 1);
    assert_eq!(summary.unsettled_drafts, 1);
    // A second start does not encrypt again.
    let store = Store::open_encrypted(&path, &key).unwrap();
    assert_eq!(store.schema_version().unwrap(), LATEST_SCHEMA_VERSION);
}

#[test]
fn an_encryption_interrupted_before_the_swap_starts_over_from_the_plain_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    let id = {
        let mut store = Store::open(&path).unwrap();
        write_personal_data(&mut store)
    };
    // What a crash after the export and the hard link, before the rename, leaves.
    let tmp = dir
        .path()
        .join("profiles/default/kyosai.sqlite3.encrypting");
    let wipe = dir
        .path()
        .join("profiles/default/kyosai.sqlite3.plain-wipe");
    std::fs::write(&tmp, b"half an encrypted copy").unwrap();
    std::fs::hard_link(&path, &wipe).unwrap();

    let key = DbKey::generate().unwrap();
    let mut store = Store::open_encrypted(&path, &key).unwrap();
    assert!(
        store.sync().record(id).unwrap().is_some(),
        "the link was not wiped"
    );
    assert!(!tmp.exists() && !wipe.exists());
    drop(store);
    assert_nothing_readable(dir.path());
}

#[test]
fn an_encryption_interrupted_after_the_swap_wipes_the_plain_copy() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    let key = DbKey::generate().unwrap();
    let id = {
        let mut store = Store::open_encrypted(&path, &key).unwrap();
        write_personal_data(&mut store)
    };
    // The old plain file still under its second name (a crash before the wipe).
    let wipe = dir
        .path()
        .join("profiles/default/kyosai.sqlite3.plain-wipe");
    {
        let plain = Store::open(&wipe).unwrap();
        drop(plain);
        let conn = rusqlite::Connection::open(&wipe).unwrap();
        conn.execute(
            "INSERT INTO settings (key, value, updated_at) VALUES ('n', ?1, 'x')",
            [SECRET_NAME],
        )
        .unwrap();
    }
    let mut store = Store::open_encrypted(&path, &key).unwrap();
    assert!(!wipe.exists());
    assert!(store.sync().record(id).unwrap().is_some());
    drop(store);
    assert_nothing_readable(dir.path());
}

#[test]
fn the_unsent_summary_follows_the_outbox_and_holds_no_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    let key = DbKey::generate().unwrap();
    let mut store = Store::open_encrypted(&path, &key).unwrap();
    let s0 = read_unsent_summary(&path).unwrap().unwrap();
    assert_eq!((s0.unsent_commands, s0.unsettled_drafts), (0, 0));
    assert!(s0.oldest_unsent_at.is_none() && !s0.has_unsent_work());

    let before = chrono::Utc::now();
    let a = write_personal_data(&mut store);
    store
        .sync()
        .record_update_local(a, "資格取得届（訂正）", &json!({ "氏名": SECRET_NAME }))
        .unwrap();
    let s = read_unsent_summary(&path).unwrap().unwrap();
    assert_eq!(s.unsent_commands, 2);
    assert_eq!(s.unsettled_drafts, 1);
    assert!(s.has_unsent_work());
    let oldest = s.oldest_unsent_at.unwrap();
    assert!(oldest >= before - chrono::Duration::seconds(1) && oldest <= chrono::Utc::now());

    let text = std::fs::read_to_string(unsent_summary_path(&path)).unwrap();
    assert!(!text.contains(SECRET_NAME) && !text.contains(SECRET_NUMBER));
    assert!(!text.contains(&a.to_string()), "no record ids: {text}");
    assert!(!text.contains("資格取得届"));

    // The server applies both: nothing unsent any more.
    store
        .sync()
        .apply_push_results(&[
            CommandResult {
                seq: 1,
                outcome: Outcome::Applied {
                    record_id: a,
                    version: 1,
                },
            },
            CommandResult {
                seq: 2,
                outcome: Outcome::Applied {
                    record_id: a,
                    version: 2,
                },
            },
        ])
        .unwrap();
    let s = read_unsent_summary(&path).unwrap().unwrap();
    assert_eq!((s.unsent_commands, s.unsettled_drafts), (0, 0));
    assert!(s.oldest_unsent_at.is_none());

    // A damaged summary is an error, not a silent zero.
    std::fs::write(unsent_summary_path(&path), "{\"format\":1}").unwrap();
    assert_eq!(
        read_unsent_summary(&path).unwrap_err().code(),
        "store.data_invalid"
    );
    // A plain store (tests, tools) writes none.
    let plain_path = dir.path().join("plain.sqlite3");
    let mut plain = Store::open(&plain_path).unwrap();
    write_personal_data(&mut plain);
    assert!(read_unsent_summary(&plain_path).unwrap().is_none());
}

#[test]
fn an_unreadable_database_is_set_aside_whole_and_never_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_in(&dir);
    let key = DbKey::generate().unwrap();
    let store = {
        let mut s = Store::open_encrypted(&path, &key).unwrap();
        write_personal_data(&mut s);
        s.vault().unwrap().put("scan-0001.png", b"PNG...").unwrap();
        s
    };
    // Set aside while the -wal file exists (the app holds no connection then; this
    // mimics a crash that left the WAL behind).
    let wal = dir.path().join("profiles/default/kyosai.sqlite3-wal");
    assert!(wal.exists());
    let wal_bytes = std::fs::read(&wal).unwrap();
    std::mem::forget(store); // keep the WAL as a crash would
    let moved = set_aside(&path, "20261126-093000").unwrap();
    assert_eq!(
        moved.database,
        dir.path()
            .join("profiles/default/kyosai.sqlite3.unreadable-20261126-093000")
    );
    assert!(!path.exists() && !wal.exists());
    assert!(!unsent_summary_path(&path).exists());
    let aside_wal = dir
        .path()
        .join("profiles/default/kyosai.sqlite3.unreadable-20261126-093000-wal");
    assert_eq!(std::fs::read(&aside_wal).unwrap(), wal_bytes);
    assert!(moved.moved.contains(&unsent_summary_path(&moved.database)));
    assert!(dir
        .path()
        .join("profiles/default/vault.unreadable-20261126-093000/scan-0001.png.sealed")
        .exists());

    // The set-aside file still opens with its key (IT can recover it).
    {
        let mut old = Store::open_encrypted(&moved.database, &key).unwrap();
        assert_eq!(old.sync().outbox_entries().unwrap().len(), 1);
    }
    // A second set-aside in the same second does not overwrite the first.
    let fresh = DbKey::generate().unwrap();
    drop(Store::open_encrypted(&path, &fresh).unwrap());
    let second = set_aside(&path, "20261126-093000").unwrap();
    assert_ne!(second.database, moved.database);
    assert!(moved.database.exists() && second.database.exists());
}

#[test]
fn the_vault_seals_files_and_refuses_tampering_swaps_and_other_keys() {
    let dir = tempfile::tempdir().unwrap();
    let key = DbKey::generate().unwrap();
    let vault = Vault::new(dir.path().join("vault"), &key);
    let scan = format!("氏名 {SECRET_NAME} 個人番号 {SECRET_NUMBER}").into_bytes();
    vault.put("scan-0001.txt", &scan).unwrap();
    vault.put("scan-0002.txt", b"second").unwrap();
    assert_eq!(vault.get("scan-0001.txt").unwrap(), scan);
    assert_eq!(vault.names().unwrap(), ["scan-0001.txt", "scan-0002.txt"]);
    assert!(vault.contains("scan-0001.txt").unwrap());
    assert_nothing_readable(dir.path());

    // The same content sealed twice differs (a fresh nonce each time).
    let file = dir.path().join("vault/scan-0001.txt.sealed");
    let first = std::fs::read(&file).unwrap();
    vault.put("scan-0001.txt", &scan).unwrap();
    let second = std::fs::read(&file).unwrap();
    assert_ne!(first, second);
    assert_eq!(second.len(), 8 + 24 + scan.len() + 16);

    // Any flipped bit is refused.
    for i in [0, 9, 40, second.len() - 1] {
        let mut bad = second.clone();
        bad[i] ^= 0x01;
        std::fs::write(&file, &bad).unwrap();
        assert_eq!(
            vault.get("scan-0001.txt").unwrap_err().code(),
            "store.vault_unreadable",
            "byte {i}"
        );
    }
    // Cut short.
    std::fs::write(&file, &second[..20]).unwrap();
    assert_eq!(
        vault.get("scan-0001.txt").unwrap_err().code(),
        "store.vault_unreadable"
    );
    // Another file's sealed bytes under this name (a swap).
    std::fs::copy(dir.path().join("vault/scan-0002.txt.sealed"), &file).unwrap();
    assert_eq!(
        vault.get("scan-0001.txt").unwrap_err().code(),
        "store.vault_unreadable"
    );
    // Another key (a new database after a lost credential store).
    std::fs::write(&file, &second).unwrap();
    let other = Vault::new(dir.path().join("vault"), &DbKey::generate().unwrap());
    assert_eq!(
        other.get("scan-0001.txt").unwrap_err().code(),
        "store.vault_unreadable"
    );
    assert_eq!(vault.get("scan-0001.txt").unwrap(), scan);

    // Names are plain file names, never paths.
    for bad in [
        "",
        "../x",
        "a/b",
        ".hidden",
        "a\\b",
        "スキャン.png",
        &"a".repeat(129),
    ] {
        assert_eq!(
            vault.put(bad, b"x").unwrap_err().code(),
            "store.vault_name",
            "{bad}"
        );
    }
    vault.remove("scan-0001.txt").unwrap();
    vault.remove("scan-0001.txt").unwrap();
    assert_eq!(vault.names().unwrap(), ["scan-0002.txt"]);
    assert_eq!(
        vault.get("scan-0001.txt").unwrap_err().code(),
        "store.vault_io"
    );
}

#[test]
fn a_plain_store_has_no_vault() {
    let store = Store::open_in_memory().unwrap();
    assert_eq!(store.vault().unwrap_err().code(), "store.vault_unavailable");
}
