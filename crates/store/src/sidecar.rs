//! The plain summary of unsent work kept next to the encrypted database.
//!
//! An encrypted database cannot be read without its key, yet that is exactly when the app
//! must tell the clerk how much unsent work would be lost by starting afresh. So the
//! store keeps `<db>.unsent.json` up to date whenever the outbox changes. It holds
//! numbers and one time only — never a name, a title, a record id or any other personal
//! data:
//!
//! ```json
//! {"format":1,"unsentCommands":3,"oldestUnsentAt":"2026-11-26T01:02:03.000000Z",
//!  "unsettledDrafts":2,"updatedAt":"2026-11-26T01:05:00.000Z"}
//! ```

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::cipher::sibling;
use crate::StoreError;

/// The file name suffix of the summary (`kyosai.sqlite3.unsent.json`).
pub const SUFFIX: &str = ".unsent.json";

const FORMAT: u64 = 1;

/// How much work this PC holds that the central service does not have yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsentSummary {
    /// Commands in the outbox not answered by the server (未送信).
    pub unsent_commands: u64,
    /// When the oldest of them was issued.
    pub oldest_unsent_at: Option<DateTime<Utc>>,
    /// Records with a draft the server does not hold: unsent, 競合, 差戻し, or no longer
    /// visible to the user.
    pub unsettled_drafts: u64,
    /// When the summary was written.
    pub updated_at: DateTime<Utc>,
}

impl UnsentSummary {
    /// True when starting afresh would lose something.
    pub fn has_unsent_work(&self) -> bool {
        self.unsent_commands > 0 || self.unsettled_drafts > 0
    }
}

/// Where the summary of the database at `db` lives.
pub fn unsent_summary_path(db: &Path) -> PathBuf {
    sibling(db, SUFFIX)
}

/// The summary written next to the database at `db`: `None` when there is none (a
/// database of an earlier version, or the file was removed), an error when it cannot be
/// read or understood.
pub fn read_unsent_summary(db: &Path) -> Result<Option<UnsentSummary>, StoreError> {
    let path = unsent_summary_path(db);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(StoreError::DataInvalid {
                what: format!("{}: {e}", path.display()),
            })
        }
    };
    let invalid = || StoreError::DataInvalid {
        what: path.display().to_string(),
    };
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|_| invalid())?;
    if v.get("format").and_then(|f| f.as_u64()) != Some(FORMAT) {
        return Err(invalid());
    }
    let count = |k: &str| v.get(k).and_then(|n| n.as_u64()).ok_or_else(invalid);
    let time = |k: &str| -> Result<Option<DateTime<Utc>>, StoreError> {
        match v.get(k) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) => DateTime::parse_from_rfc3339(s)
                .map(|t| Some(t.with_timezone(&Utc)))
                .map_err(|_| invalid()),
            Some(_) => Err(invalid()),
        }
    };
    Ok(Some(UnsentSummary {
        unsent_commands: count("unsentCommands")?,
        oldest_unsent_at: time("oldestUnsentAt")?,
        unsettled_drafts: count("unsettledDrafts")?,
        updated_at: time("updatedAt")?.ok_or_else(invalid)?,
    }))
}

/// What the summary says, as read from the database (the comparison key that spares a
/// write when nothing changed).
type Counts = (u64, Option<String>, u64);

/// Keeps the summary of one open database current.
#[derive(Debug)]
pub(crate) struct Sidecar {
    path: PathBuf,
    written: Option<Counts>,
}

impl Sidecar {
    pub(crate) fn new(db: &Path) -> Sidecar {
        Sidecar {
            path: unsent_summary_path(db),
            written: None,
        }
    }

    /// Reads the counts from `conn` and rewrites the file when they changed.
    pub(crate) fn refresh(&mut self, conn: &Connection) -> Result<(), StoreError> {
        let (unsent, oldest, drafts): (i64, Option<String>, i64) = conn.query_row(
            "SELECT (SELECT count(*) FROM outbox WHERE state = 'pending' AND name NOT LIKE 'work.%'),
                    (SELECT min(issued_at) FROM outbox WHERE state = 'pending' AND name NOT LIKE 'work.%'),
                    (SELECT count(*) FROM records WHERE dirty = 1)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let counts = (
            u64::try_from(unsent).unwrap_or(0),
            oldest,
            u64::try_from(drafts).unwrap_or(0),
        );
        if self.written.as_ref() == Some(&counts) {
            return Ok(());
        }
        self.write(&counts)
            .map_err(|source| StoreError::UnsentSummary {
                path: self.path.clone(),
                source,
            })?;
        self.written = Some(counts);
        Ok(())
    }

    fn write(&self, (unsent, oldest, drafts): &Counts) -> std::io::Result<()> {
        let oldest = oldest
            .as_deref()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|t| {
                t.with_timezone(&Utc)
                    .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
            });
        let body = serde_json::json!({
            "format": FORMAT,
            "unsentCommands": unsent,
            "oldestUnsentAt": oldest,
            "unsettledDrafts": drafts,
            "updatedAt": crate::now_rfc3339(),
        });
        let tmp = sibling(&self.path, ".tmp");
        {
            let mut f = File::create(&tmp)?;
            f.write_all(body.to_string().as_bytes())?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, &self.path)
    }
}
