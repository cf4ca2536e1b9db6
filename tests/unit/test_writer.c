/* test_writer.c — the group-commit writer, on a file-backed SQLite database and, when
 * SB_TEST_PG_CONNINFO is set, on PostgreSQL.
 *
 * Batch composition is made deterministic with a "gate" write: it holds the writer thread
 * inside a batch while the test queues the callers it wants in the next batch, and the test
 * waits (by polling the writer's queue depth, not by sleeping a fixed time) until they are
 * all queued before opening the gate. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <pthread.h>

#include "core/err.h"
#include "core/log.h"
#include "db/db.h"
#include "db/fault.h"
#include "db/writer.h"

#define N_THREADS 16
#define N_INSERTS 10000

static struct db_config g_cfg;
static struct db_config g_admin; /* PG only: without the test search_path */
static char g_schema[64];

/* ---- store per test ---------------------------------------------------------------------- */

/* SB_TEST_TMP (set by ctest; created here on first use) or /tmp. */
static const char *tmp_dir(void)
{
    const char *d = getenv("SB_TEST_TMP");
    if (!d || !*d)
        return "/tmp";
    if (mkdir(d, 0700) != 0 && errno != EEXIST)
        return "/tmp";
    return d;
}

static void sqlite_remove_files(const char *path)
{
    char p[600];
    unlink(path);
    snprintf(p, sizeof(p), "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", path);
    unlink(p);
}

static void pg_conninfo_with_schema(char *out, size_t cap, const char *base, const char *schema)
{
    if (strstr(base, "://"))
        snprintf(out, cap, "%s%soptions=-csearch_path%%3D%s", base, strchr(base, '?') ? "&" : "?",
                 schema);
    else
        snprintf(out, cap, "%s options='-csearch_path=%s'", base, schema);
}

/* A fresh, migrated store with the tables the writes below use. */
static int setup(void **state)
{
    db_fault_clear();
    if (g_cfg.backend == DB_SQLITE) {
        sqlite_remove_files(g_cfg.sqlite_path);
    } else {
        struct db *admin = NULL;
        if (db_open(&g_admin, &admin))
            return -1;
        char sql[256];
        snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", g_schema,
                 g_schema);
        int rc = db_exec(admin, sql);
        db_close(admin);
        if (rc)
            return -1;
    }
    struct db *db = NULL;
    if (db_open(&g_cfg, &db))
        return -1;
    int rc = db_migrate(db);
    if (rc == 0)
        rc = db_exec(db, "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
                         "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER "
                         "REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)");
    db_close(db);
    return rc ? -1 : 0;
}

static int teardown(void **state)
{
    db_fault_clear();
    if (g_cfg.backend == DB_SQLITE)
        sqlite_remove_files(g_cfg.sqlite_path);
    return 0;
}

static int64_t count_where(const char *sql)
{
    /* A fresh connection: what is there is what was committed. */
    struct db *db = NULL;
    int64_t n = -1;
    assert_int_equal(db_open(&g_cfg, &db), 0);
    assert_int_equal(db_query_int64(db, sql, &n, 0), 0);
    db_close(db);
    return n;
}

/* ---- write functions --------------------------------------------------------------------- */

static int insert_probe(struct db *db, const char *note)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, "INSERT INTO api_probe (note, created_at) VALUES (?, ?)", &st);
    if (rc)
        return rc;
    rc = db_bind_text(st, 1, note, -1);
    if (rc == 0)
        rc = db_bind_int64(st, 2, 1700000000000);
    if (rc == 0)
        rc = db_step(st);
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

static int w_insert(struct db *db, void *arg)
{
    return insert_probe(db, arg ? arg : "w");
}

/* Writes, then fails on its own: its row must vanish, its batch-mates' must not. */
static int w_insert_then_fail(struct db *db, void *arg)
{
    int rc = insert_probe(db, "must-vanish");
    return rc ? rc : SB_EINVALID;
}

/* Fails inside the database (a duplicate key); on PostgreSQL this aborts the transaction
 * until the savepoint is rolled back. */
static int w_duplicate(struct db *db, void *arg)
{
    return db_exec(db, "INSERT INTO settings (key, value, updated_at) VALUES ('dup', '1', 1)");
}

/* Breaks a deferred foreign key: only COMMIT notices. */
static int w_orphan(struct db *db, void *arg)
{
    return db_exec(db, "INSERT INTO child (id, parent_id) VALUES (1, 999)");
}

