#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! `kyosai ocr import` as a scanning station runs it: the built binary, the password in
//! the environment, the real central service over TLS on 127.0.0.1, generated scans of a
//! filled 資格取得届 (a PDF and a JPEG), read by Tesseract. What reached the server is
//! checked through a colleague's PC (a second clerk's sign-in and pull) and the server's
//! own storage; the temporary store must be gone after every run.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use kyosai_central::testing::{TestBackend, TestServer};
use kyosai_ocr::queue::{QueueDocument, DOCUMENT_KIND, SCAN_KIND};
use kyosai_ocr::samples::{encode_scan_pdf, generate, Fonts, SampleOptions};
use kyosai_store::Store;
use kyosai_sync_client::{
    sync_once, Api, Auth, ClientConfig, EngineOptions, MemorySecretStore, SharedStore,
};
use kyosai_sync_protocol::Role;
use uuid::Uuid;

const PASSWORD: &str = "kyosai-test-pass";
const TEMPLATE: &str = "shikaku-shutoku-todoke";

/// A server with 新宿区役所 (1203), its clerks 佐藤 花子 (`tanto1203`) and 木村 由美
/// (`tanto1203b`).
async fn server() -> TestServer {
    let server = TestServer::start(TestBackend::Sqlite).await;
    server.add_office("1203", "新宿区役所").await;
    for (id, name) in [("tanto1203", "佐藤 花子"), ("tanto1203b", "木村 由美")] {
        server
            .add_user(id, name, &[Role::OfficeClerk], Some("1203"), PASSWORD)
            .await;
    }
    server
}

struct Run {
    code: i32,
    json: serde_json::Value,
    stderr: String,
}

/// Runs `kyosai ocr import` against `server` with `password` in the environment and
/// `tmp` as its temporary folder.
async fn import(
    server: &TestServer,
    user: &str,
    password: Option<&str>,
    tmp: &Path,
    files: &[PathBuf],
) -> Run {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_kyosai"));
    cmd.args(["ocr", "import", "--server", &server.base_url, "--ca"])
        .arg(server.ca_pem_path())
        .args(["--user", user, "--template", TEMPLATE])
        .args(files)
        .env("TMPDIR", tmp)
        .env_remove("KYOSAI_PASSWORD");
    if let Some(p) = password {
        cmd.env("KYOSAI_PASSWORD", p);
    }
    let out = cmd.output().await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = if out.stdout.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}); stderr: {stderr}"))
    };
    Run {
        code: out.status.code().unwrap(),
        json,
        stderr,
    }
}

/// Nothing left in the run's temporary folder.
fn assert_nothing_left(tmp: &Path) {
    let left: Vec<_> = std::fs::read_dir(tmp)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(left.is_empty(), "left on disk: {left:?}");
}

/// Two scans of filled 資格取得届: `scan-0001.pdf` (one form, as a scanner's "scan to
/// PDF" writes it) and `acq-002.jpg`.
fn scans(dir: &Path) -> Vec<PathBuf> {
    let fonts = Fonts::system().unwrap();
    let docs = generate(
        &SampleOptions {
            seed: 2026,
            acquisitions: 2,
            invoices: 0,
        },
        &fonts,
    )
    .unwrap();
    let pdf = dir.join("scan-0001.pdf");
    std::fs::write(&pdf, encode_scan_pdf(&docs[0].jpeg_pages).unwrap()).unwrap();
    let jpg = dir.join("acq-002.jpg");
    std::fs::write(&jpg, &docs[1].jpeg_pages[0]).unwrap();
    vec![pdf, jpg]
}

