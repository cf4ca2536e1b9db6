/* engine_route.c — the routing decisions of the engine: who is available in which queue, the
 * strategies, offers and their timers, assignment, and the settle loop that runs after every
 * input until nothing more can be decided (see engine.h and docs/routing.md). */
#include <stdlib.h>

#include "core/err.h"
#include "routing/engine_impl.h"

/* Value stored in ix->tried: only presence matters. */
static char tried_mark;

/* ---- availability ----------------------------------------------------------------------- */

bool eng_member_should_be_avail(const struct engine *e, const struct eng_member *m)
{
    const struct eng_agent *a = m->agent;
    int ch = m->q->ch;
    int cap = a->cfg[ch].capacity;
    return a->logged[ch] && !a->paused && a->open_tabs + a->held_tabs < e->max_tabs &&
           (cap == 0 || a->open[ch] + a->held[ch] < cap) && !m->held;
}

bool eng_agent_has_room(const struct engine *e, const struct eng_agent *a, int ch)
{
    int cap = a->cfg[ch].capacity;
    return a->open_tabs < e->max_tabs && (cap == 0 || a->open[ch] < cap);
}

static void member_attach(struct eng_member *m)
{
    eng_set_insert(&m->q->avail_id, &m->by_id, m->agent->id, 0);
    eng_set_insert(&m->q->avail_lr, &m->by_lr, (int64_t)m->last_offer_seq, m->agent->id);
    m->avail = true;
}

void eng_member_detach(struct engine *e, struct eng_member *m)
{
    if (!m->avail)
        return;
    eng_set_remove(&m->q->avail_id, &m->by_id);
    eng_set_remove(&m->q->avail_lr, &m->by_lr);
    m->avail = false;
}

void eng_mark_agent(struct engine *e, struct eng_agent *a)
{
    if (a->dirty)
        return;
    a->dirty = true;
    a->dirty_next = NULL;
    if (e->dirty_agents_tail)
        e->dirty_agents_tail->dirty_next = a;
    else
        e->dirty_agents = a;
    e->dirty_agents_tail = a;
}

void eng_unmark_agent(struct engine *e, struct eng_agent *a)
{
    if (!a->dirty)
        return;
    struct eng_agent *prev = NULL;
    for (struct eng_agent *x = e->dirty_agents; x; prev = x, x = x->dirty_next) {
        if (x != a)
            continue;
        if (prev)
            prev->dirty_next = a->dirty_next;
        else
            e->dirty_agents = a->dirty_next;
        if (e->dirty_agents_tail == a)
            e->dirty_agents_tail = prev;
        break;
    }
    a->dirty = false;
}

void eng_mark_queue(struct engine *e, struct eng_queue *q)
{
    if (q->dirty)
        return;
    q->dirty = true;
    q->dirty_next = NULL;
    if (e->dirty_queues_tail)
        e->dirty_queues_tail->dirty_next = q;
    else
        e->dirty_queues = q;
    e->dirty_queues_tail = q;
}

void eng_unmark_queue(struct engine *e, struct eng_queue *q)
{
    if (!q->dirty)
        return;
    struct eng_queue *prev = NULL;
    for (struct eng_queue *x = e->dirty_queues; x; prev = x, x = x->dirty_next) {
        if (x != q)
            continue;
        if (prev)
            prev->dirty_next = q->dirty_next;
        else
            e->dirty_queues = q->dirty_next;
        if (e->dirty_queues_tail == q)
            e->dirty_queues_tail = prev;
        break;
    }
    q->dirty = false;
}

/* Brings every membership of the agent in line with the rules: O(its queues * log n). An agent
 * that became available somewhere is marked for the agent-centric dispatch. */
void eng_agent_refresh(struct engine *e, struct eng_agent *a)
{
    bool became = false;
    for (size_t i = 0; i < a->nmem; i++) {
        struct eng_member *m = a->mem[i];
        bool want = eng_member_should_be_avail(e, m);
        if (want && !m->avail) {
            member_attach(m);
            became = true;
        } else if (!want && m->avail) {
            eng_member_detach(e, m);
        }
    }
    if (became)
        eng_mark_agent(e, a);
}

/* rrmemory and leastrecent want offers only for interactions with none out; beepall keeps
 * offering a waiting interaction to members who become available. */
