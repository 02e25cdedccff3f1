//! Storage: one async interface, two backends.
//!
//! [`Storage`] is an enum over the embedded SQLite backend (rusqlite on blocking threads:
//! WAL, `synchronous=FULL`, one writer connection plus readers) and the PostgreSQL backend
//! (tokio-postgres with a deadpool pool). Both hold the same tables, created by their own
//! migrations, and both run the same push algorithm (`storage::push`) so their behaviour cannot
//! drift apart; the test suite runs against both.
//!
//! Write transactions are serialised (SQLite has one writer; PostgreSQL takes a
//! transaction-scoped advisory lock). That is what keeps the change log's serial numbers
//! in commit order, which pull cursors rely on: a reader never sees change 11 before
//! change 10 has committed.

pub(crate) mod postgres;
pub(crate) mod push;
pub(crate) mod sqlite;

use chrono::{DateTime, Utc};
use kyosai_sync_protocol::{
    CommandEnvelope, CommandResult, Conflict, Record, Resolution, Role, UserInfo,
};
use uuid::Uuid;

use crate::config::StorageSpec;
use crate::model::{Actor, ChangeOp, Scope};

pub use postgres::PgStorage;
pub use sqlite::SqliteStorage;

/// Something went wrong below the API. Never shown to clients (they get a generic
/// message with a request id); logged for IT.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("PostgreSQL connection pool: {0}")]
    Pool(String),
    #[error("cannot open {path}: {message}")]
    Open { path: String, message: String },
    #[error("the database was written by a newer kyosai-central (schema {found}, this build knows {known}); update kyosai-central")]
    TooNew { found: i64, known: i64 },
    #[error("unexpected data in the database: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Internal(String),
}

impl StorageError {
    /// Busy, not broken: the client should retry shortly (503).
    pub fn is_busy(&self) -> bool {
        match self {
            StorageError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => matches!(
                e.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ),
            StorageError::Pool(_) => true,
            _ => false,
        }
    }
}

/// Admin operations refused for a reason IT can fix.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("ユーザー「{0}」は既に登録されています")]
    UserExists(String),
    #[error("ユーザー「{0}」は登録されていません")]
    NoSuchUser(String),
    #[error("所属所番号「{0}」は登録されていません（先に `office add` で登録してください）")]
    NoSuchOffice(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Office {
    pub code: String,
    pub name: String,
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: String,
    pub display_name: String,
    pub password_hash: String,
    pub roles: Vec<Role>,
    pub office_code: Option<String>,
}

/// A user as `user list` shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    pub id: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub office_code: Option<String>,
    pub failed_logins: u32,
    pub locked_until: Option<DateTime<Utc>>,
    pub disabled: bool,
}

/// What sign-in needs to know about a user.
#[derive(Debug, Clone)]
pub struct LoginUser {
    pub info: UserInfo,
    pub password_hash: String,
    pub locked_until: Option<DateTime<Utc>>,
    pub disabled: bool,
}

/// An enrolled PC of one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub device_id: Uuid,
    pub user_id: String,
    pub name: String,
    pub enrolled_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A fresh access + refresh token pair, as stored (hashes only).
#[derive(Debug, Clone)]
pub struct NewTokens {
    pub access_hash: String,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_hash: String,
    pub refresh_expires_at: DateTime<Utc>,
}

/// What an access token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessLookup {
    Valid(Actor),
    /// Unknown, revoked, or not an access token.
    Invalid,
    Expired,
    DeviceRevoked,
    Disabled,
}

/// The `tokens` row that lets the refresh token hashed `hash`, just rotated away, refresh
/// once more until its `expires_at` (see [`Storage::rotate_refresh`]). Never equal to a
/// token's hash (those are 64 hex digits), so no token look-up can find it.
pub(crate) fn grace_key(hash: &str) -> String {
    format!("{GRACE_PREFIX}{hash}")
}

/// The prefix of [`grace_key`] rows (`LIKE 'grace:%'` finds them: hashes are hex).
pub(crate) const GRACE_PREFIX: &str = "grace:";

