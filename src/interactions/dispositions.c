#include "interactions/dispositions.h"

#include <stdio.h>
#include <string.h>

#include "channels/channel_account.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/json_fields.h"
#include "db/db.h"

static void add_error(json_t **errors, const char *field, const char *message)
{
    if (!*errors)
        *errors = json_array();
    json_array_append_new(*errors, json_pack("{s:s, s:s}", "field", field, "message", message));
}

static bool plain_text(const char *s, size_t min, size_t max)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return false;
        n += (*p & 0xc0) != 0x80;
    }
    return n >= min && n <= max;
}

static const char *scopes[] = {"global", "account", "queue", "list"};

static bool scope_valid(const char *s)
{
    for (size_t i = 0; s && i < 4; i++)
        if (!strcmp(s, scopes[i]))
            return true;
    return false;
}

/* An id member: 0 when absent or null, -1 when not a positive integer. */
static int64_t id_of(const json_t *v)
{
    if (!v || json_is_null(v))
        return 0;
    return json_is_integer(v) && json_integer_value(v) > 0 ? json_integer_value(v) : -1;
}

/* The scope fields of a create without a parent: scope, channel, account_id, queue_id,
 * list_id, checked against the database. */
static int check_scope(struct db *db, const json_t *body, json_t *clean, json_t **errors)
{
    json_t *sv = json_object_get(body, "scope");
    const char *scope = sv && !json_is_null(sv) ? json_string_value(sv) : "global";
    if (!scope_valid(scope)) {
        add_error(errors, "scope", "must be global, account, queue or list");
        return 0;
    }
    json_object_set_new(clean, "scope", json_string(scope));
    json_t *ch = json_object_get(body, "channel");
    int64_t account = id_of(json_object_get(body, "account_id"));
    int64_t queue = id_of(json_object_get(body, "queue_id"));
    int64_t list = id_of(json_object_get(body, "list_id"));
    bool is_account = !strcmp(scope, "account"), is_queue = !strcmp(scope, "queue"),
         is_list = !strcmp(scope, "list");
    if (!is_account && ch && !json_is_null(ch))
        add_error(errors, "channel", "is only for scope account");
    if (!is_account && account)
        add_error(errors, "account_id", "is only for scope account");
    if (!is_queue && queue)
        add_error(errors, "queue_id", "is only for scope queue");
    if (!is_list && list)
        add_error(errors, "list_id", "is only for scope list");
    int r = 0;
    if (is_account) {
        const char *c = json_string_value(ch);
        bool ch_ok = c && (!strcmp(c, "sms") || !strcmp(c, "openchannel"));
        if (!ch_ok)
            add_error(errors, "channel", "must be sms or openchannel");
        if (account <= 0)
            add_error(errors, "account_id", "must be the id of an account");
        if (ch_ok && account > 0) {
            struct channel_account acc;
            r = channel_account_get(db, c, account, &acc);
            if (r == SB_ENOTFOUND) {
                add_error(errors, "account_id", "no such account");
                r = 0;
            }
        }
        json_object_set_new(clean, "channel", ch_ok ? json_string(c) : json_null());
        json_object_set_new(clean, "account_id", json_integer(account));
    }
    if (is_queue && !r) {
        int64_t found = 0;
        if (queue > 0)
            r = db_query_int64(db, "SELECT COUNT(*) FROM queues WHERE id = ?", &found, 1, queue);
        if (!r && !found)
            add_error(errors, "queue_id",
                      queue > 0 ? "no such queue" : "must be the id of a queue");
        json_object_set_new(clean, "queue_id", json_integer(queue));
    }
    if (is_list && !r) {
        int64_t found = 0;
        if (list > 0)
            r = db_query_int64(db, "SELECT COUNT(*) FROM contact_lists WHERE id = ?", &found, 1,
                               list);
        if (!r && !found)
            add_error(errors, "list_id",
                      list > 0 ? "no such contact list" : "must be the id of a contact list");
        json_object_set_new(clean, "list_id", json_integer(list));
    }
    return r;
}

