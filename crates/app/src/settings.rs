//! Connection and office settings of a profile: check, load, save.

use std::path::Path;

use kyosai_domain::settings as rules;
use kyosai_store::Store;
use serde::{Deserialize, Serialize};

use crate::findings::{has_errors, FindingDto};
use crate::AppError;

/// What the settings form sends. An empty string means "not set".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SettingsDraft {
    pub central_url: String,
    pub root_ca_path: String,
    pub proxy_url: String,
    pub office_code: String,
}

/// The settings in force: the user's, with the machine policy's values over them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    pub central_url: String,
    pub root_ca_path: String,
    pub proxy_url: String,
    pub office_code: String,
    /// When any of them was last changed (RFC 3339), if ever.
    pub updated_at: Option<String>,
    /// Fields set by IT's machine policy: shown read-only, never saved from the form.
    pub managed: Vec<String>,
    /// Where the policy came from, when there is one.
    pub policy_path: Option<String>,
    // The policy-only keys below are left out of the JSON when the policy does not set
    // them (the defaults apply), so views built without them stay valid.
    /// The update channel the policy sets; absent: `stable`. Read-only (policy only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[specta(optional)]
    pub update_channel: Option<UpdateChannel>,
    /// Whether the policy lets the app check for updates; absent: `auto`. Read-only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[specta(optional)]
    pub updates: Option<UpdatesMode>,
    /// Days of log files kept, when the policy sets it; absent: 14. Read-only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[specta(optional)]
    pub log_retention_days: Option<u32>,
}

/// IT's machine-wide policy file (JSON): the values it sets override the user's settings
/// on this PC and cannot be changed in the app. Read once at start.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Policy {
    pub central_url: Option<String>,
    pub root_ca_path: Option<String>,
    pub proxy_url: Option<String>,
    pub office_code: Option<String>,
    /// Idle minutes before the app locks (default 30; a decimal allowed).
    pub idle_lock_minutes: Option<IdleLock>,
    /// `updateChannel`: `"stable"` (default) or `"beta"`.
    pub update_channel: Option<UpdateChannel>,
    /// `updates`: `"auto"` (default) or `"off"`, for PCs the distribution tool updates.
    pub updates: Option<UpdatesMode>,
    /// `logRetentionDays`: days of log files kept (1–3650, default 14).
    pub log_retention_days: Option<LogRetention>,
    /// `ocrQaRate`: share (0–1) of the AI-OCR fields accepted without a person that are
    /// still drawn for a person's check, to measure the silent error rate (default 0.05).
    pub ocr_qa_rate: Option<OcrQaRate>,
    /// `ocrThresholdOffset`: added to every OCR field's confidence threshold (0–0.3; 0 by
    /// default): a stricter trial sends more fields to people. Never lower.
    pub ocr_threshold_offset: Option<OcrThresholdOffset>,
    #[serde(skip)]
    pub path: Option<String>,
}

/// The policy's `ocrQaRate`, kept in thousandths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OcrQaRate {
    per_mille: u16,
}

impl<'de> Deserialize<'de> for OcrQaRate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let refuse = || {
            serde::de::Error::custom(
                "ocrQaRate は確認に回す割合で、0〜1 の数で指定してください（例: 0.05 で5%）",
            )
        };
        let rate = f64::deserialize(d).map_err(|_: D::Error| refuse())?;
        if !(0.0..=1.0).contains(&rate) {
            return Err(refuse());
        }
        Ok(OcrQaRate {
            per_mille: (rate * 1000.0).round() as u16,
        })
    }
}

/// The policy's `ocrThresholdOffset`, kept in thousandths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OcrThresholdOffset {
    thousandths: u16,
}

/// The strictest offset a policy may add to the OCR thresholds.
pub const MAX_OCR_THRESHOLD_OFFSET: f64 = 0.3;

impl<'de> Deserialize<'de> for OcrThresholdOffset {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let refuse = || {
            serde::de::Error::custom(format!(
                "ocrThresholdOffset は確信度のしきい値に足す値で、0〜{MAX_OCR_THRESHOLD_OFFSET} の数で指定してください（下げることはできません）"
            ))
        };
        let offset = f64::deserialize(d).map_err(|_: D::Error| refuse())?;
        if !(0.0..=MAX_OCR_THRESHOLD_OFFSET).contains(&offset) {
            return Err(refuse());
        }
        Ok(OcrThresholdOffset {
            thousandths: (offset * 1000.0).round() as u16,
        })
    }
}

