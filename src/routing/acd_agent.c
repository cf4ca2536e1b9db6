/* acd_agent.c — agents' requests on the ACD thread: channel login/logout, pause, accept,
 * reject, closing the tab, closing, transfer and reopen. Each one changes the engine and
 * commits what it changed before the caller is answered. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "channels/channel_account.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "db/db.h"
#include "interactions/dispositions.h"
#include "interactions/inbound.h"
#include "routing/acd_impl.h"
#include "routing/agent_reports.h"

static bool login_in_pause(struct db *db, int64_t agent)
{
    struct db_stmt *st = NULL;
    bool on = false;
    int r = db_prepare(db, "SELECT settings FROM agents WHERE staff_id = ?", &st);
    if (!r)
        r = db_bind_int64(st, 1, agent);
    if (!r && db_step(st) == DB_ROW) {
        json_t *s = json_loads(db_col_text(st, 0), 0, NULL);
        on = json_is_true(json_object_get(s, "login_in_pause"));
        json_decref(s);
    }
    db_finalize(st);
    return on;
}

static int do_pause(struct acd *a, struct db *db, int64_t agent, const char *reason, int64_t now)
{
    struct eng_agent_state s;
    eng_agent_state(a->eng, agent, &s);
    int r = s.paused ? db_execf(db, NULL,
                                "UPDATE report_agent_pauses SET reason = ? WHERE staff_id = ? AND "
                                "unpaused_at IS NULL",
                                "ti", reason, agent)
                     : report_pause_begin(db, agent, reason, now);
    if (!r)
        r = eng_agent_pause(a->eng, agent, reason, now);
    return r;
}

static void state_json(struct acd *a, struct db *db, int64_t agent, struct acd_req *req)
{
    struct eng_agent_state s;
    if (eng_agent_state(a->eng, agent, &s))
        return;
    json_t *logged = json_object(), *open = json_object();
    for (int ch = 0; ch < ENG_CH_COUNT; ch++) {
        json_object_set_new(logged, eng_channel_name(ch), json_boolean(s.logged_in[ch]));
        json_object_set_new(open, eng_channel_name(ch), json_integer(s.open[ch]));
    }
    const char *reason = NULL;
    struct db_stmt *st = NULL;
    if (s.paused &&
        !db_prepare(db,
                    "SELECT reason FROM report_agent_pauses WHERE staff_id = ? AND "
                    "unpaused_at IS NULL ORDER BY id DESC LIMIT 1",
                    &st) &&
        !db_bind_int64(st, 1, agent) && db_step(st) == DB_ROW)
        reason = db_col_text(st, 0);
    req->out =
        json_pack("{s:I, s:o, s:b, s:s?, s:i, s:o, s:i}", "agent_id", (json_int_t)agent,
                  "logged_in", logged, "paused", s.paused, "pause_reason", s.paused ? reason : NULL,
                  "open_tabs", s.open_tabs, "open", open, "offers", s.offers);
    db_finalize(st);
}

static int login(struct acd *a, struct db *db, struct acd_req *req, int64_t now)
{
    struct eng_agent_state s;
    if (eng_agent_state(a->eng, req->agent, &s))
        return ACD_NOT_FOUND;
    if (req->channel < 0 || req->channel >= ENG_CH_COUNT)
        return ACD_CHANNEL_INVALID;
    if (s.logged_in[req->channel])
        return ACD_OK;
    bool any = false;
    for (int ch = 0; ch < ENG_CH_COUNT; ch++)
        any = any || s.logged_in[ch];
    /* "Login in pause": the first channel login of an agent who has it starts paused. */
    if (!any && !s.paused && login_in_pause(db, req->agent))
        req->err = do_pause(a, db, req->agent, "login", now);
    if (!req->err)
        req->err = report_session_begin(db, req->agent, eng_channel_name(req->channel), now);
    if (!req->err)
        req->err = eng_agent_login(a->eng, req->agent, req->channel, now);
    return ACD_OK;
}

static int logout(struct acd *a, struct db *db, struct acd_req *req, int64_t now)
{
    struct eng_agent_state s;
    if (eng_agent_state(a->eng, req->agent, &s))
        return ACD_NOT_FOUND;
    if (req->channel < 0 || req->channel >= ENG_CH_COUNT)
        return ACD_CHANNEL_INVALID;
    if (!s.logged_in[req->channel])
        return ACD_OK;
    req->err = report_session_end(db, req->agent, eng_channel_name(req->channel), now);
    if (req->err == SB_ENOTFOUND)
        req->err = 0; /* logged in in memory only: nothing to close */
    if (!req->err)
        req->err = eng_agent_logout(a->eng, req->agent, req->channel, now);
    return ACD_OK;
}

