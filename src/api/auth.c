/* The auth resource: login, logout, me, password change, own sessions. */
#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "admin/settings.h"
#include "api/handlers.h"
#include "api/json_out.h"
#include "app.h"
#include "auth/audit.h"
#include "auth/guard.h"
#include "auth/login.h"
#include "auth/mfa.h"
#include "auth/permissions.h"
#include "core/err.h"
#include "http/respond.h"
#include "ws/hub.h"
#include "staff/agents.h"
#include "staff/client_logs_notify.h"

/* Validates a required string field of 1..max bytes; adds an error and returns NULL when it
 * is missing or wrong. */
static const char *field_string(json_t *body, const char *name, size_t max, json_t *problem)
{
    json_t *v = json_object_get(body, name);
    const char *s = json_string_value(v);
    if (!s || !*s || json_string_length(v) > max || strlen(s) != json_string_length(v)) {
        char msg[96];
        snprintf(msg, sizeof(msg), "is required: a string of 1 to %zu bytes", max);
        http_problem_add_error(problem, name, msg);
        return NULL;
    }
    return s;
}

/* The answer to a completed login (password, or password + second factor): the cookie and
 * the session, user, password and MFA state. Called on a job worker. */
static void login_reply_ok(struct http_req *req, struct login_result *res)
{
    int64_t max_age = (res->expires_at - clock_now_ms(req->app->clock)) / 1000;
    auth_set_cookie(req, res->token, max_age);
    json_t *body = json_pack(
        "{s:o, s:s, s:{s:I, s:o}, s:{s:b, s:b, s:o}, s:{s:b, s:b}}", "user",
        json_account(&res->account), "csrf_token", res->csrf, "session", "id",
        (json_int_t)res->session_id, "expires_at", json_time(res->expires_at), "password",
        "must_change", res->password_expired, "expired",
        res->password_expired && !res->account.must_change_password, "expires_in_days",
        res->password_days_left >= 0 ? json_integer(res->password_days_left) : json_null(), "mfa",
        "enabled", res->account.mfa_enabled, "enrollment_required", res->mfa_enrollment_required);
    sodium_memzero(res, sizeof(*res));
    http_async_result(req, 200, body);
}

struct login_job {
    char username[ACCOUNT_USERNAME_MAX + 1];
    char password[PASSWORD_MAX_BYTES + 1];
    const char *ip;
    const char *user_agent;
};

static void login_work(struct http_req *req, void *arg)
{
    struct login_job *j = arg;
    struct login_result res;
    struct db *db = app_thread_db(req->app);
    int r = db ? login_attempt(req->app, db, j->username, j->password, j->ip, j->user_agent, &res)
               : SB_EUNAVAIL;
    sodium_memzero(j->password, sizeof(j->password));
    if (r) {
        if (r == SB_EUNAVAIL)
            app_thread_db_release();
        http_async_result(req, sb_err_status(r),
                          http_problem_new(sb_err_status(r), "login is unavailable", NULL));
        return;
    }
    switch (res.outcome) {
    case LOGIN_BAD_CREDENTIALS:
        http_add_header(req, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"switchboard\"");
        http_async_result(req, 401, http_problem_new(401, "invalid username or password", NULL));
        return;
    case LOGIN_LOCKED:
        http_async_result(req, 403,
                          json_pack("{s:s, s:i, s:s, s:s, s:s}", "type", "about:blank", "status",
                                    403, "title", "Forbidden", "detail",
                                    "this account is locked: contact the administrator", "code",
                                    "account_locked"));
        return;
    case LOGIN_DISABLED:
        http_async_result(req, 403,
                          json_pack("{s:s, s:i, s:s, s:s, s:s}", "type", "about:blank", "status",
                                    403, "title", "Forbidden", "detail",
                                    "this account is disabled: contact the administrator", "code",
                                    "account_disabled"));
        return;
    case LOGIN_THROTTLED: {
        char secs[24];
        snprintf(secs, sizeof(secs), "%lld", (long long)((res.retry_after_ms + 999) / 1000));
        http_add_header(req, MHD_HTTP_HEADER_RETRY_AFTER, secs);
        http_async_result(req, 429,
                          http_problem_new(429, "too many failed logins: try again later", NULL));
        return;
    }
    case LOGIN_DIRECTORY_DOWN:
        http_async_result(req, 503,
                          http_problem_new(503,
                                           "the directory (Active Directory / LDAP) cannot be "
                                           "reached: try again later",
                                           NULL));
        return;
    case LOGIN_SSO_UNCONFIGURED:
        http_async_result(req, 503,
                          http_problem_new(503,
                                           "this account logs in with Active Directory, which "
                                           "is not configured: contact the administrator",
                                           NULL));
        return;
    case LOGIN_MFA_REQUIRED:
        http_async_result(req, 200,
                          json_pack("{s:b, s:s, s:[s,s]}", "mfa_required", 1, "mfa_token",
                                    res.mfa_token, "methods",
                                    strcmp(res.account.mfa_method, "email") ? "totp" : "email",
                                    "recovery_code"));
        sodium_memzero(&res, sizeof(res));
        return;
    case LOGIN_OK:
        break;
    }
    login_reply_ok(req, &res);
}

