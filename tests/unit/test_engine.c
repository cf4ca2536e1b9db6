/* Deterministic simulation tests of the routing engine (src/routing/engine.h), driven by a
 * virtual clock. Every helper drains the engine's events into a log and runs eng_check (the
 * engine's own invariants) after each call; scenarios then assert the exact events. The last
 * test is a randomized property test (fixed seed) with an independent model built from the
 * events alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "routing/eng_ds.h"
#include "routing/engine.h"

#define CHAT ENG_CH_CHAT
#define SMS  ENG_CH_SMS

struct sim {
    struct engine *e;
    int64_t now;
    struct eng_event *log;
    size_t nlog, caplog;
    size_t mark; /* events before this index are "old" */
};

static struct sim *sim_new_cfg(const struct eng_config *cfg)
{
    struct sim *s = calloc(1, sizeof *s);
    assert_non_null(s);
    s->e = eng_new(cfg);
    assert_non_null(s->e);
    s->now = 1000000;
    return s;
}

static struct sim *sim_new(void)
{
    return sim_new_cfg(NULL);
}

static void sim_free(struct sim *s)
{
    eng_free(s->e);
    free(s->log);
    free(s);
}

/* Moves the engine's events to the log and checks the engine's invariants. */
static void drain(struct sim *s)
{
    size_t n;
    const struct eng_event *ev = eng_events(s->e, &n);
    if (s->nlog + n > s->caplog) {
        size_t cap = (s->nlog + n) * 2 + 64;
        s->log = realloc(s->log, cap * sizeof *s->log);
        assert_non_null(s->log);
        s->caplog = cap;
    }
    if (n)
        memcpy(s->log + s->nlog, ev, n * sizeof *ev);
    s->nlog += n;
    eng_events_clear(s->e);
    assert_int_equal(eng_events_lost(s->e), 0);
    char msg[256];
    int r = eng_check(s->e, msg, sizeof msg);
    if (r)
        fail_msg("eng_check: %s", msg);
}

static void ok(struct sim *s, int r)
{
    drain(s);
    assert_int_equal(r, 0);
}

static void mark(struct sim *s)
{
    s->mark = s->nlog;
}

/* Number of events since the mark matching type (and ix, agent when > 0). */
static int count(struct sim *s, int type, int64_t ix, int64_t agent)
{
    int n = 0;
    for (size_t i = s->mark; i < s->nlog; i++) {
        const struct eng_event *v = &s->log[i];
        if (v->type == type && (ix <= 0 || v->interaction == ix) &&
            (agent <= 0 || v->agent == agent))
            n++;
    }
    return n;
}

/* The i-th event since the mark of a type (NULL when absent). */
static const struct eng_event *nth(struct sim *s, int type, int i)
{
    for (size_t k = s->mark; k < s->nlog; k++)
        if (s->log[k].type == type && i-- == 0)
            return &s->log[k];
    return NULL;
}

/* The agent offered ix since the mark (exactly one offer expected). */
static int64_t offered_to(struct sim *s, int64_t ix)
{
    assert_int_equal(count(s, ENG_EV_OFFERED, ix, 0), 1);
    for (size_t k = s->mark; k < s->nlog; k++)
        if (s->log[k].type == ENG_EV_OFFERED && s->log[k].interaction == ix)
            return s->log[k].agent;
    return 0;
}

static void agent(struct sim *s, int64_t id, int chat_cap, bool aa, int aa_delay)
{
    struct eng_agent_spec sp = {.id = id};
    sp.ch[CHAT] = (struct eng_agent_channel){chat_cap, aa, aa_delay};
    ok(s, eng_agent_upsert(s->e, &sp, s->now));
}

static void login(struct sim *s, int64_t id, int ch)
{
    ok(s, eng_agent_login(s->e, id, ch, s->now));
}

static void queue(struct sim *s, int64_t id, int ch, int strategy, int timeout, int weight)
{
    struct eng_queue_spec q = {id, ch, strategy, timeout, weight};
    ok(s, eng_queue_upsert(s->e, &q, s->now));
}

static void members(struct sim *s, int64_t q, const int64_t *ids, size_t n)
{
    ok(s, eng_queue_set_members(s->e, q, ids, n, s->now));
}

static void enqueue(struct sim *s, int64_t ix, int64_t q)
{
    ok(s, eng_enqueue(s->e, ix, q, s->now));
}

static void at(struct sim *s, int64_t ms_from_now)
{
    s->now += ms_from_now;
    ok(s, eng_tick(s->e, s->now));
}

static int accept(struct sim *s, int64_t a, int64_t ix)
{
    int r = (int)eng_accept(s->e, a, ix, s->now);
    drain(s);
    return r;
}

/* Agents 1..n logged in on chat, unlimited capacity, members of queue q. */
static void crew(struct sim *s, int64_t q, int n, int strategy, int timeout)
{
    queue(s, q, CHAT, strategy, timeout, 0);
    int64_t ids[64];
    for (int i = 0; i < n; i++) {
        ids[i] = i + 1;
        agent(s, ids[i], 0, false, 0);
        login(s, ids[i], CHAT);
    }
    members(s, q, ids, (size_t)n);
}

/* ---- beepall ------------------------------------------------------------------------------ */

static void test_beepall_first_accept_wins(void **state)
{
    struct sim *s = sim_new();
    crew(s, 100, 3, ENG_BEEPALL, 20);
    mark(s);
    enqueue(s, 7, 100);
    assert_int_equal(count(s, ENG_EV_JOINED, 7, 0), 1);
    assert_int_equal(count(s, ENG_EV_OFFERED, 7, 0), 3);
    for (int a = 1; a <= 3; a++)
        assert_int_equal(count(s, ENG_EV_OFFERED, 7, a), 1);

    mark(s);
    s->now += 2000;
    assert_int_equal(accept(s, 2, 7), ENG_ACCEPT_OK);
    const struct eng_event *left = nth(s, ENG_EV_LEFT, 0);
    assert_non_null(left);
    assert_int_equal(left->reason, ENG_LEFT_ACCEPTED);
    assert_int_equal(left->agent, 2);
    assert_int_equal(left->queue, 100);
    assert_int_equal(left->t, s->now);
    assert_int_equal(count(s, ENG_EV_ASSIGNED, 7, 2), 1);
    assert_false(nth(s, ENG_EV_ASSIGNED, 0)->auto_answer);
    /* Every other offered agent is told it was taken. */
    assert_int_equal(count(s, ENG_EV_WITHDRAWN, 7, 0), 2);
    for (int i = 0; i < 2; i++) {
        const struct eng_event *w = nth(s, ENG_EV_WITHDRAWN, i);
        assert_int_equal(w->reason, ENG_WD_TAKEN);
        assert_true(w->agent == 1 || w->agent == 3);
    }
    /* The second accept of the same interaction cannot succeed. */
    assert_int_equal(accept(s, 1, 7), ENG_ACCEPT_TAKEN);
    assert_int_equal(accept(s, 2, 7), ENG_ACCEPT_TAKEN);
    struct eng_agent_state st;
    assert_int_equal(eng_agent_state(s->e, 2, &st), 0);
    assert_int_equal(st.open_tabs, 1);
    assert_int_equal(st.open[CHAT], 1);
    assert_int_equal(eng_agent_state(s->e, 1, &st), 0);
    assert_int_equal(st.open_tabs, 0);
    sim_free(s);
}

static void test_beepall_offers_newcomer_and_one_offer_per_queue(void **state)
{
    struct sim *s = sim_new();
    crew(s, 100, 2, ENG_BEEPALL, 20);
    agent(s, 3, 0, false, 0);
    int64_t ids[] = {1, 2, 3};
    members(s, 100, ids, 3);
    mark(s);
    enqueue(s, 7, 100);
    assert_int_equal(count(s, ENG_EV_OFFERED, 7, 0), 2);
    /* A second interaction: every agent already holds an offer from this queue. */
    enqueue(s, 8, 100);
    assert_int_equal(count(s, ENG_EV_OFFERED, 8, 0), 0);
    assert_int_equal(eng_eligibility(s->e, 1, 8), ENG_INELIG_QUEUE_OFFER);
    assert_int_equal(eng_eligibility(s->e, 1, 7), ENG_INELIG_ALREADY_OFFERED);
    /* A member logging in while 7 is offered gets 7 too (the oldest first). */
    mark(s);
    login(s, 3, CHAT);
    assert_int_equal(count(s, ENG_EV_OFFERED, 0, 0), 1);
    assert_int_equal(offered_to(s, 7), 3);
    /* Once 7 is taken, the other two are free for 8. */
    mark(s);
    assert_int_equal(accept(s, 3, 7), ENG_ACCEPT_OK);
    assert_int_equal(count(s, ENG_EV_WITHDRAWN, 7, 0), 2);
    assert_int_equal(count(s, ENG_EV_OFFERED, 8, 0), 3);
    sim_free(s);
}

