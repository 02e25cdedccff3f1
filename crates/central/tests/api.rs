//! The central service over real HTTPS, on both storage backends.
//!
//! Every scenario is an `async fn(TestBackend)`; `both_backends!` runs each once on SQLite
//! (`sqlite::name`) and once on PostgreSQL (`postgres::name`, which needs
//! `KYOSAI_TEST_PG_URL`, or `KYOSAI_SKIP_PG=1` to skip).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use kyosai_central::testing::{postgres_skipped, TestBackend};
use kyosai_sync_protocol::{
    codes, Change, ConflictList, Hello, Outcome, PokeRequest, PokeResponse, RefreshRequest,
    Resolution, ResolveConflict, Session, HEADER_APP_VERSION, HEADER_PROTOCOL, MAX_PUSH_COMMANDS,
};
use reqwest::StatusCode;
use serde_json::json;
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

both_backends!(
    hello_needs_no_sign_in,
    login_returns_a_session_for_the_user_and_office,
    wrong_password_and_unknown_user_get_the_same_answer,
    five_failures_lock_the_account_until_unlocked,
    the_lock_ends_after_its_duration,
    a_successful_login_resets_the_failure_count,
    refresh_rotates_and_reuse_signs_the_device_out,
    a_lost_refresh_answer_is_forgiven_once_within_the_grace,
    only_the_newest_rotated_refresh_token_has_a_grace,
    a_rotated_refresh_token_reused_after_the_grace_signs_the_device_out,
    sign_out_ends_the_grace_of_a_rotated_refresh_token,
    logout_ends_the_session,
    expired_and_invalid_access_tokens_are_told_apart,
    a_revoked_device_can_neither_sync_nor_sign_in,
    missing_or_old_protocol_gets_426,
    a_minimum_app_version_leaves_sign_in_open_and_refuses_the_rest,
    push_applies_and_a_replay_returns_identical_results,
    a_seq_gap_is_refused_before_anything_is_applied,
    a_reused_seq_with_another_command_is_refused,
    a_stale_base_version_is_a_conflict_and_the_queue_moves_on,
    commands_in_one_push_see_each_others_writes,
    conflicts_can_be_listed_and_resolved,
    not_permitted_and_invalid_commands_are_rejected,
    a_client_id_belongs_to_one_user_and_device,
    too_many_commands_in_one_push_are_refused,
    pull_pages_with_a_cursor_and_has_more,
    same_office_users_see_each_others_records_and_others_do_not,
    a_transfer_revokes_for_the_old_office_and_appears_for_the_new,
    poke_wakes_on_a_change_and_times_out_without_one,
    a_new_epoch_or_a_broken_cursor_resets_the_pull,
    a_restart_loses_and_duplicates_nothing,
    concurrent_copies_of_one_push_apply_once,
    concurrent_pushes_on_one_record_are_serialised,
    a_response_cut_after_commit_is_answered_on_retry,
    errors_are_api_errors_in_japanese,
    demo_data_loads_once_and_signs_in,
);

async fn hello_needs_no_sign_in(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let reply = api
        .send(api.http.get(format!("{}/v1/hello", api.base)))
        .await;
    let hello: Hello = reply.parse();
    assert_eq!(hello.service, "kyosai-central");
    assert_eq!(hello.protocols, vec![1]);
    server.stop().await;
}

async fn login_returns_a_session_for_the_user_and_office(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let device = Uuid::new_v4();
    let s: Session = api.login_reply(CLERK_A, PASSWORD, device).await.parse();
    assert_eq!(s.access_token.len(), 43);
    assert_eq!(s.refresh_token.len(), 43);
    assert_ne!(s.access_token, s.refresh_token);
    assert!(s.access_expires_at < s.refresh_expires_at);
    let ttl = s.access_expires_at - chrono::Utc::now();
    assert!(
        ttl > chrono::Duration::minutes(14) && ttl <= chrono::Duration::minutes(15),
        "{ttl}"
    );
    assert_eq!(s.user.user_id, CLERK_A);
    assert_eq!(s.user.display_name, "佐藤 花子");
    assert_eq!(s.user.roles, vec![kyosai_sync_protocol::Role::OfficeClerk]);
    assert_eq!(s.user.office_code.as_deref(), Some("1203"));
    assert_eq!(s.user.office_name.as_deref(), Some("新宿区役所"));
    // The device is enrolled for the user.
    let d = server
        .storage()
        .device(CLERK_A, device)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(d.name, format!("PC-{CLERK_A}"));
    assert!(d.revoked_at.is_none());
    // Secretariat staff have no office.
    let r: Session = api
        .login_reply(REVIEWER, PASSWORD, Uuid::new_v4())
        .await
        .parse();
    assert_eq!(r.user.office_code, None);
    server.stop().await;
}

async fn wrong_password_and_unknown_user_get_the_same_answer(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let wrong = api
        .login_reply(CLERK_A, "not-the-password", Uuid::new_v4())
        .await;
    let unknown = api
        .login_reply("nobody", "not-the-password", Uuid::new_v4())
        .await;
    wrong.assert_error(StatusCode::UNAUTHORIZED, codes::AUTH_INVALID_CREDENTIALS);
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(
        wrong.text, unknown.text,
        "the answers must not tell the cases apart"
    );
    server.stop().await;
}

async fn five_failures_lock_the_account_until_unlocked(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let device = Uuid::new_v4();
    for _ in 0..4 {
        api.login_reply(CLERK_A, "wrong", device)
            .await
            .assert_error(StatusCode::UNAUTHORIZED, codes::AUTH_INVALID_CREDENTIALS);
    }
    let fifth = api.login_reply(CLERK_A, "wrong", device).await;
    let e = fifth.assert_error(StatusCode::FORBIDDEN, codes::AUTH_LOCKED);
    assert!(e.message.contains("以降にもう一度"), "{}", e.message);
    assert!(e.message.contains("IT管理者"), "{}", e.message);
    // Even the right password is refused while locked.
    api.login_reply(CLERK_A, PASSWORD, device)
        .await
        .assert_error(StatusCode::FORBIDDEN, codes::AUTH_LOCKED);
    // Other users are not affected.
    api.login(CLERK_A2).await;
    // IT unlocks.
    assert!(server.storage().unlock_user(CLERK_A).await.unwrap());
    api.login_reply(CLERK_A, PASSWORD, device)
        .await
        .parse::<Session>();
    server.stop().await;
}

async fn the_lock_ends_after_its_duration(backend: TestBackend) {
    let (server, api) = setup_with(backend, |c| {
        c.auth.lockout_threshold = 2;
        c.auth.lockout_duration = Duration::from_millis(500);
    })
    .await;
    let device = Uuid::new_v4();
    api.login_reply(CLERK_A, "wrong", device)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, codes::AUTH_INVALID_CREDENTIALS);
    api.login_reply(CLERK_A, "wrong", device)
        .await
        .assert_error(StatusCode::FORBIDDEN, codes::AUTH_LOCKED);
    tokio::time::sleep(Duration::from_millis(600)).await;
    api.login_reply(CLERK_A, PASSWORD, device)
        .await
        .parse::<Session>();
    server.stop().await;
}

