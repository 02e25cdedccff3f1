//! A 個人番号 leaves the central service only for the roles that may see it (所属所担当者,
//! 事務局審査担当): a 所属所長 or a 決裁者 receives `withheld:my_number` in its place — in
//! pull pages, in conflicts, in the values of a scanned document — and what they write
//! back never erases or overwrites the stored number. Real HTTPS, SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::*;
use kyosai_central::testing::{postgres_skipped, TestBackend};
use kyosai_domain::acquisition::my_number::WITHHELD;
use kyosai_domain::approval as appr;
use kyosai_domain::ids::my_number_check_digit;
use kyosai_sync_protocol::{Change, PullRequest, PullResponse, Record};
use serde_json::{json, Value};
use uuid::Uuid;

both_backends!(
    only_clerks_and_reviewers_receive_the_number,
    writes_of_those_without_it_keep_the_stored_number,
);

/// A valid 個人番号 (check digit computed), not the published example.
fn a_my_number() -> String {
    let body = "32109876543";
    format!("{body}{}", my_number_check_digit(body).unwrap())
}

/// Every maximal run of exactly 12 ASCII digits that is a number of its own (not part of
/// an id or a hash written in hex): a 個人番号 in any field would show up here.
fn twelve_digit_numbers(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let glued = |c: Option<&u8>| c.is_some_and(|c| c.is_ascii_hexdigit() || *c == b'-');
        let before = start.checked_sub(1).and_then(|s| b.get(s));
        if i - start == 12 && !glued(before) && !glued(b.get(i)) {
            found.push(text[start..i].to_string());
        }
    }
    found
}

/// The raw text of a full pull (one page is enough for these few records).
async fn pull_text(api: &Api, user: &User) -> String {
    let reply = api
        .post(
            "/sync/v1/pull",
            Some(user.token()),
            &PullRequest {
                cursor: None,
                limit: 1000,
            },
        )
        .await;
    let page: PullResponse = reply.parse();
    assert!(!page.has_more);
    reply.text
}

