//! The client side, run in a child process (`kyosai-bench-sync client …`) so that its
//! memory is the client's alone and it has its own runtime, as a PC beside the server
//! would. It prints one JSON line on stdout (a [`PushOut`], [`PullOut`] or [`LoadOut`], or
//! `{"error": …}`); everything else goes to stderr.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kyosai_store::Store;
use kyosai_sync_client::{
    sync_once, Api, Auth, ClientConfig, EngineOptions, MemorySecretStore, SharedStore,
};
use kyosai_sync_protocol::{DeviceInfo, LoginRequest, Outcome, PushRequest};
use serde::{Deserialize, Serialize};
use tokio::sync::{Barrier, Semaphore};
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::fixtures::{self, PASSWORD};
use crate::procfs::{Measured, Meter};

/// Where the server is.
#[derive(Debug, Clone, clap::Args)]
pub struct Conn {
    /// `https://127.0.0.1:PORT`
    #[arg(long)]
    pub url: String,
    /// The test CA (PEM) to trust.
    #[arg(long)]
    pub ca: PathBuf,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum ClientCommand {
    /// Fill an outbox with `--count` record.create@1 commands, then time `sync_once`.
    Push {
        #[command(flatten)]
        conn: Conn,
        #[arg(long)]
        user: String,
        #[arg(long)]
        office: String,
        #[arg(long)]
        count: usize,
        #[arg(long)]
        push_batch: usize,
        #[arg(long)]
        pull_limit: u32,
    },
    /// Pull everything into a new local store with `sync_once`.
    Pull {
        #[command(flatten)]
        conn: Conn,
        #[arg(long)]
        user: String,
        #[arg(long)]
        pull_limit: u32,
    },
    /// `--clients` concurrent clients, `--per-client` requests each, one command a push.
    Load {
        #[command(flatten)]
        conn: Conn,
        /// `central` (signed-in users, `Api::push`) or `hello` (the axum hello-world).
        #[arg(long)]
        target: String,
        /// Users are PREFIX000, PREFIX001, … (central only).
        #[arg(long, default_value = "")]
        user_prefix: String,
        /// Office numbers, comma-separated; client i belongs to office i mod n.
        #[arg(long)]
        offices: String,
        #[arg(long)]
        clients: usize,
        #[arg(long)]
        per_client: usize,
        #[arg(long, default_value_t = 0)]
        think_ms: u64,
    },
}

/// What the push client measured.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PushOut {
    pub client_id: Uuid,
    pub commands: usize,
    /// Time to write the outbox (one local transaction per command, as clerks do).
    pub setup_s: f64,
    pub pending_before: u64,
    /// The `sync_once` call.
    pub measured: Measured,
    pub pushed: usize,
    pub applied: usize,
    pub conflicts: usize,
    pub rejected: usize,
    pub pull_pages: usize,
    pub pull_changes: usize,
    pub pending_after: u64,
    pub local_records: u64,
}

/// What the pull client measured.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PullOut {
    pub measured: Measured,
    pub pages: usize,
    pub changes: usize,
    pub local_records: u64,
}

/// Latency percentiles (nearest rank), milliseconds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Percentiles {
    pub n: usize,
    pub mean: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

impl Percentiles {
    pub fn of(samples: &mut [f64]) -> Percentiles {
        samples.sort_by(f64::total_cmp);
        let n = samples.len();
        let rank = |p: f64| -> f64 {
            if n == 0 {
                return 0.0;
            }
            let i = ((p / 100.0) * n as f64).ceil() as usize;
            samples[i.clamp(1, n) - 1]
        };
        Percentiles {
            n,
            mean: if n == 0 {
                0.0
            } else {
                samples.iter().sum::<f64>() / n as f64
            },
            p50: rank(50.0),
            p95: rank(95.0),
            p99: rank(99.0),
            max: samples.last().copied().unwrap_or(0.0),
        }
    }
}

