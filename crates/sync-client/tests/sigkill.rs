//! The client process is killed with SIGKILL at random points of push and pull, against
//! the real central service over TLS on 127.0.0.1 (SQLite and PostgreSQL).
//!
//! The test plays the clerk: between runs of the "app" it appends commands (creates and
//! updates, one transaction each) to one store file that lives across all trials, so the
//! outbox keeps growing under the same `client_id`. Each trial then starts the app process
//! (`tests/bin/fault_child.rs`, the bin target `kyosai-sync-fault-child`): it opens the
//! store, resumes its session from a file-based credential store or signs in, and runs the
//! real `SyncEngine` cycle after cycle. The test waits a seeded random time — mostly from
//! the start of the first cycle, so kills land inside push and inside pull, sometimes from
//! the process start, so they land in start-up and sign-in — and kills it (SIGKILL:
//! `Child::kill` on Unix). Some trials also have the server commit a push and cut its
//! response. Another clerk of the office adds records meanwhile, so pulls carry pages.
//!
//! After every kill: `integrity_check` ok, the outbox holds every command appended with
//! gapless seqs, no answered command is forgotten, and the server never holds more than
//! was appended. At the end one more app process syncs until the outbox is empty and
//! exits; then 0 lost (the server processed every seq) and 0 duplicated (each record's
//! version counts each of its commands once, titles are the last typed).
//!
//! Seeded: `KYOSAI_FAULT_SEED` (default 20261126). Trials: `KYOSAI_FAULT_TRIALS` (default
//! 100 per backend); the full run is
//! `KYOSAI_FAULT_TRIALS=1000 cargo test -p kyosai-sync-client --test sigkill`.
//! The timing of a kill is random but not reproducible to the microsecond (it races real
//! I/O); the seed fixes the work, the settings and the plan of each trial. The summary
//! line goes to stderr past the test harness's capture; `KYOSAI_FAULT_VERBOSE=1` also
//! prints each trial's transcript (the child's progress lines and the kill).
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader, Write as _};
use std::os::unix::process::ExitStatusExt as _;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use kyosai_central::testing::TestBackend;
use kyosai_store::sync::OutboxState;
use kyosai_store::Store;
use rand::rngs::StdRng;
use rand::{RngExt as _, SeedableRng};
use serde_json::json;
use support::{Clerk, PASSWORD, SHINJUKU};
use tokio::sync::mpsc;
use uuid::Uuid;

