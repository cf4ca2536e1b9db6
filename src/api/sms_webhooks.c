/* POST /api/sms/accounts/{id}/receive and …/status — the SMS providers' webhooks (issue #6
 * part 2–3). Each request is checked with the account's provider scheme (channels/sms/
 * provider.h: Twilio HMAC-SHA1, Plivo V3/V2, Telnyx Ed25519, Basic, or the URL token) against
 * the CANONICAL public URL (the account's domain + the path + the query as received), never
 * the Host header; anything that fails is refused (401, logged without secrets) and nothing is
 * stored. Inbound messages go through the group-commit writer (acknowledged = committed) and
 * are then routed by the ACD; a retried webhook (same provider message id) stores nothing new.
 * Delivery reports move a message's state forward only (sms_state_rank). The answer is the 2xx
 * the provider expects (sms_webhook_ack). */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "app.h"
#include "channels/sms/provider.h"
#include "channels/sms/sms_accounts.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "db/db.h"
#include "http/respond.h"
#include "interactions/inbound.h"
#include "routing/acd.h"
#include "ws/hub.h"

#define HOOK_HEADERS_MAX 64
#define HOOK_QUERY_MAX   2048

struct kv_collect {
    struct sms_kv kv[HOOK_HEADERS_MAX];
    size_t n;
};

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    (void)kind;
    struct kv_collect *c = cls;
    if (c->n < HOOK_HEADERS_MAX && key)
        c->kv[c->n++] = (struct sms_kv){key, value ? value : ""};
    return MHD_YES;
}

struct query_build {
    char *out;
    size_t cap, len;
    bool overflow;
};

static void put_encoded(struct query_build *q, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        bool plain = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                     (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' || ch == '~';
        if (q->len + 4 >= q->cap) {
            q->overflow = true;
            return;
        }
        if (plain) {
            q->out[q->len++] = (char)ch;
        } else {
            q->out[q->len++] = '%';
            q->out[q->len++] = hex[ch >> 4];
            q->out[q->len++] = hex[ch & 15];
        }
    }
    q->out[q->len] = 0;
}

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    struct query_build *q = cls;
    if (q->len + 2 >= q->cap) {
        q->overflow = true;
        return MHD_NO;
    }
    char sep = q->len ? '&' : '?';
    q->out[q->len++] = sep;
    q->out[q->len] = 0;
    put_encoded(q, key);
    if (value) {
        if (q->len + 2 >= q->cap) {
            q->overflow = true;
            return MHD_NO;
        }
        q->out[q->len++] = '=';
        q->out[q->len] = 0;
        put_encoded(q, value);
    }
    return MHD_YES;
}

/* The account's provider, its credentials in clear, its domain and list. */
struct hook_account {
    const struct sms_provider *p;
    struct sms_account_creds creds;
    json_t *public_form; /* keeps domain / phone / token strings alive */
    json_t *clear;       /* keeps credential strings alive */
    int64_t list_id;
};

static void hook_account_free(struct hook_account *h)
{
    json_decref(h->public_form);
    json_decref(h->clear);
}

static int load_account(struct db *db, int64_t id, struct arena *a, struct hook_account *h)
{
    memset(h, 0, sizeof(*h));
    char type[16];
    int r = sms_account_get(db, id, &h->public_form);
    if (!r)
        r = sms_account_credentials(db, id, type, &h->clear);
    if (r)
        return r;
    h->p = sms_provider_find(type);
    h->list_id = json_integer_value(json_object_get(h->public_form, "list_id"));
    const char *phone = json_string_value(json_object_get(h->public_form, "phone"));
    const char *token = json_string_value(json_object_get(h->public_form, "proxy_token"));
    if (!h->p)
        return SB_EINVAL;
    return sms_creds_from_account(type, h->clear, phone, token, a, &h->creds);
}

/* Applies a delivery report: the message of this account with that provider id moves forward
 * only. Returns the interaction's owner (for the event) in *owner, the message in *message. */
static int apply_status(struct db *db, int64_t account_id, const struct sms_event *ev, int64_t now,
                        int64_t *message, int64_t *owner, int64_t *interaction)
{
    *message = *owner = *interaction = 0;
    struct db_stmt *st = NULL;
    char current[16] = "";
    int r = db_prepare(db,
                       "SELECT m.id, m.delivery_status, m.interaction_id, COALESCE(i.owner_id, 0) "
                       "FROM messages m JOIN interactions i ON i.id = m.interaction_id WHERE "
                       "i.channel = 'sms' AND i.account_id = ? AND m.provider_id = ? AND "
                       "m.direction = 'out'",
                       &st);
    if (!r)
        r = db_bind_all(st, "it", account_id, ev->provider_id);
    if (!r && db_step(st) == DB_ROW) {
        *message = db_col_int64(st, 0);
        snprintf(current, sizeof(current), "%s", db_col_text(st, 1));
        *interaction = db_col_int64(st, 2);
        *owner = db_col_int64(st, 3);
    }
    db_finalize(st);
    if (r || !*message || ev->state == SMS_STATE_NONE)
        return r;
    static const char *const order[] = {"received", "queued", "sent"};
    int stored_rank = 3; /* delivered, undelivered, failed: final */
    for (int i = 0; i < 3; i++)
        if (!strcmp(current, order[i]))
            stored_rank = i;
    if (sms_state_rank(ev->state) <= stored_rank) {
        *message = 0; /* nothing moves backwards */
        return 0;
    }
    /* 'undelivered' is stored as the schema's 'failed' with the provider's word and code. */
    const char *state = ev->state == SMS_STATE_UNDELIVERED ? "failed" : sms_state_name(ev->state);
    return db_execf(db, NULL,
                    "UPDATE messages SET delivery_status = ?, provider_status = ?, error_code = ?, "
                    "updated_at = ? WHERE id = ?",
                    "tttii", state, ev->provider_status, ev->error_code, now, *message);
}

