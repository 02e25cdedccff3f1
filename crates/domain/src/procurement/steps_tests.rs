#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;

use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn codes(f: &[Finding]) -> Vec<&'static str> {
    f.iter().map(|f| f.code).collect()
}

fn request(amount: i64) -> RequestBody {
    RequestBody {
        amount,
        purpose: "窓口用プリンターの更新".into(),
        category: Some(Category::Purchase),
        budget: BudgetRef {
            fiscal_year: 2026,
            code: "01-02-03".into(),
            name: "事務費 備品購入費".into(),
        },
        items: vec![Item {
            name: "A4カラーレーザープリンター".into(),
            spec: "両面・LAN".into(),
            quantity: "1".into(),
            unit: "台".into(),
            amount,
        }],
        quotes: vec![
            Quote {
                vendor_name: "株式会社ヤマダ事務機".into(),
                amount,
                ..Quote::default()
            },
            Quote {
                vendor_name: "有限会社サトウ商会".into(),
                amount: amount + 10_000,
                ..Quote::default()
            },
        ],
        selected_quote: Some(0),
        ..RequestBody::default()
    }
}

fn budget(allocated: i64, committed: i64) -> Option<BudgetStatus> {
    Some(BudgetStatus {
        allocated,
        committed,
    })
}

#[test]
fn a_complete_request_within_budget_has_no_findings() {
    let f = check_request(&request(300_000), budget(10_000_000, 0), d(2026, 6, 1));
    assert!(f.is_empty(), "{f:?}");
}

#[test]
fn the_budget_warns_from_90_percent_and_stops_beyond_the_remainder() {
    let r = request(300_000);
    let on = d(2026, 6, 1);
    // 1,000,000 allocated: 600,000 + 300,000 = 900,000 is exactly 90%.
    assert_eq!(
        codes(&check_request(&r, budget(1_000_000, 600_000), on)),
        ["procurement.budget_low"]
    );
    assert!(check_request(&r, budget(1_000_000, 599_999), on).is_empty());
    // Exactly the remainder is allowed (with the warning); one yen more is not.
    assert_eq!(
        codes(&check_request(&r, budget(1_000_000, 700_000), on)),
        ["procurement.budget_low"]
    );
    let over = check_request(&r, budget(1_000_000, 700_001), on);
    assert_eq!(codes(&over), ["procurement.budget_exceeded"]);
    assert!(over[0].message.contains("299,999円"), "{}", over[0].message);
    assert_eq!(
        codes(&check_request(&r, None, on)),
        ["procurement.budget_unknown"]
    );
}

#[test]
fn request_lines_must_add_up_and_quotes_are_compared() {
    let mut r = request(300_000);
    r.amount = 299_999;
    r.items[0].name.clear();
    r.selected_quote = Some(1);
    let f = check_request(&r, budget(10_000_000, 0), d(2026, 6, 1));
    let c = codes(&f);
    assert!(c.contains(&"procurement.amount_not_sum"), "{c:?}");
    assert!(c.contains(&"procurement.item_name_missing"), "{c:?}");
    assert!(c.contains(&"procurement.quote_not_lowest"), "{c:?}");
    r.selected_quote = Some(5);
    assert!(
        codes(&check_request(&r, budget(10_000_000, 0), d(2026, 6, 1)))
            .contains(&"procurement.quote_selection")
    );
    let empty = check_request(&RequestBody::default(), None, d(2026, 6, 1));
    let c = codes(&empty);
    for code in [
        "procurement.purpose_missing",
        "procurement.category_missing",
        "procurement.items_missing",
        "procurement.amount_not_positive",
        "procurement.budget_missing",
    ] {
        assert!(c.contains(&code), "{code} in {c:?}");
    }
}

fn contract_for(r: &RequestBody, amount: i64) -> ContractBody {
    ContractBody {
        amount,
        parent: "req".into(),
        vendor_id: Some("v1".into()),
        vendor: Vendor {
            name: "株式会社ヤマダ事務機".into(),
            name_kana: "カブシキガイシャヤマダジムキ".into(),
            corporate_number: Some("7000012050002".into()),
            invoice_registration: Some("T7000012050002".into()),
            ..Vendor::default()
        },
        category: r.category,
        method: Some(Method::Negotiated),
        ground: Some(NegotiatedGround::SmallAmount),
        period_from: Some(d(2026, 6, 10)),
        period_to: Some(d(2026, 6, 30)),
        work_type: Some(WorkType::Other),
        contract_sets_dates: true,
        document: Some(contract::required_document(amount, d(2026, 6, 1))),
        ..ContractBody::default()
    }
}

