/* client_logs_notify.h — an agent's client-log state (the agent settings client_logs_enabled
 * and client_log_level, docs/staff-fields.md rows 87–88) as the agent's web client sees it:
 * in GET /api/v1/auth/me, and pushed over the WebSocket when an administrator changes it.
 *
 * Events, published to the topic "user:<id>" (every socket of that agent):
 *   {"type":"client_logs.enabled","data":{"level":"WARNING"}}  switched on, or the level changed
 *                                                              while on
 *   {"type":"client_logs.disabled","data":{}}                  switched off
 * Levels use the client-log API spelling (ERROR, WARNING, INFO, DEBUG), the one the client
 * sends its entries with. */
#ifndef SB_STAFF_CLIENT_LOGS_NOTIFY_H
#define SB_STAFF_CLIENT_LOGS_NOTIFY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "staff/client_logs.h"

struct db;
struct hub;

struct client_logs_state {
    bool enabled;
    enum client_log_level level; /* the minimum level */
};

/* The state stored in an agent settings object; missing or malformed fields read as their
 * defaults (off, ERROR). `settings` may be NULL. Pure. */
struct client_logs_state client_logs_state_of(const json_t *settings);

/* Loads agent `staff_id`'s state with the caller's connection. Returns 0 (the defaults when
 * the account has no agent record) or the database error. */
int client_logs_load_state(struct db *db, int64_t staff_id, struct client_logs_state *out);

/* {"enabled":bool,"level":"ERROR"…} — new reference, NULL on ENOMEM. */
json_t *client_logs_state_json(struct client_logs_state s);

/* After an agent's settings changed from `before` to `after_settings` (committed), tells the
 * agent's sockets when that changes what its client must do (see above); nothing is sent
 * otherwise. Returns 0 (also when nothing was due or `hub` is NULL) or hub_publish's error
 * (logged; the change itself stands). Any thread. */
int client_logs_announce(struct hub *hub, int64_t staff_id, struct client_logs_state before,
                         const json_t *after_settings);

#endif
