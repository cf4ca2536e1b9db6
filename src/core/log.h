/* log.h — structured JSON logs, one object per line, to stderr or a file.
 *
 * Each line: {"ts":"…","level":"info","msg":"…","request_id":"…", …extra fields}.
 * The request id comes from a thread-local set by the HTTP layer while it works on a request.
 * Thread-safe: each line is written with one write(2). Secrets must never be passed in. */
#ifndef SB_CORE_LOG_H
#define SB_CORE_LOG_H

enum log_level { LOG_DEBUG = 0, LOG_INFO = 1, LOG_WARN = 2, LOG_ERROR = 3 };

/* Opens the log target: `path` NULL or "" means stderr. Returns 0 or SB_EIO. */
int log_open(const char *path, enum log_level min_level);

/* Reopens the file after rotation (SIGHUP). Safe to call from the main thread while others
 * log. Returns 0 or SB_EIO (the old fd stays in use then). */
int log_reopen(void);

/* Parses "debug|info|warn|error"; returns -1 when unknown. */
int log_level_parse(const char *s);

/* Sets/clears this thread's request id (copied; at most 63 bytes). NULL clears. */
void log_set_request_id(const char *id);
const char *log_request_id(void);

/* Writes one line. `fields` is either NULL or a JSON object body without braces that is
 * appended verbatim (e.g. "\"status\":200,\"path\":\"/x\""); callers build it with json
 * escaping (log_kv helpers below). */
void log_write(enum log_level lvl, const char *msg, const char *fields);

/* printf-style message with no extra fields. */
void log_msgf(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_info(...)  log_msgf(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_msgf(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msgf(LOG_ERROR, __VA_ARGS__)
#define log_debug(...) log_msgf(LOG_DEBUG, __VA_ARGS__)

/* Closes the log file (stderr stays). */
void log_close(void);

#endif
