//! The IPC commands of 調達・契約・支払 (`kyosai_app::procurement`): each picks the
//! signed-in user, the office and the store, and calls the use case.

use std::path::PathBuf;

use chrono::Utc;
use kyosai_app::findings::FindingDto;
use kyosai_app::procurement::forms::{self, AccountForm, PintImport};
use kyosai_app::procurement::masters::{
    self, BankChoice, BudgetForm, BudgetView, VendorForm, VendorView,
};
use kyosai_app::procurement::transfer::{
    self, PayableOrder, PayerForm, TransferPreview, TransferResult,
};
use kyosai_app::procurement::{self as proc, CaseSummary, CaseView, StepInput};
use kyosai_app::proposals::FlagsDto;
use kyosai_app::session_lock::SessionLock;
use kyosai_app::sync::with_store;
use kyosai_app::AppError;
use kyosai_sync_protocol::UserInfo;
use tauri::{Manager, State};

use crate::state::AppState;

async fn me(state: &State<'_, AppState>) -> Result<UserInfo, AppError> {
    state.sync()?.require_me().await
}

/// The signed-in user's office, or the one in 設定.
async fn office(state: &State<'_, AppState>) -> Result<Option<String>, AppError> {
    let me = state.sync()?.me().await;
    Ok(match me.and_then(|u| u.office_code) {
        Some(code) => Some(code),
        None => state.settings().ok().map(|s| s.office_code),
    })
}

fn user_id(me: Option<UserInfo>) -> String {
    me.map(|u| u.user_id).unwrap_or_default()
}

fn downloads<R: tauri::Runtime>(app: &tauri::AppHandle<R>, state: &AppState) -> PathBuf {
    app.path()
        .download_dir()
        .unwrap_or_else(|_| state.paths.root.join("downloads"))
}

#[tauri::command]
#[specta::specta]
pub async fn procurement_cases(state: State<'_, AppState>) -> Result<Vec<CaseSummary>, AppError> {
    let me = user_id(state.sync()?.me().await);
    with_store(state.shared_store()?, move |s| {
        proc::cases_of(s, &me, Utc::now())
    })
    .await
}

