#include "staff/profiles.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/json_out.h"
#include "core/err.h"
#include "db/db.h"

static const char *const permission_types[] = {"read", "read_edit", "read_delete",
                                               "read_edit_delete"};
/* The console sections a profile can enable; the channel issues add theirs. */
static const char *const sections[] = {"agents",  "teams",        "queues",   "realtime",
                                       "reports", "contacts",     "sms",      "chat",
                                       "email",   "openchannel",  "whatsapp", "fax",
                                       "voice",   "dispositions", "tags",     "canned_answers"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool in(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        if (!strcmp(s, list[i]))
            return true;
    return false;
}

static void err(json_t *errors, const char *field, const char *msg)
{
    json_array_append_new(errors, json_pack("{s:s, s:s}", "field", field, "message", msg));
}

static bool plain_text(const json_t *v, size_t min, size_t max)
{
    const char *s = json_string_value(v);
    if (!s || json_string_length(v) < min || json_string_length(v) > max ||
        strlen(s) != json_string_length(v))
        return false;
    for (; *s; s++)
        if ((unsigned char)*s < 0x20)
            return false;
    return true;
}

static void check_sections(const json_t *v, json_t *errors)
{
    if (!json_is_object(v)) {
        err(errors, "sections", "must be an object of section: permission type");
        return;
    }
    const char *k;
    json_t *type;
    json_object_foreach((json_t *)v, k, type)
    {
        char field[96];
        snprintf(field, sizeof(field), "sections.%.60s", k);
        if (!in(k, sections, COUNT(sections)))
            err(errors, field, "is not a section");
        else if (!in(json_string_value(type), permission_types, COUNT(permission_types)) &&
                 !(json_string_value(type) && !strcmp(json_string_value(type), "default")))
            err(errors, field, "must be default, read, read_edit, read_delete or read_edit_delete");
    }
}

static int check_queues(struct db *db, const json_t *v, json_t *errors)
{
    if (!json_is_array(v) || json_array_size(v) > PROFILE_QUEUES_MAX) {
        err(errors, "queue_ids", "must be an array of at most 10000 queue ids");
        return 0;
    }
    size_t i;
    json_t *id;
    json_array_foreach((json_t *)v, i, id)
    {
        char field[32];
        snprintf(field, sizeof(field), "queue_ids[%zu]", i);
        int64_t n = 0;
        int r = json_is_integer(id) ? db_query_int64(db, "SELECT COUNT(*) FROM queues WHERE id = ?",
                                                     &n, 1, (int64_t)json_integer_value(id))
                                    : 0;
        if (r)
            return r;
        if (!n) {
            err(errors, field, "is not a queue");
            return 0; /* one named error is enough; the rest are not looked up */
        }
    }
    return 0;
}

int profile_validate(struct db *db, const json_t *body, const json_t *current, json_t **clean,
                     json_t **errors)
{
    *clean = NULL;
    *errors = json_array();
    json_t *c = current ? json_deep_copy(current)
                        : json_pack("{s:s, s:n, s:s, s:{}, s:[], s:b}", "name", "", "description",
                                    "default_permission", "read", "sections", "queue_ids",
                                    "mask_sensitive", 0);
    if (!c || !*errors) {
        json_decref(c);
        return SB_ENOMEM;
    }
    static const char *const keys[] = {"name",     "description", "default_permission",
                                       "sections", "queue_ids",   "mask_sensitive"};
    int r = 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)body, k, v)
    {
        if (!in(k, keys, COUNT(keys))) {
            err(*errors, k, "is not a profile field");
            continue;
        }
        if (!strcmp(k, "name") && !plain_text(v, 1, PROFILE_NAME_MAX))
            err(*errors, k, "must be 1 to 64 characters");
        else if (!strcmp(k, "description") && !json_is_null(v) && !plain_text(v, 0, 1024))
            err(*errors, k, "must be at most 1024 characters");
        else if (!strcmp(k, "default_permission") &&
                 !in(json_string_value(v), permission_types, COUNT(permission_types)))
            err(*errors, k, "must be read, read_edit, read_delete or read_edit_delete");
        else if (!strcmp(k, "sections"))
            check_sections(v, *errors);
        else if (!strcmp(k, "queue_ids"))
            r = r ? r : check_queues(db, v, *errors);
        else if (!strcmp(k, "mask_sensitive") && !json_is_boolean(v))
            err(*errors, k, "must be true or false");
        json_object_set(c, k, v);
    }
    if (!current && !json_object_get(body, "name"))
        err(*errors, "name", "is required");
    if (r || json_array_size(*errors)) {
        json_decref(c);
        if (r) {
            json_decref(*errors);
            *errors = NULL;
            return r;
        }
        return SB_EINVALID;
    }
    json_decref(*errors);
    *errors = NULL;
    json_object_del(c, "id");
    json_object_del(c, "users");
    json_object_del(c, "created_at");
    json_object_del(c, "updated_at");
    *clean = c;
    return 0;
}

