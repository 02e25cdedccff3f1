//! The dashboard's figures from the cases, OCR documents and work sessions.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Offset, TimeZone, Utc};

use super::stats::{mean, median, p90};
use super::timeline::{timeline, Timeline};
use super::types::*;
use crate::acquisition::workflow::Role;
use crate::approval::{Approver, Step};

/// Japan time (UTC+9, no daylight saving).
pub fn jst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).unwrap_or_else(|| Utc.fix())
}

/// The Japan date of an instant.
pub fn jst_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&jst()).date_naive()
}

/// The instant a Japan date starts (00:00 JST).
pub fn jst_start(d: NaiveDate) -> DateTime<Utc> {
    let naive = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    jst()
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&naive))
}

/// A half-open range of instants [start, end).
#[derive(Debug, Clone, Copy)]
struct Span {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl Span {
    /// The Japan days `from..=to`.
    fn days(from: NaiveDate, to: NaiveDate) -> Span {
        Span {
            start: jst_start(from),
            end: jst_start(to.succ_opt().unwrap_or(to)),
        }
    }

    fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start <= t && t < self.end
    }
}

/// 「起案・作成」 for drafting, 「確認・修正」 for OCR, else the route step's label.
pub fn step_label(step: &str) -> String {
    match step {
        STEP_DRAFT => "起案・作成".to_string(),
        STEP_OCR_REVIEW => "確認・修正".to_string(),
        other => other.to_string(),
    }
}

fn approver_actor(a: Approver) -> String {
    match a {
        Approver::Role(Role::OfficeHead) => "所属所長".to_string(),
        Approver::Role(Role::SecretariatReviewer) => "都共済 事務局審査担当".to_string(),
        Approver::Role(r) => r.name_ja().to_string(),
        Approver::Position(p) => p.name_ja().to_string(),
    }
}

/// Who does a step (the 業務フロー table's 実施者).
pub fn actor_label(process: Process, step: &str, route_step: Option<&Step>) -> String {
    match (step, route_step) {
        (STEP_DRAFT, _) if process == Process::Acquisition => "所属所 担当者".to_string(),
        (STEP_DRAFT, _) => "起案者".to_string(),
        (STEP_OCR_REVIEW, _) => "都共済 担当者".to_string(),
        (_, Some(s)) => s
            .slots
            .iter()
            .map(|a| approver_actor(*a))
            .collect::<Vec<_>>()
            .join("・"),
        (other, None) => other.to_string(),
    }
}

/// The 業務フロー table's 手段 of a step.
pub fn means_label(step: &str) -> &'static str {
    match step {
        STEP_DRAFT => "共済デスク",
        STEP_OCR_REVIEW => "共済デスク（AI-OCR）",
        _ => "共済デスク（電子決裁）",
    }
}

/// One case's time at one step: all its passes added up.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseStep {
    pub case_id: String,
    pub process: Process,
    pub step: String,
    /// When the last pass ended (`None` while the case is still at the step).
    pub last_end: Option<DateTime<Utc>>,
    pub elapsed_seconds: f64,
    pub working_seconds: f64,
}

impl CaseStep {
    pub fn waiting_seconds(&self) -> f64 {
        (self.elapsed_seconds - self.working_seconds).max(0.0)
    }
}

/// Where a step sits in its process: its smallest and largest route index seen (drafting
/// first), the route step itself for its actor.
#[derive(Debug, Clone)]
struct StepInfo {
    min_index: usize,
    max_index: usize,
    route_step: Option<Step>,
}

struct Prepared {
    case_steps: Vec<CaseStep>,
    infos: BTreeMap<(Process, String), StepInfo>,
    timelines: Vec<(usize, Timeline)>,
}

