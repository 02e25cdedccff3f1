//! The 全銀 bank and branch master: 金融機関コード, 支店コード, their names and the
//! half-width kana names the 総合振込 file carries.
//!
//! The data is the public zengin-code data set (npm package `zengin-code`, MIT), shipped in
//! `crates/domain/data/zengin/` and embedded at build time; `scripts/update-bank-data`
//! regenerates it, and the folder's README names the version and the licence. Nothing is
//! fetched at run time, so a branch opened after the shipped version is unknown until the
//! data is updated: [`BankMaster::version`] says which version the app has.
//!
//! The kana in the data are already in the 全銀 form (half-width, JIS X 0201, small kana made
//! large), so they go into the file as they are.

use std::sync::OnceLock;

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use super::zengin::halfwidth_lenient;
use crate::finding::Finding;
use crate::ids::{BankAccount, DepositType, YUCHO_BANK_CODE};

/// A bank (金融機関).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bank {
    /// 金融機関コード, 4 digits.
    pub code: String,
    /// Name as the data set gives it, without 「銀行」 (「みずほ」, 「朝日信金」).
    pub name: String,
    /// Half-width kana name in the 全銀 form (「ﾐｽﾞﾎ」).
    pub kana: String,
}

/// A branch (支店) of a bank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Branch {
    /// 金融機関コード of its bank.
    pub bank_code: String,
    /// 支店コード, 3 digits.
    pub code: String,
    /// Name as the data set gives it, without 「支店」 (「東京営業部」, 「新宿」).
    pub name: String,
    /// Half-width kana name in the 全銀 form (「ﾄｳｷﾖｳ」).
    pub kana: String,
}

/// A line of the shipped data that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bank data {file}: line {line} is malformed")]
pub struct BankDataError {
    /// `"banks.tsv"` or `"branches.tsv"`.
    pub file: &'static str,
    /// 1-based line number.
    pub line: usize,
}

/// The bank and branch master, sorted by code.
#[derive(Debug, Clone)]
pub struct BankMaster {
    version: String,
    banks: Vec<Bank>,
    /// Branches of `banks[i]`, sorted by code.
    branches: Vec<Vec<Branch>>,
    /// Folded names of `banks[i]` for searching.
    bank_keys: Vec<String>,
    /// Folded names of `branches[i][j]` for searching.
    branch_keys: Vec<Vec<String>>,
}

const VERSION: &str = include_str!("../../data/zengin/VERSION");
const BANKS_TSV: &str = include_str!("../../data/zengin/banks.tsv");
const BRANCHES_TSV: &str = include_str!("../../data/zengin/branches.tsv");

/// Name for searching: NFKC, hiragana to katakana, ASCII upper case.
fn fold_name(s: &str) -> String {
    s.nfkc()
        .map(|c| match c {
            '\u{3041}'..='\u{3096}' => char::from_u32(u32::from(c) + 0x60).unwrap_or(c),
            _ => c.to_ascii_uppercase(),
        })
        .collect()
}

/// Data rows of a TSV file: without `#` comments and the column header.
fn rows(text: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .map(|(i, l)| (i + 1, l.split('\t').collect()))
}

fn is_code(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit())
}

/// A code as typed (full-width digits, spaces) to its ASCII digits.
fn code_digits(s: &str) -> String {
    s.nfkc().filter(|c| !c.is_whitespace()).collect()
}

/// How well an entry matches a query: lower is better.
fn rank(code: &str, name: &str, kana: &str, q: &Query) -> Option<u8> {
    if q.digits {
        return code
            .starts_with(&q.code)
            .then_some(if code == q.code { 0 } else { 1 });
    }
    let names = q.names.iter();
    let kanas = q.kanas.iter().filter(|k| !k.is_empty());
    if q.names.iter().any(|n| n == name) || q.kanas.iter().any(|k| k == kana) {
        Some(0)
    } else if names.clone().any(|n| name.starts_with(n.as_str()))
        || kanas.clone().any(|k| kana.starts_with(k.as_str()))
    {
        Some(1)
    } else if names.clone().any(|n| name.contains(n.as_str())) {
        Some(2)
    } else {
        None
    }
}