static int accept(struct acd *a, struct acd_req *req, int64_t now)
{
    switch (eng_accept(a->eng, req->agent, req->interaction, now)) {
    case ENG_ACCEPT_OK:
        return ACD_OK;
    case ENG_ACCEPT_TAKEN:
        return ACD_TAKEN;
    case ENG_ACCEPT_OVER_CAPACITY:
        return ACD_OVER_CAPACITY;
    case ENG_ACCEPT_OVER_TAB_LIMIT:
        return ACD_OVER_TAB_LIMIT;
    case ENG_ACCEPT_UNKNOWN_AGENT:
        return ACD_NOT_FOUND;
    default:
        return ACD_NOT_OFFERED;
    }
}

/* The interaction must be assigned to the requesting agent. */
static int owned(struct acd *a, struct db *db, struct acd_req *req, struct acd_ix **out)
{
    *out = acd_ix_find(a, req->interaction);
    if (*out && (*out)->state == IX_ASSIGNED && (*out)->owner == req->agent)
        return ACD_OK;
    int64_t open = 0;
    db_query_int64(db, "SELECT COUNT(*) FROM interactions WHERE id = ? AND status = 'open'", &open,
                   1, req->interaction);
    return open ? ACD_NOT_OWNER : ACD_CLOSED;
}

/* The agent stops disposing `ix` (closed, tab closed or transferred): the account's
 * disposition pause ends, unless the agent's pause is not that one (it paused itself before)
 * or another of its interactions is still being disposed. */
static void dispose_end(struct acd *a, struct db *db, struct acd_ix *ix, int64_t agent, int64_t now)
{
    if (ix->phase != PH_DISPOSING)
        return;
    ix->phase = PH_ACTION;
    struct channel_account acc;
    struct eng_agent_state s;
    if (channel_account_get(db, eng_channel_name(ix->channel), ix->account_id, &acc) ||
        !acc.disposition_pause[0] || eng_agent_state(a->eng, agent, &s) || !s.paused)
        return;
    int64_t others = 0;
    bool same = false;
    struct db_stmt *st = NULL;
    if (!db_prepare(db,
                    "SELECT COUNT(*) FROM report_agent_pauses WHERE staff_id = ? AND "
                    "unpaused_at IS NULL AND reason = ?",
                    &st) &&
        !db_bind_all(st, "it", agent, acc.disposition_pause) && db_step(st) == DB_ROW)
        same = db_col_int64(st, 0) > 0;
    db_finalize(st);
    db_query_int64(db,
                   "SELECT COUNT(*) FROM interactions WHERE owner_id = ? AND status = 'open' AND "
                   "route_phase = 'disposing' AND id <> ?",
                   &others, 2, agent, ix->id);
    if (!same || others)
        return;
    int e = report_pause_end(db, agent, now);
    if (e && e != SB_ENOTFOUND)
        log_warn("acd: disposition pause of agent %lld not ended (%d)", (long long)agent, e);
    else
        eng_agent_unpause(a->eng, agent, now);
}

/* ACD_DISPOSE: the interaction enters its disposing phase (kept in route_phase, so a restart
 * keeps it); an account with a mandatory disposition and a disposition pause pauses the agent
 * with that reason, unless it is already paused. */
static int dispose(struct acd *a, struct db *db, struct acd_req *req, int64_t now)
{
    struct acd_ix *ix;
    int st = owned(a, db, req, &ix);
    if (st || ix->phase == PH_DISPOSING)
        return st;
    ix->phase = PH_DISPOSING;
    req->err = acd_ix_save(db, ix, now);
    struct channel_account acc;
    struct eng_agent_state s;
    if (req->err || channel_account_get(db, eng_channel_name(ix->channel), ix->account_id, &acc) ||
        !acc.mandatory_disposition || !acc.disposition_pause[0] ||
        eng_agent_state(a->eng, req->agent, &s) || s.paused)
        return ACD_OK;
    req->err = do_pause(a, db, req->agent, acc.disposition_pause, now);
    return ACD_OK;
}

