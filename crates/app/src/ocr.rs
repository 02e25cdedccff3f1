//! The AI-OCR correction queue: scans read on this PC, the queue shared through the
//! central service, the correction screen's data, and the hand-off of a verified
//! 資格取得届 into a prefilled draft and of a verified 請求書 into a payment order
//! (支出命令).
//!
//! A read document is two synced records (see `kyosai_ocr::queue`): the document
//! ([`DOCUMENT_KIND`], updated as people work) and its images ([`SCAN_KIND`], written once).
//! Both live in the encrypted local database like every other record, and belong to the
//! importing clerk's office. Each person's value is saved (and queued for the server) the
//! moment it is entered, so nothing keyed is lost; the central service's edit lease keeps
//! two clerks off one document (`crate::sync::SyncService::ocr_lease`).
//!
//! Values read from forms are personal data: nothing here logs a value.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use kyosai_domain::acquisition::{my_number, AcquisitionForm};
use kyosai_domain::procurement::document::KIND_PAYMENT_ORDER;
use kyosai_ocr::checks::{record_json, ReferenceData};
use kyosai_ocr::metrics;
use kyosai_ocr::pipeline::Reader;
use kyosai_ocr::queue::{
    build_scan, DocumentStatus, Person, QueueDocument, Resolution, ScanBody, Task, DOCUMENT_KIND,
    SCAN_KIND,
};
pub use kyosai_ocr::routing::RoutingPolicy;
use kyosai_ocr::routing::{Reason, Route};
use kyosai_ocr::template::{self, DocumentKind, FieldKind, Template};
use kyosai_store::sync::LocalRecord;
use kyosai_store::Store;
use kyosai_sync_client::SharedStore;
use kyosai_sync_protocol::UserInfo;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::approvals::{actor_of, parse_id};
use crate::procurement::forms::{AccountForm, InvoiceForm, InvoiceLineForm, InvoiceTaxForm};
use crate::sync::{time_text, with_store};
use crate::AppError;

/// Key of the OCR provenance in a draft made from a verified document.
pub const PROVENANCE_KEY: &str = "ocrProvenance";

/// A form template the queue can read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OcrTemplateDto {
    pub id: String,
    pub name: String,
}

/// One document in the queue list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OcrQueueItem {
    pub id: String,
    pub template_id: String,
    pub template_name: String,
    pub source_name: String,
    /// The document's name within its scan (`20261126-0930-scan-2`).
    pub document_label: String,
    pub imported_at: String,
    pub imported_by: String,
    /// `open`, `verified` (an invoice with every field decided, waiting for a payment
    /// order to take it), `exception`, `handed_off`.
    pub status: String,
    pub exception_reason: Option<String>,
    pub exception_by: Option<String>,
    /// Fields waiting for me.
    pub my_tasks: u32,
    /// Fields not decided yet (by anyone).
    pub undecided: u32,
    pub fields: u32,
    pub handed_off_kind: Option<String>,
    pub handed_off_record_id: Option<String>,
    /// Saved here, not yet sent to the server.
    pub unsent: bool,
}

/// The queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OcrQueueDto {
    pub items: Vec<OcrQueueItem>,
    pub templates: Vec<OcrTemplateDto>,
    /// Documents with fields waiting for me.
    pub mine: u32,
    /// Documents in 保留.
    pub exceptions: u32,
}

/// What an import produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OcrImportSummary {
    pub documents: u32,
    pub fields: u32,
    /// Fields accepted without a person.
    pub auto_accepted: u32,
    /// Fields that go to people.
    pub to_people: u32,
    pub ids: Vec<String>,
}

/// A field's box on its page image (pixels of the scan).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OcrBox {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

/// A finding on a field's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OcrFindingDto {
    pub code: String,
    pub error: bool,
    pub message: String,
}

/// How a field was decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OcrDecidedDto {
    pub value: String,
    /// `auto`, `confirmed`, `corrected`, `double_entry_agreed`, `arbitrated`.
    pub resolution: String,
    pub by: Vec<String>,
    pub at: Option<String>,
}

/// Another person's entry, shown only to the third person who decides between two.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OcrEntryDto {
    pub value: String,
    pub by: String,
}

/// A choice of a check-box field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OcrOptionDto {
    pub value: String,
    pub label: String,
}

/// One field on the correction screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OcrFieldDto {
    pub field: String,
    pub label: String,
    /// `text`, `kana`, `number`, `yen`, `wareki_date`, `identifier`, `checkbox`, `choice`.
    pub kind: String,
    pub page: u32,
    pub bbox: OcrBox,
    /// What I am asked to do: `review`, `blind_entry`, `arbitrate`, or `None`.
    pub task: Option<String>,
    /// `accepted`, `qa_sample`, `review`, `double_entry`.
    pub route: String,
    /// The text to start from: the engine's reading for a review; empty for blind entry
    /// and arbitration (nobody's value is suggested).
    pub suggested: String,
    /// The engine's normalised value (`None` when hidden from me or unreadable).
    pub engine_value: Option<String>,
    /// The engine's confidence, 0–1 (`None` when hidden from me).
    pub confidence: Option<f32>,
    /// Why the field needs a person (Japanese).
    pub reasons: Vec<String>,
    pub findings: Vec<OcrFindingDto>,
    /// Decided value (hidden while a blind entry is pending for anyone).
    pub decided: Option<OcrDecidedDto>,
    /// My own entry of a blind field while the other is pending.
    pub my_entry: Option<String>,
    /// The two entries, for the third person only.
    pub entries: Vec<OcrEntryDto>,
    pub options: Vec<OcrOptionDto>,
    pub sensitive: bool,
}

/// The document handed to another module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OcrHandOffDto {
    /// `acquisition`, `payment_order`.
    pub kind: String,
    pub record_id: String,
    pub by: String,
    pub at: String,
}

/// A document's state without its images (what every action answers).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OcrDocumentState {
    pub id: String,
    pub status: String,
    pub exception_reason: Option<String>,
    pub fields: Vec<OcrFieldDto>,
    pub my_tasks: u32,
    pub undecided: u32,
    /// My step is the last one and may be taken back.
    pub can_undo: bool,
    pub handed_off: Option<OcrHandOffDto>,
    /// Findings on the value just entered (they do not block).
    pub last_findings: Vec<OcrFindingDto>,
}

/// A page image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OcrPageDto {
    pub page: u32,
    /// `data:image/jpeg;base64,…`
    pub src: String,
    pub width: u32,
    pub height: u32,
    /// Multiply a field box by it to place it on this image.
    pub scale: f32,
}

/// A field's crop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OcrCropDto {
    pub field: String,
    /// `data:image/png;base64,…`
    pub src: String,
}

/// The correction screen's document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OcrDocumentView {
    pub state: OcrDocumentState,
    pub template_name: String,
    pub source_name: String,
    pub document_label: String,
    pub pages: Vec<OcrPageDto>,
    pub crops: Vec<OcrCropDto>,
    /// My edit lease's end (RFC 3339), when the server granted one.
    pub lease_until: Option<String>,
    /// The next document with fields waiting for me (to preload).
    pub next_id: Option<String>,
    /// Documents with fields waiting for me, this one included.
    pub remaining_documents: u32,
}

