//! JP PINT e-invoice import: a Peppol BIS Billing invoice in UBL 2.1 with the Japanese
//! specification identifier `urn:peppol:pint:billing-1@jp-1`, read into an [`Invoice`].
//!
//! The import reads what the invoice says and refuses only what it cannot represent
//! faithfully (another currency, another specification, a fractional yen, a kind of
//! invoice or amount we do not handle). Whether the invoice is *right* — the 登録番号, tax
//! rounded once per rate, totals that add up — is for [`super::invoice::check_invoice`], so
//! that the clerk sees those problems on the imported invoice.
//!
//! Elements are matched by local name (`cbc:ID` and `ID` alike). Document-level allowances
//! and charges (`cac:AllowanceCharge` under the root) become invoice lines of their tax
//! category (an allowance with a negative amount), so that the lines add up to the stated
//! taxable amounts. Line-level allowances and charges are already part of each line's
//! `LineExtensionAmount`.

use chrono::NaiveDate;
use quick_xml::events::Event;
use quick_xml::Reader;

use super::invoice::{Invoice, InvoiceLine, InvoiceSource, PayeeAccount};
use super::tax::{rate_percent, RateTotal, TaxCategory};
use crate::finding::Coded;
use crate::rules::yen;

/// The specification identifier (`cbc:CustomizationID`) of a JP PINT invoice.
pub const JP_PINT_CUSTOMIZATION_ID: &str = "urn:peppol:pint:billing-1@jp-1";

/// Why an e-invoice could not be imported. `code` is one of `pint.not_xml`,
/// `pint.not_invoice`, `pint.customization`, `pint.currency`, `pint.missing`,
/// `pint.amount`, `pint.date`, `pint.tax_category` and `pint.unsupported`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PintError {
    /// The stable code the UI switches on.
    pub code: &'static str,
    /// What is wrong and what to do, in Japanese.
    pub message: String,
}

impl Coded for PintError {
    fn code(&self) -> &'static str {
        self.code
    }
}

const ASK_RESEND: &str = "請求元に正しい電子請求書の再送を依頼してください。";

fn err(code: &'static str, message: impl Into<String>) -> PintError {
    PintError {
        code,
        message: message.into(),
    }
}

fn missing(element: &str) -> PintError {
    err(
        "pint.missing",
        format!("電子請求書に必須の項目 {element} がありません。{ASK_RESEND}"),
    )
}

// ---------------------------------------------------------------------------------------
// A small element tree: the invoices are small, and a tree keeps the reading code plain.

#[derive(Debug, Default)]
struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<Node>,
}

impl Node {
    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, name| node.child(name))
    }

    /// The trimmed text at `path`, `None` when absent or empty.
    fn text_at(&self, path: &[&str]) -> Option<&str> {
        self.at(path)
            .map(|n| n.text.trim())
            .filter(|t| !t.is_empty())
    }

    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Nesting deeper than this is not an invoice (UBL invoices stay well below 20).
const MAX_DEPTH: usize = 64;

fn not_xml(detail: &str) -> PintError {
    err(
        "pint.not_xml",
        format!("ファイルを XML として読めません（{detail}）。JP PINT の電子請求書（XML）を選んでください。"),
    )
}

