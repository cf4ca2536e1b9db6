/* test_canned.c — canned answer templates: every variable, the alias falling back to the full
 * name, missing values rendering as nothing, text that is not a variable copied as it is,
 * the size cap, and the check that refuses unknown names. Pure functions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "core/err.h"
#include "interactions/canned.h"

static const struct canned_agent ann = {"Ann", "Ann Smith", "ann.s", "ann@example.com", 1001};
static const struct canned_contact carla = {"Carla", "Rossi", "+390612345678", NULL};
static const struct canned_interaction ix = {42, "sms", "Shop", "SHP"};

static void test_every_variable(void **state)
{
    (void)state;
    char out[1024];
    assert_int_equal(
        canned_render("{{agent.alias}}|{{agent.full_name}}|{{agent.username}}|{{agent.internal}}|"
                      "{{agent.email}}|{{contact.first_name}}|{{contact.last_name}}|"
                      "{{contact.full_name}}|{{contact.phone}}|{{contact.email}}|"
                      "{{interaction.id}}|{{interaction.channel}}|{{account.name}}|"
                      "{{account.key}}",
                      &ann, &carla, &ix, out, sizeof out),
        0);
    assert_string_equal(out, "Ann|Ann Smith|ann.s|1001|ann@example.com|Carla|Rossi|Carla "
                             "Rossi|+390612345678||42|sms|Shop|SHP");
    size_t n;
    const char *const *names = canned_variable_names(&n);
    assert_int_equal(n, 14);
    for (size_t i = 0; i < n; i++) {
        char tmpl[64], bad[32];
        snprintf(tmpl, sizeof tmpl, "x {{ %s }} y", names[i]);
        assert_int_equal(canned_check(tmpl, bad, sizeof bad), 0);
    }
}

static void test_fallbacks_and_missing_values(void **state)
{
    (void)state;
    char out[256];
    struct canned_agent no_alias = {NULL, "Bob Jones", "bob", NULL, 0};
    struct canned_agent empty_alias = {"", "Bob Jones", "bob", NULL, 0};
    assert_int_equal(canned_render("I am {{agent.alias}}.", &no_alias, NULL, NULL, out, sizeof out),
                     0);
    assert_string_equal(out, "I am Bob Jones.");
    assert_int_equal(
        canned_render("I am {{agent.alias}}.", &empty_alias, NULL, NULL, out, sizeof out), 0);
    assert_string_equal(out, "I am Bob Jones.");
    assert_int_equal(
        canned_render("[{{agent.internal}}][{{contact.full_name}}][{{interaction.id}}]", &no_alias,
                      NULL, NULL, out, sizeof out),
        0);
    assert_string_equal(out, "[][][]");
    struct canned_contact last_only = {NULL, "Rossi", NULL, NULL};
    assert_int_equal(
        canned_render("Dear {{contact.full_name}}", NULL, &last_only, NULL, out, sizeof out), 0);
    assert_string_equal(out, "Dear Rossi");
}

static void test_text_that_is_not_a_variable(void **state)
{
    (void)state;
    char out[256];
    const char *tmpl = "{{ {{agent.alias}} }} {{nope {{a b}} {{Agent.Alias}} {{agent.password}} "
                       "{{}} {{agent.alias";
    assert_int_equal(canned_render(tmpl, &ann, NULL, NULL, out, sizeof out), 0);
    assert_string_equal(out, "{{ Ann }} {{nope {{a b}} {{Agent.Alias}} {{agent.password}} {{}} "
                             "{{agent.alias");
    char bad[32];
    assert_int_equal(canned_check("ok {{agent.alias}} then {{agent.password}}", bad, sizeof bad),
                     SB_EINVALID);
    assert_string_equal(bad, "agent.password");
    assert_int_equal(canned_check("{{ Agent.Alias }} {{a b}} {{", bad, sizeof bad), 0);
    assert_int_equal(canned_check(NULL, bad, sizeof bad), 0);
}

static void test_size_cap(void **state)
{
    (void)state;
    char out[8];
    assert_int_equal(canned_render("1234567", NULL, NULL, NULL, out, sizeof out), 0);
    assert_string_equal(out, "1234567");
    assert_int_equal(canned_render("12345678", NULL, NULL, NULL, out, sizeof out), SB_ETOOBIG);
    assert_string_equal(out, "1234567");
    assert_int_equal(canned_render("Hi {{agent.full_name}}", &ann, NULL, NULL, out, sizeof out),
                     SB_ETOOBIG);
    assert_int_equal(strlen(out), 7);
    assert_int_equal(canned_render("x", NULL, NULL, NULL, out, 0), SB_ETOOBIG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_variable),
        cmocka_unit_test(test_fallbacks_and_missing_values),
        cmocka_unit_test(test_text_that_is_not_a_variable),
        cmocka_unit_test(test_size_cap),
    };
    return cmocka_run_group_tests_name("canned", tests, NULL, NULL);
}
