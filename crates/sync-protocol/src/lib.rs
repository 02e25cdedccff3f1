//! The wire types of the Kyosai Desk sync API (version 1), shared by the desktop app and
//! the central service.
//!
//! This crate is only data: serde types and the constants both sides must agree on. It
//! holds no transport, no storage and no rules. Both sides serialise with these types, so a
//! change here is a protocol change: add fields as `Option` or with `#[serde(default)]`,
//! and bump [`PROTOCOL_VERSION`] for anything an old peer would misread.
//!
//! # The endpoints
//!
//! | method and path | body | answer |
//! |---|---|---|
//! | `POST /auth/v1/login` | [`LoginRequest`] | [`Session`] |
//! | `POST /auth/v1/refresh` | [`RefreshRequest`] | [`Session`] (the refresh token rotates) |
//! | `POST /auth/v1/logout` | — | 204 |
//! | `POST /sync/v1/push` | [`PushRequest`] | [`PushResponse`] |
//! | `POST /sync/v1/pull` | [`PullRequest`] | [`PullResponse`] |
//! | `POST /sync/v1/poke` | [`PokeRequest`] | [`PokeResponse`] (long poll) |
//! | `GET /sync/v1/conflicts` | — | [`ConflictList`] |
//! | `POST /sync/v1/conflicts/{id}/resolve` | [`ResolveConflict`] | 204 |
//! | `GET /v1/hello` | — | [`Hello`] (no authentication) |
//!
//! Every request carries [`HEADER_PROTOCOL`] and [`HEADER_APP_VERSION`]; a server that no
//! longer serves that protocol answers 426 with the code [`codes::CLIENT_TOO_OLD`].
//! Authenticated requests carry `Authorization: Bearer <access token>`. Errors are an
//! [`ApiError`] body with a stable code; 429 and 503 carry `Retry-After`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The protocol this build speaks.
pub const PROTOCOL_VERSION: u32 = 1;
/// Request header with the client's [`PROTOCOL_VERSION`].
pub const HEADER_PROTOCOL: &str = "x-kyosai-protocol";
/// Request header with the client app's version (e.g. `0.1.0`), for "please update".
pub const HEADER_APP_VERSION: &str = "x-kyosai-app-version";
/// The most commands one push may carry.
pub const MAX_PUSH_COMMANDS: usize = 500;
/// A client keeps each push under this many bytes of command payload (a scan's images make
/// commands of a few hundred KB; the server's default body limit is 16 MiB). A single
/// command larger than this still goes, alone.
pub const MAX_PUSH_PAYLOAD_BYTES: usize = 8 * 1024 * 1024;
/// The most changes one pull page may carry.
pub const MAX_PULL_LIMIT: u32 = 5_000;

/// Stable error codes of the API. The app maps them to Japanese messages; the server's
/// own Japanese `message` is shown when the app has none.
pub mod codes {
    pub const CLIENT_TOO_OLD: &str = "client.too_old";
    pub const BAD_REQUEST: &str = "request.invalid";
    pub const AUTH_INVALID_CREDENTIALS: &str = "auth.invalid_credentials";
    pub const AUTH_LOCKED: &str = "auth.locked";
    pub const AUTH_TOKEN_INVALID: &str = "auth.token_invalid";
    pub const AUTH_TOKEN_EXPIRED: &str = "auth.token_expired";
    pub const AUTH_DEVICE_REVOKED: &str = "auth.device_revoked";
    pub const FORBIDDEN: &str = "auth.forbidden";
    pub const RATE_LIMITED: &str = "server.rate_limited";
    pub const UNAVAILABLE: &str = "server.unavailable";
    pub const INTERNAL: &str = "server.internal";
    /// Push: a `seq` arrived after a gap (an earlier seq is missing).
    pub const SEQ_GAP: &str = "sync.seq_gap";
    /// Push: the client id belongs to another user or device.
    pub const CLIENT_ID_MISMATCH: &str = "sync.client_id_mismatch";
    /// Push: a `seq` the server already processed came back with a different command
    /// (name, version or record differ), e.g. the client's outbox was restored from an
    /// old copy. Answered 409 before anything is applied; the client must not treat the
    /// stored results as its own (start a new `client_id` after keeping the drafts).
    pub const SEQ_REUSED: &str = "sync.seq_reused";
    /// Command outcome: the record changed since the version the command was based on.
    pub const VERSION_CONFLICT: &str = "sync.version_conflict";
    /// Command outcome: no such command name/version on this server.
    pub const UNKNOWN_COMMAND: &str = "sync.unknown_command";
    /// Command outcome: the record does not exist (or is not visible to the actor).
    pub const NOT_FOUND: &str = "sync.not_found";
    /// Command outcome: the payload does not match the command's schema.
    pub const INVALID_PAYLOAD: &str = "sync.invalid_payload";
    /// Command outcome: the actor's role or office may not do this.
    pub const NOT_PERMITTED: &str = "sync.not_permitted";
    /// Command outcome: the record's state does not allow this action.
    pub const INVALID_TRANSITION: &str = "sync.invalid_transition";
    /// Pull: the cursor is unknown or too old; start again from no cursor.
    pub const CURSOR_RESET: &str = "sync.cursor_reset";
}

