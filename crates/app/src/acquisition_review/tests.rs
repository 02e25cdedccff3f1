#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The approver's use cases for the 資格取得届 against a real SQLite file.

use std::sync::{Arc, Mutex};

use chrono::TimeZone;
use kyosai_domain::acquisition::AcquisitionForm;
use kyosai_domain::approval::{engine, Action, ApprovalState, Context, DecisionTable, Flags};
use kyosai_store::Store;
use kyosai_sync_protocol::acquisition::ReviewFinding;
use kyosai_sync_protocol::approval::{Directory, DirectoryUser};
use kyosai_sync_protocol::{Change, PullResponse, Record, Role as WireRole};

use super::*;
use crate::approvals::{actor_of, save_directory};

const OFFICE: &str = "13104";
const MY_NUMBER: &str = "123456789018";

/// 2024-04-03 10:00 in Japan.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 4, 3, 1, 0, 0).unwrap()
}

fn user(id: &str, name: &str, role: WireRole, office: Option<&str>) -> UserInfo {
    UserInfo {
        user_id: id.into(),
        display_name: name.into(),
        roles: vec![role],
        office_code: office.map(str::to_string),
        office_name: None,
        positions: vec![],
    }
}

fn clerk() -> UserInfo {
    user(
        "tanaka.yuki",
        "田中 由紀",
        WireRole::OfficeClerk,
        Some(OFFICE),
    )
}
fn head() -> UserInfo {
    user(
        "yamada.shocho",
        "山田 所長",
        WireRole::OfficeHead,
        Some(OFFICE),
    )
}
fn reviewer() -> UserInfo {
    user(
        "suzuki.shinsa",
        "鈴木 審査",
        WireRole::SecretariatReviewer,
        None,
    )
}
fn registrar() -> UserInfo {
    user("ito.kessai", "伊藤 決裁", WireRole::Approver, None)
}

fn everyone() -> Vec<UserInfo> {
    vec![clerk(), head(), reviewer(), registrar()]
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("kyosai.sqlite3")).unwrap();
    let users = everyone()
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

fn form() -> AcquisitionForm {
    serde_json::from_value(serde_json::json!({
        "office": {"code": OFFICE, "name": "中央区役所"},
        "member": {
            "name": "山田　太郎", "nameKana": "ヤマダ　タロウ", "birthDate": "2001-07-14",
            "sex": "male", "postalCode": "104-8404", "address": "東京都中央区築地一丁目1番1号",
            "myNumber": MY_NUMBER
        },
        "acquisition": {"acquiredOn": "2024-04-01", "reason": "newHire", "memberType": "general", "appointment": "regular"},
        "employment": {"jobTitle": "主事", "salaryTable": "行政職給料表（一）", "salaryClass": 1, "salaryStep": 25},
        "remuneration": {"salary": 143700, "commutingAllowance": 14000}
    }))
    .unwrap()
}

struct Case {
    id: Uuid,
    rec: Record,
    state: ApprovalState,
}

impl Case {
    fn hash(&self) -> String {
        let mut body = self.rec.body.clone();
        body.as_object_mut().unwrap().remove(ap::BODY_KEY);
        ap::content_hash(KIND, &self.rec.title, &body)
    }

    /// Applies `action` by `who` as the server would, and sends the result to the PC.
    fn act(&mut self, store: &mut Store, who: &UserInfo, action: Action) {
        let hash = self.hash();
        let dir: Vec<_> = everyone().iter().map(actor_of).collect();
        let ctx = Context {
            now: now(),
            today: ap::jst(now()).date(),
            kind: KIND,
            office_code: OFFICE,
            content_hash: &hash,
            amount_yen: 0,
            absences: &[],
            directory: &dir,
            table: DecisionTable::builtin(),
        };
        self.state = engine::apply(&self.state, &actor_of(who), &action, &ctx).unwrap();
        self.push(store);
    }

    fn approve(&mut self, store: &mut Store, who: &UserInfo) {
        let seen_hash = self.hash();
        self.act(
            store,
            who,
            Action::Approve {
                seen_hash,
                comment: None,
            },
        );
    }

    fn push(&mut self, store: &mut Store) {
        self.rec.body[ap::BODY_KEY] = serde_json::to_value(&self.state).unwrap();
        self.rec.version += 1;
        store
            .sync()
            .apply_pull_page(&PullResponse {
                changes: vec![Change::Upsert {
                    record: Box::new(self.rec.clone()),
                }],
                cursor: "c".into(),
                has_more: false,
                reset: false,
            })
            .unwrap();
    }
}

