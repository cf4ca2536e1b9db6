/* generic.c — the configurable adapter pieces for providers whose formats are not public or
 * not verified (Connectel, CSCTelecom, IntelePeer, Skebby inbound, ClickSend inbound): field
 * names, status words, the send URL, auth and body shape come from the account's options with
 * per-provider defaults (docs/providers.md "custom formats"). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/sms/sms_impl.h"
#include "core/buf.h"
#include "core/err.h"

/* The words providers use for delivery states, case-blind. */
static const struct sms_state_word common_states[] = {
    {"queued", SMS_STATE_QUEUED},
    {"accepted", SMS_STATE_QUEUED},
    {"pending", SMS_STATE_QUEUED},
    {"scheduled", SMS_STATE_QUEUED},
    {"buffered", SMS_STATE_QUEUED},
    {"enroute", SMS_STATE_SENT},
    {"sent", SMS_STATE_SENT},
    {"submitted", SMS_STATE_SENT},
    {"success", SMS_STATE_SENT},
    {"delivered", SMS_STATE_DELIVERED},
    {"delivrd", SMS_STATE_DELIVERED},
    {"dlvrd", SMS_STATE_DELIVERED},
    {"received", SMS_STATE_DELIVERED},
    {"read", SMS_STATE_DELIVERED},
    {"undelivered", SMS_STATE_UNDELIVERED},
    {"undeliv", SMS_STATE_UNDELIVERED},
    {"undeliverable", SMS_STATE_UNDELIVERED},
    {"expired", SMS_STATE_UNDELIVERED},
    {"deleted", SMS_STATE_UNDELIVERED},
    {"failed", SMS_STATE_FAILED},
    {"error", SMS_STATE_FAILED},
    {"rejected", SMS_STATE_FAILED},
    {"rejectd", SMS_STATE_FAILED},
    {"cancelled", SMS_STATE_FAILED},
    {"canceled", SMS_STATE_FAILED},
    {NULL, SMS_STATE_NONE},
};

enum sms_state sms_generic_state(struct sms_ctx *x, const char *word)
{
    if (!word)
        return SMS_STATE_NONE;
    json_t *map = x->opts ? json_object_get(x->opts, "status_map") : NULL;
    if (json_is_object(map)) {
        const char *k;
        json_t *v;
        json_object_foreach(map, k, v)
        {
            if (sms_ieq(k, word) && json_is_string(v)) {
                const char *s = json_string_value(v);
                for (int st = SMS_STATE_QUEUED; st <= SMS_STATE_FAILED; st++)
                    if (!strcmp(s, sms_state_name((enum sms_state)st)))
                        return (enum sms_state)st;
            }
        }
    }
    return sms_state_lookup(common_states, word);
}

/* One record of a webhook: either JSON (an object) or form/query parameters. */
struct rec {
    json_t *obj;
    const struct sms_params *params;
    const struct sms_http_request *rq; /* for a form record: its raw bytes */
};

/* An id for a message whose provider sends none: "sha256:" + hex of the record's bytes (the
 * raw query and body of a form, the canonical JSON of an object), so a retried webhook gets
 * the same id and is stored once. */
static const char *synth_id(struct sms_ctx *x, const struct rec *r)
{
    crypto_hash_sha256_state st;
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_init(&st);
    if (r->obj) {
        char *s = json_dumps(r->obj, JSON_COMPACT | JSON_SORT_KEYS);
        if (!s)
            return NULL;
        crypto_hash_sha256_update(&st, (const unsigned char *)s, strlen(s));
        free(s);
    } else {
        const char *q = r->rq->url ? strchr(r->rq->url, '?') : NULL;
        if (q)
            crypto_hash_sha256_update(&st, (const unsigned char *)q, strlen(q));
        crypto_hash_sha256_update(&st, (const unsigned char *)"\n", 1);
        if (r->rq->body_len)
            crypto_hash_sha256_update(&st, (const unsigned char *)r->rq->body, r->rq->body_len);
    }
    crypto_hash_sha256_final(&st, h);
    char hex[2 * sizeof(h) + 1];
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    return arena_sprintf(x->a, "sha256:%s", hex);
}

static int rec_get(struct sms_ctx *x, const struct rec *r, const char *field, size_t max,
                   const char **out)
{
    *out = NULL;
    if (sms_empty(field) || !strcmp(field, "-"))
        return 0;
    if (r->obj) {
        int e = sms_json_str(x->a, r->obj, field, max, out);
        if (e)
            return e;
    } else {
        const char *v = sms_param(r->params, field);
        if (v && strlen(v) > max)
            return SB_ETOOBIG;
        *out = v;
    }
    if (*out && !**out && max != SMS_BODY_MAX)
        *out = NULL; /* an empty id, number or status is no value */
    return 0;
}

