/* test_sms_providers.c — the SMS provider adapters (channels/sms/provider.h): every signature
 * test vector of reference/sms-providers-and-security.md passes, and a one-byte change, a wrong
 * key, a missing header and (Telnyx) a stale or future timestamp are refused; the URL token and
 * Basic checks fail closed; each parser on sample payloads of its provider; each send builder's
 * method, URL, auth and body; each answer reader's accepted / retry / final decision; the SSRF
 * guard for user-set base URLs and addresses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <jansson.h>
#include <netinet/in.h>
#include <sodium.h>

#include "channels/sms/net.h"
#include "channels/sms/provider.h"
#include "channels/sms/sms_impl.h"     /* sms_b64 */
#include "channels/sms/sms_accounts.h" /* both headers in one unit: no clashing names */
#include "channels/sms/sms_types.h"
#include "core/arena.h"
#include "core/err.h"

/* Twilio's and Plivo's vectors (reference §1.1, §1.2). */
#define TW_URL "https://mycompany.com/myapp.php?foo=1&bar=2"
#define TW_FORM                                                                                    \
    "CallSid=CA1234567890ABCDE&Digits=1234&From=%2B14158675309&To=%2B18005551212&Caller="          \
    "%2B14158675309"

/* A token long enough for the URL-token providers. */
#define TOKEN "tok_0123456789abcdefghijklmnopqrstuvwxyz"

static struct arena A;

static int setup(void **state)
{
    arena_init(&A, 8 << 20);
    return 0;
}

static int teardown(void **state)
{
    arena_cleanup(&A);
    return 0;
}

static const struct sms_provider *P(const char *name)
{
    const struct sms_provider *p = sms_provider_find(name);
    assert_non_null(p);
    return p;
}

static struct sms_http_request req(const char *method, const char *url, const struct sms_kv *h,
                                   size_t nh, const char *body)
{
    return (struct sms_http_request){method, url, h, nh, body, body ? strlen(body) : 0};
}

static int verify(const char *prov, const struct sms_account_creds *c, struct sms_http_request rq,
                  int64_t now)
{
    const char *why = NULL;
    int r = sms_verify(P(prov), c, &rq, now, &A, &why);
    if (r)
        assert_non_null(why); /* a reason for the log, always */
    return r;
}

/* ---- Twilio ---------------------------------------------------------------------------- */

static int twilio(const char *url, const char *sig, const char *body, const char *token)
{
    struct sms_account_creds c = {.auth_token = token};
    struct sms_kv h[] = {{"Content-Type", "application/x-www-form-urlencoded"},
                         {"X-Twilio-Signature", sig}};
    return verify("twilio", &c, req("POST", url, h, sig ? 2 : 1, body), 0);
}

