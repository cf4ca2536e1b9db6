/* rate.c — per-sender token buckets (contract in rate.h).
 *
 * Open addressing with linear probing over a power-of-two table at most half full; deletion
 * only happens as a whole-table rebuild when the table is full, so no tombstones are needed. */
#include "messenger/rate.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "core/err.h"

#define UNIT 60000 /* units per message; per_minute units arrive per millisecond */

struct bucket {
    int64_t key; /* 0 = empty slot */
    int64_t units;
    int64_t at_ms;
};

struct msg_rate {
    pthread_mutex_t lock;
    int64_t per_ms; /* units gained per millisecond (= per_minute) */
    int64_t cap;    /* burst * UNIT */
    size_t max_keys;
    size_t nkeys;
    size_t mask;
    struct bucket *b;
};

int msg_rate_new(int per_minute, int burst, size_t max_keys, struct msg_rate **out)
{
    *out = NULL;
    if (per_minute < 1 || burst < 1 || max_keys < 1 || max_keys > ((size_t)1 << 28))
        return SB_EINVAL;
    struct msg_rate *r = calloc(1, sizeof(*r));
    if (!r)
        return SB_ENOMEM;
    size_t slots = 16;
    while (slots < 2 * max_keys)
        slots *= 2;
    r->b = calloc(slots, sizeof(*r->b));
    if (!r->b) {
        free(r);
        return SB_ENOMEM;
    }
    pthread_mutex_init(&r->lock, NULL);
    r->per_ms = per_minute;
    r->cap = (int64_t)burst * UNIT;
    r->max_keys = max_keys;
    r->mask = slots - 1;
    *out = r;
    return 0;
}

void msg_rate_free(struct msg_rate *r)
{
    if (!r)
        return;
    pthread_mutex_destroy(&r->lock);
    free(r->b);
    free(r);
}

static size_t slot_of(const struct msg_rate *r, int64_t key)
{
    uint64_t h = (uint64_t)key * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 32) & r->mask;
}

/* The bucket of `key`, or the empty slot where it would go. */
static struct bucket *find(struct msg_rate *r, int64_t key)
{
    size_t i = slot_of(r, key);
    while (r->b[i].key && r->b[i].key != key)
        i = (i + 1) & r->mask;
    return &r->b[i];
}

static int64_t refill(const struct msg_rate *r, const struct bucket *b, int64_t now_ms)
{
    int64_t dt = now_ms > b->at_ms ? now_ms - b->at_ms : 0;
    /* dt * per_ms cannot overflow before the bucket is full: cap it first. */
    if (dt >= r->cap / r->per_ms + 1)
        return r->cap;
    int64_t u = b->units + dt * r->per_ms;
    return u > r->cap ? r->cap : u;
}

/* Rebuilds the table without the buckets that are full at now_ms. */
static void sweep(struct msg_rate *r, int64_t now_ms)
{
    size_t slots = r->mask + 1;
    struct bucket *old = malloc(slots * sizeof(*old));
    if (!old)
        return;
    for (size_t i = 0; i < slots; i++)
        old[i] = r->b[i];
    for (size_t i = 0; i < slots; i++)
        r->b[i].key = 0;
    r->nkeys = 0;
    for (size_t i = 0; i < slots; i++) {
        if (!old[i].key || refill(r, &old[i], now_ms) >= r->cap)
            continue;
        *find(r, old[i].key) = old[i];
        r->nkeys++;
    }
    free(old);
}

int msg_rate_take(struct msg_rate *r, int64_t sender, int64_t now_ms, int64_t *retry_after_ms)
{
    int rc = 0;
    pthread_mutex_lock(&r->lock);
    struct bucket *b = find(r, sender);
    if (!b->key) {
        if (r->nkeys >= r->max_keys) {
            sweep(r, now_ms);
            b = find(r, sender);
        }
        if (r->nkeys >= r->max_keys)
            goto out; /* fail open, see rate.h */
        b->key = sender;
        b->units = r->cap;
        b->at_ms = now_ms;
        r->nkeys++;
    }
    int64_t units = refill(r, b, now_ms);
    if (units < UNIT) {
        *retry_after_ms = (UNIT - units + r->per_ms - 1) / r->per_ms;
        if (*retry_after_ms < 1)
            *retry_after_ms = 1;
        rc = SB_ETHROTTLED;
        goto out;
    }
    b->units = units - UNIT;
    b->at_ms = now_ms > b->at_ms ? now_ms : b->at_ms;
out:
    pthread_mutex_unlock(&r->lock);
    return rc;
}

void msg_rate_refund(struct msg_rate *r, int64_t sender)
{
    pthread_mutex_lock(&r->lock);
    struct bucket *b = find(r, sender);
    if (b->key) {
        b->units += UNIT;
        if (b->units > r->cap)
            b->units = r->cap;
    }
    pthread_mutex_unlock(&r->lock);
}
