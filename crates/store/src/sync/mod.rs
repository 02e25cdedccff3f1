//! The sync side of the local store: the command outbox, the local copy of server records
//! with the clerk's drafts, and the sync bookkeeping (`sync_state`).
//!
//! The rules this module keeps, each in one SQLite transaction:
//!
//! - **A user action is one transaction**: the record's draft changes and the command that
//!   describes it is appended to the outbox with the next `seq` (1, 2, 3, … without gaps).
//! - **Nothing typed by a clerk is dropped**: the draft (`local_*` columns) lives until the
//!   server confirms the last command that touched the record. A conflicted or rejected
//!   command leaves its draft in place, labelled (競合, 差戻し); a pull never overwrites a
//!   draft; a reset or a revoke never deletes one.
//! - **Answers are idempotent**: applying the same push results or the same pull page
//!   twice changes nothing the second time, so a lost response is harmless.
//!
//! It holds no transport: `kyosai-sync-client` sends what [`SyncRepo::pending_commands`]
//! returns and hands the answers back.

mod actions;
mod bulk;
mod outbox;
mod pull;
mod records;
mod state;

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use uuid::Uuid;

use crate::sidecar::Sidecar;
use crate::StoreError;

pub use actions::{ActionOutcome, APPROVAL_PREFIX};
pub use bulk::{BulkCreate, NewLocalRecord};
pub use outbox::{OutboxEntry, OutboxState, PushApplied, SyncCounts};
pub use pull::PullApplied;
pub use records::{Draft, DraftState, LocalRecord, ServerCopy};
pub use state::{LastError, SyncState, UserBinding};

/// The labels a clerk sees next to a record whose draft is not (yet) on the server.
pub mod labels {
    /// The change waits in the outbox.
    pub const PENDING: &str = "未送信";
    /// Someone changed the record first; a person decides (conflicts screen).
    pub const CONFLICT: &str = "競合";
    /// The server refused the change (its reason is kept with the draft).
    pub const REJECTED: &str = "差戻し";
    /// The user may no longer see the record on the server; the draft is kept.
    pub const REVOKED: &str = "閲覧権限がなくなりました";
}

/// Reads and writes the outbox, the local records and the sync state.
///
/// Every method that changes the outbox or a draft calls `outbox_changed`
/// after its commit, so the plain unsent-work summary beside an encrypted database stays
/// current (a new writer must do the same).
#[derive(Debug)]
pub struct SyncRepo<'c> {
    conn: &'c mut Connection,
    sidecar: Option<&'c mut Sidecar>,
}

impl<'c> SyncRepo<'c> {
    pub(crate) fn new(conn: &'c mut Connection, sidecar: Option<&'c mut Sidecar>) -> Self {
        SyncRepo { conn, sidecar }
    }

    /// Brings the unsent-work summary up to date (it is rewritten only when its numbers
    /// changed). A failure is logged: the work itself is already committed.
    fn outbox_changed(&mut self) {
        if let Some(sidecar) = self.sidecar.as_mut() {
            if let Err(e) = sidecar.refresh(self.conn) {
                tracing::warn!(code = e.code(), error = %e, "unsent-work summary not updated");
            }
        }
    }
}

/// SQL that sets `label` from the row's draft columns (one place for the wording).
const REFRESH_LABEL: &str = "UPDATE records SET label = CASE
        WHEN dirty = 0 THEN NULL
        WHEN revoked = 1 THEN '閲覧権限がなくなりました'
        WHEN local_state = 'conflict' THEN '競合'
        WHEN local_state = 'rejected' THEN '差戻し'
        ELSE '未送信' END
    WHERE id = ?1";

fn refresh_label(conn: &Connection, id: &str) -> Result<(), StoreError> {
    conn.prepare_cached(REFRESH_LABEL)?
        .execute(rusqlite::params![id])?;
    Ok(())
}

fn parse_uuid(s: &str, what: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(s).map_err(|e| StoreError::DataInvalid {
        what: format!("{what}: {e}"),
    })
}

fn parse_json(s: &str, what: &str) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::DataInvalid {
        what: format!("{what}: {e}"),
    })
}

fn parse_time(s: Option<String>, what: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
    s.map(|s| {
        DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| StoreError::DataInvalid {
                what: format!("{what}: {e}"),
            })
    })
    .transpose()
}

fn to_json_text(v: &serde_json::Value) -> String {
    // Serialising a `Value` cannot fail (its keys are strings).
    v.to_string()
}

fn time_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

fn seq_to_sql(seq: u64) -> Result<i64, StoreError> {
    i64::try_from(seq).map_err(|_| StoreError::DataInvalid {
        what: format!("seq {seq}"),
    })
}

fn seq_from_sql(seq: i64) -> Result<u64, StoreError> {
    u64::try_from(seq).map_err(|_| StoreError::DataInvalid {
        what: format!("seq {seq}"),
    })
}
