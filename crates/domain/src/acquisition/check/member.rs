//! Checks of the office, member, acquisition and employment sections.

use chrono::Duration;

use super::{codes, filled, Run};
use crate::acquisition::form::MemberType;
use crate::finding::Finding;
use crate::{ids, kana, settings, wareki};

pub(super) fn check_office(run: &mut Run<'_>) {
    let office = &run.form.office;
    let today = run.ctx.today;
    if let Some(code) = filled(&office.code) {
        for f in settings::check_office_code(code).1 {
            run.findings.push(Finding {
                field: "office.code".to_owned(),
                ..f
            });
        }
    }
    if office.certified_on.is_some_and(|d| d > today) {
        run.error(
            "office.certifiedOn",
            codes::OFFICE_CERTIFIED_IN_FUTURE,
            "所属所長の証明日が今日より後になっています。証明した日を入力してください。",
        );
    }
    if office.received_on.is_some_and(|d| d > today) {
        run.error(
            "office.receivedOn",
            codes::OFFICE_RECEIVED_IN_FUTURE,
            "受付日が今日より後になっています。受け付けた日を入力してください。",
        );
    }
    if let (Some(certified), Some(received)) = (office.certified_on, office.received_on) {
        if received < certified {
            run.warning(
                "office.receivedOn",
                codes::OFFICE_RECEIVED_BEFORE_CERTIFIED,
                "受付日が所属所長の証明日より前になっています。両方の日付を確認してください。",
            );
        }
    }
}

pub(super) fn check_member(run: &mut Run<'_>) {
    let member = &run.form.member;
    if let Some(kana_text) = filled(&member.name_kana) {
        let findings = kana::check_kana_name("member.nameKana", kana_text).1;
        run.findings.extend(findings);
    }
    if let Some(birth) = member.birth_date {
        if let Err(e) = wareki::from_seireki(birth) {
            run.findings
                .push(Finding::from_error("member.birthDate", &e));
        }
        if birth > run.ctx.today {
            run.error(
                "member.birthDate",
                codes::MEMBER_BIRTH_IN_FUTURE,
                "生年月日が今日より後になっています。生年月日を確認してください。",
            );
        } else if run.acquired_on().is_some_and(|acquired| birth >= acquired) {
            run.error(
                "member.birthDate",
                codes::MEMBER_BIRTH_AFTER_ACQUISITION,
                "生年月日が資格取得年月日と同じか後になっています。生年月日と資格取得年月日を確認してください。",
            );
        }
    }
    // A withheld number (the user may not see it) is there and was checked when entered.
    if let Some(number) = member
        .my_number
        .as_ref()
        .filter(|n| !n.is_blank() && !n.is_withheld())
    {
        if let Err(e) = number.validate() {
            run.findings
                .push(Finding::from_error("member.myNumber", &e));
        }
    }
    if let Some(number) = filled(&member.basic_pension_number) {
        if let Err(e) = ids::validate_basic_pension_number(number) {
            run.findings
                .push(Finding::from_error("member.basicPensionNumber", &e));
        }
    }
    if let Some(code) = filled(&member.postal_code) {
        if let Err(e) = ids::validate_postal_code(code) {
            run.findings
                .push(Finding::from_error("member.postalCode", &e));
        }
    }
}

pub(super) fn check_acquisition(run: &mut Run<'_>) {
    let section = &run.form.acquisition;
    let member_type = section.member_type;
    if member_type == Some(MemberType::ShortTerm) {
        run.error(
            "acquisition.memberType",
            codes::ACQUISITION_SHORT_TERM_MEMBER,
            "短期組合員（会計年度任用職員など）はこの届では届け出られません。短期組合員用の資格取得届を使ってください。",
        );
    }
    if let Some(acquired) = section.acquired_on {
        check_dates(run, acquired);
        check_age(run, acquired, member_type);
    }
    match member_type {
        Some(MemberType::VoluntaryContinued) => run.note(
            "acquisition.memberType",
            codes::NOTE_VOLUNTARY_CONTINUED,
            "任意継続組合員は厚生年金の対象ではなく、標準報酬月額も現在の給与からは決めません。",
        ),
        Some(t) if !t.has_short_term_benefits() => run.note(
            "acquisition.memberType",
            codes::NOTE_NO_SHORT_TERM,
            format!(
                "{}は短期給付（医療など）の対象ではありません。被扶養者の認定もありません。",
                t.name_ja()
            ),
        ),
        _ => {}
    }
    check_term(run);
}

