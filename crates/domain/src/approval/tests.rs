#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use serde_json::json;

use super::trail::{duration_ja, to_csv, trail};
use super::*;
use crate::acquisition::workflow::Role;
use crate::finding::Coded;

const OFFICE: &str = "1203";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap()
}

fn user(id: &str, roles: &[Role], positions: &[Position], office: Option<&str>) -> ApprovalActor {
    ApprovalActor {
        user_id: id.to_string(),
        roles: roles.to_vec(),
        positions: positions.to_vec(),
        office_code: office.map(str::to_string),
    }
}

fn directory() -> Vec<ApprovalActor> {
    use Position::*;
    vec![
        // The drafter is a 課長 too: self-approval must still be refused.
        user("drafter", &[Role::OfficeClerk], &[Kacho], Some(OFFICE)),
        user("kacho", &[Role::Approver], &[Kacho], None),
        user("kacho2", &[Role::Approver], &[Kacho], None),
        user("keiri", &[Role::Approver], &[KeiriKacho], None),
        user("shinsa", &[Role::SecretariatReviewer], &[], None),
        user("bucho", &[Role::Approver], &[Bucho], None),
        user("kyokucho", &[Role::Approver], &[Jimukyokucho], None),
        user("rijicho", &[Role::Approver], &[Rijicho], None),
        user("head", &[Role::OfficeHead], &[], Some(OFFICE)),
        user("dairi", &[Role::Approver], &[], None),
    ]
}

struct World {
    dir: Vec<ApprovalActor>,
    absences: Vec<Absence>,
    table: DecisionTable,
    now: DateTime<Utc>,
    kind: String,
    amount: i64,
    hash: String,
}

impl World {
    fn new(kind: &str, amount: i64) -> World {
        World {
            dir: directory(),
            absences: Vec::new(),
            table: DecisionTable::builtin().clone(),
            now: t0(),
            kind: kind.to_string(),
            amount,
            hash: content_hash(kind, "件名", &json!({ "amount": amount })),
        }
    }

    fn ctx(&self) -> Context<'_> {
        Context {
            now: self.now,
            today: jst(self.now).date(),
            kind: &self.kind,
            office_code: OFFICE,
            content_hash: &self.hash,
            amount_yen: self.amount,
            absences: &self.absences,
            directory: &self.dir,
            table: &self.table,
        }
    }

    fn who(&self, id: &str) -> ApprovalActor {
        self.dir.iter().find(|m| m.user_id == id).unwrap().clone()
    }

    fn submit(&self, flags: Flags) -> ApprovalState {
        submit(None, &self.who("drafter"), flags, None, &self.ctx()).unwrap()
    }

    fn act(&self, s: &ApprovalState, id: &str, a: Action) -> Result<ApprovalState, ApprovalError> {
        apply(s, &self.who(id), &a, &self.ctx())
    }

    fn approve(&self, s: &ApprovalState, id: &str) -> Result<ApprovalState, ApprovalError> {
        self.act(
            s,
            id,
            Action::Approve {
                seen_hash: self.hash.clone(),
                comment: None,
            },
        )
    }
}

fn positions_of(r: &FrozenRoute) -> Vec<String> {
    r.steps.iter().map(Step::label_ja).collect()
}

#[test]
fn builtin_table_is_valid() {
    for v in &DecisionTable::builtin().versions {
        v.validate().unwrap();
    }
}

#[test]
fn spending_bands_at_each_boundary_plus_minus_one_yen() {
    let t = DecisionTable::builtin();
    let day = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    let r = |yen| positions_of(&t.route(day, "contract", yen, Flags::default()).unwrap());
    assert_eq!(r(0), ["課長"]);
    assert_eq!(r(999_999), ["課長"]);
    assert_eq!(r(1_000_000), ["課長", "部長"]);
    assert_eq!(r(1_000_001), ["課長", "部長"]);
    assert_eq!(r(4_999_999), ["課長", "部長"]);
    let four = [
        "課長",
        "合議（経理課長・事務局審査担当）",
        "部長",
        "事務局長",
    ];
    assert_eq!(r(5_000_000), four);
    assert_eq!(r(29_999_999), four);
    assert_eq!(r(30_000_000).len(), 5);
    assert_eq!(r(30_000_000)[4], "理事長");
    assert_eq!(
        t.route(day, "contract", -1, Flags::default()).unwrap_err(),
        ApprovalError::NegativeAmount
    );
    assert_eq!(
        t.route(day, "note", 0, Flags::default())
            .unwrap_err()
            .code(),
        "approval.no_route"
    );
    // Before the first version: no table.
    let early = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    assert_eq!(
        t.route(early, "contract", 0, Flags::default()).unwrap_err(),
        ApprovalError::NoTable
    );
}