void eng_ix_pending_update(struct engine *e, struct eng_ix *ix)
{
    bool want = ix->state == IX_WAITING && (ix->q->strategy == ENG_BEEPALL || ix->noffers == 0);
    if (want && !ix->pending) {
        eng_set_insert(&ix->q->pending, &ix->pend, ix->joined_ms, (int64_t)ix->seq);
        ix->pending = true;
        eng_mark_queue(e, ix->q);
    } else if (!want && ix->pending) {
        eng_set_remove(&ix->q->pending, &ix->pend);
        ix->pending = false;
    }
}

/* ---- offers ----------------------------------------------------------------------------- */

struct eng_offer *eng_agent_offer_for(struct eng_agent *a, struct eng_ix *ix)
{
    for (struct eng_offer *o = a->offers; o; o = o->ag_next)
        if (o->ix == ix)
            return o;
    return NULL;
}

/* Puts the queue's item in the heap at its head's deadline, or takes it out. Room in the
 * heap was reserved by offer_make. */
static void queue_timer_sync(struct engine *e, struct eng_queue *q)
{
    if (!q->t_head) {
        eng_heap_remove(&e->timers, &q->timer);
        return;
    }
    q->timer.when = q->t_head->timer.when;
    q->timer.seq = q->t_head->timer.seq;
    q->timer.kind = ENG_TIMER_QUEUE;
    if (q->timer.idx == ENG_HEAP_NONE)
        eng_heap_push(&e->timers, &q->timer);
    else
        eng_heap_update(&e->timers, &q->timer);
}

static bool timer_before(const struct eng_heap_item *x, const struct eng_heap_item *y)
{
    return x->when != y->when ? x->when < y->when : x->seq < y->seq;
}

/* Appends o to the queue's list; walks back only when the timeout was lowered since the
 * tail's offer was made. */
static void timer_list_insert(struct engine *e, struct eng_queue *q, struct eng_offer *o)
{
    struct eng_offer *after = q->t_tail;
    while (after && timer_before(&o->timer, &after->timer))
        after = after->t_prev;
    o->t_prev = after;
    o->t_next = after ? after->t_next : q->t_head;
    if (o->t_next)
        o->t_next->t_prev = o;
    else
        q->t_tail = o;
    if (after)
        after->t_next = o;
    else
        q->t_head = o;
    o->in_list = true;
    if (q->t_head == o)
        queue_timer_sync(e, q);
}

static void timer_list_remove(struct engine *e, struct eng_queue *q, struct eng_offer *o)
{
    bool head = q->t_head == o;
    if (o->t_prev)
        o->t_prev->t_next = o->t_next;
    else
        q->t_head = o->t_next;
    if (o->t_next)
        o->t_next->t_prev = o->t_prev;
    else
        q->t_tail = o->t_prev;
    o->t_prev = o->t_next = NULL;
    o->in_list = false;
    if (head)
        queue_timer_sync(e, q);
}

/* Makes an offer of ix to member m (which is available). NULL when out of memory: nothing
 * changed, the interaction keeps waiting. */
static struct eng_offer *offer_make(struct engine *e, struct eng_ix *ix, struct eng_member *m)
{
    if (eng_heap_reserve(&e->timers, 1))
        return NULL;
    struct eng_offer *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    struct eng_agent *a = m->agent;
    struct eng_queue *q = m->q;
    int ch = q->ch;
    o->ix = ix;
    o->m = m;
    o->offered_ms = e->now;
    o->auto_answer = a->cfg[ch].auto_answer;
    o->timer.idx = ENG_HEAP_NONE;
    o->ix_next = ix->offers;
    if (ix->offers)
        ix->offers->ix_prev = o;
    ix->offers = o;
    o->ag_next = a->offers;
    if (a->offers)
        a->offers->ag_prev = o;
    a->offers = o;
    ix->noffers++;
    q->noffers++;
    /* Out of the sets before its leastrecent key changes. */
    eng_member_detach(e, m);
    m->held = o;
    m->last_offer_seq = ++e->offer_seq;
    a->held_tabs++;
    a->held[ch]++;
    q->last_engaged = a->id;
    /* An auto-answer offer has no agent timeout: it is assigned after its delay, or as soon as
     * a slot frees (seed rule), unless withdrawn or rejected first. */
    o->timer.when = o->auto_answer ? e->now + (int64_t)a->cfg[ch].auto_answer_delay * 1000
                                   : e->now + q->timeout_ms;
    o->timer.seq = ++e->timer_seq;
    o->timer.kind = ENG_TIMER_OFFER;
    if (o->auto_answer)
        eng_heap_push(&e->timers, &o->timer);
    else
        timer_list_insert(e, q, o);
    eng_emit(e, ENG_EV_OFFERED, ix->id, q->id, a->id, 0, o->timer.when, o->auto_answer);
    eng_agent_refresh(e, a); /* the reservation may close its other queues */
    eng_ix_pending_update(e, ix);
    return o;
}

