#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/clock.h"

static void test_virtual_clock(void **state)
{
    struct sb_clock c;
    clock_virtual_init(&c, 1000);
    assert_int_equal(clock_now_ms(&c), 1000);
    assert_int_equal(clock_mono_ms(&c), 1000);
    clock_virtual_advance(&c, 250);
    assert_int_equal(clock_now_ms(&c), 1250);
    assert_int_equal(clock_mono_ms(&c), 1250);
    clock_virtual_advance(&c, 0);
    assert_int_equal(clock_now_ms(&c), 1250);
    /* Going backwards through advance is refused: monotonic time never decreases. */
    clock_virtual_advance(&c, -100);
    assert_int_equal(clock_mono_ms(&c), 1250);
    clock_virtual_set(&c, 1700000000000);
    assert_int_equal(clock_now_ms(&c), 1700000000000);
    assert_int_equal(clock_mono_ms(&c), 1700000000000);
}

struct advancer {
    struct sb_clock *c;
    int steps;
};

static void *advance_thread(void *arg)
{
    struct advancer *a = arg;
    for (int i = 0; i < a->steps; i++)
        clock_virtual_advance(a->c, 1);
    return NULL;
}

static void test_virtual_clock_concurrent_readers(void **state)
{
    struct sb_clock c;
    clock_virtual_init(&c, 0);
    struct advancer a = {&c, 200000};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, advance_thread, &a), 0);
    int64_t last = 0;
    for (int i = 0; i < 200000; i++) {
        int64_t now = clock_mono_ms(&c);
        assert_true(now >= last);
        assert_true(now <= 200000);
        last = now;
    }
    pthread_join(t, NULL);
    assert_int_equal(clock_now_ms(&c), 200000);
}

static void test_real_clock(void **state)
{
    struct sb_clock *c = clock_real();
    assert_non_null(c);
    assert_ptr_equal(c, clock_real());
    /* 2020-01-01 and 2200-01-01: catches seconds-vs-milliseconds mistakes. */
    int64_t now = clock_now_ms(c);
    assert_true(now > 1577836800000);
    assert_true(now < 7258118400000);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t sys = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    assert_true(sys >= now);
    int64_t last = clock_mono_ms(c);
    for (int i = 0; i < 10000; i++) {
        int64_t m = clock_mono_ms(c);
        assert_true(m >= last);
        last = m;
    }
}

static void test_iso8601_known_values(void **state)
{
    static const struct {
        int64_t ms;
        const char *want;
    } cases[] = {
        {0, "1970-01-01T00:00:00.000Z"},
        {1, "1970-01-01T00:00:00.001Z"},
        {999, "1970-01-01T00:00:00.999Z"},
        {1000, "1970-01-01T00:00:01.000Z"},
        {-1, "1969-12-31T23:59:59.999Z"},
        {-1000, "1969-12-31T23:59:59.000Z"},
        {-1001, "1969-12-31T23:59:58.999Z"},
        {1700000000123, "2023-11-14T22:13:20.123Z"},
        {951782400000, "2000-02-29T00:00:00.000Z"},
        {4107542399999, "2100-02-28T23:59:59.999Z"},
        {1798761599050, "2026-12-31T23:59:59.050Z"},
        {-62135596800000, "0001-01-01T00:00:00.000Z"},
        {253402300799999, "9999-12-31T23:59:59.999Z"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[32];
        memset(out, 'X', sizeof(out));
        assert_ptr_equal(clock_iso8601(cases[i].ms, out), out);
        assert_string_equal(out, cases[i].want);
    }
}

static void test_iso8601_round_trips(void **state)
{
    /* Spread over 1900..2300 with a prime step so every field value gets exercised. */
    for (int64_t ms = -2208988800000; ms < 10413792000000; ms += 7919LL * 100003LL + 17) {
        char out[32];
        clock_iso8601(ms, out);
        assert_int_equal(strlen(out), 24);
        struct tm tm;
        memset(&tm, 0, sizeof(tm));
        const char *rest = strptime(out, "%Y-%m-%dT%H:%M:%S", &tm);
        assert_non_null(rest);
        assert_int_equal(rest[0], '.');
        assert_int_equal(rest[4], 'Z');
        assert_int_equal(rest[5], 0);
        int64_t frac = (rest[1] - '0') * 100 + (rest[2] - '0') * 10 + (rest[3] - '0');
        int64_t back = (int64_t)timegm(&tm) * 1000 + frac;
        assert_int_equal(back, ms);
    }
}

static void test_iso8601_extremes_stay_in_buffer(void **state)
{
    char out[32];
    /* The widest inputs there are: years of nine digits and a sign must still fit. */
    clock_iso8601(INT64_MAX, out);
    assert_string_equal(out, "292278994-08-17T07:12:55.807Z");
    clock_iso8601(INT64_MIN, out);
    assert_string_equal(out, "-292275055-05-16T16:47:04.192Z");
    clock_iso8601(253402300800000, out);
    assert_string_equal(out, "10000-01-01T00:00:00.000Z");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_virtual_clock),
        cmocka_unit_test(test_virtual_clock_concurrent_readers),
        cmocka_unit_test(test_real_clock),
        cmocka_unit_test(test_iso8601_known_values),
        cmocka_unit_test(test_iso8601_round_trips),
        cmocka_unit_test(test_iso8601_extremes_stay_in_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