static int rec_event(struct sms_ctx *x, const struct sms_generic_defaults *d, const struct rec *r,
                     enum sms_hook hook, struct sms_event *e)
{
    const char *text = NULL, *status = NULL;
    const char *f_text = sms_opt(x, "in_text", d->in_text);
    const char *f_status = sms_opt(x, "dlr_status", d->dlr_status);
    int rc = rec_get(x, r, f_text, SMS_BODY_MAX, &text);
    if (!rc)
        rc = rec_get(x, r, f_status, SMS_FIELD_MAX, &status);
    if (rc)
        return rc;
    if (hook == SMS_HOOK_STATUS || (status && !text)) {
        e->kind = SMS_EVENT_STATUS;
        rc = rec_get(x, r, sms_opt(x, "dlr_id", d->dlr_id), SMS_FIELD_MAX, &e->provider_id);
        if (!rc)
            rc =
                rec_get(x, r, sms_opt(x, "dlr_error", d->dlr_error), SMS_FIELD_MAX, &e->error_code);
        if (!rc && (!e->provider_id || !status))
            rc = SB_EINVAL;
        e->provider_status = status;
        e->state = sms_generic_state(x, status);
        return rc;
    }
    e->kind = SMS_EVENT_MESSAGE;
    rc = rec_get(x, r, sms_opt(x, "in_id", d->in_id), SMS_FIELD_MAX, &e->provider_id);
    if (!rc)
        rc = rec_get(x, r, sms_opt(x, "in_from", d->in_from), SMS_FIELD_MAX, &e->from);
    if (!rc)
        rc = rec_get(x, r, sms_opt(x, "in_to", d->in_to), SMS_FIELD_MAX, &e->to);
    if (!rc && !e->provider_id && e->from)
        e->provider_id = synth_id(x, r);
    if (!rc && (!e->provider_id || !e->from))
        rc = SB_EINVAL;
    e->body = text ? text : "";
    return rc;
}

