#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "auth/password.h"
#include "core/err.h"

extern const unsigned char sb_common_passwords[];
extern const size_t sb_common_passwords_len;

/* Cheapest argon2id cost libsodium accepts: keeps the suite fast under ASan. */
static int low_cost(void **state)
{
    password_set_cost(1, 8192);
    return 0;
}

/* Must run before any test lowers the cost: checks the built-in defaults (OWASP minimum). */
static void test_default_cost_in_phc_string(void **state)
{
    char h[PASSWORD_HASH_MAX];
    assert_int_equal(password_hash("correct horse battery staple", h), 0);
    assert_non_null(strstr(h, "$argon2id$v=19$m=19456,t=2,p=1$"));
    assert_int_equal(strncmp(h, "$argon2id$", 10), 0);
    assert_false(password_needs_rehash(h));
    assert_int_equal(password_verify(h, "correct horse battery staple"), 0);
}

static void test_round_trip_and_wrong_password(void **state)
{
    char h[PASSWORD_HASH_MAX], h2[PASSWORD_HASH_MAX];
    assert_int_equal(password_hash("Secret pw 1!", h), 0);
    assert_non_null(strstr(h, "$argon2id$v=19$m=8,t=1,p=1$"));
    assert_true(strlen(h) < PASSWORD_HASH_MAX);
    assert_int_equal(password_verify(h, "Secret pw 1!"), 0);
    assert_int_equal(password_verify(h, "Secret pw 2!"), SB_EAUTH);
    assert_int_equal(password_verify(h, ""), SB_EAUTH);
    /* A fresh salt every time. */
    assert_int_equal(password_hash("Secret pw 1!", h2), 0);
    assert_string_not_equal(h, h2);
    assert_int_equal(password_verify(h2, "Secret pw 1!"), 0);
    /* The empty password is hashable (policy refuses it elsewhere). */
    assert_int_equal(password_hash("", h), 0);
    assert_int_equal(password_verify(h, ""), 0);
    assert_int_equal(password_verify(h, " "), SB_EAUTH);
}

static void test_no_case_folding_no_trimming(void **state)
{
    char h[PASSWORD_HASH_MAX];
    assert_int_equal(password_hash("Secret pw", h), 0);
    assert_int_equal(password_verify(h, "Secret pw"), 0);
    assert_int_equal(password_verify(h, "secret pw"), SB_EAUTH);
    assert_int_equal(password_verify(h, "SECRET PW"), SB_EAUTH);
    assert_int_equal(password_verify(h, "Secret pw "), SB_EAUTH);
    assert_int_equal(password_verify(h, " Secret pw"), SB_EAUTH);
    assert_int_equal(password_verify(h, "Secretpw"), SB_EAUTH);
    assert_int_equal(password_hash("Secret pw ", h), 0);
    assert_int_equal(password_verify(h, "Secret pw "), 0);
    assert_int_equal(password_verify(h, "Secret pw"), SB_EAUTH);
}

static void test_max_length(void **state)
{
    char pw[PASSWORD_MAX_BYTES + 2];
    char h[PASSWORD_HASH_MAX];
    memset(pw, 'x', PASSWORD_MAX_BYTES);
    pw[PASSWORD_MAX_BYTES] = 0;
    assert_int_equal(password_hash(pw, h), 0);
    assert_int_equal(password_verify(h, pw), 0);
    assert_int_equal(password_policy_check(pw, false), 0);

    /* One byte more is refused everywhere, before any hashing. */
    pw[PASSWORD_MAX_BYTES] = 'x';
    pw[PASSWORD_MAX_BYTES + 1] = 0;
    strcpy(h, "untouched");
    assert_int_equal(password_hash(pw, h), SB_EINVAL);
    assert_string_equal(h, "");
    char ok[PASSWORD_HASH_MAX];
    assert_int_equal(password_hash("short", ok), 0);
    assert_int_equal(password_verify(ok, pw), SB_EINVAL);
    assert_int_equal(password_policy_check(pw, false), PW_RULE_MAX_LENGTH);
    assert_int_equal(password_policy_check(pw, true), PW_RULE_MAX_LENGTH);

    assert_int_equal(password_hash(NULL, h), SB_EINVAL);
    assert_int_equal(password_verify(ok, NULL), SB_EINVAL);
}

