/* engine.c — the routing engine's inputs (agents, queues, members, interactions), its event
 * buffer, its queries and its self-check. The decisions are in engine_route.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "routing/engine_impl.h"

static const char *const channel_names[ENG_CH_COUNT] = {"chat",        "email", "sms",
                                                        "openchannel", "fax",   "whatsapp"};

int eng_channel_parse(const char *name)
{
    if (!name)
        return -1;
    if (strcmp(name, "mail") == 0)
        return ENG_CH_EMAIL;
    for (int i = 0; i < ENG_CH_COUNT; i++)
        if (strcmp(name, channel_names[i]) == 0)
            return i;
    return -1;
}

const char *eng_channel_name(int ch)
{
    return ch >= 0 && ch < ENG_CH_COUNT ? channel_names[ch] : "?";
}

int eng_strategy_parse(const char *name)
{
    if (!name)
        return -1;
    if (strcmp(name, "beepall") == 0)
        return ENG_BEEPALL;
    if (strcmp(name, "rrmemory") == 0)
        return ENG_RRMEMORY;
    if (strcmp(name, "leastrecent") == 0)
        return ENG_LEASTRECENT;
    return -1;
}

/* ---- events ----------------------------------------------------------------------------- */

void eng_emit(struct engine *e, int type, int64_t ix, int64_t q, int64_t agent, int reason,
              int64_t deadline, bool aa)
{
    if (e->nev == e->capev) {
        size_t ncap = e->capev ? e->capev * 2 : 64;
        if (ncap > e->cfg.max_events)
            ncap = e->cfg.max_events;
        struct eng_event *nv = ncap > e->capev ? realloc(e->ev, ncap * sizeof *nv) : NULL;
        if (!nv) {
            e->ev_lost++;
            return;
        }
        e->ev = nv;
        e->capev = ncap;
    }
    e->ev[e->nev++] = (struct eng_event){.type = type,
                                         .t = e->now,
                                         .interaction = ix,
                                         .queue = q,
                                         .agent = agent,
                                         .reason = reason,
                                         .deadline = deadline,
                                         .auto_answer = aa};
}

const struct eng_event *eng_events(const struct engine *e, size_t *n)
{
    *n = e->nev;
    return e->ev;
}

void eng_events_clear(struct engine *e)
{
    e->nev = 0;
}

uint64_t eng_events_lost(const struct engine *e)
{
    return e->ev_lost;
}

/* ---- lifecycle -------------------------------------------------------------------------- */

struct engine *eng_new(const struct eng_config *cfg)
{
    struct eng_config c = cfg ? *cfg : (struct eng_config){0};
    if (c.max_tabs == 0)
        c.max_tabs = ENG_DEFAULT_MAX_TABS;
    if (c.max_tabs < 1 || c.max_tabs > 1000)
        return NULL;
    if (!c.max_agents)
        c.max_agents = 1000000;
    if (!c.max_queues)
        c.max_queues = 100000;
    if (!c.max_waiting)
        c.max_waiting = 10000000;
    if (!c.max_events)
        c.max_events = ENG_DEFAULT_MAX_EVENTS;
    if (!c.max_memberships)
        c.max_memberships = 10000;
    struct engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->cfg = c;
    e->max_tabs = c.max_tabs;
    eng_map_init(&e->agents);
    eng_map_init(&e->queues);
    eng_map_init(&e->ixs);
    eng_heap_init(&e->timers);
    return e;
}

static void offer_free_all(struct eng_agent *a)
{
    while (a->offers) {
        struct eng_offer *o = a->offers;
        a->offers = o->ag_next;
        free(o);
    }
}

void eng_free(struct engine *e)
{
    if (!e)
        return;
    eng_heap_cleanup(&e->timers); /* first: it touches the offers */
    size_t pos = 0;
    void *v;
    while (eng_map_next(&e->agents, &pos, NULL, &v)) {
        struct eng_agent *a = v;
        offer_free_all(a);
        for (size_t i = 0; i < a->nmem; i++)
            free(a->mem[i]);
        free(a->mem);
        free(a);
    }
    pos = 0;
    while (eng_map_next(&e->queues, &pos, NULL, &v)) {
        struct eng_queue *q = v;
        eng_map_cleanup(&q->members);
        free(q);
    }
    pos = 0;
    while (eng_map_next(&e->ixs, &pos, NULL, &v)) {
        struct eng_ix *ix = v;
        eng_map_cleanup(&ix->tried);
        free(ix);
    }
    eng_map_cleanup(&e->agents);
    eng_map_cleanup(&e->queues);
    eng_map_cleanup(&e->ixs);
    free(e->scratch);
    free(e->ev);
    free(e);
}

