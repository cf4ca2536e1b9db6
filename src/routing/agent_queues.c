#include "routing/agent_queues.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "db/db.h"

/* Writes head, the scope condition ("" or " AND <column> <scope_sql>"), then tail into sql. */
static int scoped_sql(char *sql, size_t n, const char *head, const char *tail, const char *column,
                      const char *scope_sql)
{
    char cond[640] = "";
    if (scope_sql) {
        int c = snprintf(cond, sizeof(cond), " AND %s %s", column, scope_sql);
        if (c < 0 || (size_t)c >= sizeof(cond))
            return SB_EINTERNAL;
    }
    int len = snprintf(sql, n, "%s%s%s", head, cond, tail);
    return len < 0 || (size_t)len >= n ? SB_EINTERNAL : 0;
}

/* SB_ENOTFOUND unless `id` is a live agent. */
static int agent_live(struct db *db, int64_t id)
{
    int64_t n = 0;
    int r = db_query_int64(db,
                           "SELECT COUNT(*) FROM agents g JOIN staff s ON s.id = g.staff_id WHERE "
                           "s.id = ? AND s.deleted_at IS NULL",
                           &n, 1, id);
    return r ? r : n ? 0 : SB_ENOTFOUND;
}

int agent_queues_list(struct db *db, int64_t staff_id, const char *scope_sql, int64_t profile_id,
                      json_t **items)
{
    *items = NULL;
    char sql[1200];
    int r = scoped_sql(sql, sizeof(sql),
                       "SELECT q.id, q.channel, q.name, CASE WHEN EXISTS (SELECT 1 FROM "
                       "queue_members m WHERE m.queue_id = q.id AND m.staff_id = ?) THEN 1 ELSE 0 "
                       "END FROM queues q WHERE q.id IN (SELECT e.queue_id FROM "
                       "queue_members_effective e WHERE e.staff_id = ?)",
                       " ORDER BY q.channel, q.name, q.id", "q.id", scope_sql);
    struct db_stmt *st = NULL;
    if (!r)
        r = db_prepare(db, sql, &st);
    if (!r)
        r = scope_sql ? db_bind_all(st, "iii", staff_id, staff_id, profile_id)
                      : db_bind_all(st, "ii", staff_id, staff_id);
    json_t *out = json_array(), *by_id = json_object();
    if (!out || !by_id)
        r = r ? r : SB_ENOMEM;
    char key[24];
    while (!r && (r = db_step(st)) == DB_ROW) {
        json_t *teams = json_array();
        json_t *o = json_pack("{s:I, s:s, s:s, s:b, s:o}", "id", (json_int_t)db_col_int64(st, 0),
                              "channel", db_col_text(st, 1), "name", db_col_text(st, 2), "direct",
                              db_col_int64(st, 3) != 0, "teams", teams);
        snprintf(key, sizeof(key), "%lld", (long long)db_col_int64(st, 0));
        r = !o || json_object_set(by_id, key, teams) || json_array_append_new(out, o) ? SB_ENOMEM
                                                                                      : 0;
    }
    db_finalize(st);
    st = NULL;
    /* The teams through which the agent is in each queue listed. */
    if (r >= 0)
        r = db_prepare(db,
                       "SELECT qt.queue_id, t.name FROM team_members tm JOIN queue_teams qt ON "
                       "qt.team_id = tm.team_id JOIN teams t ON t.id = tm.team_id WHERE "
                       "tm.staff_id = ? ORDER BY t.name, t.id",
                       &st);
    if (!r)
        r = db_bind_int64(st, 1, staff_id);
    while (!r && (r = db_step(st)) == DB_ROW) {
        snprintf(key, sizeof(key), "%lld", (long long)db_col_int64(st, 0));
        json_t *teams = json_object_get(by_id, key); /* NULL: a queue outside the scope */
        r = teams && json_array_append_new(teams, json_string(db_col_text(st, 1))) ? SB_ENOMEM : 0;
    }
    db_finalize(st);
    json_decref(by_id);
    if (r < 0) {
        json_decref(out);
        return r;
    }
    *items = out;
    return 0;
}

