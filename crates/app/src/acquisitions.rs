//! 組合員資格取得届 (kind `acquisition`) at the affiliated office: the clerk's queue of
//! this PC's notifications, the form with its live checks and grades, saving a draft,
//! acknowledging warnings, submitting it on the approval route (所属所長 → 事務局審査担当
//! → 決裁者) and withdrawing it.
//!
//! Every rule is `kyosai_domain`'s: [`acquisition::assess_with`] for findings, notes and
//! grades, [`acquisition::normalize`] before saving, the `FilingDeadline` rule data for
//! the deadline, and the approval engine for the workflow. This module only converts
//! what the form typed (text) into the domain's [`AcquisitionForm`] and back.
//!
//! The record body is the form's camelCase JSON (plus `acknowledgementLog`: who
//! acknowledged which warning, when). The 個人番号 never appears in a list, is never
//! logged, and leaves this module in full only through [`reveal_my_number_of`]: the
//! editor gets it masked, and a form sent back without it keeps the stored one.

use chrono::{DateTime, NaiveDate, Utc};
use kyosai_domain::acquisition::{
    self, my_number, Acknowledgement, AcquisitionForm, Assessment, CheckContext, CheckMode,
    MemberType, MyNumberText,
};
use kyosai_domain::approval::{self as ap, engine, ActKind, Context, DecisionTable, Flags};
use kyosai_domain::dependants::Relationship;
use kyosai_domain::finding::{Finding, Severity};
use kyosai_domain::remuneration::{OtherAllowance, PayBasis, RemunerationInput};
use kyosai_domain::rules::RuleSet;
use kyosai_domain::{kana, wareki};
use kyosai_store::sync::{DraftState, LocalRecord};
use kyosai_store::Store;
use kyosai_sync_client::SharedStore;
use kyosai_sync_protocol::approval::{Submit, SUBMIT};
use kyosai_sync_protocol::UserInfo;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::approvals::{actor_of, last_reason, parse_id, refusal, People};
use crate::findings::{FindingDto, SeverityDto};
use crate::input::{text, Reader};
use crate::sync::{time_text, with_store};
use crate::AppError;

/// The record kind on the wire.
pub const KIND: &str = "acquisition";
/// The body key of the acknowledgement log (who acknowledged which warning, when).
pub const ACK_LOG_KEY: &str = "acknowledgementLog";
const TITLE_PREFIX: &str = "組合員資格取得届";

// ---------------------------------------------------------------------------------------
// The form as the editor sends it: text as typed.

/// 所属所 and its certification.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default)]
pub struct OfficeDto {
    pub code: String,
    pub name: String,
    /// `YYYY-MM-DD` or empty.
    pub certified_on: String,
    pub received_on: String,
}

/// 本人.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default)]
pub struct MemberDto {
    pub name: String,
    pub name_kana: String,
    pub birth_date: String,
    /// `male`, `female` or empty.
    pub sex: String,
    pub postal_code: String,
    pub address: String,
    /// `None`: unchanged (the stored number is kept; the editor never had it in full).
    /// `Some("")`: cleared.
    pub my_number: Option<String>,
    pub basic_pension_number: String,
}

/// 資格取得.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default)]
pub struct AcquisitionDto {
    pub acquired_on: String,
    pub reason: String,
    pub reason_detail: String,
    pub member_type: String,
    pub appointment: String,
    pub term_start: String,
    pub term_end: String,
    pub late_reason: String,
}

/// 職名・給料表・級号給.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default)]
pub struct EmploymentDto {
    pub job_title: String,
    pub salary_table: String,
    pub salary_class: String,
    pub salary_step: String,
}

/// A fixed allowance not listed by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default)]
pub struct OtherAllowanceDto {
    pub name: String,
    pub amount: String,
}

/// The pay components; amounts as typed (「143,700」, full-width digits accepted).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default)]
pub struct RemunerationDto {
    /// `monthly`, `weekly`, `daily`, `otherPeriod` or empty (monthly).
    pub pay_basis: String,
    pub period_days: String,
    pub salary: String,
    pub regional_allowance: String,
    pub dependants_allowance: String,
    pub housing_allowance: String,
    pub commuting_allowance: String,
    pub commuting_months: String,
    pub other_allowances: Vec<OtherAllowanceDto>,
    pub projected_overtime: String,
    pub excluded_bonus: String,
    pub excluded_over_three_months: String,
}

/// One earlier pension membership.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default)]
pub struct PensionPeriodDto {
    pub kind: String,
    pub kind_detail: String,
    pub acquired_on: String,
    pub lost_on: String,
}

/// One 被扶養者.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default)]
pub struct DependantDto {
    pub name: String,
    pub name_kana: String,
    pub relationship: String,
    pub birth_date: String,
    pub lives_together: Option<bool>,
    pub remittance_recorded: Option<bool>,
    pub annual_income: String,
    pub disabled: Option<bool>,
    pub resides_in_japan: Option<bool>,
    pub late_elderly_insured: Option<bool>,
}

/// An acknowledged warning.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AckDto {
    pub code: String,
    pub field: String,
}

/// The whole form as the editor holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default)]
pub struct AcquisitionFormDto {
    pub office: OfficeDto,
    pub member: MemberDto,
    pub acquisition: AcquisitionDto,
    pub employment: EmploymentDto,
    pub remuneration: RemunerationDto,
    pub pension_history: Vec<PensionPeriodDto>,
    pub dependants: Vec<DependantDto>,
    pub acknowledgements: Vec<AckDto>,
}

