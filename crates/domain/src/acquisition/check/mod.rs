//! Checks of a 資格取得届.
//!
//! Two modes:
//!
//! - [`check`] runs as the clerk types. It reports only what is wrong in what has been
//!   filled in: an empty field is never a finding.
//! - [`check_for_submission`] adds a [`codes::REQUIRED`] error (or a more specific code)
//!   for every field the notification needs before it can be submitted.
//!
//! Errors block submission; warnings must be acknowledged ([`super::ack`]). Beside the
//! findings, [`assess`] gives [`Note`]s — facts the clerk should see but need not act on
//! (介護掛金 applies, no 厚生年金 from 70, a 要確認 rule was used) — and the grades
//! computed from the pay components.
//!
//! Every `field` is a path into the form's JSON: `"member.myNumber"`,
//! `"dependants[1].annualIncome"`, `"pensionHistory[0].lostOn"`.
//!
//! Dates that depend on the day of checking take it from [`CheckContext::today`]; the
//! filing deadline is measured to [`CheckContext::received_on`], else the form's 受付日,
//! else today (so a draft typed late already says it is late).

use chrono::NaiveDate;
use serde::Serialize;

use super::ack::can_submit;
use super::codes;
use super::form::AcquisitionForm;
use crate::age_rules::AgeStatus;
use crate::finding::Finding;
use crate::remuneration::GradeResult;
use crate::rules::RuleSet;

mod dependants;
mod history;
mod member;
mod pay;
mod required;

/// What the check needs besides the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckContext {
    /// Today (the checks read no clock).
    pub today: NaiveDate,
    /// The day the association received the notification, when it has.
    pub received_on: Option<NaiveDate>,
}

/// Whether empty required fields are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckMode {
    /// While typing: only what is wrong in what is filled in.
    AsYouType,
    /// Before submission: also every empty required field.
    Submission,
}

/// Something the clerk should know that is not a problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    /// The field it is about.
    pub field: String,
    /// A stable code from [`codes::NOTE_CODES`].
    pub code: &'static str,
    /// Short Japanese text.
    pub message: String,
}

/// Everything the form screen shows beside the fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Assessment {
    /// Errors and warnings.
    pub findings: Vec<Finding>,
    /// Facts to show, not to act on.
    pub notes: Vec<Note>,
    /// 報酬月額 and grades, once the pay and the acquisition date are filled in.
    pub grades: Option<GradeResult>,
    /// The last day those grades apply.
    pub grade_valid_until: Option<NaiveDate>,
}

/// The state of one run of the checks.
pub(super) struct Run<'a> {
    form: &'a AcquisitionForm,
    ctx: &'a CheckContext,
    rules: &'a RuleSet,
    findings: Vec<Finding>,
    notes: Vec<Note>,
    grades: Option<GradeResult>,
    /// The member's coverage on the acquisition date, when both dates are known.
    member_status: Option<AgeStatus>,
}

impl Run<'_> {
    fn error(&mut self, field: impl Into<String>, code: &'static str, message: impl Into<String>) {
        self.findings.push(Finding::error(field, code, message));
    }

    fn warning(
        &mut self,
        field: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
    ) {
        self.findings.push(Finding::warning(field, code, message));
    }

    fn note(&mut self, field: impl Into<String>, code: &'static str, message: impl Into<String>) {
        self.notes.push(Note {
            field: field.into(),
            code,
            message: message.into(),
        });
    }

    fn acquired_on(&self) -> Option<NaiveDate> {
        self.form.acquisition.acquired_on
    }

    fn birth(&self) -> Option<NaiveDate> {
        self.form.member.birth_date
    }
}

/// Text that is filled in: trimmed, not empty.
fn filled(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// Everything [`check`] or [`check_for_submission`] finds, with notes and grades, using
/// the given rule data.
pub fn assess_with(
    form: &AcquisitionForm,
    ctx: &CheckContext,
    rules: &RuleSet,
    mode: CheckMode,
) -> Assessment {
    let mut run = Run {
        form,
        ctx,
        rules,
        findings: Vec::new(),
        notes: Vec::new(),
        grades: None,
        member_status: None,
    };
    member::check_office(&mut run);
    member::check_member(&mut run);
    member::check_acquisition(&mut run);
    member::check_employment(&mut run);
    pay::check_pay(&mut run);
    history::check_history(&mut run);
    dependants::check_dependants(&mut run);
    if mode == CheckMode::Submission {
        required::check_required(&mut run);
    }
    let grade_valid_until = run
        .grades
        .and(form.acquisition.acquired_on)
        .and_then(|d| rules.grade_valid_until(d));
    Assessment {
        findings: run.findings,
        notes: run.notes,
        grades: run.grades,
        grade_valid_until,
    }
}

/// Findings, notes and grades while typing, by the built-in rules.
pub fn assess(form: &AcquisitionForm, ctx: &CheckContext) -> Assessment {
    assess_with(form, ctx, RuleSet::builtin(), CheckMode::AsYouType)
}

/// Findings while typing: only what is wrong in what is filled in.
pub fn check(form: &AcquisitionForm, ctx: &CheckContext) -> Vec<Finding> {
    assess(form, ctx).findings
}

/// Findings before submission: [`check`] plus every empty required field.
pub fn check_for_submission(form: &AcquisitionForm, ctx: &CheckContext) -> Vec<Finding> {
    assess_with(form, ctx, RuleSet::builtin(), CheckMode::Submission).findings
}

/// Whether the form may be submitted: no error in [`check_for_submission`] and every
/// warning acknowledged on the form.
pub fn ready_for_submission(form: &AcquisitionForm, ctx: &CheckContext) -> bool {
    can_submit(&check_for_submission(form, ctx), &form.acknowledgements)
}

#[cfg(test)]
mod tests;