fn read_tree(xml: &[u8]) -> Result<Node, PintError> {
    let text =
        std::str::from_utf8(xml).map_err(|_| not_xml("文字コードが UTF-8 ではありません"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    let broken = |reader: &Reader<&[u8]>| {
        not_xml(&format!(
            "{}バイト目付近の書式が正しくありません",
            reader.error_position()
        ))
    };
    loop {
        let event = reader.read_event().map_err(|_| broken(&reader))?;
        match event {
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(not_xml("入れ子が深すぎます"));
                }
                if root.is_some() {
                    return Err(not_xml("ルート要素の後に要素があります"));
                }
                stack.push(element(&e).map_err(|_| broken(&reader))?);
            }
            Event::Empty(e) => {
                let node = element(&e).map_err(|_| broken(&reader))?;
                attach(node, &mut stack, &mut root)?;
            }
            Event::End(_) => {
                let node = stack.pop().ok_or_else(|| broken(&reader))?;
                attach(node, &mut stack, &mut root)?;
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let Some(top) = stack.last_mut() else {
                    continue;
                };
                match r.resolve_char_ref() {
                    Ok(Some(c)) => top.text.push(c),
                    Ok(None) => {
                        let s = quick_xml::escape::resolve_predefined_entity(&r)
                            .ok_or_else(|| not_xml(&format!("未定義の実体参照 &{};", &*r)))?;
                        top.text.push_str(s);
                    }
                    Err(_) => return Err(broken(&reader)),
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(not_xml("ファイルが途中で終わっています"));
    }
    root.ok_or_else(|| not_xml("要素がありません"))
}

fn element(e: &quick_xml::events::BytesStart<'_>) -> Result<Node, quick_xml::Error> {
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(quick_xml::Error::from)?;
        let value = a.normalized_value(quick_xml::XmlVersion::Implicit1_0)?;
        attrs.push((a.key.local_name().as_ref().to_owned(), value.into_owned()));
    }
    Ok(Node {
        name: e.local_name().as_ref().to_owned(),
        attrs,
        ..Node::default()
    })
}

fn attach(node: Node, stack: &mut [Node], root: &mut Option<Node>) -> Result<(), PintError> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(node),
        None if root.is_none() => *root = Some(node),
        None => return Err(not_xml("ルート要素が複数あります")),
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Values

/// A JPY amount: the text must be a whole number of yen (「100」 or 「100.00」), in JPY
/// when `currencyID` is given.
fn amount(node: &Node, element: &str) -> Result<i64, PintError> {
    if let Some(currency) = node.attr("currencyID") {
        if currency.trim() != "JPY" {
            return Err(err(
                "pint.currency",
                format!(
                    "{element} の通貨が {currency} です。日本円（JPY）の請求書のみ取り込めます。{ASK_RESEND}"
                ),
            ));
        }
    }
    let text = node.text.trim();
    let unreadable = || {
        err(
            "pint.amount",
            format!("{element} の金額「{text}」を読めません。{ASK_RESEND}"),
        )
    };
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty() || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(unreadable());
    }
    if frac.bytes().any(|b| b != b'0') {
        return Err(err(
            "pint.amount",
            format!(
                "{element} の金額「{text}」に1円未満の端数があります。日本円の金額は整数で記載されます。{ASK_RESEND}"
            ),
        ));
    }
    let value: i64 = int.parse().map_err(|_| unreadable())?;
    Ok(if negative { -value } else { value })
}

fn amount_at(parent: &Node, name: &str, element: &str) -> Result<i64, PintError> {
    let node = parent.child(name).ok_or_else(|| missing(element))?;
    amount(node, element)
}

fn optional_amount_at(parent: &Node, name: &str, element: &str) -> Result<Option<i64>, PintError> {
    parent.child(name).map(|n| amount(n, element)).transpose()
}

fn date(text: &str, element: &str) -> Result<NaiveDate, PintError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        err(
            "pint.date",
            format!("{element} の日付「{text}」を読めません（YYYY-MM-DD の形式）。{ASK_RESEND}"),
        )
    })
}

/// A tax percent such as 「10」 or 「10.00」, as a whole number.
fn percent(text: &str) -> Option<u32> {
    let (int, frac) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
    if !frac.bytes().all(|b| b == b'0') {
        return None;
    }
    int.parse().ok()
}

/// The category of a `TaxCategory` / `ClassifiedTaxCategory` element, checked against the
/// rate in force on `on`.
fn category(node: &Node, element: &str, on: NaiveDate) -> Result<TaxCategory, PintError> {
    let code = node
        .text_at(&["ID"])
        .ok_or_else(|| missing(&format!("{element}/cbc:ID")))?;
    let percent_text = node.text_at(&["Percent"]);
    let pct = match percent_text {
        Some(t) => Some(percent(t).ok_or_else(|| {
            err(
                "pint.tax_category",
                format!("{element} の税率「{t}」を読めません。{ASK_RESEND}"),
            )
        })?),
        None => None,
    };
    let category = TaxCategory::from_pint(code, pct).ok_or_else(|| {
        err(
            "pint.tax_category",
            format!(
                "{element} の税区分「{code}」（税率{}%）は JP PINT の税区分（S・AA・E・G・O）に当たりません。{ASK_RESEND}",
                percent_text.unwrap_or("-")
            ),
        )
    })?;
    if let Some(p) = pct {
        let expected = rate_percent(category, on);
        if category.is_taxable() && p != expected {
            return Err(err(
                "pint.tax_category",
                format!(
                    "{element} の税率{p}%は、発行日（{}）の{}{}%と異なります。{ASK_RESEND}",
                    on.format("%Y-%m-%d"),
                    if category == TaxCategory::Standard {
                        "標準税率"
                    } else {
                        "軽減税率"
                    },
                    expected
                ),
            ));
        }
    }
    Ok(category)
}

