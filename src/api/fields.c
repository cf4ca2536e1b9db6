#include "api/fields.h"

#include <stdio.h>
#include <string.h>

#include "admin/settings.h"
#include "auth/password.h"
#include "http/respond.h"

bool field_string(json_t *body, const char *k, size_t max, bool required, json_t *p)
{
    json_t *v = json_object_get(body, k);
    if (!v || json_is_null(v)) {
        if (required) {
            http_problem_add_error(p, k, "is required");
            return false;
        }
        return true;
    }
    const char *s = json_string_value(v);
    bool ok = s && json_string_length(v) <= max && strlen(s) == json_string_length(v) &&
              (!required || *s);
    for (const unsigned char *c = (const unsigned char *)s; ok && *c; c++)
        if (*c < 0x20)
            ok = false;
    if (!ok) {
        char msg[96];
        snprintf(msg, sizeof(msg), "must be a string of %s%zu characters at most",
                 required ? "1 to " : "", max);
        http_problem_add_error(p, k, msg);
    }
    return ok;
}

bool field_email(json_t *body, const char *k, json_t *p)
{
    const char *s = json_string_value(json_object_get(body, k));
    const char *at = s ? strchr(s, '@') : NULL;
    bool ok = !s || !*s || (at && at != s && at[1] && !strchr(at + 1, '@') && strlen(s) <= 254);
    if (!ok)
        http_problem_add_error(p, k, "must be an e-mail address");
    return ok;
}

bool field_bool(json_t *body, const char *k, json_t *p)
{
    json_t *v = json_object_get(body, k);
    if (v && !json_is_boolean(v)) {
        http_problem_add_error(p, k, "must be true or false");
        return false;
    }
    return true;
}

bool field_new_password(json_t *body, const char *k, json_t *p)
{
    json_t *pw = json_object_get(body, k);
    const char *s = json_string_value(pw);
    if (!s || !*s || json_string_length(pw) > PASSWORD_MAX_BYTES ||
        strlen(s) != json_string_length(pw)) {
        http_problem_add_error(p, k, "is required");
        return false;
    }
    unsigned broken = password_policy_check(s, settings_get_bool("security.suite_enabled"));
    if (!broken)
        return true;
    json_t *errs = json_object_get(p, "errors");
    if (!errs) {
        errs = json_array();
        json_object_set_new(p, "errors", errs);
    }
    password_policy_errors(broken, k, errs);
    return false;
}
