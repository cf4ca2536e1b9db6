/* test_acd.c — the ACD thread under concurrency: many threads log agents in, accept the offers
 * they see and close what they got, all at once, through acd_call. Whatever the interleaving,
 * no interaction is assigned twice, no agent ever holds more than its channel capacity, every
 * interaction is accepted once (one `accepted` report row each) and the engine's own
 * invariants hold. Also built with ThreadSanitizer (`cmake --preset tsan`; make check runs it).
 * On SQLite, and on PostgreSQL when SB_TEST_PG_CONNINFO is set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>

#include "admin/settings.h"
#include "app.h"
#include "core/err.h"
#include "core/log.h"
#include "db_fixture.h"
#include "interactions/inbound.h"
#include "routing/acd.h"
#include "routing/engine.h"
#include "routing/flow.h"

#define AGENTS       8
#define CAPACITY     2
#define INTERACTIONS 40

static int64_t count(struct db *db, const char *sql)
{
    int64_t n = -1;
    assert_int_equal(db_query_int64(db, sql, &n, 0), 0);
    return n;
}

static int64_t insert_id(struct db *db, const char *sql)
{
    struct db_stmt *st = NULL;
    int64_t id = 0;
    assert_int_equal(db_prepare(db, sql, &st), 0);
    assert_int_equal(db_step(st), DB_ROW);
    id = db_col_int64(st, 0);
    db_finalize(st);
    return id;
}

/* Agents 1..AGENTS with openchannel capacity CAPACITY, one beepall queue with all of them, an
 * Open Channel account whose flow queues for an hour. Returns the account id. */
static int64_t seed(struct db *db, int64_t *agents, int64_t *queue)
{
    for (int i = 0; i < AGENTS; i++) {
        char sql[256];
        snprintf(sql, sizeof(sql),
                 "INSERT INTO staff (username, full_name, role, created_at, updated_at) VALUES "
                 "('acd%d', 'Agent %d', 'agent', 0, 0) RETURNING id",
                 i, i);
        agents[i] = insert_id(db, sql);
        assert_int_equal(db_execf(db, NULL,
                                  "INSERT INTO agents (staff_id, typology, settings) VALUES (?, "
                                  "'webrtc', ?)",
                                  "it", agents[i], "{\"openchannel_capacity\": 2}"),
                         0);
    }
    *queue = insert_id(db, "INSERT INTO queues (channel, name, strategy, agent_timeout, weight, "
                           "created_at, updated_at) VALUES ('openchannel', 'race', 'beepall', "
                           "600, 0, 0, 0) RETURNING id");
    for (int i = 0; i < AGENTS; i++)
        assert_int_equal(db_execf(db, NULL,
                                  "INSERT INTO queue_members (queue_id, staff_id, added_at) "
                                  "VALUES (?, ?, 0)",
                                  "ii", *queue, agents[i]),
                         0);
    int64_t list = 0;
    assert_int_equal(
        db_query_int64(db, "SELECT id FROM contact_lists WHERE name = 'Default'", &list, 0), 0);
    char sql[256];
    snprintf(sql, sizeof(sql),
             "INSERT INTO openchannel_accounts (name, list_id, token_hash, created_at, "
             "updated_at) VALUES ('race', %lld, 'x', 0, 0) RETURNING id",
             (long long)list);
    int64_t account = insert_id(db, sql);
    /* Only the agents of the account are offered its interactions. */
    for (int i = 0; i < AGENTS; i++)
        assert_int_equal(db_execf(db, NULL,
                                  "INSERT INTO openchannel_account_agents (account_id, staff_id) "
                                  "VALUES (?, ?)",
                                  "ii", account, agents[i]),
                         0);
    char actions[128];
    snprintf(actions, sizeof(actions),
             "[{\"application\": \"queue\", \"queue_id\": %lld, \"timeout\": 3600}]",
             (long long)*queue);
    json_t *a = json_loads(actions, 0, NULL), *errors = NULL;
    struct flow *f = NULL;
    assert_int_equal(flow_parse(a, "openchannel", &f, &errors), 0);
    assert_int_equal(flow_save(db, "openchannel", account, f, 0, NULL), 0);
    flow_free(f);
    json_decref(a);
    return account;
}

struct worker {
    struct acd *acd;
    int64_t agent;
    atomic_int *accepted_total;
    int max_seen; /* the largest number of interactions this agent held at once */
    int closed;
    int errors;
};