fn prepare(cases: &[&CaseInput], ocr: &[&OcrCaseInput], sessions: &[WorkSession]) -> Prepared {
    let mut work: HashMap<(&str, &str), f64> = HashMap::new();
    for s in sessions {
        *work
            .entry((s.case_id.as_str(), s.step.as_str()))
            .or_default() += f64::from(s.active_seconds);
    }
    let mut case_steps = Vec::new();
    let mut infos: BTreeMap<(Process, String), StepInfo> = BTreeMap::new();
    let mut timelines = Vec::with_capacity(cases.len());
    for (ci, c) in cases.iter().enumerate() {
        let tl = timeline(c.created_at, c.approval.as_ref());
        // step → (elapsed, last end, still open)
        let mut per: BTreeMap<&str, (f64, Option<DateTime<Utc>>, bool)> = BTreeMap::new();
        for p in &tl.passes {
            let e = per.entry(p.step.as_str()).or_insert((0.0, None, false));
            match p.end {
                Some(end) => {
                    e.0 += (end - p.start).num_milliseconds() as f64 / 1000.0;
                    e.1 = Some(end);
                    e.2 = false;
                }
                None => e.2 = true,
            }
            let idx = p.route_index.map_or(0, |i| i + 1);
            let route_step = p
                .route_index
                .and_then(|i| c.approval.as_ref().and_then(|a| a.route.steps.get(i)))
                .cloned();
            infos
                .entry((c.process, p.step.clone()))
                .and_modify(|i| {
                    i.min_index = i.min_index.min(idx);
                    i.max_index = i.max_index.max(idx);
                })
                .or_insert(StepInfo {
                    min_index: idx,
                    max_index: idx,
                    route_step,
                });
        }
        for (step, (elapsed, last_end, open)) in per {
            case_steps.push(CaseStep {
                case_id: c.id.clone(),
                process: c.process,
                step: step.to_string(),
                last_end: if open { None } else { last_end },
                elapsed_seconds: elapsed,
                working_seconds: work.get(&(c.id.as_str(), step)).copied().unwrap_or(0.0),
            });
        }
        timelines.push((ci, tl));
    }
    for d in ocr {
        let sessions_sum = work.get(&(d.id.as_str(), STEP_OCR_REVIEW)).copied();
        case_steps.push(CaseStep {
            case_id: d.id.clone(),
            process: Process::OcrReview,
            step: STEP_OCR_REVIEW.to_string(),
            last_end: d.verified_at,
            elapsed_seconds: d.verified_at.map_or(0.0, |v| {
                (v - d.imported_at).num_milliseconds() as f64 / 1000.0
            }),
            // The apps' sessions when they reported any, else the queue's own measure.
            working_seconds: sessions_sum.unwrap_or(f64::from(d.work_seconds)),
        });
        infos
            .entry((Process::OcrReview, STEP_OCR_REVIEW.to_string()))
            .or_insert(StepInfo {
                min_index: 0,
                max_index: 0,
                route_step: None,
            });
    }
    Prepared {
        case_steps,
        infos,
        timelines,
    }
}

/// The case steps of a process, per step, in process order.
fn ordered_steps(
    infos: &BTreeMap<(Process, String), StepInfo>,
) -> Vec<(Process, String, StepInfo)> {
    let mut v: Vec<(Process, String, StepInfo)> = infos
        .iter()
        .map(|((p, s), i)| (*p, s.clone(), i.clone()))
        .collect();
    v.sort_by(|a, b| {
        (a.0, a.2.min_index, a.2.max_index, &a.1).cmp(&(b.0, b.2.min_index, b.2.max_index, &b.1))
    });
    v
}

fn minutes(v: &[&CaseStep]) -> Vec<f64> {
    v.iter().map(|c| c.working_seconds / 60.0).collect()
}

fn months_of(from: NaiveDate, to: NaiveDate) -> Vec<(String, NaiveDate, NaiveDate)> {
    let mut out = Vec::new();
    let mut y = from.year();
    let mut m = from.month();
    while let Some(first) = NaiveDate::from_ymd_opt(y, m, 1) {
        if first > to {
            break;
        }
        let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        let next = NaiveDate::from_ymd_opt(ny, nm, 1).unwrap_or(first);
        let last = next.pred_opt().unwrap_or(first);
        out.push((format!("{y:04}-{m:02}"), first.max(from), last.min(to)));
        y = ny;
        m = nm;
    }
    out
}

