/* json_fields.h — the "validate a create or a change into complete clean fields" helpers of
 * the resources whose stored form is a JSON object of fields (channel accounts): each takes the
 * request body, the stored object (NULL on create) and the clean object being built, and adds
 * {field, message} to *errors (created on first use) instead of stopping at the first problem. */
#ifndef SB_CORE_JSON_FIELDS_H
#define SB_CORE_JSON_FIELDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Appends {field, message} to *errors, creating the array on first use. */
void jf_error(json_t **errors, const char *field, const char *message);

/* The value of `k`: from the body when present, else the stored one (either may be NULL). */
json_t *jf_pick(const json_t *body, const json_t *current, const char *k);

/* A text of 1 (required) or 0 to `max` characters (UTF-8 code points) without control
 * characters or NUL; an optional one that is missing, null or "" becomes null. */
void jf_text(const json_t *body, const json_t *current, json_t *clean, const char *k, size_t max,
             bool required, json_t **errors);

/* An integer from lo to hi; `def` when missing. */
void jf_int(const json_t *body, const json_t *current, json_t *clean, const char *k, json_int_t def,
            json_int_t lo, json_int_t hi, json_t **errors);

/* true or false; false when missing. */
void jf_bool(const json_t *body, const json_t *current, json_t *clean, const char *k,
             json_t **errors);

/* Ends a validation: with a storage error `r` or any *errors, frees *clean (NULL) and returns
 * `r` (freeing *errors) or SB_EINVALID (keeping them for the 422); else 0. */
int jf_finish(int r, json_t **clean, json_t **errors);

#endif
