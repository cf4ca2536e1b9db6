/* groups.h — messenger groups (seed "How to manage Messenger Groups"): a name, members, and
 * "Enable Writing". Storage only; who may do what is decided by the API (api/messenger_*.c).
 *
 * A deleted group keeps its row (deleted_at) so message ids are never reused, and loses its
 * members; every function treats it as absent (SB_ENOTFOUND). Every function takes the
 * caller's connection and returns 0 or a negative sb_err; on error nothing is changed. */
#ifndef SB_MESSENGER_GROUPS_H
#define SB_MESSENGER_GROUPS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;

#define MGROUP_NAME_MAX    64
#define MGROUP_MEMBERS_MAX 5000

struct mgroup {
    int64_t id;
    bool writable;
    int64_t created_by;
    int64_t last_message_id;
};

/* Creates a group with `members` (unique ids, checked usable by the caller) in one
 * transaction. *id_out gets its id. */
int mgroup_create(struct db *db, const char *name, bool writable, int64_t creator,
                  const int64_t *members, size_t n, int64_t now_ms, int64_t *id_out);

/* Loads group `id`, or SB_ENOTFOUND (also when deleted). */
int mgroup_load(struct db *db, int64_t id, struct mgroup *out);

/* *member tells whether `staff_id` is a member of group `id`. */
int mgroup_is_member(struct db *db, int64_t id, int64_t staff_id, bool *member);

/* The members of group `id` (*ids malloc'ed, sorted; caller frees; NULL when none). With
 * `usable_only` only those who may use the messenger now (fan-out). */
int mgroup_member_ids(struct db *db, int64_t id, bool usable_only, int64_t **ids, size_t *n);

/* Changes a group in one transaction: `name` (NULL = keep), `writable` (-1 = keep, else 0/1),
 * `members` (NULL = keep; else the complete new list, unique and checked by the caller). New
 * members start with every earlier message read. */
int mgroup_update(struct db *db, int64_t id, const char *name, int writable, const int64_t *members,
                  size_t n, int64_t now_ms);

/* Deletes group `id`: marks it deleted and removes its members. */
int mgroup_delete(struct db *db, int64_t id, int64_t now_ms);

/* The JSON of group `id` as `self` sees it: {id, name, writable, created_by: {person},
 * created_at, updated_at, member_count, last_message_id, unread}, plus `members`
 * ([{person}…], live staff only, by name) when `with_members`. */
int mgroup_json(struct db *db, int64_t id, int64_t self, bool with_members, json_t **out);

/* The groups `self` belongs to or created, or every group when `all` (administrators), the
 * newest message first: *items gets an array of mgroup_json without members. */
int mgroup_list(struct db *db, int64_t self, bool all, json_t **items);

#endif
