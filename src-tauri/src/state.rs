//! What the commands share: the profile, its paths and the open store.

use std::sync::Mutex;

use kyosai_app::diagnostics::AppInfo;
use kyosai_app::AppError;
use kyosai_store::Store;

use crate::profile::{Profile, ProfilePaths};

/// Shared by every command of one window.
#[derive(Debug)]
pub struct AppState {
    pub profile: Profile,
    pub paths: ProfilePaths,
    /// The store, or why it could not be opened (shown by the UI, e.g. "newer schema").
    store: Result<Mutex<Store>, AppError>,
}

impl AppState {
    pub fn new(profile: Profile, paths: ProfilePaths, store: Result<Store, AppError>) -> Self {
        AppState {
            profile,
            paths,
            store: store.map(Mutex::new),
        }
    }

    /// Runs `f` with the store, or returns why there is none.
    pub fn with_store<T>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let mutex = self.store.as_ref().map_err(Clone::clone)?;
        let mut guard = mutex
            .lock()
            .map_err(|_| AppError::internal("store lock", &"poisoned"))?;
        f(&mut guard)
    }

    pub fn startup_error(&self) -> Option<AppError> {
        self.store.as_ref().err().cloned()
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
