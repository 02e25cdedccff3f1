//! The import of vendor AI-OCR results (`kyosai_ocr::vendor`, docs/ocr-vendor-format.md)
//! as the correction queue will run it on a file from DX Suite or a similar service:
//! CSV or JSON, for either template, then checks and routing. Whatever the bytes, the
//! import answers with readings or a coded Japanese error — it never panics — and every
//! reading it lets through belongs to the template, has a confidence from 0 to 1 and is
//! routed somewhere.
#![no_main]

use chrono::NaiveDate;
use kyosai_ocr::field::EngineInfo;
use kyosai_ocr::pipeline::decide_readings;
use kyosai_ocr::routing::RoutingPolicy;
use kyosai_ocr::template::builtin;
use kyosai_ocr::template::Template;
use kyosai_ocr::vendor::{import_csv, import_json};
use libfuzzer_sys::fuzz_target;

/// The built-in templates, parsed once (TOML parsing would otherwise be most of each run).
fn templates() -> &'static [Template] {
    static TEMPLATES: std::sync::OnceLock<Vec<Template>> = std::sync::OnceLock::new();
    TEMPLATES.get_or_init(|| match builtin() {
        Ok(t) => t,
        Err(e) => panic!("the built-in templates must load: {e}"),
    })
}

fuzz_target!(|data: &[u8]| {
    let templates = templates();
    let engine = EngineInfo {
        name: "vendor:fuzz".into(),
        version: String::new(),
    };
    let today = NaiveDate::from_ymd_opt(2025, 6, 30).unwrap_or_default();
    let policy = RoutingPolicy::default();
    for template in templates {
        for result in [
            import_csv(data, template, &engine),
            import_json(data, template, &engine),
        ] {
            let docs = match result {
                Ok(docs) => docs,
                Err(e) => {
                    assert!(e.code().starts_with("ocr.vendor."), "code {}", e.code());
                    assert!(!e.to_string().is_empty());
                    continue;
                }
            };
            assert!(!docs.is_empty());
            for doc in docs {
                for r in &doc.readings {
                    assert!(template.field(&r.field).is_some(), "{}", r.field);
                    let c = r.confidence.value();
                    assert!((0.0..=1.0).contains(&c), "{c}");
                }
                let routed = decide_readings(
                    template,
                    &doc.document_id,
                    &doc.readings,
                    &policy,
                    today,
                    &Default::default(),
                );
                assert_eq!(routed.fields.len(), template.fields.len());
                let _ = routed.record_json(template);
                let _ = serde_json::to_vec(&routed);
            }
        }
    }
});
