/* twilio.c — Twilio Programmable Messaging (reference §1.1).
 *
 * Webhooks: form posts signed with X-Twilio-Signature = base64(HMAC-SHA1(auth token, URL +
 * every POST parameter sorted by name as name+value)); JSON bodies are signed over the URL only
 * and carry bodySHA256 in the query. Sends: POST form to Messages.json with Basic
 * AccountSid:AuthToken; 201 with the Message resource (id `sid`). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/sms/sms_impl.h"
#include "core/buf.h"
#include "core/err.h"

static int kv_cmp(const void *pa, const void *pb)
{
    const struct sms_kv *a = pa, *b = pb;
    int c = strcmp(a->name, b->name);
    return c ? c : strcmp(a->value, b->value);
}

/* URL + sorted, de-duplicated name+value pairs: what Twilio signs. */
static const char *signed_data(struct arena *a, const char *url, struct sms_params *p)
{
    if (p->n > 1)
        qsort(p->kv, p->n, sizeof(*p->kv), kv_cmp);
    struct buf b;
    buf_init(&b, SMS_HOOK_BODY_MAX + SMS_URL_MAX);
    int r = buf_adds(&b, url);
    for (size_t i = 0; !r && i < p->n; i++) {
        if (i && !kv_cmp(&p->kv[i - 1], &p->kv[i]))
            continue;
        r = buf_adds(&b, p->kv[i].name);
        if (!r)
            r = buf_adds(&b, p->kv[i].value);
    }
    if (r) {
        buf_free(&b);
        return NULL;
    }
    return sms_buf_to_arena(a, &b, NULL);
}

/* The URL with the scheme's standard port added when it has none, removed when it has it;
 * NULL when neither applies (another port: Twilio signs it as it is). */
static const char *port_variant(struct arena *a, const char *url)
{
    struct sms_url u;
    if (sms_url_split(a, url, &u))
        return NULL;
    const char *std = !strcmp(u.scheme, "https") ? "443" : !strcmp(u.scheme, "http") ? "80" : NULL;
    if (!std)
        return NULL;
    const char *rest = strstr(url, "://") + 3 + strlen(u.authority);
    if (!u.port)
        return arena_sprintf(a, "%s://%s:%s%s", u.scheme, u.host, std, rest);
    if (!strcmp(u.port, std))
        return arena_sprintf(a, "%s://%s%s", u.scheme, u.host, rest);
    return NULL;
}

/* Whether sig matches the HMAC of data built from url or its port variant. Both candidates
 * are always computed and compared. */
static bool sig_matches(struct sms_ctx *x, const char *sig, const char *url, struct sms_params *p)
{
    const char *variant = port_variant(x->a, url);
    const char *d1 = signed_data(x->a, url, p);
    const char *d2 = variant ? signed_data(x->a, variant, p) : NULL;
    const char *s1 = d1 ? sms_hmac_b64(x->a, "sha1", x->c->auth_token, d1, strlen(d1)) : NULL;
    const char *s2 = d2 ? sms_hmac_b64(x->a, "sha1", x->c->auth_token, d2, strlen(d2)) : NULL;
    bool ok = sms_secret_eq(sig, s1);
    ok |= sms_secret_eq(sig, s2);
    return ok;
}

static int twilio_verify(struct sms_ctx *x, const struct sms_http_request *rq, int64_t now_s)
{
    if (sms_empty(x->c->auth_token)) {
        x->why = "account has no auth token";
        return SB_EAUTH;
    }
    const char *sig = sms_header(rq, "X-Twilio-Signature");
    if (sms_empty(sig)) {
        x->why = "no X-Twilio-Signature";
        return SB_EAUTH;
    }
    struct sms_params params = {0};
    if (sms_content_type_is(rq, "application/json")) {
        /* JSON: the URL alone is signed, and bodySHA256 in it binds the body. */
        struct sms_http_request q = *rq;
        q.body_len = 0;
        struct sms_params qp;
        int r = sms_request_params(x->a, &q, false, &qp);
        if (r) {
            x->why = "malformed query";
            return r == SB_ENOMEM ? r : SB_EAUTH;
        }
        const char *want = sms_param(&qp, "bodySHA256");
        unsigned char h[crypto_hash_sha256_BYTES];
        char hex[2 * sizeof(h) + 1];
        crypto_hash_sha256(h, (const unsigned char *)(rq->body ? rq->body : ""), rq->body_len);
        sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
        bool body_ok = want && sms_secret_eq(want, hex);
        bool sig_ok = sig_matches(x, sig, rq->url, &params);
        if (!body_ok || !sig_ok) {
            x->why = !sig_ok ? "wrong X-Twilio-Signature" : "body does not match bodySHA256";
            return SB_EAUTH;
        }
        return 0;
    }
    if (!strcmp(rq->method, "POST") && rq->body_len) {
        int r = sms_form_parse(x->a, rq->body, rq->body_len, &params);
        if (r) {
            x->why = "malformed form body";
            return r == SB_ENOMEM ? r : SB_EAUTH;
        }
    }
    if (!sig_matches(x, sig, rq->url, &params)) {
        x->why = "wrong X-Twilio-Signature";
        return SB_EAUTH;
    }
    return 0;
}

