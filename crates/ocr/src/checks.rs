//! Normalisation and domain checks of read values, field by field and across a document.
//!
//! Every check comes from `kyosai_domain` where the domain has it (個人番号 and 法人番号
//! check digits, 和暦 dates, フリガナ, the 資格取得届's own checks, the 全銀 master); what
//! is OCR-specific (a thousands separator in the wrong place, the sums of an invoice, a
//! name read in three parts) is here. A field with any finding — error **or** warning — is
//! never accepted without a person: a warning the domain lets a clerk acknowledge is still
//! something a person must see.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use kyosai_domain::acquisition::{self, AcquisitionForm, CheckContext};
use kyosai_domain::date_input::parse_date;
use kyosai_domain::finding::Finding;
use kyosai_domain::ids;
use kyosai_domain::kana::{check_kana_name, normalize_name};
use kyosai_domain::procurement::banks::BankMaster;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use unicode_normalization::UnicodeNormalization;

use crate::template::{DocumentCheck, FieldCheck, FieldKind, FieldSpec, Template};

/// A read value after normalisation and its field's checks.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Checked {
    /// The normalised value (「1990-05-03」, 「215400」, 「山田　太郎」); `None` when the
    /// text could not be made into a value of the field's kind. Empty string: blank.
    pub value: Option<String>,
    /// What the checks found.
    pub findings: Vec<Finding>,
}

fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}' // kana
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{3005}' | '\u{3006}')
}

/// Text as stored: NFKC; white space next to a Japanese character dropped (OCR puts
/// spaces between characters that are only a little apart, and Japanese text has none);
/// white space between two other characters (「ABC 商事」 has none, 「ABC DEF」 one)
/// made one space. With `keep_space` (names), every run of white space becomes one
/// full-width space instead.
pub fn normalize_text(s: &str, keep_space: bool) -> String {
    let nfkc: String = s.nfkc().collect();
    if keep_space {
        return normalize_name(&nfkc);
    }
    let chars: Vec<char> = nfkc.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_whitespace() {
            out.push(c);
            continue;
        }
        let prev = chars[..i].iter().rev().find(|c| !c.is_whitespace());
        let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
        if let (Some(p), Some(n)) = (prev, next) {
            if !is_cjk(*p) && !is_cjk(*n) && !out.ends_with(' ') {
                out.push(' ');
            }
        }
    }
    out
}

fn compact(s: &str) -> String {
    s.nfkc().filter(|c| !c.is_whitespace()).collect()
}

/// Reads an amount: digits, with `,` every three digits when there are any separators;
/// 「¥」 in front and 「円」 behind are allowed. Returns the amount and whether
/// separators were present.
pub fn parse_yen(text: &str) -> Result<(i64, bool), &'static str> {
    let s = compact(text);
    let s = s.trim_start_matches(['¥', '\\']).trim_end_matches('円');
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit() || c == ',') {
        return Err("yen.not_a_number");
    }
    let groups: Vec<&str> = s.split(',').collect();
    let has_sep = groups.len() > 1;
    if has_sep {
        let first_ok = (1..=3).contains(&groups[0].len());
        let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
        if !first_ok || !rest_ok {
            return Err("yen.separator");
        }
    }
    let digits: String = groups.concat();
    if digits.len() > 1 && digits.starts_with('0') {
        return Err("yen.leading_zero");
    }
    let n: i64 = digits.parse().map_err(|_| "yen.not_a_number")?;
    Ok((n, has_sep))
}

fn finding(field: &str, code: &'static str, message: impl Into<String>) -> Finding {
    Finding::error(field, code, message)
}

