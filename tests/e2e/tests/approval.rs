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

async fn sign_in(app: &App, user: &str, password: &str) {
    app.open("signin").await;
    app.find(Locator::Css("input[name='userId']"))
        .await
        .send_keys(user)
        .await
        .unwrap();
    let pw = app.find(Locator::Css("input[name='password']")).await;
    pw.send_keys(password).await.unwrap();
    pw.send_keys(&Key::Enter.to_string()).await.unwrap();
    app.wait_text(Locator::Css("[data-testid='signin-who']"), user)
        .await;
}

async fn press_sync(app: &App) {
    if let Ok(b) = app
        .client
        .find(Locator::Css("[data-testid='sync-now']"))
        .await
    {
        let _ = b.click().await;
    }
}

/// Presses 今すぐ同期 until the element's text contains `needle` (the loop would bring it
/// by itself; a person waiting presses the button, so the test does too).
async fn sync_until(app: &App, css: &str, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let text = match app.client.find(Locator::Css(css)).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if text.contains(needle) {
            return text;
        }
        if Instant::now() > deadline {
            app.screenshot("sync-until").await;
            panic!("{css} never contained {needle:?}; last text {text:?}");
        }
        press_sync(app).await;
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

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

/// Clicks the row (or its `cell`) whose text contains `needle`, finding the rows again
/// when a re-render replaced them.
async fn click_row(app: &App, rows: &str, cell: Option<&str>, needle: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let found = app
            .client
            .find_all(Locator::Css(rows))
            .await
            .unwrap_or_default();
        for row in found {
            if !row.text().await.unwrap_or_default().contains(needle) {
                continue;
            }
            let target = match cell {
                Some(c) => row.find(Locator::Css(c)).await,
                None => Ok(row),
            };
            if let Ok(t) = target {
                if t.click().await.is_ok() {
                    return;
                }
            }
        }
        if Instant::now() > deadline {
            app.screenshot("click-row").await;
            panic!("no clickable row {rows} containing {needle:?}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Tab until the element with `id` has focus (keyboard only).
async fn tab_to(app: &App, id: &str) {
    for _ in 0..40 {
        let focused = app.focused().await.attr("id").await.unwrap_or_default();
        if focused.as_deref() == Some(id) {
            return;
        }
        app.keys(&Key::Tab.to_string()).await.unwrap();
    }
    app.screenshot("tab-to").await;
    panic!("#{id} never got focus by Tab");
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
    let policy = ws.path().join("policy.json");
    std::fs::write(
        &policy,
        serde_json::json!({
            "centralUrl": server.base_url,
            "rootCaPath": server.ca_pem_path(),
        })
        .to_string(),
    )
    .unwrap();
    let env = [("KYOSAI_POLICY", policy.to_str().unwrap())];

    let tanto = App::start_with(&ws, "approval-tanto", &env).await;
    let shocho = App::start_with(&ws, "approval-shocho", &env).await;
    sign_in(&tanto, "tanto", "pass-tanto-1").await;
    sign_in(&shocho, "shocho", "pass-shocho-1").await;

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
    press_sync(&tanto).await;

    // The office head opens 決裁 (Alt+7) and waits for both.
    shocho.chord(Key::Alt, '7').await;
    sync_until(&shocho, "[data-testid='inbox-count']", "2").await;
    shocho.screenshot("approval-inbox").await;

    // Keyboard only: Tab to the table, Enter opens the first, Ctrl+Enter approves.
    tab_to(&shocho, "inbox-table").await;
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
    shocho
        .find(Locator::Css("[data-testid='inbox-banner-success']"))
        .await;

    // The other one goes back to the clerk with a reason.
    click_row(
        &shocho,
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
    shocho
        .find(Locator::Css("[data-testid='approval-return']"))
        .await
        .click()
        .await
        .unwrap();
    let reason = shocho.find(Locator::Id("approval-reason")).await;
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
        .find(Locator::Css("[data-testid='inbox-banner-success']"))
        .await;
    // Both reach the server; the office head's inbox empties.
    sync_until(&shocho, "[data-testid='inbox-empty']", "").await;

    // The clerk's app shows both outcomes after sync.
    let list = sync_until(&tanto, "[data-testid='proposals-list']", "差戻し").await;
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
        press_sync(&tanto).await;
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    // The returned one shows the reason when opened.
    click_row(&tanto, "[data-testid='proposal-row']", None, returned).await;
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
