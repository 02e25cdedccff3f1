#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! A verified 請求書 from the AI-OCR queue becomes the invoice of a payment order
//! (支出命令), through the app's own use cases, a real store and the real central service
//! over TLS on 127.0.0.1: a generated invoice is read (readings from its ground truth,
//! routed by the real pipeline), its clerk confirms or corrects what needs a person, the
//! queue shows it as verified, the payment order's editor takes it (nothing handed off
//! yet), and saving the order hands the document off and keeps each value's provenance
//! — through later saves, submission and the 課長's approval.

use chrono::{Duration, NaiveDate, Utc};
use kyosai_app::ocr::{self, OcrEnterInput, ReadDocument};
use kyosai_app::procurement::forms::{AccountForm, ItemForm, QuoteForm, RequestForm, StepForm};
use kyosai_app::procurement::masters::{self, BudgetForm, VendorForm};
use kyosai_app::procurement::{self as proc, StepInput};
use kyosai_app::proposals::FlagsDto;
use kyosai_central::testing::{TestBackend, TestServer};
use kyosai_domain::approval::{jst, Position};
use kyosai_domain::procurement::calendar::{business_day_on_or_after, HolidayTable};
use kyosai_ocr::checks::ReferenceData;
use kyosai_ocr::field::{Confidence, EngineInfo, FieldReading, OcrText};
use kyosai_ocr::pipeline::decide_readings;
use kyosai_ocr::queue::{build_scan, DocumentStatus, QueueDocument, DOCUMENT_KIND};
use kyosai_ocr::routing::RoutingPolicy;
use kyosai_ocr::samples::{generate_document, Fonts, SampleDocument};
use kyosai_ocr::template::{builtin_by_id, Template};
use kyosai_sync_protocol::Role;

mod common;

use common::{Pc, PASSWORD};

const TEMPLATE: &str = "seikyusho";
/// Read with low confidence: a person confirms them.
const UNSURE: &[&str] = &["sellerRegistration", "statedPayable"];
/// Misread by the engine (a digit wrong): a person corrects it.
const MISREAD: &str = "payeeAccount.accountNumber";

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A generated invoice with both tax rates (10 % and 8 %).
fn sample(template: &Template) -> SampleDocument {
    let fonts = Fonts::system().unwrap();
    (1..200)
        .map(|seed| generate_document(template, "inv-ocr", seed, &fonts).unwrap())
        .find(|s| {
            !s.truth.fields["statedTotals.reduced.taxable"]
                .value
                .is_empty()
        })
        .expect("a sample with a reduced-rate total")
}

fn truth_text(template: &Template, sample: &SampleDocument, field: &str) -> String {
    let t = &sample.truth.fields[field];
    if template.field(field).unwrap().kind.is_mark() {
        t.value.clone()
    } else {
        t.printed.clone()
    }
}

/// The document as an engine would read the paper: what is printed, sure of everything
/// but [`UNSURE`] and [`MISREAD`] (read with its last digit wrong).
fn read_document(template: &Template, sample: &SampleDocument) -> ReadDocument {
    let readings: Vec<FieldReading> = template
        .fields
        .iter()
        .map(|f| {
            let mut text = truth_text(template, sample, &f.id);
            let mut confidence = 0.999;
            if UNSURE.contains(&f.id.as_str()) {
                confidence = 0.40;
            }
            if f.id == MISREAD {
                let last = text.pop().unwrap();
                text.push(if last == '8' { '3' } else { '8' });
                confidence = 0.40;
            }
            FieldReading {
                field: f.id.clone(),
                page: f.page,
                text: OcrText::new(text),
                confidence: Confidence::new(confidence),
                bbox: None,
                engine: EngineInfo {
                    name: "tesseract".into(),
                    version: "5.3.0".into(),
                },
            }
        })
        .collect();
    let policy = RoutingPolicy {
        qa_rate: 0.0,
        ..RoutingPolicy::default()
    };
    let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let result = decide_readings(
        template,
        "20261126-093000-seikyu",
        &readings,
        &policy,
        today,
        &ReferenceData::default(),
    );
    let pages = kyosai_ocr::input::load_pages(&sample.jpeg_pages[0]).unwrap();
    let scan = build_scan("20261126-093000-seikyu", template, &pages).unwrap();
    ReadDocument { result, scan }
}

