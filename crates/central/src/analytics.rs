//! 業務の見える化 on the central service: `GET /analytics/v1/dashboard`, the figures of
//! `kyosai_domain::flow` computed from every case the service holds (records with their
//! server-owned approval history, payment batches, OCR documents) and the work sessions
//! the apps reported.
//!
//! Who sees what: 事務局審査担当 and 決裁者 every office (or the one asked); 所属所長 only
//! their own office; 所属所担当者 and IT管理者 nothing (`analytics.forbidden`).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use kyosai_domain::approval as appr;
use kyosai_domain::flow::dashboard::jst_date;
use kyosai_domain::flow::timeline::timeline;
use kyosai_domain::flow::{
    CaseInput, Dashboard, DeadlineInput, OcrCaseInput, Process, Query, WorkSession,
};
use kyosai_domain::procurement::calendar::HolidayTable;
use kyosai_domain::procurement::steps::{
    inspection_deadline, payment_due, ContractBody, InspectionBody, PaymentOrderBody,
};
use kyosai_domain::rules::RuleSet;
use kyosai_sync_protocol::{Record, Role};

use crate::api::{AppState, Authed};
use crate::error::ApiFailure;
use crate::model::Actor;
use crate::storage::{Storage, StorageError, WorkSessionRow};

/// Codes of the endpoint's refusals.
pub mod codes {
    pub const FORBIDDEN: &str = "analytics.forbidden";
    pub const OFFICE_FORBIDDEN: &str = "analytics.office_forbidden";
    pub const INVALID_QUERY: &str = "analytics.invalid_query";
}

/// The record kind of a written transfer file (lists the payment orders it paid).
pub const KIND_PAYMENT_BATCH: &str = "payment_batch";
/// The longest period one request may ask for.
pub const MAX_PERIOD_DAYS: i64 = 366 * 3;

fn invalid(message: impl Into<String>) -> ApiFailure {
    ApiFailure::new(StatusCode::BAD_REQUEST, codes::INVALID_QUERY, message)
}

fn date_param(
    params: &HashMap<String, String>,
    key: &str,
    label: &str,
) -> Result<Option<NaiveDate>, ApiFailure> {
    match params.get(key).map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                invalid(format!(
                "{label}（{key}）は YYYY-MM-DD の形の日付で指定してください（受け取った値: {v}）。"
            ))
            }),
    }
}

/// Reads and checks the query (`from`, `to`, `office`, `compareAt`).
pub fn parse_query(params: &HashMap<String, String>) -> Result<Query, ApiFailure> {
    let from = date_param(params, "from", "期間の初日")?
        .ok_or_else(|| invalid("期間の初日（from）を YYYY-MM-DD で指定してください。"))?;
    let to = date_param(params, "to", "期間の末日")?
        .ok_or_else(|| invalid("期間の末日（to）を YYYY-MM-DD で指定してください。"))?;
    if from > to {
        return Err(invalid("期間の初日が末日より後になっています。"));
    }
    if (to - from).num_days() >= MAX_PERIOD_DAYS {
        return Err(invalid("期間は3年以内で指定してください。"));
    }
    let compare_at = date_param(params, "compareAt", "比較の基準日")?;
    let office = params
        .get("office")
        .map(|o| o.trim().to_string())
        .filter(|o| !o.is_empty());
    Ok(Query {
        from,
        to,
        office,
        compare_at,
    })
}

/// The office the actor may ask about: `None` = every office.
pub fn authorise(actor: &Actor, asked: Option<&str>) -> Result<Option<String>, ApiFailure> {
    if actor.has(Role::SecretariatReviewer) || actor.has(Role::Approver) {
        return Ok(asked.map(str::to_string));
    }
    if actor.has(Role::OfficeHead) {
        let Some(own) = actor.office_code.as_deref() else {
            return Err(forbidden());
        };
        return match asked {
            None => Ok(Some(own.to_string())),
            Some(o) if o == own => Ok(Some(own.to_string())),
            Some(_) => Err(ApiFailure::new(
                StatusCode::FORBIDDEN,
                codes::OFFICE_FORBIDDEN,
                "所属所長は自分の所属所の数字だけを見られます。",
            )),
        };
    }
    Err(forbidden())
}

