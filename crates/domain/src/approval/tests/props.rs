//! Model-based property tests: random action sequences by random users against the
//! approval engine, each step checked against rules written out separately here.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use serde_json::json;

use super::super::*;
use super::{directory, OFFICE};

/// Users by index into [`directory`]: 0 is the usual drafter.
const USERS: usize = 10;

const AMOUNTS: [i64; 12] = [
    0,
    1,
    999_999,
    1_000_000,
    1_000_001,
    4_999_999,
    5_000_000,
    5_000_001,
    29_999_999,
    30_000_000,
    30_000_001,
    123_456_789,
];

#[derive(Debug, Clone)]
enum Op {
    Submit {
        by: usize,
        flags: (bool, bool, bool),
    },
    Approve {
        by: usize,
        stale: bool,
    },
    Delegate {
        by: usize,
        for_user: usize,
        stale: bool,
    },
    PullUp {
        by: usize,
        stale: bool,
    },
    Return {
        by: usize,
        blank: bool,
        stale: bool,
    },
    Reject {
        by: usize,
        blank: bool,
        stale: bool,
    },
    Withdraw {
        by: usize,
    },
    PostRead {
        by: usize,
    },
    Change {
        by: usize,
        amount: usize,
    },
    Wait {
        hours: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let u = 0..USERS;
    prop_oneof![
        1 => (u.clone(), any::<(bool, bool, bool)>()).prop_map(|(by, flags)| Op::Submit { by, flags }),
        6 => (u.clone(), prop::bool::weighted(0.1)).prop_map(|(by, stale)| Op::Approve { by, stale }),
        2 => (u.clone(), 0..USERS, prop::bool::weighted(0.1))
            .prop_map(|(by, for_user, stale)| Op::Delegate { by, for_user, stale }),
        2 => (u.clone(), prop::bool::weighted(0.1)).prop_map(|(by, stale)| Op::PullUp { by, stale }),
        1 => (u.clone(), any::<bool>(), prop::bool::weighted(0.1))
            .prop_map(|(by, blank, stale)| Op::Return { by, blank, stale }),
        1 => (u.clone(), any::<bool>(), prop::bool::weighted(0.1))
            .prop_map(|(by, blank, stale)| Op::Reject { by, blank, stale }),
        1 => u.clone().prop_map(|by| Op::Withdraw { by }),
        2 => u.clone().prop_map(|by| Op::PostRead { by }),
        1 => (u, 0..AMOUNTS.len()).prop_map(|(by, amount)| Op::Change { by, amount }),
        1 => (1i64..30).prop_map(|hours| Op::Wait { hours }),
    ]
}

#[derive(Debug, Clone)]
struct Scenario {
    kind: &'static str,
    amount: usize,
    /// (absent user, delegate, start hour, length in hours)
    absences: Vec<(usize, usize, i64, i64)>,
    ops: Vec<Op>,
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        prop::sample::select(vec!["contract", "payment_order", "acquisition"]),
        0..AMOUNTS.len(),
        prop::collection::vec((1..USERS, 1..USERS, 0i64..48, 1i64..72), 0..5),
        prop::collection::vec(op(), 1..40),
    )
        .prop_map(|(kind, amount, absences, ops)| Scenario {
            kind,
            amount,
            absences,
            ops,
        })
}

/// The builtin table plus a version from 2026-07-01 (JST) that lowers the 部長
/// threshold, so sequences cross a table change.
fn two_versions() -> DecisionTable {
    let mut t = DecisionTable::builtin().clone();
    let mut v2 = t.versions[0].clone();
    v2.id = "v2".into();
    v2.from = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
    for k in &mut v2.kinds {
        if k.kind != "acquisition" {
            k.bands[1].from_yen = 500_000;
        }
    }
    t.versions.push(v2);
    t
}

fn hash_of(kind: &str, amount: i64) -> String {
    content_hash(kind, "件名", &json!({ "amount": amount }))
}