/// What the load client measured.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoadOut {
    pub target: String,
    pub clients: usize,
    pub per_client: usize,
    pub think_ms: u64,
    /// Sign-in (central) or one warm-up request (hello) of every client, not measured.
    pub prepare_s: f64,
    /// From the moment all clients start to the last answer.
    pub measured: Measured,
    /// Answered requests (for central: pushes whose command was applied).
    pub ok: u64,
    /// Requests that failed (transport or error answer); each is retried (same seq).
    pub errors: u64,
    /// Central answered, but the command was not applied (conflict / rejected).
    pub not_applied: u64,
    pub throughput_per_s: f64,
    /// Latency of the answered requests.
    pub latency_ms: Percentiles,
    /// HTTP version seen (hello; the central client is built the same way).
    pub http_version: String,
}

fn client_config(conn: &Conn) -> ClientConfig {
    let mut c = ClientConfig::new(conn.url.clone(), env!("CARGO_PKG_VERSION"));
    c.root_ca_pem_path = Some(conn.ca.clone());
    c
}

/// Runs a client command and returns its JSON line.
pub async fn run(cmd: ClientCommand) -> Result<String, String> {
    let json = match cmd {
        ClientCommand::Push {
            conn,
            user,
            office,
            count,
            push_batch,
            pull_limit,
        } => serde_json::to_string(
            &push(&conn, &user, &office, count, push_batch, pull_limit).await?,
        ),
        ClientCommand::Pull {
            conn,
            user,
            pull_limit,
        } => serde_json::to_string(&pull(&conn, &user, pull_limit).await?),
        ClientCommand::Load {
            conn,
            target,
            user_prefix,
            offices,
            clients,
            per_client,
            think_ms,
        } => {
            let offices: Vec<String> = offices
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            if offices.is_empty() {
                return Err("--offices is empty".into());
            }
            let plan = LoadPlan {
                user_prefix,
                offices,
                clients,
                per_client,
                think: Duration::from_millis(think_ms),
            };
            let out = match target.as_str() {
                "central" => load_central(&conn, &plan).await?,
                "hello" => load_hello(&conn, &plan).await?,
                other => return Err(format!("unknown --target {other}")),
            };
            serde_json::to_string(&out)
        }
    };
    json.map_err(|e| e.to_string())
}

/// A signed-in client with its own local store in a temporary folder.
struct LocalClient {
    store: SharedStore,
    auth: Arc<Auth>,
    _dir: tempfile::TempDir,
}

async fn sign_in(conn: &Conn, user: &str) -> Result<LocalClient, String> {
    let dir = tempfile::Builder::new()
        .prefix("kyosai-bench-client-")
        .tempdir()
        .map_err(|e| format!("temp dir: {e}"))?;
    let path = dir.path().join("profiles/bench/kyosai.sqlite3");
    let store = Store::open(&path).map_err(|e| format!("local store: {e}"))?;
    let store: SharedStore = Arc::new(Mutex::new(store));
    let api = Api::new(client_config(conn)).map_err(|e| e.to_string())?;
    let auth = Arc::new(Auth::new(
        api,
        Arc::new(MemorySecretStore::new()),
        "bench",
        "KYOSAI-BENCH-PC",
    ));
    auth.sign_in(&store, user, PASSWORD)
        .await
        .map_err(|e| format!("sign-in {user}: {e}"))?;
    Ok(LocalClient {
        store,
        auth,
        _dir: dir,
    })
}

/// Runs `f` on the store on a blocking thread.
async fn with_store<T: Send + 'static>(
    store: &SharedStore,
    f: impl FnOnce(&mut Store) -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || {
        let mut guard = store.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    })
    .await
    .map_err(|e| format!("store task: {e}"))?
}

