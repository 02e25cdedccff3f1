//! Contract methods (契約方法) and the thresholds that decide them.
//!
//! - Method: 一般競争入札, 指名競争入札 or 随意契約; a 随意契約 needs a legal ground
//!   (地方自治法施行令第167条の2第1項 各号, [`NegotiatedGround`]).
//! - 少額随意契約 (第1号): allowed when the estimated amount (予定価格) does not exceed
//!   the ceiling of 別表第五 for the contract's [`Category`] (都道府県・指定都市 column),
//!   raised on 2025-04-01. The association's own 契約規程 governs, so the rows are 要確認
//!   rule data ([`ceiling_table`]).
//! - Contract document: a 契約書 above 1,000,000 yen, a 請書 above 100,000 yen, none
//!   needed at 100,000 yen or less ([`required_document`]); also 要確認 rule data
//!   ([`document_table`]).

use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::finding::Finding;
use crate::rules::{yen, Effective, RuleTable, RuleValue};

/// What is contracted for — the rows of 別表第五.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 工事又は製造の請負.
    Construction,
    /// 財産の買入れ.
    Purchase,
    /// 物件の借入れ.
    Lease,
    /// 財産の売払い.
    Sale,
    /// 物件の貸付け.
    LendOut,
    /// 前各号に掲げるもの以外のもの (services and everything else).
    Other,
}

impl Category {
    /// Every category, in the order of 別表第五.
    pub const ALL: [Category; 6] = [
        Category::Construction,
        Category::Purchase,
        Category::Lease,
        Category::Sale,
        Category::LendOut,
        Category::Other,
    ];

    /// The wording of 別表第五, e.g. 「工事又は製造の請負」.
    pub fn label_ja(self) -> &'static str {
        match self {
            Category::Construction => "工事又は製造の請負",
            Category::Purchase => "財産の買入れ",
            Category::Lease => "物件の借入れ",
            Category::Sale => "財産の売払い",
            Category::LendOut => "物件の貸付け",
            Category::Other => "前各号に掲げるもの以外のもの",
        }
    }

    /// The stable code, the same as its JSON, e.g. `"lend_out"`.
    pub fn code(self) -> &'static str {
        match self {
            Category::Construction => "construction",
            Category::Purchase => "purchase",
            Category::Lease => "lease",
            Category::Sale => "sale",
            Category::LendOut => "lend_out",
            Category::Other => "other",
        }
    }
}

/// How the counterparty is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// 一般競争入札.
    GeneralTender,
    /// 指名競争入札.
    DesignatedTender,
    /// 随意契約.
    Negotiated,
}

impl Method {
    /// Every method.
    pub const ALL: [Method; 3] = [
        Method::GeneralTender,
        Method::DesignatedTender,
        Method::Negotiated,
    ];

    /// 「一般競争入札」 / 「指名競争入札」 / 「随意契約」.
    pub fn label_ja(self) -> &'static str {
        match self {
            Method::GeneralTender => "一般競争入札",
            Method::DesignatedTender => "指名競争入札",
            Method::Negotiated => "随意契約",
        }
    }

    /// The stable code, the same as its JSON, e.g. `"general_tender"`.
    pub fn code(self) -> &'static str {
        match self {
            Method::GeneralTender => "general_tender",
            Method::DesignatedTender => "designated_tender",
            Method::Negotiated => "negotiated",
        }
    }

    /// Whether this is a tender (競争入札).
    pub fn is_tender(self) -> bool {
        !matches!(self, Method::Negotiated)
    }
}

/// The legal ground of a 随意契約: 地方自治法施行令第167条の2第1項 各号.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NegotiatedGround {
    /// 第1号: 予定価格が別表第五の額を超えない (少額).
    SmallAmount,
    /// 第2号: 性質又は目的が競争入札に適しない.
    Nature,
    /// 第3号・第4号: 障害者支援施設等からの調達, 新事業分野開拓者等からの調達.
    Welfare,
    /// 第5号: 緊急の必要により競争入札に付することができない.
    Urgency,
    /// 第6号: 競争入札に付することが不利と認められる.
    Disadvantage,
    /// 第7号: 時価に比して著しく有利な価格で契約を締結できる見込みがある.
    Price,
    /// 第8号: 競争入札に付し入札者がない、又は再度の入札に付し落札者がない.
    TenderFailed,
    /// 第9号: 落札者が契約を締結しない.
    NoWinner,
}