// ---------------------------------------------------------------------------------------
// The invoice

/// Invoice type codes we import: 380 (commercial invoice) and 384 (corrected invoice).
/// Others — a credit note among them — would change what the amounts mean.
const SUPPORTED_TYPE_CODES: [&str; 2] = ["380", "384"];

/// Reads a JP PINT invoice (UBL 2.1 XML, UTF-8).
///
/// What is read: `cbc:ID`, `IssueDate`, `DueDate`, `DocumentCurrencyCode` (must be JPY);
/// the seller's legal name (`PartyLegalEntity/RegistrationName`, else
/// `PartyName/Name`), 登録番号 (`PartyTaxScheme/CompanyID`) and 法人番号
/// (`PartyLegalEntity/CompanyID` with `schemeID="0188"`); the buyer's name; each
/// `InvoiceLine` (name, quantity, net amount, tax category and percent, unit price);
/// document-level `AllowanceCharge` as lines; the JPY `TaxTotal` with its `TaxSubtotal`s
/// (a second `TaxTotal` in the tax accounting currency is ignored);
/// `LegalMonetaryTotal/PayableAmount`; `PaymentMeans/PayeeFinancialAccount`.
///
/// Refused with `pint.unsupported`: invoice type codes other than 380 and 384, and a
/// non-zero `PrepaidAmount` or `PayableRoundingAmount` (the payable amount would then
/// differ from the tax-inclusive total, which [`Invoice`] does not represent).
pub fn parse_jp_pint(xml: &[u8]) -> Result<Invoice, PintError> {
    let root = read_tree(xml)?;
    if root.name != "Invoice" {
        return Err(err(
            "pint.not_invoice",
            format!(
                "この XML は請求書（Invoice）ではありません（{}）。JP PINT の請求書を選んでください。",
                root.name
            ),
        ));
    }
    let customization = root
        .text_at(&["CustomizationID"])
        .ok_or_else(|| missing("cbc:CustomizationID"))?;
    if customization != JP_PINT_CUSTOMIZATION_ID {
        return Err(err(
            "pint.customization",
            format!(
                "仕様の識別子（CustomizationID）が「{customization}」です。JP PINT（{JP_PINT_CUSTOMIZATION_ID}）の請求書のみ取り込めます。"
            ),
        ));
    }
    let currency = root
        .text_at(&["DocumentCurrencyCode"])
        .ok_or_else(|| missing("cbc:DocumentCurrencyCode"))?;
    if currency != "JPY" {
        return Err(err(
            "pint.currency",
            format!("請求書の通貨が {currency} です。日本円（JPY）の請求書のみ取り込めます。"),
        ));
    }
    if let Some(code) = root.text_at(&["InvoiceTypeCode"]) {
        if !SUPPORTED_TYPE_CODES.contains(&code) {
            return Err(err(
                "pint.unsupported",
                format!(
                    "請求書の種類（InvoiceTypeCode {code}）の取込みには対応していません。通常の請求書（380）か訂正請求書（384）のみ取り込めます。書面の請求書として手入力してください。"
                ),
            ));
        }
    }
    let number = root
        .text_at(&["ID"])
        .ok_or_else(|| missing("cbc:ID（請求書番号）"))?
        .to_owned();
    let issue_date = date(
        root.text_at(&["IssueDate"])
            .ok_or_else(|| missing("cbc:IssueDate"))?,
        "cbc:IssueDate",
    )?;
    let due_date = root
        .text_at(&["DueDate"])
        .map(|t| date(t, "cbc:DueDate"))
        .transpose()?;

    let seller = root
        .at(&["AccountingSupplierParty", "Party"])
        .ok_or_else(|| missing("cac:AccountingSupplierParty"))?;
    let seller_name = party_name(seller)
        .ok_or_else(|| missing("cac:AccountingSupplierParty の名称（RegistrationName）"))?;
    let seller_registration = seller
        .children("PartyTaxScheme")
        .filter(|s| s.text_at(&["TaxScheme", "ID"]).is_none_or(|id| id == "VAT"))
        .find_map(|s| s.text_at(&["CompanyID"]))
        .map(str::to_owned);
    let seller_corporate_number = seller
        .child("PartyLegalEntity")
        .and_then(|e| e.child("CompanyID"))
        .filter(|c| c.attr("schemeID") == Some("0188"))
        .map(|c| c.text.trim().to_owned())
        .filter(|c| !c.is_empty());
    let buyer_name = root
        .at(&["AccountingCustomerParty", "Party"])
        .and_then(party_name)
        .unwrap_or_default();

    let mut lines = Vec::new();
    for (i, line) in root.children("InvoiceLine").enumerate() {
        lines.push(invoice_line(line, i + 1, issue_date)?);
    }
    if lines.is_empty() {
        return Err(missing("cac:InvoiceLine（明細）"));
    }
    for (i, ac) in root.children("AllowanceCharge").enumerate() {
        lines.push(document_allowance_charge(ac, i + 1, issue_date)?);
    }

    let (stated_tax_total, stated_totals) = tax_total(&root, issue_date)?;

    let totals = root
        .child("LegalMonetaryTotal")
        .ok_or_else(|| missing("cac:LegalMonetaryTotal"))?;
    let stated_payable = amount_at(totals, "PayableAmount", "cbc:PayableAmount")?;
    for (name, label) in [
        ("PrepaidAmount", "前払金（PrepaidAmount）"),
        (
            "PayableRoundingAmount",
            "端数調整額（PayableRoundingAmount）",
        ),
    ] {
        let value = optional_amount_at(totals, name, &format!("cbc:{name}"))?.unwrap_or(0);
        if value != 0 {
            return Err(err(
                "pint.unsupported",
                format!(
                    "{label}{}のある請求書の取込みには対応していません。書面の請求書として手入力してください。",
                    yen(value)
                ),
            ));
        }
    }
    if let Some(inclusive) =
        optional_amount_at(totals, "TaxInclusiveAmount", "cbc:TaxInclusiveAmount")?
    {
        if inclusive != stated_payable {
            return Err(err(
                "pint.amount",
                format!(
                    "税込合計額（TaxInclusiveAmount）{}とお支払額（PayableAmount）{}が合いません。{ASK_RESEND}",
                    yen(inclusive),
                    yen(stated_payable)
                ),
            ));
        }
    }

    let payee_account = root
        .children("PaymentMeans")
        .find_map(|m| m.child("PayeeFinancialAccount"))
        .and_then(|a| {
            Some(PayeeAccount {
                id: a.text_at(&["ID"])?.to_owned(),
                name: a.text_at(&["Name"]).map(str::to_owned),
                branch_id: a
                    .text_at(&["FinancialInstitutionBranch", "ID"])
                    .map(str::to_owned),
            })
        });

    Ok(Invoice {
        number,
        issue_date,
        seller_name,
        seller_registration,
        seller_corporate_number,
        buyer_name,
        lines,
        stated_totals,
        stated_tax_total,
        stated_payable,
        due_date,
        payee_account,
        source: InvoiceSource::JpPint {
            customization_id: customization.to_owned(),
        },
    })
}

