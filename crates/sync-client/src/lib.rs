//! The client half of Kyosai Desk's sync: talks HTTPS to the central service, keeps the
//! signed-in session, and runs the background loop that pushes the local outbox and pulls
//! the server's changes into the local store.
//!
//! What it is for:
//! - [`Api`]: one method per endpoint of the sync API (`kyosai-sync-protocol`), over
//!   rustls with the OS trust store plus an optional organisation root CA, an optional
//!   proxy, timeouts, and the protocol / app-version headers on every request. Plain
//!   `http://` is refused except to this PC.
//! - [`Auth`]: sign-in, refresh (once per expiry, shared by all tasks), sign-out (refused
//!   while unsent work remains). Only the refresh token is kept, in the OS credential
//!   store through a [`SecretStore`] ([`KeyringSecretStore`] or, in tests,
//!   [`MemorySecretStore`]).
//! - [`SyncEngine`]: the loop (push, then pull; triggers, backoff with jitter,
//!   `Retry-After`) and the [`SyncStatus`] the status bar follows.
//!
//! What it is not for: it holds no SQL (the outbox, drafts and pages are applied by
//! `kyosai-store`), no business rules (the server decides; `kyosai-domain` checks input
//! before a command is written), and nothing of Tauri: the app wires the engine to its
//! windows and turns [`SyncError`] into its IPC error (`code`, `message`).
//!
//! # Wiring (the app)
//!
//! ```text
//! let api = Api::new(ClientConfig { base_url, root_ca_pem_path, proxy_url, app_version, timeouts })?;
//! let secrets = KeyringSecretStore::detect()          // OS store, picked at run time
//!     .map(|k| Arc::new(k) as Arc<dyn SecretStore>)
//!     .unwrap_or_else(|| Arc::new(MemorySecretStore::new()));
//! let auth = Arc::new(Auth::new(api, secrets, profile_name, default_device_name()));
//! auth.restore(&store).await?;                        // resume without the network
//! let engine = SyncEngine::start_on(&runtime, store, auth, EngineOptions::default());
//! engine.status()                                     // watch::Receiver<SyncStatus>
//! engine.notify_local_write() / engine.trigger()      // after a save / on focus
//! ```
//!
//! # Tests
//!
//! `tests/` runs against the real central service (`kyosai_central::testing::TestServer`,
//! TLS on 127.0.0.1 with a test CA) on SQLite and PostgreSQL: PostgreSQL needs
//! `KYOSAI_TEST_PG_URL` (see `crates/central/scripts/start-test-postgres.sh`) or
//! `KYOSAI_SKIP_PG=1`. The fault test runs 100 seeded trials per backend; the full run is
//! `KYOSAI_FAULT_TRIALS=1000 cargo test -p kyosai-sync-client --test faults -- --nocapture`
//! (in-process: aborted tasks, cut responses, restarts) and
//! `KYOSAI_FAULT_TRIALS=1000 cargo test -p kyosai-sync-client --test sigkill` (a real child
//! process killed with SIGKILL during push and pull)
//! (`KYOSAI_FAULT_SEED` picks another seed). The credential store test needs a real store
//! (`keyctl session -` or a D-Bus session with gnome-keyring; `KYOSAI_REQUIRE_KEYRING=1`
//! makes its absence a failure).
//!
//! Errors carry a stable `code` — the server's codes (`kyosai_sync_protocol::codes`)
//! passed through, the store's (`store.*`), or this crate's ([`local_codes`]) — and a
//! Japanese message that says what to do.

mod api;
mod auth;
mod backoff;
mod config;
mod engine;
mod error;
mod secrets;
pub mod unlock;

use std::sync::{Arc, Mutex};

use kyosai_store::{Store, StoreError};

pub use api::{Api, DashboardParams};
pub use auth::Auth;
pub use backoff::Backoff;
pub use config::{check_base_url, ClientConfig, Timeouts};
pub use engine::{sync_once, CycleReport, EngineOptions, StatusError, SyncEngine, SyncStatus};
pub use error::{local_codes, ErrorKind, SyncError};
pub use secrets::{
    account_for, KeyringBackend, KeyringSecretStore, MemorySecretStore, SecretStore,
    KEYRING_SERVICE, MAX_SECRET_BYTES,
};

/// The store as the app shares it between its commands and the sync loop.
pub type SharedStore = Arc<Mutex<Store>>;

/// Runs `f` on the store on a blocking thread (SQLite with `synchronous=FULL` waits for
/// the disk). A poisoned lock is taken over: every store write is one SQLite transaction,
/// so a panic elsewhere cannot have left it half-done.
pub(crate) async fn with_store<T, F>(store: &SharedStore, f: F) -> Result<T, SyncError>
where
    T: Send + 'static,
    F: FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
{
    let store = store.clone();
    tokio::task::spawn_blocking(move || {
        let mut guard = store.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard).map_err(SyncError::from)
    })
    .await
    .map_err(|_| SyncError::stopped())?
}

/// A name for this PC that IT recognises (the host name), for device enrolment.
pub fn default_device_name() -> String {
    for var in ["COMPUTERNAME", "HOSTNAME"] {
        if let Ok(v) = std::env::var(var) {
            if !v.trim().is_empty() {
                return v.trim().to_string();
            }
        }
    }
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "kyosai-desk".to_string())
}
