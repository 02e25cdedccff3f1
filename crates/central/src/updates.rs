//! App updates served by the central service: office PCs are on a closed network, so the
//! service they sync with is also their update server.
//!
//! IT publishes a release into `updates_dir` (configuration):
//!
//! ```text
//! updates_dir/<channel>/<target>/manifest.json
//! updates_dir/<channel>/<target>/kyosai-desk_0.2.0_x64-setup.exe
//! updates_dir/<channel>/<target>/kyosai-desk_0.2.0_x64-setup.exe.sig
//! ```
//!
//! `<channel>` is `stable` or `beta`, `<target>` names the platform (`windows-x86_64`,
//! `linux-x86_64`; `[a-z0-9_-]`). The manifest is the Tauri updater's static JSON for one
//! platform: `{ "version", "notes", "pubDate", "file", "signature" }`, `signature` being
//! the `.sig` the Tauri signer wrote (base64 of a minisign signature). Without it in the
//! manifest, the `.sig` beside the file is used.
//!
//! - `GET /updates/v1/{channel}/{target}?current=0.1.0`: 200 with
//!   [`UpdateOffer`] when the published version is newer than `current`, 204 when not
//!   (also when nothing is published there or updates are not configured).
//! - `GET /updates/v1/{channel}/{target}/file`: the file, streamed.
//!
//! Both need a signed-in user (any role) but, unlike `/sync`, no minimum app version:
//! an app too old to sync must still be able to fetch its update.
//!
//! What this is not: a verifier. The signature is passed on as published; the app checks
//! it against the public key built into it, and refuses a file that does not match.

use std::io;
use std::path::{Path as FsPath, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kyosai_sync_protocol::HEADER_APP_VERSION;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, ReadBuf};

use crate::api::{AppState, Authed};
use crate::error::ApiFailure;

/// The update channels, in the folder names IT uses.
pub const CHANNELS: [&str; 2] = ["stable", "beta"];
/// The manifest's file name in each `<channel>/<target>` folder.
pub const MANIFEST: &str = "manifest.json";
/// No channel or target (unknown channel, a target with other characters).
pub const CODE_NOT_FOUND: &str = "update.not_found";
/// The published manifest cannot be used (IT must fix the release).
pub const CODE_MANIFEST_INVALID: &str = "update.manifest_invalid";

const MAX_TARGET_CHARS: usize = 64;
const MAX_FILE_NAME_CHARS: usize = 200;
const MAX_MANIFEST_BYTES: u64 = 256 * 1024;
const CHUNK_BYTES: usize = 64 * 1024;

/// What IT writes in `manifest.json` (the Tauri updater's static JSON, one platform).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Manifest {
    pub version: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub pub_date: Option<String>,
    /// The update file's name, in the manifest's folder.
    pub file: String,
    /// The content of the file's `.sig` (base64 of the minisign signature).
    #[serde(default)]
    pub signature: Option<String>,
}

/// `GET /updates/v1/{channel}/{target}`: a newer version than the app's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateOffer {
    pub version: String,
    pub notes: String,
    /// RFC 3339, as published (empty when the manifest has none).
    pub pub_date: String,
    /// Base64 of the minisign signature; empty when the release was published unsigned
    /// (the app then refuses it).
    pub signature: String,
    /// Where the file is (`…/updates/v1/{channel}/{target}/file`).
    pub url: String,
}

fn not_found() -> ApiFailure {
    ApiFailure::new(
        StatusCode::NOT_FOUND,
        CODE_NOT_FOUND,
        "その更新チャネルはありません。管理者設定の updateChannel（stable または beta）を確認してください。",
    )
}

fn manifest_invalid() -> ApiFailure {
    ApiFailure::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        CODE_MANIFEST_INVALID,
        "サーバーに置かれた更新の情報（manifest.json）に誤りがあるため、更新できません。IT管理者に連絡してください。",
    )
}

/// The folder of `channel`/`target`, if both are names this service serves. Only the
/// fixed channel names and `[a-z0-9_-]` targets: nothing can climb out of `updates_dir`.
fn release_dir(root: &FsPath, channel: &str, target: &str) -> Result<PathBuf, ApiFailure> {
    if !CHANNELS.contains(&channel) || !is_target_name(target) {
        return Err(not_found());
    }
    Ok(root.join(channel).join(target))
}

