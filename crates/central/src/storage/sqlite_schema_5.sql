-- kyosai-central schema 5 (SQLite): working time the apps report (業務の見える化).
-- One row per work session: a case open at one step of its flow and being worked on,
-- idle excluded. `office_code` is the case's office when the session was received (so
-- the figures filter by office without a join); `kind` likewise the case's kind.
-- A session id is the app's and arrives at most once (a resent session is ignored).

CREATE TABLE work_sessions (
    session_id     TEXT PRIMARY KEY,
    record_id      TEXT NOT NULL,
    kind           TEXT NOT NULL,
    -- 'draft' or the approval step's label (kyosai_domain::flow::step_key).
    step           TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    office_code    TEXT NOT NULL,
    started_at     INTEGER NOT NULL,
    active_seconds INTEGER NOT NULL CHECK (active_seconds BETWEEN 1 AND 28800),
    received_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX work_sessions_by_office ON work_sessions (office_code, started_at);
CREATE INDEX work_sessions_by_record ON work_sessions (record_id);
