//! Development certificates (`kyosai-central dev-cert`, the test server): a throwaway CA
//! and a server certificate it signed, made with rcgen.
//!
//! Not for production: production certificates come from the organisation's CA. The CA
//! key is never written out, so a dev CA cannot sign anything after the fact.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::{Datelike, Utc};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};

/// A CA certificate and a server certificate + key, all PEM.
#[derive(Clone)]
pub struct DevCerts {
    /// The CA the client must trust (`ca.pem`).
    pub ca_pem: String,
    /// The server certificate followed by the CA (`server.pem`).
    pub server_pem: String,
    /// The server's private key (`server.key`).
    pub server_key_pem: String,
}

impl std::fmt::Debug for DevCerts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevCerts")
            .field("ca_pem", &self.ca_pem)
            .field("server_pem", &self.server_pem)
            .field("server_key_pem", &"<redacted>")
            .finish()
    }
}

fn ymd(days_from_now: i64) -> (i32, u8, u8) {
    let d = (Utc::now() + chrono::Duration::days(days_from_now)).date_naive();
    (d.year(), d.month() as u8, d.day() as u8)
}

/// Makes a CA and a server certificate for `hosts` (DNS names or IP addresses), valid
/// from yesterday for two years.
pub fn generate(hosts: &[String]) -> Result<DevCerts, rcgen::Error> {
    let ca_key = KeyPair::generate()?;
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "Kyosai Desk development");
    dn.push(
        DnType::CommonName,
        "Kyosai Desk development CA (not for production)",
    );
    ca.distinguished_name = dn;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let (from, until) = (ymd(-1), ymd(730));
    ca.not_before = rcgen::date_time_ymd(from.0, from.1, from.2);
    ca.not_after = rcgen::date_time_ymd(until.0, until.1, until.2);
    let ca_cert = ca.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca, ca_key);

    let server_key = KeyPair::generate()?;
    let mut server = CertificateParams::new(hosts.to_vec())?;
    let mut dn = DistinguishedName::new();
    dn.push(
        DnType::CommonName,
        hosts
            .first()
            .map(String::as_str)
            .unwrap_or("kyosai-central"),
    );
    server.distinguished_name = dn;
    server.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    server.not_before = rcgen::date_time_ymd(from.0, from.1, from.2);
    server.not_after = rcgen::date_time_ymd(until.0, until.1, until.2);
    let server_cert = server.signed_by(&server_key, &issuer)?;

    Ok(DevCerts {
        ca_pem: ca_cert.pem(),
        server_pem: format!("{}{}", server_cert.pem(), ca_cert.pem()),
        server_key_pem: server_key.serialize_pem(),
    })
}

/// The files [`write()`] creates.
#[derive(Debug, Clone)]
pub struct DevCertPaths {
    pub ca: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
}

impl DevCertPaths {
    pub fn in_dir(dir: &Path) -> DevCertPaths {
        DevCertPaths {
            ca: dir.join("ca.pem"),
            server_cert: dir.join("server.pem"),
            server_key: dir.join("server.key"),
        }
    }
}

/// Writes `ca.pem`, `server.pem` and `server.key` (owner-only) into `dir`.
pub fn write(dir: &Path, certs: &DevCerts) -> std::io::Result<DevCertPaths> {
    std::fs::create_dir_all(dir)?;
    let paths = DevCertPaths::in_dir(dir);
    std::fs::write(&paths.ca, &certs.ca_pem)?;
    std::fs::write(&paths.server_cert, &certs.server_pem)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut key = options.open(&paths.server_key)?;
    key.write_all(certs.server_key_pem.as_bytes())?;
    Ok(paths)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn dev_certs_load_into_a_tls_acceptor() {
        let dir = tempfile::tempdir().unwrap();
        let certs = generate(&["127.0.0.1".into(), "localhost".into()]).unwrap();
        let paths = write(dir.path(), &certs).unwrap();
        assert!(certs.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(crate::server::tls_acceptor(&paths.server_cert, &paths.server_key).is_ok());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&paths.server_key)
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "the key must be private to its owner");
        }
        assert!(!format!("{certs:?}").contains("PRIVATE KEY"));
    }
}
