//! The canonical encoding an entry's hash covers.
//!
//! Written down so that an auditor can check a log with any SHA-256 tool and a few lines of
//! code, without Kyosai Desk.
//!
//! # The hash of an entry
//!
//! ```text
//! hash = lowercase hex of SHA-256( UTF-8 bytes of P )
//! P    = canonical JSON of the array
//!        ["kyosai-audit/1", seq, at, actor, action, target, detail, prev_hash]
//! ```
//!
//! - `"kyosai-audit/1"` names this format; another version would change it.
//! - `seq`: the entry's number, a JSON integer (1, 2, 3 … with no gaps).
//! - `at`: the time in UTC as the string `YYYY-MM-DDTHH:MM:SS.ffffffZ` — always six
//!   fraction digits and `Z` (e.g. `"2026-11-26T01:02:03.000000Z"`).
//! - `actor`, `action`: strings. `target`: a string, or `null` when there is none.
//! - `detail`: any JSON value, in canonical form (below).
//! - `prev_hash`: the `hash` of the entry before, or 64 `0` for the first entry.
//!
//! # Canonical JSON
//!
//! - No whitespace anywhere outside strings.
//! - Object members sorted by key, comparing keys as sequences of Unicode code points
//!   (the same as comparing their UTF-8 bytes); a key appears once.
//! - Strings: `"` and `\` are escaped as `\"` and `\\`; U+0008, U+0009, U+000A, U+000C and
//!   U+000D as `\b`, `\t`, `\n`, `\f` and `\r`; every other character below U+0020 as
//!   `\u00xx` with lowercase hex; every other character (including `/`, non-ASCII and
//!   U+007F) as itself in UTF-8.
//! - Integers in decimal, `-` for negatives, no leading zeros, no `+`, no exponent.
//!   [`check_detail`](crate::check_detail) refuses fractions, so the apps never write
//!   one; should one appear, it is written as `serde_json` writes an `f64` (shortest
//!   round-trip form).
//! - `true`, `false`, `null` as such.
//!
//! For values without fractions this is the same as RFC 8785 (JSON Canonicalization
//! Scheme) except for the key order of characters beyond U+FFFF, which our keys never use.
//!
//! # Example
//!
//! The first entry, a sign-in by `tanto1203` with no target and an empty detail:
//!
//! ```text
//! ["kyosai-audit/1",1,"2026-11-26T00:00:00.000000Z","tanto1203","auth.sign_in",null,{},"0000…0000"]
//! ```
//!
//! (`0000…0000` being 64 zeros.) Its SHA-256 in lowercase hex is the entry's `hash`.

use std::fmt::Write as _;

use chrono::{DateTime, SecondsFormat, Timelike, Utc};
use serde_json::Value;

/// The format tag that opens the hashed array.
pub const FORMAT: &str = "kyosai-audit/1";

/// `at` as the hash and the export write it: RFC 3339, UTC, six fraction digits, `Z`.
pub fn format_at(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// `at` with anything finer than a microsecond dropped, so it survives [`format_at`].
pub fn truncate_at(at: DateTime<Utc>) -> DateTime<Utc> {
    let nanos = at.nanosecond();
    at.with_nanosecond(nanos - nanos % 1_000).unwrap_or(at)
}

/// Whether `at` is exactly what [`format_at`] writes (no finer than a microsecond).
pub fn is_canonical_at(at: &DateTime<Utc>) -> bool {
    at.nanosecond().is_multiple_of(1_000)
}

/// Appends the canonical JSON of `value` to `out`.
pub fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (key, item)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, key);
                out.push(':');
                write_value(out, item);
            }
            out.push('}');
        }
    }
}

/// The canonical JSON of `value` as a new string.
pub fn to_canonical(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

/// Appends `s` as a canonical JSON string (quotes included).
pub fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The bytes the hash of an entry covers (see the module documentation).
#[allow(clippy::too_many_arguments)]
pub fn preimage(
    seq: u64,
    at: &DateTime<Utc>,
    actor: &str,
    action: &str,
    target: Option<&str>,
    detail: &Value,
    prev_hash: &str,
) -> String {
    let mut out = String::with_capacity(256);
    out.push('[');
    write_string(&mut out, FORMAT);
    let _ = write!(out, ",{seq},");
    write_string(&mut out, &format_at(at));
    out.push(',');
    write_string(&mut out, actor);
    out.push(',');
    write_string(&mut out, action);
    out.push(',');
    match target {
        Some(t) => write_string(&mut out, t),
        None => out.push_str("null"),
    }
    out.push(',');
    write_value(&mut out, detail);
    out.push(',');
    write_string(&mut out, prev_hash);
    out.push(']');
    out
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Whether `s` is 64 lowercase hex digits (the form of every hash in the log).
pub fn is_hash(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_escape_as_documented() {
        let mut out = String::new();
        write_string(&mut out, "a\"b\\c\u{8}\t\n\u{c}\r\u{1}\u{1f}/\u{7f}組合");
        assert_eq!(
            out,
            "\"a\\\"b\\\\c\\b\\t\\n\\f\\r\\u0001\\u001f/\u{7f}組合\""
        );
        // The same as serde_json's own escaping, which other tools can rely on.
        let s = "a\"b\\c\u{8}\t\n\u{c}\r\u{1}\u{1f}/\u{7f}組合";
        assert_eq!(out, serde_json::to_string(s).unwrap_or_default());
    }

    #[test]
    fn objects_sort_keys_at_every_level_and_drop_whitespace() {
        let v = json!({"b": 1, "a": {"z": [true, null, -3], "y": "x"}, "件名": "旅費"});
        assert_eq!(
            to_canonical(&v),
            r#"{"a":{"y":"x","z":[true,null,-3]},"b":1,"件名":"旅費"}"#
        );
    }

    #[test]
    fn at_has_six_fraction_digits() {
        let at = DateTime::parse_from_rfc3339("2026-11-26T10:02:03.123456789+09:00")
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default();
        assert!(!is_canonical_at(&at));
        let t = truncate_at(at);
        assert!(is_canonical_at(&t));
        assert_eq!(format_at(&t), "2026-11-26T01:02:03.123456Z");
        let whole = DateTime::parse_from_rfc3339("2026-11-26T00:00:00Z")
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default();
        assert_eq!(format_at(&whole), "2026-11-26T00:00:00.000000Z");
    }

    #[test]
    fn preimage_is_the_documented_array() {
        let at = DateTime::parse_from_rfc3339("2026-11-26T00:00:00Z")
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default();
        let zeros = "0".repeat(64);
        let p = preimage(
            1,
            &at,
            "tanto1203",
            "auth.sign_in",
            None,
            &json!({}),
            &zeros,
        );
        assert_eq!(
            p,
            format!(
                r#"["kyosai-audit/1",1,"2026-11-26T00:00:00.000000Z","tanto1203","auth.sign_in",null,{{}},"{zeros}"]"#
            )
        );
    }

    #[test]
    fn hashes_are_lowercase_hex() {
        assert_eq!(hex(&[0, 0xab, 0xff]), "00abff");
        assert!(is_hash(&"0".repeat(64)));
        assert!(!is_hash(&"A".repeat(64)));
        assert!(!is_hash(&"0".repeat(63)));
    }
}
