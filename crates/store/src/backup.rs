//! Online backup and restore of the encrypted local database.
//!
//! **Backup** ([`backup_to`], [`backup_with_passphrase`]) uses SQLite's online backup API
//! (`sqlite3_backup_*`), never a file copy: pages are read through the source connection,
//! so the `-wal` file's recent commits are in the copy, and the app can keep working
//! meanwhile. The source holds one read transaction for the whole run: in WAL mode that
//! is a snapshot which other connections' commits do not disturb (they go on writing), so
//! the copy is the database as it was at one instant and the backup never restarts.
//! Pages go over in steps of [`PAGES_PER_STEP`] with a short pause between, so a large
//! file does not hog the disk.
//!
//! The copy is a new SQLCipher database keyed with its own key: SQLCipher's backup
//! decrypts each page with the source's key and encrypts it with the destination's (both
//! must share page size and cipher settings, which ours always do; the tests prove a
//! copy made this way opens with its key only). Two ways to key it:
//!
//! - the PC user's own database key ([`backup_to`] with that key): the backup opens only
//!   where that credential-store entry is — the same Windows user, on this PC or one its
//!   roaming profile reaches;
//! - a passphrase ([`backup_with_passphrase`]): the key is derived with argon2id from the
//!   passphrase and a random salt, so IT can restore on a replacement PC.
//!
//! Beside the backup `<backup>.json` (see [`BackupHeader`]) records the format, the time,
//! the schema version, the page count, the SHA-256 of the backup file and, for a
//! passphrase, the KDF parameters and salt — never a key. After the copy the file is
//! switched to rollback journalling (one self-contained file), checked with
//! `integrity_check` and SQLCipher's `cipher_integrity_check` under its key, and fsynced.
//! An existing destination is never overwritten.
//!
//! **Restore** ([`restore_from`]) checks the header's SHA-256, opens the backup with its
//! key and checks it, refuses a schema newer than this version knows, then locks the
//! current database: leaving WAL mode needs every other connection gone, so while the app
//! (or anyone) has the file open the restore stops with [`BackupError::InUse`]; when it
//! succeeds the current file's `-wal` is folded into it. The backup is copied (again
//! page by page, re-keyed with the profile's key) into `<db>.restoring` in the same
//! folder, checked, fsynced, and swapped in by renames; the database it replaces is kept
//! as `<db>.before-restore-YYYYMMDD-HHMMSSZ` with its unsent-work summary. The restore
//! never deletes a database.
//!
//! The sealed files in `vault/` (scans, kept PDFs) are not part of the database and not
//! in a backup.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use argon2::{Algorithm, Argon2, Params, Version};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::cipher::{apply_key, check_key, sibling, sync_dir};
use crate::{DbKey, Store, StoreError, LATEST_SCHEMA_VERSION};

/// Pages copied per step of the online backup (1 MiB at SQLCipher's 4 KiB pages).
pub const PAGES_PER_STEP: i32 = 256;

/// The pause between two steps, so that the app's own reads and writes go first.
pub const STEP_PAUSE: Duration = Duration::from_millis(5);

/// The `format` of a backup header.
pub const BACKUP_FORMAT: &str = "kyosai-db-backup";

/// The version of the header's layout.
pub const BACKUP_FORMAT_VERSION: u64 = 1;

/// The shortest passphrase accepted for a new backup, in characters.
pub const MIN_PASSPHRASE_CHARS: usize = 12;

/// The longest header read (a real one is about 500 bytes).
const MAX_HEADER_BYTES: u64 = 64 * 1024;

const SALT_BYTES: usize = 16;

/// How many times in a row a step may answer "busy" before the backup gives up
/// (about 25 seconds at [`STEP_PAUSE`]).
const MAX_BUSY_STEPS: u32 = 5_000;

/// `<backup>.json`: where the header of `backup` is.
pub fn header_path(backup: &Path) -> PathBuf {
    sibling(backup, ".json")
}

