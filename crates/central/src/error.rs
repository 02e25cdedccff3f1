//! The one error answer of the HTTP API: a status, a stable code and a Japanese message
//! that says what to do. Internal details go to the log, never to the client.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kyosai_sync_protocol::{codes, ApiError};

use crate::storage::StorageError;

tokio::task_local! {
    /// The id of the request being served, for messages that ask the user to quote it.
    pub(crate) static REQUEST_ID: String;
}

/// An error answer. Build it with the constructors; each one fixes code and status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiFailure {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub retry_after_secs: Option<u32>,
}

impl ApiFailure {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiFailure {
            status,
            code,
            message: message.into(),
            retry_after_secs: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, codes::BAD_REQUEST, message)
    }

    pub fn too_large(message: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, codes::BAD_REQUEST, message)
    }

    pub fn token_invalid() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            codes::AUTH_TOKEN_INVALID,
            "サインインの有効期限が切れたか、無効になっています。もう一度サインインしてください。",
        )
    }

    pub fn token_expired() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            codes::AUTH_TOKEN_EXPIRED,
            "サインインの有効期限が切れました。アプリが自動で更新します。続く場合はもう一度サインインしてください。",
        )
    }

    pub fn device_revoked() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            codes::AUTH_DEVICE_REVOKED,
            "この端末は利用を停止されています。IT管理者に連絡してください。",
        )
    }

    pub fn account_disabled() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            codes::FORBIDDEN,
            "このアカウントは利用停止中です。IT管理者に連絡してください。",
        )
    }

    pub fn not_found_route() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            codes::BAD_REQUEST,
            "このアドレスには何もありません。接続先の設定（サーバーのURL）を確かめてください。",
        )
    }

    pub fn unavailable() -> Self {
        ApiFailure {
            retry_after_secs: Some(5),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                codes::UNAVAILABLE,
                "サーバーが混み合っています。しばらくしてから自動でやり直します。",
            )
        }
    }

    /// Something broke on our side. The message carries the request id so IT can find
    /// the log entry; the cause itself is logged, not sent.
    pub fn internal() -> Self {
        let id = REQUEST_ID.try_with(|id| id.clone()).ok();
        let mut message = String::from(
            "サーバーで問題が起きました。しばらくしてからもう一度お試しください。続く場合はIT管理者に連絡してください。",
        );
        if let Some(id) = id {
            message.push_str(&format!("（問い合わせ番号: {id}）"));
        }
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, codes::INTERNAL, message)
    }
}

impl From<StorageError> for ApiFailure {
    fn from(e: StorageError) -> Self {
        if e.is_busy() {
            tracing::warn!(error = %e, "storage busy");
            ApiFailure::unavailable()
        } else {
            tracing::error!(error = %e, detail = ?e, "storage error");
            ApiFailure::internal()
        }
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let body = ApiError {
            code: self.code.to_string(),
            message: self.message,
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}
