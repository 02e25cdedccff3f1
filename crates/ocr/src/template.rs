//! Form templates: where each field sits on the page, what kind of value it holds, which
//! domain checks apply and how sure the engine must be before nobody looks at it.
//!
//! A template is a TOML file (`crates/ocr/templates/*.toml`, documented in `docs/ocr.md`).
//! Coordinates are millimetres from the top-left corner of the paper, so a template does
//! not depend on the scan resolution: [`crate::align`] finds the registration marks on the
//! scan and maps millimetres to pixels. The two built-in templates ([`builtin`]) are
//! compiled into the binary; others can be read with [`Template::from_toml`].

use serde::{Deserialize, Serialize};

use crate::error::OcrError;

/// The 組合員資格取得届 template (id `shikaku-shutoku-todoke`).
pub const ACQUISITION_TOML: &str = include_str!("../templates/shikaku-shutoku-todoke.toml");
/// The 請求書 (組合指定様式) template (id `seikyusho`).
pub const INVOICE_TOML: &str = include_str!("../templates/seikyusho.toml");

/// What a verified document becomes (the hand-off target).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// A 資格取得届: field ids are paths into `kyosai_domain::acquisition::AcquisitionForm`.
    Acquisition,
    /// A 請求書: field ids are paths into `kyosai_domain::procurement::invoice::Invoice`
    /// (see `docs/ocr.md` for the few that are not, such as the split bank fields).
    Invoice,
}

/// The kind of value a field holds; it chooses the engine settings (language, character
/// whitelist) and the default threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// Free text in Japanese (names, addresses, titles).
    Text,
    /// Katakana (フリガナ, 口座名義).
    Kana,
    /// Digits only (codes, 級, 号給, account numbers).
    Number,
    /// An amount in yen, written with or without thousands separators.
    Yen,
    /// A date in 和暦 (「令和7年4月1日」); 西暦 is accepted too.
    WarekiDate,
    /// An identifier with its own check (個人番号, 基礎年金番号, 法人番号, 登録番号, 郵便番号).
    Identifier,
    /// One check box: ticked or not.
    Checkbox,
    /// A group of check boxes of which exactly one is ticked ([`FieldSpec::options`]).
    Choice,
}

impl FieldKind {
    /// The threshold (0–1) used when the template gives none: the lowest confidence at
    /// which a reading that also passes its checks is accepted without a person.
    ///
    /// Tuned on generated development sets (seeds 7, 11 and 13, 120 documents; see
    /// `docs/ocr.md`) and reported on another (`docs/benchmarks.md`): each is the lowest
    /// of a coarse grid at which no wrong reading that passed its checks remained, plus a
    /// step. Kinds whose checks catch most misreadings (check digits, cross sums, a date
    /// that must exist) accept lower confidences than free text and katakana, where
    /// Tesseract is sometimes sure of a wrong character.
    pub fn default_threshold(self) -> f32 {
        match self {
            FieldKind::Text => 0.95,
            FieldKind::Kana => 0.96,
            FieldKind::Number => 0.96,
            FieldKind::Yen => 0.85,
            FieldKind::WarekiDate => 0.90,
            FieldKind::Identifier => 0.85,
            FieldKind::Checkbox | FieldKind::Choice => 0.80,
        }
    }

    /// Whether values of this kind are read from ink coverage rather than by an engine.
    pub fn is_mark(self) -> bool {
        matches!(self, FieldKind::Checkbox | FieldKind::Choice)
    }
}

/// A domain check a field's value must pass before it can be accepted without a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldCheck {
    /// 個人番号: 12 digits and the check digit (`kyosai_domain::ids::validate_my_number`).
    MyNumber,
    /// 基礎年金番号: 10 digits, 4 + 6.
    BasicPensionNumber,
    /// 法人番号: 13 digits and the check digit.
    CorporateNumber,
    /// 登録番号: 「T」 + 13 digits; digits failing the 法人番号 check digit block
    /// auto-acceptance (the domain only warns, a clerk then looks at it).
    InvoiceRegistrationNumber,
    /// 郵便番号: 7 digits.
    PostalCode,
    /// フリガナ: katakana only (`kyosai_domain::kana::check_kana_name`).
    KanaName,
    /// A date that exists, in 西暦 or 和暦 (`kyosai_domain::date_input::parse_date`).
    Date,
    /// An amount: digits with thousands separators exactly every three digits when there
    /// are any (a misread separator is caught), no leading zero.
    Yen,
    /// Digits only, of the length in [`FieldSpec::digits`] when given.
    Digits,
    /// An alphanumeric reference (請求書番号): letters, digits and hyphens.
    Reference,
    /// A person's name in exactly two parts, family and given, separated by a space.
    NameParts,
}

