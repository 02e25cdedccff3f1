#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn g(grade: u8, standard_monthly: i64) -> Grade {
    Grade {
        grade,
        standard_monthly,
    }
}

const TODAY: fn() -> NaiveDate = || d(2025, 4, 1);

/// The table of DOMAIN.md, typed again here so that a slip in the data is caught.
const DOMAIN_HEALTH: [(u8, i64, i64); 50] = [
    (1, 58_000, 0),
    (2, 68_000, 63_000),
    (3, 78_000, 73_000),
    (4, 88_000, 83_000),
    (5, 98_000, 93_000),
    (6, 104_000, 101_000),
    (7, 110_000, 107_000),
    (8, 118_000, 114_000),
    (9, 126_000, 122_000),
    (10, 134_000, 130_000),
    (11, 142_000, 138_000),
    (12, 150_000, 146_000),
    (13, 160_000, 155_000),
    (14, 170_000, 165_000),
    (15, 180_000, 175_000),
    (16, 190_000, 185_000),
    (17, 200_000, 195_000),
    (18, 220_000, 210_000),
    (19, 240_000, 230_000),
    (20, 260_000, 250_000),
    (21, 280_000, 270_000),
    (22, 300_000, 290_000),
    (23, 320_000, 310_000),
    (24, 340_000, 330_000),
    (25, 360_000, 350_000),
    (26, 380_000, 370_000),
    (27, 410_000, 395_000),
    (28, 440_000, 425_000),
    (29, 470_000, 455_000),
    (30, 500_000, 485_000),
    (31, 530_000, 515_000),
    (32, 560_000, 545_000),
    (33, 590_000, 575_000),
    (34, 620_000, 605_000),
    (35, 650_000, 635_000),
    (36, 680_000, 665_000),
    (37, 710_000, 695_000),
    (38, 750_000, 730_000),
    (39, 790_000, 770_000),
    (40, 830_000, 810_000),
    (41, 880_000, 855_000),
    (42, 930_000, 905_000),
    (43, 980_000, 955_000),
    (44, 1_030_000, 1_005_000),
    (45, 1_090_000, 1_055_000),
    (46, 1_150_000, 1_115_000),
    (47, 1_210_000, 1_175_000),
    (48, 1_270_000, 1_235_000),
    (49, 1_330_000, 1_295_000),
    (50, 1_390_000, 1_355_000),
];

#[test]
fn domain_example_157_700() {
    let monthly = 143_700 + 14_000;
    assert_eq!(monthly, 157_700);
    assert_eq!(health_grade(monthly, TODAY()).unwrap(), g(13, 160_000));
    assert_eq!(pension_grade(monthly, TODAY()).unwrap(), g(10, 160_000));
}

#[test]
fn health_table_is_the_domain_table_at_every_edge() {
    let on = TODAY();
    for (i, &(grade, standard, from)) in DOMAIN_HEALTH.iter().enumerate() {
        assert_eq!(
            health_grade(from, on).unwrap(),
            g(grade, standard),
            "{from}"
        );
        assert_eq!(health_grade(from + 1, on).unwrap(), g(grade, standard));
        if let Some(&(_, _, next_from)) = DOMAIN_HEALTH.get(i + 1) {
            assert_eq!(health_grade(next_from - 1, on).unwrap(), g(grade, standard));
        }
        if i > 0 {
            let (pg, ps, _) = DOMAIN_HEALTH[i - 1];
            assert_eq!(health_grade(from - 1, on).unwrap(), g(pg, ps), "{from} - 1");
        }
    }
    let table = RuleSet::builtin().health_grades.at(on).unwrap();
    assert_eq!(table.bands.len(), 50);
    for (band, &(grade, standard, from)) in table.bands.iter().zip(DOMAIN_HEALTH.iter()) {
        assert_eq!(
            (band.grade, band.standard_monthly, band.from),
            (grade, standard, from)
        );
        assert!(!band.unconfirmed);
    }
}

#[test]
fn health_extremes() {
    let on = TODAY();
    assert_eq!(health_grade(0, on).unwrap(), g(1, 58_000));
    assert_eq!(health_grade(62_999, on).unwrap(), g(1, 58_000));
    assert_eq!(health_grade(63_000, on).unwrap(), g(2, 68_000));
    assert_eq!(health_grade(1_354_999, on).unwrap(), g(49, 1_330_000));
    assert_eq!(health_grade(1_355_000, on).unwrap(), g(50, 1_390_000));
    assert_eq!(health_grade(i64::MAX, on).unwrap(), g(50, 1_390_000));
    assert_eq!(
        health_grade(-1, on).unwrap_err(),
        GradeError::NegativeAmount
    );
    assert_eq!(
        health_grade(i64::MIN, on).unwrap_err().code(),
        "grades.negative_amount"
    );
}

#[test]
fn health_table_starts_2016_04() {
    assert!(health_grade(200_000, d(2016, 4, 1)).is_ok());
    let err = health_grade(200_000, d(2016, 3, 31)).unwrap_err();
    assert_eq!(err.code(), "grades.no_table");
    assert_eq!(
        err.to_string(),
        "2016-03-31に適用する短期給付の等級表が登録されていません。日付を確認してください。"
    );
}

