#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! 電子決裁 across PCs: a clerk drafts and submits on hers, the office head approves on
//! his, two 決裁権者 press 承認 on the same document on theirs — through the app's own use
//! cases, the sync client and the real central service over TLS on 127.0.0.1 (both
//! storage backends). Exactly one approval wins; the other approver sees a clear
//! conflict; the clerk's PC shows the decision.

use chrono::Utc;
use kyosai_app::approvals::{self, ActKindDto, ActRequest};
use kyosai_app::proposals::{self, FlagsDto, ProposalDraft};
use kyosai_central::testing::{TestBackend, TestServer};
use kyosai_store::sync::OutboxState;
use kyosai_sync_client::{sync_once, EngineOptions};
use kyosai_sync_protocol::Role;

mod common;

use common::{Pc, PASSWORD};

async fn start(backend: TestBackend, test: &str) -> Option<TestServer> {
    if backend == TestBackend::Postgres && kyosai_central::testing::postgres_skipped(test) {
        return None;
    }
    let server = TestServer::start(backend).await;
    server.add_office("1203", "新宿区役所").await;
    for (id, name, role, office) in [
        ("tanto", "佐藤 花子", Role::OfficeClerk, Some("1203")),
        ("shocho", "鈴木 一郎", Role::OfficeHead, Some("1203")),
        ("kessai", "伊藤 誠", Role::Approver, None),
        ("kessai2", "加藤 亮", Role::Approver, None),
    ] {
        server.add_user(id, name, &[role], office, PASSWORD).await;
    }
    Some(server)
}

fn approve(id: &str, seen_hash: &str) -> ActRequest {
    ActRequest {
        id: id.to_string(),
        kind: ActKindDto::Approve,
        reason: None,
        comment: None,
        for_user: None,
        seen_hash: seen_hash.to_string(),
    }
}

