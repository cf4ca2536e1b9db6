#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/json_escape.h"
#include "core/log.h"

static char tmp_dir[512];
static char log_path[600];

static int mkdir_p(const char *path)
{
    char p[512];
    if (snprintf(p, sizeof(p), "%s", path) >= (int)sizeof(p))
        return -1;
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = 0;
        if (mkdir(p, 0700) != 0 && errno != EEXIST)
            return -1;
        *s = '/';
    }
    return mkdir(p, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

/* A fresh directory per test under $SB_TEST_TMP (or /tmp), removed again afterwards. */
static int setup_tmp(void **state)
{
    const char *base = getenv("SB_TEST_TMP");
    if (!base || !*base)
        base = "/tmp";
    if (mkdir_p(base))
        return -1;
    snprintf(tmp_dir, sizeof(tmp_dir), "%s/test_log.XXXXXX", base);
    if (!mkdtemp(tmp_dir))
        return -1;
    snprintf(log_path, sizeof(log_path), "%s/app.log", tmp_dir);
    return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

static int teardown_tmp(void **state)
{
    log_close();
    log_set_request_id(NULL);
    return nftw(tmp_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct buf b;
    buf_init(&b, 64 << 20);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (buf_add(&b, chunk, n)) {
            fclose(f);
            buf_free(&b);
            return NULL;
        }
    fclose(f);
    return buf_take(&b, NULL);
}

/* Parses every line of a log file as one strict JSON object; returns them as a JSON array.
 * Fails the test on any line that is not valid JSON or not newline-terminated. */
static json_t *read_lines(const char *path)
{
    char *text = slurp(path);
    assert_non_null(text);
    json_t *arr = json_array();
    char *line = text;
    while (*line) {
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        json_error_t err;
        json_t *obj = json_loadb(line, (size_t)(nl - line), JSON_REJECT_DUPLICATES, &err);
        if (!obj)
            fail_msg("bad log line: %s (%.*s)", err.text, (int)(nl - line), line);
        assert_true(json_is_object(obj));
        json_array_append_new(arr, obj);
        line = nl + 1;
    }
    free(text);
    return arr;
}

static const char *str_field(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    assert_true(json_is_string(v));
    return json_string_value(v);
}

static void assert_iso_ts(const char *ts)
{
    assert_int_equal(strlen(ts), 24);
    assert_int_equal(ts[4], '-');
    assert_int_equal(ts[10], 'T');
    assert_int_equal(ts[19], '.');
    assert_int_equal(ts[23], 'Z');
}

static void test_lines_are_json_with_escaping(void **state)
{
    assert_int_equal(log_open(log_path, LOG_DEBUG), 0);
    const char *rid = "req-\"7\"\\\n\x01\xc3\xa9";
    const char *msg = "quote\" backslash\\ nl\n cr\r tab\t bell\x07 del\x7f utf8 \xe2\x82\xac";
    log_set_request_id(rid);
    assert_string_equal(log_request_id(), rid);
    log_write(LOG_INFO, msg, "\"status\":200,\"path\":\"/x\"");
    log_msgf(LOG_WARN, "n=%d %s", 5, "five");
    log_write(LOG_ERROR, NULL, NULL);

    json_t *lines = read_lines(log_path);
    assert_int_equal(json_array_size(lines), 3);
    json_t *l0 = json_array_get(lines, 0);
    assert_iso_ts(str_field(l0, "ts"));
    assert_string_equal(str_field(l0, "level"), "info");
    assert_string_equal(str_field(l0, "msg"), msg);
    assert_string_equal(str_field(l0, "request_id"), rid);
    assert_int_equal(json_integer_value(json_object_get(l0, "status")), 200);
    assert_string_equal(str_field(l0, "path"), "/x");
    json_t *l1 = json_array_get(lines, 1);
    assert_string_equal(str_field(l1, "level"), "warn");
    assert_string_equal(str_field(l1, "msg"), "n=5 five");
    assert_string_equal(str_field(l1, "request_id"), rid);
    json_t *l2 = json_array_get(lines, 2);
    assert_string_equal(str_field(l2, "level"), "error");
    assert_string_equal(str_field(l2, "msg"), "");
    json_decref(lines);
}

static void *id_thread(void *arg)
{
    char *seen = arg;
    snprintf(seen, 64, "%s", log_request_id());
    log_set_request_id("worker-id");
    log_info("from worker");
    return NULL;
}

static void test_request_id_is_per_thread_and_bounded(void **state)
{
    char long_id[200];
    memset(long_id, 'r', sizeof(long_id) - 1);
    long_id[sizeof(long_id) - 1] = 0;
    log_set_request_id(long_id);
    assert_int_equal(strlen(log_request_id()), 63);
    log_set_request_id("main-id");
    assert_string_equal(log_request_id(), "main-id");
    log_set_request_id(NULL);
    assert_string_equal(log_request_id(), "");
    log_set_request_id("main-id");

    assert_int_equal(log_open(log_path, LOG_INFO), 0);
    /* A fresh thread starts with no id and its own id never leaks into this thread. */
    char seen[64] = "unset";
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, id_thread, seen), 0);
    pthread_join(t, NULL);
    assert_string_equal(seen, "");
    assert_string_equal(log_request_id(), "main-id");
    log_info("from main");

    json_t *lines = read_lines(log_path);
    assert_int_equal(json_array_size(lines), 2);
    assert_string_equal(str_field(json_array_get(lines, 0), "request_id"), "worker-id");
    assert_string_equal(str_field(json_array_get(lines, 0), "msg"), "from worker");
    assert_string_equal(str_field(json_array_get(lines, 1), "request_id"), "main-id");
    json_decref(lines);
}

static void test_level_filtering(void **state)
{
    assert_int_equal(log_open(log_path, LOG_WARN), 0);
    log_debug("d");
    log_info("i");
    log_write(LOG_INFO, "i2", NULL);
    log_warn("w");
    log_error("e");
    json_t *lines = read_lines(log_path);
    assert_int_equal(json_array_size(lines), 2);
    assert_string_equal(str_field(json_array_get(lines, 0), "msg"), "w");
    assert_string_equal(str_field(json_array_get(lines, 1), "msg"), "e");
    json_decref(lines);

    assert_int_equal(log_level_parse("debug"), LOG_DEBUG);
    assert_int_equal(log_level_parse("info"), LOG_INFO);
    assert_int_equal(log_level_parse("warn"), LOG_WARN);
    assert_int_equal(log_level_parse("error"), LOG_ERROR);
    assert_int_equal(log_level_parse("INFO"), -1);
    assert_int_equal(log_level_parse("warning"), -1);
    assert_int_equal(log_level_parse(""), -1);
    assert_int_equal(log_level_parse(NULL), -1);
}

static void test_reopen_after_rename(void **state)
{
    char rotated[700];
    snprintf(rotated, sizeof(rotated), "%s.1", log_path);
    assert_int_equal(log_open(log_path, LOG_INFO), 0);
    log_info("before");
    assert_int_equal(rename(log_path, rotated), 0);
    log_info("still old"); /* until reopen, lines follow the renamed file */
    assert_int_equal(log_reopen(), 0);
    log_info("after");

    json_t *old = read_lines(rotated);
    assert_int_equal(json_array_size(old), 2);
    assert_string_equal(str_field(json_array_get(old, 0), "msg"), "before");
    assert_string_equal(str_field(json_array_get(old, 1), "msg"), "still old");
    json_t *cur = read_lines(log_path);
    assert_int_equal(json_array_size(cur), 1);
    assert_string_equal(str_field(json_array_get(cur, 0), "msg"), "after");
    json_decref(old);
    json_decref(cur);
}

static void test_failed_open_keeps_current_target(void **state)
{
    assert_int_equal(log_open(log_path, LOG_INFO), 0);
    char bad[700];
    snprintf(bad, sizeof(bad), "%s/missing-dir/x.log", tmp_dir);
    assert_int_equal(log_open(bad, LOG_INFO), SB_EIO);
    log_info("kept");
    /* Rotation still targets the file in use, not the path that failed. */
    assert_int_equal(log_reopen(), 0);
    log_info("kept2");
    json_t *lines = read_lines(log_path);
    assert_int_equal(json_array_size(lines), 2);
    json_decref(lines);
}

static void test_open_null_returns_to_stderr(void **state)
{
    char err_path[700];
    snprintf(err_path, sizeof(err_path), "%s/stderr.txt", tmp_dir);
    int saved = dup(2);
    assert_true(saved >= 0);
    int fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(dup2(fd, 2), 2);
    close(fd);

    assert_int_equal(log_open(log_path, LOG_INFO), 0);
    log_info("to file");
    assert_int_equal(log_open(NULL, LOG_INFO), 0);
    log_info("to stderr");
    assert_int_equal(log_reopen(), 0); /* no file: nothing to reopen */
    log_info("to stderr 2");

    assert_int_equal(dup2(saved, 2), 2);
    close(saved);
    json_t *file = read_lines(log_path);
    assert_int_equal(json_array_size(file), 1);
    json_t *err = read_lines(err_path);
    assert_int_equal(json_array_size(err), 2);
    assert_string_equal(str_field(json_array_get(err, 0), "msg"), "to stderr");
    json_decref(file);
    json_decref(err);
}

static void test_long_messages_stay_valid_json(void **state)
{
    assert_int_equal(log_open(log_path, LOG_INFO), 0);
    /* The 2 KiB message cap cuts multi-byte characters at every possible offset. */
    static const char *const chars[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
    struct buf b;
    buf_init(&b, 10000);
    for (size_t c = 0; c < 3; c++) {
        for (int prefix = 0; prefix < 4; prefix++) {
            buf_reset(&b);
            assert_int_equal(buf_add(&b, "xyz", (size_t)prefix), 0);
            while (b.len < 3000)
                assert_int_equal(buf_adds(&b, chars[c]), 0);
            log_msgf(LOG_INFO, "%s", b.data);
        }
    }
    /* Extra fields beyond the line cap: the line is replaced by a notice, never cut. */
    struct buf big;
    buf_init(&big, 40000);
    assert_int_equal(buf_adds(&big, "\"blob\":\""), 0);
    for (int i = 0; i < 20000; i++)
        assert_int_equal(buf_adds(&big, "a"), 0);
    assert_int_equal(buf_adds(&big, "\""), 0);
    log_write(LOG_INFO, "huge", big.data);

    json_t *lines = read_lines(log_path); /* jansson rejects invalid UTF-8 */
    assert_int_equal(json_array_size(lines), 13);
    for (size_t i = 0; i < 12; i++) {
        const char *m = str_field(json_array_get(lines, i), "msg");
        assert_true(strlen(m) > 2040 && strlen(m) < 2048);
    }
    json_t *notice = json_array_get(lines, 12);
    assert_string_equal(str_field(notice, "level"), "error");
    assert_string_equal(str_field(notice, "msg"), "log line dropped");
    json_decref(lines);
    buf_free(&b);
    buf_free(&big);
}

#define WRITERS          4
#define LINES_PER_WRITER 3000

static void *writer_thread(void *arg)
{
    for (int i = 0; i < LINES_PER_WRITER; i++)
        log_info("writer line %d", i);
    return NULL;
}

static void test_rotation_under_concurrent_writers(void **state)
{
    assert_int_equal(log_open(log_path, LOG_INFO), 0);
    pthread_t th[WRITERS];
    for (int i = 0; i < WRITERS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, writer_thread, NULL), 0);
    /* Rotate while they write: no line may be lost or land anywhere but a log file. */
    int rotations = 0;
    for (; rotations < 300; rotations++) {
        char rotated[700];
        snprintf(rotated, sizeof(rotated), "%s.%d", log_path, rotations);
        assert_int_equal(rename(log_path, rotated), 0);
        assert_int_equal(log_reopen(), 0);
    }
    for (int i = 0; i < WRITERS; i++)
        pthread_join(th[i], NULL);
    size_t total = 0;
    for (int r = 0; r <= rotations; r++) {
        char p[700];
        if (r < rotations)
            snprintf(p, sizeof(p), "%s.%d", log_path, r);
        else
            snprintf(p, sizeof(p), "%s", log_path);
        json_t *lines = read_lines(p);
        total += json_array_size(lines);
        json_decref(lines);
    }
    assert_int_equal(total, (size_t)WRITERS * LINES_PER_WRITER);
}

static void test_json_escape_all_bytes(void **state)
{
    char raw[256];
    size_t n = 0;
    for (int c = 1; c < 0x80; c++)
        raw[n++] = (char)c;
    raw[n] = 0;
    struct buf b;
    buf_init(&b, 4096);
    assert_int_equal(buf_adds(&b, "["), 0);
    assert_int_equal(json_escape_buf(&b, raw), 0);
    assert_int_equal(buf_adds(&b, "]"), 0);
    json_error_t err;
    json_t *arr = json_loads(b.data, 0, &err);
    assert_non_null(arr);
    assert_string_equal(json_string_value(json_array_get(arr, 0)), raw);
    json_decref(arr);
    buf_free(&b);

    /* Too big for the buffer: the buffer is left exactly as it was. */
    buf_init(&b, 10);
    assert_int_equal(buf_adds(&b, "ab"), 0);
    assert_int_equal(json_escape_buf(&b, "\x01\x02\x03"), SB_ETOOBIG);
    assert_int_equal(b.len, 2);
    assert_string_equal(b.data, "ab");
    assert_int_equal(json_escape_buf(&b, "abcdef"), 0);
    assert_string_equal(b.data, "ab\"abcdef\"");
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lines_are_json_with_escaping, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_request_id_is_per_thread_and_bounded, setup_tmp,
                                        teardown_tmp),
        cmocka_unit_test_setup_teardown(test_level_filtering, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_reopen_after_rename, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_failed_open_keeps_current_target, setup_tmp,
                                        teardown_tmp),
        cmocka_unit_test_setup_teardown(test_open_null_returns_to_stderr, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_long_messages_stay_valid_json, setup_tmp,
                                        teardown_tmp),
        cmocka_unit_test_setup_teardown(test_rotation_under_concurrent_writers, setup_tmp,
                                        teardown_tmp),
        cmocka_unit_test(test_json_escape_all_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
