/* sms_util.c — the pure helpers the provider adapters share (sms_impl.h). */
#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "channels/sms/sms_impl.h"
#include "core/buf.h"
#include "core/err.h"

int sms_take(struct arena *a, const char *s, size_t n, size_t max, const char **out)
{
    *out = NULL;
    if (n > max)
        return SB_ETOOBIG;
    if (memchr(s, 0, n))
        return SB_EINVAL;
    char *c = arena_strndup(a, s, n);
    if (!c)
        return SB_ENOMEM;
    *out = c;
    return 0;
}

const char *sms_header(const struct sms_http_request *rq, const char *name)
{
    for (size_t i = 0; i < rq->n_headers; i++)
        if (rq->headers[i].name && !strcasecmp(rq->headers[i].name, name))
            return rq->headers[i].value;
    return NULL;
}

bool sms_ieq(const char *a, const char *b)
{
    return a && b && !strcasecmp(a, b);
}

bool sms_content_type_is(const struct sms_http_request *rq, const char *type)
{
    const char *ct = sms_header(rq, "Content-Type");
    if (!ct)
        return false;
    while (*ct == ' ')
        ct++;
    size_t n = strlen(type);
    return !strncasecmp(ct, type, n) && (ct[n] == 0 || ct[n] == ';' || ct[n] == ' ');
}

/* ---- forms ---- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes s[0..n) into the arena; caps the decoded size at max. */
static int form_decode(struct arena *a, const char *s, size_t n, size_t max, const char **out)
{
    if (n > 3 * max + 3)
        return SB_ETOOBIG;
    char *d = arena_alloc(a, n + 1);
    if (!d)
        return SB_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (i + 2 >= n)
                return SB_EINVAL;
            int hi = hexval((unsigned char)s[i + 1]), lo = hexval((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0)
                return SB_EINVAL;
            c = hi * 16 + lo;
            i += 2;
        }
        if (c == 0)
            return SB_EINVAL;
        d[k++] = (char)c;
    }
    if (k > max)
        return SB_ETOOBIG;
    d[k] = 0;
    *out = d;
    return 0;
}

int sms_form_parse(struct arena *a, const char *s, size_t len, struct sms_params *out)
{
    out->kv = NULL;
    out->n = 0;
    if (!s || !len)
        return 0;
    size_t pairs = 1;
    for (size_t i = 0; i < len; i++)
        pairs += s[i] == '&';
    if (pairs > SMS_PARAMS_MAX)
        return SB_ETOOBIG;
    struct sms_kv *kv = arena_alloc(a, pairs * sizeof(*kv));
    if (!kv)
        return SB_ENOMEM;
    size_t n = 0, i = 0;
    while (i <= len) {
        size_t j = i;
        while (j < len && s[j] != '&')
            j++;
        if (j > i) {
            size_t eq = i;
            while (eq < j && s[eq] != '=')
                eq++;
            const char *name, *value = "";
            int r = form_decode(a, s + i, eq - i, SMS_FIELD_MAX, &name);
            if (!r && eq < j)
                r = form_decode(a, s + eq + 1, j - eq - 1, SMS_BODY_MAX, &value);
            if (r)
                return r;
            kv[n].name = name;
            kv[n].value = value;
            n++;
        }
        i = j + 1;
    }
    out->kv = kv;
    out->n = n;
    return 0;
}

const char *sms_param(const struct sms_params *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (!strcmp(p->kv[i].name, name))
            return p->kv[i].value;
    return NULL;
}

int sms_request_params(struct arena *a, const struct sms_http_request *rq, bool body_too,
                       struct sms_params *out)
{
    out->kv = NULL;
    out->n = 0;
    struct sms_params q = {0}, b = {0};
    const char *qm = rq->url ? strchr(rq->url, '?') : NULL;
    int r = 0;
    if (qm) {
        const char *end = strchr(qm, '#');
        r = sms_form_parse(a, qm + 1, end ? (size_t)(end - qm - 1) : strlen(qm + 1), &q);
    }
    if (!r && body_too && rq->body_len)
        r = sms_form_parse(a, rq->body, rq->body_len, &b);
    if (r)
        return r;
    if (q.n + b.n > SMS_PARAMS_MAX)
        return SB_ETOOBIG;
    struct sms_kv *kv = arena_alloc(a, (q.n + b.n + 1) * sizeof(*kv));
    if (!kv)
        return SB_ENOMEM;
    /* Body first: a field in both is taken from the body (what the provider posted). */
    if (b.n)
        memcpy(kv, b.kv, b.n * sizeof(*kv));
    if (q.n)
        memcpy(kv + b.n, q.kv, q.n * sizeof(*kv));
    out->kv = kv;
    out->n = q.n + b.n;
    return 0;
}

