/* acd_flow.c — an interaction's way through its account's action flow, the follow-ups and
 * transfers, and the ACD's own timers (how long a Queue/Agent step, a follow-up or a transfer
 * waits). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/channel_account.h"
#include "core/err.h"
#include "core/log.h"
#include "db/db.h"
#include "interactions/inbound.h"
#include "interactions/outbound.h"
#include "routing/acd_impl.h"

struct acd_ix *acd_ix_find(struct acd *a, int64_t id)
{
    return eng_map_get(&a->ix, id);
}

struct acd_ix *acd_ix_get(struct acd *a, int64_t id)
{
    struct acd_ix *ix = eng_map_get(&a->ix, id);
    if (ix)
        return ix;
    ix = calloc(1, sizeof(*ix));
    if (!ix)
        return NULL;
    ix->id = id;
    if (eng_map_put(&a->ix, id, ix)) {
        free(ix);
        return NULL;
    }
    return ix;
}

static void clear_timer(struct acd *a, struct acd_ix *ix)
{
    if (ix->timed)
        eng_set_remove(&a->timers, &ix->timer);
    ix->timed = false;
}

void acd_ix_forget(struct acd *a, struct acd_ix *ix)
{
    clear_timer(a, ix);
    eng_map_del(&a->ix, ix->id);
    free(ix);
}

void acd_ix_set_timer(struct acd *a, struct acd_ix *ix, int64_t deadline)
{
    clear_timer(a, ix);
    ix->deadline = deadline;
    if (deadline > 0 && deadline < INT64_MAX) {
        eng_set_insert(&a->timers, &ix->timer, deadline, ix->id);
        ix->timed = true;
    }
}

int acd_ix_save(struct db *db, const struct acd_ix *ix, int64_t now)
{
    int64_t deadline = ix->timed ? ix->deadline : 0;
    int r = db_execf(db, NULL,
                     "UPDATE interactions SET route_state = ?, route_phase = ?, route_position = "
                     "?, route_target = NULLIF(?, 0), route_deadline = NULLIF(?, 0), "
                     "route_return = NULLIF(?, 0), owner_id = NULLIF(?, 0), last_owner_id = "
                     "NULLIF(?, 0), queue_id = NULLIF(?, 0), updated_at = ? WHERE id = ? AND "
                     "status = 'open'",
                     "ttiiiiiiiii", acd_state_name(ix->state), acd_phase_name(ix->phase),
                     (int64_t)ix->position, ix->target, deadline, ix->return_to, ix->owner,
                     ix->last_owner, ix->last_queue, now, ix->id);
    if (r)
        log_error("acd: routing state of interaction %lld not stored (%d)", (long long)ix->id, r);
    return r;
}

int acd_agent_queue(struct acd *a, int64_t agent, int ch, int64_t now)
{
    int64_t q = ACD_AGENT_QUEUE(agent, ch);
    if (!eng_map_get(&a->agents, agent))
        return SB_ENOTFOUND;
    if (!eng_map_get(&a->agent_queues, q)) {
        /* One member, offered at once, for as long as the step lasts (the step's own timer
         * ends it): the agent timeout is the engine's maximum. */
        struct eng_queue_spec spec = {q, ch, ENG_BEEPALL, 86400, 10};
        int r = eng_queue_upsert(a->eng, &spec, now);
        if (!r)
            r = eng_queue_add_member(a->eng, q, agent, now);
        if (!r)
            r = eng_map_put(&a->agent_queues, q, (void *)1);
        if (r)
            return r;
    }
    return 0;
}

int64_t acd_ix_group(const struct acd_ix *ix)
{
    if ((ix->channel != ENG_CH_SMS && ix->channel != ENG_CH_OPENCHANNEL) || ix->account_id <= 0 ||
        ix->account_id >= ((int64_t)1 << 40))
        return 0;
    return ACD_GROUP(ix->channel, ix->account_id);
}

bool acd_wait_in(struct acd *a, struct db *db, struct acd_ix *ix, int64_t q, int64_t deadline,
                 int64_t now)
{
    /* From a real queue only the account's agents are offered it; an Agent action, a
     * follow-up or a transfer names its agent. */
    int r = eng_enqueue_group(a->eng, ix->id, q, ACD_IS_AGENT_QUEUE(q) ? 0 : acd_ix_group(ix), now);
    if (r) {
        log_warn("acd: interaction %lld not queued in %lld (%d)", (long long)ix->id, (long long)q,
                 r);
        ix->rejoin = false;
        return false;
    }
    ix->engine_queue = q;
    if (ACD_IS_AGENT_QUEUE(q)) {
        ix->state = IX_AGENT;
        ix->target = (q - ACD_AGENT_QBASE) / ENG_CH_COUNT;
    } else {
        ix->state = IX_QUEUED;
        ix->target = q;
        ix->last_queue = q;
    }
    acd_ix_set_timer(a, ix, deadline);
    acd_ix_save(db, ix, now);
    return true;
}

