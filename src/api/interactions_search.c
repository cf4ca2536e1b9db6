/* /api/v1/interactions (list), …/export.csv, …/delete, DELETE …/{id}, …/search-fields — the
 * interactions of a channel's accounts with simple filters and the advanced search
 * (interactions/search.h), streamed CSV export, bulk and single delete
 * (docs/interactions-search.md).
 *
 * Who: admins everything; supervisors per their profile's section "queues" (read to list and
 * export, delete to delete), only interactions in their scope: of their profile's queues, or
 * held or last held by an agent of those queues (perm_interaction_scope_sql, the rule of GET
 * /api/v1/interactions/{id} too); agents 403, anonymous 401. */
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/csv.h"
#include "api/handlers.h"
#include "api/paging.h"
#include "app.h"
#include "auth/audit.h"
#include "auth/permissions.h"
#include "core/err.h"
#include "core/iso8601.h"
#include "core/log.h"
#include "db/db.h"
#include "http/mask.h"
#include "http/respond.h"
#include "interactions/search.h"

#define LIST_LIMIT_MAX     500
#define TAG_FILTER_MAX     20
#define TAG_LEN_MAX        64
#define IDS_MAX            1000  /* ids of an export selection or a bulk delete */
#define DELETE_BY_Q_MAX    10000 /* interactions one delete-by-search may remove */
#define PREVIEW_CHARS      140
#define EXPORT_CHUNK_BYTES (32u << 10)
#define EXPORT_FETCH_ROWS  1000 /* rows per PostgreSQL cursor FETCH */
#define SQL_MAX            (64u << 10)
#define EXPORTS_MAX        4 /* exports streaming at once (each holds a database connection) */

static atomic_int exports_active;

/* The parsed list parameters (query string or delete body). Strings point into the request
 * arena or are copied here. */
struct ixl {
    const char *channel;
    int64_t account_id;
    int64_t from_ms, to_ms; /* -1 = none */
    int read;               /* -1 = any, 0 = unread, 1 = read */
    const char *status;
    int64_t agent_id;
    size_t ntags;
    char tags[TAG_FILTER_MAX][TAG_LEN_MAX + 1];
    const char *ids_json; /* "[1,2,…]" of the selection; NULL = none */
    size_t nids;
    int64_t ids[IDS_MAX];
    struct ixs_query q;
    const char *sort_col;
    bool sort_desc, sort_nullable;
    int64_t limit, offset;
    /* scope */
    const char *scope_sql;
    int64_t profile_id;
};

/* The WHERE clause and its parameters. */
struct where {
    struct buf sql;
    struct ixs_params *p;
};

static const struct {
    const char *key, *col;
    bool nullable;
} sorts[] = {
    {"id", "i.id", false},
    {"created_at", "i.created_at", false},
    {"last_message_at", "i.last_message_at", true},
    {"closed_at", "i.closed_at", true},
    {"status", "i.status", false},
};

