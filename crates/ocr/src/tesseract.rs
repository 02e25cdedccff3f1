//! The local, offline engine: Tesseract 5 with the Japanese model (Debian
//! `tesseract-ocr-jpn`), linked as a library (`libtesseract` through the
//! `tesseract-plumbing` crate) so that the models are loaded once per engine, not once
//! per field.
//!
//! Every field is read on its own crop as a single text line, with settings chosen by the
//! field's kind:
//!
//! | kind | model | segmentation | characters allowed |
//! | --- | --- | --- | --- |
//! | text | `jpn` | single line (7) | any |
//! | kana | `jpn` | raw line (13) | any (a whitelist makes the model worse on katakana) |
//! | 和暦 date | `jpn` | single line (7) | era names, 元, 年, 月, 日, digits |
//! | number | `eng` | single line (7) | digits |
//! | yen | `eng` | single line (7) | digits and `,` |
//! | identifier | `eng` | single line (7) | digits, `-` and space (登録番号: also `T`) |
//! | reference (請求書番号) | `eng` | single line (7) | A–Z, digits, `-` |
//!
//! The `eng` model reads Latin digits better than `jpn` and, limited to digits, cannot
//! turn a 1 into a kanji 一. Confidence is that of the least sure character (Tesseract's
//! 0–100 from its hOCR output, divided by 100), separators of amounts and identifiers
//! left out; in raw-line mode, which writes no hOCR, that of the least sure word.

use std::ffi::CString;

use tesseract_plumbing::tesseract_sys::{
    TessOcrEngineMode_OEM_LSTM_ONLY, TessPageSegMode_PSM_RAW_LINE, TessPageSegMode_PSM_SINGLE_LINE,
};
use tesseract_plumbing::TessBaseApi;

use crate::engine::{EngineReading, FieldImage, OcrEngine};
use crate::error::OcrError;
use crate::field::{Confidence, EngineInfo};
use crate::template::{FieldCheck, FieldKind, FieldSpec};

/// The heights (pixels) the ink of a crop is scaled to before recognition. Tesseract's
/// LSTM models read lines of 20–36 px; the large print of a 300 dpi form (60–80 px)
/// comes out much worse. Even in that range a reading can change with the scale (the
/// `jpn` model on katakana most of all), so a field is read at two heights, and at two
/// more when those disagree.
pub const DEFAULT_HEIGHTS: [f32; 4] = [26.0, 30.0, 22.0, 34.0];

/// White margin added around the scaled text (pixels). Tesseract reads text touching the
/// edge badly, and in raw-line mode a wide margin shrinks the text the model sees: 12 px
/// around 22–34 px of text is what read best on the sample set.
const MARGIN: u32 = 12;

const WAREKI: &str = "明治大正昭和平成令和元年月日0123456789";
const DIGITS: &str = "0123456789";

/// The Tesseract engine.
pub struct TesseractEngine {
    jpn: TessBaseApi,
    eng: TessBaseApi,
    version: String,
    /// Heights (pixels) the ink of a crop is scaled to, one reading each: the first two
    /// always, the rest when those two disagree ([`DEFAULT_HEIGHTS`]).
    pub heights: Vec<f32>,
}

impl std::fmt::Debug for TesseractEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TesseractEngine")
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

fn cstr(s: &str) -> CString {
    // Our own constants and settings never contain NUL.
    CString::new(s.replace('\0', "")).unwrap_or_default()
}

fn init(lang: &str) -> Result<TessBaseApi, OcrError> {
    let mut api = TessBaseApi::create();
    api.init_4(None, Some(&cstr(lang)), TessOcrEngineMode_OEM_LSTM_ONLY)
        .map_err(|_| OcrError::EngineInit {
            engine: "tesseract".into(),
            detail: format!("言語データ {lang} を読み込めません"),
        })?;
    for (k, v) in [
        ("debug_file", "/dev/null"),
        // Per-character confidences in the hOCR output.
        ("hocr_char_boxes", "1"),
    ] {
        let _ = api.set_variable(&cstr(k), &cstr(v));
    }
    Ok(api)
}

/// Which model and whitelist a field is read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Model {
    /// `jpn`, one text line (mode 7).
    Jpn,
    /// `jpn`, a raw line (mode 13: no word segmentation or baseline fitting), which reads
    /// katakana far better than mode 7 and handwriting worse.
    JpnRawLine,
    /// `eng`, one text line.
    Eng,
}

fn settings(spec: &FieldSpec) -> (Model, String) {
    let has = |c: FieldCheck| spec.checks.contains(&c);
    match spec.kind {
        FieldKind::Text if has(FieldCheck::Reference) => (
            Model::Eng,
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-".to_owned(),
        ),
        FieldKind::Text => (Model::Jpn, String::new()),
        FieldKind::Kana => (Model::JpnRawLine, String::new()),
        FieldKind::WarekiDate => (Model::Jpn, WAREKI.to_owned()),
        FieldKind::Number => (Model::Eng, DIGITS.to_owned()),
        FieldKind::Yen => (Model::Eng, format!("{DIGITS},")),
        FieldKind::Identifier if has(FieldCheck::InvoiceRegistrationNumber) => {
            (Model::Eng, format!("T{DIGITS}"))
        }
        FieldKind::Identifier => (Model::Eng, format!("{DIGITS}- ")),
        FieldKind::Checkbox | FieldKind::Choice => (Model::Eng, String::new()),
    }
}

