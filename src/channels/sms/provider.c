/* provider.c — the provider table and the public entry points of provider.h: each one sets up
 * the call's context (the account's options parsed once), checks the caps every adapter
 * relies on, and calls the adapter. */
#include "channels/sms/provider.h"

#include <sodium.h>
#include <string.h>

#include "channels/sms/sms_impl.h"
#include "core/err.h"

static const struct sms_provider *const table[] = {
    &sms_twilio,     &sms_skebby,  &sms_connectel,  &sms_clicksend, &sms_plivo,  &sms_clickatell,
    &sms_csctelecom, &sms_infobip, &sms_intelepeer, &sms_bandwidth, &sms_telnyx,
};

#define N_PROVIDERS (sizeof(table) / sizeof(table[0]))

const struct sms_provider *sms_provider_find(const char *type)
{
    for (size_t i = 0; type && i < N_PROVIDERS; i++)
        if (!strcmp(table[i]->name, type))
            return table[i];
    return NULL;
}

size_t sms_provider_count(void)
{
    return N_PROVIDERS;
}

const struct sms_provider *sms_provider_at(size_t i)
{
    return i < N_PROVIDERS ? table[i] : NULL;
}

const char *sms_provider_name(const struct sms_provider *p)
{
    return p->name;
}

const char *sms_provider_auth_scheme(const struct sms_provider *p)
{
    return p->auth_scheme;
}

enum sms_dlr_mode sms_provider_dlr_mode(const struct sms_provider *p,
                                        const struct sms_account_creds *c)
{
    bool on = c && c->delivery_report;
    if (p == &sms_twilio || p == &sms_plivo || p == &sms_telnyx || p == &sms_infobip)
        return SMS_DLR_PER_MESSAGE;
    if (p == &sms_bandwidth)
        return SMS_DLR_RECEIVE_URL;
    if (p == &sms_clicksend || p == &sms_connectel)
        return on ? SMS_DLR_CONFIGURED : SMS_DLR_NONE;
    if (p == &sms_skebby)
        return on && c->method && !strcmp(c->method, "classic_plus") ? SMS_DLR_CONFIGURED
                                                                     : SMS_DLR_NONE;
    return SMS_DLR_CONFIGURED; /* Clickatell, CSCTelecom, IntelePeer */
}

bool sms_provider_sends_media(const struct sms_provider *p)
{
    return p->media;
}

const char *sms_provider_dlr_query(const struct sms_provider *p)
{
    return p->dlr_query;
}

const char *sms_state_name(enum sms_state s)
{
    switch (s) {
    case SMS_STATE_QUEUED:
        return "queued";
    case SMS_STATE_SENT:
        return "sent";
    case SMS_STATE_DELIVERED:
        return "delivered";
    case SMS_STATE_UNDELIVERED:
        return "undelivered";
    case SMS_STATE_FAILED:
        return "failed";
    default:
        return NULL;
    }
}

int sms_state_rank(enum sms_state s)
{
    switch (s) {
    case SMS_STATE_QUEUED:
        return 1;
    case SMS_STATE_SENT:
        return 2;
    case SMS_STATE_DELIVERED:
    case SMS_STATE_UNDELIVERED:
    case SMS_STATE_FAILED:
        return 3;
    default:
        return 0;
    }
}

