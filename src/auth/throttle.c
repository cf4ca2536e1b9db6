/* throttle.c — bounded failed-attempt table behind throttle.h.
 *
 * Layout: every entry lives in one slab allocated by throttle_new (max_keys entries, each
 * followed by its timestamp ring), so after throttle_new nothing is ever allocated and
 * throttle_fail cannot fail. calloc'd pages are only touched when an entry is first used, so
 * a large max_keys costs address space, not memory, until keys arrive.
 *
 * Lookup: chained hash table (power-of-two buckets >= max_keys, load <= 1) keyed with SipHash
 * (libsodium crypto_shorthash) under a per-table random key, so attacker-chosen keys cannot be
 * crafted to pile into one bucket.
 *
 * Keys: copied. Keys up to THROTTLE_KEY_MAX bytes are stored as they are; longer keys are
 * stored as their BLAKE2b-256 digest with a `digest` flag that is part of the identity, so a
 * short key can never alias a long one and two long keys alias only on a hash collision.
 *
 * Window: each entry keeps the most recent `ring_cap` failure times, where ring_cap =
 * free_failures + the number of excess failures at which the delay reaches max_delay_ms.
 * Failures in a window are always the most recent ones, so the ring yields the exact count up
 * to ring_cap, and any count beyond it gives the same (capped) delay: the rule is exact with
 * O(ring_cap) memory per key. A failure at time t counts while now - t < window_ms.
 *
 * Eviction: an intrusive doubly linked list ordered by last failure (head = newest). Its tail is
 * both the idlest entry and, when any entry has expired, an expired one; so expired entries are
 * dropped from the tail on every call (amortized O(1)) and a full table evicts the tail.
 * throttle_check does not move an entry: polling while throttled keeps nothing alive.
 *
 * Time is the caller's. It should not go backwards; if concurrent callers pass slightly
 * disordered times, counts are off by at most the reordered failures, and nothing breaks. */
#include "auth/throttle.h"

#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

#define THROTTLE_KEY_MAX     128
#define THROTTLE_FREE_MAX    100 /* NIST 800-63B: no more than 100 consecutive failures */
#define THROTTLE_MAX_KEYS    ((size_t)1 << 24)
#define THROTTLE_MIN_BUCKETS 16

struct throttle_entry {
    struct throttle_entry *lru_prev; /* towards the head (more recent) */
    struct throttle_entry *lru_next; /* towards the tail (idler) */
    struct throttle_entry *chain;    /* next in bucket, or next free entry */
    struct throttle_entry **pprev;   /* the pointer that points at us in the bucket chain */
    uint64_t hash;
    int64_t last_ms;   /* newest failure time */
    uint16_t ring_len; /* stored timestamps, <= ring_cap */
    uint16_t ring_pos; /* where the next timestamp goes */
    uint8_t key_len;
    bool digest; /* key holds the BLAKE2b-256 of a key longer than THROTTLE_KEY_MAX */
    char key[THROTTLE_KEY_MAX];
    int64_t ring[]; /* ring_cap failure times, oldest overwritten first */
};

struct throttle {
    pthread_mutex_t lock;
    struct throttle_config cfg;
    unsigned char hash_key[crypto_shorthash_KEYBYTES];
    struct throttle_entry **buckets;
    size_t bucket_mask;
    unsigned char *slab; /* max_keys entries of `stride` bytes */
    size_t stride;
    size_t slab_used;                 /* entries handed out from the slab so far */
    struct throttle_entry *free_list; /* cleared or expired entries, linked by `chain` */
    struct throttle_entry *lru_head;
    struct throttle_entry *lru_tail;
    size_t size;
    int ring_cap;
};

/* A key reduced to what an entry stores. */
struct throttle_key {
    uint64_t hash;
    size_t len;
    bool digest;
    unsigned char bytes[THROTTLE_KEY_MAX];
};

static int64_t sat_sub(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_sub_overflow(a, b, &r))
        return b < 0 ? INT64_MAX : INT64_MIN;
    return r;
}

/* base * 2^(excess-1), capped at max; 0 when excess <= 0. Validation guarantees base <= max,
 * so the shift below never overflows. */
static int64_t delay_for_excess(const struct throttle_config *cfg, int excess)
{
    if (excess <= 0)
        return 0;
    int shift = excess - 1;
    if (shift >= 63 || cfg->base_delay_ms > (cfg->max_delay_ms >> shift))
        return cfg->max_delay_ms;
    int64_t d = cfg->base_delay_ms << shift;
    return d < cfg->max_delay_ms ? d : cfg->max_delay_ms;
}

static bool config_valid(const struct throttle_config *cfg)
{
    return cfg->max_keys >= 1 && cfg->max_keys <= THROTTLE_MAX_KEYS && cfg->free_failures >= 0 &&
           cfg->free_failures <= THROTTLE_FREE_MAX && cfg->window_ms > 0 &&
           cfg->base_delay_ms > 0 && cfg->max_delay_ms > 0 &&
           cfg->base_delay_ms <= cfg->max_delay_ms;
}

