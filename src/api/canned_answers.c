/* /api/v1/canned-answers — canned answers (docs/sms.md). Admins edit; supervisors whose profile
 * enables the "canned_answers" section read them; agents read the global ones and those of
 * the accounts they are agents of, and render one for an interaction they hold. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/paging.h"
#include "api/resource_save.h"
#include "app.h"
#include "auth/audit.h"
#include "auth/guard.h"
#include "auth/permissions.h"
#include "core/err.h"
#include "db/db.h"
#include "http/respond.h"
#include "interactions/canned.h"

/* Who reads: *agent_id = the agent's id for an agent, 0 for staff who see everything. 0, or
 * the problem was queued. */
static int reader(struct http_req *req, int64_t *agent_id)
{
    struct auth_principal who;
    *agent_id = 0;
    if (auth_require(req, AUTH_ROLE_AGENT, &who))
        return -1;
    if (who.role == AUTH_ROLE_AGENT) {
        *agent_id = who.user_id;
        return 0;
    }
    if (who.role == AUTH_ROLE_ADMIN)
        return 0;
    struct perm_ctx ctx;
    return perm_require(req, "canned_answers", PERM_READ, &ctx) ? -1 : 0;
}

static bool admin_item(struct http_req *req, struct auth_principal *who, int64_t *id)
{
    if (auth_require(req, AUTH_ROLE_ADMIN, who))
        return false;
    if (id && http_param_id(req, "id", id)) {
        http_reply_problem(req, 404, "no such canned answer");
        return false;
    }
    return true;
}

int api_canned_list(struct http_req *req)
{
    struct canned_filter f = {0};
    if (reader(req, &f.agent_id))
        return http_replied(req);
    json_t *p = http_problem_new(422, "invalid query", NULL);
    int64_t limit, offset;
    api_paging(req, &limit, &offset, &f.q, p);
    f.scope = http_query(req, "scope");
    if (f.scope && strcmp(f.scope, "global") && strcmp(f.scope, "account"))
        http_problem_add_error(p, "scope", "must be global or account");
    f.channel = http_query(req, "channel");
    if (f.channel && strcmp(f.channel, "sms") && strcmp(f.channel, "openchannel"))
        http_problem_add_error(p, "channel", "must be sms or openchannel");
    api_query_id(req, "account_id", &f.account_id, p);
    if ((f.channel != NULL) != (f.account_id != 0))
        http_problem_add_error(p, f.channel ? "account_id" : "channel",
                               "channel and account_id go together");
    const char *app = http_query(req, "applicable");
    if (app && strcmp(app, "true") && strcmp(app, "false"))
        http_problem_add_error(p, "applicable", "must be true or false");
    f.applicable = app && !strcmp(app, "true");
    if (f.applicable && !f.account_id)
        http_problem_add_error(p, "applicable", "needs channel and account_id");
    if (api_problem_has_errors(p))
        return http_reply_problem_json(req, p);
    json_decref(p);
    struct db *db = app_thread_db(req->app);
    json_t *items = NULL;
    int64_t total = 0;
    int r = db ? canned_list(db, &f, limit, offset, &items, &total) : SB_EUNAVAIL;
    if (r)
        return http_reply_error(req, r);
    return http_reply_json(req, 200,
                           json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total));
}

int api_canned_get(struct http_req *req)
{
    int64_t agent = 0, id;
    if (reader(req, &agent))
        return http_replied(req);
    if (http_param_id(req, "id", &id))
        return http_reply_problem(req, 404, "no such canned answer");
    struct db *db = app_thread_db(req->app);
    bool visible = true;
    int r = db ? 0 : SB_EUNAVAIL;
    if (!r && agent)
        r = canned_visible_to_agent(db, id, agent, &visible);
    json_t *out = NULL;
    if (!r && visible)
        r = canned_get(db, id, &out);
    if (r == SB_ENOTFOUND || (!r && !visible))
        return http_reply_problem(req, 404, "no such canned answer");
    return r ? http_reply_error(req, r) : http_reply_json(req, 200, out);
}

static int get_canned(struct db *db, int64_t id, void *arg, json_t **out)
{
    (void)arg;
    return canned_get(db, id, out);
}

