//! The IPC commands of the CSV import of 資格取得届 (`kyosai_app::acquisition_import`):
//! each a few lines. The file's bytes cross as base64 (a JSON array of numbers would be
//! four times larger); the import's progress goes to the window as an event.

use std::sync::Arc;

use base64::Engine;
use kyosai_app::acquisition_import::{
    ColumnMapping, Encoding, ImportPreview, ImportProgress, ImportResult, ImportSessions,
};
use kyosai_app::AppError;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, State};
use tauri_specta::Event;

use crate::state::AppState;

/// Progress of a running import (`done` of `total` rows written).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct ImportProgressed(pub ImportProgress);

async fn office_of(state: &State<'_, AppState>) -> Result<Option<String>, AppError> {
    let me = state.sync()?.me().await;
    Ok(match me.and_then(|u| u.office_code) {
        Some(code) => Some(code),
        None => state.settings().ok().map(|s| s.office_code),
    })
}

/// Reads a CSV file (`data`: its bytes in base64) and checks every row.
#[tauri::command]
#[specta::specta]
pub async fn import_open(
    state: State<'_, AppState>,
    sessions: State<'_, Arc<ImportSessions>>,
    file_name: String,
    data: String,
    encoding: Option<Encoding>,
) -> Result<ImportPreview, AppError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.as_bytes())
        .map_err(|_| {
            AppError::new(
                "import.unreadable",
                "ファイルを受け取れませんでした。もう一度選んでください。",
            )
        })?;
    let office = office_of(&state).await?;
    sessions
        .open(file_name, bytes, encoding, office, chrono::Utc::now())
        .await
}

/// Checks every row again with another column mapping.
#[tauri::command]
#[specta::specta]
pub async fn import_remap(
    sessions: State<'_, Arc<ImportSessions>>,
    session: String,
    mapping: Vec<ColumnMapping>,
) -> Result<ImportPreview, AppError> {
    sessions.remap(session, mapping, chrono::Utc::now()).await
}

/// Imports the rows without errors in one transaction, sending `ImportProgressed`.
#[tauri::command]
#[specta::specta]
pub async fn import_run<R: tauri::Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    sessions: State<'_, Arc<ImportSessions>>,
    session: String,
) -> Result<ImportResult, AppError> {
    let emitter = app.clone();
    let result = sessions
        .import(state.shared_store()?, session, move |p| {
            if let Err(e) = ImportProgressed(p).emit(&emitter) {
                tracing::debug!(error = %e, "import progress not delivered");
            }
        })
        .await?;
    if result.imported > 0 {
        state.sync()?.notify_local_write().await;
    }
    Ok(result)
}

/// 中止: the running import stops and writes nothing.
#[tauri::command]
#[specta::specta]
pub fn import_cancel(
    sessions: State<'_, Arc<ImportSessions>>,
    session: String,
) -> Result<(), AppError> {
    sessions.cancel(&session)
}

/// Writes the error report to the download folder; returns its path.
#[tauri::command]
#[specta::specta]
pub async fn import_save_report<R: tauri::Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    sessions: State<'_, Arc<ImportSessions>>,
    session: String,
) -> Result<String, AppError> {
    let dir = app
        .path()
        .download_dir()
        .unwrap_or_else(|_| state.paths.root.join("downloads"));
    sessions.save_report(session, dir).await
}

/// Forgets the file (the page was left or another file chosen).
#[tauri::command]
#[specta::specta]
pub fn import_close(sessions: State<'_, Arc<ImportSessions>>, session: String) {
    sessions.close(&session);
}
