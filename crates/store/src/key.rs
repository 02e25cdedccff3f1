//! The key of the encrypted local database: 32 random bytes from the OS.
//!
//! The key is never written to disk by this crate: the app keeps it in the OS credential
//! store (as 64 hex digits, [`DbKey::to_hex`]) and hands it to
//! [`Store::open_encrypted`](crate::Store::open_encrypted). Its bytes are wiped when the
//! value is dropped, and `Debug` never shows them.

use zeroize::{Zeroize, Zeroizing};

use crate::StoreError;

/// Length of the key in bytes (SQLCipher's raw AES-256 key).
pub const DB_KEY_BYTES: usize = 32;

/// A raw 256-bit database key.
#[derive(Clone, PartialEq, Eq)]
pub struct DbKey([u8; DB_KEY_BYTES]);

impl DbKey {
    /// A fresh key from the operating system's random number generator.
    pub fn generate() -> Result<DbKey, StoreError> {
        let mut bytes = [0u8; DB_KEY_BYTES];
        getrandom::fill(&mut bytes).map_err(|e| StoreError::Random {
            detail: e.to_string(),
        })?;
        Ok(DbKey(bytes))
    }

    /// The key from its 64 hex digits (as kept in the credential store).
    pub fn from_hex(hex: &str) -> Result<DbKey, StoreError> {
        let hex = hex.trim().as_bytes();
        if hex.len() != DB_KEY_BYTES * 2 {
            return Err(StoreError::KeyFormat);
        }
        let mut bytes = [0u8; DB_KEY_BYTES];
        for (i, pair) in hex.chunks_exact(2).enumerate() {
            match (nibble(pair[0]), nibble(pair[1])) {
                (Some(hi), Some(lo)) => bytes[i] = (hi << 4) | lo,
                _ => {
                    bytes.zeroize();
                    return Err(StoreError::KeyFormat);
                }
            }
        }
        Ok(DbKey(bytes))
    }

    /// The 64 lower-case hex digits of the key, for the credential store.
    pub fn to_hex(&self) -> Zeroizing<String> {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut s = Zeroizing::new(String::with_capacity(DB_KEY_BYTES * 2));
        for b in self.0 {
            s.push(char::from(DIGITS[usize::from(b >> 4)]));
            s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
        }
        s
    }

    /// SQLCipher's raw-key literal `x'<64 hex>'`: the key is used as is, without the
    /// passphrase key derivation (it is already uniformly random).
    pub(crate) fn sql_literal(&self) -> Zeroizing<String> {
        let hex = self.to_hex();
        let mut s = Zeroizing::new(String::with_capacity(DB_KEY_BYTES * 2 + 3));
        s.push_str("x'");
        s.push_str(&hex);
        s.push('\'');
        s
    }

    pub(crate) fn bytes(&self) -> &[u8; DB_KEY_BYTES] {
        &self.0
    }
}

fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl Drop for DbKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl std::fmt::Debug for DbKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn hex_round_trip_and_refusals() {
        let k = DbKey::generate().unwrap();
        let hex = k.to_hex();
        assert_eq!(hex.len(), 64);
        assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(DbKey::from_hex(&hex).unwrap(), k);
        assert_eq!(DbKey::from_hex(&hex.to_uppercase()).unwrap(), k);
        for bad in ["", "00", &"g".repeat(64), &"0".repeat(63), &"0".repeat(66)] {
            assert_eq!(DbKey::from_hex(bad).unwrap_err().code(), "store.key_format");
        }
        let lit = k.sql_literal();
        assert!(lit.starts_with("x'") && lit.ends_with('\'') && lit.len() == 67);
    }

    #[test]
    fn two_keys_differ_and_debug_hides_them() {
        let a = DbKey::generate().unwrap();
        let b = DbKey::generate().unwrap();
        assert_ne!(a, b);
        let shown = format!("{a:?}");
        assert_eq!(shown, "DbKey(<redacted>)");
        assert!(!shown.contains(&a.to_hex()[..8]));
    }
}
