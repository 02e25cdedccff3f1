//! The rule data shipped with the app: the values of `DOMAIN.md` §1. Change numbers here
//! (or load a replacement [`RuleSet`]) — nowhere else.

use std::sync::OnceLock;

use chrono::NaiveDate;

use super::values::{
    AgeIncomeLimit, AgeThresholds, FilingDeadline, GradeBand, GradeTable, GradeValidity,
    IncomeLimit, Plausibility, RecognitionWindow, YoungAdultIncomeLimit,
};
use super::{Effective, RuleSet, RuleTable};

/// A date in the tables below. A bad literal fails the build, not a clerk's form.
const fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("invalid date in the rule data"),
    }
}

/// The `from` of rules in force since before any record this app handles; the day they
/// were introduced is not modelled.
pub(crate) const LONG_STANDING: NaiveDate = ymd(1900, 1, 1);

/// 短期給付 標準報酬月額, 50 grades: (等級, 月額, 下限).
const HEALTH_50: [(u8, i64, i64); 50] = [
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

/// 厚生年金 標準報酬月額, 32 grades since 2020-09: (等級, 月額, 下限).
const PENSION_32: [(u8, i64, i64); 32] = [
    (1, 88_000, 0),
    (2, 98_000, 93_000),
    (3, 104_000, 101_000),
    (4, 110_000, 107_000),
    (5, 118_000, 114_000),
    (6, 126_000, 122_000),
    (7, 134_000, 130_000),
    (8, 142_000, 138_000),
    (9, 150_000, 146_000),
    (10, 160_000, 155_000),
    (11, 170_000, 165_000),
    (12, 180_000, 175_000),
    (13, 190_000, 185_000),
    (14, 200_000, 195_000),
    (15, 220_000, 210_000),
    (16, 240_000, 230_000),
    (17, 260_000, 250_000),
    (18, 280_000, 270_000),
    (19, 300_000, 290_000),
    (20, 320_000, 310_000),
    (21, 340_000, 330_000),
    (22, 360_000, 350_000),
    (23, 380_000, 370_000),
    (24, 410_000, 395_000),
    (25, 440_000, 425_000),
    (26, 470_000, 455_000),
    (27, 500_000, 485_000),
    (28, 530_000, 515_000),
    (29, 560_000, 545_000),
    (30, 590_000, 575_000),
    (31, 620_000, 605_000),
    (32, 650_000, 635_000),
];

/// The scheduled 厚生年金 steps: (from, 等級, 月額, 下限). The caps are enacted; the bands'
/// lower bounds are presumed (要確認).
const PENSION_STEPS: [(NaiveDate, u8, i64, i64); 3] = [
    (ymd(2027, 9, 1), 33, 680_000, 665_000),
    (ymd(2028, 9, 1), 34, 710_000, 695_000),
    (ymd(2029, 9, 1), 35, 750_000, 730_000),
];

/// Used by [`crate::remuneration::grade_valid_until`] should the table have no row.
pub(crate) const GRADE_VALIDITY: GradeValidity = GradeValidity {
    next_year_from_month: 6,
    valid_through_month: 8,
};

fn bands(rows: &[(u8, i64, i64)]) -> Vec<GradeBand> {
    rows.iter()
        .map(|&(grade, standard_monthly, from)| GradeBand {
            grade,
            standard_monthly,
            from,
            unconfirmed: false,
        })
        .collect()
}

fn table<T>(id: &str, name_ja: &str, source_ja: &str, rows: Vec<Effective<T>>) -> RuleTable<T> {
    RuleTable {
        id: id.to_owned(),
        name_ja: name_ja.to_owned(),
        source_ja: source_ja.to_owned(),
        rows,
    }
}

fn row<T>(from: NaiveDate, value: T) -> Effective<T> {
    Effective {
        from,
        value,
        unconfirmed: false,
    }
}

fn pension_rows() -> Vec<Effective<GradeTable>> {
    let mut current = bands(&PENSION_32);
    let mut rows = vec![row(
        ymd(2020, 9, 1),
        GradeTable {
            bands: current.clone(),
        },
    )];
    for (from, grade, standard_monthly, lower) in PENSION_STEPS {
        current.push(GradeBand {
            grade,
            standard_monthly,
            from: lower,
            unconfirmed: true,
        });
        rows.push(Effective {
            from,
            value: GradeTable {
                bands: current.clone(),
            },
            unconfirmed: true,
        });
    }
    rows
}

fn build() -> RuleSet {
    RuleSet {
        health_grades: table(
            "grades.health",
            "短期給付の標準報酬月額（50等級）",
            "地方公務員等共済組合法・健康保険法の等級表（50等級は平成28年4月から）",
            vec![row(
                ymd(2016, 4, 1),
                GradeTable {
                    bands: bands(&HEALTH_50),
                },
            )],
        ),
        pension_grades: table(
            "grades.pension",
            "厚生年金の標準報酬月額",
            "厚生年金保険法の等級表（32等級は令和2年9月から）。令和9年9月以降の上限引上げ（68万・71万・75万円）は法定、新等級の下限（66.5万・69.5万・73万円）は推定値で要確認",
            pension_rows(),
        ),
        grade_validity: table(
            "grades.acquisition_validity",
            "資格取得時の標準報酬の有効期間",
            "地方公務員等共済組合法（資格取得時決定）",
            vec![row(LONG_STANDING, GRADE_VALIDITY)],
        ),
        filing_deadline: table(
            "acquisition.filing_deadline",
            "資格取得届の届出期限",
            "組合員資格取得届の提出期限（事実発生から5日以内）。休日による期限の延長は扱っていません（要確認）",
            vec![Effective {
                from: LONG_STANDING,
                value: FilingDeadline { days: 5 },
                unconfirmed: true,
            }],
        ),
        age_thresholds: table(
            "ages.thresholds",
            "年齢による適用（介護掛金・厚生年金・後期高齢者医療）",
            "介護保険法、厚生年金保険法、高齢者の医療の確保に関する法律（年齢計算ニ関スル法律により誕生日の前日に加算）",
            vec![row(
                ymd(2008, 4, 1),
                AgeThresholds {
                    kaigo_from: 40,
                    kaigo_until: 65,
                    pension_until: 70,
                    late_elderly_from: 75,
                    late_elderly_disability_from: 65,
                },
            )],
        ),
        dependant_income_general: table(
            "dependants.income_general",
            "被扶養者の収入限度額（一般）",
            "被扶養者の認定基準（年間収入は今後1年間の見込み、非課税収入を含む）",
            vec![row(
                LONG_STANDING,
                IncomeLimit {
                    annual_below: 1_300_000,
                    monthly_below: 108_334,
                },
            )],
        ),
        dependant_income_elderly_or_disabled: table(
            "dependants.income_elderly_or_disabled",
            "被扶養者の収入限度額（60歳以上・障害者）",
            "被扶養者の認定基準（障害年金を受けられる程度の障害がある方を含む）",
            vec![row(
                LONG_STANDING,
                AgeIncomeLimit {
                    from_age: 60,
                    annual_below: 1_800_000,
                    monthly_below: 150_000,
                },
            )],
        ),
        dependant_income_young_adult: table(
            "dependants.income_young_adult",
            "被扶養者の収入限度額（19歳以上23歳未満）",
            "令和7年10月1日からの被扶養者認定基準（健康保険の取扱い）。当組合での適用は要確認",
            vec![
                row(LONG_STANDING, None),
                Effective {
                    from: ymd(2025, 10, 1),
                    value: Some(YoungAdultIncomeLimit {
                        from_age: 19,
                        under_age: 23,
                        annual_below: 1_500_000,
                        monthly_below: 125_000,
                    }),
                    unconfirmed: true,
                },
            ],
        ),
        dependant_recognition: table(
            "dependants.recognition_window",
            "被扶養者の認定日",
            "被扶養者の認定基準（届出が事実発生から30日以内なら事実発生日）",
            vec![row(LONG_STANDING, RecognitionWindow { days: 30 })],
        ),
        plausibility: table(
            "checks.plausibility",
            "入力誤りの確認に使う目安",
            "アプリの入力確認用の目安（法令ではありません）",
            vec![row(
                LONG_STANDING,
                Plausibility {
                    max_days_ahead: 365,
                    min_member_age: 15,
                    max_monthly: 3_000_000,
                },
            )],
        ),
    }
}

pub(super) fn builtin() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(build)
}