async fn a_successful_login_resets_the_failure_count(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let device = Uuid::new_v4();
    for _ in 0..4 {
        api.login_reply(CLERK_A, "wrong", device).await;
    }
    api.login_reply(CLERK_A, PASSWORD, device)
        .await
        .parse::<Session>();
    for _ in 0..4 {
        api.login_reply(CLERK_A, "wrong", device)
            .await
            .assert_error(StatusCode::UNAUTHORIZED, codes::AUTH_INVALID_CREDENTIALS);
    }
    api.login_reply(CLERK_A, PASSWORD, device)
        .await
        .parse::<Session>();
    server.stop().await;
}

async fn refresh_rotates_and_reuse_signs_the_device_out(backend: TestBackend) {
    // No grace here, so the spent token's very next use is reuse (the grace has its own
    // tests below).
    let (server, api) = setup_with(backend, |c| c.auth.refresh_reuse_grace = Duration::ZERO).await;
    let user = api.login(CLERK_A).await;
    let refresh = |token: &str| RefreshRequest {
        refresh_token: token.to_string(),
        device_id: user.device_id,
    };
    let s2: Session = api
        .post(
            "/auth/v1/refresh",
            None,
            &refresh(&user.session.refresh_token),
        )
        .await
        .parse();
    assert_ne!(s2.refresh_token, user.session.refresh_token);
    assert_ne!(s2.access_token, user.session.access_token);
    assert_eq!(s2.user.user_id, CLERK_A);
    // The new access token works.
    api.pull(
        &User {
            session: s2.clone(),
            ..user.clone()
        },
        None,
        10,
    )
    .await;
    // A refresh token from another device is not accepted.
    api.post(
        "/auth/v1/refresh",
        None,
        &RefreshRequest {
            refresh_token: s2.refresh_token.clone(),
            device_id: Uuid::new_v4(),
        },
    )
    .await
    .assert_error(StatusCode::UNAUTHORIZED, codes::AUTH_TOKEN_INVALID);
    // Using the spent refresh token again: refused, and the whole device is signed out.
    api.post(
        "/auth/v1/refresh",
        None,
        &refresh(&user.session.refresh_token),
    )
    .await
    .assert_error(StatusCode::UNAUTHORIZED, codes::AUTH_TOKEN_INVALID);
    api.post("/auth/v1/refresh", None, &refresh(&s2.refresh_token))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, codes::AUTH_TOKEN_INVALID);
    api.post(
        "/sync/v1/pull",
        Some(&s2.access_token),
        &json!({"cursor": null, "limit": 10}),
    )
    .await
    .assert_error(StatusCode::UNAUTHORIZED, codes::AUTH_TOKEN_INVALID);
    // Signing in again works.
    api.login_reply(CLERK_A, PASSWORD, user.device_id)
        .await
        .parse::<Session>();
    server.stop().await;
}

/// `POST /auth/v1/refresh` with `token` for `user`'s device.
async fn refresh_reply(api: &Api, user: &User, token: &str) -> Reply {
    api.post(
        "/auth/v1/refresh",
        None,
        &RefreshRequest {
            refresh_token: token.to_string(),
            device_id: user.device_id,
        },
    )
    .await
}

/// Whether `access` is refused as invalid by a pull.
async fn assert_access_refused(api: &Api, access: &str) {
    api.post(
        "/sync/v1/pull",
        Some(access),
        &json!({"cursor": null, "limit": 10}),
    )
    .await
    .assert_error(StatusCode::UNAUTHORIZED, codes::AUTH_TOKEN_INVALID);
}

/// The server rotated, but its answer never reached the client, which retries with the
/// token it still holds: accepted once (default grace 60 s), with a fresh pair; the pair
/// of the lost answer ends. A third use is reuse and signs the PC out.
async fn a_lost_refresh_answer_is_forgiven_once_within_the_grace(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let user = api.login(CLERK_A).await;
    let old = user.session.refresh_token.clone();
    let lost: Session = refresh_reply(&api, &user, &old).await.parse();
    let retry: Session = refresh_reply(&api, &user, &old).await.parse();
    assert_eq!(retry.user.user_id, CLERK_A);
    assert_ne!(retry.refresh_token, lost.refresh_token);
    assert_ne!(retry.access_token, lost.access_token);
    // The retried session works; the lost answer's access token does not.
    let current = User {
        session: retry.clone(),
        ..user.clone()
    };
    api.pull(&current, None, 10).await;
    assert_access_refused(&api, &lost.access_token).await;
    // The retried session refreshes normally.
    let next: Session = refresh_reply(&api, &user, &retry.refresh_token)
        .await
        .parse();
    // Only once: the original token a third time is reuse, and the PC is signed out.
    refresh_reply(&api, &user, &old)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, codes::AUTH_TOKEN_INVALID);
    assert_access_refused(&api, &next.access_token).await;
    refresh_reply(&api, &user, &next.refresh_token)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, codes::AUTH_TOKEN_INVALID);
    server.stop().await;
}

/// A → B → C within seconds: B's answer evidently arrived (B was used), so A coming back is
/// reuse, not a lost answer.
async fn only_the_newest_rotated_refresh_token_has_a_grace(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let user = api.login(CLERK_A).await;
    let a = user.session.refresh_token.clone();
    let b: Session = refresh_reply(&api, &user, &a).await.parse();
    let c: Session = refresh_reply(&api, &user, &b.refresh_token).await.parse();
    refresh_reply(&api, &user, &a)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, codes::AUTH_TOKEN_INVALID);
    assert_access_refused(&api, &c.access_token).await;
    refresh_reply(&api, &user, &c.refresh_token)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, codes::AUTH_TOKEN_INVALID);
    server.stop().await;
}

async fn a_rotated_refresh_token_reused_after_the_grace_signs_the_device_out(backend: TestBackend) {
    let (server, api) = setup_with(backend, |c| {
        c.auth.refresh_reuse_grace = Duration::from_millis(800);
    })
    .await;
    let user = api.login(CLERK_A).await;
    let old = user.session.refresh_token.clone();
    let new: Session = refresh_reply(&api, &user, &old).await.parse();
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    refresh_reply(&api, &user, &old)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, codes::AUTH_TOKEN_INVALID);
    assert_access_refused(&api, &new.access_token).await;
    refresh_reply(&api, &user, &new.refresh_token)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, codes::AUTH_TOKEN_INVALID);
    server.stop().await;
}

/// Signing out (or any revocation of the PC's tokens) also ends the grace.
async fn sign_out_ends_the_grace_of_a_rotated_refresh_token(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let user = api.login(CLERK_A).await;
    let old = user.session.refresh_token.clone();
    let new: Session = refresh_reply(&api, &user, &old).await.parse();
    let reply = api
        .post("/auth/v1/logout", Some(&new.access_token), &json!({}))
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text);
    refresh_reply(&api, &user, &old)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, codes::AUTH_TOKEN_INVALID);
    // Signing in again works.
    api.login_reply(CLERK_A, PASSWORD, user.device_id)
        .await
        .parse::<Session>();
    server.stop().await;
}

