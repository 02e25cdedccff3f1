//! 年度 (the fiscal year, April 1 – March 31) and age as Japanese law counts it.
//!
//! Age follows 年齢計算ニ関スル法律: a person reaches age N at the end of the day before
//! the N-th birthday, so rules that say "on reaching N" apply from that day. Someone born
//! on 2000-04-01 is 20 on 2020-03-31. For a 29 February birth the birthday in a common
//! year is taken as 1 March, so the age is reached on 28 February.

use chrono::{Datelike, NaiveDate};

use crate::wareki;

/// The 年度 a date belongs to: the calendar year in which that 年度 began on April 1.
///
/// 2025-03-31 is in 年度 2024; 2025-04-01 is in 年度 2025.
pub fn fiscal_year(date: NaiveDate) -> i32 {
    if date.month() >= 4 {
        date.year()
    } else {
        date.year() - 1
    }
}

/// The first and last day of a 年度: April 1 of `fiscal_year` to March 31 of the next year.
///
/// Years beyond what [`NaiveDate`] can hold (about ±262,000) saturate at
/// [`NaiveDate::MIN`] / [`NaiveDate::MAX`].
pub fn fiscal_year_range(fiscal_year: i32) -> (NaiveDate, NaiveDate) {
    let first = NaiveDate::from_ymd_opt(fiscal_year, 4, 1).unwrap_or(if fiscal_year < 0 {
        NaiveDate::MIN
    } else {
        NaiveDate::MAX
    });
    let last = fiscal_year
        .checked_add(1)
        .and_then(|y| NaiveDate::from_ymd_opt(y, 3, 31))
        .unwrap_or(if fiscal_year < 0 {
            NaiveDate::MIN
        } else {
            NaiveDate::MAX
        });
    (first, last)
}

/// The 年度 in 和暦: 「令和6年度」, 「令和元年度」 (2019), 「平成30年度」 (2018).
///
/// A 年度 is named like the calendar year it begins in, in the era in force at the end of
/// that year — so 2019年度 is 令和元年度, as 2019年 is 令和元年, although documents drawn
/// up before 2019-05-01 called it 平成31年度. Years before 明治 are written 「1867年度」.
pub fn format_fiscal_year(fiscal_year: i32) -> String {
    let named = NaiveDate::from_ymd_opt(fiscal_year, 12, 31)
        .and_then(|dec31| wareki::from_seireki(dec31).ok());
    match named {
        Some(w) if w.year == 1 => format!("{}元年度", w.era.kanji()),
        Some(w) => format!("{}{}年度", w.era.kanji(), w.year),
        None => format!("{fiscal_year}年度"),
    }
}

/// The N-th birthday; a 29 February birthday falls on 1 March in a common year.
fn nth_birthday(birth: NaiveDate, n: u32) -> Option<NaiveDate> {
    let year = birth.year().checked_add(i32::try_from(n).ok()?)?;
    NaiveDate::from_ymd_opt(year, birth.month(), birth.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))
}

/// The day on which someone born on `birth` reaches age `n`: the day before the N-th
/// birthday. Born 2000-04-01: 20 is reached on 2020-03-31. Born 2000-02-29: 1 is reached
/// on 2001-02-28.
///
/// Dates beyond what [`NaiveDate`] can hold saturate at [`NaiveDate::MIN`] / [`NaiveDate::MAX`].
pub fn reaches_age_on(birth: NaiveDate, n: u32) -> NaiveDate {
    match nth_birthday(birth, n) {
        Some(birthday) => birthday.pred_opt().unwrap_or(NaiveDate::MIN),
        None => NaiveDate::MAX,
    }
}

