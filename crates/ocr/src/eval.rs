//! The pipeline's figures on documents whose truth is known (the generated sample set):
//! the engine's field accuracy, the straight-through rate, the silent-error rate QA would
//! measure, and — the figure that must be 0 — wrong values accepted without a person.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::metrics::{
    silent_errors, straight_through, FieldOutcome, Ratio, SilentErrors, StraightThrough,
};
use crate::pipeline::DocumentResult;
use crate::routing::Route;
use crate::samples::GroundTruth;
use crate::template::FieldKind;

/// One field compared with the truth.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldEval {
    /// Document id.
    pub document_id: String,
    /// Field id.
    pub field: String,
    /// Kind.
    pub kind: FieldKind,
    /// Where routing sent it.
    pub route: Route,
    /// Primary confidence.
    pub confidence: f32,
    /// Whether the engine's normalised value equals the truth.
    pub correct: bool,
    /// The engine's normalised value (generated data, not personal data).
    pub value: Option<String>,
    /// The truth.
    pub expected: String,
    /// Whether something other than the confidence kept it from auto-acceptance: a
    /// check, engines disagreeing, handwriting, no value. (For tuning thresholds: a field
    /// not blocked is accepted exactly when its confidence reaches the threshold.)
    pub blocked: bool,
}

/// Counts for a group of fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupEval {
    /// Fields.
    pub fields: usize,
    /// Engine value equal to the truth.
    pub correct: usize,
    /// Accepted without a person (QA samples included).
    pub auto_accepted: usize,
    /// Accepted without a person **and wrong**.
    pub wrong_auto_accepted: usize,
    /// Sent to blind double entry.
    pub double_entry: usize,
}

impl GroupEval {
    fn add(&mut self, f: &FieldEval) {
        self.fields += 1;
        self.correct += usize::from(f.correct);
        if f.route.is_auto_accepted() {
            self.auto_accepted += 1;
            self.wrong_auto_accepted += usize::from(!f.correct);
        }
        self.double_entry += usize::from(f.route == Route::DoubleEntry);
    }
}

/// The figures of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EvalReport {
    /// Documents read.
    pub documents: usize,
    /// All fields.
    pub total: GroupEval,
    /// By field kind.
    pub by_kind: BTreeMap<String, GroupEval>,
    /// By field id.
    pub by_field: BTreeMap<String, GroupEval>,
    /// Straight-through rates.
    pub straight_through: StraightThrough,
    /// What QA would measure (its samples verified against the truth).
    pub silent_errors: SilentErrors,
    /// The wrong values that were accepted without a person — must be empty.
    pub wrong_auto_accepted: Vec<FieldEval>,
    /// Every field.
    pub fields: Vec<FieldEval>,
}