#[test]
fn flags_escalate() {
    let t = DecisionTable::builtin();
    let day = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    let unusual = Flags {
        unusual: true,
        ..Flags::default()
    };
    let precedent = Flags {
        precedent: true,
        ..Flags::default()
    };
    let important = Flags {
        important: true,
        ..Flags::default()
    };
    assert_eq!(t.route(day, "contract", 10, unusual).unwrap().band, 1);
    assert_eq!(t.route(day, "contract", 10, precedent).unwrap().band, 1);
    assert_eq!(t.route(day, "contract", 10, important).unwrap().band, 3);
    // Already at the top: stays there.
    assert_eq!(
        t.route(day, "contract", 40_000_000, unusual).unwrap().band,
        3
    );
    let acq = t.route(day, "acquisition", 0, Flags::default()).unwrap();
    assert_eq!(positions_of(&acq), ["所属所長", "事務局審査担当", "決裁者"]);
    let acq = t.route(day, "acquisition", 0, important).unwrap();
    assert_eq!(acq.steps.len(), 4);
    assert_eq!(important.label_ja(), "重要");
}

#[test]
fn serial_route_to_decision() {
    let w = World::new("contract", 2_000_000);
    let s = w.submit(Flags::default());
    assert_eq!(s.status, Status::InProgress);
    assert_eq!(s.route.table_id, "senketsu-2024-04-01");
    // Not yet the 部長's turn.
    assert_eq!(
        w.approve(&s, "bucho").unwrap_err(),
        ApprovalError::NotYourTurn
    );
    assert_eq!(
        w.approve(&s, "shinsa").unwrap_err(),
        ApprovalError::NotPermitted
    );
    let s = w.approve(&s, "kacho").unwrap();
    assert_eq!(s.current_step, 1);
    // The other 課長 comes too late: someone else handled it (a conflict).
    let e = w.approve(&s, "kacho2").unwrap_err();
    assert_eq!(e, ApprovalError::AlreadyHandled);
    assert!(e.is_conflict());
    let s = w.approve(&s, "bucho").unwrap();
    assert_eq!(s.status, Status::Approved);
    assert!(s.decided_at.is_some());
    let e = w.approve(&s, "bucho").unwrap_err();
    assert!(e.is_conflict());
}

#[test]
fn no_self_approval_even_with_the_position() {
    let w = World::new("contract", 10);
    let s = w.submit(Flags::default());
    assert_eq!(
        w.approve(&s, "drafter").unwrap_err(),
        ApprovalError::SelfApproval
    );
}

#[test]
fn approval_is_bound_to_the_content_seen() {
    let w = World::new("contract", 10);
    let s = w.submit(Flags::default());
    let e = w
        .act(
            &s,
            "kacho",
            Action::Approve {
                seen_hash: "sha256:old".into(),
                comment: None,
            },
        )
        .unwrap_err();
    assert_eq!(e, ApprovalError::ContentChanged);
    assert!(e.is_conflict());
    assert_eq!(e.code(), "approval.content_changed");
}

#[test]
fn consultation_in_any_order() {
    let w = World::new("contract", 6_000_000);
    let s = w.submit(Flags::default());
    let s = w.approve(&s, "kacho").unwrap();
    assert_eq!(s.current_step, 1);
    let s = w.approve(&s, "shinsa").unwrap();
    assert_eq!(s.current_step, 1, "合議 waits for every slot");
    let s = w.approve(&s, "keiri").unwrap();
    assert_eq!(s.current_step, 2);
    let task = task_for(&s, &w.who("bucho"), OFFICE, &[], &w.dir, w.now).unwrap();
    assert_eq!(
        task,
        Task::Decide {
            ordinal: 4,
            of: 5,
            slot_name: "部長".into()
        }
    );
}

