#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn pay(salary: i64) -> RemunerationInput {
    RemunerationInput {
        salary: Some(salary),
        ..Default::default()
    }
}

/// A new 主事 at 東京都: 行政職給料表(一) 1級, with the usual allowances.
fn new_staff() -> RemunerationInput {
    RemunerationInput {
        pay_basis: Some(PayBasis::Monthly),
        salary: Some(196_500),
        regional_allowance: Some(39_300),
        dependants_allowance: None,
        housing_allowance: Some(15_000),
        commuting_allowance: Some(61_200),
        commuting_months: Some(6),
        other_allowances: vec![OtherAllowance {
            name: Some("特殊勤務手当（定額）".into()),
            amount: Some(3_000),
        }],
        projected_overtime: Some(20_000),
        excluded_bonus: Some(450_000),
        excluded_over_three_months: Some(50_000),
        ..Default::default()
    }
}

#[test]
fn domain_example() {
    let input = RemunerationInput {
        salary: Some(143_700),
        commuting_allowance: Some(14_000),
        ..Default::default()
    };
    assert_eq!(monthly_remuneration(&input), Ok(157_700));
    let r = grades_for(&input, d(2025, 4, 1), Some(d(2003, 5, 10))).unwrap();
    assert_eq!(r.monthly, 157_700);
    assert_eq!(
        r.health,
        Grade {
            grade: 13,
            standard_monthly: 160_000
        }
    );
    assert_eq!(
        r.pension,
        Some(Grade {
            grade: 10,
            standard_monthly: 160_000
        })
    );
}

#[test]
fn all_fixed_allowances_count_and_bonuses_do_not() {
    // 196,500 + 39,300 + 15,000 + 61,200/6 + 3,000 + 20,000 = 284,000.
    assert_eq!(monthly_remuneration(&new_staff()), Ok(284_000));
    let mut without_excluded = new_staff();
    without_excluded.excluded_bonus = None;
    without_excluded.excluded_over_three_months = None;
    assert_eq!(monthly_remuneration(&without_excluded), Ok(284_000));
    let r = grades_for(&new_staff(), d(2025, 4, 1), None).unwrap();
    assert_eq!(r.health.grade, 21);
    assert_eq!(r.pension.unwrap().grade, 18);
}

#[test]
fn commuting_for_several_months_is_floored_per_month() {
    let mut input = pay(0);
    input.commuting_allowance = Some(100_000);
    input.commuting_months = Some(6);
    assert_eq!(monthly_remuneration(&input), Ok(16_666));
    input.commuting_months = Some(1);
    assert_eq!(monthly_remuneration(&input), Ok(100_000));
    input.commuting_months = None;
    assert_eq!(monthly_remuneration(&input), Ok(100_000));
    input.commuting_months = Some(0);
    assert_eq!(
        monthly_remuneration(&input),
        Err(RemunerationError::ZeroCommutingMonths)
    );
}

#[test]
fn weekly_daily_and_period_pay_are_amount_times_30_over_days_floored() {
    let mut input = pay(70_000);
    input.pay_basis = Some(PayBasis::Weekly);
    assert_eq!(monthly_remuneration(&input), Ok(300_000));
    input.salary = Some(70_001);
    // 70,001 × 30 / 7 = 300,004.28… → 300,004.
    assert_eq!(monthly_remuneration(&input), Ok(300_004));
    input.salary = Some(70_006);
    // 300,025.71… → 300,025 (floored, not rounded).
    assert_eq!(monthly_remuneration(&input), Ok(300_025));

    let mut input = pay(9_800);
    input.pay_basis = Some(PayBasis::Daily);
    assert_eq!(monthly_remuneration(&input), Ok(294_000));

    let mut input = pay(100_000);
    input.pay_basis = Some(PayBasis::OtherPeriod);
    input.period_days = Some(14);
    // 100,000 × 30 / 14 = 214,285.71… → 214,285.
    assert_eq!(monthly_remuneration(&input), Ok(214_285));
    input.period_days = Some(0);
    assert_eq!(
        monthly_remuneration(&input),
        Err(RemunerationError::ZeroPeriodDays)
    );
    input.period_days = None;
    assert_eq!(
        monthly_remuneration(&input),
        Err(RemunerationError::MissingPeriodDays)
    );
    // The days only matter for otherPeriod.
    input.pay_basis = Some(PayBasis::Monthly);
    assert_eq!(monthly_remuneration(&input), Ok(100_000));
}

#[test]
fn allowances_are_added_to_converted_weekly_pay() {
    let mut input = pay(70_001);
    input.pay_basis = Some(PayBasis::Weekly);
    input.housing_allowance = Some(10_000);
    assert_eq!(monthly_remuneration(&input), Ok(310_004));
}

#[test]
fn problems_name_their_fields() {
    let input = RemunerationInput {
        salary: None,
        regional_allowance: Some(-1),
        other_allowances: vec![
            OtherAllowance::default(),
            OtherAllowance {
                name: None,
                amount: Some(-5),
            },
        ],
        excluded_bonus: Some(-1),
        commuting_months: Some(0),
        pay_basis: Some(PayBasis::OtherPeriod),
        ..Default::default()
    };
    let problems = input.problems();
    let fields: Vec<(String, &str)> = problems.iter().map(|p| (p.field(), p.code())).collect();
    assert_eq!(
        fields,
        vec![
            ("salary".into(), "remuneration.missing_salary"),
            ("regionalAllowance".into(), "remuneration.negative"),
            ("otherAllowances[1].amount".into(), "remuneration.negative"),
            ("excludedBonus".into(), "remuneration.negative"),
            ("periodDays".into(), "remuneration.missing_period_days"),
            (
                "commutingMonths".into(),
                "remuneration.zero_commuting_months"
            ),
        ]
    );
    assert_eq!(
        monthly_remuneration(&input),
        Err(RemunerationError::MissingSalary)
    );
    assert_eq!(monthly_remuneration(&pay(0)), Ok(0));
    assert_eq!(
        monthly_remuneration(&pay(-1)).unwrap_err().code(),
        "remuneration.negative"
    );
}

