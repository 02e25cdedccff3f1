#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The CSV import against real files built here and a real SQLite store.

use std::sync::atomic::AtomicBool;

use chrono::TimeZone;

use super::*;

const OFFICE: &str = "13104";
const HEADER: &str = "所属所番号,所属所名,氏名,フリガナ,生年月日,性別,郵便番号,住所,個人番号,基礎年金番号,資格取得年月日,取得事由,取得事由の内容,組合員種別,任用,任期開始日,任期終了日,遅延理由,職名,給料表,級,号給,給料月額,地域手当,扶養手当,住居手当,通勤手当,通勤手当の月数,時間外勤務手当見込額";

/// 2024-04-03 in Japan.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 4, 3).unwrap()
}

/// 2024-04-03 10:00 in Japan.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 4, 3, 1, 0, 0).unwrap()
}

fn row(name: &str, kana: &str, birth: &str, sex: &str, my_number: &str) -> String {
    // Without a 個人番号, the 基礎年金番号 identifies the member.
    let pension = if my_number.is_empty() {
        "1234-567890"
    } else {
        ""
    };
    format!(
        "{OFFICE},中央区役所,{name},{kana},{birth},{sex},104-8404,東京都中央区築地一丁目1番1号,{my_number},{pension},令和6年4月1日,新規採用,,一般組合員,常勤,,,,主事,行政職給料表（一）,1,25,\"143,700\",,,,14000,,"
    )
}

fn good_rows() -> Vec<String> {
    vec![
        row(
            "山田　太郎",
            "ヤマダ　タロウ",
            "H13.7.14",
            "男",
            "123456789018",
        ),
        row("佐藤　花子", "さとう　はなこ", "2002-01-05", "女", ""),
    ]
}

fn csv_text(rows: &[String]) -> String {
    let mut s = String::from(HEADER);
    for r in rows {
        s.push_str("\r\n");
        s.push_str(r);
    }
    s.push_str("\r\n");
    s
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("kyosai.sqlite3")).unwrap();
    (dir, store)
}

fn checked(bytes: &[u8]) -> (CsvFile, Vec<ColumnMapping>, Vec<CheckedRow>) {
    let file = read_csv(bytes, None).unwrap();
    let mapping = default_mapping(&file.headers);
    let rows = check_rows(&file, &mapping, Some(OFFICE), today());
    (file, mapping, rows)
}

fn codes(r: &CheckedRow) -> Vec<&'static str> {
    r.findings.iter().map(|f| f.code).collect()
}

