//! The correction queue's document: what the engine read, what people have done to each
//! field, and what the document is ready for — pure data and pure rules, so the app, the
//! central service's demo data and the tests share one definition.
//!
//! A read document is kept as the body of a synced record of kind [`DOCUMENT_KIND`]
//! ([`QueueDocument`]); its page images and field crops are a second, immutable record of
//! kind [`SCAN_KIND`] ([`ScanBody`]), so correcting a field never sends the images again.
//!
//! Each field's work follows its route ([`Route`]):
//!
//! - `Accepted`: nobody looks at it; its value is the engine's;
//! - `Review` and `QaSample`: one person confirms the value or corrects it;
//! - `DoubleEntry` (handwritten): two different people key it without seeing the other's
//!   value (nor the engine's); equal values are verified, different ones go to a third
//!   person who sees both and decides.
//!
//! Every step is kept in [`QueueDocument::history`] with the time the field was shown and
//! the time it was decided: the throughput metrics come from there, and [`undo`] takes the
//! last step back.
//!
//! [`undo`]: QueueDocument::undo

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::checks::check_field;
use crate::metrics::{FieldOutcome, WorkEvent};
use crate::pipeline::{DocumentResult, FieldFinding, FieldResult};
use crate::routing::Route;
use crate::template::Template;

/// Record kind of a document in the queue.
pub const DOCUMENT_KIND: &str = "ocr_document";
/// Record kind of a document's page images and field crops.
pub const SCAN_KIND: &str = "ocr_scan";
/// Format of [`QueueDocument`] bodies.
pub const FORMAT: u32 = 1;

/// A person, as recorded with their work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    /// User id.
    pub id: String,
    /// Display name.
    pub name: String,
}

/// A value a person keyed or confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// The normalised value (empty: blank on paper).
    pub value: String,
    /// Who.
    pub by: Person,
    /// When the field was shown to them.
    pub started_at: DateTime<Utc>,
    /// When they decided.
    pub at: DateTime<Utc>,
}

/// How a field's value was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// Accepted as read without a person.
    Auto,
    /// A person confirmed the engine's value.
    Confirmed,
    /// A person typed a different value.
    Corrected,
    /// Two people keyed the same value.
    DoubleEntryAgreed,
    /// A third person decided between two different entries.
    Arbitrated,
}

/// The people's work on one field.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldWork {
    /// Template field id.
    pub field: String,
    /// Entries of people: one for review, up to two for double entry.
    #[serde(default)]
    pub entries: Vec<Entry>,
    /// The third person's decision after two different entries.
    #[serde(default)]
    pub arbitration: Option<Entry>,
}

/// Where the document stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DocumentStatus {
    /// Fields wait for people.
    Open,
    /// Set aside by a clerk (保留) with a reason; nobody works on it until it is reopened.
    Exception {
        /// Why.
        reason: String,
        /// Who.
        by: Person,
        /// When.
        at: DateTime<Utc>,
    },
    /// Every field decided; handed to the module that takes it.
    HandedOff {
        /// Record kind created (`acquisition` …).
        kind: String,
        /// Its id.
        record_id: String,
        /// Who completed the document.
        by: Person,
        /// When.
        at: DateTime<Utc>,
    },
}

/// One step of work, for the history, the metrics and undo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkStep {
    /// The field.
    pub field: String,
    /// Who.
    pub by: Person,
    /// When the field was shown.
    pub started_at: DateTime<Utc>,
    /// When it was decided.
    pub at: DateTime<Utc>,
    /// The field's work before the step (what undo restores).
    pub before: FieldWork,
}

/// A document in the queue: the body of an [`DOCUMENT_KIND`] record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueDocument {
    /// [`FORMAT`].
    pub format: u32,
    /// What the engines read and where routing sent each field.
    pub result: DocumentResult,
    /// Id of the [`SCAN_KIND`] record with the images.
    pub scan_id: String,
    /// The scan file's name.
    pub source_name: String,
    /// Who imported it.
    pub imported_by: Person,
    /// When.
    pub imported_at: DateTime<Utc>,
    /// Per field, in template order.
    pub work: Vec<FieldWork>,
    /// Where the document stands.
    pub status: DocumentStatus,
    /// Every step, oldest first.
    #[serde(default)]
    pub history: Vec<WorkStep>,
}

