/* test_intervals.c — sub-interval specs (the product's "mon-fri", "1-15", "jan-mar", time
 * ranges with an inclusive end minute, ranges crossing midnight and wrapping), matching in the
 * server's time zone across both DST changes, the interval set, and interval storage (CRUD,
 * field-level validation, unique names, refusing to delete an interval a flow uses) on
 * SQLite and, when SB_TEST_PG_CONNINFO is set, PostgreSQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/log.h"
#include "db_fixture.h"
#include "routing/flow.h"
#include "routing/intervals.h"

/* Rome's rules as a POSIX TZ string: no tzdata needed. CET (UTC+1); CEST (UTC+2) from the last
 * Sunday of March 02:00 to the last Sunday of October 03:00. */
#define TZ_ROME "CET-1CEST,M3.5.0,M10.5.0/3"

static void set_tz(const char *tz)
{
    setenv("TZ", tz, 1);
    tzset();
}

/* UTC milliseconds of a UTC calendar time. */
static int64_t utc(int y, int mon, int d, int h, int mi)
{
    struct tm tm = {
        .tm_year = y - 1900, .tm_mon = mon - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi};
    return (int64_t)timegm(&tm) * 1000;
}

static struct sub_interval spec(const char *t, const char *w, const char *md, const char *mo)
{
    struct sub_interval s;
    const char *field = NULL, *msg = NULL;
    assert_int_equal(interval_spec_parse(t, w, md, mo, &s, &field, &msg), 0);
    return s;
}

static const char *bad_field(const char *t, const char *w, const char *md, const char *mo)
{
    struct sub_interval s;
    const char *field = NULL, *msg = NULL;
    assert_int_equal(interval_spec_parse(t, w, md, mo, &s, &field, &msg), SB_EINVALID);
    assert_non_null(msg);
    return field;
}

/* A local time: weekday wd (0 = Sunday), month day, month (1-based), hh:mm. */
static struct tm at(int wd, int mday, int mon, int h, int mi)
{
    return (struct tm){
        .tm_wday = wd, .tm_mday = mday, .tm_mon = mon - 1, .tm_hour = h, .tm_min = mi};
}

static bool in(const struct sub_interval *s, struct tm tm)
{
    return sub_interval_matches_tm(s, &tm);
}

