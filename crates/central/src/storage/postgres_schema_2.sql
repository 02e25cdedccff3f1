-- kyosai-central schema 2 (PostgreSQL): 電子決裁 — positions in the line of authority
-- and registered absences (代決).

CREATE TABLE user_positions (
    user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    position TEXT NOT NULL,                 -- kacho, keiri_kacho, bucho, jimukyokucho, rijicho
    PRIMARY KEY (user_id, position)
);

-- While an absence lasts, delegate_id may decide (代決) in place of user_id, and later
-- approvers may pull documents up past user_id (引上げ).
CREATE TABLE absences (
    id           UUID PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    delegate_id  TEXT NOT NULL REFERENCES users (id),
    starts_at    TIMESTAMPTZ NOT NULL,
    ends_at      TIMESTAMPTZ NOT NULL CHECK (ends_at > starts_at),
    created_at   TIMESTAMPTZ NOT NULL,
    cancelled_at TIMESTAMPTZ
);
CREATE INDEX absences_open ON absences (ends_at) WHERE cancelled_at IS NULL;