/// What a person is asked to do with a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    /// Confirm or correct the engine's value.
    Review,
    /// Key the value from the image without seeing anyone's value.
    BlindEntry,
    /// Decide between two different entries.
    Arbitrate,
}

/// Why a person may not do something to a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Stable code.
    pub code: &'static str,
    /// Japanese message.
    pub message: String,
}

fn refusal(code: &'static str, message: impl Into<String>) -> Refusal {
    Refusal {
        code,
        message: message.into(),
    }
}

/// The value of a field once decided, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    /// The normalised value.
    pub value: String,
    /// How.
    pub resolution: Resolution,
    /// Who decided (none for auto-accepted fields; both for agreed double entry).
    pub by: Vec<Person>,
    /// When the last person decided.
    pub at: Option<DateTime<Utc>>,
}

/// A field's value with where it came from, for the module that receives the document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Provenance {
    /// Template field id (a path into the receiving form).
    pub field: String,
    /// Label.
    pub label: String,
    /// The engine that read it (`tesseract 5.3.0`, a vendor's name …).
    pub engine: String,
    /// The engine's normalised value (`None`: not readable).
    pub engine_value: Option<String>,
    /// The engine's confidence, 0–1.
    pub confidence: f32,
    /// The value handed on.
    pub value: String,
    /// How it was decided.
    pub resolution: Resolution,
    /// Who decided (names).
    pub by: Vec<String>,
    /// When.
    pub at: Option<DateTime<Utc>>,
}

fn engine_value(f: &FieldResult) -> Option<String> {
    f.value.as_ref().map(|v| v.as_str().to_owned())
}

impl QueueDocument {
    /// A new queue document for a read result.
    pub fn new(
        result: DocumentResult,
        scan_id: String,
        source_name: String,
        imported_by: Person,
        imported_at: DateTime<Utc>,
    ) -> Self {
        let work = result
            .fields
            .iter()
            .map(|f| FieldWork {
                field: f.field.clone(),
                ..FieldWork::default()
            })
            .collect();
        QueueDocument {
            format: FORMAT,
            result,
            scan_id,
            source_name,
            imported_by,
            imported_at,
            work,
            status: DocumentStatus::Open,
            history: Vec::new(),
        }
    }

    fn index(&self, field: &str) -> Option<usize> {
        self.result.fields.iter().position(|f| f.field == field)
    }

    /// The field's engine result and its work.
    pub fn field(&self, field: &str) -> Option<(&FieldResult, &FieldWork)> {
        let i = self.index(field)?;
        Some((&self.result.fields[i], self.work.get(i)?))
    }

    /// How the field was decided, or `None` while people still have to act.
    pub fn decided(&self, field: &str) -> Option<Decided> {
        let (r, w) = self.field(field)?;
        match r.decision.route {
            Route::Accepted => Some(Decided {
                value: engine_value(r).unwrap_or_default(),
                resolution: Resolution::Auto,
                by: Vec::new(),
                at: None,
            }),
            Route::Review | Route::QaSample => w.entries.last().map(|e| Decided {
                value: e.value.clone(),
                resolution: if engine_value(r).as_deref() == Some(e.value.as_str()) {
                    Resolution::Confirmed
                } else {
                    Resolution::Corrected
                },
                by: vec![e.by.clone()],
                at: Some(e.at),
            }),
            Route::DoubleEntry => {
                if let Some(a) = &w.arbitration {
                    return Some(Decided {
                        value: a.value.clone(),
                        resolution: Resolution::Arbitrated,
                        by: vec![a.by.clone()],
                        at: Some(a.at),
                    });
                }
                match w.entries.as_slice() {
                    [a, b] if a.value == b.value => Some(Decided {
                        value: b.value.clone(),
                        resolution: Resolution::DoubleEntryAgreed,
                        by: vec![a.by.clone(), b.by.clone()],
                        at: Some(b.at.max(a.at)),
                    }),
                    _ => None,
                }
            }
        }
    }

