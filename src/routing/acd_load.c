/* acd_load.c — the ACD's view of the configuration (agents' channel settings, queues and their
 * effective members, the tab limit) and the rebuild of the routing state from the database. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/settings.h"
#include "core/err.h"
#include "core/log.h"
#include "db/db.h"
#include "routing/acd_impl.h"

/* The agent settings' prefix of each engine channel (staff/agent_fields.c). */
static const char *const setting_prefix[ENG_CH_COUNT] = {"chat",        "mail", "sms",
                                                         "openchannel", "fax",  "whatsapp"};

static int json_int(const json_t *o, const char *k, int def)
{
    const json_t *v = json_object_get(o, k);
    return json_is_integer(v) ? (int)json_integer_value(v) : def;
}

static void agent_spec(int64_t id, const char *settings_text, struct eng_agent_spec *spec)
{
    memset(spec, 0, sizeof(*spec));
    spec->id = id;
    json_t *s = settings_text ? json_loads(settings_text, 0, NULL) : NULL;
    int delay = json_int(s, "channel_auto_answer_delay", 0);
    for (int ch = 0; ch < ENG_CH_COUNT; ch++) {
        char key[48];
        snprintf(key, sizeof(key), "%s_capacity", setting_prefix[ch]);
        spec->ch[ch].capacity = json_int(s, key, 0);
        snprintf(key, sizeof(key), "%s_auto_answer", setting_prefix[ch]);
        spec->ch[ch].auto_answer = json_is_true(json_object_get(s, key));
        spec->ch[ch].auto_answer_delay = delay;
    }
    json_decref(s);
}

/* Marks every key of `m` with value `v`. */
static void mark_all(struct eng_map *m, void *v)
{
    size_t pos = 0;
    int64_t k;
    void *old;
    while (eng_map_next(m, &pos, &k, &old))
        eng_map_put(m, k, v);
}

/* Removes the entries of `m` still marked (void *)1 (not seen by the load that just ran),
 * telling the engine through `drop` first. Restarts the scan after each deletion, since a
 * deletion shifts entries; stale entries are few (what was deleted since the last load). */
static void sweep_unseen(struct acd *a, struct eng_map *m, int64_t now,
                         void (*drop)(struct acd *a, int64_t key, int64_t now))
{
    size_t pos = 0;
    int64_t k;
    void *v;
    while (eng_map_next(m, &pos, &k, &v)) {
        if (v != (void *)1)
            continue;
        drop(a, k, now);
        eng_map_del(m, k);
        pos = 0;
    }
}

static void drop_agent(struct acd *a, int64_t id, int64_t now)
{
    eng_agent_remove(a->eng, id, now);
}

static void drop_queue(struct acd *a, int64_t id, int64_t now)
{
    eng_queue_remove(a->eng, id, now);
}

static void drop_group(struct acd *a, int64_t id, int64_t now)
{
    eng_group_set(a->eng, id, NULL, 0, now); /* its account is gone: nobody */
}

static int load_agents(struct acd *a, struct db *db, int64_t now)
{
    /* Seen agents get (void *)2; whoever keeps (void *)1 is gone. */
    mark_all(&a->agents, (void *)1);
    struct db_stmt *st = NULL;
    int r = db_prepare(db,
                       "SELECT s.id, g.settings FROM staff s JOIN agents g ON g.staff_id = s.id "
                       "WHERE s.deleted_at IS NULL",
                       &st);
    while (!r && (r = db_step(st)) == DB_ROW) {
        struct eng_agent_spec spec;
        agent_spec(db_col_int64(st, 0), db_col_text(st, 1), &spec);
        int e = eng_agent_upsert(a->eng, &spec, now);
        if (e == SB_EINVAL) { /* out-of-range stored value: route it with defaults */
            agent_spec(spec.id, NULL, &spec);
            e = eng_agent_upsert(a->eng, &spec, now);
        }
        if (e) {
            log_warn("acd: agent %lld not loaded (%d)", (long long)spec.id, e);
            continue;
        }
        eng_map_put(&a->agents, spec.id, (void *)2);
        r = 0;
    }
    db_finalize(st);
    if (r < 0)
        return r;
    sweep_unseen(a, &a->agents, now, drop_agent);
    return 0;
}

