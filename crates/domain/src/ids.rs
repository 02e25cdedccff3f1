//! Identifiers a clerk types in: 個人番号, 法人番号, 登録番号 (T + 13 digits), 基礎年金番号,
//! 郵便番号, bank / branch / account numbers and the ゆうちょ 記号番号.
//!
//! Input is NFKC-normalised (full-width digits become half-width) and spaces and hyphens
//! (including the dash-like characters an IME may produce, such as ー and −) are dropped
//! before checking. Each `validate_*` function returns a newtype holding the normalised
//! form, so a value of that type has been checked.
//!
//! The check digits catch most typing mistakes, not all: with 個人番号, a change that moves
//! the remainder between 0 and 1 keeps the check digit 0; with 法人番号, a 0 typed for a 9
//! (or the reverse) keeps the sum modulo 9. Tests pin both gaps.

use std::fmt;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::finding::{Coded, Finding};

/// Why an identifier was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// 個人番号 is not 12 digits.
    #[error("個人番号は12桁の数字で入力してください。")]
    MyNumberFormat,
    /// 個人番号's check digit does not match.
    #[error("個人番号の検査用数字が一致しません。番号を確認してください。")]
    MyNumberCheckDigit,
    /// 法人番号 is not 13 digits.
    #[error("法人番号は13桁の数字で入力してください。")]
    CorporateNumberFormat,
    /// 法人番号's check digit does not match.
    #[error("法人番号の検査用数字が一致しません。番号を確認してください。")]
    CorporateNumberCheckDigit,
    /// 登録番号 is not T + 13 digits.
    #[error("登録番号は「T」に続けて13桁の数字で入力してください（例：T7000012050002）。")]
    InvoiceNumberFormat,
    /// 登録番号's digits do not satisfy the 法人番号 check digit (reported as a warning).
    #[error(
        "登録番号の検査用数字が一致しません。請求書や公表サイトの番号と照らして確認してください。"
    )]
    InvoiceNumberCheckDigit,
    /// 基礎年金番号 is not 10 digits.
    #[error("基礎年金番号は10桁の数字で入力してください（例：1234-567890）。")]
    PensionNumberFormat,
    /// 郵便番号 is not 7 digits.
    #[error("郵便番号は7桁の数字で入力してください（例：163-8001）。")]
    PostalCodeFormat,
    /// 金融機関コード is not 4 digits.
    #[error("金融機関コードは4桁の数字で入力してください。")]
    BankCodeFormat,
    /// 支店コード is not 3 digits.
    #[error("支店コードは3桁の数字で入力してください。")]
    BranchCodeFormat,
    /// 口座番号 is not 1–7 digits.
    #[error("口座番号は7桁以内の数字で入力してください。")]
    AccountNumberFormat,
    /// 預金種目 code is not 1, 2, 4 or 9.
    #[error("預金種目は1（普通）、2（当座）、4（貯蓄）、9（その他）のいずれかを選んでください。")]
    DepositTypeUnknown,
    /// ゆうちょ 記号 is not 5 digits starting with 0 or 1.
    #[error("ゆうちょ銀行の記号は「0」または「1」で始まる5桁の数字で入力してください。")]
    YuchoKigoFormat,
    /// ゆうちょ 番号 of a 通常貯金 (記号 1xxxx) is not 2–8 digits ending in 1.
    #[error("ゆうちょ銀行の番号は末尾が「1」の8桁以内の数字です。通帳の番号を確認してください。")]
    YuchoSavingsBangoFormat,
    /// ゆうちょ 番号 of a 振替口座 (記号 0xxxx) is not 1–6 digits.
    #[error("ゆうちょ銀行の振替口座の番号は6桁以内の数字で入力してください。")]
    YuchoTransferBangoFormat,
}

impl IdError {
    /// The stable code of this error, e.g. `"my_number.check_digit"`.
    pub fn code(&self) -> &'static str {
        match self {
            IdError::MyNumberFormat => "my_number.format",
            IdError::MyNumberCheckDigit => "my_number.check_digit",
            IdError::CorporateNumberFormat => "corporate_number.format",
            IdError::CorporateNumberCheckDigit => "corporate_number.check_digit",
            IdError::InvoiceNumberFormat => "invoice_number.format",
            IdError::InvoiceNumberCheckDigit => "invoice_number.check_digit",
            IdError::PensionNumberFormat => "pension_number.format",
            IdError::PostalCodeFormat => "postal_code.format",
            IdError::BankCodeFormat => "bank_code.format",
            IdError::BranchCodeFormat => "branch_code.format",
            IdError::AccountNumberFormat => "account_number.format",
            IdError::DepositTypeUnknown => "deposit_type.unknown",
            IdError::YuchoKigoFormat => "yucho.kigo_format",
            IdError::YuchoSavingsBangoFormat => "yucho.savings_bango_format",
            IdError::YuchoTransferBangoFormat => "yucho.transfer_bango_format",
        }
    }
}

