//! Acknowledged warnings. A warning does not block submission once the clerk has looked
//! at it and said so; the acknowledgement is kept on the form, so the workflow history
//! shows which warnings were accepted.

use serde::{Deserialize, Serialize};

use crate::finding::{Finding, Severity};

/// "I have looked at warning `code` on `field`."
///
/// Matched on both: if the field's path changes (a dependant row above it was removed),
/// the acknowledgement no longer matches and the warning must be acknowledged again.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Acknowledgement {
    /// The warning's code, e.g. `"acquisition.late_filing"`.
    pub code: String,
    /// The warning's field, e.g. `"acquisition.lateReason"`.
    pub field: String,
}

impl Acknowledgement {
    /// The acknowledgement of a finding.
    pub fn of(finding: &Finding) -> Self {
        Self {
            code: finding.code.to_owned(),
            field: finding.field.clone(),
        }
    }

    /// Whether this acknowledges `finding`.
    pub fn matches(&self, finding: &Finding) -> bool {
        self.code == finding.code && self.field == finding.field
    }
}

/// The warnings among `findings` that no acknowledgement covers. Errors are never
/// returned: they cannot be acknowledged away.
pub fn unacknowledged_warnings<'a>(
    findings: &'a [Finding],
    acks: &[Acknowledgement],
) -> Vec<&'a Finding> {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Warning && !acks.iter().any(|a| a.matches(f)))
        .collect()
}

/// Whether findings allow submission: no errors and every warning acknowledged.
pub fn can_submit(findings: &[Finding], acks: &[Acknowledgement]) -> bool {
    !crate::finding::has_errors(findings) && unacknowledged_warnings(findings, acks).is_empty()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn late() -> Finding {
        Finding::warning("acquisition.lateReason", "acquisition.late_filing", "m")
    }

    #[test]
    fn acknowledged_warnings_no_longer_block() {
        let findings = vec![
            late(),
            Finding::warning(
                "dependants[0].residesInJapan",
                "dependant.outside_japan",
                "m",
            ),
        ];
        assert_eq!(unacknowledged_warnings(&findings, &[]).len(), 2);
        assert!(!can_submit(&findings, &[]));
        let acks = vec![Acknowledgement::of(&findings[0])];
        let left = unacknowledged_warnings(&findings, &acks);
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].code, "dependant.outside_japan");
        let acks = vec![
            Acknowledgement::of(&findings[0]),
            Acknowledgement::of(&findings[1]),
        ];
        assert!(can_submit(&findings, &acks));
    }

    #[test]
    fn code_and_field_must_both_match() {
        let findings = vec![late()];
        let wrong_field = Acknowledgement {
            code: "acquisition.late_filing".into(),
            field: "acquisition.acquiredOn".into(),
        };
        let wrong_code = Acknowledgement {
            code: "acquisition.far_future".into(),
            field: "acquisition.lateReason".into(),
        };
        assert_eq!(
            unacknowledged_warnings(&findings, &[wrong_field, wrong_code]).len(),
            1
        );
    }

    #[test]
    fn errors_cannot_be_acknowledged() {
        let e = Finding::error("member.myNumber", "my_number.check_digit", "m");
        let acks = vec![Acknowledgement::of(&e)];
        assert!(unacknowledged_warnings(std::slice::from_ref(&e), &acks).is_empty());
        assert!(!can_submit(&[e], &acks));
    }

    #[test]
    fn json_shape() {
        let a = Acknowledgement::of(&late());
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            r#"{"code":"acquisition.late_filing","field":"acquisition.lateReason"}"#
        );
    }
}
