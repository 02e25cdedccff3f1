//! What a person's age means for coverage on a day: 介護掛金 (40 to under 65, by month),
//! 厚生年金 (under 70) and 後期高齢者医療 (75 and over), with the ages from
//! [`crate::rules::AgeThresholds`].
//!
//! An age is reached on the day before the birthday ([`crate::fiscal::reaches_age_on`]).
//! 介護掛金 counts whole months: it is due from the month containing the day 40 is reached
//! and no longer from the month containing the day 65 is reached.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::fiscal::{age_on, reaches_age_on};
use crate::rules::{AgeThresholds, RuleSet};

/// Coverage by age on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AgeStatus {
    /// The age on that day.
    pub age: u32,
    /// 介護掛金 is due for the month containing that day.
    pub kaigo: bool,
    /// A 厚生年金 member on that day (under 70).
    pub pension: bool,
    /// Under 後期高齢者医療 on that day (75 or over): no short-term benefits as a member,
    /// no dependant status.
    pub late_elderly: bool,
}

fn month_index(date: NaiveDate) -> i64 {
    i64::from(date.year()) * 12 + i64::from(date.month0())
}

impl AgeThresholds {
    /// Coverage of someone born on `birth`, on `on`.
    pub fn status(&self, birth: NaiveDate, on: NaiveDate) -> AgeStatus {
        let age = age_on(birth, on);
        let month = month_index(on);
        let kaigo = month_index(reaches_age_on(birth, self.kaigo_from)) <= month
            && month < month_index(reaches_age_on(birth, self.kaigo_until));
        AgeStatus {
            age,
            kaigo,
            pension: age < self.pension_until,
            late_elderly: age >= self.late_elderly_from,
        }
    }
}

impl RuleSet {
    /// Coverage of someone born on `birth`, on `on`; `None` when no age rule is recorded
    /// for that day.
    pub fn age_status(&self, birth: NaiveDate, on: NaiveDate) -> Option<AgeStatus> {
        self.age_thresholds.at(on).map(|t| t.status(birth, on))
    }
}

/// Coverage of someone born on `birth`, on `on`, by the built-in rules (recorded from
/// 2008-04-01, when 後期高齢者医療 began).
pub fn age_status(birth: NaiveDate, on: NaiveDate) -> Option<AgeStatus> {
    RuleSet::builtin().age_status(birth, on)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn kaigo_starts_in_the_month_containing_the_day_40_is_reached() {
        // Born 1985-04-01: 40 is reached on 2025-03-31, so March 2025 is due.
        let birth = d(1985, 4, 1);
        assert!(!age_status(birth, d(2025, 2, 28)).unwrap().kaigo);
        let march = age_status(birth, d(2025, 3, 1)).unwrap();
        assert_eq!(march.age, 39);
        assert!(
            march.kaigo,
            "due for the whole month although still 39 on the 1st"
        );
        assert!(age_status(birth, d(2025, 3, 31)).unwrap().kaigo);
        // Born 1985-04-02: 40 on 2025-04-01, so April.
        let birth = d(1985, 4, 2);
        assert!(!age_status(birth, d(2025, 3, 31)).unwrap().kaigo);
        assert!(age_status(birth, d(2025, 4, 1)).unwrap().kaigo);
    }

    #[test]
    fn kaigo_stops_in_the_month_containing_the_day_65_is_reached() {
        // Born 1960-04-02: 65 on 2025-04-01: March is the last month due.
        let birth = d(1960, 4, 2);
        assert!(age_status(birth, d(2025, 3, 31)).unwrap().kaigo);
        assert!(!age_status(birth, d(2025, 4, 1)).unwrap().kaigo);
        assert!(!age_status(birth, d(2025, 4, 30)).unwrap().kaigo);
        // Born 1960-05-01: 65 on 2025-04-30: April is no longer due.
        let birth = d(1960, 5, 1);
        assert!(age_status(birth, d(2025, 3, 31)).unwrap().kaigo);
        let april = age_status(birth, d(2025, 4, 1)).unwrap();
        assert_eq!(april.age, 64);
        assert!(!april.kaigo);
    }

    #[test]
    fn pension_ends_the_day_70_is_reached() {
        let birth = d(1955, 6, 15);
        let before = age_status(birth, d(2025, 6, 13)).unwrap();
        assert_eq!((before.age, before.pension), (69, true));
        let on = age_status(birth, d(2025, 6, 14)).unwrap();
        assert_eq!((on.age, on.pension), (70, false));
    }

    #[test]
    fn late_elderly_from_the_day_75_is_reached() {
        let birth = d(1950, 1, 1);
        // 75 is reached on 2024-12-31 (a 1 January birthday is reached a year "early").
        assert!(!age_status(birth, d(2024, 12, 30)).unwrap().late_elderly);
        let s = age_status(birth, d(2024, 12, 31)).unwrap();
        assert_eq!(s.age, 75);
        assert!(s.late_elderly && !s.pension && !s.kaigo);
    }

    #[test]
    fn no_rule_before_2008_04() {
        assert!(age_status(d(1950, 1, 1), d(2008, 3, 31)).is_none());
        assert!(age_status(d(1950, 1, 1), d(2008, 4, 1)).is_some());
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        (0i64..40_000).prop_map(|n| d(1930, 1, 1) + chrono::Duration::days(n))
    }

    fn last_day_of_month(date: NaiveDate) -> NaiveDate {
        let first = date.with_day(1).unwrap();
        (first + chrono::Months::new(1)).pred_opt().unwrap()
    }

    proptest! {
        /// 介護 is due for a month exactly when the age on the month's last day is 40 or
        /// more and under 65; so it is the same for every day of the month.
        #[test]
        fn kaigo_is_decided_by_the_age_on_the_last_day_of_the_month(birth in any_date(), on in any_date()) {
            let t = RuleSet::builtin().age_thresholds.rows[0].value;
            let age_at_month_end = age_on(birth, last_day_of_month(on));
            prop_assert_eq!(t.status(birth, on).kaigo, (40..65).contains(&age_at_month_end));
            prop_assert_eq!(t.status(birth, on).kaigo, t.status(birth, on.with_day(1).unwrap()).kaigo);
        }

        #[test]
        fn pension_and_late_elderly_follow_the_age(birth in any_date(), on in any_date()) {
            let t = RuleSet::builtin().age_thresholds.rows[0].value;
            let s = t.status(birth, on);
            prop_assert_eq!(s.age, age_on(birth, on));
            prop_assert_eq!(s.pension, s.age < 70);
            prop_assert_eq!(s.late_elderly, s.age >= 75);
        }
    }
}
