//! OCR of paper forms for Kyosai Desk: scanned 資格取得届 and 請求書 are read field by
//! field, every value is checked by the domain's rules, and each field is routed — to
//! nobody, to a QA sample, to a clerk, or to two clerks keying it blind.
//!
//! What is here:
//!
//! - [`template`]: form templates (TOML, millimetres): fields, kinds, checks, thresholds;
//!   the built-in 資格取得届 and 請求書;
//! - [`input`]: PNG, JPEG, multi-page TIFF and PDF into page images (in memory);
//! - [`align`]: registration marks → millimetre-to-pixel transform; upright field crops;
//! - [`engine`]: the engine interface; [`tesseract`]: the local offline engine (Tesseract 5,
//!   Japanese); [`marks`]: check boxes by ink coverage;
//! - [`vendor`]: import of commercial AI-OCR results (CSV, JSON) as the same readings;
//! - [`checks`]: normalisation and domain checks of fields and documents;
//! - [`routing`]: who looks at a field (pure); [`metrics`]: straight-through rate,
//!   silent-error rate, per-field accuracy, operator throughput (pure);
//! - [`pipeline`]: the whole reading of a document ([`pipeline::Reader`]) and of
//!   readings from elsewhere ([`pipeline::decide_readings`]);
//! - [`samples`]: the sample-form generator with ground truth; [`eval`]: the figures
//!   against that truth.
//!
//! - [`queue`]: the correction queue's document (people's entries, double entry, undo,
//!   hand-off provenance) and its images — pure rules shared by the app and the server.
//!
//! What is not here: the queue's storage and leases, the UI, the Tauri commands,
//! and the hand-off into the acquisition and procurement modules. They build on
//! [`pipeline::DocumentResult`] and [`pipeline::DocumentResult::record_json`]; see
//! `docs/ocr.md`.
//!
//! Values read from forms are personal data: [`field::OcrText`] prints only its length in
//! `Debug`, and nothing here logs a value.

pub mod align;
pub mod checks;
pub mod engine;
pub mod error;
pub mod eval;
pub mod field;
pub mod input;
pub mod marks;
pub mod metrics;
pub mod pipeline;
pub mod queue;
pub mod raster;
pub mod routing;
pub mod samples;
pub mod template;
#[cfg(feature = "tesseract")]
pub mod tesseract;
pub mod vendor;

pub use error::OcrError;
