#include "routing/reports.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"

/* The view of each channel is named after it (migration 0013); the name put into SQL is
 * always one of these literals, never the caller's text. */
static const char *const channels[] = {"chat", "email", "sms", "openchannel", "fax", "whatsapp"};

const char *report_channel_name(const char *channel)
{
    for (size_t i = 0; channel && i < sizeof(channels) / sizeof(channels[0]); i++)
        if (!strcmp(channel, channels[i]))
            return channels[i];
    return NULL;
}

/* A sort key: ORDER BY `expr`, or for a duration (end_col set) the span from `expr` to
 * end_col or now. Nullable keys put NULLs last in both directions on both backends. */
struct sort_key {
    const char *name, *expr, *end_col;
    bool nullable;
};

static const struct sort_key queue_sorts[] = {
    {"joined_at", "r.joined_at", NULL, false}, {"accepted_at", "r.accepted_at", NULL, true},
    {"left_at", "r.left_at", NULL, true},      {"interaction_id", "r.interaction_id", NULL, false},
    {"queue_id", "r.queue_id", NULL, true},    {"agent_id", "r.agent_id", NULL, true},
    {"reason", "r.reason", NULL, true},        {"wait", "r.joined_at", "r.left_at", false}};
static const struct sort_key summary_sorts[] = {
    {"queue_name", "MAX(q.name)", NULL, true},
    {"queue_id", "r.queue_id", NULL, true},
    {"joined", "COUNT(*)", NULL, false},
    {"accepted", "SUM(CASE WHEN r.reason = 'accepted' THEN 1 ELSE 0 END)", NULL, false},
    {"timeout", "SUM(CASE WHEN r.reason = 'timeout' THEN 1 ELSE 0 END)", NULL, false},
    {"abandoned", "SUM(CASE WHEN r.reason = 'abandoned' THEN 1 ELSE 0 END)", NULL, false},
    {"waiting", "SUM(CASE WHEN r.left_at IS NULL THEN 1 ELSE 0 END)", NULL, false}};
static const struct sort_key session_sorts[] = {{"login_at", "r.login_at", NULL, false},
                                                {"logout_at", "r.logout_at", NULL, true},
                                                {"agent_id", "r.staff_id", NULL, false},
                                                {"channel", "r.channel", NULL, false},
                                                {"duration", "r.login_at", "r.logout_at", false}};
static const struct sort_key pause_sorts[] = {{"paused_at", "r.paused_at", NULL, false},
                                              {"unpaused_at", "r.unpaused_at", NULL, true},
                                              {"agent_id", "r.staff_id", NULL, false},
                                              {"duration", "r.paused_at", "r.unpaused_at", false}};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

struct sort_table {
    const struct sort_key *keys;
    size_t n;
    const char *def, *tie, *names;
};

static const struct sort_table sort_tables[] = {
    [REPORT_QUEUE] = {queue_sorts, COUNT_OF(queue_sorts), "-joined_at", "r.id",
                      "joined_at, accepted_at, left_at, interaction_id, queue_id, agent_id, "
                      "reason or wait"},
    [REPORT_QUEUE_SUMMARY] = {summary_sorts, COUNT_OF(summary_sorts), "queue_name", "r.queue_id",
                              "queue_name, queue_id, joined, accepted, timeout, abandoned or "
                              "waiting"},
    [REPORT_SESSIONS] = {session_sorts, COUNT_OF(session_sorts), "-login_at", "r.id",
                         "login_at, logout_at, agent_id, channel or duration"},
    [REPORT_PAUSES] = {pause_sorts, COUNT_OF(pause_sorts), "-paused_at", "r.id",
                       "paused_at, unpaused_at, agent_id or duration"},
};

static const struct sort_key *sort_find(enum report_kind kind, const char *sort)
{
    const struct sort_table *t = &sort_tables[kind];
    const char *name = sort && sort[0] == '-' ? sort + 1 : sort;
    for (size_t i = 0; name && i < t->n; i++)
        if (!strcmp(name, t->keys[i].name))
            return &t->keys[i];
    return NULL;
}

