//! The whole reading of a document: align each page, cut out each field, read it with
//! every configured engine (check boxes by ink), normalise and check the values, check the
//! document across fields, and route every field.
//!
//! ```no_run
//! use kyosai_ocr::pipeline::Reader;
//! use kyosai_ocr::routing::RoutingPolicy;
//! use kyosai_ocr::template::builtin_by_id;
//!
//! let template = builtin_by_id("shikaku-shutoku-todoke")?;
//! let today = chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap_or_default();
//! let mut reader = Reader::with_tesseract(RoutingPolicy::default(), today)?;
//! let bytes = std::fs::read("scan.pdf").map_err(|e| kyosai_ocr::OcrError::Io {
//!     path: "scan.pdf".into(),
//!     source: e,
//! })?;
//! // One result per document: a 3-page scan of a 1-page form is three documents.
//! for doc in reader.read_batch("scan-0001", &template, &bytes)? {
//!     for f in &doc.fields {
//!         println!("{} {:?} {:?}", f.field, f.decision.route, f.readings.first().map(|r| r.confidence));
//!     }
//! }
//! # Ok::<(), kyosai_ocr::OcrError>(())
//! ```

use std::collections::BTreeMap;

use chrono::NaiveDate;
use image::GrayImage;
use serde::{Deserialize, Serialize};

use crate::align::{align, AlignedPage, PixelBox};
use crate::checks::{check_document, check_field, record_json, Checked, ReferenceData};
use crate::engine::{FieldImage, OcrEngine};
use crate::error::OcrError;
use crate::field::{Confidence, EngineInfo, FieldReading, OcrText};
use crate::raster::{clear_border_lines, remove_specks, text_bounds, INK_LEVEL};
use crate::routing::{route, Decision, RoutingPolicy};
use crate::template::{FieldKind, FieldSpec, Template};
use crate::{input, marks};

/// Millimetres taken off each side of a field box before reading (the printed box line
/// and the alignment's fraction of a millimetre).
pub const FIELD_INSET_MM: f32 = 0.7;

/// A finding about a field, as stored with the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldFinding {
    /// Stable code (`my_number.check_digit`, `invoice.payable_mismatch` …).
    pub code: String,
    /// `true` for an error, `false` for a warning (both keep the field from
    /// auto-acceptance).
    pub error: bool,
    /// Japanese message for the clerk.
    pub message: String,
}

/// One field of a read document: what was read, what it means, and where it goes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldResult {
    /// Template field id.
    pub field: String,
    /// Label (「個人番号」).
    pub label: String,
    /// Kind.
    pub kind: FieldKind,
    /// 1-based page.
    pub page: u32,
    /// The field's box on the page image (for the highlight and the crop).
    pub bbox: PixelBox,
    /// One reading per engine, the primary first.
    pub readings: Vec<FieldReading>,
    /// The primary reading normalised (`None`: not readable as its kind; empty: blank).
    pub value: Option<OcrText>,
    /// Field and document findings on the primary value.
    pub findings: Vec<FieldFinding>,
    /// Where it goes.
    pub decision: Decision,
    /// Personal data to be masked by default (個人番号).
    pub sensitive: bool,
}

impl FieldResult {
    /// The primary reading's confidence (0 when there is none).
    pub fn confidence(&self) -> Confidence {
        self.readings
            .first()
            .map_or(Confidence::new(0.0), |r| r.confidence)
    }
}

/// How a page was aligned.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    /// 1-based page.
    pub page: u32,
    /// Rotation corrected, degrees.
    pub rotation_deg: f32,
    /// Pixels per millimetre.
    pub px_per_mm: f32,
    /// Mean registration-mark residual, millimetres.
    pub residual_mm: f32,
    /// Image size, pixels.
    pub width: u32,
    /// Image size, pixels.
    pub height: u32,
}

/// A read document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentResult {
    /// The caller's id of the document.
    pub document_id: String,
    /// Template id.
    pub template_id: String,
    /// Template version.
    pub template_version: u32,
    /// Per page.
    pub pages: Vec<PageInfo>,
    /// Per field, in template order.
    pub fields: Vec<FieldResult>,
}