static void test_spec_syntax_and_field_errors(void **state)
{
    (void)state;
    spec("9:00-13:00", "mon-fri", "1-15", "jan-mar");
    spec("*", "*", "*", "*");
    spec(NULL, NULL, NULL, NULL);
    spec("00:00-23:59", "Mon,WED , fri", "1,15,31", "DEC");
    spec(" 22:00 - 06:00 ", "fri-mon", "25-5", "nov-feb");
    assert_string_equal(bad_field("24:00-25:00", NULL, NULL, NULL), "time_range");
    assert_string_equal(bad_field("09:60-10:00", NULL, NULL, NULL), "time_range");
    assert_string_equal(bad_field("09:00", NULL, NULL, NULL), "time_range");
    assert_string_equal(bad_field("9-13", NULL, NULL, NULL), "time_range");
    assert_string_equal(bad_field("09:00-13:00x", NULL, NULL, NULL), "time_range");
    assert_string_equal(bad_field("", NULL, NULL, NULL), "time_range");
    assert_string_equal(bad_field(NULL, "mon-fry", NULL, NULL), "week_days");
    assert_string_equal(bad_field(NULL, "monday", NULL, NULL), "week_days");
    assert_string_equal(bad_field(NULL, "mon,", NULL, NULL), "week_days");
    assert_string_equal(bad_field(NULL, "", NULL, NULL), "week_days");
    assert_string_equal(bad_field(NULL, NULL, "0-5", NULL), "month_days");
    assert_string_equal(bad_field(NULL, NULL, "1-32", NULL), "month_days");
    assert_string_equal(bad_field(NULL, NULL, "123", NULL), "month_days");
    assert_string_equal(bad_field(NULL, NULL, NULL, "jan-foo"), "months");
    assert_string_equal(bad_field(NULL, NULL, NULL, "13"), "months");
    /* The first bad field is named. */
    assert_string_equal(bad_field("x", "y", "z", "w"), "time_range");
    char longer[INTERVAL_FIELD_MAX + 8];
    memset(longer, ' ', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = 0;
    memcpy(longer + sizeof(longer) - 4, "mon", 3);
    assert_string_equal(bad_field(NULL, longer, NULL, NULL), "week_days");
}

static void test_end_minute_is_included(void **state)
{
    (void)state;
    struct sub_interval s = spec("09:00-13:00", NULL, NULL, NULL);
    assert_false(in(&s, at(1, 2, 3, 8, 59)));
    assert_true(in(&s, at(1, 2, 3, 9, 0)));
    assert_true(in(&s, at(1, 2, 3, 13, 0))); /* 13:00:00-13:00:59 */
    assert_false(in(&s, at(1, 2, 3, 13, 1)));
    struct sub_interval one = spec("12:30-12:30", NULL, NULL, NULL);
    assert_true(in(&one, at(1, 2, 3, 12, 30)));
    assert_false(in(&one, at(1, 2, 3, 12, 31)));
    assert_false(in(&one, at(1, 2, 3, 12, 29)));
    struct sub_interval day = spec("00:00-23:59", NULL, NULL, NULL);
    assert_true(in(&day, at(1, 2, 3, 0, 0)));
    assert_true(in(&day, at(1, 2, 3, 23, 59)));
}

static void test_ranges_crossing_midnight_and_wrapping(void **state)
{
    (void)state;
    struct sub_interval night = spec("22:00-06:00", NULL, NULL, NULL);
    assert_false(in(&night, at(1, 2, 3, 21, 59)));
    assert_true(in(&night, at(1, 2, 3, 22, 0)));
    assert_true(in(&night, at(1, 2, 3, 23, 59)));
    assert_true(in(&night, at(1, 2, 3, 0, 0)));
    assert_true(in(&night, at(1, 2, 3, 6, 0)));
    assert_false(in(&night, at(1, 2, 3, 6, 1)));
    assert_false(in(&night, at(1, 2, 3, 12, 0)));
    /* Fields are independent: Friday night's early hours belong to Friday, not Saturday. */
    struct sub_interval fri_night = spec("22:00-06:00", "fri", NULL, NULL);
    assert_true(in(&fri_night, at(5, 6, 3, 23, 0)));
    assert_true(in(&fri_night, at(5, 6, 3, 5, 0)));
    assert_false(in(&fri_night, at(6, 7, 3, 5, 0)));

    struct sub_interval weekend = spec(NULL, "fri-mon", NULL, NULL);
    bool want[7] = {true, true, false, false, false, true, true}; /* sun..sat */
    for (int d = 0; d < 7; d++)
        assert_int_equal(in(&weekend, at(d, 10, 6, 12, 0)), want[d]);
    struct sub_interval workdays = spec(NULL, "mon-fri", NULL, NULL);
    for (int d = 0; d < 7; d++)
        assert_int_equal(in(&workdays, at(d, 10, 6, 12, 0)), d >= 1 && d <= 5);
    struct sub_interval listed = spec(NULL, "mon-wed,fri", NULL, NULL);
    for (int d = 0; d < 7; d++)
        assert_int_equal(in(&listed, at(d, 10, 6, 12, 0)), (d >= 1 && d <= 3) || d == 5);

    struct sub_interval first_half = spec(NULL, NULL, "1-15", NULL);
    assert_true(in(&first_half, at(1, 1, 6, 12, 0)));
    assert_true(in(&first_half, at(1, 15, 6, 12, 0)));
    assert_false(in(&first_half, at(1, 16, 6, 12, 0)));
    struct sub_interval month_turn = spec(NULL, NULL, "25-5", NULL);
    for (int d = 1; d <= 31; d++)
        assert_int_equal(in(&month_turn, at(1, d, 6, 12, 0)), d >= 25 || d <= 5);

    struct sub_interval q1 = spec(NULL, NULL, NULL, "jan-mar");
    for (int m = 1; m <= 12; m++)
        assert_int_equal(in(&q1, at(1, 10, m, 12, 0)), m <= 3);
    struct sub_interval winter = spec(NULL, NULL, NULL, "nov-feb");
    for (int m = 1; m <= 12; m++)
        assert_int_equal(in(&winter, at(1, 10, m, 12, 0)), m <= 2 || m >= 11);

    /* All four together: 09:00-18:00, mon-fri, 1-15, jan-mar. */
    struct sub_interval all = spec("09:00-18:00", "mon-fri", "1-15", "jan-mar");
    assert_true(in(&all, at(3, 14, 2, 18, 0)));
    assert_false(in(&all, at(3, 14, 2, 18, 1)));
    assert_false(in(&all, at(6, 14, 2, 12, 0)));
    assert_false(in(&all, at(3, 16, 2, 12, 0)));
    assert_false(in(&all, at(3, 14, 4, 12, 0)));
    struct sub_interval always = spec(NULL, NULL, NULL, NULL);
    assert_true(in(&always, at(0, 31, 12, 23, 59)));
}

static void test_server_time_zone_and_dst(void **state)
{
    (void)state;
    set_tz(TZ_ROME);
    struct sub_interval office = spec("09:00-17:00", "mon-fri", NULL, NULL);
    /* Friday 27 March 2026, CET (UTC+1): 09:00 local is 08:00 UTC. */
    assert_false(interval_matches(&office, 1, utc(2026, 3, 27, 7, 59)));
    assert_true(interval_matches(&office, 1, utc(2026, 3, 27, 8, 0)));
    assert_true(interval_matches(&office, 1, utc(2026, 3, 27, 16, 0) + 59999)); /* 17:00:59 */
    assert_false(interval_matches(&office, 1, utc(2026, 3, 27, 16, 1)));
    /* Sunday 29 March 02:00 the clocks go to 03:00. Monday 30 March, CEST (UTC+2): 09:00
     * local is 07:00 UTC — the same UTC instant as before the change is another local time. */
    assert_true(interval_matches(&office, 1, utc(2026, 3, 30, 7, 0)));
    assert_false(interval_matches(&office, 1, utc(2026, 3, 30, 6, 59)));
    assert_true(interval_matches(&office, 1, utc(2026, 3, 30, 15, 0) + 59999));
    assert_false(interval_matches(&office, 1, utc(2026, 3, 30, 15, 1)));
    /* The skipped hour never happens; the repeated one (25 October) happens twice. */
    struct sub_interval two = spec("02:00-02:59", NULL, NULL, NULL);
    int spring = 0, autumn = 0;
    for (int64_t t = utc(2026, 3, 28, 22, 0); t < utc(2026, 3, 29, 22, 0); t += 60000)
        spring += interval_matches(&two, 1, t);
    for (int64_t t = utc(2026, 10, 24, 22, 0); t < utc(2026, 10, 25, 23, 0); t += 60000)
        autumn += interval_matches(&two, 1, t);
    assert_int_equal(spring, 0);
    assert_int_equal(autumn, 120);
    /* Month days and months are local too: 31 Dec 23:30 UTC is already 1 January in Rome. */
    struct sub_interval jan1 = spec(NULL, NULL, "1", "jan");
    assert_true(interval_matches(&jan1, 1, utc(2026, 12, 31, 23, 30)));
    set_tz("UTC");
    assert_false(interval_matches(&jan1, 1, utc(2026, 12, 31, 23, 30)));
    assert_true(interval_matches(&office, 1, utc(2026, 3, 30, 17, 0)));
    /* No sub-interval: never. Several: any. */
    assert_false(interval_matches(NULL, 0, utc(2026, 3, 30, 12, 0)));
    struct sub_interval both[2] = {spec("08:00-08:59", NULL, NULL, NULL),
                                   spec("20:00-20:59", NULL, NULL, NULL)};
    assert_true(interval_matches(both, 2, utc(2026, 3, 30, 20, 30)));
    assert_false(interval_matches(both, 2, utc(2026, 3, 30, 12, 30)));
    /* Before 1970 the second is floored, not rounded towards zero. */
    struct tm tm;
    assert_int_equal(interval_local_time(-1, &tm), 0);
    assert_int_equal(tm.tm_year, 69);
    assert_int_equal(tm.tm_sec, 59);
}

static void test_interval_set(void **state)
{
    (void)state;
    set_tz("UTC");
    struct interval_set *s = interval_set_new();
    assert_non_null(s);
    struct sub_interval morning = spec("08:00-11:59", NULL, NULL, NULL);
    for (int64_t id = 40; id >= 1; id -= 3)
        assert_int_equal(interval_set_add(s, id, &morning, 1), 0);
    assert_int_equal(interval_set_add(s, 7, &morning, 1), SB_ECONFLICT);
    assert_int_equal(interval_set_add(s, 0, &morning, 1), SB_EINVAL);
    assert_int_equal(interval_set_add(s, 100, NULL, 0), 0); /* empty: never */
    assert_int_equal(interval_set_matches(s, 7, utc(2026, 5, 5, 9, 0)), 1);
    assert_int_equal(interval_set_matches(s, 7, utc(2026, 5, 5, 12, 0)), 0);
    assert_int_equal(interval_set_matches(s, 100, utc(2026, 5, 5, 9, 0)), 0);
    assert_int_equal(interval_set_matches(s, 8, utc(2026, 5, 5, 9, 0)), SB_ENOTFOUND);
    assert_int_equal(interval_set_matches(NULL, 7, 0), SB_ENOTFOUND);
    interval_set_free(s);
    interval_set_free(NULL);
}

/* ---- storage ----------------------------------------------------------------------------- */

static json_t *must_load(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, 0, &e);
    if (!v)
        fail_msg("bad test JSON: %s", e.text);
    return v;
}

