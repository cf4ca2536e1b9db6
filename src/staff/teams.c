#include "staff/teams.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "api/json_out.h"
#include "core/err.h"
#include "db/db.h"

static void err(json_t **errors, const char *field, const char *msg)
{
    if (!*errors)
        *errors = json_array();
    json_array_append_new(*errors, json_pack("{s:s, s:s}", "field", field, "message", msg));
}

/* A string of 1..max characters (bytes of UTF-8 checked by jansson) without control
 * characters or NUL. */
static bool name_ok(const json_t *v, size_t max)
{
    const char *s = json_string_value(v);
    bool ok = s && *s && json_string_length(v) <= max && strlen(s) == json_string_length(v);
    for (const unsigned char *c = (const unsigned char *)s; ok && *c; c++)
        ok = *c >= 0x20 && *c != 0x7f;
    return ok;
}

int team_validate(const json_t *body, const json_t *current, json_t **clean, json_t **errors)
{
    *errors = NULL;
    *clean = NULL;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)body, k, v)
    {
        if (strcmp(k, "name") && strcmp(k, "description"))
            err(errors, k, "unknown field");
    }
    json_t *out = json_object();
    if (!out)
        return SB_ENOMEM;
    json_t *name = json_object_get(body, "name");
    if (!name && current)
        name = json_object_get(current, "name");
    if (!name_ok(name, TEAM_NAME_MAX))
        err(errors, "name", "is required: 1 to 64 characters");
    else
        json_object_set(out, "name", name);
    json_t *desc = json_object_get(body, "description");
    if (!desc && current)
        desc = json_object_get(current, "description");
    if (desc && !json_is_null(desc) &&
        (!json_is_string(desc) || json_string_length(desc) > TEAM_DESCRIPTION_MAX ||
         strlen(json_string_value(desc)) != json_string_length(desc)))
        err(errors, "description", "must be a string of at most 1024 characters");
    else
        json_object_set_new(out, "description", desc ? json_incref(desc) : json_null());
    if (*errors) {
        json_decref(out);
        return SB_EINVALID;
    }
    *clean = out;
    return 0;
}

int team_create(struct db *db, const json_t *c, int64_t now_ms, int64_t *id_out)
{
    struct db_stmt *st;
    int r = db_prepare(db,
                       "INSERT INTO teams(name, description, created_at, updated_at) "
                       "VALUES(?, ?, ?, ?) RETURNING id",
                       &st);
    if (!r)
        r = db_bind_all(st, "ttii", json_string_value(json_object_get(c, "name")),
                        json_string_value(json_object_get(c, "description")), now_ms, now_ms);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        *id_out = db_col_int64(st, 0);
        r = 0;
    } else if (r == DB_DONE) {
        r = SB_EINTERNAL;
    }
    db_finalize(st);
    return r;
}

int team_update(struct db *db, int64_t id, const json_t *c, int64_t now_ms)
{
    int64_t n = 0;
    int r =
        db_execf(db, &n, "UPDATE teams SET name = ?, description = ?, updated_at = ? WHERE id = ?",
                 "ttii", json_string_value(json_object_get(c, "name")),
                 json_string_value(json_object_get(c, "description")), now_ms, id);
    return r ? r : n ? 0 : SB_ENOTFOUND;
}

/* The team columns and the count of its live members, restricted to the scope when
 * scope_sql is set (then the first `?` of the statement is the profile id). */
static int team_select_sql(char *sql, size_t n, const char *scope_sql, const char *rest)
{
    int len = snprintf(sql, n,
                       "SELECT t.id, t.name, t.description, t.created_at, t.updated_at, (SELECT "
                       "COUNT(*) FROM team_members m JOIN staff s ON s.id = m.staff_id WHERE "
                       "m.team_id = t.id AND s.deleted_at IS NULL%s%s) FROM teams t%s",
                       scope_sql ? " AND m.staff_id " : "", scope_sql ? scope_sql : "", rest);
    return len < 0 || (size_t)len >= n ? SB_EINTERNAL : 0;
}

static json_t *team_from_row(struct db_stmt *st)
{
    return json_pack("{s:I, s:s, s:s?, s:I, s:o, s:o}", "id", (json_int_t)db_col_int64(st, 0),
                     "name", db_col_text(st, 1), "description", db_col_text(st, 2), "agents",
                     (json_int_t)db_col_int64(st, 5), "created_at", json_time(db_col_int64(st, 3)),
                     "updated_at", json_time(db_col_int64(st, 4)));
}

