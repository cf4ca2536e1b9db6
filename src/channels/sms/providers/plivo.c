/* plivo.c — Plivo Messaging (reference §1.2).
 *
 * Webhooks: form posts (or GET queries) signed with X-Plivo-Signature-V3 (HMAC-SHA256 over the
 * URL, its sorted query, the sorted POST parameters and the nonce; several comma-separated
 * signatures, one per active token) or, on older accounts, X-Plivo-Signature-V2 / -Ma-V2
 * (HMAC-SHA256 over scheme://host/path + nonce: the body is NOT covered, see docs/providers.md).
 * The legacy V1 (HMAC-SHA1) is computed for the reference vector but never accepted.
 * Sends: POST JSON to /v1/Account/{auth_id}/Message/ with Basic auth_id:auth_token; 202 with
 * message_uuid[0]. */
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

/* "k=v&k=v" of the sorted pairs (sep "=" and "&"), or "kvkv" (sep "" and ""). */
static int join_sorted(struct buf *b, struct sms_params *p, const char *eq, const char *amp)
{
    if (p->n > 1)
        qsort(p->kv, p->n, sizeof(*p->kv), kv_cmp);
    int r = 0;
    for (size_t i = 0; !r && i < p->n; i++) {
        if (i)
            r = buf_adds(b, amp);
        if (!r)
            r = buf_adds(b, p->kv[i].name);
        if (!r)
            r = buf_adds(b, eq);
        if (!r)
            r = buf_adds(b, p->kv[i].value);
    }
    return r;
}

/* The V3 string to sign (before ".nonce"), per plivo-python signature_v3.py. */
static const char *v3_message(struct sms_ctx *x, const struct sms_http_request *rq)
{
    struct sms_url u;
    if (sms_url_split(x->a, rq->url, &u))
        return NULL;
    struct sms_params q = {0}, body = {0};
    if (u.query && sms_form_parse(x->a, u.query, strlen(u.query), &q))
        return NULL;
    bool post = !strcmp(rq->method, "POST");
    if (post && rq->body_len && sms_form_parse(x->a, rq->body, rq->body_len, &body))
        return NULL;
    struct buf b;
    buf_init(&b, SMS_HOOK_BODY_MAX + 2 * SMS_URL_MAX);
    int r = buf_addf(&b, "%s://%s%s", u.scheme, u.authority, u.path);
    if (post && body.n) {
        if (!r)
            r = buf_adds(&b, "?");
        if (!r)
            r = join_sorted(&b, &q, "=", "&");
        if (!r && q.n)
            r = buf_adds(&b, ".");
        if (!r)
            r = join_sorted(&b, &body, "", "");
    } else if (q.n) {
        if (!r)
            r = buf_adds(&b, "?");
        if (!r)
            r = join_sorted(&b, &q, "=", "&");
    }
    if (r) {
        buf_free(&b);
        return NULL;
    }
    return sms_buf_to_arena(x->a, &b, NULL);
}

/* Whether any comma-separated entry of `list` equals `want` (all entries are compared). */
static bool any_equal(struct arena *a, const char *list, const char *want)
{
    bool ok = false;
    int n = 0;
    const char *p = list;
    while (p && *p && n < 8) {
        while (*p == ' ')
            p++;
        size_t len = strcspn(p, ",");
        const char *one = arena_strndup(a, p, len);
        size_t t = one ? strlen(one) : 0;
        while (t && one[t - 1] == ' ')
            ((char *)one)[--t] = 0;
        ok |= sms_secret_eq(one, want);
        p += len;
        if (*p == ',')
            p++;
        n++;
    }
    return ok;
}