/* The fields named in a validation failure, comma-separated. */
static void errors_are(const char *body_text, const json_t *current, const char *want)
{
    json_t *body = must_load(body_text), *clean = NULL, *errors = NULL;
    assert_int_equal(interval_validate(body, current, &clean, &errors), SB_EINVALID);
    assert_null(clean);
    char got[512] = "";
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e)
    {
        if (i)
            strcat(got, ",");
        strncat(got, json_string_value(json_object_get(e, "field")), 100);
    }
    assert_string_equal(got, want);
    json_decref(errors);
    json_decref(body);
}

static int64_t create(struct db *db, const char *body_text, int expect)
{
    json_t *body = must_load(body_text), *clean = NULL, *errors = NULL;
    assert_int_equal(interval_validate(body, NULL, &clean, &errors), 0);
    int64_t id = 0;
    assert_int_equal(interval_create(db, clean, 1000, &id), expect);
    json_decref(clean);
    json_decref(body);
    return id;
}

static void test_store_validation(void **state)
{
    (void)state;
    errors_are("{}", NULL, "name");
    errors_are("{\"name\":\"\",\"color\":1}", NULL, "color,name");
    errors_are("{\"name\":\"x\",\"sub_intervals\":[{\"type\":\"custom\",\"time_range\":\"9\"},"
               "{\"type\":\"always\",\"week_days\":\"mon\"},{\"type\":\"sometimes\"},"
               "{\"months\":\"foo\",\"extra\":1},5]}",
               NULL,
               "sub_intervals[0].time_range,sub_intervals[1].week_days,sub_intervals[2].type,"
               "sub_intervals[3].extra,sub_intervals[3].months,sub_intervals[4]");
    errors_are("{\"name\":\"x\",\"sub_intervals\":{}}", NULL, "sub_intervals");
    errors_are("{\"name\":\"x\",\"description\":5}", NULL, "description");
    /* 101 sub-intervals are too many. */
    char big[101 * 20 + 64];
    strcpy(big, "{\"name\":\"x\",\"sub_intervals\":[");
    for (int i = 0; i < 101; i++)
        strcat(big, i ? ",{\"type\":\"always\"}" : "{\"type\":\"always\"}");
    strcat(big, "]}");
    errors_are(big, NULL, "sub_intervals");
}

