#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Opening the encrypted local database with its key from a credential store, and the
//! lost-key path, against real SQLCipher files. Each case runs on the in-memory store
//! and, when this machine has one, on the OS credential store (Secret Service or
//! keyutils; `scripts/test` runs inside a test keyring and sets
//! `KYOSAI_REQUIRE_KEYRING=1`, which makes a missing store a failure).

use std::io::Write as _;
use std::path::Path;

use chrono::{TimeZone, Utc};
use kyosai_app::local_db::{self, KeyLostReason, Opened};
use kyosai_store::{file_kind, DbKey, FileKind, Store};
use kyosai_sync_client::{
    local_codes, ErrorKind, KeyringSecretStore, MemorySecretStore, SecretStore, SyncError,
};
use serde_json::json;

/// The stores to run each case on.
fn stores() -> Vec<Box<dyn SecretStore>> {
    let mut v: Vec<Box<dyn SecretStore>> = vec![Box::new(MemorySecretStore::new())];
    match KeyringSecretStore::detect() {
        Some(k) => v.push(Box::new(k)),
        None => {
            assert!(
                std::env::var("KYOSAI_REQUIRE_KEYRING").map_or(true, |v| v != "1"),
                "no OS credential store found (KYOSAI_REQUIRE_KEYRING=1)"
            );
            let _ = writeln!(
                std::io::stderr(),
                "OS credential store cases skipped: none here (run inside `keyctl session -` or a D-Bus session with gnome-keyring)"
            );
        }
    }
    v
}

/// A profile name no other test (or run) uses, so OS store entries never collide.
fn profile() -> String {
    format!("t{}", &uuid::Uuid::new_v4().simple().to_string()[..12])
}

fn cleanup(secrets: &dyn SecretStore, profile: &str) {
    secrets.delete(&local_db::key_account(profile)).unwrap();
}

fn ready(o: Opened) -> Store {
    match o {
        Opened::Ready(s) => s,
        Opened::KeyLost(v) => panic!("expected an open database, got {v:?}"),
    }
}

fn add_unsent_work(store: &mut Store) {
    store
        .sync()
        .record_create_local(
            "acquisition",
            "1203",
            "資格取得届（鈴木一郎）",
            &json!({ "氏名": "鈴木一郎" }),
        )
        .unwrap();
    store
        .sync()
        .record_create_local("note", "1203", "連絡メモ", &json!({}))
        .unwrap();
}

#[test]
fn first_start_makes_a_key_in_the_credential_store_and_an_encrypted_database() {
    for secrets in stores() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("kyosai.sqlite3");
        let p = profile();
        let mut store = ready(local_db::open(&db, secrets.as_ref(), &p).unwrap());
        add_unsent_work(&mut store);
        drop(store);

        let hex = secrets
            .get(&local_db::key_account(&p))
            .unwrap()
            .expect("the key is in the credential store");
        assert_eq!(hex.len(), 64, "{}", secrets.name());
        assert_eq!(file_kind(&db).unwrap(), FileKind::Encrypted);
        // Nowhere on disk in clear.
        for e in std::fs::read_dir(dir.path()).unwrap() {
            let bytes = std::fs::read(e.unwrap().path()).unwrap_or_default();
            assert!(!bytes.windows(hex.len()).any(|w| w == hex.as_bytes()));
        }
        // The key present and opening: the same database again.
        let mut store = ready(local_db::open(&db, secrets.as_ref(), &p).unwrap());
        assert_eq!(store.sync().outbox_entries().unwrap().len(), 2);
        drop(store);
        // The key opens the file outside the app too (IT's recovery path).
        let key = DbKey::from_hex(&hex).unwrap();
        assert!(Store::open_encrypted(&db, &key).is_ok());
        cleanup(secrets.as_ref(), &p);
    }
}

