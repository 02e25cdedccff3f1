//! Normalisation of what a clerk typed, before saving: names and フリガナ in their stored
//! form, identifiers in their written form. Values that do not pass their check are left
//! as typed, so the clerk can see and correct them.

use super::form::{AcquisitionForm, MyNumberText};
use crate::{ids, kana};

fn tidy(text: &mut Option<String>, f: impl Fn(&str) -> String) {
    if let Some(t) = text.as_mut() {
        let normalised = f(t);
        *t = normalised;
    }
    if text.as_deref().is_some_and(str::is_empty) {
        *text = None;
    }
}

fn kana_name(s: &str) -> String {
    kana::normalize_name(&kana::to_fullwidth_katakana(s))
}

fn trimmed(s: &str) -> String {
    s.trim().to_owned()
}

/// Normalises the form in place:
///
/// - 氏名: NFKC, one full-width space between parts ([`kana::normalize_name`]);
/// - フリガナ: also hiragana and half-width katakana to full-width katakana;
/// - 個人番号: the 12 digits, 基礎年金番号 「1234-567890」, 郵便番号 「163-8001」, 所属所番号
///   half-width — each only when valid;
/// - other text trimmed; text that is empty after that becomes `None`.
pub fn normalize(form: &mut AcquisitionForm) {
    let office = &mut form.office;
    tidy(&mut office.code, |s| {
        kana::normalize_nfkc(s).trim().to_owned()
    });
    tidy(&mut office.name, trimmed);

    let m = &mut form.member;
    tidy(&mut m.name, kana::normalize_name);
    tidy(&mut m.name_kana, kana_name);
    tidy(&mut m.address, trimmed);
    tidy(&mut m.postal_code, |s| {
        ids::validate_postal_code(s).map_or_else(|_| s.trim().to_owned(), |p| p.as_str().to_owned())
    });
    tidy(&mut m.basic_pension_number, |s| {
        ids::validate_basic_pension_number(s)
            .map_or_else(|_| s.trim().to_owned(), |p| p.as_str().to_owned())
    });
    if let Some(n) = m.my_number.as_mut() {
        if let Ok(valid) = n.validate() {
            *n = MyNumberText::new(valid.expose());
        }
    }
    if m.my_number.as_ref().is_some_and(MyNumberText::is_blank) {
        m.my_number = None;
    }

    let a = &mut form.acquisition;
    tidy(&mut a.reason_detail, trimmed);
    tidy(&mut a.late_reason, trimmed);

    let e = &mut form.employment;
    tidy(&mut e.job_title, trimmed);
    tidy(&mut e.salary_table, trimmed);

    for allowance in &mut form.remuneration.other_allowances {
        tidy(&mut allowance.name, trimmed);
    }
    for p in &mut form.pension_history {
        tidy(&mut p.kind_detail, trimmed);
    }
    for d in &mut form.dependants {
        tidy(&mut d.name, kana::normalize_name);
        tidy(&mut d.name_kana, kana_name);
    }
}
