/* permissions.h — what a principal may do in a section of the admin console, and which
 * agents and queues it may touch (issue "Staff": supervisors and user profiles).
 *
 * Admins may do everything. A supervisor (role "user") may do what its user profile allows:
 * each enabled section has a permission type (read, read+edit, read+delete,
 * read+edit+delete; the profile's default unless overridden), and its scope is the profile's
 * queues: it sees and changes only those queues and the agents that are members of them
 * (directly or through a team). Agents and anonymous callers are refused everywhere here.
 * Users and profiles themselves are admin-only (call auth_require(…, AUTH_ROLE_ADMIN, …)).
 * HTTP threads. */
#ifndef SB_AUTH_PERMISSIONS_H
#define SB_AUTH_PERMISSIONS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "auth/guard.h"

struct db;

/* Sections of the console a profile can enable. */
#define PERM_SECTION_AGENTS   "agents"
#define PERM_SECTION_QUEUES   "queues"
#define PERM_SECTION_TEAMS    "teams"
#define PERM_SECTION_REPORTS  "reports"
#define PERM_SECTION_REALTIME "realtime"

enum perm_action { PERM_READ = 1, PERM_EDIT = 2, PERM_DELETE = 4 };

struct perm_ctx {
    struct auth_principal who;
    bool all;           /* an admin: no scope applies */
    int64_t profile_id; /* the supervisor's profile (0 for admins) */
    unsigned actions;   /* PERM_* bits allowed in the section */
};

/* Authenticates the request and checks that the caller may do `action` in `section`. Returns
 * 0 with *ctx filled; otherwise queues 401/403 problem+json and returns the error (the
 * handler returns http_replied(req)). */
int perm_require(struct http_req *req, const char *section, enum perm_action action,
                 struct perm_ctx *ctx);

/* The PERM_* bits user profile `profile_id` allows in `section` into *actions (0 when the
 * section is off or the profile is gone). 0 or a storage error. Any thread with its own
 * connection (the WebSocket commands use it from job workers). */
int perm_profile_section(struct db *db, int64_t profile_id, const char *section, unsigned *actions);

/* True when ctx may touch agent `id`: any agent for an admin; for a supervisor an agent that is
 * an effective member of one of its profile's queues. */
bool perm_agent_in_scope(struct http_req *req, const struct perm_ctx *ctx, int64_t id);

/* True when ctx may touch queue `id`: any for an admin; a queue of its profile otherwise. */
bool perm_queue_in_scope(struct http_req *req, const struct perm_ctx *ctx, int64_t id);

/* The supervisor scope of an interaction, one rule for every place that shows or changes
 * interactions (the list, its CSV export, bulk and single delete, and desk_load: read, spy,
 * notes, transcript): an interaction of a queue of the profile, OR held, OR last held by an
 * agent in the scope (an agent's outbound conversation never reaches a queue). Admins: all.
 *
 * perm_interaction_scope_sql: the SQL condition on an `interactions` row aliased `i`, with
 * PERM_INTERACTION_SCOPE_PARAMS `?`, each to bind to ctx->profile_id; NULL for an admin (no
 * restriction). Static text.
 * perm_interaction_in_scope: true when ctx may see interaction `id` by that rule (false for an
 * unknown id, a profile-less supervisor, or a storage error). HTTP threads. */
#define PERM_INTERACTION_SCOPE_PARAMS 3
const char *perm_interaction_scope_sql(const struct perm_ctx *ctx);
bool perm_interaction_in_scope(struct http_req *req, const struct perm_ctx *ctx, int64_t id);

/* The SQL that restricts a list to the caller's scope: a fragment "IN (SELECT …)" to write
 * after a staff id column (`kind` "agent") or a queue id column (`kind` "queue"), with one `?`
 * to bind to ctx->profile_id. NULL for an admin (no restriction). The text is static. */
const char *perm_scope_sql(const struct perm_ctx *ctx, const char *kind);

/* What a supervisor with profile `profile_id` may do, for the console to show only that:
 * *out = {sections: {section: ["read", "edit", "delete"] (the allowed subset), …}} with only
 * the enabled sections (empty when the profile is 0 or gone). 0, or a storage error. */
int perm_profile_describe(struct db *db, int64_t profile_id, json_t **out);

#endif
