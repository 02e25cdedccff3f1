//! The 全銀 総合振込 file: the payment orders of one day as the bank takes them.
//!
//! The file is a series of 120-byte fixed records in JIS X 0201 (the single-byte half of
//! Shift_JIS: ASCII digits, upper-case letters, space and a few symbols, plus half-width
//! katakana 0xA1–0xDF), optionally each followed by CR LF (then 122 bytes a line): one
//! header record, one data record per payee, a trailer with the count and the total, and an
//! end record. `N` fields are right-aligned and zero-filled, `C` fields left-aligned and
//! space-filled. Positions below are 1-based byte columns, as the bank manuals print them.
//!
//! ヘッダー・レコード (データ区分 1)
//!
//! | 項目 | 位置 | 桁 | 内容 |
//! |---|---|---|---|
//! | データ区分 | 1 | N1 | `1` |
//! | 種別コード | 2–3 | N2 | `21` (総合振込) |
//! | コード区分 | 4 | N1 | `0` (JIS / Shift_JIS) |
//! | 振込依頼人コード | 5–14 | N10 | the code the paying bank gave the association |
//! | 振込依頼人名 | 15–54 | C40 | the association's name in half-width kana |
//! | 振込指定日 | 55–58 | N4 | MMDD |
//! | 仕向銀行番号 | 59–62 | N4 | the paying bank |
//! | 仕向銀行名 | 63–77 | C15 | |
//! | 仕向支店番号 | 78–80 | N3 | |
//! | 仕向支店名 | 81–95 | C15 | |
//! | 預金種目 (依頼人) | 96 | N1 | 1 普通, 2 当座, 9 その他 |
//! | 口座番号 (依頼人) | 97–103 | N7 | |
//! | ダミー | 104–120 | C17 | spaces |
//!
//! データ・レコード (データ区分 2, one per payee)
//!
//! | 項目 | 位置 | 桁 | 内容 |
//! |---|---|---|---|
//! | データ区分 | 1 | N1 | `2` |
//! | 被仕向銀行番号 | 2–5 | N4 | |
//! | 被仕向銀行名 | 6–20 | C15 | from the bank master, cut to 15 bytes |
//! | 被仕向支店番号 | 21–23 | N3 | |
//! | 被仕向支店名 | 24–38 | C15 | from the bank master, cut to 15 bytes |
//! | 手形交換所番号 | 39–42 | N4 | `0000` (unused) |
//! | 預金種目 | 43 | N1 | 1 普通, 2 当座, 4 貯蓄, 9 その他 |
//! | 口座番号 | 44–50 | N7 | |
//! | 受取人名 | 51–80 | C30 | see [`normalize_payee_name`] |
//! | 振込金額 | 81–90 | N10 | yen, 1–9,999,999,999 |
//! | 新規コード | 91 | N1 | `0` (その他; 1 第1回振込分, 2 変更分 are not used) |
//! | 顧客コード1 | 92–101 | C10 | or, when 識別表示 is `Y`, EDI情報 C20 in 92–111 |
//! | 顧客コード2 | 102–111 | C10 | |
//! | 振込指定区分 | 112 | N1 | `7` (テレ振込 / 電信扱) |
//! | 識別表示 | 113 | C1 | `Y` when 92–111 hold EDI情報, else space |
//! | ダミー | 114–120 | C7 | spaces |
//!
//! トレーラ・レコード (データ区分 8)
//!
//! | 項目 | 位置 | 桁 | 内容 |
//! |---|---|---|---|
//! | データ区分 | 1 | N1 | `8` |
//! | 合計件数 | 2–7 | N6 | number of data records |
//! | 合計金額 | 8–19 | N12 | sum of 振込金額 |
//! | ダミー | 20–120 | C101 | spaces |
//!
//! エンド・レコード (データ区分 9): `9` in column 1, spaces in 2–120 (C119).
//!
//! Banks publish this layout in their EB manuals (it is the 全銀協 規定形式); some banks
//! ignore the bank and branch names, some reject a file whose names are not the registered
//! ones, none accept characters outside the set checked by [`is_zengin_char`].
//!
//! [`build_sogo_furikomi`] checks every row and reports **all** rejected rows at once, so the
//! clerk can fix them in one pass; [`parse_sogo_furikomi`] reads a file back for the
//! verification view and checks the trailer's count and total.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use unicode_normalization::char::{compose, decompose_canonical};
use unicode_normalization::UnicodeNormalization;

use super::banks::{check_codes, BankMaster};
use crate::finding::Coded;
use crate::ids::{validate_account_number, validate_bank_code, validate_branch_code, DepositType};

/// Length of every record, without the optional CR LF.
pub const RECORD_LEN: usize = 120;
/// Most bytes of a 受取人名 (C30).
pub const PAYEE_NAME_MAX: usize = 30;
/// Most bytes of the 振込依頼人名 (C40).
pub const REQUESTER_NAME_MAX: usize = 40;
/// Most bytes of a bank or branch name (C15).
pub const BANK_NAME_MAX: usize = 15;
/// Most bytes of a 顧客コード (C10).
pub const CUSTOMER_CODE_MAX: usize = 10;
/// Most bytes of the EDI情報 (C20).
pub const EDI_MAX: usize = 20;
/// Largest 振込金額 (N10).
pub const MAX_AMOUNT: i64 = 9_999_999_999;
/// Most data records in one file (合計件数 N6).
pub const MAX_COUNT: usize = 999_999;
/// Largest 合計金額 (N12).
pub const MAX_TOTAL: i64 = 999_999_999_999;

/// 新規コード written in every data record: 0 (その他).
const NEW_CODE: &str = "0";
/// 振込指定区分 written in every data record: 7 (テレ振込 / 電信扱).
const TRANSFER_KIND: &str = "7";

// ---------------------------------------------------------------------------------------
// Names

/// Why a name cannot go into the 全銀 file as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{message}")]
pub struct NameError {
    /// The character as typed that cannot be used (for `zengin.name_too_long`: the first
    /// character that no longer fits).
    pub ch: char,
    /// Its position in the input, counted in characters from 1.
    pub position: usize,
    /// `"zengin.name_char"` or `"zengin.name_too_long"`.
    pub code: &'static str,
    /// Short, polite Japanese: what is wrong and what to do.
    pub message: String,
}

impl Coded for NameError {
    fn code(&self) -> &'static str {
        self.code
    }
}

