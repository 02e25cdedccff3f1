//! The server's audit log (issue #8), over real HTTPS on both storage backends: actions
//! leave entries in their own transaction, the chain verifies, an entry changed directly
//! in the database is found by `kyosai-central audit verify`, and concurrent pushes from
//! several PCs keep one chain without forks.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::path::PathBuf;
use std::process::Command;

use chrono::{Duration, Utc};
use common::*;
use kyosai_audit::{actions, BreakKind, Entry};
use kyosai_central::audit as server_audit;
use kyosai_central::testing::{postgres_skipped, TestBackend, TestServer};
use kyosai_domain::approval as appr;
use kyosai_sync_protocol::approval::{AbsenceInfo, NewAbsence};
use kyosai_sync_protocol::{codes, CommandEnvelope, Outcome, Role};
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

both_backends!(
    every_action_leaves_an_entry_and_the_chain_verifies,
    an_entry_changed_in_the_database_is_found,
    concurrent_pushes_keep_one_chain,
);

const MY_NUMBER: &str = "123456789018";
const BIN: &str = env!("CARGO_BIN_EXE_kyosai-central");

async fn entries(server: &TestServer) -> Vec<Entry> {
    server
        .storage()
        .audit_rows()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.entry)
        .collect()
}

/// The entries after the first `skip`, as (actor, action, target).
fn seen(all: &[Entry], skip: usize) -> Vec<(String, String, Option<String>)> {
    all.iter()
        .skip(skip)
        .map(|e| (e.actor.clone(), e.action.clone(), e.target.clone()))
        .collect()
}

fn one<'a>(all: &'a [Entry], skip: usize, action: &str) -> &'a Entry {
    let found: Vec<&Entry> = all
        .iter()
        .skip(skip)
        .filter(|e| e.action == action)
        .collect();
    assert_eq!(found.len(), 1, "{action}: {:#?}", seen(all, skip));
    found[0]
}

fn act(seq: u64, id: Uuid, a: &appr::Action) -> CommandEnvelope {
    command(
        seq,
        "approval.act",
        id,
        None,
        serde_json::to_value(a).unwrap(),
    )
}

