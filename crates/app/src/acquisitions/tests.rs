#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The clerk's use cases for the 資格取得届 against a real SQLite file.

use chrono::TimeZone;
use kyosai_domain::approval::{ApprovalActor, SlotDone, Status};
use kyosai_store::Store;
use kyosai_sync_protocol::approval::{Directory, DirectoryUser};
use kyosai_sync_protocol::{Change, PullResponse, Record, Role as WireRole};
use serde_json::json;

use super::*;
use crate::approvals::save_directory;

const OFFICE: &str = "13104";
const MY_NUMBER: &str = "123456789018";

/// 2024-04-03 10:00 in Japan.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 4, 3, 1, 0, 0).unwrap()
}

fn clerk() -> UserInfo {
    UserInfo {
        user_id: "tanaka.yuki".into(),
        display_name: "田中 由紀".into(),
        roles: vec![WireRole::OfficeClerk],
        office_code: Some(OFFICE.into()),
        office_name: None,
        positions: vec![],
    }
}

fn head() -> UserInfo {
    UserInfo {
        user_id: "yamada.shocho".into(),
        display_name: "山田 所長".into(),
        roles: vec![WireRole::OfficeHead],
        office_code: Some(OFFICE.into()),
        office_name: None,
        positions: vec![],
    }
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("kyosai.sqlite3")).unwrap();
    let users = [clerk(), head()]
        .into_iter()
        .map(|u| DirectoryUser {
            user_id: u.user_id,
            display_name: u.display_name,
            office_code: u.office_code,
            roles: u.roles,
            positions: u.positions,
        })
        .collect();
    save_directory(
        &mut store,
        &Directory {
            users,
            absences: vec![],
        },
    )
    .unwrap();
    (dir, store)
}

/// A complete notification: 新規採用 on 2024-04-01, 143,700 + 通勤 14,000.
fn complete() -> AcquisitionFormDto {
    AcquisitionFormDto {
        office: OfficeDto {
            code: OFFICE.into(),
            name: "中央区役所".into(),
            ..Default::default()
        },
        member: MemberDto {
            name: "山田　太郎".into(),
            name_kana: "やまだ　たろう".into(),
            birth_date: "2001-07-14".into(),
            sex: "male".into(),
            postal_code: "104-8404".into(),
            address: "東京都中央区築地一丁目1番1号".into(),
            my_number: Some("1234 5678 9018".into()),
            basic_pension_number: String::new(),
        },
        acquisition: AcquisitionDto {
            acquired_on: "2024-04-01".into(),
            reason: "newHire".into(),
            member_type: "general".into(),
            appointment: "regular".into(),
            ..Default::default()
        },
        employment: EmploymentDto {
            job_title: "主事".into(),
            salary_table: "行政職給料表（一）".into(),
            salary_class: "1".into(),
            salary_step: "25".into(),
        },
        remuneration: RemunerationDto {
            salary: "143,700".into(),
            commuting_allowance: "１４０００".into(),
            ..Default::default()
        },
        ..Default::default()
    }
}

fn new(form: AcquisitionFormDto) -> AcquisitionInput {
    AcquisitionInput { id: None, form }
}

fn save_new(store: &mut Store, form: AcquisitionFormDto) -> AcquisitionView {
    save_on(
        store,
        &new(form),
        Some(OFFICE.into()),
        Some(&clerk()),
        now(),
    )
    .unwrap()
}

