//! Checks of the pay components, and the grades they give.

use super::{codes, Run};
use crate::acquisition::form::MemberType;
use crate::finding::Finding;
use crate::grades::GradeKind;
use crate::remuneration::{monthly_remuneration, GradesError, RemunerationError};
use crate::rules::yen;

pub(super) fn check_pay(run: &mut Run<'_>) {
    let input = &run.form.remuneration;
    // Empty fields are for check_for_submission to report.
    let problems: Vec<RemunerationError> = input
        .problems()
        .into_iter()
        .filter(|p| {
            !matches!(
                p,
                RemunerationError::MissingSalary | RemunerationError::MissingPeriodDays
            )
        })
        .collect();
    if !problems.is_empty() {
        for p in &problems {
            run.findings.push(Finding::from_error(
                format!("remuneration.{}", p.field()),
                p,
            ));
        }
        return;
    }
    let (Some(salary), Ok(monthly)) = (input.salary, monthly_remuneration(input)) else {
        return;
    };
    if salary == 0 {
        run.warning(
            "remuneration.salary",
            codes::REMUNERATION_SALARY_ZERO,
            "給料が0円になっています。給料表・級号給による給料の額を入力してください。",
        );
    }
    if let Some(limits) = run.rules.plausibility.at(run.ctx.today).copied() {
        if monthly >= limits.max_monthly {
            run.warning(
                "remuneration.salary",
                codes::REMUNERATION_IMPLAUSIBLE,
                format!(
                    "報酬月額が{}になります。金額の桁を確認してください。",
                    yen(monthly)
                ),
            );
        }
    }
    let Some(acquired) = run.acquired_on() else {
        return;
    };
    if run.form.acquisition.member_type == Some(MemberType::VoluntaryContinued) {
        return;
    }
    let rules = run.rules;
    match rules.grades_for(input, acquired, run.birth().filter(|b| *b < acquired)) {
        Ok(grades) => {
            run.grades = Some(grades);
            let unconfirmed = grades.pension.is_some()
                && rules
                    .grade_band(GradeKind::Pension, monthly, acquired)
                    .is_ok_and(|b| b.unconfirmed);
            if unconfirmed {
                run.note(
                    "grades.pension",
                    codes::NOTE_GRADE_UNCONFIRMED,
                    "厚生年金の等級は、上限引上げ後の推定の等級表（要確認）によるものです。",
                );
            }
        }
        Err(GradesError::Grade(e)) => {
            run.warning("acquisition.acquiredOn", e.code(), e.to_string());
        }
        Err(GradesError::Remuneration(_)) => {}
    }
}