/* Takes the offer out of every structure and frees it; the caller refreshes. */
static void offer_unlink(struct engine *e, struct eng_offer *o)
{
    struct eng_ix *ix = o->ix;
    struct eng_member *m = o->m;
    struct eng_agent *a = m->agent;
    if (o->in_list)
        timer_list_remove(e, m->q, o);
    else
        eng_heap_remove(&e->timers, &o->timer);
    if (o->ix_prev)
        o->ix_prev->ix_next = o->ix_next;
    else
        ix->offers = o->ix_next;
    if (o->ix_next)
        o->ix_next->ix_prev = o->ix_prev;
    if (o->ag_prev)
        o->ag_prev->ag_next = o->ag_next;
    else
        a->offers = o->ag_next;
    if (o->ag_next)
        o->ag_next->ag_prev = o->ag_prev;
    ix->noffers--;
    m->q->noffers--;
    m->held = NULL;
    a->held_tabs--;
    a->held[m->q->ch]--;
    free(o);
}

/* After an offer ended without assignment: the agent may be free again, the interaction may
 * want a new offer (or a new round). */
static void offer_ended(struct engine *e, struct eng_agent *a, struct eng_ix *ix,
                        struct eng_queue *q)
{
    eng_agent_refresh(e, a);
    if (ix->state == IX_WAITING) {
        eng_ix_pending_update(e, ix);
        eng_mark_queue(e, q);
    }
}

void eng_offer_withdraw(struct engine *e, struct eng_offer *o, int reason)
{
    struct eng_ix *ix = o->ix;
    struct eng_agent *a = o->m->agent;
    struct eng_queue *q = o->m->q;
    eng_emit(e, ENG_EV_WITHDRAWN, ix->id, q->id, a->id, reason, 0, o->auto_answer);
    offer_unlink(e, o);
    offer_ended(e, a, ix, q);
}

static void mark_tried(struct eng_ix *ix, struct eng_agent *a)
{
    /* Out of memory: the agent is simply not skipped this round (documented). */
    (void)eng_map_put(&ix->tried, a->id, &tried_mark);
}

static void offer_expire(struct engine *e, struct eng_offer *o)
{
    struct eng_ix *ix = o->ix;
    struct eng_agent *a = o->m->agent;
    struct eng_queue *q = o->m->q;
    eng_emit(e, ENG_EV_EXPIRED, ix->id, q->id, a->id, 0, o->timer.when, false);
    mark_tried(ix, a);
    offer_unlink(e, o);
    offer_ended(e, a, ix, q);
}

int eng_do_reject(struct engine *e, struct eng_agent *a, struct eng_ix *ix)
{
    struct eng_offer *o = eng_agent_offer_for(a, ix);
    if (!o)
        return SB_ENOTFOUND;
    struct eng_queue *q = o->m->q;
    mark_tried(ix, a);
    offer_unlink(e, o);
    offer_ended(e, a, ix, q);
    return 0;
}

static void ix_unlink_waiting(struct eng_ix *ix)
{
    struct eng_queue *q = ix->q;
    if (ix->pending) {
        eng_set_remove(&q->pending, &ix->pend);
        ix->pending = false;
    }
    if (ix->prev)
        ix->prev->next = ix->next;
    else
        q->waiting = ix->next;
    if (ix->next)
        ix->next->prev = ix->prev;
    ix->prev = ix->next = NULL;
    q->nwaiting--;
}