async fn push(
    conn: &Conn,
    user: &str,
    office: &str,
    count: usize,
    push_batch: usize,
    pull_limit: u32,
) -> Result<PushOut, String> {
    let client = sign_in(conn, user).await?;
    // The outbox, written as the app writes it: one `record_create_local` (draft +
    // command, one transaction) per record.
    let started = Instant::now();
    let office_code = office.to_string();
    with_store(&client.store, move |s| {
        for i in 0..count {
            let (title, body) = fixtures::note(i, &office_code);
            s.sync()
                .record_create_local(fixtures::KIND, &office_code, &title, &body)
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    })
    .await?;
    let setup_s = started.elapsed().as_secs_f64();
    let pending_before = with_store(&client.store, |s| {
        s.sync()
            .counts()
            .map(|c| c.pending)
            .map_err(|e| e.to_string())
    })
    .await?;

    let options = EngineOptions {
        push_batch,
        pull_limit,
        ..EngineOptions::default()
    };
    let meter = Meter::start();
    let report = sync_once(&client.store, &client.auth, &options)
        .await
        .map_err(|e| format!("sync_once: {} {}", e.code, e.message))?;
    let measured = meter.stop();

    let (pending_after, local_records, client_id) = with_store(&client.store, |s| {
        let sync = s.sync();
        let pending = sync.counts().map_err(|e| e.to_string())?.pending;
        let records = sync.record_count().map_err(|e| e.to_string())?;
        let client_id = sync.state().map_err(|e| e.to_string())?.client_id;
        Ok((pending, records, client_id))
    })
    .await?;
    Ok(PushOut {
        client_id,
        commands: count,
        setup_s,
        pending_before,
        measured,
        pushed: report.pushed,
        applied: report.applied,
        conflicts: report.conflicts,
        rejected: report.rejected,
        pull_pages: report.pages,
        pull_changes: report.changes,
        pending_after,
        local_records,
    })
}

async fn pull(conn: &Conn, user: &str, pull_limit: u32) -> Result<PullOut, String> {
    let client = sign_in(conn, user).await?;
    let options = EngineOptions {
        pull_limit,
        ..EngineOptions::default()
    };
    let meter = Meter::start();
    let report = sync_once(&client.store, &client.auth, &options)
        .await
        .map_err(|e| format!("sync_once: {} {}", e.code, e.message))?;
    let measured = meter.stop();
    let local_records = with_store(&client.store, |s| {
        s.sync().record_count().map_err(|e| e.to_string())
    })
    .await?;
    Ok(PullOut {
        measured,
        pages: report.pages,
        changes: report.changes,
        local_records,
    })
}

#[derive(Debug, Clone)]
struct LoadPlan {
    user_prefix: String,
    offices: Vec<String>,
    clients: usize,
    per_client: usize,
    think: Duration,
}

impl LoadPlan {
    fn office(&self, client: usize) -> String {
        self.offices[client % self.offices.len()].clone()
    }
}

/// What one simulated client did.
#[derive(Debug, Default)]
struct ClientTally {
    latencies_ms: Vec<f64>,
    errors: u64,
    not_applied: u64,
    http_version: Option<String>,
}

/// A request one client makes: the k-th (1-based) of its run. `Ok(applied)`.
trait Requester: Send + Sync + 'static {
    fn request(
        &self,
        k: u64,
    ) -> impl std::future::Future<Output = Result<(bool, Option<String>), String>> + Send;
}

/// A small deterministic generator (SplitMix64): the same pacing on every run.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// More attempts than this at one request and the client gives up (the run continues).
const MAX_ATTEMPTS: u32 = 5;

/// The harness both targets share: prepared clients wait at a barrier, then each sends
/// its requests one after the other (closed loop), timing each.
async fn drive<R: Requester>(plan: &LoadPlan, clients: Vec<R>) -> (Vec<ClientTally>, Measured) {
    let barrier = Arc::new(Barrier::new(clients.len() + 1));
    let mut set = JoinSet::new();
    for (index, client) in clients.into_iter().enumerate() {
        let barrier = barrier.clone();
        let (per_client, think) = (plan.per_client as u64, plan.think);
        set.spawn(async move {
            let mut tally = ClientTally {
                latencies_ms: Vec::with_capacity(per_client as usize),
                ..ClientTally::default()
            };
            let mut rng = SplitMix64(index as u64);
            barrier.wait().await;
            if !think.is_zero() {
                // Clerks do not act in step: each starts at its own moment in the first
                // pause, so arrivals spread out instead of coming in bursts of all clients.
                tokio::time::sleep(think.mul_f64(rng.unit())).await;
            }
            'requests: for k in 1..=per_client {
                let mut attempts = 0;
                loop {
                    let t = Instant::now();
                    match client.request(k).await {
                        Ok((applied, version)) => {
                            tally.latencies_ms.push(t.elapsed().as_secs_f64() * 1000.0);
                            if !applied {
                                tally.not_applied += 1;
                            }
                            if tally.http_version.is_none() {
                                tally.http_version = version;
                            }
                            break;
                        }
                        Err(e) => {
                            tally.errors += 1;
                            attempts += 1;
                            eprintln!("request {k}: {e}");
                            if attempts >= MAX_ATTEMPTS {
                                break 'requests;
                            }
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    }
                }
                if !think.is_zero() {
                    tokio::time::sleep(think.mul_f64(0.5 + rng.unit())).await;
                }
            }
            tally
        });
    }
    barrier.wait().await;
    let meter = Meter::start();
    let mut tallies = Vec::new();
    while let Some(done) = set.join_next().await {
        if let Ok(t) = done {
            tallies.push(t);
        }
    }
    (tallies, meter.stop())
}

