#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, NaiveDate, TimeZone};

use super::*;
use crate::checks::ReferenceData;
use crate::field::{Confidence, EngineInfo, FieldReading, OcrText};
use crate::pipeline::decide_readings;
use crate::routing::RoutingPolicy;
use crate::template::builtin_by_id;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 1, 0, 0).unwrap()
}

fn person(id: &str, name: &str) -> Person {
    Person {
        id: id.into(),
        name: name.into(),
    }
}

/// Readings of a generated 資格取得届 as an engine would give them (the printed text; the
/// option of a check box): the fields named in `unsure` with low confidence, everything
/// else sure.
fn document(unsure: &[&str]) -> (Template, QueueDocument) {
    let template = builtin_by_id("shikaku-shutoku-todoke").unwrap();
    let fonts = crate::samples::Fonts::system().unwrap();
    let sample = crate::samples::generate_document(&template, "scan-1", 3, &fonts).unwrap();
    let readings: Vec<FieldReading> = template
        .fields
        .iter()
        .map(|f| {
            let truth = &sample.truth.fields[&f.id];
            let text = if f.kind.is_mark() {
                &truth.value
            } else {
                &truth.printed
            };
            FieldReading {
                field: f.id.clone(),
                page: f.page,
                text: OcrText::new(text.clone()),
                confidence: Confidence::new(if unsure.contains(&f.id.as_str()) {
                    0.40
                } else {
                    0.999
                }),
                bbox: None,
                engine: EngineInfo {
                    name: "test".into(),
                    version: "1".into(),
                },
            }
        })
        .collect();
    let policy = RoutingPolicy {
        qa_rate: 0.0,
        ..RoutingPolicy::default()
    };
    let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let result = decide_readings(
        &template,
        "scan-1",
        &readings,
        &policy,
        today,
        &ReferenceData::default(),
    );
    let doc = QueueDocument::new(
        result,
        "scan-record".into(),
        "scan.pdf".into(),
        person("tanto", "佐藤 花子"),
        t0(),
    );
    (template, doc)
}

/// What the engine read in the field.
fn read(doc: &QueueDocument, field: &str) -> String {
    doc.field(field).unwrap().0.readings[0]
        .text
        .as_str()
        .to_owned()
}

fn route(doc: &QueueDocument, field: &str) -> Route {
    doc.field(field).unwrap().0.decision.route
}

#[test]
fn a_low_confidence_field_goes_to_review_and_a_handwritten_one_to_double_entry() {
    let (_, doc) = document(&["member.name"]);
    assert_eq!(route(&doc, "member.name"), Route::Review);
    assert_eq!(route(&doc, "member.address"), Route::DoubleEntry);
    assert_eq!(doc.task_for("member.name", "tanto"), Some(Task::Review));
    assert_eq!(
        doc.task_for("member.address", "tanto"),
        Some(Task::BlindEntry)
    );
    assert!(!doc.is_complete());
}

#[test]
fn confirming_and_correcting_record_who_and_how() {
    let (t, mut doc) = document(&["member.name", "remuneration.salary"]);
    let a = person("tanto", "佐藤 花子");
    let shown = t0() + Duration::seconds(10);
    let now = shown + Duration::seconds(3);
    let name = read(&doc, "member.name");
    doc.enter(&t, "member.name", &name, &a, shown, now).unwrap();
    // Full-width digits and a yen sign: normalised before comparing.
    doc.enter(&t, "remuneration.salary", "２１５，５００", &a, shown, now)
        .unwrap();
    let name = doc.decided("member.name").unwrap();
    assert_eq!(name.resolution, Resolution::Confirmed);
    assert_eq!(name.by, vec![a.clone()]);
    let pay = doc.decided("remuneration.salary").unwrap();
    assert_eq!(pay.value, "215500");
    assert_eq!(pay.resolution, Resolution::Corrected);
    // Nothing more for this clerk on those fields.
    assert_eq!(doc.task_for("member.name", "tanto"), None);
    let again = doc.enter(&t, "member.name", "山田 次郎", &a, shown, now);
    assert_eq!(again.unwrap_err().code, "ocr.nothing_to_do");
}

#[test]
fn a_value_of_the_wrong_kind_is_refused_and_nothing_changes() {
    let (t, mut doc) = document(&["member.birthDate"]);
    let a = person("tanto", "佐藤 花子");
    let before = doc.clone();
    let e = doc
        .enter(&t, "member.birthDate", "平成2年13月40日", &a, t0(), t0())
        .unwrap_err();
    assert_eq!(e.code, "ocr.value_invalid");
    assert!(e.message.contains("生年月日"), "{}", e.message);
    assert_eq!(doc, before);
}

