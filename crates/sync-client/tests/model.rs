#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A model-based property test of the sync loop against the real central service (SQLite
//! backend): two clerks of one office create and edit records (also each other's), sync
//! in any order, sometimes through a connection that cuts the server's answers, and settle
//! conflicts. After every step each clerk's typing is intact; at the end both converge on
//! the server's state and every command was processed exactly once.
//!
//! Cases: `KYOSAI_PROPTEST_CASES` (default 16).

mod support;

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};

use kyosai_central::testing::{TestBackend, TestServer};
use kyosai_store::sync::{DraftState, OutboxState};
use kyosai_sync_client::sync_once;
use proptest::prelude::*;
use serde_json::json;
use support::{Clerk, Relay, SHINJUKU};
use uuid::Uuid;

struct World {
    server: TestServer,
    relay: Relay,
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    })
}

fn world() -> &'static Mutex<World> {
    static W: OnceLock<Mutex<World>> = OnceLock::new();
    W.get_or_init(|| {
        runtime().block_on(async {
            let server = support::start(TestBackend::Sqlite, "model").await.unwrap();
            let relay = Relay::start(&server.base_url).await;
            Mutex::new(World { server, relay })
        })
    })
}

#[derive(Debug, Clone)]
enum Op {
    Create { who: usize },
    Update { who: usize, pick: usize },
    Sync { who: usize },
    SyncCut { bytes: u64 },
    Reapply { who: usize, pick: usize },
    Discard { who: usize, pick: usize },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0usize..2).prop_map(|who| Op::Create { who }),
        4 => (0usize..2, any::<usize>()).prop_map(|(who, pick)| Op::Update { who, pick }),
        4 => (0usize..2).prop_map(|who| Op::Sync { who }),
        1 => (0u64..8_000).prop_map(|bytes| Op::SyncCut { bytes }),
        1 => (0usize..2, any::<usize>()).prop_map(|(who, pick)| Op::Reapply { who, pick }),
        1 => (0usize..2, any::<usize>()).prop_map(|(who, pick)| Op::Discard { who, pick }),
    ]
}

struct Case {
    clerks: [Clerk; 2],
    /// Per clerk: record -> what they typed last (None after they discarded it).
    typed: [BTreeMap<Uuid, Option<String>>; 2],
    n: u64,
}

impl Case {
    fn visible(&self, who: usize, pick: usize) -> Option<Uuid> {
        let ids: Vec<Uuid> = self.clerks[who].with(|s| {
            s.sync()
                .list_records("model")
                .unwrap()
                .into_iter()
                .map(|r| r.id)
                .collect()
        });
        (!ids.is_empty()).then(|| ids[pick % ids.len()])
    }

    async fn step(&mut self, op: &Op, relay: &Relay) {
        self.n += 1;
        let n = self.n;
        match *op {
            Op::Create { who } => {
                let title = format!("{}-{n}", ["佐藤", "鈴木"][who]);
                let (id, _) = self.clerks[who].with(|s| {
                    s.sync()
                        .record_create_local("model", SHINJUKU, &title, &json!({ "n": n }))
                        .unwrap()
                });
                self.typed[who].insert(id, Some(title));
            }
            Op::Update { who, pick } => {
                if let Some(id) = self.visible(who, pick) {
                    let title = format!("{}の訂正-{n}", ["佐藤", "鈴木"][who]);
                    self.clerks[who].with(|s| {
                        s.sync()
                            .record_update_local(id, &title, &json!({ "n": n }))
                            .unwrap()
                    });
                    self.typed[who].insert(id, Some(title));
                }
            }
            Op::Sync { who } => {
                let c = &self.clerks[who];
                sync_once(&c.store, &c.auth, &support::options(n))
                    .await
                    .unwrap();
            }
            Op::SyncCut { bytes } => {
                // 佐藤 (clerk 0) is connected through the relay.
                relay.cut_responses_after(Some(bytes));
                relay.drop_connections();
                let c = &self.clerks[0];
                let _ = sync_once(&c.store, &c.auth, &support::options(n)).await;
                relay.cut_responses_after(None);
                relay.drop_connections();
            }
            Op::Reapply { who, pick } | Op::Discard { who, pick } => {
                let drafts = self.clerks[who].with(|s| s.sync().drafts().unwrap());
                let settled: Vec<Uuid> = drafts
                    .iter()
                    .filter(|r| {
                        r.draft
                            .as_ref()
                            .is_some_and(|d| d.state != DraftState::Pending)
                    })
                    .map(|r| r.id)
                    .collect();
                if settled.is_empty() {
                    return;
                }
                let id = settled[pick % settled.len()];
                if matches!(op, Op::Reapply { .. }) {
                    self.clerks[who].with(|s| s.sync().record_reapply_local(id).unwrap());
                } else {
                    self.clerks[who].with(|s| s.sync().record_discard_draft(id).unwrap());
                    self.typed[who].insert(id, None);
                }
            }
        }
    }