/// What a refresh attempt found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// The old token is now spent and the new pair stored.
    Rotated(UserInfo),
    /// The token had just been rotated away and came back within its grace: accepted
    /// this once; the pair issued when it was rotated is revoked and the new pair stored.
    Forgiven(UserInfo),
    /// Not a refresh token we know, or for another device.
    Unknown,
    /// Already rotated or revoked: someone replayed it. Every token of that user on that
    /// device has been revoked.
    Reused,
    Expired,
    DeviceRevoked,
    Disabled,
}

/// What a push did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    Done {
        results: Vec<CommandResult>,
        acknowledged_seq: u64,
        /// The newest change-log serial written by this push, if any.
        newest_change: Option<i64>,
    },
    /// The client id belongs to another user or device.
    ClientMismatch,
    /// The first command's seq is beyond the next expected one.
    SeqGap { expected: u64 },
    /// A seq already processed came back with a different command.
    SeqReused { seq: u64 },
}

/// Writes a registration file for the records given: (file name, content).
pub type RenderRegistrations = Box<dyn FnOnce(&[Record]) -> (String, String) + Send>;

/// A registration file delivered to the core system.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RegistrationBatch {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub record_count: u32,
    pub file_name: String,
}

/// One work session an app reported (`work.time`): a case open at one step and being
/// worked on, idle excluded. `office_code` and `kind` are the case's when received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkSessionRow {
    pub session_id: Uuid,
    pub record_id: Uuid,
    pub kind: String,
    /// `draft` or the approval step's label (`kyosai_domain::flow::step_key`).
    pub step: String,
    pub user_id: String,
    pub office_code: String,
    pub started_at: DateTime<Utc>,
    pub active_seconds: u32,
}

/// One change-log row with the record as it is now.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeRow {
    pub seq: i64,
    pub record_id: Uuid,
    pub op: ChangeOp,
    pub record: Option<Record>,
}

/// A stored conflict and the record as it is now.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredConflict {
    pub conflict: Conflict,
    pub record: Option<Record>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResolveOutcome {
    Resolved,
    AlreadyResolved,
    NotFound,
}

pub(crate) fn resolution_str(r: Resolution) -> &'static str {
    match r {
        Resolution::Discarded => "discarded",
        Resolution::Reapplied => "reapplied",
    }
}

/// One stored audit entry and whether its text is exactly what the entry would be
/// written as (`at` and `detail` in canonical form). A row that is not counts as edited.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRow {
    pub entry: kyosai_audit::Entry,
    pub canonical: bool,
}

/// Reads the columns of an `audit_log` row (shared by both backends).
#[allow(clippy::too_many_arguments)]
pub(crate) fn audit_row(
    seq: i64,
    at: String,
    actor: String,
    action: String,
    target: Option<String>,
    detail: String,
    prev_hash: String,
    hash: String,
) -> Result<AuditRow, StorageError> {
    use kyosai_audit::canonical::{format_at, to_canonical};
    let corrupt = |what: &str| StorageError::Corrupt(format!("audit_log seq {seq}: {what}"));
    let at_parsed = DateTime::parse_from_rfc3339(&at)
        .map_err(|_| corrupt("at"))?
        .with_timezone(&Utc);
    let detail_parsed: serde_json::Value =
        serde_json::from_str(&detail).map_err(|_| corrupt("detail"))?;
    let canonical = format_at(&at_parsed) == at && to_canonical(&detail_parsed) == detail;
    Ok(AuditRow {
        entry: kyosai_audit::Entry {
            seq: u64::try_from(seq).map_err(|_| corrupt("seq"))?,
            at: at_parsed,
            actor,
            action,
            target,
            detail: detail_parsed,
            prev_hash,
            hash,
        },
        canonical,
    })
}

/// Verifies stored rows: a row not in canonical form is an edit; otherwise
/// `kyosai_audit::verify` with the checkpoint `anchor`.
pub fn verify_rows(
    rows: &[AuditRow],
    anchor: Option<&kyosai_audit::Head>,
) -> Result<kyosai_audit::Summary, kyosai_audit::Break> {
    if let Some(position) = rows.iter().position(|r| !r.canonical) {
        return Err(kyosai_audit::Break {
            position,
            seq: Some(rows[position].entry.seq),
            kind: kyosai_audit::BreakKind::Edited,
        });
    }
    let entries: Vec<kyosai_audit::Entry> = rows.iter().map(|r| r.entry.clone()).collect();
    kyosai_audit::verify(&entries, anchor)
}

