/* test_sms_types.c — the SMS provider types: names, inbound authentication, phones, masks,
 * every type's credential rules (required fields, formats, the conditional Skebby and
 * ClickSend rules), base-URL normalization and refusals, the masked value sent back, and
 * which accounts show a delivery-report URL. Pure functions: no database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>
#include <string.h>

#include "channels/sms/sms_types.h"
#include "core/err.h"

/* Validates JSON `given` for `type` over `current` (may be NULL); returns the error fields,
 * sorted and joined with ",", into out ("" when valid; *clean then set). */
static int check(const char *type, const char *given, const char *current, json_t **clean,
                 char *out, size_t cap)
{
    json_t *g = given ? json_loads(given, 0, NULL) : NULL;
    json_t *c = current ? json_loads(current, 0, NULL) : NULL;
    json_t *errors = json_array();
    json_t *tmp = NULL;
    int r = sms_credentials_validate(type, g, c, clean ? clean : &tmp, errors);
    json_decref(tmp);
    /* sort the fields */
    size_t n = json_array_size(errors);
    const char *names[32];
    for (size_t i = 0; i < n && i < 32; i++)
        names[i] = json_string_value(json_object_get(json_array_get(errors, i), "field"));
    for (size_t i = 0; i < n && i < 32; i++)
        for (size_t j = i + 1; j < n && j < 32; j++)
            if (strcmp(names[j], names[i]) < 0) {
                const char *t = names[i];
                names[i] = names[j];
                names[j] = t;
            }
    out[0] = 0;
    for (size_t i = 0; i < n && i < 32; i++) {
        strncat(out, names[i], cap - strlen(out) - 1);
        if (i + 1 < n)
            strncat(out, ",", cap - strlen(out) - 1);
    }
    json_decref(errors);
    json_decref(g);
    json_decref(c);
    return r;
}

static void test_types_and_inbound_auth(void **state)
{
    (void)state;
    size_t n;
    const char *const *names = sms_type_names(&n);
    assert_int_equal(n, 11);
    for (size_t i = 0; i < n; i++)
        assert_true(sms_type_valid(names[i]));
    assert_false(sms_type_valid("pager"));
    assert_false(sms_type_valid(NULL));
    assert_false(sms_type_valid("Twilio"));
    assert_int_equal(sms_type_inbound_auth("twilio"), SMS_AUTH_TWILIO);
    assert_int_equal(sms_type_inbound_auth("plivo"), SMS_AUTH_PLIVO);
    assert_int_equal(sms_type_inbound_auth("telnyx"), SMS_AUTH_TELNYX);
    assert_int_equal(sms_type_inbound_auth("bandwidth"), SMS_AUTH_BASIC);
}

static void test_phones(void **state)
{
    (void)state;
    const char *good[] = {"+15551234567", "15551234567", "+393331234567",       "123",
                          "1-12345",      "34-Hello8",   "1234-ABCDEFGHIJKLMNO"};
    const char *bad[] = {"",    "+",    "12",      "+0123",  "1234567890123456",   "5551 23",
                         "1-",  "-123", "12345-x", "1-ab_c", "1-ABCDEFGHIJKLMNOP", "+1-555",
                         "abc", NULL};
    for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
        assert_true(sms_phone_valid(good[i]));
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        assert_false(sms_phone_valid(bad[i]));
}

static void test_masks(void **state)
{
    (void)state;
    char m[SMS_MASK_MAX];
    sms_mask("abcdefghijkl", m);
    assert_string_equal(m, "****ijkl");
    sms_mask("abcdefghijk", m);
    assert_string_equal(m, "****");
    sms_mask("", m);
    assert_string_equal(m, "****");
    sms_mask(NULL, m);
    assert_string_equal(m, "****");
}

