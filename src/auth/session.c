#include "auth/session.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "db/db.h"

#define LAST_SEEN_GRANULARITY_MS 60000

void session_hash(const char *s, char out[65])
{
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(d, (const unsigned char *)s, strlen(s));
    sodium_bin2hex(out, 65, d, sizeof(d));
}

static void random_token(char out[SESSION_TOKEN_LEN + 1])
{
    unsigned char b[32];
    randombytes_buf(b, sizeof(b));
    sodium_bin2base64(out, SESSION_TOKEN_LEN + 1, b, sizeof(b),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(b, sizeof(b));
}

int session_create(struct db *db, int64_t staff_id, const char *ip, const char *user_agent,
                   int64_t now_ms, int64_t absolute_ms, char token[SESSION_TOKEN_LEN + 1],
                   char csrf[SESSION_TOKEN_LEN + 1], int64_t *id_out)
{
    char th[65], ch[65], ua[256];
    random_token(token);
    session_csrf_for(token, csrf);
    session_hash(token, th);
    session_hash(csrf, ch);
    snprintf(ua, sizeof(ua), "%s", user_agent ? user_agent : "");
    struct db_stmt *st;
    int r = db_prepare(db,
                       "INSERT INTO sessions(token_hash, csrf_hash, staff_id, created_at, "
                       "last_seen_at, expires_at, ip, user_agent) VALUES(?, ?, ?, ?, ?, ?, ?, ?) "
                       "RETURNING id",
                       &st);
    if (r)
        return r;
    r = db_bind_text(st, 1, th, -1);
    if (!r)
        r = db_bind_text(st, 2, ch, -1);
    if (!r)
        r = db_bind_int64(st, 3, staff_id);
    if (!r)
        r = db_bind_int64(st, 4, now_ms);
    if (!r)
        r = db_bind_int64(st, 5, now_ms);
    if (!r)
        r = db_bind_int64(st, 6, now_ms + absolute_ms);
    if (!r)
        r = ip ? db_bind_text(st, 7, ip, -1) : db_bind_null(st, 7);
    if (!r)
        r = db_bind_text(st, 8, ua, -1);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        *id_out = db_col_int64(st, 0);
        r = 0;
    } else if (r == DB_DONE) {
        r = SB_EINTERNAL;
    }
    db_finalize(st);
    return r;
}

int session_lookup(struct db *db, const char *token, int64_t now_ms, int64_t idle_ms,
                   struct session *out)
{
    if (!token || strlen(token) != SESSION_TOKEN_LEN)
        return SB_EAUTH;
    char th[65];
    session_hash(token, th);
    struct db_stmt *st;
    int r = db_prepare(db,
                       "SELECT s.id, s.staff_id, s.created_at, s.last_seen_at, s.expires_at, "
                       "s.csrf_hash FROM sessions s JOIN staff a ON a.id = s.staff_id "
                       "WHERE s.token_hash = ? AND s.revoked_at IS NULL AND a.deleted_at IS "
                       "NULL AND a.disabled = 0",
                       &st);
    if (r)
        return r;
    r = db_bind_text(st, 1, th, -1);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        memset(out, 0, sizeof(*out));
        out->id = db_col_int64(st, 0);
        out->staff_id = db_col_int64(st, 1);
        out->created_at = db_col_int64(st, 2);
        out->last_seen_at = db_col_int64(st, 3);
        out->expires_at = db_col_int64(st, 4);
        const char *c = db_col_text(st, 5);
        snprintf(out->csrf_hash, sizeof(out->csrf_hash), "%s", c ? c : "");
        r = 0;
    } else if (r == DB_DONE) {
        r = SB_EAUTH;
    }
    db_finalize(st);
    if (r)
        return r;
    if (now_ms >= out->expires_at || now_ms - out->last_seen_at >= idle_ms) {
        session_revoke(db, out->id, 0, now_ms >= out->expires_at ? "expired" : "idle timeout",
                       now_ms);
        return SB_EAUTH;
    }
    if (now_ms - out->last_seen_at >= LAST_SEEN_GRANULARITY_MS) {
        int64_t dummy;
        r = db_query_int64(db, "UPDATE sessions SET last_seen_at = ? WHERE id = ? RETURNING id",
                           &dummy, 2, now_ms, out->id);
        if (r)
            return r;
        out->last_seen_at = now_ms;
    }
    return 0;
}

void session_csrf_for(const char *token, char out[SESSION_TOKEN_LEN + 1])
{
    /* Derived, not stored: a page that reloads gets it again from GET /auth/me, and only
     * someone holding the HttpOnly cookie can compute it. */
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)"switchboard-csrf:", 17);
    crypto_hash_sha256_update(&st, (const unsigned char *)token, strlen(token));
    crypto_hash_sha256_final(&st, d);
    sodium_bin2base64(out, SESSION_TOKEN_LEN + 1, d, sizeof(d),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int session_revoke(struct db *db, int64_t id, int64_t staff_id, const char *reason, int64_t now_ms)
{
    int64_t n = 0;
    int r = db_execf(db, &n,
                     "UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND "
                     "revoked_at IS NULL AND (? = 0 OR staff_id = ?)",
                     "itiii", now_ms, reason, id, staff_id, staff_id);
    return r ? r : n ? 0 : SB_ENOTFOUND;
}

int session_revoke_all(struct db *db, int64_t staff_id, int64_t keep_id, const char *reason,
                       int64_t now_ms, int *count)
{
    int64_t n = 0;
    int r = db_execf(db, &n,
                     "UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE staff_id = ? "
                     "AND id <> ? AND revoked_at IS NULL",
                     "itii", now_ms, reason, staff_id, keep_id);
    if (!r && count)
        *count = (int)n;
    return r;
}
