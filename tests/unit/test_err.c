#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"

static const struct {
    int code;
    int status;
    const char *title;
    const char *name;
} rows[] = {
    {SB_OK, 200, "OK", "SB_OK"},
    {SB_ENOMEM, 500, "Out of Memory", "SB_ENOMEM"},
    {SB_EINVAL, 400, "Bad Request", "SB_EINVAL"},
    {SB_ENOTFOUND, 404, "Not Found", "SB_ENOTFOUND"},
    {SB_ECONFLICT, 409, "Conflict", "SB_ECONFLICT"},
    {SB_ETOOBIG, 413, "Content Too Large", "SB_ETOOBIG"},
    {SB_EBUSY, 503, "Service Unavailable", "SB_EBUSY"},
    {SB_EIO, 503, "Service Unavailable", "SB_EIO"},
    {SB_EUNAVAIL, 503, "Service Unavailable", "SB_EUNAVAIL"},
    {SB_EFULL, 503, "Service Unavailable", "SB_EFULL"},
    {SB_EAUTH, 401, "Unauthorized", "SB_EAUTH"},
    {SB_EFORBIDDEN, 403, "Forbidden", "SB_EFORBIDDEN"},
    {SB_ETHROTTLED, 429, "Too Many Requests", "SB_ETHROTTLED"},
    {SB_EINVALID, 422, "Unprocessable Content", "SB_EINVALID"},
    {SB_EINTERNAL, 500, "Internal Server Error", "SB_EINTERNAL"},
    {SB_EMETHOD, 405, "Method Not Allowed", "SB_EMETHOD"},
};

static void test_every_code_mapped(void **state)
{
    size_t n = sizeof(rows) / sizeof(rows[0]);
    /* The table above must cover every code, so a new code forces a new row here. */
    assert_int_equal(n, -SB_ERR_MIN_);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(rows[i].code, -(int)i);
        assert_int_equal(sb_err_status(rows[i].code), rows[i].status);
        assert_string_equal(sb_err_title(rows[i].code), rows[i].title);
        assert_string_equal(sb_err_name(rows[i].code), rows[i].name);
    }
}

static void test_unknown_codes_are_500(void **state)
{
    const int unknown[] = {SB_ERR_MIN_, SB_ERR_MIN_ - 1, -1000, INT_MIN, 1, 42, INT_MAX};
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
        int c = unknown[i];
        assert_int_equal(sb_err_status(c), 500);
        assert_string_equal(sb_err_title(c), "Internal Server Error");
        assert_non_null(sb_err_name(c));
        /* A log must not claim a real code for a value that is none. */
        for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]); k++)
            assert_string_not_equal(sb_err_name(c), rows[k].name);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_code_mapped),
        cmocka_unit_test(test_unknown_codes_are_500),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