static void test_beepall_all_reject_starts_new_round(void **state)
{
    struct sim *s = sim_new();
    crew(s, 100, 2, ENG_BEEPALL, 20);
    enqueue(s, 7, 100);
    mark(s);
    ok(s, eng_reject(s->e, 1, 7, s->now));
    assert_int_equal(count(s, ENG_EV_OFFERED, 7, 0), 0); /* 2 still has it: no new round */
    ok(s, eng_reject(s->e, 2, 7, s->now));
    assert_int_equal(count(s, ENG_EV_OFFERED, 7, 0), 2); /* everyone tried: round two */
    assert_int_equal(eng_reject(s->e, 9, 7, s->now), SB_ENOTFOUND);
    assert_int_equal(eng_reject(s->e, 1, 99, s->now), SB_ENOTFOUND);
    drain(s);
    sim_free(s);
}

/* ---- agent groups (the agents of an account) ----------------------------------------------- */

/* Only the group's members are offered its interactions, with every strategy; an interaction
 * without a group goes to anyone; reject rounds stay inside the group. */
static void test_group_limits_offers(void **state)
{
    int strategies[] = {ENG_RRMEMORY, ENG_LEASTRECENT, ENG_BEEPALL};
    for (int k = 0; k < 3; k++) {
        struct sim *s = sim_new();
        crew(s, 100, 4, strategies[k], 20);
        int64_t g[] = {2, 4};
        ok(s, eng_group_set(s->e, 77, g, 2, s->now));
        mark(s);
        ok(s, eng_enqueue_group(s->e, 7, 100, 77, s->now));
        drain(s);
        for (int64_t a = 1; a <= 4; a++)
            assert_int_equal(count(s, ENG_EV_OFFERED, 7, a),
                             a % 2 == 0 && (strategies[k] == ENG_BEEPALL || a == 2));
        assert_int_equal(eng_eligibility(s->e, 1, 7), ENG_INELIG_GROUP);
        assert_int_equal(eng_eligibility(s->e, 3, 7), ENG_INELIG_GROUP);
        /* Both group members reject: a new round, still inside the group. */
        mark(s);
        ok(s, eng_reject(s->e, 2, 7, s->now));
        if (strategies[k] != ENG_BEEPALL) {
            assert_int_equal(offered_to(s, 7), 4);
            mark(s);
        }
        ok(s, eng_reject(s->e, 4, 7, s->now));
        for (int64_t a = 1; a <= 4; a += 2)
            assert_int_equal(count(s, ENG_EV_OFFERED, 7, a), 0);
        assert_int_equal(count(s, ENG_EV_OFFERED, 7, 0), strategies[k] == ENG_BEEPALL ? 2 : 1);
        /* Without a group: anyone (agent 1 or 3 is free). */
        mark(s);
        enqueue(s, 8, 100);
        assert_true(count(s, ENG_EV_OFFERED, 8, 1) + count(s, ENG_EV_OFFERED, 8, 3) >= 1);
        sim_free(s);
    }
}

/* An empty (or unknown) group waits; agents joining get offers at once; agents leaving lose
 * their offers of the group's interactions, which pass on. */
static void test_group_changes(void **state)
{
    struct sim *s = sim_new();
    crew(s, 100, 3, ENG_RRMEMORY, 20);
    mark(s);
    ok(s, eng_enqueue_group(s->e, 7, 100, 5, s->now)); /* group 5 never set: nobody */
    drain(s);
    assert_int_equal(count(s, ENG_EV_OFFERED, 7, 0), 0);
    int64_t g1[] = {3};
    mark(s);
    ok(s, eng_group_set(s->e, 5, g1, 1, s->now));
    assert_int_equal(offered_to(s, 7), 3);
    int64_t g2[] = {1, 2};
    mark(s);
    ok(s, eng_group_set(s->e, 5, g2, 2, s->now));
    assert_int_equal(count(s, ENG_EV_WITHDRAWN, 7, 3), 1);
    assert_int_equal(nth(s, ENG_EV_WITHDRAWN, 0)->reason, ENG_WD_AGENT_UNAVAILABLE);
    int64_t to = offered_to(s, 7);
    assert_true(to == 1 || to == 2);
    assert_int_equal(accept(s, 3, 7), ENG_ACCEPT_NOT_OFFERED);
    assert_int_equal(accept(s, to, 7), ENG_ACCEPT_OK);
    /* Bad inputs change nothing. */
    assert_int_equal(eng_group_set(s->e, 0, g1, 1, s->now), SB_EINVAL);
    assert_int_equal(eng_enqueue_group(s->e, 9, 100, -1, s->now), SB_EINVAL);
    drain(s);
    sim_free(s);
}

/* ---- rrmemory / leastrecent --------------------------------------------------------------- */

static void test_rrmemory_order_and_wrap(void **state)
{
    struct sim *s = sim_new();
    queue(s, 100, CHAT, ENG_RRMEMORY, 20, 0);
    int64_t ids[] = {30, 10, 20}; /* member order is by agent id, not insertion */
    for (int i = 0; i < 3; i++) {
        agent(s, ids[i], 0, false, 0);
        login(s, ids[i], CHAT);
    }
    members(s, 100, ids, 3);
    int64_t expect[] = {10, 20, 30, 10, 20};
    for (int i = 0; i < 5; i++) {
        mark(s);
        enqueue(s, 1 + i, 100);
        int64_t a = offered_to(s, 1 + i);
        assert_int_equal(a, expect[i]);
        assert_int_equal(accept(s, a, 1 + i), ENG_ACCEPT_OK);
        ok(s, eng_close(s->e, a, 1 + i, s->now));
    }
    /* One offer at a time per agent per queue: while 30 holds 6, 7 goes to 10. */
    mark(s);
    enqueue(s, 6, 100);
    assert_int_equal(offered_to(s, 6), 30);
    enqueue(s, 7, 100);
    assert_int_equal(offered_to(s, 7), 10);
    sim_free(s);
}

static void test_rrmemory_timeout_reject_and_round(void **state)
{
    struct sim *s = sim_new();
    crew(s, 100, 3, ENG_RRMEMORY, 15);
    mark(s);
    enqueue(s, 7, 100);
    assert_int_equal(offered_to(s, 7), 1);
    const struct eng_event *o = nth(s, ENG_EV_OFFERED, 0);
    assert_int_equal(o->deadline, s->now + 15000);
    assert_int_equal(eng_next_deadline(s->e), s->now + 15000);
    mark(s);
    at(s, 14999);
    assert_int_equal(s->nlog, s->mark); /* nothing yet */
    at(s, 1);
    assert_int_equal(count(s, ENG_EV_EXPIRED, 7, 1), 1);
    assert_int_equal(offered_to(s, 7), 2);
    /* Reject passes it on at once. */
    mark(s);
    ok(s, eng_reject(s->e, 2, 7, s->now));
    assert_int_equal(offered_to(s, 7), 3);
    /* 3 lets it expire: every member was tried, the round starts again after 3 -> 1. */
    mark(s);
    at(s, 15000);
    assert_int_equal(count(s, ENG_EV_EXPIRED, 7, 3), 1);
    assert_int_equal(offered_to(s, 7), 1);
    /* An expired offer cannot be accepted; the interaction is still waiting. */
    assert_int_equal(accept(s, 3, 7), ENG_ACCEPT_NOT_OFFERED);
    assert_int_equal(accept(s, 1, 7), ENG_ACCEPT_OK);
    sim_free(s);
}

static void test_lowered_timeout_expires_first(void **state)
{
    struct sim *s = sim_new();
    crew(s, 100, 2, ENG_RRMEMORY, 20);
    int64_t t0 = s->now;
    enqueue(s, 7, 100); /* to 1, expires at t0 + 20 s */
    s->now += 1000;
    queue(s, 100, CHAT, ENG_RRMEMORY, 5, 0);
    mark(s);
    enqueue(s, 8, 100); /* to 2, expires at t0 + 6 s: before 7's offer */
    assert_int_equal(offered_to(s, 8), 2);
    assert_int_equal(eng_next_deadline(s->e), t0 + 6000);
    mark(s);
    at(s, 5000);
    assert_int_equal(count(s, ENG_EV_EXPIRED, 0, 0), 1);
    assert_int_equal(count(s, ENG_EV_EXPIRED, 8, 2), 1);
    /* 2 was the only available member: a new round offers 8 to 2 again, for 5 s. */
    assert_int_equal(offered_to(s, 8), 2);
    assert_int_equal(eng_next_deadline(s->e), t0 + 11000);
    mark(s);
    at(s, 5000); /* t0 + 11 s */
    at(s, 5000); /* t0 + 16 s */
    at(s, 3999); /* t0 + 19.999 s: 8 expired twice more, 7 not yet */
    assert_int_equal(count(s, ENG_EV_EXPIRED, 7, 0), 0);
    assert_int_equal(count(s, ENG_EV_EXPIRED, 8, 2), 2);
    at(s, 1);
    assert_int_equal(count(s, ENG_EV_EXPIRED, 7, 1), 1);
    sim_free(s);
}

