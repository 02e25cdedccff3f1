//! Signed updates (issue #9): the app asks the real central service (TLS on 127.0.0.1)
//! for a newer release, downloads it into the profile's `updates/` folder and verifies
//! its minisign signature — made in the test with a throwaway key, in the Tauri signer's
//! format (base64 of the minisign files) — before anything else touches it. A tampered
//! file, another key's signature and a release without a signature are refused, and no
//! refused file stays on disk.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use kyosai_app::settings::{self, Policy, SettingsDraft, UpdateChannel, UpdatesMode};
use kyosai_app::sync::SyncService;
use kyosai_app::update::{self, codes, UpdatePolicy};
use kyosai_central::testing::{TestBackend, TestServer};
use kyosai_store::Store;
use kyosai_sync_client::{MemorySecretStore, SharedStore};
use kyosai_sync_protocol::Role;
use serde_json::{json, Value};

const PASSWORD: &str = "kyosai-test-pass";
const INSTALLER: &str = "kyosai-desk_0.2.0_x64-setup.exe";

/// A throwaway signing key, as `npx tauri signer generate` makes one.
struct Signer {
    pk: minisign::PublicKey,
    sk: minisign::SecretKey,
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

impl Signer {
    fn new() -> Signer {
        let minisign::KeyPair { pk, sk } =
            minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        Signer { pk, sk }
    }

    /// The `.pub` the Tauri signer writes: base64 of the minisign public key file.
    fn tauri_pub(&self) -> String {
        b64(&self.pk.to_box().unwrap().into_string())
    }

    /// The `.sig` the Tauri signer writes: base64 of the minisign signature file.
    fn tauri_sig(&self, data: &[u8], file: &str) -> String {
        let sig = minisign::sign(
            Some(&self.pk),
            &self.sk,
            Cursor::new(data),
            Some(&format!("timestamp:1795700000\tfile:{file}")),
            Some("signature from tauri secret key"),
        )
        .unwrap();
        b64(&sig.into_string())
    }
}

/// An installer-sized file (several of the verifier's and the server's chunks).
fn installer() -> Vec<u8> {
    (0..1_300_007u32)
        .map(|i| (i.wrapping_mul(2_246_822_519) >> 11) as u8)
        .collect()
}

/// Publishes `bytes` as release 0.2.0 of the stable channel for this platform.
fn publish(root: &Path, bytes: &[u8], signature: Option<&str>) {
    let dir = root.join("stable").join(update::target());
    std::fs::create_dir_all(&dir).unwrap();
    let mut manifest = json!({
        "version": "0.2.0",
        "notes": "資格取得届の一括印刷を速くしました。",
        "pubDate": "2026-11-20T09:00:00+09:00",
        "file": INSTALLER,
    });
    if let Some(sig) = signature {
        manifest["signature"] = Value::String(sig.to_string());
    }
    std::fs::write(dir.join("manifest.json"), manifest.to_string()).unwrap();
    std::fs::write(dir.join(INSTALLER), bytes).unwrap();
}

/// Every file in the profile's update folder.
fn files_in(dir: &Path) -> Vec<PathBuf> {
    match std::fs::read_dir(dir) {
        Ok(entries) => entries.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    }
}

struct Pc {
    sync: SyncService,
    profile: tempfile::TempDir,
}

impl Pc {
    /// 佐藤 花子 of 新宿区役所 at a PC running app 0.1.0, signed in.
    async fn sign_in(server: &TestServer) -> Pc {
        let profile = tempfile::tempdir().unwrap();
        let store: SharedStore = Arc::new(Mutex::new(
            Store::open(&profile.path().join("kyosai.sqlite3")).unwrap(),
        ));
        let sync = SyncService::with_secrets(
            store.clone(),
            "default",
            "0.1.0",
            "PC-1203-01",
            Arc::new(MemorySecretStore::new()),
        );
        let draft = SettingsDraft {
            central_url: server.base_url.clone(),
            root_ca_path: server.ca_pem_path().display().to_string(),
            proxy_url: String::new(),
            office_code: "1203".into(),
        };
        let view = settings::save(&mut store.lock().unwrap(), None, &draft).unwrap();
        sync.apply_settings(&view).await.unwrap();
        sync.sign_in("tanto1203", PASSWORD).await.unwrap();
        Pc { sync, profile }
    }

    fn folder(&self) -> PathBuf {
        update::folder(self.profile.path())
    }

