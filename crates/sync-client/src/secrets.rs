//! Where the refresh token is kept: the OS credential store.
//!
//! Only the refresh token (43 characters) is stored, never the password or the access
//! token, so any store's size limit holds (Windows Credential Manager: 2,560 bytes).
//!
//! Which store (keyring 3, chosen at run time rather than by keyring's build-time default,
//! which without a platform feature is a mock that forgets everything):
//!
//! - **Windows**: Credential Manager. **macOS**: the login Keychain.
//! - **Linux**: the Secret Service (GNOME Keyring, KWallet) when a session bus with a
//!   secrets service answers — a desktop session; otherwise the kernel's keyutils session
//!   keyring, which lives as long as the login session (the clerk signs in again after a
//!   reboot).
//! - Tests and machines without any store: [`MemorySecretStore`].

use std::collections::HashMap;
use std::sync::Mutex;

use crate::error::SyncError;

/// The keyring service name of the app.
pub const KEYRING_SERVICE: &str = "jp.kyosai.desk";

/// The longest secret stored (a refresh token is 43 characters; this leaves room).
pub const MAX_SECRET_BYTES: usize = 512;

/// A place for one secret per account (`<profile>/<user_id>`).
pub trait SecretStore: Send + Sync + std::fmt::Debug {
    /// A name for logs and the diagnostics screen.
    fn name(&self) -> &str;
    fn get(&self, account: &str) -> Result<Option<String>, SyncError>;
    fn set(&self, account: &str, secret: &str) -> Result<(), SyncError>;
    /// Removes the secret; removing a missing one is fine.
    fn delete(&self, account: &str) -> Result<(), SyncError>;
}

/// The account name of a user's refresh token.
pub fn account_for(profile: &str, user_id: &str) -> String {
    format!("{profile}/{user_id}")
}

fn check_size(secret: &str) -> Result<(), SyncError> {
    if secret.len() > MAX_SECRET_BYTES {
        return Err(SyncError::secret(
            "保存",
            format!(
                "{} バイトは長すぎます（上限 {MAX_SECRET_BYTES}）",
                secret.len()
            ),
        ));
    }
    Ok(())
}

/// Secrets in memory only (tests, or a machine without a credential store: the clerk
/// then signs in at each start).
#[derive(Debug, Default)]
pub struct MemorySecretStore {
    map: Mutex<HashMap<String, String>>,
}

impl MemorySecretStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl SecretStore for MemorySecretStore {
    fn name(&self) -> &str {
        "memory"
    }
    fn get(&self, account: &str) -> Result<Option<String>, SyncError> {
        Ok(self.map().get(account).cloned())
    }
    fn set(&self, account: &str, secret: &str) -> Result<(), SyncError> {
        check_size(secret)?;
        self.map().insert(account.to_string(), secret.to_string());
        Ok(())
    }
    fn delete(&self, account: &str) -> Result<(), SyncError> {
        self.map().remove(account);
        Ok(())
    }
}

/// Which OS store a [`KeyringSecretStore`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyringBackend {
    /// Linux: the Secret Service over D-Bus.
    #[cfg(target_os = "linux")]
    SecretService,
    /// Linux: the kernel keyutils session keyring.
    #[cfg(target_os = "linux")]
    Keyutils,
    /// Windows Credential Manager / macOS Keychain.
    #[cfg(any(windows, target_os = "macos"))]
    Platform,
}

/// The OS credential store, through keyring 3.
#[derive(Debug, Clone)]
pub struct KeyringSecretStore {
    backend: KeyringBackend,
}

impl KeyringSecretStore {
    /// A store on `backend`, without checking that it works.
    pub fn with_backend(backend: KeyringBackend) -> Self {
        KeyringSecretStore { backend }
    }