const DAKUTEN: char = '\u{3099}';
const HANDAKUTEN: char = '\u{309A}';
const HALF_DAKUTEN: char = 'ﾞ';
const HALF_HANDAKUTEN: char = 'ﾟ';

/// Whether `c` may appear in a 全銀 name or code field: half-width digits, upper-case A–Z,
/// space, the symbols `( ) - . / ¥ ,` and `｢ ｣`, and half-width katakana ｦ and ｱ–ﾝ with the
/// voiced marks ﾞ ﾟ. Small half-width kana (ｧ…ｯ), ｰ, ｡ ､ ･ are not allowed.
pub fn is_zengin_char(c: char) -> bool {
    matches!(
        c,
        '0'..='9'
            | 'A'..='Z'
            | ' '
            | '('
            | ')'
            | '-'
            | '.'
            | '/'
            | ','
            | '¥'
            | '｢'
            | '｣'
            | 'ｦ'
            | 'ｱ'..='ﾟ'
    )
}

/// The legal-entity words and their 全銀 abbreviations. Each word is matched in its kanji
/// form and its katakana readings (small kana already made large).
const LEGAL_ENTITIES: &[(&[&str], &str)] = &[
    (
        &[
            "特定非営利活動法人",
            "トクテイヒエイリカツドウホウジン",
            "NPO法人",
        ],
        "ﾄｸﾋ",
    ),
    (&["一般社団法人", "イツパンシヤダンホウジン"], "ｼﾔ"),
    (&["一般財団法人", "イツパンザイダンホウジン"], "ｻﾞｲ"),
    (&["公益社団法人", "コウエキシヤダンホウジン"], "ｼﾔ"),
    (&["公益財団法人", "コウエキザイダンホウジン"], "ｻﾞｲ"),
    (&["社会福祉法人", "シヤカイフクシホウジン"], "ﾌｸ"),
    (
        &[
            "医療法人社団",
            "医療法人財団",
            "医療法人",
            "イリヨウホウジンシヤダン",
            "イリヨウホウジンザイダン",
            "イリヨウホウジン",
        ],
        "ｲ",
    ),
    (&["学校法人", "ガツコウホウジン"], "ｶﾞｸ"),
    (&["宗教法人", "シユウキヨウホウジン"], "ｼﾕｳ"),
    (
        &["株式会社", "カブシキガイシヤ", "カブシキカイシヤ", "(株)"],
        "ｶ",
    ),
    (
        &["有限会社", "ユウゲンガイシヤ", "ユウゲンカイシヤ", "(有)"],
        "ﾕ",
    ),
    (&["合同会社", "ゴウドウガイシヤ", "ゴウドウカイシヤ"], "ﾄﾞ"),
    (&["合名会社", "ゴウメイガイシヤ", "ゴウメイカイシヤ"], "ﾒ"),
    (&["合資会社", "ゴウシガイシヤ", "ゴウシカイシヤ"], "ｼ"),
];

/// One character on its way through the conversion, with the input position it came from.
#[derive(Debug, Clone, Copy)]
struct Item {
    ch: char,
    origin: usize,
}

fn hiragana_to_katakana(c: char) -> char {
    match c {
        '\u{3041}'..='\u{3096}' | '\u{309D}' | '\u{309E}' => {
            char::from_u32(u32::from(c) + 0x60).unwrap_or(c)
        }
        _ => c,
    }
}

fn small_to_large(c: char) -> char {
    match c {
        'ァ' => 'ア',
        'ィ' => 'イ',
        'ゥ' => 'ウ',
        'ェ' => 'エ',
        'ォ' => 'オ',
        'ッ' => 'ツ',
        'ャ' => 'ヤ',
        'ュ' => 'ユ',
        'ョ' => 'ヨ',
        'ヮ' => 'ワ',
        'ヵ' => 'カ',
        'ヶ' => 'ケ',
        'ヰ' => 'イ',
        'ヱ' => 'エ',
        _ => c,
    }
}

fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{30FC}' | '\u{FE63}' | '\u{FF0D}'
    )
}

/// After NFKC: the single-character clean-ups that do not depend on the neighbours.
fn fold_char(c: char) -> char {
    let c = small_to_large(hiragana_to_katakana(c));
    match c {
        _ if is_dash(c) => '-',
        '・' => '.',
        '\\' => '¥',
        _ if c.is_whitespace() => ' ',
        _ => c.to_ascii_uppercase(),
    }
}

/// NFKC per input character (so each output keeps its origin), then [`fold_char`], then the
/// voiced marks joined again to the kana before them (half-width input 「ｶﾞ」 arrives as two
/// characters).
fn fold(input: &str) -> (Vec<char>, Vec<Item>) {
    let chars: Vec<char> = input.chars().collect();
    let mut items: Vec<Item> = Vec::with_capacity(chars.len());
    for (origin, &c) in chars.iter().enumerate() {
        let mut push = |ch: char| {
            let ch = fold_char(ch);
            // Join a voiced mark to the kana before it where Unicode has the composed letter.
            if matches!(ch, DAKUTEN | HANDAKUTEN) {
                if let Some(prev) = items.last_mut() {
                    if let Some(composed) = compose(prev.ch, ch) {
                        prev.ch = composed;
                        return;
                    }
                }
            }
            items.push(Item { ch, origin });
        };
        match c {
            // NFKC would give 「゛」 a leading space; the marks stand for themselves.
            '゛' | DAKUTEN | HALF_DAKUTEN => push(DAKUTEN),
            '゜' | HANDAKUTEN | HALF_HANDAKUTEN => push(HANDAKUTEN),
            _ => std::iter::once(c).nfkc().for_each(push),
        }
    }
    (chars, items)
}

