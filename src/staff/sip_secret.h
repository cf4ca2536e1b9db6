/* sip_secret.h — each agent's SIP secret (docs/asterisk.md "Secrets").
 *
 * A secret is SIP_SECRET_LEN random letters and digits from libsodium's CSPRNG. It is never
 * stored in clear: `agents.sip_secret` holds it sealed (core/seal.h) so the agent's own client
 * can be given it, and `agents.md5_cred` holds Asterisk's digest credential, the hex MD5 of
 * "username:realm:secret", with `agents.sip_realm` the realm it was computed for. pjsip.conf
 * and the ps_auths view only ever carry md5_cred.
 *
 * Functions taking a db run on the caller's connection (any thread with its own); those that
 * seal or open need seal_init() done. Secrets never reach the log. */
#ifndef SB_STAFF_SIP_SECRET_H
#define SB_STAFF_SIP_SECRET_H

#include <stdbool.h>
#include <stdint.h>

struct db;

#define SIP_SECRET_LEN    32 /* ~190 bits */
#define SIP_MD5_HEX_LEN   32
#define SIP_REALM_MAX     64
#define SIP_SECRET_BUF_SZ 128 /* room for a secret read back from storage */

/* True when `realm` is 1 to SIP_REALM_MAX letters, digits, '.', '-' or '_' (safe in a
 * pjsip.conf value and in the digest string). */
bool sip_realm_valid(const char *realm);

/* Fills `out` with a new random secret, NUL-terminated. Cannot fail. */
void sip_secret_generate(char out[SIP_SECRET_LEN + 1]);

/* Asterisk's md5_cred: lowercase hex MD5 of "username:realm:secret" (OpenSSL EVP) into
 * `hex`. Returns 0, SB_EINVAL (an argument longer than the fixed limits) or SB_EINTERNAL
 * (the digest is unavailable, e.g. an OpenSSL without MD5). */
int sip_md5_cred(const char *username, const char *realm, const char *secret,
                 char hex[SIP_MD5_HEX_LEN + 1]);

/* Gives agent `staff_id` a new secret: generated, sealed and stored with its md5_cred for
 * (`username`, `realm`) in one UPDATE, so it may run inside the caller's transaction. When
 * `secret_out` is not NULL it receives the new secret (the caller wipes it). Returns 0,
 * SB_ENOTFOUND (no agent row), a seal or db error; on error nothing is changed. */
int sip_secret_rotate(struct db *db, int64_t staff_id, const char *username, const char *realm,
                      int64_t now_ms, char secret_out[SIP_SECRET_LEN + 1]);

/* Idempotent repair, run at start-up and before each provisioning read: every live agent
 * without a secret gets one, and every agent whose md5_cred was computed for another realm
 * than `realm` gets it recomputed from its sealed secret. Conditional updates, so concurrent
 * runs (several nodes) agree on one secret per agent. *changed (may be NULL) gets the number
 * of agents updated. A secret that no longer opens (sealed under another key) is logged and
 * left alone. Returns 0 or the first db error. */
int sip_secret_backfill(struct db *db, const char *realm, int64_t now_ms, int *changed);

/* Opens the secret of live agent `staff_id` into `secret` and its realm into `realm`.
 * Returns 0, SB_ENOTFOUND (no such live agent, or no secret yet), SB_EINVAL (it does not
 * open: another key) or a db error. The caller wipes `secret`. */
int sip_secret_reveal(struct db *db, int64_t staff_id, char secret[SIP_SECRET_BUF_SZ],
                      char realm[SIP_REALM_MAX + 1]);

#endif
