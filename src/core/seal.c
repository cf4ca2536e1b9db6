#include "core/seal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core/err.h"

#define SEAL_KEY_BYTES  crypto_secretbox_KEYBYTES
#define SEAL_PREFIX     "v1:"
#define SEAL_PREFIX_LEN (sizeof SEAL_PREFIX - 1)
/* Secrets are small (seeds, API tokens); the cap bounds every allocation below. */
#define SEAL_MAX_PLAIN ((size_t)64 * 1024)
#define SEAL_OVERHEAD  (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
/* Longest sealed text seal_decrypt() looks at: prefix + base64 of the biggest box. */
#define SEAL_MAX_SEALED                                                                            \
    (SEAL_PREFIX_LEN +                                                                             \
     sodium_base64_ENCODED_LEN(SEAL_MAX_PLAIN + SEAL_OVERHEAD, sodium_base64_VARIANT_ORIGINAL))

_Static_assert(SEAL_KEY_BYTES == 32, "the key file holds 32 bytes");

/* Written by seal_init()/seal_cleanup() only (start-up and shutdown); read-only in between,
 * which is what makes seal_encrypt()/seal_decrypt() safe from any thread. */
static unsigned char *seal_key;

/* Reads exactly `len` bytes from `fd`; 0, or SB_EIO on error or early end of file. */
static int seal_read_all(int fd, unsigned char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return SB_EIO;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Writes all `len` bytes; 0 or SB_EIO. */
static int seal_write_all(int fd, const unsigned char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return SB_EIO;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* fsyncs the directory holding `path` so a new key file's name survives a crash. */
static int seal_sync_parent(const char *path)
{
    char copy[PATH_MAX];
    size_t n = strnlen(path, sizeof copy);
    if (n >= sizeof copy)
        return SB_EIO;
    memcpy(copy, path, n + 1);
    int dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return SB_EIO;
    int rc = fsync(dfd) == 0 ? 0 : SB_EIO;
    close(dfd);
    return rc;
}

/* Creates `path` exclusively (0600) holding the random `key`. Returns 0, SB_ECONFLICT when
 * the file appeared meanwhile (another process won the race), SB_EIO otherwise; on error
 * nothing is left behind except a file somebody else created. */
static int seal_create(const char *path, const unsigned char *key)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return errno == EEXIST ? SB_ECONFLICT : SB_EIO;
    /* umask can only clear bits, but an inherited ACL default could add some: say 0600. */
    int rc = fchmod(fd, 0600) == 0 ? 0 : SB_EIO;
    if (!rc)
        rc = seal_write_all(fd, key, SEAL_KEY_BYTES);
    if (!rc && fsync(fd) != 0)
        rc = SB_EIO;
    if (close(fd) != 0 && !rc)
        rc = SB_EIO;
    if (!rc)
        rc = seal_sync_parent(path);
    if (rc)
        unlink(path); /* a short key file would be refused at every later start */
    return rc;
}

/* Opens and checks an existing key file and reads it into `key`. Returns 0, SB_ENOTFOUND
 * when it does not exist, SB_EINVAL when it is not a regular file of SEAL_KEY_BYTES bytes
 * with no group/other permission bits, SB_EIO on other errors. */
static int seal_load(const char *path, unsigned char *key)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return errno == ENOENT ? SB_ENOTFOUND : SB_EIO;
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) != 0)
        rc = SB_EIO;
    else if (!S_ISREG(st.st_mode) || (st.st_mode & 077) != 0 || st.st_size != SEAL_KEY_BYTES)
        rc = SB_EINVAL;
    else
        rc = seal_read_all(fd, key, SEAL_KEY_BYTES);
    close(fd);
    return rc;
}

/* On failure the previous key (if any) stays in place. Not to be called while other threads
 * seal or open. */
int seal_init(const char *path)
{
    unsigned char *key = NULL;
    int rc;
    if (!path || !*path)
        return SB_EINVAL;
    if (sodium_init() < 0)
        return SB_EIO; /* no randomness source */
    key = sodium_malloc(SEAL_KEY_BYTES);
    if (!key)
        return SB_EIO;

    rc = seal_load(path, key);
    if (rc == SB_ENOTFOUND) {
        randombytes_buf(key, SEAL_KEY_BYTES);
        rc = seal_create(path, key);
        if (rc == SB_ECONFLICT) /* created by someone else since: use theirs */
            rc = seal_load(path, key);
        if (rc == SB_ENOTFOUND || rc == SB_ECONFLICT)
            rc = SB_EIO;
    }
    if (rc)
        goto fail;
    if (sodium_mprotect_readonly(key) != 0) {
        rc = SB_EIO;
        goto fail;
    }
    seal_cleanup();
    seal_key = key;
    return 0;

fail:
    sodium_free(key); /* wipes it */
    return rc;
}

