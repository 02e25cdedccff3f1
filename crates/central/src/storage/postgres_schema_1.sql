-- kyosai-central schema 1 (PostgreSQL).

CREATE TABLE server_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- 所属所
CREATE TABLE offices (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,            -- argon2id PHC string
    office_code   TEXT REFERENCES offices (code),
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  TIMESTAMPTZ,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE user_roles (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE devices (
    device_id    UUID NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    enrolled_at  TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ,
    PRIMARY KEY (user_id, device_id)
);
CREATE INDEX devices_by_id ON devices (device_id);

-- Only the SHA-256 of each token is kept.
CREATE TABLE tokens (
    hash       TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    user_id    TEXT NOT NULL REFERENCES users (id),
    device_id  UUID NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    revoked    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX tokens_by_device ON tokens (user_id, device_id);

-- A client id (one outbox) belongs to one user on one device.
CREATE TABLE clients (
    client_id  UUID PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    device_id  UUID NOT NULL,
    last_seq   BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL
);

-- The exactly-once memory: the outcome of every processed (client_id, seq).
CREATE TABLE command_results (
    client_id    UUID NOT NULL REFERENCES clients (client_id),
    seq          BIGINT NOT NULL,
    command      TEXT NOT NULL,
    version      INTEGER NOT NULL,
    record_id    UUID NOT NULL,
    result       TEXT NOT NULL,             -- the Outcome JSON, answered again on replay
    processed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (client_id, seq)
);

CREATE TABLE records (
    id          UUID PRIMARY KEY,
    kind        TEXT NOT NULL,
    office_code TEXT NOT NULL REFERENCES offices (code),
    version     BIGINT NOT NULL,
    state       TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        JSONB NOT NULL,
    created_by  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX records_by_office ON records (office_code);

-- The global change order. Writers hold an advisory lock, so serials commit in order.
CREATE TABLE changes (
    seq         BIGSERIAL PRIMARY KEY,
    record_id   UUID NOT NULL,
    op          TEXT NOT NULL CHECK (op IN ('upsert', 'revoke')),
    office_code TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX changes_by_office ON changes (office_code, seq);

CREATE TABLE conflicts (
    id           UUID PRIMARY KEY,
    client_id    UUID NOT NULL,
    seq          BIGINT NOT NULL,
    user_id      TEXT NOT NULL,
    command      TEXT NOT NULL,
    version      INTEGER NOT NULL,
    record_id    UUID NOT NULL,
    base_version BIGINT,
    payload      JSONB NOT NULL,
    code         TEXT NOT NULL,
    message      TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    resolved_at  TIMESTAMPTZ,
    resolution   TEXT CHECK (resolution IN ('discarded', 'reapplied'))
);
CREATE INDEX conflicts_open ON conflicts (user_id) WHERE resolved_at IS NULL;
