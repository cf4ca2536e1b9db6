/* json_fields.c — json_fields.h. */
#include "core/json_fields.h"

#include "core/err.h"

#include <stdio.h>
#include <string.h>

void jf_error(json_t **errors, const char *field, const char *message)
{
    if (!*errors)
        *errors = json_array();
    json_array_append_new(*errors, json_pack("{s:s, s:s}", "field", field, "message", message));
}

json_t *jf_pick(const json_t *body, const json_t *current, const char *k)
{
    json_t *v = json_object_get(body, k);
    return v ? v : json_object_get(current, k);
}

static bool plain_text(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    return true;
}

static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

void jf_text(const json_t *body, const json_t *current, json_t *clean, const char *k, size_t max,
             bool required, json_t **errors)
{
    json_t *v = jf_pick(body, current, k);
    if (!v || json_is_null(v) || (!required && json_is_string(v) && !*json_string_value(v))) {
        if (required)
            jf_error(errors, k, "is required");
        else
            json_object_set_new(clean, k, json_null());
        return;
    }
    const char *s = json_string_value(v);
    char m[80];
    snprintf(m, sizeof(m), "must be %s%zu characters without control characters",
             required ? "1 to " : "at most ", max);
    if (!s)
        jf_error(errors, k, "must be a string");
    else if (!*s || chars(s) > max || !plain_text(s) || strlen(s) != json_string_length(v))
        jf_error(errors, k, m);
    else
        json_object_set(clean, k, v);
}

void jf_int(const json_t *body, const json_t *current, json_t *clean, const char *k, json_int_t def,
            json_int_t lo, json_int_t hi, json_t **errors)
{
    json_t *v = jf_pick(body, current, k);
    if (!v) {
        json_object_set_new(clean, k, json_integer(def));
    } else if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
        char m[80];
        snprintf(m, sizeof(m), "must be an integer from %lld to %lld", (long long)lo,
                 (long long)hi);
        jf_error(errors, k, m);
    } else {
        json_object_set(clean, k, v);
    }
}

void jf_bool(const json_t *body, const json_t *current, json_t *clean, const char *k,
             json_t **errors)
{
    json_t *v = jf_pick(body, current, k);
    if (v && !json_is_boolean(v))
        jf_error(errors, k, "must be true or false");
    else
        json_object_set_new(clean, k, json_boolean(json_is_true(v)));
}

int jf_finish(int r, json_t **clean, json_t **errors)
{
    if (!r && !*errors)
        return 0;
    json_decref(*clean);
    *clean = NULL;
    if (!r)
        return SB_EINVALID;
    json_decref(*errors);
    *errors = NULL;
    return r;
}
