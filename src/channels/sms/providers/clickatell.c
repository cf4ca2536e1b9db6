/* clickatell.c — Clickatell One API (reference §1.7).
 *
 * Webhooks: JSON {"event":{"moText":[…]|"moMedia":[…]|"messageStatusUpdate":[…]}}; the GET
 * status variant and the legacy reply callback arrive as parameters. No signature: the URL token
 * and, when configured (legacy platform), Basic credentials. Inline media (moMedia) is base64
 * and capped at SMS_INLINE_MAX per webhook. Sends: POST JSON to /v1/message with the raw API
 * key as Authorization; each message says accepted or not. */
#include <stdlib.h>
#include <string.h>

#include "channels/sms/sms_impl.h"
#include "core/err.h"

static int ck_verify(struct sms_ctx *x, const struct sms_http_request *rq, int64_t now_s)
{
    return sms_verify_token_basic(x, rq, true);
}

/* One API status codes (1…100) and the legacy three-digit ones ("004"). */
static enum sms_state ck_state(const char *code)
{
    if (sms_empty(code) || strspn(code, "0123456789") != strlen(code) || strlen(code) > 4)
        return SMS_STATE_NONE;
    long c = strtol(code, NULL, 10);
    if (code[0] == '0' && strlen(code) == 3) {
        switch (c) {
        case 2:
        case 11:
            return SMS_STATE_QUEUED;
        case 3:
            return SMS_STATE_SENT;
        case 4:
            return SMS_STATE_DELIVERED;
        case 7:
        case 10:
            return SMS_STATE_UNDELIVERED;
        case 5:
        case 6:
        case 9:
        case 12:
        case 14:
            return SMS_STATE_FAILED;
        default:
            return SMS_STATE_NONE;
        }
    }
    switch (c) {
    case 2:
    case 3:
        return SMS_STATE_QUEUED;
    case 4:
        return SMS_STATE_SENT;
    case 5:
    case 6:
        return SMS_STATE_DELIVERED;
    case 20:
    case 21:
    case 23:
    case 29:
        return SMS_STATE_UNDELIVERED;
    case 22:
    case 24:
    case 25:
    case 26:
    case 27:
    case 28:
    case 100:
        return SMS_STATE_FAILED;
    default:
        return SMS_STATE_NONE;
    }
}

static const struct sms_state_word ck_words[] = {
    {"QUEUED", SMS_STATE_QUEUED},
    {"SCHEDULED", SMS_STATE_QUEUED},
    {"SENT_TO_SUPPLIER", SMS_STATE_SENT},
    {"DEVICE_ACK", SMS_STATE_DELIVERED},
    {"READ", SMS_STATE_DELIVERED},
    {"EXPIRED", SMS_STATE_UNDELIVERED},
    {"STOPPED_BY_USER", SMS_STATE_UNDELIVERED},
    {"DELIVERY_FAILURE", SMS_STATE_UNDELIVERED},
    {"RECIPIENT_DOES_NOT_EXIST", SMS_STATE_UNDELIVERED},
    {"STOPPED_BY_ADMIN", SMS_STATE_FAILED},
    {"INSUFFICIENT_ACCOUNT_BALANCE", SMS_STATE_FAILED},
    {"ROUTING_ERROR", SMS_STATE_FAILED},
    {NULL, SMS_STATE_NONE},
};

static enum sms_state status_of(const char *code, const char *word)
{
    enum sms_state s = ck_state(code);
    return s ? s : sms_state_lookup(ck_words, word);
}

