#include "staff/agents.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/json_out.h"
#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"
#include "staff/staff_store.h"
#include "staff/avatar_store.h"
#include "staff/sip_secret.h"

struct settings_row {
    const struct agent_new *a;
    const char *settings;
    int64_t now_ms;
};

/* The agent's own rows, in the creating transaction: settings, then its SIP secret. */
static int insert_settings(struct db *db, int64_t id, void *arg)
{
    const struct settings_row *row = arg;
    int r = db_execf(db, NULL, "INSERT INTO agents(staff_id, typology, settings) VALUES(?, ?, ?)",
                     "itt", id, row->a->typology, row->settings);
    if (!r && row->a->sip_realm)
        r = sip_secret_rotate(db, id, row->a->username, row->a->sip_realm, row->now_ms, NULL);
    return r;
}

int agent_create(struct db *db, const struct agent_new *a, int64_t now_ms, int64_t *id_out,
                 int64_t *internal_out, const char **conflict_field)
{
    char *settings = json_dumps(a->settings, JSON_COMPACT | JSON_SORT_KEYS);
    if (!settings)
        return SB_ENOMEM;
    struct staff_new s = {
        .role = "agent",
        .username = a->username,
        .full_name = a->full_name,
        .email = a->email,
        .alias = a->alias,
        .description = a->description,
        .password_hash = a->password_hash,
        .must_change = a->must_change,
        .internal = a->internal,
        .min_internal = a->min_internal,
    };
    struct settings_row row = {a, settings, now_ms};
    int r =
        staff_insert(db, &s, now_ms, insert_settings, &row, id_out, internal_out, conflict_field);
    free(settings);
    return r;
}

#define AGENT_SELECT                                                                               \
    "SELECT s.id, s.username, s.full_name, s.email, s.alias, s.description, s.internal, "          \
    "g.typology, s.disabled, s.locked_at, s.mfa_enabled, s.sso_enabled, "                          \
    "s.password_changed_at, s.created_at, g.settings, s.avatar FROM staff s JOIN agents g ON "     \
    "g.staff_id = s.id WHERE s.deleted_at IS NULL"

/* Builds the flat public object: identity fields, then every settings field. */
static json_t *agent_from_row(struct db_stmt *st)
{
    json_t *o = json_pack(
        "{s:I, s:s, s:s, s:s?, s:s?, s:s?, s:o, s:s, s:b, s:b, s:o, s:b, s:b, s:o, s:o}", "id",
        (json_int_t)db_col_int64(st, 0), "username", db_col_text(st, 1), "full_name",
        db_col_text(st, 2), "email", db_col_text(st, 3), "alias", db_col_text(st, 4), "description",
        db_col_text(st, 5), "internal",
        db_col_is_null(st, 6) ? json_null() : json_integer(db_col_int64(st, 6)), "typology",
        db_col_text(st, 7), "disabled", db_col_int64(st, 8) != 0, "locked", !db_col_is_null(st, 9),
        "locked_at", db_col_is_null(st, 9) ? json_null() : json_time(db_col_int64(st, 9)),
        "mfa_enabled", db_col_int64(st, 10) != 0, "ad_sso", db_col_int64(st, 11) != 0,
        "last_password_reset_at", json_time(db_col_int64(st, 12)), "created_at",
        json_time(db_col_int64(st, 13)));
    if (o)
        json_object_set_new(o, "avatar_url",
                            avatar_url_json(db_col_int64(st, 0), db_col_text(st, 15)));
    json_t *settings = json_loads(db_col_text(st, 14), 0, NULL);
    if (o && settings)
        json_object_update_missing(o, settings);
    json_decref(settings);
    return o;
}

int agent_get(struct db *db, int64_t id, json_t **out)
{
    struct db_stmt *st;
    int r = db_prepare(db, AGENT_SELECT " AND s.id = ?", &st);
    if (!r)
        r = db_bind_int64(st, 1, id);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        *out = agent_from_row(st);
        r = *out ? 0 : SB_ENOMEM;
    } else if (r == DB_DONE) {
        r = SB_ENOTFOUND;
    }
    db_finalize(st);
    return r;
}

int agent_load_settings(struct db *db, int64_t id, char typology[16], json_t **settings)
{
    struct db_stmt *st;
    int r = db_prepare(db,
                       "SELECT g.typology, g.settings FROM agents g JOIN staff s ON s.id = "
                       "g.staff_id WHERE s.id = ? AND s.deleted_at IS NULL",
                       &st);
    if (!r)
        r = db_bind_int64(st, 1, id);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        snprintf(typology, 16, "%s", db_col_text(st, 0));
        *settings = json_loads(db_col_text(st, 1), 0, NULL);
        r = *settings ? 0 : SB_EINTERNAL;
    } else if (r == DB_DONE) {
        r = SB_ENOTFOUND;
    }
    db_finalize(st);
    return r;
}

