/* /api/v1/reports — the digital channels' reports (docs/reports.md): the queue report
 * report_<channel>_queue and its per-queue summary, agents' sessions and pauses; each as a
 * paged JSON list and as a CSV export with the same filters.
 *
 * Section "reports" of a user profile (read). Admins see everything; a supervisor sees the
 * rows of its profile's queues (queue report, summary) or of the agents of those queues
 * (sessions, pauses), filtered in the query. Agents 403, anonymous 401. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/settings.h"
#include "api/csv.h"
#include "api/handlers.h"
#include "api/json_out.h"
#include "app.h"
#include "auth/audit.h"
#include "auth/permissions.h"
#include "core/err.h"
#include "core/iso8601.h"
#include "http/respond.h"
#include "routing/reports.h"

/* The CSV of one export is built in memory (like every export): this is its hard maximum. */
#define REPORT_CSV_MAX_BYTES (64u << 20)

/* A query argument that must be an integer from min to max (plain decimal digits). */
static bool arg_int(struct http_req *req, json_t *p, const char *name, int64_t min, int64_t max,
                    int64_t *out)
{
    const char *s = http_query(req, name);
    if (!s)
        return true;
    char *end = NULL;
    long long v = 0;
    bool ok = *s >= '0' && *s <= '9' && strlen(s) <= 19;
    if (ok) {
        v = strtoll(s, &end, 10);
        ok = !*end && v >= min && v <= max;
    }
    if (!ok) {
        char msg[96];
        snprintf(msg, sizeof(msg), "must be an integer from %lld to %lld", (long long)min,
                 (long long)max);
        http_problem_add_error(p, name, msg);
        return false;
    }
    *out = v;
    return true;
}

/* A query argument that must be an ISO-8601 instant (core/iso8601.h). */
static bool arg_time(struct http_req *req, json_t *p, const char *name, int64_t *out)
{
    const char *s = http_query(req, name);
    if (!s)
        return true;
    if (strlen(s) > 40 || !iso8601_parse(s, out)) {
        http_problem_add_error(p, name,
                               "must be an ISO-8601 time with a zone, such as "
                               "2026-11-22T09:00:00Z, or a date such as 2026-11-22 (midnight "
                               "UTC)");
        return false;
    }
    return true;
}

/* Parses the filters of `kind` into *f (strings point into the request). max_limit caps
 * `limit`. On a bad value queues 422 naming every bad field and returns false. */
static bool parse_filters(struct http_req *req, enum report_kind kind, int64_t max_limit,
                          struct report_filter *f)
{
    bool queue = kind == REPORT_QUEUE || kind == REPORT_QUEUE_SUMMARY;
    json_t *p = http_problem_new(422, "invalid filters", NULL);
    if (!p) {
        http_reply_error(req, SB_ENOMEM);
        return false;
    }
    f->from_ms = f->to_ms = -1;
    f->limit = kind == REPORT_QUEUE_SUMMARY ? REPORT_LIST_MAX : 50;
    bool ok = arg_time(req, p, "from", &f->from_ms);
    ok &= arg_time(req, p, "to", &f->to_ms);
    if (ok && f->from_ms >= 0 && f->to_ms >= 0 && f->to_ms <= f->from_ms) {
        http_problem_add_error(p, "to", "must be later than from");
        ok = false;
    }
    ok &= arg_int(req, p, "agent_id", 1, INT64_MAX, &f->agent_id);
    ok &= arg_int(req, p, "limit", 1, max_limit, &f->limit);
    ok &= arg_int(req, p, "offset", 0, INT32_MAX, &f->offset);
    if (queue) {
        ok &= arg_int(req, p, "queue_id", 1, INT64_MAX, &f->queue_id);
        ok &= arg_int(req, p, "interaction_id", 1, INT64_MAX, &f->interaction_id);
        f->reason = http_query(req, "reason");
        if (f->reason && strcmp(f->reason, "accepted") && strcmp(f->reason, "timeout") &&
            strcmp(f->reason, "abandoned")) {
            http_problem_add_error(p, "reason", "must be accepted, timeout or abandoned");
            ok = false;
        }
    } else {
        const char *ch = http_query(req, "channel");
        if (ch && !(f->channel = report_channel_name(ch))) {
            http_problem_add_error(p, "channel",
                                   "must be chat, email, sms, openchannel, fax or whatsapp");
            ok = false;
        }
    }
    f->sort = http_query(req, "sort");
    if (f->sort && !report_sort_valid(kind, f->sort)) {
        char msg[256];
        snprintf(msg, sizeof(msg), "must be one of %s (- first for descending)",
                 report_sort_keys(kind));
        http_problem_add_error(p, "sort", msg);
        ok = false;
    }
    if (!ok) {
        http_reply_problem_json(req, p);
        return false;
    }
    json_decref(p);
    return true;
}

