/* messenger_common.h — what every /api/v1/messenger handler starts with (api/messenger_*.c).
 * HTTP threads. */
#ifndef SB_API_MESSENGER_COMMON_H
#define SB_API_MESSENGER_COMMON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth/guard.h"
#include "http/request.h"

struct db;

/* Who is asking, once checked. */
struct msg_caller {
    struct auth_principal who;
    struct db *db; /* this thread's connection */
    bool sound;    /* the caller's "Messenger sound notification" */
};

/* Authenticates (any role) and checks that the caller is a staff member who may use the
 * messenger. Returns true with *c filled; otherwise queues 401 (no credentials), 403 (the
 * admin token has no staff account; an agent without "Enable Internal Messenger") or 503
 * and returns false: the handler returns http_replied(req). */
bool messenger_caller(struct http_req *req, struct msg_caller *c);

/* Parses the history query (?before=<id>&limit=1..200, default 50). Queues 422 naming each
 * bad parameter and returns false. */
bool messenger_page_query(struct http_req *req, int64_t *before, int64_t *limit);

/* Parses a send body {"body": "<text>"}: checks the text (messenger/text.h) against
 * messenger.max_message_chars. Returns the parsed body (new reference; the text is
 * json_string_value(json_object_get(ret, "body"))), or NULL with 400/415/422 queued. */
json_t *messenger_send_body(struct http_req *req);

/* Parses a read body {"up_to_id": <id>} (optional field; an empty object or no body means
 * "everything"). Returns true with *up_to (0 = everything), or queues 400/422. */
bool messenger_read_body(struct http_req *req, int64_t *up_to);

/* Takes one message from the caller's rate budget; queues 429 with Retry-After and returns
 * false when it is spent. */
bool messenger_rate_take(struct http_req *req, const struct msg_caller *c);

/* Gives the message back (it was refused after the rate check). */
void messenger_rate_refund(struct http_req *req, const struct msg_caller *c);

/* Answers a committed message: 201 with its JSON (a new reference is taken). */
int messenger_reply_sent(struct http_req *req, json_t *msg);

/* Publishes messenger.read for `c` (to its own connections: other devices clear their
 * badges) with `key` ("peer_id" or "group_id") = id, the marker and the caller's new unread
 * total, and answers 200 with the same data. */
int messenger_reply_read(struct http_req *req, const struct msg_caller *c, const char *key,
                         int64_t id, int64_t marker);

#endif
