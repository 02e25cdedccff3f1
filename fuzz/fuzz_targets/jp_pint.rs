//! The JP PINT e-invoice import (`kyosai_domain::procurement::pint`) as the app and the
//! CLI run it on a vendor's XML: parse, check the invoice, compute its totals, fill the
//! payment order's form and read the form back. Whatever the bytes, the import answers
//! with an invoice or a coded error — it never panics — and an imported invoice reads
//! back from the form with the same amount to pay and the same lines.
#![no_main]

use chrono::NaiveDate;
use kyosai_app::procurement::forms::{invoice_from_pint, payment_order_body, PaymentOrderForm};
use kyosai_domain::procurement::invoice::{check_invoice, computed_totals, payable};
use kyosai_domain::procurement::pint::parse_jp_pint;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let invoice = match parse_jp_pint(data) {
        Ok(invoice) => invoice,
        Err(e) => {
            assert!(e.code.starts_with("pint."), "unexpected code {}", e.code);
            assert!(!e.message.is_empty());
            return;
        }
    };
    let today = NaiveDate::from_ymd_opt(2024, 4, 3).unwrap_or_default();
    let _ = check_invoice(&invoice, today);
    let _ = computed_totals(&invoice);
    let _ = payable(&invoice);
    // `kyosai invoice import` prints it as JSON.
    let _ = serde_json::to_value(&invoice);

    let imported = match invoice_from_pint(data) {
        Ok(imported) => imported,
        Err(e) => panic!("parsed by the domain but refused by the app: {}", e.code),
    };
    let form = PaymentOrderForm {
        invoice: imported.invoice,
        ..PaymentOrderForm::default()
    };
    let (body, findings) = payment_order_body(&form, "p");
    if !findings.is_empty() {
        // The clerk sees what to fix on the form; nothing is saved as it is.
        return;
    }
    assert_eq!(body.amount, invoice.stated_payable, "amount to pay");
    let Some(back) = body.invoice else {
        panic!("an imported invoice vanished from the form");
    };
    assert_eq!(back.stated_payable, invoice.stated_payable);
    assert_eq!(back.lines.len(), invoice.lines.len());
    for (a, b) in back.lines.iter().zip(&invoice.lines) {
        assert_eq!(
            (a.amount, a.category),
            (b.amount, b.category),
            "line amounts"
        );
    }
});