/* ACD_CLAIM (see acd.h). */
static int claim(struct acd *a, struct db *db, struct acd_req *req, int64_t now)
{
    if (!eng_map_get(&a->agents, req->agent))
        return ACD_NOT_FOUND;
    struct db_stmt *st = NULL;
    int status = ACD_NOT_FOUND, ch = -1;
    int64_t account = 0, owner = 0;
    int r = db_prepare(db,
                       "SELECT status, account_id, channel, COALESCE(owner_id, 0) FROM "
                       "interactions WHERE id = ?",
                       &st);
    if (!r)
        r = db_bind_int64(st, 1, req->interaction);
    if (!r && (r = db_step(st)) == DB_ROW) {
        r = 0;
        account = db_col_int64(st, 1);
        ch = eng_channel_parse(db_col_text(st, 2));
        owner = db_col_int64(st, 3);
        status = strcmp(db_col_text(st, 0), "open") ? ACD_CLOSED : ACD_OK;
    }
    db_finalize(st);
    if (r < 0) {
        req->err = r;
        return ACD_OK;
    }
    if (status || ch < 0)
        return status ? status : ACD_NOT_FOUND;
    struct acd_ix *ix = acd_ix_find(a, req->interaction);
    if (ix && ix->state == IX_ASSIGNED)
        return ix->owner == req->agent ? ACD_OK : ACD_TAKEN;
    if (!ix && owner && owner != req->agent)
        return ACD_TAKEN;
    if (ix && (ix->state == IX_QUEUED || ix->state == IX_AGENT)) {
        /* It leaves its queue (report: timeout) without the flow moving on: on_left only
         * moves waiting interactions. */
        ix->state = IX_ASSIGNED;
        eng_dequeue(a->eng, ix->id, ENG_LEFT_TIMEOUT, now);
    }
    if (!ix)
        ix = acd_ix_get(a, req->interaction);
    if (!ix) {
        req->err = SB_ENOMEM;
        return ACD_OK;
    }
    acd_ix_set_timer(a, ix, 0);
    ix->account_id = account;
    ix->channel = ch;
    ix->state = IX_ASSIGNED;
    ix->phase = PH_ACTION;
    ix->position = 0;
    ix->owner = req->agent;
    ix->last_owner = req->agent;
    ix->return_to = 0;
    ix->engine_queue = 0;
    ix->target = 0;
    r = eng_agent_restore_assigned(a->eng, req->agent, ix->id, ch, now);
    if (r) {
        log_warn("acd: claimed interaction %lld not assigned in memory (%d)", (long long)ix->id, r);
        acd_ix_forget(a, ix);
        req->err = r;
        return ACD_OK;
    }
    req->err = acd_ix_save(db, ix, now);
    if (!req->err)
        acd_announce_assigned(a, db, req->agent, req->interaction);
    return ACD_OK;
}

static int release(struct acd *a, struct db *db, struct acd_req *req, int64_t now)
{
    struct acd_ix *ix;
    int st = owned(a, db, req, &ix);
    if (st)
        return st;
    dispose_end(a, db, ix, req->agent, now);
    eng_close(a->eng, req->agent, ix->id, now);
    ix->state = IX_IDLE;
    ix->owner = 0;
    ix->last_owner = req->agent;
    req->err = acd_ix_save(db, ix, now);
    return ACD_OK;
}

/* The disposition rules of the interaction's account and queue (interactions/
 * dispositions.h): a given one must apply to it; none is refused when the account makes it
 * mandatory. */
static int check_disposition(struct db *db, struct acd_req *req, const struct acd_ix *ix)
{
    const char *ch = eng_channel_name(ix->channel);
    bool ok = false;
    if (req->text[0]) {
        req->err = disposition_allowed(db, ch, ix->account_id, ix->last_queue, req->text, &ok);
        return req->err || ok ? ACD_OK : ACD_DISPOSITION_INVALID;
    }
    req->err = disposition_required(db, ch, ix->account_id, &ok, NULL);
    return req->err || !ok ? ACD_OK : ACD_DISPOSITION_REQUIRED;
}

static int close_ix(struct acd *a, struct db *db, struct acd_req *req, int64_t now)
{
    struct acd_ix *ix;
    int st = owned(a, db, req, &ix);
    if (st)
        return st;
    st = check_disposition(db, req, ix);
    if (st || req->err)
        return st;
    req->err = interaction_close(db, ix->id, req->text[0] ? req->text : NULL, now);
    if (req->err)
        return ACD_OK;
    dispose_end(a, db, ix, req->agent, now);
    eng_close(a->eng, req->agent, ix->id, now);
    acd_ix_forget(a, ix);
    acd_publish(a, "role:admin", "interaction.closed",
                json_pack("{s:I, s:I}", "id", (json_int_t)req->interaction, "agent_id",
                          (json_int_t)req->agent));
    return ACD_OK;
}

