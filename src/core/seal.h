/* seal.h — secrets at rest (TOTP seeds, provider credentials) sealed with libsodium
 * secretbox (XSalsa20-Poly1305) under a key kept in a file outside the database (DESIGN
 * "Storage"). Sealed text is "v1:" + base64(nonce || ciphertext), safe in a TEXT column.
 * Thread-safe after seal_init(). */
#ifndef SB_CORE_SEAL_H
#define SB_CORE_SEAL_H

#include <stddef.h>

/* Loads the 32-byte key from `path`, creating it (mode 0600, O_EXCL, random) when missing.
 * Refuses a key file readable by group or others, or of the wrong size. Returns 0, SB_EIO or
 * SB_EINVAL. */
int seal_init(const char *path);

/* Forgets the key (memory wiped). */
void seal_cleanup(void);

/* Seals `len` bytes of `plain` into a new NUL-terminated string (*out, free()). */
int seal_encrypt(const void *plain, size_t len, char **out);

/* Opens sealed text into *out (malloc'd, *out_len bytes, plus a NUL not counted). Returns
 * SB_EINVAL when the text is malformed or was tampered with / sealed under another key. */
int seal_decrypt(const char *sealed, void **out, size_t *out_len);

#endif
