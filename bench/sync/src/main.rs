//! `kyosai-bench-sync`: how fast sync is against the real central service over loopback
//! TLS, on SQLite and PostgreSQL, beside an axum hello-world on the same TLS setup.
//!
//! ```text
//! kyosai-bench-sync [--backend auto|sqlite|postgres|all] [--json target/bench/sync.json]
//! ```
//!
//! Three measurements per storage backend, each on a fresh in-process central service
//! (`kyosai_central::testing::TestServer`: HTTPS on 127.0.0.1, fresh test CA), with the
//! client in a child process of this binary (its own runtime and memory):
//!
//! 1. **push** — a clerk's local store (`kyosai-store`, a real SQLite file) holds 10,000
//!    `record.create@1` commands written with `record_create_local`; `sync_once` (the
//!    app's cycle: push everything, then pull) is timed until it returns with all applied.
//! 2. **pull** — the server is seeded with 100,000 records through its own push API;
//!    a secretariat reviewer on a new PC pulls everything with `sync_once`.
//! 3. **load** — 200 signed-in clients (own user, device, client id, TLS connection)
//!    each push 100 times one command with `Api::push`, closed loop; per-request latency
//!    percentiles and throughput. The same harness then runs against an axum hello-world
//!    (the floor). A paced variant (each client pauses about 1 s after each answer, at
//!    random moments, so the clients are not in step) shows the latency at an offered load
//!    well below saturation.
//!
//! Targets (issue 3) — push < 2 s, pull < 5 s, p99 < 100 ms — are reported as PASS / MISS
//! and never fail the run: the exit status is 0 when every measurement completed, 1 when
//! one could not run, 2 on a bad command line. See `docs/benchmarks.md`.
//!
//! What it is not: a correctness test (the sync-client and central test suites are), nor
//! a model of real clerks' pacing (the load is closed-loop, no think time by default).

// A benchmark's report is its standard output.
#![allow(clippy::print_stdout)]

mod child;
mod fixtures;
mod hello;
mod observe;
mod phases;
mod procfs;
mod report;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use kyosai_central::testing::{TestBackend, PG_URL_VAR, SKIP_PG_VAR};
use kyosai_sync_client::EngineOptions;

use crate::observe::Observed;
use crate::phases::Pacing;
use crate::report::{BackendReport, Report};

#[derive(Debug, Parser)]
#[command(
    name = "kyosai-bench-sync",
    about = "Sync benchmark against the real central service over loopback TLS (see docs/benchmarks.md)",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// (internal) The client side of one measurement; prints one JSON line.
    #[command(subcommand, hide = true)]
    Client(child::ClientCommand),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BackendChoice {
    /// SQLite, and PostgreSQL when KYOSAI_TEST_PG_URL is set (and KYOSAI_SKIP_PG is not 1).
    Auto,
    Sqlite,
    Postgres,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Phase {
    Push,
    Pull,
    Load,
    Paced,
    Floor,
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// Storage backends to measure.
    #[arg(long, value_enum, default_value = "auto")]
    backend: BackendChoice,
    /// Measurements to run (comma-separated).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "push,pull,load,paced,floor"
    )]
    phases: Vec<Phase>,
    /// Where to write the JSON report.
    #[arg(long, default_value = "target/bench/sync.json")]
    json: PathBuf,
    /// Commands in the outbox for the push measurement.
    #[arg(long, default_value_t = 10_000)]
    commands: usize,
    /// Records on the server for the pull measurement.
    #[arg(long, default_value_t = 100_000)]
    records: usize,
    /// Clerks (one per office) seeding the pull measurement's server at once.
    #[arg(long, default_value_t = 4)]
    seeders: usize,
    /// Concurrent simulated clients for the load measurement.
    #[arg(long, default_value_t = 200)]
    clients: usize,
    /// Pushes per client (one command each) in the load measurement.
    #[arg(long, default_value_t = 100)]
    per_client: usize,
    /// Offices the load measurement's clients are spread over.
    #[arg(long, default_value_t = 10)]
    load_offices: usize,
    /// Mean pause after each answer in the load measurement (0: closed loop, as fast as
    /// possible; otherwise paced like --paced-think-ms).
    #[arg(long, default_value_t = 0)]
    think_ms: u64,
    /// The paced load: mean pause after each answer (uniform 0.5-1.5x, seeded per client;
    /// each client starts at a random moment within the first pause).
    #[arg(long, default_value_t = 1_000)]
    paced_think_ms: u64,
    /// The paced load: pushes per client.
    #[arg(long, default_value_t = 20)]
    paced_per_client: usize,
    /// Commands per push in `sync_once` (the app's default).
    #[arg(long, default_value_t = EngineOptions::default().push_batch)]
    push_batch: usize,
    /// Changes per pull page in `sync_once` (the app's default).
    #[arg(long, default_value_t = EngineOptions::default().pull_limit)]
    pull_limit: u32,
    /// PostgreSQL: keep the test server's `synchronous_commit = off` (default: on, as in
    /// production).
    #[arg(long)]
    pg_async_commit: bool,
    /// A client process still running after this many seconds is stopped (a failed run).
    #[arg(long, default_value_t = 900)]
    timeout: u64,
}

/// What every phase needs to know.
#[derive(Debug, Clone)]
pub struct Settings {
    pub commands: usize,
    pub records: usize,
    pub seeders: usize,
    pub clients: usize,
    pub per_client: usize,
    pub load_offices: usize,
    pub think_ms: u64,
    pub paced_think_ms: u64,
    pub paced_per_client: usize,
    pub push_batch: usize,
    pub pull_limit: u32,
    pub pg_async_commit: bool,
    pub timeout: Duration,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kyosai-bench-sync: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        Some(Command::Client(cmd)) => runtime.block_on(async {
            match child::run(cmd).await {
                Ok(line) => {
                    println!("{line}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    println!("{}", serde_json::json!({ "error": e }));
                    ExitCode::FAILURE
                }
            }
        }),
        None => runtime.block_on(bench(cli.run)),
    }
}

