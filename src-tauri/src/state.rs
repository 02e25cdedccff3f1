//! What the commands share: the profile, its paths, the open store and the sync service.

use std::sync::{Arc, Mutex, OnceLock};

use kyosai_app::diagnostics::AppInfo;
use kyosai_app::local_db::{KeyLostView, StartedFresh};
use kyosai_app::settings::{Policy, SettingsView};
use kyosai_app::sync::SyncService;
use kyosai_app::AppError;
use kyosai_store::Store;
use kyosai_sync_client::{SecretStore, SharedStore};

use crate::profile::{Profile, ProfilePaths};
use crate::startup::OpenedDatabase;

type Opened = (SharedStore, Arc<SyncService>);

/// Starts the sync loop of a store that opened (kept so that a store opened later, by
/// 「新しく始める」, starts its loop the same way).
pub struct SyncStarter(Box<StartSync>);

type StartSync = dyn Fn(Arc<SyncService>, Result<SettingsView, AppError>) + Send + Sync;

impl std::fmt::Debug for SyncStarter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SyncStarter")
    }
}

/// Shared by every command of one window.
#[derive(Debug)]
pub struct AppState {
    pub profile: Profile,
    pub paths: ProfilePaths,
    /// IT's machine policy, if this PC has one.
    pub policy: Option<Policy>,
    /// The OS credential store (database key and refresh tokens), if this PC has one.
    secrets: Option<Arc<dyn SecretStore>>,
    /// The store and its sync service, or why the store could not be opened (shown by
    /// the UI, e.g. "newer schema").
    open: Result<Opened, AppError>,
    /// The database exists but this PC's key does not open it (until 「新しく始める」).
    key_lost: Mutex<Option<KeyLostView>>,
    /// The new store after 「新しく始める」; it replaces `open` for the rest of the run.
    fresh: OnceLock<Opened>,
    sync_starter: OnceLock<SyncStarter>,
}

impl AppState {
    /// `store` fails when the database could not be opened, and also when the machine
    /// policy is unreadable: a managed PC must not quietly run without its policy (the
    /// key-lost screen waits until the policy is fixed).
    pub fn new(
        profile: Profile,
        paths: ProfilePaths,
        policy: Result<Option<Policy>, AppError>,
        database: OpenedDatabase,
    ) -> Self {
        let OpenedDatabase {
            store,
            key_lost,
            secrets,
        } = database;
        let (policy, store, key_lost) = match policy {
            Ok(p) => (p, store, key_lost),
            Err(e) => (None, Err(e), None),
        };
        let open = store.map(|s| Self::service(&profile, secrets.as_ref(), s));
        AppState {
            profile,
            paths,
            policy,
            secrets,
            open,
            key_lost: Mutex::new(key_lost),
            fresh: OnceLock::new(),
            sync_starter: OnceLock::new(),
        }
    }

    fn service(profile: &Profile, secrets: Option<&Arc<dyn SecretStore>>, store: Store) -> Opened {
        let shared: SharedStore = Arc::new(Mutex::new(store));
        let (name, version, device) = (profile.name(), env!("CARGO_PKG_VERSION"), device_name());
        let sync = Arc::new(match secrets {
            Some(s) => SyncService::with_secrets(shared.clone(), name, version, &device, s.clone()),
            None => SyncService::new(shared.clone(), name, version, &device),
        });
        (shared, sync)
    }

    fn opened(&self) -> Result<&Opened, AppError> {
        if let Some(fresh) = self.fresh.get() {
            return Ok(fresh);
        }
        self.open.as_ref().map_err(Clone::clone)
    }

    /// Keeps `start` to start the sync loop of the store, and calls it now if the store
    /// is open.
    pub fn start_sync_with(
        &self,
        start: impl Fn(Arc<SyncService>, Result<SettingsView, AppError>) + Send + Sync + 'static,
    ) {
        if let Ok((_, sync)) = self.opened() {
            start(sync.clone(), self.settings());
        }
        let _ = self.sync_starter.set(SyncStarter(Box::new(start)));
    }

    /// Why the database is closed when this PC's key does not open it.
    pub fn key_lost(&self) -> Option<KeyLostView> {
        self.key_lost
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// 「新しく始める（サーバーから取り直す）」: sets the unreadable database aside, opens a
    /// new one and starts its sync loop. Only while the key is lost.
    pub fn start_fresh(&self) -> Result<StartedFresh, AppError> {
        let mut lost = self.key_lost.lock().unwrap_or_else(|p| p.into_inner());
        if lost.is_none() || self.fresh.get().is_some() {
            return Err(AppError::new(
                "store.not_key_lost",
                "データベースは開いています。新しく始める必要はありません。",
            ));
        }
        let secrets = self.secrets.as_ref().ok_or_else(|| {
            AppError::new(
                "store.no_key_store",
                "OSの資格情報ストアを使えないため、新しいデータベースを作れません。IT管理者に連絡してください。",
            )
        })?;
        let (store, done) = kyosai_app::local_db::start_fresh(
            &self.paths.database,
            secrets.as_ref(),
            self.profile.name(),
            chrono::Utc::now(),
        )?;
        let opened = Self::service(&self.profile, Some(secrets), store);
        let sync = opened.1.clone();
        if self.fresh.set(opened).is_err() {
            return Err(AppError::internal("start fresh", &"store already replaced"));
        }
        *lost = None;
        drop(lost);
        if let Some(start) = self.sync_starter.get() {
            (start.0)(sync, self.settings());
        }
        Ok(done)
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
        let (store, _) = self.opened()?;
        let mut guard = store.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }

    pub fn shared_store(&self) -> Result<&SharedStore, AppError> {
        self.opened().map(|(s, _)| s)
    }

    pub fn sync(&self) -> Result<&Arc<SyncService>, AppError> {
        self.opened().map(|(_, s)| s)
    }

    pub fn startup_error(&self) -> Option<AppError> {
        self.opened().err()
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

/// Where IT puts the machine policy ([`kyosai_app::settings::machine_policy_path`]).
pub fn policy_path() -> std::path::PathBuf {
    kyosai_app::settings::machine_policy_path()
}
