//! The DX plan's 業務フロー table (第2章 8 「2 業務フロー図」) as an A4 landscape PDF:
//! one row per process step with 処理順序, プロセス, 実施者, 手段, 処理時間 分/件,
//! 処理件数 件/年 and 処理時間 時間/年, a subtotal per process, the total, and a note on
//! how the figures were measured. The header row repeats on every page.
//!
//! The figures are the central service's ([`kyosai_domain::flow::FlowRow`]); this module
//! only lays them out. 時間/年 is printed in hours (the plan's sample row shows minutes
//! under that heading; the note says so).

use kyosai_domain::flow::FlowRow;
use printpdf::{Mm, PdfDocument, PdfFontHandle};

use crate::{text_width, wrap, Fonts, Page};

/// The printout's title.
pub const TITLE: &str = "業務フロー（処理時間）";

/// What the table shows and for what.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowTableDoc {
    /// 「2025年4月1日～2026年3月31日（令和7年4月1日～令和8年3月31日）」.
    pub period: String,
    /// 「全所属所」 or 「新宿区役所（13104）」.
    pub office: String,
    /// 「2026年11月27日 9時30分 時点」.
    pub as_of: String,
    pub rows: Vec<FlowRow>,
    /// How the figures were measured (lines are kept; long lines wrap).
    pub note: String,
    /// The footer's 「印刷日時 …」 text.
    pub printed_at: String,
}

// A4 landscape.
const PAGE_W: f32 = 297.0;
const PAGE_H: f32 = 210.0;
const MARGIN: f32 = 14.0;
const SIZE: f32 = 9.0;
const LINE: f32 = 4.6;
const HEAD_H: f32 = 13.0;

/// The columns: heading lines, width in mm, numbers right-aligned.
const COLUMNS: [(&[&str], f32, bool); 7] = [
    (&["処理", "順序"], 13.0, true),
    (&["プロセス（業務説明）"], 92.0, false),
    (&["実施者"], 44.0, false),
    (&["手段"], 48.0, false),
    (&["処理時間", "分/件"], 23.0, true),
    (&["処理件数", "件/年"], 23.0, true),
    (&["処理時間", "時間/年"], 26.0, true),
];

fn mm(points: f32) -> f32 {
    points / Mm(1.0).into_pt().0
}

/// 分/件 and 時間/年 with one decimal, 件/年 whole, thousands separated.
pub fn number(value: f64, decimals: usize) -> String {
    // Half away from zero (四捨五入), not the formatter's half to even.
    let scale = 10f64.powi(decimals as i32);
    let text = format!("{:.*}", decimals, (value.max(0.0) * scale).round() / scale);
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (text, None),
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{grouped}.{f}"),
        None => grouped,
    }
}

/// One printed line of the table: the cells' text, and whether it is a (sub)total.
struct TableRow {
    cells: [String; 7],
    total: bool,
}

fn table_rows(rows: &[FlowRow]) -> Vec<TableRow> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut total_hours = 0.0;
    while i < rows.len() {
        let process = rows[i].process;
        let mut hours = 0.0;
        let start = i;
        while i < rows.len() && rows[i].process == process {
            let r = &rows[i];
            hours += r.hours_per_year;
            out.push(TableRow {
                cells: [
                    r.order.to_string(),
                    format!("{} ／ {}", r.process_label, r.step_label),
                    r.actor_label.clone(),
                    r.means.clone(),
                    number(r.minutes_per_case, 1),
                    number(r.cases_per_year, 0),
                    number(r.hours_per_year, 1),
                ],
                total: false,
            });
            i += 1;
        }
        total_hours += hours;
        if i - start > 1 {
            out.push(TableRow {
                cells: [
                    String::new(),
                    format!("小計（{}）", rows[start].process_label),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    number(hours, 1),
                ],
                total: true,
            });
        }
    }
    out.push(TableRow {
        cells: [
            String::new(),
            "合計".to_string(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            number(total_hours, 1),
        ],
        total: true,
    });
    out
}

