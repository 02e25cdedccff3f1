#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The approver's use cases against a real SQLite file, with documents as the central
//! service would send them (the approval state in the body).

use chrono::{Duration, TimeZone};
use kyosai_domain::approval::{self as ap, engine, ApprovalActor, Context, DecisionTable, Flags};
use kyosai_store::Store;
use kyosai_sync_protocol::approval::{AbsenceInfo, DirectoryUser};
use kyosai_sync_protocol::{Change, CommandResult, Outcome, PullResponse, Record};
use serde_json::json;

use super::*;

const OFFICE: &str = "13104";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 3, 0, 30, 0).unwrap()
}

fn user(
    id: &str,
    name: &str,
    roles: &[WireRole],
    positions: &[&str],
    office: Option<&str>,
) -> UserInfo {
    UserInfo {
        user_id: id.into(),
        display_name: name.into(),
        roles: roles.to_vec(),
        office_code: office.map(str::to_string),
        office_name: None,
        positions: positions.iter().map(|p| p.to_string()).collect(),
    }
}

fn drafter() -> UserInfo {
    user(
        "tanaka.yuki",
        "田中 由紀",
        &[WireRole::OfficeClerk],
        &[],
        Some(OFFICE),
    )
}
fn head() -> UserInfo {
    user(
        "yamada.shocho",
        "山田 所長",
        &[WireRole::OfficeHead],
        &[],
        Some(OFFICE),
    )
}
fn kacho() -> UserInfo {
    user(
        "kato.kacho",
        "加藤 課長",
        &[WireRole::Approver],
        &["kacho"],
        None,
    )
}
fn bucho() -> UserInfo {
    user(
        "suzuki.bucho",
        "鈴木 部長",
        &[WireRole::Approver],
        &["bucho"],
        None,
    )
}

fn directory(absences: Vec<AbsenceInfo>) -> Directory {
    Directory {
        users: [drafter(), head(), kacho(), bucho()]
            .into_iter()
            .map(|u| DirectoryUser {
                user_id: u.user_id,
                display_name: u.display_name,
                office_code: u.office_code,
                roles: u.roles,
                positions: u.positions,
            })
            .collect(),
        absences,
    }
}

fn submitted(title: &str, amount: i64, at: DateTime<Utc>) -> (serde_json::Value, String) {
    let mut body = json!({ "text": format!("{title}について伺います。"), "amount": amount });
    let hash = ap::content_hash("proposal", title, &body);
    let dir: Vec<ApprovalActor> = vec![];
    let ctx = Context {
        now: at,
        today: ap::jst(at).date(),
        kind: "proposal",
        office_code: OFFICE,
        content_hash: &hash,
        amount_yen: amount,
        absences: &[],
        directory: &dir,
        table: DecisionTable::builtin(),
    };
    let state = engine::submit(None, &actor_of(&drafter()), Flags::default(), None, &ctx).unwrap();
    body[ap::BODY_KEY] = serde_json::to_value(&state).unwrap();
    (body, hash)
}

fn record(id: Uuid, version: i64, title: &str, body: serde_json::Value) -> Record {
    Record {
        id,
        kind: "proposal".into(),
        office_code: OFFICE.into(),
        version,
        state: "in_approval".into(),
        title: title.into(),
        body,
        created_by: "tanaka.yuki".into(),
        updated_by: "tanaka.yuki".into(),
        created_at: t0(),
        updated_at: t0(),
    }
}

fn pull(store: &mut Store, records: Vec<Record>) {
    store
        .sync()
        .apply_pull_page(&PullResponse {
            changes: records
                .into_iter()
                .map(|r| Change::Upsert {
                    record: Box::new(r),
                })
                .collect(),
            cursor: "c".into(),
            has_more: false,
            reset: false,
        })
        .unwrap();
}

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
    pc: Uuid,
    paper: Uuid,
}