static int transfer(struct acd *a, struct db *db, struct acd_req *req, int64_t now)
{
    struct acd_ix *ix;
    int st = owned(a, db, req, &ix);
    if (st)
        return st;
    struct channel_account acc;
    if (channel_account_get(db, eng_channel_name(ix->channel), ix->account_id, &acc) ||
        !acc.transfer_enabled)
        return ACD_TRANSFER_OFF;
    int64_t q;
    if (req->to_queue) {
        void *ch = eng_map_get(&a->queues, req->target);
        if (!ch || (intptr_t)ch - 2 != ix->channel)
            return ACD_TARGET_INVALID;
        q = req->target;
    } else {
        struct eng_agent_state s;
        if (req->target == req->agent || eng_agent_state(a->eng, req->target, &s) ||
            !s.logged_in[ix->channel] || acd_agent_queue(a, req->target, ix->channel, now))
            return ACD_TARGET_INVALID;
        q = ACD_AGENT_QUEUE(req->target, ix->channel);
    }
    dispose_end(a, db, ix, req->agent, now);
    eng_close(a->eng, req->agent, ix->id, now);
    ix->owner = 0;
    ix->return_to = req->agent;
    ix->phase = PH_TRANSFER;
    if (!acd_wait_in(a, db, ix, q, now + (int64_t)acc.transfer_timeout * 1000, now))
        acd_step_over(a, db, ix, now); /* straight back to the agent */
    return ACD_OK;
}

static int reopen(struct acd *a, struct db *db, struct acd_req *req, int64_t now)
{
    struct db_stmt *st = NULL;
    int status = ACD_NOT_FOUND;
    int64_t account = 0;
    int ch = -1;
    int r = db_prepare(db,
                       "SELECT status, account_id, channel, owner_id, last_owner_id FROM "
                       "interactions WHERE id = ?",
                       &st);
    if (!r)
        r = db_bind_int64(st, 1, req->interaction);
    if (!r && db_step(st) == DB_ROW) {
        account = db_col_int64(st, 1);
        ch = eng_channel_parse(db_col_text(st, 2));
        if (strcmp(db_col_text(st, 0), "closed"))
            status = ACD_NOT_CLOSED;
        else if (db_col_int64(st, 3) != req->agent && db_col_int64(st, 4) != req->agent)
            status = ACD_NOT_OWNER;
        else
            status = ACD_OK;
    }
    db_finalize(st);
    if (status || ch < 0)
        return status ? status : ACD_NOT_FOUND;
    /* The contact may have started a new interaction since: the unique index refuses a second
     * open one (SB_ECONFLICT). */
    req->err = db_execf(db, NULL,
                        "UPDATE interactions SET status = 'open', closed_at = NULL, owner_id = ?, "
                        "last_owner_id = ?, route_state = 'assigned', route_phase = 'action', "
                        "updated_at = ? WHERE id = ? AND status = 'closed'",
                        "iiii", req->agent, req->agent, now, req->interaction);
    if (req->err)
        return ACD_OK;
    struct acd_ix *ix = acd_ix_get(a, req->interaction);
    if (!ix || eng_agent_restore_assigned(a->eng, req->agent, req->interaction, ch, now)) {
        log_warn("acd: reopened interaction %lld not assigned in memory",
                 (long long)req->interaction);
        return ACD_OK;
    }
    ix->account_id = account;
    ix->channel = ch;
    ix->state = IX_ASSIGNED;
    ix->owner = req->agent;
    ix->last_owner = req->agent;
    return ACD_OK;
}

static void realtime(struct acd *a, struct acd_req *req)
{
    json_t *queues = json_array();
    size_t pos = 0;
    int64_t k;
    void *v;
    while (eng_map_next(&a->queues, &pos, &k, &v)) {
        size_t waiting, offers, members, available;
        if (eng_queue_counts(a->eng, k, &waiting, &offers, &members, &available))
            continue;
        json_array_append_new(
            queues, json_pack("{s:I, s:s, s:I, s:I, s:I, s:I}", "queue_id", (json_int_t)k,
                              "channel", eng_channel_name((int)((intptr_t)v - 2)), "waiting",
                              (json_int_t)waiting, "offered", (json_int_t)offers, "members",
                              (json_int_t)members, "available", (json_int_t)available));
    }
    json_t *agents = json_array();
    pos = 0;
    while (eng_map_next(&a->agents, &pos, &k, &v)) {
        struct eng_agent_state s;
        if (eng_agent_state(a->eng, k, &s))
            continue;
        json_t *logged = json_array();
        for (int ch = 0; ch < ENG_CH_COUNT; ch++)
            if (s.logged_in[ch])
                json_array_append_new(logged, json_string(eng_channel_name(ch)));
        json_array_append_new(agents,
                              json_pack("{s:I, s:o, s:b, s:i, s:i}", "agent_id", (json_int_t)k,
                                        "logged_in", logged, "paused", s.paused, "open_tabs",
                                        s.open_tabs, "offers", s.offers));
    }
    req->out = json_pack("{s:o, s:o}", "queues", queues, "agents", agents);
}

