//! 報酬月額 at acquisition (資格取得時決定) and the grades it gives.
//!
//! 報酬月額 = 給料 + every fixed allowance (地域手当, 扶養手当, 住居手当, 通勤手当, others) +
//! the projected monthly 時間外勤務手当. Not included: 期末手当・勤勉手当 and anything paid at
//! intervals longer than three months. [`RemunerationInput`] has fields for those so a
//! clerk can record them, and [`monthly_remuneration`] leaves them out on purpose.
//!
//! Conversions to a monthly amount, each floored to the yen (円未満切捨て):
//!
//! - 給料 fixed per week, per day or per other period of N days:
//!   `floor(amount × 30 ÷ days)` (週給: 7 days, 日給: 1 day). Multiplying before dividing
//!   keeps it to one rounding: 週給 70,001 gives 300,004 (not 300,000 + 30 × the lost
//!   fraction).
//! - 通勤手当 paid for several months at once (定期代 6か月分):
//!   `floor(amount ÷ months)`.
//!
//! Allowances other than 通勤手当, and the overtime projection, are monthly amounts.
//! The total is the sum of the converted components.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::finding::Coded;
use crate::grades::{Grade, GradeError};
use crate::rules::{builtin_grade_validity, RuleSet};

/// The period the 給料 amount is fixed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PayBasis {
    /// 月給: the amount is monthly.
    #[default]
    Monthly,
    /// 週給: amount × 30 ÷ 7.
    Weekly,
    /// 日給: amount × 30.
    Daily,
    /// Fixed for another period of `periodDays` days: amount × 30 ÷ days.
    OtherPeriod,
}

/// A fixed allowance not listed by name.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OtherAllowance {
    /// The allowance's name, e.g. 「特殊勤務手当（定額）」.
    pub name: Option<String>,
    /// Monthly amount in yen.
    pub amount: Option<i64>,
}

/// The pay components of a new member, as on the 資格取得届. Every field may be empty
/// while the form is a draft; empty amounts count as 0.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RemunerationInput {
    /// The period 給料 is fixed for; empty means monthly.
    pub pay_basis: Option<PayBasis>,
    /// The number of days of the period when `pay_basis` is `otherPeriod`.
    pub period_days: Option<u32>,
    /// 給料 (給料表・級号給による額) for the period of `pay_basis`.
    pub salary: Option<i64>,
    /// 地域手当, monthly.
    pub regional_allowance: Option<i64>,
    /// 扶養手当, monthly.
    pub dependants_allowance: Option<i64>,
    /// 住居手当, monthly.
    pub housing_allowance: Option<i64>,
    /// 通勤手当 as paid: for `commuting_months` months at once.
    pub commuting_allowance: Option<i64>,
    /// The months one 通勤手当 payment covers (1 when empty; 6 for a 6-month pass).
    pub commuting_months: Option<u32>,
    /// Other fixed allowances, monthly.
    pub other_allowances: Vec<OtherAllowance>,
    /// Projected 時間外勤務手当 per month.
    pub projected_overtime: Option<i64>,
    /// 期末手当・勤勉手当: recorded, **not** part of 報酬月額.
    pub excluded_bonus: Option<i64>,
    /// Pay at intervals over three months: recorded, **not** part of 報酬月額.
    pub excluded_over_three_months: Option<i64>,
}

/// Why a 報酬月額 could not be computed. `field()` is the path within
/// [`RemunerationInput`] (e.g. `"salary"`, `"otherAllowances[1].amount"`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RemunerationError {
    /// No 給料.
    #[error("給料が入力されていません。給料表・級号給による給料の額を入力してください。")]
    MissingSalary,
    /// An amount is negative.
    #[error("金額にマイナスは入力できません。0円以上の金額を入力してください。")]
    Negative {
        /// The path of the amount.
        field: String,
    },
    /// `otherPeriod` without the number of days.
    #[error("給料を定める期間の日数が入力されていません。日数を入力してください。")]
    MissingPeriodDays,
    /// A period of 0 days.
    #[error("給料を定める期間の日数は1日以上で入力してください。")]
    ZeroPeriodDays,
    /// 通勤手当 covering 0 months.
    #[error("通勤手当の支給対象月数は1以上で入力してください（6か月定期なら6）。")]
    ZeroCommutingMonths,
    /// The total does not fit.
    #[error("金額が大きすぎて計算できません。桁を確認してください。")]
    Overflow,
}

