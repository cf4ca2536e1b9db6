#include "auth/totp.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <liboath/oath.h>
#include <qrencode.h>
#include <sodium.h>

#include "core/err.h"

#define TOTP_DIGITS 6
#define TOTP_STEP   30u
#define TOTP_WINDOW 1u /* RFC 6238 §5.2: at most one step of network delay each way */
/* Longest issuer or account accepted by totp_uri(), in bytes before percent-encoding. */
#define TOTP_LABEL_MAX 255
/* Longest text totp_qr_svg() renders; version 40-M holds 2331 bytes in 8-bit mode. */
#define TOTP_QR_TEXT_MAX 2048
#define TOTP_QR_QUIET    4 /* ISO/IEC 18004 quiet zone, in modules */

_Static_assert(TOTP_BASE32_LEN == (TOTP_SECRET_BYTES * 8 + 4) / 5, "base32 length");
_Static_assert(TOTP_SECRET_BYTES % 5 == 0, "base32 of the secret needs no padding");
_Static_assert(sizeof(time_t) >= 8, "TOTP needs a 64-bit time_t (year 2038)");

static const char totp_b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
static const char totp_recovery_alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

static pthread_once_t totp_once = PTHREAD_ONCE_INIT;
static int totp_oath_rc = OATH_OK;

static void totp_oath_init(void)
{
    totp_oath_rc = oath_init();
}

/* Returns 0 once liboath is initialised, SB_EINTERNAL if it never could be. */
static int totp_ready(void)
{
    if (pthread_once(&totp_once, totp_oath_init) != 0)
        return SB_EINTERNAL;
    return totp_oath_rc == OATH_OK ? 0 : SB_EINTERNAL;
}

void totp_new_secret(unsigned char secret[TOTP_SECRET_BYTES])
{
    randombytes_buf(secret, TOTP_SECRET_BYTES);
}

void totp_secret_base32(const unsigned char secret[TOTP_SECRET_BYTES],
                        char out[TOTP_BASE32_LEN + 1])
{
    /* Our own encoder rather than oath_base32_encode(): that one allocates and pads, and this
     * function cannot fail. 20 bytes are four whole 40-bit groups, so there is no tail. */
    size_t o = 0;
    for (size_t i = 0; i < TOTP_SECRET_BYTES; i += 5) {
        uint64_t g = 0;
        for (size_t k = 0; k < 5; k++)
            g = (g << 8) | secret[i + k];
        for (int shift = 35; shift >= 0; shift -= 5)
            out[o++] = totp_b32_alphabet[(g >> shift) & 31u];
    }
    out[o] = 0;
}

/* Appends the RFC 3986 percent-encoding of `s` (unreserved characters kept, everything else
 * as %XX) at *pos in `dst` (capacity `cap`). Returns 0, or SB_ETOOBIG when it does not fit. */
static int totp_pct_append(char *dst, size_t cap, size_t *pos, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        int keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                   c == '-' || c == '.' || c == '_' || c == '~';
        size_t need = keep ? 1 : 3;
        if (cap - *pos <= need)
            return SB_ETOOBIG;
        if (keep) {
            dst[(*pos)++] = (char)c;
        } else {
            dst[(*pos)++] = '%';
            dst[(*pos)++] = hex[c >> 4];
            dst[(*pos)++] = hex[c & 15u];
        }
    }
    dst[*pos] = 0;
    return 0;
}

/* Appends the NUL-terminated literal `s` at *pos; 0 or SB_ETOOBIG. */
static int totp_lit_append(char *dst, size_t cap, size_t *pos, const char *s)
{
    size_t n = strlen(s);
    if (cap - *pos <= n)
        return SB_ETOOBIG;
    memcpy(dst + *pos, s, n + 1);
    *pos += n;
    return 0;
}

