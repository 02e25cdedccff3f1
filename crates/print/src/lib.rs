//! Printouts of Kyosai Desk: A4 portrait documents with the 決裁欄 (approval block) and,
//! while a document is undecided, a 「未決裁」 watermark on every page.
//!
//! [`render`] lays out a [`PrintDoc`] — a heading, the 決裁欄, a table of fields and a
//! body of text that flows onto further pages — with printpdf 0.12 and a Japanese
//! TrueType font ([`Fonts`]: BIZ UDGothic from the repository's `assets/fonts`, built into
//! the binary under the SIL Open Font License), embedding only the glyphs used.
//! [`approval_block`] turns a document's approval state into the 決裁欄's columns: the
//! drafter, then every slot of the frozen route with who acted, when (和暦), and marks for
//! 代決, 引上げ and 後閲.
//!
//! The layout measures text itself: BIZ UDGothic is fixed-pitch (full-width glyphs 1 em,
//! half-width 0.5 em), which [`em_width`] encodes; with another font the widths are an
//! approximation of the same kind.

use std::path::{Path, PathBuf};

pub mod documents;
pub mod flow_table;
pub mod procurement;

use kyosai_domain::approval::{ApprovalState, Filled, Status};
use printpdf::{
    Color, Greyscale, Line, LinePoint, Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Pt, TextItem, TextMatrix,
};

/// Why a printout could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error("印刷用のフォント {path} を読み込めません。IT管理者に連絡してください。")]
    FontInvalid { path: String },
}

impl PrintError {
    /// The stable code the UI switches on.
    pub fn code(&self) -> &'static str {
        match self {
            PrintError::FontInvalid { .. } => "print.font_invalid",
        }
    }
}

/// The font a printout is set in.
#[derive(Clone)]
pub struct Fonts {
    regular: ParsedFont,
    /// Where it was read from (for the diagnostics screen and logs).
    pub path: PathBuf,
}

/// BIZ UDGothic Regular (assets/fonts, SIL Open Font License 1.1; see OFL.txt there).
const BUILTIN_FONT: &[u8] = include_bytes!("../../../assets/fonts/BIZUDGothic-Regular.ttf");

impl std::fmt::Debug for Fonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fonts").field("path", &self.path).finish()
    }
}

impl Fonts {
    /// Reads a TrueType / OpenType font (the first face of a collection).
    pub fn load(path: &Path) -> Result<Fonts, PrintError> {
        let invalid = || PrintError::FontInvalid {
            path: path.display().to_string(),
        };
        let bytes = std::fs::read(path).map_err(|_| invalid())?;
        let regular = ParsedFont::from_bytes(&bytes, 0, &mut Vec::new()).ok_or_else(invalid)?;
        Ok(Fonts {
            regular,
            path: path.to_path_buf(),
        })
    }

    /// The font built into the app (BIZ UDGothic), parsed once per process.
    pub fn builtin() -> Result<&'static Fonts, PrintError> {
        static FONTS: std::sync::OnceLock<Option<Fonts>> = std::sync::OnceLock::new();
        FONTS
            .get_or_init(|| {
                ParsedFont::from_bytes(BUILTIN_FONT, 0, &mut Vec::new()).map(|regular| Fonts {
                    regular,
                    path: PathBuf::from("assets/fonts/BIZUDGothic-Regular.ttf"),
                })
            })
            .as_ref()
            .ok_or_else(|| PrintError::FontInvalid {
                path: "assets/fonts/BIZUDGothic-Regular.ttf".to_string(),
            })
    }

    /// The font named by `KYOSAI_PDF_FONT` (IT's override), else the built-in one.
    pub fn find() -> Result<std::borrow::Cow<'static, Fonts>, PrintError> {
        match std::env::var_os("KYOSAI_PDF_FONT") {
            Some(path) => Fonts::load(Path::new(&path)).map(std::borrow::Cow::Owned),
            None => Fonts::builtin().map(std::borrow::Cow::Borrowed),
        }
    }
}