/// Replaces legal-entity words by their abbreviations: 「ｶ)」 at the start, 「(ｶ」 at the
/// end, 「(ｶ)」 in the middle, with no spaces around them.
fn abbreviate(items: Vec<Item>) -> Vec<Item> {
    let first = items.iter().position(|i| i.ch != ' ');
    let last = items.iter().rposition(|i| i.ch != ' ');
    let (Some(first), Some(last)) = (first, last) else {
        return items;
    };
    let mut out: Vec<Item> = Vec::with_capacity(items.len());
    let mut i = 0;
    while i < items.len() {
        let found = LEGAL_ENTITIES.iter().find_map(|(words, abbr)| {
            words.iter().find_map(|w| {
                let len = w.chars().count();
                let matches = items.len() >= i + len
                    && w.chars().zip(&items[i..i + len]).all(|(a, b)| a == b.ch);
                matches.then_some((len, *abbr))
            })
        });
        let Some((len, abbr)) = found else {
            out.push(items[i]);
            i += 1;
            continue;
        };
        let origin = items[i].origin;
        let at_start = i == first;
        let at_end = i + len - 1 == last;
        while out.last().is_some_and(|p| p.ch == ' ') {
            out.pop();
        }
        let text = if at_start {
            format!("{abbr})")
        } else if at_end {
            format!("({abbr}")
        } else {
            format!("({abbr})")
        };
        out.extend(text.chars().map(|ch| Item { ch, origin }));
        i += len;
        while items.get(i).is_some_and(|n| n.ch == ' ') {
            i += 1;
        }
    }
    out
}

/// Full-width katakana (large, unvoiced) and their half-width forms, position by position.
const FULL_KANA: &str =
    "ヲアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン";
const HALF_KANA: &str = "ｦｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝ";

fn half_kana(c: char) -> Option<char> {
    FULL_KANA
        .chars()
        .position(|f| f == c)
        .and_then(|i| HALF_KANA.chars().nth(i))
}

/// Full-width katakana, voiced marks and corner brackets to their half-width forms; runs of
/// spaces made one, the ends trimmed.
fn to_halfwidth(items: Vec<Item>) -> Vec<Item> {
    let mut out: Vec<Item> = Vec::with_capacity(items.len() + 4);
    for item in items {
        let emit: Vec<char> = match item.ch {
            ' ' if out.last().is_none_or(|p| p.ch == ' ') => Vec::new(),
            DAKUTEN => vec![HALF_DAKUTEN],
            HANDAKUTEN => vec![HALF_HANDAKUTEN],
            '「' => vec!['｢'],
            '」' => vec!['｣'],
            c @ '\u{30A1}'..='\u{30FA}' => halfwidth_katakana(c),
            c => vec![c],
        };
        out.extend(emit.into_iter().map(|ch| Item { ch, ..item }));
    }
    while out.last().is_some_and(|p| p.ch == ' ') {
        out.pop();
    }
    out
}

/// One full-width katakana as half-width: a voiced letter becomes its base and the mark
/// (ガ → ｶﾞ, パ → ﾊﾟ, ヴ → ｳﾞ). A letter without a half-width form is kept (and refused later).
fn halfwidth_katakana(c: char) -> Vec<char> {
    if let Some(h) = half_kana(c) {
        return vec![h];
    }
    let mut parts: Vec<char> = Vec::with_capacity(2);
    decompose_canonical(c, |d| parts.push(d));
    match parts.as_slice() {
        [base, mark @ (DAKUTEN | HANDAKUTEN)] => match half_kana(small_to_large(*base)) {
            Some(h) if *mark == DAKUTEN => vec![h, HALF_DAKUTEN],
            Some(h) => vec![h, HALF_HANDAKUTEN],
            None => vec![c],
        },
        _ => vec![c],
    }
}

fn char_error(label: &str, chars: &[char], item: Item) -> NameError {
    let ch = chars.get(item.origin).copied().unwrap_or(item.ch);
    let position = item.origin + 1;
    NameError {
        ch,
        position,
        code: "zengin.name_char",
        message: format!(
            "{label}に使えない文字「{ch}」があります（{position}文字目）。全銀の振込データでは半角カナ・英大文字・数字・一部の記号だけが使えます。"
        ),
    }
}

fn normalize_field(
    input: &str,
    label: &str,
    max_len: usize,
    abbreviate_entities: bool,
) -> Result<String, NameError> {
    let (chars, items) = fold(input);
    let items = if abbreviate_entities {
        abbreviate(items)
    } else {
        items
    };
    let items = to_halfwidth(items);
    if let Some(bad) = items.iter().find(|i| !is_zengin_char(i.ch)) {
        return Err(char_error(label, &chars, *bad));
    }
    if let Some(over) = items.get(max_len) {
        let ch = chars.get(over.origin).copied().unwrap_or(over.ch);
        let position = over.origin + 1;
        return Err(NameError {
            ch,
            position,
            code: "zengin.name_too_long",
            message: format!(
                "{label}は半角{max_len}文字までです（変換後{}文字）。「{ch}」（{position}文字目）から後が入りません。法人の略語（カ) など）を使うか、通帳の名義に合わせて短くしてください。",
                items.len()
            ),
        });
    }
    Ok(items.into_iter().map(|i| i.ch).collect())
}

/// Converts a 受取人名 (口座名義) as a clerk types it into the half-width form the 全銀 file
/// carries, or says which character cannot be used.
///
/// In order: NFKC (full-width letters and digits to half-width, half-width kana to
/// full-width); hiragana to katakana; small kana to large (ｬ → ﾔ, ｯ → ﾂ; ヰ ヱ → ｲ ｴ);
/// 「ー」 and other dashes to `-`; 「・」 to `.`; lower-case letters to upper case; legal-entity
/// words (kanji, or katakana such as カブシキガイシャ) to their abbreviations by position —
/// 株式会社ヤマダ → 「ｶ)ﾔﾏﾀﾞ」, ヤマダ株式会社 → 「ﾔﾏﾀﾞ(ｶ」, ヤマダ株式会社トウキョウ →
/// 「ﾔﾏﾀﾞ(ｶ)ﾄｳｷﾖｳ」 (株式会社 ｶ, 有限会社 ﾕ, 合同会社 ﾄﾞ, 合名会社 ﾒ, 合資会社 ｼ, 医療法人 ｲ,
/// 一般/公益社団法人 ｼﾔ, 一般/公益財団法人 ｻﾞｲ, 社会福祉法人 ﾌｸ, 特定非営利活動法人 ﾄｸﾋ,
/// 学校法人 ｶﾞｸ, 宗教法人 ｼﾕｳ); full-width katakana to half-width with the voiced marks as
/// separate ﾞ ﾟ; runs of spaces made one and the ends trimmed.
///
/// Anything left outside [`is_zengin_char`] (漢字 such as 商事, ｡ or &) is refused with
/// `zengin.name_char`, naming the character and its position as typed. A result over 30
/// bytes is refused with `zengin.name_too_long`: the clerk shortens it (names are never cut
/// silently, a cut name can make the receiving bank return the money). Empty input gives an
/// empty string; callers that need a name check for it.
///
/// ```
/// use kyosai_domain::procurement::zengin::normalize_payee_name;
/// assert_eq!(normalize_payee_name("株式会社ヤマダ").unwrap(), "ｶ)ﾔﾏﾀﾞ");
/// assert_eq!(normalize_payee_name("きょうさい　はなこ").unwrap(), "ｷﾖｳｻｲ ﾊﾅｺ");
/// assert_eq!(normalize_payee_name("ヤマダ商事").unwrap_err().position, 4);
/// ```
pub fn normalize_payee_name(s: &str) -> Result<String, NameError> {
    normalize_field(s, "受取人名", PAYEE_NAME_MAX, true)
}

