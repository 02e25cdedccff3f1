//! Bulk import of 組合員資格取得届 from a CSV file (the April peak): read the file (UTF-8
//! with or without BOM, or Shift_JIS/CP932 as offices' HR systems export), map its
//! columns to the form's fields, check every row with the domain's checks, import the
//! rows without errors as local drafts in **one** transaction, and write the rejected
//! rows as an error report.
//!
//! The standard layout and the accepted values are documented in `docs/import-format.md`.
//! Every rule is `kyosai_domain`'s: dates through [`date_input::parse_date`] (西暦 and
//! 和暦), [`acquisition::normalize`], then [`acquisition::assess_with`] in
//! [`CheckMode::Submission`] (an imported draft needs nothing more than the
//! acknowledgement of its warnings before it can be submitted). This module only reads
//! cells into an [`AcquisitionForm`], and looks across the rows of one file for the same
//! person twice (a repeated 基礎年金番号 or 個人番号 is an error, the same 氏名 and
//! 生年月日 a warning); repeats of notifications already filed are the central service's
//! automated review.
//!
//! The 個人番号 is read into the form and stored with the record, but never appears in
//! a preview row, an error message, the error report or a log line.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use kyosai_domain::acquisition::{
    self, AcquisitionForm, AcquisitionReason, Appointment, CheckContext, CheckMode, MemberType,
    MyNumberText, Sex,
};
use kyosai_domain::date_input;
use kyosai_domain::finding::{Finding, Severity};
use kyosai_domain::kana;
use kyosai_domain::rules::RuleSet;
use kyosai_store::sync::{BulkCreate, NewLocalRecord};
use kyosai_store::Store;
use kyosai_sync_client::SharedStore;
use serde::{Deserialize, Serialize};

use crate::acquisitions::{self, today_jst, KIND};
use crate::findings::SeverityDto;
use crate::sync::with_store;
use crate::AppError;

// ---------------------------------------------------------------------------------------
// The fields a CSV column can fill.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Date,
    Sex,
    Reason,
    MemberType,
    Appointment,
    Yen,
    Count,
    MyNumber,
}

/// One form field a column can fill, with the column name of the standard layout.
#[derive(Debug)]
struct FieldSpec {
    /// The form's field path (as findings name it): `"member.birthDate"`.
    id: &'static str,
    /// The column name of the standard layout.
    header: &'static str,
    /// Other column names HR systems use for it.
    aliases: &'static [&'static str],
    kind: Kind,
}

const fn f(
    id: &'static str,
    header: &'static str,
    aliases: &'static [&'static str],
    kind: Kind,
) -> FieldSpec {
    FieldSpec {
        id,
        header,
        aliases,
        kind,
    }
}

/// The standard layout, in its column order (docs/import-format.md).
const FIELDS: &[FieldSpec] = &[
    f(
        "office.code",
        "所属所番号",
        &["所属所コード", "所属番号"],
        Kind::Text,
    ),
    f("office.name", "所属所名", &["所属名", "所属"], Kind::Text),
    f(
        "member.name",
        "氏名",
        &["漢字氏名", "職員氏名", "名前"],
        Kind::Text,
    ),
    f(
        "member.nameKana",
        "フリガナ",
        &["ふりがな", "カナ氏名", "氏名カナ", "氏名（カナ）", "カナ"],
        Kind::Text,
    ),
    f("member.birthDate", "生年月日", &[], Kind::Date),
    f("member.sex", "性別", &[], Kind::Sex),
    f("member.postalCode", "郵便番号", &["〒"], Kind::Text),
    f("member.address", "住所", &["現住所"], Kind::Text),
    f(
        "member.myNumber",
        "個人番号",
        &["マイナンバー"],
        Kind::MyNumber,
    ),
    f("member.basicPensionNumber", "基礎年金番号", &[], Kind::Text),
    f(
        "acquisition.acquiredOn",
        "資格取得年月日",
        &["資格取得日", "取得年月日", "採用年月日", "採用日"],
        Kind::Date,
    ),
    f("acquisition.reason", "取得事由", &["事由"], Kind::Reason),
    f(
        "acquisition.reasonDetail",
        "取得事由の内容",
        &["取得事由詳細", "事由詳細"],
        Kind::Text,
    ),
    f(
        "acquisition.memberType",
        "組合員種別",
        &["種別"],
        Kind::MemberType,
    ),
    f(
        "acquisition.appointment",
        "任用",
        &["任用形態", "任用区分"],
        Kind::Appointment,
    ),
    f(
        "acquisition.termStart",
        "任期開始日",
        &["任期の開始日"],
        Kind::Date,
    ),
    f(
        "acquisition.termEnd",
        "任期終了日",
        &["任期の終了日"],
        Kind::Date,
    ),
    f("acquisition.lateReason", "遅延理由", &[], Kind::Text),
    f("employment.jobTitle", "職名", &["職"], Kind::Text),
    f("employment.salaryTable", "給料表", &[], Kind::Text),
    f("employment.salaryClass", "級", &["職務の級"], Kind::Count),
    f("employment.salaryStep", "号給", &[], Kind::Count),
    f(
        "remuneration.salary",
        "給料月額",
        &["給料", "給料の額"],
        Kind::Yen,
    ),
    f("remuneration.regionalAllowance", "地域手当", &[], Kind::Yen),
    f(
        "remuneration.dependantsAllowance",
        "扶養手当",
        &[],
        Kind::Yen,
    ),
    f("remuneration.housingAllowance", "住居手当", &[], Kind::Yen),
    f(
        "remuneration.commutingAllowance",
        "通勤手当",
        &[],
        Kind::Yen,
    ),
    f(
        "remuneration.commutingMonths",
        "通勤手当の月数",
        &["通勤手当支給月数", "通勤手当月数"],
        Kind::Count,
    ),
    f(
        "remuneration.projectedOvertime",
        "時間外勤務手当見込額",
        &["超過勤務手当見込額", "時間外勤務手当"],
        Kind::Yen,
    ),
];

