#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The shell of the real app: settings that persist, the 和暦 field, the keyboard.

use fantoccini::key::Key;
use fantoccini::Locator;
use kyosai_e2e::{App, Workspace};

const CENTRAL: &str = "https://central.kyosai.example:8443";

#[tokio::test]
async fn a_saved_setting_is_still_there_after_a_restart() {
    let ws = Workspace::new();
    let app = App::start(&ws, "clerk").await;
    app.open("settings").await;
    let url = app.find(Locator::Css("input[name='centralUrl']")).await;
    url.send_keys(CENTRAL).await.unwrap();
    let office = app.find(Locator::Css("input[name='officeCode']")).await;
    // Full-width digits, as an IME often leaves them: stored normalised.
    office.send_keys("１２０３").await.unwrap();
    app.find(Locator::Css("[data-testid='settings-save']"))
        .await
        .click()
        .await
        .unwrap();
    app.wait_text(
        Locator::Css("[data-testid='settings-saved']"),
        "保存しました",
    )
    .await;
    // The status bar shows the new office at once.
    app.wait_text(Locator::Css("[data-testid='status-bar']"), "1203")
        .await;
    app.stop().await;

    let app = App::start(&ws, "clerk").await;
    app.open("settings").await;
    // The form fills in once the settings have loaded.
    app.wait_value(Locator::Css("input[name='centralUrl']"), CENTRAL)
        .await;
    app.wait_value(Locator::Css("input[name='officeCode']"), "1203")
        .await;
    app.stop().await;
}

#[tokio::test]
async fn an_invalid_setting_is_explained_and_nothing_typed_is_lost() {
    let ws = Workspace::new();
    let app = App::start(&ws, "clerk-settings").await;
    app.open("settings").await;
    let url = app.find(Locator::Css("input[name='centralUrl']")).await;
    url.send_keys("ftp://central.kyosai.example").await.unwrap();
    // Leaving the field shows the finding beside it.
    url.send_keys(&Key::Tab.to_string()).await.unwrap();
    app.wait_text(
        Locator::Css("[data-testid='settings-findings-centralUrl']"),
        "https",
    )
    .await;
    app.find(Locator::Css("[data-testid='settings-save']"))
        .await
        .click()
        .await
        .unwrap();
    app.wait_text(
        Locator::Css("[data-testid='settings-error']"),
        "赤で示した項目を直して",
    )
    .await;
    assert_eq!(
        url.prop("value").await.unwrap().as_deref(),
        Some("ftp://central.kyosai.example")
    );
    app.stop().await;
}

#[tokio::test]
async fn an_impossible_wareki_date_gets_a_japanese_error_and_keeps_the_input() {
    let ws = Workspace::new();
    let app = App::start(&ws, "clerk-wareki").await;
    app.open("wareki").await;
    let field = "[data-testid='convert-wareki']";
    app.find(Locator::Css(&format!("{field} select")))
        .await
        .select_by_value("heisei")
        .await
        .unwrap();
    let year = app
        .find(Locator::Css(&format!("{field} input[name$='year']")))
        .await;
    year.send_keys("31").await.unwrap();
    let month = app
        .find(Locator::Css(&format!("{field} input[name$='month']")))
        .await;
    month.send_keys("5").await.unwrap();
    let day = app
        .find(Locator::Css(&format!("{field} input[name$='day']")))
        .await;
    day.send_keys("1").await.unwrap();
    day.send_keys(&Key::Tab.to_string()).await.unwrap();
    // 平成31年5月1日 does not exist: that day is 令和元年5月1日.
    let msg = app
        .wait_text(
            Locator::Css(&format!("{field} [role='alert']")),
            "令和元年5月1日",
        )
        .await;
    assert!(msg.contains("平成"), "{msg}");
    assert_eq!(year.prop("value").await.unwrap().as_deref(), Some("31"));
    assert_eq!(day.prop("value").await.unwrap().as_deref(), Some("1"));

    // Correcting the era converts, with 元年.
    app.find(Locator::Css(&format!("{field} select")))
        .await
        .select_by_value("reiwa")
        .await
        .unwrap();
    // Delete "31" the way a clerk would (a script's clear() bypasses React's input events).
    year.click().await.unwrap();
    year.send_keys(&format!(
        "{}{}{}{}",
        Key::End,
        Key::Backspace,
        Key::Backspace,
        "元"
    ))
    .await
    .unwrap();
    day.click().await.unwrap();
    day.send_keys(&Key::Tab.to_string()).await.unwrap();
    app.wait_text(Locator::Css(field), "2019-05-01").await;
    app.stop().await;
}

#[tokio::test]
async fn the_shell_is_usable_with_the_keyboard_alone() {
    let ws = Workspace::new();
    let app = App::start(&ws, "clerk-keyboard").await;
    // The first Tab reaches the skip link.
    app.client
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .send_keys(&Key::Tab.to_string())
        .await
        .unwrap();
    let first = app.focused().await;
    assert!(first.text().await.unwrap().contains("本文へ移動"));

    // Alt+3 opens 設定 and puts focus on its heading.
    app.chord(Key::Alt, '3').await;
    app.wait_text(Locator::Css("main h1"), "設定").await;
    let focused = app.focused().await;
    assert_eq!(focused.tag_name().await.unwrap().to_lowercase(), "h1");

    // Tab into the form, type, and save with Ctrl+S: no mouse anywhere.
    app.keys(&Key::Tab.to_string()).await.unwrap();
    let name = app.focused().await.attr("name").await.unwrap();
    assert_eq!(name.as_deref(), Some("centralUrl"));
    app.keys("https://central.example.jp").await.unwrap();
    app.chord(Key::Control, 's').await;
    app.wait_text(
        Locator::Css("[data-testid='settings-saved']"),
        "保存しました",
    )
    .await;

    // Alt+4 opens diagnostics; Tab reaches the integrity check; Enter runs it.
    app.chord(Key::Alt, '4').await;
    app.wait_text(Locator::Css("main h1"), "診断").await;
    let button = app
        .find(Locator::Css("[data-testid='diag-integrity-run']"))
        .await;
    for _ in 0..20 {
        if app
            .focused()
            .await
            .attr("data-testid")
            .await
            .unwrap()
            .as_deref()
            == Some("diag-integrity-run")
        {
            break;
        }
        app.keys(&Key::Tab.to_string()).await.unwrap();
    }
    assert_eq!(
        app.focused()
            .await
            .attr("data-testid")
            .await
            .unwrap()
            .as_deref(),
        Some("diag-integrity-run"),
        "Tab never reached the integrity check button"
    );
    app.keys(&Key::Enter.to_string()).await.unwrap();
    app.wait_text(
        Locator::Css("[data-testid='diag-integrity-result']"),
        "正常",
    )
    .await;
    drop(button);
    app.screenshot("keyboard-diagnostics").await;
    app.stop().await;
}
