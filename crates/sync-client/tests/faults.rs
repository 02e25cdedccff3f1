#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]
//! Fault injection against the real central service: the sync engine is dropped at random
//! points of push and pull, responses are cut after the server committed, connections are
//! dropped, the server restarts, and the "app" restarts (a new session object and a
//! reopened store file). Then a fresh engine resumes. Afterwards: 0 lost and 0 duplicated
//! commands, `integrity_check` ok.
//!
//! Seeded: `KYOSAI_FAULT_SEED` (default 20261126). Trials: `KYOSAI_FAULT_TRIALS`
//! (default 100 per backend; the full run is `KYOSAI_FAULT_TRIALS=1000`).

mod support;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kyosai_central::testing::TestBackend;
use kyosai_store::sync::OutboxState;
use kyosai_store::Store;
use kyosai_sync_client::SyncEngine;
use rand::rngs::StdRng;
use rand::{RngExt as _, SeedableRng};
use serde_json::json;
use support::{Clerk, Relay, SHINJUKU};
use uuid::Uuid;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_syncs_lose_and_duplicate_nothing_sqlite() {
    killed_syncs_lose_and_duplicate_nothing(TestBackend::Sqlite, "faults::sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_syncs_lose_and_duplicate_nothing_postgres() {
    killed_syncs_lose_and_duplicate_nothing(TestBackend::Postgres, "faults::postgres").await;
}

#[derive(Debug, Default)]
struct Tally {
    aborted: u64,
    cut: u64,
    dropped: u64,
    restarts: u64,
    app_restarts: u64,
    relogins: u64,
    completed: u64,
}

async fn killed_syncs_lose_and_duplicate_nothing(backend: TestBackend, test: &str) {
    let Some(mut server) = support::start(backend, test).await else {
        return;
    };
    let trials = env_u64("KYOSAI_FAULT_TRIALS", 100);
    let seed = env_u64("KYOSAI_FAULT_SEED", 20_261_126);
    let mut rng = StdRng::seed_from_u64(seed);
    let ca = server.ca_pem_path().to_path_buf();
    let relay = Relay::start(&server.base_url).await;
    let mut clerk = Clerk::sign_in(&relay.base_url(), &ca, "sato.hanako").await;
    // Another clerk of the office adds records, so pulls carry pages too.
    let other = Clerk::sign_in(&server.base_url, &ca, "suzuki.taro").await;
    let other_engine = other.engine(seed ^ 1);

    // What the clerk typed last, and how many updates, per record.
    let mut typed: BTreeMap<Uuid, (String, i64)> = BTreeMap::new();
    let mut tally = Tally::default();
    let mut n = 0u64;

    for trial in 0..trials {
        // The clerk works (one transaction per action).
        for _ in 0..rng.random_range(1..=4) {
            n += 1;
            let update = !typed.is_empty() && rng.random_bool(0.4);
            if update {
                let k = rng.random_range(0..typed.len());
                let id = *typed.keys().nth(k).unwrap();
                let title = format!("届出 {n}（訂正）");
                clerk.with(|s| {
                    s.sync()
                        .record_update_local(id, &title, &json!({ "n": n }))
                        .unwrap()
                });
                let e = typed.get_mut(&id).unwrap();
                *e = (title, e.1 + 1);
            } else {
                let title = format!("届出 {n}");
                let (id, _) = clerk.with(|s| {
                    s.sync()
                        .record_create_local("note", SHINJUKU, &title, &json!({ "n": n }))
                        .unwrap()
                });
                typed.insert(id, (title, 0));
            }
        }
        if trial % 7 == 0 {
            other.with(|s| {
                for i in 0..rng.random_range(1..=30) {
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
            other_engine.sync_now().await.unwrap();
        }

        let mut opts = support::options(seed ^ trial);
        opts.poke = rng.random_bool(0.3);
        opts.push_batch = rng.random_range(1..=5);
        opts.pull_limit = rng.random_range(1..=40);
        let engine = SyncEngine::start(clerk.store.clone(), clerk.auth.clone(), opts);
        let delay = Duration::from_micros(rng.random_range(0..=40_000));
        let fault = if trial % 10 == 9 {
            5
        } else {
            rng.random_range(0..10)
        };
        match fault {
            // Cut every response after a random number of bytes: the server has
            // committed the push, the answer never arrives whole.
            0..=2 => {
                relay.cut_responses_after(Some(rng.random_range(0..=12_000)));
                relay.drop_connections(); // no pooled connection escapes the cut
                let _ = tokio::time::timeout(Duration::from_secs(5), engine.sync_now()).await;
                relay.cut_responses_after(None);
                tally.cut += 1;
            }
            // Drop every connection at a random moment.
            3..=4 => {
                let sync = engine.sync_now();
                tokio::pin!(sync);
                tokio::select! {
                    _ = &mut sync => {}
                    () = tokio::time::sleep(delay) => {
                        relay.drop_connections();
                        tally.dropped += 1;
                        let _ = tokio::time::timeout(Duration::from_secs(5), sync).await;
                    }
                }
            }
            // The server restarts mid-sync.
            5 => {
                let sync = engine.sync_now();
                tokio::pin!(sync);
                tokio::select! {
                    _ = &mut sync => {}
                    () = tokio::time::sleep(delay) => {
                        server.restart().await;
                        tally.restarts += 1;
                        let _ = tokio::time::timeout(Duration::from_secs(5), sync).await;
                    }
                }
            }
            // The engine is dropped (its tasks aborted) at a random point.
            _ => {
                if tokio::time::timeout(delay, engine.sync_now())
                    .await
                    .is_err()
                {
                    tally.aborted += 1;
                } else {
                    tally.completed += 1;
                }
            }
        }
        drop(engine);

        // Sometimes the whole app restarts: new session object, store file reopened.
        if rng.random_bool(0.25) {
            support::wait_store_released(&clerk.store).await;
            let path = clerk.path.clone();
            clerk.store = Arc::new(Mutex::new(Store::open(&path).unwrap()));
            let report = clerk.with(|s| s.integrity_check().unwrap());
            assert!(report.ok, "trial {trial}: {report:?}");
            clerk.auth = support::new_auth(&clerk.base_url, &clerk.ca, &clerk.secrets);
            clerk.auth.restore(&clerk.store).await.unwrap();
            tally.app_restarts += 1;
        }
        // A refresh cut after the server rotated the token leaves a spent token: the
        // clerk signs in again (their work is in the outbox, nothing is lost).
        if clerk.auth.signed_in_user().is_none() {
            clerk.auth = support::new_auth(&clerk.base_url, &clerk.ca, &clerk.secrets);
            clerk
                .auth
                .sign_in(&clerk.store, "sato.hanako", support::PASSWORD)
                .await
                .unwrap();
            tally.relogins += 1;
        }
    }

    // Resume without faults until everything is answered.
    relay.cut_responses_after(None);
    support::wait_store_released(&clerk.store).await;
    let engine = clerk.engine(seed ^ 0xFFFF);
    let mut last = None;
    for _ in 0..20 {
        match engine.sync_now().await {
            Ok(_) if clerk.with(|s| s.sync().counts().unwrap().pending) == 0 => {
                last = None;
                break;
            }
            Ok(_) => {}
            Err(e) => {
                if clerk.auth.signed_in_user().is_none() {
                    clerk
                        .auth
                        .sign_in(&clerk.store, "sato.hanako", support::PASSWORD)
                        .await
                        .unwrap();
                    tally.relogins += 1;
                }
                last = Some(e);
            }
        }
    }
    assert!(last.is_none(), "final sync failed: {last:?}");
    engine.shutdown().await;
    other_engine.sync_now().await.unwrap();

    let state = clerk.with(|s| s.sync().state().unwrap());
    let entries = clerk.with(|s| s.sync().outbox_entries().unwrap());
    assert_eq!(entries.len() as u64, state.last_seq);
    let processed = server.command_count(state.client_id).await;
    // 0 lost: every seq reached the server; 0 duplicated: the server holds each seq once
    // and every record's version counts each of its commands exactly once.
    assert_eq!(
        processed, state.last_seq,
        "server processed every seq exactly once"
    );
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
        let local = clerk.with(|s| s.sync().record(*id).unwrap().unwrap());
        assert!(local.draft.is_none(), "record {id} still has a draft");
        assert_eq!(&local.title, title);
    }
    // The clerk's copy equals what the other clerk sees of the office.
    assert_eq!(clerk.titles("note"), other.titles("note"));
    let report = clerk.with(|s| s.integrity_check().unwrap());
    assert!(report.ok, "{report:?}");
    println!(
        "{test}: {trials} trials (seed {seed}), {} commands, {} records; {tally:?}",
        state.last_seq,
        typed.len()
    );
    other_engine.shutdown().await;
    drop(relay);
    server.stop().await;
}
