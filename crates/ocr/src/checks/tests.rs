#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::template::builtin_by_id;

fn acq() -> Template {
    builtin_by_id("shikaku-shutoku-todoke").unwrap()
}

fn inv() -> Template {
    builtin_by_id("seikyusho").unwrap()
}

fn check(t: &Template, id: &str, text: &str) -> Checked {
    check_field(t.field(id).unwrap(), text)
}

fn codes(c: &Checked) -> Vec<&str> {
    c.findings.iter().map(|f| f.code).collect()
}

#[test]
fn text_loses_the_spaces_ocr_puts_between_japanese_characters() {
    assert_eq!(
        normalize_text("東京都新宿 区西新宿 二丁目", false),
        "東京都新宿区西新宿二丁目"
    );
    assert_eq!(normalize_text("ＡＢＣ 商事", false), "ABC商事");
    assert_eq!(
        normalize_text("ABC  DEF 株式会社", false),
        "ABC DEF株式会社"
    );
    assert_eq!(normalize_text("一丁目 9番1号", false), "一丁目9番1号");
    // Names keep one full-width space between family and given name.
    assert_eq!(normalize_text(" 山田  太郎 ", true), "山田\u{3000}太郎");
    let c = check(&acq(), "member.name", "山田 太郎");
    assert_eq!(c.value.as_deref(), Some("山田\u{3000}太郎"));
    assert!(c.findings.is_empty());
}

#[test]
fn a_name_not_in_two_parts_goes_to_a_person() {
    let c = check(&acq(), "member.name", "山田太郎");
    assert_eq!(codes(&c), ["ocr.name_parts"]);
    let c = check(&acq(), "member.name", "山 田 太郎");
    assert_eq!(codes(&c), ["ocr.name_parts"]);
}

#[test]
fn kana_is_normalised_and_checked_by_the_domain() {
    let c = check(&acq(), "member.nameKana", "ﾔﾏﾀﾞ ﾀﾛｳ");
    assert_eq!(c.value.as_deref(), Some("ヤマダ\u{3000}タロウ"));
    assert!(c.findings.is_empty());
    let c = check(&acq(), "member.nameKana", "ヤマ田 タロウ");
    assert_eq!(codes(&c), ["kana.not_katakana"]);
}

#[test]
fn amounts_need_their_separators_in_the_right_places() {
    assert_eq!(parse_yen("215,400"), Ok((215_400, true)));
    assert_eq!(parse_yen("¥1,234,567円"), Ok((1_234_567, true)));
    assert_eq!(parse_yen("980"), Ok((980, false)));
    assert_eq!(parse_yen("0"), Ok((0, false)));
    // A separator misread as a digit, or a digit lost next to one.
    assert_eq!(parse_yen("2154,00"), Err("yen.separator"));
    assert_eq!(parse_yen("21,54"), Err("yen.separator"));
    assert_eq!(parse_yen("0,215"), Err("yen.leading_zero"));
    assert_eq!(parse_yen("0215"), Err("yen.leading_zero"));
    assert_eq!(parse_yen("2l5,400"), Err("yen.not_a_number"));
    let c = check(&acq(), "remuneration.salary", "215400");
    assert_eq!(c.value.as_deref(), Some("215400"));
    assert_eq!(codes(&c), ["yen.no_separator"]);
    let c = check(&acq(), "remuneration.salary", "215,400");
    assert_eq!(c.value.as_deref(), Some("215400"));
    assert!(c.findings.is_empty());
}

#[test]
fn dates_in_wareki_become_iso_and_impossible_dates_are_refused() {
    let c = check(&acq(), "member.birthDate", "平成2年5月3日");
    assert_eq!(c.value.as_deref(), Some("1990-05-03"));
    let c = check(&acq(), "member.birthDate", "平成31年5月1日");
    assert_eq!(c.value, None);
    assert_eq!(codes(&c), ["wareki.outside_era"]);
    let c = check(&acq(), "member.birthDate", "令和7年2月30日");
    assert_eq!(c.value, None);
    assert_eq!(c.findings.len(), 1);
}