/// The age on a day, counted as Japanese law does (see the module documentation).
///
/// 0 on the day of birth and for any day before it.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> u32 {
    if on <= birth {
        return 0;
    }
    // The age is one of span - 1, span, span + 1 (a 1 January birthday is reached on
    // 31 December, a year "early").
    let span = (on.year() - birth.year()).unsigned_abs();
    (span.saturating_sub(1)..=span.saturating_add(1))
        .rev()
        .find(|&n| reaches_age_on(birth, n) <= on)
        .unwrap_or(0)
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
    fn fiscal_year_turns_on_april_first() {
        assert_eq!(fiscal_year(d(2025, 3, 31)), 2024);
        assert_eq!(fiscal_year(d(2025, 4, 1)), 2025);
        assert_eq!(fiscal_year(d(2025, 1, 1)), 2024);
        assert_eq!(fiscal_year(d(2024, 12, 31)), 2024);
    }

    #[test]
    fn fiscal_year_range_is_april_to_march() {
        assert_eq!(fiscal_year_range(2024), (d(2024, 4, 1), d(2025, 3, 31)));
        // The leap day of 2024 lies in 年度 2023.
        let (first, last) = fiscal_year_range(2023);
        assert!(first <= d(2024, 2, 29) && d(2024, 2, 29) <= last);
        assert_eq!(
            fiscal_year_range(i32::MAX),
            (NaiveDate::MAX, NaiveDate::MAX)
        );
        assert_eq!(
            fiscal_year_range(i32::MIN),
            (NaiveDate::MIN, NaiveDate::MIN)
        );
    }

    #[test]
    fn fiscal_year_names() {
        assert_eq!(format_fiscal_year(2024), "令和6年度");
        assert_eq!(format_fiscal_year(2019), "令和元年度");
        assert_eq!(format_fiscal_year(2020), "令和2年度");
        assert_eq!(format_fiscal_year(2018), "平成30年度");
        assert_eq!(format_fiscal_year(1989), "平成元年度");
        assert_eq!(format_fiscal_year(1988), "昭和63年度");
        assert_eq!(format_fiscal_year(1868), "明治元年度");
        assert_eq!(format_fiscal_year(1867), "1867年度");
        assert_eq!(format_fiscal_year(i32::MAX), format!("{}年度", i32::MAX));
    }

    #[test]
    fn age_is_reached_the_day_before_the_birthday() {
        let birth = d(2000, 4, 1);
        assert_eq!(reaches_age_on(birth, 20), d(2020, 3, 31));
        assert_eq!(age_on(birth, d(2020, 3, 30)), 19);
        assert_eq!(age_on(birth, d(2020, 3, 31)), 20);
        assert_eq!(age_on(birth, d(2020, 4, 1)), 20);
        let birth = d(2000, 4, 2);
        assert_eq!(age_on(birth, d(2020, 3, 31)), 19);
        assert_eq!(age_on(birth, d(2020, 4, 1)), 20);
    }

    #[test]
    fn new_year_birthday_reaches_age_in_the_previous_year() {
        let birth = d(1985, 1, 1);
        assert_eq!(reaches_age_on(birth, 40), d(2024, 12, 31));
        assert_eq!(age_on(birth, d(2024, 12, 30)), 39);
        assert_eq!(age_on(birth, d(2024, 12, 31)), 40);
    }

    #[test]
    fn leap_day_births() {
        let birth = d(2000, 2, 29);
        // Common year: birthday taken as 1 March, age reached on 28 February.
        assert_eq!(reaches_age_on(birth, 1), d(2001, 2, 28));
        assert_eq!(age_on(birth, d(2001, 2, 27)), 0);
        assert_eq!(age_on(birth, d(2001, 2, 28)), 1);
        // Leap year: birthday 29 February, age reached on 28 February too.
        assert_eq!(reaches_age_on(birth, 4), d(2004, 2, 28));
        assert_eq!(age_on(birth, d(2004, 2, 27)), 3);
        assert_eq!(age_on(birth, d(2004, 2, 28)), 4);
        // 1 March birth: reaches the age on 29 February in a leap year.
        assert_eq!(reaches_age_on(d(1984, 3, 1), 40), d(2024, 2, 29));
        assert_eq!(reaches_age_on(d(1985, 3, 1), 40), d(2025, 2, 28));
    }

    #[test]
    fn age_rules_of_the_association() {
        // 介護掛金 starts at 40, 後期高齢者医療 at 75.
        let birth = d(1960, 10, 15);
        assert_eq!(reaches_age_on(birth, 40), d(2000, 10, 14));
        assert_eq!(reaches_age_on(birth, 75), d(2035, 10, 14));
        assert_eq!(age_on(birth, d(2035, 10, 13)), 74);
        assert_eq!(age_on(birth, d(2035, 10, 14)), 75);
    }

    #[test]
    fn age_before_and_on_birth_is_zero() {
        let birth = d(2024, 4, 1);
        assert_eq!(age_on(birth, d(2024, 3, 1)), 0);
        assert_eq!(age_on(birth, birth), 0);
        assert_eq!(age_on(birth, d(2025, 3, 30)), 0);
        assert_eq!(age_on(birth, d(2025, 3, 31)), 1);
        assert_eq!(reaches_age_on(birth, 0), d(2024, 3, 31));
    }

    #[test]
    fn extreme_dates_do_not_panic() {
        assert_eq!(reaches_age_on(NaiveDate::MAX, 1), NaiveDate::MAX);
        assert_eq!(reaches_age_on(d(2000, 1, 1), u32::MAX), NaiveDate::MAX);
        assert_eq!(reaches_age_on(NaiveDate::MIN, 0), NaiveDate::MIN);
        assert!(age_on(NaiveDate::MIN, NaiveDate::MAX) > 500_000);
        assert_eq!(fiscal_year(NaiveDate::MIN), NaiveDate::MIN.year() - 1);
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        let start = d(1900, 1, 1);
        (0i64..80_000).prop_map(move |n| start + chrono::Duration::days(n))
    }

    proptest! {
        #[test]
        fn age_changes_exactly_on_the_day_it_is_reached(birth in any_date(), n in 1u32..=120) {
            let day = reaches_age_on(birth, n);
            prop_assert_eq!(age_on(birth, day), n);
            prop_assert_eq!(age_on(birth, day.pred_opt().unwrap()), n - 1);
        }

        #[test]
        fn age_never_decreases(birth in any_date(), on in any_date()) {
            let next = on.succ_opt().unwrap();
            let (a, b) = (age_on(birth, on), age_on(birth, next));
            prop_assert!(b == a || b == a + 1);
        }

        #[test]
        fn every_date_lies_in_its_fiscal_year(date in any_date()) {
            let (first, last) = fiscal_year_range(fiscal_year(date));
            prop_assert!(first <= date && date <= last);
        }
    }
}