/// What the editor sends to check, save, acknowledge or submit: no id for a new one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AcquisitionInput {
    pub id: Option<String>,
    pub form: AcquisitionFormDto,
}

// ---------------------------------------------------------------------------------------
// What the screens get back.

/// A finding, with whether the form acknowledges it (warnings only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AcqFindingDto {
    pub field: String,
    pub code: String,
    pub severity: SeverityDto,
    pub message: String,
    pub acknowledged: bool,
}

/// A fact to show beside a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct NoteDto {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// One grade: 「第13級 160,000円」.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct GradeDto {
    pub grade: u32,
    /// Yen as decimal digits.
    pub standard_monthly: String,
    /// 「第13級 160,000円」.
    pub text: String,
}

/// 報酬月額 and the grades it gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct GradesDto {
    /// Yen as decimal digits.
    pub monthly: String,
    /// 「157,700円」.
    pub monthly_text: String,
    pub health: GradeDto,
    /// `None` from 70 (no 厚生年金).
    pub pension: Option<GradeDto>,
    /// 「令和6年8月31日 (2024-08-31)」.
    pub valid_until_text: Option<String>,
}

/// Findings, notes and grades for the form as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AssessmentDto {
    pub findings: Vec<AcqFindingDto>,
    pub notes: Vec<NoteDto>,
    pub grades: Option<GradesDto>,
    pub errors: u32,
    /// Warnings no acknowledgement covers.
    pub unacknowledged: u32,
}

/// One line of the queue. Never holds the 個人番号.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AcquisitionListItem {
    pub id: String,
    pub member_name: String,
    pub member_kana: String,
    pub office_code: String,
    /// `YYYY-MM-DD` or empty.
    pub acquired_on: String,
    /// 「令和6年4月1日 (2024-04-01)」 or empty.
    pub acquired_on_text: String,
    /// `draft`, `certify`, `review`, `register`, `registered`, `returned`, `rejected`,
    /// `withdrawn`.
    pub stage: String,
    /// 「下書き」「所属所長の証明待ち」「事務局の審査待ち」「登録待ち」「登録済み」
    /// 「差戻し（理由: …）」「取下げ」.
    pub stage_label: String,
    /// The reason of the last 差戻し.
    pub reason: Option<String>,
    /// The 届出期限 (`YYYY-MM-DD`), when the acquisition date is known.
    pub deadline: Option<String>,
    /// Days from today (Japan time) to the deadline; negative when past.
    pub days_left: Option<i32>,
    /// `none` (no date or finished), `ok`, `soon` (2 days or less), `today`, `overdue`.
    pub deadline_state: String,
    /// 「4月6日まで あと3日」 / 「期限を2日過ぎています」.
    pub deadline_text: String,
    /// 未送信 / 競合 / 差戻し … of an unsent edit.
    pub sync_label: Option<String>,
    /// A submission or withdrawal is unsent (送信待ち).
    pub pending: bool,
    pub updated_at: Option<String>,
}

/// A notification as the editor opens it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AcquisitionView {
    pub item: AcquisitionListItem,
    /// The form; `member.myNumber` is `None` (see `myNumberMasked`).
    pub form: AcquisitionFormDto,
    /// 「●●●● ●●●● 1234」 when a number is stored.
    pub my_number_masked: Option<String>,
    /// A number is registered but the central service withholds it from this user: shown as registered, never revealed.
    pub my_number_withheld: bool,
    pub assessment: AssessmentDto,
    /// Who acknowledged which warning, when.
    pub acknowledgement_log: Vec<AckLogEntry>,
    pub can_edit: bool,
    pub can_submit: bool,
    pub can_withdraw: bool,
    /// Where the values came from, for a draft made from a read paper form.
    pub ocr_provenance: Option<crate::ocr::ProvenanceView>,
}

/// One acknowledgement as recorded at saving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AckLogEntry {
    pub code: String,
    pub field: String,
    pub by: String,
    /// RFC 3339.
    pub at: String,
}

/// A choice of a select box.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OptionDto {
    pub value: String,
    pub label: String,
}

/// The choices of the form's select boxes, with the names of the domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AcquisitionOptions {
    pub sexes: Vec<OptionDto>,
    pub reasons: Vec<OptionDto>,
    pub member_types: Vec<OptionDto>,
    pub appointments: Vec<OptionDto>,
    pub pay_bases: Vec<OptionDto>,
    pub pension_schemes: Vec<OptionDto>,
    pub relationships: Vec<OptionDto>,
}

// ---------------------------------------------------------------------------------------
// Text ⇔ domain

fn id_of<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn opt<T: Serialize>(label: &str, v: T) -> OptionDto {
    OptionDto {
        value: id_of(&v),
        label: label.to_string(),
    }
}

/// The choices, labelled as the form prints them.
pub fn options() -> AcquisitionOptions {
    use acquisition::{AcquisitionReason as R, Appointment as A, PensionScheme as P, Sex};
    AcquisitionOptions {
        sexes: vec![opt("男", Sex::Male), opt("女", Sex::Female)],
        reasons: [
            R::NewHire,
            R::TransferFromOtherMutualAid,
            R::FromNationalMutualAid,
            R::ReturnFromContinuedLongTerm,
            R::Other,
        ]
        .into_iter()
        .map(|r| opt(r.name_ja(), r))
        .collect(),
        member_types: MemberType::ALL
            .into_iter()
            .map(|m| opt(m.name_ja(), m))
            .collect(),
        appointments: vec![
            opt("任期の定めのない常勤職員", A::Regular),
            opt("任期付職員", A::FixedTerm),
            opt("再任用（フルタイム）", A::Reappointment),
            opt("その他", A::Other),
        ],
        pay_bases: vec![
            opt("月給", PayBasis::Monthly),
            opt("週給", PayBasis::Weekly),
            opt("日給", PayBasis::Daily),
            opt("その他の期間", PayBasis::OtherPeriod),
        ],
        pension_schemes: [
            P::NationalPension,
            P::EmployeesPension,
            P::NationalMutualAid,
            P::LocalMutualAid,
            P::PrivateSchoolMutualAid,
            P::Other,
        ]
        .into_iter()
        .map(|p| opt(p.name_ja(), p))
        .collect(),
        relationships: Relationship::ALL
            .into_iter()
            .map(|r| opt(r.name_ja(), r))
            .collect(),
    }
}

