//! The whole form: complete, empty, partly filled; deadline, dates, pay, JSON, redaction.

use super::*;
use crate::acquisition::ack::Acknowledgement;
use crate::acquisition::codes;
use crate::acquisition::normalize;
use crate::grades::Grade;

#[test]
fn a_complete_correct_form_has_no_findings() {
    let form = new_hire();
    assert_eq!(check(&form, &ctx()), vec![]);
    assert_eq!(check_for_submission(&form, &ctx()), vec![]);
    assert!(ready_for_submission(&form, &ctx()));
    let a = assess(&form, &ctx());
    let grades = a.grades.unwrap();
    assert_eq!(grades.monthly, 157_700);
    assert_eq!(
        grades.health,
        Grade {
            grade: 13,
            standard_monthly: 160_000
        }
    );
    assert_eq!(
        grades.pension,
        Some(Grade {
            grade: 10,
            standard_monthly: 160_000
        })
    );
    assert_eq!(a.grade_valid_until, Some(d(2025, 8, 31)));
    assert!(a.notes.is_empty(), "{:?}", a.notes);
}

#[test]
fn an_empty_draft_is_not_nagged_while_typing() {
    let form = AcquisitionForm::default();
    let a = assess(&form, &ctx());
    assert_eq!(a.findings, vec![]);
    assert!(a.grades.is_none() && a.grade_valid_until.is_none());
    // Empty strings and blank numbers count as empty too.
    let mut form = AcquisitionForm::default();
    form.member.name_kana = Some("　".into());
    form.member.my_number = Some(MyNumberText::new(" "));
    form.member.postal_code = Some(String::new());
    form.dependants.push(Dependant::default());
    form.pension_history.push(PensionPeriod::default());
    form.remuneration.other_allowances.push(Default::default());
    assert_eq!(check(&form, &ctx()), vec![]);
}

#[test]
fn submission_lists_every_required_field() {
    let findings = check_for_submission(&AcquisitionForm::default(), &ctx());
    assert!(findings.iter().all(|f| f.severity == Severity::Error));
    assert_eq!(
        fc(&findings),
        pairs(&[
            ("office.code", codes::REQUIRED),
            ("office.name", codes::REQUIRED),
            ("member.name", codes::REQUIRED),
            ("member.nameKana", codes::REQUIRED),
            ("member.birthDate", codes::REQUIRED),
            ("member.sex", codes::REQUIRED),
            ("member.postalCode", codes::REQUIRED),
            ("member.address", codes::REQUIRED),
            ("member.myNumber", codes::MEMBER_ID_NUMBER_REQUIRED),
            ("acquisition.acquiredOn", codes::REQUIRED),
            ("acquisition.reason", codes::REQUIRED),
            ("acquisition.memberType", codes::REQUIRED),
            ("acquisition.appointment", codes::REQUIRED),
            ("employment.jobTitle", codes::REQUIRED),
            ("employment.salaryTable", codes::REQUIRED),
            ("employment.salaryClass", codes::REQUIRED),
            ("employment.salaryStep", codes::REQUIRED),
            ("remuneration.salary", codes::REQUIRED),
        ])
    );
    assert_eq!(
        findings[0].message,
        "所属所番号が入力されていません。所属所番号を入力してください。"
    );
    assert_eq!(
        findings[5].message,
        "性別が選ばれていません。性別を選んでください。"
    );
}