/* A field of the body that must equal the stored/parent value when present. */
static void same_as(const json_t *body, const json_t *ref, const char *k, const char *message,
                    json_t **errors)
{
    json_t *v = json_object_get(body, k);
    if (!v)
        return;
    json_t *want = json_object_get(ref, k);
    bool equal =
        (json_is_null(v) && (!want || json_is_null(want))) || (want && json_equal(v, want));
    if (!equal)
        add_error(errors, k, message);
}

int disposition_validate(struct db *db, const json_t *body, const json_t *current, json_t **clean,
                         json_t **errors)
{
    *errors = NULL;
    *clean = json_object();
    if (!*clean)
        return SB_ENOMEM;
    static const char *const known[] = {
        "name",    "description", "parent_id", "scope", "channel",    "account_id", "queue_id",
        "list_id", "id",          "level",     "path",  "created_at", "updated_at"};
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)body, k, v)
    {
        bool ok = false;
        for (size_t i = 0; i < sizeof(known) / sizeof(*known); i++)
            ok = ok || !strcmp(k, known[i]);
        if (!ok)
            add_error(errors, k, "is not a field of a disposition");
    }
    static const char *const read_only[] = {"id", "level", "path", "created_at", "updated_at"};
    for (size_t i = 0; i < sizeof(read_only) / sizeof(*read_only); i++)
        if (json_object_get(body, read_only[i]))
            add_error(errors, read_only[i], "is read-only");

    v = json_object_get(body, "name");
    if (!v)
        v = json_object_get(current, "name");
    if (!v || json_is_null(v))
        add_error(errors, "name", "is required");
    else if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v) ||
             !plain_text(json_string_value(v), 1, DISPOSITION_NAME_MAX))
        add_error(errors, "name", "must be 1 to 127 characters without control characters");
    else
        json_object_set(*clean, "name", v);

    v = json_object_get(body, "description");
    if (!v)
        v = json_object_get(current, "description");
    if (!v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v)))
        json_object_set_new(*clean, "description", json_null());
    else if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v) ||
             !plain_text(json_string_value(v), 1, DISPOSITION_DESC_MAX))
        add_error(errors, "description", "must be at most 1024 characters");
    else
        json_object_set(*clean, "description", v);

    static const char *const fixed[] = {"parent_id",  "scope",    "channel",
                                        "account_id", "queue_id", "list_id"};
    int r = 0;
    if (current) {
        for (size_t i = 0; i < sizeof(fixed) / sizeof(*fixed); i++) {
            same_as(body, current, fixed[i],
                    "cannot be changed (delete the disposition and create it anew)", errors);
            json_object_set(*clean, fixed[i], json_object_get(current, fixed[i]));
        }
        json_object_set(*clean, "level", json_object_get(current, "level"));
    } else {
        int64_t parent = id_of(json_object_get(body, "parent_id"));
        if (parent < 0) {
            add_error(errors, "parent_id", "must be the id of a disposition");
        } else if (parent > 0) {
            json_t *p = NULL;
            r = disposition_get(db, parent, &p);
            if (r == SB_ENOTFOUND) {
                add_error(errors, "parent_id", "no such disposition");
                r = 0;
            } else if (!r) {
                json_int_t level = json_integer_value(json_object_get(p, "level"));
                if (level >= DISPOSITION_LEVELS)
                    add_error(errors, "parent_id",
                              "a third-level disposition cannot have children");
                for (size_t i = 1; i < sizeof(fixed) / sizeof(*fixed); i++) {
                    same_as(body, p, fixed[i], "is the parent's (omit it)", errors);
                    json_object_set(*clean, fixed[i], json_object_get(p, fixed[i]));
                }
                json_object_set_new(*clean, "parent_id", json_integer(parent));
                json_object_set_new(*clean, "level", json_integer(level + 1));
            }
            json_decref(p);
        } else {
            r = check_scope(db, body, *clean, errors);
            json_object_set_new(*clean, "parent_id", json_null());
            json_object_set_new(*clean, "level", json_integer(1));
        }
    }
    return jf_finish(r, clean, errors);
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static int64_t num(const json_t *o, const char *k)
{
    return (int64_t)json_integer_value(json_object_get(o, k));
}