#[test]
fn double_entry_is_blind_and_a_mismatch_goes_to_a_third_person() {
    let (t, mut doc) = document(&[]);
    let (a, b, c) = (
        person("a", "佐藤 花子"),
        person("b", "木村 由美"),
        person("c", "鈴木 一郎"),
    );
    let f = "member.address";
    doc.enter(&t, f, "東京都新宿区歌舞伎町1-4-1", &a, t0(), t0())
        .unwrap();
    // The first clerk is done with it; the second is asked to key it, not to check a value.
    assert_eq!(doc.task_for(f, "a"), None);
    assert_eq!(doc.task_for(f, "b"), Some(Task::BlindEntry));
    doc.enter(&t, f, "東京都新宿区歌舞伎町1-4-7", &b, t0(), t0())
        .unwrap();
    assert!(doc.decided(f).is_none());
    assert_eq!(doc.task_for(f, "a"), None);
    assert_eq!(doc.task_for(f, "b"), None);
    assert_eq!(doc.task_for(f, "c"), Some(Task::Arbitrate));
    let refused = doc.enter(&t, f, "x", &a, t0(), t0()).unwrap_err();
    assert_eq!(refused.code, "ocr.nothing_to_do");
    doc.enter(&t, f, "東京都新宿区歌舞伎町1-4-1", &c, t0(), t0())
        .unwrap();
    let d = doc.decided(f).unwrap();
    assert_eq!(d.resolution, Resolution::Arbitrated);
    assert_eq!(d.by, vec![c]);
}

#[test]
fn two_equal_entries_verify_the_field_and_complete_the_document() {
    let (t, mut doc) = document(&["member.name"]);
    let (a, b) = (person("a", "佐藤 花子"), person("b", "木村 由美"));
    let name = read(&doc, "member.name");
    doc.enter(&t, "member.name", &name, &a, t0(), t0()).unwrap();
    doc.enter(
        &t,
        "member.address",
        "東京都新宿区歌舞伎町１－４－１",
        &a,
        t0(),
        t0(),
    )
    .unwrap();
    assert!(!doc.is_complete());
    assert_eq!(doc.tasks_for("a"), vec![]);
    assert_eq!(
        doc.tasks_for("b"),
        vec![("member.address", Task::BlindEntry)]
    );
    doc.enter(
        &t,
        "member.address",
        "東京都新宿区歌舞伎町1-4-1",
        &b,
        t0(),
        t0(),
    )
    .unwrap();
    assert!(doc.is_complete());
    let p = doc.provenance().unwrap();
    let addr = p.iter().find(|p| p.field == "member.address").unwrap();
    assert_eq!(addr.resolution, Resolution::DoubleEntryAgreed);
    assert_eq!(
        addr.by,
        vec!["佐藤 花子".to_string(), "木村 由美".to_string()]
    );
    let office = p.iter().find(|p| p.field == "office.code").unwrap();
    assert_eq!(office.resolution, Resolution::Auto);
    assert!(office.by.is_empty());
    assert_eq!(office.engine, "test 1");
    // The values become an AcquisitionForm.
    let json = crate::checks::record_json(&t, &doc.values().unwrap());
    let form: kyosai_domain::acquisition::AcquisitionForm = serde_json::from_value(json).unwrap();
    assert_eq!(
        form.member.name.as_deref(),
        doc.decided("member.name").map(|d| d.value).as_deref()
    );
    doc.hand_off("acquisition", "rec-1", &b, t0()).unwrap();
    assert!(matches!(doc.status, DocumentStatus::HandedOff { .. }));
    let late = doc.enter(&t, "member.name", "x", &a, t0(), t0());
    assert_eq!(late.unwrap_err().code, "ocr.handed_off");
}

#[test]
fn hand_off_waits_for_every_field() {
    let (_, mut doc) = document(&["member.name"]);
    let e = doc
        .hand_off("acquisition", "r", &person("a", "A"), t0())
        .unwrap_err();
    assert_eq!(e.code, "ocr.incomplete");
    assert!(e.message.contains("2件"), "{}", e.message);
}

