//! Signing in to the central service, the sync loop and what the status bar shows, and
//! the conflicts a clerk settles.
//!
//! One [`SyncService`] per profile owns the [`SyncEngine`] (restarted when the connection
//! settings change). The local store is shared with the engine; every local write is one
//! transaction that also appends the command to the outbox, after which the engine is
//! nudged. The server decides: this module only sends the clerk's intent.

use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use kyosai_store::sync::{DraftState, LocalRecord};
use kyosai_sync_client::{
    Api, Auth, ClientConfig, EngineOptions, KeyringSecretStore, MemorySecretStore, SecretStore,
    SharedStore, SyncEngine, SyncError, SyncStatus,
};
use kyosai_sync_protocol::{Resolution, Role, UserInfo};
use serde::{Deserialize, Serialize};
use tokio::sync::{watch, OnceCell, RwLock};
use uuid::Uuid;

use crate::settings::SettingsView;
use crate::AppError;

impl From<SyncError> for AppError {
    fn from(e: SyncError) -> Self {
        tracing::info!(code = %e.code, status = ?e.status, "sync error");
        AppError::new(e.code, e.message)
    }
}

/// RFC 3339 in UTC with seconds, as the UI formats it.
pub(crate) fn time_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A role as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RoleView {
    /// `office_clerk`, `office_head`, `secretariat_reviewer`, `approver`, `it_admin`.
    pub id: String,
    /// 所属所担当者 …
    pub name: String,
}

/// Who is signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    pub user_id: String,
    pub display_name: String,
    pub roles: Vec<RoleView>,
    pub office_code: Option<String>,
    pub office_name: Option<String>,
    /// Posts in the line of authority (課長, 部長 …), for 電子決裁.
    pub positions: Vec<PositionView>,
}

/// A post in the line of authority as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PositionView {
    /// `kacho`, `keiri_kacho`, `bucho`, `jimukyokucho`, `rijicho`.
    pub id: String,
    /// 課長 …
    pub name: String,
}

fn role_id(r: Role) -> String {
    serde_json::to_value(r)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

impl From<&UserInfo> for SessionView {
    fn from(u: &UserInfo) -> Self {
        SessionView {
            user_id: u.user_id.clone(),
            display_name: u.display_name.clone(),
            roles: u
                .roles
                .iter()
                .map(|r| RoleView {
                    id: role_id(*r),
                    name: r.name_ja().to_string(),
                })
                .collect(),
            office_code: u.office_code.clone(),
            office_name: u.office_name.clone(),
            positions: u
                .positions
                .iter()
                .filter_map(|p| kyosai_domain::approval::Position::from_id(p))
                .map(|p| PositionView {
                    id: p.id().to_string(),
                    name: p.name_ja().to_string(),
                })
                .collect(),
        }
    }
}

/// What the status bar shows about the sync.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatusView {
    /// A central service URL is set.
    pub configured: bool,
    /// The last request reached the server.
    pub online: bool,
    pub syncing: bool,
    pub last_sync_at: Option<String>,
    /// 未送信
    pub pending: u32,
    /// 競合
    pub conflicted: u32,
    /// 差戻し (the server refused the command)
    pub rejected: u32,
    pub last_error_code: Option<String>,
    pub last_error_message: Option<String>,
    pub signed_in_user: Option<String>,
}

fn count(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl SyncStatusView {
    pub fn from_status(s: &SyncStatus) -> Self {
        SyncStatusView {
            configured: true,
            online: s.online,
            syncing: s.syncing,
            last_sync_at: s.last_sync_at.map(time_text),
            pending: count(s.pending),
            conflicted: count(s.conflicted),
            rejected: count(s.rejected),
            last_error_code: s.last_error.as_ref().map(|e| e.code.clone()),
            last_error_message: s.last_error.as_ref().map(|e| e.message.clone()),
            signed_in_user: s.signed_in_user.clone(),
        }
    }
}

/// How the clerk settles a conflicted or refused draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ResolutionDto {
    /// Keep mine: send it again on top of the server's current version.
    Reapply,
    /// Drop mine: keep the server's version.
    Discard,
}

