#include "channels/sms/sms_accounts.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/session.h"
#include "channels/sms/sms_types.h"
#include "core/clock.h"
#include "channels/channel_account.h"
#include "core/err.h"
#include "core/json_fields.h"
#include "core/seal.h"
#include "db/db.h"

bool sms_domain_valid(const char *d)
{
    if (!d || strlen(d) > SMS_DOMAIN_MAX)
        return false;
    size_t skip = !strncmp(d, "https://", 8) ? 8 : !strncmp(d, "http://", 7) ? 7 : 0;
    if (!skip)
        return false;
    for (const unsigned char *p = (const unsigned char *)d; *p; p++)
        if (*p <= ' ' || *p == 0x7f || *p == '?' || *p == '#' || *p == '\\' || *p == '"' ||
            *p == '<' || *p == '>')
            return false;
    const char *a = d + skip;
    size_t alen = strcspn(a, "/");
    if (!alen || memchr(a, '@', alen) || a[0] == ':')
        return false;
    const char *colon = memchr(a, ':', alen);
    if (colon && a[0] != '[') {
        size_t pl = alen - (size_t)(colon - a) - 1;
        if (pl < 1 || pl > 5 || strspn(colon + 1, "0123456789") < pl)
            return false;
    }
    return true;
}

static void key_field(const json_t *body, const json_t *current, json_t *clean, json_t **errors)
{
    json_t *v = jf_pick(body, current, "key");
    const char *s = json_string_value(v);
    if (!v || json_is_null(v)) {
        jf_error(errors, "key", "is required");
        return;
    }
    size_t n = s ? strlen(s) : 0;
    bool ok = s && n >= 1 && n <= SMS_KEY_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = isalnum((unsigned char)s[i]) && (unsigned char)s[i] < 0x80;
    if (!ok)
        jf_error(errors, "key", "must be 1 to 5 letters or digits");
    else
        json_object_set(clean, "key", v);
}

static int list_field(struct db *db, const json_t *body, const json_t *current, json_t *clean,
                      json_t **errors)
{
    json_t *v = jf_pick(body, current, "list_id");
    int64_t list = 0;
    if (v && !json_is_null(v)) {
        if (!json_is_integer(v) || json_integer_value(v) < 1) {
            jf_error(errors, "list_id", "must be the id of a contact list");
            return 0;
        }
        list = json_integer_value(v);
    }
    int64_t found = 0;
    int r =
        list ? db_query_int64(db, "SELECT id FROM contact_lists WHERE id = ?", &found, 1, list)
             : db_query_int64(db, "SELECT id FROM contact_lists WHERE name = 'Default'", &found, 0);
    if (r)
        return r;
    if (!found)
        jf_error(errors, "list_id", "no such contact list");
    json_object_set_new(clean, "list_id", json_integer(found));
    return 0;
}