/* Replaces the queue rows of profile `id` inside the caller's transaction. */
static int store_queues(struct db *db, int64_t id, const json_t *clean)
{
    int r = db_execf(
        db, NULL, "DELETE FROM profile_resources WHERE profile_id = ? AND kind = 'queue'", "i", id);
    size_t i;
    json_t *q;
    json_array_foreach(json_object_get(clean, "queue_ids"), i, q)
    {
        if (r)
            break;
        r = db_execf(db, NULL,
                     "INSERT INTO profile_resources(profile_id, kind, resource_id) VALUES(?, "
                     "'queue', ?) ON CONFLICT DO NOTHING",
                     "ii", id, (int64_t)json_integer_value(q));
    }
    return r;
}

static int store(struct db *db, int64_t *id, const json_t *clean, int64_t now_ms)
{
    char *sections_text =
        json_dumps(json_object_get(clean, "sections"), JSON_COMPACT | JSON_SORT_KEYS);
    if (!sections_text)
        return SB_ENOMEM;
    const char *name = json_string_value(json_object_get(clean, "name"));
    const char *desc = json_string_value(json_object_get(clean, "description"));
    const char *perm = json_string_value(json_object_get(clean, "default_permission"));
    int64_t mask = json_is_true(json_object_get(clean, "mask_sensitive"));
    int r = db_begin(db);
    if (!r && *id) {
        int64_t n = 0;
        r = db_execf(db, &n,
                     "UPDATE profiles SET name = ?, description = ?, default_permission = ?, "
                     "sections = ?, mask_sensitive = ?, updated_at = ? WHERE id = ?",
                     "ttttiii", name, desc, perm, sections_text, mask, now_ms, *id);
        if (!r && !n)
            r = SB_ENOTFOUND;
    } else if (!r) {
        struct db_stmt *st = NULL;
        r = db_prepare(db,
                       "INSERT INTO profiles(name, description, default_permission, sections, "
                       "mask_sensitive, created_at, updated_at) VALUES(?, ?, ?, ?, ?, ?, ?) "
                       "RETURNING id",
                       &st);
        if (!r)
            r = db_bind_all(st, "ttttiii", name, desc, perm, sections_text, mask, now_ms, now_ms);
        if (!r)
            r = db_step(st);
        if (r == DB_ROW) {
            *id = db_col_int64(st, 0);
            r = 0;
        } else if (r == DB_DONE) {
            r = SB_EINTERNAL;
        }
        db_finalize(st);
    }
    if (!r)
        r = store_queues(db, *id, clean);
    if (!r)
        r = db_commit(db);
    if (r)
        db_rollback(db);
    free(sections_text);
    return r;
}

int profile_create(struct db *db, const json_t *clean, int64_t now_ms, int64_t *id_out)
{
    *id_out = 0;
    return store(db, id_out, clean, now_ms);
}

int profile_update(struct db *db, int64_t id, const json_t *clean, int64_t now_ms)
{
    return store(db, &id, clean, now_ms);
}

