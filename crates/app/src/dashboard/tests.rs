#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::TimeZone;
use kyosai_domain::flow::{FlowRow, Process};
use kyosai_sync_client::ErrorKind;

use super::*;

fn user(roles: Vec<Role>, office: Option<&str>) -> UserInfo {
    UserInfo {
        user_id: "u".into(),
        display_name: "山田 太郎".into(),
        roles,
        office_code: office.map(str::to_string),
        office_name: office.map(|_| "新宿区役所".to_string()),
        positions: vec![],
    }
}

fn q(from: &str, to: &str, office: Option<&str>, at: Option<&str>) -> DashboardQueryDto {
    DashboardQueryDto {
        from: from.into(),
        to: to.into(),
        office: office.map(str::to_string),
        compare_at: at.map(str::to_string),
    }
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn who_may_see_which_offices() {
    let reviewer = user(vec![Role::SecretariatReviewer], None);
    let head = user(vec![Role::OfficeHead], Some("13104"));
    let clerk = user(vec![Role::OfficeClerk], Some("13104"));
    let it = user(vec![Role::ItAdmin], None);

    let all = check_query(&q("2025-04-01", "2026-03-31", None, None), &reviewer).unwrap();
    assert_eq!(all.office, None);
    let one = check_query(
        &q("2025-04-01", "2026-03-31", Some("13101"), None),
        &reviewer,
    )
    .unwrap();
    assert_eq!(one.office.as_deref(), Some("13101"));
    // 所属所長: always the own office, never another.
    let own = check_query(&q("2025-04-01", "2026-03-31", None, None), &head).unwrap();
    assert_eq!(own.office.as_deref(), Some("13104"));
    let other = check_query(&q("2025-04-01", "2026-03-31", Some("13101"), None), &head);
    assert_eq!(other.unwrap_err().code, codes::FORBIDDEN);
    for u in [&clerk, &it] {
        let e = check_query(&q("2025-04-01", "2026-03-31", None, None), u).unwrap_err();
        assert_eq!(e.code, codes::FORBIDDEN);
        assert!(e.message.contains("所属所長"));
    }
    assert!(view_of(empty_dashboard(), &reviewer, vec![]).may_choose_office);
    assert!(!view_of(empty_dashboard(), &head, vec![]).may_choose_office);
}

#[test]
fn bad_periods_are_refused_with_a_message() {
    let me = user(vec![Role::Approver], None);
    for (query, words) in [
        (q("2025/04/01", "2026-03-31", None, None), "開始日"),
        (q("2025-04-01", "2026-02-30", None, None), "終了日"),
        (q("2026-04-01", "2026-03-31", None, None), "開始日より後"),
        (q("2020-04-01", "2026-03-31", None, None), "3年以内"),
        (
            q("2025-04-01", "2026-03-31", None, Some("2025-04-01")),
            "比較日",
        ),
        (
            q("2025-04-01", "2026-03-31", None, Some("2026-04-01")),
            "比較日",
        ),
    ] {
        let e = check_query(&query, &me).unwrap_err();
        assert_eq!(e.code, codes::INVALID_QUERY, "{query:?}");
        assert!(e.message.contains(words), "{}", e.message);
    }
    let ok = check_query(
        &q("2025-04-01", "2026-03-31", Some(" "), Some("2025-10-01")),
        &me,
    )
    .unwrap();
    assert_eq!(ok.compare_at, Some(d("2025-10-01")));
    assert_eq!(ok.office, None);
    assert_eq!(
        params_of(&ok).path(),
        "analytics/v1/dashboard?from=2025-04-01&to=2026-03-31&compareAt=2025-10-01"
    );
}

#[test]
fn server_refusals_in_the_dashboards_words() {
    let off = SyncError::new(ErrorKind::Offline, "sync.offline", "x");
    let e = error_of(off);
    assert_eq!(e.code, codes::OFFLINE);
    assert!(e
        .message
        .starts_with("見える化には中央サーバーへの接続が必要です"));
    let mut forbidden = SyncError::new(ErrorKind::Auth, "analytics.forbidden", "x");
    forbidden.status = Some(403);
    assert_eq!(error_of(forbidden).code, codes::FORBIDDEN);
    let mut bad = SyncError::new(
        ErrorKind::Protocol,
        "analytics.invalid_query",
        "期間が正しくありません。",
    );
    bad.status = Some(400);
    assert_eq!(error_of(bad).message, "期間が正しくありません。");
}

fn row(order: u32, process: Process, step: &str, min: f64, n: f64) -> FlowRow {
    FlowRow {
        order,
        process,
        process_label: process.label_ja().into(),
        step: step.into(),
        step_label: step.into(),
        actor_label: "所属所 担当者".into(),
        means: "共済デスク（電子決裁）".into(),
        minutes_per_case: min,
        cases_per_year: n,
        hours_per_year: min * n / 60.0,
    }
}

fn empty_dashboard() -> Dashboard {
    Dashboard {
        query: flow::Query {
            from: d("2025-04-01"),
            to: d("2026-03-31"),
            office: None,
            compare_at: None,
        },
        as_of: Utc.with_ymd_and_hms(2026, 3, 31, 14, 59, 0).unwrap(),
        months: vec![],
        steps: vec![],
        backlog: vec![],
        deadline_cases: 0,
        overdue: vec![],
        ocr: flow::OcrFigures {
            documents: 0,
            fields: 0,
            auto_accepted: 0,
            straight_through_rate: 0.0,
        },
        flow_table: vec![],
        comparison: None,
    }
}

#[test]
fn csv_is_excel_ready_formula_safe_and_in_hours() {
    let mut rows = vec![
        row(1, Process::Acquisition, "起案・作成", 10.0, 30.0),
        row(2, Process::Acquisition, "所属所長", 2.25, 1_204.4),
    ];
    rows[1].actor_label = "=HYPERLINK(\"x\")".into();
    let text = flow_csv(&rows);
    assert!(text.starts_with('\u{FEFF}'));
    assert!(text.ends_with("\r\n"));
    let lines: Vec<&str> = text.trim_start_matches('\u{FEFF}').split("\r\n").collect();
    assert_eq!(lines[0], CSV_HEADER);
    // The template's sample: 10 分 × 30 件 = 5.0 時間 (not 300).
    assert_eq!(
        lines[1],
        "1,組合員資格取得届,起案・作成,所属所 担当者,共済デスク（電子決裁）,10.0,30,5.0"
    );
    assert_eq!(
        lines[2],
        "2,組合員資格取得届,所属所長,\"'=HYPERLINK(\"\"x\"\")\",共済デスク（電子決裁）,2.3,1204,45.2"
    );
    // 5.0 + 45.1665 = 50.1665
    assert_eq!(lines[3], ",合計,,,,,,50.2");
    assert_eq!(lines.len(), 5);
}

#[test]
fn pdf_document_and_file_names() {
    let mut dash = empty_dashboard();
    dash.query.office = Some("13104".into());
    dash.flow_table = vec![row(1, Process::OcrReview, "確認・修正", 4.0, 100.0)];
    let offices = vec![DashboardOffice {
        code: "13104".into(),
        label: "新宿区役所（13104）".into(),
    }];
    let now = Utc.with_ymd_and_hms(2026, 11, 27, 0, 30, 5).unwrap();
    let doc = flow_doc(&dash, &offices, now);
    assert_eq!(
        doc.period,
        "2025年4月1日～2026年3月31日（令和7年4月1日～令和8年3月31日）"
    );
    assert_eq!(doc.office, "新宿区役所（13104）");
    assert_eq!(doc.as_of, "2026年3月31日 23時59分 時点");
    assert!(doc.note.contains("365日"));
    assert!(doc.note.contains("（365日）内"));
    assert!(doc.note.contains("時間で表示"));
    assert_eq!(doc.printed_at, "印刷日時 2026年11月27日 9時30分");
    let bytes = render_flow_table(&doc, Fonts::builtin().unwrap());
    assert!(bytes.starts_with(b"%PDF"));
    assert_eq!(
        export_file_name(&dash.query, now, "pdf"),
        "業務フロー_20250401-20260331_13104_20261127_093005.pdf"
    );
    assert_eq!(doc.rows.len(), 1);
    let view = view_of(dash, &user(vec![Role::Approver], None), offices);
    assert_eq!(view.flow_table[0].process, "ocr_review");
    assert_eq!(view.as_of, "2026-03-31T14:59:00Z");
}
