/* events.h — the messenger's WebSocket events (docs/messenger.md "Events"):
 * `messenger.message`, `messenger.read`, `messenger.presence`, `messenger.group`, each
 * {"type": …, "data": …}.
 *
 * Events are hints sent after the commit; the REST answers are the truth (a client that
 * reconnects reads counts and history again). A failure to queue one is logged and dropped,
 * never turned into an error for the request that caused it. Any thread. */
#ifndef SB_MESSENGER_EVENTS_H
#define SB_MESSENGER_EVENTS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct hub;

/* The topic every connection of a user who may use the messenger is subscribed to (presence
 * goes there). */
#define MSG_TOPIC "messenger"

/* Sends {"type": type, "data": data} to every connection of the users ids[0..n). Takes
 * `data`. NULL hub or n == 0: nothing. */
void msg_event_users(struct hub *h, const char *type, json_t *data, const int64_t *ids, size_t n);

/* Sends {"type": type, "data": data} to `topic`. Takes `data`. */
void msg_event_topic(struct hub *h, const char *topic, const char *type, json_t *data);

#endif
