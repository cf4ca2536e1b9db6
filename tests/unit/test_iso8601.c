/* test_iso8601.c — the ISO-8601 instants the report filters take: every accepted form, zones,
 * fractions, and the refusals (impossible dates, no zone, leap seconds, before 1970), checked
 * against timegm() over a range of days. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <cmocka.h>

#include "core/clock.h"
#include "core/iso8601.h"

static int64_t parse(const char *s)
{
    int64_t v = -12345;
    assert_true(iso8601_parse(s, &v));
    return v;
}

static void refused(const char *s)
{
    int64_t v = -12345;
    if (iso8601_parse(s, &v))
        fail_msg("accepted \"%s\"", s);
    assert_int_equal(v, -12345);
}

static void test_forms(void **state)
{
    (void)state;
    assert_int_equal(parse("1970-01-01"), 0);
    assert_int_equal(parse("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(parse("2026-11-22T03:11:33.123Z"), 1795317093123LL);
    assert_int_equal(parse("2026-11-22t03:11:33.123z"), 1795317093123LL);
    assert_int_equal(parse("2026-11-22T03:11Z"), 1795317060000LL);
    assert_int_equal(parse("2026-11-22T03:11:33.1Z"), 1795317093100LL);
    assert_int_equal(parse("2026-11-22T03:11:33.123456789Z"), 1795317093123LL);
    assert_int_equal(parse("2026-11-22T04:11:33.123+01:00"), 1795317093123LL);
    assert_int_equal(parse("2026-11-21T22:41:33.123-04:30"), 1795317093123LL);
    assert_int_equal(parse("2026-11-22"), 1795305600000LL);
    assert_int_equal(parse("2024-02-29T00:00:00Z"), 1709164800000LL);
    assert_int_equal(parse("2000-02-29"), 951782400000LL);
    assert_int_equal(parse("9999-12-31T23:59:59.999Z"), 253402300799999LL);
    /* What clock_iso8601 writes reads back. */
    char out[32];
    assert_int_equal(parse(clock_iso8601(1795317093123LL, out)), 1795317093123LL);
}

static void test_refusals(void **state)
{
    (void)state;
    const char *bad[] = {"",
                         "2026",
                         "2026-11",
                         "2026-11-22T",
                         "2026-11-22T03",
                         "2026-11-22T03:11:33",
                         "2026-11-22 03:11:33Z",
                         "2026-11-22T03:11:33.Z",
                         "2026-11-22T03:11:33.1234567890Z",
                         "2026-11-22T03:11:60Z",
                         "2026-11-22T24:00:00Z",
                         "2026-11-22T03:60:00Z",
                         "2026-11-22T03:11:33+1:00",
                         "2026-11-22T03:11:33+01",
                         "2026-11-22T03:11:33+24:00",
                         "2026-11-22T03:11:33Zjunk",
                         "2026-11-22junk",
                         "2026-02-29",
                         "2100-02-29",
                         "2026-04-31",
                         "2026-13-01",
                         "2026-00-10",
                         "2026-01-00",
                         "1969-12-31T23:59:59Z",
                         "1970-01-01T00:00:00+00:01",
                         "+2026-11-22",
                         "2026-1-22",
                         "١٩٧٠-01-01",
                         "1795317093123"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        refused(bad[i]);
    int64_t v = 7;
    assert_false(iso8601_parse(NULL, &v));
    assert_int_equal(v, 7);
}

static void test_against_timegm(void **state)
{
    (void)state;
    /* Every 7th day from 1970 to 2400 at a varying time of day. */
    for (int64_t day = 0; day < 157000; day += 7) {
        int64_t ms = day * 86400000 + (day * 7919 % 86400) * 1000 + day % 1000;
        time_t t = (time_t)(ms / 1000);
        struct tm tm;
        assert_non_null(gmtime_r(&t, &tm));
        char s[64];
        snprintf(s, sizeof(s), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
        assert_int_equal(parse(s), ms);
        assert_int_equal((int64_t)timegm(&tm) * 1000 + ms % 1000, ms);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_against_timegm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
