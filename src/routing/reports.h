/* reports.h — reading the report tables of the digital channels (issue "Routing engine",
 * reports): the queue report report_<channel>_queue (one row per interaction × queue
 * attempt), its per-queue summary, and the agents' sessions and pauses.
 *
 * Every reader takes one struct report_filter, builds its WHERE clause from the filters that
 * are set (fixed SQL fragments, every value bound), counts the matches, then hands each row of
 * the requested page to a callback while it is read, so an export never holds more than one
 * row besides its output. A supervisor's scope is the SQL of perm_scope_sql() (queues for the
 * queue report and the summary, agents for sessions and pauses), applied in the query. Any
 * thread with its own connection. */
#ifndef SB_ROUTING_REPORTS_H
#define SB_ROUTING_REPORTS_H

#include <stdbool.h>
#include <stdint.h>

struct db;

enum report_kind { REPORT_QUEUE, REPORT_QUEUE_SUMMARY, REPORT_SESSIONS, REPORT_PAUSES };

/* Rows on one page of a list (exports have their own cap, the setting
 * reports.export_max_rows). */
#define REPORT_LIST_MAX 500

struct report_filter {
    /* Queue report and summary: the channel (required). Sessions: NULL = any. Pauses: NULL =
     * any; otherwise pauses that overlap a session of the agent on that channel. */
    const char *channel;
    /* On the start time (joined, login, paused): from <= t < to; -1 = unbounded. */
    int64_t from_ms, to_ms;
    int64_t queue_id, agent_id, interaction_id; /* 0 = any (interaction and queue: queue
                                                   report and summary only) */
    const char *reason;    /* queue report and summary: accepted|timeout|abandoned; NULL = any */
    const char *sort;      /* a name report_sort_valid() accepts, '-' first = descending; NULL =
                              the kind's default (newest first; summary: by queue name) */
    int64_t limit, offset; /* the page */
    const char *scope_sql; /* perm_scope_sql() of the caller, NULL = everything */
    int64_t scope_profile; /* bound to scope_sql's placeholder */
    int64_t now_ms;        /* the end of what is still open, for durations */
};

/* One row of report_<channel>_queue. Times are UTC ms, 0 = not yet (accepted_at, left_at);
 * queue_id and agent_id are 0 when none. wait_ms = (left, or now while waiting) - joined.
 * Strings belong to the reader and are valid during the callback only; NULL when unknown
 * (a deleted queue). */
struct report_queue_row {
    int64_t id, interaction_id, queue_id, joined_at, accepted_at, left_at, agent_id, wait_ms;
    const char *queue_name, *reason, *agent_name, *agent_username;
};

/* One queue of the summary: attempts that joined it within the filter and how they ended;
 * waiting = still in the queue. avg_wait_ms is the mean time from joining to being accepted
 * over the accepted attempts (rounded to the nearest ms), -1 when none was accepted. */
struct report_queue_summary_row {
    int64_t queue_id;
    const char *queue_name;
    int64_t joined, accepted, timeout, abandoned, waiting, avg_wait_ms;
};

/* One session (what = its channel) or pause (what = its reason, NULL when none). end_ms = 0
 * while open; duration_ms = (end, or now while open) - start. */
struct report_span_row {
    int64_t id, agent_id, start_ms, end_ms, duration_ms;
    const char *agent_name, *agent_username, *what;
};

/* Callbacks: return 0 to go on, or an error that stops the read and is returned. */
typedef int (*report_queue_fn)(const struct report_queue_row *row, void *arg);
typedef int (*report_summary_fn)(const struct report_queue_summary_row *row, void *arg);
typedef int (*report_span_fn)(const struct report_span_row *row, void *arg);

/* The canonical (static) name of a digital channel — chat, email, sms, openchannel, fax,
 * whatsapp — or NULL for anything else. */
const char *report_channel_name(const char *channel);

/* True when `sort` (with or without a leading '-') is a sort key of `kind`. The keys are
 * listed by report_sort_keys(kind), a static comma-separated string for error messages. */
bool report_sort_valid(enum report_kind kind, const char *sort);
const char *report_sort_keys(enum report_kind kind);

/* The queue report: *total = every matching row, fn called for each row of the page in the
 * requested order. 0, SB_EINVAL for a bad filter (unknown channel or sort), a storage error,
 * or fn's error. */
int report_queue_rows(struct db *db, const struct report_filter *f, int64_t *total,
                      report_queue_fn fn, void *arg);

/* The summary: *total = the number of queues with matching rows; fn for each on the page. */
int report_queue_summary(struct db *db, const struct report_filter *f, int64_t *total,
                         report_summary_fn fn, void *arg);

/* Sessions and pauses, as report_queue_rows. */
int report_session_rows(struct db *db, const struct report_filter *f, int64_t *total,
                        report_span_fn fn, void *arg);
int report_pause_rows(struct db *db, const struct report_filter *f, int64_t *total,
                      report_span_fn fn, void *arg);

#endif
