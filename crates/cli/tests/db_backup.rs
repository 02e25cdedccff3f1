#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `kyosai db backup` / `kyosai db restore` run as IT runs them: the real binary, a
//! profile's encrypted database in a temporary data folder, and its key in the OS
//! credential store (Secret Service or keyutils; `scripts/test` runs inside a test
//! keyring and sets `KYOSAI_REQUIRE_KEYRING=1`, which makes a missing store a failure).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use kyosai_app::local_db::key_account;
use kyosai_store::{DbKey, Store};
use kyosai_sync_client::{KeyringSecretStore, SecretStore};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const PASSPHRASE: &str = "新宿区役所-移行用-2026";

struct Run {
    code: i32,
    json: Value,
    stderr: String,
}

fn kyosai(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kyosai"));
    cmd.args(args).env_remove("KYOSAI_DATA_DIR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap(),
        json: if out.stdout.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&out.stdout).unwrap()
        },
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// The OS credential store, or `None` (the test is skipped) when this machine has none.
fn keyring() -> Option<KeyringSecretStore> {
    let found = KeyringSecretStore::detect();
    if found.is_none() {
        assert!(
            std::env::var("KYOSAI_REQUIRE_KEYRING").map_or(true, |v| v != "1"),
            "no OS credential store found (KYOSAI_REQUIRE_KEYRING=1)"
        );
        let _ = writeln!(
            std::io::stderr(),
            "skipped: no OS credential store here (run inside `keyctl session -` or a D-Bus session with gnome-keyring)"
        );
    }
    found
}

/// A profile name no other test (or run) uses, its key removed at the end.
struct Profile<'a> {
    name: String,
    secrets: &'a KeyringSecretStore,
}

impl<'a> Profile<'a> {
    fn new(secrets: &'a KeyringSecretStore) -> Self {
        Profile {
            name: format!("t{}", &uuid::Uuid::new_v4().simple().to_string()[..12]),
            secrets,
        }
    }

    fn db(&self, data_dir: &Path) -> PathBuf {
        data_dir.join(format!("profiles/{}/kyosai.sqlite3", self.name))
    }

    fn key(&self) -> Option<DbKey> {
        self.secrets
            .get(&key_account(&self.name))
            .unwrap()
            .map(|h| DbKey::from_hex(&h).unwrap())
    }

    /// The database as the app leaves it: a key in the store, 資格取得届 drafts not yet
    /// sent, the office's name.
    fn with_database(self, data_dir: &Path) -> Self {
        let key = DbKey::generate().unwrap();
        self.secrets
            .set(&key_account(&self.name), &key.to_hex())
            .unwrap();
        let mut store = Store::open_encrypted(&self.db(data_dir), &key).unwrap();
        store
            .settings()
            .put_all(&[("officeName", "新宿区役所")])
            .unwrap();
        for name in ["山田 花子", "佐藤 健一"] {
            store
                .sync()
                .record_create_local(
                    "acquisition",
                    "1203",
                    &format!("資格取得届（{name}）"),
                    &json!({ "氏名": name }),
                )
                .unwrap();
        }
        self
    }
}

impl Drop for Profile<'_> {
    fn drop(&mut self) {
        let _ = self.secrets.delete(&key_account(&self.name));
    }
}

fn office(db: &Path, key: &DbKey) -> String {
    let mut store = Store::open_encrypted(db, key).unwrap();
    store.settings().get("officeName").unwrap().unwrap().value
}

fn set_office(db: &Path, key: &DbKey, name: &str) {
    let mut store = Store::open_encrypted(db, key).unwrap();
    store.settings().put_all(&[("officeName", name)]).unwrap();
}