#[test]
fn return_and_reject_need_a_reason() {
    let w = World::new("contract", 10);
    let s = w.submit(Flags::default());
    let blank = Action::Return {
        seen_hash: w.hash.clone(),
        reason: "  ".into(),
    };
    assert_eq!(
        w.act(&s, "kacho", blank).unwrap_err(),
        ApprovalError::ReasonRequired
    );
    let back = w
        .act(
            &s,
            "kacho",
            Action::Return {
                seen_hash: w.hash.clone(),
                reason: "見積書を添付してください".into(),
            },
        )
        .unwrap();
    assert_eq!(back.status, Status::Returned);
    assert_eq!(
        back.history.last().unwrap().comment.as_deref(),
        Some("見積書を添付してください")
    );
    // Resubmitted: round 2 from the first step.
    let again = submit(
        Some(&back),
        &w.who("drafter"),
        Flags::default(),
        None,
        &w.ctx(),
    )
    .unwrap();
    assert_eq!(again.round, 2);
    assert_eq!(again.current_step, 0);
    assert!(again
        .steps
        .iter()
        .flat_map(|s| &s.slots)
        .all(|s| s.done.is_none()));
    let rejected = w
        .act(
            &again,
            "kacho",
            Action::Reject {
                seen_hash: w.hash.clone(),
                reason: "予算がありません".into(),
            },
        )
        .unwrap();
    assert_eq!(rejected.status, Status::Rejected);
    assert!(rejected.status.is_decided());
    assert_eq!(
        submit(
            Some(&rejected),
            &w.who("drafter"),
            Flags::default(),
            None,
            &w.ctx()
        )
        .unwrap_err(),
        ApprovalError::Decided
    );
}

#[test]
fn withdraw_only_by_the_drafter_until_decided() {
    let w = World::new("contract", 10);
    let s = w.submit(Flags::default());
    assert_eq!(
        w.act(&s, "kacho", Action::Withdraw).unwrap_err(),
        ApprovalError::NotDrafter
    );
    let out = w.act(&s, "drafter", Action::Withdraw).unwrap();
    assert_eq!(out.status, Status::Withdrawn);
    let done = w.approve(&s, "kacho").unwrap();
    assert_eq!(
        w.act(&done, "drafter", Action::Withdraw).unwrap_err(),
        ApprovalError::Decided
    );
}

#[test]
fn delegate_decides_only_during_a_registered_absence() {
    let mut w = World::new("contract", 2_000_000);
    let s = w.submit(Flags::default());
    let s = w.approve(&s, "kacho").unwrap();
    let delegate = |w: &World, by: &str| {
        w.act(
            &s,
            by,
            Action::Delegate {
                seen_hash: w.hash.clone(),
                for_user: "bucho".into(),
                comment: None,
            },
        )
    };
    assert_eq!(delegate(&w, "dairi").unwrap_err(), ApprovalError::NotAbsent);
    w.absences.push(Absence {
        user_id: "bucho".into(),
        delegate_id: "dairi".into(),
        from: w.now - Duration::hours(1),
        until: w.now + Duration::hours(8),
    });
    assert_eq!(
        delegate(&w, "kacho2").unwrap_err(),
        ApprovalError::NotDelegate
    );
    let task = task_for(&s, &w.who("dairi"), OFFICE, &w.absences, &w.dir, w.now).unwrap();
    assert!(matches!(task, Task::DecideAsDelegate { ref for_user, .. } if for_user == "bucho"));
    let done = delegate(&w, "dairi").unwrap();
    assert_eq!(done.status, Status::Approved);
    let slot = done.steps[1].slots[0].done.as_ref().unwrap();
    assert_eq!(slot.by, "dairi");
    assert_eq!(
        slot.filled,
        Filled::Delegated {
            for_user: "bucho".into()
        }
    );
    // 後閲 by the absent 部長, open until read.
    assert_eq!(done.open_post_reads_for("bucho").count(), 1);
    assert_eq!(
        task_for(&done, &w.who("bucho"), OFFICE, &w.absences, &w.dir, w.now),
        Some(Task::PostRead)
    );
    assert_eq!(
        w.act(&done, "kacho", Action::PostRead).unwrap_err(),
        ApprovalError::NothingToRead
    );
    let read = w.act(&done, "bucho", Action::PostRead).unwrap();
    assert_eq!(read.open_post_reads_for("bucho").count(), 0);
    assert_eq!(read.post_reads[0].read_by.as_deref(), Some("bucho"));
    // After the absence ends, no more 代決.
    w.now += Duration::hours(9);
    assert_eq!(delegate(&w, "dairi").unwrap_err(), ApprovalError::NotAbsent);
}

