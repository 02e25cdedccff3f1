//! Test helper of `tests/sigkill.rs`, not part of the app: one "app process" of a clerk.
//! It opens the clerk's store file, resumes the session (refresh token in a file) or signs
//! in with the password, and runs the real [`SyncEngine`] cycle after cycle until the test
//! kills it with SIGKILL. Its progress goes to stderr, one line per step, so the test can
//! aim its kills and tell where they landed:
//!
//! ```text
//! child: up
//! child: session restored | child: signed in
//! child: cycle N start pending=P
//! child: cycle N done pushed=.. applied=.. pages=.. changes=..
//! child: cycle N error CODE
//! child: watch pending=P          (a push answer was applied: P commands unanswered)
//! child: watch page               (a pull page and its cursor were applied)
//! child: drained                 (mode drain: the outbox is empty; exit 0)
//! ```
//!
//! Settings come from the environment (`KYOSAI_CHILD_*`, see [`Settings::from_env`]).
//! The process ends by itself when its standard input closes (the test is gone) or after
//! `KYOSAI_CHILD_TIME_LIMIT_SECS`, so it never outlives a failed test run.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kyosai_store::Store;
use kyosai_sync_client::{
    Api, Auth, ClientConfig, EngineOptions, ErrorKind, SecretStore, SharedStore, SyncEngine,
    SyncError,
};

/// What the test asks of this process.
struct Settings {
    store: PathBuf,
    base_url: String,
    ca: PathBuf,
    user: String,
    password: String,
    /// Folder of the file-based credential store (one file per account).
    secrets: PathBuf,
    /// `run`: sync until killed. `drain`: sync until the outbox is empty, then exit 0.
    drain: bool,
    push_batch: usize,
    pull_limit: u32,
    poke: bool,
    seed: u64,
    time_limit: Duration,
}

impl Settings {
    fn from_env() -> Result<Settings, String> {
        fn var(name: &str) -> Result<String, String> {
            std::env::var(name).map_err(|_| format!("{name} is not set"))
        }
        fn num<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String> {
            match std::env::var(name) {
                Ok(v) => v.parse().map_err(|_| format!("{name}={v} is not a number")),
                Err(_) => Ok(default),
            }
        }
        let mode = var("KYOSAI_CHILD_MODE")?;
        if mode != "run" && mode != "drain" {
            return Err(format!("KYOSAI_CHILD_MODE={mode}: run or drain"));
        }
        Ok(Settings {
            store: var("KYOSAI_CHILD_STORE")?.into(),
            base_url: var("KYOSAI_CHILD_URL")?,
            ca: var("KYOSAI_CHILD_CA")?.into(),
            user: var("KYOSAI_CHILD_USER")?,
            password: var("KYOSAI_CHILD_PASSWORD")?,
            secrets: var("KYOSAI_CHILD_SECRETS")?.into(),
            drain: mode == "drain",
            push_batch: num("KYOSAI_CHILD_PUSH_BATCH", 100)?,
            pull_limit: num("KYOSAI_CHILD_PULL_LIMIT", 1_000)?,
            poke: num("KYOSAI_CHILD_POKE", 0u8)? == 1,
            seed: num("KYOSAI_CHILD_SEED", 0)?,
            time_limit: Duration::from_secs(num("KYOSAI_CHILD_TIME_LIMIT_SECS", 120)?),
        })
    }
}

/// The refresh token in a file per account, written with a rename so a kill leaves the
/// old token or the new one, never half of one (the OS credential store of the app
/// behaves the same for this purpose, and lives as long as the process does not).
#[derive(Debug)]
struct FileSecretStore {
    dir: PathBuf,
}

impl FileSecretStore {
    fn path(&self, account: &str) -> PathBuf {
        self.dir.join(account.replace(['/', '\\'], "__"))
    }

    fn failed(what: &str, e: &std::io::Error) -> SyncError {
        SyncError::new(
            ErrorKind::Secret,
            kyosai_sync_client::local_codes::SECRET_STORE,
            format!("test secret store: {what}: {e}"),
        )
    }
}

impl SecretStore for FileSecretStore {
    fn name(&self) -> &str {
        "test-file"
    }

    fn get(&self, account: &str) -> Result<Option<String>, SyncError> {
        match std::fs::read_to_string(self.path(account)) {
            Ok(s) => Ok(Some(s)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Self::failed("read", &e)),
        }
    }

    fn set(&self, account: &str, secret: &str) -> Result<(), SyncError> {
        std::fs::create_dir_all(&self.dir).map_err(|e| Self::failed("mkdir", &e))?;
        let path = self.path(account);
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, secret).map_err(|e| Self::failed("write", &e))?;
        std::fs::rename(&tmp, &path).map_err(|e| Self::failed("rename", &e))
    }

    fn delete(&self, account: &str) -> Result<(), SyncError> {
        match std::fs::remove_file(self.path(account)) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Self::failed("delete", &e)),
        }
    }
}

