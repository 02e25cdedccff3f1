#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The encrypted local database in the real app: the file on disk is not readable SQLite,
//! its key is in the Secret Service (the test keyring of `with_display_and_bus`), and when
//! that key is gone the app shows the key-lost screen and starts afresh on request,
//! keeping the old file.

use std::process::Command;

use fantoccini::Locator;
use kyosai_e2e::{App, Workspace};

const PROFILE: &str = "keylost";
// Any valid setting will do; a closed loopback port keeps the app's sync attempts off DNS.
const CENTRAL: &str = "https://127.0.0.1:9";

fn secret_tool(action: &str) -> std::process::Output {
    // Bounded: a Secret Service that prompts would otherwise wait forever.
    Command::new("timeout")
        .args([
            "30",
            "secret-tool",
            action,
            "service",
            "jp.kyosai.desk",
            "username",
            &format!("{PROFILE}/#db-key"),
        ])
        .output()
        .expect("secret-tool (libsecret-tools) runs")
}

#[tokio::test]
async fn a_lost_key_shows_the_key_lost_screen_and_starts_afresh_keeping_the_old_file() {
    let ws = Workspace::new();
    let db = ws
        .path()
        .join(format!("data/profiles/{PROFILE}/kyosai.sqlite3"));
    let app = App::start(&ws, PROFILE).await;
    app.open("settings").await;
    app.find(Locator::Css("input[name='centralUrl']"))
        .await
        .send_keys(CENTRAL)
        .await
        .unwrap();
    app.click("[data-testid='settings-save']").await;
    app.wait_text(
        Locator::Css("[data-testid='settings-saved']"),
        "保存しました",
    )
    .await;
    app.stop().await;

    // Encrypted on disk; the key is in the credential store, 64 hex digits.
    let head = std::fs::read(&db).unwrap();
    assert_ne!(&head[..16], b"SQLite format 3\0");
    let key = secret_tool("lookup");
    assert!(
        key.status.success(),
        "the database key is in the Secret Service"
    );
    assert_eq!(String::from_utf8_lossy(&key.stdout).trim().len(), 64);

    // The credential store loses the key (a new Windows profile, say).
    assert!(secret_tool("clear").status.success());
    let app = App::start(&ws, PROFILE).await;
    app.find(Locator::Css("[data-testid='key-lost']")).await;
    app.wait_text(
        Locator::Css("h1#page-title"),
        "このPCのデータベースを開けません",
    )
    .await;
    app.wait_text(
        Locator::Css("[data-testid='key-lost-code']"),
        "store.key_missing",
    )
    .await;
    // Nothing was unsent: no tick needed, the screen says so.
    app.wait_text(
        Locator::Css("[data-testid='key-lost-none']"),
        "未送信の作業はありません",
    )
    .await;
    app.screenshot("key-lost").await;
    app.click("[data-testid='key-lost-start-fresh']").await;
    let done = app
        .wait_text(
            Locator::Css("[data-testid='key-lost-done']"),
            "新しいデータベースで始めました",
        )
        .await;
    assert!(done.contains("unreadable-"), "{done}");

    // Sign-in next, on a fresh database: the old setting is gone (on a managed PC the
    // machine policy sets it again), the app works.
    app.click("[data-testid='key-lost-sign-in']").await;
    app.wait_text(Locator::Css("h1#page-title"), "サインイン")
        .await;
    app.open("settings").await;
    // Once loaded (not busy), the field is empty.
    app.find(Locator::Css(
        "form[data-testid='settings-form']:not([aria-busy])",
    ))
    .await;
    let url = app.find(Locator::Css("input[name='centralUrl']")).await;
    assert_eq!(url.prop("value").await.unwrap().as_deref(), Some(""));
    app.stop().await;

    // The unreadable file was kept beside the new one, and a new key was made.
    let kept: Vec<String> = std::fs::read_dir(db.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| {
            n.starts_with("kyosai.sqlite3.unreadable-")
                && !n.contains(".unsent")
                && !n.ends_with("-wal")
                && !n.ends_with("-shm")
        })
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    let new_key = secret_tool("lookup");
    assert!(new_key.status.success());
    assert_ne!(new_key.stdout, key.stdout);
    assert!(secret_tool("clear").status.success());
}
