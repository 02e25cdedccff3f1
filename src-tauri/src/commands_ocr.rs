//! The IPC commands of the AI-OCR correction queue (`kyosai_app::ocr`): each a few lines.
//! A document is opened only with the central service's edit lease, and every value is
//! saved only while this PC holds it.

use base64::Engine;
use chrono::Utc;
use kyosai_app::ocr::{
    self, LeaseBook, OcrDocumentState, OcrDocumentView, OcrEnterInput, OcrImportSummary,
    OcrInvoiceChoice, OcrInvoiceImport, OcrMetricsDto, OcrQueueDto,
};
use kyosai_app::AppError;
use kyosai_sync_protocol::ocr::LeaseAction;
use kyosai_sync_protocol::UserInfo;
use tauri::State;

use crate::state::AppState;

async fn me(state: &State<'_, AppState>) -> Result<UserInfo, AppError> {
    state.sync()?.require_me().await
}

/// The queue.
#[tauri::command]
#[specta::specta]
pub async fn ocr_queue(state: State<'_, AppState>) -> Result<OcrQueueDto, AppError> {
    ocr::queue(state.shared_store()?, me(&state).await?).await
}

/// Reads a scan (`data`: its bytes in base64) with the local engine and queues its
/// documents.
#[tauri::command]
#[specta::specta]
pub async fn ocr_import(
    state: State<'_, AppState>,
    file_name: String,
    data: String,
    template_id: String,
) -> Result<OcrImportSummary, AppError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.as_bytes())
        .map_err(|_| {
            AppError::new(
                "import.unreadable",
                "ファイルを受け取れませんでした。もう一度選んでください。",
            )
        })?;
    let me = me(&state).await?;
    let routing = kyosai_app::settings::ocr_routing(state.policy.as_ref());
    let summary = ocr::import(
        state.shared_store()?,
        me,
        bytes,
        file_name,
        template_id,
        routing,
    )
    .await?;
    state.sync()?.notify_local_write().await;
    Ok(summary)
}

/// Takes a vendor AI-OCR service's results (CSV or JSON) for a scan file into this
/// office's queue instead of reading the scan here: the file and the results come as
/// base64.
#[tauri::command]
#[specta::specta]
pub async fn ocr_import_vendor(
    state: State<'_, AppState>,
    file_name: String,
    data: String,
    vendor_file_name: String,
    vendor_data: String,
    template_id: String,
) -> Result<OcrImportSummary, AppError> {
    let decode = |text: &str| {
        base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map_err(|_| {
                AppError::new(
                    "import.unreadable",
                    "ファイルを受け取れませんでした。もう一度選んでください。",
                )
            })
    };
    let scan = decode(&data)?;
    let vendor = decode(&vendor_data)?;
    let me = me(&state).await?;
    let files = ocr::VendorFiles {
        scan,
        source_name: file_name,
        vendor,
        vendor_name: vendor_file_name,
    };
    let summary = ocr::import_vendor(
        state.shared_store()?,
        me,
        files,
        template_id,
        kyosai_app::settings::ocr_routing(state.policy.as_ref()),
    )
    .await?;
    state.sync()?.notify_local_write().await;
    Ok(summary)
}

/// Opens a document for correction: takes the edit lease, then loads it.
#[tauri::command]
#[specta::specta]
pub async fn ocr_open(
    state: State<'_, AppState>,
    leases: State<'_, LeaseBook>,
    id: String,
) -> Result<OcrDocumentView, AppError> {
    let me = me(&state).await?;
    let uuid = ocr::document_id(&id)?;
    // Just imported here and not pushed yet: send it first, or the server knows no such
    // document to lease.
    let check = id.clone();
    if ocr::on_store(state.shared_store()?, me.clone(), move |s, _| {
        ocr::unsent_on(s, &check)
    })
    .await?
    {
        if let Err(e) = state.sync()?.sync_now().await {
            tracing::info!(code = %e.code, "push before the OCR lease failed");
        }
    }
    let lease = state
        .sync()?
        .ocr_lease(uuid, LeaseAction::Acquire)
        .await
        .map_err(AppError::from)?;
    leases.hold(uuid, lease.expires_at);
    let until = lease.expires_at.to_rfc3339();
    ocr::on_store(state.shared_store()?, me, move |s, me| {
        ocr::view_on(s, me, &id, Some(until), Utc::now())
    })
    .await
}

