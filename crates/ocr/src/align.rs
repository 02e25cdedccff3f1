//! Page alignment: find the template's registration marks on a scan and map the
//! template's millimetres to the scan's pixels, so that every field box lands on its
//! field whatever the scanner did (shift, scale, a rotation of a few degrees).
//!
//! Each mark is a filled black square. Around where it should be (assuming the scan shows
//! the whole sheet), a window is searched for the square of the mark's size that is
//! darkest inside and lightest in a ring around it — text is never solid and lines are
//! never isolated, so only the mark scores high. Its ink centroid is the mark's centre. A
//! similarity transform (scale, rotation, shift) is then fitted to the centres by least
//! squares; with four marks one may be missing (a seal over a corner) and the residual
//! tells a wrong form from a right one.
//!
//! Field crops are sampled through the transform ([`AlignedPage::crop`]), which undoes the
//! rotation for each crop without rotating the whole page.

use image::{GrayImage, Luma};
use serde::{Deserialize, Serialize};

use crate::error::OcrError;
use crate::raster::{sample_bilinear, InkIntegral};
use crate::template::Template;

/// Template millimetres → page pixels: `px = a·x − b·y + tx`, `py = b·x + a·y + ty`
/// (a rotation by `atan2(b, a)` and a scale of `hypot(a, b)` pixels per millimetre).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Transform {
    /// Scale × cos(rotation).
    pub a: f32,
    /// Scale × sin(rotation).
    pub b: f32,
    /// Shift, pixels.
    pub tx: f32,
    /// Shift, pixels.
    pub ty: f32,
}

impl Transform {
    /// Pixels per millimetre.
    pub fn scale(&self) -> f32 {
        self.a.hypot(self.b)
    }

    /// Rotation of the paper on the scan, degrees (positive: clockwise on screen).
    pub fn rotation_deg(&self) -> f32 {
        self.b.atan2(self.a).to_degrees()
    }

    /// The pixel position of a point given in template millimetres.
    pub fn apply(&self, x: f32, y: f32) -> (f32, f32) {
        (
            self.a * x - self.b * y + self.tx,
            self.b * x + self.a * y + self.ty,
        )
    }

    /// Least-squares similarity transform taking `from` (mm) to `to` (px); `None` for
    /// fewer than two distinct points.
    pub fn fit(from: &[(f32, f32)], to: &[(f32, f32)]) -> Option<Transform> {
        let n = from.len().min(to.len());
        if n < 2 {
            return None;
        }
        let nf = n as f32;
        let (mx, my) = from[..n]
            .iter()
            .fold((0.0, 0.0), |s, p| (s.0 + p.0 / nf, s.1 + p.1 / nf));
        let (ux, uy) = to[..n]
            .iter()
            .fold((0.0, 0.0), |s, p| (s.0 + p.0 / nf, s.1 + p.1 / nf));
        let (mut num_a, mut num_b, mut den) = (0.0f32, 0.0f32, 0.0f32);
        for (p, q) in from[..n].iter().zip(&to[..n]) {
            let (x, y) = (p.0 - mx, p.1 - my);
            let (u, v) = (q.0 - ux, q.1 - uy);
            num_a += x * u + y * v;
            num_b += x * v - y * u;
            den += x * x + y * y;
        }
        if den <= f32::EPSILON {
            return None;
        }
        let (a, b) = (num_a / den, num_b / den);
        Some(Transform {
            a,
            b,
            tx: ux - (a * mx - b * my),
            ty: uy - (b * mx + a * my),
        })
    }
}

/// An axis-aligned box in page pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PixelBox {
    /// Left.
    pub x: u32,
    /// Top.
    pub y: u32,
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
}

/// A scanned page with the transform from its template.
#[derive(Debug, Clone)]
pub struct AlignedPage {
    /// 1-based page number within its document.
    pub page: u32,
    /// The scan (grey).
    pub image: GrayImage,
    /// Template millimetres → pixels.
    pub transform: Transform,
    /// Mean distance between the found marks and where the transform puts them, mm.
    pub residual_mm: f32,
    /// Marks found, of the template's.
    pub marks_found: usize,
}