#[test]
fn utf8_with_bom_imports_valid_rows_as_drafts() {
    let mut rows = good_rows();
    // 平成31年5月1日 is 令和元年; 性別 is unreadable: not imported.
    rows.push(row(
        "鈴木　一郎",
        "スズキ　イチロウ",
        "平成31年5月1日",
        "不明",
        "",
    ));
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(csv_text(&rows).as_bytes());
    let (file, mapping, checked) = checked(&bytes);
    assert_eq!(file.encoding, Encoding::Utf8Bom);
    assert_eq!(
        file.headers[0], "所属所番号",
        "the BOM is not part of the header"
    );
    assert!(mapping.iter().all(|m| m.column.is_some()), "{mapping:?}");
    assert_eq!(checked.len(), 3);
    assert!(!checked[0].has_errors(), "{:?}", checked[0].findings);
    assert!(!checked[1].has_errors(), "{:?}", checked[1].findings);
    assert_eq!(
        checked[0].form.member.birth_date,
        NaiveDate::from_ymd_opt(2001, 7, 14)
    );
    assert_eq!(
        checked[1].form.member.name_kana.as_deref(),
        Some("サトウ　ハナコ")
    );
    assert_eq!(checked[0].grades, "短期 第13級 / 厚生年金 第10級");
    let bad = &checked[2];
    assert_eq!(bad.line, 4);
    assert!(
        codes(bad).contains(&"wareki.outside_era"),
        "{:?}",
        codes(bad)
    );
    assert!(codes(bad).contains(&"import.choice"));
    // The unreadable cells are not reported a second time as missing.
    assert!(!bad
        .findings
        .iter()
        .any(|f| f.field == "member.sex" && f.code == acquisition::codes::REQUIRED));

    let preview = preview_of("s", "a.csv", &file, &mapping, &checked, Some(OFFICE.into()));
    assert_eq!(
        (preview.total, preview.importable, preview.with_errors),
        (3, 2, 1)
    );
    assert_eq!(preview.encoding_label, "UTF-8（BOM付き）");
    assert_eq!(preview.rows[2].status, "error");
    let json = serde_json::to_string(&preview).unwrap();
    assert!(!json.contains("123456789018"), "no 個人番号 in the preview");

    let (_dir, mut store) = store();
    let mut seen = Vec::new();
    let result = import_rows(
        &mut store,
        &checked,
        Some(OFFICE),
        &mut |done, total| seen.push((done, total)),
        &AtomicBool::new(false),
    )
    .unwrap();
    assert_eq!(result.imported, 2);
    assert_eq!(result.rejected, 1);
    assert!(!result.cancelled);
    assert_eq!(seen.first(), Some(&(0, 2)));
    assert_eq!(seen.last(), Some(&(2, 2)));

    let now = now();
    let list = acquisitions::list_of(&mut store, now).unwrap();
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|i| i.stage == "draft"));
    assert!(list
        .iter()
        .all(|i| i.sync_label.as_deref() == Some("未送信")));
    let yamada = list.iter().find(|i| i.member_name == "山田　太郎").unwrap();
    assert_eq!(yamada.office_code, OFFICE);
    // The editor opens it like any saved draft; the stored 個人番号 is masked.
    let view = acquisitions::get_on(&mut store, &yamada.id, now).unwrap();
    assert_eq!(view.my_number_masked.as_deref(), Some("●●●● ●●●● 9018"));
    assert_eq!(view.assessment.errors, 0);
    assert!(view.can_edit);
}

#[test]
fn shift_jis_is_detected_and_bad_bytes_are_reported_on_their_row() {
    let mut rows = good_rows();
    rows[1] = row("髙橋　花子", "タカハシ　ハナコ", "令和元年5月1日", "女", "");
    let text = csv_text(&rows);
    let (sjis, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&text);
    assert!(!unmappable);
    let mut bytes = sjis.into_owned();
    // A third row whose 氏名 holds a byte Shift_JIS does not have.
    bytes
        .extend_from_slice(b"13104,\x92\x86\x89\x9b\x8b\xe6\x96\xf0\x8f\x8a,\xA0\x8e\x52\x93\x63,");
    bytes.extend_from_slice(b"\r\n");
    let (file, _, checked) = checked(&bytes);
    assert_eq!(file.encoding, Encoding::ShiftJis);
    assert_eq!(checked.len(), 3);
    assert_eq!(checked[1].form.member.name.as_deref(), Some("髙橋　花子"));
    assert!(!checked[0].has_errors(), "{:?}", checked[0].findings);
    let bad = &checked[2];
    assert_eq!(bad.line, 4);
    let f = bad
        .findings
        .iter()
        .find(|f| f.code == "import.invalid_bytes")
        .expect("the bad byte is reported");
    assert_eq!(f.field, "member.name");
    assert!(bad.has_errors());
}