/* Common start: the caller may read reports, the channel of a queue route exists, the filters
 * are valid. Fills *f (scope, now) and *db; on any refusal the answer is queued. */
static bool report_route(struct http_req *req, enum report_kind kind, int64_t max_limit,
                         struct report_filter *f, struct perm_ctx *ctx, struct db **db)
{
    memset(f, 0, sizeof(*f));
    if (perm_require(req, PERM_SECTION_REPORTS, PERM_READ, ctx))
        return false;
    bool queue = kind == REPORT_QUEUE || kind == REPORT_QUEUE_SUMMARY;
    if (queue && !(f->channel = report_channel_name(http_param(req, "channel")))) {
        http_reply_problem(req, 404,
                           "no such report: the channel is not one of chat, email, "
                           "sms, openchannel, fax, whatsapp");
        return false;
    }
    if (!parse_filters(req, kind, max_limit, f))
        return false;
    f->scope_sql = perm_scope_sql(ctx, queue ? "queue" : "agent");
    f->scope_profile = ctx->profile_id;
    f->now_ms = clock_now_ms(req->app->clock);
    *db = app_thread_db(req->app);
    if (!*db) {
        http_reply_error(req, SB_EUNAVAIL);
        return false;
    }
    return true;
}

static json_t *id_or_null(int64_t id)
{
    return id ? json_integer(id) : json_null();
}

static json_t *queue_row_json(const struct report_queue_row *r)
{
    return json_pack("{s:I, s:I, s:o, s:s?, s:o, s:o, s:o, s:s?, s:o, s:s?, s:s?, s:I}", "id",
                     (json_int_t)r->id, "interaction_id", (json_int_t)r->interaction_id, "queue_id",
                     id_or_null(r->queue_id), "queue_name", r->queue_name, "joined_at",
                     json_time(r->joined_at), "accepted_at", json_time(r->accepted_at), "left_at",
                     json_time(r->left_at), "reason", r->reason, "agent_id",
                     id_or_null(r->agent_id), "agent_name", r->agent_name, "agent_username",
                     r->agent_username, "wait_ms", (json_int_t)r->wait_ms);
}

static json_t *summary_row_json(const struct report_queue_summary_row *r)
{
    return json_pack("{s:o, s:s?, s:I, s:I, s:I, s:I, s:I, s:o}", "queue_id",
                     id_or_null(r->queue_id), "queue_name", r->queue_name, "joined",
                     (json_int_t)r->joined, "accepted", (json_int_t)r->accepted, "timeout",
                     (json_int_t)r->timeout, "abandoned", (json_int_t)r->abandoned, "waiting",
                     (json_int_t)r->waiting, "avg_wait_ms",
                     r->avg_wait_ms < 0 ? json_null() : json_integer(r->avg_wait_ms));
}

static json_t *session_row_json(const struct report_span_row *r)
{
    return json_pack("{s:I, s:I, s:s?, s:s?, s:s?, s:o, s:o, s:I}", "id", (json_int_t)r->id,
                     "agent_id", (json_int_t)r->agent_id, "agent_name", r->agent_name,
                     "agent_username", r->agent_username, "channel", r->what, "login_at",
                     json_time(r->start_ms), "logout_at", json_time(r->end_ms), "duration_ms",
                     (json_int_t)r->duration_ms);
}

static json_t *pause_row_json(const struct report_span_row *r)
{
    return json_pack("{s:I, s:I, s:s?, s:s?, s:s?, s:o, s:o, s:I}", "id", (json_int_t)r->id,
                     "agent_id", (json_int_t)r->agent_id, "agent_name", r->agent_name,
                     "agent_username", r->agent_username, "reason", r->what, "paused_at",
                     json_time(r->start_ms), "unpaused_at", json_time(r->end_ms), "duration_ms",
                     (json_int_t)r->duration_ms);
}

/* A CSV column: the JSON field it shows; `hms` shows an integer of milliseconds as the
 * product's HH:MM:SS (hours may pass 24) under the name `header`. */
struct csv_col {
    const char *header, *field;
    bool hms;
};