#[test]
fn a_plain_database_of_an_earlier_version_is_encrypted_with_a_new_key() {
    for secrets in stores() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("kyosai.sqlite3");
        let p = profile();
        {
            let mut plain = Store::open(&db).unwrap();
            add_unsent_work(&mut plain);
        }
        assert_eq!(file_kind(&db).unwrap(), FileKind::Plain);
        let mut store = ready(local_db::open(&db, secrets.as_ref(), &p).unwrap());
        assert_eq!(store.sync().outbox_entries().unwrap().len(), 2);
        assert_eq!(file_kind(&db).unwrap(), FileKind::Encrypted);
        assert!(secrets.get(&local_db::key_account(&p)).unwrap().is_some());
        cleanup(secrets.as_ref(), &p);
    }
}

#[test]
fn a_missing_key_with_a_database_reports_the_unsent_work_and_touches_nothing() {
    for secrets in stores() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("kyosai.sqlite3");
        let p = profile();
        let before = Utc::now() - chrono::Duration::seconds(1);
        {
            let mut store = ready(local_db::open(&db, secrets.as_ref(), &p).unwrap());
            add_unsent_work(&mut store);
        }
        let old_hex = secrets.get(&local_db::key_account(&p)).unwrap().unwrap();
        // The credential store lost the key (a new Windows profile, a moved user profile).
        cleanup(secrets.as_ref(), &p);
        let bytes = std::fs::read(&db).unwrap();

        let view = match local_db::open(&db, secrets.as_ref(), &p).unwrap() {
            Opened::KeyLost(v) => v,
            Opened::Ready(_) => panic!("opened without its key"),
        };
        assert_eq!(view.reason, KeyLostReason::Missing);
        assert_eq!(view.code, "store.key_missing");
        assert_eq!(view.unsent_commands, Some(2));
        assert_eq!(view.unsettled_drafts, Some(2));
        let oldest =
            chrono::DateTime::parse_from_rfc3339(view.oldest_unsent_at.as_deref().unwrap())
                .unwrap();
        assert!(oldest >= before && oldest <= Utc::now());
        assert_eq!(view.database_path, db.display().to_string());
        assert_eq!(view.error().code, "store.key_lost");
        // Nothing was changed, and no key was made behind the clerk's back.
        assert_eq!(std::fs::read(&db).unwrap(), bytes);
        assert!(secrets.get(&local_db::key_account(&p)).unwrap().is_none());

        // 「新しく始める」: the old file set aside (still readable with its key), a new one.
        let now = Utc.with_ymd_and_hms(2026, 11, 26, 0, 30, 0).unwrap();
        let (mut fresh, done) = local_db::start_fresh(&db, secrets.as_ref(), &p, now).unwrap();
        assert!(done
            .set_aside_path
            .ends_with("kyosai.sqlite3.unreadable-20261126-003000Z"));
        assert_eq!(fresh.sync().outbox_entries().unwrap().len(), 0);
        drop(fresh);
        let new_hex = secrets.get(&local_db::key_account(&p)).unwrap().unwrap();
        assert_ne!(new_hex, old_hex);
        let aside = Path::new(&done.set_aside_path);
        assert_eq!(std::fs::read(aside).unwrap(), bytes);
        let mut old = Store::open_encrypted(aside, &DbKey::from_hex(&old_hex).unwrap()).unwrap();
        assert_eq!(old.sync().outbox_entries().unwrap().len(), 2);
        // The next start opens the new database.
        let mut again = ready(local_db::open(&db, secrets.as_ref(), &p).unwrap());
        assert_eq!(again.sync().outbox_entries().unwrap().len(), 0);
        cleanup(secrets.as_ref(), &p);
    }
}

