//! Import of results from commercial AI-OCR services (DX Suite and the like), in the CSV
//! and JSON formats of `docs/ocr-vendor-format.md`, into the same [`FieldReading`]s the
//! local engine produces — routing and the queue cannot tell them apart except by the
//! engine name.
//!
//! Parsing is strict: an unknown column, a missing one, a confidence outside its range, a
//! field the template does not have, a page it does not have, a field given twice for
//! the same document, half a box — each stops the import with a Japanese message naming
//! the line (CSV) or the path (JSON) and the field. Nothing is guessed.

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;

use crate::align::PixelBox;
use crate::field::{Confidence, EngineInfo, FieldReading, OcrText};
use crate::template::Template;

/// Why a vendor file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VendorError {
    /// The bytes are neither UTF-8 nor Shift_JIS text.
    #[error("文字コードを判別できません。UTF-8 または Shift_JIS の CSV を指定してください。")]
    Encoding,
    /// A CSV line could not be read at all.
    #[error("{line}行目: CSV として読めません（{detail}）。")]
    CsvSyntax {
        /// 1-based line.
        line: u64,
        /// The parser's message.
        detail: String,
    },
    /// The header lacks a required column.
    #[error("1行目（見出し）: 列「{column}」がありません。")]
    MissingColumn {
        /// The column.
        column: String,
    },
    /// The header has a column this format does not define (or twice).
    #[error("1行目（見出し）: 列「{column}」はこの形式にない列か、二度あります。")]
    UnknownColumn {
        /// The column.
        column: String,
    },
    /// A value is malformed. `at` is 「3行目」 or `documents[0].fields[2]`.
    #[error("{at}の「{column}」: {detail}")]
    BadValue {
        /// Where.
        at: String,
        /// The column or key.
        column: String,
        /// What is wrong.
        detail: String,
    },
    /// The field id is not in the template.
    #[error("{at}: 項目「{field}」は帳票「{template}」にありません。")]
    UnknownField {
        /// Where.
        at: String,
        /// The field id.
        field: String,
        /// The template's name.
        template: String,
    },
    /// The same field twice for one document.
    #[error("{at}: 帳票 {document} の項目「{field}」が二度あります。")]
    Duplicate {
        /// Where.
        at: String,
        /// Document id.
        document: String,
        /// Field id.
        field: String,
    },
    /// The JSON is not JSON, or not of this format.
    #[error("JSON を読めません（{detail}）。")]
    Json {
        /// What is wrong.
        detail: String,
    },
    /// No rows.
    #[error("読み取り結果が1件もありません。")]
    Empty,
}

impl VendorError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            VendorError::Encoding => "ocr.vendor.encoding",
            VendorError::CsvSyntax { .. } => "ocr.vendor.csv_syntax",
            VendorError::MissingColumn { .. } => "ocr.vendor.missing_column",
            VendorError::UnknownColumn { .. } => "ocr.vendor.unknown_column",
            VendorError::BadValue { .. } => "ocr.vendor.bad_value",
            VendorError::UnknownField { .. } => "ocr.vendor.unknown_field",
            VendorError::Duplicate { .. } => "ocr.vendor.duplicate",
            VendorError::Json { .. } => "ocr.vendor.json",
            VendorError::Empty => "ocr.vendor.empty",
        }
    }
}

/// One document's readings from a vendor file.
#[derive(Debug, Clone, PartialEq)]
pub struct VendorDocument {
    /// The vendor's document id.
    pub document_id: String,
    /// Readings in file order.
    pub readings: Vec<FieldReading>,
}

/// The columns of the CSV format: English name, Japanese name, required.
const COLUMNS: &[(&str, &str, bool)] = &[
    ("document_id", "帳票ID", true),
    ("page", "ページ", true),
    ("field", "項目", true),
    ("value", "読取値", true),
    ("confidence", "確信度", false),
    ("confidence_percent", "確信度(%)", false),
    ("x", "X", false),
    ("y", "Y", false),
    ("width", "幅", false),
    ("height", "高さ", false),
];

