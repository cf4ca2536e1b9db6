#include "admin/settings.h"

#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/settings_defs.h"
#include "core/err.h"
#include "core/log.h"
#include "db/db.h"
#include "ws/hub.h"

struct setting_slot {
    const struct setting_def *def;
    json_t *value; /* owned */
};

static pthread_rwlock_t cache_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct setting_slot *slots;
static size_t nslots;
static struct hub *settings_hub;

static struct setting_slot *slot_find(const char *key)
{
    for (size_t i = 0; i < nslots; i++)
        if (!strcmp(slots[i].def->key, key))
            return &slots[i];
    return NULL;
}

/* Returns NULL when `v` is acceptable for `d`, else the message for the field. */
static const char *setting_check(const struct setting_def *d, const json_t *v)
{
    static _Thread_local char msg[160];
    switch (d->type) {
    case SETTING_INT:
        if (!json_is_integer(v) || json_integer_value(v) < d->min ||
            json_integer_value(v) > d->max) {
            snprintf(msg, sizeof(msg), "must be an integer from %lld to %lld", (long long)d->min,
                     (long long)d->max);
            return msg;
        }
        break;
    case SETTING_BOOL:
        if (!json_is_boolean(v))
            return "must be true or false";
        break;
    case SETTING_STRING:
        if (!json_is_string(v) || json_string_length(v) > (size_t)d->max ||
            strlen(json_string_value(v)) != json_string_length(v)) {
            snprintf(msg, sizeof(msg), "must be a string of at most %lld characters",
                     (long long)d->max);
            return msg;
        }
        break;
    case SETTING_ENUM: {
        const char *s = json_string_value(v);
        bool ok = false;
        if (s && *s && !strchr(s, '|')) {
            size_t n = strlen(s);
            for (const char *c = d->choices; c && *c;) {
                const char *end = strchrnul(c, '|');
                if ((size_t)(end - c) == n && !memcmp(c, s, n))
                    ok = true;
                c = *end ? end + 1 : end;
            }
        }
        if (!ok) {
            snprintf(msg, sizeof(msg), "must be one of: %s", d->choices);
            for (char *p = msg; *p; p++)
                if (*p == '|')
                    *p = ',';
            return msg;
        }
        break;
    }
    }
    return d->check ? d->check(v) : NULL;
}

static json_t *parse_default(const struct setting_def *d)
{
    json_t *v = json_loads(d->def, JSON_DECODE_ANY, NULL);
    assert(v && !setting_check(d, v) && "a setting default must satisfy its own rules");
    return v;
}

