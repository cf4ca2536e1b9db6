/* flow_store.c — action flows in the database (tables flows and flow_actions, migration
 * 0015): load, atomic replace, version, and the existence checks of what a flow names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "db/db.h"
#include "routing/flow.h"

int flow_account_exists(struct db *db, const char *channel, int64_t account_id, bool *exists)
{
    (void)db;
    /* HOOK: replace with a look-up in the channel's account table (sms_accounts, …) when the
     * channels land. Until then any positive id is an account. */
    *exists = flow_channel_valid(channel) && account_id > 0;
    return 0;
}

int flow_version(struct db *db, const char *channel, int64_t account_id, int64_t *version)
{
    *version = 0;
    struct db_stmt *st;
    int r = db_prepare(db, "SELECT version FROM flows WHERE channel = ? AND account_id = ?", &st);
    if (!r)
        r = db_bind_text(st, 1, channel, -1);
    if (!r)
        r = db_bind_int64(st, 2, account_id);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW)
        *version = db_col_int64(st, 0);
    db_finalize(st);
    return r < 0 ? r : 0;
}

int flow_load(struct db *db, const char *channel, int64_t account_id, struct flow **out,
              int64_t *version)
{
    *out = NULL;
    if (!flow_channel_valid(channel))
        return SB_EINVAL;
    int64_t v = 0;
    json_t *list = json_array();
    if (!list)
        return SB_ENOMEM;
    struct db_stmt *st = NULL;
    /* The version first, then the actions in one statement (one snapshot): a save in between
     * leaves a version older than the actions read, so the caller reloads once more, never
     * keeps stale actions under a new version. */
    int r = flow_version(db, channel, account_id, &v);
    if (!r)
        r = db_prepare(db,
                       "SELECT application, data, interval_id FROM flow_actions WHERE channel = "
                       "? AND account_id = ? ORDER BY position LIMIT 1000",
                       &st);
    if (!r)
        r = db_bind_text(st, 1, channel, -1);
    if (!r)
        r = db_bind_int64(st, 2, account_id);
    while (!r && (r = db_step(st)) == DB_ROW) {
        json_t *o = json_loads(db_col_text(st, 1), JSON_REJECT_DUPLICATES, NULL);
        r = json_is_object(o) ? 0 : SB_EINTERNAL;
        if (!r && (json_object_set_new(o, "application", json_string(db_col_text(st, 0))) ||
                   json_object_set_new(o, "interval_id",
                                       db_col_is_null(st, 2) ? json_null()
                                                             : json_integer(db_col_int64(st, 2)))))
            r = SB_ENOMEM;
        if (!r && json_array_append(list, o))
            r = SB_ENOMEM;
        json_decref(o);
    }
    db_finalize(st);
    json_t *errors = NULL;
    if (!r) {
        r = flow_parse(list, channel, out, &errors);
        if (r == SB_EINVALID)
            r = SB_EINTERNAL; /* stored flows were validated when saved */
    }
    json_decref(errors);
    json_decref(list);
    if (!r && version)
        *version = v;
    return r;
}