impl DocumentResult {
    /// Field id → normalised value.
    pub fn values(&self) -> BTreeMap<String, Option<String>> {
        self.fields
            .iter()
            .map(|f| {
                (
                    f.field.clone(),
                    f.value.as_ref().map(|v| v.as_str().to_owned()),
                )
            })
            .collect()
    }

    /// The values as the nested JSON of the hand-off record ([`record_json`]).
    pub fn record_json(&self, template: &Template) -> serde_json::Value {
        record_json(template, &self.values())
    }

    /// The field with this id.
    pub fn field(&self, id: &str) -> Option<&FieldResult> {
        self.fields.iter().find(|f| f.field == id)
    }
}

/// Reads documents with a fixed set of engines and a routing policy.
pub struct Reader {
    engines: Vec<Box<dyn OcrEngine>>,
    policy: RoutingPolicy,
    today: NaiveDate,
    reference: ReferenceData,
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field(
                "engines",
                &self.engines.iter().map(|e| e.info()).collect::<Vec<_>>(),
            )
            .field("policy", &self.policy)
            .field("today", &self.today)
            .finish()
    }
}

/// The blank reading of an empty box.
fn blank_reading(spec: &FieldSpec, page: u32, bbox: PixelBox, engine: EngineInfo) -> FieldReading {
    FieldReading {
        field: spec.id.clone(),
        page,
        text: OcrText::default(),
        confidence: Confidence::new(1.0),
        bbox: Some(bbox),
        engine,
    }
}

/// The crop of a text field: what is left of the box lines and specks of dust removed,
/// cut to the text with a small white margin. `None` when nothing is written (blank).
pub fn field_crop(page: &AlignedPage, spec: &FieldSpec) -> Option<GrayImage> {
    let mut crop = page.crop(spec.rect, FIELD_INSET_MM);
    let s = page.transform.scale();
    clear_border_lines(&mut crop, (1.2 * s).round() as u32);
    // Dust: anything smaller than a 0.25 mm square (a 濁点 is larger).
    let speck = ((0.25 * s) * (0.25 * s)).round() as usize;
    remove_specks(&mut crop, speck.max(2));
    // Text: ink columns joined across gaps up to the box's height.
    let (x, y, w, h) = text_bounds(&crop, (spec.rect[3] * s).round() as u32)?;
    let ink = (x..x + w)
        .flat_map(|xx| (y..y + h).map(move |yy| (xx, yy)))
        .filter(|&(xx, yy)| crop.get_pixel(xx, yy).0[0] <= INK_LEVEL)
        .count();
    // Less ink than a 0.8 mm square: nothing written.
    if (ink as f32) < (0.8 * s) * (0.8 * s) {
        return None;
    }
    let m = (0.5 * s).round() as u32;
    let (x0, y0) = (x.saturating_sub(m), y.saturating_sub(m));
    let (x1, y1) = (
        (x + w + m).min(crop.width()),
        (y + h + m).min(crop.height()),
    );
    Some(image::imageops::crop_imm(&crop, x0, y0, x1 - x0, y1 - y0).to_image())
}

/// The upright image of a field for the correction screen: the field's box with
/// `margin_mm` around it (the printed label and box lines stay, so the clerk sees the
/// field as on paper), as PNG. `page_image` is the page as scanned; it is aligned again,
/// so the queue needs to keep only the scans and the [`DocumentResult`].
pub fn field_preview_png(
    page_image: GrayImage,
    template: &Template,
    field_id: &str,
    margin_mm: f32,
) -> Result<Vec<u8>, OcrError> {
    let spec = template.field(field_id).ok_or_else(|| OcrError::Template {
        detail: format!(
            "項目「{field_id}」は帳票「{}」にありません。",
            template.name
        ),
    })?;
    let page = align(page_image, template, spec.page)?;
    let r = spec.rect;
    let crop = page.crop(
        [
            r[0] - margin_mm,
            r[1] - margin_mm,
            r[2] + 2.0 * margin_mm,
            r[3] + 2.0 * margin_mm,
        ],
        0.0,
    );
    input::to_png(&crop)
}

