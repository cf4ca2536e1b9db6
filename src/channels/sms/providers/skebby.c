/* skebby.c — Skebby REST API v1.0 (reference §1.8).
 *
 * Sends need a session: GET /login with Basic username:password answers "user_key;session_key"
 * (sms_build_login/sms_parse_login); POST /sms then carries the user_key and Session_key
 * headers. The account's method picks the message type: basic → SI, classic → TI,
 * classic_plus → GP; a sender is sent for Classic and Classic+ only. Inbound messages and
 * delivery reports are not documented publicly [NF]: their field names are account options
 * with the defaults below (docs/providers.md); webhooks are authenticated by the URL token. */
#include <string.h>

#include "channels/sms/sms_impl.h"
#include "core/err.h"

#define SKEBBY_API "https://api.skebby.it"

static const struct sms_generic_defaults sk_defaults = {
    .in_id = "id_message",
    .in_from = "sender",
    .in_to = "receiver",
    .in_text = "text",
    .dlr_id = "order_id",
    .dlr_status = "status",
    .dlr_error = "error_code",
};

static int sk_verify(struct sms_ctx *x, const struct sms_http_request *rq, int64_t now_s)
{
    return sms_verify_token_basic(x, rq, false);
}

static int sk_parse(struct sms_ctx *x, const struct sms_http_request *rq, enum sms_hook hook,
                    struct sms_events *out)
{
    return sms_generic_parse(x, &sk_defaults, rq, hook, out);
}

static int sk_build_login(struct sms_ctx *x, struct sms_http_out *out)
{
    const struct sms_account_creds *c = x->c;
    if (sms_empty(c->username) || sms_empty(c->password)) {
        x->why = sms_empty(c->username) ? "username" : "password";
        return SB_EINVALID;
    }
    int r = sms_out_init(x->a, out, "GET", sms_endpoint(x, SKEBBY_API, "/API/v1.0/REST/login"),
                         NULL, NULL, 0);
    if (!r)
        r = sms_out_header(x->a, out, "Authorization",
                           sms_basic_header(x->a, c->username, c->password));
    return r;
}

static int sk_parse_login(struct arena *a, long status, const char *body, size_t len,
                          const char **session)
{
    if (status == 0 || status >= 500 || status == 429 || status == 408)
        return SB_EUNAVAIL;
    if (status < 200 || status >= 300)
        return SB_EAUTH;
    while (len && (body[len - 1] == '\n' || body[len - 1] == '\r' || body[len - 1] == ' '))
        len--;
    const char *semi = memchr(body, ';', len);
    if (!semi || semi == body || semi == body + len - 1 || len > 512)
        return SB_EAUTH;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)body[i];
        if (ch <= ' ' || ch >= 0x7f || (ch == ';' && body + i != semi))
            return SB_EAUTH;
    }
    int r = sms_take(a, body, len, 512, session);
    return r == SB_ENOMEM ? r : r ? SB_EAUTH : 0;
}

static int sk_build_send(struct sms_ctx *x, const struct sms_outbound *m, const char *session,
                         struct sms_http_out *out)
{
    const char *method = sms_empty(x->c->method) ? "classic" : x->c->method;
    const char *type = !strcmp(method, "basic")          ? "SI"
                       : !strcmp(method, "classic")      ? "TI"
                       : !strcmp(method, "classic_plus") ? "GP"
                                                         : NULL;
    if (!type) {
        x->why = "method";
        return SB_EINVALID;
    }
    const char *semi = strchr(session, ';');
    if (!semi) {
        x->why = "malformed session";
        return SB_EAUTH;
    }
    json_t *j = json_pack("{s:s, s:s, s:[s], s:b}", "message_type", type, "message", m->body,
                          "recipient", m->to, "returnCredits", 0);
    if (!j)
        return SB_ENOMEM;
    const char *from = sms_from(x, m, true);
    if (strcmp(type, "SI") && from)
        json_object_set_new(j, "sender", json_string(from));
    /* Our id as order_id (Skebby echoes it in reports) when it fits Skebby's rule. */
    if (!sms_empty(m->reference) && strlen(m->reference) <= 32 &&
        strspn(m->reference, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") ==
            strlen(m->reference))
        json_object_set_new(j, "order_id", json_string(m->reference));
    size_t len = 0;
    const char *body = sms_json_dump(x->a, j, &len);
    int r = sms_out_init(x->a, out, "POST", sms_endpoint(x, SKEBBY_API, "/API/v1.0/REST/sms"),
                         "application/json", body, len);
    if (!r)
        r = sms_out_header(x->a, out, "user_key",
                           arena_strndup(x->a, session, (size_t)(semi - session)));
    if (!r)
        r = sms_out_header(x->a, out, "Session_key", arena_strdup(x->a, semi + 1));
    return r;
}

static int sk_parse_send(struct sms_ctx *x, long status, const char *body, size_t len,
                         struct sms_send_result *out)
{
    json_t *j = NULL;
    const char *id = NULL, *result = NULL;
    if (!sms_json_body(body, len, &j)) {
        sms_json_str(x->a, j, "order_id", SMS_FIELD_MAX, &id);
        sms_json_str(x->a, j, "result", SMS_FIELD_MAX, &result);
        json_decref(j);
    }
    int r = sms_send_default(x, status, id, NULL, out);
    out->provider_status = result;
    if (status == 401) {
        out->outcome = SMS_SEND_REAUTH; /* the session expired */
    } else if (out->outcome == SMS_SEND_ACCEPTED && result && strcmp(result, "OK")) {
        out->outcome = SMS_SEND_FAILED;
        out->error_code = result;
    }
    return r;
}

const struct sms_provider sms_skebby = {
    .name = "skebby",
    .auth_scheme = "token",
    .verify = sk_verify,
    .parse = sk_parse,
    .build_send = sk_build_send,
    .parse_send = sk_parse_send,
    .build_login = sk_build_login,
    .parse_login = sk_parse_login,
};
