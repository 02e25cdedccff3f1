//! The HTTP calls of the sync API, one method each. No retries and no token handling
//! here: [`crate::Auth`] adds the token (and refreshes it), the engine retries.

use std::time::Duration;

use kyosai_sync_protocol::approval::{AbsenceInfo, Directory, NewAbsence};
use kyosai_sync_protocol::ocr::{Lease, LeaseRequest};
use kyosai_sync_protocol::{
    codes, ApiError, ConflictList, Hello, LoginRequest, PokeRequest, PokeResponse, PullRequest,
    PullResponse, PushRequest, PushResponse, RefreshRequest, ResolveConflict, Session,
    HEADER_APP_VERSION, HEADER_PROTOCOL, PROTOCOL_VERSION,
};
use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::{Certificate, Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use url::Url;
use uuid::Uuid;

mod analytics;

pub use analytics::DashboardParams;

use crate::config::ClientConfig;
use crate::error::{local_codes, ErrorKind, SyncError};

/// The code of a download of an update file that failed (too big, cut, unwritable).
const UPDATE_DOWNLOAD_FAILED: &str = "update.download_failed";
/// How long the download of an update file may take.
const UPDATE_DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// A client of the central service's HTTP API.
#[derive(Debug, Clone)]
pub struct Api {
    http: reqwest::Client,
    base: Url,
    config: ClientConfig,
}

impl Api {
    /// Builds the HTTPS client: OS trust store plus the configured root CA, proxy,
    /// timeouts and the protocol headers on every request.
    pub fn new(config: ClientConfig) -> Result<Api, SyncError> {
        let base = config.checked_base_url()?;
        let mut headers = HeaderMap::new();
        headers.insert(HEADER_PROTOCOL, HeaderValue::from(PROTOCOL_VERSION));
        let version = HeaderValue::from_str(&config.app_version).map_err(|_| {
            SyncError::new(
                ErrorKind::Config,
                local_codes::CONFIG_INVALID_URL,
                "アプリのバージョン表記が正しくありません。",
            )
        })?;
        headers.insert(HEADER_APP_VERSION, version);
        let mut builder = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(format!("KyosaiDesk/{}", config.app_version))
            .connect_timeout(config.timeouts.connect)
            .timeout(config.timeouts.request)
            .https_only(base.scheme() == "https")
            .tls_version_min(reqwest::tls::Version::TLS_1_2);
        if let Some(path) = &config.root_ca_pem_path {
            builder = builder.tls_certs_merge(read_root_cas(path)?);
        }
        if let Some(proxy) = config.proxy_url.as_deref().filter(|p| !p.trim().is_empty()) {
            let proxy = reqwest::Proxy::all(proxy.trim())
                .map_err(|e| proxy_error(proxy, &e))?
                .no_proxy(reqwest::NoProxy::from_string("localhost,127.0.0.1,::1"));
            builder = builder.proxy(proxy);
        }
        let http = builder.build().map_err(|e| {
            SyncError::new(
                ErrorKind::Config,
                local_codes::CONFIG_INVALID_URL,
                format!("通信の設定を使えません（{e}）。接続先・証明書・プロキシの設定を確認してください。"),
            )
        })?;
        Ok(Api { http, base, config })
    }

    /// The settings this client was built with.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// `GET /v1/hello` (no sign-in): which protocols the server speaks.
    pub async fn hello(&self) -> Result<Hello, SyncError> {
        self.send(Method::GET, "v1/hello", None, None::<&()>, None)
            .await
    }

    /// `POST /auth/v1/login`.
    pub async fn login(&self, req: &LoginRequest) -> Result<Session, SyncError> {
        self.send(Method::POST, "auth/v1/login", None, Some(req), None)
            .await
    }

    /// `POST /auth/v1/refresh` (the refresh token rotates).
    pub async fn refresh(&self, req: &RefreshRequest) -> Result<Session, SyncError> {
        self.send(Method::POST, "auth/v1/refresh", None, Some(req), None)
            .await
    }

    /// `POST /auth/v1/logout`.
    pub async fn logout(&self, access_token: &str) -> Result<(), SyncError> {
        self.send_empty(
            Method::POST,
            "auth/v1/logout",
            Some(access_token),
            None::<&()>,
        )
        .await
    }

    /// `POST /sync/v1/push`.
    pub async fn push(
        &self,
        access_token: &str,
        req: &PushRequest,
    ) -> Result<PushResponse, SyncError> {
        self.send(
            Method::POST,
            "sync/v1/push",
            Some(access_token),
            Some(req),
            None,
        )
        .await
    }

    /// `POST /sync/v1/pull`.
    pub async fn pull(
        &self,
        access_token: &str,
        req: &PullRequest,
    ) -> Result<PullResponse, SyncError> {
        self.send(
            Method::POST,
            "sync/v1/pull",
            Some(access_token),
            Some(req),
            None,
        )
        .await
    }

    /// `POST /sync/v1/poke`: a long poll, with its own timeout (`wait_seconds` plus the
    /// configured margin).
    pub async fn poke(
        &self,
        access_token: &str,
        req: &PokeRequest,
    ) -> Result<PokeResponse, SyncError> {
        let timeout =
            Duration::from_secs(u64::from(req.wait_seconds)) + self.config.timeouts.poke_margin;
        self.send(
            Method::POST,
            "sync/v1/poke",
            Some(access_token),
            Some(req),
            Some(timeout),
        )
        .await
    }

    /// `GET /sync/v1/conflicts`.
    pub async fn conflicts(&self, access_token: &str) -> Result<ConflictList, SyncError> {
        self.send(
            Method::GET,
            "sync/v1/conflicts",
            Some(access_token),
            None::<&()>,
            None,
        )
        .await
    }

    /// `POST /sync/v1/conflicts/{id}/resolve`.
    pub async fn resolve(
        &self,
        access_token: &str,
        conflict_id: Uuid,
        req: &ResolveConflict,
    ) -> Result<(), SyncError> {
        let path = format!("sync/v1/conflicts/{conflict_id}/resolve");
        self.send_empty(Method::POST, &path, Some(access_token), Some(req))
            .await
    }

    /// `GET /sync/v1/directory`: who may approve, and the absences not yet over.
    pub async fn directory(&self, access_token: &str) -> Result<Directory, SyncError> {
        self.send(
            Method::GET,
            "sync/v1/directory",
            Some(access_token),
            None::<&()>,
            None,
        )
        .await
    }

    /// `POST /sync/v1/absences`: registers the signed-in user's absence.
    pub async fn add_absence(
        &self,
        access_token: &str,
        req: &NewAbsence,
    ) -> Result<AbsenceInfo, SyncError> {
        self.send(
            Method::POST,
            "sync/v1/absences",
            Some(access_token),
            Some(req),
            None,
        )
        .await
    }

    /// `DELETE /sync/v1/absences/{id}` (204).
    pub async fn cancel_absence(&self, access_token: &str, id: Uuid) -> Result<(), SyncError> {
        let path = format!("sync/v1/absences/{id}");
        self.send_empty(Method::DELETE, &path, Some(access_token), None::<&()>)
            .await
    }

    /// `GET /sync/v1/acquisitions/{id}/review`: the automated review of a 資格取得届
    /// (secretariat reviewers and 決裁権者 only; others get 403 `auth.forbidden`).
    pub async fn acquisition_review(
        &self,
        access_token: &str,
        id: Uuid,
    ) -> Result<kyosai_sync_protocol::acquisition::ReviewResult, SyncError> {
        let path = format!("sync/v1/acquisitions/{id}/review");
        self.send(Method::GET, &path, Some(access_token), None::<&()>, None)
            .await
    }

    /// `POST /sync/v1/ocr/{id}/lease`: acquire, renew or release the edit lease of a
    /// scanned document of the OCR correction queue. Refusals come back with the
    /// server's code and Japanese message: 409 `ocr.lease_held` (someone else is
    /// correcting it; the message names them and until when), 409 `ocr.lease_lost` (a
    /// renew after the lease ended), 404 `sync.not_found`, 403 `auth.forbidden`.
    pub async fn ocr_lease(
        &self,
        access_token: &str,
        document_id: Uuid,
        req: &LeaseRequest,
    ) -> Result<Lease, SyncError> {
        let path = format!("sync/v1/ocr/{document_id}/lease");
        self.send(Method::POST, &path, Some(access_token), Some(req), None)
            .await
    }

    /// `GET /updates/v1/{channel}/{target}?current=VERSION`: the release the central
    /// service offers when it is newer than `current` (200, read as `T`: the app's view of
    /// the Tauri updater's `{version, notes, pubDate, signature, url}`), or `None` (204)
    /// when `current` is up to date. Unknown channel: 404 `update.not_found`.
    pub async fn update_check<T: DeserializeOwned>(
        &self,
        access_token: &str,
        channel: &str,
        target: &str,
        current: &str,
    ) -> Result<Option<T>, SyncError> {
        let mut path = format!("updates/v1/{channel}/{target}?");
        path.push_str(
            &url::form_urlencoded::Serializer::new(String::new())
                .append_pair("current", current)
                .finish(),
        );
        let response = self
            .request(Method::GET, &path, Some(access_token), None::<&()>, None)
            .await?;
        if response.status() == StatusCode::NO_CONTENT {
            return Ok(None);
        }
        let bytes = response.bytes().await.map_err(transport_error)?;
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(SyncError::bad_response)
    }

    /// `GET /updates/v1/{channel}/{target}/file`: writes the published update file into
    /// `sink` as it arrives and returns its length and the file name the server gives
    /// (`Content-Disposition`). Refused (`update.download_failed`) beyond `max_bytes` or
    /// when fewer bytes arrive than announced. Installers take a while on office networks:
    /// this request may take up to 30 minutes.
    pub async fn update_download(
        &self,
        access_token: &str,
        channel: &str,
        target: &str,
        sink: &mut (dyn std::io::Write + Send),
        max_bytes: u64,
    ) -> Result<(u64, Option<String>), SyncError> {
        let path = format!("updates/v1/{channel}/{target}/file");
        let mut response = self
            .request(
                Method::GET,
                &path,
                Some(access_token),
                None::<&()>,
                Some(UPDATE_DOWNLOAD_TIMEOUT),
            )
            .await?;
        let failed = |why: String| {
            tracing::warn!(%why, "update download failed");
            SyncError::new(
                ErrorKind::Protocol,
                UPDATE_DOWNLOAD_FAILED,
                format!("更新ファイルを受け取れませんでした（{why}）。しばらくしてからもう一度お試しください。続く場合はIT管理者に連絡してください。"),
            )
        };
        let announced = response.content_length();
        if announced.is_some_and(|n| n > max_bytes) {
            return Err(failed(format!("{max_bytes} バイトを超えています")));
        }
        let name = response
            .headers()
            .get(reqwest::header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once("filename=\""))
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(name, _)| name.to_string());
        let mut written: u64 = 0;
        while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
            written += chunk.len() as u64;
            if written > max_bytes {
                return Err(failed(format!("{max_bytes} バイトを超えています")));
            }
            sink.write_all(&chunk)
                .map_err(|e| failed(format!("保存先に書き込めません: {e}")))?;
        }
        sink.flush()
            .map_err(|e| failed(format!("保存先に書き込めません: {e}")))?;
        if announced.is_some_and(|n| n != written) {
            return Err(failed("途中で切れました".to_string()));
        }
        Ok((written, name))
    }

    async fn send<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&B>,
        timeout: Option<Duration>,
    ) -> Result<T, SyncError> {
        let response = self.request(method, path, token, body, timeout).await?;
        let bytes = response.bytes().await.map_err(transport_error)?;
        serde_json::from_slice(&bytes).map_err(SyncError::bad_response)
    }

    async fn send_empty<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&B>,
    ) -> Result<(), SyncError> {
        let response = self.request(method, path, token, body, None).await?;
        // Read to the end so the connection can be reused.
        response.bytes().await.map_err(transport_error)?;
        Ok(())
    }

    async fn request<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&B>,
        timeout: Option<Duration>,
    ) -> Result<reqwest::Response, SyncError> {
        let url = self
            .base
            .join(path)
            .map_err(|e| SyncError::bad_response(format!("url {path}: {e}")))?;
        let mut req = self.http.request(method, url);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        if let Some(timeout) = timeout {
            req = req.timeout(timeout);
        }
        let response = req.send().await.map_err(transport_error)?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        Err(error_answer(response).await)
    }
}

