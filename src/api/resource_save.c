#include "api/resource_save.h"

#include <stdio.h>

#include "app.h"
#include "auth/audit.h"
#include "auth/guard.h"
#include "core/err.h"
#include "http/respond.h"

static int reply_missing(struct http_req *req, const struct resource_kind *kind)
{
    char detail[64];
    snprintf(detail, sizeof(detail), "no such %s", kind->name);
    return http_reply_problem(req, 404, detail);
}

int resource_save(struct http_req *req, const struct resource_kind *kind, int64_t id, int64_t actor,
                  void *get_arg)
{
    struct db *db = app_thread_db(req->app);
    if (!db)
        return http_reply_error(req, SB_EUNAVAIL);
    json_t *current = NULL;
    int r = id ? kind->get(db, id, get_arg, &current) : 0;
    if (r == SB_ENOTFOUND)
        return reply_missing(req, kind);
    if (r)
        return http_reply_error(req, r);
    json_t *body = http_body_object(req);
    if (!body) {
        json_decref(current);
        return http_replied(req);
    }
    json_t *clean = NULL, *errors = NULL;
    r = kind->validate(db, body, current, &clean, &errors);
    json_decref(current);
    if (r == SB_EINVALID) {
        json_decref(body);
        char title[64];
        snprintf(title, sizeof(title), id ? "invalid change" : "invalid %s", kind->name);
        return http_reply_problem_json(req, http_problem_new(422, title, errors));
    }
    int64_t now = clock_now_ms(req->app->clock);
    bool create = !id;
    if (!r)
        r = create ? kind->create(db, clean, now, &id) : kind->update(db, id, clean, now);
    json_decref(clean);
    if (!r) {
        char action[48];
        const char *audit = kind->audit_name ? kind->audit_name : kind->name;
        snprintf(action, sizeof(action), "%s.%s", audit, create ? "create" : "update");
        audit_record(db, now, actor, action, audit, id, auth_client_ip(req),
                     json_pack("{s:O}", "changes", body));
    }
    json_decref(body);
    if (r == SB_ECONFLICT) {
        json_t *p = http_problem_new(409, "already taken", NULL);
        http_problem_add_error(p, kind->unique_field, kind->unique_message);
        return http_reply_problem_json(req, p);
    }
    if (r == SB_ETOOBIG && kind->full_field) {
        json_t *p = http_problem_new(422, kind->full_title, NULL);
        http_problem_add_error(p, kind->full_field, kind->full_message);
        return http_reply_problem_json(req, p);
    }
    if (r == SB_ENOTFOUND && create && kind->ref_field) {
        char title[64];
        snprintf(title, sizeof(title), "invalid %s", kind->name);
        json_t *p = http_problem_new(422, title, NULL);
        http_problem_add_error(p, kind->ref_field, kind->ref_message);
        return http_reply_problem_json(req, p);
    }
    if (r == SB_ENOTFOUND)
        return reply_missing(req, kind);
    json_t *out = NULL;
    if (!r)
        r = kind->get(db, id, get_arg, &out);
    return r ? http_reply_error(req, r) : http_reply_json(req, create ? 201 : 200, out);
}
