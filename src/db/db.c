/* db.c — the backend-independent half of db.h: argument checks, fault injection, statement
 * bookkeeping, and dispatch through the backend's vtable. */
#include "db/db.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "db/db_impl.h"
#include "db/fault.h"

void db_set_errmsg(struct db *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(db->errmsg, sizeof(db->errmsg), fmt, ap);
    va_end(ap);
    /* libpq messages end in a newline; log lines are one line each. */
    size_t len = strlen(db->errmsg);
    while (len > 0 && (db->errmsg[len - 1] == '\n' || db->errmsg[len - 1] == ' '))
        db->errmsg[--len] = 0;
}

/* Consumes an armed fault, if any, and turns it into the error the real failure would give.
 * A lost connection is made real (the backend drops it) so the reconnect code is what the
 * test exercises, not a simulation of it. */
static int db_fault_check(struct db *db)
{
    switch (db_fault_take()) {
    case DB_FAULT_NONE:
        return 0;
    case DB_FAULT_BUSY:
        db_set_errmsg(db, "injected fault: database is busy");
        return SB_EBUSY;
    case DB_FAULT_FULL:
        db_set_errmsg(db, "injected fault: disk is full");
        return SB_EIO;
    case DB_FAULT_LOST:
        if (db->ops->lose)
            db->ops->lose(db);
        db_set_errmsg(db, "injected fault: connection lost");
        return SB_EUNAVAIL;
    }
    return 0;
}

int db_open(const struct db_config *cfg, struct db **out)
{
    *out = NULL;
    if (!cfg)
        return SB_EINVAL;
    switch (cfg->backend) {
    case DB_SQLITE:
        return db_sqlite_open(cfg, out);
    case DB_PG:
        return db_pg_open(cfg, out);
    }
    return SB_EINVAL;
}

static void db_stmt_unlink(struct db_stmt *st)
{
    if (st->prev)
        st->prev->next = st->next;
    else
        st->db->stmts = st->next;
    if (st->next)
        st->next->prev = st->prev;
    st->prev = st->next = NULL;
}

void db_close(struct db *db)
{
    if (!db)
        return;
    while (db->stmts)
        db_finalize(db->stmts);
    db->ops->close(db);
}

enum db_backend db_backend_of(const struct db *db)
{
    return db->backend;
}

/* Set once at start-up, before other threads use the database. */
static db_op_hook op_hook;

void db_set_op_hook(db_op_hook hook)
{
    op_hook = hook;
}

/* Reports one operation's outcome to the hook and passes the result through. */
static int counted(int rc)
{
    if (op_hook)
        op_hook(rc < 0);
    return rc;
}

int db_exec(struct db *db, const char *sql)
{
    int rc = db_fault_check(db);
    if (rc)
        return counted(rc);
    if (!sql)
        return SB_EINVAL;
    return counted(db->ops->exec(db, sql));
}

int db_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
    *out = NULL;
    int rc = db_fault_check(db);
    if (rc)
        return counted(rc);
    if (!sql)
        return SB_EINVAL;
    struct db_stmt *st = NULL;
    rc = db->ops->prepare(db, sql, &st);
    if (rc)
        return counted(rc);
    st->db = db;
    st->prev = NULL;
    st->next = db->stmts;
    if (db->stmts)
        db->stmts->prev = st;
    db->stmts = st;
    *out = st;
    return 0;
}

int db_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
    return st->db->ops->bind_int64(st, idx, v);
}

int db_bind_text(struct db_stmt *st, int idx, const char *s, long len)
{
    if (!s)
        return st->db->ops->bind_null(st, idx);
    size_t n = len < 0 ? strlen(s) : (size_t)len;
    return st->db->ops->bind_text(st, idx, s, n);
}

int db_bind_blob(struct db_stmt *st, int idx, const void *p, size_t len)
{
    if (!p && len > 0)
        return SB_EINVAL;
    /* A zero-length blob is a value, not NULL; backends get a valid pointer for it. */
    return st->db->ops->bind_blob(st, idx, p ? p : "", len);
}

