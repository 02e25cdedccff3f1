//! Text normalisation for names and フリガナ.
//!
//! NFKC does most of the work: full-width ASCII becomes half-width, half-width katakana
//! becomes full-width (「ｶﾞ」 becomes 「ガ」, the voiced mark joined to its letter), and the
//! full-width space becomes an ASCII space. On top of it, this module turns hiragana into
//! katakana and puts the full-width space back between the parts of a name.
//!
//! Note that NFKC (like NFC) replaces CJK compatibility ideographs with their unified
//! forms (U+FA19 神 becomes U+795E 神). Where the exact registered form of a name's kanji
//! matters, keep what the clerk typed beside the normalised form.

use unicode_normalization::UnicodeNormalization;

use crate::finding::Finding;

const FULLWIDTH_SPACE: char = '\u{3000}';

/// NFKC normalisation.
pub fn normalize_nfkc(s: &str) -> String {
    s.nfkc().collect()
}

/// Full-width ASCII letters, digits and symbols to half-width, by NFKC (so other
/// compatibility characters change too: 「①」 becomes 「1」, 「ｶ」 becomes 「カ」).
pub fn to_halfwidth_ascii(s: &str) -> String {
    normalize_nfkc(s)
}

fn hiragana_to_katakana(c: char) -> char {
    match c {
        // ぁ..ゖ and the iteration marks ゝゞ sit 0x60 below their katakana.
        '\u{3041}'..='\u{3096}' | '\u{309D}' | '\u{309E}' => {
            char::from_u32(u32::from(c) + 0x60).unwrap_or(c)
        }
        _ => c,
    }
}

/// Full-width katakana for フリガナ: NFKC (half-width katakana to full-width, with 「ｶﾞ」
/// becoming 「ガ」), hiragana to katakana, and each ASCII space (including a full-width
/// space, which NFKC makes ASCII) to a full-width space. ー is kept.
///
/// ```
/// use kyosai_domain::kana::to_fullwidth_katakana;
/// assert_eq!(to_fullwidth_katakana("ﾔﾏﾀﾞ ﾀﾛｳ"), "ヤマダ　タロウ");
/// ```
pub fn to_fullwidth_katakana(s: &str) -> String {
    s.nfkc()
        .map(|c| {
            if c == ' ' {
                FULLWIDTH_SPACE
            } else {
                hiragana_to_katakana(c)
            }
        })
        .collect()
}

fn is_name_kana(c: char) -> bool {
    matches!(
        c,
        '\u{30A1}'
            ..='\u{30FA}' // ァ..ヺ
        | '\u{30FD}' | '\u{30FE}' // ヽヾ
    )
}

/// Whether `s` is a フリガナ as stored: full-width katakana, ー, ・ and full-width spaces
/// only, with at least one katakana letter.
pub fn is_katakana_name(s: &str) -> bool {
    s.chars().any(is_name_kana)
        && s.chars()
            .all(|c| is_name_kana(c) || matches!(c, 'ー' | '・' | FULLWIDTH_SPACE))
}

/// A name as stored: NFKC, trimmed, and each run of white space made one full-width space.
///
/// ```
/// use kyosai_domain::kana::normalize_name;
/// assert_eq!(normalize_name(" 山田  太郎 "), "山田　太郎");
/// ```
pub fn normalize_name(s: &str) -> String {
    let nfkc = normalize_nfkc(s);
    let mut out = String::with_capacity(nfkc.len());
    for part in nfkc.split_whitespace() {
        if !out.is_empty() {
            out.push(FULLWIDTH_SPACE);
        }
        out.push_str(part);
    }
    out
}

/// The most characters a message lists as not allowed.
const MAX_LISTED: usize = 5;

