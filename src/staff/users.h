/* users.h — the console's users: administrators and supervisors (role "user", with a user
 * profile). Created through staff_store.h; read, listed, changed and deleted here. Agents are
 * agents.h's. */
#ifndef SB_STAFF_USERS_H
#define SB_STAFF_USERS_H

#include <jansson.h>
#include <stdint.h>

struct db;

/* The public JSON of user `id` (admin or supervisor, not deleted), or SB_ENOTFOUND. */
int user_get(struct db *db, int64_t id, json_t **out);

struct user_query {
    const char *q;    /* search in username, full name, e-mail, extension; NULL = all */
    const char *role; /* admin | user; NULL = both */
    int64_t limit, offset;
};

/* Lists users ordered by username: *items (new array) and *total matches. */
int user_list(struct db *db, const struct user_query *q, json_t **items, int64_t *total);

/* Saves the fields present in `changes` (full_name, email, description, internal, profile_id,
 * disabled, ad_sso) in one transaction. SB_ECONFLICT for a taken extension. */
int user_update(struct db *db, int64_t id, const json_t *changes, int64_t now_ms);

/* Deletes user `id` (staff_mark_deleted). SB_ENOTFOUND. */
int user_delete(struct db *db, int64_t id, int64_t now_ms);

/* How many live administrators there are. */
int user_admin_count(struct db *db, int64_t *out);

#endif
