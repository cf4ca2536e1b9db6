/* staff_security.h — security actions shared by the staff resources (agents, users). */
#ifndef SB_API_STAFF_SECURITY_H
#define SB_API_STAFF_SECURITY_H

#include <stdint.h>

#include "http/request.h"

/* Sets staff `id`'s password from the body's `password` (policy-checked, 422 naming the field),
 * hashed on a job worker; the owner must choose a new one at the next sign-in (seed 001), and
 * every session and socket of the account ends. `actor` is audited. Call after the caller's
 * access checks; returns the handler's MHD_Result. */
int staff_password_set(struct http_req *req, int64_t id, int64_t actor);

#endif