/// One column of the 決裁欄.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalCell {
    /// 「起案者」「所属所長」「課長」 …
    pub title: String,
    /// Who acted (for 代決: the delegate), empty while pending.
    pub name: Option<String>,
    /// 「R8.11.26」.
    pub date: Option<String>,
    /// 「代決」「引上げ」「差戻し」「却下」.
    pub mark: Option<String>,
    /// A second, smaller line under the mark: 「中島 浩 後閲待ち」「後閲済」.
    pub note: Option<String>,
}

/// The 決裁欄: columns left to right.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApprovalBlock {
    pub columns: Vec<ApprovalCell>,
}

/// A document to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintDoc {
    /// 「起案文書」 …
    pub heading: String,
    /// Shown under the heading at the right, e.g. the document id.
    pub reference: Option<String>,
    /// Label and value rows (件名, 起案日, 金額, …).
    pub fields: Vec<(String, String)>,
    /// The label above the body (「内容」), if any.
    pub body_label: Option<String>,
    /// Free text; line breaks are kept, long lines wrap.
    pub body: String,
    pub approval: ApprovalBlock,
    /// Decided documents print without the 「未決裁」 watermark.
    pub decided: bool,
    /// The footer's 「印刷日時 …」 text.
    pub printed_at: String,
}

/// 「R8.11.26」: the short 和暦 date of the 決裁欄.
pub fn short_wareki(date: chrono::NaiveDate) -> String {
    match kyosai_domain::wareki::from_seireki(date) {
        Ok(w) => kyosai_domain::wareki::format_wareki_short(&w),
        Err(_) => date.format("%Y.%m.%d").to_string(),
    }
}

/// The 決裁欄 of a document under approval: the drafter, then each slot of the frozen
/// route. `name_of` turns a user id into the name printed.
pub fn approval_block(state: &ApprovalState, name_of: &dyn Fn(&str) -> String) -> ApprovalBlock {
    let date = |at: chrono::DateTime<chrono::Utc>| {
        Some(short_wareki(kyosai_domain::approval::jst(at).date()))
    };
    let mut columns = vec![ApprovalCell {
        title: "起案者".to_string(),
        name: Some(name_of(&state.drafter)),
        date: date(state.submitted_at),
        mark: None,
        note: None,
    }];
    for (i, step) in state.steps.iter().enumerate() {
        for (j, slot) in step.slots.iter().enumerate() {
            let title = if step.slots.len() > 1 {
                format!("合議 {}", slot.approver.name_ja())
            } else {
                slot.approver.name_ja().to_string()
            };
            let post_read = state
                .post_reads
                .iter()
                .rev()
                .find(|p| p.round == state.round && p.step == i && p.slot == j);
            let cell = match &slot.done {
                None => ApprovalCell {
                    title,
                    name: None,
                    date: None,
                    mark: None,
                    note: None,
                },
                Some(done) => {
                    let read = match post_read {
                        Some(p) if !p.is_open() => "後閲済",
                        Some(_) => "後閲待ち",
                        None => "",
                    };
                    let (mark, note) = match &done.filled {
                        Filled::Approved => (None, None),
                        Filled::Delegated { for_user } => (
                            Some("代決".to_string()),
                            Some(format!("{} {read}", name_of(for_user)).trim().to_string()),
                        ),
                        Filled::PulledUp => (
                            Some("引上げ".to_string()),
                            (!read.is_empty()).then(|| read.to_string()),
                        ),
                    };
                    ApprovalCell {
                        title,
                        name: Some(name_of(&done.by)),
                        date: date(done.at),
                        mark,
                        note,
                    }
                }
            };
            columns.push(cell);
        }
    }
    // 差戻し / 却下: marked in the column of the step that decided so.
    if matches!(state.status, Status::Returned | Status::Rejected) {
        if let Some(act) = state.history.iter().rev().find(|a| {
            matches!(
                a.kind,
                kyosai_domain::approval::ActKind::Return | kyosai_domain::approval::ActKind::Reject
            )
        }) {
            let ordinal = act.step.map(|s| state.ordinal(s, 0));
            if let Some(cell) = ordinal.and_then(|n| columns.get_mut(n)) {
                cell.name = Some(name_of(&act.by));
                cell.date = date(act.at);
                cell.mark = Some(state.status.label_ja().to_string());
            }
        }
    }
    ApprovalBlock { columns }
}

