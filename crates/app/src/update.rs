//! Updates of the app from the central service (office PCs have no internet): ask whether
//! a newer release is published on this PC's channel, download it into the profile's
//! `updates/` folder and verify its minisign signature against the public key built into
//! the app **before anything else touches the file**. A file that does not verify is
//! deleted.
//!
//! Signatures and keys are in the Tauri signer's format: the `.sig` that `npx tauri signer
//! sign` (or the bundler) writes is the base64 of a minisign signature file, and the
//! `.pub` the base64 of a minisign public key file. The built-in key is
//! `installer/keys/updater.pub`; IT replaces it with the public half of their own key
//! before building releases (docs/it-guide.md, "Updates").
//!
//! What this is not: an installer. It returns the verified file and what to do with it
//! (the NSIS installer with `/S` on Windows, IT's package tool on Linux); running it is
//! the OS installer's job.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use kyosai_sync_client::{ErrorKind, SyncError};
use serde::{Deserialize, Serialize};

use crate::settings::{Policy, UpdateChannel, UpdatesMode};
use crate::sync::SyncService;
use crate::AppError;

/// The Tauri signer's `.pub` of the key releases are signed with (base64 of a minisign
/// public key file). Replace `installer/keys/updater.pub` to change it.
pub const BUILT_IN_PUBLIC_KEY: &str = include_str!("../../../installer/keys/updater.pub");

/// Codes of refusals and failures.
pub mod codes {
    /// The release has no signature: refused.
    pub const SIGNATURE_MISSING: &str = "update.signature_missing";
    /// The file does not match its signature, or the signature is another key's: refused.
    pub const SIGNATURE_INVALID: &str = "update.signature_invalid";
    /// The file could not be fetched or kept.
    pub const DOWNLOAD_FAILED: &str = "update.download_failed";
    /// The machine policy turns updates off on this PC (`"updates": "off"`).
    pub const DISABLED: &str = "update.disabled";
    /// There is no newer release to download.
    pub const UP_TO_DATE: &str = "update.up_to_date";
    /// The public key the app verifies with cannot be read (a broken build).
    pub const KEY_INVALID: &str = "update.key_invalid";
}

/// The largest update file accepted.
pub const MAX_UPDATE_BYTES: u64 = 1024 * 1024 * 1024;
/// The profile's folder for downloads (only the latest is kept).
pub const UPDATES_FOLDER: &str = "updates";
const PARTIAL_FILE: &str = "download.part";

/// What the machine policy says about updates on this PC (default: stable, on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UpdatePolicy {
    pub channel: UpdateChannel,
    /// `false` when IT's distribution tool updates this PC: the app never asks.
    pub enabled: bool,
}

impl Default for UpdatePolicy {
    fn default() -> Self {
        UpdatePolicy::from_policy(None)
    }
}

impl UpdatePolicy {
    /// The policy's `updateChannel` and `updates` (default: stable, on).
    pub fn from_policy(policy: Option<&Policy>) -> UpdatePolicy {
        UpdatePolicy {
            channel: policy.and_then(|p| p.update_channel).unwrap_or_default(),
            enabled: policy.and_then(|p| p.updates).unwrap_or_default() != UpdatesMode::Off,
        }
    }
}

/// The central service's answer (`GET /updates/v1/{channel}/{target}`): the Tauri
/// updater's static JSON for one platform.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Release {
    pub version: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub pub_date: String,
    /// Base64 of the minisign signature (empty: unsigned, refused).
    #[serde(default)]
    pub signature: String,
    /// Where the service says the file is. Not followed: the app downloads from the
    /// service it syncs with, so its token never goes elsewhere.
    #[serde(default)]
    pub url: String,
}

/// A newer release, as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct UpdateOffer {
    pub version: String,
    pub notes: String,
}

/// A downloaded release whose signature verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DownloadedUpdate {
    pub version: String,
    /// The verified file.
    pub path: String,
    /// What to do with it (Japanese).
    pub instruction: String,
}

/// This build's platform as the update server's folders name it: `windows-x86_64`,
/// `linux-x86_64`, `linux-aarch64`, `macos-aarch64`.
pub fn target() -> String {
    format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH)
}

fn disabled() -> AppError {
    AppError::new(
        codes::DISABLED,
        "このPCの共済デスクは、情報システム担当が配布ツールで更新します（管理者設定 updates: off）。アプリからは更新を確認しません。",
    )
}