/// One side of a conflict.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ConflictSide {
    pub title: String,
    /// The record's content as JSON text (the module's screen renders it; the conflicts
    /// list shows it as is).
    pub body: String,
    pub office_code: String,
    pub version: Option<u32>,
    pub updated_by: Option<String>,
    pub updated_at: Option<String>,
}

/// A draft the server did not take: a conflict (the record moved on) or a refusal.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ConflictView {
    pub record_id: String,
    pub kind: String,
    /// `conflict`, `rejected` or `revoked`.
    pub state: String,
    /// 競合 / 差戻し / 閲覧権限がなくなりました
    pub label: String,
    pub code: Option<String>,
    /// The server's Japanese explanation.
    pub message: Option<String>,
    /// The server version the clerk's draft was based on.
    pub base_version: Option<u32>,
    pub mine: ConflictSide,
    /// The server's current version (`None` when it has none or no longer shows it).
    pub server: Option<ConflictSide>,
}

fn version_u32(v: i64) -> Option<u32> {
    u32::try_from(v).ok()
}

impl ConflictView {
    fn from_record(r: &LocalRecord) -> Option<ConflictView> {
        let draft = r.draft.as_ref()?;
        let state = if r.revoked {
            "revoked"
        } else {
            match draft.state {
                DraftState::Conflict => "conflict",
                DraftState::Rejected => "rejected",
                DraftState::Pending => return None,
            }
        };
        Some(ConflictView {
            record_id: r.id.to_string(),
            kind: r.kind.clone(),
            state: state.to_string(),
            label: r.label.clone().unwrap_or_default(),
            code: draft.code.clone(),
            message: draft.message.clone(),
            base_version: draft.base_version.and_then(version_u32),
            mine: ConflictSide {
                title: draft.title.clone(),
                body: draft.body.to_string(),
                office_code: draft
                    .office_code
                    .clone()
                    .unwrap_or_else(|| r.office_code.clone()),
                version: None,
                updated_by: None,
                updated_at: draft.updated_at.map(time_text),
            },
            server: r.server.as_ref().map(|s| ConflictSide {
                title: s.title.clone(),
                body: s.body.to_string(),
                office_code: s.office_code.clone(),
                version: version_u32(s.version),
                updated_by: s.updated_by.clone(),
                updated_at: s.updated_at.map(time_text),
            }),
        })
    }
}

/// Runs `f` on the shared store on a blocking thread.
pub async fn with_store<T, F>(store: &SharedStore, f: F) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce(&mut kyosai_store::Store) -> Result<T, AppError> + Send + 'static,
{
    let store = store.clone();
    tokio::task::spawn_blocking(move || {
        let mut guard = store.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    })
    .await
    .map_err(|e| AppError::internal("store task", &e))?
}

/// The sync side of one profile.
pub struct SyncService {
    store: SharedStore,
    profile: String,
    app_version: String,
    device_name: String,
    secrets: OnceCell<Arc<dyn SecretStore>>,
    engine: RwLock<Option<SyncEngine>>,
    /// Follows the current engine's status; replaced when the engine restarts.
    status_tx: watch::Sender<SyncStatusView>,
}

impl std::fmt::Debug for SyncService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncService")
            .field("profile", &self.profile)
            .field("status", &*self.status_tx.borrow())
            .finish_non_exhaustive()
    }
}

fn absence_offline() -> AppError {
    AppError::new(
        "approval.absence_offline",
        "不在・代決者の登録と取消しは、中央サービスに接続しているときだけできます。ネットワークを確認してから、もう一度お試しください。",
    )
}

