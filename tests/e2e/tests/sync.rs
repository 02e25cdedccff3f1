#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Two clerks of one office on two app instances, through the real central service
//! (TLS on 127.0.0.1, test CA): what one writes, the other sees.

use fantoccini::key::Key;
use fantoccini::Locator;
use kyosai_central::testing::{TestBackend, TestServer};
use kyosai_e2e::{App, Workspace};
use kyosai_sync_protocol::Role;

#[tokio::test]
async fn a_note_written_by_one_clerk_reaches_the_other() {
    let server = TestServer::start(TestBackend::Sqlite).await;
    server.add_office("1203", "新宿区役所").await;
    server
        .add_user(
            "tanaka",
            "田中 一郎",
            &[Role::OfficeClerk],
            Some("1203"),
            "pass-tanaka-1",
        )
        .await;
    server
        .add_user(
            "suzuki",
            "鈴木 花子",
            &[Role::OfficeClerk],
            Some("1203"),
            "pass-suzuki-1",
        )
        .await;

    let ws = Workspace::new();
    let policy = kyosai_e2e::central_policy(&ws, &server.base_url, server.ca_pem_path());
    let env = [("KYOSAI_POLICY", policy.to_str().unwrap())];

    let tanaka = App::start_with(&ws, "tanaka", &env).await;
    let suzuki = App::start_with(&ws, "suzuki", &env).await;
    tanaka.sign_in("tanaka", "pass-tanaka-1").await;
    suzuki.sign_in("suzuki", "pass-suzuki-1").await;

    tanaka.open("notes").await;
    tanaka
        .find(Locator::Css("[data-testid='notes-new']"))
        .await
        .click()
        .await
        .unwrap();
    tanaka
        .find(Locator::Css("input[name='title']"))
        .await
        .send_keys("4月採用分の取得届")
        .await
        .unwrap();
    tanaka
        .find(Locator::Css("textarea[name='text']"))
        .await
        .send_keys("人事課から12名分の資料を受領済み。明日までに入力します。")
        .await
        .unwrap();
    tanaka.chord(Key::Control, 's').await;
    tanaka
        .wait_text(Locator::Css("[data-testid='note-saved']"), "保存しました")
        .await;

    // The note reaches the other clerk through the server. The loop delivers it by itself
    // (poke); 「今すぐ同期」 is what a clerk presses when waiting, so the test does too.
    tanaka
        .find(Locator::Css("[data-testid='sync-now']"))
        .await
        .click()
        .await
        .unwrap();
    suzuki.open("notes").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let list = suzuki
            .find(Locator::Css("[data-testid='notes-list']"))
            .await
            .text()
            .await
            .unwrap_or_default();
        if list.contains("4月採用分の取得届") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the note never reached suzuki; list: {list:?}"
        );
        if let Ok(b) = suzuki
            .client
            .find(Locator::Css("[data-testid='sync-now']"))
            .await
        {
            let _ = b.click().await;
        }
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    }
    // And the writer's copy is confirmed: nothing left unsent (the count itself, not
    // text that merely contains a 0).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let pending = tanaka
            .find(Locator::Css("[data-testid='status-pending']"))
            .await
            .attr("data-count")
            .await
            .unwrap();
        if pending.as_deref() == Some("0") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "tanaka still has unsent work: {pending:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    suzuki.screenshot("note-received").await;
    tanaka.stop().await;
    suzuki.stop().await;
    server.stop().await;
}
