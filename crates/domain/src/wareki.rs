//! 和暦 (Japanese era calendar): conversion to and from 西暦, formatting and parsing.
//!
//! Dates are stored as [`NaiveDate`]; a [`WarekiDate`] is only a view of one. The eras are
//! data ([`ERA_TABLE`]): when a new era begins, add a variant to [`Era`] and a row to the
//! table, and close the previous row's `last_day`.
//!
//! Year 1 of an era is written 元年 (「令和元年5月1日」). A date written in the wrong era,
//! such as 平成31年5月1日, is refused with a message that names the right form
//! (令和元年5月1日) rather than silently converted: on a form, the era is something the
//! clerk copied from paper, so a mismatch usually means a typo worth a second look.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::finding::Coded;

/// A Japanese era (元号) from 明治 on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Era {
    /// 明治 (M)
    Meiji,
    /// 大正 (T)
    Taisho,
    /// 昭和 (S)
    Showa,
    /// 平成 (H)
    Heisei,
    /// 令和 (R)
    Reiwa,
}

/// One row of the era table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EraRow {
    /// The era this row describes.
    pub era: Era,
    /// Its name in kanji, e.g. `"令和"`.
    pub kanji: &'static str,
    /// Its one-letter abbreviation, e.g. `'R'`.
    pub letter: char,
    /// The first day of the era (元年の初日).
    pub first_day: NaiveDate,
    /// The last day of the era; `None` for the current era.
    pub last_day: Option<NaiveDate>,
}

/// A date in the era table. A bad literal fails the build, not a clerk's form.
const fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("invalid date in the era table"),
    }
}

/// The eras, oldest first, in the order of [`Era`]'s variants. Each era begins the day
/// after the previous one ends.
///
/// 明治 is taken to begin on 1868-01-25 (明治元年1月1日 in the old calendar), as is the
/// custom for converting dates; earlier dates are outside what this module handles.
pub const ERA_TABLE: &[EraRow] = &[
    EraRow {
        era: Era::Meiji,
        kanji: "明治",
        letter: 'M',
        first_day: ymd(1868, 1, 25),
        last_day: Some(ymd(1912, 7, 29)),
    },
    EraRow {
        era: Era::Taisho,
        kanji: "大正",
        letter: 'T',
        first_day: ymd(1912, 7, 30),
        last_day: Some(ymd(1926, 12, 24)),
    },
    EraRow {
        era: Era::Showa,
        kanji: "昭和",
        letter: 'S',
        first_day: ymd(1926, 12, 25),
        last_day: Some(ymd(1989, 1, 7)),
    },
    EraRow {
        era: Era::Heisei,
        kanji: "平成",
        letter: 'H',
        first_day: ymd(1989, 1, 8),
        last_day: Some(ymd(2019, 4, 30)),
    },
    EraRow {
        era: Era::Reiwa,
        kanji: "令和",
        letter: 'R',
        first_day: ymd(2019, 5, 1),
        last_day: None,
    },
];

/// The largest 西暦 year a 和暦 date may convert to; larger years are typing mistakes.
const MAX_SEIREKI_YEAR: i32 = 9999;

impl Era {
    /// All eras, oldest first.
    pub const ALL: [Era; 5] = [Era::Meiji, Era::Taisho, Era::Showa, Era::Heisei, Era::Reiwa];

    fn row(self) -> &'static EraRow {
        // ERA_TABLE lists the eras in the order of the variants (checked by a test).
        &ERA_TABLE[self as usize]
    }

    /// The era's name in kanji, e.g. `"令和"`.
    pub fn kanji(self) -> &'static str {
        self.row().kanji
    }

    /// The era's one-letter abbreviation, e.g. `'R'`.
    pub fn letter(self) -> char {
        self.row().letter
    }

    /// The first day of the era.
    pub fn first_day(self) -> NaiveDate {
        self.row().first_day
    }

    /// The last day of the era, or `None` for the current era.
    pub fn last_day(self) -> Option<NaiveDate> {
        self.row().last_day
    }

    /// The era with this kanji name (`"令和"`), if any.
    pub fn from_kanji(name: &str) -> Option<Era> {
        ERA_TABLE.iter().find(|r| r.kanji == name).map(|r| r.era)
    }

    /// The era with this letter, in either case (`'R'` or `'r'`), if any.
    pub fn from_letter(letter: char) -> Option<Era> {
        let letter = letter.to_ascii_uppercase();
        ERA_TABLE.iter().find(|r| r.letter == letter).map(|r| r.era)
    }
}

