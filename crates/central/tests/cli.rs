//! The `kyosai-central` binary as IT uses it (SQLite; the commands are the same on
//! PostgreSQL).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_kyosai-central");

fn run(config: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(BIN)
        .arg("--config")
        .arg(config)
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "status {:?}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn failed(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn write_config(dir: &Path, port: u16) -> std::path::PathBuf {
    let path = dir.join("central.toml");
    std::fs::write(
        &path,
        format!(
            "listen = \"127.0.0.1:{port}\"\nstorage = \"sqlite:data/central.db\"\n\n[tls]\ncert = \"certs/server.pem\"\nkey = \"certs/server.key\"\n\n[auth.argon2]\nmemory_kib = 8\niterations = 1\nparallelism = 1\n"
        ),
    )
    .unwrap();
    path
}

#[test]
fn it_sets_up_offices_users_and_devices_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), free_port());
    let certs = dir.path().join("certs");
    let out = Command::new(BIN)
        .args(["dev-cert", "--out"])
        .arg(&certs)
        .args(["--host", "127.0.0.1", "--host", "localhost"])
        .output()
        .unwrap();
    ok(&out);
    for f in ["ca.pem", "server.pem", "server.key"] {
        assert!(certs.join(f).exists(), "{f}");
    }

    ok(&run(&config, &["init"], None));
    ok(&run(
        &config,
        &["office", "add", "--code", "1203", "--name", "新宿区役所"],
        None,
    ));
    assert!(ok(&run(&config, &["office", "list"], None)).contains("1203\t新宿区役所"));

    // The password comes from stdin, never from the command line.
    let out = run(
        &config,
        &[
            "user",
            "add",
            "--id",
            "tanto1203",
            "--name",
            "佐藤 花子",
            "--role",
            "office_clerk",
            "--office",
            "1203",
            "--password-stdin",
        ],
        Some("a-long-password\n"),
    );
    ok(&out);
    let list = ok(&run(&config, &["user", "list"], None));
    assert!(
        list.contains("tanto1203\t佐藤 花子\t所属所担当者\t1203\t利用中"),
        "{list}"
    );
    assert!(!list.contains("a-long-password"));

    // Refusals say what to do.
    let e = failed(&run(
        &config,
        &[
            "user",
            "add",
            "--id",
            "x",
            "--name",
            "x",
            "--role",
            "office_clerk",
            "--password-stdin",
        ],
        Some("a-long-password\n"),
    ));
    assert!(e.contains("--office"), "{e}");
    let e = failed(&run(
        &config,
        &[
            "user",
            "add",
            "--id",
            "tanto1203",
            "--name",
            "x",
            "--role",
            "approver",
            "--password-stdin",
        ],
        Some("a-long-password\n"),
    ));
    assert!(e.contains("既に登録"), "{e}");
    let e = failed(&run(
        &config,
        &[
            "user",
            "add",
            "--id",
            "y",
            "--name",
            "y",
            "--role",
            "approver",
            "--password-stdin",
        ],
        Some("short\n"),
    ));
    assert!(e.contains("8 文字以上"), "{e}");
    // Separation of duties: IT administers and holds no business role besides.
    let e = failed(&run(
        &config,
        &[
            "user",
            "add",
            "--id",
            "z",
            "--name",
            "z",
            "--role",
            "it_admin",
            "--role",
            "approver",
            "--password-stdin",
        ],
        Some("a-long-password\n"),
    ));
    assert!(e.contains("職務の分離"), "{e}");
    let e = failed(&run(&config, &["user", "unlock", "--id", "nobody"], None));
    assert!(e.contains("登録されていません"), "{e}");
    ok(&run(
        &config,
        &["user", "unlock", "--id", "tanto1203"],
        None,
    ));
    ok(&run(
        &config,
        &["user", "set-password", "--id", "tanto1203"],
        Some("another-password\n"),
    ));

    let out = ok(&run(&config, &["demo-data"], None));
    let _ = out;
    assert!(ok(&run(&config, &["user", "list"], None)).contains("shinsa"));
    assert!(ok(&run(&config, &["device", "list"], None)).starts_with("端末ID"));
    let e = failed(&run(
        &config,
        &[
            "device",
            "revoke",
            "--device",
            "00000000-0000-0000-0000-000000000001",
        ],
        None,
    ));
    assert!(e.contains("device list"), "{e}");
    let before = ok(&run(&config, &["epoch", "show"], None));
    ok(&run(&config, &["epoch", "rotate"], None));
    assert_ne!(before, ok(&run(&config, &["epoch", "show"], None)));

    // Disabling, enabling, roles.
    ok(&run(
        &config,
        &["user", "disable", "--id", "tanto1203"],
        None,
    ));
    let list = ok(&run(&config, &["user", "list"], None));
    assert!(
        list.contains("tanto1203\t佐藤 花子\t所属所担当者\t1203\t利用停止"),
        "{list}"
    );
    ok(&run(
        &config,
        &["user", "enable", "--id", "tanto1203"],
        None,
    ));
    ok(&run(
        &config,
        &[
            "user",
            "roles",
            "--id",
            "tanto1203",
            "--role",
            "office_head",
            "--office",
            "1203",
        ],
        None,
    ));
    let list = ok(&run(&config, &["user", "list"], None));
    assert!(
        list.contains("tanto1203\t佐藤 花子\t所属所長\t1203\t利用中"),
        "{list}"
    );
    let e = failed(&run(&config, &["user", "disable", "--id", "nobody"], None));
    assert!(e.contains("登録されていません"), "{e}");
    let e = failed(&run(
        &config,
        &[
            "user",
            "roles",
            "--id",
            "tanto1203",
            "--role",
            "it_admin",
            "--role",
            "office_clerk",
            "--office",
            "1203",
        ],
        None,
    ));
    assert!(e.contains("職務の分離"), "{e}");

    // Every administration command above is in the audit log, by the account that ran it.
    let head = ok(&run(&config, &["audit", "head"], None));
    let head = head.trim();
    assert_eq!(
        ok(&run(&config, &["audit", "verify", "--anchor", head], None)).trim(),
        head
    );
    let e = failed(&run(&config, &["audit", "verify", "--anchor", "12"], None));
    assert!(e.contains("SEQ:HASH"), "{e}");
    let file = dir.path().join("audit.jsonl");
    let exported = ok(&run(
        &config,
        &["audit", "export", file.to_str().unwrap()],
        None,
    ));
    let text = std::fs::read_to_string(&file).unwrap();
    let entries = kyosai_audit::read_jsonl(text.as_bytes()).unwrap();
    assert_eq!(exported.trim(), entries.last().unwrap().head().to_string());
    let anchor = kyosai_audit::Head::parse(head).unwrap();
    assert!(kyosai_audit::verify(&entries, Some(&anchor)).is_ok());
    let ops: Vec<(String, String)> = entries
        .iter()
        .filter(|e| e.actor.starts_with("cli:"))
        .map(|e| {
            (
                e.action.clone(),
                e.detail["op"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    for want in [
        ("config.change", "office"),
        ("user.admin", "add"),
        ("user.admin", "unlock"),
        ("user.admin", "set_password"),
        ("config.change", "epoch_rotate"),
        ("user.admin", "disable"),
        ("user.admin", "enable"),
        ("user.admin", "roles"),
        ("export.audit", ""),
    ] {
        assert!(
            ops.contains(&(want.0.to_string(), want.1.to_string())),
            "{want:?} not in {ops:?}"
        );
    }
    assert_eq!(entries.last().unwrap().action, "export.audit");
    for secret in ["a-long-password", "another-password"] {
        assert!(!text.contains(secret));
    }
}

#[test]
fn plain_http_is_refused_off_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("central.toml");
    std::fs::write(
        &config,
        "listen = \"0.0.0.0:18443\"\nstorage = \"sqlite:central.db\"\n[tls]\ninsecure_loopback_http = true\n",
    )
    .unwrap();
    let e = failed(&run(&config, &["serve"], None));
    assert!(e.contains("ループバック"), "{e}");
    let e = failed(&run(&dir.path().join("missing.toml"), &["serve"], None));
    assert!(e.contains("読めません"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_answers_over_https_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = write_config(dir.path(), port);
    let certs = dir.path().join("certs");
    ok(&Command::new(BIN)
        .args(["dev-cert", "--out"])
        .arg(&certs)
        .args(["--host", "127.0.0.1"])
        .output()
        .unwrap());
    let mut child = Command::new(BIN)
        .arg("--config")
        .arg(&config)
        .arg("serve")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let ca = reqwest::Certificate::from_pem(&std::fs::read(certs.join("ca.pem")).unwrap()).unwrap();
    let http = reqwest::Client::builder()
        .add_root_certificate(ca)
        .build()
        .unwrap();
    let url = format!("https://127.0.0.1:{port}/v1/hello");
    let started = Instant::now();
    let hello = loop {
        match http.get(&url).send().await {
            Ok(r) => break r.json::<kyosai_sync_protocol::Hello>().await.unwrap(),
            Err(e) if started.elapsed() < Duration::from_secs(20) => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => {
                let _ = child.kill();
                panic!("the server did not come up: {e}");
            }
        }
    };
    assert_eq!(hello.service, "kyosai-central");
    // (A client that keeps an idle connection open delays a graceful stop by up to 10 s.)
    drop(http);
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