int disposition_create(struct db *db, const json_t *c, int64_t now, int64_t *id_out)
{
    int64_t total = 0, in_scope = 0;
    int r = db_query_int64(db, "SELECT COUNT(*) FROM dispositions", &total, 0);
    if (r)
        return r;
    struct db_stmt *st = NULL;
    r = db_prepare(db,
                   "SELECT COUNT(*) FROM dispositions WHERE scope = ? AND COALESCE(channel, '') = "
                   "COALESCE(?, '') AND COALESCE(account_id, 0) = ? AND COALESCE(queue_id, 0) = ? "
                   "AND COALESCE(list_id, 0) = ?",
                   &st);
    if (!r)
        r = db_bind_all(st, "ttiii", str(c, "scope"), str(c, "channel"), num(c, "account_id"),
                        num(c, "queue_id"), num(c, "list_id"));
    if (!r && (r = db_step(st)) == DB_ROW) {
        in_scope = db_col_int64(st, 0);
        r = 0;
    }
    db_finalize(st);
    if (r)
        return r;
    if (total >= DISPOSITION_MAX || in_scope >= DISPOSITION_SCOPE_MAX)
        return SB_ETOOBIG;
    int64_t parent = num(c, "parent_id");
    int64_t acc = num(c, "account_id"), queue = num(c, "queue_id"), list = num(c, "list_id");
    st = NULL;
    r = db_prepare(db,
                   "INSERT INTO dispositions (name, description, parent_id, level, scope, "
                   "channel, account_id, queue_id, list_id, created_at, updated_at) VALUES (?, ?, "
                   "?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                   &st);
    if (!r)
        r = db_bind_all(st, "tt", str(c, "name"), str(c, "description"));
    if (!r)
        r = parent ? db_bind_int64(st, 3, parent) : db_bind_null(st, 3);
    if (!r)
        r = db_bind_int64(st, 4, num(c, "level"));
    if (!r)
        r = db_bind_text(st, 5, str(c, "scope"), -1);
    if (!r)
        r = str(c, "channel") ? db_bind_text(st, 6, str(c, "channel"), -1) : db_bind_null(st, 6);
    if (!r)
        r = acc ? db_bind_int64(st, 7, acc) : db_bind_null(st, 7);
    if (!r)
        r = queue ? db_bind_int64(st, 8, queue) : db_bind_null(st, 8);
    if (!r)
        r = list ? db_bind_int64(st, 9, list) : db_bind_null(st, 9);
    if (!r)
        r = db_bind_int64(st, 10, now);
    if (!r)
        r = db_bind_int64(st, 11, now);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        *id_out = db_col_int64(st, 0);
        r = 0;
    } else if (r == DB_DONE) {
        r = SB_EINTERNAL;
    }
    db_finalize(st);
    /* A parent deleted between the check and the insert: the foreign key refuses it. */
    if (r == SB_EINVAL && parent) {
        int64_t still = 0;
        if (!db_query_int64(db, "SELECT COUNT(*) FROM dispositions WHERE id = ?", &still, 1,
                            parent) &&
            !still)
            r = SB_ENOTFOUND;
    }
    return r;
}

int disposition_update(struct db *db, int64_t id, const json_t *c, int64_t now)
{
    int64_t changed = 0;
    int r = db_execf(db, &changed,
                     "UPDATE dispositions SET name = ?, description = ?, updated_at = ? WHERE id "
                     "= ?",
                     "ttii", str(c, "name"), str(c, "description"), now, id);
    return r ? r : changed ? 0 : SB_ENOTFOUND;
}

#define D_COLUMNS                                                                                  \
    "d.id, d.name, d.description, d.parent_id, d.level, d.scope, d.channel, d.account_id, "        \
    "d.queue_id, d.list_id, d.created_at, d.updated_at, p.name, g.name"
