//! Effective-dated rule data: every number an ordinance can change (標準報酬 grades, age
//! thresholds, income limits of dependants, deadlines) as tables of rows that each say from
//! which day they apply and whether they are 要確認 (not confirmed for 東京都職員共済組合).
//!
//! A [`RuleSet`] holds all tables. [`RuleSet::builtin`] is the set shipped with the app
//! (the values of `DOMAIN.md`); a set read from JSON (it derives `Deserialize`) can replace
//! it when an ordinance changes, after [`RuleSet::validate`]. Functions elsewhere in this
//! crate that take no `RuleSet` use the built-in one; the `RuleSet` methods of the same
//! name take the set to use.
//!
//! [`rule_catalogue`] lists every table with its rows for the UI's rule list, where a
//! 要確認 row is shown with that mark.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

mod builtin;
mod values;

pub use values::{
    AgeIncomeLimit, AgeThresholds, FilingDeadline, GradeBand, GradeTable, GradeValidity,
    IncomeLimit, Plausibility, RecognitionWindow, RuleValue, YoungAdultIncomeLimit,
};

/// One row of a rule table: `value` applies from `from` (inclusive) until the next row's
/// `from`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Effective<T> {
    /// The first day this row applies.
    pub from: NaiveDate,
    /// The rule's value from that day.
    pub value: T,
    /// 要確認: the value is a default not confirmed for this association.
    #[serde(default)]
    pub unconfirmed: bool,
}

/// The row of `rows` in force on `date`: the one with the latest `from` not after `date`.
/// `None` when every row starts after `date`. The rows need not be sorted.
pub fn effective_at<T>(rows: &[Effective<T>], date: NaiveDate) -> Option<&Effective<T>> {
    rows.iter()
        .filter(|r| r.from <= date)
        .max_by_key(|r| r.from)
}

/// A named rule table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleTable<T> {
    /// Stable id, e.g. `"grades.health"`.
    pub id: String,
    /// The rule's name for the UI, e.g. 「短期給付の標準報酬月額（50等級）」.
    pub name_ja: String,
    /// Where the values come from, for the UI.
    pub source_ja: String,
    /// The rows; each applies from its `from` until the next row's.
    pub rows: Vec<Effective<T>>,
}

impl<T> RuleTable<T> {
    /// The value in force on `date`, or `None` before the first row.
    pub fn at(&self, date: NaiveDate) -> Option<&T> {
        self.row_at(date).map(|r| &r.value)
    }

    /// The row in force on `date`, or `None` before the first row.
    pub fn row_at(&self, date: NaiveDate) -> Option<&Effective<T>> {
        effective_at(&self.rows, date)
    }

    /// Whether any row is 要確認.
    pub fn unconfirmed(&self) -> bool {
        self.rows.iter().any(|r| r.unconfirmed)
    }
}

impl<T: RuleValue> RuleTable<T> {
    /// The table as the rule list shows it.
    pub fn info(&self) -> RuleInfo {
        let mut rows: Vec<RuleRowInfo> = self
            .rows
            .iter()
            .map(|r| RuleRowInfo {
                from: r.from,
                unconfirmed: r.unconfirmed,
                summary_ja: r.value.summary_ja(),
            })
            .collect();
        rows.sort_by_key(|r| r.from);
        RuleInfo {
            id: self.id.clone(),
            name_ja: self.name_ja.clone(),
            source_ja: self.source_ja.clone(),
            unconfirmed: self.unconfirmed(),
            rows,
        }
    }

    fn problems(&self) -> Vec<RuleDataError> {
        let mut problems = Vec::new();
        let mut push = |message: String| {
            problems.push(RuleDataError {
                table: self.id.clone(),
                message,
            })
        };
        if self.rows.is_empty() {
            push("行がありません。少なくとも1行を登録してください。".to_owned());
        }
        for (i, row) in self.rows.iter().enumerate() {
            if self.rows[..i].iter().any(|r| r.from == row.from) {
                push(format!(
                    "適用開始日 {} の行が重複しています。1行にまとめてください。",
                    row.from
                ));
            }
            if let Err(message) = row.value.check() {
                push(format!("{} からの行：{message}", row.from));
            }
        }
        problems
    }
}

/// One rule table as the UI's rule list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleInfo {
    /// Stable id, e.g. `"grades.health"`.
    pub id: String,
    /// The rule's name.
    pub name_ja: String,
    /// Where the values come from.
    pub source_ja: String,
    /// Whether any row is 要確認.
    pub unconfirmed: bool,
    /// The rows, oldest first.
    pub rows: Vec<RuleRowInfo>,
}