/* Assigns the interaction of offer `own` to its agent. */
static void ix_assign(struct engine *e, struct eng_offer *own, bool aa)
{
    struct eng_ix *ix = own->ix;
    struct eng_agent *a = own->m->agent;
    struct eng_queue *q = ix->q;
    ix_unlink_waiting(ix);
    ix->state = IX_ASSIGNED;
    eng_emit(e, ENG_EV_LEFT, ix->id, q->id, a->id, ENG_LEFT_ACCEPTED, 0, false);
    eng_emit(e, ENG_EV_ASSIGNED, ix->id, q->id, a->id, 0, 0, aa);
    offer_unlink(e, own);
    a->open_tabs++;
    a->open[ix->ch]++;
    ix->q = NULL;
    ix->agent = a;
    ix->next = a->assigned;
    if (a->assigned)
        a->assigned->prev = ix;
    a->assigned = ix;
    eng_map_cleanup(&ix->tried);
    while (ix->offers)
        eng_offer_withdraw(e, ix->offers, ENG_WD_TAKEN);
    eng_agent_refresh(e, a);
}

int eng_do_accept(struct engine *e, struct eng_agent *a, struct eng_ix *ix)
{
    if (ix->state == IX_ASSIGNED)
        return ENG_ACCEPT_TAKEN;
    struct eng_offer *o = eng_agent_offer_for(a, ix);
    if (!o)
        return ENG_ACCEPT_NOT_OFFERED;
    if (a->open_tabs >= e->max_tabs)
        return ENG_ACCEPT_OVER_TAB_LIMIT;
    int cap = a->cfg[ix->ch].capacity;
    if (cap > 0 && a->open[ix->ch] >= cap)
        return ENG_ACCEPT_OVER_CAPACITY;
    ix_assign(e, o, false);
    return ENG_ACCEPT_OK;
}

void eng_ix_free(struct engine *e, struct eng_ix *ix)
{
    eng_map_del(&e->ixs, ix->id);
    eng_map_cleanup(&ix->tried);
    free(ix);
}

void eng_ix_leave(struct engine *e, struct eng_ix *ix, int reason, int wd_reason)
{
    struct eng_queue *q = ix->q;
    ix_unlink_waiting(ix);
    ix->state = 0;
    while (ix->offers)
        eng_offer_withdraw(e, ix->offers, wd_reason);
    eng_emit(e, ENG_EV_LEFT, ix->id, q->id, 0, reason, 0, false);
    eng_ix_free(e, ix);
}

/* ---- strategies ------------------------------------------------------------------------- */

/* Skipped for ix: tried this round, or outside its group (the agents of its account). */
static bool is_tried(const struct eng_ix *ix, const struct eng_member *m)
{
    return (ix->tried.n && eng_map_get(&ix->tried, m->agent->id)) ||
           !eng_ix_allows(ix, m->agent->id);
}

/* rrmemory: the first available untried member after the last one this queue engaged, in
 * ascending agent id order, wrapping. */
static struct eng_member *pick_rr(struct eng_queue *q, struct eng_ix *ix)
{
    int64_t start = q->last_engaged;
    bool wrapped = false;
    struct eng_set_node *n = eng_set_after(&q->avail_id, start, 0);
    for (;;) {
        if (!n) {
            if (wrapped)
                return NULL;
            wrapped = true;
            n = eng_set_min(&q->avail_id);
            if (!n)
                return NULL;
        }
        if (wrapped && n->a > start)
            return NULL;
        struct eng_member *m = container_of_(n, struct eng_member, by_id);
        if (!is_tried(ix, m))
            return m;
        n = eng_set_after(&q->avail_id, n->a, n->b);
    }
}

/* leastrecent: the available untried member this queue offered least recently (never first,
 * then by agent id). */
static struct eng_member *pick_lr(struct eng_queue *q, struct eng_ix *ix)
{
    for (struct eng_set_node *n = eng_set_min(&q->avail_lr); n;
         n = eng_set_after(&q->avail_lr, n->a, n->b)) {
        struct eng_member *m = container_of_(n, struct eng_member, by_lr);
        if (!is_tried(ix, m))
            return m;
    }
    return NULL;
}

/* Offers ix as its queue's strategy says. Returns the number of offers made, -1 when out of
 * memory. Starts a new round (forgets who was tried) when nobody untried is available, some
 * member is, and no offer of ix is out. */
