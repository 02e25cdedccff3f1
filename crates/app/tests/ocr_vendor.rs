#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! A vendor AI-OCR service's results taken into the queue (`ocr::read_vendor`): the
//! readings are the vendor's, routed by the same rules as the local engine's; the scan
//! gives the page images and field crops. Real generated scans, real CSV and JSON files
//! in the documented format (docs/ocr-vendor-format.md), no local engine involved.

use chrono::NaiveDate;
use kyosai_app::ocr;
use kyosai_ocr::routing::{Route, RoutingPolicy};
use kyosai_ocr::samples::{generate_document, Fonts, GroundTruth};
use kyosai_ocr::template::builtin_by_id;

const TEMPLATE: &str = "shikaku-shutoku-todoke";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

fn csv_field(v: &str) -> String {
    if v.contains([',', '"', '\n']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_owned()
    }
}

/// The vendor's CSV for `truth`: every field as printed, confidence 0.99, except the
/// fields in `doubtful` (confidence 0.40) and those in `skipped` (no line at all).
fn vendor_csv(docs: &[(&str, &GroundTruth)], doubtful: &[&str], skipped: &[&str]) -> String {
    let template = builtin_by_id(TEMPLATE).unwrap();
    let mut out = String::from("document_id,page,field,value,confidence\n");
    for (doc_id, truth) in docs {
        for spec in &template.fields {
            if skipped.contains(&spec.id.as_str()) {
                continue;
            }
            let t = &truth.fields[&spec.id];
            let value = if spec.kind.is_mark() {
                &t.value
            } else {
                &t.printed
            };
            let confidence = if doubtful.contains(&spec.id.as_str()) {
                "0.40"
            } else {
                "0.99"
            };
            out.push_str(&format!(
                "{doc_id},1,{},{},{confidence}\n",
                spec.id,
                csv_field(value)
            ));
        }
    }
    out
}

#[test]
fn vendor_readings_are_routed_like_ours_and_the_scan_gives_the_crops() {
    let template = builtin_by_id(TEMPLATE).unwrap();
    let fonts = Fonts::system().unwrap();
    let sample = generate_document(&template, "vendor-1", 20_261_127, &fonts).unwrap();
    let doubtful = "member.name";
    let skipped = "member.address";
    let csv = vendor_csv(&[("DX-0001", &sample.truth)], &[doubtful], &[skipped]);

    let docs = ocr::read_vendor(
        &sample.jpeg_pages[0],
        csv.as_bytes(),
        "dx-suite-0001.csv",
        TEMPLATE,
        "20261127-100000-batch",
        today(),
        &RoutingPolicy::default(),
    )
    .unwrap();
    assert_eq!(docs.len(), 1);
    let d = &docs[0];
    assert_eq!(d.result.document_id, "20261127-100000-batch");
    assert_eq!(d.result.fields.len(), template.fields.len());
    // The crops come from the scan: one per field of the template.
    let scan = serde_json::to_value(&d.scan).unwrap();
    assert_eq!(
        scan["crops"].as_object().map(|c| c.len()),
        Some(template.fields.len()),
        "{}",
        &scan.to_string()[..200.min(scan.to_string().len())]
    );

    for f in &d.result.fields {
        let spec = template.field(&f.field).unwrap();
        if f.field == skipped {
            // No reading: a person reads it off the crop.
            assert!(f.readings.is_empty());
            assert_ne!(f.decision.route, Route::Accepted, "{}", f.field);
            continue;
        }
        assert_eq!(f.readings.len(), 1, "{}", f.field);
        assert_eq!(f.readings[0].engine.name, "vendor");
        assert_eq!(f.readings[0].engine.version, "dx-suite-0001.csv");
        if f.field == doubtful {
            assert_eq!(
                f.decision.route,
                Route::Review,
                "low confidence goes to a person"
            );
        } else if spec.handwritten {
            assert_eq!(f.decision.route, Route::DoubleEntry, "{}", f.field);
        }
        // Nothing the vendor read wrongly can be accepted: here every value is right, so
        // an accepted field holds the printed value, normalised.
        if f.decision.route == Route::Accepted {
            assert_eq!(
                f.value.as_ref().map(|v| v.as_str().to_owned()),
                Some(sample.truth.fields[&f.field].value.clone()),
                "{}",
                f.field
            );
        }
    }
    let accepted = d
        .result
        .fields
        .iter()
        .filter(|f| f.decision.route == Route::Accepted)
        .count();
    assert!(
        accepted >= template.fields.len() / 2,
        "confident, valid vendor readings go straight through ({accepted} of {})",
        template.fields.len()
    );
}

