#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! The AI-OCR correction queue across two PCs of one office, through the app's own use
//! cases, the local Tesseract engine, and the real central service over TLS on 127.0.0.1:
//! a generated 資格取得届 is read on one PC; its clerk confirms or corrects the fields
//! that need a person and keys the handwritten 住所; the edit lease keeps the second
//! clerk out meanwhile; the second clerk keys the 住所 blind, which completes the document
//! and hands it off as a prefilled draft carrying each value's provenance.

use chrono::Utc;
use kyosai_app::ocr::{self, OcrEnterInput};
use kyosai_central::testing::{TestBackend, TestServer};
use kyosai_ocr::queue::DOCUMENT_KIND;
use kyosai_ocr::routing::RoutingPolicy;
use kyosai_ocr::samples::{generate_document, Fonts};
use kyosai_ocr::template::builtin_by_id;
use kyosai_sync_protocol::ocr::{LeaseAction, LeaseRequest};
use kyosai_sync_protocol::Role;
use uuid::Uuid;

mod common;

use common::{Pc, PASSWORD};

const TEMPLATE: &str = "shikaku-shutoku-todoke";

async fn lease(pc: &Pc, id: Uuid, action: LeaseAction) -> Result<(), String> {
    let token = pc.auth.access_token().await.unwrap();
    pc.auth
        .api()
        .ocr_lease(&token, id, &LeaseRequest { action })
        .await
        .map(|_| ())
        .map_err(|e| format!("{}: {}", e.code, e.message))
}

/// Enters, for every field `pc` has a task on, the value printed on the paper.
fn work_through(pc: &Pc, id: &str, truth: &kyosai_ocr::samples::GroundTruth) -> usize {
    let view = pc
        .with(|s| ocr::view_on(s, &pc.me, id, None, Utc::now()))
        .unwrap();
    let template = builtin_by_id(TEMPLATE).unwrap();
    let mut done = 0;
    for f in view.state.fields.iter().filter(|f| f.task.is_some()) {
        let t = &truth.fields[&f.field];
        let spec = template.field(&f.field).unwrap();
        let text = if spec.kind.is_mark() {
            t.value.clone()
        } else {
            t.printed.clone()
        };
        if f.task.as_deref() == Some("blind_entry") {
            // Blind: nothing suggested, no engine value, no other entry.
            assert_eq!(f.suggested, "");
            assert_eq!(f.engine_value, None);
            assert!(f.entries.is_empty());
        }
        pc.with(|s| {
            ocr::enter_on(
                s,
                &pc.me,
                &OcrEnterInput {
                    document_id: id.to_owned(),
                    field: f.field.clone(),
                    text,
                    elapsed_ms: 2_500,
                },
                Utc::now(),
            )
        })
        .unwrap();
        done += 1;
    }
    done
}

/// The central service with 新宿区役所 and its staff `(id, name, role)`.
async fn office_with(staff: &[(&str, &str, Role)]) -> TestServer {
    let server = TestServer::start(TestBackend::Sqlite).await;
    server.add_office("1203", "新宿区役所").await;
    for (id, name, role) in staff {
        server
            .add_user(id, name, &[*role], Some("1203"), PASSWORD)
            .await;
    }
    server
}