static void test_late_accept_after_missed_tick(void **state)
{
    struct sim *s = sim_new();
    crew(s, 100, 2, ENG_RRMEMORY, 10);
    enqueue(s, 7, 100);
    /* No tick at the deadline: the accept at +12 s first fires the expiry. */
    s->now += 12000;
    mark(s);
    assert_int_equal(accept(s, 1, 7), ENG_ACCEPT_NOT_OFFERED);
    assert_int_equal(count(s, ENG_EV_EXPIRED, 7, 1), 1);
    assert_int_equal(offered_to(s, 7), 2);
    /* Time never goes backwards: an older now_ms is the latest one. */
    ok(s, eng_tick(s->e, s->now - 5000));
    assert_int_equal(eng_next_deadline(s->e), s->now + 10000);
    sim_free(s);
}

/* Agents 1, 2, 3; 1 takes the first interaction while 2 is logged out; 3 gets the second;
 * 2 comes back. The third interaction shows the strategy: rrmemory continues after 3 (-> 1),
 * leastrecent picks the agent never offered (2). */
static int64_t third_pick(int strategy)
{
    struct sim *s = sim_new();
    crew(s, 100, 3, strategy, 20);
    ok(s, eng_agent_logout(s->e, 2, CHAT, s->now));
    mark(s);
    enqueue(s, 1, 100);
    int64_t a = offered_to(s, 1);
    assert_int_equal(a, 1);
    assert_int_equal(accept(s, a, 1), ENG_ACCEPT_OK);
    mark(s);
    enqueue(s, 2, 100);
    a = offered_to(s, 2);
    assert_int_equal(a, 3);
    assert_int_equal(accept(s, a, 2), ENG_ACCEPT_OK);
    login(s, 2, CHAT);
    mark(s);
    enqueue(s, 3, 100);
    a = offered_to(s, 3);
    sim_free(s);
    return a;
}

static void test_leastrecent_vs_rrmemory(void **state)
{
    assert_int_equal(third_pick(ENG_RRMEMORY), 1);
    assert_int_equal(third_pick(ENG_LEASTRECENT), 2);
}

static void test_leastrecent_order(void **state)
{
    struct sim *s = sim_new();
    crew(s, 100, 3, ENG_LEASTRECENT, 20);
    /* Everyone accepts and stays free: the least recently offered comes next each time. */
    int64_t got[6];
    for (int i = 0; i < 6; i++) {
        mark(s);
        enqueue(s, 10 + i, 100);
        got[i] = offered_to(s, 10 + i);
        assert_int_equal(accept(s, got[i], 10 + i), ENG_ACCEPT_OK);
    }
    int64_t expect[] = {1, 2, 3, 1, 2, 3};
    for (int i = 0; i < 6; i++)
        assert_int_equal(got[i], expect[i]);
    sim_free(s);
}

/* ---- weight ------------------------------------------------------------------------------ */

static void weight_case(int w1, int w2, int64_t expect_ix)
{
    struct sim *s = sim_new();
    agent(s, 1, 1, false, 0); /* capacity 1: it can take only one of them */
    queue(s, 101, CHAT, ENG_RRMEMORY, 20, w1);
    queue(s, 102, CHAT, ENG_RRMEMORY, 20, w2);
    int64_t one[] = {1};
    members(s, 101, one, 1);
    members(s, 102, one, 1);
    enqueue(s, 11, 101); /* older */
    s->now += 1000;
    enqueue(s, 12, 102);
    mark(s);
    login(s, 1, CHAT);
    assert_int_equal(count(s, ENG_EV_OFFERED, 0, 0), 1);
    assert_int_equal(offered_to(s, expect_ix), 1);
    assert_int_equal(eng_eligibility(s->e, 1, expect_ix == 11 ? 12 : 11), ENG_INELIG_CAPACITY);
    sim_free(s);
}

static void test_weight_orders_competing_queues(void **state)
{
    weight_case(1, 5, 12); /* higher weight first even though younger */
    weight_case(5, 1, 11);
    weight_case(3, 3, 11); /* equal weights: the longest waiting */
}

/* ---- eligibility, tab limit, capacity, seed report scenarios ------------------------------ */

static void test_eligibility_order(void **state)
{
    struct eng_config cfg = {.max_tabs = 2};
    struct sim *s = sim_new_cfg(&cfg);
    queue(s, 100, CHAT, ENG_RRMEMORY, 20, 0);
    queue(s, 200, SMS, ENG_RRMEMORY, 20, 0);
    agent(s, 1, 1, false, 0);
    agent(s, 2, 0, false, 0);
    int64_t ids[] = {1};
    members(s, 100, ids, 1);
    int64_t ids2[] = {1, 2};
    members(s, 200, ids2, 2);
    /* Agent 1 holds two sms tabs (restored) and one open chat: every rule fails at once. */
    ok(s, eng_agent_restore_assigned(s->e, 1, 501, SMS, s->now));
    ok(s, eng_agent_restore_assigned(s->e, 1, 502, CHAT, s->now));
    ok(s, eng_agent_pause(s->e, 1, "lunch", s->now));
    enqueue(s, 7, 100);
    assert_int_equal(eng_eligibility(s->e, 1, 7), ENG_INELIG_LOGGED_OUT);
    login(s, 1, CHAT);
    assert_int_equal(eng_eligibility(s->e, 1, 7), ENG_INELIG_PAUSED);
    ok(s, eng_agent_unpause(s->e, 1, s->now));
    assert_int_equal(eng_eligibility(s->e, 1, 7), ENG_INELIG_TAB_LIMIT);
    ok(s, eng_close(s->e, 1, 501, s->now));
    assert_int_equal(eng_eligibility(s->e, 1, 7), ENG_INELIG_CAPACITY);
    mark(s);
    ok(s, eng_close(s->e, 1, 502, s->now));
    assert_int_equal(offered_to(s, 7), 1);
    /* The offer reserves the only slot: the capacity rule comes first. */
    assert_int_equal(eng_eligibility(s->e, 1, 7), ENG_INELIG_CAPACITY);
    agent(s, 1, 5, false, 0);
    assert_int_equal(eng_eligibility(s->e, 1, 7), ENG_INELIG_ALREADY_OFFERED);
    enqueue(s, 8, 100);
    assert_int_equal(eng_eligibility(s->e, 1, 8), ENG_INELIG_QUEUE_OFFER);
    assert_int_equal(eng_eligibility(s->e, 2, 7), ENG_INELIG_UNKNOWN); /* not a member */
    assert_int_equal(eng_eligibility(s->e, 1, 999), ENG_INELIG_UNKNOWN);
    sim_free(s);
}

/* Seed: "if agent reaches the maximum number of Max Capacity or Max Tab Limits, the new
 * request must not be notified and ... the request must have as reason timeout". */
static void test_capacity_refusal_ends_as_timeout(void **state)
{
    struct sim *s = sim_new();
    queue(s, 100, CHAT, ENG_BEEPALL, 20, 0);
    agent(s, 1, 1, false, 0);
    login(s, 1, CHAT);
    int64_t ids[] = {1};
    members(s, 100, ids, 1);
    enqueue(s, 7, 100);
    assert_int_equal(accept(s, 1, 7), ENG_ACCEPT_OK);
    mark(s);
    enqueue(s, 8, 100);
    assert_int_equal(count(s, ENG_EV_OFFERED, 0, 0), 0);
    assert_int_equal(eng_eligibility(s->e, 1, 8), ENG_INELIG_CAPACITY);
    at(s, 60000);
    assert_int_equal(count(s, ENG_EV_OFFERED, 0, 0), 0);
    /* The flow's Queue action times out. */
    ok(s, eng_dequeue(s->e, 8, ENG_LEFT_TIMEOUT, s->now));
    const struct eng_event *left = nth(s, ENG_EV_LEFT, 0);
    assert_non_null(left);
    assert_int_equal(left->interaction, 8);
    assert_int_equal(left->reason, ENG_LEFT_TIMEOUT);
    assert_int_equal(left->agent, 0);
    assert_int_equal(eng_dequeue(s->e, 8, ENG_LEFT_TIMEOUT, s->now), SB_ENOTFOUND);
    sim_free(s);
}

