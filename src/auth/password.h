/* password.h — password hashing (argon2id via libsodium) and the password policy.
 *
 * Hashes are libsodium PHC strings ($argon2id$v=19$m=…,t=…,p=1$…) with OWASP's minimum
 * parameters by default (19 MiB, t=2, p=1). Verification checks the whole password as received
 * (no truncation, no case folding). Hashing costs tens of milliseconds: call it from a job
 * worker, never an HTTP thread. Thread-safe. */
#ifndef SB_AUTH_PASSWORD_H
#define SB_AUTH_PASSWORD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Longest password accepted, in bytes: long passphrases pass (ASVS asks >= 64 characters),
 * megabyte "passwords" that would only burn CPU do not. */
#define PASSWORD_MAX_BYTES 1024
/* Room for a PHC string (crypto_pwhash_STRBYTES). */
#define PASSWORD_HASH_MAX 128

/* Sets the argon2id cost for new hashes (opslimit >= 1, memlimit >= 8 KiB). Tests lower it;
 * production keeps the defaults (t=2, 19 MiB). Call before other threads hash. */
void password_set_cost(unsigned long long opslimit, size_t memlimit);

/* Hashes `pw` (NUL-terminated, at most PASSWORD_MAX_BYTES) into out. Returns 0, SB_EINVAL
 * (too long) or SB_ENOMEM (libsodium could not get the memory). */
int password_hash(const char *pw, char out[PASSWORD_HASH_MAX]);

/* Returns 0 when `pw` matches `hash`, SB_EAUTH when it does not, SB_EINVAL when the hash is
 * malformed or pw too long. Constant-time with respect to the password. */
int password_verify(const char *hash, const char *pw);

/* True when `hash` was made with other parameters than the current cost (rehash at login). */
bool password_needs_rehash(const char *hash);

/* Policy rules, as bits of the value password_policy_check() returns. */
enum password_rule {
    PW_RULE_MIN_LENGTH = 1 << 0, /* at least 8 characters (code points) */
    PW_RULE_LOWER = 1 << 1,      /* a lowercase letter (Security Suite) */
    PW_RULE_UPPER = 1 << 2,      /* an uppercase letter (Security Suite) */
    PW_RULE_DIGIT = 1 << 3,      /* a digit (Security Suite) */
    PW_RULE_SPECIAL = 1 << 4,    /* one of ~!@#$%^&-_=+[{]} (Security Suite) */
    PW_RULE_COMMON = 1 << 5,     /* among the 3,000 most common passwords */
    PW_RULE_MAX_LENGTH = 1 << 6, /* longer than PASSWORD_MAX_BYTES */
    PW_RULE_ENCODING = 1 << 7,   /* not valid UTF-8, or contains control characters */
};

/* Checks `pw` against the policy and returns the set of rules it breaks (0 = acceptable).
 * Always: minimum length, maximum length, encoding, common passwords. With `suite_enabled`
 * (the Security Suite) also the four composition rules of the seed. */
unsigned password_policy_check(const char *pw, bool suite_enabled);

/* Appends one {"field": field, "message": …} object per broken rule to `errors` (a JSON
 * array), each with its own message ("must contain an uppercase letter"). Returns 0 or
 * SB_ENOMEM. */
int password_policy_errors(unsigned broken, const char *field, json_t *errors);

/* True when `pw` is in the embedded list of common passwords (compared case-insensitively). */
bool password_is_common(const char *pw);

#endif
