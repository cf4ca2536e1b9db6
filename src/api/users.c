/* /api/v1/users — the console's users: administrators and supervisors (role "user", which
 * must have a user profile). Admin-only, like profiles: supervisors cannot manage users. The
 * role and the username are fixed at creation (product rule); the extension is generated from
 * general.min_internal unless given. An administrator cannot delete itself, and the last
 * enabled administrator cannot be deleted or disabled. */
#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/settings.h"
#include "api/fields.h"
#include "api/handlers.h"
#include "api/staff_security.h"
#include "app.h"
#include "auth/audit.h"
#include "auth/guard.h"
#include "auth/mfa.h"
#include "auth/password.h"
#include "core/err.h"
#include "http/respond.h"
#include "staff/staff_store.h"
#include "staff/users.h"
#include "ws/hub.h"

static const char *const known_keys[] = {
    "username",   "full_name", "email",  "password", "role",        "internal", "description",
    "profile_id", "disabled",  "ad_sso", "locked",   "mfa_enabled", "id",       "created_at"};

/* Checks that `body[profile_id]` names an existing profile; *out gets it. */
static void check_profile(struct http_req *req, json_t *body, json_t *p)
{
    json_t *v = json_object_get(body, "profile_id");
    if (!v || json_is_null(v))
        return;
    int64_t n = 0;
    struct db *db = app_thread_db(req->app);
    if (!json_is_integer(v) || (db &&
                                !db_query_int64(db, "SELECT COUNT(*) FROM profiles WHERE id = ?",
                                                &n, 1, (int64_t)json_integer_value(v)) &&
                                !n))
        http_problem_add_error(p, "profile_id", "is not a user profile");
}

/* Validates a create (`current` NULL) or a change of `current`; problems go to `p`. */
static void check_user(struct http_req *req, json_t *body, const json_t *current, json_t *p)
{
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v)
    {
        bool known = false;
        for (size_t i = 0; i < sizeof(known_keys) / sizeof(*known_keys); i++)
            known = known || !strcmp(k, known_keys[i]);
        if (!known)
            http_problem_add_error(p, k, "is not a user field");
        else if (!strcmp(k, "id") || !strcmp(k, "created_at"))
            http_problem_add_error(p, k, "is read-only");
    }
    bool create = !current;
    const char *role = json_string_value(json_object_get(body, "role"));
    if (create) {
        const char *u = json_string_value(json_object_get(body, "username"));
        if (!u || !account_username_valid(u))
            http_problem_add_error(p, "username",
                                   "is required: 1 to 64 letters, digits, '.' or '_'");
        if (!role || (strcmp(role, "admin") && strcmp(role, "user")))
            http_problem_add_error(p, "role", "must be admin or user");
        field_new_password(body, "password", p);
        if (json_object_get(body, "locked") || json_object_get(body, "mfa_enabled"))
            http_problem_add_error(p, json_object_get(body, "locked") ? "locked" : "mfa_enabled",
                                   "is read-only");
    } else {
        for (size_t i = 0; i < 3; i++) {
            static const char *const fixed[] = {"username", "role", "password"};
            if (json_object_get(body, fixed[i]))
                http_problem_add_error(p, fixed[i],
                                       i == 2 ? "is changed with POST /api/v1/users/{id}/password"
                                              : "cannot be changed");
        }
        role = json_string_value(json_object_get(current, "role"));
        for (size_t i = 0; i < 2; i++) {
            static const char *const only_false[] = {"locked", "mfa_enabled"};
            json_t *f = json_object_get(body, only_false[i]);
            if (f && !json_is_false(f))
                http_problem_add_error(p, only_false[i], "can only be set to false");
        }
    }
    field_string(body, "full_name", ACCOUNT_NAME_MAX, create, p);
    if (field_string(body, "email", ACCOUNT_EMAIL_MAX, false, p))
        field_email(body, "email", p);
    field_string(body, "description", 1024, false, p);
    field_bool(body, "disabled", p);
    field_bool(body, "ad_sso", p);
    json_t *internal = json_object_get(body, "internal");
    if (internal && !json_is_null(internal) &&
        (!json_is_integer(internal) || json_integer_value(internal) < 1 ||
         json_integer_value(internal) > 99999999))
        http_problem_add_error(p, "internal", "must be an integer from 1 to 99999999");
    json_t *profile = json_object_get(body, "profile_id");
    bool supervisor = role && !strcmp(role, "user");
    if (supervisor && create && (!profile || json_is_null(profile)))
        http_problem_add_error(p, "profile_id", "is required for a supervisor");
    else if (supervisor && profile && json_is_null(profile))
        http_problem_add_error(p, "profile_id", "a supervisor must keep a profile");
    else if (!supervisor && role && profile && !json_is_null(profile))
        http_problem_add_error(p, "profile_id", "only supervisors (role user) have a profile");
    else
        check_profile(req, body, p);
}

