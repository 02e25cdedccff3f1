//! The procurement printouts (契約書 / 請書, 検査調書, 支出命令書) rendered to PDF and read
//! back with poppler's pdftotext (poppler-utils is installed by scripts/test).
//!
//! `KYOSAI_PRINT_SAMPLES=DIR cargo test -p kyosai-print` keeps the PDFs to look at.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::process::Command;

use serde_json::Value;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use kyosai_domain::acquisition::workflow::Role;
use kyosai_domain::approval::{self as appr, Position};
use kyosai_domain::procurement::banks::BankMaster;
use kyosai_domain::procurement::calendar::HolidayTable;
use kyosai_domain::procurement::contract::{Category, ContractDocument, Method, NegotiatedGround};
use kyosai_domain::procurement::deadlines::WorkType;
use kyosai_domain::procurement::document::InspectionResult;
use kyosai_domain::procurement::invoice::{Invoice, InvoiceLine, InvoiceSource};
use kyosai_domain::procurement::steps::{
    BudgetRef, ContractBody, InspectionBody, Item, PaymentOrderBody, Quote, RequestBody,
};
use kyosai_domain::procurement::tax::{self, RateTotal, Rounding, TaxCategory, TaxLine};
use kyosai_domain::procurement::vendor::{self, Contact, Vendor, VendorAccount};
use kyosai_print::procurement::{
    contract_doc, inspection_doc, payment_order_doc, Printing, Record,
};
use kyosai_print::{render, Fonts, PrintDoc};

fn fonts() -> &'static Fonts {
    Fonts::builtin().expect("the built-in BIZ UDGothic parses")
}

