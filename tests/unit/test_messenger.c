/* test_messenger.c — the messenger's pure parts: presence with its grace (a reload within the
 * grace changes nothing; several tabs; expiry in order; the table bound and its backward-shift
 * deletion), the per-sender token bucket (burst, refill, refund, fail-open when full) and the
 * message text rules (characters not bytes, blank, control characters). Time is plain
 * numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "messenger/presence_table.h"
#include "messenger/rate.h"
#include "messenger/text.h"

/* ---- presence ---------------------------------------------------------------------------- */

static enum pres_change up(struct pres_table *t, int64_t id)
{
    enum pres_change ch;
    assert_int_equal(pres_conn_up(t, id, &ch), 0);
    return ch;
}

static void test_presence_first_socket_online_last_after_grace(void **state)
{
    struct pres_table t;
    assert_int_equal(pres_table_init(&t, 16), 0);
    assert_false(pres_is_online(&t, 7));
    assert_int_equal(up(&t, 7), PRES_ONLINE);
    assert_int_equal(up(&t, 7), PRES_NONE); /* second tab */
    assert_int_equal(pres_conn_down(&t, 7, 1000, 5000), PRES_NONE);
    assert_true(pres_is_online(&t, 7));
    assert_int_equal(pres_next_deadline(&t), INT64_MAX); /* one tab still open */
    assert_int_equal(pres_conn_down(&t, 7, 2000, 5000), PRES_NONE);
    assert_true(pres_is_online(&t, 7)); /* in grace */
    assert_int_equal(pres_next_deadline(&t), 7000);
    int64_t out[4];
    assert_int_equal(pres_expire(&t, 6999, out, 4), 0);
    assert_int_equal(pres_expire(&t, 7000, out, 4), 1);
    assert_int_equal(out[0], 7);
    assert_false(pres_is_online(&t, 7));
    assert_int_equal(t.count, 0);
    assert_int_equal(up(&t, 7), PRES_ONLINE); /* announced again after a real absence */
    pres_table_cleanup(&t);
}

static void test_presence_reload_within_grace_changes_nothing(void **state)
{
    struct pres_table t;
    assert_int_equal(pres_table_init(&t, 16), 0);
    assert_int_equal(up(&t, 3), PRES_ONLINE);
    assert_int_equal(pres_conn_down(&t, 3, 100, 5000), PRES_NONE);
    assert_int_equal(up(&t, 3), PRES_NONE); /* the reload */
    int64_t out[4];
    assert_int_equal(pres_expire(&t, 100000, out, 4), 0);
    assert_true(pres_is_online(&t, 3));
    assert_int_equal(pres_next_deadline(&t), INT64_MAX);
    pres_table_cleanup(&t);
}

static void test_presence_zero_grace_and_unknown_downs(void **state)
{
    struct pres_table t;
    assert_int_equal(pres_table_init(&t, 4), 0);
    assert_int_equal(pres_conn_down(&t, 9, 0, 0), PRES_NONE); /* never up */
    assert_int_equal(up(&t, 9), PRES_ONLINE);
    assert_int_equal(pres_conn_down(&t, 9, 0, 0), PRES_OFFLINE);
    assert_int_equal(pres_conn_down(&t, 9, 0, 0), PRES_NONE); /* no underflow */
    enum pres_change ch;
    assert_int_equal(pres_conn_up(&t, 0, &ch), SB_EINVAL);
    assert_int_equal(pres_conn_up(&t, -4, &ch), SB_EINVAL);
    pres_table_cleanup(&t);
}

static void test_presence_bound_and_many_users(void **state)
{
    struct pres_table t;
    enum pres_change ch;
    assert_int_equal(pres_table_init(&t, 1000), 0);
    for (int64_t id = 1; id <= 1000; id++)
        assert_int_equal(up(&t, id * 7919), PRES_ONLINE);
    assert_int_equal(pres_conn_up(&t, 1, &ch), SB_EFULL);
    assert_false(pres_is_online(&t, 1));
    /* Half go away with staggered graces; expiry removes exactly those, in any order, and
     * backward-shift deletion keeps every other user findable. */
    for (int64_t id = 2; id <= 1000; id += 2)
        assert_int_equal(pres_conn_down(&t, id * 7919, id, 10), PRES_NONE);
    int64_t out[64], expired = 0;
    size_t n;
    while ((n = pres_expire(&t, 100000, out, 64)) > 0) {
        for (size_t i = 0; i < n; i++)
            assert_int_equal(out[i] % (2 * 7919), 0);
        expired += (int64_t)n;
    }
    assert_int_equal(expired, 500);
    for (int64_t id = 1; id <= 1000; id++)
        assert_int_equal(pres_is_online(&t, id * 7919), id % 2 == 1);
    assert_int_equal(t.count, 500);
    assert_int_equal(pres_conn_up(&t, 1, &ch), 0); /* room again */
    pres_table_cleanup(&t);
}

