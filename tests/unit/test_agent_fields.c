/* test_agent_fields.c — defaults, per-field validation and §2 cross rules of agent_fields.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "staff/agent_fields.h"

static const char *const typologies[] = {"phonebar", "external", "webrtc", "mobile"};

/* Applies `patch_text` (JSON) over `current` for `typology`; returns the code, and the merged
 * object or the errors through the out parameters (caller decrefs). */
static int apply(const char *typology, const json_t *current, const char *patch_text, bool mobile,
                 json_t **merged, json_t **errors)
{
    json_t *patch = json_loads(patch_text, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL);
    assert_non_null(patch);
    int rc = agent_settings_apply(typology, current, patch, mobile, merged, errors);
    json_decref(patch);
    if (rc == 0) {
        assert_non_null(*merged);
        assert_null(*errors);
    } else {
        assert_null(*merged);
    }
    return rc;
}

/* Number of errors naming `field`. */
static int errors_on(const json_t *errors, const char *field)
{
    int n = 0;
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "field")), field) == 0)
            n++;
    }
    return n;
}

static const char *message_of(const json_t *errors, const char *field)
{
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "field")), field) == 0)
            return json_string_value(json_object_get(e, "message"));
    }
    return NULL;
}

/* Expects SB_EINVALID with exactly one error, on `field`. */
static void expect_one_error(const char *typology, const json_t *current, const char *patch,
                             bool mobile, const char *field)
{
    json_t *merged = NULL, *errors = NULL;
    int rc = apply(typology, current, patch, mobile, &merged, &errors);
    if (rc != SB_EINVALID || json_array_size(errors) != 1 || errors_on(errors, field) != 1) {
        char *dump = errors ? json_dumps(errors, 0) : NULL;
        print_error("%s %s: rc=%d errors=%s (wanted one on %s)\n", typology, patch, rc,
                    dump ? dump : "null", field);
        free(dump);
        json_decref(errors);
        fail();
    }
    json_decref(errors);
}

static void expect_ok(const char *typology, const json_t *current, const char *patch, bool mobile)
{
    json_t *merged = NULL, *errors = NULL;
    int rc = apply(typology, current, patch, mobile, &merged, &errors);
    if (rc != 0) {
        char *dump = json_dumps(errors, 0);
        print_error("%s %s: rc=%d errors=%s\n", typology, patch, rc, dump);
        free(dump);
        json_decref(errors);
        fail();
    }
    json_decref(merged);
}

static void test_typology_valid(void **state)
{
    for (size_t i = 0; i < 4; i++)
        assert_true(agent_typology_valid(typologies[i]));
    assert_false(agent_typology_valid("Phonebar"));
    assert_false(agent_typology_valid(""));
    assert_false(agent_typology_valid(NULL));
    assert_null(agent_settings_defaults("sip"));
}

