#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The approval endpoints of [`Api`] against the real central service over TLS on
//! 127.0.0.1, on both storage backends: the directory, registering and cancelling an
//! absence with the bearer token, and the server's error code and Japanese message passed
//! through.

mod support;

use chrono::{Duration, Utc};
use kyosai_central::testing::TestBackend;
use kyosai_sync_protocol::approval::{codes as approval_codes, NewAbsence};
use kyosai_sync_protocol::Role;
use support::{Clerk, PASSWORD};

async fn directory_and_absences_round_trip(backend: TestBackend, test: &str) {
    let Some(server) = support::start(backend, test).await else {
        return;
    };
    for (id, name) in [("kato.kacho", "加藤 課長"), ("suzuki.bucho", "鈴木 部長")] {
        server
            .add_user(id, name, &[Role::Approver], None, PASSWORD)
            .await;
    }
    let kacho = Clerk::sign_in(&server.base_url, server.ca_pem_path(), "kato.kacho").await;
    let api = kacho.auth.api();
    let token = kacho.auth.access_token().await.unwrap();

    let dir = api.directory(&token).await.unwrap();
    let me = dir
        .users
        .iter()
        .find(|u| u.user_id == "kato.kacho")
        .unwrap();
    assert_eq!(me.display_name, "加藤 課長");
    assert_eq!(me.roles, [Role::Approver]);
    assert!(dir.absences.is_empty());

    let from = Utc::now();
    let until = from + Duration::days(2);
    let added = api
        .add_absence(
            &token,
            &NewAbsence {
                delegate_id: "suzuki.bucho".into(),
                from,
                until,
            },
        )
        .await
        .unwrap();
    assert_eq!(added.user_id, "kato.kacho");
    assert_eq!(added.delegate_id, "suzuki.bucho");
    let dir = api.directory(&token).await.unwrap();
    assert_eq!(dir.absences.len(), 1);
    assert_eq!(dir.absences[0].id, added.id);

    // The server's refusal reaches the caller with its code and Japanese message.
    let err = api
        .add_absence(
            &token,
            &NewAbsence {
                delegate_id: "suzuki.bucho".into(),
                from: until,
                until: from,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, approval_codes::ABSENCE_INVALID);
    assert!(err.message.contains("終了日時"), "{}", err.message);

    api.cancel_absence(&token, added.id).await.unwrap();
    assert!(api.directory(&token).await.unwrap().absences.is_empty());
    let again = api.cancel_absence(&token, added.id).await.unwrap_err();
    assert_eq!(again.code, approval_codes::ABSENCE_NOT_FOUND);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn directory_and_absences_round_trip_sqlite() {
    directory_and_absences_round_trip(TestBackend::Sqlite, "approval_api::sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn directory_and_absences_round_trip_postgres() {
    directory_and_absences_round_trip(TestBackend::Postgres, "approval_api::postgres").await;
}