/// [`normalize_payee_name`] for another name field of the file: `label` names the field in
/// the message (e.g. 「振込依頼人名」) and `max_len` is its width in bytes.
pub fn normalize_kana_name(s: &str, label: &str, max_len: usize) -> Result<String, NameError> {
    normalize_field(s, label, max_len, true)
}

/// A code or free text field (顧客コード, EDI情報): the same conversion as
/// [`normalize_payee_name`] without the legal-entity abbreviations.
pub fn normalize_code_text(s: &str, label: &str, max_len: usize) -> Result<String, NameError> {
    normalize_field(s, label, max_len, false)
}

/// The half-width 全銀 form of `s` as far as it converts, for searching: characters that do
/// not convert are kept as they are, nothing is refused.
pub(crate) fn halfwidth_lenient(s: &str) -> String {
    let (_, items) = fold(s);
    to_halfwidth(items).into_iter().map(|i| i.ch).collect()
}

// ---------------------------------------------------------------------------------------
// Encoding

/// The JIS X 0201 byte of `c`, for the characters this module writes.
fn encode_char(c: char) -> Option<u8> {
    match c {
        '¥' => Some(0x5C),
        '\\' | '~' => None,
        ' '..='~' => u8::try_from(u32::from(c)).ok(),
        '\u{FF61}'..='\u{FF9F}' => u8::try_from(u32::from(c) - 0xFF61 + 0xA1).ok(),
        _ => None,
    }
}

fn decode_byte(b: u8) -> Option<char> {
    match b {
        0x5C => Some('¥'),
        0x20..=0x7E => Some(char::from(b)),
        0xA1..=0xDF => char::from_u32(u32::from(b) - 0xA1 + 0xFF61),
        _ => None,
    }
}

/// A record being written.
struct Record(Vec<u8>);

impl Record {
    fn new(kind: u8) -> Self {
        let mut v = Vec::with_capacity(RECORD_LEN + 2);
        v.push(kind);
        Record(v)
    }

    /// An `N` field: digits, right-aligned, zero-filled. The caller has checked the width.
    fn n(&mut self, digits: &str, width: usize) -> &mut Self {
        let digits = digits.as_bytes();
        let skip = digits.len().saturating_sub(width);
        self.0.extend(std::iter::repeat_n(
            b'0',
            width.saturating_sub(digits.len()),
        ));
        self.0.extend_from_slice(&digits[skip..]);
        self
    }

    /// A `C` field: left-aligned, space-filled, cut at `width` bytes.
    fn c(&mut self, text: &str, width: usize) -> &mut Self {
        let bytes: Vec<u8> = text.chars().filter_map(encode_char).take(width).collect();
        let pad = width - bytes.len();
        self.0.extend(bytes);
        self.0.extend(std::iter::repeat_n(b' ', pad));
        self
    }

    fn finish(&mut self) -> Vec<u8> {
        let pad = RECORD_LEN.saturating_sub(self.0.len());
        self.0.extend(std::iter::repeat_n(b' ', pad));
        self.0.truncate(RECORD_LEN);
        std::mem::take(&mut self.0)
    }
}

// ---------------------------------------------------------------------------------------
// Building

/// The association as the paying customer (振込依頼人), from the contract with its bank.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Requester {
    /// 振込依頼人コード (委託者コード), up to 10 digits, given by the bank.
    pub code: String,
    /// 振込依頼人名 in kana, as registered with the bank (converted like a 受取人名, 40 bytes).
    pub name_kana: String,
    /// 仕向銀行番号.
    pub bank_code: String,
    /// 仕向銀行名 in kana; empty: taken from the bank master.
    pub bank_name_kana: String,
    /// 仕向支店番号.
    pub branch_code: String,
    /// 仕向支店名 in kana; empty: taken from the bank master.
    pub branch_name_kana: String,
    /// 預金種目 of the paying account: 1 普通, 2 当座 or 9 その他.
    pub deposit_type: u8,
    /// 口座番号 of the paying account (up to 7 digits).
    pub account_number: String,
}

/// One payment in the file (one data record).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Transfer {
    /// 被仕向銀行番号 as typed.
    pub bank_code: String,
    /// 被仕向支店番号 as typed.
    pub branch_code: String,
    /// 預金種目: 1 普通, 2 当座, 4 貯蓄 or 9 その他.
    pub deposit_type: u8,
    /// 口座番号 (up to 7 digits; ゆうちょ converted with [`crate::ids::yucho_to_zengin`]).
    pub account_number: String,
    /// 受取人名 as typed; converted with [`normalize_payee_name`].
    pub payee_kana: String,
    /// 振込金額 in yen.
    pub amount: i64,
    /// 顧客コード1 (up to 10 characters; empty when `edi` is given).
    pub customer_code1: String,
    /// 顧客コード2 (up to 10 characters; empty when `edi` is given).
    pub customer_code2: String,
    /// EDI情報 (up to 20 characters, e.g. the invoice number the payee matches on).
    pub edi: Option<String>,
    /// Our payment order id; only used to say which row an error is about.
    pub reference: String,
}

/// What follows each record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum LineEnding {
    /// CR LF after every record (122 bytes a line), what most banks' upload screens take.
    CrLf,
    /// Records back to back, as in the original transmission format.
    None,
}

/// A built 総合振込 file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZenginFile {
    /// The file's bytes (JIS X 0201).
    pub bytes: Vec<u8>,
    /// Number of data records (合計件数).
    pub count: u32,
    /// Sum of the amounts (合計金額), yen.
    pub total: i64,
    /// A file name to offer when saving, e.g. `sogo-furikomi-20261130.txt`.
    pub file_name_suggestion: String,
}

