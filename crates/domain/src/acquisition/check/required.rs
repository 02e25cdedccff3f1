//! Fields a notification needs before submission.

use super::{codes, filled, Run};
use crate::acquisition::form::{AcquisitionReason, Appointment, MemberType, PensionScheme};
use crate::dependants::HouseholdRule;
use crate::fiscal;
use crate::remuneration::PayBasis;

fn require(run: &mut Run<'_>, present: bool, field: impl Into<String>, label: &str) {
    if !present {
        run.error(
            field,
            codes::REQUIRED,
            format!("{label}が入力されていません。{label}を入力してください。"),
        );
    }
}

fn choose(run: &mut Run<'_>, present: bool, field: impl Into<String>, label: &str) {
    if !present {
        run.error(
            field,
            codes::REQUIRED,
            format!("{label}が選ばれていません。{label}を選んでください。"),
        );
    }
}

pub(super) fn check_required(run: &mut Run<'_>) {
    let form = run.form;
    require(
        run,
        filled(&form.office.code).is_some(),
        "office.code",
        "所属所番号",
    );
    require(
        run,
        filled(&form.office.name).is_some(),
        "office.name",
        "所属所名",
    );

    let m = &form.member;
    require(run, filled(&m.name).is_some(), "member.name", "氏名");
    require(
        run,
        filled(&m.name_kana).is_some(),
        "member.nameKana",
        "フリガナ",
    );
    require(run, m.birth_date.is_some(), "member.birthDate", "生年月日");
    choose(run, m.sex.is_some(), "member.sex", "性別");
    require(
        run,
        filled(&m.postal_code).is_some(),
        "member.postalCode",
        "郵便番号",
    );
    require(run, filled(&m.address).is_some(), "member.address", "住所");
    let has_my_number = m.my_number.as_ref().is_some_and(|n| !n.is_blank());
    if !has_my_number && filled(&m.basic_pension_number).is_none() {
        run.error(
            "member.myNumber",
            codes::MEMBER_ID_NUMBER_REQUIRED,
            "個人番号と基礎年金番号のどちらも入力されていません。個人番号（ない場合は基礎年金番号）を入力してください。",
        );
    }

    let a = &form.acquisition;
    require(
        run,
        a.acquired_on.is_some(),
        "acquisition.acquiredOn",
        "資格取得年月日",
    );
    choose(run, a.reason.is_some(), "acquisition.reason", "取得事由");
    if a.reason == Some(AcquisitionReason::Other) {
        require(
            run,
            filled(&a.reason_detail).is_some(),
            "acquisition.reasonDetail",
            "取得事由の内容",
        );
    }
    choose(
        run,
        a.member_type.is_some(),
        "acquisition.memberType",
        "組合員種別",
    );
    choose(
        run,
        a.appointment.is_some(),
        "acquisition.appointment",
        "任用形態",
    );
    if a.appointment.is_some_and(Appointment::has_term) {
        require(
            run,
            a.term_start.is_some(),
            "acquisition.termStart",
            "任期の開始日",
        );
        require(
            run,
            a.term_end.is_some(),
            "acquisition.termEnd",
            "任期の終了日",
        );
    }
    let late = run
        .findings
        .iter()
        .any(|f| f.code == codes::ACQUISITION_LATE_FILING);
    if late {
        require(
            run,
            filled(&a.late_reason).is_some(),
            "acquisition.lateReason",
            "遅延理由",
        );
    }

    // 任意継続組合員 have left their post: no current pay or post to report.
    if a.member_type != Some(MemberType::VoluntaryContinued) {
        let e = &form.employment;
        require(
            run,
            filled(&e.job_title).is_some(),
            "employment.jobTitle",
            "職名",
        );
        require(
            run,
            filled(&e.salary_table).is_some(),
            "employment.salaryTable",
            "給料表",
        );
        require(
            run,
            e.salary_class.is_some(),
            "employment.salaryClass",
            "級",
        );
        // 再任用 pay has a 級 but no 号給.
        if a.appointment != Some(Appointment::Reappointment) {
            require(
                run,
                e.salary_step.is_some(),
                "employment.salaryStep",
                "号給",
            );
        }
        let r = &form.remuneration;
        require(run, r.salary.is_some(), "remuneration.salary", "給料");
        if r.pay_basis == Some(PayBasis::OtherPeriod) {
            require(
                run,
                r.period_days.is_some(),
                "remuneration.periodDays",
                "給料を定める期間の日数",
            );
        }
    }

    for (i, p) in form.pension_history.iter().enumerate() {
        let field = |name: &str| format!("pensionHistory[{i}].{name}");
        choose(run, p.kind.is_some(), field("kind"), "年金制度");
        if p.kind == Some(PensionScheme::Other) {
            require(
                run,
                filled(&p.kind_detail).is_some(),
                field("kindDetail"),
                "年金制度の名称",
            );
        }
        require(run, p.acquired_on.is_some(), field("acquiredOn"), "取得日");
        require(run, p.lost_on.is_some(), field("lostOn"), "喪失日");
    }

    let on = a.acquired_on.unwrap_or(run.ctx.today);
    for (i, d) in form.dependants.iter().enumerate() {
        let field = |name: &str| format!("dependants[{i}].{name}");
        require(
            run,
            filled(&d.name).is_some(),
            field("name"),
            "被扶養者の氏名",
        );
        require(
            run,
            filled(&d.name_kana).is_some(),
            field("nameKana"),
            "被扶養者のフリガナ",
        );
        choose(run, d.relationship.is_some(), field("relationship"), "続柄");
        require(
            run,
            d.birth_date.is_some(),
            field("birthDate"),
            "被扶養者の生年月日",
        );
        choose(
            run,
            d.lives_together.is_some(),
            field("livesTogether"),
            "同居・別居",
        );
        let apart_allowed = d
            .relationship
            .is_some_and(|r| r.household() == HouseholdRule::ApartWithRemittance);
        if apart_allowed && d.lives_together == Some(false) {
            choose(
                run,
                d.remittance_recorded.is_some(),
                field("remittanceRecorded"),
                "仕送りの記録の有無",
            );
        }
        require(
            run,
            d.annual_income.is_some(),
            field("annualIncome"),
            "年間収入見込み",
        );
        choose(
            run,
            d.resides_in_japan.is_some(),
            field("residesInJapan"),
            "国内居住の有無",
        );
        // Before 75, only someone old enough for the disability route can be under
        // 後期高齢者医療.
        let may_be_late_elderly = match (d.birth_date, run.rules.age_thresholds.at(on)) {
            (Some(b), Some(t)) => fiscal::age_on(b, on) >= t.late_elderly_disability_from,
            _ => false,
        };
        if may_be_late_elderly {
            choose(
                run,
                d.late_elderly_insured.is_some(),
                field("lateElderlyInsured"),
                "後期高齢者医療の加入の有無",
            );
        }
    }
}
