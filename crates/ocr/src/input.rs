//! Reading scans: PNG, JPEG, TIFF (every page of a multi-page file, as sheet-fed scanners
//! write them, including 1-bit fax-compressed pages) and PDF (each page rasterised at
//! 300 dpi by Poppler's `pdftoppm`, from Debian's `poppler-utils`).
//!
//! Everything works on bytes in memory: the store keeps scans encrypted, and a decrypted
//! scan never has to be written to disk to be read — `pdftoppm` reads the PDF from its
//! standard input and writes each page to its standard output.

use std::io::{Cursor, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use image::{GrayImage, Luma};

use crate::error::OcrError;

/// The formats this module reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// PNG.
    Png,
    /// JPEG.
    Jpeg,
    /// TIFF, one or more pages.
    Tiff,
    /// PDF, one or more pages.
    Pdf,
}

/// The format of a file from its first bytes, or `None`.
pub fn detect(bytes: &[u8]) -> Option<InputFormat> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(InputFormat::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(InputFormat::Jpeg)
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        Some(InputFormat::Tiff)
    } else if bytes.starts_with(b"%PDF-") {
        Some(InputFormat::Pdf)
    } else {
        None
    }
}

/// Resolution at which PDF pages are rasterised.
pub const PDF_DPI: u32 = 300;

/// The pages of a scan, grey.
pub fn load_pages(bytes: &[u8]) -> Result<Vec<GrayImage>, OcrError> {
    match detect(bytes).ok_or(OcrError::UnknownFormat)? {
        InputFormat::Png | InputFormat::Jpeg => {
            let img = image::load_from_memory(bytes).map_err(|e| OcrError::Image {
                detail: e.to_string(),
            })?;
            Ok(vec![img.to_luma8()])
        }
        InputFormat::Tiff => load_tiff(bytes),
        InputFormat::Pdf => load_pdf(bytes),
    }
}

/// The pages of a scan file.
pub fn load_file(path: &Path) -> Result<Vec<GrayImage>, OcrError> {
    let bytes = std::fs::read(path).map_err(|e| OcrError::io(path, e))?;
    load_pages(&bytes)
}

fn image_err(e: impl std::fmt::Display) -> OcrError {
    OcrError::Image {
        detail: e.to_string(),
    }
}

fn load_tiff(bytes: &[u8]) -> Result<Vec<GrayImage>, OcrError> {
    use tiff::decoder::{Decoder, DecodingResult};
    use tiff::ColorType;

    let mut dec = Decoder::new(Cursor::new(bytes)).map_err(image_err)?;
    let mut pages = Vec::new();
    loop {
        let (w, h) = dec.dimensions().map_err(image_err)?;
        let color = dec.colortype().map_err(image_err)?;
        // The decoder applies PhotometricInterpretation itself: WhiteIsZero pages (fax
        // scans) come out with 0 = black like the others.
        let data = dec.read_image().map_err(image_err)?;
        let n = (w as usize) * (h as usize);
        let grey: Vec<u8> = match (color, data) {
            (ColorType::Gray(8), DecodingResult::U8(v)) => v,
            (ColorType::Gray(16), DecodingResult::U16(v)) => {
                v.iter().map(|&p| (p >> 8) as u8).collect()
            }
            (ColorType::Gray(1), DecodingResult::U8(v)) => {
                let stride = (w as usize).div_ceil(8);
                let mut out = Vec::with_capacity(n);
                for y in 0..h as usize {
                    for x in 0..w as usize {
                        let byte = v.get(y * stride + x / 8).copied().unwrap_or(0);
                        let bit = (byte >> (7 - (x % 8))) & 1;
                        out.push(if bit == 1 { 255 } else { 0 });
                    }
                }
                out
            }
            (ColorType::RGB(8), DecodingResult::U8(v)) => {
                v.chunks_exact(3).map(|c| luma(c[0], c[1], c[2])).collect()
            }
            (ColorType::RGBA(8), DecodingResult::U8(v)) => {
                v.chunks_exact(4).map(|c| luma(c[0], c[1], c[2])).collect()
            }
            (other, _) => {
                return Err(image_err(format!(
                    "この TIFF の色形式（{other:?}）には対応していません"
                )))
            }
        };
        if grey.len() != n {
            return Err(image_err("TIFF の画素数が画像の大きさと合いません"));
        }
        let img = GrayImage::from_raw(w, h, grey)
            .ok_or_else(|| image_err("TIFF の画素数が画像の大きさと合いません"))?;
        pages.push(img);
        if !dec.more_images() {
            break;
        }
        dec.next_image().map_err(image_err)?;
    }
    Ok(pages)
}

fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((u32::from(r) * 299 + u32::from(g) * 587 + u32::from(b) * 114) / 1000) as u8
}

fn pdf_err(detail: impl Into<String>) -> OcrError {
    OcrError::Pdf {
        detail: detail.into(),
    }
}

/// Runs a Poppler tool with the PDF on standard input; returns standard output.
fn poppler(tool: &str, args: &[&str], pdf: &[u8]) -> Result<Vec<u8>, OcrError> {
    let mut child = Command::new(tool)
        .args(args)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| pdf_err(format!("{tool} を起動できません: {e}")))?;
    // Feed standard input from a thread: a large page on stdout would otherwise block the
    // tool while we are still writing.
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| pdf_err(format!("{tool} の標準入力を開けません")))?;
    let input = pdf.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let mut out = Vec::new();
    if let Some(mut so) = child.stdout.take() {
        so.read_to_end(&mut out)
            .map_err(|e| pdf_err(format!("{tool} の出力を読めません: {e}")))?;
    }
    let mut err = String::new();
    if let Some(mut se) = child.stderr.take() {
        let _ = se.read_to_string(&mut err);
    }
    let status = child.wait().map_err(|e| pdf_err(format!("{tool}: {e}")))?;
    // A tool that stops reading early (a broken PDF) makes the write fail; its exit
    // status says why.
    let _ = writer.join();
    if !status.success() {
        return Err(pdf_err(format!("{tool}: {}", err.trim())));
    }
    Ok(out)
}

/// Number of pages of a PDF (`pdfinfo`).
fn pdf_pages(pdf: &[u8]) -> Result<u32, OcrError> {
    let out = poppler("pdfinfo", &[], pdf)?;
    let text = String::from_utf8_lossy(&out);
    text.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| pdf_err("ページ数を読み取れません"))
}

fn load_pdf(pdf: &[u8]) -> Result<Vec<GrayImage>, OcrError> {
    let pages = pdf_pages(pdf)?;
    let dpi = PDF_DPI.to_string();
    let mut out = Vec::new();
    for p in 1..=pages {
        let n = p.to_string();
        // Grey PGM on stdout: one page per run, no temporary files.
        let pgm = poppler(
            "pdftoppm",
            &["-gray", "-r", &dpi, "-f", &n, "-l", &n, "-singlefile"],
            pdf,
        )?;
        let img = image::load_from_memory_with_format(&pgm, image::ImageFormat::Pnm)
            .map_err(|e| pdf_err(format!("{p}ページ目: {e}")))?;
        out.push(img.to_luma8());
    }
    Ok(out)
}

/// A grey image as PNG bytes (for crops shown to clerks and for tests).
pub fn to_png(img: &GrayImage) -> Result<Vec<u8>, OcrError> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .map_err(image_err)?;
    Ok(out.into_inner())
}

