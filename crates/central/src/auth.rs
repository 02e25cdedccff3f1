//! Passwords (argon2id) and opaque tokens.
//!
//! Tokens are 32 random bytes in base64url (43 characters): short enough for any OS
//! credential store. Only their SHA-256 is stored, so a copy of the database does not
//! sign anyone in.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::Rng as _;
use sha2::{Digest, Sha256};

use crate::config::Argon2Config;

/// The shortest password `user add` / `user set-password` accept.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longer inputs are refused before hashing (argon2 would take them, slowly).
pub const MAX_PASSWORD_BYTES: usize = 1024;

pub(crate) fn argon2_params(c: &Argon2Config) -> Result<Params, String> {
    Params::new(c.memory_kib, c.iterations, c.parallelism, None).map_err(|e| e.to_string())
}

/// Hashes a password into a PHC string (`$argon2id$v=19$m=…`).
pub fn hash_password(config: &Argon2Config, password: &str) -> Result<String, String> {
    let params = argon2_params(config)?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    argon
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Checks a password against a stored PHC string (its own parameters apply).
pub fn verify_password(stored: &str, password: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// Whether a password is acceptable for a new account; `Err` says why, in Japanese.
pub fn check_new_password(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!(
            "パスワードは {MIN_PASSWORD_CHARS} 文字以上にしてください"
        ));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err("パスワードが長すぎます".into());
    }
    if password.trim() != password {
        return Err("パスワードの前後に空白を入れないでください".into());
    }
    Ok(())
}

/// A fresh token and the hash to store for it.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

/// The stored form of a token: hex SHA-256.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Whether a string has the shape of one of our tokens (saves a database look-up).
pub fn looks_like_token(s: &str) -> bool {
    s.len() == 43
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let c = Argon2Config::insecure_for_tests();
        let h = hash_password(&c, "kyosai-demo").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(&h, "kyosai-demo"));
        assert!(!verify_password(&h, "kyosai-dem0"));
        assert!(!verify_password("not a hash", "kyosai-demo"));
    }

    #[test]
    fn production_defaults_are_argon2id_owasp() {
        let c = Argon2Config::default();
        let h = hash_password(&c, "kyosai-demo").unwrap();
        assert!(h.contains("m=19456,t=2,p=1"), "{h}");
    }

    #[test]
    fn tokens_are_43_url_safe_characters() {
        let (t, h) = new_token();
        assert!(looks_like_token(&t), "{t}");
        assert_eq!(h.len(), 64);
        assert_eq!(token_hash(&t), h);
        assert_ne!(new_token().0, t);
    }

    #[test]
    fn weak_passwords_are_refused() {
        assert!(check_new_password("short").is_err());
        assert!(check_new_password(" leading-space").is_err());
        assert!(check_new_password("kyosai-demo").is_ok());
    }
}