async fn every_action_leaves_an_entry_and_the_chain_verifies(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    server
        .add_user(
            CLERK_B2,
            "中村 翔",
            &[Role::OfficeClerk],
            Some("1101"),
            PASSWORD,
        )
        .await;
    // The fixture's offices and users were added through the storage: recorded as by
    // `system`, each with its own entry.
    let start = entries(&server).await;
    assert_eq!(
        start
            .iter()
            .filter(|e| e.action == actions::USER_ADMIN)
            .count(),
        8
    );
    let config: Vec<&serde_json::Value> = start
        .iter()
        .filter(|e| e.action == actions::CONFIG_CHANGE)
        .map(|e| &e.detail["op"])
        .collect();
    assert_eq!(
        config,
        [
            &json!("service_start"),
            &json!("office"),
            &json!("office"),
            &json!("office")
        ],
        "the start with its settings, then the three offices"
    );
    let started = start
        .iter()
        .find(|e| e.detail["op"] == json!("service_start"))
        .unwrap();
    assert_eq!(started.detail["lockout_threshold"], json!(5));
    assert_eq!(started.detail["transport"], json!("https"));
    let said = started.detail.to_string();
    assert!(
        !said.contains("sqlite:") && !said.contains("postgres:"),
        "{said}"
    );
    assert!(start.iter().all(|e| e.actor == "system"));
    let mut n = start.len();

    // Sign-in, its failures, the lockout.
    let clerk = api.login(CLERK_A).await;
    let all = entries(&server).await;
    let e = one(&all, n, actions::AUTH_SIGN_IN);
    assert_eq!(e.actor, CLERK_A);
    assert_eq!(e.detail["device"], json!(clerk.device_id.to_string()));
    n = all.len();
    api.login_reply(CLERK_A, "wrong-password", Uuid::new_v4())
        .await
        .assert_error(StatusCode::UNAUTHORIZED, codes::AUTH_INVALID_CREDENTIALS);
    api.login_reply("nobody-0123", PASSWORD, Uuid::new_v4())
        .await
        .assert_error(StatusCode::UNAUTHORIZED, codes::AUTH_INVALID_CREDENTIALS);
    let all = entries(&server).await;
    let failed: Vec<(String, serde_json::Value)> = all[n..]
        .iter()
        .filter(|e| e.action == actions::AUTH_SIGN_IN_FAILED)
        .map(|e| (e.actor.clone(), e.detail["reason"].clone()))
        .collect();
    assert_eq!(
        failed,
        vec![
            (CLERK_A.to_string(), json!("password")),
            // What was typed as a user id is not kept (it may be a password).
            ("unknown".to_string(), json!("unknown_user")),
        ]
    );
    n = all.len();
    for _ in 0..5 {
        api.login_reply(CLERK_B, "wrong-password", Uuid::new_v4())
            .await;
    }
    let all = entries(&server).await;
    assert_eq!(one(&all, n, server_audit::AUTH_LOCKOUT).actor, CLERK_B);
    n = all.len();

    // Pushed commands: applied, refused (with the code), unreadable.
    let other = api.login(CLERK_B2).await;
    let id = Uuid::new_v4();
    let mut form = new_hire("山田　太郎", "ヤマダ　タロウ", "1234-567890", MY_NUMBER);
    acknowledge_all(&mut form);
    let title = acquisition_title(&form);
    let body = serde_json::to_value(&form).unwrap();
    let hash = appr::content_hash("acquisition", &title, &body);
    let r = api
        .push(
            &clerk,
            &[
                command(
                    1,
                    "record.create",
                    id,
                    None,
                    json!({"kind": "acquisition", "office_code": "1203", "title": title, "body": body}),
                ),
                command(2, "approval.submit", id, None, json!({ "seen_hash": hash })),
                command(3, "record.shred", id, None, json!({})),
            ],
        )
        .await;
    assert!(matches!(r.results[1].outcome, Outcome::Applied { .. }));
    let r2 = api
        .push(&other, &[update(1, id, 2, "他の所属所から")])
        .await;
    assert!(matches!(r2.results[0].outcome, Outcome::Rejected { .. }));
    let all = entries(&server).await;
    let got: Vec<(String, String)> = all[n..]
        .iter()
        .filter(|e| e.action != actions::AUTH_SIGN_IN)
        .map(|e| (e.actor.clone(), e.action.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (CLERK_A.into(), actions::RECORD_CREATE.into()),
            (CLERK_A.into(), actions::RECORD_SUBMIT.into()),
            (CLERK_A.into(), "sync.command.refused".into()),
            (CLERK_B2.into(), "record.update.refused".into()),
        ]
    );
    let created = one(&all, n, actions::RECORD_CREATE);
    assert_eq!(created.target.as_deref(), Some(id.to_string().as_str()));
    assert_eq!(created.detail["command"], json!("record.create@1"));
    assert_eq!(created.detail["kind"], json!("acquisition"));
    assert_eq!(created.detail["office"], json!("1203"));
    assert_eq!(created.detail["version"], json!(1));
    let refused = one(&all, n, "record.update.refused");
    assert_eq!(refused.detail["code"], json!(codes::NOT_FOUND));
    assert_eq!(
        one(&all, n, "sync.command.refused").detail["command"],
        json!("record.shred@1")
    );
    // A replayed push is answered from memory and adds nothing.
    let before = all.len();
    api.push(&other, &[update(1, id, 2, "他の所属所から")])
        .await;
    assert_eq!(entries(&server).await.len(), before);
    n = before;

    // The route: 証明, 審査, 決裁 — and the registration file.
    let approve = appr::Action::Approve {
        seen_hash: hash.clone(),
        comment: None,
    };
    for user in [HEAD_A, REVIEWER, APPROVER] {
        let u = api.login(user).await;
        let r = api.push(&u, &[act(1, id, &approve)]).await;
        assert!(
            matches!(r.results[0].outcome, Outcome::Applied { .. }),
            "{user}"
        );
    }
    let all = entries(&server).await;
    let approvals: Vec<(String, serde_json::Value)> = all[n..]
        .iter()
        .filter(|e| e.action == actions::RECORD_APPROVE)
        .map(|e| (e.actor.clone(), e.detail["act"].clone()))
        .collect();
    assert_eq!(
        approvals,
        vec![
            (HEAD_A.into(), json!("approve")),
            (REVIEWER.into(), json!("approve")),
            (APPROVER.into(), json!("approve")),
        ]
    );
    n = all.len();
    let reviewer = api.login(REVIEWER).await;
    let it = api.login(IT).await;
    let made = api
        .post("/sync/v1/registrations", Some(reviewer.token()), &json!({}))
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let batch: kyosai_central::storage::RegistrationBatch = made.parse();
    let file = api
        .get(
            &format!("/sync/v1/registrations/{}", batch.id),
            Some(reviewer.token()),
        )
        .await;
    assert_eq!(file.status, StatusCode::OK);
    api.post("/sync/v1/registrations", Some(it.token()), &json!({}))
        .await
        .assert_error(StatusCode::FORBIDDEN, codes::FORBIDDEN);
    let all = entries(&server).await;
    let exports: Vec<(String, String, serde_json::Value)> = all[n..]
        .iter()
        .filter(|e| e.action.starts_with(actions::EXPORT_REGISTRATION))
        .map(|e| (e.actor.clone(), e.action.clone(), e.detail["op"].clone()))
        .collect();
    assert_eq!(
        exports,
        vec![
            (
                REVIEWER.into(),
                actions::EXPORT_REGISTRATION.into(),
                json!("create")
            ),
            (
                REVIEWER.into(),
                actions::EXPORT_REGISTRATION.into(),
                json!("download")
            ),
            (
                IT.into(),
                "export.registration.refused".into(),
                serde_json::Value::Null
            ),
        ]
    );
    n = all.len();

    // Absences, a conflict settled, sign-out.
    let approver = api.login(APPROVER).await;
    let now = Utc::now();
    let info: AbsenceInfo = api
        .post(
            "/sync/v1/absences",
            Some(approver.token()),
            &NewAbsence {
                delegate_id: HEAD_A.into(),
                from: now,
                until: now + Duration::days(1),
            },
        )
        .await
        .parse();
    let gone = api
        .delete(
            &format!("/sync/v1/absences/{}", info.id),
            Some(approver.token()),
        )
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    let note = Uuid::new_v4();
    let colleague = api.login(CLERK_A2).await;
    api.push(&clerk, &[create(4, note, "1203", "メモ")]).await;
    api.push(&colleague, &[update(1, note, 1, "同僚が先に")])
        .await;
    let r = api.push(&clerk, &[update(5, note, 1, "後から")]).await;
    let Outcome::Conflict { conflict_id, .. } = r.results[0].outcome else {
        panic!("expected a conflict: {:?}", r.results[0]);
    };
    let resolved = api
        .post(
            &format!("/sync/v1/conflicts/{conflict_id}/resolve"),
            Some(clerk.token()),
            &json!({"resolution": "discarded"}),
        )
        .await;
    assert_eq!(resolved.status, StatusCode::NO_CONTENT);
    // The app's own audit head comes with a push and is kept as a checkpoint.
    let head = kyosai_sync_protocol::AuditHead {
        seq: 42,
        hash: "ab".repeat(32),
    };
    let pushed = api
        .post(
            "/sync/v1/push",
            Some(clerk.token()),
            &kyosai_sync_protocol::PushRequest {
                client_id: clerk.client_id,
                commands: Vec::new(),
                audit_head: Some(head.clone()),
            },
        )
        .await;
    assert_eq!(pushed.status, StatusCode::OK, "{}", pushed.text);
    let out = api
        .post("/auth/v1/logout", Some(clerk.token()), &json!({}))
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let all = entries(&server).await;
    assert_eq!(
        one(&all, n, server_audit::ABSENCE_ADD).target,
        Some(info.id.to_string())
    );
    assert_eq!(one(&all, n, server_audit::ABSENCE_CANCEL).actor, APPROVER);
    let conflict = one(&all, n, "record.update.refused");
    assert_eq!(conflict.detail["outcome"], json!("conflict"));
    let settled = one(&all, n, server_audit::CONFLICT_RESOLVE);
    assert_eq!(settled.target, Some(conflict_id.to_string()));
    assert_eq!(settled.detail["resolution"], json!("discarded"));
    assert_eq!(one(&all, n, actions::AUTH_SIGN_OUT).actor, CLERK_A);
    let kept = one(&all, n, server_audit::CLIENT_HEAD);
    assert_eq!(kept.actor, CLERK_A);
    assert_eq!(kept.target, Some(format!("42:{}", head.hash)));
    assert_eq!(kept.detail["client"], json!(clerk.client_id.to_string()));

    // The chain verifies, also against its head kept as a checkpoint.
    let summary = server.storage().audit_verify(None).await.unwrap().unwrap();
    assert_eq!(summary.count, all.len() as u64);
    let head = server.storage().audit_head().await.unwrap().unwrap();
    assert_eq!(summary.head.as_ref(), Some(&head));
    assert!(server
        .storage()
        .audit_verify(Some(&head))
        .await
        .unwrap()
        .is_ok());

    // The export is what the client-side verifier reads, and holds no personal data,
    // password or token.
    let rows = server
        .storage()
        .audit_export(kyosai_audit::NewEntry::now("test", actions::EXPORT_AUDIT))
        .await
        .unwrap();
    let text: String = rows
        .iter()
        .map(|r| format!("{}\n", kyosai_audit::to_line(&r.entry)))
        .collect();
    let read = kyosai_audit::read_jsonl(text.as_bytes()).unwrap();
    assert!(kyosai_audit::verify(&read, Some(&head)).is_ok());
    assert_eq!(
        read.last().map(|e| e.action.as_str()),
        Some(actions::EXPORT_AUDIT)
    );
    for e in &read {
        assert_eq!(kyosai_audit::check_detail(&e.detail), Ok(()), "{e:?}");
    }
    for secret in [
        MY_NUMBER,
        "山田",
        PASSWORD,
        "wrong-password",
        "nobody-0123",
        approver.session.access_token.as_str(),
        approver.session.refresh_token.as_str(),
    ] {
        assert!(!text.contains(secret), "{secret} in the audit log");
    }
    server.stop().await;
}