/// Turns an error answer into a [`SyncError`] with the server's code and message.
async fn error_answer(response: reqwest::Response) -> SyncError {
    let status = response.status();
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after);
    let body = response.bytes().await.unwrap_or_default();
    let (code, message) = match serde_json::from_slice::<ApiError>(&body) {
        Ok(e) => (e.code, e.message),
        Err(_) => fallback(status),
    };
    tracing::debug!(status = status.as_u16(), %code, "error answer");
    SyncError::from_api(status.as_u16(), code, message, retry_after)
}

/// For answers without our JSON body (a proxy's error page, a load balancer).
fn fallback(status: StatusCode) -> (String, String) {
    let s = status.as_u16();
    match s {
        426 => (
            codes::CLIENT_TOO_OLD.into(),
            "この版の共済デスクはサーバーに対応していません。共済デスクを最新版に更新してください。".into(),
        ),
        429 | 503 => (
            codes::UNAVAILABLE.into(),
            "サーバーが混み合っています。しばらくしてから自動でやり直します。".into(),
        ),
        401 => (
            codes::AUTH_TOKEN_INVALID.into(),
            "サインインが無効になりました。もう一度サインインしてください。".into(),
        ),
        407 => (
            local_codes::CONFIG_PROXY.into(),
            "プロキシサーバーの認証が必要です。プロキシの設定をIT管理者に確認してください。".into(),
        ),
        500.. => (
            codes::INTERNAL.into(),
            format!("サーバーで問題が起きました（HTTP {s}）。自動でやり直します。続く場合はIT管理者に連絡してください。"),
        ),
        _ => (
            codes::BAD_REQUEST.into(),
            format!("サーバーが要求を受け付けませんでした（HTTP {s}）。接続先の設定を確認してください。続く場合はIT管理者に連絡してください。"),
        ),
    }
}

