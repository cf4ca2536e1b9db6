/* API keys of the caller: create (shown once), list, revoke. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "api/handlers.h"
#include "api/json_out.h"
#include "app.h"
#include "auth/apikey.h"
#include "auth/audit.h"
#include "auth/guard.h"
#include "core/err.h"
#include "http/respond.h"

int api_apikeys_create(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_AGENT, &who))
        return http_replied(req);
    if (!who.session_id)
        return http_reply_problem(req, 403, "API keys are created from a logged-in session");
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    json_t *p = http_problem_new(422, "invalid API key", NULL);
    json_t *name_j = json_object_get(body, "name");
    const char *name = json_string_value(name_j);
    if (!name || !*name || json_string_length(name_j) > APIKEY_NAME_MAX ||
        strlen(name) != json_string_length(name_j))
        http_problem_add_error(p, "name", "is required: 1 to 100 characters");
    json_t *days_j = json_object_get(body, "expires_in_days");
    int64_t days = 0;
    if (days_j && !json_is_null(days_j)) {
        if (!json_is_integer(days_j) || json_integer_value(days_j) < 1 ||
            json_integer_value(days_j) > 3650)
            http_problem_add_error(p, "expires_in_days", "must be an integer from 1 to 3650");
        else
            days = json_integer_value(days_j);
    }
    if (json_object_get(p, "errors")) {
        json_decref(body);
        return http_reply_problem_json(req, p);
    }
    json_decref(p);
    struct db *db = app_thread_db(req->app);
    int64_t now = clock_now_ms(req->app->clock), id = 0;
    int64_t expires = days ? now + days * 86400000 : 0;
    char key[APIKEY_LEN + 1];
    int r = db ? apikey_create(db, who.user_id, name, now, expires, key, &id) : SB_EUNAVAIL;
    if (r) {
        json_decref(body);
        return http_reply_error(req, r);
    }
    audit_record(db, now, who.user_id, "apikey.create", "api_key", id, auth_client_ip(req),
                 json_pack("{s:s}", "name", name));
    json_t *out = json_pack("{s:I, s:s, s:s, s:s#, s:o, s:o}", "id", (json_int_t)id, "name", name,
                            "key", key, "prefix", key, (int)12, "created_at", json_time(now),
                            "expires_at", json_time(expires));
    json_decref(body);
    sodium_memzero(key, sizeof(key));
    return http_reply_json(req, 201, out);
}

int api_apikeys_list(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_AGENT, &who))
        return http_replied(req);
    struct db *db = app_thread_db(req->app);
    struct db_stmt *st;
    int r = db ? db_prepare(db,
                            "SELECT id, name, prefix, created_at, COALESCE(last_used_at, 0), "
                            "COALESCE(expires_at, 0) FROM api_keys WHERE staff_id = ? AND "
                            "revoked_at IS NULL ORDER BY id LIMIT 200",
                            &st)
               : SB_EUNAVAIL;
    if (r)
        return http_reply_error(req, r);
    r = db_bind_int64(st, 1, who.user_id);
    json_t *items = json_array();
    while (!r && (r = db_step(st)) == DB_ROW) {
        json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:o, s:o, s:o}", "id",
                                               (json_int_t)db_col_int64(st, 0), "name",
                                               db_col_text(st, 1), "prefix", db_col_text(st, 2),
                                               "created_at", json_time(db_col_int64(st, 3)),
                                               "last_used_at", json_time(db_col_int64(st, 4)),
                                               "expires_at", json_time(db_col_int64(st, 5))));
        r = 0;
    }
    db_finalize(st);
    if (r != DB_DONE) {
        json_decref(items);
        return http_reply_error(req, r);
    }
    return http_reply_items(req, items);
}

int api_apikeys_delete(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_AGENT, &who))
        return http_replied(req);
    int64_t id;
    if (http_param_id(req, "id", &id))
        return http_reply_problem(req, 404, "no such API key");
    struct db *db = app_thread_db(req->app);
    int64_t now = clock_now_ms(req->app->clock);
    /* Admins may revoke anyone's key; others only their own (404 for the rest). */
    int64_t owner = who.role == AUTH_ROLE_ADMIN ? 0 : who.user_id;
    int r = db ? apikey_revoke(db, id, owner, now) : SB_EUNAVAIL;
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such API key");
    if (r)
        return http_reply_error(req, r);
    audit_record(db, now, who.user_id, "apikey.revoke", "api_key", id, auth_client_ip(req), NULL);
    return http_reply_empty(req, 204);
}