static bool parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (!s || !*s || strlen(s) > 19)
        return false;
    for (const char *c = s; *c; c++)
        if (*c < '0' || *c > '9')
            return false;
    long long v = strtoll(s, NULL, 10);
    if (v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* Reads a parameter by name: from the query string, or from the delete body converted to
 * text. */
typedef const char *(*getter)(void *src, const char *name);

static const char *query_get(void *src, const char *name)
{
    return http_query(src, name);
}

/* Parses the simple filters, sort and paging (`paged`) from `get`, and the ids list
 * (comma-separated text) when `ids_ok`. Errors go to `p`. */
static void parse_filters(getter get, void *src, bool paged, bool ids_ok, struct ixl *l, json_t *p,
                          struct arena *arena)
{
    l->from_ms = l->to_ms = -1;
    l->read = -1;
    l->limit = 50;
    l->channel = get(src, "channel");
    if (!l->channel)
        http_problem_add_error(p, "channel", "is required: sms or openchannel");
    else if (strcmp(l->channel, "sms") && strcmp(l->channel, "openchannel"))
        http_problem_add_error(p, "channel", "must be sms or openchannel");
    const char *s = get(src, "account_id");
    if (s && !parse_int(s, 1, INT64_MAX, &l->account_id))
        http_problem_add_error(p, "account_id", "must be a positive integer id");
    s = get(src, "agent_id");
    if (s && !parse_int(s, 1, INT64_MAX, &l->agent_id))
        http_problem_add_error(p, "agent_id", "must be a positive integer id");
    static const char *const times[] = {"from", "to"};
    for (int k = 0; k < 2; k++) {
        s = get(src, times[k]);
        if (s && (strlen(s) > 40 || !iso8601_parse(s, k ? &l->to_ms : &l->from_ms)))
            http_problem_add_error(p, times[k],
                                   "must be an ISO-8601 time with a zone, such as "
                                   "2026-11-22T09:00:00Z, or a date such as 2026-11-22");
    }
    if (l->from_ms >= 0 && l->to_ms >= 0 && l->to_ms <= l->from_ms)
        http_problem_add_error(p, "to", "must be later than from");
    s = get(src, "read");
    if (s && strcmp(s, "true") && strcmp(s, "false"))
        http_problem_add_error(p, "read", "must be true or false");
    else if (s)
        l->read = !strcmp(s, "true");
    l->status = get(src, "status");
    if (l->status && strcmp(l->status, "open") && strcmp(l->status, "closed"))
        http_problem_add_error(p, "status", "must be open or closed");
    s = get(src, "tags");
    if (s && *s) {
        const char *t = s;
        while (t) {
            const char *comma = strchr(t, ',');
            size_t len = comma ? (size_t)(comma - t) : strlen(t);
            if (!len || len > TAG_LEN_MAX || l->ntags == TAG_FILTER_MAX) {
                http_problem_add_error(p, "tags",
                                       "must be 1 to 20 comma-separated tags of 1 to 64 "
                                       "characters");
                break;
            }
            memcpy(l->tags[l->ntags], t, len);
            l->tags[l->ntags++][len] = 0;
            t = comma ? comma + 1 : NULL;
        }
    }
    l->sort_col = "i.created_at";
    l->sort_desc = true;
    s = get(src, "sort");
    if (s) {
        const char *key = *s == '-' ? s + 1 : s;
        size_t k;
        for (k = 0; k < sizeof(sorts) / sizeof(sorts[0]); k++)
            if (!strcmp(key, sorts[k].key))
                break;
        if (k == sizeof(sorts) / sizeof(sorts[0]))
            http_problem_add_error(p, "sort",
                                   "must be one of id, created_at, last_message_at, closed_at, "
                                   "status (- first for descending)");
        else {
            l->sort_col = sorts[k].col;
            l->sort_desc = *s == '-';
            l->sort_nullable = sorts[k].nullable;
        }
    }
    if (paged) {
        s = get(src, "limit");
        if (s && !parse_int(s, 1, LIST_LIMIT_MAX, &l->limit))
            http_problem_add_error(p, "limit", "must be 1 to 500");
        s = get(src, "offset");
        if (s && !parse_int(s, 0, INT32_MAX, &l->offset))
            http_problem_add_error(p, "offset", "must be 0 or more");
    }
    s = ids_ok ? get(src, "ids") : NULL;
    if (s) {
        struct buf b;
        buf_init(&b, 24 * IDS_MAX + 2);
        int r = buf_adds(&b, "[");
        const char *t = s;
        bool ok = *s != 0;
        while (ok && t) {
            const char *comma = strchr(t, ',');
            char one[24];
            size_t len = comma ? (size_t)(comma - t) : strlen(t);
            int64_t id = 0;
            ok = len && len < sizeof(one) && l->nids < IDS_MAX;
            if (ok) {
                memcpy(one, t, len);
                one[len] = 0;
                ok = parse_int(one, 1, INT64_MAX, &id);
            }
            if (ok) {
                l->ids[l->nids++] = id;
                r = r ? r : buf_addf(&b, "%s%lld", l->nids > 1 ? "," : "", (long long)id);
            }
            t = comma ? comma + 1 : NULL;
        }
        if (!ok)
            http_problem_add_error(p, "ids", "must be 1 to 1000 comma-separated interaction ids");
        else if (!r && !buf_adds(&b, "]"))
            l->ids_json = arena_strdup(arena, b.data);
        buf_free(&b);
    }
}

/* Builds the WHERE clause of `l` for backend `be`: channel, selection, filters, scope, search.
 * Returns 0 or a buffer/param error. */
static int build_where(const struct ixl *l, enum db_backend be, struct where *w)
{
    struct ixs_params *p = w->p;
    struct buf *b = &w->sql;
    int r = buf_adds(b, " WHERE i.channel = ?");
    if (!r)
        r = ixs_param_text(p, l->channel);
    if (!r && l->ids_json) {
        /* The selection is one JSON text parameter, not a list of placeholders. */
        r = buf_adds(b, be == DB_PG
                            ? " AND i.id IN (SELECT json_array_elements_text(?::json)::bigint)"
                            : " AND i.id IN (SELECT value FROM json_each(?))");
        if (!r)
            r = ixs_param_text(p, "");
        /* bound separately (too long for a parameter slot): marked by an empty text */
    }
    if (!r && l->account_id && !(r = buf_adds(b, " AND i.account_id = ?")))
        r = ixs_param_int(p, l->account_id);
    if (!r && l->from_ms >= 0 && !(r = buf_adds(b, " AND i.created_at >= ?")))
        r = ixs_param_int(p, l->from_ms);
    if (!r && l->to_ms >= 0 && !(r = buf_adds(b, " AND i.created_at < ?")))
        r = ixs_param_int(p, l->to_ms);
    if (!r && l->read >= 0)
        r = buf_adds(b, l->read ? " AND i.unread = 0" : " AND i.unread <> 0");
    if (!r && l->status && !(r = buf_adds(b, " AND i.status = ?")))
        r = ixs_param_text(p, l->status);
    if (!r && l->agent_id && !(r = buf_adds(b, " AND i.owner_id = ?")))
        r = ixs_param_int(p, l->agent_id);
    if (!r && l->ntags) {
        r = buf_adds(b, be == DB_PG
                            ? " AND EXISTS (SELECT 1 FROM json_array_elements_text(i.tags::json) "
                              "t(v) WHERE "
                            : " AND EXISTS (SELECT 1 FROM json_each(i.tags) t WHERE ");
        for (size_t k = 0; !r && k < l->ntags; k++) {
            if (k)
                r = buf_adds(b, " OR ");
            if (!r)
                r = ixs_render_like(be, be == DB_PG ? "t.v" : "t.value", IXS_EQUALS, l->tags[k], b,
                                    p);
        }
        if (!r)
            r = buf_adds(b, ")");
    }
    if (!r && l->scope_sql && !(r = buf_addf(b, " AND %s", l->scope_sql)))
        for (int k = 0; !r && k < PERM_INTERACTION_SCOPE_PARAMS; k++)
            r = ixs_param_int(p, l->profile_id);
    if (!r)
        r = buf_adds(b, " AND ");
    if (!r)
        r = ixs_render(&l->q, be, b, p);
    return r;
}

/* Binds the WHERE parameters (the selection's JSON where its empty marker is). Returns the
 * next free index in *next. */
static int bind_where(struct db_stmt *st, const struct ixl *l, const struct ixs_params *p,
                      int *next)
{
    int r = 0;
    for (size_t k = 0; !r && k < p->n; k++) {
        int idx = 1 + (int)k;
        if (p->v[k].type == 'i')
            r = db_bind_int64(st, idx, p->v[k].i);
        else if (k == 1 && l->ids_json)
            r = db_bind_text(st, idx, l->ids_json, -1);
        else
            r = db_bind_text(st, idx, p->v[k].t, -1);
    }
    *next = 1 + (int)p->n;
    return r;
}

static const char select_cols[] =
    "SELECT i.id, i.channel, i.account_id, i.status, i.unread, i.owner_id, s.full_name, "
    "i.queue_id, i.tags, i.disposition, i.created_at, i.closed_at, i.last_message_at, "
    "(SELECT m.body FROM messages m WHERE m.interaction_id = i.id AND m.internal = 0 "
    "ORDER BY m.id DESC LIMIT 1), c.id, c.first_name, c.last_name, c.phone, c.email "
    "FROM interactions i JOIN contacts c ON c.id = i.contact_id "
    "LEFT JOIN staff s ON s.id = i.owner_id";
static const char count_from[] =
    "SELECT COUNT(*) FROM interactions i JOIN contacts c ON c.id = i.contact_id";
/* Without a contact condition the count needs no join: a row-by-row contact lookup is most of
 * the cost of counting a large page set (bench/search_bench.js). */
static const char count_from_nojoin[] = "SELECT COUNT(*) FROM interactions i";

static bool uses_contact(const struct ixs_query *q)
{
    for (size_t k = 0; k < q->n; k++)
        if (q->cond[k].field >= IXS_F_FIRST_NAME && q->cond[k].field <= IXS_F_EMAIL)
            return true;
    return false;
}

static int add_order(struct buf *b, const struct ixl *l)
{
    const char *dir = l->sort_desc ? "DESC" : "ASC";
    return buf_addf(b, " ORDER BY %s %s%s, i.id %s", l->sort_col, dir,
                    l->sort_nullable ? " NULLS LAST" : "", dir);
}

/* Copies the first PREVIEW_CHARS code points of `s` into `out` (≥ 4 * PREVIEW_CHARS + 1). */
static const char *preview(const char *s, char *out)
{
    if (!s)
        return NULL;
    size_t chars = 0, i = 0;
    for (; s[i]; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80 && chars++ == PREVIEW_CHARS)
            break;
    }
    memcpy(out, s, i);
    out[i] = 0;
    return out;
}