/// A colleague's PC: signs in as `user` and pulls what the office has.
async fn colleague_sees(server: &TestServer, user: &str) -> (Vec<QueueDocument>, usize) {
    let dir = tempfile::tempdir().unwrap();
    let store: SharedStore = Arc::new(Mutex::new(
        Store::open(&dir.path().join("kyosai.sqlite3")).unwrap(),
    ));
    let mut config = ClientConfig::new(server.base_url.clone(), "0.1.0");
    config.root_ca_pem_path = Some(server.ca_pem_path().to_path_buf());
    let auth = Auth::new(
        Api::new(config).unwrap(),
        Arc::new(MemorySecretStore::new()),
        "default",
        format!("PC-{user}"),
    );
    auth.sign_in(&store, user, PASSWORD).await.unwrap();
    sync_once(&store, &auth, &EngineOptions::default())
        .await
        .unwrap();
    let mut s = store.lock().unwrap();
    let docs = s
        .sync()
        .list_records(DOCUMENT_KIND)
        .unwrap()
        .into_iter()
        .map(|r| serde_json::from_value(r.body).unwrap())
        .collect();
    let scans = s.sync().list_records(SCAN_KIND).unwrap().len();
    (docs, scans)
}

#[tokio::test]
async fn a_pdf_and_a_jpeg_reach_the_offices_queue_and_nothing_stays_on_the_station() {
    let server = server().await;
    let work = tempfile::tempdir().unwrap();
    let files = scans(work.path());
    let tmp = tempfile::tempdir().unwrap();

    let run = import(&server, "tanto1203", Some(PASSWORD), tmp.path(), &files).await;
    assert_eq!(run.code, 0, "{}\n{}", run.json, run.stderr);
    assert_nothing_left(tmp.path());

    // The summary, per file and in total, for the person at the scanner and in the JSON.
    let j = &run.json;
    assert_eq!(j["user"], "tanto1203");
    assert_eq!(j["office"], "1203");
    assert_eq!(j["officeName"], "新宿区役所");
    assert_eq!(j["template"], TEMPLATE);
    let per_file = j["files"].as_array().unwrap();
    assert_eq!(per_file.len(), 2);
    assert_eq!(per_file[0]["file"], "scan-0001.pdf");
    assert_eq!(per_file[1]["file"], "acq-002.jpg");
    let template = kyosai_ocr::template::builtin_by_id(TEMPLATE).unwrap();
    let n = template.fields.len() as u64;
    for f in per_file {
        assert_eq!(f["documents"], 1, "{f}");
        assert_eq!(f["fields"].as_u64(), Some(n), "{f}");
        let to_people = f["toPeople"].as_u64().unwrap();
        assert!(to_people >= 1, "the handwritten 住所 always goes to people");
        assert_eq!(f["autoAccepted"].as_u64().unwrap() + to_people, n);
        let line = format!(
            "{}: 1件（確認が必要な項目 {to_people} / 全 {n} 項目）",
            f["file"].as_str().unwrap()
        );
        assert!(run.stderr.contains(&line), "{line} in {}", run.stderr);
    }
    assert_eq!(j["total"]["files"], 2);
    assert_eq!(j["total"]["documents"], 2);
    assert_eq!(j["total"]["fields"].as_u64(), Some(2 * n));
    let to_people: u64 = per_file
        .iter()
        .map(|f| f["toPeople"].as_u64().unwrap())
        .sum();
    assert!(
        run.stderr.contains(&format!(
            "合計: 2ファイル 2件（確認が必要な項目 {to_people} / 全 {} 項目）を新宿区役所の受付に送りました。",
            2 * n
        )),
        "{}",
        run.stderr
    );

    // The server holds both documents and their images, in 新宿区役所.
    let mut ids = Vec::new();
    for f in per_file {
        let id: Uuid = f["ids"][0].as_str().unwrap().parse().unwrap();
        ids.push(id);
        let doc = server.record(id).await.expect("document on the server");
        assert_eq!(doc.kind, DOCUMENT_KIND);
        assert_eq!(doc.office_code, "1203");
        assert_eq!(doc.created_by, "tanto1203");
        let body: QueueDocument = serde_json::from_value(doc.body).unwrap();
        assert_eq!(body.source_name, f["file"].as_str().unwrap());
        assert_eq!(body.imported_by.name, "佐藤 花子");
        assert_eq!(body.result.template_id, TEMPLATE);
        let scan = server
            .record(body.scan_id.parse().unwrap())
            .await
            .expect("scan on the server");
        assert_eq!(scan.kind, SCAN_KIND);
        assert_eq!(scan.office_code, "1203");
    }

    // The second clerk's PC finds them in the queue, with the images.
    let (docs, scan_count) = colleague_sees(&server, "tanto1203b").await;
    assert_eq!(docs.len(), 2);
    assert_eq!(scan_count, 2);
    let mut sources: Vec<&str> = docs.iter().map(|d| d.source_name.as_str()).collect();
    sources.sort_unstable();
    assert_eq!(sources, ["acq-002.jpg", "scan-0001.pdf"]);
    for d in &docs {
        // The label as the app's import makes it: JST time, then the file's stem.
        let stem = d.source_name.rsplit_once('.').unwrap().0;
        assert!(
            d.result.document_id.ends_with(&format!("-{stem}")),
            "{}",
            d.result.document_id
        );
    }
}

