#include "http/metrics.h"

#include <stdatomic.h>

#include "app.h"
#include "core/mpsc.h"
#include "db/writer.h"
#include "http/router.h"
#include "ws/hub.h"

#define MAX_ROUTES 128
#define SLOTS      (MAX_ROUTES + 2) /* + static + unmatched */
#define NSTATUS    5                /* 1xx..5xx */

static const double bucket_le[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                   0.05,   0.1,   0.25,   0.5,   1,    2.5};
#define NBUCKETS (sizeof(bucket_le) / sizeof(bucket_le[0]))

static _Atomic uint64_t req_count[SLOTS][NSTATUS];
static _Atomic uint64_t lat_bucket[SLOTS][NBUCKETS + 1];
static _Atomic uint64_t lat_sum_us[SLOTS];
static _Atomic uint64_t db_ops, db_errors;

static int slot_of(int route_index)
{
    if (route_index == METRICS_ROUTE_STATIC)
        return MAX_ROUTES;
    if (route_index < 0 || route_index >= MAX_ROUTES)
        return MAX_ROUTES + 1;
    return route_index;
}

void metrics_request(int route_index, int status, int64_t duration_ns)
{
    int s = slot_of(route_index);
    int cls = status / 100 - 1;
    if (cls < 0 || cls >= NSTATUS)
        cls = NSTATUS - 1;
    atomic_fetch_add_explicit(&req_count[s][cls], 1, memory_order_relaxed);
    double secs = (double)duration_ns / 1e9;
    size_t b = 0;
    while (b < NBUCKETS && secs > bucket_le[b])
        b++;
    atomic_fetch_add_explicit(&lat_bucket[s][b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&lat_sum_us[s], (uint64_t)(duration_ns / 1000), memory_order_relaxed);
}

void metrics_db_op(bool failed)
{
    atomic_fetch_add_explicit(&db_ops, 1, memory_order_relaxed);
    if (failed)
        atomic_fetch_add_explicit(&db_errors, 1, memory_order_relaxed);
}

static const char *slot_label(int s, char *tmp, size_t n)
{
    int count;
    const struct route *routes = router_routes(&count);
    if (s < count) {
        snprintf(tmp, n, "%s %s", routes[s].method, routes[s].pattern);
        return tmp;
    }
    return s == MAX_ROUTES ? "static" : "unmatched";
}

int metrics_render(struct buf *b, struct sb_app *app)
{
    int r = buf_adds(b, "# HELP switchboard_http_requests_total HTTP requests by route and "
                        "status class.\n# TYPE switchboard_http_requests_total counter\n");
    char label[200];
    for (int s = 0; !r && s < SLOTS; s++)
        for (int c = 0; !r && c < NSTATUS; c++) {
            uint64_t v = atomic_load_explicit(&req_count[s][c], memory_order_relaxed);
            if (v)
                r = buf_addf(b,
                             "switchboard_http_requests_total{route=\"%s\",status=\"%dxx\"} "
                             "%llu\n",
                             slot_label(s, label, sizeof(label)), c + 1, (unsigned long long)v);
        }
    if (!r)
        r = buf_adds(b, "# HELP switchboard_http_request_duration_seconds Request latency.\n"
                        "# TYPE switchboard_http_request_duration_seconds histogram\n");
    for (int s = 0; !r && s < SLOTS; s++) {
        uint64_t total = 0;
        for (size_t i = 0; i <= NBUCKETS; i++)
            total += atomic_load_explicit(&lat_bucket[s][i], memory_order_relaxed);
        if (!total)
            continue;
        slot_label(s, label, sizeof(label));
        uint64_t cum = 0;
        for (size_t i = 0; !r && i < NBUCKETS; i++) {
            cum += atomic_load_explicit(&lat_bucket[s][i], memory_order_relaxed);
            r = buf_addf(b,
                         "switchboard_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"}"
                         " %llu\n",
                         label, bucket_le[i], (unsigned long long)cum);
        }
        if (!r)
            r = buf_addf(
                b,
                "switchboard_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"}"
                " %llu\n"
                "switchboard_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
                "switchboard_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
                label, (unsigned long long)total, label, (double)atomic_load(&lat_sum_us[s]) / 1e6,
                label, (unsigned long long)total);
    }
    if (!r)
        r = buf_addf(b,
                     "# HELP switchboard_websockets_open Open WebSocket connections.\n"
                     "# TYPE switchboard_websockets_open gauge\n"
                     "switchboard_websockets_open %zu\n"
                     "# HELP switchboard_hub_queue_depth Commands waiting for the hub thread.\n"
                     "# TYPE switchboard_hub_queue_depth gauge\n"
                     "switchboard_hub_queue_depth %zu\n"
                     "# HELP switchboard_websockets_closed_slow_total WebSockets closed for "
                     "exceeding their send cap.\n"
                     "# TYPE switchboard_websockets_closed_slow_total counter\n"
                     "switchboard_websockets_closed_slow_total %llu\n"
                     "# HELP switchboard_db_operations_total Database operations.\n"
                     "# TYPE switchboard_db_operations_total counter\n"
                     "switchboard_db_operations_total %llu\n"
                     "# HELP switchboard_db_errors_total Failed database operations.\n"
                     "# TYPE switchboard_db_errors_total counter\n"
                     "switchboard_db_errors_total %llu\n"
                     "# HELP switchboard_jobs_pending Jobs queued or running.\n"
                     "# TYPE switchboard_jobs_pending gauge\n"
                     "switchboard_jobs_pending %zu\n",
                     app->hub ? hub_conn_count(app->hub) : 0,
                     app->hub ? hub_queue_depth(app->hub) : 0,
                     (unsigned long long)(app->hub ? hub_closed_slow_total(app->hub) : 0),
                     (unsigned long long)atomic_load(&db_ops),
                     (unsigned long long)atomic_load(&db_errors), jobs_pending(&app->jobs));
    if (!r && app->writer) {
        /* Group commit (db/writer.h): writes per commit = the fsyncs the batching saves. */
        struct db_writer_stats ws;
        db_writer_stats(app->writer, &ws);
        r = buf_addf(b,
                     "# HELP switchboard_db_writer_commits_total Transactions committed by the "
                     "group-commit writer (inbound messages).\n"
                     "# TYPE switchboard_db_writer_commits_total counter\n"
                     "switchboard_db_writer_commits_total %llu\n"
                     "# HELP switchboard_db_writer_writes_total Writes committed by the "
                     "group-commit writer.\n"
                     "# TYPE switchboard_db_writer_writes_total counter\n"
                     "switchboard_db_writer_writes_total %llu\n"
                     "# HELP switchboard_db_writer_failed_total Writes of the group-commit "
                     "writer that failed.\n"
                     "# TYPE switchboard_db_writer_failed_total counter\n"
                     "switchboard_db_writer_failed_total %llu\n"
                     "# HELP switchboard_db_writer_waiting Callers waiting for their commit.\n"
                     "# TYPE switchboard_db_writer_waiting gauge\n"
                     "switchboard_db_writer_waiting %llu\n",
                     (unsigned long long)ws.batches, (unsigned long long)ws.items,
                     (unsigned long long)ws.failed, (unsigned long long)ws.queued);
    }
    return r;
}
