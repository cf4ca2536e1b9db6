/* presence_table.c — the presence state machine (contract in presence_table.h).
 *
 * Open addressing with linear probing and backward-shift deletion (no tombstones), kept at
 * most half full. */
#include "messenger/presence_table.h"

#include <stdlib.h>

#include "core/err.h"

int pres_table_init(struct pres_table *t, size_t max_users)
{
    *t = (struct pres_table){0};
    if (max_users < 1 || max_users > ((size_t)1 << 28))
        return SB_EINVAL;
    size_t slots = 16;
    while (slots < 2 * max_users)
        slots *= 2;
    t->slots = calloc(slots, sizeof(*t->slots));
    if (!t->slots)
        return SB_ENOMEM;
    t->mask = slots - 1;
    t->max_users = max_users;
    return 0;
}

void pres_table_cleanup(struct pres_table *t)
{
    free(t->slots);
    *t = (struct pres_table){0};
}

static size_t home(const struct pres_table *t, int64_t id)
{
    return (size_t)(((uint64_t)id * 0x9E3779B97F4A7C15ull) >> 32) & t->mask;
}

static size_t find(const struct pres_table *t, int64_t id)
{
    size_t i = home(t, id);
    while (t->slots[i].user_id && t->slots[i].user_id != id)
        i = (i + 1) & t->mask;
    return i;
}

static void remove_at(struct pres_table *t, size_t i)
{
    /* Backward shift: pull later entries of the cluster into the hole when their home slot
     * does not lie strictly between the hole and them. */
    size_t j = i;
    for (;;) {
        t->slots[i].user_id = 0;
        for (;;) {
            j = (j + 1) & t->mask;
            if (!t->slots[j].user_id) {
                t->count--;
                return;
            }
            size_t k = home(t, t->slots[j].user_id);
            bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
            if (!stays)
                break;
        }
        t->slots[i] = t->slots[j];
        i = j;
    }
}

int pres_conn_up(struct pres_table *t, int64_t user_id, enum pres_change *change)
{
    *change = PRES_NONE;
    if (user_id <= 0)
        return SB_EINVAL;
    size_t i = find(t, user_id);
    struct pres_entry *e = &t->slots[i];
    if (!e->user_id) {
        if (t->count >= t->max_users)
            return SB_EFULL;
        *e = (struct pres_entry){.user_id = user_id};
        t->count++;
        *change = PRES_ONLINE;
    } else if (e->conns == 0) {
        t->in_grace--; /* back within the grace: no change to announce */
    }
    e->conns++;
    return 0;
}

enum pres_change pres_conn_down(struct pres_table *t, int64_t user_id, int64_t now_ms,
                                int64_t grace_ms)
{
    if (user_id <= 0)
        return PRES_NONE;
    size_t i = find(t, user_id);
    struct pres_entry *e = &t->slots[i];
    if (!e->user_id || e->conns == 0)
        return PRES_NONE;
    if (--e->conns > 0)
        return PRES_NONE;
    if (grace_ms <= 0) {
        remove_at(t, i);
        return PRES_OFFLINE;
    }
    e->offline_at = now_ms + grace_ms;
    t->in_grace++;
    return PRES_NONE;
}

size_t pres_expire(struct pres_table *t, int64_t now_ms, int64_t *out, size_t cap)
{
    size_t n = 0;
    if (t->in_grace == 0)
        return 0;
    for (size_t i = 0; i <= t->mask && n < cap;) {
        struct pres_entry *e = &t->slots[i];
        if (e->user_id && e->conns == 0 && e->offline_at <= now_ms) {
            out[n++] = e->user_id;
            t->in_grace--;
            remove_at(t, i); /* slot i now holds a shifted entry (or none): look again */
            continue;
        }
        i++;
    }
    return n;
}

int64_t pres_next_deadline(const struct pres_table *t)
{
    int64_t best = INT64_MAX;
    if (t->in_grace == 0)
        return best;
    for (size_t i = 0; i <= t->mask; i++) {
        const struct pres_entry *e = &t->slots[i];
        if (e->user_id && e->conns == 0 && e->offline_at < best)
            best = e->offline_at;
    }
    return best;
}

bool pres_is_online(const struct pres_table *t, int64_t user_id)
{
    if (user_id <= 0 || !t->slots)
        return false;
    return t->slots[find(t, user_id)].user_id == user_id;
}