impl Coded for IdError {
    fn code(&self) -> &'static str {
        IdError::code(self)
    }
}

/// Dash-like characters that people (or an IME) type between the digits of a number.
fn is_hyphen(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}' // ‐
            | '\u{2011}' // non-breaking hyphen
            | '\u{2012}' // ‒
            | '\u{2013}' // –
            | '\u{2014}' // —
            | '\u{2015}' // ―
            | '\u{2212}' // −
            | '\u{30FC}' // ー
    )
}

/// NFKC, then without white space and hyphens.
fn digits_only(input: &str) -> String {
    input
        .nfkc()
        .filter(|c| !c.is_whitespace() && !is_hyphen(*c))
        .collect()
}

fn is_digits(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit())
}

/// The digits of `s` as numbers; `s` must be ASCII digits.
fn digit_values(s: &str) -> impl DoubleEndedIterator<Item = u32> + '_ {
    s.bytes().map(|b| u32::from(b - b'0'))
}

// ---------------------------------------------------------------------------------------
// 個人番号

/// A checked 個人番号. Its `Debug` and `Display` print `<redacted>`, and it cannot be
/// serialised: the digits leave only through [`MyNumber::expose`], so that every place that
/// handles them is visible in the code.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct MyNumber(String);

impl MyNumber {
    /// The 12 digits. Use only where the number itself is needed (storage, official
    /// forms), never in logs.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// 「●●●● ●●●● 9018」: only the last four digits, for screens.
    pub fn masked(&self) -> String {
        format!("●●●● ●●●● {}", self.0.get(8..).unwrap_or_default())
    }
}

impl fmt::Debug for MyNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for MyNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The check digit of a 個人番号 from its first 11 digits, or `None` unless `first11` is
/// exactly 11 ASCII digits.
pub fn my_number_check_digit(first11: &str) -> Option<u8> {
    if !is_digits(first11, 11) {
        return None;
    }
    // P1..P11 from the right; Q = n + 1 for n = 1..6, n - 5 for n = 7..11.
    let sum: u32 = digit_values(first11)
        .rev()
        .zip(1u32..)
        .map(|(p, n)| p * if n <= 6 { n + 1 } else { n - 5 })
        .sum();
    let r = sum % 11;
    let check = if r <= 1 { 0 } else { 11 - r };
    u8::try_from(check).ok()
}

/// Checks a 個人番号 typed by a clerk (full-width digits, spaces and hyphens allowed).
pub fn validate_my_number(input: &str) -> Result<MyNumber, IdError> {
    let digits = digits_only(input);
    if !is_digits(&digits, 12) {
        return Err(IdError::MyNumberFormat);
    }
    let (body, check) = digits.split_at(11);
    if my_number_check_digit(body)
        .map(|c| c.to_string())
        .as_deref()
        != Some(check)
    {
        return Err(IdError::MyNumberCheckDigit);
    }
    Ok(MyNumber(digits))
}

/// Where `text` holds something that is a 個人番号: 12 digits (ASCII or full-width),
/// written together or as 4-4-4 with one space or hyphen between the groups, not part of a
/// longer run of digits, and with a valid check digit. Byte ranges into `text`.
///
/// For scanning logs, audit details and free text before they are kept: a 12-digit number
/// with a wrong check digit (1 in 11 of random numbers pass) is not reported, so a phone
/// number or an amount rarely is.
pub fn find_my_numbers(text: &str) -> Vec<std::ops::Range<usize>> {
    fn digit(c: char) -> Option<char> {
        match c {
            '0'..='9' => Some(c),
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            _ => None,
        }
    }
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let end_of = |i: usize| chars.get(i).map_or(text.len(), |&(b, _)| b);
    let is_digit_at = |i: usize| chars.get(i).is_some_and(|&(_, c)| digit(c).is_some());
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !is_digit_at(i) || (i > 0 && is_digit_at(i - 1)) {
            i += 1;
            continue;
        }
        // Collect 12 digits from i, allowing one separator after the 4th and 8th.
        let mut digits = String::with_capacity(12);
        let mut j = i;
        let mut ok = true;
        while digits.len() < 12 {
            match chars.get(j).and_then(|&(_, c)| digit(c)) {
                Some(d) => {
                    digits.push(d);
                    j += 1;
                }
                None => {
                    let sep = chars.get(j).map(|&(_, c)| c);
                    let at_group = digits.len() == 4 || digits.len() == 8;
                    if at_group
                        && matches!(sep, Some(' ' | '-' | '　' | '－' | 'ー'))
                        && is_digit_at(j + 1)
                    {
                        j += 1;
                    } else {
                        ok = false;
                        break;
                    }
                }
            }
        }
        if ok && !is_digit_at(j) && !last_group_of_uuid(&chars, i) {
            let (body, check) = digits.split_at(11);
            if my_number_check_digit(body)
                .map(|c| c.to_string())
                .as_deref()
                == Some(check)
            {
                found.push(chars[i].0..end_of(j));
                i = j;
                continue;
            }
        }
        // Skip the rest of this run of digits.
        while is_digit_at(i) {
            i += 1;
        }
    }
    found
}