int agent_update(struct db *db, int64_t id, const json_t *identity, const char *typology,
                 const json_t *settings, int64_t now_ms, const char **conflict_field)
{
    *conflict_field = NULL;
    char *text = json_dumps(settings, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text)
        return SB_ENOMEM;
    int r = db_begin(db);
    static const char *const text_cols[] = {"full_name", "email", "alias", "description"};
    for (size_t i = 0; !r && i < sizeof(text_cols) / sizeof(text_cols[0]); i++) {
        json_t *v = json_object_get(identity, text_cols[i]);
        if (!v)
            continue;
        char sql[96];
        snprintf(sql, sizeof(sql), "UPDATE staff SET %s = ? WHERE id = ?", text_cols[i]);
        r = db_execf(db, NULL, sql, "ti", json_string_value(v), id);
    }
    json_t *internal = json_object_get(identity, "internal");
    if (!r && internal) {
        r = db_execf(db, NULL, "UPDATE staff SET internal = ? WHERE id = ?", "ii",
                     (int64_t)json_integer_value(internal), id);
        if (r == SB_ECONFLICT)
            *conflict_field = "internal";
    }
    json_t *disabled = json_object_get(identity, "disabled");
    if (!r && disabled)
        r = db_execf(db, NULL, "UPDATE staff SET disabled = ? WHERE id = ?", "ii",
                     (int64_t)json_is_true(disabled), id);
    json_t *sso = json_object_get(identity, "ad_sso");
    if (!r && sso)
        r = db_execf(db, NULL, "UPDATE staff SET sso_enabled = ? WHERE id = ?", "ii",
                     (int64_t)json_is_true(sso), id);
    if (!r)
        r = db_execf(db, NULL, "UPDATE staff SET updated_at = ? WHERE id = ?", "ii", now_ms, id);
    if (!r)
        r = db_execf(db, NULL, "UPDATE agents SET typology = ?, settings = ? WHERE staff_id = ?",
                     "tti", typology, text, id);
    if (!r)
        r = db_commit(db);
    if (r)
        db_rollback(db);
    free(text);
    return r;
}

/* Deletes live agent `id` inside the caller's transaction; SB_ENOTFOUND when it is not one
 * (or is outside the scope: see agent_delete_many). */
static int delete_in_tx(struct db *db, int64_t id, const char *scope_sql, int64_t profile_id,
                        int64_t now_ms)
{
    char sql[768];
    int len = snprintf(sql, sizeof(sql),
                       "SELECT username FROM staff WHERE id = ? AND role = 'agent' AND deleted_at "
                       "IS NULL%s%s",
                       scope_sql ? " AND id " : "", scope_sql ? scope_sql : "");
    if (len < 0 || (size_t)len >= sizeof(sql))
        return SB_EINTERNAL;
    /* The row stays so history (audit, messages) still names who did what; the username and
     * the extension are released for reuse. */
    char renamed[96];
    struct db_stmt *st;
    int r = db_prepare(db, sql, &st);
    if (!r)
        r = scope_sql ? db_bind_all(st, "ii", id, profile_id) : db_bind_int64(st, 1, id);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW)
        snprintf(renamed, sizeof(renamed), "%s~deleted~%lld", db_col_text(st, 0), (long long)id);
    db_finalize(st);
    if (r == DB_DONE)
        return SB_ENOTFOUND;
    if (r < 0)
        return r;
    r = db_execf(db, NULL,
                 "UPDATE staff SET deleted_at = ?, username = ?, internal = NULL, disabled = 1, "
                 "avatar = NULL WHERE id = ?",
                 "iti", now_ms, renamed, id);
    /* A deleted agent leaves every queue at once, directly and through its teams (routing
     * must not offer to it). */
    if (!r)
        r = db_execf(db, NULL, "DELETE FROM queue_members WHERE staff_id = ?", "i", id);
    if (!r)
        r = db_execf(db, NULL, "DELETE FROM team_members WHERE staff_id = ?", "i", id);
    return r;
}

int agent_delete(struct db *db, int64_t id, int64_t now_ms)
{
    int r = db_begin(db);
    if (r)
        return r;
    r = delete_in_tx(db, id, NULL, 0, now_ms);
    if (!r)
        r = db_commit(db);
    if (r)
        db_rollback(db);
    return r;
}