fn record_in(text: &str, id: Uuid) -> Record {
    let page: PullResponse = serde_json::from_str(text).unwrap();
    page.changes
        .into_iter()
        .find_map(|c| match c {
            Change::Upsert { record } if record.id == id => Some(*record),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{id} not in the page"))
}

fn create(
    seq: u64,
    id: Uuid,
    kind: &str,
    title: &str,
    body: &Value,
) -> kyosai_sync_protocol::CommandEnvelope {
    command(
        seq,
        "record.create",
        id,
        None,
        json!({"kind": kind, "office_code": "1203", "title": title, "body": body}),
    )
}

fn update(seq: u64, r: &Record, body: &Value) -> kyosai_sync_protocol::CommandEnvelope {
    command(
        seq,
        "record.update",
        r.id,
        Some(r.version),
        json!({"title": r.title, "body": body}),
    )
}

/// A scanned 資格取得届 in the correction queue, as the app stores it (the template marks
/// the 個人番号 field sensitive).
fn ocr_document(number: &str, typed: &str) -> Value {
    json!({
        "format": 1,
        "result": {
            "documentId": "SCAN-0001",
            "templateId": "acquisition",
            "templateVersion": 1,
            "pages": [],
            "fields": [
                { "field": "member.myNumber", "label": "個人番号", "sensitive": true,
                  "value": number, "findings": [],
                  "readings": [{ "field": "member.myNumber", "text": number, "confidence": 0.97 }] },
                { "field": "member.name", "label": "氏名", "sensitive": false,
                  "value": "山田　太郎", "findings": [],
                  "readings": [{ "field": "member.name", "text": "山田　太郎", "confidence": 0.91 }] },
            ],
        },
        "scanId": Uuid::new_v4().to_string(),
        "sourceName": "scan-0001.pdf",
        "work": [
            { "field": "member.myNumber", "entries": [{ "value": typed }], "arbitration": { "value": number } },
            { "field": "member.name", "entries": [] },
        ],
        "status": "in_review",
        "history": [
            { "field": "member.myNumber", "before": { "field": "member.myNumber", "entries": [{ "value": typed }] } },
        ],
    })
}

/// A scan's images as the app stores them (base64 stand-ins: the server never decodes
/// them), with a crop for each field.
fn scan(document: Uuid, fields: &[&str]) -> Value {
    let crops: serde_json::Map<String, Value> = fields
        .iter()
        .map(|f| (f.to_string(), json!(format!("iVBORw0KGgo-{f}"))))
        .collect();
    json!({
        "format": 1,
        "documentId": document.to_string(),
        "pages": [{ "page": 1, "jpegBase64": "/9j/4AAQSkZJRg", "width": 840, "height": 1188, "scale": 0.33 }],
        "crops": crops,
    })
}

async fn only_clerks_and_reviewers_receive_the_number(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let number = a_my_number();
    // A second number, as a second clerk typed it in blind entry.
    let typed = {
        let body = "45678901234";
        format!("{body}{}", my_number_check_digit(body).unwrap())
    };
    let clerk = api.login(CLERK_A).await;
    let mut form = new_hire("山田　太郎", "ヤマダ　タロウ", "1234-567890", &number);
    form.acquisition.late_reason = Some(format!("本人の番号 {number} の確認に時間を要したため"));
    let acq_id = Uuid::new_v4();
    let ocr_id = Uuid::new_v4();
    let scan_id = Uuid::new_v4();
    let invoice_scan_id = Uuid::new_v4();
    let form_images = scan(ocr_id, &["member.name", "member.myNumber"]);
    let invoice_images = scan(Uuid::new_v4(), &["invoice.total"]);
    let body = serde_json::to_value(&form).unwrap();
    let r = api
        .push(
            &clerk,
            &[
                create(1, acq_id, "acquisition", &acquisition_title(&form), &body),
                create(
                    2,
                    ocr_id,
                    "ocr_document",
                    "資格取得届（読取）",
                    &ocr_document(&number, &typed),
                ),
                create(3, scan_id, "ocr_scan", "資格取得届（画像）", &form_images),
                create(
                    4,
                    invoice_scan_id,
                    "ocr_scan",
                    "請求書（画像）",
                    &invoice_images,
                ),
            ],
        )
        .await;
    for res in &r.results {
        assert_eq!(outcome_code(&res.outcome), "applied", "{res:?}");
    }

    // The clerk and the secretariat's reviewer receive the number as stored.
    let reviewer = api.login(REVIEWER).await;
    for user in [&clerk, &reviewer] {
        let text = pull_text(&api, user).await;
        assert!(text.contains(&number), "{}", user.session.user.user_id);
        assert!(text.contains(&typed), "{}", user.session.user.user_id);
        let acq = record_in(&text, acq_id);
        assert_eq!(acq.body["member"]["myNumber"], number.as_str());
        let ocr = record_in(&text, ocr_id);
        assert_eq!(ocr.body["result"]["fields"][0]["value"], number.as_str());
        assert_eq!(record_in(&text, scan_id).body, form_images);
    }

    // The 所属所長 and the 決裁者 receive no 12-digit number at all.
    for user_id in [HEAD_A, APPROVER] {
        let user = api.login(user_id).await;
        let text = pull_text(&api, &user).await;
        assert!(!text.contains(&number), "{user_id}: {text}");
        assert!(!text.contains(&typed), "{user_id}: {text}");
        assert_eq!(
            twelve_digit_numbers(&text),
            Vec::<String>::new(),
            "{user_id}"
        );
        let acq = record_in(&text, acq_id);
        assert_eq!(acq.body["member"]["myNumber"], WITHHELD, "{user_id}");
        assert_eq!(acq.body["acquisition"]["lateReason"], WITHHELD, "{user_id}");
        // Everything else comes as it is.
        assert_eq!(acq.body["member"]["basicPensionNumber"], "1234-567890");
        assert_eq!(acq.body["member"]["name"], "山田　太郎");
        let ocr = record_in(&text, ocr_id);
        let f = &ocr.body["result"]["fields"];
        assert_eq!(f[0]["value"], WITHHELD);
        assert_eq!(f[0]["readings"][0]["text"], WITHHELD);
        assert_eq!(f[1]["value"], "山田　太郎");
        assert_eq!(ocr.body["work"][0]["entries"][0]["value"], WITHHELD);
        assert_eq!(ocr.body["work"][0]["arbitration"]["value"], WITHHELD);
        assert_eq!(
            ocr.body["history"][0]["before"]["entries"][0]["value"],
            WITHHELD
        );
        // The images of the form show the number: none; an invoice's images as they are.
        let images = record_in(&text, scan_id);
        assert_eq!(images.body["pages"], json!([]));
        assert_eq!(images.body["crops"], json!({}));
        assert_eq!(images.body["documentId"], ocr_id.to_string());
        assert_eq!(record_in(&text, invoice_scan_id).body, invoice_images);
    }

    // A cursor made before the number was withheld from a user (a clerk's cursor of the
    // same office has the very same form) starts them over: the PC drops its copies and
    // receives them again as it may now.
    let clerk_cursor = api.pull(&clerk, None, 1000).await.cursor;
    let head = api.login(HEAD_A).await;
    let page = api.pull(&head, Some(&clerk_cursor), 1000).await;
    assert!(page.reset);
    let again: Vec<Record> = page
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::Upsert { record } => Some((**record).clone()),
            Change::Revoke { .. } => None,
        })
        .collect();
    let acq = again.iter().find(|r| r.id == acq_id).unwrap();
    assert_eq!(acq.body["member"]["myNumber"], WITHHELD);
    // Their own cursor goes on as usual.
    assert!(!api.pull(&head, Some(&page.cursor), 1000).await.reset);
    assert!(!api.pull(&clerk, Some(&clerk_cursor), 1000).await.reset);

    // Conflicts carry the record as it is on the server: withheld there too.
    let mine = record_in(&pull_text(&api, &head).await, acq_id);
    // An update on the current version applies; a second one on the same base conflicts.
    let r = api.push(&head, &[update(1, &mine, &mine.body)]).await;
    assert_eq!(
        outcome_code(&r.results[0].outcome),
        "applied",
        "{:?}",
        r.results[0]
    );
    let r = api.push(&head, &[update(2, &mine, &mine.body)]).await;
    assert_eq!(
        outcome_code(&r.results[0].outcome),
        kyosai_sync_protocol::codes::VERSION_CONFLICT
    );
    let reply = api.get("/sync/v1/conflicts", Some(head.token())).await;
    let list: kyosai_sync_protocol::ConflictList = reply.parse();
    assert_eq!(list.conflicts.len(), 1);
    let server_record = list.conflicts[0].server_record.as_ref().unwrap();
    assert_eq!(server_record.body["member"]["myNumber"], WITHHELD);
    assert!(!reply.text.contains(&number), "{}", reply.text);
    assert_eq!(twelve_digit_numbers(&reply.text), Vec::<String>::new());

    // Stored as entered all along.
    let clerk_record = server.record(acq_id).await.unwrap();
    assert_eq!(clerk_record.body["member"]["myNumber"], number.as_str());
    server.stop().await;
}

