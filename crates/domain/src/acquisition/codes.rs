//! The stable codes of the findings and notes of [`super::check()`]. The UI and the message
//! catalogue switch on these; never change one, add a new one instead.

/// A field needed for submission is empty ([`super::check_for_submission`] only).
pub const REQUIRED: &str = "required";

/// 所属所番号 is not 1–8 digits (from [`crate::settings::check_office_code`]).
pub const OFFICE_CODE_FORMAT: &str = "settings.office_code_format";
/// The certification date is after today.
pub const OFFICE_CERTIFIED_IN_FUTURE: &str = "office.certified_in_future";
/// 受付日 is after today.
pub const OFFICE_RECEIVED_IN_FUTURE: &str = "office.received_in_future";
/// 受付日 is before the certification date (warning).
pub const OFFICE_RECEIVED_BEFORE_CERTIFIED: &str = "office.received_before_certified";

/// 個人番号: not 12 digits (from [`crate::ids`]).
pub const MY_NUMBER_FORMAT: &str = "my_number.format";
/// 個人番号: check digit wrong (from [`crate::ids`]).
pub const MY_NUMBER_CHECK_DIGIT: &str = "my_number.check_digit";
/// 基礎年金番号 not 10 digits (from [`crate::ids`]).
pub const PENSION_NUMBER_FORMAT: &str = "pension_number.format";
/// 郵便番号 not 7 digits (from [`crate::ids`]).
pub const POSTAL_CODE_FORMAT: &str = "postal_code.format";
/// フリガナ not katakana (from [`crate::kana`]).
pub const KANA_NOT_KATAKANA: &str = "kana.not_katakana";
/// Neither 個人番号 nor 基礎年金番号 (submission).
pub const MEMBER_ID_NUMBER_REQUIRED: &str = "member.id_number_required";
/// 生年月日 is after today.
pub const MEMBER_BIRTH_IN_FUTURE: &str = "member.birth_in_future";
/// 生年月日 is on or after 資格取得年月日.
pub const MEMBER_BIRTH_AFTER_ACQUISITION: &str = "member.birth_after_acquisition";
/// 生年月日 before 明治 (from [`crate::wareki`]).
pub const MEMBER_BIRTH_BEFORE_MEIJI: &str = "wareki.before_meiji";
/// Younger than the plausible working age at acquisition (warning).
pub const MEMBER_UNDER_MINIMUM_AGE: &str = "member.under_minimum_age";
/// 75 or over at acquisition with a type that has short-term benefits.
pub const MEMBER_LATE_ELDERLY: &str = "member.late_elderly";

/// 資格取得年月日 too far in the future.
pub const ACQUISITION_FAR_FUTURE: &str = "acquisition.far_future";
/// Received more than 5 days after 資格取得年月日 (warning).
pub const ACQUISITION_LATE_FILING: &str = "acquisition.late_filing";
/// 短期組合員 chosen: they use a separate form.
pub const ACQUISITION_SHORT_TERM_MEMBER: &str = "acquisition.short_term_member";
/// 任期の終了日 before its start.
pub const ACQUISITION_TERM_END_BEFORE_START: &str = "acquisition.term_end_before_start";
/// 任期の終了日 before 資格取得年月日.
pub const ACQUISITION_TERM_END_BEFORE_ACQUISITION: &str = "acquisition.term_end_before_acquisition";
/// 資格取得年月日 before the term starts (warning).
pub const ACQUISITION_BEFORE_TERM_START: &str = "acquisition.before_term_start";

/// 級 or 号給 is 0.
pub const EMPLOYMENT_ZERO: &str = "employment.zero";

/// An amount is negative (from [`crate::remuneration`]).
pub const REMUNERATION_NEGATIVE: &str = "remuneration.negative";
/// The period of 給料 is 0 days (from [`crate::remuneration`]).
pub const REMUNERATION_ZERO_PERIOD_DAYS: &str = "remuneration.zero_period_days";
/// 通勤手当 for 0 months (from [`crate::remuneration`]).
pub const REMUNERATION_ZERO_COMMUTING_MONTHS: &str = "remuneration.zero_commuting_months";
/// The total does not fit (from [`crate::remuneration`]).
pub const REMUNERATION_OVERFLOW: &str = "remuneration.overflow";
/// 給料 is 0 (warning).
pub const REMUNERATION_SALARY_ZERO: &str = "remuneration.salary_zero";
/// 報酬月額 implausibly high (warning).
pub const REMUNERATION_IMPLAUSIBLE: &str = "remuneration.implausible";
/// No grade table for 資格取得年月日 (from [`crate::grades`], warning).
pub const GRADES_NO_TABLE: &str = "grades.no_table";

/// 喪失日 before 取得日.
pub const PENSION_HISTORY_LOST_BEFORE_ACQUIRED: &str = "pension_history.lost_before_acquired";
/// 取得日 before the member's birth.
pub const PENSION_HISTORY_BEFORE_BIRTH: &str = "pension_history.before_birth";
/// The period runs past this 資格取得年月日 (warning).
pub const PENSION_HISTORY_AFTER_ACQUISITION: &str = "pension_history.after_acquisition";
/// Two periods overlap (warning).
pub const PENSION_HISTORY_OVERLAP: &str = "pension_history.overlap";

