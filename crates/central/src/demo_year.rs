//! A generated year of demo activity (`kyosai-central demo-year`) for 業務の見える化:
//! about 3,000 cases of the demo offices ending at a given day — 資格取得届 (with the
//! April hiring peak and the 5-day filing deadline), 起案文書, the procurement chain
//! 調達依頼 → 契約 → 検収・検査 → 支出命令 with its payment batches (the fiscal year's
//! March peak, inspection and payment deadlines), AI-OCR documents (straight through or
//! corrected) — and the working time of every step (work sessions).
//!
//! Every approval history is made by the real approval engine (`kyosai_domain::approval`,
//! [`appr::submit`] and [`appr::apply`] as the service calls them on push); a 資格取得届
//! passes the server's own check at each submission (late ones carry a reason, warnings
//! are acknowledged), a step document's parent is decided before it is submitted, and a
//! request stays within its budget line. Deterministic for a seed and a last day.
//!
//! **Demo only**, like [`crate::demo`]: never load this into a database that holds real
//! work. Loading twice changes nothing.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc, Weekday};
use kyosai_domain::acquisition::{
    self as acq, Acknowledgement, AcquisitionForm, AcquisitionReason, AcquisitionSection,
    Appointment, EmploymentSection, MemberSection, MemberType, MyNumberText, OfficeSection,
    PensionPeriod, PensionScheme, Sex,
};
use kyosai_domain::approval::{self as appr, ApprovalActor, ApprovalState, Status};
use kyosai_domain::flow::dashboard::{jst, jst_date};
use kyosai_domain::flow::{step_key, STEP_DRAFT};
use kyosai_domain::procurement::calendar::HolidayTable;
use kyosai_domain::procurement::contract::{Category, ContractDocument, Method, NegotiatedGround};
use kyosai_domain::procurement::deadlines::WorkType;
use kyosai_domain::procurement::document::InspectionResult;
use kyosai_domain::procurement::steps::{
    BudgetLine, BudgetRef, ContractBody, InspectionBody, Item, PaymentOrderBody, Quote, RequestBody,
};
use kyosai_domain::procurement::vendor::Vendor;
use kyosai_domain::remuneration::RemunerationInput;
use kyosai_sync_protocol::{Record, Role};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::demo::{DemoUser, DEMO_OFFICES, DEMO_USERS};
use crate::storage::{AdminError, NewUser, Storage, StorageError, WorkSessionRow};

/// The seed `demo-year` uses unless told otherwise.
pub const DEFAULT_SEED: u64 = 2026;
/// The `source` of the audit entries of a load.
pub const AUDIT_SOURCE: &str = "demo_year";
/// Records and sessions written per transaction.
const BATCH: usize = 1_000;

/// The office head of 東京都総務局, added by the year (the small demo has a head of
/// 新宿区役所 only; the year's 資格取得届 and 起案 of 1101 need theirs).
pub const EXTRA_USERS: &[DemoUser] = &[DemoUser {
    id: "shocho1101",
    name: "森 健太郎",
    role: Role::OfficeHead,
    office: Some("1101"),
    positions: &[],
}];

/// The kind of a written transfer file (see `analytics::KIND_PAYMENT_BATCH`).
const KIND_BATCH: &str = crate::analytics::KIND_PAYMENT_BATCH;
const KIND_BUDGET: &str = "budget";
const KIND_OCR: &str = "ocr_document";

/// The year's budget lines (per office and fiscal year), apart from the small demo's.
const BUDGET_LINES: &[(&str, &str, i64)] = &[
    ("01-05-01", "事務費 備品購入費（年間）", 400_000_000),
    ("01-05-02", "事務費 消耗品費（年間）", 200_000_000),
    ("01-05-03", "事務費 委託料（年間）", 900_000_000),
];

/// What [`generate`] made.
#[derive(Debug, Clone, Default)]
pub struct Year {
    pub from: NaiveDate,
    pub until: NaiveDate,
    pub records: Vec<Record>,
    pub sessions: Vec<WorkSessionRow>,
    /// Problems the generator met (a refused submission or action); empty when sound.
    pub problems: Vec<String>,
}

impl Year {
    /// Cases per record kind (budget lines and payment batches are not cases).
    pub fn cases_by_kind(&self) -> BTreeMap<String, usize> {
        let mut m = BTreeMap::new();
        for r in &self.records {
            if r.kind != KIND_BUDGET && r.kind != KIND_BATCH {
                *m.entry(r.kind.clone()).or_insert(0) += 1;
            }
        }
        m
    }

    /// Every case (records of the kinds the 見える化 covers).
    pub fn case_count(&self) -> usize {
        self.cases_by_kind().values().sum()
    }
}

/// What [`load`] added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YearSummary {
    pub from: NaiveDate,
    pub until: NaiveDate,
    /// `false`: this year (seed and last day) was loaded before; nothing was added.
    pub loaded: bool,
    pub users_added: usize,
    pub records_added: u64,
    pub sessions_added: u64,
    /// Cases per kind of the generated year.
    pub cases_by_kind: BTreeMap<String, usize>,
}

// ---------------------------------------------------------------------------------------
// Randomness: SplitMix64 (deterministic, no dependency).

#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn f(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.f() < p
    }

    /// Uniform in lo..=hi.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + (self.next_u64() % (hi - lo + 1) as u64) as i64
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let i = self.range(0, items.len() as i64 - 1) as usize;
        &items[i.min(items.len() - 1)]
    }

    /// Log-normal with this median and spread (σ of the logarithm).
    fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        let u1 = self.f().max(1e-12);
        let u2 = self.f();
        let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
        median * (sigma * z).exp()
    }
}

// ---------------------------------------------------------------------------------------
// Office hours (Japan time): 8:30–17:15 on working days.

const OPEN_MIN: i64 = 8 * 60 + 30;
const CLOSE_MIN: i64 = 17 * 60 + 15;

fn is_workday(d: NaiveDate) -> bool {
    let closed_new_year = (d.month() == 12 && d.day() >= 29) || (d.month() == 1 && d.day() <= 3);
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
        && !closed_new_year
        && !HolidayTable::builtin().is_holiday(d)
}

fn next_workday(mut d: NaiveDate) -> NaiveDate {
    for _ in 0..30 {
        if is_workday(d) {
            return d;
        }
        d = d.succ_opt().unwrap_or(d);
    }
    d
}

/// The instant `minute` minutes after midnight of the Japan day `d`.
fn at_minute(d: NaiveDate, minute: i64) -> DateTime<Utc> {
    let naive = d.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::minutes(minute);
    jst()
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&naive))
}

