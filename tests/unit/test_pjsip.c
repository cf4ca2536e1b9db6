/* test_pjsip.c — the agent → pjsip.conf renderer (staff/pjsip.h): the field mapping of
 * docs/asterisk.md, refusal of values that could break out of a line or a section, and the
 * SIP secret helpers (staff/sip_secret.h) that do not need a database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "core/buf.h"
#include "core/err.h"
#include "staff/agent_fields.h"
#include "staff/pjsip.h"
#include "staff/sip_secret.h"

#define MD5 "0123456789abcdef0123456789abcdef"

/* Defaults of `typology` with `patch` (JSON text, may be NULL) laid over without validation,
 * as the renderer must also hold against values that bypassed it. */
static json_t *settings_of(const char *typology, const char *patch)
{
    json_t *s = agent_settings_defaults(typology);
    assert_non_null(s);
    if (patch) {
        json_t *p = json_loads(patch, 0, NULL);
        assert_non_null(p);
        json_object_update(s, p);
        json_decref(p);
    }
    return s;
}

/* Renders one agent; returns the text (caller frees) and asserts success. */
static char *render_ok(const char *username, const char *typology, const json_t *settings)
{
    struct pjsip_agent a = {username, "Ann Example", 1001, typology, MD5, "switchboard", settings};
    struct buf b;
    buf_init(&b, 1 << 16);
    const char *bad = "unset";
    int r = pjsip_render_agent(&b, &a, &bad);
    if (r) {
        print_error("render %s: %d (%s)\n", username, r, bad ? bad : "-");
        fail();
    }
    assert_null(bad);
    return buf_take(&b, NULL);
}

/* True when `text` has the whole line `line`. */
static bool has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (!strncmp(p, line, n) && (p[n] == '\n' || p[n] == '\0'))
            return true;
    return false;
}

static void expect_line(const char *text, const char *line)
{
    if (!has_line(text, line)) {
        print_error("missing line \"%s\" in:\n%s\n", line, text);
        fail();
    }
}

/* Number of lines starting with '['. */
static int section_count(const char *text)
{
    int n = 0;
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (*p == '[')
            n++;
    return n;
}

static void test_phonebar_defaults(void **state)
{
    json_t *s = settings_of("phonebar", NULL);
    char *t = render_ok("ann.example", "phonebar", s);
    const char *expected = "[ann.example]\n"
                           "type=endpoint\n"
                           "transport=transport-udp\n"
                           "context=from-sip\n"
                           "disallow=all\n"
                           "allow=ulaw,alaw\n"
                           "aors=ann.example\n"
                           "auth=ann.example-auth\n"
                           "callerid=\"Ann Example\" <1001>\n"
                           "force_rport=yes\n"
                           "rewrite_contact=yes\n"
                           "rtp_symmetric=no\n"
                           "direct_media=no\n"
                           "media_encryption=no\n"
                           "webrtc=no\n"
                           "\n"
                           "[ann.example-auth]\n"
                           "type=auth\n"
                           "auth_type=md5\n"
                           "username=ann.example\n"
                           "realm=switchboard\n"
                           "md5_cred=" MD5 "\n"
                           "\n"
                           "[ann.example]\n"
                           "type=aor\n"
                           "max_contacts=1\n"
                           "remove_existing=yes\n"
                           "default_expiration=3600\n"
                           "maximum_expiration=3600\n"
                           "\n";
    assert_string_equal(t, expected);
    free(t);
    json_decref(s);
}

static void test_webrtc_and_external(void **state)
{
    json_t *s = settings_of("webrtc", "{\"webrtc_sip_expires\": 600, \"encryption\": false}");
    char *t = render_ok("web.agent", "webrtc", s);
    expect_line(t, "transport=transport-wss");
    expect_line(t, "allow=opus,ulaw,alaw");
    expect_line(t, "webrtc=yes");
    expect_line(t, "media_encryption=dtls"); /* browsers only do DTLS-SRTP */
    expect_line(t, "default_expiration=600");
    expect_line(t, "maximum_expiration=600");
    free(t);
    json_decref(s);

    /* External: the first transport is the preferred one; no expiry of its own; SDES SRTP. */
    s = settings_of("external", "{\"transport\": [\"tls\", \"udp\"], \"codecs\": [\"g729\", "
                                "\"g722\", \"ulaw\"], \"encryption\": true, \"context\": "
                                "\"ext-agents\", \"video_support\": true}");
    t = render_ok("ext.agent", "external", s);
    expect_line(t, "transport=transport-tls");
    expect_line(t, "allow=g729,g722,ulaw,vp8,h264");
    expect_line(t, "context=ext-agents");
    expect_line(t, "media_encryption=sdes");
    expect_line(t, "webrtc=no");
    assert_null(strstr(t, "expiration="));
    free(t);
    json_decref(s);

    /* An external phone on wss is a WebRTC client too. */
    s = settings_of("external", "{\"transport\": [\"wss\", \"udp\"]}");
    t = render_ok("ext.web", "external", s);
    expect_line(t, "webrtc=yes");
    expect_line(t, "transport=transport-wss");
    free(t);
    json_decref(s);
}