static const struct csv_col queue_cols[] = {
    {"id", "id", false},
    {"interaction_id", "interaction_id", false},
    {"queue_id", "queue_id", false},
    {"queue_name", "queue_name", false},
    {"joined_at", "joined_at", false},
    {"accepted_at", "accepted_at", false},
    {"left_at", "left_at", false},
    {"reason", "reason", false},
    {"agent_id", "agent_id", false},
    {"agent_name", "agent_name", false},
    {"agent_username", "agent_username", false},
    {"wait_ms", "wait_ms", false},
    {"wait", "wait_ms", true},
};
static const struct csv_col summary_cols[] = {
    {"queue_id", "queue_id", false},   {"queue_name", "queue_name", false},
    {"joined", "joined", false},       {"accepted", "accepted", false},
    {"timeout", "timeout", false},     {"abandoned", "abandoned", false},
    {"waiting", "waiting", false},     {"avg_wait_ms", "avg_wait_ms", false},
    {"avg_wait", "avg_wait_ms", true},
};
static const struct csv_col session_cols[] = {
    {"id", "id", false},
    {"agent_id", "agent_id", false},
    {"agent_name", "agent_name", false},
    {"agent_username", "agent_username", false},
    {"channel", "channel", false},
    {"login_at", "login_at", false},
    {"logout_at", "logout_at", false},
    {"duration_ms", "duration_ms", false},
    {"duration", "duration_ms", true},
};
static const struct csv_col pause_cols[] = {
    {"id", "id", false},
    {"agent_id", "agent_id", false},
    {"agent_name", "agent_name", false},
    {"agent_username", "agent_username", false},
    {"reason", "reason", false},
    {"paused_at", "paused_at", false},
    {"unpaused_at", "unpaused_at", false},
    {"duration_ms", "duration_ms", false},
    {"duration", "duration_ms", true},
};

/* Where rows go: a JSON array, or CSV cells under `cols`. */
struct sink {
    json_t *items;
    struct buf *csv;
    const struct csv_col *cols;
    size_t ncols;
    int64_t rows;
};

/* Writes row `o` (stolen) to the sink. */
static int sink_put(struct sink *s, json_t *o)
{
    if (!o)
        return SB_ENOMEM;
    s->rows++;
    if (s->items)
        return json_array_append_new(s->items, o) ? SB_ENOMEM : 0;
    int r = 0;
    for (size_t c = 0; !r && c < s->ncols; c++) {
        json_t *v = json_object_get(o, s->cols[c].field);
        char tmp[48];
        const char *text = json_string_value(v);
        if (json_is_integer(v) && s->cols[c].hms) {
            long long ms = (long long)json_integer_value(v), secs = ms / 1000;
            snprintf(tmp, sizeof(tmp), "%02lld:%02lld:%02lld", secs / 3600, secs / 60 % 60,
                     secs % 60);
            text = tmp;
        } else if (json_is_integer(v)) {
            snprintf(tmp, sizeof(tmp), "%lld", (long long)json_integer_value(v));
            text = tmp;
        }
        r = csv_cell(s->csv, text, c + 1 == s->ncols);
    }
    json_decref(o);
    return r;
}

static int queue_cb(const struct report_queue_row *row, void *arg)
{
    return sink_put(arg, queue_row_json(row));
}

static int summary_cb(const struct report_queue_summary_row *row, void *arg)
{
    return sink_put(arg, summary_row_json(row));
}

static int session_cb(const struct report_span_row *row, void *arg)
{
    return sink_put(arg, session_row_json(row));
}

static int pause_cb(const struct report_span_row *row, void *arg)
{
    return sink_put(arg, pause_row_json(row));
}

/* Runs the reader of `kind` into `s`. */
static int run_report(struct db *db, enum report_kind kind, const struct report_filter *f,
                      int64_t *total, struct sink *s)
{
    switch (kind) {
    case REPORT_QUEUE:
        return report_queue_rows(db, f, total, queue_cb, s);
    case REPORT_QUEUE_SUMMARY:
        return report_queue_summary(db, f, total, summary_cb, s);
    case REPORT_SESSIONS:
        return report_session_rows(db, f, total, session_cb, s);
    case REPORT_PAUSES:
        return report_pause_rows(db, f, total, pause_cb, s);
    }
    return SB_EINTERNAL;
}

static int report_list(struct http_req *req, enum report_kind kind)
{
    struct report_filter f;
    struct perm_ctx ctx;
    struct db *db;
    if (!report_route(req, kind, REPORT_LIST_MAX, &f, &ctx, &db))
        return http_replied(req);
    struct sink s = {.items = json_array()};
    int64_t total = 0;
    int r = s.items ? run_report(db, kind, &f, &total, &s) : SB_ENOMEM;
    if (r) {
        json_decref(s.items);
        return http_reply_error(req, r);
    }
    return http_reply_json(req, 200,
                           json_pack("{s:o, s:I}", "items", s.items, "total", (json_int_t)total));
}

