#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The sync client against the real central service over TLS on 127.0.0.1 (test CA), on
//! both storage backends. PostgreSQL needs `KYOSAI_TEST_PG_URL` (or `KYOSAI_SKIP_PG=1`).

mod support;

use std::time::Duration;

use kyosai_central::testing::TestBackend;
use kyosai_store::sync::{labels, DraftState, OutboxState};
use kyosai_sync_client::{Api, ErrorKind, SecretStore, SyncEngine};
use kyosai_sync_protocol::{codes, Resolution};
use serde_json::json;
use support::{Clerk, Relay, CHIYODA, SHINJUKU};

/// Two test functions (SQLite, PostgreSQL) for one scenario.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(TestBackend::Sqlite, concat!(stringify!($name), "::sqlite")).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(TestBackend::Postgres, concat!(stringify!($name), "::postgres")).await;
            }
        }
    )*};
}

on_both_backends!(
    two_clerks_see_each_others_records,
    an_offline_clerk_keeps_working_and_catches_up,
    a_conflict_is_labelled_and_the_queue_moves_on,
    a_rejected_command_keeps_its_draft_labelled,
    a_transferred_record_disappears_for_the_old_office,
    sign_out_is_refused_while_work_is_unsent,
    the_password_is_checked_offline_and_a_forced_sign_out_keeps_the_work,
    an_expired_access_token_is_refreshed_once,
    a_lost_refresh_answer_does_not_sign_the_clerk_out,
    a_seq_gap_is_surfaced_and_not_retried_in_a_loop,
    a_poke_brings_another_clerks_work_without_asking,
);

async fn two_clerks_see_each_others_records(backend: TestBackend, test: &str) {
    let Some(server) = support::start(backend, test).await else {
        return;
    };
    let ca = server.ca_pem_path().to_path_buf();
    let sato = Clerk::sign_in(&server.base_url, &ca, "sato.hanako").await;
    let suzuki = Clerk::sign_in(&server.base_url, &ca, "suzuki.taro").await;
    let (e1, e2) = (sato.engine(1), suzuki.engine(2));

    for t in [
        "資格取得届 山田太郎",
        "資格取得届 高橋一郎",
        "被扶養者申告 山田花子",
    ] {
        sato.with(|s| {
            s.sync()
                .record_create_local("acquisition", SHINJUKU, t, &json!({ "件名": t }))
                .unwrap()
        });
    }
    e1.notify_local_write();
    for t in ["資格取得届 伊藤健", "資格取得届 渡辺愛"] {
        suzuki.with(|s| {
            s.sync()
                .record_create_local("acquisition", SHINJUKU, t, &json!({ "件名": t }))
                .unwrap()
        });
    }
    e1.sync_now().await.unwrap();
    e2.sync_now().await.unwrap();
    e1.sync_now().await.unwrap();
    let expected = vec![
        "被扶養者申告 山田花子".to_string(),
        "資格取得届 伊藤健".into(),
        "資格取得届 山田太郎".into(),
        "資格取得届 渡辺愛".into(),
        "資格取得届 高橋一郎".into(),
    ];
    assert_eq!(sato.titles("acquisition"), expected);
    assert_eq!(suzuki.titles("acquisition"), expected);
    // Everything is settled: nothing labelled, nothing pending, status says so.
    let status = e1.status().borrow().clone();
    assert!(status.online);
    assert_eq!(
        (status.pending, status.conflicted, status.rejected),
        (0, 0, 0)
    );
    assert_eq!(status.signed_in_user.as_deref(), Some("sato.hanako"));
    assert!(status.last_sync_at.is_some());
    assert!(status.last_error.is_none());
    // The server holds exactly what was typed, authored by the right person.
    let mine = sato.with(|s| s.sync().list_records("acquisition").unwrap());
    for r in mine {
        let on_server = server.record(r.id).await.unwrap();
        assert_eq!(on_server.title, r.title);
        assert!(r.label.is_none());
    }
    assert_eq!(server.command_count(sato.client_id()).await, 3);
    assert_eq!(server.command_count(suzuki.client_id()).await, 2);
    e1.shutdown().await;
    e2.shutdown().await;
    server.stop().await;
}