/// A search query in the forms it is compared in.
struct Query {
    digits: bool,
    code: String,
    /// Folded name variants (as typed, and with 「銀行」 / 「支店」 etc. shortened).
    names: Vec<String>,
    /// Half-width kana variants.
    kanas: Vec<String>,
}

impl Query {
    /// `replacements`: (long form, short form as the data set writes it).
    fn new(query: &str, replacements: &[(&str, &str)]) -> Option<Query> {
        let code = code_digits(query);
        if code.is_empty() {
            return None;
        }
        if code.bytes().all(|b| b.is_ascii_digit()) {
            return Some(Query {
                digits: true,
                code,
                names: Vec::new(),
                kanas: Vec::new(),
            });
        }
        let folded = fold_name(query.trim());
        let mut names = vec![folded.clone()];
        let mut short = folded;
        for (long, to) in replacements {
            short = short.replace(long, to);
        }
        if !short.is_empty() && !names.contains(&short) {
            names.push(short);
        }
        let kanas = names.iter().map(|n| halfwidth_lenient(n)).collect();
        Some(Query {
            digits: false,
            code: String::new(),
            names,
            kanas,
        })
    }
}

/// How the data set shortens bank names (it drops 「銀行」).
const BANK_QUERY_FORMS: &[(&str, &str)] = &[
    ("銀行", ""),
    ("ギンコウ", ""),
    ("信用金庫", "信金"),
    ("信用組合", "信組"),
    ("労働金庫", "労金"),
    ("農業協同組合", "農協"),
];

/// How the data set shortens branch names (it drops 「支店」).
const BRANCH_QUERY_FORMS: &[(&str, &str)] = &[("支店", ""), ("シテン", "")];

