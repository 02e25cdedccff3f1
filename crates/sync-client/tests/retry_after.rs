#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A busy server (503 + `Retry-After`) is not asked again before the time it named, even
//! with a backoff that alone would retry every few milliseconds. A small stand-in server
//! on plain http to 127.0.0.1 (allowed for loopback only) plays the busy central service.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use kyosai_store::Store;
use kyosai_sync_client::{
    Api, Auth, ClientConfig, EngineOptions, ErrorKind, MemorySecretStore, SyncEngine,
};
use kyosai_sync_protocol::{codes, ApiError, PullResponse, Role, Session, UserInfo};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_is_honoured_and_the_protocol_headers_are_sent() {
    let pushes: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let headers_seen: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let (p, h) = (pushes.clone(), headers_seen.clone());
    let app = Router::new()
        .route(
            "/auth/v1/login",
            post(move |headers: HeaderMap| {
                let h = h.clone();
                async move {
                    let get = |n: &str| {
                        headers
                            .get(n)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("")
                            .to_string()
                    };
                    h.lock()
                        .unwrap()
                        .push((get("x-kyosai-protocol"), get("x-kyosai-app-version")));
                    Json(Session {
                        access_token: "a".repeat(43),
                        access_expires_at: chrono::Utc::now() + chrono::Duration::minutes(15),
                        refresh_token: "r".repeat(43),
                        refresh_expires_at: chrono::Utc::now() + chrono::Duration::days(30),
                        user: UserInfo {
                            user_id: "sato.hanako".into(),
                            display_name: "佐藤 花子".into(),
                            roles: vec![Role::OfficeClerk],
                            office_code: Some("1203".into()),
                            office_name: Some("新宿区役所".into()),
                            positions: vec![],
                        },
                    })
                }
            }),
        )
        .route(
            "/sync/v1/push",
            post(move || {
                let p = p.clone();
                async move {
                    p.lock().unwrap().push(Instant::now());
                    (
                        StatusCode::SERVICE_UNAVAILABLE,
                        [("retry-after", "1")],
                        Json(ApiError {
                            code: codes::UNAVAILABLE.into(),
                            message: "サーバーが混み合っています。".into(),
                        }),
                    )
                }
            }),
        )
        .route(
            "/sync/v1/pull",
            post(|| async {
                Json(PullResponse {
                    changes: vec![],
                    cursor: "c".into(),
                    has_more: false,
                    reset: false,
                })
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Mutex::new(
        Store::open(&dir.path().join("k.sqlite3")).unwrap(),
    ));
    let api = Api::new(ClientConfig::new(format!("http://{addr}"), "0.1.0")).unwrap();
    let auth = Arc::new(Auth::new(
        api,
        Arc::new(MemorySecretStore::new()),
        "default",
        "PC",
    ));
    auth.sign_in(&store, "sato.hanako", "pw").await.unwrap();
    assert_eq!(
        headers_seen.lock().unwrap().clone(),
        vec![("1".to_string(), "0.1.0".to_string())]
    );
    store
        .lock()
        .unwrap()
        .sync()
        .record_create_local("note", "1203", "混雑中の送信", &json!({}))
        .unwrap();
    let options = EngineOptions {
        backoff_initial: Duration::from_millis(5),
        backoff_max: Duration::from_millis(20),
        poke: false,
        jitter_seed: Some(1),
        ..EngineOptions::default()
    };
    let engine = SyncEngine::start(store.clone(), auth, options);
    let err = engine.sync_now().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Busy);
    assert_eq!(err.retry_after, Some(Duration::from_secs(1)));
    // Local writes and pokes do not jump the server's queue either.
    for _ in 0..5 {
        engine.notify_local_write();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(2_000)).await;
    let times = pushes.lock().unwrap().clone();
    assert!(times.len() >= 2, "it does retry: {}", times.len());
    assert!(times.len() <= 4, "{} pushes in 2.5 s", times.len());
    for w in times.windows(2) {
        let gap = w[1] - w[0];
        assert!(gap >= Duration::from_millis(950), "retried after {gap:?}");
    }
    let status = engine.status().borrow().clone();
    assert!(status.online, "the server answered");
    assert_eq!(status.pending, 1, "the command waits");
    assert_eq!(status.last_error.unwrap().code, codes::UNAVAILABLE);
    engine.shutdown().await;
    server.abort();
}