impl TesseractEngine {
    /// Starts Tesseract with the `jpn` and `eng` models from the system's tessdata
    /// (`TESSDATA_PREFIX` overrides where they are looked for).
    pub fn new() -> Result<Self, OcrError> {
        let version = tesseract_plumbing::version().to_string_lossy().into_owned();
        Ok(TesseractEngine {
            jpn: init("jpn")?,
            eng: init("eng")?,
            version,
            heights: DEFAULT_HEIGHTS.to_vec(),
        })
    }

    /// Recognises a grey image once, as one line, with the ink scaled to `height` pixels.
    #[allow(clippy::too_many_arguments)]
    fn recognise_once(
        &mut self,
        model: Model,
        whitelist: &str,
        ignore: &str,
        img: &image::GrayImage,
        dpi: i32,
        height: f32,
        field: &str,
    ) -> Result<EngineReading, OcrError> {
        let fail = |detail: &str| OcrError::Engine {
            engine: "tesseract".into(),
            field: field.to_owned(),
            detail: detail.to_owned(),
        };
        let api = match model {
            Model::Jpn | Model::JpnRawLine => &mut self.jpn,
            Model::Eng => &mut self.eng,
        };
        let (scaled, factor) = normalise_height(img, height);
        let dpi = ((dpi as f32) * factor).round().max(30.0) as i32;
        let padded = pad(&scaled, MARGIN);
        let (w, h) = (padded.width() as i32, padded.height() as i32);
        api.set_image(padded.as_raw(), w, h, 1, w)
            .map_err(|e| fail(&e.to_string()))?;
        api.set_source_resolution(dpi);
        api.set_page_seg_mode(match model {
            Model::JpnRawLine => TessPageSegMode_PSM_RAW_LINE,
            _ => TessPageSegMode_PSM_SINGLE_LINE,
        });
        api.set_variable(&cstr("tessedit_char_whitelist"), &cstr(whitelist))
            .map_err(|e| fail(&e.to_string()))?;
        api.recognize().map_err(|e| fail(&e.to_string()))?;
        let text = api
            .get_utf8_text()
            .map_err(|e| fail(&e.to_string()))?
            .as_ref()
            .to_string_lossy()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let confidence = if text.is_empty() {
            Confidence::new(0.0)
        } else {
            let hocr = api.get_hocr_text(0).map_err(|e| fail(&e.to_string()))?;
            let chars = hocr_char_confidences(&hocr.as_ref().to_string_lossy());
            let counted: Vec<f32> = chars
                .iter()
                .filter(|(c, _)| !c.chars().all(|ch| ignore.contains(ch)))
                .map(|(_, conf)| *conf)
                .collect();
            if counted.is_empty() {
                // Raw-line mode (13) writes no hOCR: the words' confidences then.
                let words = api
                    .all_word_confidences()
                    .map_err(|e| fail(&e.to_string()))?;
                let min = words.as_slice().iter().copied().min().unwrap_or(0);
                Confidence::from_percent(min as f32)
            } else {
                Confidence::from_percent(counted.iter().copied().fold(100.0, f32::min))
            }
        };
        Ok(EngineReading { text, confidence })
    }

    /// Recognises a field at several text heights and keeps the reading they agree on.
    ///
    /// The first two heights are always read; when they agree, that is the reading.
    /// Otherwise the remaining heights are read too, and the text read most often wins.
    /// The confidence is that of the least sure agreeing reading, times the share of
    /// readings that agree: a text that changes with the scale is not trusted.
    fn recognise(
        &mut self,
        model: Model,
        whitelist: &str,
        ignore: &str,
        img: &image::GrayImage,
        dpi: i32,
        field: &str,
    ) -> Result<EngineReading, OcrError> {
        let heights = self.heights.clone();
        let mut reads: Vec<EngineReading> = Vec::with_capacity(heights.len());
        for (i, &h) in heights.iter().enumerate() {
            if i == 2 && reads.len() == 2 && reads[0].text == reads[1].text {
                break;
            }
            reads.push(self.recognise_once(model, whitelist, ignore, img, dpi, h, field)?);
        }
        let Some(first) = reads.first().cloned() else {
            return Ok(EngineReading {
                text: String::new(),
                confidence: Confidence::new(0.0),
            });
        };
        // The most frequent text; ties go to the earlier (preferred) height.
        let mut best = (first.text.clone(), 0usize);
        for r in &reads {
            let n = reads.iter().filter(|o| o.text == r.text).count();
            if n > best.1 {
                best = (r.text.clone(), n);
            }
        }
        let agreeing: Vec<&EngineReading> = reads.iter().filter(|r| r.text == best.0).collect();
        let min = agreeing
            .iter()
            .map(|r| r.confidence.value())
            .fold(1.0f32, f32::min);
        let share = best.1 as f32 / reads.len() as f32;
        Ok(EngineReading {
            text: best.0,
            confidence: Confidence::new(min * share),
        })
    }
}

