//! Dates as clerks type them (`kyosai_domain::date_input`, `kyosai_domain::wareki` and
//! the app's `dates` commands): 西暦 and 和暦, full-width or not. Whatever the text, the
//! parser answers with a date or a coded error — it never panics — and a date it reads
//! (明治 to 2100) is read again as the same day from each way the app writes it.
#![no_main]

use chrono::{Datelike, NaiveDate};
use kyosai_domain::date_input::{check_date_input, parse_date};
use kyosai_domain::wareki::{
    format_wareki, format_wareki_short, format_with_seireki, from_seireki, parse_wareki, to_seireki,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (date, findings) = check_date_input("member.birthDate", text);
    assert!(date.is_some() || findings.len() == 1 || text.trim().is_empty());

    if let Ok(d) = parse_date(text) {
        // The calendar the domain supports (its own round-trip tests cover 明治 to 2100);
        // 9999-12-31 is 令和7981年, which no clerk types back.
        let supported = NaiveDate::from_ymd_opt(1868, 1, 25) <= Some(d)
            && Some(d) <= NaiveDate::from_ymd_opt(2100, 12, 31);
        if let (true, Ok(w)) = (supported, from_seireki(d)) {
            assert_eq!(parse_date(&format_wareki(&w)), Ok(d), "{w:?}");
            assert_eq!(parse_date(&format_wareki_short(&w)), Ok(d), "{w:?}");
        }
        if (1000..=9999).contains(&d.year()) {
            assert_eq!(parse_date(&d.format("%Y-%m-%d").to_string()), Ok(d));
        }
        let _ = format_with_seireki(d);
    }

    if let Ok(w) = parse_wareki(text) {
        match to_seireki(&w) {
            Ok(d) => assert_eq!(from_seireki(d), Ok(w), "read back"),
            Err(e) => panic!(
                "parse_wareki accepted {w:?} that to_seireki refuses: {}",
                e.code()
            ),
        }
    }
    let _ = kyosai_app::dates::parse_wareki(text);
});
