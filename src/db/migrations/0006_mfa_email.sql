-- 0006_mfa_email.sql — the e-mail one-time code as a second MFA method: which method an
-- account uses, and the (hashed) code a challenge expects when it was mailed.
ALTER TABLE staff ADD COLUMN mfa_method TEXT NOT NULL DEFAULT 'totp';
ALTER TABLE mfa_challenges ADD COLUMN code_hash TEXT;
ALTER TABLE mfa_challenges ADD COLUMN purpose TEXT NOT NULL DEFAULT 'login';