fn forbidden() -> ApiFailure {
    ApiFailure::new(
        StatusCode::FORBIDDEN,
        codes::FORBIDDEN,
        "業務の見える化は事務局の審査担当者・決裁権者と所属所長だけが見られます。",
    )
}

pub(crate) async fn dashboard_handler(
    State(state): State<Arc<AppState>>,
    Authed(actor): Authed,
    uri: Uri,
) -> Result<Json<Dashboard>, ApiFailure> {
    let params: HashMap<String, String> =
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    let mut q = parse_query(&params)?;
    q.office = authorise(&actor, q.office.as_deref())?;
    let inputs = load(&state.storage, q.office.as_deref()).await?;
    let as_of = Utc::now();
    let d = tokio::task::spawn_blocking(move || {
        kyosai_domain::flow::dashboard(&inputs.cases, &inputs.ocr, &inputs.sessions, &q, as_of)
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "dashboard computation failed");
        ApiFailure::internal()
    })?;
    Ok(Json(d))
}

/// What the figures are computed from.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub cases: Vec<CaseInput>,
    pub ocr: Vec<OcrCaseInput>,
    pub sessions: Vec<WorkSession>,
}

fn body_without_approval<T: serde::de::DeserializeOwned + Default>(r: &Record) -> T {
    let mut body = r.body.clone();
    if let Some(map) = body.as_object_mut() {
        map.remove(appr::BODY_KEY);
    }
    serde_json::from_value(body).unwrap_or_default()
}

/// The day a step labelled `label` was last passed on forward — approved (or 代決,
/// 引上げ) to a later step or to the decision — in Japan time; `None` while the case is at
/// that step, or when it only ever left it backwards (差戻し, 取下げ) or by 却下: a 届
/// the 所属所長 returned has not been filed.
fn step_done_on(
    r: &Record,
    approval: Option<&appr::ApprovalState>,
    label: &str,
) -> Option<NaiveDate> {
    let tl = timeline(r.created_at, approval);
    if tl.open().is_some_and(|p| p.step == label) {
        return None;
    }
    let approved = approval.is_some_and(|a| a.status == appr::Status::Approved);
    let passes = &tl.passes;
    passes
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, p)| p.step == label)
        .find(|(i, p)| match passes.get(i + 1) {
            Some(next) => next.route_index > p.route_index,
            None => approved,
        })
        .and_then(|(_, p)| p.end)
        .map(jst_date)
}