/// `Retry-After`: seconds, or an HTTP date.
pub(crate) fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let delta = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

/// A request that got no answer: no network, refused, cut, timed out, or TLS refused.
fn transport_error(e: reqwest::Error) -> SyncError {
    if let Some(tls) = find_source::<rustls::Error>(&e) {
        tracing::warn!(error = %tls, "TLS failed");
        return SyncError::new(
            ErrorKind::Tls,
            local_codes::TLS,
            format!(
                "サーバーの証明書を確認できませんでした（{tls}）。接続先のURLとルート証明書の設定を確認してください。解決しない場合はIT管理者に連絡してください。"
            ),
        );
    }
    if e.is_timeout() {
        return SyncError::new(
            ErrorKind::Offline,
            local_codes::TIMEOUT,
            "サーバーからの応答が時間内にありませんでした。入力した内容はこのPCに保存されています。自動でやり直します。",
        );
    }
    if e.is_decode() {
        return SyncError::bad_response(e);
    }
    tracing::debug!(error = %e, source = ?std::error::Error::source(&e), "transport error");
    SyncError::new(
        ErrorKind::Offline,
        local_codes::OFFLINE,
        "サーバーに接続できません（オフライン）。入力した内容はこのPCに保存され、接続が戻ると自動で送信します。",
    )
}

