/* request.h — one HTTP request as handlers see it, and the reply helpers.
 *
 * A struct http_req lives from the first access-handler call to the completion callback. Its
 * arena is freed at once when the request completes (h2o style): allocate per-request memory
 * there. Handlers run on an HTTP thread and must not block on slow work: use http_defer(). */
#ifndef SB_HTTP_REQUEST_H
#define SB_HTTP_REQUEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"

struct sb_app;
struct http_server;
struct MHD_Connection;
struct route;

#define HTTP_MAX_PARAMS        4
#define HTTP_MAX_EXTRA_HEADERS 4

struct http_req {
    struct arena arena;
    struct MHD_Connection *conn;
    struct sb_app *app;
    /* The server that accepted the request (set in its worker thread from the daemon's own
     * callback argument; never read through app->http, see http_server_detach). */
    struct http_server *srv;
    const char *method;
    const char *path;
    char request_id[24];
    struct buf body;
    bool body_too_big;
    const struct route *route; /* NULL for static files and 404s */
    int route_index;           /* for metrics; -1 when none */
    const char *param_names[HTTP_MAX_PARAMS];
    const char *param_values[HTTP_MAX_PARAMS];
    int nparams;
    int64_t started_ns;
    int status; /* what was queued, for the access log and metrics */
    /* async (http_defer) */
    bool suspended;
    _Atomic bool async_done;
    int async_status;
    json_t *async_body; /* owned until queued */
    bool upgraded;      /* WebSocket: not counted as in flight after the 101 */
    int reply_result;   /* MHD_Result of the last reply queued */
    /* The signed-in caller, set by the guard (auth_require): answers carrying contact fields
     * are masked for it (http/mask.h). 0 / NULL when nobody is signed in. */
    int64_t caller_id;
    const char *caller_role;
    /* Extra response headers (name, value pairs in the arena), e.g. Set-Cookie. */
    const char *extra_headers[2 * HTTP_MAX_EXTRA_HEADERS];
    int nextra_headers;
};

/* Returns the value of path parameter `name` ("{id}"), or NULL. */
const char *http_param(const struct http_req *req, const char *name);

/* Parses path parameter `name` as a positive int64 id. Returns 0 or SB_ENOTFOUND (a
 * malformed id is a resource that does not exist). */
int http_param_id(const struct http_req *req, const char *name, int64_t *out);

/* Returns a query-string argument or NULL. */
const char *http_query(const struct http_req *req, const char *name);

/* Returns a request header or NULL. */
const char *http_header(const struct http_req *req, const char *name);

/* Parses the body as a JSON object under the strict rules (size already capped, no duplicate
 * keys, UTF-8, object at the top). On failure queues a 400 problem+json naming the position
 * and returns NULL; the caller then returns the value of http_replied(req). New reference. */
json_t *http_body_object(struct http_req *req);

/* Adds a header to whatever reply is queued next for this request (copied into the arena).
 * Returns 0, SB_EFULL (more than HTTP_MAX_EXTRA_HEADERS) or SB_ENOMEM. Usable from a job
 * working for the request. */
int http_add_header(struct http_req *req, const char *name, const char *value);

/* Reply helpers: record the status and queue the response. They return the MHD_Result the
 * access handler must return. `body`/`problem` are stolen. */
int http_reply_json(struct http_req *req, int status, json_t *body);
int http_reply_problem(struct http_req *req, int status, const char *detail);
int http_reply_problem_json(struct http_req *req, json_t *problem);

/* Answers 200 {"items": items, "total": <its length>} (takes `items`; NULL = 500): for lists
 * that are not paged. */
int http_reply_items(struct http_req *req, json_t *items);
/* Maps an sb_err to its status and a generic detail; 5xx details never leak internals. */
int http_reply_error(struct http_req *req, int err);
int http_reply_empty(struct http_req *req, int status);
/* Answers `body` (copied; NULL = empty) with `content_type` (NULL = none): for callers that
 * must answer a fixed non-JSON text (a provider's expected webhook acknowledgement). */
int http_reply_text(struct http_req *req, int status, const char *content_type, const char *body);

/* The MHD_Result of the reply already queued (after http_body_object() returned NULL). */
int http_replied(const struct http_req *req);

/* Runs `work(req, arg)` on the job pool while the connection is suspended; `work` must set
 * the result with http_async_result(). Returns the MHD_Result to return from the handler
 * (503 problem when the pool is full). */
typedef void (*http_work_fn)(struct http_req *req, void *arg);
int http_defer(struct http_req *req, http_work_fn work, void *arg);

/* Called by a job to store the result (body stolen) before it returns. */
void http_async_result(struct http_req *req, int status, json_t *body);

#endif