impl fmt::Display for Era {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kanji())
    }
}

/// A date written in 和暦. `year` 1 is 元年.
///
/// The fields are not checked when the value is built; [`to_seireki`] checks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WarekiDate {
    /// The era.
    pub era: Era,
    /// The year of the era; 1 is 元年.
    pub year: u32,
    /// The month, 1–12.
    pub month: u32,
    /// The day of the month.
    pub day: u32,
}

impl WarekiDate {
    /// A 和暦 date from its parts (not checked; see [`to_seireki`]).
    pub const fn new(era: Era, year: u32, month: u32, day: u32) -> Self {
        Self {
            era,
            year,
            month,
            day,
        }
    }
}

/// 「令和6年4月1日」, with 元年 for year 1 (「令和元年5月1日」).
impl fmt::Display for WarekiDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}月{}日",
            EraYear(self.era, self.year),
            self.month,
            self.day
        )
    }
}

/// 「令和6年」 / 「令和元年」.
struct EraYear(Era, u32);

impl fmt::Display for EraYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.1 == 1 {
            write!(f, "{}元年", self.0)
        } else {
            write!(f, "{}{}年", self.0, self.1)
        }
    }
}

/// Why a 和暦 date could not be converted or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WarekiError {
    /// Year 0 was given.
    #[error("{era}0年という年はありません。年は1以上で入力してください（1年は「元年」です）。")]
    YearZero {
        /// The era that was given.
        era: Era,
    },
    /// The year is too large to be a real date.
    #[error("{era}{year}年は大きすぎます。年を確認してください。")]
    YearOutOfRange {
        /// The era that was given.
        era: Era,
        /// The year that was given.
        year: u32,
    },
    /// The month is not 1–12.
    #[error("{month}月という月はありません。月は1から12までの数字で入力してください。")]
    InvalidMonth {
        /// The month that was given.
        month: u32,
    },
    /// That day does not exist in that month.
    #[error("{}{month}月の日は1から{last_day}までの数字で入力してください。", EraYear(*.era, *.year))]
    InvalidDay {
        /// The era that was given.
        era: Era,
        /// The year that was given.
        year: u32,
        /// The month that was given.
        month: u32,
        /// The day that was given.
        day: u32,
        /// The last day of that month.
        last_day: u32,
    },
    /// The date is before the first day of the era it was written in.
    #[error("{era}元年は{}からです。この日付は「{suggestion}」と入力してください。", MonthDay(.era.first_day()))]
    BeforeEraStart {
        /// The era that was given.
        era: Era,
        /// The same date written in the right era.
        suggestion: WarekiDate,
    },
    /// The date is after the last day of the era it was written in.
    #[error("{era}は{}までです。この日付は「{suggestion}」と入力してください。", EraEnd(*.era))]
    AfterEraEnd {
        /// The era that was given.
        era: Era,
        /// The same date written in the right era.
        suggestion: WarekiDate,
    },
    /// The date is before 明治 (1868-01-25), which this module does not handle.
    #[error("明治元年1月25日（1868年1月25日）より前の日付は扱えません。日付を確認してください。")]
    BeforeMeiji,
    /// The text is not a 和暦 date in any accepted form.
    #[error(
        "和暦の日付として読み取れません。「令和6年4月1日」または「R6.4.1」の形で入力してください。"
    )]
    Unparseable,
}