void seal_cleanup(void)
{
    /* sodium_free() zeroes the pages before unmapping them, read-only or not. */
    sodium_free(seal_key);
    seal_key = NULL;
}

/* Returns 0, SB_EINVAL (NULL arguments), SB_ETOOBIG (len over 64 KiB), SB_ENOMEM, or
 * SB_EINTERNAL before seal_init(). On error *out is NULL. */
int seal_encrypt(const void *plain, size_t len, char **out)
{
    unsigned char *box = NULL;
    char *text = NULL;
    int rc;
    if (!out)
        return SB_EINVAL;
    *out = NULL;
    if (!plain && len > 0)
        return SB_EINVAL;
    if (len > SEAL_MAX_PLAIN)
        return SB_ETOOBIG;
    if (!seal_key)
        return SB_EINTERNAL;

    size_t box_len = SEAL_OVERHEAD + len;
    box = malloc(box_len);
    size_t b64_len = sodium_base64_ENCODED_LEN(box_len, sodium_base64_VARIANT_ORIGINAL);
    text = malloc(SEAL_PREFIX_LEN + b64_len);
    if (!box || !text) {
        rc = SB_ENOMEM;
        goto fail;
    }
    /* A random 192-bit nonce per message: no counter to persist, no realistic collision. */
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    if (crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, plain ? plain : (const void *)"",
                              len, box, seal_key) != 0) {
        rc = SB_EINTERNAL;
        goto fail;
    }
    memcpy(text, SEAL_PREFIX, SEAL_PREFIX_LEN);
    sodium_bin2base64(text + SEAL_PREFIX_LEN, b64_len, box, box_len,
                      sodium_base64_VARIANT_ORIGINAL);
    free(box);
    *out = text;
    return 0;

fail:
    free(box);
    free(text);
    return rc;
}

/* Returns 0, SB_EINVAL (malformed, unknown version, tampered, other key, longer than any
 * sealed 64 KiB), SB_ENOMEM, or SB_EINTERNAL before seal_init(). On error *out is NULL and
 * *out_len 0. */
int seal_decrypt(const char *sealed, void **out, size_t *out_len)
{
    unsigned char *box = NULL;
    unsigned char *plain = NULL;
    size_t len = 0;
    int rc;
    if (!out || !out_len)
        return SB_EINVAL;
    *out = NULL;
    *out_len = 0;
    if (!sealed)
        return SB_EINVAL;
    size_t n = strnlen(sealed, SEAL_MAX_SEALED + 1);
    if (n > SEAL_MAX_SEALED || n < SEAL_PREFIX_LEN ||
        memcmp(sealed, SEAL_PREFIX, SEAL_PREFIX_LEN) != 0)
        return SB_EINVAL;
    if (!seal_key)
        return SB_EINTERNAL;

    const char *b64 = sealed + SEAL_PREFIX_LEN;
    size_t b64_len = n - SEAL_PREFIX_LEN;
    size_t cap = b64_len / 4 * 3 + 3;
    box = malloc(cap);
    if (!box) {
        rc = SB_ENOMEM;
        goto fail;
    }
    size_t box_len = 0;
    /* No ignore set and no end pointer: the whole text must be canonical padded base64
     * (libsodium also refuses non-zero trailing bits), so every character is covered. */
    if (sodium_base642bin(box, cap, b64, b64_len, NULL, &box_len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        box_len < SEAL_OVERHEAD) {
        rc = SB_EINVAL;
        goto fail;
    }
    len = box_len - SEAL_OVERHEAD;
    plain = malloc(len + 1);
    if (!plain) {
        rc = SB_ENOMEM;
        goto fail;
    }
    if (crypto_secretbox_open_easy(plain, box + crypto_secretbox_NONCEBYTES,
                                   box_len - crypto_secretbox_NONCEBYTES, box, seal_key) != 0) {
        rc = SB_EINVAL;
        goto fail;
    }
    plain[len] = 0;
    free(box);
    *out = plain;
    *out_len = len;
    return 0;

fail:
    free(box);
    if (plain)
        sodium_memzero(plain, len + 1);
    free(plain);
    return rc;
}
