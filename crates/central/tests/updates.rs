//! App updates through the central service (`/updates/v1`, issue #9) over real HTTPS: IT
//! publishes releases into `updates_dir`, a signed-in clerk's app is offered a newer
//! version with its signature and downloads the file byte for byte; an app too old to
//! sync still gets its update; nothing outside `updates_dir` can be reached.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::path::Path;

use common::*;
use kyosai_central::testing::TestBackend;
use kyosai_central::updates::{CODE_MANIFEST_INVALID, CODE_NOT_FOUND};
use kyosai_sync_protocol::{codes, HEADER_APP_VERSION, HEADER_PROTOCOL, PROTOCOL_VERSION};
use reqwest::StatusCode;
use serde_json::{json, Value};

const WINDOWS: &str = "windows-x86_64";
const INSTALLER: &str = "kyosai-desk_0.2.0_x64-setup.exe";
/// Not a real signature: the service passes it on; the app verifies (crates/app/tests/update.rs).
const SIG: &str = "dW50cnVzdGVkIGNvbW1lbnQ6IHNpZ25hdHVyZSBmcm9tIHRhdXJpIHNlY3JldCBrZXkK";

/// An installer-sized file (not a multiple of the service's 64 KiB chunks).
fn installer_bytes() -> Vec<u8> {
    (0..700_001u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect()
}

fn publish(root: &Path, channel: &str, target: &str, manifest: &Value, file: Option<&[u8]>) {
    let dir = root.join(channel).join(target);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("manifest.json"), manifest.to_string()).unwrap();
    if let (Some(bytes), Some(name)) = (file, manifest["file"].as_str()) {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

/// The stable Windows release 0.2.0, signed in its manifest.
fn publish_stable(root: &Path) {
    publish(
        root,
        "stable",
        WINDOWS,
        &json!({
            "version": "0.2.0",
            "notes": "資格取得届の一括印刷を速くしました。",
            "pubDate": "2026-11-20T09:00:00+09:00",
            "file": INSTALLER,
            "signature": SIG,
        }),
        Some(&installer_bytes()),
    );
}

async fn get_as_app(
    api: &Api,
    path: &str,
    token: Option<&str>,
    app_version: &str,
) -> reqwest::Response {
    let mut req = api
        .http
        .get(format!("{}{path}", api.base))
        .header(HEADER_PROTOCOL, PROTOCOL_VERSION.to_string())
        .header(HEADER_APP_VERSION, app_version);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newer_release_is_offered_and_its_file_downloaded() {
    let updates = tempfile::tempdir().unwrap();
    publish_stable(updates.path());
    let root = updates.path().to_path_buf();
    let (server, api) = setup_with(TestBackend::Sqlite, |c| c.updates_dir = Some(root)).await;
    let clerk = api.login(CLERK_A).await;
    let check = |current: &str| format!("/updates/v1/stable/{WINDOWS}?current={current}");

    // 0.1.0 → the Tauri updater's shape, exactly these keys.
    let reply = api.get(&check("0.1.0"), Some(clerk.token())).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let offer = reply.json();
    let keys: Vec<&str> = offer
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys.len(), 5, "{offer}");
    assert_eq!(offer["version"], "0.2.0");
    assert_eq!(offer["notes"], "資格取得届の一括印刷を速くしました。");
    assert_eq!(offer["pubDate"], "2026-11-20T09:00:00+09:00");
    assert_eq!(offer["signature"], SIG);
    assert_eq!(
        offer["url"],
        format!("{}/updates/v1/stable/{WINDOWS}/file", server.base_url)
    );
    // A pre-release of the same version is older; the same or a newer version is not.
    assert_eq!(
        api.get(&check("0.2.0-beta.1"), Some(clerk.token()))
            .await
            .status,
        StatusCode::OK
    );
    for current in ["0.2.0", "0.2.1", "1.0.0"] {
        let r = api.get(&check(current), Some(clerk.token())).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{current}: {}", r.text);
        assert!(r.text.is_empty());
    }
    // Without `current`, the app-version header says which version asks.
    let r = api
        .get(
            &format!("/updates/v1/stable/{WINDOWS}"),
            Some(clerk.token()),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "the header says 0.1.0: {}",
        r.text
    );
    api.get(&check("latest"), Some(clerk.token()))
        .await
        .assert_error(StatusCode::BAD_REQUEST, codes::BAD_REQUEST);

    // The file, byte for byte, with its length, type and name.
    let resp = get_as_app(
        &api,
        &format!("/updates/v1/stable/{WINDOWS}/file"),
        Some(clerk.token()),
        "0.1.0",
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let header = |name: &str| resp.headers()[name].to_str().unwrap().to_string();
    assert_eq!(header("content-type"), "application/octet-stream");
    assert_eq!(header("content-length"), "700001");
    assert_eq!(
        header("content-disposition"),
        format!("attachment; filename=\"{INSTALLER}\"")
    );
    let body = resp.bytes().await.unwrap();
    assert!(body[..] == installer_bytes()[..], "the file differs");

    // Every role that signs in may update; nobody who is not signed in may.
    let it = api.login(IT).await;
    assert_eq!(
        api.get(&check("0.1.0"), Some(it.token())).await.status,
        StatusCode::OK
    );
    api.get(&check("0.1.0"), None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, codes::AUTH_TOKEN_INVALID);
    let r = get_as_app(
        &api,
        &format!("/updates/v1/stable/{WINDOWS}/file"),
        None,
        "0.1.0",
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    server.stop().await;
}

/// `min_app_version` refuses old apps on `/sync`, not on sign-in nor on `/updates`: a
/// too-old app signs in and fetches the version the server asks for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_update_routes_ask_for_no_minimum_version() {
    let updates = tempfile::tempdir().unwrap();
    publish_stable(updates.path());
    let root = updates.path().to_path_buf();
    let (server, api) = setup_with(TestBackend::Sqlite, |c| {
        c.updates_dir = Some(root);
        c.min_app_version = Some("0.2.0".into());
    })
    .await;
    let login = json!({"user_id": CLERK_A, "password": PASSWORD,
                       "device": {"device_id": uuid::Uuid::new_v4(), "name": "PC-1203-01"}});
    let session: kyosai_sync_protocol::Session = api
        .send(
            api.http
                .post(format!("{}/auth/v1/login", api.base))
                .header(HEADER_PROTOCOL, PROTOCOL_VERSION.to_string())
                .header(HEADER_APP_VERSION, "0.1.0")
                .json(&login),
        )
        .await
        .parse();
    let token = session.access_token.as_str();
    // Sync refuses the 0.1.0 app and says to update ...
    let refused = get_as_app(&api, "/sync/v1/directory", Some(token), "0.1.0").await;
    assert_eq!(refused.status(), StatusCode::UPGRADE_REQUIRED);
    // ... and the update is there for it.
    let offer = get_as_app(
        &api,
        &format!("/updates/v1/stable/{WINDOWS}?current=0.1.0"),
        Some(token),
        "0.1.0",
    )
    .await;
    assert_eq!(offer.status(), StatusCode::OK);
    assert_eq!(offer.json::<Value>().await.unwrap()["version"], "0.2.0");
    let file = get_as_app(
        &api,
        &format!("/updates/v1/stable/{WINDOWS}/file"),
        Some(token),
        "0.1.0",
    )
    .await;
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.bytes().await.unwrap().len(), 700_001);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn channels_targets_and_broken_releases() {
    let updates = tempfile::tempdir().unwrap();
    publish_stable(updates.path());
    // Beta: the signature only in the .sig file beside the installer.
    publish(
        updates.path(),
        "beta",
        WINDOWS,
        &json!({ "version": "0.3.0-beta.1", "file": "kyosai-desk_0.3.0-beta.1_x64-setup.exe" }),
        Some(b"beta installer"),
    );
    std::fs::write(
        updates
            .path()
            .join("beta")
            .join(WINDOWS)
            .join("kyosai-desk_0.3.0-beta.1_x64-setup.exe.sig"),
        format!("{SIG}\n"),
    )
    .unwrap();
    // A release whose manifest points outside its folder.
    publish(
        updates.path(),
        "stable",
        "linux-aarch64",
        &json!({ "version": "0.2.0", "file": "../windows-x86_64/kyosai-desk_0.2.0_x64-setup.exe" }),
        None,
    );
    // A manifest with a key the Tauri format does not have.
    publish(
        updates.path(),
        "beta",
        "linux-x86_64",
        &json!({ "version": "0.3.0", "file": "k.deb", "platforms": {} }),
        None,
    );
    let root = updates.path().to_path_buf();
    let (server, api) = setup_with(TestBackend::Sqlite, |c| c.updates_dir = Some(root)).await;
    let clerk = api.login(CLERK_A).await;
    let t = Some(clerk.token());

    let beta = api
        .get(&format!("/updates/v1/beta/{WINDOWS}?current=0.2.0"), t)
        .await;
    assert_eq!(beta.status, StatusCode::OK, "{}", beta.text);
    assert_eq!(beta.json()["version"], "0.3.0-beta.1");
    assert_eq!(
        beta.json()["signature"],
        SIG,
        "read from the .sig file, trimmed"
    );
    assert_eq!(beta.json()["notes"], "");

    // Nothing published for this target: up to date, and no file.
    let none = api
        .get("/updates/v1/stable/linux-x86_64?current=0.1.0", t)
        .await;
    assert_eq!(none.status, StatusCode::NO_CONTENT);
    api.get("/updates/v1/stable/linux-x86_64/file", t)
        .await
        .assert_error(StatusCode::NOT_FOUND, CODE_NOT_FOUND);

    // Unknown channels and targets that are not plain names: the API's 404.
    for path in [
        format!("/updates/v1/nightly/{WINDOWS}?current=0.1.0"),
        format!("/updates/v1/Stable/{WINDOWS}?current=0.1.0"),
        "/updates/v1/stable/Windows-x86_64?current=0.1.0".to_string(),
        "/updates/v1/stable/..%2F..%2Fsecret.txt?current=0.1.0".to_string(),
        "/updates/v1/stable/..%2Fbeta/file".to_string(),
        "/updates/v1/..%2Fbeta/windows-x86_64/file".to_string(),
    ] {
        let r = api.get(&path, t).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.text);
        assert_eq!(r.error().code, CODE_NOT_FOUND, "{path}");
    }
    // (`%2E%2E` is a dot segment to the client, which resolves it before sending: no route.)
    let r = api.get("/updates/v1/stable/%2E%2E/file", t).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);

    // Broken releases: IT is told through the log, the app through a code.
    for path in [
        "/updates/v1/stable/linux-aarch64?current=0.1.0",
        "/updates/v1/stable/linux-aarch64/file",
        "/updates/v1/beta/linux-x86_64?current=0.1.0",
    ] {
        api.get(path, t)
            .await
            .assert_error(StatusCode::INTERNAL_SERVER_ERROR, CODE_MANIFEST_INVALID);
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_updates_dir_there_is_never_an_update() {
    let (server, api) = setup(TestBackend::Sqlite).await;
    let clerk = api.login(CLERK_A).await;
    let r = api
        .get(
            &format!("/updates/v1/stable/{WINDOWS}?current=0.0.1"),
            Some(clerk.token()),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    api.get(
        &format!("/updates/v1/nightly/{WINDOWS}?current=0.0.1"),
        Some(clerk.token()),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, CODE_NOT_FOUND);
    api.get(
        &format!("/updates/v1/stable/{WINDOWS}/file"),
        Some(clerk.token()),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, CODE_NOT_FOUND);
    server.stop().await;
}

#[test]
fn a_missing_updates_dir_is_a_configuration_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("central.toml");
    std::fs::write(
        &path,
        "listen = \"127.0.0.1:8443\"\nstorage = \"sqlite:central.db\"\nupdates_dir = \"updates\"\n[tls]\ncert = \"c.pem\"\nkey = \"k.pem\"\n",
    )
    .unwrap();
    let err = kyosai_central::Config::load(&path).unwrap_err().to_string();
    assert!(err.contains("updates_dir"), "{err}");
    std::fs::create_dir(dir.path().join("updates")).unwrap();
    let config = kyosai_central::Config::load(&path).unwrap();
    assert_eq!(
        config.updates_dir,
        Some(dir.path().join("updates")),
        "relative to the file"
    );
}
