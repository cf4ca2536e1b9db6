/* staff_store.h — the rows of `staff` shared by agents and users (supervisors, admins):
 * creating one with its internal extension, and deleting one. The extension is unique across all
 * staff: a generated one is the lowest free number at or above the "minimum internal" setting, and
 * concurrent creates that pick the same number retry (bounded), so two people never share one. */
#ifndef SB_STAFF_STAFF_STORE_H
#define SB_STAFF_STAFF_STORE_H

#include <stdbool.h>
#include <stdint.h>

struct db;

struct staff_new {
    const char *role; /* admin | user | agent */
    const char *username, *full_name, *email, *alias, *description;
    const char *password_hash;
    bool must_change;
    int64_t internal;     /* 0 = generate from `min_internal` */
    int64_t min_internal; /* general.min_internal */
    int64_t profile_id;   /* 0 = none (supervisors have one) */
};

/* Runs inside the creating transaction with the new row's id (e.g. the agent's settings row).
 * Returns 0 or an error that rolls the create back. */
typedef int (*staff_insert_extra)(struct db *db, int64_t id, void *arg);

/* Inserts the staff row and runs `extra` (may be NULL) in one transaction. SB_ECONFLICT for a
 * taken username or a taken explicit extension (*conflict_field says which: "username" or
 * "internal"). */
int staff_insert(struct db *db, const struct staff_new *s, int64_t now_ms, staff_insert_extra extra,
                 void *arg, int64_t *id_out, int64_t *internal_out, const char **conflict_field);

/* Marks staff `id` (of `role`) deleted inside the caller's transaction: the row stays so
 * history (audit, messages) still names who did what; its username and extension are released
 * for reuse and it can no longer sign in. SB_ENOTFOUND when there is no such live row. */
int staff_mark_deleted(struct db *db, int64_t id, const char *role, int64_t now_ms);

#endif