/// The route the table gives, written out from the rule: the highest band whose lower
/// bound is not above the amount, one band up for 異例 or 先例, the top band for 重要.
fn expected_route(t: &RouteTable, kind: &str, amount: i64, flags: Flags) -> Vec<Step> {
    let k = t.kinds.iter().find(|k| k.kind == kind).unwrap();
    let mut band = 0;
    for (i, b) in k.bands.iter().enumerate() {
        if b.from_yen <= amount {
            band = i;
        }
    }
    if flags.unusual || flags.precedent {
        band = (band + 1).min(k.bands.len() - 1);
    }
    if flags.important {
        band = k.bands.len() - 1;
    }
    k.bands[band].steps.clone()
}

fn open_keys(s: &ApprovalState) -> Vec<(u32, usize, usize, Vec<String>)> {
    s.post_reads
        .iter()
        .filter(|p| p.is_open())
        .map(|p| (p.round, p.step, p.slot, p.owed_by.clone()))
        .collect()
}

fn run(sc: &Scenario) -> Result<(), TestCaseError> {
    let dir = directory();
    let table = two_versions();
    let start: DateTime<Utc> = Utc.with_ymd_and_hms(2026, 6, 29, 20, 0, 0).unwrap();
    let absences: Vec<Absence> = sc
        .absences
        .iter()
        .filter(|(u, d, _, _)| u != d)
        .map(|(u, d, from, len)| Absence {
            user_id: dir[*u].user_id.clone(),
            delegate_id: dir[*d].user_id.clone(),
            from: start + Duration::hours(*from),
            until: start + Duration::hours(from + len),
        })
        .collect();
    let mut now = start;
    let mut amount = AMOUNTS[sc.amount];
    let mut hash = hash_of(sc.kind, amount);
    let mut state: Option<ApprovalState> = None;
    let mut frozen_table = String::new();

    for op in &sc.ops {
        now += Duration::minutes(30);
        if let Op::Wait { hours } = op {
            now += Duration::hours(*hours);
            continue;
        }
        let ctx_hash = hash.clone();
        let ctx = Context {
            now,
            today: jst(now).date(),
            kind: sc.kind,
            office_code: OFFICE,
            content_hash: &ctx_hash,
            amount_yen: amount,
            absences: &absences,
            directory: &dir,
            table: &table,
        };
        let seen = |stale: bool| {
            if stale {
                "sha256:stale".to_string()
            } else {
                ctx_hash.clone()
            }
        };
        let reason = |blank: bool| {
            if blank {
                " ".to_string()
            } else {
                "理由".to_string()
            }
        };

        // Submit and content changes work on an optional state.
        match op {
            Op::Submit { by, flags } => {
                let flags = Flags {
                    important: flags.0,
                    unusual: flags.1,
                    precedent: flags.2,
                };
                if let Ok(next) = submit(state.as_ref(), &dir[*by], flags, None, &ctx) {
                    if let Some(prev) = &state {
                        prop_assert!(matches!(prev.status, Status::Returned | Status::Withdrawn));
                        prop_assert_eq!(&prev.drafter, &dir[*by].user_id);
                    }
                    let version = table.at(ctx.today).unwrap();
                    prop_assert_eq!(&next.route.table_id, &version.id);
                    prop_assert_eq!(
                        &next.route.steps,
                        &expected_route(version, sc.kind, amount, flags)
                    );
                    prop_assert!(next
                        .steps
                        .iter()
                        .flat_map(|s| &s.slots)
                        .all(|s| s.done.is_none()));
                    frozen_table = version.id.clone();
                    check(&next, &table, &frozen_table, sc.kind)?;
                    state = Some(next);
                } else if let Some(prev) = &state {
                    prop_assert!(
                        !matches!(prev.status, Status::Returned | Status::Withdrawn)
                            || prev.drafter != dir[*by].user_id
                    );
                }
                continue;
            }
            Op::Change { by, amount: a } => {
                let new_amount = AMOUNTS[*a];
                let Some(prev) = &state else {
                    amount = new_amount;
                    hash = hash_of(sc.kind, amount);
                    continue;
                };
                let new_hash = hash_of(sc.kind, new_amount);
                let cctx = Context {
                    content_hash: &new_hash,
                    amount_yen: new_amount,
                    ..ctx
                };
                match content_changed(prev, &dir[*by], &cctx) {
                    Ok(next) => {
                        prop_assert!(!prev.status.is_decided(), "a decided document changed");
                        if prev.status == Status::InProgress && new_amount != prev.amount_yen {
                            // Amount change during 回議: every approval starts again.
                            prop_assert_eq!(next.round, prev.round + 1);
                            prop_assert_eq!(next.current_step, 0);
                            prop_assert!(next
                                .steps
                                .iter()
                                .flat_map(|s| &s.slots)
                                .all(|s| s.done.is_none()));
                            prop_assert_eq!(next.amount_yen, new_amount);
                        }
                        for k in open_keys(prev) {
                            prop_assert!(open_keys(&next).contains(&k), "後閲 closed unread");
                        }
                        check(&next, &table, &frozen_table, sc.kind)?;
                        amount = new_amount;
                        hash = new_hash;
                        state = Some(next);
                    }
                    Err(e) => {
                        if prev.status.is_decided() {
                            prop_assert_eq!(e, ApprovalError::Decided);
                        }
                        // The content stays as it was (the server refuses the update).
                    }
                }
                continue;
            }
            _ => {}
        }

        let Some(prev) = state.clone() else { continue };
        let (by, action, stale) = match op {
            Op::Approve { by, stale } => (
                *by,
                Action::Approve {
                    seen_hash: seen(*stale),
                    comment: None,
                },
                *stale,
            ),
            Op::Delegate {
                by,
                for_user,
                stale,
            } => (
                *by,
                Action::Delegate {
                    seen_hash: seen(*stale),
                    for_user: dir[*for_user].user_id.clone(),
                    comment: None,
                },
                *stale,
            ),
            Op::PullUp { by, stale } => (
                *by,
                Action::PullUp {
                    seen_hash: seen(*stale),
                    comment: None,
                },
                *stale,
            ),
            Op::Return { by, blank, stale } => (
                *by,
                Action::Return {
                    seen_hash: seen(*stale),
                    reason: reason(*blank),
                },
                *stale,
            ),
            Op::Reject { by, blank, stale } => (
                *by,
                Action::Reject {
                    seen_hash: seen(*stale),
                    reason: reason(*blank),
                },
                *stale,
            ),
            Op::Withdraw { by } => (*by, Action::Withdraw, false),
            Op::PostRead { by } => (*by, Action::PostRead, false),
            Op::Submit { .. } | Op::Change { .. } | Op::Wait { .. } => continue,
        };
        let actor = &dir[by];
        let result = apply(&prev, actor, &action, &ctx);
        let Ok(next) = result else {
            continue;
        };
        // Decided documents take nothing but 後閲.
        if prev.status.is_decided() {
            prop_assert!(
                matches!(action, Action::PostRead),
                "decided document changed by {:?}",
                action
            );
        }
        // An approval is bound to the content the approver saw.
        prop_assert!(!stale, "an action on stale content was applied");
        // No self-approval.
        if action.seen_hash().is_some() {
            prop_assert_ne!(&actor.user_id, &prev.drafter);
        }
        // 代決 only by the designated delegate during a registered absence.
        if let Action::Delegate { for_user, .. } = &action {
            prop_assert!(absences.iter().any(|a| &a.user_id == for_user
                && a.delegate_id == actor.user_id
                && a.covers(now)));
        }
        // 後閲 stay open until read by one who owes them.
        for k in open_keys(&prev) {
            let read_now = matches!(action, Action::PostRead) && k.3.contains(&actor.user_id);
            prop_assert!(
                read_now || open_keys(&next).contains(&k),
                "後閲 closed unread"
            );
        }
        if let Action::PostRead = action {
            prop_assert!(open_keys(&next).len() < open_keys(&prev).len());
        }
        check(&next, &table, &frozen_table, sc.kind)?;
        state = Some(next);
    }
    Ok(())
}

