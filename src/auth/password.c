#include "auth/password.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/err.h"

/* The embedded list (cmake/embed.cmake): the file's bytes plus a trailing NUL, len excludes it. */
extern const unsigned char sb_common_passwords[];
extern const size_t sb_common_passwords_len;

_Static_assert(PASSWORD_HASH_MAX == crypto_pwhash_argon2id_STRBYTES,
               "PASSWORD_HASH_MAX must match libsodium's PHC string buffer");
_Static_assert(PASSWORD_MAX_BYTES <= crypto_pwhash_argon2id_PASSWD_MAX, "libsodium limit");

#define PASSWORD_MIN_CHARS 8
#define PW_STR_(x)         #x
#define PW_STR(x)          PW_STR_(x)

/* The seed's special characters; nothing else counts (not even '*' or '?'). */
static const char pw_specials[] = "~!@#$%^&-_=+[{]}";

/* OWASP's argon2id minimum: t=2, 19 MiB, p=1 (libsodium fixes p at 1). */
static unsigned long long pw_opslimit = 2;
static size_t pw_memlimit = 19u * 1024u * 1024u;

void password_set_cost(unsigned long long opslimit, size_t memlimit)
{
    /* Clamped rather than refused: a cost libsodium rejects would make every hash fail. */
    if (opslimit < crypto_pwhash_argon2id_OPSLIMIT_MIN)
        opslimit = crypto_pwhash_argon2id_OPSLIMIT_MIN;
    if (opslimit > crypto_pwhash_argon2id_OPSLIMIT_MAX)
        opslimit = crypto_pwhash_argon2id_OPSLIMIT_MAX;
    if (memlimit < crypto_pwhash_argon2id_MEMLIMIT_MIN)
        memlimit = crypto_pwhash_argon2id_MEMLIMIT_MIN;
    if (memlimit > crypto_pwhash_argon2id_MEMLIMIT_MAX)
        memlimit = crypto_pwhash_argon2id_MEMLIMIT_MAX;
    pw_opslimit = opslimit;
    pw_memlimit = memlimit;
}

/* Length of `pw` when it is at most PASSWORD_MAX_BYTES, else PASSWORD_MAX_BYTES + 1; never
 * reads past that bound. */
static size_t pw_len(const char *pw)
{
    return strnlen(pw, PASSWORD_MAX_BYTES + 1);
}

int password_hash(const char *pw, char out[PASSWORD_HASH_MAX])
{
    out[0] = 0;
    if (!pw)
        return SB_EINVAL;
    size_t n = pw_len(pw);
    if (n > PASSWORD_MAX_BYTES)
        return SB_EINVAL;
    if (crypto_pwhash_str_alg(out, pw, n, pw_opslimit, pw_memlimit, crypto_pwhash_ALG_ARGON2ID13) !=
        0) {
        out[0] = 0;
        return SB_ENOMEM; /* the only way it fails with valid parameters */
    }
    return 0;
}

/* Returns 1 when `hash` is a well-formed argon2id PHC string of the current cost, 0 when it
 * is well formed with other parameters, -1 when it is malformed, not argon2id, or unbounded. */
static int pw_hash_state(const char *hash)
{
    if (!hash || strnlen(hash, PASSWORD_HASH_MAX) >= PASSWORD_HASH_MAX)
        return -1;
    static const char prefix[] = crypto_pwhash_argon2id_STRPREFIX;
    if (strncmp(hash, prefix, sizeof prefix - 1) != 0)
        return -1;
    /* libsodium's own PHC decoder: -1 malformed, 1 other parameters, 0 current ones. The
     * argon2id-specific call, because the generic one would also accept argon2i strings. */
    int r = crypto_pwhash_argon2id_str_needs_rehash(hash, pw_opslimit, pw_memlimit);
    if (r < 0)
        return -1;
    return r == 0 ? 1 : 0;
}

int password_verify(const char *hash, const char *pw)
{
    if (!pw || pw_len(pw) > PASSWORD_MAX_BYTES)
        return SB_EINVAL;
    /* crypto_pwhash_str_verify() answers -1 for both "wrong password" and "garbage", so the
     * string is decoded first to tell a corrupt record from a failed login. */
    if (pw_hash_state(hash) < 0)
        return SB_EINVAL;
    if (crypto_pwhash_str_verify(hash, pw, strlen(pw)) != 0)
        return SB_EAUTH;
    return 0;
}

bool password_needs_rehash(const char *hash)
{
    return pw_hash_state(hash) != 1;
}

/* Decodes one UTF-8 sequence from s (n > 0 bytes available) into *cp. Returns its length, or 0
 * when it is invalid: bad lead or continuation byte, truncated, overlong, surrogate, or above
 * U+10FFFF. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t v, min;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        v = c & 0x1fu;
        min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        len = 3;
        v = c & 0x0fu;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        v = c & 0x07u;
        min = 0x10000;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3fu);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return len;
}

/* C0, DEL and C1: characters nobody can type into a password field on purpose. */
static bool pw_is_control(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

unsigned password_policy_check(const char *pw, bool suite_enabled)
{
    if (!pw)
        return PW_RULE_ENCODING;
    size_t n = pw_len(pw);
    /* Too long or undecodable: the other rules would be judged on bytes the user did not mean
     * (and scanning stays bounded), so these two are reported alone. */
    if (n > PASSWORD_MAX_BYTES)
        return PW_RULE_MAX_LENGTH;

    const unsigned char *s = (const unsigned char *)pw;
    size_t chars = 0;
    bool lower = false, upper = false, digit = false, special = false;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = utf8_decode(s + i, n - i, &cp);
        if (!k || pw_is_control(cp))
            return PW_RULE_ENCODING;
        i += k;
        chars++;
        if (cp >= 'a' && cp <= 'z')
            lower = true;
        else if (cp >= 'A' && cp <= 'Z')
            upper = true;
        else if (cp >= '0' && cp <= '9')
            digit = true;
        else if (cp < 0x80 && memchr(pw_specials, (int)cp, sizeof pw_specials - 1))
            special = true;
    }

    unsigned broken = 0;
    if (chars < PASSWORD_MIN_CHARS)
        broken |= PW_RULE_MIN_LENGTH;
    if (suite_enabled) {
        if (!lower)
            broken |= PW_RULE_LOWER;
        if (!upper)
            broken |= PW_RULE_UPPER;
        if (!digit)
            broken |= PW_RULE_DIGIT;
        if (!special)
            broken |= PW_RULE_SPECIAL;
    }
    if (password_is_common(pw))
        broken |= PW_RULE_COMMON;
    return broken;
}