#[test]
fn pension_32_grades_since_2020_09() {
    let on = d(2020, 9, 1);
    assert_eq!(pension_grade(0, on).unwrap(), g(1, 88_000));
    assert_eq!(pension_grade(92_999, on).unwrap(), g(1, 88_000));
    assert_eq!(pension_grade(93_000, on).unwrap(), g(2, 98_000));
    assert_eq!(pension_grade(634_999, on).unwrap(), g(31, 620_000));
    assert_eq!(pension_grade(635_000, on).unwrap(), g(32, 650_000));
    assert_eq!(pension_grade(10_000_000, on).unwrap(), g(32, 650_000));
    assert_eq!(
        pension_grade(700_000, d(2020, 8, 31)).unwrap_err(),
        GradeError::NoTable {
            kind: GradeKind::Pension,
            on: d(2020, 8, 31)
        }
    );
}

#[test]
fn pension_grade_k_is_health_grade_k_plus_3() {
    let rules = RuleSet::builtin();
    let health = rules.health_grades.at(TODAY()).unwrap();
    for row in &rules.pension_grades.rows {
        for band in row.value.bands.iter().filter(|b| b.grade >= 2) {
            let h = health.band(band.grade + 3).unwrap();
            assert_eq!(
                (band.standard_monthly, band.from),
                (h.standard_monthly, h.from),
                "pension {} from {}",
                band.grade,
                row.from
            );
        }
    }
}

#[test]
fn scheduled_pension_steps() {
    // Until 2027-08-31: cap 650,000.
    let before = d(2027, 8, 31);
    assert_eq!(pension_grade(700_000, before).unwrap(), g(32, 650_000));
    // 2027-09-01: grade 33 = 680,000 from 665,000.
    let y27 = d(2027, 9, 1);
    assert_eq!(pension_grade(664_999, y27).unwrap(), g(32, 650_000));
    assert_eq!(pension_grade(665_000, y27).unwrap(), g(33, 680_000));
    assert_eq!(pension_grade(800_000, y27).unwrap(), g(33, 680_000));
    assert_eq!(
        pension_grade(800_000, d(2028, 8, 31)).unwrap(),
        g(33, 680_000)
    );
    // 2028-09-01: grade 34 = 710,000 from 695,000.
    let y28 = d(2028, 9, 1);
    assert_eq!(pension_grade(694_999, y28).unwrap(), g(33, 680_000));
    assert_eq!(pension_grade(695_000, y28).unwrap(), g(34, 710_000));
    assert_eq!(
        pension_grade(800_000, d(2029, 8, 31)).unwrap(),
        g(34, 710_000)
    );
    // 2029-09-01: grade 35 = 750,000 from 730,000.
    let y29 = d(2029, 9, 1);
    assert_eq!(pension_grade(729_999, y29).unwrap(), g(34, 710_000));
    assert_eq!(pension_grade(730_000, y29).unwrap(), g(35, 750_000));
    assert_eq!(
        pension_grade(i64::MAX, d(2040, 1, 1)).unwrap(),
        g(35, 750_000)
    );
    // The health table does not change with them.
    assert_eq!(health_grade(730_000, y29).unwrap(), g(38, 750_000));
}

#[test]
fn new_pension_bands_are_marked_unconfirmed() {
    let rules = RuleSet::builtin();
    let band = rules
        .grade_band(GradeKind::Pension, 700_000, d(2027, 9, 1))
        .unwrap();
    assert_eq!(band.grade, 33);
    assert!(band.unconfirmed);
    let band = rules
        .grade_band(GradeKind::Pension, 600_000, d(2030, 1, 1))
        .unwrap();
    assert!(!band.unconfirmed, "grade 30 stays confirmed");
    assert!(
        !rules
            .pension_grades
            .row_at(d(2027, 8, 31))
            .unwrap()
            .unconfirmed
    );
    assert!(
        rules
            .pension_grades
            .row_at(d(2027, 9, 1))
            .unwrap()
            .unconfirmed
    );
    assert!(
        rules
            .pension_grades
            .row_at(d(2029, 9, 1))
            .unwrap()
            .unconfirmed
    );
}

#[test]
fn grade_json_shape() {
    let json = serde_json::to_string(&g(13, 160_000)).unwrap();
    assert_eq!(json, r#"{"grade":13,"standardMonthly":160000}"#);
    assert_eq!(serde_json::to_value(GradeKind::Pension).unwrap(), "pension");
}

fn any_day() -> impl Strategy<Value = NaiveDate> {
    (0i64..6000).prop_map(|n| d(2020, 9, 1) + chrono::Duration::days(n))
}

proptest! {
    #[test]
    fn grades_are_monotonic(a in 0i64..2_000_000, b in 0i64..2_000_000, on in any_day()) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let (h_lo, h_hi) = (health_grade(lo, on).unwrap(), health_grade(hi, on).unwrap());
        prop_assert!(h_lo.grade <= h_hi.grade);
        prop_assert!(h_lo.standard_monthly <= h_hi.standard_monthly);
        let (p_lo, p_hi) = (pension_grade(lo, on).unwrap(), pension_grade(hi, on).unwrap());
        prop_assert!(p_lo.grade <= p_hi.grade);
        prop_assert!(p_lo.standard_monthly <= p_hi.standard_monthly);
    }

    /// The pay lies within the band of its grade: from ≤ pay < next band's from.
    #[test]
    fn pay_lies_in_its_band(pay in 0i64..2_000_000, on in any_day()) {
        let rules = RuleSet::builtin();
        for kind in [GradeKind::Health, GradeKind::Pension] {
            let band = rules.grade_band(kind, pay, on).unwrap();
            prop_assert!(band.from <= pay);
            let table = match kind {
                GradeKind::Health => rules.health_grades.at(on).unwrap(),
                GradeKind::Pension => rules.pension_grades.at(on).unwrap(),
            };
            if let Some(next) = table.band(band.grade + 1) {
                prop_assert!(pay < next.from);
            }
        }
    }
}