async fn an_offline_clerk_keeps_working_and_catches_up(backend: TestBackend, test: &str) {
    let Some(mut server) = support::start(backend, test).await else {
        return;
    };
    let ca = server.ca_pem_path().to_path_buf();
    let relay = Relay::start(&server.base_url).await;
    let sato = Clerk::sign_in(&relay.base_url(), &ca, "sato.hanako").await;
    let suzuki = Clerk::sign_in(&server.base_url, &ca, "suzuki.taro").await;
    let engine = sato.engine(3);
    let (first, _) = sato.with(|s| {
        s.sync()
            .record_create_local("note", SHINJUKU, "オンラインで作成", &json!({}))
            .unwrap()
    });
    engine.sync_now().await.unwrap();

    // The network goes away (and the server restarts meanwhile).
    relay.set_online(false);
    let mut ids = Vec::new();
    for i in 0..25 {
        let (id, _) = sato.with(|s| {
            s.sync()
                .record_create_local(
                    "note",
                    SHINJUKU,
                    &format!("オフライン {i:02}"),
                    &json!({ "i": i }),
                )
                .unwrap()
        });
        engine.notify_local_write();
        ids.push(id);
    }
    for (n, id) in ids.iter().enumerate().step_by(5) {
        sato.with(|s| {
            s.sync()
                .record_update_local(
                    *id,
                    &format!("オフライン {n:02}（訂正）"),
                    &json!({ "訂正": true }),
                )
                .unwrap()
        });
    }
    sato.with(|s| {
        s.sync()
            .record_update_local(first, "オンラインで作成（オフラインで訂正）", &json!({}))
            .unwrap()
    });
    let err = engine.sync_now().await.unwrap_err();
    assert!(err.is_offline(), "{err:?}");
    assert_eq!(err.code, "sync.offline");
    let status = engine.status().borrow().clone();
    assert!(!status.online);
    assert_eq!(status.pending, 31);
    assert_eq!(
        status.last_error.as_ref().map(|e| e.code.as_str()),
        Some("sync.offline")
    );
    // The clerk still sees every record, labelled 未送信.
    let list = sato.with(|s| s.sync().list_records("note").unwrap());
    assert_eq!(list.len(), 26);
    assert!(list
        .iter()
        .all(|r| r.label.as_deref() == Some(labels::PENDING)));
    server.restart().await;
    // Someone else works meanwhile.
    suzuki.with(|s| {
        s.sync()
            .record_create_local("note", SHINJUKU, "鈴木の記録", &json!({}))
            .unwrap()
    });
    let e2 = suzuki.engine(4);
    e2.sync_now().await.unwrap();

    relay.set_online(true);
    engine.sync_now().await.unwrap();
    let state = sato.with(|s| s.sync().state().unwrap());
    assert_eq!(
        server.command_count(state.client_id).await,
        state.last_seq,
        "0 lost, 0 duplicated"
    );
    let entries = sato.with(|s| s.sync().outbox_entries().unwrap());
    assert!(entries.iter().all(|e| e.state == OutboxState::SentApplied));
    let titles = sato.titles("note");
    assert_eq!(titles.len(), 27);
    assert!(titles.contains(&"鈴木の記録".to_string()));
    assert!(titles.contains(&"オフライン 05（訂正）".to_string()));
    assert_eq!(
        server.record(first).await.unwrap().title,
        "オンラインで作成（オフラインで訂正）"
    );
    assert_eq!(server.record(ids[5]).await.unwrap().version, 2);
    let status = engine.status().borrow().clone();
    assert!(status.online && status.last_error.is_none() && status.pending == 0);
    engine.shutdown().await;
    e2.shutdown().await;
    drop(relay);
    server.stop().await;
}