#[test]
fn pull_up_past_absent_approvers_leaves_post_reads() {
    let mut w = World::new("contract", 2_000_000);
    let s = w.submit(Flags::default());
    let pull = |w: &World| {
        w.act(
            &s,
            "bucho",
            Action::PullUp {
                seen_hash: w.hash.clone(),
                comment: Some("至急".into()),
            },
        )
    };
    // Both 課長 are present.
    assert!(matches!(
        pull(&w).unwrap_err(),
        ApprovalError::NotPullable { .. }
    ));
    for k in ["kacho", "kacho2"] {
        w.absences.push(Absence {
            user_id: k.into(),
            delegate_id: "dairi".into(),
            from: w.now,
            until: w.now + Duration::days(2),
        });
    }
    let done = pull(&w).unwrap();
    assert_eq!(done.status, Status::Approved);
    assert_eq!(
        done.steps[0].slots[0].done.as_ref().unwrap().filled,
        Filled::PulledUp
    );
    let pr = &done.post_reads[0];
    assert_eq!(pr.owed_by, ["kacho", "kacho2"]);
    assert!(pr.is_open());
    let read = w.act(&done, "kacho2", Action::PostRead).unwrap();
    assert!(read.post_reads.iter().all(|p| !p.is_open()));
    assert_eq!(
        w.act(
            &s,
            "kacho",
            Action::PullUp {
                seen_hash: w.hash.clone(),
                comment: None
            }
        )
        .unwrap_err(),
        ApprovalError::NothingToPullUp
    );
}

#[test]
fn content_change_in_progress_resets_and_reroutes_with_the_frozen_table() {
    let mut w = World::new("contract", 900_000);
    // A new table version from 2026-07-01 lowers the 部長 threshold to 500,000.
    let mut v2 = w.table.versions[0].clone();
    v2.id = "v2".into();
    v2.from = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
    for k in &mut v2.kinds {
        if k.kind == "contract" {
            k.bands[1].from_yen = 500_000;
        }
    }
    w.table.versions.push(v2);
    let s = w.submit(Flags::default());
    assert_eq!(s.route.steps.len(), 1);
    let s = w.approve(&s, "kacho").unwrap();
    assert_eq!(s.status, Status::Approved);
    // Decided: immutable.
    w.amount = 950_000;
    w.hash = content_hash("contract", "件名", &json!({ "amount": 950_000 }));
    assert_eq!(
        content_changed(&s, &w.who("drafter"), &w.ctx()).unwrap_err(),
        ApprovalError::Decided
    );

    // Submitted in June, changed in July: still routed by the June table.
    let mut w = World::new("contract", 900_000);
    w.table = {
        let mut t = DecisionTable::builtin().clone();
        let mut v2 = t.versions[0].clone();
        v2.id = "v2".into();
        v2.from = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        for k in &mut v2.kinds {
            if k.kind == "contract" {
                k.bands[1].from_yen = 500_000;
            }
        }
        t.versions.push(v2);
        t
    };
    let s = w.submit(Flags::default());
    w.now = Utc.with_ymd_and_hms(2026, 7, 10, 0, 0, 0).unwrap();
    w.amount = 950_000;
    w.hash = content_hash("contract", "件名", &json!({ "amount": 950_000 }));
    let r = content_changed(&s, &w.who("drafter"), &w.ctx()).unwrap();
    assert_eq!(r.round, 2);
    assert_eq!(r.route.table_id, "senketsu-2024-04-01");
    assert_eq!(
        r.route.steps.len(),
        1,
        "the frozen June table: 950,000 < 1,000,000"
    );
    assert_eq!(r.history.last().unwrap().kind, ActKind::Reset);
    assert_eq!(
        r.history.last().unwrap().comment.as_deref(),
        Some("金額変更 900,000円 → 950,000円")
    );
    // Over the June threshold: the route grows and approvals start again.
    let s = w.approve(&r, "kacho").unwrap();
    assert_eq!(s.status, Status::Approved);
    let mut w2 = World::new("contract", 900_000);
    let s = w2.submit(Flags::default());
    w2.amount = 1_200_000;
    w2.hash = content_hash("contract", "件名", &json!({ "amount": 1_200_000 }));
    let r = content_changed(&s, &w2.who("drafter"), &w2.ctx()).unwrap();
    assert_eq!(positions_of(&r.route), ["課長", "部長"]);
    // A new submission in July uses the July table.
    let w3 = World {
        now: Utc.with_ymd_and_hms(2026, 7, 10, 0, 0, 0).unwrap(),
        ..World::new("contract", 600_000)
    };
    let mut w3 = w3;
    w3.table = w.table.clone();
    let s = w3.submit(Flags::default());
    assert_eq!(s.route.table_id, "v2");
    assert_eq!(s.route.steps.len(), 2);
}

