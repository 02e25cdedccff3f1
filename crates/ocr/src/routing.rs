//! Who looks at a field: nobody, a QA sampler, one clerk, or two clerks independently.
//!
//! A field is accepted without a person only when **all** hold:
//!
//! - it is not handwritten (handwritten fields always go to blind double entry);
//! - every configured engine read it, with a confidence at or above the field's threshold;
//! - when two or more engines are configured, their normalised values are equal;
//! - its value passes every field check and every document check that names it (errors
//!   and warnings alike).
//!
//! Of the fields accepted that way, a fixed share ([`RoutingPolicy::qa_rate`]) is drawn for
//! QA: a clerk verifies them as if they were not accepted, and the share of those found
//! wrong is the measured silent-error rate ([`crate::metrics::silent_errors`]). The draw is
//! a hash of the seed, the document id and the field id, so the same run gives the same
//! sample and nobody can steer it.
//!
//! Everything here is a pure function.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::checks::Checked;
use crate::field::FieldReading;
use crate::template::FieldSpec;

/// Routing settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoutingPolicy {
    /// Share (0–1) of auto-accepted fields drawn for QA; default 5 %.
    pub qa_rate: f64,
    /// Seed of the QA draw.
    pub qa_seed: u64,
    /// Added to every field's threshold (e.g. `0.05` for a stricter trial); default 0.
    pub threshold_offset: f32,
}

impl Default for RoutingPolicy {
    fn default() -> Self {
        RoutingPolicy {
            qa_rate: 0.05,
            qa_seed: 0x6b79_6f73_6169,
            threshold_offset: 0.0,
        }
    }
}

/// Where a field goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Route {
    /// Accepted as read; nobody looks at it.
    Accepted,
    /// Accepted as read, and drawn for QA: a clerk verifies it to measure the silent
    /// error rate.
    QaSample,
    /// A clerk verifies or corrects it.
    Review,
    /// Two clerks key it independently; a mismatch goes to a third.
    DoubleEntry,
}

impl Route {
    /// Whether the value went on without a person deciding it.
    pub fn is_auto_accepted(self) -> bool {
        matches!(self, Route::Accepted | Route::QaSample)
    }
}

/// Why a field goes to a person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    /// The template marks it handwritten.
    Handwritten,
    /// No engine produced a reading.
    NoReading,
    /// An engine was less sure than the threshold.
    LowConfidence {
        /// The engine.
        engine: String,
        /// Its confidence, 0–1.
        confidence: f32,
        /// The threshold, 0–1.
        threshold: f32,
    },
    /// Two engines read different values.
    EnginesDisagree,
    /// The value could not be normalised (not a date, not an amount …).
    Unreadable,
    /// A field or document check found something.
    CheckFailed {
        /// The finding's code (`my_number.check_digit`, `invoice.payable_mismatch` …).
        finding: String,
    },
}

/// The routing of one field, with every reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    /// Where it goes.
    pub route: Route,
    /// Why (empty when accepted).
    pub reasons: Vec<Reason>,
}

/// Whether `(document, field)` is drawn for QA at `rate` with `seed`.
pub fn qa_drawn(seed: u64, document_id: &str, field_id: &str, rate: f64) -> bool {
    if rate <= 0.0 {
        return false;
    }
    let mut h = Sha256::new();
    h.update(seed.to_le_bytes());
    h.update(document_id.as_bytes());
    h.update([0]);
    h.update(field_id.as_bytes());
    let d = h.finalize();
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[..8]);
    let x = u64::from_le_bytes(b) as f64 / (u64::MAX as f64 + 1.0);
    x < rate
}