#[test]
fn conditional_required_fields() {
    let mut form = new_hire();
    form.acquisition.reason = Some(AcquisitionReason::Other);
    form.acquisition.appointment = Some(Appointment::FixedTerm);
    form.remuneration.pay_basis = Some(crate::remuneration::PayBasis::OtherPeriod);
    form.pension_history[0].kind = Some(PensionScheme::Other);
    form.member.my_number = None; // 基礎年金番号 is enough.
    let findings = check_for_submission(&form, &ctx());
    assert_eq!(
        fc(&findings),
        pairs(&[
            ("acquisition.reasonDetail", codes::REQUIRED),
            ("acquisition.termStart", codes::REQUIRED),
            ("acquisition.termEnd", codes::REQUIRED),
            ("remuneration.periodDays", codes::REQUIRED),
            ("pensionHistory[0].kindDetail", codes::REQUIRED),
        ])
    );
    // 再任用 has no 号給; 任意継続組合員 report no post or pay.
    let mut form = new_hire();
    form.acquisition.appointment = Some(Appointment::Reappointment);
    form.acquisition.term_start = Some(d(2025, 4, 1));
    form.acquisition.term_end = Some(d(2026, 3, 31));
    form.employment.salary_step = None;
    assert_eq!(check_for_submission(&form, &ctx()), vec![]);
    let mut form = new_hire();
    form.acquisition.member_type = Some(MemberType::VoluntaryContinued);
    form.employment = EmploymentSection::default();
    form.remuneration = RemunerationInput::default();
    assert_eq!(check_for_submission(&form, &ctx()), vec![]);
}

#[test]
fn identifiers_are_checked_with_their_check_digits() {
    let mut form = new_hire();
    form.member.my_number = Some(MyNumberText::new("123456789012"));
    form.member.basic_pension_number = Some("1234-56789".into());
    form.member.postal_code = Some("163-800".into());
    form.office.code = Some("12a".into());
    form.member.name_kana = Some("山田　たろう".into());
    let findings = check(&form, &ctx());
    assert_eq!(
        fc(&findings),
        pairs(&[
            ("office.code", codes::OFFICE_CODE_FORMAT),
            ("member.nameKana", codes::KANA_NOT_KATAKANA),
            ("member.myNumber", codes::MY_NUMBER_CHECK_DIGIT),
            ("member.basicPensionNumber", codes::PENSION_NUMBER_FORMAT),
            ("member.postalCode", codes::POSTAL_CODE_FORMAT),
        ])
    );
    // Full-width and hiragana input is accepted as typed (normalised on save).
    let mut form = new_hire();
    form.member.my_number = Some(MyNumberText::new("１２３４ ５６７８ ９０１８"));
    form.member.name_kana = Some("やまだ　たろう".into());
    form.member.postal_code = Some("〒1638001".into());
    assert_eq!(check(&form, &ctx()), vec![]);
}

#[test]
fn five_day_deadline_counts_from_the_day_after_acquisition() {
    let form = new_hire(); // acquired 2025-04-01
    let late = |received: NaiveDate| {
        let ctx = CheckContext {
            today: d(2025, 5, 1),
            received_on: Some(received),
        };
        check(&form, &ctx)
    };
    assert_eq!(late(d(2025, 3, 15)), vec![], "advance filing is allowed");
    assert_eq!(late(d(2025, 4, 1)), vec![]);
    assert_eq!(late(d(2025, 4, 6)), vec![], "day 5 is on time");
    let findings = late(d(2025, 4, 7));
    assert_eq!(
        fc(&findings),
        pairs(&[("acquisition.lateReason", codes::ACQUISITION_LATE_FILING)])
    );
    assert_eq!(findings[0].severity, Severity::Warning);
    assert_eq!(
        findings[0].message,
        "届出期限（資格取得日から5日以内）を過ぎています。遅延理由を記入してください。"
    );
}

#[test]
fn deadline_falls_back_to_the_form_receipt_date_then_today() {
    let mut form = new_hire();
    let on = |today| CheckContext {
        today,
        received_on: None,
    };
    assert_eq!(check(&form, &on(d(2025, 4, 6))), vec![]);
    assert_eq!(
        severity_of(
            &check(&form, &on(d(2025, 4, 7))),
            codes::ACQUISITION_LATE_FILING
        ),
        Some(Severity::Warning)
    );
    form.office.received_on = Some(d(2025, 4, 6));
    assert_eq!(check(&form, &on(d(2025, 4, 30))), vec![]);
    // The context's date wins over the form's.
    let ctx = CheckContext {
        today: d(2025, 4, 30),
        received_on: Some(d(2025, 4, 8)),
    };
    assert_eq!(fc(&check(&form, &ctx)).len(), 1);
}