/// One row of a rule table as the rule list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleRowInfo {
    /// The first day the row applies.
    pub from: NaiveDate,
    /// 要確認.
    pub unconfirmed: bool,
    /// The value in a few Japanese words, e.g. 「年収1,300,000円未満（月額108,334円未満）」.
    pub summary_ja: String,
}

/// A problem in rule data read from outside (see [`RuleSet::validate`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("規定データ「{table}」：{message}")]
pub struct RuleDataError {
    /// The id of the table.
    pub table: String,
    /// What is wrong and what to do.
    pub message: String,
}

impl RuleDataError {
    /// The stable code: `"rules.invalid"`.
    pub fn code(&self) -> &'static str {
        "rules.invalid"
    }
}

impl crate::finding::Coded for RuleDataError {
    fn code(&self) -> &'static str {
        RuleDataError::code(self)
    }
}

/// Every rule table the checks use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleSet {
    /// 短期給付 標準報酬月額.
    pub health_grades: RuleTable<GradeTable>,
    /// 厚生年金 標準報酬月額.
    pub pension_grades: RuleTable<GradeTable>,
    /// How long the grade decided at acquisition stays in force.
    pub grade_validity: RuleTable<GradeValidity>,
    /// 届出期限 of the 資格取得届.
    pub filing_deadline: RuleTable<FilingDeadline>,
    /// Ages at which 介護掛金, 厚生年金 and 後期高齢者医療 start or stop.
    pub age_thresholds: RuleTable<AgeThresholds>,
    /// Income limit of a dependant in general.
    pub dependant_income_general: RuleTable<IncomeLimit>,
    /// Income limit of a dependant aged 60 or over, or disabled.
    pub dependant_income_elderly_or_disabled: RuleTable<AgeIncomeLimit>,
    /// Income limit of a dependant aged 19 to under 23 on 31 December (not the spouse);
    /// `None` in rows before it was introduced.
    pub dependant_income_young_adult: RuleTable<Option<YoungAdultIncomeLimit>>,
    /// When a dependant's 認定日 is the event date rather than the receipt date.
    pub dependant_recognition: RuleTable<RecognitionWindow>,
    /// Limits that catch typing mistakes (not ordinances).
    pub plausibility: RuleTable<Plausibility>,
}

impl RuleSet {
    /// The rule data shipped with the app.
    pub fn builtin() -> &'static RuleSet {
        builtin::builtin()
    }

    /// Every table, in the order the rule list shows them.
    pub fn catalogue(&self) -> Vec<RuleInfo> {
        vec![
            self.health_grades.info(),
            self.pension_grades.info(),
            self.grade_validity.info(),
            self.filing_deadline.info(),
            self.age_thresholds.info(),
            self.dependant_income_general.info(),
            self.dependant_income_elderly_or_disabled.info(),
            self.dependant_income_young_adult.info(),
            self.dependant_recognition.info(),
            self.plausibility.info(),
        ]
    }

    /// Checks rule data read from outside: each table has rows, no two rows of a table
    /// start on the same day, and each value is consistent (grade bands ascending from 0,
    /// months 1–12, …). Returns every problem found.
    pub fn validate(&self) -> Result<(), Vec<RuleDataError>> {
        let mut problems = Vec::new();
        problems.extend(self.health_grades.problems());
        problems.extend(self.pension_grades.problems());
        problems.extend(self.grade_validity.problems());
        problems.extend(self.filing_deadline.problems());
        problems.extend(self.age_thresholds.problems());
        problems.extend(self.dependant_income_general.problems());
        problems.extend(self.dependant_income_elderly_or_disabled.problems());
        problems.extend(self.dependant_income_young_adult.problems());
        problems.extend(self.dependant_recognition.problems());
        problems.extend(self.plausibility.problems());
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

/// Every built-in rule table, for the UI's rule list.
pub fn rule_catalogue() -> Vec<RuleInfo> {
    use crate::procurement::{contract, deadlines, tax};
    let mut out = RuleSet::builtin().catalogue();
    out.extend([
        contract::ceiling_table().info(),
        contract::document_table().info(),
        deadlines::deadline_rules().info(),
        tax::consumption_tax_rates().info(),
    ]);
    out
}

/// The built-in grade validity, for when a table has no row for a date.
pub(crate) fn builtin_grade_validity() -> GradeValidity {
    builtin::GRADE_VALIDITY
}

/// 「1,300,000円」.
pub(crate) fn yen(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 4);
    if amount < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out.push('円');
    out
}

#[cfg(test)]
mod tests;
