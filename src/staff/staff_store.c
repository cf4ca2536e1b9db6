#include "staff/staff_store.h"

#include <stdio.h>

#include "core/err.h"
#include "db/db.h"

#define STAFF_CREATE_TRIES 20

/* SQL for the lowest free extension at or above the minimum: the minimum itself when free,
 * else the smallest taken number at or above it whose successor is free. */
#define NEXT_FREE_INTERNAL                                                                         \
    "(SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM staff WHERE internal = ?) THEN ? ELSE "           \
    "(SELECT MIN(s.internal) + 1 FROM staff s WHERE s.internal >= ? AND NOT EXISTS (SELECT 1 "     \
    "FROM staff t WHERE t.internal = s.internal + 1)) END)"

#define INSERT_COLUMNS                                                                             \
    "INSERT INTO staff(role, profile_id, username, full_name, email, password_hash, "              \
    "password_changed_at, must_change_password, created_at, updated_at, alias, description, "      \
    "internal) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "

static const char *nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

/* One attempt: the INSERT … RETURNING inside the open transaction. */
static int insert_row(struct db *db, const struct staff_new *a, int64_t now_ms, int64_t *id_out,
                      int64_t *internal_out)
{
    const char *sql = a->internal ? INSERT_COLUMNS "?) RETURNING id, internal"
                                  : INSERT_COLUMNS NEXT_FREE_INTERNAL ") RETURNING id, internal";
    struct db_stmt *st = NULL;
    int r = db_prepare(db, sql, &st);
    if (!r)
        r = db_bind_all(st, "ttttttiiiitt", a->role, NULL, a->username, a->full_name,
                        nonempty(a->email), a->password_hash, now_ms, (int64_t)a->must_change,
                        now_ms, now_ms, nonempty(a->alias), nonempty(a->description));
    if (!r && a->profile_id)
        r = db_bind_int64(st, 2, a->profile_id);
    if (!r && a->internal)
        r = db_bind_int64(st, 13, a->internal);
    for (int i = 13; !r && !a->internal && i <= 15; i++)
        r = db_bind_int64(st, i, a->min_internal);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        *id_out = db_col_int64(st, 0);
        *internal_out = db_col_int64(st, 1);
        r = 0;
    } else if (r == DB_DONE) {
        r = SB_EINTERNAL;
    }
    db_finalize(st);
    return r;
}

int staff_insert(struct db *db, const struct staff_new *a, int64_t now_ms, staff_insert_extra extra,
                 void *arg, int64_t *id_out, int64_t *internal_out, const char **conflict_field)
{
    *conflict_field = NULL;
    int r = 0;
    for (int attempt = 0; attempt < STAFF_CREATE_TRIES; attempt++) {
        r = db_begin(db);
        if (r)
            break;
        r = insert_row(db, a, now_ms, id_out, internal_out);
        if (!r && extra)
            r = extra(db, *id_out, arg);
        if (!r)
            r = db_commit(db);
        if (!r)
            break;
        db_rollback(db);
        if (r != SB_ECONFLICT)
            break;
        /* Which unique key? A taken username never frees itself: do not retry for it. */
        int64_t taken = 0;
        struct db_stmt *u = NULL;
        if (!db_prepare(db, "SELECT COUNT(*) FROM staff WHERE username = ?", &u) &&
            !db_bind_text(u, 1, a->username, -1) && db_step(u) == DB_ROW)
            taken = db_col_int64(u, 0);
        db_finalize(u);
        if (taken) {
            *conflict_field = "username";
            break;
        }
        if (a->internal) {
            *conflict_field = "internal";
            break;
        }
        /* A concurrent create took the same generated extension: compute it again. */
    }
    return r;
}

int staff_mark_deleted(struct db *db, int64_t id, const char *role, int64_t now_ms)
{
    char renamed[96];
    struct db_stmt *st;
    int r = db_prepare(
        db, "SELECT username FROM staff WHERE id = ? AND role = ? AND deleted_at IS NULL", &st);
    if (!r)
        r = db_bind_all(st, "it", id, role);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW)
        snprintf(renamed, sizeof(renamed), "%s~deleted~%lld", db_col_text(st, 0), (long long)id);
    db_finalize(st);
    if (r == DB_DONE)
        return SB_ENOTFOUND;
    if (r < 0)
        return r;
    return db_execf(db, NULL,
                    "UPDATE staff SET deleted_at = ?, username = ?, internal = NULL, disabled = 1, "
                    "profile_id = NULL WHERE id = ?",
                    "iti", now_ms, renamed, id);
}
