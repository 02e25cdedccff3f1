//! The guard that keeps personal data out of an entry's `detail`.
//!
//! The audit log is read by IT and auditors and leaves the machine as an export, so it must
//! never hold a 個人番号 or a bank account number. [`check_detail`] refuses:
//!
//! - any 12-digit number that passes the 個人番号 check digit — as a JSON number, as a key,
//!   or inside a string, whether written as 12 digits in a row (ASCII or full-width) or as
//!   three groups of four separated by a space or a hyphen
//!   ([`kyosai_domain::ids::find_my_numbers`], the same rule as `kyosai logs scan`);
//! - a member whose key names a 個人番号 or an account number (`myNumber`, `my_number`,
//!   `個人番号`, `accountNumber`, `account_number`, `口座番号` …) unless its value is
//!   `null` — a 7-digit account number has no check digit to recognise it by, so the key
//!   is what gives it away;
//! - a number with a fraction, which would make the hash depend on how a float is printed
//!   (see [`crate::canonical`]).
//!
//! Errors name the path of the offending value (`/items/0/note`), never the value.

use serde_json::Value;
use thiserror::Error;

use kyosai_domain::ids::find_my_numbers;

/// Why a `detail` was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DetailError {
    /// A value looks like a 個人番号.
    #[error("監査ログの詳細（{path}）に個人番号と思われる値があります。個人番号は監査ログに記録できません。")]
    MyNumber {
        /// JSON Pointer of the value.
        path: String,
    },
    /// A member is named as a 個人番号 or a bank account number.
    #[error("監査ログの詳細（{path}）に個人番号または口座番号の項目があります。これらは監査ログに記録できません。")]
    SensitiveKey {
        /// JSON Pointer of the member.
        path: String,
    },
    /// A number has a fraction.
    #[error("監査ログの詳細（{path}）に小数があります。金額や件数は整数で記録してください。")]
    Fraction {
        /// JSON Pointer of the number.
        path: String,
    },
}

impl DetailError {
    /// A stable code, e.g. `"audit.detail_my_number"`.
    pub fn code(&self) -> &'static str {
        match self {
            DetailError::MyNumber { .. } => "audit.detail_my_number",
            DetailError::SensitiveKey { .. } => "audit.detail_sensitive_key",
            DetailError::Fraction { .. } => "audit.detail_fraction",
        }
    }
}

/// Refuses a `detail` that holds a 個人番号, an account number or a fraction (see the
/// module documentation).
pub fn check_detail(detail: &Value) -> Result<(), DetailError> {
    walk(detail, &mut String::new())
}