/// Normalises and checks one read text against its field.
pub fn check_field(spec: &FieldSpec, text: &str) -> Checked {
    let id = spec.id.as_str();
    let mut findings = Vec::new();
    let blank = text.trim().is_empty();
    if blank {
        if spec.required {
            findings.push(finding(
                id,
                "ocr.required_empty",
                format!(
                    "「{}」が読み取れませんでした（空欄）。用紙を確認して入力してください。",
                    spec.label
                ),
            ));
        }
        return Checked {
            value: Some(String::new()),
            findings,
        };
    }
    let mut value: Option<String> = match spec.kind {
        FieldKind::Text => Some(normalize_text(text, spec.keep_space)),
        FieldKind::Kana => Some(normalize_text(text, true)),
        FieldKind::Number => Some(compact(text)),
        FieldKind::Yen => match parse_yen(text) {
            Ok((n, has_sep)) => {
                if !has_sep && n >= 1000 {
                    findings.push(Finding::warning(
                        id,
                        "yen.no_separator",
                        "金額に桁区切り（,）が読み取れません。金額を確認してください。",
                    ));
                }
                Some(n.to_string())
            }
            Err(code) => {
                findings.push(finding(
                    id,
                    code,
                    format!(
                        "「{}」を金額として読み取れません。用紙の金額を入力してください。",
                        spec.label
                    ),
                ));
                None
            }
        },
        FieldKind::WarekiDate => match parse_date(text) {
            Ok(d) => Some(d.format("%Y-%m-%d").to_string()),
            Err(e) => {
                findings.push(Finding::from_error(id, &e));
                None
            }
        },
        FieldKind::Identifier => Some(compact(text)),
        FieldKind::Checkbox | FieldKind::Choice => Some(text.trim().to_owned()),
    };
    for check in &spec.checks {
        let Some(v) = value.clone() else { break };
        match check {
            FieldCheck::MyNumber => match ids::validate_my_number(&v) {
                Ok(n) => value = Some(n.expose().to_owned()),
                Err(e) => findings.push(Finding::from_error(id, &e)),
            },
            FieldCheck::BasicPensionNumber => match ids::validate_basic_pension_number(&v) {
                Ok(n) => value = Some(n.as_str().to_owned()),
                Err(e) => findings.push(Finding::from_error(id, &e)),
            },
            FieldCheck::CorporateNumber => match ids::validate_corporate_number(&v) {
                Ok(n) => value = Some(n.as_str().to_owned()),
                Err(e) => findings.push(Finding::from_error(id, &e)),
            },
            FieldCheck::InvoiceRegistrationNumber => {
                let (normalised, f) = ids::check_invoice_registration_number(id, &v);
                if let Some(n) = normalised {
                    value = Some(n);
                }
                findings.extend(f);
            }
            FieldCheck::PostalCode => match ids::validate_postal_code(&v) {
                Ok(n) => value = Some(n.as_str().to_owned()),
                Err(e) => findings.push(Finding::from_error(id, &e)),
            },
            FieldCheck::KanaName => {
                let (n, f) = check_kana_name(id, &v);
                value = Some(n);
                findings.extend(f);
            }
            FieldCheck::Date => {
                // Done by the kind (和暦 date); a text field with this check is parsed here.
                if spec.kind != FieldKind::WarekiDate {
                    match parse_date(&v) {
                        Ok(d) => value = Some(d.format("%Y-%m-%d").to_string()),
                        Err(e) => findings.push(Finding::from_error(id, &e)),
                    }
                }
            }
            FieldCheck::Yen => {}
            FieldCheck::Digits => {
                let ok_len = spec
                    .digits
                    .is_none_or(|n| v.chars().count() == usize::from(n));
                if !v.chars().all(|c| c.is_ascii_digit()) || !ok_len {
                    let len = spec.digits.map(|n| format!("{n}桁の")).unwrap_or_default();
                    findings.push(finding(
                        id,
                        "ocr.digits",
                        format!("「{}」は{len}数字で入力してください。", spec.label),
                    ));
                } else if let Some(([lo, hi], n)) = spec.range.zip(v.parse::<i64>().ok()) {
                    if n < lo || n > hi {
                        findings.push(finding(
                            id,
                            "ocr.out_of_range",
                            format!("「{}」の{n}は{lo}〜{hi}の範囲にありません。用紙を確認してください。", spec.label),
                        ));
                    }
                }
                if v.len() > 1 && v.starts_with('0') && spec.digits.is_none() {
                    findings.push(finding(
                        id,
                        "ocr.leading_zero",
                        format!("「{}」の先頭が0です。用紙を確認してください。", spec.label),
                    ));
                }
            }
            FieldCheck::Reference => {
                let ok = !v.is_empty()
                    && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && !v.starts_with('-')
                    && !v.ends_with('-')
                    && !v.contains("--");
                if !ok {
                    findings.push(finding(
                        id,
                        "ocr.reference",
                        format!("「{}」は英数字とハイフンで入力してください。", spec.label),
                    ));
                }
            }
            FieldCheck::NameParts => {
                let parts = v.split(['\u{3000}', ' ']).filter(|p| !p.is_empty()).count();
                if parts != 2 {
                    findings.push(finding(
                        id,
                        "ocr.name_parts",
                        format!(
                            "「{}」の姓と名の区切りが読み取れません。用紙を確認してください。",
                            spec.label
                        ),
                    ));
                }
            }
        }
    }
    if spec.kind == FieldKind::Choice
        && value
            .as_deref()
            .is_some_and(|v| !spec.options.iter().any(|o| o.value == v))
    {
        findings.push(finding(
            id,
            "ocr.choice_unknown",
            format!("「{}」の選択肢を判別できません。", spec.label),
        ));
    }
    Checked { value, findings }
}