/// The AI-OCR routing in force: the policy's `ocrQaRate` and `ocrThresholdOffset` over
/// the defaults.
pub fn ocr_routing(policy: Option<&Policy>) -> kyosai_ocr::routing::RoutingPolicy {
    let mut routing = kyosai_ocr::routing::RoutingPolicy::default();
    if let Some(rate) = policy.and_then(|p| p.ocr_qa_rate) {
        routing.qa_rate = f64::from(rate.per_mille) / 1000.0;
    }
    if let Some(offset) = policy.and_then(|p| p.ocr_threshold_offset) {
        routing.threshold_offset = f32::from(offset.thousandths) / 1000.0;
    }
    routing
}

/// Where IT puts the machine policy: `KYOSAI_POLICY`, else the platform's machine-wide
/// configuration folder (`%ProgramData%\KyosaiDesk\policy.json`,
/// `/etc/kyosai-desk/policy.json`). The app and the `kyosai` command read the same file.
pub fn machine_policy_path() -> std::path::PathBuf {
    if let Some(p) = std::env::var_os("KYOSAI_POLICY").filter(|p| !p.is_empty()) {
        return p.into();
    }
    #[cfg(windows)]
    {
        let base = std::env::var_os("ProgramData").unwrap_or_else(|| r"C:\ProgramData".into());
        std::path::PathBuf::from(base)
            .join("KyosaiDesk")
            .join("policy.json")
    }
    #[cfg(not(windows))]
    {
        std::path::PathBuf::from("/etc/kyosai-desk/policy.json")
    }
}

/// Which releases the app is offered: `stable`, or `beta` for IT's pilot PCs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum UpdateChannel {
    #[default]
    Stable,
    Beta,
}

impl UpdateChannel {
    /// The name in the policy and in the update server's folders.
    pub fn as_str(self) -> &'static str {
        match self {
            UpdateChannel::Stable => "stable",
            UpdateChannel::Beta => "beta",
        }
    }
}

impl<'de> Deserialize<'de> for UpdateChannel {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        match s.as_str() {
            "stable" => Ok(UpdateChannel::Stable),
            "beta" => Ok(UpdateChannel::Beta),
            _ => Err(serde::de::Error::custom(format!(
                "updateChannel「{s}」は使えません。\"stable\" か \"beta\" を指定してください"
            ))),
        }
    }
}

/// Whether the app looks for updates itself (`auto`) or never does (`off`: the PC is
/// updated by IT's software distribution tool).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum UpdatesMode {
    #[default]
    Auto,
    Off,
}

impl<'de> Deserialize<'de> for UpdatesMode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        match s.as_str() {
            "auto" => Ok(UpdatesMode::Auto),
            "off" => Ok(UpdatesMode::Off),
            _ => Err(serde::de::Error::custom(format!(
                "updates「{s}」は使えません。\"auto\"（アプリが更新を確認する）か \"off\"（配布ツールで更新する）を指定してください"
            ))),
        }
    }
}

/// Days of daily log files kept (the policy's `logRetentionDays`, a whole number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogRetention {
    days: u32,
}

impl LogRetention {
    pub fn days(self) -> u32 {
        self.days
    }
}

impl<'de> Deserialize<'de> for LogRetention {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let refuse = || {
            serde::de::Error::custom(format!(
                "logRetentionDays はログを残す日数で、{MIN_LOG_RETENTION_DAYS}〜{MAX_LOG_RETENTION_DAYS} の整数で指定してください"
            ))
        };
        let days = u64::deserialize(d).map_err(|_: D::Error| refuse())?;
        match u32::try_from(days) {
            Ok(days) if (MIN_LOG_RETENTION_DAYS..=MAX_LOG_RETENTION_DAYS).contains(&days) => {
                Ok(LogRetention { days })
            }
            _ => Err(refuse()),
        }
    }
}

/// Days of log files kept when the policy does not say.
pub const DEFAULT_LOG_RETENTION_DAYS: u32 = 14;
const MIN_LOG_RETENTION_DAYS: u32 = 1;
const MAX_LOG_RETENTION_DAYS: u32 = 3650;

