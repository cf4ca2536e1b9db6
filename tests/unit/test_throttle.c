#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auth/throttle.h"
#include "core/err.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SB_TEST_SANITIZER_ALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SB_TEST_SANITIZER_ALLOC 1
#endif
#endif

#ifdef SB_TEST_SANITIZER_ALLOC
/* From <sanitizer/allocator_interface.h>, which gcc does not install. */
size_t __sanitizer_get_current_allocated_bytes(void);
static size_t heap_in_use(void)
{
    return __sanitizer_get_current_allocated_bytes();
}
#else
#include <malloc.h>
static size_t heap_in_use(void)
{
    return mallinfo2().uordblks;
}
#endif

#define HOUR_MS (3600 * 1000LL)

static struct throttle_config cfg_default(void)
{
    return (struct throttle_config){
        .max_keys = 64,
        .free_failures = 3,
        .window_ms = HOUR_MS,
        .base_delay_ms = 1000,
        .max_delay_ms = 10000,
    };
}

static struct throttle *make(struct throttle_config c)
{
    struct throttle *t = NULL;
    assert_int_equal(throttle_new(&c, &t), 0);
    assert_non_null(t);
    return t;
}

/* Returns the wait for `key` at `now`, 0 when it may try. */
static int64_t wait_of(struct throttle *t, const char *key, int64_t now)
{
    int64_t ra = -1;
    int rc = throttle_check(t, key, now, &ra);
    if (rc == 0) {
        assert_int_equal(ra, 0);
        return 0;
    }
    assert_int_equal(rc, SB_ETHROTTLED);
    assert_true(ra > 0);
    return ra;
}

static void test_config_validation(void **state)
{
    struct throttle *t = (struct throttle *)1;
    struct throttle_config c = cfg_default();
    assert_int_equal(throttle_new(NULL, &t), SB_EINVAL);
    assert_null(t);
    assert_int_equal(throttle_new(&c, NULL), SB_EINVAL);

    struct bad_cfg {
        const char *what;
        struct throttle_config c;
    } bad[16];
    size_t n = 0;
    for (int v = -1; v <= 0; v++) {
        bad[n] = (struct bad_cfg){"window", cfg_default()};
        bad[n++].c.window_ms = v;
        bad[n] = (struct bad_cfg){"base", cfg_default()};
        bad[n++].c.base_delay_ms = v;
        bad[n] = (struct bad_cfg){"max", cfg_default()};
        bad[n++].c.max_delay_ms = v;
    }
    bad[n] = (struct bad_cfg){"max_keys 0", cfg_default()};
    bad[n++].c.max_keys = 0;
    bad[n] = (struct bad_cfg){"max_keys huge", cfg_default()};
    bad[n++].c.max_keys = SIZE_MAX;
    bad[n] = (struct bad_cfg){"free negative", cfg_default()};
    bad[n++].c.free_failures = -1;
    bad[n] = (struct bad_cfg){"free huge", cfg_default()};
    bad[n++].c.free_failures = 101;
    bad[n] = (struct bad_cfg){"max < base", cfg_default()};
    bad[n++].c.max_delay_ms = 999;
    for (size_t i = 0; i < n; i++) {
        t = (struct throttle *)1;
        if (throttle_new(&bad[i].c, &t) != SB_EINVAL)
            fail_msg("config '%s' was accepted", bad[i].what);
        assert_null(t);
    }

    /* Zero free failures is meaningful (delay from the first failure); max == base too. */
    c.free_failures = 0;
    c.max_delay_ms = c.base_delay_ms;
    t = make(c);
    assert_int_equal(wait_of(t, "k", 0), 0);
    throttle_fail(t, "k", 0);
    assert_int_equal(wait_of(t, "k", 0), 1000);
    throttle_fail(t, "k", 0);
    assert_int_equal(wait_of(t, "k", 0), 1000);
    throttle_free(t);
    throttle_free(NULL);
}