/// Every case of the covered kinds (of one office, or all), the OCR documents and the
/// work sessions.
pub async fn load(storage: &Storage, office: Option<&str>) -> Result<Inputs, StorageError> {
    let mine = |r: &Record| office.is_none_or(|o| o == r.office_code);
    let mut by_kind: HashMap<&'static str, Vec<Record>> = HashMap::new();
    for p in Process::ALL {
        by_kind.insert(p.kind(), storage.records_of_kind(p.kind()).await?);
    }
    let batches = storage.records_of_kind(KIND_PAYMENT_BATCH).await?;
    let mut paid_on: HashMap<String, NaiveDate> = HashMap::new();
    for b in &batches {
        let day = b
            .body
            .get("transferDate")
            .and_then(|v| v.as_str())
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
            .unwrap_or_else(|| jst_date(b.created_at));
        for o in b
            .body
            .get("orders")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
        {
            if let Some(id) = o.as_str() {
                paid_on.entry(id.to_string()).or_insert(day);
            }
        }
    }
    let index: HashMap<String, &Record> = by_kind
        .values()
        .flatten()
        .map(|r| (r.id.to_string(), r))
        .collect();
    let parent = |r: &Record| {
        r.body
            .get("parent")
            .and_then(|v| v.as_str())
            .and_then(|p| index.get(p).copied())
    };
    let filing = RuleSet::builtin();
    let mut cases = Vec::new();
    for p in Process::ALL {
        if p == Process::OcrReview {
            continue;
        }
        for r in by_kind
            .get(p.kind())
            .into_iter()
            .flatten()
            .filter(|r| mine(r))
        {
            let approval = appr::state_of(&r.body);
            let deadline = match p {
                Process::Acquisition => r
                    .body
                    .pointer("/acquisition/acquiredOn")
                    .and_then(|v| v.as_str())
                    .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                    .and_then(|acquired| {
                        let rule = filing.filing_deadline.at(acquired)?;
                        Some(DeadlineInput {
                            rule_label: format!("{}日以内の届出", rule.days),
                            due: acquired + chrono::Duration::days(i64::from(rule.days)),
                            met: step_done_on(r, approval.as_ref(), "所属所長"),
                        })
                    }),
                Process::Inspection => {
                    let b: InspectionBody = body_without_approval(r);
                    parent(r)
                        .map(body_without_approval::<ContractBody>)
                        .and_then(|c| inspection_deadline(&b, &c))
                        .map(|due| DeadlineInput {
                            rule_label: "検査期限".to_string(),
                            due,
                            met: b.inspected_on,
                        })
                }
                Process::PaymentOrder => {
                    let b: PaymentOrderBody = body_without_approval(r);
                    parent(r)
                        .and_then(parent)
                        .map(body_without_approval::<ContractBody>)
                        .and_then(|c| payment_due(&b, &c, HolidayTable::builtin()))
                        .map(|due| DeadlineInput {
                            rule_label: "支払期限".to_string(),
                            due: due.pay_by,
                            met: paid_on.get(&r.id.to_string()).copied(),
                        })
                }
                _ => None,
            };
            cases.push(CaseInput {
                id: r.id.to_string(),
                process: p,
                office: r.office_code.clone(),
                title: r.title.clone(),
                created_at: r.created_at,
                approval,
                deadline,
            });
        }
    }
    let ocr = by_kind
        .get(Process::OcrReview.kind())
        .into_iter()
        .flatten()
        .filter(|r| mine(r))
        .map(ocr_case)
        .collect();
    let sessions = storage
        .work_sessions(None)
        .await?
        .into_iter()
        .map(session_of)
        .collect();
    Ok(Inputs {
        cases,
        ocr,
        sessions,
    })
}

fn time_of(v: Option<&serde_json::Value>) -> Option<DateTime<Utc>> {
    v.and_then(|v| v.as_str())
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// An OCR document from its queue JSON (`kyosai_ocr::queue::QueueDocument`): imported,
/// handed off (verified), fields read and auto-accepted, and the work its history measured.
pub fn ocr_case(r: &Record) -> OcrCaseInput {
    let b = &r.body;
    let fields = b
        .pointer("/result/fields")
        .and_then(|v| v.as_array())
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let auto = fields
        .iter()
        .filter(|f| {
            matches!(
                f.pointer("/decision/route").and_then(|v| v.as_str()),
                Some("accepted" | "qaSample")
            )
        })
        .count();
    let verified_at = (b.pointer("/status/state").and_then(|v| v.as_str()) == Some("handed_off"))
        .then(|| time_of(b.pointer("/status/at")))
        .flatten();
    let work: i64 = b
        .get("history")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
        .filter_map(|s| Some((time_of(s.get("at"))? - time_of(s.get("startedAt"))?).num_seconds()))
        .map(|s| s.max(0))
        .sum();
    OcrCaseInput {
        id: r.id.to_string(),
        office: r.office_code.clone(),
        imported_at: time_of(b.get("importedAt")).unwrap_or(r.created_at),
        verified_at,
        fields: u32::try_from(fields.len()).unwrap_or(u32::MAX),
        auto_accepted: u32::try_from(auto).unwrap_or(u32::MAX),
        work_seconds: u32::try_from(work).unwrap_or(u32::MAX),
    }
}

fn session_of(s: WorkSessionRow) -> WorkSession {
    WorkSession {
        case_id: s.record_id.to_string(),
        step: s.step,
        user: s.user_id,
        office: s.office_code,
        started_at: s.started_at,
        active_seconds: s.active_seconds,
    }
}
