//! 契約相手方 (vendors): name and フリガナ, 法人番号, 適格請求書発行事業者登録番号, the
//! account payments go to, and the contact.
//!
//! The record keeps what the clerk typed (strings, so a half-filled form loads and saves as
//! it is); [`check_vendor`] reports what is wrong field by field, and [`normalized_vendor`]
//! gives the stored form (half-width digits, zero-filled codes, the 全銀 form of the account
//! holder's name).

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use super::banks::{check_account, BankMaster};
use super::zengin::normalize_payee_name;
use crate::finding::{Finding, Severity};
use crate::ids::{
    check_invoice_registration_number, validate_account_number, validate_bank_code,
    validate_branch_code, validate_corporate_number, validate_postal_code, BankAccount,
    DepositType,
};
use crate::kana::{check_kana_name, normalize_name};

/// A 契約相手方.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Vendor {
    /// Name as registered (「株式会社ヤマダ商事」).
    pub name: String,
    /// フリガナ in katakana (「カブシキガイシャヤマダショウジ」).
    pub name_kana: String,
    /// 法人番号 (13 digits), for corporations.
    pub corporate_number: Option<String>,
    /// 適格請求書発行事業者登録番号 (「T」 + 13 digits), when registered.
    pub invoice_registration: Option<String>,
    /// The account payments go to.
    pub account: Option<VendorAccount>,
    /// Who to contact.
    pub contact: Contact,
}

/// A vendor's bank account, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VendorAccount {
    /// 金融機関コード (4 digits).
    pub bank_code: String,
    /// 支店コード (3 digits; ゆうちょ: the 店番 from [`crate::ids::yucho_to_zengin`]).
    pub branch_code: String,
    /// 預金種目: 1 普通, 2 当座, 4 貯蓄, 9 その他 (0: not chosen yet).
    pub deposit_type: u8,
    /// 口座番号 (up to 7 digits).
    pub account_number: String,
    /// 口座名義 in kana, as in the passbook; must convert to a 全銀 受取人名.
    pub holder_kana: String,
}

impl VendorAccount {
    /// Whether nothing has been entered.
    pub fn is_blank(&self) -> bool {
        self.bank_code.trim().is_empty()
            && self.branch_code.trim().is_empty()
            && self.deposit_type == 0
            && self.account_number.trim().is_empty()
            && self.holder_kana.trim().is_empty()
    }
}

/// A vendor's contact; every field may be empty.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Contact {
    /// 担当者.
    pub person: String,
    /// 電話番号.
    pub phone: String,
    /// メールアドレス.
    pub email: String,
    /// 郵便番号.
    pub postal_code: String,
    /// 住所.
    pub address: String,
}