static void test_no_delay_within_allowance(void **state)
{
    struct throttle *t = make(cfg_default());
    assert_int_equal(throttle_check(t, "ip:203.0.113.9", 0, NULL), 0);
    for (int i = 0; i < 3; i++) {
        throttle_fail(t, "ip:203.0.113.9", 10 * i);
        assert_int_equal(wait_of(t, "ip:203.0.113.9", 10 * i), 0);
    }
    assert_int_equal(throttle_size(t), 1);
    throttle_free(t);
}

static void test_check_is_not_a_failure(void **state)
{
    struct throttle *t = make(cfg_default());
    assert_int_equal(wait_of(t, "u", 0), 0);
    assert_int_equal(throttle_size(t), 0); /* checking an unknown key creates nothing */
    for (int i = 0; i < 3; i++)
        throttle_fail(t, "u", 0);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(wait_of(t, "u", i), 0);
    throttle_fail(t, "u", 1000);
    assert_int_equal(wait_of(t, "u", 1000), 1000);
    throttle_free(t);
}

static void test_exponential_then_capped(void **state)
{
    struct throttle *t = make(cfg_default()); /* free 3, base 1 s, max 10 s */
    const int64_t expect[] = {0, 0, 0, 1000, 2000, 4000, 8000, 10000, 10000, 10000};
    int64_t now = 5000;
    for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
        throttle_fail(t, "user:42", now);
        assert_int_equal(wait_of(t, "user:42", now), expect[i]);
        now += 1;
    }
    /* Far past the ring's capacity the delay stays at the cap. */
    for (int i = 0; i < 500; i++)
        throttle_fail(t, "user:42", now++);
    assert_int_equal(wait_of(t, "user:42", now - 1), 10000);
    throttle_free(t);
}

static void test_extreme_values_do_not_overflow(void **state)
{
    struct throttle_config c = {
        .max_keys = 4,
        .free_failures = 0,
        .window_ms = INT64_MAX,
        .base_delay_ms = 1,
        .max_delay_ms = INT64_MAX,
    };
    struct throttle *t = make(c);
    int64_t prev = 0;
    for (int i = 1; i <= 70; i++) {
        throttle_fail(t, "k", 0);
        int64_t w = wait_of(t, "k", 0);
        if (i <= 63)
            assert_int_equal(w, (int64_t)1 << (i - 1));
        else
            assert_int_equal(w, INT64_MAX);
        assert_true(w >= prev);
        prev = w;
    }
    /* Times at both ends of the range. */
    throttle_fail(t, "hi", INT64_MAX);
    assert_int_equal(wait_of(t, "hi", INT64_MAX), 1);
    throttle_fail(t, "lo", INT64_MIN);
    assert_int_equal(wait_of(t, "lo", INT64_MIN), 1);
    /* A failure recorded "after" now (disordered callers) never stretches the wait. */
    throttle_fail(t, "future", 5000);
    assert_int_equal(wait_of(t, "future", 0), 1);
    throttle_free(t);
}

static void test_retry_after_counts_down_to_boundary(void **state)
{
    struct throttle *t = make(cfg_default());
    const int64_t t0 = 1700000000000LL;
    for (int i = 0; i < 6; i++) /* 3 excess: 4 s */
        throttle_fail(t, "ip:a", t0);
    assert_int_equal(wait_of(t, "ip:a", t0), 4000);
    assert_int_equal(wait_of(t, "ip:a", t0 + 1), 3999);
    assert_int_equal(wait_of(t, "ip:a", t0 + 2500), 1500);
    assert_int_equal(wait_of(t, "ip:a", t0 + 3999), 1);
    assert_int_equal(wait_of(t, "ip:a", t0 + 4000), 0);
    assert_int_equal(wait_of(t, "ip:a", t0 + 4001), 0);
    /* The delay runs from the last failure: a new one restarts it, doubled. */
    throttle_fail(t, "ip:a", t0 + 5000);
    assert_int_equal(wait_of(t, "ip:a", t0 + 5000), 8000);
    assert_int_equal(wait_of(t, "ip:a", t0 + 12999), 1);
    assert_int_equal(wait_of(t, "ip:a", t0 + 13000), 0);
    throttle_free(t);
}

