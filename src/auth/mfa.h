/* mfa.h — TOTP multi-factor authentication: enrolment, the login second step, recovery codes
 * and the global switches of the seed ("Disable MFA for all users", "Enforce MFA for agents /
 * users"). Secrets are sealed (core/seal.h); a TOTP step is accepted once per account; a
 * recovery code works once. Call from job workers or HTTP threads with the thread's
 * connection; none of this is slow. */
#ifndef SB_AUTH_MFA_H
#define SB_AUTH_MFA_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/totp.h"
#include "staff/accounts.h"

struct db;

#define MFA_CHALLENGE_TTL_MS   (5 * 60 * 1000)
#define MFA_CHALLENGE_ATTEMPTS 5
#define MFA_EMAIL_TTL_MS       (10 * 60 * 1000)

struct sb_app;

/* "Disable MFA for all users" is on. */
bool mfa_disabled_globally(void);

/* The account's role is under "Enforce MFA" (and MFA is not disabled for all). */
bool mfa_enforced_for(const struct account *a);

/* A login of `a` needs the second step now. */
bool mfa_needed_at_login(const struct account *a);

/* Starts (or restarts) enrolment: a new secret is sealed as pending. Returns its base32, the
 * otpauth:// URI and a QR code (SVG); *uri and *svg are malloc'd. */
int mfa_enroll_start(struct db *db, const struct account *a, char base32[TOTP_BASE32_LEN + 1],
                     char **uri, char **svg);

/* Activates the pending secret with a current `code`: MFA on, 10 new recovery codes into
 * `codes` (shown once). SB_EINVALID when there is no pending secret or the code is wrong. */
int mfa_enroll_activate(struct db *db, const struct account *a, const char *code, int64_t now_ms,
                        char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_LEN + 1]);

/* Turns MFA off for `staff_id` and forgets its secret and recovery codes. */
int mfa_disable(struct db *db, int64_t staff_id);

/* Creates a second-step challenge for `staff_id`; its token goes to `token` (44 bytes). */
int mfa_challenge_create(struct db *db, int64_t staff_id, int64_t now_ms, char token[44]);

/* The e-mail method: mails a fresh 6-digit code to the account's address and records a
 * challenge expecting it (10 minutes, MFA_CHALLENGE_ATTEMPTS tries). `purpose` is "login"
 * (the token goes to the client) or "enroll" (confirmed by mfa_email_activate). SB_EUNAVAIL
 * without SMTP or an address, or when the mail cannot be sent. Slow (SMTP): job workers. */
int mfa_email_challenge(struct sb_app *app, struct db *db, const struct account *a,
                        const char *purpose, int64_t now_ms, char token[44]);

/* Confirms e-mail enrolment with the mailed code: MFA on with method "email", 10 recovery
 * codes into `codes`. SB_EINVALID when no live enrolment code matches (tries are counted). */
int mfa_email_activate(struct db *db, const struct account *a, const char *code, int64_t now_ms,
                       char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_LEN + 1]);

/* Checks `code` (6-digit TOTP, mailed code or a recovery code) for the challenge `token`. Returns 0
 * with *staff_id (the challenge is then used up), SB_EAUTH for a wrong or replayed code (the
 * attempt is counted; the challenge dies after MFA_CHALLENGE_ATTEMPTS), SB_ENOTFOUND for an
 * unknown, used, expired or exhausted challenge. *used_recovery tells which kind matched. */
int mfa_challenge_check(struct db *db, const char *token, const char *code, int64_t now_ms,
                        int64_t *staff_id, bool *used_recovery);

#endif
