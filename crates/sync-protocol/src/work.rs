//! 業務の見える化: the working time an app reports for a case.
//!
//! `work.time@1` on the case's record (`record_id` = the case) says that a person had the
//! case open at one step of its flow and was working on it for `activeSeconds` (idle
//! excluded), starting at `startedAt`. It changes nothing in the case: the server keeps
//! one row per session (a session id arrives at most once) and answers `applied` with the
//! case's current version. It never conflicts and carries no base version.
//!
//! The payload is camelCase on the wire, like the other 見える化 types.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `work.time@1`.
pub const TIME: &str = "work.time";

/// The longest session one command may report (8 hours); the app splits longer work.
pub const MAX_ACTIVE_SECONDS: u32 = 8 * 60 * 60;

/// The longest step key, in characters (a route step's label is short).
pub const MAX_STEP_CHARS: usize = 100;

/// Error codes of `work.time`.
pub mod codes {
    /// The payload is not a session the server can keep (seconds out of range, a step
    /// key that is empty or too long, a start in the future).
    pub const INVALID: &str = "work.invalid";
    /// The sender may not see the case (or it does not exist).
    pub const NOT_PERMITTED: &str = "work.not_permitted";
}

/// The payload of `work.time@1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TimePayload {
    /// Chosen by the app; the server keeps a session once however often it is sent.
    pub session_id: Uuid,
    /// `draft` or the approval step's label (`kyosai_domain::flow::step_key`).
    pub step: String,
    pub started_at: DateTime<Utc>,
    /// 1 ..= [`MAX_ACTIVE_SECONDS`].
    pub active_seconds: u32,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn the_payload_json_is_pinned() {
        let p = TimePayload {
            session_id: Uuid::nil(),
            step: "所属所長".into(),
            started_at: DateTime::parse_from_rfc3339("2026-04-01T09:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
            active_seconds: 300,
        };
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(
            json,
            r#"{"sessionId":"00000000-0000-0000-0000-000000000000","step":"所属所長","startedAt":"2026-04-01T09:00:00Z","activeSeconds":300}"#
        );
        assert_eq!(serde_json::from_str::<TimePayload>(&json).unwrap(), p);
        // A negative count is not a u32: refused when read.
        assert!(serde_json::from_str::<TimePayload>(
            r#"{"sessionId":"00000000-0000-0000-0000-000000000000","step":"draft","startedAt":"2026-04-01T09:00:00Z","activeSeconds":-5}"#
        )
        .is_err());
    }
}