static atomic_int g_count_calls;

static int w_count(struct db *db, void *arg)
{
    atomic_fetch_add(&g_count_calls, 1);
    return insert_probe(db, "counted");
}

struct gate {
    pthread_mutex_t m;
    pthread_cond_t c;
    bool entered;
    bool open;
};

static struct gate g_gate;

static void gate_reset(void)
{
    pthread_mutex_init(&g_gate.m, NULL);
    pthread_cond_init(&g_gate.c, NULL);
    g_gate.entered = g_gate.open = false;
}

static void gate_destroy(void)
{
    pthread_mutex_destroy(&g_gate.m);
    pthread_cond_destroy(&g_gate.c);
}

/* Runs on the writer thread: announces itself, waits for the test to open the gate. */
static int w_gate(struct db *db, void *arg)
{
    pthread_mutex_lock(&g_gate.m);
    g_gate.entered = true;
    pthread_cond_broadcast(&g_gate.c);
    while (!g_gate.open)
        pthread_cond_wait(&g_gate.c, &g_gate.m);
    pthread_mutex_unlock(&g_gate.m);
    return insert_probe(db, "gate");
}

static void gate_wait_entered(void)
{
    pthread_mutex_lock(&g_gate.m);
    while (!g_gate.entered)
        pthread_cond_wait(&g_gate.c, &g_gate.m);
    pthread_mutex_unlock(&g_gate.m);
}

static void gate_open(void)
{
    pthread_mutex_lock(&g_gate.m);
    g_gate.open = true;
    pthread_cond_broadcast(&g_gate.c);
    pthread_mutex_unlock(&g_gate.m);
}

struct call {
    struct db_writer *w;
    db_write_fn fn;
    void *arg;
    int rc;
    pthread_t th;
};

static void *call_thread(void *p)
{
    struct call *c = p;
    c->rc = db_writer_run(c->w, c->fn, c->arg);
    return NULL;
}

static void call_start(struct call *c, struct db_writer *w, db_write_fn fn, void *arg)
{
    c->w = w;
    c->fn = fn;
    c->arg = arg;
    c->rc = 1; /* not a possible result */
    assert_int_equal(pthread_create(&c->th, NULL, call_thread, c), 0);
}

/* Waits until `n` callers are inside db_writer_run (queued or in the running batch). */
static void wait_queued(struct db_writer *w, uint64_t n)
{
    for (;;) {
        struct db_writer_stats s;
        db_writer_stats(w, &s);
        if (s.queued >= n)
            return;
        usleep(1000);
    }
}

/* ---- tests ------------------------------------------------------------------------------- */

struct load_arg {
    struct db_writer *w;
    int n;
    int failures;
};

static void *load_thread(void *p)
{
    struct load_arg *a = p;
    for (int i = 0; i < a->n; i++)
        if (db_writer_run(a->w, w_insert, NULL) != 0)
            a->failures++;
    return NULL;
}

static void test_10k_from_16_threads(void **state)
{
    struct db_writer *w = NULL;
    assert_int_equal(db_writer_start(&g_cfg, 64, 64, &w), 0);
    uint64_t syncs_before = db_sqlite_sync_count();

    pthread_t th[N_THREADS];
    struct load_arg args[N_THREADS];
    for (int i = 0; i < N_THREADS; i++) {
        args[i] = (struct load_arg){.w = w, .n = N_INSERTS / N_THREADS};
        assert_int_equal(pthread_create(&th[i], NULL, load_thread, &args[i]), 0);
    }
    for (int i = 0; i < N_THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].failures, 0);
    }
    struct db_writer_stats s;
    db_writer_stats(w, &s);
    db_writer_stop(w);
    uint64_t syncs = db_sqlite_sync_count() - syncs_before;

    assert_int_equal(s.items, N_INSERTS);
    assert_int_equal(s.failed, 0);
    assert_int_equal(s.queued, 0);
    assert_int_equal(count_where("SELECT COUNT(*) FROM api_probe"), N_INSERTS);
    printf("    %s: %d inserts in %llu batches (%.1f per commit)",
           g_cfg.backend == DB_PG ? "pg" : "sqlite", N_INSERTS, (unsigned long long)s.batches,
           (double)N_INSERTS / (double)s.batches);
    assert_true(s.batches < N_INSERTS / 10);
    if (g_cfg.backend == DB_SQLITE) {
        printf(", %llu fsyncs", (unsigned long long)syncs);
        /* synchronous=FULL really syncs, and group commit makes it rare. */
        assert_true(syncs > 0);
        assert_true(syncs < N_INSERTS / 10);
    }
    printf("\n");
}

