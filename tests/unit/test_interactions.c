/* test_interactions.c — inbound messages join the open interaction of their contact and
 * account, start a new one after a close, create unknown contacts once, are stored once per
 * provider id, and keep those rules under concurrent webhooks; report rows per queue attempt.
 * On SQLite, and on PostgreSQL when SB_TEST_PG_CONNINFO is set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>

#include "core/err.h"
#include "core/log.h"
#include "db_fixture.h"
#include "db/writer.h"
#include "interactions/inbound.h"

static int64_t count(struct db *db, const char *sql)
{
    int64_t n = -1;
    assert_int_equal(db_query_int64(db, sql, &n, 0), 0);
    return n;
}

static struct inbound_msg sms(const char *from, const char *body)
{
    return (struct inbound_msg){.channel = "sms", .account_id = 1, .phone = from, .body = body};
}

static void test_joins_the_open_interaction_then_starts_a_new_one(void **state)
{
    struct db *db = *state;
    struct inbound_result a, b, c, other;
    struct inbound_msg m = sms("+15550001", "hello");
    m.first_name = "Ana";
    assert_int_equal(inbound_store(db, &m, 1000, &a), 0);
    assert_true(a.new_contact && a.new_interaction && !a.duplicate);
    m.body = "again";
    m.first_name = "Someone Else";
    assert_int_equal(inbound_store(db, &m, 2000, &b), 0);
    assert_false(b.new_contact || b.new_interaction);
    assert_int_equal(b.interaction_id, a.interaction_id);
    assert_int_equal(b.contact_id, a.contact_id);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM contacts WHERE first_name = 'Ana'"), 1);
    /* Another account is another interaction with the same contact. */
    struct inbound_msg o = sms("+15550001", "other account");
    o.account_id = 2;
    assert_int_equal(inbound_store(db, &o, 2500, &other), 0);
    assert_true(other.new_interaction);
    assert_int_equal(other.contact_id, a.contact_id);
    assert_int_equal(interaction_close(db, a.interaction_id, "Solved", 3000), 0);
    assert_int_equal(interaction_close(db, a.interaction_id, NULL, 3100), SB_ECONFLICT);
    assert_int_equal(interaction_close(db, 999999, NULL, 3100), SB_ENOTFOUND);
    m.body = "after close";
    assert_int_equal(inbound_store(db, &m, 4000, &c), 0);
    assert_true(c.new_interaction);
    assert_int_not_equal(c.interaction_id, a.interaction_id);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM interactions WHERE status = 'open'"), 2);
    assert_int_equal(
        count(db, "SELECT COUNT(*) FROM interactions WHERE disposition = 'Solved' AND closed_at = "
                  "3000"),
        1);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM messages WHERE direction = 'in'"), 4);
}

static void test_a_provider_id_is_stored_once(void **state)
{
    struct db *db = *state;
    struct inbound_result a, b, c;
    struct inbound_msg m = sms("+15550002", "once");
    m.provider_id = "SM123";
    assert_int_equal(inbound_store(db, &m, 1000, &a), 0);
    assert_int_equal(inbound_store(db, &m, 1001, &b), 0);
    assert_true(b.duplicate);
    assert_int_equal(b.message_id, a.message_id);
    assert_int_equal(b.interaction_id, a.interaction_id);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM messages"), 1);
    /* The same id from another account is another message. */
    m.account_id = 7;
    assert_int_equal(inbound_store(db, &m, 1002, &c), 0);
    assert_false(c.duplicate);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM messages"), 2);
}

static void test_bad_input_stores_nothing(void **state)
{
    struct db *db = *state;
    struct inbound_result r;
    struct inbound_msg m = sms(NULL, "no sender");
    assert_int_equal(inbound_store(db, &m, 1, &r), SB_EINVAL);
    m = sms("+1", "x");
    m.channel = "voice";
    assert_int_equal(inbound_store(db, &m, 1, &r), SB_EINVAL);
    m = sms("+1", "x");
    m.list_id = 424242;
    assert_int_equal(inbound_store(db, &m, 1, &r), SB_ENOTFOUND);
    char big[INBOUND_BODY_MAX + 2];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    m = sms("+1", big);
    assert_int_equal(inbound_store(db, &m, 1, &r), SB_EINVAL);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM contacts"), 0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM messages"), 0);
    /* Open Channel identifies by its mapKey when there is no phone. */
    m = (struct inbound_msg){.channel = "openchannel", .account_id = 3, .channel_key = "web-42"};
    assert_int_equal(inbound_store(db, &m, 2, &r), 0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM contacts WHERE channel_key = 'web-42'"), 1);
}

#define WEBHOOK_THREADS  6
#define WEBHOOK_MESSAGES 15

struct webhook_arg {
    int index;
    int failures;
};

static void *webhook_thread(void *p)
{
    struct webhook_arg *a = p;
    struct db *db = NULL;
    if (db_open(&g_cfg, &db)) {
        a->failures = WEBHOOK_MESSAGES;
        return NULL;
    }
    for (int i = 0; i < WEBHOOK_MESSAGES; i++) {
        char id[32];
        snprintf(id, sizeof(id), "p-%d-%d", a->index, i);
        struct inbound_msg m = sms("+15559999", "burst");
        m.provider_id = id;
        struct inbound_result r;
        if (inbound_store(db, &m, 5000 + i, &r))
            a->failures++;
        /* Every thread also retries one of its deliveries: stored once. */
        if (i == 3 && (inbound_store(db, &m, 5100, &r) || !r.duplicate))
            a->failures++;
    }
    db_close(db);
    return NULL;
}

