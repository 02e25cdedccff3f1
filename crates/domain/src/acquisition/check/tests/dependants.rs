//! Dependants' eligibility on the acquisition date.

use super::*;
use crate::acquisition::codes;

/// A 45-year-old member (born 1980-05-10) acquiring on `acquired`, with `dependants`.
fn family(acquired: NaiveDate, dependants: Vec<Dependant>) -> AcquisitionForm {
    let mut form = new_hire();
    form.member.birth_date = Some(d(1980, 5, 10));
    form.pension_history.clear();
    form.acquisition.acquired_on = Some(acquired);
    form.office.certified_on = Some(acquired);
    form.dependants = dependants;
    form
}

fn ctx_on(today: NaiveDate) -> CheckContext {
    CheckContext {
        today,
        received_on: None,
    }
}

/// Findings (field, code) for one dependant on 2025-04-01.
fn one(dep: Dependant) -> Vec<(String, &'static str)> {
    fc(&check(&family(d(2025, 4, 1), vec![dep]), &ctx()))
}

fn with_income(mut dep: Dependant, income: i64) -> Dependant {
    dep.annual_income = Some(income);
    dep
}

#[test]
fn a_family_that_qualifies() {
    let mut spouse = dependant(Relationship::Spouse, d(1982, 8, 1));
    spouse.annual_income = Some(1_000_000);
    let child = dependant(Relationship::Child, d(2012, 9, 9));
    let mut parent = dependant(Relationship::Parent, d(1950, 11, 1));
    parent.lives_together = Some(false);
    parent.remittance_recorded = Some(true);
    parent.annual_income = Some(1_700_000);
    let form = family(d(2025, 4, 1), vec![spouse, child, parent]);
    assert_eq!(check_for_submission(&form, &ctx()), vec![]);
}

#[test]
fn general_income_limit_is_strictly_below_1_300_000() {
    let spouse = dependant(Relationship::Spouse, d(1982, 8, 1));
    assert_eq!(one(with_income(spouse.clone(), 1_299_999)), vec![]);
    let findings = check(
        &family(d(2025, 4, 1), vec![with_income(spouse.clone(), 1_300_000)]),
        &ctx(),
    );
    assert_eq!(
        fc(&findings),
        pairs(&[(
            "dependants[0].annualIncome",
            codes::DEPENDANT_INCOME_OVER_LIMIT
        )])
    );
    assert_eq!(findings[0].severity, Severity::Error);
    assert_eq!(
        findings[0].message,
        "年間収入見込み1,300,000円は認定基準（1,300,000円未満）を満たしません。金額を確認し、基準を満たさない方は被扶養者から外してください。"
    );
    assert_eq!(one(with_income(spouse.clone(), 1_300_001)).len(), 1);
    assert_eq!(
        one(with_income(spouse, -1)),
        pairs(&[(
            "dependants[0].annualIncome",
            codes::DEPENDANT_INCOME_NEGATIVE
        )])
    );
}

#[test]
fn sixty_or_over_and_disabled_limit_is_strictly_below_1_800_000() {
    // Born 1965-04-02: 60 is reached on 2025-04-01.
    let parent = dependant(Relationship::Parent, d(1965, 4, 2));
    assert_eq!(one(with_income(parent.clone(), 1_799_999)), vec![]);
    assert_eq!(one(with_income(parent, 1_800_000)).len(), 1);
    // Born 1965-04-03: 59 on 2025-04-01: the general limit.
    let sibling = dependant(Relationship::Sibling, d(1965, 4, 3));
    assert_eq!(one(with_income(sibling.clone(), 1_299_999)), vec![]);
    assert_eq!(one(with_income(sibling, 1_300_000)).len(), 1);
    // Disabled at any age.
    let mut child = dependant(Relationship::Child, d(2010, 1, 1));
    child.disabled = Some(true);
    assert_eq!(one(with_income(child.clone(), 1_799_999)), vec![]);
    assert_eq!(one(with_income(child, 1_800_000)).len(), 1);
}

