/* /api/v1/agent/… — the signed-in agent's own routing state: channel login/logout, pause,
 * and the interactions it holds. Only agents (role agent) have a routing state. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/desk.h"
#include "api/handlers.h"
#include "app.h"
#include "auth/guard.h"
#include "core/err.h"
#include "db/db.h"
#include "http/respond.h"
#include "routing/acd.h"
#include "routing/engine.h"

int desk_require_agent(struct http_req *req, struct auth_principal *who)
{
    if (auth_require(req, AUTH_ROLE_AGENT, who))
        return -1;
    if (who->role != AUTH_ROLE_AGENT) {
        http_reply_problem(req, 403, "only agents have a routing state");
        return -1;
    }
    return 0;
}

int desk_reply(struct http_req *req, struct acd_req *r, int ok_status)
{
    if (r->err) {
        json_decref(r->out);
        return http_reply_error(req, r->err);
    }
    int status = 409;
    const char *field = NULL;
    switch (r->status) {
    case ACD_OK:
        return r->out ? http_reply_json(req, ok_status, r->out) : http_reply_empty(req, 204);
    case ACD_NOT_FOUND:
        status = 404;
        break;
    case ACD_NOT_OWNER:
        status = 403;
        break;
    case ACD_TARGET_INVALID:
        status = 422;
        field = r->to_queue ? "queue_id" : "agent_id";
        break;
    case ACD_CHANNEL_INVALID:
        status = 422;
        field = "channel";
        break;
    case ACD_DISPOSITION_INVALID:
    case ACD_DISPOSITION_REQUIRED:
        status = 422;
        field = "disposition";
        break;
    default:
        break;
    }
    json_decref(r->out);
    json_t *p = http_problem_new(status, acd_status_text(r->status), NULL);
    if (field)
        http_problem_add_error(p, field, acd_status_text(r->status));
    return http_reply_problem_json(req, p);
}

static int state_call(struct http_req *req, int op, int channel, const char *reason)
{
    struct auth_principal who;
    if (desk_require_agent(req, &who))
        return http_replied(req);
    struct acd_req r = {0};
    r.op = op;
    r.agent = who.user_id;
    r.channel = channel;
    if (reason)
        snprintf(r.text, sizeof(r.text), "%s", reason);
    acd_call(req->app->acd, &r);
    return desk_reply(req, &r, 200);
}

int api_agent_state_get(struct http_req *req)
{
    return state_call(req, ACD_STATE, 0, NULL);
}

/* Login/logout: {"channel": "openchannel"} */
static int channel_call(struct http_req *req, int op)
{
    struct auth_principal who;
    if (desk_require_agent(req, &who))
        return http_replied(req);
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    int ch = eng_channel_parse(json_string_value(json_object_get(body, "channel")));
    json_decref(body);
    if (ch < 0) {
        json_t *p = http_problem_new(422, "invalid channel", NULL);
        http_problem_add_error(p, "channel",
                               "must be one of chat, email, sms, openchannel, fax, whatsapp");
        return http_reply_problem_json(req, p);
    }
    return state_call(req, op, ch, NULL);
}

int api_agent_login(struct http_req *req)
{
    return channel_call(req, ACD_LOGIN);
}

int api_agent_logout(struct http_req *req)
{
    return channel_call(req, ACD_LOGOUT);
}

int api_agent_pause(struct http_req *req)
{
    struct auth_principal who;
    if (desk_require_agent(req, &who))
        return http_replied(req);
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    json_t *v = json_object_get(body, "reason");
    const char *reason = json_string_value(v);
    if ((v && !json_is_null(v) && !reason) || (reason && strlen(reason) > 63)) {
        json_decref(body);
        json_t *p = http_problem_new(422, "invalid pause", NULL);
        http_problem_add_error(p, "reason", "must be a text of at most 63 characters");
        return http_reply_problem_json(req, p);
    }
    char copy[64] = "";
    if (reason)
        snprintf(copy, sizeof(copy), "%s", reason);
    json_decref(body);
    return state_call(req, ACD_PAUSE, 0, copy);
}

int api_agent_unpause(struct http_req *req)
{
    return state_call(req, ACD_UNPAUSE, 0, NULL);
}

