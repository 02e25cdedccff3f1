#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::template::builtin_by_id;

fn acq() -> Template {
    builtin_by_id("shikaku-shutoku-todoke").unwrap()
}

fn dx() -> EngineInfo {
    EngineInfo {
        name: "vendor:dx-suite".into(),
        version: "".into(),
    }
}

const CSV: &str = "\
document_id,page,field,value,confidence,x,y,width,height
A-0001,1,member.name,山田　太郎,0.98,685,744,1559,153
A-0001,1,member.myNumber,123456789018,0.995,685,1476,826,141
A-0002,1,member.name,佐藤　花子,0.71,,,,
";

#[test]
fn a_csv_becomes_readings_per_document() {
    let docs = import_csv(CSV.as_bytes(), &acq(), &dx()).unwrap();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0].document_id, "A-0001");
    let r = &docs[0].readings[1];
    assert_eq!(r.field, "member.myNumber");
    assert_eq!(r.text.as_str(), "123456789018");
    assert!((r.confidence.value() - 0.995).abs() < 1e-6);
    assert_eq!(
        r.bbox,
        Some(PixelBox {
            x: 685,
            y: 1476,
            w: 826,
            h: 141
        })
    );
    assert_eq!(r.engine.name, "vendor:dx-suite");
    assert_eq!(docs[1].readings[0].bbox, None);
}

#[test]
fn japanese_headers_percent_confidence_and_shift_jis_are_read() {
    let text =
        "帳票ID,ページ,項目,読取値,確信度(%)\r\nB-1,1,member.nameKana,ヤマダ　タロウ,87.5\r\n";
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(text);
    let docs = import_csv(&sjis, &acq(), &dx()).unwrap();
    let r = &docs[0].readings[0];
    assert_eq!(r.text.as_str(), "ヤマダ　タロウ");
    assert!((r.confidence.value() - 0.875).abs() < 1e-6);
    // And with a UTF-8 BOM.
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(text.as_bytes());
    assert_eq!(import_csv(&bom, &acq(), &dx()).unwrap().len(), 1);
}

fn csv_err(body: &str) -> VendorError {
    import_csv(body.as_bytes(), &acq(), &dx()).unwrap_err()
}

#[test]
fn bad_csv_files_are_refused_naming_the_line_and_the_field() {
    let e = csv_err("document_id,page,field,value,confidence\nA,1,member.name,山田　太郎,1.3\n");
    assert_eq!(e.code(), "ocr.vendor.bad_value");
    assert_eq!(
        e.to_string(),
        "2行目の「confidence」: 確信度 1.3 は 0〜1 の範囲で指定してください。"
    );

    let e = csv_err("document_id,page,field,value,confidence\nA,1,member.name,x,0.9\nA,1,member.shoeSize,27,0.9\n");
    assert_eq!(e.code(), "ocr.vendor.unknown_field");
    assert_eq!(
        e.to_string(),
        "3行目: 項目「member.shoeSize」は帳票「組合員資格取得届」にありません。"
    );

    let e = csv_err(
        "document_id,page,field,value,confidence\nA,1,member.name,x,0.9\nA,1,member.name,y,0.9\n",
    );
    assert_eq!(e.code(), "ocr.vendor.duplicate");
    assert!(e.to_string().starts_with("3行目"), "{e}");

    let e = csv_err("document_id,page,field,value,confidence\nA,2,member.name,x,0.9\n");
    assert!(e.to_string().contains("1ページ目の項目"), "{e}");

    let e = csv_err("document_id,page,field,value,confidence,x,y\nA,1,member.name,x,0.9,1,2\n");
    assert!(e.to_string().contains("4つをそろえて"), "{e}");

    let e = csv_err("document_id,page,field,confidence\nA,1,member.name,0.9\n");
    assert_eq!(e.code(), "ocr.vendor.missing_column");
    assert!(e.to_string().contains("value（読取値）"), "{e}");

    let e = csv_err("document_id,page,field,value,score\nA,1,member.name,x,0.9\n");
    assert_eq!(e.code(), "ocr.vendor.unknown_column");

    let e = csv_err("document_id,page,field,value,confidence\nA,1,member.name,x\n");
    assert_eq!(e.code(), "ocr.vendor.csv_syntax");
    assert!(e.to_string().starts_with("2行目"), "{e}");

    let e = csv_err("document_id,page,field,value,confidence\n");
    assert_eq!(e, VendorError::Empty);

    let e = import_csv(&[0x82, 0xA0, 0xFF, 0xFF, 0x81], &acq(), &dx()).unwrap_err();
    assert_eq!(e, VendorError::Encoding);
}

