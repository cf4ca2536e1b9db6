/* directory.h — who can use the internal messenger, as the view `messenger_staff` says
 * (migration 0014): live, enabled accounts; agents only with "Enable Internal Messenger".
 * Read at every request, so a change of an agent's permission applies at once.
 *
 * Every function takes the caller's connection and returns 0 or a negative sb_err. */
#ifndef SB_MESSENGER_DIRECTORY_H
#define SB_MESSENGER_DIRECTORY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;

/* The name shown for a deleted staff member's messages and memberships. */
#define MSGDIR_DELETED_NAME "deleted user"

struct msgdir_status {
    bool usable;  /* may use the messenger now */
    bool sound;   /* its "Messenger sound notification" */
    bool deleted; /* the account was deleted (history keeps it as "deleted user") */
};

/* Whether staff `id` may use the messenger. SB_ENOTFOUND when no staff row has this id (a
 * deleted one is found: deleted, not usable). */
int msgdir_status(struct db *db, int64_t id, struct msgdir_status *out);

/* The public view of a staff member in messenger answers: {id, name, username, role,
 * deleted}; a deleted one is {id, name: "deleted user", username: null, role, deleted: true}.
 * New reference (NULL on ENOMEM). */
json_t *msgdir_person(int64_t id, const char *username, const char *full_name, const char *role,
                      bool deleted);

/* One recipient row, for msgdir_recipients' callback (strings valid during the call). */
struct msgdir_row {
    int64_t id;
    const char *username, *full_name, *role;
    int64_t last_message_id; /* newest direct message between the caller and it; 0 = none */
    int64_t unread;          /* its messages to the caller not read yet */
};

/* Returns true to go on, false to stop early. */
typedef bool (*msgdir_row_fn)(const struct msgdir_row *row, void *arg);

/* Calls `fn` for every usable staff member but `self` whose username or full name contains
 * `q` (case-insensitive; NULL or "" = all), the conversation with the newest message first,
 * then by full name. O(staff) rows. */
int msgdir_recipients(struct db *db, int64_t self, const char *q, msgdir_row_fn fn, void *arg);

/* Member search for group forms: up to `limit` usable staff whose username or full name
 * contains `q`, by full name: *items gets [{person}…] (new array). */
int msgdir_search(struct db *db, const char *q, int64_t limit, json_t **items);

/* Checks that every id of `ids` names a usable staff member. Returns 0, SB_EINVALID with *bad
 * set to the index of the first that does not, or a storage error. */
int msgdir_all_usable(struct db *db, const int64_t *ids, size_t n, size_t *bad);

#endif