/* Issuer and account must be non-empty and at most TOTP_LABEL_MAX bytes; otherwise NULL. */
char *totp_uri(const unsigned char secret[TOTP_SECRET_BYTES], const char *issuer,
               const char *account)
{
    char *uri = NULL;
    char b32[TOTP_BASE32_LEN + 1];
    if (!secret || !issuer || !account)
        return NULL;
    size_t il = strnlen(issuer, TOTP_LABEL_MAX + 1);
    size_t al = strnlen(account, TOTP_LABEL_MAX + 1);
    if (il == 0 || il > TOTP_LABEL_MAX || al == 0 || al > TOTP_LABEL_MAX)
        return NULL;

    /* Every input byte can triple; the rest is fixed text plus the secret. */
    size_t cap = 3 * (2 * il + al) + TOTP_BASE32_LEN + 128;
    uri = malloc(cap);
    if (!uri)
        goto fail;
    totp_secret_base32(secret, b32);
    size_t pos = 0;
    /* Key Uri Format: label "issuer:account" (the colon literal), issuer repeated as a
     * parameter for apps that ignore the label prefix. */
    if (totp_lit_append(uri, cap, &pos, "otpauth://totp/") ||
        totp_pct_append(uri, cap, &pos, issuer) || totp_lit_append(uri, cap, &pos, ":") ||
        totp_pct_append(uri, cap, &pos, account) || totp_lit_append(uri, cap, &pos, "?secret=") ||
        totp_lit_append(uri, cap, &pos, b32) || totp_lit_append(uri, cap, &pos, "&issuer=") ||
        totp_pct_append(uri, cap, &pos, issuer) ||
        totp_lit_append(uri, cap, &pos, "&algorithm=SHA1&digits=6&period=30"))
        goto fail;
    sodium_memzero(b32, sizeof b32);
    return uri;

fail:
    sodium_memzero(b32, sizeof b32);
    if (uri)
        sodium_memzero(uri, cap);
    free(uri);
    return NULL;
}

/* Text longer than TOTP_QR_TEXT_MAX, or too long for any QR version, gives NULL. The SVG is
 * one <path> of horizontal runs of dark modules on a white background; coordinates are
 * modules (viewBox), so the caller sizes it with CSS. */
char *totp_qr_svg(const char *text)
{
    QRcode *qr = NULL;
    char *svg = NULL;
    if (!text || strnlen(text, TOTP_QR_TEXT_MAX + 1) > TOTP_QR_TEXT_MAX)
        return NULL;
    qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr || qr->width <= 0 || qr->width > 177)
        goto fail;

    int w = qr->width;
    int full = w + 2 * TOTP_QR_QUIET;
    /* A run is at most "M181 181h177v1h-177z" (20 bytes); a row has at most (w + 1) / 2. */
    size_t cap = (size_t)w * (size_t)((w + 1) / 2) * 20 + 512;
    svg = malloc(cap);
    if (!svg)
        goto fail;
    int n = snprintf(svg, cap,
                     "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                     "shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\" "
                     "fill=\"#fff\"/><path fill=\"#000\" d=\"",
                     full, full, full, full);
    if (n < 0 || (size_t)n >= cap)
        goto fail;
    size_t pos = (size_t)n;
    for (int y = 0; y < w; y++) {
        const unsigned char *row = qr->data + (size_t)y * (size_t)w;
        for (int x = 0; x < w;) {
            if (!(row[x] & 1)) {
                x++;
                continue;
            }
            int start = x;
            while (x < w && (row[x] & 1))
                x++;
            int len = x - start;
            n = snprintf(svg + pos, cap - pos, "M%d %dh%dv1h-%dz", start + TOTP_QR_QUIET,
                         y + TOTP_QR_QUIET, len, len);
            if (n < 0 || (size_t)n >= cap - pos)
                goto fail;
            pos += (size_t)n;
        }
    }
    n = snprintf(svg + pos, cap - pos, "\"/></svg>");
    if (n < 0 || (size_t)n >= cap - pos)
        goto fail;
    QRcode_free(qr);
    return svg;