static void test_no_truncation_after_72_bytes(void **state)
{
    char a[101], b[101], h[PASSWORD_HASH_MAX];
    memset(a, 'k', 100);
    a[100] = 0;
    memcpy(b, a, sizeof a);
    b[90] = 'K';
    assert_int_equal(password_hash(a, h), 0);
    assert_int_equal(password_verify(h, a), 0);
    assert_int_equal(password_verify(h, b), SB_EAUTH);
    /* Nor a prefix of it. */
    a[72] = 0;
    assert_int_equal(password_verify(h, a), SB_EAUTH);
}

static void test_malformed_hash(void **state)
{
    char h[PASSWORD_HASH_MAX];
    assert_int_equal(password_hash("Secret pw", h), 0);

    assert_int_equal(password_verify("", "Secret pw"), SB_EINVAL);
    assert_int_equal(password_verify(NULL, "Secret pw"), SB_EINVAL);
    assert_int_equal(password_verify("not a hash", "Secret pw"), SB_EINVAL);
    assert_int_equal(password_verify("$argon2id$v=19$m=8,t=1,p=1$", "Secret pw"), SB_EINVAL);
    assert_int_equal(password_verify("$2b$10$abcdefghijklmnopqrstuv", "Secret pw"), SB_EINVAL);

    /* Truncated, and with a corrupted parameter field. */
    char t[PASSWORD_HASH_MAX];
    memcpy(t, h, sizeof t);
    t[strlen(t) - 10] = 0;
    assert_int_equal(password_verify(t, "Secret pw"), SB_EINVAL);
    memcpy(t, h, sizeof t);
    char *m = strstr(t, "m=8");
    assert_non_null(m);
    m[2] = 'x';
    assert_int_equal(password_verify(t, "Secret pw"), SB_EINVAL);

    /* argon2i strings are not ours. */
    char h2i[crypto_pwhash_argon2i_STRBYTES];
    assert_int_equal(crypto_pwhash_argon2i_str(h2i, "Secret pw", 9, 3, 8192), 0);
    assert_int_equal(password_verify(h2i, "Secret pw"), SB_EINVAL);
    assert_true(password_needs_rehash(h2i));

    /* A string that does not end within PASSWORD_HASH_MAX bytes is never read past it. */
    char *big = malloc(PASSWORD_HASH_MAX + 1);
    assert_non_null(big);
    memset(big, 'a', PASSWORD_HASH_MAX);
    memcpy(big, h, strlen(h));
    big[PASSWORD_HASH_MAX] = 0;
    assert_int_equal(password_verify(big, "Secret pw"), SB_EINVAL);
    assert_true(password_needs_rehash(big));
    free(big);

    /* The good hash still verifies: the EINVAL answers were not luck. */
    assert_int_equal(password_verify(h, "Secret pw"), 0);
}

static void test_needs_rehash_after_cost_change(void **state)
{
    char h[PASSWORD_HASH_MAX];
    assert_int_equal(password_hash("Secret pw", h), 0);
    assert_false(password_needs_rehash(h));
    password_set_cost(2, 8192);
    assert_true(password_needs_rehash(h));
    /* Old hashes still verify under the new cost. */
    assert_int_equal(password_verify(h, "Secret pw"), 0);
    password_set_cost(1, 16384);
    assert_true(password_needs_rehash(h));
    password_set_cost(1, 8192);
    assert_false(password_needs_rehash(h));
    assert_true(password_needs_rehash("garbage"));
    assert_true(password_needs_rehash(""));
    assert_true(password_needs_rehash(NULL));
    /* Out-of-range costs are clamped to libsodium's minimum, not applied. */
    password_set_cost(0, 1);
    assert_false(password_needs_rehash(h));
}

