-- 0002_identity.sql — staff accounts, sessions, password history, audit log.

-- One table for the three kinds of staff (admin, user = supervisor, agent). Agent-specific
-- settings (voice, channels, phonebar…) arrive with the staff issue in their own tables keyed
-- by staff_id, so this table stays about identity.
CREATE TABLE staff (
    id {{ID_PK}},
    username TEXT NOT NULL UNIQUE,
    full_name TEXT NOT NULL,
    email TEXT,
    role TEXT NOT NULL CHECK (role IN ('admin', 'user', 'agent')),
    password_hash TEXT,
    password_changed_at BIGINT,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    disabled INTEGER NOT NULL DEFAULT 0,
    locked_at BIGINT,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    mfa_enabled INTEGER NOT NULL DEFAULT 0,
    sso_enabled INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT
);
CREATE INDEX staff_email ON staff(email);

-- Previous password hashes (argon2id, never reversible) for "Enforce Password History".
CREATE TABLE password_history (
    id {{ID_PK}},
    staff_id BIGINT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX password_history_staff ON password_history(staff_id, created_at);

-- Server-side sessions. The cookie carries 32 random bytes; only their SHA-256 is stored, so a
-- database leak does not hand out live sessions. Same for the CSRF token.
CREATE TABLE sessions (
    id {{ID_PK}},
    token_hash TEXT NOT NULL UNIQUE,
    csrf_hash TEXT NOT NULL,
    staff_id BIGINT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    revoked_reason TEXT,
    ip TEXT,
    user_agent TEXT
);
CREATE INDEX sessions_staff ON sessions(staff_id, revoked_at);

-- Who did what to whom, from where. Never updated or deleted by the application.
CREATE TABLE audit_log (
    id {{ID_PK}},
    at BIGINT NOT NULL,
    actor_id BIGINT,
    action TEXT NOT NULL,
    target_type TEXT,
    target_id BIGINT,
    ip TEXT,
    detail TEXT
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_actor ON audit_log(actor_id, at);
