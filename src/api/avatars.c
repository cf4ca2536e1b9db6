/* /api/v1/agents/{id}/avatar — an agent's picture (issue "Staff", docs/staff-fields.md §6.4):
 * upload (raw PNG or JPEG body, checked by decoding it on a job worker), read by any signed-in
 * staff member (avatars appear in lists and the messenger), remove. Who may change one: an
 * admin, or a supervisor whose profile allows editing agents and who has the agent in scope. */
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/handlers.h"
#include "app.h"
#include "auth/audit.h"
#include "auth/guard.h"
#include "auth/permissions.h"
#include "core/err.h"
#include "core/log.h"
#include "http/respond.h"
#include "http/router.h"
#include "staff/avatar.h"
#include "staff/avatar_store.h"

_Static_assert(ROUTE_UPLOAD_MAX_BYTES == AVATAR_MAX_BYTES,
               "the upload route's body cap is the avatar cap");

/* A versioned URL (?v= the current version) never changes content: cache it long. The bare
 * URL, or an old version, must be revalidated (the ETag makes that a 304). */
#define CACHE_VERSIONED "private, max-age=31536000, immutable"
#define CACHE_BARE      "private, max-age=0, must-revalidate"

/* The field every error of the upload names. */
#define FIELD "avatar"

static int reply_field(struct http_req *req, int status, const char *detail, const char *msg)
{
    json_t *p = http_problem_new(status, detail, NULL);
    if (p)
        http_problem_add_error(p, FIELD, msg);
    return http_reply_problem_json(req, p);
}

/* The start of PUT and DELETE: the caller may edit agents, `{id}` is a live agent in its scope
 * (404 otherwise, the same answer for both so scope does not reveal who exists). *name gets
 * the current avatar's name ("" for none). Queues the refusal and returns false otherwise. */
static bool change_route(struct http_req *req, struct perm_ctx *ctx, int64_t *id,
                         char name[AVATAR_NAME_MAX])
{
    if (perm_require(req, PERM_SECTION_AGENTS, PERM_EDIT, ctx))
        return false;
    struct db *db = app_thread_db(req->app);
    int r = http_param_id(req, "id", id);
    if (!r)
        r = db ? avatar_get_name(db, *id, name) : SB_EUNAVAIL;
    if (!r && !perm_agent_in_scope(req, ctx, *id))
        r = SB_ENOTFOUND;
    if (r == SB_ENOTFOUND) {
        http_reply_problem(req, 404, "no such agent");
        return false;
    }
    if (r) {
        http_reply_error(req, r);
        return false;
    }
    return true;
}

struct put_job {
    int64_t id, actor;
    enum avatar_kind declared;
    const char *ip;
};

static void put_work(struct http_req *req, void *arg)
{
    struct put_job *j = arg;
    const char *data_dir = req->app->cfg.server_data_dir;
    struct avatar_info info;
    int r = avatar_check(req->body.data, req->body.len, &info);
    if (r == SB_EINVALID || r == SB_ETOOBIG) {
        json_t *p = http_problem_new(sb_err_status(r), "the picture was not accepted", NULL);
        if (p)
            http_problem_add_error(p, FIELD, info.why);
        http_async_result(req, sb_err_status(r), p);
        return;
    }
    /* The handler compared the magic bytes with the Content-Type; the decoder agrees. */
    if (!r && info.kind != j->declared)
        r = SB_EINTERNAL;
    struct db *db = app_thread_db(req->app);
    if (!r && !db)
        r = SB_EUNAVAIL;
    char name[AVATAR_NAME_MAX], old[AVATAR_NAME_MAX];
    if (!r)
        r = avatar_file_write(data_dir, info.kind, req->body.data, req->body.len, name);
    int64_t now = clock_now_ms(req->app->clock);
    if (!r) {
        r = avatar_replace(db, j->id, name, now, old);
        /* Removed only when the column certainly does not name it: after a failed commit it
         * may, and an orphan is the harmless outcome. */
        if (r == SB_ENOTFOUND || r == SB_ECONFLICT)
            avatar_file_remove(data_dir, name);
    }
    if (r == SB_ENOTFOUND) {
        http_async_result(req, 404, http_problem_new(404, "no such agent", NULL));
        return;
    }
    if (r) {
        http_async_result(req, sb_err_status(r),
                          http_problem_new(sb_err_status(r), "the picture was not stored", NULL));
        return;
    }
    avatar_file_remove(data_dir, old);
    audit_record(db, now, j->actor, "agent.avatar.set", "staff", j->id, j->ip,
                 json_pack("{s:s, s:I, s:i, s:i}", "type", avatar_kind_mime(info.kind), "bytes",
                           (json_int_t)req->body.len, "width", (int)info.width, "height",
                           (int)info.height));
    http_async_result(req, 200,
                      json_pack("{s:o, s:s, s:I, s:i, s:i}", "avatar_url",
                                avatar_url_json(j->id, name), "content_type",
                                avatar_kind_mime(info.kind), "bytes", (json_int_t)req->body.len,
                                "width", (int)info.width, "height", (int)info.height));
}