static void test_tab_limit_refusal_ends_as_timeout(void **state)
{
    struct eng_config cfg = {.max_tabs = 2};
    struct sim *s = sim_new_cfg(&cfg);
    queue(s, 100, CHAT, ENG_RRMEMORY, 20, 0);
    queue(s, 200, SMS, ENG_RRMEMORY, 20, 0);
    agent(s, 1, 0, false, 0);
    login(s, 1, CHAT);
    login(s, 1, SMS);
    int64_t ids[] = {1};
    members(s, 100, ids, 1);
    members(s, 200, ids, 1);
    /* Two sms interactions fill the tab limit; the chat one is not notified. */
    enqueue(s, 1, 200);
    assert_int_equal(accept(s, 1, 1), ENG_ACCEPT_OK);
    enqueue(s, 2, 200);
    assert_int_equal(accept(s, 1, 2), ENG_ACCEPT_OK);
    mark(s);
    enqueue(s, 3, 100);
    assert_int_equal(count(s, ENG_EV_OFFERED, 0, 0), 0);
    assert_int_equal(eng_eligibility(s->e, 1, 3), ENG_INELIG_TAB_LIMIT);
    s->now += 30000;
    ok(s, eng_dequeue(s->e, 3, ENG_LEFT_TIMEOUT, s->now));
    assert_int_equal(nth(s, ENG_EV_LEFT, 0)->reason, ENG_LEFT_TIMEOUT);
    sim_free(s);
}

/* Seed: "QueueA goes in timeout, while QueueB answers -> an entry related to QueueA with
 * reason timeout and another one related to QueueB with reason accepted", with the UserId. */
static void test_chain_queue_a_timeout_queue_b_accepted(void **state)
{
    struct sim *s = sim_new();
    queue(s, 1, CHAT, ENG_RRMEMORY, 20, 0); /* QueueA: nobody logged in */
    queue(s, 2, CHAT, ENG_RRMEMORY, 20, 0); /* QueueB */
    agent(s, 41, 0, false, 0);
    agent(s, 42, 0, false, 0);
    login(s, 42, CHAT);
    int64_t a_ids[] = {41}, b_ids[] = {42};
    members(s, 1, a_ids, 1);
    members(s, 2, b_ids, 1);
    mark(s);
    int64_t t0 = s->now;
    enqueue(s, 9, 1);
    s->now += 30000;
    ok(s, eng_dequeue(s->e, 9, ENG_LEFT_TIMEOUT, s->now));
    enqueue(s, 9, 2);
    s->now += 4000;
    assert_int_equal(accept(s, 42, 9), ENG_ACCEPT_OK);
    /* Exactly two JOINED/LEFT pairs, in order. */
    assert_int_equal(count(s, ENG_EV_JOINED, 9, 0), 2);
    assert_int_equal(count(s, ENG_EV_LEFT, 9, 0), 2);
    const struct eng_event *ja = nth(s, ENG_EV_JOINED, 0), *la = nth(s, ENG_EV_LEFT, 0);
    const struct eng_event *jb = nth(s, ENG_EV_JOINED, 1), *lb = nth(s, ENG_EV_LEFT, 1);
    assert_int_equal(ja->queue, 1);
    assert_int_equal(ja->t, t0);
    assert_int_equal(la->queue, 1);
    assert_int_equal(la->reason, ENG_LEFT_TIMEOUT);
    assert_int_equal(la->t, t0 + 30000);
    assert_int_equal(la->agent, 0);
    assert_int_equal(jb->queue, 2);
    assert_int_equal(lb->queue, 2);
    assert_int_equal(lb->reason, ENG_LEFT_ACCEPTED);
    assert_int_equal(lb->agent, 42);
    assert_int_equal(lb->t, t0 + 34000);
    sim_free(s);
}

static void test_abandoned(void **state)
{
    struct sim *s = sim_new();
    crew(s, 100, 2, ENG_BEEPALL, 20);
    enqueue(s, 7, 100);
    mark(s);
    ok(s, eng_dequeue(s->e, 7, ENG_LEFT_ABANDONED, s->now));
    assert_int_equal(count(s, ENG_EV_WITHDRAWN, 7, 0), 2);
    assert_int_equal(nth(s, ENG_EV_WITHDRAWN, 0)->reason, ENG_WD_LEFT);
    assert_int_equal(nth(s, ENG_EV_LEFT, 0)->reason, ENG_LEFT_ABANDONED);
    assert_int_equal(accept(s, 1, 7), ENG_ACCEPT_NOT_OFFERED);
    assert_int_equal(eng_dequeue(s->e, 7, ENG_LEFT_ACCEPTED, s->now), SB_EINVAL);
    /* The same id can wait again (a new attempt). */
    enqueue(s, 7, 100);
    sim_free(s);
}

/* ---- accept atomicity -------------------------------------------------------------------- */

static void test_accept_rechecks_capacity_and_tab_limit(void **state)
{
    struct sim *s = sim_new();
    queue(s, 101, CHAT, ENG_RRMEMORY, 20, 0);
    queue(s, 102, CHAT, ENG_RRMEMORY, 20, 0);
    queue(s, 103, CHAT, ENG_RRMEMORY, 20, 0);
    agent(s, 1, 3, false, 0);
    login(s, 1, CHAT);
    int64_t one[] = {1};
    members(s, 101, one, 1);
    members(s, 102, one, 1);
    members(s, 103, one, 1);
    enqueue(s, 11, 101);
    enqueue(s, 12, 102);
    enqueue(s, 13, 103);
    struct eng_agent_state st;
    assert_int_equal(eng_agent_state(s->e, 1, &st), 0);
    assert_int_equal(st.offers, 3);
    /* The capacity is lowered while three offers are out: only one accept may succeed. */
    agent(s, 1, 1, false, 0);
    assert_int_equal(accept(s, 1, 11), ENG_ACCEPT_OK);
    assert_int_equal(accept(s, 1, 12), ENG_ACCEPT_OVER_CAPACITY);
    assert_int_equal(eng_agent_state(s->e, 1, &st), 0);
    assert_int_equal(st.open[CHAT], 1);
    assert_int_equal(st.offers, 2); /* the refused offers stay out */
    /* The tab limit is lowered to 1 and the capacity raised: the tab limit refuses. */
    agent(s, 1, 0, false, 0);
    ok(s, eng_set_max_tabs(s->e, 1, s->now));
    assert_int_equal(accept(s, 1, 12), ENG_ACCEPT_OVER_TAB_LIMIT);
    /* A slot frees: the refused offer can now be accepted. */
    ok(s, eng_close(s->e, 1, 11, s->now));
    assert_int_equal(accept(s, 1, 12), ENG_ACCEPT_OK);
    assert_int_equal(accept(s, 1, 13), ENG_ACCEPT_OVER_TAB_LIMIT);
    assert_int_equal(eng_agent_state(s->e, 1, &st), 0);
    assert_int_equal(st.open_tabs, 1);
    assert_int_equal(accept(s, 99, 13), ENG_ACCEPT_UNKNOWN_AGENT);
    assert_int_equal(eng_set_max_tabs(s->e, 0, s->now), SB_EINVAL);
    sim_free(s);
}

static void test_reservation_limits_offers(void **state)
{
    /* Capacity 2 and three queues: never more than two offers at once. */
    struct sim *s = sim_new();
    agent(s, 1, 2, false, 0);
    login(s, 1, CHAT);
    int64_t one[] = {1};
    for (int q = 101; q <= 103; q++) {
        queue(s, q, CHAT, ENG_BEEPALL, 20, 0);
        members(s, q, one, 1);
        enqueue(s, q * 10, q);
    }
    struct eng_agent_state st;
    assert_int_equal(eng_agent_state(s->e, 1, &st), 0);
    assert_int_equal(st.offers, 2);
    assert_int_equal(accept(s, 1, 1010), ENG_ACCEPT_OK);
    assert_int_equal(accept(s, 1, 1020), ENG_ACCEPT_OK);
    assert_int_equal(accept(s, 1, 1030), ENG_ACCEPT_NOT_OFFERED);
    mark(s);
    ok(s, eng_close(s->e, 1, 1010, s->now));
    assert_int_equal(offered_to(s, 1030), 1);
    sim_free(s);
}

/* ---- auto-answer ------------------------------------------------------------------------- */

static void test_auto_answer_after_delay(void **state)
{
    struct sim *s = sim_new();
    queue(s, 100, CHAT, ENG_RRMEMORY, 30, 0);
    agent(s, 1, 0, true, 5);
    login(s, 1, CHAT);
    int64_t one[] = {1};
    members(s, 100, one, 1);
    mark(s);
    enqueue(s, 7, 100);
    const struct eng_event *o = nth(s, ENG_EV_OFFERED, 0);
    assert_non_null(o);
    assert_true(o->auto_answer);
    assert_int_equal(o->deadline, s->now + 5000);
    at(s, 4999);
    assert_int_equal(count(s, ENG_EV_ASSIGNED, 0, 0), 0);
    at(s, 1);
    const struct eng_event *as = nth(s, ENG_EV_ASSIGNED, 0);
    assert_non_null(as);
    assert_int_equal(as->agent, 1);
    assert_true(as->auto_answer);
    assert_int_equal(nth(s, ENG_EV_LEFT, 0)->reason, ENG_LEFT_ACCEPTED);
    assert_int_equal(nth(s, ENG_EV_LEFT, 0)->agent, 1);
    /* Delay 0: assigned in the same call. */
    agent(s, 1, 0, true, 0);
    mark(s);
    enqueue(s, 8, 100);
    assert_int_equal(count(s, ENG_EV_ASSIGNED, 8, 1), 1);
    sim_free(s);
}