impl WarekiError {
    /// The stable code of this error, e.g. `"wareki.outside_era"`.
    pub fn code(&self) -> &'static str {
        match self {
            WarekiError::YearZero { .. } => "wareki.year_zero",
            WarekiError::YearOutOfRange { .. } => "wareki.year_out_of_range",
            WarekiError::InvalidMonth { .. } => "wareki.invalid_month",
            WarekiError::InvalidDay { .. } => "wareki.invalid_day",
            WarekiError::BeforeEraStart { .. } | WarekiError::AfterEraEnd { .. } => {
                "wareki.outside_era"
            }
            WarekiError::BeforeMeiji => "wareki.before_meiji",
            WarekiError::Unparseable => "wareki.unparseable",
        }
    }
}

impl Coded for WarekiError {
    fn code(&self) -> &'static str {
        WarekiError::code(self)
    }
}

/// 「5月1日」.
struct MonthDay(NaiveDate);

impl fmt::Display for MonthDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}月{}日", self.0.month(), self.0.day())
    }
}

/// 「31年4月30日」: the era's last day in its own years.
struct EraEnd(Era);

impl fmt::Display for EraEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.last_day().map(from_seireki) {
            Some(Ok(last)) if last.year == 1 => {
                write!(f, "元年{}月{}日", last.month, last.day)
            }
            Some(Ok(last)) => write!(f, "{}年{}月{}日", last.year, last.month, last.day),
            _ => Ok(()),
        }
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if NaiveDate::from_ymd_opt(year, 2, 29).is_some() => 29,
        2 => 28,
        _ => 0,
    }
}

/// Converts a 和暦 date to 西暦, checking that the month and day exist and that the date
/// falls within the era it is written in.
///
/// ```
/// use kyosai_domain::wareki::{to_seireki, Era, WarekiDate};
/// let date = to_seireki(&WarekiDate::new(Era::Reiwa, 1, 5, 1)).unwrap();
/// assert_eq!(date.to_string(), "2019-05-01");
/// // 平成31年5月1日 does not exist: the error names 令和元年5月1日.
/// let err = to_seireki(&WarekiDate::new(Era::Heisei, 31, 5, 1)).unwrap_err();
/// assert_eq!(err.code(), "wareki.outside_era");
/// assert!(err.to_string().contains("令和元年5月1日"));
/// ```
pub fn to_seireki(date: &WarekiDate) -> Result<NaiveDate, WarekiError> {
    let era = date.era;
    if date.year == 0 {
        return Err(WarekiError::YearZero { era });
    }
    if !(1..=12).contains(&date.month) {
        return Err(WarekiError::InvalidMonth { month: date.month });
    }
    let first = era.first_day();
    let year = i32::try_from(date.year)
        .ok()
        .and_then(|y| first.year().checked_add(y - 1))
        .filter(|y| *y <= MAX_SEIREKI_YEAR)
        .ok_or(WarekiError::YearOutOfRange {
            era,
            year: date.year,
        })?;
    let seireki =
        NaiveDate::from_ymd_opt(year, date.month, date.day).ok_or(WarekiError::InvalidDay {
            era,
            year: date.year,
            month: date.month,
            day: date.day,
            last_day: days_in_month(year, date.month),
        })?;
    if seireki < first {
        return Err(match from_seireki(seireki) {
            Ok(suggestion) => WarekiError::BeforeEraStart { era, suggestion },
            Err(e) => e,
        });
    }
    if let Some(last) = era.last_day() {
        if seireki > last {
            return Err(match from_seireki(seireki) {
                Ok(suggestion) => WarekiError::AfterEraEnd { era, suggestion },
                Err(e) => e,
            });
        }
    }
    Ok(seireki)
}

/// Writes a 西暦 date in the era in force on that day.
///
/// Dates before 1868-01-25 are refused ([`WarekiError::BeforeMeiji`]).
pub fn from_seireki(date: NaiveDate) -> Result<WarekiDate, WarekiError> {
    // The rows are contiguous and oldest first, so the last row that has begun is the one.
    let row = ERA_TABLE
        .iter()
        .rev()
        .find(|r| r.first_day <= date)
        .ok_or(WarekiError::BeforeMeiji)?;
    Ok(WarekiDate {
        era: row.era,
        year: (date.year() - row.first_day.year()).unsigned_abs() + 1,
        month: date.month(),
        day: date.day(),
    })
}

