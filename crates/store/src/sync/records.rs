//! `records`: the local copy of server records and the clerk's drafts on top of them.

use chrono::{DateTime, Utc};
use kyosai_sync_protocol::record as cmd;
use rusqlite::{params, OptionalExtension, Row};
use uuid::Uuid;

use super::outbox::{append, last_pending_for, NewCommand};
use super::{parse_json, parse_time, parse_uuid, refresh_label, to_json_text, SyncRepo};
use crate::StoreError;

/// Where a draft stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DraftState {
    /// Waiting in the outbox (未送信).
    Pending,
    /// The server recorded a conflict (競合): a person decides.
    Conflict,
    /// The server refused it (差戻し); its reason is in [`Draft::message`].
    Rejected,
}

impl DraftState {
    pub fn as_str(self) -> &'static str {
        match self {
            DraftState::Pending => "pending",
            DraftState::Conflict => "conflict",
            DraftState::Rejected => "rejected",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "pending" => DraftState::Pending,
            "conflict" => DraftState::Conflict,
            "rejected" => DraftState::Rejected,
            other => {
                return Err(StoreError::DataInvalid {
                    what: format!("records.local_state {other}"),
                })
            }
        })
    }
}

/// The record as the server last said (or as the server confirmed the clerk's command,
/// until the next pull brings the rest).
#[derive(Debug, Clone, PartialEq)]
pub struct ServerCopy {
    pub version: i64,
    pub office_code: String,
    /// `None` until pulled (a record the clerk created and the server confirmed).
    pub state: Option<String>,
    pub title: String,
    pub body: serde_json::Value,
    pub created_by: Option<String>,
    pub updated_by: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// What the clerk typed and the server has not confirmed yet.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub title: String,
    pub body: serde_json::Value,
    /// The office the clerk moved the record to, if they did.
    pub office_code: Option<String>,
    pub state: DraftState,
    /// The server version the draft builds on.
    pub base_version: Option<i64>,
    /// The server's code and Japanese message for a conflict or rejection.
    pub code: Option<String>,
    pub message: Option<String>,
    pub conflict_id: Option<Uuid>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// A record as the clerk sees it: the draft if there is one, else the server copy.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalRecord {
    pub id: Uuid,
    pub kind: String,
    /// The office as the clerk sees it (the draft's, if they moved it).
    pub office_code: String,
    pub title: String,
    pub body: serde_json::Value,
    /// `None`: the server has not confirmed the record yet.
    pub server: Option<ServerCopy>,
    pub draft: Option<Draft>,
    /// The server no longer shows the record to this user; kept for the draft.
    pub revoked: bool,
    /// 未送信, 競合, 差戻し, 閲覧権限がなくなりました, or `None` when in step with the server.
    pub label: Option<String>,
}

const SELECT_RECORD: &str = "SELECT id, kind, office_code, version, state, title, body,
        created_by, updated_by, created_at, updated_at, dirty, local_title, local_body,
        local_office_code, local_state, local_base_version, local_code, local_message,
        local_conflict_id, local_updated_at, revoked, label
    FROM records";

type RawRecord = (
    String,
    String,
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    bool,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    bool,
    Option<String>,
);

fn raw(r: &Row<'_>) -> rusqlite::Result<RawRecord> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
        r.get(12)?,
        r.get(13)?,
        r.get(14)?,
        r.get(15)?,
        r.get(16)?,
        r.get(17)?,
        r.get(18)?,
        r.get(19)?,
        r.get(20)?,
        r.get(21)?,
        r.get(22)?,
    ))
}