/// The service's database.
#[derive(Debug, Clone)]
pub enum Storage {
    Sqlite(SqliteStorage),
    Postgres(PgStorage),
}

macro_rules! dispatch {
    ($self:ident . $method:ident ( $($arg:expr),* )) => {
        match $self {
            Storage::Sqlite(s) => s.$method($($arg),*).await,
            Storage::Postgres(p) => p.$method($($arg),*).await,
        }
    };
}

impl Storage {
    /// Opens (creating if needed) the database and brings its schema up to date.
    pub async fn open(spec: &StorageSpec) -> Result<Storage, StorageError> {
        match spec {
            StorageSpec::Sqlite(path) => Ok(Storage::Sqlite(SqliteStorage::open(path).await?)),
            StorageSpec::Postgres(url) => Ok(Storage::Postgres(PgStorage::open(url).await?)),
        }
    }

    /// The same database, with administration done through it recorded in the audit log
    /// as by `operator` (e.g. `cli:root`; the default is `system`).
    pub fn operated_by(&self, operator: &str) -> Storage {
        match self {
            Storage::Sqlite(s) => Storage::Sqlite(s.operated_by(operator)),
            Storage::Postgres(p) => Storage::Postgres(p.operated_by(operator)),
        }
    }

    /// Appends one entry to the audit log, in a transaction of its own (an event with
    /// nothing else to write: a refused sign-in, a file handed out).
    pub async fn audit_append(&self, new: kyosai_audit::NewEntry) -> Result<(), StorageError> {
        dispatch!(self.audit_append(new))
    }

    /// Every audit entry in `seq` order, as stored.
    pub async fn audit_rows(&self) -> Result<Vec<AuditRow>, StorageError> {
        dispatch!(self.audit_rows())
    }

    /// Verifies the whole audit log (and the checkpoint `anchor`). The outer error is a
    /// database that cannot be read; the inner one a broken chain.
    pub async fn audit_verify(
        &self,
        anchor: Option<&kyosai_audit::Head>,
    ) -> Result<Result<kyosai_audit::Summary, kyosai_audit::Break>, StorageError> {
        let rows = self.audit_rows().await?;
        Ok(verify_rows(&rows, anchor))
    }

    /// The last entry as a checkpoint, or `None` while the log is empty.
    pub async fn audit_head(&self) -> Result<Option<kyosai_audit::Head>, StorageError> {
        Ok(dispatch!(self.audit_last())?.map(|e| e.head()))
    }