static void test_twilio_vectors(void **state)
{
    assert_int_equal(twilio(TW_URL, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", TW_FORM, "12345"), 0);
    /* Twilio is inconsistent about the standard port: both forms are accepted either way. */
    assert_int_equal(twilio(TW_URL, "kvajT1Ptam85bY51eRf/AJRuM3w=", TW_FORM, "12345"), 0);
    assert_int_equal(twilio("https://mycompany.com:443/myapp.php?foo=1&bar=2",
                            "kvajT1Ptam85bY51eRf/AJRuM3w=", TW_FORM, "12345"),
                     0);
    assert_int_equal(twilio("https://mycompany.com:443/myapp.php?foo=1&bar=2",
                            "RSOYDt4T1cUTdK1PDd93/VVr8B8=", TW_FORM, "12345"),
                     0);
    assert_int_equal(twilio("http://mycompany.com/myapp.php?foo=1&bar=2",
                            "0ZXoZLH/DfblKGATFgpif+LLRf4=", TW_FORM, "12345"),
                     0);
    assert_int_equal(twilio("http://mycompany.com:80/myapp.php?foo=1&bar=2",
                            "0ZXoZLH/DfblKGATFgpif+LLRf4=", TW_FORM, "12345"),
                     0);
    assert_int_equal(twilio("http://mycompany.com:1234/myapp.php?foo=1&bar=2",
                            "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=", TW_FORM, "12345"),
                     0);
    /* Another port is signed as it is: dropping it does not match. */
    assert_int_equal(twilio("http://mycompany.com/myapp.php?foo=1&bar=2",
                            "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=", TW_FORM, "12345"),
                     SB_EAUTH);
    /* Repeated keys: each value, sorted. Order in the body does not matter. */
    assert_int_equal(twilio(TW_URL, "IK+Dwps556ElfBT0I3Rgjkr1wJU=",
                            "Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234", "12345"),
                     0);
    assert_int_equal(twilio(TW_URL, "IK+Dwps556ElfBT0I3Rgjkr1wJU=",
                            "Digits=1234&SidAccount=AC123&Digits=5678&Sid=CA123", "12345"),
                     0);
}

static void test_twilio_rejects(void **state)
{
    const char *sig = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";
    /* One byte changed in the body, the URL, the signature; a wrong key; nothing at all. */
    char body[] = TW_FORM;
    body[strlen(body) - 1] = '8';
    assert_int_equal(twilio(TW_URL, sig, body, "12345"), SB_EAUTH);
    assert_int_equal(twilio(TW_URL "3", sig, TW_FORM, "12345"), SB_EAUTH);
    assert_int_equal(twilio(TW_URL, "RSOYDt4T1cUTdK1PDd93/VVr8B9=", TW_FORM, "12345"), SB_EAUTH);
    assert_int_equal(twilio(TW_URL, sig, TW_FORM, "12346"), SB_EAUTH);
    assert_int_equal(twilio(TW_URL, NULL, TW_FORM, "12345"), SB_EAUTH);
    assert_int_equal(twilio(TW_URL, "", TW_FORM, "12345"), SB_EAUTH);
    /* An account without its auth token can verify nothing: closed. */
    assert_int_equal(twilio(TW_URL, sig, TW_FORM, NULL), SB_EAUTH);
    assert_int_equal(twilio(TW_URL, sig, TW_FORM, ""), SB_EAUTH);
    /* An added parameter is covered too. */
    assert_int_equal(twilio(TW_URL, sig, TW_FORM "&Extra=1", "12345"), SB_EAUTH);
    /* A malformed form cannot pass. */
    assert_int_equal(twilio(TW_URL, sig, TW_FORM "&Bad=%zz", "12345"), SB_EAUTH);
}

static void test_twilio_json_body(void **state)
{
    const char *body = "{\"property\": \"value\", \"boolean\": true}";
    const char *url = TW_URL "&bodySHA256="
                             "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";
    struct sms_account_creds c = {.auth_token = "12345"};
    struct sms_kv h[] = {{"Content-Type", "application/json"},
                         {"X-Twilio-Signature", "a9nBmqA0ju/hNViExpshrM61xv4="}};
    assert_int_equal(verify("twilio", &c, req("POST", url, h, 2, body), 0), 0);
    /* The body is bound by its hash: one byte off fails although the URL is signed. */
    assert_int_equal(verify("twilio", &c,
                            req("POST", url, h, 2, "{\"property\": \"valuE\", \"boolean\": true}"),
                            0),
                     SB_EAUTH);
    /* Without bodySHA256 in the URL the body is unbound: refused. */
    assert_int_equal(verify("twilio", &c, req("POST", TW_URL, h, 2, body), 0), SB_EAUTH);
    c.auth_token = "54321";
    assert_int_equal(verify("twilio", &c, req("POST", url, h, 2, body), 0), SB_EAUTH);
}

/* ---- Plivo ----------------------------------------------------------------------------- */

static void test_plivo_v2_vector(void **state)
{
    struct sms_account_creds c = {.auth_token = "my_auth_token"};
    struct sms_kv h[] = {{"X-Plivo-Signature-V2", "ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc="},
                         {"X-Plivo-Signature-V2-Nonce", "12345"}};
    assert_int_equal(verify("plivo", &c, req("POST", "https://answer.url", h, 2, "From=1"), 0), 0);
    /* The query string is not part of V2. */
    assert_int_equal(verify("plivo", &c, req("GET", "https://answer.url?x=1", h, 2, NULL), 0), 0);
    /* The main-account header alone is enough. */
    struct sms_kv ma[] = {
        {"X-Plivo-Signature-Ma-V2", "ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc="},
        {"X-Plivo-Signature-V2-Nonce", "12345"}};
    assert_int_equal(verify("plivo", &c, req("POST", "https://answer.url", ma, 2, NULL), 0), 0);
    /* One byte: nonce, URL, signature; wrong key; no nonce. */
    h[1].value = "12346";
    assert_int_equal(verify("plivo", &c, req("POST", "https://answer.url", h, 2, NULL), 0),
                     SB_EAUTH);
    h[1].value = "12345";
    assert_int_equal(verify("plivo", &c, req("POST", "https://answer.urm", h, 2, NULL), 0),
                     SB_EAUTH);
    h[0].value = "ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXd=";
    assert_int_equal(verify("plivo", &c, req("POST", "https://answer.url", h, 2, NULL), 0),
                     SB_EAUTH);
    h[0].value = "ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc=";
    c.auth_token = "my_auth_tokeN";
    assert_int_equal(verify("plivo", &c, req("POST", "https://answer.url", h, 2, NULL), 0),
                     SB_EAUTH);
    c.auth_token = "my_auth_token";
    assert_int_equal(verify("plivo", &c, req("POST", "https://answer.url", h, 1, NULL), 0),
                     SB_EAUTH);
}

static void test_plivo_v3_vectors(void **state)
{
    struct sms_account_creds c = {.auth_token = "my_auth_token"};
    struct sms_kv h[] = {{"X-Plivo-Signature-V3", "3YmGendK1VT0KpMJvTIvdO4t3sITkFbin2AMaNkC4h4="},
                         {"X-Plivo-Signature-V3-Nonce", "12345"},
                         {"Content-Type", "application/x-www-form-urlencoded"}};
    const char *body = "From=14155550100&To=14155550199&Text=hi&MessageUUID=abc";
    assert_int_equal(
        verify("plivo", &c, req("POST", "https://example.com/plivo/sms", h, 3, body), 0), 0);
    /* Several signatures, one per active token: any match passes. */
    h[0].value = "AAAAGendK1VT0KpMJvTIvdO4t3sITkFbin2AMaNkC4h4=, "
                 "3YmGendK1VT0KpMJvTIvdO4t3sITkFbin2AMaNkC4h4=";
    assert_int_equal(
        verify("plivo", &c, req("POST", "https://example.com/plivo/sms", h, 3, body), 0), 0);
    /* V3 covers the body: one byte changed fails. */
    assert_int_equal(verify("plivo", &c,
                            req("POST", "https://example.com/plivo/sms", h, 3,
                                "From=14155550100&To=14155550199&Text=hI&MessageUUID=abc"),
                            0),
                     SB_EAUTH);
    c.auth_token = "other";
    assert_int_equal(
        verify("plivo", &c, req("POST", "https://example.com/plivo/sms", h, 3, body), 0), SB_EAUTH);
    /* The second vector: a query sorted before the body. */
    c.auth_token = "my_auth_token";
    h[0].value = "iqVK8yikOwTDlKVDjxeF065IQD6zmG82ZtHun+uMkh8=";
    assert_int_equal(verify("plivo", &c,
                            req("POST", "https://example.com/plivo/sms?b=2&a=1", h, 3,
                                "From=14155550100&Text=hi"),
                            0),
                     0);
    assert_int_equal(verify("plivo", &c,
                            req("POST", "https://example.com/plivo/sms?b=2&a=2", h, 3,
                                "From=14155550100&Text=hi"),
                            0),
                     SB_EAUTH);
}

const char *sms_plivo_v1_signature(struct arena *a, const char *token, const char *url,
                                   const struct sms_kv *kv, size_t n);

static void test_plivo_v1_vector_never_accepted(void **state)
{
    struct sms_kv kv[] = {{"CallUUID", "97ceeb52-58b6-11e1-86da-77300b68f8bb"},
                          {"Duration", "300"}};
    assert_string_equal(
        sms_plivo_v1_signature(&A, "MAXXXXXXXXXXXXXXXXXX", "http://foo.com/answer/", kv, 2),
        "EJEt0ELanhr8hjMPIJnLNLex0dE=");
    struct sms_account_creds c = {.auth_token = "MAXXXXXXXXXXXXXXXXXX"};
    struct sms_kv h[] = {{"X-Plivo-Signature", "EJEt0ELanhr8hjMPIJnLNLex0dE="}};
    assert_int_equal(verify("plivo", &c,
                            req("POST", "http://foo.com/answer/", h, 1,
                                "CallUUID=97ceeb52-58b6-11e1-86da-77300b68f8bb&Duration=300"),
                            0),
                     SB_EAUTH);
}

/* ---- Telnyx ---------------------------------------------------------------------------- */

#define TX_BODY                                                                                    \
    "{\"data\":{\"event_type\":\"message.received\",\"id\":\"evt-1\",\"payload\":{\"id\":\"msg-"   \
    "1\",\"text\":\"Hello\"}}}"
#define TX_PK "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
#define TX_SIG                                                                                     \
    "Lql4qn1bc5woDM1LV5N8k/fH7s1bs/+7VoDhusJTxFw5U9Mt0jw7S9B/hQY8Z0E7WV0FXQqSXbGs2FpVhTrFDA=="

static int telnyx(const char *pk, const char *sig, const char *ts, const char *body, int64_t now)
{
    struct sms_account_creds c = {.public_key = pk};
    struct sms_kv h[] = {{"telnyx-signature-ed25519", sig}, {"Telnyx-Timestamp", ts}};
    return verify("telnyx", &c, req("POST", "https://sb.example/hook", h, 2, body), now);
}

static void test_telnyx_vector_and_window(void **state)
{
    assert_int_equal(telnyx(TX_PK, TX_SIG, "1700000000", TX_BODY, 1700000000), 0);
    assert_int_equal(telnyx(TX_PK, TX_SIG, "1700000000", TX_BODY, 1700000000 + 300), 0);
    assert_int_equal(telnyx(TX_PK, TX_SIG, "1700000000", TX_BODY, 1700000000 - 300), 0);
    /* Stale, and from the future: refused although the signature is right. */
    assert_int_equal(telnyx(TX_PK, TX_SIG, "1700000000", TX_BODY, 1700000000 + 301), SB_EAUTH);
    assert_int_equal(telnyx(TX_PK, TX_SIG, "1700000000", TX_BODY, 1700000000 - 301), SB_EAUTH);
    /* The timestamp is signed: a fresh one on an old signature fails. */
    assert_int_equal(telnyx(TX_PK, TX_SIG, "1700000100", TX_BODY, 1700000100), SB_EAUTH);
    /* One byte of the body. */
    char body[] = TX_BODY;
    body[strlen(body) - 5] = 'X';
    assert_int_equal(telnyx(TX_PK, TX_SIG, "1700000000", body, 1700000000), SB_EAUTH);
    /* A wrong key (one bit of the vector's), a wrong signature byte. */
    assert_int_equal(telnyx("11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURs=", TX_SIG, "1700000000",
                            TX_BODY, 1700000000),
                     SB_EAUTH);
    char sig[] = TX_SIG;
    sig[0] = 'M';
    assert_int_equal(telnyx(TX_PK, sig, "1700000000", TX_BODY, 1700000000), SB_EAUTH);
    /* Malformed: key, signature, timestamp; missing account key. */
    assert_int_equal(telnyx("short", TX_SIG, "1700000000", TX_BODY, 1700000000), SB_EAUTH);
    assert_int_equal(telnyx(NULL, TX_SIG, "1700000000", TX_BODY, 1700000000), SB_EAUTH);
    assert_int_equal(telnyx(TX_PK, "bm90IGEgc2ln", "1700000000", TX_BODY, 1700000000), SB_EAUTH);
    assert_int_equal(telnyx(TX_PK, TX_SIG, "1700000000.0", TX_BODY, 1700000000), SB_EAUTH);
    assert_int_equal(telnyx(TX_PK, TX_SIG, "-1", TX_BODY, 1700000000), SB_EAUTH);
    assert_int_equal(telnyx(TX_PK, TX_SIG, "", TX_BODY, 1700000000), SB_EAUTH);
}

/* ---- URL token and Basic ---------------------------------------------------------------- */

static void test_token_providers_fail_closed(void **state)
{
    static const char *const names[] = {"skebby",     "connectel", "clicksend",  "clickatell",
                                        "csctelecom", "infobip",   "intelepeer", "bandwidth"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        struct sms_account_creds c = {.webhook_token = TOKEN};
        const char *ok = "https://sb.example/api/sms/accounts/1/receive?token=" TOKEN;
        assert_int_equal(verify(names[i], &c, req("POST", ok, NULL, 0, "a=1"), 0), 0);
        /* Missing, one byte off, longer, in the body instead of the URL. */
        assert_int_equal(
            verify(names[i], &c,
                   req("POST", "https://sb.example/api/sms/accounts/1/receive", NULL, 0, "a=1"), 0),
            SB_EAUTH);
        assert_int_equal(verify(names[i], &c,
                                req("POST",
                                    "https://sb.example/x?token=tok_0123456789abcdefghijklmnopqrst"
                                    "uvwxyZ",
                                    NULL, 0, NULL),
                                0),
                         SB_EAUTH);
        assert_int_equal(verify(names[i], &c,
                                req("POST", "https://sb.example/x?token=" TOKEN "0", NULL, 0, NULL),
                                0),
                         SB_EAUTH);
        assert_int_equal(
            verify(names[i], &c, req("POST", "https://sb.example/x", NULL, 0, "token=" TOKEN), 0),
            SB_EAUTH);
        /* An account without a token (or with a short one) accepts nothing. */
        c.webhook_token = NULL;
        assert_int_equal(verify(names[i], &c, req("POST", ok, NULL, 0, NULL), 0), SB_EAUTH);
        c.webhook_token = "short";
        assert_int_equal(
            verify(names[i], &c, req("POST", "https://sb.example/x?token=short", NULL, 0, NULL), 0),
            SB_EAUTH);
    }
}

static void test_basic_where_the_provider_has_it(void **state)
{
    struct sms_account_creds c = {
        .webhook_token = TOKEN, .webhook_user = "bw-user", .webhook_password = "s3cret:pass"};
    const char *url = "https://sb.example/hook?token=" TOKEN;
    const char *good = sms_b64(&A, "bw-user:s3cret:pass", 19); /* a colon in the password */
    struct sms_kv h[] = {{"Authorization", arena_sprintf(&A, "Basic %s", good)}};
    assert_int_equal(verify("bandwidth", &c, req("POST", url, h, 1, "[]"), 0), 0);
    assert_int_equal(verify("clickatell", &c, req("POST", url, h, 1, "{}"), 0), 0);
    assert_int_equal(verify("infobip", &c, req("POST", url, h, 1, "{}"), 0), 0);
    /* Both configured: both needed. */
    assert_int_equal(verify("bandwidth", &c, req("POST", url, NULL, 0, "[]"), 0), SB_EAUTH);
    assert_int_equal(verify("bandwidth", &c, req("POST", "https://sb.example/hook", h, 1, "[]"), 0),
                     SB_EAUTH);
    const char *bad[] = {"bw-user:s3cret:pasS", "bw-usex:s3cret:pass", "bw-user", ":", ""};
    for (size_t i = 0; i < 5; i++) {
        h[0].value = arena_sprintf(&A, "Basic %s", sms_b64(&A, bad[i], strlen(bad[i])));
        assert_int_equal(verify("bandwidth", &c, req("POST", url, h, 1, "[]"), 0), SB_EAUTH);
    }
    h[0].value = "Bearer abc";
    assert_int_equal(verify("bandwidth", &c, req("POST", url, h, 1, "[]"), 0), SB_EAUTH);
    h[0].value = "Basic !!!";
    assert_int_equal(verify("bandwidth", &c, req("POST", url, h, 1, "[]"), 0), SB_EAUTH);
    /* Basic alone (no token) works for Bandwidth… */
    c.webhook_token = NULL;
    h[0].value = arena_sprintf(&A, "Basic %s", good);
    assert_int_equal(verify("bandwidth", &c, req("POST", "https://sb.example/hook", h, 1, "[]"), 0),
                     0);
    /* …but not for a provider that cannot send Basic. */
    assert_int_equal(verify("clicksend", &c, req("POST", "https://sb.example/hook", h, 1, "a"), 0),
                     SB_EAUTH);
}

/* ---- parsers --------------------------------------------------------------------------- */

static struct sms_events parse(const char *prov, const struct sms_account_creds *c,
                               struct sms_http_request rq, enum sms_hook hook, int want)
{
    struct sms_events ev = {0};
    static const struct sms_account_creds none;
    int r = sms_parse(P(prov), c ? c : &none, &rq, hook, &A, &ev);
    assert_int_equal(r, want);
    if (r)
        assert_int_equal(ev.n, 0);
    return ev;
}

static const struct sms_kv form_ct[] = {{"Content-Type", "application/x-www-form-urlencoded"}};
static const struct sms_kv json_ct[] = {{"Content-Type", "application/json"}};

static void test_parse_twilio(void **state)
{
    struct sms_events ev =
        parse("twilio", NULL,
              req("POST", "https://x/r", form_ct, 1,
                  "MessageSid=SM123&SmsSid=SM123&AccountSid=AC1&From=%2B393331234567&To=%2B39061234"
                  "&Body=Ciao+%C3%A8+tu%3F&NumMedia=2&MediaUrl0=https%3A%2F%2Fapi.twilio.com%2Fm0"
                  "&MediaContentType0=image%2Fjpeg&MediaUrl1=https%3A%2F%2Fapi.twilio.com%2Fm1"
                  "&SmsStatus=received&FromCity=ROMA"),
              SMS_HOOK_RECEIVE, 0);
    assert_int_equal(ev.n, 1);
    const struct sms_event *e = &ev.items[0];
    assert_int_equal(e->kind, SMS_EVENT_MESSAGE);
    assert_string_equal(e->provider_id, "SM123");
    assert_string_equal(e->from, "+393331234567");
    assert_string_equal(e->to, "+39061234");
    assert_string_equal(e->body, "Ciao \xc3\xa8 tu?");
    assert_int_equal(e->n_media, 2);
    assert_string_equal(e->media[0].url, "https://api.twilio.com/m0");
    assert_string_equal(e->media[0].content_type, "image/jpeg");
    assert_null(e->media[1].content_type);

    ev =
        parse("twilio", NULL,
              req("POST", "https://x/s", form_ct, 1,
                  "MessageSid=SM9&MessageStatus=undelivered&ErrorCode=30003&SmsStatus=undelivered"),
              SMS_HOOK_STATUS, 0);
    assert_int_equal(ev.items[0].kind, SMS_EVENT_STATUS);
    assert_int_equal(ev.items[0].state, SMS_STATE_UNDELIVERED);
    assert_string_equal(ev.items[0].error_code, "30003");
    assert_string_equal(ev.items[0].provider_status, "undelivered");
    /* A status callback posted to the receive URL is still a status. */
    ev = parse("twilio", NULL,
               req("POST", "https://x/r", form_ct, 1, "MessageSid=SM9&MessageStatus=delivered"),
               SMS_HOOK_RECEIVE, 0);
    assert_int_equal(ev.items[0].state, SMS_STATE_DELIVERED);
    /* No id, no sender, media count lies, too many media: refused. */
    parse("twilio", NULL, req("POST", "https://x/r", form_ct, 1, "From=1&Body=x"), SMS_HOOK_RECEIVE,
          SB_EINVAL);
    parse("twilio", NULL, req("POST", "https://x/r", form_ct, 1, "MessageSid=S&Body=x"),
          SMS_HOOK_RECEIVE, SB_EINVAL);
    parse("twilio", NULL, req("POST", "https://x/r", form_ct, 1, "MessageSid=S&From=1&NumMedia=1"),
          SMS_HOOK_RECEIVE, SB_EINVAL);
    parse("twilio", NULL, req("POST", "https://x/r", form_ct, 1, "MessageSid=S&From=1&NumMedia=11"),
          SMS_HOOK_RECEIVE, SB_ETOOBIG);
    parse("twilio", NULL, req("POST", "https://x/r", form_ct, 1, "MessageSid=S&From=1&Body=%00"),
          SMS_HOOK_RECEIVE, SB_EINVAL);
}

static void test_parse_plivo(void **state)
{
    struct sms_events ev = parse(
        "plivo", NULL,
        req("POST", "https://x/r", form_ct, 1,
            "From=14155550100&To=14155550199&Type=mms&Body=look&MessageUUID=u-1&MediaCount=2"
            "&Media1=https%3A%2F%2Fmedia.plivo.com%2F1&Media2=https%3A%2F%2Fmedia.plivo.com%2F2"),
        SMS_HOOK_RECEIVE, 0);
    assert_int_equal(ev.items[0].kind, SMS_EVENT_MESSAGE);
    assert_string_equal(ev.items[0].provider_id, "u-1");
    assert_string_equal(ev.items[0].body, "look");
    assert_int_equal(ev.items[0].n_media, 2);
    assert_string_equal(ev.items[0].media[1].url, "https://media.plivo.com/2");
    /* GET: the parameters are the query. */
    ev =
        parse("plivo", NULL,
              req("GET", "https://x/r?From=1415&To=1416&Text=hi%21&MessageUUID=u-2", NULL, 0, NULL),
              SMS_HOOK_RECEIVE, 0);
    assert_string_equal(ev.items[0].body, "hi!");
    ev = parse("plivo", NULL,
               req("POST", "https://x/s", form_ct, 1,
                   "MessageUUID=u-3&Status=failed&ErrorCode=200&To=1&From=2"),
               SMS_HOOK_STATUS, 0);
    assert_int_equal(ev.items[0].state, SMS_STATE_FAILED);
    assert_string_equal(ev.items[0].error_code, "200");
    ev = parse("plivo", NULL, req("POST", "https://x/s", form_ct, 1, "MessageUUID=u-3&Status=sent"),
               SMS_HOOK_STATUS, 0);
    assert_int_equal(ev.items[0].state, SMS_STATE_SENT);
    parse("plivo", NULL, req("POST", "https://x/s", form_ct, 1, "Status=sent"), SMS_HOOK_STATUS,
          SB_EINVAL);
}

static void test_parse_telnyx(void **state)
{
    struct sms_events ev = parse(
        "telnyx", NULL,
        req("POST", "https://x/r", json_ct, 1,
            "{\"data\":{\"record_type\":\"event\",\"id\":\"e1\",\"event_type\":\"message."
            "received\","
            "\"payload\":{\"id\":\"m-1\",\"from\":{\"phone_number\":\"+13125550001\"},\"to\":[{"
            "\"phone_number\":\"+13125550002\",\"status\":\"webhook_delivered\"}],\"text\":\"yo\","
            "\"media\":[{\"url\":\"https://m.telnyx.com/1\",\"content_type\":\"image/png\","
            "\"size\":10}],\"type\":\"MMS\",\"direction\":\"inbound\"}}}"),
        SMS_HOOK_RECEIVE, 0);
    assert_int_equal(ev.n, 1);
    assert_string_equal(ev.items[0].provider_id, "m-1");
    assert_string_equal(ev.items[0].from, "+13125550001");
    assert_string_equal(ev.items[0].to, "+13125550002");
    assert_string_equal(ev.items[0].body, "yo");
    assert_string_equal(ev.items[0].media[0].content_type, "image/png");
    ev = parse("telnyx", NULL,
               req("POST", "https://x/r", json_ct, 1,
                   "{\"data\":{\"event_type\":\"message.finalized\",\"payload\":{\"id\":\"m-2\","
                   "\"to\":[{\"phone_number\":\"+1\",\"status\":\"delivery_failed\"}],\"errors\":[{"
                   "\"code\":\"40008\",\"title\":\"Undeliverable\"}]}}}"),
               SMS_HOOK_RECEIVE, 0);
    assert_int_equal(ev.items[0].kind, SMS_EVENT_STATUS);
    assert_int_equal(ev.items[0].state, SMS_STATE_UNDELIVERED);
    assert_string_equal(ev.items[0].error_code, "40008");
    ev = parse("telnyx", NULL,
               req("POST", "https://x/r", json_ct, 1,
                   "{\"data\":{\"event_type\":\"message.sent\",\"payload\":{\"id\":\"m-2\","
                   "\"to\":[{\"status\":\"sent\"}],\"errors\":[]}}}"),
               SMS_HOOK_STATUS, 0);
    assert_int_equal(ev.items[0].state, SMS_STATE_SENT);
    assert_null(ev.items[0].error_code);
    /* An event we do not track: nothing, not an error. */
    ev = parse("telnyx", NULL,
               req("POST", "https://x/r", json_ct, 1,
                   "{\"data\":{\"event_type\":\"number_order.complete\",\"payload\":{}}}"),
               SMS_HOOK_RECEIVE, 0);
    assert_int_equal(ev.n, 0);
    parse("telnyx", NULL, req("POST", "https://x/r", json_ct, 1, "{\"data\":"), SMS_HOOK_RECEIVE,
          SB_EINVAL);
    parse("telnyx", NULL, req("POST", "https://x/r", json_ct, 1, "{\"a\":1,\"a\":2}"),
          SMS_HOOK_RECEIVE, SB_EINVAL);
    parse("telnyx", NULL,
          req("POST", "https://x/r", json_ct, 1,
              "{\"data\":{\"event_type\":\"message.received\",\"payload\":{\"id\":7,\"from\":{"
              "\"phone_number\":[]}}}}"),
          SMS_HOOK_RECEIVE, SB_EINVAL);
}

static void test_parse_bandwidth(void **state)
{
    struct sms_events ev = parse(
        "bandwidth", NULL,
        req("POST", "https://x/r", json_ct, 1,
            "[{\"type\":\"message-received\",\"time\":\"2024-01-01T00:00:00Z\",\"description\":"
            "\"Incoming message received\",\"to\":\"+15552223333\",\"message\":{\"id\":\"bw-1\","
            "\"owner\":\"+15552223333\",\"applicationId\":\"app\",\"direction\":\"in\",\"to\":["
            "\"+15552223333\"],\"from\":\"+15554443333\",\"text\":\"hey\",\"media\":["
            "\"https://messaging.bandwidth.com/api/v2/users/1/media/a.jpg\"]}},"
            "{\"type\":\"message-delivered\",\"to\":\"+1555\",\"message\":{\"id\":\"bw-0\"}},"
            "{\"type\":\"message-failed\",\"errorCode\":4432,\"message\":{\"id\":\"bw-9\"}},"
            "{\"type\":\"something-else\",\"message\":{\"id\":\"bw-x\"}}]"),
        SMS_HOOK_RECEIVE, 0);
    assert_int_equal(ev.n, 3);
    assert_int_equal(ev.items[0].kind, SMS_EVENT_MESSAGE);
    assert_string_equal(ev.items[0].from, "+15554443333");
    assert_string_equal(ev.items[0].to, "+15552223333");
    assert_int_equal(ev.items[0].n_media, 1);
    assert_int_equal(ev.items[1].state, SMS_STATE_DELIVERED);
    assert_int_equal(ev.items[2].state, SMS_STATE_FAILED);
    assert_string_equal(ev.items[2].error_code, "4432");
    parse("bandwidth", NULL, req("POST", "https://x/r", json_ct, 1, "{}"), SMS_HOOK_RECEIVE,
          SB_EINVAL);
    parse(
        "bandwidth", NULL,
        req("POST", "https://x/r", json_ct, 1, "[{\"type\":\"message-received\",\"message\":{}}]"),
        SMS_HOOK_RECEIVE, SB_EINVAL);
}

static void test_parse_infobip(void **state)
{
    struct sms_events ev = parse(
        "infobip", NULL,
        req("POST", "https://x/r", json_ct, 1,
            "{\"results\":[{\"messageId\":\"ib-1\",\"from\":\"385916242493\",\"to\":"
            "\"385921004026\","
            "\"text\":\"QUIZ Correct answer is Paris\",\"cleanText\":\"Correct answer is Paris\","
            "\"keyword\":\"QUIZ\",\"receivedAt\":\"2024-01-01T00:00:00.000+0000\",\"smsCount\":1,"
            "\"price\":{\"pricePerMessage\":0,\"currency\":\"EUR\"}}],\"messageCount\":1,"
            "\"pendingMessageCount\":0}"),
        SMS_HOOK_RECEIVE, 0);
    assert_int_equal(ev.n, 1);
    assert_string_equal(ev.items[0].body, "QUIZ Correct answer is Paris");
    assert_string_equal(ev.items[0].from, "385916242493");
    ev = parse(
        "infobip", NULL,
        req("POST", "https://x/s", json_ct, 1,
            "{\"results\":[{\"bulkId\":\"b\",\"messageId\":\"ib-2\",\"to\":\"41793026727\","
            "\"status\":{\"groupId\":3,\"groupName\":\"DELIVERED\",\"id\":5,\"name\":"
            "\"DELIVERED_TO_HANDSET\"},\"error\":{\"groupId\":0,\"id\":0,\"name\":\"NO_ERROR\","
            "\"permanent\":false}},{\"messageId\":\"ib-3\",\"status\":{\"groupId\":5,"
            "\"groupName\":\"REJECTED\",\"id\":12,\"name\":\"REJECTED_NOT_ENOUGH_CREDITS\"},"
            "\"error\":{\"id\":12,\"name\":\"EC_X\"}},{\"messageId\":\"ib-4\",\"status\":{"
            "\"groupId\":1,\"id\":7,\"name\":\"PENDING_ENROUTE\"}}]}"),
        SMS_HOOK_STATUS, 0);
    assert_int_equal(ev.n, 3);
    assert_int_equal(ev.items[0].state, SMS_STATE_DELIVERED);
    assert_null(ev.items[0].error_code);
    assert_string_equal(ev.items[0].provider_status, "DELIVERED_TO_HANDSET");
    assert_int_equal(ev.items[1].state, SMS_STATE_FAILED);
    assert_string_equal(ev.items[1].error_code, "12");
    assert_int_equal(ev.items[2].state, SMS_STATE_SENT);
    parse("infobip", NULL, req("POST", "https://x/s", json_ct, 1, "{\"results\":{}}"),
          SMS_HOOK_STATUS, SB_EINVAL);
}

static void test_parse_clicksend(void **state)
{
    /* The three webhook types of an inbound rule: post (form), get (query), json. */
    const char *form = "timestamp=1700000000&from=%2B61411111111&to=%2B61422222222&body=Hi+there"
                       "&message_id=cs-1&custom_string=&user_id=42";
    struct sms_events ev =
        parse("clicksend", NULL, req("POST", "https://x/r", form_ct, 1, form), SMS_HOOK_RECEIVE, 0);
    assert_string_equal(ev.items[0].provider_id, "cs-1");
    assert_string_equal(ev.items[0].body, "Hi there");
    ev = parse("clicksend", NULL,
               req("GET", "https://x/r?token=t&from=%2B614&body=q&message_id=cs-2", NULL, 0, NULL),
               SMS_HOOK_RECEIVE, 0);
    assert_string_equal(ev.items[0].from, "+614");
    ev = parse("clicksend", NULL,
               req("POST", "https://x/r", json_ct, 1,
                   "{\"from\":\"+614\",\"to\":\"+615\",\"body\":\"j\",\"message_id\":\"cs-3\"}"),
               SMS_HOOK_RECEIVE, 0);
    assert_string_equal(ev.items[0].body, "j");
    ev =
        parse("clicksend", NULL,
              req("POST", "https://x/s", form_ct, 1,
                  "message_id=cs-4&status=Undelivered&status_code=301&error_code=301&error_text=x"),
              SMS_HOOK_STATUS, 0);
    assert_int_equal(ev.items[0].state, SMS_STATE_UNDELIVERED);
    assert_string_equal(ev.items[0].error_code, "301");
    /* Field names are options. */
    struct sms_account_creds c = {.options_json = "{\"in_text\":\"message\"}"};
    ev = parse("clicksend", &c,
               req("POST", "https://x/r", form_ct, 1, "from=1&message=renamed&message_id=9"),
               SMS_HOOK_RECEIVE, 0);
    assert_string_equal(ev.items[0].body, "renamed");
}

static void test_parse_clickatell(void **state)
{
    struct sms_events ev = parse(
        "clickatell", NULL,
        req("POST", "https://x/r", json_ct, 1,
            "{\"integrationId\":\"i\",\"integrationName\":\"n\",\"event\":{\"moText\":[{"
            "\"channel\":"
            "\"sms\",\"messageId\":\"ck-1\",\"relatedMessageId\":null,\"from\":\"2799900001\","
            "\"to\":\"2799900002\",\"timestamp\":1700000000000,\"content\":\"hello\",\"charset\":"
            "\"UTF-8\"}],\"moMedia\":[{\"messageId\":\"ck-2\",\"from\":\"2799900001\",\"to\":"
            "\"27\","
            "\"contentType\":\"image/png\",\"content\":\"iVBORw0KGgo=\",\"caption\":\"pic\"}]}}"),
        SMS_HOOK_RECEIVE, 0);
    assert_int_equal(ev.n, 2);
    assert_string_equal(ev.items[0].body, "hello");
    assert_int_equal(ev.items[1].n_media, 1);
    assert_null(ev.items[1].media[0].url);
    assert_string_equal(ev.items[1].media[0].data_b64, "iVBORw0KGgo=");
    assert_string_equal(ev.items[1].body, "pic");
    ev = parse(
        "clickatell", NULL,
        req("POST", "https://x/s", json_ct, 1,
            "{\"event\":{\"messageStatusUpdate\":[{\"channel\":\"sms\",\"messageId\":\"ck-3\","
            "\"status\":\"DELIVERED_TO_GATEWAY\",\"statusCode\":4,\"timestamp\":1},{"
            "\"messageId\":\"ck-4\",\"status\":\"RECIPIENT_DOES_NOT_EXIST\",\"statusCode\":"
            "29}]}}"),
        SMS_HOOK_STATUS, 0);
    assert_int_equal(ev.items[0].state, SMS_STATE_SENT);
    assert_int_equal(ev.items[1].state, SMS_STATE_UNDELIVERED);
    assert_string_equal(ev.items[1].error_code, "29");
    /* The GET status variant and the legacy codes. */
    ev = parse(
        "clickatell", NULL,
        req("GET", "https://x/s?messageId=ck-5&statusCode=004&status=RECEIVED", NULL, 0, NULL),
        SMS_HOOK_STATUS, 0);
    assert_int_equal(ev.items[0].state, SMS_STATE_DELIVERED);
    /* Legacy reply callback. */
    ev = parse("clickatell", NULL,
               req("POST", "https://x/r", form_ct, 1,
                   "integrationName=n&messageId=ck-6&fromNumber=2799&toNumber=2788&text=old+api"),
               SMS_HOOK_RECEIVE, 0);
    assert_string_equal(ev.items[0].body, "old api");
    parse("clickatell", NULL,
          req("POST", "https://x/r", json_ct, 1, "{\"event\":{\"moText\":[{\"from\":\"1\"}]}}"),
          SMS_HOOK_RECEIVE, SB_EINVAL);
}

static void test_parse_custom_formats(void **state)
{
    /* Skebby, Connectel, CSCTelecom, IntelePeer: configurable names with defaults. */
    struct sms_events ev =
        parse("skebby", NULL,
              req("POST", "https://x/r", form_ct, 1,
                  "sender=%2B393331112222&receiver=%2B393400000000&text=ciao&date=2024-01-01"),
              SMS_HOOK_RECEIVE, 0);
    assert_string_equal(ev.items[0].from, "+393331112222");
    /* No id from the provider: a stable one from the bytes, so a retry is the same message. */
    assert_memory_equal(ev.items[0].provider_id, "sha256:", 7);
    const char *first = ev.items[0].provider_id;
    ev = parse("skebby", NULL,
               req("POST", "https://x/r", form_ct, 1,
                   "sender=%2B393331112222&receiver=%2B393400000000&text=ciao&date=2024-01-01"),
               SMS_HOOK_RECEIVE, 0);
    assert_string_equal(ev.items[0].provider_id, first);
    ev = parse("skebby", NULL,
               req("POST", "https://x/r", form_ct, 1,
                   "sender=%2B393331112222&receiver=%2B393400000000&text=ciao&date=2024-01-02"),
               SMS_HOOK_RECEIVE, 0);
    assert_string_not_equal(ev.items[0].provider_id, first);
    ev = parse("skebby", NULL, req("POST", "https://x/s", form_ct, 1, "order_id=o1&status=DLVRD"),
               SMS_HOOK_STATUS, 0);
    assert_int_equal(ev.items[0].state, SMS_STATE_DELIVERED);
    /* CSCTelecom's delivery URL carries the placeholders the provider fills in. */
    assert_string_equal(sms_provider_dlr_query(P("csctelecom")),
                        "message_id=<Message-Id>&state=<State>");
    ev = parse("csctelecom", NULL,
               req("GET", "https://x/s?token=t&message_id=c-1&state=UNDELIV", NULL, 0, NULL),
               SMS_HOOK_STATUS, 0);
    assert_string_equal(ev.items[0].provider_id, "c-1");
    assert_int_equal(ev.items[0].state, SMS_STATE_UNDELIVERED);
    /* A status map from the options wins over the common words. */
    struct sms_account_creds c = {.options_json =
                                      "{\"status_map\":{\"7\":\"delivered\"},"
                                      "\"records_path\":\"items\",\"in_text\":\"body\"}"};
    ev = parse("connectel", &c,
               req("POST", "https://x/s", json_ct, 1, "{\"items\":[{\"id\":\"k\",\"status\":7}]}"),
               SMS_HOOK_STATUS, 0);
    assert_int_equal(ev.items[0].state, SMS_STATE_DELIVERED);
    ev = parse(
        "connectel", &c,
        req("POST", "https://x/r", json_ct, 1,
            "{\"items\":[{\"id\":\"a\",\"from\":\"+1\",\"body\":\"x\"},{\"id\":\"b\",\"from\":"
            "\"+2\",\"body\":\"y\"}]}"),
        SMS_HOOK_RECEIVE, 0);
    assert_int_equal(ev.n, 2);
    assert_string_equal(ev.items[1].body, "y");
    ev = parse("intelepeer", NULL,
               req("POST", "https://x/r", json_ct, 1,
                   "{\"id\":\"ip-1\",\"from\":\"+15551212\",\"to\":\"1-12345\",\"text\":\"t\"}"),
               SMS_HOOK_RECEIVE, 0);
    assert_string_equal(ev.items[0].to, "1-12345");
    parse("intelepeer", NULL, req("POST", "https://x/r", json_ct, 1, "{\"text\":\"t\"}"),
          SMS_HOOK_RECEIVE, SB_EINVAL);
    parse("intelepeer", NULL, req("POST", "https://x/s", json_ct, 1, "{\"id\":\"x\"}"),
          SMS_HOOK_STATUS, SB_EINVAL);
}

static void test_parse_caps(void **state)
{
    /* Over-long fields are refused, never truncated. */
    size_t n = SMS_FIELD_MAX + 1;
    char *big = arena_alloc(&A, n + 64);
    strcpy(big, "MessageSid=");
    memset(big + 11, 'a', n);
    strcpy(big + 11 + n, "&From=1");
    parse("twilio", NULL, req("POST", "https://x/r", form_ct, 1, big), SMS_HOOK_RECEIVE,
          SB_ETOOBIG);
    /* More than SMS_EVENTS_MAX records. */
    struct buf_like {
        char *p;
        size_t len;
    } b = {arena_alloc(&A, 64 * 1024), 0};
    b.len += (size_t)sprintf(b.p, "[");
    for (int i = 0; i <= SMS_EVENTS_MAX; i++)
        b.len += (size_t)sprintf(b.p + b.len,
                                 "%s{\"type\":\"message-delivered\",\"message\":{\"id\":\"%d\"}}",
                                 i ? "," : "", i);
    sprintf(b.p + b.len, "]");
    parse("bandwidth", NULL, req("POST", "https://x/r", json_ct, 1, b.p), SMS_HOOK_STATUS,
          SB_ETOOBIG);
}

/* ---- send builders --------------------------------------------------------------------- */

static const struct sms_env test_env = {.test_base_url = "http://127.0.0.1:4010/"};

static const char *hdr(const struct sms_http_out *o, const char *name)
{
    for (size_t i = 0; i < o->n_headers; i++)
        if (!strcasecmp(o->headers[i].name, name))
            return o->headers[i].value;
    return NULL;
}

static struct sms_http_out build(const char *prov, const struct sms_account_creds *c,
                                 const struct sms_env *env, const struct sms_outbound *m,
                                 const char *session, int want)
{
    struct sms_http_out o;
    const char *why = NULL;
    int r = sms_build_send(P(prov), c, env, m, session, &A, &o, &why);
    assert_int_equal(r, want);
    if (r)
        assert_non_null(why);
    return o;
}

static json_t *body_json(const struct sms_http_out *o)
{
    json_error_t e;
    json_t *j = json_loadb(o->body, o->body_len, 0, &e);
    assert_non_null(j);
    return j;
}

static const char *basic(const char *u, const char *p)
{
    return arena_sprintf(&A, "Basic %s",
                         sms_b64(&A, arena_sprintf(&A, "%s:%s", u, p), strlen(u) + strlen(p) + 1));
}

static const char *media[] = {"https://sb.example/m/1.png"};
static const struct sms_outbound msg = {.to = "+393331234567",
                                        .body = "Hello & welcome",
                                        .media_urls = media,
                                        .n_media = 1,
                                        .status_url = "https://sb.example/status?token=x",
                                        .reference = "m42"};

static void test_send_twilio(void **state)
{
    struct sms_account_creds c = {.account_id = "AC0123456789abcdef0123456789abcdef",
                                  .auth_token = "tok",
                                  .phone = "+14155550100"};
    struct sms_http_out o = build("twilio", &c, NULL, &msg, NULL, 0);
    assert_string_equal(o.method, "POST");
    assert_string_equal(o.url, "https://api.twilio.com/2010-04-01/Accounts/"
                               "AC0123456789abcdef0123456789abcdef/Messages.json");
    assert_string_equal(hdr(&o, "Authorization"),
                        basic("AC0123456789abcdef0123456789abcdef", "tok"));
    assert_string_equal(hdr(&o, "Content-Type"), "application/x-www-form-urlencoded");
    assert_string_equal(o.body, "To=%2B393331234567&From=%2B14155550100&Body=Hello%20%26%20welcome"
                                "&MediaUrl=https%3A%2F%2Fsb.example%2Fm%2F1.png&StatusCallback="
                                "https%3A%2F%2Fsb.example%2Fstatus%3Ftoken%3Dx");
    assert_false(o.pin);
    /* The test override points it at loopback, path kept. */
    o = build("twilio", &c, &test_env, &msg, NULL, 0);
    assert_string_equal(o.url, "http://127.0.0.1:4010/twilio/2010-04-01/Accounts/"
                               "AC0123456789abcdef0123456789abcdef/Messages.json");
    c.auth_token = NULL;
    build("twilio", &c, NULL, &msg, NULL, SB_EINVALID);
    c.auth_token = "tok";
    c.phone = NULL;
    build("twilio", &c, NULL, &msg, NULL, SB_EINVALID);
    struct sms_outbound empty = msg;
    empty.to = "";
    c.phone = "+1";
    build("twilio", &c, NULL, &empty, NULL, SB_EINVAL);
}

static void test_send_json_providers(void **state)
{
    /* Plivo: numbers without "+", sender first. */
    struct sms_account_creds pl = {
        .account_id = "MAXXX", .auth_token = "t", .phone = "+14155550100", .sender = "ACME"};
    struct sms_http_out o = build("plivo", &pl, NULL, &msg, NULL, 0);
    assert_string_equal(o.url, "https://api.plivo.com/v1/Account/MAXXX/Message/");
    assert_string_equal(hdr(&o, "Authorization"), basic("MAXXX", "t"));
    json_t *j = body_json(&o);
    assert_string_equal(json_string_value(json_object_get(j, "src")), "ACME");
    assert_string_equal(json_string_value(json_object_get(j, "dst")), "393331234567");
    assert_string_equal(json_string_value(json_object_get(j, "text")), "Hello & welcome");
    assert_string_equal(json_string_value(json_object_get(j, "url")), msg.status_url);
    assert_string_equal(json_string_value(json_object_get(j, "type")), "mms");
    json_decref(j);

    struct sms_account_creds tx = {.api_key = "KEY123", .phone = "+13125550001"};
    o = build("telnyx", &tx, NULL, &msg, NULL, 0);
    assert_string_equal(o.url, "https://api.telnyx.com/v2/messages");
    assert_string_equal(hdr(&o, "Authorization"), "Bearer KEY123");
    j = body_json(&o);
    assert_string_equal(json_string_value(json_object_get(j, "to")), "+393331234567");
    assert_string_equal(json_string_value(json_object_get(j, "from")), "+13125550001");
    assert_string_equal(json_string_value(json_object_get(j, "webhook_url")), msg.status_url);
    assert_int_equal(json_array_size(json_object_get(j, "media_urls")), 1);
    json_decref(j);

    struct sms_account_creds bw = {.account_id = "9900000",
                                   .application_id = "app-1",
                                   .username = "u",
                                   .password = "p",
                                   .phone = "+15554443333"};
    o = build("bandwidth", &bw, NULL, &msg, NULL, 0);
    assert_string_equal(o.url, "https://messaging.bandwidth.com/api/v2/users/9900000/messages");
    assert_string_equal(hdr(&o, "Authorization"), basic("u", "p"));
    j = body_json(&o);
    assert_string_equal(json_string_value(json_object_get(j, "applicationId")), "app-1");
    assert_string_equal(json_string_value(json_array_get(json_object_get(j, "to"), 0)),
                        "+393331234567");
    assert_string_equal(json_string_value(json_object_get(j, "tag")), "m42");
    json_decref(j);
    bw.application_id = NULL;
    build("bandwidth", &bw, NULL, &msg, NULL, SB_EINVALID);

    struct sms_account_creds cs = {.username = "user", .api_key = "K", .sender = "ACME"};
    o = build("clicksend", &cs, NULL, &msg, NULL, 0);
    assert_string_equal(o.url, "https://rest.clicksend.com/v3/sms/send");
    assert_string_equal(hdr(&o, "Authorization"), basic("user", "K"));
    j = body_json(&o);
    json_t *c0 = json_array_get(json_object_get(j, "messages"), 0);
    assert_string_equal(json_string_value(json_object_get(c0, "body")), "Hello & welcome");
    assert_string_equal(json_string_value(json_object_get(c0, "from")), "ACME");
    assert_string_equal(json_string_value(json_object_get(c0, "custom_string")), "m42");
    json_decref(j);

    struct sms_account_creds ck = {.api_key = "CKKEY", .phone = "+2799900000"};
    o = build("clickatell", &ck, NULL, &msg, NULL, 0);
    assert_string_equal(o.url, "https://platform.clickatell.com/v1/message");
    assert_string_equal(hdr(&o, "Authorization"), "CKKEY"); /* no scheme, as Clickatell wants */
    j = body_json(&o);
    json_t *m0 = json_array_get(json_object_get(j, "messages"), 0);
    assert_string_equal(json_string_value(json_object_get(m0, "to")), "393331234567");
    assert_string_equal(json_string_value(json_object_get(m0, "channel")), "sms");
    json_decref(j);
}

static void test_send_skebby_session(void **state)
{
    struct sms_account_creds c = {
        .username = "u", .password = "p", .method = "classic_plus", .sender = "ACME"};
    assert_true(sms_needs_session(P("skebby"), &c));
    assert_false(sms_needs_session(P("twilio"), &c));
    struct sms_http_out o;
    const char *why;
    assert_int_equal(sms_build_login(P("skebby"), &c, NULL, &A, &o, &why), 0);
    assert_string_equal(o.method, "GET");
    assert_string_equal(o.url, "https://api.skebby.it/API/v1.0/REST/login");
    assert_string_equal(hdr(&o, "Authorization"), basic("u", "p"));
    const char *session = NULL;
    assert_int_equal(sms_parse_login(P("skebby"), 200, "UK123;SK456\n", 12, &A, &session), 0);
    assert_string_equal(session, "UK123;SK456");
    assert_int_equal(sms_parse_login(P("skebby"), 401, "", 0, &A, &session), SB_EAUTH);
    assert_int_equal(sms_parse_login(P("skebby"), 503, "", 0, &A, &session), SB_EUNAVAIL);
    assert_int_equal(sms_parse_login(P("skebby"), 200, "garbage", 7, &A, &session), SB_EAUTH);
    assert_int_equal(sms_parse_login(P("twilio"), 200, "a;b", 3, &A, &session), SB_ENOTFOUND);
    /* Without a session there is nothing to send with. */
    build("skebby", &c, NULL, &msg, NULL, SB_EAUTH);
    o = build("skebby", &c, NULL, &msg, "UK123;SK456", 0);
    assert_string_equal(o.url, "https://api.skebby.it/API/v1.0/REST/sms");
    assert_string_equal(hdr(&o, "user_key"), "UK123");
    assert_string_equal(hdr(&o, "Session_key"), "SK456");
    json_t *j = body_json(&o);
    assert_string_equal(json_string_value(json_object_get(j, "message_type")), "GP");
    assert_string_equal(json_string_value(json_object_get(j, "sender")), "ACME");
    assert_string_equal(json_string_value(json_object_get(j, "order_id")), "m42");
    json_decref(j);
    c.method = "basic";
    o = build("skebby", &c, NULL, &msg, "UK123;SK456", 0);
    j = body_json(&o);
    assert_string_equal(json_string_value(json_object_get(j, "message_type")), "SI");
    assert_null(json_object_get(j, "sender")); /* Basic has no sender */
    json_decref(j);
    c.method = "platinum";
    build("skebby", &c, NULL, &msg, "UK123;SK456", SB_EINVALID);
}

static void test_send_user_base_urls(void **state)
{
    struct sms_account_creds ib = {.username = "u",
                                   .password = "p",
                                   .base_url = "https://xk3p9.api.infobip.com",
                                   .sender = "ACME"};
    struct sms_http_out o = build("infobip", &ib, NULL, &msg, NULL, 0);
    assert_string_equal(o.url, "https://xk3p9.api.infobip.com/sms/3/messages");
    assert_true(o.pin); /* a user-set host: connect only through the pinned address */
    assert_string_equal(o.host, "xk3p9.api.infobip.com");
    assert_string_equal(hdr(&o, "Authorization"), basic("u", "p"));
    json_t *j = body_json(&o);
    json_t *m0 = json_array_get(json_object_get(j, "messages"), 0);
    assert_string_equal(json_string_value(json_object_get(m0, "sender")), "ACME");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(m0, "destinations"), 0), "to")),
                        "393331234567");
    assert_string_equal(json_string_value(json_object_get(json_object_get(m0, "content"), "text")),
                        "Hello & welcome");
    json_decref(j);
    ib.api_key = "IBKEY";
    ib.options_json = "{\"api\":\"v2\"}";
    o = build("infobip", &ib, NULL, &msg, NULL, 0);
    assert_string_equal(o.url, "https://xk3p9.api.infobip.com/sms/2/text/advanced");
    assert_string_equal(hdr(&o, "Authorization"), "App IBKEY");
    /* A base URL outside Infobip's domain is refused before anything is sent. */
    ib.base_url = "https://169.254.169.254";
    build("infobip", &ib, NULL, &msg, NULL, SB_EINVALID);
    ib.base_url = "https://evil.example/api.infobip.com";
    build("infobip", &ib, NULL, &msg, NULL, SB_EINVALID);
    /* Tests may point it at loopback. */
    o = build("infobip", &ib, &test_env, &msg, NULL, 0);
    assert_string_equal(o.url, "http://127.0.0.1:4010/infobip/sms/2/text/advanced");
    assert_false(o.pin);

    struct sms_account_creds csc = {
        .api_key = "CK", .base_url = "https://sms.csc.example", .phone = "+3906"};
    build("csctelecom", &csc, NULL, &msg, NULL, SB_EINVALID); /* not allow-listed */
    struct sms_env allow = {.allowed_hosts = "other.example, sms.csc.example"};
    o = build("csctelecom", &csc, &allow, &msg, NULL, 0);
    assert_string_equal(o.url, "https://sms.csc.example/api/sms/send");
    assert_true(o.pin);
    assert_string_equal(hdr(&o, "Authorization"), "Bearer CK");
}

