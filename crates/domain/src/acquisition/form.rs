//! The 組合員資格取得届 as a record: what the office clerk fills in, what the 所属所長
//! certifies and what the secretariat receives.
//!
//! Everything a clerk may not have filled in yet is an `Option` (or an empty list): a draft
//! can be incomplete, and [`super::check()`] says nothing about empty fields until
//! [`super::check_for_submission`]. The JSON (camelCase) crosses IPC and sync.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::ack::Acknowledgement;
use crate::dependants::Relationship;
use crate::ids::{self, IdError, MyNumber};
use crate::remuneration::RemunerationInput;

/// The whole notification.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AcquisitionForm {
    /// 所属所 and its certification.
    pub office: OfficeSection,
    /// The new member.
    pub member: MemberSection,
    /// 資格取得年月日, reason, member type, appointment.
    pub acquisition: AcquisitionSection,
    /// 職名 and 給料表・級号給.
    pub employment: EmploymentSection,
    /// Pay components (報酬月額 is computed from them).
    pub remuneration: RemunerationInput,
    /// 年金加入期間: earlier pension schemes.
    pub pension_history: Vec<PensionPeriod>,
    /// 被扶養者.
    pub dependants: Vec<Dependant>,
    /// Warnings the clerk has looked at and accepted.
    pub acknowledgements: Vec<Acknowledgement>,
}

/// 所属所 and its certification.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OfficeSection {
    /// 所属所番号 (up to 8 digits).
    pub code: Option<String>,
    /// 所属所名.
    pub name: Option<String>,
    /// The day the 所属所長 certified the notification (filled in at certification).
    pub certified_on: Option<NaiveDate>,
    /// 受付日: the day the association received it (filled in by the secretariat).
    pub received_on: Option<NaiveDate>,
}

/// 性別.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Sex {
    /// 男.
    Male,
    /// 女.
    Female,
}

/// A 個人番号 as typed, not yet checked. Its `Debug` prints `<redacted>` and it has no
/// `Display`; the digits leave only through [`MyNumberText::expose`]. It serialises as a
/// plain string because the form must travel to the central service; keep it out of logs.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MyNumberText(String);

impl MyNumberText {
    /// Wraps text as typed.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The text as typed. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether nothing but white space was typed.
    pub fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }

    /// Whether this is the central service's [`super::my_number::WITHHELD`] marker: a
    /// number is registered but this user may not see it.
    pub fn is_withheld(&self) -> bool {
        super::my_number::is_withheld(&self.0)
    }

    /// Checks the number ([`ids::validate_my_number`]).
    pub fn validate(&self) -> Result<MyNumber, IdError> {
        ids::validate_my_number(&self.0)
    }
}

impl fmt::Debug for MyNumberText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The new member.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MemberSection {
    /// 氏名, family and given name separated by a full-width space.
    pub name: Option<String>,
    /// フリガナ (full-width katakana).
    pub name_kana: Option<String>,
    /// 生年月日 (shown in 和暦).
    pub birth_date: Option<NaiveDate>,
    /// 性別.
    pub sex: Option<Sex>,
    /// 郵便番号 「163-8001」.
    pub postal_code: Option<String>,
    /// 住所.
    pub address: Option<String>,
    /// 個人番号 (redacted in `Debug`).
    pub my_number: Option<MyNumberText>,
    /// 基礎年金番号 「1234-567890」.
    pub basic_pension_number: Option<String>,
}

/// 取得事由.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AcquisitionReason {
    /// 新規採用.
    NewHire,
    /// 他共済から転入 (another 地方公務員共済組合).
    TransferFromOtherMutualAid,
    /// 国共済から (国家公務員共済組合).
    FromNationalMutualAid,
    /// 継続長期から復帰.
    ReturnFromContinuedLongTerm,
    /// その他 (described in `reasonDetail`).
    Other,
}

impl AcquisitionReason {
    /// The name on the form.
    pub fn name_ja(self) -> &'static str {
        match self {
            AcquisitionReason::NewHire => "新規採用",
            AcquisitionReason::TransferFromOtherMutualAid => "他共済から転入",
            AcquisitionReason::FromNationalMutualAid => "国共済から",
            AcquisitionReason::ReturnFromContinuedLongTerm => "継続長期から復帰",
            AcquisitionReason::Other => "その他",
        }
    }
}

/// 組合員種別.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MemberType {
    /// 一般組合員 (full-time 再任用 included).
    General,
    /// 知事組合員.
    Governor,
    /// 特定消防組合員.
    SpecifiedFirefighter,
    /// 長期組合員 (under 後期高齢者医療: no short-term benefits).
    LongTerm,
    /// 知事長期組合員.
    GovernorLongTerm,
    /// 船員一般組合員.
    SeafarerGeneral,
    /// 継続長期組合員.
    ContinuedLongTerm,
    /// 任意継続組合員.
    VoluntaryContinued,
    /// 短期組合員: part-time staff; they use a separate form, and choosing this is refused.
    ShortTerm,
}

