/* writer.c — group commit (writer.h).
 *
 * Callers block in db_writer_run on a stack-allocated item; the writer thread takes up to
 * max_batch items, runs each under its own SAVEPOINT inside one transaction, commits once and
 * wakes them all. Items are only ever touched under w->lock or by the writer while the
 * caller is provably waiting, so no item outlives its caller's stack frame. */
#include "db/writer.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "core/err.h"
#include "core/log.h"

#define WRITER_MAX_QUEUE (1u << 20)
#define WRITER_MAX_BATCH (1u << 16)
/* How long the writer waits for callers it just woke to come back with their next write
 * before committing a smaller batch. Far below an fsync on real disks, so it costs latency
 * only when callers went away; it is what lets N busy callers share one commit instead of
 * splitting into two alternating half-batches. */
#define WRITER_GATHER_NS 2000000L

struct writer_item {
    db_write_fn fn;
    void *arg;
    int result;
    bool done;
    pthread_cond_t cond; /* signalled once, when done */
};

struct db_writer {
    struct db *db; /* the writer thread's own connection */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t work; /* CLOCK_MONOTONIC; new item or stop */
    struct writer_item **ring;
    size_t cap;      /* queue_cap */
    size_t head;     /* oldest queued item */
    size_t count;    /* queued, not yet taken */
    size_t admitted; /* callers inside db_writer_run; bounded by cap */
    size_t expect;   /* callers likely to be back soon (see WRITER_GATHER_NS) */
    size_t max_batch;
    struct writer_item **batch;
    bool stopping;
    struct db_writer_stats stats;
};

/* Holding w->lock: waits a little for the callers of the last batch to queue again. */
static void writer_gather(struct db_writer *w)
{
    size_t want = w->expect < w->max_batch ? w->expect : w->max_batch;
    if (w->count >= want || w->stopping)
        return;
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_nsec += WRITER_GATHER_NS;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    while (w->count < want && !w->stopping)
        if (pthread_cond_timedwait(&w->work, &w->lock, &deadline) == ETIMEDOUT)
            break;
}

/* Rolls back to and releases the item savepoint, leaving the transaction as it was before
 * the item. Returns 0, or the error that makes the whole transaction unusable. */
static int writer_undo_item(struct db *db)
{
    int rc = db_exec(db, "ROLLBACK TO SAVEPOINT sb_writer_item");
    if (rc == 0)
        rc = db_exec(db, "RELEASE SAVEPOINT sb_writer_item");
    return rc;
}

/* Runs one batch outside the lock and fills every item's result. Returns 0 when the
 * transaction committed (*ok_out items of it succeeded) or the batch's error. */
static int writer_run_batch(struct db_writer *w, struct writer_item **items, size_t n,
                            size_t *ok_out)
{
    struct db *db = w->db;
    size_t ok = 0;
    *ok_out = 0;
    int batch_err = db_begin(db);
    if (batch_err) {
        log_error("db writer: begin failed: %s", db_errmsg(db));
        goto fail;
    }
    for (size_t i = 0; i < n && !batch_err; i++) {
        struct writer_item *it = items[i];
        int rc = db_exec(db, "SAVEPOINT sb_writer_item");
        if (rc) {
            /* Nothing of this item ran; the next one may still get its savepoint. */
            it->result = rc;
            continue;
        }
        rc = it->fn(db, it->arg);
        if (rc == 0)
            rc = db_exec(db, "RELEASE SAVEPOINT sb_writer_item");
        if (rc) {
            it->result = rc;
            batch_err = writer_undo_item(db);
            if (batch_err)
                log_error("db writer: cannot undo a failed item: %s", db_errmsg(db));
            continue;
        }
        it->result = 0;
        ok++;
    }
    if (batch_err)
        goto fail;
    batch_err = db_commit(db);
    if (batch_err) {
        log_error("db writer: commit of %zu items failed: %s", n, db_errmsg(db));
        goto fail;
    }
    *ok_out = ok;
    return 0;
fail:
    db_rollback(db);
    /* Items that failed on their own keep their own error; everything else of the batch was
     * not committed and gets the batch's. */
    for (size_t i = 0; i < n; i++)
        if (items[i]->result == 0)
            items[i]->result = batch_err;
    return batch_err;
}

