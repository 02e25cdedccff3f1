//! The automated review (RPA による内容審査) of a submitted 資格取得届, as the central
//! service runs it for the secretariat reviewer: every check of [`check_for_submission`]
//! again (late filing, inconsistent dates, grades …, on the server's copy and the day it
//! was received), and what only a view across cases can find — the same person in
//! another case (same 基礎年金番号 or 個人番号, or the same フリガナ and birth date) and a
//! dependant already claimed by another member.
//!
//! Personal numbers are compared but never written into a message.

use chrono::NaiveDate;

use super::check::{check_for_submission, CheckContext};
use super::form::AcquisitionForm;
use crate::finding::{Finding, Severity};
use crate::kana;

/// Another case the review compares with.
#[derive(Debug, Clone, Copy)]
pub struct OtherCase<'a> {
    /// Its record id.
    pub id: &'a str,
    pub form: &'a AcquisitionForm,
    /// 「登録済み」「審査待ち」 … for the message.
    pub state_label: &'a str,
}

/// One review result: a finding, and the other case involved, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewFinding {
    pub finding: Finding,
    pub related: Option<String>,
}

pub const DUPLICATE_PENSION_NUMBER: &str = "review.duplicate_pension_number";
pub const DUPLICATE_MY_NUMBER: &str = "review.duplicate_my_number";
pub const POSSIBLE_DUPLICATE: &str = "review.possible_duplicate";
pub const DEPENDANT_CLAIMED: &str = "review.dependant_claimed";

fn digits(s: &str) -> String {
    s.chars()
        .filter_map(|c| c.to_digit(10).and_then(|d| char::from_digit(d, 10)))
        .collect()
}

