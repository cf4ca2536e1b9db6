/* writer.h — the group-commit writer for high-rate inserts (inbound webhooks).
 *
 * One thread owns one connection. Callers on any thread hand it a write function; the writer
 * runs many callers' functions inside one transaction (each under its own SAVEPOINT, so one
 * failure does not spoil the others), commits once (one fsync), and only then wakes every
 * caller of that batch. "Acknowledged means committed": db_writer_run() returns 0 only after
 * the caller's changes are durable. */
#ifndef SB_DB_WRITER_H
#define SB_DB_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

struct db_writer;

typedef int (*db_write_fn)(struct db *db, void *arg);

struct db_writer_stats {
    uint64_t batches; /* committed transactions */
    uint64_t items;   /* write functions that succeeded and were committed */
    uint64_t failed;  /* write functions or batches that failed */
    uint64_t queued;  /* callers inside db_writer_run now (queued or in the running batch) */
};

/* Opens its own connection with `cfg` and starts the thread. `queue_cap` bounds waiting
 * callers (SB_EFULL beyond), `max_batch` bounds items per transaction. */
int db_writer_start(const struct db_config *cfg, size_t queue_cap, size_t max_batch,
                    struct db_writer **out);

/* Runs fn(db, arg) in the next batch and blocks until it is committed. Returns fn's own error
 * (its changes rolled back), the commit's error (nothing of the batch kept), SB_EFULL, or
 * SB_EUNAVAIL after stop. Any thread except the writer's. */
int db_writer_run(struct db_writer *w, db_write_fn fn, void *arg);

void db_writer_stats(struct db_writer *w, struct db_writer_stats *out);

/* Finishes queued work, stops the thread, closes the connection, frees w. NULL is fine. */
void db_writer_stop(struct db_writer *w);

/* SQLite only: the number of xSync (fsync) calls made by all SQLite connections of this
 * process, counted by a VFS shim installed as default at first db_open. */
uint64_t db_sqlite_sync_count(void);

#endif