// ---------------------------------------------------------------------------------------
// Across the document

/// Sets `path` (dot-separated) in a JSON object to `v`.
fn set_path(root: &mut Map<String, Value>, path: &str, v: Value) {
    let mut parts = path.split('.').peekable();
    let mut cur = root;
    while let Some(p) = parts.next() {
        if parts.peek().is_none() {
            cur.insert(p.to_owned(), v);
            return;
        }
        let entry = cur
            .entry(p.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        match entry {
            Value::Object(m) => cur = m,
            _ => return,
        }
    }
}

/// The values of a document as nested JSON by field path (`{"member": {"name": …}}`):
/// numbers and amounts as JSON numbers, everything else as strings; blank and
/// unreadable fields left out. For a 資格取得届 this deserialises into
/// `kyosai_domain::acquisition::AcquisitionForm`.
pub fn record_json(template: &Template, values: &BTreeMap<String, Option<String>>) -> Value {
    let mut root = Map::new();
    for spec in &template.fields {
        let Some(Some(v)) = values.get(&spec.id) else {
            continue;
        };
        if v.is_empty() {
            continue;
        }
        // Codes of a fixed length keep their leading zeros as strings.
        let numeric = spec.kind == FieldKind::Yen
            || (spec.kind == FieldKind::Number && spec.digits.is_none());
        let json = match spec.kind {
            _ if numeric => v
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::from(v.clone())),
            FieldKind::Checkbox => Value::from(v == "true"),
            _ => Value::from(v.clone()),
        };
        set_path(&mut root, &spec.id, json);
    }
    Value::Object(root)
}

/// Master data the caller has (synchronised from the central service): the values a
/// field may take (職名), and pairs of fields whose values go together (所属所番号 and
/// 所属所名). A free-text field read against a master can be trusted like a checked one;
/// without a master it has only its confidence.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReferenceData {
    /// Field id → the values it may take.
    pub allowed: BTreeMap<String, BTreeSet<String>>,
    /// Fields whose values go together.
    pub pairs: Vec<ReferencePair>,
}

/// Two fields whose values go together, and the pairs that exist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReferencePair {
    /// The two field ids (`office.code`, `office.name`).
    pub fields: [String; 2],
    /// The pairs of values that exist.
    pub values: BTreeSet<(String, String)>,
}

