#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Tests of the 資格取得届 checks, on realistic forms.

use chrono::NaiveDate;

use super::*;
use crate::acquisition::form::*;
use crate::dependants::Relationship;
use crate::finding::Severity;
use crate::remuneration::RemunerationInput;

mod ages;
mod basics;
mod dependants;
mod history;
mod properties;

pub(super) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Checked on 2025-04-03, not yet received.
pub(super) fn ctx() -> CheckContext {
    CheckContext {
        today: d(2025, 4, 3),
        received_on: None,
    }
}

/// A new 主事 hired on 2025-04-01 at 東京都総務局, complete and correct.
pub(super) fn new_hire() -> AcquisitionForm {
    AcquisitionForm {
        office: OfficeSection {
            code: Some("1234".into()),
            name: Some("東京都総務局".into()),
            certified_on: Some(d(2025, 4, 2)),
            received_on: None,
        },
        member: MemberSection {
            name: Some("山田　太郎".into()),
            name_kana: Some("ヤマダ　タロウ".into()),
            birth_date: Some(d(2002, 6, 15)),
            sex: Some(Sex::Male),
            postal_code: Some("163-8001".into()),
            address: Some("東京都新宿区西新宿二丁目8番1号".into()),
            my_number: Some(MyNumberText::new("123456789018")),
            basic_pension_number: Some("1234-567890".into()),
        },
        acquisition: AcquisitionSection {
            acquired_on: Some(d(2025, 4, 1)),
            reason: Some(AcquisitionReason::NewHire),
            reason_detail: None,
            member_type: Some(MemberType::General),
            appointment: Some(Appointment::Regular),
            term_start: None,
            term_end: None,
            late_reason: None,
        },
        employment: EmploymentSection {
            job_title: Some("主事".into()),
            salary_table: Some("行政職給料表（一）".into()),
            salary_class: Some(1),
            salary_step: Some(25),
        },
        remuneration: RemunerationInput {
            salary: Some(143_700),
            commuting_allowance: Some(14_000),
            ..Default::default()
        },
        pension_history: vec![PensionPeriod {
            kind: Some(PensionScheme::NationalPension),
            kind_detail: None,
            acquired_on: Some(d(2022, 6, 14)),
            lost_on: Some(d(2025, 4, 1)),
        }],
        dependants: Vec::new(),
        acknowledgements: Vec::new(),
    }
}

/// A dependant with every field filled in: living together, no income.
pub(super) fn dependant(relationship: Relationship, birth: NaiveDate) -> Dependant {
    Dependant {
        name: Some("山田　花子".into()),
        name_kana: Some("ヤマダ　ハナコ".into()),
        relationship: Some(relationship),
        birth_date: Some(birth),
        lives_together: Some(true),
        remittance_recorded: None,
        annual_income: Some(0),
        disabled: Some(false),
        resides_in_japan: Some(true),
        late_elderly_insured: Some(false),
    }
}

/// (field, code) of each finding.
pub(super) fn fc(findings: &[Finding]) -> Vec<(String, &'static str)> {
    findings.iter().map(|f| (f.field.clone(), f.code)).collect()
}

/// (field, code) pairs from string literals.
pub(super) fn pairs(expected: &[(&str, &'static str)]) -> Vec<(String, &'static str)> {
    expected
        .iter()
        .map(|(f, c)| ((*f).to_owned(), *c))
        .collect()
}

pub(super) fn note_codes(a: &Assessment) -> Vec<&'static str> {
    a.notes.iter().map(|n| n.code).collect()
}

pub(super) fn severity_of(findings: &[Finding], code: &str) -> Option<Severity> {
    findings.iter().find(|f| f.code == code).map(|f| f.severity)
}