static void test_send_custom_providers(void **state)
{
    struct sms_account_creds cn = {.auth_token = "CT", .sender = "ACME"};
    struct sms_http_out o = build("connectel", &cn, NULL, &msg, NULL, 0);
    assert_string_equal(hdr(&o, "Authorization"), "Bearer CT");
    json_t *j = body_json(&o);
    assert_string_equal(json_string_value(json_object_get(j, "text")), "Hello & welcome");
    assert_string_equal(json_string_value(json_object_get(j, "from")), "ACME");
    json_decref(j);
    /* Every unknown part is an option: URL, auth header, body shape, names, number format. */
    cn.options_json = "{\"send_url\":\"https://api.connectel.example/v2/{account_id}/sms\","
                      "\"auth\":\"header:X-Api-Token:auth_token\",\"body_format\":\"form\","
                      "\"field_text\":\"message\",\"field_to\":\"msisdn\",\"number_format\":"
                      "\"digits\",\"field_status_url\":\"-\"}";
    cn.account_id = "a/b";
    build("connectel", &cn, NULL, &msg, NULL, SB_EINVALID); /* the host is not allow-listed */
    struct sms_env allow = {.allowed_hosts = "api.connectel.example"};
    o = build("connectel", &cn, &allow, &msg, NULL, 0);
    assert_string_equal(o.url, "https://api.connectel.example/v2/a%2Fb/sms");
    assert_true(o.pin);
    assert_string_equal(hdr(&o, "X-Api-Token"), "CT");
    assert_null(hdr(&o, "Authorization"));
    assert_string_equal(o.body, "msisdn=393331234567&from=ACME&message=Hello%20%26%20welcome"
                                "&reference=m42&media_urls=https%3A%2F%2Fsb.example%2Fm%2F1.png");
    /* Everything returned outlives the options text (ASan would see a use after free). */
    cn.options_json = "{\"send_method\":\"PUT\",\"auth\":\"raw:auth_token\","
                      "\"field_text\":\"sms_text\"}";
    o = build("connectel", &cn, NULL, &msg, NULL, 0);
    assert_string_equal(o.method, "PUT");
    assert_string_equal(hdr(&o, "Authorization"), "CT");
    j = body_json(&o);
    assert_string_equal(json_string_value(json_object_get(j, "sms_text")), "Hello & welcome");
    json_decref(j);
    cn.options_json = "{\"send_method\":\"DELETE\"}";
    build("connectel", &cn, NULL, &msg, NULL, SB_EINVALID);
    cn.options_json = "{\"auth\":\"bearer:password\"}";
    build("connectel", &cn, NULL, &msg, NULL, SB_EINVALID); /* no password on the account */
    cn.options_json = "{\"auth\":\"header:Bad Name\"}";
    build("connectel", &cn, NULL, &msg, NULL, SB_EINVALID);
    cn.options_json = "[1]";
    build("connectel", &cn, NULL, &msg, NULL, SB_EINVALID);
    cn.options_json = "{\"send_url\":\"http://plain.example/x\"}";
    build("connectel", &cn, NULL, &msg, NULL, SB_EINVALID);

    struct sms_account_creds ip = {.api_key = "IPK", .phone = "1-12345"};
    o = build("intelepeer", &ip, NULL, &msg, NULL, 0);
    assert_string_equal(o.url, "https://api.intelepeer.com/_rest/v4/app/sms/send");
    assert_string_equal(hdr(&o, "Authorization"), "Bearer IPK");
    j = body_json(&o);
    assert_string_equal(json_string_value(json_object_get(j, "from")), "1-12345");
    json_decref(j);
    ip.api_key = NULL;
    build("intelepeer", &ip, NULL, &msg, NULL, SB_EINVALID);
}

