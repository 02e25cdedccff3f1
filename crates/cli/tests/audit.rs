#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! `kyosai audit verify` on a log exported from a real local store (SQLite): intact, then
//! altered the ways someone with a text editor would.

use std::path::Path;
use std::process::Command;

use kyosai_audit::{actions, NewEntry};
use kyosai_store::Store;
use serde_json::json;

fn kyosai(args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kyosai"))
        .args(args)
        .output()
        .unwrap();
    let json = if out.stdout.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&out.stdout).unwrap()
    };
    (
        out.status.code().unwrap(),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A morning at a 所属所, exported as 「監査ログを書き出す」 writes it.
fn exported(dir: &Path) -> (String, Vec<String>) {
    let mut store = Store::open(&dir.join("kyosai.db")).unwrap();
    let id = "0192f0c4-1b2a-7cc3-9d0e-5f1a2b3c4d5e";
    for new in [
        NewEntry::now("tanto1203", actions::AUTH_SIGN_IN),
        NewEntry::now("tanto1203", actions::RECORD_SUBMIT)
            .target(id)
            .detail(json!({"kind": "proposal", "outboxSeq": 3})),
        NewEntry::now("tanto1203", actions::EXPORT_PDF)
            .target(id)
            .detail(json!({"what": "approval"})),
        NewEntry::now("tanto1203", actions::AUTH_SIGN_OUT),
    ] {
        store.audit().append(new).unwrap();
    }
    let mut out = Vec::new();
    store
        .audit()
        .export_jsonl(
            NewEntry::now("it0001", actions::EXPORT_AUDIT).target("監査ログ.jsonl"),
            &mut out,
        )
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines = text.lines().map(str::to_owned).collect();
    (text, lines)
}

fn write(dir: &Path, name: &str, lines: &[String]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path.display().to_string()
}

#[test]
fn an_intact_export_exits_0_with_its_count_and_head() {
    let dir = tempfile::tempdir().unwrap();
    let (text, lines) = exported(dir.path());
    let file = dir.path().join("監査ログ.jsonl");
    std::fs::write(&file, &text).unwrap();
    let file = file.display().to_string();
    let (code, j, _) = kyosai(&["audit", "verify", &file]);
    assert_eq!(code, 0, "{j}");
    assert_eq!(j["intact"], true);
    assert_eq!(j["count"], 5);
    assert_eq!(j["head"]["seq"], 5);
    let anchor = j["anchor"].as_str().unwrap().to_owned();
    assert!(anchor.starts_with("5:"));
    // The printed head is the checkpoint for the next check.
    let (code, _, _) = kyosai(&["audit", "verify", &file, "--anchor", &anchor]);
    assert_eq!(code, 0);
    // And an earlier checkpoint holds too.
    let third: serde_json::Value = serde_json::from_str(&lines[2]).unwrap();
    let mid = format!("3:{}", third["hash"].as_str().unwrap());
    let (code, _, _) = kyosai(&["audit", "verify", &file, "--anchor", &mid]);
    assert_eq!(code, 0);
}

#[test]
fn an_altered_export_exits_1_with_the_line_seq_and_a_japanese_message() {
    let dir = tempfile::tempdir().unwrap();
    let (_, lines) = exported(dir.path());
    let last: serde_json::Value = serde_json::from_str(&lines[4]).unwrap();
    let head = format!("5:{}", last["hash"].as_str().unwrap());

    // Who submitted, changed.
    let mut edited = lines.clone();
    edited[1] = edited[1].replace("tanto1203", "kessai0101");
    let file = write(dir.path(), "edited.jsonl", &edited);
    let (code, j, _) = kyosai(&["audit", "verify", &file]);
    assert_eq!(code, 1, "{j}");
    assert_eq!(j["intact"], false);
    assert_eq!(j["error"]["code"], "audit.edited");
    assert_eq!(j["error"]["line"], 2);
    assert_eq!(j["error"]["seq"], 2);
    assert_eq!(
        j["error"]["message"],
        "監査ログの2件目（seq 2）が書き換えられています（内容とハッシュが一致しません）。"
    );

    // The PDF export deleted.
    let mut deleted = lines.clone();
    deleted.remove(2);
    let file = write(dir.path(), "deleted.jsonl", &deleted);
    let (code, j, _) = kyosai(&["audit", "verify", &file]);
    assert_eq!(
        (code, j["error"]["code"].as_str()),
        (1, Some("audit.missing"))
    );
    assert!(j["error"]["message"].as_str().unwrap().contains("seq 3"));

    // Two lines swapped.
    let mut swapped = lines.clone();
    swapped.swap(1, 2);
    let file = write(dir.path(), "swapped.jsonl", &swapped);
    let (code, j, _) = kyosai(&["audit", "verify", &file]);
    assert_eq!(
        (code, j["error"]["code"].as_str()),
        (1, Some("audit.reordered"))
    );

    // The tail cut: only the checkpoint shows it.
    let file = write(dir.path(), "cut.jsonl", &lines[..3]);
    let (code, _, _) = kyosai(&["audit", "verify", &file]);
    assert_eq!(code, 0);
    let (code, j, _) = kyosai(&["audit", "verify", &file, "--anchor", &head]);
    assert_eq!(
        (code, j["error"]["code"].as_str()),
        (1, Some("audit.truncated"))
    );

    // The same content written differently (spaces): the line was touched.
    let mut spaced = lines.clone();
    spaced[3] = spaced[3].replacen(",", ", ", 1);
    let file = write(dir.path(), "spaced.jsonl", &spaced);
    let (code, j, _) = kyosai(&["audit", "verify", &file]);
    assert_eq!(
        (code, j["error"]["code"].as_str()),
        (1, Some("audit.non_canonical"))
    );
    assert_eq!(j["error"]["line"], 4);
}

#[test]
fn what_is_not_an_audit_log_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let (_, lines) = exported(dir.path());
    let missing = dir.path().join("none.jsonl").display().to_string();
    let (code, j, err) = kyosai(&["audit", "verify", &missing]);
    assert_eq!((code, j), (2, serde_json::Value::Null));
    assert!(err.contains("読み取れません"), "{err}");

    let mut garbage = lines.clone();
    garbage[2] = "{\"seq\": 3".into();
    let file = write(dir.path(), "garbage.jsonl", &garbage);
    let (code, _, err) = kyosai(&["audit", "verify", &file]);
    assert_eq!(code, 2);
    assert!(err.contains("3行目"), "{err}");

    let file = write(dir.path(), "good.jsonl", &lines);
    let (code, _, err) = kyosai(&["audit", "verify", &file, "--anchor", "5"]);
    assert_eq!(code, 2);
    assert!(err.contains("--anchor"), "{err}");
}
