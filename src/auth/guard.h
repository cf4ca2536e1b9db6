/* guard.h — "who is asking and what may they touch", called first by every protected
 * handler.
 *
 * Until the identity issue lands sessions and API keys, the only credential is the operator's
 * bootstrap token (server.admin_token, sent as `Authorization: Bearer …`), which acts as an
 * admin. With no token configured nobody passes. The identity issue replaces the body of
 * auth_require() and keeps this interface. */
#ifndef SB_AUTH_GUARD_H
#define SB_AUTH_GUARD_H

#include <stdint.h>

#include "http/request.h"

enum auth_role { AUTH_ROLE_AGENT = 1, AUTH_ROLE_USER = 2, AUTH_ROLE_ADMIN = 3 };

struct auth_principal {
    int64_t user_id; /* 0 for the bootstrap token */
    enum auth_role role;
};

/* Checks the request's credentials. Returns 0 with *who filled when they are valid and carry
 * at least `min_role`; otherwise queues 401 (missing/bad credentials, with WWW-Authenticate) or
 * 403 (role too low) problem+json and returns SB_EAUTH / SB_EFORBIDDEN — the handler then
 * returns http_replied(req). HTTP threads. */
int auth_require(struct http_req *req, enum auth_role min_role, struct auth_principal *who);

#endif
