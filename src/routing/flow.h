/* flow.h — the action flows of the digital channels' accounts (issue #5 part 4; the model,
 * the condition language and our choices are in docs/flows.md).
 *
 * A flow is the ordered list of actions of one (channel, account); an action's position is
 * the product's "priority" (1-based) that GotoIf and GotoP jump to. Each action may be limited
 * to an interval: outside it, the action is skipped.
 *
 * Three parts:
 *  - parse/validate (flow_parse) with field-level errors ("actions[2].queue_id"), and the JSON
 *    form of a flow (flow_actions_json);
 *  - storage (flow_load, flow_save, flow_version, flow_check_refs) on the caller's connection;
 *  - the interpreter (flow_step): pure and deterministic. Given the flow, the variables, the
 *    time, the intervals, a position and why we are here, it returns the next decision and
 *    where to go on. It never reads a clock, the database or anything global (interval
 *    matching reads the process time zone through localtime_r). The router thread calls it.
 *
 * Errors are 0 or a negative sb_err. Objects are caller-owned: flow_parse/flow_load make a
 * struct flow that flow_free releases; it is immutable afterwards and may be shared by
 * readers on any thread. */
#ifndef SB_ROUTING_FLOW_H
#define SB_ROUTING_FLOW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "routing/flow_expr.h"
#include "routing/intervals.h"

struct db;

#define FLOW_MAX_ACTIONS     100     /* actions in one flow */
#define FLOW_MAX_STEPS       100     /* actions evaluated between two waits: a loop ends there */
#define FLOW_TIMEOUT_MAX     2147483 /* seconds, the seed's bound for routing waits */
#define FLOW_TEXT_MAX        4096    /* characters of an auto-reply text */
#define FLOW_VALUE_MAX       1024    /* characters of a noop value */
#define FLOW_TAG_MAX         64      /* characters of a tag */
#define FLOW_DISPOSITION_MAX 255     /* characters of a disposition */
#define FLOW_LOG_MAX         1024    /* bytes of a decision's log text, NUL included */

enum flow_app {
    FLOW_APP_QUEUE = 1,  /* queue_id, timeout: wait in the queue */
    FLOW_APP_AGENT,      /* agent_id, timeout: offer to that agent */
    FLOW_APP_AUTO_REPLY, /* text, mode, reply_all (email only) */
    FLOW_APP_CLOSE,      /* disposition (may be NULL) */
    FLOW_APP_TAG,        /* text = the tag */
    FLOW_APP_NOOP,       /* text = the value written to the log (${variables} replaced) */
    FLOW_APP_GOTO_IF,    /* cond, true_priority, false_priority (0 = the next action) */
    FLOW_APP_GOTO_P,     /* true_priority = the priority to jump to */
};

enum flow_reply_mode {
    FLOW_REPLY_ONE_TIME = 1,  /* once per interaction */
    FLOW_REPLY_ALWAYS,        /* once for each message that runs the flow */
    FLOW_REPLY_FIRST_MESSAGE, /* only while the interaction's first message runs the flow */
};

struct flow_action {
    int app;                /* enum flow_app */
    int64_t interval_id;    /* 0 = always */
    int64_t queue_id;       /* QUEUE */
    int64_t agent_id;       /* AGENT */
    int timeout;            /* QUEUE, AGENT: seconds, 1..FLOW_TIMEOUT_MAX */
    int mode;               /* AUTO_REPLY: enum flow_reply_mode */
    bool reply_all;         /* AUTO_REPLY on email: reply to all */
    char *text;             /* AUTO_REPLY text, TAG tag, CLOSE disposition, NOOP value, GOTO_IF
                               condition source; NULL when none */
    struct flow_expr *cond; /* GOTO_IF */
    int true_priority;      /* GOTO_IF (condition true), GOTO_P */
    int false_priority;     /* GOTO_IF (condition false); 0 = the next action */
};

struct flow {
    char channel[16];
    size_t n;
    struct flow_action *actions; /* actions[0] has priority 1 */
};

/* True for the channels that have accounts and flows: chat, email, sms, openchannel, fax,
 * whatsapp. */
bool flow_channel_valid(const char *channel);

/* Parses and validates `actions` (a JSON array of objects {application, interval_id?, …the
 * application's fields}; an action's priority is its position, 1-based) for `channel`. Returns 0
 * with *out (flow_free), or SB_EINVALID with *errors (new array of {field, message}, fields like
 * "actions[2].queue_id"; every bad field is named), or SB_ENOMEM. Does not look at the database:
 * flow_check_refs checks that queues, agents and intervals exist. */
int flow_parse(const json_t *actions, const char *channel, struct flow **out, json_t **errors);

/* The JSON array of the flow's actions, each {application, interval_id, …fields}
 * — what flow_parse accepts back. New reference, NULL when out of memory. */
json_t *flow_actions_json(const struct flow *f);

/* An empty flow of `channel` (SB_EINVAL for a bad channel, SB_ENOMEM). */
int flow_new_empty(const char *channel, struct flow **out);

void flow_free(struct flow *f);

/* ---- storage ----------------------------------------------------------------------------- */

/* Loads the flow of (channel, account_id); an account without one has an empty flow and
 * version 0. *version (may be NULL) gets the flow's version, which grows with every save.
 * SB_EINVAL (channel), SB_EINTERNAL when a stored action no longer parses. */
int flow_load(struct db *db, const char *channel, int64_t account_id, struct flow **out,
              int64_t *version);

/* The version of the stored flow of (channel, account_id), 0 when none: the router reloads a
 * cached flow when it changed. */
int flow_version(struct db *db, const char *channel, int64_t account_id, int64_t *version);