static bool looks_json(const struct sms_http_request *rq)
{
    if (sms_content_type_is(rq, "application/json"))
        return true;
    for (size_t i = 0; i < rq->body_len; i++) {
        char c = rq->body[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        return c == '{' || c == '[';
    }
    return false;
}

int sms_generic_parse(struct sms_ctx *x, const struct sms_generic_defaults *d,
                      const struct sms_http_request *rq, enum sms_hook hook, struct sms_events *out)
{
    struct sms_event *ev;
    int r;
    if (rq->body_len && looks_json(rq)) {
        json_t *j;
        r = sms_json_body(rq->body, rq->body_len, &j);
        if (r)
            return r;
        /* An array of records, an object holding one under "records_path", or one record. */
        json_t *list = j;
        const char *path = sms_opt(x, "records_path", NULL);
        if (path)
            list = sms_json_at(j, path);
        size_t n = json_is_array(list) ? json_array_size(list) : json_is_object(list) ? 1 : 0;
        r = !n ? SB_EINVAL : sms_events_alloc(x->a, n, out, &ev);
        for (size_t i = 0; !r && i < n; i++) {
            struct rec rc = {json_is_array(list) ? json_array_get(list, i) : list, NULL, rq};
            if (!json_is_object(rc.obj))
                r = SB_EINVAL;
            else
                r = rec_event(x, d, &rc, hook, &ev[i]);
        }
        if (!r)
            out->n = n;
        json_decref(j);
        return r;
    }
    struct sms_params p;
    r = sms_request_params(x->a, rq, true, &p);
    if (!r)
        r = sms_events_alloc(x->a, 1, out, &ev);
    struct rec rc = {NULL, &p, rq};
    if (!r)
        r = rec_event(x, d, &rc, hook, ev);
    if (!r)
        out->n = 1;
    return r;
}

/* The account field named by the auth option ("api_key", "auth_token", "password"). */
static const char *secret_field(struct sms_ctx *x, const char *name)
{
    const struct sms_account_creds *c = x->c;
    if (!strcmp(name, "api_key"))
        return c->api_key;
    if (!strcmp(name, "auth_token"))
        return c->auth_token;
    if (!strcmp(name, "password"))
        return c->password;
    return NULL;
}

/* Adds the Authorization (or other) header per the "auth" option:
 * "bearer[:field]", "raw[:field]", "basic" (username + password or api_key),
 * "header:<Name>[:field]", "none". */
static int add_auth(struct sms_ctx *x, const struct sms_generic_defaults *d,
                    struct sms_http_out *out)
{
    const char *spec = sms_opt(x, "auth", d->auth);
    char kind[16] = "", name[64] = "", field[32] = "";
    const char *p = spec;
    size_t n = strcspn(p, ":");
    if (n >= sizeof(kind))
        goto bad;
    memcpy(kind, p, n);
    p += n + (p[n] == ':');
    if (!strcmp(kind, "header")) {
        n = strcspn(p, ":");
        if (!n || n >= sizeof(name))
            goto bad;
        memcpy(name, p, n);
        for (size_t i = 0; i < n; i++)
            if (!(name[i] == '-' || name[i] == '_' || (name[i] >= 'a' && name[i] <= 'z') ||
                  (name[i] >= 'A' && name[i] <= 'Z') || (name[i] >= '0' && name[i] <= '9')))
                goto bad;
        p += n + (p[n] == ':');
    }
    if (strlen(p) >= sizeof(field))
        goto bad;
    strcpy(field, p);
    if (!strcmp(kind, "none"))
        return 0;
    if (!strcmp(kind, "basic")) {
        const char *pw = !sms_empty(x->c->password) ? x->c->password : x->c->api_key;
        if (sms_empty(x->c->username) || sms_empty(pw)) {
            x->why = sms_empty(x->c->username) ? "username" : "password";
            return SB_EINVALID;
        }
        return sms_out_header(x->a, out, "Authorization",
                              sms_basic_header(x->a, x->c->username, pw));
    }
    const char *fname = field[0] ? field : "api_key";
    const char *secret = secret_field(x, fname);
    if (sms_empty(secret)) {
        /* x->why must outlive this frame: a static name, never `field`. */
        x->why = !strcmp(fname, "auth_token") ? "auth_token"
                 : !strcmp(fname, "password") ? "password"
                 : !strcmp(fname, "api_key")  ? "api_key"
                                              : "options.auth";
        return SB_EINVALID;
    }
    if (!strcmp(kind, "bearer"))
        return sms_out_header(x->a, out, "Authorization", arena_sprintf(x->a, "Bearer %s", secret));
    if (!strcmp(kind, "raw"))
        return sms_out_header(x->a, out, "Authorization", arena_strdup(x->a, secret));
    if (!strcmp(kind, "header"))
        return sms_out_header(x->a, out, arena_strdup(x->a, name), arena_strdup(x->a, secret));
bad:
    x->why = "options.auth";
    return SB_EINVALID;
}

/* Expands {account_id} and {phone} (percent-encoded) in a URL template. */
static const char *expand(struct sms_ctx *x, const char *tpl)
{
    struct buf b;
    buf_init(&b, SMS_URL_MAX * 2);
    int r = 0;
    for (const char *p = tpl; !r && *p;) {
        const char *v = NULL;
        size_t skip = 0;
        if (!strncmp(p, "{account_id}", 12))
            v = x->c->account_id, skip = 12;
        else if (!strncmp(p, "{phone}", 7))
            v = x->c->phone, skip = 7;
        if (skip) {
            const char *e = sms_pct(x->a, v ? v : "");
            r = e ? buf_adds(&b, e) : SB_ENOMEM;
            p += skip;
        } else {
            r = buf_add(&b, p++, 1);
        }
    }
    if (r) {
        buf_free(&b);
        return NULL;
    }
    return sms_buf_to_arena(x->a, &b, NULL);
}

/* The send URL: the template from the options or the default. "{base_url}/path" goes through
 * the user-set base URL guard; an absolute URL set in the options must name an allowed host
 * (it is user input too); the provider's default host is fixed. */
static int send_url(struct sms_ctx *x, const struct sms_generic_defaults *d,
                    struct sms_http_out *out)
{
    const char *opt = sms_opt(x, "send_url", NULL);
    const char *tpl = expand(x, opt ? opt : d->send_url);
    if (!tpl)
        return SB_ENOMEM;
    if (!strncmp(tpl, "{base_url}", 10)) {
        const char *url, *host;
        int r = sms_user_endpoint(x, tpl + 10, &url, &host);
        if (r)
            return r;
        out->url = url;
        out->host = host;
        out->pin = !(x->env && !sms_empty(x->env->test_base_url));
        return 0;
    }
    struct sms_url u;
    if (sms_url_split(x->a, tpl, &u) || strcmp(u.scheme, "https")) {
        x->why = "options.send_url";
        return SB_EINVALID;
    }
    const char *path = u.query ? arena_sprintf(x->a, "%s?%s", u.path, u.query) : u.path;
    if (opt) {
        char host[256];
        const char *w = NULL;
        const char *origin = arena_sprintf(x->a, "https://%s", u.authority);
        if (!origin)
            return SB_ENOMEM;
        struct sms_ctx y = *x;
        static const struct sms_provider custom = {.name = "custom"};
        y.p = &custom; /* any host must be allowed, none is implied */
        int r = sms_base_url_check(y.p, origin, x->env, host, sizeof(host), &w);
        if (r) {
            x->why = w ? w : "options.send_url";
            return r;
        }
        out->host = arena_strdup(x->a, host);
        out->pin = !(x->env && !sms_empty(x->env->test_base_url));
    } else {
        out->host = u.host;
    }
    const char *origin = arena_sprintf(x->a, "https://%s", u.authority);
    out->url = origin && path ? sms_endpoint(x, origin, path) : NULL;
    return out->url ? 0 : SB_ENOMEM;
}

static const char *field(struct sms_ctx *x, const char *key, const char *dflt)
{
    const char *f = sms_opt(x, key, dflt);
    return sms_empty(f) || !strcmp(f, "-") ? NULL : f;
}

int sms_generic_build_send(struct sms_ctx *x, const struct sms_generic_defaults *d,
                           const struct sms_outbound *m, struct sms_http_out *out)
{
    const char *from = sms_from(x, m, true);
    bool digits = !strcmp(sms_opt(x, "number_format", d->to_no_plus ? "digits" : "e164"), "digits");
    const char *to = digits ? sms_no_plus(m->to) : m->to;
    if (digits && from)
        from = sms_no_plus(from);
    const char *names[] = {field(x, "field_to", d->f_to), field(x, "field_from", d->f_from),
                           field(x, "field_text", d->f_text),
                           field(x, "field_status_url", d->f_status_url),
                           field(x, "field_reference", d->f_ref)};
    const char *vals[] = {to, from, m->body, m->status_url, m->reference};
    bool json = strcmp(sms_opt(x, "body_format", d->body_format), "form");
    const char *body = NULL;
    size_t len = 0;
    if (json) {
        json_t *j = json_object();
        for (size_t i = 0; j && i < 5; i++)
            if (names[i] && !sms_empty(vals[i]))
                json_object_set_new(j, names[i], json_string(vals[i]));
        if (j && m->n_media && field(x, "field_media", "media_urls")) {
            json_t *arr = json_array();
            for (size_t i = 0; i < m->n_media; i++)
                json_array_append_new(arr, json_string(m->media_urls[i]));
            json_object_set_new(j, field(x, "field_media", "media_urls"), arr);
        }
        body = sms_json_dump(x->a, j, &len);
    } else {
        struct buf b;
        buf_init(&b, 4 * SMS_BODY_MAX + 64 * 1024);
        int r = 0;
        for (size_t i = 0; !r && i < 5; i++)
            if (names[i] && !sms_empty(vals[i]))
                r = sms_form_add(&b, names[i], vals[i]);
        const char *fm = field(x, "field_media", "media_urls");
        for (size_t i = 0; !r && fm && i < m->n_media; i++)
            r = sms_form_add(&b, fm, m->media_urls[i]);
        if (r) {
            buf_free(&b);
            return r == SB_ETOOBIG ? SB_EINVALID : r;
        }
        body = sms_buf_to_arena(x->a, &b, &len);
    }
    struct sms_http_out tmp = {0};
    int r = send_url(x, d, &tmp);
    if (r)
        return r;
    /* A literal, not the option's text: the options are freed when this call returns. */
    const char *opt_method = sms_opt(x, "send_method", "POST");
    const char *method = !strcmp(opt_method, "POST")  ? "POST"
                         : !strcmp(opt_method, "PUT") ? "PUT"
                                                      : NULL;
    if (!method) {
        x->why = "options.send_method";
        return SB_EINVALID;
    }
    r = sms_out_init(x->a, out, method, tmp.url,
                     json ? "application/json" : "application/x-www-form-urlencoded", body, len);
    out->pin = tmp.pin;
    out->host = tmp.host;
    if (!r)
        r = add_auth(x, d, out);
    return r;
}

int sms_generic_parse_send(struct sms_ctx *x, const struct sms_generic_defaults *d, long status,
                           const char *body, size_t len, struct sms_send_result *out)
{
    json_t *j = NULL;
    const char *id = NULL, *st = NULL;
    if (!sms_json_body(body, len, &j)) {
        sms_json_str(x->a, j, sms_opt(x, "id_path", d->id_path), SMS_FIELD_MAX, &id);
        const char *sp = sms_opt(x, "status_path", NULL);
        if (sp)
            sms_json_str(x->a, j, sp, SMS_FIELD_MAX, &st);
        json_decref(j);
    }
    int r = sms_send_default(x, status, id, NULL, out);
    out->provider_status = st;
    /* A 2xx whose status word says refused (option status_path) is final. */
    enum sms_state s = sms_generic_state(x, st);
    if (out->outcome == SMS_SEND_ACCEPTED &&
        (s == SMS_STATE_FAILED || s == SMS_STATE_UNDELIVERED)) {
        out->outcome = SMS_SEND_FAILED;
        out->error_code = st;
    }
    return r;
}
