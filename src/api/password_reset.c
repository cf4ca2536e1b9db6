/* Forgot password: POST /api/v1/auth/password-reset and .../complete. */
#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "app.h"
#include "auth/guard.h"
#include "auth/password.h"
#include "auth/reset.h"
#include "core/err.h"
#include "core/log.h"
#include "http/respond.h"

#define EMAIL_MAX 254

struct reset_request_job {
    struct sb_app *app;
    char email[EMAIL_MAX + 1];
    char ip[64];
};

static void reset_request_run(void *arg)
{
    struct reset_request_job *j = arg;
    struct db *db = app_thread_db(j->app);
    int r = db ? reset_request(j->app, db, j->email, j->ip) : SB_EUNAVAIL;
    if (r) {
        log_warn("password-reset request failed (%d)", r);
        if (r == SB_EUNAVAIL)
            app_thread_db_release();
    }
    free(j);
}

static bool email_shape_ok(const char *s, size_t len)
{
    const char *at = s ? strchr(s, '@') : NULL;
    if (!s || len < 3 || len > EMAIL_MAX || strlen(s) != len || !at || at == s || !at[1] ||
        strchr(at + 1, '@'))
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return false;
    return true;
}

int api_password_reset_request(struct http_req *req)
{
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    json_t *e = json_object_get(body, "email");
    const char *email = json_string_value(e);
    if (!email_shape_ok(email, email ? json_string_length(e) : 0)) {
        json_decref(body);
        json_t *p = http_problem_new(422, "invalid request", NULL);
        http_problem_add_error(p, "email", "must be an e-mail address");
        return http_reply_problem_json(req, p);
    }
    if (!reset_available(req->app)) {
        json_decref(body);
        return http_reply_problem(req, 503,
                                  "password reset by e-mail is unavailable: no SMTP server is "
                                  "configured; ask an administrator");
    }
    struct reset_request_job *j = calloc(1, sizeof(*j));
    if (!j) {
        json_decref(body);
        return http_reply_error(req, SB_ENOMEM);
    }
    j->app = req->app;
    snprintf(j->email, sizeof(j->email), "%s", email);
    snprintf(j->ip, sizeof(j->ip), "%s", auth_client_ip(req));
    json_decref(body);
    /* Answer before looking anything up: the same reply, at the same speed, either way. */
    if (jobs_submit(&req->app->jobs, reset_request_run, j)) {
        free(j);
        return http_reply_error(req, SB_EFULL);
    }
    return http_reply_json(
        req, 202,
        json_pack("{s:s}", "detail",
                  "If the address belongs to an account, a link to reset its password has been "
                  "sent. It is valid for one hour."));
}

struct reset_complete_job {
    char token[64];
    char password[PASSWORD_MAX_BYTES + 1];
    const char *ip;
};

static void reset_complete_work(struct http_req *req, void *arg)
{
    struct reset_complete_job *j = arg;
    struct db *db = app_thread_db(req->app);
    json_t *errors = NULL;
    int r = db ? reset_complete(req->app, db, j->token, j->password, j->ip, &errors) : SB_EUNAVAIL;
    sodium_memzero(j, sizeof(*j));
    if (r == SB_EINVALID) {
        http_async_result(req, 422, http_problem_new(422, "the password was not reset", errors));
        return;
    }
    if (r) {
        http_async_result(req, sb_err_status(r),
                          http_problem_new(sb_err_status(r), "the password was not reset", NULL));
        return;
    }
    http_async_result(req, 204, NULL);
}

int api_password_reset_complete(struct http_req *req)
{
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    json_t *p = http_problem_new(422, "the password was not reset", NULL);
    json_t *t = json_object_get(body, "token");
    json_t *pw = json_object_get(body, "new_password");
    const char *token = json_string_value(t);
    const char *next = json_string_value(pw);
    if (!token || json_string_length(t) != 43 || strlen(token) != 43)
        http_problem_add_error(p, "token", "must be the token from the e-mail link");
    if (!next || !*next || json_string_length(pw) > PASSWORD_MAX_BYTES ||
        strlen(next) != json_string_length(pw))
        http_problem_add_error(p, "new_password", "is required: 1 to 1024 bytes");
    if (json_object_get(p, "errors")) {
        json_decref(body);
        return http_reply_problem_json(req, p);
    }
    json_decref(p);
    struct reset_complete_job *j = arena_calloc(&req->arena, sizeof(*j));
    if (!j) {
        json_decref(body);
        return http_reply_error(req, SB_ENOMEM);
    }
    snprintf(j->token, sizeof(j->token), "%s", token);
    snprintf(j->password, sizeof(j->password), "%s", next);
    json_decref(body);
    j->ip = auth_client_ip(req);
    return http_defer(req, reset_complete_work, j);
}
