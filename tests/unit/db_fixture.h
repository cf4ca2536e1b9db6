/* db_fixture.h — a fresh store per test for the storage tests: a new SQLite file, or a new
 * PostgreSQL schema that the connection's search_path points at (when SB_TEST_PG_CONNINFO is
 * set; scripts/pg-test-server.sh starts a throw-away server). Header-only: each test binary
 * includes it once. db_fixture_main() runs a group on SQLite, then on PostgreSQL when set. */
#ifndef SB_TESTS_DB_FIXTURE_H
#define SB_TESTS_DB_FIXTURE_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/db.h"
#include "db/fault.h"

static struct db_config g_cfg;   /* the backend under test, pointing at the fresh store */
static struct db_config g_admin; /* PG only: the server without the test search_path */
static char g_schema[64];

/* ---- fixtures ---------------------------------------------------------------------------- */

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

/* Appends a search_path option to a key=value or URI conninfo. */
static void pg_conninfo_with_schema(char *out, size_t cap, const char *base, const char *schema)
{
    if (strstr(base, "://"))
        snprintf(out, cap, "%s%soptions=-csearch_path%%3D%s", base, strchr(base, '?') ? "&" : "?",
                 schema);
    else
        snprintf(out, cap, "%s options='-csearch_path=%s'", base, schema);
}

static void fresh_store(void)
{
    if (g_cfg.backend == DB_SQLITE) {
        sqlite_remove_files(g_cfg.sqlite_path);
        return;
    }
    struct db *admin = NULL;
    assert_int_equal(db_open(&g_admin, &admin), 0);
    char sql[256];
    snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", g_schema,
             g_schema);
    assert_int_equal(db_exec(admin, sql), 0);
    db_close(admin);
}

static int setup_fresh(void **state)
{
    db_fault_clear();
    fresh_store();
    struct db *db = NULL;
    int rc = db_open(&g_cfg, &db);
    if (rc) {
        fprintf(stderr, "db_open failed: %d\n", rc);
        return -1;
    }
    *state = db;
    return 0;
}

static int setup_migrated(void **state)
{
    if (setup_fresh(state))
        return -1;
    int rc = db_migrate(*state);
    if (rc) {
        fprintf(stderr, "db_migrate failed: %d %s\n", rc, db_errmsg(*state));
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    db_fault_clear();
    db_close(*state);
    return 0;
}

/* Runs `tests` (n of them) as group `name` on SQLite, then on PostgreSQL when
 * SB_TEST_PG_CONNINFO is set; returns the failures. */
static inline int db_fixture_main(const char *name, const struct CMUnitTest *tests, size_t n)
{
    int failures = 0;
    char group[96];
    g_cfg.backend = DB_SQLITE;
    snprintf(g_cfg.sqlite_path, sizeof(g_cfg.sqlite_path), "%s/sb_%s_%d.sqlite", tmp_dir(), name,
             (int)getpid());
    snprintf(group, sizeof(group), "%s/sqlite", name);
    failures += _cmocka_run_group_tests(group, tests, n, NULL, NULL);
    sqlite_remove_files(g_cfg.sqlite_path);
    const char *pg = getenv("SB_TEST_PG_CONNINFO");
    if (!pg || !*pg) {
        printf("SB_TEST_PG_CONNINFO not set: PostgreSQL tests skipped\n");
        return failures;
    }
    memset(&g_cfg, 0, sizeof(g_cfg));
    g_admin.backend = DB_PG;
    snprintf(g_admin.pg_conninfo, sizeof(g_admin.pg_conninfo), "%s", pg);
    snprintf(g_schema, sizeof(g_schema), "sbt_%s_%d", name, (int)getpid());
    g_cfg.backend = DB_PG;
    pg_conninfo_with_schema(g_cfg.pg_conninfo, sizeof(g_cfg.pg_conninfo), pg, g_schema);
    snprintf(group, sizeof(group), "%s/pg", name);
    failures += _cmocka_run_group_tests(group, tests, n, NULL, NULL);
    struct db *admin = NULL;
    if (db_open(&g_admin, &admin) == 0) {
        char sql[128];
        snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS %s CASCADE", g_schema);
        db_exec(admin, sql);
        db_close(admin);
    }
    return failures;
}

#endif
