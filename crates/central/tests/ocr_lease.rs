//! The edit lease of the OCR correction queue (`POST /sync/v1/ocr/{id}/lease`, issue #6)
//! over real HTTPS, on both storage backends: two clerks of 新宿区役所 take turns on one
//! scanned document, an expired lease is taken over, a restart forgets leases, and
//! nobody outside the office learns more than the rest of the API tells them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::time::Duration;

use common::*;
use kyosai_central::testing::{postgres_skipped, TestBackend};
use kyosai_domain::approval as appr;
use kyosai_sync_protocol::ocr::{codes as ocr_codes, Lease, LeaseAction, LeaseRequest};
use kyosai_sync_protocol::{codes, Outcome};
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

both_backends!(
    two_clerks_of_one_office_take_turns,
    an_expired_lease_is_taken_over_and_cannot_be_renewed,
    a_restart_forgets_the_leases,
    only_the_office_s_own_staff_take_a_lease,
);

fn path(id: Uuid) -> String {
    format!("/sync/v1/ocr/{id}/lease")
}

fn req(action: LeaseAction) -> LeaseRequest {
    LeaseRequest { action }
}

/// A scanned 資格取得届 of 1203, created by `user` through push as the app does.
async fn scanned(api: &Api, user: &User, seq: u64) -> Uuid {
    let id = Uuid::new_v4();
    let c = command(
        seq,
        "record.create",
        id,
        None,
        json!({
            "kind": "ocr_document",
            "office_code": "1203",
            "title": "組合員資格取得届（スキャン）山田　太郎",
            "body": {"format": 1, "template": "shikaku_shutoku", "pages": 1, "fields": []},
        }),
    );
    let r = api.push(user, &[c]).await;
    assert!(
        matches!(r.results[0].outcome, Outcome::Applied { .. }),
        "{:?}",
        r.results[0].outcome
    );
    id
}

async fn lease(api: &Api, user: &User, id: Uuid, action: LeaseAction) -> Reply {
    api.post(&path(id), Some(user.token()), &req(action)).await
}

async fn granted(api: &Api, user: &User, id: Uuid, action: LeaseAction) -> Lease {
    let r = lease(api, user, id, action).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.parse()
}

fn hhmm(t: chrono::DateTime<chrono::Utc>) -> String {
    appr::jst(t).format("%H:%M").to_string()
}

