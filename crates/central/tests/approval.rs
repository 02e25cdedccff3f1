//! 電子決裁 on the central service over real HTTPS, on both storage backends: the server
//! decides every approval action with the domain engine, from the token's user.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{Duration, Utc};
use common::*;
use kyosai_central::testing::{postgres_skipped, TestBackend, TestServer};
use kyosai_domain::approval::{self as appr, Position};
use kyosai_sync_protocol::approval::{AbsenceInfo, Directory, NewAbsence};
use kyosai_sync_protocol::{CommandEnvelope, Outcome, Record, Role, Session};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

both_backends!(
    a_proposal_goes_through_its_route,
    two_supervisors_on_one_document_exactly_one_wins,
    no_self_approval_and_approvals_bind_to_the_content_seen,
    content_changes_reset_and_decided_documents_are_immutable,
    delegate_decides_only_during_a_registered_absence,
    clients_cannot_forge_the_approval_state,
    positions_reach_the_session_and_the_directory,
);

const DELEGATE: &str = "dairi";
const APPROVER2: &str = "kessai2";

/// The common fixture plus a second 決裁権者, a delegate and a 課長 / 部長.
async fn setup_approval(backend: TestBackend) -> (TestServer, Api) {
    let (server, api) = setup(backend).await;
    server
        .add_user(APPROVER2, "加藤 亮", &[Role::Approver], None, PASSWORD)
        .await;
    server
        .add_user(DELEGATE, "吉田 恵", &[Role::Approver], None, PASSWORD)
        .await;
    server
        .add_user("bucho", "中島 浩", &[Role::Approver], None, PASSWORD)
        .await;
    let s = server.storage();
    assert!(s.set_positions(APPROVER, &[Position::Kacho]).await.unwrap());
    assert!(s.set_positions("bucho", &[Position::Bucho]).await.unwrap());
    (server, api)
}

fn body(text: &str, amount: i64) -> Value {
    json!({ "text": text, "amount": amount })
}

fn create_proposal(seq: u64, id: Uuid, title: &str, body: &Value) -> CommandEnvelope {
    command(
        seq,
        "record.create",
        id,
        None,
        json!({ "kind": "proposal", "office_code": "1203", "title": title, "body": body }),
    )
}

fn submit(seq: u64, id: Uuid, title: &str, body: &Value) -> CommandEnvelope {
    command(
        seq,
        "approval.submit",
        id,
        None,
        json!({ "seen_hash": appr::content_hash("proposal", title, body) }),
    )
}

fn act(seq: u64, id: Uuid, action: &appr::Action) -> CommandEnvelope {
    command(
        seq,
        "approval.act",
        id,
        None,
        serde_json::to_value(action).unwrap(),
    )
}

fn approve(hash: &str) -> appr::Action {
    appr::Action::Approve {
        seen_hash: hash.to_string(),
        comment: None,
    }
}

fn state(record: &Record) -> appr::ApprovalState {
    appr::state_of(&record.body).expect("an approval state in the body")
}

/// Next seq per user in one test.
struct Seq(std::collections::HashMap<Uuid, u64>);
impl Seq {
    fn new() -> Seq {
        Seq(Default::default())
    }
    fn next(&mut self, u: &User) -> u64 {
        let n = self.0.entry(u.client_id).or_insert(0);
        *n += 1;
        *n
    }
}

async fn one(
    api: &Api,
    user: &User,
    seq: &mut Seq,
    f: impl FnOnce(u64) -> CommandEnvelope,
) -> Outcome {
    let s = seq.next(user);
    let r = api.push(user, &[f(s)]).await;
    r.results[0].outcome.clone()
}