impl BankMaster {
    /// The master shipped with the app (zengin-code, see `data/zengin/README.md`), read once.
    pub fn builtin() -> &'static BankMaster {
        static MASTER: OnceLock<BankMaster> = OnceLock::new();
        MASTER.get_or_init(|| {
            // The shipped files are checked by a test; an unreadable build gets an empty
            // master, under which every code is reported unknown rather than a crash.
            BankMaster::from_tsv(VERSION.trim(), BANKS_TSV, BRANCHES_TSV).unwrap_or_else(|_| {
                BankMaster {
                    version: format!("{} (読込失敗)", VERSION.trim()),
                    banks: Vec::new(),
                    branches: Vec::new(),
                    bank_keys: Vec::new(),
                    branch_keys: Vec::new(),
                }
            })
        })
    }

    /// Reads a master from the two TSV files in the format of `data/zengin/` (`#` comment
    /// lines, a header line, then `code name kana` and `bank branch name kana` rows; kana
    /// already half-width).
    pub fn from_tsv(version: &str, banks: &str, branches: &str) -> Result<Self, BankDataError> {
        let mut list: Vec<Bank> = Vec::new();
        for (line, cols) in rows(banks) {
            match cols.as_slice() {
                [code, name, kana] if is_code(code, 4) => list.push(Bank {
                    code: (*code).to_owned(),
                    name: (*name).to_owned(),
                    kana: (*kana).to_owned(),
                }),
                _ => {
                    return Err(BankDataError {
                        file: "banks.tsv",
                        line,
                    })
                }
            }
        }
        list.sort_by(|a, b| a.code.cmp(&b.code));
        list.dedup_by(|a, b| a.code == b.code);
        let mut per_bank: Vec<Vec<Branch>> = vec![Vec::new(); list.len()];
        for (line, cols) in rows(branches) {
            let err = BankDataError {
                file: "branches.tsv",
                line,
            };
            let [bank, code, name, kana] = cols.as_slice() else {
                return Err(err);
            };
            let Ok(i) = list.binary_search_by(|b| b.code.as_str().cmp(bank)) else {
                return Err(err);
            };
            if !is_code(code, 3) {
                return Err(err);
            }
            if let Some(v) = per_bank.get_mut(i) {
                v.push(Branch {
                    bank_code: (*bank).to_owned(),
                    code: (*code).to_owned(),
                    name: (*name).to_owned(),
                    kana: (*kana).to_owned(),
                });
            }
        }
        for v in &mut per_bank {
            v.sort_by(|a, b| a.code.cmp(&b.code));
            v.dedup_by(|a, b| a.code == b.code);
        }
        Ok(BankMaster {
            version: version.to_owned(),
            bank_keys: list.iter().map(|b| fold_name(&b.name)).collect(),
            branch_keys: per_bank
                .iter()
                .map(|v| v.iter().map(|b| fold_name(&b.name)).collect())
                .collect(),
            banks: list,
            branches: per_bank,
        })
    }

    /// The data set's version, e.g. 「1.0.0-p20260824」 (the date is that of the data).
    pub fn version(&self) -> &str {
        &self.version
    }

    fn bank_index(&self, code: &str) -> Option<usize> {
        let code = if is_code(code, 4) {
            code.to_owned()
        } else {
            code_digits(code)
        };
        self.banks
            .binary_search_by(|b| b.code.as_str().cmp(code.as_str()))
            .ok()
    }

    /// All banks, sorted by code.
    pub fn banks(&self) -> &[Bank] {
        &self.banks
    }

    /// All branches of a bank, sorted by code (empty for an unknown bank).
    pub fn branches_of(&self, bank: &str) -> &[Branch] {
        self.bank_index(bank)
            .and_then(|i| self.branches.get(i))
            .map_or(&[], Vec::as_slice)
    }

    /// The bank with this 金融機関コード (full-width digits accepted).
    pub fn bank(&self, code: &str) -> Option<&Bank> {
        self.bank_index(code).and_then(|i| self.banks.get(i))
    }

    /// The branch with this 支店コード of this bank (full-width digits accepted).
    pub fn branch(&self, bank: &str, branch: &str) -> Option<&Branch> {
        let branch = code_digits(branch);
        let list = self.branches_of(bank);
        list.binary_search_by(|b| b.code.as_str().cmp(branch.as_str()))
            .ok()
            .and_then(|i| list.get(i))
    }

    /// Banks for a search box: by code prefix when the query is digits, otherwise by name
    /// or kana — exact matches first, then prefixes, then names containing the query; code
    /// order within each. Full-width/half-width, hiragana/katakana and small/large kana do
    /// not matter, and 「銀行」「信用金庫」 etc. are matched to the data set's short names
    /// (「みずほ銀行」 finds 「みずほ」). An empty query finds nothing.
    pub fn search_banks(&self, query: &str, limit: usize) -> Vec<&Bank> {
        let Some(q) = Query::new(query, BANK_QUERY_FORMS) else {
            return Vec::new();
        };
        let mut hits: Vec<(u8, &Bank)> = self
            .banks
            .iter()
            .zip(&self.bank_keys)
            .filter_map(|(b, key)| rank(&b.code, key, &b.kana, &q).map(|r| (r, b)))
            .collect();
        hits.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.code.cmp(&b.1.code)));
        hits.into_iter().take(limit).map(|(_, b)| b).collect()
    }

    /// Branches of one bank for a search box, like [`BankMaster::search_banks`] (「新宿支店」
    /// finds 「新宿」). An unknown bank or an empty query finds nothing.
    pub fn search_branches(&self, bank: &str, query: &str, limit: usize) -> Vec<&Branch> {
        let Some(q) = Query::new(query, BRANCH_QUERY_FORMS) else {
            return Vec::new();
        };
        let Some(i) = self.bank_index(bank) else {
            return Vec::new();
        };
        let (Some(list), Some(keys)) = (self.branches.get(i), self.branch_keys.get(i)) else {
            return Vec::new();
        };
        let mut hits: Vec<(u8, &Branch)> = list
            .iter()
            .zip(keys)
            .filter_map(|(b, key)| rank(&b.code, key, &b.kana, &q).map(|r| (r, b)))
            .collect();
        hits.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.code.cmp(&b.1.code)));
        hits.into_iter().take(limit).map(|(_, b)| b).collect()
    }
}

