#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The password that unlocks the locked app and confirms 決裁, through the app's sync
//! service and the real central service over TLS on 127.0.0.1: checked on this PC with
//! the hash kept at sign-in (so offline too); without that hash (a credential store that
//! forgot it), by signing in again online, and a clear error offline.

use std::sync::{Arc, Mutex};

use kyosai_app::settings::SettingsView;
use kyosai_app::sync::SyncService;
use kyosai_central::testing::{TestBackend, TestServer};
use kyosai_store::Store;
use kyosai_sync_client::unlock::unlock_account_for;
use kyosai_sync_client::{MemorySecretStore, SecretStore, SharedStore};
use kyosai_sync_protocol::Role;

const PASSWORD: &str = "kyosai-test-pass";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_password_is_checked_here_else_by_the_server() {
    let server = TestServer::start(TestBackend::Sqlite).await;
    server.add_office("1203", "新宿区役所").await;
    server
        .add_user(
            "tanto",
            "佐藤 花子",
            &[Role::OfficeClerk],
            Some("1203"),
            PASSWORD,
        )
        .await;
    let dir = tempfile::tempdir().unwrap();
    let store: SharedStore = Arc::new(Mutex::new(
        Store::open(&dir.path().join("kyosai.sqlite3")).unwrap(),
    ));
    let secrets = Arc::new(MemorySecretStore::new());
    let sync = SyncService::with_secrets(store, "default", "0.1.0", "PC-1203-01", secrets.clone());
    let settings = SettingsView {
        central_url: server.base_url.clone(),
        root_ca_path: server.ca_pem_path().display().to_string(),
        ..SettingsView::default()
    };
    sync.apply_settings(&settings).await.unwrap();
    sync.sign_in("tanto", PASSWORD).await.unwrap();

    let hash = unlock_account_for("default", "tanto");
    assert!(secrets
        .get(&hash)
        .unwrap()
        .unwrap()
        .starts_with("$argon2id$"));
    assert!(sync.verify_password(PASSWORD).await.unwrap());
    assert!(!sync.verify_password("kyosai-test-pas").await.unwrap());

    // The hash is gone (a store that forgets): the server answers, and the sign-in that
    // checks it keeps a new hash.
    secrets.delete(&hash).unwrap();
    assert!(!sync.verify_password("kyosai-test-pas").await.unwrap());
    assert!(secrets.get(&hash).unwrap().is_none());
    assert!(sync.verify_password(PASSWORD).await.unwrap());
    assert!(secrets.get(&hash).unwrap().is_some());

    // Offline: the hash answers; without it the clerk is told why it cannot be checked.
    server.stop().await;
    assert!(sync.verify_password(PASSWORD).await.unwrap());
    secrets.delete(&hash).unwrap();
    let err = sync.verify_password(PASSWORD).await.unwrap_err();
    assert_eq!(err.code, "auth.password_check_offline", "{err:?}");
    assert!(err.message.contains("ネットワーク"), "{}", err.message);
    sync.shutdown().await;
}