/* Asserts `pw` breaks exactly `rule` and that its one error carries `message`. */
static void expect_only(const char *pw, bool suite, unsigned rule, const char *message)
{
    unsigned broken = password_policy_check(pw, suite);
    assert_int_equal(broken, rule);
    json_t *errs = json_array();
    assert_non_null(errs);
    assert_int_equal(password_policy_errors(broken, "password", errs), 0);
    assert_int_equal(json_array_size(errs), 1);
    json_t *e = json_array_get(errs, 0);
    assert_string_equal(json_string_value(json_object_get(e, "field")), "password");
    assert_string_equal(json_string_value(json_object_get(e, "message")), message);
    assert_int_equal(json_object_size(e), 2);
    json_decref(errs);
}

static void test_each_rule_alone(void **state)
{
    assert_int_equal(password_policy_check("Abcdefg1!", true), 0);
    expect_only("Abc1!xy", true, PW_RULE_MIN_LENGTH, "must be at least 8 characters long");
    expect_only("ABCDEFG1!", true, PW_RULE_LOWER, "must contain a lowercase letter");
    expect_only("abcdefg1!", true, PW_RULE_UPPER, "must contain an uppercase letter");
    expect_only("Abcdefgh!", true, PW_RULE_DIGIT, "must contain a digit");
    expect_only("Abcdefg12", true, PW_RULE_SPECIAL, "must contain one of ~!@#$%^&-_=+[{]}");
    expect_only("password", false, PW_RULE_COMMON, "is one of the most common passwords");
    expect_only("abc\tdefgh", false, PW_RULE_ENCODING,
                "must be valid UTF-8 without control characters");
}

static void test_max_length_message(void **state)
{
    json_t *errs = json_array();
    assert_non_null(errs);
    assert_int_equal(password_policy_errors(PW_RULE_MAX_LENGTH, "new_password", errs), 0);
    assert_int_equal(json_array_size(errs), 1);
    json_t *e = json_array_get(errs, 0);
    assert_string_equal(json_string_value(json_object_get(e, "field")), "new_password");
    assert_string_equal(json_string_value(json_object_get(e, "message")),
                        "must be at most 1024 bytes");
    json_decref(errs);
}

static void test_special_characters_exactly_the_seed_set(void **state)
{
    const char *set = "~!@#$%^&-_=+[{]}";
    char pw[16];
    for (const char *c = set; *c; c++) {
        snprintf(pw, sizeof pw, "Abcdefg1%c", *c);
        assert_int_equal(password_policy_check(pw, true), 0);
    }
    /* Other punctuation, space and non-ASCII symbols do not count. */
    const char *others[] = {"Abcdefg1*", "Abcdefg1?", "Abcdefg1 ",  "Abcdefg1.",  "Abcdefg1)",
                            "Abcdefg1/", "Abcdefg1'", "Abcdefg1\"", "Abcdefg1\\", "Abcdefg1|",
                            "Abcdefg1;", "Abcdefg1<", "Abcdefg1`",  "Abcdefg1€",  "Abcdefg1§"};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
        assert_int_equal(password_policy_check(others[i], true), PW_RULE_SPECIAL);
    /* Only ASCII letters and digits count for the other classes. */
    assert_int_equal(password_policy_check("ÉÀÇÜÖÄÑ1!", true), PW_RULE_LOWER | PW_RULE_UPPER);
    assert_int_equal(password_policy_check("Abcdefg١!", true), PW_RULE_DIGIT); /* Arabic 1 */
}