static void offers(struct acd *a, struct db *db, struct acd_req *req)
{
    json_t *items = json_array();
    const struct acd_offers *o = eng_map_get(&a->offers, req->agent);
    for (size_t i = 0; o && i < o->n; i++) {
        json_t *sum = acd_ix_summary(db, o->ix[i]);
        if (!sum)
            continue;
        char t[32];
        json_object_set_new(sum, "offer_queue_id",
                            ACD_IS_AGENT_QUEUE(o->queue[i]) ? json_null()
                                                            : json_integer(o->queue[i]));
        json_object_set_new(sum, "offer_deadline",
                            o->deadline[i] == INT64_MAX
                                ? json_null()
                                : json_string(clock_iso8601(o->deadline[i], t)));
        json_array_append_new(items, sum);
    }
    req->out = json_pack("{s:o}", "items", items);
}

void acd_handle(struct acd *a, struct db *db, struct acd_req *req, int64_t now)
{
    /* An agent created since the last reload (its creation commits on a job worker, after
     * the reload the request posted): read the configuration again once. */
    if (req->agent > 0 && !eng_map_get(&a->agents, req->agent) && req->op != ACD_REALTIME &&
        now - a->last_miss_reload >= 1000) {
        /* At most once a second: an account that is no agent cannot make it reload at will. */
        a->last_miss_reload = now;
        acd_reload(a, db, now);
    }
    int st = ACD_OK;
    bool state_changed = false;
    switch (req->op) {
    case ACD_LOGIN:
        st = login(a, db, req, now);
        state_changed = true;
        break;
    case ACD_LOGOUT:
        st = logout(a, db, req, now);
        state_changed = true;
        break;
    case ACD_PAUSE:
        if (!eng_map_get(&a->agents, req->agent))
            st = ACD_NOT_FOUND;
        else
            req->err = do_pause(a, db, req->agent, req->text[0] ? req->text : NULL, now);
        state_changed = true;
        break;
    case ACD_UNPAUSE: {
        struct eng_agent_state s;
        if (eng_agent_state(a->eng, req->agent, &s)) {
            st = ACD_NOT_FOUND;
            break;
        }
        int e = s.paused ? report_pause_end(db, req->agent, now) : 0;
        if (e && e != SB_ENOTFOUND)
            req->err = e;
        if (!req->err)
            eng_agent_unpause(a->eng, req->agent, now);
        state_changed = true;
        break;
    }
    case ACD_STATE:
        st = eng_map_get(&a->agents, req->agent) ? ACD_OK : ACD_NOT_FOUND;
        break;
    case ACD_ACCEPT:
        st = accept(a, req, now);
        break;
    case ACD_REJECT:
        st = eng_reject(a->eng, req->agent, req->interaction, now) ? ACD_NOT_OFFERED : ACD_OK;
        break;
    case ACD_RELEASE:
        st = release(a, db, req, now);
        state_changed = true;
        break;
    case ACD_CLOSE:
        st = close_ix(a, db, req, now);
        state_changed = true;
        break;
    case ACD_TRANSFER:
        st = transfer(a, db, req, now);
        state_changed = true;
        break;
    case ACD_REOPEN:
        st = reopen(a, db, req, now);
        state_changed = true;
        break;
    case ACD_CLAIM:
        st = claim(a, db, req, now);
        state_changed = true;
        break;
    case ACD_DISPOSE:
        st = dispose(a, db, req, now);
        state_changed = true;
        break;
    case ACD_REALTIME:
        realtime(a, req);
        break;
    case ACD_OFFERS:
        offers(a, db, req);
        break;
    default:
        req->err = SB_EINVAL;
        break;
    }
    req->status = st;
    acd_drain(a, db);
    if (st == ACD_OK && !req->err && req->op != ACD_REALTIME && req->op != ACD_OFFERS) {
        if (state_changed)
            acd_publish_agent_state(a, req->agent);
        if (req->op == ACD_STATE || req->op == ACD_LOGIN || req->op == ACD_LOGOUT ||
            req->op == ACD_PAUSE || req->op == ACD_UNPAUSE)
            state_json(a, db, req->agent, req);
        else if (req->interaction)
            req->out = acd_ix_summary(db, req->interaction);
    }
}
