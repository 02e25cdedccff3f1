//! The figures of the correction work, from what happened to each field and from the
//! clerks' work events — pure functions, so the queue can feed them from its store and
//! the tests from a list.
//!
//! - **straight-through rate**: the share of fields (and of whole documents) that no
//!   person had to decide;
//! - **silent-error rate**: among auto-accepted fields drawn for QA and verified by a
//!   clerk, the share whose verified value differs from the engine's — with a 95 % upper
//!   bound (Wilson), because a small sample with no error does not prove a rate of 0;
//! - **per-field accuracy**: for each field, how often the engine's value was the value a
//!   person confirmed;
//! - **per-operator throughput**: fields per hour of work and seconds per document.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::routing::Route;

/// What happened to one field of one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldOutcome {
    /// Document id.
    pub document_id: String,
    /// Field id.
    pub field: String,
    /// Where routing sent it.
    pub route: Route,
    /// The engine's normalised value (`None`: unreadable).
    pub engine_value: Option<String>,
    /// The value a person confirmed or typed; `None` while nobody has (always `None` for
    /// an auto-accepted field not drawn for QA).
    pub verified_value: Option<String>,
}

impl FieldOutcome {
    /// Whether a person's value exists and equals the engine's.
    pub fn engine_was_right(&self) -> Option<bool> {
        self.verified_value
            .as_ref()
            .map(|v| self.engine_value.as_ref() == Some(v))
    }
}

/// A count out of a total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ratio {
    /// Numerator.
    pub count: usize,
    /// Denominator.
    pub total: usize,
}

impl Ratio {
    /// `count / total`, 0 when the total is 0.
    pub fn rate(self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.count as f64 / self.total as f64
        }
    }
}

/// Straight-through rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StraightThrough {
    /// Auto-accepted fields (QA samples included: they went on unchanged) of all fields.
    pub fields: Ratio,
    /// Documents all of whose fields were auto-accepted.
    pub documents: Ratio,
}

/// Straight-through rates of a set of outcomes.
pub fn straight_through(outcomes: &[FieldOutcome]) -> StraightThrough {
    let auto = outcomes
        .iter()
        .filter(|o| o.route.is_auto_accepted())
        .count();
    let docs: BTreeSet<&str> = outcomes.iter().map(|o| o.document_id.as_str()).collect();
    let touched: BTreeSet<&str> = outcomes
        .iter()
        .filter(|o| !o.route.is_auto_accepted())
        .map(|o| o.document_id.as_str())
        .collect();
    StraightThrough {
        fields: Ratio {
            count: auto,
            total: outcomes.len(),
        },
        documents: Ratio {
            count: docs.len() - touched.len(),
            total: docs.len(),
        },
    }
}

/// The silent-error rate measured on QA samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SilentErrors {
    /// QA samples verified so far, and how many of them the engine had wrong.
    pub wrong_of_verified: Ratio,
    /// QA samples drawn but not yet verified.
    pub pending: usize,
    /// Observed rate.
    pub rate: f64,
    /// Upper end of the 95 % Wilson interval: with 0 errors in 60 samples, 6 %.
    pub upper_95: f64,
}

/// The upper bound of the Wilson score interval (z = 1.96).
pub fn wilson_upper(r: Ratio) -> f64 {
    if r.total == 0 {
        return 1.0;
    }
    let n = r.total as f64;
    let p = r.rate();
    let z = 1.959_964;
    let z2 = z * z;
    let centre = p + z2 / (2.0 * n);
    let margin = z * ((p * (1.0 - p) + z2 / (4.0 * n)) / n).sqrt();
    ((centre + margin) / (1.0 + z2 / n)).min(1.0)
}

/// The silent-error rate from the QA samples among `outcomes`.
pub fn silent_errors(outcomes: &[FieldOutcome]) -> SilentErrors {
    let qa: Vec<&FieldOutcome> = outcomes
        .iter()
        .filter(|o| o.route == Route::QaSample)
        .collect();
    let verified: Vec<bool> = qa.iter().filter_map(|o| o.engine_was_right()).collect();
    let wrong = verified.iter().filter(|ok| !**ok).count();
    let r = Ratio {
        count: wrong,
        total: verified.len(),
    };
    SilentErrors {
        wrong_of_verified: r,
        pending: qa.len() - verified.len(),
        rate: r.rate(),
        upper_95: wilson_upper(r),
    }
}

/// For each field id, how often the engine's value was the verified one (only outcomes a
/// person verified count).
pub fn per_field_accuracy(outcomes: &[FieldOutcome]) -> BTreeMap<String, Ratio> {
    let mut out: BTreeMap<String, Ratio> = BTreeMap::new();
    for o in outcomes {
        if let Some(right) = o.engine_was_right() {
            let e = out
                .entry(o.field.clone())
                .or_insert(Ratio { count: 0, total: 0 });
            e.total += 1;
            e.count += usize::from(right);
        }
    }
    out
}

/// One piece of a clerk's work on one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkEvent {
    /// Who.
    pub operator: String,
    /// Document id.
    pub document_id: String,
    /// Field id.
    pub field: String,
    /// When the field was shown.
    pub started_at: DateTime<Utc>,
    /// When the clerk accepted, corrected or sent it on.
    pub finished_at: DateTime<Utc>,
}

