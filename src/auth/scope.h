/* scope.h — per-resource scoping on top of roles: "may this principal touch queue 7?".
 *
 * A module registers, at start-up, one checker per resource type ("queue", "sms_account",
 * …); handlers ask after auth_require(). Admins may touch everything. Anything else is decided
 * by the type's checker, and a type nobody registered is refused: scoping fails closed. The
 * staff issue registers supervisors' queue scope here. Registration: main thread before
 * serving; checks: any thread. */
#ifndef SB_AUTH_SCOPE_H
#define SB_AUTH_SCOPE_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/guard.h"

#define AUTH_SCOPE_TYPES_MAX 32

typedef bool (*auth_scope_fn)(const struct auth_principal *who, int64_t id, void *user);

/* Registers (or replaces) the checker of `type` (copied, at most 31 bytes). Returns 0,
 * SB_EINVAL or SB_EFULL. */
int auth_scope_register(const char *type, auth_scope_fn fn, void *user);

/* Forgets every checker (tests, shutdown). */
void auth_scope_reset(void);

/* True when `who` may touch resource `id` of `type`. */
bool auth_scope_allows(const struct auth_principal *who, const char *type, int64_t id);

/* For handlers: 0 when allowed, else queues 404 problem+json (a resource outside one's scope is
 * not revealed to exist) and returns SB_ENOTFOUND. */
int auth_require_scope(struct http_req *req, const struct auth_principal *who, const char *type,
                       int64_t id);

#endif