/// A value entered for a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OcrEnterInput {
    pub document_id: String,
    pub field: String,
    /// What the clerk left in the box (normalised here).
    pub text: String,
    /// Milliseconds the field was on screen before the clerk decided.
    pub elapsed_ms: u32,
}

/// A field's accuracy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OcrFieldAccuracyDto {
    pub field: String,
    pub label: String,
    pub checked: u32,
    pub right: u32,
    pub rate: f64,
}

/// One person's throughput.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OcrOperatorDto {
    pub name: String,
    pub fields: u32,
    pub documents: u32,
    pub fields_per_hour: f64,
    pub seconds_per_document: f64,
}

/// The queue's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OcrMetricsDto {
    pub documents: u32,
    pub fields: u32,
    pub fields_auto: u32,
    pub straight_through_rate: f64,
    pub documents_straight: u32,
    pub qa_checked: u32,
    pub qa_wrong: u32,
    pub qa_pending: u32,
    pub silent_error_rate: f64,
    /// 95 % upper bound of the silent-error rate (1 when nothing was checked yet).
    pub silent_error_upper: f64,
    pub per_field: Vec<OcrFieldAccuracyDto>,
    pub operators: Vec<OcrOperatorDto>,
}

/// A field's time is capped at this in the throughput (a screen left open over lunch).
const MAX_FIELD_SECONDS: f64 = 120.0;

fn refused(r: kyosai_ocr::queue::Refusal) -> AppError {
    AppError::new(r.code, r.message)
}

fn ocr_error(e: &kyosai_ocr::OcrError) -> AppError {
    AppError::new(
        "ocr.read_failed",
        format!("帳票を読み取れませんでした。{e}"),
    )
}

fn person(me: &UserInfo) -> Person {
    Person {
        id: me.user_id.clone(),
        name: me.display_name.clone(),
    }
}

fn template_of(id: &str) -> Result<Template, AppError> {
    template::builtin_by_id(id).map_err(|_| {
        AppError::new(
            "ocr.template_unknown",
            format!(
                "帳票の様式「{id}」はこのアプリにありません。アプリを最新版に更新してください。"
            ),
        )
    })
}

/// The templates the queue reads.
pub fn templates() -> Vec<OcrTemplateDto> {
    template::builtin()
        .unwrap_or_default()
        .into_iter()
        .map(|t| OcrTemplateDto {
            id: t.id,
            name: t.name,
        })
        .collect()
}

fn document_of(r: &LocalRecord) -> Result<QueueDocument, AppError> {
    serde_json::from_value(r.body.clone()).map_err(|e| {
        AppError::new(
            "ocr.document_unreadable",
            format!("読取結果のデータを読めません（{e}）。アプリを最新版に更新してください。"),
        )
    })
}

fn load(store: &mut Store, id: &str) -> Result<(Uuid, QueueDocument, String), AppError> {
    let uuid = parse_id(id)?;
    let r = store
        .sync()
        .record(uuid)?
        .filter(|r| r.kind == DOCUMENT_KIND)
        .ok_or_else(|| {
            AppError::new(
                "ocr.not_found",
                "この帳票は見つかりません。別の担当者の画面で削除されたか、閲覧の権限がありません。",
            )
        })?;
    Ok((uuid, document_of(&r)?, r.title))
}

fn save(store: &mut Store, id: Uuid, title: &str, doc: &QueueDocument) -> Result<(), AppError> {
    let body = serde_json::to_value(doc).map_err(|e| AppError::internal("ocr json", &e))?;
    store.sync().record_update_local(id, title, &body)?;
    Ok(())
}

fn status_code(s: &DocumentStatus) -> &'static str {
    match s {
        DocumentStatus::Open => "open",
        DocumentStatus::Exception { .. } => "exception",
        DocumentStatus::HandedOff { .. } => "handed_off",
    }
}

fn route_code(r: Route) -> &'static str {
    match r {
        Route::Accepted => "accepted",
        Route::QaSample => "qa_sample",
        Route::Review => "review",
        Route::DoubleEntry => "double_entry",
    }
}

fn task_code(t: Task) -> &'static str {
    match t {
        Task::Review => "review",
        Task::BlindEntry => "blind_entry",
        Task::Arbitrate => "arbitrate",
    }
}

fn kind_code(k: FieldKind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn resolution_code(r: Resolution) -> &'static str {
    match r {
        Resolution::Auto => "auto",
        Resolution::Confirmed => "confirmed",
        Resolution::Corrected => "corrected",
        Resolution::DoubleEntryAgreed => "double_entry_agreed",
        Resolution::Arbitrated => "arbitrated",
    }
}

fn reason_text(r: &Reason, findings: &[kyosai_ocr::pipeline::FieldFinding]) -> String {
    match r {
        Reason::Handwritten => "手書きの項目です（2人が別々に入力します）".into(),
        Reason::NoReading => "読み取れませんでした".into(),
        Reason::LowConfidence {
            confidence,
            threshold,
            ..
        } => format!(
            "確信度 {:.0}% が基準 {:.0}% を下回っています",
            confidence * 100.0,
            threshold * 100.0
        ),
        Reason::EnginesDisagree => "2つの読取エンジンの結果が一致しません".into(),
        Reason::Unreadable => "項目の形式として読めません".into(),
        Reason::CheckFailed { finding } => {
            findings.iter().find(|f| &f.code == finding).map_or_else(
                || format!("点検で指摘があります（{finding}）"),
                |f| f.message.clone(),
            )
        }
    }
}

