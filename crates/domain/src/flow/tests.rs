#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use serde_json::json;

use super::dashboard::{dashboard, jst_date};
use super::timeline::timeline;
use super::*;
use crate::acquisition::workflow::Role;
use crate::approval::{
    apply, content_hash, submit, Absence, Action, ApprovalActor, ApprovalState, Context,
    DecisionTable, Flags, Position,
};

const OFFICE: &str = "1203";

/// A Japan time.
fn j(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap() - Duration::hours(9)
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn user(id: &str, roles: &[Role], positions: &[Position], office: Option<&str>) -> ApprovalActor {
    ApprovalActor {
        user_id: id.to_string(),
        roles: roles.to_vec(),
        positions: positions.to_vec(),
        office_code: office.map(str::to_string),
    }
}

struct W {
    dir: Vec<ApprovalActor>,
    absences: Vec<Absence>,
    kind: String,
    amount: i64,
    hash: String,
}

impl W {
    fn new(kind: &str, amount: i64) -> W {
        use Position::*;
        W {
            dir: vec![
                user("drafter", &[Role::OfficeClerk], &[], Some(OFFICE)),
                user("head", &[Role::OfficeHead], &[], Some(OFFICE)),
                user("shinsa", &[Role::SecretariatReviewer], &[], None),
                user("kessai", &[Role::Approver], &[], None),
                user("kacho", &[Role::Approver], &[Kacho], None),
                user("keiri", &[Role::Approver], &[KeiriKacho], None),
                user("bucho", &[Role::Approver], &[Bucho], None),
                user("kyokucho", &[Role::Approver], &[Jimukyokucho], None),
            ],
            absences: Vec::new(),
            kind: kind.to_string(),
            amount,
            hash: content_hash(kind, "件名", &json!({ "amount": amount })),
        }
    }

    fn ctx(&self, now: DateTime<Utc>) -> Context<'_> {
        Context {
            now,
            today: jst_date(now),
            kind: &self.kind,
            office_code: OFFICE,
            content_hash: &self.hash,
            amount_yen: self.amount,
            absences: &self.absences,
            directory: &self.dir,
            table: DecisionTable::builtin(),
        }
    }

    fn who(&self, id: &str) -> ApprovalActor {
        self.dir.iter().find(|m| m.user_id == id).unwrap().clone()
    }

    fn submit(&self, prev: Option<&ApprovalState>, at: DateTime<Utc>) -> ApprovalState {
        submit(
            prev,
            &self.who("drafter"),
            Flags::default(),
            None,
            &self.ctx(at),
        )
        .unwrap()
    }

    fn act(&self, s: &ApprovalState, id: &str, a: Action, at: DateTime<Utc>) -> ApprovalState {
        apply(s, &self.who(id), &a, &self.ctx(at)).unwrap()
    }

    fn approve(&self, s: &ApprovalState, id: &str, at: DateTime<Utc>) -> ApprovalState {
        let a = Action::Approve {
            seen_hash: self.hash.clone(),
            comment: None,
        };
        self.act(s, id, a, at)
    }

    fn ret(&self, s: &ApprovalState, id: &str, at: DateTime<Utc>) -> ApprovalState {
        let a = Action::Return {
            seen_hash: self.hash.clone(),
            reason: "記載漏れ".to_string(),
        };
        self.act(s, id, a, at)
    }
}

fn case(id: &str, process: Process, created: DateTime<Utc>, a: Option<ApprovalState>) -> CaseInput {
    CaseInput {
        id: id.to_string(),
        process,
        office: OFFICE.to_string(),
        title: format!("件名 {id}"),
        created_at: created,
        approval: a,
        deadline: None,
    }
}

fn session(case: &str, step: &str, at: DateTime<Utc>, secs: u32) -> WorkSession {
    WorkSession {
        case_id: case.to_string(),
        step: step.to_string(),
        user: "u".to_string(),
        office: OFFICE.to_string(),
        started_at: at,
        active_seconds: secs,
    }
}

fn query(from: NaiveDate, to: NaiveDate) -> Query {
    Query {
        from,
        to,
        office: None,
        compare_at: None,
    }
}

