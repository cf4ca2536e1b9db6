/* telnyx.c — Telnyx Messaging API v2 (reference §1.3).
 *
 * Webhooks: JSON events signed with Ed25519 (telnyx-signature-ed25519 over
 * "telnyx-timestamp|raw body", the account's public key), refused when the timestamp is more
 * than SMS_TELNYX_WINDOW seconds away from now either way. message.received is an inbound
 * message; message.sent and message.finalized carry the delivery state in payload.to[0].status.
 * Sends: POST JSON to /v2/messages with Bearer <API key>; 200 with data.id. */
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "channels/sms/sms_impl.h"
#include "core/buf.h"
#include "core/err.h"

static int telnyx_verify(struct sms_ctx *x, const struct sms_http_request *rq, int64_t now_s)
{
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
    if (sms_unb64_exact(x->c->public_key, pk, sizeof(pk))) {
        x->why = "account has no valid Telnyx public key";
        return SB_EAUTH;
    }
    const char *sh = sms_header(rq, "telnyx-signature-ed25519");
    const char *th = sms_header(rq, "telnyx-timestamp");
    if (!sh || !th) {
        x->why = "no telnyx-signature-ed25519 or telnyx-timestamp";
        return SB_EAUTH;
    }
    if (sms_unb64_exact(sh, sig, sizeof(sig))) {
        x->why = "malformed signature";
        return SB_EAUTH;
    }
    /* The timestamp is digits only (what Telnyx sends), at most 12 of them. */
    size_t tl = strlen(th);
    if (!tl || tl > 12 || strspn(th, "0123456789") != tl) {
        x->why = "malformed timestamp";
        return SB_EAUTH;
    }
    int64_t ts = strtoll(th, NULL, 10);
    if (ts > now_s + SMS_TELNYX_WINDOW || ts < now_s - SMS_TELNYX_WINDOW) {
        x->why = "timestamp outside the 300 s window";
        return SB_EAUTH;
    }
    size_t n = tl + 1 + rq->body_len;
    unsigned char *msg = arena_alloc(x->a, n ? n : 1);
    if (!msg)
        return SB_ENOMEM;
    memcpy(msg, th, tl);
    msg[tl] = '|';
    if (rq->body_len)
        memcpy(msg + tl + 1, rq->body, rq->body_len);
    if (crypto_sign_verify_detached(sig, msg, n, pk)) {
        x->why = "wrong Ed25519 signature";
        return SB_EAUTH;
    }
    return 0;
}

static const struct sms_state_word telnyx_states[] = {
    {"queued", SMS_STATE_QUEUED},
    {"sending", SMS_STATE_QUEUED},
    {"sent", SMS_STATE_SENT},
    {"delivery_unconfirmed", SMS_STATE_SENT},
    {"delivered", SMS_STATE_DELIVERED},
    {"delivery_failed", SMS_STATE_UNDELIVERED},
    {"sending_failed", SMS_STATE_FAILED},
    {NULL, SMS_STATE_NONE},
};

static int parse_media(struct sms_ctx *x, json_t *arr, struct sms_event *e)
{
    if (!arr || json_is_null(arr))
        return 0;
    if (!json_is_array(arr))
        return SB_EINVAL;
    size_t n = json_array_size(arr);
    if (n > SMS_MEDIA_MAX)
        return SB_ETOOBIG;
    struct sms_media *m = n ? arena_calloc(x->a, n * sizeof(*m)) : NULL;
    if (n && !m)
        return SB_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        json_t *it = json_array_get(arr, i);
        int r = sms_json_str(x->a, it, "url", SMS_URL_MAX, &m[i].url);
        if (!r)
            r = sms_json_str(x->a, it, "content_type", SMS_FIELD_MAX, &m[i].content_type);
        if (r)
            return r;
        if (!m[i].url)
            return SB_EINVAL;
    }
    e->media = m;
    e->n_media = n;
    return 0;
}