fn filled(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn nfkc_trim(s: &str) -> String {
    s.nfkc().collect::<String>().trim().to_owned()
}

/// A light check of an e-mail address: one 「@」, something before it, a domain with a dot.
fn email_looks_valid(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !email.chars().any(char::is_whitespace)
}

/// Checks a vendor as typed. Fields: `name`, `nameKana`, `corporateNumber`,
/// `invoiceRegistration`, `account.bankCode`, `account.branchCode`, `account.depositType`,
/// `account.accountNumber`, `account.holderKana`, `contact.email`, `contact.postalCode`.
///
/// - name and フリガナ are required; the フリガナ must be katakana;
/// - 法人番号 and 登録番号 are optional, checked with their check digits (a 登録番号 whose
///   digits fail the check is a warning); when both are given and the 登録番号's digits are
///   not the 法人番号, a warning (a corporation's number is 「T」 + its 法人番号);
/// - an account (unless left wholly blank) needs every field: the codes must be in the bank
///   master, ゆうちょ 店番 must match the 預金種目, and the 口座名義 must convert to a 全銀
///   受取人名 ([`normalize_payee_name`]; the error names the character that cannot);
/// - e-mail and 郵便番号 are checked when given.
pub fn check_vendor(v: &Vendor, master: &BankMaster) -> Vec<Finding> {
    let mut findings = Vec::new();
    if v.name.trim().is_empty() {
        findings.push(Finding::error(
            "name",
            "vendor.name_required",
            "契約相手方の名称を入力してください。",
        ));
    }
    findings.extend(check_kana_name("nameKana", &v.name_kana).1);

    let corporate = filled(&v.corporate_number).and_then(|s| {
        validate_corporate_number(s)
            .map_err(|e| findings.push(Finding::from_error("corporateNumber", &e)))
            .ok()
    });
    if let Some(input) = filled(&v.invoice_registration) {
        let (number, f) = check_invoice_registration_number("invoiceRegistration", input);
        findings.extend(f);
        if let (Some(number), Some(corporate)) = (number, &corporate) {
            if number.get(1..) != Some(corporate.as_str()) {
                findings.push(Finding::warning(
                    "invoiceRegistration",
                    "vendor.invoice_corporate_mismatch",
                    "登録番号の数字が法人番号と一致しません。法人の登録番号は「T」＋法人番号です。請求書や公表サイトで確認してください。",
                ));
            }
        }
    }

    if let Some(account) = v.account.as_ref().filter(|a| !a.is_blank()) {
        findings.extend(check_vendor_account(account, master));
    }

    let email = nfkc_trim(&v.contact.email);
    if !email.is_empty() && !email_looks_valid(&email) {
        findings.push(Finding::error(
            "contact.email",
            "vendor.email_format",
            "メールアドレスの形式が正しくありません。「keiyaku@example.co.jp」のように入力してください。",
        ));
    }
    if !v.contact.postal_code.trim().is_empty() {
        if let Err(e) = validate_postal_code(&v.contact.postal_code) {
            findings.push(Finding::from_error("contact.postalCode", &e));
        }
    }
    findings
}

pub fn check_vendor_account(a: &VendorAccount, master: &BankMaster) -> Vec<Finding> {
    let mut findings = Vec::new();
    let required = |field: &str, what: &str| {
        Finding::error(
            field,
            "vendor.account_field_required",
            format!("振込先の{what}を入力してください。"),
        )
    };
    let bank = if a.bank_code.trim().is_empty() {
        findings.push(required("account.bankCode", "金融機関コード"));
        None
    } else {
        validate_bank_code(&a.bank_code)
            .map_err(|e| findings.push(Finding::from_error("account.bankCode", &e)))
            .ok()
    };
    let branch = if a.branch_code.trim().is_empty() {
        findings.push(required("account.branchCode", "支店コード"));
        None
    } else {
        validate_branch_code(&a.branch_code)
            .map_err(|e| findings.push(Finding::from_error("account.branchCode", &e)))
            .ok()
    };
    let deposit = if a.deposit_type == 0 {
        findings.push(required("account.depositType", "預金種目"));
        None
    } else {
        DepositType::from_code(a.deposit_type)
            .map_err(|e| findings.push(Finding::from_error("account.depositType", &e)))
            .ok()
    };
    let number = if a.account_number.trim().is_empty() {
        findings.push(required("account.accountNumber", "口座番号"));
        None
    } else {
        validate_account_number(&a.account_number)
            .map_err(|e| findings.push(Finding::from_error("account.accountNumber", &e)))
            .ok()
    };
    if let (Some(bank_code), Some(branch_code), Some(deposit_type), Some(account_number)) =
        (bank, branch, deposit, number)
    {
        let account = BankAccount {
            bank_code,
            branch_code,
            deposit_type,
            account_number,
        };
        findings.extend(check_account("account.", &account, master));
    }
    if a.holder_kana.trim().is_empty() {
        findings.push(Finding::error(
            "account.holderKana",
            "vendor.holder_kana_required",
            "口座名義（カナ）を入力してください。通帳のとおりに入力します。",
        ));
    } else if let Err(e) = normalize_payee_name(&a.holder_kana) {
        findings.push(Finding {
            field: "account.holderKana".to_owned(),
            code: e.code,
            severity: Severity::Error,
            message: e.message,
        });
    }
    findings
}

/// The stored form of a vendor: names trimmed with one full-width space between parts,
/// フリガナ in full-width katakana, 法人番号 / 登録番号 / codes in half-width digits (codes
/// and the 口座番号 zero-filled), the 口座名義 in the 全銀 half-width form, 郵便番号 as
/// 「163-8001」, e-mail and phone NFKC. A value that does not pass its check is kept as
/// typed (trimmed), so nothing the clerk entered is lost; empty options become `None` and a
/// wholly blank account is dropped.
pub fn normalized_vendor(v: &Vendor) -> Vendor {
    let corporate_number = filled(&v.corporate_number).map(|s| {
        validate_corporate_number(s).map_or_else(|_| s.to_owned(), |n| n.as_str().to_owned())
    });
    let invoice_registration = filled(&v.invoice_registration).map(|s| {
        check_invoice_registration_number("invoiceRegistration", s)
            .0
            .unwrap_or_else(|| s.to_owned())
    });
    let account = v
        .account
        .as_ref()
        .filter(|a| !a.is_blank())
        .map(|a| VendorAccount {
            bank_code: validate_bank_code(&a.bank_code)
                .map_or_else(|_| a.bank_code.trim().to_owned(), |c| c.as_str().to_owned()),
            branch_code: validate_branch_code(&a.branch_code).map_or_else(
                |_| a.branch_code.trim().to_owned(),
                |c| c.as_str().to_owned(),
            ),
            deposit_type: a.deposit_type,
            account_number: validate_account_number(&a.account_number).map_or_else(
                |_| a.account_number.trim().to_owned(),
                |c| c.as_str().to_owned(),
            ),
            holder_kana: normalize_payee_name(&a.holder_kana)
                .unwrap_or_else(|_| a.holder_kana.trim().to_owned()),
        });
    let postal_code = validate_postal_code(&v.contact.postal_code).map_or_else(
        |_| v.contact.postal_code.trim().to_owned(),
        |p| p.as_str().to_owned(),
    );
    Vendor {
        name: normalize_name(&v.name),
        name_kana: check_kana_name("nameKana", &v.name_kana).0,
        corporate_number,
        invoice_registration,
        account,
        contact: Contact {
            person: normalize_name(&v.contact.person),
            phone: nfkc_trim(&v.contact.phone),
            email: nfkc_trim(&v.contact.email),
            postal_code,
            address: v.contact.address.trim().to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::finding::has_errors;

    fn master() -> &'static BankMaster {
        BankMaster::builtin()
    }

    fn vendor() -> Vendor {
        Vendor {
            name: "株式会社ヤマダ事務機".to_owned(),
            name_kana: "カブシキガイシャヤマダジムキ".to_owned(),
            corporate_number: Some("7000012050002".to_owned()),
            invoice_registration: Some("T7000012050002".to_owned()),
            account: Some(VendorAccount {
                bank_code: "0001".to_owned(),
                branch_code: "001".to_owned(),
                deposit_type: 1,
                account_number: "1234567".to_owned(),
                holder_kana: "カ）ヤマダジムキ".to_owned(),
            }),
            contact: Contact {
                person: "山田 一郎".to_owned(),
                phone: "03-5320-0000".to_owned(),
                email: "keiyaku@yamada-jimuki.example.jp".to_owned(),
                postal_code: "163-8001".to_owned(),
                address: "東京都新宿区西新宿二丁目8番1号".to_owned(),
            },
        }
    }

    fn fields(f: &[Finding]) -> Vec<(&str, &str)> {
        f.iter().map(|f| (f.field.as_str(), f.code)).collect()
    }

    #[test]
    fn a_complete_vendor_passes() {
        let f = check_vendor(&vendor(), master());
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn name_and_kana_are_required() {
        let f = check_vendor(&Vendor::default(), master());
        assert_eq!(
            fields(&f),
            [("name", "vendor.name_required"), ("nameKana", "kana.empty")]
        );
        let v = Vendor {
            name_kana: "山田".to_owned(),
            ..vendor()
        };
        assert_eq!(
            fields(&check_vendor(&v, master())),
            [("nameKana", "kana.not_katakana")]
        );
    }

    #[test]
    fn corporate_and_invoice_numbers() {
        let v = Vendor {
            corporate_number: Some("7000012050003".to_owned()),
            invoice_registration: Some("7000012050002".to_owned()),
            ..vendor()
        };
        assert_eq!(
            fields(&check_vendor(&v, master())),
            [
                ("corporateNumber", "corporate_number.check_digit"),
                ("invoiceRegistration", "invoice_number.format"),
            ]
        );
        // Both valid, but different: a warning.
        let v = Vendor {
            corporate_number: Some("4011001098993".to_owned()),
            invoice_registration: Some("Ｔ７０００－０１２０－５０００２".to_owned()),
            ..vendor()
        };
        let f = check_vendor(&v, master());
        assert_eq!(
            fields(&f),
            [("invoiceRegistration", "vendor.invoice_corporate_mismatch")]
        );
        assert!(!has_errors(&f));
        // A sole proprietor: a T-number without a 法人番号 and without its check digit.
        let v = Vendor {
            corporate_number: None,
            invoice_registration: Some("T1234567890123".to_owned()),
            ..vendor()
        };
        let f = check_vendor(&v, master());
        assert_eq!(
            fields(&f),
            [("invoiceRegistration", "invoice_number.check_digit")]
        );
        assert!(!has_errors(&f));
        // Empty strings are "not given".
        let v = Vendor {
            corporate_number: Some(" ".to_owned()),
            invoice_registration: Some(String::new()),
            ..vendor()
        };
        assert!(check_vendor(&v, master()).is_empty());
    }

    fn with_account(a: VendorAccount) -> Vendor {
        Vendor {
            account: Some(a),
            ..vendor()
        }
    }

    #[test]
    fn account_fields() {
        let a = vendor().account.unwrap();
        let v = with_account(VendorAccount {
            bank_code: "12".to_owned(),
            branch_code: "1".to_owned(),
            deposit_type: 3,
            account_number: "12345678".to_owned(),
            ..a.clone()
        });
        assert_eq!(
            fields(&check_vendor(&v, master())),
            [
                ("account.bankCode", "bank_code.format"),
                ("account.branchCode", "branch_code.format"),
                ("account.depositType", "deposit_type.unknown"),
                ("account.accountNumber", "account_number.format"),
            ]
        );
        // Half-filled: each missing field is named.
        let v = with_account(VendorAccount {
            bank_code: "0001".to_owned(),
            ..VendorAccount::default()
        });
        assert_eq!(
            fields(&check_vendor(&v, master())),
            [
                ("account.branchCode", "vendor.account_field_required"),
                ("account.depositType", "vendor.account_field_required"),
                ("account.accountNumber", "vendor.account_field_required"),
                ("account.holderKana", "vendor.holder_kana_required"),
            ]
        );
        // Wholly blank: as if there were no account.
        let v = with_account(VendorAccount::default());
        assert!(check_vendor(&v, master()).is_empty());
        // Unknown branch, from the master.
        let v = with_account(VendorAccount {
            branch_code: "999".to_owned(),
            ..a.clone()
        });
        let f = check_vendor(&v, master());
        assert_eq!(fields(&f), [("account.branchCode", "bank.branch_unknown")]);
        assert!(f[0].message.contains("みずほ（0001）"));
        // ゆうちょ: 店番 018 is 普通.
        let v = with_account(VendorAccount {
            bank_code: "9900".to_owned(),
            branch_code: "018".to_owned(),
            deposit_type: 2,
            ..a
        });
        assert_eq!(
            fields(&check_vendor(&v, master())),
            [("account.depositType", "bank.yucho_deposit_type")]
        );
    }

    #[test]
    fn holder_kana_must_convert() {
        let a = vendor().account.unwrap();
        let v = with_account(VendorAccount {
            holder_kana: "ヤマダ事務機".to_owned(),
            ..a
        });
        let f = check_vendor(&v, master());
        assert_eq!(fields(&f), [("account.holderKana", "zengin.name_char")]);
        assert_eq!(
            f[0].message,
            "受取人名に使えない文字「事」があります（4文字目）。全銀の振込データでは半角カナ・英大文字・数字・一部の記号だけが使えます。"
        );
    }

    #[test]
    fn contact_checks() {
        let mut v = vendor();
        v.contact.email = "keiyaku.example.jp".to_owned();
        v.contact.postal_code = "1638".to_owned();
        assert_eq!(
            fields(&check_vendor(&v, master())),
            [
                ("contact.email", "vendor.email_format"),
                ("contact.postalCode", "postal_code.format"),
            ]
        );
        for ok in ["ａ＠ｅｘａｍｐｌｅ．ｊｐ", "a.b+c@sub.example.co.jp"] {
            v.contact.email = ok.to_owned();
            v.contact.postal_code = String::new();
            assert!(check_vendor(&v, master()).is_empty(), "{ok}");
        }
        for bad in [
            "a@b",
            "@example.jp",
            "a@@example.jp",
            "a b@example.jp",
            "a@.jp",
            "a@x..jp",
        ] {
            v.contact.email = bad.to_owned();
            assert_eq!(fields(&check_vendor(&v, master())).len(), 1, "{bad}");
        }
    }

    #[test]
    fn normalised_form() {
        let v = Vendor {
            name: " 株式会社　ヤマダ事務機 ".to_owned(),
            name_kana: "かぶしきがいしゃ やまだじむき".to_owned(),
            corporate_number: Some("７０００－０１－２０５０００２".to_owned()),
            invoice_registration: Some("t7000012050002".to_owned()),
            account: Some(VendorAccount {
                bank_code: "１".to_owned(),
                branch_code: "０１".to_owned(),
                deposit_type: 1,
                account_number: "98765".to_owned(),
                holder_kana: "かぶしきがいしゃ　やまだじむき".to_owned(),
            }),
            contact: Contact {
                person: "山田  一郎".to_owned(),
                phone: "０３－５３２０－００００".to_owned(),
                email: " Keiyaku＠Example.jp ".to_owned(),
                postal_code: "〒1638001".to_owned(),
                address: " 東京都新宿区 ".to_owned(),
            },
        };
        let n = normalized_vendor(&v);
        assert_eq!(n.name, "株式会社　ヤマダ事務機");
        assert_eq!(n.name_kana, "カブシキガイシャ　ヤマダジムキ");
        assert_eq!(n.corporate_number.as_deref(), Some("7000012050002"));
        assert_eq!(n.invoice_registration.as_deref(), Some("T7000012050002"));
        let a = n.account.as_ref().unwrap();
        // 「１」 is not a 4-digit code: kept as typed for the clerk to correct.
        assert_eq!(a.bank_code, "１");
        assert_eq!(a.branch_code, "０１");
        assert_eq!(a.account_number, "0098765");
        assert_eq!(a.holder_kana, "ｶ)ﾔﾏﾀﾞｼﾞﾑｷ");
        assert_eq!(n.contact.person, "山田　一郎");
        assert_eq!(n.contact.phone, "03-5320-0000");
        assert_eq!(n.contact.email, "Keiyaku@Example.jp");
        assert_eq!(n.contact.postal_code, "163-8001");
        assert_eq!(n.contact.address, "東京都新宿区");
        // The normalised vendor checks the same way (here: the short bank code).
        assert_eq!(
            fields(&check_vendor(&n, master())),
            [
                ("account.bankCode", "bank_code.format"),
                ("account.branchCode", "branch_code.format"),
            ]
        );
        let full = normalized_vendor(&vendor());
        assert!(check_vendor(&full, master()).is_empty());
        assert_eq!(full.account.unwrap().holder_kana, "ｶ)ﾔﾏﾀﾞｼﾞﾑｷ");
        // Blank options and a blank account disappear.
        let blank = normalized_vendor(&Vendor {
            corporate_number: Some("  ".to_owned()),
            account: Some(VendorAccount::default()),
            ..Vendor::default()
        });
        assert_eq!(blank.corporate_number, None);
        assert_eq!(blank.account, None);
    }

    #[test]
    fn json_shape_and_partial_forms() {
        let v: Vendor =
            serde_json::from_str(r#"{"name":"ヤマダ","account":{"bankCode":"0001"}}"#).unwrap();
        assert_eq!(v.name, "ヤマダ");
        assert_eq!(v.account.as_ref().unwrap().bank_code, "0001");
        assert_eq!(v.account.as_ref().unwrap().deposit_type, 0);
        assert_eq!(v.contact, Contact::default());
        let json = serde_json::to_value(vendor()).unwrap();
        assert_eq!(json["nameKana"], "カブシキガイシャヤマダジムキ");
        assert_eq!(json["corporateNumber"], "7000012050002");
        assert_eq!(json["invoiceRegistration"], "T7000012050002");
        assert_eq!(json["account"]["holderKana"], "カ）ヤマダジムキ");
        assert_eq!(json["account"]["depositType"], 1);
        assert_eq!(json["contact"]["postalCode"], "163-8001");
        let back: Vendor = serde_json::from_value(json).unwrap();
        assert_eq!(back, vendor());
    }
}
