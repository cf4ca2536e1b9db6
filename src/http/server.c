#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "core/err.h"
#include "core/json_escape.h"
#include "core/log.h"
#include "http/metrics.h"
#include "http/request.h"
#include "http/respond.h"
#include "http/router.h"
#include "routing/acd.h"
#include "http/static.h"

/* Per-request arena cap: request data (path, params, parsed fields) never needs more. */
#define REQ_ARENA_MAX (4u << 20)

struct http_server {
    struct MHD_Daemon *daemon;
    struct sb_app *app;
    atomic_int in_flight;
    uint16_t port;
};

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

__attribute__((format(printf, 2, 0))) static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = 0;
    log_write(LOG_WARN, msg, "\"component\":\"libmicrohttpd\"");
}

static bool peer_is_direct_loopback(struct http_req *req)
{
    if (http_header(req, "X-Forwarded-For") || http_header(req, "X-Real-IP") ||
        http_header(req, "Forwarded"))
        return false;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return false;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
    }
    return false;
}

static int reply_405(struct http_req *req, const char *allow)
{
    json_t *p = http_problem_new(405, "method not allowed on this resource", NULL);
    char *text = p ? json_dumps(p, JSON_COMPACT) : NULL;
    json_decref(p);
    if (!text)
        return MHD_NO;
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/problem+json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
    http_add_standard_headers(resp);
    req->status = 405;
    int r = MHD_queue_response(req->conn, 405, resp);
    MHD_destroy_response(resp);
    return r;
}

static bool is_api_path(const char *path)
{
    return !strncmp(path, "/api/", 5) || !strcmp(path, "/api") || !strcmp(path, "/metrics");
}

/* The 413 of an upload route names its field: the pattern's last segment ("avatar"). */
static int reply_upload_too_big(struct http_req *req)
{
    const char *field = strrchr(req->route->pattern, '/') + 1;
    char msg[96];
    snprintf(msg, sizeof(msg), "must be at most %u bytes (%u MiB)", ROUTE_UPLOAD_MAX_BYTES,
             ROUTE_UPLOAD_MAX_BYTES >> 20);
    json_t *p = http_problem_new(413, "the file is larger than allowed", NULL);
    if (p)
        http_problem_add_error(p, field, msg);
    return http_reply_problem_json(req, p);
}

static int dispatch(struct http_server *srv, struct http_req *req)
{
    if (req->body_too_big) {
        if (router_match(req, req->method, req->path, NULL, 0) == ROUTE_FOUND &&
            (req->route->flags & ROUTE_UPLOAD))
            return reply_upload_too_big(req);
        req->route = NULL;
        req->route_index = METRICS_ROUTE_NONE;
        req->nparams = 0;
        return http_reply_problem(req, 413, "the request body is larger than allowed");
    }
    char allow[96];
    enum route_match m = router_match(req, req->method, req->path, allow, sizeof(allow));
    if (m == ROUTE_FOUND) {
        const struct route *rt = req->route;
        if (((rt->flags & ROUTE_TEST_HOOK) && !srv->app->cfg.server_test_hooks) ||
            ((rt->flags & ROUTE_LOOPBACK) && !peer_is_direct_loopback(req))) {
            req->route = NULL;
            req->route_index = METRICS_ROUTE_NONE;
            return http_reply_problem(req, 404, "no such resource");
        }
        if (req->body.len && !(rt->flags & ROUTE_BODY)) {
            json_t *p = http_problem_new(400, "this request takes no body", NULL);
            if (p)
                http_problem_add_error(p, "body", "must be empty");
            return http_reply_problem_json(req, p);
        }
        int rc = rt->handler(req);
        if (rt->flags & ROUTE_ROUTING)
            acd_post(srv->app->acd, ACD_RELOAD, 0);
        return rc;
    }
    if (m == ROUTE_WRONG_METHOD)
        return reply_405(req, allow);
    if (is_api_path(req->path))
        return http_reply_problem(req, 404, "no such resource");
    if (strcmp(req->method, "GET") && strcmp(req->method, "HEAD"))
        return reply_405(req, "GET, HEAD");
    req->route_index = METRICS_ROUTE_STATIC;
    return static_serve(req);
}

