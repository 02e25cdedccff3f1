//! The registration file for the core system (seed project 5, file exchange without
//! media): registered 資格取得届 as CSV, one row per member, in a documented layout.
//!
//! Layout (UTF-8 without BOM, CRLF, RFC 4180 quoting, a header row; dates `YYYY-MM-DD`,
//! amounts in yen without separators):
//!
//! | # | column | content |
//! |---|---|---|
//! | 1 | 文書ID | the record id (UUID) |
//! | 2 | 登録日 | the day the notification was registered (Japan time) |
//! | 3 | 所属所番号 | |
//! | 4 | 氏名 | |
//! | 5 | フリガナ | full-width katakana |
//! | 6 | 生年月日 | |
//! | 7 | 性別 | 1 男 / 2 女 |
//! | 8 | 資格取得年月日 | |
//! | 9 | 取得事由 | as on the form |
//! | 10 | 組合員種別 | as on the form |
//! | 11 | 基礎年金番号 | 10 digits |
//! | 12 | 報酬月額 | |
//! | 13 | 短期給付等級 | |
//! | 14 | 短期給付標準報酬月額 | |
//! | 15 | 厚生年金等級 | empty at 70 and over |
//! | 16 | 厚生年金標準報酬月額 | |
//! | 17 | 被扶養者数 | |
//!
//! 個人番号 is not in the file: the core system does not need it for registration.

use chrono::NaiveDate;

use super::check::{assess, CheckContext};
use super::form::{AcquisitionForm, Sex};

/// One registered notification to export.
#[derive(Debug, Clone, Copy)]
pub struct Registered<'a> {
    pub record_id: &'a str,
    pub registered_on: NaiveDate,
    pub form: &'a AcquisitionForm,
}

/// The header row's column names, in order.
pub const COLUMNS: [&str; 17] = [
    "文書ID",
    "登録日",
    "所属所番号",
    "氏名",
    "フリガナ",
    "生年月日",
    "性別",
    "資格取得年月日",
    "取得事由",
    "組合員種別",
    "基礎年金番号",
    "報酬月額",
    "短期給付等級",
    "短期給付標準報酬月額",
    "厚生年金等級",
    "厚生年金標準報酬月額",
    "被扶養者数",
];

fn field(out: &mut String, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// The file's text for `rows`, in the given order.
pub fn to_csv(rows: &[Registered<'_>]) -> String {
    let mut out = COLUMNS.join(",");
    out.push_str("\r\n");
    for r in rows {
        let f = r.form;
        let grades = assess(
            f,
            &CheckContext {
                today: r.registered_on,
                received_on: None,
            },
        )
        .grades;
        let digits = |s: &Option<String>| {
            s.as_deref()
                .unwrap_or_default()
                .chars()
                .filter(char::is_ascii_digit)
                .collect::<String>()
        };
        let values = [
            r.record_id.to_string(),
            r.registered_on.format("%Y-%m-%d").to_string(),
            f.office.code.clone().unwrap_or_default(),
            f.member.name.clone().unwrap_or_default(),
            f.member.name_kana.clone().unwrap_or_default(),
            date(f.member.birth_date),
            match f.member.sex {
                Some(Sex::Male) => "1".to_string(),
                Some(Sex::Female) => "2".to_string(),
                None => String::new(),
            },
            date(f.acquisition.acquired_on),
            f.acquisition
                .reason
                .map(|r| r.name_ja().to_string())
                .unwrap_or_default(),
            f.acquisition
                .member_type
                .map(|t| t.name_ja().to_string())
                .unwrap_or_default(),
            digits(&f.member.basic_pension_number),
            grades
                .as_ref()
                .map(|g| g.monthly.to_string())
                .unwrap_or_default(),
            grades
                .as_ref()
                .map(|g| g.health.grade.to_string())
                .unwrap_or_default(),
            grades
                .as_ref()
                .map(|g| g.health.standard_monthly.to_string())
                .unwrap_or_default(),
            grades
                .as_ref()
                .and_then(|g| g.pension.map(|p| p.grade.to_string()))
                .unwrap_or_default(),
            grades
                .as_ref()
                .and_then(|g| g.pension.map(|p| p.standard_monthly.to_string()))
                .unwrap_or_default(),
            f.dependants.len().to_string(),
        ];
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            field(&mut out, v);
        }
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use crate::acquisition::form::{AcquisitionReason, MemberType, MyNumberText};
    use crate::remuneration::RemunerationInput;

    #[test]
    fn one_row_per_member_in_the_documented_layout_without_my_number() {
        let mut f = AcquisitionForm::default();
        f.office.code = Some("1203".into());
        f.member.name = Some("山田　太郎".into());
        f.member.name_kana = Some("ヤマダ　タロウ".into());
        f.member.birth_date = NaiveDate::from_ymd_opt(2002, 6, 15);
        f.member.sex = Some(Sex::Male);
        f.member.my_number = Some(MyNumberText::new("123456789018"));
        f.member.basic_pension_number = Some("1234-567890".into());
        f.acquisition.acquired_on = NaiveDate::from_ymd_opt(2026, 4, 1);
        f.acquisition.reason = Some(AcquisitionReason::NewHire);
        f.acquisition.member_type = Some(MemberType::General);
        f.remuneration = RemunerationInput {
            salary: Some(143_700),
            commuting_allowance: Some(14_000),
            ..Default::default()
        };
        let mut g = f.clone();
        g.member.name = Some("鈴木, \"次郎\"".into());
        let rows = [
            Registered {
                record_id: "a",
                registered_on: NaiveDate::from_ymd_opt(2026, 4, 10).unwrap(),
                form: &f,
            },
            Registered {
                record_id: "b",
                registered_on: NaiveDate::from_ymd_opt(2026, 4, 10).unwrap(),
                form: &g,
            },
        ];
        let csv = to_csv(&rows);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines.len(), 4, "header, two rows, and the final CRLF");
        assert_eq!(lines[0].split(',').count(), 17);
        let cells: Vec<&str> = lines[1].split(',').collect();
        assert_eq!(
            &cells[..11],
            [
                "a",
                "2026-04-10",
                "1203",
                "山田　太郎",
                "ヤマダ　タロウ",
                "2002-06-15",
                "1",
                "2026-04-01",
                "新規採用",
                cells[9],
                "1234567890"
            ]
        );
        assert_eq!(cells[11], "157700");
        assert!(!cells[12].is_empty(), "short-term grade");
        assert!(lines[2].contains("\"鈴木, \"\"次郎\"\"\""));
        assert!(!csv.contains("123456789018"));
    }
}
