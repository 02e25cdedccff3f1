//! The one error type that crosses the IPC boundary.

use serde::Serialize;

/// `{ code, message }`: a stable code the UI switches on and a Japanese message for the
/// clerk that says what is wrong and what to do. The JSON shape is pinned by a test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct AppError {
    pub code: String,
    pub message: String,
}

impl AppError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        AppError {
            code: code.into(),
            message: message.into(),
        }
    }

    /// The input was checked and has errors; the clerk's input is kept by the UI.
    pub fn validation(findings: &[FindingDto]) -> Self {
        let messages: Vec<&str> = findings
            .iter()
            .filter(|f| f.severity == SeverityDto::Error)
            .map(|f| f.message.as_str())
            .collect();
        AppError::new(
            "validation.failed",
            format!("入力内容を確認してください。{}", messages.join(" ")),
        )
    }

    /// A failure of the program or the machine rather than of the input.
    pub fn internal(context: &str, err: &dyn std::fmt::Display) -> Self {
        tracing::error!(%context, error = %err, "internal error");
        AppError::new(
            "internal",
            "処理中に問題が発生しました。もう一度お試しください。続く場合は診断画面の情報を添えて情報システム担当に連絡してください。",
        )
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{}] {}", self.code, self.message)
    }
}

impl std::error::Error for AppError {}

impl From<kyosai_store::StoreError> for AppError {
    fn from(e: kyosai_store::StoreError) -> Self {
        tracing::warn!(code = e.code(), error = %e, "store error");
        AppError::new(e.code(), e.to_string())
    }
}

impl From<kyosai_domain::wareki::WarekiError> for AppError {
    fn from(e: kyosai_domain::wareki::WarekiError) -> Self {
        AppError::new(e.code(), e.to_string())
    }
}

use crate::findings::{FindingDto, SeverityDto};

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// The UI and every later client depend on this exact JSON: change it only with them.
    #[test]
    fn json_shape_is_pinned() {
        let e = AppError::new("store.newer_schema", "最新版に更新してください。");
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"code":"store.newer_schema","message":"最新版に更新してください。"}"#
        );
    }

    #[test]
    fn store_errors_keep_their_code() {
        let e: AppError = kyosai_store::StoreError::NewerSchema {
            found: 9,
            supported: 1,
        }
        .into();
        assert_eq!(e.code, "store.newer_schema");
        assert!(e.message.contains("更新してください"));
    }

    #[test]
    fn internal_errors_do_not_leak_details_to_the_clerk() {
        let e = AppError::internal("test", &"secret path /home/x");
        assert_eq!(e.code, "internal");
        assert!(!e.message.contains("/home/x"));
    }
}
