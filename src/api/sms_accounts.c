/* /api/v1/sms/accounts — SMS accounts (docs/sms.md). Admins only: provider credentials, the
 * proxy token and the receive URLs are integration secrets. Credentials are never answered in
 * full and never written to the audit log (only the names of the changed fields are). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/paging.h"
#include "app.h"
#include "auth/audit.h"
#include "auth/guard.h"
#include "channels/sms/sms_accounts.h"
#include "channels/sms/sms_types.h"
#include "core/err.h"
#include "http/respond.h"

static bool admin_item(struct http_req *req, struct auth_principal *who, int64_t *id)
{
    if (auth_require(req, AUTH_ROLE_ADMIN, who))
        return false;
    if (id && http_param_id(req, "id", id)) {
        http_reply_problem(req, 404, "no such SMS account");
        return false;
    }
    return true;
}

/* The server's public base URL: http.public_url, else the listening address. */
static void default_domain(const struct http_req *req, char out[300])
{
    const struct sb_app *app = req->app;
    if (app->cfg.http_public_url[0])
        snprintf(out, 300, "%s", app->cfg.http_public_url);
    else
        snprintf(out, 300, "http://%s:%d", app->cfg.http_address, app->cfg.http_port);
}

/* {"fields": [names of the body's members]}: what changed, never the values. */
static json_t *changed_fields(const json_t *body)
{
    json_t *names = json_array();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)body, k, v)
    {
        if (!strcmp(k, "credentials") && json_is_object(v)) {
            const char *ck;
            json_t *cv;
            json_object_foreach(v, ck, cv)
            {
                char name[96];
                snprintf(name, sizeof(name), "credentials.%.80s", ck);
                json_array_append_new(names, json_string(name));
            }
        } else {
            json_array_append_new(names, json_string(k));
        }
    }
    return json_pack("{s:o}", "fields", names);
}

static int reply_conflict(struct http_req *req, struct db *db, const json_t *clean, int64_t except)
{
    const char *field = "name";
    int r = sms_account_taken(db, clean, except, &field);
    if (r)
        return http_reply_error(req, r);
    json_t *p = http_problem_new(409, "already taken", NULL);
    http_problem_add_error(p, field,
                           !strcmp(field, "key") ? "another SMS account has this key"
                                                 : "another SMS account has this name");
    return http_reply_problem_json(req, p);
}

int api_sms_accounts_list(struct http_req *req)
{
    struct auth_principal who;
    if (!admin_item(req, &who, NULL))
        return http_replied(req);
    json_t *p = http_problem_new(422, "invalid query", NULL);
    int64_t limit, offset;
    const char *q;
    api_paging(req, &limit, &offset, &q, p);
    const char *type = http_query(req, "type");
    if (type && !sms_type_valid(type))
        http_problem_add_error(p, "type", "is not an SMS account type");
    if (api_problem_has_errors(p))
        return http_reply_problem_json(req, p);
    json_decref(p);
    struct db *db = app_thread_db(req->app);
    json_t *items = NULL;
    int64_t total = 0;
    int r = db ? sms_account_list(db, q, type, limit, offset, &items, &total) : SB_EUNAVAIL;
    if (r)
        return http_reply_error(req, r);
    return http_reply_json(req, 200,
                           json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total));
}

int api_sms_accounts_create(struct http_req *req)
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
    char domain[300];
    default_domain(req, domain);
    json_t *clean = NULL, *errors = NULL;
    int r = sms_account_validate(db, body, NULL, domain, &clean, &errors);
    json_t *detail = r ? NULL : changed_fields(body);
    json_decref(body);
    if (r == SB_EINVALID)
        return http_reply_problem_json(req, http_problem_new(422, "invalid SMS account", errors));
    int64_t now = clock_now_ms(req->app->clock), id = 0;
    if (!r)
        r = sms_account_create(db, clean, now, &id);
    if (r == SB_ECONFLICT) {
        json_decref(detail);
        r = reply_conflict(req, db, clean, 0);
        json_decref(clean);
        return r;
    }
    json_decref(clean);
    if (r == SB_ETOOBIG) {
        json_decref(detail);
        json_t *p = http_problem_new(422, "too many SMS accounts", NULL);
        http_problem_add_error(p, "name", "the server holds at most 1,000 SMS accounts");
        return http_reply_problem_json(req, p);
    }
    json_t *out = NULL;
    if (!r)
        r = sms_account_get(db, id, &out);
    if (r) {
        json_decref(detail);
        return http_reply_error(req, r);
    }
    audit_record(db, now, who.user_id, "sms_account.create", "sms_account", id, auth_client_ip(req),
                 detail);
    return http_reply_json(req, 201, out);
}

