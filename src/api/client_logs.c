/* POST /api/v1/client-logs — an agent's web client sends its log entries (issue #4 "Client
 * logs"). Only a signed-in agent whose client logs an administrator switched on; the whole
 * batch is validated before anything is written (one bad entry: 422 naming it, nothing
 * written); entries below the agent's minimum level are counted and dropped; the rest go to
 * staff/client_logs.h's files before 202 is answered. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/handlers.h"
#include "app.h"
#include "auth/guard.h"
#include "core/err.h"
#include "http/respond.h"
#include "staff/client_logs.h"
#include "staff/client_logs_notify.h"

/* Latest client time accepted: 9999-12-31T23:59:59.999Z. */
#define CLIENT_MS_MAX 253402300799999LL
/* Field errors reported at most, so a batch of 200 bad entries gets a bounded answer. */
#define ERRORS_MAX 50

struct checker {
    json_t *problem;
    int count;
};

static void bad(struct checker *c, size_t index, const char *key, const char *message)
{
    if (c->count++ >= ERRORS_MAX)
        return;
    char field[96];
    if (key)
        snprintf(field, sizeof(field), "entries[%zu].%s", index, key);
    else
        snprintf(field, sizeof(field), "entries[%zu]", index);
    http_problem_add_error(c->problem, field, message);
}

/* Reads exactly `n` digits at *p into *out and advances; false when they are not there. */
static bool digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char ch = (*p)[i];
        if (ch < '0' || ch > '9')
            return false;
        v = v * 10 + (ch - '0');
    }
    *p += n;
    *out = v;
    return true;
}

/* Parses an RFC 3339 time "2026-11-22T03:11:33(.123…)(Z|±hh:mm)" into UTC ms. */
static bool parse_iso(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, sec, ms = 0;
    const char *p = s;
    if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
        !digits(&p, 2, &d) || (*p != 'T' && *p != 't'))
        return false;
    p++;
    if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi) || *p++ != ':' ||
        !digits(&p, 2, &sec))
        return false;
    if (*p == '.') {
        p++;
        int n = 0;
        for (; *p >= '0' && *p <= '9'; p++, n++)
            if (n < 3)
                ms = ms * 10 + (*p - '0');
        if (n == 0 || n > 9)
            return false;
        for (int i = n; i < 3; i++)
            ms *= 10;
    }
    int offset_min = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, oh, om;
        if (!digits(&p, 2, &oh) || *p++ != ':' || !digits(&p, 2, &om) || oh > 23 || om > 59)
            return false;
        offset_min = sign * (oh * 60 + om);
    } else {
        return false;
    }
    if (*p || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59)
        return false;
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = sec};
    time_t t = timegm(&tm);
    /* timegm normalizes 31 April to 1 May: a changed day means the date did not exist. */
    if (t == (time_t)-1 || tm.tm_mday != d || tm.tm_mon != mo - 1)
        return false;
    int64_t v = (int64_t)t * 1000 + ms - (int64_t)offset_min * 60000;
    if (v < 0 || v > CLIENT_MS_MAX)
        return false;
    *out = v;
    return true;
}

/* A string of 1..max bytes (0..max when `empty_ok`) without NUL; NULL otherwise. */
static const char *text_of(json_t *v, size_t max, bool empty_ok)
{
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (!s || n > max || strlen(s) != n || (!empty_ok && n == 0))
        return NULL;
    return s;
}