fn kind_name(k: FieldKind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Compares results with their truth (by document id). Fields absent from a document's
/// truth are skipped.
pub fn evaluate(results: &[DocumentResult], truth: &BTreeMap<String, GroundTruth>) -> EvalReport {
    let mut fields = Vec::new();
    let mut outcomes = Vec::new();
    for doc in results {
        let Some(t) = truth.get(&doc.document_id) else {
            continue;
        };
        for f in &doc.fields {
            let Some(tf) = t.fields.get(&f.field) else {
                continue;
            };
            let value = f.value.as_ref().map(|v| v.as_str().to_owned());
            let correct = value.as_deref() == Some(tf.value.as_str());
            fields.push(FieldEval {
                document_id: doc.document_id.clone(),
                field: f.field.clone(),
                kind: f.kind,
                route: f.decision.route,
                confidence: f.confidence().value(),
                correct,
                value: value.clone(),
                expected: tf.value.clone(),
                blocked: f
                    .decision
                    .reasons
                    .iter()
                    .any(|r| !matches!(r, crate::routing::Reason::LowConfidence { .. })),
            });
            // A person verifying a field types what is on the paper: the truth.
            let verified = match f.decision.route {
                Route::Accepted => None,
                _ => Some(tf.value.clone()),
            };
            outcomes.push(FieldOutcome {
                document_id: doc.document_id.clone(),
                field: f.field.clone(),
                route: f.decision.route,
                engine_value: value,
                verified_value: verified,
            });
        }
    }
    let mut total = GroupEval::default();
    let mut by_kind: BTreeMap<String, GroupEval> = BTreeMap::new();
    let mut by_field: BTreeMap<String, GroupEval> = BTreeMap::new();
    for f in &fields {
        total.add(f);
        by_kind.entry(kind_name(f.kind)).or_default().add(f);
        by_field.entry(f.field.clone()).or_default().add(f);
    }
    EvalReport {
        documents: results.len(),
        total,
        by_kind,
        by_field,
        straight_through: straight_through(&outcomes),
        silent_errors: silent_errors(&outcomes),
        wrong_auto_accepted: fields
            .iter()
            .filter(|f| f.route.is_auto_accepted() && !f.correct)
            .cloned()
            .collect(),
        fields,
    }
}

fn pct(n: usize, d: usize) -> String {
    if d == 0 {
        "-".into()
    } else {
        format!("{:.1}%", 100.0 * n as f64 / d as f64)
    }
}

impl EvalReport {
    /// The report as a plain-text table (Markdown), for the terminal and
    /// `docs/benchmarks.md`.
    pub fn table(&self) -> String {
        let mut s = String::new();
        let t = &self.total;
        let _ = writeln!(s, "documents: {}   fields: {}", self.documents, t.fields);
        let _ = writeln!(
            s,
            "engine field accuracy:        {} ({} / {})",
            pct(t.correct, t.fields),
            t.correct,
            t.fields
        );
        let st = self.straight_through;
        let _ = writeln!(
            s,
            "straight-through (fields):    {} ({} / {})",
            pct(st.fields.count, st.fields.total),
            st.fields.count,
            st.fields.total
        );
        let _ = writeln!(
            s,
            "straight-through (documents): {} ({} / {})",
            pct(st.documents.count, st.documents.total),
            st.documents.count,
            st.documents.total
        );
        let se = self.silent_errors;
        let _ = writeln!(
            s,
            "QA samples: {} verified, {} wrong (silent-error rate {:.2}%, 95% upper bound {:.1}%)",
            se.wrong_of_verified.total,
            se.wrong_of_verified.count,
            100.0 * se.rate,
            100.0 * se.upper_95
        );
        let _ = writeln!(
            s,
            "WRONG VALUES AUTO-ACCEPTED:   {}",
            self.wrong_auto_accepted.len()
        );
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "| kind | fields | engine correct | auto-accepted | wrong auto-accepted | double entry |"
        );
        let _ = writeln!(s, "| --- | ---: | ---: | ---: | ---: | ---: |");
        for (k, g) in &self.by_kind {
            let _ = writeln!(
                s,
                "| {k} | {} | {} | {} | {} | {} |",
                g.fields,
                pct(g.correct, g.fields),
                pct(g.auto_accepted, g.fields),
                g.wrong_auto_accepted,
                g.double_entry
            );
        }
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "| field | fields | engine correct | auto-accepted | wrong auto-accepted |"
        );
        let _ = writeln!(s, "| --- | ---: | ---: | ---: | ---: |");
        for (k, g) in &self.by_field {
            let _ = writeln!(
                s,
                "| {k} | {} | {} | {} | {} |",
                g.fields,
                pct(g.correct, g.fields),
                pct(g.auto_accepted, g.fields),
                g.wrong_auto_accepted
            );
        }
        for w in &self.wrong_auto_accepted {
            let _ = writeln!(
                s,
                "wrong auto-accepted: {} {} (confidence {:.2})",
                w.document_id, w.field, w.confidence
            );
        }
        s
    }

    /// Accepted fields out of all, as a ratio.
    pub fn auto_accepted(&self) -> Ratio {
        Ratio {
            count: self.total.auto_accepted,
            total: self.total.fields,
        }
    }
}

/// Reads generated documents (their stored JPEG pages) with `reader`; the results in the
/// same order.
pub fn read_samples(
    reader: &mut crate::pipeline::Reader,
    docs: &[crate::samples::SampleDocument],
) -> Result<Vec<DocumentResult>, crate::OcrError> {
    let mut out = Vec::with_capacity(docs.len());
    for d in docs {
        let template = crate::template::builtin_by_id(&d.truth.template_id)?;
        let pages = d
            .jpeg_pages
            .iter()
            .map(|j| crate::input::load_pages(j).map(|mut p| p.remove(0)))
            .collect::<Result<Vec<_>, _>>()?;
        out.push(reader.read_document(&d.truth.document_id, &template, pages)?);
    }
    Ok(out)
}