#[test]
fn a_mapping_change_rechecks_every_row() {
    let text = "職員氏名,カナ,誕生日,性別,郵便番号,住所,マイナンバー,採用日,事由,種別,任用形態,職名,給料表,級,号給,給料,通勤手当,所属名\n\
                山田　太郎,ヤマダ　タロウ,2001/7/14,1,104-8404,東京都中央区築地一丁目1番1号,123456789018,2024/4/1,新規採用,一般,常勤,主事,行政職給料表（一）,1,25,143700,14000,中央区役所\n";
    let file = read_csv(text.as_bytes(), None).unwrap();
    assert_eq!(file.encoding, Encoding::Utf8);
    let mapping = default_mapping(&file.headers);
    let birth = mapping
        .iter()
        .find(|m| m.field == "member.birthDate")
        .unwrap();
    assert_eq!(birth.column, None, "誕生日 is not a known column name");
    let rows = check_rows(&file, &mapping, Some(OFFICE), today());
    assert!(rows[0]
        .findings
        .iter()
        .any(|f| f.field == "member.birthDate" && f.code == acquisition::codes::REQUIRED));
    // The office comes from this PC when the file has no 所属所番号.
    assert_eq!(rows[0].form.office.code.as_deref(), Some(OFFICE));

    let mut changed = mapping.clone();
    for m in &mut changed {
        if m.field == "member.birthDate" {
            m.column = Some(2);
        }
    }
    let changed = validate_mapping(&file, &changed).unwrap();
    let rows = check_rows(&file, &changed, Some(OFFICE), today());
    assert!(!rows[0].has_errors(), "{:?}", rows[0].findings);

    // One column for two fields, or a column the file lacks, is refused.
    let mut twice = changed.clone();
    twice[0].column = Some(0);
    twice[2].column = Some(0);
    assert_eq!(
        validate_mapping(&file, &twice).unwrap_err().code,
        "import.bad_mapping"
    );
    let mut missing = changed;
    missing[0].column = Some(99);
    assert_eq!(
        validate_mapping(&file, &missing).unwrap_err().code,
        "import.bad_mapping"
    );
}

#[test]
fn a_row_of_another_office_is_an_error() {
    let mut rows = good_rows();
    rows[0] = rows[0].replacen(OFFICE, "13105", 1);
    let (_, _, checked) = checked(csv_text(&rows).as_bytes());
    assert!(codes(&checked[0]).contains(&"import.other_office"));
    assert!(!checked[1].has_errors());
}

#[test]
fn a_failure_rolls_back_and_says_why() {
    let (_, _, checked) = checked(csv_text(&good_rows()).as_bytes());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kyosai.sqlite3");
    let mut store = Store::open(&path).unwrap();
    let conn = rusqlite_conn(&path);
    conn.execute_batch(
        "CREATE TRIGGER full_disk BEFORE INSERT ON records
         WHEN (SELECT count(*) FROM records) >= 1
         BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;",
    )
    .unwrap();
    drop(conn);
    let err = import_rows(
        &mut store,
        &checked,
        Some(OFFICE),
        &mut |_, _| {},
        &AtomicBool::new(false),
    )
    .unwrap_err();
    assert_eq!(err.code, "import.failed");
    assert!(
        err.message.contains("1件も取り込んでいません"),
        "{}",
        err.message
    );
    assert_eq!(store.sync().record_count().unwrap(), 0);
    assert!(store.sync().pending_commands(10).unwrap().is_empty());
}

