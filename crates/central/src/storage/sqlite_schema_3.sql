-- kyosai-central schema 3 (SQLite): the registration file for the core system. Each
-- registered 資格取得届 goes into exactly one batch (registration_exports' primary key).

CREATE TABLE registration_batches (
    id           TEXT PRIMARY KEY,
    created_at   INTEGER NOT NULL,
    created_by   TEXT NOT NULL,
    record_count INTEGER NOT NULL CHECK (record_count > 0),
    file_name    TEXT NOT NULL,
    content      TEXT NOT NULL              -- the file as delivered, served again on request
) STRICT;

CREATE TABLE registration_exports (
    record_id   TEXT PRIMARY KEY,
    batch_id    TEXT NOT NULL REFERENCES registration_batches (id),
    exported_at INTEGER NOT NULL
) STRICT;