int sms_url_split(struct arena *a, const char *url, struct sms_url *out)
{
    memset(out, 0, sizeof(*out));
    if (!url)
        return SB_EINVAL;
    const char *sep = strstr(url, "://");
    if (!sep || sep == url)
        return SB_EINVAL;
    const char *auth = sep + 3;
    size_t alen = strcspn(auth, "/?#");
    if (!alen)
        return SB_EINVAL;
    const char *rest = auth + alen;
    size_t plen = strcspn(rest, "?#");
    out->scheme = arena_strndup(a, url, (size_t)(sep - url));
    out->authority = arena_strndup(a, auth, alen);
    out->path = arena_strndup(a, rest, plen);
    if (rest[plen] == '?') {
        const char *q = rest + plen + 1;
        out->query = arena_strndup(a, q, strcspn(q, "#"));
        if (!out->query)
            return SB_ENOMEM;
    }
    if (!out->scheme || !out->authority || !out->path)
        return SB_ENOMEM;
    /* host[:port]; an IPv6 literal keeps its brackets. */
    const char *colon = NULL;
    if (out->authority[0] == '[') {
        const char *rb = strchr(out->authority, ']');
        if (!rb)
            return SB_EINVAL;
        if (rb[1] == ':')
            colon = rb + 1;
        else if (rb[1])
            return SB_EINVAL;
    } else {
        colon = strrchr(out->authority, ':');
    }
    if (colon) {
        out->host = arena_strndup(a, out->authority, (size_t)(colon - out->authority));
        out->port = arena_strdup(a, colon + 1);
    } else {
        out->host = out->authority;
    }
    return out->host ? 0 : SB_ENOMEM;
}

char *sms_pct(struct arena *a, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *d = arena_alloc(a, 3 * n + 1), *p = d;
    if (!d)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            *p++ = (char)c;
        } else {
            *p++ = '%';
            *p++ = hex[c >> 4];
            *p++ = hex[c & 15];
        }
    }
    *p = 0;
    return d;
}

static int pct_add(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char e[3] = {'%', hex[c >> 4], hex[c & 15]};
        int r = isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ? buf_add(b, s, 1)
                                                                           : buf_add(b, e, 3);
        if (r)
            return r;
    }
    return 0;
}

int sms_form_add(struct buf *b, const char *name, const char *value)
{
    int r = b->len ? buf_adds(b, "&") : 0;
    if (!r)
        r = pct_add(b, name);
    if (!r)
        r = buf_adds(b, "=");
    if (!r)
        r = pct_add(b, value ? value : "");
    return r;
}

const char *sms_buf_to_arena(struct arena *a, struct buf *b, size_t *len)
{
    char *c = b->data ? arena_strndup(a, b->data, b->len) : arena_strdup(a, "");
    if (c && len)
        *len = b->len;
    buf_free(b);
    return c;
}

const char *sms_endpoint(struct sms_ctx *x, const char *origin, const char *path)
{
    if (x->env && !sms_empty(x->env->test_base_url)) {
        const char *b = x->env->test_base_url;
        size_t n = strlen(b);
        while (n && b[n - 1] == '/')
            n--;
        return arena_sprintf(x->a, "%.*s/%s%s", (int)n, b, x->p->name, path);
    }
    return arena_sprintf(x->a, "%s%s", origin, path);
}

/* ---- crypto ---- */

