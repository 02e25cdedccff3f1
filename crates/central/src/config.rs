//! The service's configuration file (TOML). `config.example.toml` beside the crate
//! documents every key.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Deserializer};

/// Everything the service reads from its configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address and port to listen on, e.g. `0.0.0.0:8443`.
    pub listen: SocketAddr,
    /// `sqlite:PATH` (embedded, the default for small sites and development) or
    /// `postgres://user:password@host:port/database` (production).
    pub storage: String,
    /// The oldest app version still accepted (`0.3.0`); older apps are told to update.
    #[serde(default)]
    pub min_app_version: Option<String>,
    /// The largest request body accepted, in bytes.
    #[serde(default = "defaults::max_body_bytes")]
    pub max_body_bytes: usize,
    #[serde(default)]
    pub tls: TlsConfig,
    #[serde(default)]
    pub auth: AuthConfig,
    /// How long an edit lease of the OCR correction queue lasts after its last acquire or
    /// renew (`5m`, the protocol's `LEASE_SECONDS`).
    #[serde(
        default = "defaults::ocr_lease_duration",
        deserialize_with = "de_duration"
    )]
    pub ocr_lease_duration: Duration,
    /// Where IT publishes app updates (`<channel>/<target>/manifest.json` and the files;
    /// see [`crate::updates`]). Without it the service offers no update.
    #[serde(default)]
    pub updates_dir: Option<PathBuf>,
}

/// HTTPS. The certificate and key are required; plain HTTP is allowed only on a loopback
/// address and only when asked for explicitly.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// PEM file with the server certificate (and any intermediates after it).
    pub cert: Option<PathBuf>,
    /// PEM file with the server's private key.
    pub key: Option<PathBuf>,
    /// Development only: serve plain HTTP. Refused unless `listen` is a loopback address.
    #[serde(default)]
    pub insecure_loopback_http: bool,
}

/// Sign-in policy.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// How long an access token is valid (`15m`).
    #[serde(
        default = "defaults::access_token_lifetime",
        deserialize_with = "de_duration"
    )]
    pub access_token_lifetime: Duration,
    /// How long a refresh token is valid (`30d`); each refresh issues a new one.
    #[serde(
        default = "defaults::refresh_token_lifetime",
        deserialize_with = "de_duration"
    )]
    pub refresh_token_lifetime: Duration,
    /// How long a refresh token just rotated away is accepted once more (`60s`): the
    /// answer to a refresh can be lost after the server rotated, and the client then
    /// retries with the old token. Later reuse still signs the PC out. `0s` turns it off.
    #[serde(
        default = "defaults::refresh_reuse_grace",
        deserialize_with = "de_duration"
    )]
    pub refresh_reuse_grace: Duration,
    /// Consecutive failed sign-ins that lock an account.
    #[serde(default = "defaults::lockout_threshold")]
    pub lockout_threshold: u32,
    /// How long a locked account stays locked (`15m`).
    #[serde(
        default = "defaults::lockout_duration",
        deserialize_with = "de_duration"
    )]
    pub lockout_duration: Duration,
    /// Cost of new password hashes. Production keeps the defaults; tests lower them.
    #[serde(default)]
    pub argon2: Argon2Config,
}

/// argon2id cost parameters for new password hashes (existing hashes carry their own).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Argon2Config {
    /// Memory in KiB (default 19456 = 19 MiB, the OWASP recommendation).
    #[serde(default = "defaults::argon2_memory_kib")]
    pub memory_kib: u32,
    /// Passes over memory (default 2).
    #[serde(default = "defaults::argon2_iterations")]
    pub iterations: u32,
    /// Lanes (default 1).
    #[serde(default = "defaults::argon2_parallelism")]
    pub parallelism: u32,
}

mod defaults {
    use std::time::Duration;

    pub fn max_body_bytes() -> usize {
        16 * 1024 * 1024
    }
    pub fn access_token_lifetime() -> Duration {
        Duration::from_secs(15 * 60)
    }
    pub fn refresh_token_lifetime() -> Duration {
        Duration::from_secs(30 * 24 * 3600)
    }
    pub fn refresh_reuse_grace() -> Duration {
        Duration::from_secs(60)
    }
    pub fn lockout_threshold() -> u32 {
        5
    }
    pub fn lockout_duration() -> Duration {
        Duration::from_secs(15 * 60)
    }
    pub fn argon2_memory_kib() -> u32 {
        19 * 1024
    }
    pub fn argon2_iterations() -> u32 {
        2
    }
    pub fn argon2_parallelism() -> u32 {
        1
    }
    pub fn ocr_lease_duration() -> Duration {
        Duration::from_secs(kyosai_sync_protocol::ocr::LEASE_SECONDS.unsigned_abs())
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            access_token_lifetime: defaults::access_token_lifetime(),
            refresh_token_lifetime: defaults::refresh_token_lifetime(),
            refresh_reuse_grace: defaults::refresh_reuse_grace(),
            lockout_threshold: defaults::lockout_threshold(),
            lockout_duration: defaults::lockout_duration(),
            argon2: Argon2Config::default(),
        }
    }
}