/// Seconds since midnight (Japan time) of an instant.
fn jst_seconds(t: DateTime<Utc>) -> i64 {
    i64::from(t.with_timezone(&jst()).num_seconds_from_midnight())
}

/// `t` moved into office hours (the next opening when outside them).
fn in_hours(t: DateTime<Utc>) -> DateTime<Utc> {
    let d = jst_date(t);
    let s = jst_seconds(t);
    if is_workday(d) && (OPEN_MIN * 60..CLOSE_MIN * 60).contains(&s) {
        return t;
    }
    let day = if is_workday(d) && s < OPEN_MIN * 60 {
        d
    } else {
        next_workday(d.succ_opt().unwrap_or(d))
    };
    at_minute(day, OPEN_MIN)
}

/// `t` plus `seconds` of office hours.
fn add_work(t: DateTime<Utc>, seconds: i64) -> DateTime<Utc> {
    let mut t = in_hours(t);
    let mut left = seconds.max(0);
    for _ in 0..2_000 {
        let d = jst_date(t);
        let room = CLOSE_MIN * 60 - jst_seconds(t);
        if left < room {
            return t + Duration::seconds(left);
        }
        left -= room;
        t = at_minute(next_workday(d.succ_opt().unwrap_or(d)), OPEN_MIN);
    }
    t
}

/// A random moment in the office hours of day `d`.
fn moment_on(rng: &mut Rng, d: NaiveDate) -> DateTime<Utc> {
    at_minute(d, OPEN_MIN) + Duration::seconds(rng.range(0, (CLOSE_MIN - OPEN_MIN) * 60 - 1800))
}

/// Working days of `from..=to`.
fn workdays(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    from.iter_days()
        .take_while(|d| *d <= to)
        .filter(|d| is_workday(*d))
        .collect()
}

// ---------------------------------------------------------------------------------------
// The generator.

/// People of the year: the demo users and [`EXTRA_USERS`].
fn directory() -> Vec<ApprovalActor> {
    DEMO_USERS
        .iter()
        .chain(EXTRA_USERS)
        .map(|u| ApprovalActor {
            user_id: u.id.to_string(),
            roles: vec![crate::model::domain_role(u.role)],
            positions: u.positions.to_vec(),
            office_code: u.office.map(str::to_string),
        })
        .collect()
}

fn clerks_of(office: &str) -> &'static [&'static str] {
    match office {
        "1203" => &["tanto1203", "tanto1203b"],
        "1101" => &["tanto1101"],
        _ => &["shinsa"],
    }
}

fn office_name(code: &str) -> &'static str {
    DEMO_OFFICES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("", |(_, n)| *n)
}

/// How long people take: (median, σ) of working minutes per step, and of the waiting
/// (office minutes) before a step is picked up.
#[derive(Debug, Clone, Copy)]
struct Pace {
    draft: (f64, f64),
    approve: (f64, f64),
    wait: (f64, f64),
    /// Chance of a 差戻し at a step (per pass), and of a 却下 at the last one.
    return_p: f64,
    reject_p: f64,
}

/// One case as it is simulated.
struct CaseSpec<'a> {
    id: Uuid,
    kind: &'static str,
    office: &'a str,
    title: String,
    drafter: &'a str,
    created_at: DateTime<Utc>,
    pace: Pace,
    flags: appr::Flags,
}

/// A simulated case: its record and when it was decided (if it was).
struct Done {
    record: Record,
    decided_at: Option<DateTime<Utc>>,
    status: Option<Status>,
}

struct Gen {
    rng: Rng,
    seed: u64,
    from: NaiveDate,
    until: NaiveDate,
    /// Nothing happens from this instant on (the day after `until`, 00:00 JST).
    horizon: DateTime<Utc>,
    dir: Vec<ApprovalActor>,
    records: Vec<Record>,
    sessions: Vec<WorkSessionRow>,
    problems: Vec<String>,
    next_id: u64,
    next_session: u64,
}

impl Gen {
    fn id(&mut self) -> Uuid {
        self.next_id += 1;
        record_id(self.seed, self.next_id)
    }

    fn session(
        &mut self,
        case: &CaseSpec<'_>,
        step: String,
        user: &str,
        start: DateTime<Utc>,
        seconds: i64,
    ) {
        self.next_session += 1;
        self.sessions.push(WorkSessionRow {
            session_id: Uuid::from_u128(
                0x6b79_6f73_6169_0003_0000_0000_0000_0000
                    + (u128::from(self.seed & 0xffff_ffff) << 40)
                    + u128::from(self.next_session),
            ),
            record_id: case.id,
            kind: case.kind.to_string(),
            step,
            user_id: user.to_string(),
            office_code: case.office.to_string(),
            started_at: start,
            active_seconds: u32::try_from(seconds.clamp(5, 8 * 3600)).unwrap_or(5),
        });
    }

    fn actor(&self, id: &str) -> Option<ApprovalActor> {
        self.dir.iter().find(|a| a.user_id == id).cloned()
    }

    /// Working seconds drawn from (median minutes, σ).
    fn work(&mut self, (median, sigma): (f64, f64)) -> i64 {
        (self.rng.lognormal(median, sigma) * 60.0)
            .round()
            .clamp(20.0, 6.0 * 3600.0) as i64
    }

    /// Waiting (office seconds) drawn from (median minutes, σ): up to 60 working days.
    fn wait(&mut self, (median, sigma): (f64, f64)) -> i64 {
        (self.rng.lognormal(median, sigma) * 60.0)
            .round()
            .clamp(60.0, 60.0 * 525.0 * 60.0) as i64
    }

    /// Drafting: one or two sessions ending before `submit` is decided. Returns when the
    /// drafter is done (`None` past the horizon).
    fn draft(&mut self, case: &CaseSpec<'_>, start: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let total = self.work(case.pace.draft);
        let start = in_hours(start);
        let end = if self.rng.chance(0.3) {
            let first = total * 6 / 10;
            let end1 = add_work(start, first);
            let gap = self.wait((90.0, 1.0));
            let start2 = add_work(end1, gap);
            let end2 = add_work(start2, total - first);
            if end2 >= self.horizon {
                return None;
            }
            self.session(case, STEP_DRAFT.to_string(), case.drafter, start, first);
            self.session(
                case,
                STEP_DRAFT.to_string(),
                case.drafter,
                start2,
                total - first,
            );
            end2
        } else {
            let end = add_work(start, total);
            if end >= self.horizon {
                return None;
            }
            self.session(case, STEP_DRAFT.to_string(), case.drafter, start, total);
            end
        };
        Some(end)
    }

