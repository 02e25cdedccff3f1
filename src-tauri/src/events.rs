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
        let mut inbox = InboxWatch::default();
        loop {
            let view = rx.borrow_and_update().clone();
            let synced = view.last_sync_at.clone();
            if let Err(e) = SyncStatusChanged(view).emit(&app) {
                tracing::debug!(error = %e, "status event not delivered");
            }
            if synced.is_some() && synced != inbox.seen_sync {
                inbox.seen_sync = synced;
                inbox.after_sync(&app, &sync).await;
            }
            if rx.changed().await.is_err() {
                break;
            }
        }
    });
}

/// Counts the 決裁 inbox after each sync and tells the OS when it grew.
#[derive(Debug, Default)]
struct InboxWatch {
    seen_sync: Option<String>,
    /// `(user, count)` after the last sync; the first count of a user is not announced.
    last: Option<(String, usize)>,
}

impl InboxWatch {
    async fn after_sync(&mut self, app: &AppHandle, sync: &Arc<SyncService>) {
        let Some(me) = sync.me().await else {
            self.last = None;
            return;
        };
        let user = me.user_id.clone();
        let count = kyosai_app::sync::with_store(sync.store(), move |s| {
            kyosai_app::approvals::inbox_count(s, &me)
        })
        .await;
        let count = match count {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(code = %e.code, "inbox not counted");
                return;
            }
        };
        let grew = matches!(&self.last, Some((u, before)) if *u == user && count > *before);
        self.last = Some((user, count));
        if grew {
            notify_inbox(app, count);
        }
    }
}

/// An OS notification; a desktop without a notification service (Xvfb, a locked-down
/// PC) only gets a log line.
fn notify_inbox(app: &AppHandle, count: usize) {
    use tauri_plugin_notification::NotificationExt;
    let shown = app
        .notification()
        .builder()
        .title("共済デスク 決裁")
        .body(format!("決裁待ちの文書が {count} 件あります。"))
        .show();
    match shown {
        Ok(()) => tracing::info!(count, "inbox notification shown"),
        Err(e) => tracing::info!(error = %e, "inbox notification not shown"),
    }
}