static void test_store_crud(void **state)
{
    struct db *db = *state;
    /* The installation's two intervals. */
    json_t *items = NULL;
    int64_t total = 0;
    assert_int_equal(interval_list(db, NULL, 50, 0, &items, &total), 0);
    assert_int_equal(total, 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "name")),
                        "holidays");
    json_t *wt = json_array_get(items, 1);
    assert_string_equal(json_string_value(json_object_get(wt, "name")), "working time");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(wt, "sub_intervals"), 0), "week_days")),
                        "mon-fri");
    json_decref(items);

    int64_t id =
        create(db,
               "{\"name\":\"Support hours\",\"description\":\"d\",\"sub_intervals\":["
               "{\"name\":\"am\",\"time_range\":\"08:00-12:00\",\"week_days\":\"MON-Fri\"},"
               "{\"type\":\"always\"}]}",
               0);
    assert_true(id > 0);
    create(db, "{\"name\":\"Support hours\"}", SB_ECONFLICT);
    json_t *got = NULL;
    assert_int_equal(interval_get(db, id, &got), 0);
    json_t *subs = json_object_get(got, "sub_intervals");
    assert_int_equal(json_array_size(subs), 2);
    json_t *s0 = json_array_get(subs, 0);
    assert_string_equal(json_string_value(json_object_get(s0, "week_days")), "mon-fri");
    assert_string_equal(json_string_value(json_object_get(s0, "month_days")), "*");
    assert_string_equal(json_string_value(json_object_get(s0, "name")), "am");
    assert_string_equal(json_string_value(json_object_get(json_array_get(subs, 1), "type")),
                        "always");
    assert_int_equal(json_integer_value(json_object_get(got, "flows")), 0);

    /* A change without sub_intervals keeps them; with them, replaces them all. */
    json_t *body = must_load("{\"description\":null}"), *clean = NULL, *errors = NULL;
    assert_int_equal(interval_validate(body, got, &clean, &errors), 0);
    assert_int_equal(interval_update(db, id, clean, 2000), 0);
    json_decref(body);
    json_decref(clean);
    json_decref(got);
    assert_int_equal(interval_get(db, id, &got), 0);
    assert_true(json_is_null(json_object_get(got, "description")));
    assert_int_equal(json_array_size(json_object_get(got, "sub_intervals")), 2);
    body =
        must_load("{\"name\":\"Evenings\",\"sub_intervals\":[{\"time_range\":\"18:00-21:59\"}]}");
    assert_int_equal(interval_validate(body, got, &clean, &errors), 0);
    assert_int_equal(interval_update(db, id, clean, 3000), 0);
    assert_int_equal(interval_update(db, 99999, clean, 3000), SB_ENOTFOUND);
    json_decref(body);
    json_decref(clean);
    json_decref(got);
    assert_int_equal(interval_get(db, id, &got), 0);
    assert_string_equal(json_string_value(json_object_get(got, "name")), "Evenings");
    assert_int_equal(json_array_size(json_object_get(got, "sub_intervals")), 1);
    json_decref(got);

    /* The set the router reads. */
    set_tz("UTC");
    struct interval_set *set = NULL;
    int64_t version = 0, now_version = 0;
    assert_int_equal(interval_set_load(db, &set, &version), 0);
    assert_int_equal(version, 4); /* 1 at installation, then a create and two changes */
    assert_int_equal(interval_set_matches(set, id, utc(2026, 1, 1, 20, 0)), 1);
    assert_int_equal(interval_set_matches(set, id, utc(2026, 1, 1, 22, 0)), 0);
    interval_set_free(set);

    /* Search and paging. */
    assert_int_equal(interval_list(db, "EVEN", 50, 0, &items, &total), 0);
    assert_int_equal(total, 1);
    json_decref(items);
    assert_int_equal(interval_list(db, NULL, 1, 1, &items, &total), 0);
    assert_int_equal(total, 3);
    assert_int_equal(json_array_size(items), 1);
    json_decref(items);

    /* In use by a flow: refused, and nothing changes; unused: deleted. */
    json_t *actions = json_pack("[{s:s, s:I, s:s}]", "application", "tag", "interval_id",
                                (json_int_t)id, "tag", "evening");
    struct flow *f = NULL;
    assert_int_equal(flow_parse(actions, "sms", &f, &errors), 0);
    assert_int_equal(flow_save(db, "sms", 5, f, 4000, NULL), 0);
    int64_t users = 0;
    assert_int_equal(interval_delete(db, id, &users), SB_ECONFLICT);
    assert_int_equal(users, 1);
    assert_int_equal(interval_version(db, &now_version), 0);
    assert_int_equal(now_version, version); /* refused: nothing changed */
    assert_int_equal(interval_get(db, id, &got), 0);
    assert_int_equal(json_integer_value(json_object_get(got, "flows")), 1);
    json_decref(got);
    flow_free(f);
    json_decref(actions);
    actions = json_array();
    assert_int_equal(flow_parse(actions, "sms", &f, &errors), 0);
    assert_int_equal(flow_save(db, "sms", 5, f, 5000, NULL), 0);
    flow_free(f);
    json_decref(actions);
    assert_int_equal(interval_delete(db, id, NULL), 0);
    assert_int_equal(interval_version(db, &now_version), 0);
    assert_int_equal(now_version, version + 1);
    assert_int_equal(interval_delete(db, id, NULL), SB_ENOTFOUND);
    assert_int_equal(interval_get(db, id, &got), SB_ENOTFOUND);
    int64_t left = -1;
    assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM sub_intervals WHERE interval_id = ?",
                                    &left, 1, id),
                     0);
    assert_int_equal(left, 0);
}

#define PURE(f)     cmocka_unit_test(f)
#define MIGRATED(f) cmocka_unit_test_setup_teardown(f, setup_migrated, teardown)

int main(void)
{
    log_open(NULL, LOG_WARN);
    const struct CMUnitTest pure[] = {
        PURE(test_spec_syntax_and_field_errors),
        PURE(test_end_minute_is_included),
        PURE(test_ranges_crossing_midnight_and_wrapping),
        PURE(test_server_time_zone_and_dst),
        PURE(test_interval_set),
        PURE(test_store_validation),
    };
    const struct CMUnitTest stored[] = {
        MIGRATED(test_store_crud),
    };
    int failures = cmocka_run_group_tests_name("intervals", pure, NULL, NULL);
    return failures +
           db_fixture_main("intervals_store", stored, sizeof(stored) / sizeof(stored[0]));
}