int api_auth_login(struct http_req *req)
{
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    json_t *p = http_problem_new(422, "invalid login", NULL);
    const char *u = field_string(body, "username", ACCOUNT_USERNAME_MAX, p);
    const char *pw = field_string(body, "password", PASSWORD_MAX_BYTES, p);
    if (!u || !pw) {
        json_decref(body);
        return http_reply_problem_json(req, p);
    }
    json_decref(p);
    struct login_job *j = arena_calloc(&req->arena, sizeof(*j));
    if (!j) {
        json_decref(body);
        return http_reply_error(req, SB_ENOMEM);
    }
    snprintf(j->username, sizeof(j->username), "%s", u);
    snprintf(j->password, sizeof(j->password), "%s", pw);
    json_decref(body);
    j->ip = auth_client_ip(req);
    const char *ua = http_header(req, MHD_HTTP_HEADER_USER_AGENT);
    j->user_agent = ua ? arena_strdup(&req->arena, ua) : NULL;
    return http_defer(req, login_work, j);
}

int api_auth_logout(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_AGENT, &who))
        return http_replied(req);
    if (!who.session_id) {
        json_t *p = http_problem_new(400, "logout ends a cookie session", NULL);
        return http_reply_problem_json(req, p);
    }
    struct db *db = app_thread_db(req->app);
    int64_t now = clock_now_ms(req->app->clock);
    int r = db ? session_revoke(db, who.session_id, who.user_id, "logout", now) : SB_EUNAVAIL;
    if (r && r != SB_ENOTFOUND)
        return http_reply_error(req, r);
    audit_record(db, now, who.user_id, "logout", "session", who.session_id, auth_client_ip(req),
                 NULL);
    /* The session's sockets end with it (they would go on receiving the user's events). */
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", (long long)who.session_id);
    if (req->app->hub)
        hub_close_session(req->app->hub, who.user_id, sid, 4001);
    auth_set_cookie(req, NULL, 0);
    return http_reply_empty(req, 204);
}

int api_auth_me(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_AGENT, &who))
        return http_replied(req);
    if (!who.user_id)
        return http_reply_json(req, 200,
                               json_pack("{s:n, s:s}", "user", "credential", "admin_token"));
    char csrf[SESSION_TOKEN_LEN + 1];
    session_csrf_for(who.token, csrf);
    int days;
    bool expired = login_password_expired(&who.account, clock_now_ms(req->app->clock), &days);
    json_t *me = json_pack("{s:o, s:s, s:{s:I}, s:{s:b, s:o}}", "user", json_account(&who.account),
                           "csrf_token", csrf, "session", "id", (json_int_t)who.session_id,
                           "password", "must_change", expired, "expires_in_days",
                           days >= 0 ? json_integer(days) : json_null());
    if (!me)
        return http_reply_error(req, SB_ENOMEM);
    struct db *db = app_thread_db(req->app);
    int r = db ? 0 : SB_EUNAVAIL;
    if (!r && who.role == AUTH_ROLE_AGENT) {
        /* An agent's web client learns at start-up whether to send its logs. */
        struct client_logs_state logs;
        r = client_logs_load_state(db, who.user_id, &logs);
        if (!r)
            json_object_set_new(me, "client_logs", client_logs_state_json(logs));
        /* And where its toasts go (Personal info: notification_position). */
        char typology[16];
        json_t *settings = NULL;
        if (!r && !agent_load_settings(db, who.user_id, typology, &settings)) {
            const char *pos = json_string_value(json_object_get(settings, "notification_position"));
            json_object_set_new(me, "notification_position", json_string(pos ? pos : "top-right"));
        }
        json_decref(settings);
    } else if (!r && who.role == AUTH_ROLE_USER) {
        /* A supervisor: the sections its profile enables, for the console's navigation. */
        json_t *perms = NULL;
        r = perm_profile_describe(db, who.account.profile_id, &perms);
        if (!r)
            json_object_set_new(me, "permissions", perms);
    }
    if (r) {
        json_decref(me);
        return http_reply_error(req, r);
    }
    return http_reply_json(req, 200, me);
}

