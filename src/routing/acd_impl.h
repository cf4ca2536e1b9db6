/* acd_impl.h — the ACD thread's private state, shared by acd.c (thread and requests),
 * acd_load.c (rebuild from the database), acd_events.c (engine events to storage and
 * WebSocket), acd_flow.c (action flows, follow-ups, timers) and acd_agent.c (agents'
 * requests). Everything here runs on the ACD thread only. */
#ifndef SB_ROUTING_ACD_IMPL_H
#define SB_ROUTING_ACD_IMPL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/mpsc.h"
#include "routing/acd.h"
#include "routing/eng_ds.h"
#include "routing/engine.h"

struct db;

/* Engine queue ids at and above this are the ACD's own one-agent queues (Agent actions,
 * follow-ups waiting for the last agent, transfers to an agent): ACD_AGENT_QUEUE(agent, ch). */
#define ACD_AGENT_QBASE            ((int64_t)1 << 48)
#define ACD_AGENT_QUEUE(agent, ch) (ACD_AGENT_QBASE + (agent)*ENG_CH_COUNT + (ch))
#define ACD_IS_AGENT_QUEUE(q)      ((q) >= ACD_AGENT_QBASE)

/* The engine's agent group of an account (routing/engine.h "agent groups"): the agents of an
 * SMS or Open Channel account, who alone are offered its interactions from a queue. Other
 * channels have no accounts yet: group 0 (any member). */
#define ACD_GROUP(ch, account) ((((int64_t)(ch) + 1) << 40) | (int64_t)(account))
struct acd_ix;
/* The group of the interaction's account (0 for channels without accounts). */
int64_t acd_ix_group(const struct acd_ix *ix);

/* Offers an agent holds, for GET /api/v1/agent/offers after a reconnect. The engine never
 * gives an agent more offers than its tab limit (at most 100), so a small array does. */
#define ACD_OFFERS_MAX 128
struct acd_offers {
    size_t n;
    int64_t ix[ACD_OFFERS_MAX];
    int64_t queue[ACD_OFFERS_MAX];
    int64_t deadline[ACD_OFFERS_MAX];
};

/* A small growable list of ids. */
struct acd_ids {
    size_t n, cap;
    int64_t id[];
};

/* How often the thread looks for open interactions it does not know (a lost post, another
 * node's write), how often it re-reads the whole configuration although no change was posted
 * (a safety net: every change through the API posts a reload; the full reload is O(agents +
 * memberships) on the routing thread, so not often), and the longest it sleeps. */
#define ACD_SWEEP_MS       5000
#define ACD_FULL_RELOAD_MS 60000
#define ACD_MAX_SLEEP_MS   1000

/* Steps one evaluation of a flow may take before it is stopped (GotoP loops). */
#define ACD_FLOW_MAX_STEPS 100

enum acd_ix_state { IX_FLOW = 0, IX_QUEUED, IX_AGENT, IX_ASSIGNED, IX_IDLE };
/* PH_DISPOSING: assigned, the agent has started disposing it (POST …/dispose); the account's
 * disposition pause holds until it is closed. */
enum acd_ix_phase { PH_ACTION = 0, PH_FOLLOW_AGENT, PH_FOLLOW_QUEUE, PH_TRANSFER, PH_DISPOSING };

/* An open interaction the thread is responsible for. */
struct acd_ix {
    struct eng_set_node timer; /* in acd.timers under (deadline, id) when `timed` */
    bool timed;
    int64_t id;
    int64_t account_id;
    int channel;      /* enum eng_channel */
    int state;        /* enum acd_ix_state */
    int phase;        /* enum acd_ix_phase */
    int position;     /* the flow's priority to go on at after the current wait (0 = none) */
    int64_t target;   /* queue or agent of the current action */
    int64_t deadline; /* when the current Queue/Agent/follow-up/transfer step ends */
    int64_t engine_queue;
    int64_t owner;      /* assigned agent */
    int64_t last_owner; /* for follow-ups */
    int64_t return_to;  /* a transfer's origin */
    int64_t last_queue; /* the last real queue it waited in (follow-ups) */
    bool rejoin;        /* restored into its queue: its report row is already open */
};

struct acd {
    struct sb_app *app;
    struct engine *eng;
    struct mpsc q;
    pthread_t thread;
    bool started;
    atomic_bool stop;
    struct eng_map ix;           /* interaction id -> struct acd_ix* */
    struct eng_set timers;       /* acd_ix.timer */
    struct eng_map agents;       /* agent id -> (void *)1: agents known to the engine */
    struct eng_map queues;       /* queue id -> (void *)(channel + 1): real queues in the engine */
    struct eng_map agent_queues; /* one-agent queue ids in the engine -> (void *)1 */
    struct eng_map offers;       /* agent id -> struct acd_offers* */
    struct eng_map groups;       /* ACD_GROUP ids set in the engine -> (void *)1 */
    /* The supervisors' profiles whose scope holds a queue / an agent (realtime topics
     * "profile:<id>"), rebuilt at every reload. */
    struct eng_map queue_profiles; /* queue id -> struct acd_ids* */
    struct eng_map agent_profiles; /* agent id -> struct acd_ids* */
    int64_t last_sweep;
    int64_t last_reload;
    int64_t last_miss_reload; /* the last reload for a request naming an unknown agent */
};