fn backends(choice: BackendChoice) -> (Vec<TestBackend>, Option<String>) {
    let pg_configured = std::env::var_os(PG_URL_VAR).is_some();
    let pg_skipped = std::env::var(SKIP_PG_VAR).is_ok_and(|v| v == "1");
    match choice {
        BackendChoice::Sqlite => (vec![TestBackend::Sqlite], None),
        BackendChoice::Postgres => (vec![TestBackend::Postgres], None),
        BackendChoice::All => (vec![TestBackend::Sqlite, TestBackend::Postgres], None),
        BackendChoice::Auto if pg_configured && !pg_skipped => {
            (vec![TestBackend::Sqlite, TestBackend::Postgres], None)
        }
        BackendChoice::Auto => (
            vec![TestBackend::Sqlite],
            Some(format!(
                "PostgreSQL not measured: {}",
                if pg_skipped {
                    format!("{SKIP_PG_VAR}=1")
                } else {
                    format!("{PG_URL_VAR} is not set (scripts/bench-sync --postgres sets it)")
                }
            )),
        ),
    }
}

async fn bench(args: RunArgs) -> ExitCode {
    let settings = Settings {
        commands: args.commands,
        records: args.records,
        seeders: args.seeders,
        clients: args.clients,
        per_client: args.per_client,
        load_offices: args.load_offices,
        think_ms: args.think_ms,
        paced_think_ms: args.paced_think_ms,
        paced_per_client: args.paced_per_client,
        push_batch: args.push_batch,
        pull_limit: args.pull_limit,
        pg_async_commit: args.pg_async_commit,
        timeout: Duration::from_secs(args.timeout),
    };
    let observed = Observed::install();
    let (backends, pg_note) = backends(args.backend);
    let mut report = Report::new(&settings);
    if let Some(note) = pg_note {
        report.notes.push(note);
    }
    let wants = |p: Phase| args.phases.contains(&p);

    for backend in backends {
        let name = phases::backend_name(backend);
        let mut b = BackendReport::new(name);
        if wants(Phase::Push) {
            eprintln!("==> {name}: push {} commands", settings.commands);
            let (s, o) = (settings.clone(), observed.clone());
            match guarded(async move { phases::push_phase(backend, &s, &o).await }).await {
                Ok(r) => b.push = Some(r),
                Err(e) => b.errors.push(format!("push: {e}")),
            }
        }
        if wants(Phase::Pull) {
            eprintln!(
                "==> {name}: seed {} records, then pull them",
                settings.records
            );
            let (s, o) = (settings.clone(), observed.clone());
            match guarded(async move { phases::pull_phase(backend, &s, &o).await }).await {
                Ok(r) => b.pull = Some(r),
                Err(e) => b.errors.push(format!("pull: {e}")),
            }
        }
        if wants(Phase::Load) {
            eprintln!(
                "==> {name}: {} clients x {} pushes",
                settings.clients, settings.per_client
            );
            let (s, o) = (settings.clone(), observed.clone());
            let pacing = Pacing {
                per_client: settings.per_client,
                think_ms: settings.think_ms,
            };
            match guarded(async move { phases::load_phase(backend, &s, &o, pacing).await }).await {
                Ok(r) => b.load = Some(r),
                Err(e) => b.errors.push(format!("load: {e}")),
            }
        }
        if wants(Phase::Paced) {
            eprintln!(
                "==> {name}: {} clients x {} pushes, {} ms pause after each answer",
                settings.clients, settings.paced_per_client, settings.paced_think_ms
            );
            let (s, o) = (settings.clone(), observed.clone());
            let pacing = Pacing {
                per_client: settings.paced_per_client,
                think_ms: settings.paced_think_ms,
            };
            match guarded(async move { phases::load_phase(backend, &s, &o, pacing).await }).await {
                Ok(r) => b.paced = Some(r),
                Err(e) => b.errors.push(format!("paced load: {e}")),
            }
        }
        for e in &b.errors {
            eprintln!("{name}: {e}");
        }
        report.backends.push(b);
    }
    if wants(Phase::Floor) {
        eprintln!(
            "==> axum hello-world: {} clients x {} requests",
            settings.clients, settings.per_client
        );
        let s = settings.clone();
        match guarded(async move { phases::floor_phase(&s).await }).await {
            Ok(r) => report.floor = Some(r),
            Err(e) => {
                eprintln!("floor: {e}");
                report.errors.push(format!("floor: {e}"));
            }
        }
    }

    report.load_average_end = procfs::load_average();
    print!("{}", report.table());
    match report.write_json(&args.json) {
        Ok(()) => println!("JSON: {}", args.json.display()),
        Err(e) => {
            eprintln!("cannot write {}: {e}", args.json.display());
            return ExitCode::FAILURE;
        }
    }
    if report.has_errors() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Runs a phase as its own task: a panic (the test server panics on failure) becomes the
/// phase's error and the other phases still run.
async fn guarded<T: Send + 'static>(
    phase: impl std::future::Future<Output = Result<T, String>> + Send + 'static,
) -> Result<T, String> {
    match tokio::spawn(phase).await {
        Ok(r) => r,
        Err(e) => Err(match e.try_into_panic() {
            Ok(p) => p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panicked".into()),
            Err(e) => e.to_string(),
        }),
    }
}
