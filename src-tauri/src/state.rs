//! What the commands share: the profile, its paths, the open store and the sync service.

use std::sync::{Arc, Mutex};

use kyosai_app::diagnostics::AppInfo;
use kyosai_app::settings::{Policy, SettingsView};
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
    /// IT's machine policy, if this PC has one.
    pub policy: Option<Policy>,
    /// The store and its sync service, or why the store could not be opened (shown by
    /// the UI, e.g. "newer schema").
    open: Result<(SharedStore, Arc<SyncService>), AppError>,
}

impl AppState {
    /// `store` fails when the database could not be opened, and also when the machine
    /// policy is unreadable: a managed PC must not quietly run without its policy.
    pub fn new(
        profile: Profile,
        paths: ProfilePaths,
        policy: Result<Option<Policy>, AppError>,
        store: Result<Store, AppError>,
    ) -> Self {
        let (policy, store) = match policy {
            Ok(p) => (p, store),
            Err(e) => (None, Err(e)),
        };
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
            policy,
            open,
        }
    }

    /// The settings in force (the policy applied).
    pub fn settings(&self) -> Result<SettingsView, AppError> {
        self.with_store(|s| kyosai_app::settings::load(s, self.policy.as_ref()))
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

/// Where IT puts the machine policy: `KYOSAI_POLICY`, else the platform's machine-wide
/// configuration folder.
pub fn policy_path() -> std::path::PathBuf {
    if let Some(p) = std::env::var_os("KYOSAI_POLICY").filter(|p| !p.is_empty()) {
        return p.into();
    }
    #[cfg(windows)]
    {
        let base = std::env::var_os("ProgramData").unwrap_or_else(|| r"C:\ProgramData".into());
        std::path::PathBuf::from(base)
            .join("KyosaiDesk")
            .join("policy.json")
    }
    #[cfg(not(windows))]
    {
        std::path::PathBuf::from("/etc/kyosai-desk/policy.json")
    }
}
