/* login.h — the login and password-change flows (seed 001/002, ASVS 6.x/7.x).
 *
 * Both run on a job worker (argon2id is slow) with that thread's database connection. They
 * apply, in order: per-address and per-account throttling, lockout with automatic unlock,
 * constant-work checks for unknown users, the password policy and history, session creation
 * with a fresh token, "an agent logged in elsewhere is logged out here", and the audit log. */
#ifndef SB_AUTH_LOGIN_H
#define SB_AUTH_LOGIN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth/session.h"
#include "staff/accounts.h"

struct sb_app;
struct db;

enum login_outcome {
    LOGIN_OK = 0,
    LOGIN_BAD_CREDENTIALS,  /* 401: unknown user or wrong password (same answer) */
    LOGIN_LOCKED,           /* 403: locked; "contact the administrator" */
    LOGIN_DISABLED,         /* 403: disabled by an administrator */
    LOGIN_THROTTLED,        /* 429 with retry_after_ms */
    LOGIN_DIRECTORY_DOWN,   /* 503: the LDAP server cannot be reached (not counted) */
    LOGIN_SSO_UNCONFIGURED, /* 503: the account must use LDAP but none is configured */
    LOGIN_MFA_REQUIRED,     /* 200 with mfa_token: the second step is due (no session yet) */
};

struct login_result {
    enum login_outcome outcome;
    struct account account;
    char token[SESSION_TOKEN_LEN + 1];
    char csrf[SESSION_TOKEN_LEN + 1];
    int64_t session_id;
    int64_t expires_at;
    int64_t retry_after_ms;
    bool password_expired;        /* must change before doing anything else */
    int password_days_left;       /* -1 = no warning; else days until expiry (warning window) */
    bool mfa_enrollment_required; /* enforced for the role and not enrolled yet */
    char mfa_token[44];           /* LOGIN_MFA_REQUIRED */
};

/* Sets up the throttles and the constant-work dummy hash. Call once after the settings and
 * password cost are in place. Returns 0 or SB_ENOMEM. */
int login_init(struct sb_app *app);
void login_cleanup(void);

/* Tries a login. Returns 0 with *res->outcome set, or a db error (then nothing was granted). */
int login_attempt(struct sb_app *app, struct db *db, const char *username, const char *password,
                  const char *ip, const char *user_agent, struct login_result *res);

/* Completes a login for `a` whose factors are all checked: "one agent session" rule, new
 * session, expiry state, audit. Fills the session part of *res and sets LOGIN_OK. */
int login_finish(struct sb_app *app, struct db *db, struct account *a, const char *ip,
                 const char *user_agent, const char *how, struct login_result *res);

/* True when `a` logs in through LDAP: its own flag, or "enforce SSO" for its role. */
bool login_uses_directory(const struct account *a);

/* True when the account's password is past its expiry under the current settings. When not
 * expired, *days_left gets the days before expiry if inside the warning window, else -1. */
bool login_password_expired(const struct account *a, int64_t now_ms, int *days_left);

/* Changes the password of `a` (the caller is logged in as `a` in session `keep_session`).
 * Validation failures return SB_EINVALID with *errors (a new JSON array of {field, message}):
 * wrong current password (field current_password, also counted by the throttle), policy
 * breaks, reuse of the current or a remembered password (new_password). On success the other
 * sessions of the account are revoked. */
int login_change_password(struct sb_app *app, struct db *db, const struct account *a,
                          const char *current, const char *next, int64_t keep_session,
                          const char *ip, json_t **errors);

/* Generates a one-time password that satisfies every policy rule (CLI, first admin, admin
 * reset): 20 characters from a CSPRNG. out must hold 21 bytes. */
void login_generate_password(char out[21]);

#endif
