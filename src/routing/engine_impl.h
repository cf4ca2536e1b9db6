/* engine_impl.h — the routing engine's internal structures, shared by engine.c (inputs,
 * lifecycle, events), engine_queues.c, engine_check.c (queries, self-check) and
 * engine_route.c (availability, offers, strategies, timers).
 * Not a public interface: only src/routing/engine*.c include it. */
#ifndef SB_ROUTING_ENGINE_IMPL_H
#define SB_ROUTING_ENGINE_IMPL_H

#include "routing/eng_ds.h"
#include "routing/engine.h"

#define container_of_(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

struct eng_agent;
struct eng_queue;
struct eng_ix;

/* One outstanding offer of an interaction to an agent, from the interaction's queue. */
/* Timers: an auto-answer offer is an item of the engine's heap on its own (its delay is the
 * agent's). Every other offer expires after its queue's agent timeout, so a queue's offers
 * expire in the order they were made: they sit in the queue's deadline-ordered list, and only
 * the head of that list is in the heap (as the queue's item). The heap holds one item per
 * queue with offers out plus the auto-answer offers, whatever the number of agents. */
enum { ENG_TIMER_OFFER = 1, ENG_TIMER_QUEUE };

struct eng_offer {
    struct eng_heap_item timer;        /* when/seq: deadline; in the heap only for auto-answer */
    struct eng_offer *t_prev, *t_next; /* in q->t_head..t_tail when in_list */
    bool in_list;
    struct eng_ix *ix;
    struct eng_member *m;                /* the agent's membership of the interaction's queue */
    struct eng_offer *ix_prev, *ix_next; /* in ix->offers */
    struct eng_offer *ag_prev, *ag_next; /* in agent->offers */
    int64_t offered_ms;
    bool auto_answer;
    bool aa_waiting; /* auto-answer due but no slot: assigned as soon as one frees */
};

/* An agent's membership of a queue. */
struct eng_member {
    struct eng_agent *agent;
    struct eng_queue *q;
    struct eng_set_node by_id; /* in q->avail_id when avail, key (agent id, 0) */
    struct eng_set_node by_lr; /* in q->avail_lr when avail, key (last_offer_seq, agent id) */
    uint64_t last_offer_seq;   /* engine-wide offer counter value of its last offer; 0 never */
    struct eng_offer *held;    /* its offer from this queue, if any */
    size_t agent_idx;          /* position in agent->mem */
    bool avail;
};

struct eng_agent {
    int64_t id;
    struct eng_agent_channel cfg[ENG_CH_COUNT];
    bool logged[ENG_CH_COUNT];
    bool paused;
    char pause_reason[64];
    int open_tabs;
    int open[ENG_CH_COUNT];
    int held_tabs; /* outstanding offers (every channel) */
    int held[ENG_CH_COUNT];
    struct eng_member **mem;
    size_t nmem, capmem;
    struct eng_offer *offers; /* held offers, newest first */
    struct eng_ix *assigned;  /* assigned interactions (doubly linked through ix->prev/next) */
    struct eng_agent *dirty_next;
    bool dirty;
};

enum eng_ix_state { IX_WAITING = 1, IX_ASSIGNED };

struct eng_ix {
    int64_t id;
    int state;
    int ch;
    struct eng_queue *q;     /* when waiting */
    struct eng_agent *agent; /* when assigned */
    int64_t joined_ms;
    uint64_t seq;               /* engine-wide join counter: FIFO tie-break */
    struct eng_ix *prev, *next; /* q->waiting when waiting, agent->assigned when assigned */
    struct eng_set_node pend;   /* in q->pending when it wants more offers */
    bool pending;
    struct eng_offer *offers;
    int noffers;
    struct eng_map tried;          /* agent id -> agent: skipped for the rest of the round */
    const struct eng_group *group; /* NULL = any member may be offered it */
};

