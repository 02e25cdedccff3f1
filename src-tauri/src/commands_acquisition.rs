//! The IPC commands of the 組合員資格取得届 (`kyosai_app::acquisitions`): each a few
//! lines that pick the signed-in user and the store and call the use case.

use kyosai_app::acquisitions::{
    self, AcquisitionFormDto, AcquisitionInput, AcquisitionListItem, AcquisitionOptions,
    AcquisitionView, AssessmentDto,
};
use kyosai_app::AppError;
use kyosai_sync_protocol::UserInfo;
use tauri::State;

use crate::state::AppState;

async fn me(state: &State<'_, AppState>) -> Result<UserInfo, AppError> {
    state.sync()?.require_me().await
}

#[tauri::command]
#[specta::specta]
pub async fn list_acquisitions(
    state: State<'_, AppState>,
) -> Result<Vec<AcquisitionListItem>, AppError> {
    acquisitions::list(state.shared_store()?).await
}

#[tauri::command]
#[specta::specta]
pub async fn get_acquisition(
    state: State<'_, AppState>,
    id: String,
) -> Result<AcquisitionView, AppError> {
    acquisitions::get(state.shared_store()?, id).await
}

#[tauri::command]
#[specta::specta]
pub fn acquisition_options() -> AcquisitionOptions {
    acquisitions::options()
}

/// `submission`: also report every empty required field.
#[tauri::command]
#[specta::specta]
pub async fn check_acquisition(
    state: State<'_, AppState>,
    input: AcquisitionInput,
    submission: bool,
) -> Result<AssessmentDto, AppError> {
    acquisitions::check(state.shared_store()?, input, submission).await
}

#[tauri::command]
#[specta::specta]
pub async fn acknowledge_acquisition_warning(
    state: State<'_, AppState>,
    input: AcquisitionInput,
    code: String,
    field: String,
) -> Result<AcquisitionFormDto, AppError> {
    acquisitions::acknowledge(state.shared_store()?, input, code, field).await
}

#[tauri::command]
#[specta::specta]
pub async fn save_acquisition(
    state: State<'_, AppState>,
    input: AcquisitionInput,
) -> Result<AcquisitionView, AppError> {
    let sync = state.sync()?;
    let me = sync.me().await;
    let office = match me.as_ref().and_then(|u| u.office_code.clone()) {
        Some(code) => Some(code),
        None => state.settings().ok().map(|s| s.office_code),
    };
    let saved = acquisitions::save(state.shared_store()?, input, office, me).await?;
    sync.notify_local_write().await;
    Ok(saved)
}

#[tauri::command]
#[specta::specta]
pub async fn submit_acquisition(
    state: State<'_, AppState>,
    id: String,
) -> Result<AcquisitionView, AppError> {
    let me = me(&state).await?;
    let v = acquisitions::submit(state.shared_store()?, me, id).await?;
    state.sync()?.notify_local_write().await;
    Ok(v)
}

#[tauri::command]
#[specta::specta]
pub async fn withdraw_acquisition(
    state: State<'_, AppState>,
    id: String,
) -> Result<AcquisitionView, AppError> {
    let me = me(&state).await?;
    let v = acquisitions::withdraw(state.shared_store()?, me, id).await?;
    state.sync()?.notify_local_write().await;
    Ok(v)
}

/// The stored 個人番号 in full, for the field whose 表示 was pressed: only for the roles
/// that may see it, with a purpose, and audited (`acquisitions::reveal_my_number_of`).
#[tauri::command]
#[specta::specta]
pub async fn reveal_acquisition_my_number(
    state: State<'_, AppState>,
    id: String,
    purpose: String,
    note: String,
) -> Result<Option<String>, AppError> {
    let me = me(&state).await?;
    acquisitions::reveal_my_number(state.shared_store()?, me, id, purpose, note).await
}