/// Everything that stops a backup or a restore.
///
/// `Display` is a Japanese sentence for IT that says what to do; [`BackupError::code`] is
/// the stable identifier.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("バックアップ先 {path} は既にあります。バックアップを上書きすることはありません。別のファイル名を指定してください。")]
    DestinationExists { path: PathBuf },

    #[error("パスフレーズが短すぎます。{min}文字以上にしてください。")]
    PassphraseTooShort { min: usize },

    #[error("バックアップの説明ファイル {path} がありません。バックアップと同じフォルダに、同じ名前に .json を付けたファイルを置いてください。")]
    HeaderMissing { path: PathBuf },

    #[error("バックアップの説明ファイル {path} を読めません（{detail}）。")]
    HeaderInvalid { path: PathBuf, detail: String },

    #[error("バックアップ {path} は作成時から変わっています（SHA-256 が説明ファイルと一致しません）。壊れたか書き換えられたファイルのため使えません。")]
    Tampered { path: PathBuf },

    #[error("バックアップ {path} をこの鍵で開けません。パスフレーズが違うか、別のPC・別の利用者の鍵で作られたバックアップです。")]
    WrongKey { path: PathBuf },

    #[error(
        "データベース {path} の検査で問題が見つかりました（{detail}）。このファイルは使えません。"
    )]
    Damaged { path: PathBuf, detail: String },

    #[error("データベース {path} は使用中です。共済デスク（このプロファイル）を終了してから、もう一度実行してください。")]
    InUse { path: PathBuf },

    #[error("今のデータベース {path} を、このプロファイルの鍵で開けません。復元の前に共済デスクを起動し、「新しく始める」で読めないファイルを別名で保管してください。")]
    DestinationKeyMismatch { path: PathBuf },

    #[error(
        "ファイル {path} を読み書きできません（{source}）。空き容量と権限を確認してください。"
    )]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("パスフレーズから鍵を作れません（{detail}）。")]
    Kdf { detail: String },

    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for BackupError {
    fn from(e: rusqlite::Error) -> Self {
        BackupError::Store(StoreError::Sqlite(e))
    }
}

impl BackupError {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            BackupError::DestinationExists { .. } => "backup.destination_exists",
            BackupError::PassphraseTooShort { .. } => "backup.passphrase_too_short",
            BackupError::HeaderMissing { .. } => "backup.header_missing",
            BackupError::HeaderInvalid { .. } => "backup.header_invalid",
            BackupError::Tampered { .. } => "backup.tampered",
            BackupError::WrongKey { .. } => "backup.wrong_key",
            BackupError::Damaged { .. } => "backup.damaged",
            BackupError::InUse { .. } => "backup.database_in_use",
            BackupError::DestinationKeyMismatch { .. } => "backup.destination_key_mismatch",
            BackupError::Io { .. } => "backup.io",
            BackupError::Kdf { .. } => "backup.kdf",
            BackupError::Store(e) => e.code(),
        }
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The argon2id parameters of a passphrase (RFC 9106's second recommended setting, one
/// lane: 64 MiB, 3 passes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for KdfParams {
    fn default() -> Self {
        KdfParams {
            memory_kib: 64 * 1024,
            iterations: 3,
            parallelism: 1,
        }
    }
}

impl KdfParams {
    /// Bounds a header must respect: a changed header must not make the restore take
    /// gigabytes or hours.
    fn check(&self) -> Result<(), String> {
        if !(8 * 1024..=1024 * 1024).contains(&self.memory_kib)
            || !(1..=64).contains(&self.iterations)
            || !(1..=16).contains(&self.parallelism)
        {
            return Err(format!("KDF の設定が範囲外です（{self:?}）"));
        }
        Ok(())
    }
}

/// How a backup is keyed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keying {
    /// With the PC user's own database key (from the OS credential store).
    DatabaseKey,
    /// With a key derived from a passphrase by argon2id with these parameters and salt.
    Passphrase { params: KdfParams, salt: Vec<u8> },
}