    /// What `who` is asked to do with the field, or `None` when nothing (decided, auto,
    /// or waiting for someone else).
    pub fn task_for(&self, field: &str, who: &str) -> Option<Task> {
        let (r, w) = self.field(field)?;
        match r.decision.route {
            Route::Accepted => None,
            Route::Review | Route::QaSample => w.entries.is_empty().then_some(Task::Review),
            Route::DoubleEntry => {
                if self.decided(field).is_some() {
                    return None;
                }
                let mine = w.entries.iter().any(|e| e.by.id == who);
                match w.entries.len() {
                    0 | 1 if !mine => Some(Task::BlindEntry),
                    2 if !mine => Some(Task::Arbitrate),
                    _ => None,
                }
            }
        }
    }

    /// The fields `who` has to act on, in template order.
    pub fn tasks_for(&self, who: &str) -> Vec<(&str, Task)> {
        self.result
            .fields
            .iter()
            .filter_map(|f| self.task_for(&f.field, who).map(|t| (f.field.as_str(), t)))
            .collect()
    }

    /// Whether every field is decided.
    pub fn is_complete(&self) -> bool {
        self.result
            .fields
            .iter()
            .all(|f| self.decided(&f.field).is_some())
    }

    /// Fields still undecided (for anyone).
    pub fn undecided(&self) -> usize {
        self.result
            .fields
            .iter()
            .filter(|f| self.decided(&f.field).is_none())
            .count()
    }

    fn open_for_work(&self) -> Result<(), Refusal> {
        match &self.status {
            DocumentStatus::Open => Ok(()),
            DocumentStatus::Exception { by, .. } => Err(refusal(
                "ocr.in_exceptions",
                format!(
                    "この帳票は{}さんが保留にしています。保留を解除してから作業してください。",
                    by.name
                ),
            )),
            DocumentStatus::HandedOff { .. } => Err(refusal(
                "ocr.handed_off",
                "この帳票は確認が終わり、引き継ぎ済みです。",
            )),
        }
    }

    /// Records `who`'s value for the field: a confirmation or correction (review), a
    /// blind entry, or the third person's decision. `text` is what the person typed or
    /// left in the box; it is normalised by the template's rules and refused (nothing
    /// changes) when it is not a value of the field's kind. Returns the findings of the
    /// field's checks on the value (they do not block: paper may be wrong, and the
    /// receiving module checks again).
    pub fn enter(
        &mut self,
        template: &Template,
        field: &str,
        text: &str,
        who: &Person,
        started_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<FieldFinding>, Refusal> {
        self.open_for_work()?;
        let i = self.index(field).ok_or_else(|| {
            refusal(
                "ocr.field_unknown",
                format!("項目「{field}」はこの帳票にありません。"),
            )
        })?;
        let spec = template.field(field).ok_or_else(|| {
            refusal(
                "ocr.field_unknown",
                format!("項目「{field}」は帳票の様式にありません。"),
            )
        })?;
        let Some(task) = self.task_for(field, &who.id) else {
            return Err(refusal(
                "ocr.nothing_to_do",
                format!(
                    "「{}」はあなたが入力する項目ではありません（確認済み、または他の担当者の入力待ちです）。",
                    spec.label
                ),
            ));
        };
        let checked = check_field(spec, text);
        let Some(value) = checked.value else {
            let detail = checked
                .findings
                .iter()
                .map(|f| f.message.clone())
                .collect::<Vec<_>>()
                .join(" ");
            return Err(refusal(
                "ocr.value_invalid",
                format!(
                    "「{}」の値として読めません。{detail}入力はそのまま残っています。",
                    spec.label
                ),
            ));
        };
        let entry = Entry {
            value,
            by: who.clone(),
            started_at,
            at: now,
        };
        let before = self.work[i].clone();
        match task {
            Task::Review | Task::BlindEntry => self.work[i].entries.push(entry),
            Task::Arbitrate => self.work[i].arbitration = Some(entry),
        }
        self.history.push(WorkStep {
            field: field.to_owned(),
            by: who.clone(),
            started_at,
            at: now,
            before,
        });
        Ok(checked
            .findings
            .into_iter()
            .map(|f| FieldFinding {
                code: f.code.to_owned(),
                error: f.is_error(),
                message: f.message,
            })
            .collect())
    }

    /// Takes back `who`'s last step, if it is the document's last step and the document
    /// is still open. Returns the field it concerned.
    pub fn undo(&mut self, who: &str) -> Result<String, Refusal> {
        self.open_for_work()?;
        match self.history.last() {
            Some(step) if step.by.id == who => {}
            Some(_) => {
                return Err(refusal(
                    "ocr.undo_not_yours",
                    "最後の操作は他の担当者のものです。取り消せるのは自分の直前の操作だけです。",
                ))
            }
            None => return Err(refusal("ocr.undo_nothing", "取り消す操作はありません。")),
        }
        let step = self
            .history
            .pop()
            .ok_or_else(|| refusal("ocr.undo_nothing", "取り消す操作はありません。"))?;
        if let Some(i) = self.index(&step.field) {
            self.work[i] = step.before;
        }
        Ok(step.field)
    }

    /// Sets the document aside (保留) with a reason.
    pub fn to_exceptions(
        &mut self,
        reason: &str,
        who: &Person,
        now: DateTime<Utc>,
    ) -> Result<(), Refusal> {
        self.open_for_work()?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(refusal(
                "ocr.reason_required",
                "保留にする理由を入力してください。",
            ));
        }
        self.status = DocumentStatus::Exception {
            reason: reason.chars().take(500).collect(),
            by: who.clone(),
            at: now,
        };
        Ok(())
    }

