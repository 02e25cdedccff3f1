//! Versioned schema migrations.
//!
//! Each migration runs in its own transaction together with the `PRAGMA user_version`
//! bump, so a crash leaves the file at the previous version, never half-migrated.
//! Migrations are append-only: never edit one that has shipped; add the next.

use chrono::Utc;
use rusqlite::{params, Connection};

use crate::StoreError;

struct Migration {
    version: u32,
    name: &'static str,
    sql: &'static str,
    /// Rows the migration must write that SQL alone cannot choose well (random ids),
    /// run in the same transaction as `sql`.
    seed: Option<fn(&rusqlite::Transaction<'_>) -> rusqlite::Result<()>>,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "settings",
        sql: "
        CREATE TABLE schema_migrations (
            version    INTEGER PRIMARY KEY,
            name       TEXT NOT NULL,
            applied_at TEXT NOT NULL
        ) STRICT;

        -- Connection and office settings of this profile, one row per key.
        CREATE TABLE settings (
            key        TEXT PRIMARY KEY,
            value      TEXT NOT NULL,
            updated_at TEXT NOT NULL
        ) STRICT;
    ",
        seed: None,
    },
    Migration {
        version: 2,
        name: "sync: outbox, records, sync_state",
        sql: MIGRATION_2_SYNC,
        seed: Some(seed_sync_state),
    },
    Migration {
        version: 3,
        name: "audit_log: hash-chained, append-only",
        sql: MIGRATION_3_AUDIT,
        seed: None,
    },
];

/// The command outbox, the local copy of server records with the clerk's drafts, and the
/// sync bookkeeping. See the `sync` module for the rules.
const MIGRATION_2_SYNC: &str = "
    -- One row, ever: who this outbox is, where the pull stands, how the last sync went.
    CREATE TABLE sync_state (
        id                 INTEGER PRIMARY KEY CHECK (id = 1),
        client_id          TEXT NOT NULL CHECK (length(client_id) = 36),
        device_id          TEXT NOT NULL CHECK (length(device_id) = 36),
        -- The last outbox seq handed out for client_id (the next is last_seq + 1).
        last_seq           INTEGER NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
        -- The user the outbox and the local records belong to.
        user_id            TEXT,
        cursor             TEXT,
        last_sync_at       TEXT,
        last_error_code    TEXT,
        last_error_message TEXT,
        updated_at         TEXT NOT NULL
    ) STRICT;

    -- Commands in the order the clerk issued them. seq is the wire seq: 1, 2, 3, ... for
    -- client_id, without gaps (handed out from sync_state.last_seq in the same
    -- transaction as the local change).
    CREATE TABLE outbox (
        seq             INTEGER PRIMARY KEY CHECK (seq >= 1),
        name            TEXT NOT NULL CHECK (name <> ''),
        version         INTEGER NOT NULL CHECK (version >= 1),
        record_id       TEXT NOT NULL CHECK (length(record_id) = 36),
        -- The server version the clerk saw (NULL for a creation, or when chained).
        base_version    INTEGER,
        -- An earlier command on the same record that was still unsent when this one was
        -- issued: this one is based on that one's result, bound when that one is answered.
        after_seq       INTEGER CHECK (after_seq IS NULL OR after_seq < seq),
        payload         TEXT NOT NULL CHECK (json_valid(payload)),
        issued_at       TEXT NOT NULL,
        state           TEXT NOT NULL DEFAULT 'pending'
                        CHECK (state IN ('pending', 'sent_applied', 'conflict', 'rejected')),
        applied_version INTEGER,
        result_code     TEXT,
        result_message  TEXT,
        conflict_id     TEXT,
        updated_at      TEXT NOT NULL,
        CHECK (state <> 'sent_applied' OR applied_version IS NOT NULL),
        CHECK (state <> 'conflict' OR conflict_id IS NOT NULL)
    ) STRICT;
    CREATE INDEX outbox_pending ON outbox (seq) WHERE state = 'pending';
    CREATE INDEX outbox_by_record ON outbox (record_id, seq);

    -- The local copy of server records (columns without a prefix: what the server last
    -- said; NULL version = the server has not confirmed the record yet) and the clerk's
    -- draft (local_*), which lives until the server confirms it and is never overwritten
    -- by a pull.
    CREATE TABLE records (
        id                 TEXT PRIMARY KEY CHECK (length(id) = 36),
        kind               TEXT NOT NULL CHECK (kind <> ''),
        office_code        TEXT NOT NULL CHECK (office_code <> ''),
        version            INTEGER,
        state              TEXT,
        title              TEXT,
        body               TEXT CHECK (body IS NULL OR json_valid(body)),
        created_by         TEXT,
        updated_by         TEXT,
        created_at         TEXT,
        updated_at         TEXT,
        -- The draft.
        dirty              INTEGER NOT NULL DEFAULT 0 CHECK (dirty IN (0, 1)),
        local_title        TEXT,
        local_body         TEXT CHECK (local_body IS NULL OR json_valid(local_body)),
        local_office_code  TEXT,
        -- pending (未送信) | conflict (競合) | rejected (差戻し)
        local_state        TEXT CHECK (local_state IN ('pending', 'conflict', 'rejected')),
        -- The server version the draft builds on (for the next command when no earlier
        -- command of the draft is still unsent).
        local_base_version INTEGER,
        local_code         TEXT,
        local_message      TEXT,
        local_conflict_id  TEXT,
        local_updated_at   TEXT,
        -- The server no longer shows this record to the user, but the draft is kept.
        revoked            INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),
        -- What the clerk sees next to the record: 未送信, 競合, 差戻し, ...
        label              TEXT,
        CHECK (dirty = 0 OR (local_title IS NOT NULL AND local_body IS NOT NULL
                             AND local_state IS NOT NULL)),
        CHECK (dirty = 1 OR (local_title IS NULL AND local_body IS NULL
                             AND local_state IS NULL AND revoked = 0)),
        -- A record the server has not confirmed exists only as a draft.
        CHECK (version IS NOT NULL OR dirty = 1),
        CHECK (version IS NULL OR (title IS NOT NULL AND body IS NOT NULL))
    ) STRICT;
    CREATE INDEX records_by_kind ON records (kind, id);
    CREATE INDEX records_dirty ON records (local_state) WHERE dirty = 1;