/// `<backup>.json`. For example:
///
/// ```json
/// {"format":"kyosai-db-backup","formatVersion":1,"createdAt":"2026-11-26T01:02:03.000Z",
///  "appVersion":"0.1.0","schemaVersion":3,"keying":"passphrase",
///  "kdf":{"algorithm":"argon2id","version":19,"memoryKib":65536,"iterations":3,
///         "parallelism":1,"salt":"<32 hex>"},
///  "pageCount":1843,"sizeBytes":7548928,"sha256":"<64 hex>"}
/// ```
///
/// `keying` is `"databaseKey"` (then `kdf` is `null`) or `"passphrase"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupHeader {
    pub created_at: String,
    pub app_version: String,
    pub schema_version: u32,
    pub keying: Keying,
    pub page_count: u64,
    pub size_bytes: u64,
    /// SHA-256 of the backup file, lower-case hex.
    pub sha256: String,
}

impl BackupHeader {
    /// The header as written beside the backup.
    pub fn to_json(&self) -> Value {
        let (keying, kdf) = match &self.keying {
            Keying::DatabaseKey => ("databaseKey", Value::Null),
            Keying::Passphrase { params, salt } => (
                "passphrase",
                json!({
                    "algorithm": "argon2id",
                    "version": 19,
                    "memoryKib": params.memory_kib,
                    "iterations": params.iterations,
                    "parallelism": params.parallelism,
                    "salt": hex(salt),
                }),
            ),
        };
        json!({
            "format": BACKUP_FORMAT,
            "formatVersion": BACKUP_FORMAT_VERSION,
            "createdAt": self.created_at,
            "appVersion": self.app_version,
            "schemaVersion": self.schema_version,
            "keying": keying,
            "kdf": kdf,
            "pageCount": self.page_count,
            "sizeBytes": self.size_bytes,
            "sha256": self.sha256,
        })
    }

    /// The header from its JSON (see [`BackupHeader::to_json`]).
    pub fn from_json(v: &Value) -> Result<BackupHeader, String> {
        let text = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| format!("{k} がありません"))
        };
        let num = |o: &Value, k: &str| {
            o.get(k)
                .and_then(Value::as_u64)
                .ok_or_else(|| format!("{k} がありません"))
        };
        let small = |o: &Value, k: &str| {
            num(o, k).and_then(|n| u32::try_from(n).map_err(|_| format!("{k} が大きすぎます")))
        };
        if text("format")? != BACKUP_FORMAT {
            return Err("共済デスクのバックアップではありません".into());
        }
        if num(v, "formatVersion")? != BACKUP_FORMAT_VERSION {
            return Err("この版が知らない形式のバックアップです".into());
        }
        let keying = match text("keying")?.as_str() {
            "databaseKey" => Keying::DatabaseKey,
            "passphrase" => {
                let kdf = v.get("kdf").ok_or("kdf がありません")?;
                if kdf.get("algorithm").and_then(Value::as_str) != Some("argon2id")
                    || num(kdf, "version")? != 19
                {
                    return Err("この版が知らない鍵導出です".into());
                }
                let params = KdfParams {
                    memory_kib: small(kdf, "memoryKib")?,
                    iterations: small(kdf, "iterations")?,
                    parallelism: small(kdf, "parallelism")?,
                };
                params.check()?;
                let salt = kdf
                    .get("salt")
                    .and_then(Value::as_str)
                    .and_then(unhex)
                    .filter(|s| s.len() == SALT_BYTES)
                    .ok_or("salt の形式が正しくありません")?;
                Keying::Passphrase { params, salt }
            }
            other => return Err(format!("keying「{other}」を知りません")),
        };
        let sha256 = text("sha256")?;
        if sha256.len() != 64 || unhex(&sha256).is_none() {
            return Err("sha256 の形式が正しくありません".into());
        }
        Ok(BackupHeader {
            created_at: text("createdAt")?,
            app_version: text("appVersion")?,
            schema_version: small(v, "schemaVersion")?,
            keying,
            page_count: num(v, "pageCount")?,
            size_bytes: num(v, "sizeBytes")?,
            sha256: sha256.to_ascii_lowercase(),
        })
    }

    /// Reads the header beside `backup`.
    pub fn read(backup: &Path) -> Result<BackupHeader, BackupError> {
        let path = header_path(backup);
        let file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(BackupError::HeaderMissing { path })
            }
            Err(e) => return Err(io(&path)(e)),
        };
        let mut bytes = Vec::new();
        file.take(MAX_HEADER_BYTES)
            .read_to_end(&mut bytes)
            .map_err(io(&path))?;
        let invalid = |detail: String| BackupError::HeaderInvalid {
            path: path.clone(),
            detail,
        };
        let v: Value = serde_json::from_slice(&bytes).map_err(|e| invalid(e.to_string()))?;
        BackupHeader::from_json(&v).map_err(invalid)
    }
}

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    /// The backup file.
    pub path: PathBuf,
    /// Its header, `<backup>.json`.
    pub header_path: PathBuf,
    pub header: BackupHeader,
    pub elapsed_ms: u64,
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreSummary {
    /// The database now in place.
    pub database: PathBuf,
    /// Where the database it replaced was kept (`None` when there was none).
    pub previous: Option<PathBuf>,
    pub schema_version: u32,
    pub page_count: u64,
    pub size_bytes: u64,
}

