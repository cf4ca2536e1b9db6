/* /api/v1/profiles — user profiles (the permission sets of supervisors). Admin-only: a
 * supervisor cannot manage profiles (product rule). A profile in use cannot be deleted. */
#include "api/handlers.h"
#include "app.h"
#include "auth/audit.h"
#include "auth/guard.h"
#include "core/err.h"
#include "http/respond.h"
#include "staff/profiles.h"

static int reply_conflict(struct http_req *req)
{
    json_t *p = http_problem_new(409, "already taken", NULL);
    http_problem_add_error(p, "name", "another profile has this name");
    return http_reply_problem_json(req, p);
}

/* An admin, and for item routes a profile `{id}` that exists (*current gets it). */
static bool profile_route(struct http_req *req, struct auth_principal *who, int64_t *id,
                          json_t **current)
{
    if (auth_require(req, AUTH_ROLE_ADMIN, who))
        return false;
    if (!id)
        return true;
    struct db *db = app_thread_db(req->app);
    json_t *p = NULL;
    int r = http_param_id(req, "id", id);
    if (!r)
        r = db ? profile_get(db, *id, &p) : SB_EUNAVAIL;
    if (r) {
        if (r == SB_ENOTFOUND)
            http_reply_problem(req, 404, "no such profile");
        else
            http_reply_error(req, r);
        return false;
    }
    if (current)
        *current = p;
    else
        json_decref(p);
    return true;
}

int api_profiles_list(struct http_req *req)
{
    struct auth_principal who;
    if (!profile_route(req, &who, NULL, NULL))
        return http_replied(req);
    struct db *db = app_thread_db(req->app);
    json_t *items = NULL;
    int r = db ? profile_list(db, &items) : SB_EUNAVAIL;
    if (r)
        return http_reply_error(req, r);
    return http_reply_json(
        req, 200,
        json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)json_array_size(items)));
}

int api_profiles_get(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    json_t *out = NULL;
    if (!profile_route(req, &who, &id, &out))
        return http_replied(req);
    return http_reply_json(req, 200, out);
}

/* Validates the body over `current` (NULL = create) and stores it. */
static int save(struct http_req *req, const struct auth_principal *who, int64_t id, json_t *current)
{
    json_t *body = http_body_object(req);
    if (!body) {
        json_decref(current);
        return http_replied(req);
    }
    struct db *db = app_thread_db(req->app);
    json_t *clean = NULL, *errors = NULL;
    int r = profile_validate(db, body, current, &clean, &errors);
    json_decref(current);
    if (r == SB_EINVALID) {
        json_decref(body);
        return http_reply_problem_json(
            req, http_problem_new(422, id ? "invalid change" : "invalid profile", errors));
    }
    int64_t now = clock_now_ms(req->app->clock);
    bool create = !id;
    if (!r)
        r = create ? profile_create(db, clean, now, &id) : profile_update(db, id, clean, now);
    json_decref(clean);
    if (!r)
        audit_record(db, now, who->user_id, create ? "profile.create" : "profile.update", "profile",
                     id, auth_client_ip(req), json_pack("{s:O}", "changes", body));
    json_decref(body);
    if (r == SB_ECONFLICT)
        return reply_conflict(req);
    json_t *out = NULL;
    if (!r)
        r = profile_get(db, id, &out);
    return r ? http_reply_error(req, r) : http_reply_json(req, create ? 201 : 200, out);
}

int api_profiles_create(struct http_req *req)
{
    struct auth_principal who;
    if (!profile_route(req, &who, NULL, NULL))
        return http_replied(req);
    return save(req, &who, 0, NULL);
}

int api_profiles_patch(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    json_t *current = NULL;
    if (!profile_route(req, &who, &id, &current))
        return http_replied(req);
    return save(req, &who, id, current);
}

int api_profiles_delete(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    if (!profile_route(req, &who, &id, NULL))
        return http_replied(req);
    struct db *db = app_thread_db(req->app);
    int r = profile_delete(db, id);
    if (r == SB_ECONFLICT)
        return http_reply_problem(req, 409, "supervisors still have this profile");
    if (r)
        return http_reply_error(req, r);
    audit_record(db, clock_now_ms(req->app->clock), who.user_id, "profile.delete", "profile", id,
                 auth_client_ip(req), NULL);
    return http_reply_empty(req, 204);
}
