//! The authorisation matrix of the central service (issue #8): every role × office
//! relation × command, over real HTTPS, on both storage backends.
//!
//! [`MATRIX`] is the policy, one rule per line, one expected outcome per actor. Each cell
//! is played against a fresh document (a 資格取得届 of 新宿区役所, whose route is 所属所長 →
//! 事務局審査担当 → 決裁権者) brought to the stage the rule needs through the real API, so a
//! refusal is never the accident of an earlier cell. The procurement rows do the same with a
//! fresh 調達依頼, 契約, 検収・検査, 支出命令, 振込ファイル or 起案 of 新宿区役所 per cell (the steps
//! starting from a decided chain made once), the OCR row with a fresh scanned document.
//! `docs/authorization.md` holds the same table;
//! [`the_documented_table_is_the_tested_one`] keeps the two equal.
//!
//! Every cell that answers `sync.not_found` (or `work.not_permitted`, or for a parent
//! `procurement.parent_missing`) is played again on a record that does not exist, and both
//! answers must be identical: another office's staff (and IT) cannot tell a record they may
//! not see from one that is not there.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::io::Write as _;

use chrono::{Duration, Utc};
use common::*;
use kyosai_central::testing::{postgres_skipped, TestBackend, TestServer};
use kyosai_domain::approval as appr;
use kyosai_sync_protocol::approval::{AbsenceInfo, NewAbsence};
use kyosai_sync_protocol::{codes, CommandEnvelope, ConflictList, Outcome, Role};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

both_backends!(the_authorisation_matrix_holds);

// ---------------------------------------------------------------------------------------
// The actors (the matrix's columns): every role, and for office roles the relation to the
// document's office (新宿区役所 1203).

const HEAD_B: &str = "shocho1101";
const DELEGATE: &str = "dairi";
const NO_OFFICE: &str = "tanto-nashi";
/// Not an actor of the matrix: the owner of "someone else's absence".
const AWAY: &str = "fuzai";

const N: usize = 10;
const DRAFTER: usize = 0;
const COLLEAGUE: usize = 1;
const HEAD: usize = 2;
const REVIEWER_: usize = 5;
const APPROVER_: usize = 6;
const DELEGATE_: usize = 7;

/// (user id, role, office, label in the table).
const ACTORS: [(&str, Role, Option<&str>, &str); N] = [
    (
        CLERK_A,
        Role::OfficeClerk,
        Some("1203"),
        "所属所担当者（自所属所・起案者）",
    ),
    (
        CLERK_A2,
        Role::OfficeClerk,
        Some("1203"),
        "所属所担当者（自所属所）",
    ),
    (
        HEAD_A,
        Role::OfficeHead,
        Some("1203"),
        "所属所長（自所属所）",
    ),
    (
        CLERK_B,
        Role::OfficeClerk,
        Some("1101"),
        "所属所担当者（他所属所）",
    ),
    (
        HEAD_B,
        Role::OfficeHead,
        Some("1101"),
        "所属所長（他所属所）",
    ),
    (REVIEWER, Role::SecretariatReviewer, None, "事務局審査担当"),
    (APPROVER, Role::Approver, None, "決裁権者"),
    (DELEGATE, Role::Approver, None, "決裁権者（代決者に指定）"),
    (IT, Role::ItAdmin, None, "IT管理者"),
    (
        NO_OFFICE,
        Role::OfficeClerk,
        None,
        "所属所担当者（所属所なし）",
    ),
];

// ---------------------------------------------------------------------------------------
// The outcomes.

/// What a cell expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum E {
    /// Done: applied (push) or a 2xx answer; for reads, the record or conflict is seen.
    Ok,
    /// Refused with this stable code (push rejection or conflict, or an HTTP error).
    No(&'static str),
    /// A read that does not show the record or conflict (nor its id).
    Hidden,
    /// Not meaningful for this actor.
    Na,
}

const OK: E = E::Ok;
const HIDDEN: E = E::Hidden;
const NA: E = E::Na;
const NOT_PERMITTED: E = E::No(codes::NOT_PERMITTED);
const NOT_FOUND: E = E::No(codes::NOT_FOUND);
const FORBIDDEN: E = E::No(codes::FORBIDDEN);
const SELF_APPROVAL: E = E::No("approval.self_approval");
const NOT_ON_ROUTE: E = E::No("approval.not_permitted");
const NOT_YOUR_TURN: E = E::No("approval.not_your_turn");
const HANDLED: E = E::No("approval.already_handled");
const ACTED: E = E::No("approval.already_acted");
const NOT_DRAFTER: E = E::No("approval.not_drafter");
const NOT_DELEGATE: E = E::No("approval.not_delegate");
const NOTHING_TO_PULL: E = E::No("approval.nothing_to_pull_up");
const NOTHING_TO_READ: E = E::No("approval.nothing_to_read");
const NOT_YOUR_ABSENCE: E = E::No("approval.absence_not_found");
const NO_ANALYTICS: E = E::No("analytics.forbidden");
const OTHER_OFFICE_ANALYTICS: E = E::No("analytics.office_forbidden");
const WORK_NOT_PERMITTED: E = E::No("work.not_permitted");
const WORK_INVALID: E = E::No("work.invalid");
const PARENT_MISSING: E = E::No("procurement.parent_missing");

/// The commands and reads (the matrix's rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Create,
    Update,
    UpdateInApproval,
    Submit,
    Transfer,
    Certify,
    Review,
    Decide,
    Return,
    Reject,
    Delegate,
    PullUp,
    Withdraw,
    PostRead,
    Pull,
    ReviewResult,
    RegistrationCreate,
    RegistrationList,
    RegistrationFile,
    AbsenceAdd,
    AbsenceCancelOwn,
    AbsenceCancelOthers,
    ConflictList,
    ConflictResolve,
    Directory,
    OcrLease,
    UpdateCheck,
    AnalyticsShinjuku,
    AnalyticsOtherOffice,
    AnalyticsAll,
    WorkTime,
    WorkTimeForSomeoneElse,
    /// The procurement documents and the 起案 (issue #8): one row per command and kind.
    PCreate(K),
    PUpdate(K),
    PSubmit(K),
    PUpdateInApproval(K),
    PApprove(K),
    PReturn(K),
    PReject(K),
    PWithdraw(K),
    PTransfer(K),
    PPull(K),
    /// `record.create@1` of a 契約 in the actor's own office from 新宿区役所's decided 調達依頼.
    PCreateFromShinjuku,
    /// `record.update@1` of a scanned document (`ocr_document`) of 新宿区役所.
    OcrUpdate,
}

/// The record kinds of the procurement rows: the four steps of 調達・契約・支払 (each a
/// spending document whose route under 1,000,000 yen is the 課長 alone — the 決裁権者
/// column holds that position here), a written transfer file (not approved) and the
/// 一般起案 (所属所長, then a 決裁権者).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum K {
    Request,
    Contract,
    Inspection,
    PaymentOrder,
    PaymentBatch,
    Proposal,
    Budget,
    Vendor,
}

impl K {
    fn kind(self) -> &'static str {
        match self {
            K::Request => "procurement",
            K::Contract => "contract",
            K::Inspection => "inspection",
            K::PaymentOrder => "payment_order",
            K::PaymentBatch => "payment_batch",
            K::Proposal => "proposal",
            K::Budget => "budget",
            K::Vendor => "vendor",
        }
    }

    /// The kind a document of this kind starts from (a decided one).
    fn parent(self) -> Option<K> {
        match self {
            K::Contract => Some(K::Request),
            K::Inspection => Some(K::Contract),
            K::PaymentOrder => Some(K::Inspection),
            _ => None,
        }
    }

    /// A body of 10,000 yen (so the 課長 decides alone), linked to `parent`.
    fn body(self, parent: Option<Uuid>, note: &str) -> Value {
        let mut b = match self {
            K::Request => json!({
                "amount": 10_000,
                "purpose": "窓口用トナーの購入",
                "budget": { "fiscalYear": 2026, "code": "01-02-03", "name": "備品購入費" }
            }),
            K::Contract | K::PaymentOrder => json!({ "amount": 10_000 }),
            K::Inspection => json!({ "amount": 10_000, "result": "passed" }),
            K::PaymentBatch => json!({
                "transferDate": "2026-11-30", "orders": [], "count": 0, "total": 0,
                "fileName": "furikomi.txt", "sha256": ""
            }),
            K::Proposal => json!({ "amount": 10_000, "subject": "窓口の案内表示の更新" }),
            // Not the line the 調達依頼 are charged to.
            K::Budget => json!({
                "fiscalYear": 2026, "code": "09-09-09", "name": "消耗品費", "allocated": 500_000
            }),
            K::Vendor => json!({ "name": "株式会社新宿事務機", "invoiceNumber": "T1234567890123" }),
        };
        if let Some(p) = parent {
            b["parent"] = json!(p.to_string());
        }
        b["note"] = json!(note);
        b
    }
}

