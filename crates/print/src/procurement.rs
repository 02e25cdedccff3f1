//! The printouts of the procurement flow, as [`PrintDoc`]s: the 契約書 (or the 請書 the
//! vendor signs when the contract's document is [`ContractDocument::Acceptance`]), the
//! 検査調書 and the 支出命令書, each with its 決裁欄 ([`crate::approval_block`]) and the
//! 「未決裁」 watermark until it is approved.
//!
//! Dates are printed 「令和8年4月1日 (2026-04-01)」 ([`wareki::format_with_seireki`]) like
//! the other printouts; amounts in yen with separators. The 支払遅延防止法 periods are the
//! domain's ([`deadlines`]), so a clause, a deadline and the checks of the forms cannot
//! disagree. Bank accounts are printed in full: they are the vendor's business accounts,
//! not a member's personal data.
//!
//! The [`PrintDoc`] field table does not flow onto a second page, so each document keeps
//! its fields to what fits on the first page and puts lists (品目, 請求明細) and clauses in
//! the body, which does. Tables in the body are aligned with spaces: the printout's font
//! is fixed-pitch ([`em_width`]). The body is laid out in blocks that follow the page
//! breaks of [`crate::render`]: a section heading never ends a page, a clause or the
//! signatures are not split, and a table continued on a new page repeats its column
//! titles.

use chrono::NaiveDate;
use kyosai_domain::approval::{yen, ApprovalState, Status};
use kyosai_domain::ids::DepositType;
use kyosai_domain::procurement::banks::BankMaster;
use kyosai_domain::procurement::calendar::HolidayTable;
use kyosai_domain::procurement::contract::{ContractDocument, Method};
use kyosai_domain::procurement::deadlines::{self, WorkType};
use kyosai_domain::procurement::document::InspectionResult;
use kyosai_domain::procurement::invoice::{self, InvoiceSource};
use kyosai_domain::procurement::steps::{
    self, ContractBody, InspectionBody, PaymentOrderBody, RequestBody,
};
use kyosai_domain::procurement::tax::{self, RateTotal, TaxCategory};
use kyosai_domain::procurement::vendor::{Vendor, VendorAccount};
use kyosai_domain::wareki;

use crate::{approval_block, em_width, wrap, PrintDoc};

/// The association, as the 発注者 of its contracts.
const BUYER: &str = "東京都職員共済組合";

/// Width of a line of the body in em: the body is 174 mm wide at 10.5 pt, a little over
/// 46.9 em; one em is kept free so that a full line never wraps.
const BODY_EM: f32 = 46.0;

/// A step document to print: its record id, its 件名 and its body.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a, T> {
    /// The record id (printed as 「文書ID …」).
    pub id: &'a str,
    /// 件名.
    pub title: &'a str,
    pub body: &'a T,
}

/// How a printout is made: the printed document's approval state (`None`: never
/// submitted), who the user ids of the 決裁欄 are, and the footer's 「印刷 …」 text.
pub struct Printing<'a> {
    /// Undecided unless this is [`Status::Approved`]: the 「未決裁」 watermark.
    pub approval: Option<&'a ApprovalState>,
    /// A user id to the name printed in the 決裁欄.
    pub name_of: &'a dyn Fn(&str) -> String,
    /// 「印刷 令和8年7月3日 (2026-07-03) 10:15 佐藤 花子」.
    pub printed_at: String,
}

impl std::fmt::Debug for Printing<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Printing")
            .field("approval", &self.approval.map(|s| s.status))
            .field("printed_at", &self.printed_at)
            .finish_non_exhaustive()
    }
}

impl Printing<'_> {
    /// A [`PrintDoc`] with this printout's 決裁欄, watermark and footer; the body is laid
    /// out from `blocks` ([`flow`]).
    fn doc(
        &self,
        heading: &str,
        reference: String,
        fields: Vec<(String, String)>,
        blocks: &[Block],
    ) -> PrintDoc {
        let mut doc = PrintDoc {
            heading: heading.to_string(),
            reference: Some(reference),
            fields: fields
                .into_iter()
                .map(|(l, v)| (l, v.trim_end().to_string()))
                .collect(),
            body_label: None,
            body: String::new(),
            approval: self
                .approval
                .map(|s| approval_block(s, self.name_of))
                .unwrap_or_default(),
            decided: self.approval.is_some_and(|s| s.status == Status::Approved),
            printed_at: self.printed_at.clone(),
        };
        doc.body = flow(&doc, blocks);
        doc
    }
}

