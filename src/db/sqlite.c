/* sqlite.c — the SQLite backend of db.h.
 *
 * Durability settings are fixed, not configurable: WAL (readers never block the writer),
 * synchronous=FULL (a commit is on disk when COMMIT returns, which "acknowledged means
 * committed" relies on), foreign keys enforced. */
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "db/db_impl.h"

#define SQ_DEFAULT_BUSY_MS 5000

struct sq_db {
    struct db base;
    sqlite3 *h;
    bool is_memory;
};

struct sq_stmt {
    struct db_stmt base;
    sqlite3_stmt *st;
    int64_t changes;
};

static struct sq_db *sq_db(struct db *db)
{
    return (struct sq_db *)db;
}

static struct sq_stmt *sq_stmt(struct db_stmt *st)
{
    return (struct sq_stmt *)st;
}

/* Maps an extended SQLite result code to an sb_err and records the message. SQLite's messages
 * name tables and columns but never bound values, so they are safe to log. */
static int sq_fail(struct sq_db *d, int rc, const char *msg)
{
    db_set_errmsg(&d->base, "sqlite %d: %s", rc, msg ? msg : sqlite3_errstr(rc));
    switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
            return SB_ECONFLICT;
        return SB_EINVAL;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return SB_EBUSY;
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL:
        return SB_EIO;
    case SQLITE_NOMEM:
        return SB_ENOMEM;
    case SQLITE_TOOBIG:
        return SB_ETOOBIG;
    default:
        return SB_EINVAL;
    }
}

static int sq_fail_h(struct sq_db *d, int rc)
{
    return sq_fail(d, rc, sqlite3_errmsg(d->h));
}

static void sq_close(struct db *db)
{
    struct sq_db *d = sq_db(db);
    int rc = sqlite3_close(d->h);
    if (rc != SQLITE_OK)
        log_error("sqlite close failed: %s", sqlite3_errstr(rc));
    free(d);
}

static int sq_exec(struct db *db, const char *sql)
{
    struct sq_db *d = sq_db(db);
    char *msg = NULL;
    int rc = sqlite3_exec(d->h, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        rc = sq_fail(d, sqlite3_extended_errcode(d->h), msg);
        sqlite3_free(msg);
        return rc;
    }
    return 0;
}

static int sq_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
    struct sq_db *d = sq_db(db);
    struct sq_stmt *s = calloc(1, sizeof(*s));
    if (!s)
        return SB_ENOMEM;
    int rc = sqlite3_prepare_v3(d->h, sql, -1, 0, &s->st, NULL);
    if (rc != SQLITE_OK) {
        rc = sq_fail_h(d, rc);
        goto fail;
    }
    if (!s->st) {
        db_set_errmsg(db, "empty statement");
        rc = SB_EINVAL;
        goto fail;
    }
    *out = &s->base;
    return 0;
fail:
    sqlite3_finalize(s->st);
    free(s);
    return rc;
}

static int sq_bind_rc(struct db_stmt *st, int rc)
{
    if (rc == SQLITE_OK)
        return 0;
    return sq_fail_h(sq_db(st->db), rc);
}

static int sq_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
    return sq_bind_rc(st, sqlite3_bind_int64(sq_stmt(st)->st, idx, v));
}

static int sq_bind_text(struct db_stmt *st, int idx, const char *s, size_t len)
{
    if (len > INT_MAX)
        return SB_ETOOBIG;
    return sq_bind_rc(st, sqlite3_bind_text(sq_stmt(st)->st, idx, s, (int)len, SQLITE_TRANSIENT));
}

static int sq_bind_blob(struct db_stmt *st, int idx, const void *p, size_t len)
{
    if (len > INT_MAX)
        return SB_ETOOBIG;
    return sq_bind_rc(st, sqlite3_bind_blob(sq_stmt(st)->st, idx, p, (int)len, SQLITE_TRANSIENT));
}

static int sq_bind_null(struct db_stmt *st, int idx)
{
    return sq_bind_rc(st, sqlite3_bind_null(sq_stmt(st)->st, idx));
}

static int sq_step(struct db_stmt *st)
{
    struct sq_stmt *s = sq_stmt(st);
    struct sq_db *d = sq_db(st->db);
    int rc = sqlite3_step(s->st);
    if (rc == SQLITE_ROW)
        return DB_ROW;
    if (rc == SQLITE_DONE) {
        /* sqlite3_changes counts the connection's last DML, so a SELECT must not inherit
         * the number of an earlier INSERT. */
        s->changes = sqlite3_stmt_readonly(s->st) ? 0 : sqlite3_changes64(d->h);
        return DB_DONE;
    }
    return sq_fail_h(d, rc);
}

static int sq_col_count(struct db_stmt *st)
{
    return sqlite3_data_count(sq_stmt(st)->st);
}

static bool sq_col_is_null(struct db_stmt *st, int col)
{
    return sqlite3_column_type(sq_stmt(st)->st, col) == SQLITE_NULL;
}

static int64_t sq_col_int64(struct db_stmt *st, int col)
{
    return sqlite3_column_int64(sq_stmt(st)->st, col);
}