fn pdftotext_mode(pdf: &[u8], mode: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!("kyosai-print-proc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}.pdf", N.fetch_add(1, Ordering::Relaxed)));
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args([mode, path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_file(&path);
    String::from_utf8(out.stdout).unwrap()
}

/// The text in content-stream order without white space. Everything a page draws after
/// its watermark reads in the order it was drawn (label, then value), whereas the layout
/// mode mixes the watermark's glyphs into the lines they cross.
fn text(pdf: &[u8]) -> String {
    raw(pdf)
}

/// In content-stream order without white space: finds the rotated watermark, whose glyphs
/// poppler puts on lines of their own.
fn raw(pdf: &[u8]) -> String {
    pdftotext_mode(pdf, "-raw").split_whitespace().collect()
}

/// Each page's text in content-stream order without white space.
fn raw_pages(pdf: &[u8]) -> Vec<String> {
    pdftotext_mode(pdf, "-raw")
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .map(|p| p.split_whitespace().collect())
        .collect()
}

/// The body text of a page: after the watermark and the 「（続き）」 line, before the
/// footer (page number, then 「印刷 …」).
fn body_of(page: &str, n: usize, total: usize) -> &str {
    let end = page.rfind(&format!("{n}/{total}")).unwrap_or(page.len());
    let start = page.find("（続き）").map_or(0, |i| i + "（続き）".len());
    &page[start.min(end)..end]
}

/// Asserts that each of `expected` (white space ignored) is in `text`.
fn assert_has(text: &str, expected: &[&str]) {
    for e in expected {
        let e: String = e.split_whitespace().collect();
        assert!(text.contains(&e), "{e} missing in:\n{text}");
    }
}

fn pages(pdf: &[u8]) -> usize {
    pdftotext_mode(pdf, "-layout")
        .matches('\u{c}')
        .count()
        .max(1)
}

fn keep(name: &str, pdf: &[u8]) {
    if let Some(dir) = std::env::var_os("KYOSAI_PRINT_SAMPLES") {
        std::fs::write(std::path::Path::new(&dir).join(name), pdf).unwrap();
    }
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn names(id: &str) -> String {
    match id {
        "keiri" => "佐藤 花子",
        "kacho" => "伊藤 誠",
        "bucho" => "中島 浩",
        other => other,
    }
    .to_string()
}

fn user(id: &str, roles: &[Role], positions: &[Position]) -> appr::ApprovalActor {
    appr::ApprovalActor {
        user_id: id.into(),
        roles: roles.to_vec(),
        positions: positions.to_vec(),
        office_code: None,
    }
}

/// A step document of `kind` submitted by the 経理担当 and, when `approved`, approved by
/// the 課長 and the 部長 (the 専決規程 route from 1,000,000 yen); otherwise waiting for
/// the 課長.
fn state(kind: &str, title: &str, body: Value, amount: i64, approved: bool) -> appr::ApprovalState {
    let dir = [
        user("keiri", &[Role::SecretariatReviewer], &[]),
        user("kacho", &[Role::Approver], &[Position::Kacho]),
        user("bucho", &[Role::Approver], &[Position::Bucho]),
    ];
    let hash = appr::content_hash(kind, title, &body);
    let t0 = Utc.with_ymd_and_hms(2026, 5, 28, 0, 30, 0).unwrap();
    let table = appr::DecisionTable::builtin();
    let ctx = |now| appr::Context {
        now,
        today: appr::jst(now).date(),
        kind,
        office_code: "0000",
        content_hash: &hash,
        amount_yen: amount,
        absences: &[],
        directory: &dir,
        table,
    };
    let mut s = appr::submit(None, &dir[0], appr::Flags::default(), None, &ctx(t0)).unwrap();
    if approved {
        let approve = appr::Action::Approve {
            seen_hash: hash.clone(),
            comment: None,
        };
        s = appr::apply(&s, &dir[1], &approve, &ctx(t0 + Duration::hours(3))).unwrap();
        s = appr::apply(&s, &dir[2], &approve, &ctx(t0 + Duration::days(1))).unwrap();
        assert_eq!(s.status, appr::Status::Approved);
    } else {
        assert_eq!(s.status, appr::Status::InProgress);
    }
    s
}

fn request() -> RequestBody {
    let item = |name: &str, spec: &str, quantity: &str, unit: &str, amount| Item {
        name: name.into(),
        spec: spec.into(),
        quantity: quantity.into(),
        unit: unit.into(),
        amount,
    };
    RequestBody {
        amount: 1_870_000,
        purpose: "保険証発行係の業務用ノートパソコン（導入後6年経過）の更新".into(),
        category: Some(Category::Purchase),
        budget: BudgetRef {
            fiscal_year: 2026,
            code: "02-01-05".into(),
            name: "事務費 備品購入費".into(),
        },
        items: vec![
            item(
                "ノートパソコン",
                "14型 メモリ16GB SSD512GB Windows 11 Pro",
                "10",
                "台",
                1_540_000,
            ),
            item(
                "ドッキングステーション",
                "USB Type-C 給電対応",
                "10",
                "台",
                220_000,
            ),
            item(
                "初期設定作業",
                "キッティング・データ移行",
                "1",
                "式",
                110_000,
            ),
        ],
        quotes: vec![
            Quote {
                vendor_id: Some("V-0012".into()),
                vendor_name: "株式会社ヤマダ商事".into(),
                amount: 1_870_000,
                quoted_on: Some(d(2026, 5, 12)),
                valid_until: Some(d(2026, 6, 30)),
                note: String::new(),
            },
            Quote {
                vendor_id: None,
                vendor_name: "有限会社スズキ電機".into(),
                amount: 1_958_000,
                quoted_on: Some(d(2026, 5, 14)),
                valid_until: Some(d(2026, 6, 14)),
                note: String::new(),
            },
        ],
        selected_quote: Some(0),
        needed_by: Some(d(2026, 6, 30)),
        amends: None,
    }
}

fn account() -> VendorAccount {
    VendorAccount {
        bank_code: "0005".into(),
        branch_code: "341".into(),
        deposit_type: 1,
        account_number: "1234567".into(),
        holder_kana: "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ".into(),
    }
}

fn yamada() -> Vendor {
    Vendor {
        name: "株式会社ヤマダ商事".into(),
        name_kana: "カブシキガイシャヤマダショウジ".into(),
        corporate_number: Some("2011001234567".into()),
        invoice_registration: Some("T2011001234567".into()),
        account: Some(account()),
        contact: Contact {
            person: "山田 健二".into(),
            phone: "03-5321-1111".into(),
            email: "kenji.yamada@example.co.jp".into(),
            postal_code: "160-0023".into(),
            address: "東京都新宿区西新宿二丁目8番1号".into(),
        },
    }
}

fn contract(document: ContractDocument) -> ContractBody {
    ContractBody {
        amount: 1_870_000,
        parent: "R-2026-0412".into(),
        vendor_id: Some("V-0012".into()),
        vendor: yamada(),
        category: Some(Category::Purchase),
        method: Some(Method::Negotiated),
        ground: Some(NegotiatedGround::SmallAmount),
        ground_reason: String::new(),
        period_from: None,
        period_to: Some(d(2026, 6, 30)),
        work_type: Some(WorkType::Other),
        contract_sets_dates: true,
        document: Some(document),
        signed_on: Some(d(2026, 6, 1)),
        note: "納入場所：東京都職員共済組合 事務局 保険証発行係（指定の日時に搬入すること）。\n既存機器のデータ消去証明書を提出すること。".into(),
        amends: None,
    }
}

fn contract_tax(c: &ContractBody) -> Vec<RateTotal> {
    tax::tax_included_per_rate(
        &[TaxLine {
            amount: c.amount,
            category: TaxCategory::Standard,
        }],
        Rounding::Floor,
        c.signed_on.unwrap(),
    )
}

fn inspection() -> InspectionBody {
    InspectionBody {
        amount: 1_870_000,
        parent: "C-2026-0105".into(),
        completion_notice_on: Some(d(2026, 6, 26)),
        inspected_on: Some(d(2026, 6, 30)),
        inspector: "高橋 美咲".into(),
        result: InspectionResult::Passed,
        note: "全10台の動作、付属品及びデータ移行結果を仕様書と照合し、異常のないことを確認した。"
            .into(),
    }
}

fn line(description: &str, quantity: &str, unit_price: i64, category: TaxCategory) -> InvoiceLine {
    let q: i64 = quantity.parse().unwrap();
    InvoiceLine {
        description: description.into(),
        quantity: quantity.into(),
        unit_price: Some(unit_price),
        amount: q * unit_price,
        category,
    }
}

fn payment_order() -> PaymentOrderBody {
    PaymentOrderBody {
        amount: 1_870_000,
        parent: "I-2026-0077".into(),
        invoice: Some(Invoice {
            number: "INV-2026-0712".into(),
            issue_date: d(2026, 7, 1),
            seller_name: "株式会社ヤマダ商事".into(),
            seller_registration: Some("T2011001234567".into()),
            seller_corporate_number: Some("2011001234567".into()),
            buyer_name: "東京都職員共済組合".into(),
            lines: vec![
                line("ノートパソコン 14型", "10", 140_000, TaxCategory::Standard),
                line(
                    "ドッキングステーション",
                    "10",
                    20_000,
                    TaxCategory::Standard,
                ),
                line(
                    "初期設定作業（キッティング・データ移行）",
                    "1",
                    100_000,
                    TaxCategory::Standard,
                ),
            ],
            stated_totals: vec![RateTotal {
                category: TaxCategory::Standard,
                taxable: 1_700_000,
                tax: 170_000,
            }],
            stated_tax_total: 170_000,
            stated_payable: 1_870_000,
            due_date: Some(d(2026, 7, 31)),
            payee_account: None,
            source: InvoiceSource::Manual,
        }),
        invoice_received_on: Some(d(2026, 7, 2)),
        returned_on: None,
        corrected_received_on: None,
        payment_date: Some(d(2026, 7, 31)),
        payee: account(),
    }
}

fn printing<'a>(state: Option<&'a appr::ApprovalState>) -> Printing<'a> {
    Printing {
        approval: state,
        name_of: &names,
        printed_at: "印刷 令和8年7月3日 (2026-07-03) 10:15 佐藤 花子".into(),
    }
}

