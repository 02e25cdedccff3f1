//! 業務の見える化 (`GET /analytics/v1/dashboard`) over real HTTPS, on both storage backends.
//!
//! A small year is made through the real API as the apps make it: 資格取得届 created,
//! submitted, certified, reviewed, decided, returned and rejected by the people whose
//! step it is; a 調達 chain (依頼 → 契約 → 検収 → 支出命令) with its 総合振込 batch;
//! scanned documents of the OCR queue; and the working time of every step pushed as
//! `work.time@1` by whoever did it. The service's figures are then checked against values
//! worked out by hand below (each expected number says where it comes from). The server
//! stamps records and approvals with its own clock, so those cases all happen "today";
//! the dates the API lets a client set (acquisition day, inspection and invoice days,
//! transfer day, an OCR document's import and verification) are fixed relative to today.
//!
//! The refusals (`analytics.forbidden`, `analytics.office_forbidden`,
//! `analytics.invalid_query`) are checked with their HTTP status, and the dashboard is also
//! read through the app's client (`kyosai_sync_client::Api::analytics_dashboard`), so a
//! change of the JSON shape on either side fails here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use common::*;
use kyosai_central::testing::{postgres_skipped, TestBackend, TestServer};
use kyosai_domain::approval::{self as appr, Position};
use kyosai_domain::flow::{Dashboard, Process, StepFigures};
use kyosai_domain::procurement::calendar::{is_bank_business_day, HolidayTable};
use kyosai_sync_client::DashboardParams;
use kyosai_sync_protocol::{CommandEnvelope, Role};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

both_backends!(
    the_figures_match_a_hand_computation,
    who_may_ask_and_bad_queries_are_refused,
);

const HEAD_B: &str = "shocho1101";

fn close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() < 1e-9,
        "{what}: got {got}, expected {want}"
    );
}

/// A Japan date's instant at `hour`:00 JST.
fn jst_at(d: NaiveDate, hour: u32) -> DateTime<Utc> {
    chrono::FixedOffset::east_opt(9 * 3600)
        .unwrap()
        .from_local_datetime(&d.and_hms_opt(hour, 0, 0).unwrap())
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

/// A 個人番号 with a valid check digit (番号法施行令 第8条) from 11 digits.
fn my_number(first11: &str) -> String {
    let digits: Vec<u32> = first11.chars().map(|c| c.to_digit(10).unwrap()).collect();
    assert_eq!(digits.len(), 11);
    let sum: u32 = (1..=11)
        .map(|n| {
            let p = digits[11 - n];
            let q = if n <= 6 { n as u32 + 1 } else { n as u32 - 5 };
            p * q
        })
        .sum();
    let r = sum % 11;
    let check = if r <= 1 { 0 } else { 11 - r };
    format!("{first11}{check}")
}

/// A 資格取得届 of `office`, acquired on `acquired` (a late one carries its reason), every
/// warning acknowledged: (title, body).
fn acquisition(
    name: &str,
    kana: &str,
    number: &str,
    office: (&str, &str),
    acquired: NaiveDate,
) -> (String, Value) {
    let mut form = new_hire(name, kana, "1234-567890", &my_number(number));
    form.office.code = Some(office.0.into());
    form.office.name = Some(office.1.into());
    form.acquisition.acquired_on = Some(acquired);
    form.pension_history[0].lost_on = Some(acquired);
    if today() - acquired > Duration::days(5) {
        form.acquisition.late_reason = Some("採用関係書類の到着が遅れたため".into());
    }
    acknowledge_all(&mut form);
    (
        acquisition_title(&form),
        serde_json::to_value(&form).unwrap(),
    )
}

/// One case and how to act on it.
#[derive(Clone)]
struct Case {
    id: Uuid,
    kind: &'static str,
    office: &'static str,
    title: String,
    body: Value,
}

impl Case {
    fn new(kind: &'static str, office: &'static str, title: &str, body: Value) -> Case {
        Case {
            id: Uuid::new_v4(),
            kind,
            office,
            title: title.into(),
            body,
        }
    }

    fn hash(&self) -> String {
        appr::content_hash(self.kind, &self.title, &self.body)
    }

    fn create(&self) -> impl FnOnce(u64) -> CommandEnvelope + '_ {
        move |s| {
            command(
                s,
                "record.create",
                self.id,
                None,
                json!({"kind": self.kind, "office_code": self.office, "title": self.title, "body": self.body}),
            )
        }
    }

    fn submit(&self) -> impl FnOnce(u64) -> CommandEnvelope + '_ {
        move |s| {
            command(
                s,
                "approval.submit",
                self.id,
                None,
                json!({"seen_hash": self.hash()}),
            )
        }
    }

    fn act(&self, a: appr::Action) -> impl FnOnce(u64) -> CommandEnvelope + '_ {
        move |s| {
            command(
                s,
                "approval.act",
                self.id,
                None,
                serde_json::to_value(&a).unwrap(),
            )
        }
    }

    fn approve(&self) -> impl FnOnce(u64) -> CommandEnvelope + '_ {
        self.act(appr::Action::Approve {
            seen_hash: self.hash(),
            comment: None,
        })
    }

    fn give_back(&self) -> impl FnOnce(u64) -> CommandEnvelope + '_ {
        self.act(appr::Action::Return {
            seen_hash: self.hash(),
            reason: "被扶養者の記載を確認してください".into(),
        })
    }

    fn reject(&self) -> impl FnOnce(u64) -> CommandEnvelope + '_ {
        self.act(appr::Action::Reject {
            seen_hash: self.hash(),
            reason: "資格取得の事実が確認できません".into(),
        })
    }
}

