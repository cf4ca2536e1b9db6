/* audit.h — the audit log: who did what to whom, from where, when (ASVS 16). Rows are only
 * ever inserted. `detail` is a small JSON object (never secrets). Any thread with its own
 * connection. */
#ifndef SB_AUTH_AUDIT_H
#define SB_AUTH_AUDIT_H

#include <jansson.h>
#include <stdint.h>

struct db;

/* Appends one entry. actor_id/target_id 0 = none; target_type/ip may be NULL; `detail` may
 * be NULL and is stolen, so callers pass json_pack(...) straight in. Returns 0 or a db error;
 * callers do not fail an action that was already committed because its audit row failed. */
int audit_record(struct db *db, int64_t at_ms, int64_t actor_id, const char *action,
                 const char *target_type, int64_t target_id, const char *ip, json_t *detail);

#endif
