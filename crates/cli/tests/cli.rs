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

fn fixture(name: &str) -> String {
    format!(
        "{}/../../tests/fixtures/jp-pint/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn invoice_import_reads_the_official_jp_pint_sample() {
    let (code, j) = kyosai(&[
        "invoice",
        "import",
        &fixture("Japan PINT Invoice UBL Example.xml"),
        "--today",
        "2026-11-26",
    ]);
    assert_eq!(code, 0, "{j}");
    assert_eq!(j["invoice"]["number"], "156");
    assert_eq!(j["invoice"]["sellerRegistration"], "T1234567890123");
    assert_eq!(j["payable"], 289_490);
    assert_eq!(j["errors"], 0);
    assert_eq!(j["computedTotals"][0]["category"], "standard");
    assert_eq!(j["computedTotals"][0]["tax"], 26_000);
}

#[test]
fn invoice_import_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.xml");
    std::fs::write(&junk, "this is not xml <").unwrap();
    let (code, _) = kyosai(&["invoice", "import", junk.to_str().unwrap()]);
    assert_eq!(code, 2);
    let wrong = dir.path().join("wrong.xml");
    let sample = std::fs::read_to_string(fixture("Japan PINT Invoice UBL Example1-minimum.xml"))
        .unwrap()
        .replace("urn:peppol:pint:billing-1@jp-1", "urn:cen.eu:en16931:2017");
    std::fs::write(&wrong, sample).unwrap();
    let (code, j) = kyosai(&["invoice", "import", wrong.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(j["error"]["code"], "pint.customization");
}

fn export_request(payee: &str) -> serde_json::Value {
    serde_json::json!({
        "requester": {
            "code": "1234567890", "nameKana": "ﾄｳｷﾖｳﾄｼﾖｸｲﾝｷﾖｳｻｲｸﾐｱｲ",
            "bankCode": "0001", "branchCode": "001", "depositType": 1, "accountNumber": "7654321"
        },
        "transferDate": "2026-11-30",
        "transfers": [
            { "bankCode": "0005", "branchCode": "001", "depositType": 1, "accountNumber": "1234567",
              "payeeKana": payee, "amount": 300000, "reference": "PO-1" },
            { "bankCode": "9900", "branchCode": "018", "depositType": 1, "accountNumber": "1234567",
              "payeeKana": "ｻﾄｳ ﾊﾅｺ", "amount": 12345, "reference": "PO-2" }
        ]
    })
}

#[test]
fn zengin_export_writes_120_byte_records_and_reports_every_rejected_row() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("req.json");
    let out = dir.path().join("sogo.txt");
    std::fs::write(
        &input,
        export_request("カブシキガイシャヤマダジムキ").to_string(),
    )
    .unwrap();
    let (code, j) = kyosai(&[
        "zengin",
        "export",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{j}");
    assert_eq!(j["count"], 2);
    assert_eq!(j["total"], 312_345);
    let bytes = std::fs::read(&out).unwrap();
    // header, two data records, trailer, end: 5 records of 120 bytes + CR LF.
    assert_eq!(bytes.len(), 5 * 122);
    assert!(bytes.chunks(122).all(|r| r.ends_with(b"\r\n")));
    assert_eq!(&bytes[0..3], b"121");
    assert_eq!(bytes[122], b'2');
    assert_eq!(bytes[3 * 122], b'8');
    assert_eq!(bytes[4 * 122], b'9');

    // A 漢字 that is not a company form cannot be written in half-width kana.
    std::fs::remove_file(&out).unwrap();
    std::fs::write(&input, export_request("山田 太郎").to_string()).unwrap();
    let (code, j) = kyosai(&[
        "zengin",
        "export",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{j}");
    assert_eq!(j["errors"][0]["code"], "zengin.name_char");
    assert_eq!(j["errors"][0]["reference"], "PO-1");
    assert!(!out.exists(), "nothing is written when a row is rejected");
}
