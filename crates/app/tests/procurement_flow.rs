#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! 調達・契約・支払 across two PCs through the app's own use cases, the sync client and the
//! real central service over TLS on 127.0.0.1: a clerk's request goes through contract,
//! inspection and payment order, each approved by the 課長 on his PC, and the 全銀 file
//! is written and read back. A step cannot start before its parent is decided, and a
//! request beyond the remaining budget is stopped.

use chrono::{Duration, Utc};
use kyosai_app::procurement::forms::{
    AccountForm, InvoiceLineForm, InvoiceTaxForm, ItemForm, QuoteForm, RequestForm, StepForm,
};
use kyosai_app::procurement::masters::{self, BudgetForm, VendorForm};
use kyosai_app::procurement::transfer::{self, PayerForm};
use kyosai_app::procurement::{self as proc, StepInput};
use kyosai_app::proposals::FlagsDto;
use kyosai_central::testing::{TestBackend, TestServer};
use kyosai_domain::approval::{jst, Position};
use kyosai_domain::procurement::calendar::{business_day_on_or_after, HolidayTable};
use kyosai_domain::procurement::zengin;
use kyosai_sync_protocol::Role;

mod common;

use common::{Pc, PASSWORD};

fn ymd(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

async fn a_request_becomes_a_transfer_file(backend: TestBackend, test: &str) {
    if backend == TestBackend::Postgres && kyosai_central::testing::postgres_skipped(test) {
        return;
    }
    let server = TestServer::start(backend).await;
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

    // Masters: a budget line of 1,000,000 yen, the vendor, the paying account.
    tanto
        .with(|s| {
            masters::save_budget_on(
                s,
                &BudgetForm {
                    id: None,
                    fiscal_year: fy.to_string(),
                    code: "01-02-03".into(),
                    name: "事務費 備品購入費".into(),
                    allocated: "1,000,000".into(),
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
                    name: "株式会社ヤマダ事務機".into(),
                    name_kana: "カブシキガイシャヤマダジムキ".into(),
                    corporate_number: "7000012050002".into(),
                    invoice_registration: "T7000012050002".into(),
                    account: AccountForm {
                        bank_code: "0005".into(),
                        branch_code: "001".into(),
                        deposit_type: "1".into(),
                        account_number: "1234567".into(),
                        holder_kana: "カ）ヤマダジムキ".into(),
                    },
                    ..VendorForm::default()
                },
                office,
            )
        })
        .unwrap();
    assert!(vendor.findings.is_empty(), "{:?}", vendor.findings);
    tanto
        .with(|s| {
            transfer::save_payer_on(
                s,
                &PayerForm {
                    id: None,
                    code: "1234567890".into(),
                    name_kana: "ﾄｳｷﾖｳﾄｼﾖｸｲﾝｷﾖｳｻｲｸﾐｱｲ".into(),
                    bank_code: "0001".into(),
                    branch_code: "001".into(),
                    deposit_type: "1".into(),
                    account_number: "7654321".into(),
                },
                office,
            )
        })
        .unwrap();

    // 調達依頼 of 300,000 yen with two quotes.
    let request = StepInput {
        id: None,
        parent: None,
        title: "窓口用プリンターの購入".into(),
        form: StepForm::Procurement(RequestForm {
            purpose: "窓口用プリンターの故障による更新".into(),
            category: "purchase".into(),
            budget_year: fy.to_string(),
            budget_code: "01-02-03".into(),
            budget_name: "事務費 備品購入費".into(),
            items: vec![ItemForm {
                name: "A4カラーレーザープリンター".into(),
                quantity: "1".into(),
                unit: "台".into(),
                amount: "300,000".into(),
                ..ItemForm::default()
            }],
            quotes: vec![
                QuoteForm {
                    vendor_id: Some(vendor.id.clone()),
                    vendor_name: "株式会社ヤマダ事務機".into(),
                    amount: "300000".into(),
                    ..QuoteForm::default()
                },
                QuoteForm {
                    vendor_name: "有限会社サトウ商会".into(),
                    amount: "320000".into(),
                    ..QuoteForm::default()
                },
            ],
            selected_quote: Some(0),
            ..RequestForm::default()
        }),
        amends: None,
    };
    let case = tanto
        .with(|s| proc::save_on(s, &request, office, "tanto", now))
        .unwrap();
    let req = case.steps[0].clone();
    assert!(req.findings.is_empty(), "{:?}", req.findings);
    assert!(req.can_submit);
    // A contract cannot start before the request is decided.
    let early = tanto
        .with(|s| proc::new_step_form(s, &req.id, now))
        .unwrap_err();
    assert_eq!(early.code, "procurement.parent_not_decided");
    tanto
        .with(|s| proc::submit_on(s, &tanto.me, &req.id, FlagsDto::default(), now))
        .unwrap();
    tanto.sync().await;

    // A second request beyond what is left of the budget is stopped.
    let mut big = request.clone();
    if let StepForm::Procurement(f) = &mut big.form {
        f.items[0].amount = "700,001".into();
    }
    let findings = tanto.with(|s| proc::check_on(s, &big, now)).unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f.code == "procurement.budget_exceeded"),
        "{findings:?}"
    );

    kacho.approve(&req.id).await;
    tanto.sync().await;

    // 契約 from the decided request (prefilled from the chosen quote).
    let mut contract = tanto
        .with(|s| proc::new_step_form(s, &req.id, now))
        .unwrap();
    let StepForm::Contract(f) = &mut contract.form else {
        panic!("a contract form")
    };
    assert_eq!(f.vendor_id, vendor.id);
    assert_eq!(f.amount, "300000");
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
    assert_eq!(c.kind, "contract");
    assert!(c.findings.is_empty(), "{:?}", c.findings);
    tanto
        .with(|s| proc::submit_on(s, &tanto.me, &c.id, FlagsDto::default(), now))
        .unwrap();
    tanto.sync().await;
    kacho.approve(&c.id).await;
    tanto.sync().await;

    // 検収・検査: delivered two days ago, inspected today, passed.
    let mut inspection = tanto.with(|s| proc::new_step_form(s, &c.id, now)).unwrap();
    let StepForm::Inspection(f) = &mut inspection.form else {
        panic!("an inspection form")
    };
    f.completion_notice_on = ymd(today - Duration::days(2));
    f.inspector = "検査 一郎".into();
    f.result = "passed".into();
    let case = tanto
        .with(|s| proc::save_on(s, &inspection, office, "tanto", now))
        .unwrap();
    let i = case.steps[2].clone();
    assert!(i.findings.is_empty(), "{:?}", i.findings);
    assert_eq!(i.deadline.as_ref().unwrap().risk, "done");
    tanto
        .with(|s| proc::submit_on(s, &tanto.me, &i.id, FlagsDto::default(), now))
        .unwrap();
    tanto.sync().await;
    kacho.approve(&i.id).await;
    tanto.sync().await;

    // 支出命令 with the invoice: 272,728 yen at 10% → tax 27,272, 300,000 in all.
    let pay_on = business_day_on_or_after(today + Duration::days(7), HolidayTable::builtin());
    let mut order = tanto.with(|s| proc::new_step_form(s, &i.id, now)).unwrap();
    let StepForm::PaymentOrder(f) = &mut order.form else {
        panic!("a payment order form")
    };
    assert_eq!(f.payee.bank_code, "0005");
    f.invoice.number = "INV-2026-0042".into();
    f.invoice.issue_date = ymd(today);
    f.invoice.buyer_name = "東京都職員共済組合".into();
    f.invoice.lines = vec![InvoiceLineForm {
        description: "A4カラーレーザープリンター".into(),
        quantity: "1".into(),
        amount: "272,728".into(),
        category: "S".into(),
    }];
    f.invoice.taxes = vec![InvoiceTaxForm {
        category: "S".into(),
        taxable: "272728".into(),
        tax: "27272".into(),
    }];
    f.invoice.payable = "300,000".into();
    f.payment_date = ymd(pay_on);
    let case = tanto
        .with(|s| proc::save_on(s, &order, office, "tanto", now))
        .unwrap();
    let o = case.steps[3].clone();
    assert_eq!(o.kind, "payment_order");
    assert!(o.findings.is_empty(), "{:?}", o.findings);
    assert_eq!(o.amount_text, "300,000");
    assert_eq!(o.deadline.as_ref().unwrap().what, "支払期限");
    tanto
        .with(|s| proc::submit_on(s, &tanto.me, &o.id, FlagsDto::default(), now))
        .unwrap();
    tanto.sync().await;
    kacho.approve(&o.id).await;
    tanto.sync().await;

    // The decided steps print without the 「未決裁」 watermark.
    for (id, heading) in [(&c.id, "請書"), (&i.id, "検査調書"), (&o.id, "支出命令書")] {
        let doc = tanto
            .with(|s| kyosai_app::printing::print_doc_of(s, Some(&tanto.me), id, now))
            .unwrap();
        assert!(doc.heading.contains(heading), "{}", doc.heading);
        assert!(doc.decided, "{heading}");
    }

    // 支払: the decided order is payable; the file is written and reads back.
    let payable = tanto.with(transfer::payable_of).unwrap();
    assert_eq!(payable.len(), 1);
    assert_eq!(payable[0].id, o.id);
    // The preview reads the built bytes back: the payee as the bank will see it.
    let preview = tanto
        .with(|s| transfer::preview_on(s, std::slice::from_ref(&o.id), &ymd(pay_on), now))
        .unwrap();
    assert!(preview.errors.is_empty(), "{:?}", preview.errors);
    assert_eq!(preview.rows.len(), 1);
    assert_eq!(preview.rows[0].payee, "ｶ)ﾔﾏﾀﾞｼﾞﾑｷ");
    assert_eq!(preview.rows[0].amount_text, "300,000");
    assert!(
        preview.requester.contains("1234567890"),
        "{}",
        preview.requester
    );
    assert!(
        tanto.with(transfer::payable_of).unwrap().len() == 1,
        "a preview pays nothing"
    );
    let dir = tempfile::tempdir().unwrap();
    let result = tanto
        .with(|s| {
            transfer::export_on(
                s,
                std::slice::from_ref(&o.id),
                &ymd(pay_on),
                dir.path(),
                office,
                now,
            )
        })
        .unwrap();
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    assert_eq!(result.count, 1);
    assert_eq!(result.total_text, "300,000");
    let bytes = std::fs::read(&result.path).unwrap();
    let parsed = zengin::parse_sogo_furikomi(&bytes).unwrap();
    assert_eq!(parsed.count, 1);
    assert_eq!(parsed.total, 300_000);
    assert_eq!(parsed.transfers[0].bank_code, "0005");
    assert_eq!(parsed.transfers[0].account_number, "1234567");
    assert!(tanto.with(transfer::payable_of).unwrap().is_empty());
    // The audit log names the file, its count and total, never the account.
    // (Its batch record follows it: the file is audited before the batch is recorded.)
    let mut log = tanto.with(|s| s.audit().entries().unwrap());
    let batch = log.pop().unwrap();
    assert_eq!(batch.action, kyosai_audit::actions::RECORD_CREATE);
    let audited = log.pop().unwrap();
    assert_eq!(audited.action, kyosai_audit::actions::EXPORT_ZENGIN);
    assert_eq!(audited.actor, "tanto");
    assert_eq!(
        audited.target.as_deref(),
        std::path::Path::new(&result.path)
            .file_name()
            .and_then(|n| n.to_str())
    );
    assert_eq!(audited.detail["total"], serde_json::json!(300_000));
    assert_eq!(audited.detail["orders"], serde_json::json!([o.id.clone()]));
    assert!(!audited.detail.to_string().contains("1234567"));
    // Paid: the payment deadline is done; the batch reaches the server.
    let case = tanto
        .with(|s| proc::case_of(s, &req.id, "tanto", now))
        .unwrap();
    assert_eq!(case.steps.len(), 4);
    assert_eq!(case.steps[3].deadline.as_ref().unwrap().risk, "done");
    tanto.sync().await;
    let again = tanto
        .with(|s| {
            transfer::export_on(
                s,
                std::slice::from_ref(&o.id),
                &ymd(pay_on),
                dir.path(),
                office,
                now,
            )
        })
        .unwrap_err();
    assert_eq!(again.code, "zengin.not_payable");

    // 変更起案 of the decided request: 400,000 yen; once approved it replaces the original
    // in the budget (300,000 → 400,000 committed, never 700,000).
    let mut change = tanto.with(|s| proc::amend_form(s, &req.id)).unwrap();
    assert_eq!(change.amends.as_deref(), Some(req.id.as_str()));
    assert!(change.title.starts_with("【変更】"));
    if let StepForm::Procurement(f) = &mut change.form {
        f.items[0].amount = "400,000".into();
    }
    let case = tanto
        .with(|s| proc::save_on(s, &change, office, "tanto", now))
        .unwrap();
    let ch = case
        .steps
        .iter()
        .find(|s| s.amends.as_deref() == Some(req.id.as_str()))
        .unwrap()
        .clone();
    assert!(ch.findings.is_empty(), "{:?}", ch.findings);
    tanto
        .with(|s| proc::submit_on(s, &tanto.me, &ch.id, FlagsDto::default(), now))
        .unwrap();
    tanto.sync().await;
    kacho.approve(&ch.id).await;
    tanto.sync().await;
    let budgets = tanto.with(|s| masters::budgets_of(s, Some(fy))).unwrap();
    let line = budgets.iter().find(|b| b.code == "01-02-03").unwrap();
    assert_eq!(line.committed_text, "400,000");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_request_becomes_a_transfer_file() {
    a_request_becomes_a_transfer_file(TestBackend::Sqlite, "sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_request_becomes_a_transfer_file() {
    a_request_becomes_a_transfer_file(TestBackend::Postgres, "postgres").await;
}