const CONTRACT_TITLE: &str = "保険証発行係 業務用ノートパソコンの購入";

fn contract_print(document: ContractDocument, approved: Option<bool>) -> (PrintDoc, Vec<u8>) {
    let c = contract(document);
    let s = approved.map(|a| {
        state(
            "contract",
            CONTRACT_TITLE,
            serde_json::to_value(&c).unwrap(),
            c.amount,
            a,
        )
    });
    let doc = contract_doc(
        Record {
            id: "C-2026-0105",
            title: CONTRACT_TITLE,
            body: &c,
        },
        &request(),
        &contract_tax(&c),
        &printing(s.as_ref()),
    );
    let pdf = render(&doc, fonts());
    (doc, pdf)
}

#[test]
fn the_fixtures_pass_the_domain_checks() {
    // The printouts are tested on data the forms would accept.
    let master = BankMaster::builtin();
    let errors: Vec<_> = vendor::check_vendor(&yamada(), master)
        .into_iter()
        .filter(|f| f.severity == kyosai_domain::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let on = d(2026, 6, 1);
    let c = contract(ContractDocument::Contract);
    let errors: Vec<_> =
        kyosai_domain::procurement::steps::check_contract(&c, &request(), master, on)
            .into_iter()
            .filter(|f| f.severity == kyosai_domain::Severity::Error)
            .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let p = payment_order();
    let errors: Vec<_> = kyosai_domain::procurement::steps::check_payment_order(
        &p,
        &c,
        &inspection(),
        master,
        HolidayTable::builtin(),
        d(2026, 7, 3),
    )
    .into_iter()
    .filter(|f| f.severity == kyosai_domain::Severity::Error)
    .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn the_contract_prints_amount_with_tax_period_method_vendor_items_and_clauses() {
    let (doc, pdf) = contract_print(ContractDocument::Contract, Some(false));
    keep("procurement-contract.pdf", &pdf);
    assert_eq!(doc.heading, "契約書");
    assert!(!doc.decided);
    let t = text(&pdf);
    assert_has(
        &t,
        &[
            "契約書",
            "決裁欄",
            "起案者",
            "佐藤花子",
            "課長",
            "部長",
            CONTRACT_TITLE,
            "金1,870,000円",
            "うち消費税及び地方消費税の額170,000円",
            "履行期限令和8年6月30日(2026-06-30)",
            "随意契約（地方自治法施行令第167条の2第1項第1号少額）",
            "株式会社ヤマダ商事",
            "〒160-0023東京都新宿区西新宿二丁目8番1号",
            "法人番号2011001234567",
            "登録番号T2011001234567",
            "契約締結日令和8年6月1日(2026-06-01)",
            // Items: the amounts add up to the contract amount, so they are printed.
            "ノートパソコン14型メモリ16GB",
            "ドッキングステーションUSBType-C給電対応10台220,000円",
            "合計1,870,000円",
            "既存機器のデータ消去証明書を提出すること。",
            // The clauses with this contract's periods (工事以外: 10 and 30 days).
            "受けた日から10日以内に検査",
            "受理した日から30日以内に代金を支払う",
            "政府契約の支払遅延防止等に関する法律",
            "遅延利息を請求することができる",
            "本書2通を作成",
            "2/2",
        ],
    );
    assert!(raw(&pdf).contains("未決裁"));
    assert!(pdf.len() < 150_000, "{} bytes", pdf.len());
}

#[test]
fn an_approved_contract_has_no_watermark_and_shows_who_approved_when() {
    let (doc, pdf) = contract_print(ContractDocument::Contract, Some(true));
    assert!(doc.decided);
    let titles: Vec<&str> = doc
        .approval
        .columns
        .iter()
        .map(|c| c.title.as_str())
        .collect();
    assert_eq!(titles, ["起案者", "課長", "部長"]);
    let t = text(&pdf);
    assert_has(&t, &["伊藤誠", "中島浩", "R8.5.28", "R8.5.29"]);
    assert!(!raw(&pdf).contains("未決裁"));
    assert!(pdf.len() < 150_000, "{} bytes", pdf.len());
}

#[test]
fn a_contract_never_submitted_is_undecided() {
    let (doc, pdf) = contract_print(ContractDocument::Contract, None);
    assert!(!doc.decided);
    assert!(doc.approval.columns.is_empty());
    assert!(raw(&pdf).contains("未決裁"));
}

#[test]
fn an_acceptance_is_titled_seisho_and_addressed_to_the_association() {
    let (doc, pdf) = contract_print(ContractDocument::Acceptance, Some(false));
    keep("procurement-acceptance.pdf", &pdf);
    assert_eq!(doc.heading, "請書");
    let layout = pdftotext_mode(&pdf, "-layout");
    let first = layout.lines().find(|l| !l.trim().is_empty()).unwrap();
    assert_eq!(first.trim(), "請書", "{layout}");
    let t = text(&pdf);
    assert_has(
        &t,
        &[
            "東京都職員共済組合御中",
            "契約金額金1,870,000円",
            "お請けします",
            "受注者",
            "株式会社ヤマダ商事",
        ],
    );
    assert!(!t.contains("契約書"), "{t}");
    assert!(!t.contains("本書2通"), "{t}");
    assert!(pdf.len() < 150_000, "{} bytes", pdf.len());
}

#[test]
fn items_are_printed_without_amounts_when_they_are_not_the_contract_price() {
    let mut c = contract(ContractDocument::Contract);
    c.amount = 1_800_000;
    let doc = contract_doc(
        Record {
            id: "C-2026-0105",
            title: CONTRACT_TITLE,
            body: &c,
        },
        &request(),
        &[],
        &printing(None),
    );
    assert!(doc.body.contains("ノートパソコン"));
    assert!(!doc.body.contains("1,540,000"), "{}", doc.body);
    let amount = &doc.fields.iter().find(|f| f.0 == "契約金額").unwrap().1;
    assert_eq!(amount, "金 1,800,000 円　（消費税及び地方消費税を含む）");
}

#[test]
fn the_inspection_record_shows_the_deadline_met_and_the_result() {
    let c = contract(ContractDocument::Contract);
    let i = inspection();
    let s = state(
        "inspection",
        "ノートパソコン購入の検査",
        serde_json::to_value(&i).unwrap(),
        i.amount,
        false,
    );
    let doc = inspection_doc(
        Record {
            id: "I-2026-0077",
            title: "ノートパソコン購入の検査",
            body: &i,
        },
        Record {
            id: "C-2026-0105",
            title: CONTRACT_TITLE,
            body: &c,
        },
        &printing(Some(&s)),
    );
    let pdf = render(&doc, fonts());
    keep("procurement-inspection.pdf", &pdf);
    assert_eq!(doc.heading, "検査調書");
    let t = text(&pdf);
    assert_has(
        &t,
        &[
            "検査調書",
            CONTRACT_TITLE,
            "文書IDC-2026-0105",
            "給付完了通知日令和8年6月26日(2026-06-26)",
            // 10 days after the notice (工事以外).
            "検査期限令和8年7月6日(2026-07-06)",
            "10日以内",
            "検査日令和8年6月30日(2026-06-30)期限内",
            "検査員高橋美咲",
            "検査結果合格",
            "金1,870,000円",
            "異常のないことを確認した。",
        ],
    );
    assert!(raw(&pdf).contains("未決裁"));
    assert!(pdf.len() < 150_000, "{} bytes", pdf.len());

    // A late, failed inspection says by how much and what follows.
    let mut late = i.clone();
    late.inspected_on = Some(d(2026, 7, 9));
    late.result = InspectionResult::Failed;
    let s = state(
        "inspection",
        "ノートパソコン購入の検査",
        serde_json::to_value(&late).unwrap(),
        late.amount,
        true,
    );
    let doc = inspection_doc(
        Record {
            id: "I-2026-0077",
            title: "ノートパソコン購入の検査",
            body: &late,
        },
        Record {
            id: "C-2026-0105",
            title: CONTRACT_TITLE,
            body: &c,
        },
        &printing(Some(&s)),
    );
    let pdf = render(&doc, fonts());
    let t = text(&pdf);
    assert!(
        t.contains("検査日令和8年7月9日(2026-07-09)期限を3日超過"),
        "{t}"
    );
    assert!(t.contains("検査結果不合格"), "{t}");
    assert!(t.contains("再納入"), "{t}");
    assert!(!raw(&pdf).contains("未決裁"));
}

fn payment_print(p: &PaymentOrderBody, approved: bool) -> (PrintDoc, Vec<u8>) {
    let c = contract(ContractDocument::Contract);
    let title = "ノートパソコン購入代金の支払";
    let s = state(
        "payment_order",
        title,
        serde_json::to_value(p).unwrap(),
        p.amount,
        approved,
    );
    let doc = payment_order_doc(
        Record {
            id: "P-2026-0031",
            title,
            body: p,
        },
        Record {
            id: "C-2026-0105",
            title: CONTRACT_TITLE,
            body: &c,
        },
        &request(),
        &inspection(),
        HolidayTable::builtin(),
        BankMaster::builtin(),
        &printing(Some(&s)),
    );
    let pdf = render(&doc, fonts());
    (doc, pdf)
}

#[test]
fn the_payment_order_shows_budget_invoice_tax_deadline_and_account() {
    let (doc, pdf) = payment_print(&payment_order(), false);
    keep("procurement-payment.pdf", &pdf);
    assert_eq!(doc.heading, "支出命令書");
    let t = text(&pdf);
    assert_has(
        &t,
        &[
            "支出命令書",
            "予算科目令和8年度(2026)02-01-05事務費備品購入費",
            "支払額金1,870,000円",
            "番号INV-2026-0712",
            "発行日令和8年7月1日(2026-07-01)",
            "登録番号T2011001234567",
            "標準税率10%対象額1,700,000円税額170,000円",
            "請求書受付日令和8年7月2日(2026-07-02)",
            // 30 days from 7/2 is Saturday 8/1: the money must be in on Friday 7/31.
            "令和8年8月1日(2026-08-01)（受付から30日以内",
            "振込は銀行営業日の令和8年7月31日(2026-07-31)まで",
            "支払予定日令和8年7月31日(2026-07-31)期限内",
            // The account in full: bank, branch, 種目, number, name.
            "三菱UFJ（0005）新宿（341）",
            "普通1234567ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ",
            // The invoice's lines.
            "ノートパソコン14型10140,0001,400,00010%",
            "請求額（税込）1,870,000",
            "検査令和8年6月30日(2026-06-30)合格",
        ],
    );
    assert!(raw(&pdf).contains("未決裁"));
    assert!(pdf.len() < 150_000, "{} bytes", pdf.len());

    let (doc, pdf) = payment_print(&payment_order(), true);
    assert!(doc.decided);
    assert!(!raw(&pdf).contains("未決裁"));
    assert!(text(&pdf).contains("中島浩"));
}

#[test]
fn a_mixed_rate_invoice_prints_one_tax_line_per_rate() {
    let mut p = payment_order();
    let inv = p.invoice.as_mut().unwrap();
    inv.lines = vec![
        line("コピー用紙 A4 2500枚", "20", 2_480, TaxCategory::Standard),
        line("トナーカートリッジ", "3", 105, TaxCategory::Standard),
        line(
            "会議用ペットボトル飲料 500ml 24本入",
            "2",
            2_400,
            TaxCategory::Reduced,
        ),
        line("収入印紙", "1", 200, TaxCategory::OutOfScope),
    ];
    // 49,600 + 315 = 49,915 at 10% → 4,991 (once per rate, floored); 4,800 at 8% → 384.
    inv.stated_totals = vec![
        RateTotal {
            category: TaxCategory::Standard,
            taxable: 49_915,
            tax: 4_991,
        },
        RateTotal {
            category: TaxCategory::Reduced,
            taxable: 4_800,
            tax: 384,
        },
        RateTotal {
            category: TaxCategory::OutOfScope,
            taxable: 200,
            tax: 0,
        },
    ];
    inv.stated_tax_total = 5_375;
    inv.stated_payable = 60_290;
    p.amount = 60_290;
    let (doc, pdf) = payment_print(&p, false);
    let lines = &doc.fields.iter().find(|f| f.0 == "税率別内訳").unwrap().1;
    assert_eq!(lines.lines().count(), 3, "{lines}");
    let t = text(&pdf);
    assert_has(
        &t,
        &[
            "標準税率10%対象額49,915円税額4,991円",
            "軽減税率8%対象額4,800円税額384円",
            "対象外対象額200円税額0円",
            "8%※",
            "※は軽減税率対象",
            "支払額金60,290円",
        ],
    );
}

#[test]
fn a_returned_invoice_and_a_late_payment_date_are_spelled_out() {
    let mut p = payment_order();
    p.returned_on = Some(d(2026, 7, 6));
    p.corrected_received_on = Some(d(2026, 7, 10));
    // 7/2 + 30 + 4 days stopped = 8/5 (Wed).
    p.payment_date = Some(d(2026, 8, 7));
    let (_, pdf) = payment_print(&p, false);
    let t = text(&pdf);
    assert_has(&t, &[
        "不備により令和8年7月6日(2026-07-06)に返送、訂正後令和8年7月10日(2026-07-10)に受付（4日停止）",
        "令和8年8月5日(2026-08-05)（受付から30日以内・支払遅延防止法、停止4日を加算）",
        "支払予定日令和8年8月7日(2026-08-07)期限を2日超過（遅延利息の対象）",
    ]);
}

#[test]
fn a_long_contract_flows_onto_further_pages_with_the_watermark_on_each() {
    let mut r = request();
    r.items = (1..=40)
        .map(|i| Item {
            name: format!("消耗品{i}"),
            spec: "事務用品一式（詳細は別紙仕様書のとおり）".into(),
            quantity: "5".into(),
            unit: "箱".into(),
            amount: 10_000,
        })
        .collect();
    r.amount = 400_000;
    let mut c = contract(ContractDocument::Contract);
    c.amount = 400_000;
    let doc = contract_doc(
        Record {
            id: "C-2026-0200",
            title: "事務用消耗品の購入",
            body: &c,
        },
        &r,
        &[],
        &printing(None),
    );
    let pdf = render(&doc, fonts());
    keep("procurement-contract-long.pdf", &pdf);
    let n = pages(&pdf);
    assert!(n >= 3, "{n} pages");
    assert_eq!(raw(&pdf).matches("未決裁").count(), n);
    let t = text(&pdf);
    assert!(t.contains("消耗品40事務用品一式"), "{t}");
    assert!(t.contains("契約書（続き）"), "{t}");
    let pages = raw_pages(&pdf);
    assert_eq!(pages.len(), n);
    for (i, page) in pages.iter().enumerate() {
        let body = body_of(page, i + 1, n);
        // No section heading at the foot of a page; every continuation of the items
        // starts with the column titles again.
        assert!(!body.ends_with('】'), "page {}: {body}", i + 1);
        if i > 0 && body.contains("消耗品") {
            assert!(
                body.starts_with("No.品名・規格数量単位金額（税込）"),
                "page {}: {body}",
                i + 1
            );
        }
    }
    // Each clause and the signatures are on one page, the clauses' heading with the first.
    let on_one_page = |a: &str, b: &str| pages.iter().any(|p| p.contains(a) && p.contains(b));
    assert!(on_one_page("【契約条項（要旨）】", "1.（履行）"));
    assert!(on_one_page("本書2通を作成", "株式会社ヤマダ商事印"));
    assert!(on_one_page("3.（支払）受注者は", "この期間に算入しない"));
    assert!(pdf.len() < 150_000, "{} bytes", pdf.len());
}

#[test]
fn a_long_invoice_continues_with_its_column_titles_and_keeps_the_totals() {
    let mut p = payment_order();
    let inv = p.invoice.as_mut().unwrap();
    inv.lines = (1..=45)
        .map(|i| {
            line(
                &format!("トナーカートリッジ 型番TN-{i:03}"),
                "2",
                5_000,
                TaxCategory::Standard,
            )
        })
        .collect();
    inv.stated_totals = vec![RateTotal {
        category: TaxCategory::Standard,
        taxable: 450_000,
        tax: 45_000,
    }];
    inv.stated_tax_total = 45_000;
    inv.stated_payable = 495_000;
    p.amount = 495_000;
    let (_, pdf) = payment_print(&p, false);
    keep("procurement-payment-long.pdf", &pdf);
    let pages = raw_pages(&pdf);
    let n = pages.len();
    assert!(n >= 2, "{n} pages");
    for (i, page) in pages.iter().enumerate().skip(1) {
        let body = body_of(page, i + 1, n);
        assert!(
            body.starts_with("No.取引内容数量単価金額(税抜)税率"),
            "page {}: {body}",
            i + 1
        );
    }
    let last = body_of(&pages[n - 1], n, n);
    assert!(last.contains("45トナーカートリッジ型番TN-045"), "{last}");
    assert!(
        last.contains("合計（税抜）450,000消費税45,000請求額（税込）495,000"),
        "{last}"
    );
    assert!(pdf.len() < 150_000, "{} bytes", pdf.len());
}
