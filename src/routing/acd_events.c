/* acd_events.c — what the engine decided becomes rows and WebSocket events: report rows for
 * queue attempts, the owner of an assigned interaction, offers and their ends to the agents,
 * and the counts supervisors watch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "db/db.h"
#include "http/mask.h"
#include "interactions/inbound.h"
#include "routing/acd_impl.h"
#include "ws/hub.h"

void acd_publish(struct acd *a, const char *topic, const char *type, json_t *data)
{
    json_t *ev = json_pack("{s:s, s:o}", "type", type, "data", data ? data : json_object());
    char *s = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
    json_decref(ev);
    if (!s || !a->app->hub) {
        free(s);
        return;
    }
    int r = hub_publish(a->app->hub, topic, s, strlen(s));
    if (r)
        log_warn("acd: %s event to %s dropped (%d)", type, topic, r);
    free(s);
}

/* An event for one agent: contact fields masked as that agent's policy says. */
static void publish_agent(struct acd *a, int64_t agent, const char *type, json_t *data)
{
    int masked = data && mask_has_contact_fields(data) ? mask_for(agent, "agent") : -1;
    if (masked >= 0)
        mask_contact_fields(data, masked);
    char topic[32];
    snprintf(topic, sizeof(topic), "user:%lld", (long long)agent);
    acd_publish(a, topic, type, data);
}

/* To the administrators' "realtime" topic and to "profile:<id>" of each supervisor profile
 * in `profiles` (may be NULL). Steals `data`. */
static void publish_realtime(struct acd *a, const struct acd_ids *profiles, const char *type,
                             json_t *data)
{
    for (size_t i = 0; data && profiles && i < profiles->n; i++) {
        char topic[40];
        snprintf(topic, sizeof(topic), "profile:%lld", (long long)profiles->id[i]);
        acd_publish(a, topic, type, json_incref(data));
    }
    acd_publish(a, "realtime", type, data);
}

json_t *acd_ix_summary(struct db *db, int64_t id)
{
    struct db_stmt *st = NULL;
    json_t *out = NULL;
    int r = db_prepare(
        db,
        "SELECT i.id, i.channel, i.account_id, i.status, i.unread, i.queue_id, i.created_at, "
        "c.id, c.first_name, c.last_name, c.phone, c.email, c.channel_key, "
        "(SELECT m.body FROM messages m WHERE m.interaction_id = i.id AND m.internal = 0 "
        "ORDER BY m.id DESC LIMIT 1) FROM interactions i JOIN contacts c ON c.id = i.contact_id "
        "WHERE i.id = ?",
        &st);
    if (!r)
        r = db_bind_int64(st, 1, id);
    if (!r && db_step(st) == DB_ROW) {
        char created[32];
        out = json_pack("{s:I, s:s, s:I, s:s, s:b, s:o, s:s, s:{s:I, s:s?, s:s?, s:s?, s:s?, "
                        "s:s?}, s:s?}",
                        "id", (json_int_t)db_col_int64(st, 0), "channel", db_col_text(st, 1),
                        "account_id", (json_int_t)db_col_int64(st, 2), "status", db_col_text(st, 3),
                        "unread", (int)db_col_int64(st, 4), "queue_id",
                        db_col_is_null(st, 5) ? json_null() : json_integer(db_col_int64(st, 5)),
                        "created_at", clock_iso8601(db_col_int64(st, 6), created), "contact", "id",
                        (json_int_t)db_col_int64(st, 7), "first_name", db_col_text(st, 8),
                        "last_name", db_col_text(st, 9), "phone", db_col_text(st, 10), "email",
                        db_col_text(st, 11), "map_key", db_col_text(st, 12), "last_message",
                        db_col_text(st, 13));
    }
    db_finalize(st);
    return out;
}

