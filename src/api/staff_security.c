/* Admin actions on an account's security state: unlock, end all its sessions, set its
 * password (the agents' and users' password routes, after their own access checks). */
#include "api/staff_security.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "admin/settings.h"
#include "api/fields.h"
#include "api/handlers.h"
#include "api/json_out.h"
#include "app.h"
#include "auth/audit.h"
#include "auth/guard.h"
#include "auth/password.h"
#include "http/respond.h"
#include "auth/session.h"
#include "core/err.h"
#include "staff/accounts.h"
#include "ws/hub.h"

static int load_target(struct http_req *req, struct db **db, struct account *a)
{
    int64_t id;
    if (http_param_id(req, "id", &id)) {
        http_reply_problem(req, 404, "no such staff member");
        return SB_ENOTFOUND;
    }
    *db = app_thread_db(req->app);
    int r = *db ? account_by_id(*db, id, a) : SB_EUNAVAIL;
    if (r == SB_ENOTFOUND)
        http_reply_problem(req, 404, "no such staff member");
    else if (r)
        http_reply_error(req, r);
    return r;
}

int api_staff_unlock(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_ADMIN, &who))
        return http_replied(req);
    struct db *db;
    struct account a;
    if (load_target(req, &db, &a))
        return http_replied(req);
    int64_t now = clock_now_ms(req->app->clock);
    int r = account_unlock(db, a.id, now);
    if (r)
        return http_reply_error(req, r);
    audit_record(db, now, who.user_id, "account.unlock", "staff", a.id, auth_client_ip(req),
                 json_pack("{s:s}", "by", "administrator"));
    account_by_id(db, a.id, &a);
    return http_reply_json(req, 200, json_account(&a));
}

int api_staff_sessions_delete(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_ADMIN, &who))
        return http_replied(req);
    struct db *db;
    struct account a;
    if (load_target(req, &db, &a))
        return http_replied(req);
    int64_t now = clock_now_ms(req->app->clock);
    int n = 0;
    int r = session_revoke_all(db, a.id, 0, "revoked by administrator", now, &n);
    if (r)
        return http_reply_error(req, r);
    hub_close_user(req->app->hub, a.id, 4001, (struct ws_ref){0, 0});
    audit_record(db, now, who.user_id, "session.revoke", "staff", a.id, auth_client_ip(req),
                 json_pack("{s:s, s:i}", "reason", "revoked by administrator", "count", n));
    return http_reply_json(req, 200, json_pack("{s:i}", "revoked", n));
}

struct password_job {
    int64_t id, actor;
    char password[PASSWORD_MAX_BYTES + 1];
    const char *ip;
};

static void set_password_work(struct http_req *req, void *arg)
{
    struct password_job *j = arg;
    char hash[PASSWORD_HASH_MAX];
    struct db *db = app_thread_db(req->app);
    int64_t now = clock_now_ms(req->app->clock);
    int r = password_hash(j->password, hash);
    sodium_memzero(j->password, sizeof(j->password));
    /* Set by an administrator: the agent chooses its own at the next login (seed 001). */
    if (!r)
        r = db ? account_set_password(db, j->id, hash, true, now) : SB_EUNAVAIL;
    sodium_memzero(hash, sizeof(hash));
    int n = 0;
    if (!r)
        r = session_revoke_all(db, j->id, 0, "password set by administrator", now, &n);
    if (r) {
        http_async_result(req, sb_err_status(r),
                          http_problem_new(sb_err_status(r), "the password was not set", NULL));
        return;
    }
    hub_close_user(req->app->hub, j->id, 4001, (struct ws_ref){0, 0});
    audit_record(db, now, j->actor, "password.reset", "staff", j->id, j->ip,
                 json_pack("{s:s, s:i}", "by", "administrator", "sessions_revoked", n));
    http_async_result(req, 204, NULL);
}

int staff_password_set(struct http_req *req, int64_t id, int64_t actor)
{
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    json_t *p = http_problem_new(422, "the password was not set", NULL);
    field_new_password(body, "password", p);
    if (json_object_get(p, "errors")) {
        json_decref(body);
        return http_reply_problem_json(req, p);
    }
    json_decref(p);
    struct password_job *j = arena_calloc(&req->arena, sizeof(*j));
    if (!j) {
        json_decref(body);
        return http_reply_error(req, SB_ENOMEM);
    }
    j->id = id;
    j->actor = actor;
    j->ip = auth_client_ip(req);
    snprintf(j->password, sizeof(j->password), "%s",
             json_string_value(json_object_get(body, "password")));
    json_decref(body);
    return http_defer(req, set_password_work, j);
}

void staff_create_result(struct http_req *req, int r, const char *conflict, json_t *created,
                         const char *what)
{
    if (r == SB_ECONFLICT) {
        json_decref(created);
        bool ext = conflict && !strcmp(conflict, "internal");
        json_t *p = http_problem_new(409, "already taken", NULL);
        http_problem_add_error(p, ext ? "internal" : "username",
                               ext ? "this extension belongs to someone else"
                                   : "this username is taken");
        http_async_result(req, 409, p);
        return;
    }
    if (r) {
        json_decref(created);
        char detail[64];
        snprintf(detail, sizeof(detail), "the %s was not created", what);
        http_async_result(req, sb_err_status(r), http_problem_new(sb_err_status(r), detail, NULL));
        return;
    }
    http_async_result(req, 201, created);
}
