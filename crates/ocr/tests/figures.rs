//! The figures on generated forms, with the real Tesseract engine: field
//! accuracy, straight-through rate and — the figure that must be 0 — wrong values
//! accepted without a person. The full set (40 documents) is `kyosai-ocr eval`
//! (docs/benchmarks.md); this is its first half, which takes well under a minute.
//!
//! Needs the system packages of scripts/lib.sh (Tesseract with `jpn`, the fonts).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use chrono::NaiveDate;
use kyosai_ocr::eval::{evaluate, read_samples};
use kyosai_ocr::pipeline::Reader;
use kyosai_ocr::routing::{Route, RoutingPolicy};
use kyosai_ocr::samples::{self, Fonts, SampleOptions};
use kyosai_ocr::template::builtin_by_id;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 10, 31).unwrap()
}

fn reader() -> Reader {
    Reader::with_tesseract(RoutingPolicy::default(), today())
        .expect("Tesseract with jpn and eng (scripts/lib.sh installs them)")
        .with_reference(samples::reference_data())
}

#[test]
fn no_wrong_value_is_accepted_without_a_person() {
    let fonts = Fonts::system().expect("the fonts of scripts/lib.sh");
    let docs = samples::generate(
        &SampleOptions {
            seed: 2025,
            acquisitions: 12,
            invoices: 8,
        },
        &fonts,
    )
    .unwrap();
    let mut reader = reader();
    let results = read_samples(&mut reader, &docs).unwrap();
    // Every page was aligned: the rotation found is the one the generator applied.
    for (d, r) in docs.iter().zip(&results) {
        let found = r.pages[0].rotation_deg;
        assert!(
            (found - d.truth.scan.rotation_deg).abs() < 0.15,
            "{}: rotation {found} vs {}",
            d.truth.document_id,
            d.truth.scan.rotation_deg
        );
    }
    let truth = docs
        .iter()
        .map(|d| (d.truth.document_id.clone(), d.truth.clone()))
        .collect();
    let report = evaluate(&results, &truth);
    println!("{}", report.table());
    assert!(
        report.wrong_auto_accepted.is_empty(),
        "wrong values accepted without a person: {:?}",
        report.wrong_auto_accepted
    );
    // Not by sending everything to people: most fields go straight through, and the
    // engine reads nearly all of them right.
    let stp = report.straight_through.fields.rate();
    assert!(stp > 0.70, "straight-through {stp}");
    let accuracy = report.total.correct as f64 / report.total.fields as f64;
    assert!(accuracy > 0.90, "accuracy {accuracy}");
    // The correction screen's picture of a field: upright, the box with its label.
    let page = kyosai_ocr::input::load_pages(&docs[0].jpeg_pages[0])
        .unwrap()
        .remove(0);
    let template = builtin_by_id("shikaku-shutoku-todoke").unwrap();
    let png =
        kyosai_ocr::pipeline::field_preview_png(page, &template, "member.myNumber", 2.0).unwrap();
    let preview = kyosai_ocr::input::load_pages(&png).unwrap().remove(0);
    let px_per_mm = results[0].pages[0].px_per_mm;
    assert!((preview.width() as f32 - 74.0 * px_per_mm).abs() < 3.0);
    // Handwritten fields went to double entry whatever the engine read.
    assert!(results.iter().all(|r| r
        .field("member.address")
        .is_none_or(|f| f.decision.route == Route::DoubleEntry)));
}

#[test]
fn a_multipage_tiff_and_a_scan_pdf_are_read_document_by_document() {
    let fonts = Fonts::system().unwrap();
    let docs = samples::generate(
        &SampleOptions {
            seed: 31,
            acquisitions: 2,
            invoices: 2,
        },
        &fonts,
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (manifest, _) = samples::write_set(dir.path(), 31, &docs).unwrap();
    let mut reader = reader();
    for (file, template, ids) in [
        (
            "batch-acquisition.tif",
            "shikaku-shutoku-todoke",
            ["acq-001", "acq-002"],
        ),
        ("batch-invoice.pdf", "seikyusho", ["inv-001", "inv-002"]),
    ] {
        let entry = manifest.files.iter().find(|e| e.file == file).unwrap();
        assert_eq!(entry.documents, ids);
        let bytes = std::fs::read(dir.path().join(file)).unwrap();
        let template = builtin_by_id(template).unwrap();
        let results = reader.read_batch("batch", &template, &bytes).unwrap();
        assert_eq!(results.len(), 2, "{file}");
        assert_eq!(results[1].document_id, "batch-2");
        for (r, id) in results.iter().zip(ids) {
            let truth = &manifest.truth[id];
            for f in &r.fields {
                let expected = &truth.fields[&f.field].value;
                if f.decision.route.is_auto_accepted() {
                    assert_eq!(
                        f.value.as_ref().map(|v| v.as_str()),
                        Some(expected.as_str()),
                        "{file} {id} {}",
                        f.field
                    );
                }
            }
            // The identifiers a clerk would least like to retype came through.
            let key = if template.id == "seikyusho" {
                "sellerRegistration"
            } else {
                "member.myNumber"
            };
            let f = r.field(key).unwrap();
            assert!(
                f.value.as_ref().map(|v| v.as_str()) == Some(truth.fields[key].value.as_str())
                    || f.decision.route == Route::Review,
                "{file} {id}"
            );
        }
    }
}

#[test]
fn the_generator_is_deterministic() {
    let fonts = Fonts::system().unwrap();
    let t = builtin_by_id("seikyusho").unwrap();
    let a = samples::generate_document(&t, "inv-009", 77, &fonts).unwrap();
    let b = samples::generate_document(&t, "inv-009", 77, &fonts).unwrap();
    let c = samples::generate_document(&t, "inv-009", 78, &fonts).unwrap();
    assert_eq!(a.jpeg_pages, b.jpeg_pages);
    assert_eq!(a.truth, b.truth);
    assert_ne!(a.truth.fields, c.truth.fields);
    // The truth adds up: what the invoice checks verify holds on the generated data.
    let f = &a.truth.fields;
    let n = |k: &str| f[k].value.parse::<i64>().unwrap_or(0);
    assert_eq!(
        n("statedPayable"),
        n("statedTotals.standard.taxable")
            + n("statedTotals.standard.tax")
            + n("statedTotals.reduced.taxable")
            + n("statedTotals.reduced.tax")
    );
    assert!(kyosai_domain::ids::check_invoice_registration_number(
        "sellerRegistration",
        &f["sellerRegistration"].value
    )
    .1
    .is_empty());
}
