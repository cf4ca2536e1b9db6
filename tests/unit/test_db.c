/* test_db.c — the storage interface against SQLite, and against PostgreSQL when
 * SB_TEST_PG_CONNINFO is set (scripts/pg-test-server.sh starts a throw-away server).
 *
 * Every test gets a fresh store: a new SQLite file, or a new PostgreSQL schema that the
 * connection's search_path points at. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
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
#include "db/migrations.h"

#include "db_fixture.h"

static const char *blob_type(struct db *db)
{
    return db_backend_of(db) == DB_PG ? "BYTEA" : "BLOB";
}

static int64_t count_rows(struct db *db, const char *table)
{
    char sql[128];
    int64_t n = -1;
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", table);
    assert_int_equal(db_query_int64(db, sql, &n, 0), 0);
    return n;
}

static int insert_probe(struct db *db, const char *note, int64_t *id_out)
{
    struct db_stmt *st = NULL;
    int rc =
        db_prepare(db, "INSERT INTO api_probe (note, created_at) VALUES (?, ?) RETURNING id", &st);
    if (rc)
        return rc;
    db_bind_text(st, 1, note, -1);
    db_bind_int64(st, 2, 1700000000000);
    rc = db_step(st);
    if (rc == DB_ROW) {
        if (id_out)
            *id_out = db_col_int64(st, 0);
        rc = db_step(st);
    }
    if (rc == DB_DONE)
        rc = 0;
    db_finalize(st);
    return rc;
}

static int insert_setting(struct db *db, const char *key)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)", &st);
    if (rc)
        return rc;
    db_bind_text(st, 1, key, -1);
    db_bind_text(st, 2, "{\"v\":1}", -1);
    db_bind_int64(st, 3, 1);
    rc = db_step(st);
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

/* ---- tests ------------------------------------------------------------------------------- */

static void test_migrate_idempotent(void **state)
{
    struct db *db = *state;
    assert_int_equal(db_schema_version(db), 0);
    assert_int_equal(db_migrate(db), 0);
    assert_int_equal(db_schema_version(db), (int)sb_migrations_count);
    assert_int_equal(db_migrate(db), 0);
    assert_int_equal(db_schema_version(db), (int)sb_migrations_count);
    /* The tables of 0001 exist and take rows. */
    assert_int_equal(insert_setting(db, "k"), 0);
    assert_int_equal(insert_probe(db, "x", NULL), 0);
    assert_int_equal(count_rows(db, "schema_migrations"), (int64_t)sb_migrations_count);
    int64_t applied_at = 0;
    assert_int_equal(
        db_query_int64(db, "SELECT MIN(applied_at) FROM schema_migrations", &applied_at, 0), 0);
    assert_true(applied_at > INT64_C(1600000000000)); /* real UTC milliseconds */
}

struct migrate_arg {
    int rc;
    int version;
};

static void *migrate_thread(void *p)
{
    struct migrate_arg *a = p;
    struct db *db = NULL;
    a->rc = db_open(&g_cfg, &db);
    if (a->rc == 0)
        a->rc = db_migrate(db);
    a->version = a->rc == 0 ? db_schema_version(db) : -1;
    db_close(db);
    return NULL;
}

static void test_migrate_concurrent(void **state)
{
    /* Four processes' worth of migrators racing on one fresh store all succeed and the
     * migrations are recorded once. */
    pthread_t th[4];
    struct migrate_arg args[4] = {0};
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, migrate_thread, &args[i]), 0);
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].rc, 0);
        assert_int_equal(args[i].version, (int)sb_migrations_count);
    }
    assert_int_equal(count_rows(*state, "schema_migrations"), (int64_t)sb_migrations_count);
}

