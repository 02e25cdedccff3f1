//! The IPC commands: each takes DTOs, calls a use case in `kyosai-app` and returns its
//! result. No SQL and no business rules here.

use chrono::Utc;
use kyosai_app::approvals::{
    self, AbsenceInput, AbsencesView, ActRequest, ApprovalDetail, BulkResult, InboxItem,
    OutcomeView,
};
use kyosai_app::dates::{self, DateView, WarekiInput};
use kyosai_app::diagnostics::{self, AppInfo, IntegrityReport};
use kyosai_app::notes::{self, NoteDraft, NoteView};
use kyosai_app::proposals::{self, FlagsDto, ProposalDraft, ProposalView, RoutePreview};
use kyosai_app::session_lock::{act_needs_password, SessionLock};
use kyosai_app::settings::{self, SettingsDraft, SettingsView};
use kyosai_app::sync::{with_store, ConflictView, ResolutionDto, SessionView, SyncStatusView};
use kyosai_app::{AppError, FindingDto};
use kyosai_sync_protocol::UserInfo;
use tauri::State;

use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    state.info()
}

#[tauri::command(async)]
#[specta::specta]
pub fn get_settings(state: State<'_, AppState>) -> Result<SettingsView, AppError> {
    state.settings()
}

#[tauri::command(async)]
#[specta::specta]
pub fn check_settings(draft: SettingsDraft) -> Vec<FindingDto> {
    settings::check(&draft)
}

/// Saves the settings and restarts the sync loop with them.
#[tauri::command]
#[specta::specta]
pub async fn save_settings(
    state: State<'_, AppState>,
    draft: SettingsDraft,
) -> Result<SettingsView, AppError> {
    let saved = state.with_store(|s| settings::save(s, state.policy.as_ref(), &draft))?;
    state.sync()?.apply_settings(&saved).await?;
    Ok(saved)
}

#[tauri::command]
#[specta::specta]
pub fn wareki_to_date(input: WarekiInput) -> Result<DateView, AppError> {
    dates::wareki_to_date(input)
}

#[tauri::command]
#[specta::specta]
pub fn date_to_wareki(iso: String) -> Result<DateView, AppError> {
    dates::date_to_wareki(&iso)
}

#[tauri::command]
#[specta::specta]
pub fn parse_wareki(text: String) -> Result<DateView, AppError> {
    dates::parse_wareki(&text)
}

#[tauri::command(async)]
#[specta::specta]
pub fn integrity_check(state: State<'_, AppState>) -> Result<IntegrityReport, AppError> {
    state.with_store(|s| diagnostics::integrity_check(s))
}

/// Called once by the UI after its first render: the end of start-up.
#[tauri::command]
#[specta::specta]
pub fn frontend_ready() {
    crate::startup::first_screen_shown();
}

#[tauri::command]
#[specta::specta]
pub async fn sign_in(
    state: State<'_, AppState>,
    lock: State<'_, SessionLock>,
    user_id: String,
    password: String,
) -> Result<SessionView, AppError> {
    let session = state.sync()?.sign_in(&user_id, &password).await?;
    lock.reset();
    Ok(session)
}