impl Default for Argon2Config {
    fn default() -> Self {
        Argon2Config {
            memory_kib: defaults::argon2_memory_kib(),
            iterations: defaults::argon2_iterations(),
            parallelism: defaults::argon2_parallelism(),
        }
    }
}

impl Argon2Config {
    /// The cheapest parameters argon2 accepts. For tests only: they make hashing
    /// instant, and with it guessing.
    pub fn insecure_for_tests() -> Self {
        Argon2Config {
            memory_kib: 8,
            iterations: 1,
            parallelism: 1,
        }
    }
}

/// Where the data lives, parsed from [`Config::storage`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageSpec {
    Sqlite(PathBuf),
    Postgres(String),
}

impl StorageSpec {
    pub fn parse(s: &str) -> Result<StorageSpec, ConfigError> {
        let s = s.trim();
        if let Some(path) = s.strip_prefix("sqlite:") {
            if path.is_empty() {
                return Err(ConfigError::Invalid(
                    "storage: `sqlite:` の後にデータベースファイルのパスを書いてください（例: sqlite:/var/lib/kyosai-central/central.db）".into(),
                ));
            }
            Ok(StorageSpec::Sqlite(PathBuf::from(path)))
        } else if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Ok(StorageSpec::Postgres(s.to_string()))
        } else {
            Err(ConfigError::Invalid(
                "storage は `sqlite:PATH` か `postgres://USER:PASSWORD@HOST:PORT/DATABASE` で指定してください".into(),
            ))
        }
    }
}

/// What is wrong with a configuration file. Messages are for IT staff, in Japanese.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("設定ファイル {path} を読めません: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("設定ファイル {path} の書式が正しくありません: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("設定が正しくありません: {0}")]
    Invalid(String),
}

/// How the service will talk to clients, decided by [`Config::validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    Https {
        cert: PathBuf,
        key: PathBuf,
    },
    /// Development on loopback only.
    PlainLoopback,
}

impl Config {
    /// A configuration with every default, for code that builds one (tests, `dev`).
    pub fn new(listen: SocketAddr, storage: impl Into<String>) -> Config {
        Config {
            listen,
            storage: storage.into(),
            min_app_version: None,
            max_body_bytes: defaults::max_body_bytes(),
            tls: TlsConfig::default(),
            auth: AuthConfig::default(),
            ocr_lease_duration: defaults::ocr_lease_duration(),
            updates_dir: None,
        }
    }

    /// Reads and checks a configuration file. Relative paths in it (certificate, key,
    /// SQLite file) are relative to the file's folder.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut config: Config = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        config.resolve_relative_paths(base);
        config.validate()?;
        Ok(config)
    }

    fn resolve_relative_paths(&mut self, base: &Path) {
        let fix = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        if let Some(p) = self.tls.cert.as_mut() {
            fix(p);
        }
        if let Some(p) = self.tls.key.as_mut() {
            fix(p);
        }
        if let Some(p) = self.updates_dir.as_mut() {
            fix(p);
        }
        if let Ok(StorageSpec::Sqlite(mut p)) = StorageSpec::parse(&self.storage) {
            if p.is_relative() {
                fix(&mut p);
                self.storage = format!("sqlite:{}", p.display());
            }
        }
    }

    pub fn storage_spec(&self) -> Result<StorageSpec, ConfigError> {
        StorageSpec::parse(&self.storage)
    }

    /// Checks the whole configuration and decides HTTPS or (loopback-only) HTTP.
    pub fn validate(&self) -> Result<Transport, ConfigError> {
        self.storage_spec()?;
        if self.auth.lockout_threshold == 0 {
            return Err(ConfigError::Invalid(
                "auth.lockout_threshold は 1 以上にしてください".into(),
            ));
        }
        for (name, d) in [
            (
                "auth.access_token_lifetime",
                self.auth.access_token_lifetime,
            ),
            (
                "auth.refresh_token_lifetime",
                self.auth.refresh_token_lifetime,
            ),
            ("auth.lockout_duration", self.auth.lockout_duration),
        ] {
            if d.is_zero() {
                return Err(ConfigError::Invalid(format!(
                    "{name} は 0 より長くしてください"
                )));
            }
        }
        if self.auth.access_token_lifetime > self.auth.refresh_token_lifetime {
            return Err(ConfigError::Invalid(
                "auth.access_token_lifetime は auth.refresh_token_lifetime 以下にしてください"
                    .into(),
            ));
        }
        if self.auth.refresh_reuse_grace > Duration::from_secs(600) {
            return Err(ConfigError::Invalid(
                "auth.refresh_reuse_grace は 10m 以下にしてください".into(),
            ));
        }
        crate::auth::argon2_params(&self.auth.argon2)
            .map_err(|e| ConfigError::Invalid(format!("auth.argon2 の値が使えません: {e}")))?;
        if let Some(v) = &self.min_app_version {
            if crate::version::parse(v).is_none() {
                return Err(ConfigError::Invalid(format!(
                    "min_app_version「{v}」は 0.3.0 のような形で書いてください"
                )));
            }
        }
        if self.ocr_lease_duration.is_zero() || self.ocr_lease_duration > Duration::from_secs(3600)
        {
            return Err(ConfigError::Invalid(
                "ocr_lease_duration は 0 より長く、1h 以下にしてください".into(),
            ));
        }
        if let Some(dir) = &self.updates_dir {
            crate::updates::check_updates_dir(dir).map_err(ConfigError::Invalid)?;
        }
        if self.max_body_bytes < 64 * 1024 {
            return Err(ConfigError::Invalid(
                "max_body_bytes は 65536（64 KiB）以上にしてください".into(),
            ));
        }
        if self.tls.insecure_loopback_http {
            if !self.listen.ip().is_loopback() {
                return Err(ConfigError::Invalid(format!(
                    "insecure_loopback_http（暗号化なしの HTTP）はループバックアドレス（127.0.0.1 / ::1）でだけ使えます。listen = {} では使えません。tls.cert と tls.key を設定して HTTPS にしてください",
                    self.listen
                )));
            }
            return Ok(Transport::PlainLoopback);
        }
        match (&self.tls.cert, &self.tls.key) {
            (Some(cert), Some(key)) => Ok(Transport::Https {
                cert: cert.clone(),
                key: key.clone(),
            }),
            _ => Err(ConfigError::Invalid(
                "HTTPS の証明書がありません。[tls] に cert（証明書の PEM）と key（秘密鍵の PEM）を設定してください（開発用の証明書は `kyosai-central dev-cert` で作れます）".into(),
            )),
        }
    }
}