const CLERK_B2: &str = "tanto1101b";

/// Runs SQL on the service's database directly, as its owner (not through the service).
async fn raw_sql(server: &TestServer, sql: &str) -> Result<(), String> {
    let url = server.config().storage.clone();
    if let Some(path) = url.strip_prefix("sqlite:") {
        let path = PathBuf::from(path);
        let sql = sql.to_string();
        tokio::task::spawn_blocking(move || {
            let c = rusqlite::Connection::open(path).map_err(|e| e.to_string())?;
            c.busy_timeout(std::time::Duration::from_secs(5))
                .map_err(|e| e.to_string())?;
            c.execute_batch(&sql).map_err(|e| e.to_string())
        })
        .await
        .unwrap()
    } else {
        let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .map_err(|e| e.to_string())?;
        let task = tokio::spawn(conn);
        let r = client.batch_execute(sql).await.map_err(|e| {
            e.as_db_error()
                .map_or_else(|| e.to_string(), |d| d.message().to_string())
        });
        drop(client);
        let _ = task.await;
        r
    }
}

/// `kyosai-central --config … ARGS` on the test server's database.
fn cli(server: &TestServer, args: &[&str]) -> std::process::Output {
    let config = server.dir().join("cli.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\nstorage = {:?}\n\n[tls]\ncert = \"server.pem\"\nkey = \"server.key\"\n",
            server.config().storage
        ),
    )
    .unwrap();
    Command::new(BIN)
        .arg("--config")
        .arg(&config)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