async fn two_clerks_of_one_office_take_turns(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let (a, b, head) = (
        api.login(CLERK_A).await,
        api.login(CLERK_A2).await,
        api.login(HEAD_A).await,
    );
    let doc = scanned(&api, &a, 1).await;

    // A opens the document: granted for five minutes, on the wire in camelCase.
    let before = chrono::Utc::now();
    let r = lease(&api, &a, doc, LeaseAction::Acquire).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let wire = r.json();
    assert_eq!(wire["heldByMe"], json!(true), "{wire}");
    assert_eq!(wire["holderName"], json!("佐藤 花子"), "{wire}");
    let mine: Lease = r.parse();
    assert_eq!(mine.document_id, doc);
    assert_eq!(mine.holder_id, CLERK_A);
    let left = mine.expires_at - before;
    assert!(
        left > chrono::Duration::seconds(295) && left <= chrono::Duration::seconds(301),
        "{left:?}"
    );

    // B is refused with A's name and the time in Japan, and so is the office head.
    let held = lease(&api, &b, doc, LeaseAction::Acquire)
        .await
        .assert_error(StatusCode::CONFLICT, ocr_codes::LEASE_HELD);
    assert_eq!(
        held.message,
        format!(
            "この帳票は佐藤 花子さんが確認中です（{} まで）。別の帳票を開いてください。",
            hhmm(mine.expires_at)
        )
    );
    lease(&api, &head, doc, LeaseAction::Acquire)
        .await
        .assert_error(StatusCode::CONFLICT, ocr_codes::LEASE_HELD);
    // B can neither renew nor release A's lease; releasing shows who holds it.
    let lost = lease(&api, &b, doc, LeaseAction::Renew)
        .await
        .assert_error(StatusCode::CONFLICT, ocr_codes::LEASE_LOST);
    assert!(lost.message.starts_with("編集の権利が切れました。"));
    assert!(lost.message.contains("佐藤 花子さん"), "{}", lost.message);
    let seen = granted(&api, &b, doc, LeaseAction::Release).await;
    assert!(!seen.held_by_me);
    assert_eq!(
        (seen.holder_id.as_str(), seen.expires_at),
        (CLERK_A, mine.expires_at)
    );

    // A renews (the lease runs five minutes from now) and the lease stays A's.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let renewed = granted(&api, &a, doc, LeaseAction::Renew).await;
    assert!(renewed.held_by_me);
    assert!(renewed.expires_at > mine.expires_at);
    assert_eq!(renewed.holder_name, "佐藤 花子");
    lease(&api, &b, doc, LeaseAction::Acquire)
        .await
        .assert_error(StatusCode::CONFLICT, ocr_codes::LEASE_HELD);

    // A leaves the document (twice: idempotent), and B opens it.
    let free = granted(&api, &a, doc, LeaseAction::Release).await;
    assert!(free.is_free() && !free.held_by_me, "{free:?}");
    assert!(granted(&api, &a, doc, LeaseAction::Release).await.is_free());
    let theirs = granted(&api, &b, doc, LeaseAction::Acquire).await;
    assert!(theirs.held_by_me);
    assert_eq!(theirs.holder_name, "木村 陽子");
    // Now A is the one refused, with B's name; A's renew of the old lease is lost.
    let held = lease(&api, &a, doc, LeaseAction::Acquire)
        .await
        .assert_error(StatusCode::CONFLICT, ocr_codes::LEASE_HELD);
    assert!(held.message.contains("木村 陽子さんが確認中です"));
    lease(&api, &a, doc, LeaseAction::Renew)
        .await
        .assert_error(StatusCode::CONFLICT, ocr_codes::LEASE_LOST);
    // Acquiring again what one already holds extends it.
    let again = granted(&api, &b, doc, LeaseAction::Acquire).await;
    assert!(again.held_by_me && again.expires_at >= theirs.expires_at);

    // A second document is independent of the first.
    let other = scanned(&api, &a, 2).await;
    assert!(
        granted(&api, &a, other, LeaseAction::Acquire)
            .await
            .held_by_me
    );
    server.stop().await;
}

async fn an_expired_lease_is_taken_over_and_cannot_be_renewed(backend: TestBackend) {
    let (server, api) = setup_with(backend, |c| {
        c.ocr_lease_duration = Duration::from_millis(700);
    })
    .await;
    let (a, b) = (api.login(CLERK_A).await, api.login(CLERK_A2).await);
    let doc = scanned(&api, &a, 1).await;
    let mine = granted(&api, &a, doc, LeaseAction::Acquire).await;
    lease(&api, &b, doc, LeaseAction::Acquire)
        .await
        .assert_error(StatusCode::CONFLICT, ocr_codes::LEASE_HELD);

    // A walks away; the lease ends on the server's clock and B takes the document over.
    let wait = (mine.expires_at - chrono::Utc::now())
        .to_std()
        .unwrap_or_default();
    tokio::time::sleep(wait + Duration::from_millis(100)).await;
    let theirs = granted(&api, &b, doc, LeaseAction::Acquire).await;
    assert!(theirs.held_by_me);
    let lost = lease(&api, &a, doc, LeaseAction::Renew)
        .await
        .assert_error(StatusCode::CONFLICT, ocr_codes::LEASE_LOST);
    assert!(lost.message.contains("木村 陽子さん"), "{}", lost.message);

    // B's lease expires too, with nobody else on it: a renew is still refused (the app
    // opens the document again), and a release finds the document free.
    let wait = (theirs.expires_at - chrono::Utc::now())
        .to_std()
        .unwrap_or_default();
    tokio::time::sleep(wait + Duration::from_millis(100)).await;
    let lost = lease(&api, &b, doc, LeaseAction::Renew)
        .await
        .assert_error(StatusCode::CONFLICT, ocr_codes::LEASE_LOST);
    assert!(
        lost.message.contains("もう一度開いてください"),
        "{}",
        lost.message
    );
    assert!(granted(&api, &b, doc, LeaseAction::Release).await.is_free());
    server.stop().await;
}

