#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Working time (`work.time@1`) in the outbox against a real SQLite file: like an approval
//! action it leaves the draft alone, queues behind the record's unsent edits, and its
//! answer never labels or wrongly clears a draft.

use chrono::Utc;
use kyosai_store::sync::{labels, DraftState, OutboxState};
use kyosai_store::Store;
use kyosai_sync_protocol::{Change, CommandResult, Outcome, PullResponse, Record};
use serde_json::json;
use uuid::Uuid;

fn acquisition(id: Uuid, version: i64, title: &str) -> Record {
    Record {
        id,
        kind: "acquisition".into(),
        office_code: "1203".into(),
        version,
        state: "draft".into(),
        title: title.into(),
        body: json!({ "member_name": "山田 太郎" }),
        created_by: "tanto1203".into(),
        updated_by: "tanto1203".into(),
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

fn session(seconds: u32) -> serde_json::Value {
    json!({
        "sessionId": Uuid::new_v4(),
        "step": "draft",
        "startedAt": Utc::now(),
        "activeSeconds": seconds,
    })
}

fn answer(store: &mut Store, seq: u64, outcome: Outcome) {
    store
        .sync()
        .apply_push_results(&[CommandResult { seq, outcome }])
        .unwrap();
}

#[test]
fn time_on_a_clean_record_changes_nothing_local() {
    let (_dir, mut store) = open();
    let a = Uuid::new_v4();
    pull(&mut store, vec![acquisition(a, 4, "資格取得届 山田 太郎")]);
    let seq = store
        .sync()
        .record_action_local(a, "work.time", 1, &session(300))
        .unwrap();
    let ready = store.sync().pending_commands(500).unwrap();
    assert_eq!(ready.len(), 1);
    assert_eq!(ready[0].name, "work.time");
    assert_eq!(ready[0].payload["activeSeconds"], 300);
    // Not an approval: the 決裁 screens do not list it.
    assert!(store.sync().approval_outcomes(10).unwrap().is_empty());
    assert!(store
        .sync()
        .records_with_pending_actions()
        .unwrap()
        .is_empty());

    answer(
        &mut store,
        seq,
        Outcome::Applied {
            record_id: a,
            version: 4,
        },
    );
    let r = store.sync().record(a).unwrap().unwrap();
    assert!(r.draft.is_none());
    assert_eq!(r.label, None);
    assert_eq!(r.server.unwrap().version, 4);
    assert!(!store.sync().has_unsent_work().unwrap());
}

#[test]
fn time_after_an_unsent_edit_settles_the_draft_only_when_the_edit_applied() {
    let (_dir, mut store) = open();
    let a = Uuid::new_v4();
    pull(&mut store, vec![acquisition(a, 2, "資格取得届 山田 太郎")]);
    let s1 = store
        .sync()
        .record_update_local(
            a,
            "資格取得届 山田 太郎（訂正）",
            &json!({"member_name": "山田 太朗"}),
        )
        .unwrap();
    let s2 = store
        .sync()
        .record_action_local(a, "work.time", 1, &session(120))
        .unwrap();
    // The time waits behind the edit (one record, in order).
    let ready = store.sync().pending_commands(500).unwrap();
    assert_eq!(ready.iter().map(|c| c.seq).collect::<Vec<_>>(), vec![s1]);
    answer(
        &mut store,
        s1,
        Outcome::Applied {
            record_id: a,
            version: 3,
        },
    );
    assert_eq!(
        store.sync().record(a).unwrap().unwrap().label.as_deref(),
        Some(labels::PENDING)
    );
    answer(
        &mut store,
        s2,
        Outcome::Applied {
            record_id: a,
            version: 3,
        },
    );
    let r = store.sync().record(a).unwrap().unwrap();
    assert!(r.draft.is_none(), "the edit applied: settled");
    assert_eq!(r.label, None);
    assert_eq!(r.title, "資格取得届 山田 太郎（訂正）");
    assert_eq!(r.server.unwrap().version, 3);

    // A refused edit keeps its 差戻し label; the time's own answer changes nothing of it.
    let s3 = store
        .sync()
        .record_update_local(
            a,
            "資格取得届 山田 太朗",
            &json!({"member_name": "山田 太朗"}),
        )
        .unwrap();
    let s4 = store
        .sync()
        .record_action_local(a, "work.time", 1, &session(45))
        .unwrap();
    answer(
        &mut store,
        s3,
        Outcome::Rejected {
            code: "sync.invalid_payload".into(),
            message: "形式が正しくありません。".into(),
        },
    );
    answer(
        &mut store,
        s4,
        Outcome::Applied {
            record_id: a,
            version: 3,
        },
    );
    let r = store.sync().record(a).unwrap().unwrap();
    assert_eq!(r.label.as_deref(), Some(labels::REJECTED));
    let d = r.draft.unwrap();
    assert_eq!(d.state, DraftState::Rejected);
    assert_eq!(d.title, "資格取得届 山田 太朗");
}

#[test]
fn refused_time_never_labels_a_draft() {
    let (_dir, mut store) = open();
    let a = Uuid::new_v4();
    pull(&mut store, vec![acquisition(a, 2, "資格取得届 山田 太郎")]);
    let s1 = store
        .sync()
        .record_update_local(
            a,
            "資格取得届（訂正）",
            &json!({"member_name": "山田 太郎"}),
        )
        .unwrap();
    let s2 = store
        .sync()
        .record_action_local(a, "work.time", 1, &session(30))
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
                    code: "work.not_permitted".into(),
                    message: "この案件の作業時間を記録する権限がありません。".into(),
                },
            },
        ])
        .unwrap();
    let r = store.sync().record(a).unwrap().unwrap();
    assert!(r.draft.is_none(), "the edit applied; nothing waits");
    assert_eq!(r.label, None);
    assert_eq!(r.server.unwrap().version, 3);
    let counts = store.sync().counts().unwrap();
    assert_eq!((counts.pending, counts.rejected), (0, 0));
    let rows = store.sync().outbox_entries().unwrap();
    assert_eq!(rows[1].state, OutboxState::Rejected);
    assert!(!store.sync().has_unsent_work().unwrap());
}

#[test]
fn an_unsent_working_time_report_does_not_hold_back_a_sign_out_nor_count_as_unsent() {
    let (_dir, mut store) = open();
    let a = Uuid::new_v4();
    pull(&mut store, vec![acquisition(a, 4, "資格取得届 山田 太郎")]);
    store
        .sync()
        .record_action_local(a, "work.time", 1, &session(300))
        .unwrap();
    // Queued, and still sent with the next push …
    assert_eq!(store.sync().pending_commands(500).unwrap().len(), 1);
    // … but neither unsent work for sign-out nor a 未送信 count in the status bar.
    assert!(!store.sync().has_unsent_work().unwrap());
    assert_eq!(store.sync().counts().unwrap().pending, 0);

    // A real edit still is.
    store
        .sync()
        .record_update_local(
            a,
            "資格取得届 山田 太郎（訂正）",
            &json!({"member_name": "山田 太朗"}),
        )
        .unwrap();
    assert!(store.sync().has_unsent_work().unwrap());
    assert_eq!(store.sync().counts().unwrap().pending, 1);
}
