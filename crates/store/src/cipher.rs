//! Encryption at rest of the database file (SQLCipher), and what happens to files that
//! cannot be opened.
//!
//! - A database is opened with `PRAGMA key = "x'<64 hex>'"` as the very first statement
//!   (a raw 256-bit key: no passphrase derivation), then read once: a wrong key fails
//!   there with `SQLITE_NOTADB`, which becomes [`StoreError::KeyMismatch`]. SQLCipher's
//!   version-4 defaults are kept (AES-256 with an HMAC-SHA512 per page, 4 KiB pages).
//!   `cipher_memory_security` stays at its default (off): it wipes every freed buffer
//!   and locks memory, which SQLCipher documents as a large cost, and the key itself is
//!   wiped by [`DbKey`] on our side.
//! - A plain database from an earlier version is encrypted in place: exported with
//!   `sqlcipher_export` into `<db>.encrypting`, checked (schema version and the row
//!   count of every table), fsynced, swapped in by a rename, and the old plain file is
//!   overwritten with zeros through a hard link before it is removed. A crash at any
//!   point leaves either the plain file (encrypted again at the next start) or the
//!   encrypted one; [`recover_leftovers`] finishes or undoes the rest.
//! - A database that cannot be opened with the key is never deleted: [`set_aside`]
//!   renames it (and its `-wal`, `-shm`, unsent-work summary and vault folder) with a
//!   time stamp, so IT can still open it if the key turns up.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};
use zeroize::Zeroizing;

use crate::key::DbKey;
use crate::StoreError;

/// The first 16 bytes of every plain SQLite file. SQLCipher's files start with a random
/// salt instead.
pub const PLAIN_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// What a database path holds, judged by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// No file.
    Missing,
    /// A file of length 0 (SQLite creates one before the first write).
    Empty,
    /// A plain SQLite database (an earlier version of the app, or a copy).
    Plain,
    /// Anything else: an encrypted database, or a damaged file.
    Encrypted,
}

/// Reads the header of `path`.
pub fn file_kind(path: &Path) -> std::io::Result<FileKind> {
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileKind::Missing),
        Err(e) => return Err(e),
    };
    let mut head = [0u8; 16];
    let mut read = 0;
    while read < head.len() {
        match file.read(&mut head[read..])? {
            0 => break,
            n => read += n,
        }
    }
    Ok(match read {
        0 => FileKind::Empty,
        16 if &head == PLAIN_HEADER => FileKind::Plain,
        _ => FileKind::Encrypted,
    })
}

/// `<db><suffix>` beside the database (`kyosai.sqlite3` + `-wal` = `kyosai.sqlite3-wal`).
pub(crate) fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Waits, once per process, until SQLCipher has finished starting.
///
/// SQLite marks itself initialised before it runs SQLCipher's start-up (that runs outside
/// SQLite's init mutex), so a thread keying a connection while another thread's first
/// open is still starting SQLCipher gets "An error occurred with PRAGMA key or rekey".
/// The first caller here keys a throwaway in-memory connection (its open starts SQLite
/// and SQLCipher in this thread) and retries for up to two seconds if another thread got
/// there first; everyone else waits for it. If SQLCipher never becomes ready, keying
/// fails later with SQLite's own message.
pub(crate) fn ensure_ready() {
    static READY: std::sync::Once = std::sync::Once::new();
    READY.call_once(|| {
        let probe = || -> rusqlite::Result<()> {
            Connection::open_in_memory()?.execute_batch("PRAGMA key = 'kyosai-probe';")
        };
        for _ in 0..400 {
            if probe().is_ok() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        tracing::error!("SQLCipher did not finish starting within 2 seconds");
    });
}

/// Keys `conn` (the first statement on it) and checks that this SQLite is SQLCipher: a
/// plain SQLite would ignore the key and write the data in clear.
pub(crate) fn apply_key(conn: &Connection, key: &DbKey) -> Result<(), StoreError> {
    ensure_ready();
    let pragma = Zeroizing::new(format!("PRAGMA key = \"{}\";", key.sql_literal().as_str()));
    conn.execute_batch(&pragma)?;
    let version: Option<String> = conn
        .query_row("PRAGMA cipher_version", [], |r| r.get(0))
        .optional()?;
    if version.is_none_or(|v| v.is_empty()) {
        return Err(StoreError::NoCipher);
    }
    Ok(())
}

/// Reads the schema once: this is where a wrong key shows.
pub(crate) fn check_key(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    }) {
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::NotADatabase =>
        {
            Err(StoreError::KeyMismatch {
                path: path.to_path_buf(),
            })
        }
        Err(e) => Err(StoreError::open(path, e)),
    }
}