fn draw_header(page: &mut Page, top: f32) -> f32 {
    let width: f32 = COLUMNS.iter().map(|c| c.1).sum();
    page.rect(MARGIN, top - HEAD_H, width, HEAD_H, 0.8);
    let mut x = MARGIN;
    for (i, (lines, w, _)) in COLUMNS.iter().enumerate() {
        if i > 0 {
            page.line(x, top - HEAD_H, x, top, 0.5);
        }
        let first = top - HEAD_H / 2.0 + 1.2 + (lines.len() as f32 - 1.0) * 2.3;
        for (j, l) in lines.iter().enumerate() {
            page.text_fit(x + w / 2.0, first - 4.6 * j as f32, 8.5, w - 2.0, l);
        }
        x += w;
    }
    top - HEAD_H
}

/// Renders the table as an A4 landscape PDF.
pub fn render_flow_table(doc: &FlowTableDoc, fonts: &Fonts) -> Vec<u8> {
    let mut pdf = PdfDocument::new(TITLE);
    let font = PdfFontHandle::External(pdf.add_font(&fonts.regular));
    let width: f32 = COLUMNS.iter().map(|c| c.1).sum();
    let mut pages = vec![Page::new(&font)];
    let mut y = PAGE_H - MARGIN - 6.0;
    if let Some(page) = pages.last_mut() {
        page.text(MARGIN, y, 17.0, TITLE);
        y -= 8.0;
        for (label, value) in [
            ("期間", &doc.period),
            ("所属所", &doc.office),
            ("集計時点", &doc.as_of),
        ] {
            page.text(MARGIN, y, 9.5, label);
            page.text(MARGIN + 20.0, y, 9.5, value);
            y -= 5.2;
        }
        y = draw_header(page, y - 1.5);
    }
    let bottom = MARGIN + 8.0;
    for row in table_rows(&doc.rows) {
        let lines: Vec<Vec<String>> = row
            .cells
            .iter()
            .zip(COLUMNS.iter())
            .map(|(text, (_, w, _))| wrap(text, SIZE, Mm(w - 3.0).into_pt().0))
            .collect();
        let n = lines.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let h = 2.6 + LINE * n as f32;
        if y - h < bottom {
            let mut page = Page::new(&font);
            let top = PAGE_H - MARGIN - 6.0;
            page.text(MARGIN, top, 9.0, &format!("{TITLE}（続き）"));
            y = draw_header(&mut page, top - 3.0);
            pages.push(page);
        }
        let Some(page) = pages.last_mut() else {
            break;
        };
        page.rect(MARGIN, y - h, width, h, if row.total { 0.8 } else { 0.5 });
        let mut x = MARGIN;
        for (i, ((_, w, right), cell)) in COLUMNS.iter().zip(lines.iter()).enumerate() {
            if i > 0 {
                page.line(x, y - h, x, y, 0.4);
            }
            for (j, l) in cell.iter().enumerate() {
                let base = y - 1.3 - LINE * (j as f32 + 1.0) + 0.9;
                if *right {
                    let tw = mm(text_width(l, SIZE));
                    page.text(x + w - 1.5 - tw, base, SIZE, l);
                } else {
                    page.text(x + 1.5, base, SIZE, l);
                }
            }
            x += w;
        }
        y -= h;
    }
    // The note under the table (on a new page when it does not fit).
    let note: Vec<String> = wrap(&doc.note, 8.5, Mm(width).into_pt().0);
    if y - 6.0 - 4.4 * (note.len() as f32 + 1.0) < bottom {
        let mut page = Page::new(&font);
        y = PAGE_H - MARGIN - 6.0;
        page.text(MARGIN, y, 9.0, &format!("{TITLE}（続き）"));
        pages.push(page);
    }
    if let Some(page) = pages.last_mut() {
        y -= 7.0;
        page.text(MARGIN, y, 9.0, "【注記】");
        for l in &note {
            y -= 4.4;
            page.text(MARGIN, y, 8.5, l);
        }
    }
    crate::finish_pages(pdf, pages, &doc.printed_at, PAGE_W, PAGE_H, MARGIN)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use kyosai_domain::flow::{FlowRow, Process};

    use super::*;

    fn row(order: u32, process: Process, step: &str, actor: &str, min: f64, n: f64) -> FlowRow {
        FlowRow {
            order,
            process,
            process_label: process.label_ja().to_string(),
            step: step.to_string(),
            step_label: step.to_string(),
            actor_label: actor.to_string(),
            means: "共済デスク（電子決裁）".to_string(),
            minutes_per_case: min,
            cases_per_year: n,
            hours_per_year: min * n / 60.0,
        }
    }

    pub(crate) fn sample() -> FlowTableDoc {
        FlowTableDoc {
            period: "2025年4月1日～2026年3月31日".to_string(),
            office: "全所属所".to_string(),
            as_of: "2026年11月27日 9時30分 時点".to_string(),
            rows: vec![
                row(
                    1,
                    Process::OcrReview,
                    "確認・修正",
                    "都共済 事務局審査担当",
                    4.2,
                    1_830.0,
                ),
                row(
                    2,
                    Process::Acquisition,
                    "起案・作成",
                    "所属所 担当者",
                    10.0,
                    30.0,
                ),
                row(3, Process::Acquisition, "所属所長", "所属所長", 2.5, 30.0),
                row(
                    4,
                    Process::Acquisition,
                    "事務局審査担当",
                    "都共済 事務局審査担当",
                    6.0,
                    29.0,
                ),
                row(
                    5,
                    Process::PaymentOrder,
                    "起案・作成",
                    "所属所 担当者",
                    12.5,
                    1_204.0,
                ),
            ],
            note: "処理時間 分/件は作業時間の平均です。".to_string(),
            printed_at: "印刷日時 2026年11月27日 9時31分".to_string(),
        }
    }

    #[test]
    fn numbers_are_grouped_and_rounded() {
        assert_eq!(number(0.0, 1), "0.0");
        assert_eq!(number(5.0, 1), "5.0");
        assert_eq!(number(1234.56, 1), "1,234.6");
        assert_eq!(number(1_830.4, 0), "1,830");
        assert_eq!(number(999.5, 0), "1,000");
        assert_eq!(number(-1.0, 1), "0.0");
        assert_eq!(number(1.25, 1), "1.3");
    }

    #[test]
    fn subtotals_per_process_and_the_total_in_hours() {
        let rows = table_rows(&sample().rows);
        let texts: Vec<(String, String)> = rows
            .iter()
            .map(|r| (r.cells[1].clone(), r.cells[6].clone()))
            .collect();
        // 10 分 × 30 件 = 300 分 = 5.0 時間.
        assert_eq!(
            texts[1],
            ("組合員資格取得届 ／ 起案・作成".into(), "5.0".into())
        );
        assert_eq!(texts[4], ("小計（組合員資格取得届）".into(), "9.2".into()));
        // A process of one step has no subtotal.
        assert_eq!(texts[5].0, "支出命令 ／ 起案・作成");
        let last = rows.last().unwrap();
        assert!(last.total);
        // 128.1 + 5.0 + 1.25 + 2.9 + 250.83 = 388.08
        assert_eq!(last.cells[6], "388.1");
    }

    #[test]
    fn renders_a_landscape_pdf_with_the_title() {
        let fonts = Fonts::builtin().unwrap();
        let bytes = render_flow_table(&sample(), fonts);
        assert!(bytes.starts_with(b"%PDF"));
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("/MediaBox"));
        // Many rows flow onto a second page with the header again.
        let mut doc = sample();
        doc.rows = (1..=60)
            .map(|i| row(i, Process::Proposal, &format!("課長{i}"), "課長", 3.0, 12.0))
            .collect();
        let long = render_flow_table(&doc, fonts);
        assert!(long.len() > bytes.len());
        if let Ok(dir) = std::env::var("KYOSAI_PRINT_SAMPLES") {
            std::fs::write(format!("{dir}/flow_table.pdf"), &bytes).unwrap();
            std::fs::write(format!("{dir}/flow_table_long.pdf"), &long).unwrap();
        }
    }
}