static int telnyx_parse(struct sms_ctx *x, const struct sms_http_request *rq, enum sms_hook hook,
                        struct sms_events *out)
{
    json_t *j;
    int r = sms_json_body(rq->body, rq->body_len, &j);
    if (r)
        return r;
    const char *type = NULL;
    struct sms_event *e;
    json_t *pl = sms_json_at(j, "data.payload");
    r = sms_json_str(x->a, j, "data.event_type", SMS_FIELD_MAX, &type);
    if (!r && (!type || !json_is_object(pl)))
        r = SB_EINVAL;
    if (!r)
        r = sms_events_alloc(x->a, 1, out, &e);
    if (r)
        goto done;
    if (!strcmp(type, "message.received")) {
        e->kind = SMS_EVENT_MESSAGE;
        r = sms_json_str(x->a, pl, "id", SMS_FIELD_MAX, &e->provider_id);
        if (!r)
            r = sms_json_str(x->a, pl, "from.phone_number", SMS_FIELD_MAX, &e->from);
        if (!r)
            r = sms_json_str(x->a, pl, "to.0.phone_number", SMS_FIELD_MAX, &e->to);
        if (!r)
            r = sms_json_str(x->a, pl, "text", SMS_BODY_MAX, &e->body);
        if (!r)
            r = parse_media(x, json_object_get(pl, "media"), e);
        if (!r && (!e->provider_id || !e->from))
            r = SB_EINVAL;
        if (!e->body)
            e->body = "";
    } else if (!strcmp(type, "message.sent") || !strcmp(type, "message.finalized")) {
        e->kind = SMS_EVENT_STATUS;
        r = sms_json_str(x->a, pl, "id", SMS_FIELD_MAX, &e->provider_id);
        if (!r)
            r = sms_json_str(x->a, pl, "to.0.status", SMS_FIELD_MAX, &e->provider_status);
        if (!r) {
            const char *code = NULL;
            r = sms_json_str(x->a, pl, "errors.0.code", SMS_FIELD_MAX, &code);
            e->error_code = code;
        }
        if (!r && (!e->provider_id || !e->provider_status))
            r = SB_EINVAL;
        if (!r)
            e->state = sms_state_lookup(telnyx_states, e->provider_status);
    } else {
        goto done; /* another event type: nothing for us, n = 0 */
    }
    if (!r && e->provider_id && !*e->provider_id)
        r = SB_EINVAL;
    if (!r)
        out->n = 1;
done:
    json_decref(j);
    return r;
}

static int telnyx_build_send(struct sms_ctx *x, const struct sms_outbound *m, const char *session,
                             struct sms_http_out *out)
{
    if (sms_empty(x->c->api_key)) {
        x->why = "api_key";
        return SB_EINVALID;
    }
    const char *from = sms_from(x, m, false);
    if (!from) {
        x->why = "phone";
        return SB_EINVALID;
    }
    json_t *j = json_pack("{s:s, s:s, s:s}", "from", from, "to", m->to, "text", m->body);
    if (!j)
        return SB_ENOMEM;
    const char *profile = sms_opt(x, "messaging_profile_id", NULL);
    if (profile)
        json_object_set_new(j, "messaging_profile_id", json_string(profile));
    if (!sms_empty(m->status_url))
        json_object_set_new(j, "webhook_url", json_string(m->status_url));
    if (m->n_media) {
        json_t *arr = json_array();
        for (size_t i = 0; i < m->n_media; i++)
            json_array_append_new(arr, json_string(m->media_urls[i]));
        json_object_set_new(j, "media_urls", arr);
    }
    size_t len = 0;
    const char *body = sms_json_dump(x->a, j, &len);
    int r =
        sms_out_init(x->a, out, "POST", sms_endpoint(x, "https://api.telnyx.com", "/v2/messages"),
                     "application/json", body, len);
    if (!r)
        r = sms_out_header(x->a, out, "Authorization",
                           arena_sprintf(x->a, "Bearer %s", x->c->api_key));
    return r;
}

static int telnyx_parse_send(struct sms_ctx *x, long status, const char *body, size_t len,
                             struct sms_send_result *out)
{
    json_t *j = NULL;
    const char *id = NULL, *code = NULL, *st = NULL;
    if (!sms_json_body(body, len, &j)) {
        sms_json_str(x->a, j, "data.id", SMS_FIELD_MAX, &id);
        sms_json_str(x->a, j, "data.to.0.status", SMS_FIELD_MAX, &st);
        sms_json_str(x->a, j, "errors.0.code", SMS_FIELD_MAX, &code);
        json_decref(j);
    }
    int r = sms_send_default(x, status, id, code, out);
    out->provider_status = st;
    return r;
}

const struct sms_provider sms_telnyx = {
    .name = "telnyx",
    .auth_scheme = "telnyx-ed25519",
    .media = true,
    .verify = telnyx_verify,
    .parse = telnyx_parse,
    .build_send = telnyx_build_send,
    .parse_send = telnyx_parse_send,
};
