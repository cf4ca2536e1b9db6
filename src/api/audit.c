/* GET /api/v1/audit — the audit log, newest first, with filters (admin only). */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/csv.h"
#include "api/handlers.h"
#include "api/json_out.h"
#include "app.h"
#include "auth/audit.h"
#include "auth/guard.h"
#include "core/buf.h"
#include "core/err.h"
#include "http/respond.h"

/* Parses an optional non-negative integer query argument; false (and an error added) when
 * present but malformed or out of range. */
static bool query_int(struct http_req *req, const char *name, int64_t min, int64_t max,
                      int64_t *out, json_t *problem)
{
    const char *s = http_query(req, name);
    if (!s)
        return true;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v < min || v > max) {
        char msg[80];
        snprintf(msg, sizeof(msg), "must be an integer from %lld to %lld", (long long)min,
                 (long long)max);
        http_problem_add_error(problem, name, msg);
        return false;
    }
    *out = v;
    return true;
}

struct audit_filters {
    int64_t limit, offset, actor, target;
    const char *action;
};

/* Parses the filters; on a problem queues 422 and returns false. */
static bool audit_filters_parse(struct http_req *req, struct audit_filters *f, int64_t max_limit)
{
    memset(f, 0, sizeof(*f));
    f->limit = 50;
    json_t *p = http_problem_new(422, "invalid filters", NULL);
    bool ok = query_int(req, "limit", 1, max_limit, &f->limit, p);
    ok &= query_int(req, "offset", 0, INT32_MAX, &f->offset, p);
    ok &= query_int(req, "actor_id", 1, INT64_MAX, &f->actor, p);
    ok &= query_int(req, "target_id", 1, INT64_MAX, &f->target, p);
    f->action = http_query(req, "action");
    if (f->action && (!*f->action || strlen(f->action) > 64)) {
        http_problem_add_error(p, "action", "must be 1 to 64 characters");
        ok = false;
    }
    if (!ok) {
        http_reply_problem_json(req, p);
        return false;
    }
    json_decref(p);
    return true;
}

static int bind_filters(struct db_stmt *st, const struct audit_filters *f)
{
    const char *act = f->action ? f->action : "";
    int r = db_bind_int64(st, 1, f->actor);
    if (!r)
        r = db_bind_int64(st, 2, f->actor);
    if (!r)
        r = db_bind_int64(st, 3, f->target);
    if (!r)
        r = db_bind_int64(st, 4, f->target);
    if (!r)
        r = db_bind_text(st, 5, act, -1);
    if (!r)
        r = db_bind_text(st, 6, act, -1);
    return r;
}

#define AUDIT_WHERE                                                                                \
    " WHERE (? = 0 OR l.actor_id = ?) AND (? = 0 OR l.target_id = ?) AND (? = '' OR l.action = ?)"

/* Runs the filtered query: *total (all matches) and *items (the page), newest first. */
static int audit_query(struct db *db, const struct audit_filters *f, int64_t *total, json_t **items)
{
    struct db_stmt *st;
    int r = db_prepare(db, "SELECT COUNT(*) FROM audit_log l" AUDIT_WHERE, &st);
    if (!r)
        r = bind_filters(st, f);
    if (!r)
        r = db_step(st);
    *total = r == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (r < 0)
        return r;
    r = db_prepare(
        db,
        "SELECT l.id, l.at, l.actor_id, l.action, l.target_type, l.target_id, l.ip, "
        "l.detail, a.username FROM audit_log l LEFT JOIN staff a ON a.id = l.actor_id" AUDIT_WHERE
        " ORDER BY l.at DESC, l.id DESC LIMIT ? OFFSET ?",
        &st);
    if (r)
        return r;
    r = bind_filters(st, f);
    if (!r)
        r = db_bind_int64(st, 7, f->limit);
    if (!r)
        r = db_bind_int64(st, 8, f->offset);
    *items = json_array();
    while (!r && (r = db_step(st)) == DB_ROW) {
        const char *detail = db_col_text(st, 7);
        json_t *d = detail ? json_loads(detail, 0, NULL) : NULL;
        json_array_append_new(
            *items,
            json_pack("{s:I, s:o, s:o, s:s?, s:s, s:s?, s:o, s:s?, s:o}", "id",
                      (json_int_t)db_col_int64(st, 0), "at", json_time(db_col_int64(st, 1)),
                      "actor_id",
                      db_col_is_null(st, 2) ? json_null() : json_integer(db_col_int64(st, 2)),
                      "actor_username", db_col_text(st, 8), "action", db_col_text(st, 3),
                      "target_type", db_col_text(st, 4), "target_id",
                      db_col_is_null(st, 5) ? json_null() : json_integer(db_col_int64(st, 5)), "ip",
                      db_col_text(st, 6), "detail", d ? d : json_null()));
        r = 0;
    }
    db_finalize(st);
    if (r != DB_DONE) {
        json_decref(*items);
        *items = NULL;
        return r;
    }
    return 0;
}