fn sha256_hex(path: &Path) -> String {
    Sha256::digest(std::fs::read(path).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn what_stops_a_command_before_it_starts_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = dir.path().join("b.kdb");

    let r = kyosai(
        &[
            "db",
            "backup",
            "--profile",
            "../x",
            "--data-dir",
            s(&data),
            "--out",
            s(&out),
        ],
        &[],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("プロファイル名「../x」は使えません"),
        "{}",
        r.stderr
    );

    // No database for the profile: the path it looked at is named. KYOSAI_DATA_DIR is
    // honoured as by the app.
    let r = kyosai(
        &["db", "backup", "--profile", "tanaka", "--out", s(&out)],
        &[("KYOSAI_DATA_DIR", s(&data))],
    );
    assert_eq!(r.code, 2);
    let expected = data.join("profiles/tanaka/kyosai.sqlite3");
    assert!(r.stderr.contains(s(&expected)), "{}", r.stderr);
    assert!(r.stderr.contains("ありません"), "{}", r.stderr);
    assert!(!out.exists());

    let r = kyosai(
        &[
            "db",
            "restore",
            "--profile",
            "tanaka",
            "--data-dir",
            s(&data),
            s(&out),
        ],
        &[],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("バックアップ"), "{}", r.stderr);

    let r = kyosai(&["db", "backup", "--profile", "tanaka"], &[]);
    assert_eq!(r.code, 2, "--out is required");
}

#[test]
fn a_passphrase_backup_moves_a_profile_to_a_replacement_pc() {
    let Some(secrets) = keyring() else { return };
    let dir = tempfile::tempdir().unwrap();
    let old_pc = dir.path().join("old-pc");
    let new_pc = dir.path().join("new-pc");
    let usb = dir.path().join("usb");
    let from = Profile::new(&secrets).with_database(&old_pc);
    let to = Profile::new(&secrets);
    let out = usb.join("tanaka-移行.kdb");
    let env = [
        ("KYOSAI_BACKUP_PASS", PASSPHRASE),
        ("SHORT_PASS", "みじかい"),
    ];

    let backup = |out: &Path, var: &str| {
        kyosai(
            &[
                "db",
                "backup",
                "--profile",
                &from.name,
                "--data-dir",
                s(&old_pc),
                "--out",
                s(out),
                "--passphrase-env",
                var,
            ],
            &env,
        )
    };
    let r = backup(&out, "SHORT_PASS");
    assert_eq!(r.code, 1);
    assert_eq!(r.json["error"]["code"], "backup.passphrase_too_short");
    let r = backup(&out, "NO_SUCH_VARIABLE");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("NO_SUCH_VARIABLE"), "{}", r.stderr);
    assert!(!out.exists());

    let r = backup(&out, "KYOSAI_BACKUP_PASS");
    assert_eq!(r.code, 0, "{} {}", r.json, r.stderr);
    let b = &r.json["backup"];
    assert_eq!(b["keying"], "passphrase");
    assert_eq!(b["file"], s(&out));
    assert_eq!(b["sha256"], sha256_hex(&out));
    assert_eq!(b["bytes"], std::fs::metadata(&out).unwrap().len());
    assert!(b["pages"].as_u64().unwrap() > 1);
    assert!(r.stderr.contains("バックアップ中"), "{}", r.stderr);
    assert!(r.stderr.contains("100%"), "{}", r.stderr);
    assert!(r.json["message"].as_str().unwrap().contains("パスフレーズ"));
    // The header holds the KDF's salt and settings, and no key.
    let header: Value =
        serde_json::from_slice(&std::fs::read(usb.join("tanaka-移行.kdb.json")).unwrap()).unwrap();
    assert_eq!(header["kdf"]["algorithm"], "argon2id");
    assert_eq!(header["kdf"]["memoryKib"], 65536);
    let header_text = header.to_string();
    assert!(!header_text.contains(from.key().unwrap().to_hex().as_str()));

    // Never over an existing backup.
    let r = backup(&out, "KYOSAI_BACKUP_PASS");
    assert_eq!(r.code, 1);
    assert_eq!(r.json["error"]["code"], "backup.destination_exists");

    // The replacement PC: the same person, a new Windows profile — no key, no database.
    let restore = |file: &Path, var: Option<&str>, env: &[(&str, &str)]| {
        let mut args = vec![
            "db",
            "restore",
            "--profile",
            &to.name,
            "--data-dir",
            s(&new_pc),
            s(file),
        ];
        if let Some(v) = var {
            args.extend(["--passphrase-env", v]);
        }
        kyosai(&args, env)
    };
    let r = restore(&out, None, &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("パスフレーズで保護"), "{}", r.stderr);
    let r = restore(&out, Some("WRONG"), &[("WRONG", "新宿区役所-移行用-2025")]);
    assert_eq!(r.code, 1);
    assert_eq!(r.json["error"]["code"], "backup.wrong_key");
    assert!(!to.db(&new_pc).exists());

    // A changed copy is refused by its hash.
    let changed = usb.join("changed.kdb");
    let mut bytes = std::fs::read(&out).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    std::fs::write(&changed, bytes).unwrap();
    std::fs::copy(
        usb.join("tanaka-移行.kdb.json"),
        usb.join("changed.kdb.json"),
    )
    .unwrap();
    let r = restore(&changed, Some("KYOSAI_BACKUP_PASS"), &env);
    assert_eq!(r.code, 1);
    assert_eq!(r.json["error"]["code"], "backup.tampered");

    let r = restore(&out, Some("KYOSAI_BACKUP_PASS"), &env);
    assert_eq!(r.code, 0, "{} {}", r.json, r.stderr);
    let done = &r.json["restored"];
    assert_eq!(done["database"], s(&to.db(&new_pc)));
    assert_eq!(done["previous"], Value::Null);
    assert_eq!(done["keying"], "passphrase");
    // The key was made on this PC by the restore (the wrong passphrase's attempt made it
    // already; either way it is the profile's key now).
    let key = to.key().expect("a key in the credential store");
    assert_eq!(office(&to.db(&new_pc), &key), "新宿区役所");
    let mut store = Store::open_encrypted(&to.db(&new_pc), &key).unwrap();
    assert_eq!(
        store.sync().counts().unwrap().pending,
        2,
        "unsent work came along"
    );
}

