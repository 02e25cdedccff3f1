//! 組合員資格取得届 on the central service: the automated review the secretariat reviewer
//! sees (`GET /sync/v1/acquisitions/{id}/review`), decided by `kyosai-domain`'s
//! `acquisition::review` on the server's copies of every case.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use kyosai_domain::acquisition::review::{review, OtherCase};
use kyosai_domain::acquisition::stage::Stage;
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

/// The stage of a case, for the review's messages and to tell cases from drafts.
fn stage_of(record: &Record) -> Stage {
    Stage::of(appr::state_of(&record.body).as_ref())
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
        .filter(|r| r.id != record.id && stage_of(r).is_case())
        .filter_map(|r| form_of(r).map(|f| (r.id.to_string(), f, stage_of(r).label_ja())))
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

/// The registration file of `records` (registered 資格取得届): its name and content, in
/// the layout of `kyosai_domain::acquisition::registration`.
pub fn render_registrations(records: &[Record], now: chrono::DateTime<Utc>) -> (String, String) {
    use kyosai_domain::acquisition::registration::{to_csv, Registered};
    let ids: Vec<String> = records.iter().map(|r| r.id.to_string()).collect();
    let forms: Vec<Option<(AcquisitionForm, chrono::NaiveDate)>> = records
        .iter()
        .map(|r| {
            let on = appr::state_of(&r.body)
                .and_then(|s| s.decided_at)
                .unwrap_or(r.updated_at);
            form_of(r).map(|f| (f, appr::jst(on).date()))
        })
        .collect();
    let rows: Vec<Registered<'_>> = ids
        .iter()
        .zip(&forms)
        .filter_map(|(id, f)| {
            f.as_ref().map(|(form, on)| Registered {
                record_id: id,
                registered_on: *on,
                form,
            })
        })
        .collect();
    let name = format!(
        "kyosai-registrations-{}-{}.csv",
        appr::jst(now).format("%Y%m%d-%H%M%S"),
        rows.len()
    );
    (name, to_csv(&rows))
}

/// Registration files hold members' names and numbers: they are the secretariat's to
/// make and hand to the core system. IT administers the service but does not read the
/// association's records (separation of duties). A refusal is recorded in the audit log.
async fn secretariat_only(state: &AppState, actor: &crate::model::Actor) -> Result<(), ApiFailure> {
    if actor.has(Role::SecretariatReviewer) {
        return Ok(());
    }
    state
        .storage
        .audit_append(crate::audit::registration_refused(
            &actor.user_id,
            codes::FORBIDDEN,
            crate::model::now(),
        ))
        .await?;
    Err(ApiFailure::new(
        StatusCode::FORBIDDEN,
        codes::FORBIDDEN,
        "登録ファイルを扱えるのは事務局の審査担当者だけです。",
    ))
}

/// `POST /sync/v1/registrations`: the next batch (201), or 204 when nothing new was
/// registered since the last one.
pub(crate) async fn create_batch_handler(
    State(state): State<Arc<AppState>>,
    Authed(actor): Authed,
) -> Result<axum::response::Response, ApiFailure> {
    use axum::response::IntoResponse as _;
    secretariat_only(&state, &actor).await?;
    // Stored to the microsecond: answer with what a later list returns.
    let now = chrono::SubsecRound::trunc_subsecs(Utc::now(), 6);
    let made = state
        .storage
        .create_registration_batch(
            &actor.user_id,
            now,
            Box::new(move |records| render_registrations(records, now)),
        )
        .await?;
    Ok(match made {
        Some((batch, _)) => {
            tracing::info!(user = %actor.user_id, batch = %batch.id, records = batch.record_count, "registration batch created");
            (StatusCode::CREATED, Json(batch)).into_response()
        }
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

/// `GET /sync/v1/registrations`: every batch, newest first.
pub(crate) async fn list_batches_handler(
    State(state): State<Arc<AppState>>,
    Authed(actor): Authed,
) -> Result<Json<Vec<crate::storage::RegistrationBatch>>, ApiFailure> {
    secretariat_only(&state, &actor).await?;
    Ok(Json(state.storage.registration_batches().await?))
}

/// `GET /sync/v1/registrations/{id}`: the batch's file, byte for byte as first made.
pub(crate) async fn batch_file_handler(
    State(state): State<Arc<AppState>>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<axum::response::Response, ApiFailure> {
    use axum::response::IntoResponse as _;
    secretariat_only(&state, &actor).await?;
    let missing = || {
        ApiFailure::new(
            StatusCode::NOT_FOUND,
            codes::NOT_FOUND,
            "この登録ファイルはありません。一覧を確認してください。",
        )
    };
    let id = Uuid::parse_str(&id).map_err(|_| missing())?;
    let (batch, content) = state
        .storage
        .registration_batch_file(id)
        .await?
        .ok_or_else(missing)?;
    state
        .storage
        .audit_append(crate::audit::registration(
            &actor.user_id,
            "download",
            &batch,
            crate::model::now(),
        ))
        .await?;
    tracing::info!(user = %actor.user_id, batch = %id, "registration file downloaded");
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/csv; charset=utf-8".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", batch.file_name),
            ),
        ],
        content,
    )
        .into_response())
}
