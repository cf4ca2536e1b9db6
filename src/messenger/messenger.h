/* messenger.h — the internal messenger's process-wide parts (issue #7; docs/messenger.md):
 * presence (its own thread), the per-sender rate limit and the limits from [messenger].
 * Storage is messages.h / groups.h / directory.h; the API is src/api/messenger_*.c.
 *
 * Life cycle, in cmd_serve: hub_start with .on_conn = messenger_on_conn and .on_conn_user =
 * the app; messenger_start (sets app->messenger) before the HTTP server starts;
 * messenger_stop before hub_shutdown (no event may go to a freed hub); messenger_free after
 * it (the hub calls messenger_on_conn until it is gone). */
#ifndef SB_MESSENGER_MESSENGER_H
#define SB_MESSENGER_MESSENGER_H

#include <stdbool.h>

#include "ws/hub.h"

struct sb_app;
struct presence;
struct msg_rate;

struct messenger {
    struct presence *presence;
    struct msg_rate *rate;
    int max_chars; /* messenger.max_message_chars */
};

/* Builds the messenger from app->cfg and starts presence; sets app->messenger. Returns 0,
 * SB_EINVAL, SB_ENOMEM or SB_EIO. Main thread, after hub_start. */
int messenger_start(struct sb_app *app);

/* Stops presence (see the life cycle above). NULL is fine. */
void messenger_stop(struct messenger *m);

/* Frees. NULL is fine. */
void messenger_free(struct messenger *m);

/* The hub's connection observer (hub_conn_fn); `user` is the struct sb_app. Hub thread. The
 * app's messenger pointer is set before the HTTP server starts, so before any adoption. */
void messenger_on_conn(struct hub *h, struct ws_ref ref, const struct hub_identity *who, bool up,
                       void *user);

/* Handles a client message on the WebSocket if it is a messenger command; returns false for
 * anything else (the caller goes on). Commands: {"type":"messenger.subscribe"} asks for
 * presence events on this socket (answered {"type":"messenger.subscribed"} or
 * {"type":"messenger.error"}). Hub thread; never blocks (the work runs on the presence
 * thread). */
bool messenger_on_ws_message(struct sb_app *app, struct ws_ref from, const struct hub_identity *who,
                             const char *msg, size_t len);

#endif