#[test]
fn a_saved_draft_is_listed_with_its_member_date_deadline_and_sync_label() {
    let (_d, mut store) = store();
    let v = save_new(&mut store, complete());
    assert_eq!(v.item.stage, "draft");
    assert_eq!(v.item.stage_label, "下書き");
    let list = list_of(&mut store, now()).unwrap();
    assert_eq!(list.len(), 1);
    let item = &list[0];
    assert_eq!(item.member_name, "山田　太郎");
    assert_eq!(item.member_kana, "ヤマダ　タロウ");
    assert_eq!(item.acquired_on_text, "令和6年4月1日 (2024-04-01)");
    assert_eq!(item.deadline.as_deref(), Some("2024-04-06"));
    assert_eq!(item.days_left, Some(3));
    assert_eq!(item.deadline_state, "ok");
    assert_eq!(item.deadline_text, "4月6日まで あと3日");
    assert_eq!(item.sync_label.as_deref(), Some("未送信"));
    assert_eq!(item.office_code, OFFICE);
    // The 個人番号 is nowhere in the list.
    let json = serde_json::to_string(&list).unwrap();
    assert!(!json.contains("9018") && !json.contains("5678"));
    // The record is titled for the approvers.
    let r = store
        .sync()
        .record(Uuid::parse_str(&v.item.id).unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(r.title, "組合員資格取得届　山田　太郎");
    assert_eq!(r.kind, "acquisition");
}

#[test]
fn the_editor_gets_the_personal_number_masked_and_a_save_without_it_keeps_it() {
    let (_d, mut store) = store();
    let v = save_new(&mut store, complete());
    assert_eq!(v.my_number_masked.as_deref(), Some("●●●● ●●●● 9018"));
    assert_eq!(v.form.member.my_number, None);
    assert!(!serde_json::to_string(&v).unwrap().contains(MY_NUMBER));
    let id = v.item.id.clone();
    // Saved again from the editor, which never had the number in full.
    let mut form = v.form.clone();
    form.member.address = "東京都中央区築地一丁目1番2号".into();
    let v2 = save_on(
        &mut store,
        &AcquisitionInput {
            id: Some(id.clone()),
            form,
        },
        None,
        Some(&clerk()),
        now(),
    )
    .unwrap();
    assert_eq!(v2.my_number_masked.as_deref(), Some("●●●● ●●●● 9018"));
    assert_eq!(
        reveal_my_number_of(&mut store, &clerk(), &id, "correction", "", now())
            .unwrap()
            .as_deref(),
        Some(MY_NUMBER)
    );
    // Checking the editor's form uses the stored number: no finding about it.
    let a = check_on(
        &mut store,
        &AcquisitionInput {
            id: Some(id),
            form: v2.form,
        },
        true,
        now(),
    )
    .unwrap();
    assert!(a.findings.iter().all(|f| f.field != "member.myNumber"));
}

#[test]
fn revealing_the_personal_number_needs_a_permitted_role_and_a_purpose_and_is_audited() {
    let (_d, mut store) = store();
    let v = save_new(&mut store, complete());
    let id = v.item.id.clone();
    let before = store.audit().entries().unwrap().len();

    // 所属所長 certifies without seeing the number.
    let e =
        reveal_my_number_of(&mut store, &head(), &id, "compare_with_paper", "", now()).unwrap_err();
    assert_eq!(e.code, "my_number.reveal_not_permitted");
    // A purpose from the list; 「その他」 with a note; no number in the note.
    let e = reveal_my_number_of(&mut store, &clerk(), &id, "curiosity", "", now()).unwrap_err();
    assert_eq!(e.code, "my_number.reveal_purpose_unknown");
    let e = reveal_my_number_of(&mut store, &clerk(), &id, "other", " ", now()).unwrap_err();
    assert_eq!(e.code, "my_number.reveal_note_required");
    let e = reveal_my_number_of(
        &mut store,
        &clerk(),
        &id,
        "other",
        &format!("{MY_NUMBER} を確認"),
        now(),
    )
    .unwrap_err();
    assert_eq!(e.code, "my_number.reveal_note_has_number");
    // Refusals reveal nothing and write nothing.
    assert_eq!(store.audit().entries().unwrap().len(), before);

    let n = reveal_my_number_of(
        &mut store,
        &clerk(),
        &id,
        "other",
        "年金事務所からの照会",
        now(),
    )
    .unwrap();
    assert_eq!(n.as_deref(), Some(MY_NUMBER));
    let entries = store.audit().entries().unwrap();
    assert_eq!(entries.len(), before + 1);
    let e = entries.last().unwrap();
    assert_eq!(e.action, "mynumber.reveal");
    assert_eq!(e.actor, "tanaka.yuki");
    assert_eq!(e.target.as_deref(), Some(id.as_str()));
    assert_eq!(e.at, now());
    assert_eq!(e.detail["field"], "member.myNumber");
    assert_eq!(e.detail["purpose"], "other");
    assert_eq!(e.detail["note"], "年金事務所からの照会");
    // The audit log never holds the number itself, and still verifies.
    assert!(!serde_json::to_string(&entries).unwrap().contains(MY_NUMBER));
    store.audit().verify(None).unwrap().unwrap();
}

#[test]
fn checks_give_field_findings_and_the_grades_from_the_pay() {
    let (_d, mut store) = store();
    let a = check_on(&mut store, &new(complete()), false, now()).unwrap();
    assert_eq!(a.errors, 0, "{:?}", a.findings);
    let g = a.grades.unwrap();
    assert_eq!(g.monthly_text, "157,700円");
    assert_eq!(g.health.text, "第13級 160,000円");
    assert_eq!(g.pension.unwrap().text, "第10級 160,000円");
    assert_eq!(
        g.valid_until_text.as_deref(),
        Some("令和6年8月31日 (2024-08-31)")
    );

    let mut bad = complete();
    bad.member.my_number = Some("123456789012".into());
    bad.remuneration.housing_allowance = "12万".into();
    let a = check_on(&mut store, &new(bad.clone()), false, now()).unwrap();
    let my = a
        .findings
        .iter()
        .find(|f| f.field == "member.myNumber")
        .unwrap();
    assert_eq!(my.code, "my_number.check_digit");
    assert_eq!(my.severity, SeverityDto::Error);
    assert!(a
        .findings
        .iter()
        .any(|f| f.field == "remuneration.housingAllowance" && f.code == "input.amount"));

    // An empty draft has no findings while typing, and many before submission.
    let empty = new(AcquisitionFormDto::default());
    assert_eq!(
        check_on(&mut store, &empty, false, now()).unwrap().errors,
        0
    );
    assert!(check_on(&mut store, &empty, true, now()).unwrap().errors > 10);
}

#[test]
fn a_draft_with_findings_saves_but_unreadable_text_is_refused() {
    let (_d, mut store) = store();
    let mut bad = complete();
    bad.member.my_number = Some("123456789012".into());
    let v = save_new(&mut store, bad.clone());
    assert_eq!(v.assessment.errors, 1);
    bad.remuneration.salary = "十四万".into();
    let e = save_on(&mut store, &new(bad), Some(OFFICE.into()), None, now()).unwrap_err();
    assert_eq!(e.code, "validation.failed");
    assert!(e.message.contains("金額は円単位の整数"));
    assert_eq!(list_of(&mut store, now()).unwrap().len(), 1);
    // A new one needs an office.
    let e = save_on(&mut store, &new(complete()), None, None, now()).unwrap_err();
    assert_eq!(e.code, "acquisition.office_unknown");
}

#[test]
fn submission_is_blocked_by_errors_then_by_unacknowledged_warnings_then_queued() {
    let (_d, mut store) = store();
    let later = now() + chrono::Duration::days(5); // 2024-04-08: past the deadline
    let mut form = complete();
    form.member.sex = String::new();
    let v = save_new(&mut store, form);
    let id = v.item.id.clone();
    let e = submit_on(&mut store, &clerk(), &id, later).unwrap_err();
    assert_eq!(e.code, "acquisition.has_errors");
    assert!(e.message.contains("性別"));

    let mut form = v.form.clone();
    form.member.sex = "male".into();
    form.acquisition.late_reason = "辞令の交付が遅れたため".into();
    let input = AcquisitionInput {
        id: Some(id.clone()),
        form,
    };
    save_on(&mut store, &input, None, Some(&clerk()), later).unwrap();
    let e = submit_on(&mut store, &clerk(), &id, later).unwrap_err();
    assert_eq!(e.code, "acquisition.unacknowledged_warnings");
    assert!(e.message.contains("1件"));

    // An error cannot be acknowledged; the late filing warning can.
    let mut with_error = input.clone();
    with_error.form.member.sex = String::new();
    let e = acknowledge_on(&mut store, &with_error, "required", "member.sex", later).unwrap_err();
    assert_eq!(e.code, "acquisition.error_not_acknowledgeable");
    let form = acknowledge_on(
        &mut store,
        &input,
        "acquisition.late_filing",
        "acquisition.lateReason",
        later,
    )
    .unwrap();
    assert_eq!(form.acknowledgements.len(), 1);
    let saved = save_on(
        &mut store,
        &AcquisitionInput {
            id: Some(id.clone()),
            form,
        },
        None,
        Some(&clerk()),
        later,
    )
    .unwrap();
    let late = saved
        .assessment
        .findings
        .iter()
        .find(|f| f.code == "acquisition.late_filing")
        .unwrap();
    assert!(late.acknowledged);
    assert_eq!(saved.assessment.unacknowledged, 0);
    assert_eq!(saved.acknowledgement_log.len(), 1);
    assert_eq!(saved.acknowledgement_log[0].by, "田中 由紀");

    let v = submit_on(&mut store, &clerk(), &id, later).unwrap();
    assert!(v.item.pending);
    assert!(!v.can_edit && !v.can_submit);
    // Chained after the draft's own unsent commands.
    let queued = store.sync().records_with_pending_actions().unwrap();
    assert_eq!(queued, vec![Uuid::parse_str(&id).unwrap()]);
    // Sent once only.
    let e = submit_on(&mut store, &clerk(), &id, later).unwrap_err();
    assert_eq!(e.code, "approval.pending");
}

/// The record as the server sends it after submission, the approval state in the body.
fn submitted_record(store: &mut Store, id: Uuid, form: &AcquisitionForm) -> Record {
    let body = serde_json::to_value(form).unwrap();
    let title = title_for(form);
    let hash = ap::content_hash(KIND, &title, &body);
    let dir: Vec<ApprovalActor> = vec![actor_of(&head())];
    let ctx = Context {
        now: now(),
        today: today_jst(now()),
        kind: KIND,
        office_code: OFFICE,
        content_hash: &hash,
        amount_yen: 0,
        absences: &[],
        directory: &dir,
        table: DecisionTable::builtin(),
    };
    let state = engine::submit(None, &actor_of(&clerk()), Flags::default(), None, &ctx).unwrap();
    let mut body = body;
    body[ap::BODY_KEY] = serde_json::to_value(&state).unwrap();
    let _ = store;
    Record {
        id,
        kind: KIND.into(),
        office_code: OFFICE.into(),
        version: 2,
        state: "in_approval".into(),
        title,
        body,
        created_by: "tanaka.yuki".into(),
        updated_by: "tanaka.yuki".into(),
        created_at: now(),
        updated_at: now(),
    }
}

fn pull(store: &mut Store, r: Record) {
    store
        .sync()
        .apply_pull_page(&PullResponse {
            changes: vec![Change::Upsert {
                record: Box::new(r),
            }],
            cursor: "c".into(),
            has_more: false,
            reset: false,
        })
        .unwrap();
}

fn domain_form() -> AcquisitionForm {
    let (mut f, reading) = to_form(&complete(), None);
    assert!(reading.is_empty());
    acquisition::normalize(&mut f);
    f
}

#[test]
fn stages_follow_the_approval_state_and_the_drafter_may_withdraw() {
    let (_d, mut store) = store();
    let id = Uuid::new_v4();
    let form = domain_form();
    let mut rec = submitted_record(&mut store, id, &form);
    pull(&mut store, rec.clone());
    let v = get_on(&mut store, &id.to_string(), now()).unwrap();
    assert_eq!(
        (v.item.stage.as_str(), v.item.stage_label.as_str()),
        ("certify", "所属所長の証明待ち")
    );
    assert!(v.can_withdraw && !v.can_edit);
    assert_eq!(v.item.sync_label, None);
    // Saving over it is refused while it is on its route.
    let e = save_on(
        &mut store,
        &AcquisitionInput {
            id: Some(id.to_string()),
            form: v.form.clone(),
        },
        None,
        None,
        now(),
    )
    .unwrap_err();
    assert_eq!(e.code, "acquisition.in_progress");

    // The office head certified: the secretariat reviews next.
    let mut st = ap::state_of(&rec.body).unwrap();
    st.steps[0].slots[0].done = Some(SlotDone {
        by: "yamada.shocho".into(),
        filled: kyosai_domain::approval::Filled::Approved,
        at: now(),
    });
    st.current_step = 1;
    rec.body[ap::BODY_KEY] = serde_json::to_value(&st).unwrap();
    rec.version = 3;
    pull(&mut store, rec.clone());
    let item = &list_of(&mut store, now()).unwrap()[0];
    assert_eq!(item.stage_label, "事務局の審査待ち");

    // Returned with a reason.
    st.status = Status::Returned;
    st.history.push(kyosai_domain::approval::Act {
        round: st.round,
        step: Some(1),
        kind: ActKind::Return,
        by: "suzuki.shinsa".into(),
        on_behalf_of: None,
        at: now(),
        comment: Some("住所を確認してください".into()),
        content_hash: st.content_hash.clone(),
    });
    rec.body[ap::BODY_KEY] = serde_json::to_value(&st).unwrap();
    rec.version = 4;
    pull(&mut store, rec);
    let v = get_on(&mut store, &id.to_string(), now()).unwrap();
    assert_eq!(v.item.stage, "returned");
    assert_eq!(v.item.stage_label, "差戻し（理由: 住所を確認してください）");
    assert!(v.can_edit && v.can_submit && !v.can_withdraw);
}

#[test]
fn the_drafter_withdraws_a_notification_on_its_route() {
    let (_d, mut store) = store();
    let id = Uuid::new_v4();
    let rec = submitted_record(&mut store, id, &domain_form());
    pull(&mut store, rec);
    let v = withdraw_on(&mut store, &clerk(), &id.to_string(), now()).unwrap();
    assert!(v.item.pending);
    assert!(!v.can_withdraw);
    let cmds = store.sync().pending_commands(10).unwrap();
    assert!(cmds
        .iter()
        .any(|c| c.name == kyosai_sync_protocol::approval::ACT));
    let _ = json!({});
}

#[test]
fn old_bodies_and_other_kinds_do_not_break_the_list() {
    let (_d, mut store) = store();
    let rec = Record {
        id: Uuid::new_v4(),
        kind: KIND.into(),
        office_code: OFFICE.into(),
        version: 1,
        state: "draft".into(),
        title: "組合員資格取得届　小林 さくら".into(),
        body: json!({ "member_name": "小林 さくら", "acquired_on": "2026-04-01" }),
        created_by: "tanaka.yuki".into(),
        updated_by: "tanaka.yuki".into(),
        created_at: now(),
        updated_at: now(),
    };
    pull(&mut store, rec);
    let list = list_of(&mut store, now()).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].member_name, "小林 さくら");
    assert_eq!(list[0].deadline_state, "none");
}