async fn a_conflict_is_labelled_and_the_queue_moves_on(backend: TestBackend, test: &str) {
    let Some(server) = support::start(backend, test).await else {
        return;
    };
    let ca = server.ca_pem_path().to_path_buf();
    let sato = Clerk::sign_in(&server.base_url, &ca, "sato.hanako").await;
    let suzuki = Clerk::sign_in(&server.base_url, &ca, "suzuki.taro").await;
    let (e1, e2) = (sato.engine(5), suzuki.engine(6));
    let (id, _) = sato.with(|s| {
        s.sync()
            .record_create_local("note", SHINJUKU, "掛金の照会", &json!({ "金額": 12_000 }))
            .unwrap()
    });
    e1.sync_now().await.unwrap();
    e2.sync_now().await.unwrap();

    // Both edit version 1.
    suzuki.with(|s| {
        s.sync()
            .record_update_local(id, "掛金の照会（鈴木）", &json!({ "金額": 12_500 }))
            .unwrap()
    });
    sato.with(|s| {
        s.sync()
            .record_update_local(id, "掛金の照会（佐藤）", &json!({ "金額": 13_000 }))
            .unwrap()
    });
    let (after, _) = sato.with(|s| {
        s.sync()
            .record_create_local("note", SHINJUKU, "次の記録", &json!({}))
            .unwrap()
    });
    e2.sync_now().await.unwrap();
    e1.sync_now().await.unwrap();
    let states: Vec<OutboxState> = sato
        .with(|s| s.sync().outbox_entries().unwrap())
        .iter()
        .map(|e| e.state)
        .collect();
    assert_eq!(
        states,
        vec![
            OutboxState::SentApplied,
            OutboxState::Conflict,
            OutboxState::SentApplied
        ]
    );

    let r = sato.with(|s| s.sync().record(id).unwrap().unwrap());
    assert_eq!(r.label.as_deref(), Some(labels::CONFLICT));
    assert_eq!(r.title, "掛金の照会（佐藤）", "the draft is kept");
    let draft = r.draft.clone().unwrap();
    assert_eq!(draft.state, DraftState::Conflict);
    assert_eq!(draft.code.as_deref(), Some(codes::VERSION_CONFLICT));
    assert!(draft.message.as_deref().unwrap().contains("競合"));
    assert_eq!(r.server.as_ref().unwrap().title, "掛金の照会（鈴木）");
    assert!(sato.with(|s| s.sync().record(after).unwrap().unwrap().label.is_none()));
    let status = e1.status().borrow().clone();
    assert_eq!((status.pending, status.conflicted), (0, 1));

    // The conflicts screen: base / server / mine.
    let list = e1.conflicts().await.unwrap();
    assert_eq!(list.conflicts.len(), 1);
    let c = &list.conflicts[0];
    assert_eq!(c.record_id, id);
    assert_eq!(c.base_version, Some(1));
    assert_eq!(c.payload["title"], "掛金の照会（佐藤）");
    assert_eq!(c.server_record.as_ref().unwrap().version, 2);
    assert_eq!(Some(c.id), draft.conflict_id);

    // The clerk re-applies theirs on top of the server's version.
    assert!(e1
        .resolve(id, Some(c.id), Resolution::Reapplied)
        .await
        .unwrap());
    e1.sync_now().await.unwrap();
    let on_server = server.record(id).await.unwrap();
    assert_eq!(
        (on_server.version, on_server.title.as_str()),
        (3, "掛金の照会（佐藤）")
    );
    assert!(sato.with(|s| s.sync().record(id).unwrap().unwrap().draft.is_none()));
    assert!(e1.conflicts().await.unwrap().conflicts.is_empty());
    e2.sync_now().await.unwrap();
    assert_eq!(
        suzuki.with(|s| s.sync().record(id).unwrap().unwrap().title),
        "掛金の照会（佐藤）"
    );
    e1.shutdown().await;
    e2.shutdown().await;
    server.stop().await;
}