async fn an_entry_changed_in_the_database_is_found(backend: TestBackend) {
    let (server, api) = setup(backend).await;
    let clerk = api.login(CLERK_A).await;
    for seq in 1..=3 {
        api.push(&clerk, &[create(seq, Uuid::new_v4(), "1203", "届")])
            .await;
    }
    let out = cli(&server, &["audit", "verify"]);
    assert!(out.status.success(), "{out:?}");
    let head = String::from_utf8_lossy(&cli(&server, &["audit", "head"]).stdout)
        .trim()
        .to_string();
    let all = entries(&server).await;
    assert_eq!(head, all.last().unwrap().head().to_string());
    let target = all
        .iter()
        .find(|e| e.action == actions::RECORD_CREATE)
        .unwrap()
        .seq;

    // Append-only: the service's database refuses to change or remove an entry.
    for sql in [
        format!("UPDATE audit_log SET actor = 'someone' WHERE seq = {target}"),
        format!("DELETE FROM audit_log WHERE seq = {target}"),
    ] {
        let e = raw_sql(&server, &sql).await.unwrap_err();
        assert!(e.contains("append-only"), "{sql}: {e}");
    }
    let forged = format!(
        "INSERT INTO audit_log (seq, at, actor, action, target, detail, prev_hash, hash) \
         VALUES (1, '2026-01-01T00:00:00.000000Z', 'x', 'auth.sign_in', NULL, '{{}}', '{z}', '{z}')",
        z = "0".repeat(64)
    );
    assert!(
        raw_sql(&server, &forged).await.is_err(),
        "an entry that does not extend the chain"
    );
    assert!(cli(&server, &["audit", "verify"]).status.success());

    // Whoever owns the database can switch the guard off and edit a row: the chain shows it.
    let disable = match backend {
        TestBackend::Sqlite => "DROP TRIGGER audit_log_no_update;",
        TestBackend::Postgres => "ALTER TABLE audit_log DISABLE TRIGGER USER;",
    };
    raw_sql(
        &server,
        &format!("{disable} UPDATE audit_log SET actor = 'someone' WHERE seq = {target};"),
    )
    .await
    .unwrap();
    let broken = server
        .storage()
        .audit_verify(None)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(broken.kind, BreakKind::Edited);
    assert_eq!(broken.seq, Some(target));
    let out = cli(&server, &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("書き換えられています") && said.contains("audit.edited"),
        "{said}"
    );
    assert!(said.contains(&format!("seq {target}")), "{said}");

    // Re-hashing the whole chain from the edited entry on makes it consistent again; only
    // the head kept elsewhere (`audit head`) shows that it was rewritten.
    let stored = entries(&server).await;
    let mut prev = stored.iter().find(|e| e.seq == target - 1).cloned();
    let mut sql = String::new();
    for e in stored.iter().filter(|e| e.seq >= target) {
        let again = kyosai_audit::next(
            prev.as_ref(),
            kyosai_audit::NewEntry {
                at: e.at,
                actor: e.actor.clone(),
                action: e.action.clone(),
                target: e.target.clone(),
                detail: e.detail.clone(),
            },
        );
        sql.push_str(&format!(
            "UPDATE audit_log SET prev_hash = '{}', hash = '{}' WHERE seq = {};",
            again.prev_hash, again.hash, again.seq
        ));
        prev = Some(again);
    }
    // (Both columns are UNIQUE: move every hash out of the way first.)
    let park = format!(
        "UPDATE audit_log SET prev_hash = 'p' || substr(prev_hash, 2), hash = 'h' || substr(hash, 2) WHERE seq >= {target};"
    );
    raw_sql(&server, &format!("{park}{sql}")).await.unwrap();
    assert!(cli(&server, &["audit", "verify"]).status.success());
    let out = cli(&server, &["audit", "verify", "--anchor", &head]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("audit.head_mismatch"), "{said}");
    server.stop().await;
}

