#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]
//! The AI-OCR correction queue in the real app, against the real central service (TLS on
//! 127.0.0.1): a clerk reads a scanned 資格取得届 (a PDF, as the office's scanner makes
//! it) with the local engine, then — keyboard only — accepts the values that are right,
//! corrects the ones that are not, and keys the handwritten 住所; a second clerk keys the
//! 住所 blind on her own PC; the equal entries complete the document, which becomes a
//! prefilled 資格取得届 draft whose editor shows where each value came from.
//!
//! The time from Enter to the next field shown is printed (the queue's benchmark,
//! `scripts/bench-ocr-queue`, reads it); it is reported, never asserted.

use std::collections::BTreeMap;

use fantoccini::key::Key;
use fantoccini::Locator;
use kyosai_central::testing::{TestBackend, TestServer};
use kyosai_e2e::{App, Workspace};
use kyosai_ocr::samples::{encode_scan_pdf, generate, Fonts, GroundTruth, SampleOptions};
use kyosai_ocr::template::builtin_by_id;
use kyosai_sync_protocol::Role;

const OFFICE: &str = "1203";
const TEMPLATE: &str = "shikaku-shutoku-todoke";

/// The value a clerk reads on the paper for each field id.
fn paper(truth: &GroundTruth) -> BTreeMap<String, (String, String)> {
    let template = builtin_by_id(TEMPLATE).unwrap();
    template
        .fields
        .iter()
        .map(|f| {
            let t = &truth.fields[&f.id];
            // Check boxes are chosen by their option's value; text is typed as printed.
            let typed = if f.kind.is_mark() {
                t.value.clone()
            } else {
                t.printed.clone()
            };
            (f.id.clone(), (typed, t.value.clone()))
        })
        .collect()
}