/// Two documents submitted by 田中: PCs for 2,400,000 yen (所属所長 → 課長 → 部長) and
/// copy paper for 88,000 yen (所属所長 → 決裁者).
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("kyosai.sqlite3")).unwrap();
    let (pc, paper) = (Uuid::new_v4(), Uuid::new_v4());
    let (b1, _) = submitted("パソコン更新の伺い", 2_400_000, t0());
    let (b2, _) = submitted("コピー用紙の購入", 88_000, t0() + Duration::hours(1));
    pull(
        &mut store,
        vec![
            record(pc, 2, "パソコン更新の伺い", b1),
            record(paper, 2, "コピー用紙の購入", b2),
        ],
    );
    save_directory(&mut store, &directory(vec![])).unwrap();
    Fixture {
        _dir: dir,
        store,
        pc,
        paper,
    }
}

fn now() -> DateTime<Utc> {
    t0() + Duration::hours(26)
}

#[test]
fn the_inbox_lists_what_is_mine_to_decide_with_names_and_my_step() {
    let mut f = fixture();
    let items = inbox_of(&mut f.store, &head(), now()).unwrap();
    assert_eq!(items.len(), 2);
    let pc = &items[0]; // the longest waiting first
    assert_eq!(pc.id, f.pc.to_string());
    assert_eq!(pc.kind_name, "起案文書");
    assert_eq!(
        (pc.amount.as_str(), pc.amount_text.as_str()),
        ("2400000", "2,400,000")
    );
    assert_eq!(pc.drafter_name, "田中 由紀");
    assert_eq!(pc.office_code, OFFICE);
    assert_eq!(pc.step_text, "1人目 / 3人中");
    assert_eq!(pc.slot_name, "所属所長");
    assert_eq!(pc.task, "decide");
    assert_eq!(pc.waiting_secs, 26 * 3600);
    assert_eq!(pc.waiting_text, "1日 2時間 0分");
    assert!(!pc.pending);
    assert_eq!(items[1].step_text, "1人目 / 2人中");
    // Not yet the 課長's turn; nothing for the drafter.
    assert!(inbox_of(&mut f.store, &kacho(), now()).unwrap().is_empty());
    assert!(inbox_of(&mut f.store, &drafter(), now())
        .unwrap()
        .is_empty());
}

#[test]
fn an_approval_is_checked_then_queued_and_shown_as_waiting_to_be_sent() {
    let mut f = fixture();
    let d = detail_of(&mut f.store, &head(), f.pc, now()).unwrap();
    assert_eq!(d.actions, vec!["approve", "return", "reject"]);
    assert_eq!(d.my_step.as_deref(), Some("1人目 / 3人中 所属所長"));
    assert_eq!(d.status_label, "回議中");
    assert_eq!(d.steps.len(), 3);
    assert!(d.steps[0].current && d.steps[0].slots[0].waiting);
    assert_eq!(d.history[0].act_label, "起案");
    assert_eq!(d.history[0].by_name, "田中 由紀");
    assert_eq!(d.text, "パソコン更新の伺いについて伺います。");

    // The 課長 is refused locally (not yet their turn): nothing is queued.
    let req = |kind, reason: Option<&str>| ActRequest {
        id: f.pc.to_string(),
        kind,
        reason: reason.map(str::to_string),
        comment: None,
        for_user: None,
        seen_hash: d.seen_hash.clone(),
    };
    let e = act_on(
        &mut f.store,
        &kacho(),
        &req(ActKindDto::Approve, None),
        now(),
    )
    .unwrap_err();
    assert_eq!(e.code, "approval.not_your_turn");
    let e = act_on(
        &mut f.store,
        &head(),
        &req(ActKindDto::Return, Some("  ")),
        now(),
    )
    .unwrap_err();
    assert_eq!(e.code, "approval.reason_required");
    assert_eq!(
        e.message,
        "理由を入力してください。差戻しと却下には理由が必要です。"
    );
    let stale = ActRequest {
        seen_hash: "sha256:old".into(),
        ..req(ActKindDto::Approve, None)
    };
    assert_eq!(
        act_on(&mut f.store, &head(), &stale, now())
            .unwrap_err()
            .code,
        "approval.content_changed"
    );
    assert!(f.store.sync().pending_commands(10).unwrap().is_empty());

    act_on(
        &mut f.store,
        &head(),
        &req(ActKindDto::Approve, None),
        now(),
    )
    .unwrap();
    let sent = f.store.sync().pending_commands(10).unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].name, "approval.act");
    assert_eq!(sent[0].base_version, Some(2));
    assert_eq!(sent[0].payload["action"], "approve");
    // The domain `Action` as serde writes it (variant tag camelCase, fields snake_case).
    assert_eq!(sent[0].payload["seen_hash"], d.seen_hash.as_str());
    let items = inbox_of(&mut f.store, &head(), now()).unwrap();
    assert!(
        items
            .iter()
            .find(|i| i.id == f.pc.to_string())
            .unwrap()
            .pending
    );
    let d = detail_of(&mut f.store, &head(), f.pc, now()).unwrap();
    assert!(d.pending && d.actions.is_empty());
    assert_eq!(d.last_outcome.as_ref().unwrap().state_label, "送信待ち");
    let e = act_on(
        &mut f.store,
        &head(),
        &req(ActKindDto::Approve, None),
        now(),
    )
    .unwrap_err();
    assert_eq!(e.code, "approval.pending");

    // The server says someone else was first: the outcome shows its message.
    f.store
        .sync()
        .apply_push_results(&[CommandResult {
            seq: sent[0].seq,
            outcome: Outcome::Conflict {
                conflict_id: Uuid::new_v4(),
                code: "approval.already_handled".into(),
                message: "この文書は他の決裁者が先に処理しました。最新の状態を確認してください。"
                    .into(),
            },
        }])
        .unwrap();
    let o = &outcomes_of(&mut f.store, 10).unwrap()[0];
    assert_eq!(
        (o.state.as_str(), o.state_label.as_str()),
        ("conflict", "競合")
    );
    assert_eq!(o.action_label, "承認");
    assert_eq!(o.title, "パソコン更新の伺い");
    assert!(o
        .message
        .as_deref()
        .unwrap()
        .contains("他の決裁者が先に処理しました"));
}

