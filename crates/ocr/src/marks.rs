//! Check boxes, read from ink coverage: the inside of the box (its printed outline left
//! out) is ticked when enough of it is ink.
//!
//! A choice field takes the value of its one ticked box. The confidence says how far the
//! coverage of every box is from the decision line: a clean empty box (≈0 %) and a firm
//! tick (≥15 %) are certain; a faint smudge or half a tick lands near the line and goes to
//! a person. Two ticks, or none in a required choice, read as empty with confidence 0.

use crate::align::AlignedPage;
use crate::engine::EngineReading;
use crate::field::{Confidence, EngineInfo};
use crate::raster::ink_fraction;
use crate::template::{FieldKind, FieldSpec};

/// Coverage above which a box counts as ticked.
pub const TICKED: f32 = 0.06;
/// Distance from [`TICKED`] at which a decision is certain.
const CERTAIN_MARGIN: f32 = 0.045;
/// Millimetres taken off each side of a box (its printed outline and a little more).
const INSET_MM: f32 = 0.9;

/// The check-box reader's name and version.
pub fn info() -> EngineInfo {
    EngineInfo {
        name: "marks".into(),
        version: format!("kyosai-ocr {}", env!("CARGO_PKG_VERSION")),
    }
}

/// Ink coverage (0–1) inside the box `r` (mm).
pub fn coverage(page: &AlignedPage, r: [f32; 4]) -> f32 {
    ink_fraction(&page.crop(r, INSET_MM))
}

fn certainty(cov: f32) -> f32 {
    ((cov - TICKED).abs() / CERTAIN_MARGIN).min(1.0)
}

/// Reads a check box (`"true"` / `"false"`) or a choice (the ticked option's value, or
/// empty).
pub fn read(page: &AlignedPage, spec: &FieldSpec) -> EngineReading {
    match spec.kind {
        FieldKind::Choice => {
            let covs: Vec<f32> = spec
                .options
                .iter()
                .map(|o| coverage(page, o.rect))
                .collect();
            let ticked: Vec<usize> = (0..covs.len()).filter(|&i| covs[i] > TICKED).collect();
            let certain = covs.iter().map(|&c| certainty(c)).fold(1.0, f32::min);
            match ticked.as_slice() {
                [one] => EngineReading {
                    text: spec.options[*one].value.clone(),
                    confidence: Confidence::new(certain),
                },
                [] => EngineReading {
                    text: String::new(),
                    // Nothing ticked: certain it is empty, unless something is faint.
                    confidence: Confidence::new(certain),
                },
                _ => EngineReading {
                    text: String::new(),
                    confidence: Confidence::new(0.0),
                },
            }
        }
        _ => {
            let cov = coverage(page, spec.rect);
            EngineReading {
                text: if cov > TICKED { "true" } else { "false" }.into(),
                confidence: Confidence::new(certainty(cov)),
            }
        }
    }
}