/* ---- rate -------------------------------------------------------------------------------- */

static void test_rate_burst_then_per_minute(void **state)
{
    struct msg_rate *r;
    int64_t wait = 0;
    assert_int_equal(msg_rate_new(2, 3, 16, &r), 0); /* 3 at once, then one per 30 s */
    for (int i = 0; i < 3; i++)
        assert_int_equal(msg_rate_take(r, 5, 1000, &wait), 0);
    assert_int_equal(msg_rate_take(r, 5, 1000, &wait), SB_ETHROTTLED);
    assert_int_equal(wait, 30000);
    assert_int_equal(msg_rate_take(r, 6, 1000, &wait), 0); /* another sender's own bucket */
    assert_int_equal(msg_rate_take(r, 5, 30999, &wait), SB_ETHROTTLED);
    assert_int_equal(wait, 1);
    assert_int_equal(msg_rate_take(r, 5, 31000, &wait), 0);
    assert_int_equal(msg_rate_take(r, 5, 31000, &wait), SB_ETHROTTLED);
    /* A long pause refills up to the burst, not beyond. */
    for (int i = 0; i < 3; i++)
        assert_int_equal(msg_rate_take(r, 5, 10000000, &wait), 0);
    assert_int_equal(msg_rate_take(r, 5, 10000000, &wait), SB_ETHROTTLED);
    /* A refused message gives its token back. */
    msg_rate_refund(r, 5);
    assert_int_equal(msg_rate_take(r, 5, 10000000, &wait), 0);
    /* A clock that goes back never adds tokens. */
    assert_int_equal(msg_rate_take(r, 5, 0, &wait), SB_ETHROTTLED);
    msg_rate_free(r);
}

static void test_rate_table_full_drops_refilled_and_fails_open(void **state)
{
    struct msg_rate *r;
    int64_t wait;
    assert_int_equal(msg_rate_new(60, 1, 4, &r), 0);
    for (int64_t id = 1; id <= 4; id++)
        assert_int_equal(msg_rate_take(r, id, 0, &wait), 0);
    /* Full of spent buckets: a fifth sender is let through untracked. */
    assert_int_equal(msg_rate_take(r, 5, 0, &wait), 0);
    assert_int_equal(msg_rate_take(r, 5, 0, &wait), 0);
    assert_int_equal(msg_rate_take(r, 1, 0, &wait), SB_ETHROTTLED); /* tracked ones still are */
    /* Once the buckets refilled they are dropped to make room, and 5 is tracked. */
    assert_int_equal(msg_rate_take(r, 5, 5000, &wait), 0);
    assert_int_equal(msg_rate_take(r, 5, 5000, &wait), SB_ETHROTTLED);
    msg_rate_free(r);
    assert_int_equal(msg_rate_new(0, 1, 4, &r), SB_EINVAL);
    assert_int_equal(msg_rate_new(1, 0, 4, &r), SB_EINVAL);
    assert_null(r);
    msg_rate_free(NULL);
}

/* ---- text -------------------------------------------------------------------------------- */

static int check(const char *s, int max)
{
    const char *why = NULL;
    int r = msg_text_check(s, strlen(s), max, &why);
    if (r)
        assert_non_null(why);
    return r;
}

static void test_text_rules(void **state)
{
    assert_int_equal(check("hello", 5), 0);
    assert_int_equal(check("hello!", 5), SB_EINVALID);
    assert_int_equal(check("\xc3\xa9\xc3\xa9\xc3\xa9", 3), 0); /* "ééé": 3 characters, 6 bytes */
    assert_int_equal(check("\xf0\x9f\x98\x80", 1), 0);         /* one emoji */
    assert_int_equal(check("<b>x</b> & \"y\"", 100), 0);       /* HTML is just text */
    assert_int_equal(check("line 1\nline 2\r\n\tend", 100), 0);
    assert_int_equal(check("", 10), SB_EINVALID);
    assert_int_equal(check(" \t\r\n ", 10), SB_EINVALID);
    assert_int_equal(check("bell\x07", 10), SB_EINVALID);
    assert_int_equal(check("esc\x1b[31m", 20), SB_EINVALID);
    assert_int_equal(check("del\x7f", 10), SB_EINVALID);
    assert_int_equal(msg_text_chars("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 10), 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_presence_first_socket_online_last_after_grace),
        cmocka_unit_test(test_presence_reload_within_grace_changes_nothing),
        cmocka_unit_test(test_presence_zero_grace_and_unknown_downs),
        cmocka_unit_test(test_presence_bound_and_many_users),
        cmocka_unit_test(test_rate_burst_then_per_minute),
        cmocka_unit_test(test_rate_table_full_drops_refilled_and_fails_open),
        cmocka_unit_test(test_text_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
