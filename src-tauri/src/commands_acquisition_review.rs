//! The IPC commands of reviewing a 資格取得届 (`kyosai_app::acquisition_review`): the
//! approver's screen, the automated review from the central service, 証明 / 審査 / 登録 /
//! 差戻し, and the PDFs (one, the 審査結果通知, and a batch into one folder).

use std::path::PathBuf;

use chrono::Utc;
use kyosai_app::acquisition_review::{self as review, AcquisitionReviewView, AutoReviewView};
use kyosai_app::approvals::ActRequest;
use kyosai_app::session_lock::{act_needs_password, SessionLock};
use kyosai_app::AppError;
use kyosai_sync_protocol::UserInfo;
use tauri::{Manager, State};

use crate::state::AppState;

async fn me(state: &State<'_, AppState>) -> Result<UserInfo, AppError> {
    state.sync()?.require_me().await
}

fn downloads<R: tauri::Runtime>(app: &tauri::AppHandle<R>, state: &AppState) -> PathBuf {
    app.path()
        .download_dir()
        .unwrap_or_else(|_| state.paths.root.join("downloads"))
}

#[tauri::command]
#[specta::specta]
pub async fn acquisition_review(
    state: State<'_, AppState>,
    id: String,
) -> Result<AcquisitionReviewView, AppError> {
    // Names in the history come from the directory: fetch it if this PC has none yet.
    if let Err(e) = state.sync()?.refresh_directory(300).await {
        tracing::info!(code = %e.code, "directory not refreshed; the cached one is used");
    }
    review::review(state.shared_store()?, me(&state).await?, id).await
}

/// The central service's automated review (online; a clear state when it cannot be had).
#[tauri::command]
#[specta::specta]
pub async fn acquisition_auto_review(
    state: State<'_, AppState>,
    id: String,
) -> Result<AutoReviewView, AppError> {
    let result = state
        .sync()?
        .acquisition_review(review::record_id(&id)?)
        .await;
    review::auto_review(state.shared_store()?, result).await
}

#[tauri::command]
#[specta::specta]
pub async fn acquisition_act(
    state: State<'_, AppState>,
    lock: State<'_, SessionLock>,
    request: ActRequest,
) -> Result<AcquisitionReviewView, AppError> {
    if act_needs_password(&request.kind) {
        lock.require_recent_password(std::time::Instant::now())?;
    }
    let v = review::act(state.shared_store()?, me(&state).await?, request).await?;
    state.sync()?.notify_local_write().await;
    Ok(v)
}

/// 「印刷用PDFを保存」: returns the file's path.
#[tauri::command]
#[specta::specta]
pub async fn acquisition_pdf<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
) -> Result<String, AppError> {
    let me = state.sync()?.me().await;
    review::acquisition_pdf(state.shared_store()?, me, id, downloads(&app, &state)).await
}

/// 「審査結果通知を保存」 with the server's findings when they can be had.
#[tauri::command]
#[specta::specta]
pub async fn acquisition_notice_pdf<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
) -> Result<String, AppError> {
    let sync = state.sync()?;
    let found = match sync.acquisition_review(review::record_id(&id)?).await {
        Ok(r) => Some(r),
        Err(e) => {
            tracing::info!(code = %e.code, "notice printed without the automated review");
            None
        }
    };
    let me = sync.me().await;
    review::notice_pdf(
        state.shared_store()?,
        me,
        id,
        found,
        downloads(&app, &state),
    )
    .await
}

/// Starts a batch print; returns its id.
#[tauri::command]
#[specta::specta]
pub fn acquisition_print_batch_begin<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<String, AppError> {
    review::batch_begin(&downloads(&app, &state))
}

/// Adds one notification to batch `batch`; returns the file name.
#[tauri::command]
#[specta::specta]
pub async fn acquisition_print_batch_add<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    batch: String,
    id: String,
) -> Result<String, AppError> {
    let me = state.sync()?.me().await;
    let dir = downloads(&app, &state);
    review::batch_add(state.shared_store()?, me, dir, batch, id).await
}

/// Makes the batch's folder visible; returns its path.
#[tauri::command]
#[specta::specta]
pub fn acquisition_print_batch_finish<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    batch: String,
) -> Result<String, AppError> {
    review::batch_finish(&downloads(&app, &state), &batch, Utc::now())
}

/// 中止: nothing of the batch remains.
#[tauri::command]
#[specta::specta]
pub fn acquisition_print_batch_cancel<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    batch: String,
) -> Result<(), AppError> {
    review::batch_cancel(&downloads(&app, &state), &batch)
}