struct create_job {
    json_t *body; /* owned */
    int64_t actor;
    const char *ip;
};

static void create_work(struct http_req *req, void *arg)
{
    struct create_job *j = arg;
    char hash[PASSWORD_HASH_MAX];
    int r = password_hash(json_string_value(json_object_get(j->body, "password")), hash);
    struct db *db = app_thread_db(req->app);
    if (!db)
        r = SB_EUNAVAIL;
    struct staff_new s = {
        .role = json_string_value(json_object_get(j->body, "role")),
        .username = json_string_value(json_object_get(j->body, "username")),
        .full_name = json_string_value(json_object_get(j->body, "full_name")),
        .email = json_string_value(json_object_get(j->body, "email")),
        .description = json_string_value(json_object_get(j->body, "description")),
        .password_hash = hash,
        .must_change = settings_get_bool("security.suite_enabled"),
        .internal = json_integer_value(json_object_get(j->body, "internal")),
        .min_internal = settings_get_int("general.min_internal"),
        .profile_id = json_integer_value(json_object_get(j->body, "profile_id")),
    };
    int64_t id = 0, internal = 0, now = clock_now_ms(req->app->clock);
    const char *conflict = NULL;
    if (!r)
        r = staff_insert(db, &s, now, NULL, NULL, &id, &internal, &conflict);
    sodium_memzero(hash, sizeof(hash));
    json_t *changes = json_object();
    json_t *out = NULL;
    if (json_is_true(json_object_get(j->body, "ad_sso")))
        json_object_set_new(changes, "ad_sso", json_true());
    if (json_is_true(json_object_get(j->body, "disabled")))
        json_object_set_new(changes, "disabled", json_true());
    if (!r && json_object_size(changes))
        r = user_update(db, id, changes, now);
    json_decref(changes);
    if (!r) {
        audit_record(db, now, j->actor, "user.create", "staff", id, j->ip,
                     json_pack("{s:s, s:s}", "username", s.username, "role", s.role));
        r = user_get(db, id, &out);
    }
    json_decref(j->body);
    staff_create_result(req, r, conflict, out, "user");
}

int api_users_create(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_ADMIN, &who))
        return http_replied(req);
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    json_t *p = http_problem_new(422, "invalid user", NULL);
    check_user(req, body, NULL, p);
    if (json_object_get(p, "errors")) {
        json_decref(body);
        return http_reply_problem_json(req, p);
    }
    json_decref(p);
    struct create_job *j = arena_calloc(&req->arena, sizeof(*j));
    if (!j) {
        json_decref(body);
        return http_reply_error(req, SB_ENOMEM);
    }
    j->body = body;
    j->actor = who.user_id;
    j->ip = auth_client_ip(req);
    return http_defer(req, create_work, j);
}

/* The start of every item route: an admin and a user `{id}` (404 otherwise); *out (may be
 * NULL) gets the user. */
static bool user_route(struct http_req *req, struct auth_principal *who, int64_t *id, json_t **out)
{
    if (auth_require(req, AUTH_ROLE_ADMIN, who))
        return false;
    json_t *user = NULL;
    struct db *db = app_thread_db(req->app);
    int r = http_param_id(req, "id", id);
    if (!r)
        r = db ? user_get(db, *id, &user) : SB_EUNAVAIL;
    if (r) {
        if (r == SB_ENOTFOUND)
            http_reply_problem(req, 404, "no such user");
        else
            http_reply_error(req, r);
        return false;
    }
    if (out)
        *out = user;
    else
        json_decref(user);
    return true;
}

int api_users_get(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    json_t *out = NULL;
    if (!user_route(req, &who, &id, &out))
        return http_replied(req);
    return http_reply_json(req, 200, out);
}