fn spec(id: &str) -> Option<&'static FieldSpec> {
    FIELDS.iter().find(|s| s.id == id)
}

/// Header text as compared: NFKC, no spaces, no brackets' width differences.
fn header_key(s: &str) -> String {
    kana::normalize_nfkc(s)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{FEFF}')
        .collect()
}

// ---------------------------------------------------------------------------------------
// DTOs

/// A field of the form a column can fill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportFieldDto {
    /// The form's field path, e.g. `member.birthDate`.
    pub id: String,
    /// The column name of the standard layout, e.g. 「生年月日」.
    pub label: String,
}

/// Which column of the file fills a field (`None`: none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ColumnMapping {
    pub field: String,
    /// Index into the file's headers.
    pub column: Option<u32>,
}

/// A finding of one row, with the column it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportFindingDto {
    pub field: String,
    /// The field's name (the standard column name), e.g. 「生年月日」; empty when the
    /// finding is about the row.
    pub label: String,
    /// The file's column it was read from, when mapped.
    pub column: Option<String>,
    pub code: String,
    pub severity: SeverityDto,
    pub message: String,
}

/// One row of the file as the preview shows it. Never holds the 個人番号.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportRowView {
    /// The line in the file (the header is line 1), as Excel numbers it.
    pub line: u32,
    pub name: String,
    pub kana: String,
    /// `YYYY-MM-DD` or empty.
    pub birth_date: String,
    pub acquired_on: String,
    pub member_type: String,
    /// 「短期 第13級 / 厚生年金 第10級」 or empty.
    pub grades: String,
    /// `ok`, `warning` (imported; the warnings are acknowledged later on the form) or
    /// `error` (not imported).
    pub status: String,
    pub errors: u32,
    pub warnings: u32,
    pub findings: Vec<ImportFindingDto>,
}

/// The file read, its mapping and every row checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportPreview {
    pub session: String,
    pub file_name: String,
    pub encoding: Encoding,
    /// 「UTF-8（BOM付き）」「Shift_JIS」.
    pub encoding_label: String,
    pub headers: Vec<String>,
    pub fields: Vec<ImportFieldDto>,
    pub mapping: Vec<ColumnMapping>,
    /// Columns of the file no field reads.
    pub unmapped_headers: Vec<String>,
    pub rows: Vec<ImportRowView>,
    pub total: u32,
    /// Rows that will be imported (no error).
    pub importable: u32,
    pub with_warnings: u32,
    pub with_errors: u32,
    /// The office the records are created for (the signed-in user's or the setting's).
    pub office_code: Option<String>,
}

/// Progress of an import (sent as an event while it runs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportProgress {
    pub session: String,
    pub done: u32,
    pub total: u32,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportResult {
    /// Drafts created (0 when cancelled).
    pub imported: u32,
    /// Of those, drafts with warnings to acknowledge on the form.
    pub with_warnings: u32,
    /// Rows not imported because of errors (in the error report).
    pub rejected: u32,
    /// The clerk pressed 中止: nothing was imported.
    pub cancelled: bool,
}

// ---------------------------------------------------------------------------------------
// Reading the file

/// The encodings the importer understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    ShiftJis,
}

impl Encoding {
    fn id(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf8Bom => "utf-8-bom",
            Encoding::ShiftJis => "shift_jis",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8（BOM付き）",
            Encoding::ShiftJis => "Shift_JIS",
        }
    }
}

/// One data row as read: its line and its cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRow {
    pub line: u32,
    pub cells: Vec<String>,
}

/// A CSV file decoded and split into cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvFile {
    pub encoding: Encoding,
    pub headers: Vec<String>,
    pub rows: Vec<RawRow>,
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decodes `bytes`: a UTF-8 BOM means UTF-8; otherwise valid UTF-8 is UTF-8 and anything
/// else is Shift_JIS (CP932, as Windows writes it). `forced` overrides the guess. Bytes
/// that do not decode become U+FFFD and are reported on their row.
pub fn decode(bytes: &[u8], forced: Option<Encoding>) -> (Encoding, String) {
    let has_bom = bytes.starts_with(UTF8_BOM);
    let encoding = forced.unwrap_or(if has_bom {
        Encoding::Utf8Bom
    } else if std::str::from_utf8(bytes).is_ok() {
        Encoding::Utf8
    } else {
        Encoding::ShiftJis
    });
    let text = match encoding {
        Encoding::Utf8 | Encoding::Utf8Bom => {
            let body = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
            String::from_utf8_lossy(body).into_owned()
        }
        Encoding::ShiftJis => {
            let (text, _) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(bytes);
            text.into_owned()
        }
    };
    (encoding, text)
}