void sms_webhook_ack(const struct sms_provider *p, struct sms_ack *out)
{
    static const char xml[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>";
    out->status = 200;
    if (p == &sms_twilio) {
        out->content_type = "text/xml";
        out->body = xml;
    } else if (p == &sms_plivo) {
        out->content_type = "application/xml";
        out->body = xml;
    } else {
        out->content_type = "text/plain";
        out->body = "";
    }
}

static const struct sms_account_creds no_creds;

/* Parses the account's options (an object; anything else is treated as none for
 * verify/parse, and refused by the send builder, which names it). */
static int ctx_init(struct sms_ctx *x, const struct sms_provider *p,
                    const struct sms_account_creds *c, const struct sms_env *env, struct arena *a)
{
    memset(x, 0, sizeof(*x));
    x->p = p;
    x->c = c ? c : &no_creds;
    x->env = env;
    x->a = a;
    if (!sms_empty(x->c->options_json)) {
        json_error_t e;
        x->opts = json_loads(x->c->options_json, JSON_REJECT_DUPLICATES, &e);
        if (!json_is_object(x->opts)) {
            json_decref(x->opts);
            x->opts = NULL;
            x->why = "options_json is not a JSON object";
            return SB_EINVALID;
        }
    }
    return 0;
}

static void ctx_cleanup(struct sms_ctx *x)
{
    json_decref(x->opts);
    x->opts = NULL;
}

int sms_verify(const struct sms_provider *p, const struct sms_account_creds *c,
               const struct sms_http_request *rq, int64_t now_s, struct arena *a, const char **why)
{
    struct sms_ctx x;
    if (sodium_init() < 0)
        return SB_EINTERNAL;
    int r = ctx_init(&x, p, c, NULL, a);
    if (r) {
        /* Options never weaken a check; a broken one must not open the door either. */
        x.opts = NULL;
        x.why = NULL;
    }
    r = SB_EAUTH;
    if (!rq || !rq->url || !rq->method || (rq->body_len && !rq->body))
        x.why = "malformed request";
    else if (rq->body_len > SMS_HOOK_BODY_MAX || strlen(rq->url) > SMS_URL_MAX)
        x.why = "request too large";
    else
        r = p->verify(&x, rq, now_s);
    if (r && r != SB_ENOMEM)
        r = SB_EAUTH;
    if (why)
        *why = r ? (x.why ? x.why : "not authentic") : NULL;
    ctx_cleanup(&x);
    return r;
}

/* What every adapter's events must satisfy (provider.h), checked once here so a lenient
 * adapter cannot hand the caller an event without an id or a sender. */
static int events_valid(const struct sms_events *ev)
{
    for (size_t i = 0; i < ev->n; i++) {
        const struct sms_event *e = &ev->items[i];
        if (sms_empty(e->provider_id))
            return SB_EINVAL;
        if (e->kind == SMS_EVENT_MESSAGE) {
            if (sms_empty(e->from) || !e->body || (e->n_media && !e->media))
                return SB_EINVAL;
            for (size_t m = 0; m < e->n_media; m++)
                if (!e->media[m].url && !e->media[m].data_b64)
                    return SB_EINVAL;
        } else if (e->kind != SMS_EVENT_STATUS) {
            return SB_EINTERNAL;
        }
    }
    return 0;
}

int sms_parse(const struct sms_provider *p, const struct sms_account_creds *c,
              const struct sms_http_request *rq, enum sms_hook hook, struct arena *a,
              struct sms_events *out)
{
    struct sms_ctx x;
    out->items = NULL;
    out->n = 0;
    ctx_init(&x, p, c, NULL, a); /* broken options: the adapter's defaults apply */
    int r;
    if (!rq || (rq->body_len && !rq->body))
        r = SB_EINVAL;
    else if (rq->body_len > SMS_HOOK_BODY_MAX || (rq->url && strlen(rq->url) > SMS_URL_MAX))
        r = SB_ETOOBIG;
    else
        r = p->parse(&x, rq, hook, out);
    if (!r)
        r = events_valid(out);
    if (r) {
        out->items = NULL;
        out->n = 0;
    }
    ctx_cleanup(&x);
    return r;
}

int sms_build_send(const struct sms_provider *p, const struct sms_account_creds *c,
                   const struct sms_env *env, const struct sms_outbound *m, const char *session,
                   struct arena *a, struct sms_http_out *out, const char **why)
{
    static const struct sms_env no_env;
    struct sms_ctx x;
    memset(out, 0, sizeof(*out));
    int r = ctx_init(&x, p, c, env ? env : &no_env, a);
    if (!r) {
        if (!m || sms_empty(m->to) || !m->body || (m->n_media && !m->media_urls))
            r = SB_EINVAL;
        else if (m->n_media > SMS_MEDIA_MAX || strlen(m->body) > SMS_BODY_MAX)
            r = SB_EINVALID, x.why = "message too large";
        else if (sms_needs_session(p, x.c) && sms_empty(session))
            r = SB_EAUTH, x.why = "no session";
        else
            r = p->build_send(&x, m, session, out);
    }
    if (r)
        memset(out, 0, sizeof(*out));
    if (why)
        *why = r ? (x.why ? x.why : sb_err_name(r)) : NULL;
    ctx_cleanup(&x);
    return r;
}

int sms_parse_send(const struct sms_provider *p, const struct sms_account_creds *c,
                   long http_status, const char *body, size_t body_len, struct arena *a,
                   struct sms_send_result *out)
{
    struct sms_ctx x;
    memset(out, 0, sizeof(*out));
    ctx_init(&x, p, c, NULL, a);
    if (!body)
        body_len = 0;
    int r = p->parse_send(&x, http_status, body ? body : "", body_len, out);
    ctx_cleanup(&x);
    return r;
}

bool sms_needs_session(const struct sms_provider *p, const struct sms_account_creds *c)
{
    return p->build_login != NULL;
}

int sms_build_login(const struct sms_provider *p, const struct sms_account_creds *c,
                    const struct sms_env *env, struct arena *a, struct sms_http_out *out,
                    const char **why)
{
    static const struct sms_env no_env;
    struct sms_ctx x;
    memset(out, 0, sizeof(*out));
    if (!p->build_login) {
        if (why)
            *why = "provider has no sessions";
        return SB_ENOTFOUND;
    }
    int r = ctx_init(&x, p, c, env ? env : &no_env, a);
    if (!r)
        r = p->build_login(&x, out);
    if (r)
        memset(out, 0, sizeof(*out));
    if (why)
        *why = r ? (x.why ? x.why : sb_err_name(r)) : NULL;
    ctx_cleanup(&x);
    return r;
}

int sms_parse_login(const struct sms_provider *p, long http_status, const char *body,
                    size_t body_len, struct arena *a, const char **session)
{
    *session = NULL;
    if (!p->parse_login)
        return SB_ENOTFOUND;
    return p->parse_login(a, http_status, body ? body : "", body ? body_len : 0, session);
}