static void test_nat_mapping(void **state)
{
    static const struct {
        const char *nat, *rport, *rewrite, *symmetric, *direct;
    } cases[] = {
        {"yes", "yes", "yes", "yes", "no"},   {"force_rport", "yes", "yes", "no", "no"},
        {"comedia", "no", "no", "yes", "no"}, {"route", "no", "yes", "yes", "no"},
        {"no", "no", "no", "no", "yes"},      {"never", "no", "no", "no", "yes"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char patch[64], line[64];
        snprintf(patch, sizeof(patch), "{\"nat\": \"%s\"}", cases[i].nat);
        json_t *s = settings_of("phonebar", patch);
        char *t = render_ok("nat.agent", "phonebar", s);
        snprintf(line, sizeof(line), "force_rport=%s", cases[i].rport);
        expect_line(t, line);
        snprintf(line, sizeof(line), "rewrite_contact=%s", cases[i].rewrite);
        expect_line(t, line);
        snprintf(line, sizeof(line), "rtp_symmetric=%s", cases[i].symmetric);
        expect_line(t, line);
        snprintf(line, sizeof(line), "direct_media=%s", cases[i].direct);
        expect_line(t, line);
        free(t);
        json_decref(s);
    }
}

static void test_optional_lines(void **state)
{
    json_t *s = settings_of("phonebar", "{\"call_group\": \"1,3-5\", \"pickup_group\": \"2\", "
                                        "\"voicemail\": true, \"record_calls\": \"wav49\", "
                                        "\"host\": \"192.0.2.10\", \"caller_id\": "
                                        "\"\\\"Sales\\\" <200>\"}");
    char *t = render_ok("opt.agent", "phonebar", s);
    expect_line(t, "call_group=1,3-5");
    expect_line(t, "pickup_group=2");
    expect_line(t, "mailboxes=1001@default");
    expect_line(t, "set_var=SB_RECORD_FORMAT=wav49");
    expect_line(t, "contact=sip:opt.agent@192.0.2.10");
    expect_line(t, "callerid=\"Sales\" <200>");
    free(t);
    json_decref(s);
    s = settings_of("phonebar", "{\"host\": \"2001:db8::1\"}");
    t = render_ok("v6.agent", "phonebar", s);
    expect_line(t, "contact=sip:v6.agent@[2001:db8::1]");
    assert_null(strstr(t, "call_group"));
    assert_null(strstr(t, "mailboxes"));
    assert_null(strstr(t, "set_var"));
    free(t);
    json_decref(s);
}

static void test_free_text_cannot_inject(void **state)
{
    /* Values that never pass the API's validation, as if written to the database directly. */
    json_t *s = settings_of("phonebar", "{\"caller_id\": \"Evil\\r\\n[evil]\\ntype=endpoint;x\"}");
    char *t = render_ok("inj.agent", "phonebar", s);
    assert_int_equal(section_count(t), 3);
    assert_null(strstr(t, "[evil]"));
    expect_line(t, "callerid=Evil  (evil) type=endpoint,x");
    free(t);
    json_decref(s);

    /* The default caller id quotes the full name: a quote in it becomes an apostrophe. */
    s = settings_of("phonebar", NULL);
    struct pjsip_agent a = {
        "q.agent", "Bob \"The\" [Boss];\n[x]", 7, "phonebar", MD5, "switchboard", s};
    struct buf b;
    buf_init(&b, 1 << 16);
    assert_int_equal(pjsip_render_agent(&b, &a, NULL), 0);
    assert_int_equal(section_count(b.data), 3);
    expect_line(b.data, "callerid=\"Bob 'The' (Boss), (x)\" <7>");
    buf_free(&b);
    json_decref(s);
}

/* Each value that goes out verbatim and could break the file is refused, naming the field,
 * and nothing is appended. */
static void test_refusals(void **state)
{
    static const struct {
        const char *username, *realm, *md5, *patch, *field;
    } cases[] = {
        {"bad]name", "switchboard", MD5, NULL, "username"},
        {"bad name", "switchboard", MD5, NULL, "username"},
        {"", "switchboard", MD5, NULL, "username"},
        {"ok", "switch board", MD5, NULL, "realm"},
        {"ok", "switchboard", "0123", NULL, "md5_cred"},
        {"ok", "switchboard", "0123456789ABCDEF0123456789ABCDEF", NULL, "md5_cred"},
        {"ok", "switchboard", MD5, "{\"transport\": [\"udp\\n[x]\"]}", "transport"},
        {"ok", "switchboard", MD5, "{\"transport\": []}", "transport"},
        {"ok", "switchboard", MD5, "{\"codecs\": [\"ulaw\", \"mp3\"]}", "codecs"},
        {"ok", "switchboard", MD5, "{\"context\": \"a;b\"}", "context"},
        {"ok", "switchboard", MD5, "{\"context\": null}", "context"},
        {"ok", "switchboard", MD5, "{\"call_group\": \"1\\n[x]\"}", "call_group"},
        {"ok", "switchboard", MD5, "{\"pickup_group\": \"1;2\"}", "pickup_group"},
        {"ok", "switchboard", MD5, "{\"nat\": \"sometimes\"}", "nat"},
        {"ok", "switchboard", MD5, "{\"host\": \"evil.example\\n[x]\"}", "host"},
        {"ok", "switchboard", MD5, "{\"record_calls\": \"mp3\\n\"}", "record_calls"},
        {"ok", "switchboard", MD5, "{\"phonebar_sip_expires\": 5}", "sip_expires"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *s = settings_of("phonebar", cases[i].patch);
        struct pjsip_agent a = {cases[i].username, "N", 1, "phonebar", cases[i].md5,
                                cases[i].realm,    s};
        struct buf b;
        buf_init(&b, 1 << 16);
        assert_int_equal(buf_adds(&b, "before\n"), 0);
        const char *bad = NULL;
        int r = pjsip_render_agent(&b, &a, &bad);
        if (r != SB_EINVALID || !bad || strcmp(bad, cases[i].field)) {
            print_error("case %zu: r=%d field=%s (wanted %s)\n", i, r, bad ? bad : "-",
                        cases[i].field);
            fail();
        }
        assert_string_equal(b.data, "before\n");
        buf_free(&b);
        json_decref(s);
    }
}

static void test_full_buffer_unchanged(void **state)
{
    json_t *s = settings_of("phonebar", NULL);
    struct pjsip_agent a = {"full.agent", "Full", 1, "phonebar", MD5, "switchboard", s};
    struct buf b;
    buf_init(&b, 64);
    assert_int_equal(buf_adds(&b, "kept\n"), 0);
    assert_int_equal(pjsip_render_agent(&b, &a, NULL), SB_ETOOBIG);
    assert_string_equal(b.data, "kept\n");
    buf_free(&b);
    json_decref(s);
}

static void test_sanitize(void **state)
{
    char out[8];
    pjsip_sanitize("a[b]c;d\te", out, sizeof(out));
    assert_string_equal(out, "a(b)c,d");
    /* "é" is two bytes: never cut in half. */
    pjsip_sanitize("abcdeé", out, 7);
    assert_string_equal(out, "abcde");
    pjsip_sanitize("abcdéf", out, 7);
    assert_string_equal(out, "abcdé");
    pjsip_sanitize(NULL, out, sizeof(out));
    assert_string_equal(out, "");
}

static void test_secret_helpers(void **state)
{
    char hex[SIP_MD5_HEX_LEN + 1];
    /* The example of Asterisk's pjsip.conf documentation (password_digest). */
    assert_int_equal(sip_md5_cred("myname", "myrealm", "mypassword", hex), 0);
    assert_string_equal(hex, "dce9ccd0a69e3ef90d8b9bf725053e78");
    char a[SIP_SECRET_LEN + 1], b[SIP_SECRET_LEN + 1];
    sip_secret_generate(a);
    sip_secret_generate(b);
    assert_int_equal(strlen(a), SIP_SECRET_LEN);
    assert_int_equal(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
                     SIP_SECRET_LEN);
    assert_string_not_equal(a, b);
    assert_true(sip_realm_valid("switchboard"));
    assert_true(sip_realm_valid("pbx.example-1_a"));
    assert_false(sip_realm_valid(""));
    assert_false(sip_realm_valid("a b"));
    assert_false(sip_realm_valid("a\"b"));
    char long_realm[SIP_REALM_MAX + 2];
    memset(long_realm, 'r', sizeof(long_realm) - 1);
    long_realm[sizeof(long_realm) - 1] = '\0';
    assert_false(sip_realm_valid(long_realm));
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phonebar_defaults),
        cmocka_unit_test(test_webrtc_and_external),
        cmocka_unit_test(test_nat_mapping),
        cmocka_unit_test(test_optional_lines),
        cmocka_unit_test(test_free_text_cannot_inject),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_full_buffer_unchanged),
        cmocka_unit_test(test_sanitize),
        cmocka_unit_test(test_secret_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
