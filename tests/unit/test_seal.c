#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "core/err.h"
#include "core/seal.h"

/* One fresh directory per test under $SB_TEST_TMP (or /tmp), removed afterwards. */
struct fixture {
    char dir[512];
    char key[600];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    const char *base = getenv("SB_TEST_TMP");
    if (!base || !*base || (mkdir(base, 0700) != 0 && errno != EEXIST))
        base = "/tmp";
    snprintf(f->dir, sizeof f->dir, "%s/seal-XXXXXX", base);
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->key, sizeof f->key, "%s/seal.key", f->dir);
    *state = f;
    return 0;
}

static void rm_in(const struct fixture *f, const char *name)
{
    char p[700];
    snprintf(p, sizeof p, "%s/%s", f->dir, name);
    unlink(p);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    seal_cleanup();
    rm_in(f, "seal.key");
    rm_in(f, "other.key");
    rm_in(f, "short.key");
    rm_in(f, "long.key");
    rmdir(f->dir);
    free(f);
    return 0;
}

static void path_in(const struct fixture *f, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", f->dir, name);
}

/* Seals `len` bytes, opens them again and checks the bytes and the trailing NUL. */
static void round_trip(const void *plain, size_t len)
{
    char *sealed = NULL;
    void *back = NULL;
    size_t back_len = 12345;
    assert_int_equal(seal_encrypt(plain, len, &sealed), 0);
    assert_non_null(sealed);
    assert_int_equal(strncmp(sealed, "v1:", 3), 0);
    /* Standard base64 of nonce (24) + MAC (16) + len, padded. */
    assert_int_equal(strlen(sealed), 3 + (40 + len + 2) / 3 * 4);
    assert_int_equal(seal_decrypt(sealed, &back, &back_len), 0);
    assert_non_null(back);
    assert_int_equal(back_len, len);
    if (len)
        assert_memory_equal(back, plain, len);
    assert_int_equal(((unsigned char *)back)[len], 0);
    free(back);
    free(sealed);
}

static void test_round_trip(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(seal_init(f->key), 0);

    round_trip("", 0);
    round_trip(NULL, 0);
    round_trip("JBSWY3DPEHPK3PXP", 16);
    static const unsigned char bin[] = {0, 1, 0, 0xff, 0x80, 0, '\n', 0, 0x7f, 0};
    round_trip(bin, sizeof bin);
    for (size_t n = 1; n <= 5; n++) /* every base64 padding case */
        round_trip("abcde", n);
    const size_t max = (size_t)64 * 1024;
    unsigned char *big = malloc(max + 1);
    assert_non_null(big);
    randombytes_buf(big, max + 1);
    round_trip(big, max);
    char *sealed = (char *)1;
    assert_int_equal(seal_encrypt(big, max + 1, &sealed), SB_ETOOBIG);
    assert_null(sealed);
    free(big);

    /* A fresh nonce each time: the same plaintext seals differently. */
    char *a = NULL, *b = NULL;
    assert_int_equal(seal_encrypt("same", 4, &a), 0);
    assert_int_equal(seal_encrypt("same", 4, &b), 0);
    assert_string_not_equal(a, b);
    free(a);
    free(b);
}

