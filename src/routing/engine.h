/* engine.h — the ACD (automatic call distribution) for digital channels: issue #5, part 1.
 *
 * An in-memory, deterministic routing engine. It holds agents (per-channel capacity, login,
 * pause, auto-answer), queues (strategy, agent timeout, weight, members), the interactions
 * waiting in them, the offers out to agents and the timers of those offers. Every input is an
 * explicit call carrying the current time `now_ms` (UTC milliseconds, from the caller's clock:
 * a test drives it with a virtual clock); every decision comes out as an event in an output
 * buffer the caller drains. Same calls in the same order => same events.
 *
 * Threads: one owner (the router thread). No locks inside and no thread may call any function
 * of an engine another thread is using. There is deliberately no concurrency test for this
 * module: accept is atomic because only one thread ever runs the engine; the concurrency test
 * of the issue belongs to the router thread that serialises requests into these calls.
 *
 * Time: `now_ms` must not go backwards; a smaller value than the previous call's is treated as
 * the previous value. Every call first fires the timers due at `now_ms` (as eng_tick would),
 * then applies its input, then makes every offer that has become possible. So a late tick
 * never lets an expired offer be accepted.
 *
 * The model, the rules and the choices where the product documentation is silent are in
 * docs/routing.md. The most important ones:
 *   - Eligibility of an agent for an offer, checked in this order: logged in on the queue's
 *     channel, not paused, open tabs + offers held < max tab limit, open interactions + offers
 *     held on the channel < channel capacity (0 = unlimited), not already holding an offer for
 *     this interaction, not holding another offer from this queue. An outstanding offer thus
 *     reserves a tab and a channel slot: an agent is never offered more than he can accept.
 *   - Accept re-checks the tab limit and the capacity anyway (limits can be lowered while
 *     offers are out), so the engine can never assign past them.
 *   - An agent who rejected or let an offer expire is skipped for that interaction until no
 *     untried agent is available for it (and it has no other offer out); then the round starts
 *     again with every available member.
 *
 * Errors: functions returning int return 0 or a negative SB_* code (core/err.h). On an error
 * the input changed nothing (timers already due at now_ms may still have fired first, as a
 * tick would have), except where a contract says otherwise. */
#ifndef SB_ROUTING_ENGINE_H
#define SB_ROUTING_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct engine;

enum eng_channel {
    ENG_CH_CHAT = 0,
    ENG_CH_EMAIL,
    ENG_CH_SMS,
    ENG_CH_OPENCHANNEL,
    ENG_CH_FAX,
    ENG_CH_WHATSAPP,
    ENG_CH_COUNT
};

enum eng_strategy { ENG_BEEPALL = 0, ENG_RRMEMORY, ENG_LEASTRECENT };

/* Channel by its queue name ("chat", "email" or "mail", "sms", "openchannel", "fax",
 * "whatsapp"); -1 for anything else (voice included: not routed here). */
int eng_channel_parse(const char *name);

/* "chat", "email", ...; "?" for an out-of-range value. */
const char *eng_channel_name(int ch);

/* ENG_BEEPALL for "beepall", ENG_RRMEMORY for "rrmemory", ENG_LEASTRECENT for "leastrecent";
 * -1 otherwise. */
int eng_strategy_parse(const char *name);

/* ---- creation and limits ---------------------------------------------------------------- */

#define ENG_DEFAULT_MAX_TABS   20
#define ENG_DEFAULT_MAX_EVENTS ((size_t)1 << 20)

struct eng_config {
    int max_tabs;           /* global "max open tab limit", 1..1000; 0 = the default 20 */
    size_t max_agents;      /* 0 = 1,000,000 */
    size_t max_queues;      /* 0 = 100,000 */
    size_t max_waiting;     /* interactions known to the engine (waiting + assigned); 0 = 10M */
    size_t max_events;      /* event buffer bound; 0 = ENG_DEFAULT_MAX_EVENTS */
    size_t max_memberships; /* queues per agent; 0 = 10,000 */
};

/* A new empty engine (cfg NULL = every default). Returns NULL when out of memory or when a
 * value of cfg is out of range. Free with eng_free. */
struct engine *eng_new(const struct eng_config *cfg);

/* Frees the engine and everything it holds. NULL is allowed. Pending events are lost. */
void eng_free(struct engine *e);

/* Changes the global max open tab limit (1..1000, SB_EINVAL otherwise). Agents' availability
 * is recomputed (O(all memberships)); offers already out stay out and accept re-checks. */
int eng_set_max_tabs(struct engine *e, int max_tabs, int64_t now_ms);

