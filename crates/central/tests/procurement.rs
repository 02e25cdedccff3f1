//! 調達・契約・支払 on the central service, on both backends: a step starts only from a
//! decided parent of the kind before it (on creation and again on submission), the link
//! cannot be re-pointed, a payment order needs an inspection that passed, and a 変更起案
//! names a decided original.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use kyosai_central::testing::{postgres_skipped, TestBackend, TestServer};
use kyosai_domain::approval::{self as appr, Position};
use kyosai_sync_protocol::{CommandEnvelope, Role};
use serde_json::{json, Value};
use uuid::Uuid;

both_backends!(
    each_step_starts_from_a_decided_parent,
    an_amendment_names_a_decided_original,
    the_server_stops_a_request_beyond_its_budget
);

/// A budget line of 1,000,000 yen (2026, 「01-02-03」) registered by the clerk.
async fn budget_line(f: &mut Pusher<'_>, clerk: &User) {
    let b = json!({ "fiscalYear": 2026, "code": "01-02-03", "name": "備品購入費", "allocated": 1_000_000 });
    let id = Uuid::new_v4();
    assert_eq!(
        f.send(clerk, |s| create(s, id, "budget", &b)).await,
        "applied"
    );
}

fn request_body(amount: i64) -> Value {
    json!({
        "amount": amount,
        "purpose": "窓口用プリンターの購入",
        "budget": { "fiscalYear": 2026, "code": "01-02-03", "name": "備品購入費" }
    })
}

async fn setup_procurement(backend: TestBackend) -> (TestServer, Api) {
    let (server, api) = setup(backend).await;
    let s = server.storage();
    assert!(s.set_positions(APPROVER, &[Position::Kacho]).await.unwrap());
    server
        .add_user("keiri", "経理 課長", &[Role::Approver], None, PASSWORD)
        .await;
    (server, api)
}

fn create(seq: u64, id: Uuid, kind: &str, body: &Value) -> CommandEnvelope {
    command(
        seq,
        "record.create",
        id,
        None,
        json!({ "kind": kind, "office_code": "1203", "title": kind, "body": body }),
    )
}

fn create_in(seq: u64, id: Uuid, kind: &str, office: &str, body: &Value) -> CommandEnvelope {
    command(
        seq,
        "record.create",
        id,
        None,
        json!({ "kind": kind, "office_code": office, "title": kind, "body": body }),
    )
}

fn submit(seq: u64, id: Uuid, kind: &str, body: &Value) -> CommandEnvelope {
    command(
        seq,
        "approval.submit",
        id,
        None,
        json!({ "seen_hash": appr::content_hash(kind, kind, body) }),
    )
}

fn approve(seq: u64, id: Uuid, kind: &str, body: &Value) -> CommandEnvelope {
    let action = appr::Action::Approve {
        seen_hash: appr::content_hash(kind, kind, body),
        comment: None,
    };
    command(
        seq,
        "approval.act",
        id,
        None,
        serde_json::to_value(action).unwrap(),
    )
}