/// A second connection to the store's file (to fill the disk with a trigger).
fn rusqlite_conn(path: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

#[test]
fn cancel_imports_nothing() {
    let (_, _, checked) = checked(csv_text(&good_rows()).as_bytes());
    let (_dir, mut store) = store();
    let result = import_rows(
        &mut store,
        &checked,
        Some(OFFICE),
        &mut |_, _| {},
        &AtomicBool::new(true),
    )
    .unwrap();
    assert!(result.cancelled);
    assert_eq!(result.imported, 0);
    assert_eq!(store.sync().record_count().unwrap(), 0);
}

#[test]
fn without_an_office_nothing_is_imported() {
    let (_, _, checked) = checked(csv_text(&good_rows()).as_bytes());
    let (_dir, mut store) = store();
    let err = import_rows(
        &mut store,
        &checked,
        None,
        &mut |_, _| {},
        &AtomicBool::new(false),
    )
    .unwrap_err();
    assert_eq!(err.code, "acquisition.office_unknown");
}

#[test]
fn the_error_report_lists_rejected_rows_without_personal_numbers() {
    let mut rows = good_rows();
    // A wrong check digit: the row is rejected, and its number must not leak.
    rows.push(row(
        "鈴木　一郎",
        "スズキ　イチロウ",
        "2000-02-30",
        "男",
        "123456789012",
    ));
    let (file, mapping, checked) = checked(csv_text(&rows).as_bytes());
    let report = error_report_csv(&file, &mapping, &checked);
    assert!(report.starts_with('\u{FEFF}'));
    let lines: Vec<&str> = report.trim_start_matches('\u{FEFF}').lines().collect();
    assert_eq!(lines[0], "行番号,氏名,項目,列名,区分,内容,コード");
    assert!(lines.len() >= 3, "{report}");
    assert!(
        lines[1..].iter().all(|l| l.starts_with("4,鈴木　一郎,")),
        "{report}"
    );
    assert!(report.contains(",生年月日,生年月日,誤り,"), "{report}");
    assert!(report.contains(",個人番号,個人番号,誤り,"), "{report}");
    assert!(!report.contains("123456789012"));
    assert!(!report.contains("9012"), "not even the last digits");
}

#[test]
fn an_empty_or_single_column_file_is_refused() {
    assert_eq!(read_csv(b"", None).unwrap_err().code, "import.unreadable");
    assert_eq!(
        read_csv(b"abc\n1\n", None).unwrap_err().code,
        "import.unreadable"
    );
    assert_eq!(
        read_csv("氏名,フリガナ\n\"山田,ヤマダ\n".as_bytes(), None)
            .map(|f| f.rows.len())
            .unwrap_or(0),
        1,
        "an unclosed quote swallows the rest of the file into one row"
    );
}

#[tokio::test]
async fn a_session_reads_remaps_imports_and_saves_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let store: SharedStore = Arc::new(Mutex::new(
        Store::open(&dir.path().join("kyosai.sqlite3")).unwrap(),
    ));
    let sessions = Arc::new(ImportSessions::default());
    let mut rows = good_rows();
    rows.push(row("鈴木　一郎", "スズキ　イチロウ", "不明", "男", ""));
    let text = csv_text(&rows);
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
    let preview = sessions
        .open(
            "4月採用.csv".into(),
            sjis.into_owned(),
            None,
            Some(OFFICE.into()),
            now(),
        )
        .await
        .unwrap();
    assert_eq!(preview.encoding, Encoding::ShiftJis);
    assert_eq!((preview.total, preview.importable), (3, 2));
    // Unmapping 性別 makes every row miss it.
    let mut mapping = preview.mapping.clone();
    mapping
        .iter_mut()
        .find(|m| m.field == "member.sex")
        .unwrap()
        .column = None;
    let remapped = sessions
        .remap(preview.session.clone(), mapping, now())
        .await
        .unwrap();
    assert_eq!(remapped.importable, 0);
    assert!(remapped.unmapped_headers.contains(&"性別".to_string()));
    let back = sessions
        .remap(preview.session.clone(), preview.mapping.clone(), now())
        .await
        .unwrap();
    assert_eq!(back.importable, 2);
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let result = sessions
        .import(&store, preview.session.clone(), move |p| {
            sink.lock().unwrap().push(p);
        })
        .await
        .unwrap();
    assert_eq!(result.imported, 2);
    assert_eq!(events.lock().unwrap().last().unwrap().done, 2);
    let path = sessions
        .save_report(preview.session.clone(), dir.path().join("dl"))
        .await
        .unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("4,鈴木　一郎,生年月日"));
    assert!(path.contains("資格取得届_取込エラー_"));
    sessions.close(&preview.session);
    assert_eq!(
        sessions.cancel(&preview.session).unwrap_err().code,
        "import.no_session"
    );
}

/// A row with both numbers given as the HR system wrote them (either may be empty).
fn person_row(name: &str, kana: &str, birth: &str, my_number: &str, pension: &str) -> String {
    format!(
        "{OFFICE},中央区役所,{name},{kana},{birth},男,104-8404,東京都中央区築地一丁目1番1号,{my_number},{pension},令和6年4月1日,新規採用,,一般組合員,常勤,,,,主事,行政職給料表（一）,1,25,\"143,700\",,,,14000,,"
    )
}