impl NegotiatedGround {
    /// Every ground, in the order of the article.
    pub const ALL: [NegotiatedGround; 8] = [
        NegotiatedGround::SmallAmount,
        NegotiatedGround::Nature,
        NegotiatedGround::Welfare,
        NegotiatedGround::Urgency,
        NegotiatedGround::Disadvantage,
        NegotiatedGround::Price,
        NegotiatedGround::TenderFailed,
        NegotiatedGround::NoWinner,
    ];

    /// The ground with its item number, e.g. 「第1号 少額」.
    pub fn label_ja(self) -> &'static str {
        match self {
            NegotiatedGround::SmallAmount => "第1号 少額",
            NegotiatedGround::Nature => "第2号 性質又は目的が競争入札に適しない",
            NegotiatedGround::Welfare => "第3号・第4号 障害者支援施設等・新事業分野開拓者等",
            NegotiatedGround::Urgency => "第5号 緊急の必要により競争入札に付することができない",
            NegotiatedGround::Disadvantage => "第6号 競争入札に付することが不利",
            NegotiatedGround::Price => "第7号 時価に比して著しく有利な価格",
            NegotiatedGround::TenderFailed => "第8号 入札者がない・再度の入札に付し落札者がない",
            NegotiatedGround::NoWinner => "第9号 落札者が契約を締結しない",
        }
    }

    /// The stable code, the same as its JSON, e.g. `"small_amount"`.
    pub fn code(self) -> &'static str {
        match self {
            NegotiatedGround::SmallAmount => "small_amount",
            NegotiatedGround::Nature => "nature",
            NegotiatedGround::Welfare => "welfare",
            NegotiatedGround::Urgency => "urgency",
            NegotiatedGround::Disadvantage => "disadvantage",
            NegotiatedGround::Price => "price",
            NegotiatedGround::TenderFailed => "tender_failed",
            NegotiatedGround::NoWinner => "no_winner",
        }
    }
}

/// 少額随意契約 ceilings in yen, one per [`Category`]: an estimated amount not exceeding
/// the ceiling may be contracted without a tender.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SmallAmountCeilings {
    /// 工事又は製造の請負.
    pub construction: i64,
    /// 財産の買入れ.
    pub purchase: i64,
    /// 物件の借入れ.
    pub lease: i64,
    /// 財産の売払い.
    pub sale: i64,
    /// 物件の貸付け.
    pub lend_out: i64,
    /// その他.
    pub other: i64,
}

impl SmallAmountCeilings {
    /// The ceiling of one category.
    pub fn get(&self, category: Category) -> i64 {
        match category {
            Category::Construction => self.construction,
            Category::Purchase => self.purchase,
            Category::Lease => self.lease,
            Category::Sale => self.sale,
            Category::LendOut => self.lend_out,
            Category::Other => self.other,
        }
    }
}

impl RuleValue for SmallAmountCeilings {
    fn summary_ja(&self) -> String {
        let parts: Vec<String> = Category::ALL
            .iter()
            .map(|&c| format!("{} {}", c.label_ja(), yen(self.get(c))))
            .collect();
        format!("{}（以下）", parts.join("、"))
    }

    fn check(&self) -> Result<(), String> {
        match Category::ALL.iter().find(|&&c| self.get(c) <= 0) {
            Some(c) => Err(format!(
                "「{}」の上限額が0円以下です。1円以上の額を登録してください。",
                c.label_ja()
            )),
            None => Ok(()),
        }
    }
}

/// 別表第五 (都道府県・指定都市) before 2025-04-01.
const CEILINGS_BEFORE_2025: SmallAmountCeilings = SmallAmountCeilings {
    construction: 2_500_000,
    purchase: 1_600_000,
    lease: 800_000,
    sale: 500_000,
    lend_out: 300_000,
    other: 1_000_000,
};

/// 別表第五 (都道府県・指定都市) from 2025-04-01.
const CEILINGS_FROM_2025: SmallAmountCeilings = SmallAmountCeilings {
    construction: 4_000_000,
    purchase: 3_000_000,
    lease: 1_500_000,
    sale: 1_000_000,
    lend_out: 500_000,
    other: 2_000_000,
};

fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(NaiveDate::MIN)
}

/// The built-in 少額随意契約 ceilings, for the UI's rule list. Rows are 要確認: the
/// association's 契約規程 governs. The first row's start (1982) is approximate; dates
/// before it get the first row's amounts.
pub fn ceiling_table() -> &'static RuleTable<SmallAmountCeilings> {
    static TABLE: OnceLock<RuleTable<SmallAmountCeilings>> = OnceLock::new();
    TABLE.get_or_init(|| RuleTable {
        id: "procurement.small_amount_ceilings".to_owned(),
        name_ja: "少額随意契約の予定価格の上限".to_owned(),
        source_ja: "地方自治法施行令第167条の2第1項第1号・別表第五（都道府県及び指定都市）。組合の契約規程が定める額を優先（要確認）".to_owned(),
        rows: vec![
            Effective {
                from: ymd(1982, 1, 1),
                value: CEILINGS_BEFORE_2025,
                unconfirmed: true,
            },
            Effective {
                from: ymd(2025, 4, 1),
                value: CEILINGS_FROM_2025,
                unconfirmed: true,
            },
        ],
    })
}

/// The 少額随意契約 ceiling of `category` on `on`, in yen: an estimated amount up to and
/// including it may be contracted under 第1号.
pub fn small_amount_ceiling(category: Category, on: NaiveDate) -> i64 {
    ceiling_table()
        .at(on)
        .unwrap_or(&CEILINGS_BEFORE_2025)
        .get(category)
}

/// The method to propose for a new contract: 随意契約 (少額) when the amount does not
/// exceed the ceiling, 一般競争入札 otherwise. [`check_method`] reports an amount that is
/// not positive.
pub fn suggested_method(category: Category, amount: i64, on: NaiveDate) -> Method {
    if amount <= small_amount_ceiling(category, on) {
        Method::Negotiated
    } else {
        Method::GeneralTender
    }
}

/// Checks the chosen method against the estimated amount (予定価格) and the 随意契約
/// ground. Findings name the fields `"method"`, `"ground"` and `"amount"`:
///
/// - `contract.amount_not_positive` (error, amount): the amount is 0 or less;
/// - `contract.ground_with_tender` (error, ground): a ground was chosen for a tender;
/// - `contract.ground_missing` (error, ground): 随意契約 without a ground;
/// - `contract.over_small_amount_ceiling` (error, method): 少額 above the ceiling;
/// - `contract.reason_required` (warning, ground): 随意契約 on grounds 2–9, whose reason
///   must be written in the request.
pub fn check_method(
    category: Category,
    method: Method,
    ground: Option<NegotiatedGround>,
    estimated_amount: i64,
    on: NaiveDate,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    if estimated_amount <= 0 {
        findings.push(Finding::error(
            "amount",
            "contract.amount_not_positive",
            "予定価格は1円以上で入力してください。",
        ));
    }
    match (method, ground) {
        (Method::GeneralTender | Method::DesignatedTender, Some(_)) => {
            findings.push(Finding::error(
                "ground",
                "contract.ground_with_tender",
                format!(
                    "{}では随意契約の理由は選べません。理由を外すか、契約方法を随意契約にしてください。",
                    method.label_ja()
                ),
            ));
        }
        (Method::GeneralTender | Method::DesignatedTender, None) => {}
        (Method::Negotiated, None) => {
            findings.push(Finding::error(
                "ground",
                "contract.ground_missing",
                "随意契約の理由（地方自治法施行令第167条の2第1項の各号）を選んでください。",
            ));
        }
        (Method::Negotiated, Some(NegotiatedGround::SmallAmount)) => {
            let ceiling = small_amount_ceiling(category, on);
            if estimated_amount > ceiling {
                findings.push(Finding::error(
                    "method",
                    "contract.over_small_amount_ceiling",
                    format!(
                        "予定価格{}は「{}」の少額随意契約の上限{}を超えています。競争入札にするか、該当する他の随意契約の理由を選んでください。",
                        yen(estimated_amount),
                        category.label_ja(),
                        yen(ceiling)
                    ),
                ));
            }
        }
        (Method::Negotiated, Some(other)) => {
            findings.push(Finding::warning(
                "ground",
                "contract.reason_required",
                format!(
                    "「{}」による随意契約です。該当する理由を起案に具体的に記載してください。",
                    other.label_ja()
                ),
            ));
        }
    }
    findings
}