int agent_delete_many(struct db *db, const int64_t *ids, size_t n, const char *scope_sql,
                      int64_t profile_id, int64_t now_ms, size_t *bad)
{
    *bad = 0;
    if (n == 0 || n > AGENT_DELETE_MANY_MAX)
        return SB_EINVAL;
    int r = db_begin(db);
    if (r)
        return r;
    for (size_t i = 0; !r && i < n; i++) {
        r = delete_in_tx(db, ids[i], scope_sql, profile_id, now_ms);
        if (r == SB_ENOTFOUND) {
            *bad = i;
            r = SB_EINVALID;
        }
    }
    if (!r)
        r = db_commit(db);
    if (r)
        db_rollback(db);
    return r;
}

int agent_list(struct db *db, const struct agent_query *q, json_t **items, int64_t *total)
{
    static const struct {
        const char *name, *col;
    } sorts[] = {{"username", "s.username"},
                 {"full_name", "s.full_name"},
                 {"internal", "s.internal"},
                 {"created_at", "s.created_at"}};
    const char *col = "s.username", *dir = "ASC";
    if (q->sort) {
        const char *name = q->sort[0] == '-' ? q->sort + 1 : q->sort;
        for (size_t i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++)
            if (!strcmp(name, sorts[i].name))
                col = sorts[i].col;
        if (q->sort[0] == '-')
            dir = "DESC";
    }
    char like[300] = "";
    if (q->q)
        snprintf(like, sizeof(like), "%%%s%%", q->q);
    /* Supervisors: only agents of their queues (the eighth parameter). */
    char where[900];
    snprintf(where, sizeof(where),
             " AND (? = '' OR lower(s.username) LIKE lower(?) OR lower(s.full_name) LIKE lower(?) "
             "OR lower(COALESCE(s.alias, '')) LIKE lower(?) OR CAST(s.internal AS TEXT) = ?) AND "
             "(? = '' OR g.typology = ?)%s%s",
             q->scope_in ? " AND s.id " : "", q->scope_in ? q->scope_in : "");
    const int scoped = q->scope_in ? 1 : 0;
    const char *typ = q->typology ? q->typology : "";
    const char *qq = q->q ? q->q : "";
    *items = NULL;
    *total = 0;
    if (q->nids > AGENT_QUERY_IDS_MAX || (q->nids && !q->ids))
        return SB_EINVAL;
    /* The selection is a list of placeholders: portable, and bounded by AGENT_QUERY_IDS_MAX. */
    struct buf sql;
    buf_init(&sql, 4096 + 2 * AGENT_QUERY_IDS_MAX);
    int r = buf_addf(&sql,
                     "SELECT COUNT(*) FROM staff s JOIN agents g ON g.staff_id = s.id WHERE "
                     "s.deleted_at IS NULL%s",
                     where);
    size_t where_end = sql.len;
    for (size_t i = 0; !r && i < q->nids; i++)
        r = buf_adds(&sql, i ? ", ?" : " AND s.id IN (?");
    if (!r && q->nids)
        r = buf_adds(&sql, ")");
    char *ids_sql = NULL;
    if (!r) {
        ids_sql = strdup(sql.data + where_end);
        r = ids_sql ? 0 : SB_ENOMEM;
    }
    struct db_stmt *st = NULL;
    if (!r)
        r = db_prepare(db, sql.data, &st);
    if (!r)
        r = db_bind_all(st, "ttttttt", qq, like, like, like, qq, typ, typ);
    if (!r && scoped)
        r = db_bind_int64(st, 8, q->scope_profile);
    for (size_t i = 0; !r && i < q->nids; i++)
        r = db_bind_int64(st, 8 + scoped + (int)i, q->ids[i]);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW)
        *total = db_col_int64(st, 0);
    db_finalize(st);
    st = NULL;
    if (r >= 0) {
        buf_reset(&sql);
        r = buf_addf(&sql, AGENT_SELECT "%s%s ORDER BY %s %s, s.id LIMIT ? OFFSET ?", where,
                     ids_sql, col, dir);
    }
    free(ids_sql);
    if (!r)
        r = db_prepare(db, sql.data, &st);
    buf_free(&sql);
    if (!r)
        r = db_bind_all(st, "ttttttt", qq, like, like, like, qq, typ, typ);
    int next = 8;
    if (!r && scoped)
        r = db_bind_int64(st, next++, q->scope_profile);
    for (size_t i = 0; !r && i < q->nids; i++)
        r = db_bind_int64(st, next++, q->ids[i]);
    if (!r)
        r = db_bind_int64(st, next++, q->limit);
    if (!r)
        r = db_bind_int64(st, next, q->offset);
    if (r < 0) {
        db_finalize(st);
        return r;
    }
    *items = json_array();
    while (!r && (r = db_step(st)) == DB_ROW) {
        json_array_append_new(*items, agent_from_row(st));
        r = 0;
    }
    db_finalize(st);
    if (r != DB_DONE) {
        json_decref(*items);
        *items = NULL;
        return r < 0 ? r : SB_EINTERNAL;
    }
    return 0;
}
