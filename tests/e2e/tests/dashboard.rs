#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]
//! 見える化 in the real app, against the real central service (TLS on 127.0.0.1) with the
//! demo year (`kyosai-central demo-year`: about 3,000 cases of the year ending today, with
//! their approval histories and work sessions): the 事務局審査担当 (shinsa) opens the
//! dashboard; the charts are drawn (bars in the SVG, under the app's frozen prototypes); a few figures on screen are
//! checked against the service's own JSON (fetched here with reqwest as the same user);
//! the period changes to 前年度; the 業務フロー table is saved as CSV (read back: rows and
//! 時間/年) and as PDF (pdftotext). Screenshots go to tests/e2e/artifacts.
//!
//! The time from the request to the charts drawn (`data-render-ms`) is printed, never
//! asserted.

use chrono::{Datelike, Local, NaiveDate};
use fantoccini::Locator;
use kyosai_central::testing::{TestBackend, TestServer};
use kyosai_central::{demo, demo_year};
use kyosai_e2e::{App, Workspace};
use serde_json::Value;

/// 今年度 and 前年度 (April to March) on `today`, as the page computes them.
fn fiscal_year(today: NaiveDate, back: i32) -> (String, String) {
    let fy = if today.month() >= 4 {
        today.year()
    } else {
        today.year() - 1
    } - back;
    (format!("{fy}-04-01"), format!("{}-03-31", fy + 1))
}

/// 「1,234.5」 as the page prints it (half away from zero).
fn fixed(v: f64, decimals: usize) -> String {
    let scale = 10f64.powi(decimals as i32);
    let text = format!("{:.*}", decimals, (v * scale).round() / scale);
    let (int, frac) = text
        .split_once('.')
        .map_or((text.as_str(), None), |(i, f)| (i, Some(f)));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{grouped}.{f}"),
        None => grouped,
    }
}

/// Signs in over HTTPS as the app does and returns an access token.
async fn token(http: &reqwest::Client, base: &str, user: &str) -> String {
    let session: Value = http
        .post(format!("{base}auth/v1/login"))
        .json(&serde_json::json!({
            "user_id": user,
            "password": demo::DEMO_PASSWORD,
            "device": { "device_id": uuid::Uuid::new_v4(), "name": "e2e-dashboard" }
        }))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    session["access_token"].as_str().unwrap().to_string()
}