fn decode(r: RawRecord) -> Result<LocalRecord, StoreError> {
    let id = parse_uuid(&r.0, "records.id")?;
    let server = match (r.3, r.5, r.6) {
        (Some(version), Some(title), Some(body)) => Some(ServerCopy {
            version,
            office_code: r.2.clone(),
            state: r.4,
            title,
            body: parse_json(&body, "records.body")?,
            created_by: r.7,
            updated_by: r.8,
            created_at: parse_time(r.9, "records.created_at")?,
            updated_at: parse_time(r.10, "records.updated_at")?,
        }),
        _ => None,
    };
    let draft = if r.11 {
        Some(Draft {
            title: r.12.unwrap_or_default(),
            body: parse_json(r.13.as_deref().unwrap_or("null"), "records.local_body")?,
            office_code: r.14,
            state: DraftState::parse(r.15.as_deref().unwrap_or("pending"))?,
            base_version: r.16,
            code: r.17,
            message: r.18,
            conflict_id: r
                .19
                .as_deref()
                .map(|s| parse_uuid(s, "records.local_conflict_id"))
                .transpose()?,
            updated_at: parse_time(r.20, "records.local_updated_at")?,
        })
    } else {
        None
    };
    let (title, body, office_code) = match (&draft, &server) {
        (Some(d), _) => (
            d.title.clone(),
            d.body.clone(),
            d.office_code.clone().unwrap_or_else(|| r.2.clone()),
        ),
        (None, Some(s)) => (s.title.clone(), s.body.clone(), r.2.clone()),
        (None, None) => {
            return Err(StoreError::DataInvalid {
                what: format!("record {id} has neither a server copy nor a draft"),
            })
        }
    };
    Ok(LocalRecord {
        id,
        kind: r.1,
        office_code,
        title,
        body,
        server,
        draft,
        revoked: r.21,
        label: r.22,
    })
}

/// The columns a new local command needs from the record.
pub(super) struct Current {
    kind: String,
    office_code: String,
    pub(super) version: Option<i64>,
    pub(super) dirty: bool,
    local_base_version: Option<i64>,
    title: String,
    body: serde_json::Value,
    local_office_code: Option<String>,
}

pub(super) fn current(tx: &rusqlite::Transaction<'_>, id: Uuid) -> Result<Current, StoreError> {
    let row = tx
        .query_row(
            "SELECT kind, office_code, version, dirty, local_base_version,
                    coalesce(CASE WHEN dirty = 1 THEN local_title END, title),
                    coalesce(CASE WHEN dirty = 1 THEN local_body END, body),
                    local_office_code
             FROM records WHERE id = ?1",
            params![id.to_string()],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                    r.get::<_, bool>(3)?,
                    r.get::<_, Option<i64>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<String>>(7)?,
                ))
            },
        )
        .optional()?
        .ok_or(StoreError::RecordNotFound { id })?;
    Ok(Current {
        kind: row.0,
        office_code: row.1,
        version: row.2,
        dirty: row.3,
        local_base_version: row.4,
        title: row.5.unwrap_or_default(),
        body: parse_json(row.6.as_deref().unwrap_or("null"), "records.body")?,
        local_office_code: row.7,
    })
}

fn require(field: &'static str, value: &str) -> Result<(), StoreError> {
    if value.trim().is_empty() {
        Err(StoreError::InvalidInput { field })
    } else {
        Ok(())
    }
}

/// How the next command on a record is based.
enum Basis {
    /// An earlier command on the record is unsent: build on its result.
    After(u64),
    /// Build on this server version.
    Version(Option<i64>),
    /// The server has never confirmed the record and nothing is on its way: the record
    /// must be created (again) with the draft's content.
    Create,
}

fn basis(tx: &rusqlite::Transaction<'_>, id: &str, cur: &Current) -> Result<Basis, StoreError> {
    if let Some(seq) = last_pending_for(tx, id)? {
        return Ok(Basis::After(seq));
    }
    if cur.version.is_none() {
        return Ok(Basis::Create);
    }
    // A settled draft (conflicted or rejected) keeps the base the clerk started from, so
    // a further edit of it is not silently applied over someone else's change; the
    // clerk re-bases explicitly with `record_reapply_local`.
    Ok(Basis::Version(if cur.dirty {
        cur.local_base_version
    } else {
        cur.version
    }))
}

