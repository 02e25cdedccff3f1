#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;

use super::*;

const OFFICE: &str = "1234";
const DRAFTER: &str = "clerk-a";

fn actor(id: &str, roles: &[Role], office: Option<&str>) -> Actor {
    Actor {
        user_id: id.to_owned(),
        roles: roles.to_vec(),
        office_code: office.map(str::to_owned),
    }
}

fn action(kind: ActionKind, reason: &str) -> Action {
    match kind {
        ActionKind::Submit => Action::Submit,
        ActionKind::Certify => Action::Certify,
        ActionKind::Review => Action::Review,
        ActionKind::Register => Action::Register,
        ActionKind::Return => Action::Return {
            reason: reason.to_owned(),
        },
        ActionKind::Withdraw => Action::Withdraw,
    }
}

/// The specification, written out: (from, action, role, bound to the record's office,
/// refused to the drafter, to).
const ALLOWED: &[(State, ActionKind, Role, bool, bool, State)] = &[
    (
        State::Draft,
        ActionKind::Submit,
        Role::OfficeClerk,
        true,
        false,
        State::Submitted,
    ),
    (
        State::Submitted,
        ActionKind::Certify,
        Role::OfficeHead,
        true,
        true,
        State::Certified,
    ),
    (
        State::Submitted,
        ActionKind::Return,
        Role::OfficeHead,
        true,
        false,
        State::Draft,
    ),
    (
        State::Certified,
        ActionKind::Review,
        Role::SecretariatReviewer,
        false,
        true,
        State::Reviewed,
    ),
    (
        State::Certified,
        ActionKind::Return,
        Role::SecretariatReviewer,
        false,
        false,
        State::Draft,
    ),
    (
        State::Reviewed,
        ActionKind::Register,
        Role::SecretariatReviewer,
        false,
        true,
        State::Registered,
    ),
    (
        State::Reviewed,
        ActionKind::Register,
        Role::Approver,
        false,
        true,
        State::Registered,
    ),
    (
        State::Reviewed,
        ActionKind::Return,
        Role::SecretariatReviewer,
        false,
        false,
        State::Draft,
    ),
    (
        State::Reviewed,
        ActionKind::Return,
        Role::Approver,
        false,
        false,
        State::Draft,
    ),
];

/// Every (state, action, role) with the actor in or out of the office and being the
/// drafter or not: the result is exactly what the table says.
#[test]
fn every_state_action_role_combination() {
    let mut checked = 0;
    for state in State::ALL {
        for kind in ActionKind::ALL {
            for role in Role::ALL.into_iter().map(Some).chain([None]) {
                for same_office in [true, false] {
                    for is_drafter in [true, false] {
                        let roles: Vec<Role> = role.into_iter().collect();
                        let office = if same_office { OFFICE } else { "9999" };
                        let id = if is_drafter { DRAFTER } else { "someone-else" };
                        let who = actor(id, &roles, Some(office));
                        let got = transition(
                            state,
                            &action(kind, "書類不備のため"),
                            &who,
                            DRAFTER,
                            OFFICE,
                        );
                        let expected: Result<State, &str> = if state.is_final() {
                            Err("workflow.finished")
                        } else if kind == ActionKind::Withdraw {
                            if is_drafter {
                                Ok(State::Withdrawn)
                            } else {
                                Err("workflow.not_drafter")
                            }
                        } else {
                            let rows: Vec<_> = ALLOWED
                                .iter()
                                .filter(|r| r.0 == state && r.1 == kind)
                                .collect();
                            match rows.iter().find(|r| Some(r.2) == role) {
                                _ if rows.is_empty() => Err("workflow.not_allowed_in_state"),
                                None => Err("workflow.role_required"),
                                Some(r) if r.3 && !same_office => Err("workflow.other_office"),
                                Some(r) if r.4 && is_drafter => Err("workflow.own_draft"),
                                Some(r) => Ok(r.5),
                            }
                        };
                        assert_eq!(
                            got.as_ref().map_err(TransitionError::code).copied(),
                            expected,
                            "{state:?} {kind:?} {role:?} same_office={same_office} drafter={is_drafter}"
                        );
                        checked += 1;
                    }
                }
            }
        }
    }
    assert_eq!(checked, 6 * 6 * 6 * 2 * 2);
}

