/* rate.h — messages per sender: a token bucket per staff id (issue #7 "rate limit per
 * sender").
 *
 * Each sender may send `burst` messages at once, then `per_minute` per minute on average.
 * Integer arithmetic: one message costs 60,000 units and a bucket gains `per_minute` units per
 * millisecond, so no rounding drifts. The table is bounded (`max_keys`); when it is full,
 * buckets that have refilled completely (equivalent to no entry) are dropped, and if none has,
 * the new sender is let through untracked rather than refused (fail open: senders are
 * authenticated staff, bounded by the staff count long before the table is).
 *
 * Thread-safe (one mutex, O(1) on average). Time comes from the caller. */
#ifndef SB_MESSENGER_RATE_H
#define SB_MESSENGER_RATE_H

#include <stddef.h>
#include <stdint.h>

struct msg_rate;

/* Returns 0 and *out, SB_EINVAL (per_minute, burst or max_keys < 1) or SB_ENOMEM. */
int msg_rate_new(int per_minute, int burst, size_t max_keys, struct msg_rate **out);

/* Frees. NULL is fine. */
void msg_rate_free(struct msg_rate *r);

/* Takes one message from `sender`'s bucket at now_ms. Returns 0, or SB_ETHROTTLED with
 * *retry_after_ms (>= 1) the wait until one message is allowed again; nothing is taken then. */
int msg_rate_take(struct msg_rate *r, int64_t sender, int64_t now_ms, int64_t *retry_after_ms);

/* Gives back the message taken by the last msg_rate_take() of `sender` (the message was then
 * not stored), so refused messages do not count. Never above the burst. */
void msg_rate_refund(struct msg_rate *r, int64_t sender);

#endif
