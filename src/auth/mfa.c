#include "auth/mfa.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/settings.h"
#include "auth/session.h"
#include "core/err.h"
#include "app.h"
#include "core/mailer.h"
#include "core/seal.h"
#include "db/db.h"

bool mfa_disabled_globally(void)
{
    return settings_get_bool("security.disable_mfa_all");
}

bool mfa_enforced_for(const struct account *a)
{
    if (mfa_disabled_globally())
        return false;
    if (!strcmp(a->role, "agent"))
        return settings_get_bool("security.enforce_mfa_agents");
    if (!strcmp(a->role, "user"))
        return settings_get_bool("security.enforce_mfa_users");
    return false;
}

bool mfa_needed_at_login(const struct account *a)
{
    return a->mfa_enabled && !mfa_disabled_globally();
}

int mfa_enroll_start(struct db *db, const struct account *a, char base32[TOTP_BASE32_LEN + 1],
                     char **uri, char **svg)
{
    unsigned char secret[TOTP_SECRET_BYTES];
    char *sealed = NULL;
    *uri = *svg = NULL;
    totp_new_secret(secret);
    int r = seal_encrypt(secret, sizeof(secret), &sealed);
    if (!r)
        r = db_execf(db, NULL, "UPDATE staff SET mfa_pending_secret = ? WHERE id = ?", "ti", sealed,
                     a->id);
    if (r)
        goto out;
    totp_secret_base32(secret, base32);
    *uri = totp_uri(secret, "Switchboard", a->username);
    *svg = *uri ? totp_qr_svg(*uri) : NULL;
    if (!*uri || !*svg) {
        free(*uri);
        free(*svg);
        *uri = *svg = NULL;
        r = SB_ENOMEM;
    }
out:
    free(sealed);
    sodium_memzero(secret, sizeof(secret));
    return r;
}

/* Reads and opens a sealed secret column of `id`. SB_ENOTFOUND when NULL. */
static int load_secret(struct db *db, const char *column, int64_t id,
                       unsigned char secret[TOTP_SECRET_BYTES], int64_t *last_step)
{
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT %s, mfa_last_step FROM staff WHERE id = ?", column);
    struct db_stmt *st;
    int r = db_prepare(db, sql, &st);
    if (!r)
        r = db_bind_int64(st, 1, id);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        const char *sealed = db_col_text(st, 0);
        if (last_step)
            *last_step = db_col_int64(st, 1);
        void *plain = NULL;
        size_t len = 0;
        r = sealed ? seal_decrypt(sealed, &plain, &len) : SB_ENOTFOUND;
        if (!r && len != TOTP_SECRET_BYTES)
            r = SB_EINVAL;
        if (!r)
            memcpy(secret, plain, TOTP_SECRET_BYTES);
        if (plain) {
            sodium_memzero(plain, len);
            free(plain);
        }
    } else if (r == DB_DONE) {
        r = SB_ENOTFOUND;
    }
    db_finalize(st);
    return r;
}

/* Records `step` as used unless an equal or later one already was (two concurrent logins
 * with the same code cannot both pass). *claimed tells whether this call won. */
static int claim_step(struct db *db, int64_t id, int64_t step, bool *claimed)
{
    int64_t got = 0;
    int r = db_query_int64(db,
                           "UPDATE staff SET mfa_last_step = ? WHERE id = ? AND mfa_last_step < ? "
                           "RETURNING id",
                           &got, 3, step, id, step);
    *claimed = got != 0;
    return r;
}

/* Replaces the account's recovery codes with `codes` (hashed). Inside the caller's
 * transaction. */
static int store_recovery_codes(struct db *db, int64_t staff_id,
                                char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_LEN + 1])
{
    int r = db_execf(db, NULL, "DELETE FROM mfa_recovery_codes WHERE staff_id = ?", "i", staff_id);
    for (int i = 0; !r && i < TOTP_RECOVERY_CODES; i++) {
        char h[65];
        session_hash(codes[i], h);
        r = db_execf(db, NULL, "INSERT INTO mfa_recovery_codes(code_hash, staff_id) VALUES(?, ?)",
                     "ti", h, staff_id);
    }
    return r;
}

