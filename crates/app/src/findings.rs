//! Findings as they cross the boundary.

use serde::Serialize;

/// How serious a finding is: errors block, warnings need an acknowledgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum SeverityDto {
    Error,
    Warning,
}

/// A check's result about one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct FindingDto {
    /// The field's key, as the UI names its input.
    pub field: String,
    /// Stable code, e.g. `my_number.check_digit`.
    pub code: String,
    pub severity: SeverityDto,
    /// Japanese, says what to do.
    pub message: String,
}

impl From<kyosai_domain::finding::Finding> for FindingDto {
    fn from(f: kyosai_domain::finding::Finding) -> Self {
        FindingDto {
            field: f.field,
            code: f.code.to_string(),
            severity: match f.severity {
                kyosai_domain::finding::Severity::Error => SeverityDto::Error,
                kyosai_domain::finding::Severity::Warning => SeverityDto::Warning,
            },
            message: f.message,
        }
    }
}

impl FindingDto {
    pub fn error(field: &str, code: &str, message: impl Into<String>) -> Self {
        FindingDto {
            field: field.to_string(),
            code: code.to_string(),
            severity: SeverityDto::Error,
            message: message.into(),
        }
    }
}

/// True when any finding is an error.
pub fn has_errors(findings: &[FindingDto]) -> bool {
    findings.iter().any(|f| f.severity == SeverityDto::Error)
}
