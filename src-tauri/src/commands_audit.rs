//! The IPC commands of the audit log (`kyosai_app::audit`): 「監査ログを書き出す」 for IT
//! (JSON Lines in the download folder, checked with `kyosai audit verify`) and the check of
//! the log on this PC.

use kyosai_app::audit::{self, AuditLogView};
use kyosai_app::AppError;
use tauri::State;

use crate::state::AppState;

/// Writes the whole audit log into the download folder (itself the last entry,
/// `export.audit`); returns the file, the count, the head and whether the chain is intact.
#[tauri::command]
#[specta::specta]
pub async fn audit_export<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<AuditLogView, AppError> {
    use tauri::Manager;
    let dir = app
        .path()
        .download_dir()
        .unwrap_or_else(|_| state.paths.root.join("downloads"));
    let actor = match state.sync() {
        Ok(sync) => sync.me().await.map(|m| m.user_id).unwrap_or_default(),
        Err(_) => String::new(),
    };
    audit::export(state.shared_store()?, actor, dir).await
}

/// Checks the audit log on this PC.
#[tauri::command]
#[specta::specta]
pub async fn audit_status(state: State<'_, AppState>) -> Result<AuditLogView, AppError> {
    audit::status(state.shared_store()?).await
}
