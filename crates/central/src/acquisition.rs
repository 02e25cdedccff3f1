//! 組合員資格取得届 on the central service: the automated review the secretariat reviewer
//! sees (`GET /sync/v1/acquisitions/{id}/review`), decided by `kyosai-domain`'s
//! `acquisition::review` on the server's copies of every case.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use kyosai_domain::acquisition::review::{review, OtherCase};
use kyosai_domain::acquisition::{AcquisitionForm, CheckContext};
use kyosai_domain::approval as appr;
use kyosai_sync_protocol::acquisition::{ReviewFinding, ReviewResult, KIND};
use kyosai_sync_protocol::{codes, Record, Role};
use uuid::Uuid;

use crate::api::{AppState, Authed};
use crate::error::ApiFailure;

fn not_found() -> ApiFailure {
    ApiFailure::new(
        StatusCode::NOT_FOUND,
        codes::NOT_FOUND,
        "この資格取得届は見つかりません。同期してから開き直してください。",
    )
}

fn form_of(record: &Record) -> Option<AcquisitionForm> {
    let mut body = record.body.clone();
    if let Some(map) = body.as_object_mut() {
        map.remove(appr::BODY_KEY);
    }
    serde_json::from_value(body).ok()
}

/// 「登録済み」「審査待ち」 … of a case, for the review's messages.
pub(crate) fn state_label(record: &Record) -> &'static str {
    match appr::state_of(&record.body) {
        None => "下書き",
        Some(s) => match s.status {
            appr::Status::Approved => "登録済み",
            appr::Status::InProgress => match s.current_step {
                0 => "所属所長の証明待ち",
                1 => "事務局の審査待ち",
                _ => "登録待ち",
            },
            appr::Status::Returned => "差戻し",
            appr::Status::Rejected => "却下",
            appr::Status::Withdrawn => "取下げ",
        },
    }
}

/// Cases the review compares with: every other acquisition that was submitted and not
/// withdrawn or rejected (drafts are a clerk's work in progress, not yet a case).
fn is_case(record: &Record) -> bool {
    appr::state_of(&record.body)
        .is_some_and(|s| !matches!(s.status, appr::Status::Withdrawn | appr::Status::Rejected))
}

pub(crate) async fn review_handler(
    State(state): State<Arc<AppState>>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<Json<ReviewResult>, ApiFailure> {
    let id = Uuid::parse_str(&id).map_err(|_| not_found())?;
    let Some(record) = state.storage.record(id).await? else {
        return Err(not_found());
    };
    if record.kind != KIND || !actor.scope().sees(&record.office_code) {
        return Err(not_found());
    }
    // Cross-case results name other offices' members: for the secretariat and approvers.
    if !(actor.has(Role::SecretariatReviewer) || actor.has(Role::Approver)) {
        return Err(ApiFailure::new(
            StatusCode::FORBIDDEN,
            codes::FORBIDDEN,
            "自動審査の結果は事務局の審査担当者と決裁権者だけが見られます。",
        ));
    }
    let Some(form) = form_of(&record) else {
        return Err(ApiFailure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            codes::INVALID_PAYLOAD,
            "この資格取得届の内容を読み取れません。IT管理者に連絡してください。",
        ));
    };
    let now = Utc::now();
    let received_on = appr::state_of(&record.body).map(|s| appr::jst(s.submitted_at).date());
    let ctx = CheckContext {
        today: appr::jst(now).date(),
        received_on,
    };
    let all = state.storage.records_of_kind(KIND).await?;
    let others: Vec<(String, AcquisitionForm, &'static str)> = all
        .iter()
        .filter(|r| r.id != record.id && is_case(r))
        .filter_map(|r| form_of(r).map(|f| (r.id.to_string(), f, state_label(r))))
        .collect();
    let cases: Vec<OtherCase<'_>> = others
        .iter()
        .map(|(id, form, label)| OtherCase {
            id,
            form,
            state_label: label,
        })
        .collect();
    let findings = review(&form, &cases, &ctx)
        .into_iter()
        .map(|r| ReviewFinding {
            code: r.finding.code.to_string(),
            severity: match r.finding.severity {
                kyosai_domain::Severity::Error => "error".to_string(),
                kyosai_domain::Severity::Warning => "warning".to_string(),
            },
            field: r.finding.field,
            message: r.finding.message,
            related_record_id: r.related.and_then(|s| Uuid::parse_str(&s).ok()),
        })
        .collect::<Vec<_>>();
    tracing::info!(user = %actor.user_id, record = %id, findings = findings.len(), "acquisition reviewed");
    Ok(Json(ReviewResult {
        record_id: id,
        checked_at: now,
        findings,
    }))
}