fn summarise(
    target: &str,
    plan: &LoadPlan,
    prepare_s: f64,
    tallies: Vec<ClientTally>,
    measured: Measured,
) -> LoadOut {
    let mut latencies = Vec::new();
    let (mut errors, mut not_applied) = (0, 0);
    let mut http_version = None;
    for t in tallies {
        latencies.extend(t.latencies_ms);
        errors += t.errors;
        not_applied += t.not_applied;
        http_version = http_version.or(t.http_version);
    }
    let answered = latencies.len() as u64;
    LoadOut {
        target: target.to_string(),
        clients: plan.clients,
        per_client: plan.per_client,
        think_ms: plan.think.as_millis() as u64,
        prepare_s,
        throughput_per_s: if measured.wall_s > 0.0 {
            answered as f64 / measured.wall_s
        } else {
            0.0
        },
        measured,
        ok: answered - not_applied,
        errors,
        not_applied,
        latency_ms: Percentiles::of(&mut latencies),
        http_version: http_version.unwrap_or_else(|| "?".into()),
    }
}

/// One simulated PC of the central service: its own HTTPS client (connection), device,
/// session and outbox id.
struct CentralClient {
    api: Api,
    token: String,
    client_id: Uuid,
    office: String,
    index: usize,
}

impl Requester for CentralClient {
    async fn request(&self, k: u64) -> Result<(bool, Option<String>), String> {
        let i = self.index * 1_000_000 + k as usize;
        let req = PushRequest {
            client_id: self.client_id,
            commands: vec![fixtures::create_command(k, i, &self.office)],
            audit_head: None,
        };
        let answer = self
            .api
            .push(&self.token, &req)
            .await
            .map_err(|e| format!("{} {}", e.code, e.message))?;
        let applied = answer
            .results
            .iter()
            .all(|r| matches!(r.outcome, Outcome::Applied { .. }));
        Ok((applied && answer.acknowledged_seq == k, None))
    }
}

async fn load_central(conn: &Conn, plan: &LoadPlan) -> Result<LoadOut, String> {
    let started = Instant::now();
    // Sign every client in, a few at a time (their TLS connections stay open after).
    let gate = Arc::new(Semaphore::new(16));
    let mut set = JoinSet::new();
    for index in 0..plan.clients {
        let (gate, conn) = (gate.clone(), conn.clone());
        let user = format!("{}{index:03}", plan.user_prefix);
        let office = plan.office(index);
        set.spawn(async move {
            let _permit = gate.acquire().await.map_err(|e| e.to_string())?;
            let api = Api::new(client_config(&conn)).map_err(|e| e.to_string())?;
            let session = api
                .login(&LoginRequest {
                    user_id: user.clone(),
                    password: PASSWORD.to_string(),
                    device: DeviceInfo {
                        device_id: Uuid::new_v4(),
                        name: format!("KYOSAI-BENCH-{index:03}"),
                    },
                })
                .await
                .map_err(|e| format!("sign-in {user}: {} {}", e.code, e.message))?;
            Ok::<_, String>(CentralClient {
                api,
                token: session.access_token,
                client_id: Uuid::new_v4(),
                office,
                index,
            })
        });
    }
    let mut clients = Vec::with_capacity(plan.clients);
    while let Some(done) = set.join_next().await {
        clients.push(done.map_err(|e| e.to_string())??);
    }
    let prepare_s = started.elapsed().as_secs_f64();
    let (tallies, measured) = drive(plan, clients).await;
    let mut out = summarise("central", plan, prepare_s, tallies, measured);
    // The app's client negotiates like the hello client below (same reqwest build).
    out.http_version = "same as hello (reqwest + ALPN)".into();
    Ok(out)
}