/// 「令和6年4月1日」, with 元年 for year 1. Same as the `Display` of [`WarekiDate`].
pub fn format_wareki(date: &WarekiDate) -> String {
    date.to_string()
}

/// The short form 「R6.4.1」 (year 1 is written 1, as on most forms).
pub fn format_wareki_short(date: &WarekiDate) -> String {
    format!(
        "{}{}.{}.{}",
        date.era.letter(),
        date.year,
        date.month,
        date.day
    )
}

/// 「令和6年4月1日 (2024-04-01)」: both calendars, for screens where a clerk compares the
/// two. Dates before 明治 show only the 西暦 part.
pub fn format_with_seireki(date: NaiveDate) -> String {
    match from_seireki(date) {
        Ok(wareki) => format!("{wareki} ({})", date.format("%Y-%m-%d")),
        Err(_) => date.format("%Y-%m-%d").to_string(),
    }
}

/// Reads a 和暦 date typed by a clerk and checks it like [`to_seireki`].
///
/// The text is NFKC-normalised (full-width digits and letters, ㋿ and ㍻ become plain) and
/// white space is ignored. Accepted forms:
///
/// - kanji: 「令和6年4月1日」, 「令和元年5月1日」, 「令和6年04月01日」 (the final 日 may be left out);
/// - letter: 「R6.4.1」, 「r06/04/01」, 「H31-04-30」 — one of `.` `/` `-`, the same one twice.
///
/// Anything else is [`WarekiError::Unparseable`].
pub fn parse_wareki(text: &str) -> Result<WarekiDate, WarekiError> {
    let normalised: String = text.nfkc().filter(|c| !c.is_whitespace()).collect();
    let date = parse_fields(&normalised).ok_or(WarekiError::Unparseable)?;
    to_seireki(&date)?;
    Ok(date)
}

fn parse_fields(s: &str) -> Option<WarekiDate> {
    let (era, rest) = split_era(s)?;
    let (year, rest) = match rest.strip_prefix('元') {
        Some(rest) => (1, rest),
        None => take_number(rest, 3)?,
    };
    let (month, day, rest) = if let Some(rest) = rest.strip_prefix('年') {
        let (month, rest) = take_number(rest, 2)?;
        let rest = rest.strip_prefix('月')?;
        let (day, rest) = take_number(rest, 2)?;
        (month, day, rest.strip_prefix('日').unwrap_or(rest))
    } else {
        let sep = rest
            .chars()
            .next()
            .filter(|c| matches!(c, '.' | '/' | '-'))?;
        let (month, rest) = take_number(&rest[sep.len_utf8()..], 2)?;
        let (day, rest) = take_number(rest.strip_prefix(sep)?, 2)?;
        (month, day, rest)
    };
    rest.is_empty()
        .then_some(WarekiDate::new(era, year, month, day))
}

fn split_era(s: &str) -> Option<(Era, &str)> {
    if let Some((era, rest)) = ERA_TABLE
        .iter()
        .find_map(|r| s.strip_prefix(r.kanji).map(|rest| (r.era, rest)))
    {
        return Some((era, rest));
    }
    let first = s.chars().next()?;
    let era = Era::from_letter(first)?;
    Some((era, &s[first.len_utf8()..]))
}