#[test]
fn the_json_format_is_taken_too() {
    let template = builtin_by_id(TEMPLATE).unwrap();
    let fonts = Fonts::system().unwrap();
    let sample = generate_document(&template, "vendor-2", 20_261_128, &fonts).unwrap();
    let fields: Vec<serde_json::Value> = template
        .fields
        .iter()
        .map(|spec| {
            let t = &sample.truth.fields[&spec.id];
            let value = if spec.kind.is_mark() {
                &t.value
            } else {
                &t.printed
            };
            serde_json::json!({ "page": 1, "field": spec.id, "value": value, "confidence": 0.97 })
        })
        .collect();
    let json = serde_json::json!({
        "format": "kyosai-ocr-vendor/1",
        "engine": { "name": "vendor:dx-suite", "version": "2025.04" },
        "documents": [ { "documentId": "DX-0002", "fields": fields } ]
    });
    let docs = ocr::read_vendor(
        &sample.jpeg_pages[0],
        json.to_string().as_bytes(),
        "dx-suite-0002.json",
        TEMPLATE,
        "p",
        today(),
        &RoutingPolicy::default(),
    );
    let docs = match docs {
        Ok(d) => d,
        Err(e) => panic!("{}: {}", e.code, e.message),
    };
    assert_eq!(docs.len(), 1);
    assert!(docs[0].result.fields.iter().all(|f| f.readings.len() == 1));
}

#[test]
fn counts_that_differ_and_a_broken_file_are_refused_with_the_reason() {
    let template = builtin_by_id(TEMPLATE).unwrap();
    let fonts = Fonts::system().unwrap();
    let sample = generate_document(&template, "vendor-3", 20_261_129, &fonts).unwrap();
    // Two documents in the results, one page (one document) in the scan.
    let csv = vendor_csv(
        &[("DX-0001", &sample.truth), ("DX-0002", &sample.truth)],
        &[],
        &[],
    );
    let e = ocr::read_vendor(
        &sample.jpeg_pages[0],
        csv.as_bytes(),
        "two.csv",
        TEMPLATE,
        "p",
        today(),
        &RoutingPolicy::default(),
    )
    .unwrap_err();
    assert_eq!(e.code, "ocr.vendor_document_count");
    assert!(e.message.contains("2件"), "{}", e.message);
    assert!(e.message.contains("1件"), "{}", e.message);

    // A field the template does not have: the importer's own code, and the file named.
    let bad = "document_id,page,field,value,confidence\nDX-1,1,member.shoeSize,27,0.9\n";
    let e = ocr::read_vendor(
        &sample.jpeg_pages[0],
        bad.as_bytes(),
        "bad.csv",
        TEMPLATE,
        "p",
        today(),
        &RoutingPolicy::default(),
    )
    .unwrap_err();
    assert_eq!(e.code, "ocr.vendor.unknown_field");
    assert!(e.message.contains("bad.csv"), "{}", e.message);

    // Not a scan at all.
    let csv = vendor_csv(&[("DX-0001", &sample.truth)], &[], &[]);
    let e = ocr::read_vendor(
        b"not an image",
        csv.as_bytes(),
        "ok.csv",
        TEMPLATE,
        "p",
        today(),
        &RoutingPolicy::default(),
    )
    .unwrap_err();
    assert_eq!(e.code, "ocr.read_failed");
}

#[test]
fn the_policys_qa_rate_and_threshold_offset_are_applied() {
    let template = builtin_by_id(TEMPLATE).unwrap();
    let fonts = Fonts::system().unwrap();
    let sample = generate_document(&template, "vendor-4", 20_261_130, &fonts).unwrap();
    let csv = vendor_csv(&[("DX-0001", &sample.truth)], &[], &[]);
    let read = |routing: &RoutingPolicy| {
        ocr::read_vendor(
            &sample.jpeg_pages[0],
            csv.as_bytes(),
            "p.csv",
            TEMPLATE,
            "p",
            today(),
            routing,
        )
        .unwrap()
        .remove(0)
        .result
    };
    let count = |r: &kyosai_ocr::pipeline::DocumentResult, route: Route| {
        r.fields
            .iter()
            .filter(|f| f.decision.route == route)
            .count()
    };
    let default = read(&RoutingPolicy::default());
    let straight = count(&default, Route::Accepted) + count(&default, Route::QaSample);
    assert!(straight > 0);
    // Every field that would go straight through is drawn for a person's check.
    let all_qa = read(&RoutingPolicy {
        qa_rate: 1.0,
        ..RoutingPolicy::default()
    });
    assert_eq!(count(&all_qa, Route::Accepted), 0);
    assert_eq!(count(&all_qa, Route::QaSample), straight);
    // A stricter threshold than the vendor's 0.99 sends them all to people.
    let strict = read(&RoutingPolicy {
        threshold_offset: 0.3,
        ..RoutingPolicy::default()
    });
    assert_eq!(
        count(&strict, Route::Accepted) + count(&strict, Route::QaSample),
        0
    );
}