#[test]
fn bulk_approval_checks_each_document_on_its_own() {
    let mut f = fixture();
    // The copy-paper document moves on to 決裁者 on the server; the PCs stay with the head.
    let mut paper = f
        .store
        .sync()
        .record(f.paper)
        .unwrap()
        .unwrap()
        .server
        .unwrap()
        .body;
    let mut st = ap::state_of(&paper).unwrap();
    st.steps[0].slots[0].done = Some(ap::SlotDone {
        by: "yamada.shocho".into(),
        filled: ap::Filled::Approved,
        at: t0() + Duration::hours(2),
    });
    st.current_step = 1;
    paper[ap::BODY_KEY] = serde_json::to_value(&st).unwrap();
    pull(
        &mut f.store,
        vec![record(f.paper, 3, "コピー用紙の購入", paper)],
    );

    let r = bulk_approve_on(
        &mut f.store,
        &head(),
        &[f.pc.to_string(), f.paper.to_string()],
        now(),
    )
    .unwrap();
    assert_eq!(r.approved, vec![f.pc.to_string()]);
    assert_eq!(r.failures.len(), 1);
    assert_eq!(r.failures[0].title, "コピー用紙の購入");
    assert_eq!(
        r.failures[0].message,
        "この文書は他の決裁者が先に処理しました。最新の状態を確認してください。"
    );
    assert_eq!(f.store.sync().pending_commands(10).unwrap().len(), 1);
}