/// Checks an account against the master: the bank and the branch must exist, and a
/// ゆうちょ銀行 (9900) 店番 must end in 8 (普通, from a 記号 1xxxx) or 9 (当座, from a 記号
/// 0xxxx) and agree with the 預金種目.
///
/// Fields are named `{field_prefix}bankCode`, `{field_prefix}branchCode` and
/// `{field_prefix}depositType`: pass `"account."` to get `"account.bankCode"`.
pub fn check_account(
    field_prefix: &str,
    account: &BankAccount,
    master: &BankMaster,
) -> Vec<Finding> {
    check_codes(
        field_prefix,
        account.bank_code.as_str(),
        account.branch_code.as_str(),
        Some(account.deposit_type),
        master,
    )
}

/// [`check_account`] on codes already checked for their form; the ゆうちょ 預金種目 rule is
/// skipped when `deposit` is unknown.
pub(crate) fn check_codes(
    field_prefix: &str,
    bank_code: &str,
    branch_code: &str,
    deposit: Option<DepositType>,
    master: &BankMaster,
) -> Vec<Finding> {
    let field = |name: &str| format!("{field_prefix}{name}");
    let Some(bank) = master.bank(bank_code) else {
        return vec![Finding::error(
            field("bankCode"),
            "bank.unknown",
            format!(
                "金融機関コード「{bank_code}」は金融機関の一覧（{}版）にありません。コードを確認してください。",
                master.version()
            ),
        )];
    };
    if bank.code == YUCHO_BANK_CODE {
        let expected = match branch_code.as_bytes().last() {
            Some(b'8') => DepositType::Futsu,
            Some(b'9') => DepositType::Toza,
            _ => {
                return vec![Finding::error(
                    field("branchCode"),
                    "bank.yucho_branch",
                    format!(
                        "ゆうちょ銀行の店番は末尾が「8」（普通）か「9」（当座）です（「{branch_code}」になっています）。通帳の記号・番号から変換した店番を入力してください。"
                    ),
                )];
            }
        };
        let mut findings = Vec::new();
        if master.branch(&bank.code, branch_code).is_none() {
            findings.push(unknown_branch(field("branchCode"), bank, branch_code));
        }
        if let Some(d) = deposit.filter(|d| *d != expected) {
            findings.push(Finding::error(
                field("depositType"),
                "bank.yucho_deposit_type",
                format!(
                    "ゆうちょ銀行の店番「{branch_code}」は{}の口座です（{}になっています）。預金種目を「{}」にしてください。",
                    expected.name_ja(),
                    d.name_ja(),
                    expected.name_ja()
                ),
            ));
        }
        return findings;
    }
    if master.branch(&bank.code, branch_code).is_none() {
        return vec![unknown_branch(field("branchCode"), bank, branch_code)];
    }
    Vec::new()
}

