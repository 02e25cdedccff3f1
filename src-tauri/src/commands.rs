//! The IPC commands: each takes DTOs, calls a use case in `kyosai-app` and returns its
//! result. No SQL and no business rules here.

use kyosai_app::dates::{self, DateView, WarekiInput};
use kyosai_app::diagnostics::{self, AppInfo, IntegrityReport};
use kyosai_app::settings::{self, SettingsDraft, SettingsView};
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
    state.with_store(settings::load)
}

#[tauri::command(async)]
#[specta::specta]
pub fn check_settings(draft: SettingsDraft) -> Vec<FindingDto> {
    settings::check(&draft)
}

#[tauri::command(async)]
#[specta::specta]
pub fn save_settings(
    state: State<'_, AppState>,
    draft: SettingsDraft,
) -> Result<SettingsView, AppError> {
    state.with_store(|s| settings::save(s, &draft))
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