/// The people of the fixture, signed in.
struct People {
    clerk: User,
    head: User,
    reviewer: User,
    approver: User,
    clerk_b: User,
    head_b: User,
    it: User,
}

async fn start(backend: TestBackend) -> (TestServer, Api, People) {
    let (server, api) = setup(backend).await;
    server
        .add_user(
            HEAD_B,
            "小林 進",
            &[Role::OfficeHead],
            Some("1101"),
            PASSWORD,
        )
        .await;
    // The 決裁権者 is also a 課長: the 調達 chain's route.
    assert!(server
        .storage()
        .set_positions(APPROVER, &[Position::Kacho])
        .await
        .unwrap());
    let people = People {
        clerk: api.login(CLERK_A).await,
        head: api.login(HEAD_A).await,
        reviewer: api.login(REVIEWER).await,
        approver: api.login(APPROVER).await,
        clerk_b: api.login(CLERK_B).await,
        head_b: api.login(HEAD_B).await,
        it: api.login(IT).await,
    };
    (server, api, people)
}

/// Pushes the working time of `minutes` (one session per entry) on `case` at `step`.
async fn worked(p: &mut Pusher<'_>, who: &User, case: &Case, step: &str, minutes: &[i64]) {
    for m in minutes {
        let payload = work_session(
            Uuid::new_v4(),
            step,
            Utc::now() - Duration::hours(1),
            m * 60,
        );
        p.must(who, |s| work_time(s, case.id, payload)).await;
    }
}

/// A scanned document of 新宿区役所 in the OCR queue (the body as `kyosai_ocr`'s
/// `QueueDocument` keeps it, with the parts the figures read): imported at `imported`,
/// verified (handed off) at `verified`, fields read with these routes, and the queue's own
/// measure of work (`history`: seconds per step).
fn ocr_document(
    n: u32,
    imported: DateTime<Utc>,
    verified: Option<DateTime<Utc>>,
    routes: &[&str],
    history: &[i64],
) -> Case {
    let clerk = json!({"id": CLERK_A, "name": "佐藤 花子"});
    let fields: Vec<Value> = routes
        .iter()
        .enumerate()
        .map(|(i, r)| {
            json!({"field": format!("field{i}"), "label": format!("項目{i}"),
                   "decision": {"route": r, "reasons": []}})
        })
        .collect();
    let mut at = imported + Duration::minutes(5);
    let history: Vec<Value> = history
        .iter()
        .enumerate()
        .map(|(i, secs)| {
            let started = at;
            at += Duration::seconds(*secs);
            json!({"field": format!("field{i}"), "by": clerk, "startedAt": started, "at": at,
                   "before": {"field": format!("field{i}"), "entries": []}})
        })
        .collect();
    let status = match verified {
        Some(t) => json!({"state": "handed_off", "kind": "acquisition",
                          "recordId": Uuid::new_v4().to_string(), "by": clerk, "at": t}),
        None => json!({"state": "open"}),
    };
    Case::new(
        "ocr_document",
        "1203",
        &format!("組合員資格取得届（スキャン）第{n}号"),
        json!({
            "format": 1,
            "result": {"documentId": format!("scan-{n}"), "templateId": "shikaku-shutoku-todoke",
                       "templateVersion": 1, "pages": [], "fields": fields},
            "scanId": Uuid::new_v4().to_string(),
            "sourceName": format!("scan-{n}.pdf"),
            "importedBy": clerk,
            "importedAt": imported,
            "work": [],
            "status": status,
            "history": history,
        }),
    )
}

/// What the fixture made, for the expected figures.
struct Made {
    today: NaiveDate,
    /// The acquisition route's step labels (所属所長, 事務局審査担当, 決裁者).
    steps: Vec<String>,
    late_filed: Case,
    late_open: Case,
    /// Returned by the head (in drafting), and returned then resubmitted (at the head).
    returned: Case,
    returned_again: Case,
    inspection: Case,
    order: Case,
    /// Japan days: OCR documents' import and verification.
    ocr: Vec<(NaiveDate, Option<NaiveDate>)>,
    ocr_open_imported: DateTime<Utc>,
    pay_by: NaiveDate,
    paid_on: NaiveDate,
}