/// The domain form of what was typed, and the problems of reading it. `stored` gives
/// the 個人番号 when the editor sent none.
fn to_form(
    dto: &AcquisitionFormDto,
    stored: Option<&MyNumberText>,
) -> (AcquisitionForm, Vec<Finding>) {
    let mut r = Reader::default();
    let mut f = AcquisitionForm::default();
    let o = &dto.office;
    f.office.code = text(&o.code);
    f.office.name = text(&o.name);
    f.office.certified_on = r.date("office.certifiedOn", &o.certified_on);
    f.office.received_on = r.date("office.receivedOn", &o.received_on);
    let m = &dto.member;
    f.member.name = text(&m.name);
    f.member.name_kana = text(&m.name_kana);
    f.member.birth_date = r.date("member.birthDate", &m.birth_date);
    f.member.sex = r.choice("member.sex", &m.sex);
    f.member.postal_code = text(&m.postal_code);
    f.member.address = text(&m.address);
    f.member.my_number = match &m.my_number {
        Some(n) if n.trim().is_empty() => None,
        // The marker is the server's, never a typed number.
        Some(n) if my_number::is_withheld(n) => stored.cloned(),
        Some(n) => Some(MyNumberText::new(n.clone())),
        None => stored.cloned(),
    };
    f.member.basic_pension_number = text(&m.basic_pension_number);
    let a = &dto.acquisition;
    f.acquisition.acquired_on = r.date("acquisition.acquiredOn", &a.acquired_on);
    f.acquisition.reason = r.choice("acquisition.reason", &a.reason);
    f.acquisition.reason_detail = text(&a.reason_detail);
    f.acquisition.member_type = r.choice("acquisition.memberType", &a.member_type);
    f.acquisition.appointment = r.choice("acquisition.appointment", &a.appointment);
    f.acquisition.term_start = r.date("acquisition.termStart", &a.term_start);
    f.acquisition.term_end = r.date("acquisition.termEnd", &a.term_end);
    f.acquisition.late_reason = text(&a.late_reason);
    let e = &dto.employment;
    f.employment.job_title = text(&e.job_title);
    f.employment.salary_table = text(&e.salary_table);
    f.employment.salary_class = r.count("employment.salaryClass", &e.salary_class);
    f.employment.salary_step = r.count("employment.salaryStep", &e.salary_step);
    let p = &dto.remuneration;
    f.remuneration = RemunerationInput {
        pay_basis: r.choice("remuneration.payBasis", &p.pay_basis),
        period_days: r.count("remuneration.periodDays", &p.period_days),
        salary: r.yen("remuneration.salary", &p.salary),
        regional_allowance: r.yen("remuneration.regionalAllowance", &p.regional_allowance),
        dependants_allowance: r.yen("remuneration.dependantsAllowance", &p.dependants_allowance),
        housing_allowance: r.yen("remuneration.housingAllowance", &p.housing_allowance),
        commuting_allowance: r.yen("remuneration.commutingAllowance", &p.commuting_allowance),
        commuting_months: r.count("remuneration.commutingMonths", &p.commuting_months),
        other_allowances: p
            .other_allowances
            .iter()
            .enumerate()
            .map(|(i, x)| OtherAllowance {
                name: text(&x.name),
                amount: r.yen(
                    &format!("remuneration.otherAllowances[{i}].amount"),
                    &x.amount,
                ),
            })
            .collect(),
        projected_overtime: r.yen("remuneration.projectedOvertime", &p.projected_overtime),
        excluded_bonus: r.yen("remuneration.excludedBonus", &p.excluded_bonus),
        excluded_over_three_months: r.yen(
            "remuneration.excludedOverThreeMonths",
            &p.excluded_over_three_months,
        ),
    };
    f.pension_history = dto
        .pension_history
        .iter()
        .enumerate()
        .map(|(i, x)| acquisition::PensionPeriod {
            kind: r.choice(&format!("pensionHistory[{i}].kind"), &x.kind),
            kind_detail: text(&x.kind_detail),
            acquired_on: r.date(&format!("pensionHistory[{i}].acquiredOn"), &x.acquired_on),
            lost_on: r.date(&format!("pensionHistory[{i}].lostOn"), &x.lost_on),
        })
        .collect();
    f.dependants = dto
        .dependants
        .iter()
        .enumerate()
        .map(|(i, x)| acquisition::Dependant {
            name: text(&x.name),
            name_kana: text(&x.name_kana),
            relationship: r.choice(&format!("dependants[{i}].relationship"), &x.relationship),
            birth_date: r.date(&format!("dependants[{i}].birthDate"), &x.birth_date),
            lives_together: x.lives_together,
            remittance_recorded: x.remittance_recorded,
            annual_income: r.yen(&format!("dependants[{i}].annualIncome"), &x.annual_income),
            disabled: x.disabled,
            resides_in_japan: x.resides_in_japan,
            late_elderly_insured: x.late_elderly_insured,
        })
        .collect();
    f.acknowledgements = dto
        .acknowledgements
        .iter()
        .map(|a| Acknowledgement {
            code: a.code.clone(),
            field: a.field.clone(),
        })
        .collect();
    (f, r.findings)
}

