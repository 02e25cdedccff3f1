//! Working time (`work.time@1`) on the central service over real HTTPS, on both storage
//! backends: the app reports a case open at a step and worked on; the server keeps one row
//! per session, never twice, for a case the sender may see, without touching the case.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Duration, Utc};
use common::*;
use kyosai_central::storage::WorkSessionRow;
use kyosai_central::testing::{postgres_skipped, TestBackend};
use uuid::Uuid;

macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(kyosai_central::testing::TestBackend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if super::postgres_skipped(stringify!($name)) {
                        return;
                    }
                    super::$name(kyosai_central::testing::TestBackend::Postgres).await;
                }
            )*
        }
    };
}

both_backends!(stored_sessions_are_inserted_once_and_read_by_office,);

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