#[test]
fn a_backup_with_the_pc_key_restores_on_the_same_pc_and_keeps_what_it_replaces() {
    let Some(secrets) = keyring() else { return };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let p = Profile::new(&secrets).with_database(&data);
    let key = p.key().unwrap();
    let db = p.db(&data);
    let out = dir.path().join("before-upgrade.kdb");
    let env = [("KYOSAI_DATA_DIR", s(&data))];

    // Taken while the app has the database open and writes to it.
    let mut app = Store::open_encrypted(&db, &key).unwrap();
    app.settings()
        .put_all(&[("officeName", "新宿区役所")])
        .unwrap();
    let r = kyosai(
        &["db", "backup", "--profile", &p.name, "--out", s(&out)],
        &env,
    );
    assert_eq!(r.code, 0, "{} {}", r.json, r.stderr);
    assert_eq!(r.json["backup"]["keying"], "databaseKey");
    assert_eq!(r.json["backup"]["database"], s(&db));
    assert!(
        r.json["message"]
            .as_str()
            .unwrap()
            .contains("この利用者の資格情報ストアにある鍵でしか開けません"),
        "{}",
        r.json
    );
    app.settings()
        .put_all(&[("officeName", "渋谷区役所")])
        .unwrap();

    // While the app runs, the restore refuses and changes nothing.
    let restore = |extra: &[&str]| {
        let mut args = vec!["db", "restore", "--profile", &p.name, s(&out)];
        args.extend(extra);
        kyosai(&args, &[("KYOSAI_DATA_DIR", s(&data)), ("P", PASSPHRASE)])
    };
    let r = restore(&[]);
    assert_eq!(r.code, 1, "{} {}", r.json, r.stderr);
    assert_eq!(r.json["error"]["code"], "backup.database_in_use");
    assert!(r.json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("終了してから"));
    assert_eq!(
        app.settings().get("officeName").unwrap().unwrap().value,
        "渋谷区役所"
    );
    drop(app);

    let r = restore(&["--passphrase-env", "P"]);
    assert_eq!(r.code, 2, "a PC-key backup takes no passphrase");

    let r = restore(&[]);
    assert_eq!(r.code, 0, "{} {}", r.json, r.stderr);
    let previous = PathBuf::from(r.json["restored"]["previous"].as_str().unwrap());
    assert!(previous
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("kyosai.sqlite3.before-restore-"));
    assert_eq!(r.json["restored"]["newKey"], false);
    assert!(r.json["message"]
        .as_str()
        .unwrap()
        .contains("削除はしません"));
    assert_eq!(office(&db, &key), "新宿区役所");
    assert_eq!(office(&previous, &key), "渋谷区役所");

    // The next change, then a second restore: both earlier databases are kept.
    set_office(&db, &key, "中野区役所");
    let r = restore(&[]);
    assert_eq!(r.code, 0, "{} {}", r.json, r.stderr);
    assert!(previous.exists());
    assert_eq!(office(&db, &key), "新宿区役所");
}
