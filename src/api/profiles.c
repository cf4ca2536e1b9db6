/* /api/v1/profiles — user profiles (the permission sets of supervisors). Admin-only: a
 * supervisor cannot manage profiles (product rule). A profile in use cannot be deleted. */
#include "api/handlers.h"
#include "api/resource_save.h"
#include "app.h"
#include "auth/audit.h"
#include "auth/guard.h"
#include "core/err.h"
#include "http/respond.h"
#include "staff/profiles.h"

static int get_profile(struct db *db, int64_t id, void *arg, json_t **out)
{
    (void)arg;
    return profile_get(db, id, out);
}

static const struct resource_kind profile_kind = {
    .name = "profile",
    .unique_field = "name",
    .unique_message = "another profile has this name",
    .validate = profile_validate,
    .create = profile_create,
    .update = profile_update,
    .get = get_profile,
};

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
    return http_reply_items(req, items);
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

int api_profiles_create(struct http_req *req)
{
    struct auth_principal who;
    if (!profile_route(req, &who, NULL, NULL))
        return http_replied(req);
    return resource_save(req, &profile_kind, 0, who.user_id, NULL);
}

int api_profiles_patch(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    if (!profile_route(req, &who, &id, NULL))
        return http_replied(req);
    return resource_save(req, &profile_kind, id, who.user_id, NULL);
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
