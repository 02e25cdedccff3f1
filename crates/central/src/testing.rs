//! A real central service for integration tests (this crate's and other crates'): HTTPS
//! on 127.0.0.1 with a fresh test CA, on a fresh SQLite file or a fresh PostgreSQL
//! database, started through the same [`crate::serve`] path as production.
//!
//! PostgreSQL: set `KYOSAI_TEST_PG_URL` to a URL of a role that may create databases,
//! e.g. `postgres://kyosai:kyosai@127.0.0.1:5432/postgres` (start one with
//! `crates/central/scripts/start-test-postgres.sh`). Each [`TestServer`] creates its own
//! database and drops it when stopped or dropped. Without the variable, starting a
//! PostgreSQL test server panics with those instructions; tests may call
//! [`postgres_skipped`] first to honour `KYOSAI_SKIP_PG=1`.
//!
//! Everything here panics on failure: it is for tests.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use kyosai_sync_protocol::{Record, Role};
use tempfile::TempDir;
use tokio_postgres::NoTls;
use uuid::Uuid;

use crate::api::Faults;
use crate::certs::{self, DevCertPaths};
use crate::config::{Argon2Config, Config};
use crate::server::{self, RunningServer};
use crate::storage::{NewUser, Storage};

/// The variable with the PostgreSQL URL the tests use.
pub const PG_URL_VAR: &str = "KYOSAI_TEST_PG_URL";
/// Set to `1` to skip PostgreSQL tests (they then say so and pass).
pub const SKIP_PG_VAR: &str = "KYOSAI_SKIP_PG";

const PG_HOWTO: &str = "PostgreSQL tests need KYOSAI_TEST_PG_URL. Start PostgreSQL with \
     `sudo crates/central/scripts/start-test-postgres.sh` and run \
     `export KYOSAI_TEST_PG_URL=postgres://kyosai:kyosai@127.0.0.1:5432/postgres`, \
     or set KYOSAI_SKIP_PG=1 to skip the PostgreSQL tests.";

/// Which storage a test server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestBackend {
    Sqlite,
    /// A fresh database on the server named by `KYOSAI_TEST_PG_URL`.
    Postgres,
}

/// For PostgreSQL tests: `true` (after printing `skipped: PostgreSQL …` to stderr) when
/// `KYOSAI_SKIP_PG=1`. The line bypasses the test harness's output capture so it shows.
pub fn postgres_skipped(test_name: &str) -> bool {
    if std::env::var(SKIP_PG_VAR).is_ok_and(|v| v == "1") {
        let _ = writeln!(
            std::io::stderr(),
            "skipped: PostgreSQL ({test_name}): KYOSAI_SKIP_PG=1"
        );
        return true;
    }
    false
}

/// A database made for one test server; dropped when this is (also on a panic).
#[derive(Debug)]
struct PgTestDatabase {
    admin_url: String,
    name: String,
    dropped: bool,
}

impl PgTestDatabase {
    async fn create() -> (PgTestDatabase, String) {
        let admin_url = std::env::var(PG_URL_VAR).unwrap_or_else(|_| panic!("{PG_HOWTO}"));
        let name = format!("kyosai_test_{}", Uuid::new_v4().simple());
        let (client, connection) = tokio_postgres::connect(&admin_url, NoTls)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to {PG_URL_VAR}: {e}. {PG_HOWTO}"));
        let conn_task = tokio::spawn(connection);
        client
            .batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .await
            .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
        // Test databases need no durability against power loss; not waiting for fsync on
        // every commit keeps the suite fast. (Production keeps the default.)
        client
            .batch_execute(&format!(
                "ALTER DATABASE \"{name}\" SET synchronous_commit = off"
            ))
            .await
            .unwrap_or_else(|e| panic!("cannot configure test database {name}: {e}"));
        drop(client);
        let _ = conn_task.await;
        let mut url = url::Url::parse(&admin_url)
            .unwrap_or_else(|e| panic!("{PG_URL_VAR} is not a URL ({e}). {PG_HOWTO}"));
        url.set_path(&format!("/{name}"));
        (
            PgTestDatabase {
                admin_url,
                name,
                dropped: false,
            },
            url.to_string(),
        )
    }

    async fn drop_now(mut self) {
        Self::drop_database(&self.admin_url, &self.name).await;
        self.dropped = true;
    }

