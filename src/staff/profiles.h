/* profiles.h — user profiles: the permission sets of supervisors (role "user").
 *
 * A profile has a name (unique), a description, a default permission type (read, read_edit,
 * read_delete, read_edit_delete), the sections it enables (each with "default" — the default
 * type — or its own type), the queues its supervisors may touch, and whether contacts' personal
 * data is masked for them. Validation lives here so the API and the CLI agree. */
#ifndef SB_STAFF_PROFILES_H
#define SB_STAFF_PROFILES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;

#define PROFILE_NAME_MAX   64
#define PROFILE_QUEUES_MAX 10000

/* Validates a create (`current` NULL) or a change (`current` = the stored profile object) and
 * fills *clean with the complete profile (name, description, default_permission, sections,
 * queue_ids, mask_sensitive). Queue ids are checked against the database. Returns 0, or
 * SB_EINVALID with *errors (new array of {field, message}), or a storage error. */
int profile_validate(struct db *db, const json_t *body, const json_t *current, json_t **clean,
                     json_t **errors);

/* Stores a new profile and its queues in one transaction; SB_ECONFLICT for a taken name. */
int profile_create(struct db *db, const json_t *clean, int64_t now_ms, int64_t *id_out);

/* Replaces profile `id` (fields and queues) in one transaction. SB_ENOTFOUND, SB_ECONFLICT. */
int profile_update(struct db *db, int64_t id, const json_t *clean, int64_t now_ms);

/* The profile object with its queue ids and the number of supervisors using it. */
int profile_get(struct db *db, int64_t id, json_t **out);

/* Deletes a profile; SB_ECONFLICT while a supervisor still has it, SB_ENOTFOUND. */
int profile_delete(struct db *db, int64_t id);

/* Every profile (there are few), ordered by name: *items is a new array. */
int profile_list(struct db *db, json_t **items);

/* True when profile `id` masks contacts' personal data. */
bool profile_masks(struct db *db, int64_t id);

#endif