int settings_init(struct db *db, struct hub *hub)
{
    settings_cleanup();
    static const struct {
        const struct setting_def *defs;
        const size_t *count;
    } tables[] = {{settings_general, &settings_general_count},
                  {settings_security, &settings_security_count},
                  {settings_reports, &settings_reports_count},
                  {settings_customization, &settings_customization_count}};
    size_t total = 0;
    for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
        total += *tables[t].count;
    slots = calloc(total, sizeof(*slots));
    if (!slots)
        return SB_ENOMEM;
    nslots = total;
    for (size_t t = 0, k = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
        for (size_t i = 0; i < *tables[t].count; i++)
            slots[k++].def = &tables[t].defs[i];
    for (size_t i = 0; i < nslots; i++) {
        slots[i].value = parse_default(slots[i].def);
        if (!slots[i].value)
            return SB_ENOMEM;
    }
    settings_hub = hub;
    struct db_stmt *st;
    int r = db_prepare(db, "SELECT key, value FROM settings", &st);
    if (r)
        return r;
    while ((r = db_step(st)) == DB_ROW) {
        const char *key = db_col_text(st, 0);
        struct setting_slot *s = key ? slot_find(key) : NULL;
        if (!s)
            continue;
        json_t *v = json_loads(db_col_text(st, 1), JSON_DECODE_ANY, NULL);
        if (!v || setting_check(s->def, v)) {
            log_warn("stored setting %s is not valid any more: using the default", key);
            json_decref(v);
            continue;
        }
        json_decref(s->value);
        s->value = v;
    }
    db_finalize(st);
    return r == DB_DONE ? 0 : r;
}

void settings_cleanup(void)
{
    for (size_t i = 0; i < nslots; i++)
        json_decref(slots[i].value);
    free(slots);
    slots = NULL;
    nslots = 0;
}

static json_t *value_ref(const char *key, enum setting_type want)
{
    json_t *v = NULL;
    pthread_rwlock_rdlock(&cache_lock);
    struct setting_slot *s = slot_find(key);
    if (s && (s->def->type == want || (want == SETTING_STRING && s->def->type == SETTING_ENUM)))
        v = json_incref(s->value);
    pthread_rwlock_unlock(&cache_lock);
    assert(v && "unknown setting or wrong type");
    return v;
}

int64_t settings_get_int(const char *key)
{
    json_t *v = value_ref(key, SETTING_INT);
    int64_t n = (int64_t)json_integer_value(v);
    json_decref(v);
    return n;
}

bool settings_get_bool(const char *key)
{
    json_t *v = value_ref(key, SETTING_BOOL);
    bool b = json_is_true(v);
    json_decref(v);
    return b;
}

const char *settings_get_string(const char *key, char *out, size_t n)
{
    json_t *v = value_ref(key, SETTING_STRING);
    snprintf(out, n, "%s", v ? json_string_value(v) : "");
    json_decref(v);
    return out;
}

int64_t settings_idle_ms(void)
{
    return settings_get_int("security.session_idle_minutes") * 60000;
}

static const char *type_name(enum setting_type t)
{
    switch (t) {
    case SETTING_INT:
        return "integer";
    case SETTING_BOOL:
        return "boolean";
    case SETTING_ENUM:
        return "enum";
    default:
        return "string";
    }
}

json_t *settings_describe(void)
{
    json_t *arr = json_array();
    pthread_rwlock_rdlock(&cache_lock);
    for (size_t i = 0; arr && i < nslots; i++) {
        const struct setting_def *d = slots[i].def;
        json_t *o = json_pack("{s:s, s:s, s:O, s:o, s:s}", "key", d->key, "type",
                              type_name(d->type), "value", slots[i].value, "default",
                              json_loads(d->def, JSON_DECODE_ANY, NULL), "description", d->help);
        if (o && d->type == SETTING_INT) {
            json_object_set_new(o, "min", json_integer(d->min));
            json_object_set_new(o, "max", json_integer(d->max));
        } else if (o && d->type == SETTING_STRING) {
            json_object_set_new(o, "max_length", json_integer(d->max));
        } else if (o && d->type == SETTING_ENUM) {
            json_t *ch = json_array();
            for (const char *c = d->choices; ch && *c;) {
                const char *end = strchrnul(c, '|');
                json_array_append_new(ch, json_stringn(c, (size_t)(end - c)));
                c = *end ? end + 1 : end;
            }
            json_object_set_new(o, "choices", ch);
        }
        if (!o || json_array_append_new(arr, o)) {
            json_decref(arr);
            arr = NULL;
        }
    }
    pthread_rwlock_unlock(&cache_lock);
    return arr;
}

static int store_all(struct db *db, const json_t *patch, int64_t now_ms)
{
    const char *sql = "INSERT INTO settings(key, value, updated_at) VALUES(?, ?, ?) "
                      "ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
                      "updated_at = excluded.updated_at";
    int r = db_begin(db);
    if (r)
        return r;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)patch, key, v)
    {
        char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        struct db_stmt *st = NULL;
        r = text ? db_prepare(db, sql, &st) : SB_ENOMEM;
        if (!r)
            r = db_bind_text(st, 1, key, -1);
        if (!r)
            r = db_bind_text(st, 2, text, -1);
        if (!r)
            r = db_bind_int64(st, 3, now_ms);
        if (!r)
            r = db_step(st) == DB_DONE ? 0 : SB_EINTERNAL;
        db_finalize(st);
        free(text);
        if (r)
            goto fail;
    }
    r = db_commit(db);
    if (r)
        goto fail;
    return 0;