/// Whether the digits at `chars[start..end]` are the last group of a UUID
/// (`xxxxxxxx-xxxx-xxxx-xxxx-` right before them): a UUID's last group is all digits about
/// once in 2,800, and then one in ten has a valid check digit — record ids in a log or a
/// record body must not be taken for a 個人番号. Anything else with 12 digits still counts
/// (the redaction of logs prefers a false alarm to a miss).
fn last_group_of_uuid(chars: &[(usize, char)], start: usize) -> bool {
    // The 24 characters before: 8-4-4-4 hex groups, each followed by '-'.
    const GROUPS: [usize; 4] = [8, 4, 4, 4];
    let Some(from) = start.checked_sub(24) else {
        return false;
    };
    let mut k = from;
    for len in GROUPS {
        for _ in 0..len {
            if !chars.get(k).is_some_and(|&(_, c)| c.is_ascii_hexdigit()) {
                return false;
            }
            k += 1;
        }
        if chars.get(k).map(|&(_, c)| c) != Some('-') {
            return false;
        }
        k += 1;
    }
    true
}

/// `text` with every [`find_my_numbers`] hit replaced by 「[個人番号]」 (borrowed when there
/// is none): the last line of defence for log lines and crash reports.
pub fn redact_my_numbers(text: &str) -> std::borrow::Cow<'_, str> {
    let hits = find_my_numbers(text);
    if hits.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for r in hits {
        out.push_str(&text[from..r.start]);
        out.push_str("[個人番号]");
        from = r.end;
    }
    out.push_str(&text[from..]);
    std::borrow::Cow::Owned(out)
}

// ---------------------------------------------------------------------------------------
// 法人番号 and 登録番号

/// A checked 法人番号 (13 digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct CorporateNumber(String);

