/* acd.h — the ACD thread (DESIGN "router (1 thread)"): the one owner of the routing engine
 * (routing/engine.h) and of every routing timer. Issue #5, parts 2, 3, 5 and 8.
 *
 * Other threads never touch the engine: they post requests to the ACD thread through a
 * bounded MPSC queue. acd_call() waits for the answer (accept, pause, …); acd_post() does not
 * (a new message to route, "the configuration changed", "the clock moved").
 *
 * The database is the source of truth. Every decision is committed by the ACD thread on its
 * own connection before the caller gets an answer or an agent gets an event: an interaction's
 * routing state (interactions.route_*), its owner, the report rows, the agents' session and
 * pause rows. At start the engine is rebuilt from those rows: logged-in and paused agents,
 * assigned interactions, interactions waiting in a queue or for an agent (their timers resume
 * with the time they had left; a deadline passed while the server was down fires at once),
 * interactions whose flow had not finished (the flow resumes at its position). Offers are not
 * stored: an offer out when the process died is made again.
 *
 * Events pushed over the WebSocket (hub topics "user:<agent id>" and "realtime" for admins
 * and supervisors): interaction.offered, interaction.offer_ended, interaction.assigned,
 * interaction.message, interaction.closed, agent.state, realtime.queue. */
#ifndef SB_ROUTING_ACD_H
#define SB_ROUTING_ACD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct acd;
struct sb_app;

/* Loads queues, agents and the open interactions from the database, rebuilds the engine and
 * starts the thread. 0, SB_ENOMEM, SB_EIO (thread), or a storage error. Main thread. */
int acd_start(struct sb_app *app, struct acd **out);

/* Stops the thread (requests still queued are answered SB_EUNAVAIL; later ones too). NULL is
 * fine. Main thread, once no request is in flight and before the hub goes away. */
void acd_stop(struct acd *a);

/* Stops if needed and frees everything. NULL is fine. Main thread, after the HTTP server
 * stopped (no caller can reach it any more). */
void acd_free(struct acd *a);

enum acd_op {
    /* asynchronous (acd_post) */
    ACD_RELOAD = 1, /* queues, members, agents' settings or the tab limit changed */
    ACD_TICK,       /* the clock moved (test hook): fire what is due */
    ACD_ROUTE,      /* a = interaction: a committed inbound message; route it */
    /* synchronous (acd_call) */
    ACD_LOGIN,    /* agent, channel */
    ACD_LOGOUT,   /* agent, channel */
    ACD_PAUSE,    /* agent, text = reason (may be empty) */
    ACD_UNPAUSE,  /* agent */
    ACD_STATE,    /* agent: *out = its state */
    ACD_ACCEPT,   /* agent, interaction */
    ACD_REJECT,   /* agent, interaction */
    ACD_RELEASE,  /* agent, interaction: the agent closes the tab; the interaction stays open */
    ACD_CLOSE,    /* agent, interaction, text = disposition (may be empty unless the account
                     makes it mandatory; else one that applies: dispositions.h) */
    ACD_TRANSFER, /* agent, interaction, target (agent id, or queue id when to_queue) */
    ACD_REOPEN,   /* agent, interaction: a closed interaction is assigned to the agent again */
    ACD_REALTIME, /* *out = per-queue counts and agent states */
    ACD_OFFERS,   /* agent: *out = {"items": [interaction summaries with the offer]} */
    ACD_CLAIM,    /* agent, interaction: the agent starts an outbound conversation on an open
                     interaction nobody else holds (a new one in state 'idle', one waiting in a
                     queue or for an agent): it is assigned to the agent at once, whatever its
                     capacity and tab limit (the agent's own decision); ACD_TAKEN when another
                     agent holds it, ACD_OK when the agent already does */
    ACD_DISPOSE,  /* agent, interaction: the agent starts disposing it (the account's
                     disposition pause, if any, is applied until it is closed) */
};

enum acd_status {
    ACD_OK = 0,
    ACD_NOT_FOUND,            /* no such agent / interaction / queue (or not a routable one) */
    ACD_TAKEN,                /* accept: someone else has it */
    ACD_NOT_OFFERED,          /* accept/reject: no offer of it to this agent */
    ACD_OVER_CAPACITY,        /* accept: the channel capacity is full */
    ACD_OVER_TAB_LIMIT,       /* accept: the open tab limit is reached */
    ACD_NOT_OWNER,            /* the interaction is not assigned to this agent */
    ACD_CLOSED,               /* the interaction is closed */
    ACD_NOT_CLOSED,           /* reopen: it is open */
    ACD_TRANSFER_OFF,         /* transfer: the account does not allow it */
    ACD_TARGET_INVALID,       /* transfer: the target agent is offline / the queue is of another
                                 channel or unknown */
    ACD_CHANNEL_INVALID,      /* login/logout: not a routed channel */
    ACD_DISPOSITION_INVALID,  /* close: no such disposition applies to this interaction */
    ACD_DISPOSITION_REQUIRED, /* close: the account makes a disposition mandatory */
};

#define ACD_TEXT_MAX 128

struct acd_req {
    int op;
    int64_t agent;
    int64_t interaction;
    int64_t target;
    int channel; /* enum eng_channel */
    bool to_queue;
    char text[ACD_TEXT_MAX];
    /* answer */
    int err;    /* 0 or a negative SB_* (storage, shutting down) */
    int status; /* enum acd_status when err == 0 */
    json_t *out;
};

/* Runs `req` on the ACD thread and waits for it; the answer is in req->err, req->status and
 * req->out (owned by the caller, may be NULL). Returns req->err. SB_EFULL when the queue is
 * full (nothing was done), SB_EUNAVAIL when stopping. Any thread except the ACD thread. */
int acd_call(struct acd *a, struct acd_req *req);

/* Queues an asynchronous request (ACD_RELOAD, ACD_TICK, ACD_ROUTE with `arg` = interaction).
 * 0, SB_EFULL, SB_ENOMEM, SB_EUNAVAIL. Lost posts are safe: a periodic sweep every few seconds
 * routes open interactions the thread has not seen and reloads the configuration. Any thread;
 * NULL `a` is ignored (returns 0), so handlers work in tools that run without the thread. */
int acd_post(struct acd *a, int op, int64_t arg);

/* A short English text for a status (problem details). */
const char *acd_status_text(int status);

#endif
