/* desk.h — helpers shared by the agent desk handlers (api/agent_desk.c, api/interactions.c). */
#ifndef SB_API_DESK_H
#define SB_API_DESK_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth/guard.h"
#include "http/request.h"
#include "routing/acd.h"

struct db;

/* 0 when the caller is a signed-in agent; otherwise the 401/403 is queued and -1 returned. */
int desk_require_agent(struct http_req *req, struct auth_principal *who);

/* Answers an ACD call: its out object with `ok_status` (204 when none), a storage error as
 * usual, or the status's problem (404, 403, 409, or 422 naming the field). Takes r->out. */
int desk_reply(struct http_req *req, struct acd_req *r, int ok_status);

/* The interaction as the desk shows it: {id, channel, account_id, status, unread, owner_id,
 * queue_id, tags, disposition, created_at, closed_at, last_message_at, contact{…}}. 0,
 * SB_ENOTFOUND or a storage error. */
int desk_interaction_json(struct db *db, int64_t id, json_t **out);

/* Who may do what with one interaction (desk_load). */
enum desk_access {
    DESK_READ,   /* read it: the agent holding it or who held it last; administrators;
                    supervisors whose profile reads queues and holds its queue ("spy") */
    DESK_HOLDER, /* act on it: only the agent holding it */
    DESK_STAFF,  /* the agent holding it, administrators and in-scope supervisors (spy notes,
                    canned answers, transcripts) */
};

/* Loads interaction {id} (the route's parameter) for the caller and checks `mode`. true with
 * *id and *ix (desk_interaction_json; the caller owns it). Otherwise the answer is queued —
 * 401/403 for the caller, 404 for anything it may not see (existing or not), 403 for an
 * agent who held it last and wants to act on it — and false returned. HTTP thread. */
bool desk_load(struct http_req *req, struct auth_principal *who, enum desk_access mode, int64_t *id,
               json_t **ix);

#endif