/* ---- send answers ---------------------------------------------------------------------- */

static struct sms_send_result answer(const char *prov, long status, const char *body)
{
    struct sms_send_result r;
    static const struct sms_account_creds none;
    assert_int_equal(sms_parse_send(P(prov), &none, status, body, body ? strlen(body) : 0, &A, &r),
                     0);
    return r;
}

static void test_send_answers(void **state)
{
    struct sms_send_result r = answer("twilio", 201, "{\"sid\":\"SMabc\",\"status\":\"queued\"}");
    assert_int_equal(r.outcome, SMS_SEND_ACCEPTED);
    assert_string_equal(r.provider_id, "SMabc");
    assert_int_equal(r.state, SMS_STATE_QUEUED);
    r = answer("twilio", 400, "{\"code\":21211,\"message\":\"Invalid 'To'\",\"status\":400}");
    assert_int_equal(r.outcome, SMS_SEND_FAILED);
    assert_string_equal(r.error_code, "21211");
    r = answer("twilio", 429, "{\"code\":20429}");
    assert_int_equal(r.outcome, SMS_SEND_RETRY);
    r = answer("twilio", 503, "<html>");
    assert_int_equal(r.outcome, SMS_SEND_RETRY);
    assert_string_equal(r.error_code, "HTTP 503");
    r = answer("twilio", 0, NULL);
    assert_int_equal(r.outcome, SMS_SEND_RETRY);
    /* A 2xx is accepted even when its body is unreadable: never send it twice. */
    r = answer("twilio", 201, "garbage");
    assert_int_equal(r.outcome, SMS_SEND_ACCEPTED);
    assert_null(r.provider_id);

    r = answer(
        "plivo", 202,
        "{\"message\":\"message(s) queued\",\"message_uuid\":[\"db3ce55a\"],\"api_id\":\"x\"}");
    assert_string_equal(r.provider_id, "db3ce55a");
    r = answer("plivo", 401, "{\"error\":\"not authorized\"}");
    assert_int_equal(r.outcome, SMS_SEND_FAILED);
    r = answer("telnyx", 200, "{\"data\":{\"id\":\"40385f64\",\"to\":[{\"status\":\"queued\"}]}}");
    assert_string_equal(r.provider_id, "40385f64");
    r = answer("telnyx", 422, "{\"errors\":[{\"code\":\"40310\"}]}");
    assert_string_equal(r.error_code, "40310");
    r = answer("bandwidth", 202, "{\"id\":\"1589228074636lm4k2je7j7jklbn2\",\"owner\":\"+1\"}");
    assert_string_equal(r.provider_id, "1589228074636lm4k2je7j7jklbn2");
    r = answer("infobip", 200,
               "{\"bulkId\":\"b\",\"messages\":[{\"messageId\":\"ib-9\",\"status\":{\"groupId\":1,"
               "\"groupName\":\"PENDING\",\"id\":26,\"name\":\"PENDING_ACCEPTED\"}}]}");
    assert_string_equal(r.provider_id, "ib-9");
    r = answer("infobip", 200,
               "{\"messages\":[{\"messageId\":\"ib-8\",\"status\":{\"groupId\":5,\"name\":"
               "\"REJECTED_DESTINATION\"}}]}");
    assert_int_equal(r.outcome, SMS_SEND_FAILED);
    assert_string_equal(r.error_code, "REJECTED_DESTINATION");
    r = answer("clicksend", 200,
               "{\"http_code\":200,\"response_code\":\"SUCCESS\",\"data\":{\"messages\":[{"
               "\"message_id\":\"cs-9\",\"status\":\"SUCCESS\"}]}}");
    assert_string_equal(r.provider_id, "cs-9");
    r = answer("clicksend", 200,
               "{\"response_code\":\"SUCCESS\",\"data\":{\"messages\":[{\"message_id\":\"x\","
               "\"status\":\"INVALID_RECIPIENT\"}]}}");
    assert_int_equal(r.outcome, SMS_SEND_FAILED);
    assert_string_equal(r.error_code, "INVALID_RECIPIENT");
    r = answer("clickatell", 202,
               "{\"messages\":[{\"apiMessageId\":\"02ca87\",\"accepted\":true,\"to\":\"27\"}],"
               "\"error\":null}");
    assert_string_equal(r.provider_id, "02ca87");
    r = answer("clickatell", 202,
               "{\"messages\":[{\"accepted\":false,\"error\":{\"code\":\"105\"}}],\"error\":null}");
    assert_int_equal(r.outcome, SMS_SEND_FAILED);
    assert_string_equal(r.error_code, "105");
    r = answer("skebby", 201, "{\"result\":\"OK\",\"order_id\":\"o-1\",\"total_sent\":1}");
    assert_string_equal(r.provider_id, "o-1");
    r = answer("skebby", 401, "");
    assert_int_equal(r.outcome, SMS_SEND_REAUTH);
    r = answer("connectel", 200, "{\"id\":\"cn-1\"}");
    assert_string_equal(r.provider_id, "cn-1");
    r = answer("intelepeer", 500, "{}");
    assert_int_equal(r.outcome, SMS_SEND_RETRY);
}