#define D_FROM                                                                                     \
    " FROM dispositions d LEFT JOIN dispositions p ON p.id = d.parent_id LEFT JOIN dispositions "  \
    "g ON g.id = p.parent_id"
#define D_PATH "COALESCE(g.name || ' > ', '') || COALESCE(p.name || ' > ', '') || d.name"

static json_t *nullable_id(struct db_stmt *st, int col)
{
    return db_col_is_null(st, col) ? json_null() : json_integer(db_col_int64(st, col));
}

static json_t *row_json(struct db_stmt *st)
{
    char created[32], updated[32], path[3 * 4 * (DISPOSITION_NAME_MAX + 1) + 8];
    const char *p = db_col_text(st, 12), *g = db_col_text(st, 13);
    snprintf(path, sizeof(path), "%s%s%s%s%s", g ? g : "", g ? " > " : "", p ? p : "",
             p ? " > " : "", db_col_text(st, 1));
    return json_pack("{s:I, s:s, s:s?, s:o, s:i, s:s, s:s?, s:o, s:o, s:o, s:s, s:s, s:s}", "id",
                     (json_int_t)db_col_int64(st, 0), "name", db_col_text(st, 1), "description",
                     db_col_text(st, 2), "parent_id", nullable_id(st, 3), "level",
                     (int)db_col_int64(st, 4), "scope", db_col_text(st, 5), "channel",
                     db_col_text(st, 6), "account_id", nullable_id(st, 7), "queue_id",
                     nullable_id(st, 8), "list_id", nullable_id(st, 9), "path", path, "created_at",
                     clock_iso8601(db_col_int64(st, 10), created), "updated_at",
                     clock_iso8601(db_col_int64(st, 11), updated));
}

int disposition_get(struct db *db, int64_t id, json_t **out)
{
    *out = NULL;
    struct db_stmt *st = NULL;
    int r = db_prepare(db, "SELECT " D_COLUMNS D_FROM " WHERE d.id = ?", &st);
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
    return r;
}

int disposition_delete(struct db *db, int64_t id, int64_t *deleted)
{
    int64_t n = 0, changed = 0;
    /* Counted for the audit log; the foreign key's ON DELETE CASCADE does the deleting. */
    int r = db_begin(db);
    if (!r)
        r = db_query_int64(db,
                           "SELECT COUNT(*) FROM dispositions d LEFT JOIN dispositions p ON p.id "
                           "= d.parent_id WHERE d.id = ? OR d.parent_id = ? OR p.parent_id = ?",
                           &n, 3, id, id, id);
    if (!r)
        r = db_execf(db, &changed, "DELETE FROM dispositions WHERE id = ?", "i", id);
    if (!r && !changed)
        r = SB_ENOTFOUND;
    if (!r)
        r = db_commit(db);
    if (r)
        db_rollback(db);
    if (!r && deleted)
        *deleted = n;
    return r;
}

/* ---- lists ------------------------------------------------------------------------------- */

#define MAX_BINDS 16

struct where {
    char sql[3072];
    size_t len;
    int n;
    char type[MAX_BINDS];
    int64_t ints[MAX_BINDS];
    const char *texts[MAX_BINDS];
};

static void w_add(struct where *w, const char *clause)
{
    int k = snprintf(w->sql + w->len, sizeof(w->sql) - w->len, " AND %s", clause);
    if (k > 0 && (size_t)k < sizeof(w->sql) - w->len)
        w->len += (size_t)k;
}

static void w_int(struct where *w, int64_t v)
{
    if (w->n < MAX_BINDS) {
        w->type[w->n] = 'i';
        w->ints[w->n++] = v;
    }
}

static void w_text(struct where *w, const char *v)
{
    if (w->n < MAX_BINDS) {
        w->type[w->n] = 't';
        w->texts[w->n++] = v;
    }
}

static int w_bind(const struct where *w, struct db_stmt *st, int first)
{
    int r = 0;
    for (int i = 0; !r && i < w->n; i++)
        r = w->type[i] == 'i' ? db_bind_int64(st, first + i, w->ints[i])
                              : db_bind_text(st, first + i, w->texts[i], -1);
    return r;
}

