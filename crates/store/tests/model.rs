#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A model-based property test of the outbox and drafts: random clerk actions, pushes
//! whose answers are lost or delivered twice, other people's edits and pulls, against a
//! small in-memory server with exactly-once replay memory. After every step nothing the
//! clerk typed is lost and the outbox is gapless; at the end every command was processed
//! exactly once.

use std::collections::BTreeMap;

use kyosai_store::sync::{DraftState, OutboxState};
use kyosai_store::Store;
use kyosai_sync_protocol::{
    record, Change, CommandEnvelope, CommandResult, Outcome, PullResponse, Record,
};
use proptest::prelude::*;
use uuid::Uuid;

#[derive(Default)]
struct ModelServer {
    records: BTreeMap<Uuid, Record>,
    /// Index = seq - 1: the stored result of every processed command.
    results: Vec<CommandResult>,
    log: Vec<Change>,
}

impl ModelServer {
    fn push(&mut self, cmds: &[CommandEnvelope]) -> Vec<CommandResult> {
        let mut out = Vec::new();
        for c in cmds {
            let idx = usize::try_from(c.seq - 1).unwrap();
            if idx < self.results.len() {
                out.push(self.results[idx].clone());
                continue;
            }
            assert_eq!(idx, self.results.len(), "seq gap: the client skipped a seq");
            let outcome = self.process(c);
            let r = CommandResult {
                seq: c.seq,
                outcome,
            };
            self.results.push(r.clone());
            out.push(r);
        }
        out
    }

    fn process(&mut self, c: &CommandEnvelope) -> Outcome {
        let reject = |code: &str| Outcome::Rejected {
            code: code.into(),
            message: "差戻し".into(),
        };
        let title = c.payload["title"].as_str().unwrap_or_default().to_string();
        if title.contains('×') {
            return reject("sync.invalid_payload");
        }
        let now = chrono::Utc::now();
        match c.name.as_str() {
            record::CREATE => {
                if self.records.contains_key(&c.record_id) {
                    return reject("sync.invalid_transition");
                }
                let r = Record {
                    id: c.record_id,
                    kind: "note".into(),
                    office_code: "1203".into(),
                    version: 1,
                    state: "draft".into(),
                    title,
                    body: c.payload["body"].clone(),
                    created_by: "k.sato".into(),
                    updated_by: "k.sato".into(),
                    created_at: now,
                    updated_at: now,
                };
                self.store(r);
                Outcome::Applied {
                    record_id: c.record_id,
                    version: 1,
                }
            }
            record::UPDATE => {
                let Some(mut r) = self.records.get(&c.record_id).cloned() else {
                    return reject("sync.not_found");
                };
                if c.base_version != Some(r.version) {
                    return Outcome::Conflict {
                        conflict_id: Uuid::new_v4(),
                        code: "sync.version_conflict".into(),
                        message: "競合".into(),
                    };
                }
                r.version += 1;
                r.title = title;
                r.body = c.payload["body"].clone();
                let v = r.version;
                self.store(r);
                Outcome::Applied {
                    record_id: c.record_id,
                    version: v,
                }
            }
            other => panic!("unexpected command {other}"),
        }
    }

    fn store(&mut self, r: Record) {
        self.log.push(Change::Upsert {
            record: Box::new(r.clone()),
        });
        self.records.insert(r.id, r);
    }

    fn other_edit(&mut self, pick: usize) {
        if self.records.is_empty() {
            return;
        }
        let id = *self.records.keys().nth(pick % self.records.len()).unwrap();
        let mut r = self.records[&id].clone();
        r.version += 1;
        r.title = format!("他の担当者 v{}", r.version);
        r.updated_by = "m.suzuki".into();
        self.store(r);
    }

    fn pull(&self, cursor: Option<&str>, limit: usize) -> PullResponse {
        let from: usize = cursor.map(|c| c.parse().unwrap()).unwrap_or(0);
        let to = (from + limit).min(self.log.len());
        PullResponse {
            changes: self.log[from..to].to_vec(),
            cursor: to.to_string(),
            has_more: to < self.log.len(),
            reset: false,
        }
    }
}