fn is_target_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_TARGET_CHARS
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// A plain file name (no folder, not hidden).
fn is_file_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_FILE_NAME_CHARS
        && !s.starts_with('.')
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The manifest of a release folder; `None` when nothing is published there.
async fn read_manifest(dir: &FsPath) -> Result<Option<Manifest>, ApiFailure> {
    let path = dir.join(MANIFEST);
    let bytes = match tokio::fs::metadata(&path).await {
        Ok(m) if m.is_file() && m.len() <= MAX_MANIFEST_BYTES => {
            tokio::fs::read(&path).await.map_err(|e| {
                tracing::error!(path = %path.display(), error = %e, "update manifest unreadable");
                manifest_invalid()
            })?
        }
        Ok(_) => {
            tracing::error!(path = %path.display(), "update manifest is not a small file");
            return Err(manifest_invalid());
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            tracing::error!(path = %path.display(), error = %e, "update manifest unreadable");
            return Err(manifest_invalid());
        }
    };
    let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| {
        tracing::error!(path = %path.display(), error = %e, "update manifest is not valid");
        manifest_invalid()
    })?;
    if crate::version::parse(&manifest.version).is_none() || !is_file_name(&manifest.file) {
        tracing::error!(
            path = %path.display(),
            version = %manifest.version,
            file = %manifest.file,
            "update manifest: version must read like 0.2.0 and file be a plain file name"
        );
        return Err(manifest_invalid());
    }
    Ok(Some(manifest))
}

/// The manifest's signature, else the content of the `.sig` beside the file, else empty.
async fn signature_of(dir: &FsPath, manifest: &Manifest) -> String {
    if let Some(sig) = manifest.signature.as_deref().map(str::trim) {
        if !sig.is_empty() {
            return sig.to_string();
        }
    }
    let sig_path = dir.join(format!("{}.sig", manifest.file));
    match tokio::fs::read_to_string(&sig_path).await {
        Ok(s) => s.trim().to_string(),
        Err(_) => {
            tracing::warn!(path = %dir.display(), version = %manifest.version, "update published without a signature: the app will refuse it");
            String::new()
        }
    }
}

/// Where the client reached us, for the offer's `url` (the Tauri updater wants it
/// absolute). The app itself downloads from its own server, whatever this says.
fn file_url(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
    channel: &str,
    target: &str,
) -> String {
    let path = format!("/updates/v1/{channel}/{target}/file");
    // HTTP/2 names the host in the URI (`:authority`), HTTP/1.1 in `Host`.
    let host = uri
        .authority()
        .map(|a| a.as_str())
        .or_else(|| headers.get(header::HOST).and_then(|h| h.to_str().ok()))
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
        });
    match host {
        Some(host) => {
            let scheme = if state.config.tls.insecure_loopback_http {
                "http"
            } else {
                "https"
            };
            format!("{scheme}://{host}{path}")
        }
        None => path,
    }
}

