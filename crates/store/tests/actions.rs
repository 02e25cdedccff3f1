#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Approval actions in the outbox against a real SQLite file: they leave drafts alone,
//! queue behind the record's unsent edits, and their answers never label a draft.

use chrono::Utc;
use kyosai_store::sync::{labels, DraftState, OutboxState};
use kyosai_store::Store;
use kyosai_sync_protocol::{Change, CommandResult, Outcome, PullResponse, Record};
use serde_json::json;
use uuid::Uuid;

fn proposal(id: Uuid, version: i64, title: &str) -> Record {
    Record {
        id,
        kind: "proposal".into(),
        office_code: "13104".into(),
        version,
        state: "in_approval".into(),
        title: title.into(),
        body: json!({ "text": "備品購入の伺い", "amount": 880_000 }),
        created_by: "tanaka.yuki".into(),
        updated_by: "tanaka.yuki".into(),
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

fn pull(store: &mut Store, records: Vec<Record>) {
    store
        .sync()
        .apply_pull_page(&PullResponse {
            changes: records
                .into_iter()
                .map(|r| Change::Upsert {
                    record: Box::new(r),
                })
                .collect(),
            cursor: "c".into(),
            has_more: false,
            reset: false,
        })
        .unwrap();
}

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("kyosai.sqlite3")).unwrap();
    (dir, store)
}

fn approve_payload() -> serde_json::Value {
    json!({ "action": "approve", "seenHash": "sha256:00", "comment": null })
}

#[test]
fn an_action_on_a_clean_record_is_based_on_the_version_seen_and_changes_nothing_local() {
    let (_dir, mut store) = open();
    let a = Uuid::new_v4();
    pull(&mut store, vec![proposal(a, 4, "コピー用紙の購入について")]);
    let seq = store
        .sync()
        .record_action_local(a, "approval.act", 1, &approve_payload())
        .unwrap();
    let r = store.sync().record(a).unwrap().unwrap();
    assert!(r.draft.is_none());
    assert_eq!(r.label, None);
    let ready = store.sync().pending_commands(500).unwrap();
    assert_eq!(ready.len(), 1);
    assert_eq!(
        (ready[0].seq, ready[0].name.as_str(), ready[0].base_version),
        (seq, "approval.act", Some(4))
    );
    assert_eq!(ready[0].payload["action"], "approve");
    assert_eq!(
        store.sync().records_with_pending_actions().unwrap(),
        vec![a]
    );
    let outcomes = store.sync().approval_outcomes(10).unwrap();
    assert_eq!(outcomes.len(), 1);
    assert_eq!(outcomes[0].state, OutboxState::Pending);

    // Applied: the version moves on, nothing else; the next pull brings the state.
    store
        .sync()
        .apply_push_results(&[CommandResult {
            seq,
            outcome: Outcome::Applied {
                record_id: a,
                version: 5,
            },
        }])
        .unwrap();
    let r = store.sync().record(a).unwrap().unwrap();
    assert_eq!(r.server.as_ref().unwrap().version, 5);
    assert!(r.draft.is_none());
    assert!(!store.sync().has_unsent_work().unwrap());
    let mut fresh = proposal(a, 5, "コピー用紙の購入について");
    fresh.state = "approved".into();
    pull(&mut store, vec![fresh]);
    let r = store.sync().record(a).unwrap().unwrap();
    assert_eq!(r.server.unwrap().state.as_deref(), Some("approved"));
    assert!(store
        .sync()
        .records_with_pending_actions()
        .unwrap()
        .is_empty());
    assert_eq!(
        store.sync().approval_outcomes(10).unwrap()[0].state,
        OutboxState::SentApplied
    );
}

#[test]
fn a_submit_after_an_unsent_edit_waits_for_it_and_settles_the_draft() {
    let (_dir, mut store) = open();
    let (id, s1) = store
        .sync()
        .record_create_local(
            "proposal",
            "13104",
            "パソコン更新の伺い",
            &json!({"text": "老朽化したPC 12台の更新", "amount": 2_400_000}),
        )
        .unwrap();
    let s2 = store
        .sync()
        .record_action_local(
            id,
            "approval.submit",
            1,
            &json!({"important": false, "seen_hash": "sha256:ab"}),
        )
        .unwrap();
    // Only the creation goes first; the submission is bound to what it produces.
    let ready = store.sync().pending_commands(500).unwrap();
    assert_eq!(ready.iter().map(|c| c.seq).collect::<Vec<_>>(), vec![s1]);
    store
        .sync()
        .apply_push_results(&[CommandResult {
            seq: s1,
            outcome: Outcome::Applied {
                record_id: id,
                version: 1,
            },
        }])
        .unwrap();
    let r = store.sync().record(id).unwrap().unwrap();
    assert_eq!(
        r.label.as_deref(),
        Some(labels::PENDING),
        "still on its way"
    );
    let ready = store.sync().pending_commands(500).unwrap();
    assert_eq!(
        (ready[0].seq, ready[0].base_version),
        (s2, Some(1)),
        "bound to the created version"
    );
    store
        .sync()
        .apply_push_results(&[CommandResult {
            seq: s2,
            outcome: Outcome::Applied {
                record_id: id,
                version: 2,
            },
        }])
        .unwrap();
    let r = store.sync().record(id).unwrap().unwrap();
    assert!(r.draft.is_none());
    assert_eq!(r.label, None);
    assert_eq!(r.title, "パソコン更新の伺い");
    assert_eq!(r.server.unwrap().version, 2);
    assert!(!store.sync().has_unsent_work().unwrap());
}

