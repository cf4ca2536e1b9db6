/* /api/v1/dispositions — dispositions (docs/sms.md). Admins edit; supervisors whose profile
 * enables the "dispositions" section read them (queue-scoped ones only for their profile's
 * queues); agents read the ones that apply to them (global, their accounts', their queues',
 * their accounts' lists'). */
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
#include "http/respond.h"
#include "interactions/dispositions.h"

/* Who reads: fills the visibility part of *f. 0, or the problem was queued. */
static int reader(struct http_req *req, struct disposition_filter *f)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_AGENT, &who))
        return -1;
    if (who.role == AUTH_ROLE_AGENT) {
        f->agent_id = who.user_id;
        return 0;
    }
    if (who.role == AUTH_ROLE_ADMIN)
        return 0;
    struct perm_ctx ctx;
    if (perm_require(req, "dispositions", PERM_READ, &ctx))
        return -1;
    f->profile_id = ctx.all ? 0 : ctx.profile_id;
    return 0;
}

static bool admin_item(struct http_req *req, struct auth_principal *who, int64_t *id)
{
    if (auth_require(req, AUTH_ROLE_ADMIN, who))
        return false;
    if (id && http_param_id(req, "id", id)) {
        http_reply_problem(req, 404, "no such disposition");
        return false;
    }
    return true;
}

static bool channel_ok(const char *c)
{
    return !strcmp(c, "sms") || !strcmp(c, "openchannel");
}

int api_dispositions_list(struct http_req *req)
{
    struct disposition_filter f = {0};
    if (reader(req, &f))
        return http_replied(req);
    json_t *p = http_problem_new(422, "invalid query", NULL);
    int64_t limit, offset;
    api_paging(req, &limit, &offset, &f.q, p);
    f.scope = http_query(req, "scope");
    if (f.scope && strcmp(f.scope, "global") && strcmp(f.scope, "account") &&
        strcmp(f.scope, "queue") && strcmp(f.scope, "list"))
        http_problem_add_error(p, "scope", "must be global, account, queue or list");
    f.channel = http_query(req, "channel");
    if (f.channel && !channel_ok(f.channel))
        http_problem_add_error(p, "channel", "must be sms or openchannel");
    api_query_id(req, "account_id", &f.account_id, p);
    api_query_id(req, "queue_id", &f.queue_id, p);
    api_query_id(req, "list_id", &f.list_id, p);
    api_query_id(req, "parent_id", &f.parent_id, p);
    const char *roots = http_query(req, "roots"), *app = http_query(req, "applicable");
    if (roots && strcmp(roots, "true") && strcmp(roots, "false"))
        http_problem_add_error(p, "roots", "must be true or false");
    if (app && strcmp(app, "true") && strcmp(app, "false"))
        http_problem_add_error(p, "applicable", "must be true or false");
    f.roots = roots && !strcmp(roots, "true");
    f.applicable = app && !strcmp(app, "true");
    if (f.applicable && (!f.channel || !f.account_id))
        http_problem_add_error(p, "applicable",
                               "needs channel and account_id (and optionally queue_id)");
    if (api_problem_has_errors(p))
        return http_reply_problem_json(req, p);
    json_decref(p);
    struct db *db = app_thread_db(req->app);
    json_t *items = NULL;
    int64_t total = 0;
    int r = db ? disposition_list(db, &f, limit, offset, &items, &total) : SB_EUNAVAIL;
    if (r)
        return http_reply_error(req, r);
    return http_reply_json(req, 200,
                           json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total));
}

int api_dispositions_get(struct http_req *req)
{
    struct disposition_filter f = {0};
    if (reader(req, &f))
        return http_replied(req);
    int64_t id;
    if (http_param_id(req, "id", &id))
        return http_reply_problem(req, 404, "no such disposition");
    struct db *db = app_thread_db(req->app);
    bool visible = false;
    int r = db ? disposition_visible(db, id, &f, &visible) : SB_EUNAVAIL;
    if (r == SB_ENOTFOUND || (!r && !visible))
        return http_reply_problem(req, 404, "no such disposition");
    json_t *out = NULL;
    if (!r)
        r = disposition_get(db, id, &out);
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such disposition");
    return r ? http_reply_error(req, r) : http_reply_json(req, 200, out);
}

static int get_disposition(struct db *db, int64_t id, void *arg, json_t **out)
{
    (void)arg;
    return disposition_get(db, id, out);
}

static const struct resource_kind disposition_kind = {
    .name = "disposition",
    .unique_field = "name",
    .unique_message = "a disposition beside this one has this name",
    .validate = disposition_validate,
    .create = disposition_create,
    .update = disposition_update,
    .get = get_disposition,
    .full_title = "too many dispositions",
    .full_field = "scope",
    .full_message = "holds the maximum number of dispositions (1,000 per scope)",
    .ref_field = "parent_id",
    .ref_message = "no such disposition",
};

int api_dispositions_create(struct http_req *req)
{
    struct auth_principal who;
    if (!admin_item(req, &who, NULL))
        return http_replied(req);
    return resource_save(req, &disposition_kind, 0, who.user_id, NULL);
}

int api_dispositions_patch(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    if (!admin_item(req, &who, &id))
        return http_replied(req);
    return resource_save(req, &disposition_kind, id, who.user_id, NULL);
}

int api_dispositions_delete(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    if (!admin_item(req, &who, &id))
        return http_replied(req);
    struct db *db = app_thread_db(req->app);
    int64_t deleted = 0;
    int r = db ? disposition_delete(db, id, &deleted) : SB_EUNAVAIL;
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such disposition");
    if (r)
        return http_reply_error(req, r);
    audit_record(db, clock_now_ms(req->app->clock), who.user_id, "disposition.delete",
                 "disposition", id, auth_client_ip(req),
                 json_pack("{s:I}", "deleted", (json_int_t)deleted));
    return http_reply_empty(req, 204);
}