impl AlignedPage {
    /// The page box (pixels, axis-aligned, clipped) that contains the template rectangle
    /// `[x, y, w, h]` mm — what the correction screen highlights.
    pub fn bbox(&self, r: [f32; 4]) -> PixelBox {
        let corners = [
            self.transform.apply(r[0], r[1]),
            self.transform.apply(r[0] + r[2], r[1]),
            self.transform.apply(r[0], r[1] + r[3]),
            self.transform.apply(r[0] + r[2], r[1] + r[3]),
        ];
        let (w, h) = (self.image.width() as f32, self.image.height() as f32);
        let x0 = corners
            .iter()
            .map(|c| c.0)
            .fold(f32::MAX, f32::min)
            .clamp(0.0, w);
        let x1 = corners
            .iter()
            .map(|c| c.0)
            .fold(f32::MIN, f32::max)
            .clamp(0.0, w);
        let y0 = corners
            .iter()
            .map(|c| c.1)
            .fold(f32::MAX, f32::min)
            .clamp(0.0, h);
        let y1 = corners
            .iter()
            .map(|c| c.1)
            .fold(f32::MIN, f32::max)
            .clamp(0.0, h);
        PixelBox {
            x: x0.floor() as u32,
            y: y0.floor() as u32,
            w: (x1 - x0).ceil() as u32,
            h: (y1 - y0).ceil() as u32,
        }
    }

    /// The upright crop of the template rectangle `[x, y, w, h]` mm, at the scan's own
    /// resolution, with `inset` mm taken off every side (to leave the printed box lines
    /// out). Rotation is undone by sampling through the transform.
    pub fn crop(&self, r: [f32; 4], inset: f32) -> GrayImage {
        let s = self.transform.scale().max(1.0);
        let (x0, y0) = (r[0] + inset, r[1] + inset);
        let (wmm, hmm) = ((r[2] - 2.0 * inset).max(0.5), (r[3] - 2.0 * inset).max(0.5));
        let (w, h) = ((wmm * s).round() as u32, (hmm * s).round() as u32);
        let mut out = GrayImage::new(w.max(1), h.max(1));
        for v in 0..out.height() {
            for u in 0..out.width() {
                let mx = x0 + (u as f32 + 0.5) / s;
                let my = y0 + (v as f32 + 0.5) / s;
                let (px, py) = self.transform.apply(mx, my);
                out.put_pixel(u, v, Luma([sample_bilinear(&self.image, px, py)]));
            }
        }
        out
    }
}

/// Where one mark was found: pixel centre.
fn find_mark(
    img: &GrayImage,
    expect: (f32, f32),
    side_px: f32,
    search_px: f32,
) -> Option<(f32, f32)> {
    let (w, h) = (img.width() as f32, img.height() as f32);
    let x0 = (expect.0 - search_px).clamp(0.0, w) as u32;
    let y0 = (expect.1 - search_px).clamp(0.0, h) as u32;
    let x1 = (expect.0 + search_px).clamp(0.0, w) as u32;
    let y1 = (expect.1 + search_px).clamp(0.0, h) as u32;
    if x1 <= x0 || y1 <= y0 {
        return None;
    }
    // Ink level for marks: anything darker than mid-grey (marks are printed black).
    let ii = InkIntegral::new(img, x0, y0, x1 - x0, y1 - y0, 110);
    // The core: 80 % of the side, so that a rotated square still fills it.
    let core = (side_px * 0.8).round().max(2.0) as i64;
    let ring = (side_px * 0.45).round().max(2.0) as i64;
    let step = (core / 8).max(1);
    let (ww, hh) = (ii.width() as i64, ii.height() as i64);
    let mut best: Option<(f32, i64, i64)> = None;
    let core_area = (core * core) as f32;
    let outer = core + 2 * ring;
    let ring_area = (outer * outer - core * core) as f32;
    let mut y = 0;
    while y + core <= hh {
        let mut x = 0;
        while x + core <= ww {
            let inside = ii.count(x, y, core, core) as f32 / core_area;
            if inside > 0.85 {
                let around = ii.count(x - ring, y - ring, outer, outer) as f32
                    - ii.count(x, y, core, core) as f32;
                let score = inside - around / ring_area;
                if best.is_none_or(|b| score > b.0) {
                    best = Some((score, x, y));
                }
            }
            x += step;
        }
        y += step;
    }
    let (score, bx, by) = best?;
    // A mark is solid inside and stands alone: most of the ring must be paper. (The ring
    // holds the rest of the mark itself, up to about 45 % of it, when the core is offset.)
    if score < 0.5 {
        return None;
    }
    // Ink centroid of the square around the best core, a little enlarged.
    let pad = (side_px * 0.35) as i64;
    let (cx0, cy0) = (i64::from(x0) + bx - pad, i64::from(y0) + by - pad);
    let span = core + 2 * pad;
    let (mut sx, mut sy, mut n) = (0.0f64, 0.0f64, 0.0f64);
    for yy in cy0.max(0)..(cy0 + span).min(i64::from(img.height())) {
        for xx in cx0.max(0)..(cx0 + span).min(i64::from(img.width())) {
            let Luma([v]) = *img.get_pixel(xx as u32, yy as u32);
            if v <= 110 {
                sx += xx as f64 + 0.5;
                sy += yy as f64 + 0.5;
                n += 1.0;
            }
        }
    }
    if n < f64::from(core_area) * 0.5 {
        return None;
    }
    Some(((sx / n) as f32, (sy / n) as f32))
}