/// Why a row (or the header) cannot go into the file, or why a file does not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{message}")]
pub struct ZenginError {
    /// The row, counted from 1: the transfer's place in the input when building, the
    /// record's place in the file when reading; `None` for the header or the whole file.
    pub row: Option<usize>,
    /// The payment order the row came from (empty for the header and when reading).
    pub reference: String,
    /// The field, e.g. `"payeeKana"`, `"amount"`, `"requester.bankCode"`.
    pub field: String,
    /// A stable code such as `"zengin.name_char"`.
    pub code: &'static str,
    /// Short, polite Japanese: what is wrong and what to do.
    pub message: String,
}

impl Coded for ZenginError {
    fn code(&self) -> &'static str {
        self.code
    }
}

/// Collects the errors of one row.
struct RowErrors<'a> {
    row: Option<usize>,
    reference: &'a str,
    prefix: &'static str,
    errors: &'a mut Vec<ZenginError>,
}

impl RowErrors<'_> {
    fn push(&mut self, field: &str, code: &'static str, message: impl Into<String>) {
        self.errors.push(ZenginError {
            row: self.row,
            reference: self.reference.to_owned(),
            field: format!("{}{field}", self.prefix),
            code,
            message: message.into(),
        });
    }

    fn push_coded<E: Coded>(&mut self, field: &str, e: &E) {
        self.push(field, e.code(), e.to_string());
    }

    fn name(&mut self, field: &str, r: Result<String, NameError>) -> Option<String> {
        r.map_err(|e| self.push_coded(field, &e)).ok()
    }
}