fn unknown_branch(field: String, bank: &Bank, branch_code: &str) -> Finding {
    Finding::error(
        field,
        "bank.branch_unknown",
        format!(
            "{}（{}）に支店コード「{branch_code}」の支店はありません。支店コードを確認してください。",
            bank.name, bank.code
        ),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::finding::{has_errors, Severity};
    use crate::ids::{
        validate_account_number, validate_bank_code, validate_branch_code, yucho_to_zengin,
    };
    use crate::procurement::zengin::is_zengin_char;

    fn account(bank: &str, branch: &str, deposit: DepositType) -> BankAccount {
        BankAccount {
            bank_code: validate_bank_code(bank).unwrap(),
            branch_code: validate_branch_code(branch).unwrap(),
            deposit_type: deposit,
            account_number: validate_account_number("1234567").unwrap(),
        }
    }

    #[test]
    fn shipped_data_reads_completely() {
        let m = BankMaster::from_tsv(VERSION.trim(), BANKS_TSV, BRANCHES_TSV).unwrap();
        let data_lines = |t: &str| t.lines().filter(|l| !l.starts_with('#')).count() - 1;
        assert_eq!(m.banks().len(), data_lines(BANKS_TSV));
        let branches: usize = m.banks().iter().map(|b| m.branches_of(&b.code).len()).sum();
        assert_eq!(branches, data_lines(BRANCHES_TSV));
        assert!(m.banks().len() > 1000, "{}", m.banks().len());
        assert!(branches > 25_000, "{branches}");
        assert_eq!(BankMaster::builtin().banks().len(), m.banks().len());
        assert_eq!(BankMaster::builtin().version(), "1.0.0-p20260824");
    }

    /// Every kana name can go into the 全銀 file as it is.
    #[test]
    fn shipped_kana_are_in_the_zengin_set() {
        let m = BankMaster::builtin();
        for b in m.banks() {
            assert!(
                !b.kana.is_empty() && b.kana.chars().all(is_zengin_char),
                "{b:?}"
            );
            for br in m.branches_of(&b.code) {
                assert!(
                    !br.kana.is_empty() && br.kana.chars().all(is_zengin_char),
                    "{br:?}"
                );
                assert_eq!(br.bank_code, b.code);
            }
        }
    }

    #[test]
    fn lookups() {
        let m = BankMaster::builtin();
        let mizuho = m.bank("0001").unwrap();
        assert_eq!(mizuho.name, "みずほ");
        assert_eq!(mizuho.kana, "ﾐｽﾞﾎ");
        assert_eq!(m.bank("０００１").unwrap().code, "0001");
        assert_eq!(m.bank("0005").unwrap().kana, "ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ");
        assert_eq!(m.bank("0005").unwrap().name, "三菱UFJ");
        let b = m.branch("0001", "001").unwrap();
        assert_eq!((b.name.as_str(), b.kana.as_str()), ("東京営業部", "ﾄｳｷﾖｳ"));
        assert_eq!(m.branch("9900", "018").unwrap().kana, "ｾﾞﾛｲﾁﾊﾁ");
        assert!(m.bank("0002").is_none());
        assert!(m.bank("").is_none());
        assert!(m.branch("0001", "999").is_none());
        assert!(m.branch("0002", "001").is_none());
        assert!(m.branches_of("0002").is_empty());
    }

    #[test]
    fn search_banks_by_code_name_and_kana() {
        let m = BankMaster::builtin();
        let codes = |v: Vec<&Bank>| v.into_iter().map(|b| b.code.clone()).collect::<Vec<_>>();
        assert_eq!(codes(m.search_banks("0001", 5)), ["0001"]);
        assert_eq!(codes(m.search_banks("０００５", 5)), ["0005"]);
        let prefix = m.search_banks("000", 100);
        assert!(prefix.iter().all(|b| b.code.starts_with("000")));
        assert_eq!(prefix.first().unwrap().code, "0001");
        assert_eq!(codes(m.search_banks("みずほ", 1)), ["0001"]);
        assert_eq!(codes(m.search_banks("みずほ銀行", 1)), ["0001"]);
        assert_eq!(codes(m.search_banks("ミズホ", 1)), ["0001"]);
        assert_eq!(codes(m.search_banks("ﾐｽﾞﾎ", 1)), ["0001"]);
        assert_eq!(codes(m.search_banks("三菱ＵＦＪ", 1)), ["0005"]);
        assert_eq!(codes(m.search_banks("三菱ufj銀行", 1)), ["0005"]);
        assert_eq!(codes(m.search_banks("みつびしゆーえふ", 1)), ["0005"]);
        assert_eq!(codes(m.search_banks("ゆうちょ", 1)), ["9900"]);
        // Small kana are large in the data set (ﾕｳﾁﾖ).
        assert_eq!(codes(m.search_banks("ユウチョ", 1)), ["9900"]);
        // 信用金庫 is 信金 in the data set.
        let shinkin = m.search_banks("北海道信用金庫", 3);
        assert_eq!(shinkin.first().unwrap().name, "北海道信金");
        // Names containing the query come after prefixes.
        let ufj = m.search_banks("UFJ", 5);
        assert_eq!(ufj.first().unwrap().code, "0005");
        assert!(m.search_banks("", 5).is_empty());
        assert!(m.search_banks("   ", 5).is_empty());
        assert!(m.search_banks("存在しない銀行名", 5).is_empty());
        assert_eq!(m.search_banks("信金", 3).len(), 3);
    }

    #[test]
    fn search_branches() {
        let m = BankMaster::builtin();
        let codes = |v: Vec<&Branch>| v.into_iter().map(|b| b.code.clone()).collect::<Vec<_>>();
        assert_eq!(codes(m.search_branches("0001", "001", 5)), ["001"]);
        assert_eq!(codes(m.search_branches("0001", "東京営業部", 1)), ["001"]);
        let tokyo = m.search_branches("0001", "とうきょう", 50);
        assert!(tokyo.iter().any(|b| b.code == "001"), "{tokyo:?}");
        assert!(
            tokyo.iter().all(|b| b.kana.starts_with("ﾄｳｷﾖｳ")),
            "{tokyo:?}"
        );
        let shinjuku = m.search_branches("0001", "新宿支店", 5);
        assert_eq!(shinjuku.first().unwrap().name, "新宿");
        assert_eq!(codes(m.search_branches("9900", "〇一八", 1)), ["018"]);
        assert!(m.search_branches("0002", "001", 5).is_empty());
        assert!(m.search_branches("0001", "", 5).is_empty());
    }

    #[test]
    fn known_accounts_pass() {
        let m = BankMaster::builtin();
        assert!(
            check_account("account.", &account("0001", "001", DepositType::Futsu), m).is_empty()
        );
        let yucho = yucho_to_zengin("10180", "12345671").unwrap();
        assert!(check_account("account.", &yucho, m).is_empty());
        let yucho_toza = yucho_to_zengin("00120", "123456").unwrap();
        assert!(check_account("", &yucho_toza, m).is_empty());
    }

    #[test]
    fn unknown_bank_and_branch() {
        let m = BankMaster::builtin();
        let f = check_account("account.", &account("0002", "001", DepositType::Futsu), m);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].field, "account.bankCode");
        assert_eq!(f[0].code, "bank.unknown");
        assert_eq!(f[0].severity, Severity::Error);
        assert!(f[0].message.contains("「0002」"), "{}", f[0].message);
        let f = check_account("account.", &account("0001", "999", DepositType::Futsu), m);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].field, "account.branchCode");
        assert_eq!(f[0].code, "bank.branch_unknown");
        assert_eq!(
            f[0].message,
            "みずほ（0001）に支店コード「999」の支店はありません。支店コードを確認してください。"
        );
    }

    #[test]
    fn yucho_branch_rules() {
        let m = BankMaster::builtin();
        // 店番 must end in 8 or 9.
        let f = check_account("", &account("9900", "010", DepositType::Futsu), m);
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].field.as_str(), f[0].code),
            ("branchCode", "bank.yucho_branch")
        );
        // 8 is 普通.
        let f = check_account("", &account("9900", "018", DepositType::Toza), m);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].code, "bank.yucho_deposit_type");
        assert_eq!(f[0].field, "depositType");
        assert!(
            f[0].message.contains("「普通」にしてください"),
            "{}",
            f[0].message
        );
        // 9 is 当座.
        let f = check_account("", &account("9900", "019", DepositType::Futsu), m);
        assert_eq!(f[0].code, "bank.yucho_deposit_type");
        assert!(f[0].message.contains("「当座」にしてください"));
        assert!(check_account("", &account("9900", "019", DepositType::Toza), m).is_empty());
        // A well-formed but unknown 店番, and a wrong type: both reported.
        let f = check_account("", &account("9900", "158", DepositType::Toza), m);
        assert!(has_errors(&f));
        let codes: Vec<_> = f.iter().map(|f| f.code).collect();
        assert_eq!(codes, ["bank.branch_unknown", "bank.yucho_deposit_type"]);
    }

    #[test]
    fn malformed_data_is_refused() {
        let banks = "# c\ncode\tname\tkana\n0001\tみずほ\tﾐｽﾞﾎ\n";
        let ok = BankMaster::from_tsv(
            "t",
            banks,
            "bank\tbranch\tname\tkana\n0001\t001\t東京\tﾄｳｷﾖｳ\n",
        )
        .unwrap();
        assert_eq!(ok.branch("0001", "001").unwrap().name, "東京");
        assert_eq!(ok.version(), "t");
        let err = BankMaster::from_tsv("t", "code\tname\tkana\n01\tx\tx\n", "h\n").unwrap_err();
        assert_eq!((err.file, err.line), ("banks.tsv", 2));
        let err = BankMaster::from_tsv("t", banks, "h\n0001\t001\t東京\tﾄｳｷﾖｳ\n0009\t001\tx\tx\n")
            .unwrap_err();
        assert_eq!((err.file, err.line), ("branches.tsv", 3));
    }
}
