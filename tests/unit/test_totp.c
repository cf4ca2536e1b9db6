#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <qrencode.h>
#include <sodium.h>

#include "auth/totp.h"
#include "core/err.h"

/* RFC 6238 Appendix B, SHA-1 seed. */
static const unsigned char rfc_secret[TOTP_SECRET_BYTES] = "12345678901234567890";

static void test_rfc6238_vectors(void **state)
{
    static const struct {
        int64_t t;
        const char *code8;
    } v[] = {
        {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
        {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char code[7];
        const char *want = v[i].code8 + 2; /* 6 digits = the last 6 of the RFC's 8 */
        assert_int_equal(totp_generate(rfc_secret, v[i].t, code), 0);
        assert_string_equal(code, want);
        int64_t step = -7;
        assert_int_equal(totp_verify(rfc_secret, want, v[i].t, -1, &step), 0);
        assert_true(step == v[i].t / 30);
    }
}

static void test_base32(void **state)
{
    char b32[TOTP_BASE32_LEN + 1];
    totp_secret_base32(rfc_secret, b32);
    assert_string_equal(b32, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    unsigned char ff[TOTP_SECRET_BYTES], zero[TOTP_SECRET_BYTES] = {0};
    memset(ff, 0xff, sizeof ff);
    totp_secret_base32(ff, b32);
    assert_string_equal(b32, "77777777777777777777777777777777");
    totp_secret_base32(zero, b32);
    assert_string_equal(b32, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    /* RFC 4648 §10 vector "foobar" inside the first bytes: "fooba" -> "MZXW6YTB". */
    unsigned char s[TOTP_SECRET_BYTES] = "foobafoobafoobafooba";
    totp_secret_base32(s, b32);
    assert_string_equal(b32, "MZXW6YTBMZXW6YTBMZXW6YTBMZXW6YTB");
}

/* Runs the real oathtool for `secret` at Unix time `t`; the 6-digit code into out. */
static void oathtool_code(const unsigned char secret[TOTP_SECRET_BYTES], int64_t t, char out[7])
{
    char b32[TOTP_BASE32_LEN + 1], cmd[256], line[64] = {0};
    totp_secret_base32(secret, b32);
    snprintf(cmd, sizeof cmd, "oathtool --totp -b %s -N @%lld 2>&1", b32, (long long)t);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char *got = fgets(line, sizeof line, p);
    int status = pclose(p);
    if (!got || status != 0)
        fail_msg("oathtool failed (status %d): %s (install the oathtool package)", status, line);
    line[strcspn(line, "\r\n")] = 0;
    assert_int_equal(strlen(line), 6);
    memcpy(out, line, 7);
}

static void test_matches_oathtool(void **state)
{
    static const int64_t times[] = {0,          29,         30,         1111111109,
                                    1700000000, 1700000029, 1700000030, 4102444800 /* 2100 */};
    unsigned char secrets[4][TOTP_SECRET_BYTES];
    memcpy(secrets[0], rfc_secret, TOTP_SECRET_BYTES);
    for (int s = 1; s < 4; s++)
        totp_new_secret(secrets[s]);
    int compared = 0;
    for (int s = 0; s < 4; s++) {
        for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
            char ours[7], theirs[7];
            assert_int_equal(totp_generate(secrets[s], times[i], ours), 0);
            oathtool_code(secrets[s], times[i], theirs);
            assert_string_equal(ours, theirs);
            compared++;
        }
    }
    assert_int_equal(compared, 32);

    /* --now with a UTC date string: 2009-02-13 23:31:30 UTC is 1234567890. */
    FILE *p = popen("oathtool --totp -b GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ "
                    "--now '2009-02-13 23:31:30 UTC' 2>&1",
                    "r");
    assert_non_null(p);
    char line[64] = {0};
    assert_non_null(fgets(line, sizeof line, p));
    assert_int_equal(pclose(p), 0);
    assert_string_equal(line, "005924\n");
}

static void test_window_plus_minus_one(void **state)
{
    unsigned char secret[TOTP_SECRET_BYTES];
    totp_new_secret(secret);
    const int64_t step = 56666666;
    const int64_t now = step * 30 + 15;
    for (int d = -3; d <= 3; d++) {
        char code[7];
        assert_int_equal(totp_generate(secret, now + (int64_t)d * 30, code), 0);
        /* Skip the (rare) random secret whose code for step+d equals one in the window. */
        int collides = 0;
        for (int w = -1; w <= 1 && (d < -1 || d > 1); w++) {
            char other[7];
            assert_int_equal(totp_generate(secret, now + (int64_t)w * 30, other), 0);
            collides |= strcmp(other, code) == 0;
        }
        if (collides)
            continue;
        int64_t got = -1;
        int r = totp_verify(secret, code, now, -1, &got);
        if (d >= -1 && d <= 1) {
            assert_int_equal(r, 0);
            assert_true(got == step + d);
        } else {
            assert_int_equal(r, SB_EAUTH);
            assert_true(got == -1); /* untouched on failure */
        }
    }
    /* The step boundaries: the first and last second of the current step. */
    char code[7];
    int64_t got;
    assert_int_equal(totp_generate(rfc_secret, step * 30, code), 0);
    assert_int_equal(totp_verify(rfc_secret, code, step * 30 + 29, -1, &got), 0);
    assert_true(got == step);
    assert_int_equal(totp_verify(rfc_secret, code, step * 30 + 59, -1, &got), 0);
    assert_true(got == step);
    assert_int_equal(totp_verify(rfc_secret, code, step * 30 + 60, -1, &got), SB_EAUTH);
    assert_int_equal(totp_verify(rfc_secret, code, step * 30 - 30, -1, &got), 0);
    assert_int_equal(totp_verify(rfc_secret, code, step * 30 - 31, -1, &got), SB_EAUTH);
}

static void test_wrong_code(void **state)
{
    char code[7];
    assert_int_equal(totp_generate(rfc_secret, 1111111109, code), 0);
    code[5] = (char)(code[5] == '9' ? '0' : code[5] + 1);
    assert_int_equal(totp_verify(rfc_secret, code, 1111111109, -1, NULL), SB_EAUTH);
    assert_int_equal(totp_verify(rfc_secret, "000000", 1111111109, -1, NULL), SB_EAUTH);
    /* Another secret does not accept the code. */
    unsigned char other[TOTP_SECRET_BYTES];
    memcpy(other, rfc_secret, sizeof other);
    other[0] ^= 1;
    assert_int_equal(totp_verify(other, "081804", 1111111109, -1, NULL), SB_EAUTH);
    assert_int_equal(totp_verify(rfc_secret, "081804", 1111111109, -1, NULL), 0);
}

static void test_replay(void **state)
{
    unsigned char secret[TOTP_SECRET_BYTES];
    totp_new_secret(secret);
    const int64_t s = 57000000;
    const int64_t now = s * 30 + 10;
    char cur[7], prev[7], next[7];
    assert_int_equal(totp_generate(secret, now, cur), 0);
    assert_int_equal(totp_generate(secret, now - 30, prev), 0);
    assert_int_equal(totp_generate(secret, now + 30, next), 0);

    int64_t last = -1, got = 0;
    assert_int_equal(totp_verify(secret, cur, now, last, &got), 0);
    assert_true(got == s);
    last = got;
    /* The same code again, even a second later in the same step: refused. */
    assert_int_equal(totp_verify(secret, cur, now, last, &got), SB_EAUTH);
    assert_int_equal(totp_verify(secret, cur, now + 1, last, &got), SB_EAUTH);
    /* An older step after a newer one was used: refused. */
    if (strcmp(prev, cur) != 0 && strcmp(prev, next) != 0)
        assert_int_equal(totp_verify(secret, prev, now, last, &got), SB_EAUTH);
    /* The next step: accepted, both early (drift) and on time; then it is spent too. */
    assert_int_equal(totp_verify(secret, next, now, last, &got), 0);
    assert_true(got == s + 1);
    assert_int_equal(totp_verify(secret, next, now + 30, last, &got), 0);
    assert_true(got == s + 1);
    last = got;
    assert_int_equal(totp_verify(secret, next, now + 30, last, &got), SB_EAUTH);
    /* last_step far in the future (clock went back): nothing in the window is accepted. */
    assert_int_equal(totp_verify(secret, cur, now, s + 5, &got), SB_EAUTH);
}

static void test_malformed_codes(void **state)
{
    static const char *bad[] = {"",        "12345",  "1234567", "12345a", "a23456",       " 12345",
                                "12345 ",  "+12345", "-12345",  "12 345", "１２３４５６", "0x1234",
                                "123456\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(totp_verify(rfc_secret, bad[i], 59, -1, NULL), SB_EINVAL);
    assert_int_equal(totp_verify(rfc_secret, NULL, 59, -1, NULL), SB_EINVAL);
    assert_int_equal(totp_verify(rfc_secret, "287082", -1, -1, NULL), SB_EINVAL);
    /* A 6-digit prefix of a longer string is not the code. */
    assert_int_equal(totp_verify(rfc_secret, "2870820", 59, -1, NULL), SB_EINVAL);
    assert_int_equal(totp_verify(rfc_secret, "287082", 59, -1, NULL), 0);
    char code[7];
    assert_int_equal(totp_generate(rfc_secret, -30, code), SB_EINVAL);
    assert_string_equal(code, "");
}

static void test_uri(void **state)
{
    char *u = totp_uri(rfc_secret, "Switchboard", "ana.rossi@example.com");
    assert_non_null(u);
    assert_string_equal(u, "otpauth://totp/Switchboard:ana.rossi%40example.com"
                           "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Switchboard"
                           "&algorithm=SHA1&digits=6&period=30");
    free(u);

    u = totp_uri(rfc_secret, "Acme Co: EU", "a&b=c?d/é-_.~+%#Z9");
    assert_non_null(u);
    assert_string_equal(u, "otpauth://totp/Acme%20Co%3A%20EU:a%26b%3Dc%3Fd%2F%C3%A9-_.~%2B%25%23Z9"
                           "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Acme%20Co%3A%20EU"
                           "&algorithm=SHA1&digits=6&period=30");
    free(u);

    assert_null(totp_uri(rfc_secret, "", "x"));
    assert_null(totp_uri(rfc_secret, "x", ""));
    assert_null(totp_uri(rfc_secret, NULL, "x"));
    assert_null(totp_uri(rfc_secret, "x", NULL));
    char big[300];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    assert_null(totp_uri(rfc_secret, "x", big));
    big[255] = 0; /* the cap itself is fine, even when every byte needs %XX */
    memset(big, '%', 255);
    u = totp_uri(rfc_secret, big, big);
    assert_non_null(u);
    assert_int_equal(strlen(u), strlen("otpauth://totp/:?secret=&issuer=&algorithm=SHA1&digits=6"
                                       "&period=30") +
                                    TOTP_BASE32_LEN + (size_t)3 * 3 * 255);
    free(u);
}

/* Parses the path's "M<x> <y>h<n>v1h-<n>z" runs back into a grid and compares it with the
 * QR matrix libqrencode produces for the same text. */
static void check_svg_matches_qr(const char *svg, const char *text)
{
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    assert_non_null(qr);
    int w = qr->width, full = w + 8;
    char vb[64];
    snprintf(vb, sizeof vb, "viewBox=\"0 0 %d %d\"", full, full);
    assert_non_null(strstr(svg, vb));

    unsigned char *grid = calloc((size_t)full * (size_t)full, 1);
    assert_non_null(grid);
    const char *d = strstr(svg, " d=\"");
    assert_non_null(d);
    d += 4;
    int runs = 0;
    while (*d == 'M') {
        int x, y, n, n2, used = 0;
        assert_int_equal(sscanf(d, "M%d %dh%dv1h-%dz%n", &x, &y, &n, &n2, &used), 4);
        assert_true(used > 0);
        assert_int_equal(n, n2);
        assert_true(x >= 4 && y >= 4 && n >= 1 && x + n <= 4 + w && y < 4 + w);
        for (int k = 0; k < n; k++) {
            assert_int_equal(grid[y * full + x + k], 0); /* runs never overlap */
            grid[y * full + x + k] = 1;
        }
        d += used;
        runs++;
    }
    assert_true(runs > 0);
    assert_true(strncmp(d, "\"/></svg>", 9) == 0);
    assert_int_equal(d[9], 0);
    for (int y = 0; y < full; y++)
        for (int x = 0; x < full; x++) {
            int in = x >= 4 && y >= 4 && x < 4 + w && y < 4 + w;
            int dark = in ? (qr->data[(y - 4) * w + (x - 4)] & 1) : 0;
            assert_int_equal(grid[y * full + x], dark);
        }
    free(grid);
    QRcode_free(qr);
}

static void test_qr_svg(void **state)
{
    char *u = totp_uri(rfc_secret, "Switchboard", "ana.rossi@example.com");
    assert_non_null(u);
    char *svg = totp_qr_svg(u);
    assert_non_null(svg);
    assert_int_equal(strncmp(svg, "<svg", 4), 0);
    assert_non_null(strstr(svg, "<path"));
    assert_null(strstr(strstr(svg, "<path") + 1, "<path")); /* exactly one path */
    assert_null(strstr(svg, "<script"));
    assert_null(strstr(svg, "javascript:"));
    assert_non_null(strstr(svg, "shape-rendering=\"crispEdges\""));
    assert_non_null(strstr(svg, "xmlns=\"http://www.w3.org/2000/svg\""));
    size_t n = strlen(svg);
    assert_true(n > 6 && strcmp(svg + n - 6, "</svg>") == 0);
    check_svg_matches_qr(svg, u);
    free(svg);
    free(u);

    /* Hostile text is encoded into modules, never copied into the markup. */
    const char *evil = "\"><script>alert(1)</script>";
    svg = totp_qr_svg(evil);
    assert_non_null(svg);
    assert_null(strstr(svg, "<script"));
    check_svg_matches_qr(svg, evil);
    free(svg);

    assert_null(totp_qr_svg(NULL));
    char *big = malloc(3000);
    assert_non_null(big);
    memset(big, 'x', 2999);
    big[2999] = 0;
    assert_null(totp_qr_svg(big)); /* over the cap */
    big[2048] = 0;
    svg = totp_qr_svg(big); /* at the cap: a version near 40 still holds it */
    assert_non_null(svg);
    check_svg_matches_qr(svg, big);
    free(svg);
    free(big);
}

static int is_alpha32(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7');
}

static void test_recovery_codes(void **state)
{
    char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_LEN + 1];
    int seen[256] = {0};
    int same_halves = 0; /* expected 1000 * 2^-25: two or more means the halves are tied */
    static int seen_at[TOTP_RECOVERY_LEN][256];
    memset(seen_at, 0, sizeof seen_at);
    char first[TOTP_RECOVERY_LEN + 1];
    for (int round = 0; round < 100; round++) {
        memset(codes, '#', sizeof codes);
        totp_recovery_codes(codes);
        for (int i = 0; i < TOTP_RECOVERY_CODES; i++) {
            const char *c = codes[i];
            assert_int_equal(strlen(c), TOTP_RECOVERY_LEN);
            assert_int_equal(c[5], '-');
            for (int k = 0; k < TOTP_RECOVERY_LEN; k++) {
                if (k == 5)
                    continue;
                assert_true(is_alpha32(c[k]));
                seen[(unsigned char)c[k]]++;
                seen_at[k][(unsigned char)c[k]]++;
            }
            for (int j = 0; j < i; j++)
                assert_string_not_equal(codes[j], c);
            same_halves += memcmp(c, c + 6, 5) == 0;
        }
        if (round == 0)
            memcpy(first, codes[0], sizeof first);
        else
            assert_string_not_equal(first, codes[0]);
    }
    /* 10,000 characters: every one of the 32 appears (a missed one has p ~ 2^-453), so the
     * mapping covers the whole alphabet; none is more than ~3x its expected 312. */
    int distinct = 0;
    for (int c = 0; c < 256; c++) {
        if (!seen[c])
            continue;
        distinct++;
        assert_true(seen[c] > 150 && seen[c] < 1000);
    }
    assert_int_equal(distinct, 32);
    assert_true(same_halves <= 1);
    /* And at every position (1,000 draws each: a miss has p ~ 2^-45). */
    for (int k = 0; k < TOTP_RECOVERY_LEN; k++) {
        if (k == 5)
            continue;
        for (const char *a = "abcdefghijklmnopqrstuvwxyz234567"; *a; a++)
            assert_true(seen_at[k][(unsigned char)*a] > 0);
    }
}

static void test_new_secret_random(void **state)
{
    unsigned char a[TOTP_SECRET_BYTES], b[TOTP_SECRET_BYTES], zero[TOTP_SECRET_BYTES] = {0};
    totp_new_secret(a);
    totp_new_secret(b);
    assert_memory_not_equal(a, b, TOTP_SECRET_BYTES);
    assert_memory_not_equal(a, zero, TOTP_SECRET_BYTES);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc6238_vectors),
        cmocka_unit_test(test_base32),
        cmocka_unit_test(test_matches_oathtool),
        cmocka_unit_test(test_window_plus_minus_one),
        cmocka_unit_test(test_wrong_code),
        cmocka_unit_test(test_replay),
        cmocka_unit_test(test_malformed_codes),
        cmocka_unit_test(test_uri),
        cmocka_unit_test(test_qr_svg),
        cmocka_unit_test(test_recovery_codes),
        cmocka_unit_test(test_new_secret_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