fn s(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}
fn d(v: Option<NaiveDate>) -> String {
    v.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}
fn n<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}
fn c<T: Serialize>(v: &Option<T>) -> String {
    v.as_ref().map(id_of).unwrap_or_default()
}

/// The editor's form of a stored one, without the 個人番号.
fn from_form(f: &AcquisitionForm) -> AcquisitionFormDto {
    let p = &f.remuneration;
    AcquisitionFormDto {
        office: OfficeDto {
            code: s(&f.office.code),
            name: s(&f.office.name),
            certified_on: d(f.office.certified_on),
            received_on: d(f.office.received_on),
        },
        member: MemberDto {
            name: s(&f.member.name),
            name_kana: s(&f.member.name_kana),
            birth_date: d(f.member.birth_date),
            sex: c(&f.member.sex),
            postal_code: s(&f.member.postal_code),
            address: s(&f.member.address),
            my_number: None,
            basic_pension_number: s(&f.member.basic_pension_number),
        },
        acquisition: AcquisitionDto {
            acquired_on: d(f.acquisition.acquired_on),
            reason: c(&f.acquisition.reason),
            reason_detail: s(&f.acquisition.reason_detail),
            member_type: c(&f.acquisition.member_type),
            appointment: c(&f.acquisition.appointment),
            term_start: d(f.acquisition.term_start),
            term_end: d(f.acquisition.term_end),
            late_reason: s(&f.acquisition.late_reason),
        },
        employment: EmploymentDto {
            job_title: s(&f.employment.job_title),
            salary_table: s(&f.employment.salary_table),
            salary_class: n(f.employment.salary_class),
            salary_step: n(f.employment.salary_step),
        },
        remuneration: RemunerationDto {
            pay_basis: c(&p.pay_basis),
            period_days: n(p.period_days),
            salary: n(p.salary),
            regional_allowance: n(p.regional_allowance),
            dependants_allowance: n(p.dependants_allowance),
            housing_allowance: n(p.housing_allowance),
            commuting_allowance: n(p.commuting_allowance),
            commuting_months: n(p.commuting_months),
            other_allowances: p
                .other_allowances
                .iter()
                .map(|a| OtherAllowanceDto {
                    name: s(&a.name),
                    amount: n(a.amount),
                })
                .collect(),
            projected_overtime: n(p.projected_overtime),
            excluded_bonus: n(p.excluded_bonus),
            excluded_over_three_months: n(p.excluded_over_three_months),
        },
        pension_history: f
            .pension_history
            .iter()
            .map(|x| PensionPeriodDto {
                kind: c(&x.kind),
                kind_detail: s(&x.kind_detail),
                acquired_on: d(x.acquired_on),
                lost_on: d(x.lost_on),
            })
            .collect(),
        dependants: f
            .dependants
            .iter()
            .map(|x| DependantDto {
                name: s(&x.name),
                name_kana: s(&x.name_kana),
                relationship: c(&x.relationship),
                birth_date: d(x.birth_date),
                lives_together: x.lives_together,
                remittance_recorded: x.remittance_recorded,
                annual_income: n(x.annual_income),
                disabled: x.disabled,
                resides_in_japan: x.resides_in_japan,
                late_elderly_insured: x.late_elderly_insured,
            })
            .collect(),
        acknowledgements: f
            .acknowledgements
            .iter()
            .map(|a| AckDto {
                code: a.code.clone(),
                field: a.field.clone(),
            })
            .collect(),
    }
}

/// What the screen shows for a 個人番号 the central service withholds from this user.
pub const MY_NUMBER_WITHHELD_TEXT: &str = "登録済み（表示の権限がありません）";

/// 「●●●● ●●●● 1234」: only the last four digits shown.
/// A number withheld from this user (`my_number::WITHHELD`) reads
/// [`MY_NUMBER_WITHHELD_TEXT`].
pub fn mask_my_number(n: &MyNumberText) -> String {
    if n.is_withheld() {
        return MY_NUMBER_WITHHELD_TEXT.to_string();
    }
    let digits: Vec<char> = kana::normalize_nfkc(n.expose())
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let tail: String = digits[digits.len().saturating_sub(4)..].iter().collect();
    format!("●●●● ●●●● {tail}")
}

// ---------------------------------------------------------------------------------------
// Checks

/// Today in Japan.
pub fn today_jst(now: DateTime<Utc>) -> NaiveDate {
    ap::jst(now).date()
}

fn yen_text(n: i64) -> String {
    format!("{}円", ap::yen(n))
}

fn grade_dto(g: kyosai_domain::grades::Grade) -> GradeDto {
    GradeDto {
        grade: u32::from(g.grade),
        standard_monthly: g.standard_monthly.to_string(),
        text: format!("第{}級 {}", g.grade, yen_text(g.standard_monthly)),
    }
}

