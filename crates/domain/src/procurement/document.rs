//! The step documents of 調達・契約・支払 and how they link.
//!
//! | step | record kind | parent |
//! |---|---|---|
//! | 調達依頼 (request, with its 見積) | `procurement` | — |
//! | 契約 | `contract` | a decided `procurement` |
//! | 検収・検査 | `inspection` | a decided `contract` |
//! | 支出命令 (with the 請求書) | `payment_order` | a decided `inspection` that passed |
//!
//! Each is approved along the 専決規程 route of its kind and amount
//! ([`crate::approval`]). A later step can only start from a decided (承認済み) parent:
//! the rule is [`check_parent`], called by the app before it creates a step and by the
//! central service when one is created or submitted. A decided document is immutable; a
//! change is a 変更起案 that names the original, which must itself be decided
//! ([`check_amends`]).
//!
//! The bodies ([`RequestBody`], [`ContractBody`], [`InspectionBody`],
//! [`PaymentOrderBody`]) are JSON in the record (camelCase keys); the amount the route is
//! chosen by is the top-level `amount` ([`crate::approval::AMOUNT_KEY`]) and the link to
//! the parent is the top-level `parent` ([`PARENT_KEY`]).

use serde::{Deserialize, Serialize};

use crate::approval::{ApprovalState, Status};

/// 調達依頼 (the request and its quotes).
pub const KIND_REQUEST: &str = "procurement";
/// 契約.
pub const KIND_CONTRACT: &str = "contract";
/// 検収・検査.
pub const KIND_INSPECTION: &str = "inspection";
/// 支出命令 (with the invoice).
pub const KIND_PAYMENT_ORDER: &str = "payment_order";
/// 契約相手方 (a master record, not approved).
pub const KIND_VENDOR: &str = "vendor";
/// 予算配当 (a budget line's allocation for a 年度; a master record, not approved).
pub const KIND_BUDGET: &str = "budget";

/// The body key of the link to the parent step (a record id).
pub const PARENT_KEY: &str = "parent";

/// The steps in order.
pub const STEP_KINDS: [&str; 4] = [
    KIND_REQUEST,
    KIND_CONTRACT,
    KIND_INSPECTION,
    KIND_PAYMENT_ORDER,
];

/// Whether `kind` is one of the four step documents.
pub fn is_step(kind: &str) -> bool {
    STEP_KINDS.contains(&kind)
}

/// The kind a step's parent must be; `None` for the request (it starts the chain) and for
/// kinds that are not steps.
pub fn parent_kind(kind: &str) -> Option<&'static str> {
    match kind {
        KIND_CONTRACT => Some(KIND_REQUEST),
        KIND_INSPECTION => Some(KIND_CONTRACT),
        KIND_PAYMENT_ORDER => Some(KIND_INSPECTION),
        _ => None,
    }
}

/// The kind of the step that follows `kind`.
pub fn child_kind(kind: &str) -> Option<&'static str> {
    match kind {
        KIND_REQUEST => Some(KIND_CONTRACT),
        KIND_CONTRACT => Some(KIND_INSPECTION),
        KIND_INSPECTION => Some(KIND_PAYMENT_ORDER),
        _ => None,
    }
}

/// 「調達依頼」… for a step kind; the kind itself otherwise.
pub fn kind_label_ja(kind: &str) -> &str {
    match kind {
        KIND_REQUEST => "調達依頼",
        KIND_CONTRACT => "契約",
        KIND_INSPECTION => "検収・検査",
        KIND_PAYMENT_ORDER => "支出命令",
        KIND_VENDOR => "契約相手方",
        KIND_BUDGET => "予算配当",
        other => other,
    }
}

/// The parent's id named in a body, as written (not checked to be a UUID).
pub fn parent_of(body: &serde_json::Value) -> Option<&str> {
    body.get(PARENT_KEY).and_then(serde_json::Value::as_str)
}

/// What the rule needs to know of a linked document (the parent or the original of a
/// 変更起案).
#[derive(Debug, Clone, Copy)]
pub struct Linked<'a> {
    /// Its record kind.
    pub kind: &'a str,
    /// Its approval state, if it was ever submitted.
    pub approval: Option<&'a ApprovalState>,
    /// For an inspection: whether it passed (合格). `None` for other kinds.
    pub passed: Option<bool>,
}

