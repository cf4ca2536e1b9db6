/* /api/v1/agents/{id}/queues and /api/v1/agents/{id}/teams — an agent's queues (any channel,
 * directly or through a team) and teams, from the agent's page (issue "Staff": "add to team,
 * add to queues of any channel (one, several, or all at once), effective immediately for
 * routing"). Section "agents" of a user profile; the agent, and every queue touched, must be
 * in the caller's scope. Each change is one transaction, announced after the commit with
 * "queues.changed" to the agent and to admins. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/memberships.h"
#include "app.h"
#include "auth/audit.h"
#include "auth/permissions.h"
#include "core/err.h"
#include "http/respond.h"
#include "routing/agent_queues.h"
#include "routing/queues.h"
#include "staff/agents.h"
#include "staff/teams.h"

/* The start of every handler: `action` in section agents, and an agent `{id}` that exists
 * inside the caller's scope (404 "no such agent" otherwise). */
static bool member_route(struct http_req *req, enum perm_action action, struct perm_ctx *ctx,
                         int64_t *id)
{
    if (perm_require(req, PERM_SECTION_AGENTS, action, ctx))
        return false;
    struct db *db = app_thread_db(req->app);
    json_t *agent = NULL;
    int r = http_param_id(req, "id", id);
    if (!r && !perm_agent_in_scope(req, ctx, *id))
        r = SB_ENOTFOUND;
    if (!r)
        r = db ? agent_get(db, *id, &agent) : SB_EUNAVAIL;
    json_decref(agent);
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

static void publish_one(struct sb_app *app, int64_t id)
{
    json_t *one = json_pack("[I]", (json_int_t)id);
    membership_publish(app, one);
    json_decref(one);
}

static int reply_items(struct http_req *req, int r, json_t *items)
{
    if (r)
        return http_reply_error(req, r);
    return http_reply_items(req, items);
}

int api_agent_queues_list(struct http_req *req)
{
    struct perm_ctx ctx;
    int64_t id;
    if (!member_route(req, PERM_READ, &ctx, &id))
        return http_replied(req);
    json_t *items = NULL;
    int r = agent_queues_list(app_thread_db(req->app), id, perm_scope_sql(&ctx, "queue"),
                              ctx.profile_id, &items);
    return reply_items(req, r, items);
}

/* Checks a POST /agents/{id}/queues body: {"queue_ids":[…]} or {"all":true} with an optional
 * "channel". Adds field errors to p. */
static void check_queues_body(json_t *body, json_t *p)
{
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v)
    {
        if (strcmp(k, "queue_ids") && strcmp(k, "all") && strcmp(k, "channel"))
            http_problem_add_error(p, k, "unknown field");
    }
    json_t *all = json_object_get(body, "all"), *ids = json_object_get(body, "queue_ids");
    json_t *channel = json_object_get(body, "channel");
    bool every = json_is_true(all);
    if (all && !every)
        http_problem_add_error(p, "all", "must be true when given");
    if (every && ids)
        http_problem_add_error(p, "queue_ids", "cannot be combined with all");
    else if (!every && !ids)
        http_problem_add_error(p, "queue_ids", "is required (or \"all\": true)");
    else if (ids)
        membership_ids_valid(body, "queue_ids", MEMBERSHIP_IDS_MAX, p);
    if (channel && !every)
        http_problem_add_error(p, "channel", "is only used with \"all\": true");
    else if (channel && !queue_channel_valid(json_string_value(channel)))
        http_problem_add_error(p, "channel",
                               "must be voice, chat, email, sms, openchannel, fax or whatsapp");
}

int api_agent_queues_add(struct http_req *req)
{
    struct perm_ctx ctx;
    int64_t id;
    if (!member_route(req, PERM_EDIT, &ctx, &id))
        return http_replied(req);
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    json_t *p = http_problem_new(422, "invalid queues", NULL);
    check_queues_body(body, p);
    if (json_object_get(p, "errors")) {
        json_decref(body);
        return http_reply_problem_json(req, p);
    }
    json_decref(p);
    struct db *db = app_thread_db(req->app);
    int64_t now = clock_now_ms(req->app->clock), added = 0;
    const char *scope = perm_scope_sql(&ctx, "queue");
    json_t *ids = json_object_get(body, "queue_ids");
    const char *channel = json_string_value(json_object_get(body, "channel"));
    size_t bad = 0;
    int r = ids ? agent_queues_add(db, id, ids, scope, ctx.profile_id, now, &bad)
                : agent_queues_add_all(db, id, channel, scope, ctx.profile_id, now, &added);
    if (!r) {
        json_t *detail = ids ? json_pack("{s:O}", "queue_ids", ids)
                             : json_pack("{s:b, s:s?, s:I}", "all", 1, "channel", channel, "added",
                                         (json_int_t)added);
        audit_record(db, now, ctx.who.user_id, "agent.queues_add", "staff", id, auth_client_ip(req),
                     detail);
        publish_one(req->app, id);
    }
    json_decref(body);
    if (r == SB_EINVALID)
        return membership_reply_bad_id(req, "queue_ids", bad, "no such queue");
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such agent");
    if (r)
        return http_reply_error(req, r);
    return api_agent_queues_list(req);
}