/// A white page, for tests.
#[doc(hidden)]
pub fn blank(w: u32, h: u32) -> GrayImage {
    GrayImage::from_pixel(w, h, Luma([255]))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::raster::fill_rect;
    use crate::samples::{encode_jpeg, encode_multipage_tiff, encode_scan_pdf};

    fn page(mark: f32) -> GrayImage {
        let mut img = blank(420, 594);
        fill_rect(&mut img, mark, 40.0, 60.0, 60.0, 0);
        img
    }

    #[test]
    fn formats_are_told_by_their_first_bytes() {
        assert_eq!(detect(b"%PDF-1.7 ..."), Some(InputFormat::Pdf));
        assert_eq!(detect(b"II*\0...."), Some(InputFormat::Tiff));
        assert_eq!(detect(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(InputFormat::Jpeg));
        assert_eq!(detect(b"GIF89a"), None);
        let e = load_pages(b"not an image").unwrap_err();
        assert_eq!(e.code(), "ocr.format_unknown");
    }

    #[test]
    fn every_page_of_a_multipage_tiff_is_read() {
        let tiff = encode_multipage_tiff(&[page(40.0), page(200.0), page(300.0)]).unwrap();
        let pages = load_pages(&tiff).unwrap();
        assert_eq!(pages.len(), 3);
        assert_eq!(pages[1].get_pixel(230, 70).0[0], 0);
        assert_eq!(pages[1].get_pixel(70, 70).0[0], 255);
        assert_eq!(pages[2].dimensions(), (420, 594));
    }

    /// A 16×2 TIFF, 1 bit per pixel, uncompressed, written by hand as a fax scanner
    /// writes it: PhotometricInterpretation 0 (WhiteIsZero), so a 1 bit is black.
    fn bilevel_white_is_zero() -> Vec<u8> {
        let entries: [(u16, u16, u32); 9] = [
            (256, 3, 16), // ImageWidth
            (257, 3, 2),  // ImageLength
            (258, 3, 1),  // BitsPerSample
            (259, 3, 1),  // Compression: none
            (262, 3, 0),  // PhotometricInterpretation: WhiteIsZero
            (273, 4, 0),  // StripOffsets (patched below)
            (277, 3, 1),  // SamplesPerPixel
            (278, 3, 2),  // RowsPerStrip
            (279, 4, 4),  // StripByteCounts
        ];
        let mut out = b"II*\0".to_vec();
        out.extend_from_slice(&8u32.to_le_bytes());
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        let data_at = 8 + 2 + entries.len() as u32 * 12 + 4;
        for (tag, ty, value) in entries {
            let value = if tag == 273 { data_at } else { value };
            out.extend_from_slice(&tag.to_le_bytes());
            out.extend_from_slice(&ty.to_le_bytes());
            out.extend_from_slice(&1u32.to_le_bytes());
            if ty == 3 {
                out.extend_from_slice(&(value as u16).to_le_bytes());
                out.extend_from_slice(&[0, 0]);
            } else {
                out.extend_from_slice(&value.to_le_bytes());
            }
        }
        out.extend_from_slice(&0u32.to_le_bytes());
        // Row 0: first pixel black; row 1: all white.
        out.extend_from_slice(&[0b1000_0000, 0, 0, 0]);
        out
    }

    #[test]
    fn a_bilevel_white_is_zero_tiff_is_read_the_right_way_round() {
        let pages = load_pages(&bilevel_white_is_zero()).unwrap();
        assert_eq!(pages[0].dimensions(), (16, 2));
        assert_eq!(pages[0].get_pixel(0, 0).0[0], 0);
        assert_eq!(pages[0].get_pixel(1, 0).0[0], 255);
        assert_eq!(pages[0].get_pixel(0, 1).0[0], 255);
    }

    #[test]
    fn pdf_pages_are_rasterised_in_order_without_temporary_files() {
        let jpegs = vec![
            encode_jpeg(&page(40.0), 90).unwrap(),
            encode_jpeg(&page(300.0), 90).unwrap(),
        ];
        let pdf = encode_scan_pdf(&jpegs).unwrap();
        let pages = load_pages(&pdf).unwrap();
        assert_eq!(pages.len(), 2);
        // A4 at 300 dpi (Poppler rounds the width up).
        let (w, h) = pages[0].dimensions();
        assert!(
            (2480..=2481).contains(&w) && (3508..=3509).contains(&h),
            "{w}x{h}"
        );
        // The square is where it was drawn (scaled from 420 px across to 2480).
        let s = 2480.0 / 420.0;
        let at = |p: &GrayImage, x: f32, y: f32| p.get_pixel((x * s) as u32, (y * s) as u32).0[0];
        assert!(at(&pages[0], 70.0, 70.0) < 60);
        assert!(at(&pages[0], 330.0, 70.0) > 200);
        assert!(at(&pages[1], 330.0, 70.0) < 60);
    }

    #[test]
    fn a_broken_pdf_is_reported() {
        let e = load_pages(b"%PDF-1.4\nthis is not really a pdf").unwrap_err();
        assert_eq!(e.code(), "ocr.pdf_invalid");
        assert!(e.to_string().contains("PDF を画像に変換できません"), "{e}");
    }
}
