/* agent_queues.h — queue membership seen from one agent (issue "Staff": "add to queues of any
 * channel: one, several, or all at once, effective immediately for routing"). An agent is a
 * member of a queue directly (queue_members) or through a team associated with the queue
 * (queue_teams + team_members); routing reads the union (queue_members_effective), so a
 * committed change applies to the next routing decision.
 *
 * Scope: `scope_sql` NULL means every queue (an admin); otherwise it is
 * perm_scope_sql(ctx, "queue") — an "IN (SELECT …)" fragment with one `?` bound to
 * `profile_id` — and only queues inside it are listed or added.
 *
 * Every function runs on the caller's connection (any thread with its own) and returns 0 or a
 * negative sb_err; on error nothing is changed. */
#ifndef SB_ROUTING_AGENT_QUEUES_H
#define SB_ROUTING_AGENT_QUEUES_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct db;

/* Every queue (any channel, inside the scope) agent `staff_id` is a member of, ordered by
 * channel then name: *items (new array of {id, channel, name, direct, teams}) where `direct`
 * says whether the agent is a member itself and `teams` names the teams (sorted) through which
 * it is one. */
int agent_queues_list(struct db *db, int64_t staff_id, const char *scope_sql, int64_t profile_id,
                      json_t **items);

/* Makes agent `staff_id` a direct member of the queues `queue_ids` (JSON array of positive
 * integers), keeping existing memberships, in one transaction: all or nothing. A queue that
 * does not exist or is outside the scope fails the call with SB_EINVALID and *bad = its index.
 * SB_ENOTFOUND when `staff_id` is not a live agent. */
int agent_queues_add(struct db *db, int64_t staff_id, const json_t *queue_ids,
                     const char *scope_sql, int64_t profile_id, int64_t now_ms, size_t *bad);

/* Makes agent `staff_id` a direct member of every queue inside the scope, or of every such
 * queue of `channel` when it is not NULL, in one transaction. *added (may be NULL) gets the
 * number of new memberships. SB_ENOTFOUND when `staff_id` is not a live agent. */
int agent_queues_add_all(struct db *db, int64_t staff_id, const char *channel,
                         const char *scope_sql, int64_t profile_id, int64_t now_ms, int64_t *added);

/* Ends agent `staff_id`'s direct membership of queue `queue_id`. Returns 0 when it was one
 * (the agent may still be a member through a team); SB_ECONFLICT when the agent is a member
 * only through a team, whose name (the first by name) is copied to `team` (`team_len` bytes,
 * NUL-terminated); SB_ENOTFOUND when it is no member at all. */
int agent_queues_remove(struct db *db, int64_t staff_id, int64_t queue_id, char *team,
                        size_t team_len);

#endif