/// Cuts a half-width name to `max` bytes (bank and branch names only; the receiving bank
/// goes by the codes).
fn cut(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

fn digits_nfkc(s: &str) -> String {
    s.nfkc().filter(|c| !c.is_whitespace()).collect()
}

struct CheckedHeader {
    code: String,
    name: String,
    bank_code: String,
    bank_name: String,
    branch_code: String,
    branch_name: String,
    deposit_type: u8,
    account_number: String,
}

fn check_requester(
    req: &Requester,
    master: &BankMaster,
    errors: &mut Vec<ZenginError>,
) -> Option<CheckedHeader> {
    let before = errors.len();
    let mut e = RowErrors {
        row: None,
        reference: "",
        prefix: "requester.",
        errors,
    };
    let code = digits_nfkc(&req.code);
    if code.is_empty() || code.len() > 10 || !code.bytes().all(|b| b.is_ascii_digit()) {
        e.push(
            "code",
            "zengin.requester_code",
            "振込依頼人コードは銀行から通知された10桁以内の数字で設定してください。",
        );
    }
    let name = e.name(
        "nameKana",
        normalize_kana_name(&req.name_kana, "振込依頼人名", REQUESTER_NAME_MAX),
    );
    if name.as_deref() == Some("") {
        e.push(
            "nameKana",
            "zengin.requester_name_empty",
            "振込依頼人名（カナ）を設定してください。",
        );
    }
    let bank = validate_bank_code(&req.bank_code)
        .map_err(|err| e.push_coded("bankCode", &err))
        .ok();
    let branch = validate_branch_code(&req.branch_code)
        .map_err(|err| e.push_coded("branchCode", &err))
        .ok();
    let deposit_type = match req.deposit_type {
        1 | 2 | 9 => Some(req.deposit_type),
        _ => {
            e.push(
                "depositType",
                "zengin.requester_deposit_type",
                "振込依頼人の預金種目は1（普通）、2（当座）、9（その他）のいずれかを設定してください。",
            );
            None
        }
    };
    let account = validate_account_number(&req.account_number)
        .map_err(|err| e.push_coded("accountNumber", &err))
        .ok();
    let master_bank = bank.as_ref().and_then(|b| master.bank(b.as_str()));
    let bank_name = if req.bank_name_kana.trim().is_empty() {
        match master_bank {
            Some(b) => Some(b.kana.clone()),
            None => {
                if bank.is_some() {
                    e.push(
                        "bankCode",
                        "bank.unknown",
                        "仕向銀行のコードが金融機関の一覧にありません。コードを確認するか、仕向銀行名（カナ）を設定してください。",
                    );
                }
                None
            }
        }
    } else {
        e.name(
            "bankNameKana",
            normalize_code_text(&req.bank_name_kana, "仕向銀行名", usize::MAX),
        )
    };
    let branch_name = if req.branch_name_kana.trim().is_empty() {
        let found = match (&bank, &branch) {
            (Some(b), Some(br)) => master.branch(b.as_str(), br.as_str()),
            _ => None,
        };
        match found {
            Some(br) => Some(br.kana.clone()),
            None => {
                if master_bank.is_some() && branch.is_some() {
                    e.push(
                        "branchCode",
                        "bank.branch_unknown",
                        "仕向支店のコードが支店の一覧にありません。コードを確認するか、仕向支店名（カナ）を設定してください。",
                    );
                }
                None
            }
        }
    } else {
        e.name(
            "branchNameKana",
            normalize_code_text(&req.branch_name_kana, "仕向支店名", usize::MAX),
        )
    };
    if errors.len() > before {
        return None;
    }
    Some(CheckedHeader {
        code,
        name: name?,
        bank_code: bank?.as_str().to_owned(),
        bank_name: cut(&bank_name?, BANK_NAME_MAX),
        branch_code: branch?.as_str().to_owned(),
        branch_name: cut(&branch_name?, BANK_NAME_MAX),
        deposit_type: deposit_type?,
        account_number: account?.as_str().to_owned(),
    })
}

struct CheckedTransfer {
    bank_code: String,
    bank_name: String,
    branch_code: String,
    branch_name: String,
    deposit_type: u8,
    account_number: String,
    payee: String,
    amount: i64,
    customer_code1: String,
    customer_code2: String,
    edi: Option<String>,
}

fn check_transfer(
    row: usize,
    t: &Transfer,
    master: &BankMaster,
    errors: &mut Vec<ZenginError>,
) -> Option<CheckedTransfer> {
    let before = errors.len();
    let mut e = RowErrors {
        row: Some(row),
        reference: &t.reference,
        prefix: "",
        errors,
    };
    let bank = validate_bank_code(&t.bank_code)
        .map_err(|err| e.push_coded("bankCode", &err))
        .ok();
    let branch = validate_branch_code(&t.branch_code)
        .map_err(|err| e.push_coded("branchCode", &err))
        .ok();
    let deposit = DepositType::from_code(t.deposit_type)
        .map_err(|err| e.push_coded("depositType", &err))
        .ok();
    let account = validate_account_number(&t.account_number)
        .map_err(|err| e.push_coded("accountNumber", &err))
        .ok();
    let mut names = None;
    if let (Some(bank), Some(branch)) = (&bank, &branch) {
        let findings = check_codes("", bank.as_str(), branch.as_str(), deposit, master);
        for f in &findings {
            e.push(&f.field, f.code, f.message.clone());
        }
        if findings.is_empty() {
            names = master
                .bank(bank.as_str())
                .zip(master.branch(bank.as_str(), branch.as_str()))
                .map(|(b, br)| (cut(&b.kana, BANK_NAME_MAX), cut(&br.kana, BANK_NAME_MAX)));
        }
    }
    let payee = e.name("payeeKana", normalize_payee_name(&t.payee_kana));
    if payee.as_deref() == Some("") {
        e.push(
            "payeeKana",
            "zengin.payee_empty",
            "受取人名（カナ）を入力してください。通帳の口座名義のとおりに入力します。",
        );
    }
    if !(1..=MAX_AMOUNT).contains(&t.amount) {
        e.push(
            "amount",
            "zengin.amount_range",
            "振込金額は1円以上9,999,999,999円以下で入力してください。",
        );
    }
    let edi = t.edi.as_deref().filter(|s| !s.trim().is_empty());
    let code1 = e.name(
        "customerCode1",
        normalize_code_text(&t.customer_code1, "顧客コード1", CUSTOMER_CODE_MAX),
    );
    let code2 = e.name(
        "customerCode2",
        normalize_code_text(&t.customer_code2, "顧客コード2", CUSTOMER_CODE_MAX),
    );
    let edi = match edi {
        Some(s) => {
            if !t.customer_code1.trim().is_empty() || !t.customer_code2.trim().is_empty() {
                e.push(
                    "edi",
                    "zengin.edi_with_customer_codes",
                    "EDI情報と顧客コードは同じ欄を使うため、どちらか一方だけを入力してください。",
                );
            }
            e.name("edi", normalize_code_text(s, "EDI情報", EDI_MAX))
                .map(Some)
        }
        None => Some(None),
    };
    if errors.len() > before {
        return None;
    }
    let (bank_name, branch_name) = names?;
    Some(CheckedTransfer {
        bank_code: bank?.as_str().to_owned(),
        bank_name,
        branch_code: branch?.as_str().to_owned(),
        branch_name,
        deposit_type: deposit?.code(),
        account_number: account?.as_str().to_owned(),
        payee: payee?,
        amount: t.amount,
        customer_code1: code1?,
        customer_code2: code2?,
        edi: edi?,
    })
}

fn whole_file_error(code: &'static str, message: String) -> ZenginError {
    ZenginError {
        row: None,
        reference: String::new(),
        field: "transfers".to_owned(),
        code,
        message,
    }
}

/// The file's own limits: at least one row, at most [`MAX_COUNT`], a total of at most
/// [`MAX_TOTAL`].
fn limit_errors(count: usize, total: i64) -> Vec<ZenginError> {
    let mut errors = Vec::new();
    if count == 0 {
        errors.push(whole_file_error(
            "zengin.no_transfers",
            "振込データがありません。支払う支出命令を選んでください。".to_owned(),
        ));
    }
    if count > MAX_COUNT {
        errors.push(whole_file_error(
            "zengin.too_many",
            format!(
                "1つのファイルに入る振込は999,999件までです（{count}件あります）。ファイルを分けてください。"
            ),
        ));
    }
    if total > MAX_TOTAL {
        errors.push(whole_file_error(
            "zengin.total_too_large",
            "合計金額が999,999,999,999円を超えています。ファイルを分けてください。".to_owned(),
        ));
    }
    errors
}

/// Builds the 総合振込 file for `transfers`, paid from `req`'s account on `transfer_date`.
///
/// Bank and branch names come from `master` (unknown codes are errors). Every row is checked
/// and **all** errors are returned together — bank, branch, ゆうちょ 店番, 預金種目, 口座番号,
/// 受取人名, amount (1–9,999,999,999), 顧客コード / EDI情報 — plus the file's limits (at most
/// 999,999 rows, a total of at most 999,999,999,999 yen) and the header's fields. Whether
/// `transfer_date` is a bank business day is the caller's check
/// ([`crate::procurement::calendar`]).
pub fn build_sogo_furikomi(
    req: &Requester,
    transfer_date: NaiveDate,
    transfers: &[Transfer],
    master: &BankMaster,
    eol: LineEnding,
) -> Result<ZenginFile, Vec<ZenginError>> {
    let mut errors = Vec::new();
    let header = check_requester(req, master, &mut errors);
    let rows: Vec<Option<CheckedTransfer>> = transfers
        .iter()
        .enumerate()
        .map(|(i, t)| check_transfer(i + 1, t, master, &mut errors))
        .collect();
    let total = transfers
        .iter()
        .map(|t| t.amount.clamp(0, MAX_AMOUNT))
        .fold(0i64, i64::saturating_add);
    errors.extend(limit_errors(transfers.len(), total));
    if !errors.is_empty() {
        return Err(errors);
    }
    let (Some(header), Some(rows)) = (header, rows.into_iter().collect::<Option<Vec<_>>>()) else {
        // Every None above pushed an error, so this is not reached; kept without a panic.
        return Err(vec![whole_file_error(
            "zengin.internal",
            "振込データを作れませんでした。入力を確認してください。".to_owned(),
        )]);
    };

    let mut records: Vec<Vec<u8>> = Vec::with_capacity(rows.len() + 3);
    let mmdd = format!("{:02}{:02}", transfer_date.month(), transfer_date.day());
    records.push(
        Record::new(b'1')
            .n("21", 2)
            .n("0", 1)
            .n(&header.code, 10)
            .c(&header.name, 40)
            .n(&mmdd, 4)
            .n(&header.bank_code, 4)
            .c(&header.bank_name, 15)
            .n(&header.branch_code, 3)
            .c(&header.branch_name, 15)
            .n(&header.deposit_type.to_string(), 1)
            .n(&header.account_number, 7)
            .c("", 17)
            .finish(),
    );
    for r in &rows {
        let mut rec = Record::new(b'2');
        rec.n(&r.bank_code, 4)
            .c(&r.bank_name, 15)
            .n(&r.branch_code, 3)
            .c(&r.branch_name, 15)
            .n("0000", 4)
            .n(&r.deposit_type.to_string(), 1)
            .n(&r.account_number, 7)
            .c(&r.payee, 30)
            .n(&r.amount.to_string(), 10)
            .n(NEW_CODE, 1);
        match &r.edi {
            Some(edi) => rec.c(edi, 20).n(TRANSFER_KIND, 1).c("Y", 1),
            None => rec
                .c(&r.customer_code1, 10)
                .c(&r.customer_code2, 10)
                .n(TRANSFER_KIND, 1)
                .c(" ", 1),
        };
        records.push(rec.c("", 7).finish());
    }
    let count = rows.len();
    records.push(
        Record::new(b'8')
            .n(&count.to_string(), 6)
            .n(&total.to_string(), 12)
            .c("", 101)
            .finish(),
    );
    records.push(Record::new(b'9').c("", 119).finish());

    let line_len = RECORD_LEN + if eol == LineEnding::CrLf { 2 } else { 0 };
    let mut bytes = Vec::with_capacity(records.len() * line_len);
    for r in records {
        bytes.extend(r);
        if eol == LineEnding::CrLf {
            bytes.extend_from_slice(b"\r\n");
        }
    }
    Ok(ZenginFile {
        bytes,
        count: u32::try_from(count).unwrap_or(u32::MAX),
        total,
        file_name_suggestion: format!("sogo-furikomi-{}.txt", transfer_date.format("%Y%m%d")),
    })
}

// ---------------------------------------------------------------------------------------
// Reading

/// The header record as read from a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParsedHeader {
    /// 種別コード (`21` for 総合振込).
    pub kind_code: String,
    /// コード区分 (`0` JIS).
    pub code_division: String,
    /// 振込依頼人コード (10 digits).
    pub requester_code: String,
    /// 振込依頼人名, trailing spaces removed.
    pub requester_name: String,
    /// 振込指定日 as MMDD.
    pub transfer_mmdd: String,
    /// 仕向銀行番号.
    pub bank_code: String,
    /// 仕向銀行名.
    pub bank_name: String,
    /// 仕向支店番号.
    pub branch_code: String,
    /// 仕向支店名.
    pub branch_name: String,
    /// 預金種目.
    pub deposit_type: u8,
    /// 口座番号 (7 digits).
    pub account_number: String,
}