int mfa_enroll_activate(struct db *db, const struct account *a, const char *code, int64_t now_ms,
                        char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_LEN + 1])
{
    unsigned char secret[TOTP_SECRET_BYTES];
    int r = load_secret(db, "mfa_pending_secret", a->id, secret, NULL);
    if (r == SB_ENOTFOUND || r == SB_EINVAL)
        return SB_EINVALID;
    if (r)
        return r;
    int64_t step;
    r = totp_verify(secret, code, now_ms / 1000, -1, &step);
    sodium_memzero(secret, sizeof(secret));
    if (r)
        return SB_EINVALID;
    totp_recovery_codes(codes);
    r = db_begin(db);
    if (r)
        return r;
    struct db_stmt *st = NULL;
    r = db_prepare(db,
                   "UPDATE staff SET mfa_secret = mfa_pending_secret, mfa_pending_secret = NULL, "
                   "mfa_enabled = 1, mfa_method = 'totp', mfa_last_step = ? WHERE id = ?",
                   &st);
    if (!r)
        r = db_bind_int64(st, 1, step);
    if (!r)
        r = db_bind_int64(st, 2, a->id);
    if (!r)
        r = db_step(st) == DB_DONE ? 0 : SB_EINTERNAL;
    db_finalize(st);
    if (!r)
        r = store_recovery_codes(db, a->id, codes);
    if (!r)
        r = db_commit(db);
    if (r)
        db_rollback(db);
    return r;
}

int mfa_disable(struct db *db, int64_t staff_id)
{
    int r = db_begin(db);
    if (!r)
        r = db_execf(db, NULL,
                     "UPDATE staff SET mfa_enabled = 0, mfa_secret = NULL, mfa_pending_secret = "
                     "NULL, mfa_last_step = -1 WHERE id = ?",
                     "i", staff_id);
    if (!r)
        r = db_execf(db, NULL, "DELETE FROM mfa_recovery_codes WHERE staff_id = ?", "i", staff_id);
    if (!r)
        r = db_execf(db, NULL,
                     "UPDATE mfa_challenges SET used_at = 0 WHERE staff_id = ? AND used_at IS NULL",
                     "i", staff_id);
    if (!r)
        r = db_commit(db);
    if (r)
        db_rollback(db);
    return r;
}