int api_sms_accounts_get(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    if (!admin_item(req, &who, &id))
        return http_replied(req);
    struct db *db = app_thread_db(req->app);
    json_t *out = NULL;
    int r = db ? sms_account_get(db, id, &out) : SB_EUNAVAIL;
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such SMS account");
    return r ? http_reply_error(req, r) : http_reply_json(req, 200, out);
}

int api_sms_accounts_patch(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    if (!admin_item(req, &who, &id))
        return http_replied(req);
    struct db *db = app_thread_db(req->app);
    if (!db)
        return http_reply_error(req, SB_EUNAVAIL);
    json_t *current = NULL;
    int r = sms_account_get_private(db, id, &current);
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such SMS account");
    if (r)
        return http_reply_error(req, r);
    json_t *body = http_body_object(req);
    if (!body) {
        json_decref(current);
        return http_replied(req);
    }
    json_t *clean = NULL, *errors = NULL;
    char domain[300];
    default_domain(req, domain);
    r = sms_account_validate(db, body, current, domain, &clean, &errors);
    json_decref(current);
    json_t *detail = r ? NULL : changed_fields(body);
    json_decref(body);
    if (r == SB_EINVALID)
        return http_reply_problem_json(req, http_problem_new(422, "invalid change", errors));
    int64_t now = clock_now_ms(req->app->clock);
    if (!r)
        r = sms_account_update(db, id, clean, now);
    if (r == SB_ECONFLICT) {
        json_decref(detail);
        r = reply_conflict(req, db, clean, id);
        json_decref(clean);
        return r;
    }
    json_decref(clean);
    if (r) {
        json_decref(detail);
        if (r == SB_ENOTFOUND)
            return http_reply_problem(req, 404, "no such SMS account");
        return http_reply_error(req, r);
    }
    audit_record(db, now, who.user_id, "sms_account.update", "sms_account", id, auth_client_ip(req),
                 detail);
    json_t *out = NULL;
    r = sms_account_get(db, id, &out);
    return r ? http_reply_error(req, r) : http_reply_json(req, 200, out);
}

int api_sms_accounts_delete(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    if (!admin_item(req, &who, &id))
        return http_replied(req);
    struct db *db = app_thread_db(req->app);
    int r = db ? sms_account_delete(db, id) : SB_EUNAVAIL;
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such SMS account");
    if (r)
        return http_reply_error(req, r);
    audit_record(db, clock_now_ms(req->app->clock), who.user_id, "sms_account.delete",
                 "sms_account", id, auth_client_ip(req), NULL);
    return http_reply_empty(req, 204);
}

int api_sms_accounts_token(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    if (!admin_item(req, &who, &id))
        return http_replied(req);
    struct db *db = app_thread_db(req->app);
    int64_t now = clock_now_ms(req->app->clock);
    int r = db ? sms_account_new_token(db, id, now) : SB_EUNAVAIL;
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such SMS account");
    if (r)
        return http_reply_error(req, r);
    audit_record(db, now, who.user_id, "sms_account.token", "sms_account", id, auth_client_ip(req),
                 NULL);
    json_t *out = NULL;
    r = sms_account_get(db, id, &out);
    return r ? http_reply_error(req, r) : http_reply_json(req, 200, out);
}

int api_sms_accounts_agents_put(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    if (!admin_item(req, &who, &id))
        return http_replied(req);
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    json_t *ids = json_object_get(body, "agent_ids");
    if (!json_is_array(ids) || json_array_size(ids) > SMS_AGENTS_MAX) {
        json_decref(body);
        json_t *p = http_problem_new(422, "invalid agents", NULL);
        http_problem_add_error(p, "agent_ids", "must be an array of at most 10,000 agent ids");
        return http_reply_problem_json(req, p);
    }
    struct db *db = app_thread_db(req->app);
    size_t bad = 0;
    int r = db ? sms_account_set_agents(db, id, ids, &bad) : SB_EUNAVAIL;
    json_t *detail = r ? NULL : json_pack("{s:O}", "agent_ids", ids);
    json_decref(body);
    if (r == SB_EINVALID) {
        char field[48];
        snprintf(field, sizeof(field), "agent_ids[%zu]", bad);
        json_t *p = http_problem_new(422, "invalid agents", NULL);
        http_problem_add_error(p, field, "is not an agent");
        return http_reply_problem_json(req, p);
    }
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such SMS account");
    if (r) {
        json_decref(detail);
        return http_reply_error(req, r);
    }
    audit_record(db, clock_now_ms(req->app->clock), who.user_id, "sms_account.agents",
                 "sms_account", id, auth_client_ip(req), detail);
    json_t *out = NULL;
    r = sms_account_get(db, id, &out);
    return r ? http_reply_error(req, r) : http_reply_json(req, 200, out);
}