static void test_defaults(void **state)
{
    const char *const *names;
    int n = agent_settings_fields(&names);
    for (size_t t = 0; t < 4; t++) {
        json_t *d = agent_settings_defaults(typologies[t]);
        assert_non_null(d);
        assert_int_equal(json_object_size(d), n);
        for (int i = 0; i < n; i++)
            assert_non_null(json_object_get(d, names[i]));
        assert_string_equal(json_string_value(json_object_get(d, "context")), "from-sip");
        assert_int_equal(json_integer_value(json_object_get(d, "phonebar_remote_control_port")),
                         9888);
        assert_int_equal(json_integer_value(json_object_get(d, "phonebar_sip_expires")), 3600);
        assert_int_equal(json_integer_value(json_object_get(d, "phonebar_sip_source_port")), 5160);
        assert_int_equal(json_integer_value(json_object_get(d, "phonebar_sip_destination_port")),
                         5060);
        assert_true(json_is_true(json_object_get(d, "phonebar_dnd_on_pause")));
        assert_true(json_is_true(json_object_get(d, "webrtc_dnd_on_pause")));
        assert_true(json_is_false(json_object_get(d, "login_in_pause")));
        assert_string_equal(json_string_value(json_object_get(d, "notification_position")),
                            "top-right");
        assert_string_equal(json_string_value(json_object_get(d, "record_calls")), "inactive");
        assert_true(json_is_false(json_object_get(d, "client_logs_enabled")));
        assert_string_equal(json_string_value(json_object_get(d, "client_log_level")), "error");
        assert_true(json_is_null(json_object_get(d, "mobile_push_gateway")));
        static const char *const caps[] = {"chat", "mail", "sms", "openchannel", "fax", "whatsapp"};
        for (size_t c = 0; c < 6; c++) {
            char name[64];
            snprintf(name, sizeof name, "%s_capacity", caps[c]);
            json_t *v = json_object_get(d, name);
            assert_true(json_is_integer(v));
            assert_int_equal(json_integer_value(v), 0);
        }
        json_t *mods = json_object_get(d, "module_permissions");
        assert_true(json_is_object(mods));
        assert_true(json_object_size(mods) > 0);
        assert_true(json_is_true(json_object_get(mods, "voice")));
        const char *key;
        json_t *v;
        json_object_foreach(mods, key, v) assert_true(json_is_true(v));
        json_t *tr = json_object_get(d, "transport");
        json_t *want = json_loads(t == 2 ? "[\"wss\"]" : "[\"udp\",\"tcp\"]", 0, NULL);
        assert_true(json_equal(tr, want));
        json_decref(want);
        assert_false(json_is_null(json_object_get(d, "codecs")));
        /* The defaults are valid for their own typology. */
        expect_ok(typologies[t], d, t == 3 ? "{\"mobile_push_gateway\":\"gw:5060\"}" : "{}", true);
        json_decref(d);
    }
}

static void test_fields_listed_once(void **state)
{
    const char *const *names;
    int n = agent_settings_fields(&names);
    assert_true(n >= 70);
    for (int i = 0; i < n; i++) {
        assert_non_null(names[i]);
        for (int k = 0; k < i; k++)
            assert_string_not_equal(names[i], names[k]);
    }
    /* Identity columns are not settings. */
    for (int i = 0; i < n; i++) {
        assert_string_not_equal(names[i], "username");
        assert_string_not_equal(names[i], "typology");
        assert_string_not_equal(names[i], "internal");
    }
    const char *const *again;
    assert_int_equal(agent_settings_fields(&again), n);
    assert_ptr_equal(again, names);
}