int api_agent_queues_remove(struct http_req *req)
{
    struct perm_ctx ctx;
    int64_t id, queue;
    if (!member_route(req, PERM_EDIT, &ctx, &id))
        return http_replied(req);
    if (http_param_id(req, "queue_id", &queue) || !perm_queue_in_scope(req, &ctx, queue))
        return http_reply_problem(req, 404, "no such queue");
    struct db *db = app_thread_db(req->app);
    char team[TEAM_NAME_MAX + 1];
    int r = agent_queues_remove(db, id, queue, team, sizeof(team));
    if (r == SB_ECONFLICT) {
        char msg[TEAM_NAME_MAX + 128];
        snprintf(msg, sizeof(msg),
                 "the agent is a member through team \"%s\": remove it from the team or the "
                 "team from the queue",
                 team);
        json_t *p = http_problem_new(409, msg, NULL);
        http_problem_add_error(p, "queue_id", msg);
        json_object_set_new(p, "team", json_string(team));
        return http_reply_problem_json(req, p);
    }
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "not a member");
    if (r)
        return http_reply_error(req, r);
    audit_record(db, clock_now_ms(req->app->clock), ctx.who.user_id, "agent.queues_remove", "staff",
                 id, auth_client_ip(req), json_pack("{s:I}", "queue_id", (json_int_t)queue));
    publish_one(req->app, id);
    return http_reply_empty(req, 204);
}

int api_agent_teams_list(struct http_req *req)
{
    struct perm_ctx ctx;
    int64_t id;
    if (!member_route(req, PERM_READ, &ctx, &id))
        return http_replied(req);
    json_t *items = NULL;
    int r = agent_teams(app_thread_db(req->app), id, &items);
    return reply_items(req, r, items);
}

int api_agent_teams_add(struct http_req *req)
{
    struct perm_ctx ctx;
    int64_t id;
    if (!member_route(req, PERM_EDIT, &ctx, &id))
        return http_replied(req);
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    json_t *p = http_problem_new(422, "invalid teams", NULL);
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v)
    {
        if (strcmp(k, "team_ids"))
            http_problem_add_error(p, k, "unknown field");
    }
    membership_ids_valid(body, "team_ids", MEMBERSHIP_IDS_MAX, p);
    if (json_object_get(p, "errors")) {
        json_decref(body);
        return http_reply_problem_json(req, p);
    }
    json_decref(p);
    json_t *ids = json_object_get(body, "team_ids");
    struct db *db = app_thread_db(req->app);
    int64_t now = clock_now_ms(req->app->clock);
    size_t bad = 0;
    int r = agent_add_teams(db, id, ids, now, &bad);
    if (!r) {
        audit_record(db, now, ctx.who.user_id, "agent.teams_add", "staff", id, auth_client_ip(req),
                     json_pack("{s:O}", "team_ids", ids));
        publish_one(req->app, id);
    }
    json_decref(body);
    if (r == SB_EINVALID)
        return membership_reply_bad_id(req, "team_ids", bad, "no such team");
    if (r)
        return http_reply_error(req, r);
    return api_agent_teams_list(req);
}

int api_agent_teams_remove(struct http_req *req)
{
    struct perm_ctx ctx;
    int64_t id, team;
    if (!member_route(req, PERM_EDIT, &ctx, &id))
        return http_replied(req);
    struct db *db = app_thread_db(req->app);
    int r = http_param_id(req, "team_id", &team);
    if (!r)
        r = team_remove_agent(db, team, id);
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "not a member");
    if (r)
        return http_reply_error(req, r);
    audit_record(db, clock_now_ms(req->app->clock), ctx.who.user_id, "agent.teams_remove", "staff",
                 id, auth_client_ip(req), json_pack("{s:I}", "team_id", (json_int_t)team));
    publish_one(req->app, id);
    return http_reply_empty(req, 204);
}
