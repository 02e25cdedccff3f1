//! Where the central service is and how to reach it.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use url::{Host, Url};

use crate::error::{local_codes, ErrorKind, SyncError};

/// How long to wait for the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// TCP + TLS connect.
    pub connect: Duration,
    /// A whole request (push of 500 commands, a pull page, sign-in).
    pub request: Duration,
    /// How long the server may hold a poke (it caps this itself).
    pub poke_wait: Duration,
    /// Added to `poke_wait` for the poke request's own timeout.
    pub poke_margin: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            request: Duration::from_secs(30),
            poke_wait: Duration::from_secs(25),
            poke_margin: Duration::from_secs(10),
        }
    }
}

/// The connection settings of a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// e.g. `https://central.kyosai.example:8443`. Plain `http://` only to this PC
    /// (127.0.0.0/8, ::1, localhost), for development.
    pub base_url: String,
    /// A PEM file with the organisation's root CA(s), trusted in addition to the OS store.
    pub root_ca_pem_path: Option<PathBuf>,
    /// An HTTP(S) proxy, e.g. `http://proxy.kyosai.example:8080`. Without one the OS
    /// settings (and `HTTPS_PROXY` / `NO_PROXY`) apply.
    pub proxy_url: Option<String>,
    /// This app's version, sent with every request so the server can ask for an update.
    pub app_version: String,
    pub timeouts: Timeouts,
}

impl ClientConfig {
    /// Settings with default timeouts.
    pub fn new(base_url: impl Into<String>, app_version: impl Into<String>) -> Self {
        ClientConfig {
            base_url: base_url.into(),
            root_ca_pem_path: None,
            proxy_url: None,
            app_version: app_version.into(),
            timeouts: Timeouts::default(),
        }
    }

    /// The base URL, checked: `https`, or `http` to this PC only.
    pub fn checked_base_url(&self) -> Result<Url, SyncError> {
        check_base_url(&self.base_url)
    }
}

/// Parses and checks a server URL (also for the settings screen, before saving).
pub fn check_base_url(s: &str) -> Result<Url, SyncError> {
    let mut url = Url::parse(s.trim()).map_err(|e| {
        SyncError::new(
            ErrorKind::Config,
            local_codes::CONFIG_INVALID_URL,
            format!(
                "接続先のURL「{s}」を読み取れません（{e}）。https://central.kyosai.example:8443 のような形で入力してください。"
            ),
        )
    })?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(SyncError::new(
                ErrorKind::Config,
                local_codes::CONFIG_INSECURE_URL,
                format!(
                    "接続先「{s}」は暗号化されない http です。https:// で始まるURLを設定してください（http はこのPC内の開発用サーバー（127.0.0.1・localhost）にだけ使えます）。"
                ),
            ))
        }
        other => {
            return Err(SyncError::new(
                ErrorKind::Config,
                local_codes::CONFIG_INVALID_URL,
                format!("接続先のURLは https:// で始めてください（「{other}」は使えません）。"),
            ))
        }
    }
    if url.host().is_none() || url.query().is_some() || url.cannot_be_a_base() {
        return Err(SyncError::new(
            ErrorKind::Config,
            local_codes::CONFIG_INVALID_URL,
            format!("接続先のURL「{s}」にはサーバー名とポートだけを入力してください。"),
        ));
    }
    // Paths are joined below the base: make it a directory.
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => {
            let d = d.trim_end_matches('.');
            d.eq_ignore_ascii_case("localhost") || d.to_ascii_lowercase().ends_with(".localhost")
        }
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_is_required_except_on_this_pc() {
        for ok in [
            "https://central.kyosai.example:8443",
            "https://10.1.2.3",
            "http://127.0.0.1:8080",
            "http://127.3.4.5:1",
            "http://localhost:8080",
            "http://[::1]:8080",
        ] {
            assert!(check_base_url(ok).is_ok(), "{ok}");
        }
        for (bad, code) in [
            ("http://central.kyosai.example", "sync.config_insecure_url"),
            ("http://10.0.0.5:8080", "sync.config_insecure_url"),
            ("http://[::2]:80", "sync.config_insecure_url"),
            ("http://localhost.evil.example", "sync.config_insecure_url"),
            ("ftp://central", "sync.config_invalid_url"),
            ("central.kyosai.example", "sync.config_invalid_url"),
        ] {
            let e = check_base_url(bad)
                .err()
                .unwrap_or_else(|| panic!("{bad} accepted"));
            assert_eq!(e.code, code, "{bad}");
            assert_eq!(e.kind, ErrorKind::Config);
        }
        let e = check_base_url("http://central.kyosai.example").err();
        assert!(e.is_some_and(|e| e.message.contains("https://")));
    }

    #[test]
    fn the_base_becomes_a_directory() {
        let u = check_base_url("https://h.example/kyosai").ok();
        assert_eq!(
            u.and_then(|u| u.join("sync/v1/push").ok())
                .map(|u| u.to_string()),
            Some("https://h.example/kyosai/sync/v1/push".to_string())
        );
    }
}
