//! 電子決裁: approval routes, the actions that move a document along one, and the hash
//! that binds an approval to the content the approver saw.
//!
//! - [`route`]: positions, steps (回議 and 合議), the effective-dated decision table
//!   (専決規程) and the route it gives for a kind, an amount and the flags 重要 / 異例 /
//!   先例;
//! - [`engine`]: the approval state frozen into a document at submission, and
//!   承認 / 代決 / 引上げ / 後閲 / 差戻し / 却下 / 取下げ, with the rules that no one
//!   approves their own document, 代決 is only by the designated delegate during a
//!   registered absence, a content change during 回議 starts the approvals again, and a
//!   decided document is immutable (変更起案 makes a new document linked to it);
//! - [`content_hash`]: SHA-256 of a canonical form of the document's content.
//!
//! The central service decides with these functions; the app uses the same ones to show
//! the inbox and what each button will do.

pub mod engine;
pub mod route;
pub mod trail;

#[cfg(test)]
mod tests;

pub use engine::{
    apply, check_absence, content_changed, submit, task_for, Absence, AbsenceError, Act, ActKind,
    Action, ApprovalActor, ApprovalState, Context, Filled, PostRead, PostReadReason, SlotDone,
    SlotState, Status, StepState, Task, MAX_ABSENCE_DAYS,
};
pub use route::{
    Approver, Band, DecisionTable, Flags, FrozenRoute, KindRoutes, Position, RouteTable, Step,
};

use sha2::{Digest, Sha256};

use crate::finding::Coded;

/// The key of a record's body that holds its [`ApprovalState`] (owned by the central
/// service; never part of the content hash).
pub const BODY_KEY: &str = "approval";

/// The key of a record's body that holds its amount in yen, when it has one.
pub const AMOUNT_KEY: &str = "amount";

/// Why an approval action is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApprovalError {
    #[error(
        "この文書の種類には決裁経路が定められていません（{kind}）。IT管理者に連絡してください。"
    )]
    NoRoute { kind: String },
    #[error("この日付に有効な専決規程（決裁経路の表）がありません。IT管理者に連絡してください。")]
    NoTable,
    #[error("金額が負の値です。金額を確認してください。")]
    NegativeAmount,
    #[error("この文書は既に回議中です。")]
    AlreadySubmitted,
    #[error("決裁済みの文書は変更できません。変更する場合は変更起案を作成してください。")]
    Decided,
    #[error("起案者だけが行える操作です。")]
    NotDrafter,
    #[error("この文書は回議中ではありません。")]
    NotInProgress,
    #[error("自分が起案した文書を決裁することはできません。")]
    SelfApproval,
    #[error("この文書は、あなたが表示した後に内容が変更されました。最新の内容を確認してからもう一度操作してください。")]
    ContentChanged,
    #[error("この文書は他の決裁者が先に処理しました。最新の状態を確認してください。")]
    AlreadyHandled,
    #[error("前の段階の決裁がまだ済んでいません。順番が来てから決裁してください（前の決裁者が不在の場合は引上げができます）。")]
    NotYourTurn,
    #[error("この文書を決裁する権限がありません。")]
    NotPermitted,
    #[error("この文書には既に一度決裁しています。同じ人が二度決裁することはできません。")]
    AlreadyActed,
    #[error("理由を入力してください。差戻しと却下には理由が必要です。")]
    ReasonRequired,
    #[error("理由・コメントが長すぎます（1000文字まで）。短くしてください。")]
    ReasonTooLong,
    #[error("代決できるのは、不在の決裁者が指定した代決者だけです。")]
    NotDelegate,
    #[error("その決裁者は不在登録されていないため、代決できません。")]
    NotAbsent,
    #[error("{slot}（{holder}）が在席しているため、引上げできません。順番を待つか、{slot}に決裁を依頼してください。")]
    NotPullable { slot: String, holder: String },
    #[error("今の段階はあなたの決裁です。引上げではなく承認してください。")]
    NothingToPullUp,
    #[error("後閲が必要な文書はありません。")]
    NothingToRead,
}

impl ApprovalError {
    /// Someone else acted first, or the content changed since the actor saw it: shown as
    /// a conflict, not a refusal.
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            ApprovalError::ContentChanged | ApprovalError::AlreadyHandled
        )
    }
}