const JSON: &str = r#"{
  "format": "kyosai-ocr-vendor/1",
  "engine": { "name": "vendor:dx-suite", "version": "2025.04" },
  "documents": [
    { "documentId": "A-0001", "fields": [
      { "field": "member.name", "page": 1, "value": "山田　太郎", "confidence": 0.98,
        "box": { "x": 685, "y": 744, "w": 1559, "h": 153 } },
      { "field": "remuneration.commutingAllowance", "page": 1, "value": "", "confidence": 0.99 }
    ] }
  ]
}"#;

#[test]
fn a_json_becomes_the_same_readings() {
    let docs = import_json(JSON.as_bytes(), &acq(), &dx()).unwrap();
    assert_eq!(docs.len(), 1);
    let r = &docs[0].readings[0];
    assert_eq!(r.engine.version, "2025.04");
    assert_eq!(r.bbox.map(|b| b.w), Some(1559));
    assert!(docs[0].readings[1].text.is_blank());
}

#[test]
fn bad_json_is_refused_naming_the_path() {
    let e = import_json(JSON.replace("0.98", "98").as_bytes(), &acq(), &dx()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "documents[0].fields[0]の「confidence」: 確信度 98 は 0〜1 の範囲で指定してください。"
    );
    let e = import_json(
        JSON.replace(
            "\"page\": 1, \"value\": \"\"",
            "\"page\": 1, \"text\": \"\"",
        )
        .as_bytes(),
        &acq(),
        &dx(),
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("documents[0].fields[1]の「text」"),
        "{e}"
    );
    let e = import_json(b"{\"format\": \"other\"}", &acq(), &dx()).unwrap_err();
    assert!(e.to_string().contains("kyosai-ocr-vendor/1"), "{e}");
    let e = import_json(b"{\"format\": ", &acq(), &dx()).unwrap_err();
    assert_eq!(e.code(), "ocr.vendor.json");
    assert!(e.to_string().contains("1行"), "{e}");
}

#[test]
fn vendor_readings_are_routed_like_the_engines() {
    use crate::pipeline::decide_readings;
    use crate::routing::{Route, RoutingPolicy};
    let docs = import_csv(CSV.as_bytes(), &acq(), &dx()).unwrap();
    let policy = RoutingPolicy {
        qa_rate: 0.0,
        ..RoutingPolicy::default()
    };
    let today = chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
    let doc = decide_readings(
        &acq(),
        &docs[0].document_id,
        &docs[0].readings,
        &policy,
        today,
        &Default::default(),
    );
    assert_eq!(
        doc.field("member.myNumber").unwrap().decision.route,
        Route::Accepted
    );
    assert_eq!(
        doc.field("member.name").unwrap().decision.route,
        Route::Accepted
    );
    // A field the vendor did not send goes to a person.
    let missing = doc.field("member.birthDate").unwrap();
    assert_eq!(missing.decision.route, Route::Review);
    assert_eq!(missing.value, None);
    let low = decide_readings(
        &acq(),
        "A-0002",
        &docs[1].readings,
        &policy,
        today,
        &Default::default(),
    );
    assert_eq!(
        low.field("member.name").unwrap().decision.route,
        Route::Review
    );
}