/// The key of a passphrase backup: argon2id of `passphrase` with the header's parameters
/// and salt. For a new backup, [`backup_with_passphrase`] chooses them.
pub fn passphrase_key(
    passphrase: &str,
    params: &KdfParams,
    salt: &[u8],
) -> Result<DbKey, BackupError> {
    let kdf_err = |detail: String| BackupError::Kdf { detail };
    params.check().map_err(kdf_err)?;
    let p = Params::new(
        params.memory_kib,
        params.iterations,
        params.parallelism,
        Some(crate::DB_KEY_BYTES),
    )
    .map_err(|e| kdf_err(e.to_string()))?;
    let mut out = Zeroizing::new([0u8; crate::DB_KEY_BYTES]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, p)
        .hash_password_into(passphrase.as_bytes(), salt, out.as_mut())
        .map_err(|e| kdf_err(e.to_string()))?;
    DbKey::from_hex(&Zeroizing::new(hex(out.as_ref()))).map_err(|e| kdf_err(e.to_string()))
}

/// Backs `src` up into a new file at `dest_path`, keyed with `dest_key` (the PC user's
/// own database key: see the module docs). `progress(done, total)` is called after
/// every step, in pages. The header `<dest_path>.json` says `"keying": "databaseKey"`.
pub fn backup_to(
    src: &Store,
    dest_path: &Path,
    dest_key: &DbKey,
    progress: impl FnMut(u64, u64),
) -> Result<BackupSummary, BackupError> {
    run_backup(src, dest_path, dest_key, Keying::DatabaseKey, progress)
}

/// Backs `src` up into a new file at `dest_path`, keyed with a key derived from
/// `passphrase` (at least [`MIN_PASSPHRASE_CHARS`] characters) by argon2id with `params`
/// and a fresh random salt, both recorded in the header.
pub fn backup_with_passphrase(
    src: &Store,
    dest_path: &Path,
    passphrase: &str,
    params: KdfParams,
    progress: impl FnMut(u64, u64),
) -> Result<BackupSummary, BackupError> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(BackupError::PassphraseTooShort {
            min: MIN_PASSPHRASE_CHARS,
        });
    }
    let mut salt = vec![0u8; SALT_BYTES];
    getrandom::fill(&mut salt).map_err(|e| StoreError::Random {
        detail: e.to_string(),
    })?;
    let key = passphrase_key(passphrase, &params, &salt)?;
    run_backup(
        src,
        dest_path,
        &key,
        Keying::Passphrase { params, salt },
        progress,
    )
}

/// Removes its file when dropped, unless disarmed.
struct Cleanup(Option<PathBuf>);

