//! The local audit log: the `audit_log` table, appended to and verified with
//! `kyosai-audit`.
//!
//! [`append`] takes a plain connection so that it can run inside the transaction of the
//! action it records (a `Transaction` derefs to a `Connection`): the action and its entry
//! are committed together or not at all. [`AuditRepo`] (from [`Store::audit`]) does the
//! same in a transaction of its own, for events with nothing else to write (a sign-in, a
//! file written).
//!
//! The table refuses UPDATE and DELETE, and an INSERT that does not extend the chain (see
//! migration 3). Someone with the file and SQLite can still drop the triggers and change
//! rows; [`verify`] then says where.
//!
//! [`Store::audit`]: crate::Store::audit

use std::io::Write;

use chrono::{DateTime, Utc};
use kyosai_audit::canonical::{format_at, to_canonical};
use kyosai_audit::{check_detail, Break, BreakKind, Entry, Head, NewEntry, Summary};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::StoreError;

/// Appends `new` to the log through `conn` (inside the caller's transaction when there is
/// one) and returns the entry written.
///
/// Refuses a `detail` holding a 個人番号 or an account number
/// ([`StoreError::AuditDetail`]).
pub fn append(conn: &Connection, new: NewEntry) -> Result<Entry, StoreError> {
    check_detail(&new.detail)?;
    let last = last_entry(conn)?;
    let entry = kyosai_audit::next(last.as_ref(), new);
    conn.execute(
        "INSERT INTO audit_log (seq, at, actor, action, target, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            seq_to_sql(entry.seq)?,
            format_at(&entry.at),
            entry.actor,
            entry.action,
            entry.target,
            to_canonical(&entry.detail),
            entry.prev_hash,
            entry.hash,
        ],
    )?;
    Ok(entry)
}

/// The actor of entries the store writes on its own (a record created or changed): the
/// user this profile belongs to (`sync_state.user_id`, the signed-in user: a profile is
/// refused to another user while its work is unsent), or `-` before anyone signed in.
pub fn profile_actor(conn: &Connection) -> Result<String, StoreError> {
    let user: Option<String> = conn
        .query_row("SELECT user_id FROM sync_state WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?
        .flatten();
    Ok(user.unwrap_or_else(|| "-".to_owned()))
}

/// Appends `action` on record `target` by the profile's user, with `detail` (an object),
/// inside the caller's transaction.
pub(crate) fn append_record_event(
    conn: &Connection,
    action: &str,
    target: Option<&str>,
    detail: serde_json::Value,
) -> Result<Entry, StoreError> {
    let mut new = NewEntry::now(profile_actor(conn)?, action).detail(detail);
    new.target = target.map(str::to_owned);
    append(conn, new)
}

/// Every entry, in `seq` order.
///
/// A row whose stored text is not what it would be written as (`at` or `detail` not in
/// canonical form) is read as it stands; [`verify`] reports it.
pub fn entries(conn: &Connection) -> Result<Vec<Entry>, StoreError> {
    Ok(rows(conn)?.into_iter().map(|(e, _)| e).collect())
}

/// The last entry as a checkpoint, or `None` while the log is empty.
pub fn head(conn: &Connection) -> Result<Option<Head>, StoreError> {
    Ok(last_entry(conn)?.map(|e| e.head()))
}

/// Verifies the whole log (and the checkpoint `anchor`, when one is kept elsewhere).
///
/// The outer error is a database that cannot be read; the inner one is a broken chain.
/// A row not stored in canonical form counts as edited.
pub fn verify(
    conn: &Connection,
    anchor: Option<&Head>,
) -> Result<Result<Summary, Break>, StoreError> {
    let rows = rows(conn)?;
    if let Some(position) = rows.iter().position(|(_, canonical)| !canonical) {
        return Ok(Err(Break {
            position,
            seq: Some(rows[position].0.seq),
            kind: BreakKind::Edited,
        }));
    }
    let entries: Vec<Entry> = rows.into_iter().map(|(e, _)| e).collect();
    Ok(kyosai_audit::verify(&entries, anchor))
}

/// Writes the whole log as JSON Lines (one canonical entry per line, see
/// `kyosai_audit::jsonl`) and returns how many entries were written and the last one's
/// checkpoint.
pub fn write_jsonl(conn: &Connection, out: &mut impl Write) -> Result<Summary, StoreError> {
    let entries = entries(conn)?;
    for e in &entries {
        writeln!(out, "{}", kyosai_audit::to_line(e))
            .map_err(|source| StoreError::AuditWrite { source })?;
    }
    out.flush()
        .map_err(|source| StoreError::AuditWrite { source })?;
    Ok(Summary {
        count: entries.len() as u64,
        head: entries.last().map(Entry::head),
    })
}

/// The audit log of a [`Store`](crate::Store), each call in a transaction of its own.
#[derive(Debug)]
pub struct AuditRepo<'c> {
    conn: &'c mut Connection,
}