static json_t *opt_int(struct db_stmt *st, int col)
{
    return db_col_is_null(st, col) ? json_null() : json_integer(db_col_int64(st, col));
}

static json_t *opt_time(struct db_stmt *st, int col)
{
    char t[32];
    return db_col_is_null(st, col) ? json_null()
                                   : json_string(clock_iso8601(db_col_int64(st, col), t));
}

/* The list item of the current row of select_cols. */
static json_t *row_json(struct db_stmt *st)
{
    char pv[4 * PREVIEW_CHARS + 1];
    json_t *tags = json_loads(db_col_text(st, 8), 0, NULL);
    if (!json_is_array(tags)) {
        json_decref(tags);
        tags = json_array();
    }
    return json_pack(
        "{s:I, s:s, s:I, s:s, s:b, s:o, s:s?, s:o, s:o, s:s?, s:o, s:o, s:o, s:s?, "
        "s:{s:I, s:s?, s:s?, s:s?, s:s?}}",
        "id", (json_int_t)db_col_int64(st, 0), "channel", db_col_text(st, 1), "account_id",
        (json_int_t)db_col_int64(st, 2), "status", db_col_text(st, 3), "unread",
        db_col_int64(st, 4) != 0, "owner_id", opt_int(st, 5), "owner_name", db_col_text(st, 6),
        "queue_id", opt_int(st, 7), "tags", tags, "disposition", db_col_text(st, 9), "created_at",
        opt_time(st, 10), "closed_at", opt_time(st, 11), "last_message_at", opt_time(st, 12),
        "last_message", preview(db_col_text(st, 13), pv), "contact", "id",
        (json_int_t)db_col_int64(st, 14), "first_name", db_col_text(st, 15), "last_name",
        db_col_text(st, 16), "phone", db_col_text(st, 17), "email", db_col_text(st, 18));
}

/* Caller checks common to every route: who may, with `action`. Fills ctx; false = answered. */
static bool who_may(struct http_req *req, enum perm_action action, struct perm_ctx *ctx)
{
    return !perm_require(req, PERM_SECTION_QUEUES, action, ctx);
}

static void set_scope(struct ixl *l, const struct perm_ctx *ctx)
{
    l->scope_sql = perm_interaction_scope_sql(ctx);
    l->profile_id = ctx->profile_id;
}

/* A caller who sees contacts masked cannot search them either (a search would tell the
 * hidden characters one by one): each contact condition is an error on its field. */
