//! `kyosai acquisition check FILE`: the checks of a 資格取得届 before submission.
//!
//! Input: a JSON file holding one form or an array of forms (the app's JSON shape,
//! camelCase). Output: `{"forms": [{"index", "findings": [...], "notes": [...],
//! "grades": ...}], "errors": n, "warnings": n}`.

use std::path::Path;

use chrono::NaiveDate;
use kyosai_domain::acquisition::{
    assess_with, normalize, AcquisitionForm, CheckContext, CheckMode,
};
use kyosai_domain::rules::RuleSet;
use kyosai_domain::Severity;
use serde_json::json;

use crate::Output;

/// Why the input could not be read (exit 2).
#[derive(Debug)]
pub struct Unreadable(pub String);

pub fn check(path: &Path, today: NaiveDate) -> Result<Output, Unreadable> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Unreadable(format!(
            "{} を読み取れません（{e}）。ファイルの場所と文字コード（UTF-8）を確認してください。",
            path.display()
        ))
    })?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        Unreadable(format!(
            "{} は JSON として読めません（{e}）。形式を確認してください。",
            path.display()
        ))
    })?;
    let items = match value {
        serde_json::Value::Array(items) => items,
        one => vec![one],
    };
    let rules = RuleSet::builtin();
    let ctx = CheckContext {
        today,
        received_on: None,
    };
    let mut forms = Vec::with_capacity(items.len());
    let (mut errors, mut warnings) = (0usize, 0usize);
    for (index, item) in items.into_iter().enumerate() {
        let mut form: AcquisitionForm = serde_json::from_value(item).map_err(|e| {
            Unreadable(format!(
                "{} 件目の届出の形式が正しくありません（{e}）。",
                index + 1
            ))
        })?;
        normalize(&mut form);
        let a = assess_with(&form, &ctx, rules, CheckMode::Submission);
        errors += a
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        warnings += a
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .count();
        forms.push(json!({
            "index": index,
            "findings": a.findings,
            "notes": a.notes,
            "grades": a.grades.map(|g| json!({
                "monthly": g.monthly,
                "health": { "grade": g.health.grade, "standardMonthly": g.health.standard_monthly },
                "pension": g.pension.map(|p| json!({ "grade": p.grade, "standardMonthly": p.standard_monthly })),
            })),
            "gradeValidUntil": a.grade_valid_until.map(|d| d.format("%Y-%m-%d").to_string()),
        }));
    }
    Ok(Output {
        json: json!({ "forms": forms, "errors": errors, "warnings": warnings }),
        valid: errors == 0,
    })
}
