//! What a check reports about one field of a form.
//!
//! A [`Finding`] names the field (the form's own field name, e.g. `"centralUrl"`), a stable
//! code the UI switches on, whether it blocks saving ([`Severity::Error`]) or only asks the
//! clerk to look again ([`Severity::Warning`]), and a Japanese message for the clerk.

use serde::Serialize;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The value cannot be accepted as it is.
    Error,
    /// The value may be right, but the clerk should look at it again.
    Warning,
}

/// One problem found in one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The field the finding is about, as the form names it (e.g. `"centralUrl"`).
    pub field: String,
    /// A stable code such as `"my_number.check_digit"`; the UI switches on this.
    pub code: &'static str,
    /// Whether the value blocks saving.
    pub severity: Severity,
    /// Short, polite Japanese: what is wrong and what to do.
    pub message: String,
}

impl Finding {
    /// A finding that blocks saving.
    pub fn error(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code,
            severity: Severity::Error,
            message: message.into(),
        }
    }

    /// A finding that asks the clerk to look again but does not block saving.
    pub fn warning(
        field: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            code,
            severity: Severity::Warning,
            message: message.into(),
        }
    }

    /// An error finding made from one of this crate's error values, keeping its code and
    /// message.
    pub fn from_error<E: Coded>(field: impl Into<String>, error: &E) -> Self {
        Self::error(field, error.code(), error.to_string())
    }

    /// Whether this finding blocks saving.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// An error with a stable machine-readable code; its `Display` is the Japanese message.
pub trait Coded: std::fmt::Display {
    /// The stable code, e.g. `"wareki.outside_era"`.
    fn code(&self) -> &'static str;
}

/// Whether any of the findings blocks saving.
pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(Finding::is_error)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn helpers_set_severity() {
        let e = Finding::error("officeCode", "x.y", "所属所番号を確認してください。");
        let w = Finding::warning("centralUrl", "a.b", "確認してください。");
        assert_eq!(e.severity, Severity::Error);
        assert!(e.is_error());
        assert_eq!(w.severity, Severity::Warning);
        assert!(!w.is_error());
    }

    #[test]
    fn has_errors_ignores_warnings() {
        assert!(!has_errors(&[]));
        let w = Finding::warning("f", "c", "m");
        assert!(!has_errors(std::slice::from_ref(&w)));
        let e = Finding::error("f", "c", "m");
        assert!(has_errors(&[w, e]));
    }

    /// The UI reads this JSON; its shape is part of the contract.
    #[test]
    fn json_shape_is_pinned() {
        let f = Finding::warning(
            "centralUrl",
            "settings.http_dev_only",
            "http は開発用です。",
        );
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(
            json,
            r#"{"field":"centralUrl","code":"settings.http_dev_only","severity":"warning","message":"http は開発用です。"}"#
        );
        let e = serde_json::to_value(Severity::Error).unwrap();
        assert_eq!(e, serde_json::json!("error"));
    }
}
