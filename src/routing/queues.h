/* queues.h — queue records and their agent members (issue "Staff": queues for every
 * channel). Validation of a queue's fields is here so the API and, later, the CLI share it;
 * the routing engine reads queues through this module too. */
#ifndef SB_ROUTING_QUEUES_H
#define SB_ROUTING_QUEUES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;

/* True for voice, chat, email, sms, openchannel, fax, whatsapp. */
bool queue_channel_valid(const char *channel);

/* Validates a create (`current` NULL; `channel` required in `body`) or a change (`current` =
 * the stored queue object) and fills *clean with the complete queue fields (name, channel,
 * description, strategy, agent_timeout, weight) with defaults applied. Returns 0 or
 * SB_EINVALID with *errors (new array of {field, message}). */
int queue_validate(const json_t *body, const json_t *current, json_t **clean, json_t **errors);

/* Stores a new queue; SB_ECONFLICT when the name is taken in its channel. */
int queue_create(struct db *db, const json_t *clean, int64_t now_ms, int64_t *id_out);

/* Replaces the stored fields of `id` with `clean`. SB_ENOTFOUND, SB_ECONFLICT. */
int queue_update(struct db *db, int64_t id, const json_t *clean, int64_t now_ms);

/* The queue object with its member count (`agents`: effective members, directly or through a
 * team), or SB_ENOTFOUND. */
int queue_get(struct db *db, int64_t id, json_t **out);

/* Deletes a queue in one transaction: its members, team associations and the user profiles'
 * rows naming it (profile_resources, kind 'queue') go with it. SB_ENOTFOUND. */
int queue_delete(struct db *db, int64_t id);

struct queue_query {
    const char *channel;   /* NULL = every channel */
    const char *q;         /* name search; NULL = all */
    const char *scope_in;  /* perm_scope_sql(ctx, "queue"): NULL = no restriction */
    int64_t scope_profile; /* bound to scope_in's `?` */
    int64_t limit, offset;
};

/* Lists queues (optional channel filter, name search and supervisor scope), ordered by channel
 * then name. */
int queue_list(struct db *db, const struct queue_query *query, json_t **items, int64_t *total);

/* Adds agents (ids in a JSON array) to a queue; existing members are kept. Unknown or non-agent
 * ids fail the whole call with SB_EINVALID and *bad set to the first offending id. Applies
 * immediately (one transaction). */
int queue_add_agents(struct db *db, int64_t queue_id, const json_t *ids, int64_t now_ms,
                     int64_t *bad);

/* Removes one member. SB_ENOTFOUND when it was not one. */
int queue_remove_agent(struct db *db, int64_t queue_id, int64_t staff_id);

/* The effective members of a queue (direct members and the agents of its teams), ordered by
 * username: array of {id, username, full_name, internal, direct, teams} where `direct` says
 * whether the agent is a member itself and `teams` names the teams (sorted) through which it
 * is one. */
int queue_agents(struct db *db, int64_t queue_id, json_t **items);

/* The most members queue_effective_member_ids() returns. */
#define QUEUE_MEMBERS_MAX 100000

/* For routing: the ids of the live (not deleted) agents that are members of queue `queue_id`,
 * directly or through a team, each once, ascending. *ids is malloc'd (free() it; NULL when
 * *n is 0). SB_ETOOBIG beyond QUEUE_MEMBERS_MAX; on error *ids is NULL and *n 0. Any thread
 * with its own connection. */
int queue_effective_member_ids(struct db *db, int64_t queue_id, int64_t **ids, size_t *n);

/* Associates teams (`team_ids`, a JSON array of positive integers) with a queue, keeping
 * existing associations, in one transaction: all or nothing. Every agent of those teams is
 * a member of the queue from the commit on. An unknown team fails the call with SB_EINVALID
 * and *bad = its index in `team_ids`. SB_ENOTFOUND when the queue does not exist. */
int queue_add_teams(struct db *db, int64_t queue_id, const json_t *team_ids, int64_t now_ms,
                    size_t *bad);

/* Ends one association (its agents stay members only if they are members otherwise).
 * SB_ENOTFOUND when the team was not associated with the queue. */
int queue_remove_team(struct db *db, int64_t queue_id, int64_t team_id);

/* The teams associated with a queue, ordered by name: array of {id, name, agents} with
 * `agents` the team's live member count. */
int queue_teams(struct db *db, int64_t queue_id, json_t **items);

#endif