static void test_every_type_accepts_its_fields(void **state)
{
    (void)state;
    static const char *const ok[][2] = {
        {"twilio", "{\"account_sid\":\"AC0123456789abcdef0123456789ABCDEF\",\"auth_token\":\"t\"}"},
        {"skebby", "{\"method\":\"classic\",\"username\":\"u\",\"password\":\"p\",\"sender\":"
                   "\"My Shop\"}"},
        {"connectel", "{\"auth_token\":\"t\",\"delivery_report\":true}"},
        {"clicksend", "{\"username\":\"u\",\"password\":\"p\"}"},
        {"plivo", "{\"auth_id\":\"MA0123456789ABCDEFGH\",\"auth_token\":\"t\",\"sender\":"
                  "\"+15551234567\"}"},
        {"clickatell", "{\"api_key\":\"k\"}"},
        {"csctelecom", "{\"api_key\":\"k\",\"base_url\":\"https://api.csc.example:443/v1//\"}"},
        {"infobip",
         "{\"username\":\"u\",\"password\":\"p\",\"base_url\":\"https://api.infobip.com\"}"},
        {"intelepeer", "{\"api_key\":\"k\"}"},
        {"bandwidth", "{\"account_id\":\"9900000\",\"username\":\"u\",\"password\":\"p\","
                      "\"application_id\":\"a-1\"}"},
        {"telnyx",
         "{\"api_key\":\"k\",\"public_key\":\"BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\"}"},
    };
    char out[512];
    for (size_t i = 0; i < sizeof(ok) / sizeof(*ok); i++) {
        json_t *clean = NULL;
        int r = check(ok[i][0], ok[i][1], NULL, &clean, out, sizeof out);
        if (r)
            fail_msg("%s: %s", ok[i][0], out);
        assert_non_null(clean);
        json_t *pub = sms_credentials_public(ok[i][0], clean);
        assert_int_equal(json_object_size(pub), json_object_size(clean));
        json_decref(pub);
        json_decref(clean);
    }
    json_t *clean = NULL;
    assert_int_equal(check("csctelecom", ok[6][1], NULL, &clean, out, sizeof out), 0);
    assert_string_equal(json_string_value(json_object_get(clean, "base_url")),
                        "https://api.csc.example/v1");
    json_decref(clean);
    /* Optional fields get their defaults. */
    assert_int_equal(check("connectel", "{\"auth_token\":\"t\"}", NULL, &clean, out, sizeof out),
                     0);
    assert_true(json_is_null(json_object_get(clean, "sender")));
    assert_true(json_is_false(json_object_get(clean, "delivery_report")));
    json_decref(clean);
}

static void test_each_bad_field_is_named(void **state)
{
    (void)state;
    static const char *const cases[][3] = {
        {"twilio", "{}", "credentials.account_sid,credentials.auth_token"},
        {"twilio", "{\"account_sid\":\"AC123\",\"auth_token\":7,\"x\":1}",
         "credentials.account_sid,credentials.auth_token,credentials.x"},
        {"skebby", "{\"method\":\"basic\",\"username\":\"u\",\"password\":\"p\",\"sender\":\"S\"}",
         "credentials.sender"},
        {"skebby",
         "{\"method\":\"classic\",\"username\":\"u\",\"password\":\"p\",\"delivery_report\":true}",
         "credentials.delivery_report"},
        {"skebby", "{\"method\":\"classic+\",\"username\":\"u\\u0001\",\"password\":\"p\"}",
         "credentials.method,credentials.username"},
        {"clicksend", "{\"username\":\"u\",\"password\":null}", "credentials.password"},
        {"plivo", "{\"auth_id\":\"MA0123456789abcdefgh\",\"auth_token\":\"t\"}",
         "credentials.auth_id"},
        {"plivo",
         "{\"auth_id\":\"MA0123456789ABCDEFGH\",\"auth_token\":\"t\",\"sender\":"
         "\"Twelve chars\"}",
         "credentials.sender"},
        {"csctelecom", "{\"api_key\":\"k\",\"base_url\":\"http://a.example\"}",
         "credentials.base_url"},
        {"infobip",
         "{\"username\":\"u\",\"password\":\"p\",\"base_url\":\"https://a-b.api.infobip.com\"}",
         "credentials.base_url"},
        {"infobip",
         "{\"username\":\"u\",\"password\":\"p\",\"base_url\":\"https://x.api.infobip.com/sms\"}",
         "credentials.base_url"},
        {"bandwidth",
         "{\"account_id\":\"12345678901234567\",\"username\":\"u\",\"password\":\"p\","
         "\"application_id\":\"a b\"}",
         "credentials.account_id,credentials.application_id"},
        {"telnyx", "{\"api_key\":\"k\",\"public_key\":\"AAAA\"}", "credentials.public_key"},
        {"clickatell", "[]", "credentials"},
    };
    char out[512];
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        json_t *clean = NULL;
        int r = check(cases[i][0], cases[i][1], NULL, &clean, out, sizeof out);
        assert_int_equal(r, SB_EINVALID);
        assert_null(clean);
        if (strcmp(out, cases[i][2]))
            fail_msg("%s %s: got %s, want %s", cases[i][0], cases[i][1], out, cases[i][2]);
    }
    assert_int_equal(check("pager", "{}", NULL, NULL, out, sizeof out), SB_EINVALID);
}