static void test_sliding_window(void **state)
{
    struct throttle_config c = cfg_default();
    c.free_failures = 2;
    c.window_ms = 10000;
    c.base_delay_ms = 60000; /* longer than the window, so only the window ends the delay */
    c.max_delay_ms = 60000;
    struct throttle *t = make(c);
    throttle_fail(t, "k", 0);
    throttle_fail(t, "k", 1000);
    throttle_fail(t, "k", 2000);
    assert_int_equal(wait_of(t, "k", 2000), 60000);
    assert_int_equal(wait_of(t, "k", 9999), 52001);
    /* The failure at 0 is 10 s old at 10000: it no longer counts, 2 remain, no delay. */
    assert_int_equal(wait_of(t, "k", 10000), 0);
    throttle_fail(t, "k", 10000); /* 1000, 2000, 10000 */
    assert_int_equal(wait_of(t, "k", 10000), 60000);
    assert_int_equal(wait_of(t, "k", 10999), 60000 - 999);
    assert_int_equal(wait_of(t, "k", 11000), 0); /* 1000 left */
    assert_int_equal(throttle_size(t), 1);
    assert_int_equal(wait_of(t, "k", 19999), 0);
    assert_int_equal(throttle_size(t), 1);
    /* All failures out of the window: the key is forgotten. */
    assert_int_equal(wait_of(t, "k", 20000), 0);
    assert_int_equal(throttle_size(t), 0);
    /* Expired entries are also dropped when other keys are touched. */
    throttle_fail(t, "a", 30000);
    throttle_fail(t, "b", 30001);
    assert_int_equal(throttle_size(t), 2);
    throttle_fail(t, "c", 40000);
    assert_int_equal(throttle_size(t), 2); /* a left, b still has 1 ms */
    throttle_fail(t, "c", 40001);
    assert_int_equal(throttle_size(t), 1);
    throttle_free(t);
}

static void test_clear_resets(void **state)
{
    struct throttle *t = make(cfg_default());
    for (int i = 0; i < 8; i++)
        throttle_fail(t, "user:7", 0);
    assert_int_equal(wait_of(t, "user:7", 0), 10000);
    throttle_clear(t, "user:7");
    assert_int_equal(throttle_size(t), 0);
    assert_int_equal(wait_of(t, "user:7", 0), 0);
    /* Counting starts again from zero. */
    for (int i = 0; i < 3; i++)
        throttle_fail(t, "user:7", 1);
    assert_int_equal(wait_of(t, "user:7", 1), 0);
    throttle_fail(t, "user:7", 1);
    assert_int_equal(wait_of(t, "user:7", 1), 1000);
    throttle_clear(t, "unknown");
    throttle_clear(t, NULL);
    throttle_fail(t, NULL, 0);
    assert_int_equal(throttle_check(t, NULL, 0, NULL), SB_EINVAL);
    assert_int_equal(throttle_size(t), 1);
    throttle_free(t);
}

static void test_keys_are_independent(void **state)
{
    struct throttle *t = make(cfg_default());
    for (int i = 0; i < 5; i++)
        throttle_fail(t, "ip:203.0.113.9", 0);
    throttle_fail(t, "user:42", 0);
    assert_int_equal(wait_of(t, "ip:203.0.113.9", 0), 2000);
    assert_int_equal(wait_of(t, "user:42", 0), 0);
    assert_int_equal(wait_of(t, "ip:203.0.113.90", 0), 0);
    assert_int_equal(wait_of(t, "ip:203.0.113.", 0), 0);
    assert_int_equal(wait_of(t, "", 0), 0);
    throttle_clear(t, "user:42");
    assert_int_equal(wait_of(t, "ip:203.0.113.9", 0), 2000);
    assert_int_equal(throttle_size(t), 1);
    throttle_free(t);
}

