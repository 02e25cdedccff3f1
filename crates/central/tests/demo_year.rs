//! The generated year of demo activity (`kyosai-central demo-year`) on both storage
//! backends: loaded in batches, once; about 3,000 cases with the April (資格取得届) and
//! March (調達依頼) peaks; deterministic for a seed; and the 見える化 figures of
//! `GET /analytics/v1/dashboard` over real HTTPS equal a computation made here, with plain
//! code over what the storage returns (never `kyosai_domain::flow`):
//! - 資格取得届 started per month (created, Japan time);
//! - working minutes per case at the 事務局審査担当 step: the sum of the step's work
//!   sessions of each case whose last pass of the step ended in the period; **median** =
//!   the middle value (the mean of the two middle values for an even count), **p90** =
//!   nearest rank, the ⌈0.9·n⌉-th smallest (the definitions of `flow/stats.rs`);
//! - 資格取得届 past the 5-day filing deadline (due = 資格取得日 + 5 days, met = the day the
//!   所属所長 forwarded it; open ones count against today);
//! - the AI-OCR straight-through rate (fields accepted without a person ÷ fields, over
//!   the documents verified in the period).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use common::*;
use kyosai_central::demo::DEMO_PASSWORD;
use kyosai_central::demo_year::{self, generate, AUDIT_SOURCE};
use kyosai_central::testing::{postgres_skipped, TestBackend, TestServer};
use kyosai_sync_protocol::{Record, Session};
use serde_json::Value;
use uuid::Uuid;

both_backends!(a_year_loads_once_and_the_dashboard_matches_an_independent_count);

const SEED: u64 = 2026;
const FROM: &str = "2025-11-01";
const TO: &str = "2026-10-31";

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn jst_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&FixedOffset::east_opt(9 * 3600).unwrap())
        .date_naive()
}

fn time(v: &Value) -> Option<DateTime<Utc>> {
    v.as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// The middle value; the mean of the two middle values for an even count.
fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Nearest rank: the ⌈0.9·n⌉-th smallest.
fn p90(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return 0.0;
    }
    let rank = (9 * v.len()).div_ceil(10);
    v[rank - 1]
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

async fn all_records(server: &TestServer, kind: &str) -> Vec<Record> {
    server.storage().records_of_kind(kind).await.unwrap()
}

/// The history acts of a record's approval state: (kind, step index, at).
fn acts(r: &Record) -> Vec<(String, Option<u64>, DateTime<Utc>)> {
    r.body["approval"]["history"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            (
                a["kind"].as_str().unwrap().to_string(),
                a["step"].as_u64(),
                time(&a["at"]).unwrap(),
            )
        })
        .collect()
}

fn status(r: &Record) -> Option<&str> {
    r.body["approval"]["status"].as_str()
}

fn current_step(r: &Record) -> Option<u64> {
    r.body["approval"]["currentStep"].as_u64()
}