/* Collects the effective members of queue `qid` into *ids (grown with realloc). */
static int queue_members(struct db *db, int64_t qid, int64_t **ids, size_t *n, size_t *cap)
{
    *n = 0;
    struct db_stmt *st = NULL;
    int r = db_prepare(db,
                       "SELECT DISTINCT m.staff_id FROM queue_members_effective m "
                       "JOIN staff s ON s.id = m.staff_id WHERE m.queue_id = ? AND "
                       "s.deleted_at IS NULL AND s.role = 'agent'",
                       &st);
    if (!r)
        r = db_bind_int64(st, 1, qid);
    while (!r && (r = db_step(st)) == DB_ROW) {
        if (*n == *cap) {
            size_t nc = *cap ? *cap * 2 : 64;
            int64_t *grown = realloc(*ids, nc * sizeof(**ids));
            if (!grown) {
                r = SB_ENOMEM;
                break;
            }
            *ids = grown;
            *cap = nc;
        }
        (*ids)[(*n)++] = db_col_int64(st, 0);
        r = 0;
    }
    db_finalize(st);
    return r < 0 ? r : 0;
}

static int load_queues(struct acd *a, struct db *db, int64_t now)
{
    mark_all(&a->queues, (void *)1);
    struct db_stmt *st = NULL;
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    struct db *mdb = db;
    int r = db_prepare(db,
                       "SELECT id, channel, strategy, agent_timeout, weight FROM queues WHERE "
                       "channel <> 'voice' ORDER BY id",
                       &st);
    /* Members are read after the list (one statement at a time per connection on PG). */
    struct eng_queue_spec *specs = NULL;
    size_t nq = 0, capq = 0;
    while (!r && (r = db_step(st)) == DB_ROW) {
        if (nq == capq) {
            size_t nc = capq ? capq * 2 : 32;
            struct eng_queue_spec *g = realloc(specs, nc * sizeof(*specs));
            if (!g) {
                r = SB_ENOMEM;
                break;
            }
            specs = g;
            capq = nc;
        }
        struct eng_queue_spec *q = &specs[nq++];
        q->id = db_col_int64(st, 0);
        q->channel = eng_channel_parse(db_col_text(st, 1));
        q->strategy = eng_strategy_parse(db_col_text(st, 2));
        q->agent_timeout = (int)db_col_int64(st, 3);
        q->weight = (int)db_col_int64(st, 4);
        r = 0;
    }
    db_finalize(st);
    for (size_t i = 0; r >= 0 && i < nq; i++) {
        struct eng_queue_spec *q = &specs[i];
        if (q->strategy < 0)
            q->strategy = ENG_BEEPALL;
        void *known = eng_map_get(&a->queues, q->id);
        if (known && (intptr_t)known != 1 && (intptr_t)known - 2 != q->channel)
            continue;
        if (q->channel < 0 || eng_queue_upsert(a->eng, q, now))
            continue;
        if (queue_members(mdb, q->id, &ids, &n, &cap) < 0)
            continue;
        /* Members the engine does not know (not loaded) are left out. */
        size_t k = 0;
        for (size_t j = 0; j < n; j++)
            if (eng_map_get(&a->agents, ids[j]))
                ids[k++] = ids[j];
        if (eng_queue_set_members(a->eng, q->id, ids, k, now))
            log_warn("acd: members of queue %lld not set", (long long)q->id);
        eng_map_put(&a->queues, q->id, (void *)(intptr_t)(q->channel + 2));
    }
    free(specs);
    free(ids);
    if (r < 0)
        return r;
    sweep_unseen(a, &a->queues, now, drop_queue);
    return 0;
}

