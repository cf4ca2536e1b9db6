/* /api/v1/queues/{id}/teams — the teams associated with a queue: every agent of an associated
 * team is a member of the queue (issue "Staff": "associating a team with a queue makes its
 * agents members"). Section "teams" of a user profile, and the queue must be in the caller's
 * scope. Changes apply to routing at once and are announced with "queues.changed". */
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
#include "routing/queues.h"
#include "staff/teams.h"

/* The start of every handler: `action` in section teams, and a queue `{id}` that exists inside
 * the caller's scope (404 "no such queue" otherwise, also for one outside it). */
static bool queue_team_route(struct http_req *req, enum perm_action action, struct perm_ctx *ctx,
                             int64_t *id)
{
    if (perm_require(req, PERM_SECTION_TEAMS, action, ctx))
        return false;
    struct db *db = app_thread_db(req->app);
    json_t *q = NULL;
    int r = http_param_id(req, "id", id);
    if (!r && !perm_queue_in_scope(req, ctx, *id))
        r = SB_ENOTFOUND;
    if (!r)
        r = db ? queue_get(db, *id, &q) : SB_EUNAVAIL;
    json_decref(q);
    if (r == SB_ENOTFOUND) {
        http_reply_problem(req, 404, "no such queue");
        return false;
    }
    if (r) {
        http_reply_error(req, r);
        return false;
    }
    return true;
}

int api_queue_teams_list(struct http_req *req)
{
    struct perm_ctx ctx;
    int64_t id;
    if (!queue_team_route(req, PERM_READ, &ctx, &id))
        return http_replied(req);
    json_t *items = NULL;
    int r = queue_teams(app_thread_db(req->app), id, &items);
    if (r)
        return http_reply_error(req, r);
    return http_reply_items(req, items);
}

/* The members of every team in `team_ids` (new array; duplicates possible). */
static json_t *members_of(struct db *db, const json_t *team_ids)
{
    json_t *all = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(team_ids, i, v)
    {
        json_t *ids = NULL;
        if (!all || team_member_ids(db, json_integer_value(v), &ids))
            break;
        json_array_extend(all, ids);
        json_decref(ids);
    }
    return all;
}

int api_queue_teams_add(struct http_req *req)
{
    struct perm_ctx ctx;
    int64_t id;
    if (!queue_team_route(req, PERM_EDIT, &ctx, &id))
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
    int r = queue_add_teams(db, id, ids, now, &bad);
    if (!r) {
        audit_record(db, now, ctx.who.user_id, "queue.teams_add", "queue", id, auth_client_ip(req),
                     json_pack("{s:O}", "team_ids", ids));
        json_t *members = members_of(db, ids);
        membership_publish(req->app, members);
        json_decref(members);
    }
    json_decref(body);
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such queue");
    if (r == SB_EINVALID)
        return membership_reply_bad_id(req, "team_ids", bad, "no such team");
    if (r)
        return http_reply_error(req, r);
    return api_queue_teams_list(req);
}

int api_queue_teams_remove(struct http_req *req)
{
    struct perm_ctx ctx;
    int64_t id, team;
    if (!queue_team_route(req, PERM_EDIT, &ctx, &id))
        return http_replied(req);
    if (http_param_id(req, "team_id", &team))
        return http_reply_problem(req, 404, "not associated with this queue");
    struct db *db = app_thread_db(req->app);
    int r = queue_remove_team(db, id, team);
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "not associated with this queue");
    if (r)
        return http_reply_error(req, r);
    audit_record(db, clock_now_ms(req->app->clock), ctx.who.user_id, "queue.teams_remove", "queue",
                 id, auth_client_ip(req), json_pack("{s:I}", "team_id", (json_int_t)team));
    json_t *members = NULL;
    if (!team_member_ids(db, team, &members))
        membership_publish(req->app, members);
    json_decref(members);
    return http_reply_empty(req, 204);
}