async fn a_rejected_command_keeps_its_draft_labelled(backend: TestBackend, test: &str) {
    let Some(server) = support::start(backend, test).await else {
        return;
    };
    let ca = server.ca_pem_path().to_path_buf();
    let sato = Clerk::sign_in(&server.base_url, &ca, "sato.hanako").await;
    let engine = sato.engine(7);
    // 佐藤 may not create records for 千代田区.
    let (wrong, _) = sato.with(|s| {
        s.sync()
            .record_create_local(
                "note",
                CHIYODA,
                "千代田区の届出（誤り）",
                &json!({ "氏名": "山田太郎" }),
            )
            .unwrap()
    });
    let (right, _) = sato.with(|s| {
        s.sync()
            .record_create_local("note", SHINJUKU, "新宿区の届出", &json!({}))
            .unwrap()
    });
    engine.sync_now().await.unwrap();
    let states: Vec<OutboxState> = sato
        .with(|s| s.sync().outbox_entries().unwrap())
        .iter()
        .map(|e| e.state)
        .collect();
    assert_eq!(
        states,
        vec![OutboxState::Rejected, OutboxState::SentApplied]
    );
    let r = sato.with(|s| s.sync().record(wrong).unwrap().unwrap());
    assert_eq!(r.label.as_deref(), Some(labels::REJECTED));
    assert_eq!(
        r.body,
        json!({ "氏名": "山田太郎" }),
        "what the clerk typed is kept"
    );
    let d = r.draft.unwrap();
    assert_eq!(d.code.as_deref(), Some(codes::NOT_PERMITTED));
    assert!(d.message.unwrap().contains("権限"));
    assert!(server.record(wrong).await.is_none());
    assert!(server.record(right).await.is_some());
    let status = engine.status().borrow().clone();
    assert_eq!((status.pending, status.rejected), (0, 1));
    // A rejected draft is unsent work: sign-out waits for the clerk to settle it.
    let err = engine.sign_out().await.unwrap_err();
    assert_eq!(err.code, "sync.unsent_work");
    assert!(err.message.contains("差戻し 1 件"), "{}", err.message);
    // The clerk moves it to their own office: it is created again and applies.
    sato.with(|s| s.sync().record_transfer_local(wrong, SHINJUKU).unwrap());
    engine.sync_now().await.unwrap();
    let on_server = server.record(wrong).await.unwrap();
    assert_eq!(
        (on_server.office_code.as_str(), on_server.version),
        (SHINJUKU, 1)
    );
    assert!(sato.with(|s| s.sync().record(wrong).unwrap().unwrap().label.is_none()));
    engine.sign_out().await.unwrap();
    engine.shutdown().await;
    server.stop().await;
}

async fn a_transferred_record_disappears_for_the_old_office(backend: TestBackend, test: &str) {
    let Some(server) = support::start(backend, test).await else {
        return;
    };
    let ca = server.ca_pem_path().to_path_buf();
    let sato = Clerk::sign_in(&server.base_url, &ca, "sato.hanako").await;
    let suzuki = Clerk::sign_in(&server.base_url, &ca, "suzuki.taro").await;
    let tanaka = Clerk::sign_in(&server.base_url, &ca, "tanaka.misaki").await;
    let reviewer = Clerk::sign_in(&server.base_url, &ca, "yamamoto.ryo").await;
    let (e_sato, e_suzuki, e_tanaka, e_rev) = (
        sato.engine(8),
        suzuki.engine(9),
        tanaka.engine(10),
        reviewer.engine(11),
    );
    let (moved, _) = sato.with(|s| {
        s.sync()
            .record_create_local("note", SHINJUKU, "転居による移管", &json!({}))
            .unwrap()
    });
    let (kept, _) = sato.with(|s| {
        s.sync()
            .record_create_local("note", SHINJUKU, "新宿区に残る記録", &json!({}))
            .unwrap()
    });
    e_sato.sync_now().await.unwrap();
    e_suzuki.sync_now().await.unwrap();
    e_tanaka.sync_now().await.unwrap();
    assert!(
        tanaka.titles("note").is_empty(),
        "千代田区 does not see 新宿区"
    );
    e_rev.sync_now().await.unwrap();
    assert_eq!(
        reviewer.titles("note").len(),
        2,
        "the secretariat sees every office"
    );

    // 鈴木 edits the record while the secretariat moves it.
    suzuki.with(|s| {
        s.sync()
            .record_update_local(moved, "転居による移管（鈴木のメモ）", &json!({}))
            .unwrap()
    });
    reviewer.with(|s| s.sync().record_transfer_local(moved, CHIYODA).unwrap());
    e_rev.sync_now().await.unwrap();
    assert_eq!(server.record(moved).await.unwrap().office_code, CHIYODA);

    e_sato.sync_now().await.unwrap();
    assert!(
        sato.with(|s| s.sync().record(moved).unwrap()).is_none(),
        "gone for 新宿区"
    );
    assert!(sato.with(|s| s.sync().record(kept).unwrap()).is_some());
    e_tanaka.sync_now().await.unwrap();
    assert_eq!(tanaka.titles("note"), vec!["転居による移管".to_string()]);

    // 鈴木's edit is refused, and the draft stays, labelled.
    e_suzuki.sync_now().await.unwrap();
    let r = suzuki.with(|s| s.sync().record(moved).unwrap().unwrap());
    assert!(r.revoked);
    assert_eq!(r.label.as_deref(), Some(labels::REVOKED));
    assert_eq!(r.title, "転居による移管（鈴木のメモ）");
    assert!(matches!(
        r.draft.unwrap().state,
        DraftState::Rejected | DraftState::Conflict
    ));
    for e in [e_sato, e_suzuki, e_tanaka, e_rev] {
        e.shutdown().await;
    }
    server.stop().await;
}