fail:
    db_rollback(db);
    return r;
}

static int settings_apply_checked(struct db *db, const json_t *patch, int64_t now_ms,
                                  json_t **errors, bool validate_only);

int settings_apply(struct db *db, const json_t *patch, int64_t now_ms, json_t **errors)
{
    return settings_apply_checked(db, patch, now_ms, errors, false);
}

/* Validates everything; writes only when valid and not `validate_only`. */
static int settings_apply_checked(struct db *db, const json_t *patch, int64_t now_ms,
                                  json_t **errors, bool validate_only)
{
    *errors = NULL;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)patch, key, v)
    {
        const char *msg = NULL;
        pthread_rwlock_rdlock(&cache_lock);
        struct setting_slot *s = slot_find(key);
        msg = s ? setting_check(s->def, v) : "unknown setting";
        pthread_rwlock_unlock(&cache_lock);
        if (msg) {
            if (!*errors)
                *errors = json_array();
            json_array_append_new(*errors, json_pack("{s:s, s:s}", "field", key, "message", msg));
        }
    }
    if (*errors)
        return SB_EINVALID;
    if (validate_only || json_object_size(patch) == 0)
        return 0;
    int r = store_all(db, patch, now_ms);
    if (r)
        return r;
    json_t *keys = json_array();
    pthread_rwlock_wrlock(&cache_lock);
    json_object_foreach((json_t *)patch, key, v)
    {
        struct setting_slot *s = slot_find(key);
        json_decref(s->value);
        s->value = json_deep_copy(v);
        json_array_append_new(keys, json_string(key));
    }
    pthread_rwlock_unlock(&cache_lock);
    if (settings_hub) {
        json_t *ev = json_pack("{s:s, s:{s:o}}", "type", "settings.changed", "data", "keys", keys);
        char *text = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
        if (text && hub_publish(settings_hub, "role:admin", text, strlen(text)))
            log_warn("settings change event dropped: hub queue full");
        free(text);
        json_decref(ev);
    } else {
        json_decref(keys);
    }
    return 0;
}

json_t *settings_section_get(const char *prefix)
{
    size_t n = strlen(prefix);
    json_t *o = json_object();
    pthread_rwlock_rdlock(&cache_lock);
    for (size_t i = 0; o && i < nslots; i++)
        if (!strncmp(slots[i].def->key, prefix, n))
            json_object_set(o, slots[i].def->key + n, slots[i].value);
    pthread_rwlock_unlock(&cache_lock);
    return o;
}

static void section_error(json_t **errors, const char *field, const char *msg)
{
    if (!*errors)
        *errors = json_array();
    json_array_append_new(*errors, json_pack("{s:s, s:s}", "field", field, "message", msg));
}

int settings_section_put(struct db *db, const char *prefix, const json_t *body, int64_t now_ms,
                         json_t **errors)
{
    size_t n = strlen(prefix);
    *errors = NULL;
    json_t *patch = json_object();
    if (!patch)
        return SB_ENOMEM;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)body, key, v)
    {
        char full[160];
        snprintf(full, sizeof(full), "%s%s", prefix, key);
        json_object_set(patch, full, v);
    }
    /* PUT replaces the section: every key must be present. */
    pthread_rwlock_rdlock(&cache_lock);
    for (size_t i = 0; i < nslots; i++)
        if (!strncmp(slots[i].def->key, prefix, n) && !json_object_get(patch, slots[i].def->key))
            section_error(errors, slots[i].def->key + n, "is required");
    pthread_rwlock_unlock(&cache_lock);
    json_t *more = NULL;
    int r = settings_apply_checked(db, patch, now_ms, &more, *errors != NULL);
    json_decref(patch);
    if (more) {
        size_t i;
        json_t *e;
        json_array_foreach(more, i, e)
        {
            const char *f = json_string_value(json_object_get(e, "field"));
            section_error(errors, f && !strncmp(f, prefix, n) ? f + n : f,
                          json_string_value(json_object_get(e, "message")));
        }
        json_decref(more);
    }
    return *errors ? SB_EINVALID : r;
}