/// One case; `id` may be any of its steps.
#[tauri::command]
#[specta::specta]
pub async fn procurement_case(
    state: State<'_, AppState>,
    id: String,
) -> Result<CaseView, AppError> {
    let me = user_id(state.sync()?.me().await);
    with_store(state.shared_store()?, move |s| {
        proc::case_of(s, &id, &me, Utc::now())
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn procurement_check(
    state: State<'_, AppState>,
    input: StepInput,
) -> Result<Vec<FindingDto>, AppError> {
    with_store(state.shared_store()?, move |s| {
        proc::check_on(s, &input, Utc::now())
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn procurement_save(
    state: State<'_, AppState>,
    input: StepInput,
) -> Result<CaseView, AppError> {
    let office = office(&state).await?;
    let me = user_id(state.sync()?.me().await);
    let v = with_store(state.shared_store()?, move |s| {
        proc::save_on(s, &input, office.as_deref(), &me, Utc::now())
    })
    .await?;
    state.sync()?.notify_local_write().await;
    Ok(v)
}

/// The form of the step that follows `parent` (decided), prefilled.
#[tauri::command]
#[specta::specta]
pub async fn procurement_next_step(
    state: State<'_, AppState>,
    parent: String,
) -> Result<StepInput, AppError> {
    with_store(state.shared_store()?, move |s| {
        proc::new_step_form(s, &parent, Utc::now())
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn procurement_submit(
    state: State<'_, AppState>,
    id: String,
    flags: FlagsDto,
) -> Result<CaseView, AppError> {
    let me = me(&state).await?;
    let v = with_store(state.shared_store()?, move |s| {
        proc::submit_on(s, &me, &id, flags, Utc::now())
    })
    .await?;
    state.sync()?.notify_local_write().await;
    Ok(v)
}

#[tauri::command]
#[specta::specta]
pub async fn procurement_withdraw(
    state: State<'_, AppState>,
    id: String,
) -> Result<CaseView, AppError> {
    let me = me(&state).await?;
    let v = with_store(state.shared_store()?, move |s| {
        proc::withdraw_on(s, &me, &id, Utc::now())
    })
    .await?;
    state.sync()?.notify_local_write().await;
    Ok(v)
}

#[tauri::command]
#[specta::specta]
pub async fn procurement_vendors(state: State<'_, AppState>) -> Result<Vec<VendorView>, AppError> {
    with_store(state.shared_store()?, masters::vendors_of).await
}

#[tauri::command]
#[specta::specta]
pub fn procurement_check_vendor(form: VendorForm) -> Vec<FindingDto> {
    masters::check_vendor(&form)
}

#[tauri::command]
#[specta::specta]
pub async fn procurement_save_vendor(
    state: State<'_, AppState>,
    form: VendorForm,
) -> Result<VendorView, AppError> {
    let office = office(&state).await?;
    let v = with_store(state.shared_store()?, move |s| {
        masters::save_vendor_on(s, &form, office.as_deref())
    })
    .await?;
    state.sync()?.notify_local_write().await;
    Ok(v)
}

/// ゆうちょ 記号・番号 → the 全銀 account.
#[tauri::command]
#[specta::specta]
pub fn procurement_yucho_account(kigo: String, bango: String) -> Result<AccountForm, AppError> {
    masters::yucho_account(&kigo, &bango)
}

#[tauri::command]
#[specta::specta]
pub fn procurement_search_banks(query: String) -> Vec<BankChoice> {
    masters::search_banks(&query)
}

#[tauri::command]
#[specta::specta]
pub fn procurement_search_branches(bank: String, query: String) -> Vec<BankChoice> {
    masters::search_branches(&bank, &query)
}

#[tauri::command]
#[specta::specta]
pub async fn procurement_budgets(state: State<'_, AppState>) -> Result<Vec<BudgetView>, AppError> {
    with_store(state.shared_store()?, |s| masters::budgets_of(s, None)).await
}

#[tauri::command]
#[specta::specta]
pub async fn procurement_save_budget(
    state: State<'_, AppState>,
    form: BudgetForm,
) -> Result<BudgetView, AppError> {
    let office = office(&state).await?;
    let v = with_store(state.shared_store()?, move |s| {
        masters::save_budget_on(s, &form, office.as_deref(), Utc::now())
    })
    .await?;
    state.sync()?.notify_local_write().await;
    Ok(v)
}

#[tauri::command]
#[specta::specta]
pub async fn procurement_payer(state: State<'_, AppState>) -> Result<PayerForm, AppError> {
    with_store(state.shared_store()?, transfer::payer).await
}

#[tauri::command]
#[specta::specta]
pub async fn procurement_save_payer(
    state: State<'_, AppState>,
    form: PayerForm,
) -> Result<PayerForm, AppError> {
    let office = office(&state).await?;
    let v = with_store(state.shared_store()?, move |s| {
        transfer::save_payer_on(s, &form, office.as_deref())
    })
    .await?;
    state.sync()?.notify_local_write().await;
    Ok(v)
}

#[tauri::command]
#[specta::specta]
pub async fn procurement_payable(
    state: State<'_, AppState>,
) -> Result<Vec<PayableOrder>, AppError> {
    with_store(state.shared_store()?, transfer::payable_of).await
}

/// What the 総合振込 file of `ids` would hold (nothing written).
#[tauri::command]
#[specta::specta]
pub async fn procurement_preview_transfer(
    state: State<'_, AppState>,
    ids: Vec<String>,
    transfer_date: String,
) -> Result<TransferPreview, AppError> {
    with_store(state.shared_store()?, move |s| {
        transfer::preview_on(s, &ids, &transfer_date, Utc::now())
    })
    .await
}

/// Writes the 総合振込 file of `ids` into the download folder (nothing when a row is
/// rejected; every problem is returned). Needs the password typed within the last two
/// minutes (`auth.reauth_required`).
#[tauri::command]
#[specta::specta]
pub async fn procurement_export_transfer<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    lock: State<'_, SessionLock>,
    ids: Vec<String>,
    transfer_date: String,
) -> Result<TransferResult, AppError> {
    lock.require_recent_password(std::time::Instant::now())?;
    let office = office(&state).await?;
    let dir = downloads(&app, &state);
    let v = with_store(state.shared_store()?, move |s| {
        transfer::export_on(s, &ids, &transfer_date, &dir, office.as_deref(), Utc::now())
    })
    .await?;
    state.sync()?.notify_local_write().await;
    Ok(v)
}

/// 変更起案: the form of a new step changing the decided step `id`.
#[tauri::command]
#[specta::specta]
pub async fn procurement_amend(
    state: State<'_, AppState>,
    id: String,
) -> Result<StepInput, AppError> {
    with_store(state.shared_store()?, move |s| proc::amend_form(s, &id)).await
}

/// Reads a JP PINT invoice (`data`: the XML file's bytes in base64) for the payment
/// order's form; nothing is stored.
#[tauri::command]
#[specta::specta]
pub fn procurement_import_invoice(data: String) -> Result<PintImport, AppError> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.as_bytes())
        .map_err(|_| {
            AppError::new(
                "pint.unreadable",
                "ファイルを受け取れませんでした。もう一度選んでください。",
            )
        })?;
    forms::invoice_from_pint(&bytes)
}