fn assessment_dto(a: Assessment, reading: Vec<Finding>, acks: &[Acknowledgement]) -> AssessmentDto {
    let mut findings: Vec<Finding> = reading;
    // A field that could not be read has no domain findings of its own worth showing.
    findings.extend(a.findings);
    let findings: Vec<AcqFindingDto> = findings
        .into_iter()
        .map(|f| {
            let acknowledged =
                f.severity == Severity::Warning && acks.iter().any(|k| k.matches(&f));
            let dto = FindingDto::from(f);
            AcqFindingDto {
                field: dto.field,
                code: dto.code,
                severity: dto.severity,
                message: dto.message,
                acknowledged,
            }
        })
        .collect();
    let errors = findings
        .iter()
        .filter(|f| f.severity == SeverityDto::Error)
        .count();
    let unacknowledged = findings
        .iter()
        .filter(|f| f.severity == SeverityDto::Warning && !f.acknowledged)
        .count();
    AssessmentDto {
        notes: a
            .notes
            .into_iter()
            .map(|n| NoteDto {
                field: n.field,
                code: n.code.to_string(),
                message: n.message,
            })
            .collect(),
        grades: a.grades.map(|g| GradesDto {
            monthly: g.monthly.to_string(),
            monthly_text: yen_text(g.monthly),
            health: grade_dto(g.health),
            pension: g.pension.map(grade_dto),
            valid_until_text: a.grade_valid_until.map(wareki::format_with_seireki),
        }),
        findings,
        errors: u32::try_from(errors).unwrap_or(u32::MAX),
        unacknowledged: u32::try_from(unacknowledged).unwrap_or(u32::MAX),
    }
}

fn assess_form(
    form: &AcquisitionForm,
    reading: Vec<Finding>,
    today: NaiveDate,
    mode: CheckMode,
) -> AssessmentDto {
    let ctx = CheckContext {
        today,
        received_on: None,
    };
    let a = acquisition::assess_with(form, &ctx, RuleSet::builtin(), mode);
    assessment_dto(a, reading, &form.acknowledgements)
}

fn stored_my_number(
    store: &mut Store,
    id: &Option<String>,
) -> Result<Option<MyNumberText>, AppError> {
    let Some(id) = id else { return Ok(None) };
    let id = parse_id(id)?;
    Ok(store
        .sync()
        .record(id)?
        .and_then(|r| form_of(&r).member.my_number))
}

/// Findings, notes and grades of the form as typed (`submission`: also every empty
/// required field).
pub fn check_on(
    store: &mut Store,
    input: &AcquisitionInput,
    submission: bool,
    now: DateTime<Utc>,
) -> Result<AssessmentDto, AppError> {
    let stored = if input.form.member.my_number.is_none() {
        stored_my_number(store, &input.id)?
    } else {
        None
    };
    let (form, reading) = to_form(&input.form, stored.as_ref());
    let mode = if submission {
        CheckMode::Submission
    } else {
        CheckMode::AsYouType
    };
    Ok(assess_form(&form, reading, today_jst(now), mode))
}

/// [`check_on`] on the shared store.
pub async fn check(
    store: &SharedStore,
    input: AcquisitionInput,
    submission: bool,
) -> Result<AssessmentDto, AppError> {
    with_store(store, move |s| check_on(s, &input, submission, Utc::now())).await
}

/// Acknowledges the warning `code` on `field` of the form as it stands: refused for an
/// error or a warning the form does not have. Returns the form with the
/// acknowledgement (saving records who and when).
pub fn acknowledge_on(
    store: &mut Store,
    input: &AcquisitionInput,
    code: &str,
    field: &str,
    now: DateTime<Utc>,
) -> Result<AcquisitionFormDto, AppError> {
    let a = check_on(store, input, true, now)?;
    let Some(f) = a
        .findings
        .iter()
        .find(|f| f.code == code && f.field == field)
    else {
        return Err(AppError::new(
            "acquisition.no_such_warning",
            "この警告は現在の入力では出ていません。もう一度確認してください。",
        ));
    };
    if f.severity == SeverityDto::Error {
        return Err(AppError::new(
            "acquisition.error_not_acknowledgeable",
            "誤り（赤）は確認済みにできません。入力を直してください。",
        ));
    }
    let mut form = input.form.clone();
    let ack = AckDto {
        code: code.to_string(),
        field: field.to_string(),
    };
    if !form.acknowledgements.contains(&ack) {
        form.acknowledgements.push(ack);
    }
    Ok(form)
}

/// [`acknowledge_on`] on the shared store.
pub async fn acknowledge(
    store: &SharedStore,
    input: AcquisitionInput,
    code: String,
    field: String,
) -> Result<AcquisitionFormDto, AppError> {
    with_store(store, move |s| {
        acknowledge_on(s, &input, &code, &field, Utc::now())
    })
    .await
}

// ---------------------------------------------------------------------------------------
// Records

pub(crate) fn form_of(r: &LocalRecord) -> AcquisitionForm {
    serde_json::from_value(r.body.clone()).unwrap_or_default()
}

fn ack_log_of(body: &serde_json::Value) -> Vec<AckLogEntry> {
    body.get(ACK_LOG_KEY)
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default()
}

fn stage_of(r: &LocalRecord) -> (String, String, Option<String>) {
    use kyosai_domain::acquisition::stage::Stage;
    let state = r.server.as_ref().and_then(|s| ap::state_of(&s.body));
    let stage = Stage::of(state.as_ref());
    let reason = match (stage, &state) {
        (Stage::Returned, Some(s)) => last_reason(s, ActKind::Return),
        (Stage::Rejected, Some(s)) => last_reason(s, ActKind::Reject),
        _ => None,
    };
    let label = match &reason {
        Some(r) => format!("{}（理由: {r}）", stage.label_ja()),
        None => stage.label_ja().to_string(),
    };
    (stage.id().to_string(), label, reason)
}