#[test]
fn a_refused_submit_after_an_applied_edit_does_not_leave_the_draft_stuck_or_labelled() {
    let (_dir, mut store) = open();
    let a = Uuid::new_v4();
    pull(&mut store, vec![proposal(a, 2, "備品購入")]);
    let s1 = store
        .sync()
        .record_update_local(a, "備品購入（訂正）", &json!({"text": "訂正", "amount": 1}))
        .unwrap();
    let s2 = store
        .sync()
        .record_action_local(a, "approval.submit", 1, &json!({"seen_hash": "x"}))
        .unwrap();
    store
        .sync()
        .apply_push_results(&[
            CommandResult {
                seq: s1,
                outcome: Outcome::Applied {
                    record_id: a,
                    version: 3,
                },
            },
            CommandResult {
                seq: s2,
                outcome: Outcome::Rejected {
                    code: "approval.already_submitted".into(),
                    message: "この文書は既に回議中です。".into(),
                },
            },
        ])
        .unwrap();
    let r = store.sync().record(a).unwrap().unwrap();
    assert!(
        r.draft.is_none(),
        "the edit was applied; the draft is settled"
    );
    assert_eq!(r.label, None);
    assert_eq!(r.title, "備品購入（訂正）");
    assert_eq!(r.server.unwrap().version, 3);
    let counts = store.sync().counts().unwrap();
    assert_eq!((counts.pending, counts.rejected), (0, 0));
    let o = &store.sync().approval_outcomes(10).unwrap()[0];
    assert_eq!(o.state, OutboxState::Rejected);
    assert_eq!(o.code.as_deref(), Some("approval.already_submitted"));
    assert_eq!(o.message.as_deref(), Some("この文書は既に回議中です。"));
}

#[test]
fn an_approval_conflict_never_labels_a_drafts_content() {
    let (_dir, mut store) = open();
    let a = Uuid::new_v4();
    pull(&mut store, vec![proposal(a, 2, "旅費の伺い")]);
    // The drafter's edit conflicted earlier; the draft is labelled 競合.
    let s1 = store
        .sync()
        .record_update_local(a, "旅費の伺い（改）", &json!({"text": "改", "amount": 5}))
        .unwrap();
    let conflict_id = Uuid::new_v4();
    store
        .sync()
        .apply_push_results(&[CommandResult {
            seq: s1,
            outcome: Outcome::Conflict {
                conflict_id,
                code: "sync.version_conflict".into(),
                message: "ほかの担当者が先に更新しました。".into(),
            },
        }])
        .unwrap();
    // Then withdraws the document: refused as a conflict.
    let s2 = store
        .sync()
        .record_action_local(a, "approval.act", 1, &json!({"action": "withdraw"}))
        .unwrap();
    store
        .sync()
        .apply_push_results(&[CommandResult {
            seq: s2,
            outcome: Outcome::Conflict {
                conflict_id: Uuid::new_v4(),
                code: "approval.already_handled".into(),
                message: "この文書は他の決裁者が先に処理しました。".into(),
            },
        }])
        .unwrap();
    let d = store.sync().record(a).unwrap().unwrap().draft.unwrap();
    assert_eq!(d.state, DraftState::Conflict);
    assert_eq!(
        d.conflict_id,
        Some(conflict_id),
        "the edit's conflict, kept"
    );
    assert_eq!(
        d.message.as_deref(),
        Some("ほかの担当者が先に更新しました。")
    );
    assert_eq!(d.title, "旅費の伺い（改）");

    // An applied action does not settle a conflicted draft either.
    let s3 = store
        .sync()
        .record_action_local(a, "approval.act", 1, &json!({"action": "withdraw"}))
        .unwrap();
    store
        .sync()
        .apply_push_results(&[CommandResult {
            seq: s3,
            outcome: Outcome::Applied {
                record_id: a,
                version: 4,
            },
        }])
        .unwrap();
    let r = store.sync().record(a).unwrap().unwrap();
    assert_eq!(r.label.as_deref(), Some(labels::CONFLICT));
    assert_eq!(r.draft.unwrap().title, "旅費の伺い（改）");
    assert_eq!(r.server.unwrap().version, 4);
    let outcomes = store.sync().approval_outcomes(10).unwrap();
    assert_eq!(
        outcomes.iter().map(|o| o.seq).collect::<Vec<_>>(),
        vec![s3, s2],
        "newest first, edits not included"
    );
}

#[test]
fn an_action_on_a_record_the_server_never_confirmed_is_refused() {
    let (_dir, mut store) = open();
    let (id, s1) = store
        .sync()
        .record_create_local("proposal", "13104", "伺い", &json!({}))
        .unwrap();
    store
        .sync()
        .apply_push_results(&[CommandResult {
            seq: s1,
            outcome: Outcome::Rejected {
                code: "sync.not_permitted".into(),
                message: "権限がありません。".into(),
            },
        }])
        .unwrap();
    let err = store
        .sync()
        .record_action_local(id, "approval.submit", 1, &json!({}))
        .unwrap_err();
    assert_eq!(err.code(), "sync.draft_in_flight");
    let last = store.sync().state().unwrap().last_seq;
    assert_eq!(last, s1, "a refused action uses no seq");
}