#[test]
fn a_small_negotiated_contract_passes_and_the_ceiling_is_checked_at_the_yen() {
    let on = d(2026, 6, 1);
    let r = request(3_000_000);
    let f = check_contract(&contract_for(&r, 3_000_000), &r, BankMaster::builtin(), on);
    assert!(f.is_empty(), "{f:?}");
    let f = check_contract(&contract_for(&r, 3_000_001), &r, BankMaster::builtin(), on);
    let c = codes(&f);
    assert!(c.contains(&"contract.over_small_amount_ceiling"), "{c:?}");
    assert!(c.contains(&"procurement.over_request"), "{c:?}");
}

#[test]
fn contract_documents_methods_and_periods() {
    let on = d(2026, 6, 1);
    let mut r = request(2_000_000);
    let mut c = contract_for(&r, 2_000_000);
    c.document = Some(ContractDocument::Acceptance);
    c.period_from = Some(d(2026, 7, 1));
    c.ground = Some(NegotiatedGround::Urgency);
    let f = codes(&check_contract(&c, &r, BankMaster::builtin(), on));
    assert!(f.contains(&"procurement.document_insufficient"), "{f:?}");
    assert!(f.contains(&"procurement.period_order"), "{f:?}");
    assert!(f.contains(&"procurement.ground_reason_missing"), "{f:?}");
    assert!(f.contains(&"contract.reason_required"), "{f:?}");
    // One quote only on a 少額随意契約.
    r.quotes.truncate(1);
    let c = contract_for(&r, 2_000_000);
    assert_eq!(
        codes(&check_contract(&c, &r, BankMaster::builtin(), on)),
        ["procurement.quotes_too_few"]
    );
    let empty = codes(&check_contract(
        &ContractBody::default(),
        &r,
        BankMaster::builtin(),
        on,
    ));
    for code in [
        "procurement.vendor_missing",
        "procurement.method_missing",
        "procurement.work_type_missing",
        "procurement.document_missing",
    ] {
        assert!(empty.contains(&code), "{code} in {empty:?}");
    }
}

#[test]
fn inspections_are_checked_against_the_legal_days() {
    let r = request(300_000);
    let c = contract_for(&r, 300_000);
    let mut i = InspectionBody {
        amount: 300_000,
        parent: "c".into(),
        completion_notice_on: Some(d(2026, 6, 1)),
        inspected_on: Some(d(2026, 6, 11)),
        inspector: "検査 一郎".into(),
        result: InspectionResult::Passed,
        note: String::new(),
    };
    // 10 days for goods: 6/11 is the last day.
    assert_eq!(inspection_deadline(&i, &c), Some(d(2026, 6, 11)));
    assert!(check_inspection(&i, &c, d(2026, 6, 12)).is_empty());
    i.inspected_on = Some(d(2026, 6, 12));
    assert_eq!(
        codes(&check_inspection(&i, &c, d(2026, 6, 12))),
        ["procurement.inspection_late"]
    );
    // Construction: 14 days.
    let mut cw = c.clone();
    cw.work_type = Some(WorkType::Construction);
    assert!(check_inspection(&i, &cw, d(2026, 6, 12)).is_empty());
    // Not in the future, not before the notice, not more than the contract.
    i.inspected_on = Some(d(2026, 5, 31));
    i.amount = 300_001;
    i.result = InspectionResult::Pending;
    let f = codes(&check_inspection(&i, &c, d(2026, 5, 30)));
    for code in [
        "procurement.date_in_future",
        "procurement.inspected_before_notice",
        "procurement.over_contract",
        "procurement.result_missing",
    ] {
        assert!(f.contains(&code), "{code} in {f:?}");
    }
}

#[test]
fn an_amended_request_is_counted_once() {
    let line = BudgetLine {
        fiscal_year: 2026,
        code: "01-02-03".into(),
        name: String::new(),
        allocated: 1_000_000,
    };
    let original = request(300_000);
    let mut change = request(450_000);
    change.amends = Some("orig".into());
    let new = request(100_000);
    // Before the change is submitted, the original counts.
    let s = budget_status(
        &new,
        [&line],
        [
            ("orig", &original, Some(Status::Approved)),
            ("chg", &change, None),
        ],
    )
    .unwrap();
    assert_eq!(s.committed, 300_000);
    // Once the change commits, it replaces the original.
    let s = budget_status(
        &new,
        [&line],
        [
            ("orig", &original, Some(Status::Approved)),
            ("chg", &change, Some(Status::InProgress)),
        ],
    )
    .unwrap();
    assert_eq!(s.committed, 450_000);
    // The change itself is checked against what is left without its original.
    let s = budget_status(
        &change,
        [&line],
        [("orig", &original, Some(Status::Approved))],
    )
    .unwrap();
    assert_eq!(s.committed, 0);
    // A rejected change gives the original back.
    let s = budget_status(
        &new,
        [&line],
        [
            ("orig", &original, Some(Status::Approved)),
            ("chg", &change, Some(Status::Rejected)),
        ],
    )
    .unwrap();
    assert_eq!(s.committed, 300_000);
    assert!(budget_status(&new, [], [("orig", &original, None)]).is_none());
}
