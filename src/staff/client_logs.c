#include "staff/client_logs.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"

#define STRIPES      64
#define CURRENT_NAME "client.log"
#define DIR_NAME     "client-logs"
#define NAME_MAX_LEN 64
/* Bound on one formatted batch: 200 entries of the largest size, escaped (\u00XX is 6 bytes
 * per input byte at worst) with room to spare. */
#define BATCH_BYTES_MAX ((size_t)CLIENT_LOG_BATCH_MAX * 6 * 10240 + 65536)

static pthread_mutex_t stripes[STRIPES];
static pthread_once_t stripes_once = PTHREAD_ONCE_INIT;

static void stripes_init(void)
{
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_init(&stripes[i], NULL);
}

static const char *const api_names[] = {"DEBUG", "INFO", "WARNING", "ERROR"};
static const char *const setting_names[] = {"debug", "info", "warning", "error"};

int client_log_level_parse(const char *s)
{
    for (int i = 0; s && i < 4; i++)
        if (!strcmp(s, api_names[i]))
            return i;
    return -1;
}

int client_log_level_from_setting(const char *s)
{
    for (int i = 0; s && i < 4; i++)
        if (!strcmp(s, setting_names[i]))
            return i;
    return -1;
}

const char *client_log_level_name(int level)
{
    return level >= 0 && level < 4 ? api_names[level] : "ERROR";
}

bool client_logs_name_ok(const char *username)
{
    size_t n = username ? strlen(username) : 0;
    if (n == 0 || n > NAME_MAX_LEN)
        return false;
    for (const char *c = username; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '.' || *c == '_' || *c == '-'))
            return false;
    return true;
}

/* FNV-1a: the stripe of a directory name. */
static unsigned stripe_of(const char *name)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *c = (const unsigned char *)name; *c; c++)
        h = (h ^ *c) * 16777619u;
    return h % STRIPES;
}

/* Formats the batch into `b`, one line per entry; ends[i] is the offset just past line i. */
static int format_batch(struct buf *b, size_t *ends, int64_t now_ms,
                        const struct client_log_entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char server_time[32], client_time[32];
        clock_iso8601(now_ms, server_time);
        clock_iso8601(e[i].client_ms, client_time);
        json_t *o = json_object();
        int r = o ? 0 : SB_ENOMEM;
        if (!r)
            r = json_object_set_new(o, "time", json_string(server_time)) ||
                        json_object_set_new(o, "level",
                                            json_string(client_log_level_name((int)e[i].level))) ||
                        json_object_set_new(o, "client_time", json_string(client_time)) ||
                        json_object_set_new(o, "message", json_string(e[i].message)) ||
                        (e[i].source &&
                         json_object_set_new(o, "source", json_string(e[i].source))) ||
                        (e[i].url && json_object_set_new(o, "url", json_string(e[i].url)))
                    ? SB_ENOMEM
                    : 0;
        /* No JSON_ENSURE_ASCII: UTF-8 stays readable; control characters are escaped anyway. */
        char *line = r ? NULL : json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(o);
        if (!r && !line)
            r = SB_ENOMEM; /* also a string that is not UTF-8: the API layer never passes one */
        if (!r)
            r = buf_adds(b, line);
        free(line);
        if (!r)
            r = buf_add(b, "\n", 1);
        if (r)
            return r == SB_ETOOBIG ? SB_EINVAL : r;
        ends[i] = b->len;
    }
    return 0;
}

/* mkdir that accepts an existing directory (not a symlink or file). 0 or SB_EIO. */
static int ensure_dir_at(int dirfd, const char *name)
{
    if (mkdirat(dirfd, name, 0700) == 0)
        return 0;
    if (errno != EEXIST)
        return SB_EIO;
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode))
        return SB_EIO;
    return 0;
}

/* Opens (creating as needed) <data_dir>/client-logs/agent-<username>/; the directory fd or
 * SB_EIO. */