/// A domain check across fields of one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentCheck {
    /// The read values assembled into an `AcquisitionForm` and checked by
    /// `kyosai_domain::acquisition::check` (as the clerk types): an error on a field
    /// blocks that field.
    AcquisitionForm,
    /// The invoice sums: per rate, the tax is the rate's taxable amount times the rate
    /// rounded one of the three ways; 消費税合計 is the sum of the taxes; ご請求金額 is the
    /// sum of taxable amounts and taxes. A failed equation blocks every field in it.
    InvoiceTotals,
    /// 振込先: the bank and branch codes exist in the 全銀 master and the names read
    /// beside them are those of the master.
    BankAccount,
}

/// One box of a [`FieldKind::Choice`] field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChoiceOption {
    /// The value the field takes when this box is ticked (the domain's JSON name, e.g.
    /// `"male"`, `"newHire"`).
    pub value: String,
    /// The text printed beside the box (「男」).
    pub label: String,
    /// The box, millimetres `[x, y, w, h]`.
    #[serde(rename = "box")]
    pub rect: [f32; 4],
}

/// One field of a template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// The field's id: a path into the hand-off record (`member.myNumber`).
    pub id: String,
    /// The label printed on the form and shown to the clerk (「個人番号」).
    pub label: String,
    /// 1-based page number.
    #[serde(default = "one")]
    pub page: u32,
    /// The value's kind.
    pub kind: FieldKind,
    /// Where the value is written, millimetres `[x, y, w, h]` (for a choice: the area
    /// around its option boxes, highlighted for the clerk).
    #[serde(rename = "box")]
    pub rect: [f32; 4],
    /// Where the printed label sits, millimetres `[x, y, w, h]` (drawn by the sample
    /// generator; not read).
    #[serde(default)]
    pub label_box: Option<[f32; 4]>,
    /// Domain checks of the value.
    #[serde(default)]
    pub checks: Vec<FieldCheck>,
    /// Exact number of digits for [`FieldCheck::Digits`].
    #[serde(default)]
    pub digits: Option<u8>,
    /// The plausible range `[min, max]` of a number (級 1–10): a digit too many or too few
    /// usually leaves it.
    #[serde(default)]
    pub range: Option<[i64; 2]>,
    /// The lowest confidence (0–1) accepted without a person; default by kind.
    #[serde(default)]
    pub threshold: Option<f32>,
    /// A single space between words is meaningful (family and given name) and is kept,
    /// as a full-width space; otherwise white space is dropped from text.
    #[serde(default)]
    pub keep_space: bool,
    /// Written by hand on the paper: always keyed by two clerks independently.
    #[serde(default)]
    pub handwritten: bool,
    /// The form needs a value here (an empty reading then goes to a person).
    #[serde(default)]
    pub required: bool,
    /// Personal data that must not be shown unmasked by default (個人番号).
    #[serde(default)]
    pub sensitive: bool,
    /// The boxes of a choice field.
    #[serde(default)]
    pub options: Vec<ChoiceOption>,
}

fn one() -> u32 {
    1
}

impl FieldSpec {
    /// The threshold in force: the template's, else the kind's default.
    pub fn threshold(&self) -> f32 {
        self.threshold
            .unwrap_or_else(|| self.kind.default_threshold())
    }
}

/// A registration mark: a filled black square printed on the form, found on the scan to
/// map millimetres to pixels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mark {
    /// Centre, millimetres from the left edge of the paper.
    pub x: f32,
    /// Centre, millimetres from the top edge.
    pub y: f32,
    /// Side of the square, millimetres.
    pub size: f32,
}

/// Fixed text printed on the form (title, section headings, notes), drawn by the sample
/// generator and ignored when reading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrintedText {
    /// The text.
    pub text: String,
    /// Left edge, millimetres.
    pub x: f32,
    /// Top edge, millimetres.
    pub y: f32,
    /// Character height, millimetres.
    pub size: f32,
    /// 1-based page.
    #[serde(default = "one")]
    pub page: u32,
}

/// Paper size and page count.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageSpec {
    /// Paper width, millimetres (A4: 210).
    pub width: f32,
    /// Paper height, millimetres (A4: 297).
    pub height: f32,
    /// Number of pages.
    #[serde(default = "one")]
    pub pages: u32,
}

/// A form template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// Stable id (`shikaku-shutoku-todoke`).
    pub id: String,
    /// Version of the layout; results record it.
    pub version: u32,
    /// The form's name (「組合員資格取得届」).
    pub name: String,
    /// What a verified document becomes.
    pub kind: DocumentKind,
    /// Paper.
    pub page: PageSpec,
    /// Registration marks (at least three, on every page).
    pub marks: Vec<Mark>,
    /// Fixed printed text.
    #[serde(default)]
    pub printed: Vec<PrintedText>,
    /// The fields.
    pub fields: Vec<FieldSpec>,
    /// Checks across fields.
    #[serde(default)]
    pub document_checks: Vec<DocumentCheck>,
}

impl Template {
    /// Reads and checks a template.
    pub fn from_toml(text: &str) -> Result<Template, OcrError> {
        let t: Template = toml::from_str(text).map_err(|e| OcrError::Template {
            detail: e.to_string(),
        })?;
        t.validate()?;
        Ok(t)
    }