    /// Appends `new` (the export's own `export.audit` entry) and returns the whole log,
    /// that entry included, read in the same transaction.
    pub async fn audit_export(
        &self,
        new: kyosai_audit::NewEntry,
    ) -> Result<Vec<AuditRow>, StorageError> {
        dispatch!(self.audit_export(new))
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Storage::Sqlite(_) => "sqlite",
            Storage::Postgres(_) => "postgres",
        }
    }

    /// The random id of this database's change history (part of every pull cursor).
    pub async fn epoch(&self) -> Result<String, StorageError> {
        dispatch!(self.epoch())
    }

    /// Starts a new change history: every client's next pull resets and downloads
    /// everything again. For after a restore from backup.
    pub async fn rotate_epoch(&self) -> Result<String, StorageError> {
        dispatch!(self.rotate_epoch())
    }

    pub async fn upsert_office(&self, code: &str, name: &str) -> Result<(), StorageError> {
        dispatch!(self.upsert_office(code, name))
    }

    pub async fn offices(&self) -> Result<Vec<Office>, StorageError> {
        dispatch!(self.offices())
    }

    pub async fn add_user(&self, user: NewUser) -> Result<(), AdminError> {
        dispatch!(self.add_user(user))
    }

    pub async fn users(&self) -> Result<Vec<UserSummary>, StorageError> {
        dispatch!(self.users())
    }

    pub async fn set_password(&self, user_id: &str, hash: &str) -> Result<bool, StorageError> {
        dispatch!(self.set_password(user_id, hash))
    }

    /// Clears the failure counter and any lock. `false` if there is no such user.
    pub async fn unlock_user(&self, user_id: &str) -> Result<bool, StorageError> {
        dispatch!(self.unlock_user(user_id))
    }

    /// Disables a user (every request of theirs is refused from then on) or enables them
    /// again. `false` if there is no such user.
    pub async fn set_disabled(&self, user_id: &str, disabled: bool) -> Result<bool, StorageError> {
        dispatch!(self.set_disabled(user_id, disabled))
    }

    /// Replaces a user's roles and office.
    pub async fn set_roles(
        &self,
        user_id: &str,
        roles: &[Role],
        office_code: Option<&str>,
    ) -> Result<(), AdminError> {
        dispatch!(self.set_roles(user_id, roles, office_code))
    }

    pub async fn user_for_login(&self, user_id: &str) -> Result<Option<LoginUser>, StorageError> {
        dispatch!(self.user_for_login(user_id))
    }

    /// Counts a failed sign-in and appends `failed`. When the count reaches `threshold`
    /// the account is locked until `locked_until` (returned), the count starts again and
    /// `lockout` is appended too.
    pub async fn record_login_failure(
        &self,
        user_id: &str,
        threshold: u32,
        locked_until: DateTime<Utc>,
        failed: kyosai_audit::NewEntry,
        lockout: kyosai_audit::NewEntry,
    ) -> Result<Option<DateTime<Utc>>, StorageError> {
        dispatch!(self.record_login_failure(user_id, threshold, locked_until, failed, lockout))
    }

    pub async fn record_login_success(&self, user_id: &str) -> Result<(), StorageError> {
        dispatch!(self.record_login_success(user_id))
    }

    pub async fn device(
        &self,
        user_id: &str,
        device_id: Uuid,
    ) -> Result<Option<Device>, StorageError> {
        dispatch!(self.device(user_id, device_id))
    }

    /// Enrols the device for the user if it is new; refreshes its name otherwise.
    pub async fn enroll_device(
        &self,
        user_id: &str,
        device_id: Uuid,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        dispatch!(self.enroll_device(user_id, device_id, name, now))
    }

    pub async fn devices(&self) -> Result<Vec<Device>, StorageError> {
        dispatch!(self.devices())
    }

    /// Revokes a device (for one user, or for everyone who enrolled it) and every token
    /// issued to it. Returns how many enrolments were revoked.
    pub async fn revoke_device(
        &self,
        device_id: Uuid,
        user_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<u64, StorageError> {
        dispatch!(self.revoke_device(device_id, user_id, now))
    }

    /// Stores a new token pair for the user on the device (and forgets that device's
    /// expired tokens), and appends `signed_in`.
    pub async fn issue_tokens(
        &self,
        user_id: &str,
        device_id: Uuid,
        tokens: &NewTokens,
        now: DateTime<Utc>,
        signed_in: kyosai_audit::NewEntry,
    ) -> Result<(), StorageError> {
        dispatch!(self.issue_tokens(user_id, device_id, tokens, now, signed_in))
    }

    pub async fn lookup_access(
        &self,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<AccessLookup, StorageError> {
        dispatch!(self.lookup_access(hash, now))
    }

    /// Spends a refresh token and stores `new` in its place, in one transaction.
    ///
    /// Until `grace_until` (`None`: no grace) the token just spent is accepted **once
    /// more**, for a client whose answer was lost after the server had rotated: that
    /// second use ends the pair issued in the lost answer (and every other token of the
    /// user on the device) and stores `new` instead. Only the newest rotated-away token
    /// has a grace, never one revoked by sign-out, reuse or device revocation; any other
    /// reuse is [`RefreshOutcome::Reused`]; a forgiven one is [`RefreshOutcome::Forgiven`]. The grace is kept as a row of `tokens` keyed
    /// [`grace_key`] (so every revocation of the device's tokens ends it too).
    pub async fn rotate_refresh(
        &self,
        old_hash: &str,
        device_id: Uuid,
        new: &NewTokens,
        grace_until: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<RefreshOutcome, StorageError> {
        dispatch!(self.rotate_refresh(old_hash, device_id, new, grace_until, now))
    }

    /// Sign-out: revokes every token of the user on the device and appends `signed_out`.
    pub async fn revoke_tokens(
        &self,
        user_id: &str,
        device_id: Uuid,
        signed_out: kyosai_audit::NewEntry,
    ) -> Result<(), StorageError> {
        dispatch!(self.revoke_tokens(user_id, device_id, signed_out))
    }

    /// Processes a push in one transaction: the client binding, each command's outcome,
    /// record, change-log rows, conflict and audit entry commit together or not at all.
    /// `client_head` (the app's own audit head, as an `audit.client_head` entry) is
    /// appended first.
    pub async fn push(
        &self,
        actor: &Actor,
        client_id: Uuid,
        commands: Vec<CommandEnvelope>,
        now: DateTime<Utc>,
        client_head: Option<kyosai_audit::NewEntry>,
    ) -> Result<PushOutcome, StorageError> {
        dispatch!(self.push(actor, client_id, commands, now, client_head))
    }

    /// Up to `limit` change-log rows after `after` visible in `scope`, oldest first, each
    /// with the record as it is now.
    pub async fn changes_after(
        &self,
        scope: &Scope,
        after: i64,
        limit: u32,
    ) -> Result<Vec<ChangeRow>, StorageError> {
        dispatch!(self.changes_after(scope, after, limit))
    }

    pub async fn has_changes_after(&self, scope: &Scope, after: i64) -> Result<bool, StorageError> {
        dispatch!(self.has_changes_after(scope, after))
    }

    /// The newest change-log serial (0 when empty).
    pub async fn newest_change(&self) -> Result<i64, StorageError> {
        dispatch!(self.newest_change())
    }

    pub async fn open_conflicts(&self, user_id: &str) -> Result<Vec<StoredConflict>, StorageError> {
        dispatch!(self.open_conflicts(user_id))
    }

    /// Settles one of the user's conflicts; appends `resolved` when it was open.
    pub async fn resolve_conflict(
        &self,
        user_id: &str,
        id: Uuid,
        resolution: Resolution,
        now: DateTime<Utc>,
        resolved: kyosai_audit::NewEntry,
    ) -> Result<ResolveOutcome, StorageError> {
        dispatch!(self.resolve_conflict(user_id, id, resolution, now, resolved))
    }

    pub async fn record(&self, id: Uuid) -> Result<Option<Record>, StorageError> {
        dispatch!(self.record(id))
    }

    /// How many distinct seqs of this client were processed.
    pub async fn command_count(&self, client_id: Uuid) -> Result<u64, StorageError> {
        dispatch!(self.command_count(client_id))
    }

    /// Inserts a record with its change-log row unless one with that id exists (demo
    /// data). `true` if inserted.
    pub async fn import_record(&self, record: &Record) -> Result<bool, StorageError> {
        dispatch!(self.import_record(record))
    }

    /// Inserts, in one transaction, the records whose id is not stored yet, each with its
    /// change-log row, and one audit entry for the batch (`record.create`, op
    /// `import_batch`, `source` and the count) when any was new (demo data). Returns how
    /// many were new.
    pub async fn import_records(
        &self,
        records: &[Record],
        source: &str,
    ) -> Result<u64, StorageError> {
        dispatch!(self.import_records(records, source))
    }

    /// Replaces a user's positions (課長, 部長, …). `false` when there is no such user.
    pub async fn set_positions(
        &self,
        user_id: &str,
        positions: &[kyosai_domain::approval::Position],
    ) -> Result<bool, StorageError> {
        dispatch!(self.set_positions(user_id, positions))
    }

    /// Every enabled user with roles and positions, and every absence not yet over.
    pub async fn approval_directory(
        &self,
        now: DateTime<Utc>,
    ) -> Result<kyosai_sync_protocol::approval::Directory, StorageError> {
        dispatch!(self.approval_directory(now))
    }

    /// What the approval engine needs for a push at `now`.
    pub async fn approval_view(
        &self,
        now: DateTime<Utc>,
    ) -> Result<crate::model::ApprovalView, StorageError> {
        let d = self.approval_directory(now).await?;
        Ok(crate::model::ApprovalView {
            directory: d
                .users
                .into_iter()
                .map(|u| kyosai_domain::approval::ApprovalActor {
                    roles: u
                        .roles
                        .iter()
                        .map(|r| crate::model::domain_role(*r))
                        .collect(),
                    positions: crate::model::positions_from(&u.positions),
                    user_id: u.user_id,
                    office_code: u.office_code,
                })
                .collect(),
            absences: d
                .absences
                .into_iter()
                .map(|a| kyosai_domain::approval::Absence {
                    user_id: a.user_id,
                    delegate_id: a.delegate_id,
                    from: a.from,
                    until: a.until,
                })
                .collect(),
            table: kyosai_domain::approval::DecisionTable::builtin().clone(),
        })
    }

    /// Registers `user_id`'s absence and appends `added` with the absence's id as its
    /// target. `None` when the delegate is not an enabled user.
    pub async fn add_absence(
        &self,
        user_id: &str,
        new: &kyosai_sync_protocol::approval::NewAbsence,
        now: DateTime<Utc>,
        added: kyosai_audit::NewEntry,
    ) -> Result<Option<kyosai_sync_protocol::approval::AbsenceInfo>, StorageError> {
        dispatch!(self.add_absence(user_id, new, now, added))
    }

    /// Puts every registered 資格取得届 not yet exported into a new batch whose file
    /// `render` writes (file name, content), and records it in the audit log as made by
    /// `created_by`; `None` when there is nothing new.
    pub async fn create_registration_batch(
        &self,
        created_by: &str,
        now: DateTime<Utc>,
        render: RenderRegistrations,
    ) -> Result<Option<(RegistrationBatch, String)>, StorageError> {
        dispatch!(self.create_registration_batch(created_by, now, render))
    }

    /// Every registration batch, newest first.
    pub async fn registration_batches(&self) -> Result<Vec<RegistrationBatch>, StorageError> {
        dispatch!(self.registration_batches())
    }

    /// One registration batch and its file.
    pub async fn registration_batch_file(
        &self,
        id: Uuid,
    ) -> Result<Option<(RegistrationBatch, String)>, StorageError> {
        dispatch!(self.registration_batch_file(id))
    }

    /// Every record of `kind`.
    pub async fn records_of_kind(&self, kind: &str) -> Result<Vec<Record>, StorageError> {
        dispatch!(self.records_of_kind(kind))
    }

    /// Cancels one of `user_id`'s own absences and appends `cancelled`. `false` when
    /// there is none by that id.
    pub async fn cancel_absence(
        &self,
        user_id: &str,
        id: Uuid,
        now: DateTime<Utc>,
        cancelled: kyosai_audit::NewEntry,
    ) -> Result<bool, StorageError> {
        dispatch!(self.cancel_absence(user_id, id, now, cancelled))
    }

    /// Every work session (of one office, or of all), oldest first.
    pub async fn work_sessions(
        &self,
        office: Option<&str>,
    ) -> Result<Vec<WorkSessionRow>, StorageError> {
        dispatch!(self.work_sessions(office))
    }

    /// Inserts work sessions whose id is not stored yet (demo data, imports); returns how
    /// many were new. Their `received_at` is now.
    pub async fn insert_work_sessions(&self, rows: &[WorkSessionRow]) -> Result<u64, StorageError> {
        dispatch!(self.insert_work_sessions(rows))
    }
}

/// The audit entry of a batch of imported records ([`Storage::import_records`]).
pub(crate) fn records_imported(operator: &str, source: &str, count: u64) -> kyosai_audit::NewEntry {
    crate::audit::safe(
        kyosai_audit::NewEntry::now(operator, kyosai_audit::actions::RECORD_CREATE)
            .detail(serde_json::json!({ "op": "import_batch", "source": source, "count": count })),
    )
}