#[derive(Debug, Clone)]
enum Op {
    Create {
        bad: bool,
    },
    Update {
        pick: usize,
        bad: bool,
    },
    Push {
        batch: usize,
        lose_first: bool,
        twice: bool,
    },
    Pull {
        limit: usize,
    },
    OtherEdit {
        pick: usize,
    },
    Reapply {
        pick: usize,
    },
    Discard {
        pick: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => prop::bool::weighted(0.15).prop_map(|bad| Op::Create { bad }),
        4 => (any::<usize>(), prop::bool::weighted(0.15)).prop_map(|(pick, bad)| Op::Update { pick, bad }),
        3 => (1usize..5, prop::bool::weighted(0.3), prop::bool::weighted(0.3))
            .prop_map(|(batch, lose_first, twice)| Op::Push { batch, lose_first, twice }),
        2 => (1usize..7).prop_map(|limit| Op::Pull { limit }),
        2 => any::<usize>().prop_map(|pick| Op::OtherEdit { pick }),
        1 => any::<usize>().prop_map(|pick| Op::Reapply { pick }),
        1 => any::<usize>().prop_map(|pick| Op::Discard { pick }),
    ]
}

struct World {
    store: Store,
    server: ModelServer,
    /// What the clerk last typed per record (None once they discarded it).
    typed: BTreeMap<Uuid, Option<String>>,
    n: usize,
}

impl World {
    fn pick(&self, pick: usize) -> Option<Uuid> {
        let live: Vec<Uuid> = self
            .typed
            .iter()
            .filter(|(_, t)| t.is_some())
            .map(|(id, _)| *id)
            .collect();
        (!live.is_empty()).then(|| live[pick % live.len()])
    }

    fn push_all(&mut self, batch: usize, lose_first: bool, twice: bool) {
        let mut first = true;
        for _ in 0..10_000 {
            let cmds = self.store.sync().pending_commands(batch).unwrap();
            if cmds.is_empty() {
                return;
            }
            let results = self.server.push(&cmds);
            if first && lose_first {
                return; // the answer never arrived
            }
            first = false;
            let before = cmds[0].seq;
            self.store.sync().apply_push_results(&results).unwrap();
            if twice {
                let again = self.store.sync().apply_push_results(&results).unwrap();
                assert_eq!(
                    again.ignored,
                    results.len(),
                    "a replayed answer changes nothing"
                );
            }
            let after = self.store.sync().pending_commands(1).unwrap();
            assert!(after.first().is_none_or(|c| c.seq > before), "no progress");
        }
        panic!("push did not finish");
    }

    fn pull_all(&mut self, limit: usize) {
        loop {
            let cursor = self.store.sync().state().unwrap().cursor;
            let page = self.server.pull(cursor.as_deref(), limit);
            self.store.sync().apply_pull_page(&page).unwrap();
            if !page.has_more {
                return;
            }
        }
    }

    fn step(&mut self, op: &Op) {
        self.n += 1;
        let body = serde_json::json!({ "n": self.n });
        match *op {
            Op::Create { bad } => {
                let title = format!("届出{}{}", self.n, if bad { "×" } else { "" });
                let (id, _) = self
                    .store
                    .sync()
                    .record_create_local("note", "1203", &title, &body)
                    .unwrap();
                self.typed.insert(id, Some(title));
            }
            Op::Update { pick, bad } => {
                if let Some(id) = self.pick(pick) {
                    let title = format!("訂正{}{}", self.n, if bad { "×" } else { "" });
                    self.store
                        .sync()
                        .record_update_local(id, &title, &body)
                        .unwrap();
                    self.typed.insert(id, Some(title));
                }
            }
            Op::Push {
                batch,
                lose_first,
                twice,
            } => self.push_all(batch, lose_first, twice),
            Op::Pull { limit } => self.pull_all(limit),
            Op::OtherEdit { pick } => self.server.other_edit(pick),
            Op::Reapply { pick } => {
                if let Some(id) = self.pick(pick) {
                    match self.store.sync().record_reapply_local(id) {
                        Ok(_) => {}
                        Err(e) => assert_eq!(e.code(), "sync.draft_in_flight"),
                    }
                }
            }
            Op::Discard { pick } => {
                if let Some(id) = self.pick(pick) {
                    let r = self.store.sync().record(id).unwrap().unwrap();
                    if r.draft.is_some() {
                        match self.store.sync().record_discard_draft(id) {
                            Ok(()) => {
                                self.typed.insert(id, None);
                            }
                            Err(e) => assert_eq!(e.code(), "sync.draft_in_flight"),
                        }
                    }
                }
            }
        }
    }

