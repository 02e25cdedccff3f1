//! Small raster helpers over 8-bit grey images: bilinear sampling, ink measures and the
//! drawing the sample generator needs. Black is 0, paper is 255.

use image::GrayImage;

/// Grey level at or below which a pixel counts as ink.
pub const INK_LEVEL: u8 = 140;

/// The grey value at a real-valued position (pixel centres at `i + 0.5`), bilinear;
/// outside the image: white paper.
pub fn sample_bilinear(img: &GrayImage, x: f32, y: f32) -> u8 {
    let fx = x - 0.5;
    let fy = y - 0.5;
    let x0 = fx.floor();
    let y0 = fy.floor();
    let dx = fx - x0;
    let dy = fy - y0;
    let (w, h) = (img.width() as i64, img.height() as i64);
    let raw = img.as_raw();
    let px = |xi: i64, yi: i64| -> f32 {
        if xi < 0 || yi < 0 || xi >= w || yi >= h {
            255.0
        } else {
            // In range: index fits (checked above).
            let i = (yi * w + xi) as usize;
            f32::from(raw.get(i).copied().unwrap_or(255))
        }
    };
    let (xi, yi) = (x0 as i64, y0 as i64);
    let top = px(xi, yi) * (1.0 - dx) + px(xi + 1, yi) * dx;
    let bottom = px(xi, yi + 1) * (1.0 - dx) + px(xi + 1, yi + 1) * dx;
    let v = top * (1.0 - dy) + bottom * dy;
    v.round().clamp(0.0, 255.0) as u8
}

/// The fraction of pixels that are ink (≤ [`INK_LEVEL`]).
pub fn ink_fraction(img: &GrayImage) -> f32 {
    let n = img.as_raw().len();
    if n == 0 {
        return 0.0;
    }
    let ink = img.as_raw().iter().filter(|&&v| v <= INK_LEVEL).count();
    ink as f32 / n as f32
}

/// An integral image of ink pixels, for counting ink in rectangles in constant time.
#[derive(Debug)]
pub struct InkIntegral {
    w: usize,
    h: usize,
    sums: Vec<u32>,
}

impl InkIntegral {
    /// Builds the integral of the window `[x0, x0 + w) × [y0, y0 + h)` of `img` (clipped).
    pub fn new(img: &GrayImage, x0: u32, y0: u32, w: u32, h: u32, level: u8) -> Self {
        let x1 = (x0 + w).min(img.width());
        let y1 = (y0 + h).min(img.height());
        let (ww, hh) = (
            x1.saturating_sub(x0) as usize,
            y1.saturating_sub(y0) as usize,
        );
        let mut sums = vec![0u32; (ww + 1) * (hh + 1)];
        let raw = img.as_raw();
        let stride = img.width() as usize;
        for y in 0..hh {
            let mut row = 0u32;
            let base = (y0 as usize + y) * stride + x0 as usize;
            for x in 0..ww {
                let v = raw.get(base + x).copied().unwrap_or(255);
                row += u32::from(v <= level);
                let above = sums[y * (ww + 1) + x + 1];
                sums[(y + 1) * (ww + 1) + x + 1] = above + row;
            }
        }
        Self { w: ww, h: hh, sums }
    }

    /// Window width.
    pub fn width(&self) -> usize {
        self.w
    }

    /// Window height.
    pub fn height(&self) -> usize {
        self.h
    }

    /// Ink pixels in `[x, x + w) × [y, y + h)` (window coordinates, clipped).
    pub fn count(&self, x: i64, y: i64, w: i64, h: i64) -> u32 {
        let cx = |v: i64| v.clamp(0, self.w as i64) as usize;
        let cy = |v: i64| v.clamp(0, self.h as i64) as usize;
        let (xa, xb, ya, yb) = (cx(x), cx(x + w), cy(y), cy(y + h));
        let at = |xx: usize, yy: usize| self.sums[yy * (self.w + 1) + xx];
        (at(xb, yb) + at(xa, ya)).saturating_sub(at(xa, yb) + at(xb, ya))
    }
}

/// Darkens a pixel towards `ink` by `coverage` (0–1); never lightens.
pub fn blend(img: &mut GrayImage, x: i64, y: i64, ink: u8, coverage: f32) {
    if x < 0 || y < 0 || x >= i64::from(img.width()) || y >= i64::from(img.height()) {
        return;
    }
    let p = img.get_pixel_mut(x as u32, y as u32);
    let cur = f32::from(p.0[0]);
    let c = coverage.clamp(0.0, 1.0);
    let v = cur * (1.0 - c) + f32::from(ink) * c;
    p.0[0] = (v.round() as u8).min(p.0[0]);
}

/// Fills an axis-aligned rectangle (pixels).
pub fn fill_rect(img: &mut GrayImage, x: f32, y: f32, w: f32, h: f32, ink: u8) {
    let (x0, y0) = (x.round() as i64, y.round() as i64);
    let (x1, y1) = ((x + w).round() as i64, (y + h).round() as i64);
    for yy in y0..y1 {
        for xx in x0..x1 {
            blend(img, xx, yy, ink, 1.0);
        }
    }
}