static int plivo_verify(struct sms_ctx *x, const struct sms_http_request *rq, int64_t now_s)
{
    const char *token = x->c->auth_token;
    if (sms_empty(token)) {
        x->why = "account has no auth token";
        return SB_EAUTH;
    }
    const char *v3 = sms_header(rq, "X-Plivo-Signature-V3");
    const char *v3n = sms_header(rq, "X-Plivo-Signature-V3-Nonce");
    if (!sms_empty(v3) && !sms_empty(v3n)) {
        const char *msg = v3_message(x, rq);
        const char *data = msg ? arena_sprintf(x->a, "%s.%s", msg, v3n) : NULL;
        const char *sig = data ? sms_hmac_b64(x->a, "sha256", token, data, strlen(data)) : NULL;
        if (!sig) {
            x->why = "malformed request";
            return SB_EAUTH;
        }
        if (!any_equal(x->a, v3, sig)) {
            x->why = "wrong X-Plivo-Signature-V3";
            return SB_EAUTH;
        }
        return 0;
    }
    const char *v2 = sms_header(rq, "X-Plivo-Signature-V2");
    const char *ma = sms_header(rq, "X-Plivo-Signature-Ma-V2");
    const char *v2n = sms_header(rq, "X-Plivo-Signature-V2-Nonce");
    if ((sms_empty(v2) && sms_empty(ma)) || sms_empty(v2n)) {
        x->why = "no X-Plivo-Signature-V3 or -V2 with its nonce";
        return SB_EAUTH;
    }
    struct sms_url u;
    if (sms_url_split(x->a, rq->url, &u)) {
        x->why = "malformed URL";
        return SB_EAUTH;
    }
    const char *data = arena_sprintf(x->a, "%s://%s%s%s", u.scheme, u.authority, u.path, v2n);
    const char *sig = data ? sms_hmac_b64(x->a, "sha256", token, data, strlen(data)) : NULL;
    if (!sig)
        return SB_ENOMEM;
    bool ok = sms_secret_eq(v2, sig);
    ok |= sms_secret_eq(ma, sig);
    if (!ok) {
        x->why = "wrong X-Plivo-Signature-V2";
        return SB_EAUTH;
    }
    return 0;
}

/* Plivo's legacy V1 (HMAC-SHA1 over URL + sorted k+v), kept for the reference vector only:
 * sms_plivo_v1_signature() in tests. Never accepted by plivo_verify(). */
const char *sms_plivo_v1_signature(struct arena *a, const char *token, const char *url,
                                   const struct sms_kv *kv, size_t n);
const char *sms_plivo_v1_signature(struct arena *a, const char *token, const char *url,
                                   const struct sms_kv *kv, size_t n)
{
    struct sms_kv *copy = arena_alloc(a, (n ? n : 1) * sizeof(*copy));
    if (!copy)
        return NULL;
    memcpy(copy, kv, n * sizeof(*kv));
    struct sms_params p = {copy, n};
    struct buf b;
    buf_init(&b, SMS_HOOK_BODY_MAX);
    int r = buf_adds(&b, url);
    if (!r)
        r = join_sorted(&b, &p, "", "");
    if (r) {
        buf_free(&b);
        return NULL;
    }
    size_t len;
    const char *d = sms_buf_to_arena(a, &b, &len);
    return d ? sms_hmac_b64(a, "sha1", token, d, len) : NULL;
}

static const struct sms_state_word plivo_states[] = {
    {"queued", SMS_STATE_QUEUED},           {"sent", SMS_STATE_SENT},
    {"delivered", SMS_STATE_DELIVERED},     {"read", SMS_STATE_DELIVERED},
    {"undelivered", SMS_STATE_UNDELIVERED}, {"failed", SMS_STATE_FAILED},
    {"rejected", SMS_STATE_FAILED},         {NULL, SMS_STATE_NONE},
};

static const char *val(const struct sms_params *p, const char *name)
{
    const char *v = sms_param(p, name);
    return sms_empty(v) ? NULL : v;
}