/// Takes 1 to `max_digits` ASCII digits from the front of `s`.
fn take_number(s: &str, max_digits: usize) -> Option<(u32, &str)> {
    let len = s.bytes().take_while(u8::is_ascii_digit).count();
    if len == 0 || len > max_digits {
        return None;
    }
    let (digits, rest) = s.split_at(len);
    digits.parse().ok().map(|n| (n, rest))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn w(era: Era, year: u32, month: u32, day: u32) -> WarekiDate {
        WarekiDate::new(era, year, month, day)
    }

    #[test]
    fn table_is_in_variant_order_and_contiguous() {
        assert_eq!(ERA_TABLE.len(), Era::ALL.len());
        for (row, era) in ERA_TABLE.iter().zip(Era::ALL) {
            assert_eq!(row.era, era);
            assert_eq!(era.kanji(), row.kanji);
        }
        for pair in ERA_TABLE.windows(2) {
            let last = pair[0].last_day.unwrap();
            assert_eq!(last.succ_opt().unwrap(), pair[1].first_day);
        }
        assert_eq!(ERA_TABLE.last().unwrap().last_day, None);
    }

    #[test]
    fn era_names_and_letters() {
        let names: Vec<_> = Era::ALL.iter().map(|e| e.kanji()).collect();
        assert_eq!(names, ["明治", "大正", "昭和", "平成", "令和"]);
        let letters: String = Era::ALL.iter().map(|e| e.letter()).collect();
        assert_eq!(letters, "MTSHR");
        assert_eq!(Era::from_letter('r'), Some(Era::Reiwa));
        assert_eq!(Era::from_letter('X'), None);
        assert_eq!(Era::from_kanji("昭和"), Some(Era::Showa));
        assert_eq!(Era::from_kanji("慶応"), None);
        assert_eq!(Era::Meiji.first_day(), d(1868, 1, 25));
        assert_eq!(Era::Reiwa.last_day(), None);
        assert_eq!(serde_json::to_string(&Era::Heisei).unwrap(), r#""heisei""#);
    }

    type Ymd = (i32, u32, u32);

    /// (era, first day, last day, year of last day in that era)
    const BOUNDARIES: &[(Era, Ymd, Ymd, u32)] = &[
        (Era::Meiji, (1868, 1, 25), (1912, 7, 29), 45),
        (Era::Taisho, (1912, 7, 30), (1926, 12, 24), 15),
        (Era::Showa, (1926, 12, 25), (1989, 1, 7), 64),
        (Era::Heisei, (1989, 1, 8), (2019, 4, 30), 31),
    ];

    #[test]
    fn every_era_boundary_both_ways() {
        for &(era, (fy, fm, fd), (ly, lm, ld), last_year) in BOUNDARIES {
            let first = d(fy, fm, fd);
            let last = d(ly, lm, ld);
            // First day is 元年 of the era.
            assert_eq!(from_seireki(first).unwrap(), w(era, 1, fm, fd));
            assert_eq!(to_seireki(&w(era, 1, fm, fd)).unwrap(), first);
            // Last day.
            assert_eq!(from_seireki(last).unwrap(), w(era, last_year, lm, ld));
            assert_eq!(to_seireki(&w(era, last_year, lm, ld)).unwrap(), last);
            // The day after the last day is 元年 of the next era, and this era refuses it.
            let next_era = Era::ALL[era as usize + 1];
            let after = last.succ_opt().unwrap();
            let right = w(next_era, 1, after.month(), after.day());
            assert_eq!(from_seireki(after).unwrap(), right);
            let err = to_seireki(&w(era, last_year, after.month(), after.day())).unwrap_err();
            assert_eq!(
                err,
                WarekiError::AfterEraEnd {
                    era,
                    suggestion: right
                }
            );
            assert_eq!(err.code(), "wareki.outside_era");
            // The next era refuses the last day of this one.
            let err = to_seireki(&w(next_era, 1, lm, ld)).unwrap_err();
            assert_eq!(
                err,
                WarekiError::BeforeEraStart {
                    era: next_era,
                    suggestion: w(era, last_year, lm, ld)
                }
            );
        }
        // Reiwa's first day and the day before 明治.
        assert_eq!(from_seireki(d(2019, 5, 1)).unwrap(), w(Era::Reiwa, 1, 5, 1));
        assert_eq!(
            from_seireki(d(1868, 1, 24)).unwrap_err(),
            WarekiError::BeforeMeiji
        );
        assert_eq!(
            to_seireki(&w(Era::Meiji, 1, 1, 24)).unwrap_err().code(),
            "wareki.before_meiji"
        );
    }

    #[test]
    fn wrong_era_messages_name_the_right_form() {
        let err = to_seireki(&w(Era::Heisei, 31, 5, 1)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "平成は31年4月30日までです。この日付は「令和元年5月1日」と入力してください。"
        );
        let err = to_seireki(&w(Era::Showa, 64, 1, 8)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "昭和は64年1月7日までです。この日付は「平成元年1月8日」と入力してください。"
        );
        let err = to_seireki(&w(Era::Reiwa, 1, 4, 30)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "令和元年は5月1日からです。この日付は「平成31年4月30日」と入力してください。"
        );
        // A year past the era's end still gets the right form.
        let err = to_seireki(&w(Era::Heisei, 32, 4, 1)).unwrap_err();
        assert!(err.to_string().contains("「令和2年4月1日」"), "{err}");
        // The end of an era is written in that era's own years.
        let err = to_seireki(&w(Era::Meiji, 45, 7, 30)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "明治は45年7月29日までです。この日付は「大正元年7月30日」と入力してください。"
        );
    }

    #[test]
    fn gannen_both_ways() {
        assert_eq!(to_seireki(&w(Era::Reiwa, 1, 5, 1)).unwrap(), d(2019, 5, 1));
        assert_eq!(from_seireki(d(2019, 12, 31)).unwrap().year, 1);
        assert_eq!(format_wareki(&w(Era::Reiwa, 1, 5, 1)), "令和元年5月1日");
        assert_eq!(format_wareki(&w(Era::Reiwa, 2, 1, 1)), "令和2年1月1日");
        assert_eq!(
            parse_wareki("令和元年5月1日").unwrap(),
            w(Era::Reiwa, 1, 5, 1)
        );
        assert_eq!(
            parse_wareki("平成元年1月8日").unwrap(),
            w(Era::Heisei, 1, 1, 8)
        );
        assert_eq!(parse_wareki("R1.5.1").unwrap(), w(Era::Reiwa, 1, 5, 1));
    }

    #[test]
    fn leap_days() {
        assert_eq!(
            to_seireki(&w(Era::Reiwa, 2, 2, 29)).unwrap(),
            d(2020, 2, 29)
        );
        let err = to_seireki(&w(Era::Reiwa, 3, 2, 29)).unwrap_err();
        assert_eq!(err.code(), "wareki.invalid_day");
        assert_eq!(
            err.to_string(),
            "令和3年2月の日は1から28までの数字で入力してください。"
        );
        assert!(to_seireki(&w(Era::Heisei, 12, 2, 29)).is_ok()); // 2000: divisible by 400
        assert!(to_seireki(&w(Era::Meiji, 33, 2, 29)).is_err()); // 1900: not a leap year
        assert!(to_seireki(&w(Era::Heisei, 31, 2, 29)).is_err()); // 2019
    }

    #[test]
    fn month_and_day_ranges() {
        for month in [0, 13, 99] {
            let err = to_seireki(&w(Era::Reiwa, 6, month, 1)).unwrap_err();
            assert_eq!(err.code(), "wareki.invalid_month");
        }
        assert_eq!(
            to_seireki(&w(Era::Reiwa, 6, 13, 1))
                .unwrap_err()
                .to_string(),
            "13月という月はありません。月は1から12までの数字で入力してください。"
        );
        assert_eq!(
            to_seireki(&w(Era::Reiwa, 6, 4, 30)).unwrap(),
            d(2024, 4, 30)
        );
        for (month, last) in [(4, 30), (1, 31), (12, 31), (6, 30)] {
            assert!(to_seireki(&w(Era::Reiwa, 6, month, last)).is_ok());
            let err = to_seireki(&w(Era::Reiwa, 6, month, last + 1)).unwrap_err();
            assert_eq!(err.code(), "wareki.invalid_day");
        }
        let err = to_seireki(&w(Era::Reiwa, 6, 4, 0)).unwrap_err();
        assert_eq!(err.code(), "wareki.invalid_day");
    }

    #[test]
    fn year_zero_and_huge_years() {
        let err = to_seireki(&w(Era::Reiwa, 0, 4, 1)).unwrap_err();
        assert_eq!(err, WarekiError::YearZero { era: Era::Reiwa });
        assert_eq!(err.code(), "wareki.year_zero");
        assert_eq!(
            parse_wareki("令和0年4月1日").unwrap_err().code(),
            "wareki.year_zero"
        );
        for year in [8000, u32::MAX] {
            let err = to_seireki(&w(Era::Reiwa, year, 4, 1)).unwrap_err();
            assert_eq!(err.code(), "wareki.year_out_of_range");
        }
        // 令和7981年 is 9999年, the largest accepted.
        assert_eq!(
            to_seireki(&w(Era::Reiwa, 7981, 12, 31)).unwrap(),
            d(9999, 12, 31)
        );
    }

    #[test]
    fn formatting() {
        assert_eq!(format_wareki(&w(Era::Reiwa, 6, 4, 1)), "令和6年4月1日");
        assert_eq!(format_wareki_short(&w(Era::Reiwa, 6, 4, 1)), "R6.4.1");
        assert_eq!(
            format_with_seireki(d(2024, 4, 1)),
            "令和6年4月1日 (2024-04-01)"
        );
        assert_eq!(
            format_with_seireki(d(2019, 5, 1)),
            "令和元年5月1日 (2019-05-01)"
        );
        assert_eq!(format_with_seireki(d(1868, 1, 1)), "1868-01-01");
        assert_eq!(
            serde_json::to_string(&w(Era::Reiwa, 6, 4, 1)).unwrap(),
            r#"{"era":"reiwa","year":6,"month":4,"day":1}"#
        );
    }

    #[test]
    fn parses_accepted_forms() {
        let cases = [
            ("令和6年4月1日", w(Era::Reiwa, 6, 4, 1)),
            ("令和元年5月1日", w(Era::Reiwa, 1, 5, 1)),
            ("R6.4.1", w(Era::Reiwa, 6, 4, 1)),
            ("r06/04/01", w(Era::Reiwa, 6, 4, 1)),
            ("H31-04-30", w(Era::Heisei, 31, 4, 30)),
            ("S64.1.7", w(Era::Showa, 64, 1, 7)),
            ("令和６年４月１日", w(Era::Reiwa, 6, 4, 1)),
            ("令和6年04月01日", w(Era::Reiwa, 6, 4, 1)),
            ("令和6年4月1", w(Era::Reiwa, 6, 4, 1)),
            ("  令和 6年 4月 1日 ", w(Era::Reiwa, 6, 4, 1)),
            ("Ｒ６．４．１", w(Era::Reiwa, 6, 4, 1)),
            ("㋿6年4月1日", w(Era::Reiwa, 6, 4, 1)),
            ("㍻31年4月30日", w(Era::Heisei, 31, 4, 30)),
            ("t1.7.30", w(Era::Taisho, 1, 7, 30)),
            ("M45.7.29", w(Era::Meiji, 45, 7, 29)),
            ("昭和40年3月31日", w(Era::Showa, 40, 3, 31)),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_wareki(text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn refuses_other_text_clearly() {
        for text in [
            "",
            "2024-04-01",
            "令和",
            "令和6年",
            "令和6年4月",
            "令和6年4月1日生",
            "R6.4",
            "R6.4/1",
            "R6..4.1",
            "X6.4.1",
            "慶応3年1月1日",
            "R1234.1.1",
            "R6.123.1",
            "令和六年四月一日",
        ] {
            let err = parse_wareki(text).unwrap_err();
            assert_eq!(err.code(), "wareki.unparseable", "{text}");
        }
        assert_eq!(
            parse_wareki("令和6年").unwrap_err().to_string(),
            "和暦の日付として読み取れません。「令和6年4月1日」または「R6.4.1」の形で入力してください。"
        );
        // Parsed but not a real date: the specific error, not "unparseable".
        assert_eq!(
            parse_wareki("H31.5.1").unwrap_err().code(),
            "wareki.outside_era"
        );
        assert_eq!(
            parse_wareki("R3.2.29").unwrap_err().code(),
            "wareki.invalid_day"
        );
        assert_eq!(
            parse_wareki("R6.13.1").unwrap_err().code(),
            "wareki.invalid_month"
        );
    }

    #[test]
    fn every_error_has_a_stable_code_and_says_what_to_do() {
        let r1 = w(Era::Reiwa, 1, 5, 1);
        let cases = [
            (
                WarekiError::YearZero { era: Era::Reiwa },
                "wareki.year_zero",
            ),
            (
                WarekiError::YearOutOfRange {
                    era: Era::Reiwa,
                    year: 9000,
                },
                "wareki.year_out_of_range",
            ),
            (
                WarekiError::InvalidMonth { month: 13 },
                "wareki.invalid_month",
            ),
            (
                WarekiError::InvalidDay {
                    era: Era::Reiwa,
                    year: 6,
                    month: 4,
                    day: 31,
                    last_day: 30,
                },
                "wareki.invalid_day",
            ),
            (
                WarekiError::BeforeEraStart {
                    era: Era::Reiwa,
                    suggestion: w(Era::Heisei, 31, 4, 30),
                },
                "wareki.outside_era",
            ),
            (
                WarekiError::AfterEraEnd {
                    era: Era::Heisei,
                    suggestion: r1,
                },
                "wareki.outside_era",
            ),
            (WarekiError::BeforeMeiji, "wareki.before_meiji"),
            (WarekiError::Unparseable, "wareki.unparseable"),
        ];
        for (err, code) in cases {
            assert_eq!(err.code(), code);
            assert_eq!(Coded::code(&err), code);
            let message = err.to_string();
            assert!(message.ends_with('。'), "{message}");
            assert!(message.contains("ください"), "{message}");
        }
        assert_eq!(
            WarekiError::YearZero { era: Era::Reiwa }.to_string(),
            "令和0年という年はありません。年は1以上で入力してください（1年は「元年」です）。"
        );
    }

    /// Every day from 明治 to 2100, one by one (about 85,000 days).
    #[test]
    fn round_trip_every_day_1868_to_2100() {
        let mut date = d(1868, 1, 25);
        let mut previous = from_seireki(date).unwrap();
        let mut count = 0;
        while date <= d(2100, 12, 31) {
            let wareki = from_seireki(date).unwrap();
            assert_eq!(to_seireki(&wareki), Ok(date));
            assert_eq!(parse_wareki(&format_wareki(&wareki)), Ok(wareki));
            // Either the same era, or the next one starting at 元年.
            if wareki.era != previous.era {
                assert_eq!(wareki.era as usize, previous.era as usize + 1);
                assert_eq!(wareki.year, 1);
            }
            previous = wareki;
            date = date.succ_opt().unwrap();
            count += 1;
        }
        assert_eq!(count, (d(2101, 1, 1) - d(1868, 1, 25)).num_days());
    }

    fn any_supported_date() -> impl Strategy<Value = NaiveDate> {
        let start = d(1868, 1, 25);
        let days = (d(2100, 12, 31) - start).num_days();
        (0..=days).prop_map(move |n| start + chrono::Duration::days(n))
    }

    proptest! {
        #[test]
        fn round_trip_over_all_supported_dates(date in any_supported_date()) {
            let wareki = from_seireki(date).unwrap();
            prop_assert_eq!(to_seireki(&wareki), Ok(date));
            prop_assert_eq!(parse_wareki(&format_wareki(&wareki)), Ok(wareki));
            prop_assert_eq!(parse_wareki(&format_wareki_short(&wareki)), Ok(wareki));
            prop_assert!(wareki.year >= 1);
        }

        #[test]
        fn wrong_era_is_refused_with_the_right_form(date in any_supported_date(), era_index in 0usize..5) {
            let right = from_seireki(date).unwrap();
            let era = Era::ALL[era_index];
            prop_assume!(era != right.era);
            // Write the same 西暦 year in another era, where that makes a year >= 1.
            let year = date.year() - era.first_day().year() + 1;
            prop_assume!(year >= 1);
            let wrong = WarekiDate::new(era, year.unsigned_abs(), date.month(), date.day());
            match to_seireki(&wrong) {
                Err(WarekiError::BeforeEraStart { suggestion, .. })
                | Err(WarekiError::AfterEraEnd { suggestion, .. }) => {
                    prop_assert_eq!(suggestion, right);
                }
                other => prop_assert!(false, "unexpected {:?}", other),
            }
        }
    }
}