/// The app process (a bin target of this crate, built with the tests).
const CHILD: &str = env!("CARGO_BIN_EXE_kyosai-sync-fault-child");
const USER: &str = "sato.hanako";
const OTHER: &str = "suzuki.taro";

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkilled_client_loses_and_duplicates_nothing_sqlite() {
    sigkilled_client_loses_and_duplicates_nothing(TestBackend::Sqlite, "sigkill::sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkilled_client_loses_and_duplicates_nothing_postgres() {
    sigkilled_client_loses_and_duplicates_nothing(TestBackend::Postgres, "sigkill::postgres").await;
}

/// A line the child wrote to stderr, and when the test read it.
#[derive(Debug)]
struct Line {
    at: Instant,
    text: String,
}

/// One run of the app process. Killed and reaped on drop, so a failing test leaves no
/// process behind (the child also exits when its stdin, held here, closes).
struct AppProcess {
    child: Child,
    stdin: Option<ChildStdin>,
    started: Instant,
    rx: mpsc::UnboundedReceiver<Line>,
    log: Vec<Line>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl AppProcess {
    fn spawn(env: &[(&str, String)]) -> AppProcess {
        let mut cmd = Command::new(CHILD);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let started = Instant::now();
        let mut child = cmd.spawn().expect("start the app process");
        let stdin = child.stdin.take();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::unbounded_channel();
        let reader = std::thread::spawn(move || {
            for text in BufReader::new(stderr).lines() {
                let Ok(text) = text else { break };
                if tx
                    .send(Line {
                        at: Instant::now(),
                        text,
                    })
                    .is_err()
                {
                    break;
                }
            }
        });
        AppProcess {
            child,
            stdin,
            started,
            rx,
            log: Vec::new(),
            reader: Some(reader),
        }
    }

    /// Waits for a line that `pred` accepts; `None` when the process closed stderr first
    /// or `timeout` passed.
    async fn wait_for(
        &mut self,
        pred: impl Fn(&str) -> bool,
        timeout: Duration,
    ) -> Option<Instant> {
        if let Some(l) = self.log.iter().find(|l| pred(&l.text)) {
            return Some(l.at);
        }
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(line)) => {
                    let hit = pred(&line.text).then_some(line.at);
                    self.log.push(line);
                    if hit.is_some() {
                        return hit;
                    }
                }
                Ok(None) | Err(_) => return None,
            }
        }
    }

    /// SIGKILL, then reap; returns how it ended and everything it wrote.
    fn kill(&mut self) -> ExitStatus {
        let at = Instant::now();
        let _ = self.child.kill(); // fails only when it has already ended
        let status = self.child.wait().unwrap();
        self.collect();
        self.log.push(Line {
            at,
            text: "test: SIGKILL".to_string(),
        });
        self.log.sort_by_key(|l| l.at);
        status
    }

    /// Waits (at most `timeout`) for the process to end by itself.
    async fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                self.collect();
                return Some(status);
            }
            while let Ok(line) = self.rx.try_recv() {
                self.log.push(line);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        None
    }

    /// After the process ended: every line it wrote.
    fn collect(&mut self) {
        self.stdin.take();
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
        while let Ok(line) = self.rx.try_recv() {
            self.log.push(line);
        }
    }

    fn transcript(&self) -> String {
        self.log
            .iter()
            .map(|l| {
                format!(
                    "  {:>7.1} ms {}",
                    (l.at - self.started).as_secs_f64() * 1e3,
                    l.text
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn count(&self, prefix: &str) -> u64 {
        self.log
            .iter()
            .filter(|l| l.text.starts_with(prefix))
            .count() as u64
    }
}

impl Drop for AppProcess {
    fn drop(&mut self) {
        if self.reader.is_some() {
            let _ = self.child.kill();
            let _ = self.child.wait();
            self.collect();
        }
    }
}

/// Where a kill landed, from the child's last progress line and the outbox after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Landed {
    /// Before the first cycle: opening the store, restoring the session, signing in.
    Startup,
    /// In a cycle with unanswered commands left: the push phase.
    Push,
    /// In a cycle whose push had nothing (more) to send: the pull phase.
    Pull,
    /// Between cycles (after one ended, before the next started).
    Between,
}

fn landed(log: &[Line], pending_after: u64) -> Landed {
    let last = log
        .iter()
        .rev()
        .find(|l| l.text.starts_with("child: cycle "))
        .map(|l| l.text.as_str());
    let Some(last) = last else {
        return Landed::Startup;
    };
    if !last.contains(" start ") {
        return Landed::Between;
    }
    let pending_before: u64 = last
        .rsplit("pending=")
        .next()
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or(0);
    // Push sends the oldest unanswered commands until none is left, then pull runs.
    if pending_before > 0 && pending_after > 0 {
        Landed::Push
    } else {
        Landed::Pull
    }
}

#[derive(Debug, Default)]
struct Tally {
    startup: u64,
    push: u64,
    pull: u64,
    between: u64,
    cuts: u64,
    restored: u64,
    sign_ins: u64,
    creates: u64,
    updates: u64,
}

/// A running mean of a duration, for aiming the kills at this machine's speed.
struct Estimate(f64);

impl Estimate {
    fn add(&mut self, d: Duration) {
        self.0 = 0.7 * self.0 + 0.3 * d.as_secs_f64() * 1e6;
    }
    fn grow(&mut self) {
        self.0 *= 1.15;
    }
    fn micros(&self) -> u64 {
        self.0 as u64
    }
}

async fn sigkilled_client_loses_and_duplicates_nothing(backend: TestBackend, test: &str) {
    let Some(server) = support::start(backend, test).await else {
        return;
    };
    let began = Instant::now();
    let trials = env_u64("KYOSAI_FAULT_TRIALS", 100);
    let seed = env_u64("KYOSAI_FAULT_SEED", 20_261_126);
    let mut rng = StdRng::seed_from_u64(seed);
    let ca = server.ca_pem_path().to_path_buf();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("profiles/default/kyosai.sqlite3");
    let secrets = dir.path().join("secrets");
    let client_id = Store::open(&path)
        .unwrap()
        .sync()
        .state()
        .unwrap()
        .client_id;
    // Another clerk of the office, in this process, so the pulls carry pages.
    let other = Clerk::sign_in(&server.base_url, &ca, OTHER).await;
    let other_engine = other.engine(seed ^ 1);

    let base_env = |mode: &str| -> Vec<(&'static str, String)> {
        vec![
            ("KYOSAI_CHILD_MODE", mode.to_string()),
            ("KYOSAI_CHILD_STORE", path.display().to_string()),
            ("KYOSAI_CHILD_URL", server.base_url.clone()),
            ("KYOSAI_CHILD_CA", ca.display().to_string()),
            ("KYOSAI_CHILD_USER", USER.to_string()),
            ("KYOSAI_CHILD_PASSWORD", PASSWORD.to_string()),
            ("KYOSAI_CHILD_SECRETS", secrets.display().to_string()),
        ]
    };

    // What the clerk typed last, and how many updates, per record.
    let mut typed: BTreeMap<Uuid, (String, i64)> = BTreeMap::new();
    let mut appended = 0u64;
    let mut answered_before = 0u64;
    let mut tally = Tally::default();
    // From process start to the first cycle, to the first push answer, between two push
    // answers, a pull.
    let mut startup = Estimate(40_000.0);
    let mut first_trip = Estimate(50_000.0);
    let mut round_trip = Estimate(5_000.0);
    let mut pull = Estimate(20_000.0);

    for trial in 0..trials {
        // The clerk works between two runs of the app (one transaction per action).
        let actions = if rng.random_bool(0.1) {
            rng.random_range(20..=60)
        } else {
            rng.random_range(1..=12)
        };
        {
            let mut store = Store::open(&path).unwrap();
            for _ in 0..actions {
                appended += 1;
                if !typed.is_empty() && rng.random_bool(0.4) {
                    let id = *typed.keys().nth(rng.random_range(0..typed.len())).unwrap();
                    let title = format!("届出 {appended}（訂正）");
                    store
                        .sync()
                        .record_update_local(id, &title, &json!({ "n": appended }))
                        .unwrap();
                    let e = typed.get_mut(&id).unwrap();
                    *e = (title, e.1 + 1);
                    tally.updates += 1;
                } else {
                    let title = format!("届出 {appended}");
                    let (id, _) = store
                        .sync()
                        .record_create_local("note", SHINJUKU, &title, &json!({ "n": appended }))
                        .unwrap();
                    typed.insert(id, (title, 0));
                    tally.creates += 1;
                }
            }
        }
        // Someone else in the office works too.
        server.cut_push_responses(0);
        if rng.random_bool(0.5) {
            other.with(|s| {
                for i in 0..rng.random_range(1..=25) {
                    s.sync()
                        .record_create_local(
                            "note",
                            SHINJUKU,
                            &format!("鈴木 {trial}-{i}"),
                            &json!({}),
                        )
                        .unwrap();
                }
            });
            sync_until_ok(&other_engine).await;
        }
        // Sometimes the server commits the next push and cuts its response.
        let cut = rng.random_bool(0.15);
        if cut {
            server.cut_push_responses(1);
        }

        let push_batch = if rng.random_bool(0.2) {
            100u64
        } else {
            rng.random_range(1..=5u64)
        };
        let mut env = base_env("run");
        env.extend([
            ("KYOSAI_CHILD_PUSH_BATCH", push_batch.to_string()),
            (
                "KYOSAI_CHILD_PULL_LIMIT",
                rng.random_range(1..=40u32).to_string(),
            ),
            (
                "KYOSAI_CHILD_POKE",
                u8::from(rng.random_bool(0.2)).to_string(),
            ),
            ("KYOSAI_CHILD_SEED", (seed ^ trial).to_string()),
            ("KYOSAI_CHILD_TIME_LIMIT_SECS", "60".to_string()),
        ]);
        // Where to aim the kill: start-up, a point of the push (after a random share of
        // the unanswered commands was answered), or a point of the pull.
        let aim = match rng.random_range(0..20u32) {
            0..=1 => Landed::Startup,
            2..=10 => Landed::Push,
            _ => Landed::Pull,
        };
        let into_push = rng.random_range(0.0..1.0f64);
        let fraction = rng.random_range(0.0..1.0f64);
        let unanswered = appended - answered_before;

        let mut app = AppProcess::spawn(&env);
        let waited = match aim {
            Landed::Push => {
                // The push takes `trips` round trips of `push_batch` commands: kill within
                // a random one of them (the first also refreshes the session).
                let trips = unanswered.div_ceil(push_batch);
                let trip = (into_push * trips as f64) as u64;
                let left = unanswered - trip * push_batch;
                let waited = app
                    .wait_for(
                        |t| {
                            (trip == 0 && t.starts_with("child: cycle 1 start"))
                                || (trip > 0 && pending_line(t).is_some_and(|p| p <= left))
                        },
                        Duration::from_secs(30),
                    )
                    .await;
                let window = if trip == 0 { &first_trip } else { &round_trip };
                (waited, window.micros() as f64 * fraction)
            }
            Landed::Pull => {
                let waited = app
                    .wait_for(|t| pending_line(t) == Some(0), Duration::from_secs(30))
                    .await;
                // Within the pull (a little past it too).
                (waited, pull.micros() as f64 * 1.2 * fraction)
            }
            Landed::Startup | Landed::Between => {
                // Anywhere from exec to the first cycle: store open, restore, sign-in.
                (Some(app.started), startup.micros() as f64 * 1.1 * fraction)
            }
        };
        let (Some(at), delay) = waited else {
            let status = app.kill();
            panic!(
                "trial {trial}: the app process made no progress ({status}):\n{}",
                app.transcript()
            );
        };
        tokio::time::sleep_until((at + Duration::from_micros(delay as u64)).into()).await;
        let status = app.kill();
        assert_eq!(
            status.signal(),
            Some(9),
            "trial {trial}: the app process ended before the kill ({status}):\n{}",
            app.transcript()
        );
        // Learn this machine's pace from what the process reported: start-up, the gap
        // between two push answers, and the pull (a kill past the estimate that still
        // found the pull running says the estimate is short).
        if let Some(s) = find(&app.log, "child: cycle 1 start") {
            startup.add(s - app.started);
        }
        let answers: Vec<Instant> = app
            .log
            .iter()
            .filter(|l| pending_line(&l.text).is_some())
            .map(|l| l.at)
            .collect();
        if let (Some(s), Some(first)) = (find(&app.log, "child: cycle 1 start"), answers.first()) {
            first_trip.add(*first - s);
        }
        for w in answers.windows(2) {
            round_trip.add(w[1] - w[0]);
        }
        if let Some(z) = app
            .log
            .iter()
            .position(|l| pending_line(&l.text) == Some(0))
        {
            match app.log[z..]
                .iter()
                .find(|l| l.text.starts_with("child: cycle ") && !l.text.contains(" start "))
            {
                Some(end) => pull.add(end.at - app.log[z].at),
                None if aim == Landed::Pull && fraction * 1.2 >= 1.0 => pull.grow(),
                None => {}
            }
        }
        tally.restored += app.count("child: session restored");
        tally.sign_ins += app.count("child: signed in");
        if cut && server.pending_push_cuts() == 0 {
            tally.cuts += 1;
        }

        // What the next start of the app finds.
        let mut store = Store::open(&path).unwrap();
        let report = store.integrity_check().unwrap();
        assert!(report.ok, "trial {trial}: {report:?}\n{}", app.transcript());
        let state = store.sync().state().unwrap();
        let entries = store.sync().outbox_entries().unwrap();
        assert_eq!(state.client_id, client_id, "trial {trial}");
        assert_eq!(
            state.last_seq, appended,
            "trial {trial}: a command was lost"
        );
        assert_eq!(entries.len() as u64, appended, "trial {trial}: outbox rows");
        let mut answered = 0u64;
        for (i, e) in entries.iter().enumerate() {
            assert_eq!(e.seq, i as u64 + 1, "trial {trial}: seqs without gaps");
            match e.state {
                OutboxState::Pending => {}
                OutboxState::SentApplied => answered += 1,
                other => panic!(
                    "trial {trial}: seq {} {other:?} {:?} {:?}",
                    e.seq, e.result_code, e.result_message
                ),
            }
        }
        let pending_after = appended - answered;
        drop(store);
        assert!(
            answered >= answered_before,
            "trial {trial}: an answered command became unanswered"
        );
        answered_before = answered;
        let processed = server.command_count(client_id).await;
        assert!(
            processed >= answered && processed <= appended,
            "trial {trial}: server processed {processed}, answered {answered}, appended {appended}"
        );
        match landed(&app.log, pending_after) {
            Landed::Startup => tally.startup += 1,
            Landed::Push => tally.push += 1,
            Landed::Pull => tally.pull += 1,
            Landed::Between => tally.between += 1,
        }
        if std::env::var_os("KYOSAI_FAULT_VERBOSE").is_some() {
            let _ = writeln!(
                std::io::stderr(),
                "trial {trial}: {actions} actions, {:?}, pending {pending_after}, aimed {aim:?}, estimates {} / {} / {} / {} us\n{}",
                landed(&app.log, pending_after),
                startup.micros(),
                first_trip.micros(),
                round_trip.micros(),
                pull.micros(),
                app.transcript()
            );
        }
    }

    // The app starts once more and syncs until the outbox is empty.
    server.cut_push_responses(0);
    let mut app = AppProcess::spawn(&base_env("drain"));
    let status = app.wait_exit(Duration::from_secs(120)).await;
    assert!(
        status.is_some_and(|s| s.success()),
        "the last app run did not drain the outbox ({status:?}):\n{}",
        app.transcript()
    );
    sync_until_ok(&other_engine).await;

    let mut store = Store::open(&path).unwrap();
    let state = store.sync().state().unwrap();
    let entries = store.sync().outbox_entries().unwrap();
    assert_eq!(state.last_seq, appended);
    assert_eq!(entries.len() as u64, appended);
    for e in &entries {
        assert_eq!(
            e.state,
            OutboxState::SentApplied,
            "seq {}: {:?} {:?}",
            e.seq,
            e.result_code,
            e.result_message
        );
    }
    // 0 lost: the server processed every seq; 0 duplicated: it holds each seq once and
    // every record's version counts each of its commands exactly once.
    let processed = server.command_count(client_id).await;
    assert_eq!(
        processed, appended,
        "server processed every seq exactly once"
    );
    for (id, (title, updates)) in &typed {
        let r = server
            .record(*id)
            .await
            .unwrap_or_else(|| panic!("record {id} lost"));
        assert_eq!(&r.title, title, "record {id}");
        assert_eq!(
            r.version,
            1 + updates,
            "record {id}: each command applied once"
        );
        let local = store.sync().record(*id).unwrap().unwrap();
        assert!(local.draft.is_none(), "record {id} still has a draft");
        assert_eq!(&local.title, title, "record {id}: local copy");
    }
    // The clerk's copy of the office equals what the other clerk sees.
    let mut mine: Vec<String> = store
        .sync()
        .list_records("note")
        .unwrap()
        .into_iter()
        .map(|r| r.title)
        .collect();
    mine.sort();
    assert_eq!(
        mine,
        other.titles("note"),
        "both clerks see the same office"
    );
    let report = store.integrity_check().unwrap();
    assert!(report.ok, "{report:?}");
    drop(store);

    let _ = writeln!(
        std::io::stderr(),
        "{test}: {trials} trials (seed {seed}), SIGKILL {} at startup / {} in push / {} in pull / {} between cycles; \
         {appended} commands ({} creates, {} updates) on {} records, {} responses cut after commit, \
         sessions {} restored / {} signed in; server processed {processed}: 0 lost, 0 duplicated, integrity_check ok; {:.1} s",
        tally.startup,
        tally.push,
        tally.pull,
        tally.between,
        tally.creates,
        tally.updates,
        typed.len(),
        tally.cuts,
        tally.restored,
        tally.sign_ins,
        began.elapsed().as_secs_f64()
    );
    other_engine.shutdown().await;
    server.stop().await;
}

/// `P` of the child's `child: watch pending=P`.
fn pending_line(text: &str) -> Option<u64> {
    text.strip_prefix("child: watch pending=")?
        .trim()
        .parse()
        .ok()
}

fn find(log: &[Line], prefix: &str) -> Option<Instant> {
    log.iter()
        .find(|l| l.text.starts_with(prefix))
        .map(|l| l.at)
}

/// The other clerk's sync; a few tries cover a push cut meant for the app process.
async fn sync_until_ok(engine: &kyosai_sync_client::SyncEngine) {
    let mut last = None;
    for _ in 0..10 {
        match engine.sync_now().await {
            Ok(_) => return,
            Err(e) => last = Some(e),
        }
    }
    panic!("the other clerk cannot sync: {last:?}");
}