#[test]
fn a_key_that_does_not_open_the_database_is_a_mismatch() {
    for secrets in stores() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("kyosai.sqlite3");
        let p = profile();
        drop(ready(local_db::open(&db, secrets.as_ref(), &p).unwrap()));
        // Another key in the credential store (the file came from another PC).
        let other = DbKey::generate().unwrap();
        secrets
            .set(&local_db::key_account(&p), &other.to_hex())
            .unwrap();
        let view = match local_db::open(&db, secrets.as_ref(), &p).unwrap() {
            Opened::KeyLost(v) => v,
            Opened::Ready(_) => panic!("opened with another key"),
        };
        assert_eq!(view.reason, KeyLostReason::Mismatch);
        assert_eq!(view.code, "store.key_mismatch");
        assert_eq!(view.unsent_commands, Some(0), "nothing unsent in this one");
        // A damaged entry is a mismatch too, never a reason to make a new key silently.
        secrets
            .set(&local_db::key_account(&p), "not a key")
            .unwrap();
        assert!(matches!(
            local_db::open(&db, secrets.as_ref(), &p).unwrap(),
            Opened::KeyLost(v) if v.reason == KeyLostReason::Mismatch
        ));
        assert_eq!(
            secrets.get(&local_db::key_account(&p)).unwrap().as_deref(),
            Some("not a key")
        );
        cleanup(secrets.as_ref(), &p);
    }
}

#[test]
fn without_the_summary_the_unsent_work_is_unknown() {
    let secrets = MemorySecretStore::new();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kyosai.sqlite3");
    let p = profile();
    drop(ready(local_db::open(&db, &secrets, &p).unwrap()));
    cleanup(&secrets, &p);
    std::fs::remove_file(kyosai_store::unsent_summary_path(&db)).unwrap();
    let view = match local_db::open(&db, &secrets, &p).unwrap() {
        Opened::KeyLost(v) => v,
        Opened::Ready(_) => panic!("opened without its key"),
    };
    assert_eq!(view.unsent_commands, None);
    assert_eq!(view.unsettled_drafts, None);
    assert_eq!(view.summary_updated_at, None);
}

#[test]
fn start_fresh_moves_nothing_when_the_key_opens_the_database_after_all() {
    let secrets = MemorySecretStore::new();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kyosai.sqlite3");
    let p = profile();
    {
        let mut store = ready(local_db::open(&db, &secrets, &p).unwrap());
        add_unsent_work(&mut store);
    }
    let (mut store, done) = local_db::start_fresh(&db, &secrets, &p, Utc::now()).unwrap();
    assert_eq!(done.set_aside_path, "");
    assert_eq!(store.sync().outbox_entries().unwrap().len(), 2);
}

/// A credential store that cannot be read (a locked keyring, D-Bus down). The real stores
/// cannot be made to fail on demand in a test, so this double stands in for the failure.
#[derive(Debug)]
struct LockedStore;

fn locked() -> SyncError {
    SyncError::new(
        ErrorKind::Secret,
        local_codes::SECRET_STORE,
        "the keyring is locked",
    )
}

impl SecretStore for LockedStore {
    fn name(&self) -> &str {
        "locked"
    }
    fn get(&self, _: &str) -> Result<Option<String>, SyncError> {
        Err(locked())
    }
    fn set(&self, _: &str, _: &str) -> Result<(), SyncError> {
        Err(locked())
    }
    fn delete(&self, _: &str) -> Result<(), SyncError> {
        Err(locked())
    }
}

#[test]
fn an_unreadable_credential_store_is_an_error_and_never_a_lost_key() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kyosai.sqlite3");
    let p = profile();
    let memory = MemorySecretStore::new();
    drop(ready(local_db::open(&db, &memory, &p).unwrap()));
    let bytes = std::fs::read(&db).unwrap();
    let err = local_db::open(&db, &LockedStore, &p).unwrap_err();
    assert_eq!(err.code, "store.key_store");
    assert!(err.message.contains("資格情報ストア"));
    let err = local_db::start_fresh(&db, &LockedStore, &p, Utc::now()).unwrap_err();
    assert_eq!(err.code, "store.key_store");
    assert_eq!(
        std::fs::read(&db).unwrap(),
        bytes,
        "nothing moved or changed"
    );
    // No database is created with a key the store would not keep.
    let empty = dir.path().join("new/kyosai.sqlite3");
    assert_eq!(
        local_db::open(&empty, &LockedStore, &p).unwrap_err().code,
        "store.key_store"
    );
    assert!(!empty.exists());
}
