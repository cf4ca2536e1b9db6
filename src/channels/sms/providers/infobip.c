/* infobip.c — Infobip SMS (reference §1.5).
 *
 * The base URL is per account (<x>.api.infobip.com): checked and pinned (base_url.c, net.h).
 * Webhooks: {"results":[…]} of inbound messages (MO_JSON_2) or delivery reports; Infobip's HMAC
 * scheme is not public [NF], so the URL token and, when configured on the subscription, Basic
 * credentials. Sends: v3 POST /sms/3/messages (option "api":"v2" → /sms/2/text/advanced), auth
 * "App <API key>" when the account has one, else Basic username:password. */
#include <string.h>

#include "channels/sms/sms_impl.h"
#include "core/err.h"

static int ib_verify(struct sms_ctx *x, const struct sms_http_request *rq, int64_t now_s)
{
    return sms_verify_token_basic(x, rq, true);
}

/* Infobip status groups: 0 ACCEPTED, 1 PENDING, 2 UNDELIVERABLE, 3 DELIVERED, 4 EXPIRED,
 * 5 REJECTED. PENDING_ENROUTE (id 7) means handed to the operator: sent. */
static enum sms_state ib_state(long group, long id)
{
    switch (group) {
    case 0:
        return SMS_STATE_QUEUED;
    case 1:
        return id == 7 ? SMS_STATE_SENT : SMS_STATE_QUEUED;
    case 2:
    case 4:
        return SMS_STATE_UNDELIVERED;
    case 3:
        return SMS_STATE_DELIVERED;
    case 5:
        return SMS_STATE_FAILED;
    default:
        return SMS_STATE_NONE;
    }
}

static long int_at(json_t *o, const char *path, long dflt)
{
    json_t *v = sms_json_at(o, path);
    return json_is_integer(v) ? (long)json_integer_value(v) : dflt;
}

static int ib_parse(struct sms_ctx *x, const struct sms_http_request *rq, enum sms_hook hook,
                    struct sms_events *out)
{
    json_t *j;
    int r = sms_json_body(rq->body, rq->body_len, &j);
    if (r)
        return r;
    json_t *res = json_object_get(j, "results");
    struct sms_event *ev = NULL;
    if (!json_is_array(res))
        r = SB_EINVAL;
    if (!r)
        r = sms_events_alloc(x->a, json_array_size(res), out, &ev);
    for (size_t i = 0; !r && i < json_array_size(res); i++) {
        json_t *it = json_array_get(res, i);
        struct sms_event *e = &ev[i];
        if (!json_is_object(it)) {
            r = SB_EINVAL;
            break;
        }
        r = sms_json_str(x->a, it, "messageId", SMS_FIELD_MAX, &e->provider_id);
        if (!r && (!e->provider_id || !*e->provider_id))
            r = SB_EINVAL;
        if (r)
            break;
        json_t *st = json_object_get(it, "status");
        if (json_is_object(st) || hook == SMS_HOOK_STATUS) {
            e->kind = SMS_EVENT_STATUS;
            r = sms_json_str(x->a, it, "status.name", SMS_FIELD_MAX, &e->provider_status);
            long group = int_at(it, "status.groupId", -1);
            if (!r && group < 0) {
                r = SB_EINVAL;
                break;
            }
            e->state = ib_state(group, int_at(it, "status.id", -1));
            long err = int_at(it, "error.id", 0);
            if (!r && err)
                r = sms_json_str(x->a, it, "error.id", SMS_FIELD_MAX, &e->error_code);
        } else {
            e->kind = SMS_EVENT_MESSAGE;
            r = sms_json_str(x->a, it, "from", SMS_FIELD_MAX, &e->from);
            if (!r)
                r = sms_json_str(x->a, it, "to", SMS_FIELD_MAX, &e->to);
            if (!r)
                r = sms_json_str(x->a, it, "text", SMS_BODY_MAX, &e->body);
            if (!r && !e->body)
                r = sms_json_str(x->a, it, "cleanText", SMS_BODY_MAX, &e->body);
            if (!r && !e->from)
                r = SB_EINVAL;
            if (!e->body)
                e->body = "";
        }
    }
    if (!r)
        out->n = json_array_size(res);
    json_decref(j);
    return r;
}

