//! Age rules at acquisition (age N is reached the day before the N-th birthday).

use super::*;
use crate::acquisition::codes;

/// `new_hire` born on `birth`, with no earlier pension periods.
fn born(birth: NaiveDate) -> AcquisitionForm {
    let mut form = new_hire();
    form.member.birth_date = Some(birth);
    form.pension_history.clear();
    form
}

#[test]
fn seventy_five_on_the_acquisition_date_cannot_join_short_term_benefits() {
    // Acquired 2025-04-01. Born 1950-04-02: 75 is reached on 2025-04-01.
    let form = born(d(1950, 4, 2));
    let a = assess(&form, &ctx());
    assert_eq!(
        fc(&a.findings),
        pairs(&[("acquisition.memberType", codes::MEMBER_LATE_ELDERLY)])
    );
    assert_eq!(a.findings[0].severity, Severity::Error);
    assert_eq!(
        a.findings[0].message,
        "資格取得時に75歳のため後期高齢者医療の対象となり、短期給付の組合員にはなりません。組合員種別を「長期組合員」（知事は「知事長期組合員」）にしてください。"
    );
    // A day younger: 74, no error (but no 厚生年金 either).
    let a = assess(&born(d(1950, 4, 3)), &ctx());
    assert_eq!(a.findings, vec![]);
    assert_eq!(
        note_codes(&a),
        vec![codes::NOTE_PENSION_NOT_APPLICABLE, codes::NOTE_KAIGO_ENDED]
    );
    // As 長期組合員 the 75-year-old is fine.
    let mut form = born(d(1950, 4, 2));
    form.acquisition.member_type = Some(MemberType::LongTerm);
    let a = assess(&form, &ctx());
    assert_eq!(a.findings, vec![]);
    assert_eq!(
        note_codes(&a),
        vec![
            codes::NOTE_PENSION_NOT_APPLICABLE,
            codes::NOTE_NO_SHORT_TERM
        ]
    );
    // The type not chosen yet: the age problem is still reported.
    let mut form = born(d(1950, 4, 2));
    form.acquisition.member_type = None;
    assert_eq!(
        severity_of(&check(&form, &ctx()), codes::MEMBER_LATE_ELDERLY),
        Some(Severity::Error)
    );
}

#[test]
fn seventy_ends_pension_membership_on_the_day_it_is_reached() {
    // Born 1955-04-02: 70 on 2025-04-01.
    let a = assess(&born(d(1955, 4, 2)), &ctx());
    assert_eq!(a.findings, vec![]);
    assert_eq!(
        note_codes(&a),
        vec![codes::NOTE_PENSION_NOT_APPLICABLE, codes::NOTE_KAIGO_ENDED]
    );
    assert_eq!(
        a.notes[0].message,
        "資格取得時に70歳のため、厚生年金の被保険者にはなりません（70歳以上）。"
    );
    let g = a.grades.unwrap();
    assert_eq!(g.pension, None);
    assert_eq!(g.health.grade, 13);
    // Born 1955-04-03: 69, still in 厚生年金.
    let a = assess(&born(d(1955, 4, 3)), &ctx());
    assert!(a.grades.unwrap().pension.is_some());
    assert_eq!(note_codes(&a), vec![codes::NOTE_KAIGO_ENDED]);
}

#[test]
fn kaigo_from_the_month_containing_the_day_40_is_reached() {
    // Born 1985-04-30: 40 on 2025-04-29, so April 2025 is due although 39 on 04-01.
    let a = assess(&born(d(1985, 4, 30)), &ctx());
    assert_eq!(note_codes(&a), vec![codes::NOTE_KAIGO_APPLIES]);
    assert_eq!(a.notes[0].field, "member.birthDate");
    // Born 1985-05-02: 40 on 2025-05-01: not due for April.
    assert_eq!(
        note_codes(&assess(&born(d(1985, 5, 2)), &ctx())),
        Vec::<&str>::new()
    );
}

#[test]
fn kaigo_stops_in_the_month_containing_the_day_65_is_reached() {
    // Born 1960-04-30: 65 on 2025-04-29: April is no longer due.
    assert_eq!(
        note_codes(&assess(&born(d(1960, 4, 30)), &ctx())),
        vec![codes::NOTE_KAIGO_ENDED]
    );
    // Born 1960-05-02: 65 on 2025-05-01: April still due.
    assert_eq!(
        note_codes(&assess(&born(d(1960, 5, 2)), &ctx())),
        vec![codes::NOTE_KAIGO_APPLIES]
    );
}

#[test]
fn no_kaigo_note_without_short_term_benefits() {
    let mut form = born(d(1980, 1, 1));
    form.acquisition.member_type = Some(MemberType::ContinuedLongTerm);
    assert_eq!(
        note_codes(&assess(&form, &ctx())),
        vec![codes::NOTE_NO_SHORT_TERM]
    );
}

#[test]
fn voluntary_continued_members_get_no_grades_and_a_note() {
    let mut form = born(d(1980, 1, 1));
    form.acquisition.member_type = Some(MemberType::VoluntaryContinued);
    let a = assess(&form, &ctx());
    assert!(a.grades.is_none());
    assert_eq!(
        note_codes(&a),
        vec![codes::NOTE_KAIGO_APPLIES, codes::NOTE_VOLUNTARY_CONTINUED]
    );
}

#[test]
fn very_young_members_get_a_warning() {
    // Born 2010-04-02: 15 is reached on 2025-04-01, the acquisition date.
    assert_eq!(check(&born(d(2010, 4, 2)), &ctx()), vec![]);
    let findings = check(&born(d(2010, 4, 3)), &ctx());
    assert_eq!(
        fc(&findings),
        pairs(&[("member.birthDate", codes::MEMBER_UNDER_MINIMUM_AGE)])
    );
    assert_eq!(findings[0].severity, Severity::Warning);
    assert_eq!(
        findings[0].message,
        "資格取得時の年齢が14歳になります。生年月日と資格取得年月日を確認してください。"
    );
}

#[test]
fn no_age_rule_before_2008_is_noted() {
    let mut form = born(d(1950, 1, 1));
    form.acquisition.acquired_on = Some(d(2008, 3, 31));
    let ctx = CheckContext {
        today: d(2008, 4, 1),
        received_on: None,
    };
    let a = assess(&form, &ctx);
    assert!(note_codes(&a).contains(&codes::NOTE_NO_AGE_RULE));
    assert_eq!(severity_of(&a.findings, codes::MEMBER_LATE_ELDERLY), None);
}