static const struct resource_kind canned_kind = {
    .name = "canned answer",
    .unique_field = "name",
    .unique_message = "another canned answer of this scope has this name",
    .validate = canned_validate,
    .create = canned_create,
    .update = canned_update,
    .get = get_canned,
    .audit_name = "canned_answer",
    .full_title = "too many canned answers",
    .full_field = "scope",
    .full_message = "holds the maximum of 5,000 canned answers",
};

int api_canned_create(struct http_req *req)
{
    struct auth_principal who;
    if (!admin_item(req, &who, NULL))
        return http_replied(req);
    return resource_save(req, &canned_kind, 0, who.user_id, NULL);
}

int api_canned_patch(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    if (!admin_item(req, &who, &id))
        return http_replied(req);
    return resource_save(req, &canned_kind, id, who.user_id, NULL);
}

int api_canned_delete(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    if (!admin_item(req, &who, &id))
        return http_replied(req);
    struct db *db = app_thread_db(req->app);
    int r = db ? canned_delete(db, id) : SB_EUNAVAIL;
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such canned answer");
    if (r)
        return http_reply_error(req, r);
    audit_record(db, clock_now_ms(req->app->clock), who.user_id, "canned_answer.delete",
                 "canned_answer", id, auth_client_ip(req), NULL);
    return http_reply_empty(req, 204);
}

/* POST …/{id}/render {"interaction_id"}: an agent renders an answer that applies to an
 * interaction it holds (admins: any interaction). */
int api_canned_render(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    if (auth_require(req, AUTH_ROLE_AGENT, &who))
        return http_replied(req);
    if (who.role == AUTH_ROLE_USER) {
        struct perm_ctx ctx;
        if (perm_require(req, "canned_answers", PERM_READ, &ctx))
            return http_replied(req);
    }
    if (http_param_id(req, "id", &id))
        return http_reply_problem(req, 404, "no such canned answer");
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    json_t *iv = json_object_get(body, "interaction_id");
    int64_t ix = json_is_integer(iv) && json_integer_value(iv) > 0 ? json_integer_value(iv) : 0;
    json_decref(body);
    if (!ix) {
        json_t *p = http_problem_new(422, "invalid render", NULL);
        http_problem_add_error(p, "interaction_id", "must be the id of an interaction");
        return http_reply_problem_json(req, p);
    }
    struct db *db = app_thread_db(req->app);
    if (!db)
        return http_reply_error(req, SB_EUNAVAIL);
    bool visible = true;
    int r =
        who.role == AUTH_ROLE_AGENT ? canned_visible_to_agent(db, id, who.user_id, &visible) : 0;
    if (r == SB_ENOTFOUND || (!r && !visible))
        return http_reply_problem(req, 404, "no such canned answer");
    /* The interaction: the agent's own, and the answer global or of its account. */
    int64_t fits = 0;
    if (!r)
        r = db_query_int64(db,
                           "SELECT COUNT(*) FROM interactions i, canned_answers c WHERE i.id = ? "
                           "AND c.id = ? AND (c.account_id IS NULL OR (c.channel = i.channel AND "
                           "c.account_id = i.account_id)) AND (? = 0 OR i.owner_id = ?)",
                           &fits, 4, ix, id, (int64_t)(who.role == AUTH_ROLE_AGENT), who.user_id);
    if (!r && !fits) {
        json_t *p = http_problem_new(422, "invalid render", NULL);
        http_problem_add_error(p, "interaction_id",
                               "no interaction of yours that this answer applies to");
        return http_reply_problem_json(req, p);
    }
    char *text = NULL;
    if (!r)
        r = canned_render_stored(db, id, ix, who.user_id, &text);
    if (r == SB_ETOOBIG) {
        json_t *p = http_problem_new(422, "invalid render", NULL);
        http_problem_add_error(p, "interaction_id", "the rendered text is longer than 16 KiB");
        return http_reply_problem_json(req, p);
    }
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such canned answer");
    if (r)
        return http_reply_error(req, r);
    json_t *out = json_pack("{s:s}", "text", text);
    free(text);
    return http_reply_json(req, 200, out);
}