static void *writer_main(void *arg)
{
    struct db_writer *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (w->count == 0 && !w->stopping)
            pthread_cond_wait(&w->work, &w->lock);
        if (w->count == 0)
            break; /* stopping, and everything queued before the stop is done */
        writer_gather(w);

        size_t n = w->count < w->max_batch ? w->count : w->max_batch;
        for (size_t i = 0; i < n; i++) {
            w->batch[i] = w->ring[w->head];
            w->ring[w->head] = NULL;
            w->head = (w->head + 1) % w->cap;
        }
        w->count -= n;
        pthread_mutex_unlock(&w->lock);

        size_t ok = 0;
        bool committed = writer_run_batch(w, w->batch, n, &ok) == 0;

        pthread_mutex_lock(&w->lock);
        if (committed)
            w->stats.batches++;
        w->stats.items += ok;
        w->stats.failed += n - ok;
        for (size_t i = 0; i < n; i++) {
            w->batch[i]->done = true;
            pthread_cond_signal(&w->batch[i]->cond);
            w->batch[i] = NULL;
        }
        w->admitted -= n;
        w->expect = w->count + n;
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

int db_writer_start(const struct db_config *cfg, size_t queue_cap, size_t max_batch,
                    struct db_writer **out)
{
    *out = NULL;
    if (!cfg || queue_cap < 1 || queue_cap > WRITER_MAX_QUEUE || max_batch < 1 ||
        max_batch > WRITER_MAX_BATCH)
        return SB_EINVAL;
    bool lock_init = false, cond_init = false;
    pthread_condattr_t attr;
    struct db_writer *w = calloc(1, sizeof(*w));
    if (!w)
        return SB_ENOMEM;
    w->cap = queue_cap;
    w->max_batch = max_batch;
    int rc = SB_ENOMEM;
    w->ring = calloc(queue_cap, sizeof(*w->ring));
    w->batch = calloc(max_batch, sizeof(*w->batch));
    if (!w->ring || !w->batch)
        goto fail;
    rc = db_open(cfg, &w->db);
    if (rc)
        goto fail;
    rc = SB_EINTERNAL;
    if (pthread_mutex_init(&w->lock, NULL) != 0)
        goto fail;
    lock_init = true;
    if (pthread_condattr_init(&attr) != 0)
        goto fail;
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    int crc = pthread_cond_init(&w->work, &attr);
    pthread_condattr_destroy(&attr);
    if (crc != 0)
        goto fail;
    cond_init = true;
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0)
        goto fail;
    pthread_setname_np(w->thread, "sb-db-writer");
    *out = w;
    return 0;
fail:
    if (cond_init)
        pthread_cond_destroy(&w->work);
    if (lock_init)
        pthread_mutex_destroy(&w->lock);
    db_close(w->db);
    free(w->ring);
    free(w->batch);
    free(w);
    return rc;
}

int db_writer_run(struct db_writer *w, db_write_fn fn, void *arg)
{
    if (!w || !fn)
        return SB_EINVAL;
    /* The writer would wait for itself forever. */
    if (pthread_equal(pthread_self(), w->thread))
        return SB_EINVAL;
    struct writer_item it = {.fn = fn, .arg = arg};
    if (pthread_cond_init(&it.cond, NULL) != 0)
        return SB_EINTERNAL;
    int rc;
    pthread_mutex_lock(&w->lock);
    if (w->stopping) {
        rc = SB_EUNAVAIL;
    } else if (w->admitted >= w->cap) {
        rc = SB_EFULL;
    } else {
        w->ring[(w->head + w->count) % w->cap] = &it;
        w->count++;
        w->admitted++;
        pthread_cond_signal(&w->work);
        while (!it.done)
            pthread_cond_wait(&it.cond, &w->lock);
        rc = it.result;
    }
    pthread_mutex_unlock(&w->lock);
    pthread_cond_destroy(&it.cond);
    return rc;
}

void db_writer_stats(struct db_writer *w, struct db_writer_stats *out)
{
    pthread_mutex_lock(&w->lock);
    *out = w->stats;
    out->queued = w->admitted;
    pthread_mutex_unlock(&w->lock);
}

void db_writer_stop(struct db_writer *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    pthread_cond_broadcast(&w->work);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    db_close(w->db);
    pthread_cond_destroy(&w->work);
    pthread_mutex_destroy(&w->lock);
    free(w->ring);
    free(w->batch);
    free(w);
}
