/* fields.h — checks of request-body fields shared by the staff resources (agents, users).
 * Each adds a field-level error to the problem object `p` (http_problem_add_error) and
 * returns false when the field is bad. */
#ifndef SB_API_FIELDS_H
#define SB_API_FIELDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* `body[k]`: absent/null (an error only when `required`), or a string of at most `max`
 * characters without control characters or NULs (and not empty when `required`). */
bool field_string(json_t *body, const char *k, size_t max, bool required, json_t *p);

/* `body[k]`: absent or a plausible e-mail address (one '@', text on both sides, ≤ 254), or
 * empty. Call after field_string. */
bool field_email(json_t *body, const char *k, json_t *p);

/* `body[k]`: absent or a boolean. */
bool field_bool(json_t *body, const char *k, json_t *p);

/* `body[k]`: a new password checked against the password policy (every broken rule named
 * under `k`). */
bool field_new_password(json_t *body, const char *k, json_t *p);

#endif