impl SyncRepo<'_> {
    /// A clerk creates a record: its draft and a `record.create@1` command, in one
    /// transaction. Returns the new record's id and the command's seq.
    pub fn record_create_local(
        &mut self,
        kind: &str,
        office_code: &str,
        title: &str,
        body: &serde_json::Value,
    ) -> Result<(Uuid, u64), StoreError> {
        require("種別", kind)?;
        require("所属所番号", office_code)?;
        let id = Uuid::new_v4();
        let id_text = id.to_string();
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO records (id, kind, office_code, dirty, local_title, local_body,
                                  local_state, local_updated_at, label)
             VALUES (?1, ?2, ?3, 1, ?4, ?5, 'pending', ?6, '未送信')",
            params![
                id_text,
                kind,
                office_code,
                title,
                to_json_text(body),
                crate::now_rfc3339()
            ],
        )?;
        let payload = create_payload(kind, office_code, title, body)?;
        let seq = append(
            &tx,
            &NewCommand {
                name: cmd::CREATE,
                version: 1,
                record_id: &id_text,
                base_version: None,
                after_seq: None,
                payload: &payload,
            },
        )?;
        crate::audit::append_record_event(
            &tx,
            kyosai_audit::actions::RECORD_CREATE,
            Some(&id_text),
            serde_json::json!({ "kind": kind, "outboxSeq": seq }),
        )?;
        tx.commit()?;
        self.outbox_changed();
        Ok((id, seq))
    }

    /// A clerk edits a record's title and body: the draft changes and a `record.update@1`
    /// command (based on the version the clerk saw) is appended, in one transaction.
    /// Returns the command's seq.
    pub fn record_update_local(
        &mut self,
        id: Uuid,
        title: &str,
        body: &serde_json::Value,
    ) -> Result<u64, StoreError> {
        let id_text = id.to_string();
        let tx = self.conn.transaction()?;
        let cur = current(&tx, id)?;
        let office = cur
            .local_office_code
            .clone()
            .unwrap_or_else(|| cur.office_code.clone());
        let seq = match basis(&tx, &id_text, &cur)? {
            Basis::Create => {
                let payload = create_payload(&cur.kind, &office, title, body)?;
                append_cmd(&tx, cmd::CREATE, &id_text, None, None, &payload)?
            }
            Basis::After(after) => {
                let payload = update_payload(title, body)?;
                append_cmd(&tx, cmd::UPDATE, &id_text, None, Some(after), &payload)?
            }
            Basis::Version(base) => {
                let payload = update_payload(title, body)?;
                append_cmd(&tx, cmd::UPDATE, &id_text, base, None, &payload)?
            }
        };
        write_draft(&tx, &id_text, &cur, title, body, None)?;
        crate::audit::append_record_event(
            &tx,
            kyosai_audit::actions::RECORD_UPDATE,
            Some(&id_text),
            serde_json::json!({ "kind": cur.kind, "outboxSeq": seq }),
        )?;
        tx.commit()?;
        self.outbox_changed();
        Ok(seq)
    }

    /// A clerk moves a record to another office (`record.transfer@1`). Returns the seq.
    pub fn record_transfer_local(
        &mut self,
        id: Uuid,
        office_code: &str,
    ) -> Result<u64, StoreError> {
        require("所属所番号", office_code)?;
        let id_text = id.to_string();
        let tx = self.conn.transaction()?;
        let cur = current(&tx, id)?;
        let payload = serde_json::to_value(cmd::Transfer {
            office_code: office_code.to_string(),
        })
        .map_err(|e| StoreError::DataInvalid {
            what: e.to_string(),
        })?;
        let seq = match basis(&tx, &id_text, &cur)? {
            Basis::Create => {
                let payload = create_payload(&cur.kind, office_code, &cur.title, &cur.body)?;
                append_cmd(&tx, cmd::CREATE, &id_text, None, None, &payload)?
            }
            Basis::After(after) => {
                append_cmd(&tx, cmd::TRANSFER, &id_text, None, Some(after), &payload)?
            }
            Basis::Version(base) => append_cmd(&tx, cmd::TRANSFER, &id_text, base, None, &payload)?,
        };
        let (title, body) = (cur.title.clone(), cur.body.clone());
        write_draft(&tx, &id_text, &cur, &title, &body, Some(office_code))?;
        crate::audit::append_record_event(
            &tx,
            kyosai_audit::actions::RECORD_TRANSFER,
            Some(&id_text),
            serde_json::json!({ "kind": cur.kind, "to": office_code, "outboxSeq": seq }),
        )?;
        tx.commit()?;
        self.outbox_changed();
        Ok(seq)
    }

    /// The clerk chose "re-apply mine" for a conflicted or rejected draft: the draft is
    /// sent again, based on the server's current version. Returns the seqs appended.
    pub fn record_reapply_local(&mut self, id: Uuid) -> Result<Vec<u64>, StoreError> {
        let id_text = id.to_string();
        let tx = self.conn.transaction()?;
        let cur = current(&tx, id)?;
        if !cur.dirty {
            return Ok(Vec::new());
        }
        if last_pending_for(&tx, &id_text)?.is_some() {
            return Err(StoreError::DraftInFlight { id });
        }
        let mut seqs = Vec::new();
        match cur.version {
            None => {
                let office = cur.local_office_code.as_deref().unwrap_or(&cur.office_code);
                let payload = create_payload(&cur.kind, office, &cur.title, &cur.body)?;
                seqs.push(append_cmd(
                    &tx,
                    cmd::CREATE,
                    &id_text,
                    None,
                    None,
                    &payload,
                )?);
            }
            Some(version) => {
                let payload = update_payload(&cur.title, &cur.body)?;
                let first = append_cmd(&tx, cmd::UPDATE, &id_text, Some(version), None, &payload)?;
                seqs.push(first);
                if let Some(office) = cur
                    .local_office_code
                    .as_deref()
                    .filter(|o| *o != cur.office_code)
                {
                    let payload = serde_json::to_value(cmd::Transfer {
                        office_code: office.to_string(),
                    })
                    .map_err(|e| StoreError::DataInvalid {
                        what: e.to_string(),
                    })?;
                    seqs.push(append_cmd(
                        &tx,
                        cmd::TRANSFER,
                        &id_text,
                        None,
                        Some(first),
                        &payload,
                    )?);
                }
            }
        }
        tx.execute(
            "UPDATE records SET local_state = 'pending', local_base_version = version,
                    local_code = NULL, local_message = NULL, local_conflict_id = NULL,
                    local_updated_at = ?2
             WHERE id = ?1",
            params![id_text, crate::now_rfc3339()],
        )?;
        refresh_label(&tx, &id_text)?;
        tx.commit()?;
        self.outbox_changed();
        Ok(seqs)
    }

    /// The clerk chose "discard mine": the draft goes, the server copy stays (a record the
    /// server never confirmed, or no longer shows, goes entirely). Refused while a command
    /// of the draft is unsent, since the server may still apply it.
    pub fn record_discard_draft(&mut self, id: Uuid) -> Result<(), StoreError> {
        let id_text = id.to_string();
        let tx = self.conn.transaction()?;
        let cur = current(&tx, id)?;
        if !cur.dirty {
            return Ok(());
        }
        if last_pending_for(&tx, &id_text)?.is_some() {
            return Err(StoreError::DraftInFlight { id });
        }
        let revoked: bool = tx.query_row(
            "SELECT revoked FROM records WHERE id = ?1",
            params![id_text],
            |r| r.get(0),
        )?;
        if cur.version.is_none() || revoked {
            tx.execute("DELETE FROM records WHERE id = ?1", params![id_text])?;
        } else {
            tx.execute(
                "UPDATE records SET dirty = 0, local_title = NULL, local_body = NULL,
                        local_office_code = NULL, local_state = NULL, local_base_version = NULL,
                        local_code = NULL, local_message = NULL, local_conflict_id = NULL,
                        local_updated_at = NULL, revoked = 0, label = NULL
                 WHERE id = ?1",
                params![id_text],
            )?;
        }
        tx.commit()?;
        self.outbox_changed();
        Ok(())
    }

    /// One record, as the clerk sees it.
    pub fn record(&self, id: Uuid) -> Result<Option<LocalRecord>, StoreError> {
        let sql = format!("{SELECT_RECORD} WHERE id = ?1");
        let row = self
            .conn
            .prepare_cached(&sql)?
            .query_row(params![id.to_string()], raw)
            .optional()?;
        row.map(decode).transpose()
    }

    /// The records of one kind, as the clerk sees them, newest server change first and
    /// unconfirmed ones on top.
    pub fn list_records(&self, kind: &str) -> Result<Vec<LocalRecord>, StoreError> {
        let sql = format!(
            "{SELECT_RECORD} WHERE kind = ?1
             ORDER BY version IS NOT NULL, coalesce(local_updated_at, updated_at) DESC, id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map(params![kind], raw)?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(decode).collect()
    }

    /// The records whose server copy's body holds `key` at the top level (e.g. every
    /// document with an approval state), any kind.
    pub fn records_with_body_key(&self, key: &str) -> Result<Vec<LocalRecord>, StoreError> {
        let sql = format!(
            "{SELECT_RECORD} WHERE body IS NOT NULL AND json_valid(body)
                AND json_type(body, ?1) IS NOT NULL
             ORDER BY id"
        );
        let path = format!("$.\"{}\"", key.replace('"', ""));
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map(params![path], raw)?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(decode).collect()
    }

    /// Every record whose draft is not settled (未送信, 競合, 差戻し, revoked), oldest
    /// first: the "my unsent work" list.
    pub fn drafts(&self) -> Result<Vec<LocalRecord>, StoreError> {
        let sql = format!("{SELECT_RECORD} WHERE dirty = 1 ORDER BY local_updated_at, id");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], raw)?.collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(decode).collect()
    }

    /// How many records are stored locally.
    pub fn record_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM records", [], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