static void refuse_masked(struct http_req *req, const json_t *q, json_t *p)
{
    if (mask_for(req->caller_id, req->caller_role) < 0)
        return;
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(q, "conditions"), i, c)
    {
        const char *f = json_string_value(json_object_get(c, "field"));
        if (f && !strncmp(f, "contact.", 8)) {
            char name[48];
            snprintf(name, sizeof(name), "q.conditions[%zu].field", i);
            http_problem_add_error(p, name, "contacts are masked for you: they cannot be searched");
        }
    }
}

/* Parses a GET's parameters into a new ixl (request arena). NULL = answered (422/500). */
static struct ixl *parse_get(struct http_req *req, bool paged, bool ids_ok,
                             const struct perm_ctx *ctx)
{
    struct ixl *l = arena_calloc(&req->arena, sizeof(*l));
    json_t *p = http_problem_new(422, "invalid query", NULL);
    if (!l || !p) {
        json_decref(p);
        http_reply_error(req, SB_ENOMEM);
        return NULL;
    }
    parse_filters(query_get, req, paged, ids_ok, l, p, &req->arena);
    if (!ids_ok && http_query(req, "ids"))
        http_problem_add_error(p, "ids", "is only for the export and the delete");
    const char *qs = http_query(req, "q");
    int r = ixs_parse_text(qs, "q", &l->q, p);
    if (!r && qs && *qs) {
        json_t *q = json_loads(qs, 0, NULL);
        refuse_masked(req, q, p);
        json_decref(q);
    }
    if (r == SB_ENOMEM || api_problem_has_errors(p)) {
        http_reply_problem_json(req, p);
        return NULL;
    }
    json_decref(p);
    set_scope(l, ctx);
    return l;
}

/* GET /api/v1/interactions/search-fields */
int api_interactions_search_fields(struct http_req *req)
{
    struct perm_ctx ctx;
    if (!who_may(req, PERM_READ, &ctx))
        return http_replied(req);
    return http_reply_items(req, ixs_fields_json());
}

/* Prepares `prefix` + where (+ tail) and binds the where; *next = next bind index. */
static int prepare_with(struct db *db, const char *prefix, const struct where *w, const char *tail,
                        const struct ixl *l, struct db_stmt **st, int *next)
{
    struct buf b;
    buf_init(&b, SQL_MAX);
    int r = buf_adds(&b, prefix);
    if (!r)
        r = buf_add(&b, w->sql.data, w->sql.len);
    if (!r && tail)
        r = buf_adds(&b, tail);
    if (!r)
        r = db_prepare(db, b.data, st);
    buf_free(&b);
    if (!r)
        r = bind_where(*st, l, w->p, next);
    return r;
}

/* GET /api/v1/interactions */
int api_interactions_list(struct http_req *req)
{
    struct perm_ctx ctx;
    if (!who_may(req, PERM_READ, &ctx))
        return http_replied(req);
    struct ixl *l = parse_get(req, true, false, &ctx);
    if (!l)
        return http_replied(req);
    struct db *db = app_thread_db(req->app);
    if (!db)
        return http_reply_error(req, SB_EUNAVAIL);
    struct where w;
    buf_init(&w.sql, SQL_MAX);
    w.p = calloc(1, sizeof(*w.p));
    struct db_stmt *st = NULL;
    json_t *items = json_array();
    int64_t total = 0;
    int next = 0;
    int r = w.p && items ? build_where(l, db_backend_of(db), &w) : SB_ENOMEM;
    if (!r)
        r = prepare_with(db, uses_contact(&l->q) ? count_from : count_from_nojoin, &w, NULL, l, &st,
                         &next);
    if (!r && (r = db_step(st)) == DB_ROW) {
        total = db_col_int64(st, 0);
        r = 0;
    }
    db_finalize(st);
    st = NULL;
    struct buf order;
    buf_init(&order, 256);
    if (!r)
        r = add_order(&order, l);
    if (!r)
        r = buf_adds(&order, " LIMIT ? OFFSET ?");
    if (!r)
        r = prepare_with(db, select_cols, &w, order.data, l, &st, &next);
    buf_free(&order);
    if (!r)
        r = db_bind_int64(st, next, l->limit);
    if (!r)
        r = db_bind_int64(st, next + 1, l->offset);
    while (!r && (r = db_step(st)) == DB_ROW) {
        json_t *it = row_json(st);
        r = it && !json_array_append_new(items, it) ? 0 : SB_ENOMEM;
    }
    db_finalize(st);
    buf_free(&w.sql);
    free(w.p);
    if (r < 0) {
        json_decref(items);
        return http_reply_error(req, r);
    }
    return http_reply_json(req, 200,
                           json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total",
                                     (json_int_t)total, "limit", (json_int_t)l->limit, "offset",
                                     (json_int_t)l->offset));
}

/* ---- export ----------------------------------------------------------------------------- */

static const char *const export_header[] = {
    "id",         "channel",    "account_id",      "status",       "read",
    "owner_id",   "owner_name", "queue_id",        "tags",         "disposition",
    "created_at", "closed_at",  "last_message_at", "last_message", "contact_id",
    "first_name", "last_name",  "phone",           "email",
};
#define EXPORT_COLS (sizeof(export_header) / sizeof(export_header[0]))

/* One streamed export: its own connection (the HTTP thread's connection stays free for other
 * requests while this one is read chunk by chunk), the statement, the chunk being sent. */