static int open_agent_dir(const char *data_dir, const char *username)
{
    if (mkdir(data_dir, 0700) != 0 && errno != EEXIST)
        return SB_EIO;
    int base = open(data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (base < 0)
        return SB_EIO;
    int r = ensure_dir_at(base, DIR_NAME);
    int logs = r ? -1 : openat(base, DIR_NAME, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    close(base);
    if (logs < 0)
        return SB_EIO;
    char name[NAME_MAX_LEN + 8];
    snprintf(name, sizeof(name), "agent-%s", username);
    r = ensure_dir_at(logs, name);
    int dir = r ? -1 : openat(logs, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    close(logs);
    return dir < 0 ? SB_EIO : dir;
}

/* Opens client.log for appending; *size gets its length. Returns the fd or SB_EIO (also for
 * anything that is not a regular file, symlinks included). */
static int open_current(int dir, off_t *size)
{
    int fd =
        openat(dir, CURRENT_NAME, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return SB_EIO;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return SB_EIO;
    }
    /* umask only clears bits, but say exactly 0600 (an inherited ACL could add some). */
    if ((st.st_mode & 07777) != 0600 && fchmod(fd, 0600) != 0) {
        close(fd);
        return SB_EIO;
    }
    *size = st.st_size;
    return fd;
}

/* Writes all of p[0..n) to fd (O_APPEND); 0 or SB_EIO. */
static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return SB_EIO;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Shifts client.log → .1 → … → .<max_files-1> (renaming over the oldest drops it); with one
 * file the current one is removed. The caller reopens client.log. 0 or SB_EIO. */
static int rotate(int dir, int max_files)
{
    for (int k = max_files - 1; k >= 1; k--) {
        char from[32], to[32];
        if (k == 1)
            snprintf(from, sizeof(from), "%s", CURRENT_NAME);
        else
            snprintf(from, sizeof(from), "%s.%d", CURRENT_NAME, k - 1);
        snprintf(to, sizeof(to), "%s.%d", CURRENT_NAME, k);
        if (renameat(dir, from, dir, to) != 0 && errno != ENOENT)
            return SB_EIO;
    }
    if (max_files == 1 && unlinkat(dir, CURRENT_NAME, 0) != 0 && errno != ENOENT)
        return SB_EIO;
    return 0;
}

/* Reads the last byte of client.log through a read-only descriptor (the append descriptor is
 * write-only). Returns the byte, or -1 when the file is empty or unreadable. */
static int last_byte(int dir)
{
    int fd = openat(dir, CURRENT_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    char c;
    int out = -1;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        pread(fd, &c, 1, st.st_size - 1) == 1)
        out = (unsigned char)c;
    close(fd);
    return out;
}

/* Writes the formatted batch under the stripe lock: rotation before any line that would pass
 * the cap, truncation back on a failed write. */
static int append_locked(const struct client_logs_limits *lim, const char *username,
                         const struct buf *b, const size_t *ends, size_t n, int *why)
{
    int dir = open_agent_dir(lim->data_dir, username);
    if (dir < 0) {
        *why = errno;
        return dir;
    }
    off_t size = 0;
    int fd = open_current(dir, &size);
    int r = fd < 0 ? fd : 0;
    /* A crash may have left the last line without its newline: close it, so the first entry
     * of this batch does not run into it. */
    if (!r && size > 0 && last_byte(dir) != '\n') {
        r = write_all(fd, "\n", 1);
        if (!r)
            size += 1;
    }
    const off_t cap = (off_t)lim->max_file_bytes;
    size_t i = 0;
    while (!r && i < n) {
        size_t begin = i ? ends[i - 1] : 0;
        if (size > 0 && size + (off_t)(ends[i] - begin) > cap) {
            close(fd);
            fd = -1;
            r = rotate(dir, lim->max_files);
            if (!r) {
                fd = open_current(dir, &size);
                r = fd < 0 ? fd : 0;
            }
            if (r)
                break;
        }
        /* Lines i..j-1 fit together (the first one always goes in, alone if it must). */
        size_t j = i + 1;
        while (j < n && size + (off_t)(ends[j] - begin) <= cap)
            j++;
        size_t len = ends[j - 1] - begin;
        r = write_all(fd, b->data + begin, len);
        if (r) {
            /* Nothing of this batch may stay half-written in the current file. */
            if (ftruncate(fd, size) != 0)
                log_error("client logs: a failed append to agent-%s could not be undone", username);
            break;
        }
        size += (off_t)len;
        i = j;
    }
    if (r)
        *why = errno;
    if (fd >= 0 && close(fd) != 0 && !r) {
        *why = errno;
        r = SB_EIO;
    }
    close(dir);
    return r;
}

int client_logs_append(const struct client_logs_limits *lim, const char *username, int64_t now_ms,
                       const struct client_log_entry *entries, size_t n)
{
    if (!lim || !lim->data_dir || !*lim->data_dir || lim->max_file_bytes == 0 ||
        lim->max_files < 1 || !client_logs_name_ok(username) || n > CLIENT_LOG_BATCH_MAX)
        return SB_EINVAL;
    if (n == 0)
        return 0;
    size_t *ends = calloc(n, sizeof(*ends));
    if (!ends)
        return SB_ENOMEM;
    struct buf b;
    buf_init(&b, BATCH_BYTES_MAX);
    int why = 0;
    int r = format_batch(&b, ends, now_ms, entries, n);
    if (!r) {
        pthread_once(&stripes_once, stripes_init);
        pthread_mutex_t *m = &stripes[stripe_of(username)];
        pthread_mutex_lock(m);
        r = append_locked(lim, username, &b, ends, n, &why);
        pthread_mutex_unlock(m);
    }
    if (r == SB_EIO)
        log_warn("client logs: cannot write to %s/%s/agent-%s: %s", lim->data_dir, DIR_NAME,
                 username, strerror(why));
    buf_free(&b);
    free(ends);
    return r;
}