fn md(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}月{}日", d.month(), d.day())
}

struct Deadline {
    date: Option<NaiveDate>,
    days_left: Option<i32>,
    state: &'static str,
    text: String,
}

fn deadline_of(acquired: Option<NaiveDate>, stage: &str, today: NaiveDate) -> Deadline {
    let none = |date| Deadline {
        date,
        days_left: None,
        state: "none",
        text: String::new(),
    };
    let Some(acquired) = acquired else {
        return none(None);
    };
    let Some(rule) = RuleSet::builtin().filing_deadline.at(acquired) else {
        return none(None);
    };
    let date = acquired + chrono::Duration::days(i64::from(rule.days));
    if matches!(stage, "registered" | "withdrawn" | "rejected") {
        return none(Some(date));
    }
    let left = (date - today).num_days();
    let days_left = i32::try_from(left).ok();
    let (state, text) = if left < 0 {
        (
            "overdue",
            format!("{}まで（期限を{}日過ぎています）", md(date), -left),
        )
    } else if left == 0 {
        ("today", format!("{}まで（今日が期限です）", md(date)))
    } else if left <= 2 {
        ("soon", format!("{}まで あと{}日", md(date), left))
    } else {
        ("ok", format!("{}まで あと{}日", md(date), left))
    };
    Deadline {
        date: Some(date),
        days_left,
        state,
        text,
    }
}

fn name_from_title(title: &str) -> String {
    title
        .strip_prefix(TITLE_PREFIX)
        .map(|t| t.trim_start_matches('　').trim().to_string())
        .unwrap_or_default()
}

fn item_of(r: &LocalRecord, pending: bool, today: NaiveDate) -> AcquisitionListItem {
    let form = form_of(r);
    let (stage, stage_label, reason) = stage_of(r);
    let acquired = form.acquisition.acquired_on;
    let dl = deadline_of(acquired, &stage, today);
    AcquisitionListItem {
        id: r.id.to_string(),
        member_name: form
            .member
            .name
            .clone()
            .unwrap_or_else(|| name_from_title(&r.title)),
        member_kana: s(&form.member.name_kana),
        office_code: r.office_code.clone(),
        acquired_on: d(acquired),
        acquired_on_text: acquired
            .map(wareki::format_with_seireki)
            .unwrap_or_default(),
        stage,
        stage_label,
        reason,
        deadline: dl.date.map(|x| d(Some(x))),
        days_left: dl.days_left,
        deadline_state: dl.state.to_string(),
        deadline_text: dl.text,
        sync_label: r.label.clone(),
        pending,
        updated_at: r
            .draft
            .as_ref()
            .and_then(|x| x.updated_at)
            .or_else(|| r.server.as_ref().and_then(|x| x.updated_at))
            .map(time_text),
    }
}

fn pending_ids(store: &mut Store) -> Result<Vec<Uuid>, AppError> {
    Ok(store.sync().records_with_pending_actions()?)
}

/// Every 資格取得届 on this PC, the nearest deadline first (finished ones last).
pub fn list_of(
    store: &mut Store,
    now: DateTime<Utc>,
) -> Result<Vec<AcquisitionListItem>, AppError> {
    let pending = pending_ids(store)?;
    let today = today_jst(now);
    let mut items: Vec<AcquisitionListItem> = store
        .sync()
        .list_records(KIND)?
        .iter()
        .map(|r| item_of(r, pending.contains(&r.id), today))
        .collect();
    items.sort_by(|a, b| {
        let key = |i: &AcquisitionListItem| (i.days_left.is_none(), i.days_left, i.id.clone());
        key(a).cmp(&key(b))
    });
    Ok(items)
}

/// [`list_of`] on the shared store.
pub async fn list(store: &SharedStore) -> Result<Vec<AcquisitionListItem>, AppError> {
    with_store(store, move |s| list_of(s, Utc::now())).await
}

fn not_found() -> AppError {
    AppError::new(
        "acquisition.not_found",
        "この資格取得届が見つかりません。一覧から開き直してください。",
    )
}

pub(crate) fn record_of(store: &mut Store, id: Uuid) -> Result<LocalRecord, AppError> {
    store
        .sync()
        .record(id)?
        .filter(|r| r.kind == KIND)
        .ok_or_else(not_found)
}

fn view_of(r: &LocalRecord, pending: bool, now: DateTime<Utc>) -> AcquisitionView {
    let today = today_jst(now);
    let item = item_of(r, pending, today);
    let form = form_of(r);
    let assessment = assess_form(&form, Vec::new(), today, CheckMode::AsYouType);
    let editable = matches!(item.stage.as_str(), "draft" | "returned" | "withdrawn");
    let settled_draft = r
        .draft
        .as_ref()
        .is_some_and(|x| x.state != DraftState::Pending || r.revoked);
    AcquisitionView {
        can_edit: editable && !pending,
        can_submit: editable && !pending && !settled_draft,
        can_withdraw: matches!(item.stage.as_str(), "certify" | "review" | "register") && !pending,
        my_number_masked: form.member.my_number.as_ref().map(mask_my_number),
        my_number_withheld: form
            .member
            .my_number
            .as_ref()
            .is_some_and(MyNumberText::is_withheld),
        acknowledgement_log: ack_log_of(&r.body),
        ocr_provenance: crate::ocr::provenance_view(&r.body),
        form: from_form(&form),
        assessment,
        item,
    }
}