";

/// The local audit log (see the `audit` module and `kyosai-audit`). Rows are only ever
/// added, each extending the chain: triggers refuse an UPDATE, a DELETE and an INSERT that
/// does not continue from the last row. (Whoever can drop a trigger can still change the
/// file; the hash chain is what shows that.)
const MIGRATION_3_AUDIT: &str = "
    CREATE TABLE audit_log (
        seq       INTEGER PRIMARY KEY CHECK (seq >= 1),
        -- RFC 3339, UTC, six fraction digits: exactly the text the hash covers.
        at        TEXT NOT NULL,
        actor     TEXT NOT NULL,
        action    TEXT NOT NULL,
        target    TEXT,
        -- Canonical JSON (sorted keys, no whitespace).
        detail    TEXT NOT NULL,
        prev_hash TEXT NOT NULL UNIQUE CHECK (length(prev_hash) = 64),
        hash      TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)
    ) STRICT;

    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN
        SELECT RAISE(ABORT, 'audit_log is append-only');
    END;

    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN
        SELECT RAISE(ABORT, 'audit_log is append-only');
    END;

    -- Also stops INSERT OR REPLACE over an existing row (REPLACE fires no delete trigger).
    CREATE TRIGGER audit_log_extends_chain BEFORE INSERT ON audit_log
    WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM audit_log)
      OR NEW.prev_hash IS NOT coalesce(
            (SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1),
            '0000000000000000000000000000000000000000000000000000000000000000')
    BEGIN
        SELECT RAISE(ABORT, 'audit_log: an entry must extend the chain');
    END;
";

fn seed_sync_state(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    // Chosen once per database: the outbox's identity towards the server and this PC's.
    tx.execute(
        "INSERT INTO sync_state (id, client_id, device_id, updated_at) VALUES (1, ?1, ?2, ?3)",
        params![
            uuid::Uuid::new_v4().to_string(),
            uuid::Uuid::new_v4().to_string(),
            crate::now_rfc3339()
        ],
    )?;
    Ok(())
}

/// The newest schema this build understands.
pub const LATEST_SCHEMA_VERSION: u32 = MIGRATIONS[MIGRATIONS.len() - 1].version;

pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let current: u32 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if current > LATEST_SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            found: current,
            supported: LATEST_SCHEMA_VERSION,
        });
    }
    for m in MIGRATIONS.iter().filter(|m| m.version > current) {
        let wrap = |source| StoreError::Migration {
            version: m.version,
            name: m.name,
            source,
        };
        let tx = conn.transaction().map_err(wrap)?;
        tx.execute_batch(m.sql).map_err(wrap)?;
        if let Some(seed) = m.seed {
            seed(&tx).map_err(wrap)?;
        }
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
            params![m.version, m.name, Utc::now().to_rfc3339()],
        )
        .map_err(wrap)?;
        // user_version cannot take a bound parameter; the value is our own constant.
        tx.execute_batch(&format!("PRAGMA user_version = {}", m.version))
            .map_err(wrap)?;
        tx.commit().map_err(wrap)?;
        tracing::info!(version = m.version, name = m.name, "migration applied");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn versions_are_consecutive_from_one() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version as usize, i + 1, "migration {}", m.name);
        }
    }

    #[test]
    fn migrating_twice_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        let n: i64 = conn
            .query_row("SELECT count(*) FROM schema_migrations", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n as usize, MIGRATIONS.len());
    }
}