/* GET /api/v1/agent/interactions — the open interactions the agent holds, newest first. */
int api_agent_interactions(struct http_req *req)
{
    struct auth_principal who;
    if (desk_require_agent(req, &who))
        return http_replied(req);
    struct db *db = app_thread_db(req->app);
    if (!db)
        return http_reply_error(req, SB_EUNAVAIL);
    struct db_stmt *st = NULL;
    json_t *items = json_array();
    int r = db_prepare(db,
                       "SELECT id FROM interactions WHERE owner_id = ? AND status = 'open' AND "
                       "route_state = 'assigned' ORDER BY COALESCE(last_message_at, created_at) "
                       "DESC, id DESC LIMIT 1000",
                       &st);
    if (!r)
        r = db_bind_int64(st, 1, who.user_id);
    int64_t ids[1000];
    size_t n = 0;
    while (!r && n < 1000 && (r = db_step(st)) == DB_ROW) {
        ids[n++] = db_col_int64(st, 0);
        r = 0;
    }
    db_finalize(st);
    if (r < 0) {
        json_decref(items);
        return http_reply_error(req, r);
    }
    for (size_t i = 0; i < n; i++) {
        json_t *one = NULL;
        if (!desk_interaction_json(db, ids[i], &one))
            json_array_append_new(items, one);
    }
    return http_reply_items(req, items);
}

/* GET /api/v1/agent/offers — the offers the agent holds now (after a reconnect, the socket's
 * interaction.offered events may have been missed). Contact fields are masked by the
 * serializer as for every answer. */
int api_agent_offers(struct http_req *req)
{
    return state_call(req, ACD_OFFERS, 0, NULL);
}

/* At most this many accounts per channel in GET /agent/accounts (an agent of more has an
 * administrator to talk to; the answer says so with "truncated"). */
#define AGENT_ACCOUNTS_MAX 500

/* Appends the accounts of one channel that agent `staff_id` is an agent of to `items`, by
 * name. Sets *truncated when there were more than AGENT_ACCOUNTS_MAX. 0 or a storage error. */
static int agent_accounts_of(struct db *db, const char *channel, const char *sql, int64_t staff_id,
                             json_t *items, bool *truncated)
{
    struct db_stmt *st = NULL;
    int r = db_prepare(db, sql, &st);
    if (!r)
        r = db_bind_int64(st, 1, staff_id);
    if (!r)
        r = db_bind_int64(st, 2, AGENT_ACCOUNTS_MAX + 1);
    int n = 0;
    while (!r && (r = db_step(st)) == DB_ROW) {
        r = 0;
        if (++n > AGENT_ACCOUNTS_MAX) {
            *truncated = true;
            break;
        }
        const char *key = db_col_text(st, 2);
        json_t *o =
            json_pack("{s:s, s:I, s:s, s:s?, s:b, s:b}", "channel", channel, "id",
                      (json_int_t)db_col_int64(st, 0), "name", db_col_text(st, 1), "key", key,
                      "can_reply", db_col_int64(st, 3) != 0, "can_start", db_col_int64(st, 4) != 0);
        if (!o || json_array_append_new(items, o))
            r = SB_ENOMEM;
    }
    if (r == DB_DONE)
        r = 0;
    db_finalize(st);
    return r;
}

/* GET /api/v1/agent/accounts — the SMS and Open Channel accounts the calling agent is an agent
 * of, SMS first, each channel by name: {items: [{channel, id, name, key, can_reply,
 * can_start}], total, truncated} (at most AGENT_ACCOUNTS_MAX a channel). Nothing
 * secret (no credentials, tokens, URLs): what the desk needs to offer "New SMS" from. SMS
 * accounts can always be replied on and started from (by their agents); an Open Channel account
 * can be replied on when it has a reply URL and is never started from (the connector opens its
 * conversations). 403 for staff who are not agents, like every /agent/ route. */
int api_agent_accounts(struct http_req *req)
{
    struct auth_principal who;
    if (desk_require_agent(req, &who))
        return http_replied(req);
    struct db *db = app_thread_db(req->app);
    if (!db)
        return http_reply_error(req, SB_EUNAVAIL);
    json_t *items = json_array();
    bool truncated = false;
    int r = agent_accounts_of(db, "sms",
                              "SELECT a.id, a.name, a.account_key, 1, 1 FROM sms_accounts a "
                              "JOIN sms_account_agents g ON g.account_id = a.id WHERE "
                              "g.staff_id = ? ORDER BY a.name, a.id LIMIT ?",
                              who.user_id, items, &truncated);
    if (!r)
        r = agent_accounts_of(db, "openchannel",
                              "SELECT a.id, a.name, a.account_key, CASE WHEN a.reply_url IS NOT "
                              "NULL AND a.reply_url <> '' THEN 1 ELSE 0 END, 0 FROM "
                              "openchannel_accounts a JOIN openchannel_account_agents g ON "
                              "g.account_id = a.id WHERE g.staff_id = ? ORDER BY a.name, a.id "
                              "LIMIT ?",
                              who.user_id, items, &truncated);
    if (r) {
        json_decref(items);
        return http_reply_error(req, r);
    }
    json_t *out = json_pack("{s:I, s:b, s:o}", "total", (json_int_t)json_array_size(items),
                            "truncated", truncated, "items", items);
    if (!out)
        return http_reply_error(req, SB_ENOMEM);
    return http_reply_json(req, 200, out);
}