static struct throttle_entry *slab_entry(struct throttle *t, size_t i)
{
    return (struct throttle_entry *)(void *)(t->slab + i * t->stride);
}

static void key_reduce(const struct throttle *t, const char *key, struct throttle_key *k)
{
    size_t len = strlen(key);
    if (len <= THROTTLE_KEY_MAX) {
        memcpy(k->bytes, key, len);
        k->len = len;
        k->digest = false;
    } else {
        crypto_generichash(k->bytes, 32, (const unsigned char *)key, len, NULL, 0);
        k->len = 32;
        k->digest = true;
    }
    unsigned char h[crypto_shorthash_BYTES];
    crypto_shorthash(h, k->bytes, k->len, t->hash_key);
    uint64_t v;
    memcpy(&v, h, sizeof(v));
    k->hash = v ^ (uint64_t)k->digest;
}

static struct throttle_entry *lookup(struct throttle *t, const struct throttle_key *k)
{
    struct throttle_entry *e = t->buckets[k->hash & t->bucket_mask];
    for (; e; e = e->chain)
        if (e->hash == k->hash && e->key_len == k->len && e->digest == k->digest &&
            memcmp(e->key, k->bytes, k->len) == 0)
            return e;
    return NULL;
}

static void lru_unlink(struct throttle *t, struct throttle_entry *e)
{
    if (e->lru_prev)
        e->lru_prev->lru_next = e->lru_next;
    else
        t->lru_head = e->lru_next;
    if (e->lru_next)
        e->lru_next->lru_prev = e->lru_prev;
    else
        t->lru_tail = e->lru_prev;
    e->lru_prev = e->lru_next = NULL;
}

static void lru_push_head(struct throttle *t, struct throttle_entry *e)
{
    e->lru_prev = NULL;
    e->lru_next = t->lru_head;
    if (t->lru_head)
        t->lru_head->lru_prev = e;
    else
        t->lru_tail = e;
    t->lru_head = e;
}

/* Unlinks `e` from the table and the LRU list; the caller reuses it or frees it. */
static void detach(struct throttle *t, struct throttle_entry *e)
{
    *e->pprev = e->chain;
    if (e->chain)
        e->chain->pprev = e->pprev;
    e->chain = NULL;
    e->pprev = NULL;
    lru_unlink(t, e);
    t->size--;
}

static void release(struct throttle *t, struct throttle_entry *e)
{
    detach(t, e);
    e->chain = t->free_list;
    t->free_list = e;
}

/* A failure at `ts` counts while now - ts < window_ms (times ahead of now count too). Computed
 * without forming now - window, which would saturate at the ends of the range. */
static bool in_window(const struct throttle *t, int64_t ts, int64_t now_ms)
{
    int64_t age;
    if (__builtin_sub_overflow(now_ms, ts, &age))
        return now_ms < ts;
    return age < t->cfg.window_ms;
}

static bool expired(const struct throttle *t, const struct throttle_entry *e, int64_t now_ms)
{
    return !in_window(t, e->last_ms, now_ms);
}

/* Drops expired entries from the idle end. Each entry is dropped once per insertion, so this is
 * amortized O(1). */
static void purge_expired(struct throttle *t, int64_t now_ms)
{
    while (t->lru_tail && expired(t, t->lru_tail, now_ms))
        release(t, t->lru_tail);
}

/* An unused entry: from the free list, else fresh from the slab, else the idlest one evicted. */
static struct throttle_entry *take_entry(struct throttle *t)
{
    struct throttle_entry *e = t->free_list;
    if (e) {
        t->free_list = e->chain;
    } else if (t->slab_used < t->cfg.max_keys) {
        e = slab_entry(t, t->slab_used++);
    } else {
        e = t->lru_tail; /* the table is full, so the list is not empty */
        detach(t, e);
    }
    e->chain = NULL;
    return e;
}

static int count_in_window(const struct throttle *t, const struct throttle_entry *e, int64_t now_ms)
{
    int n = 0;
    for (int i = 0; i < e->ring_len; i++)
        if (in_window(t, e->ring[i], now_ms))
            n++;
    return n;
}

/* Beyond the header: SB_EINVAL also for max_keys > 2^24, free_failures > 100 and
 * max_delay_ms < base_delay_ms; free_failures == 0 is valid (delay from the first failure).
 * Everything the table will ever use is allocated here. On error *out is NULL. */