/// Invariants of any state.
fn check(
    s: &ApprovalState,
    table: &DecisionTable,
    frozen: &str,
    kind: &str,
) -> Result<(), TestCaseError> {
    // The route is the frozen table's route for the state's amount and flags.
    prop_assert_eq!(&s.route.table_id, frozen);
    let version = table.by_id(frozen).unwrap();
    prop_assert_eq!(
        &s.route.steps,
        &expected_route(version, kind, s.amount_yen, s.flags)
    );
    prop_assert_eq!(s.steps.len(), s.route.steps.len());
    for step in s.steps.iter().flat_map(|s| &s.slots) {
        if let Some(d) = &step.done {
            match &d.filled {
                Filled::Approved => prop_assert_ne!(&d.by, &s.drafter, "self-approval"),
                Filled::Delegated { for_user } => {
                    prop_assert_ne!(&d.by, &s.drafter, "self-approval by delegate");
                    prop_assert_ne!(for_user, &s.drafter, "delegate for the drafter");
                }
                Filled::PulledUp => prop_assert_ne!(&d.by, &s.drafter, "self pull-up"),
            }
        }
    }
    if s.status == Status::Approved {
        // No decision without every step of the frozen route.
        prop_assert!(s
            .steps
            .iter()
            .flat_map(|s| &s.slots)
            .all(|sl| sl.done.is_some()));
        let last = s.steps.last().unwrap();
        prop_assert!(last
            .slots
            .iter()
            .all(|sl| !matches!(sl.done.as_ref().map(|d| &d.filled), Some(Filled::PulledUp))));
        prop_assert!(s.decided_at.is_some());
    }
    if s.status == Status::InProgress {
        prop_assert!(s.current_step < s.steps.len());
        prop_assert!(s.steps[..s.current_step]
            .iter()
            .all(|st| st.slots.iter().all(|sl| sl.done.is_some())));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, ..ProptestConfig::default() })]

    #[test]
    fn approval_sequences_keep_every_rule(sc in scenario()) {
        run(&sc)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    /// Random tables: the amount just below, at and above every band boundary.
    #[test]
    fn route_matches_the_table_at_boundaries(
        bounds in prop::collection::btree_set(1i64..100_000_000, 1..6),
        pick in 0usize..6,
        delta in -1i64..=1,
        flags in any::<(bool, bool, bool)>(),
    ) {
        use Position::*;
        let posts = [Kacho, KeiriKacho, Bucho, Jimukyokucho, Rijicho, Kacho];
        let mut bands = vec![Band { from_yen: 0, steps: vec![Step::one(Approver::Position(Kacho))] }];
        for (i, b) in bounds.iter().enumerate() {
            bands.push(Band {
                from_yen: *b,
                steps: (0..=i.min(4)).map(|j| Step::one(Approver::Position(posts[j]))).collect(),
            });
        }
        let t = RouteTable {
            id: "t".into(),
            from: NaiveDate::from_ymd_opt(2024, 4, 1).unwrap(),
            unconfirmed: false,
            kinds: vec![KindRoutes { kind: "contract".into(), name_ja: "契約".into(), bands: bands.clone() }],
        };
        let b = bands[pick % bands.len()].from_yen;
        let amount = (b + delta).max(0);
        let flags = Flags { important: flags.0, unusual: flags.1, precedent: flags.2 };
        let got = t.route("contract", amount, flags).unwrap();
        prop_assert_eq!(got.steps, expected_route(&t, "contract", amount, flags));
    }
}
