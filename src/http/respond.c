#include "http/respond.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"

/* The web app ships no inline script or style, so the policy can stay strict. */
#define CSP                                                                                        \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "        \
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "                    \
    "form-action 'self'; frame-ancestors 'none'"

void http_add_standard_headers(struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "Content-Security-Policy", CSP);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
    const char *rid = log_request_id();
    if (rid && *rid)
        MHD_add_response_header(resp, "X-Request-Id", rid);
}

static const char *status_title(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Content";
    case 426:
        return "Upgrade Required";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return status >= 500 ? "Server Error" : "Error";
    }
}

json_t *http_problem_new(int status, const char *detail, json_t *errors)
{
    json_t *p = json_pack("{s:s, s:i, s:s}", "type", "about:blank", "status", status, "title",
                          status_title(status));
    if (!p) {
        json_decref(errors);
        return NULL;
    }
    if (detail)
        json_object_set_new(p, "detail", json_string(detail));
    if (errors)
        json_object_set_new(p, "errors", errors);
    return p;
}

int http_problem_add_error(json_t *problem, const char *field, const char *message)
{
    json_t *errs = json_object_get(problem, "errors");
    if (!errs) {
        errs = json_array();
        if (!errs || json_object_set_new(problem, "errors", errs))
            return SB_ENOMEM;
    }
    json_t *e = json_pack("{s:s, s:s}", "field", field, "message", message);
    if (!e || json_array_append_new(errs, e))
        return SB_ENOMEM;
    return 0;
}

static int queue_body(struct MHD_Connection *conn, int status, const char *type, json_t *body,
                      const char *const *headers, int n)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    struct MHD_Response *resp;
    if (text)
        resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    else
        resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    if (text)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    http_add_standard_headers(resp);
    for (int i = 0; i < n; i++)
        MHD_add_response_header(resp, headers[2 * i], headers[2 * i + 1]);
    int r = MHD_queue_response(conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return r;
}

int http_queue_problem_json_with(struct MHD_Connection *conn, json_t *problem,
                                 const char *const *headers, int n)
{
    int status = (int)json_integer_value(json_object_get(problem, "status"));
    if (status < 400 || status > 599)
        status = 500;
    return queue_body(conn, status, "application/problem+json", problem, headers, n);
}

int http_queue_problem_json(struct MHD_Connection *conn, json_t *problem)
{
    return http_queue_problem_json_with(conn, problem, NULL, 0);
}

int http_queue_problem(struct MHD_Connection *conn, int status, const char *detail)
{
    json_t *p = http_problem_new(status, detail, NULL);
    if (!p)
        return MHD_NO;
    return http_queue_problem_json(conn, p);
}

int http_queue_json_with(struct MHD_Connection *conn, int status, json_t *body,
                         const char *const *headers, int n)
{
    return queue_body(conn, status, "application/json", body, headers, n);
}

int http_queue_json(struct MHD_Connection *conn, int status, json_t *body)
{
    return http_queue_json_with(conn, status, body, NULL, 0);
}