int team_get(struct db *db, int64_t id, const char *scope_sql, int64_t profile_id, json_t **out)
{
    char sql[1024];
    struct db_stmt *st = NULL;
    int r = team_select_sql(sql, sizeof(sql), scope_sql, " WHERE t.id = ?");
    if (!r)
        r = db_prepare(db, sql, &st);
    if (!r)
        r = scope_sql ? db_bind_all(st, "ii", profile_id, id) : db_bind_all(st, "i", id);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        *out = team_from_row(st);
        r = *out ? 0 : SB_ENOMEM;
    } else if (r == DB_DONE) {
        r = SB_ENOTFOUND;
    }
    db_finalize(st);
    return r;
}

int team_delete(struct db *db, int64_t id)
{
    int64_t n = 0;
    int r = db_execf(db, &n, "DELETE FROM teams WHERE id = ?", "i", id);
    return r ? r : n ? 0 : SB_ENOTFOUND;
}

int team_list(struct db *db, const char *q, int64_t limit, int64_t offset, const char *scope_sql,
              int64_t profile_id, json_t **items, int64_t *total)
{
    *items = NULL;
    *total = 0;
    char like[160] = "";
    if (q)
        snprintf(like, sizeof(like), "%%%s%%", q);
    const char *qq = q ? q : "";
    struct db_stmt *st = NULL;
    int r = db_prepare(
        db, "SELECT COUNT(*) FROM teams t WHERE (? = '' OR lower(t.name) LIKE lower(?))", &st);
    if (!r)
        r = db_bind_all(st, "tt", qq, like);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW)
        *total = db_col_int64(st, 0);
    db_finalize(st);
    if (r < 0)
        return r;
    char sql[1024];
    st = NULL;
    r = team_select_sql(sql, sizeof(sql), scope_sql,
                        " WHERE (? = '' OR lower(t.name) LIKE lower(?)) ORDER BY t.name, t.id "
                        "LIMIT ? OFFSET ?");
    if (!r)
        r = db_prepare(db, sql, &st);
    if (!r)
        r = scope_sql ? db_bind_all(st, "ittii", profile_id, qq, like, limit, offset)
                      : db_bind_all(st, "ttii", qq, like, limit, offset);
    json_t *out = json_array();
    if (!out)
        r = r ? r : SB_ENOMEM;
    while (!r && (r = db_step(st)) == DB_ROW)
        r = json_array_append_new(out, team_from_row(st)) ? SB_ENOMEM : 0;
    db_finalize(st);
    if (r < 0) {
        json_decref(out);
        return r;
    }
    *items = out;
    return 0;
}

/* SB_ENOTFOUND unless team `id` exists. */
static int team_exists(struct db *db, int64_t id)
{
    int64_t n = 0;
    int r = db_query_int64(db, "SELECT COUNT(*) FROM teams WHERE id = ?", &n, 1, id);
    return r ? r : n ? 0 : SB_ENOTFOUND;
}

/* 1 in *yes when `id` is a live agent inside the scope. */
static int is_agent_in_scope(struct db *db, int64_t id, const char *scope_sql, int64_t profile_id,
                             bool *yes)
{
    char sql[768];
    int len = snprintf(sql, sizeof(sql),
                       "SELECT COUNT(*) FROM agents g JOIN staff s ON s.id = g.staff_id WHERE "
                       "s.id = ? AND s.deleted_at IS NULL%s%s",
                       scope_sql ? " AND s.id " : "", scope_sql ? scope_sql : "");
    if (len < 0 || (size_t)len >= sizeof(sql))
        return SB_EINTERNAL;
    int64_t n = 0;
    int r = scope_sql ? db_query_int64(db, sql, &n, 2, id, profile_id)
                      : db_query_int64(db, sql, &n, 1, id);
    *yes = n > 0;
    return r;
}

int team_add_agents(struct db *db, int64_t team_id, const json_t *ids, const char *scope_sql,
                    int64_t profile_id, int64_t now_ms, size_t *bad)
{
    *bad = 0;
    int r = db_begin(db);
    if (r)
        return r;
    r = team_exists(db, team_id);
    size_t i;
    json_t *v;
    json_array_foreach((json_t *)ids, i, v)
    {
        if (r)
            break;
        int64_t id = json_integer_value(v);
        bool ok = false;
        r = is_agent_in_scope(db, id, scope_sql, profile_id, &ok);
        if (!r && !ok) {
            *bad = i;
            r = SB_EINVALID;
        }
        if (!r)
            r = db_execf(db, NULL,
                         "INSERT INTO team_members(team_id, staff_id, added_at) VALUES(?, ?, ?) "
                         "ON CONFLICT (team_id, staff_id) DO NOTHING",
                         "iii", team_id, id, now_ms);
    }
    if (!r)
        r = db_commit(db);
    if (r)
        db_rollback(db);
    return r;
}

