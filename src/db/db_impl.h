/* db_impl.h — private to src/db: the backend vtable behind db.h.
 *
 * db.c owns the public entry points (fault injection, statement bookkeeping, argument checks)
 * and forwards to one of these tables. A backend embeds struct db / struct db_stmt as the
 * first member of its own structs. Same threading rule as db.h: one thread per connection. */
#ifndef SB_DB_DB_IMPL_H
#define SB_DB_DB_IMPL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

struct db_ops {
    /* Frees the backend connection and `db` itself; statements are already finalized. */
    void (*close)(struct db *db);
    int (*exec)(struct db *db, const char *sql);
    /* Allocates the backend statement; db.c links it into db->stmts. */
    int (*prepare)(struct db *db, const char *sql, struct db_stmt **out);
    int (*bind_int64)(struct db_stmt *st, int idx, int64_t v);
    int (*bind_text)(struct db_stmt *st, int idx, const char *s, size_t len);
    int (*bind_blob)(struct db_stmt *st, int idx, const void *p, size_t len);
    int (*bind_null)(struct db_stmt *st, int idx);
    int (*step)(struct db_stmt *st);
    int (*col_count)(struct db_stmt *st);
    bool (*col_is_null)(struct db_stmt *st, int col);
    int64_t (*col_int64)(struct db_stmt *st, int col);
    const char *(*col_text)(struct db_stmt *st, int col);
    const void *(*col_blob)(struct db_stmt *st, int col, size_t *len);
    int64_t (*changes)(struct db_stmt *st);
    int (*reset)(struct db_stmt *st);
    /* Frees the backend statement (already unlinked). */
    void (*finalize)(struct db_stmt *st);
    int (*begin)(struct db *db);
    int (*commit)(struct db *db);
    void (*rollback)(struct db *db);
    int (*ping)(struct db *db);
    /* Injected DB_FAULT_LOST: really drop the connection so the reconnect path runs. */
    void (*lose)(struct db *db);
};

struct db {
    const struct db_ops *ops;
    enum db_backend backend;
    struct db_stmt *stmts; /* open statements, finalized by db_close */
    char errmsg[512];
};

struct db_stmt {
    struct db *db;
    struct db_stmt *prev, *next;
};

/* Backend constructors: on success *out is a fully set-up connection (db->ops and
 * db->backend filled in); on error *out is NULL and nothing leaks. */
int db_sqlite_open(const struct db_config *cfg, struct db **out);
int db_pg_open(const struct db_config *cfg, struct db **out);

/* Installs the counting VFS shim as SQLite's default (once per process). Returns 0 or SB_EIO
 * when SQLite has no default VFS to wrap. Any thread. */
int db_sqlite_vfs_install(void);

/* Records the last error message of `db` (truncated to fit). Never pass bound values. */
void db_set_errmsg(struct db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
