//! The export format: JSON Lines, one [`Entry`] per line, in `seq` order.
//!
//! Each line is the entry as a JSON object with the members `seq`, `at`, `actor`,
//! `action`, `target`, `detail`, `prev_hash`, `hash` in that order, written canonically
//! (no whitespace, `detail` in canonical form, `at` with six fraction digits — see
//! [`crate::canonical`]); lines end with `\n`.
//!
//! [`read_jsonl`] is strict: a line that does not read as an entry is an error, and so is a
//! line that reads but is not exactly the canonical form of what it holds. That way a change
//! to any byte of an export is noticed, even one that leaves the parsed entry unchanged
//! (say `\u00e9` for `é`).

use std::io::BufRead;

use thiserror::Error;

use crate::canonical::{format_at, write_string, write_value};
use crate::entry::Entry;

/// The canonical line of `entry`, without the line end.
pub fn to_line(entry: &Entry) -> String {
    let mut out = String::with_capacity(320);
    out.push_str("{\"seq\":");
    out.push_str(&entry.seq.to_string());
    out.push_str(",\"at\":");
    write_string(&mut out, &format_at(&entry.at));
    out.push_str(",\"actor\":");
    write_string(&mut out, &entry.actor);
    out.push_str(",\"action\":");
    write_string(&mut out, &entry.action);
    out.push_str(",\"target\":");
    match &entry.target {
        Some(t) => write_string(&mut out, t),
        None => out.push_str("null"),
    }
    out.push_str(",\"detail\":");
    write_value(&mut out, &entry.detail);
    out.push_str(",\"prev_hash\":");
    write_string(&mut out, &entry.prev_hash);
    out.push_str(",\"hash\":");
    write_string(&mut out, &entry.hash);
    out.push('}');
    out
}

/// Why one line is not an entry.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LineError {
    /// Not JSON, or not the shape of an entry.
    #[error("監査ログの記録として読めません（{0}）")]
    Json(String),
    /// An entry, but not written in canonical form: the line was altered.
    #[error("監査ログの記録が正規の形式ではありません（書き換えられた可能性があります）")]
    NonCanonical,
}

/// Reads one canonical line (without its line end).
pub fn parse_line(line: &str) -> Result<Entry, LineError> {
    let entry: Entry = serde_json::from_str(line).map_err(|e| LineError::Json(e.to_string()))?;
    if to_line(&entry) != line {
        return Err(LineError::NonCanonical);
    }
    Ok(entry)
}

/// Why an export could not be read.
#[derive(Debug, Error)]
pub enum ReadError {
    /// The file could not be read (or is not UTF-8).
    #[error("監査ログのファイルを読めません: {0}")]
    Io(#[from] std::io::Error),
    /// Line `line` (1-based) is not a canonical entry.
    #[error("{line}行目: {error}")]
    Line {
        /// The 1-based line number.
        line: usize,
        /// What is wrong with it.
        error: LineError,
    },
}

/// Reads an export. Blank lines (and a final line end) are allowed; every other line must be
/// a canonical entry.
pub fn read_jsonl(reader: impl BufRead) -> Result<Vec<Entry>, ReadError> {
    let mut entries = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line?;
        let line = line.strip_suffix('\r').unwrap_or(&line);
        if line.is_empty() {
            continue;
        }
        entries.push(parse_line(line).map_err(|error| ReadError::Line { line: i + 1, error })?);
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{actions, next, NewEntry};
    use serde_json::json;

    #[test]
    fn a_line_is_what_serde_writes_and_reads_back() {
        let e = next(
            None,
            NewEntry::now("tanto1203", actions::EXPORT_ZENGIN)
                .target("振込データ_20261126.txt")
                .detail(json!({"total": 1_280_000, "count": 3, "bank": "みずほ"})),
        );
        let line = to_line(&e);
        assert_eq!(
            serde_json::to_string(&e).ok().as_deref(),
            Some(line.as_str())
        );
        assert_eq!(parse_line(&line), Ok(e.clone()));
        let file = format!(
            "{line}\r\n\n{}\n",
            to_line(&next(Some(&e), NewEntry::now("x", actions::AUTH_SIGN_OUT)))
        );
        let read = read_jsonl(file.as_bytes()).map_err(|e| e.to_string());
        assert_eq!(read.map(|v| v.len()), Ok(2));
    }

    #[test]
    fn a_reformatted_line_is_refused() {
        let e = next(
            None,
            NewEntry::now("tanto1203", actions::AUTH_SIGN_IN).detail(json!({"é": 1})),
        );
        let line = to_line(&e);
        let escaped = line.replace('é', "\\u00e9");
        assert_eq!(parse_line(&escaped), Err(LineError::NonCanonical));
        let spaced = line.replacen(",", ", ", 1);
        assert_eq!(parse_line(&spaced), Err(LineError::NonCanonical));
        assert!(matches!(parse_line("{\"seq\":1}"), Err(LineError::Json(_))));
        let err = read_jsonl(format!("{line}\nxyz\n").as_bytes()).err();
        assert!(matches!(err, Some(ReadError::Line { line: 2, .. })));
    }
}