#[tokio::test]
async fn a_file_that_is_not_a_scan_stops_the_run_before_anything_is_sent() {
    let server = server().await;
    let work = tempfile::tempdir().unwrap();
    let jpg = scans(work.path()).remove(1);
    let notes = work.path().join("メモ.txt");
    std::fs::write(&notes, "スキャンではないファイル\n").unwrap();
    let tmp = tempfile::tempdir().unwrap();

    // The good file comes first: it is read, but not sent, because the second fails.
    let run = import(
        &server,
        "tanto1203",
        Some(PASSWORD),
        tmp.path(),
        &[jpg, notes],
    )
    .await;
    assert_eq!(run.code, 1, "{}\n{}", run.json, run.stderr);
    assert_eq!(run.json["error"]["code"], "ocr.read_failed", "{}", run.json);
    assert_eq!(run.json["file"], "メモ.txt");
    let message = run.json["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("帳票を読み取れませんでした。"),
        "{message}"
    );
    assert!(
        run.stderr.contains("取り込めませんでした（メモ.txt）"),
        "{}",
        run.stderr
    );
    assert_nothing_left(tmp.path());
    let (docs, scan_count) = colleague_sees(&server, "tanto1203b").await;
    assert_eq!((docs.len(), scan_count), (0, 0), "nothing was sent");
}

#[tokio::test]
async fn a_wrong_password_is_refused_in_japanese_and_nothing_is_read_or_sent() {
    let server = server().await;
    let work = tempfile::tempdir().unwrap();
    let jpg = scans(work.path()).remove(1);
    let tmp = tempfile::tempdir().unwrap();

    let run = import(&server, "tanto1203", Some("wrong-pass"), tmp.path(), &[jpg]).await;
    assert_eq!(run.code, 1, "{}\n{}", run.json, run.stderr);
    assert_eq!(run.json["error"]["code"], "auth.invalid_credentials");
    let message = run.json["error"]["message"].as_str().unwrap();
    assert!(message.contains("パスワード"), "{message}");
    assert!(run.stderr.contains(message), "{}", run.stderr);
    // Signed in first, so a wrong password costs no reading time.
    assert!(!run.stderr.contains("読み取っています"), "{}", run.stderr);
    assert_nothing_left(tmp.path());
    let (docs, _) = colleague_sees(&server, "tanto1203b").await;
    assert!(docs.is_empty());
}

