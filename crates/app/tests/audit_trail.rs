#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! The local audit log as a clerk's day writes it, through the app's own use cases and the
//! real central service over TLS on 127.0.0.1: settings saved, a refused and an accepted
//! sign-in, 起案 and 決裁に回す, the office head's 承認 on his PC, an action the rules refuse
//! (nothing logged), 取下げ, a PDF, the log exported for IT and verified, sign-out. The server's
//! storage backend does not matter to the client's log: SQLite only.

use std::sync::{Arc, Mutex};

use chrono::Utc;
use kyosai_app::approvals::{self, ActKindDto, ActRequest};
use kyosai_app::proposals::{self, FlagsDto, ProposalDraft};
use kyosai_app::settings::{self, SettingsDraft};
use kyosai_app::sync::SyncService;
use kyosai_audit::{actions, read_jsonl, verify, Head};
use kyosai_central::testing::{TestBackend, TestServer};
use kyosai_store::Store;
use kyosai_sync_client::{MemorySecretStore, SharedStore};
use kyosai_sync_protocol::Role;
use serde_json::json;

mod common;

use common::{Pc, PASSWORD};

fn log_of(store: &SharedStore) -> Vec<kyosai_audit::Entry> {
    store.lock().unwrap().audit().entries().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerks_day_is_in_the_audit_log_and_verifies() {
    let server = TestServer::start(TestBackend::Sqlite).await;
    server.add_office("1203", "新宿区役所").await;
    server
        .add_user(
            "tanto1203",
            "佐藤 花子",
            &[Role::OfficeClerk],
            Some("1203"),
            PASSWORD,
        )
        .await;
    server
        .add_user(
            "shocho1203",
            "鈴木 一郎",
            &[Role::OfficeHead],
            Some("1203"),
            PASSWORD,
        )
        .await;
    server
        .add_user("kessai", "伊藤 誠", &[Role::Approver], None, PASSWORD)
        .await;

    let dir = tempfile::tempdir().unwrap();
    let store: SharedStore = Arc::new(Mutex::new(
        Store::open(&dir.path().join("kyosai.sqlite3")).unwrap(),
    ));
    let service = SyncService::with_secrets(
        store.clone(),
        "default",
        "0.1.0",
        "PC-tanto",
        Arc::new(MemorySecretStore::new()),
    );

    // Settings, before anyone has signed in on this PC: the actor is "-".
    let draft = SettingsDraft {
        central_url: server.base_url.clone(),
        root_ca_path: server.ca_pem_path().display().to_string(),
        proxy_url: String::new(),
        office_code: "1203".into(),
    };
    let view = {
        let mut s = store.lock().unwrap();
        settings::save(&mut s, None, &draft).unwrap()
    };
    // Saving the same values again changes nothing and logs nothing.
    settings::save(&mut store.lock().unwrap(), None, &draft).unwrap();
    service.apply_settings(&view).await.unwrap();

    let err = service
        .sign_in("tanto1203", "wrong-password")
        .await
        .unwrap_err();
    assert_eq!(err.code, "auth.invalid_credentials");
    service.sign_in(" tanto1203 ", PASSWORD).await.unwrap();
    let me = service.require_me().await.unwrap();

    // 起案 and 決裁に回す.
    let saved = {
        let mut s = store.lock().unwrap();
        let draft = ProposalDraft {
            id: None,
            title: "窓口用消耗品の購入".into(),
            text: "トナーと封筒を購入します。".into(),
            amount: "48,000".into(),
            amends: None,
        };
        let saved =
            proposals::save_on(&mut s, &draft, Some("1203".into()), Some(&me), Utc::now()).unwrap();
        proposals::submit_on(&mut s, &me, &saved.id, FlagsDto::default(), Utc::now()).unwrap();
        saved
    };
    service.sync_now().await.unwrap();

    // The office head approves on his own PC: his log holds his 承認.
    let shocho = Pc::sign_in(&server, "shocho1203").await;
    shocho.approve(&saved.id).await;
    let his = log_of(&shocho.store);
    let approval = his.last().unwrap();
    assert_eq!(approval.action, actions::RECORD_APPROVE);
    assert_eq!(approval.actor, "shocho1203");
    assert_eq!(approval.target.as_deref(), Some(saved.id.as_str()));
    assert_eq!(approval.detail["mode"], json!("承認"));
    assert_eq!(approval.detail["kind"], json!("proposal"));
    assert!(verify(&his, None).is_ok());

    // An action the rules refuse (the drafter approving her own document) leaves neither
    // a command nor an entry; 取下げ while it is 回議中 leaves both.
    service.sync_now().await.unwrap();
    let before = log_of(&store).len();
    let outbox = || store.lock().unwrap().sync().outbox_entries().unwrap().len();
    let outbox_before = outbox();
    let request = |kind| ActRequest {
        id: saved.id.clone(),
        kind,
        reason: None,
        comment: None,
        for_user: None,
        seen_hash: String::new(),
    };
    let refused = {
        let mut s = store.lock().unwrap();
        approvals::act_on(&mut s, &me, &request(ActKindDto::Approve), Utc::now())
    };
    assert!(refused.is_err());
    assert_eq!((outbox(), log_of(&store).len()), (outbox_before, before));
    {
        let mut s = store.lock().unwrap();
        approvals::act_on(&mut s, &me, &request(ActKindDto::Withdraw), Utc::now()).unwrap();
    }
    assert_eq!(outbox(), outbox_before + 1);
    let after = log_of(&store);
    assert_eq!(after.len(), before + 1);
    assert_eq!(after[before].action, actions::RECORD_WITHDRAW);
    assert_eq!(
        after[before].detail,
        json!({"kind": "proposal", "outboxSeq": outbox_before as u64 + 1})
    );

    // The PDF of the document.
    let downloads = dir.path().join("downloads");
    let pdf = kyosai_app::printing::approval_pdf(
        &store,
        Some(me.clone()),
        saved.id.clone(),
        downloads.clone(),
    )
    .await
    .unwrap();
    assert!(std::path::Path::new(&pdf).exists());
    service.sync_now().await.unwrap();

    // IT's export: a file that verifies, ending with the export itself.
    let exported = kyosai_app::audit::export(&store, me.user_id.clone(), downloads.clone())
        .await
        .unwrap();
    assert!(exported.intact, "{exported:?}");
    let text = std::fs::read_to_string(&exported.path).unwrap();
    let entries = read_jsonl(text.as_bytes()).unwrap();
    let head = Head::parse(&exported.head).unwrap();
    let summary = verify(&entries, Some(&head)).unwrap();
    assert_eq!(summary.count, u64::from(exported.count));

    service.sign_out().await.unwrap();
    let log = log_of(&store);
    assert!(verify(&log, Some(&head)).is_ok());
    let seen: Vec<(&str, &str)> = log
        .iter()
        .map(|e| (e.action.as_str(), e.actor.as_str()))
        .collect();
    assert_eq!(
        seen,
        vec![
            (actions::CONFIG_CHANGE, "-"),
            (actions::AUTH_SIGN_IN_FAILED, "tanto1203"),
            (actions::AUTH_SIGN_IN, "tanto1203"),
            (actions::RECORD_CREATE, "tanto1203"),
            (actions::RECORD_SUBMIT, "tanto1203"),
            (actions::RECORD_WITHDRAW, "tanto1203"),
            (actions::EXPORT_PDF, "tanto1203"),
            (actions::EXPORT_AUDIT, "tanto1203"),
            (actions::AUTH_SIGN_OUT, "tanto1203"),
        ]
    );
    assert_eq!(
        log[0].detail,
        json!({"keys": ["centralUrl", "rootCaPath", "officeCode"]})
    );
    assert_eq!(log[1].detail, json!({"code": "auth.invalid_credentials"}));
    assert_eq!(log[3].target.as_deref(), Some(saved.id.as_str()));
    let submit = &log[4];
    assert_eq!(submit.target.as_deref(), Some(saved.id.as_str()));
    assert_eq!(submit.detail["kind"], json!("proposal"));
    assert!(submit.detail["outboxSeq"].as_u64().is_some());
    // Nothing in the log carries the password typed.
    assert!(!text.contains("wrong-password") && !text.contains(PASSWORD));
}
