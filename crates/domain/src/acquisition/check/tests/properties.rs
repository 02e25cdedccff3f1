//! Properties over arbitrary forms.

use proptest::prelude::*;

use super::*;
use crate::acquisition::codes;

fn date() -> impl Strategy<Value = NaiveDate> {
    (0i64..60_000).prop_map(|n| d(1860, 1, 1) + chrono::Duration::days(n))
}

fn opt_date() -> impl Strategy<Value = Option<NaiveDate>> {
    proptest::option::of(date())
}

fn amount() -> impl Strategy<Value = Option<i64>> {
    proptest::option::of(prop_oneof![
        -10i64..10,
        0i64..5_000_000,
        Just(i64::MAX),
        Just(i64::MIN)
    ])
}

fn text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(prop_oneof![
        Just(String::new()),
        Just("ヤマダ　タロウ".to_owned()),
        Just("やまだ".to_owned()),
        Just("123456789018".to_owned()),
        Just("1234-567890".to_owned()),
        "[0-9a-zｱ-ﾝ ー-]{0,14}",
    ])
}

fn relationship() -> impl Strategy<Value = Option<Relationship>> {
    proptest::option::of(proptest::sample::select(Relationship::ALL.to_vec()))
}

fn dependant_row() -> impl Strategy<Value = Dependant> {
    (
        (text(), relationship(), opt_date()),
        proptest::collection::vec(proptest::option::of(any::<bool>()), 5),
        amount(),
    )
        .prop_map(
            |((kana, relationship, birth_date), flags, annual_income)| Dependant {
                name: kana.clone(),
                name_kana: kana,
                relationship,
                birth_date,
                lives_together: flags[0],
                remittance_recorded: flags[1],
                annual_income,
                disabled: flags[2],
                resides_in_japan: flags[3],
                late_elderly_insured: flags[4],
            },
        )
}

fn form() -> impl Strategy<Value = AcquisitionForm> {
    (
        (text(), text(), text(), opt_date(), opt_date()),
        (
            opt_date(),
            proptest::option::of(proptest::sample::select(MemberType::ALL.to_vec())),
        ),
        (
            amount(),
            amount(),
            proptest::option::of(0u32..8),
            proptest::option::of(0u32..40),
        ),
        proptest::collection::vec((opt_date(), opt_date()), 0..4),
        proptest::collection::vec(dependant_row(), 0..4),
    )
        .prop_map(
            |(
                (kana, number, code, birth, certified),
                (acquired, member_type),
                (salary, commuting, months, days),
                history,
                dependants,
            )| {
                let mut form = new_hire();
                form.member.name_kana = kana;
                form.member.my_number = number.clone().map(MyNumberText::new);
                form.member.basic_pension_number = number;
                form.office.code = code;
                form.member.birth_date = birth;
                form.office.certified_on = certified;
                form.acquisition.acquired_on = acquired;
                form.acquisition.member_type = member_type;
                form.remuneration.salary = salary;
                form.remuneration.commuting_allowance = commuting;
                form.remuneration.commuting_months = months;
                form.remuneration.period_days = days;
                form.remuneration.pay_basis =
                    days.map(|_| crate::remuneration::PayBasis::OtherPeriod);
                form.pension_history = history
                    .into_iter()
                    .map(|(acquired_on, lost_on)| PensionPeriod {
                        kind: Some(PensionScheme::EmployeesPension),
                        kind_detail: None,
                        acquired_on,
                        lost_on,
                    })
                    .collect();
                form.dependants = dependants;
                form
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Any form can be checked, while typing nothing is "required", and every code and
    /// field is one the UI knows.
    #[test]
    fn checks_are_total_and_use_known_codes(form in form(), today in date()) {
        let ctx = CheckContext { today, received_on: None };
        let typing = assess(&form, &ctx);
        prop_assert!(typing.findings.iter().all(|f| f.code != codes::REQUIRED && f.code != codes::MEMBER_ID_NUMBER_REQUIRED));
        let submission = check_for_submission(&form, &ctx);
        for f in typing.findings.iter().chain(&submission) {
            prop_assert!(codes::FINDING_CODES.contains(&f.code), "unknown code {}", f.code);
            prop_assert!(f.message.ends_with('。'), "{}", f.message);
            prop_assert!(!f.field.is_empty());
        }
        for n in &typing.notes {
            prop_assert!(codes::NOTE_CODES.contains(&n.code), "unknown note {}", n.code);
        }
        // Submission findings include every as-you-type finding, in the same order.
        prop_assert_eq!(&submission[..typing.findings.len()], &typing.findings[..]);
        // Never the digits of the number in a message.
        prop_assert!(submission.iter().all(|f| !f.message.contains("123456789018")));
    }

    /// Grades are shown only for pay without problems, and agree with grades_for.
    #[test]
    fn grades_shown_agree_with_grades_for(form in form(), today in date()) {
        let ctx = CheckContext { today, received_on: None };
        let a = assess(&form, &ctx);
        if let Some(g) = a.grades {
            let acquired = form.acquisition.acquired_on.unwrap();
            let birth = form.member.birth_date.filter(|b| *b < acquired);
            prop_assert_eq!(Ok(g), crate::remuneration::grades_for(&form.remuneration, acquired, birth));
            prop_assert!(a.grade_valid_until.is_some());
        }
    }
}