#[test]
fn a_late_notification_needs_a_reason_and_an_acknowledgement() {
    let mut form = new_hire();
    let ctx = CheckContext {
        today: d(2025, 4, 10),
        received_on: None,
    };
    let findings = check_for_submission(&form, &ctx);
    assert_eq!(
        fc(&findings),
        pairs(&[
            ("acquisition.lateReason", codes::ACQUISITION_LATE_FILING),
            ("acquisition.lateReason", codes::REQUIRED),
        ])
    );
    assert!(!ready_for_submission(&form, &ctx));
    form.acquisition.late_reason = Some("採用関係書類の到着が遅れたため".into());
    let findings = check_for_submission(&form, &ctx);
    assert_eq!(
        fc(&findings),
        pairs(&[("acquisition.lateReason", codes::ACQUISITION_LATE_FILING)])
    );
    assert!(
        !ready_for_submission(&form, &ctx),
        "the warning is not acknowledged yet"
    );
    form.acknowledgements
        .push(Acknowledgement::of(&findings[0]));
    assert!(ready_for_submission(&form, &ctx));
}

#[test]
fn short_term_members_use_another_form() {
    let mut form = new_hire();
    form.acquisition.member_type = Some(MemberType::ShortTerm);
    let findings = check(&form, &ctx());
    assert_eq!(
        fc(&findings),
        pairs(&[(
            "acquisition.memberType",
            codes::ACQUISITION_SHORT_TERM_MEMBER
        )])
    );
    assert_eq!(findings[0].severity, Severity::Error);
    assert!(findings[0].message.contains("短期組合員用の資格取得届"));
}

#[test]
fn date_sanity() {
    let mut form = new_hire();
    form.pension_history.clear();
    form.member.birth_date = Some(d(2025, 4, 1));
    assert_eq!(
        fc(&check(&form, &ctx())),
        pairs(&[("member.birthDate", codes::MEMBER_BIRTH_AFTER_ACQUISITION)])
    );
    form.member.birth_date = Some(d(2025, 4, 4));
    assert_eq!(
        fc(&check(&form, &ctx())),
        pairs(&[("member.birthDate", codes::MEMBER_BIRTH_IN_FUTURE)])
    );
    form.member.birth_date = Some(d(1868, 1, 24));
    let codes_found: Vec<_> = check(&form, &ctx()).iter().map(|f| f.code).collect();
    assert!(codes_found.contains(&codes::MEMBER_BIRTH_BEFORE_MEIJI));

    // Acquisition up to 365 days ahead (advance filing); 366 is refused.
    let mut form = new_hire();
    form.member.birth_date = Some(d(2002, 6, 15));
    form.office.certified_on = None;
    form.pension_history.clear();
    form.acquisition.acquired_on = Some(d(2026, 4, 3));
    assert_eq!(check(&form, &ctx()), vec![]);
    form.acquisition.acquired_on = Some(d(2026, 4, 4));
    assert_eq!(
        fc(&check(&form, &ctx())),
        pairs(&[("acquisition.acquiredOn", codes::ACQUISITION_FAR_FUTURE)])
    );
}