/* Seed: "If an agent has the auto answer enabled, but he has already reached the Max Tab
 * Limit or the Max Capacity, the new request must not be automatically accepted as long as
 * the number of tabs/capacity decreases by 1". */
static void test_auto_answer_at_capacity_waits_for_slot(void **state)
{
    struct sim *s = sim_new();
    queue(s, 100, CHAT, ENG_RRMEMORY, 30, 0);
    agent(s, 1, 1, true, 2);
    login(s, 1, CHAT);
    int64_t one[] = {1};
    members(s, 100, one, 1);
    enqueue(s, 7, 100);
    at(s, 2000);
    mark(s);
    enqueue(s, 8, 100); /* at capacity: not notified, not assigned */
    at(s, 60000);
    assert_int_equal(count(s, ENG_EV_OFFERED, 8, 0), 0);
    assert_int_equal(count(s, ENG_EV_ASSIGNED, 8, 0), 0);
    mark(s);
    ok(s, eng_close(s->e, 1, 7, s->now));
    assert_int_equal(offered_to(s, 8), 1);
    at(s, 2000);
    assert_int_equal(count(s, ENG_EV_ASSIGNED, 8, 1), 1);
    sim_free(s);
}

static void test_auto_answer_due_without_room_waits(void **state)
{
    /* The offer was made with room; the tab limit drops before the delay ends: the
     * auto-answer waits (no expiry) and happens as soon as a tab closes. */
    struct sim *s = sim_new();
    queue(s, 100, CHAT, ENG_RRMEMORY, 3, 0);
    agent(s, 1, 0, true, 5);
    login(s, 1, CHAT);
    int64_t one[] = {1};
    members(s, 100, one, 1);
    ok(s, eng_agent_restore_assigned(s->e, 1, 500, SMS, s->now));
    enqueue(s, 7, 100);
    ok(s, eng_set_max_tabs(s->e, 1, s->now));
    mark(s);
    at(s, 5000);
    at(s, 600000);
    assert_int_equal(count(s, ENG_EV_ASSIGNED, 7, 0), 0);
    assert_int_equal(count(s, ENG_EV_EXPIRED, 7, 0), 0);
    assert_int_equal(eng_next_deadline(s->e), INT64_MAX);
    ok(s, eng_close(s->e, 1, 500, s->now));
    const struct eng_event *as = nth(s, ENG_EV_ASSIGNED, 0);
    assert_non_null(as);
    assert_int_equal(as->interaction, 7);
    assert_true(as->auto_answer);
    assert_int_equal(as->t, s->now);
    sim_free(s);
}

static void test_auto_answer_agent_still_follows_strategy(void **state)
{
    /* rrmemory: an auto-answer agent gets its turn, not every interaction. */
    struct sim *s = sim_new();
    crew(s, 100, 2, ENG_RRMEMORY, 20);
    agent(s, 2, 0, true, 1);
    mark(s);
    enqueue(s, 1, 100);
    assert_int_equal(offered_to(s, 1), 1);
    enqueue(s, 2, 100);
    assert_int_equal(offered_to(s, 2), 2);
    at(s, 1000);
    assert_int_equal(count(s, ENG_EV_ASSIGNED, 2, 2), 1);
    assert_int_equal(count(s, ENG_EV_ASSIGNED, 1, 0), 0);
    sim_free(s);
}

/* ---- pause, logout, removals ------------------------------------------------------------- */

static void test_pause_withdraws_and_unpause_resumes(void **state)
{
    struct sim *s = sim_new();
    crew(s, 100, 2, ENG_RRMEMORY, 20);
    enqueue(s, 5, 100);
    assert_int_equal(accept(s, 1, 5), ENG_ACCEPT_OK); /* in-progress work */
    mark(s);
    enqueue(s, 7, 100);
    assert_int_equal(offered_to(s, 7), 2);
    mark(s);
    ok(s, eng_agent_pause(s->e, 2, "break", s->now));
    assert_int_equal(count(s, ENG_EV_WITHDRAWN, 7, 2), 1);
    assert_int_equal(nth(s, ENG_EV_WITHDRAWN, 0)->reason, ENG_WD_AGENT_UNAVAILABLE);
    assert_int_equal(offered_to(s, 7), 1); /* passed on */
    ok(s, eng_agent_pause(s->e, 1, NULL, s->now));
    mark(s);
    enqueue(s, 8, 100);
    assert_int_equal(count(s, ENG_EV_OFFERED, 0, 0), 0);
    struct eng_agent_state st;
    assert_int_equal(eng_agent_state(s->e, 1, &st), 0);
    assert_true(st.paused);
    assert_int_equal(st.open_tabs, 1); /* pause does not close work */
    ok(s, eng_close(s->e, 1, 5, s->now));
    mark(s);
    ok(s, eng_agent_unpause(s->e, 2, s->now));
    assert_int_equal(count(s, ENG_EV_OFFERED, 0, 2), 1); /* 7 first: the oldest */
    assert_int_equal(offered_to(s, 7), 2);
    sim_free(s);
}

static void test_logout_with_pending_offers(void **state)
{
    struct sim *s = sim_new();
    crew(s, 100, 2, ENG_RRMEMORY, 20);
    queue(s, 200, SMS, ENG_RRMEMORY, 20, 0);
    int64_t one[] = {1};
    members(s, 200, one, 1);
    login(s, 1, SMS);
    enqueue(s, 5, 100);
    assert_int_equal(accept(s, 1, 5), ENG_ACCEPT_OK);
    enqueue(s, 6, 200);
    mark(s);
    enqueue(s, 7, 100);
    assert_int_equal(offered_to(s, 7), 2);
    enqueue(s, 8, 100);
    assert_int_equal(offered_to(s, 8), 1);
    mark(s);
    ok(s, eng_agent_logout(s->e, 1, CHAT, s->now));
    assert_int_equal(count(s, ENG_EV_WITHDRAWN, 8, 1), 1);
    assert_int_equal(count(s, ENG_EV_WITHDRAWN, 6, 0), 0); /* sms offer stays */
    assert_int_equal(count(s, ENG_EV_OFFERED, 0, 0), 0);   /* 2 still holds 7 */
    struct eng_agent_state st;
    assert_int_equal(eng_agent_state(s->e, 1, &st), 0);
    assert_int_equal(st.open[CHAT], 1);
    mark(s);
    ok(s, eng_reject(s->e, 2, 7, s->now));
    /* 7 is older than 8, so it goes first; 2 was the only member tried and available, so a
     * new round starts with 2. */
    assert_int_equal(offered_to(s, 7), 2);
    ok(s, eng_agent_logout(s->e, 1, CHAT, s->now)); /* idempotent */
    assert_int_equal(eng_agent_logout(s->e, 1, 99, s->now), SB_EINVAL);
    assert_int_equal(eng_agent_login(s->e, 77, CHAT, s->now), SB_ENOTFOUND);
    drain(s);
    sim_free(s);
}

static void test_queue_removed_while_offers_out(void **state)
{
    struct sim *s = sim_new();
    crew(s, 100, 2, ENG_BEEPALL, 20);
    queue(s, 200, CHAT, ENG_RRMEMORY, 20, 0);
    int64_t one[] = {1};
    members(s, 200, one, 1);
    enqueue(s, 7, 100);
    enqueue(s, 8, 200); /* 1 holds 7 from 100 and 8 from 200 */
    mark(s);
    ok(s, eng_queue_remove(s->e, 100, s->now));
    assert_int_equal(count(s, ENG_EV_WITHDRAWN, 7, 0), 2);
    assert_int_equal(nth(s, ENG_EV_WITHDRAWN, 0)->reason, ENG_WD_QUEUE_GONE);
    assert_int_equal(nth(s, ENG_EV_LEFT, 0)->reason, ENG_LEFT_TIMEOUT);
    assert_int_equal(nth(s, ENG_EV_LEFT, 0)->interaction, 7);
    assert_int_equal(count(s, ENG_EV_WITHDRAWN, 8, 0), 0);
    assert_int_equal(accept(s, 1, 8), ENG_ACCEPT_OK);
    assert_int_equal(eng_enqueue(s->e, 9, 100, s->now), SB_ENOTFOUND);
    assert_int_equal(eng_queue_remove(s->e, 100, s->now), SB_ENOTFOUND);
    drain(s);
    sim_free(s);
}