void acd_publish_agent_state(struct acd *a, int64_t agent)
{
    struct eng_agent_state s;
    if (eng_agent_state(a->eng, agent, &s))
        return;
    json_t *logged = json_object(), *open = json_object();
    for (int ch = 0; ch < ENG_CH_COUNT; ch++) {
        json_object_set_new(logged, eng_channel_name(ch), json_boolean(s.logged_in[ch]));
        json_object_set_new(open, eng_channel_name(ch), json_integer(s.open[ch]));
    }
    json_t *data = json_pack("{s:I, s:o, s:b, s:i, s:o, s:i}", "agent_id", (json_int_t)agent,
                             "logged_in", logged, "paused", s.paused, "open_tabs", s.open_tabs,
                             "open", open, "offers", s.offers);
    if (!data)
        return;
    json_incref(data);
    publish_agent(a, agent, "agent.state", data);
    publish_realtime(a, eng_map_get(&a->agent_profiles, agent), "agent.state", data);
}

static void publish_queue(struct acd *a, int64_t q)
{
    size_t waiting, offers, members, available;
    if (ACD_IS_AGENT_QUEUE(q) ||
        eng_queue_counts(a->eng, q, &waiting, &offers, &members, &available))
        return;
    json_t *data = json_pack("{s:I, s:I, s:I, s:I, s:I}", "queue_id", (json_int_t)q, "waiting",
                             (json_int_t)waiting, "offered", (json_int_t)offers, "members",
                             (json_int_t)members, "available", (json_int_t)available);
    publish_realtime(a, eng_map_get(&a->queue_profiles, q), "realtime.queue", data);
}

void acd_offer_add(struct acd *a, int64_t agent, int64_t ix, int64_t queue, int64_t deadline)
{
    struct acd_offers *o = eng_map_get(&a->offers, agent);
    if (!o) {
        o = calloc(1, sizeof(*o));
        if (!o || eng_map_put(&a->offers, agent, o)) {
            free(o);
            return;
        }
    }
    if (o->n == ACD_OFFERS_MAX)
        return;
    o->ix[o->n] = ix;
    o->queue[o->n] = queue;
    o->deadline[o->n] = deadline;
    o->n++;
}

void acd_offer_remove(struct acd *a, int64_t agent, int64_t ix)
{
    struct acd_offers *o = eng_map_get(&a->offers, agent);
    for (size_t i = 0; o && i < o->n; i++) {
        if (o->ix[i] != ix)
            continue;
        o->n--;
        o->ix[i] = o->ix[o->n];
        o->queue[i] = o->queue[o->n];
        o->deadline[i] = o->deadline[o->n];
        break;
    }
    if (o && !o->n)
        free(eng_map_del(&a->offers, agent));
}

static const char *withdraw_reason(int r)
{
    switch (r) {
    case ENG_WD_TAKEN:
        return "taken";
    case ENG_WD_LEFT:
        return "left";
    case ENG_WD_AGENT_UNAVAILABLE:
        return "unavailable";
    case ENG_WD_AGENT_GONE:
        return "agent_gone";
    default:
        return "queue_gone";
    }
}

static void on_left(struct acd *a, struct db *db, const struct eng_event *ev)
{
    static const char *const reasons[] = {"accepted", "timeout", "abandoned"};
    if (!ACD_IS_AGENT_QUEUE(ev->queue)) {
        int r = report_queue_left(db, ev->interaction, ev->queue, ev->t, reasons[ev->reason],
                                  ev->reason == ENG_LEFT_ACCEPTED ? ev->agent : 0);
        if (r && r != SB_ENOTFOUND)
            log_error("acd: report row of interaction %lld not closed (%d)",
                      (long long)ev->interaction, r);
    }
    publish_queue(a, ev->queue);
    if (ev->reason == ENG_LEFT_ACCEPTED)
        return;
    struct acd_ix *ix = acd_ix_find(a, ev->interaction);
    if (ix && ix->engine_queue == ev->queue && (ix->state == IX_QUEUED || ix->state == IX_AGENT))
        acd_step_over(a, db, ix, ev->t);
}