async fn api_dashboard(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    from: &str,
    to: &str,
) -> Value {
    http.get(format!("{base}analytics/v1/dashboard?from={from}&to={to}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn text_of(app: &App, testid: &str) -> String {
    app.find(Locator::Css(&format!("[data-testid='{testid}']")))
        .await
        .text()
        .await
        .unwrap()
}

/// The figures on screen equal the service's JSON for the same period.
async fn check_figures(app: &App, api: &Value) {
    let finished: u64 = api["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["finished"].as_u64().unwrap())
        .sum();
    let finished_text = text_of(app, "dashboard-summary-finished").await;
    assert_eq!(finished_text, format!("{}件", fixed(finished as f64, 0)));
    let overdue = api["overdue"].as_array().unwrap().len();
    assert_eq!(
        text_of(app, "dashboard-summary-overdue").await,
        format!("{}件", fixed(overdue as f64, 0))
    );
    let rows = api["flowTable"].as_array().unwrap();
    let shown = app
        .client
        .find_all(Locator::Css("[data-testid='dashboard-flow-hours']"))
        .await
        .unwrap();
    assert_eq!(
        shown.len(),
        rows.len(),
        "one row per step of the 業務フロー table"
    );
    for (el, row) in shown.iter().zip(rows) {
        assert_eq!(
            el.text().await.unwrap(),
            fixed(row["hoursPerYear"].as_f64().unwrap(), 1)
        );
    }
    if !rows.is_empty() {
        let total: f64 = rows
            .iter()
            .map(|r| r["hoursPerYear"].as_f64().unwrap())
            .sum();
        assert_eq!(text_of(app, "dashboard-flow-total").await, fixed(total, 1));
    }
}

/// The file named in the export message (「保存先: …」), once the message is there.
async fn exported_path(app: &App, kind: &str) -> std::path::PathBuf {
    let text = app
        .wait_text(
            Locator::Css("[data-testid='dashboard-export-result']"),
            &format!("{kind}を保存しました"),
        )
        .await;
    let path = text.split("保存先: ").nth(1).unwrap().trim();
    std::path::PathBuf::from(path)
}

/// Bars drawn in the chart `id` (recharts' rectangles in the SVG).
async fn bars_in(app: &App, id: &str) -> usize {
    app.client
        .find_all(Locator::Css(&format!(
            "[data-testid='dashboard-{id}-chart'] svg .recharts-bar-rectangle"
        )))
        .await
        .unwrap()
        .len()
}

/// Scrolls the section `id` to the top of the window and takes a screenshot.
async fn screenshot_section(app: &App, id: &str, name: &str) {
    app.client
        .execute(
            "document.querySelector(arguments[0]).scrollIntoView({block: 'start', behavior: 'instant'});",
            vec![serde_json::json!(format!("[data-testid='dashboard-{id}']"))],
        )
        .await
        .unwrap();
    app.screenshot(name).await;
}

#[tokio::test]
async fn the_reviewer_sees_the_figures_of_the_service_and_exports_the_flow_table() {
    let server = TestServer::start(TestBackend::Sqlite).await;
    let today_jst = (chrono::Utc::now() + chrono::Duration::hours(9)).date_naive();
    let year = demo_year::load(
        server.storage(),
        &server.config().auth.argon2,
        today_jst,
        demo_year::DEFAULT_SEED,
    )
    .await
    .unwrap();
    println!("demo year: {year:?}");
    let ws = Workspace::new();
    let policy = kyosai_e2e::central_policy(&ws, &server.base_url, server.ca_pem_path());
    let env = [("KYOSAI_POLICY", policy.to_str().unwrap())];
    let app = App::start_with(&ws, "dashboard-shinsa", &env).await;
    app.sign_in("shinsa", demo::DEMO_PASSWORD).await;

    let ca = std::fs::read(server.ca_pem_path()).unwrap();
    // The protocol headers the service requires of every client.
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        kyosai_sync_protocol::HEADER_PROTOCOL,
        kyosai_sync_protocol::PROTOCOL_VERSION.into(),
    );
    headers.insert(
        kyosai_sync_protocol::HEADER_APP_VERSION,
        reqwest::header::HeaderValue::from_static(env!("CARGO_PKG_VERSION")),
    );
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .tls_certs_merge(reqwest::Certificate::from_pem_bundle(&ca).unwrap())
        .build()
        .unwrap();
    let base = if server.base_url.ends_with('/') {
        server.base_url.clone()
    } else {
        format!("{}/", server.base_url)
    };
    let token = token(&http, &base, "shinsa").await;

    // 今年度, as the page opens.
    app.open("dashboard").await;
    let today = Local::now().date_naive();
    let (from, to) = fiscal_year(today, 0);
    app.wait_text(
        Locator::Css("[data-testid='dashboard-status']"),
        &format!("{from} ～ {to}"),
    )
    .await;
    app.find(Locator::Css("[data-testid='dashboard-summary']"))
        .await;
    let ms = app
        .find(Locator::Css("[data-testid='dashboard']"))
        .await
        .attr("data-render-ms")
        .await
        .unwrap();
    let draw = app
        .find(Locator::Css("[data-testid='dashboard']"))
        .await
        .attr("data-draw-ms")
        .await
        .unwrap();
    println!(
        "dashboard render (request → charts drawn): {ms:?} ms, of which the app's drawing (answer → charts drawn): {draw:?} ms"
    );
    let api = api_dashboard(&http, &base, &token, &from, &to).await;
    check_figures(&app, &api).await;
    app.screenshot("dashboard-this-year").await;
    // The charts drew: the demo year has cases in every month of it so far.
    let months = api["months"].as_array().unwrap();
    assert!(
        months.iter().any(|m| m["finished"].as_u64().unwrap() > 0),
        "the demo year fills 今年度"
    );
    assert!(
        bars_in(&app, "months").await > 0,
        "no bars in the months chart"
    );
    assert!(
        bars_in(&app, "steps").await > 0,
        "no bars in the time-per-step chart"
    );
    screenshot_section(&app, "summary", "dashboard-charts").await;
    screenshot_section(&app, "steps", "dashboard-steps").await;
    screenshot_section(&app, "flow", "dashboard-flow").await;

    // 前年度.
    app.click("[data-testid='dashboard-preset-lastYear']").await;
    let (from, to) = fiscal_year(today, 1);
    app.wait_text(
        Locator::Css("[data-testid='dashboard-status']"),
        &format!("{from} ～ {to}"),
    )
    .await;
    let api = api_dashboard(&http, &base, &token, &from, &to).await;
    check_figures(&app, &api).await;
    let root = app.find(Locator::Css("[data-testid='dashboard']")).await;
    println!(
        "dashboard render again (前年度): {:?} ms, the app's drawing {:?} ms",
        root.attr("data-render-ms").await.unwrap(),
        root.attr("data-draw-ms").await.unwrap()
    );
    // 今年度 again: the same figures as at first, drawn warm.
    app.click("[data-testid='dashboard-preset-thisYear']").await;
    let (from_now, to_now) = fiscal_year(today, 0);
    app.wait_text(
        Locator::Css("[data-testid='dashboard-status']"),
        &format!("{from_now} ～ {to_now}"),
    )
    .await;
    let root = app.find(Locator::Css("[data-testid='dashboard']")).await;
    println!(
        "dashboard render again (今年度): {:?} ms, the app's drawing {:?} ms",
        root.attr("data-render-ms").await.unwrap(),
        root.attr("data-draw-ms").await.unwrap()
    );
    app.click("[data-testid='dashboard-preset-lastYear']").await;
    app.wait_text(
        Locator::Css("[data-testid='dashboard-status']"),
        &format!("{from} ～ {to}"),
    )
    .await;
    // A chart as a table.
    app.click("[data-testid='dashboard-months-toggle']").await;
    app.find(Locator::Css("[data-testid='dashboard-months-table']"))
        .await;
    app.screenshot("dashboard-last-year").await;

    // CSV: UTF-8 with BOM, CRLF, the header, one row per step and 合計; 時間/年 as on screen.
    app.click("[data-testid='dashboard-export-csv']").await;
    let csv_path = exported_path(&app, "CSV").await;
    let bytes = std::fs::read(&csv_path).unwrap();
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "BOM");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.trim_end_matches("\r\n").split("\r\n").collect();
    assert_eq!(lines[0], kyosai_app_csv_header());
    let rows = api["flowTable"].as_array().unwrap();
    assert_eq!(lines.len(), rows.len() + 2, "header, rows, 合計");
    let mut total = 0.0;
    for (line, row) in lines[1..=rows.len()].iter().zip(rows) {
        let cells: Vec<&str> = line.split(',').collect();
        let hours = row["hoursPerYear"].as_f64().unwrap();
        total += hours;
        assert_eq!(cells[0], row["order"].as_u64().unwrap().to_string());
        assert_eq!(cells[7], format!("{:.1}", (hours * 10.0).round() / 10.0));
        // 時間/年 = 分/件 × 件/年 ÷ 60.
        let (min, n) = (
            row["minutesPerCase"].as_f64().unwrap(),
            row["casesPerYear"].as_f64().unwrap(),
        );
        assert!((min * n / 60.0 - hours).abs() < 1e-6, "{line}");
    }
    assert_eq!(
        *lines.last().unwrap(),
        format!(",合計,,,,,,{:.1}", (total * 10.0).round() / 10.0)
    );

    // PDF: the title, the period and the columns.
    app.click("[data-testid='dashboard-export-pdf']").await;
    let pdf_path = exported_path(&app, "PDF").await;
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", pdf_path.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let pdf = String::from_utf8_lossy(&out.stdout);
    assert!(pdf.contains("業務フロー（処理時間）"), "{pdf}");
    let from_d = NaiveDate::parse_from_str(&from, "%Y-%m-%d").unwrap();
    assert!(pdf.contains(&format!("{}年4月1日", from_d.year())), "{pdf}");
    assert!(pdf.contains("時間/年"));
    assert!(pdf.contains("合計"));
    app.screenshot("dashboard-exported").await;

    // Kept beside the screenshots, to be looked at (pdftoppm) and for a failed run.
    let artifacts = kyosai_e2e::workspace_root().join("tests/e2e/artifacts");
    let _ = std::fs::create_dir_all(&artifacts);
    let _ = std::fs::copy(&pdf_path, artifacts.join("dashboard-flow-table.pdf"));
    let _ = std::fs::copy(&csv_path, artifacts.join("dashboard-flow-table.csv"));
    for p in [&csv_path, &pdf_path] {
        let _ = std::fs::remove_file(p);
    }
    app.stop().await;
    server.stop().await;
}

/// The CSV's header as `kyosai_app::dashboard::CSV_HEADER` writes it.
fn kyosai_app_csv_header() -> &'static str {
    "処理順序,プロセス（業務説明）,工程,実施者,手段,処理時間（分/件）,処理件数（件/年）,処理時間（時間/年）"
}