fn field_dtos(doc: &QueueDocument, template: &Template, me: &str) -> Vec<OcrFieldDto> {
    doc.result
        .fields
        .iter()
        .zip(&doc.work)
        .map(|(f, w)| {
            let task = doc.task_for(&f.field, me);
            let blind = f.decision.route == Route::DoubleEntry;
            let decided = doc.decided(&f.field);
            let show_engine = !blind || decided.is_some();
            let spec = template.field(&f.field);
            OcrFieldDto {
                field: f.field.clone(),
                label: f.label.clone(),
                kind: kind_code(f.kind),
                page: f.page,
                bbox: OcrBox {
                    x: f.bbox.x,
                    y: f.bbox.y,
                    w: f.bbox.w,
                    h: f.bbox.h,
                },
                task: task.map(|t| task_code(t).to_owned()),
                route: route_code(f.decision.route).to_owned(),
                suggested: if task == Some(Task::Review) {
                    f.readings
                        .first()
                        .map(|r| r.text.as_str().to_owned())
                        .unwrap_or_default()
                } else {
                    String::new()
                },
                engine_value: if show_engine {
                    f.value.as_ref().map(|v| v.as_str().to_owned())
                } else {
                    None
                },
                confidence: show_engine.then(|| f.confidence().value()),
                reasons: f
                    .decision
                    .reasons
                    .iter()
                    .map(|r| reason_text(r, &f.findings))
                    .collect(),
                findings: if show_engine {
                    f.findings
                        .iter()
                        .map(|x| OcrFindingDto {
                            code: x.code.clone(),
                            error: x.error,
                            message: x.message.clone(),
                        })
                        .collect()
                } else {
                    Vec::new()
                },
                decided: decided.map(|d| OcrDecidedDto {
                    value: d.value,
                    resolution: resolution_code(d.resolution).to_owned(),
                    by: d.by.into_iter().map(|p| p.name).collect(),
                    at: d.at.map(time_text),
                }),
                my_entry: if blind && doc.decided(&f.field).is_none() {
                    w.entries
                        .iter()
                        .find(|e| e.by.id == me)
                        .map(|e| e.value.clone())
                } else {
                    None
                },
                entries: if task == Some(Task::Arbitrate) {
                    w.entries
                        .iter()
                        .map(|e| OcrEntryDto {
                            value: e.value.clone(),
                            by: e.by.name.clone(),
                        })
                        .collect()
                } else {
                    Vec::new()
                },
                options: spec
                    .map(|s| {
                        s.options
                            .iter()
                            .map(|o| OcrOptionDto {
                                value: o.value.clone(),
                                label: o.label.clone(),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                sensitive: f.sensitive,
            }
        })
        .collect()
}

fn state_of(
    id: Uuid,
    doc: &QueueDocument,
    template: &Template,
    me: &str,
    last_findings: Vec<OcrFindingDto>,
) -> OcrDocumentState {
    let (reason, handed) = match &doc.status {
        DocumentStatus::Exception { reason, .. } => (Some(reason.clone()), None),
        DocumentStatus::HandedOff {
            kind,
            record_id,
            by,
            at,
        } => (
            None,
            Some(OcrHandOffDto {
                kind: kind.clone(),
                record_id: record_id.clone(),
                by: by.name.clone(),
                at: time_text(*at),
            }),
        ),
        DocumentStatus::Open => (None, None),
    };
    OcrDocumentState {
        id: id.to_string(),
        status: status_code(&doc.status).to_owned(),
        exception_reason: reason,
        fields: field_dtos(doc, template, me),
        my_tasks: doc.tasks_for(me).len() as u32,
        undecided: doc.undecided() as u32,
        can_undo: doc.status == DocumentStatus::Open
            && doc.history.last().is_some_and(|s| s.by.id == me),
        handed_off: handed,
        last_findings,
    }
}

fn all_documents(store: &mut Store) -> Result<Vec<(LocalRecord, QueueDocument)>, AppError> {
    let mut out = Vec::new();
    for r in store.sync().list_records(DOCUMENT_KIND)? {
        match document_of(&r) {
            Ok(d) => out.push((r, d)),
            Err(e) => tracing::warn!(record = %r.id, code = %e.code, "unreadable OCR document"),
        }
    }
    Ok(out)
}

/// The queue as `me` sees it: documents with my fields first, then the others open,
/// 保留, and handed off; each group oldest first.
pub fn queue_on(store: &mut Store, me: &UserInfo) -> Result<OcrQueueDto, AppError> {
    let names: BTreeMap<String, String> = templates().into_iter().map(|t| (t.id, t.name)).collect();
    let invoices = invoice_template_ids();
    let mut items: Vec<(u8, DateTime<Utc>, OcrQueueItem)> = Vec::new();
    for (r, d) in all_documents(store)? {
        let my_tasks = if d.status == DocumentStatus::Open {
            d.tasks_for(&me.user_id).len() as u32
        } else {
            0
        };
        let (exception_reason, exception_by, handed_kind, handed_id) = match &d.status {
            DocumentStatus::Exception { reason, by, .. } => {
                (Some(reason.clone()), Some(by.name.clone()), None, None)
            }
            DocumentStatus::HandedOff {
                kind, record_id, ..
            } => (None, None, Some(kind.clone()), Some(record_id.clone())),
            DocumentStatus::Open => (None, None, None, None),
        };
        let group = match (&d.status, my_tasks) {
            (DocumentStatus::Open, n) if n > 0 => 0,
            (DocumentStatus::Open, _) => 1,
            (DocumentStatus::Exception { .. }, _) => 2,
            (DocumentStatus::HandedOff { .. }, _) => 3,
        };
        items.push((
            group,
            d.imported_at,
            OcrQueueItem {
                id: r.id.to_string(),
                template_id: d.result.template_id.clone(),
                template_name: names
                    .get(&d.result.template_id)
                    .cloned()
                    .unwrap_or_else(|| d.result.template_id.clone()),
                source_name: d.source_name.clone(),
                document_label: d.result.document_id.clone(),
                imported_at: time_text(d.imported_at),
                imported_by: d.imported_by.name.clone(),
                status: if is_verified_invoice(&d, &invoices) {
                    "verified".to_owned()
                } else {
                    status_code(&d.status).to_owned()
                },
                exception_reason,
                exception_by,
                my_tasks,
                undecided: d.undecided() as u32,
                fields: d.result.fields.len() as u32,
                handed_off_kind: handed_kind,
                handed_off_record_id: handed_id,
                unsent: r.draft.is_some(),
            },
        ));
    }
    items.sort_by(|a, b| (a.0, a.1, &a.2.id).cmp(&(b.0, b.1, &b.2.id)));
    let mine = items.iter().filter(|i| i.0 == 0).count() as u32;
    let exceptions = items.iter().filter(|i| i.0 == 2).count() as u32;
    Ok(OcrQueueDto {
        items: items.into_iter().map(|i| i.2).collect(),
        templates: templates(),
        mine,
        exceptions,
    })
}

/// Ids of the templates whose documents are invoices.
fn invoice_template_ids() -> std::collections::BTreeSet<String> {
    template::builtin()
        .unwrap_or_default()
        .into_iter()
        .filter(|t| t.kind == DocumentKind::Invoice)
        .map(|t| t.id)
        .collect()
}

/// An invoice with every field decided, waiting for a payment order to take it.
fn is_verified_invoice(d: &QueueDocument, invoices: &std::collections::BTreeSet<String>) -> bool {
    d.status == DocumentStatus::Open && invoices.contains(&d.result.template_id) && d.is_complete()
}

/// [`queue_on`] on the shared store.
pub async fn queue(store: &SharedStore, me: UserInfo) -> Result<OcrQueueDto, AppError> {
    with_store(store, move |s| queue_on(s, &me)).await
}

/// One read document with its pages, ready to be stored.
#[derive(Debug)]
pub struct ReadDocument {
    pub result: kyosai_ocr::pipeline::DocumentResult,
    pub scan: ScanBody,
}

/// The pages of a scan file and the template's pages per document; the page count must
/// be a whole number of documents.
fn document_pages(
    bytes: &[u8],
    template: &Template,
) -> Result<(Vec<image::GrayImage>, usize), AppError> {
    let pages = kyosai_ocr::input::load_pages(bytes).map_err(|e| ocr_error(&e))?;
    let per = template.page.pages as usize;
    if pages.is_empty() || pages.len() % per != 0 {
        return Err(AppError::new(
            "ocr.page_count",
            format!(
                "ページ数が合いません（{}ページ）。「{}」は1件{}ページです。",
                pages.len(),
                template.name,
                per
            ),
        ));
    }
    Ok((pages, per))
}

/// Reads a scan file (PNG, JPEG, TIFF, PDF) of one or more documents of `template_id`
/// with the local engine. Slow (about half a second per page): call it off the UI's
/// thread and without holding the store.
pub fn read_scan(
    bytes: &[u8],
    template_id: &str,
    id_prefix: &str,
    today: chrono::NaiveDate,
    routing: &RoutingPolicy,
) -> Result<Vec<ReadDocument>, AppError> {
    let template = template_of(template_id)?;
    let (pages, per) = document_pages(bytes, &template)?;
    let mut reader = local_reader(today, routing)?.with_reference(ReferenceData::default());
    let n = pages.len() / per;
    let mut out = Vec::with_capacity(n);
    for (i, chunk) in pages.chunks(per).enumerate() {
        let id = if n == 1 {
            id_prefix.to_owned()
        } else {
            format!("{id_prefix}-{}", i + 1)
        };
        let result = reader
            .read_document(&id, &template, chunk.to_vec())
            .map_err(|e| ocr_error(&e))?;
        let scan = build_scan(&id, &template, chunk).map_err(|e| ocr_error(&e))?;
        out.push(ReadDocument { result, scan });
    }
    Ok(out)
}

/// Takes a vendor AI-OCR service's results (CSV or JSON, `docs/ocr-vendor-format.md`)
/// for the documents of a scan file into the queue, instead of reading the scan here: the
/// readings and confidences are the vendor's, routed by the same rules (threshold and
/// domain checks, QA sample, double entry for handwriting); the scan gives the page
/// images and field crops the clerks correct against. The vendor's documents are matched
/// to the scan's in order (document 1 = the first page(s) of the scan), so their counts
/// must agree. Works without the local engine (the Windows build).
pub fn read_vendor(
    scan: &[u8],
    vendor: &[u8],
    vendor_name: &str,
    template_id: &str,
    id_prefix: &str,
    today: chrono::NaiveDate,
    routing: &RoutingPolicy,
) -> Result<Vec<ReadDocument>, AppError> {
    use kyosai_ocr::field::EngineInfo;
    use kyosai_ocr::pipeline::decide_readings;
    use kyosai_ocr::vendor;

    let template = template_of(template_id)?;
    let engine = EngineInfo {
        name: "vendor".to_owned(),
        version: vendor_name.to_owned(),
    };
    let docs = if vendor.trim_ascii_start().starts_with(b"{") {
        vendor::import_json(vendor, &template, &engine)
    } else {
        vendor::import_csv(vendor, &template, &engine)
    }
    .map_err(|e| {
        AppError::new(
            e.code(),
            format!("AI-OCRの読取結果ファイル「{vendor_name}」を取り込めません。{e}"),
        )
    })?;
    let (pages, per) = document_pages(scan, &template)?;
    let n = pages.len() / per;
    if docs.len() != n {
        return Err(AppError::new(
            "ocr.vendor_document_count",
            format!(
                "読取結果ファイルの帳票は{}件、スキャンしたファイルの帳票は{n}件で、数が合いません。同じ束のスキャンと読取結果を選んでください。",
                docs.len()
            ),
        ));
    }
    let reference = ReferenceData::default();
    let mut out = Vec::with_capacity(n);
    for (i, (doc, chunk)) in docs.iter().zip(pages.chunks(per)).enumerate() {
        let id = if n == 1 {
            id_prefix.to_owned()
        } else {
            format!("{id_prefix}-{}", i + 1)
        };
        let result = decide_readings(&template, &id, &doc.readings, routing, today, &reference);
        let scan = build_scan(&id, &template, chunk).map_err(|e| ocr_error(&e))?;
        out.push(ReadDocument { result, scan });
    }
    Ok(out)
}

/// The reader with the local engine of this build.
#[cfg(feature = "tesseract")]
fn local_reader(today: chrono::NaiveDate, routing: &RoutingPolicy) -> Result<Reader, AppError> {
    Reader::with_tesseract(routing.clone(), today).map_err(|e| ocr_error(&e))
}

/// A build without the local engine (the Windows cross-build) says where scans are read.
#[cfg(not(feature = "tesseract"))]
fn local_reader(_today: chrono::NaiveDate, _routing: &RoutingPolicy) -> Result<Reader, AppError> {
    Err(AppError::new(
        "ocr.engine_unavailable",
        "この版の共済デスクにはOCRエンジンが入っていません。スキャンはOCR読取端末（kyosai ocr import）で読み取るか、ベンダーAI-OCRの結果ファイルを取り込んでください。",
    ))
}

/// Stores read documents in the queue of `office` (two records each, queued for the
/// server).
pub fn store_read_on(
    store: &mut Store,
    me: &UserInfo,
    office: &str,
    source_name: &str,
    docs: Vec<ReadDocument>,
    now: DateTime<Utc>,
) -> Result<OcrImportSummary, AppError> {
    let mut summary = OcrImportSummary {
        documents: 0,
        fields: 0,
        auto_accepted: 0,
        to_people: 0,
        ids: Vec::new(),
    };
    for d in docs {
        let template = template_of(&d.result.template_id)?;
        let scan_body =
            serde_json::to_value(&d.scan).map_err(|e| AppError::internal("scan json", &e))?;
        let scan_title = format!("読取画像　{}", d.result.document_id);
        let (scan_id, _) =
            store
                .sync()
                .record_create_local(SCAN_KIND, office, &scan_title, &scan_body)?;
        let auto = d
            .result
            .fields
            .iter()
            .filter(|f| f.decision.route == Route::Accepted)
            .count() as u32;
        summary.fields += d.result.fields.len() as u32;
        summary.auto_accepted += auto;
        summary.to_people += d.result.fields.len() as u32 - auto;
        let title = format!("OCR {}　{}", template.name, d.result.document_id);
        let doc = QueueDocument::new(
            d.result,
            scan_id.to_string(),
            source_name.to_owned(),
            person(me),
            now,
        );
        let body = serde_json::to_value(&doc).map_err(|e| AppError::internal("ocr json", &e))?;
        let (id, _) = store
            .sync()
            .record_create_local(DOCUMENT_KIND, office, &title, &body)?;
        summary.documents += 1;
        summary.ids.push(id.to_string());
    }
    tracing::info!(documents = summary.documents, "OCR documents queued");
    Ok(summary)
}

fn office_of(me: &UserInfo) -> Result<String, AppError> {
    me.office_code.clone().ok_or_else(|| {
        AppError::new(
            "ocr.office_required",
            "読み取った帳票は所属所の担当者の受付に入ります。所属所の担当者がサインインして取り込んでください。",
        )
    })
}

/// The documents' id prefix for a file read at `now`: 「20261127-093000-scan0001」.
pub fn id_prefix(source_name: &str, now: DateTime<Utc>) -> String {
    let stem: String = source_name
        .rsplit_once('.')
        .map_or(source_name, |(s, _)| s)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(40)
        .collect();
    format!(
        "{}-{}",
        (now + chrono::Duration::hours(9)).format("%Y%m%d-%H%M%S"),
        if stem.is_empty() { "scan" } else { &stem }
    )
}

/// Reads a scan file and puts its documents in the queue.
pub async fn import(
    store: &SharedStore,
    me: UserInfo,
    bytes: Vec<u8>,
    source_name: String,
    template_id: String,
    routing: RoutingPolicy,
) -> Result<OcrImportSummary, AppError> {
    let office = office_of(&me)?;
    let now = Utc::now();
    let today = crate::acquisitions::today_jst(now);
    let prefix = id_prefix(&source_name, now);
    let docs = tokio::task::spawn_blocking(move || {
        read_scan(&bytes, &template_id, &prefix, today, &routing)
    })
    .await
    .map_err(|e| AppError::internal("ocr task", &e))??;
    with_store(store, move |s| {
        store_read_on(s, &me, &office, &source_name, docs, now)
    })
    .await
}

/// A scan file with a vendor AI-OCR service's results for it.
#[derive(Debug, Clone)]
pub struct VendorFiles {
    /// The scan (PNG, JPEG, TIFF, PDF) and its file name.
    pub scan: Vec<u8>,
    pub source_name: String,
    /// The service's results (CSV or JSON) and their file name.
    pub vendor: Vec<u8>,
    pub vendor_name: String,
}

/// Takes a vendor's AI-OCR results for a scan file into the queue ([`read_vendor`]).
pub async fn import_vendor(
    store: &SharedStore,
    me: UserInfo,
    files: VendorFiles,
    template_id: String,
    routing: RoutingPolicy,
) -> Result<OcrImportSummary, AppError> {
    let VendorFiles {
        scan,
        source_name,
        vendor,
        vendor_name,
    } = files;
    let office = office_of(&me)?;
    let now = Utc::now();
    let today = crate::acquisitions::today_jst(now);
    let prefix = id_prefix(&source_name, now);
    let docs = tokio::task::spawn_blocking(move || {
        read_vendor(
            &scan,
            &vendor,
            &vendor_name,
            &template_id,
            &prefix,
            today,
            &routing,
        )
    })
    .await
    .map_err(|e| AppError::internal("ocr task", &e))??;
    with_store(store, move |s| {
        store_read_on(s, &me, &office, &source_name, docs, now)
    })
    .await
}

fn b64_src(mime: &str, b64: &str) -> String {
    format!("data:{mime};base64,{b64}")
}

/// May `me` open a document with a 個人番号 on it? The page image shows the number, so
/// opening is a reveal: only the roles that may reveal, and it is audited.
fn audit_sensitive_open(
    store: &mut Store,
    me: &UserInfo,
    id: Uuid,
    doc: &QueueDocument,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let Some(field) = doc.result.fields.iter().find(|f| f.sensitive) else {
        return Ok(());
    };
    if !my_number::may_reveal(&actor_of(me).roles) {
        return Err(AppError::new(
            "my_number.reveal_forbidden",
            "この帳票には個人番号が写っています。開けるのは所属所担当者と事務局審査担当だけです。",
        ));
    }
    store.audit().append(
        kyosai_audit::NewEntry::now(me.user_id.clone(), kyosai_audit::actions::MYNUMBER_REVEAL)
            .at(now)
            .target(id.to_string())
            .detail(serde_json::json!({
                "kind": DOCUMENT_KIND,
                "field": field.field,
                "purpose": my_number::RevealPurpose::CompareWithPaper.code(),
            })),
    )?;
    Ok(())
}

/// The correction screen's document (the lease is taken by the caller first).
pub fn view_on(
    store: &mut Store,
    me: &UserInfo,
    id: &str,
    lease_until: Option<String>,
    now: DateTime<Utc>,
) -> Result<OcrDocumentView, AppError> {
    let (uuid, doc, _) = load(store, id)?;
    let template = template_of(&doc.result.template_id)?;
    audit_sensitive_open(store, me, uuid, &doc, now)?;
    let scan: Option<ScanBody> = parse_id(&doc.scan_id)
        .ok()
        .and_then(|sid| store.sync().record(sid).ok().flatten())
        .and_then(|r| serde_json::from_value(r.body).ok());
    let (pages, crops) = match scan {
        Some(s) => (
            s.pages
                .into_iter()
                .map(|p| OcrPageDto {
                    page: p.page,
                    src: b64_src("image/jpeg", &p.jpeg_base64),
                    width: p.width,
                    height: p.height,
                    scale: p.scale,
                })
                .collect(),
            s.crops
                .into_iter()
                .map(|(field, png)| OcrCropDto {
                    field,
                    src: b64_src("image/png", &png),
                })
                .collect(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    let queue = queue_on(store, me)?;
    let mine: Vec<&OcrQueueItem> = queue.items.iter().filter(|i| i.my_tasks > 0).collect();
    let next_id = mine
        .iter()
        .find(|i| i.id != uuid.to_string())
        .map(|i| i.id.clone());
    Ok(OcrDocumentView {
        state: state_of(uuid, &doc, &template, &me.user_id, Vec::new()),
        template_name: template.name.clone(),
        source_name: doc.source_name.clone(),
        document_label: doc.result.document_id.clone(),
        pages,
        crops,
        lease_until,
        next_id,
        remaining_documents: mine.len() as u32,
    })
}

/// Records my value for a field; when it completes the document, hands it off.
pub fn enter_on(
    store: &mut Store,
    me: &UserInfo,
    input: &OcrEnterInput,
    now: DateTime<Utc>,
) -> Result<OcrDocumentState, AppError> {
    let (uuid, mut doc, title) = load(store, &input.document_id)?;
    let template = template_of(&doc.result.template_id)?;
    let started = now - chrono::Duration::milliseconds(i64::from(input.elapsed_ms));
    let findings = doc
        .enter(
            &template,
            &input.field,
            &input.text,
            &person(me),
            started,
            now,
        )
        .map_err(refused)?;
    save(store, uuid, &title, &doc)?;
    if doc.is_complete() {
        hand_off(store, me, uuid, &title, &mut doc, &template, now)?;
    }
    Ok(state_of(
        uuid,
        &doc,
        &template,
        &me.user_id,
        findings
            .into_iter()
            .map(|f| OcrFindingDto {
                code: f.code,
                error: f.error,
                message: f.message,
            })
            .collect(),
    ))
}

/// What a record made from a verified document keeps under [`PROVENANCE_KEY`]: the
/// document, its file, and each value with where it came from.
fn provenance_json(
    uuid: Uuid,
    doc: &QueueDocument,
    provenance: &[kyosai_ocr::queue::Provenance],
) -> serde_json::Value {
    serde_json::json!({
        "documentId": uuid.to_string(),
        "documentLabel": doc.result.document_id,
        "sourceName": doc.source_name,
        "fields": provenance,
    })
}

/// A verified 資格取得届 becomes a draft of the acquisition module in the document's
/// office, each value carrying its provenance (`ocrProvenance`).
fn hand_off(
    store: &mut Store,
    me: &UserInfo,
    uuid: Uuid,
    title: &str,
    doc: &mut QueueDocument,
    template: &Template,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if template.kind != DocumentKind::Acquisition {
        // Invoices wait in the queue as verified until a payment order takes them
        // (`take_invoice_on`, then `hand_off_invoice_on` when the order is saved).
        return Ok(());
    }
    let (Some(values), Some(provenance)) = (doc.values(), doc.provenance()) else {
        return Ok(());
    };
    let json = record_json(template, &values);
    let mut form: AcquisitionForm = serde_json::from_value(json).map_err(|e| {
        AppError::new(
            "ocr.hand_off_failed",
            format!("確認した値を資格取得届にできません（{e}）。IT管理者に連絡してください。"),
        )
    })?;
    kyosai_domain::acquisition::normalize(&mut form);
    let mut body =
        serde_json::to_value(&form).map_err(|e| AppError::internal("acquisition json", &e))?;
    if let Some(obj) = body.as_object_mut() {
        obj.insert(
            PROVENANCE_KEY.to_owned(),
            provenance_json(uuid, doc, &provenance),
        );
    }
    let office = store
        .sync()
        .record(uuid)?
        .map(|r| r.office_code)
        .ok_or_else(|| AppError::new("ocr.not_found", "この帳票は見つかりません。"))?;
    let draft_title = crate::acquisitions::title_for(&form);
    let (draft_id, _) = store.sync().record_create_local(
        crate::acquisitions::KIND,
        &office,
        &draft_title,
        &body,
    )?;
    doc.hand_off(
        crate::acquisitions::KIND,
        &draft_id.to_string(),
        &person(me),
        now,
    )
    .map_err(refused)?;
    save(store, uuid, title, doc)?;
    tracing::info!(document = %uuid, draft = %draft_id, "OCR document handed to an acquisition draft");
    Ok(())
}

/// Takes back my last step.
pub fn undo_on(store: &mut Store, me: &UserInfo, id: &str) -> Result<OcrDocumentState, AppError> {
    let (uuid, mut doc, title) = load(store, id)?;
    let template = template_of(&doc.result.template_id)?;
    doc.undo(&me.user_id).map_err(refused)?;
    save(store, uuid, &title, &doc)?;
    Ok(state_of(uuid, &doc, &template, &me.user_id, Vec::new()))
}

/// Sets the document aside (保留) with a reason.
pub fn to_exceptions_on(
    store: &mut Store,
    me: &UserInfo,
    id: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<OcrDocumentState, AppError> {
    let (uuid, mut doc, title) = load(store, id)?;
    let template = template_of(&doc.result.template_id)?;
    doc.to_exceptions(reason, &person(me), now)
        .map_err(refused)?;
    save(store, uuid, &title, &doc)?;
    Ok(state_of(uuid, &doc, &template, &me.user_id, Vec::new()))
}

/// Takes the document out of 保留.
pub fn reopen_on(store: &mut Store, me: &UserInfo, id: &str) -> Result<OcrDocumentState, AppError> {
    let (uuid, mut doc, title) = load(store, id)?;
    let template = template_of(&doc.result.template_id)?;
    doc.reopen().map_err(refused)?;
    save(store, uuid, &title, &doc)?;
    Ok(state_of(uuid, &doc, &template, &me.user_id, Vec::new()))
}

/// The queue's figures from every document this PC sees.
pub fn metrics_on(store: &mut Store) -> Result<OcrMetricsDto, AppError> {
    let docs = all_documents(store)?;
    let mut outcomes = Vec::new();
    let mut events = Vec::new();
    let mut labels: BTreeMap<String, String> = BTreeMap::new();
    for (_, d) in &docs {
        outcomes.extend(d.outcomes());
        events.extend(d.work_events());
        for f in &d.result.fields {
            labels
                .entry(f.field.clone())
                .or_insert_with(|| f.label.clone());
        }
    }
    let st = metrics::straight_through(&outcomes);
    let se = metrics::silent_errors(&outcomes);
    let per_field = metrics::per_field_accuracy(&outcomes)
        .into_iter()
        .map(|(field, r)| OcrFieldAccuracyDto {
            label: labels.get(&field).cloned().unwrap_or_else(|| field.clone()),
            field,
            checked: r.total as u32,
            right: r.count as u32,
            rate: r.rate(),
        })
        .collect();
    let operators = metrics::operator_throughput(&events, MAX_FIELD_SECONDS)
        .into_iter()
        .map(|o| OcrOperatorDto {
            name: o.operator,
            fields: o.fields as u32,
            documents: o.documents as u32,
            fields_per_hour: o.fields_per_hour,
            seconds_per_document: o.seconds_per_document,
        })
        .collect();
    Ok(OcrMetricsDto {
        documents: docs.len() as u32,
        fields: st.fields.total as u32,
        fields_auto: st.fields.count as u32,
        straight_through_rate: st.fields.rate(),
        documents_straight: st.documents.count as u32,
        qa_checked: se.wrong_of_verified.total as u32,
        qa_wrong: se.wrong_of_verified.count as u32,
        qa_pending: se.pending as u32,
        silent_error_rate: se.rate,
        silent_error_upper: se.upper_95,
        per_field,
        operators,
    })
}

/// The edit leases this PC holds (document → end), so a value is only saved while the
/// server's lease is ours.
#[derive(Debug, Default)]
pub struct LeaseBook(std::sync::Mutex<BTreeMap<Uuid, DateTime<Utc>>>);

impl LeaseBook {
    /// Remembers a lease the server granted.
    pub fn hold(&self, id: Uuid, until: DateTime<Utc>) {
        if let Ok(mut m) = self.0.lock() {
            m.insert(id, until);
        }
    }

    /// Forgets a lease (released or lost).
    pub fn drop_lease(&self, id: Uuid) {
        if let Ok(mut m) = self.0.lock() {
            m.remove(&id);
        }
    }

    /// Refuses unless this PC holds a live lease on the document.
    pub fn require(&self, id: &str, now: DateTime<Utc>) -> Result<Uuid, AppError> {
        let uuid = parse_id(id)?;
        let live = self
            .0
            .lock()
            .ok()
            .and_then(|m| m.get(&uuid).copied())
            .is_some_and(|until| until > now);
        if live {
            Ok(uuid)
        } else {
            Err(AppError::new(
                kyosai_sync_protocol::ocr::codes::LEASE_LOST,
                "この帳票を編集する権利が切れました。入力した値はそのまま残っています。帳票を開き直してください。",
            ))
        }
    }
}

/// One value of a draft made from a read form, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ProvenanceFieldDto {
    pub field: String,
    pub label: String,
    /// What the engine read (normalised; masked for a 個人番号).
    pub engine_value: Option<String>,
    /// The value handed on (masked for a 個人番号).
    pub value: String,
    /// `auto`, `confirmed`, `corrected`, `double_entry_agreed`, `arbitrated`.
    pub resolution: String,
    /// 「読取どおり」「確認」「修正」「2人入力一致」「3人目が判断」.
    pub resolution_label: String,
    pub engine: String,
    /// Confidence in percent.
    pub confidence: u32,
    pub by: Vec<String>,
    pub at: Option<String>,
}

/// Where a draft's values came from (the editor shows it beside the form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ProvenanceView {
    pub document_id: String,
    pub document_label: String,
    pub source_name: String,
    pub fields: Vec<ProvenanceFieldDto>,
}

fn resolution_label(code: &str) -> &'static str {
    match code {
        "auto" => "読取どおり（自動）",
        "confirmed" => "確認",
        "corrected" => "修正",
        "double_entry_agreed" => "2人入力一致",
        "arbitrated" => "3人目が判断",
        _ => "",
    }
}

/// A check box's value as printed on the form (「男」 for `male`); other values as they are.
fn shown_value(field: &str, value: &str) -> String {
    static TEMPLATES: std::sync::OnceLock<Vec<Template>> = std::sync::OnceLock::new();
    let templates = TEMPLATES.get_or_init(|| template::builtin().unwrap_or_default());
    templates
        .iter()
        .find_map(|t| t.field(field))
        .and_then(|spec| spec.options.iter().find(|o| o.value == value))
        .map_or_else(|| value.to_owned(), |o| o.label.clone())
}

/// The provenance kept in a draft's body by the hand-off, for the editor.
pub fn provenance_view(body: &serde_json::Value) -> Option<ProvenanceView> {
    let p = body.get(PROVENANCE_KEY)?;
    let fields: Vec<kyosai_ocr::queue::Provenance> =
        serde_json::from_value(p.get("fields")?.clone()).ok()?;
    let mask = |field: &str, v: &str| {
        if field == "member.myNumber" && !v.is_empty() {
            let tail: String = v
                .chars()
                .rev()
                .take(4)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            format!("●●●● ●●●● {tail}")
        } else {
            shown_value(field, v)
        }
    };
    let text = |k: &str| {
        p.get(k)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    Some(ProvenanceView {
        document_id: text("documentId"),
        document_label: text("documentLabel"),
        source_name: text("sourceName"),
        fields: fields
            .into_iter()
            .map(|f| {
                let code = resolution_code(f.resolution);
                ProvenanceFieldDto {
                    engine_value: f.engine_value.as_deref().map(|v| mask(&f.field, v)),
                    value: mask(&f.field, &f.value),
                    resolution: code.to_owned(),
                    resolution_label: resolution_label(code).to_owned(),
                    engine: f.engine,
                    confidence: (f.confidence * 100.0).round() as u32,
                    by: f.by,
                    at: f.at.map(time_text),
                    label: f.label,
                    field: f.field,
                }
            })
            .collect(),
    })
}

/// A verified invoice the payment order's editor may take.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OcrInvoiceChoice {
    /// The queue document's id.
    pub id: String,
    /// The document's name within its scan (`20261126-0930-scan-2`).
    pub document_label: String,
    pub source_name: String,
    /// 請求者.
    pub seller_name: String,
    /// 請求書番号.
    pub number: String,
    /// 請求日, YYYY-MM-DD.
    pub issue_date: String,
    /// ご請求金額 with separators (「330,000」), empty when blank on paper.
    pub payable: String,
}

/// A verified invoice read into the payment order's form, like [`PintImport`]; with where
/// each value came from.
///
/// [`PintImport`]: crate::procurement::forms::PintImport
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OcrInvoiceImport {
    /// The invoice (source `ocr`): one line per tax rate with the stated taxable amount,
    /// the stated tax per rate, the payable amount.
    pub invoice: InvoiceForm,
    /// 振込先 as written on the invoice.
    pub payee: Option<AccountForm>,
    /// 支払期日 (the 請求書 layout has none: always `None`).
    pub due_date: Option<String>,
    pub provenance: ProvenanceView,
}

/// The decided values of an invoice, as `record_json` shapes them.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ReadInvoice {
    issue_date: String,
    number: String,
    seller_name: String,
    seller_registration: String,
    stated_payable: Option<i64>,
    stated_totals: ReadTotals,
    payee_account: ReadAccount,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReadTotals {
    standard: Option<ReadRate>,
    reduced: Option<ReadRate>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReadRate {
    taxable: Option<i64>,
    tax: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ReadAccount {
    bank_code: String,
    branch_code: String,
    deposit_type: String,
    account_number: String,
    name: String,
}

fn read_invoice(template: &Template, doc: &QueueDocument) -> Result<ReadInvoice, AppError> {
    let values = doc.values().ok_or_else(|| incomplete(doc))?;
    serde_json::from_value(record_json(template, &values)).map_err(|e| {
        AppError::new(
            "ocr.hand_off_failed",
            format!("確認した値を請求書にできません（{e}）。IT管理者に連絡してください。"),
        )
    })
}

fn incomplete(doc: &QueueDocument) -> AppError {
    AppError::new(
        "ocr.incomplete",
        format!(
            "この請求書には未確認の項目が{}件あります。「AI-OCR確認」で確認を終えてから取り込んでください。",
            doc.undecided()
        ),
    )
}

/// The addressee printed on the association's layout (「東京都職員共済組合 御中」): the
/// 宛名 of every invoice written on it.
fn printed_addressee(template: &Template) -> String {
    template
        .printed
        .iter()
        .find_map(|p| p.text.trim().strip_suffix("御中"))
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

fn invoice_form_of(template: &Template, read: &ReadInvoice) -> InvoiceForm {
    let mut lines = Vec::new();
    let mut taxes = Vec::new();
    let rates = [
        (&read.stated_totals.standard, "S", "10%"),
        (&read.stated_totals.reduced, "AA", "8%"),
    ];
    for (rate, category, label) in rates {
        let Some(rate) = rate else { continue };
        if let Some(taxable) = rate.taxable {
            lines.push(InvoiceLineForm {
                description: format!("請求書記載の合計（{label}対象）"),
                quantity: String::new(),
                amount: taxable.to_string(),
                category: category.to_owned(),
            });
        }
        taxes.push(InvoiceTaxForm {
            category: category.to_owned(),
            taxable: rate.taxable.map(|v| v.to_string()).unwrap_or_default(),
            tax: rate.tax.map(|v| v.to_string()).unwrap_or_default(),
        });
    }
    InvoiceForm {
        number: read.number.clone(),
        issue_date: read.issue_date.clone(),
        seller_name: read.seller_name.clone(),
        seller_registration: read.seller_registration.clone(),
        buyer_name: printed_addressee(template),
        lines,
        taxes,
        payable: read
            .stated_payable
            .map(|v| v.to_string())
            .unwrap_or_default(),
        source: "ocr".to_owned(),
    }
}

fn account_form_of(a: &ReadAccount) -> Option<AccountForm> {
    let any = [&a.bank_code, &a.branch_code, &a.account_number, &a.name]
        .iter()
        .any(|v| !v.is_empty());
    any.then(|| AccountForm {
        bank_code: a.bank_code.clone(),
        branch_code: a.branch_code.clone(),
        deposit_type: a.deposit_type.clone(),
        account_number: a.account_number.clone(),
        holder_kana: a.name.clone(),
    })
}

/// Loads an invoice document of the queue (refuses any other form).
fn load_invoice(
    store: &mut Store,
    id: &str,
) -> Result<(Uuid, QueueDocument, String, Template), AppError> {
    let (uuid, doc, title) = load(store, id)?;
    let template = template_of(&doc.result.template_id)?;
    if template.kind != DocumentKind::Invoice {
        return Err(AppError::new(
            "ocr.not_invoice",
            format!(
                "この帳票は「{}」です。支出命令に取り込めるのは請求書だけです。",
                template.name
            ),
        ));
    }
    Ok((uuid, doc, title, template))
}

/// May the invoice go into the payment order `record` (`None`: one not saved yet)? Only
/// a verified invoice still waiting, or one already handed to that same order (it is
/// saved again).
fn check_takeable(doc: &QueueDocument, record: Option<Uuid>) -> Result<(), AppError> {
    match &doc.status {
        DocumentStatus::Open if doc.is_complete() => Ok(()),
        DocumentStatus::Open => Err(incomplete(doc)),
        DocumentStatus::Exception { by, .. } => Err(AppError::new(
            "ocr.in_exceptions",
            format!(
                "この請求書は{}さんが保留にしています。「AI-OCR確認」で保留を解除してから取り込んでください。",
                by.name
            ),
        )),
        DocumentStatus::HandedOff { record_id, .. }
            if record.is_some_and(|r| r.to_string() == *record_id) =>
        {
            Ok(())
        }
        DocumentStatus::HandedOff { .. } => Err(AppError::new(
            "ocr.handed_off",
            "この請求書は既に別の支出命令に取り込まれています。一覧から選び直してください。",
        )),
    }
}

/// The verified invoices of the queue (every field decided, not yet taken by a payment
/// order), oldest first. The store holds the documents of the user's office only.
pub fn verified_invoices_on(store: &mut Store) -> Result<Vec<OcrInvoiceChoice>, AppError> {
    let invoices = invoice_template_ids();
    let mut out: Vec<(DateTime<Utc>, OcrInvoiceChoice)> = Vec::new();
    for (r, d) in all_documents(store)? {
        if !is_verified_invoice(&d, &invoices) {
            continue;
        }
        let template = template_of(&d.result.template_id)?;
        let read = match read_invoice(&template, &d) {
            Ok(read) => read,
            Err(e) => {
                tracing::warn!(record = %r.id, code = %e.code, "verified invoice unreadable");
                continue;
            }
        };
        out.push((
            d.imported_at,
            OcrInvoiceChoice {
                id: r.id.to_string(),
                document_label: d.result.document_id.clone(),
                source_name: d.source_name.clone(),
                seller_name: read.seller_name,
                number: read.number,
                issue_date: read.issue_date,
                payable: read
                    .stated_payable
                    .map(kyosai_domain::approval::yen)
                    .unwrap_or_default(),
            },
        ));
    }
    out.sort_by(|a, b| (a.0, &a.1.id).cmp(&(b.0, &b.1.id)));
    Ok(out.into_iter().map(|(_, c)| c).collect())
}

/// A verified invoice read into the payment order's form, with its provenance. Nothing
/// is written: the document is handed off only when the payment order is saved
/// ([`hand_off_invoice_on`]), so the clerk may still cancel the editor.
pub fn take_invoice_on(store: &mut Store, id: &str) -> Result<OcrInvoiceImport, AppError> {
    let (uuid, doc, _, template) = load_invoice(store, id)?;
    check_takeable(&doc, None)?;
    let read = read_invoice(&template, &doc)?;
    let provenance = doc.provenance().ok_or_else(|| incomplete(&doc))?;
    let mut body = serde_json::Map::new();
    body.insert(
        PROVENANCE_KEY.to_owned(),
        provenance_json(uuid, &doc, &provenance),
    );
    let provenance = provenance_view(&serde_json::Value::Object(body))
        .ok_or_else(|| AppError::internal("ocr provenance", &"not readable back"))?;
    Ok(OcrInvoiceImport {
        invoice: invoice_form_of(&template, &read),
        payee: account_form_of(&read.payee_account),
        due_date: None,
        provenance,
    })
}

/// The provenance a payment order keeps (under [`PROVENANCE_KEY`]) when it is saved with
/// the invoice of document `id`; refused unless the invoice may go to `record` (a
/// verified invoice still waiting, or one already handed to that order).
pub fn invoice_provenance_on(
    store: &mut Store,
    id: &str,
    record: Option<Uuid>,
) -> Result<serde_json::Value, AppError> {
    let (uuid, doc, _, _) = load_invoice(store, id)?;
    check_takeable(&doc, record)?;
    let provenance = doc.provenance().ok_or_else(|| incomplete(&doc))?;
    Ok(provenance_json(uuid, &doc, &provenance))
}

/// Marks the invoice of document `id` handed off to the payment order `record`, by the
/// user `by` (an id; the name is the one remembered at sign-in). Nothing changes when it
/// already is.
pub fn hand_off_invoice_on(
    store: &mut Store,
    id: &str,
    record: Uuid,
    by: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let (uuid, mut doc, title, _) = load_invoice(store, id)?;
    check_takeable(&doc, Some(record))?;
    if matches!(doc.status, DocumentStatus::HandedOff { .. }) {
        return Ok(());
    }
    let who = match crate::approvals::remembered_me(store, by)? {
        Some(me) => person(&me),
        None => Person {
            id: by.to_owned(),
            name: by.to_owned(),
        },
    };
    doc.hand_off(KIND_PAYMENT_ORDER, &record.to_string(), &who, now)
        .map_err(refused)?;
    save(store, uuid, &title, &doc)?;
    tracing::info!(document = %uuid, order = %record, "OCR invoice handed to a payment order");
    Ok(())
}

/// Whether the document has not reached the central service yet (imported on this PC and
/// not pushed): its lease cannot be taken before a push.
pub fn unsent_on(store: &mut Store, id: &str) -> Result<bool, AppError> {
    let uuid = parse_id(id)?;
    Ok(store
        .sync()
        .record(uuid)?
        .is_some_and(|r| r.server.is_none()))
}

/// A document id from the UI.
pub fn document_id(id: &str) -> Result<Uuid, AppError> {
    parse_id(id)
}

/// Runs `f` on the shared store with `me`.
pub async fn on_store<T: Send + 'static>(
    store: &SharedStore,
    me: UserInfo,
    f: impl FnOnce(&mut Store, &UserInfo) -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    with_store(store, move |s| f(s, &me)).await
}
