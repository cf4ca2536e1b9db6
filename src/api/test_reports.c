/* POST /api/v1/_test/reports/event — a test hook (server.test_hooks only) that writes report
 * rows through the same functions the router thread calls, so the API suites can play the
 * seed's report scenarios before the router is wired:
 *
 *   {"type":"interaction","channel":"sms","phone":"+1555…"}        inbound_store → ids
 *   {"type":"joined","channel":"sms","interaction_id":…,"queue_id":…,"at":ISO}
 *   {"type":"left","interaction_id":…,"queue_id":…,"at":ISO,"reason":…,"agent_id":…}
 *   {"type":"login"|"logout","agent_id":…,"channel":…,"at":ISO}
 *   {"type":"pause","agent_id":…,"reason":…,"at":ISO}   {"type":"unpause","agent_id":…,"at":ISO}
 *
 * Answers 201 (interaction: {interaction_id, contact_id}) or the error of the call (404 when
 * nothing is open to close, 409 when already open, 422 for bad fields). */
#include <string.h>

#include "api/handlers.h"
#include "app.h"
#include "core/err.h"
#include "core/iso8601.h"
#include "http/respond.h"
#include "interactions/inbound.h"
#include "routing/agent_reports.h"

static int64_t id_field(json_t *body, const char *k, json_t *p)
{
    json_t *v = json_object_get(body, k);
    if (!json_is_integer(v) || json_integer_value(v) < 1) {
        http_problem_add_error(p, k, "must be a positive integer");
        return 0;
    }
    return json_integer_value(v);
}

static int64_t at_field(json_t *body, json_t *p)
{
    int64_t at = 0;
    if (!iso8601_parse(json_string_value(json_object_get(body, "at")), &at))
        http_problem_add_error(p, "at", "must be an ISO-8601 time");
    return at;
}

int api_test_report_event(struct http_req *req)
{
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    json_t *p = http_problem_new(422, "invalid report event", NULL);
    const char *type = json_string_value(json_object_get(body, "type"));
    const char *channel = json_string_value(json_object_get(body, "channel"));
    const char *reason = json_string_value(json_object_get(body, "reason"));
    struct db *db = app_thread_db(req->app);
    int r = db ? 0 : SB_EUNAVAIL;
    json_t *out = NULL;
    if (!type) {
        http_problem_add_error(p, "type", "is required");
    } else if (!strcmp(type, "interaction")) {
        struct inbound_msg m = {.channel = channel,
                                .account_id = 1,
                                .phone = json_string_value(json_object_get(body, "phone")),
                                .body = "report test"};
        struct inbound_result res;
        if (!r && !(r = inbound_store(db, &m, clock_now_ms(req->app->clock), &res)))
            out = json_pack("{s:I, s:I}", "interaction_id", (json_int_t)res.interaction_id,
                            "contact_id", (json_int_t)res.contact_id);
    } else if (!strcmp(type, "joined")) {
        int64_t i = id_field(body, "interaction_id", p), q = id_field(body, "queue_id", p);
        int64_t at = at_field(body, p);
        if (!r && !json_object_get(p, "errors"))
            r = report_queue_joined(db, channel, i, q, at);
    } else if (!strcmp(type, "left")) {
        int64_t i = id_field(body, "interaction_id", p), q = id_field(body, "queue_id", p);
        int64_t at = at_field(body, p);
        int64_t agent = reason && !strcmp(reason, "accepted") ? id_field(body, "agent_id", p) : 0;
        if (!r && !json_object_get(p, "errors"))
            r = report_queue_left(db, i, q, at, reason, agent);
    } else if (!strcmp(type, "login") || !strcmp(type, "logout")) {
        int64_t a = id_field(body, "agent_id", p), at = at_field(body, p);
        if (!r && !json_object_get(p, "errors"))
            r = type[3] == 'i' ? report_session_begin(db, a, channel, at)
                               : report_session_end(db, a, channel, at);
    } else if (!strcmp(type, "pause") || !strcmp(type, "unpause")) {
        int64_t a = id_field(body, "agent_id", p), at = at_field(body, p);
        if (!r && !json_object_get(p, "errors"))
            r = type[0] == 'p' ? report_pause_begin(db, a, reason, at)
                               : report_pause_end(db, a, at);
    } else {
        http_problem_add_error(p, "type",
                               "must be interaction, joined, left, login, logout, pause or "
                               "unpause");
    }
    json_decref(body);
    if (json_object_get(p, "errors")) {
        json_decref(out);
        return http_reply_problem_json(req, p);
    }
    json_decref(p);
    if (r == SB_EINVAL)
        r = SB_EINVALID;
    if (r)
        return http_reply_error(req, r);
    return http_reply_json(req, 201, out ? out : json_object());
}
