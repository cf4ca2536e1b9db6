/* POST /api/v1/sms/accounts/{id}/interactions {"phone", "body"} — an agent of the account
 * starts an SMS conversation with a number (issue #6 §6; docs/sms.md "Starting a
 * conversation"). The contact is found or created in the account's list; its open
 * interaction on the account is reused, else a new one is created; the ACD assigns it to the
 * caller (ACD_CLAIM, committed by the ACD thread like an accept); the text goes out through
 * the durable outbox like any reply. */
#include <stdio.h>
#include <string.h>

#include "api/desk.h"
#include "api/handlers.h"
#include "app.h"
#include "channels/channel_account.h"
#include "channels/outbox.h"
#include "channels/sms/sms_types.h"
#include "core/clock.h"
#include "core/err.h"
#include "db/db.h"
#include "http/respond.h"
#include "interactions/inbound.h"
#include "interactions/outbound.h"
#include "routing/acd.h"

int api_sms_interactions_create(struct http_req *req)
{
    struct auth_principal who;
    if (desk_require_agent(req, &who))
        return http_replied(req);
    int64_t account_id;
    if (http_param_id(req, "id", &account_id))
        return http_reply_problem(req, 404, "no such SMS account");
    struct db *db = app_thread_db(req->app);
    if (!db)
        return http_reply_error(req, SB_EUNAVAIL);
    /* Only the agents of the account work on it; to anyone else it does not exist. */
    struct channel_account acc;
    bool member = false;
    int r = channel_account_get(db, "sms", account_id, &acc);
    if (!r)
        r = channel_account_has_agent(db, "sms", account_id, who.user_id, &member);
    if (r == SB_ENOTFOUND || (!r && !member))
        return http_reply_problem(req, 404, "no such SMS account");
    if (r)
        return http_reply_error(req, r);

    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    json_t *p = http_problem_new(422, "invalid message", NULL);
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        if (strcmp(key, "phone") && strcmp(key, "body")) {
            char field[80];
            snprintf(field, sizeof(field), "%.64s", key);
            http_problem_add_error(p, field, "unknown field");
        }
    }
    char phone[SMS_E164_MAX];
    if (!sms_phone_e164(json_string_value(json_object_get(body, "phone")), phone))
        http_problem_add_error(p, "phone",
                               "must be an international number: + (or 00), the country code "
                               "and the number, 7 to 15 digits");
    const char *text = json_string_value(json_object_get(body, "body"));
    if (!text || !*text || strlen(text) > OUTBOUND_BODY_MAX)
        http_problem_add_error(p, "body", "must be a text of 1 to 16384 bytes");
    if (json_object_get(p, "errors")) {
        json_decref(body);
        return http_reply_problem_json(req, p);
    }
    json_decref(p);

    int64_t now = clock_now_ms(req->app->clock);
    struct interaction_open_result o;
    r = interaction_open_for_phone(db, "sms", account_id, acc.list_id, phone, now, &o);
    if (!r && o.owner_id && o.owner_id != who.user_id) {
        json_decref(body);
        return http_reply_problem(req, 409,
                                  "another agent holds the open interaction with this number");
    }
    if (r) {
        json_decref(body);
        return http_reply_error(req, r);
    }
    struct acd_req a = {0};
    a.op = ACD_CLAIM;
    a.agent = who.user_id;
    a.interaction = o.interaction_id;
    acd_call(req->app->acd, &a);
    json_decref(a.out);
    a.out = NULL;
    if (a.err || a.status != ACD_OK) {
        json_decref(body);
        return desk_reply(req, &a, 201);
    }
    struct outbound_msg m = {o.interaction_id, who.user_id, text, NULL, false};
    int64_t mid = 0;
    const char *why = NULL;
    r = outbound_store(db, &m, now, &mid, &why);
    json_decref(body);
    if (r == SB_ECONFLICT)
        return http_reply_problem(req, 409, "the interaction is closed");
    if (r)
        return http_reply_error(req, r);
    outbox_poke(req->app->outbox);
    json_t *out = NULL;
    r = desk_interaction_json(db, o.interaction_id, &out);
    if (r)
        return http_reply_error(req, r);
    json_object_set_new(out, "message_id", json_integer(mid));
    json_object_set_new(out, "new_interaction", json_boolean(o.new_interaction));
    return http_reply_json(req, 201, out);
}
