/* /api/v1/intervals — time intervals (routing/intervals.h, docs/flows.md). Administrators
 * create, change and delete them; supervisors read them (every supervisor: an interval says
 * when the contact center works, nothing about staff or customers, and user profiles have no
 * section for it). An interval a flow uses cannot be deleted (409). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/handlers.h"
#include "api/json_out.h"
#include "api/resource_save.h"
#include "app.h"
#include "auth/audit.h"
#include "auth/guard.h"
#include "core/err.h"
#include "http/respond.h"
#include "routing/intervals.h"

static int get_interval(struct db *db, int64_t id, void *arg, json_t **out)
{
    (void)arg;
    return interval_get(db, id, out);
}

static int validate(struct db *db, const json_t *body, const json_t *current, json_t **clean,
                    json_t **errors)
{
    (void)db;
    return interval_validate(body, current, clean, errors);
}

static const struct resource_kind interval_kind = {
    .name = "interval",
    .unique_field = "name",
    .unique_message = "another interval has this name",
    .validate = validate,
    .create = interval_create,
    .update = interval_update,
    .get = get_interval,
};

int api_intervals_list(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_USER, &who))
        return http_replied(req);
    const char *q = http_query(req, "q");
    const char *ls = http_query(req, "limit"), *os = http_query(req, "offset");
    char *end = NULL;
    long long limit = ls ? strtoll(ls, &end, 10) : 50;
    bool limit_ok = !ls || (*ls && !*end);
    long long offset = os ? strtoll(os, &end, 10) : 0;
    bool offset_ok = !os || (*os && !*end);
    json_t *p = http_problem_new(422, "invalid query", NULL);
    if (q && strlen(q) > 64)
        http_problem_add_error(p, "q", "must be at most 64 characters");
    if (!limit_ok || limit < 1 || limit > 500)
        http_problem_add_error(p, "limit", "must be 1 to 500");
    if (!offset_ok || offset < 0)
        http_problem_add_error(p, "offset", "must be 0 or more");
    if (json_object_get(p, "errors"))
        return http_reply_problem_json(req, p);
    json_decref(p);
    struct db *db = app_thread_db(req->app);
    json_t *items = NULL;
    int64_t total = 0;
    int r = db ? interval_list(db, q, limit, offset, &items, &total) : SB_EUNAVAIL;
    if (r)
        return http_reply_error(req, r);
    return http_reply_json(req, 200,
                           json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total));
}

int api_intervals_create(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_ADMIN, &who))
        return http_replied(req);
    return resource_save(req, &interval_kind, 0, who.user_id, NULL);
}

int api_intervals_get(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    if (auth_require(req, AUTH_ROLE_USER, &who))
        return http_replied(req);
    if (http_param_id(req, "id", &id))
        return http_reply_problem(req, 404, "no such interval");
    struct db *db = app_thread_db(req->app);
    json_t *out = NULL;
    int r = db ? interval_get(db, id, &out) : SB_EUNAVAIL;
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such interval");
    return r ? http_reply_error(req, r) : http_reply_json(req, 200, out);
}

int api_intervals_patch(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    if (auth_require(req, AUTH_ROLE_ADMIN, &who))
        return http_replied(req);
    if (http_param_id(req, "id", &id))
        return http_reply_problem(req, 404, "no such interval");
    return resource_save(req, &interval_kind, id, who.user_id, NULL);
}

int api_intervals_delete(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    if (auth_require(req, AUTH_ROLE_ADMIN, &who))
        return http_replied(req);
    if (http_param_id(req, "id", &id))
        return http_reply_problem(req, 404, "no such interval");
    struct db *db = app_thread_db(req->app);
    int64_t users = 0;
    int r = db ? interval_delete(db, id, &users) : SB_EUNAVAIL;
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such interval");
    if (r == SB_ECONFLICT) {
        char detail[96];
        snprintf(detail, sizeof(detail),
                 "the interval is used by %lld flow action(s): change those flows first",
                 (long long)users);
        return http_reply_problem(req, 409, detail);
    }
    if (r)
        return http_reply_error(req, r);
    audit_record(db, clock_now_ms(req->app->clock), who.user_id, "interval.delete", "interval", id,
                 auth_client_ip(req), NULL);
    return http_reply_empty(req, 204);
}

/* "YYYY-MM-DDTHH:MM[:SS[.fff]]Z" (UTC) into milliseconds. */
static bool parse_utc(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, sec = 0, used = 0, ms = 0;
    if (strlen(s) > 32 || sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &used) != 5)
        return false;
    const char *p = s + used;
    if (*p == ':') {
        int n = 0;
        if (sscanf(p, ":%2d%n", &sec, &n) != 1 || n != 3)
            return false;
        p += n;
        if (*p == '.') {
            int digits = 0;
            for (p++; *p >= '0' && *p <= '9'; p++, digits++)
                if (digits < 3)
                    ms = ms * 10 + (*p - '0');
            if (!digits)
                return false;
            for (; digits < 3; digits++)
                ms *= 10;
        }
    }
    if (strcmp(p, "Z") || y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
        mi > 59 || sec > 59)
        return false;
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = sec};
    time_t t = timegm(&tm);
    if (t == (time_t)-1 || tm.tm_mday != d)
        return false;
    *out = (int64_t)t * 1000 + ms;
    return true;
}

