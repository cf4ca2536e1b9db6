-- 0001_foundation.sql — the first tables every installation has.
-- Portable SQL only; the ID_PK and BLOB tokens (in double braces) are expanded per backend
-- by db_migrate().

-- The typed settings store: one row per key, the value JSON-encoded so the store keeps the
-- type (string, number, boolean, object) without a column per type.
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Written only through the test hooks (POST /api/v1/_test/probes): proves a write went
-- through the group-commit writer and is durable.
CREATE TABLE api_probe (
    id {{ID_PK}},
    note TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