int api_users_list(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_ADMIN, &who))
        return http_replied(req);
    struct user_query q = {.q = http_query(req, "q"), .role = http_query(req, "role"), .limit = 50};
    const char *ls = http_query(req, "limit"), *os = http_query(req, "offset");
    char *end = NULL;
    json_t *p = http_problem_new(422, "invalid query", NULL);
    if (ls && ((q.limit = strtoll(ls, &end, 10)) < 1 || q.limit > 500 || *end))
        http_problem_add_error(p, "limit", "must be 1 to 500");
    if (os && ((q.offset = strtoll(os, &end, 10)) < 0 || q.offset > INT32_MAX || *end))
        http_problem_add_error(p, "offset", "must be 0 or more");
    if (q.role && strcmp(q.role, "admin") && strcmp(q.role, "user"))
        http_problem_add_error(p, "role", "must be admin or user");
    if (q.q && strlen(q.q) > 100)
        http_problem_add_error(p, "q", "must be at most 100 characters");
    if (json_object_get(p, "errors"))
        return http_reply_problem_json(req, p);
    json_decref(p);
    struct db *db = app_thread_db(req->app);
    json_t *items = NULL;
    int64_t total = 0;
    int r = db ? user_list(db, &q, &items, &total) : SB_EUNAVAIL;
    if (r)
        return http_reply_error(req, r);
    return http_reply_json(req, 200,
                           json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total));
}

/* Ends every session and socket of `id` (disabled or deleted). */
static void sign_out(struct http_req *req, struct db *db, int64_t id, const char *why, int64_t now)
{
    session_revoke_all(db, id, 0, why, now, NULL);
    hub_close_user(req->app->hub, id, 4001, (struct ws_ref){0, 0});
}

int api_users_patch(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    json_t *current = NULL;
    if (!user_route(req, &who, &id, &current))
        return http_replied(req);
    json_t *body = http_body_object(req);
    if (!body) {
        json_decref(current);
        return http_replied(req);
    }
    json_t *p = http_problem_new(422, "invalid change", NULL);
    check_user(req, body, current, p);
    bool was_admin = !strcmp(json_string_value(json_object_get(current, "role")), "admin");
    json_decref(current);
    struct db *db = app_thread_db(req->app);
    int64_t admins = 0;
    if (was_admin && json_is_true(json_object_get(body, "disabled")) &&
        !user_admin_count(db, &admins) && admins <= 1)
        http_problem_add_error(p, "disabled", "the last enabled administrator cannot be disabled");
    if (json_object_get(p, "errors")) {
        json_decref(body);
        return http_reply_problem_json(req, p);
    }
    json_decref(p);
    int64_t now = clock_now_ms(req->app->clock);
    int r = user_update(db, id, body, now);
    if (r == SB_ECONFLICT) {
        json_decref(body);
        json_t *c = http_problem_new(409, "already taken", NULL);
        http_problem_add_error(c, "internal", "this extension belongs to someone else");
        return http_reply_problem_json(req, c);
    }
    if (!r && json_is_false(json_object_get(body, "locked")))
        r = account_unlock(db, id, now);
    if (!r && json_is_false(json_object_get(body, "mfa_enabled")))
        r = mfa_disable(db, id);
    if (r) {
        json_decref(body);
        return http_reply_error(req, r);
    }
    audit_record(db, now, who.user_id, "user.update", "staff", id, auth_client_ip(req),
                 json_pack("{s:O}", "changes", body));
    if (json_is_true(json_object_get(body, "disabled")))
        sign_out(req, db, id, "account disabled", now);
    json_decref(body);
    json_t *out = NULL;
    r = user_get(db, id, &out);
    return r ? http_reply_error(req, r) : http_reply_json(req, 200, out);
}

int api_users_delete(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    if (!user_route(req, &who, &id, NULL))
        return http_replied(req);
    if (id == who.user_id)
        return http_reply_problem(req, 409, "you cannot delete your own account");
    struct db *db = app_thread_db(req->app);
    int64_t now = clock_now_ms(req->app->clock);
    int r = user_delete(db, id, now);
    if (r == SB_ECONFLICT)
        return http_reply_problem(req, 409, "the last administrator cannot be deleted");
    if (r)
        return http_reply_error(req, r);
    sign_out(req, db, id, "account deleted", now);
    audit_record(db, now, who.user_id, "user.delete", "staff", id, auth_client_ip(req), NULL);
    return http_reply_empty(req, 204);
}

int api_users_password(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    if (!user_route(req, &who, &id, NULL))
        return http_replied(req);
    return staff_password_set(req, id, who.user_id);
}