impl CorporateNumber {
    /// The 13 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CorporateNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The check digit (the first digit) of a 法人番号 from the other 12 digits, or `None`
/// unless `base12` is exactly 12 ASCII digits.
pub fn corporate_number_check_digit(base12: &str) -> Option<u8> {
    if !is_digits(base12, 12) {
        return None;
    }
    // Numbered from the right: weight 1 for odd n, 2 for even n.
    let sum: u32 = digit_values(base12)
        .rev()
        .zip(1u32..)
        .map(|(p, n)| if n % 2 == 1 { p } else { 2 * p })
        .sum();
    u8::try_from(9 - sum % 9).ok()
}

fn corporate_check_matches(digits13: &str) -> bool {
    let (check, base) = digits13.split_at(1);
    corporate_number_check_digit(base)
        .map(|c| c.to_string())
        .as_deref()
        == Some(check)
}

/// Checks a 法人番号 (13 digits, the first being the check digit).
pub fn validate_corporate_number(input: &str) -> Result<CorporateNumber, IdError> {
    let digits = digits_only(input);
    if !is_digits(&digits, 13) {
        return Err(IdError::CorporateNumberFormat);
    }
    if !corporate_check_matches(&digits) {
        return Err(IdError::CorporateNumberCheckDigit);
    }
    Ok(CorporateNumber(digits))
}

/// Checks a 適格請求書発行事業者登録番号: 「T」 and 13 digits (full-width and a lower-case
/// 「t」 are accepted). Returns the normalised number (「T7123456789012」) unless the format
/// is wrong.
///
/// A wrong format is an error. Digits that fail the 法人番号 check digit are only a
/// warning, because the numbers of businesses that are not corporations need not follow it.
pub fn check_invoice_registration_number(
    field: &str,
    input: &str,
) -> (Option<String>, Vec<Finding>) {
    let normalised = digits_only(input).to_ascii_uppercase();
    let digits = match normalised.strip_prefix('T') {
        Some(digits) if is_digits(digits, 13) => digits,
        _ => {
            return (
                None,
                vec![Finding::from_error(field, &IdError::InvoiceNumberFormat)],
            )
        }
    };
    let mut findings = Vec::new();
    if !corporate_check_matches(digits) {
        let w = IdError::InvoiceNumberCheckDigit;
        findings.push(Finding::warning(field, w.code(), w.to_string()));
    }
    (Some(normalised), findings)
}

// ---------------------------------------------------------------------------------------
// 基礎年金番号 and 郵便番号

/// A 基礎年金番号 in its written form 「1234-567890」.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct BasicPensionNumber(String);

impl BasicPensionNumber {
    /// 「1234-567890」.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 10 digits without the hyphen, 「1234567890」.
    pub fn digits(&self) -> String {
        self.0.replace('-', "")
    }
}

impl fmt::Display for BasicPensionNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks a 基礎年金番号: 10 digits (4 + 6), with or without the hyphen. There is no public
/// check digit, so only the form is checked.
pub fn validate_basic_pension_number(input: &str) -> Result<BasicPensionNumber, IdError> {
    let digits = digits_only(input);
    if !is_digits(&digits, 10) {
        return Err(IdError::PensionNumberFormat);
    }
    let (office, serial) = digits.split_at(4);
    Ok(BasicPensionNumber(format!("{office}-{serial}")))
}

/// A 郵便番号 in its written form 「163-8001」.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct PostalCode(String);

impl PostalCode {
    /// 「163-8001」.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PostalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks a 郵便番号: 7 digits, with or without the hyphen, full-width allowed, and an
/// optional leading 〒.
pub fn validate_postal_code(input: &str) -> Result<PostalCode, IdError> {
    let digits = digits_only(input);
    let digits = digits.strip_prefix('〒').unwrap_or(&digits);
    if !is_digits(digits, 7) {
        return Err(IdError::PostalCodeFormat);
    }
    let (area, rest) = digits.split_at(3);
    Ok(PostalCode(format!("{area}-{rest}")))
}

// ---------------------------------------------------------------------------------------
// Banks

/// 全銀 金融機関コード (4 digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct BankCode(String);

/// 全銀 支店コード (3 digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct BranchCode(String);

/// 口座番号, zero-filled to 7 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct AccountNumber(String);

macro_rules! str_newtype {
    ($($t:ty),*) => {$(
        impl $t {
            /// The normalised digits.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}

str_newtype!(BankCode, BranchCode, AccountNumber);

/// The 金融機関コード of ゆうちょ銀行.
pub const YUCHO_BANK_CODE: &str = "9900";

/// Checks a 金融機関コード: exactly 4 digits.
pub fn validate_bank_code(input: &str) -> Result<BankCode, IdError> {
    let digits = digits_only(input);
    if !is_digits(&digits, 4) {
        return Err(IdError::BankCodeFormat);
    }
    Ok(BankCode(digits))
}

/// Checks a 支店コード: exactly 3 digits.
pub fn validate_branch_code(input: &str) -> Result<BranchCode, IdError> {
    let digits = digits_only(input);
    if !is_digits(&digits, 3) {
        return Err(IdError::BranchCodeFormat);
    }
    Ok(BranchCode(digits))
}

/// Checks a 口座番号 of 1–7 digits and zero-fills it to 7 (「12345」 → 「0012345」).
pub fn validate_account_number(input: &str) -> Result<AccountNumber, IdError> {
    let digits = digits_only(input);
    if !(1..=7).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IdError::AccountNumberFormat);
    }
    Ok(AccountNumber(format!("{digits:0>7}")))
}

/// 預金種目 with its 全銀 code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[repr(u8)]
pub enum DepositType {
    /// 普通 (1)
    Futsu = 1,
    /// 当座 (2)
    Toza = 2,
    /// 貯蓄 (4)
    Chochiku = 4,
    /// その他 (9)
    Sonota = 9,
}

impl DepositType {
    /// All 預金種目, in code order.
    pub const ALL: [DepositType; 4] = [
        DepositType::Futsu,
        DepositType::Toza,
        DepositType::Chochiku,
        DepositType::Sonota,
    ];

    /// The 全銀 code: 1, 2, 4 or 9.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// 「普通」, 「当座」, 「貯蓄」 or 「その他」.
    pub fn name_ja(self) -> &'static str {
        match self {
            DepositType::Futsu => "普通",
            DepositType::Toza => "当座",
            DepositType::Chochiku => "貯蓄",
            DepositType::Sonota => "その他",
        }
    }

    /// The 預金種目 with this 全銀 code.
    pub fn from_code(code: u8) -> Result<DepositType, IdError> {
        DepositType::ALL
            .into_iter()
            .find(|t| t.code() == code)
            .ok_or(IdError::DepositTypeUnknown)
    }
}

impl fmt::Display for DepositType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name_ja())
    }
}

/// An account as a 全銀 transfer names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BankAccount {
    /// 金融機関コード.
    pub bank_code: BankCode,
    /// 支店コード.
    pub branch_code: BranchCode,
    /// 預金種目.
    pub deposit_type: DepositType,
    /// 口座番号 (7 digits).
    pub account_number: AccountNumber,
}