fn append_cmd(
    tx: &rusqlite::Transaction<'_>,
    name: &str,
    record_id: &str,
    base_version: Option<i64>,
    after_seq: Option<u64>,
    payload: &serde_json::Value,
) -> Result<u64, StoreError> {
    append(
        tx,
        &NewCommand {
            name,
            version: 1,
            record_id,
            base_version,
            after_seq,
            payload,
        },
    )
}

fn create_payload(
    kind: &str,
    office_code: &str,
    title: &str,
    body: &serde_json::Value,
) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(cmd::Create {
        kind: kind.to_string(),
        office_code: office_code.to_string(),
        title: title.to_string(),
        body: body.clone(),
    })
    .map_err(|e| StoreError::DataInvalid {
        what: e.to_string(),
    })
}

fn update_payload(title: &str, body: &serde_json::Value) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(cmd::Update {
        title: title.to_string(),
        body: body.clone(),
    })
    .map_err(|e| StoreError::DataInvalid {
        what: e.to_string(),
    })
}

/// Writes the clerk's latest content into the draft (starting one on the server version
/// the clerk saw if there was none) and marks it pending.
fn write_draft(
    tx: &rusqlite::Transaction<'_>,
    id: &str,
    cur: &Current,
    title: &str,
    body: &serde_json::Value,
    office_code: Option<&str>,
) -> Result<(), StoreError> {
    let base = if cur.dirty {
        cur.local_base_version
    } else {
        cur.version
    };
    tx.execute(
        "UPDATE records SET dirty = 1, local_title = ?2, local_body = ?3,
                local_office_code = coalesce(?4, local_office_code), local_state = 'pending',
                local_base_version = ?5, local_code = NULL, local_message = NULL,
                local_conflict_id = NULL, local_updated_at = ?6
         WHERE id = ?1",
        params![
            id,
            title,
            to_json_text(body),
            office_code,
            base,
            crate::now_rfc3339()
        ],
    )?;
    refresh_label(tx, id)?;
    Ok(())
}