#[test]
fn a_delegate_decides_for_an_absent_approver_during_the_absence_only() {
    let mut f = fixture();
    // 所属所長 approved the PCs; the 課長 is away with the 部長 as delegate.
    let mut body = f
        .store
        .sync()
        .record(f.pc)
        .unwrap()
        .unwrap()
        .server
        .unwrap()
        .body;
    let mut st = ap::state_of(&body).unwrap();
    st.steps[0].slots[0].done = Some(ap::SlotDone {
        by: "yamada.shocho".into(),
        filled: ap::Filled::Approved,
        at: t0() + Duration::hours(2),
    });
    st.current_step = 1;
    body[ap::BODY_KEY] = serde_json::to_value(&st).unwrap();
    pull(
        &mut f.store,
        vec![record(f.pc, 3, "パソコン更新の伺い", body)],
    );
    let away = AbsenceInfo {
        id: Uuid::new_v4(),
        user_id: "kato.kacho".into(),
        delegate_id: "suzuki.bucho".into(),
        from: t0(),
        until: t0() + Duration::days(3),
    };
    save_directory(&mut f.store, &directory(vec![away])).unwrap();
    let items = inbox_of(&mut f.store, &bucho(), now()).unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].task, "delegate");
    assert_eq!(items[0].for_user_name.as_deref(), Some("加藤 課長"));
    assert_eq!(items[0].step_text, "2人目 / 3人中");
    let d = detail_of(&mut f.store, &bucho(), f.pc, now()).unwrap();
    assert!(
        d.actions.contains(&"delegate".to_string()),
        "{:?}",
        d.actions
    );
    assert_eq!(d.delegate_for.as_deref(), Some("kato.kacho"));
    assert_eq!(d.steps[0].slots[0].by_name.as_deref(), Some("山田 所長"));
    assert_eq!(d.steps[0].slots[0].how.as_deref(), Some("承認"));
    // After the absence: nothing for the 部長 yet.
    let later = t0() + Duration::days(4);
    assert!(inbox_of(&mut f.store, &bucho(), later).unwrap().is_empty());

    let v = absences_of(&mut f.store, &bucho(), now()).unwrap();
    assert_eq!(v.absences.len(), 1);
    assert!(!v.absences[0].mine && v.absences[0].in_force);
    assert_eq!(v.absences[0].user_name, "加藤 課長");
    assert!(v.users.iter().all(|u| u.user_id != "suzuki.bucho"));
    assert_eq!(
        v.users
            .iter()
            .find(|u| u.user_id == "kato.kacho")
            .unwrap()
            .posts,
        "課長・決裁権者"
    );
}

#[test]
fn the_trail_csv_has_a_bom_names_and_a_dated_file_name() {
    let mut f = fixture();
    let text = trail_csv_text(
        &mut f.store,
        Some(&head()),
        &[f.pc.to_string(), f.paper.to_string()],
    )
    .unwrap();
    assert!(text.starts_with('\u{FEFF}'));
    let lines: Vec<&str> = text.trim_start_matches('\u{FEFF}').split("\r\n").collect();
    assert!(lines[0].starts_with("文書ID,件名,回,段階,操作,実施者"));
    assert!(lines[1].contains("パソコン更新の伺い") && lines[1].contains("田中 由紀"));
    assert!(lines[2].contains("コピー用紙の購入"));
    assert_eq!(trail_file_name(t0()), "決裁履歴_20240603_093000.csv");
}

#[test]
fn absence_input_is_japan_time_and_checked() {
    let me = kacho();
    let ok = new_absence(
        &AbsenceInput {
            delegate_id: "suzuki.bucho".into(),
            from: "2024-06-10T09:00".into(),
            until: "2024-06-12T18:00".into(),
        },
        &me,
        t0(),
    )
    .unwrap();
    assert_eq!(ok.from, Utc.with_ymd_and_hms(2024, 6, 10, 0, 0, 0).unwrap());
    assert_eq!(
        ok.until,
        Utc.with_ymd_and_hms(2024, 6, 12, 9, 0, 0).unwrap()
    );
    let bad = |d: &str, from: &str, until: &str| {
        new_absence(
            &AbsenceInput {
                delegate_id: d.into(),
                from: from.into(),
                until: until.into(),
            },
            &me,
            t0(),
        )
        .unwrap_err()
        .message
    };
    assert_eq!(
        bad("", "2024-06-10T09:00", "2024-06-11T09:00"),
        "代決者を選んでください。"
    );
    assert!(bad("kato.kacho", "2024-06-10T09:00", "2024-06-11T09:00").contains("自分自身"));
    assert!(bad("suzuki.bucho", "2024-06-11T09:00", "2024-06-10T09:00").contains("後の日時"));
    assert!(bad("suzuki.bucho", "来週", "2024-06-10T09:00").contains("開始"));
}

