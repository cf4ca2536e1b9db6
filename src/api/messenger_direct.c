/* /api/v1/messenger/direct/{peer_id}/… — direct messages (issue #7 "Direct messages"):
 * history pages (newest first), send (201 only after the commit, then messenger.message to
 * both sides' connections), and the read marker. */
#include "api/handlers.h"
#include "api/messenger_common.h"
#include "app.h"
#include "core/err.h"
#include "http/respond.h"
#include "messenger/directory.h"
#include "messenger/events.h"
#include "messenger/messages.h"

/* The caller and the peer of the route. For sending (`to_send`) the peer must be able to use
 * the messenger now (403 otherwise; 404 when deleted); reading history and marking read work
 * with any peer that ever existed, so a deleted user's messages stay readable. Queues the
 * refusal and returns false. */
static bool direct_route(struct http_req *req, struct msg_caller *c, int64_t *peer, bool to_send)
{
    if (!messenger_caller(req, c))
        return false;
    struct msgdir_status st;
    int r = http_param_id(req, "peer_id", peer);
    if (!r && *peer == c->who.user_id) {
        json_t *p = http_problem_new(422, "a conversation needs two people", NULL);
        http_problem_add_error(p, "peer_id", "is yourself");
        http_reply_problem_json(req, p);
        return false;
    }
    if (!r)
        r = msgdir_status(c->db, *peer, &st);
    if (r == SB_ENOTFOUND || (!r && to_send && st.deleted)) {
        http_reply_problem(req, 404, "no such recipient");
        return false;
    }
    if (r) {
        http_reply_error(req, r);
        return false;
    }
    if (to_send && !st.usable) {
        http_reply_problem(req, 403, "this recipient cannot use the internal messenger");
        return false;
    }
    return true;
}

int api_messenger_direct_list(struct http_req *req)
{
    struct msg_caller c;
    int64_t peer, before, limit, total = 0;
    if (!direct_route(req, &c, &peer, false) || !messenger_page_query(req, &before, &limit))
        return http_replied(req);
    json_t *items = NULL;
    int r = msg_history_direct(c.db, c.who.user_id, peer, before, limit, &items, &total);
    if (r)
        return http_reply_error(req, r);
    return http_reply_json(req, 200,
                           json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total));
}

int api_messenger_direct_send(struct http_req *req)
{
    struct msg_caller c;
    int64_t peer;
    if (!direct_route(req, &c, &peer, true))
        return http_replied(req);
    json_t *body = messenger_send_body(req);
    if (!body)
        return http_replied(req);
    if (!messenger_rate_take(req, &c)) {
        json_decref(body);
        return http_replied(req);
    }
    json_t *msg = NULL;
    int r =
        msg_send_direct(c.db, c.who.user_id, peer, json_string_value(json_object_get(body, "body")),
                        clock_now_ms(req->app->clock), &msg);
    json_decref(body);
    if (r) {
        messenger_rate_refund(req, &c);
        return http_reply_error(req, r);
    }
    int64_t to[2] = {c.who.user_id, peer};
    msg_event_users(req->app->hub, "messenger.message", json_incref(msg), to, 2);
    int rc = messenger_reply_sent(req, msg);
    json_decref(msg);
    return rc;
}

int api_messenger_direct_read(struct http_req *req)
{
    struct msg_caller c;
    int64_t peer, up_to, marker = 0;
    if (!direct_route(req, &c, &peer, false) || !messenger_read_body(req, &up_to))
        return http_replied(req);
    int r = msg_read_direct(c.db, c.who.user_id, peer, up_to, &marker);
    if (r)
        return http_reply_error(req, r);
    return messenger_reply_read(req, &c, "peer_id", peer, marker);
}
