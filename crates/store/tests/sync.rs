#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The sync side of the store against real SQLite files: the outbox, drafts, pulls.

use chrono::Utc;
use kyosai_store::sync::{labels, DraftState, OutboxState};
use kyosai_store::{Store, StoreError};
use kyosai_sync_protocol::{record, Change, CommandResult, Outcome, PullResponse, Record};
use serde_json::json;
use uuid::Uuid;

fn server_record(id: Uuid, version: i64, title: &str) -> Record {
    Record {
        id,
        kind: "note".into(),
        office_code: "1203".into(),
        version,
        state: "draft".into(),
        title: title.into(),
        body: json!({ "本文": title }),
        created_by: "k.sato".into(),
        updated_by: "k.sato".into(),
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

fn page(changes: Vec<Change>, cursor: &str, reset: bool) -> PullResponse {
    PullResponse {
        changes,
        cursor: cursor.into(),
        has_more: false,
        reset,
    }
}

fn upsert(r: Record) -> Change {
    Change::Upsert {
        record: Box::new(r),
    }
}

fn applied(seq: u64, record_id: Uuid, version: i64) -> CommandResult {
    CommandResult {
        seq,
        outcome: Outcome::Applied { record_id, version },
    }
}

#[test]
fn outbox_seq_is_gapless_and_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kyosai.sqlite3");
    let client_id;
    {
        let mut store = Store::open(&path).unwrap();
        client_id = store.sync().state().unwrap().client_id;
        let (a, s1) = store
            .sync()
            .record_create_local(
                "note",
                "1203",
                "資格取得届（山田太郎）",
                &json!({"氏名": "山田太郎"}),
            )
            .unwrap();
        let s2 = store
            .sync()
            .record_update_local(
                a,
                "資格取得届（山田太郎）訂正",
                &json!({"氏名": "山田 太郎"}),
            )
            .unwrap();
        let (_b, s3) = store
            .sync()
            .record_create_local("note", "1203", "被扶養者申告書", &json!({}))
            .unwrap();
        assert_eq!((s1, s2, s3), (1, 2, 3));
        // A refused input uses no seq.
        let err = store
            .sync()
            .record_create_local("", "1203", "x", &json!({}))
            .unwrap_err();
        assert_eq!(err.code(), "store.invalid_input");
    }
    let mut store = Store::open(&path).unwrap();
    let state = store.sync().state().unwrap();
    assert_eq!(state.client_id, client_id, "client_id is chosen once");
    assert_eq!(state.last_seq, 3);
    let (_c, s4) = store
        .sync()
        .record_create_local("note", "1203", "掛金の照会", &json!({}))
        .unwrap();
    assert_eq!(s4, 4);
    let seqs: Vec<u64> = store
        .sync()
        .outbox_entries()
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(seqs, vec![1, 2, 3, 4]);
    // The update of record a depends on its creation: only the creation is ready.
    let ready = store.sync().pending_commands(500).unwrap();
    assert_eq!(ready.iter().map(|c| c.seq).collect::<Vec<_>>(), vec![1]);
    assert_eq!(ready[0].name, record::CREATE);
    assert_eq!(ready[0].base_version, None);
    assert_eq!(store.sync().counts().unwrap().pending, 4);
    assert!(store.sync().has_unsent_work().unwrap());
}

#[test]
fn a_chained_update_is_bound_to_the_version_its_predecessor_produced() {
    let mut store = Store::open_in_memory().unwrap();
    let (a, s1) = store
        .sync()
        .record_create_local("note", "1203", "旧", &json!({"n": 1}))
        .unwrap();
    let s2 = store
        .sync()
        .record_update_local(a, "新", &json!({"n": 2}))
        .unwrap();
    store
        .sync()
        .apply_push_results(&[applied(s1, a, 1)])
        .unwrap();
    let ready = store.sync().pending_commands(500).unwrap();
    assert_eq!(ready.len(), 1);
    assert_eq!(ready[0].seq, s2);
    assert_eq!(ready[0].base_version, Some(1));
    assert_eq!(ready[0].payload, json!({"title": "新", "body": {"n": 2}}));
    // Still the clerk's draft until the update is confirmed.
    let r = store.sync().record(a).unwrap().unwrap();
    assert_eq!(r.title, "新");
    assert_eq!(r.draft.as_ref().unwrap().state, DraftState::Pending);
    assert_eq!(r.label.as_deref(), Some(labels::PENDING));

    store
        .sync()
        .apply_push_results(&[applied(s2, a, 2)])
        .unwrap();
    let r = store.sync().record(a).unwrap().unwrap();
    assert!(r.draft.is_none());
    assert_eq!(r.label, None);
    let server = r.server.unwrap();
    assert_eq!((server.version, server.title.as_str()), (2, "新"));
    assert!(!store.sync().has_unsent_work().unwrap());
    // The next edit is based on the confirmed version.
    let s3 = store
        .sync()
        .record_update_local(a, "新2", &json!({}))
        .unwrap();
    let ready = store.sync().pending_commands(500).unwrap();
    assert_eq!((ready[0].seq, ready[0].base_version), (s3, Some(2)));
}

#[test]
fn a_pull_never_overwrites_a_draft() {
    let mut store = Store::open_in_memory().unwrap();
    let id = Uuid::new_v4();
    store
        .sync()
        .apply_pull_page(&page(
            vec![upsert(server_record(id, 1, "届出 v1"))],
            "c1",
            false,
        ))
        .unwrap();
    let seq = store
        .sync()
        .record_update_local(id, "届出（担当者が訂正）", &json!({"訂正": true}))
        .unwrap();
    // Someone else's change arrives before ours is sent.
    let done = store
        .sync()
        .apply_pull_page(&page(
            vec![upsert(server_record(id, 2, "届出 v2（他の端末）"))],
            "c2",
            false,
        ))
        .unwrap();
    assert_eq!(done.upserted, 1);
    let r = store.sync().record(id).unwrap().unwrap();
    assert_eq!(
        r.title, "届出（担当者が訂正）",
        "the clerk still sees their draft"
    );
    let draft = r.draft.unwrap();
    assert_eq!(draft.body, json!({"訂正": true}));
    assert_eq!(
        draft.base_version,
        Some(1),
        "the draft keeps the version the clerk saw"
    );
    assert_eq!(r.server.unwrap().title, "届出 v2（他の端末）");
    assert_eq!(store.sync().state().unwrap().cursor.as_deref(), Some("c2"));
    // The command goes out with the version the clerk saw, so the server can tell.
    let ready = store.sync().pending_commands(500).unwrap();
    assert_eq!((ready[0].seq, ready[0].base_version), (seq, Some(1)));
}

#[test]
fn a_conflict_keeps_the_draft_labelled_and_the_queue_moves_on() {
    let mut store = Store::open_in_memory().unwrap();
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    store
        .sync()
        .apply_pull_page(&page(
            vec![
                upsert(server_record(a, 3, "A")),
                upsert(server_record(b, 1, "B")),
            ],
            "c1",
            false,
        ))
        .unwrap();
    let s1 = store
        .sync()
        .record_update_local(a, "A（私の訂正）", &json!({}))
        .unwrap();
    let s2 = store
        .sync()
        .record_update_local(b, "B（私の訂正）", &json!({}))
        .unwrap();
    let conflict_id = Uuid::new_v4();
    let done = store
        .sync()
        .apply_push_results(&[
            CommandResult {
                seq: s1,
                outcome: Outcome::Conflict {
                    conflict_id,
                    code: "sync.version_conflict".into(),
                    message: "ほかの担当者が先に更新しました。".into(),
                },
            },
            CommandResult {
                seq: s2,
                outcome: Outcome::Rejected {
                    code: "sync.not_permitted".into(),
                    message: "この所属所の記録は変更できません。".into(),
                },
            },
        ])
        .unwrap();
    assert_eq!((done.conflicts, done.rejected), (1, 1));
    assert!(store.sync().pending_commands(500).unwrap().is_empty());
    let ra = store.sync().record(a).unwrap().unwrap();
    assert_eq!(ra.title, "A（私の訂正）");
    assert_eq!(ra.label.as_deref(), Some(labels::CONFLICT));
    let da = ra.draft.unwrap();
    assert_eq!(da.state, DraftState::Conflict);
    assert_eq!(da.conflict_id, Some(conflict_id));
    let rb = store.sync().record(b).unwrap().unwrap();
    assert_eq!(rb.title, "B（私の訂正）");
    assert_eq!(rb.label.as_deref(), Some(labels::REJECTED));
    assert_eq!(
        rb.draft.unwrap().message.as_deref(),
        Some("この所属所の記録は変更できません。")
    );
    let counts = store.sync().counts().unwrap();
    assert_eq!(
        (counts.pending, counts.conflicted, counts.rejected),
        (0, 1, 1)
    );
    assert!(
        store.sync().has_unsent_work().unwrap(),
        "labelled drafts are unsent work"
    );

    // Replaying the same answers changes nothing.
    let again = store
        .sync()
        .apply_push_results(&[applied(s1, a, 4)])
        .unwrap();
    assert_eq!(again.ignored, 1);
    assert_eq!(
        store.sync().record(a).unwrap().unwrap().label.as_deref(),
        Some(labels::CONFLICT)
    );

    // A further edit of the conflicted draft keeps the base the clerk started from ...
    let s3 = store
        .sync()
        .record_update_local(a, "A（再訂正）", &json!({}))
        .unwrap();
    let ready = store.sync().pending_commands(500).unwrap();
    assert_eq!((ready[0].seq, ready[0].base_version), (s3, Some(3)));
    store
        .sync()
        .apply_push_results(&[CommandResult {
            seq: s3,
            outcome: Outcome::Conflict {
                conflict_id: Uuid::new_v4(),
                code: "sync.version_conflict".into(),
                message: "競合".into(),
            },
        }])
        .unwrap();
    // ... until the clerk re-applies it on top of the server's version.
    store
        .sync()
        .apply_pull_page(&page(
            vec![upsert(server_record(a, 4, "A（他の人）"))],
            "c2",
            false,
        ))
        .unwrap();
    let seqs = store.sync().record_reapply_local(a).unwrap();
    let ready = store.sync().pending_commands(500).unwrap();
    assert_eq!((ready[0].seq, ready[0].base_version), (seqs[0], Some(4)));
    assert_eq!(ready[0].payload["title"], "A（再訂正）");
    // Discarding is refused while the draft is on its way.
    let err = store.sync().record_discard_draft(a).unwrap_err();
    assert_eq!(err.code(), "sync.draft_in_flight");
    // Discarding the rejected draft of b keeps the server copy.
    store.sync().record_discard_draft(b).unwrap();
    let rb = store.sync().record(b).unwrap().unwrap();
    assert_eq!((rb.title.as_str(), rb.label.as_deref()), ("B", None));
}

#[test]
fn a_reset_keeps_drafts_and_drops_other_server_copies() {
    let mut store = Store::open_in_memory().unwrap();
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    store
        .sync()
        .apply_pull_page(&page(
            vec![
                upsert(server_record(a, 1, "A")),
                upsert(server_record(b, 1, "B")),
            ],
            "c1",
            false,
        ))
        .unwrap();
    store
        .sync()
        .record_update_local(a, "A（下書き）", &json!({}))
        .unwrap();
    let (new_id, _) = store
        .sync()
        .record_create_local("note", "1203", "新規（未送信）", &json!({}))
        .unwrap();
    let done = store
        .sync()
        .apply_pull_page(&page(vec![], "r1", true))
        .unwrap();
    assert_eq!(done.reset_removed, 1);
    assert!(store.sync().record(b).unwrap().is_none());
    assert_eq!(
        store.sync().record(a).unwrap().unwrap().title,
        "A（下書き）"
    );
    assert_eq!(
        store.sync().record(new_id).unwrap().unwrap().title,
        "新規（未送信）"
    );
    assert_eq!(store.sync().state().unwrap().cursor.as_deref(), Some("r1"));
    assert_eq!(store.sync().counts().unwrap().pending, 2);
}

#[test]
fn a_revoke_removes_a_clean_copy_and_keeps_a_draft_labelled() {
    let mut store = Store::open_in_memory().unwrap();
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    store
        .sync()
        .apply_pull_page(&page(
            vec![
                upsert(server_record(a, 1, "A")),
                upsert(server_record(b, 1, "B")),
            ],
            "c1",
            false,
        ))
        .unwrap();
    let seq = store
        .sync()
        .record_update_local(a, "A（下書き）", &json!({}))
        .unwrap();
    let done = store
        .sync()
        .apply_pull_page(&page(
            vec![
                Change::Revoke { record_id: a },
                Change::Revoke { record_id: b },
            ],
            "c2",
            false,
        ))
        .unwrap();
    assert_eq!((done.removed, done.kept_drafts), (1, 1));
    assert!(store.sync().record(b).unwrap().is_none());
    let ra = store.sync().record(a).unwrap().unwrap();
    assert!(ra.revoked);
    assert_eq!(ra.title, "A（下書き）");
    assert_eq!(ra.label.as_deref(), Some(labels::REVOKED));
    assert_eq!(store.sync().list_records("note").unwrap().len(), 1);
    // The server refuses the edit; the draft is still kept and still says why it is hidden.
    store
        .sync()
        .apply_push_results(&[CommandResult {
            seq,
            outcome: Outcome::Rejected {
                code: "sync.not_found".into(),
                message: "記録が見つかりません。".into(),
            },
        }])
        .unwrap();
    let ra = store.sync().record(a).unwrap().unwrap();
    assert_eq!(ra.draft.as_ref().unwrap().state, DraftState::Rejected);
    assert_eq!(ra.label.as_deref(), Some(labels::REVOKED));
    // Visible again: the label follows the draft.
    store
        .sync()
        .apply_pull_page(&page(vec![upsert(server_record(a, 2, "A2"))], "c3", false))
        .unwrap();
    let ra = store.sync().record(a).unwrap().unwrap();
    assert!(!ra.revoked);
    assert_eq!(ra.label.as_deref(), Some(labels::REJECTED));
}

#[test]
fn an_applied_answer_after_the_pull_does_not_roll_the_copy_back() {
    let mut store = Store::open_in_memory().unwrap();
    let (a, s1) = store
        .sync()
        .record_create_local("note", "1203", "私の記録", &json!({}))
        .unwrap();
    // The push response was lost; the pull already brings v1 and then someone's v2.
    store
        .sync()
        .apply_pull_page(&page(
            vec![
                upsert(server_record(a, 1, "私の記録")),
                upsert(server_record(a, 2, "他の人")),
            ],
            "c1",
            false,
        ))
        .unwrap();
    let r = store.sync().record(a).unwrap().unwrap();
    assert_eq!(r.title, "私の記録", "draft still shown until confirmed");
    store
        .sync()
        .apply_push_results(&[applied(s1, a, 1)])
        .unwrap();
    let r = store.sync().record(a).unwrap().unwrap();
    assert!(r.draft.is_none());
    assert_eq!((r.server.unwrap().version, r.title.as_str()), (2, "他の人"));
    // An old page arriving late is ignored too.
    let done = store
        .sync()
        .apply_pull_page(&page(
            vec![upsert(server_record(a, 1, "古い"))],
            "c2",
            false,
        ))
        .unwrap();
    assert_eq!(done.stale, 1);
    assert_eq!(store.sync().record(a).unwrap().unwrap().title, "他の人");
}

#[test]
fn a_rejected_creation_is_created_again_when_the_clerk_fixes_it() {
    let mut store = Store::open_in_memory().unwrap();
    let (a, s1) = store
        .sync()
        .record_create_local("note", "9999", "誤った所属所", &json!({}))
        .unwrap();
    store
        .sync()
        .apply_push_results(&[CommandResult {
            seq: s1,
            outcome: Outcome::Rejected {
                code: "sync.not_permitted".into(),
                message: "この所属所には登録できません。".into(),
            },
        }])
        .unwrap();
    let r = store.sync().record(a).unwrap().unwrap();
    assert_eq!(r.label.as_deref(), Some(labels::REJECTED));
    assert!(r.server.is_none());
    let s2 = store
        .sync()
        .record_update_local(a, "訂正済み", &json!({}))
        .unwrap();
    let ready = store.sync().pending_commands(500).unwrap();
    assert_eq!((ready[0].seq, ready[0].name.as_str()), (s2, record::CREATE));
    assert_eq!(ready[0].payload["title"], "訂正済み");
    assert_eq!(ready[0].payload["office_code"], "9999");
}

#[test]
fn a_failing_page_leaves_nothing_behind_after_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kyosai.sqlite3");
    let good = Uuid::new_v4();
    {
        let mut store = Store::open(&path).unwrap();
        store
            .sync()
            .apply_pull_page(&page(
                vec![upsert(server_record(Uuid::new_v4(), 1, "前"))],
                "c1",
                false,
            ))
            .unwrap();
        store
            .sync()
            .record_create_local("note", "1203", "下書き", &json!({}))
            .unwrap();
        let mut bad = server_record(Uuid::new_v4(), 1, "壊れた記録");
        bad.kind = String::new(); // the schema refuses it half-way through the page
        let err = store
            .sync()
            .apply_pull_page(&page(
                vec![upsert(server_record(good, 1, "良い記録")), upsert(bad)],
                "c2",
                true,
            ))
            .unwrap_err();
        assert!(matches!(err, StoreError::Sqlite(_)), "{err:?}");
        // Dropped without anything committed from that page.
    }
    let mut store = Store::open(&path).unwrap();
    assert!(store.integrity_check().unwrap().ok);
    assert!(store.sync().record(good).unwrap().is_none(), "no half page");
    assert_eq!(store.sync().state().unwrap().cursor.as_deref(), Some("c1"));
    assert_eq!(
        store.sync().record_count().unwrap(),
        2,
        "reset rolled back too"
    );
}