struct export_job {
    struct db *db;
    struct db_stmt *st; /* SQLite: the query; PostgreSQL: the current FETCH */
    bool pg;            /* reading through a cursor */
    bool done, failed;
    bool fetched_any; /* PostgreSQL: the current FETCH returned rows */
    int mask;         /* contact characters to mask, -1 = none */
    struct buf chunk;
    size_t sent; /* bytes of chunk already given to MHD */
    int64_t rows;
    int64_t actor, now_ms;
    char ip[64];
    struct sb_app *app;
};

static void export_free(void *cls)
{
    struct export_job *j = cls;
    atomic_fetch_sub(&exports_active, 1);
    db_finalize(j->st);
    if (j->pg && j->db)
        db_rollback(j->db); /* closes the cursor; nothing was written */
    if (j->db)
        audit_record(j->db, j->now_ms, j->actor, "interactions.export", NULL, 0, j->ip,
                     json_pack("{s:I, s:b}", "rows", (json_int_t)j->rows, "complete",
                               j->done && !j->failed));
    db_close(j->db);
    buf_free(&j->chunk);
    free(j);
}

/* Masks the last `n` code points of `s` (0 = all) into out (≥ 4 * strlen + 1). */
static const char *masked(const char *s, int n, char *out, size_t cap)
{
    if (!s || n < 0)
        return s;
    json_t *o = json_pack("{s:{s:s}}", "contact", "phone", s);
    if (!o)
        return "";
    mask_contact_fields(o, n);
    snprintf(out, cap, "%s",
             json_string_value(json_object_get(json_object_get(o, "contact"), "phone")));
    json_decref(o);
    return out;
}

/* Appends the CSV row of the current statement row. */
static int export_row(struct export_job *j)
{
    struct db_stmt *st = j->st;
    char num[8][24], times[3][32], pv[4 * PREVIEW_CHARS + 1];
    char mk[4][4 * IXS_TEXT_MAX + 1];
    const char *cells[EXPORT_COLS];
    int ints[] = {0, 2, 5, 7, 14};
    for (size_t k = 0; k < sizeof(ints) / sizeof(ints[0]); k++) {
        int c = ints[k];
        if (db_col_is_null(st, c))
            num[k][0] = 0;
        else
            snprintf(num[k], sizeof(num[k]), "%lld", (long long)db_col_int64(st, c));
    }
    cells[0] = num[0];
    cells[1] = db_col_text(st, 1);
    cells[2] = num[1];
    cells[3] = db_col_text(st, 3);
    cells[4] = db_col_int64(st, 4) ? "false" : "true";
    cells[5] = num[2];
    cells[6] = db_col_text(st, 6);
    cells[7] = num[3];
    /* tags: the JSON array's texts joined by ", " */
    struct buf tb;
    buf_init(&tb, 4096);
    json_t *tags = json_loads(db_col_text(st, 8), 0, NULL);
    size_t ti;
    json_t *tv;
    int r = 0;
    json_array_foreach(tags, ti, tv) if (!r && json_string_value(tv)) r =
        buf_addf(&tb, "%s%s", ti ? ", " : "", json_string_value(tv));
    json_decref(tags);
    cells[8] = tb.data ? tb.data : "";
    cells[9] = db_col_text(st, 9);
    for (int k = 0; k < 3; k++)
        cells[10 + k] =
            db_col_is_null(st, 10 + k) ? NULL : clock_iso8601(db_col_int64(st, 10 + k), times[k]);
    cells[13] = preview(db_col_text(st, 13), pv);
    cells[14] = num[4];
    for (int k = 0; k < 4; k++)
        cells[15 + k] = masked(db_col_text(st, 15 + k), j->mask, mk[k], sizeof(mk[k]));
    for (size_t c = 0; !r && c < EXPORT_COLS; c++)
        r = csv_cell(&j->chunk, cells[c], c + 1 == EXPORT_COLS);
    buf_free(&tb);
    return r;
}

/* PostgreSQL: the next FETCH of the cursor. */
static int export_fetch(struct export_job *j)
{
    db_finalize(j->st);
    j->st = NULL;
    j->fetched_any = false;
    char sql[64];
    snprintf(sql, sizeof(sql), "FETCH %d FROM ixs_export", EXPORT_FETCH_ROWS);
    return db_prepare(j->db, sql, &j->st);
}

/* Refills the chunk with rows until it holds EXPORT_CHUNK_BYTES or the rows end. */
static int export_fill(struct export_job *j)
{
    buf_reset(&j->chunk);
    j->sent = 0;
    int r = 0;
    while (!r && !j->done && j->chunk.len < EXPORT_CHUNK_BYTES) {
        r = db_step(j->st);
        if (r == DB_ROW) {
            j->fetched_any = true;
            j->rows++;
            r = export_row(j);
        } else if (r == DB_DONE) {
            r = 0;
            if (j->pg && j->fetched_any)
                r = export_fetch(j);
            else
                j->done = true;
        }
    }
    return r;
}

static ssize_t export_read(void *cls, uint64_t pos, char *out, size_t max)
{
    (void)pos;
    struct export_job *j = cls;
    if (j->sent == j->chunk.len) {
        if (j->done)
            return MHD_CONTENT_READER_END_OF_STREAM;
        int r = export_fill(j);
        if (r) {
            /* The status line is gone: the client sees a chunked body cut short. */
            log_error("interactions export failed after %lld rows: %d (%s)", (long long)j->rows, r,
                      db_errmsg(j->db));
            j->failed = true;
            return MHD_CONTENT_READER_END_WITH_ERROR;
        }
        if (j->chunk.len == 0)
            return MHD_CONTENT_READER_END_OF_STREAM;
    }
    size_t n = j->chunk.len - j->sent;
    if (n > max)
        n = max;
    memcpy(out, j->chunk.data + j->sent, n);
    j->sent += n;
    return (ssize_t)n;
}