bool report_sort_valid(enum report_kind kind, const char *sort)
{
    return sort_find(kind, sort) != NULL;
}

const char *report_sort_keys(enum report_kind kind)
{
    return sort_tables[kind].names;
}

/* ORDER BY … for `kind` and f->sort (the default when NULL). SB_EINVAL for an unknown key. */
static int order_by(struct buf *sql, enum report_kind kind, const struct report_filter *f)
{
    const struct sort_table *t = &sort_tables[kind];
    const char *sort = f->sort ? f->sort : t->def;
    const struct sort_key *k = sort_find(kind, sort);
    if (!k)
        return SB_EINVAL;
    const char *dir = sort[0] == '-' ? "DESC" : "ASC";
    int r = buf_adds(sql, " ORDER BY ");
    if (!r && k->nullable)
        r = buf_addf(sql, "(%s IS NULL), ", k->expr);
    if (!r && k->end_col)
        r = buf_addf(sql, "(COALESCE(%s, %lld) - %s) %s", k->end_col, (long long)f->now_ms, k->expr,
                     dir);
    else if (!r)
        r = buf_addf(sql, "%s %s", k->expr, dir);
    if (!r)
        r = buf_addf(sql, ", %s %s", t->tie, dir);
    return r;
}

/* A WHERE clause under construction: fixed fragments and the values to bind, in order. */
#define WHERE_MAX_BINDS 12

struct where {
    struct buf sql;
    int n;
    char types[WHERE_MAX_BINDS];
    int64_t ints[WHERE_MAX_BINDS];
    const char *texts[WHERE_MAX_BINDS];
};

/* Appends " AND <frag>" binding `v` (type 'i') or `s` (type 't') to its placeholder. */
static int where_add(struct where *w, const char *frag, char type, int64_t v, const char *s)
{
    if (w->n == WHERE_MAX_BINDS)
        return SB_EINTERNAL;
    int r = buf_addf(&w->sql, " AND %s", frag);
    if (r)
        return r;
    w->types[w->n] = type;
    w->ints[w->n] = v;
    w->texts[w->n] = s;
    w->n++;
    return 0;
}

/* Binds the WHERE values from parameter 1; returns the next free index, or an error. */
static int where_bind(const struct where *w, struct db_stmt *st)
{
    for (int i = 0; i < w->n; i++) {
        int r = w->types[i] == 'i' ? db_bind_int64(st, i + 1, w->ints[i])
                                   : db_bind_text(st, i + 1, w->texts[i], -1);
        if (r)
            return r;
    }
    return w->n + 1;
}

/* The filters common to every report: time range on `start_col`, the agent, the scope. */
static int where_common(struct where *w, const struct report_filter *f, const char *start_col,
                        const char *agent_col, const char *scope_col)
{
    char frag[1024];
    int r = 0;
    if (f->from_ms >= 0) {
        snprintf(frag, sizeof(frag), "%s >= ?", start_col);
        r = where_add(w, frag, 'i', f->from_ms, NULL);
    }
    if (!r && f->to_ms >= 0) {
        snprintf(frag, sizeof(frag), "%s < ?", start_col);
        r = where_add(w, frag, 'i', f->to_ms, NULL);
    }
    if (!r && f->agent_id > 0) {
        snprintf(frag, sizeof(frag), "%s = ?", agent_col);
        r = where_add(w, frag, 'i', f->agent_id, NULL);
    }
    if (!r && f->scope_sql) {
        if ((size_t)snprintf(frag, sizeof(frag), "%s %s", scope_col, f->scope_sql) >= sizeof(frag))
            return SB_EINTERNAL;
        r = where_add(w, frag, 'i', f->scope_profile, NULL);
    }
    return r;
}