/* ---- SSRF ------------------------------------------------------------------------------ */

static int base(const char *prov, const char *url, const struct sms_env *env, char *host)
{
    const char *why = NULL;
    int r = sms_base_url_check(P(prov), url, env, host, 256, &why);
    if (r)
        assert_non_null(why);
    return r;
}

static void test_base_url_guard(void **state)
{
    char h[256];
    assert_int_equal(base("infobip", "https://XK3P9.api.infobip.com/", NULL, h), 0);
    assert_string_equal(h, "xk3p9.api.infobip.com");
    assert_int_equal(base("infobip", "xk3p9.api.infobip.com", NULL, h), 0);
    assert_int_equal(base("infobip", "https://api.infobip.com", NULL, h), 0);
    assert_int_equal(base("infobip", "https://xk3p9.api.infobip.com.", NULL, h), 0);
    assert_string_equal(h, "xk3p9.api.infobip.com");
    const char *bad[] = {
        "http://xk3p9.api.infobip.com",
        "https://xk3p9.api.infobip.com:8443",
        "https://u:p@xk3p9.api.infobip.com",
        "https://xk3p9.api.infobip.com/sms",
        "https://xk3p9.api.infobip.com?x=1",
        "https://a.b.api.infobip.com",
        "https://evilapi.infobip.com",
        "https://api.infobip.com.evil.example",
        "https://127.0.0.1",
        "https://[::1]",
        "https://2130706433",
        "https://0x7f000001",
        "file:///etc/passwd",
        "",
        "https://xk3p9.api.infobip.com\\@evil",
        "https://x k.api.infobip.com",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(base("infobip", bad[i], NULL, h), SB_EINVALID);
    struct sms_env allow = {.allowed_hosts = "sms.csc.example"};
    assert_int_equal(base("csctelecom", "https://sms.csc.example", &allow, h), 0);
    assert_int_equal(base("csctelecom", "https://sms.csc.example", NULL, h), SB_EINVALID);
    assert_int_equal(base("csctelecom", "https://xsms.csc.example", &allow, h), SB_EINVALID);
    assert_int_equal(base("csctelecom", "https://127.0.0.1", &allow, h), SB_EINVALID);
    assert_int_equal(base("csctelecom", "http://127.0.0.1:9999", &test_env, h), 0);
}

static bool pub4(const char *ip)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    assert_int_equal(inet_pton(AF_INET, ip, &a.sin_addr), 1);
    return sms_addr_public((struct sockaddr *)&a);
}