impl Cleanup {
    fn disarm(&mut self) {
        self.0 = None;
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            for q in [
                sibling(&p, "-journal"),
                sibling(&p, "-wal"),
                sibling(&p, "-shm"),
                p,
            ] {
                let _ = std::fs::remove_file(q);
            }
        }
    }
}

fn run_backup(
    src: &Store,
    dest_path: &Path,
    dest_key: &DbKey,
    keying: Keying,
    mut progress: impl FnMut(u64, u64),
) -> Result<BackupSummary, BackupError> {
    let started = Instant::now();
    let head_path = header_path(dest_path);
    for p in [dest_path, head_path.as_path()] {
        if p.exists() {
            return Err(BackupError::DestinationExists {
                path: p.to_path_buf(),
            });
        }
    }
    if let Some(parent) = dest_path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    // A name of our own for the copy in progress: a crash leaves it, never a half
    // backup under the chosen name.
    let partial = sibling(
        dest_path,
        &format!(".partial-{}", uuid::Uuid::new_v4().simple()),
    );
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&partial)
        .map_err(io(&partial))?;
    let mut cleanup = Cleanup(Some(partial.clone()));

    let schema_version = {
        let mut dest = Connection::open(&partial).map_err(|e| StoreError::open(&partial, e))?;
        apply_key(&dest, dest_key)?;
        copy_snapshot(&src.conn, &mut dest, &mut progress)?
    };
    let report = finish_copy(&partial, dest_key)?;
    if report.schema_version != schema_version {
        return Err(BackupError::Damaged {
            path: partial,
            detail: "コピーのスキーマの版が元と一致しません".into(),
        });
    }
    fsync(&partial)?;
    let (sha256, size_bytes) = hash_file(&partial)?;
    let header = BackupHeader {
        created_at: crate::now_rfc3339(),
        app_version: env!("CARGO_PKG_VERSION").to_string(),
        schema_version,
        keying,
        page_count: report.page_count,
        size_bytes,
        sha256,
    };
    write_new(&head_path, header.to_json().to_string().as_bytes())?;
    if let Err(e) = publish(&partial, dest_path) {
        let _ = std::fs::remove_file(&head_path);
        return Err(e);
    }
    cleanup.disarm();
    sync_dir(dest_path);
    let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    tracing::info!(
        pages = header.page_count,
        bytes = header.size_bytes,
        elapsed_ms,
        "local database backed up"
    );
    Ok(BackupSummary {
        path: dest_path.to_path_buf(),
        header_path: head_path,
        header,
        elapsed_ms,
    })
}

/// Copies the database of `src` into `dest` with the online backup API inside one read
/// transaction of `src` (a snapshot in WAL mode), and returns the snapshot's schema
/// version.
fn copy_snapshot(
    src: &Connection,
    dest: &mut Connection,
    progress: &mut impl FnMut(u64, u64),
) -> Result<u32, BackupError> {
    // A connection already inside a transaction has its snapshot; ours ends with us.
    let own_transaction = src.is_autocommit();
    if own_transaction {
        src.execute_batch("BEGIN DEFERRED")?;
    }
    let copied = (|| -> Result<u32, BackupError> {
        // The first read starts the snapshot; the version is read inside it.
        let version: u32 = src.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let backup = Backup::new(src, dest)?;
        let mut busy = 0;
        loop {
            match backup.step(PAGES_PER_STEP)? {
                StepResult::Done => break,
                StepResult::More => {
                    busy = 0;
                    let p = backup.progress();
                    let total = u64::try_from(p.pagecount).unwrap_or(0);
                    let left = u64::try_from(p.remaining).unwrap_or(0);
                    progress(total.saturating_sub(left), total);
                }
                _ => {
                    busy += 1;
                    if busy > MAX_BUSY_STEPS {
                        return Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(
                            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                            Some("backup destination busy".into()),
                        ))
                        .into());
                    }
                }
            }
            std::thread::sleep(STEP_PAUSE);
        }
        let total = u64::try_from(backup.progress().pagecount).unwrap_or(0);
        progress(total, total);
        Ok(version)
    })();
    if own_transaction {
        // A read transaction: nothing to keep or lose, only the snapshot to let go.
        if let Err(e) = src.execute_batch("COMMIT") {
            tracing::warn!(error = %e, "backup read transaction not closed");
        }
    }
    copied
}