static const struct sms_state_word twilio_states[] = {
    {"accepted", SMS_STATE_QUEUED},
    {"scheduled", SMS_STATE_QUEUED},
    {"queued", SMS_STATE_QUEUED},
    {"sending", SMS_STATE_QUEUED},
    {"sent", SMS_STATE_SENT},
    {"partially_delivered", SMS_STATE_SENT},
    {"delivered", SMS_STATE_DELIVERED},
    {"read", SMS_STATE_DELIVERED},
    {"undelivered", SMS_STATE_UNDELIVERED},
    {"failed", SMS_STATE_FAILED},
    {"canceled", SMS_STATE_FAILED},
    {NULL, SMS_STATE_NONE},
};

static const char *first_param(const struct sms_params *p, const char *a, const char *b,
                               const char *c)
{
    const char *v = sms_param(p, a);
    if (sms_empty(v) && b)
        v = sms_param(p, b);
    if (sms_empty(v) && c)
        v = sms_param(p, c);
    return sms_empty(v) ? NULL : v;
}

static int capped(const char *v, size_t max)
{
    return v && strlen(v) > max ? SB_ETOOBIG : 0;
}

static int twilio_parse(struct sms_ctx *x, const struct sms_http_request *rq, enum sms_hook hook,
                        struct sms_events *out)
{
    struct sms_params p;
    int r = sms_request_params(x->a, rq, !strcmp(rq->method, "POST"), &p);
    if (r)
        return r;
    struct sms_event *e;
    r = sms_events_alloc(x->a, 1, out, &e);
    if (r)
        return r;
    e->provider_id = first_param(&p, "MessageSid", "SmsMessageSid", "SmsSid");
    const char *status = first_param(&p, "MessageStatus", NULL, NULL);
    if (!status && hook == SMS_HOOK_STATUS)
        status = first_param(&p, "SmsStatus", NULL, NULL);
    if (!e->provider_id || capped(e->provider_id, SMS_FIELD_MAX))
        return e->provider_id ? SB_ETOOBIG : SB_EINVAL;
    if (hook == SMS_HOOK_STATUS || (status && !sms_param(&p, "Body"))) {
        if (!status || capped(status, SMS_FIELD_MAX))
            return status ? SB_ETOOBIG : SB_EINVAL;
        e->kind = SMS_EVENT_STATUS;
        e->provider_status = status;
        e->state = sms_state_lookup(twilio_states, status);
        e->error_code = first_param(&p, "ErrorCode", NULL, NULL);
        if (capped(e->error_code, SMS_FIELD_MAX))
            return SB_ETOOBIG;
        out->n = 1;
        return 0;
    }
    e->kind = SMS_EVENT_MESSAGE;
    e->from = first_param(&p, "From", NULL, NULL);
    e->to = first_param(&p, "To", NULL, NULL);
    e->body = sms_param(&p, "Body");
    if (!e->body)
        e->body = "";
    if (!e->from)
        return SB_EINVAL;
    if (capped(e->from, SMS_FIELD_MAX) || capped(e->to, SMS_FIELD_MAX))
        return SB_ETOOBIG;
    const char *num = sms_param(&p, "NumMedia");
    long n = 0;
    if (!sms_empty(num)) {
        char *end;
        n = strtol(num, &end, 10);
        if (*end || n < 0)
            return SB_EINVAL;
        if (n > SMS_MEDIA_MAX)
            return SB_ETOOBIG;
    }
    struct sms_media *m = n ? arena_calloc(x->a, (size_t)n * sizeof(*m)) : NULL;
    if (n && !m)
        return SB_ENOMEM;
    for (long i = 0; i < n; i++) {
        char k1[32], k2[40];
        snprintf(k1, sizeof(k1), "MediaUrl%ld", i);
        snprintf(k2, sizeof(k2), "MediaContentType%ld", i);
        m[i].url = sms_param(&p, k1);
        m[i].content_type = sms_param(&p, k2);
        if (sms_empty(m[i].url))
            return SB_EINVAL;
        if (capped(m[i].url, SMS_URL_MAX) || capped(m[i].content_type, SMS_FIELD_MAX))
            return SB_ETOOBIG;
    }
    e->media = m;
    e->n_media = (size_t)n;
    out->n = 1;
    return 0;
}

