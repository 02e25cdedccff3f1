-- kyosai-central schema 2 (SQLite): 電子決裁 — positions in the line of authority and
-- registered absences (代決). Times: microseconds since 1970-01-01 UTC.

CREATE TABLE user_positions (
    user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    position TEXT NOT NULL,                 -- kacho, keiri_kacho, bucho, jimukyokucho, rijicho
    PRIMARY KEY (user_id, position)
) STRICT;

-- While an absence lasts, delegate_id may decide (代決) in place of user_id, and later
-- approvers may pull documents up past user_id (引上げ).
CREATE TABLE absences (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    delegate_id  TEXT NOT NULL REFERENCES users (id),
    starts_at    INTEGER NOT NULL,
    ends_at      INTEGER NOT NULL CHECK (ends_at > starts_at),
    created_at   INTEGER NOT NULL,
    cancelled_at INTEGER
) STRICT;
CREATE INDEX absences_open ON absences (ends_at) WHERE cancelled_at IS NULL;