/// Checks and routes the readings of one document, one entry per template field (in
/// template order): the readings (primary first) and the field's box on the page.
fn assemble(
    template: &Template,
    document_id: &str,
    pages: Vec<PageInfo>,
    read: Vec<(Vec<FieldReading>, PixelBox)>,
    policy: &RoutingPolicy,
    today: NaiveDate,
    reference: &ReferenceData,
) -> DocumentResult {
    let read: Vec<(Vec<FieldReading>, Vec<Checked>, PixelBox)> = template
        .fields
        .iter()
        .zip(read)
        .map(|(spec, (readings, bbox))| {
            let checked = readings
                .iter()
                .map(|r| check_field(spec, r.text.as_str()))
                .collect();
            (readings, checked, bbox)
        })
        .collect();
    // Checks across the document, on the primary values.
    let values: BTreeMap<String, Option<String>> = template
        .fields
        .iter()
        .zip(&read)
        .map(|(spec, (_, checked, _))| {
            (
                spec.id.clone(),
                checked.first().and_then(|c| c.value.clone()),
            )
        })
        .collect();
    let mut doc_findings = check_document(template, &values, today, reference);
    let mut fields = Vec::new();
    for (spec, (readings, checked, bbox)) in template.fields.iter().zip(read) {
        let mut primary = checked.first().cloned().unwrap_or_default();
        if readings.is_empty() {
            primary.value = None;
        }
        if let Some(extra) = doc_findings.remove(&spec.id) {
            primary.findings.extend(extra);
        }
        let engine_values: Vec<Option<String>> = checked.iter().map(|c| c.value.clone()).collect();
        let decision = route(
            spec,
            document_id,
            &readings,
            &engine_values,
            &primary,
            policy,
        );
        fields.push(FieldResult {
            field: spec.id.clone(),
            label: spec.label.clone(),
            kind: spec.kind,
            page: spec.page,
            bbox,
            readings,
            value: primary.value.map(OcrText::new),
            findings: primary
                .findings
                .iter()
                .map(|f| FieldFinding {
                    code: f.code.to_owned(),
                    error: f.is_error(),
                    message: f.message.clone(),
                })
                .collect(),
            decision,
            sensitive: spec.sensitive,
        });
    }
    DocumentResult {
        document_id: document_id.to_owned(),
        template_id: template.id.clone(),
        template_version: template.version,
        pages,
        fields,
    }
}

/// Checks and routes readings that did not come from a [`Reader`] — a vendor's AI-OCR
/// export ([`crate::vendor`]), possibly together with a local engine's readings of the
/// same document (then each field has two readings and routing requires them to agree).
/// A template field without any reading goes to a person.
pub fn decide_readings(
    template: &Template,
    document_id: &str,
    readings: &[FieldReading],
    policy: &RoutingPolicy,
    today: NaiveDate,
    reference: &ReferenceData,
) -> DocumentResult {
    let read = template
        .fields
        .iter()
        .map(|spec| {
            let mine: Vec<FieldReading> = readings
                .iter()
                .filter(|r| r.field == spec.id)
                .cloned()
                .collect();
            let bbox = mine.iter().find_map(|r| r.bbox).unwrap_or(PixelBox {
                x: 0,
                y: 0,
                w: 0,
                h: 0,
            });
            (mine, bbox)
        })
        .collect();
    assemble(
        template,
        document_id,
        Vec::new(),
        read,
        policy,
        today,
        reference,
    )
}

impl Reader {
    /// A reader with these engines (the first is the primary; with two or more, routing
    /// requires them to agree). `today` is the day the documents are checked against
    /// (dates in the future, ages).
    pub fn new(engines: Vec<Box<dyn OcrEngine>>, policy: RoutingPolicy, today: NaiveDate) -> Self {
        Reader {
            engines,
            policy,
            today,
            reference: ReferenceData::default(),
        }
    }

    /// The master data free-text fields are checked against (所属所, 職名 …).
    pub fn with_reference(mut self, reference: ReferenceData) -> Self {
        self.reference = reference;
        self
    }

