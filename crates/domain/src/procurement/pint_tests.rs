#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Tests of the JP PINT import against the sample invoices published with the JP PINT
//! specification (`tests/fixtures/jp-pint/`, see its README) and against small invoices
//! written here for the cases the samples do not cover.

use super::*;
use crate::finding::Severity;
use crate::procurement::invoice::{self, check_invoice};

const EXAMPLE: &[u8] =
    include_bytes!("../../../../tests/fixtures/jp-pint/Japan PINT Invoice UBL Example.xml");
const EXAMPLE1_MINIMUM: &[u8] = include_bytes!(
    "../../../../tests/fixtures/jp-pint/Japan PINT Invoice UBL Example1-minimum.xml"
);
const EXAMPLE3_SUMINV1: &[u8] = include_bytes!(
    "../../../../tests/fixtures/jp-pint/Japan PINT Invoice UBL Example3-SumInv1.xml"
);
const EXAMPLE4_SUMINV2: &[u8] = include_bytes!(
    "../../../../tests/fixtures/jp-pint/Japan PINT Invoice UBL Example4-SumInv2.xml"
);

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn today() -> NaiveDate {
    d(2025, 4, 1)
}

fn totals(inv: &Invoice) -> Vec<(&'static str, i64, i64)> {
    inv.stated_totals
        .iter()
        .map(|t| (t.category.pint_code(), t.taxable, t.tax))
        .collect()
}

fn codes(findings: &[crate::finding::Finding]) -> Vec<(&str, &'static str)> {
    findings
        .iter()
        .map(|f| (f.field.as_str(), f.code))
        .collect()
}

fn replaced(xml: &[u8], from: &str, to: &str) -> Vec<u8> {
    let text = std::str::from_utf8(xml).unwrap();
    assert!(text.contains(from), "fixture lacks {from}");
    text.replacen(from, to, 1).into_bytes()
}

/// The sample invoice's seller number T1234567890123 is a placeholder: its digits fail the
/// 法人番号 check digit, which is a warning (numbers of individuals need not follow it).
fn only_the_placeholder_check_digit_warning(findings: &[crate::finding::Finding]) {
    assert_eq!(
        codes(findings),
        [("sellerRegistration", "invoice_number.check_digit")]
    );
    assert_eq!(findings[0].severity, Severity::Warning);
}