static void test_long_keys(void **state)
{
    char a[300], b[300], p128[129], p129[130];
    memset(a, 'x', sizeof(a) - 1);
    a[sizeof(a) - 1] = '\0';
    memcpy(b, a, sizeof(b));
    b[sizeof(b) - 2] = 'y'; /* differs only in the last byte */
    memset(p128, 'x', 128);
    p128[128] = '\0';
    memset(p129, 'x', 129);
    p129[129] = '\0';

    struct throttle *t = make(cfg_default());
    for (int i = 0; i < 4; i++)
        throttle_fail(t, a, 0);
    assert_int_equal(wait_of(t, a, 0), 1000);
    assert_int_equal(wait_of(t, b, 0), 0);
    assert_int_equal(wait_of(t, p128, 0), 0);
    assert_int_equal(wait_of(t, p129, 0), 0);
    for (int i = 0; i < 4; i++)
        throttle_fail(t, p128, 0);
    assert_int_equal(wait_of(t, p128, 0), 1000);
    assert_int_equal(wait_of(t, p129, 0), 0);
    /* A fresh copy of the same long key maps to the same entry. */
    char a2[300];
    memcpy(a2, a, sizeof(a2));
    throttle_fail(t, a2, 0);
    assert_int_equal(wait_of(t, a, 0), 2000);
    assert_int_equal(throttle_size(t), 2);
    throttle_clear(t, a2);
    assert_int_equal(wait_of(t, a, 0), 0);
    assert_int_equal(throttle_size(t), 1);
    throttle_free(t);
}

static void test_full_table_evicts_idlest(void **state)
{
    struct throttle_config c = cfg_default();
    c.max_keys = 3;
    c.free_failures = 1;
    struct throttle *t = make(c);
    throttle_fail(t, "a", 1);
    throttle_fail(t, "b", 2);
    throttle_fail(t, "c", 3);
    throttle_fail(t, "a", 4); /* a is now the most recent; b is the idlest */
    assert_int_equal(throttle_size(t), 3);
    throttle_fail(t, "d", 5);
    assert_int_equal(throttle_size(t), 3);
    assert_int_equal(wait_of(t, "a", 5), 1000 - 1); /* 2 failures kept */
    throttle_fail(t, "b", 6);                       /* b starts over: 1 failure, evicts c */
    assert_int_equal(wait_of(t, "b", 6), 0);
    assert_int_equal(throttle_size(t), 3);
    throttle_fail(t, "c", 7); /* evicts a (last failure at 4) */
    throttle_fail(t, "c", 7);
    assert_int_equal(wait_of(t, "c", 7), 1000);
    assert_int_equal(wait_of(t, "a", 7), 0);
    assert_int_equal(throttle_size(t), 3);
    /* A cleared slot is reused before anything is evicted. */
    throttle_clear(t, "d");
    assert_int_equal(throttle_size(t), 2);
    throttle_fail(t, "e", 8);
    throttle_fail(t, "b", 8);
    assert_int_equal(throttle_size(t), 3);
    assert_int_equal(wait_of(t, "b", 8), 1000);
    assert_int_equal(wait_of(t, "c", 8), 999);
    throttle_free(t);
}

