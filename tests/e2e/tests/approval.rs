#![allow(clippy::unwrap_used, clippy::expect_used)]
//! 電子決裁 in the real app: a clerk sends two 起案文書 for approval from her app; the office
//! head, on his, approves one keyboard-only and returns the other with a reason; the
//! clerk's app shows both outcomes after sync. Through the real central service (TLS on
//! 127.0.0.1, test CA).

use std::time::{Duration, Instant};

use fantoccini::key::Key;
use fantoccini::Locator;
use kyosai_central::testing::{TestBackend, TestServer};
use kyosai_e2e::{App, Workspace};
use kyosai_sync_protocol::Role;

async fn send_for_approval(app: &App, title: &str, text: &str, amount: &str) {
    app.find(Locator::Css("[data-testid='proposals-new']"))
        .await
        .click()
        .await
        .unwrap();
    app.find(Locator::Id("proposal-title"))
        .await
        .send_keys(title)
        .await
        .unwrap();
    app.find(Locator::Id("proposal-text"))
        .await
        .send_keys(text)
        .await
        .unwrap();
    app.find(Locator::Id("proposal-amount"))
        .await
        .send_keys(amount)
        .await
        .unwrap();
    // Who will decide is shown while typing.
    app.wait_text(Locator::Css("[data-testid='proposal-route']"), "所属所長")
        .await;
    app.find(Locator::Css("[data-testid='proposal-submit']"))
        .await
        .click()
        .await
        .unwrap();
    app.find(Locator::Css("[data-testid='proposal-banner-success']"))
        .await;
}

#[tokio::test]
async fn a_supervisor_approves_one_and_returns_one_and_the_clerk_sees_both() {
    let server = TestServer::start(TestBackend::Sqlite).await;
    server.add_office("1203", "新宿区役所").await;
    for (id, name, role, office, pw) in [
        (
            "tanto",
            "佐藤 花子",
            Role::OfficeClerk,
            Some("1203"),
            "pass-tanto-1",
        ),
        (
            "shocho",
            "鈴木 一郎",
            Role::OfficeHead,
            Some("1203"),
            "pass-shocho-1",
        ),
        ("kessai", "伊藤 誠", Role::Approver, None, "pass-kessai-1"),
    ] {
        server.add_user(id, name, &[role], office, pw).await;
    }

    let ws = Workspace::new();
    let policy = kyosai_e2e::central_policy(&ws, &server.base_url, server.ca_pem_path());
    let env = [("KYOSAI_POLICY", policy.to_str().unwrap())];

    let tanto = App::start_with(&ws, "approval-tanto", &env).await;
    let shocho = App::start_with(&ws, "approval-shocho", &env).await;
    tanto.sign_in("tanto", "pass-tanto-1").await;
    shocho.sign_in("shocho", "pass-shocho-1").await;

    // The clerk sends two documents for approval.
    tanto.open("proposals").await;
    send_for_approval(
        &tanto,
        "会議室用プロジェクターの購入",
        "故障したため同等品を購入します。",
        "480000",
    )
    .await;
    send_for_approval(
        &tanto,
        "窓口案内表示の更新",
        "多言語対応の表示に更新します。",
        "120000",
    )
    .await;
    tanto.press_sync().await;

    // The office head opens 決裁 (Alt+7) and waits for both.
    shocho.chord(Key::Alt, '7').await;
    shocho.sync_until("[data-testid='inbox-count']", "2").await;
    shocho.screenshot("approval-inbox").await;

    // Keyboard only: Tab to the table, Enter opens the first, Ctrl+Enter approves.
    shocho.tab_to("inbox-table").await;
    shocho.keys(&Key::Enter.to_string()).await.unwrap();
    // Which of the two opened first (the detail is loaded when its kind row shows).
    let approved_title = shocho
        .wait_text(Locator::Css("[data-testid='approval-detail']"), "起案文書")
        .await;
    // (The detail shows the amount; the title is its heading.)
    let (approved, returned, returned_amount) = if approved_title.contains("480,000") {
        (
            "会議室用プロジェクターの購入",
            "窓口案内表示の更新",
            "120,000",
        )
    } else {
        (
            "窓口案内表示の更新",
            "会議室用プロジェクターの購入",
            "480,000",
        )
    };
    shocho.screenshot("approval-detail").await;
    shocho.chord(Key::Control, Key::Enter.into()).await;
    // 決裁 asks for the password again (once: it covers the next two minutes).
    shocho
        .wait_text_entering_password(Locator::Css("[data-testid='inbox-banner-success']"), "")
        .await;

    // The other one goes back to the clerk with a reason.
    shocho
        .click_row(
            "[data-testid='inbox-row']",
            Some("td:nth-child(3)"),
            returned,
        )
        .await;
    shocho
        .wait_text(
            Locator::Css("[data-testid='approval-detail']"),
            returned_amount,
        )
        .await;
    let reason = shocho
        .press_until(
            "[data-testid='approval-return']",
            Locator::Id("approval-reason"),
        )
        .await;
    // Confirming without a reason is not possible.
    shocho
        .find(Locator::Css("[data-testid='approval-reason-confirm']"))
        .await
        .click()
        .await
        .unwrap();
    shocho
        .find(Locator::Css("[data-testid='approval-reason-dialog']"))
        .await;
    reason
        .send_keys("多言語の表示例を添付してください。")
        .await
        .unwrap();
    shocho
        .find(Locator::Css("[data-testid='approval-reason-confirm']"))
        .await
        .click()
        .await
        .unwrap();
    shocho
        .wait_text_entering_password(Locator::Css("[data-testid='inbox-banner-success']"), "")
        .await;
    // Both reach the server; the office head's inbox empties.
    shocho.sync_until("[data-testid='inbox-empty']", "").await;

    // The clerk's app shows both outcomes after sync.
    let list = tanto
        .sync_until("[data-testid='proposals-list']", "差戻し")
        .await;
    assert!(list.contains(returned), "{list}");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let rows = tanto
            .client
            .find_all(Locator::Css("[data-testid='proposal-row']"))
            .await
            .unwrap();
        let mut texts = Vec::new();
        for r in rows {
            texts.push(r.text().await.unwrap_or_default());
        }
        let approved_row = texts.iter().find(|t| t.contains(approved));
        let returned_row = texts.iter().find(|t| t.contains(returned));
        if let (Some(a), Some(r)) = (approved_row, returned_row) {
            if a.contains("2人目 / 2人中") && r.contains("差戻し") {
                break;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the clerk's list never showed both outcomes: {texts:?}"
        );
        tanto.press_sync().await;
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    // The returned one shows the reason when opened.
    tanto
        .click_row("[data-testid='proposal-row']", None, returned)
        .await;
    tanto
        .wait_text(
            Locator::Css("[data-testid='proposal-return-reason']"),
            "多言語の表示例を添付してください。",
        )
        .await;
    tanto.screenshot("approval-returned").await;

    tanto.stop().await;
    shocho.stop().await;
    server.stop().await;
}
