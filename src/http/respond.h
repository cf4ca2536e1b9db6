/* respond.h — queueing responses on a libmicrohttpd connection with the house headers.
 *
 * Every response gets the security headers (CSP, nosniff, frame-ancestors via CSP and
 * X-Frame-Options, Referrer-Policy) and X-Request-Id (this thread's log request id). Errors are
 * RFC 9457 problem+json: {"type":"about:blank","status":…,"title":…,"detail":…,
 * "errors":[{"field":…,"message":…}]}. Called on HTTP threads. */
#ifndef SB_HTTP_RESPOND_H
#define SB_HTTP_RESPOND_H

#include <jansson.h>
#include <stddef.h>

struct MHD_Connection;
struct MHD_Response;

/* Adds the security headers and X-Request-Id to `resp`. */
void http_add_standard_headers(struct MHD_Response *resp);

/* Builds a problem document: status, title from the status, detail (may be NULL), and the
 * `errors` array (stolen; NULL for none). Returns a new reference or NULL on ENOMEM. */
json_t *http_problem_new(int status, const char *detail, json_t *errors);

/* Appends {"field":field,"message":message} to the problem's errors array (created when
 * missing). Returns 0 or SB_ENOMEM. */
int http_problem_add_error(json_t *problem, const char *field, const char *message);

/* Queues `body` (stolen) as application/problem+json with its "status". Returns the
 * MHD_Result of MHD_queue_response (MHD_NO if even that failed). */
int http_queue_problem_json(struct MHD_Connection *conn, json_t *problem);

/* Shorthand: queue a problem with status/detail and no field errors. */
int http_queue_problem(struct MHD_Connection *conn, int status, const char *detail);

/* Queues `body` (stolen) as application/json with `status`. */
int http_queue_json(struct MHD_Connection *conn, int status, json_t *body);

/* The same two with extra headers: `headers` holds `n` name/value pairs (n may be 0). */
int http_queue_json_with(struct MHD_Connection *conn, int status, json_t *body,
                         const char *const *headers, int n);
int http_queue_problem_json_with(struct MHD_Connection *conn, json_t *problem,
                                 const char *const *headers, int n);

#endif