/// The body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub code: String,
    /// Japanese, says what to do.
    pub message: String,
}

/// What the server says about itself (unauthenticated).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    pub service: String,
    pub server_version: String,
    /// The protocol versions this server serves.
    pub protocols: Vec<u32>,
    /// The oldest app version the server accepts, if it restricts them.
    pub min_app_version: Option<String>,
}

/// A person's role. A user may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 所属所担当者: prepares notifications and paperwork at an affiliated office.
    OfficeClerk,
    /// 所属所長: certifies the office's notifications.
    OfficeHead,
    /// 事務局審査担当: reviews and registers in the secretariat.
    SecretariatReviewer,
    /// 決裁権者: approves.
    Approver,
    /// IT管理者: administers users, devices and configuration.
    ItAdmin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::OfficeClerk,
        Role::OfficeHead,
        Role::SecretariatReviewer,
        Role::Approver,
        Role::ItAdmin,
    ];

    /// The Japanese name shown to people.
    pub fn name_ja(self) -> &'static str {
        match self {
            Role::OfficeClerk => "所属所担当者",
            Role::OfficeHead => "所属所長",
            Role::SecretariatReviewer => "事務局審査担当",
            Role::Approver => "決裁権者",
            Role::ItAdmin => "IT管理者",
        }
    }
}

/// The PC a client runs on, enrolled at first sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    /// Random, chosen by the client once per profile and kept with its data.
    pub device_id: Uuid,
    /// A name IT recognises, e.g. the host name.
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    pub user_id: String,
    pub password: String,
    pub device: DeviceInfo,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshRequest {
    pub refresh_token: String,
    pub device_id: Uuid,
}

/// Who is signed in, as the server knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    pub user_id: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    /// 所属所番号 of the user's office; `None` for secretariat and IT staff.
    pub office_code: Option<String>,
    pub office_name: Option<String>,
    /// Positions in the line of authority (`kacho`, `bucho`, …; see the approval
    /// module of `kyosai-domain`). Absent from servers before approvals.
    #[serde(default)]
    pub positions: Vec<String>,
}

/// A signed-in session. The refresh token is short enough (43 characters) to keep in any
/// OS credential store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub access_token: String,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_token: String,
    pub refresh_expires_at: DateTime<Utc>,
    pub user: UserInfo,
}

/// One user intent, appended to the client's outbox in the same transaction as the local
/// change it describes, and sent in `seq` order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommandEnvelope {
    /// 1, 2, 3, … per `client_id`, without gaps.
    pub seq: u64,
    /// e.g. `record.create`, `approval.approve`.
    pub name: String,
    /// The command's schema version (`record.create@1` has version 1).
    pub version: u32,
    /// The record the command acts on (chosen by the client for creations).
    pub record_id: Uuid,
    /// The record version the clerk saw; `None` for a creation.
    pub base_version: Option<i64>,
    pub payload: serde_json::Value,
    /// When the clerk acted (client clock; the server records its own time too).
    pub issued_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    /// The outbox's id: one per device and profile.
    pub client_id: Uuid,
    pub commands: Vec<CommandEnvelope>,
    /// The head of the client's local audit log when the push was sent (absent from
    /// older clients, and while the log is empty). The server keeps it as a checkpoint:
    /// a client log later cut off or rewritten no longer reaches it (see `kyosai-audit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_head: Option<AuditHead>,
}

/// A checkpoint of a hash-chained audit log: the `seq` and `hash` (64 lowercase hex
/// digits) of its last entry. The same shape as `kyosai_audit::Head`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AuditHead {
    pub seq: u64,
    pub hash: String,
}