static void test_agent_removed_while_offer_out(void **state)
{
    struct sim *s = sim_new();
    crew(s, 100, 2, ENG_RRMEMORY, 20);
    enqueue(s, 5, 100);
    assert_int_equal(accept(s, 1, 5), ENG_ACCEPT_OK);
    mark(s);
    enqueue(s, 7, 100);
    assert_int_equal(offered_to(s, 7), 2);
    mark(s);
    ok(s, eng_agent_remove(s->e, 2, s->now));
    assert_int_equal(count(s, ENG_EV_WITHDRAWN, 7, 2), 1);
    assert_int_equal(nth(s, ENG_EV_WITHDRAWN, 0)->reason, ENG_WD_AGENT_GONE);
    assert_int_equal(offered_to(s, 7), 1);
    /* Removing an agent with assigned work: the engine forgets that work. */
    ok(s, eng_agent_remove(s->e, 1, s->now));
    size_t waiting, offers, nmembers, avail;
    ok(s, eng_queue_counts(s->e, 100, &waiting, &offers, &nmembers, &avail));
    assert_int_equal(waiting, 1);
    assert_int_equal(offers, 0);
    assert_int_equal(nmembers, 0);
    assert_int_equal(eng_close(s->e, 1, 5, s->now), SB_ENOTFOUND);
    assert_int_equal(eng_agent_remove(s->e, 1, s->now), SB_ENOTFOUND);
    enqueue(s, 5, 100); /* the forgotten id is free again */
    sim_free(s);
}

static void test_member_removed_while_offer_out(void **state)
{
    struct sim *s = sim_new();
    crew(s, 100, 3, ENG_RRMEMORY, 20);
    mark(s);
    enqueue(s, 7, 100);
    assert_int_equal(offered_to(s, 7), 1);
    mark(s);
    ok(s, eng_queue_remove_member(s->e, 100, 1, s->now));
    assert_int_equal(count(s, ENG_EV_WITHDRAWN, 7, 1), 1);
    assert_int_equal(offered_to(s, 7), 2);
    assert_int_equal(eng_queue_remove_member(s->e, 100, 1, s->now), SB_ENOTFOUND);
    /* set_members replaces: 2 leaves (offer passed on to 3), 1 comes back. */
    mark(s);
    int64_t ids[] = {1, 3, 3};
    members(s, 100, ids, 3);
    assert_int_equal(count(s, ENG_EV_WITHDRAWN, 7, 2), 1);
    assert_int_equal(offered_to(s, 7), 3);
    size_t nmembers;
    ok(s, eng_queue_counts(s->e, 100, NULL, NULL, &nmembers, NULL));
    assert_int_equal(nmembers, 2);
    /* An unknown agent id fails the whole replacement. */
    int64_t bad[] = {1, 2, 999};
    assert_int_equal(eng_queue_set_members(s->e, 100, bad, 3, s->now), SB_ENOTFOUND);
    ok(s, eng_queue_counts(s->e, 100, NULL, NULL, &nmembers, NULL));
    assert_int_equal(nmembers, 2);
    ok(s, eng_queue_add_member(s->e, 100, 2, s->now));
    ok(s, eng_queue_add_member(s->e, 100, 2, s->now));
    ok(s, eng_queue_counts(s->e, 100, NULL, NULL, &nmembers, NULL));
    assert_int_equal(nmembers, 3);
    sim_free(s);
}

/* ---- inputs, bounds ----------------------------------------------------------------------- */

static void test_bad_inputs_change_nothing(void **state)
{
    struct sim *s = sim_new();
    crew(s, 100, 1, ENG_RRMEMORY, 20);
    struct eng_queue_spec q = {100, SMS, ENG_RRMEMORY, 20, 0};
    assert_int_equal(eng_queue_upsert(s->e, &q, s->now), SB_EINVAL); /* channel change */
    q = (struct eng_queue_spec){101, CHAT, ENG_RRMEMORY, 0, 0};
    assert_int_equal(eng_queue_upsert(s->e, &q, s->now), SB_EINVAL);
    q = (struct eng_queue_spec){101, CHAT, ENG_RRMEMORY, 20, 11};
    assert_int_equal(eng_queue_upsert(s->e, &q, s->now), SB_EINVAL);
    q = (struct eng_queue_spec){101, CHAT, 7, 20, 1};
    assert_int_equal(eng_queue_upsert(s->e, &q, s->now), SB_EINVAL);
    q = (struct eng_queue_spec){0, CHAT, ENG_RRMEMORY, 20, 1};
    assert_int_equal(eng_queue_upsert(s->e, &q, s->now), SB_EINVAL);
    assert_int_equal(eng_queue_counts(s->e, 101, NULL, NULL, NULL, NULL), SB_ENOTFOUND);
    struct eng_agent_spec a = {.id = 2};
    a.ch[SMS].capacity = -1;
    assert_int_equal(eng_agent_upsert(s->e, &a, s->now), SB_EINVAL);
    a.ch[SMS].capacity = 0;
    a.ch[SMS].auto_answer_delay = 86401;
    assert_int_equal(eng_agent_upsert(s->e, &a, s->now), SB_EINVAL);
    struct eng_agent_state st;
    assert_int_equal(eng_agent_state(s->e, 2, &st), SB_ENOTFOUND);
    enqueue(s, 7, 100);
    assert_int_equal(eng_enqueue(s->e, 7, 100, s->now), SB_ECONFLICT);
    assert_int_equal(eng_enqueue(s->e, 0, 100, s->now), SB_EINVAL);
    assert_int_equal(eng_agent_restore_assigned(s->e, 1, 7, CHAT, s->now), SB_ECONFLICT);
    assert_int_equal(eng_close(s->e, 1, 7, s->now), SB_ENOTFOUND); /* offered, not assigned */
    assert_int_equal(eng_dequeue(s->e, 7, 42, s->now), SB_EINVAL);
    drain(s);
    size_t waiting, offers;
    ok(s, eng_queue_counts(s->e, 100, &waiting, &offers, NULL, NULL));
    assert_int_equal(waiting, 1);
    assert_int_equal(offers, 1);
    assert_int_equal(eng_channel_parse("mail"), ENG_CH_EMAIL);
    assert_int_equal(eng_channel_parse("voice"), -1);
    assert_int_equal(eng_strategy_parse("leastrecent"), ENG_LEASTRECENT);
    assert_int_equal(eng_strategy_parse("ringall"), -1);
    assert_string_equal(eng_channel_name(ENG_CH_OPENCHANNEL), "openchannel");
    struct eng_config bad = {.max_tabs = 1001};
    assert_null(eng_new(&bad));
    sim_free(s);
}

static void test_event_buffer_bound(void **state)
{
    struct eng_config cfg = {.max_events = 4};
    struct engine *e = eng_new(&cfg);
    assert_non_null(e);
    struct eng_queue_spec q = {1, CHAT, ENG_BEEPALL, 20, 0};
    assert_int_equal(eng_queue_upsert(e, &q, 0), 0);
    int64_t ids[10];
    for (int i = 0; i < 10; i++) {
        struct eng_agent_spec a = {.id = i + 1};
        assert_int_equal(eng_agent_upsert(e, &a, 0), 0);
        assert_int_equal(eng_agent_login(e, i + 1, CHAT, 0), 0);
        ids[i] = i + 1;
    }
    assert_int_equal(eng_queue_set_members(e, 1, ids, 10, 0), 0);
    assert_int_equal(eng_enqueue(e, 5, 1, 0), 0); /* JOINED + 10 OFFERED */
    size_t n;
    eng_events(e, &n);
    assert_int_equal(n, 4);
    assert_int_equal(eng_events_lost(e), 7);
    eng_events_clear(e);
    eng_events(e, &n);
    assert_int_equal(n, 0);
    /* The state is right even though events were dropped. */
    char msg[256];
    assert_int_equal(eng_check(e, msg, sizeof msg), 0);
    assert_int_equal(eng_accept(e, 3, 5, 0), ENG_ACCEPT_OK);
    eng_free(e);
}