int api_audit_list(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_ADMIN, &who))
        return http_replied(req);
    struct audit_filters f;
    if (!audit_filters_parse(req, &f, 500))
        return http_replied(req);
    struct db *db = app_thread_db(req->app);
    int64_t total = 0;
    json_t *items = NULL;
    int r = db ? audit_query(db, &f, &total, &items) : SB_EUNAVAIL;
    if (r)
        return http_reply_error(req, r);
    return http_reply_json(req, 200,
                           json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total));
}

#define AUDIT_EXPORT_MAX 50000

int api_audit_export(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_ADMIN, &who))
        return http_replied(req);
    struct audit_filters f;
    if (!audit_filters_parse(req, &f, AUDIT_EXPORT_MAX))
        return http_replied(req);
    if (!http_query(req, "limit"))
        f.limit = AUDIT_EXPORT_MAX;
    struct db *db = app_thread_db(req->app);
    int64_t total = 0;
    json_t *items = NULL;
    int r = db ? audit_query(db, &f, &total, &items) : SB_EUNAVAIL;
    if (r)
        return http_reply_error(req, r);
    struct buf b;
    buf_init(&b, 64u << 20);
    r = buf_adds(&b, "id,at,actor_id,actor_username,action,target_type,target_id,ip,detail\r\n");
    size_t i;
    json_t *e;
    json_array_foreach(items, i, e)
    {
        char id[24], actor[24], target[24];
        snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(e, "id")));
        json_t *a = json_object_get(e, "actor_id"), *t = json_object_get(e, "target_id");
        snprintf(actor, sizeof(actor), "%s", "");
        snprintf(target, sizeof(target), "%s", "");
        if (json_is_integer(a))
            snprintf(actor, sizeof(actor), "%lld", (long long)json_integer_value(a));
        if (json_is_integer(t))
            snprintf(target, sizeof(target), "%lld", (long long)json_integer_value(t));
        json_t *d = json_object_get(e, "detail");
        char *dtext = json_is_null(d) ? NULL : json_dumps(d, JSON_COMPACT);
        const char *cells[] = {id,
                               json_string_value(json_object_get(e, "at")),
                               actor,
                               json_string_value(json_object_get(e, "actor_username")),
                               json_string_value(json_object_get(e, "action")),
                               json_string_value(json_object_get(e, "target_type")),
                               target,
                               json_string_value(json_object_get(e, "ip")),
                               dtext};
        for (int c = 0; !r && c < 9; c++)
            r = csv_cell(&b, cells[c], c == 8);
        free(dtext);
        if (r)
            break;
    }
    json_decref(items);
    if (r) {
        buf_free(&b);
        return http_reply_error(req, r == SB_ETOOBIG ? SB_ETOOBIG : SB_ENOMEM);
    }
    char count[24];
    snprintf(count, sizeof(count), "%lld", (long long)total);
    audit_record(db, clock_now_ms(req->app->clock), who.user_id, "audit.export", NULL, 0,
                 auth_client_ip(req), json_pack("{s:I}", "rows", (json_int_t)total));
    return csv_reply(req, &b, "audit.csv", "X-Total-Count", count);
}
