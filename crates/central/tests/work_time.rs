//! Working time (`work.time@1`) on the central service over real HTTPS, on both storage
//! backends: the app reports a case open at a step and worked on; the server keeps one row
//! per session, never twice, for a case the sender may see, without touching the case.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Duration, Utc};
use common::*;
use kyosai_central::storage::WorkSessionRow;
use kyosai_central::testing::{postgres_skipped, TestBackend};
use kyosai_sync_protocol::{work, Outcome};
use serde_json::json;
use uuid::Uuid;

both_backends!(
    stored_sessions_are_inserted_once_and_read_by_office,
    a_session_is_kept_once_without_touching_the_case,
    only_people_who_see_the_case_may_report_time_on_it,
    malformed_sessions_are_refused_with_a_reason,
);

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn row(office: &str, started_at: DateTime<Utc>, seconds: u32) -> WorkSessionRow {
    WorkSessionRow {
        session_id: Uuid::new_v4(),
        record_id: Uuid::new_v4(),
        kind: "acquisition".into(),
        step: "draft".into(),
        user_id: CLERK_A.into(),
        office_code: office.into(),
        started_at,
        active_seconds: seconds,
    }
}

async fn stored_sessions_are_inserted_once_and_read_by_office(backend: TestBackend) {
    let (server, _api) = setup(backend).await;
    let storage = server.storage();
    let t0 = at("2026-04-01T00:30:00.123456Z");
    let mut late = row("1203", t0 + Duration::hours(2), 600);
    late.step = "所属所長".into();
    late.user_id = HEAD_A.into();
    let rows = vec![late.clone(), row("1203", t0, 95), row("1101", t0, 28_800)];
    assert_eq!(storage.insert_work_sessions(&rows).await.unwrap(), 3);
    // Inserting the same sessions again (a demo year loaded twice) adds nothing.
    assert_eq!(storage.insert_work_sessions(&rows).await.unwrap(), 0);
    assert_eq!(storage.insert_work_sessions(&[]).await.unwrap(), 0);

    let all = storage.work_sessions(None).await.unwrap();
    assert_eq!(all.len(), 3);
    let shinjuku = storage.work_sessions(Some("1203")).await.unwrap();
    // Oldest first, every column as inserted (microseconds kept).
    assert_eq!(shinjuku, vec![rows[1].clone(), late]);
    let somu = storage.work_sessions(Some("1101")).await.unwrap();
    assert_eq!(somu, vec![rows[2].clone()]);
    assert!(storage
        .work_sessions(Some("9999"))
        .await
        .unwrap()
        .is_empty());
    server.stop().await;
}

fn rejected(o: &Outcome) -> &str {
    match o {
        Outcome::Rejected { code, message } => {
            assert!(!message.is_empty());
            code
        }
        other => panic!("not rejected: {other:?}"),
    }
}

async fn a_session_is_kept_once_without_touching_the_case(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let clerk = api.login(CLERK_A).await;
    let case = api
        .new_case(&clerk, 1, "1203", "資格取得届 山田 太郎")
        .await;
    let (_, cursor) = api.pull_all(&clerk, None).await;
    let before = server.record(case).await.unwrap();

    let started = Utc::now() - Duration::minutes(20);
    let sid = Uuid::new_v4();
    let cmd = work_time(2, case, work_session(sid, "draft", started, 754));
    let r = api.push(&clerk, std::slice::from_ref(&cmd)).await;
    assert_eq!(
        r.results[0].outcome,
        Outcome::Applied {
            record_id: case,
            version: 1
        }
    );
    // The case is as it was: same version, same content, no change to pull.
    assert_eq!(server.record(case).await.unwrap(), before);
    let page = api.pull(&clerk, Some(&cursor), 100).await;
    assert!(page.changes.is_empty(), "{:?}", page.changes);

    let rows = server.storage().work_sessions(Some("1203")).await.unwrap();
    assert_eq!(rows.len(), 1);
    let w = &rows[0];
    assert_eq!(w.session_id, sid);
    assert_eq!(w.record_id, case);
    assert_eq!(w.kind, "acquisition");
    assert_eq!(w.step, "draft");
    assert_eq!(w.user_id, CLERK_A);
    assert_eq!(w.office_code, "1203");
    assert_eq!(w.active_seconds, 754);
    assert_eq!(w.started_at.timestamp(), started.timestamp());

    // The same seq again (an answer lost on the way): the stored answer, no second row.
    let again = api.push(&clerk, &[cmd]).await;
    assert_eq!(again.results, r.results);
    // The same session under a new seq (an outbox copied back): applied, still one row.
    let r = api
        .push(
            &clerk,
            &[work_time(3, case, work_session(sid, "draft", started, 754))],
        )
        .await;
    assert!(matches!(
        r.results[0].outcome,
        Outcome::Applied { version: 1, .. }
    ));
    assert_eq!(server.storage().work_sessions(None).await.unwrap().len(), 1);

    // A session sent on a stale copy of the case never conflicts: a 所属所長 at the
    // certification step after the clerk edited the case twice.
    let r = api
        .push(
            &clerk,
            &[update(4, case, 1, "第2版"), update(5, case, 2, "第3版")],
        )
        .await;
    assert!(matches!(
        r.results[1].outcome,
        Outcome::Applied { version: 3, .. }
    ));
    let head = api.login(HEAD_A).await;
    let r = api
        .push(
            &head,
            &[work_time(
                1,
                case,
                work_session(Uuid::new_v4(), "所属所長", started, 60),
            )],
        )
        .await;
    assert_eq!(
        r.results[0].outcome,
        Outcome::Applied {
            record_id: case,
            version: 3
        }
    );
    assert_eq!(server.record(case).await.unwrap().version, 3);
    let rows = server.storage().work_sessions(Some("1203")).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows
        .iter()
        .any(|w| w.user_id == HEAD_A && w.step == "所属所長"));

    // The audit log has one `work.time` entry per kept session, with the step and the
    // seconds and nothing else of the payload.
    let audit = server.storage().audit_rows().await.unwrap();
    let kept: Vec<_> = audit
        .iter()
        .map(|r| &r.entry)
        .filter(|e| e.action == "work.time")
        .collect();
    assert_eq!(
        kept.len(),
        3,
        "seq 2, seq 3 (answered, not kept twice) and the head's"
    );
    assert_eq!(kept[0].actor, CLERK_A);
    assert_eq!(kept[0].target.as_deref(), Some(case.to_string().as_str()));
    assert_eq!(kept[0].detail["step"], "draft");
    assert_eq!(kept[0].detail["seconds"], 754);
    assert!(kept[0].detail.get("sessionId").is_none());
    assert!(kept[0].detail.get("startedAt").is_none());
    assert!(server.storage().audit_verify(None).await.unwrap().is_ok());
    server.stop().await;
}