async fn sign_out_is_refused_while_work_is_unsent(backend: TestBackend, test: &str) {
    let Some(server) = support::start(backend, test).await else {
        return;
    };
    let ca = server.ca_pem_path().to_path_buf();
    let relay = Relay::start(&server.base_url).await;
    let sato = Clerk::sign_in(&relay.base_url(), &ca, "sato.hanako").await;
    let account = kyosai_sync_client::account_for("default", "sato.hanako");
    assert_eq!(
        sato.secrets.get(&account).unwrap().map(|t| t.len()),
        Some(43)
    );
    let engine = sato.engine(12);
    relay.set_online(false);
    sato.with(|s| {
        s.sync()
            .record_create_local("note", SHINJUKU, "未送信の届出", &json!({}))
            .unwrap()
    });
    let err = engine.sign_out().await.unwrap_err();
    assert_eq!(err.code, "sync.unsent_work");
    assert_eq!(err.kind, ErrorKind::UnsentWork);
    assert!(err.message.contains("送信待ち 1 件"), "{}", err.message);
    assert!(
        sato.secrets.get(&account).unwrap().is_some(),
        "still signed in"
    );
    relay.set_online(true);
    engine.sync_now().await.unwrap();
    engine.sign_out().await.unwrap();
    assert!(
        sato.secrets.get(&account).unwrap().is_none(),
        "refresh token removed"
    );
    assert!(sato.auth.signed_in_user().is_none());
    let mut status = engine.status();
    tokio::time::timeout(
        Duration::from_secs(5),
        status.wait_for(|s| s.signed_in_user.is_none()),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(
        engine.sync_now().await.unwrap_err().code,
        "sync.not_signed_in"
    );
    // The local copy stays for the next sign-in.
    assert_eq!(sato.titles("note"), vec!["未送信の届出".to_string()]);
    engine.shutdown().await;
    drop(relay);
    server.stop().await;
}

/// The locked app's password check: the hash kept at sign-in answers offline; ending the
/// session (too many wrong passwords) keeps the unsent work for the same user's next
/// sign-in, which sends it.
async fn the_password_is_checked_offline_and_a_forced_sign_out_keeps_the_work(
    backend: TestBackend,
    test: &str,
) {
    let Some(server) = support::start(backend, test).await else {
        return;
    };
    let ca = server.ca_pem_path().to_path_buf();
    let relay = Relay::start(&server.base_url).await;
    let sato = Clerk::sign_in(&relay.base_url(), &ca, "sato.hanako").await;
    let hash_account = kyosai_sync_client::unlock::unlock_account_for("default", "sato.hanako");
    let hash = sato.secrets.get(&hash_account).unwrap().unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains(support::PASSWORD));
    let engine = sato.engine(14);
    relay.set_online(false);
    assert_eq!(
        sato.auth.verify_password(support::PASSWORD).await.unwrap(),
        Some(true)
    );
    assert_eq!(
        sato.auth.verify_password("kyosai-dem0").await.unwrap(),
        Some(false)
    );
    sato.with(|s| {
        s.sync()
            .record_create_local("note", SHINJUKU, "ロック中の未送信メモ", &json!({}))
            .unwrap()
    });
    // Offline, with unsent work: the session still ends here.
    engine.end_session().await.unwrap();
    assert!(sato.auth.signed_in_user().is_none());
    assert!(sato.secrets.get(&hash_account).unwrap().is_none());
    let token_account = kyosai_sync_client::account_for("default", "sato.hanako");
    assert!(sato.secrets.get(&token_account).unwrap().is_none());
    assert_eq!(
        sato.auth.verify_password(support::PASSWORD).await.unwrap(),
        None
    );
    let pending = sato.with(|s| s.sync().counts().unwrap().pending);
    assert_eq!(pending, 1, "the outbox is kept");
    // Someone else cannot take the profile over while the work is unsent.
    relay.set_online(true);
    let err = sato
        .auth
        .sign_in(&sato.store, "suzuki.taro", support::PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(err.code, "sync.other_user_unsent_work", "{err:?}");
    // The same user signs in again and the work goes.
    engine
        .sign_in("sato.hanako", support::PASSWORD)
        .await
        .unwrap();
    engine.sync_now().await.unwrap();
    assert_eq!(sato.with(|s| s.sync().counts().unwrap().pending), 0);
    engine.shutdown().await;
    drop(relay);
    server.stop().await;
}

async fn an_expired_access_token_is_refreshed_once(backend: TestBackend, test: &str) {
    if backend == TestBackend::Postgres && kyosai_central::testing::postgres_skipped(test) {
        return;
    }
    let server = kyosai_central::testing::TestServer::start_with(backend, |c| {
        c.auth.access_token_lifetime = Duration::from_secs(1);
    })
    .await;
    support::organisation(&server).await;
    let ca = server.ca_pem_path().to_path_buf();
    let mut sato = Clerk::sign_in(&server.base_url, &ca, "sato.hanako").await;
    let account = kyosai_sync_client::account_for("default", "sato.hanako");
    let first = sato.secrets.get(&account).unwrap().unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    sato.with(|s| {
        s.sync()
            .record_create_local("note", SHINJUKU, "期限切れの後", &json!({}))
            .unwrap()
    });
    let engine = sato.engine(13);
    engine.sync_now().await.unwrap();
    let second = sato.secrets.get(&account).unwrap().unwrap();
    assert_ne!(first, second, "the refresh token rotated and was stored");
    engine.shutdown().await;
    // After an app restart the stored refresh token resumes the session.
    sato.restart_auth().await;
    let engine = sato.engine(14);
    sato.with(|s| {
        s.sync()
            .record_create_local("note", SHINJUKU, "再起動の後", &json!({}))
            .unwrap()
    });
    engine.sync_now().await.unwrap();
    assert_eq!(server.command_count(sato.client_id()).await, 2);
    engine.shutdown().await;
    server.stop().await;
}

/// The server rotates the refresh token but its answer is lost: the client keeps the old
/// token, retries with it (within the server's grace) and stays signed in.
async fn a_lost_refresh_answer_does_not_sign_the_clerk_out(backend: TestBackend, test: &str) {
    if backend == TestBackend::Postgres && kyosai_central::testing::postgres_skipped(test) {
        return;
    }
    // Every request refreshes first: the access token lives less than the client's margin.
    let server = kyosai_central::testing::TestServer::start_with(backend, |c| {
        c.auth.access_token_lifetime = Duration::from_secs(1);
    })
    .await;
    support::organisation(&server).await;
    let ca = server.ca_pem_path().to_path_buf();
    let sato = Clerk::sign_in(&server.base_url, &ca, "sato.hanako").await;
    let account = kyosai_sync_client::account_for("default", "sato.hanako");
    let first = sato.secrets.get(&account).unwrap().unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    server.cut_refresh_responses(1);
    let lost = sato.auth.access_token().await.unwrap_err();
    assert_ne!(lost.kind, ErrorKind::Auth, "{lost:?}");
    assert_eq!(sato.auth.signed_in_user().as_deref(), Some("sato.hanako"));
    assert_eq!(
        sato.secrets.get(&account).unwrap().as_deref(),
        Some(first.as_str()),
        "the old refresh token is kept"
    );
    sato.with(|s| {
        s.sync()
            .record_create_local("note", SHINJUKU, "応答が失われた後", &json!({}))
            .unwrap()
    });
    let engine = sato.engine(15);
    engine.sync_now().await.unwrap();
    assert_eq!(server.command_count(sato.client_id()).await, 1);
    assert_eq!(sato.auth.signed_in_user().as_deref(), Some("sato.hanako"));
    let now_stored = sato.secrets.get(&account).unwrap().unwrap();
    assert_ne!(now_stored, first, "a fresh refresh token was stored");
    engine.shutdown().await;
    server.stop().await;
}

async fn a_seq_gap_is_surfaced_and_not_retried_in_a_loop(backend: TestBackend, test: &str) {
    let Some(server) = support::start(backend, test).await else {
        return;
    };
    let ca = server.ca_pem_path().to_path_buf();
    let sato = Clerk::sign_in(&server.base_url, &ca, "sato.hanako").await;
    let suzuki = Clerk::sign_in(&server.base_url, &ca, "suzuki.taro").await;
    suzuki.with(|s| {
        s.sync()
            .record_create_local("note", SHINJUKU, "鈴木の記録", &json!({}))
            .unwrap()
    });
    let e2 = suzuki.engine(15);
    e2.sync_now().await.unwrap();
    // Seq 1 is marked answered locally although the server never saw it (as after an
    // outbox restored from an inconsistent copy): the server sees a gap at seq 2.
    let (a, s1) = sato.with(|s| {
        s.sync()
            .record_create_local("note", SHINJUKU, "一", &json!({}))
            .unwrap()
    });
    sato.with(|s| {
        s.sync()
            .record_create_local("note", SHINJUKU, "二", &json!({}))
            .unwrap()
    });
    sato.with(|s| {
        s.sync()
            .apply_push_results(&[kyosai_sync_protocol::CommandResult {
                seq: s1,
                outcome: kyosai_sync_protocol::Outcome::Applied {
                    record_id: a,
                    version: 1,
                },
            }])
            .unwrap()
    });
    let engine = SyncEngine::start(sato.store.clone(), sato.auth.clone(), support::options(16));
    let err = engine.sync_now().await.unwrap_err();
    assert_eq!(err.code, codes::SEQ_GAP);
    assert_eq!(err.kind, ErrorKind::OutboxMismatch);
    // The pull still ran: the clerk sees the others' work.
    assert!(sato.titles("note").contains(&"鈴木の記録".to_string()));
    // And the loop does not hammer the server: no cycle starts on its own.
    let mut status = engine.status();
    status.borrow_and_update();
    let started =
        tokio::time::timeout(Duration::from_secs(2), status.wait_for(|s| s.syncing)).await;
    assert!(started.is_err(), "no automatic retry after a seq gap");
    let shown = engine.status().borrow().clone();
    assert_eq!(
        shown.last_error.map(|e| e.code),
        Some(codes::SEQ_GAP.to_string())
    );
    assert_eq!(shown.pending, 1, "the unsent command is kept");
    engine.shutdown().await;
    e2.shutdown().await;
    server.stop().await;
}

async fn a_poke_brings_another_clerks_work_without_asking(backend: TestBackend, test: &str) {
    let Some(server) = support::start(backend, test).await else {
        return;
    };
    let ca = server.ca_pem_path().to_path_buf();
    let sato = Clerk::sign_in(&server.base_url, &ca, "sato.hanako").await;
    let suzuki = Clerk::sign_in(&server.base_url, &ca, "suzuki.taro").await;
    let mut opts = support::options(17);
    opts.poke = true;
    let e1 = SyncEngine::start(sato.store.clone(), sato.auth.clone(), opts);
    e1.sync_now().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await; // the poke is waiting now
    suzuki.with(|s| {
        s.sync()
            .record_create_local("note", SHINJUKU, "ポークで届く記録", &json!({}))
            .unwrap()
    });
    let e2 = suzuki.engine(18);
    e2.sync_now().await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while sato.titles("note").is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the poke did not bring the record"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(sato.titles("note"), vec!["ポークで届く記録".to_string()]);
    e1.shutdown().await;
    e2.shutdown().await;
    server.stop().await;
}

/// Transport-level checks that need one backend only.
mod transport {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_untrusted_certificate_is_a_clear_tls_error() {
        let server = support::start(TestBackend::Sqlite, "tls").await.unwrap();
        let api = Api::new(kyosai_sync_client::ClientConfig::new(
            &server.base_url,
            "0.1.0",
        ))
        .unwrap();
        let err = api.hello().await.unwrap_err();
        assert_eq!(err.code, "sync.tls", "{err:?}");
        assert!(err.message.contains("証明書"));
        let api = Api::new(support::config(&server.base_url, server.ca_pem_path())).unwrap();
        let hello = api.hello().await.unwrap();
        assert!(hello
            .protocols
            .contains(&kyosai_sync_protocol::PROTOCOL_VERSION));
        server.stop().await;
    }

    /// A too-old app signs in (the service leaves sign-in open to it) and its first sync
    /// says "update": the status the status bar shows carries the service's message, the
    /// session stays for fetching the update, and signing out still ends it on the server.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_old_app_signs_in_and_is_told_to_update() {
        let server = kyosai_central::testing::TestServer::start_with(TestBackend::Sqlite, |c| {
            c.min_app_version = Some("9.0.0".into());
        })
        .await;
        support::organisation(&server).await;
        let dir = tempfile::tempdir().unwrap();
        let store = std::sync::Arc::new(std::sync::Mutex::new(
            kyosai_store::Store::open(&dir.path().join("k.sqlite3")).unwrap(),
        ));
        let secrets = std::sync::Arc::new(kyosai_sync_client::MemorySecretStore::new());
        let auth = support::new_auth(&server.base_url, server.ca_pem_path(), &secrets);
        let user = auth
            .sign_in(&store, "sato.hanako", support::PASSWORD)
            .await
            .unwrap();
        assert_eq!(user.user_id, "sato.hanako");
        assert_eq!(auth.signed_in_user().as_deref(), Some("sato.hanako"));

        let engine = SyncEngine::start(store.clone(), auth.clone(), support::options(21));
        let err = engine.sync_now().await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::ClientTooOld);
        assert_eq!(err.code, codes::CLIENT_TOO_OLD);
        assert_eq!(err.status, Some(426));
        assert!(err.message.contains("9.0.0"), "{}", err.message);
        assert!(err.message.contains("更新"), "{}", err.message);
        let shown = engine.status().borrow().clone();
        let shown_error = shown.last_error.unwrap();
        assert_eq!(shown_error.code, codes::CLIENT_TOO_OLD);
        assert_eq!(shown_error.message, err.message);
        // Still signed in: the refusal is not a sign-out.
        assert_eq!(shown.signed_in_user.as_deref(), Some("sato.hanako"));
        assert_eq!(auth.signed_in_user().as_deref(), Some("sato.hanako"));
        engine.shutdown().await;

        // Signing out ends the session on the server, which a new-enough app can see.
        let token = auth.access_token().await.unwrap();
        auth.sign_out(&store).await.unwrap();
        assert!(auth.signed_in_user().is_none());
        let mut newer = support::config(&server.base_url, server.ca_pem_path());
        newer.app_version = "9.0.0".into();
        let err = Api::new(newer)
            .unwrap()
            .directory(&token)
            .await
            .unwrap_err();
        assert_eq!(err.code, codes::AUTH_TOKEN_INVALID, "{err:?}");
        server.stop().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_wrong_password_is_the_servers_japanese_message() {
        let server = support::start(TestBackend::Sqlite, "password")
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = std::sync::Arc::new(std::sync::Mutex::new(
            kyosai_store::Store::open(&dir.path().join("k.sqlite3")).unwrap(),
        ));
        let secrets = std::sync::Arc::new(kyosai_sync_client::MemorySecretStore::new());
        let auth = support::new_auth(&server.base_url, server.ca_pem_path(), &secrets);
        let err = auth
            .sign_in(&store, "sato.hanako", "wrong-password")
            .await
            .unwrap_err();
        assert_eq!(err.code, codes::AUTH_INVALID_CREDENTIALS);
        assert_eq!(err.kind, ErrorKind::Auth);
        assert!(auth.signed_in_user().is_none());
        // The profile was not bound to anyone by a failed attempt.
        assert!(store
            .lock()
            .unwrap()
            .sync()
            .state()
            .unwrap()
            .user_id
            .is_none());
        server.stop().await;
    }
}