fail:
    free(svg);
    if (qr)
        QRcode_free(qr);
    return NULL;
}

/* liboath's comparison callback: 0 when equal, in constant time (the default is strcmp). */
static int totp_ct_cmp(void *handle, const char *test_otp)
{
    const char *code = handle;
    return sodium_memcmp(code, test_otp, TOTP_DIGITS) == 0 ? 0 : 1;
}

/* Steps are counted from T0 = 0, so `now_s` must not be negative. A code matching more than
 * one step of the window (a 6-digit collision, ~3e-6) is judged by the step liboath finds
 * first; when that one is replayed the code is refused, which errs on the safe side. */
int totp_verify(const unsigned char secret[TOTP_SECRET_BYTES], const char *code, int64_t now_s,
                int64_t last_step, int64_t *step_out)
{
    if (!secret || !code || now_s < 0)
        return SB_EINVAL;
    if (strnlen(code, TOTP_DIGITS + 1) != TOTP_DIGITS)
        return SB_EINVAL;
    for (int i = 0; i < TOTP_DIGITS; i++)
        if (code[i] < '0' || code[i] > '9')
            return SB_EINVAL;
    int rc = totp_ready();
    if (rc)
        return rc;

    int pos = 0;
    uint64_t counter = 0;
    int r = oath_totp_validate3_callback((const char *)secret, TOTP_SECRET_BYTES, (time_t)now_s,
                                         TOTP_STEP, 0, TOTP_DIGITS, TOTP_WINDOW, &pos, &counter,
                                         totp_ct_cmp, (void *)code);
    if (r < 0) /* OATH_INVALID_OTP, or a crypto failure: either way not accepted */
        return SB_EAUTH;
    if (counter > (uint64_t)INT64_MAX)
        return SB_EAUTH;
    int64_t step = (int64_t)counter;
    if (step <= last_step)
        return SB_EAUTH; /* RFC 6238 §5.2: an accepted OTP must not be accepted again */
    if (step_out)
        *step_out = step;
    return 0;
}

/* Returns 0, SB_EINVAL for a negative time, SB_EINTERNAL if liboath fails. */
int totp_generate(const unsigned char secret[TOTP_SECRET_BYTES], int64_t now_s, char out[7])
{
    out[0] = 0;
    if (!secret || now_s < 0)
        return SB_EINVAL;
    int rc = totp_ready();
    if (rc)
        return rc;
    if (oath_totp_generate((const char *)secret, TOTP_SECRET_BYTES, (time_t)now_s, TOTP_STEP, 0,
                           TOTP_DIGITS, out) != OATH_OK) {
        out[0] = 0;
        return SB_EINTERNAL;
    }
    return 0;
}

/* One random byte per character; 256 is a multiple of 32, so `b & 31` is uniform without
 * rejection. 10 characters give 50 bits. Codes within one set are distinct. */
void totp_recovery_codes(char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_LEN + 1])
{
    _Static_assert(sizeof totp_recovery_alphabet - 1 == 32, "a 32-character alphabet");
    unsigned char rnd[10];
    for (int i = 0; i < TOTP_RECOVERY_CODES; i++) {
        for (;;) {
            randombytes_buf(rnd, sizeof rnd);
            char *c = codes[i];
            for (int k = 0; k < 5; k++)
                c[k] = totp_recovery_alphabet[rnd[k] & 31u];
            c[5] = '-';
            for (int k = 0; k < 5; k++)
                c[6 + k] = totp_recovery_alphabet[rnd[5 + k] & 31u];
            c[TOTP_RECOVERY_LEN] = 0;
            int dup = 0;
            for (int j = 0; j < i; j++)
                if (strcmp(codes[j], c) == 0)
                    dup = 1;
            if (!dup) /* a repeat has probability ~2^-50: the loop all but never turns */
                break;
        }
    }
    sodium_memzero(rnd, sizeof rnd);
}