#[test]
fn the_mask_shows_only_the_last_four_digits() {
    assert_eq!(
        mask_my_number(&MyNumberText::new("１２３４５６７８９０１８")),
        "●●●● ●●●● 9018"
    );
    assert_eq!(mask_my_number(&MyNumberText::new("12")), "●●●● ●●●● 12");
}

#[test]
fn options_use_the_domain_names() {
    let o = options();
    assert_eq!(o.member_types[0].value, "general");
    assert_eq!(o.member_types[0].label, "一般組合員");
    assert_eq!(o.relationships.len(), 9);
    assert_eq!(o.reasons[0].label, "新規採用");
    assert_eq!(o.pay_bases[3].value, "otherPeriod");
}

#[test]
fn a_number_withheld_by_the_server_shows_as_registered_and_passes_the_checks() {
    use kyosai_domain::acquisition::my_number::WITHHELD;
    let (_d, mut store) = store();
    let id = Uuid::new_v4();
    // The 所属所長's copy of a clerk's draft: the central service withheld the number.
    let mut form = domain_form();
    form.member.my_number = Some(MyNumberText::new(WITHHELD));
    let body = serde_json::to_value(&form).unwrap();
    pull(
        &mut store,
        Record {
            id,
            kind: KIND.into(),
            office_code: OFFICE.into(),
            version: 1,
            state: "draft".into(),
            title: title_for(&form),
            body,
            created_by: "tanaka.yuki".into(),
            updated_by: "tanaka.yuki".into(),
            created_at: now(),
            updated_at: now(),
        },
    );
    let v = get_on(&mut store, &id.to_string(), now()).unwrap();
    assert_eq!(
        v.my_number_masked.as_deref(),
        Some("登録済み（表示の権限がありません）")
    );
    assert!(v.my_number_withheld);
    assert_eq!(v.form.member.my_number, None);
    assert!(
        v.assessment
            .findings
            .iter()
            .all(|f| f.field != "member.myNumber"),
        "{:?}",
        v.assessment.findings
    );
    // The submission check counts it as entered (neither missing nor malformed).
    let input = AcquisitionInput {
        id: Some(id.to_string()),
        form: v.form.clone(),
    };
    let a = check_on(&mut store, &input, true, now()).unwrap();
    assert!(
        a.findings.iter().all(|f| f.field != "member.myNumber"),
        "{:?}",
        a.findings
    );
    // Nothing to reveal on this PC, even for a role that could.
    let e = reveal_my_number_of(
        &mut store,
        &clerk(),
        &id.to_string(),
        "correction",
        "",
        now(),
    )
    .unwrap_err();
    assert_eq!(e.code, "my_number.withheld");
    // Typing the marker is not entering a number.
    let mut typed = v.form.clone();
    typed.member.my_number = Some(WITHHELD.into());
    let (f, _) = to_form(&typed, None);
    assert_eq!(f.member.my_number, None);
    // The 所属所長 saves a correction: the marker goes back as it came (the server keeps
    // the stored number in its place).
    let mut form = v.form.clone();
    form.member.address = "東京都中央区築地一丁目1番2号".into();
    let v2 = save_on(
        &mut store,
        &AcquisitionInput {
            id: Some(id.to_string()),
            form,
        },
        None,
        Some(&head()),
        now(),
    )
    .unwrap();
    assert!(v2.my_number_withheld);
    let r = store.sync().record(id).unwrap().unwrap();
    assert_eq!(r.body["member"]["myNumber"], WITHHELD);
    // Another user's view of an ordinary number is not withheld.
    let plain = save_new(&mut store, complete());
    assert!(!plain.my_number_withheld);
}