// --- Page breaks ---------------------------------------------------------------------

/// A piece of the body: its first `keep` lines (as wrapped) go on one page — a section
/// heading stays with what follows it, a signature block stays whole. A table row carries
/// the table's column titles, printed again when the row starts a page.
struct Block {
    text: String,
    keep: usize,
    header: Option<String>,
}

impl Block {
    /// Kept whole on one page.
    fn whole(text: impl Into<String>) -> Block {
        Block {
            text: text.into(),
            keep: usize::MAX,
            header: None,
        }
    }

    /// May break after its first `keep` lines.
    fn lead(text: impl Into<String>, keep: usize) -> Block {
        Block {
            text: text.into(),
            keep,
            header: None,
        }
    }

    /// A row of a table with column titles `header`, kept whole.
    fn row(text: impl Into<String>, header: &str) -> Block {
        Block {
            text: text.into(),
            keep: usize::MAX,
            header: Some(header.trim_end().to_string()),
        }
    }

    /// An empty line between sections (dropped at the top of a page).
    fn gap() -> Block {
        Block::whole("")
    }
}

// The layout of `render` (lib.rs), mirrored: where the body starts and how its lines move
// down the pages. A test renders a document and checks that headings are not left at the
// foot of a page, so a change there shows.
const BODY_SIZE: f32 = 10.5;
const LINE_MM: f32 = 6.0;
const BOTTOM_MM: f32 = 18.0 + 10.0;
const CONTINUED_TOP_MM: f32 = 297.0 - 18.0 - 8.0 - 10.0;

fn body_width_pt() -> f32 {
    printpdf::Mm(210.0 - 2.0 * 18.0).into_pt().0
}

/// Where the next line of the body goes.
#[derive(Clone, Copy)]
struct Cursor {
    y: f32,
    page: usize,
}

impl Cursor {
    /// The first line of the body of `doc`: under the heading, the 決裁欄 and the fields.
    fn start(doc: &PrintDoc) -> Cursor {
        let rows = doc.approval.columns.len().div_ceil(8) as f32;
        let mut y = 297.0 - 18.0 - 20.0 - 29.0 * rows - 6.0;
        let value_w = printpdf::Mm(210.0 - 2.0 * 18.0 - 30.0 - 4.0).into_pt().0;
        for (_, value) in &doc.fields {
            y -= 3.0 + 5.5 * wrap(value, BODY_SIZE, value_w).len() as f32 + 1.5;
        }
        y -= 8.0;
        if doc.body_label.is_some() {
            y -= 7.0;
        }
        Cursor { y, page: 0 }
    }

    fn advance(&mut self) {
        if self.y < BOTTOM_MM {
            self.page += 1;
            self.y = CONTINUED_TOP_MM;
        }
        self.y -= LINE_MM;
    }

    /// How many more lines fit on this page.
    fn left(self) -> usize {
        let mut c = self;
        let mut n = 0;
        loop {
            c.advance();
            if c.page != self.page {
                return n;
            }
            n += 1;
        }
    }
}

/// The body of `doc` from `blocks`: empty lines are added where a block's kept lines
/// would straddle a page break, so that they start the next page.
fn flow(doc: &PrintDoc, blocks: &[Block]) -> String {
    let width = body_width_pt();
    let per_page = Cursor {
        y: BOTTOM_MM - 1.0,
        page: 0,
    };
    // A fresh continuation page: the line after a break.
    let per_page = {
        let mut c = per_page;
        c.advance();
        c.left() + 1
    };
    let mut cursor = Cursor::start(doc);
    let mut out: Vec<String> = Vec::new();
    for block in blocks {
        let lines = wrap(&block.text, BODY_SIZE, width).len();
        let left = cursor.left();
        if block.text.is_empty() && left == 0 {
            continue;
        }
        let keep = block.keep.min(lines);
        let mut new_page = left == 0;
        if keep > left && keep <= per_page {
            for _ in 0..left {
                out.push(String::new());
                cursor.advance();
            }
            new_page = true;
        }
        if let (true, Some(header)) = (new_page, &block.header) {
            for _ in 0..wrap(header, BODY_SIZE, width).len() {
                cursor.advance();
            }
            out.push(header.clone());
        }
        for _ in 0..lines {
            cursor.advance();
        }
        out.push(block.text.clone());
    }
    out.join("\n")
}

fn date_ja(d: Option<NaiveDate>) -> String {
    d.map(wareki::format_with_seireki).unwrap_or_default()
}