#[tokio::test]
async fn a_read_form_is_corrected_by_two_clerks_and_becomes_a_prefilled_draft() {
    let server = office_with(&[
        ("tanto", "佐藤 花子", Role::OfficeClerk),
        ("tanto2", "木村 由美", Role::OfficeClerk),
    ])
    .await;
    let a = Pc::sign_in(&server, "tanto").await;
    let b = Pc::sign_in(&server, "tanto2").await;

    // A scan of one filled form, read on A's PC.
    let template = builtin_by_id(TEMPLATE).unwrap();
    let fonts = Fonts::system().unwrap();
    let sample = generate_document(&template, "acq-e2e", 20_261_126, &fonts).unwrap();
    let today = kyosai_app::acquisitions::today_jst(Utc::now());
    let docs = ocr::read_scan(
        &sample.jpeg_pages[0],
        TEMPLATE,
        "scan-0001",
        today,
        &RoutingPolicy::default(),
    )
    .unwrap();
    assert_eq!(docs.len(), 1);
    let summary = a
        .with(|s| ocr::store_read_on(s, &a.me, "1203", "scan-0001.jpg", docs, Utc::now()))
        .unwrap();
    assert_eq!(summary.documents, 1);
    assert_eq!(summary.fields, template.fields.len() as u32);
    assert!(
        summary.to_people >= 1,
        "the handwritten 住所 always goes to people"
    );
    let id = summary.ids[0].clone();
    let uuid: Uuid = id.parse().unwrap();
    a.sync().await;
    b.sync().await;

    // Both PCs see it; B sees the images too (the scan record came with the sync).
    let queue_b = b.with(|s| ocr::queue_on(s, &b.me)).unwrap();
    assert_eq!(queue_b.items.len(), 1);
    let view_b = b
        .with(|s| ocr::view_on(s, &b.me, &id, None, Utc::now()))
        .unwrap();
    assert_eq!(view_b.pages.len(), 1);
    assert_eq!(view_b.crops.len(), template.fields.len());
    assert!(view_b.pages[0].src.starts_with("data:image/jpeg;base64,"));

    // The edit lease: A works, B is kept out and told by whom.
    lease(&a, uuid, LeaseAction::Acquire).await.unwrap();
    let refused = lease(&b, uuid, LeaseAction::Acquire).await.unwrap_err();
    assert!(refused.starts_with("ocr.lease_held"), "{refused}");
    assert!(refused.contains("佐藤 花子"), "{refused}");

    let a_done = work_through(&a, &id, &sample.truth);
    assert!(a_done >= 1);
    let state = a
        .with(|s| ocr::view_on(s, &a.me, &id, None, Utc::now()))
        .unwrap()
        .state;
    assert_eq!(state.my_tasks, 0);
    assert_eq!(state.status, "open", "the 住所 waits for a second clerk");
    assert!(state.handed_off.is_none());
    // Undo gives A's last field back, and A enters it again.
    let back = a.with(|s| ocr::undo_on(s, &a.me, &id)).unwrap();
    assert_eq!(back.my_tasks, 1);
    assert_eq!(work_through(&a, &id, &sample.truth), 1);
    lease(&a, uuid, LeaseAction::Release).await.unwrap();
    a.sync().await;

    // B keys the 住所 blind; equal values verify it and complete the document.
    b.sync().await;
    lease(&b, uuid, LeaseAction::Acquire).await.unwrap();
    assert_eq!(work_through(&b, &id, &sample.truth), 1);
    let state = b
        .with(|s| ocr::view_on(s, &b.me, &id, None, Utc::now()))
        .unwrap()
        .state;
    assert_eq!(state.status, "handed_off");
    let hand = state.handed_off.unwrap();
    assert_eq!(hand.kind, "acquisition");
    assert_eq!(hand.by, "木村 由美");
    b.sync().await;
    a.sync().await;

    // The draft, on A's PC too after the sync: every value as on paper, with provenance.
    let draft = a
        .with(|s| s.sync().record(hand.record_id.parse().unwrap()))
        .unwrap()
        .unwrap();
    assert_eq!(draft.kind, "acquisition");
    let form: kyosai_domain::acquisition::AcquisitionForm =
        serde_json::from_value(draft.body.clone()).unwrap();
    let name = &sample.truth.fields["member.name"].value;
    assert_eq!(form.member.name.as_deref(), Some(name.as_str()));
    let prov = &draft.body[ocr::PROVENANCE_KEY];
    assert_eq!(prov["documentId"], id);
    let fields = prov["fields"].as_array().unwrap();
    assert_eq!(fields.len(), template.fields.len());
    let addr = fields
        .iter()
        .find(|f| f["field"] == "member.address")
        .unwrap();
    assert_eq!(addr["resolution"], "double_entry_agreed");
    assert_eq!(addr["by"], serde_json::json!(["佐藤 花子", "木村 由美"]));
    assert_eq!(addr["value"], sample.truth.fields["member.address"].value);
    for f in fields {
        // Text by Tesseract, check boxes by ink.
        let engine = f["engine"].as_str().unwrap();
        assert!(
            engine.starts_with("tesseract") || engine.starts_with("marks"),
            "{f}"
        );
    }
    // Whatever nobody looked at was right (the key figure of the issue, on this form).
    let wrong_auto: Vec<&serde_json::Value> = fields
        .iter()
        .filter(|f| f["resolution"] == "auto")
        .filter(|f| {
            let truth = &sample.truth.fields[f["field"].as_str().unwrap()].value;
            f["value"].as_str() != Some(truth.as_str())
        })
        .collect();
    assert!(wrong_auto.is_empty(), "{wrong_auto:?}");

    // The editor shows the provenance (個人番号 masked), and saving keeps it.
    let view = a
        .with(|s| kyosai_app::acquisitions::get_on(s, &hand.record_id, Utc::now()))
        .unwrap();
    let p = view.ocr_provenance.clone().unwrap();
    assert_eq!(p.fields.len(), template.fields.len());
    let mn = p
        .fields
        .iter()
        .find(|f| f.field == "member.myNumber")
        .unwrap();
    assert!(mn.value.starts_with("●●●● ●●●● "), "{}", mn.value);
    // Check boxes as printed on the form.
    let sex = p.fields.iter().find(|f| f.field == "member.sex").unwrap();
    assert!(sex.value == "男" || sex.value == "女", "{}", sex.value);
    let saved = a
        .with(|s| {
            kyosai_app::acquisitions::save_on(
                s,
                &kyosai_app::acquisitions::AcquisitionInput {
                    id: Some(hand.record_id.clone()),
                    form: view.form.clone(),
                },
                Some("1203".into()),
                Some(&a.me),
                Utc::now(),
            )
        })
        .unwrap();
    assert_eq!(saved.ocr_provenance, Some(p));

    // The document left the queues' work; the figures count both clerks.
    let queue_a = a.with(|s| ocr::queue_on(s, &a.me)).unwrap();
    assert_eq!(queue_a.items[0].status, "handed_off");
    assert_eq!(queue_a.mine, 0);
    let m = a.with(ocr::metrics_on).unwrap();
    assert_eq!(m.documents, 1);
    assert_eq!(m.fields, template.fields.len() as u32);
    let names: Vec<&str> = m.operators.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, vec!["佐藤 花子", "木村 由美"]);
    assert!(m.operators.iter().all(|o| o.fields_per_hour > 0.0));
    // Opening a form with a 個人番号 on it is a reveal, audited on each PC that opened it.
    let reveals = a.with(|s| s.audit().entries()).unwrap();
    assert!(reveals
        .iter()
        .any(|e| e.action == kyosai_audit::actions::MYNUMBER_REVEAL
            && e.target.as_deref() == Some(id.as_str())));
    assert!(
        b.with(|s| s.sync().list_records(DOCUMENT_KIND))
            .unwrap()
            .len()
            == 1,
        "one document, not a copy per PC"
    );
}

