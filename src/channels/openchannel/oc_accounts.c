#include "channels/openchannel/oc_accounts.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth/session.h"
#include "core/clock.h"
#include "channels/channel_account.h"
#include "core/err.h"
#include "core/json_fields.h"
#include "db/db.h"

#define OC_NAME_MAX 128
#define OC_TEXT_MAX 1024

static bool url_ok(const char *s)
{
    if (strncmp(s, "http://", 7) && strncmp(s, "https://", 8))
        return false;
    const char *host = s + (s[4] == 's' ? 8 : 7);
    if (!*host || *host == '/')
        return false;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            return false;
    return true;
}

int oc_account_validate(struct db *db, const json_t *body, const json_t *current, json_t **clean,
                        json_t **errors)
{
    *errors = NULL;
    *clean = json_object();
    if (!*clean)
        return SB_ENOMEM;
    static const char *const known[] = {
        "name",         "description", "key",        "list_id",          "reply_url",
        "reply_method", "wait_agent",  "wait_queue", "transfer_enabled", "transfer_timeout"};
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)body, k, v)
    {
        bool ok = false;
        for (size_t i = 0; i < sizeof(known) / sizeof(*known); i++)
            ok = ok || !strcmp(k, known[i]);
        if (!ok)
            jf_error(errors, k, "is not a field of an Open Channel account");
    }
    jf_text(body, current, *clean, "name", OC_NAME_MAX, true, errors);
    jf_text(body, current, *clean, "description", OC_TEXT_MAX, false, errors);
    jf_text(body, current, *clean, "key", 255, false, errors);
    jf_text(body, current, *clean, "reply_url", OC_TEXT_MAX, false, errors);
    const char *url = json_string_value(json_object_get(*clean, "reply_url"));
    if (url && *url && !url_ok(url))
        jf_error(errors, "reply_url", "must be an http:// or https:// URL");
    v = jf_pick(body, current, "reply_method");
    if (!v)
        json_object_set_new(*clean, "reply_method", json_string("POST"));
    else if (!json_is_string(v) ||
             (strcmp(json_string_value(v), "POST") && strcmp(json_string_value(v), "PUT")))
        jf_error(errors, "reply_method", "must be POST or PUT");
    else
        json_object_set(*clean, "reply_method", v);
    jf_int(body, current, *clean, "wait_agent", 10, 1, OC_WAIT_MAX, errors);
    jf_int(body, current, *clean, "wait_queue", 10, 1, OC_WAIT_MAX, errors);
    jf_int(body, current, *clean, "transfer_timeout", 60, 1, OC_WAIT_MAX, errors);
    jf_bool(body, current, *clean, "transfer_enabled", errors);
    v = jf_pick(body, current, "list_id");
    int64_t list = 0;
    if (v && !json_is_null(v)) {
        if (!json_is_integer(v) || json_integer_value(v) < 1)
            jf_error(errors, "list_id", "must be the id of a contact list");
        else
            list = json_integer_value(v);
    }
    if (!list || json_is_integer(v)) {
        int64_t found = 0;
        int r =
            list ? db_query_int64(db, "SELECT id FROM contact_lists WHERE id = ?", &found, 1, list)
                 : db_query_int64(db, "SELECT id FROM contact_lists WHERE name = 'Default'", &found,
                                  0);
        if (r) {
            json_decref(*clean);
            json_decref(*errors);
            *clean = *errors = NULL;
            return r;
        }
        if (!found)
            jf_error(errors, "list_id", "no such contact list");
        json_object_set_new(*clean, "list_id", json_integer(found));
    }
    if (*errors) {
        json_decref(*clean);
        *clean = NULL;
        return SB_EINVALID;
    }
    return 0;
}