    fn check(&mut self) {
        let state = self.store.sync().state().unwrap();
        let entries = self.store.sync().outbox_entries().unwrap();
        let seqs: Vec<u64> = entries.iter().map(|e| e.seq).collect();
        assert_eq!(
            seqs,
            (1..=state.last_seq).collect::<Vec<_>>(),
            "gapless outbox"
        );
        assert!(self.server.results.len() as u64 <= state.last_seq);
        for e in &entries {
            if e.state == OutboxState::Pending {
                continue;
            }
            let stored = &self.server.results[usize::try_from(e.seq - 1).unwrap()].outcome;
            match (stored, e.state) {
                (Outcome::Applied { version, .. }, OutboxState::SentApplied) => {
                    assert_eq!(Some(*version), e.applied_version)
                }
                (Outcome::Conflict { .. }, OutboxState::Conflict)
                | (Outcome::Rejected { .. }, OutboxState::Rejected) => {}
                (s, l) => panic!("seq {}: server {s:?}, local {l:?}", e.seq),
            }
        }
        let mut any_draft = false;
        for (id, typed) in &self.typed {
            let Some(typed) = typed else { continue };
            let r = self
                .store
                .sync()
                .record(*id)
                .unwrap()
                .unwrap_or_else(|| panic!("record {id} typed by the clerk was dropped"));
            match &r.draft {
                Some(d) => {
                    any_draft = true;
                    assert_eq!(&d.title, typed, "the draft holds what the clerk typed last");
                    let label = r.label.as_deref().unwrap();
                    let expected = match d.state {
                        DraftState::Pending => "未送信",
                        DraftState::Conflict => "競合",
                        DraftState::Rejected => "差戻し",
                    };
                    assert_eq!(label, expected);
                }
                None => {
                    // Settled: the clerk's last command on it was applied by the server.
                    let last = entries.iter().rev().find(|e| e.record_id == *id).unwrap();
                    assert_eq!(last.state, OutboxState::SentApplied, "record {id}");
                    let applied = last.applied_version.unwrap();
                    let server = r.server.as_ref().unwrap();
                    assert!(server.version >= applied);
                    if server.version == applied {
                        assert_eq!(&server.title, typed);
                    }
                }
            }
        }
        let pending = entries.iter().any(|e| e.state == OutboxState::Pending);
        assert_eq!(
            self.store.sync().has_unsent_work().unwrap(),
            pending || any_draft
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("KYOSAI_PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(128),
        ..ProptestConfig::default()
    })]

    #[test]
    fn nothing_typed_is_lost_and_every_command_is_processed_once(ops in prop::collection::vec(op(), 1..60)) {
        let mut w = World {
            store: Store::open_in_memory().unwrap(),
            server: ModelServer::default(),
            typed: BTreeMap::new(),
            n: 0,
        };
        for op in &ops {
            w.step(op);
            w.check();
        }
        // Quiesce: everything sent and answered, the copy caught up.
        w.push_all(500, false, false);
        w.pull_all(1000);
        w.check();
        let last_seq = w.store.sync().state().unwrap().last_seq;
        prop_assert_eq!(w.server.results.len() as u64, last_seq, "0 lost, 0 duplicated");
        prop_assert!(w.store.sync().pending_commands(500).unwrap().is_empty());
        prop_assert!(w.store.integrity_check().unwrap().ok);
    }
}