impl<'c> AuditRepo<'c> {
    pub(crate) fn new(conn: &'c mut Connection) -> Self {
        AuditRepo { conn }
    }

    /// [`append`] in its own (immediate) transaction.
    pub fn append(&mut self, new: NewEntry) -> Result<Entry, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let entry = append(&tx, new)?;
        tx.commit()?;
        Ok(entry)
    }

    /// [`entries`].
    pub fn entries(&self) -> Result<Vec<Entry>, StoreError> {
        entries(self.conn)
    }

    /// [`head`].
    pub fn head(&self) -> Result<Option<Head>, StoreError> {
        head(self.conn)
    }

    /// [`verify`].
    pub fn verify(&self, anchor: Option<&Head>) -> Result<Result<Summary, Break>, StoreError> {
        verify(self.conn, anchor)
    }

    /// [`write_jsonl`].
    pub fn write_jsonl(&self, out: &mut impl Write) -> Result<Summary, StoreError> {
        write_jsonl(self.conn, out)
    }

    /// Appends `audit` (the export's own entry, `export.audit`) and writes the whole log,
    /// that entry included, to `out`, in one transaction: if writing fails, the entry is
    /// not kept either.
    pub fn export_jsonl(
        &mut self,
        audit: NewEntry,
        out: &mut impl Write,
    ) -> Result<Summary, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        append(&tx, audit)?;
        let summary = write_jsonl(&tx, out)?;
        tx.commit()?;
        Ok(summary)
    }
}

const SELECT: &str =
    "SELECT seq, at, actor, action, target, detail, prev_hash, hash FROM audit_log";

fn last_entry(conn: &Connection) -> Result<Option<Entry>, StoreError> {
    let row = conn
        .query_row(&format!("{SELECT} ORDER BY seq DESC LIMIT 1"), [], read_row)
        .optional()?;
    row.map(|r| to_entry(r).map(|(e, _)| e)).transpose()
}

/// Every row with whether its text is canonical.
fn rows(conn: &Connection) -> Result<Vec<(Entry, bool)>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} ORDER BY seq"))?;
    let raw = stmt
        .query_map([], read_row)?
        .collect::<Result<Vec<_>, _>>()?;
    raw.into_iter().map(to_entry).collect()
}

type RawRow = (
    i64,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
);

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
    ))
}

fn to_entry(r: RawRow) -> Result<(Entry, bool), StoreError> {
    let invalid = |what: &str| StoreError::DataInvalid {
        what: format!("監査ログ seq {} の{what}", r.0),
    };
    let seq = u64::try_from(r.0).map_err(|_| invalid("番号"))?;
    let at: DateTime<Utc> = DateTime::parse_from_rfc3339(&r.1)
        .map_err(|_| invalid("日時"))?
        .with_timezone(&Utc);
    let detail: serde_json::Value = serde_json::from_str(&r.5).map_err(|_| invalid("詳細"))?;
    let canonical = format_at(&at) == r.1 && to_canonical(&detail) == r.5;
    Ok((
        Entry {
            seq,
            at,
            actor: r.2,
            action: r.3,
            target: r.4,
            detail,
            prev_hash: r.6,
            hash: r.7,
        },
        canonical,
    ))
}