static void refresh_all(struct engine *e)
{
    size_t pos = 0;
    void *v;
    while (eng_map_next(&e->agents, &pos, NULL, &v)) {
        eng_agent_refresh(e, v);
        eng_mark_agent(e, v); /* an auto-answer may be waiting for the slot */
    }
}

/* True when some agent holds more (open + offers) than the limits allow: only after a limit
 * was lowered or work was restored from the database. */
static bool agent_over(const struct engine *e, const struct eng_agent *a)
{
    if (a->open_tabs + a->held_tabs > e->max_tabs)
        return true;
    for (int ch = 0; ch < ENG_CH_COUNT; ch++) {
        int cap = a->cfg[ch].capacity;
        if (cap && a->open[ch] + a->held[ch] > cap)
            return true;
    }
    return false;
}

int eng_set_max_tabs(struct engine *e, int max_tabs, int64_t now_ms)
{
    if (max_tabs < 1 || max_tabs > 1000)
        return SB_EINVAL;
    eng_advance(e, now_ms);
    eng_settle(e);
    if (max_tabs < e->max_tabs)
        e->limits_lowered = true;
    e->max_tabs = max_tabs;
    refresh_all(e);
    eng_settle(e);
    return 0;
}

/* ---- agents ----------------------------------------------------------------------------- */

static struct eng_agent *agent_get(const struct engine *e, int64_t id)
{
    return eng_map_get(&e->agents, id);
}

int eng_agent_upsert(struct engine *e, const struct eng_agent_spec *spec, int64_t now_ms)
{
    if (!spec || spec->id <= 0)
        return SB_EINVAL;
    for (int ch = 0; ch < ENG_CH_COUNT; ch++) {
        const struct eng_agent_channel *c = &spec->ch[ch];
        if (c->capacity < 0 || c->capacity > 1000 || c->auto_answer_delay < 0 ||
            c->auto_answer_delay > 86400)
            return SB_EINVAL;
    }
    eng_advance(e, now_ms);
    eng_settle(e);
    struct eng_agent *a = agent_get(e, spec->id);
    if (!a) {
        if (e->agents.n >= e->cfg.max_agents)
            return SB_EFULL;
        a = calloc(1, sizeof *a);
        if (!a)
            return SB_ENOMEM;
        a->id = spec->id;
        int r = eng_map_put(&e->agents, a->id, a);
        if (r) {
            free(a);
            return r;
        }
    }
    memcpy(a->cfg, spec->ch, sizeof a->cfg);
    if (agent_over(e, a))
        e->limits_lowered = true;
    eng_agent_refresh(e, a);
    eng_mark_agent(e, a);
    eng_settle(e);
    return 0;
}

/* Removes membership m from its queue and agent; its offer (if any) is withdrawn first. */
static void member_remove(struct engine *e, struct eng_member *m, int wd_reason)
{
    if (m->held)
        eng_offer_withdraw(e, m->held, wd_reason);
    eng_member_detach(e, m);
    struct eng_agent *a = m->agent;
    size_t i = m->agent_idx;
    a->mem[i] = a->mem[--a->nmem];
    a->mem[i]->agent_idx = i;
    eng_map_del(&m->q->members, a->id);
    free(m);
}

int eng_agent_remove(struct engine *e, int64_t agent_id, int64_t now_ms)
{
    struct eng_agent *a = agent_get(e, agent_id);
    if (!a)
        return SB_ENOTFOUND;
    eng_advance(e, now_ms);
    eng_settle(e);
    while (a->offers)
        eng_offer_withdraw(e, a->offers, ENG_WD_AGENT_GONE);
    while (a->nmem)
        member_remove(e, a->mem[a->nmem - 1], ENG_WD_AGENT_GONE);
    while (a->assigned) {
        struct eng_ix *ix = a->assigned;
        a->assigned = ix->next;
        eng_ix_free(e, ix);
    }
    eng_unmark_agent(e, a);
    eng_map_del(&e->agents, a->id);
    free(a->mem);
    free(a);
    eng_settle(e);
    return 0;
}

int eng_agent_login(struct engine *e, int64_t agent_id, int ch, int64_t now_ms)
{
    if (ch < 0 || ch >= ENG_CH_COUNT)
        return SB_EINVAL;
    struct eng_agent *a = agent_get(e, agent_id);
    if (!a)
        return SB_ENOTFOUND;
    eng_advance(e, now_ms);
    eng_settle(e);
    a->logged[ch] = true;
    eng_agent_refresh(e, a);
    eng_settle(e);
    return 0;
}

