//! Dates as a clerk types them, in 西暦 or 和暦: 「2025-04-01」, 「2025/4/1」,
//! 「2025年4月1日」, 「20250401」, 「令和7年4月1日」, 「R7.4.1」.
//!
//! Used by form fields and CSV import, so that a 和暦 slip (平成31年5月1日, 2月30日) is
//! reported on the field with the message of [`crate::wareki`].

use chrono::NaiveDate;
use unicode_normalization::UnicodeNormalization;

use crate::finding::{Coded, Finding};
use crate::wareki::{self, WarekiError};

/// Why a typed date was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateInputError {
    /// Neither a 西暦 nor a 和暦 date.
    #[error("日付として読み取れません。「2025-04-01」「令和7年4月1日」「R7.4.1」のいずれかの形で入力してください。")]
    Unparseable,
    /// A 西暦 date that does not exist, such as 2023-02-29.
    #[error("{year}年{month}月{day}日という日はありません。日付を確認してください。")]
    NoSuchDay {
        /// Year as typed.
        year: i32,
        /// Month as typed.
        month: u32,
        /// Day as typed.
        day: u32,
    },
    /// A 和暦 date that does not exist or is in the wrong era.
    #[error(transparent)]
    Wareki(#[from] WarekiError),
}

impl DateInputError {
    /// `"date.unparseable"`, `"date.no_such_day"` or the code of the 和暦 error.
    pub fn code(&self) -> &'static str {
        match self {
            DateInputError::Unparseable => "date.unparseable",
            DateInputError::NoSuchDay { .. } => "date.no_such_day",
            DateInputError::Wareki(e) => e.code(),
        }
    }
}

impl Coded for DateInputError {
    fn code(&self) -> &'static str {
        DateInputError::code(self)
    }
}

/// Reads a date in 西暦 (four-digit year) or 和暦. Full-width digits and spaces are
/// accepted.
pub fn parse_date(text: &str) -> Result<NaiveDate, DateInputError> {
    let s: String = text.nfkc().filter(|c| !c.is_whitespace()).collect();
    if !s.starts_with(|c: char| c.is_ascii_digit()) {
        let w = wareki::parse_wareki(&s).map_err(|e| match e {
            WarekiError::Unparseable => DateInputError::Unparseable,
            other => DateInputError::Wareki(other),
        })?;
        return Ok(wareki::to_seireki(&w)?);
    }
    let (year, month, day) = seireki_fields(&s).ok_or(DateInputError::Unparseable)?;
    NaiveDate::from_ymd_opt(year, month, day).ok_or(DateInputError::NoSuchDay { year, month, day })
}

fn seireki_fields(s: &str) -> Option<(i32, u32, u32)> {
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        return Some((
            s[..4].parse().ok()?,
            s[4..6].parse().ok()?,
            s[6..].parse().ok()?,
        ));
    }
    let (year, rest) = digits(s, 4, 4)?;
    let (month, day, rest) = if let Some(rest) = rest.strip_prefix('年') {
        let (month, rest) = digits(rest, 1, 2)?;
        let (day, rest) = digits(rest.strip_prefix('月')?, 1, 2)?;
        (month, day, rest.strip_prefix('日').unwrap_or(rest))
    } else {
        let sep = rest
            .chars()
            .next()
            .filter(|c| matches!(c, '-' | '/' | '.'))?;
        let (month, rest) = digits(&rest[1..], 1, 2)?;
        let (day, rest) = digits(rest.strip_prefix(sep)?, 1, 2)?;
        (month, day, rest)
    };
    rest.is_empty()
        .then_some((i32::try_from(year).ok()?, month, day))
}

fn digits(s: &str, min: usize, max: usize) -> Option<(u32, &str)> {
    let len = s.bytes().take_while(u8::is_ascii_digit).count();
    if len < min || len > max {
        return None;
    }
    let (n, rest) = s.split_at(len);
    Some((n.parse().ok()?, rest))
}

/// Checks a date field as typed: empty is fine (nothing to say while typing); otherwise
/// the date, or an error finding on `field`.
pub fn check_date_input(field: &str, text: &str) -> (Option<NaiveDate>, Vec<Finding>) {
    if text.trim().is_empty() {
        return (None, Vec::new());
    }
    match parse_date(text) {
        Ok(date) => (Some(date), Vec::new()),
        Err(e) => (None, vec![Finding::from_error(field, &e)]),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn seireki_forms() {
        for text in [
            "2025-04-01",
            "2025/4/1",
            "2025.04.01",
            "2025年4月1日",
            "2025年04月01",
            "20250401",
            "２０２５－０４－０１",
            " 2025/4/1 ",
        ] {
            assert_eq!(parse_date(text), Ok(d(2025, 4, 1)), "{text}");
        }
    }

    #[test]
    fn wareki_forms_and_era_boundaries() {
        assert_eq!(parse_date("令和7年4月1日"), Ok(d(2025, 4, 1)));
        assert_eq!(parse_date("R7.4.1"), Ok(d(2025, 4, 1)));
        assert_eq!(parse_date("令和元年5月1日"), Ok(d(2019, 5, 1)));
        assert_eq!(parse_date("平成31年4月30日"), Ok(d(2019, 4, 30)));
        assert_eq!(parse_date("昭和64年1月7日"), Ok(d(1989, 1, 7)));
        assert_eq!(parse_date("平成元年1月8日"), Ok(d(1989, 1, 8)));
        let err = parse_date("平成31年5月1日").unwrap_err();
        assert_eq!(err.code(), "wareki.outside_era");
        assert!(err.to_string().contains("令和元年5月1日"));
        let err = parse_date("昭和64年1月8日").unwrap_err();
        assert!(err.to_string().contains("平成元年1月8日"));
        assert_eq!(
            parse_date("令和7年2月29日").unwrap_err().code(),
            "wareki.invalid_day"
        );
    }

    #[test]
    fn refusals() {
        for text in [
            "",
            "2025",
            "2025-4",
            "25-04-01",
            "2025-04-01x",
            "2025/04-01",
            "明日",
            "202504011",
        ] {
            assert_eq!(parse_date(text), Err(DateInputError::Unparseable), "{text}");
        }
        let err = parse_date("2023-02-29").unwrap_err();
        assert_eq!(err.code(), "date.no_such_day");
        assert_eq!(
            err.to_string(),
            "2023年2月29日という日はありません。日付を確認してください。"
        );
        assert_eq!(parse_date("2024-02-29"), Ok(d(2024, 2, 29)));
        assert_eq!(
            parse_date("20241301").unwrap_err().code(),
            "date.no_such_day"
        );
    }

    #[test]
    fn check_date_input_is_quiet_on_empty() {
        assert_eq!(check_date_input("member.birthDate", "  "), (None, vec![]));
        let (date, findings) = check_date_input("member.birthDate", "S60.4.1");
        assert_eq!(date, Some(d(1985, 4, 1)));
        assert!(findings.is_empty());
        let (date, findings) = check_date_input("member.birthDate", "平成31年5月1日");
        assert_eq!(date, None);
        assert_eq!(findings[0].field, "member.birthDate");
        assert_eq!(findings[0].code, "wareki.outside_era");
    }
}
