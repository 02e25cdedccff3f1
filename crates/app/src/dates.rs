//! 和暦 ⇔ 西暦 for the date fields and the conversion tool.

use chrono::{Datelike, NaiveDate};
use kyosai_domain::wareki::{self, Era, WarekiDate};
use serde::{Deserialize, Serialize};

use crate::AppError;

/// The five eras of the modern calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum EraDto {
    Meiji,
    Taisho,
    Showa,
    Heisei,
    Reiwa,
}

impl From<EraDto> for Era {
    fn from(e: EraDto) -> Self {
        match e {
            EraDto::Meiji => Era::Meiji,
            EraDto::Taisho => Era::Taisho,
            EraDto::Showa => Era::Showa,
            EraDto::Heisei => Era::Heisei,
            EraDto::Reiwa => Era::Reiwa,
        }
    }
}

impl From<Era> for EraDto {
    fn from(e: Era) -> Self {
        match e {
            Era::Meiji => EraDto::Meiji,
            Era::Taisho => EraDto::Taisho,
            Era::Showa => EraDto::Showa,
            Era::Heisei => EraDto::Heisei,
            Era::Reiwa => EraDto::Reiwa,
        }
    }
}

/// A 和暦 date as the date field sends it: year 1 is 元年.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct WarekiInput {
    pub era: EraDto,
    pub year: u32,
    pub month: u32,
    pub day: u32,
}

/// A valid date in both calendars, ready to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DateView {
    /// `YYYY-MM-DD`.
    pub iso: String,
    pub era: EraDto,
    /// 「令和」
    pub era_name: String,
    pub year: u32,
    pub month: u32,
    pub day: u32,
    /// 「令和6年4月1日」
    pub wareki: String,
    /// 「令和6年4月1日 (2024-04-01)」
    pub display: String,
}

fn view(date: NaiveDate) -> Result<DateView, AppError> {
    let w = wareki::from_seireki(date)?;
    Ok(DateView {
        iso: date.format("%Y-%m-%d").to_string(),
        era: w.era.into(),
        era_name: w.era.kanji().to_string(),
        year: w.year,
        month: date.month(),
        day: date.day(),
        wareki: wareki::format_wareki(&w),
        display: wareki::format_with_seireki(date),
    })
}

/// 和暦 fields → the date, or a Japanese error that says which part is wrong.
pub fn wareki_to_date(input: WarekiInput) -> Result<DateView, AppError> {
    let date = wareki::to_seireki(&WarekiDate {
        era: input.era.into(),
        year: input.year,
        month: input.month,
        day: input.day,
    })?;
    view(date)
}

/// `YYYY-MM-DD` → both calendars.
pub fn date_to_wareki(iso: &str) -> Result<DateView, AppError> {
    let date = NaiveDate::parse_from_str(iso.trim(), "%Y-%m-%d").map_err(|_| {
        AppError::new(
            "date.invalid_iso",
            "西暦の日付は 2024-04-01 のように 年-月-日 で入力してください。",
        )
    })?;
    view(date)
}

/// Free text such as 「令和6年4月1日」 or 「R6.4.1」 → both calendars.
pub fn parse_wareki(text: &str) -> Result<DateView, AppError> {
    let w = wareki::parse_wareki(text)?;
    let date = wareki::to_seireki(&w)?;
    view(date)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn reiwa_first_year_is_gannen() {
        let v = wareki_to_date(WarekiInput {
            era: EraDto::Reiwa,
            year: 1,
            month: 5,
            day: 1,
        })
        .unwrap();
        assert_eq!(v.iso, "2019-05-01");
        assert_eq!(v.wareki, "令和元年5月1日");
        assert_eq!(v.display, "令和元年5月1日 (2019-05-01)");
    }

    #[test]
    fn a_date_outside_its_era_is_explained() {
        let e = wareki_to_date(WarekiInput {
            era: EraDto::Heisei,
            year: 31,
            month: 5,
            day: 1,
        })
        .unwrap_err();
        assert_eq!(e.code, "wareki.outside_era");
        assert!(e.message.contains("令和元年5月1日"), "{}", e.message);
    }

    #[test]
    fn iso_and_text_inputs_agree() {
        let a = date_to_wareki("2024-04-01").unwrap();
        let b = parse_wareki("R6.4.1").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.wareki, "令和6年4月1日");
        assert_eq!(
            date_to_wareki("2024/04/01").unwrap_err().code,
            "date.invalid_iso"
        );
    }
}