    /// The field with this id.
    pub fn field(&self, id: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.id == id)
    }

    fn validate(&self) -> Result<(), OcrError> {
        let bad = |detail: String| Err(OcrError::Template { detail });
        if self.marks.len() < 3 {
            return bad(format!(
                "テンプレート {} の位置合わせマークは3つ以上必要です。",
                self.id
            ));
        }
        if self.page.pages == 0 || self.page.width <= 0.0 || self.page.height <= 0.0 {
            return bad(format!("テンプレート {} の用紙の指定が不正です。", self.id));
        }
        let inside = |r: &[f32; 4]| {
            r[2] > 0.0
                && r[3] > 0.0
                && r[0] >= 0.0
                && r[1] >= 0.0
                && r[0] + r[2] <= self.page.width
                && r[1] + r[3] <= self.page.height
        };
        let mut seen = std::collections::HashSet::new();
        for f in &self.fields {
            if !seen.insert(f.id.as_str()) {
                return bad(format!("項目 {} が二度定義されています。", f.id));
            }
            if f.page == 0 || f.page > self.page.pages {
                return bad(format!(
                    "項目 {} のページ番号 {} が不正です。",
                    f.id, f.page
                ));
            }
            if !inside(&f.rect) {
                return bad(format!("項目 {} の枠が用紙からはみ出しています。", f.id));
            }
            if let Some(t) = f.threshold {
                if !(0.0..=1.0).contains(&t) {
                    return bad(format!(
                        "項目 {} のしきい値は0から1の間で指定してください。",
                        f.id
                    ));
                }
            }
            match f.kind {
                FieldKind::Choice => {
                    if f.options.len() < 2 {
                        return bad(format!("選択項目 {} には選択肢が2つ以上必要です。", f.id));
                    }
                    if f.options.iter().any(|o| !inside(&o.rect)) {
                        return bad(format!("項目 {} の選択肢の枠が不正です。", f.id));
                    }
                }
                _ if !f.options.is_empty() => {
                    return bad(format!("選択肢は選択項目にだけ指定できます（{}）。", f.id));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// The built-in templates: 資格取得届 and 請求書.
pub fn builtin() -> Result<Vec<Template>, OcrError> {
    [ACQUISITION_TOML, INVOICE_TOML]
        .into_iter()
        .map(Template::from_toml)
        .collect()
}

/// The built-in template with this id.
pub fn builtin_by_id(id: &str) -> Result<Template, OcrError> {
    builtin()?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| OcrError::UnknownTemplate { id: id.to_owned() })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn builtin_templates_load_and_name_domain_paths() {
        let all = builtin().unwrap();
        let acq = all
            .iter()
            .find(|t| t.id == "shikaku-shutoku-todoke")
            .unwrap();
        assert_eq!(acq.kind, DocumentKind::Acquisition);
        for id in [
            "member.name",
            "member.nameKana",
            "member.myNumber",
            "member.birthDate",
            "member.sex",
            "acquisition.acquiredOn",
            "acquisition.reason",
        ] {
            assert!(acq.field(id).is_some(), "{id}");
        }
        assert!(acq.field("member.myNumber").unwrap().sensitive);
        let inv = all.iter().find(|t| t.id == "seikyusho").unwrap();
        assert_eq!(inv.kind, DocumentKind::Invoice);
        assert!(inv
            .field("sellerRegistration")
            .unwrap()
            .checks
            .contains(&FieldCheck::InvoiceRegistrationNumber));
        assert!(inv.document_checks.contains(&DocumentCheck::InvoiceTotals));
    }

    #[test]
    fn fields_do_not_overlap() {
        for t in builtin().unwrap() {
            let rects: Vec<(&str, [f32; 4])> =
                t.fields.iter().map(|f| (f.id.as_str(), f.rect)).collect();
            for (i, (a, ra)) in rects.iter().enumerate() {
                for (b, rb) in &rects[i + 1..] {
                    let overlap = ra[0] < rb[0] + rb[2]
                        && rb[0] < ra[0] + ra[2]
                        && ra[1] < rb[1] + rb[3]
                        && rb[1] < ra[1] + ra[3];
                    assert!(!overlap, "{}: {a} overlaps {b}", t.id);
                }
            }
        }
    }

    #[test]
    fn bad_templates_are_refused_in_japanese() {
        let mut t = builtin_by_id("seikyusho").unwrap();
        t.fields[0].rect[0] = 205.0;
        let text = toml::to_string(&t).unwrap();
        let e = Template::from_toml(&text).unwrap_err();
        assert!(e.to_string().contains("はみ出しています"), "{e}");

        let e = Template::from_toml("id = 1").unwrap_err();
        assert_eq!(e.code(), "ocr.template_invalid");
        assert!(matches!(
            builtin_by_id("nope"),
            Err(OcrError::UnknownTemplate { .. })
        ));
    }
}