/* Accepts every offer it sees (from two threads per agent: accepts of the same agent race
 * too) and closes what it holds, until every interaction is done. */
static void *work(void *arg)
{
    struct worker *w = arg;
    for (int round = 0; round < 20000 && atomic_load(w->accepted_total) < INTERACTIONS; round++) {
        struct acd_req r = {0};
        r.op = ACD_OFFERS;
        r.agent = w->agent;
        if (acd_call(w->acd, &r)) {
            w->errors++;
            continue;
        }
        json_t *items = json_object_get(r.out, "items");
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it)
        {
            struct acd_req acc = {0};
            acc.op = ACD_ACCEPT;
            acc.agent = w->agent;
            acc.interaction = json_integer_value(json_object_get(it, "id"));
            if (acd_call(w->acd, &acc))
                w->errors++;
            json_decref(acc.out);
            if (acc.status != ACD_OK)
                continue;
            atomic_fetch_add(w->accepted_total, 1);
            struct acd_req st = {0};
            st.op = ACD_STATE;
            st.agent = w->agent;
            acd_call(w->acd, &st);
            int open = (int)json_integer_value(
                json_object_get(json_object_get(st.out, "open"), "openchannel"));
            if (open > w->max_seen)
                w->max_seen = open;
            json_decref(st.out);
            struct acd_req cl = {0};
            cl.op = ACD_CLOSE;
            cl.agent = w->agent;
            cl.interaction = acc.interaction;
            if (acd_call(w->acd, &cl) || (cl.status != ACD_OK && cl.status != ACD_NOT_OWNER))
                w->errors++;
            json_decref(cl.out);
            if (cl.status == ACD_OK)
                w->closed++;
        }
        json_decref(r.out);
    }
    return NULL;
}

static void test_many_threads_accept_at_once(void **state)
{
    struct db *db = *state;
    int64_t agents[AGENTS], queue;
    int64_t account = seed(db, agents, &queue);

    struct sb_app app;
    memset(&app, 0, sizeof(app));
    app.dbc = g_cfg;
    app.clock = clock_real();
    assert_int_equal(settings_init(db, NULL), 0);
    struct acd *acd = NULL;
    assert_int_equal(acd_start(&app, &acd), 0);
    for (int i = 0; i < AGENTS; i++) {
        struct acd_req r = {0};
        r.op = ACD_LOGIN;
        r.agent = agents[i];
        r.channel = ENG_CH_OPENCHANNEL;
        assert_int_equal(acd_call(acd, &r), 0);
        assert_int_equal(r.status, ACD_OK);
        json_decref(r.out);
    }

    atomic_int accepted = 0;
    struct worker w[AGENTS * 2];
    pthread_t t[AGENTS * 2];
    for (int i = 0; i < AGENTS * 2; i++) {
        w[i] = (struct worker){acd, agents[i % AGENTS], &accepted, 0, 0, 0};
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    /* Inbound traffic while they work. */
    for (int i = 0; i < INTERACTIONS; i++) {
        char key[32];
        snprintf(key, sizeof(key), "c%d", i);
        struct inbound_msg m = {
            .channel = "openchannel", .account_id = account, .channel_key = key, .body = "hi"};
        struct inbound_result res;
        assert_int_equal(inbound_store(db, &m, clock_now_ms(app.clock), &res), 0);
        assert_int_equal(acd_post(acd, ACD_ROUTE, res.interaction_id), 0);
    }
    int closed = 0;
    for (int i = 0; i < AGENTS * 2; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].errors, 0);
        assert_true(w[i].max_seen <= CAPACITY);
        closed += w[i].closed;
    }
    acd_free(acd);
    app_thread_db_release();
    settings_cleanup();

    assert_int_equal(atomic_load(&accepted), INTERACTIONS);
    assert_int_equal(closed, INTERACTIONS);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM interactions WHERE status = 'closed'"),
                     INTERACTIONS);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM report_queue WHERE reason = 'accepted'"),
                     INTERACTIONS);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM report_queue"), INTERACTIONS);
    assert_int_equal(count(db, "SELECT COUNT(DISTINCT interaction_id) FROM report_queue"),
                     INTERACTIONS);
}

int main(void)
{
    log_open(NULL, LOG_WARN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_many_threads_accept_at_once, setup_migrated, teardown),
    };
    return db_fixture_main("acd", tests, sizeof(tests) / sizeof(tests[0]));
}