int flow_save(struct db *db, const char *channel, int64_t account_id, const struct flow *f,
              int64_t now_ms, int64_t *version)
{
    if (!flow_channel_valid(channel) || strcmp(channel, f->channel))
        return SB_EINVAL;
    json_t *actions = flow_actions_json(f);
    if (!actions)
        return SB_ENOMEM;
    int r = db_begin(db);
    if (r) {
        json_decref(actions);
        return r;
    }
    /* The upsert locks the account's row first: concurrent saves wait for each other. */
    struct db_stmt *st = NULL;
    int64_t v = 0;
    r = db_prepare(db,
                   "INSERT INTO flows(channel, account_id, version, updated_at) VALUES(?, ?, 1, ?) "
                   "ON CONFLICT (channel, account_id) DO UPDATE SET version = flows.version + 1, "
                   "updated_at = excluded.updated_at RETURNING version",
                   &st);
    if (!r)
        r = db_bind_all(st, "tii", channel, account_id, now_ms);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        v = db_col_int64(st, 0);
        r = 0;
    } else if (r == DB_DONE) {
        r = SB_EINTERNAL;
    }
    db_finalize(st);
    if (!r)
        r = db_execf(db, NULL, "DELETE FROM flow_actions WHERE channel = ? AND account_id = ?",
                     "ti", channel, account_id);
    for (size_t i = 0; !r && i < f->n; i++) {
        json_t *o = json_array_get(actions, i);
        json_t *data = json_deep_copy(o);
        json_object_del(data, "application");
        json_object_del(data, "interval_id");
        char *text = data ? json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        json_decref(data);
        if (!text) {
            r = SB_ENOMEM;
            break;
        }
        r = db_prepare(db,
                       "INSERT INTO flow_actions(channel, account_id, position, application, "
                       "data, interval_id) VALUES(?, ?, ?, ?, ?, ?)",
                       &st);
        if (!r)
            r = db_bind_all(st, "tiitt", channel, account_id, (int64_t)i + 1,
                            json_string_value(json_object_get(o, "application")), text);
        if (!r)
            r = f->actions[i].interval_id ? db_bind_int64(st, 6, f->actions[i].interval_id)
                                          : db_bind_null(st, 6);
        if (!r)
            r = db_step(st);
        db_finalize(st);
        free(text);
        /* An interval deleted since the caller checked it: the foreign key refuses it. */
        if (r == SB_EINVAL)
            r = SB_ECONFLICT;
    }
    if (!r)
        r = db_commit(db);
    if (r)
        db_rollback(db);
    json_decref(actions);
    if (!r && version)
        *version = v;
    return r;
}

static void ref_err(json_t *errors, size_t i, const char *key, const char *msg)
{
    char field[64];
    snprintf(field, sizeof(field), "actions[%zu].%s", i, key);
    json_array_append_new(errors, json_pack("{s:s, s:s}", "field", field, "message", msg));
}

int flow_check_refs(struct db *db, const struct flow *f, json_t **errors)
{
    *errors = json_array();
    if (!*errors)
        return SB_ENOMEM;
    int r = 0;
    for (size_t i = 0; !r && i < f->n; i++) {
        const struct flow_action *a = &f->actions[i];
        int64_t n = 0;
        if (a->interval_id) {
            r = db_query_int64(db, "SELECT COUNT(*) FROM intervals WHERE id = ?", &n, 1,
                               a->interval_id);
            if (!r && !n)
                ref_err(*errors, i, "interval_id", "no such interval");
        }
        if (!r && a->app == FLOW_APP_AGENT) {
            r = db_query_int64(db,
                               "SELECT COUNT(*) FROM agents g JOIN staff s ON s.id = g.staff_id "
                               "WHERE s.id = ? AND s.deleted_at IS NULL",
                               &n, 1, a->agent_id);
            if (!r && !n)
                ref_err(*errors, i, "agent_id", "no such agent");
        }
        if (!r && a->app == FLOW_APP_QUEUE) {
            struct db_stmt *st;
            r = db_prepare(db, "SELECT channel FROM queues WHERE id = ?", &st);
            if (!r)
                r = db_bind_int64(st, 1, a->queue_id);
            if (!r)
                r = db_step(st);
            if (r == DB_DONE) {
                ref_err(*errors, i, "queue_id", "no such queue");
            } else if (r == DB_ROW && strcmp(db_col_text(st, 0), f->channel)) {
                char msg[96];
                snprintf(msg, sizeof(msg), "is a %.16s queue; this flow is for %.16s",
                         db_col_text(st, 0), f->channel);
                ref_err(*errors, i, "queue_id", msg);
            }
            db_finalize(st);
            r = r < 0 ? r : 0;
        }
    }
    if (r) {
        json_decref(*errors);
        *errors = NULL;
        return r;
    }
    if (json_array_size(*errors))
        return SB_EINVALID;
    json_decref(*errors);
    *errors = NULL;
    return 0;
}
