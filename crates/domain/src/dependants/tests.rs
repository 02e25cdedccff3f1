#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn limit(rel: Relationship, birth: NaiveDate, disabled: bool, on: NaiveDate) -> AppliedIncomeLimit {
    dependant_income_limit(Some(rel), Some(birth), disabled, on).unwrap()
}

const ON: fn() -> NaiveDate = || d(2025, 10, 1);

#[test]
fn general_limit_is_strictly_below_1_300_000() {
    let l = limit(Relationship::Spouse, d(1990, 5, 5), false, ON());
    assert_eq!(l.basis, LimitBasis::General);
    assert_eq!((l.annual_below, l.monthly_below), (1_300_000, 108_334));
    assert!(!l.unconfirmed);
    assert!(l.admits(1_299_999));
    assert!(!l.admits(1_300_000));
    assert!(!l.admits(1_300_001));
    assert!(l.admits(0));
    assert_eq!(l.describe_ja(), "1,300,000円未満");
}

#[test]
fn sixty_is_reached_the_day_before_the_birthday() {
    let birth = d(1965, 10, 2); // 60 on 2025-10-01
    let l = limit(Relationship::Parent, birth, false, d(2025, 9, 30));
    assert_eq!(l.basis, LimitBasis::General);
    let l = limit(Relationship::Parent, birth, false, d(2025, 10, 1));
    assert_eq!(l.basis, LimitBasis::ElderlyOrDisabled);
    assert_eq!((l.annual_below, l.monthly_below), (1_800_000, 150_000));
    assert!(l.admits(1_799_999));
    assert!(!l.admits(1_800_000));
}

#[test]
fn disability_gives_the_higher_limit_at_any_age() {
    for rel in [Relationship::Child, Relationship::Spouse] {
        let l = limit(rel, d(2010, 1, 1), true, ON());
        assert_eq!(l.basis, LimitBasis::ElderlyOrDisabled);
        assert_eq!(l.annual_below, 1_800_000);
    }
    // A disabled 20-year-old child: 1,800,000 beats 1,500,000.
    let l = limit(Relationship::Child, d(2005, 6, 1), true, ON());
    assert_eq!(l.annual_below, 1_800_000);
}

#[test]
fn young_adults_from_2025_10_01_by_age_on_31_december() {
    let young = |birth, on| limit(Relationship::Child, birth, false, on);
    // Born 2007-01-01: 19 is reached on 2025-12-31.
    let l = young(d(2007, 1, 1), ON());
    assert_eq!(l.basis, LimitBasis::YoungAdult);
    assert_eq!((l.annual_below, l.monthly_below), (1_500_000, 125_000));
    assert!(l.unconfirmed, "要確認 for this association");
    assert!(l.admits(1_499_999));
    assert!(!l.admits(1_500_000));
    // Born 2007-01-02: still 18 on 2025-12-31.
    assert_eq!(young(d(2007, 1, 2), ON()).basis, LimitBasis::General);
    // Born 2003-01-02: 22 on 2025-12-31 (23 on 2026-01-01).
    assert_eq!(young(d(2003, 1, 2), ON()).basis, LimitBasis::YoungAdult);
    // Born 2003-01-01: 23 on 2025-12-31.
    assert_eq!(young(d(2003, 1, 1), ON()).basis, LimitBasis::General);
    // Not before 2025-10-01.
    let l = young(d(2005, 6, 1), d(2025, 9, 30));
    assert_eq!(l.basis, LimitBasis::General);
    assert!(!l.unconfirmed);
    // The age on 31 December counts, not the age on the day: 18 on 2025-10-01, 19 by the end of the year.
    assert_eq!(young(d(2006, 11, 1), ON()).basis, LimitBasis::YoungAdult);
}

#[test]
fn young_adult_limit_is_not_for_spouses() {
    for rel in Relationship::ALL {
        let l = limit(rel, d(2005, 6, 1), false, ON());
        let expected = if rel.is_spouse() {
            LimitBasis::General
        } else {
            LimitBasis::YoungAdult
        };
        assert_eq!(l.basis, expected, "{rel:?}");
    }
}

#[test]
fn incomplete_rows_get_the_limits_that_can_be_known() {
    let l = dependant_income_limit(None, None, false, ON()).unwrap();
    assert_eq!(l.basis, LimitBasis::General);
    let l = dependant_income_limit(None, None, true, ON()).unwrap();
    assert_eq!(l.basis, LimitBasis::ElderlyOrDisabled);
    // Unknown relationship: the young-adult limit (not for spouses) is not assumed.
    let l = dependant_income_limit(None, Some(d(2005, 6, 1)), false, ON()).unwrap();
    assert_eq!(l.basis, LimitBasis::General);
    let l = dependant_income_limit(None, Some(d(1950, 6, 1)), false, ON()).unwrap();
    assert_eq!(l.basis, LimitBasis::ElderlyOrDisabled);
    // No general limit recorded: no answer.
    let mut rules = RuleSet::builtin().clone();
    rules.dependant_income_general.rows[0].from = d(2030, 1, 1);
    assert!(rules
        .dependant_income_limit(Some(Relationship::Child), Some(d(2005, 6, 1)), false, ON())
        .is_none());
}

#[test]
fn household_rules_by_relationship() {
    use HouseholdRule::*;
    let rules: Vec<(Relationship, HouseholdRule)> = Relationship::ALL
        .iter()
        .map(|r| (*r, r.household()))
        .collect();
    assert_eq!(
        rules,
        vec![
            (Relationship::Spouse, ApartWithRemittance),
            (Relationship::CommonLawSpouse, ApartWithRemittance),
            (Relationship::Child, ApartWithRemittance),
            (Relationship::Parent, ApartWithRemittance),
            (Relationship::Grandchild, ApartWithRemittance),
            (Relationship::Grandparent, ApartWithRemittance),
            (Relationship::Sibling, ApartWithRemittance),
            (Relationship::OtherRelative, SameHousehold),
            (Relationship::CommonLawSpouseParentOrChild, SameHousehold),
        ]
    );
}

#[test]
fn recognition_date_within_30_days_is_the_event_date() {
    let rules = RuleSet::builtin();
    let event = d(2025, 4, 1);
    assert_eq!(rules.recognition_date(event, d(2025, 3, 20)), Some(event));
    assert_eq!(rules.recognition_date(event, event), Some(event));
    assert_eq!(rules.recognition_date(event, d(2025, 5, 1)), Some(event));
    assert_eq!(
        rules.recognition_date(event, d(2025, 5, 2)),
        Some(d(2025, 5, 2))
    );
}

#[test]
fn json_names() {
    let names: Vec<String> = Relationship::ALL
        .iter()
        .map(|r| {
            serde_json::to_value(r)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        names,
        vec![
            "spouse",
            "commonLawSpouse",
            "child",
            "parent",
            "grandchild",
            "grandparent",
            "sibling",
            "otherRelative",
            "commonLawSpouseParentOrChild"
        ]
    );
    let l = limit(Relationship::Child, d(2007, 1, 1), false, ON());
    assert_eq!(
        serde_json::to_value(l).unwrap(),
        serde_json::json!({"basis": "youngAdult", "annualBelow": 1500000, "monthlyBelow": 125000, "unconfirmed": true})
    );
}