static int queue_async_result(struct http_req *req)
{
    json_t *body = req->async_body;
    req->async_body = NULL;
    int status = req->async_status ? req->async_status : 500;
    if (status >= 400) {
        if (!body)
            body = http_problem_new(status, NULL, NULL);
        return http_reply_problem_json(req, body);
    }
    if (!body)
        return http_reply_empty(req, status);
    return http_reply_json(req, status, body);
}

static struct http_req *req_new(struct http_server *srv, struct MHD_Connection *conn,
                                const char *url, const char *method)
{
    struct http_req *req = calloc(1, sizeof(*req));
    if (!req)
        return NULL;
    arena_init(&req->arena, REQ_ARENA_MAX);
    req->conn = conn;
    req->app = srv->app;
    req->srv = srv;
    req->route_index = METRICS_ROUTE_NONE;
    req->started_ns = mono_ns();
    buf_init(&req->body, (size_t)srv->app->cfg.http_max_body_bytes);
    unsigned char rnd[8];
    randombytes_buf(rnd, sizeof(rnd));
    sodium_bin2hex(req->request_id, sizeof(req->request_id), rnd, sizeof(rnd));
    req->method = arena_strdup(&req->arena, method);
    req->path = arena_strdup(&req->arena, url);
    if (!req->method || !req->path) {
        arena_cleanup(&req->arena);
        free(req);
        return NULL;
    }
    return req;
}

/* The body cap of a new request: an upload route's own (ROUTE_UPLOAD), found before any of the
 * body is read; http.max_body_bytes for everything else. Leaves no routing state behind. */
static size_t body_cap(struct http_server *srv, struct http_req *req)
{
    size_t cap = (size_t)srv->app->cfg.http_max_body_bytes;
    if (router_match(req, req->method, req->path, NULL, 0) == ROUTE_FOUND &&
        (req->route->flags & ROUTE_UPLOAD)) {
        cap = ROUTE_UPLOAD_MAX_BYTES;
        buf_init(&req->body, cap); /* still empty: nothing to free */
    }
    req->route = NULL;
    req->route_index = METRICS_ROUTE_NONE;
    req->nparams = 0;
    return cap;
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *conn, const char *url,
                                      const char *method, const char *version,
                                      const char *upload_data, size_t *upload_data_size,
                                      void **con_cls)
{
    struct http_server *srv = cls;
    struct http_req *req = *con_cls;
    if (!req) {
        req = req_new(srv, conn, url, method);
        if (!req)
            return MHD_NO;
        *con_cls = req;
        atomic_fetch_add(&srv->in_flight, 1);
        log_set_request_id(req->request_id);
        size_t cap = body_cap(srv, req);
        const char *cl =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > (unsigned long long)cap)
            req->body_too_big = true; /* answered below without reading the body */
        else
            return MHD_YES;
    }
    log_set_request_id(req->request_id);
    enum MHD_Result r;
    if (req->status) {
        /* Already answered (oversized body): discard whatever still arrives. */
        *upload_data_size = 0;
        r = MHD_YES;
    } else if (*upload_data_size) {
        /* Past the cap the rest is discarded as it arrives (memory stays bounded); the 413 is
         * queued at the end of the body, where libmicrohttpd accepts a response. */
        if (!req->body_too_big && buf_add(&req->body, upload_data, *upload_data_size)) {
            req->body_too_big = true;
            buf_free(&req->body);
        }
        *upload_data_size = 0;
        r = MHD_YES;
    } else if (req->suspended) {
        req->suspended = false;
        r = (enum MHD_Result)queue_async_result(req);
    } else {
        *upload_data_size = 0;
        r = (enum MHD_Result)dispatch(srv, req);
    }
    log_set_request_id(NULL);
    return r;
}

static void access_log(struct http_req *req, int64_t dur_ns)
{
    struct buf f;
    buf_init(&f, 4096);
    int r = buf_adds(&f, "\"method\":");
    if (!r)
        r = json_escape_buf(&f, req->method);
    if (!r)
        r = buf_adds(&f, ",\"path\":");
    if (!r)
        r = json_escape_buf(&f, req->path);
    if (!r)
        r = buf_addf(&f, ",\"status\":%d,\"duration_ms\":%.3f", req->status, (double)dur_ns / 1e6);
    if (!r)
        log_write(LOG_INFO, "request", f.data);
    buf_free(&f);
}

