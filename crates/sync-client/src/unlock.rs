//! The local check of the signed-in user's password, so that the locked app can be
//! unlocked (and 決裁 re-confirmed) offline.
//!
//! At each successful online sign-in an argon2id hash of the password (a PHC string,
//! about 100 characters) is kept in the OS credential store under
//! `<profile>/<user_id>/unlock`, beside the refresh token. The password itself is never
//! stored. The hash goes with the sign-out (or when the server ends the session).

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;

use crate::error::SyncError;

/// Longer inputs are refused before hashing (argon2 would take them, slowly); the
/// central service has the same limit.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// The credential store account of a user's unlock hash.
pub fn unlock_account_for(profile: &str, user_id: &str) -> String {
    format!("{profile}/{user_id}/unlock")
}

/// An argon2id PHC string of `password` with a fresh salt (the crate's defaults:
/// m=19456 KiB, t=2, p=1, as OWASP recommends).
pub fn hash_password(password: &str) -> Result<String, SyncError> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(SyncError::secret("ハッシュ", "パスワードが長すぎます"));
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| SyncError::secret("ハッシュ", e))
}

/// Whether `password` matches the stored PHC string (its own parameters apply). A
/// damaged string matches nothing.
pub fn verify_password(stored: &str, password: &str) -> bool {
    if password.len() > MAX_PASSWORD_BYTES {
        return false;
    }
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn a_hash_verifies_only_its_own_password() {
        let h = hash_password("kyosai-demo").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(
            h.len() < crate::MAX_SECRET_BYTES,
            "fits the credential store"
        );
        assert!(verify_password(&h, "kyosai-demo"));
        assert!(!verify_password(&h, "kyosai-dem0"));
        assert!(!verify_password(&h, ""));
        assert!(!verify_password("not a hash", "kyosai-demo"));
        assert_ne!(hash_password("kyosai-demo").unwrap(), h, "salted");
    }

    #[test]
    fn the_account_sits_beside_the_refresh_token() {
        assert_eq!(
            unlock_account_for("default", "k.sato"),
            "default/k.sato/unlock"
        );
        assert_ne!(
            unlock_account_for("default", "k.sato"),
            crate::account_for("default", "k.sato")
        );
    }
}
