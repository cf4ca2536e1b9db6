/* memberships.h — what the handlers that change who is in which queue or team share: strict
 * id-list validation and the "queues.changed" event that makes a change visible at once. HTTP
 * threads and job workers. */
#ifndef SB_API_MEMBERSHIPS_H
#define SB_API_MEMBERSHIPS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct sb_app;
struct http_req;

/* The most ids one membership request carries. */
#define MEMBERSHIP_IDS_MAX 1000

/* True when body[field] is an array of 1..max positive integers. Otherwise adds an error
 * naming `field` to `problem` and returns false. */
bool membership_ids_valid(const json_t *body, const char *field, size_t max, json_t *problem);

/* Queues a 422 problem naming "<field>[<index>]" with `message`; returns the MHD_Result. */
int membership_reply_bad_id(struct http_req *req, const char *field, size_t index,
                            const char *message);

/* After a committed change: tells each agent of `agent_ids` (array of integers) on its own
 * topic "user:<id>" and every admin on "role:admin" that queue memberships changed:
 * {"type":"queues.changed","data":{"agent_ids":[…]}} (an agent's event lists only itself;
 * an id repeated in `agent_ids` is told once). Best effort: a full hub queue is logged, never an
 * error for the request. */
void membership_publish(struct sb_app *app, const json_t *agent_ids);

#endif
