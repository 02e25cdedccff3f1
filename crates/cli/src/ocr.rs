//! `kyosai ocr import`: a scanning station's import into the AI-OCR correction queue.
//!
//! A PC beside the scanner (or a hot-folder job) reads scan files with the local engine
//! (`kyosai_app::ocr::read_scan`, Tesseract) and sends the documents to the central
//! service, where the clerks of the signed-in user's office find them in their queue. It
//! keeps nothing: the documents go through a temporary, encrypted store (a fresh random
//! key that lives only in this process), which is deleted before the command ends, and
//! the session is signed out. A run is all or nothing: every file is read before anything
//! is queued, so a file that is not a scan of the form stops the run with nothing sent.
//!
//! The password comes from `KYOSAI_PASSWORD`, never from the command line (which every
//! user of the PC sees in the process list).
//!
//! Output, like every `kyosai` command: one JSON document on standard output —
//! `{"server", "user", "office", "officeName", "template", "files": [{"file",
//! "documents", "fields", "autoAccepted", "toPeople", "ids"}], "total": {"files",
//! "documents", "fields", "autoAccepted", "toPeople"}}` or `{"error": {"code",
//! "message"}, "file"?, "delivered"?}` — and, for the person at the scanner, Japanese
//! lines on standard error (「scan-0001.pdf: 3件（確認が必要な項目 12 / 全 54 項目）」 and
//! a total). Exit 0 when every document reached the queue; 1 when a file could not be
//! read as the form or the server refused (sign-in, a document); 2 when the command line
//! is wrong, the password is missing or a file cannot be opened at all.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use kyosai_app::ocr::RoutingPolicy;
use kyosai_app::ocr::{self as app_ocr, OcrImportSummary, ReadDocument};
use kyosai_app::AppError;
use kyosai_store::sync::OutboxState;
use kyosai_store::{DbKey, Store, StoreError};
use kyosai_sync_client::{
    default_device_name, Api, Auth, ClientConfig, ErrorKind, MemorySecretStore, SharedStore,
    SyncError,
};
use kyosai_sync_protocol::{AuditHead, CommandEnvelope, PushRequest, UserInfo, MAX_PUSH_COMMANDS};
use serde_json::json;

use crate::Output;

/// The variable that holds the password.
pub const PASSWORD_VAR: &str = "KYOSAI_PASSWORD";

/// The template read when `--template` is not given.
pub const DEFAULT_TEMPLATE: &str = "shikaku-shutoku-todoke";

/// A push carries at most about this many bytes of commands. Each document's images are
/// one record of a few hundred KiB, so the engine's 500 commands per push could pass the
/// server's body limit (16 MiB by default).
const PUSH_BYTES: usize = 4 * 1024 * 1024;

/// How often a push that failed for a passing reason (network, busy server) is tried.
const PUSH_TRIES: u32 = 3;

/// What `kyosai ocr import` was asked to do.
#[derive(Debug, Clone)]
pub struct ImportArgs {
    /// `https://central.kyosai.example:8443`
    pub server: String,
    /// The organisation's root CA (PEM), trusted besides the OS store.
    pub ca: Option<PathBuf>,
    pub user: String,
    pub template: String,
    /// A vendor AI-OCR service's results for the one scan file: taken instead of reading.
    pub vendor: Option<PathBuf>,
    pub files: Vec<PathBuf>,
}

/// Why the import could not start (exit 2): the message goes to standard error.
#[derive(Debug)]
pub struct Unreadable(pub String);

/// A refusal (exit 1): the JSON's `error`, and the file it concerns.
#[derive(Debug)]
struct Failure {
    code: String,
    message: String,
    file: Option<String>,
    /// Documents already in the queue when a later one was refused.
    delivered: Option<u32>,
}

impl Failure {
    fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Failure {
            code: code.into(),
            message: message.into(),
            file: None,
            delivered: None,
        }
    }

    fn in_file(mut self, file: &str) -> Self {
        self.file = Some(file.to_owned());
        self
    }
}

impl From<SyncError> for Failure {
    fn from(e: SyncError) -> Self {
        // The client's own words for a lost connection speak of the app, which keeps the
        // work and sends it later; this command keeps nothing.
        if e.kind == ErrorKind::Offline {
            return Failure::new(
                e.code,
                "中央サービスに接続できません（応答がないか、接続が切れました）。接続先のURL、ネットワーク、中央サービスが動いているかを確認してから、もう一度取り込んでください。このPCには何も残していません。",
            );
        }
        Failure::new(e.code, e.message)
    }
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        Failure::new(e.code, e.message)
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::new(e.code(), e.to_string())
    }
}