/// What the server did with one command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// Done; the record now has `version`.
    Applied { record_id: Uuid, version: i64 },
    /// Not applied because the record moved on; a person decides (see conflicts).
    Conflict {
        conflict_id: Uuid,
        code: String,
        message: String,
    },
    /// Not applied and never will be as sent (not permitted, invalid, …).
    Rejected { code: String, message: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandResult {
    pub seq: u64,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    /// One result per command, in `seq` order. A replayed `seq` gets its stored result.
    pub results: Vec<CommandResult>,
    /// The highest `seq` the server has processed for this client.
    pub acknowledged_seq: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullRequest {
    /// `None` to start from the beginning.
    pub cursor: Option<String>,
    pub limit: u32,
}

/// A record as the server holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: Uuid,
    /// What it is: `note`, `acquisition`, `contract`, … (the modules define kinds).
    pub kind: String,
    /// The office it belongs to; decides who may see it.
    pub office_code: String,
    pub version: i64,
    /// The workflow state (`draft`, `submitted`, …), as the record's module defines it.
    pub state: String,
    pub title: String,
    pub body: serde_json::Value,
    pub created_by: String,
    pub updated_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One change in the server's global order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Change {
    /// The record is new or changed: replace the local copy.
    Upsert { record: Box<Record> },
    /// The record is no longer visible to this user: delete the local copy.
    Revoke { record_id: Uuid },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    pub changes: Vec<Change>,
    /// Save with the page's changes in one transaction; send it next time.
    pub cursor: String,
    /// More pages are waiting.
    pub has_more: bool,
    /// The client must drop its copies of server records before applying this page
    /// (the page then starts from the beginning).
    pub reset: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PokeRequest {
    pub cursor: Option<String>,
    /// How long the server may hold the request (it caps this).
    pub wait_seconds: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PokeResponse {
    /// Something newer than `cursor` is waiting: pull now.
    pub changed: bool,
}

/// A command the server could not apply because the record moved on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conflict {
    pub id: Uuid,
    pub client_id: Uuid,
    pub seq: u64,
    pub command: String,
    pub version: u32,
    pub record_id: Uuid,
    pub base_version: Option<i64>,
    /// What the clerk sent.
    pub payload: serde_json::Value,
    /// The record as it is on the server now (`None` if it is gone or not visible).
    pub server_record: Option<Record>,
    pub code: String,
    pub message: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConflictList {
    pub conflicts: Vec<Conflict>,
}

/// How a person settled a conflict. Re-applying is done by the client pushing a new
/// command based on the server's current version; the server then only records this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    Discarded,
    Reapplied,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolveConflict {
    pub resolution: Resolution,
}

/// The payloads of the generic record commands every module starts from.
pub mod record {
    use serde::{Deserialize, Serialize};

    /// `record.create@1`
    pub const CREATE: &str = "record.create";
    /// `record.update@1`
    pub const UPDATE: &str = "record.update";
    /// `record.transfer@1`: move a record to another office (the old office loses it).
    pub const TRANSFER: &str = "record.transfer";

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Create {
        pub kind: String,
        pub office_code: String,
        pub title: String,
        pub body: serde_json::Value,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Update {
        pub title: String,
        pub body: serde_json::Value,
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Transfer {
        pub office_code: String,
    }
}

/// 電子決裁: the commands a document's approval moves by, and the directory of who may
/// approve and who is away. The server decides every action with `kyosai-domain`'s
/// approval engine; the client only sends intent.
pub mod approval {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Serialize};
    use uuid::Uuid;

    use super::Role;

    /// `approval.submit@1`: 起案 (or 再提出 after 差戻し / 取下げ) of the record as the
    /// server holds it. The route is chosen by the server and frozen.
    pub const SUBMIT: &str = "approval.submit";
    /// `approval.act@1`: one approval action. The payload is the `Action` of
    /// `kyosai_domain::approval` (`{"action":"approve","seen_hash":…,"comment":…}`:
    /// variant tags in camelCase, fields in snake_case).
    pub const ACT: &str = "approval.act";

    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Submit {
        /// 重要.
        #[serde(default)]
        pub important: bool,
        /// 異例.
        #[serde(default)]
        pub unusual: bool,
        /// 先例.
        #[serde(default)]
        pub precedent: bool,
        /// 変更起案: the decided document this one changes.
        #[serde(default)]
        pub amends: Option<Uuid>,
        /// The content hash the drafter saw when submitting.
        pub seen_hash: String,
    }

    /// A user as the approval inbox needs them.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct DirectoryUser {
        pub user_id: String,
        pub display_name: String,
        pub office_code: Option<String>,
        pub roles: Vec<Role>,
        pub positions: Vec<String>,
    }

    /// A registered absence: while it lasts, `delegate_id` may decide (代決) in place of
    /// `user_id`.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct AbsenceInfo {
        pub id: Uuid,
        pub user_id: String,
        pub delegate_id: String,
        pub from: DateTime<Utc>,
        pub until: DateTime<Utc>,
    }

    /// `GET /sync/v1/directory`: every active user and every absence not yet over.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Directory {
        pub users: Vec<DirectoryUser>,
        pub absences: Vec<AbsenceInfo>,
    }

    /// `POST /sync/v1/absences`: register the signed-in user's absence.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct NewAbsence {
        pub delegate_id: String,
        pub from: DateTime<Utc>,
        pub until: DateTime<Utc>,
    }

    /// Error codes of the absence endpoints.
    pub mod codes {
        pub const ABSENCE_INVALID: &str = "approval.absence_invalid";
        pub const ABSENCE_NOT_FOUND: &str = "approval.absence_not_found";
    }
}

