//! 見える化: the dashboard for supervisors and managers — volumes per month, backlog, time
//! per step, cases past their deadline, the AI-OCR straight-through rate, a before/after
//! comparison — and the exports of the DX plan's 業務フロー table (CSV and PDF).
//!
//! The figures are the central service's (`GET /analytics/v1/dashboard`, computed by
//! `kyosai_domain::flow` from what the server keeps); nothing is computed or cached on this
//! PC, so the dashboard needs the connection. 事務局審査担当 and 決裁権者 see every office,
//! 所属所長 their own; the server decides, and this module asks only when the role may.
//!
//! Not here: the PDF layout (`kyosai_print::flow_table`), the definitions of the figures
//! (`kyosai_domain::flow`), the HTTP call (`kyosai_sync_client::Api::analytics_dashboard`).

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use kyosai_domain::flow::{self, Dashboard};
use kyosai_print::flow_table::{render_flow_table, FlowTableDoc};
use kyosai_print::Fonts;
use kyosai_store::Store;
use kyosai_sync_client::{DashboardParams, SyncError};
use kyosai_sync_protocol::{Role, UserInfo};
use serde::{Deserialize, Serialize};

use crate::sync::{time_text, with_store, SyncService};
use crate::AppError;

/// Error codes of the dashboard.
pub mod codes {
    /// No connection to the central service.
    pub const OFFLINE: &str = "analytics.offline";
    /// A role that may not see the figures (or another office's).
    pub const FORBIDDEN: &str = "analytics.forbidden";
    /// A period or comparison day that cannot be asked for.
    pub const INVALID_QUERY: &str = "analytics.invalid_query";
    /// The export could not be written.
    pub const EXPORT_WRITE: &str = "analytics.export_write";
}

/// The longest period the dashboard is asked for (the server has the same limit or less).
const MAX_PERIOD_DAYS: i64 = 3 * 366;

// ---------------------------------------------------------------------------------------
// What the UI asks and gets

/// The filters of the dashboard: dates as `YYYY-MM-DD` (inclusive).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DashboardQueryDto {
    pub from: String,
    pub to: String,
    /// An office code; empty or absent for every office the user may see.
    pub office: Option<String>,
    /// The improvement's first day for a before/after comparison.
    pub compare_at: Option<String>,
}

/// Cases of one process in one month.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DashboardMonth {
    /// `2026-04`.
    pub month: String,
    /// `acquisition` …
    pub process: String,
    pub process_label: String,
    pub started: u32,
    pub finished: u32,
    pub open_at_end: u32,
}

/// Time per case at one step.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DashboardStep {
    pub process: String,
    pub process_label: String,
    pub step: String,
    pub step_label: String,
    pub actor_label: String,
    pub order: u32,
    pub cases: u32,
    pub work_minutes_mean: f64,
    pub work_minutes_median: f64,
    pub work_minutes_p90: f64,
    pub wait_hours_median: f64,
    pub wait_hours_p90: f64,
}

/// Cases waiting at a step now.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DashboardBacklog {
    pub process: String,
    pub process_label: String,
    pub step: String,
    pub step_label: String,
    pub open: u32,
    pub oldest_hours: f64,
}

/// A case past its deadline.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DashboardOverdue {
    pub case_id: String,
    pub process: String,
    pub process_label: String,
    pub title: String,
    pub office: String,
    pub rule_label: String,
    /// `YYYY-MM-DD`.
    pub due: String,
    pub met: Option<String>,
    pub days_late: u32,
}

/// AI-OCR straight-through processing.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DashboardOcr {
    pub documents: u32,
    pub fields: u32,
    pub auto_accepted: u32,
    /// 0..1.
    pub straight_through_rate: f64,
}

/// One row of the 業務フロー table.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DashboardFlowRow {
    pub order: u32,
    pub process: String,
    pub process_label: String,
    pub step: String,
    pub step_label: String,
    pub actor_label: String,
    pub means: String,
    pub minutes_per_case: f64,
    pub cases_per_year: f64,
    pub hours_per_year: f64,
}

/// One step before and after the comparison day.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DashboardCompareRow {
    pub process: String,
    pub process_label: String,
    pub step: String,
    pub step_label: String,
    pub before_cases: u32,
    pub after_cases: u32,
    pub before_work_minutes_median: f64,
    pub after_work_minutes_median: f64,
    pub before_elapsed_hours_median: f64,
    pub after_elapsed_hours_median: f64,
    pub work_change_percent: Option<f64>,
}