async fn each_step_starts_from_a_decided_parent(backend: TestBackend) {
    let (server, api) = setup_procurement(backend).await;
    let mut f = Pusher::new(&api);
    let clerk = api.login(CLERK_A).await;
    let other = api.login(CLERK_B).await;
    let kacho = api.login(APPROVER).await;

    // No parent, an unknown parent, a parent that is not a UUID.
    let contract = Uuid::new_v4();
    for body in [
        json!({ "amount": 300_000 }),
        json!({ "amount": 300_000, "parent": Uuid::new_v4().to_string() }),
        json!({ "amount": 300_000, "parent": "not-a-uuid" }),
    ] {
        assert_eq!(
            f.send(&clerk, |s| create(s, contract, "contract", &body))
                .await,
            "procurement.parent_missing"
        );
    }

    // The request starts the chain; a contract cannot start while it is undecided.
    let request = Uuid::new_v4();
    budget_line(&mut f, &clerk).await;
    let rb = request_body(300_000);
    assert_eq!(
        f.send(&clerk, |s| create(s, request, "procurement", &rb))
            .await,
        "applied"
    );
    let cb = json!({ "amount": 300_000, "parent": request.to_string() });
    assert_eq!(
        f.send(&clerk, |s| create(s, contract, "contract", &cb))
            .await,
        "procurement.parent_not_decided"
    );
    assert_eq!(
        f.send(&clerk, |s| submit(s, request, "procurement", &rb))
            .await,
        "applied"
    );
    assert_eq!(
        f.send(&clerk, |s| create(s, contract, "contract", &cb))
            .await,
        "procurement.parent_not_decided"
    );
    assert_eq!(
        f.send(&kacho, |s| approve(s, request, "procurement", &rb))
            .await,
        "applied"
    );
    assert_eq!(server.record(request).await.unwrap().state, "approved");

    // Another office's clerk cannot start from a request they cannot see.
    let foreign = Uuid::new_v4();
    assert_eq!(
        f.send(&other, |s| create_in(s, foreign, "contract", "1101", &cb))
            .await,
        "procurement.parent_missing"
    );
    // An inspection cannot hang off the request.
    let wrong = Uuid::new_v4();
    let wb = json!({ "amount": 300_000, "parent": request.to_string(), "result": "passed" });
    assert_eq!(
        f.send(&clerk, |s| create(s, wrong, "inspection", &wb))
            .await,
        "procurement.parent_kind"
    );

    assert_eq!(
        f.send(&clerk, |s| create(s, contract, "contract", &cb))
            .await,
        "applied"
    );
    // The link cannot be re-pointed afterwards.
    let other_request = Uuid::new_v4();
    let moved = json!({ "amount": 300_000, "parent": other_request.to_string() });
    let upd = |s| {
        command(
            s,
            "record.update",
            contract,
            Some(1),
            json!({ "title": "contract", "body": moved }),
        )
    };
    assert_eq!(f.send(&clerk, upd).await, "procurement.parent_changed");
    assert_eq!(
        f.send(&clerk, |s| submit(s, contract, "contract", &cb))
            .await,
        "applied"
    );
    assert_eq!(
        f.send(&kacho, |s| approve(s, contract, "contract", &cb))
            .await,
        "applied"
    );

    // An inspection that failed is decided, but no payment order can start from it.
    let failed = Uuid::new_v4();
    let fb = json!({ "amount": 300_000, "parent": contract.to_string(), "result": "failed" });
    assert_eq!(
        f.send(&clerk, |s| create(s, failed, "inspection", &fb))
            .await,
        "applied"
    );
    assert_eq!(
        f.send(&clerk, |s| submit(s, failed, "inspection", &fb))
            .await,
        "applied"
    );
    assert_eq!(
        f.send(&kacho, |s| approve(s, failed, "inspection", &fb))
            .await,
        "applied"
    );
    let order = Uuid::new_v4();
    let ob = json!({ "amount": 300_000, "parent": failed.to_string() });
    assert_eq!(
        f.send(&clerk, |s| create(s, order, "payment_order", &ob))
            .await,
        "procurement.inspection_failed"
    );

    let passed = Uuid::new_v4();
    let pb = json!({ "amount": 300_000, "parent": contract.to_string(), "result": "passed" });
    assert_eq!(
        f.send(&clerk, |s| create(s, passed, "inspection", &pb))
            .await,
        "applied"
    );
    assert_eq!(
        f.send(&clerk, |s| submit(s, passed, "inspection", &pb))
            .await,
        "applied"
    );
    assert_eq!(
        f.send(&kacho, |s| approve(s, passed, "inspection", &pb))
            .await,
        "applied"
    );
    let ob = json!({ "amount": 300_000, "parent": passed.to_string() });
    assert_eq!(
        f.send(&clerk, |s| create(s, order, "payment_order", &ob))
            .await,
        "applied"
    );
    assert_eq!(
        f.send(&clerk, |s| submit(s, order, "payment_order", &ob))
            .await,
        "applied"
    );
    assert_eq!(
        f.send(&kacho, |s| approve(s, order, "payment_order", &ob))
            .await,
        "applied"
    );
    assert_eq!(server.record(order).await.unwrap().state, "approved");
    server.stop().await;
}