    async fn drop_database(admin_url: &str, name: &str) {
        match tokio_postgres::connect(admin_url, NoTls).await {
            Ok((client, connection)) => {
                let conn_task = tokio::spawn(connection);
                if let Err(e) = client
                    .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await
                {
                    let _ = writeln!(
                        std::io::stderr(),
                        "could not drop test database {name}: {e}"
                    );
                }
                drop(client);
                let _ = conn_task.await;
            }
            Err(e) => {
                let _ = writeln!(
                    std::io::stderr(),
                    "could not drop test database {name}: {e}"
                );
            }
        }
    }
}

impl Drop for PgTestDatabase {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        // No async in Drop: drop the database from a helper thread with its own runtime.
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                rt.block_on(PgTestDatabase::drop_database(&admin_url, &name));
            }
        })
        .join();
    }
}

/// A running central service for tests. Stop it with [`TestServer::stop`]; dropping it
/// also stops it and removes its database.
#[derive(Debug)]
pub struct TestServer {
    /// `https://127.0.0.1:PORT`
    pub base_url: String,
    /// PEM of the test CA the client must trust.
    pub ca_pem: String,
    config: Config,
    storage: Storage,
    running: Option<RunningServer>,
    cert_paths: DevCertPaths,
    pg: Option<PgTestDatabase>,
    faults: Arc<Faults>,
    dir: TempDir,
}

/// With `KYOSAI_TEST_LOG_DIR` set, the test process's log (every level, every crate) is
/// written to `central-<pid>.log` in that folder, so that a test run can be searched
/// afterwards (the end-to-end run is scanned for 個人番号: `kyosai logs scan`). Without it,
/// tests log nowhere, as before.
fn keep_logs_if_asked() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let Some(dir) = std::env::var_os("KYOSAI_TEST_LOG_DIR") else {
            return;
        };
        let dir = std::path::PathBuf::from(dir);
        if let Err(e) = std::fs::create_dir_all(&dir) {
            panic!("KYOSAI_TEST_LOG_DIR {}: {e}", dir.display());
        }
        let path = dir.join(format!("central-{}.log", std::process::id()));
        let file = std::fs::File::create(&path)
            .unwrap_or_else(|e| panic!("creating {}: {e}", path.display()));
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
            .with_ansi(false)
            .with_writer(std::sync::Mutex::new(file))
            .try_init();
    });
}

impl TestServer {
    /// Starts a server with test settings (cheap argon2, default lifetimes and lockout).
    pub async fn start(backend: TestBackend) -> TestServer {
        Self::start_with(backend, |_| {}).await
    }

    /// Like [`Self::start`], letting the test change the configuration first (e.g.
    /// `c.auth.access_token_lifetime = Duration::from_secs(1)`). `listen`, `storage` and
    /// `tls` are the test server's own and are set after `tweak`.
    pub async fn start_with(backend: TestBackend, tweak: impl FnOnce(&mut Config)) -> TestServer {
        keep_logs_if_asked();
        let dir = tempfile::Builder::new()
            .prefix("kyosai-central-test-")
            .tempdir()
            .unwrap_or_else(|e| panic!("temp dir: {e}"));
        let certs = certs::generate(&["127.0.0.1".to_string(), "localhost".to_string()])
            .unwrap_or_else(|e| panic!("test certificates: {e}"));
        let cert_paths = certs::write(dir.path(), &certs)
            .unwrap_or_else(|e| panic!("writing test certificates: {e}"));

        let (pg, storage_url) = match backend {
            TestBackend::Sqlite => (
                None,
                format!("sqlite:{}", dir.path().join("central.db").display()),
            ),
            TestBackend::Postgres => {
                let (db, url) = PgTestDatabase::create().await;
                (Some(db), url)
            }
        };
        let mut config = Config::new(SocketAddr::from(([127, 0, 0, 1], 0)), storage_url.clone());
        config.auth.argon2 = Argon2Config::insecure_for_tests();
        tweak(&mut config);
        config.listen = SocketAddr::from(([127, 0, 0, 1], 0));
        config.storage = storage_url;
        config.tls.cert = Some(cert_paths.server_cert.clone());
        config.tls.key = Some(cert_paths.server_key.clone());
        config.tls.insecure_loopback_http = false;

        let spec = config.storage_spec().unwrap_or_else(|e| panic!("{e}"));
        let storage = Storage::open(&spec)
            .await
            .unwrap_or_else(|e| panic!("opening test storage: {e}"));
        let faults = Arc::new(Faults::default());
        let running = server::serve_with_faults(config.clone(), faults.clone())
            .await
            .unwrap_or_else(|e| panic!("starting the test server: {e}"));
        // Restarts come back on the same port.
        config.listen = running.local_addr();
        TestServer {
            base_url: format!("https://127.0.0.1:{}", running.local_addr().port()),
            ca_pem: certs.ca_pem,
            config,
            storage,
            running: Some(running),
            cert_paths,
            pg,
            faults,
            dir,
        }
    }