/// A notification submitted by the clerk, as the server sends it.
fn submitted(store: &mut Store) -> Case {
    let f = form();
    let body = serde_json::to_value(&f).unwrap();
    let title = crate::acquisitions::title_for(&f);
    let hash = ap::content_hash(KIND, &title, &body);
    let dir: Vec<_> = everyone().iter().map(actor_of).collect();
    let ctx = Context {
        now: now(),
        today: ap::jst(now()).date(),
        kind: KIND,
        office_code: OFFICE,
        content_hash: &hash,
        amount_yen: 0,
        absences: &[],
        directory: &dir,
        table: DecisionTable::builtin(),
    };
    let state = engine::submit(None, &actor_of(&clerk()), Flags::default(), None, &ctx).unwrap();
    let id = Uuid::new_v4();
    let mut case = Case {
        id,
        rec: Record {
            id,
            kind: KIND.into(),
            office_code: OFFICE.into(),
            version: 1,
            state: "in_approval".into(),
            title,
            body,
            created_by: clerk().user_id,
            updated_by: clerk().user_id,
            created_at: now(),
            updated_at: now(),
        },
        state,
    };
    case.push(store);
    case
}

fn req(id: Uuid, kind: ActKindDto, reason: Option<&str>, seen: &str) -> ActRequest {
    ActRequest {
        id: id.to_string(),
        kind,
        reason: reason.map(str::to_string),
        comment: None,
        for_user: None,
        seen_hash: seen.to_string(),
    }
}

#[test]
fn each_approver_sees_the_form_masked_and_the_step_named_for_them() {
    let (_d, mut store) = store();
    let mut case = submitted(&mut store);
    let id = case.id.to_string();

    let v = review_of(&mut store, &head(), &id, now()).unwrap();
    assert_eq!(v.step.as_deref(), Some("certify"));
    assert_eq!(v.approve_label.as_deref(), Some("証明する"));
    assert!(v.can_approve && v.can_return);
    assert_eq!(v.view.my_number_masked.as_deref(), Some("●●●● ●●●● 9018"));
    assert_eq!(v.view.form.member.name, "山田　太郎");
    assert!(!serde_json::to_string(&v).unwrap().contains(MY_NUMBER));
    let a = v.approval.unwrap();
    assert_eq!(a.history.len(), 1, "{:?}", a.history);
    assert_eq!(a.history[0].by_name, "田中 由紀");

    // Not the reviewer's turn yet, nor the clerk's ever.
    let r = review_of(&mut store, &reviewer(), &id, now()).unwrap();
    assert!(!r.can_approve && r.approve_label.is_none());
    let c = review_of(&mut store, &clerk(), &id, now()).unwrap();
    assert!(!c.can_approve && !c.can_return);

    case.approve(&mut store, &head());
    let r = review_of(&mut store, &reviewer(), &id, now()).unwrap();
    assert_eq!(r.approve_label.as_deref(), Some("審査済みにする"));
    assert_eq!(r.approval.unwrap().history.len(), 2);

    case.approve(&mut store, &reviewer());
    let k = review_of(&mut store, &registrar(), &id, now()).unwrap();
    assert_eq!(k.step.as_deref(), Some("register"));
    assert_eq!(k.approve_label.as_deref(), Some("登録する"));

    case.approve(&mut store, &registrar());
    let done = review_of(&mut store, &clerk(), &id, now()).unwrap();
    assert_eq!(done.view.item.stage_label, "登録済み");
    assert!(done.step.is_none() && done.approve_label.is_none());
}

#[test]
fn certifying_queues_one_action_and_a_return_needs_a_reason() {
    let (_d, mut store) = store();
    let case = submitted(&mut store);
    let seen = review_of(&mut store, &head(), &case.id.to_string(), now())
        .unwrap()
        .approval
        .unwrap()
        .seen_hash;

    let e = act_on(
        &mut store,
        &head(),
        &req(case.id, ActKindDto::Return, Some("  "), &seen),
        now(),
    )
    .unwrap_err();
    assert_eq!(e.code, "approval.reason_required");
    assert!(store.sync().pending_commands(10).unwrap().is_empty());

    // Someone else cannot certify for the office head.
    let e = act_on(
        &mut store,
        &reviewer(),
        &req(case.id, ActKindDto::Approve, None, &seen),
        now(),
    )
    .unwrap_err();
    assert!(e.code.starts_with("approval."), "{e:?}");
    assert!(store.sync().pending_commands(10).unwrap().is_empty());

    let v = act_on(
        &mut store,
        &head(),
        &req(case.id, ActKindDto::Approve, None, &seen),
        now(),
    )
    .unwrap();
    assert!(v.view.item.pending);
    assert!(!v.can_approve, "nothing more while the action is unsent");
    let cmds = store.sync().pending_commands(10).unwrap();
    assert_eq!(cmds.len(), 1);
    assert_eq!(cmds[0].name, kyosai_sync_protocol::approval::ACT);
    assert_eq!(cmds[0].payload["action"], "approve");
}

