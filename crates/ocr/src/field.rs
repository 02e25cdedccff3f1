//! The per-field result every source produces — the local engine, a vendor's AI-OCR
//! export, a check-box reader — so that routing and the correction queue never care
//! where a reading came from.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::align::PixelBox;

/// How sure a source is of a reading, **from 0.0 (no idea) to 1.0 (certain)**.
///
/// Sources that count in percent (Tesseract's 0–100, most vendors' 0–100) are divided by
/// 100 on the way in; [`Confidence::new`] clamps anything outside 0–1 and maps NaN to 0.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Confidence(f32);

impl Confidence {
    /// A confidence of `value` (0–1), clamped.
    pub fn new(value: f32) -> Self {
        if value.is_nan() {
            Confidence(0.0)
        } else {
            Confidence(value.clamp(0.0, 1.0))
        }
    }

    /// From a percentage (0–100).
    pub fn from_percent(percent: f32) -> Self {
        Confidence::new(percent / 100.0)
    }

    /// The value, 0–1.
    pub fn value(self) -> f32 {
        self.0
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.0}%", self.0 * 100.0)
    }
}

/// Which source produced a reading, and which version of it — kept with every value as
/// its provenance.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EngineInfo {
    /// `"tesseract"`, `"marks"`, `"vendor:dx-suite"` …
    pub name: String,
    /// The engine's version and model (`"5.3.0 jpn+eng (tessdata_fast 4.1.0)"`).
    pub version: String,
}

/// Text read from a form. Its `Debug` prints only the length: the values are personal
/// data (names, 個人番号) and must not reach logs. Read it with [`OcrText::as_str`].
#[derive(Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OcrText(String);

impl OcrText {
    /// Wraps a value.
    pub fn new(text: impl Into<String>) -> Self {
        OcrText(text.into())
    }

    /// The text. Never log it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether nothing but white space was read.
    pub fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for OcrText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} chars>", self.0.chars().count())
    }
}

/// One source's reading of one field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldReading {
    /// The template field id (`member.myNumber`).
    pub field: String,
    /// 1-based page within the document.
    pub page: u32,
    /// The text as read (white space trimmed), before any normalisation.
    pub text: OcrText,
    /// How sure the source is, 0–1.
    pub confidence: Confidence,
    /// Where on the page image the field is, when known.
    pub bbox: Option<PixelBox>,
    /// Who read it.
    pub engine: EngineInfo,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn confidence_is_zero_to_one() {
        assert_eq!(Confidence::new(1.7).value(), 1.0);
        assert_eq!(Confidence::new(-0.2).value(), 0.0);
        assert_eq!(Confidence::new(f32::NAN).value(), 0.0);
        assert_eq!(Confidence::from_percent(93.0).value(), 0.93);
        assert_eq!(Confidence::new(0.875).to_string(), "88%");
        assert_eq!(serde_json::to_string(&Confidence::new(0.5)).unwrap(), "0.5");
    }

    #[test]
    fn read_text_stays_out_of_debug_output() {
        let r = FieldReading {
            field: "member.myNumber".into(),
            page: 1,
            text: OcrText::new("123456789018"),
            confidence: Confidence::new(0.9),
            bbox: None,
            engine: EngineInfo {
                name: "tesseract".into(),
                version: "5".into(),
            },
        };
        let dbg = format!("{r:?}");
        assert!(!dbg.contains("123456789018"), "{dbg}");
        assert!(dbg.contains("<12 chars>"));
        // It does serialise: the queue stores it (encrypted) and shows it to the clerk.
        assert!(serde_json::to_string(&r).unwrap().contains("123456789018"));
    }
}
