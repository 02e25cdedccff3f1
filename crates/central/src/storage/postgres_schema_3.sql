-- kyosai-central schema 3 (PostgreSQL): the registration file for the core system. Each
-- registered 資格取得届 goes into exactly one batch (registration_exports' primary key).

CREATE TABLE registration_batches (
    id           UUID PRIMARY KEY,
    created_at   TIMESTAMPTZ NOT NULL,
    created_by   TEXT NOT NULL,
    record_count INTEGER NOT NULL CHECK (record_count > 0),
    file_name    TEXT NOT NULL,
    content      TEXT NOT NULL              -- the file as delivered, served again on request
);

CREATE TABLE registration_exports (
    record_id   UUID PRIMARY KEY,
    batch_id    UUID NOT NULL REFERENCES registration_batches (id),
    exported_at TIMESTAMPTZ NOT NULL
);