async fn a_proposal_goes_through_its_route(backend: TestBackend) {
    let (server, api) = setup_approval(backend).await;
    let mut seq = Seq::new();
    let clerk = api.login(CLERK_A).await;
    let head = api.login(HEAD_A).await;
    let approver = api.login(APPROVER).await;
    let id = Uuid::new_v4();
    let title = "会議室用プロジェクターの購入";
    let b = body("同等品を購入します。", 480_000);
    let hash = appr::content_hash("proposal", title, &b);
    assert_eq!(
        outcome_code(
            &one(&api, &clerk, &mut seq, |s| create_proposal(
                s, id, title, &b
            ))
            .await
        ),
        "applied"
    );
    assert_eq!(
        outcome_code(&one(&api, &clerk, &mut seq, |s| submit(s, id, title, &b)).await),
        "applied"
    );
    let r = server.record(id).await.unwrap();
    assert_eq!(r.state, "in_approval");
    let st = state(&r);
    assert_eq!(st.drafter, CLERK_A);
    assert_eq!(st.route.table_id, "senketsu-2024-04-01");
    let labels: Vec<String> = st.route.steps.iter().map(appr::Step::label_ja).collect();
    assert_eq!(labels, ["所属所長", "決裁者"]);
    assert_eq!(st.amount_yen, 480_000);

    // The 決裁者 cannot act before the office head.
    let early = one(&api, &approver, &mut seq, |s| act(s, id, &approve(&hash))).await;
    assert_eq!(outcome_code(&early), "approval.not_your_turn");
    assert_eq!(
        outcome_code(&one(&api, &head, &mut seq, |s| act(s, id, &approve(&hash))).await),
        "applied"
    );
    assert_eq!(
        outcome_code(&one(&api, &approver, &mut seq, |s| act(s, id, &approve(&hash))).await),
        "applied"
    );
    let r = server.record(id).await.unwrap();
    assert_eq!(r.state, "approved");
    let st = state(&r);
    assert_eq!(st.status, appr::Status::Approved);
    assert_eq!(st.history.len(), 3);
    // The drafter's PC receives the decision through the ordinary pull.
    let (changes, _) = api.pull_all(&clerk, None).await;
    let seen = changes.iter().rev().find_map(|c| match c {
        kyosai_sync_protocol::Change::Upsert { record } if record.id == id => Some(record.clone()),
        _ => None,
    });
    assert_eq!(seen.unwrap().state, "approved");
    // Withdrawal after the decision is refused.
    let w = one(&api, &clerk, &mut seq, |s| {
        act(s, id, &appr::Action::Withdraw)
    })
    .await;
    assert_eq!(outcome_code(&w), "approval.decided");
    server.stop().await;
}

