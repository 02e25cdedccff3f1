//! The 全銀 総合振込 file reader (`kyosai_domain::procurement::zengin`), which reads back
//! every file the app writes before it is shown or handed to the bank, and the name
//! normalisation that turns a 受取人名 as typed into the file's half-width form. Whatever
//! the bytes, the reader answers with a file whose trailer matches its data records or
//! with a coded error — it never panics; a normalised name is made only of 全銀 characters,
//! fits its field and stays the same when normalised again.
#![no_main]

use kyosai_domain::procurement::zengin::{
    is_zengin_char, normalize_code_text, normalize_kana_name, normalize_payee_name,
    parse_sogo_furikomi,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match parse_sogo_furikomi(data) {
        Ok(file) => {
            assert_eq!(file.count as usize, file.transfers.len());
            let sum = file
                .transfers
                .iter()
                .fold(0i64, |s, t| s.saturating_add(t.amount));
            assert_eq!(file.total, sum);
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }

    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let fields: [(&str, usize, bool); 3] = [
        ("受取人名", 30, true),
        ("振込依頼人名", 40, true),
        ("EDI情報", 20, false),
    ];
    for (label, max_len, names) in fields {
        let once = if names {
            if max_len == 30 {
                normalize_payee_name(text)
            } else {
                normalize_kana_name(text, label, max_len)
            }
        } else {
            normalize_code_text(text, label, max_len)
        };
        match once {
            Ok(name) => {
                assert!(name.chars().all(is_zengin_char), "{label}: {name:?}");
                assert!(name.chars().count() <= max_len, "{label}: {name:?}");
                let again = if names {
                    normalize_kana_name(&name, label, max_len)
                } else {
                    normalize_code_text(&name, label, max_len)
                };
                assert_eq!(again.as_ref(), Ok(&name), "{label} normalised twice");
            }
            Err(e) => {
                assert!(e.position >= 1 && e.position <= text.chars().count().max(1));
                assert!(!e.message.is_empty());
            }
        }
    }
});
