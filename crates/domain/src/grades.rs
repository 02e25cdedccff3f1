//! 標準報酬 grades: the 短期給付 (health) grade and the 厚生年金 grade of a 報酬月額 on a
//! date, from the effective-dated tables of [`crate::rules`].
//!
//! A band includes its lower bound: 155,000 yen is 短期 grade 13 (160,000), 154,999 is
//! grade 12. Amounts below the second band are grade 1, amounts above the top band's lower
//! bound the top grade.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::finding::Coded;
use crate::rules::{GradeBand, GradeTable, RuleSet, RuleTable};

/// Which 標準報酬 table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum GradeKind {
    /// 短期給付 (health and welfare), 50 grades.
    Health,
    /// 厚生年金.
    Pension,
}

impl GradeKind {
    /// 「短期給付」 or 「厚生年金」.
    pub fn name_ja(self) -> &'static str {
        match self {
            GradeKind::Health => "短期給付",
            GradeKind::Pension => "厚生年金",
        }
    }
}

/// A 標準報酬 grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Grade {
    /// 等級, from 1.
    pub grade: u8,
    /// 標準報酬月額 in yen.
    pub standard_monthly: i64,
}

impl From<&GradeBand> for Grade {
    fn from(band: &GradeBand) -> Self {
        Grade {
            grade: band.grade,
            standard_monthly: band.standard_monthly,
        }
    }
}

/// Why no grade could be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum GradeError {
    /// The 報酬月額 is negative.
    #[error("報酬月額がマイナスです。0円以上の金額を入力してください。")]
    NegativeAmount,
    /// No table is in force on that date.
    #[error("{on}に適用する{}の等級表が登録されていません。日付を確認してください。", .kind.name_ja())]
    NoTable {
        /// The table asked for.
        kind: GradeKind,
        /// The date asked for.
        on: NaiveDate,
    },
}

impl GradeError {
    /// `"grades.negative_amount"` or `"grades.no_table"`.
    pub fn code(&self) -> &'static str {
        match self {
            GradeError::NegativeAmount => "grades.negative_amount",
            GradeError::NoTable { .. } => "grades.no_table",
        }
    }
}

impl Coded for GradeError {
    fn code(&self) -> &'static str {
        GradeError::code(self)
    }
}

impl RuleSet {
    fn grade_table(&self, kind: GradeKind) -> &RuleTable<GradeTable> {
        match kind {
            GradeKind::Health => &self.health_grades,
            GradeKind::Pension => &self.pension_grades,
        }
    }

    /// The band a 報酬月額 falls in on `on`, with its 要確認 mark.
    pub fn grade_band(
        &self,
        kind: GradeKind,
        monthly: i64,
        on: NaiveDate,
    ) -> Result<&GradeBand, GradeError> {
        if monthly < 0 {
            return Err(GradeError::NegativeAmount);
        }
        self.grade_table(kind)
            .at(on)
            .and_then(|t| t.band_for(monthly))
            .ok_or(GradeError::NoTable { kind, on })
    }

    /// The 短期給付 grade of a 報酬月額 on a date.
    pub fn health_grade(&self, monthly: i64, on: NaiveDate) -> Result<Grade, GradeError> {
        self.grade_band(GradeKind::Health, monthly, on)
            .map(Grade::from)
    }

    /// The 厚生年金 grade of a 報酬月額 on a date.
    pub fn pension_grade(&self, monthly: i64, on: NaiveDate) -> Result<Grade, GradeError> {
        self.grade_band(GradeKind::Pension, monthly, on)
            .map(Grade::from)
    }
}

/// The 短期給付 grade of a 報酬月額 on a date, by the built-in tables.
///
/// ```
/// use chrono::NaiveDate;
/// use kyosai_domain::grades::{health_grade, Grade};
/// let on = NaiveDate::from_ymd_opt(2025, 4, 1).unwrap();
/// assert_eq!(
///     health_grade(143_700 + 14_000, on).unwrap(),
///     Grade { grade: 13, standard_monthly: 160_000 }
/// );
/// ```
pub fn health_grade(monthly: i64, on: NaiveDate) -> Result<Grade, GradeError> {
    RuleSet::builtin().health_grade(monthly, on)
}

/// The 厚生年金 grade of a 報酬月額 on a date, by the built-in tables (32 grades since
/// 2020-09; 33, 34, 35 grades from 2027-09, 2028-09, 2029-09, whose new bands are 要確認).
pub fn pension_grade(monthly: i64, on: NaiveDate) -> Result<Grade, GradeError> {
    RuleSet::builtin().pension_grade(monthly, on)
}

#[cfg(test)]
mod tests;