/// The legal name of a party, else its trading name.
fn party_name(party: &Node) -> Option<String> {
    party
        .text_at(&["PartyLegalEntity", "RegistrationName"])
        .or_else(|| party.text_at(&["PartyName", "Name"]))
        .map(str::to_owned)
}

fn invoice_line(line: &Node, n: usize, on: NaiveDate) -> Result<InvoiceLine, PintError> {
    let element = format!("cac:InvoiceLine[{n}]");
    let line_amount = amount_at(
        line,
        "LineExtensionAmount",
        &format!("{element}/cbc:LineExtensionAmount"),
    )?;
    let item = line
        .child("Item")
        .ok_or_else(|| missing(&format!("{element}/cac:Item")))?;
    let tax = item
        .child("ClassifiedTaxCategory")
        .ok_or_else(|| missing(&format!("{element}/cac:Item/cac:ClassifiedTaxCategory")))?;
    let category = category(tax, &format!("{element}/cac:ClassifiedTaxCategory"), on)?;
    let description = item
        .text_at(&["Name"])
        .or_else(|| item.text_at(&["Description"]))
        .unwrap_or_default()
        .to_owned();
    let quantity = line
        .text_at(&["InvoicedQuantity"])
        .unwrap_or_default()
        .to_owned();
    // A unit price only when it is per one unit and a whole number of yen; a fractional
    // unit price (allowed in PINT) is left out rather than rounded.
    let per_one = line
        .text_at(&["Price", "BaseQuantity"])
        .is_none_or(|b| percent(b) == Some(1));
    let unit_price = match line.at(&["Price", "PriceAmount"]) {
        Some(p) if per_one => amount(p, &format!("{element}/cbc:PriceAmount")).ok(),
        _ => None,
    };
    Ok(InvoiceLine {
        description,
        quantity,
        unit_price,
        amount: line_amount,
        category,
    })
}