/* Opens the export's connection and statement for `l` (PostgreSQL: a cursor in a read-only
 * transaction). */
static int export_open(struct export_job *j, const struct ixl *l)
{
    int r = db_open(&j->app->dbc, &j->db);
    if (r)
        return r;
    j->pg = db_backend_of(j->db) == DB_PG;
    struct where w;
    buf_init(&w.sql, SQL_MAX);
    w.p = calloc(1, sizeof(*w.p));
    struct buf order;
    buf_init(&order, 256);
    int next;
    r = w.p ? build_where(l, db_backend_of(j->db), &w) : SB_ENOMEM;
    if (!r)
        r = add_order(&order, l);
    if (!r && j->pg) {
        r = db_exec(j->db, "BEGIN READ ONLY");
        struct db_stmt *st = NULL;
        if (!r) {
            struct buf decl;
            buf_init(&decl, SQL_MAX);
            r = buf_adds(&decl, "DECLARE ixs_export NO SCROLL CURSOR FOR ");
            if (!r)
                r = buf_adds(&decl, select_cols);
            /* prepare_with appends the where and the order */
            if (!r)
                r = prepare_with(j->db, decl.data, &w, order.data, l, &st, &next);
            buf_free(&decl);
        }
        if (!r)
            r = db_step(st) < 0 ? SB_EIO : 0;
        db_finalize(st);
        if (!r)
            r = export_fetch(j);
    } else if (!r) {
        r = prepare_with(j->db, select_cols, &w, order.data, l, &j->st, &next);
    }
    buf_free(&order);
    buf_free(&w.sql);
    free(w.p);
    return r;
}

/* GET /api/v1/interactions/export.csv — the rows are read and written chunk by chunk while
 * the client downloads (memory stays at one chunk whatever the row count). */
int api_interactions_export(struct http_req *req)
{
    struct perm_ctx ctx;
    if (!who_may(req, PERM_READ, &ctx))
        return http_replied(req);
    struct ixl *l = parse_get(req, false, true, &ctx);
    if (!l)
        return http_replied(req);
    if (atomic_fetch_add(&exports_active, 1) >= EXPORTS_MAX) {
        atomic_fetch_sub(&exports_active, 1);
        return http_reply_problem(req, 429, "too many exports are running: try again shortly");
    }
    struct export_job *j = calloc(1, sizeof(*j));
    if (!j) {
        atomic_fetch_sub(&exports_active, 1);
        return http_reply_error(req, SB_ENOMEM);
    }
    j->app = req->app;
    j->mask = mask_for(req->caller_id, req->caller_role);
    j->actor = ctx.who.user_id;
    j->now_ms = clock_now_ms(req->app->clock);
    snprintf(j->ip, sizeof(j->ip), "%s", auth_client_ip(req) ? auth_client_ip(req) : "");
    buf_init(&j->chunk, EXPORT_CHUNK_BYTES + (256u << 10));
    int r = export_open(j, l);
    for (size_t c = 0; !r && c < EXPORT_COLS; c++)
        r = csv_cell(&j->chunk, export_header[c], c + 1 == EXPORT_COLS);
    if (r) {
        log_error("interactions export: cannot start: %d (%s)", r,
                  j->db ? db_errmsg(j->db) : "no connection");
        j->actor = 0;
        db_finalize(j->st);
        j->st = NULL;
        if (j->pg && j->db)
            db_rollback(j->db);
        db_close(j->db);
        buf_free(&j->chunk);
        free(j);
        atomic_fetch_sub(&exports_active, 1);
        return http_reply_error(req, r == SB_EINVAL ? SB_EINTERNAL : r);
    }
    struct MHD_Response *resp = MHD_create_response_from_callback(
        MHD_SIZE_UNKNOWN, EXPORT_CHUNK_BYTES, export_read, j, export_free);
    if (!resp) {
        export_free(j);
        return http_reply_error(req, SB_ENOMEM);
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/csv; charset=utf-8");
    char disposition[96];
    snprintf(disposition, sizeof(disposition), "attachment; filename=\"interactions_%s.csv\"",
             l->channel);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disposition);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    http_add_standard_headers(resp);
    req->status = 200;
    int mr = MHD_queue_response(req->conn, 200, resp);
    MHD_destroy_response(resp);
    return req->reply_result = mr;
}

/* ---- delete ----------------------------------------------------------------------------- */

struct delete_job {
    struct ixl *l;
    bool by_ids;
    int64_t actor;
    const char *ip;
};

/* Queues the 422 of a delete refused with `message` on `field`. */
static void delete_refused(struct http_req *req, const char *field, const char *message)
{
    json_t *p = http_problem_new(422, "nothing was deleted", NULL);
    http_problem_add_error(p, field, message);
    http_async_result(req, 422, p);
}