    async fn download(&self, key: &str) -> Result<update::DownloadedUpdate, kyosai_app::AppError> {
        update::download_and_verify(
            &self.sync,
            UpdatePolicy::default(),
            "0.1.0",
            &self.folder(),
            key,
        )
        .await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_file_signed_with_the_apps_key_is_kept() {
    let updates = tempfile::tempdir().unwrap();
    let root = updates.path().to_path_buf();
    let server = TestServer::start_with(TestBackend::Sqlite, |c| c.updates_dir = Some(root)).await;
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
    let pc = Pc::sign_in(&server).await;
    let it = Signer::new();
    let key = it.tauri_pub();
    let bytes = installer();
    let signature = it.tauri_sig(&bytes, INSTALLER);

    // Signed by IT's key: offered, downloaded, verified, kept under its own name.
    publish(updates.path(), &bytes, Some(&signature));
    let offer = update::check(&pc.sync, UpdatePolicy::default(), "0.1.0")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(offer.version, "0.2.0");
    assert_eq!(offer.notes, "資格取得届の一括印刷を速くしました。");
    let done = pc.download(&key).await.unwrap();
    assert_eq!(done.version, "0.2.0");
    assert_eq!(PathBuf::from(&done.path), pc.folder().join(INSTALLER));
    assert!(
        std::fs::read(&done.path).unwrap() == bytes,
        "the file as published"
    );
    assert_eq!(files_in(&pc.folder()), vec![pc.folder().join(INSTALLER)]);
    assert!(done.instruction.contains("/S"), "{}", done.instruction);
    assert!(update::verify_file(Path::new(&done.path), &signature, &key).is_ok());

    // One byte changed after signing: refused, and nothing is left on disk.
    let mut tampered = bytes.clone();
    tampered[654_321] ^= 0x01;
    publish(updates.path(), &tampered, Some(&signature));
    let err = pc.download(&key).await.unwrap_err();
    assert_eq!(err.code, codes::SIGNATURE_INVALID, "{}", err.message);
    assert!(err.message.contains("削除"), "{}", err.message);
    assert!(
        files_in(&pc.folder()).is_empty(),
        "{:?}",
        files_in(&pc.folder())
    );

    // The untouched file, signed with another key: refused.
    let stranger = Signer::new();
    publish(
        updates.path(),
        &bytes,
        Some(&stranger.tauri_sig(&bytes, INSTALLER)),
    );
    let err = pc.download(&key).await.unwrap_err();
    assert_eq!(err.code, codes::SIGNATURE_INVALID, "{}", err.message);
    assert!(files_in(&pc.folder()).is_empty());

    // A signature that is not one (and not base64 of one): refused.
    publish(
        updates.path(),
        &bytes,
        Some("dGhpcyBpcyBub3QgYSBzaWduYXR1cmU="),
    );
    let err = pc.download(&key).await.unwrap_err();
    assert_eq!(err.code, codes::SIGNATURE_INVALID);
    assert!(files_in(&pc.folder()).is_empty());

    // A manifest without a signature (and no .sig beside the file): refused.
    publish(updates.path(), &bytes, None);
    let err = pc.download(&key).await.unwrap_err();
    assert_eq!(err.code, codes::SIGNATURE_MISSING, "{}", err.message);
    assert!(files_in(&pc.folder()).is_empty());

    // The properly signed release again: accepted (the refusals were about the files).
    publish(updates.path(), &bytes, Some(&signature));
    let done = pc.download(&key).await.unwrap();
    assert!(std::fs::read(&done.path).unwrap() == bytes);

    // The app's own key did not sign this test's release: the built-in default refuses.
    // Refused before the download: the verified file from before is all there is.
    let err = pc.download(update::BUILT_IN_PUBLIC_KEY).await.unwrap_err();
    assert_eq!(err.code, codes::SIGNATURE_INVALID);
    assert_eq!(files_in(&pc.folder()), vec![pc.folder().join(INSTALLER)]);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_policy_and_the_version_decide_whether_there_is_an_update() {
    let updates = tempfile::tempdir().unwrap();
    let root = updates.path().to_path_buf();
    let server = TestServer::start_with(TestBackend::Sqlite, |c| c.updates_dir = Some(root)).await;
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
    let pc = Pc::sign_in(&server).await;
    let it = Signer::new();
    let bytes = b"installer 0.2.0".to_vec();
    publish(
        updates.path(),
        &bytes,
        Some(&it.tauri_sig(&bytes, INSTALLER)),
    );

    // Up to date.
    let none = update::check(&pc.sync, UpdatePolicy::default(), "0.2.0")
        .await
        .unwrap();
    assert_eq!(none, None);
    let err = update::download_and_verify(
        &pc.sync,
        UpdatePolicy::default(),
        "0.2.0",
        &pc.folder(),
        &it.tauri_pub(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code, codes::UP_TO_DATE);

    // The beta channel has nothing published.
    let beta = UpdatePolicy {
        channel: UpdateChannel::Beta,
        enabled: true,
    };
    assert_eq!(update::check(&pc.sync, beta, "0.1.0").await.unwrap(), None);

    // `"updates": "off"`: the app does not ask at all.
    let off = UpdatePolicy::from_policy(Some(&Policy {
        updates: Some(UpdatesMode::Off),
        ..Policy::default()
    }));
    let err = update::check(&pc.sync, off, "0.1.0").await.unwrap_err();
    assert_eq!(err.code, codes::DISABLED);
    let err = update::download_and_verify(&pc.sync, off, "0.1.0", &pc.folder(), &it.tauri_pub())
        .await
        .unwrap_err();
    assert_eq!(err.code, codes::DISABLED);
    assert!(files_in(&pc.folder()).is_empty());
    server.stop().await;
}

/// A file signed by the real `npx tauri signer sign` (fixtures/update, made with a
/// throwaway key from `npx tauri signer generate`) verifies with the signer's `.pub`, and
/// a changed copy does not: the app reads exactly what the Tauri tools write.
#[test]
fn the_tauri_signers_files_verify() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/update");
    let key = std::fs::read_to_string(fixtures.join("tauri-signer.pub")).unwrap();
    let sig = std::fs::read_to_string(fixtures.join("tauri-signed.txt.sig")).unwrap();
    let signed = fixtures.join("tauri-signed.txt");
    update::verify_file(&signed, &sig, &key).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("tauri-signed.txt");
    let mut bytes = std::fs::read(&signed).unwrap();
    bytes[0] ^= 0x20;
    std::fs::write(&copy, &bytes).unwrap();
    let err = update::verify_file(&copy, &sig, &key).unwrap_err();
    assert_eq!(err.code, codes::SIGNATURE_INVALID);
    let err = update::verify_file(&signed, &sig, &Signer::new().tauri_pub()).unwrap_err();
    assert_eq!(err.code, codes::SIGNATURE_INVALID);
    let err = update::verify_file(&signed, "  ", &key).unwrap_err();
    assert_eq!(err.code, codes::SIGNATURE_MISSING);
}