static int offer_ix(struct engine *e, struct eng_queue *q, struct eng_ix *ix)
{
    if (q->strategy != ENG_BEEPALL && ix->noffers > 0)
        return 0;
    for (int round = 0; round < 2; round++) {
        int made = 0;
        if (q->strategy == ENG_BEEPALL) {
            struct eng_set_node *n = eng_set_min(&q->avail_id);
            while (n) {
                int64_t id = n->a;
                struct eng_member *m = container_of_(n, struct eng_member, by_id);
                if (!is_tried(ix, m)) {
                    if (!offer_make(e, ix, m))
                        return -1;
                    made++;
                }
                n = eng_set_after(&q->avail_id, id, 0);
            }
        } else {
            struct eng_member *m = q->strategy == ENG_RRMEMORY ? pick_rr(q, ix) : pick_lr(q, ix);
            if (m) {
                if (!offer_make(e, ix, m))
                    return -1;
                made++;
            }
        }
        if (made || ix->noffers > 0 || ix->tried.n == 0 || q->avail_id.n == 0)
            return made;
        eng_map_cleanup(&ix->tried);
    }
    return 0;
}

/* Offers the queue's pending interactions, longest waiting first, while members are
 * available. */
static void dispatch_queue(struct engine *e, struct eng_queue *q)
{
    struct eng_set_node *n = eng_set_min(&q->pending);
    while (n && q->avail_id.n > 0) {
        int64_t ka = n->a, kb = n->b;
        struct eng_ix *ix = container_of_(n, struct eng_ix, pend);
        if (offer_ix(e, q, ix) < 0)
            return; /* out of memory: it keeps waiting; the next input retries */
        n = eng_set_after(&q->pending, ka, kb);
    }
}

static int cmp_queue_priority(const void *x, const void *y)
{
    const struct eng_queue *a = *(struct eng_queue *const *)x, *b = *(struct eng_queue *const *)y;
    if (a->weight != b->weight)
        return a->weight > b->weight ? -1 : 1;
    const struct eng_set_node *ha = eng_set_min(&a->pending), *hb = eng_set_min(&b->pending);
    if (ha->a != hb->a)
        return ha->a < hb->a ? -1 : 1;
    if (ha->b != hb->b)
        return ha->b < hb->b ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

/* An agent has become free: first an auto-answer offer waiting for a slot, then its queues
 * with waiting interactions, higher weight first, then the longest waiting head. */
static void dispatch_agent(struct engine *e, struct eng_agent *a)
{
    for (bool again = true; again;) {
        again = false;
        for (struct eng_offer *o = a->offers; o; o = o->ag_next) {
            if (o->aa_waiting && eng_agent_has_room(e, a, o->ix->ch)) {
                ix_assign(e, o, true);
                again = true;
                break;
            }
        }
    }
    size_t k = 0;
    for (size_t i = 0; i < a->nmem && k < e->scratch_cap; i++)
        if (a->mem[i]->avail && a->mem[i]->q->pending.n)
            e->scratch[k++] = a->mem[i]->q;
    if (k > 1)
        qsort(e->scratch, k, sizeof *e->scratch, cmp_queue_priority);
    for (size_t i = 0; i < k; i++)
        dispatch_queue(e, e->scratch[i]);
}

static void fire_timer(struct engine *e, struct eng_offer *o)
{
    if (!o->auto_answer) {
        offer_expire(e, o);
        return;
    }
    if (eng_agent_has_room(e, o->m->agent, o->ix->ch))
        ix_assign(e, o, true);
    else
        o->aa_waiting = true; /* no timer any more: a freed slot assigns it */
}

void eng_advance(struct engine *e, int64_t now_ms)
{
    if (now_ms > e->now)
        e->now = now_ms;
}

void eng_settle(struct engine *e)
{
    for (;;) {
        struct eng_heap_item *t = eng_heap_top(&e->timers);
        if (t && t->when <= e->now) {
            struct eng_offer *o;
            if (t->kind == ENG_TIMER_QUEUE) {
                o = container_of_(t, struct eng_queue, timer)->t_head;
                timer_list_remove(e, o->m->q, o);
            } else {
                o = container_of_(t, struct eng_offer, timer);
                eng_heap_remove(&e->timers, t);
            }
            fire_timer(e, o);
            continue;
        }
        if (e->dirty_agents) {
            struct eng_agent *a = e->dirty_agents;
            e->dirty_agents = a->dirty_next;
            if (!e->dirty_agents)
                e->dirty_agents_tail = NULL;
            a->dirty = false;
            dispatch_agent(e, a);
            continue;
        }
        if (e->dirty_queues) {
            struct eng_queue *q = e->dirty_queues;
            e->dirty_queues = q->dirty_next;
            if (!e->dirty_queues)
                e->dirty_queues_tail = NULL;
            q->dirty = false;
            dispatch_queue(e, q);
            continue;
        }
        return;
    }
}
