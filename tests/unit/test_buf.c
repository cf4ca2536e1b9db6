#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/err.h"

static void test_append_and_terminate(void **state)
{
    struct buf b;
    buf_init(&b, 1024);
    assert_null(b.data);
    assert_int_equal(buf_add(&b, "ab", 2), 0);
    assert_int_equal(buf_adds(&b, "cd"), 0);
    assert_int_equal(buf_addf(&b, "-%d-%s", 42, "x"), 0);
    assert_int_equal(b.len, 9);
    assert_string_equal(b.data, "abcd-42-x");
    assert_int_equal(b.data[b.len], 0);
    /* Binary content with embedded NULs is kept byte for byte. */
    assert_int_equal(buf_add(&b, "\0z\0", 3), 0);
    assert_int_equal(b.len, 12);
    assert_memory_equal(b.data, "abcd-42-x\0z\0", 13);
    /* Empty appends, even with a NULL pointer, are no-ops. */
    assert_int_equal(buf_add(&b, NULL, 0), 0);
    assert_int_equal(buf_addf(&b, "%s", ""), 0);
    assert_int_equal(b.len, 12);
    buf_free(&b);
    assert_null(b.data);
}

static void test_hard_max_leaves_content_unchanged(void **state)
{
    struct buf b;
    buf_init(&b, 10);
    assert_int_equal(buf_adds(&b, "0123456"), 0);
    assert_int_equal(buf_add(&b, "7890", 4), SB_ETOOBIG);
    assert_int_equal(buf_adds(&b, "7890"), SB_ETOOBIG);
    assert_int_equal(buf_addf(&b, "%d", 7890), SB_ETOOBIG);
    assert_int_equal(b.len, 7);
    assert_string_equal(b.data, "0123456");
    /* Up to max exactly is fine, one more byte is not. */
    assert_int_equal(buf_addf(&b, "%d", 789), 0);
    assert_int_equal(b.len, 10);
    assert_string_equal(b.data, "0123456789");
    assert_int_equal(buf_add(&b, "x", 1), SB_ETOOBIG);
    assert_int_equal(buf_addf(&b, "x"), SB_ETOOBIG);
    assert_string_equal(b.data, "0123456789");
    assert_true(b.cap <= 11);
    buf_free(&b);
}

static void test_zero_max(void **state)
{
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(buf_add(&b, "x", 1), SB_ETOOBIG);
    assert_int_equal(buf_adds(&b, ""), 0);
    assert_int_equal(b.len, 0);
    buf_free(&b);
}

static void test_huge_sizes_rejected(void **state)
{
    struct buf b;
    buf_init(&b, SIZE_MAX);
    assert_int_equal(buf_adds(&b, "abc"), 0);
    /* Would wrap len + n + 1; must be refused before any allocation. */
    assert_int_equal(buf_add(&b, "", SIZE_MAX), SB_ETOOBIG);
    assert_int_equal(buf_add(&b, "", SIZE_MAX - 3), SB_ETOOBIG);
    assert_string_equal(b.data, "abc");
    buf_free(&b);
}

static void test_growth_capped_at_max_plus_one(void **state)
{
    struct buf b;
    buf_init(&b, 1000);
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(buf_add(&b, "a", 1), 0);
        assert_true(b.cap <= 1001);
        assert_true(b.cap >= b.len + 1);
    }
    assert_int_equal(b.cap, 1001);
    assert_int_equal(buf_add(&b, "a", 1), SB_ETOOBIG);
    for (size_t i = 0; i < 1000; i++)
        assert_int_equal(b.data[i], 'a');
    assert_int_equal(b.data[1000], 0);
    buf_free(&b);
}

static void test_reset_keeps_allocation(void **state)
{
    struct buf b;
    buf_init(&b, 100);
    buf_reset(&b); /* before any allocation */
    assert_int_equal(buf_adds(&b, "hello"), 0);
    char *data = b.data;
    size_t cap = b.cap;
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_ptr_equal(b.data, data);
    assert_int_equal(b.cap, cap);
    assert_string_equal(b.data, "");
    assert_int_equal(buf_adds(&b, "x"), 0);
    assert_string_equal(b.data, "x");
    buf_free(&b);
}

static void test_take(void **state)
{
    struct buf b;
    buf_init(&b, 100);
    size_t len = 99;
    char *s = buf_take(&b, &len);
    assert_non_null(s);
    assert_int_equal(len, 0);
    assert_string_equal(s, "");
    free(s);

    assert_int_equal(buf_addf(&b, "%s=%d", "k", 1), 0);
    s = buf_take(&b, &len);
    assert_string_equal(s, "k=1");
    assert_int_equal(len, 3);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    /* The buffer is reusable with the same max after a take. */
    assert_int_equal(buf_adds(&b, "next"), 0);
    assert_string_equal(b.data, "next");
    assert_string_equal(s, "k=1");
    free(s);
    s = buf_take(&b, NULL);
    assert_string_equal(s, "next");
    free(s);
    buf_free(&b);
}

static void test_long_formatted_append(void **state)
{
    struct buf b;
    buf_init(&b, 100000);
    assert_int_equal(buf_adds(&b, "head:"), 0);
    assert_int_equal(buf_addf(&b, "%5000d", 9), 0);
    assert_int_equal(b.len, 5005);
    assert_int_equal(b.data[5004], '9');
    assert_int_equal(b.data[5005], 0);
    assert_memory_equal(b.data, "head:    ", 9);
    buf_free(&b);
    buf_free(&b); /* idempotent */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_and_terminate),
        cmocka_unit_test(test_hard_max_leaves_content_unchanged),
        cmocka_unit_test(test_zero_max),
        cmocka_unit_test(test_huge_sizes_rejected),
        cmocka_unit_test(test_growth_capped_at_max_plus_one),
        cmocka_unit_test(test_reset_keeps_allocation),
        cmocka_unit_test(test_take),
        cmocka_unit_test(test_long_formatted_append),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
