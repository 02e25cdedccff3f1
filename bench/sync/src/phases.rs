//! The server side of each measurement: start a real central service (the crate's
//! [`TestServer`]: HTTPS on 127.0.0.1 with a fresh test CA, on SQLite or PostgreSQL),
//! set up its offices and users, run the client in a child process, and collect what the
//! server saw.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kyosai_central::config::Argon2Config;
use kyosai_central::testing::{TestBackend, TestServer};
use kyosai_sync_client::{Api, ClientConfig};
use kyosai_sync_protocol::{DeviceInfo, LoginRequest, Outcome, PushRequest, Role};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::child::{LoadOut, PullOut, PushOut};
use crate::fixtures::{self, OFFICES, PASSWORD};
use crate::hello::HelloServer;
use crate::observe::Observed;
use crate::procfs::{Measured, Meter};
use crate::Settings;

/// Push targets (issue 3): 10,000 commands in under 2 s.
pub const PUSH_TARGET_S: f64 = 2.0;
/// Pull target: 100,000 records in under 5 s.
pub const PULL_TARGET_S: f64 = 5.0;
/// Load target: p99 push latency under 100 ms with 200 clients.
pub const LOAD_P99_TARGET_MS: f64 = 100.0;
/// Commands per seeding push (the protocol's maximum).
const SEED_BATCH: usize = kyosai_sync_protocol::MAX_PUSH_COMMANDS;

pub fn backend_name(b: TestBackend) -> &'static str {
    match b {
        TestBackend::Sqlite => "sqlite",
        TestBackend::Postgres => "postgres",
    }
}

/// Starts a central service for the benchmark.
///
/// - argon2 at its cheapest (the test server's default, set again here to say so): signing
///   in 200 users then takes milliseconds instead of ~200 × 30 ms of CPU at the production
///   cost (19 MiB, 2 passes). Sign-in happens before any timing; a push never hashes.
/// - PostgreSQL: the test server turns `synchronous_commit` off for speed; unless
///   `async_commit`, the benchmark turns it back on (the production default) and restarts
///   the service so every pooled connection commits durably, like SQLite's
///   `synchronous=FULL`.
pub async fn start_central(
    backend: TestBackend,
    settings: &Settings,
) -> Result<TestServer, String> {
    let async_commit = settings.pg_async_commit;
    // TestServer panics on failure (it is made for tests): run it in a task so a panic
    // becomes this phase's error instead of ending the benchmark.
    let server = tokio::spawn(async move {
        let mut server = TestServer::start_with(backend, |c| {
            c.auth.argon2 = Argon2Config::insecure_for_tests();
            // No refresh in the middle of a long run.
            c.auth.access_token_lifetime = Duration::from_secs(4 * 3600);
        })
        .await;
        if backend == TestBackend::Postgres && !async_commit {
            durable_commits(&server.config().storage).await;
            server.restart().await;
        }
        server
    })
    .await
    .map_err(|e| {
        format!(
            "starting the {} central service: {}",
            backend_name(backend),
            panic_text(e)
        )
    })?;
    Ok(server)
}

fn panic_text(e: tokio::task::JoinError) -> String {
    match e.try_into_panic() {
        Ok(p) => p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "panic".into()),
        Err(e) => e.to_string(),
    }
}

/// `ALTER DATABASE <this test database> SET synchronous_commit = on` (new sessions).
async fn durable_commits(url: &str) {
    let Ok((client, connection)) = tokio_postgres::connect(url, tokio_postgres::NoTls).await else {
        panic!("cannot connect to the test database to restore synchronous_commit");
    };
    let conn = tokio::spawn(connection);
    let sql = "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET synchronous_commit = on', current_database()); END $$";
    if let Err(e) = client.batch_execute(sql).await {
        panic!("cannot restore synchronous_commit: {e}");
    }
    drop(client);
    let _ = conn.await;
}

async fn add_offices(server: &TestServer, n: usize) {
    for (code, name) in OFFICES.iter().take(n.clamp(1, OFFICES.len())) {
        server.add_office(code, name).await;
    }
}

fn office_codes(n: usize) -> Vec<&'static str> {
    OFFICES
        .iter()
        .take(n.clamp(1, OFFICES.len()))
        .map(|(c, _)| *c)
        .collect()
}