    /// A reader with the local Tesseract engine.
    #[cfg(feature = "tesseract")]
    pub fn with_tesseract(policy: RoutingPolicy, today: NaiveDate) -> Result<Self, OcrError> {
        Ok(Reader::new(
            vec![Box::new(crate::tesseract::TesseractEngine::new()?)],
            policy,
            today,
        ))
    }

    /// The engines, primary first.
    pub fn engines(&self) -> Vec<EngineInfo> {
        self.engines.iter().map(|e| e.info()).collect()
    }

    /// Reads one document from its page images (as many as the template has pages).
    pub fn read_document(
        &mut self,
        document_id: &str,
        template: &Template,
        pages: Vec<GrayImage>,
    ) -> Result<DocumentResult, OcrError> {
        if pages.len() != template.page.pages as usize {
            return Err(OcrError::PageCount {
                expected: template.page.pages,
                found: pages.len() as u32,
            });
        }
        let aligned: Vec<AlignedPage> = pages
            .into_iter()
            .zip(1u32..)
            .map(|(img, n)| align(img, template, n))
            .collect::<Result<_, _>>()?;
        let page_infos = aligned
            .iter()
            .map(|p| PageInfo {
                page: p.page,
                rotation_deg: p.transform.rotation_deg(),
                px_per_mm: p.transform.scale(),
                residual_mm: p.residual_mm,
                width: p.image.width(),
                height: p.image.height(),
            })
            .collect();

        // Read every field with every engine.
        let mut read: Vec<(Vec<FieldReading>, PixelBox)> = Vec::new();
        for spec in &template.fields {
            let page = aligned
                .iter()
                .find(|p| p.page == spec.page)
                .ok_or(OcrError::PageCount {
                    expected: template.page.pages,
                    found: aligned.len() as u32,
                })?;
            let bbox = page.bbox(spec.rect);
            let mut readings = Vec::new();
            if spec.kind.is_mark() {
                let r = marks::read(page, spec);
                readings.push(FieldReading {
                    field: spec.id.clone(),
                    page: spec.page,
                    text: OcrText::new(r.text),
                    confidence: r.confidence,
                    bbox: Some(bbox),
                    engine: marks::info(),
                });
            } else {
                let crop = field_crop(page, spec);
                for engine in &mut self.engines {
                    let reading = match &crop {
                        None => blank_reading(spec, spec.page, bbox, engine.info()),
                        Some(img) => {
                            let r = engine.read(&FieldImage {
                                spec,
                                page: spec.page,
                                image: img,
                                px_per_mm: page.transform.scale(),
                            })?;
                            FieldReading {
                                field: spec.id.clone(),
                                page: spec.page,
                                text: OcrText::new(r.text),
                                confidence: r.confidence,
                                bbox: Some(bbox),
                                engine: engine.info(),
                            }
                        }
                    };
                    readings.push(reading);
                }
            }
            read.push((readings, bbox));
        }
        Ok(assemble(
            template,
            document_id,
            page_infos,
            read,
            &self.policy,
            self.today,
            &self.reference,
        ))
    }

    /// Reads a scan file (PNG, JPEG, TIFF, PDF) holding one or more documents of the same
    /// template, one after the other; the documents are named `{id_prefix}-1`,
    /// `{id_prefix}-2` … (just `id_prefix` when the file holds one document).
    pub fn read_batch(
        &mut self,
        id_prefix: &str,
        template: &Template,
        bytes: &[u8],
    ) -> Result<Vec<DocumentResult>, OcrError> {
        let pages = input::load_pages(bytes)?;
        let per = template.page.pages as usize;
        if pages.is_empty() || pages.len() % per != 0 {
            return Err(OcrError::PageCount {
                expected: template.page.pages,
                found: pages.len() as u32,
            });
        }
        let n = pages.len() / per;
        let mut out = Vec::with_capacity(n);
        let mut it = pages.into_iter();
        for i in 1..=n {
            let doc_pages: Vec<GrayImage> = it.by_ref().take(per).collect();
            let id = if n == 1 {
                id_prefix.to_owned()
            } else {
                format!("{id_prefix}-{i}")
            };
            out.push(self.read_document(&id, template, doc_pages)?);
        }
        Ok(out)
    }
}
