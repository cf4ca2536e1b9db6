/* /api/v1/messenger/me, /recipients, /unread, /member-search — who the caller can talk to
 * (issue #7 "Recipients"), its unread counts, and the member search of the group form. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/messenger_common.h"
#include "app.h"
#include "core/err.h"
#include "http/respond.h"
#include "messenger/directory.h"
#include "messenger/messages.h"
#include "messenger/messenger.h"
#include "messenger/presence.h"
#include "messenger/text.h"

#define Q_MAX            64 /* characters of a name search */
#define RECIPIENTS_MAX   500
#define SEARCH_MIN_CHARS 3 /* seed: "At the third letter, the system will show you the list" */
#define SEARCH_MAX       50

int api_messenger_me(struct http_req *req)
{
    struct msg_caller c;
    if (!messenger_caller(req, &c))
        return http_replied(req);
    int64_t unread = 0;
    int r = msg_unread_total(c.db, c.who.user_id, &unread);
    if (r)
        return http_reply_error(req, r);
    return http_reply_json(req, 200,
                           json_pack("{s:I, s:b, s:b, s:b, s:i, s:I}", "user_id",
                                     (json_int_t)c.who.user_id, "enabled", 1, "sound_notification",
                                     c.sound, "can_create_groups", c.who.role >= AUTH_ROLE_USER,
                                     "max_message_chars", req->app->messenger->max_chars,
                                     "unread_total", (json_int_t)unread));
}

enum status_filter { ST_ALL, ST_ONLINE, ST_OFFLINE };

struct recip_page {
    struct presence *presence;
    enum status_filter status;
    int64_t limit, offset, total;
    json_t *items;
    int err;
};

static bool recip_row(const struct msgdir_row *row, void *arg)
{
    struct recip_page *pg = arg;
    bool online = presence_is_online(pg->presence, row->id);
    if ((pg->status == ST_ONLINE && !online) || (pg->status == ST_OFFLINE && online))
        return true;
    int64_t i = pg->total++;
    if (i < pg->offset || i >= pg->offset + pg->limit)
        return true;
    json_t *it = json_pack("{s:I, s:s, s:s, s:s, s:b, s:I, s:I}", "id", (json_int_t)row->id,
                           "username", row->username, "name", row->full_name, "role", row->role,
                           "online", online, "unread", (json_int_t)row->unread, "last_message_id",
                           (json_int_t)row->last_message_id);
    if (!it || json_array_append_new(pg->items, it)) {
        pg->err = SB_ENOMEM;
        return false;
    }
    return true;
}

/* Parses an optional integer query parameter in [min, max]; adds an error otherwise. */
static int64_t query_int(struct http_req *req, json_t *p, const char *name, int64_t def,
                         int64_t min, int64_t max, const char *msg)
{
    const char *s = http_query(req, name);
    if (!s)
        return def;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || strlen(s) > 12 || v < min || v > max) {
        http_problem_add_error(p, name, msg);
        return def;
    }
    return v;
}

/* A name search: at most Q_MAX characters, no control characters. */
static bool q_ok(const char *q)
{
    return msg_text_chars(q, strlen(q)) <= Q_MAX && !strpbrk(q, "\r\n\t");
}

int api_messenger_recipients(struct http_req *req)
{
    struct msg_caller c;
    if (!messenger_caller(req, &c))
        return http_replied(req);
    json_t *p = http_problem_new(422, "invalid query", NULL);
    const char *q = http_query(req, "q"), *status = http_query(req, "status");
    struct recip_page pg = {.presence = req->app->messenger->presence};
    if (q && !q_ok(q))
        http_problem_add_error(p, "q", "must be at most 64 characters");
    if (!status || !strcmp(status, "all"))
        pg.status = ST_ALL;
    else if (!strcmp(status, "online"))
        pg.status = ST_ONLINE;
    else if (!strcmp(status, "offline"))
        pg.status = ST_OFFLINE;
    else
        http_problem_add_error(p, "status", "must be all, online or offline");
    pg.limit = query_int(req, p, "limit", 100, 1, RECIPIENTS_MAX, "must be 1 to 500");
    pg.offset = query_int(req, p, "offset", 0, 0, 1000000000, "must be 0 or more");
    if (json_object_get(p, "errors"))
        return http_reply_problem_json(req, p);
    json_decref(p);
    pg.items = json_array();
    if (!pg.items)
        return http_reply_error(req, SB_ENOMEM);
    int r = msgdir_recipients(c.db, c.who.user_id, q, recip_row, &pg);
    if (!r)
        r = pg.err;
    if (r) {
        json_decref(pg.items);
        return http_reply_error(req, r);
    }
    return http_reply_json(
        req, 200, json_pack("{s:o, s:I}", "items", pg.items, "total", (json_int_t)pg.total));
}

int api_messenger_unread(struct http_req *req)
{
    struct msg_caller c;
    if (!messenger_caller(req, &c))
        return http_replied(req);
    json_t *out = NULL;
    int r = msg_unread(c.db, c.who.user_id, &out);
    return r ? http_reply_error(req, r) : http_reply_json(req, 200, out);
}

int api_messenger_member_search(struct http_req *req)
{
    struct msg_caller c;
    if (!messenger_caller(req, &c))
        return http_replied(req);
    if (c.who.role < AUTH_ROLE_USER)
        return http_reply_problem(req, 403,
                                  "only administrators and supervisors manage messenger groups");
    json_t *p = http_problem_new(422, "invalid query", NULL);
    const char *q = http_query(req, "q");
    if (!q || msg_text_chars(q, strlen(q)) < SEARCH_MIN_CHARS || !q_ok(q))
        http_problem_add_error(p, "q", "type at least 3 characters (at most 64)");
    int64_t limit = query_int(req, p, "limit", 20, 1, SEARCH_MAX, "must be 1 to 50");
    if (json_object_get(p, "errors"))
        return http_reply_problem_json(req, p);
    json_decref(p);
    json_t *items = NULL;
    int r = msgdir_search(c.db, q, limit, &items);
    return r ? http_reply_error(req, r) : http_reply_items(req, items);
}
