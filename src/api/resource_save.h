/* resource_save.h — the create and change flow shared by the simple named resources (queues,
 * teams, profiles): read the body, validate it over the stored object, store it, audit it,
 * answer the stored object — with 422 naming each bad field, 409 naming the unique field, 404
 * for a resource that vanished (or 422 naming the reference a create points at, when the kind
 * says), 422 naming the field of a full store, and nothing changed on any refusal. The handler has
 * already checked who is asking and, for a change, that the resource is in the caller's scope. */
#ifndef SB_API_RESOURCE_SAVE_H
#define SB_API_RESOURCE_SAVE_H

#include <jansson.h>
#include <stdint.h>

#include "http/request.h"

struct db;

struct resource_kind {
    const char *name;           /* "queue": audit "queue.create", target type, "no such queue" */
    const char *unique_field;   /* named in the 409 */
    const char *unique_message; /* e.g. "another team has this name" */
    /* Validates `body` over `current` (NULL = create) into *clean (complete fields), or
     * SB_EINVALID with *errors (array of {field, message}). */
    int (*validate)(struct db *db, const json_t *body, const json_t *current, json_t **clean,
                    json_t **errors);
    int (*create)(struct db *db, const json_t *clean, int64_t now_ms, int64_t *id_out);
    int (*update)(struct db *db, int64_t id, const json_t *clean, int64_t now_ms);
    /* The stored object as the caller sees it (`arg` = the handler's, e.g. its scope). */
    int (*get)(struct db *db, int64_t id, void *arg, json_t **out);
    /* Optional (NULL = not used): */
    const char *audit_name; /* audit action prefix and target type; NULL = name */
    /* A store that is full (SB_ETOOBIG): 422 with this title naming full_field. */
    const char *full_title, *full_field, *full_message;
    /* A create naming a row that does not exist (SB_ENOTFOUND): 422 naming ref_field. */
    const char *ref_field, *ref_message;
};

/* Creates (`id` 0: 201) or changes (`id`: 200) a resource of `kind` from the request body on
 * behalf of `actor`. Returns the handler's MHD_Result. */
int resource_save(struct http_req *req, const struct resource_kind *kind, int64_t id, int64_t actor,
                  void *get_arg);

#endif
