//! `kyosai audit verify FILE [--anchor SEQ:HASH]`: checks an exported audit log (JSON
//! Lines, one entry per line, as 「監査ログを書き出す」 and the central service write it).
//!
//! The check is `kyosai-audit`'s: every line must be an entry in canonical form, every
//! entry's hash must match its content, seq must run 1, 2, 3 … and each entry must link to
//! the one before. With `--anchor`, a checkpoint kept elsewhere (the head recorded by the
//! central service, or printed by an earlier check), the log must also reach that entry with
//! that hash — which catches a cut-off tail and a log rewritten from scratch.
//!
//! Output: `{"intact": true, "count", "head": {"seq", "hash"} | null, "anchor": "SEQ:HASH"}`
//! and exit 0; `{"intact": false, "count", "error": {"code", "message", "line", "seq"}}` and
//! exit 1 for a broken log (the message in Japanese names the line, seq and what is wrong);
//! exit 2 when the file cannot be read or a line is not an entry at all.

use std::io::BufReader;
use std::path::Path;

use kyosai_audit::{read_jsonl, verify, Head, LineError, ReadError};
use serde_json::json;

use crate::Output;

/// Why the check could not be done (exit 2).
#[derive(Debug)]
pub struct Unreadable(pub String);

/// Checks the export at `file`, against `anchor` (`SEQ:HASH`) when given.
pub fn verify_file(file: &Path, anchor: Option<&str>) -> Result<Output, Unreadable> {
    let anchor = match anchor {
        Some(text) => Some(Head::parse(text).ok_or_else(|| {
            Unreadable(format!(
                "--anchor「{text}」の形式が正しくありません。「番号:ハッシュ（64桁の16進数）」で指定してください。"
            ))
        })?),
        None => None,
    };
    let reader = std::fs::File::open(file).map(BufReader::new).map_err(|e| {
        Unreadable(format!(
            "{} を読み取れません（{e}）。場所を確認してください。",
            file.display()
        ))
    })?;
    let entries = match read_jsonl(reader) {
        Ok(entries) => entries,
        Err(ReadError::Line {
            line,
            error: LineError::NonCanonical,
        }) => {
            // It reads as an entry but is not written as one: it was altered.
            return Ok(Output {
                json: json!({
                    "intact": false,
                    "error": {
                        "code": "audit.non_canonical",
                        "message": format!("{line}行目: {}", LineError::NonCanonical),
                        "line": line,
                        "seq": null,
                    }
                }),
                valid: false,
            });
        }
        Err(e) => {
            return Err(Unreadable(format!(
                "{}: {e}。監査ログの書き出しファイル（JSON Lines）を指定してください。",
                file.display()
            )))
        }
    };
    let count = entries.len();
    Ok(match verify(&entries, anchor.as_ref()) {
        Ok(summary) => Output {
            json: json!({
                "intact": true,
                "count": summary.count,
                "head": summary.head,
                "anchor": summary.head.as_ref().map(Head::to_string),
            }),
            valid: true,
        },
        Err(b) => Output {
            json: json!({
                "intact": false,
                "count": count,
                "error": {
                    "code": b.code(),
                    "message": b.message(),
                    "line": b.position + 1,
                    "seq": b.seq,
                    "kind": b.kind,
                }
            }),
            valid: false,
        },
    })
}
