#include "staff/sip_secret.h"

#include <openssl/evp.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "core/seal.h"
#include "db/db.h"
#include "staff/accounts.h"

/* Letters and digits only: no client or config file has to escape anything. */
static const char secret_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

bool sip_realm_valid(const char *realm)
{
    size_t n = realm ? strlen(realm) : 0;
    if (n == 0 || n > SIP_REALM_MAX)
        return false;
    for (const char *p = realm; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '-' || *p == '_'))
            return false;
    return true;
}

void sip_secret_generate(char out[SIP_SECRET_LEN + 1])
{
    for (int i = 0; i < SIP_SECRET_LEN; i++)
        out[i] = secret_alphabet[randombytes_uniform(sizeof(secret_alphabet) - 1)];
    out[SIP_SECRET_LEN] = '\0';
}

int sip_md5_cred(const char *username, const char *realm, const char *secret,
                 char hex[SIP_MD5_HEX_LEN + 1])
{
    char text[ACCOUNT_USERNAME_MAX + SIP_REALM_MAX + SIP_SECRET_BUF_SZ + 3];
    int n = snprintf(text, sizeof(text), "%s:%s:%s", username, realm, secret);
    if (n < 0 || (size_t)n >= sizeof(text)) {
        sodium_memzero(text, sizeof(text));
        return SB_EINVAL;
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    int ok = EVP_Digest(text, (size_t)n, md, &len, EVP_md5(), NULL);
    sodium_memzero(text, sizeof(text));
    if (!ok || len != SIP_MD5_HEX_LEN / 2)
        return SB_EINTERNAL;
    sodium_bin2hex(hex, SIP_MD5_HEX_LEN + 1, md, len);
    return 0;
}

int sip_secret_rotate(struct db *db, int64_t staff_id, const char *username, const char *realm,
                      int64_t now_ms, char secret_out[SIP_SECRET_LEN + 1])
{
    char secret[SIP_SECRET_LEN + 1], md5[SIP_MD5_HEX_LEN + 1];
    char *sealed = NULL;
    int64_t changes = 0;
    sip_secret_generate(secret);
    int r = sip_md5_cred(username, realm, secret, md5);
    if (!r)
        r = seal_encrypt(secret, SIP_SECRET_LEN, &sealed);
    if (!r)
        r = db_execf(db, &changes,
                     "UPDATE agents SET sip_secret = ?, md5_cred = ?, sip_realm = ?, "
                     "sip_secret_changed_at = ? WHERE staff_id = ?",
                     "tttii", sealed, md5, realm, now_ms, staff_id);
    if (!r && changes == 0)
        r = SB_ENOTFOUND;
    if (!r && secret_out)
        memcpy(secret_out, secret, sizeof(secret));
    sodium_memzero(secret, sizeof(secret));
    free(sealed);
    return r;
}

/* Opens sealed text into `out` (NUL-terminated). SB_EINVAL when it does not open or does not
 * fit. */
static int open_secret(const char *sealed, char out[SIP_SECRET_BUF_SZ])
{
    void *plain = NULL;
    size_t len = 0;
    int r = seal_decrypt(sealed, &plain, &len);
    if (!r && (len == 0 || len >= SIP_SECRET_BUF_SZ || memchr(plain, '\0', len)))
        r = SB_EINVAL;
    if (!r) {
        memcpy(out, plain, len);
        out[len] = '\0';
    }
    if (plain) {
        sodium_memzero(plain, len);
        free(plain);
    }
    return r;
}

/* One agent the backfill must touch: ids and texts copied out of the SELECT, so the updates
 * run after it is finalized (one statement at a time on a connection). */
struct backfill_row {
    int64_t id;
    char username[ACCOUNT_USERNAME_MAX + 1];
    char *sealed; /* NULL: no secret yet */
};

#define BACKFILL_BATCH 256

/* Reads up to BACKFILL_BATCH agents needing work, with ids above *after. */
static int backfill_fetch(struct db *db, const char *realm, int64_t after,
                          struct backfill_row *rows, int *n)
{
    struct db_stmt *st = NULL;
    *n = 0;
    int r = db_prepare(db,
                       "SELECT g.staff_id, s.username, g.sip_secret FROM agents g JOIN staff s ON "
                       "s.id = g.staff_id WHERE s.deleted_at IS NULL AND g.staff_id > ? AND "
                       "(g.sip_secret IS NULL OR g.md5_cred IS NULL OR g.sip_realm IS NULL OR "
                       "g.sip_realm <> ?) ORDER BY g.staff_id LIMIT ?",
                       &st);
    if (!r)
        r = db_bind_all(st, "iti", after, realm, (int64_t)BACKFILL_BATCH);
    while (!r && (r = db_step(st)) == DB_ROW) {
        struct backfill_row *row = &rows[*n];
        const char *sealed = db_col_text(st, 2);
        row->id = db_col_int64(st, 0);
        snprintf(row->username, sizeof(row->username), "%s", db_col_text(st, 1));
        row->sealed = sealed ? strdup(sealed) : NULL;
        if (sealed && !row->sealed) {
            r = SB_ENOMEM;
            break;
        }
        (*n)++;
        r = 0;
    }
    db_finalize(st);
    return r == DB_DONE ? 0 : r;
}

/* Brings one agent up to date. *changed is incremented when a row was written. */
static int backfill_one(struct db *db, const struct backfill_row *row, const char *realm,
                        int64_t now_ms, int *changed)
{
    char secret[SIP_SECRET_BUF_SZ], md5[SIP_MD5_HEX_LEN + 1];
    char *sealed = NULL;
    int64_t changes = 0;
    int r;
    if (!row->sealed) {
        sip_secret_generate(secret);
        r = sip_md5_cred(row->username, realm, secret, md5);
        if (!r)
            r = seal_encrypt(secret, SIP_SECRET_LEN, &sealed);
        /* Only if still without one: a concurrent run may have just given it a secret. */
        if (!r)
            r = db_execf(db, &changes,
                         "UPDATE agents SET sip_secret = ?, md5_cred = ?, sip_realm = ?, "
                         "sip_secret_changed_at = ? WHERE staff_id = ? AND sip_secret IS NULL",
                         "tttii", sealed, md5, realm, now_ms, row->id);
    } else {
        r = open_secret(row->sealed, secret);
        if (r) {
            log_error("agent %lld: its SIP secret does not open with this key file; rotate it "
                      "(POST /api/v1/agents/%lld/sip-secret)",
                      (long long)row->id, (long long)row->id);
            sodium_memzero(secret, sizeof(secret));
            return 0;
        }
        r = sip_md5_cred(row->username, realm, secret, md5);
        if (!r)
            r = db_execf(db, &changes,
                         "UPDATE agents SET md5_cred = ?, sip_realm = ? WHERE staff_id = ? AND "
                         "sip_secret = ?",
                         "ttit", md5, realm, row->id, row->sealed);
    }
    sodium_memzero(secret, sizeof(secret));
    free(sealed);
    if (!r && changes > 0)
        (*changed)++;
    return r;
}

int sip_secret_backfill(struct db *db, const char *realm, int64_t now_ms, int *changed)
{
    struct backfill_row *rows = calloc(BACKFILL_BATCH, sizeof(*rows));
    int count = 0, r = rows ? 0 : SB_ENOMEM;
    int64_t after = 0;
    while (!r) {
        int n = 0;
        r = backfill_fetch(db, realm, after, rows, &n);
        for (int i = 0; i < n; i++) {
            if (!r)
                r = backfill_one(db, &rows[i], realm, now_ms, &count);
            after = rows[i].id;
            free(rows[i].sealed);
            rows[i].sealed = NULL;
        }
        if (n < BACKFILL_BATCH)
            break;
    }
    free(rows);
    if (changed)
        *changed = count;
    return r;
}

int sip_secret_reveal(struct db *db, int64_t staff_id, char secret[SIP_SECRET_BUF_SZ],
                      char realm[SIP_REALM_MAX + 1])
{
    struct db_stmt *st = NULL;
    int r = db_prepare(db,
                       "SELECT g.sip_secret, g.sip_realm FROM agents g JOIN staff s ON s.id = "
                       "g.staff_id WHERE g.staff_id = ? AND s.deleted_at IS NULL",
                       &st);
    if (!r)
        r = db_bind_int64(st, 1, staff_id);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        const char *sealed = db_col_text(st, 0), *rl = db_col_text(st, 1);
        if (!sealed || !rl)
            r = SB_ENOTFOUND;
        else if (strlen(rl) > SIP_REALM_MAX)
            r = SB_EINVAL;
        else
            r = open_secret(sealed, secret);
        if (!r)
            snprintf(realm, SIP_REALM_MAX + 1, "%s", rl);
    } else if (r == DB_DONE) {
        r = SB_ENOTFOUND;
    }
    db_finalize(st);
    return r;
}
