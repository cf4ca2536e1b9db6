/* bandwidth.c — Bandwidth Messaging API v2 (reference §1.4, provider-specs/
 * bandwidth_messaging.yml).
 *
 * Webhooks: a JSON array of events posted to the Application's callback URL (inbound messages
 * and delivery reports alike); no signature, so the URL token and, when the account has them,
 * the Basic credentials configured on the Bandwidth Application. Sends: POST JSON to
 * /api/v2/users/{accountId}/messages with Basic username:password; 202 with the message id.
 * Delivery reports go to the Application's URL: there is no per-message callback field. */
#include <string.h>

#include "channels/sms/sms_impl.h"
#include "core/err.h"

static int bw_verify(struct sms_ctx *x, const struct sms_http_request *rq, int64_t now_s)
{
    return sms_verify_token_basic(x, rq, true);
}

static int media_urls(struct sms_ctx *x, json_t *arr, struct sms_event *e)
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
        if (!json_is_string(it))
            return SB_EINVAL;
        int r =
            sms_take(x->a, json_string_value(it), json_string_length(it), SMS_URL_MAX, &m[i].url);
        if (r)
            return r;
    }
    e->media = m;
    e->n_media = n;
    return 0;
}

static int bw_parse(struct sms_ctx *x, const struct sms_http_request *rq, enum sms_hook hook,
                    struct sms_events *out)
{
    json_t *j;
    int r = sms_json_body(rq->body, rq->body_len, &j);
    if (r)
        return r;
    struct sms_event *ev = NULL;
    if (!json_is_array(j))
        r = SB_EINVAL;
    if (!r)
        r = sms_events_alloc(x->a, json_array_size(j), out, &ev);
    size_t n = 0;
    for (size_t i = 0; !r && i < json_array_size(j); i++) {
        json_t *it = json_array_get(j, i);
        struct sms_event *e = &ev[n];
        const char *type = NULL;
        memset(e, 0, sizeof(*e));
        if (!json_is_object(it)) {
            r = SB_EINVAL;
            break;
        }
        r = sms_json_str(x->a, it, "type", SMS_FIELD_MAX, &type);
        if (!r)
            r = sms_json_str(x->a, it, "message.id", SMS_FIELD_MAX, &e->provider_id);
        if (r)
            break;
        if (!type || !e->provider_id || !*e->provider_id) {
            r = SB_EINVAL;
            break;
        }
        if (!strcmp(type, "message-received")) {
            e->kind = SMS_EVENT_MESSAGE;
            r = sms_json_str(x->a, it, "message.from", SMS_FIELD_MAX, &e->from);
            if (!r)
                r = sms_json_str(x->a, it, "to", SMS_FIELD_MAX, &e->to);
            if (!r && !e->to)
                r = sms_json_str(x->a, it, "message.to.0", SMS_FIELD_MAX, &e->to);
            if (!r)
                r = sms_json_str(x->a, it, "message.text", SMS_BODY_MAX, &e->body);
            if (!r)
                r = media_urls(x, sms_json_at(it, "message.media"), e);
            if (!r && !e->from)
                r = SB_EINVAL;
            if (!e->body)
                e->body = "";
        } else if (!strcmp(type, "message-delivered") || !strcmp(type, "message-failed") ||
                   !strcmp(type, "message-sending")) {
            e->kind = SMS_EVENT_STATUS;
            e->provider_status = type;
            e->state = type[8] == 'd'   ? SMS_STATE_DELIVERED
                       : type[8] == 'f' ? SMS_STATE_FAILED
                                        : SMS_STATE_SENT;
            r = sms_json_str(x->a, it, "errorCode", SMS_FIELD_MAX, &e->error_code);
        } else {
            continue; /* an event we do not track */
        }
        if (!r)
            n++;
    }
    if (!r)
        out->n = n;
    json_decref(j);
    return r;
}

static int bw_build_send(struct sms_ctx *x, const struct sms_outbound *m, const char *session,
                         struct sms_http_out *out)
{
    const struct sms_account_creds *c = x->c;
    const char *missing = sms_empty(c->account_id)       ? "account_id"
                          : sms_empty(c->application_id) ? "application_id"
                          : sms_empty(c->username)       ? "username"
                          : sms_empty(c->password)       ? "password"
                                                         : NULL;
    if (missing) {
        x->why = missing;
        return SB_EINVALID;
    }
    const char *from = sms_from(x, m, false);
    if (!from) {
        x->why = "phone";
        return SB_EINVALID;
    }
    json_t *j = json_pack("{s:s, s:[s], s:s, s:s}", "applicationId", c->application_id, "to", m->to,
                          "from", from, "text", m->body);
    if (!j)
        return SB_ENOMEM;
    if (!sms_empty(m->reference))
        json_object_set_new(j, "tag", json_string(m->reference));
    if (m->n_media) {
        json_t *arr = json_array();
        for (size_t i = 0; i < m->n_media; i++)
            json_array_append_new(arr, json_string(m->media_urls[i]));
        json_object_set_new(j, "media", arr);
    }
    size_t len = 0;
    const char *body = sms_json_dump(x->a, j, &len);
    const char *path =
        arena_sprintf(x->a, "/api/v2/users/%s/messages", sms_pct(x->a, c->account_id));
    int r = sms_out_init(x->a, out, "POST",
                         path ? sms_endpoint(x, "https://messaging.bandwidth.com", path) : NULL,
                         "application/json; charset=utf-8", body, len);
    if (!r)
        r = sms_out_header(x->a, out, "Authorization",
                           sms_basic_header(x->a, c->username, c->password));
    return r;
}

static int bw_parse_send(struct sms_ctx *x, long status, const char *body, size_t len,
                         struct sms_send_result *out)
{
    json_t *j = NULL;
    const char *id = NULL, *type = NULL;
    if (!sms_json_body(body, len, &j)) {
        sms_json_str(x->a, j, "id", SMS_FIELD_MAX, &id);
        sms_json_str(x->a, j, "type", SMS_FIELD_MAX, &type);
        json_decref(j);
    }
    int r = sms_send_default(x, status, id, NULL, out);
    if (out->outcome != SMS_SEND_ACCEPTED)
        out->provider_status = type;
    return r;
}

const struct sms_provider sms_bandwidth = {
    .name = "bandwidth",
    .auth_scheme = "basic-or-token",
    .media = true,
    .verify = bw_verify,
    .parse = bw_parse,
    .build_send = bw_build_send,
    .parse_send = bw_parse_send,
};