#[test]
fn office_dates() {
    let mut form = new_hire();
    form.office.certified_on = Some(d(2025, 4, 4));
    form.office.received_on = Some(d(2025, 4, 4));
    assert_eq!(
        fc(&check(&form, &ctx())),
        pairs(&[
            ("office.certifiedOn", codes::OFFICE_CERTIFIED_IN_FUTURE),
            ("office.receivedOn", codes::OFFICE_RECEIVED_IN_FUTURE),
        ])
    );
    form.office.certified_on = Some(d(2025, 4, 3));
    form.office.received_on = Some(d(2025, 4, 2));
    let findings = check(&form, &ctx());
    assert_eq!(
        fc(&findings),
        pairs(&[("office.receivedOn", codes::OFFICE_RECEIVED_BEFORE_CERTIFIED)])
    );
    assert_eq!(findings[0].severity, Severity::Warning);
}

#[test]
fn term_of_appointment() {
    let mut form = new_hire();
    form.acquisition.appointment = Some(Appointment::FixedTerm);
    form.acquisition.term_start = Some(d(2025, 4, 1));
    form.acquisition.term_end = Some(d(2025, 3, 31));
    assert_eq!(
        fc(&check(&form, &ctx())),
        pairs(&[(
            "acquisition.termEnd",
            codes::ACQUISITION_TERM_END_BEFORE_START
        )])
    );
    form.acquisition.term_start = None;
    assert_eq!(
        fc(&check(&form, &ctx())),
        pairs(&[(
            "acquisition.termEnd",
            codes::ACQUISITION_TERM_END_BEFORE_ACQUISITION
        )])
    );
    form.acquisition.term_end = Some(d(2025, 4, 1)); // a one-day term is possible
    assert_eq!(check(&form, &ctx()), vec![]);
    form.acquisition.term_start = Some(d(2025, 4, 2));
    form.acquisition.term_end = Some(d(2028, 3, 31));
    let findings = check(&form, &ctx());
    assert_eq!(
        fc(&findings),
        pairs(&[(
            "acquisition.acquiredOn",
            codes::ACQUISITION_BEFORE_TERM_START
        )])
    );
    assert_eq!(findings[0].severity, Severity::Warning);
}

#[test]
fn employment_zero_class_or_step() {
    let mut form = new_hire();
    form.employment.salary_class = Some(0);
    form.employment.salary_step = Some(0);
    assert_eq!(
        fc(&check(&form, &ctx())),
        pairs(&[
            ("employment.salaryClass", codes::EMPLOYMENT_ZERO),
            ("employment.salaryStep", codes::EMPLOYMENT_ZERO),
        ])
    );
}

#[test]
fn pay_findings_name_the_component() {
    let mut form = new_hire();
    form.remuneration.other_allowances = vec![
        Default::default(),
        crate::remuneration::OtherAllowance {
            name: Some("特殊勤務手当".into()),
            amount: Some(-3_000),
        },
    ];
    form.remuneration.commuting_months = Some(0);
    let a = assess(&form, &ctx());
    assert_eq!(
        fc(&a.findings),
        pairs(&[
            (
                "remuneration.otherAllowances[1].amount",
                codes::REMUNERATION_NEGATIVE
            ),
            (
                "remuneration.commutingMonths",
                codes::REMUNERATION_ZERO_COMMUTING_MONTHS
            ),
        ])
    );
    assert!(a.grades.is_none(), "no grades from wrong pay");

    let mut form = new_hire();
    form.remuneration = RemunerationInput {
        salary: Some(0),
        ..Default::default()
    };
    let a = assess(&form, &ctx());
    assert_eq!(
        fc(&a.findings),
        pairs(&[("remuneration.salary", codes::REMUNERATION_SALARY_ZERO)])
    );
    assert_eq!(a.grades.unwrap().health.grade, 1);

    form.remuneration.salary = Some(3_000_000);
    let findings = check(&form, &ctx());
    assert_eq!(
        fc(&findings),
        pairs(&[("remuneration.salary", codes::REMUNERATION_IMPLAUSIBLE)])
    );
    assert_eq!(
        findings[0].message,
        "報酬月額が3,000,000円になります。金額の桁を確認してください。"
    );
    form.remuneration.salary = Some(2_999_999);
    assert_eq!(check(&form, &ctx()), vec![]);

    // Empty pay: nothing while typing, no grades.
    form.remuneration = RemunerationInput::default();
    let a = assess(&form, &ctx());
    assert_eq!(a.findings, vec![]);
    assert!(a.grades.is_none());
}

