#include <microhttpd.h>

#include "admin/settings.h"
#include "api/handlers.h"
#include "app.h"
#include "auth/audit.h"
#include "auth/guard.h"
#include "core/err.h"
#include "http/respond.h"

int api_settings_list(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_ADMIN, &who))
        return http_replied(req);
    json_t *items = settings_describe();
    if (!items)
        return http_reply_error(req, SB_ENOMEM);
    return http_reply_items(req, items);
}

int api_settings_patch(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_ADMIN, &who))
        return http_replied(req);
    json_t *patch = http_body_object(req);
    if (!patch)
        return http_replied(req);
    struct db *db = app_thread_db(req->app);
    json_t *errors = NULL;
    int64_t now = clock_now_ms(req->app->clock);
    int r = db ? settings_apply(db, patch, now, &errors) : SB_EUNAVAIL;
    if (!r && json_object_size(patch))
        audit_record(db, now, who.user_id, "settings.change", NULL, 0, auth_client_ip(req),
                     json_pack("{s:O}", "changes", patch));
    json_decref(patch);
    if (r == SB_EINVALID)
        return http_reply_problem_json(req, http_problem_new(422, "invalid settings", errors));
    if (r) {
        if (r == SB_EUNAVAIL)
            app_thread_db_release();
        return http_reply_error(req, r);
    }
    return api_settings_list(req);
}

int api_settings_security_get(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_ADMIN, &who))
        return http_replied(req);
    json_t *o = settings_section_get("security.");
    return o ? http_reply_json(req, 200, o) : http_reply_error(req, SB_ENOMEM);
}

int api_settings_security_put(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_ADMIN, &who))
        return http_replied(req);
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    struct db *db = app_thread_db(req->app);
    json_t *errors = NULL;
    int64_t now = clock_now_ms(req->app->clock);
    int r = db ? settings_section_put(db, "security.", body, now, &errors) : SB_EUNAVAIL;
    if (r == SB_EINVALID) {
        json_decref(body);
        return http_reply_problem_json(req,
                                       http_problem_new(422, "invalid security settings", errors));
    }
    if (!r)
        audit_record(db, now, who.user_id, "settings.change", NULL, 0, auth_client_ip(req),
                     json_pack("{s:{s:O}}", "changes", "security", body));
    json_decref(body);
    if (r)
        return http_reply_error(req, r);
    return api_settings_security_get(req);
}
