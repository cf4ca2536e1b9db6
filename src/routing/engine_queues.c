/* engine_queues.c — the routing engine's queues and their members: create, change, remove,
 * and membership changes that keep the availability sets right. */
#include <stdlib.h>

#include "core/err.h"
#include "routing/engine_impl.h"

/* ---- queues and members ----------------------------------------------------------------- */

static struct eng_queue *queue_get(const struct engine *e, int64_t id)
{
    return eng_map_get(&e->queues, id);
}

int eng_queue_upsert(struct engine *e, const struct eng_queue_spec *spec, int64_t now_ms)
{
    if (!spec || spec->id <= 0 || spec->channel < 0 || spec->channel >= ENG_CH_COUNT ||
        spec->strategy < ENG_BEEPALL || spec->strategy > ENG_LEASTRECENT ||
        spec->agent_timeout < 1 || spec->agent_timeout > 86400 || spec->weight < 0 ||
        spec->weight > 10)
        return SB_EINVAL;
    struct eng_queue *q = queue_get(e, spec->id);
    if (q && q->ch != spec->channel)
        return SB_EINVAL;
    eng_advance(e, now_ms);
    eng_settle(e);
    if (!q) {
        if (e->queues.n >= e->cfg.max_queues)
            return SB_EFULL;
        q = calloc(1, sizeof *q);
        if (!q)
            return SB_ENOMEM;
        q->id = spec->id;
        q->ch = spec->channel;
        q->timer.idx = ENG_HEAP_NONE;
        eng_map_init(&q->members);
        eng_set_init(&q->avail_id);
        eng_set_init(&q->avail_lr);
        eng_set_init(&q->pending);
        int r = eng_map_put(&e->queues, q->id, q);
        if (r) {
            free(q);
            return r;
        }
    }
    q->strategy = spec->strategy;
    q->timeout_ms = (int64_t)spec->agent_timeout * 1000;
    q->weight = spec->weight;
    for (struct eng_ix *ix = q->waiting; ix; ix = ix->next)
        eng_ix_pending_update(e, ix);
    eng_mark_queue(e, q);
    eng_settle(e);
    return 0;
}

int eng_queue_remove(struct engine *e, int64_t queue_id, int64_t now_ms)
{
    struct eng_queue *q = queue_get(e, queue_id);
    if (!q)
        return SB_ENOTFOUND;
    eng_advance(e, now_ms);
    eng_settle(e);
    while (q->waiting)
        eng_ix_leave(e, q->waiting, ENG_LEFT_TIMEOUT, ENG_WD_QUEUE_GONE);
    size_t pos = 0;
    void *v;
    /* Collect first: member_remove edits the map we would be walking. */
    while (q->members.n) {
        pos = 0;
        if (!eng_map_next(&q->members, &pos, NULL, &v))
            break;
        eng_member_remove(e, v, ENG_WD_QUEUE_GONE);
    }
    eng_unmark_queue(e, q);
    eng_map_del(&e->queues, q->id);
    eng_map_cleanup(&q->members);
    free(q);
    eng_settle(e);
    return 0;
}

/* Room for one more membership of agent a: its array and the dispatch scratch. */
static int member_reserve(struct engine *e, struct eng_agent *a)
{
    if (a->nmem >= e->cfg.max_memberships)
        return SB_EFULL;
    if (a->nmem == a->capmem) {
        size_t ncap = a->capmem ? a->capmem * 2 : 4;
        struct eng_member **nv = realloc(a->mem, ncap * sizeof *nv);
        if (!nv)
            return SB_ENOMEM;
        a->mem = nv;
        a->capmem = ncap;
    }
    if (e->scratch_cap < a->nmem + 1) {
        size_t ncap = e->scratch_cap ? e->scratch_cap * 2 : 16;
        while (ncap < a->nmem + 1)
            ncap *= 2;
        struct eng_queue **nv = realloc(e->scratch, ncap * sizeof *nv);
        if (!nv)
            return SB_ENOMEM;
        e->scratch = nv;
        e->scratch_cap = ncap;
    }
    return 0;
}

/* Links a new membership (room reserved, q->members room reserved). */
static void member_link(struct engine *e, struct eng_member *m, struct eng_agent *a,
                        struct eng_queue *q)
{
    m->agent = a;
    m->q = q;
    m->agent_idx = a->nmem;
    a->mem[a->nmem++] = m;
    (void)eng_map_put(&q->members, a->id, m); /* cannot fail: reserved */
}