/// Everything the dashboard shows for `q`, as of `as_of`.
pub fn dashboard(
    cases: &[CaseInput],
    ocr: &[OcrCaseInput],
    sessions: &[WorkSession],
    q: &Query,
    as_of: DateTime<Utc>,
) -> Dashboard {
    let in_office = |o: &str| q.office.as_deref().is_none_or(|want| want == o);
    let cases: Vec<&CaseInput> = cases.iter().filter(|c| in_office(&c.office)).collect();
    let ocr: Vec<&OcrCaseInput> = ocr.iter().filter(|d| in_office(&d.office)).collect();
    let period = Span::days(q.from, q.to);
    let prepared = prepare(&cases, &ocr, sessions);
    let order = ordered_steps(&prepared.infos);

    // Per-step figures over the cases whose last pass ended in the period.
    let mut by_step: HashMap<(Process, &str), Vec<&CaseStep>> = HashMap::new();
    for cs in &prepared.case_steps {
        by_step
            .entry((cs.process, cs.step.as_str()))
            .or_default()
            .push(cs);
    }
    let ended_in = |cs: &&CaseStep, span: Span| cs.last_end.is_some_and(|e| span.contains(e));
    let mut steps = Vec::new();
    let mut order_in_process: HashMap<Process, u32> = HashMap::new();
    for (process, step, info) in &order {
        let all = by_step
            .get(&(*process, step.as_str()))
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let done: Vec<&CaseStep> = all
            .iter()
            .copied()
            .filter(|c| ended_in(c, period))
            .collect();
        let pos = order_in_process.entry(*process).or_insert(0);
        let this = *pos;
        *pos += 1;
        if done.is_empty() {
            continue;
        }
        let work = minutes(&done);
        let wait: Vec<f64> = done.iter().map(|c| c.waiting_seconds() / 3600.0).collect();
        steps.push(StepFigures {
            process: *process,
            process_label: process.label_ja().to_string(),
            step: step.clone(),
            step_label: step_label(step),
            actor_label: actor_label(*process, step, info.route_step.as_ref()),
            order: this,
            cases: done.len() as u32,
            work_minutes_mean: mean(&work),
            work_minutes_median: median(&work),
            work_minutes_p90: p90(&work),
            wait_hours_median: median(&wait),
            wait_hours_p90: p90(&wait),
        });
    }

    // Months: cases started and finished inside the month's part of the period.
    let mut finish_of: Vec<(Process, DateTime<Utc>, Option<DateTime<Utc>>)> = prepared
        .timelines
        .iter()
        .filter_map(|(ci, tl)| {
            cases
                .get(*ci)
                .map(|c| (c.process, c.created_at, tl.finished_at))
        })
        .collect();
    finish_of.extend(
        ocr.iter()
            .map(|d| (Process::OcrReview, d.imported_at, d.verified_at)),
    );
    let mut months = Vec::new();
    for (label, first, last) in months_of(q.from, q.to) {
        let span = Span::days(first, last);
        for process in Process::ALL {
            let mine = finish_of.iter().filter(|f| f.0 == process);
            let (mut started, mut finished, mut open) = (0u32, 0u32, 0u32);
            for (_, created, fin) in mine {
                if span.contains(*created) {
                    started += 1;
                }
                if fin.is_some_and(|f| span.contains(f)) {
                    finished += 1;
                }
                if *created < span.end && fin.is_none_or(|f| f >= span.end) {
                    open += 1;
                }
            }
            months.push(MonthFigures {
                month: label.clone(),
                process,
                started,
                finished,
                open_at_end: open,
            });
        }
    }

    // Backlog: where the open cases are now.
    let mut backlog_map: BTreeMap<(Process, String), (u32, f64)> = BTreeMap::new();
    for (ci, tl) in &prepared.timelines {
        let (Some(c), Some(p)) = (cases.get(*ci), tl.open()) else {
            continue;
        };
        if p.start > as_of {
            continue;
        }
        let hours = (as_of - p.start).num_seconds() as f64 / 3600.0;
        let e = backlog_map
            .entry((c.process, p.step.clone()))
            .or_insert((0, 0.0));
        e.0 += 1;
        e.1 = e.1.max(hours);
    }
    for d in &ocr {
        if d.verified_at.is_none() && d.imported_at <= as_of {
            let hours = (as_of - d.imported_at).num_seconds() as f64 / 3600.0;
            let e = backlog_map
                .entry((Process::OcrReview, STEP_OCR_REVIEW.to_string()))
                .or_insert((0, 0.0));
            e.0 += 1;
            e.1 = e.1.max(hours);
        }
    }
    let rank: HashMap<(Process, &str), usize> = order
        .iter()
        .enumerate()
        .map(|(i, (p, s, _))| ((*p, s.as_str()), i))
        .collect();
    let mut backlog: Vec<BacklogFigures> = backlog_map
        .into_iter()
        .map(|((process, step), (open, oldest))| BacklogFigures {
            process,
            process_label: process.label_ja().to_string(),
            step_label: step_label(&step),
            step,
            open,
            oldest_hours: oldest,
        })
        .collect();
    backlog.sort_by_key(|b| {
        (
            b.process,
            rank.get(&(b.process, b.step.as_str()))
                .copied()
                .unwrap_or(usize::MAX),
        )
    });

    // Deadlines due in the period; those met late or still open past the day.
    let today = jst_date(as_of);
    let mut deadline_cases = 0;
    let mut overdue = Vec::new();
    for c in &cases {
        let Some(d) = &c.deadline else { continue };
        if d.due < q.from || d.due > q.to {
            continue;
        }
        deadline_cases += 1;
        let against = d.met.unwrap_or(today);
        if against > d.due {
            overdue.push(OverdueCase {
                case_id: c.id.clone(),
                process: c.process,
                process_label: c.process.label_ja().to_string(),
                title: c.title.clone(),
                office: c.office.clone(),
                rule_label: d.rule_label.clone(),
                due: d.due,
                met: d.met,
                days_late: (against - d.due).num_days().max(0) as u32,
            });
        }
    }
    overdue.sort_by(|a, b| {
        b.days_late
            .cmp(&a.days_late)
            .then(a.due.cmp(&b.due))
            .then(a.case_id.cmp(&b.case_id))
    });

    // OCR straight through, over the documents verified in the period.
    let verified: Vec<&&OcrCaseInput> = ocr
        .iter()
        .filter(|d| d.verified_at.is_some_and(|v| period.contains(v)))
        .collect();
    let fields: u32 = verified.iter().map(|d| d.fields).sum();
    let auto: u32 = verified.iter().map(|d| d.auto_accepted).sum();
    let ocr_figures = OcrFigures {
        documents: verified.len() as u32,
        fields,
        auto_accepted: auto,
        straight_through_rate: if fields == 0 {
            0.0
        } else {
            f64::from(auto) / f64::from(fields)
        },
    };

    // The 業務フロー table.
    let days = ((q.to - q.from).num_days() + 1).max(1) as f64;
    let flow_table = steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let per_year = f64::from(s.cases) * 365.0 / days;
            FlowRow {
                order: i as u32 + 1,
                process: s.process,
                process_label: s.process_label.clone(),
                step: s.step.clone(),
                step_label: s.step_label.clone(),
                actor_label: s.actor_label.clone(),
                means: means_label(&s.step).to_string(),
                minutes_per_case: s.work_minutes_mean,
                cases_per_year: per_year,
                hours_per_year: s.work_minutes_mean * per_year / 60.0,
            }
        })
        .collect();

    // Before / after.
    let comparison = q
        .compare_at
        .filter(|at| *at > q.from && *at <= q.to)
        .map(|at| {
            let before = Span {
                start: period.start,
                end: jst_start(at),
            };
            let after = Span {
                start: jst_start(at),
                end: period.end,
            };
            let mut rows = Vec::new();
            for (process, step, _) in &order {
                let all = by_step
                    .get(&(*process, step.as_str()))
                    .map(Vec::as_slice)
                    .unwrap_or(&[]);
                let b: Vec<&CaseStep> = all
                    .iter()
                    .copied()
                    .filter(|c| ended_in(c, before))
                    .collect();
                let a: Vec<&CaseStep> =
                    all.iter().copied().filter(|c| ended_in(c, after)).collect();
                if a.is_empty() && b.is_empty() {
                    continue;
                }
                let elapsed = |v: &[&CaseStep]| -> Vec<f64> {
                    v.iter().map(|c| c.elapsed_seconds / 3600.0).collect()
                };
                let bw = median(&minutes(&b));
                let aw = median(&minutes(&a));
                rows.push(CompareRow {
                    process: *process,
                    process_label: process.label_ja().to_string(),
                    step: step.clone(),
                    step_label: step_label(step),
                    before_cases: b.len() as u32,
                    after_cases: a.len() as u32,
                    before_work_minutes_median: bw,
                    after_work_minutes_median: aw,
                    before_elapsed_hours_median: median(&elapsed(&b)),
                    after_elapsed_hours_median: median(&elapsed(&a)),
                    work_change_percent: (!a.is_empty() && !b.is_empty() && bw > 0.0)
                        .then(|| (aw - bw) / bw * 100.0),
                });
            }
            Comparison { at, rows }
        });

    Dashboard {
        query: q.clone(),
        as_of,
        months,
        steps,
        backlog,
        deadline_cases,
        overdue,
        ocr: ocr_figures,
        flow_table,
        comparison,
    }
}
