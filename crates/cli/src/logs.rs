//! `kyosai logs scan PATH...`: looks for 個人番号 in log files before they leave the PC
//! (sent to a vendor with a problem report, say) and in the test suite after the end-to-end
//! run.
//!
//! Every file under the given paths is read (folders recursively; bytes that are not UTF-8
//! are read as lossy text, so a Shift_JIS line still shows its ASCII digits) and searched
//! with [`kyosai_domain::ids::find_my_numbers`]: 12 digits (ASCII or full-width, together or
//! 4-4-4) with a valid check digit. The output names the file and line of each hit and
//! shows it masked — the number itself is never printed.
//!
//! `{"files": n, "bytes": n, "lines": n, "found": [{"file", "line", "masked"}]}`; exit 0
//! when nothing was found, 1 when something was, 2 when a path cannot be read or there
//! was no file at all to scan (an empty scan proves nothing).

use std::path::{Path, PathBuf};

use kyosai_domain::ids::find_my_numbers;
use serde_json::json;

use crate::Output;

/// Why the scan could not be done (exit 2).
#[derive(Debug)]
pub struct Unreadable(pub String);

/// Hits are listed up to this many; the count is always complete.
const MAX_LISTED: usize = 100;

fn files_under(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), Unreadable> {
    let meta = std::fs::metadata(path).map_err(|e| {
        Unreadable(format!(
            "{} を読み取れません（{e}）。場所を確認してください。",
            path.display()
        ))
    })?;
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| Unreadable(format!("{} を開けません（{e}）。", path.display())))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for p in entries {
            files_under(&p, out)?;
        }
    } else if meta.is_file() {
        out.push(path.to_path_buf());
    }
    Ok(())
}

/// The digits of a hit as 「●●●● ●●●● 9018」.
fn masked(hit: &str) -> String {
    let digits: String = hit
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '　' | '－' | 'ー'))
        .collect();
    let tail: String = digits.chars().skip(8).collect();
    format!("●●●● ●●●● {tail}")
}

/// Scans `paths` (files or folders).
pub fn scan(paths: &[PathBuf]) -> Result<Output, Unreadable> {
    let mut files = Vec::new();
    for p in paths {
        files_under(p, &mut files)?;
    }
    if files.is_empty() {
        return Err(Unreadable(
            "調べるファイルがありません（空の検査は何も証明しません）。場所を確認してください。"
                .into(),
        ));
    }
    let mut found = Vec::new();
    let mut count = 0usize;
    let mut bytes = 0u64;
    let mut lines = 0u64;
    for file in &files {
        let data = std::fs::read(file)
            .map_err(|e| Unreadable(format!("{} を読み取れません（{e}）。", file.display())))?;
        bytes += data.len() as u64;
        let text = String::from_utf8_lossy(&data);
        for (n, line) in text.lines().enumerate() {
            lines += 1;
            for r in find_my_numbers(line) {
                count += 1;
                if found.len() < MAX_LISTED {
                    found.push(json!({
                        "file": file.display().to_string(),
                        "line": n + 1,
                        "masked": masked(&line[r]),
                    }));
                }
            }
        }
    }
    Ok(Output {
        json: json!({
            "files": files.len(),
            "bytes": bytes,
            "lines": lines,
            "count": count,
            "found": found,
        }),
        valid: count == 0,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn finds_numbers_in_nested_files_and_never_prints_them() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        std::fs::write(
            dir.path().join("a/app.log"),
            "2026-11-26T10:00:00Z INFO saved id=42\n2026-11-26T10:00:01Z INFO phone 0312345678\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("a/b/central.log"),
            "line one\nform {\"myNumber\":\"123456789018\"}\nnote １２３４ ５６７８ ９０１８\n",
        )
        .unwrap();
        let out = scan(&[dir.path().to_path_buf()]).unwrap();
        assert!(!out.valid);
        assert_eq!(out.json["files"], 2);
        assert_eq!(out.json["count"], 2);
        let found = out.json["found"].as_array().unwrap();
        assert_eq!(found[0]["line"], 2);
        assert!(found[0]["file"].as_str().unwrap().ends_with("central.log"));
        assert_eq!(found[0]["masked"], "●●●● ●●●● 9018");
        assert_eq!(found[1]["line"], 3);
        assert_eq!(found[1]["masked"], "●●●● ●●●● ９０１８");
        let printed = out.json.to_string();
        assert!(!printed.contains("123456789018"));
        assert!(!printed.contains("12345678"));
    }

    #[test]
    fn clean_logs_pass_and_an_empty_scan_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("x.log"), "nothing here 123456789019\n").unwrap();
        let out = scan(&[dir.path().to_path_buf()]).unwrap();
        assert!(out.valid);
        assert_eq!(out.json["lines"], 1);
        let empty = tempfile::tempdir().unwrap();
        assert!(scan(&[empty.path().to_path_buf()]).is_err());
        assert!(scan(&[dir.path().join("missing")]).is_err());
    }
}