#[test]
fn full_example_imports_with_document_level_allowance_and_charge() {
    let inv = parse_jp_pint(EXAMPLE).unwrap();
    assert_eq!(inv.number, "156");
    assert_eq!(inv.issue_date, d(2023, 10, 24));
    assert_eq!(inv.due_date, Some(d(2023, 11, 20)));
    assert_eq!(inv.seller_name, "株式会社 〇〇商事");
    assert_eq!(inv.seller_registration.as_deref(), Some("T1234567890123"));
    assert_eq!(
        inv.seller_corporate_number.as_deref(),
        Some("1234567890123")
    );
    assert_eq!(inv.buyer_name, "株式会社 〇〇物産");
    assert_eq!(totals(&inv), [("S", 260_000, 26_000), ("E", 3_490, 0)]);
    assert_eq!(inv.stated_tax_total, 26_000);
    assert_eq!(inv.stated_payable, 289_490);
    assert_eq!(
        inv.source,
        InvoiceSource::JpPint {
            customization_id: "urn:peppol:pint:billing-1@jp-1".into()
        }
    );
    let lines: Vec<_> = inv
        .lines
        .iter()
        .map(|l| {
            (
                l.description.as_str(),
                l.quantity.as_str(),
                l.unit_price,
                l.amount,
                l.category.pint_code(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("デスクチェア", "5", Some(50_000), 250_000, "S"),
            ("コピー用紙（A4）", "5", Some(500), 2_500, "S"),
            ("検定済教科書(算数)", "10", Some(349), 3_490, "E"),
            ("請求書全体の値引（値引）", "", None, -179, "S"),
            ("請求書全体の追加料金（配送サービス）", "", None, 7_679, "S"),
        ]
    );
    let payee = inv.payee_account.as_ref().unwrap();
    assert_eq!(payee.id, "1234:567:1:3242394");
    assert_eq!(payee.name.as_deref(), Some("ｶ)ﾏﾙﾏﾙｼﾖｳｼﾞ"));
    assert_eq!(
        payee.zengin_account().unwrap().account_number.as_str(),
        "3242394"
    );
    // The folded allowance and charge make the lines add up: 252,500 − 179 + 7,679.
    assert_eq!(invoice::payable(&inv), 289_490);
    only_the_placeholder_check_digit_warning(&check_invoice(&inv, today()));
}

#[test]
fn minimum_example_imports() {
    let inv = parse_jp_pint(EXAMPLE1_MINIMUM).unwrap();
    assert_eq!(inv.number, "156");
    assert_eq!(inv.issue_date, d(2023, 10, 24));
    assert_eq!(inv.due_date, None);
    assert_eq!(inv.seller_name, "株式会社 〇〇商事");
    assert_eq!(inv.seller_registration.as_deref(), Some("T1234567890123"));
    assert_eq!(inv.seller_corporate_number, None);
    assert_eq!(inv.buyer_name, "株式会社 〇〇物産");
    assert_eq!(totals(&inv), [("S", 252_500, 25_250), ("E", 3_490, 0)]);
    assert_eq!(inv.stated_tax_total, 25_250);
    assert_eq!(inv.stated_payable, 281_240);
    assert_eq!(inv.lines.len(), 3);
    assert_eq!(inv.payee_account, None);
    assert_eq!(invoice::payable(&inv), 281_240);
    only_the_placeholder_check_digit_warning(&check_invoice(&inv, today()));
}

#[test]
fn summarised_invoice_1_imports_and_its_line_charges_are_pointed_out() {
    let inv = parse_jp_pint(EXAMPLE3_SUMINV1).unwrap();
    assert_eq!(inv.number, "103");
    assert_eq!(inv.issue_date, d(2023, 11, 1));
    assert_eq!(inv.due_date, Some(d(2023, 11, 20)));
    assert_eq!(inv.seller_registration.as_deref(), Some("T1234567890123"));
    assert_eq!(totals(&inv), [("S", 260_000, 26_000), ("E", 3_490, 0)]);
    assert_eq!(inv.stated_payable, 289_490);
    assert_eq!(
        inv.lines.iter().map(|l| l.amount).collect::<Vec<_>>(),
        [257_500, 2_500, 3_490]
    );
    // Line 1 is 5 × 50,000 with 値引 −1,679, クリーニング 1,500 and 配送 7,679 included:
    // the clerk is asked to look, nothing blocks.
    let findings = check_invoice(&inv, today());
    assert_eq!(
        codes(&findings),
        [
            ("sellerRegistration", "invoice_number.check_digit"),
            ("lines[0].amount", "invoice.line_amount")
        ]
    );
    assert!(!crate::finding::has_errors(&findings));
}

#[test]
fn summarised_invoice_2_imports() {
    let inv = parse_jp_pint(EXAMPLE4_SUMINV2).unwrap();
    assert_eq!(inv.number, "103");
    assert_eq!(inv.seller_registration.as_deref(), Some("T1234567890123"));
    assert_eq!(totals(&inv), [("S", 260_000, 26_000), ("E", 3_490, 0)]);
    assert_eq!(inv.stated_tax_total, 26_000);
    assert_eq!(inv.stated_payable, 289_490);
    assert_eq!(
        inv.lines
            .iter()
            .map(|l| (l.description.as_str(), l.amount))
            .collect::<Vec<_>>(),
        [("D001-1", 257_500), ("D001-2", 2_500), ("D001-3", 3_490)]
    );
    only_the_placeholder_check_digit_warning(&check_invoice(&inv, today()));
}

/// A small JP PINT invoice of our own (not an official sample): lines of (name, code,
/// percent, amount), subtotals of (code, percent, taxable, tax).
fn own_invoice(
    lines: &[(&str, &str, u32, i64)],
    subtotals: &[(&str, u32, i64, i64)],
    payable: i64,
) -> String {
    let tax_total: i64 = subtotals.iter().map(|s| s.3).sum();
    let mut x = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:peppol:pint:billing-1@jp-1</cbc:CustomizationID>
  <cbc:ProfileID>urn:peppol:bis:billing</cbc:ProfileID>
  <cbc:ID>KD-2025-0007</cbc:ID>
  <cbc:IssueDate>2025-03-28</cbc:IssueDate>
  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
  <cbc:DocumentCurrencyCode>JPY</cbc:DocumentCurrencyCode>
  <cac:AccountingSupplierParty><cac:Party>
    <cac:PartyTaxScheme><cbc:CompanyID>T7000012050002</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
    <cac:PartyLegalEntity><cbc:RegistrationName>丸の内文具&amp;事務機株式会社</cbc:RegistrationName><cbc:CompanyID schemeID="0188">7000012050002</cbc:CompanyID></cac:PartyLegalEntity>
  </cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party><cac:PartyName><cbc:Name>東京都職員共済組合</cbc:Name></cac:PartyName></cac:Party></cac:AccountingCustomerParty>
  <cac:TaxTotal><cbc:TaxAmount currencyID="JPY">"#,
    );
    x.push_str(&format!("{tax_total}</cbc:TaxAmount>"));
    for (code, pct, taxable, tax) in subtotals {
        x.push_str(&format!(
            r#"<cac:TaxSubtotal><cbc:TaxableAmount currencyID="JPY">{taxable}</cbc:TaxableAmount><cbc:TaxAmount currencyID="JPY">{tax}</cbc:TaxAmount><cac:TaxCategory><cbc:ID>{code}</cbc:ID><cbc:Percent>{pct}</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory></cac:TaxSubtotal>"#
        ));
    }
    x.push_str(&format!(
        r#"</cac:TaxTotal>
  <cac:LegalMonetaryTotal><cbc:TaxInclusiveAmount currencyID="JPY">{payable}</cbc:TaxInclusiveAmount><cbc:PrepaidAmount currencyID="JPY">0</cbc:PrepaidAmount><cbc:PayableAmount currencyID="JPY">{payable}</cbc:PayableAmount></cac:LegalMonetaryTotal>
"#
    ));
    for (i, (name, code, pct, amount)) in lines.iter().enumerate() {
        x.push_str(&format!(
            r#"  <cac:InvoiceLine><cbc:ID>{}</cbc:ID><cbc:InvoicedQuantity unitCode="H87">1</cbc:InvoicedQuantity><cbc:LineExtensionAmount currencyID="JPY">{amount}</cbc:LineExtensionAmount><cac:Item><cbc:Name>{name}</cbc:Name><cac:ClassifiedTaxCategory><cbc:ID>{code}</cbc:ID><cbc:Percent>{pct}</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory></cac:Item><cac:Price><cbc:PriceAmount currencyID="JPY">{amount}</cbc:PriceAmount></cac:Price></cac:InvoiceLine>
"#,
            i + 1
        ));
    }
    x.push_str("</Invoice>\n");
    x
}

#[test]
fn tax_rounded_per_line_imports_and_check_invoice_reports_it() {
    // 3 × 105 yen at 10%: the issuer wrote 30 yen (per line), the law wants 31.
    let xml = own_invoice(
        &[
            ("付箋", "S", 10, 105),
            ("付箋", "S", 10, 105),
            ("付箋", "S", 10, 105),
        ],
        &[("S", 10, 315, 30)],
        345,
    );
    let inv = parse_jp_pint(xml.as_bytes()).unwrap();
    assert_eq!(inv.seller_name, "丸の内文具&事務機株式会社");
    assert_eq!(inv.buyer_name, "東京都職員共済組合");
    assert_eq!(totals(&inv), [("S", 315, 30)]);
    assert_eq!(inv.stated_payable, 345);
    let findings = check_invoice(&inv, today());
    assert_eq!(codes(&findings), [("totals.S", "invoice.tax_mismatch")]);
    assert!(findings[0]
        .message
        .contains("明細ごとに端数処理されています"));
    assert_eq!(invoice::payable(&inv), 346);
}

#[test]
fn mixed_rates_import() {
    let xml = own_invoice(
        &[
            ("コピー用紙", "S", 10, 1_801),
            ("会議用茶菓子", "AA", 8, 1_392),
            ("収入印紙", "O", 0, 200),
        ],
        &[
            ("S", 10, 1_801, 180),
            ("AA", 8, 1_392, 111),
            ("O", 0, 200, 0),
        ],
        3_684,
    );
    let inv = parse_jp_pint(xml.as_bytes()).unwrap();
    assert_eq!(
        totals(&inv),
        [("S", 1_801, 180), ("AA", 1_392, 111), ("O", 200, 0)]
    );
    assert_eq!(inv.stated_tax_total, 291);
    assert!(check_invoice(&inv, today()).is_empty());
}

#[test]
fn a_second_tax_total_in_the_accounting_currency_is_ignored() {
    let xml = replaced(
        EXAMPLE1_MINIMUM,
        "\t<cac:TaxTotal>",
        "\t<cac:TaxTotal><cbc:TaxAmount currencyID=\"USD\">170.50</cbc:TaxAmount></cac:TaxTotal>\n\t<cac:TaxTotal>",
    );
    let inv = parse_jp_pint(&xml).unwrap();
    assert_eq!(inv.stated_tax_total, 25_250);
    assert_eq!(totals(&inv), [("S", 252_500, 25_250), ("E", 3_490, 0)]);
}

fn error_of(xml: &[u8]) -> PintError {
    parse_jp_pint(xml).unwrap_err()
}

#[test]
fn wrong_customization_id_says_what_was_found() {
    let xml = replaced(
        EXAMPLE,
        "urn:peppol:pint:billing-1@jp-1",
        "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0",
    );
    let e = error_of(&xml);
    assert_eq!(e.code, "pint.customization");
    assert!(
        e.message
            .contains("urn:fdc:peppol.eu:2017:poacc:billing:3.0"),
        "{}",
        e.message
    );
    assert_eq!(Coded::code(&e), "pint.customization");

    let xml = replaced(
        EXAMPLE1_MINIMUM,
        "<cbc:CustomizationID>urn:peppol:pint:billing-1@jp-1</cbc:CustomizationID>",
        "",
    );
    let e = error_of(&xml);
    assert_eq!(e.code, "pint.missing");
    assert!(e.message.contains("cbc:CustomizationID"));
}

#[test]
fn usd_invoice_is_refused() {
    let xml = replaced(
        EXAMPLE1_MINIMUM,
        "<cbc:DocumentCurrencyCode>JPY</cbc:DocumentCurrencyCode>",
        "<cbc:DocumentCurrencyCode>USD</cbc:DocumentCurrencyCode>",
    );
    let e = error_of(&xml);
    assert_eq!(e.code, "pint.currency");
    assert!(e.message.contains("USD"));
    // An amount in another currency inside a JPY invoice.
    let xml = replaced(
        EXAMPLE1_MINIMUM,
        "<cbc:PayableAmount currencyID=\"JPY\">",
        "<cbc:PayableAmount currencyID=\"USD\">",
    );
    let e = error_of(&xml);
    assert_eq!(e.code, "pint.currency");
    assert!(e.message.contains("cbc:PayableAmount"));
}

#[test]
fn truncated_or_broken_xml_is_not_xml() {
    let text = std::str::from_utf8(EXAMPLE).unwrap();
    let cut = text.find("<cac:LegalMonetaryTotal>").unwrap();
    let e = error_of(&text.as_bytes()[..cut]);
    assert_eq!(e.code, "pint.not_xml");
    assert!(e.message.contains("途中で終わっています"), "{}", e.message);

    for bad in [
        &b""[..],
        b"   ",
        b"not xml at all",
        b"<Invoice><cbc:ID>1</cbc:Name></Invoice>",
        b"<Invoice>&nbsp;</Invoice>",
        b"\x82\xa0<Invoice/>",
        b"<Invoice/><Invoice/>",
    ] {
        assert_eq!(
            error_of(bad).code,
            "pint.not_xml",
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn a_fractional_yen_tax_amount_is_refused() {
    let xml = replaced(
        EXAMPLE1_MINIMUM,
        "<cbc:TaxAmount currencyID=\"JPY\">25250</cbc:TaxAmount> <!-- IBT-117",
        "<cbc:TaxAmount currencyID=\"JPY\">25250.50</cbc:TaxAmount> <!-- IBT-117",
    );
    let e = error_of(&xml);
    assert_eq!(e.code, "pint.amount");
    assert!(e.message.contains("25250.50"), "{}", e.message);
    assert!(e.message.contains("1円未満"));
    // Zero decimals are still whole yen.
    let xml = replaced(
        EXAMPLE1_MINIMUM,
        "<cbc:TaxAmount currencyID=\"JPY\">25250</cbc:TaxAmount> <!-- IBT-117",
        "<cbc:TaxAmount currencyID=\"JPY\">25250.00</cbc:TaxAmount> <!-- IBT-117",
    );
    assert_eq!(parse_jp_pint(&xml).unwrap().stated_totals[0].tax, 25_250);
    // Not a number.
    let xml = replaced(
        EXAMPLE1_MINIMUM,
        "<cbc:PayableAmount currencyID=\"JPY\">281240",
        "<cbc:PayableAmount currencyID=\"JPY\">二十八万",
    );
    assert_eq!(error_of(&xml).code, "pint.amount");
}

#[test]
fn other_documents_and_unsupported_invoices() {
    let e = error_of(b"<?xml version=\"1.0\"?><CreditNote xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2\"/>");
    assert_eq!(e.code, "pint.not_invoice");
    assert!(e.message.contains("CreditNote"));

    let xml = replaced(
        EXAMPLE1_MINIMUM,
        "<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>",
        "<cbc:InvoiceTypeCode>381</cbc:InvoiceTypeCode>",
    );
    assert_eq!(error_of(&xml).code, "pint.unsupported");

    let xml = replaced(
        EXAMPLE1_MINIMUM,
        "<cbc:PrepaidAmount currencyID=\"JPY\">0</cbc:PrepaidAmount>",
        "<cbc:PrepaidAmount currencyID=\"JPY\">1000</cbc:PrepaidAmount>",
    );
    let e = error_of(&xml);
    assert_eq!(e.code, "pint.unsupported");
    assert!(e.message.contains("1,000円"), "{}", e.message);

    let xml = replaced(
        EXAMPLE1_MINIMUM,
        "<cbc:TaxInclusiveAmount currencyID=\"JPY\">281240",
        "<cbc:TaxInclusiveAmount currencyID=\"JPY\">281241",
    );
    assert_eq!(error_of(&xml).code, "pint.amount");
}

#[test]
fn missing_elements_are_named() {
    for (element, expected) in [
        ("<cbc:IssueDate>2023-10-24</cbc:IssueDate>", "cbc:IssueDate"),
        ("<cbc:ID>156</cbc:ID>", "cbc:ID"),
        (
            "<cbc:PayableAmount currencyID=\"JPY\">281240</cbc:PayableAmount>",
            "cbc:PayableAmount",
        ),
    ] {
        let e = error_of(&replaced(EXAMPLE1_MINIMUM, element, ""));
        assert_eq!(e.code, "pint.missing", "{element}");
        assert!(e.message.contains(expected), "{}", e.message);
    }
    let e = error_of(&replaced(
        EXAMPLE1_MINIMUM,
        "<cbc:IssueDate>2023-10-24</cbc:IssueDate>",
        "<cbc:IssueDate>2023/10/24</cbc:IssueDate>",
    ));
    assert_eq!(e.code, "pint.date");
}

#[test]
fn tax_categories_and_rates_are_checked_against_the_issue_date() {
    // 8% under S on a 2025 invoice is not the standard rate.
    let xml = own_invoice(&[("用紙", "S", 8, 1_000)], &[("S", 8, 1_000, 80)], 1_080);
    let e = error_of(xml.as_bytes());
    assert_eq!(e.code, "pint.tax_category");
    assert!(e.message.contains("標準税率10%"), "{}", e.message);
    // An unknown category code.
    let xml = own_invoice(&[("用紙", "Z", 0, 1_000)], &[("Z", 0, 1_000, 0)], 1_000);
    assert_eq!(error_of(xml.as_bytes()).code, "pint.tax_category");
    // The same S 10% line on an invoice dated before 2019-10-01 (8% then).
    let xml = own_invoice(&[("用紙", "S", 10, 1_000)], &[("S", 10, 1_000, 100)], 1_100)
        .replace("2025-03-28", "2019-09-30");
    assert_eq!(error_of(xml.as_bytes()).code, "pint.tax_category");
}

#[test]
fn error_json_like_display_is_the_message() {
    let e = error_of(b"<Order/>");
    assert_eq!(e.to_string(), e.message);
    assert_eq!(e.code, "pint.not_invoice");
}