/// Signs out (also from the lock screen, which it then lifts).
#[tauri::command]
#[specta::specta]
pub async fn sign_out(
    state: State<'_, AppState>,
    lock: State<'_, SessionLock>,
) -> Result<(), AppError> {
    state.sync()?.sign_out().await?;
    lock.reset();
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn session(state: State<'_, AppState>) -> Result<Option<SessionView>, AppError> {
    Ok(state.sync()?.session().await)
}

#[tauri::command]
#[specta::specta]
pub fn sync_status(state: State<'_, AppState>) -> Result<SyncStatusView, AppError> {
    Ok(state.sync()?.status())
}

#[tauri::command]
#[specta::specta]
pub async fn sync_now(state: State<'_, AppState>) -> Result<(), AppError> {
    state.sync()?.sync_now().await
}

#[tauri::command]
#[specta::specta]
pub async fn list_conflicts(state: State<'_, AppState>) -> Result<Vec<ConflictView>, AppError> {
    state.sync()?.conflicts().await
}

#[tauri::command]
#[specta::specta]
pub async fn resolve_conflict(
    state: State<'_, AppState>,
    record_id: String,
    resolution: ResolutionDto,
) -> Result<(), AppError> {
    state.sync()?.resolve(&record_id, resolution).await
}

#[tauri::command]
#[specta::specta]
pub async fn list_notes(state: State<'_, AppState>) -> Result<Vec<NoteView>, AppError> {
    notes::list(state.shared_store()?).await
}

#[tauri::command]
#[specta::specta]
pub fn check_note(draft: NoteDraft) -> Vec<FindingDto> {
    notes::check(&draft)
}

#[tauri::command]
#[specta::specta]
pub async fn save_note(state: State<'_, AppState>, draft: NoteDraft) -> Result<NoteView, AppError> {
    let sync = state.sync()?;
    let office = match sync.session().await.and_then(|s| s.office_code) {
        Some(code) => Some(code),
        None => state
            .settings()
            .ok()
            .map(|s| s.office_code)
            .filter(|c| !c.is_empty()),
    };
    let saved = notes::save(state.shared_store()?, draft, office).await?;
    sync.notify_local_write().await;
    Ok(saved)
}

// 電子決裁: the approver's inbox and the drafter's 起案文書.

/// The signed-in user, offline too (as remembered).
async fn me(state: &State<'_, AppState>) -> Result<UserInfo, AppError> {
    state.sync()?.require_me().await
}

#[tauri::command]
#[specta::specta]
pub async fn approval_inbox(state: State<'_, AppState>) -> Result<Vec<InboxItem>, AppError> {
    let sync = state.sync()?;
    if let Err(e) = sync.refresh_directory(300).await {
        tracing::info!(code = %e.code, "directory not refreshed; the cached one is used");
    }
    approvals::inbox(state.shared_store()?, me(&state).await?).await
}

#[tauri::command]
#[specta::specta]
pub async fn approval_detail(
    state: State<'_, AppState>,
    id: String,
) -> Result<ApprovalDetail, AppError> {
    approvals::detail(state.shared_store()?, me(&state).await?, &id).await
}

/// Checks the action locally, queues it and starts a sync; returns the document as it
/// now stands here (送信待ち until the server answers). A decision needs the password
/// typed within the last two minutes (`auth.reauth_required`).
#[tauri::command]
#[specta::specta]
pub async fn approval_act(
    state: State<'_, AppState>,
    lock: State<'_, SessionLock>,
    request: ActRequest,
) -> Result<ApprovalDetail, AppError> {
    if act_needs_password(&request.kind) {
        lock.require_recent_password(std::time::Instant::now())?;
    }
    let me = me(&state).await?;
    let id = request.id.clone();
    approvals::act(state.shared_store()?, me.clone(), request).await?;
    state.sync()?.notify_local_write().await;
    approvals::detail(state.shared_store()?, me, &id).await
}

#[tauri::command]
#[specta::specta]
pub async fn approval_bulk_approve(
    state: State<'_, AppState>,
    lock: State<'_, SessionLock>,
    ids: Vec<String>,
) -> Result<BulkResult, AppError> {
    lock.require_recent_password(std::time::Instant::now())?;
    let result = approvals::bulk_approve(state.shared_store()?, me(&state).await?, ids).await?;
    if !result.approved.is_empty() {
        state.sync()?.notify_local_write().await;
    }
    Ok(result)
}

#[tauri::command]
#[specta::specta]
pub async fn approval_outcomes(state: State<'_, AppState>) -> Result<Vec<OutcomeView>, AppError> {
    approvals::outcomes(state.shared_store()?).await
}

/// Writes the trail CSV to the download folder; returns its path.
#[tauri::command]
#[specta::specta]
pub async fn approval_trail_csv<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    ids: Vec<String>,
) -> Result<String, AppError> {
    use tauri::Manager;
    let dir = app
        .path()
        .download_dir()
        .unwrap_or_else(|_| state.paths.root.join("downloads"));
    let me = state.sync()?.me().await;
    approvals::trail_csv(state.shared_store()?, me, ids, dir).await
}