static void test_base_urls_refused(void **state)
{
    (void)state;
    const char *bad[] = {"https://127.0.0.1/api",  "https://[::1]/",
                         "https://localhost/api",  "https://a.localhost",
                         "https://user@a.example", "https://a.example:8443",
                         "https://a.example/?x=1", "https://a.example/#f",
                         "https://a.example/a b",  "https://example",
                         "https://.a.example",     "https://a..example",
                         "ftp://a.example",        "https://",
                         "https://a.example\\@b.c"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        if (sms_https_url_valid(bad[i]))
            fail_msg("accepted %s", bad[i]);
    assert_true(sms_https_url_valid("https://sms.example.com"));
    assert_true(sms_https_url_valid("https://SMS.Example.com:443/api/v2"));
}

static void test_changes_keep_secrets(void **state)
{
    (void)state;
    const char *current = "{\"account_sid\":\"AC0123456789abcdef0123456789abcdef\","
                          "\"auth_token\":\"secret-token-12345678\"}";
    char out[256];
    json_t *clean = NULL;
    /* Absent: kept. */
    assert_int_equal(check("twilio", "{}", current, &clean, out, sizeof out), 0);
    assert_string_equal(json_string_value(json_object_get(clean, "auth_token")),
                        "secret-token-12345678");
    json_decref(clean);
    /* The masked value sent back: kept. */
    assert_int_equal(
        check("twilio", "{\"auth_token\":\"****5678\"}", current, &clean, out, sizeof out), 0);
    assert_string_equal(json_string_value(json_object_get(clean, "auth_token")),
                        "secret-token-12345678");
    json_t *pub = sms_credentials_public("twilio", clean);
    assert_string_equal(json_string_value(json_object_get(pub, "auth_token")), "****5678");
    assert_string_equal(json_string_value(json_object_get(pub, "account_sid")),
                        "AC0123456789abcdef0123456789abcdef");
    json_decref(pub);
    json_decref(clean);
    /* A new value replaces it; null on a required field is refused. */
    assert_int_equal(check("twilio", "{\"auth_token\":\"new\"}", current, &clean, out, sizeof out),
                     0);
    assert_string_equal(json_string_value(json_object_get(clean, "auth_token")), "new");
    json_decref(clean);
    assert_int_equal(check("twilio", "{\"auth_token\":null}", current, NULL, out, sizeof out),
                     SB_EINVALID);
    assert_string_equal(out, "credentials.auth_token");
    /* null removes an optional field. */
    assert_int_equal(check("connectel", "{\"sender\":null}",
                           "{\"auth_token\":\"t\",\"sender\":\"Shop\"}", &clean, out, sizeof out),
                     0);
    assert_true(json_is_null(json_object_get(clean, "sender")));
    json_decref(clean);
}

static void test_status_urls(void **state)
{
    (void)state;
    json_t *on = json_pack("{s:b}", "delivery_report", 1);
    json_t *plus = json_pack("{s:s, s:b}", "method", "classic_plus", "delivery_report", 1);
    json_t *plus_off = json_pack("{s:s, s:b}", "method", "classic_plus", "delivery_report", 0);
    json_t *none = json_object();
    assert_true(sms_type_has_status_url("skebby", plus));
    assert_false(sms_type_has_status_url("skebby", plus_off));
    assert_false(sms_type_has_status_url("skebby", on));
    assert_true(sms_type_has_status_url("connectel", on));
    assert_false(sms_type_has_status_url("connectel", none));
    assert_false(sms_type_has_status_url("clicksend", none));
    assert_true(sms_type_has_status_url("csctelecom", none));
    assert_true(sms_type_has_status_url("twilio", none));
    assert_false(sms_type_has_status_url("pager", none));
    assert_true(sms_type_needs_phone("intelepeer"));
    assert_true(sms_type_needs_phone("bandwidth"));
    assert_false(sms_type_needs_phone("twilio"));
    json_decref(on);
    json_decref(plus);
    json_decref(plus_off);
    json_decref(none);
}

/* Destination numbers typed by agents: international only, separators dropped. */
static void test_phone_e164(void **state)
{
    (void)state;
    static const char *const in[][2] = {
        {"+15558000001", "+15558000001"},
        {"+1 (555) 800-0001", "+15558000001"},
        {"0039 06 123.456.78", "+390612345678"},
        {" +44 20 7946 0958 ", "+442079460958"},
        {"+1234567", "+1234567"},
        {"+123456789012345", "+123456789012345"},
    };
    char out[SMS_E164_MAX];
    for (size_t i = 0; i < sizeof(in) / sizeof(*in); i++) {
        assert_true(sms_phone_e164(in[i][0], out));
        assert_string_equal(out, in[i][1]);
    }
    static const char *const bad[] = {
        NULL,
        "",
        "5558000001",
        "+",
        "+0123456789",
        "+123456",
        "+1234567890123456",
        "+1555abc0001",
        "+1 555 800 0001 x2",
        "++15558000001",
        "0 0391234567",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        assert_false(sms_phone_e164(bad[i], out));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types_and_inbound_auth),
        cmocka_unit_test(test_phones),
        cmocka_unit_test(test_masks),
        cmocka_unit_test(test_every_type_accepts_its_fields),
        cmocka_unit_test(test_each_bad_field_is_named),
        cmocka_unit_test(test_base_urls_refused),
        cmocka_unit_test(test_changes_keep_secrets),
        cmocka_unit_test(test_status_urls),
        cmocka_unit_test(test_phone_e164),
    };
    return cmocka_run_group_tests_name("sms_types", tests, NULL, NULL);
}
