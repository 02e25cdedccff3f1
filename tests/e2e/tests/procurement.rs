#![allow(clippy::unwrap_used, clippy::expect_used)]
//! 調達・契約・支払 in the real app: a clerk's purchase request goes through contract,
//! inspection and payment order, each approved by the 課長 in his own app, and the clerk
//! writes the 全銀 transfer file — through the real central service (TLS on 127.0.0.1).
//! The masters (budget lines, vendors, the paying account) are the demo data's.

use std::time::{Duration, Instant};

use chrono::{Datelike, Duration as Days, FixedOffset, NaiveDate, Utc};
use fantoccini::key::Key;
use fantoccini::Locator;
use kyosai_central::testing::{TestBackend, TestServer};
use kyosai_domain::approval::Position;
use kyosai_domain::procurement::calendar::{business_day_on_or_after, HolidayTable};
use kyosai_e2e::{App, Workspace};
use kyosai_sync_protocol::Role;

const OFFICE: &str = "1203";
const TITLE: &str = "窓口用プリンターの購入";

fn today() -> NaiveDate {
    Utc::now()
        .with_timezone(&FixedOffset::east_opt(9 * 3600).unwrap())
        .date_naive()
}

/// A 令和 date into the 和暦 field `id`.
async fn reiwa(app: &App, id: &str, d: NaiveDate) {
    let year = u32::try_from(d.year() - 2018).unwrap();
    app.date(id, "reiwa", year, d.month(), d.day()).await;
}