/// Why a step may not start from its parent (or a 変更起案 from its original).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    /// A step other than the request names no parent, or the parent is not there.
    #[error(
        "元になる{parent}が見つかりません。{parent}の画面から「{child}を作成」で始めてください。"
    )]
    ParentMissing {
        /// The parent's kind, in Japanese.
        parent: &'static str,
        /// The child's kind, in Japanese.
        child: &'static str,
    },
    /// The parent is of the wrong kind.
    #[error("{child}の元にできるのは{expected}だけです（指定されたのは{found}）。")]
    ParentKind {
        /// The child's kind, in Japanese.
        child: &'static str,
        /// The kind the parent must be, in Japanese.
        expected: &'static str,
        /// The kind it is.
        found: String,
    },
    /// The parent is not decided yet.
    #[error("元の{parent}がまだ決裁されていません（{status}）。決裁が終わってから{child}を始めてください。")]
    ParentNotDecided {
        /// The parent's kind, in Japanese.
        parent: &'static str,
        /// The child's kind, in Japanese.
        child: &'static str,
        /// Where the parent stands, e.g. 「回議中」「未提出」.
        status: &'static str,
    },
    /// The parent was rejected (却下).
    #[error("元の{parent}は却下されています。却下された文書から{child}は始められません。")]
    ParentRejected {
        /// The parent's kind, in Japanese.
        parent: &'static str,
        /// The child's kind, in Japanese.
        child: &'static str,
    },
    /// The inspection the payment order starts from did not pass.
    #[error("元の検査が不合格です。合格した検査からだけ支出命令を始められます。")]
    InspectionFailed,
    /// A 変更起案's original is missing, of another kind or not decided.
    #[error("変更起案の元の文書は、同じ種類の決裁済みの文書でなければなりません（{why}）。")]
    AmendsInvalid {
        /// What is wrong, in Japanese.
        why: &'static str,
    },
}

impl LinkError {
    /// A stable code for callers.
    pub fn code(&self) -> &'static str {
        match self {
            LinkError::ParentMissing { .. } => "procurement.parent_missing",
            LinkError::ParentKind { .. } => "procurement.parent_kind",
            LinkError::ParentNotDecided { .. } => "procurement.parent_not_decided",
            LinkError::ParentRejected { .. } => "procurement.parent_rejected",
            LinkError::InspectionFailed => "procurement.inspection_failed",
            LinkError::AmendsInvalid { .. } => "approval.amends_invalid",
        }
    }
}

fn label(kind: &str) -> &'static str {
    match kind {
        KIND_REQUEST => "調達依頼",
        KIND_CONTRACT => "契約",
        KIND_INSPECTION => "検収・検査",
        KIND_PAYMENT_ORDER => "支出命令",
        _ => "文書",
    }
}

/// Whether a step of `kind` may start from `parent` (`None`: no parent named, or the named
/// one does not exist or is not visible). Kinds that are not later steps always may.
pub fn check_parent(kind: &str, parent: Option<Linked<'_>>) -> Result<(), LinkError> {
    let Some(expected) = parent_kind(kind) else {
        return Ok(());
    };
    let child = label(kind);
    let Some(parent) = parent else {
        return Err(LinkError::ParentMissing {
            parent: label(expected),
            child,
        });
    };
    if parent.kind != expected {
        return Err(LinkError::ParentKind {
            child,
            expected: label(expected),
            found: kind_label_ja(parent.kind).to_string(),
        });
    }
    let status = parent.approval.map(|a| a.status);
    match status {
        Some(Status::Approved) => {}
        Some(Status::Rejected) => {
            return Err(LinkError::ParentRejected {
                parent: label(expected),
                child,
            })
        }
        Some(s) => {
            return Err(LinkError::ParentNotDecided {
                parent: label(expected),
                child,
                status: s.label_ja(),
            })
        }
        None => {
            return Err(LinkError::ParentNotDecided {
                parent: label(expected),
                child,
                status: "未提出",
            })
        }
    }
    if expected == KIND_INSPECTION && parent.passed != Some(true) {
        return Err(LinkError::InspectionFailed);
    }
    Ok(())
}

/// Whether a 変更起案 of `kind` may name `original` (`None`: not found or not visible):
/// the original must be of the same kind and 決裁済み (承認).
pub fn check_amends(kind: &str, original: Option<Linked<'_>>) -> Result<(), LinkError> {
    let Some(original) = original else {
        return Err(LinkError::AmendsInvalid {
            why: "元の文書が見つかりません",
        });
    };
    if original.kind != kind {
        return Err(LinkError::AmendsInvalid {
            why: "種類が違います",
        });
    }
    match original.approval.map(|a| a.status) {
        Some(Status::Approved) => Ok(()),
        Some(Status::Rejected) => Err(LinkError::AmendsInvalid {
            why: "元の文書は却下されています",
        }),
        _ => Err(LinkError::AmendsInvalid {
            why: "元の文書はまだ決裁されていません",
        }),
    }
}

/// Whether an inspection body records a pass (合格): `result` is `"passed"`.
pub fn inspection_passed(body: &serde_json::Value) -> bool {
    body.get("result").and_then(serde_json::Value::as_str) == Some(InspectionResult::PASSED)
}

/// The outcome of an inspection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum InspectionResult {
    /// Not recorded yet.
    #[default]
    Pending,
    /// 合格.
    Passed,
    /// 不合格 (the vendor must deliver again).
    Failed,
}

impl InspectionResult {
    /// The JSON value of [`InspectionResult::Passed`].
    pub const PASSED: &'static str = "passed";

    /// 「合格」…
    pub fn label_ja(self) -> &'static str {
        match self {
            InspectionResult::Pending => "未実施",
            InspectionResult::Passed => "合格",
            InspectionResult::Failed => "不合格",
        }
    }
}

#[cfg(test)]
#[path = "document_tests.rs"]
mod tests;