#[test]
fn weekly_pay_and_all_allowances_give_the_grades() {
    let mut form = new_hire();
    form.remuneration = RemunerationInput {
        pay_basis: Some(crate::remuneration::PayBasis::Weekly),
        salary: Some(50_000), // 214,285 per month
        regional_allowance: Some(20_000),
        housing_allowance: Some(15_000),
        commuting_allowance: Some(60_000),
        commuting_months: Some(6),
        projected_overtime: Some(15_000),
        excluded_bonus: Some(400_000),
        ..Default::default()
    };
    let g = assess(&form, &ctx()).grades.unwrap();
    assert_eq!(g.monthly, 214_285 + 20_000 + 15_000 + 10_000 + 15_000);
    assert_eq!(g.health.grade, 21); // 274,285: from 270,000, below 290,000
    assert_eq!(g.pension.unwrap().grade, 18);
}

#[test]
fn acquisition_grade_validity_depends_on_the_month() {
    let mut form = new_hire();
    form.acquisition.acquired_on = Some(d(2025, 6, 1));
    let ctx = CheckContext {
        today: d(2025, 6, 2),
        received_on: None,
    };
    form.pension_history[0].lost_on = Some(d(2025, 6, 1));
    let a = assess(&form, &ctx);
    assert_eq!(a.grade_valid_until, Some(d(2026, 8, 31)));
}

#[test]
fn no_grade_table_for_the_date_is_a_warning() {
    let mut form = new_hire();
    form.acquisition.acquired_on = Some(d(2016, 3, 31));
    form.member.birth_date = Some(d(1990, 1, 1));
    form.office.certified_on = Some(d(2016, 3, 31));
    form.pension_history.clear();
    let ctx = CheckContext {
        today: d(2016, 4, 1),
        received_on: Some(d(2016, 4, 1)),
    };
    let a = assess(&form, &ctx);
    assert_eq!(
        fc(&a.findings),
        pairs(&[("acquisition.acquiredOn", codes::GRADES_NO_TABLE)])
    );
    assert_eq!(a.findings[0].severity, Severity::Warning);
    assert!(a.grades.is_none());
}

#[test]
fn scheduled_pension_band_is_noted_as_unconfirmed() {
    let mut form = new_hire();
    form.acquisition.acquired_on = Some(d(2027, 9, 1));
    form.pension_history.clear();
    form.remuneration = RemunerationInput {
        salary: Some(700_000),
        ..Default::default()
    };
    let ctx = CheckContext {
        today: d(2027, 9, 1),
        received_on: None,
    };
    let a = assess(&form, &ctx);
    assert_eq!(a.findings, vec![]);
    assert_eq!(
        a.grades.unwrap().pension,
        Some(Grade {
            grade: 33,
            standard_monthly: 680_000
        })
    );
    assert_eq!(note_codes(&a), vec![codes::NOTE_GRADE_UNCONFIRMED]);
    assert_eq!(a.notes[0].field, "grades.pension");
}

#[test]
fn my_number_never_appears_in_debug_output() {
    let form = new_hire();
    let debug = format!("{form:?}");
    assert!(!debug.contains("123456789018"), "{debug}");
    assert!(debug.contains("my_number: Some(<redacted>)"));
    let debug = format!("{:#?}", form.member);
    assert!(!debug.contains("9018"));
}