/// Enters, for every field `pc` has a task on, the value printed on the paper.
fn work_through(pc: &Pc, id: &str, template: &Template, sample: &SampleDocument) -> usize {
    let view = pc
        .with(|s| ocr::view_on(s, &pc.me, id, None, Utc::now()))
        .unwrap();
    let mut done = 0;
    for f in view.state.fields.iter().filter(|f| f.task.is_some()) {
        let state = pc
            .with(|s| {
                ocr::enter_on(
                    s,
                    &pc.me,
                    &OcrEnterInput {
                        document_id: id.to_owned(),
                        field: f.field.clone(),
                        text: truth_text(template, sample, &f.field),
                        elapsed_ms: 2_000,
                    },
                    Utc::now(),
                )
            })
            .unwrap();
        // An invoice is not handed off by its last field: it waits for a payment order.
        assert_eq!(state.status, "open");
        assert!(state.handed_off.is_none());
        done += 1;
    }
    done
}

fn document(pc: &Pc, id: &str) -> QueueDocument {
    let r = pc
        .with(|s| s.sync().record(id.parse().unwrap()))
        .unwrap()
        .unwrap();
    assert_eq!(r.kind, DOCUMENT_KIND);
    serde_json::from_value(r.body).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verified_invoice_becomes_the_payment_orders_invoice_with_its_provenance() {
    let server = TestServer::start(TestBackend::Sqlite).await;
    server.add_office("1203", "新宿区役所").await;
    server
        .add_user(
            "tanto",
            "佐藤 花子",
            &[Role::OfficeClerk],
            Some("1203"),
            PASSWORD,
        )
        .await;
    server
        .add_user("kacho", "伊藤 誠", &[Role::Approver], None, PASSWORD)
        .await;
    assert!(server
        .storage()
        .set_positions("kacho", &[Position::Kacho])
        .await
        .unwrap());
    let tanto = Pc::sign_in(&server, "tanto").await;
    let kacho = Pc::sign_in(&server, "kacho").await;
    let office = Some("1203");
    let now = Utc::now();
    let today = jst(now).date();
    let fy = kyosai_domain::fiscal::fiscal_year(today);

    // The paper invoice, read into the office's queue.
    let template = builtin_by_id(TEMPLATE).unwrap();
    let sample = sample(&template);
    let truth = |f: &str| sample.truth.fields[f].value.clone();
    let payable: i64 = truth("statedPayable").parse().unwrap();
    let summary = tanto
        .with(|s| {
            ocr::store_read_on(
                s,
                &tanto.me,
                "1203",
                "seikyu-0001.pdf",
                vec![read_document(&template, &sample)],
                now,
            )
        })
        .unwrap();
    let doc_id = summary.ids[0].clone();
    assert!(summary.to_people >= 3, "{summary:?}");
    let queue = tanto.with(|s| ocr::queue_on(s, &tanto.me)).unwrap();
    assert_eq!(queue.items[0].status, "open");
    assert!(tanto.with(ocr::verified_invoices_on).unwrap().is_empty());
    let early = tanto
        .with(|s| ocr::take_invoice_on(s, &doc_id))
        .unwrap_err();
    assert_eq!(early.code, "ocr.incomplete");

    // The clerk decides every field that needs a person: verified, waiting for an order.
    assert!(work_through(&tanto, &doc_id, &template, &sample) >= 3);
    let queue = tanto.with(|s| ocr::queue_on(s, &tanto.me)).unwrap();
    assert_eq!(queue.items[0].status, "verified");
    assert_eq!(queue.items[0].undecided, 0);
    assert_eq!(queue.mine, 0);
    let choices = tanto.with(ocr::verified_invoices_on).unwrap();
    assert_eq!(choices.len(), 1);
    let choice = &choices[0];
    assert_eq!(choice.id, doc_id);
    assert_eq!(choice.source_name, "seikyu-0001.pdf");
    assert_eq!(choice.document_label, "20261126-093000-seikyu");
    assert_eq!(choice.seller_name, truth("sellerName"));
    assert_eq!(choice.number, truth("number"));
    assert_eq!(choice.issue_date, truth("issueDate"));
    assert_eq!(choice.payable, kyosai_domain::approval::yen(payable));
    tanto.sync().await;

    // Masters: the seller as a registered vendor, a budget line.
    tanto
        .with(|s| {
            masters::save_budget_on(
                s,
                &BudgetForm {
                    id: None,
                    fiscal_year: fy.to_string(),
                    code: "01-02-04".into(),
                    name: "事務費 消耗品費".into(),
                    allocated: "50,000,000".into(),
                },
                office,
                now,
            )
        })
        .unwrap();
    let vendor = tanto
        .with(|s| {
            masters::save_vendor_on(
                s,
                &VendorForm {
                    name: truth("sellerName"),
                    name_kana: format!("カブシキガイシャ{}", truth("payeeAccount.name")),
                    invoice_registration: truth("sellerRegistration"),
                    account: AccountForm {
                        bank_code: truth("payeeAccount.bankCode"),
                        branch_code: truth("payeeAccount.branchCode"),
                        deposit_type: truth("payeeAccount.depositType"),
                        account_number: truth("payeeAccount.accountNumber"),
                        holder_kana: truth("payeeAccount.name"),
                    },
                    ..VendorForm::default()
                },
                office,
            )
        })
        .unwrap();

    // 調達依頼 → 契約 → 検収・検査, each approved by the 課長.
    let request = StepInput {
        id: None,
        parent: None,
        title: "窓口用消耗品の購入".into(),
        form: StepForm::Procurement(RequestForm {
            purpose: "窓口で使う事務用品と飲料の補充".into(),
            category: "purchase".into(),
            budget_year: fy.to_string(),
            budget_code: "01-02-04".into(),
            budget_name: "事務費 消耗品費".into(),
            items: vec![ItemForm {
                name: "事務用品一式".into(),
                quantity: "1".into(),
                unit: "式".into(),
                amount: payable.to_string(),
                ..ItemForm::default()
            }],
            quotes: vec![QuoteForm {
                vendor_id: Some(vendor.id.clone()),
                vendor_name: truth("sellerName"),
                amount: payable.to_string(),
                ..QuoteForm::default()
            }],
            selected_quote: Some(0),
            ..RequestForm::default()
        }),
        amends: None,
    };
    let case = tanto
        .with(|s| proc::save_on(s, &request, office, "tanto", now))
        .unwrap();
    let req = case.steps[0].clone();
    assert!(req.ocr_provenance.is_none());
    let decide = |id: String| {
        let tanto = &tanto;
        let kacho = &kacho;
        async move {
            tanto
                .with(|s| proc::submit_on(s, &tanto.me, &id, FlagsDto::default(), now))
                .unwrap();
            tanto.sync().await;
            kacho.approve(&id).await;
            tanto.sync().await;
        }
    };
    decide(req.id.clone()).await;
    let mut contract = tanto
        .with(|s| proc::new_step_form(s, &req.id, now))
        .unwrap();
    let StepForm::Contract(f) = &mut contract.form else {
        panic!("a contract form")
    };
    f.method = "negotiated".into();
    f.ground = "small_amount".into();
    f.work_type = "other".into();
    f.document = "acceptance".into();
    f.period_from = ymd(today);
    f.period_to = ymd(today + Duration::days(30));
    let case = tanto
        .with(|s| proc::save_on(s, &contract, office, "tanto", now))
        .unwrap();
    let c = case.steps[1].clone();
    decide(c.id.clone()).await;
    let mut inspection = tanto.with(|s| proc::new_step_form(s, &c.id, now)).unwrap();
    let StepForm::Inspection(f) = &mut inspection.form else {
        panic!("an inspection form")
    };
    f.completion_notice_on = ymd(today - Duration::days(1));
    f.inspector = "検査 一郎".into();
    f.result = "passed".into();
    let case = tanto
        .with(|s| proc::save_on(s, &inspection, office, "tanto", now))
        .unwrap();
    let i = case.steps[2].clone();
    decide(i.id.clone()).await;

    // 支出命令: the editor takes the verified invoice. Nothing is handed off yet.
    let mut order = tanto.with(|s| proc::new_step_form(s, &i.id, now)).unwrap();
    let taken = tanto.with(|s| ocr::take_invoice_on(s, &doc_id)).unwrap();
    assert_eq!(document(&tanto, &doc_id).status, DocumentStatus::Open);
    let inv = &taken.invoice;
    assert_eq!(inv.source, "ocr");
    assert_eq!(inv.payable, payable.to_string());
    assert_eq!(inv.seller_name, truth("sellerName"));
    assert_eq!(inv.seller_registration, truth("sellerRegistration"));
    assert_eq!(inv.number, truth("number"));
    assert_eq!(inv.issue_date, truth("issueDate"));
    assert_eq!(inv.buyer_name, "東京都職員共済組合");
    let rates: Vec<(&str, &str, &str)> = inv
        .taxes
        .iter()
        .map(|t| (t.category.as_str(), t.taxable.as_str(), t.tax.as_str()))
        .collect();
    let (s_taxable, s_tax, r_taxable, r_tax) = (
        truth("statedTotals.standard.taxable"),
        truth("statedTotals.standard.tax"),
        truth("statedTotals.reduced.taxable"),
        truth("statedTotals.reduced.tax"),
    );
    assert_eq!(
        rates,
        vec![
            ("S", s_taxable.as_str(), s_tax.as_str()),
            ("AA", r_taxable.as_str(), r_tax.as_str())
        ]
    );
    let lines: Vec<(&str, &str, &str)> = inv
        .lines
        .iter()
        .map(|l| {
            (
                l.description.as_str(),
                l.amount.as_str(),
                l.category.as_str(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        vec![
            ("請求書記載の合計（10%対象）", s_taxable.as_str(), "S"),
            ("請求書記載の合計（8%対象）", r_taxable.as_str(), "AA")
        ]
    );
    let payee = taken.payee.clone().unwrap();
    assert_eq!(payee.bank_code, truth("payeeAccount.bankCode"));
    assert_eq!(payee.branch_code, truth("payeeAccount.branchCode"));
    assert_eq!(payee.deposit_type, truth("payeeAccount.depositType"));
    assert_eq!(payee.account_number, truth("payeeAccount.accountNumber"));
    assert_eq!(payee.holder_kana, truth("payeeAccount.name"));
    assert_eq!(taken.due_date, None);
    let prov = &taken.provenance;
    assert_eq!(prov.document_id, doc_id);
    assert_eq!(prov.source_name, "seikyu-0001.pdf");
    assert_eq!(prov.fields.len(), template.fields.len());
    let field = |name: &str| prov.fields.iter().find(|f| f.field == name).unwrap();
    let account = field(MISREAD);
    assert_eq!(account.resolution, "corrected");
    assert_eq!(account.resolution_label, "修正");
    assert_eq!(account.value, truth(MISREAD));
    assert_ne!(
        account.engine_value.as_deref(),
        Some(account.value.as_str())
    );
    assert_eq!(account.by, vec!["佐藤 花子".to_string()]);
    assert!(account.at.is_some());
    assert_eq!(field("statedPayable").resolution, "confirmed");
    assert_eq!(field("statedPayable").confidence, 40);
    assert_eq!(field("sellerName").resolution, "auto");
    assert_eq!(field("sellerName").engine, "tesseract 5.3.0");

    // The form filled as the JP PINT import fills it; saved, the document is handed off.
    let pay_on = business_day_on_or_after(today + Duration::days(7), HolidayTable::builtin());
    let StepForm::PaymentOrder(f) = &mut order.form else {
        panic!("a payment order form")
    };
    f.invoice = taken.invoice.clone();
    f.payment_date = ymd(pay_on);
    f.ocr_document_id = Some(doc_id.clone());
    let case = tanto
        .with(|s| proc::save_on(s, &order, office, "tanto", now))
        .unwrap();
    let o = case.steps[3].clone();
    assert_eq!(o.kind, "payment_order");
    assert_eq!(o.amount_text, kyosai_domain::approval::yen(payable));
    let errors: Vec<_> = o
        .findings
        .iter()
        .filter(|f| f.severity == kyosai_app::SeverityDto::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(o.ocr_provenance.as_ref(), Some(prov));
    let StepForm::PaymentOrder(saved) = &o.form else {
        panic!("a payment order form")
    };
    assert_eq!(saved.invoice.source, "ocr");
    assert_eq!(saved.ocr_document_id, None, "the body keeps the provenance");
    let DocumentStatus::HandedOff {
        kind,
        record_id,
        by,
        ..
    } = document(&tanto, &doc_id).status
    else {
        panic!("handed off")
    };
    assert_eq!(kind, "payment_order");
    assert_eq!(record_id, o.id);
    assert_eq!(by.name, "佐藤 花子");
    let queue = tanto.with(|s| ocr::queue_on(s, &tanto.me)).unwrap();
    assert_eq!(queue.items[0].status, "handed_off");
    assert_eq!(
        queue.items[0].handed_off_record_id.as_deref(),
        Some(o.id.as_str())
    );
    assert!(tanto.with(ocr::verified_invoices_on).unwrap().is_empty());
    let again = tanto
        .with(|s| ocr::take_invoice_on(s, &doc_id))
        .unwrap_err();
    assert_eq!(again.code, "ocr.handed_off");

    // Saved again (the editor still names the document, then not): the provenance stays.
    let mut edit = StepInput {
        id: Some(o.id.clone()),
        parent: o.parent.clone(),
        title: o.title.clone(),
        form: order.form.clone(),
        amends: None,
    };
    let case = tanto
        .with(|s| proc::save_on(s, &edit, office, "tanto", now))
        .unwrap();
    assert_eq!(case.steps[3].ocr_provenance.as_ref(), Some(prov));
    edit.form = case.steps[3].form.clone();
    let StepForm::PaymentOrder(f) = &mut edit.form else {
        panic!("a payment order form")
    };
    f.invoice_received_on = ymd(today);
    let case = tanto
        .with(|s| proc::save_on(s, &edit, office, "tanto", now))
        .unwrap();
    assert_eq!(case.steps[3].ocr_provenance.as_ref(), Some(prov));

    // Another payment order cannot take the same paper invoice.
    let mut other = tanto.with(|s| proc::new_step_form(s, &i.id, now)).unwrap();
    let StepForm::PaymentOrder(f) = &mut other.form else {
        panic!("a payment order form")
    };
    f.invoice = taken.invoice.clone();
    f.ocr_document_id = Some(doc_id.clone());
    let refused = tanto
        .with(|s| proc::save_on(s, &other, office, "tanto", now))
        .unwrap_err();
    assert_eq!(refused.code, "ocr.handed_off");
    let case = tanto
        .with(|s| proc::case_of(s, &req.id, "tanto", now))
        .unwrap();
    assert_eq!(case.steps.len(), 4, "nothing saved");

    // The server takes the order with its provenance; the 課長 approves it and sees it.
    decide(o.id.clone()).await;
    kacho.sync().await;
    let seen = kacho
        .with(|s| proc::case_of(s, &o.id, "kacho", Utc::now()))
        .unwrap();
    let decided = seen.steps.iter().find(|s| s.id == o.id).unwrap();
    assert_eq!(decided.status, "approved");
    assert_eq!(decided.ocr_provenance.as_ref(), Some(prov));
    server.stop().await;
}