/// The characters of an hOCR page (with `hocr_char_boxes`) and their confidences, 0–100.
fn hocr_char_confidences(hocr: &str) -> Vec<(String, f32)> {
    let mut out = Vec::new();
    let mut rest = hocr;
    while let Some(i) = rest.find("x_conf ") {
        rest = &rest[i + "x_conf ".len()..];
        let num: String = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        let Some(gt) = rest.find('>') else { break };
        let after = &rest[gt + 1..];
        let Some(end) = after.find("</span>") else {
            break;
        };
        let ch = unescape(&after[..end]);
        if let Ok(conf) = num.parse::<f32>() {
            out.push((ch, conf));
        }
        rest = &after[end..];
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The ink's bounding box cut out and scaled so that the ink is `target` pixels high;
/// returns the image and the scale factor. A crop without ink comes back as it was.
fn normalise_height(img: &image::GrayImage, target: f32) -> (image::GrayImage, f32) {
    let Some((x0, y0, x1, y1)) = ink_bounds(img) else {
        return (img.clone(), 1.0);
    };
    let (w, h) = (x1 - x0 + 1, y1 - y0 + 1);
    let factor = (target / h as f32).clamp(0.1, 4.0);
    let cut = image::imageops::crop_imm(img, x0, y0, w, h).to_image();
    let (nw, nh) = (
        ((w as f32 * factor).round() as u32).max(1),
        ((h as f32 * factor).round() as u32).max(1),
    );
    let out = image::imageops::resize(&cut, nw, nh, image::imageops::FilterType::Triangle);
    (out, factor)
}

/// The bounding box of the ink (rows and columns with at least two ink pixels, so that a
/// speck of dust does not count), or `None`.
pub(crate) fn ink_bounds(img: &image::GrayImage) -> Option<(u32, u32, u32, u32)> {
    let (w, h) = img.dimensions();
    let mut rows = vec![0u32; h as usize];
    let mut cols = vec![0u32; w as usize];
    for (x, y, p) in img.enumerate_pixels() {
        if p.0[0] <= crate::raster::INK_LEVEL {
            rows[y as usize] += 1;
            cols[x as usize] += 1;
        }
    }
    let first = |v: &[u32]| v.iter().position(|&c| c >= 2);
    let last = |v: &[u32]| v.iter().rposition(|&c| c >= 2);
    Some((
        first(&cols)? as u32,
        first(&rows)? as u32,
        last(&cols)? as u32,
        last(&rows)? as u32,
    ))
}

/// The image with a white margin.
fn pad(img: &image::GrayImage, m: u32) -> image::GrayImage {
    let mut out = image::GrayImage::from_pixel(
        img.width() + 2 * m,
        img.height() + 2 * m,
        image::Luma([255]),
    );
    image::imageops::replace(&mut out, img, i64::from(m), i64::from(m));
    out
}

impl OcrEngine for TesseractEngine {
    fn info(&self) -> EngineInfo {
        EngineInfo {
            name: "tesseract".into(),
            version: format!("{} jpn+eng", self.version),
        }
    }

    fn read(&mut self, field: &FieldImage<'_>) -> Result<EngineReading, OcrError> {
        let (model, whitelist) = settings(field.spec);
        // Separators do not count towards the confidence: the checks catch a misread one
        // (an amount's grouping, an identifier's digit count), and Tesseract is rarely
        // sure of a small comma.
        let ignore = match field.spec.kind {
            FieldKind::Yen => ",",
            FieldKind::Identifier => "- ",
            _ => "",
        };
        let dpi = (field.px_per_mm * 25.4).round() as i32;
        self.recognise(model, &whitelist, ignore, field.image, dpi, &field.spec.id)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn character_confidences_come_from_the_hocr() {
        let hocr = "<span class='ocrx_word' id='word_1_1' title='bbox 12 12 112 39; x_wconf 0'>\n\
            <span class='ocrx_cinfo' title='x_bboxes 12 12 24 37; x_conf 99.04'>3</span>\n\
            <span class='ocrx_cinfo' title='x_bboxes 28 12 35 36; x_conf 40.5'>,</span>\n\
            <span class='ocrx_cinfo' title='x_bboxes 28 12 35 36; x_conf 88'>&amp;</span>";
        let c = hocr_char_confidences(hocr);
        assert_eq!(
            c,
            vec![("3".into(), 99.04), (",".into(), 40.5), ("&".into(), 88.0)]
        );
        assert!(hocr_char_confidences("<html></html>").is_empty());
    }
}
