/* messenger_common.c — the shared start of the messenger handlers (contract in
 * messenger_common.h). */
#include "api/messenger_common.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/err.h"
#include "http/respond.h"
#include "messenger/directory.h"
#include "messenger/events.h"
#include "messenger/messages.h"
#include "messenger/messenger.h"
#include "messenger/rate.h"
#include "messenger/text.h"

#define PAGE_DEFAULT 50
#define PAGE_MAX     200

bool messenger_caller(struct http_req *req, struct msg_caller *c)
{
    memset(c, 0, sizeof(*c));
    if (auth_require(req, AUTH_ROLE_AGENT, &c->who))
        return false;
    if (c->who.user_id <= 0) {
        http_reply_problem(req, 403, "the internal messenger needs a staff account");
        return false;
    }
    c->db = app_thread_db(req->app);
    if (!c->db || !req->app->messenger) {
        http_reply_error(req, SB_EUNAVAIL);
        return false;
    }
    struct msgdir_status st;
    int r = msgdir_status(c->db, c->who.user_id, &st);
    if (r && r != SB_ENOTFOUND) {
        http_reply_error(req, r);
        return false;
    }
    c->sound = st.sound;
    if (r || !st.usable) {
        http_reply_problem(req, 403, "the internal messenger is not enabled for this account");
        return false;
    }
    return true;
}

/* Parses a decimal int64 in [min, max]; false otherwise. */
static bool parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (!s || !*s || strlen(s) > 19)
        return false;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

bool messenger_page_query(struct http_req *req, int64_t *before, int64_t *limit)
{
    *before = 0;
    *limit = PAGE_DEFAULT;
    json_t *p = http_problem_new(422, "invalid query", NULL);
    const char *b = http_query(req, "before"), *l = http_query(req, "limit");
    if (b && !parse_int(b, 1, INT64_MAX, before))
        http_problem_add_error(p, "before", "must be a message id");
    if (l && !parse_int(l, 1, PAGE_MAX, limit))
        http_problem_add_error(p, "limit", "must be 1 to 200");
    if (json_object_get(p, "errors")) {
        http_reply_problem_json(req, p);
        return false;
    }
    json_decref(p);
    return true;
}

json_t *messenger_send_body(struct http_req *req)
{
    json_t *body = http_body_object(req);
    if (!body)
        return NULL;
    json_t *p = http_problem_new(422, "nothing was sent", NULL);
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v)
    {
        if (strcmp(k, "body"))
            http_problem_add_error(p, k, "unknown field");
    }
    json_t *text = json_object_get(body, "body");
    const char *s = json_string_value(text), *why = NULL;
    int max = req->app->messenger->max_chars;
    if (!s) {
        http_problem_add_error(p, "body", "is required: the message text");
    } else if (strlen(s) != json_string_length(text)) {
        http_problem_add_error(p, "body", "must not contain NUL characters");
    } else if (msg_text_check(s, json_string_length(text), max, &why)) {
        char msg[96];
        if (!strcmp(why, "is too long"))
            snprintf(msg, sizeof(msg), "is too long: at most %d characters", max);
        else
            snprintf(msg, sizeof(msg), "%s", why);
        http_problem_add_error(p, "body", msg);
    }
    if (json_object_get(p, "errors")) {
        json_decref(body);
        http_reply_problem_json(req, p);
        return NULL;
    }
    json_decref(p);
    return body;
}

bool messenger_read_body(struct http_req *req, int64_t *up_to)
{
    *up_to = 0;
    if (req->body.len == 0)
        return true;
    json_t *body = http_body_object(req);
    if (!body)
        return false;
    json_t *p = http_problem_new(422, "invalid read marker", NULL);
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v)
    {
        if (strcmp(k, "up_to_id"))
            http_problem_add_error(p, k, "unknown field");
    }
    json_t *u = json_object_get(body, "up_to_id");
    if (u && (!json_is_integer(u) || json_integer_value(u) < 1))
        http_problem_add_error(p, "up_to_id", "must be a message id");
    else if (u)
        *up_to = json_integer_value(u);
    json_decref(body);
    if (json_object_get(p, "errors")) {
        http_reply_problem_json(req, p);
        return false;
    }
    json_decref(p);
    return true;
}

bool messenger_rate_take(struct http_req *req, const struct msg_caller *c)
{
    int64_t wait = 0;
    if (!msg_rate_take(req->app->messenger->rate, c->who.user_id, clock_mono_ms(req->app->clock),
                       &wait))
        return true;
    char secs[24];
    snprintf(secs, sizeof(secs), "%lld", (long long)((wait + 999) / 1000));
    http_add_header(req, MHD_HTTP_HEADER_RETRY_AFTER, secs);
    http_reply_problem(req, 429, "too many messages: wait a moment");
    return false;
}

void messenger_rate_refund(struct http_req *req, const struct msg_caller *c)
{
    msg_rate_refund(req->app->messenger->rate, c->who.user_id);
}

int messenger_reply_sent(struct http_req *req, json_t *msg)
{
    return http_reply_json(req, 201, json_incref(msg));
}

int messenger_reply_read(struct http_req *req, const struct msg_caller *c, const char *key,
                         int64_t id, int64_t marker)
{
    int64_t total = 0;
    int r = msg_unread_total(c->db, c->who.user_id, &total);
    if (r)
        return http_reply_error(req, r);
    json_t *data = json_pack("{s:I, s:I, s:I}", key, (json_int_t)id, "last_read_id",
                             (json_int_t)marker, "unread_total", (json_int_t)total);
    if (!data)
        return http_reply_error(req, SB_ENOMEM);
    msg_event_users(req->app->hub, "messenger.read", json_incref(data), &c->who.user_id, 1);
    return http_reply_json(req, 200, data);
}