/// The document a contract needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContractDocument {
    /// 契約書.
    Contract,
    /// 請書 (the vendor's written acceptance).
    Acceptance,
    /// 省略可: no contract document needed.
    Omitted,
}

impl ContractDocument {
    /// 「契約書」 / 「請書」 / 「省略可」.
    pub fn label_ja(self) -> &'static str {
        match self {
            ContractDocument::Contract => "契約書",
            ContractDocument::Acceptance => "請書",
            ContractDocument::Omitted => "省略可",
        }
    }

    /// The stable code, the same as its JSON, e.g. `"acceptance"`.
    pub fn code(self) -> &'static str {
        match self {
            ContractDocument::Contract => "contract",
            ContractDocument::Acceptance => "acceptance",
            ContractDocument::Omitted => "omitted",
        }
    }
}

/// Amounts that decide the contract document: above `contract_over` a 契約書, above
/// `acceptance_over` a 請書, otherwise none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentThresholds {
    /// A 契約書 is required when the amount exceeds this (1,000,000).
    pub contract_over: i64,
    /// A 請書 is required when the amount exceeds this (100,000).
    pub acceptance_over: i64,
}

impl RuleValue for DocumentThresholds {
    fn summary_ja(&self) -> String {
        format!(
            "{}を超える場合は契約書、{}を超える場合は請書、{}以下は省略可",
            yen(self.contract_over),
            yen(self.acceptance_over),
            yen(self.acceptance_over)
        )
    }

    fn check(&self) -> Result<(), String> {
        if self.acceptance_over < 0 || self.contract_over <= self.acceptance_over {
            return Err(
                "請書の基準額は0円以上、契約書の基準額は請書の基準額より大きくしてください。"
                    .to_owned(),
            );
        }
        Ok(())
    }
}

const DOCUMENT_THRESHOLDS: DocumentThresholds = DocumentThresholds {
    contract_over: 1_000_000,
    acceptance_over: 100_000,
};

/// The built-in contract document thresholds, for the UI's rule list. 要確認: the
/// association's 契約規程 governs; the row applies to every date (its start is not
/// modelled).
pub fn document_table() -> &'static RuleTable<DocumentThresholds> {
    static TABLE: OnceLock<RuleTable<DocumentThresholds>> = OnceLock::new();
    TABLE.get_or_init(|| RuleTable {
        id: "procurement.contract_document".to_owned(),
        name_ja: "契約書・請書の要否".to_owned(),
        source_ja: "組合の契約規程（東京都契約事務規則に倣った既定値、要確認）".to_owned(),
        rows: vec![Effective {
            from: ymd(1900, 1, 1),
            value: DOCUMENT_THRESHOLDS,
            unconfirmed: true,
        }],
    })
}

