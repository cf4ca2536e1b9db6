/* GET /api/v1/audit — the audit log, newest first, with filters (admin only). */
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/json_out.h"
#include "app.h"
#include "auth/guard.h"
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

int api_audit_list(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_ADMIN, &who))
        return http_replied(req);
    int64_t limit = 50, offset = 0, actor = 0, target = 0;
    json_t *p = http_problem_new(422, "invalid filters", NULL);
    bool ok = query_int(req, "limit", 1, 500, &limit, p);
    ok &= query_int(req, "offset", 0, INT32_MAX, &offset, p);
    ok &= query_int(req, "actor_id", 1, INT64_MAX, &actor, p);
    ok &= query_int(req, "target_id", 1, INT64_MAX, &target, p);
    const char *action = http_query(req, "action");
    if (action && (!*action || strlen(action) > 64)) {
        http_problem_add_error(p, "action", "must be 1 to 64 characters");
        ok = false;
    }
    if (!ok)
        return http_reply_problem_json(req, p);
    json_decref(p);
    struct db *db = app_thread_db(req->app);
    if (!db)
        return http_reply_error(req, SB_EUNAVAIL);
    const char *where = " WHERE (? = 0 OR actor_id = ?) AND (? = 0 OR target_id = ?) AND "
                        "(? = '' OR action = ?)";
    char sql[512];
    int64_t total = 0;
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM audit_log%s", where);
    struct db_stmt *st;
    int r = db_prepare(db, sql, &st);
    for (int pass = 0; pass < 2 && !r; pass++) {
        const char *act = action ? action : "";
        r = db_bind_int64(st, 1, actor);
        if (!r)
            r = db_bind_int64(st, 2, actor);
        if (!r)
            r = db_bind_int64(st, 3, target);
        if (!r)
            r = db_bind_int64(st, 4, target);
        if (!r)
            r = db_bind_text(st, 5, act, -1);
        if (!r)
            r = db_bind_text(st, 6, act, -1);
        if (r)
            break;
        if (pass == 0) {
            r = db_step(st);
            total = r == DB_ROW ? db_col_int64(st, 0) : 0;
            r = r == DB_ROW ? 0 : r;
            db_finalize(st);
            st = NULL;
            snprintf(sql, sizeof(sql),
                     "SELECT id, at, actor_id, action, target_type, target_id, ip, detail FROM "
                     "audit_log%s ORDER BY at DESC, id DESC LIMIT ? OFFSET ?",
                     where);
            if (!r)
                r = db_prepare(db, sql, &st);
        } else {
            r = db_bind_int64(st, 7, limit);
            if (!r)
                r = db_bind_int64(st, 8, offset);
        }
    }
    if (r) {
        db_finalize(st);
        return http_reply_error(req, r);
    }
    json_t *items = json_array();
    while ((r = db_step(st)) == DB_ROW) {
        const char *detail = db_col_text(st, 7);
        json_t *d = detail ? json_loads(detail, 0, NULL) : NULL;
        json_array_append_new(
            items,
            json_pack("{s:I, s:o, s:o, s:s, s:s?, s:o, s:s?, s:o}", "id",
                      (json_int_t)db_col_int64(st, 0), "at", json_time(db_col_int64(st, 1)),
                      "actor_id",
                      db_col_is_null(st, 2) ? json_null() : json_integer(db_col_int64(st, 2)),
                      "action", db_col_text(st, 3), "target_type", db_col_text(st, 4), "target_id",
                      db_col_is_null(st, 5) ? json_null() : json_integer(db_col_int64(st, 5)), "ip",
                      db_col_text(st, 6), "detail", d ? d : json_null()));
    }
    db_finalize(st);
    if (r != DB_DONE) {
        json_decref(items);
        return http_reply_error(req, r);
    }
    return http_reply_json(req, 200,
                           json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total));
}