int eng_agent_logout(struct engine *e, int64_t agent_id, int ch, int64_t now_ms)
{
    if (ch < 0 || ch >= ENG_CH_COUNT)
        return SB_EINVAL;
    struct eng_agent *a = agent_get(e, agent_id);
    if (!a)
        return SB_ENOTFOUND;
    eng_advance(e, now_ms);
    eng_settle(e);
    a->logged[ch] = false;
    /* Out of the sets first so that a withdrawal does not make it available again. */
    eng_agent_refresh(e, a);
    for (struct eng_offer *o = a->offers, *next; o; o = next) {
        next = o->ag_next;
        if (o->m->q->ch == ch)
            eng_offer_withdraw(e, o, ENG_WD_AGENT_UNAVAILABLE);
    }
    eng_settle(e);
    return 0;
}

int eng_agent_pause(struct engine *e, int64_t agent_id, const char *reason, int64_t now_ms)
{
    struct eng_agent *a = agent_get(e, agent_id);
    if (!a)
        return SB_ENOTFOUND;
    eng_advance(e, now_ms);
    eng_settle(e);
    snprintf(a->pause_reason, sizeof a->pause_reason, "%s", reason ? reason : "");
    a->paused = true;
    eng_agent_refresh(e, a);
    while (a->offers)
        eng_offer_withdraw(e, a->offers, ENG_WD_AGENT_UNAVAILABLE);
    eng_settle(e);
    return 0;
}

int eng_agent_unpause(struct engine *e, int64_t agent_id, int64_t now_ms)
{
    struct eng_agent *a = agent_get(e, agent_id);
    if (!a)
        return SB_ENOTFOUND;
    eng_advance(e, now_ms);
    eng_settle(e);
    a->paused = false;
    a->pause_reason[0] = '\0';
    eng_agent_refresh(e, a);
    eng_settle(e);
    return 0;
}

int eng_agent_restore_assigned(struct engine *e, int64_t agent_id, int64_t interaction_id, int ch,
                               int64_t now_ms)
{
    if (ch < 0 || ch >= ENG_CH_COUNT || interaction_id <= 0)
        return SB_EINVAL;
    struct eng_agent *a = agent_get(e, agent_id);
    if (!a)
        return SB_ENOTFOUND;
    if (eng_map_get(&e->ixs, interaction_id))
        return SB_ECONFLICT;
    if (e->ixs.n >= e->cfg.max_waiting)
        return SB_EFULL;
    eng_advance(e, now_ms);
    eng_settle(e);
    struct eng_ix *ix = calloc(1, sizeof *ix);
    if (!ix)
        return SB_ENOMEM;
    ix->id = interaction_id;
    int r = eng_map_put(&e->ixs, ix->id, ix);
    if (r) {
        free(ix);
        return r;
    }
    ix->state = IX_ASSIGNED;
    ix->ch = ch;
    ix->agent = a;
    ix->joined_ms = e->now;
    ix->next = a->assigned;
    if (a->assigned)
        a->assigned->prev = ix;
    a->assigned = ix;
    a->open_tabs++;
    a->open[ch]++;
    if (agent_over(e, a))
        e->limits_lowered = true;
    eng_agent_refresh(e, a);
    eng_settle(e);
    return 0;
}

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
        member_remove(e, v, ENG_WD_QUEUE_GONE);
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
    struct eng_agent *a = agent_get(e, agent_id);
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
    member_remove(e, m, ENG_WD_AGENT_UNAVAILABLE);
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
        if (!agent_get(e, ids[i]))
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
            (void)eng_map_put(&want, ids[i], agent_get(e, ids[i]));
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
        member_remove(e, gone[i], ENG_WD_AGENT_UNAVAILABLE);
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

/* ---- interactions ----------------------------------------------------------------------- */

int eng_enqueue(struct engine *e, int64_t interaction_id, int64_t queue_id, int64_t now_ms)
{
    if (interaction_id <= 0)
        return SB_EINVAL;
    struct eng_queue *q = queue_get(e, queue_id);
    if (!q)
        return SB_ENOTFOUND;
    if (eng_map_get(&e->ixs, interaction_id))
        return SB_ECONFLICT;
    if (e->ixs.n >= e->cfg.max_waiting)
        return SB_EFULL;
    eng_advance(e, now_ms);
    eng_settle(e);
    struct eng_ix *ix = calloc(1, sizeof *ix);
    if (!ix)
        return SB_ENOMEM;
    ix->id = interaction_id;
    int r = eng_map_put(&e->ixs, ix->id, ix);
    if (r) {
        free(ix);
        return r;
    }
    ix->state = IX_WAITING;
    ix->ch = q->ch;
    ix->q = q;
    ix->joined_ms = e->now;
    ix->seq = ++e->join_seq;
    ix->next = q->waiting;
    if (q->waiting)
        q->waiting->prev = ix;
    q->waiting = ix;
    q->nwaiting++;
    eng_emit(e, ENG_EV_JOINED, ix->id, q->id, 0, 0, 0, false);
    eng_ix_pending_update(e, ix);
    eng_settle(e);
    return 0;
}