fn download_failed(why: impl std::fmt::Display) -> AppError {
    AppError::new(
        codes::DOWNLOAD_FAILED,
        format!("更新ファイルを受け取れませんでした（{why}）。しばらくしてからもう一度お試しください。続く場合は情報システム担当に連絡してください。"),
    )
}

fn signature_invalid(why: &str) -> AppError {
    tracing::warn!(%why, "update refused: signature does not verify");
    AppError::new(
        codes::SIGNATURE_INVALID,
        "更新ファイルの署名を確認できなかったため、更新を中止しファイルを削除しました。ファイルが途中で書き換えられたか、正規の鍵で署名されていません。情報システム担当に連絡してください。",
    )
}

fn signature_missing() -> AppError {
    tracing::warn!("update refused: no signature");
    AppError::new(
        codes::SIGNATURE_MISSING,
        "更新ファイルに署名がないため、更新を中止しました。情報システム担当に連絡してください（署名付きで公開し直す必要があります）。",
    )
}

/// Asks the central service whether a release newer than `current` is published on the
/// policy's channel for this platform. `Ok(None)`: up to date.
pub async fn check(
    sync: &SyncService,
    policy: UpdatePolicy,
    current: &str,
) -> Result<Option<UpdateOffer>, AppError> {
    if !policy.enabled {
        return Err(disabled());
    }
    let release = sync
        .update_check(policy.channel.as_str(), &target(), current)
        .await?;
    Ok(release.map(|r| UpdateOffer {
        version: r.version,
        notes: r.notes,
    }))
}

/// Downloads the release newer than `current` into `dir` (the profile's `updates/`
/// folder; older downloads there are removed), verifies it against `public_key` (the
/// Tauri signer's `.pub`; the app passes [`BUILT_IN_PUBLIC_KEY`]) and returns the
/// verified file. A release without a signature, or whose signature is another key's, is
/// refused before the download; a file that does not match its signature is deleted.
pub async fn download_and_verify(
    sync: &SyncService,
    policy: UpdatePolicy,
    current: &str,
    dir: &Path,
    public_key: &str,
) -> Result<DownloadedUpdate, AppError> {
    if !policy.enabled {
        return Err(disabled());
    }
    let (channel, target) = (policy.channel.as_str(), target());
    let release = sync
        .update_check(channel, &target, current)
        .await?
        .ok_or_else(|| {
            AppError::new(
                codes::UP_TO_DATE,
                format!("共済デスクは最新です（バージョン {current}）。"),
            )
        })?;
    if !is_newer(&release.version, current) {
        tracing::warn!(offered = %release.version, %current, "update refused: not newer");
        return Err(AppError::new(
            codes::UP_TO_DATE,
            format!(
                "サーバーが示した版（{}）はこのアプリ（{current}）より新しくないため、更新しません。",
                release.version
            ),
        ));
    }
    let key = public_key_of(public_key)?;
    let signature = signature_of(&release.signature)?;
    // Another key's signature is known before a byte is fetched.
    if !signature_uses_key(&key, &signature) {
        return Err(signature_invalid("another key"));
    }

    clear_folder(dir).map_err(|e| download_failed(format!("{}: {e}", dir.display())))?;
    let partial = dir.join(PARTIAL_FILE);
    let fetched = sync
        .update_download(channel, &target, &partial, MAX_UPDATE_BYTES)
        .await;
    let (bytes, offered_name) = match fetched {
        Ok(v) => v,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(download_error(e));
        }
    };
    let check_path = partial.clone();
    let sig_text = release.signature.clone();
    let key_text = public_key.to_string();
    let verified =
        tokio::task::spawn_blocking(move || verify_file(&check_path, &sig_text, &key_text))
            .await
            .map_err(|e| AppError::internal("update verification", &e))
            .and_then(|r| r);
    if let Err(e) = verified {
        remove_refused(&partial);
        return Err(e);
    }
    let name = file_name_for(offered_name.as_deref(), &release.version, &target);
    let path = dir.join(&name);
    if let Err(e) = std::fs::rename(&partial, &path) {
        remove_refused(&partial);
        return Err(download_failed(format!("{}: {e}", path.display())));
    }
    tracing::info!(version = %release.version, bytes, file = %name, "update downloaded and verified");
    Ok(DownloadedUpdate {
        version: release.version,
        instruction: instruction_for(&path),
        path: path.display().to_string(),
    })
}

