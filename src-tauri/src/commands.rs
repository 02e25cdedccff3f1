//! The IPC commands: each takes DTOs, calls a use case in `kyosai-app` and returns its
//! result. No SQL and no business rules here.

use kyosai_app::dates::{self, DateView, WarekiInput};
use kyosai_app::diagnostics::{self, AppInfo, IntegrityReport};
use kyosai_app::notes::{self, NoteDraft, NoteView};
use kyosai_app::settings::{self, SettingsDraft, SettingsView};
use kyosai_app::sync::{ConflictView, ResolutionDto, SessionView, SyncStatusView};
use kyosai_app::{AppError, FindingDto};
use tauri::State;

use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    state.info()
}

#[tauri::command(async)]
#[specta::specta]
pub fn get_settings(state: State<'_, AppState>) -> Result<SettingsView, AppError> {
    state.settings()
}

#[tauri::command(async)]
#[specta::specta]
pub fn check_settings(draft: SettingsDraft) -> Vec<FindingDto> {
    settings::check(&draft)
}

/// Saves the settings and restarts the sync loop with them.
#[tauri::command]
#[specta::specta]
pub async fn save_settings(
    state: State<'_, AppState>,
    draft: SettingsDraft,
) -> Result<SettingsView, AppError> {
    let saved = state.with_store(|s| settings::save(s, state.policy.as_ref(), &draft))?;
    state.sync()?.apply_settings(&saved).await?;
    Ok(saved)
}

#[tauri::command]
#[specta::specta]
pub fn wareki_to_date(input: WarekiInput) -> Result<DateView, AppError> {
    dates::wareki_to_date(input)
}

#[tauri::command]
#[specta::specta]
pub fn date_to_wareki(iso: String) -> Result<DateView, AppError> {
    dates::date_to_wareki(&iso)
}

#[tauri::command]
#[specta::specta]
pub fn parse_wareki(text: String) -> Result<DateView, AppError> {
    dates::parse_wareki(&text)
}

#[tauri::command(async)]
#[specta::specta]
pub fn integrity_check(state: State<'_, AppState>) -> Result<IntegrityReport, AppError> {
    state.with_store(|s| diagnostics::integrity_check(s))
}

/// Called once by the UI after its first render: the end of start-up.
#[tauri::command]
#[specta::specta]
pub fn frontend_ready() {
    crate::startup::first_screen_shown();
}

#[tauri::command]
#[specta::specta]
pub async fn sign_in(
    state: State<'_, AppState>,
    user_id: String,
    password: String,
) -> Result<SessionView, AppError> {
    state.sync()?.sign_in(&user_id, &password).await
}

#[tauri::command]
#[specta::specta]
pub async fn sign_out(state: State<'_, AppState>) -> Result<(), AppError> {
    state.sync()?.sign_out().await
}

#[tauri::command]
#[specta::specta]
pub async fn session(state: State<'_, AppState>) -> Result<Option<SessionView>, AppError> {
    Ok(state.sync()?.session().await)
}

#[tauri::command]
#[specta::specta]
pub fn sync_status(state: State<'_, AppState>) -> Result<SyncStatusView, AppError> {
    Ok(state.sync()?.status())
}

#[tauri::command]
#[specta::specta]
pub async fn sync_now(state: State<'_, AppState>) -> Result<(), AppError> {
    state.sync()?.sync_now().await
}

#[tauri::command]
#[specta::specta]
pub async fn list_conflicts(state: State<'_, AppState>) -> Result<Vec<ConflictView>, AppError> {
    state.sync()?.conflicts().await
}

#[tauri::command]
#[specta::specta]
pub async fn resolve_conflict(
    state: State<'_, AppState>,
    record_id: String,
    resolution: ResolutionDto,
) -> Result<(), AppError> {
    state.sync()?.resolve(&record_id, resolution).await
}

#[tauri::command]
#[specta::specta]
pub async fn list_notes(state: State<'_, AppState>) -> Result<Vec<NoteView>, AppError> {
    notes::list(state.shared_store()?).await
}

#[tauri::command]
#[specta::specta]
pub fn check_note(draft: NoteDraft) -> Vec<FindingDto> {
    notes::check(&draft)
}

#[tauri::command]
#[specta::specta]
pub async fn save_note(state: State<'_, AppState>, draft: NoteDraft) -> Result<NoteView, AppError> {
    let sync = state.sync()?;
    let office = match sync.session().await.and_then(|s| s.office_code) {
        Some(code) => Some(code),
        None => state
            .settings()
            .ok()
            .map(|s| s.office_code)
            .filter(|c| !c.is_empty()),
    };
    let saved = notes::save(state.shared_store()?, draft, office).await?;
    sync.notify_local_write().await;
    Ok(saved)
}