    /// Picks the store that works on this machine (see the module docs), or `None` when
    /// there is none. Probes with a throw-away entry; may block briefly (D-Bus).
    pub fn detect() -> Option<Self> {
        #[cfg(target_os = "linux")]
        {
            let has_bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
                || std::env::var_os("XDG_RUNTIME_DIR")
                    .map(|d| std::path::Path::new(&d).join("bus").exists())
                    .unwrap_or(false);
            if has_bus {
                let s = Self::with_backend(KeyringBackend::SecretService);
                if s.probe() {
                    return Some(s);
                }
            }
            let k = Self::with_backend(KeyringBackend::Keyutils);
            if k.probe() {
                return Some(k);
            }
            None
        }
        #[cfg(any(windows, target_os = "macos"))]
        {
            let s = Self::with_backend(KeyringBackend::Platform);
            s.probe().then_some(s)
        }
        #[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
        {
            None
        }
    }

    pub fn backend(&self) -> KeyringBackend {
        self.backend
    }

    /// Writes, reads back and removes a throw-away entry.
    pub fn probe(&self) -> bool {
        let account = format!("probe/{}", uuid::Uuid::new_v4());
        let ok = self.set(&account, "probe").is_ok()
            && matches!(self.get(&account), Ok(Some(ref v)) if v == "probe");
        let _ = self.delete(&account);
        if !ok {
            tracing::info!(backend = ?self.backend, "credential store not usable here");
        }
        ok
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry, keyring::Error> {
        match self.backend {
            #[cfg(target_os = "linux")]
            KeyringBackend::SecretService => {
                let c = keyring::secret_service::SsCredential::new_with_target(
                    None,
                    KEYRING_SERVICE,
                    account,
                )?;
                Ok(keyring::Entry::new_with_credential(Box::new(c)))
            }
            #[cfg(target_os = "linux")]
            KeyringBackend::Keyutils => {
                let c = keyring::keyutils::KeyutilsCredential::new_with_target(
                    None,
                    KEYRING_SERVICE,
                    account,
                )?;
                Ok(keyring::Entry::new_with_credential(Box::new(c)))
            }
            #[cfg(any(windows, target_os = "macos"))]
            KeyringBackend::Platform => keyring::Entry::new(KEYRING_SERVICE, account),
        }
    }
}

impl SecretStore for KeyringSecretStore {
    fn name(&self) -> &str {
        match self.backend {
            #[cfg(target_os = "linux")]
            KeyringBackend::SecretService => "secret-service",
            #[cfg(target_os = "linux")]
            KeyringBackend::Keyutils => "keyutils",
            #[cfg(windows)]
            KeyringBackend::Platform => "windows-credential-manager",
            #[cfg(target_os = "macos")]
            KeyringBackend::Platform => "macos-keychain",
        }
    }

    fn get(&self, account: &str) -> Result<Option<String>, SyncError> {
        let entry = self
            .entry(account)
            .map_err(|e| SyncError::secret("読み出し", e))?;
        match entry.get_password() {
            Ok(s) => Ok(Some(s)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(SyncError::secret("読み出し", e)),
        }
    }

    fn set(&self, account: &str, secret: &str) -> Result<(), SyncError> {
        check_size(secret)?;
        let entry = self
            .entry(account)
            .map_err(|e| SyncError::secret("保存", e))?;
        entry
            .set_password(secret)
            .map_err(|e| SyncError::secret("保存", e))
    }

    fn delete(&self, account: &str) -> Result<(), SyncError> {
        let entry = self
            .entry(account)
            .map_err(|e| SyncError::secret("削除", e))?;
        match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(SyncError::secret("削除", e)),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn memory_store_round_trip() {
        let s = MemorySecretStore::new();
        let a = account_for("default", "k.sato");
        assert_eq!(a, "default/k.sato");
        assert_eq!(s.get(&a).unwrap(), None);
        s.set(&a, &"x".repeat(43)).unwrap();
        assert_eq!(s.get(&a).unwrap().unwrap().len(), 43);
        s.delete(&a).unwrap();
        s.delete(&a).unwrap();
        assert_eq!(s.get(&a).unwrap(), None);
        let e = s.set(&a, &"x".repeat(MAX_SECRET_BYTES + 1)).unwrap_err();
        assert_eq!(e.code, "sync.secret_store");
    }
}