fn step<'a>(d: &'a Dashboard, p: Process, s: &str) -> &'a StepFigures {
    d.steps
        .iter()
        .find(|f| f.process == p && f.step == s)
        .unwrap_or_else(|| panic!("no step {s} in {:?}", d.steps))
}

/// 提出 → 所属所長 承認 → 事務局審査 差戻し → 再提出 → 所属所長 → 事務局審査 → 決裁者.
fn returned_and_resubmitted() -> CaseInput {
    let w = W::new("acquisition", 0);
    let s = w.submit(None, j(2026, 6, 1, 10, 0));
    let s = w.approve(&s, "head", j(2026, 6, 1, 12, 0));
    let s = w.ret(&s, "shinsa", j(2026, 6, 2, 10, 0));
    let s = w.submit(Some(&s), j(2026, 6, 2, 11, 0));
    let s = w.approve(&s, "head", j(2026, 6, 2, 13, 0));
    let s = w.approve(&s, "shinsa", j(2026, 6, 3, 9, 0));
    let s = w.approve(&s, "kessai", j(2026, 6, 3, 10, 0));
    case("acq-1", Process::Acquisition, j(2026, 6, 1, 9, 0), Some(s))
}

#[test]
fn a_return_and_resubmission_adds_both_passes() {
    let c = returned_and_resubmitted();
    let tl = timeline(c.created_at, c.approval.as_ref());
    let steps: Vec<&str> = tl.passes.iter().map(|p| p.step.as_str()).collect();
    assert_eq!(
        steps,
        [
            "draft",
            "所属所長",
            "事務局審査担当",
            "draft",
            "所属所長",
            "事務局審査担当",
            "決裁者"
        ]
    );
    assert!(tl.passes.iter().all(|p| p.end.is_some()));
    assert_eq!(tl.finished_at, Some(j(2026, 6, 3, 10, 0)));

    let sessions = vec![
        session("acq-1", STEP_DRAFT, j(2026, 6, 1, 9, 0), 600),
        session("acq-1", STEP_DRAFT, j(2026, 6, 2, 10, 30), 300),
        session("acq-1", "所属所長", j(2026, 6, 1, 11, 50), 120),
        session("acq-1", "所属所長", j(2026, 6, 2, 12, 59), 60),
        session("other", STEP_DRAFT, j(2026, 6, 1, 9, 0), 9999),
    ];
    let d = dashboard(
        &[c],
        &[],
        &sessions,
        &query(day(2026, 6, 1), day(2026, 6, 30)),
        j(2026, 6, 30, 12, 0),
    );
    let draft = step(&d, Process::Acquisition, STEP_DRAFT);
    assert_eq!(draft.cases, 1);
    assert_eq!(draft.work_minutes_mean, 15.0);
    assert_eq!(draft.actor_label, "所属所 担当者");
    assert_eq!(draft.step_label, "起案・作成");
    // Elapsed 1 h + 1 h, working 15 min.
    assert_eq!(draft.wait_hours_median, 1.75);
    let head = step(&d, Process::Acquisition, "所属所長");
    assert_eq!(head.work_minutes_median, 3.0);
    // 2 h + 2 h elapsed − 3 min.
    assert!((head.wait_hours_median - (4.0 - 0.05)).abs() < 1e-9);
    let review = step(&d, Process::Acquisition, "事務局審査担当");
    assert_eq!(review.actor_label, "都共済 事務局審査担当");
    assert_eq!(review.work_minutes_mean, 0.0);
    // 22 h (to the 差戻し) + 20 h.
    assert_eq!(review.wait_hours_median, 42.0);
    let orders: Vec<(u32, &str)> = d
        .flow_table
        .iter()
        .map(|r| (r.order, r.step.as_str()))
        .collect();
    assert_eq!(
        orders,
        [
            (1, "draft"),
            (2, "所属所長"),
            (3, "事務局審査担当"),
            (4, "決裁者")
        ]
    );
    assert_eq!(d.flow_table[0].means, "共済デスク");
    assert_eq!(d.flow_table[1].means, "共済デスク（電子決裁）");
    // One case in 30 days → 365/30 a year; 15 min each.
    let r = &d.flow_table[0];
    assert!((r.cases_per_year - 365.0 / 30.0).abs() < 1e-9);
    assert!((r.hours_per_year - 15.0 * 365.0 / 30.0 / 60.0).abs() < 1e-9);
    let june = d
        .months
        .iter()
        .find(|m| m.month == "2026-06" && m.process == Process::Acquisition)
        .unwrap();
    assert_eq!((june.started, june.finished, june.open_at_end), (1, 1, 0));
    assert!(d.backlog.is_empty());
}