/* ---- the small data structures ----------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static int64_t rndn(int64_t n)
{
    return (int64_t)(rnd() % (uint64_t)n);
}

static void test_ds_map_set_heap(void **state)
{
    rng_state = 88172645463325252ULL;
    /* Map against a plain array. */
    enum { N = 4096 };
    static int present[N];
    static int vals[N];
    memset(present, 0, sizeof present);
    struct eng_map m;
    eng_map_init(&m);
    for (int i = 0; i < 200000; i++) {
        int64_t k = rndn(N);
        if (rnd() & 1) {
            assert_int_equal(eng_map_put(&m, k * 7919 - 5000, &vals[k]), 0);
            present[k] = 1;
        } else {
            assert_ptr_equal(eng_map_del(&m, k * 7919 - 5000), present[k] ? &vals[k] : NULL);
            present[k] = 0;
        }
        if (i % 997 == 0) {
            size_t cnt = 0;
            for (int j = 0; j < N; j++) {
                cnt += (size_t)present[j];
                assert_ptr_equal(eng_map_get(&m, (int64_t)j * 7919 - 5000),
                                 present[j] ? &vals[j] : NULL);
            }
            assert_int_equal(m.n, cnt);
        }
    }
    eng_map_cleanup(&m);
    /* Set: ordered iteration and successor queries against the presence array. */
    static struct eng_set_node nodes[N];
    struct eng_set s;
    eng_set_init(&s);
    memset(present, 0, sizeof present);
    for (int i = 0; i < 100000; i++) {
        int k = (int)rndn(N);
        if (!present[k]) {
            eng_set_insert(&s, &nodes[k], k / 64, k % 64);
            present[k] = 1;
        } else if (rnd() & 1) {
            eng_set_remove(&s, &nodes[k]);
            present[k] = 0;
        }
        int probe = (int)rndn(N);
        int expect = -1;
        for (int j = probe + 1; j < N; j++)
            if (present[j]) {
                expect = j;
                break;
            }
        struct eng_set_node *n = eng_set_after(&s, probe / 64, probe % 64);
        assert_ptr_equal(n, expect < 0 ? NULL : &nodes[expect]);
    }
    int prev = -1;
    size_t cnt = 0;
    for (struct eng_set_node *n = eng_set_min(&s); n; n = eng_set_after(&s, n->a, n->b)) {
        int k = (int)(n - nodes);
        assert_true(k > prev && present[k]);
        prev = k;
        cnt++;
    }
    assert_int_equal(cnt, s.n);
    /* Heap: pops in (when, seq) order after random removals. */
    static struct eng_heap_item items[N];
    struct eng_heap h;
    eng_heap_init(&h);
    assert_int_equal(eng_heap_reserve(&h, N), 0);
    for (int i = 0; i < N; i++) {
        items[i] =
            (struct eng_heap_item){.when = rndn(500), .seq = (uint64_t)i, .idx = ENG_HEAP_NONE};
        eng_heap_push(&h, &items[i]);
    }
    for (int i = 0; i < N; i += 3)
        eng_heap_remove(&h, &items[i]);
    eng_heap_remove(&h, &items[0]); /* not in the heap any more: no-op */
    struct eng_heap_item *last = NULL;
    size_t popped = 0;
    for (struct eng_heap_item *t; (t = eng_heap_top(&h)) != NULL; popped++) {
        assert_true((t - items) % 3 != 0);
        if (last)
            assert_true(last->when < t->when || (last->when == t->when && last->seq < t->seq));
        last = t;
        eng_heap_remove(&h, t);
    }
    assert_int_equal(popped, N - (N + 2) / 3);
    eng_heap_cleanup(&h);
}

/* ---- randomized property test ------------------------------------------------------------ */

#define P_AGENTS 24
#define P_QUEUES 6
#define P_IX     400
#define P_TABS   4
#define P_GROUPS 3

struct p_offer {
    int64_t agent, ix, queue;
};

struct model {
    int ch_of_queue[P_QUEUES + 1];
    bool member[P_QUEUES + 1][P_AGENTS + 1];
    bool logged[P_AGENTS + 1][ENG_CH_COUNT];
    bool paused[P_AGENTS + 1];
    int cap[P_AGENTS + 1][ENG_CH_COUNT];
    int open[P_AGENTS + 1][ENG_CH_COUNT];
    int tabs[P_AGENTS + 1];
    int waiting_in[P_IX + 1]; /* queue id while between JOINED and LEFT, else 0 */
    int assigned_to[P_IX + 1];
    int ch_of_ix[P_IX + 1];
    int group_of_ix[P_IX + 1]; /* its agent group while waiting (0 = none) */
    bool in_group[P_GROUPS + 1][P_AGENTS + 1];
    struct p_offer offers[4096];
    size_t noffers;
    long joined, left, assigned_total;
};

static int find_offer(const struct model *md, int64_t agent_id, int64_t ix)
{
    for (size_t i = 0; i < md->noffers; i++)
        if (md->offers[i].agent == agent_id && md->offers[i].ix == ix)
            return (int)i;
    return -1;
}

static void drop_offer(struct model *md, int i)
{
    md->offers[i] = md->offers[--md->noffers];
}

/* Applies the events of one step to the model, asserting each is legal. */
static void p_apply(struct sim *s, struct model *md)
{
    for (size_t k = s->mark; k < s->nlog; k++) {
        const struct eng_event *v = &s->log[k];
        int64_t ix = v->interaction, a = v->agent, q = v->queue;
        assert_true(ix >= 1 && ix <= P_IX);
        switch (v->type) {
        case ENG_EV_JOINED:
            assert_int_equal(md->waiting_in[ix], 0);
            assert_int_equal(md->assigned_to[ix], 0);
            md->waiting_in[ix] = (int)q;
            md->ch_of_ix[ix] = md->ch_of_queue[q];
            md->joined++;
            break;
        case ENG_EV_LEFT:
            assert_int_equal(md->waiting_in[ix], q);
            md->waiting_in[ix] = 0;
            md->left++;
            if (v->reason == ENG_LEFT_ACCEPTED)
                assert_true(a >= 1 && a <= P_AGENTS);
            else
                assert_int_equal(a, 0);
            break;
        case ENG_EV_OFFERED: {
            int ch = md->ch_of_queue[q];
            /* Offers only to eligible agents. */
            assert_int_equal(md->waiting_in[ix], q);
            assert_true(md->member[q][a]);
            assert_true(!md->group_of_ix[ix] || md->in_group[md->group_of_ix[ix]][a]);
            assert_true(md->logged[a][ch]);
            assert_false(md->paused[a]);
            assert_int_equal(find_offer(md, a, ix), -1);
            for (size_t i = 0; i < md->noffers; i++)
                assert_false(md->offers[i].agent == a && md->offers[i].queue == q);
            assert_true(md->noffers < 4096);
            md->offers[md->noffers++] = (struct p_offer){a, ix, q};
            break;
        }
        case ENG_EV_EXPIRED:
        case ENG_EV_WITHDRAWN: {
            int i = find_offer(md, a, ix);
            assert_true(i >= 0);
            drop_offer(md, i);
            break;
        }
        case ENG_EV_ASSIGNED: {
            /* No interaction assigned twice; only from an offer. */
            assert_int_equal(md->assigned_to[ix], 0);
            int i = find_offer(md, a, ix);
            assert_true(i >= 0);
            drop_offer(md, i);
            md->assigned_to[ix] = (int)a;
            md->open[a][md->ch_of_ix[ix]]++;
            md->tabs[a]++;
            md->assigned_total++;
            break;
        }
        default:
            fail_msg("unknown event type %d", v->type);
        }
    }
}

/* After every step: no agent over capacity or the tab limit, even counting its offers. */
static void p_check_limits(const struct model *md)
{
    for (int a = 1; a <= P_AGENTS; a++) {
        int held[ENG_CH_COUNT] = {0}, held_tabs = 0;
        for (size_t i = 0; i < md->noffers; i++)
            if (md->offers[i].agent == a) {
                held[md->ch_of_ix[md->offers[i].ix]]++;
                held_tabs++;
            }
        assert_true(md->tabs[a] + held_tabs <= P_TABS);
        for (int ch = 0; ch < ENG_CH_COUNT; ch++)
            if (md->cap[a][ch])
                assert_true(md->open[a][ch] + held[ch] <= md->cap[a][ch]);
        for (size_t i = 0; i < md->noffers; i++)
            if (md->offers[i].agent == a) {
                int64_t ix = md->offers[i].ix;
                assert_true(md->logged[a][md->ch_of_ix[ix]]);
                assert_false(md->paused[a]);
                /* Leaving a group took back its offers. */
                assert_true(!md->group_of_ix[ix] || md->in_group[md->group_of_ix[ix]][a]);
            }
    }
}