#[test]
fn the_happy_path_with_three_people() {
    let clerk = actor(DRAFTER, &[Role::OfficeClerk], Some(OFFICE));
    let head = actor("head-1", &[Role::OfficeHead], Some(OFFICE));
    let reviewer = actor("reviewer-1", &[Role::SecretariatReviewer], None);
    let s = transition(State::Draft, &Action::Submit, &clerk, DRAFTER, OFFICE).unwrap();
    assert_eq!(s, State::Submitted);
    let s = transition(s, &Action::Certify, &head, DRAFTER, OFFICE).unwrap();
    assert_eq!(s, State::Certified);
    let s = transition(s, &Action::Review, &reviewer, DRAFTER, OFFICE).unwrap();
    assert_eq!(s, State::Reviewed);
    let s = transition(s, &Action::Register, &reviewer, DRAFTER, OFFICE).unwrap();
    assert_eq!(s, State::Registered);
    let err = transition(s, &Action::Withdraw, &clerk, DRAFTER, OFFICE).unwrap_err();
    assert_eq!(err.code(), "workflow.finished");
    assert_eq!(
        err.to_string(),
        "この届は登録済みのため、これ以上操作できません。内容を変えるときは新しい届を作成してください。"
    );
}

#[test]
fn returns_need_a_reason() {
    let head = actor("head-1", &[Role::OfficeHead], Some(OFFICE));
    for reason in ["", "   ", "\u{3000}"] {
        let err = transition(
            State::Submitted,
            &Action::Return {
                reason: reason.into(),
            },
            &head,
            DRAFTER,
            OFFICE,
        )
        .unwrap_err();
        assert_eq!(err, TransitionError::ReasonRequired);
        assert_eq!(
            err.to_string(),
            "差戻しの理由が入力されていません。理由を入力してください。"
        );
    }
    let long = "あ".repeat(MAX_REASON_CHARS + 1);
    let err = transition(
        State::Submitted,
        &Action::Return { reason: long },
        &head,
        DRAFTER,
        OFFICE,
    )
    .unwrap_err();
    assert_eq!(err.code(), "workflow.reason_too_long");
    let ok = "あ".repeat(MAX_REASON_CHARS);
    assert_eq!(
        transition(
            State::Submitted,
            &Action::Return { reason: ok },
            &head,
            DRAFTER,
            OFFICE
        ),
        Ok(State::Draft)
    );
}

#[test]
fn office_heads_certify_only_their_own_office_and_not_their_own_drafts() {
    let other_head = actor("head-2", &[Role::OfficeHead], Some("5678"));
    let err = transition(
        State::Submitted,
        &Action::Certify,
        &other_head,
        DRAFTER,
        OFFICE,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "他の所属所の届の証明はできません。ご自身の所属所の届か確認してください。"
    );
    let no_office = actor("head-3", &[Role::OfficeHead], None);
    assert_eq!(
        transition(
            State::Submitted,
            &Action::Certify,
            &no_office,
            DRAFTER,
            OFFICE
        )
        .unwrap_err()
        .code(),
        "workflow.other_office"
    );
    // A small office where one person is clerk and head: may submit, may not certify.
    let both = actor(
        DRAFTER,
        &[Role::OfficeClerk, Role::OfficeHead],
        Some(OFFICE),
    );
    assert_eq!(
        transition(State::Draft, &Action::Submit, &both, DRAFTER, OFFICE),
        Ok(State::Submitted)
    );
    let err = transition(State::Submitted, &Action::Certify, &both, DRAFTER, OFFICE).unwrap_err();
    assert_eq!(
        err.to_string(),
        "ご自身が作成した届の証明はできません。別の担当者に依頼してください。"
    );
    // Office codes are compared without surrounding spaces.
    let spaced = actor("head-1", &[Role::OfficeHead], Some(" 1234 "));
    assert_eq!(
        transition(State::Submitted, &Action::Certify, &spaced, DRAFTER, OFFICE),
        Ok(State::Certified)
    );
}