#[test]
fn the_actor_maps_roles_and_positions_by_their_names() {
    let a = actor_of(&user(
        "x",
        "x",
        &[WireRole::Approver, WireRole::SecretariatReviewer],
        &["kacho", "unknown"],
        None,
    ));
    assert_eq!(
        a.roles,
        vec![DomainRole::Approver, DomainRole::SecretariatReviewer]
    );
    assert_eq!(a.positions, vec![Position::Kacho]);
}

#[test]
fn the_drafter_submits_after_the_creation_and_sees_where_it_stands() {
    use crate::proposals::{self, FlagsDto, ProposalDraft};
    let mut f = fixture();
    let me = drafter();
    let saved = proposals::save_on(
        &mut f.store,
        &ProposalDraft {
            id: None,
            title: "研修会場の借上げ".into(),
            text: "職員研修の会場を借り上げます。".into(),
            amount: "450,000".into(),
            amends: None,
        },
        Some(OFFICE.into()),
        Some(&me),
        now(),
    )
    .unwrap();
    assert_eq!(
        (saved.status.as_str(), saved.where_text.as_str()),
        ("draft", "起案前（下書き）")
    );
    assert!(saved.can_submit);
    let v = proposals::submit_on(&mut f.store, &me, &saved.id, FlagsDto::default(), now()).unwrap();
    assert!(v.pending && !v.can_submit);
    let sent = f.store.sync().pending_commands(10).unwrap();
    assert_eq!(sent.len(), 1, "the submission waits for the creation");
    assert_eq!(sent[0].name, "record.create");
    let all = f.store.sync().outbox_entries().unwrap();
    let submit = all.last().unwrap();
    assert_eq!(submit.name, "approval.submit");
    let body = json!({"text": "職員研修の会場を借り上げます。", "amount": 450_000});
    assert_eq!(
        submit.payload["seen_hash"],
        ap::content_hash("proposal", "研修会場の借上げ", &body).as_str()
    );

    // The two documents the fixture pulled are the drafter's too, in 回議.
    let list = proposals::list_of(&mut f.store, &me.user_id).unwrap();
    assert_eq!(list.len(), 3);
    let pc = list.iter().find(|p| p.id == f.pc.to_string()).unwrap();
    assert_eq!(pc.where_text, "1人目 / 3人中 所属所長 の決裁待ち");
    // Its drafter may still change it (the approvals then start again), not submit it.
    assert!(pc.can_withdraw && pc.can_edit && !pc.can_submit);
    // Another user of the profile sees only the unconfirmed one (made on this PC).
    assert_eq!(
        proposals::list_of(&mut f.store, "kato.kacho")
            .unwrap()
            .len(),
        1
    );
    proposals::withdraw_on(&mut f.store, &me, &f.pc.to_string(), now()).unwrap();
    let last = f.store.sync().outbox_entries().unwrap().pop().unwrap();
    assert_eq!(last.payload, json!({"action": "withdraw"}));
}

/// The server's copy of `id` with its approval state changed by `f`, pulled as `version`.
fn server_changes(
    f: &mut Fixture,
    id: Uuid,
    version: i64,
    change: impl FnOnce(&mut ap::ApprovalState),
) {
    let r = f.store.sync().record(id).unwrap().unwrap();
    let server = r.server.unwrap();
    let mut body = server.body;
    let mut st = ap::state_of(&body).unwrap();
    change(&mut st);
    body[ap::BODY_KEY] = serde_json::to_value(&st).unwrap();
    pull(&mut f.store, vec![record(id, version, &server.title, body)]);
}

