/* eng_ds.c — hash map, treap and timer heap for the routing engine (see eng_ds.h). */
#include "routing/eng_ds.h"

#include <stdlib.h>

#include "core/err.h"

static uint64_t mix64(uint64_t x)
{
    /* splitmix64 finaliser: cheap, well distributed, deterministic. */
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* ---------------------------------------------------------------------------------------- */
/* eng_map */

#define MAP_MAX_CAP ((size_t)1 << 30)

void eng_map_init(struct eng_map *m)
{
    m->keys = NULL;
    m->vals = NULL;
    m->cap = 0;
    m->n = 0;
}

void eng_map_cleanup(struct eng_map *m)
{
    free(m->keys);
    free(m->vals);
    eng_map_init(m);
}

static size_t map_slot(const struct eng_map *m, int64_t key)
{
    return (size_t)mix64((uint64_t)key) & (m->cap - 1);
}

void *eng_map_get(const struct eng_map *m, int64_t key)
{
    if (m->cap == 0)
        return NULL;
    for (size_t i = map_slot(m, key);; i = (i + 1) & (m->cap - 1)) {
        if (!m->vals[i])
            return NULL;
        if (m->keys[i] == key)
            return m->vals[i];
    }
}

static void map_place(struct eng_map *m, int64_t key, void *val)
{
    size_t i = map_slot(m, key);
    while (m->vals[i])
        i = (i + 1) & (m->cap - 1);
    m->keys[i] = key;
    m->vals[i] = val;
}

static int map_grow(struct eng_map *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 8;
    if (ncap > MAP_MAX_CAP)
        return SB_EFULL;
    int64_t *nk = malloc(ncap * sizeof *nk);
    void **nv = calloc(ncap, sizeof *nv);
    if (!nk || !nv) {
        free(nk);
        free(nv);
        return SB_ENOMEM;
    }
    struct eng_map old = *m;
    m->keys = nk;
    m->vals = nv;
    m->cap = ncap;
    for (size_t i = 0; i < old.cap; i++)
        if (old.vals[i])
            map_place(m, old.keys[i], old.vals[i]);
    free(old.keys);
    free(old.vals);
    return 0;
}

int eng_map_reserve(struct eng_map *m, size_t more)
{
    while ((m->n + more) * 2 > m->cap) {
        int r = map_grow(m);
        if (r)
            return r;
    }
    return 0;
}

int eng_map_put(struct eng_map *m, int64_t key, void *val)
{
    if (!val)
        return SB_EINVAL;
    if (m->cap) {
        for (size_t i = map_slot(m, key); m->vals[i]; i = (i + 1) & (m->cap - 1)) {
            if (m->keys[i] == key) {
                m->vals[i] = val;
                return 0;
            }
        }
    }
    /* Load factor at most 1/2: probes stay short. */
    if ((m->n + 1) * 2 > m->cap) {
        int r = map_grow(m);
        if (r)
            return r;
    }
    map_place(m, key, val);
    m->n++;
    return 0;
}

void *eng_map_del(struct eng_map *m, int64_t key)
{
    if (m->cap == 0)
        return NULL;
    size_t mask = m->cap - 1, i = map_slot(m, key);
    while (m->vals[i] && m->keys[i] != key)
        i = (i + 1) & mask;
    if (!m->vals[i])
        return NULL;
    void *val = m->vals[i];
    /* Backward-shift deletion: move later members of the probe run into the hole. */
    size_t hole = i;
    for (size_t j = (i + 1) & mask; m->vals[j]; j = (j + 1) & mask) {
        size_t home = map_slot(m, m->keys[j]);
        /* j may move to hole when home is not cyclically in (hole, j]. */
        bool in_range = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!in_range) {
            m->keys[hole] = m->keys[j];
            m->vals[hole] = m->vals[j];
            hole = j;
        }
    }
    m->vals[hole] = NULL;
    m->n--;
    return val;
}

bool eng_map_next(const struct eng_map *m, size_t *pos, int64_t *key, void **val)
{
    for (; *pos < m->cap; (*pos)++) {
        if (m->vals[*pos]) {
            if (key)
                *key = m->keys[*pos];
            if (val)
                *val = m->vals[*pos];
            (*pos)++;
            return true;
        }
    }
    return false;
}

/* ---------------------------------------------------------------------------------------- */
/* eng_set */

static int key_cmp(int64_t a1, int64_t b1, int64_t a2, int64_t b2)
{
    if (a1 != a2)
        return a1 < a2 ? -1 : 1;
    if (b1 != b2)
        return b1 < b2 ? -1 : 1;
    return 0;
}

void eng_set_init(struct eng_set *s)
{
    s->root = NULL;
    s->n = 0;
}

/* Splits t into nodes with key < (a, b) (*l) and >= (a, b) (*r). */
static void set_split(struct eng_set_node *t, int64_t a, int64_t b, struct eng_set_node **l,
                      struct eng_set_node **r)
{
    while (t) {
        if (key_cmp(t->a, t->b, a, b) < 0) {
            *l = t;
            l = &t->r;
            t = t->r;
        } else {
            *r = t;
            r = &t->l;
            t = t->l;
        }
    }
    *l = NULL;
    *r = NULL;
}

