//! `kyosai db backup` and `kyosai db restore`: online backup of a profile's encrypted
//! database, and its restore (`kyosai_store::backup` does the work).
//!
//! The profile's folder is found as the app finds it: `--data-dir`, else
//! `KYOSAI_DATA_DIR`, else the app's local data folder (`%LOCALAPPDATA%\jp.kyosai.desk`,
//! `~/.local/share/jp.kyosai.desk`, `~/Library/Application Support/jp.kyosai.desk`), then
//! `profiles/NAME/kyosai.sqlite3`. The database key comes from the user's OS credential
//! store (service `jp.kyosai.desk`, account `NAME/#db-key`), as the app reads it, so the
//! command runs as the Windows user who uses the profile.
//!
//! Output: one JSON document on standard output (`{"backup": …}` / `{"restored": …}`),
//! progress on standard error. Exit 1 with `{"error": {"code", "message"}}` when the
//! backup or restore was refused (destination exists, wrong passphrase, changed file,
//! database in use …); exit 2 when it could not start (profile, database, credential
//! store, passphrase variable).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use kyosai_app::local_db::key_account;
use kyosai_store::backup::{
    backup_to, backup_with_passphrase, passphrase_key, restore_from, BackupError, BackupHeader,
    KdfParams, Keying,
};
use kyosai_store::{file_kind, DbKey, FileKind, Store};
use kyosai_sync_client::{KeyringSecretStore, SecretStore};
use serde_json::json;

use crate::{error_json, Output};

/// The app's identifier (`tauri.conf.json`): the name of its data folder.
const APP_IDENTIFIER: &str = "jp.kyosai.desk";

/// Why the command could not start (exit 2): the message goes to standard error.
#[derive(Debug)]
pub struct Unreadable(pub String);

/// Which profile, and where its data tree is.
#[derive(Debug)]
pub struct Target {
    pub profile: String,
    pub data_dir: Option<PathBuf>,
}

/// `kyosai db backup`.
#[derive(Debug)]
pub struct BackupArgs {
    pub target: Target,
    pub out: PathBuf,
    pub passphrase_env: Option<String>,
}

/// `kyosai db restore`.
#[derive(Debug)]
pub struct RestoreArgs {
    pub target: Target,
    pub file: PathBuf,
    pub passphrase_env: Option<String>,
}

/// Profile names as the app takes them: 1–32 of `a-z 0-9 _ -`, starting with a letter or
/// a digit (they become a folder name).
fn check_profile(name: &str) -> Result<(), Unreadable> {
    let ok = !name.is_empty()
        && name.len() <= 32
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(Unreadable(format!(
            "プロファイル名「{name}」は使えません。半角英小文字・数字・_・- の32文字以内で指定してください。"
        )))
    }
}

/// The app's local data folder on this OS (what Tauri's `app_local_data_dir` answers).
fn default_data_dir() -> Option<PathBuf> {
    let nonempty = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    #[cfg(windows)]
    let base = nonempty("LOCALAPPDATA");
    #[cfg(target_os = "macos")]
    let base = nonempty("HOME").map(|h| h.join("Library/Application Support"));
    #[cfg(not(any(windows, target_os = "macos")))]
    let base = nonempty("XDG_DATA_HOME")
        .filter(|p| p.is_absolute())
        .or_else(|| nonempty("HOME").map(|h| h.join(".local/share")));
    base.map(|b| b.join(APP_IDENTIFIER))
}

/// The database file of the profile.
fn database_of(target: &Target) -> Result<PathBuf, Unreadable> {
    check_profile(&target.profile)?;
    let base = match &target.data_dir {
        Some(d) => d.clone(),
        None => match std::env::var_os("KYOSAI_DATA_DIR") {
            Some(d) if !d.is_empty() => PathBuf::from(d),
            _ => default_data_dir().ok_or_else(|| {
                Unreadable(
                    "データの保存先フォルダが分かりません。--data-dir で指定してください。".into(),
                )
            })?,
        },
    };
    Ok(base
        .join("profiles")
        .join(&target.profile)
        .join("kyosai.sqlite3"))
}

fn kind_of(db: &Path) -> Result<FileKind, Unreadable> {
    file_kind(db).map_err(|e| {
        Unreadable(format!(
            "データベース {} を読めません（{e}）。フォルダの権限を確認してください。",
            db.display()
        ))
    })
}

fn secrets() -> Result<KeyringSecretStore, Unreadable> {
    KeyringSecretStore::detect().ok_or_else(|| {
        Unreadable(
            "このPCではOSの資格情報ストア（Windows の資格情報マネージャー、macOS のキーチェーン、Linux の Secret Service）を使えないため、データベースの鍵を読めません。共済デスクを使っている利用者としてサインインした状態で実行してください。".into(),
        )
    })
}