void acd_ids_map_clear(struct eng_map *m)
{
    size_t pos = 0;
    int64_t k;
    void *v;
    while (eng_map_next(m, &pos, &k, &v))
        free(v);
    eng_map_cleanup(m);
}

static int ids_add(struct eng_map *m, int64_t key, int64_t id)
{
    struct acd_ids *l = eng_map_get(m, key);
    if (l && l->n == l->cap) {
        struct acd_ids *g = realloc(l, sizeof(*l) + l->cap * 2 * sizeof(int64_t));
        if (!g)
            return SB_ENOMEM;
        g->cap *= 2;
        l = g;
        eng_map_put(m, key, l);
    }
    if (!l) {
        l = malloc(sizeof(*l) + 4 * sizeof(int64_t));
        if (!l)
            return SB_ENOMEM;
        l->n = 0;
        l->cap = 4;
        if (eng_map_put(m, key, l)) {
            free(l);
            return SB_ENOMEM;
        }
    }
    l->id[l->n++] = id;
    return 0;
}

/* Fills `m` with key -> profiles from the (key, profile) rows of `sql`. */
static int load_pairs(struct db *db, struct eng_map *m, const char *sql)
{
    acd_ids_map_clear(m);
    struct db_stmt *st = NULL;
    int r = db_prepare(db, sql, &st);
    while (!r && (r = db_step(st)) == DB_ROW)
        r = ids_add(m, db_col_int64(st, 0), db_col_int64(st, 1));
    db_finalize(st);
    return r < 0 ? r : 0;
}

/* Which supervisors' profiles see which queue and which agent (the realtime topics). */
static int load_profiles(struct acd *a, struct db *db)
{
    int r = load_pairs(db, &a->queue_profiles,
                       "SELECT DISTINCT resource_id, profile_id FROM profile_resources WHERE "
                       "kind = 'queue'");
    if (!r)
        r = load_pairs(db, &a->agent_profiles,
                       "SELECT DISTINCT e.staff_id, r.profile_id FROM queue_members_effective e "
                       "JOIN profile_resources r ON r.kind = 'queue' AND r.resource_id = "
                       "e.queue_id");
    return r;
}

/* The agents of every SMS and Open Channel account, as engine groups (ACD_GROUP). A group
 * whose account is gone is emptied. O(accounts + their agents). */
static int load_groups(struct acd *a, struct db *db, int64_t now)
{
    static const struct {
        int ch;
        const char *sql;
    } src[] = {
        {ENG_CH_SMS, "SELECT a.id, g.staff_id FROM sms_accounts a LEFT JOIN sms_account_agents g "
                     "ON g.account_id = a.id ORDER BY a.id"},
        {ENG_CH_OPENCHANNEL, "SELECT a.id, g.staff_id FROM openchannel_accounts a LEFT JOIN "
                             "openchannel_account_agents g ON g.account_id = a.id ORDER BY a.id"},
    };
    mark_all(&a->groups, (void *)1);
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    int r = 0;
    for (size_t k = 0; !r && k < sizeof(src) / sizeof(*src); k++) {
        struct db_stmt *st = NULL;
        int64_t cur = 0;
        r = db_prepare(db, src[k].sql, &st);
        for (;;) {
            int s = r ? r : db_step(st);
            int64_t acc = s == DB_ROW ? db_col_int64(st, 0) : 0;
            if (cur && acc != cur) { /* the previous account is complete */
                int64_t g = ACD_GROUP(src[k].ch, cur);
                if (eng_group_set(a->eng, g, ids, n, now) || eng_map_put(&a->groups, g, (void *)2))
                    log_warn("acd: agents of account %lld not set", (long long)cur);
                n = 0;
            }
            if (s != DB_ROW) {
                r = s < 0 ? s : 0;
                break;
            }
            cur = acc;
            if (db_col_is_null(st, 1))
                continue;
            if (n == cap) {
                size_t nc = cap ? cap * 2 : 64;
                int64_t *grown = realloc(ids, nc * sizeof(*ids));
                if (!grown) {
                    r = SB_ENOMEM;
                    break;
                }
                ids = grown;
                cap = nc;
            }
            ids[n++] = db_col_int64(st, 1);
        }
        db_finalize(st);
    }
    free(ids);
    if (r < 0)
        return r;
    sweep_unseen(a, &a->groups, now, drop_group);
    return 0;
}