/// A dependant born after 資格取得年月日.
pub const DEPENDANT_BIRTH_AFTER_ACQUISITION: &str = "dependant.birth_after_acquisition";
/// A dependant aged 75 or over (後期高齢者医療).
pub const DEPENDANT_AGED_75: &str = "dependant.aged_75";
/// A dependant insured under 後期高齢者医療.
pub const DEPENDANT_LATE_ELDERLY_INSURED: &str = "dependant.late_elderly_insured";
/// 年間収入見込み negative.
pub const DEPENDANT_INCOME_NEGATIVE: &str = "dependant.income_negative";
/// 年間収入見込み not below the limit.
pub const DEPENDANT_INCOME_OVER_LIMIT: &str = "dependant.income_over_limit";
/// Living apart without recorded remittance.
pub const DEPENDANT_REMITTANCE_REQUIRED: &str = "dependant.remittance_required";
/// A relative who must live in the same household lives apart.
pub const DEPENDANT_SAME_HOUSEHOLD_REQUIRED: &str = "dependant.same_household_required";
/// Not living in Japan (warning: exceptions exist).
pub const DEPENDANT_OUTSIDE_JAPAN: &str = "dependant.outside_japan";
/// More than one spouse.
pub const DEPENDANT_MULTIPLE_SPOUSES: &str = "dependant.multiple_spouses";
/// A child older than the member, or a parent younger (warning).
pub const DEPENDANT_AGE_INCONSISTENT: &str = "dependant.age_inconsistent";
/// Dependants for a member type without short-term benefits (長期組合員 …).
pub const DEPENDANT_NOT_APPLICABLE: &str = "dependant.not_applicable";
/// Dependants of a member aged 75 or over.
pub const DEPENDANT_MEMBER_LATE_ELDERLY: &str = "dependant.member_late_elderly";

/// Every finding code [`super::check()`] and [`super::check_for_submission`] can report.
pub const FINDING_CODES: &[&str] = &[
    REQUIRED,
    OFFICE_CODE_FORMAT,
    OFFICE_CERTIFIED_IN_FUTURE,
    OFFICE_RECEIVED_IN_FUTURE,
    OFFICE_RECEIVED_BEFORE_CERTIFIED,
    MY_NUMBER_FORMAT,
    MY_NUMBER_CHECK_DIGIT,
    PENSION_NUMBER_FORMAT,
    POSTAL_CODE_FORMAT,
    KANA_NOT_KATAKANA,
    MEMBER_ID_NUMBER_REQUIRED,
    MEMBER_BIRTH_IN_FUTURE,
    MEMBER_BIRTH_AFTER_ACQUISITION,
    MEMBER_BIRTH_BEFORE_MEIJI,
    MEMBER_UNDER_MINIMUM_AGE,
    MEMBER_LATE_ELDERLY,
    ACQUISITION_FAR_FUTURE,
    ACQUISITION_LATE_FILING,
    ACQUISITION_SHORT_TERM_MEMBER,
    ACQUISITION_TERM_END_BEFORE_START,
    ACQUISITION_TERM_END_BEFORE_ACQUISITION,
    ACQUISITION_BEFORE_TERM_START,
    EMPLOYMENT_ZERO,
    REMUNERATION_NEGATIVE,
    REMUNERATION_ZERO_PERIOD_DAYS,
    REMUNERATION_ZERO_COMMUTING_MONTHS,
    REMUNERATION_OVERFLOW,
    REMUNERATION_SALARY_ZERO,
    REMUNERATION_IMPLAUSIBLE,
    GRADES_NO_TABLE,
    PENSION_HISTORY_LOST_BEFORE_ACQUIRED,
    PENSION_HISTORY_BEFORE_BIRTH,
    PENSION_HISTORY_AFTER_ACQUISITION,
    PENSION_HISTORY_OVERLAP,
    DEPENDANT_BIRTH_AFTER_ACQUISITION,
    DEPENDANT_AGED_75,
    DEPENDANT_LATE_ELDERLY_INSURED,
    DEPENDANT_INCOME_NEGATIVE,
    DEPENDANT_INCOME_OVER_LIMIT,
    DEPENDANT_REMITTANCE_REQUIRED,
    DEPENDANT_SAME_HOUSEHOLD_REQUIRED,
    DEPENDANT_OUTSIDE_JAPAN,
    DEPENDANT_MULTIPLE_SPOUSES,
    DEPENDANT_AGE_INCONSISTENT,
    DEPENDANT_NOT_APPLICABLE,
    DEPENDANT_MEMBER_LATE_ELDERLY,
];

/// 介護掛金 is due (40 to under 65).
pub const NOTE_KAIGO_APPLIES: &str = "note.kaigo_applies";
/// 65 or over: 介護掛金 is not due.
pub const NOTE_KAIGO_ENDED: &str = "note.kaigo_ended";
/// 70 or over: not in 厚生年金.
pub const NOTE_PENSION_NOT_APPLICABLE: &str = "note.pension_not_applicable";
/// 任意継続組合員: no 厚生年金, and the 標準報酬 is not decided from current pay.
pub const NOTE_VOLUNTARY_CONTINUED: &str = "note.voluntary_continued";
/// A type without short-term benefits.
pub const NOTE_NO_SHORT_TERM: &str = "note.no_short_term";
/// The 厚生年金 band is 要確認.
pub const NOTE_GRADE_UNCONFIRMED: &str = "note.grade_unconfirmed";
/// The income limit applied to a dependant is 要確認.
pub const NOTE_INCOME_LIMIT_UNCONFIRMED: &str = "note.income_limit_unconfirmed";
/// No age rule is recorded for 資格取得年月日.
pub const NOTE_NO_AGE_RULE: &str = "note.no_age_rule";

/// Every note code.
pub const NOTE_CODES: &[&str] = &[
    NOTE_KAIGO_APPLIES,
    NOTE_KAIGO_ENDED,
    NOTE_PENSION_NOT_APPLICABLE,
    NOTE_VOLUNTARY_CONTINUED,
    NOTE_NO_SHORT_TERM,
    NOTE_GRADE_UNCONFIRMED,
    NOTE_INCOME_LIMIT_UNCONFIRMED,
    NOTE_NO_AGE_RULE,
];