    /// Adds (or renames) an office.
    pub async fn add_office(&self, code: &str, name: &str) {
        self.storage
            .upsert_office(code, name)
            .await
            .unwrap_or_else(|e| panic!("add_office {code}: {e}"));
    }

    /// Adds a user with these roles, office and password.
    pub async fn add_user(
        &self,
        id: &str,
        name: &str,
        roles: &[Role],
        office: Option<&str>,
        password: &str,
    ) {
        let argon2 = self.config.auth.argon2;
        let password = password.to_string();
        let hash =
            tokio::task::spawn_blocking(move || crate::auth::hash_password(&argon2, &password))
                .await
                .unwrap_or_else(|e| panic!("hashing: {e}"))
                .unwrap_or_else(|e| panic!("hashing: {e}"));
        self.storage
            .add_user(NewUser {
                id: id.to_string(),
                display_name: name.to_string(),
                password_hash: hash,
                roles: roles.to_vec(),
                office_code: office.map(str::to_string),
            })
            .await
            .unwrap_or_else(|e| panic!("add_user {id}: {e}"));
    }

    /// Stops the service (dropping open connections, as a crash would) and starts it
    /// again on the same storage and port.
    pub async fn restart(&mut self) {
        if let Some(running) = self.running.take() {
            running.shutdown(Duration::ZERO).await;
        }
        let mut last_error = None;
        // The port was just released; a few tries cover a slow kernel.
        for _ in 0..50 {
            match server::serve_with_faults(self.config.clone(), self.faults.clone()).await {
                Ok(running) => {
                    self.running = Some(running);
                    return;
                }
                Err(e) => {
                    last_error = Some(e);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
        panic!("restarting the test server: {last_error:?}");
    }

    /// Stops the service and removes its database.
    pub async fn stop(mut self) {
        if let Some(running) = self.running.take() {
            running.shutdown(Duration::ZERO).await;
        }
        if let Some(pg) = self.pg.take() {
            pg.drop_now().await;
        }
    }

    /// The test CA as a file, for clients that take a path.
    pub fn ca_pem_path(&self) -> &Path {
        &self.cert_paths.ca
    }

    /// The record as the server holds it.
    pub async fn record(&self, id: Uuid) -> Option<Record> {
        self.storage
            .record(id)
            .await
            .unwrap_or_else(|e| panic!("record {id}: {e}"))
    }

    /// How many distinct seqs of this client the server processed.
    pub async fn command_count(&self, client_id: Uuid) -> u64 {
        self.storage
            .command_count(client_id)
            .await
            .unwrap_or_else(|e| panic!("command_count {client_id}: {e}"))
    }

    /// Fault injection: the next `n` pushes that succeed are committed, then their
    /// response is cut off (the client sees the connection drop after the headers), as
    /// when the network fails after the server committed. Survives [`Self::restart`].
    pub fn cut_push_responses(&self, n: u32) {
        self.faults.cut_push_responses.store(n, Ordering::SeqCst);
    }

    /// How many of the cuts asked for with [`Self::cut_push_responses`] are still to come.
    pub fn pending_push_cuts(&self) -> u32 {
        self.faults.cut_push_responses.load(Ordering::SeqCst)
    }

    /// Fault injection: the next `n` refreshes that succeed rotate the token (committed),
    /// then their response is cut off, as when the network fails after the server
    /// rotated. Survives [`Self::restart`].
    pub fn cut_refresh_responses(&self, n: u32) {
        self.faults.cut_refresh_responses.store(n, Ordering::SeqCst);
    }

    /// Starts a new change history, as IT does after restoring a backup: every client's
    /// next pull answers `reset = true`.
    pub async fn rotate_epoch(&self) {
        self.storage
            .rotate_epoch()
            .await
            .unwrap_or_else(|e| panic!("rotate_epoch: {e}"));
    }

    /// Revokes a device for every user (as `kyosai-central device revoke` does).
    pub async fn revoke_device(&self, device_id: Uuid) {
        self.storage
            .revoke_device(device_id, None, crate::model::now())
            .await
            .unwrap_or_else(|e| panic!("revoke_device: {e}"));
    }

    /// The storage under the server, for assertions the methods above do not cover.
    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// The configuration the server runs with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The server's scratch folder (certificates, SQLite file).
    pub fn dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // Signals an immediate stop; the database (PostgreSQL) is dropped with `pg`.
        self.running.take();
    }
}
