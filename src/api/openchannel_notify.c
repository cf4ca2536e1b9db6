/* POST /api/openchannel/accounts/{id}/notify — inbound messages of an Open Channel account, in
 * the JSON XCALLY's connectors send: from, body, mapKey, firstName, lastName, threadId,
 * AttachmentId, phone (plus our optional messageId for de-duplication of retries).
 *
 * Authenticated by the account's token (`Authorization: Bearer oct_…`, or `?token=` for
 * connectors that can only set a URL) or by an admin's API key. The answer (200) comes only
 * after the message is committed; then the ACD thread routes it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "app.h"
#include "auth/guard.h"
#include "channels/channel_account.h"
#include "channels/openchannel/oc_accounts.h"
#include "core/err.h"
#include "http/respond.h"
#include "interactions/inbound.h"
#include "routing/acd.h"

/* The caller may post to account `id`: its token, or an admin API key. */
static bool authorized(struct http_req *req, struct db *db, int64_t id)
{
    const char *auth = http_header(req, "Authorization");
    const char *token = NULL;
    if (auth && !strncmp(auth, "Bearer ", 7) && !strncmp(auth + 7, "oct_", 4))
        token = auth + 7;
    else if (!auth)
        token = http_query(req, "token");
    if (token) {
        if (!oc_account_check_token(db, id, token))
            return true;
        http_reply_problem(req, 401, "a valid account token or API key is required");
        return false;
    }
    struct auth_principal who;
    return auth_require(req, AUTH_ROLE_ADMIN, &who) == 0;
}

static const char *text(json_t *body, const char *k, json_t *p)
{
    json_t *v = json_object_get(body, k);
    if (!v || json_is_null(v))
        return NULL;
    if (json_is_integer(v)) { /* connectors send numeric ids and phones */
        char buf[32];
        snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
        json_object_set_new(body, k, json_string(buf));
        v = json_object_get(body, k);
    }
    const char *s = json_string_value(v);
    size_t max = strcmp(k, "body") ? INBOUND_FIELD_MAX : INBOUND_BODY_MAX;
    if (!s)
        http_problem_add_error(p, k, "must be a string");
    else if (strlen(s) > max)
        http_problem_add_error(p, k,
                               strcmp(k, "body") ? "must be at most 256 characters"
                                                 : "must be at most 65536 bytes");
    return s;
}

int api_oc_notify(struct http_req *req)
{
    int64_t id;
    if (http_param_id(req, "id", &id))
        return http_reply_problem(req, 404, "no such Open Channel account");
    struct db *db = app_thread_db(req->app);
    if (!db)
        return http_reply_error(req, SB_EUNAVAIL);
    if (!authorized(req, db, id))
        return http_replied(req);
    struct channel_account acc;
    int r = channel_account_get(db, "openchannel", id, &acc);
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such Open Channel account");
    if (r)
        return http_reply_error(req, r);
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    json_t *p = http_problem_new(422, "invalid message", NULL);
    struct inbound_msg m = {0};
    m.channel = "openchannel";
    m.account_id = id;
    m.list_id = acc.list_id;
    const char *from = text(body, "from", p);
    const char *map_key = text(body, "mapKey", p);
    m.phone = text(body, "phone", p);
    m.channel_key = map_key && *map_key ? map_key : from;
    m.first_name = text(body, "firstName", p);
    m.last_name = text(body, "lastName", p);
    m.body = text(body, "body", p);
    m.thread_id = text(body, "threadId", p);
    m.provider_id = text(body, "messageId", p);
    const char *att = text(body, "AttachmentId", p);
    if (!(from && *from) && !(m.phone && *m.phone) && !(map_key && *map_key) &&
        !json_object_get(p, "errors"))
        http_problem_add_error(p, "from", "is required (or phone, or mapKey)");
    if (!(m.body && *m.body) && !(att && *att) && !json_object_get(p, "errors"))
        http_problem_add_error(p, "body", "is required unless AttachmentId is given");
    if (json_object_get(p, "errors")) {
        json_decref(body);
        return http_reply_problem_json(req, p);
    }
    json_decref(p);
    char *attachments = NULL;
    if (att && *att) {
        json_t *a = json_pack("[{s:s}]", "id", att);
        attachments = a ? json_dumps(a, JSON_COMPACT) : NULL;
        json_decref(a);
    }
    m.attachments_json = attachments;
    struct inbound_result res;
    /* Group commit: concurrent webhooks share one transaction and one fsync. */
    r = req->app->writer
            ? inbound_store_batched(req->app->writer, &m, clock_now_ms(req->app->clock), &res)
            : inbound_store(db, &m, clock_now_ms(req->app->clock), &res);
    free(attachments);
    json_decref(body);
    if (r == SB_EINVAL)
        return http_reply_problem(req, 422, "the message cannot be stored as given");
    if (r)
        return http_reply_error(req, r);
    if (!res.duplicate)
        acd_post(req->app->acd, ACD_ROUTE, res.interaction_id);
    return http_reply_json(req, 200,
                           json_pack("{s:I, s:I, s:I, s:b, s:b}", "interaction_id",
                                     (json_int_t)res.interaction_id, "message_id",
                                     (json_int_t)res.message_id, "contact_id",
                                     (json_int_t)res.contact_id, "new_interaction",
                                     res.new_interaction, "duplicate", res.duplicate));
}