/// `GET /updates/v1/{channel}/{target}?current=VERSION`.
pub(crate) async fn check_handler(
    State(state): State<Arc<AppState>>,
    Authed(actor): Authed,
    Path((channel, target)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, ApiFailure> {
    let Some(root) = state.config.updates_dir.as_deref() else {
        // Validated like a configured one, so that a wrong channel says so everywhere.
        release_dir(FsPath::new("."), &channel, &target)?;
        return Ok(StatusCode::NO_CONTENT.into_response());
    };
    let dir = release_dir(root, &channel, &target)?;
    let current = query
        .and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "current")
                .map(|(_, v)| v.into_owned())
        })
        .or_else(|| {
            headers
                .get(HEADER_APP_VERSION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        })
        .unwrap_or_default();
    let Some(current_version) = crate::version::parse(&current) else {
        return Err(ApiFailure::bad_request(
            "アプリのバージョン（current）が読めません。アプリを最新版に更新してください。",
        ));
    };
    let Some(manifest) = read_manifest(&dir).await? else {
        return Ok(StatusCode::NO_CONTENT.into_response());
    };
    let newer = crate::version::parse(&manifest.version).is_some_and(|v| v > current_version);
    tracing::info!(user = %actor.user_id, %channel, %target, %current, published = %manifest.version, newer, "update check");
    if !newer {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let offer = UpdateOffer {
        signature: signature_of(&dir, &manifest).await,
        url: file_url(&state, &uri, &headers, &channel, &target),
        version: manifest.version,
        notes: manifest.notes,
        pub_date: manifest.pub_date.unwrap_or_default(),
    };
    Ok(Json(offer).into_response())
}

/// `GET /updates/v1/{channel}/{target}/file`: the published file, streamed, with its
/// length and name.
pub(crate) async fn file_handler(
    State(state): State<Arc<AppState>>,
    Authed(actor): Authed,
    Path((channel, target)): Path<(String, String)>,
) -> Result<Response, ApiFailure> {
    let nothing = || {
        ApiFailure::new(
            StatusCode::NOT_FOUND,
            CODE_NOT_FOUND,
            "このサーバーには配布中の更新がありません。IT管理者に確認してください。",
        )
    };
    let root = state.config.updates_dir.as_deref().ok_or_else(nothing)?;
    let dir = release_dir(root, &channel, &target)?;
    let manifest = read_manifest(&dir).await?.ok_or_else(nothing)?;
    let path = dir.join(&manifest.file);
    let file = tokio::fs::File::open(&path).await.map_err(|e| {
        tracing::error!(path = %path.display(), error = %e, "update file named by the manifest cannot be opened");
        manifest_invalid()
    })?;
    let len = file
        .metadata()
        .await
        .map_err(|e| {
            tracing::error!(path = %path.display(), error = %e, "update file unreadable");
            manifest_invalid()
        })?
        .len();
    tracing::info!(user = %actor.user_id, %channel, %target, version = %manifest.version, bytes = len, "update file sent");
    let mut response = Body::new(FileBody {
        file,
        buf: vec![0; CHUNK_BYTES],
    })
    .into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", manifest.file)) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// A file as a response body, read a chunk at a time (installers are tens of MB; the
/// service does not hold them in memory).
struct FileBody {
    file: tokio::fs::File,
    buf: Vec<u8>,
}

impl http_body::Body for FileBody {
    type Data = axum::body::Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let this = self.get_mut();
        let mut read = ReadBuf::new(&mut this.buf);
        match Pin::new(&mut this.file).poll_read(cx, &mut read) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(e)) => Poll::Ready(Some(Err(e))),
            Poll::Ready(Ok(())) if read.filled().is_empty() => Poll::Ready(None),
            Poll::Ready(Ok(())) => {
                let chunk = axum::body::Bytes::copy_from_slice(read.filled());
                Poll::Ready(Some(Ok(http_body::Frame::data(chunk))))
            }
        }
    }
}

/// Checks `updates_dir` at start: it must be a folder (an empty one serves nothing).
pub fn check_updates_dir(dir: &FsPath) -> Result<(), String> {
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(format!(
            "updates_dir {} はフォルダではありません",
            dir.display()
        )),
        Err(e) => Err(format!(
            "updates_dir {} を読めません（{e}）。フォルダを作るか、設定から外してください",
            dir.display()
        )),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn only_fixed_channels_and_plain_targets_make_a_folder() {
        let root = FsPath::new("/srv/updates");
        assert_eq!(
            release_dir(root, "stable", "windows-x86_64").ok(),
            Some(PathBuf::from("/srv/updates/stable/windows-x86_64"))
        );
        assert!(release_dir(root, "beta", "linux_x86-64").is_ok());
        for (channel, target) in [
            ("nightly", "linux-x86_64"),
            ("Stable", "linux-x86_64"),
            ("stable", ".."),
            ("stable", "../beta"),
            ("stable", "linux/x86_64"),
            ("stable", "Linux-x86_64"),
            ("stable", ""),
            ("stable", "%2e%2e"),
        ] {
            let e = release_dir(root, channel, target).unwrap_err();
            assert_eq!(
                (e.status, e.code),
                (StatusCode::NOT_FOUND, CODE_NOT_FOUND),
                "{channel}/{target}"
            );
        }
        assert!(is_file_name("kyosai-desk_0.2.0_x64-setup.exe"));
        for bad in ["", ".hidden", "../x.exe", "a/b.exe", "a\\b.exe", "x y.exe"] {
            assert!(!is_file_name(bad), "{bad}");
        }
    }
}
