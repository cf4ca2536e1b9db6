#include "staff/accounts.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "db/db.h"

#define ACCOUNT_COLUMNS                                                                            \
    "id, username, full_name, email, role, password_hash, password_changed_at, "                   \
    "must_change_password, disabled, locked_at, failed_attempts, mfa_enabled, sso_enabled, "       \
    "mfa_method, profile_id"

bool account_username_valid(const char *s)
{
    size_t n = 0;
    for (; s && s[n]; n++) {
        char c = s[n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_'))
            return false;
    }
    return n >= 1 && n <= ACCOUNT_USERNAME_MAX;
}

bool account_role_valid(const char *s)
{
    return s && (!strcmp(s, "admin") || !strcmp(s, "user") || !strcmp(s, "agent"));
}

static void copy_col(struct db_stmt *st, int col, char *out, size_t n)
{
    const char *v = db_col_text(st, col);
    snprintf(out, n, "%s", v ? v : "");
}

static void account_from_row(struct db_stmt *st, struct account *a)
{
    memset(a, 0, sizeof(*a));
    a->id = db_col_int64(st, 0);
    copy_col(st, 1, a->username, sizeof(a->username));
    copy_col(st, 2, a->full_name, sizeof(a->full_name));
    copy_col(st, 3, a->email, sizeof(a->email));
    copy_col(st, 4, a->role, sizeof(a->role));
    copy_col(st, 5, a->password_hash, sizeof(a->password_hash));
    a->password_changed_at = db_col_int64(st, 6);
    a->must_change_password = db_col_int64(st, 7) != 0;
    a->disabled = db_col_int64(st, 8) != 0;
    a->locked_at = db_col_int64(st, 9);
    a->failed_attempts = (int)db_col_int64(st, 10);
    a->mfa_enabled = db_col_int64(st, 11) != 0;
    a->sso_enabled = db_col_int64(st, 12) != 0;
    copy_col(st, 13, a->mfa_method, sizeof(a->mfa_method));
    a->profile_id = db_col_int64(st, 14);
}

static int account_query(struct db *db, const char *sql, const char *text, int64_t id,
                         struct account *out)
{
    struct db_stmt *st;
    int r = db_prepare(db, sql, &st);
    if (r)
        return r;
    r = text ? db_bind_text(st, 1, text, -1) : db_bind_int64(st, 1, id);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        account_from_row(st, out);
        r = 0;
    } else if (r == DB_DONE) {
        r = SB_ENOTFOUND;
    }
    db_finalize(st);
    return r;
}

int account_by_username(struct db *db, const char *username, struct account *out)
{
    return account_query(
        db, "SELECT " ACCOUNT_COLUMNS " FROM staff WHERE username = ? AND deleted_at IS NULL",
        username, 0, out);
}

int account_by_id(struct db *db, int64_t id, struct account *out)
{
    return account_query(
        db, "SELECT " ACCOUNT_COLUMNS " FROM staff WHERE id = ? AND deleted_at IS NULL", NULL, id,
        out);
}

int account_count(struct db *db, int64_t *out)
{
    return db_query_int64(db, "SELECT COUNT(*) FROM staff WHERE deleted_at IS NULL", out, 0);
}