async fn an_amendment_names_a_decided_original(backend: TestBackend) {
    let (server, api) = setup_procurement(backend).await;
    let mut f = Pusher::new(&api);
    let clerk = api.login(CLERK_A).await;
    let kacho = api.login(APPROVER).await;
    budget_line(&mut f, &clerk).await;
    let original = Uuid::new_v4();
    let ob = request_body(200_000);
    assert_eq!(
        f.send(&clerk, |s| create(s, original, "procurement", &ob))
            .await,
        "applied"
    );
    assert_eq!(
        f.send(&clerk, |s| submit(s, original, "procurement", &ob))
            .await,
        "applied"
    );

    let change = Uuid::new_v4();
    let mut chb = request_body(250_000);
    chb["amends"] = json!(original.to_string());
    let amend = |s| {
        command(
            s,
            "approval.submit",
            change,
            None,
            json!({
                "seen_hash": appr::content_hash("procurement", "procurement", &chb),
                "amends": original,
            }),
        )
    };
    assert_eq!(
        f.send(&clerk, |s| create(s, change, "procurement", &chb))
            .await,
        "applied"
    );
    // The original is still in 回議.
    assert_eq!(f.send(&clerk, amend).await, "approval.amends_invalid");
    assert_eq!(
        f.send(&kacho, |s| approve(s, original, "procurement", &ob))
            .await,
        "applied"
    );
    assert_eq!(f.send(&clerk, amend).await, "applied");
    server.stop().await;
}

async fn the_server_stops_a_request_beyond_its_budget(backend: TestBackend) {
    let (server, api) = setup_procurement(backend).await;
    let mut f = Pusher::new(&api);
    let clerk = api.login(CLERK_A).await;
    let kacho = api.login(APPROVER).await;
    // Not registered yet: refused.
    let first = Uuid::new_v4();
    let fb = request_body(600_000);
    assert_eq!(
        f.send(&clerk, |s| create(s, first, "procurement", &fb))
            .await,
        "applied"
    );
    assert_eq!(
        f.send(&clerk, |s| submit(s, first, "procurement", &fb))
            .await,
        "procurement.budget_unknown"
    );
    budget_line(&mut f, &clerk).await;
    assert_eq!(
        f.send(&clerk, |s| submit(s, first, "procurement", &fb))
            .await,
        "applied"
    );
    // 600,000 committed: 400,000 is left. One yen more is stopped.
    let second = Uuid::new_v4();
    let sb = request_body(400_001);
    assert_eq!(
        f.send(&clerk, |s| create(s, second, "procurement", &sb))
            .await,
        "applied"
    );
    assert_eq!(
        f.send(&clerk, |s| submit(s, second, "procurement", &sb))
            .await,
        "procurement.budget_exceeded"
    );
    let third = Uuid::new_v4();
    let tb = request_body(400_000);
    assert_eq!(
        f.send(&clerk, |s| create(s, third, "procurement", &tb))
            .await,
        "applied"
    );
    assert_eq!(
        f.send(&clerk, |s| submit(s, third, "procurement", &tb))
            .await,
        "applied"
    );
    // A rejected request gives its amount back.
    let reject = appr::Action::Reject {
        seen_hash: appr::content_hash("procurement", "procurement", &fb),
        reason: "見積をやり直してください。".to_string(),
    };
    let act = |s| {
        command(
            s,
            "approval.act",
            first,
            None,
            serde_json::to_value(&reject).unwrap(),
        )
    };
    assert_eq!(f.send(&kacho, act).await, "applied");
    assert_eq!(
        f.send(&clerk, |s| submit(s, second, "procurement", &sb))
            .await,
        "applied"
    );
    server.stop().await;
}