/// Verifies the file at `path` against `signature` (the Tauri signer's `.sig`: base64 of
/// a minisign signature) with `public_key` (the Tauri signer's `.pub`). Reads the file a
/// chunk at a time. Does not delete anything.
pub fn verify_file(path: &Path, signature: &str, public_key: &str) -> Result<(), AppError> {
    let key = public_key_of(public_key)?;
    let signature = signature_of(signature)?;
    let mut file = std::fs::File::open(path)
        .map_err(|e| download_failed(format!("{}: {e}", path.display())))?;
    match key.verify_stream(&signature) {
        Ok(mut verifier) => {
            let mut buf = vec![0u8; 256 * 1024];
            loop {
                let n = file
                    .read(&mut buf)
                    .map_err(|e| download_failed(format!("{}: {e}", path.display())))?;
                if n == 0 {
                    break;
                }
                verifier.update(buf.get(..n).unwrap_or_default());
            }
            verifier
                .finalize()
                .map_err(|_| signature_invalid("content does not match"))
        }
        // Signatures of minisign before 0.8 hash nothing first: the whole file is needed
        // (the Tauri signer never makes them; the Tauri updater accepts them).
        Err(minisign_verify::Error::UnsupportedLegacyMode) => {
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes)
                .map_err(|e| download_failed(format!("{}: {e}", path.display())))?;
            key.verify(&bytes, &signature, true)
                .map_err(|_| signature_invalid("content does not match (legacy)"))
        }
        Err(minisign_verify::Error::UnexpectedKeyId) => Err(signature_invalid("another key")),
        Err(_) => Err(signature_invalid("unusable signature")),
    }
}

/// The base64 text of a minisign file, decoded (Tauri wraps both files in base64).
fn unwrap_base64(text: &str) -> Option<String> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .ok()?;
    String::from_utf8(bytes).ok()
}

fn public_key_of(text: &str) -> Result<minisign_verify::PublicKey, AppError> {
    unwrap_base64(text)
        .and_then(|t| minisign_verify::PublicKey::decode(&t).ok())
        .ok_or_else(|| {
            tracing::error!("the update public key cannot be read");
            AppError::new(
                codes::KEY_INVALID,
                "更新の署名を確かめる公開鍵を読めません。このアプリは更新できません。情報システム担当に連絡してください。",
            )
        })
}

fn signature_of(text: &str) -> Result<minisign_verify::Signature, AppError> {
    if text.trim().is_empty() {
        return Err(signature_missing());
    }
    unwrap_base64(text)
        .and_then(|t| minisign_verify::Signature::decode(&t).ok())
        .ok_or_else(|| signature_invalid("signature unreadable"))
}

/// Whether `signature` was made with `key` (minisign names the key in both).
fn signature_uses_key(
    key: &minisign_verify::PublicKey,
    signature: &minisign_verify::Signature,
) -> bool {
    !matches!(
        key.verify_stream(signature),
        Err(minisign_verify::Error::UnexpectedKeyId)
    )
}