/// Converts a ゆうちょ銀行 記号・番号 (as printed in the passbook) to the 全銀 form used for
/// transfers from other banks.
///
/// - 記号 1xxxx (通常貯金): 店番 = 記号's 2nd–3rd digits + 「8」, 普通, 口座番号 = 番号
///   without its trailing 「1」, zero-filled to 7.
/// - 記号 0xxxx (振替口座): 店番 = 記号's 2nd–3rd digits + 「9」, 当座, 口座番号 = 番号
///   (up to 6 digits) zero-filled to 7.
///
/// ```
/// use kyosai_domain::ids::{yucho_to_zengin, DepositType};
/// let account = yucho_to_zengin("10180", "12345671").unwrap();
/// assert_eq!(account.bank_code.as_str(), "9900");
/// assert_eq!(account.branch_code.as_str(), "018");
/// assert_eq!(account.deposit_type, DepositType::Futsu);
/// assert_eq!(account.account_number.as_str(), "1234567");
/// ```
pub fn yucho_to_zengin(kigo: &str, bango: &str) -> Result<BankAccount, IdError> {
    let kigo = digits_only(kigo);
    if !is_digits(&kigo, 5) {
        return Err(IdError::YuchoKigoFormat);
    }
    let bango = digits_only(bango);
    let bango_is_digits = bango.bytes().all(|b| b.is_ascii_digit());
    let office = kigo.get(1..3).unwrap_or_default();
    let (suffix, deposit_type, account) = match kigo.as_bytes().first() {
        Some(b'1') => {
            let account = bango
                .strip_suffix('1')
                .filter(|a| bango_is_digits && (1..=7).contains(&a.len()))
                .ok_or(IdError::YuchoSavingsBangoFormat)?;
            ('8', DepositType::Futsu, account)
        }
        Some(b'0') => {
            if !bango_is_digits || !(1..=6).contains(&bango.len()) {
                return Err(IdError::YuchoTransferBangoFormat);
            }
            ('9', DepositType::Toza, bango.as_str())
        }
        _ => return Err(IdError::YuchoKigoFormat),
    };
    Ok(BankAccount {
        bank_code: BankCode(YUCHO_BANK_CODE.to_owned()),
        branch_code: BranchCode(format!("{office}{suffix}")),
        deposit_type,
        account_number: AccountNumber(format!("{account:0>7}")),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::finding::Severity;
    use proptest::prelude::*;

    const VALID_CORPORATE: [&str; 4] = [
        "7123456789012",
        "4011001098993",
        "1180301018771",
        "7000012050002",
    ];

    #[test]
    fn my_number_check_digit_of_the_published_example() {
        assert_eq!(my_number_check_digit("12345678901"), Some(8));
        assert_eq!(my_number_check_digit("1234567890"), None);
        assert_eq!(my_number_check_digit("123456789012"), None);
        assert_eq!(my_number_check_digit("1234567890a"), None);
        assert_eq!(my_number_check_digit("１２３４５６７８９０１"), None);
        // Remainders 0 and 1 both give 0.
        assert_eq!(my_number_check_digit("00000000000"), Some(0));
    }

    #[test]
    fn my_number_accepts_typed_forms() {
        for input in [
            "123456789018",
            "1234 5678 9018",
            "1234-5678-9018",
            "１２３４５６７８９０１８",
            "１２３４　５６７８　９０１８",
            " 1234ー5678ー9018 ",
        ] {
            let n = validate_my_number(input).unwrap();
            assert_eq!(n.expose(), "123456789018", "{input}");
        }
    }

    #[test]
    fn my_number_errors() {
        for input in [
            "",
            "12345678901",
            "1234567890123",
            "12345678901a",
            "123456789O18",
        ] {
            let err = validate_my_number(input).unwrap_err();
            assert_eq!(err, IdError::MyNumberFormat, "{input}");
            assert_eq!(err.code(), "my_number.format");
            assert_eq!(err.to_string(), "個人番号は12桁の数字で入力してください。");
        }
        let err = validate_my_number("123456789019").unwrap_err();
        assert_eq!(err.code(), "my_number.check_digit");
        assert_eq!(
            err.to_string(),
            "個人番号の検査用数字が一致しません。番号を確認してください。"
        );
    }

    #[test]
    fn my_number_never_prints_its_digits() {
        let n = validate_my_number("123456789018").unwrap();
        assert_eq!(format!("{n}"), "<redacted>");
        assert_eq!(format!("{n:?}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(&n)), "Some(<redacted>)");
        assert_eq!(n.masked(), "●●●● ●●●● 9018");
        // Errors do not carry the input either.
        let err = validate_my_number("123456789019").unwrap_err();
        assert!(!format!("{err:?}{err}").contains("1234"));
    }

    #[test]
    fn my_numbers_are_found_in_text() {
        let found = |t: &str| -> Vec<String> {
            find_my_numbers(t)
                .into_iter()
                .map(|r| t[r].to_string())
                .collect()
        };
        assert_eq!(found("member=123456789018 ok"), ["123456789018"]);
        assert_eq!(
            found("番号１２３４５６７８９０１８です"),
            ["１２３４５６７８９０１８"]
        );
        assert_eq!(found("a 1234 5678 9018 b"), ["1234 5678 9018"]);
        assert_eq!(found("a 1234-5678-9018"), ["1234-5678-9018"]);
        assert_eq!(found("x123456789018"), ["123456789018"]);
        assert_eq!(
            found("123456789018,123456789018"),
            ["123456789018", "123456789018"]
        );
        // A wrong check digit, a longer or shorter run, odd grouping: not a 個人番号.
        assert!(found("123456789019").is_empty());
        assert!(found("1123456789018").is_empty());
        assert!(found("1234567890181").is_empty());
        assert!(found("23456789018").is_empty());
        assert!(found("12345 6789018").is_empty());
        assert!(found("1234  5678 9018").is_empty());
        assert!(found("2026-11-26T12:00:00.123456789Z seq=1").is_empty());
        assert!(found("").is_empty());
        // A UUID whose last group happens to be all digits.
        assert!(found("record=0f3c2a9e-41b7-4c1d-9a2e-123456789018 ok").is_empty());
        assert!(found("id=\"0F3C2A9E-41B7-4C1D-9A2E-123456789018\"").is_empty());
        // … but not a number after something that only looks a little like one.
        assert_eq!(found("seq-1234-123456789018"), ["123456789018"]);
        assert_eq!(found("no 123456789018 xyz"), ["123456789018"]);
        assert_eq!(found("0f3c2a9e-41b7-123456789018"), ["123456789018"]);
    }

    #[test]
    fn my_numbers_are_redacted() {
        assert_eq!(
            redact_my_numbers("a=123456789018 b=1234 5678 9018 c=123456789019"),
            "a=[個人番号] b=[個人番号] c=123456789019"
        );
        assert!(matches!(
            redact_my_numbers("nothing 42"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    proptest! {
        #[test]
        fn every_valid_my_number_is_found_whatever_surrounds_it(
            body in "[0-9]{11}", before in "[^0-9０-９]{0,8}", after in "[^0-9０-９]{0,8}"
        ) {
            let n = format!("{body}{}", my_number_check_digit(&body).unwrap());
            let text = format!("{before}{n}{after}");
            let found = find_my_numbers(&text);
            prop_assert_eq!(found.len(), 1);
            prop_assert_eq!(&text[found[0].clone()], n.as_str());
        }
    }

    #[test]
    fn corporate_numbers() {
        for n in VALID_CORPORATE {
            assert_eq!(validate_corporate_number(n).unwrap().as_str(), n);
            let (check, base) = n.split_at(1);
            assert_eq!(
                corporate_number_check_digit(base).unwrap().to_string(),
                check
            );
        }
        assert_eq!(
            validate_corporate_number("７１２３-４５６７-８９０１２")
                .unwrap()
                .as_str(),
            "7123456789012"
        );
        assert_eq!(
            validate_corporate_number("8123456789012")
                .unwrap_err()
                .code(),
            "corporate_number.check_digit"
        );
        for input in ["", "712345678901", "71234567890123", "T7123456789012"] {
            assert_eq!(
                validate_corporate_number(input).unwrap_err(),
                IdError::CorporateNumberFormat
            );
        }
        assert_eq!(corporate_number_check_digit("12345678901"), None);
        // 9 - (sum mod 9) is never 0.
        assert_eq!(corporate_number_check_digit("000000000000"), Some(9));
    }

    #[test]
    fn invoice_registration_numbers() {
        for input in [
            "T7123456789012",
            "t7123456789012",
            "Ｔ７１２３４５６７８９０１２",
            "T 7123-4567-89012",
        ] {
            let (n, findings) = check_invoice_registration_number("sellerTNumber", input);
            assert_eq!(n.as_deref(), Some("T7123456789012"), "{input}");
            assert!(findings.is_empty(), "{input}");
        }
        // Check digit mismatch: a warning, and the number is still returned.
        let (n, findings) = check_invoice_registration_number("sellerTNumber", "T8123456789012");
        assert_eq!(n.as_deref(), Some("T8123456789012"));
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Warning);
        assert_eq!(findings[0].code, "invoice_number.check_digit");
        assert_eq!(findings[0].field, "sellerTNumber");
        // Wrong format: an error, no number.
        for input in [
            "",
            "7123456789012",
            "T712345678901",
            "T71234567890123",
            "TT7123456789012",
            "X7123456789012",
        ] {
            let (n, findings) = check_invoice_registration_number("sellerTNumber", input);
            assert_eq!(n, None, "{input}");
            assert_eq!(findings.len(), 1);
            assert_eq!(findings[0].severity, Severity::Error);
            assert_eq!(findings[0].code, "invoice_number.format");
        }
    }

    #[test]
    fn basic_pension_numbers() {
        for input in [
            "1234-567890",
            "1234567890",
            "１２３４－５６７８９０",
            "1234 567890",
        ] {
            let n = validate_basic_pension_number(input).unwrap();
            assert_eq!(n.as_str(), "1234-567890", "{input}");
            assert_eq!(n.digits(), "1234567890");
        }
        for input in ["", "123-4567890x", "123456789", "12345678901"] {
            assert_eq!(
                validate_basic_pension_number(input).unwrap_err().code(),
                "pension_number.format"
            );
        }
    }

    #[test]
    fn postal_codes() {
        for input in [
            "163-8001",
            "1638001",
            "１６３－８００１",
            "〒163-8001",
            "〒 １６３８００１",
        ] {
            assert_eq!(
                validate_postal_code(input).unwrap().as_str(),
                "163-8001",
                "{input}"
            );
        }
        for input in ["", "163-800", "163-80011", "16a-8001", "〒"] {
            assert_eq!(
                validate_postal_code(input).unwrap_err().code(),
                "postal_code.format"
            );
        }
    }

    #[test]
    fn bank_branch_and_account() {
        assert_eq!(validate_bank_code("0005").unwrap().as_str(), "0005");
        assert_eq!(validate_bank_code("０００５").unwrap().as_str(), "0005");
        for input in ["5", "005", "00055", "abcd"] {
            assert_eq!(
                validate_bank_code(input).unwrap_err().code(),
                "bank_code.format"
            );
        }
        assert_eq!(validate_branch_code("001").unwrap().as_str(), "001");
        for input in ["01", "0011", ""] {
            assert_eq!(
                validate_branch_code(input).unwrap_err().code(),
                "branch_code.format"
            );
        }
        assert_eq!(
            validate_account_number("12345").unwrap().as_str(),
            "0012345"
        );
        assert_eq!(validate_account_number("1").unwrap().as_str(), "0000001");
        assert_eq!(
            validate_account_number("1234567").unwrap().as_str(),
            "1234567"
        );
        assert_eq!(
            validate_account_number("１２３４５").unwrap().as_str(),
            "0012345"
        );
        for input in ["", "12345678", "12a45"] {
            let err = validate_account_number(input).unwrap_err();
            assert_eq!(err.code(), "account_number.format");
            assert_eq!(
                err.to_string(),
                "口座番号は7桁以内の数字で入力してください。"
            );
        }
    }

    #[test]
    fn deposit_types() {
        let table: Vec<_> = DepositType::ALL
            .iter()
            .map(|t| (t.code(), t.name_ja()))
            .collect();
        assert_eq!(
            table,
            [(1, "普通"), (2, "当座"), (4, "貯蓄"), (9, "その他")]
        );
        for t in DepositType::ALL {
            assert_eq!(DepositType::from_code(t.code()), Ok(t));
        }
        for code in [0, 3, 5, 8, 10, 255] {
            assert_eq!(
                DepositType::from_code(code).unwrap_err().code(),
                "deposit_type.unknown"
            );
        }
    }

    #[test]
    fn yucho_savings_account() {
        let a = yucho_to_zengin("10180", "12345671").unwrap();
        assert_eq!(a.bank_code.as_str(), YUCHO_BANK_CODE);
        assert_eq!(a.branch_code.as_str(), "018");
        assert_eq!(a.deposit_type, DepositType::Futsu);
        assert_eq!(a.account_number.as_str(), "1234567");
        // Shorter 番号 are zero-filled after dropping the trailing 1.
        let a = yucho_to_zengin("１３９５０", "2468101").unwrap();
        assert_eq!(a.branch_code.as_str(), "398");
        assert_eq!(a.account_number.as_str(), "0246810");
        assert_eq!(
            serde_json::to_value(&a).unwrap(),
            serde_json::json!({
                "bankCode": "9900",
                "branchCode": "398",
                "depositType": "futsu",
                "accountNumber": "0246810"
            })
        );
    }

    #[test]
    fn yucho_transfer_account() {
        let a = yucho_to_zengin("00120", "123456").unwrap();
        assert_eq!(a.branch_code.as_str(), "019");
        assert_eq!(a.deposit_type, DepositType::Toza);
        assert_eq!(a.account_number.as_str(), "0123456");
        let a = yucho_to_zengin("01234", "5").unwrap();
        assert_eq!(a.branch_code.as_str(), "129");
        assert_eq!(a.account_number.as_str(), "0000005");
    }

    #[test]
    fn yucho_errors() {
        for kigo in ["", "1018", "101800", "20180", "9018a"] {
            assert_eq!(
                yucho_to_zengin(kigo, "12345671").unwrap_err(),
                IdError::YuchoKigoFormat,
                "{kigo}"
            );
        }
        // 通常貯金: 番号 must end in 1 and be at most 8 digits.
        for bango in ["", "1", "12345670", "123456781", "1234a671"] {
            assert_eq!(
                yucho_to_zengin("10180", bango).unwrap_err(),
                IdError::YuchoSavingsBangoFormat,
                "{bango}"
            );
        }
        // 振替口座: 番号 at most 6 digits.
        for bango in ["", "1234567", "12a4"] {
            assert_eq!(
                yucho_to_zengin("00120", bango).unwrap_err(),
                IdError::YuchoTransferBangoFormat,
                "{bango}"
            );
        }
    }

    #[test]
    fn every_message_says_what_to_do() {
        let all = [
            IdError::MyNumberFormat,
            IdError::MyNumberCheckDigit,
            IdError::CorporateNumberFormat,
            IdError::CorporateNumberCheckDigit,
            IdError::InvoiceNumberFormat,
            IdError::InvoiceNumberCheckDigit,
            IdError::PensionNumberFormat,
            IdError::PostalCodeFormat,
            IdError::BankCodeFormat,
            IdError::BranchCodeFormat,
            IdError::AccountNumberFormat,
            IdError::DepositTypeUnknown,
            IdError::YuchoKigoFormat,
            IdError::YuchoSavingsBangoFormat,
            IdError::YuchoTransferBangoFormat,
        ];
        let mut codes: Vec<_> = all.iter().map(IdError::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len(), "codes are unique");
        for e in all {
            let m = e.to_string();
            assert!(m.ends_with('。'), "{m}");
            assert!(m.contains("ください") || m.contains("確認"), "{m}");
        }
    }

    fn digits(len: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(0u8..10, len)
            .prop_map(|v| v.into_iter().map(|d| char::from(b'0' + d)).collect())
    }

    /// `s` with the digit at `pos` replaced by a different digit.
    fn change_digit(s: &str, pos: usize, bump: u8) -> String {
        s.char_indices()
            .map(|(i, c)| {
                if i == pos {
                    let d = c.to_digit(10).unwrap() as u8;
                    char::from(b'0' + (d + bump) % 10)
                } else {
                    c
                }
            })
            .collect()
    }

    fn my_number_remainder(first11: &str) -> u32 {
        digit_values(first11)
            .rev()
            .zip(1u32..)
            .map(|(p, n)| p * if n <= 6 { n + 1 } else { n - 5 })
            .sum::<u32>()
            % 11
    }

    proptest! {
        #[test]
        fn computed_my_number_check_digit_validates(body in digits(11)) {
            let check = my_number_check_digit(&body).unwrap();
            let number = format!("{body}{check}");
            let valid = validate_my_number(&number).unwrap();
            prop_assert_eq!(valid.expose(), number.as_str());
        }

        /// Every single-digit change is caught, except the scheme's one blind spot: a change
        /// that moves the remainder between 0 and 1, both of which give check digit 0.
        #[test]
        fn single_digit_change_of_my_number(body in digits(11), pos in 0usize..12, bump in 1u8..10) {
            let number = format!("{body}{}", my_number_check_digit(&body).unwrap());
            let changed = change_digit(&number, pos, bump);
            let blind_spot = pos < 11
                && my_number_remainder(&body) <= 1
                && my_number_remainder(&changed[..11]) <= 1;
            prop_assert_eq!(validate_my_number(&changed).is_ok(), blind_spot);
            if !blind_spot {
                prop_assert_eq!(validate_my_number(&changed).unwrap_err(), IdError::MyNumberCheckDigit);
            }
        }

        #[test]
        fn computed_corporate_check_digit_validates(base in digits(12)) {
            let number = format!("{}{base}", corporate_number_check_digit(&base).unwrap());
            prop_assert!(validate_corporate_number(&number).is_ok());
            let (n, findings) = check_invoice_registration_number("f", &format!("T{number}"));
            prop_assert_eq!(n, Some(format!("T{number}")));
            prop_assert!(findings.is_empty());
        }

        /// Every single-digit change is caught, except 0 ↔ 9 in the 12 base digits
        /// (a change of 9 or 18 leaves the sum modulo 9 as it was).
        #[test]
        fn single_digit_change_of_corporate_number(base in digits(12), pos in 0usize..13, bump in 1u8..10) {
            let number = format!("{}{base}", corporate_number_check_digit(&base).unwrap());
            let changed = change_digit(&number, pos, bump);
            let blind_spot = pos > 0
                && matches!((&number[pos..=pos], &changed[pos..=pos]), ("0", "9") | ("9", "0"));
            prop_assert_eq!(validate_corporate_number(&changed).is_ok(), blind_spot);
        }

        #[test]
        fn account_numbers_are_always_seven_digits(n in 0u32..10_000_000) {
            let a = validate_account_number(&n.to_string()).unwrap();
            prop_assert_eq!(a.as_str().len(), 7);
            prop_assert_eq!(a.as_str().parse::<u32>().unwrap(), n);
        }
    }
}
