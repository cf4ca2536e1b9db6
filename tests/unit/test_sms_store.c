/* test_sms_store.c — the storage of SMS accounts, dispositions and canned answers: credentials
 * and the proxy token sealed at rest and opened again, the token check, channel_account_get
 * for "sms" (what the ACD reads), disposition_allowed over the four scopes and
 * disposition_required from the account, deleting a parent with its descendants, an account
 * taking its dispositions and answers with it. On SQLite, and on PostgreSQL when
 * SB_TEST_PG_CONNINFO is set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "channels/channel_account.h"
#include "channels/sms/sms_accounts.h"
#include "core/err.h"
#include "core/log.h"
#include "core/seal.h"
#include "db_fixture.h"
#include "interactions/canned.h"
#include "interactions/dispositions.h"

static char g_key_path[600];

static int64_t count(struct db *db, const char *sql)
{
    int64_t n = -1;
    assert_int_equal(db_query_int64(db, sql, &n, 0), 0);
    return n;
}

/* Creates an SMS account from JSON text through the module's own validation. */
static int64_t account(struct db *db, const char *body_text)
{
    json_t *body = json_loads(body_text, 0, NULL), *clean = NULL, *errors = NULL;
    assert_non_null(body);
    int r = sms_account_validate(db, body, NULL, "https://cc.example.com/", &clean, &errors);
    if (r) {
        char *e = json_dumps(errors, 0);
        fail_msg("validate %d: %s", r, e ? e : "");
    }
    int64_t id = 0;
    assert_int_equal(sms_account_create(db, clean, 1000, &id), 0);
    json_decref(body);
    json_decref(clean);
    return id;
}

static int64_t disposition(struct db *db, const char *body_text)
{
    json_t *body = json_loads(body_text, 0, NULL), *clean = NULL, *errors = NULL;
    assert_non_null(body);
    int r = disposition_validate(db, body, NULL, &clean, &errors);
    if (r) {
        char *e = json_dumps(errors, 0);
        fail_msg("validate %d: %s", r, e ? e : "");
    }
    int64_t id = 0;
    assert_int_equal(disposition_create(db, clean, 1000, &id), 0);
    json_decref(body);
    json_decref(clean);
    return id;
}

static void test_sealed_at_rest_and_token(void **state)
{
    struct db *db = *state;
    int64_t id =
        account(db, "{\"name\":\"Tw\",\"key\":\"TW1\",\"type\":\"twilio\",\"credentials\":{"
                    "\"account_sid\":\"AC0123456789abcdef0123456789abcdef\","
                    "\"auth_token\":\"very-secret-token-4242\"}}");
    assert_int_equal(count(db, "SELECT COUNT(*) FROM sms_accounts WHERE credentials LIKE "
                               "'%very-secret%' OR proxy_token LIKE '%smt\\_%' ESCAPE '\\'"),
                     0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM sms_accounts WHERE credentials LIKE 'v1:%'"),
                     1);
    char type[16];
    json_t *creds = NULL;
    assert_int_equal(sms_account_credentials(db, id, type, &creds), 0);
    assert_string_equal(type, "twilio");
    assert_string_equal(json_string_value(json_object_get(creds, "auth_token")),
                        "very-secret-token-4242");
    json_decref(creds);
    assert_int_equal(sms_account_credentials(db, 999, type, &creds), SB_ENOTFOUND);

    json_t *pub = NULL;
    assert_int_equal(sms_account_get(db, id, &pub), 0);
    const char *token = json_string_value(json_object_get(pub, "proxy_token"));
    assert_non_null(token);
    assert_int_equal(sms_account_check_token(db, id, token), 0);
    assert_int_equal(sms_account_check_token(db, id, "smt_wrong"), SB_EAUTH);
    assert_int_equal(sms_account_check_token(db, id, NULL), SB_EAUTH);
    assert_int_equal(sms_account_check_token(db, 999, token), SB_EAUTH);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(pub, "credentials"), "auth_token")),
        "****4242");
    char old[SMS_TOKEN_LEN + 1];
    snprintf(old, sizeof old, "%s", token);
    json_decref(pub);
    assert_int_equal(sms_account_new_token(db, id, 2000), 0);
    assert_int_equal(sms_account_check_token(db, id, old), SB_EAUTH);
    assert_int_equal(sms_account_new_token(db, 999, 2000), SB_ENOTFOUND);

    /* Under another key the sealed columns no longer open: shown as null / empty. */
    seal_cleanup();
    char other[640];
    snprintf(other, sizeof other, "%s.other", g_key_path);
    assert_int_equal(seal_init(other), 0);
    assert_int_equal(sms_account_get(db, id, &pub), 0);
    assert_true(json_is_null(json_object_get(pub, "proxy_token")));
    assert_true(json_is_null(json_object_get(json_object_get(pub, "credentials"), "auth_token")));
    json_decref(pub);
    assert_int_equal(sms_account_credentials(db, id, type, &creds), SB_EINVAL);
    assert_int_equal(sms_account_check_token(db, id, old), SB_EAUTH);
    seal_cleanup();
    unlink(other);
    assert_int_equal(seal_init(g_key_path), 0);
}