/// One simulated PC of the hello-world: its own HTTPS client built like the app's.
struct HelloClient {
    http: reqwest::Client,
    url: url::Url,
    office: String,
    index: usize,
}

impl Requester for HelloClient {
    async fn request(&self, k: u64) -> Result<(bool, Option<String>), String> {
        let i = self.index * 1_000_000 + k as usize;
        let req = PushRequest {
            client_id: Uuid::nil(),
            commands: vec![fixtures::create_command(k, i, &self.office)],
            audit_head: None,
        };
        let response = self
            .http
            .post(self.url.clone())
            .json(&req)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let version = format!("{:?}", response.version());
        if !response.status().is_success() {
            return Err(format!("HTTP {}", response.status()));
        }
        let body = response.bytes().await.map_err(|e| e.to_string())?;
        let answer: serde_json::Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
        Ok((answer["commands"] == 1, Some(version)))
    }
}

/// An HTTPS client as `kyosai_sync_client::Api` builds one: rustls, the test CA added to
/// the OS roots, TLS 1.2 minimum, the same timeouts.
fn hello_http(ca: &Path) -> Result<reqwest::Client, String> {
    let pem = std::fs::read(ca).map_err(|e| format!("{}: {e}", ca.display()))?;
    let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| e.to_string())?;
    let timeouts = kyosai_sync_client::Timeouts::default();
    reqwest::Client::builder()
        .user_agent(concat!("KyosaiDesk/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(timeouts.connect)
        .timeout(timeouts.request)
        .https_only(true)
        .tls_version_min(reqwest::tls::Version::TLS_1_2)
        .tls_certs_merge(certs)
        .build()
        .map_err(|e| e.to_string())
}

async fn load_hello(conn: &Conn, plan: &LoadPlan) -> Result<LoadOut, String> {
    let started = Instant::now();
    let url = url::Url::parse(&conn.url)
        .and_then(|u| u.join("/hello"))
        .map_err(|e| e.to_string())?;
    let gate = Arc::new(Semaphore::new(16));
    let mut set = JoinSet::new();
    for index in 0..plan.clients {
        let (gate, url, ca) = (gate.clone(), url.clone(), conn.ca.clone());
        let office = plan.office(index);
        set.spawn(async move {
            let _permit = gate.acquire().await.map_err(|e| e.to_string())?;
            let client = HelloClient {
                http: hello_http(&ca)?,
                url,
                office,
                index,
            };
            // Warm-up (not measured): opens the connection, as sign-in does for central.
            client.request(0).await?;
            Ok::<_, String>(client)
        });
    }
    let mut clients = Vec::with_capacity(plan.clients);
    while let Some(done) = set.join_next().await {
        clients.push(done.map_err(|e| e.to_string())??);
    }
    let prepare_s = started.elapsed().as_secs_f64();
    let (tallies, measured) = drive(plan, clients).await;
    Ok(summarise("hello", plan, prepare_s, tallies, measured))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let mut v: Vec<f64> = (1..=100).map(f64::from).collect();
        let p = Percentiles::of(&mut v);
        assert_eq!((p.p50, p.p95, p.p99, p.max), (50.0, 95.0, 99.0, 100.0));
        assert!((p.mean - 50.5).abs() < 1e-9);
        let p = Percentiles::of(&mut []);
        assert_eq!(p.n, 0);
    }

    #[test]
    fn pacing_draws_are_uniform_and_repeatable() {
        let draws: Vec<f64> = {
            let mut r = SplitMix64(7);
            (0..10_000).map(|_| r.unit()).collect()
        };
        assert!(draws.iter().all(|u| (0.0..1.0).contains(u)));
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        assert!((mean - 0.5).abs() < 0.02, "{mean}");
        assert_eq!(SplitMix64(7).unit(), draws[0]);
    }
}