#[test]
fn json_is_camel_case_and_round_trips() {
    let form = new_hire();
    let json = serde_json::to_value(&form).unwrap();
    assert_eq!(json["member"]["myNumber"], "123456789018");
    assert_eq!(json["member"]["nameKana"], "ヤマダ　タロウ");
    assert_eq!(json["member"]["birthDate"], "2002-06-15");
    assert_eq!(json["member"]["sex"], "male");
    assert_eq!(json["acquisition"]["memberType"], "general");
    assert_eq!(json["acquisition"]["reason"], "newHire");
    assert_eq!(json["pensionHistory"][0]["kind"], "nationalPension");
    assert_eq!(json["remuneration"]["salary"], 143_700);
    let back: AcquisitionForm = serde_json::from_value(json).unwrap();
    assert_eq!(back, form);
    // A sparse draft reads with everything else empty.
    let draft: AcquisitionForm = serde_json::from_str(
        r#"{"member":{"name":"佐藤　花子"},"dependants":[{"relationship":"commonLawSpouseParentOrChild"}]}"#,
    )
    .unwrap();
    assert_eq!(draft.member.name.as_deref(), Some("佐藤　花子"));
    assert_eq!(
        draft.dependants[0].relationship,
        Some(Relationship::CommonLawSpouseParentOrChild)
    );
    assert_eq!(draft.acquisition, AcquisitionSection::default());
}

#[test]
fn assessment_json_shape() {
    let mut form = new_hire();
    form.member.my_number = Some(MyNumberText::new("123456789012"));
    let json = serde_json::to_value(assess(&form, &ctx())).unwrap();
    assert_eq!(
        json["findings"][0],
        serde_json::json!({
            "field": "member.myNumber",
            "code": "my_number.check_digit",
            "severity": "error",
            "message": "個人番号の検査用数字が一致しません。番号を確認してください。"
        })
    );
    assert_eq!(json["grades"]["health"]["grade"], 13);
    assert_eq!(json["gradeValidUntil"], "2025-08-31");
    assert_eq!(json["notes"], serde_json::json!([]));
}

#[test]
fn normalize_tidies_what_was_typed() {
    let mut form = new_hire();
    form.office.code = Some("１２３４".into());
    form.member.name = Some(" 山田  太郎 ".into());
    form.member.name_kana = Some("ﾔﾏﾀﾞ ﾀﾛｳ".into());
    form.member.postal_code = Some("1638001".into());
    form.member.basic_pension_number = Some("１２３４５６７８９０".into());
    form.member.my_number = Some(MyNumberText::new("1234-5678-9018"));
    form.member.address = Some("  ".into());
    form.dependants
        .push(dependant(Relationship::Spouse, d(2001, 1, 1)));
    form.dependants[0].name_kana = Some("やまだ　はなこ".into());
    normalize(&mut form);
    assert_eq!(form.office.code.as_deref(), Some("1234"));
    assert_eq!(form.member.name.as_deref(), Some("山田　太郎"));
    assert_eq!(form.member.name_kana.as_deref(), Some("ヤマダ　タロウ"));
    assert_eq!(form.member.postal_code.as_deref(), Some("163-8001"));
    assert_eq!(
        form.member.basic_pension_number.as_deref(),
        Some("1234-567890")
    );
    assert_eq!(
        form.member.my_number.as_ref().unwrap().expose(),
        "123456789018"
    );
    assert_eq!(form.member.address, None);
    assert_eq!(
        form.dependants[0].name_kana.as_deref(),
        Some("ヤマダ　ハナコ")
    );
    // Invalid values stay as typed.
    form.member.postal_code = Some("163-800".into());
    form.member.my_number = Some(MyNumberText::new("1234"));
    normalize(&mut form);
    assert_eq!(form.member.postal_code.as_deref(), Some("163-800"));
    assert_eq!(form.member.my_number.as_ref().unwrap().expose(), "1234");
}

#[test]
fn codes_are_unique_and_messages_say_what_to_do() {
    let mut all: Vec<&str> = codes::FINDING_CODES
        .iter()
        .chain(codes::NOTE_CODES)
        .copied()
        .collect();
    let n = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), n, "codes are unique");
}