async fn make_year(server: &TestServer, api: &Api, u: &People) -> Made {
    let mut p = Pusher::new(api);
    let today = today();
    let shinjuku = ("1203", "新宿区役所");
    let somu = ("1101", "東京都総務局");
    let acq = |name: &str, kana: &str, number: &str, office, acquired| {
        let (title, body) = acquisition(name, kana, number, office, acquired);
        let office_code = if office == shinjuku { "1203" } else { "1101" };
        Case::new("acquisition", office_code, &title, body)
    };
    let yesterday = today - Duration::days(1);
    // A1, A2: through the whole route. A3: acquired 10 days ago, certified today (filed 5
    // days late). A4: returned by the head, resubmitted, certified. A5: acquired 8 days ago,
    // waiting for the head (3 days past its deadline, still open). A6: a draft. A7:
    // rejected at the decision. A8: acquired 7 days ago, returned by the head, back in
    // drafting. A9: acquired 6 days ago, returned by the head, resubmitted, waiting for the
    // head again. B1: 東京都総務局's, waiting for its head.
    let a1 = acq(
        "山田　太郎",
        "ヤマダ　タロウ",
        "12345678901",
        shinjuku,
        yesterday,
    );
    let a2 = acq(
        "佐々木　花",
        "ササキ　ハナ",
        "23456789012",
        shinjuku,
        yesterday,
    );
    let a3 = acq(
        "井上　翔",
        "イノウエ　ショウ",
        "34567890123",
        shinjuku,
        today - Duration::days(10),
    );
    let a4 = acq(
        "松本　葵",
        "マツモト　アオイ",
        "45678901234",
        shinjuku,
        yesterday,
    );
    let a5 = acq(
        "清水　蓮",
        "シミズ　レン",
        "56789012345",
        shinjuku,
        today - Duration::days(8),
    );
    let a6 = acq("森　結衣", "モリ　ユイ", "67890123456", shinjuku, yesterday);
    let a7 = acq(
        "池田　湊",
        "イケダ　ミナト",
        "78901234567",
        shinjuku,
        yesterday,
    );
    let a8 = acq(
        "石川　湊斗",
        "イシカワ　ミナト",
        "90123456789",
        shinjuku,
        today - Duration::days(7),
    );
    let a9 = acq(
        "前田　芽衣",
        "マエダ　メイ",
        "11223344556",
        shinjuku,
        today - Duration::days(6),
    );
    let b1 = acq("岡田　陸", "オカダ　リク", "89012345678", somu, yesterday);

    for c in [&a1, &a2, &a3, &a4, &a5, &a6, &a7, &a8, &a9] {
        p.must(&u.clerk, c.create()).await;
    }
    p.must(&u.clerk_b, b1.create()).await;
    for c in [&a1, &a2, &a3, &a4, &a5, &a7, &a8, &a9] {
        p.must(&u.clerk, c.submit()).await;
    }
    p.must(&u.clerk_b, b1.submit()).await;
    let st = appr::state_of(&server.record(a1.id).await.unwrap().body).unwrap();
    let steps: Vec<String> = st.route.steps.iter().map(appr::Step::label_ja).collect();
    assert_eq!(steps, ["所属所長", "事務局審査担当", "決裁者"]);
    let (s_head, s_review, s_decide) = (&steps[0], &steps[1], &steps[2]);

    // 差戻し and 再提出 of A4: a second pass of drafting and of the head's step.
    p.must(&u.head, a4.give_back()).await;
    p.must(&u.clerk, a4.submit()).await;
    p.must(&u.head, a8.give_back()).await;
    p.must(&u.head, a9.give_back()).await;
    p.must(&u.clerk, a9.submit()).await;
    for c in [&a1, &a2, &a3, &a4, &a7] {
        p.must(&u.head, c.approve()).await;
    }
    for c in [&a1, &a2, &a7] {
        p.must(&u.reviewer, c.approve()).await;
    }
    p.must(&u.approver, a1.approve()).await;
    p.must(&u.approver, a2.approve()).await;
    p.must(&u.approver, a7.reject()).await;
    assert_eq!(server.record(a1.id).await.unwrap().state, "approved");
    assert_eq!(server.record(a7.id).await.unwrap().state, "rejected");

    // Working time, pushed by whoever did the step (minutes; several sessions add up).
    let draft = "draft";
    worked(&mut p, &u.clerk, &a1, draft, &[4, 6]).await; // 10
    worked(&mut p, &u.clerk, &a2, draft, &[20]).await;
    worked(&mut p, &u.clerk, &a3, draft, &[30]).await;
    worked(&mut p, &u.clerk, &a4, draft, &[25, 15]).await; // both passes: 40
    worked(&mut p, &u.clerk, &a5, draft, &[50]).await;
    worked(&mut p, &u.clerk, &a6, draft, &[15]).await; // still a draft: not counted
    worked(&mut p, &u.clerk, &a7, draft, &[60]).await;
    worked(&mut p, &u.clerk, &a8, draft, &[70]).await; // drafting again: not counted
    worked(&mut p, &u.clerk, &a9, draft, &[80]).await;
    worked(&mut p, &u.clerk_b, &b1, draft, &[100]).await;
    worked(&mut p, &u.head, &a1, s_head, &[3]).await;
    worked(&mut p, &u.head, &a2, s_head, &[5]).await;
    worked(&mut p, &u.head, &a3, s_head, &[7]).await;
    worked(&mut p, &u.head, &a4, s_head, &[4, 5]).await; // both passes: 9
    worked(&mut p, &u.head, &a7, s_head, &[11]).await;
    worked(&mut p, &u.head, &a8, s_head, &[13]).await;
    worked(&mut p, &u.head, &a9, s_head, &[17]).await; // at the head again: not counted
    worked(&mut p, &u.reviewer, &a1, s_review, &[20]).await;
    worked(&mut p, &u.reviewer, &a2, s_review, &[40]).await;
    worked(&mut p, &u.reviewer, &a7, s_review, &[30]).await;
    worked(&mut p, &u.approver, &a1, s_decide, &[2]).await;
    worked(&mut p, &u.approver, &a2, s_decide, &[4]).await;
    worked(&mut p, &u.approver, &a7, s_decide, &[6]).await;

    // 調達: request → contract → inspection → payment order, each decided by the 課長;
    // then the transfer file's batch lists the order.
    let fy = if today.month() >= 4 {
        today.year()
    } else {
        today.year() - 1
    };
    let budget = Case::new(
        "budget",
        "1203",
        "備品購入費",
        json!({"fiscalYear": fy, "code": "01-02-03", "name": "備品購入費", "allocated": 1_000_000}),
    );
    p.must(&u.clerk, budget.create()).await;
    let request = Case::new(
        "procurement",
        "1203",
        "窓口用プリンターの購入",
        json!({"amount": 300_000, "purpose": "窓口用プリンターの購入",
               "budget": {"fiscalYear": fy, "code": "01-02-03", "name": "備品購入費"}}),
    );
    let contract = Case::new(
        "contract",
        "1203",
        "窓口用プリンター 売買契約",
        json!({"amount": 300_000, "parent": request.id.to_string(),
               "workType": "other", "contractSetsDates": true}),
    );
    // Completion notified 20 days ago: inspection due in 10 days (工事以外, dates set by
    // the contract), done 5 days ago — 5 days late.
    let inspection = Case::new(
        "inspection",
        "1203",
        "窓口用プリンター 検収",
        json!({"amount": 300_000, "parent": contract.id.to_string(), "result": "passed",
               "completionNoticeOn": today - Duration::days(20),
               "inspectedOn": today - Duration::days(5), "inspector": "中村 大輝"}),
    );
    // Invoice received 45 days ago: to be paid within 30 days, on a bank business day.
    let order = Case::new(
        "payment_order",
        "1203",
        "窓口用プリンター 支出命令",
        json!({"amount": 300_000, "parent": inspection.id.to_string(),
               "invoiceReceivedOn": today - Duration::days(45)}),
    );
    for c in [&request, &contract, &inspection, &order] {
        p.must(&u.clerk, c.create()).await;
        p.must(&u.clerk, c.submit()).await;
        p.must(&u.approver, c.approve()).await;
        assert_eq!(server.record(c.id).await.unwrap().state, "approved");
    }
    let paid_on = today - Duration::days(2);
    let batch = Case::new(
        "payment_batch",
        "1203",
        &format!("総合振込 {paid_on}（1件）"),
        json!({"transferDate": paid_on, "orders": [order.id.to_string()], "count": 1,
               "total": 300_000, "fileName": "FURIKOMI.txt", "sha256": "0".repeat(64)}),
    );
    p.must(&u.clerk, batch.create()).await;
    let legal = today - Duration::days(45) + Duration::days(30);
    let mut pay_by = legal;
    while !is_bank_business_day(pay_by, HolidayTable::builtin()) {
        pay_by -= Duration::days(1);
    }

    // The OCR queue: four documents verified (two well before the comparison day of
    // today − 30, two after) and one still open.
    let d = |n: i64| today - Duration::days(n);
    let o1 = ocr_document(
        1,
        jst_at(d(70), 10),
        Some(jst_at(d(70), 12)),
        &[
            "accepted",
            "accepted",
            "accepted",
            "accepted",
            "accepted",
            "accepted",
            "qaSample",
            "review",
            "review",
            "doubleEntry",
        ],
        &[],
    );
    let o2 = ocr_document(
        2,
        jst_at(d(60), 10),
        Some(jst_at(d(59), 10)),
        &[
            "accepted",
            "accepted",
            "accepted",
            "accepted",
            "accepted",
            "accepted",
            "review",
            "review",
            "review",
            "doubleEntry",
        ],
        &[],
    );
    let o3 = ocr_document(
        3,
        jst_at(d(20), 10),
        Some(jst_at(d(20), 11)),
        &["accepted"; 8],
        &[],
    );
    let o4 = ocr_document(
        4,
        jst_at(d(10), 10),
        Some(jst_at(d(10), 14)),
        &[
            "accepted",
            "accepted",
            "qaSample",
            "review",
            "review",
            "review",
            "review",
            "review",
            "review",
            "doubleEntry",
            "doubleEntry",
            "doubleEntry",
        ],
        &[300, 180],
    );
    let o5 = ocr_document(5, jst_at(d(5), 10), None, &["review"; 4], &[]);
    for c in [&o1, &o2, &o3, &o4, &o5] {
        p.must(&u.clerk, c.create()).await;
    }
    // Sessions reported for `ocr_review` win over the queue's own measure (O4 has none,
    // so its history counts). The app does not time the OCR queue today — its history is
    // the measure — but the service takes such sessions when they come.
    worked(&mut p, &u.clerk, &o1, "ocr_review", &[12]).await;
    worked(&mut p, &u.clerk, &o2, "ocr_review", &[8, 6]).await;
    worked(&mut p, &u.clerk, &o3, "ocr_review", &[6]).await;

    Made {
        today,
        steps,
        late_filed: a3,
        late_open: a5,
        returned: a8,
        returned_again: a9,
        inspection,
        order,
        ocr: vec![
            (d(70), Some(d(70))),
            (d(60), Some(d(59))),
            (d(20), Some(d(20))),
            (d(10), Some(d(10))),
            (d(5), None),
        ],
        ocr_open_imported: jst_at(d(5), 10),
        pay_by,
        paid_on,
    }
}

