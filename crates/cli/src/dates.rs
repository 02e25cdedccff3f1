//! `kyosai wareki` and `kyosai seireki`.

use chrono::NaiveDate;
use kyosai_domain::wareki::{self, WarekiDate};
use serde_json::json;

use crate::{error_json, Output};

fn date_json(date: NaiveDate, w: &WarekiDate) -> serde_json::Value {
    json!({
        "iso": date.format("%Y-%m-%d").to_string(),
        "era": w.era.kanji(),
        "eraLetter": w.era.letter().to_string(),
        "year": w.year,
        "month": w.month,
        "day": w.day,
        "wareki": wareki::format_wareki(w),
        "short": wareki::format_wareki_short(w),
    })
}

fn invalid(code: &str, message: &str) -> Output {
    Output {
        json: error_json(code, message),
        valid: false,
    }
}

pub fn wareki(input: &str) -> Output {
    let Ok(date) = NaiveDate::parse_from_str(input.trim(), "%Y-%m-%d") else {
        return invalid(
            "date.invalid_iso",
            "西暦の日付は 2024-04-01 のように 年-月-日 で指定してください。",
        );
    };
    match wareki::from_seireki(date) {
        Ok(w) => Output {
            json: date_json(date, &w),
            valid: true,
        },
        Err(e) => invalid(e.code(), &e.to_string()),
    }
}

pub fn seireki(input: &str) -> Output {
    let parsed = wareki::parse_wareki(input).and_then(|w| Ok((wareki::to_seireki(&w)?, w)));
    match parsed {
        Ok((date, w)) => Output {
            json: date_json(date, &w),
            valid: true,
        },
        Err(e) => invalid(e.code(), &e.to_string()),
    }
}