    /// Takes the document out of the exceptions queue.
    pub fn reopen(&mut self) -> Result<(), Refusal> {
        match self.status {
            DocumentStatus::Exception { .. } => {
                self.status = DocumentStatus::Open;
                Ok(())
            }
            _ => Err(refusal(
                "ocr.not_in_exceptions",
                "この帳票は保留中ではありません。",
            )),
        }
    }

    /// The decided values (field id → value) once every field is decided.
    pub fn values(&self) -> Option<BTreeMap<String, Option<String>>> {
        self.result
            .fields
            .iter()
            .map(|f| {
                self.decided(&f.field)
                    .map(|d| (f.field.clone(), Some(d.value)))
            })
            .collect()
    }

    /// Every field's value with its provenance, once every field is decided.
    pub fn provenance(&self) -> Option<Vec<Provenance>> {
        self.result
            .fields
            .iter()
            .map(|f| {
                let d = self.decided(&f.field)?;
                let first = f.readings.first();
                Some(Provenance {
                    field: f.field.clone(),
                    label: f.label.clone(),
                    engine: first
                        .map(|r| format!("{} {}", r.engine.name, r.engine.version))
                        .unwrap_or_default(),
                    engine_value: engine_value(f),
                    confidence: f.confidence().value(),
                    value: d.value,
                    resolution: d.resolution,
                    by: d.by.into_iter().map(|p| p.name).collect(),
                    at: d.at,
                })
            })
            .collect()
    }

    /// Marks the document handed off as `record_id` of `kind`.
    pub fn hand_off(
        &mut self,
        kind: &str,
        record_id: &str,
        who: &Person,
        now: DateTime<Utc>,
    ) -> Result<(), Refusal> {
        self.open_for_work()?;
        if !self.is_complete() {
            return Err(refusal(
                "ocr.incomplete",
                format!(
                    "未確認の項目が{}件あります。すべて確認してから引き継いでください。",
                    self.undecided()
                ),
            ));
        }
        self.status = DocumentStatus::HandedOff {
            kind: kind.to_owned(),
            record_id: record_id.to_owned(),
            by: who.clone(),
            at: now,
        };
        Ok(())
    }