/// Days of daily log files to keep: the policy's, else 14.
pub fn log_retention_days(policy: Option<&Policy>) -> u32 {
    policy
        .and_then(|p| p.log_retention_days)
        .map(LogRetention::days)
        .unwrap_or(DEFAULT_LOG_RETENTION_DAYS)
}

/// The idle time before the app locks, read from the policy's `idleLockMinutes` (minutes,
/// a decimal allowed: 0.5 is 30 seconds) and kept in whole seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdleLock {
    seconds: u32,
}

impl IdleLock {
    pub fn seconds(self) -> u32 {
        self.seconds
    }
}

impl<'de> Deserialize<'de> for IdleLock {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let minutes = f64::deserialize(d)?;
        rules::idle_lock_seconds(minutes)
            .map(|seconds| IdleLock { seconds })
            .map_err(|f| serde::de::Error::custom(f.message))
    }
}

/// Seconds without keyboard or mouse input before the app locks: the policy's, else 30
/// minutes.
pub fn idle_lock_seconds(policy: Option<&Policy>) -> u32 {
    policy
        .and_then(|p| p.idle_lock_minutes)
        .map(IdleLock::seconds)
        .unwrap_or(rules::DEFAULT_IDLE_LOCK_MINUTES * 60)
}

impl Policy {
    /// Reads the policy at `path`; `Ok(None)` when there is no such file.
    pub fn load(path: &Path) -> Result<Option<Policy>, AppError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(AppError::new(
                    "policy.unreadable",
                    format!("管理者設定ファイル {} を読み取れません（{e}）。情報システム担当に連絡してください。", path.display()),
                ))
            }
        };
        let mut policy: Policy = serde_json::from_str(&text).map_err(|e| {
            AppError::new(
                "policy.invalid",
                format!("管理者設定ファイル {} の形式が正しくありません（{e}）。情報システム担当に連絡してください。", path.display()),
            )
        })?;
        let draft = policy.apply(&SettingsDraft::default());
        let findings: Vec<FindingDto> = check(&draft)
            .into_iter()
            .filter(|f| policy.manages(&f.field) && f.severity == crate::SeverityDto::Error)
            .collect();
        if !findings.is_empty() {
            return Err(AppError::new(
                "policy.invalid",
                format!(
                    "管理者設定ファイル {} の値に誤りがあります: {}",
                    path.display(),
                    findings
                        .iter()
                        .map(|f| f.message.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
            ));
        }
        policy.path = Some(path.display().to_string());
        tracing::info!(path = %path.display(), "machine policy applied");
        Ok(Some(policy))
    }

    fn fields(&self) -> [(&'static str, &Option<String>); 4] {
        [
            (CENTRAL_URL, &self.central_url),
            (ROOT_CA_PATH, &self.root_ca_path),
            (PROXY_URL, &self.proxy_url),
            (OFFICE_CODE, &self.office_code),
        ]
    }

    /// The keys this policy sets that 設定 shows (read-only): the form's fields, then
    /// the update and log keys.
    pub fn managed(&self) -> Vec<String> {
        let shown = [
            (UPDATE_CHANNEL, self.update_channel.is_some()),
            (UPDATES, self.updates.is_some()),
            (LOG_RETENTION_DAYS, self.log_retention_days.is_some()),
        ];
        self.fields()
            .iter()
            .filter(|(_, v)| v.is_some())
            .map(|(k, _)| *k)
            .chain(shown.iter().filter(|(_, set)| *set).map(|(k, _)| *k))
            .map(str::to_string)
            .collect()
    }

    fn manages(&self, field: &str) -> bool {
        self.fields()
            .iter()
            .any(|(k, v)| *k == field && v.is_some())
    }

    /// `draft` with the policy's values over it.
    pub fn apply(&self, draft: &SettingsDraft) -> SettingsDraft {
        let pick = |p: &Option<String>, d: &String| p.clone().unwrap_or_else(|| d.clone());
        SettingsDraft {
            central_url: pick(&self.central_url, &draft.central_url),
            root_ca_path: pick(&self.root_ca_path, &draft.root_ca_path),
            proxy_url: pick(&self.proxy_url, &draft.proxy_url),
            office_code: pick(&self.office_code, &draft.office_code),
        }
    }
}

const CENTRAL_URL: &str = "centralUrl";
const ROOT_CA_PATH: &str = "rootCaPath";
const PROXY_URL: &str = "proxyUrl";
const OFFICE_CODE: &str = "officeCode";
const UPDATE_CHANNEL: &str = "updateChannel";
const UPDATES: &str = "updates";
const LOG_RETENTION_DAYS: &str = "logRetentionDays";

/// A root CA file larger than this is certainly not a bundle of a few certificates.
const MAX_CA_FILE_BYTES: u64 = 1024 * 1024;

impl SettingsDraft {
    /// Trims and normalises what the clerk typed (full-width digits in the office code).
    fn normalised(&self) -> SettingsDraft {
        SettingsDraft {
            central_url: self.central_url.trim().to_string(),
            root_ca_path: self.root_ca_path.trim().to_string(),
            proxy_url: self.proxy_url.trim().to_string(),
            office_code: rules::check_office_code(self.office_code.trim()).0,
        }
    }
}

/// Checks a draft field by field; the UI shows each finding beside its field.
pub fn check(draft: &SettingsDraft) -> Vec<FindingDto> {
    let d = draft.normalised();
    let mut out: Vec<FindingDto> = Vec::new();
    out.extend(
        rules::check_central_url(&d.central_url)
            .into_iter()
            .map(Into::into),
    );
    out.extend(
        rules::check_proxy_url(&d.proxy_url)
            .into_iter()
            .map(Into::into),
    );
    out.extend(
        rules::check_office_code(&d.office_code)
            .1
            .into_iter()
            .map(Into::into),
    );
    let ca_findings: Vec<FindingDto> = rules::check_root_ca_path(&d.root_ca_path)
        .into_iter()
        .map(Into::into)
        .collect();
    let ca_path_ok = !has_errors(&ca_findings);
    out.extend(ca_findings);
    if ca_path_ok && !d.root_ca_path.is_empty() {
        out.extend(check_ca_file(Path::new(&d.root_ca_path)));
    }
    out
}

/// The file must exist, be readable and hold at least one PEM certificate.
fn check_ca_file(path: &Path) -> Option<FindingDto> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::CertificateDer;

    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(_) => {
            return Some(FindingDto::error(
                ROOT_CA_PATH,
                "settings.ca_file_missing",
                "ルート証明書ファイルが見つかりません。パスを確認するか、情報システム担当から配布されたファイルを指定してください。",
            ))
        }
    };
    if !meta.is_file() || meta.len() > MAX_CA_FILE_BYTES {
        return Some(FindingDto::error(
            ROOT_CA_PATH,
            "settings.ca_file_invalid",
            "指定されたものは証明書ファイルではありません。PEM形式（.pem / .crt）のファイルを指定してください。",
        ));
    }
    let bytes =
        match std::fs::read(path) {
            Ok(b) => b,
            Err(_) => return Some(FindingDto::error(
                ROOT_CA_PATH,
                "settings.ca_file_unreadable",
                "ルート証明書ファイルを読み取れません。ファイルのアクセス権を確認してください。",
            )),
        };
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .filter(Result::is_ok)
        .count();
    if certs == 0 {
        return Some(FindingDto::error(
            ROOT_CA_PATH,
            "settings.ca_file_no_certificate",
            "ファイルに証明書（-----BEGIN CERTIFICATE-----）が見つかりません。PEM形式のルート証明書を指定してください。",
        ));
    }
    None
}

