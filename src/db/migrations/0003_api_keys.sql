-- 0003_api_keys.sql — API keys for integrations, acting with their owner's permissions.
-- The key is shown once; only its SHA-256 is stored (it has 256 bits of entropy, so a fast
-- hash is enough). `prefix` lets people tell their keys apart in lists.
CREATE TABLE api_keys (
    id {{ID_PK}},
    staff_id BIGINT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    expires_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX api_keys_staff ON api_keys(staff_id);