/// One scan file, read from disk.
struct ScanFile {
    /// The file name (what the queue shows as the source).
    name: String,
    bytes: Vec<u8>,
}

/// What one file put in the queue.
struct FileResult {
    name: String,
    summary: OcrImportSummary,
}

/// `kyosai ocr import`.
pub fn import(args: &ImportArgs) -> Result<Output, Unreadable> {
    let password = password_from_env()?;
    check_template(&args.template)?;
    if args.vendor.is_some() && args.files.len() != 1 {
        return Err(Unreadable(
            "--vendor を使うときは、その読取結果のもとになったスキャンしたファイルを1つだけ指定してください。".to_owned(),
        ));
    }
    let files = read_files(&args.files)?;
    let vendor = read_files(args.vendor.as_slice())?.pop();
    // The station follows the PC's machine policy as the app does (ocrQaRate,
    // ocrThresholdOffset); an unreadable policy stops the run.
    let policy = kyosai_app::settings::Policy::load(&kyosai_app::settings::machine_policy_path())
        .map_err(|e| Unreadable(e.message))?;
    let routing = kyosai_app::settings::ocr_routing(policy.as_ref());
    let mut config = ClientConfig::new(args.server.clone(), env!("CARGO_PKG_VERSION"));
    config.root_ca_pem_path = args.ca.clone();
    let api = Api::new(config).map_err(|e| Unreadable(e.message))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Unreadable(format!("処理の準備ができませんでした（{e}）。")))?;
    match run(&runtime, api, args, &password, files, vendor, &routing) {
        Ok((me, results)) => Ok(success(args, &me, &results)),
        Err(f) => Ok(failure(f)),
    }
}

fn password_from_env() -> Result<String, Unreadable> {
    match std::env::var(PASSWORD_VAR) {
        Ok(p) if !p.is_empty() => Ok(p),
        _ => Err(Unreadable(format!(
            "パスワードを環境変数 {PASSWORD_VAR} に設定してから実行してください（例: read -rs {PASSWORD_VAR}; export {PASSWORD_VAR}）。コマンドラインの引数には書かないでください。PCのほかの利用者にもプロセス一覧で見えてしまいます。"
        ))),
    }
}

fn check_template(id: &str) -> Result<(), Unreadable> {
    let known = app_ocr::templates();
    if known.iter().any(|t| t.id == id) {
        return Ok(());
    }
    let list: Vec<String> = known
        .iter()
        .map(|t| format!("{}（{}）", t.id, t.name))
        .collect();
    Err(Unreadable(format!(
        "帳票の様式「{id}」はありません。--template には次のどれかを指定してください: {}",
        list.join("、")
    )))
}

fn read_files(paths: &[PathBuf]) -> Result<Vec<ScanFile>, Unreadable> {
    paths
        .iter()
        .map(|p| {
            let bytes = std::fs::read(p).map_err(|e| {
                Unreadable(format!(
                    "{} を読み取れません（{e}）。ファイルの場所と名前を確認してください。",
                    p.display()
                ))
            })?;
            Ok(ScanFile {
                name: file_name(p),
                bytes,
            })
        })
        .collect()
}