    /// Runs one case: drafting, 提出, and each step's decision by the engine, until it is
    /// decided or the year ends. `body_for(day)` is the body as submitted on `day` (a
    /// 資格取得届 carries what the check of that day asks for).
    fn run(&mut self, case: CaseSpec<'_>, body_for: &mut dyn FnMut(NaiveDate) -> Value) -> Done {
        let table = appr::DecisionTable::builtin();
        let mut body = body_for(jst_date(case.created_at));
        let mut state: Option<ApprovalState> = None;
        let mut updated_at = case.created_at;
        let mut updated_by = case.drafter.to_string();
        let mut version = 1_i64;
        let mut decided_at = None;
        let drafter = self.actor(case.drafter);
        let mut t = case.created_at;
        // Drafting (again after a 差戻し), then 提出.
        'case: while let Some(done) = self.draft(&case, t) {
            // Some drafts are put aside and never submitted (still open).
            let gap = if self.rng.chance(0.01) {
                i64::MAX / 4
            } else {
                self.wait((15.0, 1.0))
            };
            let submit_at = add_work(done, gap.min(400 * 525 * 60));
            if submit_at >= self.horizon {
                break;
            }
            body = body_for(jst_date(submit_at));
            let hash = appr::content_hash(case.kind, &case.title, &body);
            let amount = appr::document_amount(&body);
            let ctx = |now: DateTime<Utc>, hash: &'_ str| {
                (
                    now,
                    appr::jst(now).date(),
                    hash.to_string(),
                    amount,
                    case.office.to_string(),
                )
            };
            let Some(d) = drafter.as_ref() else {
                self.problems.push(format!("{}: no drafter", case.title));
                break;
            };
            let c = ctx(submit_at, &hash);
            let context = appr::Context {
                now: c.0,
                today: c.1,
                kind: case.kind,
                office_code: &c.4,
                content_hash: &c.2,
                amount_yen: c.3,
                absences: &[],
                directory: &self.dir,
                table,
            };
            let next = match appr::submit(state.as_ref(), d, case.flags, None, &context) {
                Ok(s) => s,
                Err(e) => {
                    self.problems.push(format!("{}: submit: {e}", case.title));
                    break;
                }
            };
            state = Some(next);
            version += 1;
            updated_at = submit_at;
            updated_by = case.drafter.to_string();
            t = submit_at;
            // The steps.
            loop {
                let Some(st) = state.clone() else { break 'case };
                if st.status != Status::InProgress {
                    break;
                }
                let Some(step) = st.steps.get(st.current_step) else {
                    break 'case;
                };
                let Some(slot) = step.slots.iter().find(|s| s.done.is_none()) else {
                    break 'case;
                };
                let Some(who) = self
                    .dir
                    .iter()
                    .find(|a| {
                        a.user_id != st.drafter
                            && a.fills(slot.approver, case.office)
                            && !st.has_acted(&a.user_id)
                    })
                    .cloned()
                else {
                    self.problems
                        .push(format!("{}: nobody fills {:?}", case.title, slot.approver));
                    break 'case;
                };
                // The secretariat's review reads the whole case; the heads and the
                // 決裁者 mostly sign off what was checked before them.
                let label = step_key(Some(&st));
                let (work_scale, wait_scale) = match label.as_str() {
                    "事務局審査担当" => (2.2, 2.0),
                    "所属所長" => (0.7, 0.5),
                    "決裁者" | "課長" => (0.6, 1.0),
                    _ => (1.0, 1.0),
                };
                // Now and then a case lies in someone's tray for weeks.
                let stalled = if self.rng.chance(0.02) { 40.0 } else { 1.0 };
                let (wm, ws) = case.pace.wait;
                let wait = self.wait((wm * wait_scale * stalled, ws));
                let start = add_work(t, wait);
                let (am, asig) = case.pace.approve;
                let w = self.work((am * work_scale, asig));
                let act_at = add_work(start, w);
                if act_at >= self.horizon {
                    break 'case;
                }
                self.session(&case, label, &who.user_id, start, w);
                let last = st.current_step + 1 == st.steps.len()
                    && step.slots.iter().filter(|s| s.done.is_none()).count() == 1;
                let r = self.rng.f();
                let action = if r < case.pace.return_p && st.round < 3 {
                    appr::Action::Return {
                        seen_hash: hash.clone(),
                        reason: "記載内容に確認が必要な点があります。修正して再提出してください。"
                            .to_string(),
                    }
                } else if last && r < case.pace.return_p + case.pace.reject_p {
                    appr::Action::Reject {
                        seen_hash: hash.clone(),
                        reason: "今回は見送ります。".to_string(),
                    }
                } else {
                    appr::Action::Approve {
                        seen_hash: hash.clone(),
                        comment: None,
                    }
                };
                let c = ctx(act_at, &hash);
                let context = appr::Context {
                    now: c.0,
                    today: c.1,
                    kind: case.kind,
                    office_code: &c.4,
                    content_hash: &c.2,
                    amount_yen: c.3,
                    absences: &[],
                    directory: &self.dir,
                    table,
                };
                match appr::apply(&st, &who, &action, &context) {
                    Ok(next) => {
                        if next.status.is_decided() {
                            decided_at = next.decided_at.or(Some(act_at));
                        }
                        let returned = next.status == Status::Returned;
                        state = Some(next);
                        version += 1;
                        updated_at = act_at;
                        updated_by = who.user_id.clone();
                        t = act_at;
                        if returned {
                            // The drafter picks it up again after a while.
                            let back = self.wait((240.0, 1.0));
                            t = add_work(act_at, back);
                            continue 'case;
                        }
                    }
                    Err(e) => {
                        self.problems.push(format!("{}: {e}", case.title));
                        break 'case;
                    }
                }
            }
            break;
        }
        let status = state.as_ref().map(|s| s.status);
        if let (Some(s), Some(map)) = (&state, body.as_object_mut()) {
            match serde_json::to_value(s) {
                Ok(v) => {
                    map.insert(appr::BODY_KEY.to_string(), v);
                }
                Err(e) => self.problems.push(format!("{}: {e}", case.title)),
            }
        }
        Done {
            record: Record {
                id: case.id,
                kind: case.kind.to_string(),
                office_code: case.office.to_string(),
                version,
                state: status.map_or("draft", |s| s.record_state()).to_string(),
                title: case.title.clone(),
                body,
                created_by: case.drafter.to_string(),
                updated_by,
                created_at: case.created_at,
                updated_at,
            },
            decided_at,
            status,
        }
    }
}