static void test_tamper_every_byte(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(seal_init(f->key), 0);
    static const unsigned char secret[] = "GEZDGNBVGY3TQOJQ\0tail";
    for (size_t plen = 0; plen <= 2; plen++) { /* "==", "=" and no padding */
        size_t len = sizeof secret - plen;
        char *sealed = NULL;
        assert_int_equal(seal_encrypt(secret, len, &sealed), 0);
        size_t n = strlen(sealed);
        char *t = malloc(n + 1);
        assert_non_null(t);
        int tried = 0;
        for (size_t i = 0; i < n; i++) {
            /* Three replacements per position, including neighbours in the alphabet (which
             * change only low bits) and a padding character. */
            const char repl[3] = {(char)(sealed[i] ^ 1), sealed[i] == 'A' ? 'B' : 'A', '='};
            for (int r = 0; r < 3; r++) {
                if (repl[r] == sealed[i])
                    continue;
                memcpy(t, sealed, n + 1);
                t[i] = repl[r];
                void *out = (void *)1;
                size_t out_len = 99;
                assert_int_equal(seal_decrypt(t, &out, &out_len), SB_EINVAL);
                assert_null(out);
                assert_int_equal(out_len, 0);
                tried++;
            }
        }
        assert_true(tried >= (int)(2 * n));
        /* Truncated or extended texts. */
        for (size_t cut = 0; cut < n; cut++) {
            memcpy(t, sealed, cut);
            t[cut] = 0;
            void *out = NULL;
            size_t out_len;
            assert_int_equal(seal_decrypt(t, &out, &out_len), SB_EINVAL);
        }
        free(t);
        t = malloc(n + 6);
        assert_non_null(t);
        snprintf(t, n + 6, "%sAAAA", sealed);
        void *out = NULL;
        size_t out_len;
        assert_int_equal(seal_decrypt(t, &out, &out_len), SB_EINVAL);
        free(t);
        /* The untouched text still opens. */
        assert_int_equal(seal_decrypt(sealed, &out, &out_len), 0);
        assert_int_equal(out_len, len);
        assert_memory_equal(out, secret, len);
        free(out);
        free(sealed);
    }
}

static void test_other_key_cannot_open(void **state)
{
    struct fixture *f = *state;
    char other[700];
    path_in(f, "other.key", other, sizeof other);
    assert_int_equal(seal_init(f->key), 0);
    char *sealed = NULL;
    assert_int_equal(seal_encrypt("provider-token", 14, &sealed), 0);
    seal_cleanup();

    /* Before any init (or after cleanup), nothing works. */
    void *out = NULL;
    size_t out_len;
    char *s2 = NULL;
    assert_int_equal(seal_decrypt(sealed, &out, &out_len), SB_EINTERNAL);
    assert_int_equal(seal_encrypt("x", 1, &s2), SB_EINTERNAL);
    assert_null(s2);

    assert_int_equal(seal_init(other), 0);
    assert_int_equal(seal_decrypt(sealed, &out, &out_len), SB_EINVAL);
    assert_null(out);

    /* Re-initialising with the first key (no cleanup in between) opens it again. */
    assert_int_equal(seal_init(f->key), 0);
    assert_int_equal(seal_decrypt(sealed, &out, &out_len), 0);
    assert_int_equal(out_len, 14);
    assert_memory_equal(out, "provider-token", 14);
    free(out);
    free(sealed);
}

