//! The 資格取得届 CSV import (`kyosai_app::acquisition_import`) as the app runs it on a
//! file a clerk picked: decode (UTF-8, UTF-8 with BOM, Shift_JIS), split into cells, map
//! the columns by their headers, read and check every row with the domain's rules, mark
//! repeats in the file and write the error report. Whatever the bytes, the import answers
//! with rows and findings or a Japanese error — it never panics — and a finding on the
//! 個人番号 never repeats the number.
#![no_main]

use chrono::NaiveDate;
use kyosai_app::acquisition_import::{
    check_rows, default_mapping, error_report_csv, read_csv, Encoding,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The clerk may override the guessed encoding: a leading control byte 0x01–0x03 picks
    // it (files never start with one), anything else leaves the guess to the importer.
    let (forced, bytes) = match data.split_first() {
        Some((1, rest)) => (Some(Encoding::Utf8), rest),
        Some((2, rest)) => (Some(Encoding::Utf8Bom), rest),
        Some((3, rest)) => (Some(Encoding::ShiftJis), rest),
        _ => (None, data),
    };
    let Ok(file) = read_csv(bytes, forced) else {
        return;
    };
    let mapping = default_mapping(&file.headers);
    let today = NaiveDate::from_ymd_opt(2024, 4, 3).unwrap_or_default();
    let rows = check_rows(&file, &mapping, Some("13104"), today);
    assert_eq!(rows.len(), file.rows.len(), "one checked row per data row");
    let report = error_report_csv(&file, &mapping, &rows);
    assert!(
        report.starts_with('\u{FEFF}'),
        "the report is UTF-8 with a BOM"
    );

    for row in &rows {
        let Some(number) = row.form.member.my_number.as_ref() else {
            continue;
        };
        let number = number.expose().trim();
        // Short values could occur in a fixed message by chance ("12桁").
        if number.chars().count() < 6 {
            continue;
        }
        for f in row.findings.iter().filter(|f| f.field == "member.myNumber") {
            assert!(
                !f.message.contains(number),
                "a finding on the 個人番号 repeats it: {}",
                f.code
            );
        }
    }
});