/// Cases per month of the fiscal year (April first) for a full month.
const ACQUISITIONS: [u32; 12] = [360, 70, 50, 60, 40, 50, 80, 40, 40, 60, 50, 60];
const PROCUREMENT: [u32; 12] = [15, 20, 25, 25, 20, 25, 25, 25, 25, 30, 35, 50];
const PROPOSALS: [u32; 12] = [20; 12];
const OCR: [u32; 12] = [110, 50, 40, 45, 35, 40, 55, 40, 40, 45, 40, 45];

fn fiscal_index(d: NaiveDate) -> usize {
    ((d.month() + 8) % 12) as usize
}

/// The months of the year `from..=until` as (first, last) days inside it, with the share
/// of the month's working days that lie inside.
fn months(from: NaiveDate, until: NaiveDate) -> Vec<(NaiveDate, NaiveDate, f64)> {
    let mut out = Vec::new();
    let mut first = NaiveDate::from_ymd_opt(from.year(), from.month(), 1).unwrap_or(from);
    while first <= until {
        let next = first
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(until);
        let last = next.pred_opt().unwrap_or(first);
        let (a, b) = (first.max(from), last.min(until));
        let all = workdays(first, last).len().max(1) as f64;
        let share = workdays(a, b).len() as f64 / all;
        out.push((a, b, share));
        first = next;
    }
    out
}

fn scaled(rng: &mut Rng, n: u32, share: f64) -> u32 {
    let x = f64::from(n) * share;
    let base = x.floor();
    (base as u32) + u32::from(rng.chance(x - base))
}

const SURNAMES: &[(&str, &str)] = &[
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
    ("山田", "ヤマダ"),
    ("佐々木", "ササキ"),
    ("松本", "マツモト"),
    ("井上", "イノウエ"),
    ("木村", "キムラ"),
    ("林", "ハヤシ"),
    ("清水", "シミズ"),
];
const GIVEN: &[(&str, &str, Sex)] = &[
    ("太郎", "タロウ", Sex::Male),
    ("翔", "ショウ", Sex::Male),
    ("大輝", "ダイキ", Sex::Male),
    ("健太", "ケンタ", Sex::Male),
    ("悠斗", "ユウト", Sex::Male),
    ("誠", "マコト", Sex::Male),
    ("花子", "ハナコ", Sex::Female),
    ("さくら", "サクラ", Sex::Female),
    ("美咲", "ミサキ", Sex::Female),
    ("陽菜", "ヒナ", Sex::Female),
    ("結衣", "ユイ", Sex::Female),
    ("愛", "アイ", Sex::Female),
];

fn my_number(rng: &mut Rng) -> String {
    let first: String = (0..11)
        .map(|i| {
            let d = rng.range(if i == 0 { 1 } else { 0 }, 9);
            char::from(b'0' + d as u8)
        })
        .collect();
    let check = kyosai_domain::ids::my_number_check_digit(&first).unwrap_or(0);
    format!("{first}{check}")
}

/// A 資格取得届 as the clerk completes it for submission on `today`: a late one carries
/// its reason, and every warning of the server's check is acknowledged.
fn acquisition_form(
    base: &AcquisitionForm,
    today: NaiveDate,
    problems: &mut Vec<String>,
) -> AcquisitionForm {
    let mut form = base.clone();
    form.office.certified_on = Some(today);
    let ctx = acq::CheckContext {
        today,
        received_on: None,
    };
    let mut findings = acq::check_for_submission(&form, &ctx);
    if findings.iter().any(|f| f.is_error()) && form.acquisition.late_reason.is_none() {
        form.acquisition.late_reason =
            Some("採用手続きの書類がそろうのが遅れたため、届出が遅れました。".to_string());
        findings = acq::check_for_submission(&form, &ctx);
    }
    if let Some(e) = findings.iter().find(|f| f.is_error()) {
        problems.push(format!("資格取得届 {}: {}", e.code, e.message));
    }
    form.acknowledgements = findings
        .iter()
        .filter(|f| !f.is_error())
        .map(Acknowledgement::of)
        .collect();
    form
}

fn record_id(seed: u64, n: u64) -> Uuid {
    Uuid::from_u128(
        0x6b79_6f73_6169_0002_0000_0000_0000_0000
            + (u128::from(seed & 0xffff_ffff) << 32)
            + u128::from(n),
    )
}

/// The id of the year's first record (a budget line) for `seed`.
pub fn first_id(seed: u64) -> Uuid {
    record_id(seed, 1)
}

/// The first day of the year ending `until`: the same day a year before, plus one.
pub fn year_start(until: NaiveDate) -> NaiveDate {
    until
        .checked_sub_months(chrono::Months::new(12))
        .and_then(|d| d.succ_opt())
        .unwrap_or(until)
}

/// The year ending `until` (inclusive), generated from `seed`.
pub fn generate(until: NaiveDate, seed: u64) -> Year {
    let from = year_start(until);
    let mut g = Gen {
        rng: Rng::new(seed),
        seed,
        from,
        until,
        horizon: at_minute(until.succ_opt().unwrap_or(until), 0),
        dir: directory(),
        records: Vec::new(),
        sessions: Vec::new(),
        problems: Vec::new(),
        next_id: 0,
        next_session: 0,
    };
    budgets(&mut g);
    acquisitions(&mut g);
    proposals(&mut g);
    procurement(&mut g);
    ocr_documents(&mut g);
    Year {
        from,
        until,
        records: g.records,
        sessions: g.sessions,
        problems: g.problems,
    }
}

fn fiscal_year(d: NaiveDate) -> i32 {
    kyosai_domain::fiscal::fiscal_year(d)
}

fn budgets(g: &mut Gen) {
    let years: Vec<i32> = {
        let mut v = vec![fiscal_year(g.from), fiscal_year(g.until)];
        v.dedup();
        v
    };
    for office in ["1203", "1101"] {
        for fy in &years {
            for (code, name, allocated) in BUDGET_LINES {
                let line = BudgetLine {
                    fiscal_year: *fy,
                    code: (*code).to_string(),
                    name: (*name).to_string(),
                    allocated: *allocated,
                };
                let at = at_minute(g.from, OPEN_MIN);
                let id = g.id();
                g.records.push(Record {
                    id,
                    kind: KIND_BUDGET.to_string(),
                    office_code: office.to_string(),
                    version: 1,
                    state: "draft".to_string(),
                    title: format!("{code} {name}（{fy}年度）"),
                    body: serde_json::to_value(&line).unwrap_or_default(),
                    created_by: "keiri".to_string(),
                    updated_by: "keiri".to_string(),
                    created_at: at,
                    updated_at: at,
                });
            }
        }
    }
}