/// One clerk's throughput.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperatorThroughput {
    /// Who.
    pub operator: String,
    /// Fields handled.
    pub fields: usize,
    /// Documents touched.
    pub documents: usize,
    /// Seconds spent on fields (pauses between fields longer than the idle limit not
    /// counted: only each field's own time is summed).
    pub work_seconds: f64,
    /// Fields per hour of work.
    pub fields_per_hour: f64,
    /// Seconds of work per document touched.
    pub seconds_per_document: f64,
}

/// Throughput per operator, sorted by operator. A field's time is capped at
/// `max_field_seconds` (a clerk who left the screen open over lunch is not slow).
pub fn operator_throughput(
    events: &[WorkEvent],
    max_field_seconds: f64,
) -> Vec<OperatorThroughput> {
    let mut by_op: BTreeMap<&str, Vec<&WorkEvent>> = BTreeMap::new();
    for e in events {
        by_op.entry(e.operator.as_str()).or_default().push(e);
    }
    by_op
        .into_iter()
        .map(|(op, evs)| {
            let secs: f64 = evs
                .iter()
                .map(|e| {
                    let ms = (e.finished_at - e.started_at).num_milliseconds().max(0);
                    (ms as f64 / 1000.0).min(max_field_seconds)
                })
                .sum();
            let docs: BTreeSet<&str> = evs.iter().map(|e| e.document_id.as_str()).collect();
            OperatorThroughput {
                operator: op.to_owned(),
                fields: evs.len(),
                documents: docs.len(),
                work_seconds: secs,
                fields_per_hour: if secs > 0.0 {
                    evs.len() as f64 * 3600.0 / secs
                } else {
                    0.0
                },
                seconds_per_document: if docs.is_empty() {
                    0.0
                } else {
                    secs / docs.len() as f64
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use chrono::TimeZone;

    fn o(
        doc: &str,
        field: &str,
        route: Route,
        engine: &str,
        verified: Option<&str>,
    ) -> FieldOutcome {
        FieldOutcome {
            document_id: doc.into(),
            field: field.into(),
            route,
            engine_value: Some(engine.into()),
            verified_value: verified.map(Into::into),
        }
    }

    fn sample() -> Vec<FieldOutcome> {
        vec![
            o("d1", "name", Route::Accepted, "山田　太郎", None),
            o(
                "d1",
                "myNumber",
                Route::QaSample,
                "123456789018",
                Some("123456789018"),
            ),
            o(
                "d2",
                "name",
                Route::Review,
                "山田　大郎",
                Some("山田　太郎"),
            ),
            o(
                "d2",
                "myNumber",
                Route::QaSample,
                "123456789018",
                Some("123456789013"),
            ),
            o("d3", "name", Route::Accepted, "佐藤　花子", None),
            o("d3", "myNumber", Route::QaSample, "111111111118", None),
        ]
    }

    #[test]
    fn straight_through_counts_fields_and_whole_documents() {
        let s = straight_through(&sample());
        assert_eq!(s.fields, Ratio { count: 5, total: 6 });
        assert_eq!(s.documents, Ratio { count: 2, total: 3 });
        assert!((s.fields.rate() - 5.0 / 6.0).abs() < 1e-9);
    }

    #[test]
    fn silent_errors_come_from_verified_qa_samples_only() {
        let s = silent_errors(&sample());
        assert_eq!(s.wrong_of_verified, Ratio { count: 1, total: 2 });
        assert_eq!(s.pending, 1);
        assert!((s.rate - 0.5).abs() < 1e-9);
        assert!(s.upper_95 > 0.5 && s.upper_95 <= 1.0);
    }

    #[test]
    fn zero_errors_in_a_small_sample_is_not_zero_risk() {
        let r = Ratio {
            count: 0,
            total: 60,
        };
        let u = wilson_upper(r);
        assert!((0.055..0.065).contains(&u), "{u}");
        assert_eq!(wilson_upper(Ratio { count: 0, total: 0 }), 1.0);
        assert!(
            wilson_upper(Ratio {
                count: 0,
                total: 3000
            }) < 0.0015
        );
    }

    #[test]
    fn accuracy_per_field_counts_what_people_verified() {
        let a = per_field_accuracy(&sample());
        assert_eq!(a["name"], Ratio { count: 0, total: 1 });
        assert_eq!(a["myNumber"], Ratio { count: 1, total: 2 });
    }

    #[test]
    fn throughput_per_operator() {
        let t = |s: i64| Utc.timestamp_opt(1_750_000_000 + s, 0).unwrap();
        let ev = |op: &str, doc: &str, a: i64, b: i64| WorkEvent {
            operator: op.into(),
            document_id: doc.into(),
            field: "f".into(),
            started_at: t(a),
            finished_at: t(b),
        };
        let events = vec![
            ev("tanaka", "d1", 0, 4),
            ev("tanaka", "d1", 4, 10),
            ev("tanaka", "d2", 10, 20),
            ev("suzuki", "d3", 0, 3),
            // Left open for an hour: counted as the cap.
            ev("suzuki", "d3", 3, 3603),
        ];
        let out = operator_throughput(&events, 120.0);
        assert_eq!(out.len(), 2);
        let suzuki = &out[0];
        assert_eq!(suzuki.operator, "suzuki");
        assert!((suzuki.work_seconds - 123.0).abs() < 1e-9);
        let tanaka = &out[1];
        assert_eq!((tanaka.fields, tanaka.documents), (3, 2));
        assert!((tanaka.fields_per_hour - 540.0).abs() < 1e-9);
        assert!((tanaka.seconds_per_document - 10.0).abs() < 1e-9);
    }
}