async fn logout_ends_the_session(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let user = api.login(CLERK_A).await;
    let other_device = api.login(CLERK_A).await;
    let reply = api
        .post("/auth/v1/logout", Some(user.token()), &json!({}))
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text);
    api.post(
        "/sync/v1/pull",
        Some(user.token()),
        &json!({"cursor": null, "limit": 10}),
    )
    .await
    .assert_error(StatusCode::UNAUTHORIZED, codes::AUTH_TOKEN_INVALID);
    api.post(
        "/auth/v1/refresh",
        None,
        &RefreshRequest {
            refresh_token: user.session.refresh_token.clone(),
            device_id: user.device_id,
        },
    )
    .await
    .assert_error(StatusCode::UNAUTHORIZED, codes::AUTH_TOKEN_INVALID);
    // The same user's other PC stays signed in.
    api.pull(&other_device, None, 10).await;
    server.stop().await;
}

async fn expired_and_invalid_access_tokens_are_told_apart(backend: TestBackend) {
    let (server, api) = setup_with(backend, |c| {
        c.auth.access_token_lifetime = Duration::from_millis(700);
    })
    .await;
    let user = api.login(CLERK_A).await;
    api.pull(&user, None, 10).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let body = json!({"cursor": null, "limit": 10});
    api.post("/sync/v1/pull", Some(user.token()), &body)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, codes::AUTH_TOKEN_EXPIRED);
    api.post("/sync/v1/pull", Some("x".repeat(43).as_str()), &body)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, codes::AUTH_TOKEN_INVALID);
    api.post("/sync/v1/pull", Some("short"), &body)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, codes::AUTH_TOKEN_INVALID);
    api.post("/sync/v1/pull", None, &body)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, codes::AUTH_TOKEN_INVALID);
    // A refresh token is not an access token.
    api.post("/sync/v1/pull", Some(&user.session.refresh_token), &body)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, codes::AUTH_TOKEN_INVALID);
    // The refresh token still works and gives a fresh access token.
    let s2: Session = api
        .post(
            "/auth/v1/refresh",
            None,
            &RefreshRequest {
                refresh_token: user.session.refresh_token.clone(),
                device_id: user.device_id,
            },
        )
        .await
        .parse();
    api.post("/sync/v1/pull", Some(&s2.access_token), &body)
        .await
        .parse::<kyosai_sync_protocol::PullResponse>();
    server.stop().await;
}

async fn a_revoked_device_can_neither_sync_nor_sign_in(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let user = api.login(CLERK_A).await;
    let other = api.login(CLERK_A2).await;
    server.revoke_device(user.device_id).await;
    api.post(
        "/sync/v1/pull",
        Some(user.token()),
        &json!({"cursor": null, "limit": 10}),
    )
    .await
    .assert_error(StatusCode::FORBIDDEN, codes::AUTH_DEVICE_REVOKED);
    api.post(
        "/auth/v1/refresh",
        None,
        &RefreshRequest {
            refresh_token: user.session.refresh_token.clone(),
            device_id: user.device_id,
        },
    )
    .await
    .assert_error(StatusCode::FORBIDDEN, codes::AUTH_DEVICE_REVOKED);
    let e = api
        .login_reply(CLERK_A, PASSWORD, user.device_id)
        .await
        .assert_error(StatusCode::FORBIDDEN, codes::AUTH_DEVICE_REVOKED);
    assert!(e.message.contains("IT管理者"));
    // Other devices are unaffected; the user may sign in on a new PC.
    api.pull(&other, None, 10).await;
    api.login(CLERK_A).await;
    server.stop().await;
}

async fn missing_or_old_protocol_gets_426(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let login = json!({"user_id": CLERK_A, "password": PASSWORD,
                       "device": {"device_id": Uuid::new_v4(), "name": "PC"}});
    for header in [None, Some("0"), Some("garbage")] {
        let mut req = api
            .http
            .post(format!("{}/auth/v1/login", api.base))
            .json(&login);
        if let Some(h) = header {
            req = req.header(HEADER_PROTOCOL, h);
        }
        let e = api
            .send(req)
            .await
            .assert_error(StatusCode::UPGRADE_REQUIRED, codes::CLIENT_TOO_OLD);
        assert!(e.message.contains("更新"), "{}", e.message);
    }
    // Sync routes too, and before authentication.
    let reply = api
        .send(
            api.http
                .post(format!("{}/sync/v1/pull", api.base))
                .json(&json!({"cursor": null, "limit": 1})),
        )
        .await;
    reply.assert_error(StatusCode::UPGRADE_REQUIRED, codes::CLIENT_TOO_OLD);
    server.stop().await;
}

