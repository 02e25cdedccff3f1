-- kyosai-central schema 1 (SQLite). Times: microseconds since 1970-01-01 UTC.

CREATE TABLE server_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- 所属所
CREATE TABLE offices (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,            -- argon2id PHC string
    office_code   TEXT REFERENCES offices (code),
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  INTEGER,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE user_roles (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
) STRICT;

CREATE TABLE devices (
    device_id    TEXT NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    enrolled_at  INTEGER NOT NULL,
    last_seen_at INTEGER,
    revoked_at   INTEGER,
    PRIMARY KEY (user_id, device_id)
) STRICT;
CREATE INDEX devices_by_id ON devices (device_id);

-- Only the SHA-256 of each token is kept.
CREATE TABLE tokens (
    hash       TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    user_id    TEXT NOT NULL REFERENCES users (id),
    device_id  TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked    INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX tokens_by_device ON tokens (user_id, device_id);

-- A client id (one outbox) belongs to one user on one device.
CREATE TABLE clients (
    client_id  TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    device_id  TEXT NOT NULL,
    last_seq   INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
) STRICT;

-- The exactly-once memory: the outcome of every processed (client_id, seq).
CREATE TABLE command_results (
    client_id    TEXT NOT NULL REFERENCES clients (client_id),
    seq          INTEGER NOT NULL,
    command      TEXT NOT NULL,
    version      INTEGER NOT NULL,
    record_id    TEXT NOT NULL,
    result       TEXT NOT NULL,             -- the Outcome JSON, answered again on replay
    processed_at INTEGER NOT NULL,
    PRIMARY KEY (client_id, seq)
) STRICT;

CREATE TABLE records (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    office_code TEXT NOT NULL REFERENCES offices (code),
    version     INTEGER NOT NULL,
    state       TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,              -- JSON
    created_by  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX records_by_office ON records (office_code);

-- The global change order. Each row is visible to the office it is tagged with (and
-- upserts to everyone without an office).
CREATE TABLE changes (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    record_id   TEXT NOT NULL,
    op          TEXT NOT NULL CHECK (op IN ('upsert', 'revoke')),
    office_code TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX changes_by_office ON changes (office_code, seq);

CREATE TABLE conflicts (
    id           TEXT PRIMARY KEY,
    client_id    TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    user_id      TEXT NOT NULL,
    command      TEXT NOT NULL,
    version      INTEGER NOT NULL,
    record_id    TEXT NOT NULL,
    base_version INTEGER,
    payload      TEXT NOT NULL,             -- JSON, as the clerk sent it
    code         TEXT NOT NULL,
    message      TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    resolved_at  INTEGER,
    resolution   TEXT CHECK (resolution IN ('discarded', 'reapplied'))
) STRICT;
CREATE INDEX conflicts_open ON conflicts (user_id) WHERE resolved_at IS NULL;