#[test]
fn undo_takes_back_only_my_last_step() {
    let (t, mut doc) = document(&["member.name", "employment.jobTitle"]);
    let (a, b) = (person("a", "A"), person("b", "B"));
    let name = read(&doc, "member.name");
    doc.enter(&t, "member.name", &name, &a, t0(), t0()).unwrap();
    let title = read(&doc, "employment.jobTitle");
    doc.enter(&t, "employment.jobTitle", &title, &a, t0(), t0())
        .unwrap();
    assert_eq!(doc.undo("b").unwrap_err().code, "ocr.undo_not_yours");
    assert_eq!(doc.undo("a").unwrap(), "employment.jobTitle");
    assert_eq!(doc.task_for("employment.jobTitle", "a"), Some(Task::Review));
    assert!(doc.decided("member.name").is_some());
    doc.enter(&t, "member.address", "東京都", &b, t0(), t0())
        .unwrap();
    assert_eq!(doc.undo("a").unwrap_err().code, "ocr.undo_not_yours");
    assert_eq!(doc.undo("b").unwrap(), "member.address");
    assert_eq!(doc.undo("a").unwrap(), "member.name");
    assert_eq!(doc.undo("a").unwrap_err().code, "ocr.undo_nothing");
    assert!(doc.history.is_empty());
}

#[test]
fn exceptions_stop_work_until_reopened() {
    let (t, mut doc) = document(&["member.name"]);
    let a = person("a", "佐藤 花子");
    assert_eq!(
        doc.to_exceptions("  ", &a, t0()).unwrap_err().code,
        "ocr.reason_required"
    );
    doc.to_exceptions("2枚目が欠けている", &a, t0()).unwrap();
    let e = doc
        .enter(&t, "member.name", "山田 太郎", &a, t0(), t0())
        .unwrap_err();
    assert_eq!(e.code, "ocr.in_exceptions");
    assert!(e.message.contains("佐藤 花子"));
    doc.reopen().unwrap();
    let name = read(&doc, "member.name");
    doc.enter(&t, "member.name", &name, &a, t0(), t0()).unwrap();
    assert_eq!(doc.reopen().unwrap_err().code, "ocr.not_in_exceptions");
}

#[test]
fn outcomes_and_work_events_feed_the_metrics() {
    let (t, mut doc) = document(&["member.name"]);
    let a = person("a", "佐藤 花子");
    let shown = t0();
    doc.enter(
        &t,
        "member.name",
        "山田 次郎",
        &a,
        shown,
        shown + Duration::seconds(4),
    )
    .unwrap();
    let outcomes = doc.outcomes();
    let name = outcomes.iter().find(|o| o.field == "member.name").unwrap();
    assert_eq!(name.engine_was_right(), Some(false));
    let auto = outcomes.iter().find(|o| o.field == "office.code").unwrap();
    assert_eq!(auto.verified_value, None);
    let events = doc.work_events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].operator, "佐藤 花子");
    assert_eq!(
        (events[0].finished_at - events[0].started_at).num_seconds(),
        4
    );
    let st = crate::metrics::straight_through(&outcomes);
    assert!(st.fields.count < st.fields.total);
}

#[test]
fn the_body_round_trips_through_json() {
    let (t, mut doc) = document(&["member.name"]);
    doc.enter(
        &t,
        "member.name",
        "山田 太郎",
        &person("a", "A"),
        t0(),
        t0(),
    )
    .unwrap();
    let json = serde_json::to_value(&doc).unwrap();
    assert_eq!(json["status"]["state"], "open");
    let back: QueueDocument = serde_json::from_value(json).unwrap();
    assert_eq!(back, doc);
}

#[test]
fn a_scan_keeps_a_reduced_page_and_every_fields_crop() {
    let template = builtin_by_id("shikaku-shutoku-todoke").unwrap();
    let fonts = crate::samples::Fonts::system().unwrap();
    let sample = crate::samples::generate_document(&template, "acq-1", 7, &fonts).unwrap();
    let pages = crate::input::load_pages(&sample.jpeg_pages[0]).unwrap();
    let scan = build_scan("doc-1", &template, &pages).unwrap();
    assert_eq!(scan.pages.len(), 1);
    assert_eq!(scan.pages[0].width, PAGE_PREVIEW_WIDTH);
    assert_eq!(scan.crops.len(), template.fields.len());
    use base64::Engine as _;
    let png = base64::engine::general_purpose::STANDARD
        .decode(&scan.crops["member.name"])
        .unwrap();
    assert_eq!(&png[1..4], b"PNG");
}