#[test]
fn the_drafter_changes_a_document_in_kaigi_and_the_approvals_start_again() {
    use crate::proposals::{self, ProposalDraft};
    let mut f = fixture();
    let me = drafter();
    // The 所属所長 has approved the PCs; the 課長 is next.
    let pc_id = f.pc;
    server_changes(&mut f, pc_id, 3, |st| {
        st.steps[0].slots[0].done = Some(ap::SlotDone {
            by: "yamada.shocho".into(),
            filled: ap::Filled::Approved,
            at: t0() + Duration::hours(2),
        });
        st.current_step = 1;
    });
    let before = proposals::list_of(&mut f.store, &me.user_id).unwrap();
    let pc = before.iter().find(|p| p.id == f.pc.to_string()).unwrap();
    assert!(pc.can_edit && pc.can_withdraw && !pc.can_submit && !pc.can_amend);

    let change = |amount: &str| ProposalDraft {
        id: Some(f.pc.to_string()),
        title: "パソコン更新の伺い".into(),
        text: "老朽化したパソコン2台を更新します。".into(),
        amount: amount.into(),
        amends: None,
    };
    // Only the drafter, signed in, may change it; nothing is queued otherwise.
    let e = proposals::save_on(
        &mut f.store,
        &change("300,000"),
        None,
        Some(&kacho()),
        now(),
    )
    .unwrap_err();
    assert_eq!(e.code, "approval.not_drafter");
    let e = proposals::save_on(&mut f.store, &change("300,000"), None, None, now()).unwrap_err();
    assert_eq!(e.code, "auth.not_signed_in");
    assert!(f.store.sync().pending_commands(10).unwrap().is_empty());

    let v = proposals::save_on(&mut f.store, &change("300,000"), None, Some(&me), now()).unwrap();
    assert_eq!(v.status, "in_progress");
    assert_eq!(v.amount_text, "300,000");
    assert_eq!(v.label.as_deref(), Some("未送信"));
    let sent = f.store.sync().pending_commands(10).unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].name, "record.update");
    assert_eq!(sent[0].base_version, Some(3));
    let body = &sent[0].payload["body"];
    assert_eq!(body["amount"], 300_000);
    assert!(
        body.get(ap::BODY_KEY).is_none(),
        "the approval state is the server's"
    );

    // The server applies it with the same rule: round 2, routed again for 300,000 yen.
    let r = f.store.sync().record(f.pc).unwrap().unwrap();
    let hash = ap::content_hash("proposal", &r.title, &r.body);
    let state = ap::state_of(&r.server.as_ref().unwrap().body).unwrap();
    let people = People::load(&mut f.store, Some(&me)).unwrap();
    let ctx = Context {
        now: now(),
        today: ap::jst(now()).date(),
        kind: "proposal",
        office_code: OFFICE,
        content_hash: &hash,
        amount_yen: 300_000,
        absences: &people.absences,
        directory: &people.directory,
        table: DecisionTable::builtin(),
    };
    let next = engine::content_changed(&state, &actor_of(&me), &ctx).unwrap();
    let mut server_body = r.body.clone();
    server_body[ap::BODY_KEY] = serde_json::to_value(&next).unwrap();
    f.store
        .sync()
        .apply_push_results(&[CommandResult {
            seq: sent[0].seq,
            outcome: Outcome::Applied {
                record_id: f.pc,
                version: 4,
            },
        }])
        .unwrap();
    pull(&mut f.store, vec![record(f.pc, 4, &r.title, server_body)]);
    let d = detail_of(&mut f.store, &head(), f.pc, now()).unwrap();
    assert_eq!(d.round, 2);
    assert_eq!(d.steps.len(), 2);
    assert_eq!(d.actions, vec!["approve", "return", "reject"]);
    let last = d.history.last().unwrap();
    assert_eq!(last.act_label, "内容変更（承認をやり直し）");
    assert_eq!(last.comment, "金額変更 2,400,000円 → 300,000円");
    let items = inbox_of(&mut f.store, &head(), now()).unwrap();
    let pc = items.iter().find(|i| i.id == f.pc.to_string()).unwrap();
    assert_eq!(pc.step_text, "1人目 / 2人中");
}

