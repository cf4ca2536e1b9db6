/* eng_ds.h — the three small data structures of the routing engine: an int64-keyed hash map,
 * an intrusive ordered set (treap) keyed by a pair of int64, and an indexed binary min-heap
 * of timers. Single-threaded: the owner of the structure is the only caller. Nothing here
 * allocates except eng_map (which returns SB_ENOMEM / SB_EFULL and changes nothing then). */
#ifndef SB_ROUTING_ENG_DS_H
#define SB_ROUTING_ENG_DS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- eng_map: int64 -> non-NULL pointer, open addressing, linear probing, backward-shift
 * deletion. Expected O(1) per operation. */
struct eng_map {
    int64_t *keys;
    void **vals; /* NULL = empty slot */
    size_t cap;  /* power of two, or 0 before the first insert */
    size_t n;
};

/* Zeroes the map (no allocation). */
void eng_map_init(struct eng_map *m);

/* Frees the table (not the values). The map is empty and reusable afterwards. */
void eng_map_cleanup(struct eng_map *m);

/* The value stored for key, or NULL. */
void *eng_map_get(const struct eng_map *m, int64_t key);

/* Stores val (non-NULL) for key, replacing any previous value. Returns 0, SB_EINVAL for a
 * NULL val, SB_ENOMEM when growing the table failed (nothing changed). */
int eng_map_put(struct eng_map *m, int64_t key, void *val);

/* Grows the table so that `more` further new keys fit without allocating. 0, SB_ENOMEM,
 * SB_EFULL (nothing changed). */
int eng_map_reserve(struct eng_map *m, size_t more);

/* Removes key; returns its value or NULL when absent. Never allocates. */
void *eng_map_del(struct eng_map *m, int64_t key);

/* Iteration: `for (size_t i = 0; eng_map_next(m, &i, &k, &v);)` visits each entry once; the
 * map must not change during the loop. */
bool eng_map_next(const struct eng_map *m, size_t *pos, int64_t *key, void **val);

/* ---- eng_set: intrusive treap ordered by (a, b) ascending. The node lives inside the owner's
 * struct; keys must be unique within a set. Priorities are a hash of the key, so the shape is
 * deterministic; expected depth O(log n). */
struct eng_set_node {
    struct eng_set_node *l, *r;
    int64_t a, b;
    uint64_t prio;
};

struct eng_set {
    struct eng_set_node *root;
    size_t n;
};

void eng_set_init(struct eng_set *s);

/* Inserts node n under key (a, b). The key must not be present. O(log n). */
void eng_set_insert(struct eng_set *s, struct eng_set_node *n, int64_t a, int64_t b);

/* Removes node n (which must be in s, located by its stored key). O(log n). */
void eng_set_remove(struct eng_set *s, struct eng_set_node *n);

/* The smallest node, or NULL when empty. O(log n). */
struct eng_set_node *eng_set_min(const struct eng_set *s);

/* The smallest node with key strictly greater than (a, b), or NULL. O(log n). */
struct eng_set_node *eng_set_after(const struct eng_set *s, int64_t a, int64_t b);

/* ---- eng_heap: indexed min-heap of timers ordered by (when, seq). Items are embedded in
 * their owner; `idx` is the item's position (ENG_HEAP_NONE when not in a heap), so removal is
 * O(log n). The array is caller-grown with eng_heap_reserve so that push never fails. */
#define ENG_HEAP_NONE SIZE_MAX

struct eng_heap_item {
    int64_t when;
    uint64_t seq;
    size_t idx;
    int kind; /* the owner's tag: tells the owner which struct embeds the item */
};

struct eng_heap {
    struct eng_heap_item **v;
    size_t n, cap;
};

void eng_heap_init(struct eng_heap *h);
void eng_heap_cleanup(struct eng_heap *h);

/* Makes room for `more` further pushes. Returns 0 or SB_ENOMEM (nothing changed). */
int eng_heap_reserve(struct eng_heap *h, size_t more);

/* Pushes it (not in a heap) with its when/seq already set. Room must have been reserved. */
void eng_heap_push(struct eng_heap *h, struct eng_heap_item *it);

/* Restores the order after it->when / it->seq changed (it must be in the heap). */
void eng_heap_update(struct eng_heap *h, struct eng_heap_item *it);

/* Removes it if it is in the heap; no-op otherwise. */
void eng_heap_remove(struct eng_heap *h, struct eng_heap_item *it);

/* The earliest item, or NULL. */
struct eng_heap_item *eng_heap_top(const struct eng_heap *h);

#endif
