/* engine_check.c — the routing engine's read-only queries (eligibility, agent state, queue
 * counts) and its self-check eng_check, which the tests run after every call. */
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "routing/engine_impl.h"

/* ---- queries ---------------------------------------------------------------------------- */

int eng_eligibility(const struct engine *e, int64_t agent_id, int64_t interaction_id)
{
    const struct eng_agent *a = eng_map_get(&e->agents, agent_id);
    const struct eng_ix *ix = eng_map_get(&e->ixs, interaction_id);
    if (!a || !ix || ix->state != IX_WAITING)
        return ENG_INELIG_UNKNOWN;
    const struct eng_member *m = eng_map_get(&ix->q->members, agent_id);
    if (!m)
        return ENG_INELIG_UNKNOWN;
    int ch = ix->ch, cap = a->cfg[ch].capacity;
    if (!a->logged[ch])
        return ENG_INELIG_LOGGED_OUT;
    if (a->paused)
        return ENG_INELIG_PAUSED;
    if (a->open_tabs + a->held_tabs >= e->max_tabs)
        return ENG_INELIG_TAB_LIMIT;
    if (cap && a->open[ch] + a->held[ch] >= cap)
        return ENG_INELIG_CAPACITY;
    if (m->held && m->held->ix == ix)
        return ENG_INELIG_ALREADY_OFFERED;
    if (m->held)
        return ENG_INELIG_QUEUE_OFFER;
    if (!eng_ix_allows(ix, agent_id))
        return ENG_INELIG_GROUP;
    return ENG_ELIGIBLE;
}

int eng_agent_state(const struct engine *e, int64_t agent_id, struct eng_agent_state *out)
{
    const struct eng_agent *a = eng_map_get(&e->agents, agent_id);
    if (!a)
        return SB_ENOTFOUND;
    memset(out, 0, sizeof *out);
    memcpy(out->logged_in, a->logged, sizeof out->logged_in);
    out->paused = a->paused;
    out->open_tabs = a->open_tabs;
    memcpy(out->open, a->open, sizeof out->open);
    out->offers = a->held_tabs;
    return 0;
}

int eng_queue_counts(const struct engine *e, int64_t queue_id, size_t *waiting, size_t *offers,
                     size_t *members, size_t *available)
{
    const struct eng_queue *q = eng_map_get(&e->queues, queue_id);
    if (!q)
        return SB_ENOTFOUND;
    if (waiting)
        *waiting = q->nwaiting;
    if (offers)
        *offers = q->noffers;
    if (members)
        *members = q->members.n;
    if (available)
        *available = q->avail_id.n;
    return 0;
}

/* ---- self-check ------------------------------------------------------------------------- */

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        snprintf(msg, cap, __VA_ARGS__);                                                           \
        return SB_EINTERNAL;                                                                       \
    } while (0)

static int check_agent(const struct engine *e, const struct eng_agent *a, char *msg, size_t cap)
{
    int held[ENG_CH_COUNT] = {0}, open[ENG_CH_COUNT] = {0}, held_tabs = 0, open_tabs = 0;
    for (const struct eng_offer *o = a->offers; o; o = o->ag_next) {
        if (o->m->agent != a || o->m->held != o)
            FAIL("agent %lld: offer links", (long long)a->id);
        if (!a->logged[o->ix->ch] || a->paused)
            FAIL("agent %lld holds an offer while logged out or paused", (long long)a->id);
        if (o->ix->state != IX_WAITING || o->ix->q != o->m->q)
            FAIL("agent %lld: offer of an interaction not waiting in its queue", (long long)a->id);
        held[o->ix->ch]++;
        held_tabs++;
    }
    for (const struct eng_ix *ix = a->assigned; ix; ix = ix->next) {
        if (ix->state != IX_ASSIGNED || ix->agent != a)
            FAIL("agent %lld: assigned list", (long long)a->id);
        open[ix->ch]++;
        open_tabs++;
    }
    if (held_tabs != a->held_tabs || open_tabs != a->open_tabs)
        FAIL("agent %lld: counters tabs %d/%d held %d/%d", (long long)a->id, a->open_tabs,
             open_tabs, a->held_tabs, held_tabs);
    for (int ch = 0; ch < ENG_CH_COUNT; ch++) {
        if (held[ch] != a->held[ch] || open[ch] != a->open[ch])
            FAIL("agent %lld: channel %d counters", (long long)a->id, ch);
        int c = a->cfg[ch].capacity;
        if (!e->limits_lowered && c && open[ch] + held[ch] > c)
            FAIL("agent %lld over capacity on channel %d", (long long)a->id, ch);
    }
    if (!e->limits_lowered && open_tabs + held_tabs > e->max_tabs)
        FAIL("agent %lld over the tab limit", (long long)a->id);
    for (size_t i = 0; i < a->nmem; i++) {
        const struct eng_member *m = a->mem[i];
        if (m->agent != a || m->agent_idx != i || eng_map_get(&m->q->members, a->id) != m)
            FAIL("agent %lld: membership links", (long long)a->id);
        if (m->avail != eng_member_should_be_avail(e, m))
            FAIL("agent %lld: availability in queue %lld is stale", (long long)a->id,
                 (long long)m->q->id);
    }
    return 0;
}

