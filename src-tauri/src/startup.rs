//! Start-up: timing from process start to the first rendered screen, and opening the
//! encrypted local database with its key from the OS credential store.

use std::sync::OnceLock;
use std::time::Instant;

static STARTED: OnceLock<Instant> = OnceLock::new();
static READY: OnceLock<u128> = OnceLock::new();

pub fn mark_process_start() {
    let _ = STARTED.set(Instant::now());
}

/// Logs the start-up time once. With `KYOSAI_REPORT_READY=1` it also prints a line on
/// standard output, which the start-up benchmark reads.
pub fn first_screen_shown() {
    let Some(started) = STARTED.get() else { return };
    let ms = started.elapsed().as_millis();
    if READY.set(ms).is_ok() {
        tracing::info!(ms, "first screen shown");
        if std::env::var_os("KYOSAI_REPORT_READY").is_some() {
            #[allow(clippy::print_stdout)]
            {
                println!("KYOSAI_READY {ms}");
            }
        }
    }
}

/// The local database as the app found it at start.
#[derive(Debug)]
pub struct OpenedDatabase {
    /// The open store, or why there is none.
    pub store: Result<kyosai_store::Store, kyosai_app::AppError>,
    /// Set when the database exists but this PC's key does not open it: the window shows
    /// the key-lost screen (see `kyosai_app::local_db`).
    pub key_lost: Option<kyosai_app::local_db::KeyLostView>,
    /// The OS credential store, shared with sign-in (refresh tokens).
    pub secrets: Option<std::sync::Arc<dyn kyosai_sync_client::SecretStore>>,
}

/// Picks the OS credential store and opens the encrypted database of `profile` with its
/// key. Without any credential store the database stays closed: keeping the key on disk
/// instead would defeat the encryption.
pub fn open_database(
    profile: &crate::profile::Profile,
    paths: &crate::profile::ProfilePaths,
) -> OpenedDatabase {
    use kyosai_app::local_db::{self, Opened};
    let Some(keyring) = kyosai_sync_client::KeyringSecretStore::detect() else {
        tracing::error!("no OS credential store: the local database stays closed");
        return OpenedDatabase {
            store: Err(kyosai_app::AppError::new(
                "store.no_key_store",
                "このPCではOSの資格情報ストア（Windows の資格情報マネージャー、macOS のキーチェーン、Linux の Secret Service）を使えないため、暗号化したデータベースを開けません。IT管理者に連絡してください。",
            )),
            key_lost: None,
            secrets: None,
        };
    };
    tracing::info!(backend = ?keyring.backend(), "credential store selected");
    let secrets: std::sync::Arc<dyn kyosai_sync_client::SecretStore> = std::sync::Arc::new(keyring);
    let (store, key_lost) = match local_db::open(&paths.database, secrets.as_ref(), profile.name())
    {
        Ok(Opened::Ready(store)) => (Ok(store), None),
        Ok(Opened::KeyLost(view)) => (Err(view.error()), Some(view)),
        Err(e) => (Err(e), None),
    };
    OpenedDatabase {
        store,
        key_lost,
        secrets: Some(secrets),
    }
}