/* ---- agents ------------------------------------------------------------------------------ */

struct eng_agent_channel {
    int capacity;          /* open interactions allowed on the channel, 0 = unlimited; 0..1000 */
    bool auto_answer;      /* assign without an accept after the delay */
    int auto_answer_delay; /* seconds, 0..86400 */
};

struct eng_agent_spec {
    int64_t id; /* > 0 */
    struct eng_agent_channel ch[ENG_CH_COUNT];
};

/* Creates the agent (logged out everywhere, not paused, nothing open) or updates its
 * per-channel settings. A lower capacity does not take back offers already out (accept
 * re-checks); a higher one may lead to new offers at once. SB_EINVAL for a bad value,
 * SB_EFULL past max_agents, SB_ENOMEM. */
int eng_agent_upsert(struct engine *e, const struct eng_agent_spec *spec, int64_t now_ms);

/* Removes the agent: its offers are withdrawn (ENG_WD_AGENT_GONE) and passed on, it leaves
 * every queue, and the interactions assigned to it are forgotten by the engine (the caller
 * owns what happens to them). SB_ENOTFOUND. */
int eng_agent_remove(struct engine *e, int64_t agent_id, int64_t now_ms);

/* Logs the agent in or out on one channel. Logging out withdraws its offers on that channel
 * (ENG_WD_AGENT_UNAVAILABLE) and passes them on; assigned interactions stay assigned. Idempotent.
 * SB_ENOTFOUND, SB_EINVAL (channel). */
int eng_agent_login(struct engine *e, int64_t agent_id, int ch, int64_t now_ms);
int eng_agent_logout(struct engine *e, int64_t agent_id, int ch, int64_t now_ms);

/* Pauses the agent on every channel (reason: optional free text, truncated to 63 bytes; kept
 * for the caller's reports) or unpauses it. A paused agent gets no new offer; its outstanding
 * offers are withdrawn (ENG_WD_AGENT_UNAVAILABLE) and passed on; assigned work continues.
 * Pausing a paused agent only changes the reason. SB_ENOTFOUND. */
int eng_agent_pause(struct engine *e, int64_t agent_id, const char *reason, int64_t now_ms);
int eng_agent_unpause(struct engine *e, int64_t agent_id, int64_t now_ms);

/* Restores, when the state is rebuilt from the database, an interaction already assigned to
 * the agent on channel ch: it counts as an open tab and an open slot. Does not check limits
 * (the database is the source of truth). SB_ENOTFOUND (agent), SB_ECONFLICT (interaction id
 * already known), SB_EINVAL, SB_EFULL, SB_ENOMEM. */
int eng_agent_restore_assigned(struct engine *e, int64_t agent_id, int64_t interaction_id, int ch,
                               int64_t now_ms);

/* ---- queues ------------------------------------------------------------------------------ */

struct eng_queue_spec {
    int64_t id;        /* > 0 */
    int channel;       /* enum eng_channel; cannot change once created */
    int strategy;      /* enum eng_strategy */
    int agent_timeout; /* seconds an offer waits for an answer, 1..86400 */
    int weight;        /* 0..10; higher first when queues compete for a free agent */
};

/* Creates or updates a queue. A new strategy or timeout applies to the next offers (offers out
 * keep their deadline). SB_EINVAL for a bad value or a channel change, SB_EFULL, SB_ENOMEM. */
int eng_queue_upsert(struct engine *e, const struct eng_queue_spec *spec, int64_t now_ms);

/* Removes a queue: its offers are withdrawn (ENG_WD_QUEUE_GONE) and each waiting interaction
 * leaves it with ENG_LEFT_TIMEOUT (for the flow the queue action is over: it moves on).
 * SB_ENOTFOUND. */
int eng_queue_remove(struct engine *e, int64_t queue_id, int64_t now_ms);

/* Replaces the members of a queue with `ids` (the effective members: teams already expanded;
 * duplicates are ignored; an unknown agent id is SB_ENOTFOUND and nothing changes). Members
 * that leave have their offer from this queue withdrawn
 * (ENG_WD_AGENT_UNAVAILABLE) and passed on. n <= 1,000,000. SB_ENOTFOUND, SB_EINVAL, SB_EFULL,
 * SB_ENOMEM (nothing changed). */
int eng_queue_set_members(struct engine *e, int64_t queue_id, const int64_t *ids, size_t n,
                          int64_t now_ms);

/* Adds one member (idempotent) / removes one (SB_ENOTFOUND when it was not one). */
int eng_queue_add_member(struct engine *e, int64_t queue_id, int64_t agent_id, int64_t now_ms);
int eng_queue_remove_member(struct engine *e, int64_t queue_id, int64_t agent_id, int64_t now_ms);