fn acquisitions(g: &mut Gen) {
    let pace = Pace {
        draft: (25.0, 0.5),
        approve: (6.0, 0.6),
        wait: (200.0, 1.1),
        return_p: 0.05,
        reject_p: 0.004,
    };
    for (first, last, share) in months(g.from, g.until) {
        let count = scaled(&mut g.rng, ACQUISITIONS[fiscal_index(first)], share);
        let days = workdays(first, last);
        if days.is_empty() {
            continue;
        }
        for _ in 0..count {
            let office = if g.rng.chance(0.6) { "1203" } else { "1101" };
            let april = first.month() == 4;
            // Acquired: 1 April for the new hires of April, else the 1st or any day.
            let month_first =
                NaiveDate::from_ymd_opt(first.year(), first.month(), 1).unwrap_or(first);
            let acquired = if (april && g.rng.chance(0.85)) || g.rng.chance(0.5) {
                month_first
            } else {
                *g.rng.pick(&days)
            };
            // Most are typed within three working days; some much later.
            let lag = if g.rng.chance(0.08) {
                g.rng.range(4, 12)
            } else if g.rng.chance(0.7) {
                0
            } else {
                g.rng.range(1, 2)
            };
            let mut day = next_workday(acquired);
            for _ in 0..lag {
                day = next_workday(day.succ_opt().unwrap_or(day));
            }
            let day = day.max(first);
            if day > g.until {
                continue;
            }
            let created = moment_on(&mut g.rng, day);
            let (sn, sk) = *g.rng.pick(SURNAMES);
            let (gn, gk, sex) = *g.rng.pick(GIVEN);
            let new_grad = april || g.rng.chance(0.4);
            let age = if new_grad {
                g.rng.range(22, 24)
            } else {
                g.rng.range(25, 50)
            } as i32;
            let birth = NaiveDate::from_ymd_opt(
                acquired.year() - age - 1,
                g.rng.range(4, 12) as u32,
                g.rng.range(1, 28) as u32,
            )
            .unwrap_or(acquired);
            let twenty = NaiveDate::from_ymd_opt(birth.year() + 20, birth.month(), birth.day())
                .and_then(|d| d.pred_opt());
            let pension = format!(
                "{:04}-{:06}",
                g.rng.range(1000, 9999),
                g.rng.range(0, 999_999)
            );
            let base = AcquisitionForm {
                office: OfficeSection {
                    code: Some(office.into()),
                    name: Some(office_name(office).into()),
                    certified_on: None,
                    received_on: None,
                },
                member: MemberSection {
                    name: Some(format!("{sn}　{gn}")),
                    name_kana: Some(format!("{sk}　{gk}")),
                    birth_date: Some(birth),
                    sex: Some(sex),
                    postal_code: Some("160-8484".into()),
                    address: Some("東京都新宿区歌舞伎町一丁目4番1号".into()),
                    my_number: Some(MyNumberText::new(my_number(&mut g.rng))),
                    basic_pension_number: Some(pension),
                },
                acquisition: AcquisitionSection {
                    acquired_on: Some(acquired),
                    reason: Some(AcquisitionReason::NewHire),
                    reason_detail: None,
                    member_type: Some(MemberType::General),
                    appointment: Some(Appointment::Regular),
                    term_start: None,
                    term_end: None,
                    late_reason: None,
                },
                employment: EmploymentSection {
                    job_title: Some("主事".into()),
                    salary_table: Some("行政職給料表（一）".into()),
                    salary_class: Some(1),
                    salary_step: Some(25),
                },
                remuneration: RemunerationInput {
                    salary: Some(143_700),
                    commuting_allowance: Some(14_000),
                    ..Default::default()
                },
                pension_history: vec![PensionPeriod {
                    kind: Some(PensionScheme::NationalPension),
                    kind_detail: None,
                    acquired_on: twenty,
                    lost_on: Some(acquired),
                }],
                dependants: Vec::new(),
                acknowledgements: Vec::new(),
            };
            let title = format!("組合員資格取得届　{sn}　{gn}");
            let clerk = *g.rng.pick(clerks_of(office));
            let id = g.id();
            let case = CaseSpec {
                id,
                kind: "acquisition",
                office,
                title,
                drafter: clerk,
                created_at: created,
                pace,
                flags: appr::Flags::default(),
            };
            let mut problems = Vec::new();
            let mut body_for = |today: NaiveDate| {
                serde_json::to_value(acquisition_form(&base, today, &mut problems))
                    .unwrap_or_default()
            };
            let done = g.run(case, &mut body_for);
            g.problems.extend(problems);
            g.records.push(done.record);
        }
    }
}

fn proposals(g: &mut Gen) {
    const SUBJECTS: &[(&str, &str)] = &[
        ("会議室用備品の更新", "老朽化した会議室の備品を更新します。"),
        ("職員研修の実施", "新任職員向けの研修を実施します。"),
        ("窓口案内の改善", "窓口の案内表示と動線を見直します。"),
        ("庁内文書の電子化", "紙で保管している文書を電子化します。"),
        ("広報誌の発行", "組合員向け広報誌を発行します。"),
    ];
    let pace = Pace {
        draft: (35.0, 0.6),
        approve: (6.0, 0.6),
        wait: (300.0, 1.0),
        return_p: 0.05,
        reject_p: 0.02,
    };
    for (first, last, share) in months(g.from, g.until) {
        let count = scaled(&mut g.rng, PROPOSALS[fiscal_index(first)], share);
        let days = workdays(first, last);
        if days.is_empty() {
            continue;
        }
        for _ in 0..count {
            let office = if g.rng.chance(0.6) { "1203" } else { "1101" };
            let (subject, text) = *g.rng.pick(SUBJECTS);
            let amount = if g.rng.chance(0.8) {
                g.rng.range(30, 990) * 1_000
            } else {
                g.rng.range(100, 480) * 10_000
            };
            let day = *g.rng.pick(&days);
            let clerk = *g.rng.pick(clerks_of(office));
            let id = g.id();
            let case = CaseSpec {
                id,
                kind: "proposal",
                office,
                title: format!("{subject}（{}）", day.format("%-m月")),
                drafter: clerk,
                created_at: moment_on(&mut g.rng, day),
                pace,
                flags: appr::Flags::default(),
            };
            let body = json!({ "text": text, "amount": amount });
            let done = g.run(case, &mut |_| body.clone());
            g.records.push(done.record);
        }
    }
}

/// The demo vendors (the same three as the small demo's masters).
fn vendors() -> Vec<Vendor> {
    crate::demo::procurement_masters("1203", 2026, "keiri")
        .into_iter()
        .filter(|r| r.kind == "vendor")
        .filter_map(|r| serde_json::from_value(r.body).ok())
        .collect()
}