/// Draws a line segment of the given thickness (pixels), anti-aliased.
pub fn line(img: &mut GrayImage, a: (f32, f32), b: (f32, f32), thickness: f32, ink: u8) {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let r = thickness / 2.0;
    let x0 = (a.0.min(b.0) - r - 1.0).floor() as i64;
    let x1 = (a.0.max(b.0) + r + 1.0).ceil() as i64;
    let y0 = (a.1.min(b.1) - r - 1.0).floor() as i64;
    let y1 = (a.1.max(b.1) + r + 1.0).ceil() as i64;
    for y in y0..=y1 {
        for x in x0..=x1 {
            let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
            let t = if len2 > 0.0 {
                (((px - a.0) * dx + (py - a.1) * dy) / len2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let (qx, qy) = (a.0 + t * dx - px, a.1 + t * dy - py);
            let d = (qx * qx + qy * qy).sqrt();
            let cov = (r + 0.5 - d).clamp(0.0, 1.0);
            if cov > 0.0 {
                blend(img, x, y, ink, cov);
            }
        }
    }
}

/// Draws a rectangle outline (pixels).
pub fn rect_outline(img: &mut GrayImage, x: f32, y: f32, w: f32, h: f32, t: f32, ink: u8) {
    line(img, (x, y), (x + w, y), t, ink);
    line(img, (x, y + h), (x + w, y + h), t, ink);
    line(img, (x, y), (x, y + h), t, ink);
    line(img, (x + w, y), (x + w, y + h), t, ink);
}

/// Whitens connected groups of ink pixels (8-connected) of at most `max_area` pixels:
/// specks of dust and scanner noise. Returns how many pixels were whitened.
pub fn remove_specks(img: &mut GrayImage, max_area: usize) -> usize {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let mut seen = vec![false; w * h];
    let mut removed = 0;
    let mut stack = Vec::new();
    let mut group = Vec::new();
    for start in 0..w * h {
        if seen[start] || img.as_raw()[start] > INK_LEVEL {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        group.clear();
        while let Some(i) = stack.pop() {
            group.push(i);
            let (x, y) = (i % w, i / w);
            for dy in [-1i64, 0, 1] {
                for dx in [-1i64, 0, 1] {
                    let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                    if nx < 0 || ny < 0 || nx >= w as i64 || ny >= h as i64 {
                        continue;
                    }
                    let j = ny as usize * w + nx as usize;
                    if !seen[j] && img.as_raw()[j] <= INK_LEVEL {
                        seen[j] = true;
                        stack.push(j);
                    }
                }
            }
        }
        if group.len() <= max_area {
            let buf: &mut [u8] = img;
            for &i in &group {
                buf[i] = 255;
            }
            removed += group.len();
        }
    }
    removed
}

/// Whitens what is left of printed box lines along the edges of a crop: within `depth`
/// pixels of each edge, a row (top and bottom) or column (left and right) that is ink for
/// more than 60 % of its length. Text rarely is, this close to the edge.
pub fn clear_border_lines(img: &mut GrayImage, depth: u32) {
    let (w, h) = img.dimensions();
    if w == 0 || h == 0 {
        return;
    }
    let ink_col = |img: &GrayImage, x: u32| {
        (0..h)
            .filter(|&y| img.get_pixel(x, y).0[0] <= INK_LEVEL)
            .count()
    };
    let ink_row = |img: &GrayImage, y: u32| {
        (0..w)
            .filter(|&x| img.get_pixel(x, y).0[0] <= INK_LEVEL)
            .count()
    };
    let d = depth.min(w / 2).min(h / 2);
    let mut cols: Vec<u32> = (0..d).chain(w.saturating_sub(d)..w).collect();
    cols.dedup();
    let mut rows: Vec<u32> = (0..d).chain(h.saturating_sub(d)..h).collect();
    rows.dedup();
    let bad_cols: Vec<u32> = cols
        .into_iter()
        .filter(|&x| ink_col(img, x) * 10 > h as usize * 6)
        .collect();
    let bad_rows: Vec<u32> = rows
        .into_iter()
        .filter(|&y| ink_row(img, y) * 10 > w as usize * 6)
        .collect();
    for x in bad_cols {
        for y in 0..h {
            img.put_pixel(x, y, image::Luma([255]));
        }
    }
    for y in bad_rows {
        for x in 0..w {
            img.put_pixel(x, y, image::Luma([255]));
        }
    }
}

/// The bounding box `(x, y, w, h)` of the text in a field crop: runs of ink columns
/// joined across gaps of at most `max_gap` pixels (a full-width space between family and
/// given name is smaller; a speck at the far end of the box is farther), the group with
/// the most ink kept. `None` without ink.
pub fn text_bounds(img: &GrayImage, max_gap: u32) -> Option<(u32, u32, u32, u32)> {
    let (w, h) = img.dimensions();
    let mut cols = vec![0u32; w as usize];
    for (x, _, p) in img.enumerate_pixels() {
        if p.0[0] <= INK_LEVEL {
            cols[x as usize] += 1;
        }
    }
    // Groups of columns: (first, last, ink).
    let mut groups: Vec<(u32, u32, u64)> = Vec::new();
    for (x, &n) in cols.iter().enumerate() {
        if n == 0 {
            continue;
        }
        let x = x as u32;
        match groups.last_mut() {
            Some(g) if x - g.1 <= max_gap + 1 => {
                g.1 = x;
                g.2 += u64::from(n);
            }
            _ => groups.push((x, x, u64::from(n))),
        }
    }
    let (x0, x1, _) = groups.into_iter().max_by_key(|g| g.2)?;
    let mut y0 = h;
    let mut y1 = 0;
    for y in 0..h {
        if (x0..=x1).any(|x| img.get_pixel(x, y).0[0] <= INK_LEVEL) {
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
    }
    (y1 >= y0).then_some((x0, y0, x1 - x0 + 1, y1 - y0 + 1))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use image::Luma;

    #[test]
    fn integral_counts_ink_in_rectangles() {
        let mut img = GrayImage::from_pixel(20, 10, Luma([255]));
        fill_rect(&mut img, 2.0, 3.0, 5.0, 4.0, 0);
        let ii = InkIntegral::new(&img, 0, 0, 20, 10, INK_LEVEL);
        assert_eq!(ii.count(0, 0, 20, 10), 20);
        assert_eq!(ii.count(2, 3, 5, 4), 20);
        assert_eq!(ii.count(3, 3, 5, 4), 16);
        assert_eq!(ii.count(-5, -5, 100, 100), 20);
        let shifted = InkIntegral::new(&img, 4, 0, 10, 10, INK_LEVEL);
        assert_eq!(shifted.count(0, 0, 10, 10), 12);
    }

    #[test]
    fn bilinear_is_exact_on_pixel_centres_and_white_outside() {
        let mut img = GrayImage::from_pixel(4, 4, Luma([200]));
        img.put_pixel(1, 1, Luma([0]));
        assert_eq!(sample_bilinear(&img, 1.5, 1.5), 0);
        assert_eq!(sample_bilinear(&img, 2.0, 1.5), 100);
        assert_eq!(sample_bilinear(&img, -10.0, 1.0), 255);
    }

    #[test]
    fn box_lines_at_the_edges_go_and_text_stays() {
        let mut img = GrayImage::from_pixel(100, 30, Luma([255]));
        fill_rect(&mut img, 97.0, 0.0, 2.0, 30.0, 0); // right box line
        fill_rect(&mut img, 0.0, 28.0, 100.0, 2.0, 0); // bottom box line
        fill_rect(&mut img, 20.0, 5.0, 2.0, 15.0, 0); // a stroke of text
        clear_border_lines(&mut img, 5);
        assert_eq!(img.get_pixel(98, 10).0[0], 255);
        assert_eq!(img.get_pixel(50, 29).0[0], 255);
        assert_eq!(img.get_pixel(20, 10).0[0], 0);
    }

    #[test]
    fn text_bounds_leave_a_distant_speck_out() {
        let mut img = GrayImage::from_pixel(300, 40, Luma([255]));
        fill_rect(&mut img, 10.0, 10.0, 30.0, 20.0, 0); // family name
        fill_rect(&mut img, 55.0, 10.0, 30.0, 20.0, 0); // given name, 15 px apart
        fill_rect(&mut img, 280.0, 30.0, 3.0, 3.0, 0); // dust far away
        assert_eq!(text_bounds(&img, 25), Some((10, 10, 75, 20)));
        assert_eq!(
            text_bounds(&GrayImage::from_pixel(5, 5, Luma([255])), 25),
            None
        );
    }

    #[test]
    fn specks_go_and_strokes_stay() {
        let mut img = GrayImage::from_pixel(40, 20, Luma([255]));
        fill_rect(&mut img, 2.0, 2.0, 2.0, 2.0, 0); // a 4-pixel speck
        fill_rect(&mut img, 10.0, 5.0, 20.0, 3.0, 0); // a 60-pixel stroke
        assert_eq!(remove_specks(&mut img, 8), 4);
        assert_eq!(img.get_pixel(2, 2).0[0], 255);
        assert_eq!(img.get_pixel(15, 6).0[0], 0);
    }

    #[test]
    fn ink_fraction_of_a_half_black_image() {
        let mut img = GrayImage::from_pixel(10, 10, Luma([255]));
        fill_rect(&mut img, 0.0, 0.0, 10.0, 5.0, 0);
        assert!((ink_fraction(&img) - 0.5).abs() < 1e-6);
    }
}