impl MemberType {
    /// Every type, in the order the form lists them.
    pub const ALL: [MemberType; 9] = [
        MemberType::General,
        MemberType::Governor,
        MemberType::SpecifiedFirefighter,
        MemberType::LongTerm,
        MemberType::GovernorLongTerm,
        MemberType::SeafarerGeneral,
        MemberType::ContinuedLongTerm,
        MemberType::VoluntaryContinued,
        MemberType::ShortTerm,
    ];

    /// The name on the form.
    pub fn name_ja(self) -> &'static str {
        match self {
            MemberType::General => "一般組合員",
            MemberType::Governor => "知事組合員",
            MemberType::SpecifiedFirefighter => "特定消防組合員",
            MemberType::LongTerm => "長期組合員",
            MemberType::GovernorLongTerm => "知事長期組合員",
            MemberType::SeafarerGeneral => "船員一般組合員",
            MemberType::ContinuedLongTerm => "継続長期組合員",
            MemberType::VoluntaryContinued => "任意継続組合員",
            MemberType::ShortTerm => "短期組合員",
        }
    }

    /// Whether the member has short-term benefits (health; dependants can be recognised).
    pub fn has_short_term_benefits(self) -> bool {
        !matches!(
            self,
            MemberType::LongTerm | MemberType::GovernorLongTerm | MemberType::ContinuedLongTerm
        )
    }

    /// Whether the member is in 厚生年金 (before 70): all but 任意継続組合員 (short-term
    /// benefits only) and 短期組合員.
    pub fn has_pension(self) -> bool {
        !matches!(self, MemberType::VoluntaryContinued | MemberType::ShortTerm)
    }
}

/// 任用形態.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Appointment {
    /// 任期の定めのない常勤職員.
    Regular,
    /// 任期付職員.
    FixedTerm,
    /// 再任用（フルタイム）.
    Reappointment,
    /// その他.
    Other,
}

impl Appointment {
    /// Whether the appointment has a term (任期), which the form must then give.
    pub fn has_term(self) -> bool {
        matches!(self, Appointment::FixedTerm | Appointment::Reappointment)
    }
}

/// 資格取得年月日, reason, member type and appointment.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AcquisitionSection {
    /// 資格取得年月日.
    pub acquired_on: Option<NaiveDate>,
    /// 取得事由.
    pub reason: Option<AcquisitionReason>,
    /// The reason in words when `reason` is その他.
    pub reason_detail: Option<String>,
    /// 組合員種別.
    pub member_type: Option<MemberType>,
    /// 任用形態.
    pub appointment: Option<Appointment>,
    /// 任期の開始日.
    pub term_start: Option<NaiveDate>,
    /// 任期の終了日.
    pub term_end: Option<NaiveDate>,
    /// 遅延理由, when filed after the deadline.
    pub late_reason: Option<String>,
}

/// 職名 and 給料表・級号給.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EmploymentSection {
    /// 職名, e.g. 「主事」.
    pub job_title: Option<String>,
    /// 給料表, e.g. 「行政職給料表（一）」.
    pub salary_table: Option<String>,
    /// 級.
    pub salary_class: Option<u16>,
    /// 号給 (再任用 has none).
    pub salary_step: Option<u16>,
}

/// 年金制度 of an earlier membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PensionScheme {
    /// 国民年金.
    NationalPension,
    /// 厚生年金.
    EmployeesPension,
    /// 国家公務員共済組合.
    NationalMutualAid,
    /// 地方公務員共済組合.
    LocalMutualAid,
    /// 私立学校教職員共済.
    PrivateSchoolMutualAid,
    /// その他 (described in `kindDetail`).
    Other,
}

impl PensionScheme {
    /// The name on the form.
    pub fn name_ja(self) -> &'static str {
        match self {
            PensionScheme::NationalPension => "国民年金",
            PensionScheme::EmployeesPension => "厚生年金",
            PensionScheme::NationalMutualAid => "国共済",
            PensionScheme::LocalMutualAid => "地共済",
            PensionScheme::PrivateSchoolMutualAid => "私学共済",
            PensionScheme::Other => "その他",
        }
    }
}

/// One earlier pension membership (年金加入期間).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PensionPeriod {
    /// The scheme.
    pub kind: Option<PensionScheme>,
    /// The scheme in words when `kind` is その他.
    pub kind_detail: Option<String>,
    /// 取得日.
    pub acquired_on: Option<NaiveDate>,
    /// 喪失日: the first day no longer a member.
    pub lost_on: Option<NaiveDate>,
}

/// One 被扶養者.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Dependant {
    /// 氏名.
    pub name: Option<String>,
    /// フリガナ.
    pub name_kana: Option<String>,
    /// 続柄.
    pub relationship: Option<Relationship>,
    /// 生年月日.
    pub birth_date: Option<NaiveDate>,
    /// 同居 (`true`) or 別居 (`false`).
    pub lives_together: Option<bool>,
    /// 仕送りの記録あり (for a dependant living apart).
    pub remittance_recorded: Option<bool>,
    /// 年間収入見込み in yen, non-taxable income (遺族年金, 失業給付 …) included.
    pub annual_income: Option<i64>,
    /// 障害年金を受けられる程度の障害がある.
    pub disabled: Option<bool>,
    /// 国内居住.
    pub resides_in_japan: Option<bool>,
    /// 後期高齢者医療の被保険者.
    pub late_elderly_insured: Option<bool>,
}