#[tokio::test]
async fn without_the_password_variable_the_command_is_refused_with_exit_2() {
    let server = server().await;
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("scan.jpg");
    std::fs::write(&file, b"not read").unwrap();
    let tmp = tempfile::tempdir().unwrap();

    for password in [None, Some("")] {
        let run = import(
            &server,
            "tanto1203",
            password,
            tmp.path(),
            std::slice::from_ref(&file),
        )
        .await;
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert_eq!(run.json, serde_json::Value::Null, "nothing on stdout");
        assert!(
            run.stderr.contains("環境変数 KYOSAI_PASSWORD"),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("引数には書かないで"), "{}", run.stderr);
    }
    // No --password option exists to put it in the process list by mistake.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kyosai"))
        .args([
            "ocr",
            "import",
            "--server",
            &server.base_url,
            "--user",
            "tanto1203",
        ])
        .args(["--password", PASSWORD])
        .arg(&file)
        .env("TMPDIR", tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_nothing_left(tmp.path());
}

#[tokio::test]
async fn usage_errors_exit_2_before_signing_in() {
    let server = server().await;
    let work = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let missing = work.path().join("ない.pdf");
    let run = import(&server, "tanto1203", Some(PASSWORD), tmp.path(), &[missing]).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("ない.pdf を読み取れません"),
        "{}",
        run.stderr
    );

    let file = work.path().join("scan.jpg");
    std::fs::write(&file, b"x").unwrap();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_kyosai"))
        .args(["ocr", "import", "--server", &server.base_url, "--ca"])
        .arg(server.ca_pem_path())
        .args(["--user", "tanto1203", "--template", "kyuyo-meisai"])
        .arg(&file)
        .env("KYOSAI_PASSWORD", PASSWORD)
        .env("TMPDIR", tmp.path())
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("帳票の様式「kyuyo-meisai」はありません"),
        "{stderr}"
    );
    assert!(stderr.contains("shikaku-shutoku-todoke"), "{stderr}");
    assert_nothing_left(tmp.path());
}

#[tokio::test]
async fn a_user_without_an_office_is_refused() {
    let server = server().await;
    server
        .add_user("itadmin", "鈴木 一郎", &[Role::ItAdmin], None, PASSWORD)
        .await;
    let work = tempfile::tempdir().unwrap();
    let jpg = scans(work.path()).remove(1);
    let tmp = tempfile::tempdir().unwrap();

    let run = import(&server, "itadmin", Some(PASSWORD), tmp.path(), &[jpg]).await;
    assert_eq!(run.code, 1, "{}\n{}", run.json, run.stderr);
    assert_eq!(run.json["error"]["code"], "ocr.office_required");
    let message = run.json["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("鈴木 一郎さんは所属所に属していません"),
        "{message}"
    );
    assert_nothing_left(tmp.path());
}

#[tokio::test]
async fn a_refusal_by_the_server_exits_1_with_its_message() {
    let server = server().await;
    // An approver of 新宿区役所: signs in, has an office, but may not create records.
    server
        .add_user(
            "kessai1203",
            "高橋 健",
            &[Role::Approver],
            Some("1203"),
            PASSWORD,
        )
        .await;
    let work = tempfile::tempdir().unwrap();
    let jpg = scans(work.path()).remove(1);
    let tmp = tempfile::tempdir().unwrap();

    let run = import(&server, "kessai1203", Some(PASSWORD), tmp.path(), &[jpg]).await;
    assert_eq!(run.code, 1, "{}\n{}", run.json, run.stderr);
    assert_eq!(
        run.json["error"]["code"], "sync.not_permitted",
        "{}",
        run.json
    );
    assert_eq!(run.json["delivered"], 0);
    let message = run.json["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with(
            "サーバーが 2 件の記録を受け付けませんでした（受付には1件も入っていません）。理由: "
        ),
        "{message}"
    );
    assert_nothing_left(tmp.path());
    let (docs, scan_count) = colleague_sees(&server, "tanto1203b").await;
    assert_eq!((docs.len(), scan_count), (0, 0));
}

#[tokio::test]
async fn an_unreachable_server_exits_1_and_the_message_does_not_promise_a_later_send() {
    let server = server().await;
    let ca = server.dir().join("ca-copy.pem");
    std::fs::copy(server.ca_pem_path(), &ca).unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("scan.jpg");
    std::fs::write(&file, b"x").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_kyosai"))
        .args([
            "ocr",
            "import",
            "--server",
            &format!("https://127.0.0.1:{port}"),
        ])
        .arg("--ca")
        .arg(&ca)
        .args(["--user", "tanto1203"])
        .arg(&file)
        .env("KYOSAI_PASSWORD", PASSWORD)
        .env("TMPDIR", tmp.path())
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["error"]["code"], "sync.offline", "{j}");
    let message = j["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("中央サービスに接続できません"),
        "{message}"
    );
    assert!(!message.contains("自動で送信"), "{message}");
    assert_nothing_left(tmp.path());
}