/// One notification for the editor.
pub fn get_on(
    store: &mut Store,
    id: &str,
    now: DateTime<Utc>,
) -> Result<AcquisitionView, AppError> {
    let id = parse_id(id)?;
    let pending = pending_ids(store)?.contains(&id);
    let r = record_of(store, id)?;
    Ok(view_of(&r, pending, now))
}

/// [`get_on`] on the shared store.
pub async fn get(store: &SharedStore, id: String) -> Result<AcquisitionView, AppError> {
    with_store(store, move |s| get_on(s, &id, Utc::now())).await
}

/// The stored 個人番号 in full, for the one field whose 表示 was pressed, when the user's
/// roles allow it and a purpose is given ([`kyosai_domain::acquisition::my_number`]).
/// The audit entry (who, when, which record and field, why) is written before the number
/// leaves the store; if it cannot be written, nothing is revealed.
pub fn reveal_my_number_of(
    store: &mut Store,
    me: &UserInfo,
    id: &str,
    purpose: &str,
    note: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>, AppError> {
    use kyosai_domain::acquisition::my_number::{check_reveal, RevealPurpose};
    let id = parse_id(id)?;
    let roles: Vec<_> = actor_of(me).roles;
    let purpose = RevealPurpose::from_code(purpose).ok_or_else(|| {
        AppError::new(
            "my_number.reveal_purpose_unknown",
            "表示する理由を一覧から選んでください。",
        )
    })?;
    let note =
        check_reveal(&roles, purpose, note).map_err(|r| AppError::new(r.code(), r.message()))?;
    let r = record_of(store, id)?;
    let number = form_of(&r).member.my_number.map(|n| n.expose().to_string());
    let Some(number) = number else {
        return Ok(None);
    };
    if my_number::is_withheld(&number) {
        return Err(AppError::new(
            "my_number.withheld",
            "この端末には個人番号が届いていません（表示の権限がない利用者として同期されました）。権限を確認してから同期し直してください。",
        ));
    }
    let mut detail = serde_json::json!({
        "kind": "acquisition",
        "field": "member.myNumber",
        "purpose": purpose.code(),
    });
    if let Some(note) = note {
        detail["note"] = serde_json::Value::String(note);
    }
    store.audit().append(
        kyosai_audit::NewEntry::now(me.user_id.clone(), kyosai_audit::actions::MYNUMBER_REVEAL)
            .at(now)
            .target(id.to_string())
            .detail(detail),
    )?;
    tracing::info!(record = %id, purpose = purpose.code(), "my number revealed (audited)");
    Ok(Some(number))
}

/// [`reveal_my_number_of`] on the shared store.
pub async fn reveal_my_number(
    store: &SharedStore,
    me: UserInfo,
    id: String,
    purpose: String,
    note: String,
) -> Result<Option<String>, AppError> {
    with_store(store, move |s| {
        reveal_my_number_of(s, &me, &id, &purpose, &note, Utc::now())
    })
    .await
}

/// 「組合員資格取得届　山田 太郎」.
pub fn title_for(form: &AcquisitionForm) -> String {
    match form.member.name.as_deref().map(str::trim) {
        Some(n) if !n.is_empty() => format!("{TITLE_PREFIX}　{n}"),
        _ => TITLE_PREFIX.to_string(),
    }
}

fn reading_error(reading: &[Finding]) -> Option<AppError> {
    if reading.is_empty() {
        return None;
    }
    let dtos: Vec<FindingDto> = reading.iter().cloned().map(FindingDto::from).collect();
    Some(AppError::validation(&dtos))
}

/// Saves the notification locally (normalised; a draft may still have findings — they
/// block submission, not saving). Only text that cannot be read at all (「12万」 in an
/// amount) is refused, so nothing typed is silently dropped.
pub fn save_on(
    store: &mut Store,
    input: &AcquisitionInput,
    office_code: Option<String>,
    me: Option<&UserInfo>,
    now: DateTime<Utc>,
) -> Result<AcquisitionView, AppError> {
    let existing = match &input.id {
        Some(id) => Some(record_of(store, parse_id(id)?)?),
        None => None,
    };
    let stored = existing.as_ref().and_then(|r| form_of(r).member.my_number);
    let (mut form, reading) = to_form(&input.form, stored.as_ref());
    if let Some(e) = reading_error(&reading) {
        return Err(e);
    }
    acquisition::normalize(&mut form);
    let title = title_for(&form);
    let old_log = existing
        .as_ref()
        .map(|r| ack_log_of(&r.body))
        .unwrap_or_default();
    let by = me.map_or_else(|| "（このPC）".to_string(), |u| u.display_name.clone());
    let log: Vec<AckLogEntry> = form
        .acknowledgements
        .iter()
        .map(|a| {
            old_log
                .iter()
                .find(|e| e.code == a.code && e.field == a.field)
                .cloned()
                .unwrap_or_else(|| AckLogEntry {
                    code: a.code.clone(),
                    field: a.field.clone(),
                    by: by.clone(),
                    at: time_text(now),
                })
        })
        .collect();
    let mut body =
        serde_json::to_value(&form).map_err(|e| AppError::internal("acquisition json", &e))?;
    if let Some(obj) = body.as_object_mut() {
        obj.insert(
            ACK_LOG_KEY.to_string(),
            serde_json::to_value(&log).map_err(|e| AppError::internal("ack log json", &e))?,
        );
        // A draft made from a read paper form keeps where its values came from.
        if let Some(p) = existing
            .as_ref()
            .and_then(|r| r.body.get(crate::ocr::PROVENANCE_KEY))
        {
            obj.insert(crate::ocr::PROVENANCE_KEY.to_string(), p.clone());
        }
    }
    let id = match existing {
        Some(r) => {
            let (stage, _, _) = stage_of(&r);
            match stage.as_str() {
                "draft" | "returned" | "withdrawn" => {}
                "registered" | "rejected" => return Err(refusal(&ap::ApprovalError::Decided)),
                _ => {
                    return Err(AppError::new(
                        "acquisition.in_progress",
                        "提出済みの届は変更できません。変更する場合は、先に取下げてください。",
                    ))
                }
            }
            if pending_ids(store)?.contains(&r.id) {
                return Err(AppError::new(
                    "approval.pending",
                    "この届への操作はまだ送信待ちです。同期が終わってからもう一度お試しください。",
                ));
            }
            store.sync().record_update_local(r.id, &title, &body)?;
            r.id
        }
        None => {
            let office = office_code.filter(|c| !c.trim().is_empty()).ok_or_else(|| {
                AppError::new(
                    "acquisition.office_unknown",
                    "所属所が分かりません。サインインするか、「設定」で所属所番号を入力してください。",
                )
            })?;
            store
                .sync()
                .record_create_local(KIND, &office, &title, &body)?
                .0
        }
    };
    tracing::info!(record = %id, "acquisition saved");
    get_on(store, &id.to_string(), now)
}

/// [`save_on`] on the shared store.
pub async fn save(
    store: &SharedStore,
    input: AcquisitionInput,
    office_code: Option<String>,
    me: Option<UserInfo>,
) -> Result<AcquisitionView, AppError> {
    with_store(store, move |s| {
        save_on(s, &input, office_code, me.as_ref(), Utc::now())
    })
    .await
}

/// 提出: the saved notification must pass [`acquisition::check_for_submission`] (errors
/// block) with every warning acknowledged; then the approval engine checks the
/// submission on the local copy and `approval.submit@1` goes to the outbox.
pub fn submit_on(
    store: &mut Store,
    me: &UserInfo,
    id: &str,
    now: DateTime<Utc>,
) -> Result<AcquisitionView, AppError> {
    let id = parse_id(id)?;
    if pending_ids(store)?.contains(&id) {
        return Err(AppError::new(
            "approval.pending",
            "この届への操作はまだ送信待ちです。同期が終わってからもう一度お試しください。",
        ));
    }
    let r = record_of(store, id)?;
    if let Some(x) = &r.draft {
        if x.state != DraftState::Pending || r.revoked {
            return Err(AppError::new(
                "acquisition.draft_unsettled",
                "この届の変更がサーバーに受け付けられていません（競合・差戻し）。「競合の確認」で整理してから提出してください。",
            ));
        }
    }
    let form = form_of(&r);
    let a = assess_form(&form, Vec::new(), today_jst(now), CheckMode::Submission);
    if a.errors > 0 {
        let first: Vec<&str> = a
            .findings
            .iter()
            .filter(|f| f.severity == SeverityDto::Error)
            .take(3)
            .map(|f| f.message.as_str())
            .collect();
        return Err(AppError::new(
            "acquisition.has_errors",
            format!(
                "誤りが{}件あるため提出できません。赤で示した項目を直してください。{}",
                a.errors,
                first.join(" ")
            ),
        ));
    }
    if a.unacknowledged > 0 {
        return Err(AppError::new(
            "acquisition.unacknowledged_warnings",
            format!(
                "確認していない警告が{}件あります。黄色で示した項目を確認し、「確認しました」を押してから提出してください。",
                a.unacknowledged
            ),
        ));
    }
    let prev = r.server.as_ref().and_then(|x| ap::state_of(&x.body));
    let hash = ap::content_hash(&r.kind, &r.title, &r.body);
    let people = People::load(store, Some(me))?;
    let ctx = Context {
        now,
        today: today_jst(now),
        kind: &r.kind,
        office_code: &r.office_code,
        content_hash: &hash,
        amount_yen: 0,
        absences: &people.absences,
        directory: &people.directory,
        table: DecisionTable::builtin(),
    };
    engine::submit(prev.as_ref(), &actor_of(me), Flags::default(), None, &ctx)
        .map_err(|e| refusal(&e))?;
    let payload = serde_json::to_value(Submit {
        important: false,
        unusual: false,
        precedent: false,
        amends: None,
        seen_hash: hash,
    })
    .map_err(|e| AppError::internal("submit json", &e))?;
    let entry = crate::approvals::submit_entry(me, &r.kind, id, None, now);
    store
        .sync()
        .record_action_audited(id, SUBMIT, 1, &payload, Some(entry))?;
    tracing::info!(record = %id, "acquisition submitted");
    get_on(store, &id.to_string(), now)
}

/// [`submit_on`] on the shared store.
pub async fn submit(
    store: &SharedStore,
    me: UserInfo,
    id: String,
) -> Result<AcquisitionView, AppError> {
    with_store(store, move |s| submit_on(s, &me, &id, Utc::now())).await
}

/// 取下げ by the drafter while the notification is on its route.
pub fn withdraw_on(
    store: &mut Store,
    me: &UserInfo,
    id: &str,
    now: DateTime<Utc>,
) -> Result<AcquisitionView, AppError> {
    crate::approvals::withdraw_record(store, me, id, now)?;
    get_on(store, id, now)
}

/// [`withdraw_on`] on the shared store.
pub async fn withdraw(
    store: &SharedStore,
    me: UserInfo,
    id: String,
) -> Result<AcquisitionView, AppError> {
    with_store(store, move |s| withdraw_on(s, &me, &id, Utc::now())).await
}

#[cfg(test)]
mod tests;