/* The same burst through the group-commit writer: batches share transactions and fsyncs. */
static struct db_writer *g_writer;

static void *batched_thread(void *p)
{
    struct webhook_arg *a = p;
    for (int i = 0; i < WEBHOOK_MESSAGES; i++) {
        char id[32];
        snprintf(id, sizeof(id), "b-%d-%d", a->index, i);
        struct inbound_msg m = sms("+15558888", "batched");
        m.provider_id = id;
        struct inbound_result r;
        if (inbound_store_batched(g_writer, &m, 5000 + i, &r) || !r.message_id)
            a->failures++;
        if (i == 3 && (inbound_store_batched(g_writer, &m, 5100, &r) || !r.duplicate))
            a->failures++;
    }
    return NULL;
}

static void test_batched_webhooks_share_one_interaction(void **state)
{
    struct db *db = *state;
    assert_int_equal(db_writer_start(&g_cfg, 256, 64, &g_writer), 0);
    pthread_t t[WEBHOOK_THREADS];
    struct webhook_arg args[WEBHOOK_THREADS];
    for (int i = 0; i < WEBHOOK_THREADS; i++) {
        args[i] = (struct webhook_arg){.index = i};
        assert_int_equal(pthread_create(&t[i], NULL, batched_thread, &args[i]), 0);
    }
    for (int i = 0; i < WEBHOOK_THREADS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(args[i].failures, 0);
    }
    struct inbound_msg bad = sms("", "no sender");
    struct inbound_result r;
    assert_int_equal(inbound_store_batched(g_writer, &bad, 1, &r), SB_EINVAL);
    db_writer_stop(g_writer);
    g_writer = NULL;
    assert_int_equal(count(db, "SELECT COUNT(*) FROM contacts WHERE phone = '+15558888'"), 1);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM interactions"), 1);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM messages"),
                     WEBHOOK_THREADS * WEBHOOK_MESSAGES);
}

static void test_concurrent_webhooks_share_one_interaction(void **state)
{
    struct db *db = *state;
    pthread_t t[WEBHOOK_THREADS];
    struct webhook_arg args[WEBHOOK_THREADS];
    for (int i = 0; i < WEBHOOK_THREADS; i++) {
        args[i] = (struct webhook_arg){.index = i};
        assert_int_equal(pthread_create(&t[i], NULL, webhook_thread, &args[i]), 0);
    }
    for (int i = 0; i < WEBHOOK_THREADS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(args[i].failures, 0);
    }
    assert_int_equal(count(db, "SELECT COUNT(*) FROM contacts WHERE phone = '+15559999'"), 1);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM interactions"), 1);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM messages"),
                     WEBHOOK_THREADS * WEBHOOK_MESSAGES);
}

static void test_report_rows_per_queue_attempt(void **state)
{
    struct db *db = *state;
    struct inbound_result r;
    struct inbound_msg m = sms("+15550003", "route me");
    assert_int_equal(inbound_store(db, &m, 1000, &r), 0);
    assert_int_equal(db_exec(db, "INSERT INTO queues(channel, name, strategy, agent_timeout, "
                                 "created_at, updated_at) VALUES('sms', 'A', 'beepall', 15, 0, 0), "
                                 "('sms', 'B', 'beepall', 15, 0, 0)"),
                     0);
    int64_t qa = 0, qb = 0;
    assert_int_equal(db_query_int64(db, "SELECT id FROM queues WHERE name = 'A'", &qa, 0), 0);
    assert_int_equal(db_query_int64(db, "SELECT id FROM queues WHERE name = 'B'", &qb, 0), 0);
    /* QueueA times out, QueueB is accepted by agent 42: two rows, each with its reason. */
    assert_int_equal(report_queue_joined(db, "sms", r.interaction_id, qa, 1000), 0);
    assert_int_equal(report_queue_left(db, r.interaction_id, qa, 31000, "timeout", 0), 0);
    assert_int_equal(report_queue_joined(db, "sms", r.interaction_id, qb, 31000), 0);
    assert_int_equal(report_queue_left(db, r.interaction_id, qb, 35000, "accepted", 42), 0);
    assert_int_equal(report_queue_left(db, r.interaction_id, qb, 36000, "accepted", 42),
                     SB_ENOTFOUND);
    assert_int_equal(report_queue_left(db, r.interaction_id, qa, 1, "lost", 0), SB_EINVAL);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM report_sms_queue"), 2);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM report_sms_queue WHERE reason = 'timeout' "
                               "AND agent_id IS NULL AND accepted_at IS NULL AND left_at = 31000"),
                     1);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM report_sms_queue WHERE reason = 'accepted' "
                               "AND agent_id = 42 AND accepted_at = 35000"),
                     1);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM report_chat_queue"), 0);
}

#define MIGRATED(f) cmocka_unit_test_setup_teardown(f, setup_migrated, teardown)

int main(void)
{
    log_open(NULL, LOG_WARN);
    const struct CMUnitTest tests[] = {
        MIGRATED(test_joins_the_open_interaction_then_starts_a_new_one),
        MIGRATED(test_a_provider_id_is_stored_once),
        MIGRATED(test_bad_input_stores_nothing),
        MIGRATED(test_concurrent_webhooks_share_one_interaction),
        MIGRATED(test_batched_webhooks_share_one_interaction),
        MIGRATED(test_report_rows_per_queue_attempt),
    };
    return db_fixture_main("interactions", tests, sizeof(tests) / sizeof(tests[0]));
}