#[test]
fn a_change_to_a_decided_document_is_a_new_document_that_names_the_original() {
    use crate::proposals::{self, FlagsDto, ProposalDraft};
    let mut f = fixture();
    let me = drafter();
    let pc_id = f.pc;
    server_changes(&mut f, pc_id, 5, |st| {
        st.status = ap::Status::Approved;
        st.current_step = st.steps.len();
        st.decided_at = Some(t0() + Duration::hours(5));
    });
    let list = proposals::list_of(&mut f.store, &me.user_id).unwrap();
    let pc = list.iter().find(|p| p.id == f.pc.to_string()).unwrap();
    assert!(pc.can_amend && !pc.can_edit && !pc.can_submit && !pc.can_withdraw);
    // Decided documents are immutable.
    let e = proposals::save_on(
        &mut f.store,
        &ProposalDraft {
            id: Some(f.pc.to_string()),
            title: "パソコン更新の伺い".into(),
            text: String::new(),
            amount: "1".into(),
            amends: None,
        },
        None,
        Some(&me),
        now(),
    )
    .unwrap_err();
    assert_eq!(e.code, "approval.decided");

    let draft = |id: Option<String>, amends: Option<String>| ProposalDraft {
        id,
        title: "パソコン更新の伺い（台数変更）".into(),
        text: "更新するパソコンを15台に増やします。".into(),
        amount: "3,000,000".into(),
        amends,
    };
    // Only a decided document may be amended, and one this PC has.
    for bad in [f.paper.to_string(), Uuid::new_v4().to_string(), "x".into()] {
        let e = proposals::save_on(
            &mut f.store,
            &draft(None, Some(bad)),
            Some(OFFICE.into()),
            Some(&me),
            now(),
        )
        .unwrap_err();
        assert_eq!(e.code, "proposal.amends_invalid");
    }
    let v = proposals::save_on(
        &mut f.store,
        &draft(None, Some(f.pc.to_string())),
        Some(OFFICE.into()),
        Some(&me),
        now(),
    )
    .unwrap();
    assert_eq!(v.amends.as_deref(), Some(f.pc.to_string().as_str()));
    assert_eq!(v.amends_title.as_deref(), Some("パソコン更新の伺い"));
    assert!(v.can_edit && v.can_submit && !v.can_amend);
    // A later save without the link keeps it.
    let v = proposals::save_on(
        &mut f.store,
        &draft(Some(v.id), None),
        None,
        Some(&me),
        now(),
    )
    .unwrap();
    assert_eq!(v.amends.as_deref(), Some(f.pc.to_string().as_str()));
    let r = f
        .store
        .sync()
        .record(parse_id(&v.id).unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(r.body["amends"], f.pc.to_string().as_str());

    proposals::submit_on(&mut f.store, &me, &v.id, FlagsDto::default(), now()).unwrap();
    let submit = f.store.sync().outbox_entries().unwrap().pop().unwrap();
    assert_eq!(submit.name, "approval.submit");
    assert_eq!(submit.payload["amends"], f.pc.to_string().as_str());
    assert_eq!(
        submit.payload["seen_hash"],
        ap::content_hash("proposal", &r.title, &r.body).as_str()
    );

    // The approver sees the link once the server has it.
    let new_id = parse_id(&v.id).unwrap();
    let hash = ap::content_hash("proposal", &r.title, &r.body);
    let dir: Vec<ApprovalActor> = vec![];
    let ctx = Context {
        now: now(),
        today: ap::jst(now()).date(),
        kind: "proposal",
        office_code: OFFICE,
        content_hash: &hash,
        amount_yen: 3_000_000,
        absences: &[],
        directory: &dir,
        table: DecisionTable::builtin(),
    };
    let st = engine::submit(
        None,
        &actor_of(&me),
        Flags::default(),
        Some(f.pc.to_string()),
        &ctx,
    )
    .unwrap();
    let mut body = r.body.clone();
    body[ap::BODY_KEY] = serde_json::to_value(&st).unwrap();
    pull(&mut f.store, vec![record(new_id, 2, &r.title, body)]);
    let d = detail_of(&mut f.store, &head(), new_id, now()).unwrap();
    assert_eq!(d.amends.as_deref(), Some(f.pc.to_string().as_str()));
    assert_eq!(d.amends_title.as_deref(), Some("パソコン更新の伺い"));
    let d = detail_of(&mut f.store, &head(), f.paper, now()).unwrap();
    assert!(d.amends.is_none() && d.amends_title.is_none());
}