static void test_failed_write_does_not_spoil_batch(void **state)
{
    struct db_writer *w = NULL;
    assert_int_equal(db_writer_start(&g_cfg, 16, 16, &w), 0);
    /* The duplicate's key exists before the batch. */
    struct call pre;
    call_start(&pre, w, w_duplicate, NULL);
    pthread_join(pre.th, NULL);
    assert_int_equal(pre.rc, 0);
    struct db_writer_stats s0;
    db_writer_stats(w, &s0);

    gate_reset();
    struct call gate, c[5];
    call_start(&gate, w, w_gate, NULL);
    gate_wait_entered();
    call_start(&c[0], w, w_insert, "good");
    call_start(&c[1], w, w_insert_then_fail, NULL);
    call_start(&c[2], w, w_insert, "good");
    call_start(&c[3], w, w_duplicate, NULL);
    call_start(&c[4], w, w_insert, "good");
    wait_queued(w, 6);
    gate_open();
    pthread_join(gate.th, NULL);
    for (int i = 0; i < 5; i++)
        pthread_join(c[i].th, NULL);

    assert_int_equal(gate.rc, 0);
    assert_int_equal(c[0].rc, 0);
    assert_int_equal(c[1].rc, SB_EINVALID);
    assert_int_equal(c[2].rc, 0);
    assert_int_equal(c[3].rc, SB_ECONFLICT);
    assert_int_equal(c[4].rc, 0);

    struct db_writer_stats s;
    db_writer_stats(w, &s);
    assert_int_equal(s.batches - s0.batches, 2); /* the gate's, then all five together */
    assert_int_equal(s.items - s0.items, 4);
    assert_int_equal(s.failed - s0.failed, 2);
    db_writer_stop(w);
    gate_destroy();

    assert_int_equal(count_where("SELECT COUNT(*) FROM api_probe WHERE note = 'good'"), 3);
    assert_int_equal(count_where("SELECT COUNT(*) FROM api_probe WHERE note = 'gate'"), 1);
    assert_int_equal(count_where("SELECT COUNT(*) FROM api_probe WHERE note = 'must-vanish'"), 0);
    assert_int_equal(count_where("SELECT COUNT(*) FROM settings"), 1);
}

static void test_commit_failure_fails_whole_batch(void **state)
{
    struct db_writer *w = NULL;
    assert_int_equal(db_writer_start(&g_cfg, 16, 16, &w), 0);
    gate_reset();
    struct call gate, c[3];
    call_start(&gate, w, w_gate, NULL);
    gate_wait_entered();
    call_start(&c[0], w, w_insert, "lost");
    call_start(&c[1], w, w_orphan, NULL);
    call_start(&c[2], w, w_insert, "lost");
    wait_queued(w, 4);
    gate_open();
    pthread_join(gate.th, NULL);
    for (int i = 0; i < 3; i++)
        pthread_join(c[i].th, NULL);

    assert_int_equal(gate.rc, 0);
    /* Every function succeeded, the COMMIT did not: nobody may be told "committed". */
    assert_true(c[0].rc < 0);
    assert_int_equal(c[1].rc, c[0].rc);
    assert_int_equal(c[2].rc, c[0].rc);
    struct db_writer_stats s;
    db_writer_stats(w, &s);
    assert_int_equal(s.batches, 1);
    assert_int_equal(s.items, 1);
    assert_int_equal(s.failed, 3);

    /* The writer carries on with the next batch. */
    assert_int_equal(db_writer_run(w, w_insert, "after"), 0);
    db_writer_stop(w);
    gate_destroy();
    assert_int_equal(count_where("SELECT COUNT(*) FROM api_probe WHERE note = 'lost'"), 0);
    assert_int_equal(count_where("SELECT COUNT(*) FROM child"), 0);
    assert_int_equal(count_where("SELECT COUNT(*) FROM api_probe"), 2);
}

