/* test_scope.c — per-resource scoping: admins pass, checkers decide for others, unknown types
 * fail closed, registration limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "auth/scope.h"
#include "core/err.h"

/* A supervisor's queues: 1 and 3. */
static bool queues_of_user(const struct auth_principal *who, int64_t id, void *user)
{
    int *calls = user;
    (*calls)++;
    return who->user_id == 42 && (id == 1 || id == 3);
}

static void test_admin_passes_everything(void **state)
{
    auth_scope_reset();
    struct auth_principal admin = {.user_id = 1, .role = AUTH_ROLE_ADMIN};
    assert_true(auth_scope_allows(&admin, "queue", 99));
    assert_true(auth_scope_allows(&admin, "never-registered", 1));
}

static void test_checker_decides_for_others(void **state)
{
    auth_scope_reset();
    int calls = 0;
    assert_int_equal(auth_scope_register("queue", queues_of_user, &calls), 0);
    struct auth_principal sup = {.user_id = 42, .role = AUTH_ROLE_USER};
    struct auth_principal other = {.user_id = 7, .role = AUTH_ROLE_USER};
    assert_true(auth_scope_allows(&sup, "queue", 1));
    assert_false(auth_scope_allows(&sup, "queue", 2));
    assert_true(auth_scope_allows(&sup, "queue", 3));
    assert_false(auth_scope_allows(&other, "queue", 1));
    assert_int_equal(calls, 4);
}

static void test_unknown_type_fails_closed(void **state)
{
    auth_scope_reset();
    int calls = 0;
    assert_int_equal(auth_scope_register("queue", queues_of_user, &calls), 0);
    struct auth_principal sup = {.user_id = 42, .role = AUTH_ROLE_USER};
    assert_false(auth_scope_allows(&sup, "sms_account", 1));
    assert_false(auth_scope_allows(&sup, "queuE", 1));
    assert_int_equal(calls, 0);
}

static bool always(const struct auth_principal *who, int64_t id, void *user)
{
    return true;
}

static void test_registration_limits(void **state)
{
    auth_scope_reset();
    assert_int_equal(auth_scope_register("", always, NULL), SB_EINVAL);
    assert_int_equal(auth_scope_register("queue", NULL, NULL), SB_EINVAL);
    assert_int_equal(auth_scope_register("a-type-name-that-is-far-too-long-x", always, NULL),
                     SB_EINVAL);
    char name[16];
    for (int i = 0; i < AUTH_SCOPE_TYPES_MAX; i++) {
        snprintf(name, sizeof(name), "t%d", i);
        assert_int_equal(auth_scope_register(name, always, NULL), 0);
    }
    assert_int_equal(auth_scope_register("one-more", always, NULL), SB_EFULL);
    /* Replacing an existing type still works when full. */
    int calls = 0;
    assert_int_equal(auth_scope_register("t3", queues_of_user, &calls), 0);
    struct auth_principal agent = {.user_id = 5, .role = AUTH_ROLE_AGENT};
    assert_false(auth_scope_allows(&agent, "t3", 1));
    assert_int_equal(calls, 1);
    auth_scope_reset();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_admin_passes_everything),
        cmocka_unit_test(test_checker_decides_for_others),
        cmocka_unit_test(test_unknown_type_fails_closed),
        cmocka_unit_test(test_registration_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