/// Saves with Ctrl+S, then presses 決裁に回す (from the keyboard, again if the page was
/// still busy with the save) until its banner says so.
async fn save_and_submit(app: &App) {
    app.chord(Key::Control, 's').await;
    app.find(Locator::Css(
        "[data-testid='procurement-banner-success'], [data-testid='procurement-banner-info']",
    ))
    .await;
    for _ in 0..5 {
        app.click("[data-testid='procurement-submit']").await;
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            let text = match app
                .client
                .find(Locator::Css("[data-testid='procurement-banner-success']"))
                .await
            {
                Ok(b) => b.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if text.contains("決裁") {
                app.press_sync().await;
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    app.screenshot("submit").await;
    panic!("決裁に回す never took");
}

/// The 課長 opens 決裁 (Alt+7), opens the document whose title contains `title` and
/// approves it (Ctrl+Enter), typing his password when asked again.
async fn approve(kacho: &App, title: &str, kind_label: &str) {
    kacho.chord(Key::Alt, '7').await;
    kacho
        .click_row("[data-testid='inbox-row']", Some("td:nth-child(3)"), title)
        .await;
    kacho
        .wait_text(Locator::Css("[data-testid='approval-detail']"), kind_label)
        .await;
    kacho.chord(Key::Control, Key::Enter.into()).await;
    kacho
        .wait_text_entering_password(Locator::Css("[data-testid='inbox-banner-success']"), "")
        .await;
    kacho.press_sync().await;
}

/// The clerk goes back to the list and opens the case again until the decided step offers
/// `label` (「契約を作成」…), pressing 今すぐ同期 while it has not arrived.
async fn open_next(app: &App, label: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(b) = app
            .client
            .find(Locator::Css("[data-testid='procurement-back']"))
            .await
        {
            let _ = b.click().await;
        }
        app.click_row("[data-testid='procurement-case-row']", None, TITLE)
            .await;
        app.find(Locator::Css("[data-testid='procurement-case']"))
            .await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let offers = app
            .client
            .find_all(Locator::Css("[data-testid='procurement-next']"))
            .await
            .unwrap_or_default();
        for b in offers {
            if b.text().await.unwrap_or_default().contains(label) {
                b.click().await.unwrap();
                app.wait_text(
                    Locator::Css("[data-testid='procurement-banner-info']"),
                    label,
                )
                .await;
                return;
            }
        }
        if Instant::now() > deadline {
            app.screenshot("open-next").await;
            panic!("the case never offered {label:?}");
        }
        app.press_sync().await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
}

#[tokio::test]
async fn a_request_goes_through_contract_inspection_and_payment_to_a_transfer_file() {
    let server = TestServer::start(TestBackend::Sqlite).await;
    server.add_office(OFFICE, "新宿区役所").await;
    server
        .add_user(
            "tanto",
            "佐藤 花子",
            &[Role::OfficeClerk],
            Some(OFFICE),
            "pass-tanto-1",
        )
        .await;
    server
        .add_user("kacho", "伊藤 誠", &[Role::Approver], None, "pass-kacho-1")
        .await;
    assert!(server
        .storage()
        .set_positions("kacho", &[Position::Kacho])
        .await
        .unwrap());
    let fy = kyosai_domain::fiscal::fiscal_year(today());
    let masters = kyosai_central::demo::procurement_masters(OFFICE, fy, "tanto");
    let vendor_id = masters
        .iter()
        .find(|r| r.title == "株式会社ヤマダ事務機")
        .unwrap()
        .id
        .to_string();
    for r in &masters {
        assert!(server.storage().import_record(r).await.unwrap());
    }

    let ws = Workspace::new();
    let policy = kyosai_e2e::central_policy(&ws, &server.base_url, server.ca_pem_path());
    let env = [("KYOSAI_POLICY", policy.to_str().unwrap())];
    let tanto = App::start_with(&ws, "procurement-tanto", &env).await;
    let kacho = App::start_with(&ws, "procurement-kacho", &env).await;
    tanto.sign_in("tanto", "pass-tanto-1").await;
    kacho.sign_in("kacho", "pass-kacho-1").await;

    // The masters arrive with the first sync.
    tanto.chord(Key::Alt, '0').await;
    tanto.click("[data-testid='procurement-tab-budgets']").await;
    tanto
        .sync_until("[data-testid='budget-table']", "01-02-03")
        .await;
    tanto.click("[data-testid='procurement-tab-cases']").await;

    // 調達依頼: 300,000 yen, two quotes, the lower one chosen.
    tanto.click("[data-testid='procurement-new']").await;
    tanto
        .find(Locator::Css("[data-testid='procurement-editor']"))
        .await;
    tanto.type_in("step-title", TITLE).await;
    tanto
        .type_in("req-purpose", "窓口用プリンターの故障による更新")
        .await;
    tanto.choose("req-category", "purchase").await;
    tanto.type_in("req-budget-year", &fy.to_string()).await;
    tanto.type_in("req-budget-code", "01-02-03").await;
    tanto.type_in("req-budget-name", "事務費 備品購入費").await;
    tanto
        .type_in("req-item-0-name", "A4カラーレーザープリンター")
        .await;
    tanto.type_in("req-item-0-quantity", "1").await;
    tanto.type_in("req-item-0-unit", "台").await;
    tanto.type_in("req-item-0-amount", "300,000").await;
    for (i, (name, amount)) in [
        ("株式会社ヤマダ事務機", "300000"),
        ("有限会社サトウ商会", "320000"),
    ]
    .into_iter()
    .enumerate()
    {
        tanto.click("[data-testid='req-quote-add']").await;
        tanto.type_in(&format!("req-quote-{i}-vendor"), name).await;
        tanto
            .type_in(&format!("req-quote-{i}-amount"), amount)
            .await;
    }
    tanto.click("[data-testid='req-quote-0-selected']").await;
    save_and_submit(&tanto).await;
    tanto.screenshot("procurement-request").await;
    approve(&kacho, TITLE, "調達依頼").await;

    // 契約: prefilled from the chosen quote; 少額随意契約 with a 請書.
    open_next(&tanto, "契約を作成").await;
    tanto.choose("con-vendor", &vendor_id).await;
    tanto.choose("con-method", "negotiated").await;
    tanto.choose("con-ground", "small_amount").await;
    tanto.choose("con-work-type", "other").await;
    tanto.choose("con-document", "acceptance").await;
    reiwa(&tanto, "con-period-from", today()).await;
    reiwa(&tanto, "con-period-to", today() + Days::days(30)).await;
    save_and_submit(&tanto).await;
    approve(&kacho, "（契約）", "契約").await;

    // 検収・検査: the delivery was reported two days ago, inspected today, passed.
    open_next(&tanto, "検収・検査を作成").await;
    reiwa(&tanto, "ins-notice-on", today() - Days::days(2)).await;
    tanto.type_in("ins-inspector", "検査 一郎").await;
    tanto.choose("ins-result", "passed").await;
    save_and_submit(&tanto).await;
    approve(&kacho, "（検収・検査）", "検収").await;

    // 支出命令 with the invoice: 272,728 yen at 10% → tax 27,272 → 300,000.
    open_next(&tanto, "支出命令を作成").await;
    let pay_on = business_day_on_or_after(today() + Days::days(7), HolidayTable::builtin());
    tanto.type_in("inv-number", "INV-2026-0042").await;
    reiwa(&tanto, "inv-issue-date", today()).await;
    tanto.type_in("inv-buyer", "東京都職員共済組合").await;
    tanto.click("[data-testid='inv-line-add']").await;
    tanto
        .type_in("inv-line-0-description", "A4カラーレーザープリンター")
        .await;
    tanto.type_in("inv-line-0-quantity", "1").await;
    tanto.type_in("inv-line-0-amount", "272,728").await;
    tanto.click("[data-testid='inv-tax-add']").await;
    tanto.type_in("inv-tax-0-taxable", "272728").await;
    tanto.type_in("inv-tax-0-tax", "27272").await;
    tanto.type_in("inv-payable", "300,000").await;
    reiwa(&tanto, "pay-payment-date", pay_on).await;
    save_and_submit(&tanto).await;
    tanto.screenshot("procurement-payment-order").await;
    approve(&kacho, "（支出命令）", "支出命令").await;

    // 振込データ: the decided order is payable; the file is written.
    transfer_file(&tanto, pay_on).await;
    tanto.stop().await;
    kacho.stop().await;
    server.stop().await;
}

/// On 振込データ: select the payable order, give the date, check the preview and write
/// the file; the path shown is a real 全銀 file of one record.
async fn transfer_file(app: &App, pay_on: NaiveDate) {
    app.click("[data-testid='procurement-back']").await;
    app.click("[data-testid='procurement-tab-transfer']").await;
    app.sync_until("[data-testid='payable-table']", TITLE).await;
    app.click("[data-testid='payable-check']").await;
    reiwa(app, "transfer-date", pay_on).await;
    // 「内容を確認」 first: the payee as the bank will see it.
    app.press_until(
        "[data-testid='transfer-preview']",
        Locator::Css("[data-testid='transfer-preview-table']"),
    )
    .await;
    app.wait_text(
        Locator::Css("[data-testid='transfer-preview-table']"),
        "ｶ)ﾔﾏﾀﾞｼﾞﾑｷ",
    )
    .await;
    app.screenshot("procurement-transfer-preview").await;
    app.press_until(
        "[data-testid='transfer-export']",
        Locator::Css("[data-testid='transfer-path']"),
    )
    .await;
    let path = app
        .wait_text(Locator::Css("[data-testid='transfer-path']"), ".txt")
        .await;
    app.screenshot("procurement-transfer").await;
    let file = path
        .split_whitespace()
        .find(|w| w.ends_with(".txt"))
        .unwrap_or(path.trim())
        .to_string();
    let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
    let parsed = kyosai_domain::procurement::zengin::parse_sogo_furikomi(&bytes).unwrap();
    assert_eq!(parsed.count, 1);
    assert_eq!(parsed.total, 300_000);
    assert_eq!(parsed.transfers[0].payee_name, "ｶ)ﾔﾏﾀﾞｼﾞﾑｷ");
}
