//! 支払遅延防止法 (政府契約の支払遅延防止等に関する法律) — inspection and payment
//! deadlines, and how close a deadline is.
//!
//! - Inspection (検査) within 14 days (工事) or 10 days (other work) of the vendor's
//!   completion notice; payment within 40 days (工事) or 30 days (other) of a proper
//!   invoice (適法な支払請求). A contract that sets no dates is read as 10 days for the
//!   inspection and 15 days for the payment.
//! - Days are counted without the first day (初日不算入): "within N days of X" allows
//!   X + N days at the latest.
//! - A defective invoice returned to the vendor stops the clock until the corrected one
//!   arrives; those days are added ([`suspended_days`]).
//! - Money must be in the vendor's account by the deadline, so the day to pay is the last
//!   bank business day on or before it ([`PaymentDue::pay_by`]).
//!
//! The day counts are effective-dated rule data ([`deadline_rules`]). Not modelled: the
//! law's rule that days by which an inspection overran its own deadline are deducted from
//! the payment period; callers handling a late inspection must shorten the period
//! themselves.

use std::sync::OnceLock;

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::calendar::{business_day_on_or_before, HolidayTable};
use crate::rules::{Effective, RuleTable, RuleValue};

/// What was delivered: the law gives 工事 longer periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkType {
    /// 工事 (construction work).
    Construction,
    /// それ以外の給付 (goods, services and everything else).
    Other,
}

impl WorkType {
    /// Both kinds, in the order the UI lists them.
    pub const ALL: [WorkType; 2] = [WorkType::Construction, WorkType::Other];

    /// 「工事」 / 「工事以外」.
    pub fn label_ja(self) -> &'static str {
        match self {
            WorkType::Construction => "工事",
            WorkType::Other => "工事以外",
        }
    }

    /// The stable code, the same as its JSON: `"construction"` / `"other"`.
    pub fn code(self) -> &'static str {
        match self {
            WorkType::Construction => "construction",
            WorkType::Other => "other",
        }
    }
}

/// The day counts of 支払遅延防止法 in force from a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeadlineDays {
    /// Inspection of 工事, days after the completion notice (14).
    pub inspection_construction: u32,
    /// Inspection of other work, days after the completion notice (10).
    pub inspection_other: u32,
    /// Payment for 工事, days after a proper invoice (40).
    pub payment_construction: u32,
    /// Payment for other work, days after a proper invoice (30).
    pub payment_other: u32,
    /// Inspection when the contract sets no date, any work (10).
    pub inspection_unspecified: u32,
    /// Payment when the contract sets no date, any work (15).
    pub payment_unspecified: u32,
}

impl DeadlineDays {
    /// The inspection period in days.
    pub fn inspection_days(&self, work: WorkType, contract_sets_dates: bool) -> u32 {
        match (contract_sets_dates, work) {
            (false, _) => self.inspection_unspecified,
            (true, WorkType::Construction) => self.inspection_construction,
            (true, WorkType::Other) => self.inspection_other,
        }
    }

    /// The payment period in days.
    pub fn payment_days(&self, work: WorkType, contract_sets_dates: bool) -> u32 {
        match (contract_sets_dates, work) {
            (false, _) => self.payment_unspecified,
            (true, WorkType::Construction) => self.payment_construction,
            (true, WorkType::Other) => self.payment_other,
        }
    }
}

impl RuleValue for DeadlineDays {
    fn summary_ja(&self) -> String {
        format!(
            "検査：工事{}日・工事以外{}日以内、支払：工事{}日・工事以外{}日以内（契約に定めがないときは検査{}日・支払{}日）",
            self.inspection_construction,
            self.inspection_other,
            self.payment_construction,
            self.payment_other,
            self.inspection_unspecified,
            self.payment_unspecified,
        )
    }

    fn check(&self) -> Result<(), String> {
        let all = [
            self.inspection_construction,
            self.inspection_other,
            self.payment_construction,
            self.payment_other,
            self.inspection_unspecified,
            self.payment_unspecified,
        ];
        if all.iter().any(|&n| n == 0 || n > 365) {
            return Err("日数は1日から365日の間で登録してください。".to_owned());
        }
        Ok(())
    }
}

/// The statute's values (昭和24年法律第256号, in force since 1949-12-12).
const STATUTE: DeadlineDays = DeadlineDays {
    inspection_construction: 14,
    inspection_other: 10,
    payment_construction: 40,
    payment_other: 30,
    inspection_unspecified: 10,
    payment_unspecified: 15,
};