/// Reopens a fresh copy with its key, makes it one self-contained file (rollback
/// journal, no `-wal`), and checks it.
fn finish_copy(path: &Path, key: &DbKey) -> Result<crate::IntegrityReport, BackupError> {
    let conn = Connection::open(path).map_err(|e| StoreError::open(path, e))?;
    apply_key(&conn, key)?;
    check_key(&conn, path)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("delete") {
        return Err(BackupError::Damaged {
            path: path.to_path_buf(),
            detail: format!("ジャーナルを切り替えられません（{mode}）"),
        });
    }
    let report = crate::diagnostics::integrity_check(&conn)?;
    if !report.ok {
        return Err(BackupError::Damaged {
            path: path.to_path_buf(),
            detail: report.messages.join(" / "),
        });
    }
    Ok(report)
}

/// Puts `partial` at `dest` without ever replacing a file that appeared there meanwhile:
/// a hard link fails on an existing name. File systems without hard links (FAT on a USB
/// stick) get a rename after a last look.
fn publish(partial: &Path, dest: &Path) -> Result<(), BackupError> {
    match std::fs::hard_link(partial, dest) {
        Ok(()) => std::fs::remove_file(partial).map_err(io(partial)),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(BackupError::DestinationExists {
                path: dest.to_path_buf(),
            })
        }
        Err(_) => {
            if dest.exists() {
                return Err(BackupError::DestinationExists {
                    path: dest.to_path_buf(),
                });
            }
            std::fs::rename(partial, dest).map_err(io(dest))
        }
    }
}

fn write_new(path: &Path, bytes: &[u8]) -> Result<(), BackupError> {
    let mut f = match OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(BackupError::DestinationExists {
                path: path.to_path_buf(),
            })
        }
        Err(e) => return Err(io(path)(e)),
    };
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(io(path))
}

fn fsync(path: &Path) -> Result<(), BackupError> {
    File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(io(path))
}

fn hash_file(path: &Path) -> Result<(String, u64), BackupError> {
    let mut f = File::open(path).map_err(io(path))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(io(path))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((hex(&hasher.finalize()), size))
}