/* Inserts a challenge; `code_hash` (SHA-256 hex of a mailed code) may be NULL (TOTP). */
static int challenge_insert(struct db *db, int64_t staff_id, int64_t now_ms, int64_t ttl_ms,
                            const char *purpose, const char *code_hash, char token[44])
{
    unsigned char b[32];
    randombytes_buf(b, sizeof(b));
    sodium_bin2base64(token, 44, b, sizeof(b), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char h[65];
    session_hash(token, h);
    return db_execf(db, NULL,
                    "INSERT INTO mfa_challenges(token_hash, staff_id, created_at, expires_at, "
                    "purpose, code_hash) VALUES(?, ?, ?, ?, ?, ?)",
                    "tiiitt", h, staff_id, now_ms, now_ms + ttl_ms, purpose, code_hash);
}

int mfa_challenge_create(struct db *db, int64_t staff_id, int64_t now_ms, char token[44])
{
    return challenge_insert(db, staff_id, now_ms, MFA_CHALLENGE_TTL_MS, "login", NULL, token);
}

int mfa_email_challenge(struct sb_app *app, struct db *db, const struct account *a,
                        const char *purpose, int64_t now_ms, char token[44])
{
    if (!app->cfg.smtp_host[0] || !a->email[0])
        return SB_EUNAVAIL;
    char code[7], h[65];
    snprintf(code, sizeof(code), "%06u", (unsigned)randombytes_uniform(1000000));
    session_hash(code, h);
    int r = challenge_insert(db, a->id, now_ms, MFA_EMAIL_TTL_MS, purpose, h, token);
    if (r)
        goto out;
    char body[600];
    snprintf(body, sizeof(body),
             "Hello %s,\n\nyour Switchboard verification code is:\n\n    %s\n\n"
             "It is valid for 10 minutes and works once. If you did not just try to log in or "
             "set up verification, change your password and tell your administrator.\n",
             a->full_name, code);
    struct mailer_config mc;
    app_mailer_config(app, &mc);
    struct mailer_message msg = {
        .to = a->email, .subject = "Your Switchboard verification code", .text = body};
    r = mailer_send(&mc, &msg);
    sodium_memzero(&mc, sizeof(mc));
    sodium_memzero(body, sizeof(body));
out:
    sodium_memzero(code, sizeof(code));
    return r;
}

/* True when `code` looks like a recovery code ("xxxxx-xxxxx"). */
static bool is_recovery_shape(const char *code)
{
    return strlen(code) == TOTP_RECOVERY_LEN && code[5] == '-';
}

int mfa_challenge_check(struct db *db, const char *token, const char *code, int64_t now_ms,
                        int64_t *staff_id, bool *used_recovery)
{
    char h[65];
    session_hash(token, h);
    *used_recovery = false;
    struct db_stmt *st;
    int64_t challenge = 0;
    int r = db_prepare(db,
                       "SELECT id, staff_id, code_hash FROM mfa_challenges WHERE token_hash = ? "
                       "AND used_at IS NULL AND expires_at > ? AND attempts < ? AND purpose = "
                       "'login'",
                       &st);
    if (!r)
        r = db_bind_all(st, "tii", h, now_ms, (int64_t)MFA_CHALLENGE_ATTEMPTS);
    if (!r)
        r = db_step(st);
    char mailed[65] = "";
    if (r == DB_ROW) {
        challenge = db_col_int64(st, 0);
        *staff_id = db_col_int64(st, 1);
        const char *ch = db_col_text(st, 2);
        snprintf(mailed, sizeof(mailed), "%s", ch ? ch : "");
        r = 0;
    }
    db_finalize(st);
    if (r < 0)
        return r;
    if (!challenge) /* DB_DONE: no such live challenge */
        return SB_ENOTFOUND;

    bool ok = false;
    if (is_recovery_shape(code)) {
        char ch[65];
        session_hash(code, ch);
        struct db_stmt *u;
        r = db_prepare(db,
                       "UPDATE mfa_recovery_codes SET used_at = ? WHERE staff_id = ? AND "
                       "used_at IS NULL AND code_hash = ?",
                       &u);
        if (!r)
            r = db_bind_int64(u, 1, now_ms);
        if (!r)
            r = db_bind_int64(u, 2, *staff_id);
        if (!r)
            r = db_bind_text(u, 3, ch, -1);
        if (!r)
            r = db_step(u) == DB_DONE ? 0 : SB_EINTERNAL;
        ok = !r && db_changes(u) > 0;
        db_finalize(u);
        *used_recovery = ok;
    } else if (mailed[0]) {
        char h2[65];
        session_hash(code, h2);
        ok = strlen(code) == 6 && sodium_memcmp(h2, mailed, 64) == 0;
    } else {
        unsigned char secret[TOTP_SECRET_BYTES];
        int64_t last = -1, step;
        r = load_secret(db, "mfa_secret", *staff_id, secret, &last);
        if (!r && totp_verify(secret, code, now_ms / 1000, last, &step) == 0)
            r = claim_step(db, *staff_id, step, &ok);
        sodium_memzero(secret, sizeof(secret));
        if (r == SB_ENOTFOUND || r == SB_EINVAL)
            r = 0; /* no usable secret: the code simply does not match */
    }
    if (r)
        return r;
    int64_t done = 0;
    if (ok)
        r = db_query_int64(db,
                           "UPDATE mfa_challenges SET used_at = ? WHERE id = ? AND used_at IS NULL "
                           "RETURNING id",
                           &done, 2, now_ms, challenge);
    else
        r = db_query_int64(db,
                           "UPDATE mfa_challenges SET attempts = attempts + 1 WHERE id = ? "
                           "RETURNING id",
                           &done, 1, challenge);
    if (r)
        return r;
    return ok && done ? 0 : SB_EAUTH;
}

int mfa_email_activate(struct db *db, const struct account *a, const char *code, int64_t now_ms,
                       char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_LEN + 1])
{
    struct db_stmt *st;
    int64_t challenge = 0;
    char mailed[65] = "";
    int r = db_prepare(db,
                       "SELECT id, code_hash FROM mfa_challenges WHERE staff_id = ? AND purpose = "
                       "'enroll' AND used_at IS NULL AND expires_at > ? AND attempts < ? ORDER BY "
                       "id DESC LIMIT 1",
                       &st);
    if (!r)
        r = db_bind_all(st, "iii", a->id, now_ms, (int64_t)MFA_CHALLENGE_ATTEMPTS);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        challenge = db_col_int64(st, 0);
        const char *h = db_col_text(st, 1);
        snprintf(mailed, sizeof(mailed), "%s", h ? h : "");
        r = 0;
    }
    db_finalize(st);
    if (r < 0)
        return r;
    if (!challenge || strlen(mailed) != 64)
        return SB_EINVALID;
    char h2[65];
    session_hash(code, h2);
    if (strlen(code) != 6 || sodium_memcmp(h2, mailed, 64)) {
        db_execf(db, NULL, "UPDATE mfa_challenges SET attempts = attempts + 1 WHERE id = ?", "i",
                 challenge);
        return SB_EINVALID;
    }
    totp_recovery_codes(codes);
    r = db_begin(db);
    if (r)
        return r;
    r = db_execf(db, NULL, "UPDATE mfa_challenges SET used_at = 1 WHERE id = ?", "i", challenge);
    if (!r)
        r = db_execf(db, NULL,
                     "UPDATE staff SET mfa_enabled = 1, mfa_method = 'email', mfa_secret = NULL, "
                     "mfa_pending_secret = NULL WHERE id = ?",
                     "i", a->id);
    if (!r)
        r = store_recovery_codes(db, a->id, codes);
    if (!r)
        r = db_commit(db);
    if (r)
        db_rollback(db);
    return r;
}
