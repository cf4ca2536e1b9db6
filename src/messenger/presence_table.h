/* presence_table.h — who is online, as a pure state machine (issue #7 "Recipients").
 *
 * A user is online while at least one of their WebSockets is open, and for `grace_ms` after
 * the last one closed, so a page reload (close, then open within the grace) changes nothing.
 * Callers feed connection ups and downs and the current time, and learn which changes to
 * announce. Not thread-safe: one owner (messenger/presence.c) drives it; time comes from the
 * caller, so tests drive it with plain numbers.
 *
 * Memory: one entry per user with an open connection or in grace; at most `max_users` entries
 * (a connection beyond is not tracked and never makes its user online: SB_EFULL). */
#ifndef SB_MESSENGER_PRESENCE_TABLE_H
#define SB_MESSENGER_PRESENCE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pres_entry {
    int64_t user_id;    /* 0 = empty slot */
    uint32_t conns;     /* open connections */
    int64_t offline_at; /* conns == 0: when the grace ends */
};

struct pres_table {
    struct pres_entry *slots; /* open addressing, power of two, at most half full */
    size_t mask;
    size_t count;
    size_t max_users;
    size_t in_grace; /* entries with conns == 0 */
};

enum pres_change { PRES_NONE = 0, PRES_ONLINE = 1, PRES_OFFLINE = 2 };

/* Sets up an empty table for at most `max_users` (>= 1) users. 0, SB_EINVAL or SB_ENOMEM. */
int pres_table_init(struct pres_table *t, size_t max_users);

/* Frees the slots. */
void pres_table_cleanup(struct pres_table *t);

/* A connection of `user_id` (> 0) opened. *change is PRES_ONLINE when the user was offline
 * (neither connected nor in grace), else PRES_NONE. Returns 0, SB_EINVAL or SB_EFULL (the
 * table holds max_users others: nothing changes). */
int pres_conn_up(struct pres_table *t, int64_t user_id, enum pres_change *change);

/* A connection of `user_id` closed at now_ms. With other connections still open nothing
 * changes; for the last one the user enters the grace (PRES_NONE), or with grace_ms 0 goes
 * offline at once (PRES_OFFLINE). An unknown user (never counted up) changes nothing. */
enum pres_change pres_conn_down(struct pres_table *t, int64_t user_id, int64_t now_ms,
                                int64_t grace_ms);

/* Removes the users whose grace ended at or before now_ms and writes up to `cap` of their
 * ids to `out`; returns how many were written (call again while it returns `cap`). */
size_t pres_expire(struct pres_table *t, int64_t now_ms, int64_t *out, size_t cap);

/* The earliest end of a grace, or INT64_MAX when nobody is in grace. O(entries). */
int64_t pres_next_deadline(const struct pres_table *t);

/* True when `user_id` is online (connected or in grace). */
bool pres_is_online(const struct pres_table *t, int64_t user_id);

#endif