fn procurement(g: &mut Gen) {
    const GOODS: &[(&str, &str, &str, Category)] = &[
        (
            "事務用パソコン",
            "ノート型 14インチ",
            "台",
            Category::Purchase,
        ),
        ("複合機保守", "年間保守", "式", Category::Other),
        ("コピー用紙", "A4 500枚×5冊", "箱", Category::Purchase),
        ("会議用机", "W1800", "台", Category::Purchase),
        ("封筒印刷", "長形3号 2色", "枚", Category::Other),
        ("書庫の整理委託", "文書整理・運搬", "式", Category::Other),
        (
            "窓口の内装改修",
            "カウンター改修工事",
            "式",
            Category::Construction,
        ),
    ];
    let request_pace = Pace {
        draft: (40.0, 0.5),
        approve: (7.0, 0.6),
        wait: (300.0, 1.0),
        return_p: 0.05,
        reject_p: 0.03,
    };
    let step_pace = |draft: f64| Pace {
        draft: (draft, 0.5),
        approve: (5.0, 0.6),
        wait: (240.0, 1.0),
        return_p: 0.03,
        reject_p: 0.0,
    };
    let vendors = vendors();
    // Decided payment orders waiting for a transfer file: (office, transfer day, id, amount).
    let mut payable: Vec<(String, NaiveDate, Uuid, i64)> = Vec::new();
    for (first, last, share) in months(g.from, g.until) {
        let count = scaled(&mut g.rng, PROCUREMENT[fiscal_index(first)], share);
        let days = workdays(first, last);
        if days.is_empty() {
            continue;
        }
        for _ in 0..count {
            let office = if g.rng.chance(0.65) { "1203" } else { "1101" };
            let clerk = *g.rng.pick(clerks_of(office));
            let (name, spec, unit, category) = *g.rng.pick(GOODS);
            // Mostly 課長専決; some 部長; a few 事務局長 with 合議.
            let r = g.rng.f();
            let amount = if r < 0.75 {
                g.rng.range(5, 95) * 10_000
            } else if r < 0.95 {
                g.rng.range(100, 480) * 10_000
            } else {
                g.rng.range(500, 1_500) * 10_000
            };
            let day = *g.rng.pick(&days);
            let fy = fiscal_year(day);
            let (code, line_name, _) = *g.rng.pick(BUDGET_LINES);
            let vendor = if vendors.is_empty() {
                Vendor::default()
            } else {
                g.rng.pick(&vendors).clone()
            };
            let other = if vendors.is_empty() {
                Vendor::default()
            } else {
                g.rng.pick(&vendors).clone()
            };
            let request = RequestBody {
                amount,
                purpose: format!("{name}の調達（{spec}）"),
                category: Some(category),
                budget: BudgetRef {
                    fiscal_year: fy,
                    code: code.to_string(),
                    name: line_name.to_string(),
                },
                items: vec![Item {
                    name: name.to_string(),
                    spec: spec.to_string(),
                    quantity: "1".to_string(),
                    unit: unit.to_string(),
                    amount,
                }],
                quotes: vec![
                    Quote {
                        vendor_id: None,
                        vendor_name: vendor.name.clone(),
                        amount,
                        quoted_on: Some(day),
                        valid_until: day.checked_add_days(chrono::Days::new(60)),
                        note: String::new(),
                    },
                    Quote {
                        vendor_id: None,
                        vendor_name: other.name.clone(),
                        amount: amount + amount / 20,
                        quoted_on: Some(day),
                        valid_until: day.checked_add_days(chrono::Days::new(60)),
                        note: String::new(),
                    },
                ],
                selected_quote: Some(0),
                needed_by: day.checked_add_days(chrono::Days::new(45)),
                amends: None,
            };
            let request_id = g.id();
            let case = CaseSpec {
                id: request_id,
                kind: "procurement",
                office,
                title: format!("調達依頼　{name}"),
                drafter: clerk,
                created_at: moment_on(&mut g.rng, day),
                pace: request_pace,
                flags: appr::Flags::default(),
            };
            let body = serde_json::to_value(&request).unwrap_or_default();
            let done = g.run(case, &mut |_| body.clone());
            g.records.push(done.record);
            let (Some(Status::Approved), Some(at)) = (done.status, done.decided_at) else {
                continue;
            };

            // 契約: drafted a few days after the request is decided.
            let work_type = if category == Category::Construction {
                WorkType::Construction
            } else {
                WorkType::Other
            };
            let signed = jst_date(add_work(at, g.rng.range(1, 5) * 525 * 60));
            let delivery_days = g.rng.range(7, 40) as u64;
            let contract = ContractBody {
                amount,
                parent: request_id.to_string(),
                vendor_id: None,
                vendor: vendor.clone(),
                category: Some(category),
                method: Some(Method::Negotiated),
                ground: Some(NegotiatedGround::SmallAmount),
                ground_reason: String::new(),
                period_from: Some(signed),
                period_to: signed.checked_add_days(chrono::Days::new(delivery_days)),
                work_type: Some(work_type),
                contract_sets_dates: false,
                document: Some(if amount >= 1_000_000 {
                    ContractDocument::Contract
                } else {
                    ContractDocument::Acceptance
                }),
                signed_on: Some(signed),
                note: String::new(),
                amends: None,
            };
            let contract_id = g.id();
            let start = add_work(at, g.rng.range(60, 2 * 525) * 60);
            let case = CaseSpec {
                id: contract_id,
                kind: "contract",
                office,
                title: format!("契約　{name}（{}）", vendor.name),
                drafter: clerk,
                created_at: start,
                pace: step_pace(35.0),
                flags: appr::Flags::default(),
            };
            let body = serde_json::to_value(&contract).unwrap_or_default();
            let done = g.run(case, &mut |_| body.clone());
            g.records.push(done.record);
            let (Some(Status::Approved), Some(at)) = (done.status, done.decided_at) else {
                continue;
            };

            // 検収・検査: after the delivery's completion notice; mostly within the
            // deadline (10 days), some late.
            let notice = next_workday(
                jst_date(at)
                    .checked_add_days(chrono::Days::new(delivery_days / 2 + 1))
                    .unwrap_or(signed),
            );
            let inspect_days = if g.rng.chance(0.1) {
                g.rng.range(11, 20)
            } else {
                g.rng.range(0, 6)
            } as u64;
            let inspected = next_workday(
                notice
                    .checked_add_days(chrono::Days::new(inspect_days))
                    .unwrap_or(notice),
            );
            if inspected > g.until {
                continue;
            }
            let inspection = InspectionBody {
                amount,
                parent: contract_id.to_string(),
                completion_notice_on: Some(notice),
                inspected_on: Some(inspected),
                inspector: "高橋 健".to_string(),
                result: InspectionResult::Passed,
                note: if inspect_days > 10 {
                    "納品物の確認に時間を要したため、検査が遅れました。".to_string()
                } else {
                    String::new()
                },
            };
            let inspection_id = g.id();
            let case = CaseSpec {
                id: inspection_id,
                kind: "inspection",
                office,
                title: format!("検収・検査　{name}"),
                drafter: clerk,
                created_at: moment_on(&mut g.rng, inspected),
                pace: step_pace(15.0),
                flags: appr::Flags::default(),
            };
            let body = serde_json::to_value(&inspection).unwrap_or_default();
            let done = g.run(case, &mut |_| body.clone());
            g.records.push(done.record);
            let (Some(Status::Approved), Some(at)) = (done.status, done.decided_at) else {
                continue;
            };

            // 支出命令: the invoice arrives after the inspection.
            let received = next_workday(
                jst_date(at)
                    .checked_add_days(chrono::Days::new(g.rng.range(0, 5) as u64))
                    .unwrap_or(inspected),
            );
            if received > g.until {
                continue;
            }
            let slow = g.rng.chance(0.06);
            let created = moment_on(&mut g.rng, received);
            let planned = transfer_day(
                received
                    .checked_add_days(chrono::Days::new(10))
                    .unwrap_or(received),
            );
            let order = PaymentOrderBody {
                amount,
                parent: inspection_id.to_string(),
                invoice: None,
                invoice_received_on: Some(received),
                returned_on: None,
                corrected_received_on: None,
                payment_date: Some(planned),
                payee: vendor.account.clone().unwrap_or_default(),
            };
            let order_id = g.id();
            let mut pace = step_pace(20.0);
            if slow {
                // Left in a tray: the order waits weeks for its decision.
                pace.wait = (525.0 * 15.0, 0.3);
            }
            let case = CaseSpec {
                id: order_id,
                kind: "payment_order",
                office,
                title: format!("支出命令　{name}（{}）", vendor.name),
                drafter: clerk,
                created_at: created,
                pace,
                flags: appr::Flags::default(),
            };
            let body = serde_json::to_value(&order).unwrap_or_default();
            let done = g.run(case, &mut |_| body.clone());
            let (Some(Status::Approved), Some(at)) = (done.status, done.decided_at) else {
                g.records.push(done.record);
                continue;
            };
            // Paid on the planned day, or in the first transfer file after the decision
            // (Tuesdays and Fridays, 3+ days later) when it was decided too late for it.
            let pay = planned.max(transfer_day(
                jst_date(at)
                    .checked_add_days(chrono::Days::new(3))
                    .unwrap_or(received),
            ));
            payable.push((office.to_string(), pay, order_id, amount));
            g.records.push(done.record);
        }
    }
    // The transfer files: one per office and transfer day, written two working days
    // before it (only those written within the year).
    let mut files: BTreeMap<(String, NaiveDate), Vec<(Uuid, i64)>> = BTreeMap::new();
    for (office, day, id, amount) in payable {
        files.entry((office, day)).or_default().push((id, amount));
    }
    for ((office, day), orders) in files {
        let mut written = day;
        for _ in 0..2 {
            written = written.pred_opt().unwrap_or(written);
            while !is_workday(written) {
                written = written.pred_opt().unwrap_or(written);
            }
        }
        if written > g.until {
            continue;
        }
        let at = at_minute(written, 16 * 60);
        let ids: Vec<String> = orders.iter().map(|(id, _)| id.to_string()).collect();
        let total: i64 = orders.iter().map(|(_, a)| a).sum();
        let file_name = format!("sogo_{}_{}.txt", office, day.format("%Y%m%d"));
        let sha = {
            use sha2::Digest as _;
            format!("{:x}", sha2::Sha256::digest(ids.join(",").as_bytes()))
        };
        let id = g.id();
        g.records.push(Record {
            id,
            kind: KIND_BATCH.to_string(),
            office_code: office.clone(),
            version: 1,
            state: "draft".to_string(),
            title: format!("総合振込 {}（{}件）", day.format("%Y-%m-%d"), ids.len()),
            body: json!({
                "transferDate": day.to_string(),
                "orders": ids,
                "count": orders.len(),
                "total": total,
                "fileName": file_name,
                "sha256": sha,
            }),
            created_by: "keiri".to_string(),
            updated_by: "keiri".to_string(),
            created_at: at,
            updated_at: at,
        });
    }
}