fn find_source<'a, T: std::error::Error + 'static>(
    e: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(t) = err.downcast_ref::<T>() {
            return Some(t);
        }
        // rustls errors reach us wrapped in io::Errors (nested), whose `source()` skips
        // the wrapped error itself.
        cur = match err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    None
}

fn read_root_cas(path: &std::path::Path) -> Result<Vec<Certificate>, SyncError> {
    let fail = |why: String| {
        SyncError::new(
            ErrorKind::Config,
            local_codes::CONFIG_ROOT_CA,
            format!(
                "ルート証明書ファイル {} を読み込めません（{why}）。IT管理者から配布されたPEM形式のファイルを指定してください。",
                path.display()
            ),
        )
    };
    let pem = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
    let certs = Certificate::from_pem_bundle(&pem).map_err(|e| fail(e.to_string()))?;
    if certs.is_empty() {
        return Err(fail("証明書が含まれていません".into()));
    }
    Ok(certs)
}

fn proxy_error(proxy: &str, e: &reqwest::Error) -> SyncError {
    SyncError::new(
        ErrorKind::Config,
        local_codes::CONFIG_PROXY,
        format!("プロキシ「{proxy}」を使えません（{e}）。http://proxy.example:8080 のような形で入力してください。"),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn retry_after_takes_seconds_and_dates() {
        assert_eq!(parse_retry_after("5"), Some(Duration::from_secs(5)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
        let later = (chrono::Utc::now() + chrono::Duration::seconds(120)).to_rfc2822();
        let d = parse_retry_after(&later).unwrap();
        assert!(
            d > Duration::from_secs(100) && d <= Duration::from_secs(120),
            "{d:?}"
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn a_missing_root_ca_file_is_a_clear_config_error() {
        let mut c = ClientConfig::new("https://central.kyosai.example", "0.1.0");
        c.root_ca_pem_path = Some("/nonexistent/kyosai-root.pem".into());
        let e = Api::new(c).unwrap_err();
        assert_eq!(e.code, "sync.config_root_ca");
        assert!(e.message.contains("ルート証明書"));
    }

    #[test]
    fn a_file_without_certificates_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("empty.pem");
        std::fs::write(&p, "not a certificate\n").unwrap();
        let mut c = ClientConfig::new("https://central.kyosai.example", "0.1.0");
        c.root_ca_pem_path = Some(p);
        assert_eq!(Api::new(c).unwrap_err().code, "sync.config_root_ca");
    }

    #[test]
    fn a_bad_proxy_is_refused() {
        let mut c = ClientConfig::new("https://central.kyosai.example", "0.1.0");
        c.proxy_url = Some("::not a url::".into());
        assert_eq!(Api::new(c).unwrap_err().code, "sync.config_proxy");
        let mut c = ClientConfig::new("https://central.kyosai.example", "0.1.0");
        c.proxy_url = Some("http://proxy.kyosai.example:8080".into());
        assert!(Api::new(c).is_ok());
    }

    #[test]
    fn plain_http_elsewhere_is_refused_before_any_request() {
        let c = ClientConfig::new("http://central.kyosai.example", "0.1.0");
        assert_eq!(Api::new(c).unwrap_err().code, "sync.config_insecure_url");
    }
}
