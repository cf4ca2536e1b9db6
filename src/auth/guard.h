/* guard.h — "who is asking and what may they touch", called first by every protected
 * handler.
 *
 * Credentials, in order: `Authorization: Bearer sbk_…` (an API key, acting as its owner),
 * `Authorization: Bearer <server.admin_token>` (the operator's credential, an admin), then the
 * session cookie. With a cookie every
 * unsafe method (anything but GET/HEAD/OPTIONS) must carry `X-CSRF-Token` (the token from
 * the login answer or GET /api/v1/auth/me). An account whose password must be changed (first
 * login, admin reset, expiry) may only use routes flagged ROUTE_PASSWORD_PENDING_OK. */
#ifndef SB_AUTH_GUARD_H
#define SB_AUTH_GUARD_H

#include <stdint.h>

#include "auth/session.h"
#include "http/request.h"
#include "staff/accounts.h"

enum auth_role { AUTH_ROLE_AGENT = 1, AUTH_ROLE_USER = 2, AUTH_ROLE_ADMIN = 3 };

struct auth_principal {
    int64_t user_id; /* 0 for the admin token */
    enum auth_role role;
    int64_t session_id;                /* 0 when not a cookie session */
    int64_t api_key_id;                /* 0 when not an API key */
    struct account account;            /* valid when user_id != 0 */
    char token[SESSION_TOKEN_LEN + 1]; /* the cookie token, when a session */
};

/* Checks the request's credentials. Returns 0 with *who filled when they are valid and carry
 * at least `min_role`; otherwise queues 401 (missing/bad/expired credentials), 403 (CSRF
 * token missing or wrong, password change pending, role too low) or 503 problem+json and
 * returns the error — the handler then returns http_replied(req). HTTP threads. */
int auth_require(struct http_req *req, enum auth_role min_role, struct auth_principal *who);

/* Like auth_require but answers nothing: returns 0 with *who filled for a valid session
 * cookie (CSRF not checked: for the WebSocket handshake, which is a GET), else an error. */
int auth_identify(struct http_req *req, struct auth_principal *who);

/* The role of an account's role string. */
enum auth_role auth_role_of(const char *role);

/* The session cookie's name: "__Host-sb_session" when http.public_url is https (the cookie
 * is then Secure), else "sb_session". */
const char *auth_cookie_name(const struct http_req *req);

/* Adds Set-Cookie for `token` (max_age_s > 0) or a clearing one (token NULL). */
int auth_set_cookie(struct http_req *req, const char *token, int64_t max_age_s);

/* The client's address as text: the peer, or with http.trust_proxy the last
 * X-Forwarded-For entry when the peer is loopback (nginx on the same host). Copied into the
 * request arena; never NULL. */
const char *auth_client_ip(struct http_req *req);

#endif