fn read_error(message: impl Into<String>) -> AppError {
    AppError::new("import.unreadable", message)
}

/// Decodes and parses a CSV file: the first line is the header. Empty lines and rows of
/// empty cells are skipped; a short row reads as empty cells.
pub fn read_csv(bytes: &[u8], forced: Option<Encoding>) -> Result<CsvFile, AppError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(read_error(
            "ファイルが空です。見出しの行と届の行があるCSVファイルを選んでください。",
        ));
    }
    let (encoding, text) = decode(bytes, forced);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| {
            read_error(format!(
                "見出しの行を読み取れません（{e}）。CSV形式（カンマ区切り）のファイルか確認してください。"
            ))
        })?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    // The line a record starts on, counted from the bytes (a quoted cell may span lines).
    let (mut seen_byte, mut line) = (0usize, 1u64);
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let bytes = text.as_bytes();
                let mut start = record
                    .position()
                    .and_then(|p| usize::try_from(p.byte()).ok())
                    .unwrap_or(seen_byte)
                    .min(bytes.len());
                // After a CRLF the reader places the record on its `\n`.
                while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
                    start += 1;
                }
                if start > seen_byte {
                    line += bytes[seen_byte..start]
                        .iter()
                        .filter(|b| **b == b'\n')
                        .count() as u64;
                    seen_byte = start;
                }
                if record.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                rows.push(RawRow {
                    line: u32::try_from(line).unwrap_or(u32::MAX),
                    cells: record.iter().map(str::to_string).collect(),
                });
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                return Err(read_error(format!(
                    "{line}行目を読み取れません。引用符（\"）の閉じ忘れがないか確認してください。"
                )));
            }
        }
    }
    if headers.len() < 2 {
        return Err(read_error(
            "列が1つしかありません。カンマ区切りのCSVファイルか確認してください。",
        ));
    }
    Ok(CsvFile {
        encoding,
        headers,
        rows,
    })
}

/// The standard column names (and their aliases) matched against the file's headers.
pub fn default_mapping(headers: &[String]) -> Vec<ColumnMapping> {
    let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
    FIELDS
        .iter()
        .map(|s| {
            let column = std::iter::once(s.header)
                .chain(s.aliases.iter().copied())
                .find_map(|name| {
                    let k = header_key(name);
                    keys.iter().position(|h| *h == k)
                })
                .and_then(|i| u32::try_from(i).ok());
            ColumnMapping {
                field: s.id.to_string(),
                column,
            }
        })
        .collect()
}

