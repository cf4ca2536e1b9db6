/* mask.h — "Mask Sensitive Data": customers' names, phone numbers and e-mail addresses masked
 * in every JSON answer to a caller who must not see them, applied once where answers are
 * serialized (http_reply_json) so no endpoint can forget it.
 *
 * Contact fields are recognised by name, a contract for every module that serializes a
 * contact: the members `contact_name`, `contact_phone`, `contact_email` of any object, and
 * `name`, `first_name`, `last_name`, `phone`, `email` of any object that is the value of a
 * member named `contact` (or an element of an array named `contacts`). Staff fields (an
 * agent's own name or e-mail) are not contact data and keep other names.
 *
 * Who is masked is decided by a resolver the application registers (agents with the setting
 * `mask_sensitive_data`, supervisors whose profile masks; never administrators), consulted
 * only when an answer contains contact fields. */
#ifndef SB_HTTP_MASK_H
#define SB_HTTP_MASK_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* True when `v` (any JSON) contains at least one contact field. */
bool mask_has_contact_fields(const json_t *v);

/* Masks every contact field's string value in place: its last `masked` characters (UTF-8
 * code points) become '*'; 0 masks every character. Non-string values are left alone. */
void mask_contact_fields(json_t *v, int masked);

/* The resolver: given the signed-in caller (staff id and role name), returns the number of
 * characters to mask (≥ 0) or -1 when the caller sees contacts in clear. Called on HTTP
 * threads. */
typedef int (*mask_resolver)(void *user, int64_t staff_id, const char *role);

/* Registers the resolver (main thread, before serving). NULL = nobody is masked. */
void mask_set_resolver(mask_resolver fn, void *user);

/* The resolver's answer for a caller, -1 when none is registered or nobody signed in. */
int mask_for(int64_t staff_id, const char *role);

#endif