/* One message per rule, in bit order (the order errors are listed in). */
static const struct {
    unsigned rule;
    const char *message;
} pw_messages[] = {
    {PW_RULE_MIN_LENGTH, "must be at least " PW_STR(PASSWORD_MIN_CHARS) " characters long"},
    {PW_RULE_LOWER, "must contain a lowercase letter"},
    {PW_RULE_UPPER, "must contain an uppercase letter"},
    {PW_RULE_DIGIT, "must contain a digit"},
    {PW_RULE_SPECIAL, "must contain one of ~!@#$%^&-_=+[{]}"},
    {PW_RULE_COMMON, "is one of the most common passwords"},
    {PW_RULE_MAX_LENGTH, "must be at most " PW_STR(PASSWORD_MAX_BYTES) " bytes"},
    {PW_RULE_ENCODING, "must be valid UTF-8 without control characters"},
};

int password_policy_errors(unsigned broken, const char *field, json_t *errors)
{
    if (!field || !json_is_array(errors))
        return SB_EINVAL;
    /* Built aside and appended at once, so on SB_ENOMEM `errors` is unchanged. */
    int rc = SB_ENOMEM;
    json_t *add = json_array();
    if (!add)
        goto fail;
    for (size_t i = 0; i < sizeof pw_messages / sizeof pw_messages[0]; i++) {
        if (!(broken & pw_messages[i].rule))
            continue;
        json_t *e = json_pack("{s:s, s:s}", "field", field, "message", pw_messages[i].message);
        if (!e || json_array_append_new(add, e) != 0)
            goto fail;
    }
    if (json_array_extend(errors, add) != 0)
        goto fail;
    rc = 0;
fail:
    json_decref(add);
    return rc;
}

/* The parsed list: (offset, length) of each entry in sb_common_passwords, sorted with
 * pw_entry_cmp. Static storage, so parsing cannot fail; the cap leaves room for the list to
 * grow well past the 3,000 that ASVS 6.2.4 asks for (the unit test checks every entry is
 * found, so an overflow would not go unnoticed). */
#define PW_COMMON_CAP 16384

struct pw_entry {
    uint32_t off;
    uint32_t len;
};

static struct pw_entry pw_common[PW_COMMON_CAP];
static size_t pw_common_n;
static size_t pw_common_longest;
static pthread_once_t pw_common_once = PTHREAD_ONCE_INIT;

/* ASCII-only folding: locale-independent, and the list is ASCII. */
static unsigned char pw_fold(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* Case-insensitive (ASCII) byte order of two counted strings. */
static int pw_fold_cmp(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    for (size_t i = 0; i < n; i++) {
        unsigned char x = pw_fold(a[i]), y = pw_fold(b[i]);
        if (x != y)
            return x < y ? -1 : 1;
    }
    return alen < blen ? -1 : alen > blen ? 1 : 0;
}

static int pw_entry_cmp(const void *pa, const void *pb)
{
    const struct pw_entry *a = pa, *b = pb;
    return pw_fold_cmp(sb_common_passwords + a->off, a->len, sb_common_passwords + b->off, b->len);
}

/* The bsearch key: the candidate as a counted string. */
struct pw_key {
    const unsigned char *s;
    size_t len;
};

static int pw_key_cmp(const void *pk, const void *pe)
{
    const struct pw_key *k = pk;
    const struct pw_entry *e = pe;
    return pw_fold_cmp(k->s, k->len, sb_common_passwords + e->off, e->len);
}

/* Splits the embedded text into lines (LF; the unit test refuses any other byte below '!'),
 * skipping empty ones, and sorts them. */
static void pw_common_load(void)
{
    const unsigned char *t = sb_common_passwords;
    size_t len = sb_common_passwords_len;
    size_t i = 0;
    while (i < len && pw_common_n < PW_COMMON_CAP) {
        size_t start = i;
        while (i < len && t[i] != '\n')
            i++;
        size_t end = i;
        if (end > start && end - start <= UINT32_MAX && start <= UINT32_MAX) {
            pw_common[pw_common_n].off = (uint32_t)start;
            pw_common[pw_common_n].len = (uint32_t)(end - start);
            pw_common_n++;
            if (end - start > pw_common_longest)
                pw_common_longest = end - start;
        }
        i++; /* past the '\n' */
    }
    qsort(pw_common, pw_common_n, sizeof pw_common[0], pw_entry_cmp);
}

bool password_is_common(const char *pw)
{
    if (!pw)
        return false;
    pthread_once(&pw_common_once, pw_common_load);
    /* Bounded: nothing longer than the longest entry can match. */
    size_t n = strnlen(pw, pw_common_longest + 1);
    if (n > pw_common_longest)
        return false;
    struct pw_key key = {(const unsigned char *)pw, n};
    return bsearch(&key, pw_common, pw_common_n, sizeof pw_common[0], pw_key_cmp) != NULL;
}