/* The agents allowed for some interactions (engine.h "agent groups"). Owned by the engine
 * until eng_free: interactions point at it. */
struct eng_group {
    int64_t id;
    struct eng_map members; /* agent id -> non-NULL mark */
};

/* True when member agent `agent_id` may be offered ix (its group allows it). */
static inline bool eng_ix_allows(const struct eng_ix *ix, int64_t agent_id)
{
    return !ix->group || eng_map_get(&ix->group->members, agent_id);
}

struct eng_queue {
    int64_t id;
    int ch;
    int strategy;
    int64_t timeout_ms;
    int weight;
    struct eng_map members;  /* agent id -> struct eng_member */
    struct eng_set avail_id; /* available members by agent id (rrmemory) */
    struct eng_set avail_lr; /* available members by last offer (leastrecent) */
    struct eng_set pending;  /* waiting interactions wanting offers, by (joined_ms, seq) */
    struct eng_ix *waiting;  /* every waiting interaction */
    size_t nwaiting;
    size_t noffers;
    int64_t last_engaged;              /* rrmemory: agent id of the last offer; 0 = none */
    struct eng_offer *t_head, *t_tail; /* agent-timeout offers, by (deadline, seq) */
    struct eng_heap_item timer;        /* the head's deadline, in the heap when t_head */
    struct eng_queue *dirty_next;
    bool dirty;
};

struct engine {
    struct eng_config cfg;
    int max_tabs;
    bool limits_lowered; /* a limit went down while work was out: eng_check relaxes */
    int64_t now;
    uint64_t offer_seq, join_seq, timer_seq;
    struct eng_map agents; /* id -> struct eng_agent */
    struct eng_map queues; /* id -> struct eng_queue */
    struct eng_map ixs;    /* id -> struct eng_ix (waiting or assigned) */
    struct eng_map groups; /* id -> struct eng_group */
    struct eng_heap timers;
    struct eng_agent *dirty_agents, *dirty_agents_tail; /* FIFO */
    struct eng_queue *dirty_queues, *dirty_queues_tail; /* FIFO */
    struct eng_queue **scratch; /* agent-centric dispatch: its queues, sorted */
    size_t scratch_cap;
    struct eng_event *ev;
    size_t nev, capev;
    uint64_t ev_lost;
};

/* engine.c (agents, interactions, events), engine_queues.c (queues, members) */
void eng_emit(struct engine *e, int type, int64_t ix, int64_t q, int64_t agent, int reason,
              int64_t deadline, bool aa);

void eng_member_remove(struct engine *e, struct eng_member *m, int wd_reason);

/* engine_route.c */
bool eng_member_should_be_avail(const struct engine *e, const struct eng_member *m);
void eng_agent_refresh(struct engine *e, struct eng_agent *a);
void eng_mark_agent(struct engine *e, struct eng_agent *a);
void eng_mark_queue(struct engine *e, struct eng_queue *q);
void eng_member_detach(struct engine *e, struct eng_member *m); /* from avail sets */
void eng_offer_withdraw(struct engine *e, struct eng_offer *o, int reason);
void eng_ix_pending_update(struct engine *e, struct eng_ix *ix);
void eng_ix_leave(struct engine *e, struct eng_ix *ix, int reason, int wd_reason);
void eng_ix_free(struct engine *e, struct eng_ix *ix);
void eng_settle(struct engine *e);
void eng_unmark_agent(struct engine *e, struct eng_agent *a);
void eng_unmark_queue(struct engine *e, struct eng_queue *q);
bool eng_agent_has_room(const struct engine *e, const struct eng_agent *a, int ch);
void eng_advance(struct engine *e, int64_t now_ms);
int eng_do_accept(struct engine *e, struct eng_agent *a, struct eng_ix *ix);
int eng_do_reject(struct engine *e, struct eng_agent *a, struct eng_ix *ix);
struct eng_offer *eng_agent_offer_for(struct eng_agent *a, struct eng_ix *ix);

#endif
