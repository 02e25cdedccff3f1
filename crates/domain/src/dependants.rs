//! 被扶養者 (dependants): relationships, household requirements and income limits.
//!
//! - Income limits ([`RuleSet::dependant_income_limit`]): the projected yearly income
//!   (non-taxable income included) must be strictly **below** the limit. The limit is the
//!   most favourable of those that apply: general; 60 or over, or disabled to the degree
//!   of a 障害年金; aged 19 to under 23 on 31 December of the year, other than the spouse
//!   (from 2025-10-01, 要確認). Ages are reached the day before the birthday.
//! - Household ([`Relationship::household`]): 配偶者 (事実婚 included), 子, 父母, 孫, 祖父母
//!   and 兄弟姉妹 need not live with the member, but living apart needs a record of regular
//!   remittance; other relatives within three degrees and the parents and children of a
//!   事実婚 spouse must live in the same household.
//! - 認定日 ([`RuleSet::recognition_date`]): the event date if the application arrives
//!   within 30 days of it, otherwise the receipt date.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::fiscal::age_on;
use crate::rules::RuleSet;

/// 続柄: the dependant's relationship to the member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Relationship {
    /// 配偶者.
    Spouse,
    /// 事実婚の配偶者 (内縁).
    CommonLawSpouse,
    /// 子.
    Child,
    /// 父母.
    Parent,
    /// 孫.
    Grandchild,
    /// 祖父母.
    Grandparent,
    /// 兄弟姉妹.
    Sibling,
    /// 三親等内のその他の親族.
    OtherRelative,
    /// 事実婚配偶者の父母・子.
    CommonLawSpouseParentOrChild,
}

/// Whether a dependant must live with the member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum HouseholdRule {
    /// Living apart is allowed with a record of regular remittance.
    ApartWithRemittance,
    /// Must live in the same household.
    SameHousehold,
}

impl Relationship {
    /// Every relationship, in the order the form lists them.
    pub const ALL: [Relationship; 9] = [
        Relationship::Spouse,
        Relationship::CommonLawSpouse,
        Relationship::Child,
        Relationship::Parent,
        Relationship::Grandchild,
        Relationship::Grandparent,
        Relationship::Sibling,
        Relationship::OtherRelative,
        Relationship::CommonLawSpouseParentOrChild,
    ];

    /// The name on the form, e.g. 「事実婚の配偶者」.
    pub fn name_ja(self) -> &'static str {
        match self {
            Relationship::Spouse => "配偶者",
            Relationship::CommonLawSpouse => "事実婚の配偶者",
            Relationship::Child => "子",
            Relationship::Parent => "父母",
            Relationship::Grandchild => "孫",
            Relationship::Grandparent => "祖父母",
            Relationship::Sibling => "兄弟姉妹",
            Relationship::OtherRelative => "三親等内のその他の親族",
            Relationship::CommonLawSpouseParentOrChild => "事実婚配偶者の父母・子",
        }
    }

    /// 配偶者 or 事実婚の配偶者.
    pub fn is_spouse(self) -> bool {
        matches!(self, Relationship::Spouse | Relationship::CommonLawSpouse)
    }

    /// Whether the dependant must live with the member.
    pub fn household(self) -> HouseholdRule {
        match self {
            Relationship::OtherRelative | Relationship::CommonLawSpouseParentOrChild => {
                HouseholdRule::SameHousehold
            }
            _ => HouseholdRule::ApartWithRemittance,
        }
    }
}

/// Which income limit applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum LimitBasis {
    /// 一般.
    General,
    /// 60歳以上または障害者.
    ElderlyOrDisabled,
    /// 19歳以上23歳未満（配偶者を除く）.
    YoungAdult,
}

/// The income limit applied to one dependant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppliedIncomeLimit {
    /// Which limit.
    pub basis: LimitBasis,
    /// Yearly income must be strictly below this.
    pub annual_below: i64,
    /// Monthly income must be strictly below this.
    pub monthly_below: i64,
    /// 要確認.
    pub unconfirmed: bool,
}

impl AppliedIncomeLimit {
    /// Whether a projected yearly income is within the limit (strictly below it).
    pub fn admits(&self, annual_income: i64) -> bool {
        annual_income < self.annual_below
    }

    /// 「130万円未満」-style description: 「1,300,000円未満」.
    pub fn describe_ja(&self) -> String {
        format!("{}未満", crate::rules::yen(self.annual_below))
    }
}

/// 31 December of the year of `on`.
fn dec31(on: NaiveDate) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(on.year(), 12, 31)
}

impl RuleSet {
    /// The income limit for a dependant on `on` (the 認定日): the highest of those that
    /// apply. `None` when no general limit is recorded for that date.
    ///
    /// While a form is incomplete: without a birth date only the general and disability
    /// limits can apply; without a relationship the young-adult limit is not applied
    /// (it excludes spouses).
    pub fn dependant_income_limit(
        &self,
        relationship: Option<Relationship>,
        birth: Option<NaiveDate>,
        disabled: bool,
        on: NaiveDate,
    ) -> Option<AppliedIncomeLimit> {
        let general = self.dependant_income_general.row_at(on)?;
        let mut best = AppliedIncomeLimit {
            basis: LimitBasis::General,
            annual_below: general.value.annual_below,
            monthly_below: general.value.monthly_below,
            unconfirmed: general.unconfirmed,
        };
        let mut consider = |candidate: AppliedIncomeLimit| {
            if candidate.annual_below > best.annual_below {
                best = candidate;
            }
        };
        if let Some(row) = self.dependant_income_elderly_or_disabled.row_at(on) {
            if disabled || birth.is_some_and(|b| age_on(b, on) >= row.value.from_age) {
                consider(AppliedIncomeLimit {
                    basis: LimitBasis::ElderlyOrDisabled,
                    annual_below: row.value.annual_below,
                    monthly_below: row.value.monthly_below,
                    unconfirmed: row.unconfirmed,
                });
            }
        }
        if let Some(row) = self.dependant_income_young_adult.row_at(on) {
            if let (Some(limit), Some(year_end), Some(birth), Some(relationship)) =
                (row.value, dec31(on), birth, relationship)
            {
                let age = age_on(birth, year_end);
                if !relationship.is_spouse() && limit.from_age <= age && age < limit.under_age {
                    consider(AppliedIncomeLimit {
                        basis: LimitBasis::YoungAdult,
                        annual_below: limit.annual_below,
                        monthly_below: limit.monthly_below,
                        unconfirmed: row.unconfirmed,
                    });
                }
            }
        }
        Some(best)
    }

    /// A dependant's 認定日: `event` if the application was received within the window
    /// (30 days, the event day not counted; an early application counts as on time),
    /// otherwise `received`. `None` when no window is recorded for that date.
    pub fn recognition_date(&self, event: NaiveDate, received: NaiveDate) -> Option<NaiveDate> {
        let window = self.dependant_recognition.at(event)?;
        let days_after = received.signed_duration_since(event).num_days();
        Some(if days_after <= i64::from(window.days) {
            event
        } else {
            received
        })
    }
}

/// The income limit for a dependant by the built-in rules; see
/// [`RuleSet::dependant_income_limit`].
pub fn dependant_income_limit(
    relationship: Option<Relationship>,
    birth: Option<NaiveDate>,
    disabled: bool,
    on: NaiveDate,
) -> Option<AppliedIncomeLimit> {
    RuleSet::builtin().dependant_income_limit(relationship, birth, disabled, on)
}

#[cfg(test)]
mod tests;