static void test_many_keys_bounded(void **state)
{
    struct throttle_config c = cfg_default();
    c.max_keys = 1000;
    struct throttle *t = make(c);
    size_t heap_before = heap_in_use();
    size_t over = 0;
    char key[32];
    for (int i = 0; i < 100000; i++) {
        snprintf(key, sizeof(key), "ip:10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
        throttle_fail(t, key, i);
        if (throttle_size(t) > 1000)
            over++;
    }
    size_t heap_after = heap_in_use();
    assert_int_equal(over, 0);
    assert_int_equal(throttle_size(t), 1000);
    assert_int_equal(heap_after, heap_before);
    /* The newest 1000 keys survive, the older ones were evicted. */
    assert_int_equal(wait_of(t, "ip:10.1.134.159", 100000), 0); /* i = 99999 */
    for (int i = 0; i < 3; i++)
        throttle_fail(t, "ip:10.1.134.159", 100000);
    assert_int_equal(wait_of(t, "ip:10.1.134.159", 100000), 1000);
    throttle_fail(t, "ip:10.0.0.0", 100000);
    for (int i = 0; i < 2; i++)
        throttle_fail(t, "ip:10.0.0.0", 100000);
    assert_int_equal(wait_of(t, "ip:10.0.0.0", 100000), 0); /* i = 0 was evicted long ago */
    assert_int_equal(throttle_size(t), 1000);
    throttle_free(t);
}

#define N_THREADS 4
#define N_OPS     20000
#define N_KEYS    24

struct hammer {
    struct throttle *t;
    _Atomic int64_t *clock;
    unsigned seed;
    size_t bad;
    size_t throttled;
};

static void *hammer_run(void *arg)
{
    struct hammer *h = arg;
    char key[16];
    for (int i = 0; i < N_OPS; i++) {
        h->seed = h->seed * 1103515245u + 12345u;
        unsigned r = h->seed >> 8;
        snprintf(key, sizeof(key), "k%u", r % N_KEYS);
        int64_t now = atomic_fetch_add(h->clock, 1);
        int64_t ra = -1;
        switch ((r >> 8) % 8) {
        case 0:
        case 1:
        case 2:
            throttle_fail(h->t, key, now);
            break;
        case 3:
            throttle_clear(h->t, key);
            break;
        case 4:
            if (throttle_size(h->t) > 16)
                h->bad++;
            break;
        default: {
            int rc = throttle_check(h->t, key, now, &ra);
            if (rc == SB_ETHROTTLED) {
                h->throttled++;
                if (ra <= 0 || ra > 8000)
                    h->bad++;
            } else if (rc != 0 || ra != 0) {
                h->bad++;
            }
            break;
        }
        }
    }
    return NULL;
}

static void test_threads_hammer(void **state)
{
    struct throttle_config c = {
        .max_keys = 16, /* fewer than the keys in play: eviction runs concurrently too */
        .free_failures = 2,
        .window_ms = 5000,
        .base_delay_ms = 10,
        .max_delay_ms = 8000,
    };
    struct throttle *t = make(c);
    _Atomic int64_t clock = 0;
    struct hammer h[N_THREADS];
    pthread_t th[N_THREADS];
    for (int i = 0; i < N_THREADS; i++) {
        h[i] = (struct hammer){.t = t, .clock = &clock, .seed = 7u * (unsigned)i + 1u};
        assert_int_equal(pthread_create(&th[i], NULL, hammer_run, &h[i]), 0);
    }
    size_t throttled = 0;
    for (int i = 0; i < N_THREADS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(h[i].bad, 0);
        throttled += h[i].throttled;
    }
    assert_true(throttled > 0);
    assert_true(throttle_size(t) <= 16);
    /* Still consistent afterwards: clearing every key empties it. */
    char key[16];
    for (int k = 0; k < N_KEYS; k++) {
        snprintf(key, sizeof(key), "k%d", k);
        throttle_clear(t, key);
    }
    assert_int_equal(throttle_size(t), 0);
    throttle_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_validation),
        cmocka_unit_test(test_no_delay_within_allowance),
        cmocka_unit_test(test_check_is_not_a_failure),
        cmocka_unit_test(test_exponential_then_capped),
        cmocka_unit_test(test_extreme_values_do_not_overflow),
        cmocka_unit_test(test_retry_after_counts_down_to_boundary),
        cmocka_unit_test(test_sliding_window),
        cmocka_unit_test(test_clear_resets),
        cmocka_unit_test(test_keys_are_independent),
        cmocka_unit_test(test_long_keys),
        cmocka_unit_test(test_full_table_evicts_idlest),
        cmocka_unit_test(test_many_keys_bounded),
        cmocka_unit_test(test_threads_hammer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