static int ib_build_send(struct sms_ctx *x, const struct sms_outbound *m, const char *session,
                         struct sms_http_out *out)
{
    const struct sms_account_creds *c = x->c;
    bool key = !sms_empty(c->api_key);
    if (!key && (sms_empty(c->username) || sms_empty(c->password))) {
        x->why = sms_empty(c->username) ? "username" : "password";
        return SB_EINVALID;
    }
    const char *from = sms_from(x, m, true);
    if (!from) {
        x->why = "phone";
        return SB_EINVALID;
    }
    bool v2 = !strcmp(sms_opt(x, "api", "v3"), "v2");
    json_t *msg;
    if (v2) {
        msg = json_pack("{s:s, s:[{s:s}], s:s}", "from", sms_no_plus(from), "destinations", "to",
                        sms_no_plus(m->to), "text", m->body);
        if (msg && !sms_empty(m->status_url)) {
            json_object_set_new(msg, "notifyUrl", json_string(m->status_url));
            json_object_set_new(msg, "notifyContentType", json_string("application/json"));
        }
        if (msg && !sms_empty(m->reference))
            json_object_set_new(msg, "callbackData", json_string(m->reference));
    } else {
        msg = json_pack("{s:s, s:[{s:s}], s:{s:s}}", "sender", sms_no_plus(from), "destinations",
                        "to", sms_no_plus(m->to), "content", "text", m->body);
        if (msg && !sms_empty(m->status_url)) {
            json_t *wh = json_pack("{s:{s:s}}", "delivery", "url", m->status_url);
            if (wh && !sms_empty(m->reference))
                json_object_set_new(wh, "callbackData", json_string(m->reference));
            json_object_set_new(msg, "webhooks", wh);
        }
    }
    json_t *j = msg ? json_pack("{s:[o]}", "messages", msg) : NULL;
    if (!j)
        return SB_ENOMEM;
    size_t len = 0;
    const char *body = sms_json_dump(x->a, j, &len);
    const char *url, *host;
    int r = sms_user_endpoint(x, v2 ? "/sms/2/text/advanced" : "/sms/3/messages", &url, &host);
    if (r)
        return r;
    r = sms_out_init(x->a, out, "POST", url, "application/json", body, len);
    if (!r)
        r = sms_out_header(x->a, out, "Authorization",
                           key ? arena_sprintf(x->a, "App %s", c->api_key)
                               : sms_basic_header(x->a, c->username, c->password));
    out->host = host;
    out->pin = !(x->env && !sms_empty(x->env->test_base_url));
    return r;
}

static int ib_parse_send(struct sms_ctx *x, long status, const char *body, size_t len,
                         struct sms_send_result *out)
{
    json_t *j = NULL;
    const char *id = NULL, *name = NULL, *err = NULL;
    long group = -1;
    if (!sms_json_body(body, len, &j)) {
        sms_json_str(x->a, j, "messages.0.messageId", SMS_FIELD_MAX, &id);
        sms_json_str(x->a, j, "messages.0.status.name", SMS_FIELD_MAX, &name);
        group = int_at(j, "messages.0.status.groupId", -1);
        sms_json_str(x->a, j, "requestError.serviceException.messageId", SMS_FIELD_MAX, &err);
        json_decref(j);
    }
    int r = sms_send_default(x, status, id, err, out);
    out->provider_status = name;
    if (out->outcome == SMS_SEND_ACCEPTED && group >= 0) {
        enum sms_state s = ib_state(group, -1);
        if (s == SMS_STATE_FAILED || s == SMS_STATE_UNDELIVERED) {
            out->outcome = SMS_SEND_FAILED;
            out->error_code = name ? name : "REJECTED";
        }
    }
    return r;
}

const struct sms_provider sms_infobip = {
    .name = "infobip",
    .auth_scheme = "basic-or-token",
    .verify = ib_verify,
    .parse = ib_parse,
    .build_send = ib_build_send,
    .parse_send = ib_parse_send,
};