static void test_bind_types_and_nulls(void **state)
{
    struct db *db = *state;
    char sql[256];
    snprintf(sql, sizeof(sql),
             "CREATE TABLE t (n INTEGER PRIMARY KEY, i BIGINT, s TEXT, b %s, e TEXT, eb %s)",
             blob_type(db), blob_type(db));
    assert_int_equal(db_exec(db, sql), 0);

    static const unsigned char blob[] = {0x00, 0xff, 0x5c, 0x27, 0x3f, 0x00, 0x78};
    const char *text = "it's \"quoted\" \\ ? caf\xc3\xa9";
    struct db_stmt *st = NULL;
    assert_int_equal(
        db_prepare(db, "INSERT INTO t (n, i, s, b, e, eb) VALUES (?, ?, ?, ?, ?, ?)", &st), 0);
    /* Row 1: values at the edges. */
    assert_int_equal(db_bind_int64(st, 1, 1), 0);
    assert_int_equal(db_bind_int64(st, 2, INT64_MIN), 0);
    assert_int_equal(db_bind_text(st, 3, text, -1), 0);
    assert_int_equal(db_bind_blob(st, 4, blob, sizeof(blob)), 0);
    assert_int_equal(db_bind_text(st, 5, "", 0), 0);
    assert_int_equal(db_bind_blob(st, 6, NULL, 0), 0);
    assert_int_equal(db_step(st), DB_DONE);
    assert_int_equal(db_changes(st), 1);
    /* Row 2: NULL in every nullable column, through each way of saying NULL; bindings are
     * kept across reset, so every column is rebound. */
    assert_int_equal(db_reset(st), 0);
    assert_int_equal(db_bind_int64(st, 1, 2), 0);
    assert_int_equal(db_bind_null(st, 2), 0);
    assert_int_equal(db_bind_text(st, 3, NULL, -1), 0);
    assert_int_equal(db_bind_null(st, 4), 0);
    assert_int_equal(db_bind_null(st, 5), 0);
    assert_int_equal(db_bind_null(st, 6), 0);
    assert_int_equal(db_step(st), DB_DONE);
    /* Row 3: INT64_MAX and a text with an explicit length cutting it short. */
    assert_int_equal(db_reset(st), 0);
    assert_int_equal(db_bind_int64(st, 1, 3), 0);
    assert_int_equal(db_bind_int64(st, 2, INT64_MAX), 0);
    assert_int_equal(db_bind_text(st, 3, "abcdef", 3), 0);
    assert_int_equal(db_step(st), DB_DONE);
    /* Out-of-range bind index is a bug, reported as such. */
    assert_int_equal(db_bind_int64(st, 7, 1), SB_EINVAL);
    assert_int_equal(db_bind_int64(st, 0, 1), SB_EINVAL);
    db_finalize(st);

    assert_int_equal(db_prepare(db, "SELECT i, s, b, e, eb FROM t ORDER BY n", &st), 0);
    assert_int_equal(db_step(st), DB_ROW);
    assert_int_equal(db_col_count(st), 5);
    assert_true(db_col_int64(st, 0) == INT64_MIN);
    assert_string_equal(db_col_text(st, 1), text);
    size_t len = 99;
    const void *p = db_col_blob(st, 2, &len);
    assert_int_equal(len, sizeof(blob));
    assert_memory_equal(p, blob, sizeof(blob));
    assert_false(db_col_is_null(st, 3));
    assert_string_equal(db_col_text(st, 3), "");
    assert_false(db_col_is_null(st, 4));
    p = db_col_blob(st, 4, &len);
    assert_non_null(p);
    assert_int_equal(len, 0);

    assert_int_equal(db_step(st), DB_ROW);
    for (int c = 0; c < 5; c++)
        assert_true(db_col_is_null(st, c));
    assert_int_equal(db_col_int64(st, 0), 0);
    assert_null(db_col_text(st, 1));
    assert_null(db_col_blob(st, 2, &len));
    assert_int_equal(len, 0);

    assert_int_equal(db_step(st), DB_ROW);
    assert_true(db_col_int64(st, 0) == INT64_MAX);
    assert_string_equal(db_col_text(st, 1), "abc");
    assert_int_equal(db_step(st), DB_DONE);
    assert_int_equal(db_changes(st), 0);

    /* Reset re-runs the query with the same result. */
    assert_int_equal(db_reset(st), 0);
    assert_int_equal(db_step(st), DB_ROW);
    assert_true(db_col_int64(st, 0) == INT64_MIN);
    db_finalize(st);

    /* int64 parameters stay 64-bit in arithmetic (PG must not infer int4 for them). */
    int64_t v = 0;
    assert_int_equal(db_query_int64(db, "SELECT ? + 1", &v, 1, INT64_C(1700000000000)), 0);
    assert_true(v == INT64_C(1700000000001));
    assert_int_equal(
        db_query_int64(db, "SELECT COUNT(*) FROM t WHERE i > ? - 1", &v, 1, INT64_C(-5000000000)),
        0);
    assert_int_equal(v, 1);
}