static void test_queue_full(void **state)
{
    struct db_writer *w = NULL;
    atomic_store(&g_count_calls, 0);
    assert_int_equal(db_writer_start(&g_cfg, 1, 8, &w), 0);
    gate_reset();
    struct call gate;
    call_start(&gate, w, w_gate, NULL);
    gate_wait_entered();

    /* The one slot is taken by the caller inside the batch. */
    assert_int_equal(db_writer_run(w, w_count, NULL), SB_EFULL);
    assert_int_equal(db_writer_run(w, w_count, NULL), SB_EFULL);
    struct db_writer_stats s;
    db_writer_stats(w, &s);
    assert_int_equal(s.queued, 1);
    assert_int_equal(s.failed, 0);

    gate_open();
    pthread_join(gate.th, NULL);
    assert_int_equal(gate.rc, 0);
    assert_int_equal(atomic_load(&g_count_calls), 0);

    /* Room again. */
    assert_int_equal(db_writer_run(w, w_count, NULL), 0);
    assert_int_equal(atomic_load(&g_count_calls), 1);
    db_writer_stats(w, &s);
    assert_int_equal(s.items, 2);
    assert_int_equal(s.failed, 0);
    db_writer_stop(w);
    gate_destroy();
    assert_int_equal(count_where("SELECT COUNT(*) FROM api_probe"), 2);
}

static void test_fault_and_bad_arguments(void **state)
{
    struct db_writer *w = NULL;
    assert_int_equal(db_writer_start(&g_cfg, 0, 8, &w), SB_EINVAL);
    assert_null(w);
    assert_int_equal(db_writer_start(&g_cfg, 8, 0, &w), SB_EINVAL);
    assert_int_equal(db_writer_start(&g_cfg, 8, 8, &w), 0);
    assert_int_equal(db_writer_run(w, NULL, NULL), SB_EINVAL);

    /* The writer is idle, so its BEGIN is the next database operation. */
    db_fault_set(DB_FAULT_FULL, 1);
    assert_int_equal(db_writer_run(w, w_insert, "faulted"), SB_EIO);
    db_fault_set(DB_FAULT_BUSY, 1);
    assert_int_equal(db_writer_run(w, w_insert, "faulted"), SB_EBUSY);
    /* Lost: on PostgreSQL the writer's connection is really dropped and comes back. */
    db_fault_set(DB_FAULT_LOST, 1);
    assert_int_equal(db_writer_run(w, w_insert, "faulted"), SB_EUNAVAIL);
    assert_int_equal(db_writer_run(w, w_insert, "ok"), 0);
    struct db_writer_stats s;
    db_writer_stats(w, &s);
    assert_int_equal(s.failed, 3);
    assert_int_equal(s.items, 1);
    db_writer_stop(w);
    db_writer_stop(NULL);
    assert_int_equal(count_where("SELECT COUNT(*) FROM api_probe WHERE note = 'faulted'"), 0);
    assert_int_equal(count_where("SELECT COUNT(*) FROM api_probe WHERE note = 'ok'"), 1);
}

#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)

static const struct CMUnitTest tests[] = {
    T(test_10k_from_16_threads),
    T(test_failed_write_does_not_spoil_batch),
    T(test_commit_failure_fails_whole_batch),
    T(test_queue_full),
    T(test_fault_and_bad_arguments),
};

int main(void)
{
    int failures = 0;
    log_open(NULL, LOG_WARN);

    g_cfg.backend = DB_SQLITE;
    snprintf(g_cfg.sqlite_path, sizeof(g_cfg.sqlite_path), "%s/sb_test_writer_%d.sqlite", tmp_dir(),
             (int)getpid());
    failures += cmocka_run_group_tests_name("writer/sqlite", tests, NULL, NULL);

    const char *pg = getenv("SB_TEST_PG_CONNINFO");
    if (pg && *pg) {
        memset(&g_cfg, 0, sizeof(g_cfg));
        g_admin.backend = DB_PG;
        snprintf(g_admin.pg_conninfo, sizeof(g_admin.pg_conninfo), "%s", pg);
        snprintf(g_schema, sizeof(g_schema), "sbt_writer_%d", (int)getpid());
        g_cfg.backend = DB_PG;
        pg_conninfo_with_schema(g_cfg.pg_conninfo, sizeof(g_cfg.pg_conninfo), pg, g_schema);
        failures += cmocka_run_group_tests_name("writer/pg", tests, NULL, NULL);
        struct db *admin = NULL;
        if (db_open(&g_admin, &admin) == 0) {
            char sql[128];
            snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS %s CASCADE", g_schema);
            db_exec(admin, sql);
            db_close(admin);
        }
    } else {
        printf("SB_TEST_PG_CONNINFO not set: PostgreSQL tests skipped\n");
    }
    return failures;
}
