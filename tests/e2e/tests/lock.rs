#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The idle lock in the real app (Tauri's isolation pattern on): with IT's policy
//! setting a few seconds of idle time, a clerk's app locks while a 連絡メモ is typed but
//! not saved; the lock screen shows who may unlock and hides the work; Rust refuses
//! commands meanwhile; a wrong password is refused, the right one unlocks — offline, the
//! central service stopped — and the typed text is still there.

use std::time::{Duration, Instant};

use fantoccini::key::Key;
use fantoccini::Locator;
use kyosai_central::testing::{TestBackend, TestServer};
use kyosai_e2e::{App, Workspace};
use kyosai_sync_protocol::Role;

const NOTE_TITLE: &str = "引継ぎ：中村さんの資格取得届（未保存）";

/// Waits (up to `limit`) until the lock screen is there.
async fn wait_for_lock(app: &App, limit: Duration) -> Duration {
    let started = Instant::now();
    while started.elapsed() < limit {
        if app
            .client
            .find(Locator::Css("[data-testid='lock-screen']"))
            .await
            .is_ok()
        {
            return started.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    app.screenshot("never-locked").await;
    panic!("the app did not lock within {limit:?}");
}

#[tokio::test]
async fn an_idle_app_locks_and_the_password_unlocks_it_offline_with_the_typing_kept() {
    let server = TestServer::start(TestBackend::Sqlite).await;
    server.add_office("1203", "新宿区役所").await;
    server
        .add_user(
            "tanto",
            "佐藤 花子",
            &[Role::OfficeClerk],
            Some("1203"),
            "pass-tanto-1",
        )
        .await;

    let ws = Workspace::new();
    // IT's policy: the central service, and 9 seconds of idle time before the lock.
    let policy = kyosai_e2e::central_policy(&ws, &server.base_url, server.ca_pem_path());
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&policy).unwrap()).unwrap();
    json["idleLockMinutes"] = serde_json::json!(0.15);
    std::fs::write(&policy, json.to_string()).unwrap();
    let env = [("KYOSAI_POLICY", policy.to_str().unwrap())];

    let app = App::start_with(&ws, "lock-tanto", &env).await;
    // Tauri's isolation pattern is on: its frame is there, hidden, and the window does
    // not scroll because of it.
    let frame = app
        .client
        .execute(
            "const f = document.getElementById('__tauri_isolation__');\
             return f ? [getComputedStyle(f).display, \
               document.documentElement.scrollHeight <= window.innerHeight] : null;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(frame, serde_json::json!(["none", true]), "isolation frame");
    app.sign_in("tanto", "pass-tanto-1").await;

    // A note typed, not saved.
    app.open("notes").await;
    app.click("[data-testid='notes-new']").await;
    let title = app.find(Locator::Css("input[name='title']")).await;
    title.send_keys(NOTE_TITLE).await.unwrap();
    let typed_at = Instant::now();

    // No input: the lock screen comes.
    wait_for_lock(&app, Duration::from_secs(30)).await;
    let idle = typed_at.elapsed();
    assert!(
        idle >= Duration::from_secs(8),
        "locked after {idle:?}, before the policy's 9 seconds"
    );
    app.wait_text(Locator::Css("[data-testid='lock-user']"), "佐藤 花子")
        .await;
    app.wait_text(
        Locator::Css("[data-testid='lock-screen']"),
        "共済デスクはロックされています",
    )
    .await;
    assert!(
        !title.is_displayed().await.unwrap(),
        "the work area is hidden while locked"
    );
    app.screenshot("lock-screen").await;

    // Rust refuses commands too, not only the screen (the page's own door to Rust).
    let answer = app
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             window.__TAURI_INTERNALS__.invoke('list_notes', {})\
               .then(() => done('answered'), (e) => done(JSON.stringify(e)));",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        answer
            .as_str()
            .unwrap_or_default()
            .contains("session.locked"),
        "{answer:?}"
    );

    // Unlocking needs no network: the central service is gone.
    server.stop().await;

    let password = app
        .find(Locator::Css("[data-testid='lock-password']"))
        .await;
    password.send_keys("pass-tanto-X").await.unwrap();
    password.send_keys(&Key::Enter.to_string()).await.unwrap();
    app.wait_text(Locator::Css("[data-testid='lock-error']"), "あと 4 回")
        .await;
    app.screenshot("lock-wrong-password").await;
    assert!(app
        .client
        .find(Locator::Css("[data-testid='lock-screen']"))
        .await
        .is_ok());

    let password = app
        .find(Locator::Css("[data-testid='lock-password']"))
        .await;
    password.send_keys("pass-tanto-1").await.unwrap();
    password.send_keys(&Key::Enter.to_string()).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    while app
        .client
        .find(Locator::Css("[data-testid='lock-screen']"))
        .await
        .is_ok()
    {
        assert!(
            Instant::now() < deadline,
            "the right password did not unlock"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The note is as it was typed, and can be saved.
    let title = app.find(Locator::Css("input[name='title']")).await;
    assert!(title.is_displayed().await.unwrap());
    assert_eq!(
        title.prop("value").await.unwrap().as_deref(),
        Some(NOTE_TITLE)
    );
    app.screenshot("lock-unlocked").await;
    app.stop().await;
}
