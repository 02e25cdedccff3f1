//! Sealed files: what the app keeps in its own data folder besides the database (OCR
//! scans, generated PDFs kept for later), encrypted at rest.
//!
//! Each file is sealed on its own with XChaCha20-Poly1305 under a key derived from the
//! database key with HKDF-SHA256, so the vault lives and dies with the database: a new
//! database (a lost credential store) gets a new vault, and the old folder is set aside
//! with the old database. The nonce is 24 random bytes per write (random nonces of this
//! size never repeat in practice). The file's name is authenticated too, so swapping two
//! sealed files is detected like any other tampering.
//!
//! On disk: `<profile>/vault/<name>.sealed` = `KYVAULT1` ‖ nonce (24) ‖ ciphertext ‖ tag
//! (16). Writes go through a temporary file, fsync and a rename.
//!
//! Files the clerk saves to Downloads (an export they asked for) are not sealed: they are
//! meant to leave the app.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::key::DbKey;
use crate::StoreError;

const MAGIC: &[u8; 8] = b"KYVAULT1";
const NONCE_BYTES: usize = 24;
const EXT: &str = ".sealed";
const MAX_NAME: usize = 128;

/// The vault folder of the database at `db`: `vault/` beside it.
pub fn dir_for(db: &Path) -> PathBuf {
    db.parent()
        .map(|p| p.join("vault"))
        .unwrap_or_else(|| PathBuf::from("vault"))
}

/// A folder of sealed files.
#[derive(Clone)]
pub struct Vault {
    dir: PathBuf,
    key: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("dir", &self.dir)
            .field("key", &"<redacted>")
            .finish()
    }
}

impl Vault {
    /// The vault in `dir`, sealed with a key derived from `db_key`. The folder is created
    /// on the first write.
    pub fn new(dir: PathBuf, db_key: &DbKey) -> Vault {
        let hk = Hkdf::<Sha256>::new(Some(b"jp.kyosai.desk/vault"), db_key.bytes());
        let mut key = Zeroizing::new([0u8; 32]);
        // 32 bytes is far below HKDF-SHA256's limit of 8160: expand cannot fail.
        if hk.expand(b"file sealing v1", key.as_mut()).is_err() {
            unreachable!("HKDF output of 32 bytes");
        }
        Vault { dir, key }
    }

    /// Where the sealed files are.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(self.key.as_ref().into())
    }

    fn file_of(&self, name: &str) -> Result<PathBuf, StoreError> {
        check_name(name)?;
        Ok(self.dir.join(format!("{name}{EXT}")))
    }

    /// Seals `bytes` as `name`, replacing any earlier file of that name.
    pub fn put(&self, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let path = self.file_of(name)?;
        let io = |source| StoreError::VaultIo {
            path: path.clone(),
            source,
        };
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::fill(&mut nonce).map_err(|e| StoreError::Random {
            detail: e.to_string(),
        })?;
        let aad = aad(name);
        let sealed = self
            .cipher()
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: bytes,
                    aad: &aad,
                },
            )
            .map_err(|_| StoreError::VaultUnreadable {
                name: name.to_string(),
            })?;
        std::fs::create_dir_all(&self.dir).map_err(io)?;
        let tmp = self.dir.join(format!(".{name}{EXT}.tmp"));
        let written = (|| {
            let mut f = File::create(&tmp)?;
            f.write_all(MAGIC)?;
            f.write_all(&nonce)?;
            f.write_all(&sealed)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(io(e));
        }
        crate::cipher::sync_dir(&path);
        Ok(())
    }

    /// Opens the sealed file `name`. A file that was changed, cut, renamed or sealed with
    /// another key is refused with [`StoreError::VaultUnreadable`].
    pub fn get(&self, name: &str) -> Result<Vec<u8>, StoreError> {
        let path = self.file_of(name)?;
        let data = std::fs::read(&path).map_err(|source| StoreError::VaultIo {
            path: path.clone(),
            source,
        })?;
        let unreadable = || StoreError::VaultUnreadable {
            name: name.to_string(),
        };
        let rest = data.strip_prefix(MAGIC.as_slice()).ok_or_else(unreadable)?;
        if rest.len() < NONCE_BYTES {
            return Err(unreadable());
        }
        let (nonce, sealed) = rest.split_at(NONCE_BYTES);
        let aad = aad(name);
        self.cipher()
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: &aad,
                },
            )
            .map_err(|_| unreadable())
    }

    /// True when a sealed file `name` exists.
    pub fn contains(&self, name: &str) -> Result<bool, StoreError> {
        Ok(self.file_of(name)?.exists())
    }

    /// Removes the sealed file `name`; removing a missing one is fine.
    pub fn remove(&self, name: &str) -> Result<(), StoreError> {
        let path = self.file_of(name)?;
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(StoreError::VaultIo { path, source: e })
            }
            _ => Ok(()),
        }
    }

    /// The names of the sealed files, sorted.
    pub fn names(&self) -> Result<Vec<String>, StoreError> {
        let rd = match std::fs::read_dir(&self.dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(StoreError::VaultIo {
                    path: self.dir.clone(),
                    source,
                })
            }
        };
        let mut names: Vec<String> = rd
            .filter_map(Result::ok)
            .filter_map(|e| e.file_name().into_string().ok())
            .filter_map(|n| n.strip_suffix(EXT).map(str::to_string))
            .filter(|n| check_name(n).is_ok())
            .collect();
        names.sort();
        Ok(names)
    }
}

fn aad(name: &str) -> Vec<u8> {
    let mut aad = MAGIC.to_vec();
    aad.extend_from_slice(name.as_bytes());
    aad
}

/// 1–128 of `A-Z a-z 0-9 . _ -`, not starting with a dot: a plain file name on every
/// platform, never a path.
fn check_name(name: &str) -> Result<(), StoreError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(StoreError::VaultName {
            name: name.chars().take(MAX_NAME).collect(),
        })
    }
}
