//! 組合員資格取得届 on the central service, on both storage backends: the server's own
//! check before submission, and the automated review across cases for the secretariat.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::*;
use kyosai_central::testing::{postgres_skipped, TestBackend};
use kyosai_domain::acquisition::{self as acq, AcquisitionForm};
use kyosai_domain::approval as appr;
use kyosai_sync_protocol::acquisition::ReviewResult;
use kyosai_sync_protocol::{CommandEnvelope, Outcome};
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

both_backends!(
    only_a_checked_and_acknowledged_notification_is_submitted,
    the_review_finds_the_same_person_in_another_office,
    registered_notifications_are_exported_exactly_once,
);

fn create(seq: u64, id: Uuid, form: &AcquisitionForm) -> CommandEnvelope {
    command(
        seq,
        "record.create",
        id,
        None,
        json!({"kind": "acquisition", "office_code": "1203", "title": acquisition_title(form), "body": form}),
    )
}

fn update(seq: u64, id: Uuid, base: i64, form: &AcquisitionForm) -> CommandEnvelope {
    command(
        seq,
        "record.update",
        id,
        Some(base),
        json!({"title": acquisition_title(form), "body": form}),
    )
}

fn submit(seq: u64, id: Uuid, form: &AcquisitionForm) -> CommandEnvelope {
    let body = serde_json::to_value(form).unwrap();
    command(
        seq,
        "approval.submit",
        id,
        None,
        json!({"seen_hash": appr::content_hash("acquisition", &acquisition_title(form), &body)}),
    )
}

fn code(o: &Outcome) -> String {
    match o {
        Outcome::Applied { .. } => "applied".into(),
        Outcome::Conflict { code, .. } | Outcome::Rejected { code, .. } => code.clone(),
    }
}

async fn only_a_checked_and_acknowledged_notification_is_submitted(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let clerk = api.login(CLERK_A).await;
    let id = Uuid::new_v4();

    // An incomplete draft is kept, but not submitted.
    let mut draft = new_hire(
        "山田　太郎",
        "ヤマダ　タロウ",
        "1234-567890",
        "123456789018",
    );
    draft.member.address = None;
    let r = api
        .push(&clerk, &[create(1, id, &draft), submit(2, id, &draft)])
        .await;
    assert_eq!(code(&r.results[0].outcome), "applied");
    assert_eq!(code(&r.results[1].outcome), "acquisition.not_ready");
    let Outcome::Rejected { message, .. } = &r.results[1].outcome else {
        panic!()
    };
    assert!(message.contains("提出できません"), "{message}");

    // Complete: submitted once every warning is acknowledged (if the check gives any).
    let mut form = new_hire(
        "山田　太郎",
        "ヤマダ　タロウ",
        "1234-567890",
        "123456789018",
    );
    let ctx = acq::CheckContext {
        today: today(),
        received_on: None,
    };
    let warnings = acq::check_for_submission(&form, &ctx).len();
    let r = api.push(&clerk, &[update(3, id, 1, &form)]).await;
    assert_eq!(code(&r.results[0].outcome), "applied");
    let mut seq = 4;
    if warnings > 0 {
        let r = api.push(&clerk, &[submit(seq, id, &form)]).await;
        assert_eq!(
            code(&r.results[0].outcome),
            "acquisition.warnings_unacknowledged"
        );
        seq += 1;
    }
    acknowledge_all(&mut form);
    let v = server.record(id).await.unwrap().version;
    let r = api
        .push(
            &clerk,
            &[update(seq, id, v, &form), submit(seq + 1, id, &form)],
        )
        .await;
    assert_eq!(code(&r.results[1].outcome), "applied", "{:?}", r.results[1]);
    let record = server.record(id).await.unwrap();
    assert_eq!(record.state, "in_approval");
    let st = appr::state_of(&record.body).unwrap();
    let steps: Vec<String> = st.route.steps.iter().map(appr::Step::label_ja).collect();
    assert_eq!(steps, ["所属所長", "事務局審査担当", "決裁者"]);
    server.stop().await;
}