fn reference_findings(
    template: &Template,
    values: &BTreeMap<String, Option<String>>,
    reference: &ReferenceData,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let get = |id: &str| values.get(id).cloned().flatten().filter(|v| !v.is_empty());
    let label = |id: &str| {
        template
            .field(id)
            .map_or(id.to_owned(), |f| f.label.clone())
    };
    for (field, allowed) in &reference.allowed {
        if let Some(v) = get(field) {
            if !allowed.contains(&v) {
                out.push(Finding::error(
                    field.clone(),
                    "ocr.not_in_master",
                    format!(
                        "「{}」の読取結果が一覧にありません。用紙を確認してください。",
                        label(field)
                    ),
                ));
            }
        }
    }
    for pair in &reference.pairs {
        let [a, b] = &pair.fields;
        if let (Some(va), Some(vb)) = (get(a), get(b)) {
            if !pair.values.contains(&(va, vb)) {
                let message = format!(
                    "「{}」と「{}」の組み合わせが一覧と合いません。用紙を確認してください。",
                    label(a),
                    label(b)
                );
                for f in [a, b] {
                    out.push(Finding::error(
                        f.clone(),
                        "ocr.master_mismatch",
                        message.clone(),
                    ));
                }
            }
        }
    }
    out
}

/// What the document checks say, by field id.
pub fn check_document(
    template: &Template,
    values: &BTreeMap<String, Option<String>>,
    today: NaiveDate,
    reference: &ReferenceData,
) -> BTreeMap<String, Vec<Finding>> {
    let mut out: BTreeMap<String, Vec<Finding>> = BTreeMap::new();
    for f in reference_findings(template, values, reference) {
        if template.field(&f.field).is_some() {
            out.entry(f.field.clone()).or_default().push(f);
        }
    }
    for check in &template.document_checks {
        let found = match check {
            DocumentCheck::AcquisitionForm => acquisition_findings(template, values, today),
            DocumentCheck::InvoiceTotals => invoice_totals(template, values),
            DocumentCheck::BankAccount => bank_account(template, values),
        };
        for f in found {
            if template.field(&f.field).is_some() {
                out.entry(f.field.clone()).or_default().push(f);
            }
        }
    }
    out
}

fn acquisition_findings(
    template: &Template,
    values: &BTreeMap<String, Option<String>>,
    today: NaiveDate,
) -> Vec<Finding> {
    let json = record_json(template, values);
    let Ok(form) = serde_json::from_value::<AcquisitionForm>(json) else {
        return Vec::new();
    };
    let ctx = CheckContext {
        today,
        received_on: None,
    };
    acquisition::check(&form, &ctx)
        .into_iter()
        // The filing deadline is a business matter, not a reading one.
        .filter(|f| f.code != acquisition::codes::ACQUISITION_LATE_FILING)
        .collect()
}

fn amount(values: &BTreeMap<String, Option<String>>, id: &str) -> Option<Option<i64>> {
    match values.get(id) {
        Some(Some(v)) if v.is_empty() => Some(None),
        Some(Some(v)) => v.parse().ok().map(Some),
        _ => None,
    }
}

/// The three roundings of `taxable × percent / 100`.
fn roundings(taxable: i64, percent: i64) -> [i64; 3] {
    let p = i128::from(taxable) * i128::from(percent);
    let floor = p.div_euclid(100);
    let ceil = floor + i128::from(p.rem_euclid(100) != 0);
    let half = (p + 50).div_euclid(100);
    [floor, half, ceil].map(|v| i64::try_from(v).unwrap_or(i64::MAX))
}