/// `min_app_version`: a too-old app may still sign in, renew its session and sign out —
/// so it can show the clerk why it must be updated — but every other route answers 426
/// `client.too_old` with a message naming the minimum.
async fn a_minimum_app_version_leaves_sign_in_open_and_refuses_the_rest(backend: TestBackend) {
    let (server, api) = setup_with(backend, |c| c.min_app_version = Some("0.2.0".into())).await;
    let device_id = Uuid::new_v4();
    let login = json!({"user_id": CLERK_A, "password": PASSWORD,
                       "device": {"device_id": device_id, "name": "PC"}});
    let post = |path: &str, version: Option<&str>, token: Option<&str>, body: serde_json::Value| {
        let mut req = api
            .http
            .post(format!("{}{path}", api.base))
            .header(HEADER_PROTOCOL, "1")
            .json(&body);
        if let Some(v) = version {
            req = req.header(HEADER_APP_VERSION, v);
        }
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        api.send(req)
    };
    let pull = json!({"cursor": null, "limit": 1});

    // Sign-in is open to any version, a missing one included.
    let old: Session = post("/auth/v1/login", Some("0.1.9"), None, login.clone())
        .await
        .parse();
    assert_eq!(old.user.user_id, CLERK_A);
    post("/auth/v1/login", None, None, login.clone())
        .await
        .parse::<Session>();
    post("/auth/v1/login", Some("1.0.0"), None, login.clone())
        .await
        .parse::<Session>();

    // Everything else refuses the old app, with its own token, and says what to do.
    for version in [Some("0.1.9"), Some("0.2.0-beta.1"), Some("garbage"), None] {
        let e = post(
            "/sync/v1/pull",
            version,
            Some(&old.access_token),
            pull.clone(),
        )
        .await
        .assert_error(StatusCode::UPGRADE_REQUIRED, codes::CLIENT_TOO_OLD);
        assert!(e.message.contains("0.2.0"), "{}", e.message);
        assert!(e.message.contains("更新"), "{}", e.message);
    }
    let directory = api
        .http
        .get(format!("{}/sync/v1/directory", api.base))
        .header(HEADER_PROTOCOL, "1")
        .header(HEADER_APP_VERSION, "0.1.9")
        .bearer_auth(&old.access_token);
    api.send(directory)
        .await
        .assert_error(StatusCode::UPGRADE_REQUIRED, codes::CLIENT_TOO_OLD);

    // Renewing the session is sign-in too: the old app keeps a working session ...
    let renewed: Session = post(
        "/auth/v1/refresh",
        Some("0.1.9"),
        None,
        json!({"refresh_token": old.refresh_token, "device_id": device_id}),
    )
    .await
    .parse();
    assert_ne!(renewed.access_token, old.access_token);
    // ... which syncs as soon as the app is new enough.
    post(
        "/sync/v1/pull",
        Some("0.2.0"),
        Some(&renewed.access_token),
        pull.clone(),
    )
    .await
    .parse::<kyosai_sync_protocol::PullResponse>();
    // Signing out is open too: the old app can end its session on the server.
    let reply = post(
        "/auth/v1/logout",
        Some("0.1.9"),
        Some(&renewed.access_token),
        json!({}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text);
    post(
        "/sync/v1/pull",
        Some("0.2.0"),
        Some(&renewed.access_token),
        pull,
    )
    .await
    .assert_error(StatusCode::UNAUTHORIZED, codes::AUTH_TOKEN_INVALID);

    let hello: Hello = api
        .send(api.http.get(format!("{}/v1/hello", api.base)))
        .await
        .parse();
    assert_eq!(hello.min_app_version.as_deref(), Some("0.2.0"));
    server.stop().await;
}

async fn push_applies_and_a_replay_returns_identical_results(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let user = api.login(CLERK_A).await;
    let id = Uuid::new_v4();
    let commands = vec![
        create(1, id, "1203", "組合員資格取得届　山田 太郎"),
        update(2, id, 1, "組合員資格取得届　山田 太郎（訂正）"),
    ];
    let first = api.push_reply(&user, &commands).await;
    let response: kyosai_sync_protocol::PushResponse = first.parse();
    assert_eq!(response.acknowledged_seq, 2);
    assert_eq!(
        response.results[1].outcome,
        Outcome::Applied {
            record_id: id,
            version: 2
        }
    );
    let record = server.record(id).await.unwrap();
    assert_eq!(record.version, 2);
    assert_eq!(record.state, "draft");
    assert_eq!(record.created_by, CLERK_A);
    assert_eq!(record.title, "組合員資格取得届　山田 太郎（訂正）");

    // The response was lost; the client sends the same push again.
    let replay = api.push_reply(&user, &commands).await;
    assert_eq!(replay.status, StatusCode::OK);
    assert_eq!(
        replay.text, first.text,
        "a replay answers byte for byte the same"
    );
    assert_eq!(
        server.record(id).await.unwrap(),
        record,
        "nothing applied twice"
    );
    assert_eq!(server.command_count(user.client_id).await, 2);

    // A partial replay followed by new work: the old part is answered, the new applied.
    let more = vec![commands[1].clone(), update(3, id, 2, "三度目")];
    let r = api.push(&user, &more).await;
    assert_eq!(r.results[0], response.results[1]);
    assert_eq!(
        r.results[1].outcome,
        Outcome::Applied {
            record_id: id,
            version: 3
        }
    );
    assert_eq!(r.acknowledged_seq, 3);
    assert_eq!(server.command_count(user.client_id).await, 3);
    // An empty push tells the client where the server is.
    assert_eq!(api.push(&user, &[]).await.acknowledged_seq, 3);
    server.stop().await;
}

async fn a_seq_gap_is_refused_before_anything_is_applied(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let user = api.login(CLERK_A).await;
    let id = Uuid::new_v4();
    api.push(&user, &[create(1, id, "1203", "t")]).await;
    let e = api
        .push_reply(&user, &[update(3, id, 1, "skips 2")])
        .await
        .assert_error(StatusCode::CONFLICT, codes::SEQ_GAP);
    assert!(
        e.message.contains('2'),
        "the message names the expected seq: {}",
        e.message
    );
    api.push_reply(&user, &[update(2, id, 1, "a"), update(4, id, 2, "b")])
        .await
        .assert_error(StatusCode::CONFLICT, codes::SEQ_GAP);
    assert_eq!(server.record(id).await.unwrap().version, 1);
    assert_eq!(server.command_count(user.client_id).await, 1);
    // A fresh client must start at 1.
    let fresh = User {
        client_id: Uuid::new_v4(),
        ..user.clone()
    };
    api.push_reply(&fresh, &[update(5, id, 1, "x")])
        .await
        .assert_error(StatusCode::CONFLICT, codes::SEQ_GAP);
    server.stop().await;
}

async fn a_reused_seq_with_another_command_is_refused(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let user = api.login(CLERK_A).await;
    let id = Uuid::new_v4();
    api.push(&user, &[create(1, id, "1203", "t")]).await;
    // Seq 1 again, but a different command (an outbox restored from an old copy).
    api.push_reply(&user, &[create(1, Uuid::new_v4(), "1203", "other")])
        .await
        .assert_error(StatusCode::CONFLICT, codes::SEQ_REUSED);
    assert_eq!(server.command_count(user.client_id).await, 1);
    server.stop().await;
}

async fn a_stale_base_version_is_a_conflict_and_the_queue_moves_on(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let a = api.login(CLERK_A).await;
    let a2 = api.login(CLERK_A2).await;
    let id = Uuid::new_v4();
    api.push(&a, &[create(1, id, "1203", "原本")]).await;
    // A colleague edits first.
    api.push(&a2, &[update(1, id, 1, "同僚の訂正")]).await;
    // The clerk's edit was based on version 1; a new record follows in the same push.
    let next = Uuid::new_v4();
    let r = api
        .push(
            &a,
            &[
                update(2, id, 1, "私の訂正"),
                create(3, next, "1203", "次の届"),
            ],
        )
        .await;
    let Outcome::Conflict { code, message, .. } = &r.results[0].outcome else {
        panic!("expected a conflict: {:?}", r.results[0]);
    };
    assert_eq!(code, codes::VERSION_CONFLICT);
    assert!(message.contains("現在の版: 2"), "{message}");
    assert!(matches!(
        r.results[1].outcome,
        Outcome::Applied { version: 1, .. }
    ));
    assert_eq!(r.acknowledged_seq, 3, "the conflict is consumed");
    assert_eq!(server.record(id).await.unwrap().title, "同僚の訂正");
    // Replaying the conflicted seq answers the same conflict, without a second one.
    let replay = api.push(&a, &[update(2, id, 1, "私の訂正")]).await;
    assert_eq!(replay.results[0], r.results[0]);
    let list: ConflictList = api.get("/sync/v1/conflicts", Some(a.token())).await.parse();
    assert_eq!(list.conflicts.len(), 1);
    server.stop().await;
}

/// Later commands of a push see what earlier ones of the same push wrote (PostgreSQL
/// defers the writes to the end of the push and answers reads from its cache).
async fn commands_in_one_push_see_each_others_writes(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let a = api.login(CLERK_A).await;
    let a2 = api.login(CLERK_A2).await;
    let id = Uuid::new_v4();
    api.push(&a, &[create(1, id, "1203", "原本")]).await;
    let (_, cursor) = api.pull_all(&a2, None).await;
    let new = Uuid::new_v4();
    let r = api
        .push(
            &a,
            &[
                update(2, id, 1, "一"),
                update(3, id, 2, "二"),
                update(4, id, 1, "古い版から"),
                create(5, new, "1203", "新"),
                update(6, new, 1, "新・訂正"),
            ],
        )
        .await;
    let versions: Vec<Option<i64>> = r
        .results
        .iter()
        .map(|c| match c.outcome {
            Outcome::Applied { version, .. } => Some(version),
            _ => None,
        })
        .collect();
    assert_eq!(versions, [Some(2), Some(3), None, Some(1), Some(2)]);
    let Outcome::Conflict { message, .. } = &r.results[2].outcome else {
        panic!("expected a conflict: {:?}", r.results[2]);
    };
    assert!(message.contains("現在の版: 3"), "{message}");
    assert_eq!(r.acknowledged_seq, 6);
    let record = server.record(id).await.unwrap();
    assert_eq!((record.version, record.title.as_str()), (3, "二"));
    let record = server.record(new).await.unwrap();
    assert_eq!((record.version, record.title.as_str()), (2, "新・訂正"));
    assert_eq!(server.command_count(a.client_id).await, 6);

    // A colleague pulls the newest versions and edits on top of them.
    let (changes, _) = api.pull_all(&a2, Some(&cursor)).await;
    let mut seen: Vec<(Uuid, i64)> = changes
        .iter()
        .filter_map(|c| match c {
            Change::Upsert { record } => Some((record.id, record.version)),
            _ => None,
        })
        .collect();
    seen.sort();
    seen.dedup();
    let mut expected = vec![(id, 3), (new, 2)];
    expected.sort();
    assert_eq!(seen, expected);
    let r = api.push(&a2, &[update(1, id, 3, "同僚")]).await;
    assert!(matches!(
        r.results[0].outcome,
        Outcome::Applied { version: 4, .. }
    ));
    server.stop().await;
}

async fn conflicts_can_be_listed_and_resolved(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let a = api.login(CLERK_A).await;
    let head = api.login(HEAD_A).await;
    let id = Uuid::new_v4();
    api.push(&a, &[create(1, id, "1203", "原本")]).await;
    api.push(&head, &[update(1, id, 1, "所属所長の訂正")]).await;
    let r = api.push(&a, &[update(2, id, 1, "担当者の訂正")]).await;
    let Outcome::Conflict { conflict_id, .. } = r.results[0].outcome.clone() else {
        panic!("expected a conflict");
    };
    let list: ConflictList = api.get("/sync/v1/conflicts", Some(a.token())).await.parse();
    assert_eq!(list.conflicts.len(), 1);
    let c = &list.conflicts[0];
    assert_eq!(c.id, conflict_id);
    assert_eq!(c.client_id, a.client_id);
    assert_eq!(c.seq, 2);
    assert_eq!(c.command, "record.update");
    assert_eq!(c.base_version, Some(1));
    assert_eq!(c.payload["title"], "担当者の訂正");
    let server_record = c.server_record.as_ref().unwrap();
    assert_eq!(server_record.version, 2);
    assert_eq!(server_record.title, "所属所長の訂正");
    // Someone else's conflicts are not theirs to see or settle.
    let mine: ConflictList = api
        .get("/sync/v1/conflicts", Some(head.token()))
        .await
        .parse();
    assert!(mine.conflicts.is_empty());
    let path = format!("/sync/v1/conflicts/{conflict_id}/resolve");
    let body = ResolveConflict {
        resolution: Resolution::Discarded,
    };
    api.post(&path, Some(head.token()), &body)
        .await
        .assert_error(StatusCode::NOT_FOUND, codes::NOT_FOUND);
    let reply = api.post(&path, Some(a.token()), &body).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text);
    // Settling twice is harmless.
    assert_eq!(
        api.post(&path, Some(a.token()), &body).await.status,
        StatusCode::NO_CONTENT
    );
    let list: ConflictList = api.get("/sync/v1/conflicts", Some(a.token())).await.parse();
    assert!(list.conflicts.is_empty());
    api.post(
        &format!("/sync/v1/conflicts/{}/resolve", Uuid::new_v4()),
        Some(a.token()),
        &body,
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, codes::NOT_FOUND);
    api.post(
        "/sync/v1/conflicts/not-a-uuid/resolve",
        Some(a.token()),
        &body,
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, codes::NOT_FOUND);
    server.stop().await;
}