static bool pub6(const char *ip)
{
    struct sockaddr_in6 a = {.sin6_family = AF_INET6};
    assert_int_equal(inet_pton(AF_INET6, ip, &a.sin6_addr), 1);
    return sms_addr_public((struct sockaddr *)&a);
}

static void test_address_ranges(void **state)
{
    const char *priv4[] = {"127.0.0.1",   "10.1.2.3",        "172.16.0.1",      "172.31.255.255",
                           "192.168.1.1", "169.254.169.254", "100.64.0.1",      "100.127.255.255",
                           "0.0.0.0",     "224.0.0.1",       "255.255.255.255", "192.0.2.1"};
    for (size_t i = 0; i < sizeof(priv4) / sizeof(priv4[0]); i++)
        assert_false(pub4(priv4[i]));
    const char *pub4s[] = {"8.8.8.8", "172.32.0.1", "100.128.0.1", "52.1.2.3", "1.1.1.1"};
    for (size_t i = 0; i < sizeof(pub4s) / sizeof(pub4s[0]); i++)
        assert_true(pub4(pub4s[i]));
    const char *priv6[] = {"::1",
                           "::",
                           "fc00::1",
                           "fd12:3456::1",
                           "fe80::1",
                           "ff02::1",
                           "::ffff:127.0.0.1",
                           "::ffff:10.0.0.1",
                           "::127.0.0.1",
                           "64:ff9b::a9fe:a9fe",
                           "2001:db8::1",
                           "2002:0a00:0001::1"};
    for (size_t i = 0; i < sizeof(priv6) / sizeof(priv6[0]); i++)
        assert_false(pub6(priv6[i]));
    assert_true(pub6("2606:4700::1111"));
    assert_true(pub6("::ffff:8.8.8.8"));
    /* A name that resolves to loopback is refused before any connection. */
    char entry[256];
    const char *why = NULL;
    assert_int_equal(sms_net_pin("localhost", 443, entry, sizeof(entry), &why), SB_EFORBIDDEN);
    assert_non_null(why);
    assert_int_equal(sms_net_pin("127.0.0.1", 443, entry, sizeof(entry), &why), SB_EFORBIDDEN);
}