/// The profile's database key from the credential store, if there is one.
fn stored_key(secrets: &dyn SecretStore, profile: &str) -> Result<Option<DbKey>, Unreadable> {
    let hex = secrets.get(&key_account(profile)).map_err(|e| {
        Unreadable(format!(
            "資格情報ストア（{}）からデータベースの鍵を読めません（{}）。ロックされていないか確認してください。",
            secrets.name(),
            e.message
        ))
    })?;
    match hex {
        None => Ok(None),
        Some(h) => DbKey::from_hex(&h).map(Some).map_err(|_| {
            Unreadable(format!(
                "資格情報ストアにあるプロファイル「{profile}」の鍵の形式が正しくありません。"
            ))
        }),
    }
}

fn passphrase(var: Option<&str>) -> Result<Option<String>, Unreadable> {
    let Some(var) = var else { return Ok(None) };
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Ok(Some(v)),
        _ => Err(Unreadable(format!(
            "環境変数 {var} にパスフレーズがありません。パスフレーズを入れてから実行してください（コマンドラインに直接書かないでください）。"
        ))),
    }
}

fn refused(e: &BackupError) -> Output {
    Output {
        json: error_json(e.code(), &e.to_string()),
        valid: false,
    }
}

/// Progress on standard error, at most once per 10 %.
fn progress_printer() -> impl FnMut(u64, u64) {
    let mut last = None;
    move |done, total| {
        let pct = (done * 100).checked_div(total).unwrap_or(100);
        if last.is_none_or(|l| pct >= l + 10 || (pct == 100 && l != 100)) {
            last = Some(pct);
            let _ = writeln!(
                std::io::stderr(),
                "バックアップ中… {done}/{total} ページ（{pct}%）"
            );
        }
    }
}

fn keying_name(k: &Keying) -> &'static str {
    match k {
        Keying::DatabaseKey => "databaseKey",
        Keying::Passphrase { .. } => "passphrase",
    }
}

/// `kyosai db backup --profile NAME [--data-dir DIR] --out FILE [--passphrase-env VAR]`.
pub fn backup(args: &BackupArgs) -> Result<Output, Unreadable> {
    let db = database_of(&args.target)?;
    let profile = &args.target.profile;
    match kind_of(&db)? {
        FileKind::Encrypted => {}
        FileKind::Missing | FileKind::Empty => {
            return Err(Unreadable(format!(
                "プロファイル「{profile}」のデータベース {} がありません。プロファイル名と --data-dir を確認してください。",
                db.display()
            )))
        }
        FileKind::Plain => {
            return Err(Unreadable(format!(
                "データベース {} はまだ暗号化されていません（以前の版のファイル）。この版の共済デスクを一度起動して暗号化してから、バックアップしてください。",
                db.display()
            )))
        }
    }
    let passphrase = passphrase(args.passphrase_env.as_deref())?;
    let secrets = secrets()?;
    let key = stored_key(&secrets, profile)?.ok_or_else(|| {
        Unreadable(format!(
            "資格情報ストアにプロファイル「{profile}」のデータベースの鍵がありません。共済デスクでこのプロファイルを使っている利用者として実行してください。"
        ))
    })?;
    // A second connection beside the app's, if it runs: WAL lets both work.
    let store = match Store::open_encrypted(&db, &key) {
        Ok(s) => s,
        Err(e) => {
            return Ok(Output {
                json: error_json(e.code(), &e.to_string()),
                valid: false,
            })
        }
    };
    let _ = writeln!(
        std::io::stderr(),
        "{} をバックアップしています（共済デスクは使い続けられます）…",
        db.display()
    );
    let done = match passphrase {
        Some(p) => backup_with_passphrase(
            &store,
            &args.out,
            &p,
            KdfParams::default(),
            progress_printer(),
        ),
        None => backup_to(&store, &args.out, &key, progress_printer()),
    };
    let summary = match done {
        Ok(s) => s,
        Err(e) => return Ok(refused(&e)),
    };
    let h = &summary.header;
    let note = match h.keying {
        Keying::DatabaseKey => "このバックアップは、このPCのこの利用者の資格情報ストアにある鍵でしか開けません。同じ利用者・同じPCでの復元用です。別のPCへ移すときは --passphrase-env を付けて作り直してください。",
        Keying::Passphrase { .. } => "このバックアップはパスフレーズで開けます。パスフレーズはバックアップと別に保管してください。個人情報を含むため、暗号化した媒体に保管してください。",
    };
    Ok(Output {
        json: json!({
            "backup": {
                "profile": profile,
                "database": db.display().to_string(),
                "file": summary.path.display().to_string(),
                "header": summary.header_path.display().to_string(),
                "keying": keying_name(&h.keying),
                "createdAt": h.created_at,
                "schemaVersion": h.schema_version,
                "pages": h.page_count,
                "bytes": h.size_bytes,
                "sha256": h.sha256,
                "elapsedMs": summary.elapsed_ms,
            },
            "message": note,
        }),
        valid: true,
    })
}