int api_avatar_put(struct http_req *req)
{
    struct perm_ctx ctx;
    int64_t id;
    char current[AVATAR_NAME_MAX];
    if (!change_route(req, &ctx, &id, current))
        return http_replied(req);
    enum avatar_kind declared = avatar_kind_of_mime(http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE));
    if (declared == AVATAR_UNKNOWN)
        return reply_field(req, 415, "the picture must be a PNG or JPEG image",
                           "Content-Type must be image/png or image/jpeg");
    /* Cheap refusals here; the decode (CPU work) goes to a worker. */
    enum avatar_kind sniffed = avatar_sniff(req->body.data, req->body.len);
    if (!req->body.len)
        return reply_field(req, 422, "the picture was not accepted",
                           "is empty: send a PNG or JPEG image");
    if (sniffed == AVATAR_UNKNOWN)
        return reply_field(req, 422, "the picture was not accepted", "must be a PNG or JPEG image");
    if (sniffed != declared) {
        char msg[128];
        snprintf(msg, sizeof(msg), "is a %s image but Content-Type says %s",
                 sniffed == AVATAR_PNG ? "PNG" : "JPEG", avatar_kind_mime(declared));
        return reply_field(req, 422, "the picture was not accepted", msg);
    }
    struct put_job *j = arena_calloc(&req->arena, sizeof(*j));
    if (!j)
        return http_reply_error(req, SB_ENOMEM);
    j->id = id;
    j->actor = ctx.who.user_id;
    j->declared = declared;
    j->ip = auth_client_ip(req);
    return http_defer(req, put_work, j);
}

int api_avatar_delete(struct http_req *req)
{
    struct perm_ctx ctx;
    int64_t id;
    char current[AVATAR_NAME_MAX], old[AVATAR_NAME_MAX];
    if (!change_route(req, &ctx, &id, current))
        return http_replied(req);
    struct db *db = app_thread_db(req->app);
    int64_t now = clock_now_ms(req->app->clock);
    int r = avatar_replace(db, id, NULL, now, old);
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such agent");
    if (r)
        return http_reply_error(req, r);
    if (old[0]) {
        avatar_file_remove(req->app->cfg.server_data_dir, old);
        audit_record(db, now, ctx.who.user_id, "agent.avatar.remove", "staff", id,
                     auth_client_ip(req), NULL);
    }
    return http_reply_empty(req, 204);
}

int api_avatar_get(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_AGENT, &who))
        return http_replied(req);
    int64_t id;
    char name[AVATAR_NAME_MAX];
    struct db *db = app_thread_db(req->app);
    int r = http_param_id(req, "id", &id);
    if (!r)
        r = db ? avatar_get_name(db, id, name) : SB_EUNAVAIL;
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such agent");
    if (r)
        return http_reply_error(req, r);
    if (!name[0])
        return http_reply_problem(req, 404, "this agent has no picture");
    int fd = -1;
    struct stat st;
    r = avatar_file_open(req->app->cfg.server_data_dir, name, &fd);
    if (!r && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)))
        r = SB_EIO;
    if (r) {
        /* The column never names a missing file by construction: someone removed it. */
        log_error("avatars: the picture of agent %lld is unreadable (%s)", (long long)id,
                  sb_err_name(r));
        if (fd >= 0)
            close(fd);
        return http_reply_problem(req, 404, "this agent's picture is missing");
    }
    char etag[AVATAR_NAME_MAX + 2];
    snprintf(etag, sizeof(etag), "\"%.32s\"", name);
    const char *v = http_query(req, "v");
    const char *cache =
        v && strlen(v) == AVATAR_VERSION_LEN && !strncmp(v, name, AVATAR_VERSION_LEN)
            ? CACHE_VERSIONED
            : CACHE_BARE;
    const char *inm = http_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH);
    bool fresh = inm && (strstr(inm, etag) || !strcmp(inm, "*"));
    struct MHD_Response *resp;
    int status;
    if (fresh) {
        close(fd);
        resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        status = 304;
    } else {
        resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd); /* takes fd */
        status = 200;
        if (!resp)
            close(fd);
    }
    if (!resp)
        return http_reply_error(req, SB_ENOMEM);
    enum avatar_kind kind = avatar_name_kind(name);
    if (status == 200) {
        char disposition[64];
        snprintf(disposition, sizeof(disposition), "inline; filename=\"avatar.%s\"",
                 avatar_kind_ext(kind));
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, avatar_kind_mime(kind));
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disposition);
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
    /* Only this origin may embed it (an <img> elsewhere would carry the session cookie). */
    MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
    http_add_standard_headers(resp); /* includes X-Content-Type-Options: nosniff */
    req->status = status;
    int q = MHD_queue_response(req->conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return req->reply_result = q;
}
