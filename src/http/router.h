/* router.h — the route table: method + path pattern with {params} -> handler.
 *
 * Patterns are literal segments and `{name}` segments (one path segment each, at most
 * HTTP_MAX_PARAMS). Matching is exact; no trailing-slash aliasing. Read-only after start-up. */
#ifndef SB_HTTP_ROUTER_H
#define SB_HTTP_ROUTER_H

#include <stdbool.h>

#include "http/request.h"

typedef int (*http_handler)(struct http_req *req);

enum route_flags {
    ROUTE_BODY = 1,                /* accepts a request body */
    ROUTE_TEST_HOOK = 2,           /* only when server.test_hooks is on */
    ROUTE_LOOPBACK = 4,            /* only for direct loopback peers (metrics) */
    ROUTE_PASSWORD_PENDING_OK = 8, /* usable while the caller's password must be changed */
    ROUTE_MFA_SETUP_OK = 16,       /* usable while the caller must still enrol in MFA */
    ROUTE_ROUTING = 64,            /* changes what the ACD reads (agents, queues, members, teams,
                                      settings): it reloads after the handler */
    ROUTE_UPLOAD = 32, /* a raw file upload: its body cap is ROUTE_UPLOAD_MAX_BYTES instead of
                          http.max_body_bytes; the 413 names the last segment of the pattern */
};

/* The body cap of ROUTE_UPLOAD routes: the avatar cap (staff/avatar.h AVATAR_MAX_BYTES, kept
 * equal by a static assertion in api/avatars.c), whatever http.max_body_bytes says. */
#define ROUTE_UPLOAD_MAX_BYTES (8u * 1024u * 1024u)

struct route {
    const char *method;
    const char *pattern;
    http_handler handler;
    unsigned flags;
};

enum route_match { ROUTE_NONE = 0, ROUTE_FOUND, ROUTE_WRONG_METHOD };

/* Finds the route for method+path, filling req's params (strings in req->arena). On
 * ROUTE_WRONG_METHOD, `allow` (>= 64 bytes) gets the Allow header value. */
enum route_match router_match(struct http_req *req, const char *method, const char *path,
                              char *allow, size_t allow_len);

/* The table, for metrics labels and the OpenAPI consistency test. */
const struct route *router_routes(int *count);

#endif
