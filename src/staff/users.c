#include "staff/users.h"

#include <stdio.h>
#include <string.h>

#include "api/json_out.h"
#include "core/err.h"
#include "db/db.h"
#include "staff/staff_store.h"

#define USER_SELECT                                                                                \
    "SELECT s.id, s.username, s.full_name, s.email, s.role, s.profile_id, p.name, s.internal, "    \
    "s.description, s.disabled, s.locked_at, s.mfa_enabled, s.sso_enabled, "                       \
    "s.password_changed_at, s.created_at FROM staff s LEFT JOIN profiles p ON p.id = "             \
    "s.profile_id WHERE s.deleted_at IS NULL AND s.role IN ('admin', 'user')"

static json_t *nullable_int(struct db_stmt *st, int col)
{
    return db_col_is_null(st, col) ? json_null() : json_integer(db_col_int64(st, col));
}

static json_t *user_from_row(struct db_stmt *st)
{
    return json_pack(
        "{s:I, s:s, s:s, s:s?, s:s, s:o, s:s?, s:o, s:s?, s:b, s:b, s:o, s:b, s:b, "
        "s:o, s:o}",
        "id", (json_int_t)db_col_int64(st, 0), "username", db_col_text(st, 1), "full_name",
        db_col_text(st, 2), "email", db_col_text(st, 3), "role", db_col_text(st, 4), "profile_id",
        nullable_int(st, 5), "profile_name", db_col_text(st, 6), "internal", nullable_int(st, 7),
        "description", db_col_text(st, 8), "disabled", db_col_int64(st, 9) != 0, "locked",
        !db_col_is_null(st, 10), "locked_at",
        db_col_is_null(st, 10) ? json_null() : json_time(db_col_int64(st, 10)), "mfa_enabled",
        db_col_int64(st, 11) != 0, "ad_sso", db_col_int64(st, 12) != 0, "last_password_reset_at",
        json_time(db_col_int64(st, 13)), "created_at", json_time(db_col_int64(st, 14)));
}

int user_get(struct db *db, int64_t id, json_t **out)
{
    struct db_stmt *st;
    int r = db_prepare(db, USER_SELECT " AND s.id = ?", &st);
    if (!r)
        r = db_bind_int64(st, 1, id);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        *out = user_from_row(st);
        r = *out ? 0 : SB_ENOMEM;
    } else if (r == DB_DONE) {
        r = SB_ENOTFOUND;
    }
    db_finalize(st);
    return r;
}

int user_list(struct db *db, const struct user_query *q, json_t **items, int64_t *total)
{
    char like[300] = "";
    if (q->q)
        snprintf(like, sizeof(like), "%%%s%%", q->q);
    const char *qq = q->q ? q->q : "", *role = q->role ? q->role : "";
    const char *where = " AND (? = '' OR lower(s.username) LIKE lower(?) OR lower(s.full_name) "
                        "LIKE lower(?) OR lower(COALESCE(s.email, '')) LIKE lower(?) OR "
                        "CAST(s.internal AS TEXT) = ?) AND (? = '' OR s.role = ?)";
    char sql[1200];
    snprintf(sql, sizeof(sql),
             "SELECT COUNT(*) FROM staff s WHERE s.deleted_at IS NULL AND s.role IN ('admin', "
             "'user')%s",
             where);
    struct db_stmt *st;
    int r = db_prepare(db, sql, &st);
    if (!r)
        r = db_bind_all(st, "ttttttt", qq, like, like, like, qq, role, role);
    if (!r)
        r = db_step(st);
    *total = r == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (r < 0)
        return r;
    snprintf(sql, sizeof(sql), USER_SELECT "%s ORDER BY s.username LIMIT ? OFFSET ?", where);
    r = db_prepare(db, sql, &st);
    if (!r)
        r = db_bind_all(st, "tttttttii", qq, like, like, like, qq, role, role, q->limit, q->offset);
    *items = json_array();
    while (!r && (r = db_step(st)) == DB_ROW) {
        json_array_append_new(*items, user_from_row(st));
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

int user_update(struct db *db, int64_t id, const json_t *changes, int64_t now_ms)
{
    static const char *const text_cols[] = {"full_name", "email", "description"};
    static const struct {
        const char *field, *col;
    } int_cols[] = {{"internal", "internal"},
                    {"profile_id", "profile_id"},
                    {"disabled", "disabled"},
                    {"ad_sso", "sso_enabled"}};
    int r = db_begin(db);
    char sql[96];
    for (size_t i = 0; !r && i < sizeof(text_cols) / sizeof(text_cols[0]); i++) {
        json_t *v = json_object_get(changes, text_cols[i]);
        if (!v)
            continue;
        const char *s = json_string_value(v);
        snprintf(sql, sizeof(sql), "UPDATE staff SET %s = ? WHERE id = ?", text_cols[i]);
        r = db_execf(db, NULL, sql, "ti", s && *s ? s : NULL, id);
    }
    for (size_t i = 0; !r && i < sizeof(int_cols) / sizeof(int_cols[0]); i++) {
        json_t *v = json_object_get(changes, int_cols[i].field);
        if (!v)
            continue;
        snprintf(sql, sizeof(sql), "UPDATE staff SET %s = ? WHERE id = ?", int_cols[i].col);
        if (json_is_null(v))
            r = db_execf(db, NULL, sql, "ni", id);
        else
            r = db_execf(
                db, NULL, sql, "ii",
                json_is_boolean(v) ? (int64_t)json_is_true(v) : (int64_t)json_integer_value(v), id);
    }
    if (!r)
        r = db_execf(db, NULL, "UPDATE staff SET updated_at = ? WHERE id = ?", "ii", now_ms, id);
    if (!r)
        r = db_commit(db);
    if (r)
        db_rollback(db);
    return r;
}

int user_delete(struct db *db, int64_t id, int64_t now_ms)
{
    int64_t admins = 0;
    char role[8] = "user";
    struct db_stmt *st;
    int r = db_prepare(db, "SELECT role FROM staff WHERE id = ? AND deleted_at IS NULL", &st);
    if (!r)
        r = db_bind_int64(st, 1, id);
    if (!r && (r = db_step(st)) == DB_ROW) {
        snprintf(role, sizeof(role), "%s", db_col_text(st, 0));
        r = 0;
    } else if (r == DB_DONE) {
        r = SB_ENOTFOUND;
    }
    db_finalize(st);
    if (!r && strcmp(role, "admin") && strcmp(role, "user"))
        r = SB_ENOTFOUND;
    if (!r)
        r = db_begin(db);
    if (r)
        return r;
    r = staff_mark_deleted(db, id, role, now_ms);
    /* Checked inside the transaction. Under PostgreSQL's READ COMMITTED two concurrent
     * deletions of the last two administrators could both pass; the CLI's create-admin is the
     * way back in (docs/operations.md). */
    if (!r)
        r = user_admin_count(db, &admins);
    if (!r && !admins)
        r = SB_ECONFLICT;
    if (!r)
        r = db_commit(db);
    if (r)
        db_rollback(db);
    return r;
}

int user_admin_count(struct db *db, int64_t *out)
{
    return db_query_int64(db,
                          "SELECT COUNT(*) FROM staff WHERE role = 'admin' AND deleted_at IS NULL "
                          "AND disabled = 0",
                          out, 0);
}
