/* test_memberships.c — what routing reads: queue_effective_member_ids() is the union of direct
 * members and the agents of associated teams, each once, without deleted agents; team and
 * queue links end cleanly; agent_delete_many() is all or nothing. SQLite, a fresh file per
 * test. */
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

#include "core/err.h"
#include "db/db.h"
#include "routing/queues.h"
#include "staff/agents.h"
#include "staff/teams.h"

static char g_path[512];

static int setup(void **state)
{
    const char *d = getenv("SB_TEST_TMP");
    if (!d || !*d || (mkdir(d, 0700) != 0 && errno != EEXIST))
        d = "/tmp";
    snprintf(g_path, sizeof(g_path), "%s/test_memberships_%d.db", d, (int)getpid());
    char p[600];
    unlink(g_path);
    snprintf(p, sizeof(p), "%s-wal", g_path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", g_path);
    unlink(p);
    struct db_config cfg = {.backend = DB_SQLITE};
    snprintf(cfg.sqlite_path, sizeof(cfg.sqlite_path), "%s", g_path);
    struct db *db = NULL;
    if (db_open(&cfg, &db) || db_migrate(db))
        return -1;
    *state = db;
    return 0;
}

static int teardown(void **state)
{
    db_close(*state);
    unlink(g_path);
    return 0;
}

static int64_t agent(struct db *db, const char *username)
{
    json_t *settings = json_object();
    struct agent_new a = {.username = username,
                          .full_name = username,
                          .typology = "phonebar",
                          .password_hash = "x",
                          .min_internal = 1000,
                          .settings = settings};
    int64_t id = 0, internal = 0;
    const char *conflict = NULL;
    assert_int_equal(agent_create(db, &a, 1, &id, &internal, &conflict), 0);
    json_decref(settings);
    return id;
}

static int64_t queue(struct db *db, const char *name)
{
    json_t *body = json_pack("{s:s, s:s}", "channel", "chat", "name", name);
    json_t *clean = NULL, *errors = NULL;
    assert_int_equal(queue_validate(body, NULL, &clean, &errors), 0);
    int64_t id = 0;
    assert_int_equal(queue_create(db, clean, 1, &id), 0);
    json_decref(clean);
    json_decref(body);
    return id;
}

static int64_t team(struct db *db, const char *name)
{
    json_t *body = json_pack("{s:s}", "name", name);
    json_t *clean = NULL, *errors = NULL;
    assert_int_equal(team_validate(body, NULL, &clean, &errors), 0);
    int64_t id = 0;
    assert_int_equal(team_create(db, clean, 1, &id), 0);
    json_decref(clean);
    json_decref(body);
    return id;
}

/* Asserts the queue's effective members are exactly `want[0..n)` (ascending). */
static void expect_members(struct db *db, int64_t q, const int64_t *want, size_t n)
{
    int64_t *ids = NULL;
    size_t got = 99;
    assert_int_equal(queue_effective_member_ids(db, q, &ids, &got), 0);
    assert_int_equal(got, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(ids[i], want[i]);
    if (!n)
        assert_null(ids);
    free(ids);
}

static void test_union_of_direct_and_team_members(void **state)
{
    struct db *db = *state;
    int64_t a = agent(db, "a"), b = agent(db, "b"), c = agent(db, "c"), d = agent(db, "d");
    int64_t q = queue(db, "Q"), other = queue(db, "Other");
    int64_t t1 = team(db, "T1"), t2 = team(db, "T2");
    expect_members(db, q, NULL, 0);

    json_t *direct = json_pack("[I, I]", (json_int_t)b, (json_int_t)a);
    int64_t bad = 0;
    assert_int_equal(queue_add_agents(db, q, direct, 1, &bad), 0);
    json_t *m1 = json_pack("[I, I]", (json_int_t)b, (json_int_t)c);
    json_t *m2 = json_pack("[I]", (json_int_t)c);
    size_t badi = 9;
    assert_int_equal(team_add_agents(db, t1, m1, NULL, 0, 1, &badi), 0);
    assert_int_equal(team_add_agents(db, t2, m2, NULL, 0, 1, &badi), 0);
    /* Teams not yet on the queue change nothing. */
    expect_members(db, q, (int64_t[]){a, b}, 2);

    json_t *teams = json_pack("[I, I]", (json_int_t)t1, (json_int_t)t2);
    assert_int_equal(queue_add_teams(db, q, teams, 1, &badi), 0);
    /* b is direct and in T1, c is in both teams: each once. d is in nothing. */
    expect_members(db, q, (int64_t[]){a, b, c}, 3);
    expect_members(db, other, NULL, 0);

    assert_int_equal(queue_remove_team(db, q, t1), 0);
    assert_int_equal(queue_remove_team(db, q, t1), SB_ENOTFOUND);
    expect_members(db, q, (int64_t[]){a, b, c}, 3);
    assert_int_equal(team_remove_agent(db, t2, c), 0);
    expect_members(db, q, (int64_t[]){a, b}, 2);
    (void)d;
    json_decref(direct);
    json_decref(m1);
    json_decref(m2);
    json_decref(teams);
}

static void test_deleted_agents_leave_queues_and_teams(void **state)
{
    struct db *db = *state;
    int64_t a = agent(db, "a"), b = agent(db, "b");
    int64_t q = queue(db, "Q"), t = team(db, "T");
    json_t *ids = json_pack("[I, I]", (json_int_t)a, (json_int_t)b);
    json_t *tids = json_pack("[I]", (json_int_t)t);
    size_t bad = 0;
    assert_int_equal(team_add_agents(db, t, ids, NULL, 0, 1, &bad), 0);
    assert_int_equal(queue_add_teams(db, q, tids, 1, &bad), 0);
    expect_members(db, q, (int64_t[]){a, b}, 2);
    assert_int_equal(agent_delete(db, a, 2), 0);
    expect_members(db, q, (int64_t[]){b}, 1);
    int64_t n = -1;
    assert_int_equal(
        db_query_int64(db, "SELECT COUNT(*) FROM team_members WHERE staff_id = ?", &n, 1, a), 0);
    assert_int_equal(n, 0);
    assert_int_equal(agent_delete(db, a, 3), SB_ENOTFOUND);
    json_decref(ids);
    json_decref(tids);
}

static void test_unknown_ids_change_nothing(void **state)
{
    struct db *db = *state;
    int64_t a = agent(db, "a"), q = queue(db, "Q"), t = team(db, "T");
    size_t bad = 0;
    json_t *teams = json_pack("[I, I]", (json_int_t)t, (json_int_t)999);
    assert_int_equal(queue_add_teams(db, q, teams, 1, &bad), SB_EINVALID);
    assert_int_equal(bad, 1);
    json_t *members = json_pack("[I, I]", (json_int_t)a, (json_int_t)q + 1000);
    assert_int_equal(team_add_agents(db, t, members, NULL, 0, 1, &bad), SB_EINVALID);
    assert_int_equal(bad, 1);
    json_t *one = json_pack("[I]", (json_int_t)a);
    assert_int_equal(team_add_agents(db, 999, one, NULL, 0, 1, &bad), SB_ENOTFOUND);
    int64_t n = -1;
    assert_int_equal(db_query_int64(db,
                                    "SELECT (SELECT COUNT(*) FROM queue_teams) + (SELECT COUNT(*) "
                                    "FROM team_members)",
                                    &n, 0),
                     0);
    assert_int_equal(n, 0);
    json_decref(teams);
    json_decref(members);
    json_decref(one);
}

static void test_delete_many_is_all_or_nothing(void **state)
{
    struct db *db = *state;
    int64_t a = agent(db, "a"), b = agent(db, "b"), c = agent(db, "c");
    size_t bad = 9;
    assert_int_equal(agent_delete_many(db, (int64_t[]){a, b, 424242}, 3, NULL, 0, 2, &bad),
                     SB_EINVALID);
    assert_int_equal(bad, 2);
    assert_int_equal(agent_delete_many(db, (int64_t[]){a, a}, 2, NULL, 0, 2, &bad), SB_EINVALID);
    assert_int_equal(bad, 1);
    int64_t live = 0;
    assert_int_equal(
        db_query_int64(db, "SELECT COUNT(*) FROM staff WHERE deleted_at IS NULL", &live, 0), 0);
    assert_int_equal(live, 3);
    assert_int_equal(agent_delete_many(db, (int64_t[]){c, a}, 2, NULL, 0, 2, &bad), 0);
    assert_int_equal(
        db_query_int64(db, "SELECT COUNT(*) FROM staff WHERE deleted_at IS NULL", &live, 0), 0);
    assert_int_equal(live, 1);
    assert_int_equal(agent_delete_many(db, NULL, 0, NULL, 0, 2, &bad), SB_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_union_of_direct_and_team_members, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deleted_agents_leave_queues_and_teams, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_unknown_ids_change_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_many_is_all_or_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