static void tell_owner(struct sb_app *app, int64_t owner, int64_t interaction, int64_t message,
                       const struct sms_event *ev)
{
    if (!owner || !app->hub)
        return;
    char topic[32], msg[512];
    snprintf(topic, sizeof(topic), "user:%lld", (long long)owner);
    int len = snprintf(msg, sizeof(msg),
                       "{\"type\":\"interaction.message_status\",\"data\":{\"interaction_id\":%lld,"
                       "\"message_id\":%lld,\"delivery_status\":\"%s\"}}",
                       (long long)interaction, (long long)message,
                       ev->state == SMS_STATE_UNDELIVERED ? "failed" : sms_state_name(ev->state));
    if (len > 0 && (size_t)len < sizeof(msg))
        hub_publish(app->hub, topic, msg, (size_t)len);
}

/* Providers write international numbers with or without '+' (Plivo, Infobip, Clickatell
 * drop it): one sender is one contact, so 8 to 15 digits become E.164 ("+…"); short codes and
 * alphanumeric senders stay as they are. */
static const char *e164(struct arena *a, const char *from)
{
    size_t n = from ? strlen(from) : 0;
    if (n < 8 || n > 15 || strspn(from, "0123456789") != n)
        return from;
    char *out = arena_sprintf(a, "+%s", from);
    return out ? out : from;
}

static int hook(struct http_req *req, enum sms_hook kind)
{
    int64_t id;
    if (http_param_id(req, "id", &id))
        return http_reply_problem(req, 404, "no such SMS account");
    struct db *db = app_thread_db(req->app);
    if (!db)
        return http_reply_error(req, SB_EUNAVAIL);
    struct arena a;
    arena_init(&a, 64 * 1024);
    struct hook_account acc;
    int r = load_account(db, id, &a, &acc);
    if (r) {
        hook_account_free(&acc);
        arena_cleanup(&a);
        /* An unknown account and a broken one answer alike: nothing to learn from it. */
        log_warn("sms webhook for account %lld refused: account not usable (%d)", (long long)id, r);
        return r == SB_ENOTFOUND || r == SB_EINVAL ? http_reply_problem(req, 401, "not accepted")
                                                   : http_reply_error(req, r);
    }
    char query[HOOK_QUERY_MAX] = "";
    struct query_build q = {query, sizeof(query), 0, false};
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, collect_arg, &q);
    const char *domain = json_string_value(json_object_get(acc.public_form, "domain"));
    char *url = arena_sprintf(&a, "%s%s%s", domain ? domain : "", req->path, query);
    struct kv_collect headers = {.n = 0};
    MHD_get_connection_values(req->conn, MHD_HEADER_KIND, collect_header, &headers);
    struct sms_http_request rq = {req->method,    url,          headers.kv, headers.n,
                                  req->body.data, req->body.len};
    const char *why = NULL;
    int64_t now = clock_now_ms(req->app->clock);
    if (q.overflow || !url || sms_verify(acc.p, &acc.creds, &rq, now / 1000, &a, &why)) {
        log_warn("sms webhook for account %lld refused: %s", (long long)id,
                 q.overflow ? "query too long"
                 : why      ? why
                            : "not authentic");
        hook_account_free(&acc);
        arena_cleanup(&a);
        return http_reply_problem(req, 401, "not accepted");
    }
    struct sms_events evs = {0};
    r = sms_parse(acc.p, &acc.creds, &rq, kind, &a, &evs);
    if (r) {
        hook_account_free(&acc);
        arena_cleanup(&a);
        return http_reply_problem(req, r == SB_ETOOBIG ? 413 : 422,
                                  "the provider's payload cannot be read");
    }
    for (size_t i = 0; !r && i < evs.n; i++) {
        const struct sms_event *ev = &evs.items[i];
        if (ev->kind == SMS_EVENT_MESSAGE) {
            json_t *media = json_array();
            for (size_t k = 0; k < ev->n_media; k++)
                json_array_append_new(media, json_pack("{s:s?, s:s?}", "url", ev->media[k].url,
                                                       "content_type", ev->media[k].content_type));
            char *att = json_dumps(media, JSON_COMPACT);
            json_decref(media);
            struct inbound_msg m = {.channel = "sms",
                                    .account_id = id,
                                    .list_id = acc.list_id,
                                    .phone = e164(&a, ev->from),
                                    .body = ev->body,
                                    .attachments_json = att,
                                    .provider_id = ev->provider_id};
            struct inbound_result res;
            r = req->app->writer ? inbound_store_batched(req->app->writer, &m, now, &res)
                                 : inbound_store(db, &m, now, &res);
            free(att);
            if (!r && !res.duplicate)
                acd_post(req->app->acd, ACD_ROUTE, res.interaction_id);
        } else {
            int64_t message, owner, interaction;
            r = apply_status(db, id, ev, now, &message, &owner, &interaction);
            if (!r && message)
                tell_owner(req->app, owner, interaction, message, ev);
        }
    }
    struct sms_ack ack;
    sms_webhook_ack(acc.p, &ack);
    hook_account_free(&acc);
    arena_cleanup(&a);
    if (r == SB_EINVAL)
        return http_reply_problem(req, 422, "the message cannot be stored as given");
    if (r)
        return http_reply_error(req, r); /* 5xx: the provider retries; nothing was lost */
    return http_reply_text(req, ack.status, ack.content_type, ack.body);
}

int api_sms_receive(struct http_req *req)
{
    return hook(req, SMS_HOOK_RECEIVE);
}

int api_sms_status(struct http_req *req)
{
    return hook(req, SMS_HOOK_STATUS);
}