async fn concurrent_pushes_keep_one_chain(backend: TestBackend) {
    let (server, _api) = setup(backend).await;
    server
        .add_user(
            CLERK_B2,
            "中村 翔",
            &[Role::OfficeClerk],
            Some("1101"),
            PASSWORD,
        )
        .await;
    const PUSHES: u64 = 12;
    const PER_PUSH: u64 = 3;
    let pcs: Vec<(&str, &str)> = vec![
        (CLERK_A, "1203"),
        (CLERK_A2, "1203"),
        (HEAD_A, "1203"),
        (CLERK_B, "1101"),
        (CLERK_B2, "1101"),
    ];
    let before = entries(&server).await.len();
    let mut tasks = Vec::new();
    for (user, office) in pcs.clone() {
        let api = Api::new(&server);
        tasks.push(tokio::spawn(async move {
            let u = api.login(user).await;
            for p in 0..PUSHES {
                let batch: Vec<CommandEnvelope> = (1..=PER_PUSH)
                    .map(|i| create(p * PER_PUSH + i, Uuid::new_v4(), office, "同時送信"))
                    .collect();
                let r = api.push(&u, &batch).await;
                assert_eq!(r.acknowledged_seq, (p + 1) * PER_PUSH);
            }
            // A sign-in failure and a sign-out between the pushes of others.
            api.login_reply(user, "wrong-password", Uuid::new_v4())
                .await;
            api.post("/auth/v1/logout", Some(u.token()), &json!({}))
                .await;
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let all = entries(&server).await;
    let creates = all[before..]
        .iter()
        .filter(|e| e.action == actions::RECORD_CREATE)
        .count() as u64;
    assert_eq!(creates, pcs.len() as u64 * PUSHES * PER_PUSH);
    // 1 sign-in + the creates + 1 failure + 1 sign-out per PC.
    assert_eq!(
        all.len() - before,
        pcs.len() * (3 + (PUSHES * PER_PUSH) as usize)
    );
    let summary = server.storage().audit_verify(None).await.unwrap().unwrap();
    assert_eq!(summary.count, all.len() as u64);
    // One chain: every seq once, every hash linked by exactly one successor.
    let mut prevs: Vec<&str> = all.iter().map(|e| e.prev_hash.as_str()).collect();
    prevs.sort_unstable();
    prevs.dedup();
    assert_eq!(
        prevs.len(),
        all.len(),
        "a fork: two entries extend the same one"
    );
    server.stop().await;
}
