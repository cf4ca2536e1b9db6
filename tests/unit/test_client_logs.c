/* test_client_logs.c — the client-log writer of staff/client_logs.h: one JSON line per entry
 * that no message can break, rotation at the cap keeping exactly max_files files of the newest
 * entries, all-or-nothing batches on a failed write (a real one: RLIMIT_FSIZE), concurrent
 * appends that neither interleave nor lose lines, and bad names refused. */
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/err.h"
#include "staff/client_logs.h"

static char tmp_dir[512];

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

static int setup_tmp(void **state)
{
    const char *base = getenv("SB_TEST_TMP");
    if (!base || !*base)
        base = "/tmp";
    if (mkdir_p(base))
        return -1;
    snprintf(tmp_dir, sizeof(tmp_dir), "%s/test_client_logs.XXXXXX", base);
    return mkdtemp(tmp_dir) ? 0 : -1;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

static int teardown_tmp(void **state)
{
    return nftw(tmp_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Path of file `name` in agent `user`'s directory. */
static void path_of(char *out, size_t n, const char *user, const char *name)
{
    snprintf(out, n, "%s/client-logs/agent-%s%s%s", tmp_dir, user, name ? "/" : "",
             name ? name : "");
}

static bool exists(const char *user, const char *name)
{
    char p[700];
    path_of(p, sizeof(p), user, name);
    struct stat st;
    return stat(p, &st) == 0;
}

static off_t size_of(const char *user, const char *name)
{
    char p[700];
    path_of(p, sizeof(p), user, name);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    return st.st_size;
}

/* Reads a whole file (NULL when missing); caller frees. */
static char *slurp(const char *user, const char *name, size_t *len)
{
    char p[700];
    path_of(p, sizeof(p), user, name);
    FILE *f = fopen(p, "rb");
    if (!f)
        return NULL;
    char *data = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = (n + 4096 + 1) * 2;
            data = realloc(data, cap);
            assert_non_null(data);
        }
        size_t got = fread(data + n, 1, 4096, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    data[n] = 0;
    if (len)
        *len = n;
    return data;
}

/* Splits a file into lines, checks each is a complete JSON object ending in '\n', and calls
 * `fn` for each parsed object. Returns the number of lines. */
static int each_line(const char *user, const char *name, void (*fn)(json_t *, void *), void *arg)
{
    size_t len = 0;
    char *data = slurp(user, name, &len);
    if (!data)
        return 0;
    int lines = 0;
    char *p = data;
    while (p < data + len) {
        char *nl = memchr(p, '\n', (size_t)(data + len - p));
        assert_non_null(nl); /* every line is terminated */
        *nl = 0;
        json_error_t err;
        json_t *o = json_loads(p, 0, &err);
        if (!o)
            fail_msg("line %d of %s is not JSON: %s (%s)", lines + 1, name, p, err.text);
        assert_true(json_is_object(o));
        if (fn)
            fn(o, arg);
        json_decref(o);
        lines++;
        p = nl + 1;
    }
    free(data);
    return lines;
}

static struct client_logs_limits limits(size_t cap, int files)
{
    return (struct client_logs_limits){
        .data_dir = tmp_dir, .max_file_bytes = cap, .max_files = files};
}

/* An entry whose message is "<tag>-<seq>" padded with 'x' to `pad` bytes. */
static void numbered(struct client_log_entry *e, char *buf, size_t cap, const char *tag, int seq,
                     size_t pad)
{
    int n = snprintf(buf, cap, "%s-%06d-", tag, seq);
    size_t want = pad < cap - 1 ? pad : cap - 1;
    for (size_t i = (size_t)n; i < want; i++)
        buf[i] = 'x';
    buf[want > (size_t)n ? want : (size_t)n] = 0;
    *e = (struct client_log_entry){
        .level = CLIENT_LOG_INFO, .client_ms = 1700000000000 + seq, .message = buf};
}

static void test_levels(void **state)
{
    assert_int_equal(client_log_level_parse("ERROR"), CLIENT_LOG_ERROR);
    assert_int_equal(client_log_level_parse("WARNING"), CLIENT_LOG_WARNING);
    assert_int_equal(client_log_level_parse("INFO"), CLIENT_LOG_INFO);
    assert_int_equal(client_log_level_parse("DEBUG"), CLIENT_LOG_DEBUG);
    assert_int_equal(client_log_level_parse("error"), -1);
    assert_int_equal(client_log_level_parse("TRACE"), -1);
    assert_int_equal(client_log_level_parse(NULL), -1);
    assert_int_equal(client_log_level_from_setting("warning"), CLIENT_LOG_WARNING);
    assert_int_equal(client_log_level_from_setting("WARNING"), -1);
    assert_string_equal(client_log_level_name(CLIENT_LOG_DEBUG), "DEBUG");
    assert_true(CLIENT_LOG_DEBUG < CLIENT_LOG_INFO && CLIENT_LOG_INFO < CLIENT_LOG_WARNING &&
                CLIENT_LOG_WARNING < CLIENT_LOG_ERROR);
}

static void check_forged(json_t *o, void *arg)
{
    int *n = arg;
    const char *msg = json_string_value(json_object_get(o, "message"));
    if (*n == 0) {
        assert_string_equal(msg, "one\n{\"time\":\"forged\",\"level\":\"ERROR\"}\r\n\"two\"\\");
        assert_string_equal(json_string_value(json_object_get(o, "level")), "WARNING");
        assert_string_equal(json_string_value(json_object_get(o, "time")),
                            "2026-01-02T03:04:05.678Z");
        assert_string_equal(json_string_value(json_object_get(o, "client_time")),
                            "2023-11-14T22:13:20.000Z");
        assert_string_equal(json_string_value(json_object_get(o, "source")), "app.js:12");
        assert_string_equal(json_string_value(json_object_get(o, "url")), "https://x/y?z=1");
    } else {
        assert_string_equal(msg, "plain é ✓");
        assert_null(json_object_get(o, "source"));
        assert_null(json_object_get(o, "url"));
    }
    (*n)++;
}

static void test_one_line_per_entry(void **state)
{
    struct client_logs_limits lim = limits(1 << 20, 5);
    struct client_log_entry e[2] = {
        {.level = CLIENT_LOG_WARNING,
         .client_ms = 1700000000000,
         .message = "one\n{\"time\":\"forged\",\"level\":\"ERROR\"}\r\n\"two\"\\",
         .source = "app.js:12",
         .url = "https://x/y?z=1"},
        {.level = CLIENT_LOG_ERROR, .client_ms = 0, .message = "plain é ✓"},
    };
    assert_int_equal(client_logs_append(&lim, "ann.b_c", 1767323045678, e, 2), 0);
    int seen = 0;
    assert_int_equal(each_line("ann.b_c", "client.log", check_forged, &seen), 2);
    /* The keys come in the documented order. */
    char *text = slurp("ann.b_c", "client.log", NULL);
    assert_non_null(strstr(text, "{\"time\":\"2026-01-02T03:04:05.678Z\",\"level\":\"WARNING\","
                                 "\"client_time\":"));
    free(text);
    /* Private: the directory 0700, the file 0600. */
    char p[700];
    struct stat st;
    path_of(p, sizeof(p), "ann.b_c", NULL);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    path_of(p, sizeof(p), "ann.b_c", "client.log");
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
}

struct seq_check {
    const char *tag;
    int next; /* the sequence number the next line must carry; -1 = take the first as start */
};

static void check_seq(json_t *o, void *arg)
{
    struct seq_check *c = arg;
    const char *msg = json_string_value(json_object_get(o, "message"));
    char tag[16];
    int seq;
    assert_int_equal(sscanf(msg, "%15[^-]-%d-", tag, &seq), 2);
    assert_string_equal(tag, c->tag);
    if (c->next >= 0)
        assert_int_equal(seq, c->next);
    c->next = seq + 1;
}

static void test_rotation_keeps_newest_files(void **state)
{
    /* Lines of ~300 bytes under a 1024-byte cap: three to a file. */
    const size_t cap = 1024;
    struct client_logs_limits lim = limits(cap, 3);
    char bufs[40][260];
    struct client_log_entry e[40];
    for (int i = 0; i < 40; i++)
        numbered(&e[i], bufs[i], sizeof(bufs[i]), "rot", i, 200);
    /* 40 entries in batches of 1, 2, 3, 4, … so batches straddle rotations. */
    int done = 0;
    for (int b = 1; done < 40; b++) {
        int n = done + b > 40 ? 40 - done : b;
        assert_int_equal(client_logs_append(&lim, "rot", 1767323045678, e + done, (size_t)n), 0);
        done += n;
    }
    assert_true(exists("rot", "client.log"));
    assert_true(exists("rot", "client.log.1"));
    assert_true(exists("rot", "client.log.2"));
    assert_false(exists("rot", "client.log.3"));
    /* Each file within the cap, and the last write would have passed it (no early rotation). */
    size_t line_len = (size_t)size_of("rot", "client.log.1") / 3;
    assert_true(line_len > 256 && line_len < cap / 3);
    assert_int_equal(size_of("rot", "client.log.2"), 3 * line_len);
    assert_int_equal(size_of("rot", "client.log.1"), 3 * line_len);
    /* 40 = 13 full files + 1: client.log holds the last entry alone. */
    assert_int_equal(size_of("rot", "client.log"), line_len);
    /* Oldest to newest, the kept entries are consecutive and end with the last one. */
    struct seq_check c = {.tag = "rot", .next = -1};
    int lines = each_line("rot", "client.log.2", check_seq, &c) +
                each_line("rot", "client.log.1", check_seq, &c) +
                each_line("rot", "client.log", check_seq, &c);
    assert_int_equal(lines, 7);
    assert_int_equal(c.next, 40);
}

static void test_single_file_and_oversized_entry(void **state)
{
    struct client_logs_limits lim = limits(1024, 1);
    char bufs[5][4000];
    struct client_log_entry e[5];
    for (int i = 0; i < 5; i++)
        numbered(&e[i], bufs[i], sizeof(bufs[i]), "one", i, i == 2 ? 3000 : 100);
    assert_int_equal(client_logs_append(&lim, "one", 0, e, 5), 0);
    /* With one file kept, rotation empties it; the 3000-byte entry stood alone, then was
     * rotated away by the next one. */
    assert_false(exists("one", "client.log.1"));
    struct seq_check c = {.tag = "one", .next = 3};
    assert_int_equal(each_line("one", "client.log", check_seq, &c), 2);
    assert_true(size_of("one", "client.log") <= 1024);
    /* An entry larger than the cap is written whole, alone. */
    assert_int_equal(client_logs_append(&lim, "one", 0, &e[2], 1), 0);
    c = (struct seq_check){.tag = "one", .next = 2};
    assert_int_equal(each_line("one", "client.log", check_seq, &c), 1);
    assert_true(size_of("one", "client.log") > 3000);
}

static void test_failed_write_leaves_nothing(void **state)
{
    struct client_logs_limits lim = limits(1 << 20, 5);
    char bufs[10][200];
    struct client_log_entry e[10];
    for (int i = 0; i < 10; i++)
        numbered(&e[i], bufs[i], sizeof(bufs[i]), "full", i, 150);
    assert_int_equal(client_logs_append(&lim, "full", 0, e, 3), 0);
    size_t before_len = 0;
    char *before = slurp("full", "client.log", &before_len);
    /* The kernel refuses bytes past RLIMIT_FSIZE like a full disk: a short write, then EFBIG. */
    struct rlimit old;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    struct rlimit tight = {.rlim_cur = (rlim_t)before_len + 500, .rlim_max = old.rlim_max};
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &tight), 0);
    int r = client_logs_append(&lim, "full", 0, e + 3, 7);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, old_handler);
    assert_int_equal(r, SB_EIO);
    size_t after_len = 0;
    char *after = slurp("full", "client.log", &after_len);
    assert_int_equal(after_len, before_len);
    assert_memory_equal(after, before, before_len);
    free(before);
    free(after);
    /* And the file takes the next batch normally. */
    assert_int_equal(client_logs_append(&lim, "full", 0, e + 3, 7), 0);
    struct seq_check c = {.tag = "full", .next = 0};
    assert_int_equal(each_line("full", "client.log", check_seq, &c), 10);
}