int api_intervals_match(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    if (auth_require(req, AUTH_ROLE_USER, &who))
        return http_replied(req);
    if (http_param_id(req, "id", &id))
        return http_reply_problem(req, 404, "no such interval");
    const char *at_s = http_query(req, "at");
    int64_t at = clock_now_ms(req->app->clock);
    if (at_s && !parse_utc(at_s, &at)) {
        json_t *p = http_problem_new(422, "invalid query", NULL);
        http_problem_add_error(p, "at", "must be a UTC time like 2026-03-30T09:30:00Z");
        return http_reply_problem_json(req, p);
    }
    struct db *db = app_thread_db(req->app);
    json_t *iv = NULL;
    int r = db ? interval_get(db, id, &iv) : SB_EUNAVAIL;
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such interval");
    if (r)
        return http_reply_error(req, r);
    struct tm tm;
    if (interval_local_time(at, &tm)) {
        json_decref(iv);
        return http_reply_error(req, SB_EINVALID);
    }
    json_t *matched = json_array();
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(iv, "sub_intervals"), i, s)
    {
        struct sub_interval sub;
        const char *field, *msg;
        const char *type = json_string_value(json_object_get(s, "type"));
        bool always = type && !strcmp(type, "always");
        r = always ? interval_spec_parse(NULL, NULL, NULL, NULL, &sub, &field, &msg)
                   : interval_spec_parse(json_string_value(json_object_get(s, "time_range")),
                                         json_string_value(json_object_get(s, "week_days")),
                                         json_string_value(json_object_get(s, "month_days")),
                                         json_string_value(json_object_get(s, "months")), &sub,
                                         &field, &msg);
        if (!r && sub_interval_matches_tm(&sub, &tm))
            json_array_append_new(matched, json_integer((json_int_t)i));
    }
    json_decref(iv);
    char local[40], zone[16], iso[32];
    strftime(local, sizeof(local), "%Y-%m-%dT%H:%M:%S%z", &tm);
    /* +0200 → +02:00 */
    size_t n = strlen(local);
    if (n >= 5 && n + 2 < sizeof(local)) {
        memmove(local + n - 1, local + n - 2, 3);
        local[n - 2] = ':';
    }
    strftime(zone, sizeof(zone), "%Z", &tm);
    return http_reply_json(req, 200,
                           json_pack("{s:I, s:s, s:b, s:o, s:s, s:s}", "interval_id",
                                     (json_int_t)id, "at", clock_iso8601(at, iso), "matches",
                                     json_array_size(matched) > 0, "sub_intervals", matched,
                                     "local_time", local, "time_zone", zone));
}
