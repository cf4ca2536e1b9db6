/* metrics.h — process counters rendered as Prometheus text at GET /metrics.
 *
 * Counters are relaxed atomics updated from any thread without locks. Route labels come from
 * the route table (the pattern, never the raw path, so label cardinality stays bounded). */
#ifndef SB_HTTP_METRICS_H
#define SB_HTTP_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"

struct sb_app;

/* Route index for requests served as static files, and for unmatched paths. */
#define METRICS_ROUTE_STATIC -2
#define METRICS_ROUTE_NONE   -1

/* Records one completed request. Any thread. */
void metrics_request(int route_index, int status, int64_t duration_ns);

/* Records one database operation and whether it failed. Any thread. */
void metrics_db_op(bool failed);

/* Renders the exposition text into `b`. Returns 0 or a buf error. */
int metrics_render(struct buf *b, struct sb_app *app);

#endif