/* Options given through the account API (credentials.options, validated by
 * sms_credentials_validate and stored with the sealed credentials) reach the adapter and
 * change the request it builds; options that do not apply or are malformed are refused by
 * name. */
static void test_account_options_change_the_request(void **state)
{
    json_error_t e;
    json_t *errors = json_array(), *clean = NULL;
    json_t *plain = json_loads("{\"api_key\":\"IPK\"}", 0, &e);
    assert_int_equal(sms_credentials_validate("intelepeer", plain, NULL, &clean, errors), 0);
    struct sms_account_creds c;
    assert_int_equal(sms_creds_from_account("intelepeer", clean, "+15551234567", "smt_t", &A, &c),
                     0);
    struct sms_http_out before = build("intelepeer", &c, NULL, &msg, NULL, 0);
    assert_string_equal(hdr(&before, "Authorization"), "Bearer IPK");
    json_t *b = body_json(&before);
    assert_non_null(json_object_get(b, "text"));
    json_decref(b);
    json_decref(clean);

    json_t *given =
        json_loads("{\"api_key\":\"IPK\",\"options\":{\"auth\":\"header:X-Api-Key:api_key\","
                   "\"field_text\":\"message\",\"field_to\":\"destination\",\"number_format\":"
                   "\"digits\",\"status_map\":{\"DONE\":\"delivered\"}}}",
                   0, &e);
    assert_non_null(given);
    assert_int_equal(sms_credentials_validate("intelepeer", given, NULL, &clean, errors), 0);
    assert_int_equal(json_array_size(errors), 0);
    json_t *pub = sms_credentials_public("intelepeer", clean);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(pub, "options"), "field_text")),
        "message");
    json_decref(pub);
    assert_int_equal(sms_creds_from_account("intelepeer", clean, "+15551234567", "smt_t", &A, &c),
                     0);
    struct sms_http_out after = build("intelepeer", &c, NULL, &msg, NULL, 0);
    assert_string_equal(after.url, before.url);
    assert_null(hdr(&after, "Authorization"));
    assert_string_equal(hdr(&after, "X-Api-Key"), "IPK");
    b = body_json(&after);
    assert_null(json_object_get(b, "text"));
    assert_string_equal(json_string_value(json_object_get(b, "message")), "Hello & welcome");
    assert_string_equal(json_string_value(json_object_get(b, "destination")), "393331234567");
    json_decref(b);

    /* A change without "options" keeps them; null removes them. */
    json_t *keep = NULL, *drop = NULL;
    json_t *patch = json_loads("{\"api_key\":\"IPK2\"}", 0, &e);
    assert_int_equal(sms_credentials_validate("intelepeer", patch, clean, &keep, errors), 0);
    assert_true(json_equal(json_object_get(keep, "options"), json_object_get(clean, "options")));
    json_decref(patch);
    patch = json_loads("{\"options\":null}", 0, &e);
    assert_int_equal(sms_credentials_validate("intelepeer", patch, clean, &drop, errors), 0);
    assert_null(json_object_get(drop, "options"));
    json_decref(patch);
    json_decref(keep);
    json_decref(drop);

    /* Refused, each by name: an option of another type, an unknown one, bad values. */
    struct {
        const char *type, *options, *field;
    } bad[] = {
        {"intelepeer", "{\"api\":\"v2\"}", "credentials.options.api"},
        {"twilio", "{\"send_url\":\"https://x.example/\"}", "credentials.options.send_url"},
        {"intelepeer", "{\"nope\":\"x\"}", "credentials.options.nope"},
        {"intelepeer", "{\"auth\":\"header:Content-Length:api_key\"}", "credentials.options.auth"},
        {"intelepeer", "{\"auth\":\"bearer:secret\"}", "credentials.options.auth"},
        {"intelepeer", "{\"send_url\":\"http://x.example/send\"}", "credentials.options.send_url"},
        {"intelepeer", "{\"send_url\":\"https://x.example/{nope}\"}",
         "credentials.options.send_url"},
        {"intelepeer", "{\"send_method\":\"DELETE\"}", "credentials.options.send_method"},
        {"intelepeer", "{\"field_text\":\"a b\"}", "credentials.options.field_text"},
        {"skebby", "{\"status_map\":{\"OK\":\"great\"}}", "credentials.options.status_map"},
        {"intelepeer", "[1]", "credentials.options"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        json_t *o = json_loads(bad[i].options, JSON_DECODE_ANY, &e);
        assert_non_null(o);
        json_t *errs = json_array(), *out = NULL;
        assert_int_equal(sms_options_validate(bad[i].type, o, &out, errs), SB_EINVALID);
        assert_null(out);
        assert_int_equal(json_array_size(errs), 1);
        assert_string_equal(json_string_value(json_object_get(json_array_get(errs, 0), "field")),
                            bad[i].field);
        json_decref(errs);
        json_decref(o);
    }
    json_decref(clean);
    json_decref(given);
    json_decref(plain);
    json_decref(errors);
}

