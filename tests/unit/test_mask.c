/* Masking of contact fields (http/mask.h): which members count as contact data, how many
 * characters are masked (UTF-8 aware), and that staff fields are left alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "http/mask.h"

static json_t *masked(const char *text, int n)
{
    json_t *v = json_loads(text, 0, NULL);
    assert_non_null(v);
    mask_contact_fields(v, n);
    return v;
}

static void assert_member(json_t *obj, const char *path_key, const char *want)
{
    assert_string_equal(json_string_value(json_object_get(obj, path_key)), want);
}

static void test_flat_fields_mask_the_last_n(void **state)
{
    (void)state;
    json_t *v = masked("{\"contact_phone\":\"+15551234567\",\"contact_email\":\"ana@example.com\","
                       "\"contact_name\":\"Ana\",\"full_name\":\"Agent Smith\"}",
                       4);
    assert_member(v, "contact_phone", "+1555123****");
    assert_member(v, "contact_email", "ana@example****");
    assert_member(v, "contact_name", "***");
    assert_member(v, "full_name", "Agent Smith");
    json_decref(v);
}

static void test_zero_masks_everything_and_utf8_counts_code_points(void **state)
{
    (void)state;
    json_t *v = masked("{\"contact_name\":\"Zoë Ødegård\"}", 0);
    assert_member(v, "contact_name", "***********");
    json_decref(v);
    v = masked("{\"contact_name\":\"Zoë Ødegård\"}", 3);
    assert_member(v, "contact_name", "Zoë Ødeg***");
    json_decref(v);
}

static void test_nested_contact_objects_and_arrays(void **state)
{
    (void)state;
    json_t *v = masked("{\"items\":[{\"id\":1,\"name\":\"queue\",\"contact\":{\"first_name\":"
                       "\"Maria\",\"phone\":\"5550100\",\"id\":7}}],\"contacts\":[{\"email\":"
                       "\"x@y.z\",\"name\":\"Bo\"}],\"agent\":{\"name\":\"Staff\"}}",
                       2);
    json_t *item = json_array_get(json_object_get(v, "items"), 0);
    assert_member(item, "name", "queue");
    json_t *c = json_object_get(item, "contact");
    assert_member(c, "first_name", "Mar**");
    assert_member(c, "phone", "55501**");
    assert_int_equal(json_integer_value(json_object_get(c, "id")), 7);
    json_t *c2 = json_array_get(json_object_get(v, "contacts"), 0);
    assert_member(c2, "email", "x@y**");
    assert_member(c2, "name", "**");
    assert_member(json_object_get(v, "agent"), "name", "Staff");
    json_decref(v);
}

static void test_detection(void **state)
{
    (void)state;
    json_t *with = json_loads("{\"a\":[{\"contact\":{\"phone\":\"1\"}}]}", 0, NULL);
    json_t *without = json_loads("{\"name\":\"x\",\"email\":\"y\",\"phone\":\"z\"}", 0, NULL);
    assert_true(mask_has_contact_fields(with));
    assert_false(mask_has_contact_fields(without));
    json_decref(with);
    json_decref(without);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flat_fields_mask_the_last_n),
        cmocka_unit_test(test_zero_masks_everything_and_utf8_counts_code_points),
        cmocka_unit_test(test_nested_contact_objects_and_arrays),
        cmocka_unit_test(test_detection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
