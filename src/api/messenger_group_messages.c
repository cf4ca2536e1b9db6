/* /api/v1/messenger/groups/{id}/messages and /read — group messages: history, send (members
 * of a writable group, the creator and administrators always; 403 for the members of a
 * read-only group, with nothing stored), and the read marker. A message reaches every
 * connection of every member who may use the messenger, in one hub command. */
#include <stdlib.h>

#include "api/handlers.h"
#include "api/messenger_common.h"
#include "api/messenger_groups.h"
#include "app.h"
#include "core/err.h"
#include "messenger/events.h"
#include "messenger/groups.h"
#include "messenger/messages.h"

int api_messenger_group_messages_list(struct http_req *req)
{
    struct msg_caller c;
    struct mgroup g;
    bool member;
    int64_t before, limit, total = 0;
    if (!messenger_group_route(req, &c, &g, &member) || !messenger_page_query(req, &before, &limit))
        return http_replied(req);
    json_t *items = NULL;
    int r = msg_history_group(c.db, g.id, before, limit, &items, &total);
    if (r)
        return http_reply_error(req, r);
    return http_reply_json(req, 200,
                           json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total));
}

int api_messenger_group_messages_send(struct http_req *req)
{
    struct msg_caller c;
    struct mgroup g;
    bool member;
    if (!messenger_group_route(req, &c, &g, &member))
        return http_replied(req);
    bool privileged = g.created_by == c.who.user_id || c.who.role == AUTH_ROLE_ADMIN;
    if (!privileged && !g.writable)
        return http_reply_problem(req, 403,
                                  "this group is read-only: only its creator and administrators "
                                  "write to it");
    json_t *body = messenger_send_body(req);
    if (!body)
        return http_replied(req);
    if (!messenger_rate_take(req, &c)) {
        json_decref(body);
        return http_replied(req);
    }
    json_t *msg = NULL;
    int r =
        msg_send_group(c.db, c.who.user_id, g.id, json_string_value(json_object_get(body, "body")),
                       clock_now_ms(req->app->clock), &msg);
    json_decref(body);
    if (r) {
        messenger_rate_refund(req, &c);
        return http_reply_error(req, r);
    }
    /* Committed: from here on a failure only costs the live event, never the answer. */
    int64_t *ids = NULL;
    size_t n = 0;
    if (mgroup_member_ids(c.db, g.id, true, &ids, &n) == 0) {
        int64_t *all = realloc(ids, (n + 1) * sizeof(*all));
        if (all) {
            all[n++] = c.who.user_id; /* the sender's other devices */
            ids = all;
        }
        msg_event_users(req->app->hub, "messenger.message", json_incref(msg), ids, n);
    }
    free(ids);
    int rc = messenger_reply_sent(req, msg);
    json_decref(msg);
    return rc;
}

int api_messenger_group_read(struct http_req *req)
{
    struct msg_caller c;
    struct mgroup g;
    bool member;
    int64_t up_to, marker = 0;
    if (!messenger_group_route(req, &c, &g, &member) || !messenger_read_body(req, &up_to))
        return http_replied(req);
    int r = msg_read_group(c.db, c.who.user_id, g.id, up_to, &marker);
    if (r)
        return http_reply_error(req, r);
    return messenger_reply_read(req, &c, "group_id", g.id, marker);
}