static void test_several_rules_listed(void **state)
{
    unsigned broken = password_policy_check("abc", true);
    assert_int_equal(broken, PW_RULE_MIN_LENGTH | PW_RULE_UPPER | PW_RULE_DIGIT | PW_RULE_SPECIAL);
    json_t *errs = json_pack("[{s:s, s:s}]", "field", "name", "message", "earlier error");
    assert_non_null(errs);
    assert_int_equal(password_policy_errors(broken, "password", errs), 0);
    /* Appended after what was there, one per rule, in rule order. */
    assert_int_equal(json_array_size(errs), 5);
    const char *want[] = {"earlier error", "must be at least 8 characters long",
                          "must contain an uppercase letter", "must contain a digit",
                          "must contain one of ~!@#$%^&-_=+[{]}"};
    for (size_t i = 0; i < 5; i++) {
        json_t *e = json_array_get(errs, i);
        assert_string_equal(json_string_value(json_object_get(e, "message")), want[i]);
    }
    json_decref(errs);

    /* Common and short at once. */
    assert_int_equal(password_policy_check("1234", false), PW_RULE_MIN_LENGTH | PW_RULE_COMMON);
    /* Everything the suite can report at once. */
    assert_int_equal(password_policy_check("", true), PW_RULE_MIN_LENGTH | PW_RULE_LOWER |
                                                          PW_RULE_UPPER | PW_RULE_DIGIT |
                                                          PW_RULE_SPECIAL);
    /* All eight messages are distinct; unknown bits add nothing; 0 adds nothing. */
    errs = json_array();
    assert_int_equal(password_policy_errors(0xffu, "password", errs), 0);
    assert_int_equal(json_array_size(errs), 8);
    for (size_t i = 0; i < 8; i++)
        for (size_t j = i + 1; j < 8; j++)
            assert_string_not_equal(
                json_string_value(json_object_get(json_array_get(errs, i), "message")),
                json_string_value(json_object_get(json_array_get(errs, j), "message")));
    assert_int_equal(password_policy_errors(0xff00u, "password", errs), 0);
    assert_int_equal(password_policy_errors(0, "password", errs), 0);
    assert_int_equal(json_array_size(errs), 8);
    json_decref(errs);
    assert_int_equal(password_policy_errors(PW_RULE_LOWER, "password", NULL), SB_EINVAL);
}

static void test_suite_disabled(void **state)
{
    assert_int_equal(password_policy_check("longpassphrase here", false), 0);
    assert_int_equal(password_policy_check("longpassphrase here", true),
                     PW_RULE_UPPER | PW_RULE_DIGIT | PW_RULE_SPECIAL);
    assert_int_equal(password_policy_check("password", false), PW_RULE_COMMON);
    assert_int_equal(password_policy_check("PassWord", false), PW_RULE_COMMON);
    assert_int_equal(password_policy_check("password ", false), 0);
    assert_int_equal(password_policy_check("short", false), PW_RULE_MIN_LENGTH);
    assert_int_equal(password_policy_check("12345678", false), PW_RULE_COMMON);
}

static void test_unicode_counts_code_points(void **state)
{
    /* 8 two-byte characters (16 bytes) pass; 7 (14 bytes) do not. */
    assert_int_equal(password_policy_check("éééééééé", false), 0);
    assert_int_equal(password_policy_check("ééééééé", false), PW_RULE_MIN_LENGTH);
    /* 4-byte characters: 7 of them are 28 bytes but still too short. */
    assert_int_equal(password_policy_check("😀😀😀😀😀😀😀", false), PW_RULE_MIN_LENGTH);
    assert_int_equal(password_policy_check("😀😀😀😀😀😀😀😀", false), 0);
    /* 3-byte characters mixed with ASCII. */
    assert_int_equal(password_policy_check("密码a密码b12", false), 0);
    assert_int_equal(password_policy_check("密码密码密码X", false), PW_RULE_MIN_LENGTH);
    assert_int_equal(password_policy_check("Pässwörd1!", true), 0);
}

static void test_invalid_utf8_and_controls(void **state)
{
    const char *bad[] = {
        "abcdefgh\xff",             /* never valid */
        "abcdefgh\xc3",             /* truncated at the end */
        "abc\303defghi",            /* truncated before ASCII */
        "abcdefgh\xc0\xaf",         /* overlong '/' */
        "abcdefgh\xe0\x80\xaf",     /* overlong, 3 bytes */
        "abcdefgh\xed\xa0\x80",     /* UTF-16 surrogate */
        "abcdefgh\xf4\x90\x80\x80", /* above U+10FFFF */
        "abcdefgh\x80",             /* lone continuation */
        "abc\ndefgh",               /* C0 control */
        "abcdefgh\x1f",
        "abcdefgh\x7f",     /* DEL */
        "abcdefgh\xc2\x85", /* C1 control (NEL) */
        "\x01",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(password_policy_check(bad[i], false), PW_RULE_ENCODING);
        assert_int_equal(password_policy_check(bad[i], true), PW_RULE_ENCODING);
    }
    assert_int_equal(password_policy_check(NULL, false), PW_RULE_ENCODING);
    /* Boundaries that are valid: U+0080 is C1 but U+00A0 (NBSP) and U+10FFFF are not. */
    assert_int_equal(password_policy_check("abcdefg\xc2\xa0", false), 0);
    assert_int_equal(password_policy_check("abcdefg\xf4\x8f\xbf\xbf", false), 0);
    assert_int_equal(password_policy_check("abcdefg ~", false), 0);
}