/// A data record as read from a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParsedTransfer {
    /// 被仕向銀行番号.
    pub bank_code: String,
    /// 被仕向銀行名, trailing spaces removed.
    pub bank_name: String,
    /// 被仕向支店番号.
    pub branch_code: String,
    /// 被仕向支店名, trailing spaces removed.
    pub branch_name: String,
    /// 手形交換所番号 (normally `0000`).
    pub clearing_house: String,
    /// 預金種目.
    pub deposit_type: u8,
    /// 口座番号 (7 digits).
    pub account_number: String,
    /// 受取人名, trailing spaces removed.
    pub payee_name: String,
    /// 振込金額, yen.
    pub amount: i64,
    /// 新規コード.
    pub new_code: u8,
    /// 顧客コード1 (empty when the record carries EDI情報).
    pub customer_code1: String,
    /// 顧客コード2 (empty when the record carries EDI情報).
    pub customer_code2: String,
    /// EDI情報, when 識別表示 is `Y`.
    pub edi: Option<String>,
    /// 振込指定区分 (7 テレ振込, 8 文書振込).
    pub transfer_kind: u8,
}

/// A 総合振込 file as read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParsedFile {
    /// The header record.
    pub header: ParsedHeader,
    /// The data records, in file order.
    pub transfers: Vec<ParsedTransfer>,
    /// 合計件数 from the trailer (checked against the data records).
    pub count: u32,
    /// 合計金額 from the trailer (checked against the data records).
    pub total: i64,
    /// Whether the records were followed by CR LF.
    pub line_ending: LineEnding,
}

fn parse_error(row: usize, field: &str, code: &'static str, message: String) -> ZenginError {
    ZenginError {
        row: Some(row),
        reference: String::new(),
        field: field.to_owned(),
        code,
        message,
    }
}

/// One 120-byte record with its place in the file, for reading fields.
struct RecordReader<'a> {
    bytes: &'a [u8],
    row: usize,
}

impl RecordReader<'_> {
    /// Columns `from..=to` (1-based, as in the layout tables).
    fn raw(&self, from: usize, to: usize) -> &[u8] {
        self.bytes.get(from - 1..to).unwrap_or_default()
    }

    fn n(&self, from: usize, to: usize, field: &str) -> Result<String, ZenginError> {
        let raw = self.raw(from, to);
        if raw.len() != to + 1 - from || !raw.iter().all(u8::is_ascii_digit) {
            return Err(parse_error(
                self.row,
                field,
                "zengin.parse_digits",
                format!(
                    "{}行目の{field}（{from}〜{to}桁目）が数字ではありません。作成元のデータを確認してください。",
                    self.row
                ),
            ));
        }
        Ok(raw.iter().map(|&b| char::from(b)).collect())
    }

    fn n_u64(&self, from: usize, to: usize, field: &str) -> Result<u64, ZenginError> {
        let s = self.n(from, to, field)?;
        s.parse().map_err(|_| {
            parse_error(
                self.row,
                field,
                "zengin.parse_digits",
                format!("{}行目の{field}が読めません。", self.row),
            )
        })
    }

    fn c(&self, from: usize, to: usize) -> String {
        self.raw(from, to)
            .iter()
            .map(|&b| decode_byte(b).unwrap_or('\u{FFFD}'))
            .collect::<String>()
            .trim_end()
            .to_owned()
    }
}