#[test]
fn content_hash_is_canonical_and_ignores_the_approval_key() {
    let a = content_hash(
        "contract",
        "件名",
        &json!({"amount": 1, "b": [1, {"y": 2, "x": 1}]}),
    );
    let b = content_hash(
        "contract",
        "件名",
        &json!({"b": [1, {"x": 1, "y": 2}], "amount": 1, "approval": {"status": "x"}}),
    );
    assert_eq!(a, b);
    assert!(a.starts_with("sha256:"));
    assert_eq!(a.len(), 7 + 64);
    assert_ne!(
        a,
        content_hash(
            "contract",
            "件名",
            &json!({"amount": 2, "b": [1, {"x": 1, "y": 2}]})
        )
    );
    assert_ne!(
        a,
        content_hash(
            "contract",
            "件名2",
            &json!({"amount": 1, "b": [1, {"x": 1, "y": 2}]})
        )
    );
    assert_ne!(
        a,
        content_hash(
            "payment_order",
            "件名",
            &json!({"amount": 1, "b": [1, {"x": 1, "y": 2}]})
        )
    );
    // Pinned: the app and the server must agree across builds and versions.
    assert_eq!(
        content_hash("note", "t", &json!({"text": "あ"})),
        content_hash("note", "t", &json!({"text": "あ", "approval": null}))
    );
}

#[test]
fn state_round_trips_through_the_record_body() {
    let w = World::new("contract", 6_000_000);
    let s = w.approve(&w.submit(Flags::default()), "kacho").unwrap();
    let body = json!({ "amount": 6_000_000, BODY_KEY: serde_json::to_value(&s).unwrap() });
    assert_eq!(state_of(&body).unwrap(), s);
    assert_eq!(document_amount(&body), 6_000_000);
    assert_eq!(state_of(&json!({})), None);
}

#[test]
fn trail_rows_and_csv() {
    let mut w = World::new("contract", 2_000_000);
    let s = w.submit(Flags::default());
    w.now += Duration::minutes(90);
    let s = w.approve(&s, "kacho").unwrap();
    w.now += Duration::days(1) + Duration::hours(2);
    let s = w
        .act(
            &s,
            "bucho",
            Action::Return {
                seen_hash: w.hash.clone(),
                reason: "=HYPERLINK(\"x\"), 要再確認".into(),
            },
        )
        .unwrap();
    let rows = trail("R1", "備品購入, 第2期", &s);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1].waited_secs, 5_400);
    assert_eq!(rows[1].step_label, "1段階目 課長");
    assert_eq!(duration_ja(rows[2].waited_secs), "1日 2時間 0分");
    assert_eq!(duration_ja(30), "30秒");
    let csv = to_csv(&rows, &|u| format!("{u}さん"));
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert!(lines[0].starts_with("文書ID,件名,回,段階,操作"));
    assert!(
        lines[1].starts_with("R1,\"備品購入, 第2期\",1,,起案,drafterさん,,2026-06-01 09:00:00,0,")
    );
    assert!(lines[3].contains("差戻し,buchoさん"));
    // A formula is defused and quoted.
    assert!(lines[3].ends_with("\"'=HYPERLINK(\"\"x\"\"), 要再確認\""));
}

#[test]
fn yen_format() {
    assert_eq!(yen(0), "0");
    assert_eq!(yen(999), "999");
    assert_eq!(yen(1_000), "1,000");
    assert_eq!(yen(30_000_000), "30,000,000");
    assert_eq!(yen(-1_234), "-1,234");
}

mod props;