fn not_configured() -> AppError {
    AppError::new(
        "sync.not_configured",
        "中央サービスのURLが設定されていません。「設定」で中央サービスのURLを入力して保存してください。",
    )
}

impl SyncService {
    /// The OS credential store (Secret Service or keyutils on Linux, Credential Manager on
    /// Windows) is picked when sync first starts, off the start-up path: probing it talks
    /// to D-Bus. Without one, the session lasts until the app closes.
    pub fn new(store: SharedStore, profile: &str, app_version: &str, device_name: &str) -> Self {
        SyncService {
            store,
            profile: profile.to_string(),
            app_version: app_version.to_string(),
            device_name: device_name.to_string(),
            secrets: OnceCell::new(),
            engine: RwLock::new(None),
            status_tx: watch::channel(SyncStatusView::default()).0,
        }
    }

    /// With a given credential store (tests, or a store IT prescribes).
    pub fn with_secrets(
        store: SharedStore,
        profile: &str,
        app_version: &str,
        device_name: &str,
        secrets: Arc<dyn SecretStore>,
    ) -> Self {
        let service = Self::new(store, profile, app_version, device_name);
        let _ = service.secrets.set(secrets);
        service
    }

    async fn secrets(&self) -> Arc<dyn SecretStore> {
        self.secrets
            .get_or_init(|| async {
                let detected = tokio::task::spawn_blocking(KeyringSecretStore::detect)
                    .await
                    .ok()
                    .flatten();
                match detected {
                    Some(k) => {
                        tracing::info!(backend = ?k.backend(), "credential store selected");
                        Arc::new(k) as Arc<dyn SecretStore>
                    }
                    None => {
                        tracing::warn!(
                            "no OS credential store: the sign-in lasts until the app closes"
                        );
                        Arc::new(MemorySecretStore::new())
                    }
                }
            })
            .await
            .clone()
    }

    pub fn store(&self) -> &SharedStore {
        &self.store
    }

    /// The status as it changes (the shell forwards it to the window).
    pub fn subscribe(&self) -> watch::Receiver<SyncStatusView> {
        self.status_tx.subscribe()
    }

    pub fn status(&self) -> SyncStatusView {
        self.status_tx.borrow().clone()
    }

    /// (Re)starts the loop with `settings`: stops the old one (its work is in the store),
    /// and without a central service URL leaves sync off.
    pub async fn apply_settings(&self, settings: &SettingsView) -> Result<(), AppError> {
        let mut slot = self.engine.write().await;
        if let Some(old) = slot.take() {
            old.shutdown().await;
        }
        if settings.central_url.is_empty() {
            self.status_tx.send_replace(SyncStatusView::default());
            return Ok(());
        }
        let mut config = ClientConfig::new(settings.central_url.clone(), self.app_version.clone());
        config.root_ca_pem_path =
            (!settings.root_ca_path.is_empty()).then(|| settings.root_ca_path.clone().into());
        config.proxy_url = (!settings.proxy_url.is_empty()).then(|| settings.proxy_url.clone());
        let api = Api::new(config)?;
        let auth = Arc::new(Auth::new(
            api,
            self.secrets().await,
            self.profile.clone(),
            self.device_name.clone(),
        ));
        if let Err(e) = auth.restore(&self.store).await {
            tracing::warn!(code = %e.code, "could not restore the previous sign-in");
        }
        let engine = SyncEngine::start(self.store.clone(), auth, EngineOptions::default());
        let mut rx = engine.status();
        let tx = self.status_tx.clone();
        tx.send_replace(SyncStatusView::from_status(&rx.borrow()));
        tokio::spawn(async move {
            while rx.changed().await.is_ok() {
                let view = SyncStatusView::from_status(&rx.borrow_and_update());
                tx.send_replace(view);
            }
        });
        *slot = Some(engine);
        Ok(())
    }