/// 組合員資格取得届 on the central service: the automated review (RPA による内容審査)
/// the secretariat reviewer sees, and the registration batch for the core system.
pub mod acquisition {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Serialize};
    use uuid::Uuid;

    /// The record kind.
    pub const KIND: &str = "acquisition";

    /// One result of the automated review.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ReviewFinding {
        /// Stable code: `review.duplicate_person`, `review.late_filing`,
        /// `review.inconsistent_dates`, `review.dependant_claimed`, ….
        pub code: String,
        /// `error` or `warning`.
        pub severity: String,
        /// The form field it is about (camelCase path, e.g. `member.basicPensionNumber`).
        pub field: String,
        /// Japanese, says what was found and what to check.
        pub message: String,
        /// The other record involved (a duplicate, the member who claims the dependant).
        pub related_record_id: Option<Uuid>,
    }

    /// `GET /sync/v1/acquisitions/{id}/review`.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ReviewResult {
        pub record_id: Uuid,
        pub checked_at: DateTime<Utc>,
        pub findings: Vec<ReviewFinding>,
    }
}

pub mod ocr;
pub mod work;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// `audit_head` is optional both ways: an older client's push reads, and a push
    /// without a head is written as an older client wrote it.
    #[test]
    fn the_audit_head_of_a_push_is_optional_on_the_wire() {
        let old = r#"{"client_id":"00000000-0000-0000-0000-000000000000","commands":[]}"#;
        let req: PushRequest = serde_json::from_str(old).unwrap();
        assert_eq!(req.audit_head, None);
        assert_eq!(serde_json::to_string(&req).unwrap(), old);
        let with = PushRequest {
            audit_head: Some(AuditHead {
                seq: 42,
                hash: "ab".repeat(32),
            }),
            ..req
        };
        let json = serde_json::to_string(&with).unwrap();
        assert!(json.ends_with(&format!(
            r#","audit_head":{{"seq":42,"hash":"{}"}}}}"#,
            "ab".repeat(32)
        )));
        assert_eq!(serde_json::from_str::<PushRequest>(&json).unwrap(), with);
    }

    /// The tags on the wire are part of the protocol: pin them.
    #[test]
    fn outcome_and_change_json_is_pinned() {
        let id = Uuid::nil();
        let o = Outcome::Applied {
            record_id: id,
            version: 3,
        };
        assert_eq!(
            serde_json::to_string(&o).unwrap(),
            r#"{"status":"applied","record_id":"00000000-0000-0000-0000-000000000000","version":3}"#
        );
        let r = Outcome::Rejected {
            code: codes::NOT_PERMITTED.into(),
            message: "権限がありません。".into(),
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"status":"rejected","code":"sync.not_permitted","message":"権限がありません。"}"#
        );
        let c = Change::Revoke { record_id: id };
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"op":"revoke","record_id":"00000000-0000-0000-0000-000000000000"}"#
        );
        assert_eq!(
            serde_json::to_string(&Role::SecretariatReviewer).unwrap(),
            r#""secretariat_reviewer""#
        );
    }

    #[test]
    fn every_role_has_a_japanese_name() {
        for r in Role::ALL {
            assert!(!r.name_ja().is_empty());
        }
    }
}