/// The width of a character in em for a fixed-pitch Japanese font: half-width forms
/// (ASCII, half-width katakana) 0.5, everything else 1.
pub fn em_width(c: char) -> f32 {
    match c {
        ' '..='~' | '\u{FF61}'..='\u{FF9F}' => 0.5,
        '\t' => 2.0,
        _ => 1.0,
    }
}

fn text_width(s: &str, size: f32) -> f32 {
    s.chars().map(em_width).sum::<f32>() * size
}

/// Splits `text` into lines no wider than `max` points at `size`, keeping its line
/// breaks; 行頭禁則: a closing mark never starts a line.
pub fn wrap(text: &str, size: f32, max: f32) -> Vec<String> {
    const NO_LINE_START: &str =
        "、。，．）」』】〕〉》・ー ゃゅょっぁぃぅぇぉャュョッァィゥェォ!?！？)]},.";
    let mut out = Vec::new();
    for para in text.split('\n') {
        let para = para.trim_end_matches('\r');
        let mut line = String::new();
        let mut width = 0.0;
        for c in para.chars() {
            let w = em_width(c) * size;
            if width + w > max && !line.is_empty() && !NO_LINE_START.contains(c) {
                out.push(std::mem::take(&mut line));
                width = 0.0;
            }
            line.push(c);
            width += w;
        }
        out.push(line);
    }
    out
}

const PAGE_W: f32 = 210.0;
const PAGE_H: f32 = 297.0;
const MARGIN: f32 = 18.0;
const BLACK: f32 = 0.0;

fn grey(percent: f32) -> Color {
    Color::Greyscale(Greyscale {
        percent,
        icc_profile: None,
    })
}

fn pt(mm: f32) -> Pt {
    Mm(mm).into_pt()
}

struct Page {
    ops: Vec<Op>,
    font: PdfFontHandle,
}

impl Page {
    fn new(font: &PdfFontHandle) -> Page {
        Page {
            ops: Vec::new(),
            font: font.clone(),
        }
    }