static void new_token(char token[OC_TOKEN_LEN + 1], char hash[65])
{
    unsigned char b[32];
    randombytes_buf(b, sizeof(b));
    memcpy(token, "oct_", 4);
    sodium_bin2base64(token + 4, OC_TOKEN_LEN - 4 + 1, b, sizeof(b),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(b, sizeof(b));
    session_hash(token, hash);
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static int64_t num(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_boolean(v) ? (int64_t)json_is_true(v) : (int64_t)json_integer_value(v);
}

int oc_account_create(struct db *db, const json_t *c, int64_t now, int64_t *id_out,
                      char token[OC_TOKEN_LEN + 1])
{
    char hash[65];
    new_token(token, hash);
    struct db_stmt *st = NULL;
    int r = db_prepare(db,
                       "INSERT INTO openchannel_accounts (name, description, account_key, "
                       "list_id, reply_url, reply_method, token_hash, wait_agent, wait_queue, "
                       "transfer_enabled, transfer_timeout, created_at, updated_at) VALUES (?, "
                       "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                       &st);
    if (!r)
        r = db_bind_all(st, "tttitttiiiiii", str(c, "name"), str(c, "description"), str(c, "key"),
                        num(c, "list_id"), str(c, "reply_url"), str(c, "reply_method"), hash,
                        num(c, "wait_agent"), num(c, "wait_queue"), num(c, "transfer_enabled"),
                        num(c, "transfer_timeout"), now, now);
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

int oc_account_update(struct db *db, int64_t id, const json_t *c, int64_t now)
{
    int64_t changed = 0;
    int r = db_execf(db, &changed,
                     "UPDATE openchannel_accounts SET name = ?, description = ?, account_key = ?, "
                     "list_id = ?, reply_url = ?, reply_method = ?, wait_agent = ?, wait_queue = "
                     "?, transfer_enabled = ?, transfer_timeout = ?, updated_at = ? WHERE id = ?",
                     "tttittiiiiii", str(c, "name"), str(c, "description"), str(c, "key"),
                     num(c, "list_id"), str(c, "reply_url"), str(c, "reply_method"),
                     num(c, "wait_agent"), num(c, "wait_queue"), num(c, "transfer_enabled"),
                     num(c, "transfer_timeout"), now, id);
    return r ? r : changed ? 0 : SB_ENOTFOUND;
}

static json_t *row_json(struct db_stmt *st)
{
    char created[32], updated[32], path[96];
    int64_t id = db_col_int64(st, 0);
    snprintf(path, sizeof(path), "/api/openchannel/accounts/%lld/notify", (long long)id);
    return json_pack(
        "{s:I, s:s, s:s?, s:s?, s:I, s:s?, s:s, s:i, s:i, s:b, s:i, s:s, s:s, "
        "s:s, s:o}",
        "id", (json_int_t)id, "name", db_col_text(st, 1), "description", db_col_text(st, 2), "key",
        db_col_text(st, 3), "list_id", (json_int_t)db_col_int64(st, 4), "reply_url",
        db_col_text(st, 5), "reply_method", db_col_text(st, 6), "wait_agent",
        (int)db_col_int64(st, 7), "wait_queue", (int)db_col_int64(st, 8), "transfer_enabled",
        (int)db_col_int64(st, 9), "transfer_timeout", (int)db_col_int64(st, 10), "created_at",
        clock_iso8601(db_col_int64(st, 11), created), "updated_at",
        clock_iso8601(db_col_int64(st, 12), updated), "notify_path", path, "agents", json_array());
}

#define OC_COLUMNS                                                                                 \
    "id, name, description, account_key, list_id, reply_url, reply_method, wait_agent, "           \
    "wait_queue, transfer_enabled, transfer_timeout, created_at, updated_at"

static int load_agents(struct db *db, json_t *acc)
{
    struct db_stmt *st = NULL;
    json_t *agents = json_object_get(acc, "agents");
    int r = db_prepare(db,
                       "SELECT a.staff_id FROM openchannel_account_agents a JOIN staff s ON s.id "
                       "= a.staff_id WHERE a.account_id = ? AND s.deleted_at IS NULL ORDER BY "
                       "a.staff_id",
                       &st);
    if (!r)
        r = db_bind_int64(st, 1, json_integer_value(json_object_get(acc, "id")));
    while (!r && (r = db_step(st)) == DB_ROW) {
        json_array_append_new(agents, json_integer(db_col_int64(st, 0)));
        r = 0;
    }
    db_finalize(st);
    return r < 0 ? r : 0;
}

int oc_account_get(struct db *db, int64_t id, json_t **out)
{
    *out = NULL;
    struct db_stmt *st = NULL;
    int r = db_prepare(db, "SELECT " OC_COLUMNS " FROM openchannel_accounts WHERE id = ?", &st);
    if (!r)
        r = db_bind_int64(st, 1, id);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        *out = row_json(st);
        r = *out ? 0 : SB_ENOMEM;
    } else if (r == DB_DONE) {
        r = SB_ENOTFOUND;
    }
    db_finalize(st);
    if (!r)
        r = load_agents(db, *out);
    if (r) {
        json_decref(*out);
        *out = NULL;
    }
    return r;
}

int oc_account_list(struct db *db, const char *q, int64_t limit, int64_t offset, json_t **items,
                    int64_t *total)
{
    *items = json_array();
    char like[140];
    snprintf(like, sizeof(like), "%%%s%%", q ? q : "");
    int r = db_query_int64(db, "SELECT COUNT(*) FROM openchannel_accounts", total, 0);
    if (q && !r) {
        struct db_stmt *c = NULL;
        r = db_prepare(db, "SELECT COUNT(*) FROM openchannel_accounts WHERE name LIKE ?", &c);
        if (!r)
            r = db_bind_text(c, 1, like, -1);
        if (!r && db_step(c) == DB_ROW)
            *total = db_col_int64(c, 0);
        db_finalize(c);
    }
    struct db_stmt *st = NULL;
    if (!r)
        r = db_prepare(db,
                       "SELECT " OC_COLUMNS " FROM openchannel_accounts WHERE name LIKE ? ORDER "
                       "BY name LIMIT ? OFFSET ?",
                       &st);
    if (!r)
        r = db_bind_all(st, "tii", like, limit, offset);
    while (!r && (r = db_step(st)) == DB_ROW) {
        json_array_append_new(*items, row_json(st));
        r = 0;
    }
    db_finalize(st);
    size_t i;
    json_t *acc;
    json_array_foreach(*items, i, acc) if (r >= 0) r = load_agents(db, acc);
    if (r < 0) {
        json_decref(*items);
        *items = NULL;
        return r;
    }
    return 0;
}

int oc_account_delete(struct db *db, int64_t id)
{
    int64_t changed = 0;
    int r = db_begin(db);
    if (!r)
        r = db_execf(db, NULL, "DELETE FROM flows WHERE channel = 'openchannel' AND account_id = ?",
                     "i", id);
    /* The account's dispositions and canned answers (interactions/dispositions.h, canned.h). */
    if (!r)
        r = db_execf(db, NULL,
                     "DELETE FROM dispositions WHERE scope = 'account' AND channel = "
                     "'openchannel' AND account_id = ?",
                     "i", id);
    if (!r)
        r = db_execf(db, NULL,
                     "DELETE FROM canned_answers WHERE channel = 'openchannel' AND account_id = ?",
                     "i", id);
    if (!r)
        r = db_execf(db, &changed, "DELETE FROM openchannel_accounts WHERE id = ?", "i", id);
    if (!r && !changed)
        r = SB_ENOTFOUND;
    if (!r)
        r = db_commit(db);
    if (r)
        db_rollback(db);
    return r;
}

int oc_account_new_token(struct db *db, int64_t id, int64_t now, char token[OC_TOKEN_LEN + 1])
{
    char hash[65];
    new_token(token, hash);
    int64_t changed = 0;
    int r = db_execf(db, &changed,
                     "UPDATE openchannel_accounts SET token_hash = ?, updated_at = ? WHERE id = ?",
                     "tii", hash, now, id);
    return r ? r : changed ? 0 : SB_ENOTFOUND;
}

int oc_account_check_token(struct db *db, int64_t id, const char *token)
{
    char given[65], stored[65] = "";
    /* Hash whatever arrived so the time does not depend on its shape. */
    session_hash(token ? token : "", given);
    struct db_stmt *st = NULL;
    int r = db_prepare(db, "SELECT token_hash FROM openchannel_accounts WHERE id = ?", &st);
    if (!r)
        r = db_bind_int64(st, 1, id);
    if (!r && db_step(st) == DB_ROW)
        snprintf(stored, sizeof(stored), "%s", db_col_text(st, 0));
    db_finalize(st);
    if (r)
        return r;
    if (strlen(stored) != 64 || sodium_memcmp(given, stored, 64))
        return SB_EAUTH;
    return 0;
}

int oc_account_set_agents(struct db *db, int64_t id, const json_t *ids, size_t *bad)
{
    return channel_account_set_agents(db, "openchannel", id, ids, bad);
}