/// An office the filter offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DashboardOffice {
    pub code: String,
    /// The office's name when known, else its code.
    pub label: String,
}

/// Everything the dashboard page shows.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DashboardView {
    pub from: String,
    pub to: String,
    pub office: Option<String>,
    pub compare_at: Option<String>,
    /// RFC 3339 UTC: the moment the figures describe.
    pub as_of: String,
    pub months: Vec<DashboardMonth>,
    pub steps: Vec<DashboardStep>,
    pub backlog: Vec<DashboardBacklog>,
    pub deadline_cases: u32,
    pub overdue: Vec<DashboardOverdue>,
    pub ocr: DashboardOcr,
    pub flow_table: Vec<DashboardFlowRow>,
    pub comparison: Vec<DashboardCompareRow>,
    /// Whether the user may pick another office (事務局審査担当, 決裁権者).
    pub may_choose_office: bool,
    pub offices: Vec<DashboardOffice>,
}

/// Where an export went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DashboardExport {
    pub path: String,
    /// The rows of the table written.
    pub rows: u32,
}

// ---------------------------------------------------------------------------------------
// Who may, and what is asked

/// Whether `me` may see the dashboard, and of which offices: `Some(None)` every office,
/// `Some(Some(code))` one, `None` not at all.
pub fn scope_of(me: &UserInfo) -> Option<Option<String>> {
    if me
        .roles
        .iter()
        .any(|r| matches!(r, Role::SecretariatReviewer | Role::Approver))
    {
        return Some(None);
    }
    if me.roles.contains(&Role::OfficeHead) {
        return me.office_code.clone().map(Some);
    }
    None
}

fn forbidden() -> AppError {
    AppError::new(
        codes::FORBIDDEN,
        "見える化を表示できるのは事務局審査担当・決裁権者と、自所属所の所属所長です。",
    )
}

fn offline() -> AppError {
    AppError::new(
        codes::OFFLINE,
        "見える化には中央サーバーへの接続が必要です。接続が戻ってからもう一度お試しください。",
    )
}

fn invalid(message: impl Into<String>) -> AppError {
    AppError::new(codes::INVALID_QUERY, message)
}

fn date_of(text: &str, what: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        invalid(format!(
            "{what}を正しい日付で入力してください（例: 2025-04-01）。"
        ))
    })
}

/// Checks the filters against what `me` may see; the query the server is asked.
pub fn check_query(q: &DashboardQueryDto, me: &UserInfo) -> Result<flow::Query, AppError> {
    let scope = scope_of(me).ok_or_else(forbidden)?;
    let from = date_of(&q.from, "期間の開始日")?;
    let to = date_of(&q.to, "期間の終了日")?;
    if to < from {
        return Err(invalid("期間の終了日は開始日より後の日付にしてください。"));
    }
    if (to - from).num_days() >= MAX_PERIOD_DAYS {
        return Err(invalid("期間は3年以内にしてください。"));
    }
    let compare_at = match q.compare_at.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(t) => {
            let at = date_of(t, "比較日")?;
            if at <= from || at > to {
                return Err(invalid(
                    "比較日は期間の開始日より後、終了日までの日付にしてください。",
                ));
            }
            Some(at)
        }
    };
    let asked = q
        .office
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(str::to_string);
    let office = match scope {
        None => asked,
        Some(own) => match asked {
            Some(other) if other != own => return Err(forbidden()),
            _ => Some(own),
        },
    };
    Ok(flow::Query {
        from,
        to,
        office,
        compare_at,
    })
}

fn params_of(q: &flow::Query) -> DashboardParams {
    DashboardParams {
        from: q.from.format("%Y-%m-%d").to_string(),
        to: q.to.format("%Y-%m-%d").to_string(),
        office: q.office.clone(),
        compare_at: q.compare_at.map(|d| d.format("%Y-%m-%d").to_string()),
    }
}

/// The server's refusal in the dashboard's words.
pub fn error_of(e: SyncError) -> AppError {
    if e.is_offline() {
        return offline();
    }
    match e.status {
        Some(403) => forbidden(),
        Some(404) => AppError::new(
            codes::OFFLINE,
            "中央サーバーが見える化に対応していません。中央サーバーの更新をIT管理者に依頼してください。",
        ),
        _ => e.into(),
    }
}

