//! Shared by the integration tests: clerks with their own store files, a relay that can
//! take the network away or cut responses, and the fixtures of a small organisation.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kyosai_central::testing::{TestBackend, TestServer};
use kyosai_store::Store;
use kyosai_sync_client::{
    Api, Auth, ClientConfig, EngineOptions, MemorySecretStore, SharedStore, SyncEngine,
};
use kyosai_sync_protocol::Role;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub const PASSWORD: &str = "kyosai-test-pass";
pub const SHINJUKU: &str = "1203";
pub const CHIYODA: &str = "1101";

/// Offices and people: two clerks of 新宿区 (1203), one of 千代田区 (1101), and a
/// secretariat reviewer who sees every office.
pub async fn organisation(server: &TestServer) {
    server.add_office(SHINJUKU, "新宿区役所").await;
    server.add_office(CHIYODA, "千代田区役所").await;
    server
        .add_user(
            "sato.hanako",
            "佐藤 花子",
            &[Role::OfficeClerk],
            Some(SHINJUKU),
            PASSWORD,
        )
        .await;
    server
        .add_user(
            "suzuki.taro",
            "鈴木 太郎",
            &[Role::OfficeClerk],
            Some(SHINJUKU),
            PASSWORD,
        )
        .await;
    server
        .add_user(
            "tanaka.misaki",
            "田中 美咲",
            &[Role::OfficeClerk],
            Some(CHIYODA),
            PASSWORD,
        )
        .await;
    server
        .add_user(
            "yamamoto.ryo",
            "山本 亮",
            &[Role::SecretariatReviewer],
            None,
            PASSWORD,
        )
        .await;
}

/// Starts a server for `backend`, or `None` when PostgreSQL tests are skipped
/// (`KYOSAI_SKIP_PG=1`). Without `KYOSAI_TEST_PG_URL` a PostgreSQL start fails with the
/// instructions.
pub async fn start(backend: TestBackend, test: &str) -> Option<TestServer> {
    init_log();
    if backend == TestBackend::Postgres && kyosai_central::testing::postgres_skipped(test) {
        return None;
    }
    let server = TestServer::start(backend).await;
    organisation(&server).await;
    Some(server)
}

/// `RUST_LOG=...` shows the server's and the client's logs in test output.
pub fn init_log() {
    if std::env::var_os("RUST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_test_writer()
            .try_init();
    }
}

pub fn config(base_url: &str, ca: &Path) -> ClientConfig {
    let mut c = ClientConfig::new(base_url, "0.1.0");
    c.root_ca_pem_path = Some(ca.to_path_buf());
    c.timeouts.connect = Duration::from_secs(3);
    c.timeouts.request = Duration::from_secs(10);
    c
}

/// Fast loop settings for tests: no timer, no poke unless asked, short backoff.
pub fn options(seed: u64) -> EngineOptions {
    EngineOptions {
        interval: Duration::from_secs(3600),
        backoff_initial: Duration::from_millis(20),
        backoff_max: Duration::from_millis(400),
        poke: false,
        write_debounce: Duration::from_millis(10),
        jitter_seed: Some(seed),
        ..EngineOptions::default()
    }
}

/// One clerk at one PC: a store file of their own, their secret store, their session.
pub struct Clerk {
    pub user: String,
    pub path: PathBuf,
    pub store: SharedStore,
    pub secrets: Arc<MemorySecretStore>,
    pub auth: Arc<Auth>,
    pub base_url: String,
    pub ca: PathBuf,
    _dir: tempfile::TempDir,
}

impl Clerk {
    /// A clerk on a new PC, signed in.
    pub async fn sign_in(base_url: &str, ca: &Path, user: &str) -> Clerk {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("profiles/default/kyosai.sqlite3");
        let store = Arc::new(Mutex::new(Store::open(&path).unwrap()));
        let secrets = Arc::new(MemorySecretStore::new());
        let auth = new_auth(base_url, ca, &secrets);
        auth.sign_in(&store, user, PASSWORD).await.unwrap();
        Clerk {
            user: user.to_string(),
            path,
            store,
            secrets,
            auth,
            base_url: base_url.to_string(),
            ca: ca.to_path_buf(),
            _dir: dir,
        }
    }

    pub fn engine(&self, seed: u64) -> SyncEngine {
        SyncEngine::start(self.store.clone(), self.auth.clone(), options(seed))
    }

    /// Runs `f` on the clerk's store.
    pub fn with<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T {
        let mut g = self.store.lock().unwrap();
        f(&mut g)
    }

