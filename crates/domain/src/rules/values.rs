//! The kinds of value a rule table holds, each with a Japanese summary for the rule list
//! and a consistency check for data read from outside.

use serde::{Deserialize, Serialize};

use super::yen;

/// A value a rule table can hold.
pub trait RuleValue {
    /// The value in a few Japanese words for the rule list.
    fn summary_ja(&self) -> String;

    /// Whether the value is consistent; the error says what is wrong and what to do.
    fn check(&self) -> Result<(), String> {
        Ok(())
    }
}

impl<T: RuleValue> RuleValue for Option<T> {
    fn summary_ja(&self) -> String {
        match self {
            Some(v) => v.summary_ja(),
            None => "適用なし".to_owned(),
        }
    }

    fn check(&self) -> Result<(), String> {
        self.as_ref().map_or(Ok(()), RuleValue::check)
    }
}

/// One band of a 標準報酬 table: pay from `from` (inclusive) up to the next band's `from`
/// (exclusive) gets `grade` and `standard_monthly`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GradeBand {
    /// 等級, from 1.
    pub grade: u8,
    /// 標準報酬月額 in yen.
    pub standard_monthly: i64,
    /// The lowest 報酬月額 of the band, inclusive (0 for grade 1).
    pub from: i64,
    /// 要確認: the band's bounds are presumed, not published.
    #[serde(default)]
    pub unconfirmed: bool,
}

/// A 標準報酬 table: bands in ascending order, grade 1 first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GradeTable {
    /// The bands, grade 1 first.
    pub bands: Vec<GradeBand>,
}

impl GradeTable {
    /// The band a 報酬月額 falls in: the last band whose `from` is not above it. `None` only
    /// for an empty table or an amount below the first band.
    pub fn band_for(&self, monthly: i64) -> Option<&GradeBand> {
        self.bands.iter().rev().find(|b| b.from <= monthly)
    }

    /// The band of a grade.
    pub fn band(&self, grade: u8) -> Option<&GradeBand> {
        self.bands.iter().find(|b| b.grade == grade)
    }

    /// The highest band.
    pub fn top(&self) -> Option<&GradeBand> {
        self.bands.last()
    }
}

impl RuleValue for GradeTable {
    fn summary_ja(&self) -> String {
        match (self.bands.first(), self.bands.last()) {
            (Some(first), Some(last)) => {
                let presumed: Vec<String> = self
                    .bands
                    .iter()
                    .filter(|b| b.unconfirmed)
                    .map(|b| b.grade.to_string())
                    .collect();
                let mark = if presumed.is_empty() {
                    String::new()
                } else {
                    format!("（第{}級の範囲は要確認）", presumed.join("・"))
                };
                format!(
                    "{}等級：第1級 {}（{}未満）〜第{}級 {}（{}以上）{mark}",
                    self.bands.len(),
                    yen(first.standard_monthly),
                    yen(self.bands.get(1).map_or(0, |b| b.from)),
                    last.grade,
                    yen(last.standard_monthly),
                    yen(last.from),
                )
            }
            _ => "等級なし".to_owned(),
        }
    }

    fn check(&self) -> Result<(), String> {
        let first = self
            .bands
            .first()
            .ok_or("等級がありません。第1級から登録してください。")?;
        if first.from != 0 {
            return Err("第1級の下限は0円にしてください。".to_owned());
        }
        for (i, band) in self.bands.iter().enumerate() {
            if usize::from(band.grade) != i + 1 {
                return Err(format!(
                    "{}行目の等級が{}です。等級は1から順に並べてください。",
                    i + 1,
                    band.grade
                ));
            }
            if let Some(next) = self.bands.get(i + 1) {
                if next.from <= band.from || next.standard_monthly <= band.standard_monthly {
                    return Err(format!(
                        "第{}級と第{}級の金額が昇順になっていません。金額を確認してください。",
                        band.grade, next.grade
                    ));
                }
                if band.standard_monthly >= next.from {
                    return Err(format!(
                        "第{}級の標準報酬月額が次の等級の下限以上です。金額を確認してください。",
                        band.grade
                    ));
                }
            }
            if i > 0 && band.standard_monthly < band.from {
                return Err(format!(
                    "第{}級の標準報酬月額が下限より小さくなっています。金額を確認してください。",
                    band.grade
                ));
            }
        }
        Ok(())
    }
}

/// How long the 標準報酬 decided at acquisition stays in force: acquired before
/// `next_year_from_month` → until the end of `valid_through_month` of the same year;
/// otherwise until the end of that month of the next year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GradeValidity {
    /// The first month whose acquisitions keep their grade into the next year (6 = June).
    pub next_year_from_month: u32,
    /// The last month of validity (8 = August).
    pub valid_through_month: u32,
}

impl RuleValue for GradeValidity {
    fn summary_ja(&self) -> String {
        format!(
            "1月〜{}月の取得はその年の{}月末まで、{}月〜12月の取得は翌年{}月末まで",
            self.next_year_from_month.saturating_sub(1),
            self.valid_through_month,
            self.next_year_from_month,
            self.valid_through_month
        )
    }

    fn check(&self) -> Result<(), String> {
        if !(2..=12).contains(&self.next_year_from_month)
            || !(1..=12).contains(&self.valid_through_month)
        {
            return Err("月は1から12の数字で指定してください。".to_owned());
        }
        Ok(())
    }
}

/// 届出期限: within `days` days of the event, the event day not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FilingDeadline {
    /// Days after the event (the event day not counted).
    pub days: u32,
}