impl Coded for ApprovalError {
    fn code(&self) -> &'static str {
        match self {
            ApprovalError::NoRoute { .. } => "approval.no_route",
            ApprovalError::NoTable => "approval.no_table",
            ApprovalError::NegativeAmount => "approval.negative_amount",
            ApprovalError::AlreadySubmitted => "approval.already_submitted",
            ApprovalError::Decided => "approval.decided",
            ApprovalError::NotDrafter => "approval.not_drafter",
            ApprovalError::NotInProgress => "approval.not_in_progress",
            ApprovalError::SelfApproval => "approval.self_approval",
            ApprovalError::ContentChanged => "approval.content_changed",
            ApprovalError::AlreadyHandled => "approval.already_handled",
            ApprovalError::NotYourTurn => "approval.not_your_turn",
            ApprovalError::NotPermitted => "approval.not_permitted",
            ApprovalError::AlreadyActed => "approval.already_acted",
            ApprovalError::ReasonRequired => "approval.reason_required",
            ApprovalError::ReasonTooLong => "approval.reason_too_long",
            ApprovalError::NotDelegate => "approval.not_delegate",
            ApprovalError::NotAbsent => "approval.not_absent",
            ApprovalError::NotPullable { .. } => "approval.not_pullable",
            ApprovalError::NothingToPullUp => "approval.nothing_to_pull_up",
            ApprovalError::NothingToRead => "approval.nothing_to_read",
        }
    }
}

/// The content hash of a document: `sha256:` and the hex SHA-256 of a canonical JSON of
/// `{kind, title, body}` with the body's [`BODY_KEY`] left out. Keys are sorted at every
/// level and no whitespace is written, so the app and the central service (whatever
/// `serde_json` features their builds enable) compute the same hash for the same content.
///
/// A 個人番号 is hashed as withheld ([`crate::acquisition::my_number::withhold_in_body`]):
/// an approver who receives the document without it sees the same hash as the clerk who
/// has it, so the approver's `seen_hash` matches.
pub fn content_hash(kind: &str, title: &str, body: &serde_json::Value) -> String {
    use crate::acquisition::my_number as mn;
    let withheld;
    let body = if kind == mn::ACQUISITION_KIND {
        let mut copy = body.clone();
        mn::withhold_in_body(kind, &mut copy);
        withheld = copy;
        &withheld
    } else {
        body
    };
    let mut out = String::with_capacity(256);
    out.push_str("{\"body\":");
    match body {
        serde_json::Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().filter(|k| *k != BODY_KEY).collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(&mut out, k);
                out.push(':');
                if let Some(v) = map.get(k) {
                    write_canonical(&mut out, v);
                }
            }
            out.push('}');
        }
        other => write_canonical(&mut out, other),
    }
    out.push_str(",\"kind\":");
    write_string(&mut out, kind);
    out.push_str(",\"title\":");
    write_string(&mut out, title);
    out.push('}');
    let digest = Sha256::digest(out.as_bytes());
    let mut hex = String::with_capacity(7 + 64);
    hex.push_str("sha256:");
    for b in digest {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}

fn write_string(out: &mut String, s: &str) {
    // serde_json's string escaping is canonical (the same for every build).
    out.push_str(&serde_json::Value::String(s.to_string()).to_string());
}

fn write_canonical(out: &mut String, v: &serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, k);
                out.push(':');
                if let Some(v) = map.get(k) {
                    write_canonical(out, v);
                }
            }
            out.push('}');
        }
        serde_json::Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(out, item);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The amount of a document in yen: the body's integer [`AMOUNT_KEY`], or 0.
pub fn document_amount(body: &serde_json::Value) -> i64 {
    body.get(AMOUNT_KEY)
        .and_then(serde_json::Value::as_i64)
        .unwrap_or(0)
}

/// The approval state kept in a record's body, if the document was ever submitted.
pub fn state_of(body: &serde_json::Value) -> Option<ApprovalState> {
    body.get(BODY_KEY)
        .and_then(|v| serde_json::from_value(v.clone()).ok())
}

/// 1,234,567 (yen with thousands separators, no decimals).
pub fn yen(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if amount < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The wall-clock time in Japan (UTC+9, no daylight saving) of an instant.
pub fn jst(at: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDateTime {
    (at + chrono::Duration::hours(9)).naive_utc()
}
