//! The IPC commands of the key-lost screen (`kyosai_app::local_db`): what happened and
//! what would be lost, 「新しく始める（サーバーから取り直す）」 and 「終了してIT管理者に連絡」.

use kyosai_app::local_db::{KeyLostView, StartedFresh};
use kyosai_app::AppError;
use tauri::State;

use crate::state::AppState;

/// Why the database is closed when this PC's key does not open it; `None` otherwise.
#[tauri::command]
#[specta::specta]
pub fn local_db_key_lost(state: State<'_, AppState>) -> Option<KeyLostView> {
    state.key_lost()
}

/// Sets the unreadable database aside and starts a new one (the clerk's explicit choice
/// on the key-lost screen); sign-in then downloads everything from the central service.
#[tauri::command(async)]
#[specta::specta]
pub fn local_db_start_fresh(state: State<'_, AppState>) -> Result<StartedFresh, AppError> {
    state.start_fresh()
}

/// 「終了してIT管理者に連絡」: closes the app without touching the database.
#[tauri::command]
#[specta::specta]
pub fn quit_app<R: tauri::Runtime>(app: tauri::AppHandle<R>) {
    tracing::info!("quit from the key-lost screen");
    app.exit(0);
}
