/* db.h — the storage interface: one small API, two backends (SQLite default, PostgreSQL).
 *
 * A struct db is one connection and belongs to one thread at a time (DESIGN: one connection per
 * thread). SQL is portable: `?` placeholders (translated to $n for libpq), integer ids,
 * BIGINT UTC milliseconds, 0/1 booleans, RETURNING, ON CONFLICT.
 *
 * Every function returns 0 (or DB_ROW/DB_DONE for db_step) or a negative sb_err:
 *   SB_ECONFLICT  unique/primary-key violation
 *   SB_EBUSY      SQLITE_BUSY/LOCKED, PG lock timeout / serialization failure
 *   SB_EIO        disk full, I/O error
 *   SB_EUNAVAIL   connection lost (PG); the next call tries to reconnect
 *   SB_EINVAL     bad SQL or bad bind index (a bug)
 * The HTTP layer maps EBUSY/EIO/EUNAVAIL to 503 problem+json. */
#ifndef SB_DB_DB_H
#define SB_DB_DB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum db_backend { DB_SQLITE = 0, DB_PG = 1 };

struct db_config {
    enum db_backend backend;
    char sqlite_path[512];  /* file path, or ":memory:" */
    char pg_conninfo[1024]; /* libpq conninfo string or URI */
    int busy_timeout_ms;    /* SQLite busy handler wait; default 5000 when 0 */
};

struct db;
struct db_stmt;

enum { DB_DONE = 0, DB_ROW = 1 };

/* Opens a connection. SQLite: WAL, synchronous=FULL, foreign_keys=ON, busy timeout.
 * PostgreSQL: connects, sets UTC and a statement timeout. On error *out is NULL. */
int db_open(const struct db_config *cfg, struct db **out);

/* Closes the connection and any statement still open on it. NULL is fine. */
void db_close(struct db *db);

enum db_backend db_backend_of(const struct db *db);

/* Runs one or more statements without parameters or results (DDL, BEGIN…). */
int db_exec(struct db *db, const char *sql);

/* Prepares one statement with `?` placeholders. The statement belongs to `db`. */
int db_prepare(struct db *db, const char *sql, struct db_stmt **out);

/* Binds parameter `idx` (1-based). Text/blob are copied. len < 0 means strlen(s). */
int db_bind_int64(struct db_stmt *st, int idx, int64_t v);
int db_bind_text(struct db_stmt *st, int idx, const char *s, long len);
int db_bind_blob(struct db_stmt *st, int idx, const void *p, size_t len);
int db_bind_null(struct db_stmt *st, int idx);

/* Executes (first call) and advances. Returns DB_ROW when a row is available, DB_DONE at the
 * end, or a negative error. */
int db_step(struct db_stmt *st);

/* Column readers for the current row (0-based). Text is valid until the next step/reset/
 * finalize; NULL for SQL NULL. */
int db_col_count(struct db_stmt *st);
bool db_col_is_null(struct db_stmt *st, int col);
int64_t db_col_int64(struct db_stmt *st, int col);
const char *db_col_text(struct db_stmt *st, int col);
const void *db_col_blob(struct db_stmt *st, int col, size_t *len);

/* Rows changed by the last completed INSERT/UPDATE/DELETE step on this statement. */
int64_t db_changes(struct db_stmt *st);

/* Clears results so the statement can be stepped again; bindings are kept. */
int db_reset(struct db_stmt *st);

/* Frees the statement. NULL is fine. */
void db_finalize(struct db_stmt *st);

/* Transactions. db_rollback never fails visibly (errors are logged). */
int db_begin(struct db *db);
int db_commit(struct db *db);
void db_rollback(struct db *db);

/* Cheap liveness probe (SELECT 1); reconnects a lost PG connection. */
int db_ping(struct db *db);

/* The last backend error message, for logs (never contains bound values). */
const char *db_errmsg(struct db *db);

/* Applies the embedded migrations not yet recorded in schema_migrations, each in its own
 * transaction, in file-name order. Returns 0 or the first error (that migration is rolled
 * back; earlier ones stay). */
int db_migrate(struct db *db);

/* Number of applied migrations (for health/version output), or a negative error. */
int db_schema_version(struct db *db);

/* Binds parameters 1..n from a type string, one letter per parameter: 'i' int64_t,
 * 't' const char * (NULL binds SQL NULL), 'n' SQL NULL (takes no argument). Returns 0 or the
 * first bind error (SB_EINVAL for an unknown letter). */
int db_bind_all(struct db_stmt *st, const char *types, ...);
int db_bind_allv(struct db_stmt *st, const char *types, va_list ap);

/* Prepares `sql`, binds as db_bind_all, and runs it to completion (INSERT/UPDATE/DELETE
 * without RETURNING). *changes (may be NULL) gets the rows changed. */
int db_execf(struct db *db, int64_t *changes, const char *sql, const char *types, ...);

/* Called after every exec, step, begin, commit and ping, and for every failed prepare, with
 * whether it failed (for metrics). Set once at start-up before other threads use the
 * database; NULL = none. */
typedef void (*db_op_hook)(bool failed);
void db_set_op_hook(db_op_hook hook);

/* Convenience: runs `sql` with the given int64 parameters and returns the first column of the
 * first row in *out (0 when no row). */
int db_query_int64(struct db *db, const char *sql, int64_t *out, int nparams, ...);

#endif