#[test]
fn a_consultation_step_completes_at_its_last_slot() {
    let w = W::new("contract", 5_000_000);
    let s = w.submit(None, j(2026, 6, 1, 9, 0));
    let s = w.approve(&s, "kacho", j(2026, 6, 1, 10, 0));
    let s = w.approve(&s, "keiri", j(2026, 6, 1, 11, 0));
    let s = w.approve(&s, "shinsa", j(2026, 6, 1, 14, 0));
    let c = case("k-1", Process::Contract, j(2026, 6, 1, 8, 30), Some(s));
    let tl = timeline(c.created_at, c.approval.as_ref());
    let consult = tl
        .passes
        .iter()
        .find(|p| p.step.starts_with("合議"))
        .unwrap();
    assert_eq!(consult.step, "合議（経理課長・事務局審査担当）");
    assert_eq!(
        (consult.start, consult.end),
        (j(2026, 6, 1, 10, 0), Some(j(2026, 6, 1, 14, 0)))
    );
    let open = tl.open().unwrap();
    assert_eq!(
        (open.step.as_str(), open.start),
        ("部長", j(2026, 6, 1, 14, 0))
    );
    let d = dashboard(
        &[c],
        &[],
        &[],
        &query(day(2026, 6, 1), day(2026, 6, 30)),
        j(2026, 6, 2, 14, 0),
    );
    let f = step(&d, Process::Contract, "合議（経理課長・事務局審査担当）");
    assert_eq!(f.actor_label, "経理課長・都共済 事務局審査担当");
    assert_eq!(f.wait_hours_median, 4.0);
    assert_eq!(
        step(&d, Process::Contract, STEP_DRAFT).actor_label,
        "起案者"
    );
    // Still open at 部長 for 24 hours.
    assert_eq!(d.backlog.len(), 1);
    assert_eq!(d.backlog[0].step, "部長");
    assert_eq!(d.backlog[0].open, 1);
    assert_eq!(d.backlog[0].oldest_hours, 24.0);
}

#[test]
fn delegation_fills_the_step() {
    let mut w = W::new("procurement", 100_000);
    w.absences.push(Absence {
        user_id: "kacho".to_string(),
        delegate_id: "kessai".to_string(),
        from: j(2026, 6, 1, 0, 0),
        until: j(2026, 6, 10, 0, 0),
    });
    let s = w.submit(None, j(2026, 6, 1, 9, 0));
    let a = Action::Delegate {
        for_user: "kacho".to_string(),
        seen_hash: w.hash.clone(),
        comment: None,
    };
    let s = w.act(&s, "kessai", a, j(2026, 6, 2, 9, 0));
    let c = case(
        "p-1",
        Process::ProcurementRequest,
        j(2026, 6, 1, 8, 0),
        Some(s),
    );
    let tl = timeline(c.created_at, c.approval.as_ref());
    assert_eq!(tl.finished_at, Some(j(2026, 6, 2, 9, 0)));
    assert!(tl.open().is_none());
    let d = dashboard(
        &[c],
        &[],
        &[session("p-1", "課長", j(2026, 6, 2, 8, 50), 600)],
        &query(day(2026, 6, 1), day(2026, 6, 30)),
        j(2026, 6, 3, 0, 0),
    );
    let k = step(&d, Process::ProcurementRequest, "課長");
    assert_eq!((k.cases, k.work_minutes_mean), (1, 10.0));
    assert!((k.wait_hours_median - (24.0 - 10.0 / 60.0)).abs() < 1e-9);
}