#[test]
fn role_messages_name_the_roles() {
    let clerk = actor("clerk-b", &[Role::OfficeClerk], Some(OFFICE));
    let err = transition(State::Reviewed, &Action::Register, &clerk, DRAFTER, OFFICE).unwrap_err();
    assert_eq!(
        err.to_string(),
        "登録には事務局審査担当または決裁者の権限が必要です。権限のある方に依頼してください。"
    );
    let admin = actor("admin", &[Role::ItAdmin], None);
    assert_eq!(
        transition(State::Certified, &Action::Review, &admin, DRAFTER, OFFICE)
            .unwrap_err()
            .code(),
        "workflow.role_required"
    );
    let err = transition(State::Draft, &Action::Certify, &admin, DRAFTER, OFFICE).unwrap_err();
    assert_eq!(
        err.to_string(),
        "この届は下書きのため、証明はできません。画面を更新して現在の状態を確認してください。"
    );
    let err = transition(State::Submitted, &Action::Withdraw, &clerk, DRAFTER, OFFICE).unwrap_err();
    assert_eq!(err.code(), "workflow.not_drafter");
}

#[test]
fn available_actions_for_the_buttons() {
    let drafter = actor(DRAFTER, &[Role::OfficeClerk], Some(OFFICE));
    let head = actor("head-1", &[Role::OfficeHead], Some(OFFICE));
    let reviewer = actor("reviewer-1", &[Role::SecretariatReviewer], None);
    use ActionKind as A;
    assert_eq!(
        available_actions(State::Draft, &drafter, DRAFTER, OFFICE),
        vec![A::Submit, A::Withdraw]
    );
    assert_eq!(
        available_actions(State::Submitted, &drafter, DRAFTER, OFFICE),
        vec![A::Withdraw]
    );
    assert_eq!(
        available_actions(State::Submitted, &head, DRAFTER, OFFICE),
        vec![A::Certify, A::Return]
    );
    assert_eq!(
        available_actions(State::Certified, &reviewer, DRAFTER, OFFICE),
        vec![A::Review, A::Return]
    );
    assert_eq!(
        available_actions(State::Reviewed, &reviewer, DRAFTER, OFFICE),
        vec![A::Register, A::Return]
    );
    assert_eq!(
        available_actions(State::Registered, &reviewer, DRAFTER, OFFICE),
        vec![]
    );
    assert_eq!(
        available_actions(State::Withdrawn, &drafter, DRAFTER, OFFICE),
        vec![]
    );
}

#[test]
fn json_names() {
    assert_eq!(
        serde_json::to_value(Role::SecretariatReviewer).unwrap(),
        "secretariat_reviewer"
    );
    assert_eq!(serde_json::to_value(Role::ItAdmin).unwrap(), "it_admin");
    assert_eq!(serde_json::to_value(State::Withdrawn).unwrap(), "withdrawn");
    assert_eq!(
        serde_json::to_value(Action::Return {
            reason: "添付書類不足".into()
        })
        .unwrap(),
        serde_json::json!({"kind": "return", "reason": "添付書類不足"})
    );
    assert_eq!(
        serde_json::to_value(Action::Submit).unwrap(),
        serde_json::json!({"kind": "submit"})
    );
    let a: Actor =
        serde_json::from_str(r#"{"userId":"u1","roles":["office_head"],"officeCode":"1234"}"#)
            .unwrap();
    assert_eq!(a.roles, vec![Role::OfficeHead]);
}

#[test]
fn codes_are_unique_and_messages_say_what_to_do() {
    let errors = [
        TransitionError::Finished {
            state: State::Registered,
        },
        TransitionError::NotAllowedInState {
            state: State::Draft,
            action: ActionKind::Review,
        },
        TransitionError::RoleRequired {
            action: ActionKind::Certify,
            roles: HEAD,
        },
        TransitionError::OtherOffice {
            action: ActionKind::Certify,
        },
        TransitionError::OwnDraft {
            action: ActionKind::Review,
        },
        TransitionError::NotDrafter,
        TransitionError::ReasonRequired,
        TransitionError::ReasonTooLong {
            max: MAX_REASON_CHARS,
        },
    ];
    let mut codes: Vec<_> = errors.iter().map(TransitionError::code).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), errors.len());
    for e in errors {
        let m = e.to_string();
        assert!(
            m.ends_with('。') && (m.contains("ください") || m.contains("依頼")),
            "{m}"
        );
    }
}