async fn two_approvers_one_document(backend: TestBackend, test: &str) {
    let Some(server) = start(backend, test).await else {
        return;
    };
    let tanto = Pc::sign_in(&server, "tanto").await;
    let shocho = Pc::sign_in(&server, "shocho").await;
    let a = Pc::sign_in(&server, "kessai").await;
    let b = Pc::sign_in(&server, "kessai2").await;

    // The clerk writes a 起案文書 of 48,000 yen and sends it for approval.
    let draft = ProposalDraft {
        id: None,
        title: "窓口用消耗品の購入".into(),
        text: "トナーと封筒を購入します。".into(),
        amount: "48,000".into(),
        amends: None,
    };
    let saved = tanto
        .with(|s| proposals::save_on(s, &draft, Some("1203".into()), Some(&tanto.me), Utc::now()))
        .unwrap();
    tanto.sync().await;
    tanto
        .with(|s| proposals::submit_on(s, &tanto.me, &saved.id, FlagsDto::default(), Utc::now()))
        .unwrap();
    tanto.sync().await;

    // The office head approves from his inbox.
    shocho.sync().await;
    let inbox = shocho
        .with(|s| approvals::inbox_of(s, &shocho.me, Utc::now()))
        .unwrap();
    assert_eq!(inbox.len(), 1, "{inbox:?}");
    assert_eq!(inbox[0].step_text, "1人目 / 2人中");
    assert_eq!(inbox[0].drafter_name, "佐藤 花子");
    let id = inbox[0].id.clone();
    let detail = shocho
        .with(|s| approvals::detail_of(s, &shocho.me, id.parse().unwrap(), Utc::now()))
        .unwrap();
    shocho
        .with(|s| approvals::act_on(s, &shocho.me, &approve(&id, &detail.seen_hash), Utc::now()))
        .unwrap();
    shocho.sync().await;

    // Both 決裁権者 see it waiting for them and press 承認 before their PCs sync.
    a.sync().await;
    b.sync().await;
    for pc in [&a, &b] {
        let inbox = pc
            .with(|s| approvals::inbox_of(s, &pc.me, Utc::now()))
            .unwrap();
        assert_eq!(inbox.len(), 1);
        assert_eq!(inbox[0].step_text, "2人目 / 2人中");
        let d = pc
            .with(|s| approvals::detail_of(s, &pc.me, id.parse().unwrap(), Utc::now()))
            .unwrap();
        pc.with(|s| approvals::act_on(s, &pc.me, &approve(&id, &d.seen_hash), Utc::now()))
            .unwrap();
    }
    // Their PCs send at the same moment.
    let options = EngineOptions::default();
    let (ra, rb) = tokio::join!(
        sync_once(&a.store, &a.auth, &options),
        sync_once(&b.store, &b.auth, &options),
    );
    ra.unwrap();
    rb.unwrap();
    let outcome = |pc: &Pc| pc.with(|s| s.sync().approval_outcomes(10).unwrap().remove(0));
    let (oa, ob) = (outcome(&a), outcome(&b));
    let applied = [&oa, &ob]
        .iter()
        .filter(|o| o.state == OutboxState::SentApplied)
        .count();
    assert_eq!(applied, 1, "exactly one approval wins: {oa:?} / {ob:?}");
    let (loser, loser_pc) = if oa.state == OutboxState::SentApplied {
        (&ob, &b)
    } else {
        (&oa, &a)
    };
    assert_eq!(loser.state, OutboxState::Conflict);
    assert_eq!(loser.code.as_deref(), Some("approval.already_handled"));
    assert!(loser
        .message
        .as_deref()
        .unwrap()
        .contains("他の決裁者が先に処理しました"));
    // The loser's screen lists it as a conflict, in Japanese.
    let views = approvals::outcomes(&loser_pc.store).await.unwrap();
    assert_eq!(views[0].state_label, "競合", "{views:?}");
    assert!(views[0].message.as_deref().unwrap().contains("他の決裁者"));
    // Neither inbox holds it any more.
    for pc in [&a, &b] {
        pc.sync().await;
        let inbox = pc
            .with(|s| approvals::inbox_of(s, &pc.me, Utc::now()))
            .unwrap();
        assert!(inbox.is_empty(), "{inbox:?}");
    }
    // The clerk's PC shows the decision.
    tanto.sync().await;
    let mine = tanto.with(|s| proposals::list_of(s, "tanto")).unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].status_label, "決裁済み", "{:?}", mine[0]);
    let record = server.record(id.parse().unwrap()).await.unwrap();
    assert_eq!(record.state, "approved");

    // The clerk prints it: the 決裁欄 names everyone who decided; no 「未決裁」.
    let doc = tanto
        .with(|s| kyosai_app::printing::print_doc_of(s, Some(&tanto.me), &id, Utc::now()))
        .unwrap();
    assert!(doc.decided);
    let names: Vec<Option<String>> = doc
        .approval
        .columns
        .iter()
        .map(|c| c.name.clone())
        .collect();
    assert_eq!(names[0].as_deref(), Some("佐藤 花子"));
    assert_eq!(names[1].as_deref(), Some("鈴木 一郎"));
    assert!(matches!(names[2].as_deref(), Some("伊藤 誠" | "加藤 亮")));
    let dir = tempfile::tempdir().unwrap();
    let path = kyosai_app::printing::approval_pdf(
        &tanto.store,
        Some(tanto.me.clone()),
        id.clone(),
        dir.path().to_path_buf(),
    )
    .await
    .unwrap();
    assert!(path.contains("起案文書_窓口用消耗品の購入_"), "{path}");
    assert!(std::fs::read(&path).unwrap().starts_with(b"%PDF-"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_approvers_one_document_sqlite() {
    two_approvers_one_document(TestBackend::Sqlite, "two_approvers_one_document_sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_approvers_one_document_postgres() {
    two_approvers_one_document(TestBackend::Postgres, "two_approvers_one_document_postgres").await;
}
