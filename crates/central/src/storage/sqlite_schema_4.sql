-- kyosai-central schema 4 (SQLite): the server's audit log, hash-chained (format and
-- verifier: kyosai-audit). Rows are only ever added, each extending the chain: triggers
-- refuse an UPDATE, a DELETE and an INSERT that does not continue from the last row.
-- Whoever can drop a trigger can still change the file; `kyosai-central audit verify`
-- then says where.

CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY CHECK (seq >= 1),
    -- RFC 3339, UTC, six fraction digits: exactly the text the hash covers.
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    target    TEXT,
    -- Canonical JSON (sorted keys, no whitespace), as hashed.
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