/* Merges l and r where every key of l is below every key of r. */
static struct eng_set_node *set_merge(struct eng_set_node *l, struct eng_set_node *r)
{
    struct eng_set_node *root = NULL, **link = &root;
    while (l && r) {
        if (l->prio > r->prio) {
            *link = l;
            link = &l->r;
            l = l->r;
        } else {
            *link = r;
            link = &r->l;
            r = r->l;
        }
    }
    *link = l ? l : r;
    return root;
}

void eng_set_insert(struct eng_set *s, struct eng_set_node *n, int64_t a, int64_t b)
{
    n->a = a;
    n->b = b;
    n->prio = mix64((uint64_t)a * 0x100000001b3ULL ^ mix64((uint64_t)b));
    n->l = n->r = NULL;
    struct eng_set_node **link = &s->root;
    while (*link && (*link)->prio >= n->prio)
        link = key_cmp(a, b, (*link)->a, (*link)->b) < 0 ? &(*link)->l : &(*link)->r;
    set_split(*link, a, b, &n->l, &n->r);
    *link = n;
    s->n++;
}

void eng_set_remove(struct eng_set *s, struct eng_set_node *n)
{
    struct eng_set_node **link = &s->root;
    while (*link && *link != n)
        link = key_cmp(n->a, n->b, (*link)->a, (*link)->b) < 0 ? &(*link)->l : &(*link)->r;
    if (!*link)
        return;
    *link = set_merge(n->l, n->r);
    n->l = n->r = NULL;
    s->n--;
}

struct eng_set_node *eng_set_min(const struct eng_set *s)
{
    struct eng_set_node *t = s->root;
    while (t && t->l)
        t = t->l;
    return t;
}

struct eng_set_node *eng_set_after(const struct eng_set *s, int64_t a, int64_t b)
{
    struct eng_set_node *t = s->root, *best = NULL;
    while (t) {
        if (key_cmp(t->a, t->b, a, b) > 0) {
            best = t;
            t = t->l;
        } else {
            t = t->r;
        }
    }
    return best;
}

/* ---------------------------------------------------------------------------------------- */
/* eng_heap */

void eng_heap_init(struct eng_heap *h)
{
    h->v = NULL;
    h->n = h->cap = 0;
}

void eng_heap_cleanup(struct eng_heap *h)
{
    for (size_t i = 0; i < h->n; i++)
        h->v[i]->idx = ENG_HEAP_NONE;
    free(h->v);
    eng_heap_init(h);
}

int eng_heap_reserve(struct eng_heap *h, size_t more)
{
    if (h->n + more <= h->cap)
        return 0;
    size_t ncap = h->cap ? h->cap : 16;
    while (ncap < h->n + more) {
        if (ncap > SIZE_MAX / 2 / sizeof *h->v)
            return SB_ENOMEM;
        ncap *= 2;
    }
    struct eng_heap_item **nv = realloc(h->v, ncap * sizeof *nv);
    if (!nv)
        return SB_ENOMEM;
    h->v = nv;
    h->cap = ncap;
    return 0;
}

static bool item_less(const struct eng_heap_item *x, const struct eng_heap_item *y)
{
    return x->when != y->when ? x->when < y->when : x->seq < y->seq;
}

static void heap_set(struct eng_heap *h, size_t i, struct eng_heap_item *it)
{
    h->v[i] = it;
    it->idx = i;
}

static void heap_up(struct eng_heap *h, size_t i)
{
    struct eng_heap_item *it = h->v[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!item_less(it, h->v[p]))
            break;
        heap_set(h, i, h->v[p]);
        i = p;
    }
    heap_set(h, i, it);
}

static void heap_down(struct eng_heap *h, size_t i)
{
    struct eng_heap_item *it = h->v[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && item_less(h->v[c + 1], h->v[c]))
            c++;
        if (!item_less(h->v[c], it))
            break;
        heap_set(h, i, h->v[c]);
        i = c;
    }
    heap_set(h, i, it);
}

void eng_heap_push(struct eng_heap *h, struct eng_heap_item *it)
{
    heap_set(h, h->n++, it);
    heap_up(h, h->n - 1);
}

void eng_heap_update(struct eng_heap *h, struct eng_heap_item *it)
{
    heap_down(h, it->idx);
    heap_up(h, it->idx);
}

void eng_heap_remove(struct eng_heap *h, struct eng_heap_item *it)
{
    size_t i = it->idx;
    if (i == ENG_HEAP_NONE || i >= h->n || h->v[i] != it)
        return;
    it->idx = ENG_HEAP_NONE;
    h->n--;
    if (i == h->n)
        return;
    struct eng_heap_item *moved = h->v[h->n];
    heap_set(h, i, moved);
    heap_down(h, i);
    heap_up(h, moved->idx);
}

struct eng_heap_item *eng_heap_top(const struct eng_heap *h)
{
    return h->n ? h->v[0] : NULL;
}