/// Aligns page `page` (1-based) of a document to its template.
pub fn align(image: GrayImage, template: &Template, page: u32) -> Result<AlignedPage, OcrError> {
    // Nominal scale: the scan shows the whole sheet.
    let sx = image.width() as f32 / template.page.width;
    let sy = image.height() as f32 / template.page.height;
    let s0 = sx.min(sy);
    // A rotation of 3° about the middle of an A4 sheet moves a corner by 8 mm; with the
    // scanner's own shift, 20 mm around the nominal place is enough.
    let search = 20.0 * s0;
    let mut from = Vec::new();
    let mut to = Vec::new();
    for m in &template.marks {
        let found = find_mark(&image, (m.x * s0, m.y * s0), m.size * s0, search);
        if let Some(c) = found {
            from.push((m.x, m.y));
            to.push(c);
        }
    }
    let not_found = || OcrError::MarksNotFound {
        page,
        found: to.len(),
        expected: template.marks.len(),
    };
    if to.len() < 3 || to.len() + 1 < template.marks.len() {
        return Err(not_found());
    }
    let t = Transform::fit(&from, &to).ok_or_else(not_found)?;
    let s = t.scale();
    let residual_mm = from
        .iter()
        .zip(&to)
        .map(|(f, p)| {
            let q = t.apply(f.0, f.1);
            (q.0 - p.0).hypot(q.1 - p.1) / s
        })
        .sum::<f32>()
        / from.len() as f32;
    // A right form fits to a fraction of a millimetre; more means a wrong mark (a seal, a
    // different form) or a bent page.
    if residual_mm > 1.5 || (s / s0 - 1.0).abs() > 0.08 || t.rotation_deg().abs() > 6.0 {
        return Err(not_found());
    }
    Ok(AlignedPage {
        page,
        marks_found: to.len(),
        image,
        transform: t,
        residual_mm,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::raster::fill_rect;
    use crate::template::builtin_by_id;

    /// A blank page of the template with its marks drawn through `t`.
    fn page_with_marks(
        tpl: &Template,
        t: &Transform,
        w: u32,
        h: u32,
        skip: Option<usize>,
    ) -> GrayImage {
        let mut img = GrayImage::from_pixel(w, h, Luma([245]));
        for (i, m) in tpl.marks.iter().enumerate() {
            if Some(i) == skip {
                continue;
            }
            // Rasterise the rotated square by testing pixel centres.
            let half = m.size / 2.0;
            let (cx, cy) = t.apply(m.x, m.y);
            let r = (m.size * t.scale()) as i64;
            for y in (cy as i64 - r)..(cy as i64 + r) {
                for x in (cx as i64 - r)..(cx as i64 + r) {
                    // Pixel → mm through the inverse transform.
                    let (dx, dy) = (x as f32 + 0.5 - t.tx, y as f32 + 0.5 - t.ty);
                    let s2 = t.a * t.a + t.b * t.b;
                    let (mx, my) = ((t.a * dx + t.b * dy) / s2, (-t.b * dx + t.a * dy) / s2);
                    let inside = x >= 0 && y >= 0 && x < i64::from(w) && y < i64::from(h);
                    if inside && (mx - m.x).abs() <= half && (my - m.y).abs() <= half {
                        img.put_pixel(x as u32, y as u32, Luma([10]));
                    }
                }
            }
        }
        // Text-like clutter near a mark must not be taken for it.
        fill_rect(&mut img, 20.0 * t.scale(), 20.0 * t.scale(), 30.0, 4.0, 0);
        img
    }

    /// Scale, a rotation about the middle of an A4 sheet (as a scanner's skew), then a
    /// shift in pixels.
    fn transform(scale: f32, deg: f32, tx: f32, ty: f32) -> Transform {
        let (s, c) = deg.to_radians().sin_cos();
        let (a, b) = (scale * c, scale * s);
        let (cx, cy) = (105.0, 148.5);
        // Keep the middle where an unrotated sheet would have it.
        Transform {
            a,
            b,
            tx: tx + scale * cx - (a * cx - b * cy),
            ty: ty + scale * cy - (b * cx + a * cy),
        }
    }

    #[test]
    fn fit_recovers_a_similarity_transform() {
        let t = transform(11.8, 1.7, 30.0, -12.0);
        let from = [(12.0, 12.0), (198.0, 12.0), (12.0, 285.0), (198.0, 285.0)];
        let to: Vec<_> = from.iter().map(|p| t.apply(p.0, p.1)).collect();
        let f = Transform::fit(&from, &to).unwrap();
        assert!((f.scale() - 11.8).abs() < 1e-3);
        assert!((f.rotation_deg() - 1.7).abs() < 1e-3);
        assert!((f.tx - t.tx).abs() < 0.05 && (f.ty - t.ty).abs() < 0.05);
        assert!(Transform::fit(&from[..1], &to[..1]).is_none());
    }

    #[test]
    fn marks_are_found_through_rotation_shift_and_scale() {
        let tpl = builtin_by_id("shikaku-shutoku-todoke").unwrap();
        for (deg, skip) in [(0.0, None), (2.8, None), (-3.0, Some(2)), (1.2, Some(0))] {
            // 200 dpi, 0.5 % large, shifted: the corner marks stay on the sheet.
            let t = transform(200.0 / 25.4 * 1.005, deg, 6.0, -10.0);
            let img = page_with_marks(&tpl, &t, 1654, 2339, skip);
            let p = align(img, &tpl, 1).unwrap();
            assert!(
                (p.transform.rotation_deg() - deg).abs() < 0.1,
                "{deg}: {}",
                p.transform.rotation_deg()
            );
            assert!((p.transform.scale() - t.scale()).abs() < 0.02);
            // A field corner lands within a third of a millimetre.
            let (x, y) = p.transform.apply(58.0, 125.0);
            let (ex, ey) = t.apply(58.0, 125.0);
            assert!((x - ex).hypot(y - ey) < 0.33 * t.scale(), "{deg}");
            assert_eq!(p.marks_found, if skip.is_some() { 3 } else { 4 }, "{deg}");
        }
    }

    #[test]
    fn a_page_without_marks_is_refused_with_a_japanese_message() {
        let tpl = builtin_by_id("seikyusho").unwrap();
        let img = GrayImage::from_pixel(1654, 2339, Luma([250]));
        let e = align(img, &tpl, 2).unwrap_err();
        assert_eq!(e.code(), "ocr.marks_not_found");
        assert!(
            e.to_string().starts_with("2ページ目の位置合わせマーク"),
            "{e}"
        );
    }

    #[test]
    fn crop_undoes_rotation() {
        // A horizontal bar drawn rotated comes out horizontal in the crop.
        let t = transform(10.0, 2.5, 40.0, 20.0);
        let mut img = GrayImage::from_pixel(800, 600, Luma([255]));
        for i in 0..400 {
            let x = 10.0 + i as f32 * 0.1;
            for j in 0..10 {
                let y = 20.0 + j as f32 * 0.1;
                let (px, py) = t.apply(x, y);
                img.put_pixel(px as u32, py as u32, Luma([0]));
            }
        }
        let p = AlignedPage {
            page: 1,
            image: img,
            transform: t,
            residual_mm: 0.0,
            marks_found: 4,
        };
        let crop = p.crop([10.0, 18.0, 40.0, 5.0], 0.0);
        // Rows 20..21 mm (pixels 20..30) are dark across the width; rows far away are not.
        let dark = |row: u32| {
            (5..395)
                .filter(|&x| crop.get_pixel(x, row).0[0] < 128)
                .count()
        };
        assert!(dark(25) > 380, "{}", dark(25));
        assert_eq!(dark(5), 0);
        assert_eq!(dark(45), 0);
    }
}
