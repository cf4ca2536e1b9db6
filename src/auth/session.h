/* session.h — server-side login sessions.
 *
 * A session is identified by 32 random bytes (base64url in the cookie); the database keeps
 * only SHA-256 of it, and of the CSRF token handed to the page. A new token is made at every
 * login (no fixation). Sessions end on logout, revocation, the idle timeout or the absolute
 * lifetime; all are checked on every lookup. */
#ifndef SB_AUTH_SESSION_H
#define SB_AUTH_SESSION_H

#include <stdbool.h>
#include <stdint.h>

struct db;

/* 32 bytes base64url without padding = 43 characters. */
#define SESSION_TOKEN_LEN 43

struct session {
    int64_t id;
    int64_t staff_id;
    int64_t created_at;
    int64_t last_seen_at;
    int64_t expires_at; /* absolute */
    char csrf_hash[65];
};

/* Creates a session for `staff_id` and returns its cookie token and CSRF token (each
 * SESSION_TOKEN_LEN + 1 bytes). `ip`/`user_agent` may be NULL (stored truncated). */
int session_create(struct db *db, int64_t staff_id, const char *ip, const char *user_agent,
                   int64_t now_ms, int64_t absolute_ms, char token[SESSION_TOKEN_LEN + 1],
                   char csrf[SESSION_TOKEN_LEN + 1], int64_t *id_out);

/* Finds the live session for a cookie token. Returns SB_EAUTH when unknown, revoked, idle for
 * longer than `idle_ms` or past its absolute expiry (an expired one is marked revoked).
 * Refreshes last_seen_at at most once a minute so reads do not turn into writes. */
int session_lookup(struct db *db, const char *token, int64_t now_ms, int64_t idle_ms,
                   struct session *out);

/* The CSRF token belonging to a session token (SHA-256 of it under a fixed label). */
void session_csrf_for(const char *token, char out[SESSION_TOKEN_LEN + 1]);

/* Revokes one session of `staff_id` (0 = any owner). SB_ENOTFOUND if none was live. */
int session_revoke(struct db *db, int64_t id, int64_t staff_id, const char *reason, int64_t now_ms);

/* Revokes every live session of `staff_id` except `keep_id` (0 = none kept). *count gets how
 * many were revoked (may be NULL). */
int session_revoke_all(struct db *db, int64_t staff_id, int64_t keep_id, const char *reason,
                       int64_t now_ms, int *count);

/* Hex SHA-256 of `s` into out (65 bytes). */
void session_hash(const char *s, char out[65]);

#endif