bool sms_secret_eq(const char *a, const char *b)
{
    if (!a || !b)
        return false;
    unsigned char ha[crypto_hash_sha256_BYTES], hb[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(ha, (const unsigned char *)a, strlen(a));
    crypto_hash_sha256(hb, (const unsigned char *)b, strlen(b));
    return sodium_memcmp(ha, hb, sizeof(ha)) == 0;
}

const char *sms_hmac_b64(struct arena *a, const char *md, const char *key, const void *msg,
                         size_t len)
{
    const EVP_MD *m = !strcmp(md, "sha1") ? EVP_sha1() : EVP_sha256();
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mlen = 0;
    if (!HMAC(m, key, (int)strlen(key), msg, len, mac, &mlen))
        return NULL;
    return sms_b64(a, mac, mlen);
}

const char *sms_b64(struct arena *a, const void *p, size_t n)
{
    size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *d = arena_alloc(a, cap);
    if (!d)
        return NULL;
    sodium_bin2base64(d, cap, p, n, sodium_base64_VARIANT_ORIGINAL);
    return d;
}

int sms_unb64_exact(const char *s, unsigned char *out, size_t want)
{
    if (!s)
        return SB_EINVAL;
    size_t got = 0;
    const char *end = NULL;
    size_t n = strlen(s);
    int variant = (n && s[n - 1] == '=') || n % 4 == 0 ? sodium_base64_VARIANT_ORIGINAL
                                                       : sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
    if (sodium_base642bin(out, want, s, n, NULL, &got, &end, variant) || got != want ||
        end != s + n)
        return SB_EINVAL;
    return 0;
}

const char *sms_basic_header(struct arena *a, const char *user, const char *pass)
{
    char *up = arena_sprintf(a, "%s:%s", user ? user : "", pass ? pass : "");
    if (!up)
        return NULL;
    const char *b = sms_b64(a, up, strlen(up));
    sodium_memzero(up, strlen(up));
    return b ? arena_sprintf(a, "Basic %s", b) : NULL;
}

/* Decodes "Basic xxx" into user and password (in the arena). */
static int basic_decode(struct arena *a, const char *h, const char **user, const char **pass)
{
    if (!h || strncasecmp(h, "Basic ", 6))
        return SB_EAUTH;
    h += 6;
    while (*h == ' ')
        h++;
    size_t n = strlen(h);
    if (!n || n > 1024)
        return SB_EAUTH;
    unsigned char *d = arena_alloc(a, n + 1);
    size_t got = 0;
    if (!d)
        return SB_ENOMEM;
    if (sodium_base642bin(d, n, h, n, NULL, &got, NULL, sodium_base64_VARIANT_ORIGINAL))
        return SB_EAUTH;
    d[got] = 0;
    if (memchr(d, 0, got))
        return SB_EAUTH;
    char *colon = strchr((char *)d, ':');
    if (!colon)
        return SB_EAUTH;
    *colon = 0;
    *user = (const char *)d;
    *pass = colon + 1;
    return 0;
}

int sms_verify_token_basic(struct sms_ctx *x, const struct sms_http_request *rq, bool allow_basic)
{
    const struct sms_account_creds *c = x->c;
    bool want_basic = allow_basic && !sms_empty(c->webhook_user);
    bool want_token = !sms_empty(c->webhook_token);
    if (!want_basic && !want_token) {
        x->why = "account has no webhook token or callback credentials";
        return SB_EAUTH;
    }
    if (want_token) {
        if (strlen(c->webhook_token) < SMS_TOKEN_MIN) {
            x->why = "account webhook token too short";
            return SB_EAUTH;
        }
        struct sms_params q;
        struct sms_http_request only_query = *rq;
        only_query.body_len = 0;
        int r = sms_request_params(x->a, &only_query, false, &q);
        if (r == SB_ENOMEM)
            return r;
        const char *t = r ? NULL : sms_param(&q, "token");
        if (!t || !sms_secret_eq(t, c->webhook_token)) {
            x->why = t ? "wrong URL token" : "no URL token";
            return SB_EAUTH;
        }
    }
    if (want_basic) {
        const char *u = NULL, *pw = NULL;
        int r = basic_decode(x->a, sms_header(rq, "Authorization"), &u, &pw);
        if (r == SB_ENOMEM)
            return r;
        /* Both compares always run: no early exit tells which half was wrong. */
        bool ok = !r;
        ok &= sms_secret_eq(ok ? u : "", c->webhook_user);
        ok &= sms_secret_eq(r ? "" : pw, c->webhook_password ? c->webhook_password : "");
        if (!ok) {
            x->why = r ? "no Basic credentials" : "wrong Basic credentials";
            return SB_EAUTH;
        }
    }
    return 0;
}

/* ---- JSON ---- */

int sms_json_body(const char *body, size_t len, json_t **out)
{
    *out = NULL;
    if (len > SMS_HOOK_BODY_MAX)
        return SB_ETOOBIG;
    if (!body || !len)
        return SB_EINVAL;
    json_error_t e;
    json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &e);
    if (!j)
        return SB_EINVAL;
    *out = j;
    return 0;
}

json_t *sms_json_at(json_t *root, const char *path)
{
    json_t *cur = root;
    const char *p = path;
    while (cur && *p) {
        size_t n = strcspn(p, ".");
        char key[64];
        if (n >= sizeof(key))
            return NULL;
        memcpy(key, p, n);
        key[n] = 0;
        if (json_is_array(cur)) {
            char *end;
            unsigned long i = strtoul(key, &end, 10);
            if (!n || *end)
                return NULL;
            cur = json_array_get(cur, i);
        } else if (json_is_object(cur)) {
            cur = json_object_get(cur, key);
        } else {
            return NULL;
        }
        p += n;
        if (*p == '.')
            p++;
    }
    return cur;
}