static void test_changes_and_statement_left_open(void **state)
{
    struct db *db = *state;
    for (int i = 0; i < 5; i++)
        assert_int_equal(insert_probe(db, i % 2 ? "odd" : "even", NULL), 0);
    struct db_stmt *st = NULL;
    assert_int_equal(db_prepare(db, "UPDATE api_probe SET note = ? WHERE note = ?", &st), 0);
    db_bind_text(st, 1, "changed", -1);
    db_bind_text(st, 2, "even", -1);
    assert_int_equal(db_step(st), DB_DONE);
    assert_int_equal(db_changes(st), 3);
    db_finalize(st);
    assert_int_equal(db_prepare(db, "DELETE FROM api_probe WHERE note = ?", &st), 0);
    db_bind_text(st, 1, "nothing", -1);
    assert_int_equal(db_step(st), DB_DONE);
    assert_int_equal(db_changes(st), 0);
    db_finalize(st);
    /* A statement left unfinalized is cleaned up by db_close (the leak checker watches). */
    assert_int_equal(db_prepare(db, "SELECT id FROM api_probe", &st), 0);
    assert_int_equal(db_step(st), DB_ROW);
}

static void test_returning_id(void **state)
{
    struct db *db = *state;
    int64_t a = 0, b = 0;
    assert_int_equal(insert_probe(db, "first", &a), 0);
    assert_int_equal(insert_probe(db, "second", &b), 0);
    assert_true(a > 0);
    assert_true(b > a);
    int64_t got = 0;
    assert_int_equal(db_query_int64(db, "SELECT id FROM api_probe WHERE id = ?", &got, 1, b), 0);
    assert_true(got == b);
    /* No row: 0, not an error. */
    assert_int_equal(db_query_int64(db, "SELECT id FROM api_probe WHERE id = ?", &got, 1, b + 100),
                     0);
    assert_int_equal(got, 0);
}

static void test_unique_violation(void **state)
{
    struct db *db = *state;
    assert_int_equal(insert_setting(db, "dup"), 0);
    assert_int_equal(insert_setting(db, "dup"), SB_ECONFLICT);
    assert_true(strlen(db_errmsg(db)) > 0);
    /* The connection is fine afterwards. */
    assert_int_equal(insert_setting(db, "other"), 0);
    assert_int_equal(count_rows(db, "settings"), 2);
    /* A primary-key violation of an integer key is the same conflict. */
    assert_int_equal(db_exec(db, "INSERT INTO api_probe (id, note, created_at) VALUES (7, 'a', 1)"),
                     0);
    assert_int_equal(db_exec(db, "INSERT INTO api_probe (id, note, created_at) VALUES (7, 'b', 1)"),
                     SB_ECONFLICT);
    /* Other bugs are SB_EINVAL. */
    assert_int_equal(db_exec(db, "INSERT INTO settings (key) VALUES ('no value')"), SB_EINVAL);
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, "SELECT nope FROM nowhere", &st);
    if (rc == 0)
        rc = db_step(st); /* PostgreSQL only sees the SQL when it runs */
    assert_int_equal(rc, SB_EINVAL);
    db_finalize(st);
}