    /// Text with its baseline's left end at (x, y) mm.
    fn text(&mut self, x: f32, y: f32, size: f32, s: &str) {
        if s.is_empty() {
            return;
        }
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFont {
                font: self.font.clone(),
                size: Pt(size),
            },
            Op::SetTextCursor {
                pos: Point::new(Mm(x), Mm(y)),
            },
            Op::ShowText {
                items: vec![TextItem::Text(s.to_string())],
            },
            Op::EndTextSection,
        ]);
    }

    /// Text centred on x.
    fn text_centered(&mut self, cx: f32, y: f32, size: f32, s: &str) {
        let w = text_width(s, size) / Mm(1.0).into_pt().0;
        self.text(cx - w / 2.0, y, size, s);
    }

    /// Text at the largest size not above `size` that fits `max_mm`, centred.
    fn text_fit(&mut self, cx: f32, y: f32, size: f32, max_mm: f32, s: &str) {
        let per_mm = Mm(1.0).into_pt().0;
        let w = text_width(s, size) / per_mm;
        let size = if w > max_mm { size * max_mm / w } else { size };
        self.text_centered(cx, y, size, s);
    }

    fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, width: f32) {
        self.ops.extend([
            Op::SetOutlineColor { col: grey(BLACK) },
            Op::SetOutlineThickness { pt: Pt(width) },
            Op::DrawLine {
                line: Line {
                    points: vec![
                        LinePoint {
                            p: Point::new(Mm(x1), Mm(y1)),
                            bezier: false,
                        },
                        LinePoint {
                            p: Point::new(Mm(x2), Mm(y2)),
                            bezier: false,
                        },
                    ],
                    is_closed: false,
                },
            },
        ]);
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, width: f32) {
        self.line(x, y, x + w, y, width);
        self.line(x + w, y, x + w, y + h, width);
        self.line(x + w, y + h, x, y + h, width);
        self.line(x, y + h, x, y, width);
    }

    /// 「未決裁」 across the page, light grey, under everything drawn after it.
    fn watermark(&mut self) {
        let size = 110.0;
        let s = "未決裁";
        let w = text_width(s, size);
        // Centre of the page, text rotated 45° about its own start.
        let (cx, cy) = (pt(PAGE_W / 2.0).0, pt(PAGE_H / 2.0).0);
        let angle = 45.0_f32;
        let (sin, cos) = angle.to_radians().sin_cos();
        // Start so that the middle of the text's baseline-ish centre lands on the centre.
        let (dx, dy) = (w / 2.0, size * 0.35);
        let x = cx - dx * cos + dy * sin;
        let y = cy - dx * sin - dy * cos;
        self.ops.extend([
            Op::SaveGraphicsState,
            Op::SetFillColor { col: grey(0.86) },
            Op::StartTextSection,
            Op::SetFont {
                font: self.font.clone(),
                size: Pt(size),
            },
            Op::SetTextMatrix {
                matrix: TextMatrix::Raw([cos, sin, -sin, cos, x, y]),
            },
            Op::ShowText {
                items: vec![TextItem::Text(s.to_string())],
            },
            Op::EndTextSection,
            Op::RestoreGraphicsState,
            Op::SetFillColor { col: grey(BLACK) },
        ]);
    }
}

const CELL_W: f32 = 21.0;
const CELL_HEAD: f32 = 6.0;
const CELL_BODY: f32 = 21.0;
const CELLS_PER_ROW: usize = 8;

/// Draws the 決裁欄 right-aligned with its top at `top`; returns its bottom.
fn draw_block(page: &mut Page, block: &ApprovalBlock, top: f32) -> f32 {
    let mut y_top = top;
    for row in block.columns.chunks(CELLS_PER_ROW) {
        let x0 = PAGE_W - MARGIN - CELL_W * row.len() as f32;
        let bottom = y_top - CELL_HEAD - CELL_BODY;
        page.rect(
            x0,
            bottom,
            CELL_W * row.len() as f32,
            CELL_HEAD + CELL_BODY,
            0.8,
        );
        page.line(
            x0,
            y_top - CELL_HEAD,
            PAGE_W - MARGIN,
            y_top - CELL_HEAD,
            0.5,
        );
        for (i, cell) in row.iter().enumerate() {
            let x = x0 + CELL_W * i as f32;
            if i > 0 {
                page.line(x, bottom, x, y_top, 0.5);
            }
            let cx = x + CELL_W / 2.0;
            page.text_fit(cx, y_top - CELL_HEAD + 1.8, 7.5, CELL_W - 2.0, &cell.title);
            if let Some(name) = &cell.name {
                page.text_fit(cx, y_top - CELL_HEAD - 6.5, 9.0, CELL_W - 2.0, name);
            }
            if let Some(date) = &cell.date {
                page.text_fit(cx, y_top - CELL_HEAD - 11.5, 7.5, CELL_W - 2.0, date);
            }
            if let Some(mark) = &cell.mark {
                page.text_fit(
                    cx,
                    y_top - CELL_HEAD - 15.8,
                    7.5,
                    CELL_W - 2.0,
                    &format!("［{mark}］"),
                );
            }
            if let Some(note) = &cell.note {
                page.text_fit(cx, y_top - CELL_HEAD - 19.2, 6.0, CELL_W - 1.5, note);
            }
        }
        y_top = bottom - 2.0;
    }
    y_top
}

