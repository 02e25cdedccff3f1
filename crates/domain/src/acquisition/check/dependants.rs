//! Checks of 被扶養者: whether each can be recognised as a dependant on the acquisition
//! date (or today, while that date is empty).

use super::{codes, filled, Run};
use crate::acquisition::form::Dependant;
use crate::dependants::{HouseholdRule, Relationship};
use crate::kana;
use crate::rules::yen;

pub(super) fn check_dependants(run: &mut Run<'_>) {
    let member_type = run.form.acquisition.member_type;
    let no_short_term = member_type.is_some_and(|t| !t.has_short_term_benefits());
    let member_late_elderly = run.member_status.is_some_and(|s| s.late_elderly);
    let mut spouse_seen = false;
    for (i, dependant) in run.form.dependants.iter().enumerate() {
        if no_short_term {
            let name = member_type.map(|t| t.name_ja()).unwrap_or_default();
            run.error(
                format!("dependants[{i}]"),
                codes::DEPENDANT_NOT_APPLICABLE,
                format!(
                    "{name}には被扶養者の認定がありません。この被扶養者の行を削除してください。"
                ),
            );
        } else if member_late_elderly {
            run.error(
                format!("dependants[{i}]"),
                codes::DEPENDANT_MEMBER_LATE_ELDERLY,
                "組合員が75歳以上のため、被扶養者の認定はできません。この被扶養者の行を削除してください。",
            );
        }
        if dependant.relationship.is_some_and(Relationship::is_spouse) {
            if spouse_seen {
                run.error(
                    format!("dependants[{i}].relationship"),
                    codes::DEPENDANT_MULTIPLE_SPOUSES,
                    "配偶者（事実婚を含む）は1人だけ認定できます。続柄を確認してください。",
                );
            }
            spouse_seen = true;
        }
        check_one(run, i, dependant);
    }
}

fn check_one(run: &mut Run<'_>, i: usize, dependant: &Dependant) {
    let field = |name: &str| format!("dependants[{i}].{name}");
    // The 認定日 of dependants named on the 資格取得届 is the acquisition date.
    let on = run.acquired_on().unwrap_or(run.ctx.today);
    if let Some(kana_text) = filled(&dependant.name_kana) {
        run.findings
            .extend(kana::check_kana_name(&field("nameKana"), kana_text).1);
    }
    let mut birth = dependant.birth_date;
    if let Some(b) = birth {
        if b > on {
            run.error(
                field("birthDate"),
                codes::DEPENDANT_BIRTH_AFTER_ACQUISITION,
                "生年月日が資格取得年月日より後になっています。生年月日を確認してください（資格取得後に生まれた方は被扶養者申告書で届け出てください）。",
            );
            birth = None;
        }
    }
    if let Some(b) = birth {
        if run.rules.age_status(b, on).is_some_and(|s| s.late_elderly) {
            run.error(
                field("birthDate"),
                codes::DEPENDANT_AGED_75,
                "75歳以上の方は後期高齢者医療の対象のため、被扶養者になれません。この被扶養者の行を削除してください。",
            );
        }
        check_ages_against_member(run, i, dependant.relationship, b);
    }
    if dependant.late_elderly_insured == Some(true) {
        run.error(
            field("lateElderlyInsured"),
            codes::DEPENDANT_LATE_ELDERLY_INSURED,
            "後期高齢者医療の被保険者は被扶養者になれません。この被扶養者の行を削除してください。",
        );
    }
    if let Some(income) = dependant.annual_income {
        if income < 0 {
            run.error(
                field("annualIncome"),
                codes::DEPENDANT_INCOME_NEGATIVE,
                "年間収入見込みにマイナスは入力できません。0円以上の金額を入力してください。",
            );
        } else {
            check_income(run, i, dependant, birth, income, on);
        }
    }
    if let Some(relationship) = dependant.relationship {
        match (relationship.household(), dependant.lives_together) {
            (HouseholdRule::ApartWithRemittance, Some(false))
                if dependant.remittance_recorded == Some(false) =>
            {
                run.error(
                    field("remittanceRecorded"),
                    codes::DEPENDANT_REMITTANCE_REQUIRED,
                    "別居の被扶養者には定期的な仕送りの記録が必要です。仕送りの記録を確認してください。",
                );
            }
            (HouseholdRule::SameHousehold, Some(false)) => {
                run.error(
                    field("livesTogether"),
                    codes::DEPENDANT_SAME_HOUSEHOLD_REQUIRED,
                    format!(
                        "続柄が「{}」の方は、組合員と同一世帯であることが必要です。同居か確認してください。",
                        relationship.name_ja()
                    ),
                );
            }
            _ => {}
        }
    }
    if dependant.resides_in_japan == Some(false) {
        run.warning(
            field("residesInJapan"),
            codes::DEPENDANT_OUTSIDE_JAPAN,
            "被扶養者は原則として国内に住所がある方です。留学など例外に当たるか確認し、証明書類をそろえてください。",
        );
    }
}

fn check_income(
    run: &mut Run<'_>,
    i: usize,
    dependant: &Dependant,
    birth: Option<chrono::NaiveDate>,
    income: i64,
    on: chrono::NaiveDate,
) {
    let disabled = dependant.disabled == Some(true);
    let Some(limit) = run
        .rules
        .dependant_income_limit(dependant.relationship, birth, disabled, on)
    else {
        return;
    };
    let field = format!("dependants[{i}].annualIncome");
    if !limit.admits(income) {
        run.error(
            field.clone(),
            codes::DEPENDANT_INCOME_OVER_LIMIT,
            format!(
                "年間収入見込み{}は認定基準（{}）を満たしません。金額を確認し、基準を満たさない方は被扶養者から外してください。",
                yen(income),
                limit.describe_ja()
            ),
        );
    }
    if limit.unconfirmed {
        run.note(
            field,
            codes::NOTE_INCOME_LIMIT_UNCONFIRMED,
            format!(
                "収入の認定基準（{}）は当組合での適用を確認中の基準（要確認）です。",
                limit.describe_ja()
            ),
        );
    }
}

fn check_ages_against_member(
    run: &mut Run<'_>,
    i: usize,
    relationship: Option<Relationship>,
    birth: chrono::NaiveDate,
) {
    let Some(member_birth) = run.birth() else {
        return;
    };
    let inconsistent = match relationship {
        Some(Relationship::Child | Relationship::Grandchild) => birth <= member_birth,
        Some(Relationship::Parent | Relationship::Grandparent) => birth >= member_birth,
        _ => false,
    };
    if let (true, Some(r)) = (inconsistent, relationship) {
        run.warning(
            format!("dependants[{i}].birthDate"),
            codes::DEPENDANT_AGE_INCONSISTENT,
            format!(
                "続柄が「{}」ですが、組合員との年齢の前後が合いません。続柄と生年月日を確認してください。",
                r.name_ja()
            ),
        );
    }
}
