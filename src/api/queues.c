/* /api/v1/queues — queues of every channel and their agents. Admins may do everything; a
 * supervisor what its profile allows in the "queues" section, on its profile's queues only, and
 * it adds only agents already in its scope (auth/permissions.h). Creating a queue is
 * admin-only: a new queue is in no profile yet. Membership changes apply immediately. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/resource_save.h"
#include "api/memberships.h"
#include "app.h"
#include "auth/audit.h"
#include "auth/guard.h"
#include "auth/permissions.h"
#include "core/err.h"
#include "http/respond.h"
#include "routing/queues.h"

/* Common start of every handler: a caller whose profile allows `action` on queues, and (for
 * item routes) a queue id in its scope (404 otherwise, existing or not). */
static bool queue_route(struct http_req *req, enum perm_action action, struct perm_ctx *ctx,
                        int64_t *id)
{
    if (perm_require(req, PERM_SECTION_QUEUES, action, ctx))
        return false;
    if (id && (http_param_id(req, "id", id) || !perm_queue_in_scope(req, ctx, *id))) {
        http_reply_problem(req, 404, "no such queue");
        return false;
    }
    return true;
}

static int get_queue(struct db *db, int64_t id, void *arg, json_t **out)
{
    (void)arg;
    return queue_get(db, id, out);
}

static int validate(struct db *db, const json_t *body, const json_t *current, json_t **clean,
                    json_t **errors)
{
    (void)db;
    return queue_validate(body, current, clean, errors);
}

static const struct resource_kind queue_kind = {
    .name = "queue",
    .unique_field = "name",
    .unique_message = "another queue of this channel has this name",
    .validate = validate,
    .create = queue_create,
    .update = queue_update,
    .get = get_queue,
};

int api_queues_list(struct http_req *req)
{
    struct perm_ctx ctx;
    if (!queue_route(req, PERM_READ, &ctx, NULL))
        return http_replied(req);
    const char *channel = http_query(req, "channel");
    const char *q = http_query(req, "q");
    const char *ls = http_query(req, "limit"), *os = http_query(req, "offset");
    long long limit = ls ? strtoll(ls, NULL, 10) : 50, offset = os ? strtoll(os, NULL, 10) : 0;
    json_t *p = http_problem_new(422, "invalid query", NULL);
    if (channel && !queue_channel_valid(channel))
        http_problem_add_error(p, "channel", "is not a channel");
    if (q && strlen(q) > 64)
        http_problem_add_error(p, "q", "must be at most 64 characters");
    if (limit < 1 || limit > 500)
        http_problem_add_error(p, "limit", "must be 1 to 500");
    if (offset < 0)
        http_problem_add_error(p, "offset", "must be 0 or more");
    if (json_object_get(p, "errors"))
        return http_reply_problem_json(req, p);
    json_decref(p);
    struct db *db = app_thread_db(req->app);
    json_t *items = NULL;
    int64_t total = 0;
    struct queue_query query = {channel,        q,     perm_scope_sql(&ctx, "queue"),
                                ctx.profile_id, limit, offset};
    int r = db ? queue_list(db, &query, &items, &total) : SB_EUNAVAIL;
    if (r)
        return http_reply_error(req, r);
    return http_reply_json(req, 200,
                           json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total));
}

int api_queues_create(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_ADMIN, &who))
        return http_replied(req);
    return resource_save(req, &queue_kind, 0, who.user_id, NULL);
}

int api_queues_get(struct http_req *req)
{
    struct perm_ctx ctx;
    int64_t id;
    if (!queue_route(req, PERM_READ, &ctx, &id))
        return http_replied(req);
    struct db *db = app_thread_db(req->app);
    json_t *out = NULL;
    int r = db ? queue_get(db, id, &out) : SB_EUNAVAIL;
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such queue");
    return r ? http_reply_error(req, r) : http_reply_json(req, 200, out);
}

int api_queues_patch(struct http_req *req)
{
    struct perm_ctx ctx;
    int64_t id;
    if (!queue_route(req, PERM_EDIT, &ctx, &id))
        return http_replied(req);
    return resource_save(req, &queue_kind, id, ctx.who.user_id, NULL);
}