    /// Signs in; the profile becomes this user's. A sign-in, and one the server refused
    /// (wrong password, locked), go to the audit log.
    pub async fn sign_in(&self, user_id: &str, password: &str) -> Result<SessionView, AppError> {
        let slot = self.engine.read().await;
        let engine = slot.as_ref().ok_or_else(not_configured)?;
        let user_id = user_id.trim();
        let info = match engine.sign_in(user_id, password).await {
            Ok(info) => info,
            Err(e) => {
                let e = AppError::from(e);
                if e.code.starts_with("auth.") {
                    // The id as typed, cut short: it is what the server refused.
                    let typed: String = user_id.chars().take(64).collect();
                    self.audit(
                        kyosai_audit::NewEntry::now(
                            typed,
                            kyosai_audit::actions::AUTH_SIGN_IN_FAILED,
                        )
                        .detail(serde_json::json!({ "code": e.code })),
                    )
                    .await;
                }
                return Err(e);
            }
        };
        self.audit(kyosai_audit::NewEntry::now(
            info.user_id.clone(),
            kyosai_audit::actions::AUTH_SIGN_IN,
        ))
        .await;
        tracing::info!("signed in");
        Ok(SessionView::from(&info))
    }

    /// Signs out; refused while this profile has unsent work.
    pub async fn sign_out(&self) -> Result<(), AppError> {
        let slot = self.engine.read().await;
        let engine = slot.as_ref().ok_or_else(not_configured)?;
        let who = engine.auth().signed_in_user();
        engine.sign_out().await?;
        self.audit(kyosai_audit::NewEntry::now(
            who.unwrap_or_else(|| crate::audit::NO_ACTOR.to_owned()),
            kyosai_audit::actions::AUTH_SIGN_OUT,
        ))
        .await;
        tracing::info!("signed out");
        Ok(())
    }

    /// Writes an entry for something that has already happened on the server (a sign-in):
    /// a failure is logged, as the event cannot be undone.
    async fn audit(&self, new: kyosai_audit::NewEntry) {
        let action = new.action.clone();
        if let Err(e) = crate::audit::record(&self.store, new).await {
            tracing::error!(code = %e.code, %action, "audit entry not written");
        }
    }

    /// Ends the session although unsent work remains (the locked app after too many wrong
    /// passwords): the work stays for the same user's next sign-in.
    pub async fn end_session(&self) -> Result<(), AppError> {
        let slot = self.engine.read().await;
        let engine = slot.as_ref().ok_or_else(not_configured)?;
        engine.end_session().await?;
        tracing::info!("session ended on this PC");
        Ok(())
    }

    /// Checks the signed-in user's password (unlocking the app, confirming a 決裁):
    /// on this PC with the hash kept at the last sign-in, so it works offline; without
    /// one (a credential store that forgets on restart), by signing in again online.
    /// `Ok(false)`: not the password.
    pub async fn verify_password(&self, password: &str) -> Result<bool, AppError> {
        let auth = {
            let slot = self.engine.read().await;
            slot.as_ref().ok_or_else(not_configured)?.auth().clone()
        };
        let Some(user_id) = auth.signed_in_user() else {
            return Err(AppError::new(
                "auth.not_signed_in",
                "サインインしていません。「サインイン」からサインインしてください。",
            ));
        };
        if let Some(matches) = auth.verify_password(password).await? {
            return Ok(matches);
        }
        match self.sign_in(&user_id, password).await {
            Ok(_) => Ok(true),
            Err(e) if e.code == kyosai_sync_protocol::codes::AUTH_INVALID_CREDENTIALS => Ok(false),
            Err(e) if e.code.starts_with("sync.") => Err(AppError::new(
                "auth.password_check_offline",
                "このPCにはパスワードを確かめる情報がないため、中央サービスで確かめる必要があります。ネットワークにつながってから、もう一度お試しください。",
            )),
            Err(e) => Err(e),
        }
    }