impl RemunerationError {
    /// The stable code, e.g. `"remuneration.negative"`.
    pub fn code(&self) -> &'static str {
        match self {
            RemunerationError::MissingSalary => "remuneration.missing_salary",
            RemunerationError::Negative { .. } => "remuneration.negative",
            RemunerationError::MissingPeriodDays => "remuneration.missing_period_days",
            RemunerationError::ZeroPeriodDays => "remuneration.zero_period_days",
            RemunerationError::ZeroCommutingMonths => "remuneration.zero_commuting_months",
            RemunerationError::Overflow => "remuneration.overflow",
        }
    }

    /// The path of the field to correct, within [`RemunerationInput`].
    pub fn field(&self) -> String {
        match self {
            RemunerationError::MissingSalary | RemunerationError::Overflow => "salary".to_owned(),
            RemunerationError::Negative { field } => field.clone(),
            RemunerationError::MissingPeriodDays | RemunerationError::ZeroPeriodDays => {
                "periodDays".to_owned()
            }
            RemunerationError::ZeroCommutingMonths => "commutingMonths".to_owned(),
        }
    }
}

impl Coded for RemunerationError {
    fn code(&self) -> &'static str {
        RemunerationError::code(self)
    }
}

impl RemunerationInput {
    /// Every amount that counts towards 報酬月額, with its path.
    fn counted_amounts(&self) -> Vec<(String, Option<i64>)> {
        let mut amounts = vec![
            ("salary".to_owned(), self.salary),
            ("regionalAllowance".to_owned(), self.regional_allowance),
            ("dependantsAllowance".to_owned(), self.dependants_allowance),
            ("housingAllowance".to_owned(), self.housing_allowance),
            ("commutingAllowance".to_owned(), self.commuting_allowance),
        ];
        amounts.extend(
            self.other_allowances
                .iter()
                .enumerate()
                .map(|(i, a)| (format!("otherAllowances[{i}].amount"), a.amount)),
        );
        amounts.push(("projectedOvertime".to_owned(), self.projected_overtime));
        amounts
    }

    /// Every problem that stops [`monthly_remuneration`], in field order. The excluded
    /// amounts are checked too (a negative bonus is still a typing mistake).
    pub fn problems(&self) -> Vec<RemunerationError> {
        let mut problems = Vec::new();
        if self.salary.is_none() {
            problems.push(RemunerationError::MissingSalary);
        }
        let mut amounts = self.counted_amounts();
        amounts.push(("excludedBonus".to_owned(), self.excluded_bonus));
        amounts.push((
            "excludedOverThreeMonths".to_owned(),
            self.excluded_over_three_months,
        ));
        for (field, amount) in amounts {
            if amount.is_some_and(|a| a < 0) {
                problems.push(RemunerationError::Negative { field });
            }
        }
        if self.pay_basis == Some(PayBasis::OtherPeriod) {
            match self.period_days {
                None => problems.push(RemunerationError::MissingPeriodDays),
                Some(0) => problems.push(RemunerationError::ZeroPeriodDays),
                Some(_) => {}
            }
        }
        if self.commuting_months == Some(0) {
            problems.push(RemunerationError::ZeroCommutingMonths);
        }
        if problems.is_empty() && self.total().is_none() {
            problems.push(RemunerationError::Overflow);
        }
        problems
    }

    /// 給料 as a monthly amount (see the module documentation), or `None` on overflow or
    /// a missing / zero period.
    pub fn monthly_salary(&self) -> Option<i64> {
        let salary = self.salary.unwrap_or(0);
        let days: i64 = match self.pay_basis.unwrap_or_default() {
            PayBasis::Monthly => return Some(salary),
            PayBasis::Weekly => 7,
            PayBasis::Daily => 1,
            PayBasis::OtherPeriod => i64::from(self.period_days.filter(|d| *d > 0)?),
        };
        salary.checked_mul(30).map(|x| x.div_euclid(days))
    }

    /// 通勤手当 as a monthly amount, or `None` for 0 months.
    pub fn monthly_commuting(&self) -> Option<i64> {
        let months = i64::from(self.commuting_months.unwrap_or(1));
        if months == 0 {
            return None;
        }
        Some(self.commuting_allowance.unwrap_or(0).div_euclid(months))
    }

    fn total(&self) -> Option<i64> {
        let mut total = self
            .monthly_salary()?
            .checked_add(self.monthly_commuting()?)?;
        for amount in [
            self.regional_allowance,
            self.dependants_allowance,
            self.housing_allowance,
            self.projected_overtime,
        ]
        .into_iter()
        .chain(self.other_allowances.iter().map(|a| a.amount))
        {
            total = total.checked_add(amount.unwrap_or(0))?;
        }
        Some(total)
    }
}