/// Writes the document as a PDF (with its 決裁欄; 「未決裁」 while undecided) to the
/// download folder; returns its path.
#[tauri::command]
#[specta::specta]
pub async fn approval_pdf<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
) -> Result<String, AppError> {
    use tauri::Manager;
    let dir = app
        .path()
        .download_dir()
        .unwrap_or_else(|_| state.paths.root.join("downloads"));
    let me = state.sync()?.me().await;
    kyosai_app::printing::approval_pdf(state.shared_store()?, me, id, dir).await
}

#[tauri::command]
#[specta::specta]
pub async fn approval_absences(state: State<'_, AppState>) -> Result<AbsencesView, AppError> {
    let sync = state.sync()?;
    if let Err(e) = sync.refresh_directory(60).await {
        tracing::info!(code = %e.code, "directory not refreshed; the cached one is used");
    }
    let me = me(&state).await?;
    with_store(state.shared_store()?, move |s| {
        approvals::absences_of(s, &me, Utc::now())
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn approval_add_absence(
    state: State<'_, AppState>,
    input: AbsenceInput,
) -> Result<AbsencesView, AppError> {
    let me = me(&state).await?;
    let req = approvals::new_absence(&input, &me, Utc::now())?;
    state.sync()?.add_absence(req).await?;
    with_store(state.shared_store()?, move |s| {
        approvals::absences_of(s, &me, Utc::now())
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn approval_cancel_absence(
    state: State<'_, AppState>,
    id: String,
) -> Result<AbsencesView, AppError> {
    let me = me(&state).await?;
    state.sync()?.cancel_absence(&id).await?;
    with_store(state.shared_store()?, move |s| {
        approvals::absences_of(s, &me, Utc::now())
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn list_proposals(state: State<'_, AppState>) -> Result<Vec<ProposalView>, AppError> {
    proposals::list(state.shared_store()?, me(&state).await?.user_id).await
}

#[tauri::command]
#[specta::specta]
pub fn check_proposal(draft: ProposalDraft) -> Vec<FindingDto> {
    proposals::check(&draft)
}

#[tauri::command]
#[specta::specta]
pub fn proposal_route_preview(amount: String, flags: FlagsDto) -> RoutePreview {
    proposals::route_preview(&amount, flags, Utc::now())
}

#[tauri::command]
#[specta::specta]
pub async fn save_proposal(
    state: State<'_, AppState>,
    draft: ProposalDraft,
) -> Result<ProposalView, AppError> {
    let sync = state.sync()?;
    let me = sync.me().await;
    let office = match me.as_ref().and_then(|s| s.office_code.clone()) {
        Some(code) => Some(code),
        None => state
            .settings()
            .ok()
            .map(|s| s.office_code)
            .filter(|c| !c.is_empty()),
    };
    let saved = proposals::save(state.shared_store()?, draft, office, me).await?;
    sync.notify_local_write().await;
    Ok(saved)
}

#[tauri::command]
#[specta::specta]
pub async fn submit_proposal(
    state: State<'_, AppState>,
    id: String,
    flags: FlagsDto,
) -> Result<ProposalView, AppError> {
    let me = me(&state).await?;
    let v = proposals::submit(state.shared_store()?, me, id, flags).await?;
    state.sync()?.notify_local_write().await;
    Ok(v)
}

#[tauri::command]
#[specta::specta]
pub async fn withdraw_proposal(
    state: State<'_, AppState>,
    id: String,
) -> Result<ProposalView, AppError> {
    let me = me(&state).await?;
    let v = proposals::withdraw(state.shared_store()?, me, id).await?;
    state.sync()?.notify_local_write().await;
    Ok(v)
}
