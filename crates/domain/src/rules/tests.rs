#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn rows() -> Vec<Effective<&'static str>> {
    // Deliberately out of order.
    vec![
        Effective {
            from: d(2025, 10, 1),
            value: "new",
            unconfirmed: true,
        },
        Effective {
            from: d(2020, 1, 1),
            value: "old",
            unconfirmed: false,
        },
    ]
}

#[test]
fn effective_at_picks_the_latest_row_not_after_the_date() {
    let rows = rows();
    assert!(effective_at(&rows, d(2019, 12, 31)).is_none());
    assert_eq!(effective_at(&rows, d(2020, 1, 1)).unwrap().value, "old");
    assert_eq!(effective_at(&rows, d(2025, 9, 30)).unwrap().value, "old");
    assert_eq!(effective_at(&rows, d(2025, 10, 1)).unwrap().value, "new");
    assert_eq!(effective_at(&rows, NaiveDate::MAX).unwrap().value, "new");
    let table = RuleTable {
        id: "t".into(),
        name_ja: "t".into(),
        source_ja: "s".into(),
        rows,
    };
    assert_eq!(table.at(d(2025, 10, 1)), Some(&"new"));
    assert!(table.row_at(d(2025, 10, 1)).unwrap().unconfirmed);
    assert!(!table.row_at(d(2025, 9, 30)).unwrap().unconfirmed);
    assert!(table.unconfirmed());
}

#[test]
fn builtin_rules_are_valid() {
    RuleSet::builtin().validate().unwrap();
}

#[test]
fn catalogue_lists_every_table_with_its_marks() {
    let catalogue = rule_catalogue();
    let ids: Vec<(&str, bool)> = catalogue
        .iter()
        .map(|r| (r.id.as_str(), r.unconfirmed))
        .collect();
    assert_eq!(
        ids,
        vec![
            ("grades.health", false),
            ("grades.pension", true),
            ("grades.acquisition_validity", false),
            ("acquisition.filing_deadline", true),
            ("ages.thresholds", false),
            ("dependants.income_general", false),
            ("dependants.income_elderly_or_disabled", false),
            ("dependants.income_young_adult", true),
            ("dependants.recognition_window", false),
            ("checks.plausibility", false),
            ("procurement.small_amount_ceilings", true),
            ("procurement.contract_document", true),
            ("procurement.payment_delay", false),
            ("tax.consumption_rates", false),
        ]
    );
    for info in &catalogue {
        assert!(!info.name_ja.is_empty() && !info.source_ja.is_empty());
        assert!(!info.rows.is_empty());
        assert!(info.rows.windows(2).all(|w| w[0].from < w[1].from));
    }
    let pension = &catalogue[1];
    let marks: Vec<(NaiveDate, bool)> = pension
        .rows
        .iter()
        .map(|r| (r.from, r.unconfirmed))
        .collect();
    assert_eq!(
        marks,
        vec![
            (d(2020, 9, 1), false),
            (d(2027, 9, 1), true),
            (d(2028, 9, 1), true),
            (d(2029, 9, 1), true),
        ]
    );
    assert_eq!(
        pension.rows[0].summary_ja,
        "32等級：第1級 88,000円（93,000円未満）〜第32級 650,000円（635,000円以上）"
    );
    assert_eq!(
        pension.rows[3].summary_ja,
        "35等級：第1級 88,000円（93,000円未満）〜第35級 750,000円（730,000円以上）（第33・34・35級の範囲は要確認）"
    );
    assert_eq!(
        catalogue[5].rows[0].summary_ja,
        "年収1,300,000円未満（月額108,334円未満）"
    );
    let young = &catalogue[7];
    assert_eq!(young.rows[0].summary_ja, "適用なし");
    assert!(!young.rows[0].unconfirmed);
    assert_eq!(young.rows[1].from, d(2025, 10, 1));
    assert!(young.rows[1].unconfirmed);
}

#[test]
fn catalogue_json_shape() {
    let info = &rule_catalogue()[2];
    let json = serde_json::to_value(info).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "id": "grades.acquisition_validity",
            "nameJa": "資格取得時の標準報酬の有効期間",
            "sourceJa": "地方公務員等共済組合法（資格取得時決定）",
            "unconfirmed": false,
            "rows": [{
                "from": "1900-01-01",
                "unconfirmed": false,
                "summaryJa": "1月〜5月の取得はその年の8月末まで、6月〜12月の取得は翌年8月末まで"
            }]
        })
    );
}

#[test]
fn rule_set_round_trips_through_json() {
    let rules = RuleSet::builtin();
    let json = serde_json::to_string(rules).unwrap();
    let back: RuleSet = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, rules);
}

#[test]
fn validate_reports_broken_data() {
    let mut rules = RuleSet::builtin().clone();
    rules.health_grades.rows[0].value.bands.swap(3, 4);
    rules.filing_deadline.rows.clear();
    let first = rules.age_thresholds.rows[0].clone();
    rules.age_thresholds.rows.push(first);
    rules.grade_validity.rows[0].value.valid_through_month = 13;
    rules.dependant_income_general.rows[0].value.annual_below = 0;
    let problems = rules.validate().unwrap_err();
    let tables: Vec<&str> = problems.iter().map(|p| p.table.as_str()).collect();
    assert_eq!(
        tables,
        vec![
            "grades.health",
            "grades.acquisition_validity",
            "acquisition.filing_deadline",
            "ages.thresholds",
            "dependants.income_general",
        ]
    );
    assert_eq!(
        problems[0].to_string(),
        "規定データ「grades.health」：2016-04-01 からの行：4行目の等級が5です。等級は1から順に並べてください。"
    );
    assert_eq!(problems[0].code(), "rules.invalid");
    for p in &problems {
        assert!(p.message.ends_with('。'), "{p}");
    }
}

#[test]
fn grade_table_check_catches_each_kind_of_slip() {
    let band = |grade, standard_monthly, from| GradeBand {
        grade,
        standard_monthly,
        from,
        unconfirmed: false,
    };
    let t = |bands| GradeTable { bands };
    assert!(t(vec![]).check().is_err());
    assert!(t(vec![band(1, 58_000, 1)]).check().is_err());
    assert!(t(vec![band(1, 58_000, 0), band(2, 68_000, 0)])
        .check()
        .is_err());
    assert!(t(vec![band(1, 70_000, 0), band(2, 68_000, 63_000)])
        .check()
        .is_err());
    assert!(t(vec![band(1, 58_000, 0), band(2, 60_000, 63_000)])
        .check()
        .is_err());
    assert!(t(vec![band(1, 58_000, 0), band(2, 68_000, 63_000)])
        .check()
        .is_ok());
}

#[test]
fn yen_formatting() {
    assert_eq!(yen(0), "0円");
    assert_eq!(yen(999), "999円");
    assert_eq!(yen(1_000), "1,000円");
    assert_eq!(yen(108_334), "108,334円");
    assert_eq!(yen(1_300_000), "1,300,000円");
    assert_eq!(yen(-1_500), "-1,500円");
    assert_eq!(yen(i64::MIN), "-9,223,372,036,854,775,808円");
}
