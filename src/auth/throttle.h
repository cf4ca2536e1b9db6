/* throttle.h — failed-login throttling by source address and by account (ASVS 6.1.1/6.3.1).
 *
 * Lockout by count (the seed's "max login attempts") lets anyone lock out anyone whose
 * username they know. This module keeps that cheap for attackers to try and expensive to
 * abuse: each key (an address "ip:203.0.113.9" or an account "user:42") has a sliding window
 * of recent failures; past a free allowance every further attempt must wait an exponentially
 * growing delay (capped), answered 429 with Retry-After without checking the password. A
 * success clears the key. The table is bounded: when full, the entry idle longest is evicted.
 *
 * Thread-safe (one mutex; every call is O(1) on average). Time comes from the caller (virtual
 * clock in tests). */
#ifndef SB_AUTH_THROTTLE_H
#define SB_AUTH_THROTTLE_H

#include <stddef.h>
#include <stdint.h>

struct throttle;

struct throttle_config {
    size_t max_keys;       /* table bound, e.g. 65536 */
    int free_failures;     /* failures within the window before delays start, e.g. 5 */
    int64_t window_ms;     /* failures older than this are forgotten, e.g. 15 min */
    int64_t base_delay_ms; /* first delay, doubled per further failure, e.g. 1 s */
    int64_t max_delay_ms;  /* delay cap, e.g. 15 min */
};

/* Returns 0 and *out, or SB_EINVAL / SB_ENOMEM. */
int throttle_new(const struct throttle_config *cfg, struct throttle **out);

/* Frees. NULL is fine. */
void throttle_free(struct throttle *t);

/* Returns 0 when `key` may try now, or SB_ETHROTTLED with *retry_after_ms (> 0) set. */
int throttle_check(struct throttle *t, const char *key, int64_t now_ms, int64_t *retry_after_ms);

/* Records a failed attempt for `key` at now_ms. Never fails (a full table evicts). */
void throttle_fail(struct throttle *t, const char *key, int64_t now_ms);

/* Forgets `key` (after a success). */
void throttle_clear(struct throttle *t, const char *key);

/* Number of keys tracked (for metrics/tests). */
size_t throttle_size(struct throttle *t);

#endif