/// The settings in force (empty strings for what was never set), the policy applied.
pub fn load(store: &mut Store, policy: Option<&Policy>) -> Result<SettingsView, AppError> {
    let all = store.settings().all()?;
    let value = |k: &str| all.get(k).map(|e| e.value.clone()).unwrap_or_default();
    let stored = SettingsDraft {
        central_url: value(CENTRAL_URL),
        root_ca_path: value(ROOT_CA_PATH),
        proxy_url: value(PROXY_URL),
        office_code: value(OFFICE_CODE),
    };
    let d = match policy {
        Some(p) => p.apply(&stored),
        None => stored,
    };
    Ok(SettingsView {
        central_url: d.central_url,
        root_ca_path: d.root_ca_path,
        proxy_url: d.proxy_url,
        office_code: d.office_code,
        updated_at: all.values().map(|e| e.updated_at.clone()).max(),
        managed: policy.map(Policy::managed).unwrap_or_default(),
        policy_path: policy.and_then(|p| p.path.clone()),
        update_channel: policy.and_then(|p| p.update_channel),
        updates: policy.and_then(|p| p.updates),
        log_retention_days: policy
            .and_then(|p| p.log_retention_days)
            .map(LogRetention::days),
    })
}

/// Checks and saves all settings at once; nothing is saved when any field has an error.
/// Fields the policy manages keep their stored value (the form shows them read-only).
pub fn save(
    store: &mut Store,
    policy: Option<&Policy>,
    draft: &SettingsDraft,
) -> Result<SettingsView, AppError> {
    let current = load(store, None)?;
    let draft = match policy {
        Some(p) => {
            let keep = |field: &str, mine: &String, stored: &String| {
                if p.manages(field) {
                    stored.clone()
                } else {
                    mine.clone()
                }
            };
            SettingsDraft {
                central_url: keep(CENTRAL_URL, &draft.central_url, &current.central_url),
                root_ca_path: keep(ROOT_CA_PATH, &draft.root_ca_path, &current.root_ca_path),
                proxy_url: keep(PROXY_URL, &draft.proxy_url, &current.proxy_url),
                office_code: keep(OFFICE_CODE, &draft.office_code, &current.office_code),
            }
        }
        None => draft.clone(),
    };
    let findings = check(&draft);
    if has_errors(&findings) {
        return Err(AppError::validation(&findings));
    }
    let d = draft.normalised();
    let entries = [
        (CENTRAL_URL, d.central_url.as_str()),
        (ROOT_CA_PATH, d.root_ca_path.as_str()),
        (PROXY_URL, d.proxy_url.as_str()),
        (OFFICE_CODE, d.office_code.as_str()),
    ];
    // The audit log names the settings changed, not their values (a proxy URL can hold
    // a password).
    let before = [
        current.central_url.as_str(),
        current.root_ca_path.as_str(),
        current.proxy_url.as_str(),
        current.office_code.as_str(),
    ];
    let changed: Vec<&str> = entries
        .iter()
        .zip(before)
        .filter(|((_, new), old)| new != old)
        .map(|((key, _), _)| *key)
        .collect();
    let audit = if changed.is_empty() {
        None
    } else {
        Some(
            kyosai_audit::NewEntry::now(
                crate::audit::profile_actor(store)?,
                kyosai_audit::actions::CONFIG_CHANGE,
            )
            .detail(serde_json::json!({ "keys": changed })),
        )
    };
    store.settings().put_all_audited(&entries, audit)?;
    tracing::info!("settings saved");
    load(store, policy)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn draft() -> SettingsDraft {
        SettingsDraft {
            central_url: "https://central.kyosai.example:8443".into(),
            root_ca_path: String::new(),
            proxy_url: "http://proxy.tokyo.example:8080".into(),
            office_code: "１２０３".into(),
        }
    }

    #[test]
    fn saved_settings_are_normalised_and_reloaded() {
        let mut store = Store::open_in_memory().unwrap();
        let view = save(&mut store, None, &draft()).unwrap();
        assert_eq!(view.office_code, "1203");
        assert!(view.updated_at.is_some());
        assert_eq!(load(&mut store, None).unwrap(), view);
    }

    #[test]
    fn an_invalid_field_saves_nothing() {
        let mut store = Store::open_in_memory().unwrap();
        let mut d = draft();
        d.central_url = "ftp://central".into();
        let err = save(&mut store, None, &d).unwrap_err();
        assert_eq!(err.code, "validation.failed");
        assert_eq!(load(&mut store, None).unwrap(), SettingsView::default());
    }

    #[test]
    fn the_policy_overrides_and_its_fields_cannot_be_saved_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("policy.json");
        std::fs::write(&path, r#"{"centralUrl": "https://central.kyosai.example"}"#).unwrap();
        let policy = Policy::load(&path).unwrap().unwrap();
        let mut store = Store::open_in_memory().unwrap();
        let mut d = draft();
        d.central_url = "https://elsewhere.example".into();
        let view = save(&mut store, Some(&policy), &d).unwrap();
        assert_eq!(view.central_url, "https://central.kyosai.example");
        assert_eq!(view.managed, vec!["centralUrl".to_string()]);
        assert_eq!(view.office_code, "1203", "unmanaged fields are saved");
        // Without the policy, the user's own (empty) value is what was stored.
        assert_eq!(load(&mut store, None).unwrap().central_url, "");
    }

    #[test]
    fn a_broken_or_invalid_policy_is_refused_and_a_missing_one_is_none() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Policy::load(&dir.path().join("none.json"))
            .unwrap()
            .is_none());
        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, r#"{"centralUrl": "ftp://x"}"#).unwrap();
        assert_eq!(Policy::load(&bad).unwrap_err().code, "policy.invalid");
        std::fs::write(&bad, r#"{"centralURL": "https://x"}"#).unwrap();
        assert_eq!(Policy::load(&bad).unwrap_err().code, "policy.invalid");
    }

    #[test]
    fn the_policy_sets_the_ocr_routing_and_refuses_a_looser_one() {
        let defaults = kyosai_ocr::routing::RoutingPolicy::default();
        assert_eq!(ocr_routing(None), defaults);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("policy.json");
        std::fs::write(&path, r#"{"ocrQaRate": 0.2, "ocrThresholdOffset": 0.05}"#).unwrap();
        let policy = Policy::load(&path).unwrap().unwrap();
        let routing = ocr_routing(Some(&policy));
        assert!((routing.qa_rate - 0.2).abs() < 1e-9, "{routing:?}");
        assert!(
            (routing.threshold_offset - 0.05).abs() < 1e-6,
            "{routing:?}"
        );
        assert_eq!(routing.qa_seed, defaults.qa_seed);
        std::fs::write(&path, r#"{"ocrQaRate": 0}"#).unwrap();
        let policy = Policy::load(&path).unwrap().unwrap();
        assert_eq!(ocr_routing(Some(&policy)).qa_rate, 0.0);
        assert_eq!(ocr_routing(Some(&policy)).threshold_offset, 0.0);
        for (key, bad) in [
            ("ocrQaRate", "1.5"),
            ("ocrQaRate", "-0.1"),
            ("ocrQaRate", "\"5%\""),
            ("ocrThresholdOffset", "-0.1"),
            ("ocrThresholdOffset", "0.31"),
        ] {
            std::fs::write(&path, format!(r#"{{"{key}": {bad}}}"#)).unwrap();
            let err = Policy::load(&path).unwrap_err();
            assert_eq!(err.code, "policy.invalid", "{key} {bad}");
            assert!(err.message.contains(key), "{}", err.message);
        }
    }

    #[test]
    fn the_policy_sets_the_idle_lock_and_refuses_a_nonsense_one() {
        assert_eq!(idle_lock_seconds(None), 1800);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("policy.json");
        std::fs::write(&path, r#"{"centralUrl": "https://central.kyosai.example"}"#).unwrap();
        let policy = Policy::load(&path).unwrap().unwrap();
        assert_eq!(
            idle_lock_seconds(Some(&policy)),
            1800,
            "not set: 30 minutes"
        );
        std::fs::write(&path, r#"{"idleLockMinutes": 10}"#).unwrap();
        let policy = Policy::load(&path).unwrap().unwrap();
        assert_eq!(idle_lock_seconds(Some(&policy)), 600);
        assert!(
            policy.managed().is_empty(),
            "not a field of the settings form"
        );
        std::fs::write(&path, r#"{"idleLockMinutes": 0.1}"#).unwrap();
        let policy = Policy::load(&path).unwrap().unwrap();
        assert_eq!(idle_lock_seconds(Some(&policy)), 6);
        for bad in ["0", "-1", "100000", "\"30\""] {
            std::fs::write(&path, format!(r#"{{"idleLockMinutes": {bad}}}"#)).unwrap();
            let err = Policy::load(&path).unwrap_err();
            assert_eq!(err.code, "policy.invalid", "{bad}");
        }
        std::fs::write(&path, r#"{"idleLockMinutes": 0}"#).unwrap();
        let err = Policy::load(&path).unwrap_err();
        assert!(err.message.contains("自動ロック"), "{}", err.message);
    }

    #[test]
    fn the_policy_sets_updates_and_log_retention_and_refuses_nonsense() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("policy.json");
        std::fs::write(&path, r#"{"centralUrl": "https://central.kyosai.example"}"#).unwrap();
        let policy = Policy::load(&path).unwrap().unwrap();
        assert_eq!(policy.update_channel, None);
        assert_eq!(policy.updates, None);
        assert_eq!(log_retention_days(Some(&policy)), 14, "not set: 14 days");
        assert_eq!(log_retention_days(None), 14);

        std::fs::write(
            &path,
            r#"{"updateChannel": "beta", "updates": "off", "logRetentionDays": 90}"#,
        )
        .unwrap();
        let policy = Policy::load(&path).unwrap().unwrap();
        assert_eq!(policy.update_channel, Some(UpdateChannel::Beta));
        assert_eq!(policy.updates, Some(UpdatesMode::Off));
        assert_eq!(log_retention_days(Some(&policy)), 90);
        assert_eq!(
            policy.managed(),
            vec!["updateChannel", "updates", "logRetentionDays"],
            "shown read-only in 設定"
        );
        let mut store = Store::open_in_memory().unwrap();
        let view = load(&mut store, Some(&policy)).unwrap();
        assert_eq!(view.update_channel, Some(UpdateChannel::Beta));
        assert_eq!(view.updates, Some(UpdatesMode::Off));
        assert_eq!(view.log_retention_days, Some(90));
        let json = serde_json::to_value(&view).unwrap();
        assert_eq!(json["updateChannel"], "beta");
        assert_eq!(json["updates"], "off");
        assert_eq!(json["logRetentionDays"], 90);
        let none = serde_json::to_value(load(&mut store, None).unwrap()).unwrap();
        assert!(none.get("updateChannel").is_none(), "{none}");

        for (key, ok) in [("1", 1), ("3650", 3650)] {
            std::fs::write(&path, format!(r#"{{"logRetentionDays": {key}}}"#)).unwrap();
            let policy = Policy::load(&path).unwrap().unwrap();
            assert_eq!(log_retention_days(Some(&policy)), ok);
        }
        for bad in [
            r#"{"updateChannel": "nightly"}"#,
            r#"{"updateChannel": "Stable"}"#,
            r#"{"updateChannel": true}"#,
            r#"{"updates": "manual"}"#,
            r#"{"updates": false}"#,
            r#"{"logRetentionDays": 0}"#,
            r#"{"logRetentionDays": 3651}"#,
            r#"{"logRetentionDays": -5}"#,
            r#"{"logRetentionDays": 7.5}"#,
            r#"{"logRetentionDays": "30"}"#,
            r#"{"updateChanel": "beta"}"#,
        ] {
            std::fs::write(&path, bad).unwrap();
            let err = Policy::load(&path).unwrap_err();
            assert_eq!(err.code, "policy.invalid", "{bad}");
        }
        std::fs::write(&path, r#"{"updateChannel": "nightly"}"#).unwrap();
        let err = Policy::load(&path).unwrap_err();
        assert!(
            err.message.contains("\"stable\" か \"beta\""),
            "{}",
            err.message
        );
        std::fs::write(&path, r#"{"logRetentionDays": 0}"#).unwrap();
        let err = Policy::load(&path).unwrap_err();
        assert!(err.message.contains("1〜3650"), "{}", err.message);
    }

    #[test]
    fn a_missing_ca_file_is_reported_on_its_field() {
        let mut d = draft();
        d.root_ca_path = "/nonexistent/kyosai-root.pem".into();
        let f = check(&d);
        assert!(
            f.iter()
                .any(|f| f.field == ROOT_CA_PATH && f.code == "settings.ca_file_missing"),
            "{f:?}"
        );
    }

    #[test]
    fn a_file_without_certificates_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("root.pem");
        std::fs::write(&p, "これは証明書ではありません").unwrap();
        let mut d = draft();
        d.root_ca_path = p.to_string_lossy().into_owned();
        let f = check(&d);
        assert!(
            f.iter()
                .any(|f| f.code == "settings.ca_file_no_certificate"),
            "{f:?}"
        );
    }

    #[test]
    fn a_pem_certificate_is_accepted() {
        // A syntactically valid PEM block is all this check needs; TLS validates the rest.
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("root.pem");
        std::fs::write(
            &p,
            "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUDummyDummyDummyDummyDummyDummy0wCgYIKoZIzj0EAwIw\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let mut d = draft();
        d.root_ca_path = p.to_string_lossy().into_owned();
        let f = check(&d);
        assert!(!has_errors(&f), "{f:?}");
    }
}