    /// A fresh session object as after an app restart (the refresh token is in the
    /// clerk's secret store).
    pub async fn restart_auth(&mut self) {
        self.auth = new_auth(&self.base_url, &self.ca, &self.secrets);
        assert!(
            self.auth.restore(&self.store).await.unwrap(),
            "stored session found"
        );
    }

    pub fn client_id(&self) -> uuid::Uuid {
        self.with(|s| s.sync().state().unwrap().client_id)
    }

    pub fn titles(&self, kind: &str) -> Vec<String> {
        let mut t: Vec<String> = self.with(|s| {
            s.sync()
                .list_records(kind)
                .unwrap()
                .into_iter()
                .map(|r| r.title)
                .collect()
        });
        t.sort();
        t
    }
}

pub fn new_auth(base_url: &str, ca: &Path, secrets: &Arc<MemorySecretStore>) -> Arc<Auth> {
    let api = Api::new(config(base_url, ca)).unwrap();
    Arc::new(Auth::new(api, secrets.clone(), "default", "KYOSAI-PC-TEST"))
}

/// A TCP relay between clients and the server: it can take the network away (existing
/// connections die, new ones are refused) and cut every server-to-client stream after a
/// number of bytes (the server has done its work; the answer never arrives whole).
pub struct Relay {
    pub addr: SocketAddr,
    online: Arc<AtomicBool>,
    cut_after: Arc<AtomicI64>,
    generation: watch::Sender<u64>,
    task: tokio::task::JoinHandle<()>,
}

impl Relay {
    pub async fn start(server_base_url: &str) -> Relay {
        let target: SocketAddr = server_base_url
            .trim_start_matches("https://")
            .parse()
            .unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let online = Arc::new(AtomicBool::new(true));
        let cut_after = Arc::new(AtomicI64::new(-1));
        let (generation, _) = watch::channel(0u64);
        let (o, c, g) = (online.clone(), cut_after.clone(), generation.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    return;
                };
                if !o.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let cut = c.load(Ordering::SeqCst);
                let gen_rx = g.subscribe();
                tokio::spawn(relay_one(client, target, cut, gen_rx));
            }
        });
        Relay {
            addr,
            online,
            cut_after,
            generation,
            task,
        }
    }

    pub fn base_url(&self) -> String {
        format!("https://127.0.0.1:{}", self.addr.port())
    }

    /// Network on or off. Off also kills the connections that are open.
    pub fn set_online(&self, up: bool) {
        self.online.store(up, Ordering::SeqCst);
        if !up {
            self.generation.send_modify(|g| *g += 1);
        }
    }

    /// New connections get their server-to-client stream cut after `bytes`.
    pub fn cut_responses_after(&self, bytes: Option<u64>) {
        self.cut_after.store(
            bytes.map_or(-1, |b| i64::try_from(b).unwrap()),
            Ordering::SeqCst,
        );
    }

    /// Kills every open connection now.
    pub fn drop_connections(&self) {
        self.generation.send_modify(|g| *g += 1);
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.task.abort();
        self.generation.send_modify(|g| *g += 1);
    }
}

async fn relay_one(
    client: TcpStream,
    target: SocketAddr,
    cut: i64,
    mut gen_rx: watch::Receiver<u64>,
) {
    let Ok(server) = TcpStream::connect(target).await else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    let up = tokio::spawn(async move {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match cr.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if sw.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
        let _ = sw.shutdown().await;
    });
    let down = async move {
        let mut buf = vec![0u8; 16 * 1024];
        let mut sent: i64 = 0;
        loop {
            let n = match sr.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let mut n = n as i64;
            if cut >= 0 && sent + n > cut {
                n = cut - sent;
                if n > 0 {
                    let _ = cw.write_all(&buf[..n as usize]).await;
                }
                return; // cut: both sides are dropped
            }
            if cw.write_all(&buf[..n as usize]).await.is_err() {
                break;
            }
            sent += n;
        }
        let _ = cw.shutdown().await;
    };
    tokio::select! {
        () = down => {}
        _ = gen_rx.changed() => {}
    }
    // Dropping both halves of both sockets closes the connection on both ends.
    up.abort();
}

/// Waits until no task holds the clerk's store but the clerk (aborted engines may still
/// finish a blocking store call).
pub async fn wait_store_released(store: &SharedStore) {
    for _ in 0..500 {
        if Arc::strong_count(store) == 1 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the store is still held by a task");
}