/// Replaces the database at `dest_db_path` with the backup at `backup_path` (opened with
/// `backup_key`), re-keyed with `dest_key`. See the module docs for the checks and what
/// is kept.
pub fn restore_from(
    backup_path: &Path,
    backup_key: &DbKey,
    dest_db_path: &Path,
    dest_key: &DbKey,
) -> Result<RestoreSummary, BackupError> {
    let header = BackupHeader::read(backup_path)?;
    let (sha256, _) = hash_file(backup_path)?;
    if sha256 != header.sha256 {
        return Err(BackupError::Tampered {
            path: backup_path.to_path_buf(),
        });
    }
    let src = open_backup(backup_path, backup_key)?;
    let version: u32 = src.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > LATEST_SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            found: version,
            supported: LATEST_SCHEMA_VERSION,
        }
        .into());
    }
    crate::prepare_folder(dest_db_path)?;

    // Held until the new file is in place: nobody opens the old one meanwhile.
    let lock = lock_current(dest_db_path, dest_key)?;

    let tmp = sibling(dest_db_path, ".restoring");
    for p in [
        tmp.clone(),
        sibling(&tmp, "-journal"),
        sibling(&tmp, "-wal"),
        sibling(&tmp, "-shm"),
    ] {
        remove_if_exists(&p)?;
    }
    let mut cleanup = Cleanup(Some(tmp.clone()));
    {
        let mut t = Connection::open(&tmp).map_err(|e| StoreError::open(&tmp, e))?;
        apply_key(&t, dest_key)?;
        copy_snapshot(&src, &mut t, &mut |_, _| {})?;
    }
    drop(src);
    let report = finish_copy(&tmp, dest_key)?;
    if report.schema_version != version {
        return Err(BackupError::Damaged {
            path: tmp,
            detail: "コピーのスキーマの版がバックアップと一致しません".into(),
        });
    }
    fsync(&tmp)?;

    let previous = match lock {
        Some(lock) => {
            let before = free_name(
                dest_db_path,
                &format!(
                    ".before-restore-{}",
                    chrono::Utc::now().format("%Y%m%d-%H%M%SZ")
                ),
            );
            // Windows cannot rename a file that is open; elsewhere the lock stays on
            // until the old file has its new name.
            #[cfg(windows)]
            drop(lock);
            std::fs::rename(dest_db_path, &before).map_err(io(dest_db_path))?;
            if let Err(e) = std::fs::rename(&tmp, dest_db_path) {
                let _ = std::fs::rename(&before, dest_db_path);
                return Err(io(dest_db_path)(e));
            }
            #[cfg(not(windows))]
            drop(lock);
            let summary = sibling(dest_db_path, crate::sidecar::SUFFIX);
            if summary.exists() {
                // It describes the old file's unsent work; the app writes a new one for
                // the restored file when it opens it.
                let _ = std::fs::rename(&summary, sibling(&before, crate::sidecar::SUFFIX));
            }
            Some(before)
        }
        None => {
            std::fs::rename(&tmp, dest_db_path).map_err(io(dest_db_path))?;
            None
        }
    };
    cleanup.disarm();
    sync_dir(dest_db_path);
    tracing::warn!(
        pages = report.page_count,
        version,
        kept = ?previous,
        "local database restored from a backup"
    );
    Ok(RestoreSummary {
        database: dest_db_path.to_path_buf(),
        previous,
        schema_version: version,
        page_count: report.page_count,
        size_bytes: report.size_bytes,
    })
}

/// Opens a backup read-only with `key` and checks it.
fn open_backup(path: &Path, key: &DbKey) -> Result<Connection, BackupError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| StoreError::open(path, e))?;
    apply_key(&conn, key)?;
    match check_key(&conn, path) {
        Err(StoreError::KeyMismatch { .. }) => {
            return Err(BackupError::WrongKey {
                path: path.to_path_buf(),
            })
        }
        other => other?,
    }
    let report = crate::diagnostics::integrity_check(&conn)?;
    if !report.ok {
        return Err(BackupError::Damaged {
            path: path.to_path_buf(),
            detail: report.messages.join(" / "),
        });
    }
    Ok(conn)
}

