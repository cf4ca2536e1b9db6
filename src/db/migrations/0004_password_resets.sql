-- 0004_password_resets.sql — one-hour, single-use password-reset tokens (stored as SHA-256).
CREATE TABLE password_resets (
    id {{ID_PK}},
    staff_id BIGINT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX password_resets_staff ON password_resets(staff_id);