fn seq_to_sql(seq: u64) -> Result<i64, StoreError> {
    i64::try_from(seq).map_err(|_| StoreError::DataInvalid {
        what: "監査ログの番号".into(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use kyosai_audit::actions;
    use serde_json::json;

    use super::*;
    use crate::Store;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("kyosai.db")).unwrap();
        (dir, store)
    }

    fn day(store: &mut Store) -> Vec<Entry> {
        let mut audit = store.audit();
        let id = "0192f0c4-1b2a-7cc3-9d0e-5f1a2b3c4d5e";
        vec![
            audit
                .append(NewEntry::now("tanto1203", actions::AUTH_SIGN_IN))
                .unwrap(),
            audit
                .append(
                    NewEntry::now("tanto1203", actions::RECORD_SUBMIT)
                        .target(id)
                        .detail(json!({"kind": "procurement.request", "amount": 1_280_000})),
                )
                .unwrap(),
            audit
                .append(
                    NewEntry::now("tanto1203", actions::EXPORT_PDF)
                        .target(id)
                        .detail(json!({"file": "決裁書_事務用品.pdf"})),
                )
                .unwrap(),
            audit
                .append(NewEntry::now("tanto1203", actions::AUTH_SIGN_OUT))
                .unwrap(),
        ]
    }

    #[test]
    fn entries_chain_and_verify_after_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kyosai.db");
        let written = {
            let mut store = Store::open(&path).unwrap();
            day(&mut store)
        };
        let mut store = Store::open(&path).unwrap();
        let audit = store.audit();
        assert_eq!(audit.entries().unwrap(), written);
        assert_eq!(audit.head().unwrap(), Some(written[3].head()));
        let summary = audit.verify(Some(&written[3].head())).unwrap().unwrap();
        assert_eq!(summary.count, 4);
        assert_eq!(written[1].prev_hash, written[0].hash);
    }

    #[test]
    fn update_delete_and_out_of_chain_inserts_are_refused() {
        let (_dir, mut store) = store();
        let written = day(&mut store);
        let conn = &store.conn;
        let refused = |sql: &str| {
            let err = conn.execute(sql, []).unwrap_err().to_string();
            assert!(
                err.contains("append-only") || err.contains("extend the chain"),
                "{sql}: {err}"
            );
        };
        refused("UPDATE audit_log SET actor = 'kessai0101' WHERE seq = 2");
        refused("UPDATE OR REPLACE audit_log SET seq = 9 WHERE seq = 2");
        refused("DELETE FROM audit_log WHERE seq = 4");
        refused("DELETE FROM audit_log");
        let forged = |seq: u64, prev: &str| {
            format!(
                "INSERT OR REPLACE INTO audit_log VALUES ({seq}, '2026-11-26T00:00:00.000000Z', \
                 'x', 'auth.sign_in', NULL, '{{}}', '{prev}', '{}')",
                "f".repeat(64)
            )
        };
        // Over an existing row, after a gap, or not linked to the last entry.
        refused(&forged(2, &written[0].hash));
        refused(&forged(6, &written[3].hash));
        refused(&forged(5, &written[2].hash));
        assert_eq!(store.audit().entries().unwrap(), written);
        assert!(store.audit().verify(None).unwrap().is_ok());
    }

    #[test]
    fn a_row_edited_behind_the_triggers_back_is_found() {
        let (_dir, mut store) = store();
        let written = day(&mut store);
        store
            .conn
            .execute_batch(
                "DROP TRIGGER audit_log_no_update;
                 UPDATE audit_log SET detail = '{\"amount\":128000,\"kind\":\"procurement.request\"}'
                 WHERE seq = 2;",
            )
            .unwrap();
        let broken = store.audit().verify(None).unwrap().unwrap_err();
        assert_eq!((broken.seq, &broken.kind), (Some(2), &BreakKind::Edited));
        assert_eq!(
            broken.message(),
            "監査ログの2件目（seq 2）が書き換えられています（内容とハッシュが一致しません）。"
        );

        // The same value written in another JSON form is also an edit of the row.
        let (_dir, mut store) = self::store();
        day(&mut store);
        store
            .conn
            .execute_batch(
                "DROP TRIGGER audit_log_no_update;
                 UPDATE audit_log SET detail = '{ \"file\": \"決裁書_事務用品.pdf\" }' WHERE seq = 3;",
            )
            .unwrap();
        let broken = store.audit().verify(None).unwrap().unwrap_err();
        assert_eq!((broken.seq, broken.kind), (Some(3), BreakKind::Edited));
        let _ = written;
    }

    #[test]
    fn a_row_deleted_or_the_tail_cut_behind_the_triggers_back_is_found() {
        let (_dir, mut store) = store();
        let written = day(&mut store);
        store
            .conn
            .execute_batch("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 2;")
            .unwrap();
        let broken = store.audit().verify(None).unwrap().unwrap_err();
        assert_eq!(broken.kind, BreakKind::Missing { first: 2, last: 2 });

        // Cutting the tail leaves a valid chain; the checkpoint kept elsewhere shows it.
        store
            .conn
            .execute_batch("DELETE FROM audit_log WHERE seq >= 2;")
            .unwrap();
        assert!(store.audit().verify(None).unwrap().is_ok());
        let broken = store
            .audit()
            .verify(Some(&written[3].head()))
            .unwrap()
            .unwrap_err();
        assert_eq!(
            broken.kind,
            BreakKind::Truncated {
                anchor_seq: 4,
                count: 1
            }
        );
    }

    #[test]
    fn append_joins_the_callers_transaction() {
        let (_dir, mut store) = store();
        day(&mut store);
        {
            let tx = store.conn.transaction().unwrap();
            append(&tx, NewEntry::now("tanto1203", actions::CONFIG_CHANGE)).unwrap();
            // Dropped without commit: the action failed, so its entry is gone too.
        }
        assert_eq!(store.audit().entries().unwrap().len(), 4);
        {
            let tx = store.conn.transaction().unwrap();
            append(&tx, NewEntry::now("tanto1203", actions::CONFIG_CHANGE)).unwrap();
            tx.commit().unwrap();
        }
        assert_eq!(store.audit().entries().unwrap().len(), 5);
        assert!(store.audit().verify(None).unwrap().is_ok());
    }

    #[test]
    fn personal_data_in_detail_is_refused_and_nothing_is_written() {
        let (_dir, mut store) = store();
        let body = "12345678901";
        let check = kyosai_domain::ids::my_number_check_digit(body).unwrap();
        let err = store
            .audit()
            .append(
                NewEntry::now("tanto1203", actions::RECORD_UPDATE)
                    .detail(json!({"note": format!("{body}{check}")})),
            )
            .unwrap_err();
        assert_eq!(err.code(), "audit.detail_my_number");
        let err = store
            .audit()
            .append(
                NewEntry::now("tanto1203", actions::EXPORT_ZENGIN)
                    .detail(json!({"payee": {"accountNumber": "1234567"}})),
            )
            .unwrap_err();
        assert_eq!(err.code(), "audit.detail_sensitive_key");
        assert!(store.audit().entries().unwrap().is_empty());
    }

    #[test]
    fn an_action_and_a_settings_change_are_kept_with_their_entries_or_not_at_all() {
        let (_dir, mut store) = store();
        let (id, _) = store
            .sync()
            .record_create_local(
                "proposal",
                "13104",
                "窓口案内表示の更新",
                &json!({"text": "案"}),
            )
            .unwrap();
        let submit = |detail| {
            NewEntry::now("tanto1203", actions::RECORD_SUBMIT)
                .target(id.to_string())
                .detail(detail)
        };
        let seq = store
            .sync()
            .record_action_audited(
                id,
                "approval.submit",
                1,
                &json!({}),
                Some(submit(json!({"kind": "proposal"}))),
            )
            .unwrap();
        let log = store.audit().entries().unwrap();
        assert_eq!(log.len(), 2);
        // The creation is recorded by the store itself, for the profile's user (nobody
        // has signed in on this test profile: "-").
        assert_eq!(
            (
                log[0].action.as_str(),
                log[0].actor.as_str(),
                log[0].target.as_deref()
            ),
            (actions::RECORD_CREATE, "-", Some(id.to_string().as_str()))
        );
        assert_eq!(log[0].detail, json!({"kind": "proposal", "outboxSeq": 1}));
        assert_eq!(log[1].detail, json!({"kind": "proposal", "outboxSeq": seq}));
        assert_eq!(store.sync().outbox_entries().unwrap().len(), 2);

        // An entry the guard refuses takes the command down with it.
        let body = "12345678901";
        let check = kyosai_domain::ids::my_number_check_digit(body).unwrap();
        let err = store
            .sync()
            .record_action_audited(
                id,
                "approval.submit",
                1,
                &json!({}),
                Some(submit(json!({"note": format!("{body}{check}")}))),
            )
            .unwrap_err();
        assert_eq!(err.code(), "audit.detail_my_number");
        assert_eq!(store.sync().outbox_entries().unwrap().len(), 2);
        assert_eq!(store.audit().entries().unwrap().len(), 2);

        store
            .settings()
            .put_all_audited(
                &[("centralUrl", "https://central.kyosai.example")],
                Some(
                    NewEntry::now("tanto1203", actions::CONFIG_CHANGE)
                        .detail(json!({"keys": ["centralUrl"]})),
                ),
            )
            .unwrap();
        let err = store
            .settings()
            .put_all_audited(
                &[("proxyUrl", "http://proxy.example:8080")],
                Some(
                    NewEntry::now("tanto1203", actions::CONFIG_CHANGE).detail(json!({"rate": 0.5})),
                ),
            )
            .unwrap_err();
        assert_eq!(err.code(), "audit.detail_fraction");
        assert!(store.settings().get("proxyUrl").unwrap().is_none());
        let log = store.audit().entries().unwrap();
        assert_eq!(log.len(), 3);
        assert_eq!(log[2].action, actions::CONFIG_CHANGE);
        assert!(store.audit().verify(None).unwrap().is_ok());
    }

    #[test]
    fn record_changes_are_recorded_for_the_profiles_user() {
        let (_dir, mut store) = store();
        store.sync().bind_user("tanto1203").unwrap();
        let (id, _) = store
            .sync()
            .record_create_local("proposal", "13104", "件名", &json!({"text": "案"}))
            .unwrap();
        let update = store
            .sync()
            .record_update_local(id, "件名（修正）", &json!({"text": "案2"}))
            .unwrap();
        let transfer = store.sync().record_transfer_local(id, "13105").unwrap();
        let items: Vec<crate::sync::NewLocalRecord> = (0..3)
            .map(|i| crate::sync::NewLocalRecord {
                office_code: "13104".into(),
                title: format!("取得届 {i}"),
                body: serde_json::value::to_raw_value(&json!({"n": i})).unwrap(),
            })
            .collect();
        store
            .sync()
            .records_create_local_many("acquisition", &items, 10, &mut |_| true)
            .unwrap();
        let log = store.audit().entries().unwrap();
        let seen: Vec<(&str, &str)> = log
            .iter()
            .map(|e| (e.action.as_str(), e.actor.as_str()))
            .collect();
        assert_eq!(
            seen,
            vec![
                (actions::RECORD_CREATE, "tanto1203"),
                (actions::RECORD_UPDATE, "tanto1203"),
                (actions::RECORD_TRANSFER, "tanto1203"),
                (actions::RECORD_CREATE, "tanto1203"),
            ]
        );
        assert_eq!(
            log[1].detail,
            json!({"kind": "proposal", "outboxSeq": update})
        );
        assert_eq!(
            log[2].detail,
            json!({"kind": "proposal", "to": "13105", "outboxSeq": transfer})
        );
        assert_eq!(log[3].target, None);
        assert_eq!(
            log[3].detail,
            json!({"kind": "acquisition", "count": 3, "firstOutboxSeq": transfer + 1, "lastOutboxSeq": transfer + 3})
        );
        // Titles and bodies (names, numbers) never reach the log.
        let text: String = log.iter().map(kyosai_audit::to_line).collect();
        assert!(!text.contains("件名") && !text.contains("取得届"));
        assert!(store.audit().verify(None).unwrap().is_ok());
    }

    /// A writer that fails after `ok` bytes.
    struct Failing {
        ok: usize,
    }

    impl Write for Failing {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.ok < buf.len() {
                return Err(std::io::Error::other("disk full"));
            }
            self.ok -= buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn an_export_holds_its_own_entry_unless_it_fails() {
        let (_dir, mut store) = store();
        day(&mut store);
        let export = || NewEntry::now("it0001", actions::EXPORT_AUDIT).target("監査ログ.jsonl");
        let err = store
            .audit()
            .export_jsonl(export(), &mut Failing { ok: 300 })
            .unwrap_err();
        assert_eq!(err.code(), "audit.write");
        assert_eq!(store.audit().entries().unwrap().len(), 4);
        let mut out = Vec::new();
        let summary = store.audit().export_jsonl(export(), &mut out).unwrap();
        assert_eq!(summary.count, 5);
        let read = kyosai_audit::read_jsonl(out.as_slice()).unwrap();
        assert_eq!(read[4].action, actions::EXPORT_AUDIT);
        assert_eq!(Some(read[4].head()), summary.head);
    }

    #[test]
    fn the_export_reads_back_and_verifies() {
        let (_dir, mut store) = store();
        let written = day(&mut store);
        let mut out = Vec::new();
        let summary = store.audit().write_jsonl(&mut out).unwrap();
        assert_eq!(summary.head, Some(written[3].head()));
        let read = kyosai_audit::read_jsonl(out.as_slice()).unwrap();
        assert_eq!(read, written);
        assert!(kyosai_audit::verify(&read, summary.head.as_ref()).is_ok());
    }
}
