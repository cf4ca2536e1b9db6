/* POST /api/v1/agents/delete — deletes a selection of agents at once (issue "Staff": "delete
 * one or many"): all or nothing in one transaction, then, like the single delete, each deleted
 * agent's sessions are revoked, its sockets closed and one audit record written. Section
 * "agents" with delete; every agent must be in the caller's scope. Runs on a job worker: 500
 * agents are a few thousand statements. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "app.h"
#include "auth/audit.h"
#include "staff/avatar_store.h"
#include "auth/permissions.h"
#include "core/err.h"
#include "http/respond.h"
#include "staff/agents.h"
#include "ws/hub.h"

struct delete_job {
    int64_t ids[AGENT_DELETE_MANY_MAX];
    size_t n;
    const char *scope_sql; /* static text (perm_scope_sql) or NULL */
    int64_t profile_id;
    int64_t actor;
    const char *ip; /* in the request arena */
};

static void bad_id(struct http_req *req, size_t index, const char *message)
{
    char name[32];
    snprintf(name, sizeof(name), "ids[%zu]", index);
    json_t *p = http_problem_new(422, "nothing was deleted", NULL);
    http_problem_add_error(p, name, message);
    http_async_result(req, 422, p);
}

static void delete_work(struct http_req *req, void *arg)
{
    struct delete_job *j = arg;
    struct db *db = app_thread_db(req->app);
    int64_t now = clock_now_ms(req->app->clock);
    size_t bad = 0;
    /* The pictures' file names, read before the commit clears them (an id that is not an agent
     * has none; agent_delete_many decides what exists). */
    static _Thread_local char avatars[AGENT_DELETE_MANY_MAX][AVATAR_NAME_MAX];
    for (size_t i = 0; i < j->n; i++)
        if (!db || avatar_get_name(db, j->ids[i], avatars[i]))
            avatars[i][0] = 0;
    int r = db ? agent_delete_many(db, j->ids, j->n, j->scope_sql, j->profile_id, now, &bad)
               : SB_EUNAVAIL;
    if (r == SB_EINVALID) {
        bad_id(req, bad, "no such agent");
        return;
    }
    if (r) {
        http_async_result(req, sb_err_status(r),
                          http_problem_new(sb_err_status(r), "nothing was deleted", NULL));
        return;
    }
    for (size_t i = 0; i < j->n; i++) {
        avatar_file_remove(req->app->cfg.server_data_dir, avatars[i]);
        session_revoke_all(db, j->ids[i], 0, "account deleted", now, NULL);
        if (req->app->hub)
            hub_close_user(req->app->hub, j->ids[i], 4001, (struct ws_ref){0, 0});
        audit_record(db, now, j->actor, "agent.delete", "staff", j->ids[i], j->ip,
                     json_pack("{s:b}", "bulk", 1));
    }
    http_async_result(req, 200, json_pack("{s:I}", "deleted", (json_int_t)j->n));
}

int api_agents_delete_many(struct http_req *req)
{
    struct perm_ctx ctx;
    if (perm_require(req, PERM_SECTION_AGENTS, PERM_DELETE, &ctx))
        return http_replied(req);
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    json_t *p = http_problem_new(422, "nothing was deleted", NULL);
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v)
    {
        if (strcmp(k, "ids"))
            http_problem_add_error(p, k, "unknown field");
    }
    json_t *ids = json_object_get(body, "ids");
    size_t n = json_array_size(ids);
    bool ok = json_is_array(ids) && n >= 1 && n <= AGENT_DELETE_MANY_MAX;
    size_t i;
    json_array_foreach(ids, i, v) ok = ok && json_is_integer(v) && json_integer_value(v) > 0;
    if (!ok)
        http_problem_add_error(p, "ids", "must be an array of 1 to 500 agent ids");
    struct delete_job *j = NULL;
    if (!json_object_get(p, "errors")) {
        j = arena_calloc(&req->arena, sizeof(*j));
        if (!j) {
            json_decref(p);
            json_decref(body);
            return http_reply_error(req, SB_ENOMEM);
        }
        /* A repeated id would be "not a live agent" the second time: say what it is. */
        for (i = 0; i < n; i++) {
            j->ids[i] = json_integer_value(json_array_get(ids, i));
            for (size_t e = 0; e < i; e++) {
                if (j->ids[e] == j->ids[i]) {
                    char name[32];
                    snprintf(name, sizeof(name), "ids[%zu]", i);
                    http_problem_add_error(p, name, "is repeated");
                    break;
                }
            }
        }
        j->n = n;
    }
    json_decref(body);
    if (json_object_get(p, "errors"))
        return http_reply_problem_json(req, p);
    json_decref(p);
    j->scope_sql = perm_scope_sql(&ctx, "agent");
    j->profile_id = ctx.profile_id;
    j->actor = ctx.who.user_id;
    j->ip = auth_client_ip(req);
    return http_defer(req, delete_work, j);
}