fn invoice_totals(template: &Template, values: &BTreeMap<String, Option<String>>) -> Vec<Finding> {
    const S_TAXABLE: &str = "statedTotals.standard.taxable";
    const S_TAX: &str = "statedTotals.standard.tax";
    const R_TAXABLE: &str = "statedTotals.reduced.taxable";
    const R_TAX: &str = "statedTotals.reduced.tax";
    const TAX_TOTAL: &str = "statedTaxTotal";
    const PAYABLE: &str = "statedPayable";
    let mut out = Vec::new();
    let mut fail = |fields: &[&str], code: &'static str, message: &str| {
        for f in fields {
            if template.field(f).is_some() {
                out.push(Finding::error(*f, code, message));
            }
        }
    };
    let get = |id: &str| amount(values, id);
    let (Some(st), Some(sx), Some(rt), Some(rx), Some(total), Some(payable)) = (
        get(S_TAXABLE),
        get(S_TAX),
        get(R_TAXABLE),
        get(R_TAX),
        get(TAX_TOTAL),
        get(PAYABLE),
    ) else {
        // Something unreadable: the amounts cannot vouch for each other.
        fail(
            &[S_TAXABLE, S_TAX, R_TAXABLE, R_TAX, TAX_TOTAL, PAYABLE],
            "invoice.totals_unverified",
            "金額の一部が読み取れないため、合計の検算ができません。金額を確認してください。",
        );
        return out;
    };
    let z = |v: Option<i64>| v.unwrap_or(0);
    for (taxable, tax, percent, ids) in [
        (st, sx, 10, [S_TAXABLE, S_TAX]),
        (rt, rx, 8, [R_TAXABLE, R_TAX]),
    ] {
        let ok = match (taxable, tax) {
            (None, None) => true,
            (Some(t), Some(x)) => roundings(t, percent).contains(&x),
            _ => false,
        };
        if !ok {
            fail(
                &ids,
                "invoice.rate_tax_mismatch",
                &format!(
                    "{percent}%対象の金額と消費税額が合いません。用紙の金額を確認してください。"
                ),
            );
        }
    }
    if z(sx) + z(rx) != z(total) || total.is_none() {
        fail(
            &[S_TAX, R_TAX, TAX_TOTAL],
            "invoice.tax_total_mismatch",
            "税率ごとの消費税額の合計が消費税合計と合いません。用紙の金額を確認してください。",
        );
    }
    if z(st) + z(sx) + z(rt) + z(rx) != z(payable) || payable.is_none() {
        fail(
            &[S_TAXABLE, S_TAX, R_TAXABLE, R_TAX, PAYABLE],
            "invoice.payable_mismatch",
            "対象金額と消費税額の合計がご請求金額と合いません。用紙の金額を確認してください。",
        );
    }
    out
}

/// A bank or branch name as written, in the master's form: NFKC, without 「銀行」 /
/// 「支店」, with 「信用金庫」 shortened to 「信金」.
fn master_form(name: &str, suffix: &str) -> String {
    let s = compact(name).replace("信用金庫", "信金");
    s.strip_suffix(suffix).unwrap_or(&s).to_owned()
}

fn bank_account(template: &Template, values: &BTreeMap<String, Option<String>>) -> Vec<Finding> {
    const BANK_NAME: &str = "payeeAccount.bankName";
    const BANK_CODE: &str = "payeeAccount.bankCode";
    const BRANCH_NAME: &str = "payeeAccount.branchName";
    const BRANCH_CODE: &str = "payeeAccount.branchCode";
    let get = |id: &str| values.get(id).cloned().flatten().unwrap_or_default();
    let (bank_code, branch_code) = (get(BANK_CODE), get(BRANCH_CODE));
    let mut out = Vec::new();
    let mut fail = |fields: &[&str], code: &'static str, message: String| {
        for f in fields {
            if template.field(f).is_some() {
                out.push(Finding::error(*f, code, message.clone()));
            }
        }
    };
    let master = BankMaster::builtin();
    let Some(bank) = master.bank(&bank_code) else {
        fail(
            &[BANK_CODE, BANK_NAME],
            "bank.unknown",
            format!("金融機関コード「{bank_code}」は全銀の金融機関一覧にありません。"),
        );
        return out;
    };
    if master_form(&get(BANK_NAME), "銀行") != bank.name {
        fail(
            &[BANK_CODE, BANK_NAME],
            "bank.name_mismatch",
            format!(
                "金融機関名が金融機関コード {}（{}）と合いません。用紙を確認してください。",
                bank.code, bank.name
            ),
        );
    }
    match master.branch(&bank_code, &branch_code) {
        None => fail(
            &[BRANCH_CODE, BRANCH_NAME],
            "bank.branch_unknown",
            format!(
                "支店コード「{branch_code}」は {} の支店一覧にありません。",
                bank.name
            ),
        ),
        Some(branch) => {
            if master_form(&get(BRANCH_NAME), "支店") != branch.name {
                fail(
                    &[BRANCH_CODE, BRANCH_NAME],
                    "bank.branch_name_mismatch",
                    format!(
                        "支店名が支店コード {}（{}）と合いません。用紙を確認してください。",
                        branch.code, branch.name
                    ),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