    fn check(&self) {
        for who in 0..2 {
            let c = &self.clerks[who];
            let (state, entries) = c.with(|s| {
                (
                    s.sync().state().unwrap(),
                    s.sync().outbox_entries().unwrap(),
                )
            });
            let seqs: Vec<u64> = entries.iter().map(|e| e.seq).collect();
            assert_eq!(seqs, (1..=state.last_seq).collect::<Vec<_>>());
            for (id, typed) in &self.typed[who] {
                let Some(typed) = typed else { continue };
                let r = c.with(|s| s.sync().record(*id).unwrap());
                let Some(r) = r else {
                    // Only a record the server confirmed and then revoked may go; none are
                    // revoked here (one office).
                    panic!("clerk {who}: record {id} dropped");
                };
                match &r.draft {
                    Some(d) => assert_eq!(&d.title, typed, "clerk {who}: draft keeps the typing"),
                    None => {
                        let last = entries.iter().rev().find(|e| e.record_id == *id).unwrap();
                        assert_eq!(last.state, OutboxState::SentApplied, "clerk {who}: {id}");
                    }
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("KYOSAI_PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(16),
        max_shrink_iters: 64,
        ..ProptestConfig::default()
    })]

    #[test]
    fn two_clerks_converge_and_every_command_counts_once(ops in prop::collection::vec(op(), 1..25)) {
        let guard = world().lock().unwrap_or_else(|p| p.into_inner());
        let world = &*guard;
        runtime().block_on(async {
            let ca = world.server.ca_pem_path().to_path_buf();
            let a = Clerk::sign_in(&world.relay.base_url(), &ca, "sato.hanako").await;
            let b = Clerk::sign_in(&world.server.base_url, &ca, "suzuki.taro").await;
            let mut case = Case { clerks: [a, b], typed: [BTreeMap::new(), BTreeMap::new()], n: 0 };
            for op in &ops {
                case.step(op, &world.relay).await;
                case.check();
            }
            // Quiesce: both send everything and read everything.
            for round in 0..3 {
                for who in 0..2 {
                    let c = &case.clerks[who];
                    sync_once(&c.store, &c.auth, &support::options(round)).await.unwrap();
                }
            }
            case.check();
            let mut views = Vec::new();
            for who in 0..2 {
                let c = &case.clerks[who];
                let state = c.with(|s| s.sync().state().unwrap());
                assert_eq!(world.server.command_count(state.client_id).await, state.last_seq, "clerk {who}: 0 lost, 0 duplicated");
                assert_eq!(c.with(|s| s.sync().counts().unwrap().pending), 0);
                let mut view = Vec::new();
                let ids: Vec<Uuid> = case.typed[0].keys().chain(case.typed[1].keys()).copied().collect();
                for id in ids {
                    let local = c.with(|s| s.sync().record(id).unwrap());
                    let server = world.server.record(id).await;
                    match (&local, &server) {
                        (Some(l), Some(srv)) => {
                            let copy = l.server.as_ref().unwrap();
                            assert_eq!((copy.version, &copy.title), (srv.version, &srv.title), "clerk {who}: copy of {id}");
                            view.push((id, srv.version, srv.title.clone()));
                        }
                        // Never on the server: only the author may hold it, as a draft.
                        (Some(l), None) => assert!(l.draft.is_some() && case.typed[who].contains_key(&id)),
                        (None, Some(_)) => panic!("clerk {who} misses {id}"),
                        (None, None) => {}
                    }
                }
                view.sort();
                views.push(view);
            }
            assert_eq!(views[0], views[1], "both clerks see the same server state");
            assert!(case.clerks[0].with(|s| s.integrity_check().unwrap().ok));
        });
    }
}