/// Renders `doc` as an A4 PDF.
pub fn render(doc: &PrintDoc, fonts: &Fonts) -> Vec<u8> {
    let mut pdf = PdfDocument::new(&doc.heading);
    let font = PdfFontHandle::External(pdf.add_font(&fonts.regular));
    let mut pages: Vec<Page> = Vec::new();
    let new_page = |pages: &mut Vec<Page>| {
        let mut p = Page::new(&font);
        if !doc.decided {
            p.watermark();
        }
        pages.push(p);
    };
    new_page(&mut pages);
    let content_w = PAGE_W - 2.0 * MARGIN;
    let mut y;
    {
        let Some(page) = pages.last_mut() else {
            return Vec::new();
        };
        page.text(MARGIN, PAGE_H - MARGIN - 8.0, 18.0, &doc.heading);
        if let Some(r) = &doc.reference {
            page.text(MARGIN, PAGE_H - MARGIN - 14.0, 8.0, r);
        }
        let block_top = PAGE_H - MARGIN - 20.0;
        y = if doc.approval.columns.is_empty() {
            block_top
        } else {
            page.text(
                PAGE_W - MARGIN - CELL_W * doc.approval.columns.len().min(CELLS_PER_ROW) as f32,
                block_top + 1.5,
                8.0,
                "決裁欄",
            );
            draw_block(page, &doc.approval, block_top)
        } - 6.0;
        // Fields: label | value.
        let label_w = 30.0;
        for (label, value) in &doc.fields {
            let lines = wrap(value, 10.5, pt(content_w - label_w - 4.0).0);
            let h = 3.0 + 5.5 * lines.len() as f32 + 1.5;
            page.rect(MARGIN, y - h, content_w, h, 0.6);
            page.line(MARGIN + label_w, y - h, MARGIN + label_w, y, 0.4);
            page.text(MARGIN + 2.0, y - 5.5, 9.5, label);
            for (i, l) in lines.iter().enumerate() {
                page.text(MARGIN + label_w + 2.0, y - 5.5 - 5.5 * i as f32, 10.5, l);
            }
            y -= h;
        }
        y -= 8.0;
        if let Some(label) = &doc.body_label {
            page.text(MARGIN, y, 10.5, &format!("【{label}】"));
            y -= 7.0;
        }
    }
    let line_h = 6.0;
    let bottom = MARGIN + 10.0;
    for l in wrap(&doc.body, 10.5, pt(content_w).0) {
        if y < bottom {
            new_page(&mut pages);
            y = PAGE_H - MARGIN - 8.0;
            if let Some(p) = pages.last_mut() {
                p.text(MARGIN, y, 9.0, &format!("{}（続き）", doc.heading));
            }
            y -= 10.0;
        }
        if let Some(p) = pages.last_mut() {
            p.text(MARGIN, y, 10.5, &l);
        }
        y -= line_h;
    }
    finish_pages(pdf, pages, &doc.printed_at, PAGE_W, PAGE_H, MARGIN)
}

/// Numbers the pages 「n / total」 at the foot, puts the print time at the foot's left,
/// and saves the document with its fonts subset (only the glyphs used are embedded).
pub(crate) fn finish_pages(
    pdf: PdfDocument,
    pages: Vec<Page>,
    printed_at: &str,
    page_w: f32,
    page_h: f32,
    margin: f32,
) -> Vec<u8> {
    let total = pages.len();
    let pdf_pages: Vec<PdfPage> = pages
        .into_iter()
        .enumerate()
        .map(|(i, mut p)| {
            p.text_centered(
                page_w / 2.0,
                margin - 6.0,
                8.0,
                &format!("{} / {}", i + 1, total),
            );
            p.text(margin, margin - 6.0, 7.5, printed_at);
            PdfPage::new(Mm(page_w), Mm(page_h), p.ops)
        })
        .collect();
    let mut pdf = pdf;
    pdf.with_pages(pdf_pages).save(
        &PdfSaveOptions {
            subset_fonts: true,
            ..PdfSaveOptions::default()
        },
        &mut Vec::new(),
    )
}

#[cfg(test)]
mod tests;