fn rejected_code(outcome: &Outcome) -> &str {
    match outcome {
        Outcome::Rejected { code, message } => {
            assert!(!message.is_empty());
            code
        }
        other => panic!("expected a rejection: {other:?}"),
    }
}

async fn not_permitted_and_invalid_commands_are_rejected(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let a = api.login(CLERK_A).await;
    let b = api.login(CLERK_B).await;
    let reviewer = api.login(REVIEWER).await;
    let id = Uuid::new_v4();
    api.push(&a, &[create(1, id, "1203", "新宿の届")]).await;

    let r = api
        .push(
            &b,
            &[
                update(1, id, 1, "他の所属所の担当者が書き換え"),
                create(2, Uuid::new_v4(), "1203", "他の所属所に作成"),
                command(3, "approval.approve", id, Some(1), json!({})),
                command(
                    4,
                    "record.create",
                    Uuid::new_v4(),
                    None,
                    json!({"kind": "note"}),
                ),
                update(5, Uuid::new_v4(), 1, "存在しない"),
            ],
        )
        .await;
    let got: Vec<&str> = r
        .results
        .iter()
        .map(|c| rejected_code(&c.outcome))
        .collect();
    assert_eq!(
        got,
        vec![
            // Another office's record is answered as a missing one (no existence leak).
            codes::NOT_FOUND,
            codes::NOT_PERMITTED,
            codes::UNKNOWN_COMMAND,
            codes::INVALID_PAYLOAD,
            codes::NOT_FOUND
        ]
    );
    assert_eq!(r.acknowledged_seq, 5, "rejections are consumed");

    // A clerk may not transfer, not even within their own office's records.
    let r = api.push(&a, &[transfer(2, id, 1, "1101")]).await;
    assert_eq!(rejected_code(&r.results[0].outcome), codes::NOT_PERMITTED);
    // Secretariat staff may not create records (they have no office).
    let r = api
        .push(&reviewer, &[create(1, Uuid::new_v4(), "1203", "x")])
        .await;
    assert_eq!(rejected_code(&r.results[0].outcome), codes::NOT_PERMITTED);
    // ... nor edit an office's record (they return it with a reason instead).
    let r = api
        .push(&reviewer, &[update(2, id, 1, "事務局の訂正")])
        .await;
    assert_eq!(rejected_code(&r.results[0].outcome), codes::NOT_PERMITTED);
    assert_eq!(server.record(id).await.unwrap().updated_by, CLERK_A);
    server.stop().await;
}