static void test_password1_variants(void **state)
{
    /* The list is lowercase without symbols: "password1" is in it, "password1!" is not. */
    assert_true(password_is_common("password1"));
    assert_true(password_is_common("Password1"));
    assert_false(password_is_common("Password1!"));
    assert_false(password_is_common("password1!"));
    assert_int_equal(password_policy_check("Password1!", true), 0);
    assert_int_equal(password_policy_check("Password1", true), PW_RULE_SPECIAL | PW_RULE_COMMON);
    assert_int_equal(password_policy_check("Password1", false), PW_RULE_COMMON);
    assert_false(password_is_common(""));
    assert_false(password_is_common(NULL));
    assert_false(password_is_common("password\n"));
    assert_false(password_is_common(" password"));
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_embedded_list(void **state)
{
    /* Parse the embedded bytes independently and check the file's own invariants. */
    assert_int_equal(sb_common_passwords[sb_common_passwords_len], 0);
    char *copy = malloc(sb_common_passwords_len + 1);
    assert_non_null(copy);
    memcpy(copy, sb_common_passwords, sb_common_passwords_len + 1);
    size_t cap = 8192, n = 0;
    char **lines = calloc(cap, sizeof *lines);
    assert_non_null(lines);
    char *save = NULL;
    assert_true(sb_common_passwords_len > 0);
    assert_int_equal(copy[sb_common_passwords_len - 1], '\n');
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        assert_true(n < cap);
        for (const char *c = l; *c; c++) {
            assert_true(*c > ' ' && *c < 0x7f); /* printable, no whitespace */
            assert_false(*c >= 'A' && *c <= 'Z');
        }
        assert_true(password_is_common(l));
        lines[n++] = l;
    }
    assert_true(n >= 3000);
    /* One line per entry: the strtok count equals the newline count (no empty lines). */
    size_t newlines = 0;
    for (size_t i = 0; i < sb_common_passwords_len; i++)
        newlines += sb_common_passwords[i] == '\n';
    assert_int_equal(newlines, n);
    assert_string_equal(lines[0], "123456"); /* frequency order: the most common first */
    assert_string_equal(lines[1], "password");
    qsort(lines, n, sizeof *lines, cmp_str);
    for (size_t i = 1; i < n; i++)
        assert_string_not_equal(lines[i - 1], lines[i]);
    free(lines);
    free(copy);

    assert_true(password_is_common("123456"));
    assert_true(password_is_common("qwerty"));
    assert_true(password_is_common("QWERTY"));
    assert_false(password_is_common("123456 "));
    assert_false(password_is_common("12345"
                                    "6789012345678901234567890"));
    assert_false(password_is_common("correct horse battery staple"));
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        /* First: it checks the defaults before low_cost() changes them. */
        cmocka_unit_test(test_default_cost_in_phc_string),
        cmocka_unit_test_setup(test_round_trip_and_wrong_password, low_cost),
        cmocka_unit_test_setup(test_no_case_folding_no_trimming, low_cost),
        cmocka_unit_test_setup(test_max_length, low_cost),
        cmocka_unit_test_setup(test_no_truncation_after_72_bytes, low_cost),
        cmocka_unit_test_setup(test_malformed_hash, low_cost),
        cmocka_unit_test_setup(test_needs_rehash_after_cost_change, low_cost),
        cmocka_unit_test(test_each_rule_alone),
        cmocka_unit_test(test_max_length_message),
        cmocka_unit_test(test_special_characters_exactly_the_seed_set),
        cmocka_unit_test(test_several_rules_listed),
        cmocka_unit_test(test_suite_disabled),
        cmocka_unit_test(test_unicode_counts_code_points),
        cmocka_unit_test(test_invalid_utf8_and_controls),
        cmocka_unit_test(test_password1_variants),
        cmocka_unit_test(test_embedded_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
