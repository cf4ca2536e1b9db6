/* engine.c — the routing engine's lifecycle, its inputs for agents and interactions and its
 * event buffer. Queues and members are in engine_queues.c, the decisions in engine_route.c,
 * queries and the self-check in engine_check.c. */
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
    eng_map_init(&e->groups);
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
    pos = 0;
    while (eng_map_next(&e->groups, &pos, NULL, &v)) {
        struct eng_group *g = v;
        eng_map_cleanup(&g->members);
        free(g);
    }
    eng_map_cleanup(&e->groups);
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
void eng_member_remove(struct engine *e, struct eng_member *m, int wd_reason)
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
        eng_member_remove(e, a->mem[a->nmem - 1], ENG_WD_AGENT_GONE);
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

/* ---- interactions ----------------------------------------------------------------------- */

static struct eng_group *group_get(struct engine *e, int64_t id, bool create)
{
    struct eng_group *g = eng_map_get(&e->groups, id);
    if (g || !create)
        return g;
    if (e->groups.n >= ENG_GROUPS_MAX)
        return NULL;
    g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->id = id;
    if (eng_map_put(&e->groups, id, g)) {
        free(g);
        return NULL;
    }
    return g;
}

static char group_mark;

int eng_group_set(struct engine *e, int64_t group_id, const int64_t *ids, size_t n, int64_t now_ms)
{
    if (group_id <= 0 || n > 1000000)
        return SB_EINVAL;
    struct eng_map fresh;
    eng_map_init(&fresh);
    for (size_t i = 0; i < n; i++) {
        if (eng_map_put(&fresh, ids[i], &group_mark)) {
            eng_map_cleanup(&fresh);
            return SB_ENOMEM;
        }
    }
    struct eng_group *g = group_get(e, group_id, true);
    if (!g) {
        eng_map_cleanup(&fresh);
        return e->groups.n >= ENG_GROUPS_MAX ? SB_EFULL : SB_ENOMEM;
    }
    eng_advance(e, now_ms);
    eng_settle(e);
    struct eng_map old = g->members;
    g->members = fresh;
    /* Those who left: their offers of the group's interactions are withdrawn. */
    size_t pos = 0;
    int64_t id;
    void *v;
    while (eng_map_next(&old, &pos, &id, &v)) {
        if (eng_map_get(&g->members, id))
            continue;
        struct eng_agent *a = eng_map_get(&e->agents, id);
        for (struct eng_offer *o = a ? a->offers : NULL; o;) {
            struct eng_offer *next = o->ag_next;
            if (o->ix->group == g) {
                eng_offer_withdraw(e, o, ENG_WD_AGENT_UNAVAILABLE);
                next = a->offers; /* the list changed under us: start again */
            }
            o = next;
        }
    }
    /* Those who joined: their queues may have the group's interactions waiting. */
    pos = 0;
    while (eng_map_next(&g->members, &pos, &id, &v)) {
        struct eng_agent *a = eng_map_get(&old, id) ? NULL : eng_map_get(&e->agents, id);
        if (a)
            eng_mark_agent(e, a);
    }
    eng_map_cleanup(&old);
    eng_settle(e);
    return 0;
}

int eng_enqueue(struct engine *e, int64_t interaction_id, int64_t queue_id, int64_t now_ms)
{
    return eng_enqueue_group(e, interaction_id, queue_id, 0, now_ms);
}

int eng_enqueue_group(struct engine *e, int64_t interaction_id, int64_t queue_id, int64_t group_id,
                      int64_t now_ms)
{
    if (interaction_id <= 0 || group_id < 0)
        return SB_EINVAL;
    struct eng_queue *q = eng_map_get(&e->queues, queue_id);
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
    if (group_id) {
        ix->group = group_get(e, group_id, true);
        if (!ix->group) {
            free(ix);
            return e->groups.n >= ENG_GROUPS_MAX ? SB_EFULL : SB_ENOMEM;
        }
    }
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
