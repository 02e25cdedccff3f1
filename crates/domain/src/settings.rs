//! Checks of the connection settings a clerk types in: the central server's URL, the root
//! CA file, the proxy and the 所属所番号.
//!
//! Each check takes the text as typed and returns [`Finding`]s for its field (the field
//! names are the settings form's: [`CENTRAL_URL`], [`ROOT_CA_PATH`], [`PROXY_URL`],
//! [`OFFICE_CODE`]). An empty value is allowed everywhere and means "not configured".
//! White space around a value is ignored; the app stores the trimmed value.
//!
//! [`idle_lock_seconds`] reads the machine policy's idle time before the app locks.
//!
//! Only the form of each value is checked here. Whether the server answers and whether the
//! certificate file exists and holds a certificate are for the app to find out.

use std::net::{Ipv4Addr, Ipv6Addr};

use unicode_normalization::UnicodeNormalization;
use url::{Host, Url};

use crate::finding::Finding;

/// Field name of the central server's URL.
pub const CENTRAL_URL: &str = "centralUrl";
/// Field name of the root CA file path.
pub const ROOT_CA_PATH: &str = "rootCaPath";
/// Field name of the proxy URL.
pub const PROXY_URL: &str = "proxyUrl";
/// Field name of the 所属所番号.
pub const OFFICE_CODE: &str = "officeCode";

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => Ipv4Addr::is_loopback(ip),
        Host::Ipv6(ip) => Ipv6Addr::is_loopback(ip),
    }
}

