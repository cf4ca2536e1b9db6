#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/json_escape.h"

#define LOG_LINE_MAX 16384

/* Writers load log_fd and write(2) to it without a lock. Once a file was opened its fd number
 * never changes again: rotation dup3()s the new file onto that number, and going back to
 * stderr dup3()s stderr onto it. dup3 swaps atomically, so no writer can ever hold a closed
 * number, which another thread's open() might have reused for a database or a socket. */
static _Atomic int log_fd = 2;
static _Atomic int log_min = LOG_INFO;
static pthread_mutex_t log_file_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_path[1024];  /* guarded by log_file_lock */
static int log_file_fd = -1; /* the stable number, -1 until a file was opened; same lock */
static _Thread_local char log_req_id[64];

static const char *const level_names[] = {"debug", "info", "warn", "error"};

static int log_dup_onto(int from, int to)
{
    int r;
    do
        r = dup3(from, to, O_CLOEXEC);
    while (r < 0 && errno == EINTR);
    return r;
}

/* Back to stderr, keeping the stable number. Caller holds log_file_lock. */
static void log_close_locked(void)
{
    log_path[0] = 0;
    if (log_file_fd < 0)
        return;
    if (log_dup_onto(2, log_file_fd) < 0) {
        /* No stderr to point at (closed by a daemonizer): give the number up instead. */
        atomic_store(&log_fd, 2);
        close(log_file_fd);
        log_file_fd = -1;
    }
}

/* Opens log_path and puts it behind the stable fd. Caller holds log_file_lock. */
static int log_reopen_locked(void)
{
    if (!log_path[0])
        return 0;
    int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0)
        return SB_EIO;
    if (log_file_fd < 0) {
        log_file_fd = fd;
        atomic_store(&log_fd, fd);
        return 0;
    }
    int r = log_dup_onto(fd, log_file_fd);
    close(fd);
    return r < 0 ? SB_EIO : 0;
}

int log_open(const char *path, enum log_level min_level)
{
    int r = 0;
    atomic_store(&log_min, (int)min_level);
    pthread_mutex_lock(&log_file_lock);
    if (!path || !*path) {
        log_close_locked();
        goto out;
    }
    size_t len = strlen(path);
    if (len >= sizeof(log_path)) {
        r = SB_EIO;
        goto out;
    }
    char old[sizeof(log_path)];
    memcpy(old, log_path, sizeof(old));
    memcpy(log_path, path, len + 1);
    r = log_reopen_locked();
    if (r)
        memcpy(log_path, old, sizeof(old)); /* keep rotating the file still in use */
out:
    pthread_mutex_unlock(&log_file_lock);
    return r;
}

int log_reopen(void)
{
    pthread_mutex_lock(&log_file_lock);
    int r = log_reopen_locked();
    pthread_mutex_unlock(&log_file_lock);
    return r;
}

int log_level_parse(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (s && strcmp(s, level_names[i]) == 0)
            return i;
    return -1;
}

void log_set_request_id(const char *id)
{
    if (!id) {
        log_req_id[0] = 0;
        return;
    }
    snprintf(log_req_id, sizeof(log_req_id), "%s", id);
}

const char *log_request_id(void)
{
    return log_req_id;
}

void log_write(enum log_level lvl, const char *msg, const char *fields)
{
    if ((int)lvl < atomic_load(&log_min))
        return;
    char ts[32];
    clock_iso8601(clock_now_ms(clock_real()), ts);
    struct buf b;
    buf_init(&b, LOG_LINE_MAX);
    int r = buf_addf(&b, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":", ts, level_names[lvl & 3]);
    if (!r)
        r = json_escape_buf(&b, msg ? msg : "");
    if (!r && log_req_id[0]) {
        r = buf_adds(&b, ",\"request_id\":");
        if (!r)
            r = json_escape_buf(&b, log_req_id);
    }
    if (!r && fields && *fields)
        r = buf_addf(&b, ",%s", fields);
    if (!r)
        r = buf_adds(&b, "}\n");
    if (r) {
        /* Oversized or out of memory: say so rather than drop silently. */
        buf_reset(&b);
        if (buf_addf(&b, "{\"ts\":\"%s\",\"level\":\"error\",\"msg\":\"log line dropped\"}\n",
                     ts)) {
            buf_free(&b);
            return;
        }
    }
    ssize_t w;
    do
        w = write(atomic_load(&log_fd), b.data, b.len);
    while (w < 0 && errno == EINTR);
    buf_free(&b);
}

/* Truncation may split a UTF-8 sequence, and a half character would make the whole line
 * invalid JSON for strict readers; drop the incomplete tail. */
static void log_trim_utf8(char *s, size_t len)
{
    size_t i = len;
    while (i > 0 && len - i < 4 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0)
        return;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (len - (i - 1) < want)
        s[i - 1] = 0;
}

void log_msgf(enum log_level lvl, const char *fmt, ...)
{
    if ((int)lvl < atomic_load(&log_min))
        return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (n < 0)
        snprintf(msg, sizeof(msg), "%s", "(unformattable log message)");
    else if ((size_t)n >= sizeof(msg))
        log_trim_utf8(msg, sizeof(msg) - 1);
    log_write(lvl, msg, NULL);
}

void log_close(void)
{
    pthread_mutex_lock(&log_file_lock);
    log_close_locked();
    pthread_mutex_unlock(&log_file_lock);
}