int account_create(struct db *db, const char *username, const char *full_name, const char *email,
                   const char *role, const char *password_hash, bool must_change, int64_t now_ms,
                   int64_t *id_out)
{
    struct db_stmt *st;
    int r = db_prepare(db,
                       "INSERT INTO staff(username, full_name, email, role, password_hash, "
                       "password_changed_at, must_change_password, created_at, updated_at) "
                       "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                       &st);
    if (r)
        return r;
    r = db_bind_text(st, 1, username, -1);
    if (!r)
        r = db_bind_text(st, 2, full_name, -1);
    if (!r)
        r = email && *email ? db_bind_text(st, 3, email, -1) : db_bind_null(st, 3);
    if (!r)
        r = db_bind_text(st, 4, role, -1);
    if (!r)
        r = db_bind_text(st, 5, password_hash, -1);
    if (!r)
        r = db_bind_int64(st, 6, now_ms);
    if (!r)
        r = db_bind_int64(st, 7, must_change ? 1 : 0);
    if (!r)
        r = db_bind_int64(st, 8, now_ms);
    if (!r)
        r = db_bind_int64(st, 9, now_ms);
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

/* Runs an UPDATE with int64 parameters. */

int account_record_failure(struct db *db, int64_t id, int max_attempts, int64_t now_ms,
                           bool *locked_out)
{
    /* One statement so concurrent failures cannot both read the same count. */
    int r = db_execf(db, NULL,
                     "UPDATE staff SET failed_attempts = failed_attempts + 1, locked_at = "
                     "CASE WHEN locked_at IS NULL AND ? > 0 AND failed_attempts + 1 >= ? "
                     "THEN ? ELSE locked_at END WHERE id = ?",
                     "iiii", (int64_t)max_attempts, (int64_t)max_attempts, now_ms, id);
    if (r)
        return r;
    int64_t locked = 0;
    r = db_query_int64(db, "SELECT COUNT(*) FROM staff WHERE id = ? AND locked_at IS NOT NULL",
                       &locked, 1, id);
    *locked_out = locked != 0;
    return r;
}

int account_clear_failures(struct db *db, int64_t id)
{
    return db_execf(db, NULL, "UPDATE staff SET failed_attempts = 0 WHERE id = ?", "i", id);
}

int account_unlock(struct db *db, int64_t id, int64_t now_ms)
{
    return db_execf(db, NULL,
                    "UPDATE staff SET locked_at = NULL, failed_attempts = 0, updated_at = ? "
                    "WHERE id = ?",
                    "ii", now_ms, id);
}

int account_update_hash(struct db *db, int64_t id, const char *hash)
{
    return db_execf(db, NULL, "UPDATE staff SET password_hash = ? WHERE id = ?", "ti", hash, id);
}

int account_set_password(struct db *db, int64_t id, const char *new_hash, bool must_change,
                         int64_t now_ms)
{
    int r = db_begin(db);
    if (r)
        return r;
    r = db_execf(db, NULL,
                 "INSERT INTO password_history(staff_id, password_hash, created_at) "
                 "SELECT id, password_hash, ? FROM staff WHERE id = ? AND password_hash IS NOT "
                 "NULL",
                 "ii", now_ms, id);
    if (!r)
        r = db_execf(db, NULL,
                     "UPDATE staff SET password_hash = ?, password_changed_at = ?, "
                     "must_change_password = ?, updated_at = ? WHERE id = ?",
                     "tiiii", new_hash, now_ms, (int64_t)must_change, now_ms, id);
    /* Keep the history bounded: 12 is the most the setting allows. */
    if (!r)
        r = db_execf(db, NULL,
                     "DELETE FROM password_history WHERE staff_id = ? AND id NOT IN (SELECT id "
                     "FROM password_history WHERE staff_id = ? ORDER BY created_at DESC, id DESC "
                     "LIMIT 12)",
                     "ii", id, id);
    if (!r)
        r = db_commit(db);
    if (r)
        db_rollback(db);
    return r;
}

int account_password_reused(struct db *db, const struct account *a, const char *pw, int history,
                            bool *reused)
{
    *reused = a->password_hash[0] && password_verify(a->password_hash, pw) == 0;
    if (*reused || history <= 0)
        return 0;
    struct db_stmt *st;
    int r = db_prepare(db,
                       "SELECT password_hash FROM password_history WHERE staff_id = ? "
                       "ORDER BY created_at DESC, id DESC LIMIT ?",
                       &st);
    if (!r)
        r = db_bind_int64(st, 1, a->id);
    if (!r)
        r = db_bind_int64(st, 2, history);
    while (!r) {
        r = db_step(st);
        if (r != DB_ROW)
            break;
        const char *h = db_col_text(st, 0);
        if (h && password_verify(h, pw) == 0) {
            *reused = true;
            break;
        }
        r = 0;
    }
    db_finalize(st);
    return r == DB_DONE || r == DB_ROW ? 0 : r;
}