/// 「金 1,650,000 円」.
fn money(amount: i64) -> String {
    format!("金 {} 円", yen(amount))
}

fn field(label: &str, value: impl Into<String>) -> (String, String) {
    (label.to_string(), value.into())
}

/// Non-empty parts joined by `sep`.
fn join(parts: &[&str], sep: &str) -> String {
    parts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(sep)
}

/// 「令和8年度 (2026)」.
fn fiscal_year_ja(year: i32) -> String {
    let Some(first) = NaiveDate::from_ymd_opt(year, 4, 1) else {
        return String::new();
    };
    match wareki::from_seireki(first) {
        Ok(w) if w.year == 1 => format!("{}元年度 ({year})", w.era.kanji()),
        Ok(w) => format!("{}{}年度 ({year})", w.era.kanji(), w.year),
        Err(_) => format!("{year}年度"),
    }
}

// --- Tables in the body -------------------------------------------------------------

fn width(s: &str) -> f32 {
    s.chars().map(em_width).sum()
}

/// Splits `s` into pieces no wider than `max` em, after a space where one falls in the
/// second half of the piece (so that 「Windows 11」 is not cut inside a word).
fn pieces(s: &str, max: f32) -> Vec<String> {
    let mut out = Vec::new();
    let mut line: Vec<char> = Vec::new();
    for c in s.chars() {
        line.push(c);
        if line.iter().copied().map(em_width).sum::<f32>() > max && line.len() > 1 {
            let cut = line
                .iter()
                .rposition(|&ch| ch == ' ' || ch == '\u{3000}')
                .map(|i| i + 1)
                .filter(|&i| i >= line.len() / 2 && i < line.len())
                .unwrap_or_else(|| {
                    // 行頭禁則: a closing mark takes the character before it along.
                    let last = line.len() - 1;
                    if NO_LINE_START.contains(c) && last > 1 {
                        last - 1
                    } else {
                        last
                    }
                });
            let rest = line.split_off(cut);
            out.push(line.iter().collect::<String>().trim_end().to_string());
            line = rest;
        }
    }
    out.push(line.into_iter().collect());
    out
}

/// Characters a continuation line of a cell must not start with.
const NO_LINE_START: &str =
    "、。，．）」』】〕〉》・ーゃゅょっぁぃぅぇぉャュョッァィゥェォ!?！？)]},.";

/// Half-width spaces filling `em`.
fn spaces(em: f32) -> String {
    " ".repeat((em.max(0.0) * 2.0).round() as usize)
}

#[derive(Clone, Copy)]
enum Align {
    /// Left-aligned; wraps onto further lines within the column.
    Left,
    /// Right-aligned (amounts, quantities); never wraps.
    Right,
}