int sms_account_validate(struct db *db, const json_t *body, const json_t *current,
                         const char *default_domain, json_t **clean, json_t **errors)
{
    *errors = NULL;
    *clean = json_object();
    if (!*clean)
        return SB_ENOMEM;
    static const char *const known[] = {"name",
                                        "key",
                                        "domain",
                                        "list_id",
                                        "phone",
                                        "description",
                                        "type",
                                        "credentials",
                                        "wait_agent",
                                        "wait_queue",
                                        "transfer_enabled",
                                        "transfer_timeout",
                                        "mandatory_disposition",
                                        "disposition_pause"};
    static const char *const read_only[] = {"id",     "proxy_token",  "receive_url", "status_url",
                                            "agents", "inbound_auth", "created_at",  "updated_at"};
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)body, k, v)
    {
        bool ok = false, ro = false;
        for (size_t i = 0; i < sizeof(known) / sizeof(*known); i++)
            ok = ok || !strcmp(k, known[i]);
        for (size_t i = 0; i < sizeof(read_only) / sizeof(*read_only); i++)
            ro = ro || !strcmp(k, read_only[i]);
        if (!ok)
            jf_error(errors, k, ro ? "is read-only" : "is not a field of an SMS account");
    }
    jf_text(body, current, *clean, "name", SMS_NAME_MAX, true, errors);
    key_field(body, current, *clean, errors);
    jf_text(body, current, *clean, "description", SMS_TEXT_MAX, false, errors);

    v = jf_pick(body, current, "domain");
    if (!v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v))) {
        char d[SMS_DOMAIN_MAX + 1];
        snprintf(d, sizeof(d), "%s", default_domain ? default_domain : "");
        size_t n = strlen(d);
        while (n && d[n - 1] == '/')
            d[--n] = 0;
        if (!sms_domain_valid(d))
            jf_error(errors, "domain", "is required (the server has no valid http.public_url)");
        else
            json_object_set_new(*clean, "domain", json_string(d));
    } else if (!json_is_string(v) || !sms_domain_valid(json_string_value(v))) {
        jf_error(errors, "domain",
                 "must be an http:// or https:// base URL of at most 255 characters (no user, "
                 "query or fragment)");
    } else {
        char d[SMS_DOMAIN_MAX + 1];
        snprintf(d, sizeof(d), "%s", json_string_value(v));
        size_t n = strlen(d);
        while (n > 8 && d[n - 1] == '/')
            d[--n] = 0;
        json_object_set_new(*clean, "domain", json_string(d));
    }

    v = jf_pick(body, current, "type");
    const char *type = json_string_value(v);
    if (!v || json_is_null(v)) {
        jf_error(errors, "type", "is required");
        type = NULL;
    } else if (!sms_type_valid(type)) {
        jf_error(errors, "type",
                 "must be twilio, skebby, connectel, clicksend, plivo, clickatell, csctelecom, "
                 "infobip, intelepeer, bandwidth or telnyx");
        type = NULL;
    } else {
        json_object_set(*clean, "type", v);
    }

    v = jf_pick(body, current, "phone");
    if (!v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v))) {
        if (type && sms_type_needs_phone(type))
            jf_error(errors, "phone", "is required for this type");
        json_object_set_new(*clean, "phone", json_null());
    } else if (!sms_phone_valid(json_string_value(v))) {
        jf_error(errors, "phone",
                 "must be an E.164 number (+ and 3 to 15 digits) or a short code like 1-12345");
    } else {
        json_object_set(*clean, "phone", v);
    }

    if (type) {
        const char *cur_type = json_string_value(json_object_get(current, "type"));
        const json_t *cur_creds =
            cur_type && !strcmp(cur_type, type) ? json_object_get(current, "credentials") : NULL;
        json_t *given = json_object_get(body, "credentials");
        if (!*errors)
            *errors = json_array();
        json_t *creds = NULL;
        int r = sms_credentials_validate(type, given, cur_creds, &creds, *errors);
        if (r == SB_ENOMEM) {
            json_decref(*clean);
            json_decref(*errors);
            *clean = *errors = NULL;
            return r;
        }
        if (!r)
            json_object_set_new(*clean, "credentials", creds);
        if (!json_array_size(*errors)) {
            json_decref(*errors);
            *errors = NULL;
        }
    }

    jf_int(body, current, *clean, "wait_agent", 10, 1, SMS_WAIT_MAX, errors);
    jf_int(body, current, *clean, "wait_queue", 10, 1, SMS_WAIT_MAX, errors);
    jf_int(body, current, *clean, "transfer_timeout", 60, 1, SMS_WAIT_MAX, errors);
    jf_bool(body, current, *clean, "transfer_enabled", errors);
    jf_bool(body, current, *clean, "mandatory_disposition", errors);
    jf_text(body, current, *clean, "disposition_pause", SMS_PAUSE_MAX, false, errors);

    int r = list_field(db, body, current, *clean, errors);
    return jf_finish(r, clean, errors);
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

