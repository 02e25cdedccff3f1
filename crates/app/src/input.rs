//! Reading what a clerk typed (dates, yen, counts, choices) into values, collecting a
//! finding for each field that cannot be read. The domain's own checks run afterwards
//! on what could be read.

use chrono::NaiveDate;
use kyosai_domain::finding::Finding;
use kyosai_domain::kana;
use serde::Deserialize;

/// Collects the problems of reading text into values (not the domain's findings).
#[derive(Default)]
pub(crate) struct Reader {
    pub(crate) findings: Vec<Finding>,
}

pub(crate) fn text(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| s.to_string())
}

pub(crate) fn digits_of(s: &str) -> String {
    kana::normalize_nfkc(s)
        .trim()
        .chars()
        .filter(|c| !matches!(c, ',' | ' ' | '円'))
        .collect()
}

impl Reader {
    pub(crate) fn date(&mut self, field: &str, s: &str) -> Option<NaiveDate> {
        let t = s.trim();
        if t.is_empty() {
            return None;
        }
        match NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                self.findings.push(Finding::error(
                    field,
                    "input.date",
                    "日付を読み取れません。元号・年・月・日を入力し直してください。",
                ));
                None
            }
        }
    }

    pub(crate) fn yen(&mut self, field: &str, s: &str) -> Option<i64> {
        let d = digits_of(s);
        if d.is_empty() {
            return None;
        }
        let (neg, body) = match d.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, d.as_str()),
        };
        match body.parse::<i64>() {
            Ok(n) if !body.is_empty() && body.chars().all(|c| c.is_ascii_digit()) => {
                Some(if neg { -n } else { n })
            }
            _ => {
                self.findings.push(Finding::error(
                    field,
                    "input.amount",
                    "金額は円単位の整数で入力してください（例: 143,700）。",
                ));
                None
            }
        }
    }

    pub(crate) fn count<T: TryFrom<u64>>(&mut self, field: &str, s: &str) -> Option<T> {
        let d = digits_of(s);
        if d.is_empty() {
            return None;
        }
        match d.parse::<u64>().ok().and_then(|n| T::try_from(n).ok()) {
            Some(n) => Some(n),
            None => {
                self.findings.push(Finding::error(
                    field,
                    "input.number",
                    "数字（0以上の整数）で入力してください。",
                ));
                None
            }
        }
    }

    pub(crate) fn choice<T: for<'de> Deserialize<'de>>(
        &mut self,
        field: &str,
        s: &str,
    ) -> Option<T> {
        let t = s.trim();
        if t.is_empty() {
            return None;
        }
        match serde_json::from_value(serde_json::Value::String(t.to_string())) {
            Ok(v) => Some(v),
            Err(_) => {
                self.findings.push(Finding::error(
                    field,
                    "input.choice",
                    "選択肢から選び直してください。",
                ));
                None
            }
        }
    }
}