fn decode(bytes: &[u8]) -> Result<String, VendorError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_owned());
    }
    let (s, _, had_errors) = encoding_rs::SHIFT_JIS.decode(bytes);
    if had_errors {
        return Err(VendorError::Encoding);
    }
    Ok(s.into_owned())
}

/// Where in the file, and the template to check against.
struct Ctx<'a> {
    template: &'a Template,
    engine: &'a EngineInfo,
    seen: HashSet<(String, String)>,
    docs: Vec<VendorDocument>,
    index: BTreeMap<String, usize>,
}

/// One reading as the file gives it, before checks.
struct Raw<'a> {
    at: String,
    document_id: &'a str,
    page: &'a str,
    field: &'a str,
    value: &'a str,
    confidence: Option<(&'a str, bool)>,
    bbox: [Option<&'a str>; 4],
}

impl Ctx<'_> {
    fn push(&mut self, raw: Raw<'_>) -> Result<(), VendorError> {
        let bad = |column: &str, detail: String| VendorError::BadValue {
            at: raw.at.clone(),
            column: column.to_owned(),
            detail,
        };
        let document_id = raw.document_id.trim();
        if document_id.is_empty() {
            return Err(bad("document_id", "帳票IDが空です。".into()));
        }
        let field = raw.field.trim();
        let Some(spec) = self.template.field(field) else {
            return Err(VendorError::UnknownField {
                at: raw.at,
                field: field.to_owned(),
                template: self.template.name.clone(),
            });
        };
        let page: u32 = raw.page.trim().parse().map_err(|_| {
            bad(
                "page",
                format!(
                    "ページ番号「{}」は1以上の整数で指定してください。",
                    raw.page
                ),
            )
        })?;
        if page != spec.page {
            return Err(bad(
                "page",
                format!(
                    "項目「{field}」は{}ページ目の項目です（{page}ページ目と指定されています）。",
                    spec.page
                ),
            ));
        }
        let confidence = match raw.confidence {
            None => return Err(bad("confidence", "確信度がありません。".into())),
            Some((text, percent)) => {
                let v: f32 = text.trim().parse().map_err(|_| {
                    bad(
                        "confidence",
                        format!("確信度「{text}」は数値で指定してください。"),
                    )
                })?;
                let max = if percent { 100.0 } else { 1.0 };
                if !(0.0..=max).contains(&v) || v.is_nan() {
                    return Err(bad(
                        "confidence",
                        format!("確信度 {v} は 0〜{max} の範囲で指定してください。"),
                    ));
                }
                if percent {
                    Confidence::from_percent(v)
                } else {
                    Confidence::new(v)
                }
            }
        };
        let bbox = match raw.bbox {
            [None, None, None, None] => None,
            [Some(x), Some(y), Some(w), Some(h)] => {
                let n = |name: &str, s: &str| -> Result<u32, VendorError> {
                    s.trim().parse().map_err(|_| {
                        bad(
                            name,
                            format!("座標「{s}」は0以上の整数（画素）で指定してください。"),
                        )
                    })
                };
                Some(PixelBox {
                    x: n("x", x)?,
                    y: n("y", y)?,
                    w: n("width", w)?,
                    h: n("height", h)?,
                })
            }
            _ => {
                return Err(bad(
                    "x/y/width/height",
                    "枠は x、y、幅、高さの4つをそろえて指定するか、すべて空にしてください。".into(),
                ))
            }
        };
        if !self.seen.insert((document_id.to_owned(), field.to_owned())) {
            return Err(VendorError::Duplicate {
                at: raw.at,
                document: document_id.to_owned(),
                field: field.to_owned(),
            });
        }
        let reading = FieldReading {
            field: field.to_owned(),
            page,
            text: OcrText::new(raw.value.trim()),
            confidence,
            bbox,
            engine: self.engine.clone(),
        };
        let i = match self.index.get(document_id) {
            Some(&i) => i,
            None => {
                self.docs.push(VendorDocument {
                    document_id: document_id.to_owned(),
                    readings: Vec::new(),
                });
                self.index
                    .insert(document_id.to_owned(), self.docs.len() - 1);
                self.docs.len() - 1
            }
        };
        self.docs[i].readings.push(reading);
        Ok(())
    }
}

