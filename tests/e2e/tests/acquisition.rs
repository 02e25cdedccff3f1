#![allow(clippy::unwrap_used, clippy::expect_used)]
//! 組合員資格取得届 end to end in the real app, four people on four app instances through
//! the real central service (TLS on 127.0.0.1, test CA): the office clerk types two
//! notifications keyboard-first and submits them; the office head certifies one (from the
//! 決裁 inbox, Ctrl+Enter) and returns the other with a reason; the secretariat reviewer
//! opens the first from the 資格取得届 queue, sees the automated review and marks it
//! reviewed; the 決裁者 registers it and saves its PDF; the clerk sees 登録済み and the
//! returned one with its reason.

use std::time::{Duration, Instant};

use chrono::{Datelike, Duration as Days, FixedOffset, Utc};
use fantoccini::key::Key;
use fantoccini::Locator;
use kyosai_central::testing::{TestBackend, TestServer};
use kyosai_e2e::{App, Workspace};
use kyosai_sync_protocol::Role;

const OFFICE: &str = "13104";

struct Person<'a> {
    name: &'a str,
    kana: &'a str,
    my_number: &'a str,
    birth: (u32, u32, u32),
}

/// The clerk fills in a new hire (acquired yesterday in Japan, so not late) and submits,
/// acknowledging any warning on the way.
async fn file_new_hire(app: &App, p: &Person<'_>) {
    app.find(Locator::Css("[data-testid='acq-new']")).await;
    app.chord(Key::Alt, 'n').await;
    app.find(Locator::Css("[data-testid='acq-form']")).await;
    app.type_in("acq-office-code", OFFICE).await;
    app.type_in("acq-office-name", "中央区役所").await;
    app.type_in("acq-member-name", p.name).await;
    app.type_in("acq-member-nameKana", p.kana).await;
    let (y, m, d) = p.birth;
    app.date("acq-member-birthDate", "heisei", y, m, d).await;
    app.choose("acq-member-sex", "male").await;
    app.type_in("acq-member-postalCode", "104-8404").await;
    app.type_in("acq-member-address", "東京都中央区築地一丁目1番1号")
        .await;
    app.type_in("acq-member-myNumber", p.my_number).await;
    let jst = FixedOffset::east_opt(9 * 3600).unwrap();
    let acquired = (Utc::now().with_timezone(&jst) - Days::days(1)).date_naive();
    app.date(
        "acq-acquisition-acquiredOn",
        "reiwa",
        acquired.year() as u32 - 2018,
        acquired.month(),
        acquired.day(),
    )
    .await;
    app.choose("acq-acquisition-reason", "newHire").await;
    app.choose("acq-acquisition-memberType", "general").await;
    app.choose("acq-acquisition-appointment", "regular").await;
    app.type_in("acq-employment-jobTitle", "主事").await;
    app.type_in("acq-employment-salaryTable", "行政職給料表（一）")
        .await;
    app.type_in("acq-employment-salaryClass", "1").await;
    app.type_in("acq-employment-salaryStep", "25").await;
    app.type_in("acq-remuneration-salary", "143,700").await;
    app.type_in("acq-remuneration-commutingAllowance", "14000")
        .await;
    // The grades are shown live from the pay.
    app.wait_text(Locator::Css("[data-testid='acq-form']"), "第13級")
        .await;

    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        app.find(Locator::Css("[data-testid='acq-submit']"))
            .await
            .click()
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(700)).await;
        if let Ok(ok) = app
            .client
            .find(Locator::Css("[data-testid='acq-banner-success']"))
            .await
        {
            if ok.text().await.unwrap_or_default().contains("提出しました") {
                break;
            }
        }
        // Warnings need an acknowledgement (Enter on the focused 「確認しました」).
        let acks = app
            .client
            .find_all(Locator::Css("[data-ack-button]"))
            .await
            .unwrap_or_default();
        for b in acks {
            let _ = b.click().await;
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        if Instant::now() > deadline {
            app.screenshot("acq-submit").await;
            let banner = app
                .client
                .find(Locator::Css("[data-testid='acq-banner-error']"))
                .await;
            let text = match banner {
                Ok(b) => b.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            panic!("the notification was never submitted: {text}");
        }
    }
    app.find(Locator::Css("[data-testid='acq-back']"))
        .await
        .click()
        .await
        .unwrap();
    app.find(Locator::Css("[data-testid='acq-list']")).await;
}

