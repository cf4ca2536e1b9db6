/* /api/v1/teams — teams of agents and their members (section "teams" of a user profile).
 * A supervisor sees every team but only the agents of its scope among their members, and adds
 * or removes only those. A change of members applies to routing at once and is announced with
 * "queues.changed" (api/memberships.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/resource_save.h"
#include "api/memberships.h"
#include "app.h"
#include "auth/audit.h"
#include "auth/permissions.h"
#include "core/err.h"
#include "http/respond.h"
#include "staff/teams.h"

/* The start of every handler: the caller may do `action` in section teams and, for item
 * routes (id not NULL), `{id}` is a well-formed id. Queues the refusal and returns false. */
static bool team_route(struct http_req *req, enum perm_action action, struct perm_ctx *ctx,
                       int64_t *id)
{
    if (perm_require(req, PERM_SECTION_TEAMS, action, ctx))
        return false;
    if (id && http_param_id(req, "id", id)) {
        http_reply_problem(req, 404, "no such team");
        return false;
    }
    return true;
}

static const char *agent_scope(const struct perm_ctx *ctx)
{
    return perm_scope_sql(ctx, "agent");
}

/* Reads a team as the caller sees it (its members limited to the caller's scope). */
static int get_scoped(struct db *db, int64_t id, void *arg, json_t **out)
{
    const struct perm_ctx *ctx = arg;
    return team_get(db, id, agent_scope(ctx), ctx->profile_id, out);
}

static int validate(struct db *db, const json_t *body, const json_t *current, json_t **clean,
                    json_t **errors)
{
    (void)db;
    return team_validate(body, current, clean, errors);
}

static const struct resource_kind team_kind = {
    .name = "team",
    .unique_field = "name",
    .unique_message = "another team has this name",
    .validate = validate,
    .create = team_create,
    .update = team_update,
    .get = get_scoped,
};

/* Parses an optional integer query parameter in [min, max]; adds an error otherwise. */
static int64_t query_int(struct http_req *req, const char *name, int64_t def, int64_t min,
                         int64_t max, const char *msg, json_t *p)
{
    const char *s = http_query(req, name);
    if (!s)
        return def;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v < min || v > max) {
        http_problem_add_error(p, name, msg);
        return def;
    }
    return v;
}

int api_teams_list(struct http_req *req)
{
    struct perm_ctx ctx;
    if (!team_route(req, PERM_READ, &ctx, NULL))
        return http_replied(req);
    json_t *p = http_problem_new(422, "invalid query", NULL);
    const char *q = http_query(req, "q");
    if (q && strlen(q) > TEAM_NAME_MAX)
        http_problem_add_error(p, "q", "must be at most 64 characters");
    int64_t limit = query_int(req, "limit", 50, 1, 500, "must be 1 to 500", p);
    int64_t offset = query_int(req, "offset", 0, 0, INT32_MAX, "must be 0 or more", p);
    if (json_object_get(p, "errors"))
        return http_reply_problem_json(req, p);
    json_decref(p);
    struct db *db = app_thread_db(req->app);
    json_t *items = NULL;
    int64_t total = 0;
    int r = db ? team_list(db, q, limit, offset, agent_scope(&ctx), ctx.profile_id, &items, &total)
               : SB_EUNAVAIL;
    if (r)
        return http_reply_error(req, r);
    return http_reply_json(req, 200,
                           json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total));
}

int api_teams_create(struct http_req *req)
{
    struct perm_ctx ctx;
    if (!team_route(req, PERM_EDIT, &ctx, NULL))
        return http_replied(req);
    return resource_save(req, &team_kind, 0, ctx.who.user_id, &ctx);
}

int api_teams_get(struct http_req *req)
{
    struct perm_ctx ctx;
    int64_t id;
    if (!team_route(req, PERM_READ, &ctx, &id))
        return http_replied(req);
    struct db *db = app_thread_db(req->app);
    json_t *out = NULL;
    int r = db ? team_get(db, id, agent_scope(&ctx), ctx.profile_id, &out) : SB_EUNAVAIL;
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such team");
    return r ? http_reply_error(req, r) : http_reply_json(req, 200, out);
}

