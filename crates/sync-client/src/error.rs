//! The one error of this crate: a stable code, a Japanese message for the clerk, and what
//! the sync loop should do about it.

use std::time::Duration;

use kyosai_sync_protocol::codes;

/// Codes this crate produces itself (the server's codes are passed through unchanged).
pub mod local_codes {
    /// The server URL cannot be read.
    pub const CONFIG_INVALID_URL: &str = "sync.config_invalid_url";
    /// Plain `http://` to a host that is not this PC.
    pub const CONFIG_INSECURE_URL: &str = "sync.config_insecure_url";
    /// The root CA file cannot be read or holds no certificate.
    pub const CONFIG_ROOT_CA: &str = "sync.config_root_ca";
    /// The proxy URL cannot be used.
    pub const CONFIG_PROXY: &str = "sync.config_proxy";
    /// The server could not be reached (network down, server stopped, connection cut).
    pub const OFFLINE: &str = "sync.offline";
    /// The server did not answer in time.
    pub const TIMEOUT: &str = "sync.timeout";
    /// The server's certificate is not trusted (or the TLS handshake failed).
    pub const TLS: &str = "sync.tls";
    /// The server's answer could not be understood.
    pub const BAD_RESPONSE: &str = "sync.bad_response";
    /// The server answered a push without moving the queue on.
    pub const NO_PROGRESS: &str = "sync.no_progress";
    /// No one is signed in.
    pub const NOT_SIGNED_IN: &str = "sync.not_signed_in";
    /// Sign-out refused: unsent, conflicted or rejected work remains.
    pub const UNSENT_WORK: &str = "sync.unsent_work";
    /// The OS credential store failed.
    pub const SECRET_STORE: &str = "sync.secret_store";
    /// The sync loop is not running (stopped or crashed).
    pub const ENGINE_STOPPED: &str = "sync.engine_stopped";
}

/// What kind of failure it is, which decides what the sync loop does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// A setting is wrong: fix the settings (no retry).
    Config,
    /// The server could not be reached or the connection broke: retry with backoff.
    Offline,
    /// The server's certificate is not trusted: IT must fix trust (no automatic retry).
    Tls,
    /// The server no longer serves this app version (426): update the app.
    ClientTooOld,
    /// The access token expired: refresh once and retry.
    TokenExpired,
    /// Signed out, credentials wrong, account locked, device revoked: sign in again.
    Auth,
    /// The server is busy (429 / 503): retry after `retry_after`.
    Busy,
    /// The server failed (5xx): retry with backoff.
    Server,
    /// The server's seq memory has a gap before this client's oldest unsent command, or the
    /// client id is not ours: retrying cannot help; IT must look.
    OutboxMismatch,
    /// The pull cursor is unknown to the server: start again from no cursor.
    CursorReset,
    /// The server refused the request itself (4xx): a bug or a version mismatch.
    Request,
    /// The answer could not be understood.
    Protocol,
    /// The local database failed.
    Store,
    /// The OS credential store failed.
    Secret,
    /// Sign-out refused while unsent work remains.
    UnsentWork,
    /// The engine is not running.
    Stopped,
}

/// A failure of sync, sign-in or configuration.
///
/// `Display` is the Japanese message for the clerk; `code` is what the UI switches on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SyncError {
    pub kind: ErrorKind,
    pub code: String,
    pub message: String,
    /// The HTTP status, when the server answered.
    pub status: Option<u16>,
    /// How long the server asked us to wait (`Retry-After`).
    pub retry_after: Option<Duration>,
}

impl SyncError {
    pub fn new(kind: ErrorKind, code: impl Into<String>, message: impl Into<String>) -> Self {
        SyncError {
            kind,
            code: code.into(),
            message: message.into(),
            status: None,
            retry_after: None,
        }
    }