/// The document a contract of `amount` yen needs on `on`: 契約書 above 1,000,000 yen,
/// 請書 from 100,001 to 1,000,000 yen, none (省略可) at 100,000 yen or less.
pub fn required_document(amount: i64, on: NaiveDate) -> ContractDocument {
    let t = document_table().at(on).unwrap_or(&DOCUMENT_THRESHOLDS);
    if amount > t.contract_over {
        ContractDocument::Contract
    } else if amount > t.acceptance_over {
        ContractDocument::Acceptance
    } else {
        ContractDocument::Omitted
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::finding::{has_errors, Severity};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    const OLD: NaiveDate = match NaiveDate::from_ymd_opt(2025, 3, 31) {
        Some(x) => x,
        None => panic!(),
    };
    const NEW: NaiveDate = match NaiveDate::from_ymd_opt(2025, 4, 1) {
        Some(x) => x,
        None => panic!(),
    };

    fn codes(findings: &[Finding]) -> Vec<&'static str> {
        findings.iter().map(|f| f.code).collect()
    }

    #[test]
    fn ceilings_on_both_sides_of_2025_04_01() {
        let expected = [
            (Category::Construction, 2_500_000, 4_000_000),
            (Category::Purchase, 1_600_000, 3_000_000),
            (Category::Lease, 800_000, 1_500_000),
            (Category::Sale, 500_000, 1_000_000),
            (Category::LendOut, 300_000, 500_000),
            (Category::Other, 1_000_000, 2_000_000),
        ];
        for (category, old, new) in expected {
            assert_eq!(small_amount_ceiling(category, OLD), old, "{category:?}");
            assert_eq!(small_amount_ceiling(category, NEW), new, "{category:?}");
            // Before the first row the earliest amounts apply.
            assert_eq!(small_amount_ceiling(category, d(1970, 1, 1)), old);
        }
    }

    #[test]
    fn small_amount_boundary_for_every_category_and_day() {
        for category in Category::ALL {
            for on in [OLD, NEW] {
                let c = small_amount_ceiling(category, on);
                let at = check_method(
                    category,
                    Method::Negotiated,
                    Some(NegotiatedGround::SmallAmount),
                    c,
                    on,
                );
                assert!(at.is_empty(), "{category:?} {on} {at:?}");
                let below = check_method(
                    category,
                    Method::Negotiated,
                    Some(NegotiatedGround::SmallAmount),
                    c - 1,
                    on,
                );
                assert!(below.is_empty());
                let over = check_method(
                    category,
                    Method::Negotiated,
                    Some(NegotiatedGround::SmallAmount),
                    c + 1,
                    on,
                );
                assert_eq!(codes(&over), ["contract.over_small_amount_ceiling"]);
                assert_eq!(over[0].field, "method");
                assert_eq!(over[0].severity, Severity::Error);
                assert!(over[0].message.contains(&yen(c)), "{}", over[0].message);
                assert!(over[0].message.contains("競争入札"));

                assert_eq!(suggested_method(category, c - 1, on), Method::Negotiated);
                assert_eq!(suggested_method(category, c, on), Method::Negotiated);
                assert_eq!(suggested_method(category, c + 1, on), Method::GeneralTender);
            }
        }
    }

    #[test]
    fn the_raise_matters_on_the_day() {
        // 3,000,000 yen of construction: over the old ceiling, within the new one.
        let old = check_method(
            Category::Construction,
            Method::Negotiated,
            Some(NegotiatedGround::SmallAmount),
            3_000_000,
            OLD,
        );
        assert_eq!(codes(&old), ["contract.over_small_amount_ceiling"]);
        assert!(old[0].message.contains("2,500,000円"));
        let new = check_method(
            Category::Construction,
            Method::Negotiated,
            Some(NegotiatedGround::SmallAmount),
            3_000_000,
            NEW,
        );
        assert!(new.is_empty());
    }

    #[test]
    fn negotiated_needs_a_ground() {
        let f = check_method(Category::Purchase, Method::Negotiated, None, 500_000, NEW);
        assert_eq!(codes(&f), ["contract.ground_missing"]);
        assert_eq!(f[0].field, "ground");
        assert!(has_errors(&f));
    }

    #[test]
    fn a_tender_takes_no_ground() {
        for method in [Method::GeneralTender, Method::DesignatedTender] {
            let f = check_method(
                Category::Other,
                method,
                Some(NegotiatedGround::Urgency),
                10_000_000,
                NEW,
            );
            assert_eq!(codes(&f), ["contract.ground_with_tender"]);
            assert_eq!(f[0].field, "ground");
            assert!(f[0].message.contains(method.label_ja()));
            // A tender is fine at any amount, even below the ceiling.
            assert!(check_method(Category::Other, method, None, 10_000_000, NEW).is_empty());
            assert!(check_method(Category::Other, method, None, 1, NEW).is_empty());
        }
    }

    #[test]
    fn other_grounds_ask_for_the_reason() {
        for ground in NegotiatedGround::ALL {
            if ground == NegotiatedGround::SmallAmount {
                continue;
            }
            // Well above the ceiling: grounds 2–9 do not depend on the amount.
            let f = check_method(
                Category::Construction,
                Method::Negotiated,
                Some(ground),
                50_000_000,
                NEW,
            );
            assert_eq!(codes(&f), ["contract.reason_required"], "{ground:?}");
            assert_eq!(f[0].severity, Severity::Warning);
            assert_eq!(f[0].field, "ground");
            assert!(f[0].message.contains(ground.label_ja()));
            assert!(f[0].message.contains("記載"));
        }
    }

    #[test]
    fn amount_must_be_positive() {
        for amount in [0, -1] {
            let f = check_method(
                Category::Other,
                Method::Negotiated,
                Some(NegotiatedGround::SmallAmount),
                amount,
                NEW,
            );
            assert_eq!(codes(&f), ["contract.amount_not_positive"]);
            assert_eq!(f[0].field, "amount");
        }
        assert!(check_method(
            Category::Other,
            Method::Negotiated,
            Some(NegotiatedGround::SmallAmount),
            1,
            NEW
        )
        .is_empty());
        let f = check_method(Category::Other, Method::GeneralTender, None, 0, NEW);
        assert_eq!(codes(&f), ["contract.amount_not_positive"]);
    }

    #[test]
    fn document_boundaries() {
        for on in [OLD, NEW] {
            assert_eq!(required_document(1_000_001, on), ContractDocument::Contract);
            assert_eq!(
                required_document(1_000_000, on),
                ContractDocument::Acceptance
            );
            assert_eq!(required_document(999_999, on), ContractDocument::Acceptance);
            assert_eq!(required_document(100_001, on), ContractDocument::Acceptance);
            assert_eq!(required_document(100_000, on), ContractDocument::Omitted);
            assert_eq!(required_document(99_999, on), ContractDocument::Omitted);
            assert_eq!(required_document(0, on), ContractDocument::Omitted);
        }
    }

    #[test]
    fn rule_tables_for_the_rule_list() {
        let ceilings = ceiling_table();
        assert!(ceilings.unconfirmed());
        assert!(ceilings
            .rows
            .iter()
            .all(|r| r.unconfirmed && r.value.check().is_ok()));
        let info = ceilings.info();
        assert_eq!(info.rows.len(), 2);
        assert!(info.rows[1]
            .summary_ja
            .starts_with("工事又は製造の請負 4,000,000円、財産の買入れ 3,000,000円"));
        let docs = document_table();
        assert!(docs.unconfirmed());
        assert!(docs.rows.iter().all(|r| r.value.check().is_ok()));
        assert_eq!(
            docs.info().rows[0].summary_ja,
            "1,000,000円を超える場合は契約書、100,000円を超える場合は請書、100,000円以下は省略可"
        );
        let bad = SmallAmountCeilings {
            lease: 0,
            ..CEILINGS_FROM_2025
        };
        assert!(bad.check().unwrap_err().contains("物件の借入れ"));
        let bad_docs = DocumentThresholds {
            contract_over: 100_000,
            acceptance_over: 100_000,
        };
        assert!(bad_docs.check().is_err());
    }

    #[test]
    fn codes_are_the_json_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for c in Category::ALL {
            assert_eq!(
                serde_json::to_value(c).unwrap(),
                serde_json::json!(c.code())
            );
            assert!(seen.insert(c.code()));
            assert!(!c.label_ja().is_empty());
        }
        for m in Method::ALL {
            assert_eq!(
                serde_json::to_value(m).unwrap(),
                serde_json::json!(m.code())
            );
        }
        let mut seen = std::collections::HashSet::new();
        for g in NegotiatedGround::ALL {
            assert_eq!(
                serde_json::to_value(g).unwrap(),
                serde_json::json!(g.code())
            );
            assert!(seen.insert(g.code()));
            assert!(g.label_ja().starts_with('第'), "{}", g.label_ja());
        }
        for doc in [
            ContractDocument::Contract,
            ContractDocument::Acceptance,
            ContractDocument::Omitted,
        ] {
            assert_eq!(
                serde_json::to_value(doc).unwrap(),
                serde_json::json!(doc.code())
            );
        }
        let back: Category = serde_json::from_str(r#""lend_out""#).unwrap();
        assert_eq!(back, Category::LendOut);
        assert_eq!(
            NegotiatedGround::Welfare.label_ja(),
            "第3号・第4号 障害者支援施設等・新事業分野開拓者等"
        );
        assert!(Method::DesignatedTender.is_tender());
        assert!(!Method::Negotiated.is_tender());
    }
}