/// The built-in table of 支払遅延防止法 day counts, for the UI's rule list. Its rows are
/// statute and not 要確認.
pub fn deadline_rules() -> &'static RuleTable<DeadlineDays> {
    static TABLE: OnceLock<RuleTable<DeadlineDays>> = OnceLock::new();
    TABLE.get_or_init(|| RuleTable {
        id: "procurement.payment_delay".to_owned(),
        name_ja: "支払遅延防止法の検査・支払期限（日数）".to_owned(),
        source_ja: "政府契約の支払遅延防止等に関する法律（第14条により地方公共団体に準用）"
            .to_owned(),
        rows: vec![Effective {
            from: NaiveDate::from_ymd_opt(1949, 12, 12).unwrap_or(NaiveDate::MIN),
            value: STATUTE,
            unconfirmed: false,
        }],
    })
}

/// The day counts in force on `on`; the statute's for days before the first row.
fn days_on(on: NaiveDate) -> DeadlineDays {
    deadline_rules().at(on).copied().unwrap_or(STATUTE)
}

fn plus_days(d: NaiveDate, days: u32) -> NaiveDate {
    d.checked_add_signed(Duration::days(i64::from(days)))
        .unwrap_or(NaiveDate::MAX)
}

/// The last day the inspection (検査) may be made: the completion notice's day plus 14
/// days (工事) or 10 days (other), or 10 days when the contract sets no date. The day
/// counts are those in force on the notice's day.
pub fn inspection_deadline(
    completion_notice: NaiveDate,
    work: WorkType,
    contract_sets_dates: bool,
) -> NaiveDate {
    let days = days_on(completion_notice).inspection_days(work, contract_sets_dates);
    plus_days(completion_notice, days)
}

/// When an invoice must be paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentDue {
    /// The last day the law allows: invoice received + `days` + `suspended_days`. A
    /// contract may set an earlier day.
    pub legal_deadline: NaiveDate,
    /// The last bank business day on or before `legal_deadline`: the money must arrive by
    /// then.
    pub pay_by: NaiveDate,
    /// The payment period the law gives (40, 30 or 15).
    pub days: u32,
    /// Days the clock stood still while a defective invoice was with the vendor.
    pub suspended_days: u32,
}

/// The payment deadline of an invoice received (適法な支払請求を受けた日) on
/// `invoice_received`: 40 days (工事) or 30 days (other), 15 when the contract sets no
/// date, plus `suspended_days` (see [`suspended_days`]); `pay_by` moves back to a bank
/// business day of `h`. The day counts are those in force on the receipt day.
pub fn payment_due(
    invoice_received: NaiveDate,
    work: WorkType,
    contract_sets_dates: bool,
    suspended_days: u32,
    h: &HolidayTable,
) -> PaymentDue {
    let days = days_on(invoice_received).payment_days(work, contract_sets_dates);
    let legal_deadline = plus_days(invoice_received, days.saturating_add(suspended_days));
    PaymentDue {
        legal_deadline,
        pay_by: business_day_on_or_before(legal_deadline, h),
        days,
        suspended_days,
    }
}

/// The days a defective invoice stops the clock: from the day it was returned to the
/// vendor (with the reason) to the day the corrected invoice arrived, i.e.
/// `corrected_received_on - returned_on`; 0 if the dates are the wrong way round.
pub fn suspended_days(returned_on: NaiveDate, corrected_received_on: NaiveDate) -> u32 {
    let days = (corrected_received_on - returned_on).num_days();
    u32::try_from(days.max(0)).unwrap_or(u32::MAX)
}

/// How a deadline stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Risk {
    /// The step is done; the deadline no longer matters.
    Done,
    /// More than the warning period is left.
    Ok {
        /// Days from today to the deadline.
        days_left: i64,
    },
    /// The deadline is today or within the warning period.
    DueSoon {
        /// Days from today to the deadline (0 = today).
        days_left: i64,
    },
    /// The deadline has passed.
    Overdue {
        /// Days since the deadline (1 = it was yesterday).
        days_over: i64,
    },
}

impl Risk {
    /// A short Japanese label, e.g. 「期限まで残り3日」, 「本日期限」, 「2日超過」.
    pub fn label_ja(&self) -> String {
        match *self {
            Risk::Done => "完了".to_owned(),
            Risk::Ok { days_left } => format!("残り{days_left}日"),
            Risk::DueSoon { days_left: 0 } => "本日期限".to_owned(),
            Risk::DueSoon { days_left } => format!("期限まで残り{days_left}日"),
            Risk::Overdue { days_over } => format!("期限を{days_over}日超過"),
        }
    }
}