/// One row of a table: each cell is (text, width in em, alignment). A left-aligned cell
/// wider than its column continues on the next lines, in its column.
fn row(cells: &[(&str, f32, Align)]) -> String {
    let split: Vec<Vec<String>> = cells
        .iter()
        .map(|&(text, w, align)| match align {
            Align::Left => pieces(text, w - 1.0),
            Align::Right => vec![text.to_string()],
        })
        .collect();
    let lines = split.iter().map(Vec::len).max().unwrap_or(1);
    let mut out = String::new();
    for i in 0..lines {
        let mut line = String::new();
        for (&(_, w, align), parts) in cells.iter().zip(&split) {
            let text = parts.get(i).map_or("", String::as_str);
            let gap = spaces(w - width(text));
            match align {
                Align::Left => {
                    line.push_str(text);
                    line.push_str(&gap);
                }
                Align::Right => {
                    line.push_str(&gap);
                    line.push_str(text);
                }
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn rule_line() -> String {
    format!("{}\n", "─".repeat(BODY_EM as usize))
}

// --- Parties and accounts ------------------------------------------------------------

/// 「〒160-0023 東京都新宿区西新宿…」.
fn address(v: &Vendor) -> String {
    let postal = v.contact.postal_code.trim();
    let postal = if postal.is_empty() {
        String::new()
    } else {
        format!("〒{postal}")
    };
    join(&[&postal, &v.contact.address], " ")
}

/// The 契約相手方 block: name, address, then 法人番号 and 登録番号.
fn vendor_lines(v: &Vendor) -> String {
    let numbers = join(
        &[
            &v.corporate_number
                .as_deref()
                .map(|n| format!("法人番号 {n}"))
                .unwrap_or_default(),
            &v.invoice_registration
                .as_deref()
                .map(|n| format!("登録番号 {n}"))
                .unwrap_or_default(),
        ],
        "　",
    );
    join(&[&v.name, &address(v), &numbers], "\n")
}

/// 「三菱UFJ（0005）　本店（001）\n普通　1234567　ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ」; codes the master does not
/// know are printed with 「名称不明」 so the clerk sees it.
fn account_lines(a: &VendorAccount, banks: &BankMaster) -> String {
    if a.is_blank() {
        return String::new();
    }
    let bank = banks
        .bank(&a.bank_code)
        .map_or("名称不明", |b| b.name.as_str());
    let branch = banks
        .branch(&a.bank_code, &a.branch_code)
        .map_or("名称不明", |b| b.name.as_str());
    let deposit = DepositType::from_code(a.deposit_type).map_or("種目未選択", |d| d.name_ja());
    format!(
        "{bank}（{}）　{branch}（{}）\n{deposit}　{}　{}",
        a.bank_code.trim(),
        a.branch_code.trim(),
        a.account_number.trim(),
        a.holder_kana.trim()
    )
}

// --- 支払遅延防止法 -------------------------------------------------------------------

/// The inspection and payment periods (days) of a contract, in force on `on`.
fn periods(contract: &ContractBody, on: NaiveDate) -> Option<(u32, u32)> {
    let work = contract.work_type.unwrap_or(WorkType::Other);
    deadlines::deadline_rules().at(on).map(|d| {
        (
            d.inspection_days(work, contract.contract_sets_dates),
            d.payment_days(work, contract.contract_sets_dates),
        )
    })
}

fn within(days: Option<u32>) -> String {
    days.map_or("法律の定める期間内".to_string(), |d| {
        format!("{d}日以内")
    })
}

/// 「期限内」 or 「期限を3日超過」.
fn met(done: NaiveDate, deadline: NaiveDate) -> String {
    let over = (done - deadline).num_days();
    if over <= 0 {
        "期限内".to_string()
    } else {
        format!("期限を{over}日超過")
    }
}

// --- 契約書 / 請書 --------------------------------------------------------------------

/// The 契約書 of a contract — or, when its document is the 請書, the 請書 the vendor
/// returns — with the request's items.
///
/// `tax` is the consumption tax contained in the amount, per rate, when it is known (for
/// instance [`tax::tax_included_per_rate`] over lines whose rates the clerk chose): the
/// amount then reads 「（うち消費税及び地方消費税の額 150,000 円）」; empty, it reads
/// 「（消費税及び地方消費税を含む）」. The items' amounts are printed only when they add up
/// to the contract amount (they are the request's estimates otherwise).
pub fn contract_doc(
    contract: Record<'_, ContractBody>,
    request: &RequestBody,
    tax: &[RateTotal],
    print: &Printing<'_>,
) -> PrintDoc {
    let c = contract.body;
    let acceptance = c.document == Some(ContractDocument::Acceptance);
    let heading = if acceptance { "請書" } else { "契約書" };
    let mut fields = Vec::new();
    if acceptance {
        fields.push(field("宛先", format!("{BUYER} 御中")));
    }
    fields.push(field("件名", contract.title));
    let tax_total: i64 = tax.iter().map(|t| t.tax).sum();
    let tax_note = if tax.iter().any(|t| t.category.is_taxable()) {
        let per_rate: Vec<String> = tax
            .iter()
            .filter(|t| t.category.is_taxable())
            .map(|t| format!("{} {} 円", t.category.label_ja(), yen(t.tax)))
            .collect();
        if per_rate.len() > 1 {
            format!(
                "（うち消費税及び地方消費税の額 {} 円：{}）",
                yen(tax_total),
                per_rate.join("、")
            )
        } else {
            format!("（うち消費税及び地方消費税の額 {} 円）", yen(tax_total))
        }
    } else if tax.is_empty() {
        "（消費税及び地方消費税を含む）".to_string()
    } else {
        "（消費税及び地方消費税の課税対象外）".to_string()
    };
    fields.push(field(
        "契約金額",
        format!("{}　{tax_note}", money(c.amount)),
    ));
    match c.period_from {
        Some(from) => fields.push(field(
            "契約期間",
            format!(
                "{} から\n{} まで",
                wareki::format_with_seireki(from),
                date_ja(c.period_to)
            ),
        )),
        None => fields.push(field("履行期限", date_ja(c.period_to))),
    }
    if let Some(category) = c.category.or(request.category) {
        let work = c
            .work_type
            .map(|w| format!("（{}）", w.label_ja()))
            .unwrap_or_default();
        fields.push(field(
            "契約の種類",
            format!("{}{work}", category.label_ja()),
        ));
    }
    let method = match (c.method, c.ground) {
        (Some(Method::Negotiated), Some(ground)) => format!(
            "随意契約（地方自治法施行令第167条の2第1項 {}）",
            ground.label_ja()
        ),
        (Some(m), _) => m.label_ja().to_string(),
        (None, _) => String::new(),
    };
    fields.push(field("契約方法", method));
    if c.method == Some(Method::Negotiated) && !c.ground_reason.trim().is_empty() {
        fields.push(field("随意契約の理由", c.ground_reason.trim()));
    }
    fields.push(field(
        if acceptance {
            "受注者"
        } else {
            "契約相手方"
        },
        vendor_lines(&c.vendor),
    ));
    if !acceptance {
        fields.push(field("契約締結日", date_ja(c.signed_on)));
    }

    let mut blocks = vec![Block::whole(if acceptance {
        "下記の契約条項を承諾の上、上記のとおりお請けします。".to_string()
    } else {
        format!(
            "発注者 {BUYER}（以下「発注者」という。）と受注者 {}（以下「受注者」という。）は、次の条項により契約を締結する。",
            c.vendor.name.trim()
        )
    })];
    blocks.push(Block::gap());
    blocks.extend(items_table(request, c.amount));
    if !c.note.trim().is_empty() {
        blocks.push(Block::gap());
        blocks.push(Block::lead(
            format!("【履行場所・特記事項】\n{}", c.note.trim()),
            2,
        ));
    }
    blocks.push(Block::gap());
    let mut clauses = clauses(c).into_iter();
    blocks.push(Block::whole(format!(
        "【契約条項（要旨）】\n{}",
        clauses.next().unwrap_or_default()
    )));
    blocks.extend(clauses.map(Block::whole));
    blocks.push(Block::gap());
    let signed = c.signed_on.map_or(
        "令和　　年　　月　　日".to_string(),
        wareki::format_with_seireki,
    );
    let vendor_sign = format!(
        "受注者　{}\n　　　　{}　　　　印",
        address(&c.vendor),
        c.vendor.name.trim()
    );
    blocks.push(Block::whole(if acceptance {
        format!("{signed}\n\n{vendor_sign}")
    } else {
        format!(
            "この契約の締結を証するため、本書2通を作成し、発注者及び受注者が記名押印の上、各自1通を保有する。\n\n{signed}\n\n発注者　{BUYER}　　　　印\n\n{vendor_sign}"
        )
    }));
    let reference = format!("文書ID {}　／　調達依頼 {}", contract.id, c.parent);
    print.doc(heading, reference, fields, &blocks)
}

/// 【品目】: No., 品名・規格, 数量, 単位 and, when they add up to `amount`, the amounts.
/// The heading and the column titles stay with the first item, the total with the last.
fn items_table(request: &RequestBody, amount: i64) -> Vec<Block> {
    if request.items.is_empty() {
        return vec![Block::whole("【品目】\n（調達依頼に品目がありません）")];
    }
    let sum: i64 = request.items.iter().map(|i| i.amount).sum();
    let priced = sum == amount;
    let name_w = if priced { 24.0 } else { 34.0 };
    let mut head: Vec<(&str, f32, Align)> = vec![
        ("No.", 3.0, Align::Left),
        ("品名・規格", name_w, Align::Left),
        ("数量", 4.0, Align::Right),
        ("", 1.0, Align::Left),
        ("単位", 3.0, Align::Left),
    ];
    if priced {
        head.push(("金額（税込）", 10.0, Align::Right));
    }
    let mut rows: Vec<String> = request
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let no = format!("{}", i + 1);
            let name = if item.spec.trim().is_empty() {
                item.name.trim().to_string()
            } else {
                format!("{}　{}", item.name.trim(), item.spec.trim())
            };
            let amount = format!("{} 円", yen(item.amount));
            let mut cells: Vec<(&str, f32, Align)> = vec![
                (&no, 3.0, Align::Left),
                (&name, name_w, Align::Left),
                (item.quantity.trim(), 4.0, Align::Right),
                ("", 1.0, Align::Left),
                (item.unit.trim(), 3.0, Align::Left),
            ];
            if priced {
                cells.push((&amount, 10.0, Align::Right));
            }
            row(&cells)
        })
        .collect();
    if priced {
        let total = format!("{} 円", yen(sum));
        if let Some(last) = rows.last_mut() {
            last.push_str(&rule_line());
            last.push_str(&row(&[
                ("合計", 36.0, Align::Right),
                (&total, 10.0, Align::Right),
            ]));
        }
    }
    let header = format!("{}{}", row(&head), rule_line());
    let first = rows.remove(0);
    let mut blocks = vec![Block::whole(format!("【品目】\n{header}{first}"))];
    blocks.extend(rows.into_iter().map(|r| Block::row(r, &header)));
    for b in &mut blocks {
        b.text = b.text.trim_end().to_string();
    }
    blocks
}

/// The standard clauses in a few lines, with the contract's 支払遅延防止法 periods.
fn clauses(c: &ContractBody) -> Vec<String> {
    let on = c
        .signed_on
        .or(c.period_from)
        .or(c.period_to)
        .unwrap_or(NaiveDate::MAX);
    let days = periods(c, on);
    let law = "政府契約の支払遅延防止等に関する法律";
    let by_law = if c.contract_sets_dates {
        String::new()
    } else {
        "（この契約では時期を定めないため、同法の定めによる。）".to_string()
    };
    let deliver = match c.work_type {
        Some(WorkType::Construction) => "工事を完成し",
        _ => "給付を完了し",
    };
    vec![
        format!(
            "1.（履行）受注者は、履行期限までに{deliver}、その旨を発注者に通知する。"
        ),
        format!(
            "2.（検査）発注者は、前項の通知を受けた日から{}に検査を行い、結果を受注者に通知する（{law}）。{by_law}",
            within(days.map(|d| d.0))
        ),
        format!(
            "3.（支払）受注者は、検査に合格した後、適法な支払請求書を提出する。発注者は、これを受理した日から{}に代金を支払う。請求書に不備があり返送したときは、返送した日から適法な請求書を受理した日までの日数は、この期間に算入しない。",
            within(days.map(|d| d.1))
        ),
        "4.（遅延利息）発注者の責めに帰すべき理由により支払が遅れたときは、受注者は、遅延日数に応じ、未払金額に財務大臣が定める率を乗じて計算した遅延利息を請求することができる（同法）。".to_string(),
        "5.（その他）この契約に定めのない事項は、発注者の契約規程によるほか、必要に応じて発注者と受注者とが協議して定める。".to_string(),
    ]
}

// --- 検査調書 -------------------------------------------------------------------------

/// The 検査調書 of an inspection under its contract: the contract it inspects, the
/// completion notice, the inspection date against the 支払遅延防止法 deadline (met or
/// by how many days not), the 検査員, the result and the 所見.
pub fn inspection_doc(
    inspection: Record<'_, InspectionBody>,
    contract: Record<'_, ContractBody>,
    print: &Printing<'_>,
) -> PrintDoc {
    let b = inspection.body;
    let c = contract.body;
    let deadline = steps::inspection_deadline(b, c);
    let mut fields = vec![
        field("件名", inspection.title),
        field(
            "契約",
            format!("{}\n文書ID {}", contract.title.trim(), contract.id),
        ),
        field("契約相手方", c.vendor.name.trim()),
        field(
            "契約金額",
            format!("{}　（検査した金額 {} 円）", money(c.amount), yen(b.amount)),
        ),
        field("履行期限", date_ja(c.period_to)),
        field("給付完了通知日", date_ja(b.completion_notice_on)),
    ];
    if let (Some(deadline), Some(notice)) = (deadline, b.completion_notice_on) {
        fields.push(field(
            "検査期限",
            format!(
                "{}\n（通知を受けた日から{}日以内・支払遅延防止法）",
                wareki::format_with_seireki(deadline),
                (deadline - notice).num_days()
            ),
        ));
    }
    let done = match (b.inspected_on, deadline) {
        (Some(on), Some(deadline)) => {
            format!("{}　{}", wareki::format_with_seireki(on), met(on, deadline))
        }
        (on, _) => date_ja(on),
    };
    fields.push(field("検査日", done));
    fields.push(field("検査員", b.inspector.trim()));
    fields.push(field("検査結果", b.result.label_ja()));

    let mut blocks = vec![
        Block::whole(format!(
            "上記の契約について、受注者から給付を完了した旨の通知を受け、契約書、仕様書その他の関係書類に基づき検査したところ、結果は上記のとおり{}であった。",
            b.result.label_ja()
        )),
        Block::gap(),
        Block::lead(
            format!(
                "【所見】\n{}",
                if b.note.trim().is_empty() {
                    "特になし"
                } else {
                    b.note.trim()
                }
            ),
            2,
        ),
    ];
    if b.result == InspectionResult::Failed {
        blocks.push(Block::gap());
        blocks.push(Block::whole(
            "不合格のため、受注者に手直し又は再納入を求める。",
        ));
    }
    blocks.push(Block::gap());
    blocks.push(Block::whole(format!(
        "{}\n検査員　{}　　　　印",
        date_ja(b.inspected_on),
        b.inspector.trim()
    )));
    let reference = format!("文書ID {}　／　契約 {}", inspection.id, b.parent);
    print.doc("検査調書", reference, fields, &blocks)
}

// --- 支出命令書 -----------------------------------------------------------------------

/// 「10%」「8%※」「非課税」: the rate column of the 請求明細 (※ marks the reduced rate, as
/// invoices do).
fn rate_mark(category: TaxCategory, on: NaiveDate) -> String {
    match category {
        TaxCategory::Standard => format!("{}%", tax::rate_percent(category, on)),
        TaxCategory::Reduced => format!("{}%※", tax::rate_percent(category, on)),
        TaxCategory::Exempt => "非課税".to_string(),
        TaxCategory::ZeroRated => "免税".to_string(),
        TaxCategory::OutOfScope => "対象外".to_string(),
    }
}

/// The 支出命令書 of a payment order: 予算科目, 支払額, the invoice (番号, 発行日,
/// 登録番号) with its tax per rate (rounded once per rate, [`invoice::computed_totals`]),
/// the receipt, the 支払予定日 against the 支払遅延防止法 deadline and the account paid
/// into, printed in full. `inspection` is the passed inspection the payment rests on;
/// `holidays` decides the last bank business day; `banks` names the bank and branch.
pub fn payment_order_doc(
    order: Record<'_, PaymentOrderBody>,
    contract: Record<'_, ContractBody>,
    request: &RequestBody,
    inspection: &InspectionBody,
    holidays: &HolidayTable,
    banks: &BankMaster,
    print: &Printing<'_>,
) -> PrintDoc {
    let p = order.body;
    let c = contract.body;
    let budget = &request.budget;
    let mut fields = vec![
        field("件名", order.title),
        field(
            "予算科目",
            join(
                &[
                    &if budget.fiscal_year > 0 {
                        fiscal_year_ja(budget.fiscal_year)
                    } else {
                        String::new()
                    },
                    &budget.code,
                    &budget.name,
                ],
                "　",
            ),
        ),
        field("支払額", money(p.amount)),
    ];
    let seller = p
        .invoice
        .as_ref()
        .map(|i| i.seller_name.trim())
        .filter(|s| !s.is_empty())
        .unwrap_or(c.vendor.name.trim());
    fields.push(field("債権者", seller));
    fields.push(field(
        "契約・検査",
        format!(
            "{}（文書ID {}）\n検査 {}　{}",
            contract.title.trim(),
            contract.id,
            date_ja(inspection.inspected_on),
            inspection.result.label_ja()
        ),
    ));
    match &p.invoice {
        Some(inv) => {
            let source = match &inv.source {
                InvoiceSource::Manual => "",
                InvoiceSource::JpPint { .. } => "（JP PINT 電子請求書）",
                InvoiceSource::Ocr => "（OCR読取・確認済）",
            };
            let registration = inv
                .seller_registration
                .as_deref()
                .filter(|r| !r.trim().is_empty())
                .unwrap_or("（記載なし）");
            fields.push(field(
                "請求書",
                format!(
                    "番号 {}　発行日 {}\n登録番号 {registration}{source}",
                    inv.number.trim(),
                    wareki::format_with_seireki(inv.issue_date)
                ),
            ));
            let lines: Vec<String> = invoice::computed_totals(inv)
                .iter()
                .map(|t| {
                    let stated = inv
                        .stated_totals
                        .iter()
                        .find(|s| s.category == t.category)
                        .filter(|s| s.tax != t.tax)
                        .map(|s| format!("（請求書の記載 {} 円）", yen(s.tax)))
                        .unwrap_or_default();
                    format!(
                        "{}　対象額 {} 円　税額 {} 円{stated}",
                        t.category.label_ja(),
                        yen(t.taxable),
                        yen(t.tax)
                    )
                })
                .collect();
            fields.push(field("税率別内訳", lines.join("\n")));
        }
        None => fields.push(field("請求書", "（未入力）")),
    }
    let mut received = date_ja(p.invoice_received_on);
    if let (Some(r), Some(c2)) = (p.returned_on, p.corrected_received_on) {
        received = format!(
            "{received}\n不備により {} に返送、訂正後 {} に受付（{}日停止）",
            wareki::format_with_seireki(r),
            wareki::format_with_seireki(c2),
            deadlines::suspended_days(r, c2)
        );
    }
    fields.push(field("請求書受付日", received));
    let due = steps::payment_due(p, c, holidays);
    if let Some(due) = due {
        let mut text = format!(
            "{}（受付から{}日以内・支払遅延防止法",
            wareki::format_with_seireki(due.legal_deadline),
            due.days
        );
        if due.suspended_days > 0 {
            text.push_str(&format!("、停止{}日を加算", due.suspended_days));
        }
        text.push('）');
        if due.pay_by != due.legal_deadline {
            text.push_str(&format!(
                "\n振込は銀行営業日の {} まで",
                wareki::format_with_seireki(due.pay_by)
            ));
        }
        fields.push(field("支払期限", text));
    }
    let planned = match (p.payment_date, due) {
        (Some(day), Some(due)) => {
            let state = met(day, due.pay_by);
            let late = if day > due.pay_by {
                "（遅延利息の対象）"
            } else {
                ""
            };
            format!("{}　{state}{late}", wareki::format_with_seireki(day))
        }
        (day, _) => date_ja(day),
    };
    fields.push(field("支払予定日", planned));
    fields.push(field("振込先", account_lines(&p.payee, banks)));

    let mut blocks = vec![Block::whole("上記のとおり支出する。")];
    if let Some(inv) = &p.invoice {
        blocks.push(Block::gap());
        blocks.extend(invoice_table(inv));
    }
    let reference = format!("文書ID {}　／　検査 {}", order.id, p.parent);
    print.doc("支出命令書", reference, fields, &blocks)
}

/// 【請求明細】: the invoice's lines (tax-exclusive), then the totals. The heading and the
/// column titles stay with the first line, the totals with the last.
fn invoice_table(inv: &invoice::Invoice) -> Vec<Block> {
    let cols = [3.0, 21.5, 3.5, 6.0, 8.0, 1.0, 3.0];
    let head = row(&[
        ("No.", cols[0], Align::Left),
        ("取引内容", cols[1], Align::Left),
        ("数量", cols[2], Align::Right),
        ("単価", cols[3], Align::Right),
        ("金額(税抜)", cols[4], Align::Right),
        ("", cols[5], Align::Left),
        ("税率", cols[6], Align::Left),
    ]);
    let mut rows: Vec<String> = inv
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let no = format!("{}", i + 1);
            let price = l.unit_price.map(yen).unwrap_or_default();
            let amount = yen(l.amount);
            let rate = rate_mark(l.category, inv.issue_date);
            row(&[
                (&no, cols[0], Align::Left),
                (l.description.trim(), cols[1], Align::Left),
                (l.quantity.trim(), cols[2], Align::Right),
                (&price, cols[3], Align::Right),
                (&amount, cols[4], Align::Right),
                ("", cols[5], Align::Left),
                (&rate, cols[6], Align::Left),
            ])
        })
        .collect();
    if rows.is_empty() {
        rows.push("（明細なし）\n".to_string());
    }
    let totals = invoice::computed_totals(inv);
    let taxable: i64 = totals.iter().map(|t| t.taxable).sum();
    let tax: i64 = totals.iter().map(|t| t.tax).sum();
    let sums = format!(
        "合計（税抜） {}　消費税 {}　請求額（税込） {}",
        yen(taxable),
        yen(tax),
        yen(invoice::payable(inv))
    );
    let mut foot = rule_line();
    foot.push_str(&row(&[(&sums, BODY_EM - cols[5] - cols[6], Align::Right)]));
    if totals.iter().any(|t| t.category == TaxCategory::Reduced) {
        foot.push_str("※は軽減税率対象（税率ごとの対象額と税額は税率別内訳のとおり）\n");
    }
    if let Some(last) = rows.last_mut() {
        last.push_str(&foot);
    }
    let header = format!("{head}{}", rule_line());
    let first = rows.remove(0);
    let mut blocks = vec![Block::whole(format!("【請求明細】\n{header}{first}"))];
    blocks.extend(rows.into_iter().map(|r| Block::row(r, &header)));
    for b in &mut blocks {
        b.text = b.text.trim_end().to_string();
    }
    blocks
}
