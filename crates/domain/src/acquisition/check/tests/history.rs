//! 年金加入期間.

use super::*;
use crate::acquisition::codes;

fn period(kind: PensionScheme, from: NaiveDate, lost: NaiveDate) -> PensionPeriod {
    PensionPeriod {
        kind: Some(kind),
        kind_detail: None,
        acquired_on: Some(from),
        lost_on: Some(lost),
    }
}

fn with_history(periods: Vec<PensionPeriod>) -> Vec<(String, &'static str)> {
    let mut form = new_hire(); // born 2002-06-15, acquired 2025-04-01
    form.pension_history = periods;
    fc(&check(&form, &ctx()))
}

#[test]
fn consecutive_periods_are_fine() {
    // 国民年金 from 20, 厚生年金 at a private firm, then this acquisition.
    let findings = with_history(vec![
        period(
            PensionScheme::NationalPension,
            d(2022, 6, 14),
            d(2023, 4, 1),
        ),
        period(
            PensionScheme::EmployeesPension,
            d(2023, 4, 1),
            d(2025, 4, 1),
        ),
    ]);
    assert_eq!(findings, vec![]);
}

#[test]
fn lost_before_acquired_is_an_error_and_equal_is_allowed() {
    assert_eq!(
        with_history(vec![period(
            PensionScheme::EmployeesPension,
            d(2024, 4, 1),
            d(2024, 3, 31)
        )]),
        pairs(&[(
            "pensionHistory[0].lostOn",
            codes::PENSION_HISTORY_LOST_BEFORE_ACQUIRED
        )])
    );
    assert_eq!(
        with_history(vec![period(
            PensionScheme::EmployeesPension,
            d(2024, 4, 1),
            d(2024, 4, 1)
        )]),
        vec![]
    );
}

#[test]
fn a_period_before_birth_is_an_error() {
    assert_eq!(
        with_history(vec![period(
            PensionScheme::NationalPension,
            d(2002, 6, 14),
            d(2003, 1, 1)
        )]),
        pairs(&[(
            "pensionHistory[0].acquiredOn",
            codes::PENSION_HISTORY_BEFORE_BIRTH
        )])
    );
}

#[test]
fn overlapping_periods_are_a_warning() {
    let findings = {
        let mut form = new_hire();
        form.pension_history = vec![
            period(
                PensionScheme::EmployeesPension,
                d(2023, 4, 1),
                d(2024, 4, 1),
            ),
            period(PensionScheme::LocalMutualAid, d(2024, 4, 1), d(2025, 4, 1)),
            period(
                PensionScheme::NationalPension,
                d(2024, 3, 31),
                d(2024, 4, 2),
            ),
        ];
        check(&form, &ctx())
    };
    assert_eq!(
        fc(&findings),
        pairs(&[(
            "pensionHistory[2].acquiredOn",
            codes::PENSION_HISTORY_OVERLAP
        )])
    );
    assert_eq!(findings[0].severity, Severity::Warning);
    assert_eq!(
        findings[0].message,
        "1行目の加入期間と重なっています。取得日・喪失日を確認してください。"
    );
}

#[test]
fn a_period_running_past_this_acquisition_is_a_warning() {
    assert_eq!(
        with_history(vec![period(
            PensionScheme::EmployeesPension,
            d(2023, 4, 1),
            d(2025, 4, 2)
        )]),
        pairs(&[(
            "pensionHistory[0].lostOn",
            codes::PENSION_HISTORY_AFTER_ACQUISITION
        )])
    );
    // Only the 取得日 known yet, and it is after this acquisition.
    let mut p = period(
        PensionScheme::EmployeesPension,
        d(2025, 4, 1),
        d(2025, 4, 1),
    );
    p.lost_on = None;
    assert_eq!(
        with_history(vec![p.clone()]),
        pairs(&[(
            "pensionHistory[0].acquiredOn",
            codes::PENSION_HISTORY_AFTER_ACQUISITION
        )])
    );
    p.acquired_on = Some(d(2025, 3, 31));
    assert_eq!(with_history(vec![p]), vec![]);
}