static int plivo_parse(struct sms_ctx *x, const struct sms_http_request *rq, enum sms_hook hook,
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
    e->provider_id = val(&p, "MessageUUID");
    if (!e->provider_id)
        return SB_EINVAL;
    const char *text = sms_param(&p, "Text");
    if (!text)
        text = sms_param(&p, "Body");
    const char *status = val(&p, "Status");
    if (hook == SMS_HOOK_STATUS || (status && !text)) {
        if (!status)
            return SB_EINVAL;
        e->kind = SMS_EVENT_STATUS;
        e->provider_status = status;
        e->state = sms_state_lookup(plivo_states, status);
        e->error_code = val(&p, "ErrorCode");
    } else {
        e->kind = SMS_EVENT_MESSAGE;
        e->from = val(&p, "From");
        e->to = val(&p, "To");
        e->body = text ? text : "";
        if (!e->from)
            return SB_EINVAL;
        const char *count = val(&p, "MediaCount");
        long n = 0;
        if (count) {
            char *end;
            n = strtol(count, &end, 10);
            if (*end || n < 0)
                return SB_EINVAL;
            if (n > SMS_MEDIA_MAX)
                return SB_ETOOBIG;
        }
        struct sms_media *m = n ? arena_calloc(x->a, (size_t)n * sizeof(*m)) : NULL;
        if (n && !m)
            return SB_ENOMEM;
        for (long i = 0; i < n; i++) {
            char k[32];
            snprintf(k, sizeof(k), "Media%ld", i + 1); /* Plivo counts from 1 */
            m[i].url = val(&p, k);
            if (!m[i].url)
                return SB_EINVAL;
            if (strlen(m[i].url) > SMS_URL_MAX)
                return SB_ETOOBIG;
        }
        e->media = m;
        e->n_media = (size_t)n;
    }
    const char *f[] = {e->provider_id, e->from, e->to, e->provider_status, e->error_code};
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
        if (f[i] && strlen(f[i]) > SMS_FIELD_MAX)
            return SB_ETOOBIG;
    out->n = 1;
    return 0;
}

static int plivo_build_send(struct sms_ctx *x, const struct sms_outbound *m, const char *session,
                            struct sms_http_out *out)
{
    const struct sms_account_creds *c = x->c;
    if (sms_empty(c->account_id) || sms_empty(c->auth_token)) {
        x->why = sms_empty(c->account_id) ? "account_id" : "auth_token";
        return SB_EINVALID;
    }
    const char *from = sms_from(x, m, true);
    if (!from) {
        x->why = "phone";
        return SB_EINVALID;
    }
    json_t *j = json_pack("{s:s, s:s, s:s}", "src", sms_no_plus(from), "dst", sms_no_plus(m->to),
                          "text", m->body);
    if (!j)
        return SB_ENOMEM;
    if (!sms_empty(m->status_url)) {
        json_object_set_new(j, "url", json_string(m->status_url));
        json_object_set_new(j, "method", json_string("POST"));
    }
    if (m->n_media) {
        json_t *arr = json_array();
        for (size_t i = 0; i < m->n_media; i++)
            json_array_append_new(arr, json_string(m->media_urls[i]));
        json_object_set_new(j, "type", json_string("mms"));
        json_object_set_new(j, "media_urls", arr);
    }
    size_t len = 0;
    const char *body = sms_json_dump(x->a, j, &len);
    const char *path = arena_sprintf(x->a, "/v1/Account/%s/Message/", sms_pct(x->a, c->account_id));
    int r = sms_out_init(x->a, out, "POST",
                         path ? sms_endpoint(x, "https://api.plivo.com", path) : NULL,
                         "application/json", body, len);
    if (!r)
        r = sms_out_header(x->a, out, "Authorization",
                           sms_basic_header(x->a, c->account_id, c->auth_token));
    return r;
}

static int plivo_parse_send(struct sms_ctx *x, long status, const char *body, size_t len,
                            struct sms_send_result *out)
{
    json_t *j = NULL;
    const char *id = NULL, *err = NULL;
    if (!sms_json_body(body, len, &j)) {
        sms_json_str(x->a, j, "message_uuid.0", SMS_FIELD_MAX, &id);
        sms_json_str(x->a, j, "error", SMS_FIELD_MAX, &err);
        json_decref(j);
    }
    int r = sms_send_default(x, status, id, NULL, out);
    out->provider_status = err; /* Plivo explains in words, without a code */
    return r;
}

const struct sms_provider sms_plivo = {
    .name = "plivo",
    .auth_scheme = "plivo-v3-v2",
    .media = true,
    .verify = plivo_verify,
    .parse = plivo_parse,
    .build_send = plivo_build_send,
    .parse_send = plivo_parse_send,
};