async fn only_people_who_see_the_case_may_report_time_on_it(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let clerk = api.login(CLERK_A).await;
    let case = api
        .new_case(&clerk, 1, "1203", "資格取得届 山田 太郎")
        .await;
    let started = Utc::now() - Duration::minutes(5);

    // Another office's clerk and IT see nothing of 新宿区役所's cases: refused, exactly
    // as for a case that does not exist.
    for who in [CLERK_B, IT] {
        let u = api.login(who).await;
        let r = api
            .push(
                &u,
                &[
                    work_time(1, case, work_session(Uuid::new_v4(), "draft", started, 30)),
                    work_time(
                        2,
                        Uuid::new_v4(),
                        work_session(Uuid::new_v4(), "draft", started, 30),
                    ),
                ],
            )
            .await;
        assert_eq!(rejected(&r.results[0].outcome), work::codes::NOT_PERMITTED);
        assert_eq!(r.results[0].outcome, r.results[1].outcome, "{who}");
    }
    assert!(server
        .storage()
        .work_sessions(None)
        .await
        .unwrap()
        .is_empty());

    // The secretariat's reviewer reads every office's cases: kept, under the case's
    // office (not the reviewer's).
    let reviewer = api.login(REVIEWER).await;
    let r = api
        .push(
            &reviewer,
            &[work_time(
                1,
                case,
                work_session(Uuid::new_v4(), "事務局審査担当", started, 200),
            )],
        )
        .await;
    assert!(matches!(r.results[0].outcome, Outcome::Applied { .. }));
    let rows = server.storage().work_sessions(Some("1203")).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].user_id, REVIEWER);
    assert_eq!(rows[0].office_code, "1203");

    let audit = server.storage().audit_rows().await.unwrap();
    let refused = audit
        .iter()
        .filter(|r| r.entry.action == "work.time.refused")
        .count();
    assert_eq!(refused, 4);
    server.stop().await;
}

async fn malformed_sessions_are_refused_with_a_reason(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let clerk = api.login(CLERK_A).await;
    let case = api
        .new_case(&clerk, 1, "1203", "資格取得届 山田 太郎")
        .await;
    let started = Utc::now() - Duration::minutes(5);
    let id = Uuid::new_v4;
    let payloads = [
        work_session(id(), "draft", started, 0),
        work_session(id(), "draft", started, 28_801),
        work_session(id(), "draft", started, -3),
        work_session(id(), "  ", started, 60),
        work_session(id(), &"課".repeat(101), started, 60),
        work_session(id(), "dra\u{7}ft", started, 60),
        work_session(id(), "draft", Utc::now() + Duration::hours(1), 60),
        json!({"sessionId": "not-a-uuid", "step": "draft", "startedAt": started, "activeSeconds": 60}),
        json!({"step": "draft", "startedAt": started, "activeSeconds": 60}),
        json!({"sessionId": id(), "step": "draft", "startedAt": started, "activeSeconds": 60, "note": "x"}),
    ];
    let cmds: Vec<_> = payloads
        .iter()
        .enumerate()
        .map(|(i, p)| work_time(i as u64 + 2, case, p.clone()))
        .collect();
    let r = api.push(&clerk, &cmds).await;
    for (i, res) in r.results.iter().enumerate() {
        assert_eq!(rejected(&res.outcome), work::codes::INVALID, "payload {i}");
    }
    // The limits themselves are accepted.
    let r = api
        .push(
            &clerk,
            &[
                work_time(12, case, work_session(id(), "draft", started, 1)),
                work_time(13, case, work_session(id(), "draft", started, 28_800)),
            ],
        )
        .await;
    assert!(r
        .results
        .iter()
        .all(|x| matches!(x.outcome, Outcome::Applied { .. })));
    assert_eq!(server.storage().work_sessions(None).await.unwrap().len(), 2);
    assert_eq!(server.record(case).await.unwrap().version, 1);
    server.stop().await;
}