static const char *sq_col_text(struct db_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(sq_stmt(st)->st, col);
}

static const void *sq_col_blob(struct db_stmt *st, int col, size_t *len)
{
    sqlite3_stmt *s = sq_stmt(st)->st;
    /* Order matters: column_bytes after column_blob (SQLite's documented protocol). */
    const void *p = sqlite3_column_blob(s, col);
    *len = (size_t)sqlite3_column_bytes(s, col);
    /* SQLite returns NULL for an empty blob; callers tell NULL from empty by the pointer. */
    if (!p && sqlite3_column_type(s, col) != SQLITE_NULL)
        return "";
    return p;
}

static int64_t sq_changes(struct db_stmt *st)
{
    return sq_stmt(st)->changes;
}

static int sq_reset(struct db_stmt *st)
{
    /* sqlite3_reset repeats the last step's error, which the caller has already seen. */
    sqlite3_reset(sq_stmt(st)->st);
    sq_stmt(st)->changes = 0;
    return 0;
}

static void sq_finalize(struct db_stmt *st)
{
    sqlite3_finalize(sq_stmt(st)->st);
    free(st);
}

static int sq_begin(struct db *db)
{
    /* IMMEDIATE takes the write lock now, so a busy database fails here (after the busy
     * timeout) rather than at the first write with half the work done. */
    return sq_exec(db, "BEGIN IMMEDIATE");
}

static int sq_commit(struct db *db)
{
    return sq_exec(db, "COMMIT");
}

static void sq_rollback(struct db *db)
{
    struct sq_db *d = sq_db(db);
    if (sqlite3_get_autocommit(d->h))
        return; /* SQLite already rolled back (e.g. after SQLITE_FULL) or nothing was open */
    char *msg = NULL;
    if (sqlite3_exec(d->h, "ROLLBACK", NULL, NULL, &msg) != SQLITE_OK)
        log_error("sqlite rollback failed: %s", msg ? msg : "?");
    sqlite3_free(msg);
}

static int sq_ping(struct db *db)
{
    return sq_exec(db, "SELECT 1");
}

static const struct db_ops sq_ops = {
    .close = sq_close,
    .exec = sq_exec,
    .prepare = sq_prepare,
    .bind_int64 = sq_bind_int64,
    .bind_text = sq_bind_text,
    .bind_blob = sq_bind_blob,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .col_count = sq_col_count,
    .col_is_null = sq_col_is_null,
    .col_int64 = sq_col_int64,
    .col_text = sq_col_text,
    .col_blob = sq_col_blob,
    .changes = sq_changes,
    .reset = sq_reset,
    .finalize = sq_finalize,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .ping = sq_ping,
    .lose = NULL, /* nothing to drop: an embedded database cannot lose its connection */
};

static int sq_journal_mode_cb(void *arg, int ncols, char **vals, char **names)
{
    char *out = arg;
    if (ncols > 0 && vals[0])
        snprintf(out, 16, "%s", vals[0]);
    return 0;
}

int db_sqlite_open(const struct db_config *cfg, struct db **out)
{
    *out = NULL;
    struct sq_db *d = NULL;
    int rc = db_sqlite_vfs_install();
    if (rc)
        return rc;
    if (!cfg->sqlite_path[0] || !memchr(cfg->sqlite_path, 0, sizeof(cfg->sqlite_path)))
        return SB_EINVAL;
    d = calloc(1, sizeof(*d));
    if (!d)
        return SB_ENOMEM;
    d->base.ops = &sq_ops;
    d->base.backend = DB_SQLITE;
    d->is_memory = strcmp(cfg->sqlite_path, ":memory:") == 0;

    /* NOMUTEX: a connection has one owner thread at a time, so SQLite's per-connection mutex
     * would only cost. */
    int src =
        sqlite3_open_v2(cfg->sqlite_path, &d->h,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (src != SQLITE_OK) {
        rc = d->h ? sq_fail_h(d, src) : SB_ENOMEM;
        log_error("sqlite open %s failed: %s", cfg->sqlite_path, d->base.errmsg);
        goto fail;
    }
    sqlite3_extended_result_codes(d->h, 1);
    sqlite3_busy_timeout(d->h,
                         cfg->busy_timeout_ms > 0 ? cfg->busy_timeout_ms : SQ_DEFAULT_BUSY_MS);

    char mode[16] = "";
    char *msg = NULL;
    src = sqlite3_exec(d->h, "PRAGMA journal_mode=WAL", sq_journal_mode_cb, mode, &msg);
    if (src != SQLITE_OK) {
        rc = sq_fail(d, sqlite3_extended_errcode(d->h), msg);
        sqlite3_free(msg);
        goto fail;
    }
    if (!d->is_memory && strcmp(mode, "wal") != 0)
        log_warn("sqlite %s: journal_mode is %s, not wal", cfg->sqlite_path, mode);

    rc = sq_exec(&d->base, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON");
    if (rc)
        goto fail;
    *out = &d->base;
    return 0;
fail:
    sqlite3_close(d->h);
    free(d);
    return rc;
}