fn main() -> ExitCode {
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("child: fatal {e}");
            return ExitCode::from(2);
        }
    };
    // The test holds our stdin open while it lives; when it closes, stop.
    std::thread::spawn(|| {
        let mut buf = [0u8; 64];
        let mut stdin = std::io::stdin();
        while matches!(stdin.read(&mut buf), Ok(n) if n > 0) {}
        eprintln!("child: stdin closed, exiting");
        std::process::exit(3);
    });
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("child: fatal runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(&settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("child: fatal {e}");
            ExitCode::from(1)
        }
    }
}

fn open_store(path: &Path) -> Result<SharedStore, String> {
    let store = Store::open(path).map_err(|e| format!("open store: {e}"))?;
    Ok(Arc::new(Mutex::new(store)))
}

fn pending(store: &SharedStore) -> Result<u64, String> {
    let mut s = store.lock().unwrap_or_else(|p| p.into_inner());
    s.sync()
        .counts()
        .map(|c| c.pending)
        .map_err(|e| format!("counts: {e}"))
}

/// Reports, from a connection of its own (as the app's windows read while the loop
/// writes), each change of the number of unanswered commands (a push answer applied) and
/// of the pull cursor (a page applied), polling every 2 ms.
fn watch(path: &Path) {
    let mut store = match Store::open(path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("child: watch failed: {e}");
            return;
        }
    };
    let mut last: Option<(u64, Option<String>)> = None;
    loop {
        let pending = store.sync().counts().map(|c| c.pending);
        let cursor = store.sync().state().map(|s| s.cursor);
        if let (Ok(pending), Ok(cursor)) = (pending, cursor) {
            if let Some((p, c)) = &last {
                if *p != pending {
                    eprintln!("child: watch pending={pending}");
                }
                if *c != cursor {
                    eprintln!("child: watch page");
                }
            }
            last = Some((pending, cursor));
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

async fn sign_in(engine: &SyncEngine, settings: &Settings) -> Result<(), String> {
    // The server may be briefly unreachable; a wrong password is fatal.
    for attempt in 0..50u32 {
        match engine.sign_in(&settings.user, &settings.password).await {
            Ok(_) => {
                eprintln!("child: signed in");
                return Ok(());
            }
            Err(e) if e.is_retryable() || e.is_offline() => {
                eprintln!("child: sign-in failed ({}), retrying", e.code);
                tokio::time::sleep(Duration::from_millis(10 * u64::from(attempt + 1))).await;
            }
            Err(e) => return Err(format!("sign-in: {} {}", e.code, e.message)),
        }
    }
    Err("sign-in: no answer".to_string())
}

async fn run(settings: &Settings) -> Result<(), String> {
    let started = Instant::now();
    eprintln!("child: up");
    let store = open_store(&settings.store)?;
    let watched = settings.store.clone();
    std::thread::spawn(move || watch(&watched));
    let mut config = ClientConfig::new(settings.base_url.clone(), "0.1.0");
    config.root_ca_pem_path = Some(settings.ca.clone());
    config.timeouts.connect = Duration::from_secs(3);
    config.timeouts.request = Duration::from_secs(10);
    let api = Api::new(config).map_err(|e| format!("api: {e}"))?;
    let secrets: Arc<dyn SecretStore> = Arc::new(FileSecretStore {
        dir: settings.secrets.clone(),
    });
    let auth = Arc::new(Auth::new(api, secrets, "default", "KYOSAI-PC-SIGKILL"));
    let options = EngineOptions {
        interval: Duration::from_secs(3600),
        backoff_initial: Duration::from_millis(5),
        backoff_max: Duration::from_millis(100),
        push_batch: settings.push_batch,
        pull_limit: settings.pull_limit,
        poke: settings.poke,
        write_debounce: Duration::from_millis(5),
        jitter_seed: Some(settings.seed),
        ..EngineOptions::default()
    };
    let engine = SyncEngine::start(store.clone(), auth.clone(), options);
    if auth
        .restore(&store)
        .await
        .map_err(|e| format!("restore: {e}"))?
    {
        eprintln!("child: session restored");
    } else {
        sign_in(&engine, settings).await?;
    }

    let mut cycle = 0u64;
    let mut failures = 0u32;
    loop {
        if started.elapsed() > settings.time_limit {
            return Err(format!("time limit of {:?} reached", settings.time_limit));
        }
        if auth.signed_in_user().is_none() {
            // A refresh token spent by a killed predecessor: sign in again (the clerk's
            // work waits in the outbox meanwhile).
            sign_in(&engine, settings).await?;
        }
        cycle += 1;
        eprintln!("child: cycle {cycle} start pending={}", pending(&store)?);
        match engine.sync_now().await {
            Ok(r) => {
                failures = 0;
                eprintln!(
                    "child: cycle {cycle} done pushed={} applied={} conflicts={} rejected={} pages={} changes={}",
                    r.pushed, r.applied, r.conflicts, r.rejected, r.pages, r.changes
                );
                if settings.drain && pending(&store)? == 0 {
                    engine.shutdown().await;
                    eprintln!("child: drained");
                    return Ok(());
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                eprintln!("child: cycle {cycle} error {}", e.code);
                if settings.drain && failures > 50 {
                    return Err(format!("drain: {} {}", e.code, e.message));
                }
                let ms = 5u64 << failures.min(5);
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
        }
    }
}