int eng_dequeue(struct engine *e, int64_t interaction_id, int reason, int64_t now_ms)
{
    if (reason != ENG_LEFT_TIMEOUT && reason != ENG_LEFT_ABANDONED)
        return SB_EINVAL;
    eng_advance(e, now_ms);
    eng_settle(e);
    struct eng_ix *ix = eng_map_get(&e->ixs, interaction_id);
    if (!ix || ix->state != IX_WAITING)
        return SB_ENOTFOUND;
    eng_ix_leave(e, ix, reason, ENG_WD_LEFT);
    eng_settle(e);
    return 0;
}

enum eng_accept_result eng_accept(struct engine *e, int64_t agent_id, int64_t interaction_id,
                                  int64_t now_ms)
{
    struct eng_agent *a = agent_get(e, agent_id);
    if (!a)
        return ENG_ACCEPT_UNKNOWN_AGENT;
    eng_advance(e, now_ms);
    eng_settle(e);
    struct eng_ix *ix = eng_map_get(&e->ixs, interaction_id);
    if (!ix)
        return ENG_ACCEPT_NOT_OFFERED;
    int r = eng_do_accept(e, a, ix);
    eng_settle(e);
    return (enum eng_accept_result)r;
}

int eng_reject(struct engine *e, int64_t agent_id, int64_t interaction_id, int64_t now_ms)
{
    struct eng_agent *a = agent_get(e, agent_id);
    if (!a)
        return SB_ENOTFOUND;
    eng_advance(e, now_ms);
    eng_settle(e);
    struct eng_ix *ix = eng_map_get(&e->ixs, interaction_id);
    if (!ix)
        return SB_ENOTFOUND;
    int r = eng_do_reject(e, a, ix);
    eng_settle(e);
    return r;
}

int eng_close(struct engine *e, int64_t agent_id, int64_t interaction_id, int64_t now_ms)
{
    struct eng_agent *a = agent_get(e, agent_id);
    if (!a)
        return SB_ENOTFOUND;
    eng_advance(e, now_ms);
    eng_settle(e);
    struct eng_ix *ix = eng_map_get(&e->ixs, interaction_id);
    if (!ix || ix->state != IX_ASSIGNED || ix->agent != a)
        return SB_ENOTFOUND;
    if (ix->prev)
        ix->prev->next = ix->next;
    else
        a->assigned = ix->next;
    if (ix->next)
        ix->next->prev = ix->prev;
    a->open_tabs--;
    a->open[ix->ch]--;
    eng_ix_free(e, ix);
    eng_agent_refresh(e, a);
    eng_mark_agent(e, a); /* an auto-answer may be waiting for this slot */
    eng_settle(e);
    return 0;
}

int eng_tick(struct engine *e, int64_t now_ms)
{
    eng_advance(e, now_ms);
    eng_settle(e);
    return 0;
}

int64_t eng_next_deadline(const struct engine *e)
{
    const struct eng_heap_item *t = eng_heap_top(&e->timers);
    return t ? t->when : INT64_MAX;
}

/* ---- queries ---------------------------------------------------------------------------- */

int eng_eligibility(const struct engine *e, int64_t agent_id, int64_t interaction_id)
{
    const struct eng_agent *a = agent_get(e, agent_id);
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
    return ENG_ELIGIBLE;
}

int eng_agent_state(const struct engine *e, int64_t agent_id, struct eng_agent_state *out)
{
    const struct eng_agent *a = agent_get(e, agent_id);
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
    const struct eng_queue *q = queue_get(e, queue_id);
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
            for (struct eng_set_node *n2 = eng_set_min(&q->avail_id); n2;
                 n2 = eng_set_after(&q->avail_id, n2->a, n2->b))
                if (!eng_map_get(&ix->tried, n2->a))
                    FAIL("interaction %lld waits while agent %lld is available", (long long)ix->id,
                         (long long)n2->a);
            if (q->avail_id.n && ix->noffers == 0)
                FAIL("interaction %lld: no offer out, agents available", (long long)ix->id);
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