#define PROFILE_SELECT                                                                             \
    "SELECT p.id, p.name, p.description, p.default_permission, p.sections, p.mask_sensitive, "     \
    "p.created_at, p.updated_at, (SELECT COUNT(*) FROM staff s WHERE s.profile_id = p.id AND "     \
    "s.deleted_at IS NULL) FROM profiles p"

static json_t *profile_from_row(struct db *db, struct db_stmt *st)
{
    int64_t id = db_col_int64(st, 0);
    json_t *o = json_pack(
        "{s:I, s:s, s:s?, s:s, s:o, s:b, s:o, s:o, s:I, s:[]}", "id", (json_int_t)id, "name",
        db_col_text(st, 1), "description", db_col_text(st, 2), "default_permission",
        db_col_text(st, 3), "sections", json_loads(db_col_text(st, 4), 0, NULL), "mask_sensitive",
        db_col_int64(st, 5) != 0, "created_at", json_time(db_col_int64(st, 6)), "updated_at",
        json_time(db_col_int64(st, 7)), "users", (json_int_t)db_col_int64(st, 8), "queue_ids");
    struct db_stmt *q = NULL;
    json_t *ids = json_object_get(o, "queue_ids");
    int r = o ? db_prepare(db,
                           "SELECT resource_id FROM profile_resources WHERE profile_id = ? AND "
                           "kind = 'queue' ORDER BY resource_id",
                           &q)
              : SB_ENOMEM;
    if (!r)
        r = db_bind_int64(q, 1, id);
    while (!r && db_step(q) == DB_ROW)
        json_array_append_new(ids, json_integer(db_col_int64(q, 0)));
    db_finalize(q);
    if (r) {
        json_decref(o);
        return NULL;
    }
    return o;
}

int profile_get(struct db *db, int64_t id, json_t **out)
{
    struct db_stmt *st;
    int r = db_prepare(db, PROFILE_SELECT " WHERE p.id = ?", &st);
    if (!r)
        r = db_bind_int64(st, 1, id);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        *out = profile_from_row(db, st);
        r = *out ? 0 : SB_ENOMEM;
    } else if (r == DB_DONE) {
        r = SB_ENOTFOUND;
    }
    db_finalize(st);
    return r;
}

int profile_delete(struct db *db, int64_t id)
{
    int64_t users = 0, n = 0;
    int r =
        db_query_int64(db, "SELECT COUNT(*) FROM staff WHERE profile_id = ? AND deleted_at IS NULL",
                       &users, 1, id);
    if (!r && users)
        return SB_ECONFLICT;
    if (!r)
        r = db_begin(db);
    /* Deleted supervisors keep their row for history, not their profile. */
    if (!r)
        r = db_execf(db, NULL, "UPDATE staff SET profile_id = NULL WHERE profile_id = ?", "i", id);
    if (!r)
        r = db_execf(db, &n, "DELETE FROM profiles WHERE id = ?", "i", id);
    if (!r && !n)
        r = SB_ENOTFOUND;
    if (!r)
        r = db_commit(db);
    if (r)
        db_rollback(db);
    return r;
}

int profile_list(struct db *db, json_t **items)
{
    struct db_stmt *st;
    *items = json_array();
    int r = db_prepare(db, PROFILE_SELECT " ORDER BY p.name", &st);
    while (!r && (r = db_step(st)) == DB_ROW) {
        json_t *o = profile_from_row(db, st);
        r = o ? json_array_append_new(*items, o) ? SB_ENOMEM : 0 : SB_ENOMEM;
    }
    db_finalize(st);
    if (r != DB_DONE) {
        json_decref(*items);
        *items = NULL;
        return r < 0 ? r : SB_EINTERNAL;
    }
    return 0;
}

bool profile_masks(struct db *db, int64_t id)
{
    int64_t m = 0;
    return !db_query_int64(db, "SELECT mask_sensitive FROM profiles WHERE id = ?", &m, 1, id) && m;
}