async fn a_restart_forgets_the_leases(backend: TestBackend) {
    let (mut server, api) = setup(backend).await;
    let (a, b) = (api.login(CLERK_A).await, api.login(CLERK_A2).await);
    let doc = scanned(&api, &a, 1).await;
    granted(&api, &a, doc, LeaseAction::Acquire).await;
    server.restart().await;
    // Leases are in memory: after a restart A's renew is lost and B may open it.
    lease(&api, &a, doc, LeaseAction::Renew)
        .await
        .assert_error(StatusCode::CONFLICT, ocr_codes::LEASE_LOST);
    assert!(
        granted(&api, &b, doc, LeaseAction::Acquire)
            .await
            .held_by_me
    );
    server.stop().await;
}

async fn only_the_office_s_own_staff_take_a_lease(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let a = api.login(CLERK_A).await;
    let doc = scanned(&api, &a, 1).await;
    // A record of another kind, of the same office.
    let acquisition = Uuid::new_v4();
    let r = api
        .push(
            &a,
            &[create(2, acquisition, "1203", "資格取得届 山田 太郎")],
        )
        .await;
    assert!(matches!(r.results[0].outcome, Outcome::Applied { .. }));
    let missing = Uuid::new_v4();

    // Another office and IT: exactly the answer for a document that does not exist.
    for who in [CLERK_B, IT] {
        let user = api.login(who).await;
        let got = lease(&api, &user, doc, LeaseAction::Acquire).await;
        let e = got.assert_error(StatusCode::NOT_FOUND, codes::NOT_FOUND);
        let twin = lease(&api, &user, missing, LeaseAction::Acquire).await;
        assert_eq!(
            (twin.status, twin.text.clone()),
            (got.status, got.text.clone())
        );
        assert!(e.message.contains("見つかりません"), "{}", e.message);
        // Renew and release answer the same: nothing about the document leaks.
        for action in [LeaseAction::Renew, LeaseAction::Release] {
            let r = lease(&api, &user, doc, action).await;
            assert_eq!((r.status, r.text), (got.status, got.text.clone()), "{who}");
        }
    }
    // The secretariat and approvers see the document but do not correct it.
    for who in [REVIEWER, APPROVER] {
        let user = api.login(who).await;
        let e = lease(&api, &user, doc, LeaseAction::Acquire)
            .await
            .assert_error(StatusCode::FORBIDDEN, codes::FORBIDDEN);
        assert!(
            e.message.contains("所属所担当者と所属所長だけ"),
            "{}",
            e.message
        );
    }
    // A record that is not a scanned document, a missing one and a malformed id: the
    // office's own clerk gets the same not_found for each.
    let not_ocr = lease(&api, &a, acquisition, LeaseAction::Acquire).await;
    not_ocr.assert_error(StatusCode::NOT_FOUND, codes::NOT_FOUND);
    let none = lease(&api, &a, missing, LeaseAction::Acquire).await;
    assert_eq!(
        (none.status, none.text.clone()),
        (not_ocr.status, not_ocr.text.clone())
    );
    let malformed = api
        .post(
            "/sync/v1/ocr/not-a-uuid/lease",
            Some(a.token()),
            &req(LeaseAction::Acquire),
        )
        .await;
    assert_eq!((malformed.status, malformed.text), (none.status, none.text));
    // Without a sign-in, and with an action the server does not know.
    api.post(&path(doc), None, &req(LeaseAction::Acquire))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, codes::AUTH_TOKEN_INVALID);
    api.post(&path(doc), Some(a.token()), &json!({"action": "steal"}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, codes::BAD_REQUEST);
    // None of the refusals took the lease: the clerk still gets it.
    assert!(
        granted(&api, &a, doc, LeaseAction::Acquire)
            .await
            .held_by_me
    );
    server.stop().await;
}