    /// Who is signed in, if anyone.
    pub async fn session(&self) -> Option<SessionView> {
        let slot = self.engine.read().await;
        let engine = slot.as_ref()?;
        engine.auth().user_info().as_ref().map(SessionView::from)
    }

    /// The signed-in user as the server described them: live after a sign-in or refresh,
    /// else (offline after a restart) as remembered for the same user. Kept for offline
    /// use whenever it is live.
    pub async fn me(&self) -> Option<UserInfo> {
        let (live, user_id) = {
            let slot = self.engine.read().await;
            let auth = slot.as_ref()?.auth();
            (auth.user_info(), auth.signed_in_user())
        };
        match live {
            Some(info) => {
                let keep = info.clone();
                if let Err(e) = with_store(&self.store, move |s| {
                    crate::approvals::remember_me(s, &keep)
                })
                .await
                {
                    tracing::warn!(code = %e.code, "could not remember the signed-in user");
                }
                Some(info)
            }
            None => {
                let user_id = user_id?;
                with_store(&self.store, move |s| {
                    crate::approvals::remembered_me(s, &user_id)
                })
                .await
                .ok()
                .flatten()
            }
        }
    }

    /// [`SyncService::me`], or the error that says to sign in.
    pub async fn require_me(&self) -> Result<UserInfo, AppError> {
        self.me().await.ok_or_else(|| {
            AppError::new(
                "auth.not_signed_in",
                "サインインしていません。「サインイン」からサインインしてください。",
            )
        })
    }

    /// Fetches the directory and absences and keeps them for offline use. Skipped when
    /// offline or when the copy is younger than `max_age_secs` (0: always fetch).
    pub async fn refresh_directory(&self, max_age_secs: i64) -> Result<bool, AppError> {
        if max_age_secs > 0 {
            if !self.status().online {
                return Ok(false);
            }
            let fetched = with_store(&self.store, |s| {
                Ok(crate::approvals::load_directory(s)?.map(|c| c.fetched_at))
            })
            .await?;
            if fetched.is_some_and(|t| (Utc::now() - t).num_seconds() < max_age_secs) {
                return Ok(false);
            }
        }
        let auth = {
            let slot = self.engine.read().await;
            slot.as_ref().ok_or_else(not_configured)?.auth().clone()
        };
        let api = auth.api().clone();
        let directory = auth
            .call(move |t: String| {
                let api = api.clone();
                async move { api.directory(&t).await }
            })
            .await?;
        with_store(&self.store, move |s| {
            crate::approvals::save_directory(s, &directory)
        })
        .await?;
        Ok(true)
    }

    /// Registers my absence on the server (online only), then refreshes the directory.
    pub async fn add_absence(
        &self,
        req: kyosai_sync_protocol::approval::NewAbsence,
    ) -> Result<(), AppError> {
        let auth = {
            let slot = self.engine.read().await;
            slot.as_ref().ok_or_else(not_configured)?.auth().clone()
        };
        let api = auth.api().clone();
        let result = auth
            .call(move |t: String| {
                let api = api.clone();
                let req = req.clone();
                async move { api.add_absence(&t, &req).await }
            })
            .await;
        match result {
            Ok(_) => {}
            Err(e) if e.is_offline() || e.is_retryable() => return Err(absence_offline()),
            Err(e) => return Err(e.into()),
        }
        if let Err(e) = self.refresh_directory(0).await {
            tracing::warn!(code = %e.code, "directory not refreshed after an absence");
        }
        Ok(())
    }

    /// Cancels one of my absences on the server (online only).
    pub async fn cancel_absence(&self, id: &str) -> Result<(), AppError> {
        let id = Uuid::parse_str(id).map_err(|_| {
            AppError::new(
                "request.invalid",
                "対象の不在登録が見つかりません。画面を開き直してください。",
            )
        })?;
        let auth = {
            let slot = self.engine.read().await;
            slot.as_ref().ok_or_else(not_configured)?.auth().clone()
        };
        let api = auth.api().clone();
        let result = auth
            .call(move |t: String| {
                let api = api.clone();
                async move { api.cancel_absence(&t, id).await }
            })
            .await;
        match result {
            Ok(()) => {}
            Err(e) if e.is_offline() || e.is_retryable() => return Err(absence_offline()),
            Err(e) => return Err(e.into()),
        }
        if let Err(e) = self.refresh_directory(0).await {
            tracing::warn!(code = %e.code, "directory not refreshed after a cancellation");
        }
        Ok(())
    }