#[test]
fn another_user_takes_over_only_a_settled_profile() {
    let mut store = Store::open_in_memory().unwrap();
    assert_eq!(
        store.sync().bind_user("k.sato").unwrap(),
        kyosai_store::sync::UserBinding::First
    );
    let client_id = store.sync().state().unwrap().client_id;
    let (a, s1) = store
        .sync()
        .record_create_local("note", "1203", "佐藤の下書き", &json!({}))
        .unwrap();
    let err = store.sync().bind_user("m.suzuki").unwrap_err();
    assert_eq!(err.code(), "sync.other_user_unsent_work");
    assert!(err.to_string().contains("k.sato"));
    store
        .sync()
        .apply_push_results(&[applied(s1, a, 1)])
        .unwrap();
    assert_eq!(
        store.sync().bind_user("k.sato").unwrap(),
        kyosai_store::sync::UserBinding::Same
    );
    assert_eq!(
        store.sync().bind_user("m.suzuki").unwrap(),
        kyosai_store::sync::UserBinding::Switched
    );
    let state = store.sync().state().unwrap();
    assert_ne!(state.client_id, client_id);
    assert_eq!((state.last_seq, state.cursor), (0, None));
    assert_eq!(
        store.sync().record_count().unwrap(),
        0,
        "佐藤's copies are not shown to 鈴木"
    );
    let (_, s) = store
        .sync()
        .record_create_local("note", "1203", "鈴木", &json!({}))
        .unwrap();
    assert_eq!(s, 1);
}

#[test]
fn sync_state_records_success_and_errors() {
    let mut store = Store::open_in_memory().unwrap();
    store
        .sync()
        .mark_sync_error("sync.offline", "接続できません。")
        .unwrap();
    let e = store.sync().state().unwrap().last_error.unwrap();
    assert_eq!(e.code, "sync.offline");
    let now = Utc::now();
    store.sync().mark_sync_ok(now).unwrap();
    let s = store.sync().state().unwrap();
    assert!(s.last_error.is_none());
    assert_eq!(
        s.last_sync_at.unwrap().timestamp_micros(),
        now.timestamp_micros()
    );
    assert_eq!(
        store.sync().outbox_entries().unwrap().len(),
        0,
        "no commands yet"
    );
    let _ = OutboxState::Pending;
}