fn actors() -> Vec<Actor> {
    vec![
        actor(DRAFTER, &[Role::OfficeClerk], Some(OFFICE)),
        actor("clerk-b", &[Role::OfficeClerk], Some(OFFICE)),
        actor("clerk-c", &[Role::OfficeClerk], Some("5678")),
        actor("head-1", &[Role::OfficeHead], Some(OFFICE)),
        actor("head-2", &[Role::OfficeHead], Some("5678")),
        actor("both", &[Role::OfficeClerk, Role::OfficeHead], Some(OFFICE)),
        actor("reviewer-1", &[Role::SecretariatReviewer], None),
        actor("approver-1", &[Role::Approver], None),
        actor("admin", &[Role::ItAdmin], None),
        actor(
            "reviewer-clerk",
            &[Role::SecretariatReviewer, Role::OfficeClerk],
            Some(OFFICE),
        ),
    ]
}

fn step_strategy() -> impl Strategy<Value = (usize, ActionKind, usize)> {
    (
        0usize..10,
        proptest::sample::select(ActionKind::ALL.to_vec()),
        0usize..3,
    )
}

proptest! {
    /// Over random sequences of actions by random people (the drafter chosen among them):
    /// registration only after certification and review since the last return; every
    /// accepted return carried a reason and went back to draft; certification and review
    /// never by the drafter; final states stay final.
    #[test]
    fn invariants_over_random_sequences(
        drafter in 0usize..10,
        steps in proptest::collection::vec(step_strategy(), 0..40),
    ) {
        let people = actors();
        let drafter_id = people[drafter].user_id.clone();
        let reasons = ["", "  ", "扶養認定の添付書類が不足しています"];
        let mut state = State::Draft;
        let mut since_draft: Vec<State> = vec![State::Draft];
        for (who, kind, reason) in steps {
            let a = action(kind, reasons[reason]);
            let before = state;
            match transition(state, &a, &people[who], &drafter_id, OFFICE) {
                Ok(next) => {
                    prop_assert!(!before.is_final());
                    match &a {
                        Action::Return { reason } => {
                            prop_assert!(!reason.trim().is_empty());
                            prop_assert_eq!(next, State::Draft);
                        }
                        Action::Certify | Action::Review | Action::Register => {
                            prop_assert_ne!(&people[who].user_id, &drafter_id);
                        }
                        Action::Withdraw => {
                            prop_assert_eq!(&people[who].user_id, &drafter_id);
                            prop_assert_eq!(next, State::Withdrawn);
                        }
                        Action::Submit => {}
                    }
                    if next == State::Registered {
                        prop_assert_eq!(
                            &since_draft[..],
                            &[State::Draft, State::Submitted, State::Certified, State::Reviewed][..]
                        );
                    }
                    if next == State::Draft {
                        since_draft.clear();
                    }
                    since_draft.push(next);
                    state = next;
                }
                Err(e) => {
                    if before.is_final() {
                        prop_assert_eq!(e.code(), "workflow.finished");
                    }
                }
            }
        }
    }
}
