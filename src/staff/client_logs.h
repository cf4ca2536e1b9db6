/* client_logs.h — agents' web-client logs written on the server (issue #4 "Client logs",
 * seed 002: "the logs file output on the server … client/<role>-<username> folder").
 *
 * Layout: one directory per agent, <data_dir>/client-logs/agent-<username>/ (0700), holding
 * the current file client.log (0600) and its predecessors client.log.1 (newest) …
 * client.log.<max_files-1> (oldest). Before a write would take client.log past
 * max_file_bytes, the files shift by one (the oldest is dropped) and a new client.log begins;
 * a file exceeds the cap only when a single entry is larger than the cap.
 *
 * Format: JSON Lines, one object per entry, keys in this order:
 *   {"time":"<server, ISO-8601 UTC>","level":"ERROR","client_time":"<ISO-8601 UTC>",
 *    "message":"…","source":"…","url":"…"}   (source and url only when given)
 * Every string goes through the JSON encoder, which escapes control characters (\n, \r, …)
 * and quotes, so a message can never end a line or forge another entry.
 *
 * Concurrency: appends for the same directory are serialized by a striped mutex keyed by a
 * hash of the directory name (so one agent's batches never interleave and its rotation is one
 * step), while different agents write in parallel. The appends run on the calling HTTP
 * thread: a batch is capped by http.max_body_bytes and goes to the page cache without fsync —
 * the cost of a small local write, like the SQLite commits those threads already do — and a
 * job worker would make log batches queue behind password hashing, or logins behind logs.
 * The lock is per process: two nodes must not share one data directory for client logs.
 *
 * Failure: a batch is written with as few write(2) calls as possible; when one fails (disk
 * full, I/O error, size limit) the current file is truncated back to where the batch began in
 * it, so no torn line remains, and SB_EIO is returned: the caller acknowledges nothing. Lines
 * of the same batch that already went to a file rotated away before the failure stay there
 * (a retry may duplicate them; nothing is lost). A torn last line left by a crash is closed
 * with a newline before the next append, so it cannot swallow the next entry. */
#ifndef SB_STAFF_CLIENT_LOGS_H
#define SB_STAFF_CLIENT_LOGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Minimum levels and entry levels, in increasing severity. */
enum client_log_level {
    CLIENT_LOG_DEBUG = 0,
    CLIENT_LOG_INFO = 1,
    CLIENT_LOG_WARNING = 2,
    CLIENT_LOG_ERROR = 3,
};

#define CLIENT_LOG_MESSAGE_MAX 8192 /* bytes of UTF-8 */
#define CLIENT_LOG_SOURCE_MAX  256
#define CLIENT_LOG_URL_MAX     1024
#define CLIENT_LOG_BATCH_MAX   200 /* entries per request */

/* Parses the API spelling "ERROR" | "WARNING" | "INFO" | "DEBUG" (exact case). Returns the
 * level, or -1 for anything else (NULL included). Pure. */
int client_log_level_parse(const char *s);

/* Parses the agent setting `client_log_level` ("error" | "warning" | "info" | "debug"; see
 * staff/agent_fields.c). Returns the level, or -1. Pure. */
int client_log_level_from_setting(const char *s);

/* The API spelling of a level ("ERROR"…); "ERROR" for an out-of-range value. Static. */
const char *client_log_level_name(int level);

/* One entry as validated by the API layer. Strings are NUL-terminated UTF-8 without embedded
 * NULs and are borrowed for the duration of the call. */
struct client_log_entry {
    enum client_log_level level;
    int64_t client_ms;   /* the client's clock, UTC milliseconds since 1970 */
    const char *message; /* at most CLIENT_LOG_MESSAGE_MAX bytes */
    const char *source;  /* NULL when absent; at most CLIENT_LOG_SOURCE_MAX bytes */
    const char *url;     /* NULL when absent; at most CLIENT_LOG_URL_MAX bytes */
};

/* Where and how much (the [client_logs] options and server.data_dir). */
struct client_logs_limits {
    const char *data_dir;  /* existing or creatable directory */
    size_t max_file_bytes; /* > 0 */
    int max_files;         /* files kept, client.log included; >= 1 */
};

/* True when `username` can name a directory: 1 to 64 of letters, digits, '.', '_', '-'. (The
 * "agent-" prefix keeps "." and ".." harmless.) Pure. */
bool client_logs_name_ok(const char *username);

/* Appends `n` entries (n may be 0: nothing happens) stamped with the server time `now_ms` to
 * the directory of agent `username`, creating the directories and file on first use and
 * rotating as described above. Returns 0 when every entry was written; SB_EINVAL for a bad
 * username or limits; SB_ENOMEM; SB_EIO when the directory or file cannot be created, opened
 * or written (see "Failure" above for what remains). Any thread. */
int client_logs_append(const struct client_logs_limits *lim, const char *username, int64_t now_ms,
                       const struct client_log_entry *entries, size_t n);

#endif
