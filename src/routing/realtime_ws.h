/* realtime_ws.h — the supervisors' realtime topic (issue #5 part 7). A client sends
 * {"type":"realtime.subscribe"} on its WebSocket; an administrator's connection joins topic
 * "realtime" (every queue and agent), a supervisor's joins "profile:<its profile id>", where the
 * ACD publishes realtime.queue for the queues of that profile's scope and agent.state for the
 * agents of those queues (the scope follows profile and membership changes at the ACD's next
 * reload). Agents, and supervisors without a profile, are refused (realtime.error 403). The
 * answer is {"type":"realtime.subscribed","data":{…}}. */
#ifndef SB_ROUTING_REALTIME_WS_H
#define SB_ROUTING_REALTIME_WS_H

#include <stdbool.h>
#include <stddef.h>

#include "ws/hub.h"

struct sb_app;

/* Handles the message when it is a realtime command (returns true), else returns false.
 * Hub thread: the scope is read by a job worker, never on the hub thread. */
bool realtime_on_ws_message(struct sb_app *app, struct ws_ref from, const struct hub_identity *who,
                            const char *msg, size_t len);

#endif
