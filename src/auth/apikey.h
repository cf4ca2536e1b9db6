/* apikey.h — API keys for integrations (`Authorization: Bearer sbk_…`).
 *
 * A key is "sbk_" + 43 base64url characters (32 CSPRNG bytes). Only SHA-256 of it is stored;
 * it is shown once at creation. A key acts with its owner's role; it stops working when
 * revoked, expired, or when the owner is disabled or deleted. */
#ifndef SB_AUTH_APIKEY_H
#define SB_AUTH_APIKEY_H

#include <stdint.h>

struct db;

#define APIKEY_LEN      47 /* "sbk_" + 43 */
#define APIKEY_NAME_MAX 100

/* True when `s` has the shape of a key (so a bearer value can be routed to this module). */
int apikey_looks_like(const char *s);

/* Creates a key for `staff_id`. expires_at 0 = never. The key text goes to out. */
int apikey_create(struct db *db, int64_t staff_id, const char *name, int64_t now_ms,
                  int64_t expires_at, char out[APIKEY_LEN + 1], int64_t *id_out);

/* Returns 0 with *staff_id and *key_id for a live key, SB_EAUTH otherwise. Marks last use at most
 * once a minute. */
int apikey_lookup(struct db *db, const char *key, int64_t now_ms, int64_t *staff_id,
                  int64_t *key_id);

/* Revokes key `id` if owned by `staff_id` (0 = any owner). SB_ENOTFOUND when none. */
int apikey_revoke(struct db *db, int64_t id, int64_t staff_id, int64_t now_ms);

#endif