async fn a_year_loads_once_and_the_dashboard_matches_an_independent_count(backend: TestBackend) {
    let server = TestServer::start(backend).await;
    let storage = server.storage();
    let argon2 = server.config().auth.argon2;
    let until = day(TO);

    // Loaded in batches, audited once per batch.
    let started = std::time::Instant::now();
    let loaded = demo_year::load(storage, &argon2, until, SEED)
        .await
        .unwrap();
    eprintln!(
        "{backend:?}: year loaded in {:.2} s: {} records, {} sessions",
        started.elapsed().as_secs_f64(),
        loaded.records_added,
        loaded.sessions_added
    );
    assert!(loaded.loaded);
    assert_eq!(loaded.from, day(FROM));
    let year = generate(until, SEED);
    assert!(year.problems.is_empty(), "{:?}", year.problems);
    assert_eq!(loaded.records_added, year.records.len() as u64);
    assert_eq!(loaded.sessions_added, year.sessions.len() as u64);
    let audit: Vec<Value> = storage
        .audit_rows()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.entry.detail)
        .filter(|d| d["op"] == "import_batch" && d["source"] == AUDIT_SOURCE)
        .collect();
    assert_eq!(audit.len(), year.records.len().div_ceil(1_000), "{audit:?}");
    let audited: u64 = audit.iter().map(|d| d["count"].as_u64().unwrap()).sum();
    assert_eq!(audited, loaded.records_added);

    // Loading again adds nothing.
    let again = demo_year::load(storage, &argon2, until, SEED)
        .await
        .unwrap();
    assert!(!again.loaded);
    assert_eq!((again.records_added, again.sessions_added), (0, 0));
    let sessions = storage.work_sessions(None).await.unwrap();
    assert_eq!(sessions.len(), year.sessions.len());

    // What is stored is the generated year, and the same seed gives the same year.
    let kinds = [
        "acquisition",
        "proposal",
        "procurement",
        "contract",
        "inspection",
        "payment_order",
        "ocr_document",
    ];
    let mut stored: HashMap<&str, Vec<Record>> = HashMap::new();
    for k in kinds {
        stored.insert(k, all_records(&server, k).await);
    }
    let case_ids: HashSet<Uuid> = stored.values().flatten().map(|r| r.id).collect();
    let generated: HashMap<Uuid, &Record> = year.records.iter().map(|r| (r.id, r)).collect();
    for r in stored.values().flatten() {
        // Records of the small demo (also loaded) are not the year's.
        if let Some(g) = generated.get(&r.id) {
            assert_eq!(*g, r);
        }
    }
    let same = generate(until, SEED);
    assert_eq!(same.records, year.records);
    assert_eq!(same.sessions, year.sessions);
    assert_ne!(generate(until, SEED + 1).records, year.records);

    // Counts in the band, with the peaks.
    let ours = |k: &str| -> Vec<&Record> {
        stored[k]
            .iter()
            .filter(|r| generated.contains_key(&r.id))
            .collect()
    };
    let total: usize = kinds.iter().map(|k| ours(k).len()).sum();
    assert!((2_500..=4_000).contains(&total), "{total} cases");
    for k in kinds {
        assert!(!ours(k).is_empty(), "no {k}");
    }
    let per_month = |k: &str| -> BTreeMap<String, u32> {
        let mut m = BTreeMap::new();
        for r in &stored[k] {
            let d = jst_date(r.created_at);
            if d >= day(FROM) && d <= day(TO) {
                *m.entry(d.format("%Y-%m").to_string()).or_insert(0) += 1;
            }
        }
        m
    };
    let acq_months = per_month("acquisition");
    let peak = |m: &BTreeMap<String, u32>| m.iter().max_by_key(|(_, n)| **n).unwrap().0.clone();
    assert_eq!(peak(&acq_months), "2026-04", "{acq_months:?}");
    let proc_months = per_month("procurement");
    assert_eq!(peak(&proc_months), "2026-03", "{proc_months:?}");
    assert_eq!(acq_months.len(), 12);

    // Some cases past their deadlines, some still open.
    let open = ours("acquisition")
        .iter()
        .filter(|r| status(r) != Some("approved") && status(r) != Some("rejected"))
        .count();
    assert!(open > 0);

    // The dashboard over HTTPS, as the 決裁者 and as the 事務局審査担当.
    let api = Api::new(&server);
    let mut boards = Vec::new();
    for user in ["kessai", "shinsa"] {
        let session: Session = api
            .login_reply(user, DEMO_PASSWORD, Uuid::new_v4())
            .await
            .parse();
        let t = std::time::Instant::now();
        let reply = api
            .get(
                &format!("/analytics/v1/dashboard?from={FROM}&to={TO}"),
                Some(&session.access_token),
            )
            .await;
        eprintln!(
            "{backend:?}: dashboard for {user} in {:.0} ms",
            t.elapsed().as_secs_f64() * 1000.0
        );
        assert!(reply.status.is_success(), "{}", reply.text);
        boards.push(reply.json());
    }
    let d = &boards[0];
    assert_eq!(d["months"], boards[1]["months"]);
    assert_eq!(d["steps"], boards[1]["steps"]);
    let today = jst_date(time(&d["asOf"]).unwrap());

    // 1. 資格取得届 started per month.
    let from_board: BTreeMap<String, u32> = d["months"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["process"] == "acquisition")
        .map(|m| {
            (
                m["month"].as_str().unwrap().to_string(),
                m["started"].as_u64().unwrap() as u32,
            )
        })
        .collect();
    assert_eq!(from_board, acq_months);

    // 2. Working minutes at 事務局審査担当 (route step 1 of a 資格取得届).
    let period_start = DateTime::parse_from_rfc3339("2025-11-01T00:00:00+09:00").unwrap();
    let period_end = DateTime::parse_from_rfc3339("2026-11-01T00:00:00+09:00").unwrap();
    let in_period = |t: DateTime<Utc>| t >= period_start && t < period_end;
    let step = "事務局審査担当";
    let mut work: HashMap<(Uuid, &str), f64> = HashMap::new();
    for s in &sessions {
        *work.entry((s.record_id, s.step.as_str())).or_default() += f64::from(s.active_seconds);
    }
    let mut minutes = Vec::new();
    for r in &stored["acquisition"] {
        // Still at the step: its last pass has not ended.
        if status(r) == Some("in_progress") && current_step(r) == Some(1) {
            continue;
        }
        let last_end = acts(r)
            .into_iter()
            .filter(|(k, s, _)| {
                *s == Some(1) && matches!(k.as_str(), "approve" | "return" | "reject")
            })
            .map(|(_, _, at)| at)
            .max();
        if last_end.is_some_and(in_period) {
            minutes.push(work.get(&(r.id, step)).copied().unwrap_or(0.0) / 60.0);
        }
    }
    let row = d["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["process"] == "acquisition" && s["step"] == step)
        .expect("the reviewer's step");
    eprintln!(
        "{step}: {} cases, median {:.2} min, p90 {:.2} min",
        minutes.len(),
        median(&minutes),
        p90(&minutes)
    );
    assert!(minutes.len() > 500);
    assert_eq!(row["cases"].as_u64().unwrap() as usize, minutes.len());
    assert!(close(
        row["workMinutesMedian"].as_f64().unwrap(),
        median(&minutes)
    ));
    assert!(close(
        row["workMinutesP90"].as_f64().unwrap(),
        p90(&minutes)
    ));
    let mean = minutes.iter().sum::<f64>() / minutes.len() as f64;
    assert!(close(row["workMinutesMean"].as_f64().unwrap(), mean));

    // 3. 資格取得届 past the 5-day filing deadline: due in the period, forwarded by the
    // 所属所長 after it (or not yet, and due before today).
    let mut late = HashSet::new();
    let mut due_in_period = 0;
    for r in &stored["acquisition"] {
        let Some(acquired) = r.body["acquisition"]["acquiredOn"].as_str().map(day) else {
            continue;
        };
        let due = acquired + Duration::days(5);
        if due < day(FROM) || due > day(TO) {
            continue;
        }
        due_in_period += 1;
        let at_head_now = status(r) == Some("in_progress") && current_step(r) == Some(0);
        let forwarded = if at_head_now {
            None
        } else {
            acts(r)
                .into_iter()
                .filter(|(k, s, _)| *s == Some(0) && k == "approve")
                .map(|(_, _, at)| jst_date(at))
                .max()
        };
        if forwarded.unwrap_or(today) > due {
            late.insert(r.id.to_string());
        }
    }
    let board_late: HashSet<String> = d["overdue"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["process"] == "acquisition")
        .map(|o| o["caseId"].as_str().unwrap().to_string())
        .collect();
    eprintln!(
        "資格取得届: {due_in_period} due in the period, {} past the 5-day deadline",
        late.len()
    );
    assert!(!late.is_empty() && late.len() < due_in_period / 2);
    for id in board_late.symmetric_difference(&late) {
        let r = stored["acquisition"]
            .iter()
            .find(|r| r.id.to_string() == *id)
            .unwrap();
        eprintln!(
            "differs: {id} board={} mine={} acquired={} status={:?} step={:?} acts={:?}",
            board_late.contains(id),
            late.contains(id),
            r.body["acquisition"]["acquiredOn"],
            status(r),
            current_step(r),
            acts(r)
        );
    }
    assert!(board_late == late, "the overdue 資格取得届 differ");

    // 4. AI-OCR straight through.
    let (mut docs, mut fields, mut auto) = (0u32, 0u32, 0u32);
    for r in &stored["ocr_document"] {
        let b = &r.body;
        if b["status"]["state"] != "handed_off" || !time(&b["status"]["at"]).is_some_and(in_period)
        {
            continue;
        }
        docs += 1;
        for f in b["result"]["fields"].as_array().unwrap() {
            fields += 1;
            if matches!(
                f["decision"]["route"].as_str(),
                Some("accepted" | "qaSample")
            ) {
                auto += 1;
            }
        }
    }
    let rate = f64::from(auto) / f64::from(fields);
    eprintln!("AI-OCR: {docs} documents, {fields} fields, straight through {rate:.3}");
    assert_eq!(d["ocr"]["documents"].as_u64().unwrap(), u64::from(docs));
    assert_eq!(d["ocr"]["fields"].as_u64().unwrap(), u64::from(fields));
    assert!(close(
        d["ocr"]["straightThroughRate"].as_f64().unwrap(),
        rate
    ));
    assert!(rate > 0.5 && rate < 0.9, "{rate}");

    // Every case of the covered kinds is one the dashboard counts (all started in the
    // period or before).
    let started: u64 = d["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["started"].as_u64().unwrap())
        .sum();
    let in_year = stored
        .values()
        .flatten()
        .filter(|r| {
            let day = jst_date(r.created_at);
            day >= self::day(FROM) && day <= self::day(TO)
        })
        .count() as u64;
    assert_eq!(started, in_year);
    assert!(case_ids.len() >= total);
    server.stop().await;
}