int api_queues_delete(struct http_req *req)
{
    struct perm_ctx ctx;
    int64_t id;
    if (!queue_route(req, PERM_DELETE, &ctx, &id))
        return http_replied(req);
    struct db *db = app_thread_db(req->app);
    int r = db ? queue_delete(db, id) : SB_EUNAVAIL;
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such queue");
    if (r)
        return http_reply_error(req, r);
    audit_record(db, clock_now_ms(req->app->clock), ctx.who.user_id, "queue.delete", "queue", id,
                 auth_client_ip(req), NULL);
    return http_reply_empty(req, 204);
}

int api_queue_agents_list(struct http_req *req)
{
    struct perm_ctx ctx;
    int64_t id;
    if (!queue_route(req, PERM_READ, &ctx, &id))
        return http_replied(req);
    struct db *db = app_thread_db(req->app);
    json_t *q = NULL, *items = NULL;
    int r = db ? queue_get(db, id, &q) : SB_EUNAVAIL;
    json_decref(q);
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such queue");
    if (!r)
        r = queue_agents(db, id, &items);
    if (r)
        return http_reply_error(req, r);
    return http_reply_items(req, items);
}

int api_queue_agents_add(struct http_req *req)
{
    struct perm_ctx ctx;
    int64_t id;
    if (!queue_route(req, PERM_EDIT, &ctx, &id))
        return http_replied(req);
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    json_t *ids = json_object_get(body, "agent_ids");
    json_t *p = http_problem_new(422, "invalid members", NULL);
    if (!membership_ids_valid(body, "agent_ids", MEMBERSHIP_IDS_MAX, p)) {
        json_decref(body);
        return http_reply_problem_json(req, p);
    }
    json_decref(p);
    size_t i;
    json_t *v;
    /* A supervisor adds only agents it already sees: unknown and out-of-scope ids are refused
     * alike. */
    int64_t bad = 0, now = clock_now_ms(req->app->clock);
    json_array_foreach(ids, i,
                       v) if (!bad && !perm_agent_in_scope(req, &ctx, json_integer_value(v))) bad =
        json_integer_value(v);
    struct db *db = app_thread_db(req->app);
    json_t *q = NULL;
    int r = bad ? SB_EINVALID : db ? queue_get(db, id, &q) : SB_EUNAVAIL;
    json_decref(q);
    if (!r)
        r = queue_add_agents(db, id, ids, now, &bad);
    if (!r) {
        audit_record(db, now, ctx.who.user_id, "queue.agents_add", "queue", id, auth_client_ip(req),
                     json_pack("{s:O}", "agent_ids", ids));
        membership_publish(req->app, ids);
    }
    json_decref(body);
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such queue");
    if (r == SB_EINVALID) {
        char msg[80];
        snprintf(msg, sizeof(msg), "%lld is not an agent", (long long)bad);
        json_t *bad_p = http_problem_new(422, "invalid members", NULL);
        http_problem_add_error(bad_p, "agent_ids", msg);
        return http_reply_problem_json(req, bad_p);
    }
    if (r)
        return http_reply_error(req, r);
    return api_queue_agents_list(req);
}

int api_queue_agents_remove(struct http_req *req)
{
    struct perm_ctx ctx;
    int64_t id, agent;
    if (!queue_route(req, PERM_EDIT, &ctx, &id))
        return http_replied(req);
    if (http_param_id(req, "agent_id", &agent))
        return http_reply_problem(req, 404, "not a member");
    struct db *db = app_thread_db(req->app);
    int r = db ? queue_remove_agent(db, id, agent) : SB_EUNAVAIL;
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "not a member");
    if (r)
        return http_reply_error(req, r);
    audit_record(db, clock_now_ms(req->app->clock), ctx.who.user_id, "queue.agents_remove", "queue",
                 id, auth_client_ip(req), json_pack("{s:I}", "agent_id", (json_int_t)agent));
    json_t *one = json_pack("[I]", (json_int_t)agent);
    membership_publish(req->app, one);
    json_decref(one);
    return http_reply_empty(req, 204);
}