impl RuleValue for FilingDeadline {
    fn summary_ja(&self) -> String {
        format!(
            "資格取得日から{}日以内（取得日の翌日から数える）",
            self.days
        )
    }
}

/// Ages (reached the day before the birthday) at which coverage changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgeThresholds {
    /// 介護掛金 starts (from the month containing the day this age is reached): 40.
    pub kaigo_from: u32,
    /// 介護掛金 stops (from the month containing that day): 65.
    pub kaigo_until: u32,
    /// 厚生年金 membership ends: 70.
    pub pension_until: u32,
    /// 後期高齢者医療 begins; no short-term benefits, no dependant status: 75.
    pub late_elderly_from: u32,
    /// From this age someone with a certified disability may already be under
    /// 後期高齢者医療 (障害認定): 65.
    pub late_elderly_disability_from: u32,
}

impl RuleValue for AgeThresholds {
    fn summary_ja(&self) -> String {
        format!(
            "介護掛金 {}歳〜{}歳未満、厚生年金 {}歳まで、後期高齢者医療 {}歳から（障害認定により{}歳から）（年齢は誕生日の前日に加算）",
            self.kaigo_from,
            self.kaigo_until,
            self.pension_until,
            self.late_elderly_from,
            self.late_elderly_disability_from
        )
    }

    fn check(&self) -> Result<(), String> {
        if self.kaigo_from >= self.kaigo_until {
            return Err("介護掛金の開始年齢は終了年齢より小さくしてください。".to_owned());
        }
        Ok(())
    }
}

fn check_limit(annual: i64, monthly: i64) -> Result<(), String> {
    if annual <= 0 || monthly <= 0 {
        return Err("収入の限度額は1円以上にしてください。".to_owned());
    }
    Ok(())
}

/// A dependant's income must be below these amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IncomeLimit {
    /// Yearly income must be strictly below this.
    pub annual_below: i64,
    /// Monthly income must be strictly below this.
    pub monthly_below: i64,
}

impl RuleValue for IncomeLimit {
    fn summary_ja(&self) -> String {
        format!(
            "年収{}未満（月額{}未満）",
            yen(self.annual_below),
            yen(self.monthly_below)
        )
    }

    fn check(&self) -> Result<(), String> {
        check_limit(self.annual_below, self.monthly_below)
    }
}

/// The income limit of a dependant aged `from_age` or over (or disabled).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgeIncomeLimit {
    /// The age from which it applies: 60.
    pub from_age: u32,
    /// Yearly income must be strictly below this.
    pub annual_below: i64,
    /// Monthly income must be strictly below this.
    pub monthly_below: i64,
}

impl RuleValue for AgeIncomeLimit {
    fn summary_ja(&self) -> String {
        format!(
            "{}歳以上または障害年金を受けられる程度の障害がある方：年収{}未満（月額{}未満）",
            self.from_age,
            yen(self.annual_below),
            yen(self.monthly_below)
        )
    }

    fn check(&self) -> Result<(), String> {
        check_limit(self.annual_below, self.monthly_below)
    }
}

/// The income limit of a dependant (not the spouse) whose age on 31 December of the year
/// is at least `from_age` and under `under_age`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct YoungAdultIncomeLimit {
    /// 19.
    pub from_age: u32,
    /// 23 (exclusive).
    pub under_age: u32,
    /// Yearly income must be strictly below this.
    pub annual_below: i64,
    /// Monthly income must be strictly below this.
    pub monthly_below: i64,
}

impl RuleValue for YoungAdultIncomeLimit {
    fn summary_ja(&self) -> String {
        format!(
            "その年の12月31日に{}歳以上{}歳未満の方（配偶者を除く）：年収{}未満（月額{}未満）",
            self.from_age,
            self.under_age,
            yen(self.annual_below),
            yen(self.monthly_below)
        )
    }

    fn check(&self) -> Result<(), String> {
        if self.from_age >= self.under_age {
            return Err("対象年齢の下限は上限より小さくしてください。".to_owned());
        }
        check_limit(self.annual_below, self.monthly_below)
    }
}

/// A dependant's 認定日 is the event date when the application arrives within `days`
/// days of it (the event day not counted), otherwise the receipt date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecognitionWindow {
    /// 30.
    pub days: u32,
}

impl RuleValue for RecognitionWindow {
    fn summary_ja(&self) -> String {
        format!(
            "事実発生日から{}日以内に届いたときは事実発生日、それより後は受付日",
            self.days
        )
    }
}

/// Limits that catch typing mistakes. They are not ordinances; the association may
/// adjust them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plausibility {
    /// An acquisition date more than this many days after today is refused.
    pub max_days_ahead: u32,
    /// A member younger than this at acquisition gets a warning.
    pub min_member_age: u32,
    /// A 報酬月額 at or above this gets a warning (a digit too many?).
    pub max_monthly: i64,
}

impl RuleValue for Plausibility {
    fn summary_ja(&self) -> String {
        format!(
            "資格取得日は今日から{}日後まで、取得時{}歳未満は警告、報酬月額{}以上は警告（入力誤りの確認用）",
            self.max_days_ahead,
            self.min_member_age,
            yen(self.max_monthly)
        )
    }

    fn check(&self) -> Result<(), String> {
        if self.max_monthly <= 0 {
            return Err("報酬月額の目安は1円以上にしてください。".to_owned());
        }
        Ok(())
    }
}