fn walk(value: &Value, path: &mut String) -> Result<(), DetailError> {
    match value {
        Value::Null | Value::Bool(_) => Ok(()),
        Value::Number(n) => {
            if n.is_f64() {
                return Err(DetailError::Fraction { path: shown(path) });
            }
            if holds_my_number(&n.to_string()) {
                return Err(DetailError::MyNumber { path: shown(path) });
            }
            Ok(())
        }
        Value::String(s) => {
            if holds_my_number(s) {
                return Err(DetailError::MyNumber { path: shown(path) });
            }
            Ok(())
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push('/');
                path.push_str(&i.to_string());
                walk(item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        Value::Object(map) => {
            for (key, item) in map {
                let len = path.len();
                path.push('/');
                path.push_str(&key.replace('~', "~0").replace('/', "~1"));
                if holds_my_number(key) {
                    // The key itself is the number: do not show it.
                    path.truncate(len);
                    return Err(DetailError::MyNumber {
                        path: format!("{}/…", shown(path)),
                    });
                }
                if is_sensitive_key(key) && !item.is_null() {
                    return Err(DetailError::SensitiveKey { path: shown(path) });
                }
                walk(item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
    }
}

fn shown(path: &str) -> String {
    if path.is_empty() {
        "/".to_owned()
    } else {
        path.to_owned()
    }
}

/// Whether a key names a 個人番号 or a bank account number.
fn is_sensitive_key(key: &str) -> bool {
    let folded: String = key
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | ' ' | '　' | '.'))
        .flat_map(char::to_lowercase)
        .collect();
    const NAMES: &[&str] = &[
        "mynumber",
        "mynumbers",
        "kojinbango",
        "kojinbangou",
        "個人番号",
        "マイナンバー",
        "accountnumber",
        "accountno",
        "bankaccount",
        "bankaccountnumber",
        "kozabango",
        "kouzabangou",
        "口座番号",
    ];
    NAMES.contains(&folded.as_str())
}

/// Whether `s` holds a 個人番号 (the domain's one definition, shared with the log scan).
fn holds_my_number(s: &str) -> bool {
    !find_my_numbers(s).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kyosai_domain::ids::my_number_check_digit;
    use serde_json::json;

    // A number with a valid check digit (the example of the 総務省 specification's
    // algorithm, made up) and the same with the last digit changed.
    fn valid() -> String {
        let body = "12345678901";
        let check = my_number_check_digit(body).unwrap_or(0);
        format!("{body}{check}")
    }

    fn invalid() -> String {
        let v = valid();
        let last = v.as_bytes()[11] - b'0';
        format!("{}{}", &v[..11], (last + 1) % 10)
    }

    #[test]
    fn an_ordinary_detail_passes() {
        let d = json!({
            "kind": "procurement",
            "amount": 1_280_000,
            "file": "振込データ_20261126.txt",
            "count": 12,
            "recordId": "0192f0c4-1b2a-7cc3-9d0e-5f1a2b3c4d5e",
            "corporateNumber": "7000012050002",
            "bankCode": "0005",
            "myNumber": null,
            "note": invalid(),
        });
        assert_eq!(check_detail(&d), Ok(()));
    }

    #[test]
    fn a_my_number_is_refused_in_any_form() {
        let v = valid();
        let full_width: String = v
            .chars()
            .map(|c| char::from_u32(u32::from(c) - u32::from('0') + u32::from('０')).unwrap_or(c))
            .collect();
        let spaced = format!("{} {} {}", &v[..4], &v[4..8], &v[8..]);
        let hyphened = format!("{}-{}-{}", &v[..4], &v[4..8], &v[8..]);
        for (detail, path) in [
            (json!({ "note": v.clone() }), "/note"),
            (json!({ "note": format!("番号{v}を確認") }), "/note"),
            (json!({ "items": [1, { "x": full_width }] }), "/items/1/x"),
            (json!({ "n": spaced }), "/n"),
            (json!({ "n": hyphened }), "/n"),
            (json!({ "n": v.parse::<u64>().unwrap_or(0) }), "/n"),
            (json!(v.clone()), "/"),
        ] {
            let err = check_detail(&detail).err();
            assert_eq!(
                err,
                Some(DetailError::MyNumber { path: path.into() }),
                "{detail}"
            );
        }
        let keyed = json!({ "a": { v.clone(): 1 } });
        let err = check_detail(&keyed).err();
        assert_eq!(
            err.as_ref().map(DetailError::code),
            Some("audit.detail_my_number")
        );
        assert!(!err.map(|e| e.to_string()).unwrap_or_default().contains(&v));
    }

    #[test]
    fn longer_digit_runs_and_dates_are_not_my_numbers() {
        let v = valid();
        for s in [format!("{v}1"), format!("1{v}"), "2026-11-26 10:00".into()] {
            assert_eq!(check_detail(&json!({ "s": s })), Ok(()), "{s}");
        }
    }

    #[test]
    fn account_and_my_number_keys_are_refused() {
        for key in [
            "accountNumber",
            "account_number",
            "口座番号",
            "myNumber",
            "MY_NUMBER",
            "個人番号",
        ] {
            let err = check_detail(&json!({ "payee": { key: "1234567" } })).err();
            assert_eq!(
                err.as_ref().map(DetailError::code),
                Some("audit.detail_sensitive_key")
            );
        }
    }

    #[test]
    fn fractions_are_refused() {
        let err = check_detail(&json!({ "rate": 0.1 })).err();
        assert_eq!(
            err,
            Some(DetailError::Fraction {
                path: "/rate".into()
            })
        );
    }
}