/* Runs `count_sql` (one integer) with the WHERE values bound: *total. */
static int run_count(struct db *db, const char *count_sql, const struct where *w, int64_t *total)
{
    struct db_stmt *st;
    int r = db_prepare(db, count_sql, &st);
    if (r)
        return r;
    r = where_bind(w, st);
    if (r > 0)
        r = db_step(st);
    if (r == DB_ROW) {
        *total = db_col_int64(st, 0);
        r = 0;
    } else if (r == DB_DONE) {
        r = SB_EINTERNAL;
    }
    db_finalize(st);
    return r;
}

/* Prepares `sql` (the page query ending in "LIMIT ? OFFSET ?") with every value bound. */
static int prepare_page(struct db *db, const char *sql, const struct where *w,
                        const struct report_filter *f, struct db_stmt **out)
{
    struct db_stmt *st;
    int r = db_prepare(db, sql, &st);
    if (r)
        return r;
    int next = where_bind(w, st);
    r = next < 0 ? next : db_bind_int64(st, next, f->limit);
    if (!r)
        r = db_bind_int64(st, next + 1, f->offset);
    if (r) {
        db_finalize(st);
        return r;
    }
    *out = st;
    return 0;
}

static int64_t col_or_zero(struct db_stmt *st, int col)
{
    return db_col_is_null(st, col) ? 0 : db_col_int64(st, col);
}

/* The queue report's FROM and WHERE for channel `ch` (a static name). */
static int queue_where(struct where *w, const struct report_filter *f, const char *ch,
                       struct buf *from)
{
    int r = buf_addf(from, "report_%s_queue r", ch);
    if (!r)
        r = where_common(w, f, "r.joined_at", "r.agent_id", "r.queue_id");
    if (!r && f->queue_id > 0)
        r = where_add(w, "r.queue_id = ?", 'i', f->queue_id, NULL);
    if (!r && f->interaction_id > 0)
        r = where_add(w, "r.interaction_id = ?", 'i', f->interaction_id, NULL);
    if (!r && f->reason)
        r = where_add(w, "r.reason = ?", 't', 0, f->reason);
    return r;
}

int report_queue_rows(struct db *db, const struct report_filter *f, int64_t *total,
                      report_queue_fn fn, void *arg)
{
    *total = 0;
    const char *ch = report_channel_name(f->channel);
    if (!ch || (f->sort && !report_sort_valid(REPORT_QUEUE, f->sort)))
        return SB_EINVAL;
    struct where w = {.n = 0};
    struct buf from, sql;
    buf_init(&w.sql, 4096);
    buf_init(&from, 256);
    buf_init(&sql, 8192);
    struct db_stmt *st = NULL;
    int r = queue_where(&w, f, ch, &from);
    if (!r)
        r = buf_addf(&sql, "SELECT COUNT(*) FROM %s WHERE 1 = 1%s", from.data,
                     w.sql.data ? w.sql.data : "");
    if (!r)
        r = run_count(db, sql.data, &w, total);
    if (!r) {
        buf_reset(&sql);
        r = buf_addf(&sql,
                     "SELECT r.id, r.interaction_id, r.queue_id, q.name, r.joined_at, "
                     "r.accepted_at, r.left_at, r.reason, r.agent_id, s.full_name, s.username "
                     "FROM %s LEFT JOIN queues q ON q.id = r.queue_id LEFT JOIN staff s ON s.id "
                     "= r.agent_id WHERE 1 = 1%s",
                     from.data, w.sql.data ? w.sql.data : "");
    }
    if (!r)
        r = order_by(&sql, REPORT_QUEUE, f);
    if (!r)
        r = buf_adds(&sql, " LIMIT ? OFFSET ?");
    if (!r)
        r = prepare_page(db, sql.data, &w, f, &st);
    while (!r && (r = db_step(st)) == DB_ROW) {
        struct report_queue_row row = {
            .id = db_col_int64(st, 0),
            .interaction_id = db_col_int64(st, 1),
            .queue_id = col_or_zero(st, 2),
            .queue_name = db_col_text(st, 3),
            .joined_at = db_col_int64(st, 4),
            .accepted_at = col_or_zero(st, 5),
            .left_at = col_or_zero(st, 6),
            .reason = db_col_text(st, 7),
            .agent_id = col_or_zero(st, 8),
            .agent_name = db_col_text(st, 9),
            .agent_username = db_col_text(st, 10),
        };
        row.wait_ms = (row.left_at ? row.left_at : f->now_ms) - row.joined_at;
        if (row.wait_ms < 0)
            row.wait_ms = 0;
        r = fn(&row, arg);
    }
    db_finalize(st);
    buf_free(&w.sql);
    buf_free(&from);
    buf_free(&sql);
    return r;
}