struct password_job {
    struct auth_principal who;
    char current[PASSWORD_MAX_BYTES + 1];
    char next[PASSWORD_MAX_BYTES + 1];
    const char *ip;
};

static void password_work(struct http_req *req, void *arg)
{
    struct password_job *j = arg;
    struct db *db = app_thread_db(req->app);
    json_t *errors = NULL;
    int r = db ? login_change_password(req->app, db, &j->who.account, j->current, j->next,
                                       j->who.session_id, j->ip, &errors)
               : SB_EUNAVAIL;
    sodium_memzero(j->current, sizeof(j->current));
    sodium_memzero(j->next, sizeof(j->next));
    if (r == SB_EINVALID) {
        http_async_result(req, 422, http_problem_new(422, "the password was not changed", errors));
        return;
    }
    if (r == SB_ETHROTTLED) {
        http_add_header(req, MHD_HTTP_HEADER_RETRY_AFTER, "60");
        http_async_result(req, 429, http_problem_new(429, "too many failed attempts", NULL));
        return;
    }
    if (r) {
        http_async_result(req, sb_err_status(r),
                          http_problem_new(sb_err_status(r), "the password was not changed", NULL));
        return;
    }
    http_async_result(req, 204, NULL);
}

int api_auth_password(struct http_req *req)
{
    struct password_job *j = arena_calloc(&req->arena, sizeof(*j));
    if (!j)
        return http_reply_error(req, SB_ENOMEM);
    if (auth_require(req, AUTH_ROLE_AGENT, &j->who))
        return http_replied(req);
    if (!j->who.user_id)
        return http_reply_problem(req, 400, "the admin token has no password");
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    json_t *p = http_problem_new(422, "the password was not changed", NULL);
    const char *cur = field_string(body, "current_password", PASSWORD_MAX_BYTES, p);
    const char *next = field_string(body, "new_password", PASSWORD_MAX_BYTES, p);
    if (!cur || !next) {
        json_decref(body);
        return http_reply_problem_json(req, p);
    }
    json_decref(p);
    snprintf(j->current, sizeof(j->current), "%s", cur);
    snprintf(j->next, sizeof(j->next), "%s", next);
    json_decref(body);
    j->ip = auth_client_ip(req);
    return http_defer(req, password_work, j);
}

int api_auth_sessions_list(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_AGENT, &who))
        return http_replied(req);
    struct db *db = app_thread_db(req->app);
    struct db_stmt *st;
    int r = db ? db_prepare(db,
                            "SELECT id, created_at, last_seen_at, expires_at, ip, user_agent FROM "
                            "sessions WHERE staff_id = ? AND revoked_at IS NULL AND expires_at > ? "
                            "ORDER BY created_at DESC LIMIT 100",
                            &st)
               : SB_EUNAVAIL;
    if (r)
        return http_reply_error(req, r);
    json_t *items = json_array();
    r = db_bind_int64(st, 1, who.user_id);
    if (!r)
        r = db_bind_int64(st, 2, clock_now_ms(req->app->clock));
    while (!r && (r = db_step(st)) == DB_ROW) {
        int64_t id = db_col_int64(st, 0);
        json_array_append_new(
            items, json_pack("{s:I, s:o, s:o, s:o, s:s?, s:s?, s:b}", "id", (json_int_t)id,
                             "created_at", json_time(db_col_int64(st, 1)), "last_seen_at",
                             json_time(db_col_int64(st, 2)), "expires_at",
                             json_time(db_col_int64(st, 3)), "ip", db_col_text(st, 4), "user_agent",
                             db_col_text(st, 5), "current", id == who.session_id));
        r = 0;
    }
    db_finalize(st);
    if (r != DB_DONE) {
        json_decref(items);
        return http_reply_error(req, r);
    }
    return http_reply_items(req, items);
}

int api_auth_sessions_delete(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_AGENT, &who))
        return http_replied(req);
    int64_t id;
    if (http_param_id(req, "id", &id))
        return http_reply_problem(req, 404, "no such session");
    struct db *db = app_thread_db(req->app);
    int64_t now = clock_now_ms(req->app->clock);
    /* Only the caller's own sessions: someone else's id answers 404 like a missing one. */
    int r = db ? session_revoke(db, id, who.user_id ? who.user_id : -1, "revoked by owner", now)
               : SB_EUNAVAIL;
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such session");
    if (r)
        return http_reply_error(req, r);
    audit_record(db, now, who.user_id, "session.revoke", "session", id, auth_client_ip(req), NULL);
    if (id == who.session_id)
        auth_set_cookie(req, NULL, 0);
    return http_reply_empty(req, 204);
}

