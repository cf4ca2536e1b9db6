/* dispositions.h — the labels an agent closes an interaction with (issue #6; product
 * behaviour §5.4; docs/sms.md "Dispositions").
 *
 * A disposition has a name, an optional description, and at most three levels (a level-1
 * parent, level-2 children, level-3 grandchildren). Its scope says where it applies:
 *   global   every interaction of every channel
 *   account  interactions of one account (channel "sms" or "openchannel" + account_id)
 *   queue    interactions routed through one queue
 *   list     interactions of the accounts whose default contact list it is
 * A child has its parent's scope. Deleting a disposition deletes its children and theirs.
 * Names are unique among the siblings of one scope (SB_ECONFLICT).
 *
 * Every function runs on the caller's connection (any thread with its own) and returns 0 or a
 * negative sb_err; nothing changes on an error. */
#ifndef SB_INTERACTIONS_DISPOSITIONS_H
#define SB_INTERACTIONS_DISPOSITIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;

#define DISPOSITION_NAME_MAX  127  /* characters: fits the ACD's close text */
#define DISPOSITION_DESC_MAX  1024 /* characters of a description */
#define DISPOSITION_LEVELS    3
#define DISPOSITION_SCOPE_MAX 1000  /* dispositions in one scope (one account, queue, …) */
#define DISPOSITION_MAX       20000 /* dispositions in all */
#define DISPOSITION_PAUSE_MAX 63    /* characters of the disposing pause reason */

/* Validates a create (`current` NULL) or a change over the stored object (disposition_get)
 * into *clean {name, description, parent_id, level, scope, channel, account_id, queue_id,
 * list_id}. A create without parent_id defaults to scope "global"; with one it takes the
 * parent's scope and level + 1 (a level-3 parent is refused). A change may only rename and
 * re-describe: parent and scope are fixed. SB_EINVALID with *errors ({field, message} for each
 * bad field; an account, queue, list or parent that does not exist is named), or a storage
 * error. */
int disposition_validate(struct db *db, const json_t *body, const json_t *current, json_t **clean,
                         json_t **errors);

/* Stores a new disposition. SB_ECONFLICT (a sibling has the name), SB_ETOOBIG (the scope or
 * the table is full), SB_ENOTFOUND (the parent vanished meanwhile). */
int disposition_create(struct db *db, const json_t *clean, int64_t now_ms, int64_t *id_out);

/* Renames / re-describes `id`. SB_ENOTFOUND, SB_ECONFLICT. */
int disposition_update(struct db *db, int64_t id, const json_t *clean, int64_t now_ms);

/* {id, name, description, parent_id, level, scope, channel, account_id, queue_id, list_id,
 * path ("Parent > Child > Name"), created_at, updated_at}. SB_ENOTFOUND. */
int disposition_get(struct db *db, int64_t id, json_t **out);

/* Deletes `id` and every descendant; *deleted (may be NULL) gets how many went. SB_ENOTFOUND. */
int disposition_delete(struct db *db, int64_t id, int64_t *deleted);

/* Who reads a list, and what they ask for. */
struct disposition_filter {
    const char *scope;   /* NULL = any */
    const char *channel; /* with account_id: scope "account" of that account */
    int64_t account_id;
    int64_t queue_id;
    int64_t list_id;
    int64_t parent_id; /* > 0: children of that one */
    bool roots;        /* only level 1 */
    const char *q;     /* NULL or a text searched in names (case-insensitive) */
    /* applicable: instead of the exact scope filters above, what applies to an interaction
     * of (channel, account_id) routed through queue_id (0 = none): global ∪ that account's ∪
     * that queue's ∪ the account's contact list's. */
    bool applicable;
    /* Visibility: agent_id > 0 limits to what that agent may see (global; accounts it is an
     * agent of; queues it is an effective member of; lists of its accounts). profile_id > 0
     * (a supervisor) hides queue-scoped dispositions of queues outside the profile. */
    int64_t agent_id;
    int64_t profile_id;
};

/* The dispositions matching `f`, in tree order (each parent before its children, siblings by
 * name). *items are disposition_get objects. */
int disposition_list(struct db *db, const struct disposition_filter *f, int64_t limit,
                     int64_t offset, json_t **items, int64_t *total);

/* True in *visible when `f`'s visibility (agent_id / profile_id) lets the caller see `id`;
 * SB_ENOTFOUND when there is no such disposition. */
int disposition_visible(struct db *db, int64_t id, const struct disposition_filter *f,
                        bool *visible);

/* ---- for the ACD ------------------------------------------------------------------------- */

/* *ok = whether `text` is the name (at any level) of a disposition that applies to an
 * interaction of account `account_id` of `channel` routed through `queue_id` (0 = none):
 * global ones, the account's, the queue's and those of the account's contact list. A NULL or
 * empty text is never allowed. Names compare exactly. 0 or a storage error. Any thread with
 * its own connection (the router thread passes its own). */
int disposition_allowed(struct db *db, const char *channel, int64_t account_id, int64_t queue_id,
                        const char *text, bool *ok);

/* *required = whether account `account_id` of `channel` makes agents dispose when they close
 * (an SMS account's mandatory_disposition); pause (may be NULL) gets the pause reason to apply
 * to the agent while disposing ("" = none). An unknown account or a channel without the
 * setting requires nothing (0, false). 0 or a storage error. */
int disposition_required(struct db *db, const char *channel, int64_t account_id, bool *required,
                         char pause[DISPOSITION_PAUSE_MAX + 1]);

#endif