int report_queue_summary(struct db *db, const struct report_filter *f, int64_t *total,
                         report_summary_fn fn, void *arg)
{
    *total = 0;
    const char *ch = report_channel_name(f->channel);
    if (!ch || (f->sort && !report_sort_valid(REPORT_QUEUE_SUMMARY, f->sort)))
        return SB_EINVAL;
    struct where w = {.n = 0};
    struct buf from, sql;
    buf_init(&w.sql, 4096);
    buf_init(&from, 256);
    buf_init(&sql, 8192);
    struct db_stmt *st = NULL;
    int r = queue_where(&w, f, ch, &from);
    const char *where = "";
    if (!r && w.sql.data)
        where = w.sql.data;
    if (!r)
        r = buf_addf(&sql,
                     "SELECT COUNT(*) FROM (SELECT r.queue_id FROM %s WHERE 1 = 1%s GROUP BY "
                     "r.queue_id) t",
                     from.data, where);
    if (!r)
        r = run_count(db, sql.data, &w, total);
    if (!r) {
        buf_reset(&sql);
        /* The wait of accepted attempts is summed, not averaged, in SQL: AVG is a float on
         * SQLite and a numeric on PostgreSQL; the integer division below is the same on both. */
        r = buf_addf(&sql,
                     "SELECT r.queue_id, MAX(q.name), COUNT(*), "
                     "SUM(CASE WHEN r.reason = 'accepted' THEN 1 ELSE 0 END), "
                     "SUM(CASE WHEN r.reason = 'timeout' THEN 1 ELSE 0 END), "
                     "SUM(CASE WHEN r.reason = 'abandoned' THEN 1 ELSE 0 END), "
                     "SUM(CASE WHEN r.left_at IS NULL THEN 1 ELSE 0 END), "
                     "CAST(SUM(CASE WHEN r.reason = 'accepted' THEN r.accepted_at - r.joined_at "
                     "ELSE 0 END) AS BIGINT) "
                     "FROM %s LEFT JOIN queues q ON q.id = r.queue_id WHERE 1 = 1%s "
                     "GROUP BY r.queue_id",
                     from.data, where);
    }
    if (!r)
        r = order_by(&sql, REPORT_QUEUE_SUMMARY, f);
    if (!r)
        r = buf_adds(&sql, " LIMIT ? OFFSET ?");
    if (!r)
        r = prepare_page(db, sql.data, &w, f, &st);
    while (!r && (r = db_step(st)) == DB_ROW) {
        struct report_queue_summary_row row = {
            .queue_id = col_or_zero(st, 0),
            .queue_name = db_col_text(st, 1),
            .joined = db_col_int64(st, 2),
            .accepted = db_col_int64(st, 3),
            .timeout = db_col_int64(st, 4),
            .abandoned = db_col_int64(st, 5),
            .waiting = db_col_int64(st, 6),
            .avg_wait_ms = -1,
        };
        int64_t sum = db_col_int64(st, 7);
        if (row.accepted > 0)
            row.avg_wait_ms = (sum + row.accepted / 2) / row.accepted;
        r = fn(&row, arg);
    }
    db_finalize(st);
    buf_free(&w.sql);
    buf_free(&from);
    buf_free(&sql);
    return r;
}