int api_teams_patch(struct http_req *req)
{
    struct perm_ctx ctx;
    int64_t id;
    if (!team_route(req, PERM_EDIT, &ctx, &id))
        return http_replied(req);
    return resource_save(req, &team_kind, id, ctx.who.user_id, &ctx);
}

int api_teams_delete(struct http_req *req)
{
    struct perm_ctx ctx;
    int64_t id;
    if (!team_route(req, PERM_DELETE, &ctx, &id))
        return http_replied(req);
    struct db *db = app_thread_db(req->app);
    json_t *members = NULL;
    /* Read before: the members lose the queues they had through the team. */
    int r = db ? team_member_ids(db, id, &members) : SB_EUNAVAIL;
    if (!r)
        r = team_delete(db, id);
    if (r == SB_ENOTFOUND) {
        json_decref(members);
        return http_reply_problem(req, 404, "no such team");
    }
    if (r) {
        json_decref(members);
        return http_reply_error(req, r);
    }
    audit_record(db, clock_now_ms(req->app->clock), ctx.who.user_id, "team.delete", "team", id,
                 auth_client_ip(req), NULL);
    membership_publish(req->app, members);
    json_decref(members);
    return http_reply_empty(req, 204);
}

int api_team_agents_list(struct http_req *req)
{
    struct perm_ctx ctx;
    int64_t id;
    if (!team_route(req, PERM_READ, &ctx, &id))
        return http_replied(req);
    struct db *db = app_thread_db(req->app);
    json_t *team = NULL, *items = NULL;
    int r = db ? team_get(db, id, NULL, 0, &team) : SB_EUNAVAIL;
    json_decref(team);
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such team");
    if (!r)
        r = team_agents(db, id, agent_scope(&ctx), ctx.profile_id, &items);
    if (r)
        return http_reply_error(req, r);
    return http_reply_items(req, items);
}

int api_team_agents_add(struct http_req *req)
{
    struct perm_ctx ctx;
    int64_t id;
    if (!team_route(req, PERM_EDIT, &ctx, &id))
        return http_replied(req);
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    json_t *p = http_problem_new(422, "invalid members", NULL);
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v)
    {
        if (strcmp(k, "agent_ids"))
            http_problem_add_error(p, k, "unknown field");
    }
    membership_ids_valid(body, "agent_ids", MEMBERSHIP_IDS_MAX, p);
    if (json_object_get(p, "errors")) {
        json_decref(body);
        return http_reply_problem_json(req, p);
    }
    json_decref(p);
    json_t *ids = json_object_get(body, "agent_ids");
    struct db *db = app_thread_db(req->app);
    int64_t now = clock_now_ms(req->app->clock);
    size_t bad = 0;
    int r = db ? team_add_agents(db, id, ids, agent_scope(&ctx), ctx.profile_id, now, &bad)
               : SB_EUNAVAIL;
    if (!r) {
        audit_record(db, now, ctx.who.user_id, "team.agents_add", "team", id, auth_client_ip(req),
                     json_pack("{s:O}", "agent_ids", ids));
        membership_publish(req->app, ids);
    }
    json_decref(body);
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such team");
    if (r == SB_EINVALID)
        return membership_reply_bad_id(req, "agent_ids", bad, "is not an agent");
    if (r)
        return http_reply_error(req, r);
    return api_team_agents_list(req);
}

int api_team_agents_remove(struct http_req *req)
{
    struct perm_ctx ctx;
    int64_t id, agent;
    if (!team_route(req, PERM_EDIT, &ctx, &id))
        return http_replied(req);
    if (http_param_id(req, "agent_id", &agent) || !perm_agent_in_scope(req, &ctx, agent))
        return http_reply_problem(req, 404, "no such agent");
    struct db *db = app_thread_db(req->app);
    int r = db ? team_remove_agent(db, id, agent) : SB_EUNAVAIL;
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "not a member");
    if (r)
        return http_reply_error(req, r);
    audit_record(db, clock_now_ms(req->app->clock), ctx.who.user_id, "team.agents_remove", "team",
                 id, auth_client_ip(req), json_pack("{s:I}", "agent_id", (json_int_t)agent));
    json_t *one = json_pack("[I]", (json_int_t)agent);
    membership_publish(req->app, one);
    json_decref(one);
    return http_reply_empty(req, 204);
}