/// One rule: an operation, what it is, why, and the outcome for each actor of [`ACTORS`].
struct Rule {
    op: Op,
    what: &'static str,
    why: &'static str,
    cells: [E; N],
}

// ---------------------------------------------------------------------------------------
// THE MATRIX. Columns, in the order of ACTORS:
//   起案者 | 同僚 | 所長 | 他所の担当者 | 他所の所長 | 審査 | 決裁権者 | 代決者 | IT | 所属所なし
#[rustfmt::skip]
const MATRIX: &[Rule] = &[
    // Only an office's own staff create its records; nobody without an office creates.
    Rule { op: Op::Create, what: "`record.create@1` 届を作成", why: "自所属所の担当者・所長だけが作成する",
        cells: [OK, OK, OK, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED] },
    // Only the office's own staff edit its drafts. The secretariat and approvers return
    // with a reason instead of editing (separation of duties); another office and IT do
    // not even learn that the record exists.
    Rule { op: Op::Update, what: "`record.update@1` 下書きを編集", why: "自所属所の担当者・所長だけが編集する（審査・決裁は差戻しで返す）",
        cells: [OK, OK, OK, NOT_FOUND, NOT_FOUND, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_FOUND, NOT_FOUND] },
    // During 回議 only the drafter may change the content (the approvals start again).
    Rule { op: Op::UpdateInApproval, what: "`record.update@1` 回議中の届を編集", why: "回議中は起案者だけ（承認はやり直し）",
        cells: [OK, NOT_DRAFTER, NOT_DRAFTER, NOT_FOUND, NOT_FOUND, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_FOUND, NOT_FOUND] },
    // 起案 is the office's: its staff submit their office's documents.
    Rule { op: Op::Submit, what: "`approval.submit@1` 提出（起案）", why: "自所属所の担当者・所長だけが提出する",
        cells: [OK, OK, OK, NOT_FOUND, NOT_FOUND, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_FOUND, NOT_FOUND] },
    // 移管 (moving a member's record to another office) is the secretariat's.
    Rule { op: Op::Transfer, what: "`record.transfer@1` 他の所属所へ移管", why: "事務局審査担当だけが移管する",
        cells: [NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_FOUND, NOT_FOUND, OK, NOT_PERMITTED, NOT_PERMITTED, NOT_FOUND, NOT_FOUND] },
    // The route's first step: the 所属所長 of the document's own office certifies (証明).
    Rule { op: Op::Certify, what: "`approval.act@1` 承認 — 所属所長の証明の段", why: "経路が所属所長を指す段は自所属所の所長だけ",
        cells: [SELF_APPROVAL, NOT_ON_ROUTE, OK, NOT_FOUND, NOT_FOUND, NOT_YOUR_TURN, NOT_YOUR_TURN, NOT_YOUR_TURN, NOT_FOUND, NOT_FOUND] },
    // The second step: the 事務局審査担当 reviews (審査).
    Rule { op: Op::Review, what: "`approval.act@1` 承認 — 事務局審査の段", why: "経路が事務局審査担当を指す段は審査担当だけ",
        cells: [SELF_APPROVAL, NOT_ON_ROUTE, HANDLED, NOT_FOUND, NOT_FOUND, OK, NOT_YOUR_TURN, NOT_YOUR_TURN, NOT_FOUND, NOT_FOUND] },
    // The last step: a 決裁権者 decides (決裁).
    Rule { op: Op::Decide, what: "`approval.act@1` 承認 — 決裁の段", why: "決裁は決裁権者だけ",
        cells: [SELF_APPROVAL, NOT_ON_ROUTE, HANDLED, NOT_FOUND, NOT_FOUND, HANDLED, OK, OK, NOT_FOUND, NOT_FOUND] },
    // 差戻し at the decision step: only who holds that step.
    Rule { op: Op::Return, what: "`approval.act@1` 差戻し — 決裁の段", why: "その段を持つ人だけが差し戻す",
        cells: [SELF_APPROVAL, NOT_ON_ROUTE, HANDLED, NOT_FOUND, NOT_FOUND, HANDLED, OK, OK, NOT_FOUND, NOT_FOUND] },
    // 却下 at the decision step: only a 決裁権者.
    Rule { op: Op::Reject, what: "`approval.act@1` 却下 — 決裁の段", why: "却下は決裁権者だけ",
        cells: [SELF_APPROVAL, NOT_ON_ROUTE, HANDLED, NOT_FOUND, NOT_FOUND, HANDLED, OK, OK, NOT_FOUND, NOT_FOUND] },
    // 代決 for the absent 決裁権者: only the delegate named in his registered absence.
    Rule { op: Op::Delegate, what: "`approval.act@1` 代決 — 不在の決裁権者に代わって", why: "不在登録で指定された代決者だけ",
        cells: [SELF_APPROVAL, NOT_DELEGATE, NOT_DELEGATE, NOT_FOUND, NOT_FOUND, NOT_DELEGATE, NOT_DELEGATE, OK, NOT_FOUND, NOT_FOUND] },
    // 引上げ past the absent reviewer: only a holder of a later step.
    Rule { op: Op::PullUp, what: "`approval.act@1` 引上げ — 審査担当の不在中", why: "後の段を持つ人だけが、不在の段を越えて決裁する",
        cells: [SELF_APPROVAL, NOT_ON_ROUTE, ACTED, NOT_FOUND, NOT_FOUND, NOTHING_TO_PULL, OK, OK, NOT_FOUND, NOT_FOUND] },
    // 取下げ: the drafter only.
    Rule { op: Op::Withdraw, what: "`approval.act@1` 取下げ", why: "起案者だけ",
        cells: [OK, NOT_DRAFTER, NOT_DRAFTER, NOT_FOUND, NOT_FOUND, NOT_DRAFTER, NOT_DRAFTER, NOT_DRAFTER, NOT_FOUND, NOT_FOUND] },
    // 後閲 after a 代決: only the person it is owed by (the absent 決裁権者).
    Rule { op: Op::PostRead, what: "`approval.act@1` 後閲 — 代決された後", why: "後閲を求められた本人だけ",
        cells: [NOTHING_TO_READ, NOTHING_TO_READ, NOTHING_TO_READ, NOT_FOUND, NOT_FOUND, NOTHING_TO_READ, OK, NOTHING_TO_READ, NOT_FOUND, NOT_FOUND] },
    // Pull: an office's records reach its own staff, the secretariat and the approvers;
    // never another office, never IT.
    Rule { op: Op::Pull, what: "`POST /sync/v1/pull` 新宿区役所の届が届くか", why: "自所属所・事務局・決裁権者だけが読む（ITは業務記録を読まない）",
        cells: [OK, OK, OK, HIDDEN, HIDDEN, OK, OK, OK, HIDDEN, HIDDEN] },
    // The automated review names other offices' members: the secretariat and approvers.
    Rule { op: Op::ReviewResult, what: "`GET /sync/v1/acquisitions/{id}/review` 自動審査", why: "事務局審査担当と決裁権者だけ",
        cells: [FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND, NOT_FOUND, OK, OK, OK, NOT_FOUND, NOT_FOUND] },
    // Registration files for the core system: the secretariat registers (not IT).
    Rule { op: Op::RegistrationCreate, what: "`POST /sync/v1/registrations` 登録ファイル作成", why: "事務局審査担当だけが登録する",
        cells: [FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN] },
    Rule { op: Op::RegistrationList, what: "`GET /sync/v1/registrations` 登録ファイル一覧", why: "事務局審査担当だけ",
        cells: [FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN] },
    Rule { op: Op::RegistrationFile, what: "`GET /sync/v1/registrations/{id}` 登録ファイル取得", why: "事務局審査担当だけ",
        cells: [FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN] },
    // An absence hands one's place on routes to a delegate: only who has such a place.
    Rule { op: Op::AbsenceAdd, what: "`POST /sync/v1/absences` 自分の不在を登録", why: "決裁に加わる人（所属所長・審査・決裁権者・職位）だけ",
        cells: [FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, OK, OK, OK, OK, FORBIDDEN, FORBIDDEN] },
    Rule { op: Op::AbsenceCancelOwn, what: "`DELETE /sync/v1/absences/{id}` 自分の不在を取消", why: "登録した本人",
        cells: [NA, NA, OK, NA, OK, OK, OK, OK, NA, NA] },
    Rule { op: Op::AbsenceCancelOthers, what: "`DELETE /sync/v1/absences/{id}` 他人の不在を取消", why: "誰も取り消せない（存在も明かさない）",
        cells: [NOT_YOUR_ABSENCE, NOT_YOUR_ABSENCE, NOT_YOUR_ABSENCE, NOT_YOUR_ABSENCE, NOT_YOUR_ABSENCE, NOT_YOUR_ABSENCE, NOT_YOUR_ABSENCE, NOT_YOUR_ABSENCE, NOT_YOUR_ABSENCE, NOT_YOUR_ABSENCE] },
    // Conflicts are their author's alone.
    Rule { op: Op::ConflictList, what: "`GET /sync/v1/conflicts` 起案者の競合が見えるか", why: "競合は本人だけに見える",
        cells: [OK, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN] },
    Rule { op: Op::ConflictResolve, what: "`POST /sync/v1/conflicts/{id}/resolve` 起案者の競合を解決", why: "本人だけが解決する",
        cells: [OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND] },
    // The directory (names, roles, positions, absences) is for everyone who routes or
    // administers; it holds no business record.
    Rule { op: Op::Directory, what: "`GET /sync/v1/directory` 職員名簿", why: "サインインした全員",
        cells: [OK, OK, OK, OK, OK, OK, OK, OK, OK, OK] },
    // The edit lease of a scanned document (`ocr_document` of 新宿区役所, issue #6): taken
    // by whoever may correct it, the office's own staff. The secretariat and approvers see
    // it but do not correct it; another office and IT do not learn that it exists.
    Rule { op: Op::OcrLease, what: "`POST /sync/v1/ocr/{id}/lease` 取込帳票（OCR）の編集リースを取得", why: "自所属所の担当者・所長だけが帳票を確認・修正する",
        cells: [OK, OK, OK, NOT_FOUND, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND, NOT_FOUND] },
    // Updates (issue #9): every signed-in PC asks for the release of its channel; an
    // update holds no business record.
    Rule { op: Op::UpdateCheck, what: "`GET /updates/v1/{channel}/{target}` 更新の確認", why: "サインインした全員（業務の記録を含まない）",
        cells: [OK, OK, OK, OK, OK, OK, OK, OK, OK, OK] },
    // 見える化 (issue #10): the secretariat's reviewers and the 決裁権者 see every office;
    // a 所属所長 their own office only; office clerks and IT nothing.
    Rule { op: Op::AnalyticsShinjuku, what: "`GET /analytics/v1/dashboard?office=1203` 新宿区役所の見える化", why: "事務局審査担当・決裁権者はどの所属所も、所属所長は自所属所だけ",
        cells: [NO_ANALYTICS, NO_ANALYTICS, OK, NO_ANALYTICS, OTHER_OFFICE_ANALYTICS, OK, OK, OK, NO_ANALYTICS, NO_ANALYTICS] },
    Rule { op: Op::AnalyticsOtherOffice, what: "`GET /analytics/v1/dashboard?office=1101` 東京都総務局の見える化", why: "同上（新宿区役所の所長には他所属所）",
        cells: [NO_ANALYTICS, NO_ANALYTICS, OTHER_OFFICE_ANALYTICS, NO_ANALYTICS, OK, OK, OK, OK, NO_ANALYTICS, NO_ANALYTICS] },
    // Without an office: every office for who may see them all, the own office for a 所属所長.
    Rule { op: Op::AnalyticsAll, what: "`GET /analytics/v1/dashboard`（所属所を指定しない）", why: "所属所長には自所属所の数字だけが返る",
        cells: [NO_ANALYTICS, NO_ANALYTICS, OK, NO_ANALYTICS, OK, OK, OK, OK, NO_ANALYTICS, NO_ANALYTICS] },
    // Working time is kept for a case its sender may see, always as the sender's own.
    Rule { op: Op::WorkTime, what: "`work.time@1` 新宿区役所の案件に自分の作業時間を記録", why: "案件を参照できる人だけ（記録は送った本人の名義）",
        cells: [OK, OK, OK, WORK_NOT_PERMITTED, WORK_NOT_PERMITTED, OK, OK, OK, WORK_NOT_PERMITTED, WORK_NOT_PERMITTED] },
    Rule { op: Op::WorkTimeForSomeoneElse, what: "`work.time@1` 他の職員の作業時間として記録（userId を付ける）", why: "誰もできない（作業者はトークンの本人）",
        cells: [WORK_INVALID, WORK_INVALID, WORK_INVALID, WORK_INVALID, WORK_INVALID, WORK_INVALID, WORK_INVALID, WORK_INVALID, WORK_INVALID, WORK_INVALID] },
    // 調達・契約・支払 and the 一般起案 (issue #8): the same rules as every document. Only
    // the office's own staff create, edit and submit (a step starts from a decided parent
    // of their office); the route decides who approves — under 1,000,000 yen the 課長
    // alone for a spending document, the 所属所長 first for a 起案; only the drafter
    // withdraws; the office's staff, the secretariat and the approvers read.
    Rule { op: Op::PCreate(K::Request), what: "`record.create@1` 調達依頼を作成", why: "自所属所の担当者・所長だけが作成する",
        cells: [OK, OK, OK, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED] },
    Rule { op: Op::PUpdate(K::Request), what: "`record.update@1` 調達依頼の下書きを編集", why: "自所属所の担当者・所長だけが編集する",
        cells: [OK, OK, OK, NOT_FOUND, NOT_FOUND, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PSubmit(K::Request), what: "`approval.submit@1` 調達依頼を提出", why: "自所属所の担当者・所長だけが提出する",
        cells: [OK, OK, OK, NOT_FOUND, NOT_FOUND, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PUpdateInApproval(K::Request), what: "`record.update@1` 回議中の調達依頼を編集", why: "回議中は起案者だけ（承認はやり直し）",
        cells: [OK, NOT_DRAFTER, NOT_DRAFTER, NOT_FOUND, NOT_FOUND, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PApprove(K::Request), what: "`approval.act@1` 調達依頼を承認 — 課長専決の段（決裁権者＝課長）", why: "経路が課長を指す段はその職位の人だけ",
        cells: [SELF_APPROVAL, NOT_ON_ROUTE, NOT_ON_ROUTE, NOT_FOUND, NOT_FOUND, NOT_ON_ROUTE, OK, NOT_ON_ROUTE, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PReturn(K::Request), what: "`approval.act@1` 調達依頼を差戻し — 課長専決の段", why: "その段を持つ人（課長）だけが差し戻す",
        cells: [SELF_APPROVAL, NOT_ON_ROUTE, NOT_ON_ROUTE, NOT_FOUND, NOT_FOUND, NOT_ON_ROUTE, OK, NOT_ON_ROUTE, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PReject(K::Request), what: "`approval.act@1` 調達依頼を却下 — 課長専決の段", why: "その段を持つ人（課長）だけが却下する",
        cells: [SELF_APPROVAL, NOT_ON_ROUTE, NOT_ON_ROUTE, NOT_FOUND, NOT_FOUND, NOT_ON_ROUTE, OK, NOT_ON_ROUTE, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PWithdraw(K::Request), what: "`approval.act@1` 調達依頼を取下げ", why: "起案者だけ",
        cells: [OK, NOT_DRAFTER, NOT_DRAFTER, NOT_FOUND, NOT_FOUND, NOT_DRAFTER, NOT_DRAFTER, NOT_DRAFTER, NOT_FOUND, NOT_FOUND] },
    // 移管 is not limited to members' records: the secretariat can move an office's 調達依頼
    // too (as the code stands; see the report of issue #8).
    Rule { op: Op::PTransfer(K::Request), what: "`record.transfer@1` 調達依頼を他の所属所へ移管", why: "事務局審査担当だけが移管する",
        cells: [NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_FOUND, NOT_FOUND, OK, NOT_PERMITTED, NOT_PERMITTED, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PPull(K::Request), what: "`POST /sync/v1/pull` 新宿区役所の調達依頼が届くか", why: "自所属所・事務局・決裁権者だけが読む",
        cells: [OK, OK, OK, HIDDEN, HIDDEN, OK, OK, OK, HIDDEN, HIDDEN] },
    Rule { op: Op::PCreate(K::Contract), what: "`record.create@1` 契約を作成", why: "自所属所の担当者・所長だけが作成する",
        cells: [OK, OK, OK, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED] },
    Rule { op: Op::PUpdate(K::Contract), what: "`record.update@1` 契約の下書きを編集", why: "自所属所の担当者・所長だけが編集する",
        cells: [OK, OK, OK, NOT_FOUND, NOT_FOUND, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PSubmit(K::Contract), what: "`approval.submit@1` 契約を提出", why: "自所属所の担当者・所長だけが提出する",
        cells: [OK, OK, OK, NOT_FOUND, NOT_FOUND, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PUpdateInApproval(K::Contract), what: "`record.update@1` 回議中の契約を編集", why: "回議中は起案者だけ（承認はやり直し）",
        cells: [OK, NOT_DRAFTER, NOT_DRAFTER, NOT_FOUND, NOT_FOUND, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PApprove(K::Contract), what: "`approval.act@1` 契約を承認 — 課長専決の段（決裁権者＝課長）", why: "経路が課長を指す段はその職位の人だけ",
        cells: [SELF_APPROVAL, NOT_ON_ROUTE, NOT_ON_ROUTE, NOT_FOUND, NOT_FOUND, NOT_ON_ROUTE, OK, NOT_ON_ROUTE, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PReturn(K::Contract), what: "`approval.act@1` 契約を差戻し — 課長専決の段", why: "その段を持つ人（課長）だけが差し戻す",
        cells: [SELF_APPROVAL, NOT_ON_ROUTE, NOT_ON_ROUTE, NOT_FOUND, NOT_FOUND, NOT_ON_ROUTE, OK, NOT_ON_ROUTE, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PReject(K::Contract), what: "`approval.act@1` 契約を却下 — 課長専決の段", why: "その段を持つ人（課長）だけが却下する",
        cells: [SELF_APPROVAL, NOT_ON_ROUTE, NOT_ON_ROUTE, NOT_FOUND, NOT_FOUND, NOT_ON_ROUTE, OK, NOT_ON_ROUTE, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PWithdraw(K::Contract), what: "`approval.act@1` 契約を取下げ", why: "起案者だけ",
        cells: [OK, NOT_DRAFTER, NOT_DRAFTER, NOT_FOUND, NOT_FOUND, NOT_DRAFTER, NOT_DRAFTER, NOT_DRAFTER, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PPull(K::Contract), what: "`POST /sync/v1/pull` 新宿区役所の契約が届くか", why: "自所属所・事務局・決裁権者だけが読む",
        cells: [OK, OK, OK, HIDDEN, HIDDEN, OK, OK, OK, HIDDEN, HIDDEN] },
    // A step starts only from a parent its writer may see: another office's staff, creating
    // in their own office, are told the 調達依頼 is missing, exactly as for one that is not
    // there. (Those without an office create in 東京都総務局 here.)
    Rule { op: Op::PCreateFromShinjuku, what: "`record.create@1` 自分の所属所の契約を新宿区役所の調達依頼から作成", why: "元の文書は見える人だけが使える（他所属所には存在も明かさない）",
        cells: [OK, OK, OK, PARENT_MISSING, PARENT_MISSING, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED] },
    Rule { op: Op::PCreate(K::Inspection), what: "`record.create@1` 検収・検査を作成", why: "自所属所の担当者・所長だけが作成する",
        cells: [OK, OK, OK, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED] },
    Rule { op: Op::PUpdate(K::Inspection), what: "`record.update@1` 検収・検査の下書きを編集", why: "自所属所の担当者・所長だけが編集する",
        cells: [OK, OK, OK, NOT_FOUND, NOT_FOUND, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PSubmit(K::Inspection), what: "`approval.submit@1` 検収・検査を提出", why: "自所属所の担当者・所長だけが提出する",
        cells: [OK, OK, OK, NOT_FOUND, NOT_FOUND, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PUpdateInApproval(K::Inspection), what: "`record.update@1` 回議中の検収・検査を編集", why: "回議中は起案者だけ（承認はやり直し）",
        cells: [OK, NOT_DRAFTER, NOT_DRAFTER, NOT_FOUND, NOT_FOUND, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PApprove(K::Inspection), what: "`approval.act@1` 検収・検査を承認 — 課長専決の段（決裁権者＝課長）", why: "経路が課長を指す段はその職位の人だけ",
        cells: [SELF_APPROVAL, NOT_ON_ROUTE, NOT_ON_ROUTE, NOT_FOUND, NOT_FOUND, NOT_ON_ROUTE, OK, NOT_ON_ROUTE, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PReturn(K::Inspection), what: "`approval.act@1` 検収・検査を差戻し — 課長専決の段", why: "その段を持つ人（課長）だけが差し戻す",
        cells: [SELF_APPROVAL, NOT_ON_ROUTE, NOT_ON_ROUTE, NOT_FOUND, NOT_FOUND, NOT_ON_ROUTE, OK, NOT_ON_ROUTE, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PReject(K::Inspection), what: "`approval.act@1` 検収・検査を却下 — 課長専決の段", why: "その段を持つ人（課長）だけが却下する",
        cells: [SELF_APPROVAL, NOT_ON_ROUTE, NOT_ON_ROUTE, NOT_FOUND, NOT_FOUND, NOT_ON_ROUTE, OK, NOT_ON_ROUTE, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PWithdraw(K::Inspection), what: "`approval.act@1` 検収・検査を取下げ", why: "起案者だけ",
        cells: [OK, NOT_DRAFTER, NOT_DRAFTER, NOT_FOUND, NOT_FOUND, NOT_DRAFTER, NOT_DRAFTER, NOT_DRAFTER, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PPull(K::Inspection), what: "`POST /sync/v1/pull` 新宿区役所の検収・検査が届くか", why: "自所属所・事務局・決裁権者だけが読む",
        cells: [OK, OK, OK, HIDDEN, HIDDEN, OK, OK, OK, HIDDEN, HIDDEN] },
    Rule { op: Op::PCreate(K::PaymentOrder), what: "`record.create@1` 支出命令を作成", why: "自所属所の担当者・所長だけが作成する",
        cells: [OK, OK, OK, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED] },
    Rule { op: Op::PUpdate(K::PaymentOrder), what: "`record.update@1` 支出命令の下書きを編集", why: "自所属所の担当者・所長だけが編集する",
        cells: [OK, OK, OK, NOT_FOUND, NOT_FOUND, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PSubmit(K::PaymentOrder), what: "`approval.submit@1` 支出命令を提出", why: "自所属所の担当者・所長だけが提出する",
        cells: [OK, OK, OK, NOT_FOUND, NOT_FOUND, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PUpdateInApproval(K::PaymentOrder), what: "`record.update@1` 回議中の支出命令を編集", why: "回議中は起案者だけ（承認はやり直し）",
        cells: [OK, NOT_DRAFTER, NOT_DRAFTER, NOT_FOUND, NOT_FOUND, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PApprove(K::PaymentOrder), what: "`approval.act@1` 支出命令を承認 — 課長専決の段（決裁権者＝課長）", why: "経路が課長を指す段はその職位の人だけ",
        cells: [SELF_APPROVAL, NOT_ON_ROUTE, NOT_ON_ROUTE, NOT_FOUND, NOT_FOUND, NOT_ON_ROUTE, OK, NOT_ON_ROUTE, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PReturn(K::PaymentOrder), what: "`approval.act@1` 支出命令を差戻し — 課長専決の段", why: "その段を持つ人（課長）だけが差し戻す",
        cells: [SELF_APPROVAL, NOT_ON_ROUTE, NOT_ON_ROUTE, NOT_FOUND, NOT_FOUND, NOT_ON_ROUTE, OK, NOT_ON_ROUTE, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PReject(K::PaymentOrder), what: "`approval.act@1` 支出命令を却下 — 課長専決の段", why: "その段を持つ人（課長）だけが却下する",
        cells: [SELF_APPROVAL, NOT_ON_ROUTE, NOT_ON_ROUTE, NOT_FOUND, NOT_FOUND, NOT_ON_ROUTE, OK, NOT_ON_ROUTE, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PWithdraw(K::PaymentOrder), what: "`approval.act@1` 支出命令を取下げ", why: "起案者だけ",
        cells: [OK, NOT_DRAFTER, NOT_DRAFTER, NOT_FOUND, NOT_FOUND, NOT_DRAFTER, NOT_DRAFTER, NOT_DRAFTER, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PPull(K::PaymentOrder), what: "`POST /sync/v1/pull` 新宿区役所の支出命令が届くか", why: "自所属所・事務局・決裁権者だけが読む",
        cells: [OK, OK, OK, HIDDEN, HIDDEN, OK, OK, OK, HIDDEN, HIDDEN] },
    Rule { op: Op::PCreate(K::Proposal), what: "`record.create@1` 起案文書を作成", why: "自所属所の担当者・所長だけが作成する",
        cells: [OK, OK, OK, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED] },
    Rule { op: Op::PUpdate(K::Proposal), what: "`record.update@1` 起案文書の下書きを編集", why: "自所属所の担当者・所長だけが編集する",
        cells: [OK, OK, OK, NOT_FOUND, NOT_FOUND, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PSubmit(K::Proposal), what: "`approval.submit@1` 起案文書を提出", why: "自所属所の担当者・所長だけが提出する",
        cells: [OK, OK, OK, NOT_FOUND, NOT_FOUND, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PUpdateInApproval(K::Proposal), what: "`record.update@1` 回議中の起案文書を編集", why: "回議中は起案者だけ（承認はやり直し）",
        cells: [OK, NOT_DRAFTER, NOT_DRAFTER, NOT_FOUND, NOT_FOUND, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PApprove(K::Proposal), what: "`approval.act@1` 起案文書を承認 — 所属所長の段", why: "経路が所属所長を指す段は自所属所の所長だけ",
        cells: [SELF_APPROVAL, NOT_ON_ROUTE, OK, NOT_FOUND, NOT_FOUND, NOT_ON_ROUTE, NOT_YOUR_TURN, NOT_YOUR_TURN, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PReturn(K::Proposal), what: "`approval.act@1` 起案文書を差戻し — 所属所長の段", why: "その段を持つ人（自所属所の所長）だけが差し戻す",
        cells: [SELF_APPROVAL, NOT_ON_ROUTE, OK, NOT_FOUND, NOT_FOUND, NOT_ON_ROUTE, NOT_YOUR_TURN, NOT_YOUR_TURN, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PReject(K::Proposal), what: "`approval.act@1` 起案文書を却下 — 所属所長の段", why: "その段を持つ人（自所属所の所長）だけが却下する",
        cells: [SELF_APPROVAL, NOT_ON_ROUTE, OK, NOT_FOUND, NOT_FOUND, NOT_ON_ROUTE, NOT_YOUR_TURN, NOT_YOUR_TURN, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PWithdraw(K::Proposal), what: "`approval.act@1` 起案文書を取下げ", why: "起案者だけ",
        cells: [OK, NOT_DRAFTER, NOT_DRAFTER, NOT_FOUND, NOT_FOUND, NOT_DRAFTER, NOT_DRAFTER, NOT_DRAFTER, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PPull(K::Proposal), what: "`POST /sync/v1/pull` 新宿区役所の起案文書が届くか", why: "自所属所・事務局・決裁権者だけが読む",
        cells: [OK, OK, OK, HIDDEN, HIDDEN, OK, OK, OK, HIDDEN, HIDDEN] },
    // A written transfer file (振込ファイル, `payment_batch`) is a record of the office, not
    // approved: its staff write it, the secretariat and approvers read it.
    Rule { op: Op::PCreate(K::PaymentBatch), what: "`record.create@1` 振込ファイルの記録を作成", why: "自所属所の担当者・所長だけが作成する",
        cells: [OK, OK, OK, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED] },
    Rule { op: Op::PUpdate(K::PaymentBatch), what: "`record.update@1` 振込ファイルの記録を編集", why: "自所属所の担当者・所長だけが編集する",
        cells: [OK, OK, OK, NOT_FOUND, NOT_FOUND, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PPull(K::PaymentBatch), what: "`POST /sync/v1/pull` 新宿区役所の振込ファイルの記録が届くか", why: "自所属所・事務局・決裁権者だけが読む",
        cells: [OK, OK, OK, HIDDEN, HIDDEN, OK, OK, OK, HIDDEN, HIDDEN] },
    // The office's procurement masters (予算配当 `budget`, 契約相手方 `vendor`) are its
    // records like any other: written by its own staff (clerks' guide: 「予算」タブ), read by
    // the secretariat and the approvers.
    Rule { op: Op::PCreate(K::Budget), what: "`record.create@1` 予算配当を登録", why: "自所属所の担当者・所長だけが登録する",
        cells: [OK, OK, OK, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED] },
    Rule { op: Op::PUpdate(K::Budget), what: "`record.update@1` 予算配当を変更", why: "自所属所の担当者・所長だけが変更する",
        cells: [OK, OK, OK, NOT_FOUND, NOT_FOUND, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PPull(K::Budget), what: "`POST /sync/v1/pull` 新宿区役所の予算配当が届くか", why: "自所属所・事務局・決裁権者だけが読む",
        cells: [OK, OK, OK, HIDDEN, HIDDEN, OK, OK, OK, HIDDEN, HIDDEN] },
    Rule { op: Op::PCreate(K::Vendor), what: "`record.create@1` 契約相手方を登録", why: "自所属所の担当者・所長だけが登録する",
        cells: [OK, OK, OK, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED] },
    Rule { op: Op::PUpdate(K::Vendor), what: "`record.update@1` 契約相手方を変更", why: "自所属所の担当者・所長だけが変更する",
        cells: [OK, OK, OK, NOT_FOUND, NOT_FOUND, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_FOUND, NOT_FOUND] },
    Rule { op: Op::PPull(K::Vendor), what: "`POST /sync/v1/pull` 新宿区役所の契約相手方が届くか", why: "自所属所・事務局・決裁権者だけが読む",
        cells: [OK, OK, OK, HIDDEN, HIDDEN, OK, OK, OK, HIDDEN, HIDDEN] },
    // Correcting a scanned document (`ocr_document`, issue #6) is an edit: the office's
    // own staff only, as for its lease.
    Rule { op: Op::OcrUpdate, what: "`record.update@1` 取込帳票（OCR）を修正", why: "自所属所の担当者・所長だけが帳票を修正する",
        cells: [OK, OK, OK, NOT_FOUND, NOT_FOUND, NOT_PERMITTED, NOT_PERMITTED, NOT_PERMITTED, NOT_FOUND, NOT_FOUND] },
];

// ---------------------------------------------------------------------------------------
// Playing the matrix.

/// What a cell did.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Got {
    Ok,
    No { code: String, message: String },
    Hidden,
}

impl Got {
    fn matches(&self, e: E) -> bool {
        match (self, e) {
            (Got::Ok, E::Ok) | (Got::Hidden, E::Hidden) => true,
            (Got::No { code, .. }, E::No(want)) => code == want,
            _ => false,
        }
    }

    fn of(o: &Outcome) -> Got {
        match o {
            Outcome::Applied { .. } => Got::Ok,
            Outcome::Conflict { code, message, .. } | Outcome::Rejected { code, message } => {
                Got::No {
                    code: code.clone(),
                    message: message.clone(),
                }
            }
        }
    }

    fn of_reply(r: &Reply) -> Got {
        if r.status.is_success() {
            return Got::Ok;
        }
        assert!(r.status.is_client_error(), "{}: {}", r.status, r.text);
        let e = r.error();
        Got::No {
            code: e.code,
            message: e.message,
        }
    }

    /// An answer that must not tell a record that exists from one that does not.
    fn is_not_found(&self) -> bool {
        matches!(self, Got::No { code, .. } if code == codes::NOT_FOUND || code == "work.not_permitted")
    }
}

struct Person {
    id: &'static str,
    user: User,
    seq: u64,
}

struct World {
    server: TestServer,
    api: Api,
    people: Vec<Person>,
    away: Person,
    title: String,
    body: Value,
    hash: String,
    /// Decided 調達依頼, 契約 and 検収・検査 of 1203 the next steps start from (on first use).
    decided: Vec<(K, Uuid)>,
}

fn action(a: &appr::Action) -> Value {
    serde_json::to_value(a).unwrap()
}

impl World {
    async fn new(backend: TestBackend) -> World {
        let (server, api) = setup(backend).await;
        server
            .add_user(
                HEAD_B,
                "小林 進",
                &[Role::OfficeHead],
                Some("1101"),
                PASSWORD,
            )
            .await;
        server
            .add_user(DELEGATE, "吉田 恵", &[Role::Approver], None, PASSWORD)
            .await;
        // `user add` refuses an office role without an office; the database could still
        // hold one (an office deleted by hand, an import): it must see and do nothing.
        server
            .add_user(NO_OFFICE, "森 拓也", &[Role::OfficeClerk], None, PASSWORD)
            .await;
        server
            .add_user(AWAY, "石井 恵子", &[Role::Approver], None, PASSWORD)
            .await;
        let mut people = Vec::new();
        for (id, role, office, _) in ACTORS {
            let user = api.login(id).await;
            assert_eq!(user.session.user.roles, vec![role], "{id}");
            assert_eq!(user.session.user.office_code.as_deref(), office, "{id}");
            people.push(Person { id, user, seq: 0 });
        }
        let away = Person {
            id: AWAY,
            user: api.login(AWAY).await,
            seq: 0,
        };
        let mut form = new_hire(
            "山田　太郎",
            "ヤマダ　タロウ",
            "1234-567890",
            "123456789018",
        );
        acknowledge_all(&mut form);
        let title = acquisition_title(&form);
        let body = serde_json::to_value(&form).unwrap();
        let hash = appr::content_hash("acquisition", &title, &body);
        // The 決裁権者 is also a 課長, who decides spending documents under 1,000,000 yen.
        assert!(server
            .storage()
            .set_positions(APPROVER, &[appr::Position::Kacho])
            .await
            .unwrap());
        let mut w = World {
            server,
            api,
            people,
            away,
            title,
            body,
            hash,
            decided: Vec::new(),
        };
        // The budget line the 調達依頼 are charged to (100,000,000 yen, never exhausted).
        let line = json!({ "fiscalYear": 2026, "code": "01-02-03", "name": "備品購入費", "allocated": 100_000_000 });
        let c = command(
            0,
            "record.create",
            Uuid::new_v4(),
            None,
            json!({"kind": "budget", "office_code": "1203", "title": "備品購入費", "body": line}),
        );
        w.must(DRAFTER, |s| CommandEnvelope { seq: s, ..c }).await;
        w
    }

    // Fixtures of the procurement rows: documents of 1203 made by the drafter.

    fn pcreate(&self, seq: u64, id: Uuid, k: K, parent: Option<Uuid>) -> CommandEnvelope {
        command(
            seq,
            "record.create",
            id,
            None,
            json!({"kind": k.kind(), "office_code": "1203", "title": k.kind(), "body": k.body(parent, "")}),
        )
    }

    fn phash(k: K, parent: Option<Uuid>) -> String {
        appr::content_hash(k.kind(), k.kind(), &k.body(parent, ""))
    }

    /// The parent a new document of `k` starts from, if its kind has one.
    async fn pparent(&mut self, k: K) -> Option<Uuid> {
        match k.parent() {
            Some(p) => Some(self.decided(p).await),
            None => None,
        }
    }

    /// A draft of `k` and its parent.
    async fn pdraft(&mut self, k: K) -> (Uuid, Option<Uuid>) {
        let parent = self.pparent(k).await;
        let id = Uuid::new_v4();
        let c = self.pcreate(0, id, k, parent);
        self.must(DRAFTER, |s| CommandEnvelope { seq: s, ..c })
            .await;
        (id, parent)
    }

    /// The parent a stored document links to.
    async fn pparent_of(&self, id: Uuid) -> Option<Uuid> {
        let r = self.server.record(id).await.unwrap();
        kyosai_domain::procurement::document::parent_of(&r.body).map(|p| p.parse().unwrap())
    }

    /// A submitted document of `k` (at its first step) and the hash of its content.
    async fn psubmitted(&mut self, k: K) -> (Uuid, String) {
        let (id, parent) = self.pdraft(k).await;
        let hash = World::phash(k, parent);
        let payload = json!({ "seen_hash": hash });
        self.must(DRAFTER, |s| {
            command(s, "approval.submit", id, None, payload)
        })
        .await;
        (id, hash)
    }

    /// A decided 調達依頼, 契約 or 検収・検査 (passed), made once: the chain goes
    /// request → contract → inspection, each decided by the 課長.
    async fn decided(&mut self, k: K) -> Uuid {
        let mut parent = None;
        for step in [K::Request, K::Contract, K::Inspection] {
            let known = self.decided.iter().find(|(x, _)| *x == step).map(|x| x.1);
            let id = match known {
                Some(id) => id,
                None => {
                    let id = Uuid::new_v4();
                    let c = self.pcreate(0, id, step, parent);
                    self.must(DRAFTER, |s| CommandEnvelope { seq: s, ..c })
                        .await;
                    let hash = World::phash(step, parent);
                    let payload = json!({ "seen_hash": hash });
                    self.must(DRAFTER, |s| {
                        command(s, "approval.submit", id, None, payload)
                    })
                    .await;
                    let a = appr::Action::Approve {
                        seen_hash: hash,
                        comment: None,
                    };
                    let c = self.act(0, id, &a);
                    self.must(APPROVER_, |s| CommandEnvelope { seq: s, ..c })
                        .await;
                    self.decided.push((step, id));
                    id
                }
            };
            if step == k {
                return id;
            }
            parent = Some(id);
        }
        panic!("{k:?} is not a parent step");
    }

    /// Pushes one command as `who`.
    async fn push(&mut self, who: usize, make: impl FnOnce(u64) -> CommandEnvelope) -> Got {
        let p = &mut self.people[who];
        p.seq += 1;
        let r = self.api.push(&p.user, &[make(p.seq)]).await;
        assert_eq!(r.results.len(), 1);
        Got::of(&r.results[0].outcome)
    }

    /// A fixture step that must succeed.
    async fn must(&mut self, who: usize, make: impl FnOnce(u64) -> CommandEnvelope) {
        let got = self.push(who, make).await;
        assert_eq!(got, Got::Ok, "fixture step by {}", self.people[who].id);
    }

    /// Pushes `make(record)` as `who`; a `sync.not_found` must read exactly as the answer
    /// for a record that does not exist (otherwise the cell reports the leak).
    async fn push_cell(
        &mut self,
        who: usize,
        id: Uuid,
        make: impl Fn(u64, Uuid) -> CommandEnvelope,
    ) -> Got {
        let got = self.push(who, |s| make(s, id)).await;
        if got.is_not_found() {
            let twin = self.push(who, |s| make(s, Uuid::new_v4())).await;
            if twin != got {
                return Got::No {
                    code: "leak: differs from a missing record".into(),
                    message: format!("{got:?} / {twin:?}"),
                };
            }
        }
        got
    }

    fn create(&self, seq: u64, id: Uuid) -> CommandEnvelope {
        command(
            seq,
            "record.create",
            id,
            None,
            json!({"kind": "acquisition", "office_code": "1203", "title": self.title, "body": self.body}),
        )
    }

    fn act(&self, seq: u64, id: Uuid, a: &appr::Action) -> CommandEnvelope {
        command(seq, "approval.act", id, None, action(a))
    }

    fn approve(&self) -> appr::Action {
        appr::Action::Approve {
            seen_hash: self.hash.clone(),
            comment: None,
        }
    }

    // Fixtures: a fresh 資格取得届 of 1203 at each stage, through the real API.

    async fn draft(&mut self) -> Uuid {
        let id = Uuid::new_v4();
        let c = self.create(0, id);
        self.must(DRAFTER, |s| CommandEnvelope { seq: s, ..c })
            .await;
        id
    }

    async fn submitted(&mut self) -> Uuid {
        let id = self.draft().await;
        let payload = json!({ "seen_hash": self.hash });
        self.must(DRAFTER, |s| {
            command(s, "approval.submit", id, None, payload)
        })
        .await;
        id
    }

    /// A scanned document of 1203 in the OCR correction queue, created by the drafter.
    async fn ocr_document(&mut self) -> Uuid {
        let id = Uuid::new_v4();
        let c = command(
            0,
            "record.create",
            id,
            None,
            json!({
                "kind": "ocr_document",
                "office_code": "1203",
                "title": "組合員資格取得届（スキャン）山田　太郎",
                "body": {"format": 1, "template": "shikaku_shutoku", "pages": 1},
            }),
        );
        self.must(DRAFTER, |s| CommandEnvelope { seq: s, ..c })
            .await;
        id
    }

    /// At the 事務局審査 step (the 所属所長 certified).
    async fn certified(&mut self) -> Uuid {
        let id = self.submitted().await;
        let c = self.act(0, id, &self.approve());
        self.must(HEAD, |s| CommandEnvelope { seq: s, ..c }).await;
        id
    }

    /// At the 決裁 step.
    async fn reviewed(&mut self) -> Uuid {
        let id = self.certified().await;
        let c = self.act(0, id, &self.approve());
        self.must(REVIEWER_, |s| CommandEnvelope { seq: s, ..c })
            .await;
        id
    }

    /// Decided (registered).
    async fn approved(&mut self) -> Uuid {
        let id = self.reviewed().await;
        let c = self.act(0, id, &self.approve());
        self.must(APPROVER_, |s| CommandEnvelope { seq: s, ..c })
            .await;
        id
    }

    /// An open conflict of the drafter: a colleague saved first.
    async fn conflict(&mut self) -> Uuid {
        let id = self.draft().await;
        let update = |s, title: &str| {
            command(
                s,
                "record.update",
                id,
                Some(1),
                json!({"title": title, "body": self.body}),
            )
        };
        let (first, second) = (update(0, "同僚の修正"), update(0, "起案者の修正"));
        self.must(COLLEAGUE, |s| CommandEnvelope { seq: s, ..first })
            .await;
        let p = &mut self.people[DRAFTER];
        p.seq += 1;
        let r = self
            .api
            .push(
                &p.user,
                &[CommandEnvelope {
                    seq: p.seq,
                    ..second
                }],
            )
            .await;
        match &r.results[0].outcome {
            Outcome::Conflict { conflict_id, .. } => *conflict_id,
            other => panic!("expected a conflict: {other:?}"),
        }
    }

    /// Registers an absence of `token`'s user from a minute ago for an hour.
    async fn absence(&self, token: &str, delegate: &str) -> Reply {
        let now = Utc::now();
        self.api
            .post(
                "/sync/v1/absences",
                Some(token),
                &NewAbsence {
                    delegate_id: delegate.to_string(),
                    from: now - Duration::minutes(1),
                    until: now + Duration::hours(1),
                },
            )
            .await
    }

    async fn must_absence(&self, token: &str, delegate: &str) -> Uuid {
        let r = self.absence(token, delegate).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.parse::<AbsenceInfo>().id
    }

    async fn must_cancel(&self, token: &str, id: Uuid) {
        let r = self
            .api
            .delete(&format!("/sync/v1/absences/{id}"), Some(token))
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    }

    /// `GET /analytics/v1/dashboard` for the last 30 days as `who`; an answer counts as
    /// done only for the office it should cover (a 所属所長 asking for no office gets their
    /// own, everyone else who may see it all offices).
    async fn analytics(&self, who: usize, office: Option<&str>) -> Got {
        let today = today();
        let mut path = format!(
            "/analytics/v1/dashboard?from={}&to={today}",
            today - Duration::days(30)
        );
        if let Some(o) = office {
            path.push_str(&format!("&office={o}"));
        }
        let r = self.api.get(&path, Some(&self.token(who))).await;
        let got = Got::of_reply(&r);
        if got == Got::Ok {
            let d: kyosai_domain::flow::Dashboard = r.parse();
            let (_, role, own, _) = ACTORS[who];
            let want = match office {
                Some(o) => Some(o),
                None if role == Role::OfficeHead => own,
                None => None,
            };
            if d.query.office.as_deref() != want {
                return Got::No {
                    code: "leak: another office's figures".into(),
                    message: format!("{:?}", d.query),
                };
            }
        }
        got
    }

    fn token(&self, who: usize) -> String {
        self.people[who].user.token().to_string()
    }

    /// Plays one row of the matrix: what each actor gets (`None` for cells marked n/a).
    async fn play(&mut self, rule: &Rule) -> Vec<Option<Got>> {
        // Set-up shared by the row.
        let mut shared: Option<Uuid> = None;
        let mut absence: Option<(String, Uuid)> = None;
        match rule.op {
            // The 決裁権者 is away; his absence names the delegate.
            Op::Delegate | Op::PostRead => {
                let t = self.token(APPROVER_);
                absence = Some((t.clone(), self.must_absence(&t, DELEGATE).await));
            }
            // The reviewer is away (his delegate is someone else).
            Op::PullUp => {
                let t = self.token(REVIEWER_);
                absence = Some((t.clone(), self.must_absence(&t, AWAY).await));
            }
            Op::AbsenceCancelOthers => {
                let t = self.away.user.token().to_string();
                absence = Some((t.clone(), self.must_absence(&t, APPROVER).await));
            }
            Op::Pull => shared = Some(self.draft().await),
            Op::PPull(k) => shared = Some(self.pdraft(k).await.0),
            Op::ReviewResult => shared = Some(self.submitted().await),
            Op::RegistrationCreate => {
                self.approved().await;
            }
            Op::RegistrationFile => {
                self.approved().await;
                let r = self
                    .api
                    .post(
                        "/sync/v1/registrations",
                        Some(&self.token(REVIEWER_)),
                        &json!({}),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
                shared = Some(r.parse::<kyosai_central::storage::RegistrationBatch>().id);
            }
            Op::ConflictList => shared = Some(self.conflict().await),
            _ => {}
        }
        let mut row = Vec::with_capacity(N);
        for who in 0..N {
            if rule.cells[who] == E::Na {
                row.push(None);
                continue;
            }
            row.push(Some(self.cell(rule.op, who, shared).await));
        }
        if let Some((token, id)) = absence {
            // Cancelled by its owner: also proves no one else could.
            self.must_cancel(&token, id).await;
        }
        row
    }

    async fn cell(&mut self, op: Op, who: usize, shared: Option<Uuid>) -> Got {
        let token = self.token(who);
        let edited = {
            let mut b = self.body.clone();
            b["member"]["address"] = json!("東京都新宿区西新宿二丁目8番1号");
            b
        };
        let title = self.title.clone();
        let update = move |base: i64| {
            let (title, body) = (title.clone(), edited.clone());
            move |s: u64, id: Uuid| {
                command(
                    s,
                    "record.update",
                    id,
                    Some(base),
                    json!({"title": title, "body": body}),
                )
            }
        };
        let act = |a: appr::Action| {
            move |s: u64, id: Uuid| command(s, "approval.act", id, None, action(&a))
        };
        match op {
            Op::Create => {
                let c = self.create(0, Uuid::new_v4());
                self.push(who, |s| CommandEnvelope { seq: s, ..c }).await
            }
            Op::Update => {
                let id = self.draft().await;
                self.push_cell(who, id, update(1)).await
            }
            Op::UpdateInApproval => {
                let id = self.submitted().await;
                let base = self.server.record(id).await.unwrap().version;
                self.push_cell(who, id, update(base)).await
            }
            Op::Submit => {
                let id = self.draft().await;
                let hash = self.hash.clone();
                self.push_cell(who, id, |s, id| {
                    command(s, "approval.submit", id, None, json!({ "seen_hash": hash }))
                })
                .await
            }
            Op::Transfer => {
                let id = self.draft().await;
                self.push_cell(who, id, |s, id| {
                    command(
                        s,
                        "record.transfer",
                        id,
                        Some(1),
                        json!({"office_code": "1101"}),
                    )
                })
                .await
            }
            Op::Certify => {
                let id = self.submitted().await;
                self.push_cell(who, id, act(self.approve())).await
            }
            Op::Review => {
                let id = self.certified().await;
                self.push_cell(who, id, act(self.approve())).await
            }
            Op::Decide => {
                let id = self.reviewed().await;
                self.push_cell(who, id, act(self.approve())).await
            }
            Op::Return | Op::Reject => {
                let id = self.reviewed().await;
                let (seen_hash, reason) = (
                    self.hash.clone(),
                    "被扶養者の記載を確認してください".to_string(),
                );
                let a = if op == Op::Return {
                    appr::Action::Return { seen_hash, reason }
                } else {
                    appr::Action::Reject { seen_hash, reason }
                };
                self.push_cell(who, id, act(a)).await
            }
            Op::Delegate => {
                let id = self.reviewed().await;
                let a = appr::Action::Delegate {
                    seen_hash: self.hash.clone(),
                    for_user: APPROVER.into(),
                    comment: None,
                };
                self.push_cell(who, id, act(a)).await
            }
            Op::PullUp => {
                let id = self.certified().await;
                let a = appr::Action::PullUp {
                    seen_hash: self.hash.clone(),
                    comment: None,
                };
                self.push_cell(who, id, act(a)).await
            }
            Op::Withdraw => {
                let id = self.submitted().await;
                self.push_cell(who, id, act(appr::Action::Withdraw)).await
            }
            Op::PostRead => {
                let id = self.reviewed().await;
                let d = appr::Action::Delegate {
                    seen_hash: self.hash.clone(),
                    for_user: APPROVER.into(),
                    comment: None,
                };
                let c = self.act(0, id, &d);
                self.must(DELEGATE_, |s| CommandEnvelope { seq: s, ..c })
                    .await;
                self.push_cell(who, id, act(appr::Action::PostRead)).await
            }
            Op::PCreate(k) => {
                let parent = self.pparent(k).await;
                let c = self.pcreate(0, Uuid::new_v4(), k, parent);
                self.push(who, |s| CommandEnvelope { seq: s, ..c }).await
            }
            Op::PCreateFromShinjuku => {
                let request = self.decided(K::Request).await;
                let office = ACTORS[who].2.unwrap_or("1101");
                let create = |s: u64, parent: Uuid| {
                    command(
                        s,
                        "record.create",
                        Uuid::new_v4(),
                        None,
                        json!({"kind": "contract", "office_code": office, "title": "contract",
                               "body": K::Contract.body(Some(parent), "")}),
                    )
                };
                let got = self.push(who, |s| create(s, request)).await;
                if got.matches(PARENT_MISSING) {
                    // Exactly as for a 調達依頼 that does not exist.
                    let twin = self.push(who, |s| create(s, Uuid::new_v4())).await;
                    if twin != got {
                        return Got::No {
                            code: "leak: differs from a missing request".into(),
                            message: format!("{got:?} / {twin:?}"),
                        };
                    }
                }
                got
            }
            Op::PUpdate(k) => {
                let (id, parent) = self.pdraft(k).await;
                let body = k.body(parent, "金額の内訳を追記");
                self.push_cell(who, id, move |s, id| {
                    command(
                        s,
                        "record.update",
                        id,
                        Some(1),
                        json!({"title": k.kind(), "body": body.clone()}),
                    )
                })
                .await
            }
            Op::PSubmit(k) => {
                let (id, parent) = self.pdraft(k).await;
                let hash = World::phash(k, parent);
                self.push_cell(who, id, |s, id| {
                    command(s, "approval.submit", id, None, json!({ "seen_hash": hash }))
                })
                .await
            }
            Op::PApprove(k) => {
                let (id, seen_hash) = self.psubmitted(k).await;
                let a = appr::Action::Approve {
                    seen_hash,
                    comment: None,
                };
                self.push_cell(who, id, act(a)).await
            }
            Op::PUpdateInApproval(k) => {
                let (id, _) = self.psubmitted(k).await;
                let base = self.server.record(id).await.unwrap().version;
                let parent = self.pparent_of(id).await;
                let body = k.body(parent, "金額の内訳を追記");
                self.push_cell(who, id, move |s, id| {
                    command(
                        s,
                        "record.update",
                        id,
                        Some(base),
                        json!({"title": k.kind(), "body": body.clone()}),
                    )
                })
                .await
            }
            Op::PReturn(k) | Op::PReject(k) => {
                let (id, seen_hash) = self.psubmitted(k).await;
                let reason = "金額の根拠を添付してください".to_string();
                let a = if matches!(op, Op::PReturn(_)) {
                    appr::Action::Return { seen_hash, reason }
                } else {
                    appr::Action::Reject { seen_hash, reason }
                };
                self.push_cell(who, id, act(a)).await
            }
            Op::PTransfer(k) => {
                let (id, _) = self.pdraft(k).await;
                self.push_cell(who, id, |s, id| {
                    command(
                        s,
                        "record.transfer",
                        id,
                        Some(1),
                        json!({"office_code": "1101"}),
                    )
                })
                .await
            }
            Op::PWithdraw(k) => {
                let (id, _) = self.psubmitted(k).await;
                self.push_cell(who, id, act(appr::Action::Withdraw)).await
            }
            Op::OcrUpdate => {
                let id = self.ocr_document().await;
                self.push_cell(who, id, |s, id| {
                    command(
                        s,
                        "record.update",
                        id,
                        Some(1),
                        json!({
                            "title": "組合員資格取得届（スキャン）山田　太郎",
                            "body": {"format": 1, "template": "shikaku_shutoku", "pages": 2},
                        }),
                    )
                })
                .await
            }
            Op::Pull | Op::PPull(_) => {
                let id = shared.unwrap();
                let (changes, _) = self.api.pull_all(&self.people[who].user, None).await;
                let (up, revoked) = split(&changes);
                match (up.contains(&id), revoked.contains(&id)) {
                    (true, _) => Got::Ok,
                    (false, false) => Got::Hidden,
                    (false, true) => Got::No {
                        code: "leak: revoked id shown".into(),
                        message: String::new(),
                    },
                }
            }
            Op::ReviewResult => {
                let path = |id: Uuid| format!("/sync/v1/acquisitions/{id}/review");
                let got = Got::of_reply(&self.api.get(&path(shared.unwrap()), Some(&token)).await);
                if got.is_not_found() {
                    let twin =
                        Got::of_reply(&self.api.get(&path(Uuid::new_v4()), Some(&token)).await);
                    assert_eq!(
                        twin, got,
                        "{} learns that the case exists",
                        self.people[who].id
                    );
                }
                got
            }
            Op::RegistrationCreate => Got::of_reply(
                &self
                    .api
                    .post("/sync/v1/registrations", Some(&token), &json!({}))
                    .await,
            ),
            Op::RegistrationList => {
                Got::of_reply(&self.api.get("/sync/v1/registrations", Some(&token)).await)
            }
            Op::RegistrationFile => Got::of_reply(
                &self
                    .api
                    .get(
                        &format!("/sync/v1/registrations/{}", shared.unwrap()),
                        Some(&token),
                    )
                    .await,
            ),
            Op::AbsenceAdd => {
                let r = self.absence(&token, AWAY).await;
                let got = Got::of_reply(&r);
                if got == Got::Ok {
                    self.must_cancel(&token, r.parse::<AbsenceInfo>().id).await;
                }
                got
            }
            Op::AbsenceCancelOwn => {
                let id = self.must_absence(&token, AWAY).await;
                Got::of_reply(
                    &self
                        .api
                        .delete(&format!("/sync/v1/absences/{id}"), Some(&token))
                        .await,
                )
            }
            Op::AbsenceCancelOthers => {
                let dir: kyosai_sync_protocol::approval::Directory = self
                    .api
                    .get("/sync/v1/directory", Some(&token))
                    .await
                    .parse();
                let theirs = dir
                    .absences
                    .iter()
                    .find(|a| a.user_id == AWAY)
                    .map(|a| a.id)
                    .expect("the absence of someone else");
                Got::of_reply(
                    &self
                        .api
                        .delete(&format!("/sync/v1/absences/{theirs}"), Some(&token))
                        .await,
                )
            }
            Op::ConflictList => {
                let list: ConflictList = self
                    .api
                    .get("/sync/v1/conflicts", Some(&token))
                    .await
                    .parse();
                if list.conflicts.iter().any(|c| Some(c.id) == shared) {
                    Got::Ok
                } else {
                    Got::Hidden
                }
            }
            Op::ConflictResolve => {
                let id = self.conflict().await;
                let path = |id: Uuid| format!("/sync/v1/conflicts/{id}/resolve");
                let body = json!({"resolution": "discarded"});
                let got = Got::of_reply(&self.api.post(&path(id), Some(&token), &body).await);
                if got.is_not_found() {
                    let twin = Got::of_reply(
                        &self
                            .api
                            .post(&path(Uuid::new_v4()), Some(&token), &body)
                            .await,
                    );
                    assert_eq!(
                        twin, got,
                        "{} learns that the conflict exists",
                        self.people[who].id
                    );
                }
                got
            }
            Op::Directory => Got::of_reply(&self.api.get("/sync/v1/directory", Some(&token)).await),
            Op::AnalyticsShinjuku => self.analytics(who, Some("1203")).await,
            Op::AnalyticsOtherOffice => self.analytics(who, Some("1101")).await,
            Op::AnalyticsAll => self.analytics(who, None).await,
            Op::WorkTime | Op::WorkTimeForSomeoneElse => {
                let id = self.draft().await;
                let session = Uuid::new_v4();
                let mut payload = work_session(session, "draft", Utc::now(), 90);
                if op == Op::WorkTimeForSomeoneElse {
                    payload["userId"] = json!(CLERK_A2);
                }
                let got = self
                    .push_cell(who, id, |s, id| work_time(s, id, payload.clone()))
                    .await;
                if got == Got::Ok {
                    // Kept once, under the sender and the case's office.
                    let rows = self.server.storage().work_sessions(None).await.unwrap();
                    let kept: Vec<_> = rows.iter().filter(|r| r.session_id == session).collect();
                    let me = self.people[who].id;
                    if kept.len() != 1 || kept[0].user_id != me || kept[0].office_code != "1203" {
                        return Got::No {
                            code: "kept wrongly".into(),
                            message: format!("{kept:?}"),
                        };
                    }
                }
                got
            }
            Op::UpdateCheck => Got::of_reply(
                &self
                    .api
                    .get(
                        "/updates/v1/stable/windows-x86_64?current=0.1.0",
                        Some(&token),
                    )
                    .await,
            ),
            Op::OcrLease => {
                // A fresh document per cell: a lease taken in one cell would refuse the next.
                let id = self.ocr_document().await;
                let path = |id: Uuid| format!("/sync/v1/ocr/{id}/lease");
                let body = json!({"action": "acquire"});
                let got = Got::of_reply(&self.api.post(&path(id), Some(&token), &body).await);
                if got.is_not_found() {
                    let twin = Got::of_reply(
                        &self
                            .api
                            .post(&path(Uuid::new_v4()), Some(&token), &body)
                            .await,
                    );
                    assert_eq!(
                        twin, got,
                        "{} learns that the document exists",
                        self.people[who].id
                    );
                }
                got
            }
        }
    }
}

async fn the_authorisation_matrix_holds(backend: TestBackend) {
    let mut w = World::new(backend).await;
    let mut failures = Vec::new();
    let (mut cells, mut forbidden) = (0, 0);
    for rule in MATRIX {
        let row = w.play(rule).await;
        for (who, got) in row.into_iter().enumerate() {
            let Some(got) = got else { continue };
            let want = rule.cells[who];
            cells += 1;
            if want != E::Ok {
                forbidden += 1;
            }
            if !got.matches(want) {
                failures.push(format!(
                    "{:?} by {} ({}): expected {want:?}, got {got:?}",
                    rule.op, ACTORS[who].0, ACTORS[who].3
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cells} cells differ from the matrix:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Past the test harness's capture, so that the run shows it.
    let _ = writeln!(
        std::io::stderr(),
        "authorisation matrix ({}): {cells} cells, {forbidden} forbidden, all refused",
        w.server.storage().backend_name()
    );
    w.server.stop().await;
}

// ---------------------------------------------------------------------------------------
// The documented table.

fn cell_text(e: E) -> String {
    match e {
        E::Ok => "○".into(),
        E::No(code) => format!("× `{code}`"),
        E::Hidden => "× 見えない".into(),
        E::Na => "—".into(),
    }
}

/// The matrix as the Markdown table of `docs/authorization.md`.
fn markdown() -> String {
    let mut out = String::from("| 操作 |");
    for (_, _, _, label) in ACTORS {
        out.push_str(&format!(" {label} |"));
    }
    out.push_str(" 規則 |\n|---|");
    out.push_str(&"---|".repeat(N + 1));
    out.push('\n');
    for rule in MATRIX {
        out.push_str(&format!("| {} |", rule.what));
        for e in rule.cells {
            out.push_str(&format!(" {} |", cell_text(e)));
        }
        out.push_str(&format!(" {} |\n", rule.why));
    }
    out
}

#[test]
fn the_documented_table_is_the_tested_one() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/authorization.md");
    let doc = std::fs::read_to_string(&path).unwrap_or_default();
    let table = markdown();
    assert!(
        doc.contains(&table),
        "{} must hold the matrix of tests/authz.rs, exactly:\n\n{table}",
        path.display()
    );
}
