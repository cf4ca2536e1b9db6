#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "app.h"
#include "core/buf.h"
#include "core/err.h"
#include "http/metrics.h"
#include "http/respond.h"
#include "ws/hub.h"

extern const unsigned char sb_openapi_doc[];
extern const size_t sb_openapi_doc_len;

int api_health_get(struct http_req *req)
{
    struct sb_app *app = req->app;
    struct db *db = app_thread_db(app);
    int r = db ? db_ping(db) : SB_EUNAVAIL;
    if (r) {
        /* A dead PG connection is reopened on the next request rather than kept broken. */
        if (r == SB_EUNAVAIL)
            app_thread_db_release();
        return http_reply_problem(req, 503, "the database is not reachable");
    }
    int64_t uptime = (clock_mono_ms(clock_real()) - app->started_mono_ms) / 1000;
    json_t *body = json_pack("{s:s, s:s, s:I, s:{s:s, s:b, s:i}}", "status", "ok", "version",
                             SB_VERSION, "uptime_seconds", (json_int_t)uptime, "database",
                             "backend", app->dbc.backend == DB_PG ? "postgres" : "sqlite", "ok", 1,
                             "schema_version", app->schema_version);
    return http_reply_json(req, 200, body);
}

int api_openapi_get(struct http_req *req)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        sb_openapi_doc_len, (void *)sb_openapi_doc, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    http_add_standard_headers(resp);
    req->status = 200;
    int r = MHD_queue_response(req->conn, 200, resp);
    MHD_destroy_response(resp);
    return r;
}

int api_metrics_get(struct http_req *req)
{
    struct buf b;
    buf_init(&b, 1u << 20);
    if (metrics_render(&b, req->app)) {
        buf_free(&b);
        return http_reply_error(req, SB_ENOMEM);
    }
    size_t len;
    char *text = buf_take(&b, &len);
    if (!text)
        return http_reply_error(req, SB_ENOMEM);
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            "text/plain; version=0.0.4; charset=utf-8");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    http_add_standard_headers(resp);
    req->status = 200;
    int r = MHD_queue_response(req->conn, 200, resp);
    MHD_destroy_response(resp);
    return r;
}
