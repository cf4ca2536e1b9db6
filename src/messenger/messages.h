/* messages.h — messenger messages: storing (one transaction each: acknowledged means
 * committed), history pages, read state and unread counts (issue #7 "Direct messages").
 *
 * Read state is a marker per reader and conversation (messenger_direct.last_read_id,
 * messenger_group_members.last_read_id): a message is unread when its id is above the marker
 * and someone else sent it. A sender's own message moves the sender's marker, so it is never
 * unread for them. Markers never move backwards. Counting unread messages costs one index
 * range scan over the unread ones per conversation.
 *
 * Every function takes the caller's connection and returns 0 or a negative sb_err; on error
 * nothing is changed. */
#ifndef SB_MESSENGER_MESSAGES_H
#define SB_MESSENGER_MESSAGES_H

#include <jansson.h>
#include <stdint.h>

struct db;

/* Stores a direct message from `sender` to `recipient` (sender != recipient, both checked by
 * the caller) with its conversation rows for both sides. *out gets the message's JSON (new
 * reference): {id, sender: {person}, recipient_id, group_id: null, body, created_at}. */
int msg_send_direct(struct db *db, int64_t sender, int64_t recipient, const char *body,
                    int64_t now_ms, json_t **out);

/* Stores a message from `sender` to group `group_id` (rights checked by the caller). *out as
 * msg_send_direct with group_id set and recipient_id null. */
int msg_send_group(struct db *db, int64_t sender, int64_t group_id, const char *body,
                   int64_t now_ms, json_t **out);

/* A page of history, newest first: at most `limit` messages with an id below `before`
 * (0 = from the newest). *items gets the array, *total the number of messages in the whole
 * conversation. */
int msg_history_direct(struct db *db, int64_t self, int64_t peer, int64_t before, int64_t limit,
                       json_t **items, int64_t *total);
int msg_history_group(struct db *db, int64_t group_id, int64_t before, int64_t limit,
                      json_t **items, int64_t *total);

/* Moves `self`'s read marker of the conversation to `up_to` (0 = its newest message; capped
 * at the newest), never backwards. *marker gets the marker afterwards (0 when `self` has no
 * such conversation or is no member). */
int msg_read_direct(struct db *db, int64_t self, int64_t peer, int64_t up_to, int64_t *marker);
int msg_read_group(struct db *db, int64_t self, int64_t group_id, int64_t up_to, int64_t *marker);

/* `self`'s unread messages: *out = {total, direct: [{peer_id, count}], groups: [{group_id,
 * count}]} with only the conversations that have unread messages (new reference). */
int msg_unread(struct db *db, int64_t self, json_t **out);

/* Just the total of msg_unread. */
int msg_unread_total(struct db *db, int64_t self, int64_t *total);

#endif