/// How `deadline` stands on `today`: [`Risk::Done`] when `done`; otherwise overdue after
/// the deadline, due soon when 0 to `warn_days` days are left, ok beyond that.
pub fn risk(deadline: NaiveDate, today: NaiveDate, done: bool, warn_days: i64) -> Risk {
    if done {
        return Risk::Done;
    }
    let days_left = (deadline - today).num_days();
    if days_left < 0 {
        Risk::Overdue {
            days_over: -days_left,
        }
    } else if days_left <= warn_days {
        Risk::DueSoon { days_left }
    } else {
        Risk::Ok { days_left }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use chrono::{Datelike, Weekday};
    use proptest::prelude::*;

    use crate::procurement::calendar::is_bank_business_day;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn h() -> &'static HolidayTable {
        HolidayTable::builtin()
    }

    #[test]
    fn inspection_periods() {
        let notice = d(2026, 6, 1);
        assert_eq!(
            inspection_deadline(notice, WorkType::Construction, true),
            d(2026, 6, 15)
        );
        assert_eq!(
            inspection_deadline(notice, WorkType::Other, true),
            d(2026, 6, 11)
        );
        assert_eq!(
            inspection_deadline(notice, WorkType::Construction, false),
            d(2026, 6, 11)
        );
        assert_eq!(
            inspection_deadline(notice, WorkType::Other, false),
            d(2026, 6, 11)
        );
    }

    #[test]
    fn thirty_days_into_january_lands_on_a_friday() {
        // 2026-12-10 + 30 = 2027-01-09 (Saturday); Friday the 8th is open (成人の日 is
        // the 11th), so that is the day to pay.
        let due = payment_due(d(2026, 12, 10), WorkType::Other, true, 0, h());
        assert_eq!(due.days, 30);
        assert_eq!(due.legal_deadline, d(2027, 1, 9));
        assert_eq!(due.legal_deadline.weekday(), Weekday::Sat);
        assert_eq!(due.pay_by, d(2027, 1, 8));
    }

    #[test]
    fn deadline_in_the_year_end_closure_moves_back_to_december_30() {
        // 2026-12-04 + 30 = 2027-01-03 (Sunday); 1/1–1/3 and 12/31 are closed.
        let due = payment_due(d(2026, 12, 4), WorkType::Other, true, 0, h());
        assert_eq!(due.legal_deadline, d(2027, 1, 3));
        assert_eq!(due.pay_by, d(2026, 12, 30));
        // 2026-12-01 + 30 = 12/31 (Thursday, closed) → 12/30 as well.
        let due = payment_due(d(2026, 12, 1), WorkType::Other, true, 0, h());
        assert_eq!(due.legal_deadline, d(2026, 12, 31));
        assert_eq!(due.pay_by, d(2026, 12, 30));
    }

    #[test]
    fn golden_week() {
        // 2026-04-06 + 30 = 05-06 (振替休日); 5/2–5/6 closed → Friday 5/1.
        let due = payment_due(d(2026, 4, 6), WorkType::Other, true, 0, h());
        assert_eq!(due.legal_deadline, d(2026, 5, 6));
        assert_eq!(due.pay_by, d(2026, 5, 1));
        // 2026-03-30 + 30 = 04-29 (昭和の日, Wednesday) → 4/28.
        let due = payment_due(d(2026, 3, 30), WorkType::Other, true, 0, h());
        assert_eq!(due.pay_by, d(2026, 4, 28));
    }

    #[test]
    fn construction_forty_days() {
        // 2026-06-01 + 40 = 07-11 (Saturday) → Friday 07-10.
        let due = payment_due(d(2026, 6, 1), WorkType::Construction, true, 0, h());
        assert_eq!(due.days, 40);
        assert_eq!(due.legal_deadline, d(2026, 7, 11));
        assert_eq!(due.pay_by, d(2026, 7, 10));
    }

    #[test]
    fn no_dates_in_the_contract_fifteen_days() {
        // 2026-09-07 + 15 = 09-22 (国民の休日); 9/19–9/23 closed → Friday 9/18.
        for work in WorkType::ALL {
            let due = payment_due(d(2026, 9, 7), work, false, 0, h());
            assert_eq!(due.days, 15);
            assert_eq!(due.legal_deadline, d(2026, 9, 22));
            assert_eq!(due.pay_by, d(2026, 9, 18));
        }
    }

    #[test]
    fn a_defective_invoice_stops_the_clock() {
        // Returned 6/10, the corrected invoice arrives 6/17: 7 days do not count.
        let stopped = suspended_days(d(2026, 6, 10), d(2026, 6, 17));
        assert_eq!(stopped, 7);
        let due = payment_due(d(2026, 6, 1), WorkType::Other, true, stopped, h());
        assert_eq!(due.suspended_days, 7);
        // 6/1 + 30 + 7 = 7/8 (Wednesday).
        assert_eq!(due.legal_deadline, d(2026, 7, 8));
        assert_eq!(due.pay_by, d(2026, 7, 8));
        assert_eq!(suspended_days(d(2026, 6, 10), d(2026, 6, 10)), 0);
        assert_eq!(suspended_days(d(2026, 6, 17), d(2026, 6, 10)), 0);
    }

    #[test]
    fn risk_boundaries() {
        let deadline = d(2026, 7, 10);
        assert_eq!(
            risk(deadline, d(2026, 7, 3), false, 7),
            Risk::DueSoon { days_left: 7 }
        );
        assert_eq!(
            risk(deadline, d(2026, 7, 2), false, 7),
            Risk::Ok { days_left: 8 }
        );
        assert_eq!(
            risk(deadline, d(2026, 7, 10), false, 7),
            Risk::DueSoon { days_left: 0 }
        );
        assert_eq!(
            risk(deadline, d(2026, 7, 11), false, 7),
            Risk::Overdue { days_over: 1 }
        );
        assert_eq!(risk(deadline, d(2026, 7, 11), true, 7), Risk::Done);
        assert_eq!(
            risk(deadline, d(2026, 7, 10), false, 0),
            Risk::DueSoon { days_left: 0 }
        );
        assert_eq!(
            risk(deadline, d(2026, 7, 9), false, 0),
            Risk::Ok { days_left: 1 }
        );
    }

    #[test]
    fn risk_labels_and_json() {
        assert_eq!(Risk::Done.label_ja(), "完了");
        assert_eq!(Risk::Ok { days_left: 12 }.label_ja(), "残り12日");
        assert_eq!(Risk::DueSoon { days_left: 0 }.label_ja(), "本日期限");
        assert_eq!(Risk::DueSoon { days_left: 3 }.label_ja(), "期限まで残り3日");
        assert_eq!(Risk::Overdue { days_over: 2 }.label_ja(), "期限を2日超過");
        let json = |r: Risk| serde_json::to_string(&r).unwrap();
        assert_eq!(json(Risk::Done), r#"{"kind":"done"}"#);
        assert_eq!(
            json(Risk::Ok { days_left: 9 }),
            r#"{"kind":"ok","daysLeft":9}"#
        );
        assert_eq!(
            json(Risk::DueSoon { days_left: 3 }),
            r#"{"kind":"dueSoon","daysLeft":3}"#
        );
        assert_eq!(
            json(Risk::Overdue { days_over: 2 }),
            r#"{"kind":"overdue","daysOver":2}"#
        );
    }

    #[test]
    fn payment_due_json_and_work_type() {
        let due = payment_due(d(2026, 6, 1), WorkType::Construction, true, 0, h());
        assert_eq!(
            serde_json::to_string(&due).unwrap(),
            r#"{"legalDeadline":"2026-07-11","payBy":"2026-07-10","days":40,"suspendedDays":0}"#
        );
        for w in WorkType::ALL {
            assert_eq!(
                serde_json::to_value(w).unwrap(),
                serde_json::json!(w.code())
            );
        }
        assert_eq!(WorkType::Construction.label_ja(), "工事");
        assert_eq!(WorkType::Other.label_ja(), "工事以外");
    }

    #[test]
    fn rule_table_is_statute() {
        let table = deadline_rules();
        assert!(!table.unconfirmed());
        let info = table.info();
        assert_eq!(info.rows.len(), 1);
        assert!(info.rows[0].summary_ja.contains("工事40日"));
        assert!(table.rows.iter().all(|r| r.value.check().is_ok()));
        // Before the first row the statute's values still apply.
        assert_eq!(
            inspection_deadline(d(1940, 1, 1), WorkType::Construction, true),
            d(1940, 1, 15)
        );
    }

    proptest! {
        #[test]
        fn pay_by_is_a_business_day_not_after_the_deadline(
            offset in 0i64..9000,
            construction in any::<bool>(),
            sets_dates in any::<bool>(),
            stopped in 0u32..60,
        ) {
            let received = d(2000, 1, 1) + Duration::days(offset);
            let work = if construction { WorkType::Construction } else { WorkType::Other };
            let due = payment_due(received, work, sets_dates, stopped, h());
            prop_assert_eq!(
                (due.legal_deadline - received).num_days(),
                i64::from(due.days + stopped)
            );
            prop_assert!(due.pay_by <= due.legal_deadline);
            prop_assert!(is_bank_business_day(due.pay_by, h()));
            prop_assert!((due.legal_deadline - due.pay_by).num_days() <= 10);
        }
    }
}