    /// The central service's automated review of 資格取得届 `id` (online only; the
    /// raw [`SyncError`] so the caller can tell offline from forbidden).
    pub async fn acquisition_review(
        &self,
        id: Uuid,
    ) -> Result<kyosai_sync_protocol::acquisition::ReviewResult, SyncError> {
        let auth = {
            let slot = self.engine.read().await;
            match slot.as_ref() {
                Some(e) => e.auth().clone(),
                None => {
                    let e = not_configured();
                    return Err(SyncError::new(
                        kyosai_sync_client::ErrorKind::Config,
                        e.code,
                        e.message,
                    ));
                }
            }
        };
        let api = auth.api().clone();
        auth.call(move |t: String| {
            let api = api.clone();
            async move { api.acquisition_review(&t, id).await }
        })
        .await
    }

    /// The OCR queue's edit lease on a document (`POST /sync/v1/ocr/{id}/lease`).
    pub async fn ocr_lease(
        &self,
        id: Uuid,
        action: kyosai_sync_protocol::ocr::LeaseAction,
    ) -> Result<kyosai_sync_protocol::ocr::Lease, SyncError> {
        let auth = {
            let slot = self.engine.read().await;
            match slot.as_ref() {
                Some(e) => e.auth().clone(),
                None => {
                    let e = not_configured();
                    return Err(SyncError::new(
                        kyosai_sync_client::ErrorKind::Config,
                        e.code,
                        e.message,
                    ));
                }
            }
        };
        let api = auth.api().clone();
        let req = kyosai_sync_protocol::ocr::LeaseRequest { action };
        auth.call(move |t: String| {
            let api = api.clone();
            async move { api.ocr_lease(&t, id, &req).await }
        })
        .await
    }

    /// The signed-in session, for calls outside the sync loop.
    async fn signed_in_auth(&self) -> Result<Arc<Auth>, SyncError> {
        let slot = self.engine.read().await;
        match slot.as_ref() {
            Some(e) => Ok(e.auth().clone()),
            None => {
                let e = not_configured();
                Err(SyncError::new(
                    kyosai_sync_client::ErrorKind::Config,
                    e.code,
                    e.message,
                ))
            }
        }
    }

    /// The release newer than `current` on `channel` for `target`
    /// (`GET /updates/v1/{channel}/{target}`), or `None` when up to date.
    pub async fn update_check(
        &self,
        channel: &str,
        target: &str,
        current: &str,
    ) -> Result<Option<crate::update::Release>, SyncError> {
        let auth = self.signed_in_auth().await?;
        let api = auth.api().clone();
        let (channel, target, current) =
            (channel.to_string(), target.to_string(), current.to_string());
        auth.call(move |t: String| {
            let (api, channel, target, current) = (
                api.clone(),
                channel.clone(),
                target.clone(),
                current.clone(),
            );
            async move { api.update_check(&t, &channel, &target, &current).await }
        })
        .await
    }

    /// The 見える化 figures (`GET /analytics/v1/dashboard`; see [`crate::dashboard`]).
    pub async fn analytics_dashboard(
        &self,
        params: kyosai_sync_client::DashboardParams,
    ) -> Result<kyosai_domain::flow::Dashboard, SyncError> {
        let auth = self.signed_in_auth().await?;
        let api = auth.api().clone();
        auth.call(move |t: String| {
            let (api, params) = (api.clone(), params.clone());
            async move { api.analytics_dashboard(&t, &params).await }
        })
        .await
    }