static int check_queue(const struct engine *e, const struct eng_queue *q, char *msg, size_t cap)
{
    size_t avail = 0, pending = 0, waiting = 0, offers = 0;
    size_t pos = 0;
    void *v;
    while (eng_map_next(&q->members, &pos, NULL, &v)) {
        const struct eng_member *m = v;
        if (m->q != q)
            FAIL("queue %lld: member links", (long long)q->id);
        avail += m->avail;
    }
    if (avail != q->avail_id.n || avail != q->avail_lr.n)
        FAIL("queue %lld: available sets %zu/%zu/%zu", (long long)q->id, avail, q->avail_id.n,
             q->avail_lr.n);
    for (const struct eng_ix *ix = q->waiting; ix; ix = ix->next) {
        waiting++;
        if (ix->state != IX_WAITING || ix->q != q)
            FAIL("queue %lld: waiting list", (long long)q->id);
        int n = 0;
        for (const struct eng_offer *o = ix->offers; o; o = o->ix_next)
            n++;
        if (n != ix->noffers)
            FAIL("interaction %lld: offer count", (long long)ix->id);
        offers += (size_t)n;
        bool want = q->strategy == ENG_BEEPALL || ix->noffers == 0;
        if (want != ix->pending)
            FAIL("interaction %lld: pending flag", (long long)ix->id);
        pending += ix->pending;
        /* (rrmemory/leastrecent make one offer at a time, but a queue that was beepall keeps
         * the offers it made: no "at most one" check here.) */
        /* Nothing left undecided: an available member untried for a pending interaction
         * would have been offered it. */
        if (ix->pending) {
            size_t allowed = 0;
            for (struct eng_set_node *n2 = eng_set_min(&q->avail_id); n2;
                 n2 = eng_set_after(&q->avail_id, n2->a, n2->b)) {
                if (!eng_ix_allows(ix, n2->a))
                    continue;
                allowed++;
                if (!eng_map_get(&ix->tried, n2->a))
                    FAIL("interaction %lld waits while agent %lld is available", (long long)ix->id,
                         (long long)n2->a);
            }
            if (allowed && ix->noffers == 0)
                FAIL("interaction %lld: no offer out, agents available", (long long)ix->id);
            for (const struct eng_offer *o = ix->offers; o; o = o->ix_next)
                if (!eng_ix_allows(ix, o->m->agent->id))
                    FAIL("interaction %lld offered outside its group", (long long)ix->id);
        }
    }
    if (waiting != q->nwaiting || pending != q->pending.n || offers != q->noffers)
        FAIL("queue %lld: counters", (long long)q->id);
    return 0;
}

int eng_check(const struct engine *e, char *msg, size_t cap)
{
    size_t pos = 0;
    void *v;
    int r;
    while (eng_map_next(&e->agents, &pos, NULL, &v))
        if ((r = check_agent(e, v, msg, cap)) != 0)
            return r;
    pos = 0;
    while (eng_map_next(&e->queues, &pos, NULL, &v))
        if ((r = check_queue(e, v, msg, cap)) != 0)
            return r;
    if (e->dirty_agents || e->dirty_queues)
        FAIL("work left undone after a call");
    if (eng_heap_top(&e->timers) && eng_heap_top(&e->timers)->when <= e->now)
        FAIL("a due timer was not fired");
    return 0;
}