int sms_json_str(struct arena *a, json_t *root, const char *path, size_t max, const char **out)
{
    *out = NULL;
    json_t *v = sms_json_at(root, path);
    if (!v || json_is_null(v))
        return 0;
    if (json_is_string(v))
        return sms_take(a, json_string_value(v), json_string_length(v), max, out);
    if (json_is_integer(v)) {
        *out = arena_sprintf(a, "%lld", (long long)json_integer_value(v));
        return *out ? 0 : SB_ENOMEM;
    }
    return SB_EINVAL;
}

const char *sms_json_dump(struct arena *a, json_t *v, size_t *len)
{
    if (!v)
        return NULL;
    char *s = json_dumps(v, JSON_COMPACT);
    json_decref(v);
    if (!s)
        return NULL;
    size_t n = strlen(s);
    char *c = arena_strndup(a, s, n);
    free(s);
    if (c && len)
        *len = n;
    return c;
}

const char *sms_opt(struct sms_ctx *x, const char *key, const char *dflt)
{
    json_t *v = x->opts ? json_object_get(x->opts, key) : NULL;
    if (json_is_string(v) && json_string_length(v))
        return json_string_value(v);
    return dflt;
}

/* ---- events and requests ---- */

int sms_events_alloc(struct arena *a, size_t n, struct sms_events *out, struct sms_event **items)
{
    if (n > SMS_EVENTS_MAX)
        return SB_ETOOBIG;
    struct sms_event *e = arena_calloc(a, (n ? n : 1) * sizeof(*e));
    if (!e)
        return SB_ENOMEM;
    out->items = e;
    out->n = 0;
    *items = e;
    return 0;
}

#define SMS_OUT_HEADERS 8

int sms_out_header(struct arena *a, struct sms_http_out *o, const char *name, const char *value)
{
    if (!name || !value)
        return SB_ENOMEM;
    if (o->n_headers >= SMS_OUT_HEADERS)
        return SB_EINTERNAL;
    struct sms_kv *h = (struct sms_kv *)o->headers;
    if (!h) {
        h = arena_calloc(a, SMS_OUT_HEADERS * sizeof(*h));
        if (!h)
            return SB_ENOMEM;
        o->headers = h;
    }
    h[o->n_headers].name = name;
    h[o->n_headers].value = value;
    o->n_headers++;
    return 0;
}

int sms_out_init(struct arena *a, struct sms_http_out *o, const char *method, const char *url,
                 const char *ctype, const char *body, size_t len)
{
    memset(o, 0, sizeof(*o));
    if (!url || (len && !body))
        return SB_ENOMEM;
    o->method = method;
    o->url = url;
    o->body = body ? body : "";
    o->body_len = body ? len : 0;
    int r = sms_out_header(a, o, "Accept", "application/json");
    if (!r && ctype)
        r = sms_out_header(a, o, "Content-Type", ctype);
    return r;
}

const char *sms_no_plus(const char *num)
{
    return num && num[0] == '+' ? num + 1 : num;
}

const char *sms_from(struct sms_ctx *x, const struct sms_outbound *m, bool sender_first)
{
    if (!sms_empty(m->from))
        return m->from;
    if (sender_first && !sms_empty(x->c->sender))
        return x->c->sender;
    if (!sms_empty(x->c->phone))
        return x->c->phone;
    return NULL;
}

const char *sms_http_code(struct arena *a, long status)
{
    return status ? arena_sprintf(a, "HTTP %ld", status) : "transport";
}

int sms_send_default(struct sms_ctx *x, long status, const char *id, const char *err,
                     struct sms_send_result *out)
{
    memset(out, 0, sizeof(*out));
    if (status >= 200 && status < 300) {
        out->outcome = SMS_SEND_ACCEPTED;
        out->provider_id = id;
        out->state = SMS_STATE_QUEUED;
        return 0;
    }
    bool retry = status == 0 || status == 408 || status == 425 || status == 429 || status >= 500;
    out->outcome = retry ? SMS_SEND_RETRY : SMS_SEND_FAILED;
    out->error_code = err ? err : sms_http_code(x->a, status);
    return out->error_code ? 0 : SB_ENOMEM;
}

enum sms_state sms_state_lookup(const struct sms_state_word *t, const char *word)
{
    if (!word)
        return SMS_STATE_NONE;
    for (; t->word; t++)
        if (!strcasecmp(t->word, word))
            return t->state;
    return SMS_STATE_NONE;
}