static void test_channel_account_and_required(void **state)
{
    struct db *db = *state;
    int64_t id = account(db, "{\"name\":\"Ck\",\"key\":\"CK\",\"type\":\"clickatell\","
                             "\"credentials\":{\"api_key\":\"k\"},\"wait_agent\":7,"
                             "\"wait_queue\":8,\"transfer_enabled\":true,\"transfer_timeout\":9,"
                             "\"mandatory_disposition\":true,\"disposition_pause\":\"Wrap-up\"}");
    struct channel_account acc;
    assert_int_equal(channel_account_get(db, "sms", id, &acc), 0);
    assert_int_equal(acc.id, id);
    assert_int_equal(acc.wait_agent, 7);
    assert_int_equal(acc.wait_queue, 8);
    assert_true(acc.transfer_enabled);
    assert_int_equal(acc.transfer_timeout, 9);
    assert_true(acc.mandatory_disposition);
    assert_string_equal(acc.disposition_pause, "Wrap-up");
    assert_string_equal(acc.reply_url, "");
    assert_true(acc.list_id > 0);
    assert_int_equal(channel_account_get(db, "sms", 999, &acc), SB_ENOTFOUND);

    bool required = true;
    char pause[DISPOSITION_PAUSE_MAX + 1];
    assert_int_equal(disposition_required(db, "sms", id, &required, pause), 0);
    assert_true(required);
    assert_string_equal(pause, "Wrap-up");
    assert_int_equal(disposition_required(db, "sms", 999, &required, pause), 0);
    assert_false(required);
    assert_string_equal(pause, "");
    assert_int_equal(disposition_required(db, "chat", id, &required, NULL), 0);
    assert_false(required);
    int64_t plain = account(db, "{\"name\":\"Pl\",\"key\":\"PL\",\"type\":\"clickatell\","
                                "\"credentials\":{\"api_key\":\"k\"}}");
    assert_int_equal(disposition_required(db, "sms", plain, &required, pause), 0);
    assert_false(required);

    bool member = true;
    assert_int_equal(channel_account_has_agent(db, "sms", id, 1, &member), 0);
    assert_false(member);
    assert_int_equal(channel_account_has_agent(db, "fax", id, 1, &member), 0);
    assert_false(member);
}