/// Parses `900s`, `15m`, `12h`, `30d` (a bare number means seconds).
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    let n: u64 = digits.parse().ok()?;
    let secs = match unit.trim() {
        "" | "s" => n,
        "m" => n.checked_mul(60)?,
        "h" => n.checked_mul(3600)?,
        "d" => n.checked_mul(86_400)?,
        _ => return None,
    };
    Some(Duration::from_secs(secs))
}

fn de_duration<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Secs(u64),
        Text(String),
    }
    match Raw::deserialize(d)? {
        Raw::Secs(n) => Ok(Duration::from_secs(n)),
        Raw::Text(t) => parse_duration(&t).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "期間「{t}」が読めません。900s、15m、12h、30d のように書いてください"
            ))
        }),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn durations_read_like_people_write_them() {
        assert_eq!(parse_duration("15m"), Some(Duration::from_secs(900)));
        assert_eq!(parse_duration("30d"), Some(Duration::from_secs(2_592_000)));
        assert_eq!(parse_duration("2"), Some(Duration::from_secs(2)));
        assert_eq!(parse_duration("1h"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_duration("m"), None);
        assert_eq!(parse_duration("5 weeks"), None);
    }

    #[test]
    fn the_example_config_is_valid_and_uses_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("central.toml");
        std::fs::write(&path, include_str!("../config.example.toml")).unwrap();
        let config = Config::load(&path).unwrap();
        assert_eq!(config.auth.lockout_threshold, 5);
        assert_eq!(config.auth.access_token_lifetime, Duration::from_secs(900));
        assert_eq!(config.auth.lockout_duration, Duration::from_secs(900));
        assert_eq!(
            config.auth.refresh_token_lifetime,
            Duration::from_secs(30 * 86_400)
        );
        assert_eq!(config.ocr_lease_duration, Duration::from_secs(300));
        // Relative paths are taken from the config file's folder.
        assert_eq!(
            config.tls.cert.as_deref(),
            Some(dir.path().join("certs/server.pem").as_path())
        );
        assert!(matches!(
            config.validate().unwrap(),
            Transport::Https { .. }
        ));
    }

    #[test]
    fn plain_http_only_on_loopback_and_only_when_asked() {
        let mut c = Config::new("0.0.0.0:8443".parse().unwrap(), "sqlite:/tmp/x.db");
        let err = c.validate().unwrap_err().to_string();
        assert!(err.contains("証明書"), "{err}");
        c.tls.insecure_loopback_http = true;
        let err = c.validate().unwrap_err().to_string();
        assert!(err.contains("ループバック"), "{err}");
        c.listen = "127.0.0.1:8080".parse().unwrap();
        assert_eq!(c.validate().unwrap(), Transport::PlainLoopback);
        c.listen = "[::1]:8080".parse().unwrap();
        assert_eq!(c.validate().unwrap(), Transport::PlainLoopback);
    }

    #[test]
    fn storage_must_be_sqlite_or_postgres() {
        assert_eq!(
            StorageSpec::parse("sqlite:/var/lib/k.db").unwrap(),
            StorageSpec::Sqlite("/var/lib/k.db".into())
        );
        assert!(matches!(
            StorageSpec::parse("postgres://k:k@db/kyosai").unwrap(),
            StorageSpec::Postgres(_)
        ));
        assert!(StorageSpec::parse("mysql://x").is_err());
        assert!(StorageSpec::parse("sqlite:").is_err());
    }
}