/// `kyosai ocr import --vendor RESULTS SCAN`.
async fn import_vendor(server: &TestServer, tmp: &Path, vendor: &Path, files: &[PathBuf]) -> Run {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_kyosai"))
        .args(["ocr", "import", "--server", &server.base_url, "--ca"])
        .arg(server.ca_pem_path())
        .args(["--user", "tanto1203", "--template", TEMPLATE, "--vendor"])
        .arg(vendor)
        .args(files)
        .env("KYOSAI_PASSWORD", PASSWORD)
        .env("TMPDIR", tmp)
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = if out.stdout.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&out.stdout).unwrap()
    };
    Run {
        code: out.status.code().unwrap(),
        json,
        stderr,
    }
}

#[tokio::test]
async fn a_vendors_results_for_a_two_form_pdf_reach_the_queue_without_reading_here() {
    let server = server().await;
    let work = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let fonts = Fonts::system().unwrap();
    let docs = generate(
        &SampleOptions {
            seed: 3033,
            acquisitions: 2,
            invoices: 0,
        },
        &fonts,
    )
    .unwrap();
    // One PDF with both forms, as a scanner's batch writes it.
    let pages: Vec<Vec<u8>> = docs.iter().flat_map(|d| d.jpeg_pages.clone()).collect();
    let pdf = work.path().join("batch-07.pdf");
    std::fs::write(&pdf, encode_scan_pdf(&pages).unwrap()).unwrap();
    // The service's CSV (Japanese headers, Shift_JIS is also allowed; UTF-8 here).
    let template = kyosai_ocr::template::builtin_by_id(TEMPLATE).unwrap();
    let mut csv = String::from("帳票ID,ページ,項目,読取値,確信度(%)\n");
    for (i, d) in docs.iter().enumerate() {
        for spec in &template.fields {
            let t = &d.truth.fields[&spec.id];
            let v = if spec.kind.is_mark() {
                &t.value
            } else {
                &t.printed
            };
            csv.push_str(&format!(
                "V-{i},1,{},\"{}\",98\n",
                spec.id,
                v.replace('"', "\"\"")
            ));
        }
    }
    let vendor = work.path().join("dx-suite-07.csv");
    std::fs::write(&vendor, csv).unwrap();

    let run = import_vendor(&server, tmp.path(), &vendor, std::slice::from_ref(&pdf)).await;
    assert_eq!(run.code, 0, "{}\n{}", run.json, run.stderr);
    assert_nothing_left(tmp.path());
    assert_eq!(run.json["total"]["documents"], 2, "{}", run.json);

    // The colleague's queue holds both, with the vendor's readings as provenance.
    let (queued, scans) = colleague_sees(&server, "tanto1203b").await;
    assert_eq!(queued.len(), 2);
    assert_eq!(scans, 2);
    for d in &queued {
        assert_eq!(d.source_name, "batch-07.pdf");
        assert!(d
            .result
            .fields
            .iter()
            .filter(|f| !f.readings.is_empty())
            .all(|f| f
                .readings
                .iter()
                .all(|r| r.engine.name == "vendor" && r.engine.version == "dx-suite-07.csv")));
        assert_eq!(
            d.result
                .fields
                .iter()
                .filter(|f| f.readings.is_empty())
                .count(),
            0
        );
    }

    // --vendor with two scan files is a usage error, before signing in.
    let jpg = work.path().join("other.jpg");
    std::fs::write(&jpg, &docs[0].jpeg_pages[0]).unwrap();
    let run = import_vendor(&server, tmp.path(), &vendor, &[pdf, jpg]).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("--vendor を使うときは"),
        "{}",
        run.stderr
    );
    assert_nothing_left(tmp.path());
}