/* ---- interactions ------------------------------------------------------------------------ */

enum eng_left_reason { ENG_LEFT_ACCEPTED = 0, ENG_LEFT_TIMEOUT, ENG_LEFT_ABANDONED };

/* The interaction starts waiting in the queue (the flow's Queue action): ENG_EV_JOINED, then
 * offers as the strategy says. The engine does not time the Queue action: the caller calls
 * eng_dequeue(ENG_LEFT_TIMEOUT) when it ends. SB_ENOTFOUND (queue), SB_ECONFLICT (the
 * interaction is already waiting or assigned), SB_EINVAL (id <= 0), SB_EFULL, SB_ENOMEM. */
int eng_enqueue(struct engine *e, int64_t interaction_id, int64_t queue_id, int64_t now_ms);

/* ---- agent groups (the agents of an account) ---------------------------------------------- */

/* A group restricts who may be offered an interaction: only members of its queue that are also
 * in the group (the agents of the interaction's SMS or Open Channel account: "only they see
 * its interactions"). Other members are skipped for it as if already tried. Group ids are the
 * caller's (> 0); at most ENG_GROUPS_MAX groups.
 *
 * eng_group_set replaces the agents of group `group_id` (creating it; unknown agent ids are
 * kept, they count once the agent exists). Offers of the group's interactions held by agents
 * who left the group are withdrawn (ENG_WD_AGENT_UNAVAILABLE) and passed on; agents who joined
 * are considered at once. n <= 1,000,000. SB_EINVAL (id <= 0 or n too large), SB_EFULL,
 * SB_ENOMEM (nothing changed). Cost: O(old + new members + their offers). */
#define ENG_GROUPS_MAX 100000
int eng_group_set(struct engine *e, int64_t group_id, const int64_t *ids, size_t n, int64_t now_ms);

/* eng_enqueue for an interaction that only the agents of group `group_id` may be offered
 * (0 = any member, as eng_enqueue). A group not set yet is created empty: nobody is offered
 * the interaction until eng_group_set names someone. Same errors as eng_enqueue. Skipping
 * members outside the group costs like skipping tried ones: O(skipped) per decision. */
int eng_enqueue_group(struct engine *e, int64_t interaction_id, int64_t queue_id, int64_t group_id,
                      int64_t now_ms);

/* The interaction leaves its queue without an agent: the Queue action timed out
 * (ENG_LEFT_TIMEOUT) or the customer abandoned (ENG_LEFT_ABANDONED). Its offers are withdrawn
 * (ENG_WD_LEFT) and ENG_EV_LEFT is emitted; the engine forgets it. SB_ENOTFOUND when it is not
 * waiting (SB_EINVAL for ENG_LEFT_ACCEPTED). */
int eng_dequeue(struct engine *e, int64_t interaction_id, int reason, int64_t now_ms);

enum eng_accept_result {
    ENG_ACCEPT_OK = 0,
    ENG_ACCEPT_TAKEN,          /* already assigned (to this or another agent) */
    ENG_ACCEPT_NOT_OFFERED,    /* no offer of it to this agent (expired, withdrawn, unknown) */
    ENG_ACCEPT_OVER_CAPACITY,  /* the agent's channel capacity is full; the offer stays out */
    ENG_ACCEPT_OVER_TAB_LIMIT, /* the agent's open tabs are at the limit; the offer stays out */
    ENG_ACCEPT_UNKNOWN_AGENT
};

/* The agent accepts its offer: the tab limit, then the capacity are re-checked; on success the
 * interaction is assigned (one more open tab and slot), ENG_EV_LEFT(accepted, agent) and
 * ENG_EV_ASSIGNED are emitted and every other offer of it is withdrawn (ENG_WD_TAKEN). */
enum eng_accept_result eng_accept(struct engine *e, int64_t agent_id, int64_t interaction_id,
                                  int64_t now_ms);

/* The agent rejects its offer: it is passed on at once (the agent is skipped for this
 * interaction for the rest of the round). SB_ENOTFOUND when the agent holds no such offer. */
int eng_reject(struct engine *e, int64_t agent_id, int64_t interaction_id, int64_t now_ms);

/* The agent closes an interaction assigned to it: its tab and slot are freed (an auto-answer
 * offer waiting for a slot is assigned, new offers may follow) and the engine forgets it.
 * SB_ENOTFOUND when it is not assigned to this agent. */
int eng_close(struct engine *e, int64_t agent_id, int64_t interaction_id, int64_t now_ms);