#[tokio::test]
async fn an_office_head_cannot_open_a_form_showing_a_my_number() {
    let server = office_with(&[
        ("tanto", "佐藤 花子", Role::OfficeClerk),
        ("shocho", "鈴木 一郎", Role::OfficeHead),
    ])
    .await;
    let a = Pc::sign_in(&server, "tanto").await;
    let head = Pc::sign_in(&server, "shocho").await;
    let template = builtin_by_id(TEMPLATE).unwrap();
    let fonts = Fonts::system().unwrap();
    let sample = generate_document(&template, "acq-head", 5, &fonts).unwrap();
    let today = kyosai_app::acquisitions::today_jst(Utc::now());
    let docs = ocr::read_scan(
        &sample.jpeg_pages[0],
        TEMPLATE,
        "scan-0002",
        today,
        &RoutingPolicy::default(),
    )
    .unwrap();
    let summary = a
        .with(|s| ocr::store_read_on(s, &a.me, "1203", "scan.jpg", docs, Utc::now()))
        .unwrap();
    a.sync().await;
    head.sync().await;
    let e = head
        .with(|s| ocr::view_on(s, &head.me, &summary.ids[0], None, Utc::now()))
        .unwrap_err();
    assert_eq!(e.code, "my_number.reveal_forbidden");
    // A file that is not a scan gets a clear message, and nothing is queued.
    let e = ocr::read_scan(
        b"not an image",
        TEMPLATE,
        "x",
        today,
        &RoutingPolicy::default(),
    )
    .unwrap_err();
    assert_eq!(e.code, "ocr.read_failed");
    assert!(e.message.contains("読み取れません"), "{}", e.message);
}