/// Runs `kyosai-bench-sync client ARGS…` and reads its JSON line. Killed at `timeout`.
async fn run_child<T: DeserializeOwned>(args: Vec<String>, timeout: Duration) -> Result<T, String> {
    let exe = std::env::current_exe().map_err(|e| format!("own path: {e}"))?;
    let child = tokio::process::Command::new(exe)
        .arg("client")
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("starting the client process: {e}"))?;
    let output = tokio::time::timeout(timeout, child.wait_with_output())
        .await
        .map_err(|_| {
            format!(
                "the client process ({}) did not finish within {} s and was stopped",
                args.join(" "),
                timeout.as_secs()
            )
        })?
        .map_err(|e| format!("client process: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .ok_or_else(|| {
            format!(
                "the client process printed no result (exit {})",
                output.status
            )
        })?;
    if let Ok(e) = serde_json::from_str::<ChildError>(line) {
        return Err(e.error);
    }
    serde_json::from_str(line).map_err(|e| format!("client result: {e}: {line}"))
}

#[derive(Deserialize)]
struct ChildError {
    error: String,
}

fn conn_args(server_url: &str, ca: &std::path::Path) -> Vec<String> {
    vec![
        "--url".into(),
        server_url.into(),
        "--ca".into(),
        ca.display().to_string(),
    ]
}

/// Push phase results.
#[derive(Debug, Clone, Serialize)]
pub struct PushResult {
    pub client: PushOut,
    /// From `sync_once`'s start to the server committing the last push (server clock
    /// events; the client then still applies that last answer and pulls back).
    pub push_part_s: Option<f64>,
    /// Pushes the server committed during the call, and commands in them.
    pub server_pushes: usize,
    pub server_commands: u64,
    /// Distinct seqs the server holds for the client (exactly-once check).
    pub server_command_count: u64,
    pub server: Measured,
    pub target_s: f64,
    pub pass: bool,
}

pub async fn push_phase(
    backend: TestBackend,
    settings: &Settings,
    observed: &Observed,
) -> Result<PushResult, String> {
    let server = start_central(backend, settings).await?;
    add_offices(&server, 1).await;
    let office = OFFICES[0].0;
    server
        .add_user(
            "bench.push",
            &fixtures::person(0),
            &[Role::OfficeClerk],
            Some(office),
            PASSWORD,
        )
        .await;
    let mut args = vec!["push".to_string()];
    args.extend(conn_args(&server.base_url, server.ca_pem_path()));
    args.extend([
        "--user".into(),
        "bench.push".into(),
        "--office".into(),
        office.into(),
        "--count".into(),
        settings.commands.to_string(),
        "--push-batch".into(),
        settings.push_batch.to_string(),
        "--pull-limit".into(),
        settings.pull_limit.to_string(),
    ]);
    observed.take();
    let meter = Meter::start();
    let client: Result<PushOut, String> = run_child(args, settings.timeout).await;
    let server_m = meter.stop();
    let events = observed.take();
    let client = match client {
        Ok(c) => c,
        Err(e) => {
            server.stop().await;
            return Err(e);
        }
    };
    let start = client.measured.start_unix_us;
    let in_call: Vec<_> = events.iter().filter(|e| e.at_unix_us >= start).collect();
    let push_part_s = in_call
        .iter()
        .map(|e| e.at_unix_us)
        .max()
        .map(|last| (last - start) as f64 / 1e6);
    let server_command_count = server.command_count(client.client_id).await;
    server.stop().await;
    let complete = client.applied == settings.commands
        && client.pending_after == 0
        && server_command_count == settings.commands as u64;
    if !complete {
        return Err(format!(
            "push incomplete: applied {} of {}, {} still pending, server holds {}",
            client.applied, settings.commands, client.pending_after, server_command_count
        ));
    }
    Ok(PushResult {
        pass: client.measured.wall_s < PUSH_TARGET_S,
        push_part_s,
        server_pushes: in_call.len(),
        server_commands: in_call.iter().map(|e| e.commands).sum(),
        server_command_count,
        server: server_m,
        target_s: PUSH_TARGET_S,
        client,
    })
}

