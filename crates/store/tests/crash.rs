#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]
//! A writer process killed (SIGKILL on Unix, TerminateProcess on Windows) at random points
//! leaves a database that opens, passes `integrity_check`, and holds every committed
//! action with a gapless outbox.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use kyosai_store::sync::OutboxState;
use kyosai_store::Store;
use kyosai_sync_protocol::{Change, CommandResult, Outcome, PullResponse, Record};
use serde_json::json;
use uuid::Uuid;

const CHILD_ENV: &str = "KYOSAI_STORE_CRASH_CHILD_DB";

/// Not a test on its own: the body of the child process (does nothing without the env).
#[test]
fn crash_child_writer() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return;
    };
    let mut store = Store::open(std::path::Path::new(&path)).unwrap();
    let out = std::io::stdout();
    let mut i = 0u64;
    loop {
        i += 1;
        let (id, seq) = store
            .sync()
            .record_create_local("note", "1203", &format!("届出 {i}"), &json!({ "i": i }))
            .unwrap();
        writeln!(out.lock(), "committed {seq} {id}").unwrap();
        let seq = store
            .sync()
            .record_update_local(
                id,
                &format!("届出 {i}（訂正）"),
                &json!({ "i": i, "訂正": true }),
            )
            .unwrap();
        writeln!(out.lock(), "committed {seq} {id}").unwrap();
        if i.is_multiple_of(3) {
            // Pretend the server answered the creation, and a page came in.
            store
                .sync()
                .apply_push_results(&[CommandResult {
                    seq: seq - 1,
                    outcome: Outcome::Applied {
                        record_id: id,
                        version: 1,
                    },
                }])
                .unwrap();
            let changes = (0..50)
                .map(|k| Change::Upsert {
                    record: Box::new(Record {
                        id: Uuid::new_v4(),
                        kind: "note".into(),
                        office_code: "1203".into(),
                        version: 1,
                        state: "draft".into(),
                        title: format!("他の担当者の記録 {i}-{k}"),
                        body: json!({ "k": k }),
                        created_by: "m.suzuki".into(),
                        updated_by: "m.suzuki".into(),
                        created_at: chrono::Utc::now(),
                        updated_at: chrono::Utc::now(),
                    }),
                })
                .collect();
            store
                .sync()
                .apply_pull_page(&PullResponse {
                    changes,
                    cursor: format!("c{i}"),
                    has_more: false,
                    reset: false,
                })
                .unwrap();
            writeln!(out.lock(), "cursor c{i}").unwrap();
        }
    }
}

#[test]
fn a_killed_writer_leaves_a_consistent_gapless_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kyosai.sqlite3");
    let trials: u64 = std::env::var("KYOSAI_STORE_CRASH_TRIALS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(8);
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let mut committed = std::collections::BTreeSet::new();
    let mut last_cursor = None;
    for trial in 0..trials {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let delay = Duration::from_millis(40 + rng % 250);
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "crash_child_writer",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        child.kill().unwrap(); // SIGKILL: no destructor, no rollback, no checkpoint
        child.wait().unwrap();
        let stdout = child.stdout.take().unwrap();
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            let mut parts = line.split_whitespace();
            match parts.next() {
                Some("committed") => {
                    let seq: u64 = parts.next().unwrap().parse().unwrap();
                    committed.insert(seq);
                }
                Some("cursor") => last_cursor = Some(parts.next().unwrap().to_string()),
                _ => {}
            }
        }

        let mut store = Store::open(&path).unwrap();
        let report = store.integrity_check().unwrap();
        assert!(report.ok, "trial {trial}: {report:?}");
        let state = store.sync().state().unwrap();
        let entries = store.sync().outbox_entries().unwrap();
        let seqs: Vec<u64> = entries.iter().map(|e| e.seq).collect();
        let expected: Vec<u64> = (1..=state.last_seq).collect();
        assert_eq!(
            seqs, expected,
            "trial {trial}: outbox gapless and matching last_seq"
        );
        for seq in &committed {
            assert!(
                seqs.contains(seq),
                "trial {trial}: committed seq {seq} lost"
            );
        }
        // Every unanswered command still has its draft.
        for e in entries.iter().filter(|e| e.state == OutboxState::Pending) {
            let r = store.sync().record(e.record_id).unwrap().unwrap();
            assert!(
                r.draft.is_some(),
                "trial {trial}: draft of seq {} dropped",
                e.seq
            );
        }
        if let Some(c) = &last_cursor {
            // The cursor on disk is the one reported or a later one.
            let on_disk = state.cursor.clone().unwrap();
            let n = |s: &str| s.trim_start_matches('c').parse::<u64>().unwrap();
            assert!(n(&on_disk) >= n(c), "trial {trial}: cursor went back");
        }
    }
    assert!(!committed.is_empty(), "the child never got to write");
}