fn file_name(p: &Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The temporary store: a fresh folder and a random key that never leaves this process,
/// so that a run killed before it could clean up leaves nothing readable behind.
struct TempStore {
    store: SharedStore,
    dir: tempfile::TempDir,
}

impl TempStore {
    fn open() -> Result<TempStore, Failure> {
        let dir = tempfile::Builder::new()
            .prefix("kyosai-ocr-import-")
            .tempdir()
            .map_err(|e| {
                Failure::new(
                    "ocr.temp_store",
                    format!("作業用の一時フォルダを作れません（{e}）。一時フォルダ（TMPDIR）の空き容量と権限を確認してください。"),
                )
            })?;
        let key = DbKey::generate()?;
        let store = Store::open_encrypted(&dir.path().join("kyosai.sqlite3"), &key)?;
        Ok(TempStore {
            store: Arc::new(Mutex::new(store)),
            dir,
        })
    }

    fn with<T>(&self, f: impl FnOnce(&mut Store) -> Result<T, Failure>) -> Result<T, Failure> {
        let mut guard = self.store.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }

    /// Closes the database and deletes the folder.
    fn delete(self) {
        let TempStore { store, dir } = self;
        drop(store);
        let path = dir.path().to_path_buf();
        if let Err(e) = dir.close() {
            eprintln!(
                "注意: 作業用の一時フォルダ {} を削除できませんでした（{e}）。中身は暗号化されていて読めませんが、フォルダを削除してください。",
                path.display()
            );
        }
    }
}

fn run(
    rt: &tokio::runtime::Runtime,
    api: Api,
    args: &ImportArgs,
    password: &str,
    files: Vec<ScanFile>,
    vendor: Option<ScanFile>,
    routing: &RoutingPolicy,
) -> Result<(UserInfo, Vec<FileResult>), Failure> {
    let temp = TempStore::open()?;
    let auth = Auth::new(
        api,
        Arc::new(MemorySecretStore::new()),
        "kyosai-ocr-import",
        format!("{}（kyosai ocr import）", default_device_name()),
    );
    let result = rt
        .block_on(auth.sign_in(&temp.store, &args.user, password))
        .map_err(Failure::from)
        .and_then(|me| {
            let scans = Scans { files, vendor };
            let results = read_and_send(rt, &auth, &temp, &me, &args.template, scans, routing)?;
            Ok((me, results))
        });
    // Signed out whatever happened; the refresh token was only ever in memory.
    if let Err(e) = rt.block_on(auth.end_session()) {
        eprintln!("注意: サインアウトできませんでした（{}）。", e.message);
    }
    temp.delete();
    result
}

/// The scan files of a run, and the vendor's results for the one scan when given.
struct Scans {
    files: Vec<ScanFile>,
    vendor: Option<ScanFile>,
}

fn read_and_send(
    rt: &tokio::runtime::Runtime,
    auth: &Auth,
    temp: &TempStore,
    me: &UserInfo,
    template: &str,
    scans: Scans,
    routing: &RoutingPolicy,
) -> Result<Vec<FileResult>, Failure> {
    let Scans { files, vendor } = scans;
    let office = me.office_code.clone().ok_or_else(|| {
        Failure::new(
            "ocr.office_required",
            format!(
                "{}さんは所属所に属していません。読み取った帳票は所属所の受付に入るため、取り込みは所属所の担当者の利用者IDで行ってください。",
                me.display_name
            ),
        )
    })?;
    let now = Utc::now();
    let today = kyosai_app::acquisitions::today_jst(now);
    // Every file is read before anything is queued: one bad file sends nothing.
    let mut read: Vec<(String, Vec<ReadDocument>)> = Vec::with_capacity(files.len());
    for f in files {
        eprintln!("読み取っています: {}", f.name);
        let prefix = app_ocr::id_prefix(&f.name, now);
        let docs = match &vendor {
            Some(v) => app_ocr::read_vendor(
                &f.bytes, &v.bytes, &v.name, template, &prefix, today, routing,
            )
            .map_err(|e| Failure::from(e).in_file(&v.name))?,
            None => app_ocr::read_scan(&f.bytes, template, &prefix, today, routing)
                .map_err(|e| Failure::from(e).in_file(&f.name))?,
        };
        read.push((f.name, docs));
    }
    let mut results = Vec::with_capacity(read.len());
    for (name, docs) in read {
        let summary = temp.with(|s| {
            app_ocr::store_read_on(s, me, &office, &name, docs, now).map_err(Failure::from)
        })?;
        results.push(FileResult { name, summary });
    }
    eprintln!("送信しています: {} 件", documents(&results));
    rt.block_on(push_all(auth, temp))?;
    check_all_applied(temp, &results)?;
    Ok(results)
}

/// The documents' label within their scan, as the app's import names them:
/// `20261126-093000-scan-0001` (JST), `-2`, `-3` … added per document of a batch.
/// Pushes the outbox until nothing is pending. Only a push: the station does not need
/// the office's records, so it does not pull them (`sync_once` would).
async fn push_all(auth: &Auth, temp: &TempStore) -> Result<(), Failure> {
    let client_id = temp.with(|s| Ok(s.sync().state()?.client_id))?;
    loop {
        let (commands, head) = temp.with(|s| {
            Ok((
                s.sync().pending_commands(MAX_PUSH_COMMANDS)?,
                s.audit().head()?,
            ))
        })?;
        let Some(first) = commands.first().map(|c| c.seq) else {
            return Ok(());
        };
        let req = PushRequest {
            client_id,
            commands: within_budget(commands),
            audit_head: head.map(|h| AuditHead {
                seq: h.seq,
                hash: h.hash,
            }),
        };
        let response = push_with_retry(auth, &req).await?;
        temp.with(|s| Ok(s.sync().apply_push_results(&response.results)?))?;
        let still = temp.with(|s| {
            Ok(s.sync()
                .pending_commands(1)?
                .first()
                .is_some_and(|c| c.seq == first))
        })?;
        if still {
            return Err(Failure::new(
                "sync.no_progress",
                "サーバーが送った帳票に答えませんでした。しばらくしてからもう一度取り込んでください。続く場合はIT管理者に連絡してください。",
            ));
        }
    }
}

/// The longest run of commands from the first that stays within [`PUSH_BYTES`] (at least
/// one: a single command too large for the server is refused there, with its message).
fn within_budget(mut commands: Vec<CommandEnvelope>) -> Vec<CommandEnvelope> {
    let mut total = 0usize;
    let mut keep = 0usize;
    for c in &commands {
        let size = serde_json::to_vec(&c.payload).map_or(0, |v| v.len()) + 512;
        if keep > 0 && total + size > PUSH_BYTES {
            break;
        }
        total += size;
        keep += 1;
    }
    commands.truncate(keep);
    commands
}

async fn push_with_retry(
    auth: &Auth,
    req: &PushRequest,
) -> Result<kyosai_sync_protocol::PushResponse, Failure> {
    let mut tries = 0;
    loop {
        tries += 1;
        let api = auth.api().clone();
        let answer = auth
            .call(|t: String| {
                let api = api.clone();
                async move { api.push(&t, req).await }
            })
            .await;
        match answer {
            Ok(r) => return Ok(r),
            // The server answers a resent seq with what it did the first time, so a push
            // whose answer was lost can be sent again.
            Err(e) if e.is_retryable() && tries < PUSH_TRIES => {
                let wait = e
                    .retry_after
                    .unwrap_or(Duration::from_secs(u64::from(tries)))
                    .min(Duration::from_secs(30));
                eprintln!(
                    "送信をやり直します（{}）。{} 秒後に再送します。",
                    e.message,
                    wait.as_secs()
                );
                tokio::time::sleep(wait).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Every command applied; otherwise the server's reasons (exit 1).
fn check_all_applied(temp: &TempStore, results: &[FileResult]) -> Result<(), Failure> {
    let entries = temp.with(|s| Ok(s.sync().outbox_entries()?))?;
    let refused: Vec<_> = entries
        .iter()
        .filter(|e| e.state != OutboxState::SentApplied)
        .collect();
    if refused.is_empty() {
        return Ok(());
    }
    let applied: std::collections::HashSet<String> = entries
        .iter()
        .filter(|e| e.state == OutboxState::SentApplied)
        .map(|e| e.record_id.to_string())
        .collect();
    let delivered = results
        .iter()
        .flat_map(|r| r.summary.ids.iter())
        .filter(|id| applied.contains(*id))
        .count() as u32;
    let code = refused
        .iter()
        .find_map(|e| e.result_code.clone())
        .unwrap_or_else(|| "sync.not_applied".to_owned());
    let mut reasons: Vec<String> = refused
        .iter()
        .map(|e| {
            e.result_message
                .clone()
                .unwrap_or_else(|| "サーバーから応答がありませんでした。".to_owned())
        })
        .collect();
    reasons.dedup();
    let kept = if delivered > 0 {
        format!("（先に送った {delivered} 件は受付に入っています）")
    } else {
        "（受付には1件も入っていません）".to_owned()
    };
    let mut f = Failure::new(
        code,
        format!(
            "サーバーが {} 件の記録を受け付けませんでした{kept}。理由: {} （このPCには何も残していません。スキャンしたファイルはそのままなので、原因を取り除いてからもう一度取り込んでください。）",
            refused.len(),
            reasons.join(" ")
        ),
    );
    f.delivered = Some(delivered);
    Err(f)
}

fn documents(results: &[FileResult]) -> u32 {
    results.iter().map(|r| r.summary.documents).sum()
}

/// 「scan-0001.pdf: 3件（確認が必要な項目 12 / 全 54 項目）」
fn summary_line(name: &str, s: &OcrImportSummary) -> String {
    format!(
        "{name}: {}件（確認が必要な項目 {} / 全 {} 項目）",
        s.documents, s.to_people, s.fields
    )
}

fn success(args: &ImportArgs, me: &UserInfo, results: &[FileResult]) -> Output {
    let mut total = OcrImportSummary {
        documents: 0,
        fields: 0,
        auto_accepted: 0,
        to_people: 0,
        ids: Vec::new(),
    };
    let mut files = Vec::with_capacity(results.len());
    for r in results {
        eprintln!("{}", summary_line(&r.name, &r.summary));
        total.documents += r.summary.documents;
        total.fields += r.summary.fields;
        total.auto_accepted += r.summary.auto_accepted;
        total.to_people += r.summary.to_people;
        files.push(json!({
            "file": r.name,
            "documents": r.summary.documents,
            "fields": r.summary.fields,
            "autoAccepted": r.summary.auto_accepted,
            "toPeople": r.summary.to_people,
            "ids": r.summary.ids,
        }));
    }
    let office = me.office_code.clone().unwrap_or_default();
    let office_name = me.office_name.clone().unwrap_or_else(|| office.clone());
    eprintln!(
        "合計: {}ファイル {}件（確認が必要な項目 {} / 全 {} 項目）を{}の受付に送りました。",
        results.len(),
        total.documents,
        total.to_people,
        total.fields,
        office_name
    );
    Output {
        json: json!({
            "server": args.server,
            "user": me.user_id,
            "office": office,
            "officeName": office_name,
            "template": args.template,
            "files": files,
            "total": {
                "files": results.len(),
                "documents": total.documents,
                "fields": total.fields,
                "autoAccepted": total.auto_accepted,
                "toPeople": total.to_people,
            },
        }),
        valid: true,
    }
}

fn failure(f: Failure) -> Output {
    match &f.file {
        Some(file) => eprintln!("取り込めませんでした（{file}）: {}", f.message),
        None => eprintln!("取り込めませんでした: {}", f.message),
    }
    let mut j = crate::error_json(&f.code, &f.message);
    if let Some(file) = f.file {
        j["file"] = json!(file);
    }
    if let Some(n) = f.delivered {
        j["delivered"] = json!(n);
    }
    Output {
        json: j,
        valid: false,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn the_prefix_is_the_jst_time_and_the_safe_part_of_the_file_name() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-26T00:30:05Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            app_ocr::id_prefix("scan-0001.pdf", now),
            "20261126-093005-scan-0001"
        );
        assert_eq!(
            app_ocr::id_prefix("資格取得届.jpg", now),
            "20261126-093005-scan"
        );
        assert_eq!(app_ocr::id_prefix("a b.c.tif", now), "20261126-093005-abc");
    }

    #[test]
    fn a_push_stays_within_its_byte_budget_but_sends_at_least_one_command() {
        let cmd = |seq: u64, bytes: usize| CommandEnvelope {
            seq,
            name: "record.create".into(),
            version: 1,
            record_id: Default::default(),
            base_version: None,
            payload: json!({ "b": "x".repeat(bytes) }),
            issued_at: Utc::now(),
        };
        let big = PUSH_BYTES / 3;
        let out = within_budget((1..=5).map(|s| cmd(s, big)).collect());
        assert_eq!(out.iter().map(|c| c.seq).collect::<Vec<_>>(), vec![1, 2]);
        let out = within_budget(vec![cmd(1, PUSH_BYTES * 2), cmd(2, 10)]);
        assert_eq!(out.len(), 1);
        let out = within_budget((1..=5).map(|s| cmd(s, 10)).collect());
        assert_eq!(out.len(), 5);
    }

    #[test]
    fn the_summary_line_reads_as_the_station_expects() {
        let s = OcrImportSummary {
            documents: 3,
            fields: 54,
            auto_accepted: 42,
            to_people: 12,
            ids: vec![],
        };
        assert_eq!(
            summary_line("scan-0001.pdf", &s),
            "scan-0001.pdf: 3件（確認が必要な項目 12 / 全 54 項目）"
        );
    }
}
