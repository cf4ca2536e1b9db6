/* clicksend.c — ClickSend SMS v3 (reference §1.6).
 *
 * Webhooks: inbound rules post as a form (webhook_type post), a query (get) or JSON (json);
 * field names are [K] (not verified), so they are options with these defaults. No signature:
 * ClickSend itself recommends a secret token in the URL. Sends: POST JSON to /v3/sms/send with
 * Basic username:(API key or password); a 200 answer holds one status per message, and only
 * "SUCCESS" means accepted. */
#include <string.h>

#include "channels/sms/sms_impl.h"
#include "core/err.h"

static const struct sms_generic_defaults cs_defaults = {
    .in_id = "message_id",
    .in_from = "from",
    .in_to = "to",
    .in_text = "body",
    .dlr_id = "message_id",
    .dlr_status = "status",
    .dlr_error = "error_code",
};

static int cs_verify(struct sms_ctx *x, const struct sms_http_request *rq, int64_t now_s)
{
    return sms_verify_token_basic(x, rq, false);
}

static int cs_parse(struct sms_ctx *x, const struct sms_http_request *rq, enum sms_hook hook,
                    struct sms_events *out)
{
    return sms_generic_parse(x, &cs_defaults, rq, hook, out);
}

static int cs_build_send(struct sms_ctx *x, const struct sms_outbound *m, const char *session,
                         struct sms_http_out *out)
{
    const struct sms_account_creds *c = x->c;
    const char *secret = !sms_empty(c->api_key) ? c->api_key : c->password;
    if (sms_empty(c->username) || sms_empty(secret)) {
        x->why = sms_empty(c->username) ? "username" : "password";
        return SB_EINVALID;
    }
    json_t *msg =
        json_pack("{s:s, s:s, s:s}", "source", "switchboard", "to", m->to, "body", m->body);
    const char *from = sms_from(x, m, true);
    if (msg && from)
        json_object_set_new(msg, "from", json_string(from));
    if (msg && !sms_empty(m->reference))
        json_object_set_new(msg, "custom_string", json_string(m->reference));
    json_t *j = msg ? json_pack("{s:[o]}", "messages", msg) : NULL;
    if (!j)
        return SB_ENOMEM;
    size_t len = 0;
    const char *body = sms_json_dump(x->a, j, &len);
    int r = sms_out_init(x->a, out, "POST",
                         sms_endpoint(x, "https://rest.clicksend.com", "/v3/sms/send"),
                         "application/json", body, len);
    if (!r)
        r = sms_out_header(x->a, out, "Authorization", sms_basic_header(x->a, c->username, secret));
    return r;
}

static int cs_parse_send(struct sms_ctx *x, long status, const char *body, size_t len,
                         struct sms_send_result *out)
{
    json_t *j = NULL;
    const char *id = NULL, *st = NULL, *code = NULL;
    if (!sms_json_body(body, len, &j)) {
        sms_json_str(x->a, j, "data.messages.0.message_id", SMS_FIELD_MAX, &id);
        sms_json_str(x->a, j, "data.messages.0.status", SMS_FIELD_MAX, &st);
        sms_json_str(x->a, j, "response_code", SMS_FIELD_MAX, &code);
        json_decref(j);
    }
    int r = sms_send_default(x, status, id, code, out);
    out->provider_status = st;
    if (out->outcome == SMS_SEND_ACCEPTED && st && strcmp(st, "SUCCESS")) {
        out->outcome = SMS_SEND_FAILED; /* e.g. INVALID_RECIPIENT, INSUFFICIENT_CREDIT */
        out->error_code = st;
        out->provider_id = NULL;
    }
    return r;
}

const struct sms_provider sms_clicksend = {
    .name = "clicksend",
    .auth_scheme = "token",
    .verify = cs_verify,
    .parse = cs_parse,
    .build_send = cs_build_send,
    .parse_send = cs_parse_send,
};