fn query(from: NaiveDate, to: NaiveDate, office: Option<&str>, at: Option<NaiveDate>) -> String {
    let mut q = format!("/analytics/v1/dashboard?from={from}&to={to}");
    if let Some(o) = office {
        q.push_str(&format!("&office={o}"));
    }
    if let Some(a) = at {
        q.push_str(&format!("&compareAt={a}"));
    }
    q
}

fn step<'a>(d: &'a Dashboard, process: Process, step: &str) -> &'a StepFigures {
    d.steps
        .iter()
        .find(|s| s.process == process && s.step == step)
        .unwrap_or_else(|| panic!("no step {process:?} {step}: {:?}", d.steps))
}

/// Checks one step: cases, mean / median / p90 working minutes, median / p90 waiting
/// hours.
fn check_step(d: &Dashboard, process: Process, key: &str, want: (u32, f64, f64, f64, f64, f64)) {
    let s = step(d, process, key);
    let what = format!("{process:?} {key}");
    assert_eq!(s.cases, want.0, "{what}: cases");
    close(s.work_minutes_mean, want.1, &format!("{what} mean"));
    close(s.work_minutes_median, want.2, &format!("{what} median"));
    close(s.work_minutes_p90, want.3, &format!("{what} p90"));
    close(s.wait_hours_median, want.4, &format!("{what} wait median"));
    close(s.wait_hours_p90, want.5, &format!("{what} wait p90"));
}

