#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The `kyosai` binary as RPA robots call it: JSON out, exit codes that mean something.

use std::process::Command;

fn kyosai(args: &[&str]) -> (i32, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_kyosai"))
        .args(args)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    let json = if out.stdout.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&out.stdout).unwrap()
    };
    (code, json)
}

#[test]
fn wareki_of_an_iso_date() {
    let (code, j) = kyosai(&["wareki", "2019-05-01"]);
    assert_eq!(code, 0);
    assert_eq!(j["wareki"], "令和元年5月1日");
    assert_eq!(j["short"], "R1.5.1");
    let (code, j) = kyosai(&["wareki", "2019-04-30"]);
    assert_eq!(code, 0);
    assert_eq!(j["wareki"], "平成31年4月30日");
}

#[test]
fn seireki_of_text_in_several_forms() {
    for input in ["令和6年4月1日", "R6.4.1", "令和６年４月１日"] {
        let (code, j) = kyosai(&["seireki", input]);
        assert_eq!(code, 0, "{input}");
        assert_eq!(j["iso"], "2024-04-01", "{input}");
    }
}

#[test]
fn a_wrong_date_exits_1_with_a_code_and_a_japanese_message() {
    let (code, j) = kyosai(&["seireki", "平成31年5月1日"]);
    assert_eq!(code, 1);
    assert_eq!(j["error"]["code"], "wareki.outside_era");
    assert!(j["error"]["message"]
        .as_str()
        .unwrap()
        .contains("令和元年5月1日"));
    let (code, j) = kyosai(&["wareki", "2024/04/01"]);
    assert_eq!(code, 1);
    assert_eq!(j["error"]["code"], "date.invalid_iso");
    let (code, _) = kyosai(&["wareki", "1868-01-24"]);
    assert_eq!(code, 1);
}

#[test]
fn a_wrong_command_line_exits_2() {
    let (code, _) = kyosai(&["no-such-command"]);
    assert_eq!(code, 2);
    let (code, _) = kyosai(&["wareki"]);
    assert_eq!(code, 2);
}

#[test]
fn grade_of_the_domain_example() {
    // 143,700 + 14,000 = 157,700 -> 短期 13級 160,000 / 厚生年金 10級 160,000
    let (code, j) = kyosai(&["grade", "--pay", "157700", "--on", "2024-04-01"]);
    assert_eq!(code, 0);
    assert_eq!(j["health"]["grade"], 13);
    assert_eq!(j["health"]["standardMonthly"], 160000);
    assert_eq!(j["pension"]["grade"], 10);
    assert_eq!(j["pension"]["standardMonthly"], 160000);
    let (code, j) = kyosai(&["grade", "--pay", "-1", "--on", "2024-04-01"]);
    assert_eq!(code, 1);
    assert_eq!(j["error"]["code"], "grades.negative_amount");
}

#[test]
fn acquisition_check_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    // An empty form: read fine, but the required fields are missing -> exit 1 with findings.
    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, "{}").unwrap();
    let (code, j) = kyosai(&[
        "acquisition",
        "check",
        empty.to_str().unwrap(),
        "--today",
        "2025-04-01",
    ]);
    assert_eq!(code, 1);
    assert!(j["errors"].as_u64().unwrap() > 0);
    assert!(j["forms"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["code"] == "required"));
    // Not JSON at all -> exit 2.
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "氏名,フリガナ\n").unwrap();
    let (code, _) = kyosai(&["acquisition", "check", broken.to_str().unwrap()]);
    assert_eq!(code, 2);
    let (code, _) = kyosai(&["acquisition", "check", "/nonexistent/forms.json"]);
    assert_eq!(code, 2);
}