fn check_dates(run: &mut Run<'_>, acquired: chrono::NaiveDate) {
    let today = run.ctx.today;
    if let Some(limits) = run.rules.plausibility.at(today).copied() {
        let latest = today.checked_add_signed(Duration::days(i64::from(limits.max_days_ahead)));
        if latest.is_some_and(|latest| acquired > latest) {
            run.error(
                "acquisition.acquiredOn",
                codes::ACQUISITION_FAR_FUTURE,
                format!(
                    "資格取得年月日が今日から{}日より先になっています。年を確認してください。",
                    limits.max_days_ahead
                ),
            );
        }
    }
    let received = run
        .ctx
        .received_on
        .or(run.form.office.received_on)
        .unwrap_or(today);
    if let Some(deadline) = run.rules.filing_deadline.at(acquired).copied() {
        let days_after = received.signed_duration_since(acquired).num_days();
        if days_after > i64::from(deadline.days) {
            run.warning(
                "acquisition.lateReason",
                codes::ACQUISITION_LATE_FILING,
                format!(
                    "届出期限（資格取得日から{}日以内）を過ぎています。遅延理由を記入してください。",
                    deadline.days
                ),
            );
        }
    }
}

fn check_age(run: &mut Run<'_>, acquired: chrono::NaiveDate, member_type: Option<MemberType>) {
    let Some(birth) = run.birth().filter(|b| *b < acquired) else {
        return;
    };
    let Some(thresholds) = run.rules.age_thresholds.at(acquired).copied() else {
        run.note(
            "acquisition.acquiredOn",
            codes::NOTE_NO_AGE_RULE,
            "この資格取得年月日に適用する年齢の規定が登録されていないため、年齢による確認をしていません。",
        );
        return;
    };
    let status = thresholds.status(birth, acquired);
    run.member_status = Some(status);
    if let Some(limits) = run.rules.plausibility.at(run.ctx.today) {
        if status.age < limits.min_member_age {
            let message = format!(
                "資格取得時の年齢が{}歳になります。生年月日と資格取得年月日を確認してください。",
                status.age
            );
            run.warning("member.birthDate", codes::MEMBER_UNDER_MINIMUM_AGE, message);
        }
    }
    let short_term = member_type.is_none_or(|t| t.has_short_term_benefits());
    let pension = member_type.is_none_or(|t| t.has_pension());
    if member_type == Some(MemberType::ShortTerm) {
        return;
    }
    if status.late_elderly && short_term {
        run.error(
            "acquisition.memberType",
            codes::MEMBER_LATE_ELDERLY,
            format!(
                "資格取得時に{}歳のため後期高齢者医療の対象となり、短期給付の組合員にはなりません。組合員種別を「長期組合員」（知事は「知事長期組合員」）にしてください。",
                status.age
            ),
        );
    }
    if !status.pension && pension {
        run.note(
            "acquisition.memberType",
            codes::NOTE_PENSION_NOT_APPLICABLE,
            format!(
                "資格取得時に{}歳のため、厚生年金の被保険者にはなりません（70歳以上）。",
                status.age
            ),
        );
    }
    if short_term && !status.late_elderly {
        if status.kaigo {
            run.note(
                "member.birthDate",
                codes::NOTE_KAIGO_APPLIES,
                format!(
                    "介護掛金の対象です（{}歳に達した日の属する月から{}歳に達した日の属する月の前月まで）。",
                    thresholds.kaigo_from, thresholds.kaigo_until
                ),
            );
        } else if status.age >= thresholds.kaigo_from {
            // Past 40 and not due: the month of reaching 65 has come.
            run.note(
                "member.birthDate",
                codes::NOTE_KAIGO_ENDED,
                format!(
                    "{}歳に達した日の属する月から介護掛金はかかりません（介護保険料は市区町村に納めます）。",
                    thresholds.kaigo_until
                ),
            );
        }
    }
}

fn check_term(run: &mut Run<'_>) {
    let section = &run.form.acquisition;
    if let (Some(start), Some(end)) = (section.term_start, section.term_end) {
        if end < start {
            run.error(
                "acquisition.termEnd",
                codes::ACQUISITION_TERM_END_BEFORE_START,
                "任期の終了日が開始日より前になっています。任期を確認してください。",
            );
            return;
        }
    }
    if let Some(acquired) = section.acquired_on {
        if section.term_end.is_some_and(|end| end < acquired) {
            run.error(
                "acquisition.termEnd",
                codes::ACQUISITION_TERM_END_BEFORE_ACQUISITION,
                "任期の終了日が資格取得年月日より前になっています。任期と資格取得年月日を確認してください。",
            );
        }
        if section.term_start.is_some_and(|start| acquired < start) {
            run.warning(
                "acquisition.acquiredOn",
                codes::ACQUISITION_BEFORE_TERM_START,
                "資格取得年月日が任期の開始日より前になっています。採用日（任期の開始日）を確認してください。",
            );
        }
    }
}

pub(super) fn check_employment(run: &mut Run<'_>) {
    let employment = &run.form.employment;
    if employment.salary_class == Some(0) {
        run.error(
            "employment.salaryClass",
            codes::EMPLOYMENT_ZERO,
            "級は1以上の数字で入力してください。",
        );
    }
    if employment.salary_step == Some(0) {
        run.error(
            "employment.salaryStep",
            codes::EMPLOYMENT_ZERO,
            "号給は1以上の数字で入力してください。",
        );
    }
}