/// Checks and normalises a フリガナ: [`normalize_name`], then hiragana to katakana.
/// Returns the normalised text (even when there are findings, so the form can show it) and
/// an error if it is empty or anything but katakana remains.
pub fn check_kana_name(field: &str, input: &str) -> (String, Vec<Finding>) {
    let normalised: String = normalize_name(input)
        .chars()
        .map(hiragana_to_katakana)
        .collect();
    let mut findings = Vec::new();
    if normalised.is_empty() {
        findings.push(Finding::error(
            field,
            "kana.empty",
            "フリガナを入力してください。",
        ));
    } else if !is_katakana_name(&normalised) {
        let mut bad: Vec<char> = Vec::new();
        for c in normalised.chars() {
            let allowed = is_name_kana(c) || matches!(c, 'ー' | '・' | FULLWIDTH_SPACE);
            if !allowed && !bad.contains(&c) {
                bad.push(c);
            }
        }
        let message = if bad.is_empty() {
            // Only marks and spaces: nothing to read.
            "フリガナはカタカナで入力してください。".to_owned()
        } else {
            let listed: String = bad.iter().take(MAX_LISTED).collect();
            let more = if bad.len() > MAX_LISTED { "など" } else { "" };
            format!("フリガナはカタカナで入力してください（使えない文字：{listed}{more}）。")
        };
        findings.push(Finding::error(field, "kana.not_katakana", message));
    }
    (normalised, findings)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::finding::has_errors;

    #[test]
    fn hiragana_and_halfwidth_become_fullwidth_katakana() {
        assert_eq!(to_fullwidth_katakana("やまだ たろう"), "ヤマダ　タロウ");
        assert_eq!(to_fullwidth_katakana("ﾔﾏﾀﾞ ﾀﾛｳ"), "ヤマダ　タロウ");
        assert_eq!(
            to_fullwidth_katakana("ｶﾞｷﾞｸﾞｹﾞｺﾞ ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ"),
            "ガギグゲゴ　パピプペポ"
        );
        assert_eq!(to_fullwidth_katakana("ｳﾞｧｲｵﾘﾝ"), "ヴァイオリン");
        assert_eq!(to_fullwidth_katakana("ゔぁいおりん"), "ヴァイオリン");
        assert_eq!(to_fullwidth_katakana("ｼﾞｮｰﾝｽﾞ･ﾏｲｹﾙ"), "ジョーンズ・マイケル");
        assert_eq!(
            to_fullwidth_katakana("さいとう　はなこ"),
            "サイトウ　ハナコ"
        );
        assert_eq!(to_fullwidth_katakana("ささき ゝ"), "ササキ　ヽ");
        // Already right: unchanged.
        assert_eq!(
            to_fullwidth_katakana("スズキ　イチロー"),
            "スズキ　イチロー"
        );
    }

    #[test]
    fn katakana_name_predicate() {
        assert!(is_katakana_name("ヤマダ　タロウ"));
        assert!(is_katakana_name("スミス・ジョン"));
        assert!(is_katakana_name("イチロー"));
        assert!(is_katakana_name("ヶ"));
        assert!(!is_katakana_name(""));
        assert!(!is_katakana_name("　"));
        assert!(!is_katakana_name("ー・"));
        assert!(!is_katakana_name("ヤマダ タロウ")); // ASCII space
        assert!(!is_katakana_name("ﾔﾏﾀﾞ")); // half-width
        assert!(!is_katakana_name("やまだ"));
        assert!(!is_katakana_name("山田"));
        assert!(!is_katakana_name("ヤマダ1"));
    }

    #[test]
    fn check_kana_name_normalises_realistic_input() {
        for (input, expected) in [
            ("やまだ たろう", "ヤマダ　タロウ"),
            ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ　タロウ"),
            ("  ﾀｶﾊｼ　　ｹﾝｲﾁ  ", "タカハシ　ケンイチ"),
            ("ﾊﾟｸ ｼﾞﾋｮﾝ", "パク　ジヒョン"),
            ("スミス・ジョン", "スミス・ジョン"),
        ] {
            let (normalised, findings) = check_kana_name("nameKana", input);
            assert_eq!(normalised, expected, "{input}");
            assert!(findings.is_empty(), "{input}: {findings:?}");
        }
    }

    #[test]
    fn check_kana_name_refuses_other_scripts() {
        let (normalised, findings) = check_kana_name("nameKana", "山田 たろう");
        assert_eq!(normalised, "山田　タロウ");
        assert!(has_errors(&findings));
        assert_eq!(findings[0].field, "nameKana");
        assert_eq!(findings[0].code, "kana.not_katakana");
        assert_eq!(
            findings[0].message,
            "フリガナはカタカナで入力してください（使えない文字：山田）。"
        );
        let (_, findings) = check_kana_name("nameKana", "Yamada");
        assert_eq!(
            findings[0].message,
            "フリガナはカタカナで入力してください（使えない文字：Yamd）。"
        );
        let (_, findings) = check_kana_name("nameKana", "ABCDEFG");
        assert!(findings[0].message.contains("ABCDEなど"));
        let (_, findings) = check_kana_name("nameKana", "ー");
        assert_eq!(
            findings[0].message,
            "フリガナはカタカナで入力してください。"
        );
    }

    #[test]
    fn check_kana_name_requires_text() {
        for input in ["", "   ", "　"] {
            let (normalised, findings) = check_kana_name("nameKana", input);
            assert_eq!(normalised, "");
            assert_eq!(findings.len(), 1);
            assert_eq!(findings[0].code, "kana.empty");
            assert_eq!(findings[0].message, "フリガナを入力してください。");
        }
    }

    #[test]
    fn names_are_trimmed_and_spaced_with_one_fullwidth_space() {
        assert_eq!(normalize_name("山田　太郎"), "山田　太郎");
        assert_eq!(normalize_name(" 山田  太郎 "), "山田　太郎");
        assert_eq!(normalize_name("山田\t太郎"), "山田　太郎");
        assert_eq!(normalize_name("佐藤　　花子　"), "佐藤　花子");
        assert_eq!(normalize_name("Ｓｍｉｔｈ　Ｊｏｈｎ"), "Smith　John");
        assert_eq!(normalize_name("髙橋　一郎"), "髙橋　一郎");
        assert_eq!(normalize_name("   "), "");
    }

    #[test]
    fn halfwidth_ascii() {
        assert_eq!(to_halfwidth_ascii("ＡＢＣ１２３－４５６"), "ABC123-456");
        assert_eq!(
            to_halfwidth_ascii("kyosai＠example．jp"),
            "kyosai@example.jp"
        );
        assert_eq!(normalize_nfkc("ﾃｽﾄ"), "テスト");
    }
}