/// Routes one field. `readings` holds one reading per configured engine (the first is the
/// primary, whose value `checked` holds); `engine_values` the normalised value of each
/// reading, in the same order; `checked` the primary value's field and document findings.
pub fn route(
    spec: &FieldSpec,
    document_id: &str,
    readings: &[FieldReading],
    engine_values: &[Option<String>],
    checked: &Checked,
    policy: &RoutingPolicy,
) -> Decision {
    if spec.handwritten {
        return Decision {
            route: Route::DoubleEntry,
            reasons: vec![Reason::Handwritten],
        };
    }
    let mut reasons = Vec::new();
    if readings.is_empty() {
        reasons.push(Reason::NoReading);
    }
    let threshold = (spec.threshold() + policy.threshold_offset).clamp(0.0, 1.0);
    for r in readings {
        if r.confidence.value() < threshold {
            reasons.push(Reason::LowConfidence {
                engine: r.engine.name.clone(),
                confidence: r.confidence.value(),
                threshold,
            });
        }
    }
    if engine_values.len() > 1 && engine_values.windows(2).any(|w| w[0] != w[1]) {
        reasons.push(Reason::EnginesDisagree);
    }
    if checked.value.is_none() {
        reasons.push(Reason::Unreadable);
    }
    for f in &checked.findings {
        reasons.push(Reason::CheckFailed {
            finding: f.code.to_owned(),
        });
    }
    let route = if !reasons.is_empty() {
        Route::Review
    } else if qa_drawn(policy.qa_seed, document_id, &spec.id, policy.qa_rate) {
        Route::QaSample
    } else {
        Route::Accepted
    };
    Decision { route, reasons }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::checks::check_field;
    use crate::field::{Confidence, EngineInfo, OcrText};
    use crate::template::builtin_by_id;

    fn reading(field: &str, text: &str, conf: f32, engine: &str) -> FieldReading {
        FieldReading {
            field: field.into(),
            page: 1,
            text: OcrText::new(text),
            confidence: Confidence::new(conf),
            bbox: None,
            engine: EngineInfo {
                name: engine.into(),
                version: "test".into(),
            },
        }
    }

    fn no_qa() -> RoutingPolicy {
        RoutingPolicy {
            qa_rate: 0.0,
            ..RoutingPolicy::default()
        }
    }

    fn decide(field: &str, readings: &[FieldReading], policy: &RoutingPolicy) -> Decision {
        let t = builtin_by_id("shikaku-shutoku-todoke").unwrap();
        let spec = t.field(field).unwrap();
        let checked = check_field(spec, readings[0].text.as_str());
        let values: Vec<Option<String>> = readings
            .iter()
            .map(|r| check_field(spec, r.text.as_str()).value)
            .collect();
        route(spec, "acq-001", readings, &values, &checked, policy)
    }

    #[test]
    fn a_sure_reading_that_passes_its_checks_is_accepted() {
        let d = decide(
            "member.myNumber",
            &[reading(
                "member.myNumber",
                "1234 5678 9018",
                0.97,
                "tesseract",
            )],
            &no_qa(),
        );
        assert_eq!(d.route, Route::Accepted);
        assert!(d.reasons.is_empty());
    }

    #[test]
    fn a_sure_reading_that_fails_its_check_digit_goes_to_a_person() {
        let d = decide(
            "member.myNumber",
            &[reading(
                "member.myNumber",
                "1234 5678 9019",
                0.99,
                "tesseract",
            )],
            &no_qa(),
        );
        assert_eq!(d.route, Route::Review);
        assert_eq!(
            d.reasons,
            vec![Reason::CheckFailed {
                finding: "my_number.check_digit".into()
            }]
        );
    }

    #[test]
    fn a_reading_below_the_threshold_goes_to_a_person_even_when_valid() {
        let d = decide(
            "member.myNumber",
            &[reading("member.myNumber", "123456789018", 0.5, "tesseract")],
            &no_qa(),
        );
        assert_eq!(d.route, Route::Review);
        assert!(matches!(d.reasons[0], Reason::LowConfidence { threshold, .. } if threshold > 0.5));
        // The policy's offset moves the threshold.
        let strict = RoutingPolicy {
            threshold_offset: 0.5,
            ..no_qa()
        };
        let d = decide(
            "member.myNumber",
            &[reading(
                "member.myNumber",
                "123456789018",
                0.97,
                "tesseract",
            )],
            &strict,
        );
        assert_eq!(d.route, Route::Review);
    }

    #[test]
    fn two_engines_must_agree_on_the_normalised_value() {
        let agree = decide(
            "member.myNumber",
            &[
                reading("member.myNumber", "1234 5678 9018", 0.97, "tesseract"),
                reading("member.myNumber", "123456789018", 0.95, "onnx"),
            ],
            &no_qa(),
        );
        assert_eq!(agree.route, Route::Accepted);
        let differ = decide(
            "member.myNumber",
            &[
                reading("member.myNumber", "123456789018", 0.97, "tesseract"),
                reading("member.myNumber", "123456789013", 0.97, "onnx"),
            ],
            &no_qa(),
        );
        assert_eq!(differ.route, Route::Review);
        assert!(differ.reasons.contains(&Reason::EnginesDisagree));
    }

    #[test]
    fn handwritten_fields_always_go_to_double_entry() {
        let d = decide(
            "member.address",
            &[reading(
                "member.address",
                "東京都新宿区西新宿二丁目8番1号",
                1.0,
                "tesseract",
            )],
            &no_qa(),
        );
        assert_eq!(d.route, Route::DoubleEntry);
    }

    #[test]
    fn the_qa_draw_is_reproducible_and_near_its_rate() {
        let n = 20_000;
        let drawn = (0..n)
            .filter(|i| qa_drawn(7, &format!("doc-{i}"), "member.name", 0.05))
            .count();
        assert!((800..1200).contains(&drawn), "{drawn}");
        let again = (0..n)
            .filter(|i| qa_drawn(7, &format!("doc-{i}"), "member.name", 0.05))
            .count();
        assert_eq!(drawn, again);
        // Another seed draws other fields.
        let other: Vec<bool> = (0..200)
            .map(|i| qa_drawn(8, &format!("doc-{i}"), "member.name", 0.05))
            .collect();
        let first: Vec<bool> = (0..200)
            .map(|i| qa_drawn(7, &format!("doc-{i}"), "member.name", 0.05))
            .collect();
        assert_ne!(other, first);
        assert!(!qa_drawn(7, "doc", "f", 0.0));
        assert!(qa_drawn(7, "doc", "f", 1.0));
    }

    #[test]
    fn accepted_fields_drawn_for_qa_are_still_auto_accepted() {
        let all = RoutingPolicy {
            qa_rate: 1.0,
            ..RoutingPolicy::default()
        };
        let d = decide(
            "member.myNumber",
            &[reading(
                "member.myNumber",
                "123456789018",
                0.97,
                "tesseract",
            )],
            &all,
        );
        assert_eq!(d.route, Route::QaSample);
        assert!(d.route.is_auto_accepted());
        assert!(!Route::Review.is_auto_accepted());
    }
}