async fn a_client_id_belongs_to_one_user_and_device(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let a = api.login(CLERK_A).await;
    let a2 = api.login(CLERK_A2).await;
    let a_elsewhere = api.login(CLERK_A).await;
    api.push(&a, &[create(1, Uuid::new_v4(), "1203", "t")])
        .await;
    for intruder in [&a2, &a_elsewhere] {
        let borrowed = User {
            client_id: a.client_id,
            ..intruder.clone()
        };
        api.push_reply(&borrowed, &[create(2, Uuid::new_v4(), "1203", "t")])
            .await
            .assert_error(StatusCode::FORBIDDEN, codes::CLIENT_ID_MISMATCH);
    }
    assert_eq!(server.command_count(a.client_id).await, 1);
    server.stop().await;
}

async fn too_many_commands_in_one_push_are_refused(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let a = api.login(CLERK_A).await;
    let commands: Vec<_> = (1..=MAX_PUSH_COMMANDS as u64 + 1)
        .map(|seq| create(seq, Uuid::new_v4(), "1203", "t"))
        .collect();
    api.push_reply(&a, &commands)
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE, codes::BAD_REQUEST);
    assert_eq!(server.command_count(a.client_id).await, 0);
    // The maximum itself is fine.
    let r = api.push(&a, &commands[..MAX_PUSH_COMMANDS]).await;
    assert_eq!(r.acknowledged_seq, MAX_PUSH_COMMANDS as u64);
    server.stop().await;
}

async fn pull_pages_with_a_cursor_and_has_more(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let a = api.login(CLERK_A).await;
    let ids: Vec<Uuid> = (0..5).map(|_| Uuid::new_v4()).collect();
    let commands: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| create(i as u64 + 1, *id, "1203", &format!("届 {i}")))
        .collect();
    api.push(&a, &commands).await;

    let mut cursor: Option<String> = None;
    let mut seen = Vec::new();
    let mut pages = Vec::new();
    loop {
        let page = api.pull(&a, cursor.as_deref(), 2).await;
        assert!(!page.reset);
        pages.push((page.changes.len(), page.has_more));
        seen.extend(split(&page.changes).0);
        cursor = Some(page.cursor);
        if !page.has_more {
            break;
        }
    }
    assert_eq!(pages, vec![(2, true), (2, true), (1, false)]);
    assert_eq!(seen, ids, "one global order: the order of the pushes");
    // Nothing new: an empty page and the same cursor.
    let page = api.pull(&a, cursor.as_deref(), 2).await;
    assert!(page.changes.is_empty() && !page.has_more && !page.reset);
    assert_eq!(Some(page.cursor), cursor);
    // A record changed several times in one page comes once, as it is now.
    api.push(
        &a,
        &[update(6, ids[0], 1, "v2"), update(7, ids[0], 2, "v3")],
    )
    .await;
    let page = api.pull(&a, cursor.as_deref(), 100).await;
    assert_eq!(page.changes.len(), 1);
    let Change::Upsert { record } = &page.changes[0] else {
        panic!("expected an upsert");
    };
    assert_eq!((record.version, record.title.as_str()), (3, "v3"));
    // The limit is capped, not refused.
    let page = api.pull(&a, None, u32::MAX).await;
    assert_eq!(page.changes.len(), 5);
    server.stop().await;
}

async fn same_office_users_see_each_others_records_and_others_do_not(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let a = api.login(CLERK_A).await;
    let a2 = api.login(CLERK_A2).await;
    let b = api.login(CLERK_B).await;
    let reviewer = api.login(REVIEWER).await;
    let approver = api.login(APPROVER).await;
    let mine = Uuid::new_v4();
    let theirs = Uuid::new_v4();
    api.push(&a, &[create(1, mine, "1203", "新宿の届")]).await;
    api.push(&b, &[create(1, theirs, "1101", "総務局の届")])
        .await;

    let (changes, _) = api.pull_all(&a2, None).await;
    assert_eq!(split(&changes).0, vec![mine]);
    let Change::Upsert { record } = &changes[0] else {
        panic!()
    };
    assert_eq!(record.created_by, CLERK_A);
    let (changes, _) = api.pull_all(&b, None).await;
    assert_eq!(split(&changes).0, vec![theirs]);
    for everyone in [&reviewer, &approver] {
        let (changes, _) = api.pull_all(everyone, None).await;
        assert_eq!(split(&changes).0, vec![mine, theirs]);
    }
    // A colleague's edit arrives for the author.
    let (_, cursor) = api.pull_all(&a, None).await;
    api.push(&a2, &[update(1, mine, 1, "同僚の訂正")]).await;
    let (changes, _) = api.pull_all(&a, Some(&cursor)).await;
    let Change::Upsert { record } = &changes[0] else {
        panic!()
    };
    assert_eq!((record.version, record.updated_by.as_str()), (2, CLERK_A2));
    server.stop().await;
}

async fn a_transfer_revokes_for_the_old_office_and_appears_for_the_new(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let a = api.login(CLERK_A).await;
    let b = api.login(CLERK_B).await;
    let reviewer = api.login(REVIEWER).await;
    let id = Uuid::new_v4();
    api.push(&a, &[create(1, id, "1203", "移管する届")]).await;
    let (_, cursor_a) = api.pull_all(&a, None).await;
    let (_, cursor_b) = api.pull_all(&b, None).await;
    let (_, cursor_r) = api.pull_all(&reviewer, None).await;

    let r = api.push(&reviewer, &[transfer(1, id, 1, "1101")]).await;
    assert!(matches!(
        r.results[0].outcome,
        Outcome::Applied { version: 2, .. }
    ));

    let (changes, _) = api.pull_all(&a, Some(&cursor_a)).await;
    assert_eq!(
        split(&changes),
        (vec![], vec![id]),
        "gone for the old office"
    );
    let (changes, _) = api.pull_all(&b, Some(&cursor_b)).await;
    assert_eq!(
        split(&changes),
        (vec![id], vec![]),
        "arrives at the new office"
    );
    let Change::Upsert { record } = &changes[0] else {
        panic!()
    };
    assert_eq!(record.office_code, "1101");
    let (changes, _) = api.pull_all(&reviewer, Some(&cursor_r)).await;
    assert_eq!(
        split(&changes),
        (vec![id], vec![]),
        "the secretariat keeps seeing it"
    );
    // A fresh pull of the old office never shows it; its clerk can no longer edit it.
    let (changes, _) = api.pull_all(&a, None).await;
    assert!(!split(&changes).0.contains(&id));
    let r = api.push(&a, &[update(2, id, 2, "もう編集できない")]).await;
    assert_eq!(rejected_code(&r.results[0].outcome), codes::NOT_FOUND);
    server.stop().await;
}