static void test_torn_line_is_closed(void **state)
{
    struct client_logs_limits lim = limits(1 << 20, 5);
    char buf[64];
    struct client_log_entry e;
    numbered(&e, buf, sizeof(buf), "torn", 0, 20);
    assert_int_equal(client_logs_append(&lim, "torn", 0, &e, 1), 0);
    char p[700];
    path_of(p, sizeof(p), "torn", "client.log");
    FILE *f = fopen(p, "ab");
    assert_non_null(f);
    fputs("{\"time\":\"cut short by a cra", f);
    fclose(f);
    numbered(&e, buf, sizeof(buf), "torn", 1, 20);
    assert_int_equal(client_logs_append(&lim, "torn", 0, &e, 1), 0);
    char *text = slurp("torn", "client.log", NULL);
    char *last = strrchr(text, '{');
    assert_non_null(strstr(text, "cut short by a cra\n{"));
    json_t *o = json_loads(last, JSON_DISABLE_EOF_CHECK, NULL);
    assert_non_null(o);
    assert_non_null(strstr(json_string_value(json_object_get(o, "message")), "torn-000001"));
    json_decref(o);
    free(text);
}

static void test_refusals(void **state)
{
    struct client_logs_limits lim = limits(1024, 3);
    struct client_log_entry e = {.level = CLIENT_LOG_ERROR, .message = "x"};
    const char *bad[] = {"",
                         "../etc",
                         "a/b",
                         "a b",
                         "x\n",
                         "é",
                         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        assert_int_equal(client_logs_append(&lim, bad[i], 0, &e, 1), SB_EINVAL);
    char p[700];
    snprintf(p, sizeof(p), "%s/client-logs", tmp_dir);
    struct stat st;
    assert_int_not_equal(stat(p, &st), 0); /* nothing was created */
    struct client_logs_limits zero = limits(0, 3), nofiles = limits(1024, 0);
    assert_int_equal(client_logs_append(&zero, "ok", 0, &e, 1), SB_EINVAL);
    assert_int_equal(client_logs_append(&nofiles, "ok", 0, &e, 1), SB_EINVAL);
    /* Nothing to write creates nothing. */
    assert_int_equal(client_logs_append(&lim, "ok", 0, &e, 0), 0);
    assert_int_not_equal(stat(p, &st), 0);
    /* "." and ".." are harmless behind the prefix. */
    assert_int_equal(client_logs_append(&lim, "..", 0, &e, 1), 0);
    assert_true(exists("..", "client.log"));
    /* Something that is not a regular file in the way: an I/O error, not a crash. */
    path_of(p, sizeof(p), "blocked", NULL);
    assert_int_equal(mkdir_p(p), 0);
    path_of(p, sizeof(p), "blocked", "client.log");
    assert_int_equal(mkdir(p, 0700), 0);
    assert_int_equal(client_logs_append(&lim, "blocked", 0, &e, 1), SB_EIO);
}

#define THREADS    4
#define BATCHES    50
#define PER_BATCH  5
#define CONC_FILES 100

struct writer_arg {
    int id;
    size_t cap;
};

static void *writer(void *p)
{
    struct writer_arg *a = p;
    struct client_logs_limits lim = limits(a->cap, CONC_FILES);
    char tag[8];
    snprintf(tag, sizeof(tag), "t%d", a->id);
    for (int b = 0; b < BATCHES; b++) {
        char bufs[PER_BATCH][120];
        struct client_log_entry e[PER_BATCH];
        for (int i = 0; i < PER_BATCH; i++)
            numbered(&e[i], bufs[i], sizeof(bufs[i]), tag, b * PER_BATCH + i, 100);
        if (client_logs_append(&lim, "conc", 0, e, PER_BATCH))
            return (void *)1;
    }
    return NULL;
}

struct conc_check {
    int next[THREADS];
    int lines;
    int batch_runs; /* a batch's 5 lines must be adjacent: count runs of one writer */
    int last_writer;
};

static void check_conc(json_t *o, void *arg)
{
    struct conc_check *c = arg;
    int t, seq;
    assert_int_equal(sscanf(json_string_value(json_object_get(o, "message")), "t%d-%d-", &t, &seq),
                     2);
    assert_true(t >= 0 && t < THREADS);
    assert_int_equal(seq, c->next[t]); /* in order, none lost, none twice */
    c->next[t] = seq + 1;
    if (seq % PER_BATCH == 0) {
        c->last_writer = t;
        c->batch_runs++;
    } else {
        assert_int_equal(t, c->last_writer); /* not interleaved inside a batch */
    }
    c->lines++;
}

/* Runs THREADS writers on one agent and checks every line across all files. */
static void run_concurrent(size_t cap)
{
    pthread_t th[THREADS];
    struct writer_arg args[THREADS];
    for (int i = 0; i < THREADS; i++) {
        args[i] = (struct writer_arg){.id = i, .cap = cap};
        assert_int_equal(pthread_create(&th[i], NULL, writer, &args[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        void *res;
        assert_int_equal(pthread_join(th[i], &res), 0);
        assert_null(res);
    }
    struct conc_check c = {.last_writer = -1};
    for (int k = CONC_FILES - 1; k >= 0; k--) {
        char name[32];
        if (k)
            snprintf(name, sizeof(name), "client.log.%d", k);
        else
            snprintf(name, sizeof(name), "client.log");
        if (exists("conc", name)) {
            each_line("conc", name, check_conc, &c);
            assert_true((size_t)size_of("conc", name) <= cap);
        }
    }
    assert_int_equal(c.lines, THREADS * BATCHES * PER_BATCH);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(c.next[i], BATCHES * PER_BATCH);
}

static void test_concurrent_appends(void **state)
{
    run_concurrent(16u << 20);
}

static void test_concurrent_appends_with_rotation(void **state)
{
    /* ~200-byte lines, 5 to a batch, a 4 KiB cap: rotation in the middle of batches. With 100
     * files kept nothing is dropped (1000 lines x ~200 bytes < 100 x 4 KiB). */
    run_concurrent(4096);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_levels),
        cmocka_unit_test_setup_teardown(test_one_line_per_entry, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_rotation_keeps_newest_files, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_single_file_and_oversized_entry, setup_tmp,
                                        teardown_tmp),
        cmocka_unit_test_setup_teardown(test_failed_write_leaves_nothing, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_torn_line_is_closed, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_refusals, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_concurrent_appends, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_concurrent_appends_with_rotation, setup_tmp,
                                        teardown_tmp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