static void test_transactions(void **state)
{
    struct db *db = *state;
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(insert_setting(db, "gone"), 0);
    assert_int_equal(count_rows(db, "settings"), 1);
    db_rollback(db);
    assert_int_equal(count_rows(db, "settings"), 0);

    assert_int_equal(db_begin(db), 0);
    assert_int_equal(insert_setting(db, "kept"), 0);
    assert_int_equal(db_commit(db), 0);
    assert_int_equal(count_rows(db, "settings"), 1);
    db_rollback(db); /* nothing open: harmless */
    assert_int_equal(count_rows(db, "settings"), 1);

    /* A second connection sees only committed data. */
    struct db *other = NULL;
    assert_int_equal(db_open(&g_cfg, &other), 0);
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(insert_setting(db, "pending"), 0);
    assert_int_equal(count_rows(other, "settings"), 1);
    assert_int_equal(db_commit(db), 0);
    assert_int_equal(count_rows(other, "settings"), 2);
    db_close(other);
}

static void test_busy_from_real_lock(void **state)
{
    /* A second writer that cannot get the lock within its timeout gets SB_EBUSY. */
    struct db *db = *state;
    struct db_config cfg = g_cfg;
    cfg.busy_timeout_ms = 50;
    struct db *other = NULL;
    assert_int_equal(db_open(&cfg, &other), 0);
    assert_int_equal(insert_setting(db, "row"), 0);
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(db_exec(db, "UPDATE settings SET value = '2' WHERE key = 'row'"), 0);
    if (db_backend_of(db) == DB_SQLITE) {
        assert_int_equal(db_begin(other), SB_EBUSY);
    } else {
        assert_int_equal(db_begin(other), 0);
        assert_int_equal(db_exec(other, "UPDATE settings SET value = '3' WHERE key = 'row'"),
                         SB_EBUSY);
        db_rollback(other);
    }
    db_commit(db);
    /* Once the lock is gone the other connection writes normally. */
    assert_int_equal(db_begin(other), 0);
    assert_int_equal(db_exec(other, "UPDATE settings SET value = '4' WHERE key = 'row'"), 0);
    assert_int_equal(db_commit(other), 0);
    db_close(other);
}

static void test_placeholder_in_literals(void **state)
{
    struct db *db = *state;
    struct db_stmt *st = NULL;
    const char *sql = db_backend_of(db) == DB_PG
                          ? "SELECT '?', 'a''?''b', E'\\'?', \"?\".x, $$?$$, $t$?$t$, ? -- ?\n"
                            "FROM (SELECT 1 AS x) AS \"?\" /* ? /* ? */ ? */"
                          : "SELECT '?', 'a''?''b', '''?', \"?\".x, '?', '?', ? -- ?\n"
                            "FROM (SELECT 1 AS x) AS \"?\" /* ? */";
    assert_int_equal(db_prepare(db, sql, &st), 0);
    assert_int_equal(db_bind_text(st, 1, "bound", -1), 0);
    assert_int_equal(db_bind_text(st, 2, "extra", -1), SB_EINVAL); /* only one placeholder */
    assert_int_equal(db_step(st), DB_ROW);
    assert_string_equal(db_col_text(st, 0), "?");
    assert_string_equal(db_col_text(st, 1), "a'?'b");
    assert_string_equal(db_col_text(st, 2), "'?");
    assert_int_equal(db_col_int64(st, 3), 1);
    assert_string_equal(db_col_text(st, 4), "?");
    assert_string_equal(db_col_text(st, 5), "?");
    assert_string_equal(db_col_text(st, 6), "bound");
    db_finalize(st);
}

