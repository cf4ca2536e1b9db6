/* accounts.h — staff accounts (admin, user = supervisor, agent): lookup, creation, the
 * failed-login counter and lock, password changes with history.
 *
 * All functions take the caller's connection (one per thread) and return 0 or a negative
 * sb_err; SB_ENOTFOUND when no live (not deleted) account matches; SB_ECONFLICT for a taken
 * username. */
#ifndef SB_STAFF_ACCOUNTS_H
#define SB_STAFF_ACCOUNTS_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/password.h"

struct db;

#define ACCOUNT_USERNAME_MAX 64
#define ACCOUNT_NAME_MAX     128
#define ACCOUNT_EMAIL_MAX    254

struct account {
    int64_t id;
    char username[ACCOUNT_USERNAME_MAX + 1];
    char full_name[ACCOUNT_NAME_MAX + 1];
    char email[ACCOUNT_EMAIL_MAX + 1];
    char role[8]; /* admin | user | agent */
    char password_hash[PASSWORD_HASH_MAX];
    int64_t password_changed_at; /* 0 = never set */
    bool must_change_password;
    bool disabled;
    int64_t locked_at; /* 0 = not locked */
    int failed_attempts;
    bool mfa_enabled;
    bool sso_enabled;
    char mfa_method[8]; /* totp | email */
    int64_t profile_id; /* a supervisor's user profile; 0 = none */
};

/* True when `s` is a valid username: 1 to 64 of letters, digits, '.' and '_' (seed rule). */
bool account_username_valid(const char *s);

/* True when `s` is one of admin, user, agent. */
bool account_role_valid(const char *s);

int account_by_username(struct db *db, const char *username, struct account *out);
int account_by_id(struct db *db, int64_t id, struct account *out);

/* Number of live accounts (to know whether the first admin must be created). */
int account_count(struct db *db, int64_t *out);

/* Creates an account with an already hashed password. *id_out gets the new id. */
int account_create(struct db *db, const char *username, const char *full_name, const char *email,
                   const char *role, const char *password_hash, bool must_change, int64_t now_ms,
                   int64_t *id_out);

/* Counts one failed login at now_ms and locks the account when `max_attempts` > 0 is reached.
 * *locked_out says whether the account is locked afterwards. */
int account_record_failure(struct db *db, int64_t id, int max_attempts, int64_t now_ms,
                           bool *locked_out);

/* Clears the failure counter (after a successful login). */
int account_clear_failures(struct db *db, int64_t id);

/* Unlocks and clears the counter. */
int account_unlock(struct db *db, int64_t id, int64_t now_ms);

/* Replaces the password hash (without history: rehash at login keeps the same password). */
int account_update_hash(struct db *db, int64_t id, const char *hash);

/* Sets a new password: the old hash goes to password_history, must_change is set as given,
 * password_changed_at = now. One transaction. */
int account_set_password(struct db *db, int64_t id, const char *new_hash, bool must_change,
                         int64_t now_ms);

/* Checks `pw` against the current password and, when `history` > 0, the last `history`
 * previous ones. *reused is true when it matches any of them. Slow (argon2 per entry): job
 * workers only. */
int account_password_reused(struct db *db, const struct account *a, const char *pw, int history,
                            bool *reused);

#endif