/* Fires the timers due at now_ms (offer expiries, auto-answers) and makes new offers. */
int eng_tick(struct engine *e, int64_t now_ms);

/* The earliest time eng_tick has something to do, or INT64_MAX when no timer is set. */
int64_t eng_next_deadline(const struct engine *e);

/* ---- events ------------------------------------------------------------------------------ */

enum eng_event_type {
    ENG_EV_JOINED = 1, /* interaction, queue */
    ENG_EV_LEFT,       /* interaction, queue, reason (eng_left_reason), agent when accepted */
    ENG_EV_OFFERED,    /* interaction, queue, agent; deadline = expiry or auto-answer time
                          (INT64_MAX: none); auto_answer */
    ENG_EV_EXPIRED,    /* the agent did not answer in time; it passes on */
    ENG_EV_WITHDRAWN,  /* the offer is taken back; reason = eng_withdraw_reason */
    ENG_EV_ASSIGNED,   /* interaction, queue, agent; auto_answer when without an accept */
};

enum eng_withdraw_reason {
    ENG_WD_TAKEN = 1,         /* another agent got it */
    ENG_WD_LEFT,              /* the interaction left the queue (timeout, abandoned) */
    ENG_WD_AGENT_UNAVAILABLE, /* logout on the channel, pause, removed from the queue */
    ENG_WD_AGENT_GONE,        /* the agent was removed */
    ENG_WD_QUEUE_GONE,        /* the queue was removed */
};

struct eng_event {
    int type; /* enum eng_event_type */
    int64_t t;
    int64_t interaction;
    int64_t queue;
    int64_t agent; /* 0 when none */
    int reason;    /* LEFT: eng_left_reason; WITHDRAWN: eng_withdraw_reason; else 0 */
    int64_t deadline;
    bool auto_answer;
};

/* The events emitted since the last eng_events_clear, oldest first; *n receives their number.
 * The pointer is valid until the next call on the engine.
 *
 * Bound: at most max_events are kept. The caller must drain (read + clear) after every call;
 * one call emits O(members of the queues touched + offers withdrawn) events, e.g. a beepall
 * offer to 100k agents emits 100k events. When the buffer is full (or cannot grow), further
 * events are dropped and counted in eng_events_lost: the engine's state stays right but the
 * caller missed decisions and must rebuild (from the database) — treat it as fatal. */
const struct eng_event *eng_events(const struct engine *e, size_t *n);
void eng_events_clear(struct engine *e);
uint64_t eng_events_lost(const struct engine *e);

/* ---- queries (realtime views, tests) ----------------------------------------------------- */

enum eng_eligibility {
    ENG_ELIGIBLE = 0,
    ENG_INELIG_UNKNOWN,    /* unknown agent, queue or interaction, or not a member */
    ENG_INELIG_LOGGED_OUT, /* not logged in on the channel */
    ENG_INELIG_PAUSED,
    ENG_INELIG_TAB_LIMIT,       /* open tabs + offers held >= max tab limit */
    ENG_INELIG_CAPACITY,        /* open + offers held on the channel >= capacity */
    ENG_INELIG_ALREADY_OFFERED, /* holds an offer for this interaction */
    ENG_INELIG_QUEUE_OFFER,     /* holds another offer from this queue */
    ENG_INELIG_GROUP,           /* not in the interaction's group (not an agent of its account) */
};

/* Whether the agent could be offered the waiting interaction now, with the first failing rule
 * in the documented order. (The round's "tried" skip is not a rule of eligibility.) */
int eng_eligibility(const struct engine *e, int64_t agent_id, int64_t interaction_id);

struct eng_agent_state {
    bool logged_in[ENG_CH_COUNT];
    bool paused;
    int open_tabs;
    int open[ENG_CH_COUNT];
    int offers; /* outstanding offers held */
};

/* Fills *out for the agent. SB_ENOTFOUND. */
int eng_agent_state(const struct engine *e, int64_t agent_id, struct eng_agent_state *out);

/* Counts of a queue: waiting interactions, outstanding offers, members, available members.
 * SB_ENOTFOUND. */
int eng_queue_counts(const struct engine *e, int64_t queue_id, size_t *waiting, size_t *offers,
                     size_t *members, size_t *available);

/* Checks every internal invariant (availability sets against the rules, counters against the
 * offers and assignments, no agent over a limit unless one was lowered). Returns 0, or
 * SB_EINTERNAL with a description in msg (cap bytes). O(everything): for tests. */
int eng_check(const struct engine *e, char *msg, size_t cap);

#endif
