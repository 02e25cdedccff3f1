#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! 業務の見える化, working time: the editor's time on a case goes from the app's use case
//! through the outbox and the sync client to the real central service over TLS on
//! 127.0.0.1 (both storage backends), and is kept there under the person, the office,
//! the kind of the case and the step it was worked at.

use chrono::{Duration, Utc};
use kyosai_app::proposals::{self, FlagsDto, ProposalDraft};
use kyosai_app::worktime;
use kyosai_central::testing::{TestBackend, TestServer};
use kyosai_store::sync::OutboxState;
use kyosai_sync_protocol::Role;
use uuid::Uuid;

mod common;

use common::{Pc, PASSWORD};

async fn start(backend: TestBackend, test: &str) -> Option<TestServer> {
    if backend == TestBackend::Postgres && kyosai_central::testing::postgres_skipped(test) {
        return None;
    }
    let server = TestServer::start(backend).await;
    server.add_office("1203", "新宿区役所").await;
    server.add_office("1101", "東京都総務局").await;
    for (id, name, role, office) in [
        ("tanto", "佐藤 花子", Role::OfficeClerk, Some("1203")),
        ("shocho", "鈴木 一郎", Role::OfficeHead, Some("1203")),
        ("tanto1101", "高橋 健", Role::OfficeClerk, Some("1101")),
        ("kessai", "伊藤 誠", Role::Approver, None),
    ] {
        server.add_user(id, name, &[role], office, PASSWORD).await;
    }
    Some(server)
}

async fn time_reaches_the_central_service(backend: TestBackend, test: &str) {
    let Some(server) = start(backend, test).await else {
        return;
    };
    let tanto = Pc::sign_in(&server, "tanto").await;
    let shocho = Pc::sign_in(&server, "shocho").await;
    let other = Pc::sign_in(&server, "tanto1101").await;

    // The clerk drafts a 起案文書 and works on it for 12 minutes 34 seconds.
    let draft = ProposalDraft {
        id: None,
        title: "窓口用消耗品の購入".into(),
        text: "トナーと封筒を購入します。".into(),
        amount: "48,000".into(),
        amends: None,
    };
    let saved = tanto
        .with(|s| proposals::save_on(s, &draft, Some("1203".into()), Some(&tanto.me), Utc::now()))
        .unwrap();
    let id = Uuid::parse_str(&saved.id).unwrap();
    let began = Utc::now() - Duration::minutes(15);
    // Before the server has it the session queues behind the creation.
    assert!(tanto
        .with(|s| worktime::record_on(s, id, began, 754))
        .unwrap());
    // A glance of 4 seconds is not work; a record this PC does not hold is not timed.
    assert!(!tanto
        .with(|s| worktime::record_on(s, id, began, 4))
        .unwrap());
    assert!(!tanto
        .with(|s| worktime::record_on(s, Uuid::new_v4(), began, 600))
        .unwrap());
    tanto.sync().await;
    let outbox = tanto.with(|s| s.sync().outbox_entries()).unwrap();
    assert!(
        outbox.iter().all(|e| e.state == OutboxState::SentApplied),
        "{outbox:?}"
    );

    let rows = server.storage().work_sessions(Some("1203")).await.unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].record_id, id);
    assert_eq!(rows[0].user_id, "tanto");
    assert_eq!(rows[0].office_code, "1203");
    assert_eq!(rows[0].kind, "proposal");
    assert_eq!(rows[0].step, kyosai_domain::flow::STEP_DRAFT);
    assert_eq!(rows[0].active_seconds, 754);
    assert_eq!(rows[0].started_at.timestamp(), began.timestamp());
    // The draft is settled, unlabelled.
    let r = tanto.with(|s| s.sync().record(id)).unwrap().unwrap();
    assert!(r.draft.is_none());
    assert_eq!(r.label, None);

    // Submitted; the office head opens it at his step and works 9 hours (recorded as 8).
    tanto
        .with(|s| proposals::submit_on(s, &tanto.me, &saved.id, FlagsDto::default(), Utc::now()))
        .unwrap();
    tanto.sync().await;
    shocho.sync().await;
    let version_before = server.record(id).await.unwrap().version;
    assert!(shocho
        .with(|s| worktime::record_on(s, id, Utc::now() - Duration::hours(9), 9 * 3600))
        .unwrap());
    shocho.sync().await;
    assert_eq!(server.record(id).await.unwrap().version, version_before);
    let rows = server.storage().work_sessions(Some("1203")).await.unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    let head = rows.iter().find(|w| w.user_id == "shocho").unwrap();
    assert_eq!(head.step, "所属所長");
    assert_eq!(head.active_seconds, 8 * 3600);
    assert_eq!(head.kind, "proposal");
    assert_eq!(head.office_code, "1203");

    // Another office's clerk never held the case: nothing is queued on his PC.
    other.sync().await;
    assert!(!other
        .with(|s| worktime::record_on(s, id, Utc::now(), 300))
        .unwrap());
    assert!(other
        .with(|s| s.sync().outbox_entries())
        .unwrap()
        .is_empty());
    assert_eq!(server.storage().work_sessions(None).await.unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn time_reaches_the_central_service_sqlite() {
    time_reaches_the_central_service(
        TestBackend::Sqlite,
        "time_reaches_the_central_service_sqlite",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn time_reaches_the_central_service_postgres() {
    time_reaches_the_central_service(
        TestBackend::Postgres,
        "time_reaches_the_central_service_postgres",
    )
    .await;
}
