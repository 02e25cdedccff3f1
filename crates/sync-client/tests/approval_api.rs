#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The approval endpoints of [`Api`]: the directory, registering and cancelling an
//! absence, each with the bearer token, and the server's error code passed through. A
//! small stand-in server on plain http to 127.0.0.1 plays the central service.

use std::sync::{Arc, Mutex};

use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use chrono::{TimeZone, Utc};
use kyosai_sync_client::{Api, ClientConfig};
use kyosai_sync_protocol::approval::{
    codes as approval_codes, AbsenceInfo, Directory, DirectoryUser, NewAbsence,
};
use kyosai_sync_protocol::{ApiError, Role};
use uuid::Uuid;

fn bearer(h: &HeaderMap) -> String {
    h.get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn directory_and_absences_round_trip() {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let absence_id = Uuid::new_v4();
    let from = Utc.with_ymd_and_hms(2024, 7, 1, 0, 0, 0).unwrap();
    let until = Utc.with_ymd_and_hms(2024, 7, 3, 0, 0, 0).unwrap();
    let (s1, s2, s3) = (seen.clone(), seen.clone(), seen.clone());
    let app = Router::new()
        .route(
            "/sync/v1/directory",
            get(move |h: HeaderMap| {
                let s = s1.clone();
                async move {
                    s.lock().unwrap().push(format!("GET {}", bearer(&h)));
                    Json(Directory {
                        users: vec![DirectoryUser {
                            user_id: "kato.kacho".into(),
                            display_name: "加藤 課長".into(),
                            office_code: None,
                            roles: vec![Role::Approver],
                            positions: vec!["kacho".into()],
                        }],
                        absences: vec![],
                    })
                }
            }),
        )
        .route(
            "/sync/v1/absences",
            post(move |h: HeaderMap, Json(req): Json<NewAbsence>| {
                let s = s2.clone();
                async move {
                    s.lock().unwrap().push(format!("POST {}", bearer(&h)));
                    if req.until <= req.from {
                        return Err((
                            StatusCode::BAD_REQUEST,
                            Json(ApiError {
                                code: approval_codes::ABSENCE_INVALID.into(),
                                message: "期間を確認してください。".into(),
                            }),
                        ));
                    }
                    Ok(Json(AbsenceInfo {
                        id: absence_id,
                        user_id: "kato.kacho".into(),
                        delegate_id: req.delegate_id,
                        from: req.from,
                        until: req.until,
                    }))
                }
            }),
        )
        .route(
            "/sync/v1/absences/{id}",
            delete(move |h: HeaderMap, Path(id): Path<Uuid>| {
                let s = s3.clone();
                async move {
                    s.lock()
                        .unwrap()
                        .push(format!("DELETE {id} {}", bearer(&h)));
                    StatusCode::NO_CONTENT
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let api = Api::new(ClientConfig::new(format!("http://{addr}"), "0.1.0")).unwrap();

    let dir = api.directory("tok").await.unwrap();
    assert_eq!(dir.users[0].display_name, "加藤 課長");
    let added = api
        .add_absence(
            "tok",
            &NewAbsence {
                delegate_id: "suzuki.bucho".into(),
                from,
                until,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (added.id, added.delegate_id.as_str()),
        (absence_id, "suzuki.bucho")
    );
    let err = api
        .add_absence(
            "tok",
            &NewAbsence {
                delegate_id: "suzuki.bucho".into(),
                from: until,
                until: from,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, approval_codes::ABSENCE_INVALID);
    assert_eq!(err.message, "期間を確認してください。");
    api.cancel_absence("tok", absence_id).await.unwrap();
    assert_eq!(
        seen.lock().unwrap().clone(),
        vec![
            "GET Bearer tok".to_string(),
            "POST Bearer tok".to_string(),
            "POST Bearer tok".to_string(),
            format!("DELETE {absence_id} Bearer tok"),
        ]
    );
    server.abort();
}