/// Waits for the 「PDFを保存しました: …」 banner and checks the file is a PDF; returns its path.
async fn pdf_from_banner(app: &App) -> String {
    let saved = app
        .wait_text(
            Locator::Css("[data-testid='acq-review-banner-success']"),
            ".pdf",
        )
        .await;
    let path = saved
        .split(": ")
        .nth(1)
        .map(|p| p.trim().to_string())
        .unwrap_or_default();
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert!(bytes.starts_with(b"%PDF"), "{path}");
    path
}

/// Waits until the review screen offers `label` as its primary action.
/// Presses 表示 beside the masked 個人番号 on the review screen and confirms `purpose`.
async fn reveal_my_number(app: &App, purpose: &str) {
    app.click("[data-testid='review-member-myNumber-reveal']")
        .await;
    app.click(&format!(
        "[data-testid='my-number-reveal-purpose-{purpose}']"
    ))
    .await;
    app.click("[data-testid='my-number-reveal-confirm']").await;
}

async fn primary_is(app: &App, label: &str) {
    app.wait_text(Locator::Css("[data-testid='acq-review-approve']"), label)
        .await;
}

#[tokio::test]
async fn a_notification_goes_from_the_clerk_to_registered_and_another_comes_back() {
    let started = Instant::now();
    let server = TestServer::start(TestBackend::Sqlite).await;
    server.add_office(OFFICE, "中央区役所").await;
    for (id, name, role, office, pw) in [
        (
            "tanto",
            "佐藤 花子",
            Role::OfficeClerk,
            Some(OFFICE),
            "pass-tanto-1",
        ),
        (
            "shocho",
            "鈴木 一郎",
            Role::OfficeHead,
            Some(OFFICE),
            "pass-shocho-1",
        ),
        (
            "shinsa",
            "高橋 審査",
            Role::SecretariatReviewer,
            None,
            "pass-shinsa-1",
        ),
        ("kessai", "伊藤 誠", Role::Approver, None, "pass-kessai-1"),
    ] {
        server.add_user(id, name, &[role], office, pw).await;
    }

    let ws = Workspace::new();
    let policy = kyosai_e2e::central_policy(&ws, &server.base_url, server.ca_pem_path());
    let env = [("KYOSAI_POLICY", policy.to_str().unwrap())];

    let (tanto, shocho, shinsa, kessai) = tokio::join!(
        App::start_with(&ws, "acq-tanto", &env),
        App::start_with(&ws, "acq-shocho", &env),
        App::start_with(&ws, "acq-shinsa", &env),
        App::start_with(&ws, "acq-kessai", &env),
    );
    tokio::join!(
        tanto.sign_in("tanto", "pass-tanto-1"),
        shocho.sign_in("shocho", "pass-shocho-1"),
        shinsa.sign_in("shinsa", "pass-shinsa-1"),
        kessai.sign_in("kessai", "pass-kessai-1"),
    );

    // The clerk types two notifications and submits both.
    tanto.chord(Key::Alt, '9').await;
    file_new_hire(
        &tanto,
        &Person {
            name: "山田　太郎",
            kana: "ヤマダ　タロウ",
            my_number: "123456789018",
            birth: (13, 7, 14),
        },
    )
    .await;
    tanto.screenshot("acq-submitted").await;
    file_new_hire(
        &tanto,
        &Person {
            name: "中村　次郎",
            kana: "ナカムラ　ジロウ",
            my_number: "987654321018",
            birth: (12, 5, 2),
        },
    )
    .await;
    tanto.press_sync().await;

    // The office head opens 決裁 (Alt+7): both wait for his 証明.
    shocho.chord(Key::Alt, '7').await;
    shocho.sync_until("[data-testid='inbox-count']", "2").await;
    shocho
        .click_row(
            "[data-testid='inbox-row']",
            Some("td:nth-child(2)"),
            "山田　太郎",
        )
        .await;
    primary_is(&shocho, "証明する").await;
    // 所属所長 certifies without the number: the central service never sent it to this
    // PC, so it reads as registered and 表示 is not offered.
    let form = shocho
        .wait_text(
            Locator::Css("[data-testid='acq-review-form']"),
            "登録済み（表示の権限がありません）",
        )
        .await;
    assert!(!form.contains("123456789018"), "個人番号 shown in full");
    assert!(
        !form.contains("9018"),
        "part of the 個人番号 reached the 所属所長"
    );
    let reveal = shocho
        .client
        .find_all(Locator::Css(
            "[data-testid='review-member-myNumber-reveal']",
        ))
        .await
        .unwrap_or_default();
    assert!(reveal.is_empty(), "表示 offered to the 所属所長");
    shocho.screenshot("acq-certify").await;
    shocho.chord(Key::Control, Key::Enter.into()).await;
    // 決裁 asks for the password again (once: it covers the next two minutes).
    shocho
        .wait_text_entering_password(
            Locator::Css("[data-testid='acq-review-banner-success']"),
            "証明する",
        )
        .await;

    // The other goes back with a reason (required).
    shocho
        .click_row(
            "[data-testid='inbox-row']",
            Some("td:nth-child(2)"),
            "中村　次郎",
        )
        .await;
    primary_is(&shocho, "証明する").await;
    shocho
        .find(Locator::Css("[data-testid='acq-review-return']"))
        .await
        .click()
        .await
        .unwrap();
    let reason = shocho.find(Locator::Id("acq-review-reason")).await;
    shocho
        .find(Locator::Css("[data-testid='acq-review-reason-confirm']"))
        .await
        .click()
        .await
        .unwrap();
    shocho
        .wait_text(
            Locator::Css("[data-testid='acq-review-return-dialog']"),
            "差戻しの理由を入力してください",
        )
        .await;
    reason
        .send_keys("住所の番地が住民票と異なります。確認してください。")
        .await
        .unwrap();
    reason
        .send_keys(&format!("{}{}", Key::Control, Key::Enter))
        .await
        .unwrap();
    shocho
        .wait_text_entering_password(
            Locator::Css("[data-testid='acq-review-banner-success']"),
            "差戻し",
        )
        .await;
    shocho.sync_until("[data-testid='inbox-empty']", "").await;

    // The secretariat reviewer opens it from the 資格取得届 queue (Alt+9, Enter).
    shinsa.chord(Key::Alt, '9').await;
    shinsa
        .click_row(
            "[data-testid='acq-row']",
            Some("td:nth-child(2)"),
            "事務局の審査待ち",
        )
        .await;
    primary_is(&shinsa, "審査済みにする").await;
    shinsa
        .wait_text(
            Locator::Css("[data-testid='acq-review-auto-counts']"),
            "誤り",
        )
        .await;
    let history = shinsa
        .wait_text(
            Locator::Css("[data-testid='acq-review-history']"),
            "鈴木 一郎",
        )
        .await;
    assert!(history.contains("佐藤 花子"), "{history}");
    // 事務局審査担当 may see it, for a stated purpose (audited).
    reveal_my_number(&shinsa, "review").await;
    shinsa
        .wait_text(
            Locator::Css("[data-testid='review-acq-member-myNumber']"),
            "123456789018",
        )
        .await;
    shinsa.screenshot("acq-review").await;
    shinsa.chord(Key::Control, Key::Enter.into()).await;
    shinsa
        .wait_text_entering_password(
            Locator::Css("[data-testid='acq-review-banner-success']"),
            "審査済みにする",
        )
        .await;
    // The 審査結果通知 with the server's findings.
    shinsa
        .find(Locator::Css("[data-testid='acq-review-notice']"))
        .await
        .click()
        .await
        .unwrap();
    let notice = pdf_from_banner(&shinsa).await;
    assert!(notice.contains("審査結果通知_山田"), "{notice}");
    shinsa.press_sync().await;

    // The 決裁者 registers it from the inbox and saves the printout.
    kessai.chord(Key::Alt, '7').await;
    kessai.sync_until("[data-testid='inbox-count']", "1").await;
    kessai
        .click_row(
            "[data-testid='inbox-row']",
            Some("td:nth-child(2)"),
            "山田　太郎",
        )
        .await;
    primary_is(&kessai, "登録する").await;
    kessai
        .find(Locator::Css("[data-testid='acq-review-approve']"))
        .await
        .click()
        .await
        .unwrap();
    kessai
        .wait_text_entering_password(
            Locator::Css("[data-testid='acq-review-banner-success']"),
            "登録する",
        )
        .await;
    kessai.sync_until("[data-testid='inbox-empty']", "").await;

    // The clerk's queue shows 登録済み and the returned one with its reason.
    tanto.open("acquisitions").await;
    let list = tanto
        .sync_until("[data-testid='acq-list']", "登録済み")
        .await;
    let list = if list.contains("差戻し（理由") {
        list
    } else {
        tanto
            .sync_until("[data-testid='acq-list']", "差戻し（理由")
            .await
    };
    assert!(list.contains("住所の番地が住民票と異なります"), "{list}");
    tanto.screenshot("acq-registered").await;

    // The registered one, opened by the clerk: read-only, its printout 登録済み.
    tanto
        .click_row(
            "[data-testid='acq-row']",
            Some("td:nth-child(2)"),
            "登録済み",
        )
        .await;
    tanto
        .wait_text(Locator::Css("[data-testid='acq-review-state']"), "登録済み")
        .await;
    tanto
        .find(Locator::Css("[data-testid='acq-review-pdf']"))
        .await
        .click()
        .await
        .unwrap();
    let path = pdf_from_banner(&tanto).await;
    // Kept beside the screenshots so a person can look at the rendered page.
    let _ = std::fs::copy(
        &path,
        kyosai_e2e::workspace_root().join("tests/e2e/artifacts/acq-registered.pdf"),
    );
    tanto.screenshot("acq-registered-view").await;

    // Esc goes back to the queue (focus on the list); Space picks both rows; one folder
    // with two PDFs.
    tanto.keys(&Key::Escape.to_string()).await.unwrap();
    tanto.find(Locator::Id("acq-list")).await;
    tanto
        .client
        .execute("document.getElementById('acq-list').focus();", vec![])
        .await
        .unwrap();
    tanto.keys(" ").await.unwrap();
    tanto.keys(&format!("{} ", Key::Down)).await.unwrap();
    tanto
        .wait_text(Locator::Css("[data-testid='acq-batch-selected']"), "2 件")
        .await;
    tanto
        .find(Locator::Css("[data-testid='acq-batch-print']"))
        .await
        .click()
        .await
        .unwrap();
    let done = tanto
        .wait_text(
            Locator::Css("[data-testid='acq-batch-success']"),
            "2 件のPDF",
        )
        .await;
    let folder = std::path::PathBuf::from(done.rsplit(": ").next().unwrap().trim());
    let files: Vec<_> = std::fs::read_dir(&folder)
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(files.iter().all(|f| f.ends_with(".pdf")), "{files:?}");
    let downloads = folder.parent().unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(downloads)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with('.') || n.ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    tanto.screenshot("acq-batch-printed").await;

    eprintln!("acquisition E2E took {:?}", started.elapsed());
    tokio::join!(tanto.stop(), shocho.stop(), shinsa.stop(), kessai.stop());
    server.stop().await;
}
