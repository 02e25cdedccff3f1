//! `sync_state`: the single row that says who this outbox is and where the pull stands.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use uuid::Uuid;

use super::{parse_time, parse_uuid, seq_from_sql, time_text, SyncRepo};
use crate::StoreError;

/// The sync bookkeeping of this database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncState {
    /// The outbox's id towards the server (chosen once; renewed only when another user
    /// takes over the profile).
    pub client_id: Uuid,
    /// This PC's id for device enrolment (chosen once per database).
    pub device_id: Uuid,
    /// The last `seq` handed out; the next command gets `last_seq + 1`.
    pub last_seq: u64,
    /// The user the outbox and the local records belong to.
    pub user_id: Option<String>,
    /// The pull cursor saved with the last applied page.
    pub cursor: Option<String>,
    pub last_sync_at: Option<DateTime<Utc>>,
    pub last_error: Option<LastError>,
}

/// Why the last sync failed, as shown in the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastError {
    pub code: String,
    pub message: String,
}

/// What [`SyncRepo::bind_user`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserBinding {
    /// The profile had no user yet; now it is this user's.
    First,
    /// The same user as before: nothing changed.
    Same,
    /// Another user took over: the previous user's local records and finished outbox
    /// history were removed and a new `client_id` was chosen (seq starts again at 1).
    Switched,
}

impl SyncRepo<'_> {
    /// The sync state row.
    pub fn state(&self) -> Result<SyncState, StoreError> {
        let row = self.conn.query_row(
            "SELECT client_id, device_id, last_seq, user_id, cursor, last_sync_at,
                    last_error_code, last_error_message
             FROM sync_state WHERE id = 1",
            [],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<String>>(7)?,
                ))
            },
        )?;
        let (client_id, device_id, last_seq, user_id, cursor, last_sync_at, code, message) = row;
        Ok(SyncState {
            client_id: parse_uuid(&client_id, "sync_state.client_id")?,
            device_id: parse_uuid(&device_id, "sync_state.device_id")?,
            last_seq: seq_from_sql(last_seq)?,
            user_id,
            cursor,
            last_sync_at: parse_time(last_sync_at, "sync_state.last_sync_at")?,
            last_error: code.map(|code| LastError {
                code,
                message: message.unwrap_or_default(),
            }),
        })
    }

    /// Makes the profile `user_id`'s. Another user may take over only when the previous
    /// one left no unsent, conflicted or rejected work: their drafts are never dropped.
    /// A takeover removes the previous user's local copies (they must not be shown to
    /// someone else) and starts a new outbox identity.
    pub fn bind_user(&mut self, user_id: &str) -> Result<UserBinding, StoreError> {
        if user_id.is_empty() {
            return Err(StoreError::InvalidInput {
                field: "利用者ID"
            });
        }
        let tx = self.conn.transaction()?;
        let current: Option<String> = tx
            .query_row("SELECT user_id FROM sync_state WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()?
            .flatten();
        let now = crate::now_rfc3339();
        let outcome = match current {
            None => {
                tx.execute(
                    "UPDATE sync_state SET user_id = ?1, updated_at = ?2 WHERE id = 1",
                    params![user_id, now],
                )?;
                UserBinding::First
            }
            Some(ref u) if u == user_id => UserBinding::Same,
            Some(previous) => {
                if super::outbox::has_unsent_work(&tx)? {
                    return Err(StoreError::OtherUserUnsentWork { user_id: previous });
                }
                tx.execute("DELETE FROM records", [])?;
                tx.execute("DELETE FROM outbox", [])?;
                tx.execute(
                    "UPDATE sync_state SET user_id = ?1, client_id = ?2, last_seq = 0,
                            cursor = NULL, last_sync_at = NULL, last_error_code = NULL,
                            last_error_message = NULL, updated_at = ?3
                     WHERE id = 1",
                    params![user_id, Uuid::new_v4().to_string(), now],
                )?;
                tracing::info!(previous = %previous, "profile taken over by another user");
                UserBinding::Switched
            }
        };
        tx.commit()?;
        self.outbox_changed();
        Ok(outcome)
    }

    /// Forgets the pull cursor: the next pull starts from the beginning (after the server
    /// said the cursor is unknown).
    pub fn clear_cursor(&mut self) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE sync_state SET cursor = NULL, updated_at = ?1 WHERE id = 1",
            params![crate::now_rfc3339()],
        )?;
        Ok(())
    }

    /// Records a successful sync cycle.
    pub fn mark_sync_ok(&mut self, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE sync_state SET last_sync_at = ?1, last_error_code = NULL,
                    last_error_message = NULL, updated_at = ?2
             WHERE id = 1",
            params![time_text(at), crate::now_rfc3339()],
        )?;
        Ok(())
    }

    /// Records why the last sync cycle failed.
    pub fn mark_sync_error(&mut self, code: &str, message: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE sync_state SET last_error_code = ?1, last_error_message = ?2,
                    updated_at = ?3
             WHERE id = 1",
            params![code, message, crate::now_rfc3339()],
        )?;
        Ok(())
    }
}