int db_bind_null(struct db_stmt *st, int idx)
{
    return st->db->ops->bind_null(st, idx);
}

int db_step(struct db_stmt *st)
{
    int rc = db_fault_check(st->db);
    if (rc)
        return counted(rc);
    return counted(st->db->ops->step(st));
}

int db_col_count(struct db_stmt *st)
{
    return st->db->ops->col_count(st);
}

bool db_col_is_null(struct db_stmt *st, int col)
{
    return st->db->ops->col_is_null(st, col);
}

int64_t db_col_int64(struct db_stmt *st, int col)
{
    return st->db->ops->col_int64(st, col);
}

const char *db_col_text(struct db_stmt *st, int col)
{
    return st->db->ops->col_text(st, col);
}

const void *db_col_blob(struct db_stmt *st, int col, size_t *len)
{
    size_t dummy;
    return st->db->ops->col_blob(st, col, len ? len : &dummy);
}

int64_t db_changes(struct db_stmt *st)
{
    return st->db->ops->changes(st);
}

int db_reset(struct db_stmt *st)
{
    return st->db->ops->reset(st);
}

void db_finalize(struct db_stmt *st)
{
    if (!st)
        return;
    struct db *db = st->db;
    db_stmt_unlink(st);
    db->ops->finalize(st);
}

int db_begin(struct db *db)
{
    int rc = db_fault_check(db);
    if (rc)
        return counted(rc);
    return counted(db->ops->begin(db));
}

int db_commit(struct db *db)
{
    int rc = db_fault_check(db);
    if (rc)
        return counted(rc);
    return counted(db->ops->commit(db));
}

void db_rollback(struct db *db)
{
    db->ops->rollback(db);
}

int db_ping(struct db *db)
{
    int rc = db_fault_check(db);
    if (rc)
        return counted(rc);
    return counted(db->ops->ping(db));
}

const char *db_errmsg(struct db *db)
{
    return db ? db->errmsg : "no database connection";
}

int db_query_int64(struct db *db, const char *sql, int64_t *out, int nparams, ...)
{
    struct db_stmt *st = NULL;
    *out = 0;
    int rc = db_prepare(db, sql, &st);
    if (rc)
        goto fail;
    va_list ap;
    va_start(ap, nparams);
    for (int i = 0; i < nparams && rc == 0; i++)
        rc = db_bind_int64(st, i + 1, va_arg(ap, int64_t));
    va_end(ap);
    if (rc)
        goto fail;
    rc = db_step(st);
    if (rc == DB_ROW) {
        *out = db_col_int64(st, 0);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = 0;
    }
fail:
    db_finalize(st);
    return rc;
}

int db_bind_allv(struct db_stmt *st, const char *types, va_list ap)
{
    int r = 0;
    for (int i = 0; !r && types[i]; i++) {
        switch (types[i]) {
        case 'i':
            r = db_bind_int64(st, i + 1, va_arg(ap, int64_t));
            break;
        case 't': {
            const char *t = va_arg(ap, const char *);
            r = t ? db_bind_text(st, i + 1, t, -1) : db_bind_null(st, i + 1);
            break;
        }
        case 'n':
            r = db_bind_null(st, i + 1);
            break;
        default:
            r = SB_EINVAL;
        }
    }
    return r;
}

int db_bind_all(struct db_stmt *st, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    int r = db_bind_allv(st, types, ap);
    va_end(ap);
    return r;
}

int db_execf(struct db *db, int64_t *changes, const char *sql, const char *types, ...)
{
    struct db_stmt *st;
    int r = db_prepare(db, sql, &st);
    if (r)
        return r;
    va_list ap;
    va_start(ap, types);
    r = db_bind_allv(st, types, ap);
    va_end(ap);
    if (!r) {
        r = db_step(st);
        r = r == DB_DONE ? 0 : r == DB_ROW ? SB_EINVAL : r;
    }
    if (!r && changes)
        *changes = db_changes(st);
    db_finalize(st);
    return r;
}
