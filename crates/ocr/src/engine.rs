//! The engine interface: anything that turns one field's image into text and a
//! confidence.
//!
//! The pipeline ([`crate::pipeline`]) aligns the page, cuts each field out upright
//! ([`FieldImage`]) and asks every configured engine for its reading; routing compares the
//! readings. An engine is created once and reused for every field of every page of a batch
//! (Tesseract loads its language models once). A second local engine — an ONNX model, say
//! — implements [`OcrEngine`] and is added to the list; the queue only ever sees
//! [`crate::field::FieldReading`]s.
//!
//! Check boxes are not OCR: [`crate::marks`] reads them from ink coverage whatever engines
//! are configured.

use image::GrayImage;

use crate::error::OcrError;
use crate::field::{Confidence, EngineInfo};
use crate::template::FieldSpec;

/// One field, cut out of its page for an engine.
#[derive(Debug)]
pub struct FieldImage<'a> {
    /// The field's template entry (kind, checks, id).
    pub spec: &'a FieldSpec,
    /// 1-based page.
    pub page: u32,
    /// The upright crop of the field's box with the printed box lines left out; grey,
    /// ink dark.
    pub image: &'a GrayImage,
    /// Pixels per millimetre of the crop (the scan's resolution).
    pub px_per_mm: f32,
}

/// What an engine read in one field.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineReading {
    /// The text, white space trimmed at both ends.
    pub text: String,
    /// How sure the engine is, 0–1. Engines should report the confidence of their
    /// **least** sure character rather than an average: one wrong digit makes the whole
    /// value wrong.
    pub confidence: Confidence,
}

/// An OCR engine.
pub trait OcrEngine: Send {
    /// Name and version, recorded with every reading.
    fn info(&self) -> EngineInfo;

    /// Reads one field. Called for text-like fields only (not check boxes).
    fn read(&mut self, field: &FieldImage<'_>) -> Result<EngineReading, OcrError>;
}