/// Works through every field the clerk is asked about, keyboard only, until the screen
/// says the clerk's part is done. Returns (accepted as read, typed) counts.
async fn work_through(app: &App, paper: &BTreeMap<String, (String, String)>) -> (usize, usize) {
    let template = builtin_by_id(TEMPLATE).unwrap();
    let (mut accepted, mut typed) = (0, 0);
    for _ in 0..40 {
        if app
            .client
            .find(Locator::Css("[data-testid='ocr-done']"))
            .await
            .is_ok()
        {
            return (accepted, typed);
        }
        let value = app.find(Locator::Css("[data-testid='ocr-value']")).await;
        let Some(field) = value.attr("data-field").await.unwrap() else {
            panic!("the value box names its field");
        };
        let (text, _) = &paper[&field];
        let task = value.attr("data-task").await.unwrap().unwrap_or_default();
        let focused = app.focused().await;
        assert_eq!(
            focused.attr("data-testid").await.unwrap().as_deref(),
            Some("ocr-value"),
            "focus is in the value box"
        );
        if value.attr("role").await.unwrap().as_deref() == Some("radiogroup") {
            // Check boxes: the digit of the option ticked on paper, then Enter.
            let current = value.attr("data-value").await.unwrap().unwrap_or_default();
            if current != *text {
                let spec = template.field(&field).unwrap();
                let i = spec.options.iter().position(|o| o.value == *text).unwrap();
                app.keys(&(i + 1).to_string()).await.unwrap();
                typed += 1;
            } else {
                accepted += 1;
            }
            app.keys(&Key::Enter.to_string()).await.unwrap();
        } else {
            let shown = value.prop("value").await.unwrap().unwrap_or_default();
            if task == "review" && shown == *text {
                // Right as read: Enter accepts it.
                app.keys(&Key::Enter.to_string()).await.unwrap();
                accepted += 1;
            } else {
                // Typing starts the edit (the reading is selected, so it is replaced);
                // Enter confirms.
                app.keys(text).await.unwrap();
                app.keys(&Key::Enter.to_string()).await.unwrap();
                typed += 1;
            }
        }
        // The next field (or the done notice) is shown before the next key.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let now_field = match app
                .client
                .find(Locator::Css("[data-testid='ocr-value']"))
                .await
            {
                Ok(e) => e.attr("data-field").await.ok().flatten(),
                Err(_) => None,
            };
            let done = app
                .client
                .find(Locator::Css("[data-testid='ocr-done']"))
                .await
                .is_ok();
            if done || now_field.as_deref() != Some(field.as_str()) {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{field}: Enter did not move on"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
    panic!("the clerk's fields never ended")
}

/// The Enter→next-field times the screen measured, in ms.
async fn timings(app: &App) -> Vec<f64> {
    let e = app
        .client
        .find(Locator::Css("[data-testid='ocr-timings']"))
        .await
        .unwrap();
    let json = e.attr("data-timings").await.unwrap().unwrap_or_default();
    serde_json::from_str(&json).unwrap_or_default()
}

/// The central service with 新宿区役所 and its clerks `(id, name, password)`.
async fn office_with(clerks: &[(&str, &str, &str)]) -> TestServer {
    let server = TestServer::start(TestBackend::Sqlite).await;
    server.add_office(OFFICE, "新宿区役所").await;
    for (id, name, password) in clerks {
        server
            .add_user(id, name, &[Role::OfficeClerk], Some(OFFICE), password)
            .await;
    }
    server
}

/// The first `n` generated 資格取得届 of seed 2026 (the first: the フリガナ reads badly, the
/// 住所 is handwritten).
fn forms(n: usize) -> Vec<kyosai_ocr::samples::SampleDocument> {
    let fonts = Fonts::system().unwrap();
    generate(
        &SampleOptions {
            seed: 2026,
            acquisitions: n,
            invoices: 0,
        },
        &fonts,
    )
    .unwrap()
}

/// On 「AI-OCR確認」: picks the 資格取得届 template and the scan file, and reads it.
async fn read_scan_in_app(app: &App, path: &std::path::Path) {
    app.open("ocr").await;
    app.click(&format!(
        "[data-testid='ocr-import-template'] option[value='{TEMPLATE}']"
    ))
    .await;
    app.find(Locator::Css("[data-testid='ocr-import-file']"))
        .await
        .send_keys(path.to_str().unwrap())
        .await
        .unwrap();
    app.click("[data-testid='ocr-import-run']").await;
}

#[tokio::test]
async fn a_clerk_corrects_a_scanned_form_keyboard_only_and_the_draft_appears_with_provenance() {
    let server = office_with(&[
        ("tanto", "佐藤 花子", "pass-tanto-1"),
        ("tanto2", "木村 由美", "pass-tanto-2"),
    ])
    .await;
    // The scan: the first generated form, as a PDF of its scanned JPEG page.
    let ws = Workspace::new();
    let samples = forms(1);
    let sample = &samples[0];
    let pdf = encode_scan_pdf(&sample.jpeg_pages).unwrap();
    let path = ws.path().join("scan-0001.pdf");
    std::fs::write(&path, pdf).unwrap();
    let paper = paper(&sample.truth);

    let policy = kyosai_e2e::central_policy(&ws, &server.base_url, server.ca_pem_path());
    let env = [("KYOSAI_POLICY", policy.to_str().unwrap())];
    let a = App::start_with(&ws, "ocr-tanto", &env).await;
    a.sign_in("tanto", "pass-tanto-1").await;
    read_scan_in_app(&a, &path).await;
    let result = a
        .wait_text(Locator::Css("[data-testid='ocr-import-result']"), "1件")
        .await;
    assert!(result.contains("確認が必要"), "{result}");
    a.wait_text(Locator::Css("[data-testid='ocr-queue']"), "scan-0001.pdf")
        .await;
    a.screenshot("ocr-queue").await;

    // 「確認を始める」 from the keyboard: focus the button, Enter.
    a.find(Locator::Css("[data-testid='ocr-start']"))
        .await
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap();
    a.find(Locator::Css("[data-testid='ocr-doc']")).await;
    a.find(Locator::Css("[data-testid='ocr-crop']")).await;
    a.find(Locator::Css("[data-testid='ocr-box']")).await;
    a.wait_text(Locator::Css("[data-testid='ocr-progress']"), "項目")
        .await;
    a.screenshot("ocr-correct").await;
    let (accepted, typed) = work_through(&a, &paper).await;
    assert!(
        typed >= 2,
        "the フリガナ and the 住所 are typed ({accepted} accepted, {typed} typed)"
    );
    a.wait_text(
        Locator::Css("[data-testid='ocr-done']"),
        "他の担当者の入力待ち",
    )
    .await;
    let times = timings(&a).await;
    if !times.is_empty() {
        let mut sorted = times.clone();
        sorted.sort_by(f64::total_cmp);
        println!(
            "OCR queue: Enter → next field shown: median {:.1} ms, max {:.1} ms ({} fields)",
            sorted[sorted.len() / 2],
            sorted[sorted.len() - 1],
            sorted.len()
        );
    }
    // Leaving the document gives the lease back; the values go to the server.
    a.open("home").await;
    a.sync_until("[data-testid='status-pending']", "未送信 0 件")
        .await;
    a.stop().await;

    // The second clerk keys the 住所 blind on her PC.
    let b = App::start_with(&ws, "ocr-tanto2", &env).await;
    b.sign_in("tanto2", "pass-tanto-2").await;
    b.open("ocr").await;
    b.sync_until("[data-testid='ocr-queue']", "scan-0001.pdf")
        .await;
    b.find(Locator::Css("[data-testid='ocr-start']"))
        .await
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap();
    let value = b.find(Locator::Css("[data-testid='ocr-value']")).await;
    assert_eq!(
        value.attr("data-field").await.unwrap().as_deref(),
        Some("member.address")
    );
    // Blind: nothing to accept, nobody's value shown.
    assert_eq!(value.prop("value").await.unwrap().as_deref(), Some(""));
    b.screenshot("ocr-blind").await;
    let (_, typed_b) = work_through(&b, &paper).await;
    assert_eq!(typed_b, 1);
    b.wait_text(
        Locator::Css("[data-testid='ocr-done']"),
        "資格取得届の下書きを作成しました",
    )
    .await;
    b.screenshot("ocr-handed-off").await;

    // The draft, prefilled, with where each value came from.
    b.click("[data-testid='ocr-open-draft']").await;
    // Her only 資格取得届: the draft the document became.
    b.click_row("[data-testid='acq-row']", None, "下書き").await;
    let prov = b
        .wait_text(
            Locator::Css("[data-testid='acq-provenance']"),
            "2人入力一致",
        )
        .await;
    assert!(prov.contains("佐藤 花子・木村 由美"), "{prov}");
    assert!(prov.contains("修正"), "{prov}");
    assert!(prov.contains("scan-0001.pdf"), "{prov}");
    let name = &sample.truth.fields["member.name"].value;
    assert!(prov.contains(name.as_str()), "{prov}");
    let panel = b.find(Locator::Css("[data-testid='acq-provenance']")).await;
    let _ = b
        .client
        .execute(
            "arguments[0].scrollIntoView({block: 'start'});",
            vec![serde_json::to_value(&panel).unwrap()],
        )
        .await;
    b.screenshot("ocr-draft-provenance").await;

    // 集計: both clerks' work counted.
    b.open("ocr").await;
    b.click("[data-testid='ocr-tab-metrics']").await;
    let ops = b
        .wait_text(Locator::Css("[data-testid='ocr-metrics']"), "木村 由美")
        .await;
    assert!(ops.contains("佐藤 花子"), "{ops}");
    b.screenshot("ocr-metrics").await;
    b.stop().await;
    server.stop().await;
}

/// The queue's benchmark (`scripts/bench-ocr-queue`): six scanned 資格取得届 in one
/// multi-page TIFF; one clerk works through every field asked of her, document after
/// document (the next one preloaded), keyboard only. Prints the Enter → next field times
/// the screen measured (target: under 50 ms). Ignored in the test suite: a benchmark
/// reports, it does not pass or fail.
#[tokio::test]
#[ignore = "benchmark: scripts/bench-ocr-queue"]
async fn bench_enter_to_next_field() {
    let server = office_with(&[("tanto", "佐藤 花子", "pass-tanto-1")]).await;
    let ws = Workspace::new();
    let samples = forms(6);
    let pages: Vec<image::GrayImage> = samples
        .iter()
        .map(|s| {
            kyosai_ocr::input::load_pages(&s.jpeg_pages[0])
                .unwrap()
                .remove(0)
        })
        .collect();
    let tiff = kyosai_ocr::samples::encode_multipage_tiff(&pages).unwrap();
    let path = ws.path().join("batch.tif");
    std::fs::write(&path, tiff).unwrap();
    let mut papers: BTreeMap<String, BTreeMap<String, (String, String)>> = BTreeMap::new();
    for (i, s) in samples.iter().enumerate() {
        papers.insert(format!("{}", i + 1), paper(&s.truth));
    }

    let policy = kyosai_e2e::central_policy(&ws, &server.base_url, server.ca_pem_path());
    let env = [("KYOSAI_POLICY", policy.to_str().unwrap())];
    let a = App::start_with(&ws, "ocr-bench", &env).await;
    a.sign_in("tanto", "pass-tanto-1").await;
    read_scan_in_app(&a, &path).await;
    // Six pages take a while in the debug build the tests drive.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    loop {
        let text = match a
            .client
            .find(Locator::Css("[data-testid='ocr-import-result']"))
            .await
        {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if text.contains("6件") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the batch was not read: {text}"
        );
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
    a.find(Locator::Css("[data-testid='ocr-start']"))
        .await
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap();
    let mut t = Vec::new();
    for _ in 0..6 {
        // The document's label ends in -N: the N-th form of the batch (read again when
        // the screen was redrawn under the query).
        let mut label = String::new();
        for _ in 0..50 {
            let doc = a.find(Locator::Css("[data-testid='ocr-doc']")).await;
            if let Ok(Some(l)) = doc.attr("data-label").await {
                label = l;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let n = label.rsplit('-').next().unwrap_or("1").to_owned();
        work_through(&a, &papers[&n]).await;
        // The screen keeps the times across documents; read them before leaving it.
        t = timings(&a).await;
        let next = a.find(Locator::Css("[data-testid='ocr-next']")).await;
        if !next.text().await.unwrap_or_default().contains("次の帳票") {
            break;
        }
        a.keys(&Key::Enter.to_string()).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    assert!(!t.is_empty(), "the screen measured nothing");
    t.sort_by(f64::total_cmp);
    let pct = |p: f64| t[((t.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "OCR queue benchmark: Enter → next field shown over {} fields: median {:.1} ms, 95th percentile {:.1} ms, max {:.1} ms (target < 50 ms)",
        t.len(),
        pct(0.5),
        pct(0.95),
        t[t.len() - 1]
    );
    a.stop().await;
    server.stop().await;
}
