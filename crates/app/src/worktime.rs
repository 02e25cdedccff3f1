//! 業務の見える化: the working time of a case, measured in the app.
//!
//! The editor of a case (資格取得届, 起案, 調達の各段, 決裁の詳細) counts the time the
//! window is in front and the person is typing or pointing (idle excluded; the rule is
//! the UI's `workTimer`) and hands it here every few minutes and when it closes. Each
//! hand-over becomes one work session, queued as `work.time@1` on the case's record: the
//! step it was worked at (起案・作成 or the approval step now due, from the server's
//! approval state), a new session id, the start and the active seconds. The central
//! service keeps it under the person, the office and the kind of the case; it changes
//! nothing in the case and never labels a draft.

use chrono::{DateTime, Duration, Utc};
use kyosai_store::{Store, StoreError};
use kyosai_sync_client::SharedStore;
use kyosai_sync_protocol::work::{self, TimePayload};
use serde::Deserialize;
use uuid::Uuid;

use crate::sync::with_store;
use crate::AppError;

/// Shorter than this is not work on the case (a glance while passing): not recorded.
pub const MIN_SECONDS: u32 = 5;

/// What the editor hands over.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct WorkTimeRequest {
    /// The case's record id.
    pub record_id: String,
    /// When the counted stretch began (RFC 3339).
    pub started_at: String,
    pub active_seconds: u32,
}

/// Queues the session of `active_seconds` on `record_id` begun at `started_at`. Returns
/// whether anything was queued: nothing for less than [`MIN_SECONDS`], for a record this
/// PC does not hold (or no longer may see), or for one that is neither on the server nor
/// on its way there. More than 8 hours is recorded as 8 hours, and a start in the future
/// (a clock that jumped) as now.
pub fn record_on(
    store: &mut Store,
    record_id: Uuid,
    started_at: DateTime<Utc>,
    active_seconds: u32,
) -> Result<bool, AppError> {
    if active_seconds < MIN_SECONDS {
        return Ok(false);
    }
    let seconds = active_seconds.min(work::MAX_ACTIVE_SECONDS);
    let now = Utc::now();
    let started_at = started_at.min(now);
    let Some(record) = store.sync().record(record_id)? else {
        return Ok(false);
    };
    if record.revoked {
        return Ok(false);
    }
    let approval = record
        .server
        .as_ref()
        .and_then(|s| kyosai_domain::approval::state_of(&s.body));
    let payload = TimePayload {
        session_id: Uuid::new_v4(),
        step: kyosai_domain::flow::step_key(approval.as_ref()),
        started_at,
        active_seconds: seconds,
    };
    let payload =
        serde_json::to_value(&payload).map_err(|e| AppError::internal("work time json", &e))?;
    match store
        .sync()
        .record_action_local(record_id, work::TIME, 1, &payload)
    {
        Ok(_) => Ok(true),
        // Never confirmed by the server and nothing on its way: there is no case to
        // time yet.
        Err(StoreError::DraftInFlight { .. }) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// [`record_on`] from the editor's request, on the shared store.
pub async fn record(store: &SharedStore, req: WorkTimeRequest) -> Result<bool, AppError> {
    let id = Uuid::parse_str(&req.record_id).map_err(|_| {
        AppError::new(
            "work.invalid",
            "作業時間を記録する案件の指定が正しくありません。",
        )
    })?;
    let started_at = DateTime::parse_from_rfc3339(&req.started_at)
        .map(|d| d.with_timezone(&Utc))
        // An unreadable start is not worth refusing the time for: it ended just now.
        .unwrap_or_else(|_| Utc::now() - Duration::seconds(i64::from(req.active_seconds)));
    with_store(store, move |s| {
        record_on(s, id, started_at, req.active_seconds)
    })
    .await
}
