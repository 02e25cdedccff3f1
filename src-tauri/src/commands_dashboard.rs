//! The IPC commands of 見える化 (`kyosai_app::dashboard`): the figures of a period from the
//! central service, and the 業務フロー table as CSV or PDF in the download folder.

use kyosai_app::dashboard::{self, DashboardExport, DashboardQueryDto, DashboardView};
use kyosai_app::AppError;
use tauri::State;

use crate::state::AppState;

/// The dashboard of a period (and office, and comparison day) for the signed-in user.
#[tauri::command]
#[specta::specta]
pub async fn dashboard_load(
    state: State<'_, AppState>,
    query: DashboardQueryDto,
) -> Result<DashboardView, AppError> {
    dashboard::load(state.sync()?, query).await
}

/// Writes the 業務フロー table as CSV (UTF-8 with BOM) into the download folder.
#[tauri::command]
#[specta::specta]
pub async fn dashboard_export_csv<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    query: DashboardQueryDto,
) -> Result<DashboardExport, AppError> {
    dashboard::export_csv(state.sync()?, query, download_dir(&app, &state)).await
}

/// Writes the 業務フロー table as an A4 landscape PDF into the download folder.
#[tauri::command]
#[specta::specta]
pub async fn dashboard_export_pdf<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    query: DashboardQueryDto,
) -> Result<DashboardExport, AppError> {
    dashboard::export_pdf(state.sync()?, query, download_dir(&app, &state)).await
}

fn download_dir<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    state: &AppState,
) -> std::path::PathBuf {
    use tauri::Manager;
    app.path()
        .download_dir()
        .unwrap_or_else(|_| state.paths.root.join("downloads"))
}