async fn poke_wakes_on_a_change_and_times_out_without_one(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let a = api.login(CLERK_A).await;
    let a2 = api.login(CLERK_A2).await;
    let b = api.login(CLERK_B).await;
    let (_, cursor) = api.pull_all(&a2, None).await;
    let (_, cursor_b) = api.pull_all(&b, None).await;

    // Nothing new: the poke waits, then says so.
    let started = Instant::now();
    let r: PokeResponse = api
        .post(
            "/sync/v1/poke",
            Some(a2.token()),
            &PokeRequest {
                cursor: Some(cursor.clone()),
                wait_seconds: 1,
            },
        )
        .await
        .parse();
    assert!(!r.changed);
    assert!(started.elapsed() >= Duration::from_millis(900));

    // A colleague's push wakes a waiting poke at once; another office's poke sleeps on.
    let waiter = {
        let api = Api {
            http: api.http.clone(),
            base: api.base.clone(),
        };
        let token = a2.token().to_string();
        let cursor = cursor.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            let r: PokeResponse = api
                .post(
                    "/sync/v1/poke",
                    Some(&token),
                    &PokeRequest {
                        cursor: Some(cursor),
                        wait_seconds: 20,
                    },
                )
                .await
                .parse();
            (r.changed, started.elapsed())
        })
    };
    let other_office = {
        let api = Api {
            http: api.http.clone(),
            base: api.base.clone(),
        };
        let token = b.token().to_string();
        tokio::spawn(async move {
            let r: PokeResponse = api
                .post(
                    "/sync/v1/poke",
                    Some(&token),
                    &PokeRequest {
                        cursor: Some(cursor_b),
                        wait_seconds: 1,
                    },
                )
                .await
                .parse();
            r.changed
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    api.push(&a, &[create(1, Uuid::new_v4(), "1203", "新しい届")])
        .await;
    let (changed, waited) = waiter.await.unwrap();
    assert!(changed);
    assert!(waited < Duration::from_secs(10), "woke after {waited:?}");
    assert!(
        !other_office.await.unwrap(),
        "a change of another office does not wake it"
    );

    // With a change already waiting, the poke answers at once.
    let started = Instant::now();
    let r: PokeResponse = api
        .post(
            "/sync/v1/poke",
            Some(a2.token()),
            &PokeRequest {
                cursor: Some(cursor),
                wait_seconds: 20,
            },
        )
        .await
        .parse();
    assert!(r.changed);
    assert!(started.elapsed() < Duration::from_secs(5));
    server.stop().await;
}

async fn a_new_epoch_or_a_broken_cursor_resets_the_pull(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let a = api.login(CLERK_A).await;
    let id = Uuid::new_v4();
    api.push(&a, &[create(1, id, "1203", "t")]).await;
    let (_, cursor) = api.pull_all(&a, None).await;
    assert!(api.pull(&a, Some(&cursor), 10).await.changes.is_empty());

    server.rotate_epoch().await;
    let page = api.pull(&a, Some(&cursor), 10).await;
    assert!(page.reset, "a new epoch starts over");
    assert_eq!(split(&page.changes).0, vec![id], "from the beginning");
    let page = api.pull(&a, Some(&page.cursor), 10).await;
    assert!(!page.reset && page.changes.is_empty());

    // The poke tells the client to pull when its cursor is stale.
    server.rotate_epoch().await;
    let r: PokeResponse = api
        .post(
            "/sync/v1/poke",
            Some(a.token()),
            &PokeRequest {
                cursor: Some(page.cursor.clone()),
                wait_seconds: 5,
            },
        )
        .await
        .parse();
    assert!(r.changed);

    for broken in ["not base64 at all!", "djE6", ""] {
        let page = api.pull(&a, Some(broken), 10).await;
        assert!(page.reset, "{broken:?}");
        assert_eq!(split(&page.changes).0, vec![id]);
    }
    // A cursor of another user's scope does not carry over.
    let b = api.login(CLERK_B).await;
    let (_, cursor_b) = api.pull_all(&b, None).await;
    assert!(api.pull(&a, Some(&cursor_b), 10).await.reset);
    server.stop().await;
}

async fn a_restart_loses_and_duplicates_nothing(backend: TestBackend) {
    let (mut server, api) = setup(backend).await;
    let a = api.login(CLERK_A).await;
    let id = Uuid::new_v4();
    let commands = vec![create(1, id, "1203", "t"), update(2, id, 1, "t2")];
    let first = api.push_reply(&a, &commands).await;
    assert_eq!(first.status, StatusCode::OK);
    let base_url = server.base_url.clone();
    server.restart().await;
    assert_eq!(server.base_url, base_url, "same port");
    // Same session, same answers, nothing applied twice.
    let api = Api::new(&server);
    let replay = api.push_reply(&a, &commands).await;
    assert_eq!(replay.text, first.text);
    assert_eq!(server.record(id).await.unwrap().version, 2);
    assert_eq!(server.command_count(a.client_id).await, 2);
    let (changes, _) = api.pull_all(&a, None).await;
    assert_eq!(split(&changes).0, vec![id]);
    server.stop().await;
}

async fn errors_are_api_errors_in_japanese(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let a = api.login(CLERK_A).await;
    let e = api
        .get("/no/such/path", None)
        .await
        .assert_error(StatusCode::NOT_FOUND, codes::BAD_REQUEST);
    assert!(e.message.contains("URL"));
    // Not JSON, wrong shape, wrong method.
    let reply = api
        .send(
            api.http
                .post(format!("{}/sync/v1/push", api.base))
                .header(HEADER_PROTOCOL, "1")
                .bearer_auth(a.token())
                .header("content-type", "application/json")
                .body("{not json"),
        )
        .await;
    let e = reply.assert_error(StatusCode::BAD_REQUEST, codes::BAD_REQUEST);
    assert!(
        !e.message.contains("line"),
        "no parser internals: {}",
        e.message
    );
    api.post("/sync/v1/push", Some(a.token()), &json!({"client": 1}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, codes::BAD_REQUEST);
    api.get("/sync/v1/push", Some(a.token()))
        .await
        .assert_error(StatusCode::METHOD_NOT_ALLOWED, codes::BAD_REQUEST);
    // Every answer carries a request id for the logs.
    let resp = api
        .http
        .get(format!("{}/v1/hello", api.base))
        .send()
        .await
        .unwrap();
    assert!(resp.headers().contains_key("x-request-id"));
    server.stop().await;
}

async fn demo_data_loads_once_and_signs_in(backend: TestBackend) {
    let server = kyosai_central::testing::TestServer::start(backend).await;
    let argon2 = server.config().auth.argon2;
    let first = kyosai_central::demo::load(server.storage(), &argon2)
        .await
        .unwrap();
    assert_eq!(first.users_added, kyosai_central::demo::DEMO_USERS.len());
    // Four records, two 起案文書 under approval, and 新宿区役所's procurement masters
    // (three budget lines, three vendors, the paying account).
    assert_eq!(first.records_added, 13);
    let again = kyosai_central::demo::load(server.storage(), &argon2)
        .await
        .unwrap();
    assert_eq!((again.users_added, again.records_added), (0, 0));
    let api = Api::new(&server);
    let device = Uuid::new_v4();
    let session: Session = api
        .login_reply("tanto1203", kyosai_central::demo::DEMO_PASSWORD, device)
        .await
        .parse();
    assert_eq!(session.user.office_name.as_deref(), Some("新宿区役所"));
    let user = User {
        session,
        device_id: device,
        client_id: Uuid::new_v4(),
    };
    let (changes, _) = api.pull_all(&user, None).await;
    assert_eq!(
        changes.len(),
        11,
        "the two demo 資格取得届, two 起案文書 and seven procurement masters of 新宿区役所"
    );
    let reviewer = api
        .login_reply("shinsa", kyosai_central::demo::DEMO_PASSWORD, device)
        .await;
    reviewer.parse::<Session>();
    // The demo proposals are under approval: one waits for the office head, one (approved
    // by him) for the 課長, who is the 決裁権者 伊藤 with the position 課長.
    let kessai: Session = api
        .login_reply(
            "kessai",
            kyosai_central::demo::DEMO_PASSWORD,
            Uuid::new_v4(),
        )
        .await
        .parse();
    assert_eq!(kessai.user.positions, ["kacho"]);
    let proposals: Vec<kyosai_sync_protocol::Record> = changes
        .iter()
        .filter_map(|c| match c {
            kyosai_sync_protocol::Change::Upsert { record } if record.kind == "proposal" => {
                Some((**record).clone())
            }
            _ => None,
        })
        .collect();
    assert!(proposals.iter().all(|r| r.state == "in_approval"));
    let steps: Vec<usize> = proposals
        .iter()
        .map(|r| {
            kyosai_domain::approval::state_of(&r.body)
                .unwrap()
                .current_step
        })
        .collect();
    assert_eq!(steps, [0, 1]);
    server.stop().await;
}

async fn concurrent_copies_of_one_push_apply_once(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let a = api.login(CLERK_A).await;
    let id = Uuid::new_v4();
    let commands: Vec<_> = std::iter::once(create(1, id, "1203", "v1"))
        .chain((2..=20).map(|seq| update(seq, id, seq as i64 - 1, &format!("v{seq}"))))
        .collect();
    // A client that timed out and retried while the first attempt was still running.
    let mut attempts = Vec::new();
    for _ in 0..5 {
        let api = Api {
            http: api.http.clone(),
            base: api.base.clone(),
        };
        let (user, commands) = (a.clone(), commands.clone());
        attempts.push(tokio::spawn(async move {
            api.push_reply(&user, &commands).await.text
        }));
    }
    let mut answers = Vec::new();
    for attempt in attempts {
        answers.push(attempt.await.unwrap());
    }
    assert!(
        answers.windows(2).all(|w| w[0] == w[1]),
        "every copy gets the same answer"
    );
    assert_eq!(server.command_count(a.client_id).await, 20);
    assert_eq!(server.record(id).await.unwrap().version, 20);
    let (changes, _) = api.pull_all(&a, None).await;
    assert_eq!(changes.len(), 1);
    server.stop().await;
}

/// Eight PCs edit one record at once, each from the version it last saw. Writers are
/// serialised and read only under the lock, so every edit is applied or a conflict —
/// never an error — and the record's version counts exactly the applied ones.
async fn concurrent_pushes_on_one_record_are_serialised(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let owner = api.login(CLERK_A).await;
    let id = Uuid::new_v4();
    api.push(&owner, &[create(1, id, "1203", "v1")]).await;
    let mut clerks = Vec::new();
    for i in 0..8 {
        let api = Api {
            http: api.http.clone(),
            base: api.base.clone(),
        };
        let user = api.login(if i % 2 == 0 { CLERK_A } else { CLERK_A2 }).await;
        let server_record = server.record(id).await.unwrap().version;
        clerks.push(tokio::spawn(async move {
            let mut base = server_record;
            let mut applied = 0u64;
            for seq in 1..=10u64 {
                let reply = api
                    .push_reply(&user, &[update(seq, id, base, &format!("{i}-{seq}"))])
                    .await;
                assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
                let r: kyosai_sync_protocol::PushResponse = reply.parse();
                match &r.results[0].outcome {
                    Outcome::Applied { version, .. } => {
                        applied += 1;
                        base = *version;
                    }
                    Outcome::Conflict { message, .. } => {
                        // Catch up as the clerk would after resolving.
                        let now = message
                            .split("現在の版: ")
                            .nth(1)
                            .and_then(|v| v.split(|c: char| !c.is_ascii_digit()).next())
                            .and_then(|v| v.parse().ok())
                            .unwrap_or_else(|| panic!("no current version in {message}"));
                        base = now;
                    }
                    other => panic!("unexpected outcome {other:?}"),
                }
            }
            applied
        }));
    }
    let mut applied = 0;
    for clerk in clerks {
        applied += clerk.await.unwrap();
    }
    assert!(applied >= 10, "{applied}");
    assert_eq!(server.record(id).await.unwrap().version, 1 + applied as i64);
    let (changes, _) = api.pull_all(&owner, None).await;
    assert_eq!(changes.len(), 1);
    server.stop().await;
}

async fn a_response_cut_after_commit_is_answered_on_retry(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let a = api.login(CLERK_A).await;
    let id = Uuid::new_v4();
    let commands = vec![create(1, id, "1203", "t"), update(2, id, 1, "t2")];
    server.cut_push_responses(1);
    let body = kyosai_sync_protocol::PushRequest {
        client_id: a.client_id,
        commands: commands.clone(),
        audit_head: None,
    };
    let attempt = api
        .http
        .post(format!("{}/sync/v1/push", api.base))
        .header(HEADER_PROTOCOL, "1")
        .bearer_auth(a.token())
        .json(&body)
        .send()
        .await;
    let got_body = match attempt {
        Ok(resp) => resp.text().await.is_ok(),
        Err(_) => false,
    };
    assert!(!got_body, "the response was cut");
    assert_eq!(server.pending_push_cuts(), 0);
    // The server committed anyway; the retry is answered from the stored results.
    assert_eq!(server.record(id).await.unwrap().version, 2);
    let r = api.push(&a, &commands).await;
    assert_eq!(r.acknowledged_seq, 2);
    assert!(matches!(
        r.results[1].outcome,
        Outcome::Applied { version: 2, .. }
    ));
    assert_eq!(server.command_count(a.client_id).await, 2);
    server.stop().await;
}

/// Other crates' tests often use `#[tokio::test]`'s single-threaded runtime.
#[tokio::test]
async fn the_test_server_runs_on_a_current_thread_runtime() {
    let (mut server, api) = setup(TestBackend::Sqlite).await;
    let a = api.login(CLERK_A).await;
    let id = Uuid::new_v4();
    api.push(&a, &[create(1, id, "1203", "t")]).await;
    server.restart().await;
    let api = Api::new(&server);
    api.push(&a, &[update(2, id, 1, "t2")]).await;
    assert_eq!(server.record(id).await.unwrap().version, 2);
    assert!(server.ca_pem_path().exists());
    server.stop().await;
}