#[test]
fn a_return_with_a_reason_is_queued_with_it() {
    let (_d, mut store) = store();
    let mut case = submitted(&mut store);
    case.approve(&mut store, &head());
    let seen = case.hash();
    act_on(
        &mut store,
        &reviewer(),
        &req(
            case.id,
            ActKindDto::Return,
            Some("基礎年金番号を確認してください。"),
            &seen,
        ),
        now(),
    )
    .unwrap();
    let cmds = store.sync().pending_commands(10).unwrap();
    assert_eq!(cmds[0].payload["action"], "return");
    assert_eq!(
        cmds[0].payload["reason"],
        "基礎年金番号を確認してください。"
    );
}

fn review_result(id: Uuid, related: Option<Uuid>) -> ReviewResult {
    ReviewResult {
        record_id: id,
        checked_at: now(),
        findings: vec![
            ReviewFinding {
                code: "review.duplicate_pension_number".into(),
                severity: "error".into(),
                field: "member.basicPensionNumber".into(),
                message: "同じ基礎年金番号の届があります（所属所長の証明待ち）。".into(),
                related_record_id: related,
            },
            ReviewFinding {
                code: "review.late_filing".into(),
                severity: "warning".into(),
                field: "acquisition.acquiredOn".into(),
                message: "届出期限を過ぎています。遅延理由を確認してください。".into(),
                related_record_id: None,
            },
        ],
    }
}

#[test]
fn the_automated_review_names_the_other_case_and_says_why_it_is_missing() {
    let (_d, mut store) = store();
    let case = submitted(&mut store);
    let other = submitted(&mut store);
    let v = auto_review_of(&mut store, Ok(review_result(case.id, Some(other.id)))).unwrap();
    assert_eq!(v.state, "ok");
    assert_eq!((v.errors, v.warnings), (1, 1));
    assert_eq!(v.findings[0].field, "member.basicPensionNumber");
    assert_eq!(v.findings[0].severity, SeverityDto::Error);
    assert_eq!(
        v.findings[0].related_title.as_deref(),
        Some("組合員資格取得届　山田　太郎")
    );
    assert!(v.checked_at.is_some());

    let offline = SyncError::new(ErrorKind::Offline, "sync.offline", "接続できません");
    let v = auto_review_of(&mut store, Err(offline)).unwrap();
    assert_eq!(v.state, "offline");
    assert!(v.message.unwrap().contains("オンラインに戻ったら"));
    assert!(v.findings.is_empty());

    let mut forbidden = SyncError::new(
        ErrorKind::Request,
        "auth.forbidden",
        "自動審査の結果は事務局の審査担当者と決裁権者だけが見られます。",
    );
    forbidden.status = Some(403);
    let v = auto_review_of(&mut store, Err(forbidden)).unwrap();
    assert_eq!(v.state, "forbidden");
    assert!(v.message.unwrap().contains("事務局の審査担当者"));
}

#[test]
fn printouts_carry_the_state_the_findings_and_the_return_reason() {
    let (_d, mut store) = store();
    let mut case = submitted(&mut store);
    let id = case.id.to_string();
    let doc = acquisition_print_doc(&mut store, Some(&head()), &id, now()).unwrap();
    assert_eq!(doc.heading, "組合員資格取得届");
    assert!(!doc.decided, "未決裁 until registered");
    let fields = format!("{:?}", doc.fields);
    assert!(fields.contains("●●●● ●●●● 9018") && !fields.contains(MY_NUMBER));
    assert!(doc.printed_at.contains("山田 所長"));

    let notice = notice_print_doc(
        &mut store,
        Some(&reviewer()),
        &id,
        Some(&review_result(case.id, None)),
        now(),
    )
    .unwrap();
    assert_eq!(notice.heading, "審査結果通知");
    assert!(
        notice.body.contains("【誤り】同じ基礎年金番号"),
        "{}",
        notice.body
    );
    assert!(notice.body.contains("【確認】届出期限"));
    let without = notice_print_doc(&mut store, Some(&clerk()), &id, None, now()).unwrap();
    assert!(
        without.body.contains("取得できなかった"),
        "{}",
        without.body
    );

    case.approve(&mut store, &head());
    let seen_hash = case.hash();
    case.act(
        &mut store,
        &reviewer(),
        Action::Return {
            seen_hash,
            reason: "住所の番地を確認してください。".into(),
        },
    );
    let notice = notice_print_doc(&mut store, Some(&reviewer()), &id, None, now()).unwrap();
    let result = notice.fields.iter().find(|f| f.0 == "審査結果").unwrap();
    assert!(
        result.1.contains("住所の番地を確認してください。"),
        "{result:?}"
    );

    let mut done = submitted(&mut store);
    done.approve(&mut store, &head());
    done.approve(&mut store, &reviewer());
    done.approve(&mut store, &registrar());
    let doc = acquisition_print_doc(&mut store, None, &done.id.to_string(), now()).unwrap();
    assert!(doc.decided);
    let approval = format!("{:?}", doc.approval);
    assert!(
        approval.contains("証明") && approval.contains("登録"),
        "{approval}"
    );
}