#[test]
fn young_adult_limit_from_2025_10_01_is_noted_as_unconfirmed() {
    // Born 2005-06-01: 20 on 2025-12-31.
    let child = dependant(Relationship::Child, d(2005, 6, 1));
    let on = d(2025, 10, 1);
    let form = family(on, vec![with_income(child.clone(), 1_499_999)]);
    let a = assess(&form, &ctx_on(on));
    assert_eq!(a.findings, vec![]);
    assert_eq!(
        note_codes(&a),
        vec![
            codes::NOTE_KAIGO_APPLIES,
            codes::NOTE_INCOME_LIMIT_UNCONFIRMED
        ]
    );
    assert_eq!(a.notes[1].field, "dependants[0].annualIncome");
    let form = family(on, vec![with_income(child.clone(), 1_500_000)]);
    assert_eq!(
        fc(&check(&form, &ctx_on(on))),
        pairs(&[(
            "dependants[0].annualIncome",
            codes::DEPENDANT_INCOME_OVER_LIMIT
        )])
    );
    // The day before: the general limit.
    let before = d(2025, 9, 30);
    let form = family(before, vec![with_income(child, 1_300_000)]);
    assert_eq!(check(&form, &ctx_on(before)).len(), 1);
    // Not for the spouse.
    let spouse = dependant(Relationship::Spouse, d(2005, 6, 1));
    let form = family(on, vec![with_income(spouse, 1_400_000)]);
    assert_eq!(check(&form, &ctx_on(on)).len(), 1);
}

#[test]
fn living_apart_needs_recorded_remittance() {
    for rel in [
        Relationship::Spouse,
        Relationship::CommonLawSpouse,
        Relationship::Child,
        Relationship::Parent,
        Relationship::Grandchild,
        Relationship::Grandparent,
        Relationship::Sibling,
    ] {
        let birth = match rel {
            Relationship::Parent => d(1955, 1, 1),
            Relationship::Grandparent => d(1952, 1, 1),
            Relationship::Child | Relationship::Grandchild => d(2010, 1, 1),
            _ => d(1985, 1, 1),
        };
        let mut dep = dependant(rel, birth);
        dep.lives_together = Some(false);
        dep.remittance_recorded = Some(false);
        assert_eq!(
            one(dep.clone()),
            pairs(&[(
                "dependants[0].remittanceRecorded",
                codes::DEPENDANT_REMITTANCE_REQUIRED
            )]),
            "{rel:?}"
        );
        dep.remittance_recorded = Some(true);
        assert_eq!(one(dep.clone()), vec![], "{rel:?}");
        // Not answered yet: nothing while typing, required on submission.
        dep.remittance_recorded = None;
        assert_eq!(one(dep.clone()), vec![], "{rel:?}");
        let form = family(d(2025, 4, 1), vec![dep]);
        assert_eq!(
            fc(&check_for_submission(&form, &ctx())),
            pairs(&[("dependants[0].remittanceRecorded", codes::REQUIRED)])
        );
    }
}

#[test]
fn other_relatives_must_live_in_the_same_household() {
    for rel in [
        Relationship::OtherRelative,
        Relationship::CommonLawSpouseParentOrChild,
    ] {
        let mut dep = dependant(rel, d(1990, 1, 1));
        assert_eq!(one(dep.clone()), vec![]);
        dep.lives_together = Some(false);
        dep.remittance_recorded = Some(true); // remittance does not help
        let findings = check(&family(d(2025, 4, 1), vec![dep]), &ctx());
        assert_eq!(
            fc(&findings),
            pairs(&[(
                "dependants[0].livesTogether",
                codes::DEPENDANT_SAME_HOUSEHOLD_REQUIRED
            )])
        );
        assert!(findings[0].message.contains(rel.name_ja()));
    }
}

#[test]
fn residence_abroad_is_a_warning() {
    let mut dep = dependant(Relationship::Child, d(2005, 6, 1));
    dep.resides_in_japan = Some(false);
    let findings = check(&family(d(2025, 4, 1), vec![dep]), &ctx());
    assert_eq!(
        fc(&findings),
        pairs(&[(
            "dependants[0].residesInJapan",
            codes::DEPENDANT_OUTSIDE_JAPAN
        )])
    );
    assert_eq!(findings[0].severity, Severity::Warning);
}

#[test]
fn late_elderly_dependants_are_not_eligible() {
    let mut dep = dependant(Relationship::Parent, d(1955, 1, 1));
    dep.late_elderly_insured = Some(true);
    assert_eq!(
        one(dep),
        pairs(&[(
            "dependants[0].lateElderlyInsured",
            codes::DEPENDANT_LATE_ELDERLY_INSURED
        )])
    );
    // 75 is reached on 2025-04-01 by someone born 1950-04-02.
    let dep = dependant(Relationship::Parent, d(1950, 4, 2));
    assert_eq!(
        one(dep),
        pairs(&[("dependants[0].birthDate", codes::DEPENDANT_AGED_75)])
    );
    let dep = dependant(Relationship::Parent, d(1950, 4, 3));
    assert_eq!(one(dep), vec![]);
}