#[test]
fn identifiers_are_checked_by_their_check_digits() {
    let c = check(&acq(), "member.myNumber", "1234 5678 9018");
    assert_eq!(c.value.as_deref(), Some("123456789018"));
    assert!(c.findings.is_empty());
    let c = check(&acq(), "member.myNumber", "123456789019");
    assert_eq!(codes(&c), ["my_number.check_digit"]);
    let c = check(&acq(), "member.basicPensionNumber", "1234567890");
    assert_eq!(c.value.as_deref(), Some("1234-567890"));
    let c = check(&acq(), "member.postalCode", "1638001");
    assert_eq!(c.value.as_deref(), Some("163-8001"));
    // 登録番号: the domain only warns on a wrong check digit; here it still blocks.
    let c = check(&inv(), "sellerRegistration", "T7000012050002");
    assert!(c.findings.is_empty(), "{:?}", c.findings);
    let c = check(&inv(), "sellerRegistration", "T7000012050003");
    assert_eq!(codes(&c), ["invoice_number.check_digit"]);
}

#[test]
fn codes_of_a_fixed_length_and_references() {
    let c = check(&acq(), "office.code", "1301001");
    assert_eq!(codes(&c), ["ocr.digits"]);
    let c = check(&acq(), "employment.salaryStep", "719");
    assert_eq!(codes(&c), ["ocr.out_of_range"]);
    let c = check(&acq(), "employment.salaryStep", "79");
    assert!(c.findings.is_empty());
    let c = check(&inv(), "payeeAccount.bankCode", "0005");
    assert!(c.findings.is_empty());
    let c = check(&inv(), "number", "INV-2505-0042");
    assert!(c.findings.is_empty());
    let c = check(&inv(), "number", "INV--0042");
    assert_eq!(codes(&c), ["ocr.reference"]);
}

#[test]
fn blank_fields_are_fine_unless_required() {
    let c = check(&acq(), "remuneration.commutingAllowance", "  ");
    assert_eq!(c.value.as_deref(), Some(""));
    assert!(c.findings.is_empty());
    let c = check(&acq(), "member.name", "");
    assert_eq!(codes(&c), ["ocr.required_empty"]);
    assert!(c.findings[0].message.contains("氏名"));
}

fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, Option<String>> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Some((*v).to_owned())))
        .collect()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
}

#[test]
fn the_record_json_is_an_acquisition_form() {
    let v = values(&[
        ("office.code", "13010001"),
        ("member.name", "山田\u{3000}太郎"),
        ("member.birthDate", "1990-05-03"),
        ("member.sex", "male"),
        ("acquisition.reason", "newHire"),
        ("employment.salaryClass", "3"),
        ("remuneration.salary", "215400"),
        ("remuneration.commutingAllowance", ""),
    ]);
    let json = record_json(&acq(), &v);
    assert_eq!(json["office"]["code"], "13010001");
    assert_eq!(json["employment"]["salaryClass"], 3);
    assert!(json["remuneration"].get("commutingAllowance").is_none());
    let form: AcquisitionForm = serde_json::from_value(json).unwrap();
    assert_eq!(form.member.name.as_deref(), Some("山田\u{3000}太郎"));
    assert_eq!(form.remuneration.salary, Some(215_400));
    assert_eq!(form.member.birth_date, NaiveDate::from_ymd_opt(1990, 5, 3));
}

#[test]
fn the_acquisition_checks_catch_a_birth_date_after_acquisition() {
    let v = values(&[
        ("member.birthDate", "2025-05-03"),
        ("acquisition.acquiredOn", "2025-04-01"),
        ("office.certifiedOn", "2025-04-05"),
    ]);
    let f = check_document(&acq(), &v, today(), &ReferenceData::default());
    assert_eq!(
        f["member.birthDate"][0].code,
        acquisition::codes::MEMBER_BIRTH_AFTER_ACQUISITION
    );
    // A certification dated in the future is a misreading too.
    let v = values(&[("office.certifiedOn", "2025-09-05")]);
    let f = check_document(&acq(), &v, today(), &ReferenceData::default());
    assert_eq!(
        f["office.certifiedOn"][0].code,
        acquisition::codes::OFFICE_CERTIFIED_IN_FUTURE
    );
}

fn invoice_values(payable: &str, tax10: &str) -> BTreeMap<String, Option<String>> {
    values(&[
        ("statedTotals.standard.taxable", "1894500"),
        ("statedTotals.standard.tax", tax10),
        ("statedTotals.reduced.taxable", "74260"),
        ("statedTotals.reduced.tax", "5940"),
        ("statedTaxTotal", "195390"),
        ("statedPayable", payable),
        ("payeeAccount.bankName", "三菱UFJ銀行"),
        ("payeeAccount.bankCode", "0005"),
        ("payeeAccount.branchName", "十三支店"),
        ("payeeAccount.branchCode", "068"),
    ])
}