int acd_reload(struct acd *a, struct db *db, int64_t now)
{
    int tabs = (int)settings_get_int("general.interaction_tabs_limit");
    if (tabs >= 1)
        eng_set_max_tabs(a->eng, tabs, now);
    int r = load_agents(a, db, now);
    if (!r)
        r = load_groups(a, db, now);
    if (!r)
        r = load_queues(a, db, now);
    if (!r)
        r = load_profiles(a, db);
    if (r)
        log_warn("acd: configuration reload failed (%d)", r);
    return r;
}

/* Logged-in channels and pauses: the open session and pause rows. */
static int restore_agent_states(struct acd *a, struct db *db, int64_t now)
{
    struct db_stmt *st = NULL;
    int r = db_prepare(
        db, "SELECT staff_id, channel FROM report_agent_sessions WHERE logout_at IS NULL", &st);
    while (!r && (r = db_step(st)) == DB_ROW) {
        int ch = eng_channel_parse(db_col_text(st, 1));
        if (ch >= 0)
            eng_agent_login(a->eng, db_col_int64(st, 0), ch, now);
        r = 0;
    }
    db_finalize(st);
    if (r < 0)
        return r;
    st = NULL;
    r = db_prepare(db, "SELECT staff_id, reason FROM report_agent_pauses WHERE unpaused_at IS NULL",
                   &st);
    while (!r && (r = db_step(st)) == DB_ROW) {
        eng_agent_pause(a->eng, db_col_int64(st, 0), db_col_text(st, 1), now);
        r = 0;
    }
    db_finalize(st);
    return r < 0 ? r : 0;
}

static const char *const state_names[] = {"flow", "queued", "agent", "assigned", "idle"};
static const char *const phase_names[] = {"action", "followup_agent", "followup_queue", "transfer",
                                          "disposing"};

static int name_index(const char *s, const char *const *names, int n)
{
    for (int i = 0; s && i < n; i++)
        if (!strcmp(s, names[i]))
            return i;
    return 0;
}

const char *acd_state_name(int state)
{
    return state >= 0 && state <= IX_IDLE ? state_names[state] : "flow";
}

const char *acd_phase_name(int phase)
{
    return phase >= 0 && phase <= PH_DISPOSING ? phase_names[phase] : "action";
}

/* Reads the open interactions to restore (all of them, or only state 'flow' ones the thread
 * does not know when `unknown_only`). */
static int read_open(struct acd *a, struct db *db, bool unknown_only, struct acd_ix **out,
                     size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    struct db_stmt *st = NULL;
    int r = db_prepare(
        db,
        unknown_only
            ? "SELECT id, account_id, channel, route_state, route_phase, route_position, "
              "route_target, route_deadline, owner_id, last_owner_id, route_return, queue_id "
              "FROM interactions WHERE status = 'open' AND route_state = 'flow' ORDER BY id"
            : "SELECT id, account_id, channel, route_state, route_phase, route_position, "
              "route_target, route_deadline, owner_id, last_owner_id, route_return, queue_id "
              "FROM interactions WHERE status = 'open' ORDER BY id",
        &st);
    while (!r && (r = db_step(st)) == DB_ROW) {
        r = 0;
        if (unknown_only && eng_map_get(&a->ix, db_col_int64(st, 0)))
            continue;
        if (*n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            struct acd_ix *g = realloc(*out, nc * sizeof(**out));
            if (!g) {
                r = SB_ENOMEM;
                break;
            }
            *out = g;
            cap = nc;
        }
        struct acd_ix *ix = &(*out)[(*n)++];
        memset(ix, 0, sizeof(*ix));
        ix->id = db_col_int64(st, 0);
        ix->account_id = db_col_int64(st, 1);
        ix->channel = eng_channel_parse(db_col_text(st, 2));
        ix->state = name_index(db_col_text(st, 3), state_names, IX_IDLE + 1);
        ix->phase = name_index(db_col_text(st, 4), phase_names, PH_DISPOSING + 1);
        ix->position = (int)db_col_int64(st, 5);
        ix->target = db_col_int64(st, 6);
        ix->deadline = db_col_is_null(st, 7) ? 0 : db_col_int64(st, 7);
        ix->owner = db_col_int64(st, 8);
        ix->last_owner = db_col_int64(st, 9);
        ix->return_to = db_col_int64(st, 10);
        ix->last_queue = db_col_int64(st, 11);
    }
    db_finalize(st);
    if (r < 0) {
        free(*out);
        *out = NULL;
        *n = 0;
        return r;
    }
    return 0;
}