/* Replaces the flow of (channel, account_id) with `f` in one transaction (concurrent saves of
 * the same account are serialized; the last one wins whole). *version (may be NULL) gets the
 * new version. SB_ECONFLICT when an interval it names was deleted meanwhile. */
int flow_save(struct db *db, const char *channel, int64_t account_id, const struct flow *f,
              int64_t now_ms, int64_t *version);

/* Checks what `f` refers to: every queue exists and is a queue of f's channel, every agent is
 * a live agent, every interval exists. Returns 0, or SB_EINVALID with *errors (new array of
 * {field, message}), or a storage error. */
int flow_check_refs(struct db *db, const struct flow *f, json_t **errors);

/* HOOK for the accounts of each channel: sets *exists to whether account `account_id` of
 * `channel` exists. Until the channels' account tables land every positive id exists; the
 * lead replaces the body (flow_store.c) with a look-up per channel. */
int flow_account_exists(struct db *db, const char *channel, int64_t account_id, bool *exists);

/* ---- the interpreter --------------------------------------------------------------------- */

/* Why flow_step is called. */
enum flow_why {
    FLOW_WHY_NEW_INTERACTION = 1, /* the interaction's first message: a new run from priority 1;
                                     the state is reset */
    FLOW_WHY_NEW_MESSAGE,         /* a later message that the flow must route (no agent holds
                                     the interaction): a new run from priority 1 */
    FLOW_WHY_TIMEOUT,             /* the queue/agent wait of the last decision ended without an
                                     agent: go on at `position` = that decision's `next` */
    FLOW_WHY_CONTINUE,            /* the caller carried out the last decision (reply, tag, log):
                                     go on at `position` = that decision's `next` */
};

enum flow_decision_kind {
    FLOW_DO_ENQUEUE = 1, /* put the interaction in queue_id for `timeout` s; on timeout call
                            again with FLOW_WHY_TIMEOUT and `next` */
    FLOW_DO_OFFER_AGENT, /* offer it to agent_id for `timeout` s; same on timeout */
    FLOW_DO_AUTO_REPLY,  /* send `text` (reply_all for email); then FLOW_WHY_CONTINUE, `next` */
    FLOW_DO_CLOSE,       /* close with disposition `text` (NULL = none); the flow is over */
    FLOW_DO_TAG,         /* add tag `text`; then FLOW_WHY_CONTINUE, `next` */
    FLOW_DO_LOG,         /* write `log` (Noop) to the log; then FLOW_WHY_CONTINUE, `next` */
    FLOW_DO_END,         /* nothing more to do: end_reason and `log` say why */
};

enum flow_end_reason {
    FLOW_END_LAST_ACTION = 1, /* past the last action (or an empty flow) */
    FLOW_END_STEP_LIMIT,      /* FLOW_MAX_STEPS actions without a wait: a loop */
};

struct flow_decision {
    int kind;               /* enum flow_decision_kind */
    int priority;           /* the action that decided (1-based); 0 for FLOW_DO_END */
    int next;               /* the priority to go on at; 0 when the flow is over */
    int64_t queue_id;       /* ENQUEUE */
    int64_t agent_id;       /* OFFER_AGENT */
    int timeout;            /* ENQUEUE, OFFER_AGENT: seconds */
    const char *text;       /* AUTO_REPLY text, TAG, CLOSE disposition: points into the flow */
    bool reply_all;         /* AUTO_REPLY */
    int end_reason;         /* END: enum flow_end_reason */
    int steps;              /* actions evaluated by this call (skipped ones and jumps included) */
    char log[FLOW_LOG_MAX]; /* LOG: the Noop value with variables replaced; END: why, in words */
};

/* What an interaction's flow remembers between calls; the caller persists it with the
 * interaction (flow_state_encode/decode) and passes the same struct to every call. */
struct flow_state {
    uint64_t replied[2];     /* auto-replies (bit = priority - 1) sent in this interaction */
    uint64_t replied_run[2]; /* … sent in the current run */
    bool first_run;          /* the current run began with the interaction's first message */
    int steps;               /* actions evaluated since the run began or the last wait ended */
};

/* A fresh state (also what FLOW_WHY_NEW_INTERACTION resets to). */
void flow_state_init(struct flow_state *st);

/* The state as a short text ("v1:…", at most 80 bytes) for a TEXT column, and back. encode
 * returns 0 or SB_ETOOBIG when cap is too small; decode returns 0 or SB_EINVAL (a NULL or
 * empty text decodes to a fresh state). */
int flow_state_encode(const struct flow_state *st, char *buf, size_t cap);
int flow_state_decode(const char *text, struct flow_state *st);

/* Runs flow `f` from `position` (ignored for the two NEW_* reasons: they start at 1) at time
 * `now_ms` until a decision: actions outside their interval (and actions naming an interval
 * `intervals` does not hold) are skipped, GotoIf/GotoP jump, auto-replies already sent (per
 * their mode) are skipped. After FLOW_MAX_STEPS actions without a queue/agent wait it ends
 * with FLOW_END_STEP_LIMIT. A position past the last action ends with FLOW_END_LAST_ACTION.
 * Updates *st; fills *out. `vars` and `intervals` may be NULL (no variables; no interval
 * matches). Returns 0, or SB_EINVAL (bad `why`, or a position < 1 to continue at). Pure and
 * deterministic; the router thread calls it, any thread may. */
int flow_step(const struct flow *f, const struct interval_set *intervals,
              const struct flow_vars *vars, int64_t now_ms, int why, int position,
              struct flow_state *st, struct flow_decision *out);

#endif