#[test]
fn invoice_sums_vouch_for_each_other() {
    let ok = check_document(
        &inv(),
        &invoice_values("2164150", "189450"),
        today(),
        &ReferenceData::default(),
    );
    assert!(ok.is_empty(), "{ok:?}");
    // One digit misread in ご請求金額.
    let f = check_document(
        &inv(),
        &invoice_values("2184150", "189450"),
        today(),
        &ReferenceData::default(),
    );
    assert_eq!(f["statedPayable"][0].code, "invoice.payable_mismatch");
    assert_eq!(
        f["statedTotals.standard.taxable"][0].code,
        "invoice.payable_mismatch"
    );
    // One digit misread in the 10 % tax: its rate, the tax total and the payable fail.
    let f = check_document(
        &inv(),
        &invoice_values("2164150", "189650"),
        today(),
        &ReferenceData::default(),
    );
    let tax: Vec<&str> = f["statedTotals.standard.tax"]
        .iter()
        .map(|x| x.code)
        .collect();
    assert!(tax.contains(&"invoice.rate_tax_mismatch"));
    assert!(tax.contains(&"invoice.tax_total_mismatch"));
    assert!(
        !f.contains_key("statedTotals.reduced.taxable")
            || f["statedTotals.reduced.taxable"]
                .iter()
                .all(|x| x.code == "invoice.payable_mismatch")
    );
}

#[test]
fn rounding_up_or_half_up_is_accepted_as_the_issuers_choice() {
    assert_eq!(roundings(1005, 10), [100, 101, 101]);
    assert_eq!(roundings(1000, 8), [80, 80, 80]);
    assert_eq!(roundings(1006, 8), [80, 80, 81]);
}

#[test]
fn bank_and_branch_names_must_match_their_codes() {
    let ok = check_document(
        &inv(),
        &invoice_values("2164150", "189450"),
        today(),
        &ReferenceData::default(),
    );
    assert!(ok.is_empty());
    let mut v = invoice_values("2164150", "189450");
    v.insert("payeeAccount.branchCode".into(), Some("069".into()));
    let f = check_document(&inv(), &v, today(), &ReferenceData::default());
    let code = f["payeeAccount.branchName"][0].code;
    assert!(
        code == "bank.branch_name_mismatch" || code == "bank.branch_unknown",
        "{code}"
    );
    let mut v = invoice_values("2164150", "189450");
    v.insert("payeeAccount.bankName".into(), Some("三井住友銀行".into()));
    let f = check_document(&inv(), &v, today(), &ReferenceData::default());
    assert_eq!(f["payeeAccount.bankCode"][0].code, "bank.name_mismatch");
    // 信用金庫 is written out on invoices and shortened in the master.
    assert_eq!(master_form("西武信用金庫", "銀行"), "西武信金");
}

#[test]
fn free_text_read_against_a_master() {
    let reference = ReferenceData {
        allowed: [(
            "employment.jobTitle".to_owned(),
            ["主事", "保育士"].map(String::from).into_iter().collect(),
        )]
        .into_iter()
        .collect(),
        pairs: vec![ReferencePair {
            fields: ["office.code".into(), "office.name".into()],
            values: [("13090013".to_owned(), "教育庁総務部".to_owned())]
                .into_iter()
                .collect(),
        }],
    };
    let ok = values(&[
        ("employment.jobTitle", "保育士"),
        ("office.code", "13090013"),
        ("office.name", "教育庁総務部"),
    ]);
    assert!(check_document(&acq(), &ok, today(), &reference).is_empty());
    let misread = values(&[
        ("employment.jobTitle", "保育土"),
        ("office.code", "13090013"),
        ("office.name", "教育店総務部"),
    ]);
    let f = check_document(&acq(), &misread, today(), &reference);
    assert_eq!(f["employment.jobTitle"][0].code, "ocr.not_in_master");
    assert_eq!(f["office.name"][0].code, "ocr.master_mismatch");
    assert_eq!(f["office.code"][0].code, "ocr.master_mismatch");
    assert!(f["office.code"][0]
        .message
        .contains("「所属所番号」と「所属所名」"));
}