#[test]
fn an_open_case_is_backlog_not_a_figure() {
    let w = W::new("proposal", 0);
    let s = w.submit(None, j(2026, 6, 1, 9, 0));
    let open = case("pr-1", Process::Proposal, j(2026, 6, 1, 8, 0), Some(s));
    let never = case("pr-2", Process::Proposal, j(2026, 6, 5, 8, 0), None);
    let d = dashboard(
        &[open, never],
        &[],
        &[],
        &query(day(2026, 6, 1), day(2026, 6, 30)),
        j(2026, 6, 5, 9, 0),
    );
    // Only pr-1's drafting ended.
    assert_eq!(d.steps.len(), 1);
    assert_eq!(d.steps[0].step, STEP_DRAFT);
    assert_eq!(d.steps[0].cases, 1);
    let b: Vec<(&str, u32, f64)> = d
        .backlog
        .iter()
        .map(|b| (b.step.as_str(), b.open, b.oldest_hours))
        .collect();
    assert_eq!(b, [("draft", 1, 1.0), ("所属所長", 1, 96.0)]);
    let june = d
        .months
        .iter()
        .find(|m| m.month == "2026-06" && m.process == Process::Proposal)
        .unwrap();
    assert_eq!((june.started, june.finished, june.open_at_end), (2, 0, 2));
}

#[test]
fn months_turn_at_midnight_in_japan() {
    let before = case(
        "a",
        Process::Proposal,
        Utc.with_ymd_and_hms(2026, 4, 30, 14, 59, 59).unwrap(),
        None,
    );
    let after = case(
        "b",
        Process::Proposal,
        Utc.with_ymd_and_hms(2026, 4, 30, 15, 0, 0).unwrap(),
        None,
    );
    let d = dashboard(
        &[before, after],
        &[],
        &[],
        &query(day(2026, 4, 1), day(2026, 5, 31)),
        j(2026, 6, 1, 0, 0),
    );
    let m = |month: &str| {
        d.months
            .iter()
            .find(|m| m.month == month && m.process == Process::Proposal)
            .unwrap()
            .clone()
    };
    assert_eq!(m("2026-04").started, 1);
    assert_eq!(m("2026-04").open_at_end, 1);
    assert_eq!(m("2026-05").started, 1);
    assert_eq!(m("2026-05").open_at_end, 2);
    assert_eq!(d.months.len(), 2 * Process::ALL.len());
}