#[test]
fn overflow_is_an_error_not_a_panic() {
    let mut input = pay(i64::MAX);
    input.housing_allowance = Some(1);
    assert_eq!(
        monthly_remuneration(&input),
        Err(RemunerationError::Overflow)
    );
    let mut input = pay(i64::MAX / 29);
    input.pay_basis = Some(PayBasis::Daily);
    assert_eq!(
        monthly_remuneration(&input),
        Err(RemunerationError::Overflow)
    );
    assert_eq!(monthly_remuneration(&pay(i64::MAX)), Ok(i64::MAX));
}

#[test]
fn no_pension_grade_from_the_day_70_is_reached() {
    let input = pay(300_000);
    let birth = d(1955, 6, 15); // 70 on 2025-06-14
    let r = grades_for(&input, d(2025, 6, 13), Some(birth)).unwrap();
    assert_eq!(
        r.pension,
        Some(Grade {
            grade: 19,
            standard_monthly: 300_000
        })
    );
    let r = grades_for(&input, d(2025, 6, 14), Some(birth)).unwrap();
    assert_eq!(r.pension, None);
    assert_eq!(
        r.health,
        Grade {
            grade: 22,
            standard_monthly: 300_000
        }
    );
}

#[test]
fn grades_for_reports_missing_tables() {
    let err = grades_for(&pay(300_000), d(2020, 8, 31), None).unwrap_err();
    assert_eq!(err.code(), "grades.no_table");
    let err = grades_for(&RemunerationInput::default(), d(2025, 4, 1), None).unwrap_err();
    assert_eq!(err.code(), "remuneration.missing_salary");
}

#[test]
fn grade_validity_turns_on_june_first() {
    assert_eq!(grade_valid_until(d(2025, 1, 1)), d(2025, 8, 31));
    assert_eq!(grade_valid_until(d(2025, 4, 1)), d(2025, 8, 31));
    assert_eq!(grade_valid_until(d(2025, 5, 31)), d(2025, 8, 31));
    assert_eq!(grade_valid_until(d(2025, 6, 1)), d(2026, 8, 31));
    assert_eq!(grade_valid_until(d(2025, 9, 1)), d(2026, 8, 31));
    assert_eq!(grade_valid_until(d(2025, 12, 31)), d(2026, 8, 31));
    assert_eq!(grade_valid_until(d(2024, 2, 29)), d(2024, 8, 31));
    assert_eq!(grade_valid_until(NaiveDate::MAX), NaiveDate::MAX);
    // Before the table's first row the built-in rule still applies.
    assert_eq!(grade_valid_until(d(1899, 7, 1)), d(1900, 8, 31));
}

#[test]
fn json_shape() {
    let input = RemunerationInput {
        pay_basis: Some(PayBasis::OtherPeriod),
        period_days: Some(14),
        salary: Some(100_000),
        ..Default::default()
    };
    let json = serde_json::to_value(&input).unwrap();
    assert_eq!(json["payBasis"], "otherPeriod");
    assert_eq!(json["periodDays"], 14);
    assert_eq!(json["excludedOverThreeMonths"], serde_json::Value::Null);
    // Missing keys are empty.
    let back: RemunerationInput = serde_json::from_str(r#"{"salary":100000}"#).unwrap();
    assert_eq!(back, pay(100_000));
    let r = grades_for(&pay(157_700), d(2025, 4, 1), None).unwrap();
    assert_eq!(
        serde_json::to_value(r).unwrap(),
        serde_json::json!({
            "monthly": 157700,
            "health": {"grade": 13, "standardMonthly": 160000},
            "pension": {"grade": 10, "standardMonthly": 160000}
        })
    );
}

proptest! {
    #[test]
    fn weekly_pay_matches_the_exact_fraction(amount in 0i64..10_000_000) {
        let mut input = pay(amount);
        input.pay_basis = Some(PayBasis::Weekly);
        let m = monthly_remuneration(&input).unwrap();
        // m = floor(30a / 7): 7m ≤ 30a < 7(m + 1).
        prop_assert!(7 * m <= 30 * amount && 30 * amount < 7 * (m + 1));
    }

    #[test]
    fn excluded_amounts_never_change_the_total(
        salary in 0i64..2_000_000,
        bonus in proptest::option::of(0i64..5_000_000),
        other in proptest::option::of(0i64..5_000_000),
    ) {
        let mut input = pay(salary);
        let base = monthly_remuneration(&input).unwrap();
        input.excluded_bonus = bonus;
        input.excluded_over_three_months = other;
        prop_assert_eq!(monthly_remuneration(&input).unwrap(), base);
    }

    #[test]
    fn validity_ends_on_a_31_august_within_15_months(n in 0i64..40_000) {
        let acquired = d(1990, 1, 1) + chrono::Duration::days(n);
        let until = grade_valid_until(acquired);
        prop_assert_eq!((until.month(), until.day()), (8, 31));
        prop_assert!(until >= acquired);
        prop_assert!((until - acquired).num_days() <= 457);
        prop_assert!(until.year() - acquired.year() <= 1);
    }
}