fn findings_with<'a>(r: &'a CheckedRow, code: &str) -> Vec<&'a Finding> {
    r.findings.iter().filter(|f| f.code == code).collect()
}

#[test]
fn a_repeated_basic_pension_number_is_an_error_naming_the_first_row() {
    let rows = vec![
        person_row(
            "山田　太郎",
            "ヤマダ　タロウ",
            "2001-07-14",
            "",
            "1234-567890",
        ),
        person_row(
            "佐藤　花子",
            "サトウ　ハナコ",
            "2002-01-05",
            "",
            "2345-678901",
        ),
        // Full-width digits, no hyphen: still the same number as line 2.
        person_row(
            "山田　太朗",
            "ヤマダ　タロウ",
            "2001-07-15",
            "",
            "１２３４５６７８９０",
        ),
        person_row(
            "中村　次郎",
            "ナカムラ　ジロウ",
            "2000-05-02",
            "",
            "2345678901",
        ),
    ];
    let (file, mapping, checked) = checked(csv_text(&rows).as_bytes());
    assert!(!checked[0].has_errors(), "{:?}", checked[0].findings);
    assert!(!checked[1].has_errors(), "{:?}", checked[1].findings);
    let dup = findings_with(&checked[2], DUPLICATE_IN_FILE);
    assert_eq!(dup.len(), 1, "{:?}", checked[2].findings);
    assert_eq!(dup[0].field, "member.basicPensionNumber");
    assert!(dup[0].is_error());
    assert_eq!(
        dup[0].message,
        "2行目と同じ基礎年金番号です。同じ人を二重に取り込まないよう、どちらかの行を直すか削除してください。"
    );
    assert_eq!(
        findings_with(&checked[3], DUPLICATE_IN_FILE)[0].message,
        "3行目と同じ基礎年金番号です。同じ人を二重に取り込まないよう、どちらかの行を直すか削除してください。"
    );

    // The preview shows it like any finding; only the first two rows are imported.
    let preview = preview_of("s", "a.csv", &file, &mapping, &checked, Some(OFFICE.into()));
    assert_eq!(
        (preview.total, preview.importable, preview.with_errors),
        (4, 2, 2)
    );
    assert_eq!(preview.rows[2].status, "error");
    let shown = &preview.rows[2].findings[0];
    assert_eq!(
        (shown.code.as_str(), shown.label.as_str()),
        (DUPLICATE_IN_FILE, "基礎年金番号")
    );
    assert_eq!(shown.column.as_deref(), Some("基礎年金番号"));
    let records = new_records(&checked, OFFICE).unwrap();
    assert_eq!(records.len(), 2);
    let report = error_report_csv(&file, &mapping, &checked);
    assert!(
        report
            .contains("4,山田　太朗,基礎年金番号,基礎年金番号,誤り,2行目と同じ基礎年金番号です。"),
        "{report}"
    );
}

#[test]
fn a_repeated_personal_number_is_an_error_that_never_shows_the_number() {
    let rows = vec![
        person_row(
            "山田　太郎",
            "ヤマダ　タロウ",
            "2001-07-14",
            "123456789018",
            "",
        ),
        person_row(
            "佐藤　花子",
            "サトウ　ハナコ",
            "2002-01-05",
            "",
            "2345-678901",
        ),
        // Spaces and full-width digits: the same 個人番号 as line 2.
        person_row(
            "山田　一郎",
            "ヤマダ　イチロウ",
            "1999-03-03",
            "１２３４ ５６７８ ９０１８",
            "",
        ),
    ];
    let (file, mapping, checked) = checked(csv_text(&rows).as_bytes());
    assert!(!checked[0].has_errors(), "{:?}", checked[0].findings);
    let dup = findings_with(&checked[2], DUPLICATE_IN_FILE);
    assert_eq!(dup.len(), 1, "{:?}", checked[2].findings);
    assert_eq!(dup[0].field, "member.myNumber");
    assert_eq!(
        dup[0].message,
        "2行目と同じ個人番号です。同じ人を二重に取り込まないよう、どちらかの行を直すか削除してください。"
    );
    let preview = preview_of("s", "a.csv", &file, &mapping, &checked, Some(OFFICE.into()));
    assert_eq!((preview.importable, preview.with_errors), (2, 1));
    let json = serde_json::to_string(&preview).unwrap();
    assert!(
        !json.contains("9018"),
        "no part of the 個人番号 in the preview"
    );
    let report = error_report_csv(&file, &mapping, &checked);
    assert!(report.contains("2行目と同じ個人番号です"), "{report}");
    assert!(
        !report.contains("9018") && !report.contains("９０１８"),
        "{report}"
    );
}

