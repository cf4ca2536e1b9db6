/* GET /api/v1/interactions/{id}/canned-answers?q=&limit=&offset= — the canned answers an
 * agent may use in this interaction (global ones and the interaction's account's), each with
 * `text`: its body rendered for the caller and the interaction's contact and account
 * (interactions/canned.h). For the agent holding the interaction, administrators and
 * in-scope supervisors (desk_load DESK_STAFF). docs/sms.md "Canned answers in the desk". */
#include <stdlib.h>
#include <string.h>

#include "api/desk.h"
#include "api/handlers.h"
#include "app.h"
#include "core/err.h"
#include "db/db.h"
#include "http/respond.h"
#include "interactions/canned.h"

#define DESK_CANNED_Q_MAX 64
#define DESK_CANNED_LIMIT 500

int api_interactions_canned(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    json_t *ix;
    if (!desk_load(req, &who, DESK_STAFF, &id, &ix))
        return http_replied(req);
    const char *channel = json_string_value(json_object_get(ix, "channel"));
    char ch[16];
    snprintf(ch, sizeof(ch), "%s", channel ? channel : "");
    int64_t account = json_integer_value(json_object_get(ix, "account_id"));
    json_decref(ix);
    const char *q = http_query(req, "q"), *ls = http_query(req, "limit"),
               *os = http_query(req, "offset");
    long long limit = ls ? strtoll(ls, NULL, 10) : 100, offset = os ? strtoll(os, NULL, 10) : 0;
    json_t *p = http_problem_new(422, "invalid query", NULL);
    if (q && strlen(q) > DESK_CANNED_Q_MAX)
        http_problem_add_error(p, "q", "must be at most 64 characters");
    if (limit < 1 || limit > DESK_CANNED_LIMIT)
        http_problem_add_error(p, "limit", "must be 1 to 500");
    if (offset < 0)
        http_problem_add_error(p, "offset", "must be 0 or more");
    if (json_object_get(p, "errors"))
        return http_reply_problem_json(req, p);
    json_decref(p);
    struct db *db = app_thread_db(req->app);
    struct canned_filter f = {0};
    f.channel = ch;
    f.account_id = account;
    f.applicable = true;
    f.q = q && *q ? q : NULL;
    json_t *items = NULL;
    int64_t total = 0;
    int r = canned_list(db, &f, limit, offset, &items, &total);
    if (!r)
        r = canned_render_items(db, items, id, who.user_id);
    if (r) {
        json_decref(items);
        return http_reply_error(req, r);
    }
    return http_reply_json(req, 200,
                           json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total",
                                     (json_int_t)total, "limit", (json_int_t)limit, "offset",
                                     (json_int_t)offset));
}