async fn two_supervisors_on_one_document_exactly_one_wins(backend: TestBackend) {
    let (server, api) = setup_approval(backend).await;
    let mut seq = Seq::new();
    let clerk = api.login(CLERK_A).await;
    let head = api.login(HEAD_A).await;
    let a = api.login(APPROVER).await;
    let b2 = api.login(APPROVER2).await;
    let id = Uuid::new_v4();
    let title = "窓口用消耗品";
    let b = body("", 30_000);
    let hash = appr::content_hash("proposal", title, &b);
    one(&api, &clerk, &mut seq, |s| {
        create_proposal(s, id, title, &b)
    })
    .await;
    one(&api, &clerk, &mut seq, |s| submit(s, id, title, &b)).await;
    one(&api, &head, &mut seq, |s| act(s, id, &approve(&hash))).await;
    // Both 決裁権者 press 承認 on their own PCs at the same moment.
    let (sa, sb) = (seq.next(&a), seq.next(&b2));
    let (ca, cb) = (
        [act(sa, id, &approve(&hash))],
        [act(sb, id, &approve(&hash))],
    );
    let (ra, rb) = tokio::join!(api.push(&a, &ca), api.push(&b2, &cb));
    let codes = [
        outcome_code(&ra.results[0].outcome),
        outcome_code(&rb.results[0].outcome),
    ];
    assert_eq!(
        codes.iter().filter(|c| *c == "applied").count(),
        1,
        "{codes:?}"
    );
    let loser = if codes[0] == "applied" { &rb } else { &ra };
    match &loser.results[0].outcome {
        Outcome::Conflict { code, message, .. } => {
            assert_eq!(code, "approval.already_handled");
            assert!(
                message.contains("他の決裁者が先に処理しました"),
                "{message}"
            );
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    let st = state(&server.record(id).await.unwrap());
    assert_eq!(st.status, appr::Status::Approved);
    assert_eq!(
        st.history
            .iter()
            .filter(|h| h.kind == appr::ActKind::Approve)
            .count(),
        2
    );
    // The loser's conflict is listed for them to see.
    let loser_user = if codes[0] == "applied" { &b2 } else { &a };
    let list: kyosai_sync_protocol::ConflictList = api
        .get("/sync/v1/conflicts", Some(loser_user.token()))
        .await
        .parse();
    assert_eq!(list.conflicts.len(), 1);
    assert_eq!(list.conflicts[0].code, "approval.already_handled");
    server.stop().await;
}

async fn no_self_approval_and_approvals_bind_to_the_content_seen(backend: TestBackend) {
    let (server, api) = setup_approval(backend).await;
    let mut seq = Seq::new();
    // The office head drafts: their own 所属所長 step is not theirs to approve.
    let head = api.login(HEAD_A).await;
    let clerk2 = api.login(CLERK_A2).await;
    let id = Uuid::new_v4();
    let title = "所属所長の起案";
    let b = body("", 10_000);
    let hash = appr::content_hash("proposal", title, &b);
    one(&api, &head, &mut seq, |s| create_proposal(s, id, title, &b)).await;
    one(&api, &head, &mut seq, |s| submit(s, id, title, &b)).await;
    let own = one(&api, &head, &mut seq, |s| act(s, id, &approve(&hash))).await;
    assert_eq!(outcome_code(&own), "approval.self_approval");
    // A clerk holds no slot.
    let clerk = one(&api, &clerk2, &mut seq, |s| act(s, id, &approve(&hash))).await;
    assert_eq!(outcome_code(&clerk), "approval.not_permitted");
    // Someone from another office does not even see it.
    let other = api.login(CLERK_B).await;
    let o = one(&api, &other, &mut seq, |s| act(s, id, &approve(&hash))).await;
    assert_eq!(outcome_code(&o), "sync.not_found");
    // An approval of content the approver did not see is a conflict.
    let approver = api.login(APPROVER).await;
    let stale = one(&api, &approver, &mut seq, |s| {
        act(s, id, &approve("sha256:0000"))
    })
    .await;
    assert!(
        matches!(&stale, Outcome::Conflict { code, .. } if code == "approval.content_changed"),
        "{stale:?}"
    );
    // Submitting content other than the server's is a conflict too.
    let id2 = Uuid::new_v4();
    one(&api, &clerk2, &mut seq, |s| {
        create_proposal(s, id2, "t", &b)
    })
    .await;
    let wrong = one(&api, &clerk2, &mut seq, |s| submit(s, id2, "別の件名", &b)).await;
    assert!(matches!(&wrong, Outcome::Conflict { code, .. } if code == "approval.content_changed"));
    // A return without a reason is refused; with one it goes back to the drafter.
    let ret = |reason: &str| appr::Action::Return {
        seen_hash: hash.clone(),
        reason: reason.to_string(),
    };
    let clerk_a = api.login(CLERK_A).await;
    let id3 = Uuid::new_v4();
    let b3 = body("", 1);
    let h3 = appr::content_hash("proposal", "差戻し用", &b3);
    one(&api, &clerk_a, &mut seq, |s| {
        create_proposal(s, id3, "差戻し用", &b3)
    })
    .await;
    one(&api, &clerk_a, &mut seq, |s| {
        submit(s, id3, "差戻し用", &b3)
    })
    .await;
    let r = one(&api, &head, &mut seq, |s| {
        act(
            s,
            id3,
            &appr::Action::Return {
                seen_hash: h3.clone(),
                reason: " ".into(),
            },
        )
    })
    .await;
    assert_eq!(outcome_code(&r), "approval.reason_required");
    let r = one(&api, &head, &mut seq, |s| {
        act(
            s,
            id3,
            &appr::Action::Return {
                seen_hash: h3.clone(),
                reason: "見積書を添付してください".into(),
            },
        )
    })
    .await;
    assert_eq!(outcome_code(&r), "applied");
    let rec = server.record(id3).await.unwrap();
    assert_eq!(rec.state, "returned");
    let _ = ret;
    server.stop().await;
}

async fn content_changes_reset_and_decided_documents_are_immutable(backend: TestBackend) {
    let (server, api) = setup_approval(backend).await;
    let mut seq = Seq::new();
    let clerk = api.login(CLERK_A).await;
    let clerk2 = api.login(CLERK_A2).await;
    let head = api.login(HEAD_A).await;
    let approver = api.login(APPROVER).await;
    let id = Uuid::new_v4();
    let title = "研修会場の借上げ";
    let b = body("", 900_000);
    let hash = appr::content_hash("proposal", title, &b);
    one(&api, &clerk, &mut seq, |s| {
        create_proposal(s, id, title, &b)
    })
    .await;
    one(&api, &clerk, &mut seq, |s| submit(s, id, title, &b)).await;
    one(&api, &head, &mut seq, |s| act(s, id, &approve(&hash))).await;
    let v = server.record(id).await.unwrap().version;
    // Another clerk may not change a document under approval.
    let upd = |s, base, amount: i64| {
        command(
            s,
            "record.update",
            id,
            Some(base),
            json!({"title": title, "body": body("", amount)}),
        )
    };
    let other = one(&api, &clerk2, &mut seq, |s| upd(s, v, 1_500_000)).await;
    assert_eq!(outcome_code(&other), "approval.not_drafter");
    // The drafter raises the amount past 1,000,000: approvals start again on a longer route.
    let o = one(&api, &clerk, &mut seq, |s| upd(s, v, 1_500_000)).await;
    assert_eq!(outcome_code(&o), "applied");
    let r = server.record(id).await.unwrap();
    let st = state(&r);
    assert_eq!(st.round, 2);
    assert_eq!(st.current_step, 0);
    assert_eq!(st.steps.len(), 3, "所属所長 → 課長 → 部長");
    assert!(st
        .steps
        .iter()
        .flat_map(|s| &s.slots)
        .all(|s| s.done.is_none()));
    assert_eq!(r.state, "in_approval");
    // The old approval (of the old content) no longer counts; approve the new content.
    let h2 = appr::content_hash("proposal", title, &body("", 1_500_000));
    let stale = one(&api, &head, &mut seq, |s| act(s, id, &approve(&hash))).await;
    assert_eq!(outcome_code(&stale), "approval.content_changed");
    let bucho = api.login("bucho").await;
    for u in [&head, &approver, &bucho] {
        let o = one(&api, u, &mut seq, |s| act(s, id, &approve(&h2))).await;
        assert_eq!(outcome_code(&o), "applied");
    }
    let r = server.record(id).await.unwrap();
    assert_eq!(r.state, "approved");
    // Decided: immutable. A change must be a new document (変更起案).
    let late = one(&api, &clerk, &mut seq, |s| upd(s, r.version, 2_000_000)).await;
    assert_eq!(outcome_code(&late), "approval.decided");
    assert_eq!(server.record(id).await.unwrap(), r);
    server.stop().await;
}

async fn delegate_decides_only_during_a_registered_absence(backend: TestBackend) {
    let (server, api) = setup_approval(backend).await;
    let mut seq = Seq::new();
    let clerk = api.login(CLERK_A).await;
    let head = api.login(HEAD_A).await;
    let approver = api.login(APPROVER).await;
    let dairi = api.login(DELEGATE).await;
    let id = Uuid::new_v4();
    let title = "代決の確認";
    let b = body("", 10);
    let hash = appr::content_hash("proposal", title, &b);
    one(&api, &clerk, &mut seq, |s| {
        create_proposal(s, id, title, &b)
    })
    .await;
    one(&api, &clerk, &mut seq, |s| submit(s, id, title, &b)).await;
    one(&api, &head, &mut seq, |s| act(s, id, &approve(&hash))).await;
    let delegate = appr::Action::Delegate {
        seen_hash: hash.clone(),
        for_user: APPROVER.into(),
        comment: None,
    };
    let o = one(&api, &dairi, &mut seq, |s| act(s, id, &delegate)).await;
    assert_eq!(outcome_code(&o), "approval.not_absent");

    // Invalid registrations are refused with a code.
    let now = Utc::now();
    let bad = |delegate_id: &str, from, until| NewAbsence {
        delegate_id: delegate_id.into(),
        from,
        until,
    };
    api.post(
        "/sync/v1/absences",
        Some(approver.token()),
        &bad(APPROVER, now, now + Duration::hours(1)),
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "approval.absence_invalid");
    api.post(
        "/sync/v1/absences",
        Some(approver.token()),
        &bad(DELEGATE, now, now - Duration::hours(1)),
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "approval.absence_invalid");
    api.post(
        "/sync/v1/absences",
        Some(approver.token()),
        &bad(CLERK_A, now, now + Duration::hours(1)),
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "approval.absence_invalid");
    // 伊藤 registers an absence with 吉田 as delegate.
    let info: AbsenceInfo = api
        .post(
            "/sync/v1/absences",
            Some(approver.token()),
            &bad(
                DELEGATE,
                now - Duration::minutes(1),
                now + Duration::hours(8),
            ),
        )
        .await
        .parse();
    assert_eq!(info.user_id, APPROVER);
    let dir: Directory = api
        .get("/sync/v1/directory", Some(dairi.token()))
        .await
        .parse();
    assert!(dir.absences.iter().any(|a| a.id == info.id));
    // Someone else is not the designated delegate.
    let other = api.login(APPROVER2).await;
    let o = one(&api, &other, &mut seq, |s| act(s, id, &delegate)).await;
    assert_eq!(outcome_code(&o), "approval.not_delegate");
    let o = one(&api, &dairi, &mut seq, |s| act(s, id, &delegate)).await;
    assert_eq!(outcome_code(&o), "applied");
    let st = state(&server.record(id).await.unwrap());
    assert_eq!(st.status, appr::Status::Approved);
    let done = st.steps[1].slots[0].done.as_ref().unwrap();
    assert_eq!(done.by, DELEGATE);
    assert_eq!(
        done.filled,
        appr::Filled::Delegated {
            for_user: APPROVER.into()
        }
    );
    // 後閲 by the absent approver stays open until read.
    assert_eq!(st.open_post_reads_for(APPROVER).count(), 1);
    let o = one(&api, &approver, &mut seq, |s| {
        act(s, id, &appr::Action::PostRead)
    })
    .await;
    assert_eq!(outcome_code(&o), "applied");
    let st = state(&server.record(id).await.unwrap());
    assert_eq!(st.open_post_reads_for(APPROVER).count(), 0);
    // Cancelling: only one's own, then gone from the directory.
    let other_cancel = api
        .send(
            api.http
                .delete(format!("{}/sync/v1/absences/{}", api.base, info.id))
                .bearer_auth(dairi.token())
                .header("x-kyosai-protocol", "1")
                .header("x-kyosai-app-version", "0.1.0"),
        )
        .await;
    other_cancel.assert_error(StatusCode::NOT_FOUND, "approval.absence_not_found");
    let cancel = api
        .send(
            api.http
                .delete(format!("{}/sync/v1/absences/{}", api.base, info.id))
                .bearer_auth(approver.token())
                .header("x-kyosai-protocol", "1")
                .header("x-kyosai-app-version", "0.1.0"),
        )
        .await;
    assert_eq!(cancel.status, StatusCode::NO_CONTENT, "{}", cancel.text);
    let dir: Directory = api
        .get("/sync/v1/directory", Some(dairi.token()))
        .await
        .parse();
    assert!(dir.absences.is_empty());
    server.stop().await;
}

async fn clients_cannot_forge_the_approval_state(backend: TestBackend) {
    let (server, api) = setup_approval(backend).await;
    let mut seq = Seq::new();
    let clerk = api.login(CLERK_A).await;
    let id = Uuid::new_v4();
    let forged = json!({"text": "", "amount": 5, "approval": {"status": "approved"}});
    one(&api, &clerk, &mut seq, |s| {
        create_proposal(s, id, "偽造", &forged)
    })
    .await;
    let r = server.record(id).await.unwrap();
    assert!(r.body.get("approval").is_none());
    assert_eq!(r.state, "draft");
    let b = body("", 5);
    one(&api, &clerk, &mut seq, |s| submit(s, id, "偽造", &b)).await;
    let before = state(&server.record(id).await.unwrap());
    let v = server.record(id).await.unwrap().version;
    // An update that carries its own "approval" cannot change the server's.
    let o = one(&api, &clerk, &mut seq, |s| {
        command(
            s,
            "record.update",
            id,
            Some(v),
            json!({"title": "偽造", "body": forged}),
        )
    })
    .await;
    assert_eq!(outcome_code(&o), "applied");
    let after = state(&server.record(id).await.unwrap());
    assert_eq!(after.status, appr::Status::InProgress);
    assert_eq!(after.drafter, before.drafter);
    server.stop().await;
}

async fn positions_reach_the_session_and_the_directory(backend: TestBackend) {
    let (server, api) = setup_approval(backend).await;
    let reply = api.login_reply(APPROVER, PASSWORD, Uuid::new_v4()).await;
    let session: Session = reply.parse();
    assert_eq!(session.user.positions, ["kacho"]);
    let dir: Directory = api
        .get("/sync/v1/directory", Some(&session.access_token))
        .await
        .parse();
    let me = dir.users.iter().find(|u| u.user_id == APPROVER).unwrap();
    assert_eq!(me.positions, ["kacho"]);
    assert_eq!(me.display_name, "伊藤 誠");
    assert!(dir
        .users
        .iter()
        .any(|u| u.user_id == CLERK_A && u.positions.is_empty()));
    // Without a token: 401.
    let r = api.get("/sync/v1/directory", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    server.stop().await;
}