/* Adds `tag` to the interaction's tags (a JSON array of strings) unless it is there. */
static int add_tag(struct db *db, int64_t id, const char *tag, int64_t now)
{
    struct db_stmt *st = NULL;
    json_t *tags = NULL;
    int r = db_prepare(db, "SELECT tags FROM interactions WHERE id = ?", &st);
    if (!r)
        r = db_bind_int64(st, 1, id);
    if (!r && db_step(st) == DB_ROW)
        tags = json_loads(db_col_text(st, 0), 0, NULL);
    db_finalize(st);
    if (r)
        return r;
    if (!json_is_array(tags)) {
        json_decref(tags);
        tags = json_array();
    }
    size_t i;
    json_t *t;
    bool have = false;
    json_array_foreach(tags, i, t) have =
        have || (json_is_string(t) && !strcmp(json_string_value(t), tag));
    if (!have)
        json_array_append_new(tags, json_string(tag));
    char *text = json_dumps(tags, JSON_COMPACT);
    json_decref(tags);
    r = text ? db_execf(db, NULL, "UPDATE interactions SET tags = ?, updated_at = ? WHERE id = ?",
                        "tii", text, now, id)
             : SB_ENOMEM;
    free(text);
    return r;
}

/* Runs one immediate action (Auto Reply, Close, Tag, Noop). false when the interaction is
 * gone (closed). */
static bool run_immediate(struct acd *a, struct db *db, struct acd_ix *ix, const struct acd_step *s,
                          int64_t now)
{
    switch (s->kind) {
    case STEP_REPLY: {
        struct outbound_msg m = {ix->id, 0, s->text, NULL, false};
        const char *why = NULL;
        int r = outbound_store(db, &m, now, NULL, &why);
        if (r)
            log_warn("acd: auto reply of interaction %lld not sent (%d %s)", (long long)ix->id, r,
                     why ? why : "");
        return true;
    }
    case STEP_CLOSE: {
        int r = interaction_close(db, ix->id, s->text[0] ? s->text : NULL, now);
        if (r && r != SB_ECONFLICT)
            log_warn("acd: interaction %lld not closed by its flow (%d)", (long long)ix->id, r);
        acd_publish(a, "role:admin", "interaction.closed",
                    json_pack("{s:I, s:s}", "id", (json_int_t)ix->id, "by", "flow"));
        acd_ix_forget(a, ix);
        return false;
    }
    case STEP_TAG: {
        int r = add_tag(db, ix->id, s->text, now);
        if (r)
            log_warn("acd: tag of interaction %lld not stored (%d)", (long long)ix->id, r);
        return true;
    }
    default:
        log_info("acd: flow noop on interaction %lld at position %d: %s", (long long)ix->id,
                 s->position, s->text);
        return true;
    }
}

void acd_flow_run(struct acd *a, struct db *db, struct acd_ix *ix, int why, int64_t now)
{
    ix->phase = PH_ACTION;
    ix->engine_queue = 0;
    clear_timer(a, ix);
    struct acd_flow_cache cache = {NULL, NULL};
    for (int steps = 0; steps < ACD_FLOW_MAX_STEPS; steps++) {
        struct acd_step s;
        memset(&s, 0, sizeof(s));
        ix->state = IX_FLOW;
        if ((why == ACD_WHY_TIMEOUT || why == ACD_WHY_CONTINUE) && ix->position < 1)
            break;
        if (acd_flow_next(a, db, ix, why, now, &cache, &s) || s.kind == STEP_END)
            break;
        ix->position = s.next;
        why = ACD_WHY_CONTINUE;
        if (s.kind == STEP_QUEUE || s.kind == STEP_AGENT) {
            int64_t deadline = s.timeout_s > 0 ? now + (int64_t)s.timeout_s * 1000 : 0;
            int64_t q = s.target;
            if (s.kind == STEP_AGENT)
                q = acd_agent_queue(a, s.target, ix->channel, now)
                        ? 0
                        : ACD_AGENT_QUEUE(s.target, ix->channel);
            if (q && acd_wait_in(a, db, ix, q, deadline, now))
                goto out;
            why = ACD_WHY_TIMEOUT;
            continue;
        }
        if (!run_immediate(a, db, ix, &s, now))
            goto out;
    }
    /* The flow ended (or looped too long) without an agent: the interaction waits, unrouted,
     * for its next message. */
    ix->state = IX_IDLE;
    ix->target = 0;
    ix->position = 0;
    acd_ix_save(db, ix, now);
out:
    acd_flow_cache_free(&cache);
}

/* A follow-up: the agent who closed its tab, then its queue, then the flow. */
static void follow_up(struct acd *a, struct db *db, struct acd_ix *ix, int phase, int64_t now)
{
    struct channel_account acc;
    const char *ch = eng_channel_name(ix->channel);
    if (channel_account_get(db, ch, ix->account_id, &acc)) {
        acc.wait_agent = 10;
        acc.wait_queue = 10;
    }
    if (phase == PH_FOLLOW_AGENT && ix->last_owner &&
        !acd_agent_queue(a, ix->last_owner, ix->channel, now)) {
        ix->phase = PH_FOLLOW_AGENT;
        if (acd_wait_in(a, db, ix, ACD_AGENT_QUEUE(ix->last_owner, ix->channel),
                        now + (int64_t)acc.wait_agent * 1000, now))
            return;
    }
    if (ix->last_queue && eng_map_get(&a->queues, ix->last_queue)) {
        ix->phase = PH_FOLLOW_QUEUE;
        if (acd_wait_in(a, db, ix, ix->last_queue, now + (int64_t)acc.wait_queue * 1000, now))
            return;
    }
    acd_flow_run(a, db, ix, ACD_WHY_NEW_MESSAGE, now);
}