async fn the_review_finds_the_same_person_in_another_office(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let a = api.login(CLERK_A).await;
    let b = api.login(CLERK_B).await;
    let mut first = new_hire(
        "山田　太郎",
        "ヤマダ　タロウ",
        "1234-567890",
        "123456789018",
    );
    acknowledge_all(&mut first);
    let mut second = first.clone();
    second.office.code = Some("1101".into());
    second.office.name = Some("東京都総務局".into());
    let (id1, id2) = (Uuid::new_v4(), Uuid::new_v4());
    let r = api
        .push(&a, &[create(1, id1, &first), submit(2, id1, &first)])
        .await;
    assert_eq!(code(&r.results[1].outcome), "applied", "{:?}", r.results[1]);
    let c2 = command(
        1,
        "record.create",
        id2,
        None,
        json!({"kind": "acquisition", "office_code": "1101", "title": acquisition_title(&second), "body": second}),
    );
    let r = api.push(&b, &[c2, submit(2, id2, &second)]).await;
    assert_eq!(code(&r.results[1].outcome), "applied", "{:?}", r.results[1]);

    // The secretariat reviewer sees both as one person.
    let reviewer = api.login(REVIEWER).await;
    let result: ReviewResult = api
        .get(
            &format!("/sync/v1/acquisitions/{id2}/review"),
            Some(reviewer.token()),
        )
        .await
        .parse();
    let codes: Vec<&str> = result.findings.iter().map(|f| f.code.as_str()).collect();
    assert!(
        codes.contains(&"review.duplicate_pension_number"),
        "{codes:?}"
    );
    assert!(codes.contains(&"review.duplicate_my_number"), "{codes:?}");
    let dup = result
        .findings
        .iter()
        .find(|f| f.code == "review.duplicate_pension_number")
        .unwrap();
    assert_eq!(dup.related_record_id, Some(id1));
    assert_eq!(dup.severity, "error");
    assert!(
        dup.message.contains("所属所長の証明待ち"),
        "{}",
        dup.message
    );
    assert!(result
        .findings
        .iter()
        .all(|f| !f.message.contains("123456789018")));

    // A clerk may not see cross-office results; another office's clerk not even the case.
    api.get(
        &format!("/sync/v1/acquisitions/{id1}/review"),
        Some(a.token()),
    )
    .await
    .assert_error(StatusCode::FORBIDDEN, "auth.forbidden");
    api.get(
        &format!("/sync/v1/acquisitions/{id1}/review"),
        Some(b.token()),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "sync.not_found");
    api.get(
        &format!("/sync/v1/acquisitions/{}/review", Uuid::new_v4()),
        Some(reviewer.token()),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "sync.not_found");
    server.stop().await;
}

async fn registered_notifications_are_exported_exactly_once(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let clerk = api.login(CLERK_A).await;
    let mut form = new_hire(
        "山田　太郎",
        "ヤマダ　タロウ",
        "1234-567890",
        "123456789018",
    );
    acknowledge_all(&mut form);
    let id = Uuid::new_v4();
    let r = api
        .push(&clerk, &[create(1, id, &form), submit(2, id, &form)])
        .await;
    assert_eq!(code(&r.results[1].outcome), "applied", "{:?}", r.results[1]);
    let body = serde_json::to_value(&form).unwrap();
    let hash = appr::content_hash("acquisition", &acquisition_title(&form), &body);
    // 証明 (office head) → 審査 (secretariat) → 登録 (決裁権者).
    for user in [HEAD_A, REVIEWER, APPROVER] {
        let u = api.login(user).await;
        let act = command(
            1,
            "approval.act",
            id,
            None,
            serde_json::to_value(appr::Action::Approve {
                seen_hash: hash.clone(),
                comment: None,
            })
            .unwrap(),
        );
        let r = api.push(&u, &[act]).await;
        assert_eq!(
            code(&r.results[0].outcome),
            "applied",
            "{user}: {:?}",
            r.results[0]
        );
    }
    assert_eq!(server.record(id).await.unwrap().state, "approved");

    // Only the secretariat makes and fetches registration files (not IT: separation of
    // duties; not the offices).
    let it = api.login(IT).await;
    let empty: serde_json::Value = serde_json::json!({});
    for other in [&clerk, &it] {
        api.post("/sync/v1/registrations", Some(other.token()), &empty)
            .await
            .assert_error(StatusCode::FORBIDDEN, "auth.forbidden");
    }
    let reviewer = api.login(REVIEWER).await;
    // Two requests at once: the record goes into exactly one batch.
    let (a, b) = tokio::join!(
        api.post("/sync/v1/registrations", Some(reviewer.token()), &empty),
        api.post("/sync/v1/registrations", Some(reviewer.token()), &empty),
    );
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 204], "{} / {}", a.text, b.text);
    let made = if a.status == StatusCode::CREATED {
        &a
    } else {
        &b
    };
    let batch: kyosai_central::storage::RegistrationBatch = made.parse();
    assert_eq!(batch.record_count, 1);
    let file = api
        .get(
            &format!("/sync/v1/registrations/{}", batch.id),
            Some(reviewer.token()),
        )
        .await;
    assert_eq!(file.status, StatusCode::OK);
    let lines: Vec<&str> = file.text.split("\r\n").collect();
    assert!(lines[0].starts_with("文書ID,登録日,所属所番号,氏名"));
    assert!(lines[1].starts_with(&format!("{id},")), "{}", lines[1]);
    assert!(lines[1].contains("山田　太郎") && lines[1].contains("1234567890"));
    assert!(
        !file.text.contains("123456789018"),
        "no 個人番号 in the file"
    );
    // Nothing new: no second batch; the first is listed and served again unchanged.
    let again = api
        .post("/sync/v1/registrations", Some(reviewer.token()), &empty)
        .await;
    assert_eq!(again.status, StatusCode::NO_CONTENT);
    let list: Vec<kyosai_central::storage::RegistrationBatch> = api
        .get("/sync/v1/registrations", Some(reviewer.token()))
        .await
        .parse();
    assert_eq!(list, std::slice::from_ref(&batch));
    let same = api
        .get(
            &format!("/sync/v1/registrations/{}", batch.id),
            Some(reviewer.token()),
        )
        .await;
    assert_eq!(same.text, file.text);
    server.stop().await;
}