/// Months of the period: `YYYY-MM` and its first and last day inside `from..=to`.
fn months(from: NaiveDate, to: NaiveDate) -> Vec<(String, NaiveDate, NaiveDate)> {
    let mut out = Vec::new();
    let mut first = from.with_day(1).unwrap();
    while first <= to {
        let next = if first.month() == 12 {
            NaiveDate::from_ymd_opt(first.year() + 1, 1, 1).unwrap()
        } else {
            NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1).unwrap()
        };
        out.push((
            format!("{:04}-{:02}", first.year(), first.month()),
            first.max(from),
            (next - Duration::days(1)).min(to),
        ));
        first = next;
    }
    out
}

async fn the_figures_match_a_hand_computation(backend: TestBackend) {
    let (server, api, u) = start(backend).await;
    let m = make_year(&server, &api, &u).await;
    let today = m.today;
    let from = (today - Duration::days(75)).with_day(1).unwrap();
    let to = today + Duration::days(10);
    let compare_at = today - Duration::days(30);
    let days = (to - from).num_days() as f64 + 1.0;

    let reply = api
        .get(
            &query(from, to, Some("1203"), Some(compare_at)),
            Some(u.reviewer.token()),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let raw = reply.json();
    let d: Dashboard = reply.parse();
    assert!(
        jst_at(today, 0) <= d.as_of && d.as_of < jst_at(today + Duration::days(1), 0),
        "the day turned (Japan time) during the test; run it again"
    );
    assert_eq!(d.query.office.as_deref(), Some("1203"));
    assert_eq!((d.query.from, d.query.to), (from, to));
    assert_eq!(d.query.compare_at, Some(compare_at));

    // The JSON the app reads: camelCase keys, processes in snake_case.
    for key in [
        "query",
        "asOf",
        "months",
        "steps",
        "backlog",
        "deadlineCases",
        "overdue",
        "ocr",
        "flowTable",
        "comparison",
    ] {
        assert!(raw.get(key).is_some(), "no {key} in {raw}");
    }
    assert_eq!(raw["query"]["compareAt"], json!(compare_at.to_string()));
    let row = raw["flowTable"][0].as_object().unwrap();
    for key in [
        "order",
        "process",
        "processLabel",
        "step",
        "stepLabel",
        "actorLabel",
        "means",
        "minutesPerCase",
        "casesPerYear",
        "hoursPerYear",
    ] {
        assert!(
            row.contains_key(key),
            "flowTable row without {key}: {row:?}"
        );
    }
    assert_eq!(raw["flowTable"][0]["process"], "ocr_review");
    assert!(raw["overdue"][0]["daysLate"].is_u64());
    assert!(raw["ocr"]["straightThroughRate"].is_f64());

    // --- Time per step (median, p90 of the working minutes; waiting = elapsed − working).
    let (s_head, s_review, s_decide) = (&m.steps[0], &m.steps[1], &m.steps[2]);
    // Drafting left by A1..A5, A7 and A9 (A6 and A8 are drafting now): 10, 20, 30, 40,
    // 50, 60, 80 → mean 290 / 7, median 40, p90 the ⌈6.3⌉ = 7th = 80. Every pass lasted a
    // moment of the test, less than its working time: no waiting.
    check_step(
        &d,
        Process::Acquisition,
        "draft",
        (7, 290.0 / 7.0, 40.0, 80.0, 0.0, 0.0),
    );
    // 所属所長 left by A1, A2, A3, A4 (two passes), A7, A8 (returned): 3, 5, 7, 4 + 5, 11,
    // 13 → mean and median 8, p90 the ⌈5.4⌉ = 6th = 13 (A9 is at the head again).
    check_step(
        &d,
        Process::Acquisition,
        s_head,
        (6, 8.0, 8.0, 13.0, 0.0, 0.0),
    );
    // 事務局審査担当: A1 20, A2 40, A7 30 → mean and median 30, p90 the 3rd = 40.
    check_step(
        &d,
        Process::Acquisition,
        s_review,
        (3, 30.0, 30.0, 40.0, 0.0, 0.0),
    );
    // 決裁者 (A7 left it by 却下): 2, 4, 6.
    check_step(
        &d,
        Process::Acquisition,
        s_decide,
        (3, 4.0, 4.0, 6.0, 0.0, 0.0),
    );
    // OCR 確認・修正: the sessions 12, 8 + 6, 6 and O4's queue history 300 + 180 s = 8 →
    // mean (12 + 14 + 6 + 8) / 4 = 10, median (8 + 12) / 2 = 10, p90 the 4th = 14.
    // Waiting: 2 h − 12 min, 24 h − 14 min, 1 h − 6 min, 4 h − 8 min.
    let waits = [
        (7200.0 - 720.0) / 3600.0,
        (86_400.0 - 840.0) / 3600.0,
        (3600.0 - 360.0) / 3600.0,
        (14_400.0 - 480.0) / 3600.0,
    ];
    check_step(
        &d,
        Process::OcrReview,
        "ocr_review",
        (4, 10.0, 10.0, 14.0, (waits[0] + waits[3]) / 2.0, waits[1]),
    );
    // The 調達 chain: each step once, no working time reported.
    for p in [
        Process::ProcurementRequest,
        Process::Contract,
        Process::Inspection,
        Process::PaymentOrder,
    ] {
        for key in ["draft", "課長"] {
            let s = step(&d, p, key);
            assert_eq!((s.cases, s.work_minutes_median), (1, 0.0), "{p:?} {key}");
        }
    }

    // --- The 業務フロー table: one row per step, 時間/年 = 分/件 × 件/年 ÷ 60.
    assert_eq!(d.flow_table.len(), d.steps.len());
    let ocr_row = &d.flow_table[0];
    assert_eq!((ocr_row.order, ocr_row.process), (1, Process::OcrReview));
    close(ocr_row.minutes_per_case, 10.0, "OCR 分/件");
    close(ocr_row.cases_per_year, 4.0 * 365.0 / days, "OCR 件/年");
    close(
        ocr_row.hours_per_year,
        10.0 * (4.0 * 365.0 / days) / 60.0,
        "OCR 時間/年",
    );
    let draft_row = d
        .flow_table
        .iter()
        .find(|r| r.process == Process::Acquisition && r.step == "draft")
        .unwrap();
    assert_eq!(draft_row.order, 2);
    assert_eq!(draft_row.actor_label, "所属所 担当者");
    close(
        draft_row.hours_per_year,
        290.0 / 7.0 * (7.0 * 365.0 / days) / 60.0,
        "届 時間/年",
    );
    let orders: Vec<u32> = d.flow_table.iter().map(|r| r.order).collect();
    assert_eq!(orders, (1..=d.flow_table.len() as u32).collect::<Vec<_>>());

    // --- Volumes per month. Records are created and decided today; the OCR documents on
    // their days. Decided today: A1, A2 (決裁), A7 (却下) and the four 調達 steps.
    let mut cases: Vec<(Process, NaiveDate, Option<NaiveDate>)> = Vec::new();
    for _ in 0..3 {
        cases.push((Process::Acquisition, today, Some(today)));
    }
    for _ in 0..6 {
        cases.push((Process::Acquisition, today, None)); // A3, A4, A5, A6, A8, A9
    }
    for p in [
        Process::ProcurementRequest,
        Process::Contract,
        Process::Inspection,
        Process::PaymentOrder,
    ] {
        cases.push((p, today, Some(today)));
    }
    for (imported, verified) in &m.ocr {
        cases.push((Process::OcrReview, *imported, *verified));
    }
    let periods = months(from, to);
    assert_eq!(d.months.len(), periods.len() * Process::ALL.len());
    for (label, first, last) in &periods {
        for p in Process::ALL {
            let mine = cases.iter().filter(|c| c.0 == p);
            let started = mine
                .clone()
                .filter(|c| (*first..=*last).contains(&c.1))
                .count() as u32;
            let finished = mine
                .clone()
                .filter(|c| c.2.is_some_and(|f| (*first..=*last).contains(&f)))
                .count() as u32;
            let open = mine
                .filter(|c| c.1 <= *last && c.2.is_none_or(|f| f > *last))
                .count() as u32;
            let got = d
                .months
                .iter()
                .find(|x| &x.month == label && x.process == p)
                .unwrap_or_else(|| panic!("no month {label} {p:?}"));
            assert_eq!(
                (got.started, got.finished, got.open_at_end),
                (started, finished, open),
                "{label} {p:?}"
            );
        }
    }
    let this_month = d
        .months
        .iter()
        .find(|x| x.month == today.format("%Y-%m").to_string() && x.process == Process::Acquisition)
        .unwrap();
    assert_eq!(
        (
            this_month.started,
            this_month.finished,
            this_month.open_at_end
        ),
        (9, 3, 6)
    );

    // --- Backlog now: A6 and A8 drafting, A5 and A9 at the head, A3 and A4 at the review; O5 in the
    // OCR queue since 5 days ago 10:00.
    let backlog: Vec<(Process, &str, u32)> = d
        .backlog
        .iter()
        .map(|b| (b.process, b.step.as_str(), b.open))
        .collect();
    assert_eq!(
        backlog,
        vec![
            (Process::OcrReview, "ocr_review", 1),
            (Process::Acquisition, "draft", 2),
            (Process::Acquisition, s_head.as_str(), 2),
            (Process::Acquisition, s_review.as_str(), 2),
        ]
    );
    close(
        d.backlog[0].oldest_hours,
        (d.as_of - m.ocr_open_imported).num_seconds() as f64 / 3600.0,
        "oldest OCR document",
    );
    for b in &d.backlog[1..] {
        assert!((0.0..1.0).contains(&b.oldest_hours), "reached today: {b:?}");
    }

    // --- Deadlines due in the period: the nine 届 (5 days from acquisition), the
    // inspection and the payment. A 届 is filed when its 所属所長 forwards it: a return
    // by the head is not a filing.
    assert_eq!(d.deadline_cases, 11);
    let late = |days: i64| u32::try_from(days).unwrap();
    let mut want = vec![
        // Acquired 10 days ago, due 5 days ago, met today (the head certified).
        (
            m.late_filed.id,
            "5日以内の届出",
            today - Duration::days(5),
            Some(today),
            5,
        ),
        // Acquired 8 days ago, due 3 days ago, still with the head.
        (
            m.late_open.id,
            "5日以内の届出",
            today - Duration::days(3),
            None,
            3,
        ),
        // Acquired 7 days ago, due 2 days ago, returned by the head: not filed.
        (
            m.returned.id,
            "5日以内の届出",
            today - Duration::days(2),
            None,
            2,
        ),
        // Acquired 6 days ago, due yesterday, returned and resubmitted: with the head.
        (
            m.returned_again.id,
            "5日以内の届出",
            today - Duration::days(1),
            None,
            1,
        ),
        // Notified 20 days ago, due 10 days later, inspected 5 days ago.
        (
            m.inspection.id,
            "検査期限",
            today - Duration::days(10),
            Some(today - Duration::days(5)),
            5,
        ),
        // Invoice 45 days ago, 30 days, back to a bank business day; paid 2 days ago.
        (
            m.order.id,
            "支払期限",
            m.pay_by,
            Some(m.paid_on),
            late((m.paid_on - m.pay_by).num_days()),
        ),
    ];
    // Most days late first, then the earlier due day, then the id.
    want.sort_by(|a, b| {
        b.4.cmp(&a.4)
            .then(a.2.cmp(&b.2))
            .then(a.0.to_string().cmp(&b.0.to_string()))
    });
    let got: Vec<_> = d
        .overdue
        .iter()
        .map(|o| {
            (
                o.case_id.clone(),
                o.rule_label.as_str(),
                o.due,
                o.met,
                o.days_late,
            )
        })
        .collect();
    let want: Vec<_> = want
        .into_iter()
        .map(|(id, rule, due, met, late)| (id.to_string(), rule, due, met, late))
        .collect();
    assert_eq!(got, want);
    assert!(d.overdue.iter().all(|o| o.office == "1203"));

    // --- OCR straight through: O1..O4 verified in the period; accepted or QA-sampled
    // fields: 7 of 10, 6 of 10, 8 of 8, 3 of 12 → 24 of 40.
    assert_eq!(
        (d.ocr.documents, d.ocr.fields, d.ocr.auto_accepted),
        (4, 40, 24)
    );
    close(d.ocr.straight_through_rate, 0.6, "straight through");

    // --- Before / after today − 30: O1, O2 before (12 and 14 minutes; 2 h and 24 h
    // elapsed), O3, O4 after (6 and 8; 1 h and 4 h); every 届 step after.
    let cmp = d.comparison.as_ref().expect("a comparison");
    assert_eq!(cmp.at, compare_at);
    let ocr_cmp = cmp
        .rows
        .iter()
        .find(|r| r.process == Process::OcrReview)
        .unwrap();
    assert_eq!((ocr_cmp.before_cases, ocr_cmp.after_cases), (2, 2));
    close(ocr_cmp.before_work_minutes_median, 13.0, "before work");
    close(ocr_cmp.after_work_minutes_median, 7.0, "after work");
    close(ocr_cmp.before_elapsed_hours_median, 13.0, "before elapsed");
    close(ocr_cmp.after_elapsed_hours_median, 2.5, "after elapsed");
    close(
        ocr_cmp.work_change_percent.unwrap(),
        (7.0 - 13.0) / 13.0 * 100.0,
        "change",
    );
    let draft_cmp = cmp
        .rows
        .iter()
        .find(|r| r.process == Process::Acquisition && r.step == "draft")
        .unwrap();
    assert_eq!((draft_cmp.before_cases, draft_cmp.after_cases), (0, 7));
    close(draft_cmp.after_work_minutes_median, 40.0, "届 after");
    assert_eq!(draft_cmp.work_change_percent, None);

    // --- The other office, and every office.
    let somu: Dashboard = api
        .get(
            &query(from, to, Some("1101"), None),
            Some(u.reviewer.token()),
        )
        .await
        .parse();
    check_step(
        &somu,
        Process::Acquisition,
        "draft",
        (1, 100.0, 100.0, 100.0, 0.0, 0.0),
    );
    assert_eq!(somu.steps.len(), 1);
    assert_eq!(somu.deadline_cases, 1);
    assert!(somu.overdue.is_empty() && somu.comparison.is_none());
    assert_eq!(somu.ocr.documents, 0);
    let all: Dashboard = api
        .get(&query(from, to, None, None), Some(u.approver.token()))
        .await
        .parse();
    assert_eq!(all.query.office, None);
    // 10, 20, 30, 40, 50, 60, 80 and B1's 100 → mean 390 / 8, median (40 + 50) / 2,
    // p90 the ⌈7.2⌉ = 8th.
    check_step(
        &all,
        Process::Acquisition,
        "draft",
        (8, 390.0 / 8.0, 45.0, 100.0, 0.0, 0.0),
    );
    assert_eq!(all.deadline_cases, 12);

    // --- The 所属所長 sees their own office without asking for it: the same figures.
    let own: Dashboard = api
        .get(
            &query(from, to, None, Some(compare_at)),
            Some(u.head.token()),
        )
        .await
        .parse();
    assert_eq!(own.query.office.as_deref(), Some("1203"));
    assert_eq!(comparable(&own), comparable(&d));
    let own: Dashboard = api
        .get(&query(from, to, Some("1101"), None), Some(u.head_b.token()))
        .await
        .parse();
    assert_eq!(comparable(&own), comparable(&somu));

    // --- Through the app's client: the same figures, decoded by the app's code.
    let mut config = kyosai_sync_client::ClientConfig::new(&server.base_url, "0.1.0");
    config.root_ca_pem_path = Some(server.ca_pem_path().to_path_buf());
    let client = kyosai_sync_client::Api::new(config).unwrap();
    let params = DashboardParams {
        from: from.to_string(),
        to: to.to_string(),
        office: Some("1203".into()),
        compare_at: Some(compare_at.to_string()),
    };
    let via_app: Dashboard = client
        .analytics_dashboard(u.reviewer.token(), &params)
        .await
        .unwrap();
    assert_eq!(comparable(&via_app), comparable(&d));
    let e = client
        .analytics_dashboard::<Dashboard>(u.clerk.token(), &params)
        .await
        .unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.status),
        ("analytics.forbidden", Some(403))
    );
    let e = client
        .analytics_dashboard::<Dashboard>(
            u.head.token(),
            &DashboardParams {
                office: Some("1101".into()),
                ..params.clone()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.status),
        ("analytics.office_forbidden", Some(403))
    );
    let e = client
        .analytics_dashboard::<Dashboard>(
            u.reviewer.token(),
            &DashboardParams {
                from: "令和8年4月1日".into(),
                ..params
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.status),
        ("analytics.invalid_query", Some(400))
    );
    assert!(e.message.contains("YYYY-MM-DD"), "{}", e.message);
    server.stop().await;
}