/// Asks the central service for the figures of `query`.
pub async fn fetch(sync: &SyncService, query: &flow::Query) -> Result<Dashboard, AppError> {
    let params = params_of(query);
    sync.analytics_dashboard(params).await.map_err(error_of)
}

// ---------------------------------------------------------------------------------------
// The view

fn key(p: flow::Process) -> String {
    serde_json::to_value(p)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The offices the filter offers: those of the people in the cached directory, with the
/// name of my own.
pub fn offices_on(store: &mut Store, me: &UserInfo) -> Result<Vec<DashboardOffice>, AppError> {
    let mut codes: Vec<String> = crate::approvals::load_directory(store)?
        .map(|c| {
            c.directory
                .users
                .into_iter()
                .filter_map(|u| u.office_code)
                .collect()
        })
        .unwrap_or_default();
    codes.extend(me.office_code.clone());
    codes.sort();
    codes.dedup();
    Ok(codes
        .into_iter()
        .map(|code| {
            let label = match (&me.office_code, &me.office_name) {
                (Some(mine), Some(name)) if *mine == code => format!("{name}（{code}）"),
                _ => code.clone(),
            };
            DashboardOffice { code, label }
        })
        .collect())
}

/// The page's view of the server's figures.
pub fn view_of(d: Dashboard, me: &UserInfo, offices: Vec<DashboardOffice>) -> DashboardView {
    let label = |p: flow::Process| p.label_ja().to_string();
    DashboardView {
        from: ymd(d.query.from),
        to: ymd(d.query.to),
        office: d.query.office,
        compare_at: d.query.compare_at.map(ymd),
        as_of: time_text(d.as_of),
        months: d
            .months
            .into_iter()
            .map(|m| DashboardMonth {
                month: m.month,
                process: key(m.process),
                process_label: label(m.process),
                started: m.started,
                finished: m.finished,
                open_at_end: m.open_at_end,
            })
            .collect(),
        steps: d
            .steps
            .into_iter()
            .map(|s| DashboardStep {
                process: key(s.process),
                process_label: s.process_label,
                step: s.step,
                step_label: s.step_label,
                actor_label: s.actor_label,
                order: s.order,
                cases: s.cases,
                work_minutes_mean: s.work_minutes_mean,
                work_minutes_median: s.work_minutes_median,
                work_minutes_p90: s.work_minutes_p90,
                wait_hours_median: s.wait_hours_median,
                wait_hours_p90: s.wait_hours_p90,
            })
            .collect(),
        backlog: d
            .backlog
            .into_iter()
            .map(|b| DashboardBacklog {
                process: key(b.process),
                process_label: b.process_label,
                step: b.step,
                step_label: b.step_label,
                open: b.open,
                oldest_hours: b.oldest_hours,
            })
            .collect(),
        deadline_cases: d.deadline_cases,
        overdue: d
            .overdue
            .into_iter()
            .map(|o| DashboardOverdue {
                case_id: o.case_id,
                process: key(o.process),
                process_label: o.process_label,
                title: o.title,
                office: o.office,
                rule_label: o.rule_label,
                due: ymd(o.due),
                met: o.met.map(ymd),
                days_late: o.days_late,
            })
            .collect(),
        ocr: DashboardOcr {
            documents: d.ocr.documents,
            fields: d.ocr.fields,
            auto_accepted: d.ocr.auto_accepted,
            straight_through_rate: d.ocr.straight_through_rate,
        },
        flow_table: d.flow_table.into_iter().map(flow_row_view).collect(),
        comparison: d
            .comparison
            .map(|c| {
                c.rows
                    .into_iter()
                    .map(|r| DashboardCompareRow {
                        process: key(r.process),
                        process_label: r.process_label,
                        step: r.step,
                        step_label: r.step_label,
                        before_cases: r.before_cases,
                        after_cases: r.after_cases,
                        before_work_minutes_median: r.before_work_minutes_median,
                        after_work_minutes_median: r.after_work_minutes_median,
                        before_elapsed_hours_median: r.before_elapsed_hours_median,
                        after_elapsed_hours_median: r.after_elapsed_hours_median,
                        work_change_percent: r.work_change_percent,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        may_choose_office: matches!(scope_of(me), Some(None)),
        offices,
    }
}

fn flow_row_view(r: flow::FlowRow) -> DashboardFlowRow {
    DashboardFlowRow {
        order: r.order,
        process: key(r.process),
        process_label: r.process_label,
        step: r.step,
        step_label: r.step_label,
        actor_label: r.actor_label,
        means: r.means,
        minutes_per_case: r.minutes_per_case,
        cases_per_year: r.cases_per_year,
        hours_per_year: r.hours_per_year,
    }
}

/// The dashboard of `query` for the signed-in user.
pub async fn load(sync: &SyncService, query: DashboardQueryDto) -> Result<DashboardView, AppError> {
    let me = sync.require_me().await?;
    let q = check_query(&query, &me)?;
    let started = std::time::Instant::now();
    let dashboard = fetch(sync, &q).await?;
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        "analytics dashboard fetched"
    );
    let me2 = me.clone();
    let offices = with_store(sync.store(), move |s| offices_on(s, &me2)).await?;
    Ok(view_of(dashboard, &me, offices))
}

// ---------------------------------------------------------------------------------------
// The exports

/// The CSV's header: the template's columns plus 工程 and 手段.
pub const CSV_HEADER: &str = "処理順序,プロセス（業務説明）,工程,実施者,手段,処理時間（分/件）,処理件数（件/年）,処理時間（時間/年）";

fn csv_field(out: &mut String, s: &str) {
    // A leading = + - @ (or a tab / CR) would be read as a formula by spreadsheet software.
    let guarded = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if guarded || s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        if guarded {
            out.push('\'');
        }
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

fn csv_line(out: &mut String, fields: &[String]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_field(out, f);
    }
    out.push_str("\r\n");
}

fn fixed(v: f64, decimals: usize) -> String {
    let scale = 10f64.powi(decimals as i32);
    format!("{:.*}", decimals, (v.max(0.0) * scale).round() / scale)
}

/// The 業務フロー table as CSV: UTF-8 with BOM, CRLF, a header row, one row per step and
/// a 合計 row; numbers without separators (分/件 and 時間/年 to 0.1, 件/年 whole).
pub fn flow_csv(rows: &[flow::FlowRow]) -> String {
    let mut out = String::from("\u{FEFF}");
    out.push_str(CSV_HEADER);
    out.push_str("\r\n");
    let mut total = 0.0;
    for r in rows {
        total += r.hours_per_year;
        csv_line(
            &mut out,
            &[
                r.order.to_string(),
                r.process_label.clone(),
                r.step_label.clone(),
                r.actor_label.clone(),
                r.means.clone(),
                fixed(r.minutes_per_case, 1),
                fixed(r.cases_per_year, 0),
                fixed(r.hours_per_year, 1),
            ],
        );
    }
    csv_line(
        &mut out,
        &[
            String::new(),
            "合計".to_string(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            fixed(total, 1),
        ],
    );
    out
}

fn jst_text(t: DateTime<Utc>) -> String {
    kyosai_domain::approval::jst(t)
        .format("%Y年%-m月%-d日 %-H時%M分")
        .to_string()
}

fn date_ja(d: NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

/// How the figures were measured, printed under the table.
pub fn measurement_note(period_days: i64) -> String {
    format!(
        "処理時間（分/件）は、共済デスクで文書を開いて操作していた時間（一定時間操作のない時間を除く）を工程ごとに合計し、\
         期間内にその工程を終えた件数で割った平均です。待ち時間は含みません。AI-OCRの確認・修正は確認画面で計測した作業時間です。\n\
         処理件数（件/年）は期間（{period_days}日）内に工程を終えた件数を365日に換算した値です。\
         処理時間（時間/年）＝ 処理時間（分/件）× 処理件数（件/年）÷ 60 で、単位は「時間」です\
         （DX推進計画の様式例の「処理時間 時間/年」欄は分で記入されていますが、本表は時間で表示しています）。\n\
         数値は小数第1位（件数は整数）に四捨五入して表示しているため、小計・合計が各行の和と一致しないことがあります。"
    )
}

fn office_text(office: Option<&str>, offices: &[DashboardOffice]) -> String {
    match office {
        None => "全所属所".to_string(),
        Some(code) => offices
            .iter()
            .find(|o| o.code == code)
            .map(|o| o.label.clone())
            .unwrap_or_else(|| code.to_string()),
    }
}

/// The PDF's document for `d`.
pub fn flow_doc(d: &Dashboard, offices: &[DashboardOffice], now: DateTime<Utc>) -> FlowTableDoc {
    let wareki = |x: NaiveDate| {
        kyosai_domain::wareki::from_seireki(x)
            .map(|w| kyosai_domain::wareki::format_wareki(&w))
            .unwrap_or_default()
    };
    FlowTableDoc {
        period: format!(
            "{}～{}（{}～{}）",
            date_ja(d.query.from),
            date_ja(d.query.to),
            wareki(d.query.from),
            wareki(d.query.to)
        ),
        office: office_text(d.query.office.as_deref(), offices),
        as_of: format!("{} 時点", jst_text(d.as_of)),
        rows: d.flow_table.clone(),
        note: measurement_note((d.query.to - d.query.from).num_days() + 1),
        printed_at: format!("印刷日時 {}", jst_text(now)),
    }
}

/// 業務フロー_20250401-20260331[_13104]_YYYYMMDD_HHMMSS.ext (Japan time).
pub fn export_file_name(q: &flow::Query, now: DateTime<Utc>, ext: &str) -> String {
    let office = q
        .office
        .as_deref()
        .map(|o| {
            let clean: String = o
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            format!("_{clean}")
        })
        .unwrap_or_default();
    format!(
        "業務フロー_{}-{}{office}_{}.{ext}",
        q.from.format("%Y%m%d"),
        q.to.format("%Y%m%d"),
        kyosai_domain::approval::jst(now).format("%Y%m%d_%H%M%S")
    )
}

async fn write_file(dir: PathBuf, name: String, bytes: Vec<u8>) -> Result<PathBuf, AppError> {
    tokio::task::spawn_blocking(move || -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(&name);
        let partial = dir.join(format!(".{name}.partial"));
        std::fs::write(&partial, &bytes)?;
        std::fs::rename(&partial, &path)?;
        Ok(path)
    })
    .await
    .map_err(|e| AppError::internal("export task", &e))?
    .map_err(|e| {
        AppError::new(
            codes::EXPORT_WRITE,
            format!("ファイルを保存できませんでした（{e}）。ダウンロードフォルダの空き容量と権限を確認してください。"),
        )
    })
}

/// Which export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    Csv,
    Pdf,
}

async fn export(
    sync: &SyncService,
    query: DashboardQueryDto,
    dir: PathBuf,
    kind: ExportKind,
) -> Result<DashboardExport, AppError> {
    let me = sync.require_me().await?;
    let q = check_query(&query, &me)?;
    let d = fetch(sync, &q).await?;
    let now = Utc::now();
    let me2 = me.clone();
    let offices = with_store(sync.store(), move |s| offices_on(s, &me2)).await?;
    let rows = d.flow_table.len() as u32;
    let (bytes, ext, action) = match kind {
        ExportKind::Csv => (
            flow_csv(&d.flow_table).into_bytes(),
            "csv",
            kyosai_audit::actions::EXPORT_CSV,
        ),
        ExportKind::Pdf => {
            let doc = flow_doc(&d, &offices, now);
            let fonts = Fonts::find().map_err(|e| AppError::new(e.code(), e.to_string()))?;
            let bytes = tokio::task::spawn_blocking(move || render_flow_table(&doc, &fonts))
                .await
                .map_err(|e| AppError::internal("pdf task", &e))?;
            (bytes, "pdf", kyosai_audit::actions::EXPORT_PDF)
        }
    };
    let path = write_file(dir, export_file_name(&q, now, ext), bytes).await?;
    let entry = kyosai_audit::NewEntry::now(me.user_id.clone(), action)
        .detail(serde_json::json!({
            "what": "flow_table",
            "from": ymd(q.from),
            "to": ymd(q.to),
            "office": q.office,
            "rows": rows,
        }))
        .at(now)
        .target(crate::audit::file_name(&path));
    crate::audit::record_export(sync.store(), entry, path.clone()).await?;
    tracing::info!(rows, ext, "flow table exported");
    Ok(DashboardExport {
        path: path.display().to_string(),
        rows,
    })
}

/// Writes the 業務フロー table of `query` as CSV into `dir` (the download folder).
pub async fn export_csv(
    sync: &SyncService,
    query: DashboardQueryDto,
    dir: PathBuf,
) -> Result<DashboardExport, AppError> {
    export(sync, query, dir, ExportKind::Csv).await
}

/// Writes the 業務フロー table of `query` as PDF into `dir` (the download folder).
pub async fn export_pdf(
    sync: &SyncService,
    query: DashboardQueryDto,
    dir: PathBuf,
) -> Result<DashboardExport, AppError> {
    export(sync, query, dir, ExportKind::Pdf).await
}

#[cfg(test)]
mod tests;