static void test_fault_busy_full(void **state)
{
    struct db *db = *state;
    assert_int_equal(db_fault_parse("busy"), DB_FAULT_BUSY);
    assert_int_equal(db_fault_parse("full"), DB_FAULT_FULL);
    assert_int_equal(db_fault_parse("lost"), DB_FAULT_LOST);
    assert_int_equal(db_fault_parse("nope"), DB_FAULT_NONE);
    assert_int_equal(db_fault_parse(NULL), DB_FAULT_NONE);

    db_fault_set(DB_FAULT_BUSY, 1);
    assert_int_equal(insert_setting(db, "a"), SB_EBUSY); /* fails at prepare */
    assert_int_equal(insert_setting(db, "a"), 0);        /* the fault was used up */

    /* Two faults: the statement prepares, then each step fails until they are used up. */
    struct db_stmt *st = NULL;
    assert_int_equal(db_prepare(db, "SELECT COUNT(*) FROM settings", &st), 0);
    db_fault_set(DB_FAULT_FULL, 2);
    assert_int_equal(db_step(st), SB_EIO);
    assert_int_equal(db_step(st), SB_EIO);
    assert_int_equal(db_step(st), DB_ROW);
    assert_int_equal(db_col_int64(st, 0), 1);
    db_finalize(st);

    /* Until cleared: begin, commit and ping all fail, and nothing is written. */
    db_fault_set(DB_FAULT_FULL, -1);
    assert_int_equal(db_begin(db), SB_EIO);
    assert_int_equal(db_ping(db), SB_EIO);
    assert_int_equal(db_exec(db, "DELETE FROM settings"), SB_EIO);
    db_fault_clear();
    assert_int_equal(count_rows(db, "settings"), 1);

    /* A commit that fails leaves the transaction to the caller's rollback. */
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(insert_setting(db, "b"), 0);
    db_fault_set(DB_FAULT_BUSY, 1);
    assert_int_equal(db_commit(db), SB_EBUSY);
    db_rollback(db);
    assert_int_equal(count_rows(db, "settings"), 1);
    assert_int_equal(db_ping(db), 0);
}

static int64_t backend_session_id(struct db *db)
{
    int64_t id = 0;
    if (db_backend_of(db) == DB_PG)
        assert_int_equal(db_query_int64(db, "SELECT pg_backend_pid()", &id, 0), 0);
    return id;
}

static void test_fault_lost(void **state)
{
    struct db *db = *state;
    int64_t pid_before = backend_session_id(db);
    db_fault_set(DB_FAULT_LOST, 1);
    assert_int_equal(db_ping(db), SB_EUNAVAIL);
    /* The next call reconnects (on PG a new server process serves us). */
    assert_int_equal(db_ping(db), 0);
    int64_t pid_after = backend_session_id(db);
    if (db_backend_of(db) == DB_PG)
        assert_true(pid_after != pid_before);
    /* Session setup was redone: UTC. */
    if (db_backend_of(db) == DB_PG) {
        struct db_stmt *st = NULL;
        assert_int_equal(db_prepare(db, "SHOW TIME ZONE", &st), 0);
        assert_int_equal(db_step(st), DB_ROW);
        assert_string_equal(db_col_text(st, 0), "UTC");
        db_finalize(st);
    }

    /* Lost inside a transaction: the transaction's work is gone, nothing silently continues
     * in autocommit, and after the rollback the connection works again. */
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(insert_setting(db, "in-lost-tx"), 0);
    struct db_stmt *st = NULL;
    assert_int_equal(db_prepare(db,
                                "INSERT INTO settings (key, value, updated_at) "
                                "VALUES ('after-loss', '1', 1)",
                                &st),
                     0);
    db_fault_set(DB_FAULT_LOST, 1);
    assert_int_equal(db_step(st), SB_EUNAVAIL);
    if (db_backend_of(db) == DB_PG) {
        assert_int_equal(db_step(st), SB_EUNAVAIL);
        assert_int_equal(db_commit(db), SB_EUNAVAIL);
    } else {
        db_rollback(db);
    }
    db_finalize(st);
    db_rollback(db);
    assert_int_equal(count_rows(db, "settings"), 0);
    assert_int_equal(insert_setting(db, "after"), 0);
    assert_int_equal(count_rows(db, "settings"), 1);
}

static void test_pg_commit_after_error_fails(void **state)
{
    /* PostgreSQL answers COMMIT of an aborted transaction with "ROLLBACK"; that must not be
     * reported as a successful commit. */
    struct db *db = *state;
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(insert_setting(db, "x"), 0);
    assert_int_equal(insert_setting(db, "x"), SB_ECONFLICT);
    assert_true(db_commit(db) < 0);
    db_rollback(db);
    assert_int_equal(count_rows(db, "settings"), 0);
}