/// Findings shared by both URLs: a server name must be there, and no user name, password,
/// query or fragment may be.
fn check_url_parts(field: &str, url: &Url, findings: &mut Vec<Finding>) {
    if url.host().is_none() {
        findings.push(Finding::error(
            field,
            "settings.url_no_host",
            "URLにサーバー名がありません。「https://サーバー名/」の形で入力してください。",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        findings.push(Finding::error(
            field,
            "settings.url_credentials",
            "URLに利用者名やパスワードを含めないでください。「@」より前の部分を削除してください。",
        ));
    }
    if url.query().is_some() {
        findings.push(Finding::error(
            field,
            "settings.url_query",
            "URLに「?」以降を含めないでください。「?」から後ろを削除してください。",
        ));
    }
    if url.fragment().is_some() {
        findings.push(Finding::error(
            field,
            "settings.url_fragment",
            "URLに「#」以降を含めないでください。「#」から後ろを削除してください。",
        ));
    }
}

/// Checks the central server's URL: `https`, with a server name, and no user name,
/// password, query or fragment. `http` is accepted only for a server on this machine
/// (`localhost`, 127.0.0.0/8, `::1`), with a warning that it is for development.
pub fn check_central_url(input: &str) -> Vec<Finding> {
    let text = input.trim();
    if text.is_empty() {
        return Vec::new();
    }
    let Ok(url) = Url::parse(text) else {
        return vec![Finding::error(
            CENTRAL_URL,
            "settings.url_invalid",
            "URLとして読み取れません。半角で「https://kyosai.example.lg.jp/」のように入力してください。",
        )];
    };
    let mut findings = Vec::new();
    match url.scheme() {
        "https" => {}
        "http" if url.host().as_ref().is_some_and(is_loopback) => {
            findings.push(Finding::warning(
                CENTRAL_URL,
                "settings.http_dev_only",
                "http の接続は開発用です。本番では「https://」で始まるURLを指定してください。",
            ));
        }
        _ => {
            return vec![Finding::error(
                CENTRAL_URL,
                "settings.https_required",
                "中央サーバーのURLは「https://」で始まる形で入力してください。",
            )];
        }
    }
    check_url_parts(CENTRAL_URL, &url, &mut findings);
    findings
}

/// Checks the proxy URL: `http` or `https`, a server name and an optional port, nothing
/// else (no path, user name, password, query or fragment).
pub fn check_proxy_url(input: &str) -> Vec<Finding> {
    let text = input.trim();
    if text.is_empty() {
        return Vec::new();
    }
    let scheme_error = || {
        vec![Finding::error(
            PROXY_URL,
            "settings.proxy_scheme",
            "プロキシのURLは「http://」または「https://」で始まる形で入力してください（例：http://proxy.example.lg.jp:8080）。",
        )]
    };
    let Ok(url) = Url::parse(text) else {
        // 「proxy.example.lg.jp:8080」 parses (as a scheme), but 「10.0.0.1:8080」 does not:
        // both lack the scheme, and both get the same advice.
        return scheme_error();
    };
    if !matches!(url.scheme(), "http" | "https") {
        return scheme_error();
    }
    let mut findings = Vec::new();
    check_url_parts(PROXY_URL, &url, &mut findings);
    if url.path() != "/" {
        findings.push(Finding::error(
            PROXY_URL,
            "settings.proxy_path",
            "プロキシのURLにはサーバー名とポート番号だけを指定してください（例：http://proxy.example.lg.jp:8080）。",
        ));
    }
    findings
}

/// Checks the 所属所番号: 1 to 8 digits, full-width digits accepted. Returns the normalised
/// number (NFKC, trimmed; empty when not configured) and any findings.
pub fn check_office_code(input: &str) -> (String, Vec<Finding>) {
    let normalised: String = input.nfkc().collect::<String>().trim().to_owned();
    let mut findings = Vec::new();
    let valid =
        (1..=8).contains(&normalised.len()) && normalised.bytes().all(|b| b.is_ascii_digit());
    if !normalised.is_empty() && !valid {
        findings.push(Finding::error(
            OFFICE_CODE,
            "settings.office_code_format",
            "所属所番号は8桁以内の数字で入力してください。",
        ));
    }
    (normalised, findings)
}

/// Whether `path` is absolute on Windows (`C:\…`, `C:/…`, `\\server\…`) or on Unix
/// (`/…`). Both forms are accepted wherever this runs, so a settings file gets the same
/// answer on every machine.
fn is_absolute_path(path: &str) -> bool {
    let bytes = path.as_bytes();
    let windows_drive = bytes.len() >= 3
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && matches!(bytes[2], b'\\' | b'/');
    path.starts_with('/') || path.starts_with(r"\\") || windows_drive
}

/// Checks the root CA file path: absolute, ending in `.pem`, `.crt` or `.cer` (in any
/// case). The file's existence and contents are checked by the app.
pub fn check_root_ca_path(input: &str) -> Vec<Finding> {
    let path = input.trim();
    if path.is_empty() {
        return Vec::new();
    }
    if path.len() >= 2 && path.starts_with('"') && path.ends_with('"') {
        // Windows' "Copy as path" adds the quotes.
        return vec![Finding::error(
            ROOT_CA_PATH,
            "settings.ca_path_quoted",
            "パスの前後の「\"」を削除してください。",
        )];
    }
    let mut findings = Vec::new();
    if !is_absolute_path(path) {
        findings.push(Finding::error(
            ROOT_CA_PATH,
            "settings.ca_path_not_absolute",
            "ルート証明書のファイルは「C:\\」や「/」から始まる完全なパスで指定してください。",
        ));
    }
    let lower = path.to_ascii_lowercase();
    if ![".pem", ".crt", ".cer"]
        .iter()
        .any(|ext| lower.ends_with(ext))
    {
        findings.push(Finding::error(
            ROOT_CA_PATH,
            "settings.ca_path_extension",
            "ルート証明書には拡張子が .pem、.crt、.cer のいずれかのファイルを指定してください。",
        ));
    }
    findings
}

/// Field name of the idle time before the app locks (IT's machine policy only).
pub const IDLE_LOCK_MINUTES: &str = "idleLockMinutes";
/// The app locks after this many idle minutes unless the policy says otherwise.
pub const DEFAULT_IDLE_LOCK_MINUTES: u32 = 30;
/// The shortest idle time a policy may set (a few seconds: for acceptance tests).
pub const MIN_IDLE_LOCK_SECONDS: u32 = 3;
/// The longest idle time a policy may set (a working day).
pub const MAX_IDLE_LOCK_MINUTES: u32 = 480;

/// The policy's idle time before the app locks, in whole seconds: `minutes` may be a
/// decimal (0.5 = 30 s) between [`MIN_IDLE_LOCK_SECONDS`] and [`MAX_IDLE_LOCK_MINUTES`].
pub fn idle_lock_seconds(minutes: f64) -> Result<u32, Finding> {
    let seconds = (minutes * 60.0).round();
    let range = f64::from(MIN_IDLE_LOCK_SECONDS)..=f64::from(MAX_IDLE_LOCK_MINUTES * 60);
    if !minutes.is_finite() || !range.contains(&seconds) {
        return Err(Finding::error(
            IDLE_LOCK_MINUTES,
            "settings.idle_lock_range",
            format!(
                "自動ロックまでの時間（分）は {:.2} 分から {MAX_IDLE_LOCK_MINUTES} 分の間で指定してください。",
                f64::from(MIN_IDLE_LOCK_SECONDS) / 60.0
            ),
        ));
    }
    // In range, so it fits.
    Ok(seconds as u32)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::finding::{has_errors, Severity};

    #[test]
    fn idle_lock_minutes_become_seconds_within_bounds() {
        assert_eq!(idle_lock_seconds(30.0), Ok(1800));
        assert_eq!(idle_lock_seconds(0.1), Ok(6));
        assert_eq!(idle_lock_seconds(0.05), Ok(3));
        assert_eq!(idle_lock_seconds(480.0), Ok(28_800));
        for bad in [0.0, -5.0, 0.04, 480.1, f64::NAN, f64::INFINITY] {
            let f = idle_lock_seconds(bad).unwrap_err();
            assert_eq!(f.code, "settings.idle_lock_range", "{bad}");
            assert_eq!(f.field, IDLE_LOCK_MINUTES);
        }
    }

    fn codes(findings: &[Finding]) -> Vec<&'static str> {
        findings.iter().map(|f| f.code).collect()
    }

    #[test]
    fn central_url_accepts_https_and_empty() {
        for url in [
            "",
            "   ",
            "https://kyosai.example.lg.jp",
            "https://kyosai.example.lg.jp/",
            "https://kyosai.example.lg.jp:8443/desk/",
            " https://10.20.30.40/ ",
            "https://[2001:db8::1]:8443/",
        ] {
            assert_eq!(check_central_url(url), vec![], "{url}");
        }
    }

    #[test]
    fn central_url_http_only_on_loopback_with_warning() {
        for url in [
            "http://127.0.0.1:8443/",
            "http://127.255.255.254/",
            "http://localhost:8080",
            "http://LOCALHOST/",
            "http://[::1]:8080/",
        ] {
            let findings = check_central_url(url);
            assert_eq!(codes(&findings), ["settings.http_dev_only"], "{url}");
            assert_eq!(findings[0].severity, Severity::Warning);
            assert_eq!(findings[0].field, "centralUrl");
            assert!(!has_errors(&findings));
        }
        for url in [
            "http://kyosai.example.lg.jp/",
            "http://128.0.0.1/",
            "http://10.0.0.1/",
            "http://[::2]/",
            "http://localhost.example.jp/",
            "ftp://kyosai.example.lg.jp/",
            "file:///etc/passwd",
        ] {
            let findings = check_central_url(url);
            assert_eq!(codes(&findings), ["settings.https_required"], "{url}");
            assert!(has_errors(&findings));
        }
    }

    #[test]
    fn central_url_refuses_credentials_query_fragment() {
        assert_eq!(
            codes(&check_central_url(
                "https://user:pass@kyosai.example.lg.jp/"
            )),
            ["settings.url_credentials"]
        );
        assert_eq!(
            codes(&check_central_url("https://user@kyosai.example.lg.jp/")),
            ["settings.url_credentials"]
        );
        assert_eq!(
            codes(&check_central_url("https://kyosai.example.lg.jp/?token=x")),
            ["settings.url_query"]
        );
        assert_eq!(
            codes(&check_central_url("https://kyosai.example.lg.jp/?")),
            ["settings.url_query"]
        );
        assert_eq!(
            codes(&check_central_url("https://kyosai.example.lg.jp/#top")),
            ["settings.url_fragment"]
        );
        // Several at once are all reported; a loopback http adds its warning.
        assert_eq!(
            codes(&check_central_url("http://a:b@localhost/?q#f")),
            [
                "settings.http_dev_only",
                "settings.url_credentials",
                "settings.url_query",
                "settings.url_fragment"
            ]
        );
    }

    #[test]
    fn central_url_unreadable() {
        for url in [
            "kyosai",
            "https://",
            "https://exa mple.jp/",
            "ｈｔｔｐｓ：／／kyosai.jp",
        ] {
            let findings = check_central_url(url);
            assert_eq!(codes(&findings), ["settings.url_invalid"], "{url}");
            assert!(findings[0].message.contains("https://"));
        }
    }

    #[test]
    fn proxy_url() {
        for url in [
            "",
            "http://proxy.example.lg.jp:8080",
            "http://proxy.example.lg.jp:8080/",
            "https://proxy.example.lg.jp",
            "http://10.0.0.1:3128",
        ] {
            assert_eq!(check_proxy_url(url), vec![], "{url}");
        }
        for url in [
            "proxy.example.lg.jp:8080",
            "10.0.0.1:8080",
            "socks5://proxy:1080",
            "proxy",
        ] {
            let findings = check_proxy_url(url);
            assert_eq!(codes(&findings), ["settings.proxy_scheme"], "{url}");
            assert_eq!(findings[0].field, "proxyUrl");
        }
        assert_eq!(
            codes(&check_proxy_url("http://proxy.example.lg.jp:8080/pac")),
            ["settings.proxy_path"]
        );
        assert_eq!(
            codes(&check_proxy_url("http://user:pw@proxy.example.lg.jp:8080")),
            ["settings.url_credentials"]
        );
        assert_eq!(
            codes(&check_proxy_url("http://proxy.example.lg.jp:8080/?a=1")),
            ["settings.url_query"]
        );
    }

    #[test]
    fn office_code() {
        for (input, expected) in [
            ("", ""),
            ("  ", ""),
            ("1", "1"),
            ("12345678", "12345678"),
            ("００１２３", "00123"),
            (" 0123 ", "0123"),
        ] {
            let (normalised, findings) = check_office_code(input);
            assert_eq!(normalised, expected, "{input}");
            assert!(findings.is_empty(), "{input}");
        }
        for input in ["123456789", "12-34", "A123", "１２３４５６７８９"] {
            let (_, findings) = check_office_code(input);
            assert_eq!(codes(&findings), ["settings.office_code_format"], "{input}");
            assert_eq!(findings[0].field, "officeCode");
        }
    }

    #[test]
    fn root_ca_path() {
        for path in [
            "",
            "/etc/kyosai/root-ca.pem",
            r"C:\ProgramData\KyosaiDesk\root-ca.crt",
            "c:/certs/ROOT.CER",
            r"\\fileserver\share\ca.pem",
        ] {
            assert_eq!(check_root_ca_path(path), vec![], "{path}");
        }
        assert_eq!(
            codes(&check_root_ca_path("certs/root-ca.pem")),
            ["settings.ca_path_not_absolute"]
        );
        assert_eq!(
            codes(&check_root_ca_path(r"C:root.pem")),
            ["settings.ca_path_not_absolute"]
        );
        assert_eq!(
            codes(&check_root_ca_path("/etc/kyosai/root-ca.key")),
            ["settings.ca_path_extension"]
        );
        assert_eq!(
            codes(&check_root_ca_path("root-ca.txt")),
            [
                "settings.ca_path_not_absolute",
                "settings.ca_path_extension"
            ]
        );
        let findings = check_root_ca_path(r#""C:\certs\root-ca.pem""#);
        assert_eq!(codes(&findings), ["settings.ca_path_quoted"]);
        assert_eq!(findings[0].field, "rootCaPath");
    }

    #[test]
    fn messages_are_japanese_and_say_what_to_do() {
        let all = [
            check_central_url("kyosai"),
            check_central_url("http://localhost/"),
            check_central_url("ftp://x/"),
            check_central_url("https://a:b@x/?q#f"),
            check_proxy_url("x:1"),
            check_proxy_url("http://x/p"),
            check_office_code("x").1,
            check_root_ca_path("x"),
            check_root_ca_path("\"x\""),
        ];
        for f in all.iter().flatten() {
            assert!(f.message.ends_with('。'), "{}", f.message);
            assert!(f.message.contains("ください"), "{}", f.message);
        }
    }
}