/// How the pull phase's server was filled.
#[derive(Debug, Clone, Serialize)]
pub struct SeedInfo {
    pub records: usize,
    pub offices: usize,
    /// Clients pushing at once (one clerk per office), each in batches of `batch`.
    pub seeders: usize,
    pub batch: usize,
    pub seconds: f64,
    pub records_per_s: f64,
    pub method: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PullResult {
    pub seed: SeedInfo,
    pub client: PullOut,
    pub server: Measured,
    pub target_s: f64,
    pub pass: bool,
}

pub async fn pull_phase(
    backend: TestBackend,
    settings: &Settings,
    observed: &Observed,
) -> Result<PullResult, String> {
    let server = start_central(backend, settings).await?;
    let result = pull_on(&server, settings, observed).await;
    server.stop().await;
    result
}

async fn pull_on(
    server: &TestServer,
    settings: &Settings,
    observed: &Observed,
) -> Result<PullResult, String> {
    let seeders = settings.seeders.clamp(1, OFFICES.len());
    add_offices(server, seeders).await;
    for (i, office) in office_codes(seeders).into_iter().enumerate() {
        server
            .add_user(
                &format!("bench.seed{i}"),
                &fixtures::person(i),
                &[Role::OfficeClerk],
                Some(office),
                PASSWORD,
            )
            .await;
    }
    server
        .add_user(
            "bench.reviewer",
            "山本 亮",
            &[Role::SecretariatReviewer],
            None,
            PASSWORD,
        )
        .await;
    let seed = seed(server, settings.records, seeders).await?;
    observed.take();

    let mut args = vec!["pull".to_string()];
    args.extend(conn_args(&server.base_url, server.ca_pem_path()));
    args.extend([
        "--user".into(),
        "bench.reviewer".into(),
        "--pull-limit".into(),
        settings.pull_limit.to_string(),
    ]);
    let meter = Meter::start();
    let client: PullOut = run_child(args, settings.timeout).await?;
    let server_m = meter.stop();
    if client.local_records != settings.records as u64 {
        return Err(format!(
            "pull incomplete: {} of {} records in the local store",
            client.local_records, settings.records
        ));
    }
    Ok(PullResult {
        pass: client.measured.wall_s < PULL_TARGET_S,
        seed,
        client,
        server: server_m,
        target_s: PULL_TARGET_S,
    })
}

/// Fills the server through its own API: one clerk per office signs in and pushes
/// `record.create@1` commands in batches of 500 (the protocol's maximum), all clerks at
/// once. Every command must come back applied.
async fn seed(server: &TestServer, records: usize, seeders: usize) -> Result<SeedInfo, String> {
    let started = Instant::now();
    let mut set = JoinSet::new();
    let per = records.div_ceil(seeders);
    for (s, office) in office_codes(seeders).into_iter().enumerate() {
        let first = s * per;
        let count = per.min(records.saturating_sub(first));
        let mut config = ClientConfig::new(server.base_url.clone(), env!("CARGO_PKG_VERSION"));
        config.root_ca_pem_path = Some(PathBuf::from(server.ca_pem_path()));
        set.spawn(seed_one(
            config,
            format!("bench.seed{s}"),
            office,
            first,
            count,
        ));
    }
    while let Some(done) = set.join_next().await {
        done.map_err(|e| e.to_string())??;
    }
    let seconds = started.elapsed().as_secs_f64();
    Ok(SeedInfo {
        records,
        offices: seeders,
        seeders,
        batch: SEED_BATCH,
        seconds,
        records_per_s: records as f64 / seconds.max(1e-9),
        method: format!(
            "POST /sync/v1/push over TLS: {seeders} clerks (one per office) at once, {SEED_BATCH} record.create@1 commands a push"
        ),
    })
}

async fn seed_one(
    config: ClientConfig,
    user: String,
    office: &'static str,
    first: usize,
    count: usize,
) -> Result<(), String> {
    let api = Arc::new(Api::new(config).map_err(|e| e.to_string())?);
    let session = api
        .login(&LoginRequest {
            user_id: user.clone(),
            password: PASSWORD.into(),
            device: DeviceInfo {
                device_id: Uuid::new_v4(),
                name: format!("SEED-{user}"),
            },
        })
        .await
        .map_err(|e| format!("seed sign-in {user}: {}", e.message))?;
    let client_id = Uuid::new_v4();
    let mut seq = 0u64;
    let mut done = 0usize;
    while done < count {
        let n = SEED_BATCH.min(count - done);
        let commands = (0..n)
            .map(|j| {
                seq += 1;
                fixtures::create_command(seq, first + done + j, office)
            })
            .collect();
        let req = PushRequest {
            client_id,
            commands,
            audit_head: None,
        };
        let answer = api
            .push(&session.access_token, &req)
            .await
            .map_err(|e| format!("seed push: {} {}", e.code, e.message))?;
        if let Some(bad) = answer
            .results
            .iter()
            .find(|r| !matches!(r.outcome, Outcome::Applied { .. }))
        {
            return Err(format!(
                "seed: command {} not applied: {:?}",
                bad.seq, bad.outcome
            ));
        }
        done += n;
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct LoadResult {
    pub client: LoadOut,
    pub server: Measured,
    /// Pushes the server committed during the run (central only).
    pub server_pushes: Option<usize>,
    pub offices: usize,
    pub target_p99_ms: f64,
    pub pass: bool,
}

/// How the load clients pace themselves.
#[derive(Debug, Clone, Copy)]
pub struct Pacing {
    pub per_client: usize,
    /// Pause after each answer; 0 is a closed loop (as fast as the server answers).
    pub think_ms: u64,
}

pub async fn load_phase(
    backend: TestBackend,
    settings: &Settings,
    observed: &Observed,
    pacing: Pacing,
) -> Result<LoadResult, String> {
    let server = start_central(backend, settings).await?;
    let result = load_on(&server, settings, observed, pacing).await;
    server.stop().await;
    result
}

async fn load_on(
    server: &TestServer,
    settings: &Settings,
    observed: &Observed,
    pacing: Pacing,
) -> Result<LoadResult, String> {
    let offices = settings.load_offices.clamp(1, OFFICES.len());
    add_offices(server, offices).await;
    let codes = office_codes(offices);
    for i in 0..settings.clients {
        server
            .add_user(
                &format!("bench.c{i:03}"),
                &fixtures::person(i),
                &[Role::OfficeClerk],
                Some(codes[i % codes.len()]),
                PASSWORD,
            )
            .await;
    }
    observed.take();
    let args = load_args(
        "central",
        &server.base_url,
        server.ca_pem_path(),
        &codes,
        settings,
        pacing,
    );
    let meter = Meter::start();
    let client: LoadOut = run_child(args, settings.timeout).await?;
    let server_m = meter.stop();
    let pushes = observed
        .take()
        .iter()
        .filter(|e| e.at_unix_us >= client.measured.start_unix_us)
        .count();
    Ok(LoadResult {
        pass: client.latency_ms.p99 < LOAD_P99_TARGET_MS && client.errors == 0,
        server_pushes: Some(pushes),
        offices,
        client,
        server: server_m,
        target_p99_ms: LOAD_P99_TARGET_MS,
    })
}

fn load_args(
    target: &str,
    url: &str,
    ca: &std::path::Path,
    codes: &[&str],
    settings: &Settings,
    pacing: Pacing,
) -> Vec<String> {
    let mut args = vec!["load".to_string()];
    args.extend(conn_args(url, ca));
    args.extend([
        "--target".into(),
        target.into(),
        "--user-prefix".into(),
        "bench.c".into(),
        "--offices".into(),
        codes.join(","),
        "--clients".into(),
        settings.clients.to_string(),
        "--per-client".into(),
        pacing.per_client.to_string(),
        "--think-ms".into(),
        pacing.think_ms.to_string(),
    ]);
    args
}

/// The floor: the same harness against the axum hello-world, on certificates made by the
/// same rcgen code (`kyosai_central::certs`) the test server uses.
pub async fn floor_phase(settings: &Settings) -> Result<LoadResult, String> {
    let dir = tempfile::Builder::new()
        .prefix("kyosai-bench-hello-")
        .tempdir()
        .map_err(|e| format!("temp dir: {e}"))?;
    let certs =
        kyosai_central::certs::generate(&["127.0.0.1".to_string(), "localhost".to_string()])
            .map_err(|e| format!("certificates: {e}"))?;
    let paths = kyosai_central::certs::write(dir.path(), &certs)
        .map_err(|e| format!("certificates: {e}"))?;
    let hello = HelloServer::start(&paths.server_cert, &paths.server_key).await?;
    let offices = settings.load_offices.clamp(1, OFFICES.len());
    let codes = office_codes(offices);
    let pacing = Pacing {
        per_client: settings.per_client,
        think_ms: settings.think_ms,
    };
    let args = load_args(
        "hello",
        &hello.base_url(),
        &paths.ca,
        &codes,
        settings,
        pacing,
    );
    let meter = Meter::start();
    let client: Result<LoadOut, String> = run_child(args, settings.timeout).await;
    let server_m = meter.stop();
    hello.stop().await;
    let client = client?;
    Ok(LoadResult {
        pass: client.latency_ms.p99 < LOAD_P99_TARGET_MS && client.errors == 0,
        server_pushes: None,
        offices,
        client,
        server: server_m,
        target_p99_ms: LOAD_P99_TARGET_MS,
    })
}