/// Takes the current database away from everyone else, or says it is in use. `None`
/// when there is no database yet.
fn lock_current(path: &Path, key: &DbKey) -> Result<Option<Connection>, BackupError> {
    let kind = crate::file_kind(path).map_err(io(path))?;
    if matches!(kind, crate::FileKind::Missing | crate::FileKind::Empty) {
        if kind == crate::FileKind::Empty {
            // SQLite made it and never wrote: nothing to keep.
            remove_if_exists(path)?;
        }
        return Ok(None);
    }
    let conn = Connection::open(path).map_err(|e| StoreError::open(path, e))?;
    conn.busy_timeout(Duration::ZERO)?;
    let in_use = || BackupError::InUse {
        path: path.to_path_buf(),
    };
    let busy = |e: &rusqlite::Error| {
        matches!(e, rusqlite::Error::SqliteFailure(f, _)
            if matches!(f.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
    };
    apply_key(&conn, key)?;
    match check_key(&conn, path) {
        Ok(()) => {}
        Err(StoreError::KeyMismatch { .. }) => {
            return Err(BackupError::DestinationKeyMismatch {
                path: path.to_path_buf(),
            })
        }
        Err(StoreError::Open { source, .. }) if busy(&source) => return Err(in_use()),
        Err(e) => return Err(e.into()),
    }
    // Every connection to a WAL database keeps a shared lock on it while open, and
    // leaving WAL needs the exclusive lock: this fails as long as anyone else has the
    // file open. When it succeeds the `-wal` is folded into the file.
    match conn.query_row("PRAGMA journal_mode = DELETE", [], |r| {
        r.get::<_, String>(0)
    }) {
        Ok(mode) if mode.eq_ignore_ascii_case("delete") => {}
        Ok(_) => return Err(in_use()),
        Err(e) if busy(&e) => return Err(in_use()),
        Err(e) => return Err(e.into()),
    }
    match conn.execute_batch("BEGIN EXCLUSIVE") {
        Ok(()) => Ok(Some(conn)),
        Err(e) if busy(&e) => Err(in_use()),
        Err(e) => Err(e.into()),
    }
}

/// `<db><tag>`, or `<db><tag>-1`, `-2`… if taken.
fn free_name(db: &Path, tag: &str) -> PathBuf {
    let mut n = 0;
    loop {
        let candidate = if n == 0 {
            sibling(db, tag)
        } else {
            sibling(db, &format!("{tag}-{n}"))
        };
        if !candidate.exists() {
            return candidate;
        }
        n += 1;
    }
}

fn remove_if_exists(path: &Path) -> Result<(), BackupError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(path)(e)),
        _ => Ok(()),
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    s.as_bytes()
        .chunks_exact(2)
        .map(|p| {
            let d = |c: u8| char::from(c).to_digit(16);
            u8::try_from(d(p[0])? * 16 + d(p[1])?).ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn header(keying: Keying) -> BackupHeader {
        BackupHeader {
            created_at: "2026-11-26T01:02:03.000Z".into(),
            app_version: "0.1.0".into(),
            schema_version: 3,
            keying,
            page_count: 12,
            size_bytes: 49152,
            sha256: "ab".repeat(32),
        }
    }

    #[test]
    fn the_header_round_trips_and_holds_no_key() {
        let h = header(Keying::Passphrase {
            params: KdfParams::default(),
            salt: vec![7; SALT_BYTES],
        });
        let v = h.to_json();
        assert_eq!(
            v,
            json!({"format":"kyosai-db-backup","formatVersion":1,
                "createdAt":"2026-11-26T01:02:03.000Z","appVersion":"0.1.0","schemaVersion":3,
                "keying":"passphrase",
                "kdf":{"algorithm":"argon2id","version":19,"memoryKib":65536,"iterations":3,
                       "parallelism":1,"salt":"07".repeat(16)},
                "pageCount":12,"sizeBytes":49152,"sha256":"ab".repeat(32)})
        );
        assert_eq!(BackupHeader::from_json(&v).unwrap(), h);
        let plain = header(Keying::DatabaseKey);
        assert_eq!(plain.to_json()["kdf"], Value::Null);
        assert_eq!(BackupHeader::from_json(&plain.to_json()).unwrap(), plain);
    }

    #[test]
    fn a_header_that_would_cost_gigabytes_or_is_foreign_is_refused() {
        let mut v = header(Keying::Passphrase {
            params: KdfParams::default(),
            salt: vec![7; SALT_BYTES],
        })
        .to_json();
        v["kdf"]["memoryKib"] = json!(64 * 1024 * 1024);
        assert!(BackupHeader::from_json(&v).is_err());
        let mut v = header(Keying::DatabaseKey).to_json();
        v["format"] = json!("something-else");
        assert!(BackupHeader::from_json(&v).is_err());
        let mut v = header(Keying::DatabaseKey).to_json();
        v["sha256"] = json!("xyz");
        assert!(BackupHeader::from_json(&v).is_err());
    }

    #[test]
    fn hex_round_trip() {
        assert_eq!(
            unhex(&hex(&[0, 1, 0xab, 0xff])).unwrap(),
            vec![0, 1, 0xab, 0xff]
        );
        assert!(unhex("0g").is_none());
        assert!(unhex("abc").is_none());
    }
}
