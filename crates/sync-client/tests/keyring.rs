#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The OS credential store through keyring 3 (not its mock). On Linux this needs a store:
//! run under `keyctl session - cargo test ...` (keyutils) or in a D-Bus session with an
//! unlocked gnome-keyring (Secret Service), as `scripts/test` does. Without one the test
//! says so and passes, unless `KYOSAI_REQUIRE_KEYRING=1`.

use std::io::Write as _;

use kyosai_sync_client::{account_for, KeyringSecretStore, SecretStore};

#[test]
fn a_refresh_token_round_trips_through_the_os_credential_store() {
    let Some(store) = KeyringSecretStore::detect() else {
        assert!(
            std::env::var("KYOSAI_REQUIRE_KEYRING").map_or(true, |v| v != "1"),
            "no OS credential store found (KYOSAI_REQUIRE_KEYRING=1)"
        );
        let _ = writeln!(
            std::io::stderr(),
            "skipped: no OS credential store (run inside `keyctl session -` or a D-Bus session with gnome-keyring)"
        );
        return;
    };
    let _ = writeln!(std::io::stderr(), "credential store: {}", store.name());
    let account = account_for("test", &format!("k.sato-{}", uuid::Uuid::new_v4()));
    let token = "Zq3x_7-kJ0cVbN1mPpW8sT4uYyA2eHfLgRiDoK5nM6w"; // 43 characters, as issued
    assert_eq!(store.get(&account).unwrap(), None);
    store.set(&account, token).unwrap();
    assert_eq!(store.get(&account).unwrap().as_deref(), Some(token));
    let rotated = "Bv9c_2-LmN0pQrS1tUvW3xYzA4bCdEfGhIjK5lMn6o7";
    store.set(&account, rotated).unwrap();
    assert_eq!(store.get(&account).unwrap().as_deref(), Some(rotated));
    store.delete(&account).unwrap();
    assert_eq!(store.get(&account).unwrap(), None);
    store.delete(&account).unwrap();
    // Only a key-sized secret is accepted (Windows Credential Manager holds 2,560 bytes).
    assert_eq!(
        store.set(&account, &"x".repeat(4096)).unwrap_err().code,
        "sync.secret_store"
    );
}