/* Sessions and pauses differ only in their table, columns and the channel filter. */
struct span_source {
    enum report_kind kind;
    const char *table, *what_col, *start_col, *end_col;
};

static int span_rows(struct db *db, const struct span_source *src, const struct report_filter *f,
                     int64_t *total, report_span_fn fn, void *arg)
{
    *total = 0;
    const char *ch = NULL;
    if (f->channel && !(ch = report_channel_name(f->channel)))
        return SB_EINVAL;
    if (f->sort && !report_sort_valid(src->kind, f->sort))
        return SB_EINVAL;
    struct where w = {.n = 0};
    struct buf sql;
    buf_init(&w.sql, 4096);
    buf_init(&sql, 8192);
    struct db_stmt *st = NULL;
    int r = where_common(&w, f, src->start_col, "r.staff_id", "r.staff_id");
    if (!r && ch && src->kind == REPORT_SESSIONS)
        r = where_add(&w, "r.channel = ?", 't', 0, ch);
    /* A pause has no channel (it applies to every channel): it belongs to a channel's report
     * when it overlaps a session of the agent on that channel. */
    if (!r && ch && src->kind == REPORT_PAUSES)
        r = where_add(&w,
                      "EXISTS (SELECT 1 FROM report_agent_sessions x WHERE x.staff_id = "
                      "r.staff_id AND x.channel = ? AND x.login_at <= COALESCE(r.unpaused_at, "
                      "9223372036854775807) AND COALESCE(x.logout_at, 9223372036854775807) >= "
                      "r.paused_at)",
                      't', 0, ch);
    const char *where = "";
    if (!r && w.sql.data)
        where = w.sql.data;
    if (!r)
        r = buf_addf(&sql, "SELECT COUNT(*) FROM %s r WHERE 1 = 1%s", src->table, where);
    if (!r)
        r = run_count(db, sql.data, &w, total);
    if (!r) {
        buf_reset(&sql);
        r = buf_addf(&sql,
                     "SELECT r.id, r.staff_id, s.full_name, s.username, %s, %s, %s FROM %s r "
                     "LEFT JOIN staff s ON s.id = r.staff_id WHERE 1 = 1%s",
                     src->what_col, src->start_col, src->end_col, src->table, where);
    }
    if (!r)
        r = order_by(&sql, src->kind, f);
    if (!r)
        r = buf_adds(&sql, " LIMIT ? OFFSET ?");
    if (!r)
        r = prepare_page(db, sql.data, &w, f, &st);
    while (!r && (r = db_step(st)) == DB_ROW) {
        struct report_span_row row = {
            .id = db_col_int64(st, 0),
            .agent_id = db_col_int64(st, 1),
            .agent_name = db_col_text(st, 2),
            .agent_username = db_col_text(st, 3),
            .what = db_col_text(st, 4),
            .start_ms = db_col_int64(st, 5),
            .end_ms = col_or_zero(st, 6),
        };
        row.duration_ms = (db_col_is_null(st, 6) ? f->now_ms : row.end_ms) - row.start_ms;
        if (row.duration_ms < 0)
            row.duration_ms = 0;
        r = fn(&row, arg);
    }
    db_finalize(st);
    buf_free(&w.sql);
    buf_free(&sql);
    return r;
}

int report_session_rows(struct db *db, const struct report_filter *f, int64_t *total,
                        report_span_fn fn, void *arg)
{
    static const struct span_source src = {REPORT_SESSIONS, "report_agent_sessions", "r.channel",
                                           "r.login_at", "r.logout_at"};
    return span_rows(db, &src, f, total, fn, arg);
}

int report_pause_rows(struct db *db, const struct report_filter *f, int64_t *total,
                      report_span_fn fn, void *arg)
{
    static const struct span_source src = {REPORT_PAUSES, "report_agent_pauses", "r.reason",
                                           "r.paused_at", "r.unpaused_at"};
    return span_rows(db, &src, f, total, fn, arg);
}