async fn writes_of_those_without_it_keep_the_stored_number(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let number = a_my_number();
    let clerk = api.login(CLERK_A).await;
    let mut form = new_hire("山田　太郎", "ヤマダ　タロウ", "1234-567890", &number);
    acknowledge_all(&mut form);
    let id = Uuid::new_v4();
    let ocr_id = Uuid::new_v4();
    let title = acquisition_title(&form);
    let body = serde_json::to_value(&form).unwrap();
    let ocr_body = ocr_document(&number, &number);
    let r = api
        .push(
            &clerk,
            &[
                create(1, id, "acquisition", &title, &body),
                create(2, ocr_id, "ocr_document", "資格取得届（読取）", &ocr_body),
            ],
        )
        .await;
    for res in &r.results {
        assert_eq!(outcome_code(&res.outcome), "applied", "{res:?}");
    }

    // The 所属所長 corrects the address of the draft as they received it (number withheld).
    let head = api.login(HEAD_A).await;
    let seen = record_in(&pull_text(&api, &head).await, id);
    assert_eq!(seen.body["member"]["myNumber"], WITHHELD);
    let mut edited = seen.body.clone();
    edited["member"]["address"] = json!("東京都新宿区歌舞伎町一丁目4番2号");
    let r = api.push(&head, &[update(1, &seen, &edited)]).await;
    assert_eq!(
        outcome_code(&r.results[0].outcome),
        "applied",
        "{:?}",
        r.results[0]
    );
    // And saves the scanned document's work as received, too.
    let seen_ocr = record_in(&pull_text(&api, &head).await, ocr_id);
    let r = api
        .push(&head, &[update(2, &seen_ocr, &seen_ocr.body)])
        .await;
    assert_eq!(
        outcome_code(&r.results[0].outcome),
        "applied",
        "{:?}",
        r.results[0]
    );

    // Read back as the clerk: the number is as entered, the correction is there.
    let text = pull_text(&api, &clerk).await;
    let now = record_in(&text, id);
    assert_eq!(now.body["member"]["myNumber"], number.as_str());
    assert_eq!(
        now.body["member"]["address"],
        "東京都新宿区歌舞伎町一丁目4番2号"
    );
    assert_eq!(now.updated_by, HEAD_A);
    let ocr = record_in(&text, ocr_id);
    assert_eq!(ocr.body, ocr_body);

    // Submitted by the clerk; certified, reviewed and decided by each with the hash of the
    // copy they received: the 所属所長 and the 決裁者 never had the number, and their hash
    // still matches the document.
    let submit = command(
        3,
        "approval.submit",
        id,
        None,
        json!({"seen_hash": appr::content_hash("acquisition", &now.title, &now.body)}),
    );
    let r = api.push(&clerk, &[submit]).await;
    assert_eq!(
        outcome_code(&r.results[0].outcome),
        "applied",
        "{:?}",
        r.results[0]
    );
    // While it is 回議中, a change of the number alone (which the content hash does not
    // see) is refused: the drafter withdraws and submits again.
    let submitted = record_in(&pull_text(&api, &clerk).await, id);
    let mut changed = submitted.body.clone();
    changed.as_object_mut().unwrap().remove(appr::BODY_KEY);
    let corrected = {
        let body = "98765432101";
        format!("{body}{}", my_number_check_digit(body).unwrap())
    };
    changed["member"]["myNumber"] = json!(corrected);
    let r = api.push(&clerk, &[update(4, &submitted, &changed)]).await;
    assert_eq!(
        outcome_code(&r.results[0].outcome),
        "acquisition.my_number_changed_in_approval"
    );
    let reviewer = api.login(REVIEWER).await;
    let approver = api.login(APPROVER).await;
    for (u, seq) in [(&head, 3), (&reviewer, 1), (&approver, 1)] {
        let user_id = &u.session.user.user_id;
        let copy = record_in(&pull_text(&api, u).await, id);
        let hash = appr::content_hash(&copy.kind, &copy.title, &copy.body);
        let act = command(
            seq,
            "approval.act",
            id,
            None,
            serde_json::to_value(appr::Action::Approve {
                seen_hash: hash,
                comment: None,
            })
            .unwrap(),
        );
        let r = api.push(u, &[act]).await;
        assert_eq!(
            outcome_code(&r.results[0].outcome),
            "applied",
            "{user_id}: {:?}",
            r.results[0]
        );
    }
    let stored = server.record(id).await.unwrap();
    assert_eq!(stored.state, "approved");
    assert_eq!(stored.body["member"]["myNumber"], number.as_str());

    // A marker where no number is stored is never kept as one (a creation that carries
    // it, whoever sends it).
    let mut marked = form.clone();
    marked.member.my_number = Some(kyosai_domain::acquisition::MyNumberText::new(WITHHELD));
    let other = Uuid::new_v4();
    let r = api
        .push(
            &clerk,
            &[create(
                5,
                other,
                "acquisition",
                &title,
                &serde_json::to_value(&marked).unwrap(),
            )],
        )
        .await;
    assert_eq!(
        outcome_code(&r.results[0].outcome),
        "applied",
        "{:?}",
        r.results[0]
    );
    let stored = server.record(other).await.unwrap();
    assert_eq!(stored.body["member"]["myNumber"], "");
    server.stop().await;
}