static int parse_json(struct sms_ctx *x, json_t *j, struct sms_events *out)
{
    json_t *ev = json_object_get(j, "event");
    json_t *mo = json_object_get(ev, "moText"), *mm = json_object_get(ev, "moMedia");
    json_t *st = json_object_get(ev, "messageStatusUpdate");
    if (!json_is_object(ev) || (mo && !json_is_array(mo)) || (mm && !json_is_array(mm)) ||
        (st && !json_is_array(st)))
        return SB_EINVAL;
    size_t n = json_array_size(mo) + json_array_size(mm) + json_array_size(st), k = 0;
    if (!n)
        return 0; /* an event kind we do not track */
    struct sms_event *items;
    int r = sms_events_alloc(x->a, n, out, &items);
    size_t inline_bytes = 0;
    for (size_t i = 0; !r && i < json_array_size(mo); i++) {
        json_t *it = json_array_get(mo, i);
        struct sms_event *e = &items[k++];
        e->kind = SMS_EVENT_MESSAGE;
        r = sms_json_str(x->a, it, "messageId", SMS_FIELD_MAX, &e->provider_id);
        if (!r)
            r = sms_json_str(x->a, it, "from", SMS_FIELD_MAX, &e->from);
        if (!r)
            r = sms_json_str(x->a, it, "to", SMS_FIELD_MAX, &e->to);
        if (!r)
            r = sms_json_str(x->a, it, "content", SMS_BODY_MAX, &e->body);
        if (!e->body)
            e->body = "";
    }
    for (size_t i = 0; !r && i < json_array_size(mm); i++) {
        json_t *it = json_array_get(mm, i);
        struct sms_event *e = &items[k++];
        e->kind = SMS_EVENT_MESSAGE;
        struct sms_media *m = arena_calloc(x->a, sizeof(*m));
        if (!m) {
            r = SB_ENOMEM;
            break;
        }
        r = sms_json_str(x->a, it, "messageId", SMS_FIELD_MAX, &e->provider_id);
        if (!r)
            r = sms_json_str(x->a, it, "from", SMS_FIELD_MAX, &e->from);
        if (!r)
            r = sms_json_str(x->a, it, "to", SMS_FIELD_MAX, &e->to);
        if (!r)
            r = sms_json_str(x->a, it, "caption", SMS_BODY_MAX, &e->body);
        if (!r)
            r = sms_json_str(x->a, it, "contentType", SMS_FIELD_MAX, &m->content_type);
        if (!r)
            r = sms_json_str(x->a, it, "content", SMS_INLINE_MAX, &m->data_b64);
        if (!r && !m->data_b64)
            r = SB_EINVAL;
        if (!r && (inline_bytes += strlen(m->data_b64)) > SMS_INLINE_MAX)
            r = SB_ETOOBIG;
        if (!e->body)
            e->body = "";
        e->media = m;
        e->n_media = 1;
    }
    for (size_t i = 0; !r && i < n; i++)
        if (items[i].kind == SMS_EVENT_MESSAGE && !items[i].from)
            r = SB_EINVAL;
    for (size_t i = 0; !r && i < json_array_size(st); i++) {
        json_t *it = json_array_get(st, i);
        struct sms_event *e = &items[k++];
        const char *code = NULL;
        e->kind = SMS_EVENT_STATUS;
        r = sms_json_str(x->a, it, "messageId", SMS_FIELD_MAX, &e->provider_id);
        if (!r)
            r = sms_json_str(x->a, it, "statusCode", SMS_FIELD_MAX, &code);
        if (!r)
            r = sms_json_str(x->a, it, "status", SMS_FIELD_MAX, &e->provider_status);
        if (!r && !code && !e->provider_status)
            r = SB_EINVAL;
        e->state = status_of(code, e->provider_status);
        if (!e->provider_status)
            e->provider_status = code;
        if (e->state == SMS_STATE_FAILED || e->state == SMS_STATE_UNDELIVERED)
            e->error_code = code;
    }
    for (size_t i = 0; !r && i < n; i++)
        if (!items[i].provider_id || !*items[i].provider_id)
            r = SB_EINVAL;
    if (!r)
        out->n = n;
    return r;
}

static const char *p_get(const struct sms_params *p, const char *name)
{
    const char *v = sms_param(p, name);
    return sms_empty(v) ? NULL : v;
}