/* Validates entry `i`, filling *e; errors go to the checker. */
static void check_entry(struct checker *c, size_t i, json_t *o, struct client_log_entry *e)
{
    if (!json_is_object(o)) {
        bad(c, i, NULL, "must be an object");
        return;
    }
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        if (strcmp(k, "level") && strcmp(k, "message") && strcmp(k, "at") && strcmp(k, "source") &&
            strcmp(k, "url"))
            bad(c, i, strlen(k) <= 32 && !strchr(k, '"') ? k : NULL,
                "is not a field of a log entry (level, message, at, source, url)");
    }
    int level = client_log_level_parse(json_string_value(json_object_get(o, "level")));
    if (level < 0)
        bad(c, i, "level", "must be one of ERROR, WARNING, INFO, DEBUG");
    else
        e->level = (enum client_log_level)level;
    e->message = text_of(json_object_get(o, "message"), CLIENT_LOG_MESSAGE_MAX, true);
    if (!e->message)
        bad(c, i, "message", "is required: a string of at most 8192 bytes");
    json_t *at = json_object_get(o, "at");
    if (json_is_integer(at) && json_integer_value(at) >= 0 &&
        json_integer_value(at) <= CLIENT_MS_MAX)
        e->client_ms = json_integer_value(at);
    else if (!json_is_string(at) || !parse_iso(json_string_value(at), &e->client_ms))
        bad(c, i, "at",
            "is required: milliseconds since 1970 (an integer) or an ISO-8601 time with a zone");
    json_t *src = json_object_get(o, "source");
    if (src && !(e->source = text_of(src, CLIENT_LOG_SOURCE_MAX, false)))
        bad(c, i, "source", "must be a string of 1 to 256 bytes");
    json_t *url = json_object_get(o, "url");
    if (url && !(e->url = text_of(url, CLIENT_LOG_URL_MAX, false)))
        bad(c, i, "url", "must be a string of 1 to 1024 bytes");
}

int api_client_logs_post(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_AGENT, &who))
        return http_replied(req);
    if (who.role != AUTH_ROLE_AGENT)
        return http_reply_problem(req, 403, "client logs are sent by agents only");
    struct db *db = app_thread_db(req->app);
    struct client_logs_state state;
    int r = db ? client_logs_load_state(db, who.user_id, &state) : SB_EUNAVAIL;
    if (r)
        return http_reply_error(req, r);
    if (!state.enabled)
        return http_reply_problem(req, 403, "client logs are not enabled for you");

    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    struct checker c = {.problem = http_problem_new(422, "invalid log entries", NULL)};
    if (!c.problem) {
        json_decref(body);
        return http_reply_error(req, SB_ENOMEM);
    }
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v)
    {
        if (strcmp(k, "entries")) {
            http_problem_add_error(c.problem, strlen(k) <= 32 ? k : "body",
                                   "is not a field (only entries)");
            c.count++;
        }
    }
    json_t *list = json_object_get(body, "entries");
    size_t n = json_array_size(list);
    struct client_log_entry *entries = NULL;
    if (!json_is_array(list) || n < 1 || n > CLIENT_LOG_BATCH_MAX) {
        http_problem_add_error(c.problem, "entries", "is required: an array of 1 to 200 entries");
        c.count++;
    } else if (!(entries = arena_calloc(&req->arena, n * sizeof(*entries)))) {
        json_decref(c.problem);
        json_decref(body);
        return http_reply_error(req, SB_ENOMEM);
    } else {
        for (size_t i = 0; i < n; i++)
            check_entry(&c, i, json_array_get(list, i), &entries[i]);
    }
    if (c.count) {
        json_decref(body);
        return http_reply_problem_json(req, c.problem);
    }
    json_decref(c.problem);

    /* Keep what is at or above the minimum, in order (in place: entries is ours). */
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (entries[i].level >= state.level)
            entries[kept++] = entries[i];
    struct client_logs_limits lim = {
        .data_dir = req->app->cfg.server_data_dir,
        .max_file_bytes = (size_t)req->app->cfg.client_logs_max_file_bytes,
        .max_files = req->app->cfg.client_logs_max_files,
    };
    r = client_logs_append(&lim, who.account.username, clock_now_ms(req->app->clock), entries,
                           kept);
    json_decref(body); /* after the append: the entries point into it */
    if (r) {
        int status = r == SB_ENOMEM ? 500 : 503;
        return http_reply_problem(req, status, "the log entries were not written");
    }
    return http_reply_json(
        req, 202,
        json_pack("{s:I, s:I}", "written", (json_int_t)kept, "ignored", (json_int_t)(n - kept)));
}