#[test]
fn late_elderly_answer_is_required_from_65() {
    // Born 1960-04-02: 65 on 2025-04-01.
    let mut dep = dependant(Relationship::Parent, d(1960, 4, 2));
    dep.late_elderly_insured = None;
    let form = family(d(2025, 4, 1), vec![dep.clone()]);
    assert_eq!(
        fc(&check_for_submission(&form, &ctx())),
        pairs(&[("dependants[0].lateElderlyInsured", codes::REQUIRED)])
    );
    dep.birth_date = Some(d(1960, 4, 3));
    let form = family(d(2025, 4, 1), vec![dep]);
    assert_eq!(check_for_submission(&form, &ctx()), vec![]);
}

#[test]
fn only_one_spouse() {
    let form = family(
        d(2025, 4, 1),
        vec![
            dependant(Relationship::Spouse, d(1982, 1, 1)),
            dependant(Relationship::Child, d(2012, 1, 1)),
            dependant(Relationship::CommonLawSpouse, d(1983, 1, 1)),
        ],
    );
    assert_eq!(
        fc(&check(&form, &ctx())),
        pairs(&[(
            "dependants[2].relationship",
            codes::DEPENDANT_MULTIPLE_SPOUSES
        )])
    );
}

#[test]
fn ages_must_fit_the_relationship() {
    // The member was born 1980-05-10.
    let findings = check(
        &family(
            d(2025, 4, 1),
            vec![
                dependant(Relationship::Child, d(1979, 1, 1)),
                dependant(Relationship::Parent, d(1990, 1, 1)),
                dependant(Relationship::Sibling, d(1990, 1, 1)),
            ],
        ),
        &ctx(),
    );
    assert_eq!(
        fc(&findings),
        pairs(&[
            ("dependants[0].birthDate", codes::DEPENDANT_AGE_INCONSISTENT),
            ("dependants[1].birthDate", codes::DEPENDANT_AGE_INCONSISTENT),
        ])
    );
    assert!(findings.iter().all(|f| f.severity == Severity::Warning));
}

#[test]
fn born_after_the_acquisition_date() {
    let dep = dependant(Relationship::Child, d(2025, 4, 2));
    let form = family(d(2025, 4, 1), vec![dep]);
    let findings = check(&form, &ctx());
    assert_eq!(
        fc(&findings),
        pairs(&[(
            "dependants[0].birthDate",
            codes::DEPENDANT_BIRTH_AFTER_ACQUISITION
        )])
    );
}

#[test]
fn no_dependants_without_short_term_benefits_or_at_75() {
    let mut form = family(
        d(2025, 4, 1),
        vec![dependant(Relationship::Spouse, d(1982, 1, 1))],
    );
    form.acquisition.member_type = Some(MemberType::LongTerm);
    let findings = check(&form, &ctx());
    assert_eq!(
        fc(&findings),
        pairs(&[("dependants[0]", codes::DEPENDANT_NOT_APPLICABLE)])
    );
    assert!(findings[0].message.starts_with("長期組合員には"));

    let mut form = family(
        d(2025, 4, 1),
        vec![dependant(Relationship::Spouse, d(1952, 1, 1))],
    );
    form.member.birth_date = Some(d(1950, 1, 1));
    form.acquisition.member_type = None;
    let codes_found: Vec<_> = check(&form, &ctx()).iter().map(|f| f.code).collect();
    assert_eq!(
        codes_found,
        vec![
            codes::MEMBER_LATE_ELDERLY,
            codes::DEPENDANT_MEMBER_LATE_ELDERLY
        ]
    );
}

#[test]
fn dependant_kana_is_checked() {
    let mut dep = dependant(Relationship::Child, d(2012, 1, 1));
    dep.name_kana = Some("Hanako".into());
    assert_eq!(
        one(dep),
        pairs(&[("dependants[0].nameKana", codes::KANA_NOT_KATAKANA)])
    );
}

#[test]
fn submission_requires_each_dependant_row() {
    let form = family(d(2025, 4, 1), vec![Dependant::default()]);
    assert_eq!(
        fc(&check_for_submission(&form, &ctx())),
        pairs(&[
            ("dependants[0].name", codes::REQUIRED),
            ("dependants[0].nameKana", codes::REQUIRED),
            ("dependants[0].relationship", codes::REQUIRED),
            ("dependants[0].birthDate", codes::REQUIRED),
            ("dependants[0].livesTogether", codes::REQUIRED),
            ("dependants[0].annualIncome", codes::REQUIRED),
            ("dependants[0].residesInJapan", codes::REQUIRED),
        ])
    );
}
