#![allow(clippy::unwrap_used, clippy::expect_used)]
//! [`Api::ocr_lease`] against the real central service over TLS on 127.0.0.1, on both
//! storage backends: a lease taken, the other clerk's 409 `ocr.lease_held` reaching the
//! caller as a [`SyncError`] with the server's code and Japanese message (naming the
//! holder), a lost renew, a release, and another office's not_found.

mod support;

use chrono::Utc;
use kyosai_central::testing::TestBackend;
use kyosai_sync_client::{Api, ErrorKind, SyncError};
use kyosai_sync_protocol::ocr::{codes as ocr_codes, LeaseAction, LeaseRequest, KIND};
use kyosai_sync_protocol::{codes, DeviceInfo, LoginRequest, Record};
use support::{PASSWORD, SHINJUKU};
use uuid::Uuid;

async fn sign_in(api: &Api, user: &str) -> String {
    api.login(&LoginRequest {
        user_id: user.into(),
        password: PASSWORD.into(),
        device: DeviceInfo {
            device_id: Uuid::new_v4(),
            name: format!("PC-{user}"),
        },
    })
    .await
    .unwrap()
    .access_token
}

fn req(action: LeaseAction) -> LeaseRequest {
    LeaseRequest { action }
}

fn assert_refused(e: &SyncError, status: u16, code: &str) {
    assert_eq!(e.status, Some(status), "{e:?}");
    assert_eq!(e.code, code, "{e:?}");
    assert!(!e.is_retryable() && !e.is_offline(), "{e:?}");
}

async fn a_held_lease_reaches_the_caller_with_code_and_message(backend: TestBackend, test: &str) {
    let Some(server) = support::start(backend, test).await else {
        return;
    };
    let now = Utc::now();
    let doc = Uuid::new_v4();
    server
        .storage()
        .import_record(&Record {
            id: doc,
            kind: KIND.into(),
            office_code: SHINJUKU.into(),
            version: 1,
            state: "draft".into(),
            title: "組合員資格取得届（スキャン）".into(),
            body: serde_json::json!({"format": 1, "pages": 1}),
            created_by: "sato.hanako".into(),
            updated_by: "sato.hanako".into(),
            created_at: now,
            updated_at: now,
        })
        .await
        .unwrap();
    let api = Api::new(support::config(&server.base_url, server.ca_pem_path())).unwrap();
    let sato = sign_in(&api, "sato.hanako").await;
    let suzuki = sign_in(&api, "suzuki.taro").await;

    let lease = api
        .ocr_lease(&sato, doc, &req(LeaseAction::Acquire))
        .await
        .unwrap();
    assert!(lease.held_by_me);
    assert_eq!(
        (lease.document_id, lease.holder_name.as_str()),
        (doc, "佐藤 花子")
    );

    let held = api
        .ocr_lease(&suzuki, doc, &req(LeaseAction::Acquire))
        .await
        .unwrap_err();
    assert_refused(&held, 409, ocr_codes::LEASE_HELD);
    assert_eq!(held.kind, ErrorKind::Request);
    assert!(
        held.message
            .starts_with("この帳票は佐藤 花子さんが確認中です（"),
        "{}",
        held.message
    );
    assert_eq!(held.to_string(), held.message, "Display is the message");

    let lost = api
        .ocr_lease(&suzuki, doc, &req(LeaseAction::Renew))
        .await
        .unwrap_err();
    assert_refused(&lost, 409, ocr_codes::LEASE_LOST);

    let renewed = api
        .ocr_lease(&sato, doc, &req(LeaseAction::Renew))
        .await
        .unwrap();
    assert!(renewed.held_by_me && renewed.expires_at >= lease.expires_at);
    let free = api
        .ocr_lease(&sato, doc, &req(LeaseAction::Release))
        .await
        .unwrap();
    assert!(free.is_free());
    assert!(
        api.ocr_lease(&suzuki, doc, &req(LeaseAction::Acquire))
            .await
            .unwrap()
            .held_by_me
    );

    // 千代田区役所's clerk does not learn that 新宿区役所's document exists.
    let tanaka = sign_in(&api, "tanaka.misaki").await;
    let hidden = api
        .ocr_lease(&tanaka, doc, &req(LeaseAction::Acquire))
        .await
        .unwrap_err();
    assert_refused(&hidden, 404, codes::NOT_FOUND);
    let missing = api
        .ocr_lease(&tanaka, Uuid::new_v4(), &req(LeaseAction::Acquire))
        .await
        .unwrap_err();
    assert_eq!(hidden, missing);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_lease_reaches_the_caller_sqlite() {
    a_held_lease_reaches_the_caller_with_code_and_message(TestBackend::Sqlite, "ocr_lease::sqlite")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_lease_reaches_the_caller_postgres() {
    a_held_lease_reaches_the_caller_with_code_and_message(
        TestBackend::Postgres,
        "ocr_lease::postgres",
    )
    .await;
}