static const char applicable_sql[] =
    "(d.scope = 'global' OR (d.scope = 'account' AND d.channel = ? AND d.account_id = ?) OR "
    "(d.scope = 'queue' AND d.queue_id = ?) OR (d.scope = 'list' AND d.list_id = ?))";

static const char agent_sql[] =
    "(d.scope = 'global' OR (d.scope = 'account' AND ((d.channel = 'sms' AND d.account_id IN "
    "(SELECT account_id FROM sms_account_agents WHERE staff_id = ?)) OR (d.channel = "
    "'openchannel' AND d.account_id IN (SELECT account_id FROM openchannel_account_agents WHERE "
    "staff_id = ?)))) OR (d.scope = 'queue' AND d.queue_id IN (SELECT queue_id FROM "
    "queue_members_effective WHERE staff_id = ?)) OR (d.scope = 'list' AND d.list_id IN (SELECT "
    "a.list_id FROM sms_accounts a JOIN sms_account_agents sa ON sa.account_id = a.id WHERE "
    "sa.staff_id = ? UNION SELECT o.list_id FROM openchannel_accounts o JOIN "
    "openchannel_account_agents oa ON oa.account_id = o.id WHERE oa.staff_id = ?)))";

static const char profile_sql[] =
    "(d.scope <> 'queue' OR d.queue_id IN (SELECT r.resource_id FROM profile_resources r WHERE "
    "r.kind = 'queue' AND r.profile_id = ?))";

/* The visibility clauses of f. */
static void add_visibility(struct where *w, const struct disposition_filter *f)
{
    if (f->agent_id > 0) {
        w_add(w, agent_sql);
        for (int i = 0; i < 5; i++)
            w_int(w, f->agent_id);
    }
    if (f->profile_id > 0) {
        w_add(w, profile_sql);
        w_int(w, f->profile_id);
    }
}

/* The contact list of an account (0 when unknown). */
static int account_list(struct db *db, const char *channel, int64_t account, int64_t *list)
{
    struct channel_account acc;
    *list = 0;
    int r = channel_account_get(db, channel, account, &acc);
    if (r == SB_ENOTFOUND)
        return 0;
    if (!r)
        *list = acc.list_id;
    return r;
}

static void like_pattern(const char *q, char *out, size_t cap)
{
    size_t o = 0;
    out[o++] = '%';
    for (; q && *q && o + 3 < cap; q++) {
        if (*q == '%' || *q == '_' || *q == '\\')
            out[o++] = '\\';
        out[o++] = *q;
    }
    out[o++] = '%';
    out[o] = 0;
}