fn kana_key(s: &str) -> String {
    kana::to_fullwidth_katakana(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn name_of(form: &AcquisitionForm) -> String {
    form.member
        .name
        .clone()
        .unwrap_or_else(|| "（氏名未入力）".to_string())
}

/// Same person: (フリガナ without spaces, birth date), when both are filled in.
fn person_key(kana: Option<&str>, birth: Option<NaiveDate>) -> Option<(String, NaiveDate)> {
    let k = kana_key(kana?);
    (!k.is_empty()).then_some((k, birth?))
}

/// Reviews `form` against `others` (the other cases: members and pending cases, never
/// withdrawn ones). `ctx.received_on` is the day the association received it.
pub fn review(
    form: &AcquisitionForm,
    others: &[OtherCase<'_>],
    ctx: &CheckContext,
) -> Vec<ReviewFinding> {
    let mut out: Vec<ReviewFinding> = check_for_submission(form, ctx)
        .into_iter()
        .map(|finding| ReviewFinding {
            finding,
            related: None,
        })
        .collect();

    let pension = form
        .member
        .basic_pension_number
        .as_deref()
        .map(digits)
        .filter(|d| d.len() == 10);
    let my_number = form
        .member
        .my_number
        .as_ref()
        .map(|m| digits(m.expose()))
        .filter(|d| d.len() == 12);
    let person = person_key(form.member.name_kana.as_deref(), form.member.birth_date);

    for other in others {
        let o = &other.form.member;
        let who = format!("{}（{}）", name_of(other.form), other.state_label);
        if pension.is_some() && pension == o.basic_pension_number.as_deref().map(digits) {
            out.push(ReviewFinding {
                finding: Finding::error(
                    "member.basicPensionNumber",
                    DUPLICATE_PENSION_NUMBER,
                    format!("同じ基礎年金番号の届が既にあります: {who}。同一人物の二重届出でないか確認してください。"),
                ),
                related: Some(other.id.to_string()),
            });
        }
        if my_number.is_some() && my_number == o.my_number.as_ref().map(|m| digits(m.expose())) {
            out.push(ReviewFinding {
                finding: Finding::error(
                    "member.myNumber",
                    DUPLICATE_MY_NUMBER,
                    format!("同じ個人番号の届が既にあります: {who}。同一人物の二重届出でないか確認してください。"),
                ),
                related: Some(other.id.to_string()),
            });
        } else if person.is_some() && person == person_key(o.name_kana.as_deref(), o.birth_date) {
            out.push(ReviewFinding {
                finding: Finding::warning(
                    "member.nameKana",
                    POSSIBLE_DUPLICATE,
                    format!("フリガナと生年月日が同じ届があります: {who}。別人であることを確認してください。"),
                ),
                related: Some(other.id.to_string()),
            });
        }
        for (i, d) in form.dependants.iter().enumerate() {
            let Some(key) = person_key(d.name_kana.as_deref(), d.birth_date) else {
                continue;
            };
            let claimed = other.form.dependants.iter().any(|od| {
                person_key(od.name_kana.as_deref(), od.birth_date).as_ref() == Some(&key)
            });
            if claimed {
                out.push(ReviewFinding {
                    finding: Finding::warning(
                        format!("dependants.{i}.nameKana"),
                        DEPENDANT_CLAIMED,
                        format!(
                            "被扶養者「{}」は、別の組合員 {who} の被扶養者として届け出られています。二重の認定にならないか確認してください。",
                            d.name.clone().unwrap_or_default()
                        ),
                    ),
                    related: Some(other.id.to_string()),
                });
            }
        }
    }
    // Errors first, then warnings; stable within each.
    out.sort_by_key(|r| match r.finding.severity {
        Severity::Error => 0,
        Severity::Warning => 1,
    });
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use crate::acquisition::form::{Dependant, MyNumberText};

    fn form(kana: &str, birth: (i32, u32, u32), pension: &str, my_number: &str) -> AcquisitionForm {
        let mut f = AcquisitionForm::default();
        f.member.name = Some("山田　太郎".into());
        f.member.name_kana = Some(kana.into());
        f.member.birth_date = NaiveDate::from_ymd_opt(birth.0, birth.1, birth.2);
        f.member.basic_pension_number = (!pension.is_empty()).then(|| pension.into());
        f.member.my_number = (!my_number.is_empty()).then(|| MyNumberText::new(my_number));
        f
    }

    fn ctx() -> CheckContext {
        CheckContext {
            today: NaiveDate::from_ymd_opt(2026, 4, 3).unwrap(),
            received_on: NaiveDate::from_ymd_opt(2026, 4, 3),
        }
    }

    fn codes(r: &[ReviewFinding]) -> Vec<&'static str> {
        r.iter()
            .map(|f| f.finding.code)
            .filter(|c| c.starts_with("review."))
            .collect()
    }

    #[test]
    fn the_same_pension_number_or_my_number_is_a_duplicate() {
        let a = form(
            "ヤマダ　タロウ",
            (1998, 7, 14),
            "1234-567890",
            "123456789018",
        );
        let b = form("ヤマダ タロウ", (1998, 7, 14), "1234567890", "");
        let others = [OtherCase {
            id: "B",
            form: &b,
            state_label: "登録済み",
        }];
        let r = review(&a, &others, &ctx());
        assert_eq!(codes(&r), [DUPLICATE_PENSION_NUMBER, POSSIBLE_DUPLICATE]);
        let dup = r
            .iter()
            .find(|f| f.finding.code == DUPLICATE_PENSION_NUMBER)
            .unwrap();
        assert_eq!(dup.related.as_deref(), Some("B"));
        assert!(dup.finding.message.contains("山田　太郎（登録済み）"));

        let c = form("ベツジン", (1980, 1, 1), "", "123456789018");
        let others = [OtherCase {
            id: "C",
            form: &c,
            state_label: "審査待ち",
        }];
        let r = review(&a, &others, &ctx());
        assert_eq!(codes(&r), [DUPLICATE_MY_NUMBER]);
        // The number itself never appears in a message.
        assert!(r
            .iter()
            .all(|f| !f.finding.message.contains("123456789018")));
    }

    #[test]
    fn a_different_person_is_not_flagged() {
        let a = form("ヤマダ　タロウ", (1998, 7, 14), "1234-567890", "");
        let b = form("ヤマダ　タロウ", (1998, 7, 15), "9999-567890", "");
        let others = [OtherCase {
            id: "B",
            form: &b,
            state_label: "登録済み",
        }];
        assert!(codes(&review(&a, &others, &ctx())).is_empty());
    }

    #[test]
    fn a_dependant_claimed_by_another_member_is_flagged() {
        let dep = |kana: &str| Dependant {
            name: Some("山田　花".into()),
            name_kana: Some(kana.into()),
            birth_date: NaiveDate::from_ymd_opt(2015, 5, 5),
            ..Dependant::default()
        };
        let mut a = form("ヤマダ　タロウ", (1985, 1, 1), "", "");
        a.dependants.push(dep("ヤマダ　ハナ"));
        let mut b = form("ヤマダ　ハナコ", (1986, 2, 2), "", "");
        b.dependants.push(dep("ﾔﾏﾀﾞ ﾊﾅ"));
        let others = [OtherCase {
            id: "B",
            form: &b,
            state_label: "登録済み",
        }];
        let r = review(&a, &others, &ctx());
        assert_eq!(codes(&r), [DEPENDANT_CLAIMED]);
        assert_eq!(
            r.iter()
                .find(|f| f.finding.code == DEPENDANT_CLAIMED)
                .unwrap()
                .finding
                .field,
            "dependants.0.nameKana"
        );
    }

    #[test]
    fn the_form_checks_run_again_errors_first() {
        let a = AcquisitionForm::default();
        let r = review(&a, &[], &ctx());
        assert!(!r.is_empty());
        assert!(r
            .iter()
            .any(|f| f.finding.code == crate::acquisition::codes::REQUIRED));
        let first_warning = r
            .iter()
            .position(|f| f.finding.severity == Severity::Warning);
        let last_error = r
            .iter()
            .rposition(|f| f.finding.severity == Severity::Error);
        if let (Some(w), Some(e)) = (first_warning, last_error) {
            assert!(e < w);
        }
    }
}