/// Reads a vendor CSV (UTF-8, with or without BOM, or Shift_JIS) of `template`'s fields.
pub fn import_csv(
    bytes: &[u8],
    template: &Template,
    engine: &EngineInfo,
) -> Result<Vec<VendorDocument>, VendorError> {
    let text = decode(bytes)?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| VendorError::CsvSyntax {
            line: 1,
            detail: e.to_string(),
        })?
        .clone();
    // Column name → index, accepting the English or the Japanese name.
    let mut col: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim();
        let Some((en, _, _)) = COLUMNS.iter().find(|(en, ja, _)| *en == h || *ja == h) else {
            return Err(VendorError::UnknownColumn {
                column: h.to_owned(),
            });
        };
        if col.insert(en, i).is_some() {
            return Err(VendorError::UnknownColumn {
                column: h.to_owned(),
            });
        }
    }
    for (en, ja, required) in COLUMNS {
        if *required && !col.contains_key(en) {
            return Err(VendorError::MissingColumn {
                column: format!("{en}（{ja}）"),
            });
        }
    }
    let (has_conf, has_pct) = (
        col.contains_key("confidence"),
        col.contains_key("confidence_percent"),
    );
    if has_conf == has_pct {
        return Err(if has_conf {
            VendorError::UnknownColumn {
                column: "confidence と confidence_percent の両方".into(),
            }
        } else {
            VendorError::MissingColumn {
                column: "confidence（確信度、0〜1）または confidence_percent（確信度(%)、0〜100）"
                    .into(),
            }
        });
    }
    let mut ctx = Ctx {
        template,
        engine,
        seen: HashSet::new(),
        docs: Vec::new(),
        index: BTreeMap::new(),
    };
    for rec in rdr.records() {
        let rec = rec.map_err(|e| VendorError::CsvSyntax {
            line: e.position().map_or(0, |p| p.line()),
            detail: e.to_string(),
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        let get = |name: &str| col.get(name).and_then(|&i| rec.get(i));
        let opt = |name: &str| get(name).filter(|s| !s.trim().is_empty());
        let confidence = if has_pct {
            opt("confidence_percent").map(|s| (s, true))
        } else {
            opt("confidence").map(|s| (s, false))
        };
        ctx.push(Raw {
            at: format!("{line}行目"),
            document_id: get("document_id").unwrap_or_default(),
            page: get("page").unwrap_or_default(),
            field: get("field").unwrap_or_default(),
            value: get("value").unwrap_or_default(),
            confidence,
            bbox: [opt("x"), opt("y"), opt("width"), opt("height")],
        })?;
    }
    if ctx.docs.is_empty() {
        return Err(VendorError::Empty);
    }
    Ok(ctx.docs)
}

/// The `format` value of the JSON format.
pub const JSON_FORMAT: &str = "kyosai-ocr-vendor/1";

fn json_err(detail: impl Into<String>) -> VendorError {
    VendorError::Json {
        detail: detail.into(),
    }
}

fn only_keys(v: &Value, at: &str, keys: &[&str]) -> Result<(), VendorError> {
    if let Some(obj) = v.as_object() {
        for k in obj.keys() {
            if !keys.contains(&k.as_str()) {
                return Err(VendorError::BadValue {
                    at: at.to_owned(),
                    column: k.clone(),
                    detail: format!("この形式にないキーです（使えるのは {}）。", keys.join("、")),
                });
            }
        }
        Ok(())
    } else {
        Err(json_err(format!("{at} はオブジェクトでなければなりません")))
    }
}

/// Reads a vendor JSON of `template`'s fields. The engine named in the file is recorded
/// with every reading; `fallback_engine` is used when the file names none.
pub fn import_json(
    bytes: &[u8],
    template: &Template,
    fallback_engine: &EngineInfo,
) -> Result<Vec<VendorDocument>, VendorError> {
    let root: Value = serde_json::from_slice(bytes)
        .map_err(|e| json_err(format!("{}行{}列: {e}", e.line(), e.column())))?;
    only_keys(&root, "ルート", &["format", "engine", "documents"])?;
    match root.get("format").and_then(Value::as_str) {
        Some(JSON_FORMAT) => {}
        other => {
            return Err(json_err(format!(
                "format は \"{JSON_FORMAT}\" でなければなりません（{}）",
                other.unwrap_or("なし")
            )))
        }
    }
    let engine = match root.get("engine") {
        None => fallback_engine.clone(),
        Some(e) => {
            only_keys(e, "engine", &["name", "version"])?;
            let s = |k: &str| e.get(k).and_then(Value::as_str).map(str::to_owned);
            EngineInfo {
                name: s("name").ok_or_else(|| json_err("engine.name がありません"))?,
                version: s("version").unwrap_or_default(),
            }
        }
    };
    let docs = root
        .get("documents")
        .and_then(Value::as_array)
        .ok_or_else(|| json_err("documents（配列）がありません"))?;
    let mut ctx = Ctx {
        template,
        engine: &engine,
        seen: HashSet::new(),
        docs: Vec::new(),
        index: BTreeMap::new(),
    };
    for (di, d) in docs.iter().enumerate() {
        let dat = format!("documents[{di}]");
        only_keys(d, &dat, &["documentId", "fields"])?;
        let document_id = d
            .get("documentId")
            .and_then(Value::as_str)
            .ok_or_else(|| json_err(format!("{dat}.documentId（文字列）がありません")))?;
        let fields = d
            .get("fields")
            .and_then(Value::as_array)
            .ok_or_else(|| json_err(format!("{dat}.fields（配列）がありません")))?;
        for (fi, f) in fields.iter().enumerate() {
            let at = format!("{dat}.fields[{fi}]");
            only_keys(f, &at, &["field", "page", "value", "confidence", "box"])?;
            let bad = |column: &str, detail: &str| VendorError::BadValue {
                at: at.clone(),
                column: column.to_owned(),
                detail: detail.to_owned(),
            };
            let field = f
                .get("field")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("field", "項目IDを文字列で指定してください。"))?;
            let page = f
                .get("page")
                .and_then(Value::as_u64)
                .filter(|p| *p >= 1)
                .ok_or_else(|| bad("page", "ページ番号を1以上の整数で指定してください。"))?
                .to_string();
            let value = f
                .get("value")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("value", "読取値を文字列で指定してください（空欄は \"\"）。"))?;
            let confidence = f
                .get("confidence")
                .and_then(Value::as_f64)
                .ok_or_else(|| bad("confidence", "確信度を 0〜1 の数値で指定してください。"))?
                .to_string();
            let mut bbox: [Option<String>; 4] = [None, None, None, None];
            if let Some(b) = f.get("box").filter(|b| !b.is_null()) {
                only_keys(b, &format!("{at}.box"), &["x", "y", "w", "h"])?;
                for (slot, k) in bbox.iter_mut().zip(["x", "y", "w", "h"]) {
                    let v = b.get(k).ok_or_else(|| {
                        bad("box", "枠は x、y、w、h の4つをそろえて指定してください。")
                    })?;
                    *slot = Some(match v.as_u64() {
                        Some(n) => n.to_string(),
                        None => v.to_string(),
                    });
                }
            }
            ctx.push(Raw {
                at: at.clone(),
                document_id,
                page: &page,
                field,
                value,
                confidence: Some((&confidence, false)),
                bbox: [
                    bbox[0].as_deref(),
                    bbox[1].as_deref(),
                    bbox[2].as_deref(),
                    bbox[3].as_deref(),
                ],
            })?;
        }
    }
    if ctx.docs.is_empty() {
        return Err(VendorError::Empty);
    }
    Ok(ctx.docs)
}

#[cfg(test)]
mod tests;