/// The figures without what moves with the clock (the moment and the backlog's ages).
fn comparable(d: &Dashboard) -> Value {
    let mut v = serde_json::to_value(d).unwrap();
    v.as_object_mut().unwrap().remove("asOf");
    for b in v["backlog"].as_array_mut().unwrap() {
        b.as_object_mut().unwrap().remove("oldestHours");
    }
    v
}

async fn who_may_ask_and_bad_queries_are_refused(backend: TestBackend) {
    let (server, api, u) = start(backend).await;
    let today = today();
    let (from, to) = (today - Duration::days(30), today);
    let ok = query(from, to, None, None);
    let refused = |r: &Reply, status: StatusCode, code: &str| {
        let e = r.assert_error(status, code);
        e.message
    };

    // Office staff and IT: never, for any office.
    for who in [&u.clerk, &u.clerk_b, &u.it] {
        for q in [
            ok.clone(),
            query(from, to, Some("1203"), None),
            query(from, to, Some("1101"), None),
        ] {
            let m = refused(
                &api.get(&q, Some(who.token())).await,
                StatusCode::FORBIDDEN,
                "analytics.forbidden",
            );
            assert!(m.contains("所属所長"), "{m}");
        }
    }
    // A 所属所長: their own office only.
    for (who, own, other) in [(&u.head, "1203", "1101"), (&u.head_b, "1101", "1203")] {
        let d: Dashboard = api
            .get(&query(from, to, Some(own), None), Some(who.token()))
            .await
            .parse();
        assert_eq!(d.query.office.as_deref(), Some(own));
        refused(
            &api.get(&query(from, to, Some(other), None), Some(who.token()))
                .await,
            StatusCode::FORBIDDEN,
            "analytics.office_forbidden",
        );
    }
    // The secretariat and the 決裁権者: every office, or the one asked.
    for who in [&u.reviewer, &u.approver] {
        for office in [None, Some("1203"), Some("1101")] {
            let d: Dashboard = api
                .get(&query(from, to, office, None), Some(who.token()))
                .await
                .parse();
            assert_eq!(d.query.office.as_deref(), office);
        }
    }
    // Without a token: signed out.
    let r = api.get(&ok, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);

    // Bad queries, each with what to fix.
    let t = Some(u.reviewer.token());
    let base = "/analytics/v1/dashboard";
    let longest = from + Duration::days(366 * 3 - 1);
    let bad = [
        (format!("{base}?to={to}"), "from"),
        (format!("{base}?from={from}"), "to"),
        (format!("{base}?from=2026-02-30&to={to}"), "2026-02-30"),
        (format!("{base}?from=2026/04/01&to={to}"), "YYYY-MM-DD"),
        (format!("{base}?from={from}&to=today"), "YYYY-MM-DD"),
        (format!("{base}?from={to}&to={from}"), "後"),
        (
            format!("{base}?from={from}&to={}", longest + Duration::days(1)),
            "3年",
        ),
        (
            format!("{base}?from={from}&to={to}&compareAt=R8.4.1"),
            "compareAt",
        ),
    ];
    for (path, hint) in &bad {
        let m = refused(
            &api.get(path, t).await,
            StatusCode::BAD_REQUEST,
            "analytics.invalid_query",
        );
        assert!(m.contains(hint), "{path}: {m}");
    }
    // The longest period allowed, and a one-day one, are answered.
    for path in [
        query(from, longest, None, None),
        query(today, today, None, Some(today)),
    ] {
        let r = api.get(&path, t).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text);
    }
    // A comparison day outside the period: no comparison, not an error.
    let d: Dashboard = api
        .get(&query(from, to, None, Some(to + Duration::days(1))), t)
        .await
        .parse();
    assert!(d.comparison.is_none());
    server.stop().await;
}