/* Seals the clean credentials into *out (free()). */
static int seal_credentials(const json_t *clean, char **out)
{
    char *text = json_dumps(json_object_get(clean, "credentials"), JSON_COMPACT | JSON_SORT_KEYS);
    if (!text)
        return SB_ENOMEM;
    int r = seal_encrypt(text, strlen(text), out);
    sodium_memzero(text, strlen(text));
    free(text);
    return r;
}

/* A fresh proxy token, sealed into *sealed (free()). */
static int new_token(char **sealed)
{
    unsigned char b[32];
    char token[SMS_TOKEN_LEN + 1];
    randombytes_buf(b, sizeof(b));
    memcpy(token, "smt_", 4);
    sodium_bin2base64(token + 4, SMS_TOKEN_LEN - 4 + 1, b, sizeof(b),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    int r = seal_encrypt(token, strlen(token), sealed);
    sodium_memzero(b, sizeof(b));
    sodium_memzero(token, sizeof(token));
    return r;
}

int sms_account_create(struct db *db, const json_t *c, int64_t now, int64_t *id_out)
{
    int64_t count = 0;
    int r = db_query_int64(db, "SELECT COUNT(*) FROM sms_accounts", &count, 0);
    if (r)
        return r;
    if (count >= SMS_ACCOUNT_MAX)
        return SB_ETOOBIG;
    char *creds = NULL, *token = NULL;
    r = seal_credentials(c, &creds);
    if (!r)
        r = new_token(&token);
    struct db_stmt *st = NULL;
    if (!r)
        r = db_prepare(db,
                       "INSERT INTO sms_accounts (name, account_key, domain, list_id, phone, "
                       "description, type, credentials, proxy_token, wait_agent, wait_queue, "
                       "transfer_enabled, transfer_timeout, mandatory_disposition, "
                       "disposition_pause, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, "
                       "?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                       &st);
    if (!r)
        r = db_bind_all(st, "tttitttttiiiiitii", str(c, "name"), str(c, "key"), str(c, "domain"),
                        num(c, "list_id"), str(c, "phone"), str(c, "description"), str(c, "type"),
                        creds, token, num(c, "wait_agent"), num(c, "wait_queue"),
                        num(c, "transfer_enabled"), num(c, "transfer_timeout"),
                        num(c, "mandatory_disposition"), str(c, "disposition_pause"), now, now);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        *id_out = db_col_int64(st, 0);
        r = 0;
    } else if (r == DB_DONE) {
        r = SB_EINTERNAL;
    }
    db_finalize(st);
    free(creds);
    free(token);
    return r;
}

int sms_account_update(struct db *db, int64_t id, const json_t *c, int64_t now)
{
    char *creds = NULL;
    int r = seal_credentials(c, &creds);
    int64_t changed = 0;
    if (!r)
        r = db_execf(db, &changed,
                     "UPDATE sms_accounts SET name = ?, account_key = ?, domain = ?, list_id = ?, "
                     "phone = ?, description = ?, type = ?, credentials = ?, wait_agent = ?, "
                     "wait_queue = ?, transfer_enabled = ?, transfer_timeout = ?, "
                     "mandatory_disposition = ?, disposition_pause = ?, updated_at = ? WHERE id "
                     "= ?",
                     "tttittttiiiiitii", str(c, "name"), str(c, "key"), str(c, "domain"),
                     num(c, "list_id"), str(c, "phone"), str(c, "description"), str(c, "type"),
                     creds, num(c, "wait_agent"), num(c, "wait_queue"), num(c, "transfer_enabled"),
                     num(c, "transfer_timeout"), num(c, "mandatory_disposition"),
                     str(c, "disposition_pause"), now, id);
    free(creds);
    return r ? r : changed ? 0 : SB_ENOTFOUND;
}

int sms_account_taken(struct db *db, const json_t *c, int64_t except, const char **field)
{
    *field = "name";
    struct db_stmt *st = NULL;
    int r = db_prepare(db,
                       "SELECT SUM(CASE WHEN name = ? THEN 1 ELSE 0 END), SUM(CASE WHEN "
                       "lower(account_key) = lower(?) THEN 1 ELSE 0 END) FROM sms_accounts "
                       "WHERE id <> ?",
                       &st);
    if (!r)
        r = db_bind_all(st, "tti", str(c, "name"), str(c, "key"), except);
    if (!r && (r = db_step(st)) == DB_ROW) {
        if (db_col_int64(st, 0) == 0 && db_col_int64(st, 1) > 0)
            *field = "key";
        r = 0;
    } else if (r == DB_DONE) {
        r = 0;
    }
    db_finalize(st);
    return r;
}

#define SMS_COLUMNS                                                                                \
    "id, name, account_key, domain, list_id, phone, description, type, credentials, "              \
    "proxy_token, wait_agent, wait_queue, transfer_enabled, transfer_timeout, "                    \
    "mandatory_disposition, disposition_pause, created_at, updated_at"

/* Opens sealed text into a new string (NULL when it does not open). */
static char *open_text(const char *sealed)
{
    void *plain = NULL;
    size_t len = 0;
    if (!sealed || seal_decrypt(sealed, &plain, &len))
        return NULL;
    return plain; /* NUL-terminated by seal_decrypt */
}

static void free_secret(char *s)
{
    if (s) {
        sodium_memzero(s, strlen(s));
        free(s);
    }
}

static json_t *open_credentials(const char *sealed)
{
    char *text = open_text(sealed);
    json_t *creds = text ? json_loads(text, 0, NULL) : NULL;
    free_secret(text);
    if (!json_is_object(creds)) {
        json_decref(creds);
        creds = json_object();
    }
    return creds;
}

/* The private form of the current row (credentials in clear). */
static json_t *row_private(struct db_stmt *st)
{
    json_t *creds = open_credentials(db_col_text(st, 8));
    return json_pack("{s:I, s:s, s:s, s:s, s:I, s:s?, s:s?, s:s, s:o, s:i, s:i, s:b, s:i, s:b, "
                     "s:s?}",
                     "id", (json_int_t)db_col_int64(st, 0), "name", db_col_text(st, 1), "key",
                     db_col_text(st, 2), "domain", db_col_text(st, 3), "list_id",
                     (json_int_t)db_col_int64(st, 4), "phone", db_col_text(st, 5), "description",
                     db_col_text(st, 6), "type", db_col_text(st, 7), "credentials", creds,
                     "wait_agent", (int)db_col_int64(st, 10), "wait_queue",
                     (int)db_col_int64(st, 11), "transfer_enabled", (int)db_col_int64(st, 12),
                     "transfer_timeout", (int)db_col_int64(st, 13), "mandatory_disposition",
                     (int)db_col_int64(st, 14), "disposition_pause", db_col_text(st, 15));
}

/* The public form of the current row. */
static json_t *row_public(struct db_stmt *st)
{
    json_t *out = row_private(st);
    if (!out)
        return NULL;
    int64_t id = db_col_int64(st, 0);
    const char *type = db_col_text(st, 7), *domain = db_col_text(st, 3);
    json_t *creds = json_object_get(out, "credentials");
    char *token = open_text(db_col_text(st, 9));
    enum sms_inbound_auth auth = sms_type_inbound_auth(type);
    char receive[600], status[700], query[80] = "", created[32], updated[32];
    if (auth == SMS_AUTH_TOKEN && token)
        snprintf(query, sizeof(query), "?token=%s", token);
    snprintf(receive, sizeof(receive), "%s/api/sms/accounts/%lld/receive%s", domain, (long long)id,
             query);
    if (!strcmp(type, "csctelecom"))
        snprintf(status, sizeof(status),
                 "%s/api/sms/accounts/%lld/status%s%smessage_id=<Message-Id>&state=<State>", domain,
                 (long long)id, query, *query ? "&" : "?");
    else
        snprintf(status, sizeof(status), "%s/api/sms/accounts/%lld/status%s", domain, (long long)id,
                 query);
    bool has_status = sms_type_has_status_url(type, creds);
    json_object_set_new(out, "credentials", sms_credentials_public(type, creds));
    json_object_set_new(out, "proxy_token", token ? json_string(token) : json_null());
    json_object_set_new(out, "inbound_auth", json_string(sms_inbound_auth_name(auth)));
    json_object_set_new(out, "receive_url", json_string(receive));
    json_object_set_new(out, "status_url", has_status ? json_string(status) : json_null());
    json_object_set_new(out, "agents", json_array());
    json_object_set_new(out, "created_at",
                        json_string(clock_iso8601(db_col_int64(st, 16), created)));
    json_object_set_new(out, "updated_at",
                        json_string(clock_iso8601(db_col_int64(st, 17), updated)));
    free_secret(token);
    sodium_memzero(receive, sizeof(receive));
    sodium_memzero(status, sizeof(status));
    sodium_memzero(query, sizeof(query));
    return out;
}

static int load_agents(struct db *db, json_t *acc)
{
    struct db_stmt *st = NULL;
    json_t *agents = json_object_get(acc, "agents");
    int r = db_prepare(db,
                       "SELECT a.staff_id FROM sms_account_agents a JOIN staff s ON s.id = "
                       "a.staff_id WHERE a.account_id = ? AND s.deleted_at IS NULL ORDER BY "
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

static int get_row(struct db *db, int64_t id, bool public, json_t **out)
{
    *out = NULL;
    struct db_stmt *st = NULL;
    int r = db_prepare(db, "SELECT " SMS_COLUMNS " FROM sms_accounts WHERE id = ?", &st);
    if (!r)
        r = db_bind_int64(st, 1, id);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        *out = public ? row_public(st) : row_private(st);
        r = *out ? 0 : SB_ENOMEM;
    } else if (r == DB_DONE) {
        r = SB_ENOTFOUND;
    }
    db_finalize(st);
    if (!r && public)
        r = load_agents(db, *out);
    if (r) {
        json_decref(*out);
        *out = NULL;
    }
    return r;
}

int sms_account_get(struct db *db, int64_t id, json_t **out)
{
    return get_row(db, id, true, out);
}

int sms_account_get_private(struct db *db, int64_t id, json_t **out)
{
    return get_row(db, id, false, out);
}

int sms_account_credentials(struct db *db, int64_t id, char type[16], json_t **creds)
{
    *creds = NULL;
    type[0] = 0;
    struct db_stmt *st = NULL;
    int r = db_prepare(db, "SELECT type, credentials FROM sms_accounts WHERE id = ?", &st);
    if (!r)
        r = db_bind_int64(st, 1, id);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        snprintf(type, 16, "%s", db_col_text(st, 0));
        char *text = open_text(db_col_text(st, 1));
        *creds = text ? json_loads(text, 0, NULL) : NULL;
        free_secret(text);
        r = json_is_object(*creds) ? 0 : SB_EINVAL;
    } else if (r == DB_DONE) {
        r = SB_ENOTFOUND;
    }
    db_finalize(st);
    if (r) {
        json_decref(*creds);
        *creds = NULL;
    }
    return r;
}

/* `q` as a LIKE pattern matching it anywhere, with %, _ and \ escaped (ESCAPE '\'). */
static void like_pattern(const char *q, char *out, size_t cap)
{
    size_t o = 0;
    if (cap < 4)
        return;
    out[o++] = '%';
    for (; q && *q && o + 3 < cap; q++) {
        if (*q == '%' || *q == '_' || *q == '\\')
            out[o++] = '\\';
        out[o++] = *q;
    }
    out[o++] = '%';
    out[o] = 0;
}

int sms_account_list(struct db *db, const char *q, const char *type, int64_t limit, int64_t offset,
                     json_t **items, int64_t *total)
{
    *items = json_array();
    *total = 0;
    char like[300];
    like_pattern(q, like, sizeof(like));
    static const char where[] = " FROM sms_accounts WHERE (lower(name) LIKE lower(?) ESCAPE '\\' "
                                "OR lower(account_key) LIKE lower(?) ESCAPE '\\') AND (? = '' OR "
                                "type = ?)";
    struct db_stmt *st = NULL;
    char sql[600];
    snprintf(sql, sizeof(sql), "SELECT COUNT(*)%s", where);
    int r = db_prepare(db, sql, &st);
    if (!r)
        r = db_bind_all(st, "tttt", like, like, type ? type : "", type ? type : "");
    if (!r && (r = db_step(st)) == DB_ROW) {
        *total = db_col_int64(st, 0);
        r = 0;
    }
    db_finalize(st);
    st = NULL;
    snprintf(sql, sizeof(sql), "SELECT " SMS_COLUMNS "%s ORDER BY name LIMIT ? OFFSET ?", where);
    if (!r)
        r = db_prepare(db, sql, &st);
    if (!r)
        r = db_bind_all(st, "ttttii", like, like, type ? type : "", type ? type : "", limit,
                        offset);
    while (!r && (r = db_step(st)) == DB_ROW) {
        json_t *acc = row_public(st);
        r = acc ? 0 : SB_ENOMEM;
        json_array_append_new(*items, acc);
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

int sms_account_delete(struct db *db, int64_t id)
{
    int64_t changed = 0;
    int r = db_begin(db);
    if (!r)
        r = db_execf(db, NULL, "DELETE FROM flows WHERE channel = 'sms' AND account_id = ?", "i",
                     id);
    if (!r)
        r = db_execf(db, NULL,
                     "DELETE FROM dispositions WHERE scope = 'account' AND channel = 'sms' AND "
                     "account_id = ?",
                     "i", id);
    if (!r)
        r = db_execf(db, NULL,
                     "DELETE FROM canned_answers WHERE channel = 'sms' AND account_id = ?", "i",
                     id);
    if (!r)
        r = db_execf(db, &changed, "DELETE FROM sms_accounts WHERE id = ?", "i", id);
    if (!r && !changed)
        r = SB_ENOTFOUND;
    if (!r)
        r = db_commit(db);
    if (r)
        db_rollback(db);
    return r;
}

int sms_account_new_token(struct db *db, int64_t id, int64_t now)
{
    char *token = NULL;
    int r = new_token(&token);
    int64_t changed = 0;
    if (!r)
        r = db_execf(db, &changed,
                     "UPDATE sms_accounts SET proxy_token = ?, updated_at = ? WHERE id = ?", "tii",
                     token, now, id);
    free(token);
    return r ? r : changed ? 0 : SB_ENOTFOUND;
}

int sms_account_check_token(struct db *db, int64_t id, const char *token)
{
    char given[65], stored[65] = "";
    /* Hash whatever arrived so the time does not depend on its shape. */
    session_hash(token ? token : "", given);
    struct db_stmt *st = NULL;
    int r = db_prepare(db, "SELECT proxy_token FROM sms_accounts WHERE id = ?", &st);
    if (!r)
        r = db_bind_int64(st, 1, id);
    if (!r && db_step(st) == DB_ROW) {
        char *plain = open_text(db_col_text(st, 0));
        if (plain)
            session_hash(plain, stored);
        free_secret(plain);
    }
    db_finalize(st);
    if (r)
        return r;
    if (strlen(stored) != 64 || sodium_memcmp(given, stored, 64))
        return SB_EAUTH;
    return 0;
}

int sms_account_set_agents(struct db *db, int64_t id, const json_t *ids, size_t *bad)
{
    return channel_account_set_agents(db, "sms", id, ids, bad);
}

int sms_account_has_agent(struct db *db, int64_t id, int64_t staff_id, bool *member)
{
    int64_t n = 0;
    int r = db_query_int64(db,
                           "SELECT COUNT(*) FROM sms_account_agents WHERE account_id = ? AND "
                           "staff_id = ?",
                           &n, 2, id, staff_id);
    *member = !r && n > 0;
    return r;
}
