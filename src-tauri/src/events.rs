//! Events the shell sends to the window.

use std::sync::Arc;

use kyosai_app::settings::SettingsView;
use kyosai_app::sync::{SyncService, SyncStatusView};
use kyosai_app::AppError;
use serde::{Deserialize, Serialize};
use tauri::AppHandle;
use tauri_specta::Event;

/// The sync status changed (online/offline, counts, last sync): the status bar follows it.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct SyncStatusChanged(pub SyncStatusView);

/// Starts the sync loop with the stored settings and forwards its status to the window.
pub fn start_sync(
    app: &AppHandle,
    sync: Arc<SyncService>,
    settings: Result<SettingsView, AppError>,
) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut rx = sync.subscribe();
        match settings {
            Ok(s) => {
                if let Err(e) = sync.apply_settings(&s).await {
                    tracing::warn!(code = %e.code, "sync not started");
                }
            }
            Err(e) => tracing::warn!(code = %e.code, "settings unreadable; sync off"),
        }
        loop {
            let view = rx.borrow_and_update().clone();
            if let Err(e) = SyncStatusChanged(view).emit(&app) {
                tracing::debug!(error = %e, "status event not delivered");
            }
            if rx.changed().await.is_err() {
                break;
            }
        }
    });
}
