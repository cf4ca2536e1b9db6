/* /api/v1/openchannel/accounts — Open Channel accounts. Admins only: an account's token and
 * reply URL are integration secrets and destinations, not a supervisor's business. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/resource_save.h"
#include "app.h"
#include "auth/audit.h"
#include "auth/guard.h"
#include "channels/openchannel/oc_accounts.h"
#include "core/err.h"
#include "http/respond.h"

static int get_account(struct db *db, int64_t id, void *arg, json_t **out)
{
    (void)arg;
    return oc_account_get(db, id, out);
}

static int create_unused(struct db *db, const json_t *clean, int64_t now, int64_t *id)
{
    char token[OC_TOKEN_LEN + 1];
    return oc_account_create(db, clean, now, id, token);
}

static const struct resource_kind account_kind = {
    .name = "openchannel_account",
    .unique_field = "name",
    .unique_message = "another Open Channel account has this name",
    .validate = oc_account_validate,
    .create = create_unused,
    .update = oc_account_update,
    .get = get_account,
};

static bool admin_item(struct http_req *req, struct auth_principal *who, int64_t *id)
{
    if (auth_require(req, AUTH_ROLE_ADMIN, who))
        return false;
    if (id && http_param_id(req, "id", id)) {
        http_reply_problem(req, 404, "no such Open Channel account");
        return false;
    }
    return true;
}

int api_oc_accounts_list(struct http_req *req)
{
    struct auth_principal who;
    if (!admin_item(req, &who, NULL))
        return http_replied(req);
    const char *q = http_query(req, "q");
    const char *ls = http_query(req, "limit"), *os = http_query(req, "offset");
    long long limit = ls ? strtoll(ls, NULL, 10) : 50, offset = os ? strtoll(os, NULL, 10) : 0;
    json_t *p = http_problem_new(422, "invalid query", NULL);
    if (q && strlen(q) > 64)
        http_problem_add_error(p, "q", "must be at most 64 characters");
    if (limit < 1 || limit > 500)
        http_problem_add_error(p, "limit", "must be 1 to 500");
    if (offset < 0)
        http_problem_add_error(p, "offset", "must be 0 or more");
    if (json_object_get(p, "errors"))
        return http_reply_problem_json(req, p);
    json_decref(p);
    struct db *db = app_thread_db(req->app);
    json_t *items = NULL;
    int64_t total = 0;
    int r = db ? oc_account_list(db, q, limit, offset, &items, &total) : SB_EUNAVAIL;
    if (r)
        return http_reply_error(req, r);
    return http_reply_json(req, 200,
                           json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total));
}

int api_oc_accounts_create(struct http_req *req)
{
    struct auth_principal who;
    if (!admin_item(req, &who, NULL))
        return http_replied(req);
    struct db *db = app_thread_db(req->app);
    if (!db)
        return http_reply_error(req, SB_EUNAVAIL);
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    json_t *clean = NULL, *errors = NULL;
    int r = oc_account_validate(db, body, NULL, &clean, &errors);
    json_decref(body);
    if (r == SB_EINVALID)
        return http_reply_problem_json(
            req, http_problem_new(422, "invalid Open Channel account", errors));
    int64_t now = clock_now_ms(req->app->clock), id = 0;
    char token[OC_TOKEN_LEN + 1] = "";
    if (!r)
        r = oc_account_create(db, clean, now, &id, token);
    json_decref(clean);
    if (r == SB_ECONFLICT) {
        json_t *p = http_problem_new(409, "already taken", NULL);
        http_problem_add_error(p, "name", "another Open Channel account has this name");
        return http_reply_problem_json(req, p);
    }
    json_t *out = NULL;
    if (!r)
        r = oc_account_get(db, id, &out);
    if (r)
        return http_reply_error(req, r);
    audit_record(db, now, who.user_id, "openchannel_account.create", "openchannel_account", id,
                 auth_client_ip(req), NULL);
    /* The only time the token is shown (with POST …/token). */
    json_object_set_new(out, "token", json_string(token));
    sodium_memzero(token, sizeof(token));
    return http_reply_json(req, 201, out);
}

int api_oc_accounts_get(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    if (!admin_item(req, &who, &id))
        return http_replied(req);
    struct db *db = app_thread_db(req->app);
    json_t *out = NULL;
    int r = db ? oc_account_get(db, id, &out) : SB_EUNAVAIL;
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such Open Channel account");
    return r ? http_reply_error(req, r) : http_reply_json(req, 200, out);
}

int api_oc_accounts_patch(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    if (!admin_item(req, &who, &id))
        return http_replied(req);
    return resource_save(req, &account_kind, id, who.user_id, NULL);
}

int api_oc_accounts_delete(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    if (!admin_item(req, &who, &id))
        return http_replied(req);
    struct db *db = app_thread_db(req->app);
    int r = db ? oc_account_delete(db, id) : SB_EUNAVAIL;
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such Open Channel account");
    if (r)
        return http_reply_error(req, r);
    audit_record(db, clock_now_ms(req->app->clock), who.user_id, "openchannel_account.delete",
                 "openchannel_account", id, auth_client_ip(req), NULL);
    return http_reply_empty(req, 204);
}

int api_oc_accounts_token(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    if (!admin_item(req, &who, &id))
        return http_replied(req);
    struct db *db = app_thread_db(req->app);
    char token[OC_TOKEN_LEN + 1] = "";
    int64_t now = clock_now_ms(req->app->clock);
    int r = db ? oc_account_new_token(db, id, now, token) : SB_EUNAVAIL;
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such Open Channel account");
    if (r)
        return http_reply_error(req, r);
    audit_record(db, now, who.user_id, "openchannel_account.token", "openchannel_account", id,
                 auth_client_ip(req), NULL);
    json_t *out = json_pack("{s:s}", "token", token);
    sodium_memzero(token, sizeof(token));
    return http_reply_json(req, 200, out);
}

int api_oc_accounts_agents_put(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    if (!admin_item(req, &who, &id))
        return http_replied(req);
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    json_t *ids = json_object_get(body, "agent_ids");
    if (!json_is_array(ids) || json_array_size(ids) > 10000) {
        json_decref(body);
        json_t *p = http_problem_new(422, "invalid agents", NULL);
        http_problem_add_error(p, "agent_ids", "must be an array of at most 10,000 agent ids");
        return http_reply_problem_json(req, p);
    }
    struct db *db = app_thread_db(req->app);
    size_t bad = 0;
    int r = db ? oc_account_set_agents(db, id, ids, &bad) : SB_EUNAVAIL;
    json_decref(body);
    if (r == SB_EINVALID) {
        char field[48];
        snprintf(field, sizeof(field), "agent_ids[%zu]", bad);
        json_t *p = http_problem_new(422, "invalid agents", NULL);
        http_problem_add_error(p, field, "is not an agent");
        return http_reply_problem_json(req, p);
    }
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such Open Channel account");
    json_t *out = NULL;
    if (!r)
        r = oc_account_get(db, id, &out);
    return r ? http_reply_error(req, r) : http_reply_json(req, 200, out);
}