/// The fields a column can fill, in the standard order.
pub fn fields() -> Vec<ImportFieldDto> {
    FIELDS
        .iter()
        .map(|s| ImportFieldDto {
            id: s.id.to_string(),
            label: s.header.to_string(),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Cells into the form

fn clean(s: &str) -> String {
    kana::normalize_nfkc(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn read_sex(s: &str) -> Option<Sex> {
    match clean(s).to_lowercase().as_str() {
        "男" | "男性" | "1" | "m" | "male" => Some(Sex::Male),
        "女" | "女性" | "2" | "f" | "female" => Some(Sex::Female),
        _ => None,
    }
}

/// Matches the name on the form (with or without 「組合員」/「職員」), or the value id.
fn read_named<T: Copy + Serialize>(
    s: &str,
    all: &[T],
    name: impl Fn(T) -> &'static str,
) -> Option<T> {
    let key = clean(s);
    all.iter().copied().find(|v| {
        let n = clean(name(*v));
        let id = serde_json::to_value(v)
            .ok()
            .and_then(|x| x.as_str().map(str::to_lowercase));
        key == n
            || n.strip_suffix("組合員").is_some_and(|x| x == key)
            || id.is_some_and(|i| i == key.to_lowercase())
    })
}

fn read_appointment(s: &str) -> Option<Appointment> {
    match clean(s).as_str() {
        "任期の定めのない常勤職員" | "常勤" | "常勤職員" | "正規" | "regular" => {
            Some(Appointment::Regular)
        }
        "任期付職員" | "任期付" | "任期付き" | "fixedTerm" => {
            Some(Appointment::FixedTerm)
        }
        "再任用(フルタイム)" | "再任用" | "フルタイム再任用" | "reappointment" => {
            Some(Appointment::Reappointment)
        }
        "その他" | "other" => Some(Appointment::Other),
        _ => None,
    }
}

const REASONS: [AcquisitionReason; 5] = [
    AcquisitionReason::NewHire,
    AcquisitionReason::TransferFromOtherMutualAid,
    AcquisitionReason::FromNationalMutualAid,
    AcquisitionReason::ReturnFromContinuedLongTerm,
    AcquisitionReason::Other,
];

fn number_text(s: &str) -> String {
    clean(s)
        .chars()
        .filter(|c| !matches!(c, ',' | '円' | '¥' | '\\'))
        .collect()
}

fn read_yen(s: &str) -> Option<i64> {
    let t = number_text(s);
    let (neg, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.as_str()),
    };
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    body.parse::<i64>().ok().map(|n| if neg { -n } else { n })
}

fn read_count<T: TryFrom<u64>>(s: &str) -> Option<T> {
    let t = number_text(s);
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse::<u64>().ok().and_then(|n| T::try_from(n).ok())
}

fn opt_text(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Sets one field of the form from a cell; an unreadable cell is an error finding.
fn set_field(form: &mut AcquisitionForm, spec: &FieldSpec, cell: &str, out: &mut Vec<Finding>) {
    if cell.trim().is_empty() {
        return;
    }
    let id = spec.id;
    let bad = |out: &mut Vec<Finding>, code: &'static str, message: String| {
        out.push(Finding::error(id, code, message));
    };
    let label = spec.header;
    match spec.kind {
        Kind::Date => match date_input::parse_date(cell) {
            Ok(d) => set_date(form, id, d),
            Err(e) => out.push(Finding::from_error(id, &e)),
        },
        Kind::Sex => match read_sex(cell) {
            Some(v) => form.member.sex = Some(v),
            None => bad(
                out,
                "import.choice",
                format!("{label}「{}」を読み取れません。「男」または「女」にしてください。", cell.trim()),
            ),
        },
        Kind::Reason => match read_named(cell, &REASONS, AcquisitionReason::name_ja) {
            Some(v) => form.acquisition.reason = Some(v),
            None => bad(
                out,
                "import.choice",
                format!(
                    "{label}「{}」を読み取れません。{}のいずれかにしてください。",
                    cell.trim(),
                    names(&REASONS, AcquisitionReason::name_ja)
                ),
            ),
        },
        Kind::MemberType => match read_named(cell, &MemberType::ALL, MemberType::name_ja) {
            Some(v) => form.acquisition.member_type = Some(v),
            None => bad(
                out,
                "import.choice",
                format!(
                    "{label}「{}」を読み取れません。{}のいずれかにしてください。",
                    cell.trim(),
                    names(&MemberType::ALL, MemberType::name_ja)
                ),
            ),
        },
        Kind::Appointment => match read_appointment(cell) {
            Some(v) => form.acquisition.appointment = Some(v),
            None => bad(
                out,
                "import.choice",
                format!(
                    "{label}「{}」を読み取れません。「常勤」「任期付」「再任用」「その他」のいずれかにしてください。",
                    cell.trim()
                ),
            ),
        },
        Kind::Yen => match read_yen(cell) {
            Some(v) => set_yen(form, id, v),
            None => bad(
                out,
                "input.amount",
                format!("{label}は円単位の整数で入力してください（例: 143,700）。"),
            ),
        },
        Kind::Count => match id {
            "employment.salaryClass" | "employment.salaryStep" => match read_count::<u16>(cell) {
                Some(v) if id == "employment.salaryClass" => form.employment.salary_class = Some(v),
                Some(v) => form.employment.salary_step = Some(v),
                None => bad(
                    out,
                    "input.number",
                    format!("{label}は数字（0以上の整数）で入力してください。"),
                ),
            },
            _ => match read_count::<u32>(cell) {
                Some(v) => form.remuneration.commuting_months = Some(v),
                None => bad(
                    out,
                    "input.number",
                    format!("{label}は数字（0以上の整数）で入力してください。"),
                ),
            },
        },
        // The digits as typed: the domain check says what is wrong, without echoing them.
        Kind::MyNumber => form.member.my_number = Some(MyNumberText::new(cell.trim())),
        Kind::Text => set_text(form, id, opt_text(cell)),
    }
}

fn names<T: Copy>(all: &[T], name: impl Fn(T) -> &'static str) -> String {
    all.iter()
        .map(|v| format!("「{}」", name(*v)))
        .collect::<Vec<_>>()
        .join("")
}

fn set_date(form: &mut AcquisitionForm, id: &str, d: NaiveDate) {
    let slot = match id {
        "member.birthDate" => &mut form.member.birth_date,
        "acquisition.acquiredOn" => &mut form.acquisition.acquired_on,
        "acquisition.termStart" => &mut form.acquisition.term_start,
        "acquisition.termEnd" => &mut form.acquisition.term_end,
        _ => return,
    };
    *slot = Some(d);
}

fn set_yen(form: &mut AcquisitionForm, id: &str, v: i64) {
    let p = &mut form.remuneration;
    let slot = match id {
        "remuneration.salary" => &mut p.salary,
        "remuneration.regionalAllowance" => &mut p.regional_allowance,
        "remuneration.dependantsAllowance" => &mut p.dependants_allowance,
        "remuneration.housingAllowance" => &mut p.housing_allowance,
        "remuneration.commutingAllowance" => &mut p.commuting_allowance,
        "remuneration.projectedOvertime" => &mut p.projected_overtime,
        _ => return,
    };
    *slot = Some(v);
}

fn set_text(form: &mut AcquisitionForm, id: &str, v: Option<String>) {
    let slot = match id {
        "office.code" => &mut form.office.code,
        "office.name" => &mut form.office.name,
        "member.name" => &mut form.member.name,
        "member.nameKana" => &mut form.member.name_kana,
        "member.postalCode" => &mut form.member.postal_code,
        "member.address" => &mut form.member.address,
        "member.basicPensionNumber" => &mut form.member.basic_pension_number,
        "acquisition.reasonDetail" => &mut form.acquisition.reason_detail,
        "acquisition.lateReason" => &mut form.acquisition.late_reason,
        "employment.jobTitle" => &mut form.employment.job_title,
        "employment.salaryTable" => &mut form.employment.salary_table,
        _ => return,
    };
    *slot = v;
}

// ---------------------------------------------------------------------------------------
// Checking rows

/// One row read and checked.
#[derive(Debug, Clone)]
pub struct CheckedRow {
    pub line: u32,
    /// Normalised, ready to save.
    pub form: AcquisitionForm,
    /// Reading problems first, then the domain's findings, then repeats in the file.
    pub findings: Vec<Finding>,
    /// 「短期 第13級 / 厚生年金 第10級」.
    pub grades: String,
}

impl CheckedRow {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(Finding::is_error)
    }

    fn warnings(&self) -> usize {
        self.findings.iter().filter(|f| !f.is_error()).count()
    }
}

/// Reads and checks every row with `mapping`. `office_code` is the office the records
/// are created for: an empty 所属所番号 takes it, another one is an error.
pub fn check_rows(
    file: &CsvFile,
    mapping: &[ColumnMapping],
    office_code: Option<&str>,
    today: NaiveDate,
) -> Vec<CheckedRow> {
    let ctx = CheckContext {
        today,
        received_on: None,
    };
    let columns: Vec<(&'static FieldSpec, usize)> = mapping
        .iter()
        .filter_map(|m| {
            let s = spec(&m.field)?;
            let c = usize::try_from(m.column?).ok()?;
            (c < file.headers.len()).then_some((s, c))
        })
        .collect();
    let office = office_code.map(str::trim).filter(|c| !c.is_empty());
    let mut rows: Vec<CheckedRow> = file.rows
        .iter()
        .map(|row| {
            let mut form = AcquisitionForm::default();
            let mut reading = Vec::new();
            for (s, c) in &columns {
                let cell = row.cells.get(*c).map_or("", String::as_str);
                if cell.contains('\u{FFFD}') {
                    reading.push(Finding::error(
                        s.id,
                        "import.invalid_bytes",
                        format!(
                            "{}に読み取れない文字があります。ファイルの文字コード（UTF-8 または Shift_JIS）と、その文字を確認してください。",
                            s.header
                        ),
                    ));
                    continue;
                }
                set_field(&mut form, s, cell, &mut reading);
            }
            acquisition::normalize(&mut form);
            if let Some(office) = office {
                match form.office.code.as_deref() {
                    None => form.office.code = Some(office.to_string()),
                    Some(code) if code != office => reading.push(Finding::error(
                        "office.code",
                        "import.other_office",
                        format!(
                            "所属所番号が、このPCの所属所（{office}）と違います。自所属の届だけを取り込んでください。"
                        ),
                    )),
                    Some(_) => {}
                }
            }
            let a = acquisition::assess_with(&form, &ctx, RuleSet::builtin(), CheckMode::Submission);
            let grades = a.grades.map_or_else(String::new, |g| match g.pension {
                Some(p) => format!("短期 第{}級 / 厚生年金 第{}級", g.health.grade, p.grade),
                None => format!("短期 第{}級", g.health.grade),
            });
            // A cell that could not be read has left its field empty; the domain's
            // 「入力されていません」 on that field would only repeat it.
            let unreadable: Vec<String> = reading.iter().map(|f| f.field.clone()).collect();
            let mut findings = reading;
            findings.extend(
                a.findings
                    .into_iter()
                    .filter(|f| !(f.code == acquisition::codes::REQUIRED && unreadable.contains(&f.field))),
            );
            CheckedRow {
                line: row.line,
                form,
                findings,
                grades,
            }
        })
        .collect();
    mark_duplicates(&mut rows);
    rows
}

pub(crate) const DUPLICATE_IN_FILE: &str = "import.duplicate_in_file";
pub(crate) const SAME_PERSON_IN_FILE: &str = "import.same_person_in_file";

/// A number compared by its digits only: full-width digits, hyphens and spaces do not
/// hide a repeat. `None` when it has no digits (nothing to compare).
fn number_key(s: &str) -> Option<String> {
    let digits: String = kana::normalize_nfkc(s)
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    (!digits.is_empty()).then_some(digits)
}

/// The same person twice in one file (an HR export run twice, rows pasted twice): every
/// row after the first with the same 基礎年金番号 or 個人番号 gets an error, so it is not
/// imported; the same 氏名 and 生年月日 with other numbers is only a warning (two people
/// can share both). Messages name the first row, never the number itself.
fn mark_duplicates(rows: &mut [CheckedRow]) {
    let mut pension: HashMap<String, u32> = HashMap::new();
    let mut my_number: HashMap<String, u32> = HashMap::new();
    let mut person: HashMap<(String, NaiveDate), u32> = HashMap::new();
    for r in rows.iter_mut() {
        let m = &r.form.member;
        let pension_key = m.basic_pension_number.as_deref().and_then(number_key);
        let my_key = m.my_number.as_ref().and_then(|n| number_key(n.expose()));
        let person_key = m
            .name
            .as_deref()
            .zip(m.birth_date)
            .and_then(|(name, birth)| {
                let name: String = kana::normalize_nfkc(name)
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                (!name.is_empty()).then_some((name, birth))
            });

        let mut same_as: Vec<(u32, &'static str, &'static str)> = Vec::new();
        if let Some(k) = pension_key {
            match pension.get(&k) {
                Some(&first) => same_as.push((first, "member.basicPensionNumber", "基礎年金番号")),
                None => {
                    pension.insert(k, r.line);
                }
            }
        }
        if let Some(k) = my_key {
            match my_number.get(&k) {
                // Both numbers repeat the same row: once is enough.
                Some(&first) if same_as.iter().any(|(line, _, _)| *line == first) => {}
                Some(&first) => same_as.push((first, "member.myNumber", "個人番号")),
                None => {
                    my_number.insert(k, r.line);
                }
            }
        }
        let similar = match person_key {
            Some(k) => match person.get(&k) {
                Some(&first) => Some(first),
                None => {
                    person.insert(k, r.line);
                    None
                }
            },
            None => None,
        };

        for (first, field, what) in &same_as {
            r.findings.push(Finding::error(
                *field,
                DUPLICATE_IN_FILE,
                format!(
                    "{first}行目と同じ{what}です。同じ人を二重に取り込まないよう、どちらかの行を直すか削除してください。"
                ),
            ));
        }
        if let (Some(first), true) = (similar, same_as.is_empty()) {
            r.findings.push(Finding::warning(
                "member.name",
                SAME_PERSON_IN_FILE,
                format!(
                    "{first}行目と氏名・生年月日が同じです。同じ人を二重に取り込んでいないか確かめてください（別の人ならこのままで構いません）。"
                ),
            ));
        }
    }
}

fn label_of(field: &str) -> &'static str {
    spec(field).map_or("", |s| s.header)
}

fn column_of(field: &str, file: &CsvFile, mapping: &[ColumnMapping]) -> Option<String> {
    let c = mapping.iter().find(|m| m.field == field)?.column?;
    file.headers.get(usize::try_from(c).ok()?).cloned()
}

fn finding_dto(f: &Finding, file: &CsvFile, mapping: &[ColumnMapping]) -> ImportFindingDto {
    ImportFindingDto {
        field: f.field.clone(),
        label: label_of(&f.field).to_string(),
        column: column_of(&f.field, file, mapping),
        code: f.code.to_string(),
        severity: match f.severity {
            Severity::Error => SeverityDto::Error,
            Severity::Warning => SeverityDto::Warning,
        },
        message: f.message.clone(),
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn d(v: Option<NaiveDate>) -> String {
    v.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn row_view(r: &CheckedRow, file: &CsvFile, mapping: &[ColumnMapping]) -> ImportRowView {
    let errors = r.findings.iter().filter(|f| f.is_error()).count();
    let warnings = r.warnings();
    let m = &r.form.member;
    ImportRowView {
        line: r.line,
        name: m.name.clone().unwrap_or_default(),
        kana: m.name_kana.clone().unwrap_or_default(),
        birth_date: d(m.birth_date),
        acquired_on: d(r.form.acquisition.acquired_on),
        member_type: r
            .form
            .acquisition
            .member_type
            .map(|t| t.name_ja().to_string())
            .unwrap_or_default(),
        grades: r.grades.clone(),
        status: if errors > 0 {
            "error"
        } else if warnings > 0 {
            "warning"
        } else {
            "ok"
        }
        .to_string(),
        errors: count(errors),
        warnings: count(warnings),
        findings: r
            .findings
            .iter()
            .map(|f| finding_dto(f, file, mapping))
            .collect(),
    }
}

fn preview_of(
    session: &str,
    file_name: &str,
    file: &CsvFile,
    mapping: &[ColumnMapping],
    rows: &[CheckedRow],
    office_code: Option<String>,
) -> ImportPreview {
    let used: Vec<usize> = mapping
        .iter()
        .filter_map(|m| m.column.and_then(|c| usize::try_from(c).ok()))
        .collect();
    let with_errors = rows.iter().filter(|r| r.has_errors()).count();
    let with_warnings = rows
        .iter()
        .filter(|r| !r.has_errors() && r.warnings() > 0)
        .count();
    ImportPreview {
        session: session.to_string(),
        file_name: file_name.to_string(),
        encoding: file.encoding,
        encoding_label: file.encoding.label().to_string(),
        headers: file.headers.clone(),
        fields: fields(),
        mapping: mapping.to_vec(),
        unmapped_headers: file
            .headers
            .iter()
            .enumerate()
            .filter(|(i, h)| !used.contains(i) && !h.is_empty())
            .map(|(_, h)| h.clone())
            .collect(),
        rows: rows.iter().map(|r| row_view(r, file, mapping)).collect(),
        total: count(rows.len()),
        importable: count(rows.len() - with_errors),
        with_warnings: count(with_warnings),
        with_errors: count(with_errors),
        office_code,
    }
}

/// Refuses a mapping that names an unknown field, a column the file does not have, or
/// one column for two fields.
fn validate_mapping(
    file: &CsvFile,
    mapping: &[ColumnMapping],
) -> Result<Vec<ColumnMapping>, AppError> {
    let mut seen: Vec<u32> = Vec::new();
    let mut out = Vec::with_capacity(FIELDS.len());
    for s in FIELDS {
        let column = mapping
            .iter()
            .find(|m| m.field == s.id)
            .and_then(|m| m.column);
        if let Some(c) = column {
            if usize::try_from(c).map_or(true, |c| c >= file.headers.len()) {
                return Err(AppError::new(
                    "import.bad_mapping",
                    format!(
                        "「{}」に選んだ列がファイルにありません。列を選び直してください。",
                        s.header
                    ),
                ));
            }
            if seen.contains(&c) {
                return Err(AppError::new(
                    "import.bad_mapping",
                    format!(
                        "列「{}」が2つの項目に割り当てられています。1つの列は1つの項目にだけ割り当ててください。",
                        file.headers.get(usize::try_from(c).unwrap_or(0)).map_or("", String::as_str)
                    ),
                ));
            }
            seen.push(c);
        }
        out.push(ColumnMapping {
            field: s.id.to_string(),
            column,
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Importing

/// The body `save` writes: the form's JSON with its acknowledgement log (empty).
#[derive(Serialize)]
struct Body<'a> {
    #[serde(flatten)]
    form: &'a AcquisitionForm,
    #[serde(rename = "acknowledgementLog")]
    log: &'a [acquisitions::AckLogEntry],
}

/// The records of the rows without errors, as `save` writes them.
pub fn new_records(
    rows: &[CheckedRow],
    office_code: &str,
) -> Result<Vec<NewLocalRecord>, AppError> {
    rows.iter()
        .filter(|r| !r.has_errors())
        .map(|r| {
            let body = serde_json::value::to_raw_value(&Body {
                form: &r.form,
                log: &[],
            })
            .map_err(|e| AppError::internal("acquisition json", &e))?;
            Ok(NewLocalRecord {
                office_code: office_code.to_string(),
                title: acquisitions::title_for(&r.form),
                body,
            })
        })
        .collect()
}

/// Imports the rows without errors into `store` in one transaction. `progress(done,
/// total)` is called every 200 rows; `cancel` set stops the import with nothing written.
pub fn import_rows(
    store: &mut Store,
    rows: &[CheckedRow],
    office_code: Option<&str>,
    progress: &mut dyn FnMut(u32, u32),
    cancel: &AtomicBool,
) -> Result<ImportResult, AppError> {
    let office = office_code
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| {
            AppError::new(
                "acquisition.office_unknown",
                "所属所が分かりません。サインインするか、「設定」で所属所番号を入力してください。",
            )
        })?;
    let records = new_records(rows, office)?;
    let rejected = count(rows.iter().filter(|r| r.has_errors()).count());
    let with_warnings = count(
        rows.iter()
            .filter(|r| !r.has_errors() && r.warnings() > 0)
            .count(),
    );
    let total = count(records.len());
    if records.is_empty() {
        return Err(AppError::new(
            "import.nothing_to_import",
            "取り込める行がありません。エラー一覧を保存して、元のファイルを直してください。",
        ));
    }
    progress(0, total);
    let out = store
        .sync()
        .records_create_local_many(KIND, &records, 200, &mut |done| {
            progress(count(done), total);
            !cancel.load(Ordering::SeqCst)
        });
    match out {
        Ok(BulkCreate::Created(ids)) => {
            tracing::info!(imported = ids.len(), rejected, "acquisitions imported");
            Ok(ImportResult {
                imported: count(ids.len()),
                with_warnings,
                rejected,
                cancelled: false,
            })
        }
        Ok(BulkCreate::Cancelled { after }) => {
            tracing::info!(after, "acquisition import cancelled");
            Ok(ImportResult {
                imported: 0,
                with_warnings: 0,
                rejected,
                cancelled: true,
            })
        }
        Err(e) => {
            tracing::warn!(code = e.code(), "acquisition import rolled back");
            Err(AppError::new(
                "import.failed",
                format!("取込みに失敗したため、1件も取り込んでいません（{e}）"),
            ))
        }
    }
}

// ---------------------------------------------------------------------------------------
// The error report

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The rejected rows (those with errors) as CSV, UTF-8 with a BOM so that Excel reads it:
/// 行番号, 氏名, 項目, 列名, 区分, 内容, コード — one line per finding. No 個人番号 (no
/// cell value is copied, and no message carries one).
pub fn error_report_csv(file: &CsvFile, mapping: &[ColumnMapping], rows: &[CheckedRow]) -> String {
    let mut out = String::from("\u{FEFF}行番号,氏名,項目,列名,区分,内容,コード\r\n");
    for r in rows.iter().filter(|r| r.has_errors()) {
        let name = r.form.member.name.clone().unwrap_or_default();
        for f in &r.findings {
            let cells = [
                r.line.to_string(),
                name.clone(),
                label_of(&f.field).to_string(),
                column_of(&f.field, file, mapping).unwrap_or_default(),
                if f.is_error() { "誤り" } else { "警告" }.to_string(),
                f.message.clone(),
                f.code.to_string(),
            ];
            let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
            out.push_str(&line.join(","));
            out.push_str("\r\n");
        }
    }
    out
}

/// 資格取得届_取込エラー_YYYYMMDD_HHMMSS.csv (Japan time).
pub fn report_file_name(now: DateTime<Utc>) -> String {
    format!(
        "資格取得届_取込エラー_{}.csv",
        kyosai_domain::approval::jst(now).format("%Y%m%d_%H%M%S")
    )
}

// ---------------------------------------------------------------------------------------
// Sessions: the file stays in Rust between preview, mapping changes, import and report.

#[derive(Debug)]
struct Session {
    file_name: String,
    file: CsvFile,
    mapping: Vec<ColumnMapping>,
    rows: Arc<Vec<CheckedRow>>,
    office_code: Option<String>,
    cancel: Arc<AtomicBool>,
    busy: Arc<AtomicBool>,
}

/// The open imports of the app (one per page that has a file loaded).
#[derive(Debug, Default)]
pub struct ImportSessions {
    sessions: Mutex<HashMap<String, Session>>,
}

fn no_session() -> AppError {
    AppError::new(
        "import.no_session",
        "取込み中のファイルが見つかりません。ファイルを選び直してください。",
    )
}

fn busy() -> AppError {
    AppError::new(
        "import.busy",
        "取込みの処理中です。終わるまでお待ちください。",
    )
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::internal("import task", &e))
}

impl ImportSessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Reads a file, maps its columns by name and checks every row.
    pub async fn open(
        self: &Arc<Self>,
        file_name: String,
        bytes: Vec<u8>,
        encoding: Option<Encoding>,
        office_code: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<ImportPreview, AppError> {
        let today = today_jst(now);
        let this = Arc::clone(self);
        blocking(move || {
            let file = read_csv(&bytes, encoding)?;
            let mapping = default_mapping(&file.headers);
            let rows = check_rows(&file, &mapping, office_code.as_deref(), today);
            let id = uuid::Uuid::new_v4().to_string();
            let preview = preview_of(&id, &file_name, &file, &mapping, &rows, office_code.clone());
            tracing::info!(
                rows = rows.len(),
                encoding = file.encoding.id(),
                "import file read"
            );
            this.lock().insert(
                id,
                Session {
                    file_name,
                    file,
                    mapping,
                    rows: Arc::new(rows),
                    office_code,
                    cancel: Arc::new(AtomicBool::new(false)),
                    busy: Arc::new(AtomicBool::new(false)),
                },
            );
            Ok(preview)
        })
        .await?
    }

    /// Checks every row again with another mapping.
    pub async fn remap(
        self: &Arc<Self>,
        session: String,
        mapping: Vec<ColumnMapping>,
        now: DateTime<Utc>,
    ) -> Result<ImportPreview, AppError> {
        let today = today_jst(now);
        let this = Arc::clone(self);
        blocking(move || {
            let mut sessions = this.lock();
            let s = sessions.get_mut(&session).ok_or_else(no_session)?;
            if s.busy.load(Ordering::SeqCst) {
                return Err(busy());
            }
            let mapping = validate_mapping(&s.file, &mapping)?;
            let rows = check_rows(&s.file, &mapping, s.office_code.as_deref(), today);
            s.mapping = mapping;
            s.rows = Arc::new(rows);
            Ok(preview_of(
                &session,
                &s.file_name,
                &s.file,
                &s.mapping,
                &s.rows,
                s.office_code.clone(),
            ))
        })
        .await?
    }

    /// Imports the rows without errors; `progress` is called from the worker thread.
    pub async fn import(
        self: &Arc<Self>,
        store: &SharedStore,
        session: String,
        progress: impl FnMut(ImportProgress) + Send + 'static,
    ) -> Result<ImportResult, AppError> {
        let (rows, office, cancel, busy_flag) = {
            let sessions = self.lock();
            let s = sessions.get(&session).ok_or_else(no_session)?;
            if s.busy.swap(true, Ordering::SeqCst) {
                return Err(busy());
            }
            s.cancel.store(false, Ordering::SeqCst);
            (
                Arc::clone(&s.rows),
                s.office_code.clone(),
                Arc::clone(&s.cancel),
                Arc::clone(&s.busy),
            )
        };
        let mut progress = progress;
        let id = session.clone();
        let out = with_store(store, move |st| {
            import_rows(
                st,
                &rows,
                office.as_deref(),
                &mut |done, total| {
                    progress(ImportProgress {
                        session: id.clone(),
                        done,
                        total,
                    });
                },
                &cancel,
            )
        })
        .await;
        busy_flag.store(false, Ordering::SeqCst);
        out
    }

    /// Asks a running import to stop (it then writes nothing).
    pub fn cancel(&self, session: &str) -> Result<(), AppError> {
        let sessions = self.lock();
        let s = sessions.get(session).ok_or_else(no_session)?;
        s.cancel.store(true, Ordering::SeqCst);
        Ok(())
    }

    /// Writes the error report into `dir` (the download folder) and returns its path.
    pub async fn save_report(
        self: &Arc<Self>,
        session: String,
        dir: std::path::PathBuf,
    ) -> Result<String, AppError> {
        let this = Arc::clone(self);
        blocking(move || {
            let text = {
                let sessions = this.lock();
                let s = sessions.get(&session).ok_or_else(no_session)?;
                error_report_csv(&s.file, &s.mapping, &s.rows)
            };
            let path = dir.join(report_file_name(Utc::now()));
            std::fs::create_dir_all(&dir)
                .and_then(|_| std::fs::write(&path, text.as_bytes()))
                .map_err(|e| {
                    AppError::new(
                        "import.report_write",
                        format!("エラー一覧を保存できませんでした（{e}）。ダウンロードフォルダの空き容量と権限を確認してください。"),
                    )
                })?;
            Ok(path.display().to_string())
        })
        .await?
    }

    /// Forgets a file (the page closed or a new file was chosen).
    pub fn close(&self, session: &str) {
        self.lock().remove(session);
    }
}

#[cfg(test)]
mod tests;