static void test_allowed_over_scopes(void **state)
{
    struct db *db = *state;
    int64_t a = account(db, "{\"name\":\"A\",\"key\":\"A\",\"type\":\"clickatell\","
                            "\"credentials\":{\"api_key\":\"k\"}}");
    int64_t b = account(db, "{\"name\":\"B\",\"key\":\"B\",\"type\":\"clickatell\","
                            "\"credentials\":{\"api_key\":\"k\"}}");
    assert_int_equal(db_exec(db, "INSERT INTO queues (channel, name, strategy, agent_timeout, "
                                 "created_at, updated_at) VALUES ('sms', 'q1', 'beepall', 30, 0, "
                                 "0), ('sms', 'q2', 'beepall', 30, 0, 0)"),
                     0);
    assert_int_equal(db_exec(db, "INSERT INTO contact_lists (name, created_at, updated_at) VALUES "
                                 "('VIP', 0, 0)"),
                     0);
    int64_t q1 = count(db, "SELECT id FROM queues WHERE name = 'q1'");
    int64_t q2 = count(db, "SELECT id FROM queues WHERE name = 'q2'");
    int64_t vip = count(db, "SELECT id FROM contact_lists WHERE name = 'VIP'");
    int64_t def = count(db, "SELECT id FROM contact_lists WHERE name = 'Default'");
    char body[256];
    snprintf(body, sizeof body,
             "{\"name\":\"A only\",\"scope\":\"account\",\"channel\":\"sms\",\"account_id\":%lld}",
             (long long)a);
    int64_t a_only = disposition(db, body);
    snprintf(body, sizeof body, "{\"name\":\"A child\",\"parent_id\":%lld}", (long long)a_only);
    int64_t a_child = disposition(db, body);
    snprintf(body, sizeof body, "{\"name\":\"A grandchild\",\"parent_id\":%lld}",
             (long long)a_child);
    disposition(db, body);
    snprintf(body, sizeof body, "{\"name\":\"Q1\",\"scope\":\"queue\",\"queue_id\":%lld}",
             (long long)q1);
    disposition(db, body);
    snprintf(body, sizeof body, "{\"name\":\"Q2\",\"scope\":\"queue\",\"queue_id\":%lld}",
             (long long)q2);
    disposition(db, body);
    snprintf(body, sizeof body, "{\"name\":\"Default list\",\"scope\":\"list\",\"list_id\":%lld}",
             (long long)def);
    disposition(db, body);
    snprintf(body, sizeof body, "{\"name\":\"VIP list\",\"scope\":\"list\",\"list_id\":%lld}",
             (long long)vip);
    disposition(db, body);

    static const struct {
        const char *text;
        bool on_a_q1, on_b_noqueue;
    } cases[] = {
        {"Sold", true, true}, /* a default global one */
        {"A only", true, false},       {"A child", true, false}, {"A grandchild", true, false},
        {"Q1", true, false},           {"Q2", false, false},     {"Default list", true, true},
        {"VIP list", false, false},    {"sold", false, false},   {"", false, false},
        {"Nonexistent", false, false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        bool ok = !cases[i].on_a_q1;
        assert_int_equal(disposition_allowed(db, "sms", a, q1, cases[i].text, &ok), 0);
        if (ok != cases[i].on_a_q1)
            fail_msg("%s on A/q1: %d", cases[i].text, ok);
        ok = !cases[i].on_b_noqueue;
        assert_int_equal(disposition_allowed(db, "sms", b, 0, cases[i].text, &ok), 0);
        if (ok != cases[i].on_b_noqueue)
            fail_msg("%s on B: %d", cases[i].text, ok);
    }
    bool ok = true;
    assert_int_equal(disposition_allowed(db, "sms", a, q1, NULL, &ok), 0);
    assert_false(ok);
    /* An account of another channel with the same id is another account. */
    assert_int_equal(disposition_allowed(db, "openchannel", a, 0, "A only", &ok), 0);
    assert_false(ok);
    assert_int_equal(disposition_allowed(db, "openchannel", a, 0, "Sold", &ok), 0);
    assert_true(ok);

    /* Deleting the parent deletes the two below it. */
    int64_t deleted = 0;
    assert_int_equal(disposition_delete(db, a_only, &deleted), 0);
    assert_int_equal(deleted, 3);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM dispositions WHERE name LIKE 'A %'"), 0);
    assert_int_equal(disposition_delete(db, a_only, &deleted), SB_ENOTFOUND);
    assert_int_equal(disposition_allowed(db, "sms", a, q1, "A child", &ok), 0);
    assert_false(ok);

    /* An account takes its dispositions and canned answers with it. */
    snprintf(body, sizeof body,
             "{\"name\":\"B only\",\"scope\":\"account\",\"channel\":\"sms\",\"account_id\":%lld}",
             (long long)b);
    disposition(db, body);
    json_t *cbody = json_pack("{s:s, s:s, s:s, s:s, s:I}", "name", "Hi", "body", "Hi there",
                              "scope", "account", "channel", "sms", "account_id", (json_int_t)b);
    json_t *clean = NULL, *errors = NULL;
    assert_int_equal(canned_validate(db, cbody, NULL, &clean, &errors), 0);
    int64_t cid = 0;
    assert_int_equal(canned_create(db, clean, 1000, &cid), 0);
    assert_int_equal(canned_create(db, clean, 1000, &cid), SB_ECONFLICT);
    json_decref(clean);
    json_decref(cbody);
    assert_int_equal(sms_account_delete(db, b), 0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM dispositions WHERE name = 'B only'"), 0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM canned_answers"), 0);
    assert_int_equal(sms_account_delete(db, b), SB_ENOTFOUND);
}

static int setup(void **state)
{
    if (setup_migrated(state))
        return -1;
    return seal_init(g_key_path) ? -1 : 0;
}

static int teardown_all(void **state)
{
    seal_cleanup();
    return teardown(state);
}

int main(void)
{
    log_open(NULL, LOG_WARN);
    snprintf(g_key_path, sizeof g_key_path, "%s/sb_sms_store_%d.key", tmp_dir(), (int)getpid());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sealed_at_rest_and_token, setup, teardown_all),
        cmocka_unit_test_setup_teardown(test_channel_account_and_required, setup, teardown_all),
        cmocka_unit_test_setup_teardown(test_allowed_over_scopes, setup, teardown_all),
    };
    int failures = db_fixture_main("sms_store", tests, sizeof(tests) / sizeof(tests[0]));
    unlink(g_key_path);
    return failures;
}
