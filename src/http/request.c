#include "http/request.h"

#include <errno.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "core/err.h"
#include "core/jobs.h"
#include "core/log.h"
#include "http/respond.h"
#include "http/mask.h"

const char *http_param(const struct http_req *req, const char *name)
{
    for (int i = 0; i < req->nparams; i++)
        if (!strcmp(req->param_names[i], name))
            return req->param_values[i];
    return NULL;
}

int http_param_id(const struct http_req *req, const char *name, int64_t *out)
{
    const char *s = http_param(req, name);
    if (!s || !*s || *s == '0' || strlen(s) > 18)
        return SB_ENOTFOUND;
    int64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return SB_ENOTFOUND;
        v = v * 10 + (*p - '0');
    }
    *out = v;
    return 0;
}

const char *http_query(const struct http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_header(const struct http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

static bool is_json_type(const char *ct)
{
    if (!ct)
        return false;
    size_t n = strlen("application/json");
    return !strncasecmp(ct, "application/json", n) && (ct[n] == 0 || ct[n] == ';');
}

json_t *http_body_object(struct http_req *req)
{
    if (!is_json_type(http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE))) {
        json_t *p = http_problem_new(415, "the body must be application/json", NULL);
        if (p)
            http_problem_add_error(p, "body", "Content-Type must be application/json");
        http_reply_problem_json(req, p);
        return NULL;
    }
    json_error_t jerr;
    json_t *v = json_loadb(req->body.data ? req->body.data : "", req->body.len,
                           JSON_REJECT_DUPLICATES, &jerr);
    if (!v || !json_is_object(v)) {
        char msg[256];
        if (v)
            snprintf(msg, sizeof(msg), "the body must be a JSON object");
        else
            snprintf(msg, sizeof(msg), "malformed JSON at line %d, column %d: %s", jerr.line,
                     jerr.column, jerr.text);
        json_decref(v);
        json_t *p = http_problem_new(400, msg, NULL);
        if (p)
            http_problem_add_error(p, "body", msg);
        http_reply_problem_json(req, p);
        return NULL;
    }
    return v;
}

int http_reply_json(struct http_req *req, int status, json_t *body)
{
    req->status = status;
    if (req->caller_id && mask_has_contact_fields(body)) {
        int masked = mask_for(req->caller_id, req->caller_role);
        if (masked >= 0)
            mask_contact_fields(body, masked);
    }
    return req->reply_result = http_queue_json_with(req->conn, status, body, req->extra_headers,
                                                    req->nextra_headers);
}

int http_reply_items(struct http_req *req, json_t *items)
{
    if (!items)
        return http_reply_error(req, SB_ENOMEM);
    return http_reply_json(
        req, 200,
        json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)json_array_size(items)));
}

int http_reply_problem_json(struct http_req *req, json_t *problem)
{
    if (!problem) {
        req->status = 500;
        return req->reply_result = MHD_NO;
    }
    req->status = (int)json_integer_value(json_object_get(problem, "status"));
    return req->reply_result = http_queue_problem_json_with(req->conn, problem, req->extra_headers,
                                                            req->nextra_headers);
}

int http_reply_problem(struct http_req *req, int status, const char *detail)
{
    return http_reply_problem_json(req, http_problem_new(status, detail, NULL));
}

int http_reply_error(struct http_req *req, int err)
{
    int status = sb_err_status(err);
    const char *detail;
    switch (err) {
    case SB_EBUSY:
        detail = "the database is busy; retry shortly";
        break;
    case SB_EIO:
        detail = "the database cannot write right now; retry later";
        break;
    case SB_EUNAVAIL:
        detail = "a backing service is unavailable; retry later";
        break;
    case SB_EFULL:
        detail = "the server is overloaded; retry shortly";
        break;
    default:
        detail = status >= 500 ? "unexpected server error" : sb_err_title(err);
    }
    if (status >= 500)
        log_warn("request failed: %s", sb_err_name(err));
    return http_reply_problem(req, status, detail);
}

int http_add_header(struct http_req *req, const char *name, const char *value)
{
    if (req->nextra_headers >= HTTP_MAX_EXTRA_HEADERS)
        return SB_EFULL;
    const char *n = arena_strdup(&req->arena, name);
    const char *v = arena_strdup(&req->arena, value);
    if (!n || !v)
        return SB_ENOMEM;
    req->extra_headers[2 * req->nextra_headers] = n;
    req->extra_headers[2 * req->nextra_headers + 1] = v;
    req->nextra_headers++;
    return 0;
}

int http_reply_empty(struct http_req *req, int status)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    http_add_standard_headers(resp);
    for (int i = 0; i < req->nextra_headers; i++)
        MHD_add_response_header(resp, req->extra_headers[2 * i], req->extra_headers[2 * i + 1]);
    req->status = status;
    int r = MHD_queue_response(req->conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return req->reply_result = r;
}

int http_reply_text(struct http_req *req, int status, const char *content_type, const char *body)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        strlen(body ? body : ""), (void *)(body ? body : ""), MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    http_add_standard_headers(resp);
    if (content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    for (int i = 0; i < req->nextra_headers; i++)
        MHD_add_response_header(resp, req->extra_headers[2 * i], req->extra_headers[2 * i + 1]);
    req->status = status;
    int r = MHD_queue_response(req->conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return req->reply_result = r;
}

int http_replied(const struct http_req *req)
{
    return req->reply_result;
}

struct defer_job {
    struct http_req *req;
    http_work_fn work;
    void *arg;
};

static void defer_run(void *p)
{
    struct defer_job *j = p;
    struct http_req *req = j->req;
    log_set_request_id(req->request_id);
    j->work(req, j->arg);
    free(j);
    atomic_store(&req->async_done, true);
    log_set_request_id(NULL);
    MHD_resume_connection(req->conn);
}

int http_defer(struct http_req *req, http_work_fn work, void *arg)
{
    struct defer_job *j = malloc(sizeof(*j));
    if (!j)
        return http_reply_error(req, SB_ENOMEM);
    j->req = req;
    j->work = work;
    j->arg = arg;
    /* Suspend first: the job may finish before jobs_submit() returns. */
    MHD_suspend_connection(req->conn);
    req->suspended = true;
    int r = jobs_submit(&req->app->jobs, defer_run, j);
    if (r) {
        /* Answer through the same resume path so the response is queued from a normal
         * access-handler call, never from a suspended connection. */
        free(j);
        json_t *p = http_problem_new(503, "the server is overloaded; retry shortly", NULL);
        http_async_result(req, 503, p);
        atomic_store(&req->async_done, true);
        MHD_resume_connection(req->conn);
    }
    return MHD_YES;
}

void http_async_result(struct http_req *req, int status, json_t *body)
{
    json_decref(req->async_body);
    req->async_status = status;
    req->async_body = body;
}