static void on_assigned(struct acd *a, struct db *db, const struct eng_event *ev)
{
    struct acd_ix *ix = acd_ix_find(a, ev->interaction);
    if (ix) {
        ix->state = IX_ASSIGNED;
        ix->phase = PH_ACTION;
        ix->owner = ev->agent;
        ix->last_owner = ev->agent;
        ix->return_to = 0;
        ix->engine_queue = 0;
        ix->target = 0;
        acd_ix_set_timer(a, ix, 0);
        acd_ix_save(db, ix, ev->t);
    }
    json_t *sum = acd_ix_summary(db, ev->interaction);
    if (sum) {
        json_object_set_new(sum, "auto_answer", json_boolean(ev->auto_answer));
        publish_agent(a, ev->agent, "interaction.assigned", sum);
    }
    acd_publish_agent_state(a, ev->agent);
}

void acd_announce_assigned(struct acd *a, struct db *db, int64_t agent, int64_t id)
{
    json_t *sum = acd_ix_summary(db, id);
    if (sum) {
        json_object_set_new(sum, "auto_answer", json_false());
        publish_agent(a, agent, "interaction.assigned", sum);
    }
}

static void on_event(struct acd *a, struct db *db, const struct eng_event *ev)
{
    char deadline[32];
    switch (ev->type) {
    case ENG_EV_JOINED: {
        struct acd_ix *ix = acd_ix_find(a, ev->interaction);
        if (ix && ix->rejoin) {
            ix->rejoin = false;
        } else if (!ACD_IS_AGENT_QUEUE(ev->queue)) {
            int r = report_queue_joined(db, ix ? eng_channel_name(ix->channel) : "openchannel",
                                        ev->interaction, ev->queue, ev->t);
            if (r)
                log_error("acd: report row of interaction %lld not opened (%d)",
                          (long long)ev->interaction, r);
        }
        publish_queue(a, ev->queue);
        break;
    }
    case ENG_EV_LEFT:
        on_left(a, db, ev);
        break;
    case ENG_EV_OFFERED: {
        acd_offer_add(a, ev->agent, ev->interaction, ev->queue, ev->deadline);
        json_t *sum = acd_ix_summary(db, ev->interaction);
        if (!sum)
            break;
        json_object_set_new(sum, "offer_queue_id",
                            ACD_IS_AGENT_QUEUE(ev->queue) ? json_null() : json_integer(ev->queue));
        json_object_set_new(sum, "auto_answer", json_boolean(ev->auto_answer));
        json_object_set_new(sum, "offer_deadline",
                            ev->deadline == INT64_MAX
                                ? json_null()
                                : json_string(clock_iso8601(ev->deadline, deadline)));
        publish_agent(a, ev->agent, "interaction.offered", sum);
        publish_queue(a, ev->queue);
        break;
    }
    case ENG_EV_EXPIRED:
    case ENG_EV_WITHDRAWN:
        acd_offer_remove(a, ev->agent, ev->interaction);
        publish_agent(
            a, ev->agent, "interaction.offer_ended",
            json_pack("{s:I, s:s}", "id", (json_int_t)ev->interaction, "reason",
                      ev->type == ENG_EV_EXPIRED ? "expired" : withdraw_reason(ev->reason)));
        publish_queue(a, ev->queue);
        break;
    case ENG_EV_ASSIGNED:
        acd_offer_remove(a, ev->agent, ev->interaction);
        on_assigned(a, db, ev);
        break;
    default:
        break;
    }
}

void acd_drain(struct acd *a, struct db *db)
{
    /* Handling an event may call the engine again (a timed-out step moves the flow on): copy
     * the batch out first, then loop until nothing new was emitted. */
    for (int rounds = 0; rounds < 10000; rounds++) {
        size_t n = 0;
        const struct eng_event *evs = eng_events(a->eng, &n);
        if (!n)
            break;
        struct eng_event *copy = malloc(n * sizeof(*copy));
        if (!copy) {
            log_error("acd: out of memory draining %zu events", n);
            eng_events_clear(a->eng);
            break;
        }
        memcpy(copy, evs, n * sizeof(*copy));
        eng_events_clear(a->eng);
        for (size_t i = 0; i < n; i++)
            on_event(a, db, &copy[i]);
        free(copy);
    }
    if (eng_events_lost(a->eng))
        log_error("acd: %llu routing events lost: restart to rebuild from the database",
                  (unsigned long long)eng_events_lost(a->eng));
}
