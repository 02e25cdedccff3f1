//! What the commands share: the profile, its paths, the open store and the sync service.

use std::sync::{Arc, Mutex};

use kyosai_app::diagnostics::AppInfo;
use kyosai_app::sync::SyncService;
use kyosai_app::AppError;
use kyosai_store::Store;
use kyosai_sync_client::SharedStore;

use crate::profile::{Profile, ProfilePaths};

/// Shared by every command of one window.
#[derive(Debug)]
pub struct AppState {
    pub profile: Profile,
    pub paths: ProfilePaths,
    /// The store and its sync service, or why the store could not be opened (shown by
    /// the UI, e.g. "newer schema").
    open: Result<(SharedStore, Arc<SyncService>), AppError>,
}

impl AppState {
    pub fn new(profile: Profile, paths: ProfilePaths, store: Result<Store, AppError>) -> Self {
        let open = store.map(|s| {
            let shared: SharedStore = Arc::new(Mutex::new(s));
            let sync = Arc::new(SyncService::new(
                shared.clone(),
                profile.name(),
                env!("CARGO_PKG_VERSION"),
                &device_name(),
            ));
            (shared, sync)
        });
        AppState {
            profile,
            paths,
            open,
        }
    }

    /// Runs `f` with the store (on the calling thread), or returns why there is none.
    pub fn with_store<T>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let (store, _) = self.open.as_ref().map_err(Clone::clone)?;
        let mut guard = store.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }

    pub fn shared_store(&self) -> Result<&SharedStore, AppError> {
        self.open.as_ref().map(|(s, _)| s).map_err(Clone::clone)
    }

    pub fn sync(&self) -> Result<&Arc<SyncService>, AppError> {
        self.open.as_ref().map(|(_, s)| s).map_err(Clone::clone)
    }

    pub fn startup_error(&self) -> Option<AppError> {
        self.open.as_ref().err().cloned()
    }

    pub fn info(&self) -> AppInfo {
        let schema_version = self
            .with_store(|s| Ok(s.schema_version()?))
            .unwrap_or_default();
        AppInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            build_profile: if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            }
            .to_string(),
            profile: self.profile.name().to_string(),
            data_dir: self.paths.root.display().to_string(),
            log_dir: self.paths.logs.display().to_string(),
            database_path: self.paths.database.display().to_string(),
            schema_version,
            startup_error: self.startup_error(),
        }
    }
}

/// A name IT recognises for this PC (device enrolment).
fn device_name() -> String {
    let from_env = std::env::var("COMPUTERNAME")
        .or_else(|_| std::env::var("HOSTNAME"))
        .ok();
    let from_file = || {
        std::fs::read_to_string("/etc/hostname")
            .ok()
            .map(|s| s.trim().to_string())
    };
    from_env
        .or_else(from_file)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown-pc".to_string())
}