/// The first transfer day (a working Tuesday or Friday) on or after `d`.
fn transfer_day(mut d: NaiveDate) -> NaiveDate {
    for _ in 0..30 {
        if is_workday(d) && matches!(d.weekday(), Weekday::Tue | Weekday::Fri) {
            return d;
        }
        d = d.succ_opt().unwrap_or(d);
    }
    d
}

/// AI-OCR documents of 資格取得届 read at the secretariat: fields accepted straight
/// through or corrected by a person, verified (handed off) or still in the queue. The
/// body carries what the 見える化 reads of a queue document (status, fields with their
/// routing decision, the work history); the app's queue, which needs the scan as well,
/// passes over them.
fn ocr_documents(g: &mut Gen) {
    const FIELDS: &[(&str, &str)] = &[
        ("member.name", "氏名"),
        ("member.nameKana", "フリガナ"),
        ("member.birthDate", "生年月日"),
        ("member.myNumber", "個人番号"),
        ("member.basicPensionNumber", "基礎年金番号"),
        ("member.address", "住所"),
        ("acquisition.acquiredOn", "資格取得年月日"),
        ("employment.salary", "給料月額"),
    ];
    let clerks = [("shinsa", "田中 美咲")];
    for (first, last, share) in months(g.from, g.until) {
        let count = scaled(&mut g.rng, OCR[fiscal_index(first)], share);
        let days = workdays(first, last);
        if days.is_empty() {
            continue;
        }
        // The engine improves over the year: fewer fields need a person.
        let progress = (first - g.from).num_days() as f64 / 365.0;
        let accept_p = 0.62 + 0.15 * progress;
        for _ in 0..count {
            let day = *g.rng.pick(&days);
            let imported = moment_on(&mut g.rng, day);
            let (by, by_name) = clerks[0];
            let mut fields = Vec::new();
            let mut history = Vec::new();
            let mut t = add_work(imported, g.wait((120.0, 1.2)));
            for (field, label) in FIELDS {
                let accepted = g.rng.chance(accept_p);
                let route = if accepted {
                    if g.rng.chance(0.05) {
                        "qaSample"
                    } else {
                        "accepted"
                    }
                } else {
                    "review"
                };
                fields.push(json!({
                    "field": field,
                    "label": label,
                    "decision": { "route": route, "reasons": [] },
                }));
                if !accepted || route == "qaSample" {
                    let w = g.rng.lognormal(40.0, 0.6).round().clamp(5.0, 900.0) as i64;
                    let end = t + Duration::seconds(w);
                    history.push(json!({
                        "field": field,
                        "by": { "id": by, "name": by_name },
                        "startedAt": t.to_rfc3339(),
                        "at": end.to_rfc3339(),
                    }));
                    t = end + Duration::seconds(g.rng.range(2, 20));
                }
            }
            if t >= g.horizon {
                // Still in the queue at the year's end: nothing verified yet.
                history.clear();
            }
            let id = g.id();
            let status = if t < g.horizon {
                json!({
                    "state": "handed_off",
                    "kind": "acquisition",
                    "recordId": "",
                    "by": { "id": by, "name": by_name },
                    "at": t.to_rfc3339(),
                })
            } else {
                json!({ "state": "open" })
            };
            let updated = if t < g.horizon { t } else { imported };
            g.records.push(Record {
                id,
                kind: KIND_OCR.to_string(),
                office_code: "0001".to_string(),
                version: 1 + history.len() as i64,
                state: "draft".to_string(),
                title: format!("AI-OCR 資格取得届 {}", imported.format("%Y%m%d-%H%M%S")),
                body: json!({
                    "format": 1,
                    "result": {
                        "documentId": id.to_string(),
                        "templateId": "shikaku-shutoku-todoke",
                        "templateVersion": 1,
                        "pages": [],
                        "fields": fields,
                    },
                    "scanId": "",
                    "sourceName": format!("scan-{}.jpg", imported.format("%Y%m%d-%H%M%S")),
                    "importedBy": { "id": by, "name": by_name },
                    "importedAt": imported.to_rfc3339(),
                    "work": [],
                    "status": status,
                    "history": history,
                }),
                created_by: by.to_string(),
                updated_by: by.to_string(),
                created_at: imported,
                updated_at: updated,
            });
        }
    }
}