#[test]
fn both_numbers_repeating_one_row_are_reported_once() {
    let rows = vec![
        person_row(
            "山田　太郎",
            "ヤマダ　タロウ",
            "2001-07-14",
            "123456789018",
            "1234-567890",
        ),
        person_row(
            "山田　太郎",
            "ヤマダ　タロウ",
            "2001-07-14",
            "123456789018",
            "1234-567890",
        ),
    ];
    let (_, _, checked) = checked(csv_text(&rows).as_bytes());
    assert!(findings_with(&checked[0], DUPLICATE_IN_FILE).is_empty());
    let dup = findings_with(&checked[1], DUPLICATE_IN_FILE);
    assert_eq!(dup.len(), 1, "{:?}", checked[1].findings);
    assert!(dup[0].message.starts_with("2行目と同じ基礎年金番号です。"));
    // Same numbers already say it: no extra 氏名・生年月日 warning.
    assert!(findings_with(&checked[1], SAME_PERSON_IN_FILE).is_empty());
}

#[test]
fn the_same_name_and_birth_date_with_other_numbers_is_only_a_warning() {
    let rows = vec![
        person_row(
            "山田　太郎",
            "ヤマダ　タロウ",
            "2001-07-14",
            "",
            "1234-567890",
        ),
        // Half-width space, 和暦: the same name and date as line 2.
        person_row(
            "山田 太郎",
            "ヤマダ　タロウ",
            "平成13年7月14日",
            "",
            "2345-678901",
        ),
        person_row(
            "山田　太郎",
            "ヤマダ　タロウ",
            "2001-07-15",
            "",
            "3456-789012",
        ),
    ];
    let (file, mapping, checked) = checked(csv_text(&rows).as_bytes());
    assert!(checked.iter().all(|r| !r.has_errors()), "{checked:?}");
    assert!(findings_with(&checked[0], SAME_PERSON_IN_FILE).is_empty());
    let similar = findings_with(&checked[1], SAME_PERSON_IN_FILE);
    assert_eq!(similar.len(), 1, "{:?}", checked[1].findings);
    assert_eq!(similar[0].field, "member.name");
    assert!(!similar[0].is_error());
    assert!(
        similar[0]
            .message
            .starts_with("2行目と氏名・生年月日が同じです。"),
        "{}",
        similar[0].message
    );
    assert!(
        findings_with(&checked[2], SAME_PERSON_IN_FILE).is_empty(),
        "another birth date"
    );
    let preview = preview_of("s", "a.csv", &file, &mapping, &checked, Some(OFFICE.into()));
    assert_eq!(preview.importable, 3);
    assert_eq!(preview.rows[1].status, "warning");
}

#[test]
fn rows_without_numbers_are_not_duplicates_of_each_other() {
    let rows = vec![
        person_row("山田　太郎", "ヤマダ　タロウ", "2001-07-14", "", ""),
        person_row("佐藤　花子", "サトウ　ハナコ", "2002-01-05", "", ""),
    ];
    let (_, _, checked) = checked(csv_text(&rows).as_bytes());
    for r in &checked {
        assert!(
            findings_with(r, DUPLICATE_IN_FILE).is_empty(),
            "{:?}",
            r.findings
        );
        assert!(findings_with(r, SAME_PERSON_IN_FILE).is_empty());
    }
}
