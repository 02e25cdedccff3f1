//! The inputs and outputs of the 見える化 figures. The outputs are also the JSON of the
//! central service's `GET /analytics/v1/dashboard` (camelCase), read by the app.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::approval::ApprovalState;

/// The step key of drafting (起案・作成), before the first submission and after a 差戻し.
pub const STEP_DRAFT: &str = "draft";
/// The step key of an OCR document's 確認・修正.
pub const STEP_OCR_REVIEW: &str = "ocr_review";

/// The processes the figures cover, in the order the 業務フロー table lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Process {
    /// AI-OCR 確認・修正 (the paper form read and verified).
    OcrReview,
    /// 組合員資格取得届 (record kind `acquisition`).
    Acquisition,
    /// 起案文書 (`proposal`).
    Proposal,
    /// 調達依頼 (`procurement`).
    ProcurementRequest,
    /// 契約 (`contract`).
    Contract,
    /// 検収・検査 (`inspection`).
    Inspection,
    /// 支出命令 (`payment_order`).
    PaymentOrder,
}

impl Process {
    pub const ALL: [Process; 7] = [
        Process::OcrReview,
        Process::Acquisition,
        Process::Proposal,
        Process::ProcurementRequest,
        Process::Contract,
        Process::Inspection,
        Process::PaymentOrder,
    ];

    /// The record kind on the central service.
    pub fn kind(self) -> &'static str {
        match self {
            Process::OcrReview => "ocr_document",
            Process::Acquisition => "acquisition",
            Process::Proposal => "proposal",
            Process::ProcurementRequest => "procurement",
            Process::Contract => "contract",
            Process::Inspection => "inspection",
            Process::PaymentOrder => "payment_order",
        }
    }

    /// The process of a record kind, if the figures cover it.
    pub fn of_kind(kind: &str) -> Option<Process> {
        Process::ALL.into_iter().find(|p| p.kind() == kind)
    }

    /// 「組合員資格取得届」 …
    pub fn label_ja(self) -> &'static str {
        match self {
            Process::OcrReview => "AI-OCR 読取結果の確認・修正",
            Process::Acquisition => "組合員資格取得届",
            Process::Proposal => "起案文書",
            Process::ProcurementRequest => "調達依頼",
            Process::Contract => "契約",
            Process::Inspection => "検収・検査",
            Process::PaymentOrder => "支出命令",
        }
    }
}

/// A deadline a case had, and when it was met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeadlineInput {
    /// 「5日以内の届出」「検査期限」「支払期限」.
    pub rule_label: String,
    pub due: NaiveDate,
    /// The day it was met (届出が都共済に届いた日, 検査日, 支払日); `None` while open.
    pub met: Option<NaiveDate>,
}

/// One case as the central service holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseInput {
    pub id: String,
    pub process: Process,
    pub office: String,
    pub title: String,
    pub created_at: DateTime<Utc>,
    /// The server-owned approval state (route and history); `None` while never submitted.
    pub approval: Option<ApprovalState>,
    pub deadline: Option<DeadlineInput>,
}

/// One OCR document (process [`Process::OcrReview`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OcrCaseInput {
    pub id: String,
    pub office: String,
    pub imported_at: DateTime<Utc>,
    /// When the last field was verified (the document left the queue).
    pub verified_at: Option<DateTime<Utc>>,
    /// Fields read, and fields accepted without a person (straight through).
    pub fields: u32,
    pub auto_accepted: u32,
    /// Working seconds the queue itself measured on the document.
    pub work_seconds: u32,
}

/// Working time reported by an app: a case open at a step and being worked on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkSession {
    pub case_id: String,
    /// [`STEP_DRAFT`] or an approval step's label (see [`step_key`]).
    pub step: String,
    pub user: String,
    pub office: String,
    pub started_at: DateTime<Utc>,
    pub active_seconds: u32,
}

/// The step a person working on a case now is at: drafting while the case is not under
/// approval (never submitted, 差戻し, 取下げ), else the current approval step's label.
/// The app tags its work sessions with it; the timeline uses the same keys.
pub fn step_key(approval: Option<&ApprovalState>) -> String {
    use crate::approval::Status;
    match approval {
        Some(s) if s.status == Status::InProgress => s
            .route
            .steps
            .get(s.current_step)
            .map(|st| st.label_ja())
            .unwrap_or_else(|| STEP_DRAFT.to_string()),
        _ => STEP_DRAFT.to_string(),
    }
}

