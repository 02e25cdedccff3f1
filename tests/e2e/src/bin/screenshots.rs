//! Takes the README and guide screenshots from the real app under Xvfb.
//! Run by `scripts/screenshots`; writes docs/images/*.png.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use fantoccini::key::Key;
use fantoccini::Locator;
use kyosai_e2e::{workspace_root, App, Workspace};

async fn save(app: &App, name: &str) {
    // Let transitions and fonts settle before the shot.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let png = app.client.screenshot().await.unwrap();
    let path = workspace_root()
        .join("docs/images")
        .join(format!("{name}.png"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, png).unwrap();
    println!("{}", path.display());
}

#[tokio::main]
async fn main() {
    let ws = Workspace::new();
    let app = App::start(&ws, "tanaka").await;

    app.open("settings").await;
    let url = app.find(Locator::Css("input[name='centralUrl']")).await;
    url.send_keys("https://central.kyosai.example.lg.jp")
        .await
        .unwrap();
    let office = app.find(Locator::Css("input[name='officeCode']")).await;
    office.send_keys("1203").await.unwrap();
    app.chord(Key::Control, 's').await;
    app.wait_text(
        Locator::Css("[data-testid='settings-saved']"),
        "保存しました",
    )
    .await;
    let proxy = app.find(Locator::Css("input[name='proxyUrl']")).await;
    proxy.send_keys("proxy.example:8080").await.unwrap();
    proxy.send_keys(&Key::Tab.to_string()).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    save(&app, "settings").await;
    proxy.clear().await.unwrap();

    app.chord(Key::Alt, '1').await;
    app.wait_text(Locator::Css("main h1"), "ホーム").await;
    save(&app, "home").await;

    app.chord(Key::Alt, '2').await;
    let field = "[data-testid='convert-wareki']";
    app.find(Locator::Css(&format!("{field} select")))
        .await
        .select_by_value("heisei")
        .await
        .unwrap();
    for (part, v) in [("year", "31"), ("month", "5"), ("day", "1")] {
        app.find(Locator::Css(&format!("{field} input[name$='{part}']")))
            .await
            .send_keys(v)
            .await
            .unwrap();
    }
    app.keys(&Key::Tab.to_string()).await.unwrap();
    app.wait_text(Locator::Css(&format!("{field} [role='alert']")), "令和")
        .await;
    save(&app, "wareki-error").await;

    app.chord(Key::Alt, '4').await;
    app.find(Locator::Css("[data-testid='diag-integrity-run']"))
        .await
        .click()
        .await
        .unwrap();
    app.wait_text(
        Locator::Css("[data-testid='diag-integrity-result']"),
        "正常",
    )
    .await;
    save(&app, "diagnostics").await;
    app.stop().await;
}