static void test_key_file_created_and_reused(void **state)
{
    struct fixture *f = *state;
    struct stat st;
    assert_int_equal(stat(f->key, &st), -1);
    assert_int_equal(seal_init(f->key), 0);
    assert_int_equal(stat(f->key, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(st.st_size, 32);

    unsigned char k1[32], k2[32];
    FILE *fp = fopen(f->key, "rb");
    assert_non_null(fp);
    assert_int_equal(fread(k1, 1, 32, fp), 32);
    fclose(fp);

    char *sealed = NULL;
    assert_int_equal(seal_encrypt("\x00seed\x01", 6, &sealed), 0);
    seal_cleanup();
    seal_cleanup(); /* idempotent */

    /* Second start: same file, same key, the old text opens. */
    assert_int_equal(seal_init(f->key), 0);
    fp = fopen(f->key, "rb");
    assert_non_null(fp);
    assert_int_equal(fread(k2, 1, 32, fp), 32);
    fclose(fp);
    assert_memory_equal(k1, k2, 32);
    void *out = NULL;
    size_t out_len = 0;
    assert_int_equal(seal_decrypt(sealed, &out, &out_len), 0);
    assert_int_equal(out_len, 6);
    assert_memory_equal(out, "\x00seed\x01", 6);
    free(out);
    free(sealed);
}

static void write_file(const char *path, const void *data, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    assert_int_equal(fchmod(fd, mode), 0);
    close(fd);
}

static void test_key_file_refused(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(seal_init(f->key), 0);
    char *sealed = NULL;
    assert_int_equal(seal_encrypt("kept", 4, &sealed), 0);

    /* Group- or other-accessible: refused, and the loaded key stays usable. */
    static const mode_t loose[] = {0644, 0640, 0604, 0620, 0602, 0610, 0601};
    for (size_t i = 0; i < sizeof loose / sizeof loose[0]; i++) {
        assert_int_equal(chmod(f->key, loose[i]), 0);
        assert_int_equal(seal_init(f->key), SB_EINVAL);
    }
    void *out = NULL;
    size_t out_len;
    assert_int_equal(seal_decrypt(sealed, &out, &out_len), 0);
    free(out);
    free(sealed);
    assert_int_equal(chmod(f->key, 0400), 0);
    assert_int_equal(seal_init(f->key), 0); /* owner-only read is fine */

    /* Wrong sizes: refused, never truncated or padded. */
    char p[700];
    unsigned char bytes[33] = {0};
    path_in(f, "short.key", p, sizeof p);
    write_file(p, bytes, 31, 0600);
    assert_int_equal(seal_init(p), SB_EINVAL);
    write_file(p, bytes, 0, 0600);
    assert_int_equal(seal_init(p), SB_EINVAL);
    path_in(f, "long.key", p, sizeof p);
    write_file(p, bytes, 33, 0600);
    assert_int_equal(seal_init(p), SB_EINVAL);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_size, 33); /* untouched */

    /* Not a regular file. */
    assert_int_equal(seal_init(f->dir), SB_EINVAL);

    /* The parent directory must exist; nothing is created on the way. */
    char missing[700];
    snprintf(missing, sizeof missing, "%s/nope/seal.key", f->dir);
    assert_int_equal(seal_init(missing), SB_EIO);
    path_in(f, "nope", p, sizeof p);
    assert_int_equal(stat(p, &st), -1);

    assert_int_equal(seal_init(""), SB_EINVAL);
    assert_int_equal(seal_init(NULL), SB_EINVAL);
}

static void test_malformed(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(seal_init(f->key), 0);
    char *good = NULL;
    assert_int_equal(seal_encrypt("x", 1, &good), 0);
    char v2[200];
    snprintf(v2, sizeof v2, "v2:%s", good + 3);
    char v1up[200];
    snprintf(v1up, sizeof v1up, "V1:%s", good + 3);
    char urlsafe[200]; /* the URL-safe alphabet is not accepted */
    snprintf(urlsafe, sizeof urlsafe, "%s", good);
    for (char *c = urlsafe + 3; *c; c++) {
        if (*c == '+')
            *c = '-';
        else if (*c == '/')
            *c = '_';
    }
    char spaced[200];
    snprintf(spaced, sizeof spaced, "v1: %s", good + 3);
    char nopad[200];
    snprintf(nopad, sizeof nopad, "%s", good);
    nopad[strcspn(nopad, "=")] = 0;

    /* 39 bytes (one short of nonce + MAC) in valid base64. */
    unsigned char raw[39] = {0};
    char b64[80], short_box[90];
    sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
    snprintf(short_box, sizeof short_box, "v1:%s", b64);

    const char *bad[] = {"",      "v1",      "v1:",     "v1:=",    "v1:AAAA", "v1:!!!!",
                         "v1:@@", short_box, v2,        v1up,      spaced,    nopad,
                         "v2:",   "x",       "v1:A===", "v1:AA=A", "v1:AAAAA"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        void *out = (void *)1;
        size_t out_len = 7;
        assert_int_equal(seal_decrypt(bad[i], &out, &out_len), SB_EINVAL);
        assert_null(out);
        assert_int_equal(out_len, 0);
    }
    if (strcmp(urlsafe, good) != 0) { /* only differs when the text has '+' or '/' */
        void *out = NULL;
        size_t out_len;
        assert_int_equal(seal_decrypt(urlsafe, &out, &out_len), SB_EINVAL);
    }
    void *out = NULL;
    size_t out_len;
    assert_int_equal(seal_decrypt(NULL, &out, &out_len), SB_EINVAL);

    /* Longer than anything seal_encrypt() can produce: refused before decoding. */
    size_t huge = (size_t)200 * 1024;
    char *h = malloc(huge + 1);
    assert_non_null(h);
    memcpy(h, "v1:", 3);
    memset(h + 3, 'A', huge - 3);
    h[huge] = 0;
    assert_int_equal(seal_decrypt(h, &out, &out_len), SB_EINVAL);
    free(h);

    assert_int_equal(seal_decrypt(good, &out, &out_len), 0);
    free(out);
    free(good);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_every_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_key_cannot_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_file_created_and_reused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_file_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
