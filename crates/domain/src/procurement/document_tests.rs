#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use serde_json::json;

use super::*;
use crate::acquisition::workflow::Role;
use crate::approval::{
    content_hash, engine, jst, ApprovalActor, ApprovalState, Context, DecisionTable, Flags,
    Position, Status,
};

/// A real state from the engine (submitted by a clerk), then set to `status`.
fn state(kind: &str, status: Status) -> ApprovalState {
    let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
    let dir = vec![
        ApprovalActor {
            user_id: "clerk".into(),
            roles: vec![Role::OfficeClerk],
            positions: vec![],
            office_code: Some("1203".into()),
        },
        ApprovalActor {
            user_id: "kacho".into(),
            roles: vec![Role::Approver],
            positions: vec![Position::Kacho, Position::KeiriKacho],
            office_code: None,
        },
        ApprovalActor {
            user_id: "bucho".into(),
            roles: vec![Role::Approver],
            positions: vec![Position::Bucho],
            office_code: None,
        },
    ];
    let hash = content_hash(kind, "件名", &json!({ "amount": 100_000 }));
    let table = DecisionTable::builtin().clone();
    let ctx = Context {
        now,
        today: jst(now).date(),
        kind,
        office_code: "1203",
        content_hash: &hash,
        amount_yen: 100_000,
        absences: &[],
        directory: &dir,
        table: &table,
    };
    let mut s = engine::submit(None, &dir[0], Flags::default(), None, &ctx).expect("submits");
    s.status = status;
    s
}

fn linked<'a>(kind: &'a str, s: Option<&'a ApprovalState>, passed: Option<bool>) -> Linked<'a> {
    Linked {
        kind,
        approval: s,
        passed,
    }
}

#[test]
fn the_request_needs_no_parent_and_other_kinds_are_not_steps() {
    assert_eq!(check_parent(KIND_REQUEST, None), Ok(()));
    assert_eq!(check_parent("note", None), Ok(()));
    assert_eq!(check_parent(KIND_VENDOR, None), Ok(()));
    assert!(is_step(KIND_PAYMENT_ORDER));
    assert!(!is_step(KIND_VENDOR));
}

#[test]
fn each_step_starts_only_from_a_decided_parent_of_the_kind_before_it() {
    let approved = state(KIND_REQUEST, Status::Approved);
    assert_eq!(
        check_parent(
            KIND_CONTRACT,
            Some(linked(KIND_REQUEST, Some(&approved), None))
        ),
        Ok(())
    );
    for (status, code) in [
        (Status::InProgress, "procurement.parent_not_decided"),
        (Status::Returned, "procurement.parent_not_decided"),
        (Status::Withdrawn, "procurement.parent_not_decided"),
        (Status::Rejected, "procurement.parent_rejected"),
    ] {
        let s = state(KIND_REQUEST, status);
        let e =
            check_parent(KIND_CONTRACT, Some(linked(KIND_REQUEST, Some(&s), None))).unwrap_err();
        assert_eq!(e.code(), code, "{status:?}");
    }
    let e = check_parent(KIND_CONTRACT, Some(linked(KIND_REQUEST, None, None))).unwrap_err();
    assert_eq!(e.code(), "procurement.parent_not_decided");
    assert!(e.to_string().contains("未提出"), "{e}");
    let e = check_parent(KIND_CONTRACT, None).unwrap_err();
    assert_eq!(e.code(), "procurement.parent_missing");
    assert!(e.to_string().contains("調達依頼"), "{e}");
    // A contract cannot hang off another contract, nor a payment order off a contract.
    let c = state(KIND_CONTRACT, Status::Approved);
    let e = check_parent(KIND_CONTRACT, Some(linked(KIND_CONTRACT, Some(&c), None))).unwrap_err();
    assert_eq!(e.code(), "procurement.parent_kind");
    let e = check_parent(
        KIND_PAYMENT_ORDER,
        Some(linked(KIND_CONTRACT, Some(&c), None)),
    )
    .unwrap_err();
    assert_eq!(e.code(), "procurement.parent_kind");
    assert!(e.to_string().contains("検収・検査"), "{e}");
}

#[test]
fn a_payment_order_needs_an_inspection_that_passed() {
    let i = state(KIND_INSPECTION, Status::Approved);
    assert_eq!(
        check_parent(
            KIND_PAYMENT_ORDER,
            Some(linked(KIND_INSPECTION, Some(&i), Some(true)))
        ),
        Ok(())
    );
    for passed in [Some(false), None] {
        let e = check_parent(
            KIND_PAYMENT_ORDER,
            Some(linked(KIND_INSPECTION, Some(&i), passed)),
        )
        .unwrap_err();
        assert_eq!(e.code(), "procurement.inspection_failed");
    }
    assert!(inspection_passed(&json!({"result": "passed"})));
    assert!(!inspection_passed(&json!({"result": "failed"})));
    assert!(!inspection_passed(&json!({})));
}

#[test]
fn an_amendment_names_a_decided_original_of_the_same_kind() {
    let ok = state(KIND_CONTRACT, Status::Approved);
    assert_eq!(
        check_amends(KIND_CONTRACT, Some(linked(KIND_CONTRACT, Some(&ok), None))),
        Ok(())
    );
    let going = state(KIND_CONTRACT, Status::InProgress);
    let rejected = state(KIND_CONTRACT, Status::Rejected);
    for l in [
        None,
        Some(linked(KIND_REQUEST, Some(&ok), None)),
        Some(linked(KIND_CONTRACT, Some(&going), None)),
        Some(linked(KIND_CONTRACT, Some(&rejected), None)),
        Some(linked(KIND_CONTRACT, None, None)),
    ] {
        let e = check_amends(KIND_CONTRACT, l).unwrap_err();
        assert_eq!(e.code(), "approval.amends_invalid");
    }
}

#[test]
fn parents_chain_in_order() {
    let mut kind = KIND_REQUEST;
    let mut chain = vec![kind];
    while let Some(next) = child_kind(kind) {
        assert_eq!(parent_kind(next), Some(kind));
        chain.push(next);
        kind = next;
    }
    assert_eq!(chain, STEP_KINDS);
    assert_eq!(parent_of(&json!({"parent": "abc"})), Some("abc"));
    assert_eq!(parent_of(&json!({"parent": 3})), None);
}