fn encrypt_error(path: &Path, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Encrypt {
        path: path.to_path_buf(),
        detail: detail.to_string(),
    }
}

/// The row count of every table, to check an exported copy against its original.
fn table_counts(conn: &Connection) -> rusqlite::Result<Vec<(String, i64)>> {
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    names
        .into_iter()
        .map(|name| {
            let quoted = name.replace('"', "\"\"");
            let n = conn.query_row(&format!("SELECT count(*) FROM \"{quoted}\""), [], |r| {
                r.get(0)
            })?;
            Ok((name, n))
        })
        .collect()
}

/// Encrypts the plain database at `path` with `key`, in place (see the module docs).
pub(crate) fn encrypt_in_place(path: &Path, key: &DbKey) -> Result<(), StoreError> {
    ensure_ready();
    let tmp = sibling(path, ".encrypting");
    let wipe = sibling(path, ".plain-wipe");
    remove_if_exists(&tmp).map_err(|e| encrypt_error(path, e))?;
    let tmp_text = tmp
        .to_str()
        .ok_or_else(|| encrypt_error(path, "パスに使えない文字があります"))?
        .to_string();

    let plain = Connection::open(path).map_err(|e| StoreError::open(path, e))?;
    plain.busy_timeout(std::time::Duration::from_secs(5))?;
    // Everything into the main file first; a busy answer means another process has it
    // open, and the copy could miss its latest writes.
    let busy: i64 = plain.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
    if busy != 0 {
        return Err(encrypt_error(
            path,
            "ほかの共済デスクが同じデータベースを開いています",
        ));
    }
    let version: u32 = plain.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let before = table_counts(&plain)?;
    let literal = key.sql_literal();
    let exported = (|| -> rusqlite::Result<()> {
        plain.execute(
            "ATTACH DATABASE ?1 AS encrypted KEY ?2",
            params![tmp_text, literal.as_str()],
        )?;
        plain.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
        plain.execute_batch(&format!("PRAGMA encrypted.user_version = {version};"))?;
        plain.execute_batch("DETACH DATABASE encrypted;")
    })();
    drop(plain);
    if let Err(e) = exported {
        let _ = remove_if_exists(&tmp);
        return Err(encrypt_error(path, e));
    }

    // The copy must open with the key and hold the same rows before it replaces anything.
    let verified = (|| -> Result<(), StoreError> {
        let conn = Connection::open(&tmp).map_err(|e| StoreError::open(&tmp, e))?;
        apply_key(&conn, key)?;
        check_key(&conn, &tmp)?;
        let v: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let after = table_counts(&conn)?;
        if v != version || after != before {
            return Err(encrypt_error(
                path,
                "暗号化したコピーの内容が元と一致しません",
            ));
        }
        Ok(())
    })();
    if let Err(e) = verified {
        let _ = remove_if_exists(&tmp);
        return Err(e);
    }
    File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| encrypt_error(path, e))?;

    // A second name for the plain file, to wipe its blocks once the encrypted copy is in
    // place (after the rename, `path` no longer reaches them). Without hard links the
    // plain file is only unlinked.
    let _ = remove_if_exists(&wipe);
    let linked = std::fs::hard_link(path, &wipe).is_ok();
    std::fs::rename(&tmp, path).map_err(|e| encrypt_error(path, e))?;
    sync_dir(path);
    for suffix in ["-wal", "-shm", "-journal"] {
        let _ = remove_if_exists(&sibling(path, suffix));
    }
    if linked {
        if let Err(e) = wipe_file(&wipe) {
            tracing::warn!(error = %e, "plain copy not wiped; removed only");
            let _ = remove_if_exists(&wipe);
        }
    }
    sync_dir(path);
    tracing::info!(version, "plain local database encrypted in place");
    Ok(())
}