/* One transaction: check, delete, audit. Runs on a job worker. */
static void delete_work(struct http_req *req, void *arg)
{
    struct delete_job *j = arg;
    struct ixl *l = j->l;
    struct db *db = app_thread_db(req->app);
    int64_t now = clock_now_ms(req->app->clock);
    struct where w;
    buf_init(&w.sql, SQL_MAX);
    w.p = calloc(1, sizeof(*w.p));
    struct db_stmt *st = NULL;
    int64_t matched = 0, open = 0, deleted = 0;
    int next;
    int r = !db ? SB_EUNAVAIL : !w.p ? SB_ENOMEM : build_where(l, db_backend_of(db), &w);
    bool in_tx = false;
    if (!r && !(r = db_begin(db)))
        in_tx = true;
    /* What the request names: every id must be visible and closed; a search deletes its closed
     * matches, at most DELETE_BY_Q_MAX. */
    if (!r)
        r = prepare_with(db,
                         j->by_ids ? "SELECT i.id, i.status FROM interactions i JOIN contacts c ON "
                                     "c.id = i.contact_id"
                                   : "SELECT COUNT(*), COALESCE(SUM(CASE WHEN i.status = 'open' "
                                     "THEN 1 ELSE 0 END), 0) FROM interactions i JOIN contacts c "
                                     "ON c.id = i.contact_id",
                         &w, NULL, l, &st, &next);
    static _Thread_local char seen_open[IDS_MAX];
    static _Thread_local bool seen[IDS_MAX];
    if (j->by_ids) {
        memset(seen, 0, sizeof(seen));
        memset(seen_open, 0, sizeof(seen_open));
    }
    while (!r && (r = db_step(st)) == DB_ROW) {
        r = 0;
        if (!j->by_ids) {
            matched = db_col_int64(st, 0);
            open = db_col_int64(st, 1);
            continue;
        }
        int64_t id = db_col_int64(st, 0);
        for (size_t k = 0; k < l->nids; k++)
            if (l->ids[k] == id) {
                seen[k] = true;
                seen_open[k] = !strcmp(db_col_text(st, 1), "open");
            }
    }
    db_finalize(st);
    st = NULL;
    char field[32], msg[200];
    field[0] = 0;
    if (!r && j->by_ids) {
        for (size_t k = 0; k < l->nids && !field[0]; k++) {
            if (!seen[k] || seen_open[k]) {
                snprintf(field, sizeof(field), "ids[%zu]", k);
                snprintf(msg, sizeof(msg), "%s",
                         !seen[k] ? "no such interaction" : "is open: close it first");
            }
        }
        matched = (int64_t)l->nids;
    } else if (!r && matched - open > DELETE_BY_Q_MAX) {
        snprintf(field, sizeof(field), "q");
        snprintf(msg, sizeof(msg),
                 "the search matches %lld closed interactions and one delete removes at most "
                 "%d: narrow the search",
                 (long long)(matched - open), DELETE_BY_Q_MAX);
    }
    if (!r && !field[0]) {
        r = prepare_with(db,
                         "DELETE FROM interactions WHERE id IN (SELECT i.id FROM interactions i "
                         "JOIN contacts c ON c.id = i.contact_id",
                         &w, " AND i.status = 'closed')", l, &st, &next);
        if (!r && (r = db_step(st)) == DB_DONE) {
            r = 0;
            deleted = db_changes(st);
        }
        db_finalize(st);
        st = NULL;
    }
    if (!r && !field[0])
        r = audit_record(db, now, j->actor, "interactions.delete", NULL, 0, j->ip,
                         json_pack("{s:s, s:s, s:I}", "channel", l->channel, "by",
                                   j->by_ids ? "ids" : "search", "deleted", (json_int_t)deleted));
    if (!r && !field[0])
        r = db_commit(db);
    else if (in_tx)
        db_rollback(db);
    buf_free(&w.sql);
    free(w.p);
    if (field[0]) {
        delete_refused(req, field, msg);
        return;
    }
    if (r) {
        http_async_result(req, sb_err_status(r),
                          http_problem_new(sb_err_status(r), "nothing was deleted", NULL));
        return;
    }
    json_t *out = json_pack("{s:I}", "deleted", (json_int_t)deleted);
    if (!j->by_ids && out)
        json_object_set_new(out, "skipped_open", json_integer(open));
    http_async_result(req, 200, out);
}

/* The delete body's members as the query parameters' texts. */
struct body_src {
    json_t *body;
    json_t *problem;
    struct arena *arena;
};

static const char *body_get(void *src, const char *name)
{
    struct body_src *b = src;
    json_t *v = json_object_get(b->body, name);
    if (!v || json_is_null(v))
        return NULL;
    if (json_is_string(v))
        return json_string_value(v);
    char tmp[32];
    if (json_is_integer(v)) {
        snprintf(tmp, sizeof(tmp), "%lld", (long long)json_integer_value(v));
        return arena_strdup(b->arena, tmp);
    }
    if (json_is_boolean(v))
        return json_is_true(v) ? "true" : "false";
    if (json_is_array(v) && (!strcmp(name, "tags") || !strcmp(name, "ids"))) {
        struct buf t;
        buf_init(&t, 64 * 1024);
        size_t i;
        json_t *e;
        int r = 0;
        json_array_foreach(v, i, e)
        {
            if (json_is_integer(e))
                snprintf(tmp, sizeof(tmp), "%lld", (long long)json_integer_value(e));
            const char *s = json_is_integer(e) ? tmp : json_string_value(e);
            /* a member that is not a text/integer or holds a comma fails validation as "" */
            r = r ? r : buf_addf(&t, "%s%s", i ? "," : "", s && !strchr(s, ',') ? s : "");
        }
        const char *out = r ? "" : arena_strdup(b->arena, t.data ? t.data : "");
        buf_free(&t);
        return out;
    }
    return ""; /* a wrong type: fails the text validation */
}

