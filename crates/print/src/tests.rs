#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::process::Command;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use kyosai_domain::acquisition::workflow::Role;
use kyosai_domain::approval::{self as appr, Position};

use super::*;

fn fonts() -> &'static Fonts {
    Fonts::builtin().expect("the built-in BIZ UDGothic parses")
}

/// The text poppler reads back from the PDF (poppler-utils is installed by scripts/test).
fn pdftotext(pdf: &[u8]) -> String {
    pdftotext_mode(pdf, "-layout")
}

/// In content-stream order, whitespace removed (poppler puts each glyph of rotated text
/// such as the watermark on a line of its own).
fn pdftotext_raw(pdf: &[u8]) -> String {
    pdftotext_mode(pdf, "-raw").split_whitespace().collect()
}

fn pdftotext_mode(pdf: &[u8], mode: &str) -> String {
    let dir = std::env::temp_dir().join(format!("kyosai-print-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}.pdf", uuid_like()));
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args([mode, path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_file(&path);
    String::from_utf8(out.stdout).unwrap()
}

/// `KYOSAI_PRINT_SAMPLES=DIR cargo test -p kyosai-print` keeps the PDFs to look at.
fn keep(name: &str, pdf: &[u8]) {
    if let Some(dir) = std::env::var_os("KYOSAI_PRINT_SAMPLES") {
        std::fs::write(std::path::Path::new(&dir).join(name), pdf).unwrap();
    }
}

fn pages(pdf: &[u8]) -> usize {
    let text = pdftotext(pdf);
    text.matches('\u{c}').count().max(1)
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!("{}", N.fetch_add(1, Ordering::Relaxed))
}

fn user(
    id: &str,
    roles: &[Role],
    positions: &[Position],
    office: Option<&str>,
) -> appr::ApprovalActor {
    appr::ApprovalActor {
        user_id: id.into(),
        roles: roles.to_vec(),
        positions: positions.to_vec(),
        office_code: office.map(str::to_string),
    }
}

fn names(id: &str) -> String {
    match id {
        "tanto" => "佐藤 花子",
        "head" => "鈴木 一郎",
        "kacho" => "伊藤 誠",
        "bucho" => "中島 浩",
        "dairi" => "吉田 恵",
        other => other,
    }
    .to_string()
}

/// 起案 of 1,200,000 yen: 所属所長 → 課長 → 部長; the head approves, the 部長 is away and
/// his delegate decides after the 課長.
fn decided_state() -> (appr::ApprovalState, String) {
    let dir = vec![
        user("tanto", &[Role::OfficeClerk], &[], Some("1203")),
        user("head", &[Role::OfficeHead], &[], Some("1203")),
        user("kacho", &[Role::Approver], &[Position::Kacho], None),
        user("bucho", &[Role::Approver], &[Position::Bucho], None),
        user("dairi", &[Role::Approver], &[], None),
    ];
    let t0 = Utc.with_ymd_and_hms(2026, 11, 24, 1, 0, 0).unwrap();
    let body = serde_json_body(1_200_000);
    let hash = appr::content_hash("proposal", "窓口案内表示の更新", &body);
    let absences = vec![appr::Absence {
        user_id: "bucho".into(),
        delegate_id: "dairi".into(),
        from: t0,
        until: t0 + Duration::days(3),
    }];
    let ctx = |now| appr::Context {
        now,
        today: appr::jst(now).date(),
        kind: "proposal",
        office_code: "1203",
        content_hash: &hash,
        amount_yen: 1_200_000,
        absences: &absences,
        directory: &dir,
        table: appr::DecisionTable::builtin(),
    };
    let s = appr::submit(None, &dir[0], appr::Flags::default(), None, &ctx(t0)).unwrap();
    let approve = appr::Action::Approve {
        seen_hash: hash.clone(),
        comment: None,
    };
    let s = appr::apply(&s, &dir[1], &approve, &ctx(t0 + Duration::hours(2))).unwrap();
    let s = appr::apply(&s, &dir[2], &approve, &ctx(t0 + Duration::days(1))).unwrap();
    let delegate = appr::Action::Delegate {
        seen_hash: hash.clone(),
        for_user: "bucho".into(),
        comment: None,
    };
    let s = appr::apply(&s, &dir[4], &delegate, &ctx(t0 + Duration::days(2))).unwrap();
    (s, hash)
}

fn serde_json_body(amount: i64) -> kyosai_domain_json::Value {
    kyosai_domain_json::json!({ "text": "区民課窓口の案内表示を更新します。", "amount": amount })
}

use serde_json as kyosai_domain_json;

fn doc(state: &appr::ApprovalState, body: &str) -> PrintDoc {
    PrintDoc {
        heading: "起案文書".into(),
        reference: Some("文書番号 6b796f73-0012".into()),
        fields: vec![
            ("件名".into(), "窓口案内表示の更新".into()),
            ("起案日".into(), "令和8年11月24日 (2026-11-24)".into()),
            ("所属所".into(), "1203 新宿区役所".into()),
            ("金額".into(), "1,200,000 円".into()),
        ],
        body_label: Some("内容".into()),
        body: body.into(),
        approval: approval_block(state, &names),
        decided: state.status == appr::Status::Approved,
        printed_at: "印刷日時 令和8年11月26日 15:30".into(),
    }
}

#[test]
fn block_columns_follow_the_frozen_route_with_marks() {
    let (s, _) = decided_state();
    let b = approval_block(&s, &names);
    let titles: Vec<&str> = b.columns.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(titles, ["起案者", "所属所長", "課長", "部長"]);
    assert_eq!(b.columns[0].name.as_deref(), Some("佐藤 花子"));
    assert_eq!(b.columns[0].date.as_deref(), Some("R8.11.24"));
    assert_eq!(b.columns[3].name.as_deref(), Some("吉田 恵"));
    assert_eq!(b.columns[3].mark.as_deref(), Some("代決"));
    assert_eq!(b.columns[3].note.as_deref(), Some("中島 浩 後閲待ち"));
    assert_eq!(b.columns[3].date.as_deref(), Some("R8.11.26"));
}

#[test]
fn a_decided_document_prints_its_block_without_the_watermark() {
    let (s, _) = decided_state();
    assert_eq!(s.status, appr::Status::Approved);
    let pdf = render(
        &doc(&s, "区民課窓口の案内表示を多言語対応のものに更新します。"),
        fonts(),
    );
    assert!(pdf.starts_with(b"%PDF-"));
    keep("decided.pdf", &pdf);
    let text = pdftotext(&pdf);
    for expected in [
        "起案文書",
        "決裁欄",
        "所属所長",
        "鈴木 一郎",
        "伊藤 誠",
        "吉田 恵",
        "代決",
        "1,200,000 円",
        "1 / 1",
    ] {
        assert!(text.contains(expected), "{expected} missing in:\n{text}");
    }
    assert!(!pdftotext_raw(&pdf).contains("未決裁"), "{text}");
    // Only the glyphs used are embedded: a page stays small.
    assert!(pdf.len() < 120_000, "{} bytes", pdf.len());
}

#[test]
fn an_undecided_document_carries_the_watermark_on_every_page() {
    let (s, hash) = decided_state();
    // Back to the 課長's step: undecided.
    let mut undecided = s.clone();
    undecided.status = appr::Status::InProgress;
    undecided.current_step = 2;
    undecided.steps[2].slots[0].done = None;
    let _ = hash;
    let long: String = (1..=140)
        .map(|i| format!("{i}. 長い本文の行です。改ページを確かめます。\n"))
        .collect();
    let pdf = render(&doc(&undecided, &long), fonts());
    keep("undecided.pdf", &pdf);
    let text = pdftotext(&pdf);
    let n = pages(&pdf);
    assert!(n >= 3, "{n} pages");
    let raw = pdftotext_raw(&pdf);
    assert_eq!(
        raw.matches("未決裁").count(),
        n,
        "one watermark per page:\n{raw}"
    );
    assert!(text.contains("起案文書（続き）"));
    assert!(text.contains(&format!("{n} / {n}")));
    assert!(text.contains("140. 長い本文"));
}

#[test]
fn wrapping_keeps_breaks_and_avoids_closing_marks_at_line_start() {
    // 10 full-width characters of 10 pt fit in 100 pt.
    let lines = wrap("あいうえおかきくけこ。さしすせそ\n\nABCD", 10.0, 100.0);
    assert_eq!(lines[0], "あいうえおかきくけこ。");
    assert_eq!(lines[1], "さしすせそ");
    assert_eq!(lines[2], "");
    assert_eq!(lines[3], "ABCD");
    assert_eq!(
        wrap("abcdefghijklmnopqrst", 10.0, 50.0),
        ["abcdefghij", "klmnopqrst"]
    );
    assert_eq!(em_width('ｱ'), 0.5);
    assert_eq!(em_width('ア'), 1.0);
}

#[test]
fn a_missing_font_is_a_clear_error() {
    let e = Fonts::load(std::path::Path::new("/nonexistent/font.ttf"))
        .err()
        .unwrap();
    assert_eq!(e.code(), "print.font_invalid");
    assert!(e.to_string().contains("IT管理者"));
    let _ = NaiveDate::from_ymd_opt(2026, 1, 1);
}

fn sample_acquisition() -> kyosai_domain::acquisition::AcquisitionForm {
    use kyosai_domain::acquisition::*;
    let mut f = AcquisitionForm::default();
    f.office.code = Some("1203".into());
    f.office.name = Some("新宿区役所".into());
    f.member.name = Some("山田　太郎".into());
    f.member.name_kana = Some("ヤマダ　タロウ".into());
    f.member.birth_date = NaiveDate::from_ymd_opt(2002, 6, 15);
    f.member.sex = Some(Sex::Male);
    f.member.postal_code = Some("160-8484".into());
    f.member.address = Some("東京都新宿区歌舞伎町一丁目4番1号".into());
    f.member.my_number = Some(MyNumberText::new("123456789018"));
    f.member.basic_pension_number = Some("1234-567890".into());
    f.acquisition.acquired_on = NaiveDate::from_ymd_opt(2026, 4, 1);
    f.acquisition.reason = Some(AcquisitionReason::NewHire);
    f.acquisition.member_type = Some(MemberType::General);
    f.employment.job_title = Some("主事".into());
    f.remuneration.salary = Some(143_700);
    f.remuneration.commuting_allowance = Some(14_000);
    f.pension_history.push(PensionPeriod {
        kind: Some(PensionScheme::NationalPension),
        kind_detail: None,
        acquired_on: NaiveDate::from_ymd_opt(2022, 6, 14),
        lost_on: NaiveDate::from_ymd_opt(2026, 4, 1),
    });
    f
}

#[test]
fn the_acquisition_printout_masks_my_number_and_shows_grades() {
    let form = sample_acquisition();
    let doc = documents::acquisition_doc("R1", &form, None, &names, "印刷 令和8年4月2日".into());
    assert!(!doc.decided);
    let pdf = render(&doc, fonts());
    keep("acquisition.pdf", &pdf);
    // pdftotext spaces text out by position: compare without whitespace.
    let text: String = pdftotext(&pdf).split_whitespace().collect();
    for expected in [
        "組合員資格取得届",
        "山田太郎",
        "●●●●●●●●9018",
        "1234-567890",
        "令和8年4月1日",
        "短期第",
        "国民年金",
    ] {
        assert!(text.contains(expected), "{expected} missing in:\n{text}");
    }
    assert!(!text.contains("123456789018"));
    assert!(pdftotext_raw(&pdf).contains("未決裁"));
    assert!(pdf.len() < 150_000, "{} bytes", pdf.len());
}

#[test]
fn the_review_notice_lists_what_was_found() {
    let form = sample_acquisition();
    let items = vec![documents::NoticeItem {
        severity_ja: "誤り".into(),
        message: "同じ基礎年金番号の届が既にあります。".into(),
    }];
    let doc = documents::review_notice("R1", &form, None, &items, "印刷".into());
    let pdf = render(&doc, fonts());
    keep("notice.pdf", &pdf);
    let text: String = pdftotext(&pdf).split_whitespace().collect();
    assert!(text.contains("審査結果通知"));
    assert!(text.contains("1203新宿区役所御中"), "{text}");
    assert!(
        text.contains("1.【誤り】同じ基礎年金番号の届が既にあります。"),
        "{text}"
    );
    assert!(!pdftotext_raw(&pdf).contains("未決裁"));
}