/// Removes what earlier downloads left in the profile's update folder (creating it).
fn clear_folder(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

fn remove_refused(path: &Path) {
    if let Err(e) = std::fs::remove_file(path) {
        if e.kind() != std::io::ErrorKind::NotFound {
            tracing::error!(path = %path.display(), error = %e, "a refused update file could not be deleted");
        }
    }
}

/// Transport failures of the download are `update.download_failed`; sign-in and
/// configuration errors keep their own codes (they say what to do).
fn download_error(e: SyncError) -> AppError {
    match e.kind {
        ErrorKind::Offline
        | ErrorKind::Tls
        | ErrorKind::Protocol
        | ErrorKind::Server
        | ErrorKind::Busy => {
            tracing::warn!(code = %e.code, "update download failed");
            if e.code == codes::DOWNLOAD_FAILED {
                AppError::new(e.code, e.message)
            } else {
                download_failed(e.message)
            }
        }
        _ => AppError::from(e),
    }
}

/// The name the service gave the file when it is a plain file name, else one of ours.
fn file_name_for(offered: Option<&str>, version: &str, target: &str) -> String {
    let plain = |s: &str| {
        !s.is_empty()
            && s.len() <= 200
            && !s.starts_with('.')
            && s != PARTIAL_FILE
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    };
    match offered {
        Some(name) if plain(name) => name.to_string(),
        _ => {
            let version: String = version
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
                .collect();
            format!("kyosai-desk_{version}_{target}.update")
        }
    }
}

/// What IT's users do with the verified file.
fn instruction_for(path: &Path) -> String {
    let shown = path.display();
    match path.extension().and_then(|e| e.to_str()).unwrap_or_default() {
        "exe" => format!("共済デスクを終了してから、更新ファイルを実行してください（{shown}）。配布ツールからは \"{shown}\" /S で画面を出さずに更新できます。"),
        "msi" => format!("共済デスクを終了してから、更新ファイルを実行してください（{shown}）。配布ツールからは msiexec /i \"{shown}\" /qn で更新できます。"),
        "deb" => format!("共済デスクを終了してから、情報システム担当のパッケージ管理ツールでインストールしてください（例: sudo apt install \"{shown}\"）。"),
        "rpm" => format!("共済デスクを終了してから、情報システム担当のパッケージ管理ツールでインストールしてください（例: sudo dnf install \"{shown}\"）。"),
        _ => format!("更新ファイルを受け取りました（{shown}）。インストールは情報システム担当に依頼してください。"),
    }
}

/// `offered` is a later version than `current` (`MAJOR.MINOR.PATCH`, a `-pre-release`
/// sorting before its release; unreadable: not newer).
fn is_newer(offered: &str, current: &str) -> bool {
    fn parse(s: &str) -> Option<(Vec<u64>, bool)> {
        let s = s.trim().split('+').next().unwrap_or_default();
        let (core, pre) = match s.split_once('-') {
            Some((core, pre)) if !pre.is_empty() => (core, true),
            Some(_) => return None,
            None => (s, false),
        };
        let parts = core
            .split('.')
            .map(|p| p.parse().ok())
            .collect::<Option<Vec<u64>>>()?;
        (!parts.is_empty() && parts.len() <= 4).then_some((parts, pre))
    }
    let (Some((a, a_pre)), Some((b, b_pre))) = (parse(offered), parse(current)) else {
        return false;
    };
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (
            a.get(i).copied().unwrap_or(0),
            b.get(i).copied().unwrap_or(0),
        );
        if x != y {
            return x > y;
        }
    }
    b_pre && !a_pre
}

/// The profile's folder for update downloads.
pub fn folder(profile_root: &Path) -> PathBuf {
    profile_root.join(UPDATES_FOLDER)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn the_built_in_key_is_a_tauri_signer_public_key() {
        assert!(public_key_of(BUILT_IN_PUBLIC_KEY).is_ok());
        assert_eq!(
            public_key_of("not a key").unwrap_err().code,
            codes::KEY_INVALID
        );
    }

    #[test]
    fn the_policy_decides_channel_and_whether_to_ask() {
        assert_eq!(
            UpdatePolicy::from_policy(None),
            UpdatePolicy {
                channel: UpdateChannel::Stable,
                enabled: true
            }
        );
        let policy = Policy {
            update_channel: Some(UpdateChannel::Beta),
            updates: Some(UpdatesMode::Off),
            ..Policy::default()
        };
        assert_eq!(
            UpdatePolicy::from_policy(Some(&policy)),
            UpdatePolicy {
                channel: UpdateChannel::Beta,
                enabled: false
            }
        );
    }

    #[test]
    fn only_a_later_version_is_newer() {
        assert!(is_newer("0.2.0", "0.1.0"));
        assert!(is_newer("0.2.0", "0.2.0-beta.1"));
        assert!(is_newer("0.10.0", "0.9.9"));
        assert!(!is_newer("0.2.0", "0.2.0"));
        assert!(!is_newer("0.1.9", "0.2.0"));
        assert!(!is_newer("0.2.0-beta.1", "0.2.0"));
        assert!(!is_newer("latest", "0.1.0"));
    }

    #[test]
    fn file_names_from_the_server_are_kept_only_when_plain() {
        let t = "windows-x86_64";
        assert_eq!(
            file_name_for(Some("kyosai-desk_0.2.0_x64-setup.exe"), "0.2.0", t),
            "kyosai-desk_0.2.0_x64-setup.exe"
        );
        for bad in ["../x.exe", ".bashrc", "a b.exe", "download.part", ""] {
            assert_eq!(
                file_name_for(Some(bad), "0.2.0", t),
                "kyosai-desk_0.2.0_windows-x86_64.update",
                "{bad}"
            );
        }
        assert!(instruction_for(Path::new("C:/x/k_setup.exe")).contains("/S"));
        assert!(instruction_for(Path::new("/x/k.deb")).contains("apt"));
    }
}
