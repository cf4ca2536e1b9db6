#include "auth/apikey.h"

#include <sodium.h>
#include <string.h>

#include "auth/session.h"
#include "core/err.h"
#include "db/db.h"

int apikey_looks_like(const char *s)
{
    return s && strlen(s) == APIKEY_LEN && !strncmp(s, "sbk_", 4);
}

int apikey_create(struct db *db, int64_t staff_id, const char *name, int64_t now_ms,
                  int64_t expires_at, char out[APIKEY_LEN + 1], int64_t *id_out)
{
    unsigned char b[32];
    randombytes_buf(b, sizeof(b));
    memcpy(out, "sbk_", 4);
    sodium_bin2base64(out + 4, APIKEY_LEN - 4 + 1, b, sizeof(b),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(b, sizeof(b));
    char hash[65], prefix[13];
    session_hash(out, hash);
    memcpy(prefix, out, 12);
    prefix[12] = 0;
    struct db_stmt *st;
    int r = db_prepare(db,
                       "INSERT INTO api_keys(staff_id, name, prefix, key_hash, created_at, "
                       "expires_at) VALUES(?, ?, ?, ?, ?, ?) RETURNING id",
                       &st);
    if (r)
        return r;
    r = db_bind_int64(st, 1, staff_id);
    if (!r)
        r = db_bind_text(st, 2, name, -1);
    if (!r)
        r = db_bind_text(st, 3, prefix, -1);
    if (!r)
        r = db_bind_text(st, 4, hash, -1);
    if (!r)
        r = db_bind_int64(st, 5, now_ms);
    if (!r)
        r = expires_at ? db_bind_int64(st, 6, expires_at) : db_bind_null(st, 6);
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

int apikey_lookup(struct db *db, const char *key, int64_t now_ms, int64_t *staff_id,
                  int64_t *key_id)
{
    if (!apikey_looks_like(key))
        return SB_EAUTH;
    char hash[65];
    session_hash(key, hash);
    struct db_stmt *st;
    int r = db_prepare(db,
                       "SELECT k.id, k.staff_id, COALESCE(k.last_used_at, 0) FROM api_keys k "
                       "JOIN staff a ON a.id = k.staff_id WHERE k.key_hash = ? AND "
                       "k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > ?) AND "
                       "a.deleted_at IS NULL AND a.disabled = 0",
                       &st);
    if (r)
        return r;
    r = db_bind_text(st, 1, hash, -1);
    if (!r)
        r = db_bind_int64(st, 2, now_ms);
    int64_t last = 0;
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        *key_id = db_col_int64(st, 0);
        *staff_id = db_col_int64(st, 1);
        last = db_col_int64(st, 2);
        r = 0;
    } else if (r == DB_DONE) {
        r = SB_EAUTH;
    }
    db_finalize(st);
    if (!r && now_ms - last >= 60000) {
        int64_t dummy;
        r = db_query_int64(db, "UPDATE api_keys SET last_used_at = ? WHERE id = ? RETURNING id",
                           &dummy, 2, now_ms, *key_id);
    }
    return r;
}

int apikey_revoke(struct db *db, int64_t id, int64_t staff_id, int64_t now_ms)
{
    int64_t n = 0;
    int r = db_execf(db, &n,
                     "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL AND "
                     "(? = 0 OR staff_id = ?)",
                     "iiii", now_ms, id, staff_id, staff_id);
    return r ? r : n ? 0 : SB_ENOTFOUND;
}