void acd_step_over(struct acd *a, struct db *db, struct acd_ix *ix, int64_t now)
{
    ix->engine_queue = 0;
    clear_timer(a, ix);
    switch (ix->phase) {
    case PH_FOLLOW_AGENT:
        follow_up(a, db, ix, PH_FOLLOW_QUEUE, now);
        return;
    case PH_FOLLOW_QUEUE:
        acd_flow_run(a, db, ix, ACD_WHY_NEW_MESSAGE, now);
        return;
    case PH_TRANSFER:
        /* Nobody took it: back to the agent who transferred it, unread. */
        if (ix->return_to &&
            !eng_agent_restore_assigned(a->eng, ix->return_to, ix->id, ix->channel, now)) {
            ix->state = IX_ASSIGNED;
            ix->phase = PH_ACTION;
            ix->owner = ix->return_to;
            ix->last_owner = ix->return_to;
            ix->target = 0;
            int64_t back = ix->return_to;
            ix->return_to = 0;
            acd_ix_save(db, ix, now);
            db_execf(db, NULL, "UPDATE interactions SET unread = 1 WHERE id = ?", "i", ix->id);
            json_t *sum = acd_ix_summary(db, ix->id);
            if (sum) {
                json_object_set_new(sum, "returned", json_true());
                char topic[32];
                snprintf(topic, sizeof(topic), "user:%lld", (long long)back);
                acd_publish(a, topic, "interaction.assigned", sum);
            }
            acd_publish_agent_state(a, back);
            return;
        }
        ix->return_to = 0;
        acd_flow_run(a, db, ix, ACD_WHY_NEW_MESSAGE, now);
        return;
    default:
        acd_flow_run(a, db, ix, ACD_WHY_TIMEOUT, now);
        return;
    }
}

void acd_route(struct acd *a, struct db *db, int64_t id, int64_t now)
{
    struct acd_ix *ix = acd_ix_find(a, id);
    if (!ix) {
        /* New to the thread: a new interaction, or one whose flow ended (idle) or whose agent
         * closed its tab. The stored state says which. */
        acd_sweep_unknown(a, db, now);
        ix = acd_ix_find(a, id);
        if (!ix) {
            struct db_stmt *st = NULL;
            int r = db_prepare(db,
                               "SELECT account_id, channel, last_owner_id, queue_id, "
                               "route_state FROM interactions WHERE id = ? AND status = 'open'",
                               &st);
            if (!r)
                r = db_bind_int64(st, 1, id);
            if (!r && db_step(st) == DB_ROW && !strcmp(db_col_text(st, 4), "idle") &&
                (ix = acd_ix_get(a, id)) != NULL) {
                ix->account_id = db_col_int64(st, 0);
                ix->channel = eng_channel_parse(db_col_text(st, 1));
                ix->last_owner = db_col_int64(st, 2);
                ix->last_queue = db_col_int64(st, 3);
                ix->state = IX_IDLE;
            }
            db_finalize(st);
            if (!ix)
                return;
            if (ix->channel < 0) {
                acd_ix_forget(a, ix);
                return;
            }
        } else {
            return; /* the sweep adopted it and ran its flow */
        }
    }
    if (ix->state == IX_ASSIGNED) {
        char topic[32];
        snprintf(topic, sizeof(topic), "user:%lld", (long long)ix->owner);
        acd_publish(a, topic, "interaction.message", json_pack("{s:I}", "id", (json_int_t)id));
        return;
    }
    if (ix->state != IX_IDLE)
        return; /* already on its way to an agent */
    if (ix->last_owner)
        follow_up(a, db, ix, PH_FOLLOW_AGENT, now);
    else
        acd_flow_run(a, db, ix, ACD_WHY_NEW_MESSAGE, now);
}

void acd_fire_timers(struct acd *a, struct db *db, int64_t now)
{
    for (;;) {
        struct eng_set_node *t = eng_set_min(&a->timers);
        if (!t || t->a > now)
            return;
        struct acd_ix *ix = (struct acd_ix *)t; /* the node is the first member */
        clear_timer(a, ix);
        if (ix->engine_queue && !eng_dequeue(a->eng, ix->id, ENG_LEFT_TIMEOUT, now)) {
            /* ENG_EV_LEFT(timeout) reaches acd_drain, which moves the step on. */
            acd_drain(a, db);
            continue;
        }
        if (ix->state == IX_QUEUED || ix->state == IX_AGENT)
            acd_step_over(a, db, ix, now);
    }
}