int throttle_new(const struct throttle_config *cfg, struct throttle **out)
{
    struct throttle *t = NULL;
    int rc = SB_EINVAL;
    if (!out)
        return SB_EINVAL;
    *out = NULL;
    if (!cfg || !config_valid(cfg))
        goto fail;

    rc = SB_ENOMEM;
    t = calloc(1, sizeof(*t));
    if (!t)
        goto fail;
    t->cfg = *cfg;

    /* The ring holds enough failures to reach the delay cap; more would not change it. */
    int excess_cap = 1;
    while (delay_for_excess(cfg, excess_cap) < cfg->max_delay_ms)
        excess_cap++;
    t->ring_cap = cfg->free_failures + excess_cap;

    size_t align = _Alignof(struct throttle_entry);
    t->stride = sizeof(struct throttle_entry) + (size_t)t->ring_cap * sizeof(int64_t);
    t->stride = (t->stride + align - 1) / align * align;

    size_t nb = THROTTLE_MIN_BUCKETS;
    while (nb < cfg->max_keys)
        nb <<= 1;
    t->bucket_mask = nb - 1;
    t->buckets = calloc(nb, sizeof(*t->buckets));
    if (!t->buckets)
        goto fail;
    /* max_keys <= 2^24 and stride is a few KiB at most: no overflow. */
    t->slab = calloc(cfg->max_keys, t->stride);
    if (!t->slab)
        goto fail;

    crypto_shorthash_keygen(t->hash_key);
    if (pthread_mutex_init(&t->lock, NULL) != 0)
        goto fail;
    *out = t;
    return 0;

fail:
    if (t) {
        free(t->slab);
        free(t->buckets);
        free(t);
    }
    return rc;
}

void throttle_free(struct throttle *t)
{
    if (!t)
        return;
    pthread_mutex_destroy(&t->lock);
    sodium_memzero(t->hash_key, sizeof(t->hash_key));
    free(t->slab);
    free(t->buckets);
    free(t);
}

/* Also drops `key` (and any other expired entry) once all its failures left the window. A NULL
 * key returns SB_EINVAL. *retry_after_ms (may be NULL) is 0 when the answer is 0. */
int throttle_check(struct throttle *t, const char *key, int64_t now_ms, int64_t *retry_after_ms)
{
    if (retry_after_ms)
        *retry_after_ms = 0;
    if (!t || !key)
        return SB_EINVAL;
    struct throttle_key k;
    key_reduce(t, key, &k);

    int rc = 0;
    pthread_mutex_lock(&t->lock);
    purge_expired(t, now_ms);
    struct throttle_entry *e = lookup(t, &k);
    if (!e)
        goto done;
    int n = count_in_window(t, e, now_ms);
    if (n == 0) {
        release(t, e);
        goto done;
    }
    int64_t delay = delay_for_excess(&t->cfg, n - t->cfg.free_failures);
    /* delay - (now - last). A last failure "ahead" of now (concurrent callers read the clock
     * before taking the lock) must not stretch the wait past the delay. */
    int64_t wait = sat_sub(delay, sat_sub(now_ms, e->last_ms));
    if (wait > delay)
        wait = delay;
    if (delay > 0 && wait > 0) {
        if (retry_after_ms)
            *retry_after_ms = wait;
        rc = SB_ETHROTTLED;
    }
done:
    pthread_mutex_unlock(&t->lock);
    return rc;
}

/* Makes `key` the most recently used entry. NULL t or key: no-op. */
void throttle_fail(struct throttle *t, const char *key, int64_t now_ms)
{
    if (!t || !key)
        return;
    struct throttle_key k;
    key_reduce(t, key, &k);

    pthread_mutex_lock(&t->lock);
    purge_expired(t, now_ms);
    struct throttle_entry *e = lookup(t, &k);
    if (e) {
        lru_unlink(t, e);
    } else {
        e = take_entry(t);
        e->hash = k.hash;
        e->key_len = (uint8_t)k.len;
        e->digest = k.digest;
        memcpy(e->key, k.bytes, k.len);
        e->ring_len = 0;
        e->ring_pos = 0;
        e->last_ms = now_ms;
        struct throttle_entry **b = &t->buckets[k.hash & t->bucket_mask];
        e->chain = *b;
        if (*b)
            (*b)->pprev = &e->chain;
        e->pprev = b;
        *b = e;
        t->size++;
    }
    lru_push_head(t, e);
    e->ring[e->ring_pos] = now_ms;
    e->ring_pos = (uint16_t)((e->ring_pos + 1) % t->ring_cap);
    if (e->ring_len < t->ring_cap)
        e->ring_len++;
    if (now_ms > e->last_ms)
        e->last_ms = now_ms;
    pthread_mutex_unlock(&t->lock);
}

/* Unknown keys, NULL t or NULL key: no-op. */
void throttle_clear(struct throttle *t, const char *key)
{
    if (!t || !key)
        return;
    struct throttle_key k;
    key_reduce(t, key, &k);

    pthread_mutex_lock(&t->lock);
    struct throttle_entry *e = lookup(t, &k);
    if (e)
        release(t, e);
    pthread_mutex_unlock(&t->lock);
}

/* Entries held, including expired ones not yet dropped (they go on the next check or fail).
 * NULL is 0. */
size_t throttle_size(struct throttle *t)
{
    if (!t)
        return 0;
    pthread_mutex_lock(&t->lock);
    size_t n = t->size;
    pthread_mutex_unlock(&t->lock);
    return n;
}