    /// What happened to each field, for [`crate::metrics`]: the verified value is a
    /// person's (never the engine's own value of an auto-accepted field).
    pub fn outcomes(&self) -> Vec<FieldOutcome> {
        self.result
            .fields
            .iter()
            .map(|f| {
                let verified = match f.decision.route {
                    Route::Accepted => None,
                    _ => self.decided(&f.field).map(|d| d.value),
                };
                FieldOutcome {
                    document_id: self.result.document_id.clone(),
                    field: f.field.clone(),
                    route: f.decision.route,
                    engine_value: engine_value(f),
                    verified_value: verified,
                }
            })
            .collect()
    }

    /// The people's work events, for [`crate::metrics::operator_throughput`] (undone steps
    /// are gone from the history, so they do not count).
    pub fn work_events(&self) -> Vec<WorkEvent> {
        self.history
            .iter()
            .map(|s| WorkEvent {
                operator: s.by.name.clone(),
                document_id: self.result.document_id.clone(),
                field: s.field.clone(),
                started_at: s.started_at,
                finished_at: s.at,
            })
            .collect()
    }
}

/// One page image of a scan, for the whole-page view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanPage {
    /// 1-based page.
    pub page: u32,
    /// The page as scanned, reduced, JPEG, base64.
    pub jpeg_base64: String,
    /// Size of the reduced image, pixels.
    pub width: u32,
    /// Size of the reduced image, pixels.
    pub height: u32,
    /// Reduced / scanned (multiply a field box of the scan by it).
    pub scale: f32,
}

/// The images of a document: the body of a [`SCAN_KIND`] record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanBody {
    /// [`FORMAT`].
    pub format: u32,
    /// Id of the [`DOCUMENT_KIND`] record.
    pub document_id: String,
    /// Pages.
    pub pages: Vec<ScanPage>,
    /// Field id → the field's upright image with a margin (PNG, base64).
    pub crops: BTreeMap<String, String>,
}

/// Width of the reduced page image in the scan record, pixels (about 100 dpi on A4:
/// enough to find the field on the page; the field itself is shown from its crop).
pub const PAGE_PREVIEW_WIDTH: u32 = 840;
/// Margin around a field's crop, millimetres (the printed label and box stay visible).
pub const CROP_MARGIN_MM: f32 = 2.0;

/// The images of one read document: each page reduced to [`PAGE_PREVIEW_WIDTH`] as JPEG,
/// and each field's upright crop as PNG (cut from the aligned page at full resolution).
/// `pages` are the document's scanned pages, as read.
pub fn build_scan(
    document_record_id: &str,
    template: &Template,
    pages: &[image::GrayImage],
) -> Result<ScanBody, crate::OcrError> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut out_pages = Vec::with_capacity(pages.len());
    let mut crops = BTreeMap::new();
    for (img, n) in pages.iter().zip(1u32..) {
        let scale = (PAGE_PREVIEW_WIDTH as f32 / img.width().max(1) as f32).min(1.0);
        let (w, h) = (
            ((img.width() as f32) * scale).round().max(1.0) as u32,
            ((img.height() as f32) * scale).round().max(1.0) as u32,
        );
        let small = image::imageops::resize(img, w, h, image::imageops::FilterType::Triangle);
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80)
            .encode_image(&small)
            .map_err(|e| crate::OcrError::Template {
                detail: format!("ページ画像を保存できません: {e}"),
            })?;
        out_pages.push(ScanPage {
            page: n,
            jpeg_base64: b64.encode(&jpeg),
            width: w,
            height: h,
            scale,
        });
        let aligned = crate::align::align(img.clone(), template, n)?;
        for spec in template.fields.iter().filter(|f| f.page == n) {
            let r = spec.rect;
            let m = CROP_MARGIN_MM;
            let crop = aligned.crop([r[0] - m, r[1] - m, r[2] + 2.0 * m, r[3] + 2.0 * m], 0.0);
            crops.insert(spec.id.clone(), b64.encode(crate::input::to_png(&crop)?));
        }
    }
    Ok(ScanBody {
        format: FORMAT,
        document_id: document_record_id.to_owned(),
        pages: out_pages,
        crops,
    })
}

#[cfg(test)]
mod tests;