#[test]
fn deadlines_ocr_and_the_comparison() {
    let mut late = case("l", Process::Acquisition, j(2026, 6, 1, 9, 0), None);
    late.deadline = Some(DeadlineInput {
        rule_label: "5日以内の届出".to_string(),
        due: day(2026, 6, 8),
        met: Some(day(2026, 6, 10)),
    });
    let mut open = case("o", Process::Inspection, j(2026, 6, 1, 9, 0), None);
    open.deadline = Some(DeadlineInput {
        rule_label: "検査期限".to_string(),
        due: day(2026, 6, 20),
        met: None,
    });
    let mut ok = case("k", Process::PaymentOrder, j(2026, 6, 1, 9, 0), None);
    ok.deadline = Some(DeadlineInput {
        rule_label: "支払期限".to_string(),
        due: day(2026, 6, 20),
        met: Some(day(2026, 6, 20)),
    });
    let ocr = [
        OcrCaseInput {
            id: "d1".to_string(),
            office: OFFICE.to_string(),
            imported_at: j(2026, 6, 1, 9, 0),
            verified_at: Some(j(2026, 6, 1, 9, 30)),
            fields: 20,
            auto_accepted: 15,
            work_seconds: 240,
        },
        OcrCaseInput {
            id: "d2".to_string(),
            office: OFFICE.to_string(),
            imported_at: j(2026, 6, 20, 9, 0),
            verified_at: Some(j(2026, 6, 20, 10, 0)),
            fields: 20,
            auto_accepted: 19,
            work_seconds: 60,
        },
        OcrCaseInput {
            id: "d3".to_string(),
            office: "9999".to_string(),
            imported_at: j(2026, 6, 20, 9, 0),
            verified_at: None,
            fields: 20,
            auto_accepted: 0,
            work_seconds: 0,
        },
    ];
    let mut q = query(day(2026, 6, 1), day(2026, 6, 30));
    q.office = Some(OFFICE.to_string());
    q.compare_at = Some(day(2026, 6, 15));
    let d = dashboard(&[late, open, ok], &ocr, &[], &q, j(2026, 6, 25, 12, 0));
    assert_eq!(d.deadline_cases, 3);
    let od: Vec<(&str, u32)> = d
        .overdue
        .iter()
        .map(|o| (o.case_id.as_str(), o.days_late))
        .collect();
    assert_eq!(od, [("o", 5), ("l", 2)]);
    assert_eq!(d.ocr.documents, 2);
    assert_eq!(d.ocr.straight_through_rate, 34.0 / 40.0);
    let r = step(&d, Process::OcrReview, STEP_OCR_REVIEW);
    assert_eq!((r.cases, r.work_minutes_mean), (2, 2.5));
    assert_eq!(r.actor_label, "都共済 担当者");
    assert_eq!(d.flow_table[0].means, "共済デスク（AI-OCR）");
    let c = d.comparison.unwrap();
    let row = c.rows.iter().find(|r| r.step == STEP_OCR_REVIEW).unwrap();
    assert_eq!((row.before_cases, row.after_cases), (1, 1));
    assert_eq!(row.before_work_minutes_median, 4.0);
    assert_eq!(row.after_work_minutes_median, 1.0);
    assert_eq!(row.work_change_percent, Some(-75.0));
    assert_eq!(row.before_elapsed_hours_median, 0.5);
    // d3 is another office's; the three cases never submitted are drafting.
    assert!(d.backlog.iter().all(|b| b.step == STEP_DRAFT));
    assert_eq!(d.backlog.len(), 3);
}

fn naive_median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

fn naive_p90(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let rank = (0.9 * s.len() as f64 - 1e-9).ceil() as usize;
    s[rank.max(1) - 1]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn step_figures_match_a_naive_recomputation(
        drafts in prop::collection::vec(
            (1u32..600, prop::collection::vec(0u32..3600, 0..4)),
            1..40,
        )
    ) {
        let w = W::new("proposal", 0);
        let mut cases = Vec::new();
        let mut sessions = Vec::new();
        let mut work = Vec::new();
        let mut wait = Vec::new();
        for (i, (draft_minutes, secs)) in drafts.iter().enumerate() {
            let created = j(2026, 6, 1, 9, 0) + Duration::minutes(i as i64);
            let submitted = created + Duration::minutes(i64::from(*draft_minutes));
            let id = format!("c{i}");
            cases.push(case(&id, Process::Proposal, created, Some(w.submit(None, submitted))));
            for s in secs {
                sessions.push(session(&id, STEP_DRAFT, created, *s));
            }
            let working: f64 = secs.iter().map(|s| f64::from(*s)).sum();
            work.push(working / 60.0);
            wait.push((f64::from(*draft_minutes) * 60.0 - working).max(0.0) / 3600.0);
        }
        let d = dashboard(&cases, &[], &sessions, &query(day(2026, 6, 1), day(2026, 6, 30)), j(2026, 7, 1, 0, 0));
        let f = step(&d, Process::Proposal, STEP_DRAFT);
        prop_assert_eq!(f.cases as usize, drafts.len());
        let mean = work.iter().sum::<f64>() / work.len() as f64;
        prop_assert!((f.work_minutes_mean - mean).abs() < 1e-9);
        prop_assert!((f.work_minutes_median - naive_median(&work)).abs() < 1e-9);
        prop_assert!((f.work_minutes_p90 - naive_p90(&work)).abs() < 1e-9);
        prop_assert!((f.wait_hours_median - naive_median(&wait)).abs() < 1e-9);
        prop_assert!((f.wait_hours_p90 - naive_p90(&wait)).abs() < 1e-9);
        let row = &d.flow_table[0];
        prop_assert!((row.hours_per_year - row.minutes_per_case * row.cases_per_year / 60.0).abs() < 1e-9);
    }
}