/// Finishes or undoes an encryption that a crash interrupted.
pub(crate) fn recover_leftovers(path: &Path) -> Result<(), StoreError> {
    let tmp = sibling(path, ".encrypting");
    let wipe = sibling(path, ".plain-wipe");
    let io = |e: std::io::Error| encrypt_error(path, e);
    // Never swapped in: the original at `path` is still the database.
    remove_if_exists(&tmp).map_err(io)?;
    if wipe.exists() {
        match file_kind(path).map_err(io)? {
            // The link is a second name of the database itself: only the name goes.
            FileKind::Plain => remove_if_exists(&wipe).map_err(io)?,
            // The encrypted copy is in place: the link holds the old plain file.
            FileKind::Encrypted => {
                tracing::info!("wiping the plain copy an interrupted encryption left");
                wipe_file(&wipe).map_err(io)?;
            }
            // Nothing at `path` (removed by hand): the link is the only copy; put it back.
            FileKind::Missing | FileKind::Empty => std::fs::rename(&wipe, path).map_err(io)?,
        }
    }
    Ok(())
}

/// Overwrites `path` with zeros, flushes it to disk and removes it. On SSDs and
/// copy-on-write file systems the old blocks may survive elsewhere: the IT guide asks
/// for full-disk encryption (BitLocker) as well.
fn wipe_file(path: &Path) -> std::io::Result<()> {
    {
        let mut f = OpenOptions::new().write(true).open(path)?;
        let len = f.metadata()?.len();
        let zeros = vec![0u8; 64 * 1024];
        let mut left = len;
        while left > 0 {
            let n = usize::try_from(left.min(zeros.len() as u64)).unwrap_or(zeros.len());
            f.write_all(&zeros[..n])?;
            left -= n as u64;
        }
        f.sync_all()?;
    }
    std::fs::remove_file(path)
}

fn remove_if_exists(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Makes renames in the database's folder durable (POSIX; Windows' rename is durable
/// through its own journal and has no directory handle to flush).
pub(crate) fn sync_dir(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        if let Err(e) = File::open(dir).and_then(|d| d.sync_all()) {
            tracing::warn!(error = %e, "data folder not synced");
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// Where [`set_aside`] moved the files of an unreadable database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAside {
    /// The database file under its new name.
    pub database: PathBuf,
    /// Every file or folder moved, the database first.
    pub moved: Vec<PathBuf>,
}

/// Renames the database at `path` and what belongs to it to
/// `<db>.unreadable-<stamp>[-n]…` (its `-wal` and `-shm` keep SQLite's naming so the
/// set-aside file still opens with its key; the unsent-work summary and the vault
/// folder move along). Nothing is deleted.
pub fn set_aside(path: &Path, stamp: &str) -> Result<SetAside, StoreError> {
    let err = |p: &Path, source| StoreError::SetAside {
        path: p.to_path_buf(),
        source,
    };
    let vault = crate::vault::dir_for(path);
    let mut n = 0;
    let tag = loop {
        let tag = if n == 0 {
            format!(".unreadable-{stamp}")
        } else {
            format!(".unreadable-{stamp}-{n}")
        };
        if !sibling(path, &tag).exists() && !sibling(&vault, &tag).exists() {
            break tag;
        }
        n += 1;
    };
    let base = sibling(path, &tag);
    let mut moved = Vec::new();
    let mut pairs: Vec<(PathBuf, PathBuf)> = vec![(path.to_path_buf(), base.clone())];
    for suffix in ["-wal", "-shm", "-journal", crate::sidecar::SUFFIX] {
        pairs.push((sibling(path, suffix), sibling(&base, suffix)));
    }
    pairs.push((vault.clone(), sibling(&vault, &tag)));
    for (from, to) in pairs {
        if from.exists() {
            std::fs::rename(&from, &to).map_err(|e| err(&from, e))?;
            moved.push(to);
        }
    }
    sync_dir(path);
    tracing::warn!(moved = moved.len(), "unreadable local database set aside");
    Ok(SetAside {
        database: base,
        moved,
    })
}