static int add_direct(struct db *db, int64_t queue_id, int64_t staff_id, int64_t now_ms,
                      int64_t *changes)
{
    return db_execf(db, changes,
                    "INSERT INTO queue_members(queue_id, staff_id, added_at) VALUES(?, ?, ?) ON "
                    "CONFLICT (queue_id, staff_id) DO NOTHING",
                    "iii", queue_id, staff_id, now_ms);
}

int agent_queues_add(struct db *db, int64_t staff_id, const json_t *queue_ids,
                     const char *scope_sql, int64_t profile_id, int64_t now_ms, size_t *bad)
{
    *bad = 0;
    char sql[900];
    int r = scoped_sql(sql, sizeof(sql), "SELECT COUNT(*) FROM queues q WHERE q.id = ?", "", "q.id",
                       scope_sql);
    if (r)
        return r;
    r = db_begin(db);
    if (r)
        return r;
    r = agent_live(db, staff_id);
    size_t i;
    json_t *v;
    json_array_foreach((json_t *)queue_ids, i, v)
    {
        if (r)
            break;
        int64_t id = json_integer_value(v), found = 0;
        r = scope_sql ? db_query_int64(db, sql, &found, 2, id, profile_id)
                      : db_query_int64(db, sql, &found, 1, id);
        if (!r && !found) {
            *bad = i;
            r = SB_EINVALID;
        }
        if (!r)
            r = add_direct(db, id, staff_id, now_ms, NULL);
    }
    if (!r)
        r = db_commit(db);
    if (r)
        db_rollback(db);
    return r;
}

int agent_queues_add_all(struct db *db, int64_t staff_id, const char *channel,
                         const char *scope_sql, int64_t profile_id, int64_t now_ms, int64_t *added)
{
    if (added)
        *added = 0;
    char sql[1200];
    /* One statement: the set of queues is read and joined in the same snapshot. */
    int r = scoped_sql(sql, sizeof(sql),
                       "INSERT INTO queue_members(queue_id, staff_id, added_at) SELECT q.id, ?, ? "
                       "FROM queues q WHERE (? = '' OR q.channel = ?)",
                       " ON CONFLICT (queue_id, staff_id) DO NOTHING", "q.id", scope_sql);
    if (r)
        return r;
    r = db_begin(db);
    if (r)
        return r;
    r = agent_live(db, staff_id);
    const char *ch = channel ? channel : "";
    int64_t n = 0;
    if (!r)
        r = scope_sql ? db_execf(db, &n, sql, "iitti", staff_id, now_ms, ch, ch, profile_id)
                      : db_execf(db, &n, sql, "iitt", staff_id, now_ms, ch, ch);
    if (!r)
        r = db_commit(db);
    if (r) {
        db_rollback(db);
        return r;
    }
    if (added)
        *added = n;
    return 0;
}

int agent_queues_remove(struct db *db, int64_t staff_id, int64_t queue_id, char *team,
                        size_t team_len)
{
    if (team_len)
        team[0] = 0;
    int64_t n = 0;
    int r = db_execf(db, &n, "DELETE FROM queue_members WHERE queue_id = ? AND staff_id = ?", "ii",
                     queue_id, staff_id);
    if (r || n)
        return r;
    struct db_stmt *st = NULL;
    r = db_prepare(db,
                   "SELECT t.name FROM queue_teams qt JOIN team_members tm ON tm.team_id = "
                   "qt.team_id JOIN teams t ON t.id = qt.team_id WHERE qt.queue_id = ? AND "
                   "tm.staff_id = ? ORDER BY t.name, t.id LIMIT 1",
                   &st);
    if (!r)
        r = db_bind_all(st, "ii", queue_id, staff_id);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        if (team_len)
            snprintf(team, team_len, "%s", db_col_text(st, 0));
        r = SB_ECONFLICT;
    } else if (r == DB_DONE) {
        r = SB_ENOTFOUND;
    }
    db_finalize(st);
    return r;
}