static int twilio_build_send(struct sms_ctx *x, const struct sms_outbound *m, const char *session,
                             struct sms_http_out *out)
{
    const struct sms_account_creds *c = x->c;
    if (sms_empty(c->account_id) || sms_empty(c->auth_token)) {
        x->why = sms_empty(c->account_id) ? "account_id" : "auth_token";
        return SB_EINVALID;
    }
    const char *from = sms_from(x, m, false);
    const char *service = sms_opt(x, "messaging_service_sid", NULL);
    if (!from && !service) {
        x->why = "phone";
        return SB_EINVALID;
    }
    struct buf b;
    buf_init(&b, 4 * SMS_BODY_MAX + 64 * 1024);
    int r = sms_form_add(&b, "To", m->to);
    if (!r && from)
        r = sms_form_add(&b, "From", from);
    if (!r && service)
        r = sms_form_add(&b, "MessagingServiceSid", service);
    if (!r)
        r = sms_form_add(&b, "Body", m->body);
    for (size_t i = 0; !r && i < m->n_media; i++)
        r = sms_form_add(&b, "MediaUrl", m->media_urls[i]);
    if (!r && !sms_empty(m->status_url))
        r = sms_form_add(&b, "StatusCallback", m->status_url);
    if (r) {
        buf_free(&b);
        return r == SB_ETOOBIG ? SB_EINVALID : r;
    }
    size_t len = 0;
    const char *body = sms_buf_to_arena(x->a, &b, &len);
    const char *path =
        arena_sprintf(x->a, "/2010-04-01/Accounts/%s/Messages.json", sms_pct(x->a, c->account_id));
    r = sms_out_init(x->a, out, "POST",
                     path ? sms_endpoint(x, "https://api.twilio.com", path) : NULL,
                     "application/x-www-form-urlencoded", body, len);
    if (!r)
        r = sms_out_header(x->a, out, "Authorization",
                           sms_basic_header(x->a, c->account_id, c->auth_token));
    return r;
}

static int twilio_parse_send(struct sms_ctx *x, long status, const char *body, size_t len,
                             struct sms_send_result *out)
{
    json_t *j = NULL;
    const char *id = NULL, *code = NULL, *st = NULL;
    if (!sms_json_body(body, len, &j)) {
        sms_json_str(x->a, j, "sid", SMS_FIELD_MAX, &id);
        sms_json_str(x->a, j, "status", SMS_FIELD_MAX, &st);
        sms_json_str(x->a, j, "code", SMS_FIELD_MAX, &code);
        json_decref(j);
    }
    int r = sms_send_default(x, status, id, code, out);
    out->provider_status = st;
    if (out->outcome == SMS_SEND_ACCEPTED && st) {
        enum sms_state s = sms_state_lookup(twilio_states, st);
        if (s == SMS_STATE_FAILED || s == SMS_STATE_UNDELIVERED) {
            out->outcome = SMS_SEND_FAILED;
            out->error_code = code ? code : st;
        } else if (s) {
            out->state = s;
        }
    }
    return r;
}

const struct sms_provider sms_twilio = {
    .name = "twilio",
    .auth_scheme = "twilio-hmac-sha1",
    .media = true,
    .verify = twilio_verify,
    .parse = twilio_parse,
    .build_send = twilio_build_send,
    .parse_send = twilio_parse_send,
};