static int parse_params(struct sms_ctx *x, const struct sms_http_request *rq, enum sms_hook hook,
                        struct sms_events *out)
{
    struct sms_params p;
    struct sms_event *e;
    int r = sms_request_params(x->a, rq, true, &p);
    if (!r)
        r = sms_events_alloc(x->a, 1, out, &e);
    if (r)
        return r;
    e->provider_id = p_get(&p, "messageId");
    const char *code = p_get(&p, "statusCode"), *text = sms_param(&p, "text");
    if (hook == SMS_HOOK_STATUS || (code && !text)) {
        e->kind = SMS_EVENT_STATUS;
        e->provider_status = p_get(&p, "status");
        e->state = status_of(code, e->provider_status);
        if (!e->provider_status)
            e->provider_status = code;
        if (e->state == SMS_STATE_FAILED || e->state == SMS_STATE_UNDELIVERED)
            e->error_code = code;
        if (!e->provider_status)
            return SB_EINVAL;
    } else {
        e->kind = SMS_EVENT_MESSAGE;
        e->from = p_get(&p, "fromNumber");
        e->to = p_get(&p, "toNumber");
        e->body = text ? text : "";
        if (!e->from)
            return SB_EINVAL;
    }
    if (!e->provider_id)
        return SB_EINVAL;
    const char *f[] = {e->provider_id, e->from, e->to, e->provider_status};
    for (size_t i = 0; i < 4; i++)
        if (f[i] && strlen(f[i]) > SMS_FIELD_MAX)
            return SB_ETOOBIG;
    out->n = 1;
    return 0;
}

static int ck_parse(struct sms_ctx *x, const struct sms_http_request *rq, enum sms_hook hook,
                    struct sms_events *out)
{
    if (!strcmp(rq->method, "POST") && sms_content_type_is(rq, "application/json")) {
        json_t *j;
        int r = sms_json_body(rq->body, rq->body_len, &j);
        if (r)
            return r;
        r = parse_json(x, j, out);
        json_decref(j);
        return r;
    }
    return parse_params(x, rq, hook, out);
}

static int ck_build_send(struct sms_ctx *x, const struct sms_outbound *m, const char *session,
                         struct sms_http_out *out)
{
    if (sms_empty(x->c->api_key)) {
        x->why = "api_key";
        return SB_EINVALID;
    }
    json_t *msg = json_pack("{s:s, s:s, s:s}", "channel", "sms", "to", sms_no_plus(m->to),
                            "content", m->body);
    const char *from = sms_from(x, m, false);
    if (msg && from)
        json_object_set_new(msg, "from", json_string(sms_no_plus(from)));
    if (msg && !sms_empty(m->reference))
        json_object_set_new(msg, "clientMessageId", json_string(m->reference));
    json_t *j = msg ? json_pack("{s:[o]}", "messages", msg) : NULL;
    if (!j)
        return SB_ENOMEM;
    size_t len = 0;
    const char *body = sms_json_dump(x->a, j, &len);
    int r = sms_out_init(x->a, out, "POST",
                         sms_endpoint(x, "https://platform.clickatell.com", "/v1/message"),
                         "application/json", body, len);
    if (!r)
        r = sms_out_header(x->a, out, "Authorization", arena_strdup(x->a, x->c->api_key));
    return r;
}

static int ck_parse_send(struct sms_ctx *x, long status, const char *body, size_t len,
                         struct sms_send_result *out)
{
    json_t *j = NULL;
    const char *id = NULL, *code = NULL;
    json_t *accepted = NULL;
    if (!sms_json_body(body, len, &j)) {
        sms_json_str(x->a, j, "messages.0.apiMessageId", SMS_FIELD_MAX, &id);
        accepted = sms_json_at(j, "messages.0.accepted");
        sms_json_str(x->a, j, "messages.0.error.code", SMS_FIELD_MAX, &code);
        if (!code)
            sms_json_str(x->a, j, "error.code", SMS_FIELD_MAX, &code);
    }
    int r = sms_send_default(x, status, id, code, out);
    if (out->outcome == SMS_SEND_ACCEPTED && json_is_false(accepted)) {
        out->outcome = SMS_SEND_FAILED;
        out->error_code = code ? code : "not accepted";
        out->provider_id = NULL;
    }
    json_decref(j);
    return r;
}

const struct sms_provider sms_clickatell = {
    .name = "clickatell",
    .auth_scheme = "basic-or-token",
    .verify = ck_verify,
    .parse = ck_parse,
    .build_send = ck_build_send,
    .parse_send = ck_parse_send,
};