fn visible(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_batch_appears_whole_or_not_at_all() {
    let (_d, mut store) = store();
    let a = submitted(&mut store);
    let b = submitted(&mut store);
    let shared: SharedStore = Arc::new(Mutex::new(store));
    let downloads = tempfile::tempdir().unwrap();
    let dl = downloads.path().to_path_buf();

    // Cancelled halfway: nothing remains, not even the staging folder.
    let batch = batch_begin(&dl).unwrap();
    batch_add(&shared, None, dl.clone(), batch.clone(), a.id.to_string())
        .await
        .unwrap();
    assert!(visible(&dl).is_empty(), "nothing visible before the end");
    batch_cancel(&dl, &batch).unwrap();
    assert_eq!(std::fs::read_dir(&dl).unwrap().count(), 0);
    let e = batch_add(&shared, None, dl.clone(), batch, b.id.to_string())
        .await
        .unwrap_err();
    assert_eq!(e.code, "print.batch_missing");

    // Completed: one folder with one PDF per notification.
    let batch = batch_begin(&dl).unwrap();
    for id in [a.id, b.id] {
        let name = batch_add(&shared, None, dl.clone(), batch.clone(), id.to_string())
            .await
            .unwrap();
        assert!(name.starts_with("組合員資格取得届_山田　太郎_") && name.ends_with(".pdf"));
    }
    let folder = PathBuf::from(batch_finish(&dl, &batch, now()).unwrap());
    assert_eq!(visible(&dl), vec!["資格取得届_一括印刷_20240403_100000"]);
    let files = visible(&folder);
    assert_eq!(files.len(), 2, "{files:?}");
    for f in &files {
        let bytes = std::fs::read(folder.join(f)).unwrap();
        assert!(bytes.starts_with(b"%PDF"));
    }
    assert_eq!(
        std::fs::read_dir(&folder).unwrap().count(),
        2,
        "no .partial left"
    );
    // The same second again: a second folder, not a merge.
    let again = batch_begin(&dl).unwrap();
    let second = batch_finish(&dl, &again, now()).unwrap();
    assert!(second.ends_with("_2"), "{second}");
    // A batch id is never a path.
    assert_eq!(
        batch_cancel(&dl, "../../etc").unwrap_err().code,
        "print.batch_missing"
    );
}

#[tokio::test]
async fn single_pdfs_are_written_whole_to_the_download_folder() {
    let (_d, mut store) = store();
    let a = submitted(&mut store);
    let shared: SharedStore = Arc::new(Mutex::new(store));
    let downloads = tempfile::tempdir().unwrap();
    let p = acquisition_pdf(
        &shared,
        Some(head()),
        a.id.to_string(),
        downloads.path().to_path_buf(),
    )
    .await
    .unwrap();
    assert!(p.contains("組合員資格取得届_山田　太郎_"), "{p}");
    let n = notice_pdf(
        &shared,
        Some(reviewer()),
        a.id.to_string(),
        Some(review_result(a.id, None)),
        downloads.path().to_path_buf(),
    )
    .await
    .unwrap();
    assert!(n.contains("審査結果通知_山田　太郎_"), "{n}");
    for f in [p, n] {
        assert!(std::fs::read(&f).unwrap().starts_with(b"%PDF"));
    }
    assert_eq!(visible(downloads.path()).len(), 2);
}

#[test]
fn batch_file_names_keep_namesakes_apart() {
    assert_eq!(
        batch_file_name("山田　太郎", "1a2b3c4d-0000-0000-0000-000000000000"),
        "組合員資格取得届_山田　太郎_1a2b3c4d.pdf"
    );
    assert_eq!(
        batch_file_name("a/b", "ffffffff-0000"),
        "組合員資格取得届_a_b_ffffffff.pdf"
    );
}
