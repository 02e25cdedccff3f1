//! Settings of this profile as key/value rows.

use std::collections::BTreeMap;

use chrono::Utc;
use rusqlite::{params, Connection, OptionalExtension};

use crate::StoreError;

/// One stored setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingEntry {
    pub value: String,
    /// RFC 3339, UTC.
    pub updated_at: String,
}

/// Reads and writes the `settings` table.
#[derive(Debug)]
pub struct SettingsRepo<'c> {
    conn: &'c mut Connection,
}

impl<'c> SettingsRepo<'c> {
    pub(crate) fn new(conn: &'c mut Connection) -> Self {
        SettingsRepo { conn }
    }

    /// Every stored setting by key.
    pub fn all(&self) -> Result<BTreeMap<String, SettingEntry>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT key, value, updated_at FROM settings ORDER BY key")?;
        let rows = stmt.query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                SettingEntry {
                    value: row.get(1)?,
                    updated_at: row.get(2)?,
                },
            ))
        })?;
        let mut map = BTreeMap::new();
        for row in rows {
            let (k, v) = row?;
            map.insert(k, v);
        }
        Ok(map)
    }

    /// One setting, if stored.
    pub fn get(&self, key: &str) -> Result<Option<SettingEntry>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT value, updated_at FROM settings WHERE key = ?1",
                params![key],
                |row| {
                    Ok(SettingEntry {
                        value: row.get(0)?,
                        updated_at: row.get(1)?,
                    })
                },
            )
            .optional()?)
    }

    /// Writes all `entries` in one transaction: either every value is saved or none.
    /// An empty value removes the key. Returns the timestamp written.
    pub fn put_all(&mut self, entries: &[(&str, &str)]) -> Result<String, StoreError> {
        self.put_all_audited(entries, None)
    }

    /// [`put_all`](Self::put_all) with its audit log entry (`config.change`) written in
    /// the same transaction: both are kept or neither.
    pub fn put_all_audited(
        &mut self,
        entries: &[(&str, &str)],
        audit: Option<kyosai_audit::NewEntry>,
    ) -> Result<String, StoreError> {
        let now = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let tx = self.conn.transaction()?;
        {
            let mut upsert = tx.prepare_cached(
                "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                 WHERE settings.value IS NOT excluded.value",
            )?;
            let mut delete = tx.prepare_cached("DELETE FROM settings WHERE key = ?1")?;
            for (key, value) in entries {
                if value.is_empty() {
                    delete.execute(params![key])?;
                } else {
                    upsert.execute(params![key, value, now])?;
                }
            }
        }
        if let Some(entry) = audit {
            crate::audit::append(&tx, entry)?;
        }
        tx.commit()?;
        Ok(now)
    }
}