/* POST /api/v1/interactions/delete */
int api_interactions_delete_many(struct http_req *req)
{
    struct perm_ctx ctx;
    if (!who_may(req, PERM_DELETE, &ctx))
        return http_replied(req);
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    json_t *p = http_problem_new(422, "nothing was deleted", NULL);
    struct delete_job *j = arena_calloc(&req->arena, sizeof(*j));
    struct ixl *l = arena_calloc(&req->arena, sizeof(*l));
    if (!p || !j || !l) {
        json_decref(p);
        json_decref(body);
        return http_reply_error(req, SB_ENOMEM);
    }
    static const char *const known[] = {"channel", "account_id", "from", "to",  "read",
                                        "status",  "agent_id",   "tags", "ids", "q"};
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v)
    {
        size_t n;
        for (n = 0; n < sizeof(known) / sizeof(known[0]); n++)
            if (!strcmp(k, known[n]))
                break;
        if (n == sizeof(known) / sizeof(known[0]))
            http_problem_add_error(p, k, "unknown field");
    }
    json_t *ids = json_object_get(body, "ids"), *q = json_object_get(body, "q");
    if ((ids != NULL) == (q != NULL))
        http_problem_add_error(p, ids ? "q" : "ids",
                               "give either ids (the selection) or q (the search, {} for every "
                               "interaction the filters match)");
    else if (q && !json_is_object(q))
        http_problem_add_error(p, "q", "must be a search object {match, conditions}");
    else if (ids &&
             (!json_is_array(ids) || !json_array_size(ids) || json_array_size(ids) > IDS_MAX))
        http_problem_add_error(p, "ids", "must be an array of 1 to 1000 interaction ids");
    size_t i;
    json_array_foreach(ids, i, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) < 1) {
            char name[32];
            snprintf(name, sizeof(name), "ids[%zu]", i);
            http_problem_add_error(p, name, "must be an interaction id");
        }
    }
    struct body_src src = {body, p, &req->arena};
    parse_filters(body_get, &src, false, ids != NULL, l, p, &req->arena);
    if (q)
        refuse_masked(req, q, p);
    if (q && ixs_parse(q, "q", &l->q, p) == SB_ENOMEM) {
        json_decref(body);
        json_decref(p);
        return http_reply_error(req, SB_ENOMEM);
    }
    /* parse_filters read channel etc. from the body: copy the strings out of it */
    if (l->channel)
        l->channel = arena_strdup(&req->arena, l->channel);
    if (l->status)
        l->status = arena_strdup(&req->arena, l->status);
    json_decref(body);
    if (api_problem_has_errors(p))
        return http_reply_problem_json(req, p);
    json_decref(p);
    if (!l->channel)
        return http_reply_error(req, SB_ENOMEM);
    set_scope(l, &ctx);
    j->l = l;
    j->by_ids = ids != NULL;
    j->actor = ctx.who.user_id;
    j->ip = auth_client_ip(req);
    return http_defer(req, delete_work, j);
}

/* DELETE /api/v1/interactions/{id} */
int api_interactions_delete(struct http_req *req)
{
    struct perm_ctx ctx;
    if (!who_may(req, PERM_DELETE, &ctx))
        return http_replied(req);
    int64_t id;
    if (http_param_id(req, "id", &id))
        return http_reply_problem(req, 404, "no such interaction");
    struct db *db = app_thread_db(req->app);
    if (!db)
        return http_reply_error(req, SB_EUNAVAIL);
    const char *scope = perm_interaction_scope_sql(&ctx);
    char sql[1024];
    snprintf(sql, sizeof(sql), "SELECT i.status, i.channel FROM interactions i WHERE i.id = ?%s%s",
             scope ? " AND " : "", scope ? scope : "");
    struct db_stmt *st = NULL;
    int r = db_begin(db);
    if (r)
        return http_reply_error(req, r);
    r = db_prepare(db, sql, &st);
    if (!r)
        r = scope ? db_bind_all(st, "iiii", id, ctx.profile_id, ctx.profile_id, ctx.profile_id)
                  : db_bind_int64(st, 1, id);
    bool found = false, is_open = false;
    char channel[16] = "";
    if (!r && (r = db_step(st)) == DB_ROW) {
        found = true;
        is_open = !strcmp(db_col_text(st, 0), "open");
        snprintf(channel, sizeof(channel), "%s", db_col_text(st, 1));
        r = 0;
    }
    db_finalize(st);
    int64_t changes = 0;
    if (!r && found && !is_open)
        r = db_execf(db, &changes, "DELETE FROM interactions WHERE id = ? AND status = 'closed'",
                     "i", id);
    if (!r && changes)
        r = audit_record(db, clock_now_ms(req->app->clock), ctx.who.user_id, "interactions.delete",
                         "interaction", id, auth_client_ip(req),
                         json_pack("{s:s, s:s, s:I}", "channel", channel, "by", "id", "deleted",
                                   (json_int_t)changes));
    if (!r && changes)
        r = db_commit(db);
    else
        db_rollback(db);
    if (r)
        return http_reply_error(req, r);
    if (!found)
        return http_reply_problem(req, 404, "no such interaction");
    if (is_open)
        return http_reply_problem(req, 409, "the interaction is open: close it first");
    return http_reply_empty(req, 204);
}
