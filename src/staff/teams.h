/* teams.h — teams of agents (issue "Staff"): a named group whose association with a queue
 * makes every one of its agents a member of the queue (table queue_teams, view
 * queue_members_effective). This module stores teams and their members; queue associations
 * are routing/queues.h's.
 *
 * Scope: functions that list agents take `scope_sql` and `profile_id`. scope_sql NULL means no
 * restriction (an admin); otherwise it is perm_scope_sql(ctx, "agent") — an "IN (SELECT …)"
 * fragment with one `?` bound to profile_id — and only agents inside it are listed or counted.
 *
 * Every function runs on the caller's connection (any thread with its own) and returns 0 or a
 * negative sb_err; on error nothing is changed. */
#ifndef SB_STAFF_TEAMS_H
#define SB_STAFF_TEAMS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct db;

#define TEAM_NAME_MAX        64
#define TEAM_DESCRIPTION_MAX 1024

/* Validates a create (`current` NULL: name required) or a change (`current` = the stored team
 * object) and fills *clean (new object) with the complete fields {name, description}. Unknown
 * fields are refused. Returns 0, SB_ENOMEM, or SB_EINVALID with *errors (new array of
 * {field, message}). */
int team_validate(const json_t *body, const json_t *current, json_t **clean, json_t **errors);

/* Stores a new team from `clean`. SB_ECONFLICT when the name is taken. */
int team_create(struct db *db, const json_t *clean, int64_t now_ms, int64_t *id_out);

/* Replaces the stored fields of team `id` with `clean`. SB_ENOTFOUND, SB_ECONFLICT. */
int team_update(struct db *db, int64_t id, const json_t *clean, int64_t now_ms);

/* The team object {id, name, description, agents, created_at, updated_at} with `agents` the
 * number of its members inside the scope, or SB_ENOTFOUND. *out is a new reference. */
int team_get(struct db *db, int64_t id, const char *scope_sql, int64_t profile_id, json_t **out);

/* Deletes a team; its memberships and queue associations go with it. SB_ENOTFOUND. */
int team_delete(struct db *db, int64_t id);

/* Lists teams ordered by name, `q` (NULL = all) searched in the name: *items (new array of
 * team objects as team_get) and *total matches. */
int team_list(struct db *db, const char *q, int64_t limit, int64_t offset, const char *scope_sql,
              int64_t profile_id, json_t **items, int64_t *total);

/* Adds agents (`ids`, a JSON array of positive integers) to team `team_id`, keeping existing
 * members, in one transaction: all or nothing. An id that is not a live agent, or is outside
 * the scope, fails the call with SB_EINVALID and *bad = its index in `ids`. SB_ENOTFOUND when
 * the team does not exist. */
int team_add_agents(struct db *db, int64_t team_id, const json_t *ids, const char *scope_sql,
                    int64_t profile_id, int64_t now_ms, size_t *bad);

/* Removes one member. SB_ENOTFOUND when it was not one. */
int team_remove_agent(struct db *db, int64_t team_id, int64_t staff_id);

/* The team's members inside the scope, ordered by username: *items (new array of
 * {id, username, full_name, internal}). */
int team_agents(struct db *db, int64_t team_id, const char *scope_sql, int64_t profile_id,
                json_t **items);

/* The ids of every member of team `team_id` (new array of integers; empty for an unknown
 * team), for the events that tell them their queues changed. */
int team_member_ids(struct db *db, int64_t team_id, json_t **ids);

/* The teams agent `staff_id` belongs to, ordered by name: *items (new array of
 * {id, name, description}). */
int agent_teams(struct db *db, int64_t staff_id, json_t **items);

/* Adds agent `staff_id` to teams (`team_ids`, a JSON array of positive integers), keeping
 * existing memberships, in one transaction: all or nothing. An unknown team fails the call
 * with SB_EINVALID and *bad = its index. The caller has checked that the agent exists. */
int agent_add_teams(struct db *db, int64_t staff_id, const json_t *team_ids, int64_t now_ms,
                    size_t *bad);

#endif