int eng_queue_add_member(struct engine *e, int64_t queue_id, int64_t agent_id, int64_t now_ms)
{
    struct eng_queue *q = queue_get(e, queue_id);
    struct eng_agent *a = eng_map_get(&e->agents, agent_id);
    if (!q || !a)
        return SB_ENOTFOUND;
    eng_advance(e, now_ms);
    eng_settle(e);
    if (eng_map_get(&q->members, agent_id))
        return 0;
    int r = member_reserve(e, a);
    if (!r)
        r = eng_map_reserve(&q->members, 1);
    if (r)
        return r;
    struct eng_member *m = calloc(1, sizeof *m);
    if (!m)
        return SB_ENOMEM;
    member_link(e, m, a, q);
    eng_agent_refresh(e, a);
    eng_settle(e);
    return 0;
}

int eng_queue_remove_member(struct engine *e, int64_t queue_id, int64_t agent_id, int64_t now_ms)
{
    struct eng_queue *q = queue_get(e, queue_id);
    if (!q)
        return SB_ENOTFOUND;
    struct eng_member *m = eng_map_get(&q->members, agent_id);
    if (!m)
        return SB_ENOTFOUND;
    eng_advance(e, now_ms);
    eng_settle(e);
    eng_member_remove(e, m, ENG_WD_AGENT_UNAVAILABLE);
    eng_settle(e);
    return 0;
}

#define ENG_MAX_SET_MEMBERS 1000000

int eng_queue_set_members(struct engine *e, int64_t queue_id, const int64_t *ids, size_t n,
                          int64_t now_ms)
{
    struct eng_queue *q = queue_get(e, queue_id);
    if (!q)
        return SB_ENOTFOUND;
    if (n > ENG_MAX_SET_MEMBERS || (n && !ids))
        return SB_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!eng_map_get(&e->agents, ids[i]))
            return SB_ENOTFOUND;
    eng_advance(e, now_ms);
    eng_settle(e);
    /* Everything that can fail happens before the first change. */
    struct eng_map want;
    eng_map_init(&want);
    struct eng_member **fresh = NULL, **gone = NULL;
    size_t nfresh = 0;
    int r = eng_map_reserve(&want, n);
    if (r)
        goto fail;
    for (size_t i = 0; i < n; i++)
        if (!eng_map_get(&want, ids[i]))
            (void)eng_map_put(&want, ids[i], eng_map_get(&e->agents, ids[i]));
    fresh = calloc(want.n ? want.n : 1, sizeof *fresh);
    gone = calloc(q->members.n ? q->members.n : 1, sizeof *gone);
    if (!fresh || !gone) {
        r = SB_ENOMEM;
        goto fail;
    }
    size_t pos = 0;
    int64_t id;
    void *v;
    while (eng_map_next(&want, &pos, &id, &v)) {
        if (eng_map_get(&q->members, id))
            continue;
        if ((r = member_reserve(e, v)) != 0)
            goto fail;
        /* Reserve one slot per fresh member of the same agent: an agent appears once. */
        if (!(fresh[nfresh] = calloc(1, sizeof **fresh))) {
            r = SB_ENOMEM;
            goto fail;
        }
        fresh[nfresh++]->agent = v;
    }
    if ((r = eng_map_reserve(&q->members, nfresh)) != 0)
        goto fail;
    /* Commit: members that leave, then the new ones. */
    size_t ngone = 0;
    pos = 0;
    while (eng_map_next(&q->members, &pos, &id, &v))
        if (!eng_map_get(&want, id))
            gone[ngone++] = v;
    for (size_t i = 0; i < ngone; i++)
        eng_member_remove(e, gone[i], ENG_WD_AGENT_UNAVAILABLE);
    for (size_t i = 0; i < nfresh; i++) {
        struct eng_agent *a = fresh[i]->agent;
        member_link(e, fresh[i], a, q);
        eng_agent_refresh(e, a);
    }
    free(fresh);
    free(gone);
    eng_map_cleanup(&want);
    eng_settle(e);
    return 0;
fail:
    for (size_t i = 0; i < nfresh; i++)
        free(fresh[i]);
    free(fresh);
    free(gone);
    eng_map_cleanup(&want);
    return r;
}