fn document_allowance_charge(ac: &Node, n: usize, on: NaiveDate) -> Result<InvoiceLine, PintError> {
    let element = format!("cac:AllowanceCharge[{n}]");
    let charge = match ac.text_at(&["ChargeIndicator"]) {
        Some("true") => true,
        Some("false") => false,
        _ => return Err(missing(&format!("{element}/cbc:ChargeIndicator"))),
    };
    let value = amount_at(ac, "Amount", &format!("{element}/cbc:Amount"))?;
    let tax = ac
        .child("TaxCategory")
        .ok_or_else(|| missing(&format!("{element}/cac:TaxCategory")))?;
    let category = category(tax, &format!("{element}/cac:TaxCategory"), on)?;
    let reason = ac
        .text_at(&["AllowanceChargeReason"])
        .or_else(|| ac.text_at(&["AllowanceChargeReasonCode"]))
        .unwrap_or_default();
    let kind = if charge {
        "請求書全体の追加料金"
    } else {
        "請求書全体の値引"
    };
    let description = if reason.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}（{reason}）")
    };
    Ok(InvoiceLine {
        description,
        quantity: String::new(),
        unit_price: None,
        amount: if charge { value } else { -value },
        category,
    })
}

/// The JPY `TaxTotal` that has subtotals: its total and the subtotals per category.
fn tax_total(root: &Node, on: NaiveDate) -> Result<(i64, Vec<RateTotal>), PintError> {
    let total = root
        .children("TaxTotal")
        .filter(|t| t.child("TaxSubtotal").is_some())
        .find(|t| {
            t.child("TaxAmount")
                .and_then(|a| a.attr("currencyID"))
                .is_none_or(|c| c.trim() == "JPY")
        })
        .ok_or_else(|| missing("cac:TaxTotal/cac:TaxSubtotal（日本円の税率ごとの内訳）"))?;
    let tax_total = amount_at(total, "TaxAmount", "cac:TaxTotal/cbc:TaxAmount")?;
    let mut subtotals = Vec::new();
    for (i, sub) in total.children("TaxSubtotal").enumerate() {
        let element = format!("cac:TaxSubtotal[{}]", i + 1);
        let taxable = amount_at(
            sub,
            "TaxableAmount",
            &format!("{element}/cbc:TaxableAmount"),
        )?;
        let tax = amount_at(sub, "TaxAmount", &format!("{element}/cbc:TaxAmount"))?;
        let category_node = sub
            .child("TaxCategory")
            .ok_or_else(|| missing(&format!("{element}/cac:TaxCategory")))?;
        let category = category(category_node, &format!("{element}/cac:TaxCategory"), on)?;
        subtotals.push(RateTotal {
            category,
            taxable,
            tax,
        });
    }
    Ok((tax_total, subtotals))
}

#[cfg(test)]
#[path = "pint_tests.rs"]
mod tests;
