#include <setjmp.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"

static void assert_aligned(const void *p)
{
    assert_int_equal((uintptr_t)p % alignof(max_align_t), 0);
}

static void test_alignment_and_no_overlap(void **state)
{
    struct arena a;
    arena_init(&a, 1 << 20);
    enum { N = 500 };
    unsigned char *ptrs[N];
    size_t sizes[N];
    /* Odd sizes across several chunks, big ones included; each block filled with its own byte
     * so any overlap shows up when checked afterwards (and ASan sees every byte written). */
    for (size_t i = 0; i < N; i++) {
        sizes[i] = (i * 37) % 300 + 1;
        if (i % 97 == 0)
            sizes[i] = 5000 + i;
        ptrs[i] = arena_alloc(&a, sizes[i]);
        assert_non_null(ptrs[i]);
        assert_aligned(ptrs[i]);
        memset(ptrs[i], (int)(i & 0xff), sizes[i]);
    }
    for (size_t i = 0; i < N; i++)
        for (size_t k = 0; k < sizes[i]; k++)
            assert_int_equal(ptrs[i][k], i & 0xff);
    arena_cleanup(&a);
}

static void test_zero_size_is_unique(void **state)
{
    struct arena a;
    arena_init(&a, 1024);
    void *p = arena_alloc(&a, 0);
    void *q = arena_alloc(&a, 0);
    assert_non_null(p);
    assert_non_null(q);
    assert_ptr_not_equal(p, q);
    assert_aligned(p);
    assert_aligned(q);
    arena_cleanup(&a);
}

static void test_cap_is_hard_and_failure_changes_nothing(void **state)
{
    struct arena a;
    arena_init(&a, 1000);
    assert_non_null(arena_alloc(&a, 600));
    assert_int_equal(a.used, 600);
    assert_null(arena_alloc(&a, 401));
    assert_int_equal(a.used, 600);
    assert_null(arena_strdup(&a, "this string is short but the cap is tighter than it looks"
                                 "........................................................"
                                 "........................................................"
                                 "........................................................"
                                 "........................................................"
                                 "........................................................"
                                 "........................................................"
                                 "........................................................"));
    assert_int_equal(a.used, 600);
    /* Exactly up to the cap is allowed. */
    assert_non_null(arena_alloc(&a, 400));
    assert_int_equal(a.used, 1000);
    assert_null(arena_alloc(&a, 1));
    assert_null(arena_alloc(&a, 0));
    arena_cleanup(&a);
}

static void test_overflowing_sizes_fail(void **state)
{
    struct arena a;
    arena_init(&a, SIZE_MAX);
    assert_null(arena_alloc(&a, SIZE_MAX));
    assert_null(arena_alloc(&a, SIZE_MAX - 1));
    assert_null(arena_alloc(&a, SIZE_MAX - alignof(max_align_t) + 2));
    assert_int_equal(a.used, 0);
    assert_null(a.head);
    arena_cleanup(&a);
}

static void test_big_block_keeps_current_chunk(void **state)
{
    struct arena a;
    arena_init(&a, 1 << 20);
    char *p1 = arena_alloc(&a, 16);
    char *big = arena_alloc(&a, 100000);
    char *p2 = arena_alloc(&a, 16);
    assert_non_null(p1);
    assert_non_null(big);
    assert_non_null(p2);
    memset(big, 'x', 100000);
    /* The big block got its own chunk; small blocks continue in the first one. */
    assert_ptr_equal(p2, p1 + 16);
    assert_int_equal(a.used, 100032);
    arena_cleanup(&a);
}

static void test_calloc_zeroes(void **state)
{
    struct arena a;
    arena_init(&a, 1 << 16);
    /* Dirty memory first, then free it and reuse the arena: calloc must still zero. */
    for (int round = 0; round < 2; round++) {
        unsigned char *p = arena_calloc(&a, 3000);
        assert_non_null(p);
        for (size_t i = 0; i < 3000; i++)
            assert_int_equal(p[i], 0);
        memset(p, 0xAB, 3000);
        unsigned char *q = arena_calloc(&a, 100);
        assert_non_null(q);
        for (size_t i = 0; i < 100; i++)
            assert_int_equal(q[i], 0);
        memset(q, 0xCD, 100);
        arena_cleanup(&a);
        arena_init(&a, 1 << 16);
    }
    arena_cleanup(&a);
}

static void test_strings(void **state)
{
    struct arena a;
    arena_init(&a, 1 << 16);
    assert_string_equal(arena_strdup(&a, "hello"), "hello");
    assert_string_equal(arena_strdup(&a, ""), "");
    assert_string_equal(arena_strndup(&a, "hello", 3), "hel");
    /* n past the end stops at the NUL (ASan would flag a read beyond "hi"). */
    assert_string_equal(arena_strndup(&a, "hi", 100), "hi");
    assert_string_equal(arena_sprintf(&a, "%s-%d-%c", "id", 42, 'z'), "id-42-z");
    assert_string_equal(arena_sprintf(&a, "%s", ""), "");
    arena_cleanup(&a);
}

static void test_sprintf_long_and_capped(void **state)
{
    struct arena a;
    arena_init(&a, 20000);
    char *s = arena_sprintf(&a, "%9000d|%s", 7, "end");
    assert_non_null(s);
    assert_int_equal(strlen(s), 9004);
    assert_string_equal(s + 8999, "7|end");
    size_t used = a.used;
    /* Needs 11001 bytes, only 10995 left. */
    assert_null(arena_sprintf(&a, "%11000d", 1));
    assert_int_equal(a.used, used);
    assert_non_null(arena_sprintf(&a, "%10994d", 1));
    assert_int_equal(a.used, 20000);
    arena_cleanup(&a);
}

static void test_cleanup_and_reuse(void **state)
{
    struct arena a;
    arena_init(&a, 100);
    assert_non_null(arena_alloc(&a, 100));
    assert_null(arena_alloc(&a, 1));
    arena_cleanup(&a);
    assert_null(a.head);
    assert_int_equal(a.used, 0);
    arena_init(&a, 100);
    assert_non_null(arena_alloc(&a, 100));
    arena_cleanup(&a);
    /* Cleanup of an empty arena is fine, twice too. */
    arena_init(&a, 10);
    arena_cleanup(&a);
    arena_cleanup(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alignment_and_no_overlap),
        cmocka_unit_test(test_zero_size_is_unique),
        cmocka_unit_test(test_cap_is_hard_and_failure_changes_nothing),
        cmocka_unit_test(test_overflowing_sizes_fail),
        cmocka_unit_test(test_big_block_keeps_current_chunk),
        cmocka_unit_test(test_calloc_zeroes),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_sprintf_long_and_capped),
        cmocka_unit_test(test_cleanup_and_reuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