    /// Downloads the published update file of `channel`/`target` into `dest` (created
    /// or truncated); returns its length and the name the server gives it. Nothing here
    /// verifies it: see [`crate::update::download_and_verify`].
    pub async fn update_download(
        &self,
        channel: &str,
        target: &str,
        dest: &std::path::Path,
        max_bytes: u64,
    ) -> Result<(u64, Option<String>), SyncError> {
        let auth = self.signed_in_auth().await?;
        let api = auth.api().clone();
        let (channel, target, dest) = (channel.to_string(), target.to_string(), dest.to_path_buf());
        auth.call(move |t: String| {
            let (api, channel, target, dest) =
                (api.clone(), channel.clone(), target.clone(), dest.clone());
            async move {
                let mut file = std::fs::File::create(&dest).map_err(|e| {
                    SyncError::new(
                        kyosai_sync_client::ErrorKind::Store,
                        crate::update::codes::DOWNLOAD_FAILED,
                        format!("更新ファイルを保存できません（{}: {e}）。ディスクの空きとフォルダの権限を確認してください。", dest.display()),
                    )
                })?;
                api.update_download(&t, &channel, &target, &mut file, max_bytes)
                    .await
            }
        })
        .await
    }

    /// After a local write: sync soon.
    pub async fn notify_local_write(&self) {
        if let Some(engine) = self.engine.read().await.as_ref() {
            engine.notify_local_write();
        }
    }

    /// The window got focus: sync now if due.
    pub async fn trigger(&self) {
        if let Some(engine) = self.engine.read().await.as_ref() {
            engine.trigger();
        }
    }

    /// One full cycle now (push, then pull), for the 「今すぐ同期」 button.
    pub async fn sync_now(&self) -> Result<(), AppError> {
        let slot = self.engine.read().await;
        let engine = slot.as_ref().ok_or_else(not_configured)?;
        engine.sync_now().await?;
        Ok(())
    }

    /// Every conflicted, refused or revoked draft of this profile (works offline).
    pub async fn conflicts(&self) -> Result<Vec<ConflictView>, AppError> {
        with_store(&self.store, |s| {
            let drafts = s.sync().drafts()?;
            Ok(drafts
                .iter()
                .filter_map(ConflictView::from_record)
                .collect())
        })
        .await
    }

    /// Settles one conflicted or refused draft.
    pub async fn resolve(
        &self,
        record_id: &str,
        resolution: ResolutionDto,
    ) -> Result<(), AppError> {
        let id = Uuid::parse_str(record_id).map_err(|_| {
            AppError::new(
                "request.invalid",
                "対象の記録が見つかりません。画面を開き直してください。",
            )
        })?;
        let resolution = match resolution {
            ResolutionDto::Reapply => Resolution::Reapplied,
            ResolutionDto::Discard => Resolution::Discarded,
        };
        let conflict_id = with_store(&self.store, move |s| {
            Ok(s.sync()
                .record(id)?
                .and_then(|r| r.draft.and_then(|d| d.conflict_id)))
        })
        .await?;
        let slot = self.engine.read().await;
        match slot.as_ref() {
            Some(engine) => {
                engine.resolve(id, conflict_id, resolution).await?;
            }
            // Without a server the decision is still taken locally.
            None => {
                with_store(&self.store, move |s| {
                    match resolution {
                        Resolution::Reapplied => {
                            s.sync().record_reapply_local(id)?;
                        }
                        Resolution::Discarded => s.sync().record_discard_draft(id)?,
                    }
                    Ok(())
                })
                .await?;
            }
        }
        tracing::info!(record = %id, ?resolution, "conflict settled");
        Ok(())
    }

    /// Stops the loop (app exit).
    pub async fn shutdown(&self) {
        if let Some(engine) = self.engine.write().await.take() {
            engine.shutdown().await;
        }
    }
}
