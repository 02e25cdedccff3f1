//! `kyosai-bench-dashboard`: how long `GET /analytics/v1/dashboard` takes over a generated
//! year of demo activity (`kyosai-central demo-year`), on the real central service (its
//! in-process test server, SQLite, loopback TLS, real HTTP client), and the computation
//! alone: reading the inputs from the database (`analytics::load`) and the figures
//! (`kyosai_domain::flow::dashboard`). Warm: the first requests are not counted.
//!
//! Target of issue #10: the dashboard renders in under one second, so the endpoint must be
//! well under that.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use clap::Parser;
use kyosai_central::demo::DEMO_PASSWORD;
use kyosai_central::demo_year;
use kyosai_central::testing::{TestBackend, TestServer};
use kyosai_sync_protocol::{
    DeviceInfo, LoginRequest, Session, HEADER_APP_VERSION, HEADER_PROTOCOL, PROTOCOL_VERSION,
};

#[derive(Debug, Parser)]
#[command(
    name = "kyosai-bench-dashboard",
    about = "見える化の計測（1年分のデモデータ）"
)]
struct Args {
    /// 最終日（YYYY-MM-DD）
    #[arg(long, default_value = "2026-10-31")]
    until: NaiveDate,
    /// 乱数の種
    #[arg(long, default_value_t = demo_year::DEFAULT_SEED)]
    seed: u64,
    /// 計測回数（ウォームアップ 2 回は別）
    #[arg(long, default_value_t = 9)]
    runs: usize,
    /// 結果の JSON を書き出すファイル
    #[arg(long)]
    json: Option<std::path::PathBuf>,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[derive(Debug, Clone, serde::Serialize)]
struct Figures {
    median_ms: f64,
    min_ms: f64,
    max_ms: f64,
}

fn figures(mut v: Vec<f64>) -> Figures {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = if n == 0 {
        0.0
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    Figures {
        median_ms: median,
        min_ms: v.first().copied().unwrap_or(0.0),
        max_ms: v.last().copied().unwrap_or(0.0),
    }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".to_string())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let from = demo_year::year_start(args.until);
    eprintln!("load average before: {}", load_average());
    let server = TestServer::start(TestBackend::Sqlite).await;
    let storage = server.storage();

    let t = Instant::now();
    let summary =
        demo_year::load(storage, &server.config().auth.argon2, args.until, args.seed).await?;
    let load_time = t.elapsed();
    let cases: usize = summary.cases_by_kind.values().sum();
    eprintln!(
        "year {from} .. {}: {cases} cases, {} records, {} work sessions loaded in {:.2} s",
        args.until,
        summary.records_added,
        summary.sessions_added,
        load_time.as_secs_f64()
    );

    let ca = reqwest::Certificate::from_pem(server.ca_pem.as_bytes())?;
    let http = reqwest::Client::builder()
        .add_root_certificate(ca)
        .timeout(Duration::from_secs(60))
        .build()?;
    let login = |user: &str| {
        http.post(format!("{}/auth/v1/login", server.base_url))
            .header(HEADER_PROTOCOL, PROTOCOL_VERSION.to_string())
            .header(HEADER_APP_VERSION, "0.1.0")
            .json(&LoginRequest {
                user_id: user.to_string(),
                password: DEMO_PASSWORD.to_string(),
                device: DeviceInfo {
                    device_id: uuid::Uuid::new_v4(),
                    name: "bench".to_string(),
                },
            })
            .send()
    };
    let mut results = serde_json::Map::new();
    for (user, label) in [("kessai", "all offices"), ("shocho1203", "office 1203")] {
        let session: Session = login(user).await?.error_for_status()?.json().await?;
        let url = format!(
            "{}/analytics/v1/dashboard?from={from}&to={}",
            server.base_url, args.until
        );
        let get = || {
            http.get(&url)
                .header(HEADER_PROTOCOL, PROTOCOL_VERSION.to_string())
                .header(HEADER_APP_VERSION, "0.1.0")
                .bearer_auth(&session.access_token)
                .send()
        };
        let mut bytes = 0;
        for _ in 0..2 {
            bytes = get().await?.error_for_status()?.bytes().await?.len();
        }
        let mut times = Vec::new();
        for _ in 0..args.runs {
            let t = Instant::now();
            let body = get().await?.error_for_status()?.bytes().await?;
            times.push(ms(t.elapsed()));
            bytes = body.len();
        }
        let f = figures(times);
        println!(
            "GET /analytics/v1/dashboard ({label}, {from} .. {}): median {:.1} ms (min {:.1}, max {:.1}) over {} warm runs, {} kB",
            args.until,
            f.median_ms,
            f.min_ms,
            f.max_ms,
            args.runs,
            bytes / 1024
        );
        results.insert(
            format!("http_{user}"),
            serde_json::json!({ "label": label, "figures": f, "bytes": bytes }),
        );
    }

    // The computation alone: reading the inputs, then the figures.
    let q = kyosai_domain::flow::Query {
        from,
        to: args.until,
        office: None,
        compare_at: None,
    };
    let (mut reads, mut computes) = (Vec::new(), Vec::new());
    for i in 0..args.runs + 1 {
        let t = Instant::now();
        let inputs = kyosai_central::analytics::load(storage, None).await?;
        let read = ms(t.elapsed());
        let t = Instant::now();
        let d = kyosai_domain::flow::dashboard(
            &inputs.cases,
            &inputs.ocr,
            &inputs.sessions,
            &q,
            chrono::Utc::now(),
        );
        let compute = ms(t.elapsed());
        std::hint::black_box(&d);
        if i > 0 {
            reads.push(read);
            computes.push(compute);
        }
    }
    let (r, c) = (figures(reads), figures(computes));
    println!(
        "analytics::load (read and decode the year from SQLite): median {:.1} ms (min {:.1}, max {:.1})",
        r.median_ms, r.min_ms, r.max_ms
    );
    println!(
        "flow::dashboard (the figures alone): median {:.1} ms (min {:.1}, max {:.1})",
        c.median_ms, c.min_ms, c.max_ms
    );
    let load_avg = load_average();
    println!("load average after: {load_avg}");
    results.insert(
        "load".into(),
        serde_json::json!({ "cases": cases, "records": summary.records_added,
            "sessions": summary.sessions_added, "seconds": load_time.as_secs_f64() }),
    );
    results.insert("read".into(), serde_json::to_value(&r)?);
    results.insert("compute".into(), serde_json::to_value(&c)?);
    results.insert("loadAverage".into(), load_avg.into());
    if let Some(path) = args.json {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, serde_json::to_string_pretty(&results)?)?;
        eprintln!("JSON: {}", path.display());
    }
    server.stop().await;
    Ok(())
}
