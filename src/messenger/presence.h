/* presence.h — messenger presence, live (issue #7 "Recipients"): the presence thread.
 *
 * The hub reports every signed-in connection that opens or closes (presence_note, on the hub
 * thread); the presence thread owns the state machine (presence_table.h) and
 *  - subscribes each connection of a user who may use the messenger to the "messenger"
 *    topic (one database read per connection, on this thread's own connection),
 *  - announces {"type":"messenger.presence","data":{"user_id","online"}} there when a user
 *    comes online (first connection) or goes offline (grace over after the last one),
 *  - ends graces on time: it sleeps until the next one ends, waking at least every 250 ms
 *    while one is pending, so a test that moves the server clock forward sees it promptly.
 * HTTP threads read the state under a mutex (presence_is_online): the writes stay on the
 * presence thread, the lock only makes the reads safe.
 *
 * Presence is per node: with several nodes on PostgreSQL a user connected to another node
 * counts as offline here (docs/messenger.md). */
#ifndef SB_MESSENGER_PRESENCE_H
#define SB_MESSENGER_PRESENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ws/hub.h"

struct sb_app;
struct presence;

/* Starts the presence thread for at most `max_users` tracked users, with `grace_ms`, using
 * app->hub and app->clock. Returns 0, SB_EINVAL, SB_ENOMEM or SB_EIO. */
int presence_start(struct sb_app *app, int64_t grace_ms, size_t max_users, struct presence **out);

/* A connection `ref` of `user_id` opened (`up`) or closed. Never blocks; after
 * presence_stop() it does nothing. Any thread (the hub's). */
void presence_note(struct presence *p, struct ws_ref ref, int64_t user_id, bool up);

/* The client of connection `ref` (of `user_id`) asked for presence events. Never blocks;
 * after presence_stop() it does nothing. Any thread (the hub's). */
void presence_subscribe(struct presence *p, struct ws_ref ref, int64_t user_id);

/* True when `user_id` is online now. Any thread. */
bool presence_is_online(struct presence *p, int64_t user_id);

/* Stops the thread (pending notes are dropped) and closes its database connection. Call
 * before the hub shuts down. NULL is fine. */
void presence_stop(struct presence *p);

/* Frees; after presence_stop() and after the hub is gone (it may still call
 * presence_note). NULL is fine. */
void presence_free(struct presence *p);

#endif