static void test_property_random_operations(void **state)
{
    rng_state = 0x2545F4914F6CDD1DULL;
    struct eng_config cfg = {.max_tabs = P_TABS};
    struct sim *s = sim_new_cfg(&cfg);
    struct model *md = calloc(1, sizeof *md);
    assert_non_null(md);
    const int chans[3] = {ENG_CH_CHAT, ENG_CH_SMS, ENG_CH_WHATSAPP};
    for (int q = 1; q <= P_QUEUES; q++) {
        md->ch_of_queue[q] = chans[q % 3];
        queue(s, q, md->ch_of_queue[q], (int)rndn(3), 1 + (int)rndn(5), (int)rndn(11));
    }
    for (int a = 1; a <= P_AGENTS; a++) {
        struct eng_agent_spec sp = {.id = a};
        for (int ch = 0; ch < ENG_CH_COUNT; ch++) {
            sp.ch[ch].capacity = md->cap[a][ch] = (int)rndn(4);
            sp.ch[ch].auto_answer = rndn(4) == 0;
            sp.ch[ch].auto_answer_delay = (int)rndn(3);
        }
        ok(s, eng_agent_upsert(s->e, &sp, s->now));
        for (int q = 1; q <= P_QUEUES; q++)
            if (rndn(2)) {
                ok(s, eng_queue_add_member(s->e, q, a, s->now));
                md->member[q][a] = true;
            }
    }
    int64_t next_ix = 1;
    long accepted_ok = 0, refused = 0;
    for (int step = 0; step < 30000; step++) {
        mark(s);
        int op = (int)rndn(100);
        int64_t a = 1 + rndn(P_AGENTS);
        int q = 1 + (int)rndn(P_QUEUES);
        int ch = chans[rndn(3)];
        int r = 0;
        if (op < 13) {
            s->now += rndn(2500);
            r = eng_tick(s->e, s->now);
        } else if (op < 15) {
            /* An account's agents change (its group): a random subset. */
            int g = 1 + (int)rndn(P_GROUPS);
            int64_t ids[P_AGENTS];
            size_t n = 0;
            for (int x = 1; x <= P_AGENTS; x++) {
                md->in_group[g][x] = rndn(2) == 0;
                if (md->in_group[g][x])
                    ids[n++] = x;
            }
            r = eng_group_set(s->e, g, ids, n, s->now);
        } else if (op < 30) {
            /* A new attempt: a fresh id, or an id that finished (chained queues); half of
             * them for the agents of an account only. */
            int64_t ix = next_ix <= P_IX && rndn(3) ? next_ix++ : 1 + rndn(P_IX);
            bool busy = md->waiting_in[ix] || md->assigned_to[ix];
            int g = rndn(2) ? 0 : 1 + (int)rndn(P_GROUPS);
            if (!busy)
                md->group_of_ix[ix] = g;
            r = eng_enqueue_group(s->e, ix, q, g, s->now);
            assert_int_equal(r, busy ? SB_ECONFLICT : 0);
            r = 0;
        } else if (op < 36) {
            int64_t ix = 1 + rndn(P_IX);
            r = eng_dequeue(s->e, ix, rndn(2) ? ENG_LEFT_TIMEOUT : ENG_LEFT_ABANDONED, s->now);
            assert_int_equal(r, md->waiting_in[ix] ? 0 : SB_ENOTFOUND);
            r = 0;
        } else if (op < 56) {
            /* Accept an offer this agent holds (mostly), or anything. */
            int64_t ix = 1 + rndn(P_IX);
            if (md->noffers && rndn(4)) {
                struct p_offer o = md->offers[rndn((int64_t)md->noffers)];
                a = o.agent;
                ix = o.ix;
            }
            bool held = find_offer(md, a, ix) >= 0;
            int res = (int)eng_accept(s->e, a, ix, s->now);
            if (res == ENG_ACCEPT_OK) {
                assert_true(held);
                accepted_ok++;
            } else {
                refused++;
            }
        } else if (op < 64) {
            if (md->noffers) {
                struct p_offer o = md->offers[rndn((int64_t)md->noffers)];
                r = eng_reject(s->e, o.agent, o.ix, s->now);
                /* No event for a reject: the caller knows; the model drops the offer. */
                assert_int_equal(r, 0);
                drop_offer(md, find_offer(md, o.agent, o.ix));
            }
        } else if (op < 76) {
            int64_t ix = 1 + rndn(P_IX);
            for (int t = 0; t < 8 && md->assigned_to[ix] == 0; t++)
                ix = 1 + rndn(P_IX);
            int owner = md->assigned_to[ix];
            r = eng_close(s->e, owner ? owner : a, ix, s->now);
            if (owner) {
                assert_int_equal(r, 0);
                md->open[owner][md->ch_of_ix[ix]]--;
                md->tabs[owner]--;
                md->assigned_to[ix] = 0;
            } else {
                assert_int_equal(r, SB_ENOTFOUND);
            }
            r = 0;
        } else if (op < 84) {
            if (rndn(3)) {
                md->logged[a][ch] = true;
                r = eng_agent_login(s->e, a, ch, s->now);
            } else {
                md->logged[a][ch] = false;
                r = eng_agent_logout(s->e, a, ch, s->now);
            }
        } else if (op < 90) {
            if (rndn(3)) {
                md->paused[a] = false;
                r = eng_agent_unpause(s->e, a, s->now);
            } else {
                md->paused[a] = true;
                r = eng_agent_pause(s->e, a, "random", s->now);
            }
        } else if (op < 96) {
            if (md->member[q][a]) {
                md->member[q][a] = false;
                r = eng_queue_remove_member(s->e, q, a, s->now);
            } else {
                md->member[q][a] = true;
                r = eng_queue_add_member(s->e, q, a, s->now);
            }
        } else if (rndn(2)) {
            /* A queue changes strategy, agent timeout and weight with offers out. */
            struct eng_queue_spec qs = {q, md->ch_of_queue[q], (int)rndn(3), 1 + (int)rndn(5),
                                        (int)rndn(11)};
            r = eng_queue_upsert(s->e, &qs, s->now);
        } else {
            /* Raise one capacity (lowering is covered by its own test). */
            struct eng_agent_spec sp = {.id = a};
            for (int c = 0; c < ENG_CH_COUNT; c++) {
                if (c == ch && md->cap[a][c])
                    md->cap[a][c]++;
                sp.ch[c].capacity = md->cap[a][c];
            }
            r = eng_agent_upsert(s->e, &sp, s->now);
        }
        drain(s);
        assert_int_equal(r, 0);
        /* The engine's own invariants ran in drain(); now the independent model. */
        p_apply(s, md);
        p_check_limits(md);
    }
    /* Finish: every waiting interaction leaves, every JOINED has exactly one LEFT. */
    mark(s);
    for (int64_t ix = 1; ix <= P_IX; ix++)
        if (md->waiting_in[ix])
            ok(s, eng_dequeue(s->e, ix, ENG_LEFT_TIMEOUT, s->now));
    p_apply(s, md);
    assert_int_equal(md->joined, md->left);
    assert_int_equal(md->noffers, 0);
    for (int64_t ix = 1; ix <= P_IX; ix++)
        assert_int_equal(md->waiting_in[ix], 0);
    /* The run exercised what it claims to. */
    assert_true(md->joined > 1000);
    assert_true(md->assigned_total > 500);
    assert_true(accepted_ok > 200 && refused > 200);
    free(md);
    sim_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_beepall_first_accept_wins),
        cmocka_unit_test(test_beepall_offers_newcomer_and_one_offer_per_queue),
        cmocka_unit_test(test_beepall_all_reject_starts_new_round),
        cmocka_unit_test(test_rrmemory_order_and_wrap),
        cmocka_unit_test(test_rrmemory_timeout_reject_and_round),
        cmocka_unit_test(test_lowered_timeout_expires_first),
        cmocka_unit_test(test_late_accept_after_missed_tick),
        cmocka_unit_test(test_leastrecent_vs_rrmemory),
        cmocka_unit_test(test_leastrecent_order),
        cmocka_unit_test(test_group_limits_offers),
        cmocka_unit_test(test_group_changes),
        cmocka_unit_test(test_weight_orders_competing_queues),
        cmocka_unit_test(test_eligibility_order),
        cmocka_unit_test(test_capacity_refusal_ends_as_timeout),
        cmocka_unit_test(test_tab_limit_refusal_ends_as_timeout),
        cmocka_unit_test(test_chain_queue_a_timeout_queue_b_accepted),
        cmocka_unit_test(test_abandoned),
        cmocka_unit_test(test_accept_rechecks_capacity_and_tab_limit),
        cmocka_unit_test(test_reservation_limits_offers),
        cmocka_unit_test(test_auto_answer_after_delay),
        cmocka_unit_test(test_auto_answer_at_capacity_waits_for_slot),
        cmocka_unit_test(test_auto_answer_due_without_room_waits),
        cmocka_unit_test(test_auto_answer_agent_still_follows_strategy),
        cmocka_unit_test(test_pause_withdraws_and_unpause_resumes),
        cmocka_unit_test(test_logout_with_pending_offers),
        cmocka_unit_test(test_queue_removed_while_offers_out),
        cmocka_unit_test(test_agent_removed_while_offer_out),
        cmocka_unit_test(test_member_removed_while_offer_out),
        cmocka_unit_test(test_bad_inputs_change_nothing),
        cmocka_unit_test(test_event_buffer_bound),
        cmocka_unit_test(test_ds_map_set_heap),
        cmocka_unit_test(test_property_random_operations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