/* The licence notice of /auth/options: null until license.notice_days before the end of the
 * last licensed day (license.expires, UTC), then {expires_on, days_left, expired}; days_left
 * counts whole days left after today (0 on the last day). */
static json_t *license_notice(const struct sb_config *cfg, int64_t now)
{
    const int64_t day = 86400000;
    if (!cfg->license_expires[0])
        return json_null();
    int64_t end = cfg->license_expires_ms + day;
    if (now < end - (int64_t)cfg->license_notice_days * day)
        return json_null();
    int64_t left = now >= end ? 0 : (end - now - 1) / day;
    return json_pack("{s:s, s:I, s:b}", "expires_on", cfg->license_expires, "days_left",
                     (json_int_t)left, "expired", now >= end);
}

int api_auth_options(struct http_req *req)
{
    /* Public: what the login page may offer, the white label (seed 000 "Customizations"),
     * which the login page shows before anyone signs in, and the licence notice (seed 001). */
    json_t *branding = settings_section_get("customization.");
    if (!branding)
        return http_reply_error(req, SB_ENOMEM);
    int64_t now = clock_now_ms(req->app->clock);
    return http_reply_json(req, 200,
                           json_pack("{s:b, s:b, s:o, s:o}", "active_directory",
                                     req->app->cfg.ldap_url[0] != 0, "password_reset",
                                     req->app->cfg.smtp_host[0] != 0, "branding", branding,
                                     "license", license_notice(&req->app->cfg, now)));
}

struct mfa_login_job {
    char token[64];
    char code[32];
    const char *ip;
    const char *user_agent;
};

static void login_mfa_work(struct http_req *req, void *arg)
{
    struct mfa_login_job *j = arg;
    struct db *db = app_thread_db(req->app);
    struct login_result res;
    memset(&res, 0, sizeof(res));
    int64_t staff_id = 0;
    bool recovery = false;
    int64_t now = clock_now_ms(req->app->clock);
    int r =
        db ? mfa_challenge_check(db, j->token, j->code, now, &staff_id, &recovery) : SB_EUNAVAIL;
    sodium_memzero(j->code, sizeof(j->code));
    if (r == SB_ENOTFOUND) {
        json_t *p = http_problem_new(401, "this login step has expired: log in again", NULL);
        json_object_set_new(p, "code", json_string("mfa_expired"));
        http_async_result(req, 401, p);
        return;
    }
    if (r == SB_EAUTH) {
        audit_record(db, now, 0, "login.mfa_failure", "staff", staff_id, j->ip, NULL);
        http_async_result(req, 401, http_problem_new(401, "invalid code", NULL));
        return;
    }
    if (!r)
        r = account_by_id(db, staff_id, &res.account);
    if (!r && (res.account.disabled || res.account.locked_at))
        r = SB_EAUTH;
    if (!r)
        r = login_finish(req->app, db, &res.account, j->ip, j->user_agent,
                         recovery ? "recovery code" : "totp", &res);
    if (r) {
        int st = r == SB_EAUTH ? 401 : sb_err_status(r);
        http_async_result(req, st, http_problem_new(st, "login failed", NULL));
        return;
    }
    if (recovery)
        audit_record(db, now, staff_id, "mfa.recovery_code_used", "staff", staff_id, j->ip, NULL);
    login_reply_ok(req, &res);
}

int api_auth_login_mfa(struct http_req *req)
{
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    json_t *p = http_problem_new(422, "invalid second step", NULL);
    const char *token = field_string(body, "mfa_token", 43, p);
    const char *code = field_string(body, "code", 20, p);
    if (!token || !code) {
        json_decref(body);
        return http_reply_problem_json(req, p);
    }
    json_decref(p);
    struct mfa_login_job *j = arena_calloc(&req->arena, sizeof(*j));
    if (!j) {
        json_decref(body);
        return http_reply_error(req, SB_ENOMEM);
    }
    snprintf(j->token, sizeof(j->token), "%s", token);
    snprintf(j->code, sizeof(j->code), "%s", code);
    json_decref(body);
    j->ip = auth_client_ip(req);
    const char *ua = http_header(req, MHD_HTTP_HEADER_USER_AGENT);
    j->user_agent = ua ? arena_strdup(&req->arena, ua) : NULL;
    return http_defer(req, login_mfa_work, j);
}