static void test_enums_reject(void **state)
{
    static const char *const cases[][2] = {
        {"notification_position", "{\"notification_position\":\"middle\"}"},
        {"nat", "{\"nat\":\"maybe\"}"},
        {"type", "{\"type\":\"Friend\"}"},
        {"record_calls", "{\"record_calls\":\"waw\"}"},
        {"client_log_level", "{\"client_log_level\":\"trace\"}"},
        {"transport", "{\"transport\":[\"sctp\"]}"},
        {"transport", "{\"transport\":[]}"},
        {"transport", "{\"transport\":[\"udp\",\"udp\"]}"},
        {"transport", "{\"transport\":\"udp\"}"},
        {"codecs", "{\"codecs\":[\"mp3\"]}"},
        {"codecs", "{\"codecs\":[]}"},
        {"nat", "{\"nat\":7}"},
        {"module_permissions", "{\"module_permissions\":{\"voice\":1}}"},
        {"module_permissions", "{\"module_permissions\":{\"teleport\":true}}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_one_error("external", NULL, cases[i][1], false, cases[i][0]);

    json_t *merged = NULL, *errors = NULL;
    assert_int_equal(apply("external", NULL, "{\"transport\":[\"x\"]}", false, &merged, &errors),
                     SB_EINVALID);
    assert_non_null(strstr(message_of(errors, "transport"), "udp, tcp, tls, ws, wss"));
    json_decref(errors);
    assert_int_equal(apply("external", NULL, "{\"nat\":\"x\"}", false, &merged, &errors),
                     SB_EINVALID);
    assert_string_equal(message_of(errors, "nat"),
                        "must be one of yes, no, force_rport, comedia, never, route");
    json_decref(errors);
}

static void test_ints_and_types(void **state)
{
    static const char *const bad[][2] = {
        {"chat_capacity", "{\"chat_capacity\":-1}"},
        {"whatsapp_capacity", "{\"whatsapp_capacity\":1001}"},
        {"sms_capacity", "{\"sms_capacity\":1.5}"},
        {"mail_capacity", "{\"mail_capacity\":\"3\"}"},
        {"phonebar_remote_control_port", "{\"phonebar_remote_control_port\":0}"},
        {"phonebar_sip_source_port", "{\"phonebar_sip_source_port\":65536}"},
        {"phonebar_sip_expires", "{\"phonebar_sip_expires\":59}"},
        {"webrtc_sip_expires", "{\"webrtc_sip_expires\":86401}"},
        {"channel_auto_answer_delay", "{\"channel_auto_answer_delay\":3601}"},
        {"phonebar_auto_answer_delay", "{\"phonebar_auto_answer_delay\":-5}"},
        {"login_in_pause", "{\"login_in_pause\":1}"},
        {"voicemail", "{\"voicemail\":null}"},
        {"context", "{\"context\":\"from sip\"}"},
        {"context", "{\"context\":\"\"}"},
        {"caller_id", "{\"caller_id\":\"a\\nb\"}"},
        {"caller_id", "{\"caller_id\":\"a\\u0000b\"}"},
        {"host", "{\"host\":\"example.com\"}"},
        {"call_group", "{\"call_group\":\"1,64\"}"},
        {"pickup_group", "{\"pickup_group\":\"5-2\"}"},
        {"phonebar_call_forwarding_number", "{\"phonebar_call_forwarding_number\":\"12a\"}"},
        {"mobile_push_gateway", "{\"mobile_push_gateway\":\"host\"}"},
        {"mobile_push_gateway", "{\"mobile_push_gateway\":\"host:99999\"}"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_one_error("external", NULL, bad[i][1], false, bad[i][0]);

    char long_id[200];
    memset(long_id, 'a', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    char patch[300];
    snprintf(patch, sizeof patch, "{\"caller_id\":\"%s\"}", long_id);
    expect_one_error("external", NULL, patch, false, "caller_id");

    expect_ok("external", NULL,
              "{\"chat_capacity\":1000,\"phonebar_sip_expires\":60,\"host\":\"10.0.0.1\","
              "\"call_group\":\"1,3-5,63\",\"caller_id\":\"\\\"Ann\\\" <1001>\","
              "\"phonebar_call_forwarding_number\":\"+39*12#\",\"pickup_group\":null,"
              "\"mobile_push_gateway\":\"push.example.com:5060\"}",
              false);
    expect_ok("external", NULL, "{\"host\":\"::1\",\"caller_id\":null}", false);
}

static void test_unknown_and_read_only(void **state)
{
    json_t *merged = NULL, *errors = NULL;
    assert_int_equal(apply("webrtc", NULL, "{\"colour\":\"red\"}", false, &merged, &errors),
                     SB_EINVALID);
    assert_string_equal(message_of(errors, "colour"), "unknown field");
    json_decref(errors);
    assert_int_equal(apply("webrtc", NULL, "{\"wss_port\":8089}", false, &merged, &errors),
                     SB_EINVALID);
    assert_string_equal(message_of(errors, "wss_port"), "is read-only");
    json_decref(errors);
    expect_one_error("webrtc", NULL, "{\"username\":\"x\"}", false, "username");
}

static void test_g729(void **state)
{
    expect_one_error("phonebar", NULL, "{\"codecs\":[\"ulaw\",\"g729\"]}", false, "codecs");
    expect_one_error("webrtc", NULL, "{\"codecs\":[\"g729\"]}", false, "codecs");
    /* A value that fails its own check is not cross-checked again (one error, not two). */
    expect_one_error("phonebar", NULL, "{\"codecs\":[\"g729\",\"g729\"]}", false, "codecs");
    expect_ok("external", NULL, "{\"codecs\":[\"g729\",\"ulaw\"]}", false);
    expect_ok("mobile", NULL, "{\"codecs\":[\"g729\"],\"mobile_push_gateway\":\"1.2.3.4:5060\"}",
              true);

    json_t *merged = NULL, *errors = NULL;
    assert_int_equal(apply("phonebar", NULL, "{\"codecs\":[\"g729\"]}", false, &merged, &errors),
                     SB_EINVALID);
    assert_string_equal(message_of(errors, "codecs"),
                        "g729 is not allowed for Phonebar and WebRTC agents");
    json_decref(errors);

    /* Typology change to webrtc with g729 in the stored settings: empty patch, error on codecs.
     * The transport is made webrtc-compatible so the codecs error is the only one. */
    assert_int_equal(apply("external", NULL, "{\"codecs\":[\"g729\"],\"transport\":[\"wss\"]}",
                           false, &merged, &errors),
                     0);
    expect_one_error("webrtc", merged, "{}", false, "codecs");
    expect_one_error("phonebar", merged, "{\"transport\":[\"udp\"]}", false, "codecs");
    expect_ok("webrtc", merged, "{\"codecs\":[\"opus\"]}", false);
    json_decref(merged);
}

static void test_transport_rules(void **state)
{
    expect_one_error("phonebar", NULL, "{\"transport\":[\"udp\",\"wss\"]}", false, "transport");
    expect_ok("phonebar", NULL, "{\"transport\":[\"tls\",\"udp\",\"tcp\"]}", false);
    expect_one_error("webrtc", NULL, "{\"transport\":[\"udp\"]}", false, "transport");
    expect_one_error("webrtc", NULL, "{\"transport\":[\"ws\"]}", false, "transport");
    expect_ok("webrtc", NULL, "{\"transport\":[\"wss\",\"ws\"]}", false);
    expect_ok("external", NULL, "{\"transport\":[\"wss\",\"udp\",\"tls\",\"ws\",\"tcp\"]}", false);
    expect_one_error("mobile", NULL, "{\"transport\":[\"ws\"],\"mobile_push_gateway\":\"gw:5060\"}",
                     true, "transport");

    /* Stored phonebar transport is not rewritten on a change to webrtc: refused until sent. */
    json_t *pb = agent_settings_defaults("phonebar");
    expect_one_error("webrtc", pb, "{}", false, "transport");
    expect_ok("webrtc", pb, "{\"transport\":[\"wss\"],\"codecs\":[\"opus\"]}", false);
    json_decref(pb);
}

static void test_screen_recording(void **state)
{
    static const char both[] = "{\"phonebar_screen_recording_by_agent\":true,"
                               "\"phonebar_automatic_screen_recording\":true}";
    json_t *merged = NULL, *errors = NULL;
    assert_int_equal(apply("phonebar", NULL, both, false, &merged, &errors), SB_EINVALID);
    assert_int_equal(json_array_size(errors), 2);
    assert_int_equal(errors_on(errors, "phonebar_screen_recording_by_agent"), 1);
    assert_int_equal(errors_on(errors, "phonebar_automatic_screen_recording"), 1);
    json_decref(errors);
    expect_ok("phonebar", NULL, "{\"phonebar_screen_recording_by_agent\":true}", false);
    expect_ok("phonebar", NULL, "{\"phonebar_automatic_screen_recording\":true}", false);
    /* Another typology's tab: stored, not cross-checked (§2 rule 2). */
    expect_ok("external", NULL, both, false);
    expect_one_error("external", NULL, "{\"phonebar_screen_recording_by_agent\":\"yes\"}", false,
                     "phonebar_screen_recording_by_agent");
}

static void test_mobile(void **state)
{
    expect_one_error("mobile", NULL, "{\"mobile_push_gateway\":\"gw.example.com:5060\"}", false,
                     "typology");
    expect_one_error("mobile", NULL, "{}", true, "mobile_push_gateway");
    expect_one_error("mobile", NULL, "{\"mobile_push_gateway\":\"gw:\"}", true,
                     "mobile_push_gateway");
    expect_ok("mobile", NULL, "{\"mobile_push_gateway\":\"gw.example.com:5060\"}", true);
    expect_ok("mobile", NULL, "{\"mobile_push_gateway\":\"[2001:db8::1]:5061\"}", true);

    json_t *merged = NULL, *errors = NULL;
    assert_int_equal(apply("mobile", NULL, "{}", false, &merged, &errors), SB_EINVALID);
    assert_int_equal(errors_on(errors, "typology"), 1);
    assert_int_equal(errors_on(errors, "mobile_push_gateway"), 1);
    json_decref(errors);
}

static void test_phonebar_ports(void **state)
{
    expect_one_error("phonebar", NULL, "{\"phonebar_sip_destination_port\":null}", false,
                     "phonebar_sip_destination_port");
    expect_ok("external", NULL, "{\"phonebar_sip_destination_port\":null}", false);
    expect_one_error("phonebar", NULL,
                     "{\"remote_control\":true,\"phonebar_remote_control_port\":5160}", false,
                     "phonebar_remote_control_port");
    expect_ok("phonebar", NULL, "{\"remote_control\":false,\"phonebar_remote_control_port\":5160}",
              false);
    expect_ok("phonebar", NULL, "{\"remote_control\":true}", false);
}

static void test_webrtc_notification_forced_off(void **state)
{
    json_t *merged = NULL, *errors = NULL;
    assert_int_equal(apply("webrtc", NULL, "{\"webrtc_auto_answer_notification\":true}", false,
                           &merged, &errors),
                     0);
    assert_true(json_is_false(json_object_get(merged, "webrtc_auto_answer_notification")));
    json_decref(merged);
    assert_int_equal(apply("webrtc", NULL,
                           "{\"webrtc_auto_answer\":true,\"webrtc_auto_answer_notification\":true}",
                           false, &merged, &errors),
                     0);
    assert_true(json_is_true(json_object_get(merged, "webrtc_auto_answer_notification")));
    json_decref(merged);
}

static void test_merge_and_nothing_applied(void **state)
{
    json_t *current = NULL, *errors = NULL, *merged = NULL;
    assert_int_equal(apply("phonebar", NULL, "{\"chat_capacity\":5,\"voicemail\":true}", false,
                           &current, &errors),
                     0);
    json_t *snapshot = json_deep_copy(current);

    /* One good and one bad field: error, nothing merged, current untouched. */
    assert_int_equal(apply("phonebar", current, "{\"sms_capacity\":3,\"nat\":\"bogus\"}", false,
                           &merged, &errors),
                     SB_EINVALID);
    assert_null(merged);
    assert_int_equal(json_array_size(errors), 1);
    json_decref(errors);
    assert_true(json_equal(current, snapshot));

    /* A good patch keeps the current values and merges module keys. */
    assert_int_equal(apply("phonebar", current,
                           "{\"sms_capacity\":3,\"module_permissions\":{\"voice\":false}}", false,
                           &merged, &errors),
                     0);
    assert_int_equal(json_integer_value(json_object_get(merged, "chat_capacity")), 5);
    assert_int_equal(json_integer_value(json_object_get(merged, "sms_capacity")), 3);
    assert_true(json_is_true(json_object_get(merged, "voicemail")));
    json_t *mods = json_object_get(merged, "module_permissions");
    assert_true(json_is_false(json_object_get(mods, "voice")));
    assert_true(json_is_true(json_object_get(mods, "chat")));
    assert_true(json_equal(current, snapshot));
    json_decref(merged);

    /* Old agent: missing fields take defaults, missing module keys are off, stray keys drop. */
    json_t *old = json_pack("{s:i, s:{s:b}, s:s}", "chat_capacity", 7, "module_permissions",
                            "voice", 1, "gone_field", "x");
    assert_int_equal(apply("phonebar", old, "{}", false, &merged, &errors), 0);
    assert_int_equal(json_integer_value(json_object_get(merged, "chat_capacity")), 7);
    assert_int_equal(json_integer_value(json_object_get(merged, "phonebar_sip_source_port")), 5160);
    assert_null(json_object_get(merged, "gone_field"));
    mods = json_object_get(merged, "module_permissions");
    assert_true(json_is_true(json_object_get(mods, "voice")));
    assert_true(json_is_false(json_object_get(mods, "chat")));
    json_decref(merged);
    json_decref(old);

    json_decref(snapshot);
    json_decref(current);
}

static void test_many_errors_in_one_call(void **state)
{
    json_t *merged = NULL, *errors = NULL;
    assert_int_equal(apply("phonebar", NULL,
                           "{\"nat\":\"x\",\"chat_capacity\":-1,\"nope\":1,\"wss_port\":1,"
                           "\"codecs\":[\"g729\"],\"phonebar_screen_recording_by_agent\":true,"
                           "\"phonebar_automatic_screen_recording\":true}",
                           false, &merged, &errors),
                     SB_EINVALID);
    assert_int_equal(json_array_size(errors), 7);
    static const char *const want[] = {"nat",
                                       "chat_capacity",
                                       "nope",
                                       "wss_port",
                                       "codecs",
                                       "phonebar_screen_recording_by_agent",
                                       "phonebar_automatic_screen_recording"};
    for (size_t i = 0; i < 7; i++)
        assert_int_equal(errors_on(errors, want[i]), 1);
    json_decref(errors);
}

static void test_bad_inputs(void **state)
{
    json_t *merged = NULL, *errors = NULL;
    assert_int_equal(apply("sip", NULL, "{}", false, &merged, &errors), SB_EINVALID);
    assert_string_equal(message_of(errors, "typology"),
                        "must be one of phonebar, external, webrtc, mobile");
    json_decref(errors);
    json_t *arr = json_array();
    assert_int_equal(agent_settings_apply("external", NULL, arr, false, &merged, &errors),
                     SB_EINVALID);
    assert_null(merged);
    json_decref(errors);
    json_decref(arr);
}

/* The description lists every field once, in table order, with a known section and the
 * defaults agent_settings_defaults gives each typology. */
static void test_describe(void **state)
{
    (void)state;
    json_t *d = agent_fields_describe();
    assert_non_null(d);
    const char *const *names;
    int n = agent_settings_fields(&names);
    json_t *fields = json_object_get(d, "fields"), *sections = json_object_get(d, "sections");
    assert_int_equal(json_array_size(fields), (size_t)n);
    assert_int_equal(json_array_size(sections), 9);
    for (int t = 0; t < 4; t++) {
        json_t *defs = agent_settings_defaults(typologies[t]);
        for (int i = 0; i < n; i++) {
            json_t *f = json_array_get(fields, (size_t)i);
            assert_string_equal(json_string_value(json_object_get(f, "name")), names[i]);
            assert_true(json_string_length(json_object_get(f, "label")) > 0);
            const char *sec = json_string_value(json_object_get(f, "section"));
            bool known = false;
            for (size_t k = 0; k < json_array_size(sections); k++)
                known = known || !strcmp(sec, json_string_value(json_object_get(
                                                  json_array_get(sections, k), "id")));
            assert_true(known);
            json_t *def = json_object_get(json_object_get(f, "defaults"), typologies[t]);
            assert_true(json_equal(def, json_object_get(defs, names[i])));
        }
        json_decref(defs);
    }
    json_t *f = NULL;
    for (size_t i = 0; i < json_array_size(fields); i++)
        if (!strcmp(json_string_value(json_object_get(json_array_get(fields, i), "name")),
                    "phonebar_sip_expires"))
            f = json_array_get(fields, i);
    assert_non_null(f);
    assert_string_equal(json_string_value(json_object_get(f, "type")), "integer");
    assert_string_equal(json_string_value(json_object_get(f, "section")), "phonebar");
    assert_int_equal(json_integer_value(json_object_get(f, "min")), 60);
    assert_int_equal(json_integer_value(json_object_get(f, "max")), 86400);
    assert_int_equal(json_array_size(json_object_get(f, "typologies")), 1);
    json_decref(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_typology_valid),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_fields_listed_once),
        cmocka_unit_test(test_enums_reject),
        cmocka_unit_test(test_ints_and_types),
        cmocka_unit_test(test_unknown_and_read_only),
        cmocka_unit_test(test_g729),
        cmocka_unit_test(test_transport_rules),
        cmocka_unit_test(test_screen_recording),
        cmocka_unit_test(test_mobile),
        cmocka_unit_test(test_phonebar_ports),
        cmocka_unit_test(test_webrtc_notification_forced_off),
        cmocka_unit_test(test_merge_and_nothing_applied),
        cmocka_unit_test(test_many_errors_in_one_call),
        cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_describe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
