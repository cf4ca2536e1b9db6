/* staff_security.h — security actions shared by the staff resources (agents, users). */
#ifndef SB_API_STAFF_SECURITY_H
#define SB_API_STAFF_SECURITY_H

#include <jansson.h>
#include <stdint.h>

#include "http/request.h"

/* Sets staff `id`'s password from the body's `password` (policy-checked, 422 naming the field),
 * hashed on a job worker; the owner must choose a new one at the next sign-in (seed 001), and
 * every session and socket of the account ends. `actor` is audited. Call after the caller's
 * access checks; returns the handler's MHD_Result. */
int staff_password_set(struct http_req *req, int64_t id, int64_t actor);

/* Ends a create job (agents, users) on a worker: 201 with `created` when r is 0; 409 naming
 * `conflict` ("username" or "internal") for SB_ECONFLICT; otherwise the error's status with
 * "the <what> was not created". Takes `created`. */
void staff_create_result(struct http_req *req, int r, const char *conflict, json_t *created,
                         const char *what);

#endif
