#include "http/mask.h"

#include <stdlib.h>
#include <string.h>

static mask_resolver resolver;
static void *resolver_user;

static const char *const flat_keys[] = {"contact_name", "contact_phone", "contact_email"};
static const char *const nested_keys[] = {"name", "first_name", "last_name", "phone", "email"};

static bool in(const char *k, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(k, list[i]))
            return true;
    return false;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Visits every contact field's value of `v`; `contact` says whether `v` is a contact object.
 * Returns true (and stops) when `fn` returns true. */
static bool walk(json_t *v, bool contact, bool (*fn)(json_t *obj, const char *key, void *),
                 void *arg)
{
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) if (walk(e, contact, fn, arg)) return true;
        return false;
    }
    if (!json_is_object(v))
        return false;
    const char *k;
    json_t *m;
    json_object_foreach(v, k, m)
    {
        bool field = in(k, flat_keys, COUNT(flat_keys)) ||
                     (contact && in(k, nested_keys, COUNT(nested_keys)));
        if (field && fn(v, k, arg))
            return true;
        bool child_contact = !strcmp(k, "contact") || (!strcmp(k, "contacts") && json_is_array(m));
        if (!field && walk(m, child_contact, fn, arg))
            return true;
    }
    return false;
}

static bool found(json_t *obj, const char *key, void *arg)
{
    (void)obj, (void)key, (void)arg;
    return true;
}

bool mask_has_contact_fields(const json_t *v)
{
    return walk((json_t *)v, false, found, NULL);
}

/* Replaces the last `masked` code points of a UTF-8 string with '*' (0: all of them). */
static char *masked_copy(const char *s, int masked)
{
    size_t len = strlen(s), points = 0;
    for (size_t i = 0; i < len; i++)
        points += ((unsigned char)s[i] & 0xC0) != 0x80;
    size_t keep = masked == 0 || (size_t)masked >= points ? 0 : points - (size_t)masked;
    size_t cut = 0;
    for (size_t seen = 0; cut < len; cut++) {
        if (((unsigned char)s[cut] & 0xC0) != 0x80 && seen++ == keep)
            break;
    }
    size_t stars = points - keep;
    char *out = malloc(cut + stars + 1);
    if (!out)
        return NULL;
    memcpy(out, s, cut);
    memset(out + cut, '*', stars);
    out[cut + stars] = '\0';
    return out;
}

static bool mask_one(json_t *obj, const char *key, void *arg)
{
    json_t *v = json_object_get(obj, key);
    const char *s = json_string_value(v);
    if (s) {
        char *m = masked_copy(s, *(int *)arg);
        /* Out of memory: blank rather than leak the value. */
        json_string_set(v, m ? m : "");
        free(m);
    }
    return false;
}

void mask_contact_fields(json_t *v, int masked)
{
    walk(v, false, mask_one, &masked);
}

void mask_set_resolver(mask_resolver fn, void *user)
{
    resolver = fn;
    resolver_user = user;
}

int mask_for(int64_t staff_id, const char *role)
{
    if (!resolver || !staff_id || !role)
        return -1;
    return resolver(resolver_user, staff_id, role);
}