/// Reads a 総合振込 file (with or without CR LF after each record, an optional trailing
/// EOF byte 0x1A) and checks its structure: every record 120 bytes of JIS X 0201, the
/// order header – data – trailer – end, 種別コード 21, numeric fields, and the trailer's
/// count and total against the data records. The first problem found is returned.
pub fn parse_sogo_furikomi(bytes: &[u8]) -> Result<ParsedFile, ZenginError> {
    let bytes = bytes.strip_suffix(&[0x1Au8]).unwrap_or(bytes);
    let crlf = bytes.get(RECORD_LEN..RECORD_LEN + 2) == Some(b"\r\n");
    let line_len = RECORD_LEN + if crlf { 2 } else { 0 };
    let mut records: Vec<RecordReader<'_>> = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        let row = records.len() + 1;
        let rest = bytes.get(pos..).unwrap_or_default();
        let Some(rec) = rest.get(..RECORD_LEN) else {
            return Err(parse_error(
                row,
                "record",
                "zengin.parse_length",
                format!(
                    "{row}行目が120バイトに足りません（{}バイト）。ファイルが途中で切れていないか確認してください。",
                    rest.len()
                ),
            ));
        };
        if let Some(i) = rec.iter().position(|&b| decode_byte(b).is_none()) {
            return Err(parse_error(
                row,
                "record",
                "zengin.parse_byte",
                format!(
                    "{row}行目の{}バイト目に全銀の文字（JIS X 0201）でないバイト 0x{:02X} があります。改行の位置や文字コードを確認してください。",
                    i + 1,
                    rec.get(i).copied().unwrap_or_default()
                ),
            ));
        }
        let eol = rest
            .get(RECORD_LEN..line_len.min(rest.len()))
            .unwrap_or_default();
        // The last line may end without CR LF.
        if crlf && eol != b"\r\n" && rest.len() > RECORD_LEN {
            return Err(parse_error(
                row,
                "record",
                "zengin.parse_line_ending",
                format!("{row}行目の後に改行（CR LF）がありません。1行は120バイトです。"),
            ));
        }
        records.push(RecordReader { bytes: rec, row });
        pos += line_len.min(rest.len());
    }

    let kind = |r: &RecordReader<'_>| r.bytes.first().copied().unwrap_or_default();
    let order_error = |row: usize, expected: &str| {
        parse_error(
            row,
            "dataKind",
            "zengin.parse_order",
            format!(
                "{row}行目は{expected}のはずです。ヘッダー（1）、データ（2）、トレーラ（8）、エンド（9）の順になっていません。"
            ),
        )
    };
    let mut it = records.iter().peekable();
    let Some(h) = it.next().filter(|r| kind(r) == b'1') else {
        return Err(order_error(1, "ヘッダー・レコード（1）"));
    };
    let kind_code = h.n(2, 3, "種別コード")?;
    if kind_code != "21" {
        return Err(parse_error(
            1,
            "kindCode",
            "zengin.parse_kind",
            format!("種別コードが「{kind_code}」です。総合振込（21）のファイルではありません。"),
        ));
    }
    let header = ParsedHeader {
        kind_code,
        code_division: h.n(4, 4, "コード区分")?,
        requester_code: h.n(5, 14, "振込依頼人コード")?,
        requester_name: h.c(15, 54),
        transfer_mmdd: h.n(55, 58, "振込指定日")?,
        bank_code: h.n(59, 62, "仕向銀行番号")?,
        bank_name: h.c(63, 77),
        branch_code: h.n(78, 80, "仕向支店番号")?,
        branch_name: h.c(81, 95),
        deposit_type: u8::try_from(h.n_u64(96, 96, "預金種目")?).unwrap_or_default(),
        account_number: h.n(97, 103, "口座番号")?,
    };

    let mut transfers = Vec::new();
    let mut sum: i64 = 0;
    while let Some(d) = it.next_if(|r| kind(r) == b'2') {
        let amount = i64::try_from(d.n_u64(81, 90, "振込金額")?).unwrap_or(i64::MAX);
        sum = sum.saturating_add(amount);
        let with_edi = d.c(113, 113) == "Y";
        transfers.push(ParsedTransfer {
            bank_code: d.n(2, 5, "被仕向銀行番号")?,
            bank_name: d.c(6, 20),
            branch_code: d.n(21, 23, "被仕向支店番号")?,
            branch_name: d.c(24, 38),
            clearing_house: d.c(39, 42),
            deposit_type: u8::try_from(d.n_u64(43, 43, "預金種目")?).unwrap_or_default(),
            account_number: d.n(44, 50, "口座番号")?,
            payee_name: d.c(51, 80),
            amount,
            new_code: u8::try_from(d.n_u64(91, 91, "新規コード")?).unwrap_or_default(),
            customer_code1: if with_edi {
                String::new()
            } else {
                d.c(92, 101)
            },
            customer_code2: if with_edi {
                String::new()
            } else {
                d.c(102, 111)
            },
            edi: with_edi.then(|| d.c(92, 111)),
            transfer_kind: u8::try_from(d.n_u64(112, 112, "振込指定区分")?).unwrap_or_default(),
        });
    }

    let next_row = 2 + transfers.len();
    let Some(t) = it.next().filter(|r| kind(r) == b'8') else {
        return Err(order_error(next_row, "トレーラ・レコード（8）"));
    };
    let count = t.n_u64(2, 7, "合計件数")?;
    let total = i64::try_from(t.n_u64(8, 19, "合計金額")?).unwrap_or(i64::MAX);
    if count != transfers.len() as u64 {
        return Err(parse_error(
            t.row,
            "count",
            "zengin.parse_count_mismatch",
            format!(
                "トレーラの合計件数（{count}件）がデータ・レコードの数（{}件）と合いません。",
                transfers.len()
            ),
        ));
    }
    if total != sum {
        return Err(parse_error(
            t.row,
            "total",
            "zengin.parse_total_mismatch",
            format!(
                "トレーラの合計金額（{total}円）がデータ・レコードの合計（{sum}円）と合いません。"
            ),
        ));
    }
    let Some(_end) = it.next().filter(|r| kind(r) == b'9') else {
        return Err(order_error(next_row + 1, "エンド・レコード（9）"));
    };
    if let Some(extra) = it.next() {
        return Err(parse_error(
            extra.row,
            "record",
            "zengin.parse_after_end",
            format!(
                "{}行目がエンド・レコードの後にあります。1つのファイルには1組の振込データだけを入れてください。",
                extra.row
            ),
        ));
    }
    Ok(ParsedFile {
        header,
        transfers,
        count: u32::try_from(count).unwrap_or(u32::MAX),
        total,
        line_ending: if crlf {
            LineEnding::CrLf
        } else {
            LineEnding::None
        },
    })
}

#[cfg(test)]
mod tests;