int disposition_list(struct db *db, const struct disposition_filter *f, int64_t limit,
                     int64_t offset, json_t **items, int64_t *total)
{
    *items = json_array();
    *total = 0;
    struct where w = {.sql = "1 = 1", .len = 5};
    char like[300];
    int r = 0;
    if (f->applicable) {
        int64_t list = 0;
        r = account_list(db, f->channel, f->account_id, &list);
        if (r)
            goto fail;
        w_add(&w, applicable_sql);
        w_text(&w, f->channel ? f->channel : "");
        w_int(&w, f->account_id);
        w_int(&w, f->queue_id);
        w_int(&w, list);
    } else {
        if (f->scope) {
            w_add(&w, "d.scope = ?");
            w_text(&w, f->scope);
        }
        if (f->channel) {
            w_add(&w, "d.channel = ?");
            w_text(&w, f->channel);
        }
        if (f->account_id) {
            w_add(&w, "d.account_id = ?");
            w_int(&w, f->account_id);
        }
        if (f->queue_id) {
            w_add(&w, "d.queue_id = ?");
            w_int(&w, f->queue_id);
        }
        if (f->list_id) {
            w_add(&w, "d.list_id = ?");
            w_int(&w, f->list_id);
        }
    }
    if (f->parent_id > 0) {
        w_add(&w, "d.parent_id = ?");
        w_int(&w, f->parent_id);
    }
    if (f->roots)
        w_add(&w, "d.parent_id IS NULL");
    if (f->q && *f->q) {
        like_pattern(f->q, like, sizeof(like));
        w_add(&w, "lower(d.name) LIKE lower(?) ESCAPE '\\'");
        w_text(&w, like);
    }
    add_visibility(&w, f);

    char sql[4096];
    struct db_stmt *st = NULL;
    snprintf(sql, sizeof(sql), "SELECT COUNT(*)" D_FROM " WHERE %s", w.sql);
    r = db_prepare(db, sql, &st);
    if (!r)
        r = w_bind(&w, st, 1);
    if (!r && (r = db_step(st)) == DB_ROW) {
        *total = db_col_int64(st, 0);
        r = 0;
    }
    db_finalize(st);
    st = NULL;
    if (r)
        goto fail;
    snprintf(sql, sizeof(sql),
             "SELECT " D_COLUMNS D_FROM " WHERE %s ORDER BY d.scope, " D_PATH ", d.id LIMIT ? "
             "OFFSET ?",
             w.sql);
    r = db_prepare(db, sql, &st);
    if (!r)
        r = w_bind(&w, st, 1);
    if (!r)
        r = db_bind_int64(st, w.n + 1, limit);
    if (!r)
        r = db_bind_int64(st, w.n + 2, offset);
    while (!r && (r = db_step(st)) == DB_ROW) {
        json_t *o = row_json(st);
        r = o ? 0 : SB_ENOMEM;
        json_array_append_new(*items, o);
    }
    db_finalize(st);
    if (r < 0)
        goto fail;
    return 0;
fail:
    json_decref(*items);
    *items = NULL;
    return r;
}

int disposition_visible(struct db *db, int64_t id, const struct disposition_filter *f,
                        bool *visible)
{
    *visible = false;
    struct where w = {.sql = "d.id = ?", .len = 8};
    w_int(&w, id);
    add_visibility(&w, f);
    char sql[4096];
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM dispositions d WHERE %s", w.sql);
    struct db_stmt *st = NULL;
    int64_t exists = 0;
    int r = db_query_int64(db, "SELECT COUNT(*) FROM dispositions WHERE id = ?", &exists, 1, id);
    if (r)
        return r;
    if (!exists)
        return SB_ENOTFOUND;
    r = db_prepare(db, sql, &st);
    if (!r)
        r = w_bind(&w, st, 1);
    if (!r && (r = db_step(st)) == DB_ROW) {
        *visible = db_col_int64(st, 0) > 0;
        r = 0;
    }
    db_finalize(st);
    return r;
}

int disposition_allowed(struct db *db, const char *channel, int64_t account_id, int64_t queue_id,
                        const char *text, bool *ok)
{
    *ok = false;
    if (!text || !*text)
        return 0;
    int64_t list = 0;
    int r = account_list(db, channel, account_id, &list);
    if (r)
        return r;
    char sql[1024];
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM dispositions d WHERE d.name = ? AND %s",
             applicable_sql);
    struct db_stmt *st = NULL;
    r = db_prepare(db, sql, &st);
    if (!r)
        r = db_bind_all(st, "ttiii", text, channel ? channel : "", account_id, queue_id, list);
    if (!r && (r = db_step(st)) == DB_ROW) {
        *ok = db_col_int64(st, 0) > 0;
        r = 0;
    }
    db_finalize(st);
    return r;
}

int disposition_required(struct db *db, const char *channel, int64_t account_id, bool *required,
                         char pause[DISPOSITION_PAUSE_MAX + 1])
{
    *required = false;
    if (pause)
        pause[0] = 0;
    struct channel_account acc;
    int r = channel_account_get(db, channel, account_id, &acc);
    if (r == SB_ENOTFOUND)
        return 0;
    if (r)
        return r;
    *required = acc.mandatory_disposition;
    if (pause)
        snprintf(pause, DISPOSITION_PAUSE_MAX + 1, "%s", acc.disposition_pause);
    return 0;
}