/* Queues the 422 of an export that would pass its cap. */
static int export_refused(struct http_req *req, const char *why)
{
    json_t *p = http_problem_new(422, why, NULL);
    if (!p)
        return http_reply_error(req, SB_ENOMEM);
    http_problem_add_error(p, "limit", why);
    return http_reply_problem_json(req, p);
}

static int report_export(struct http_req *req, enum report_kind kind, const char *filename)
{
    static const struct {
        const struct csv_col *cols;
        size_t n;
    } tables[] = {
        [REPORT_QUEUE] = {queue_cols, sizeof(queue_cols) / sizeof(queue_cols[0])},
        [REPORT_QUEUE_SUMMARY] = {summary_cols, sizeof(summary_cols) / sizeof(summary_cols[0])},
        [REPORT_SESSIONS] = {session_cols, sizeof(session_cols) / sizeof(session_cols[0])},
        [REPORT_PAUSES] = {pause_cols, sizeof(pause_cols) / sizeof(pause_cols[0])},
    };
    int64_t cap = settings_get_int("reports.export_max_rows");
    struct report_filter f;
    struct perm_ctx ctx;
    struct db *db;
    if (!report_route(req, kind, cap, &f, &ctx, &db))
        return http_replied(req);
    /* Without an explicit page, one row past the cap tells that the filters match too much:
     * refused with a message rather than silently cut. */
    bool paged = http_query(req, "limit") != NULL;
    if (!paged)
        f.limit = cap + 1;
    struct buf b;
    buf_init(&b, REPORT_CSV_MAX_BYTES);
    struct sink s = {.csv = &b, .cols = tables[kind].cols, .ncols = tables[kind].n};
    int r = 0;
    for (size_t c = 0; !r && c < s.ncols; c++)
        r = csv_cell(&b, s.cols[c].header, c + 1 == s.ncols);
    int64_t total = 0;
    if (!r)
        r = run_report(db, kind, &f, &total, &s);
    char why[320];
    if (!r && !paged && s.rows > cap) {
        buf_free(&b);
        snprintf(why, sizeof(why),
                 "the filters match %lld rows and an export holds at most %lld (setting "
                 "reports.export_max_rows): narrow from/to or export in pages with limit and "
                 "offset",
                 (long long)total, (long long)cap);
        return export_refused(req, why);
    }
    if (r == SB_ETOOBIG) {
        buf_free(&b);
        snprintf(why, sizeof(why),
                 "the export would pass %u MiB: narrow from/to or export in pages with limit "
                 "and offset",
                 REPORT_CSV_MAX_BYTES >> 20);
        return export_refused(req, why);
    }
    if (r) {
        buf_free(&b);
        return http_reply_error(req, r);
    }
    audit_record(db, f.now_ms, ctx.who.user_id, "report.export", NULL, 0, auth_client_ip(req),
                 json_pack("{s:s, s:I}", "report", filename, "rows", (json_int_t)s.rows));
    char count[24];
    snprintf(count, sizeof(count), "%lld", (long long)total);
    return csv_reply(req, &b, filename, "X-Total-Count", count);
}

/* The file name of a queue report's export: report_<channel>_queue[_summary].csv. */
static const char *queue_filename(struct http_req *req, bool summary)
{
    const char *ch = report_channel_name(http_param(req, "channel"));
    char name[64];
    snprintf(name, sizeof(name), "report_%s_queue%s.csv", ch ? ch : "unknown",
             summary ? "_summary" : "");
    return arena_strdup(&req->arena, name);
}

int api_reports_queue_list(struct http_req *req)
{
    return report_list(req, REPORT_QUEUE);
}

int api_reports_queue_export(struct http_req *req)
{
    const char *name = queue_filename(req, false);
    return name ? report_export(req, REPORT_QUEUE, name) : http_reply_error(req, SB_ENOMEM);
}

int api_reports_queue_summary(struct http_req *req)
{
    return report_list(req, REPORT_QUEUE_SUMMARY);
}

int api_reports_queue_summary_export(struct http_req *req)
{
    const char *name = queue_filename(req, true);
    return name ? report_export(req, REPORT_QUEUE_SUMMARY, name) : http_reply_error(req, SB_ENOMEM);
}

int api_reports_sessions_list(struct http_req *req)
{
    return report_list(req, REPORT_SESSIONS);
}

int api_reports_sessions_export(struct http_req *req)
{
    return report_export(req, REPORT_SESSIONS, "report_agent_sessions.csv");
}

int api_reports_pauses_list(struct http_req *req)
{
    return report_list(req, REPORT_PAUSES);
}

int api_reports_pauses_export(struct http_req *req)
{
    return report_export(req, REPORT_PAUSES, "report_agent_pauses.csv");
}
