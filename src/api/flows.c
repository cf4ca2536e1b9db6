/* /api/v1/flows/{channel}/{account_id}/actions — the action flow of one account of a digital
 * channel (routing/flow.h, docs/flows.md). Administrators only. PUT replaces the whole list
 * atomically after checking every field and that the queues (of the same channel), agents and
 * intervals it names exist; a refused PUT changes nothing. */
#include <stdio.h>
#include <string.h>

#include "api/handlers.h"
#include "app.h"
#include "auth/audit.h"
#include "auth/guard.h"
#include "core/err.h"
#include "http/respond.h"
#include "routing/flow.h"

/* The path's channel and account, answering 404 for a channel without flows or an account that
 * does not exist (flow_account_exists is the channels' hook). */
static bool flow_target(struct http_req *req, struct db *db, const char **channel,
                        int64_t *account_id)
{
    *channel = http_param(req, "channel");
    if (!flow_channel_valid(*channel)) {
        http_reply_problem(req, 404,
                           "no such channel: chat, email, sms, openchannel, fax or "
                           "whatsapp");
        return false;
    }
    bool exists = false;
    int r = http_param_id(req, "account_id", account_id);
    if (!r)
        r = db ? flow_account_exists(db, *channel, *account_id, &exists) : SB_EUNAVAIL;
    if (r == SB_ENOTFOUND || (!r && !exists)) {
        http_reply_problem(req, 404, "no such account");
        return false;
    }
    if (r) {
        http_reply_error(req, r);
        return false;
    }
    return true;
}

static int reply_flow(struct http_req *req, int status, const char *channel, int64_t account_id,
                      const struct flow *f, int64_t version)
{
    json_t *actions = flow_actions_json(f);
    if (!actions)
        return http_reply_error(req, SB_ENOMEM);
    return http_reply_json(req, status,
                           json_pack("{s:s, s:I, s:I, s:o}", "channel", channel, "account_id",
                                     (json_int_t)account_id, "version", (json_int_t)version,
                                     "actions", actions));
}

int api_flows_get(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_ADMIN, &who))
        return http_replied(req);
    struct db *db = app_thread_db(req->app);
    const char *channel;
    int64_t account_id, version = 0;
    if (!flow_target(req, db, &channel, &account_id))
        return http_replied(req);
    struct flow *f = NULL;
    int r = flow_load(db, channel, account_id, &f, &version);
    if (r)
        return http_reply_error(req, r);
    int res = reply_flow(req, 200, channel, account_id, f, version);
    flow_free(f);
    return res;
}

int api_flows_put(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_ADMIN, &who))
        return http_replied(req);
    struct db *db = app_thread_db(req->app);
    const char *channel;
    int64_t account_id, version = 0;
    if (!flow_target(req, db, &channel, &account_id))
        return http_replied(req);
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    json_t *errors = NULL;
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v)
    {
        if (strcmp(k, "actions")) {
            json_t *p = http_problem_new(422, "invalid flow", NULL);
            http_problem_add_error(p, k, "unknown field");
            json_decref(body);
            return http_reply_problem_json(req, p);
        }
    }
    json_t *actions = json_object_get(body, "actions");
    struct flow *f = NULL;
    int r = actions ? flow_parse(actions, channel, &f, &errors) : SB_EINVALID;
    if (!actions)
        errors = json_pack("[{s:s, s:s}]", "field", "actions", "message",
                           "is required: the list of actions (may be empty)");
    if (!r)
        r = flow_check_refs(db, f, &errors);
    int64_t now = clock_now_ms(req->app->clock);
    if (!r)
        r = flow_save(db, channel, account_id, f, now, &version);
    if (r == SB_EINVALID) {
        json_decref(body);
        flow_free(f);
        return http_reply_problem_json(req, http_problem_new(422, "invalid flow", errors));
    }
    json_decref(errors);
    if (r == SB_ECONFLICT) {
        json_decref(body);
        flow_free(f);
        return http_reply_problem(req, 409, "an interval of this flow was deleted meanwhile");
    }
    if (r) {
        json_decref(body);
        flow_free(f);
        return http_reply_error(req, r);
    }
    audit_record(db, now, who.user_id, "flow.update", "account", account_id, auth_client_ip(req),
                 json_pack("{s:s, s:I, s:I}", "channel", channel, "actions", (json_int_t)f->n,
                           "version", (json_int_t)version));
    json_decref(body);
    int res = reply_flow(req, 200, channel, account_id, f, version);
    flow_free(f);
    return res;
}