/* acd_load.c */
/* Frees every list of an id -> struct acd_ids* map and empties it. */
void acd_ids_map_clear(struct eng_map *m);
int acd_reload(struct acd *a, struct db *db, int64_t now);
int acd_restore(struct acd *a, struct db *db, int64_t now);
/* Puts open interactions in routing state 'flow' the thread does not know yet under its care
 * (and runs their flows). */
int acd_sweep_unknown(struct acd *a, struct db *db, int64_t now);

/* acd_events.c: the offers each agent holds. */
void acd_offer_add(struct acd *a, int64_t agent, int64_t ix, int64_t queue, int64_t deadline);
void acd_offer_remove(struct acd *a, int64_t agent, int64_t ix);
/* acd_events.c: drains the engine's events, committing and publishing each. */
void acd_drain(struct acd *a, struct db *db);
/* Publishes {"type":type,"data":data} (data is stolen) to `topic`. */
void acd_publish(struct acd *a, const char *topic, const char *type, json_t *data);
/* The summary of an interaction for events and lists (NULL on a storage error). */
json_t *acd_ix_summary(struct db *db, int64_t id);
/* Tells the agent (user:<id>) that interaction `id` is assigned to it
 * (interaction.assigned, auto_answer false). */
void acd_announce_assigned(struct acd *a, struct db *db, int64_t agent, int64_t id);
/* Publishes the agent's state (agent.state to it and to "realtime"). */
void acd_publish_agent_state(struct acd *a, int64_t agent);

/* Names stored in interactions.route_state / route_phase. */
const char *acd_state_name(int state);
const char *acd_phase_name(int phase);

/* acd_flow.c */
/* The interaction the thread holds, or NULL / a new zeroed one (NULL when out of memory). */
struct acd_ix *acd_ix_find(struct acd *a, int64_t id);
struct acd_ix *acd_ix_get(struct acd *a, int64_t id);
void acd_ix_forget(struct acd *a, struct acd_ix *ix);
void acd_ix_set_timer(struct acd *a, struct acd_ix *ix, int64_t deadline);
/* Stores the interaction's routing columns. */
int acd_ix_save(struct db *db, const struct acd_ix *ix, int64_t now);
/* Why the flow runs (the numbers of routing/flow.h's enum flow_why). */
enum acd_why {
    ACD_WHY_NEW_INTERACTION = 1,
    ACD_WHY_NEW_MESSAGE,
    ACD_WHY_TIMEOUT,
    ACD_WHY_CONTINUE
};
/* Runs the action flow (a new run, or from ix->position after a wait) until it waits in a
 * queue or for an agent, or ends. */
void acd_flow_run(struct acd *a, struct db *db, struct acd_ix *ix, int why, int64_t now);
/* A new inbound message on interaction `id` (committed). */
void acd_route(struct acd *a, struct db *db, int64_t id, int64_t now);
/* The current Queue/Agent step is over without an agent: what comes next. */
void acd_step_over(struct acd *a, struct db *db, struct acd_ix *ix, int64_t now);
/* Fires the thread's own timers due at `now`. */
void acd_fire_timers(struct acd *a, struct db *db, int64_t now);
/* Waits in engine queue `q` (a real queue, or ACD_AGENT_QUEUE for one agent) until
 * `deadline`. false when the engine refused (the step is then over). */
bool acd_wait_in(struct acd *a, struct db *db, struct acd_ix *ix, int64_t q, int64_t deadline,
                 int64_t now);
/* Ensures the one-agent queue of (agent, channel) exists in the engine. */
int acd_agent_queue(struct acd *a, int64_t agent, int ch, int64_t now);

/* acd_flow_step.c: the action flow of the interaction's account, evaluated from ix->position
 * (routing/flow.h): the next thing to do. Gotos, intervals and Auto Reply's memory are the
 * flow module's business; `next` is where the flow goes on after this step. */
enum acd_step_kind {
    STEP_END = 0,
    STEP_QUEUE,
    STEP_AGENT,
    STEP_REPLY,
    STEP_CLOSE,
    STEP_TAG,
    STEP_NOOP
};
struct acd_step {
    int kind;
    int position; /* of the action taken (1-based priority) */
    int next;     /* where the flow continues after it; 0 = nowhere */
    int64_t target;
    int timeout_s; /* Queue/Agent: 0 = no limit */
    char text[1024];
};
/* The account's flow and the intervals, read once per flow run (they do not change under
 * it); the interaction's variables are read at each step (a Tag action changes them). */
struct flow;
struct interval_set;
struct acd_flow_cache {
    struct flow *flow;
    struct interval_set *intervals;
};
void acd_flow_cache_free(struct acd_flow_cache *c);
int acd_flow_next(struct acd *a, struct db *db, struct acd_ix *ix, int why, int64_t now,
                  struct acd_flow_cache *cache, struct acd_step *out);

/* acd_agent.c: the synchronous requests. */
void acd_handle(struct acd *a, struct db *db, struct acd_req *req, int64_t now);

#endif
