#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Many local records in one transaction (CSV import): all or nothing, gapless seqs.

use kyosai_store::sync::{BulkCreate, NewLocalRecord, OutboxState};
use kyosai_store::{Store, StoreError};
use serde_json::json;

fn items(n: usize) -> Vec<NewLocalRecord> {
    (0..n)
        .map(|i| NewLocalRecord {
            office_code: "1203".into(),
            title: format!("組合員資格取得届　山田 太郎{i}"),
            body: serde_json::value::to_raw_value(
                &json!({ "member": { "name": format!("山田　太郎{i}") } }),
            )
            .unwrap(),
        })
        .collect()
}

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("kyosai.sqlite3")).unwrap();
    (dir, store)
}

#[test]
fn creates_every_record_with_consecutive_seqs() {
    let (_dir, mut store) = open();
    store
        .sync()
        .record_create_local("note", "1203", "先のメモ", &json!({}))
        .unwrap();
    let mut calls = Vec::new();
    let out = store
        .sync()
        .records_create_local_many("acquisition", &items(5), 2, &mut |n| {
            calls.push(n);
            true
        })
        .unwrap();
    assert_eq!(calls, vec![2, 4, 5]);
    let BulkCreate::Created(created) = out else {
        panic!("cancelled")
    };
    assert_eq!(
        created.iter().map(|c| c.1).collect::<Vec<_>>(),
        vec![2, 3, 4, 5, 6]
    );
    let list = store.sync().list_records("acquisition").unwrap();
    assert_eq!(list.len(), 5);
    let r = store.sync().record(created[0].0).unwrap().unwrap();
    assert_eq!(r.title, "組合員資格取得届　山田 太郎0");
    assert_eq!(r.label.as_deref(), Some("未送信"));
    let pending = store.sync().pending_commands(100).unwrap();
    assert_eq!(pending.len(), 6);
    assert_eq!(pending[1].name, "record.create");
    assert_eq!(pending[1].record_id, created[0].0);
    let entries = store.sync().outbox_entries().unwrap();
    assert!(entries.iter().all(|e| e.state == OutboxState::Pending));
    // The next ordinary command continues the sequence.
    let (_, seq) = store
        .sync()
        .record_create_local("note", "1203", "後のメモ", &json!({}))
        .unwrap();
    assert_eq!(seq, 7);
}

#[test]
fn cancel_leaves_nothing_and_no_gap() {
    let (_dir, mut store) = open();
    let out = store
        .sync()
        .records_create_local_many("acquisition", &items(10), 3, &mut |n| n < 6)
        .unwrap();
    assert_eq!(out, BulkCreate::Cancelled { after: 6 });
    assert_eq!(store.sync().record_count().unwrap(), 0);
    assert!(store.sync().pending_commands(100).unwrap().is_empty());
    let (_, seq) = store
        .sync()
        .record_create_local("note", "1203", "メモ", &json!({}))
        .unwrap();
    assert_eq!(seq, 1, "the seq counter rolled back too");
}

#[test]
fn a_failure_part_way_rolls_everything_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kyosai.sqlite3");
    let mut store = Store::open(&path).unwrap();
    // A disk that fills up at the fourth row, played by a trigger.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TRIGGER full_disk BEFORE INSERT ON records
         WHEN (SELECT count(*) FROM records) >= 3
         BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;",
    )
    .unwrap();
    drop(conn);
    let err = store
        .sync()
        .records_create_local_many("acquisition", &items(10), 1, &mut |_| true)
        .unwrap_err();
    assert_eq!(err.code(), "store.sqlite");
    assert_eq!(store.sync().record_count().unwrap(), 0);
    assert!(store.sync().pending_commands(100).unwrap().is_empty());
}

#[test]
fn an_empty_office_code_is_refused_before_writing() {
    let (_dir, mut store) = open();
    let mut rows = items(3);
    rows[2].office_code = " ".into();
    let err = store
        .sync()
        .records_create_local_many("acquisition", &rows, 1, &mut |_| true)
        .unwrap_err();
    assert!(matches!(err, StoreError::InvalidInput { .. }));
    assert_eq!(store.sync().record_count().unwrap(), 0);
}