/// Loads the small demo (offices, users, records), [`EXTRA_USERS`] and the year ending
/// `until` from `seed`: records and work sessions in batches of one transaction each,
/// audited once per batch. Loading the same year twice adds nothing.
pub async fn load(
    storage: &Storage,
    argon2: &crate::config::Argon2Config,
    until: NaiveDate,
    seed: u64,
) -> Result<YearSummary, AdminError> {
    crate::demo::load(storage, argon2).await?;
    let mut summary = YearSummary::default();
    let existing: Vec<String> = storage.users().await?.into_iter().map(|u| u.id).collect();
    let missing: Vec<&DemoUser> = EXTRA_USERS
        .iter()
        .filter(|u| !existing.iter().any(|id| id == u.id))
        .collect();
    if !missing.is_empty() {
        let config = *argon2;
        let hash = tokio::task::spawn_blocking(move || {
            crate::auth::hash_password(&config, crate::demo::DEMO_PASSWORD)
        })
        .await
        .map_err(|e| StorageError::Internal(e.to_string()))?
        .map_err(StorageError::Internal)?;
        for u in missing {
            storage
                .add_user(NewUser {
                    id: u.id.to_string(),
                    display_name: u.name.to_string(),
                    password_hash: hash.clone(),
                    roles: vec![u.role],
                    office_code: u.office.map(str::to_string),
                })
                .await?;
            summary.users_added += 1;
        }
    }
    // The first record (a budget line, its id fixed by the seed) is written last: when
    // it is there, the whole year of this seed is.
    summary.from = year_start(until);
    summary.until = until;
    if storage.record(first_id(seed)).await?.is_some() {
        return Ok(summary);
    }
    let year = tokio::task::spawn_blocking(move || generate(until, seed))
        .await
        .map_err(|e| StorageError::Internal(e.to_string()))?;
    summary.cases_by_kind = year.cases_by_kind();
    summary.loaded = true;
    for chunk in year.sessions.chunks(BATCH * 5) {
        summary.sessions_added += storage.insert_work_sessions(chunk).await?;
    }
    for chunk in year.records.rchunks(BATCH) {
        summary.records_added += storage.import_records(chunk, AUDIT_SOURCE).await?;
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn office_hours_arithmetic() {
        // Friday 2026-11-27 17:00 JST + 30 min → Monday 30 Nov 8:45.
        let t = at_minute(day(2026, 11, 27), 17 * 60);
        let u = add_work(t, 30 * 60);
        assert_eq!(jst_date(u), day(2026, 11, 30));
        assert_eq!(jst_seconds(u), (8 * 60 + 45) * 60);
        assert!(!is_workday(day(2026, 1, 2)));
        assert!(!is_workday(day(2026, 11, 3)), "文化の日");
    }

    #[test]
    fn the_year_is_sound_and_deterministic() {
        let y = generate(day(2026, 10, 31), 7);
        assert!(
            y.problems.is_empty(),
            "{:?}",
            &y.problems[..y.problems.len().min(10)]
        );
        let n = y.case_count();
        assert!(
            (2_500..=4_000).contains(&n),
            "{n} cases: {:?}",
            y.cases_by_kind()
        );
        let again = generate(day(2026, 10, 31), 7);
        assert_eq!(y.records, again.records);
        assert_eq!(y.sessions, again.sessions);
        let other = generate(day(2026, 10, 31), 8);
        assert_ne!(y.records, other.records);
        assert_eq!(y.records[0].id, first_id(7));
        assert_eq!(y.records[0].kind, "budget");
        // Every session lies inside the year and is of a generated case.
        let ids: std::collections::HashSet<Uuid> = y.records.iter().map(|r| r.id).collect();
        assert_eq!(ids.len(), y.records.len(), "ids are unique");
        let end = at_minute(day(2026, 11, 1), 0);
        for s in &y.sessions {
            assert!(ids.contains(&s.record_id));
            assert!(s.started_at < end);
        }
        // Every 資格取得届 submitted passes the server's check on its submission day.
        for r in y.records.iter().filter(|r| r.kind == "acquisition") {
            let Some(state) = appr::state_of(&r.body) else {
                continue;
            };
            let mut body = r.body.clone();
            body.as_object_mut().unwrap().remove(appr::BODY_KEY);
            let form: AcquisitionForm = serde_json::from_value(body).unwrap();
            let ctx = acq::CheckContext {
                today: appr::jst(state.submitted_at).date(),
                received_on: None,
            };
            let findings = acq::check_for_submission(&form, &ctx);
            assert!(findings.iter().all(|f| !f.is_error()), "{findings:?}");
            assert!(acq::unacknowledged_warnings(&findings, &form.acknowledgements).is_empty());
        }
    }
}