/// Extends the edit lease while the document stays open; returns its new end.
#[tauri::command]
#[specta::specta]
pub async fn ocr_renew(
    state: State<'_, AppState>,
    leases: State<'_, LeaseBook>,
    id: String,
) -> Result<String, AppError> {
    let uuid = ocr::document_id(&id)?;
    match state.sync()?.ocr_lease(uuid, LeaseAction::Renew).await {
        Ok(lease) => {
            leases.hold(uuid, lease.expires_at);
            Ok(lease.expires_at.to_rfc3339())
        }
        Err(e) => {
            leases.drop_lease(uuid);
            Err(AppError::from(e))
        }
    }
}

/// Leaves a document: the lease goes back, the saved values go to the server soon.
#[tauri::command]
#[specta::specta]
pub async fn ocr_close(
    state: State<'_, AppState>,
    leases: State<'_, LeaseBook>,
    id: String,
) -> Result<(), AppError> {
    let uuid = ocr::document_id(&id)?;
    leases.drop_lease(uuid);
    state.sync()?.notify_local_write().await;
    if let Err(e) = state.sync()?.ocr_lease(uuid, LeaseAction::Release).await {
        // It ends by itself within minutes.
        tracing::info!(code = %e.code, "OCR lease not released");
    }
    Ok(())
}

/// Saves my value for a field (and hands the document off when it completes it).
#[tauri::command]
#[specta::specta]
pub async fn ocr_enter(
    state: State<'_, AppState>,
    leases: State<'_, LeaseBook>,
    input: OcrEnterInput,
) -> Result<OcrDocumentState, AppError> {
    leases.require(&input.document_id, Utc::now())?;
    let me = me(&state).await?;
    let s = ocr::on_store(state.shared_store()?, me, move |s, me| {
        ocr::enter_on(s, me, &input, Utc::now())
    })
    .await?;
    state.sync()?.notify_local_write().await;
    Ok(s)
}

/// Takes back my last step on the document.
#[tauri::command]
#[specta::specta]
pub async fn ocr_undo(
    state: State<'_, AppState>,
    leases: State<'_, LeaseBook>,
    id: String,
) -> Result<OcrDocumentState, AppError> {
    leases.require(&id, Utc::now())?;
    let me = me(&state).await?;
    let s = ocr::on_store(state.shared_store()?, me, move |s, me| {
        ocr::undo_on(s, me, &id)
    })
    .await?;
    state.sync()?.notify_local_write().await;
    Ok(s)
}

/// Sets the document aside (保留) with a reason.
#[tauri::command]
#[specta::specta]
pub async fn ocr_to_exceptions(
    state: State<'_, AppState>,
    leases: State<'_, LeaseBook>,
    id: String,
    reason: String,
) -> Result<OcrDocumentState, AppError> {
    leases.require(&id, Utc::now())?;
    let me = me(&state).await?;
    let s = ocr::on_store(state.shared_store()?, me, move |s, me| {
        ocr::to_exceptions_on(s, me, &id, &reason, Utc::now())
    })
    .await?;
    state.sync()?.notify_local_write().await;
    Ok(s)
}

/// Takes the document out of 保留 (from the exceptions list; no lease needed to look).
#[tauri::command]
#[specta::specta]
pub async fn ocr_reopen(
    state: State<'_, AppState>,
    id: String,
) -> Result<OcrDocumentState, AppError> {
    let me = me(&state).await?;
    let s = ocr::on_store(state.shared_store()?, me, move |s, me| {
        ocr::reopen_on(s, me, &id)
    })
    .await?;
    state.sync()?.notify_local_write().await;
    Ok(s)
}

/// The queue's figures.
#[tauri::command]
#[specta::specta]
pub async fn ocr_metrics(state: State<'_, AppState>) -> Result<OcrMetricsDto, AppError> {
    let me = me(&state).await?;
    ocr::on_store(state.shared_store()?, me, |s, _| ocr::metrics_on(s)).await
}

/// The verified invoices a payment order may take, oldest first.
#[tauri::command]
#[specta::specta]
pub async fn ocr_verified_invoices(
    state: State<'_, AppState>,
) -> Result<Vec<OcrInvoiceChoice>, AppError> {
    let me = me(&state).await?;
    ocr::on_store(state.shared_store()?, me, |s, _| {
        ocr::verified_invoices_on(s)
    })
    .await
}

/// A verified invoice read into the payment order's form, with its provenance (the
/// document is handed off only when the order is saved).
#[tauri::command]
#[specta::specta]
pub async fn ocr_take_invoice(
    state: State<'_, AppState>,
    id: String,
) -> Result<OcrInvoiceImport, AppError> {
    let me = me(&state).await?;
    ocr::on_store(state.shared_store()?, me, move |s, _| {
        ocr::take_invoice_on(s, &id)
    })
    .await
}