/// What the dashboard is asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Query {
    /// First and last day of the period (Japan dates, inclusive).
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// One office, or all the asker may see.
    pub office: Option<String>,
    /// Before/after comparison around this day (the improvement's first day).
    pub compare_at: Option<NaiveDate>,
}

/// Cases of one process in one month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MonthFigures {
    /// `2026-04`.
    pub month: String,
    pub process: Process,
    /// Cases created in the month.
    pub started: u32,
    /// Cases decided (決裁済み / 却下) or verified (OCR) in the month.
    pub finished: u32,
    /// Cases created by the month's end and not finished by then.
    pub open_at_end: u32,
}

/// Time per case at one step of one process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepFigures {
    pub process: Process,
    pub process_label: String,
    /// The step key ([`STEP_DRAFT`], [`STEP_OCR_REVIEW`] or the route step's label).
    pub step: String,
    /// 「起案・作成」「所属所長」「確認・修正」 …
    pub step_label: String,
    /// Who does it: 「所属所 担当者」「所属所長」「都共済 事務局審査担当」「課長」 …
    pub actor_label: String,
    /// Position of the step within its process (0 = first).
    pub order: u32,
    /// Cases whose last pass of the step ended in the period.
    pub cases: u32,
    pub work_minutes_mean: f64,
    pub work_minutes_median: f64,
    pub work_minutes_p90: f64,
    pub wait_hours_median: f64,
    pub wait_hours_p90: f64,
}

/// Cases waiting at a step now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BacklogFigures {
    pub process: Process,
    pub process_label: String,
    pub step: String,
    pub step_label: String,
    pub open: u32,
    /// How long the oldest has been waiting at the step, in hours.
    pub oldest_hours: f64,
}

/// A case past its legal or internal deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OverdueCase {
    pub case_id: String,
    pub process: Process,
    pub process_label: String,
    pub title: String,
    pub office: String,
    pub rule_label: String,
    pub due: NaiveDate,
    pub met: Option<NaiveDate>,
    /// Days past the deadline (met late, or still open on the asked day).
    pub days_late: u32,
}

/// AI-OCR straight-through processing in the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OcrFigures {
    pub documents: u32,
    pub fields: u32,
    pub auto_accepted: u32,
    /// `auto_accepted / fields` (0 when there were none).
    pub straight_through_rate: f64,
}

/// One row of the DX plan's 業務フロー table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowRow {
    /// 処理順序 (1, 2, …).
    pub order: u32,
    pub process: Process,
    pub process_label: String,
    pub step: String,
    pub step_label: String,
    pub actor_label: String,
    /// 手段: 「共済デスク（電子決裁）」 …
    pub means: String,
    /// 処理時間 分/件 (mean working minutes per case).
    pub minutes_per_case: f64,
    /// 処理件数 件/年 (the period's cases scaled to 365 days).
    pub cases_per_year: f64,
    /// 処理時間 時間/年 = 分/件 × 件/年 ÷ 60.
    pub hours_per_year: f64,
}

/// One step before and after an improvement's first day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompareRow {
    pub process: Process,
    pub process_label: String,
    pub step: String,
    pub step_label: String,
    pub before_cases: u32,
    pub after_cases: u32,
    /// Median working minutes per case.
    pub before_work_minutes_median: f64,
    pub after_work_minutes_median: f64,
    /// Median elapsed hours (waiting + working) per case.
    pub before_elapsed_hours_median: f64,
    pub after_elapsed_hours_median: f64,
    /// Change of the median working minutes, in percent (negative = faster); `None`
    /// when either side has no case.
    pub work_change_percent: Option<f64>,
}

/// Before/after around `at`, within the asked period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Comparison {
    pub at: NaiveDate,
    pub rows: Vec<CompareRow>,
}

/// Everything the dashboard shows for one query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    pub query: Query,
    /// The moment the figures describe ("now" for backlog and open deadlines).
    pub as_of: DateTime<Utc>,
    pub months: Vec<MonthFigures>,
    pub steps: Vec<StepFigures>,
    pub backlog: Vec<BacklogFigures>,
    /// Cases with a deadline due in the period, and those of them past it.
    pub deadline_cases: u32,
    pub overdue: Vec<OverdueCase>,
    pub ocr: OcrFigures,
    pub flow_table: Vec<FlowRow>,
    pub comparison: Option<Comparison>,
}