static void request_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                              enum MHD_RequestTerminationCode toe)
{
    struct http_server *srv = cls;
    struct http_req *req = *con_cls;
    if (!req)
        return;
    *con_cls = NULL;
    if (req->upgraded) {
        /* Accounted for and mostly freed at the 101 (http_server_detach). */
        free(req);
        return;
    }
    log_set_request_id(req->request_id);
    int64_t dur = mono_ns() - req->started_ns;
    if (!req->status)
        req->status = toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? 200 : 499;
    metrics_request(req->route_index, req->status, dur);
    if (srv->app->cfg.log_access)
        access_log(req, dur);
    log_set_request_id(NULL);
    atomic_fetch_sub(&srv->in_flight, 1);
    json_decref(req->async_body);
    buf_free(&req->body);
    arena_cleanup(&req->arena);
    free(req);
}

void http_server_detach(struct http_req *req)
{
    if (req->upgraded)
        return;
    req->upgraded = true;
    /* The request is over as far as HTTP goes: account for it now and give back its memory,
     * which would otherwise live as long as the socket (8 KiB a WebSocket). */
    int64_t dur = mono_ns() - req->started_ns;
    metrics_request(req->route_index, req->status, dur);
    if (req->app->cfg.log_access)
        access_log(req, dur);
    buf_free(&req->body);
    arena_cleanup(&req->arena);
    req->method = req->path = NULL;
    /* Not req->app->http: main() stores that pointer (http_server_start's *out) only after
     * MHD_start_daemon has started the worker threads, so a WebSocket could be upgraded here
     * before the store (a NULL dereference) and, even after it, the plain load in this worker
     * thread races the plain store in the main thread (ThreadSanitizer reported it). The srv
     * pointer in the request came in as the daemon's callback argument, which was written
     * before the threads were created: thread creation orders it, no atomic or lock needed. */
    atomic_fetch_sub(&req->srv->in_flight, 1);
}

int http_server_start(struct sb_app *app, struct http_server **out)
{
    struct http_server *srv = calloc(1, sizeof(*srv));
    if (!srv)
        return SB_ENOMEM;
    srv->app = app;
    struct sockaddr_in sin = {.sin_family = AF_INET,
                              .sin_port = htons((uint16_t)app->cfg.http_port)};
    struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6,
                                .sin6_port = htons((uint16_t)app->cfg.http_port)};
    const struct sockaddr *sa;
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_ALLOW_UPGRADE |
                     MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC;
    if (inet_pton(AF_INET, app->cfg.http_address, &sin.sin_addr) == 1) {
        sa = (const struct sockaddr *)&sin;
    } else if (inet_pton(AF_INET6, app->cfg.http_address, &sin6.sin6_addr) == 1) {
        sa = (const struct sockaddr *)&sin6;
        flags |= MHD_USE_IPv6;
    } else {
        log_error("http.address %s is not an IP address", app->cfg.http_address);
        free(srv);
        return SB_EINVAL;
    }
    srv->daemon = MHD_start_daemon(
        flags, (uint16_t)app->cfg.http_port, NULL, NULL, access_handler, srv,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, NULL, MHD_OPTION_SOCK_ADDR, sa,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)app->cfg.http_threads, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)app->cfg.http_max_connections, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)app->cfg.http_connection_timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)app->cfg.http_connection_memory_limit, MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
        MHD_OPTION_NOTIFY_COMPLETED, request_completed, srv, MHD_OPTION_UNESCAPE_CALLBACK,
        static_unescape, NULL, MHD_OPTION_END);
    if (!srv->daemon) {
        log_error("cannot listen on %s:%d", app->cfg.http_address, app->cfg.http_port);
        free(srv);
        return SB_EIO;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di ? di->port : (uint16_t)app->cfg.http_port;
    *out = srv;
    return 0;
}

uint16_t http_server_port(const struct http_server *s)
{
    return s->port;
}

int http_server_in_flight(const struct http_server *s)
{
    return atomic_load(&((struct http_server *)s)->in_flight);
}

void http_server_quiesce(struct http_server *s)
{
    MHD_socket fd = MHD_quiesce_daemon(s->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
}

void http_server_stop(struct http_server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->daemon);
    free(s);
}