static void test_creds_from_account(void **state)
{
    /* The stored credentials objects of sms_accounts.h, field names as docs/sms.md lists them. */
    json_error_t e;
    json_t *tw = json_loads("{\"account_sid\":\"AC0123456789abcdef0123456789abcdef\","
                            "\"auth_token\":\"t\"}",
                            0, &e);
    struct sms_account_creds c;
    assert_int_equal(sms_creds_from_account("twilio", tw, "+1555", "smt_tok", &A, &c), 0);
    assert_string_equal(c.account_id, "AC0123456789abcdef0123456789abcdef");
    assert_string_equal(c.phone, "+1555");
    assert_null(c.webhook_token); /* signed: the URL carries no token */
    json_decref(tw);
    json_t *pl = json_loads("{\"auth_id\":\"MAXXXXXXXXXXXXXXXXXX\",\"auth_token\":\"t\"}", 0, &e);
    assert_int_equal(sms_creds_from_account("plivo", pl, NULL, "smt_tok", &A, &c), 0);
    assert_string_equal(c.account_id, "MAXXXXXXXXXXXXXXXXXX");
    json_decref(pl);
    json_t *bw = json_loads("{\"account_id\":\"9900000\",\"username\":\"u\",\"password\":"
                            "\"p\",\"application_id\":\"app\"}",
                            0, &e);
    assert_int_equal(sms_creds_from_account("bandwidth", bw, "+1555", "smt_tok", &A, &c), 0);
    assert_string_equal(c.webhook_user, "u");
    assert_string_equal(c.webhook_password, "p");
    assert_null(c.webhook_token);
    json_decref(bw);
    json_t *sk = json_loads("{\"method\":\"classic_plus\",\"username\":\"u\",\"password\":"
                            "\"p\",\"delivery_report\":true,\"options\":{\"in_text\":\"msg\"}}",
                            0, &e);
    assert_int_equal(sms_creds_from_account("skebby", sk, NULL, "smt_tok", &A, &c), 0);
    assert_string_equal(c.webhook_token, "smt_tok");
    assert_true(c.delivery_report);
    assert_string_equal(c.method, "classic_plus");
    assert_string_equal(c.options_json, "{\"in_text\":\"msg\"}");
    assert_int_equal(sms_creds_from_account("clickatell", NULL, NULL, "smt_tok", &A, &c), 0);
    assert_string_equal(c.webhook_token, "smt_tok");
    assert_int_equal(sms_creds_from_account("sms", sk, NULL, NULL, &A, &c), SB_EINVAL);
    json_t *arr = json_array();
    assert_int_equal(sms_creds_from_account("skebby", arr, NULL, NULL, &A, &c), SB_EINVAL);
    json_decref(arr);
    json_decref(sk);
}

/* The account side (sms_types.h) and the adapters agree on the types and on how each one's
 * webhooks are authenticated. */
static void test_agrees_with_account_types(void **state)
{
    size_t n = 0;
    const char *const *names = sms_type_names(&n);
    assert_int_equal(n, sms_provider_count());
    for (size_t i = 0; i < n; i++) {
        const struct sms_provider *p = P(names[i]);
        const char *scheme = sms_provider_auth_scheme(p);
        switch (sms_type_inbound_auth(names[i])) {
        case SMS_AUTH_TWILIO:
            assert_string_equal(scheme, "twilio-hmac-sha1");
            break;
        case SMS_AUTH_PLIVO:
            assert_string_equal(scheme, "plivo-v3-v2");
            break;
        case SMS_AUTH_TELNYX:
            assert_string_equal(scheme, "telnyx-ed25519");
            break;
        case SMS_AUTH_BASIC:
            assert_string_equal(scheme, "basic-or-token");
            break;
        case SMS_AUTH_TOKEN:
            assert_true(!strcmp(scheme, "token") || !strcmp(scheme, "basic-or-token"));
            break;
        default:
            fail();
        }
        /* A delivery-report URL is shown exactly where reports are pasted at the provider or
         * carried by each send. */
        json_t *creds = json_pack("{s:b, s:s}", "delivery_report", 1, "method", "classic_plus");
        struct sms_account_creds c = {.delivery_report = true, .method = "classic_plus"};
        enum sms_dlr_mode mode = sms_provider_dlr_mode(p, &c);
        if (sms_type_has_status_url(names[i], creds))
            assert_true(mode != SMS_DLR_NONE);
        json_decref(creds);
    }
    /* CSCTelecom's URL as the account shows it is what the adapter parses. */
    assert_string_equal(sms_provider_dlr_query(P("csctelecom")),
                        "message_id=<Message-Id>&state=<State>");
}

static void test_states_and_table(void **state)
{
    assert_int_equal(sms_provider_count(), 11);
    for (size_t i = 0; i < sms_provider_count(); i++) {
        const struct sms_provider *p = sms_provider_at(i);
        assert_ptr_equal(sms_provider_find(sms_provider_name(p)), p);
        assert_non_null(sms_provider_auth_scheme(p));
    }
    struct sms_account_creds dr = {.delivery_report = true, .method = "classic_plus"};
    struct sms_account_creds off = {.method = "classic_plus"};
    assert_int_equal(sms_provider_dlr_mode(P("twilio"), &off), SMS_DLR_PER_MESSAGE);
    assert_int_equal(sms_provider_dlr_mode(P("bandwidth"), &off), SMS_DLR_RECEIVE_URL);
    assert_int_equal(sms_provider_dlr_mode(P("skebby"), &dr), SMS_DLR_CONFIGURED);
    assert_int_equal(sms_provider_dlr_mode(P("skebby"), &off), SMS_DLR_NONE);
    dr.method = "classic";
    assert_int_equal(sms_provider_dlr_mode(P("skebby"), &dr), SMS_DLR_NONE);
    assert_int_equal(sms_provider_dlr_mode(P("clicksend"), &dr), SMS_DLR_CONFIGURED);
    assert_int_equal(sms_provider_dlr_mode(P("connectel"), &off), SMS_DLR_NONE);
    assert_int_equal(sms_provider_dlr_mode(P("csctelecom"), &off), SMS_DLR_CONFIGURED);
    assert_true(sms_provider_sends_media(P("twilio")));
    assert_false(sms_provider_sends_media(P("clickatell")));
    struct sms_ack ack;
    sms_webhook_ack(P("twilio"), &ack);
    assert_int_equal(ack.status, 200);
    assert_string_equal(ack.content_type, "text/xml");
    assert_non_null(strstr(ack.body, "<Response></Response>"));
    sms_webhook_ack(P("telnyx"), &ack);
    assert_string_equal(ack.body, "");
    assert_null(sms_provider_find("Twilio"));
    assert_null(sms_provider_find(NULL));
    assert_true(sms_state_rank(SMS_STATE_QUEUED) < sms_state_rank(SMS_STATE_SENT));
    assert_true(sms_state_rank(SMS_STATE_SENT) < sms_state_rank(SMS_STATE_DELIVERED));
    assert_int_equal(sms_state_rank(SMS_STATE_DELIVERED), sms_state_rank(SMS_STATE_FAILED));
    assert_int_equal(sms_state_rank(SMS_STATE_UNDELIVERED), 3);
    assert_int_equal(sms_state_rank(SMS_STATE_NONE), 0);
    assert_string_equal(sms_state_name(SMS_STATE_UNDELIVERED), "undelivered");
    assert_null(sms_state_name(SMS_STATE_NONE));
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_twilio_vectors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_twilio_rejects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_twilio_json_body, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plivo_v2_vector, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plivo_v3_vectors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plivo_v1_vector_never_accepted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_telnyx_vector_and_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_token_providers_fail_closed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_basic_where_the_provider_has_it, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_twilio, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_plivo, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_telnyx, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_bandwidth, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_infobip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_clicksend, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_clickatell, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_custom_formats, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_caps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_send_twilio, setup, teardown),
        cmocka_unit_test_setup_teardown(test_send_json_providers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_send_skebby_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_send_user_base_urls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_send_custom_providers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_account_options_change_the_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_send_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_base_url_guard, setup, teardown),
        cmocka_unit_test_setup_teardown(test_address_ranges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_creds_from_account, setup, teardown),
        cmocka_unit_test_setup_teardown(test_agrees_with_account_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_states_and_table, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