/// `kyosai db restore --profile NAME [--data-dir DIR] FILE [--passphrase-env VAR]`.
pub fn restore(args: &RestoreArgs) -> Result<Output, Unreadable> {
    let db = database_of(&args.target)?;
    let profile = &args.target.profile;
    if !args.file.is_file() {
        return Err(Unreadable(format!(
            "バックアップ {} がありません。場所を確認してください。",
            args.file.display()
        )));
    }
    let header = BackupHeader::read(&args.file).map_err(|e| Unreadable(e.to_string()))?;
    let passphrase = passphrase(args.passphrase_env.as_deref())?;
    let secrets = secrets()?;
    let stored = stored_key(&secrets, profile)?;

    let backup_key = match (&header.keying, passphrase) {
        (Keying::Passphrase { params, salt }, Some(p)) => {
            let _ = writeln!(std::io::stderr(), "パスフレーズから鍵を作っています…");
            match passphrase_key(&p, params, salt) {
                Ok(k) => k,
                Err(e) => return Ok(refused(&e)),
            }
        }
        (Keying::Passphrase { .. }, None) => {
            return Err(Unreadable(
                "このバックアップはパスフレーズで保護されています。--passphrase-env でパスフレーズを入れた環境変数を指定してください。".into(),
            ))
        }
        (Keying::DatabaseKey, Some(_)) => {
            return Err(Unreadable(
                "このバックアップはパスフレーズではなく、このPCの利用者の鍵で作られています。--passphrase-env を付けずに実行してください。".into(),
            ))
        }
        (Keying::DatabaseKey, None) => match &stored {
            Some(k) => k.clone(),
            None => {
                return Err(Unreadable(format!(
                    "このバックアップはPCの利用者の鍵で作られていますが、資格情報ストアにプロファイル「{profile}」の鍵がありません。別のPCへの移行には、元のPCで --passphrase-env を付けて作ったバックアップを使ってください。"
                )))
            }
        },
    };

    // The profile's key: the one in the credential store, or a new one for a profile
    // that has no database yet (a replacement PC).
    let mut new_key = false;
    let dest_key = match stored {
        Some(k) => k,
        None if matches!(kind_of(&db)?, FileKind::Missing | FileKind::Empty) => {
            new_key = true;
            make_key(&secrets, profile)?
        }
        None => {
            return Err(Unreadable(format!(
                "資格情報ストアにプロファイル「{profile}」の鍵がないため、今のデータベース {} を開けません。共済デスクを起動して「新しく始める」で別名保管してから、復元してください。",
                db.display()
            )))
        }
    };
    let _ = writeln!(
        std::io::stderr(),
        "{} を確認して {} に復元しています…",
        args.file.display(),
        db.display()
    );
    let r = match restore_from(&args.file, &backup_key, &db, &dest_key) {
        Ok(r) => r,
        Err(e) => return Ok(refused(&e)),
    };
    let message = match &r.previous {
        Some(p) => format!(
            "復元しました。それまでのデータベースは {} として残しています（削除はしません）。共済デスクを起動してください。",
            p.display()
        ),
        None => "復元しました。共済デスクを起動してください。".to_string(),
    };
    Ok(Output {
        json: json!({
            "restored": {
                "profile": profile,
                "database": r.database.display().to_string(),
                "previous": r.previous.as_ref().map(|p| p.display().to_string()),
                "backup": args.file.display().to_string(),
                "backupCreatedAt": header.created_at,
                "keying": keying_name(&header.keying),
                "schemaVersion": r.schema_version,
                "pages": r.page_count,
                "bytes": r.size_bytes,
                "newKey": new_key,
            },
            "message": message,
        }),
        valid: true,
    })
}

/// A new database key for the profile, saved in the credential store and read back
/// before it is used (as the app does at its first start).
fn make_key(secrets: &dyn SecretStore, profile: &str) -> Result<DbKey, Unreadable> {
    let fail = |detail: String| {
        Unreadable(format!(
            "資格情報ストア（{}）にデータベースの鍵を保存できません（{detail}）。",
            secrets.name()
        ))
    };
    let key = DbKey::generate().map_err(|e| fail(e.to_string()))?;
    let account = key_account(profile);
    let hex = key.to_hex();
    secrets.set(&account, &hex).map_err(|e| fail(e.message))?;
    match secrets.get(&account) {
        Ok(Some(back)) if back.as_str() == hex.as_str() => Ok(key),
        Ok(_) => Err(fail("保存した鍵を読み出せません".into())),
        Err(e) => Err(fail(e.message)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn the_database_is_where_the_app_keeps_it() {
        let t = Target {
            profile: "tanaka".into(),
            data_dir: Some(PathBuf::from("/srv/kyosai")),
        };
        assert_eq!(
            database_of(&t).unwrap(),
            Path::new("/srv/kyosai/profiles/tanaka/kyosai.sqlite3")
        );
        for bad in ["", "../x", "A", "-x", "あ"] {
            let t = Target {
                profile: bad.into(),
                data_dir: None,
            };
            assert!(database_of(&t).is_err(), "{bad}");
        }
    }
}