static void test_pg_server_kills_connection(void **state)
{
    /* Not injected: the server ends our session. The call that notices fails with
     * SB_EUNAVAIL, the next one resets the connection. */
    struct db *db = *state;
    int64_t pid = backend_session_id(db);
    struct db *admin = NULL;
    int64_t killed = 0;
    assert_int_equal(db_open(&g_admin, &admin), 0);
    assert_int_equal(db_query_int64(admin,
                                    "SELECT CASE WHEN pg_terminate_backend(?::int) "
                                    "THEN 1 ELSE 0 END",
                                    &killed, 1, pid),
                     0);
    assert_int_equal(killed, 1);
    db_close(admin);
    assert_int_equal(insert_setting(db, "k"), SB_EUNAVAIL);
    assert_int_equal(insert_setting(db, "k"), 0);
    assert_true(backend_session_id(db) != pid);
    assert_int_equal(count_rows(db, "settings"), 1);
}

static void test_pg_unreachable_server(void **state)
{
    /* Nothing listens on port 1: open fails cleanly with SB_EUNAVAIL. */
    struct db_config cfg = {.backend = DB_PG};
    snprintf(cfg.pg_conninfo, sizeof(cfg.pg_conninfo),
             "host=127.0.0.1 port=1 dbname=x connect_timeout=2");
    struct db *db = (struct db *)1;
    assert_int_equal(db_open(&cfg, &db), SB_EUNAVAIL);
    assert_null(db);
}

/* ---- groups ------------------------------------------------------------------------------ */

#define FRESH(t)    cmocka_unit_test_setup_teardown(t, setup_fresh, teardown)
#define MIGRATED(t) cmocka_unit_test_setup_teardown(t, setup_migrated, teardown)

static const struct CMUnitTest common_tests[] = {
    FRESH(test_migrate_idempotent),
    FRESH(test_migrate_concurrent),
    MIGRATED(test_bind_types_and_nulls),
    MIGRATED(test_changes_and_statement_left_open),
    MIGRATED(test_returning_id),
    MIGRATED(test_unique_violation),
    MIGRATED(test_transactions),
    MIGRATED(test_busy_from_real_lock),
    MIGRATED(test_placeholder_in_literals),
    MIGRATED(test_fault_busy_full),
    MIGRATED(test_fault_lost),
};

static const struct CMUnitTest pg_only_tests[] = {
    MIGRATED(test_pg_commit_after_error_fails),
    MIGRATED(test_pg_server_kills_connection),
    cmocka_unit_test(test_pg_unreachable_server),
};

int main(void)
{
    int failures = 0;
    log_open(NULL, LOG_WARN);

    g_cfg.backend = DB_SQLITE;
    snprintf(g_cfg.sqlite_path, sizeof(g_cfg.sqlite_path), "%s/sb_test_db_%d.sqlite", tmp_dir(),
             (int)getpid());
    failures += cmocka_run_group_tests_name("db/sqlite", common_tests, NULL, NULL);
    sqlite_remove_files(g_cfg.sqlite_path);

    const char *pg = getenv("SB_TEST_PG_CONNINFO");
    if (pg && *pg) {
        memset(&g_cfg, 0, sizeof(g_cfg));
        g_admin.backend = DB_PG;
        snprintf(g_admin.pg_conninfo, sizeof(g_admin.pg_conninfo), "%s", pg);
        snprintf(g_schema, sizeof(g_schema), "sbt_db_%d", (int)getpid());
        g_cfg.backend = DB_PG;
        pg_conninfo_with_schema(g_cfg.pg_conninfo, sizeof(g_cfg.pg_conninfo), pg, g_schema);
        failures += cmocka_run_group_tests_name("db/pg", common_tests, NULL, NULL);
        failures += cmocka_run_group_tests_name("db/pg-only", pg_only_tests, NULL, NULL);
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