/* Takes one restored interaction under the thread's care. */
static void adopt(struct acd *a, struct db *db, const struct acd_ix *row, int64_t now)
{
    if (row->channel < 0)
        return;
    struct acd_ix *ix = acd_ix_get(a, row->id);
    if (!ix)
        return;
    int64_t id = ix->id;
    struct eng_set_node timer = ix->timer;
    bool timed = ix->timed;
    *ix = *row;
    ix->timer = timer;
    ix->timed = timed;
    ix->id = id;
    switch (row->state) {
    case IX_ASSIGNED:
        if (!row->owner ||
            eng_agent_restore_assigned(a->eng, row->owner, row->id, row->channel, now)) {
            /* The owner is gone: the interaction is routed again. */
            ix->state = IX_FLOW;
            ix->position = 0;
            ix->owner = 0;
            acd_flow_run(a, db, ix, ACD_WHY_NEW_MESSAGE, now);
        }
        break;
    case IX_QUEUED:
    case IX_AGENT: {
        int64_t q = row->state == IX_QUEUED ? row->target
                                            : (acd_agent_queue(a, row->target, row->channel, now)
                                                   ? 0
                                                   : ACD_AGENT_QUEUE(row->target, row->channel));
        int64_t deadline = row->deadline ? row->deadline : now;
        ix->rejoin = !ACD_IS_AGENT_QUEUE(q);
        if (!q || !acd_wait_in(a, db, ix, q, deadline, now))
            acd_step_over(a, db, ix, now);
        break;
    }
    case IX_FLOW:
        /* Position 0: a run that has not started (a new interaction, or a new message); else
         * the run goes on where it was. */
        acd_flow_run(a, db, ix,
                     ix->position ? ACD_WHY_CONTINUE
                                  : (ix->last_owner || ix->last_queue ? ACD_WHY_NEW_MESSAGE
                                                                      : ACD_WHY_NEW_INTERACTION),
                     now);
        break;
    default: /* idle: waits for the next message */
        break;
    }
}

int acd_restore(struct acd *a, struct db *db, int64_t now)
{
    int r = acd_reload(a, db, now);
    if (!r)
        r = restore_agent_states(a, db, now);
    struct acd_ix *rows = NULL;
    size_t n = 0;
    if (!r)
        r = read_open(a, db, false, &rows, &n);
    if (r)
        return r;
    for (size_t i = 0; i < n; i++) {
        adopt(a, db, &rows[i], now);
        acd_drain(a, db);
    }
    free(rows);
    if (n)
        log_info("acd: %zu open interactions restored", n);
    return 0;
}

int acd_sweep_unknown(struct acd *a, struct db *db, int64_t now)
{
    struct acd_ix *rows = NULL;
    size_t n = 0;
    int r = read_open(a, db, true, &rows, &n);
    for (size_t i = 0; !r && i < n; i++) {
        adopt(a, db, &rows[i], now);
        acd_drain(a, db);
    }
    free(rows);
    return r;
}
