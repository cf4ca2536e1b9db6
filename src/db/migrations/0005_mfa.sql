-- 0005_mfa.sql — TOTP multi-factor authentication: the sealed secret (libsodium secretbox
-- under the key file, never in clear), the last accepted time step (a code works once), the
-- recovery codes (SHA-256 of each; single use) and the pending second steps of logins.
ALTER TABLE staff ADD COLUMN mfa_secret TEXT;
ALTER TABLE staff ADD COLUMN mfa_pending_secret TEXT;
ALTER TABLE staff ADD COLUMN mfa_last_step BIGINT NOT NULL DEFAULT -1;

CREATE TABLE mfa_recovery_codes (
    id {{ID_PK}},
    staff_id BIGINT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at BIGINT
);
CREATE INDEX mfa_recovery_codes_staff ON mfa_recovery_codes(staff_id);

-- A login whose password was right and whose second factor is still due.
CREATE TABLE mfa_challenges (
    id {{ID_PK}},
    token_hash TEXT NOT NULL UNIQUE,
    staff_id BIGINT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    used_at BIGINT
);