/// 報酬月額 at acquisition: the first of [`RemunerationInput::problems`], or the total.
///
/// ```
/// use kyosai_domain::remuneration::{monthly_remuneration, RemunerationInput};
/// let input = RemunerationInput {
///     salary: Some(143_700),
///     commuting_allowance: Some(14_000),
///     excluded_bonus: Some(300_000), // 期末・勤勉手当: not counted
///     ..Default::default()
/// };
/// assert_eq!(monthly_remuneration(&input), Ok(157_700));
/// ```
pub fn monthly_remuneration(input: &RemunerationInput) -> Result<i64, RemunerationError> {
    if let Some(problem) = input.problems().into_iter().next() {
        return Err(problem);
    }
    input.total().ok_or(RemunerationError::Overflow)
}

/// The 報酬月額 and the grades it gives on the acquisition date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GradeResult {
    /// 報酬月額 in yen.
    pub monthly: i64,
    /// 短期給付 grade.
    pub health: Grade,
    /// 厚生年金 grade; `None` when the member is 70 or over on the acquisition date
    /// (厚生年金 membership ends at 70).
    pub pension: Option<Grade>,
}

/// Why no grades could be given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GradesError {
    /// The pay components are incomplete or wrong.
    #[error(transparent)]
    Remuneration(#[from] RemunerationError),
    /// No grade table for that date.
    #[error(transparent)]
    Grade(#[from] GradeError),
}

impl GradesError {
    /// The code of the underlying error.
    pub fn code(&self) -> &'static str {
        match self {
            GradesError::Remuneration(e) => e.code(),
            GradesError::Grade(e) => e.code(),
        }
    }
}

impl Coded for GradesError {
    fn code(&self) -> &'static str {
        GradesError::code(self)
    }
}

impl RuleSet {
    /// See [`grades_for`].
    pub fn grades_for(
        &self,
        input: &RemunerationInput,
        acquired_on: NaiveDate,
        birth_date: Option<NaiveDate>,
    ) -> Result<GradeResult, GradesError> {
        let monthly = monthly_remuneration(input)?;
        let health = self.health_grade(monthly, acquired_on)?;
        let pension_applies = match birth_date {
            Some(birth) => self
                .age_status(birth, acquired_on)
                .is_none_or(|s| s.pension),
            None => true,
        };
        let pension = if pension_applies {
            Some(self.pension_grade(monthly, acquired_on)?)
        } else {
            None
        };
        Ok(GradeResult {
            monthly,
            health,
            pension,
        })
    }

    /// See [`grade_valid_until`]; `None` when no rule is recorded for that date.
    pub fn grade_valid_until(&self, acquired_on: NaiveDate) -> Option<NaiveDate> {
        self.grade_validity
            .at(acquired_on)?
            .valid_until(acquired_on)
    }
}

/// 報酬月額 and grades on the acquisition date, by the built-in tables. With a birth date,
/// the 厚生年金 grade is `None` from the day 70 is reached; without one it is given.
pub fn grades_for(
    input: &RemunerationInput,
    acquired_on: NaiveDate,
    birth_date: Option<NaiveDate>,
) -> Result<GradeResult, GradesError> {
    RuleSet::builtin().grades_for(input, acquired_on, birth_date)
}

impl crate::rules::GradeValidity {
    /// The last day the grade decided on `acquired_on` applies; `None` for months out of
    /// range or dates beyond the calendar.
    pub fn valid_until(&self, acquired_on: NaiveDate) -> Option<NaiveDate> {
        let year = if acquired_on.month() < self.next_year_from_month {
            acquired_on.year()
        } else {
            acquired_on.year().checked_add(1)?
        };
        let first_of_month = NaiveDate::from_ymd_opt(year, self.valid_through_month, 1)?;
        first_of_month
            .checked_add_months(chrono::Months::new(1))?
            .pred_opt()
    }
}

/// The last day the 標準報酬 decided at acquisition applies: acquired 1 January – 31 May →
/// 31 August of the same year; 1 June – 31 December → 31 August of the next year.
pub fn grade_valid_until(acquired_on: NaiveDate) -> NaiveDate {
    RuleSet::builtin()
        .grade_valid_until(acquired_on)
        .or_else(|| builtin_grade_validity().valid_until(acquired_on))
        .unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests;