int team_remove_agent(struct db *db, int64_t team_id, int64_t staff_id)
{
    int64_t n = 0;
    int r = db_execf(db, &n, "DELETE FROM team_members WHERE team_id = ? AND staff_id = ?", "ii",
                     team_id, staff_id);
    return r ? r : n ? 0 : SB_ENOTFOUND;
}

int team_agents(struct db *db, int64_t team_id, const char *scope_sql, int64_t profile_id,
                json_t **items)
{
    *items = NULL;
    char sql[1024];
    int len = snprintf(sql, sizeof(sql),
                       "SELECT s.id, s.username, s.full_name, s.internal FROM team_members m "
                       "JOIN staff s ON s.id = m.staff_id WHERE m.team_id = ? AND s.deleted_at "
                       "IS NULL%s%s ORDER BY s.username LIMIT 10000",
                       scope_sql ? " AND s.id " : "", scope_sql ? scope_sql : "");
    if (len < 0 || (size_t)len >= sizeof(sql))
        return SB_EINTERNAL;
    struct db_stmt *st = NULL;
    int r = db_prepare(db, sql, &st);
    if (!r)
        r = scope_sql ? db_bind_all(st, "ii", team_id, profile_id) : db_bind_all(st, "i", team_id);
    json_t *out = json_array();
    if (!out)
        r = r ? r : SB_ENOMEM;
    while (!r && (r = db_step(st)) == DB_ROW) {
        json_t *o =
            json_pack("{s:I, s:s, s:s, s:o}", "id", (json_int_t)db_col_int64(st, 0), "username",
                      db_col_text(st, 1), "full_name", db_col_text(st, 2), "internal",
                      db_col_is_null(st, 3) ? json_null() : json_integer(db_col_int64(st, 3)));
        r = json_array_append_new(out, o) ? SB_ENOMEM : 0;
    }
    db_finalize(st);
    if (r < 0) {
        json_decref(out);
        return r;
    }
    *items = out;
    return 0;
}

int team_member_ids(struct db *db, int64_t team_id, json_t **ids)
{
    *ids = NULL;
    struct db_stmt *st = NULL;
    int r = db_prepare(db, "SELECT staff_id FROM team_members WHERE team_id = ? ORDER BY staff_id",
                       &st);
    if (!r)
        r = db_bind_int64(st, 1, team_id);
    json_t *out = json_array();
    if (!out)
        r = r ? r : SB_ENOMEM;
    while (!r && (r = db_step(st)) == DB_ROW)
        r = json_array_append_new(out, json_integer(db_col_int64(st, 0))) ? SB_ENOMEM : 0;
    db_finalize(st);
    if (r < 0) {
        json_decref(out);
        return r;
    }
    *ids = out;
    return 0;
}

int agent_teams(struct db *db, int64_t staff_id, json_t **items)
{
    *items = NULL;
    struct db_stmt *st = NULL;
    int r = db_prepare(db,
                       "SELECT t.id, t.name, t.description FROM team_members m JOIN teams t ON "
                       "t.id = m.team_id WHERE m.staff_id = ? ORDER BY t.name, t.id",
                       &st);
    if (!r)
        r = db_bind_int64(st, 1, staff_id);
    json_t *out = json_array();
    if (!out)
        r = r ? r : SB_ENOMEM;
    while (!r && (r = db_step(st)) == DB_ROW) {
        json_t *o = json_pack("{s:I, s:s, s:s?}", "id", (json_int_t)db_col_int64(st, 0), "name",
                              db_col_text(st, 1), "description", db_col_text(st, 2));
        r = json_array_append_new(out, o) ? SB_ENOMEM : 0;
    }
    db_finalize(st);
    if (r < 0) {
        json_decref(out);
        return r;
    }
    *items = out;
    return 0;
}

int agent_add_teams(struct db *db, int64_t staff_id, const json_t *team_ids, int64_t now_ms,
                    size_t *bad)
{
    *bad = 0;
    int r = db_begin(db);
    if (r)
        return r;
    size_t i;
    json_t *v;
    json_array_foreach((json_t *)team_ids, i, v)
    {
        int64_t id = json_integer_value(v);
        r = team_exists(db, id);
        if (r == SB_ENOTFOUND) {
            *bad = i;
            r = SB_EINVALID;
        }
        if (!r)
            r = db_execf(db, NULL,
                         "INSERT INTO team_members(team_id, staff_id, added_at) VALUES(?, ?, ?) "
                         "ON CONFLICT (team_id, staff_id) DO NOTHING",
                         "iii", id, staff_id, now_ms);
        if (r)
            break;
    }
    if (!r)
        r = db_commit(db);
    if (r)
        db_rollback(db);
    return r;
}