    /// The sync loop retries on its own (with backoff) after this error.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Offline
                | ErrorKind::Busy
                | ErrorKind::Server
                | ErrorKind::Protocol
                | ErrorKind::Store
                | ErrorKind::TokenExpired
                | ErrorKind::CursorReset
        )
    }

    /// Whether the failure means "no connection" for the status bar (as opposed to "the
    /// server answered with an error").
    pub fn is_offline(&self) -> bool {
        matches!(self.kind, ErrorKind::Offline | ErrorKind::Tls)
    }

    pub(crate) fn not_signed_in() -> Self {
        SyncError::new(
            ErrorKind::Auth,
            local_codes::NOT_SIGNED_IN,
            "サインインしていません。サインインすると同期を始めます。",
        )
    }

    pub(crate) fn unsent_work(pending: u64, conflicted: u64, rejected: u64) -> Self {
        let mut parts = Vec::new();
        if pending > 0 {
            parts.push(format!("送信待ち {pending} 件"));
        }
        if conflicted > 0 {
            parts.push(format!("競合 {conflicted} 件"));
        }
        if rejected > 0 {
            parts.push(format!("差戻し {rejected} 件"));
        }
        let what = if parts.is_empty() {
            "閲覧権限がなくなった記録の下書き".to_string()
        } else {
            parts.join("、")
        };
        SyncError::new(
            ErrorKind::UnsentWork,
            local_codes::UNSENT_WORK,
            format!(
                "まだサーバーに届いていない作業（{what}）があるため、サインアウトできません。同期が終わるのを待つか、競合・差戻しの記録を確認して反映または破棄してから、もう一度サインアウトしてください。"
            ),
        )
    }

    pub(crate) fn secret(what: &str, err: impl std::fmt::Display) -> Self {
        tracing::warn!(%what, error = %err, "credential store failed");
        SyncError::new(
            ErrorKind::Secret,
            local_codes::SECRET_STORE,
            format!(
                "OSの資格情報ストアを使えません（{what}: {err}）。もう一度サインインしてください。続く場合はIT管理者に連絡してください。"
            ),
        )
    }

    pub(crate) fn stopped() -> Self {
        SyncError::new(
            ErrorKind::Stopped,
            local_codes::ENGINE_STOPPED,
            "同期の処理が止まっています。共済デスクを再起動してください。",
        )
    }

    pub(crate) fn bad_response(what: impl std::fmt::Display) -> Self {
        tracing::warn!(error = %what, "response not understood");
        SyncError::new(
            ErrorKind::Protocol,
            local_codes::BAD_RESPONSE,
            "サーバーからの応答を読み取れませんでした。自動でやり直します。続く場合は共済デスクを最新版に更新するか、IT管理者に連絡してください。",
        )
    }

    /// An error answer of the server: its code and Japanese message, classified.
    pub(crate) fn from_api(
        status: u16,
        code: String,
        message: String,
        retry_after: Option<Duration>,
    ) -> Self {
        let kind = match (status, code.as_str()) {
            (426, _) | (_, codes::CLIENT_TOO_OLD) => ErrorKind::ClientTooOld,
            (_, codes::AUTH_TOKEN_EXPIRED) => ErrorKind::TokenExpired,
            (_, codes::SEQ_GAP | codes::SEQ_REUSED | codes::CLIENT_ID_MISMATCH) => {
                ErrorKind::OutboxMismatch
            }
            (_, codes::CURSOR_RESET) => ErrorKind::CursorReset,
            (_, codes::RATE_LIMITED | codes::UNAVAILABLE) | (429 | 503, _) => ErrorKind::Busy,
            (
                _,
                codes::AUTH_INVALID_CREDENTIALS
                | codes::AUTH_LOCKED
                | codes::AUTH_TOKEN_INVALID
                | codes::AUTH_DEVICE_REVOKED
                | codes::FORBIDDEN,
            )
            | (401 | 403, _) => ErrorKind::Auth,
            (500.., _) => ErrorKind::Server,
            _ => ErrorKind::Request,
        };
        SyncError {
            kind,
            code,
            message,
            status: Some(status),
            retry_after,
        }
    }
}

impl From<kyosai_store::StoreError> for SyncError {
    fn from(e: kyosai_store::StoreError) -> Self {
        tracing::warn!(code = e.code(), error = %e, "store error during sync");
        SyncError::new(ErrorKind::Store, e.code(), e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_codes_are_classified() {
        let e = |status, code: &str| SyncError::from_api(status, code.into(), "m".into(), None);
        assert_eq!(e(426, codes::CLIENT_TOO_OLD).kind, ErrorKind::ClientTooOld);
        assert_eq!(
            e(401, codes::AUTH_TOKEN_EXPIRED).kind,
            ErrorKind::TokenExpired
        );
        assert_eq!(e(401, codes::AUTH_TOKEN_INVALID).kind, ErrorKind::Auth);
        assert_eq!(e(409, codes::SEQ_GAP).kind, ErrorKind::OutboxMismatch);
        assert_eq!(e(503, codes::UNAVAILABLE).kind, ErrorKind::Busy);
        assert_eq!(e(429, "whatever").kind, ErrorKind::Busy);
        assert_eq!(e(500, codes::INTERNAL).kind, ErrorKind::Server);
        assert_eq!(e(400, codes::BAD_REQUEST).kind, ErrorKind::Request);
        assert!(!e(409, codes::SEQ_GAP).is_retryable());
        assert!(e(503, codes::UNAVAILABLE).is_retryable());
    }

    #[test]
    fn unsent_work_message_lists_what_remains() {
        let e = SyncError::unsent_work(3, 1, 0);
        assert_eq!(e.code, "sync.unsent_work");
        assert!(e.message.contains("送信待ち 3 件"));
        assert!(e.message.contains("競合 1 件"));
        assert!(e.message.contains("サインアウトできません"));
    }
}
