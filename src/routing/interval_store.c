/* interval_store.c — intervals in the database: validation of the API's objects, CRUD, and
 * loading every interval into an interval_set for the flow interpreter. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/json_out.h"
#include "core/err.h"
#include "db/db.h"
#include "routing/intervals.h"

static const char *const spec_fields[4] = {"time_range", "week_days", "month_days", "months"};

static void err(json_t **errors, const char *field, const char *msg)
{
    if (!*errors)
        *errors = json_array();
    json_array_append_new(*errors, json_pack("{s:s, s:s}", "field", field, "message", msg));
}

/* A string of 1..max characters (0..max when !required) without control characters. */
static bool text_ok(const json_t *v, size_t max, bool required)
{
    const char *s = json_string_value(v);
    if (!s || json_string_length(v) > max || strlen(s) != json_string_length(v) ||
        (required && !*s))
        return false;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        if (*c < 0x20 || *c == 0x7f)
            return false;
    return true;
}

/* Lower-cases ASCII letters: stored specs read the same as they parse. New reference. */
static json_t *lowered(const char *s)
{
    char buf[INTERVAL_FIELD_MAX + 1];
    size_t n = strlen(s);
    if (n > INTERVAL_FIELD_MAX)
        n = INTERVAL_FIELD_MAX;
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)tolower((unsigned char)s[i]);
    buf[n] = 0;
    return json_string(buf);
}

/* Checks sub-interval `i` of the body and returns its clean form (NULL when it is bad; the
 * errors are added). */
static json_t *check_sub(const json_t *v, size_t i, json_t **errors)
{
    char field[64];
    if (!json_is_object(v)) {
        snprintf(field, sizeof(field), "sub_intervals[%zu]", i);
        err(errors, field, "must be an object");
        return NULL;
    }
    bool bad = false;
    const char *k;
    json_t *x;
    json_object_foreach((json_t *)v, k, x)
    {
        bool known = !strcmp(k, "name") || !strcmp(k, "type") || !strcmp(k, "id");
        for (int f = 0; f < 4; f++)
            known |= !strcmp(k, spec_fields[f]);
        if (!known) {
            snprintf(field, sizeof(field), "sub_intervals[%zu].%.32s", i, k);
            err(errors, field, "unknown field");
            bad = true;
        }
    }
    json_t *name = json_object_get(v, "name");
    if (name && !json_is_null(name) && !text_ok(name, INTERVAL_NAME_MAX, false)) {
        snprintf(field, sizeof(field), "sub_intervals[%zu].name", i);
        err(errors, field, "must be a string of at most 64 characters");
        bad = true;
    }
    json_t *type = json_object_get(v, "type");
    const char *t = type ? json_string_value(type) : "custom";
    bool always = t && !strcmp(t, "always");
    if (!t || (!always && strcmp(t, "custom"))) {
        snprintf(field, sizeof(field), "sub_intervals[%zu].type", i);
        err(errors, field, "must be always or custom");
        return NULL;
    }
    const char *vals[4];
    for (int f = 0; f < 4; f++) {
        json_t *fv = json_object_get(v, spec_fields[f]);
        vals[f] = json_is_null(fv) || !fv ? NULL : json_string_value(fv);
        snprintf(field, sizeof(field), "sub_intervals[%zu].%s", i, spec_fields[f]);
        if (fv && !json_is_null(fv) && !vals[f]) {
            err(errors, field, "must be a string");
            bad = true;
        } else if (always && vals[f] && strcmp(vals[f], "*")) {
            err(errors, field, "must be absent for an always sub-interval");
            bad = true;
        }
    }
    /* Each field alone, so that every bad one is named. */
    for (int f = 0; !always && f < 4; f++) {
        struct sub_interval s;
        const char *one[4] = {NULL, NULL, NULL, NULL}, *bad_field = NULL, *msg = NULL;
        one[f] = vals[f];
        if (vals[f] && interval_spec_parse(one[0], one[1], one[2], one[3], &s, &bad_field, &msg)) {
            snprintf(field, sizeof(field), "sub_intervals[%zu].%s", i, bad_field);
            err(errors, field, msg);
            bad = true;
        }
    }
    if (bad)
        return NULL;
    json_t *out = json_pack("{s:O?, s:s}", "name", json_is_null(name) ? NULL : name, "type", t);
    for (int f = 0; out && f < 4; f++)
        json_object_set_new(out, spec_fields[f], lowered(vals[f] ? vals[f] : "*"));
    return out;
}

int interval_validate(const json_t *body, const json_t *current, json_t **clean, json_t **errors)
{
    *clean = NULL;
    *errors = NULL;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)body, k, v)
    {
        if (strcmp(k, "name") && strcmp(k, "description") && strcmp(k, "sub_intervals"))
            err(errors, k, "unknown field");
    }
    json_t *out = json_object();
    if (!out)
        return SB_ENOMEM;
    json_t *name = json_object_get(body, "name");
    if (name || !current) {
        if (!text_ok(name, INTERVAL_NAME_MAX, true))
            err(errors, "name", "is required: 1 to 64 characters");
        else
            json_object_set(out, "name", name);
    } else {
        json_object_set(out, "name", json_object_get(current, "name"));
    }
    json_t *desc = json_object_get(body, "description");
    if (desc) {
        if (!json_is_null(desc) && !text_ok(desc, INTERVAL_DESCRIPTION_MAX, false))
            err(errors, "description", "must be a string of at most 1024 characters");
        else
            json_object_set(out, "description", desc);
    } else {
        json_t *cur = current ? json_object_get(current, "description") : NULL;
        json_object_set_new(out, "description", cur ? json_incref(cur) : json_null());
    }
    json_t *subs = json_object_get(body, "sub_intervals");
    if (subs) {
        if (!json_is_array(subs) || json_array_size(subs) > INTERVAL_SUBS_MAX) {
            err(errors, "sub_intervals", "must be an array of at most 100 sub-intervals");
        } else {
            json_t *list = json_array();
            size_t i;
            json_array_foreach(subs, i, v)
            {
                json_t *one = check_sub(v, i, errors);
                if (one)
                    json_array_append_new(list, one);
            }
            json_object_set_new(out, "sub_intervals", list);
        }
    } else {
        json_t *cur = current ? json_object_get(current, "sub_intervals") : NULL;
        json_object_set_new(out, "sub_intervals", cur ? json_deep_copy(cur) : json_array());
    }
    if (*errors) {
        json_decref(out);
        return SB_EINVALID;
    }
    *clean = out;
    return 0;
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* Every write bumps the version in its own transaction (routing/intervals.h). */
static int bump_version(struct db *db)
{
    return db_execf(db, NULL, "UPDATE intervals_version SET version = version + 1 WHERE id = 1",
                    "");
}

int interval_version(struct db *db, int64_t *version)
{
    *version = 0;
    return db_query_int64(db, "SELECT version FROM intervals_version WHERE id = 1", version, 0);
}

static int insert_subs(struct db *db, int64_t id, const json_t *subs)
{
    size_t i;
    json_t *s;
    int r = 0;
    json_array_foreach((json_t *)subs, i, s)
    {
        if (r)
            break;
        r = db_execf(db, NULL,
                     "INSERT INTO sub_intervals(interval_id, position, name, type, time_range, "
                     "week_days, month_days, months) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
                     "iitttttt", id, (int64_t)i + 1, str(s, "name"), str(s, "type"),
                     str(s, "time_range"), str(s, "week_days"), str(s, "month_days"),
                     str(s, "months"));
    }
    return r;
}

int interval_create(struct db *db, const json_t *c, int64_t now_ms, int64_t *id_out)
{
    int r = db_begin(db);
    if (r)
        return r;
    int64_t count = 0;
    r = db_query_int64(db, "SELECT COUNT(*) FROM intervals", &count, 0);
    if (!r && count >= INTERVAL_COUNT_MAX)
        r = SB_EFULL;
    struct db_stmt *st = NULL;
    if (!r)
        r = db_prepare(db,
                       "INSERT INTO intervals(name, description, created_at, updated_at) "
                       "VALUES(?, ?, ?, ?) RETURNING id",
                       &st);
    if (!r)
        r = db_bind_all(st, "ttii", str(c, "name"), str(c, "description"), now_ms, now_ms);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        *id_out = db_col_int64(st, 0);
        r = 0;
    } else if (r == DB_DONE) {
        r = SB_EINTERNAL;
    }
    db_finalize(st);
    if (!r)
        r = insert_subs(db, *id_out, json_object_get(c, "sub_intervals"));
    if (!r)
        r = bump_version(db);
    if (!r)
        r = db_commit(db);
    if (r)
        db_rollback(db);
    return r;
}

int interval_update(struct db *db, int64_t id, const json_t *c, int64_t now_ms)
{
    int r = db_begin(db);
    if (r)
        return r;
    int64_t n = 0;
    r = db_execf(db, &n,
                 "UPDATE intervals SET name = ?, description = ?, updated_at = ? WHERE id = ?",
                 "ttii", str(c, "name"), str(c, "description"), now_ms, id);
    if (!r && !n)
        r = SB_ENOTFOUND;
    if (!r)
        r = db_execf(db, NULL, "DELETE FROM sub_intervals WHERE interval_id = ?", "i", id);
    if (!r)
        r = insert_subs(db, id, json_object_get(c, "sub_intervals"));
    if (!r)
        r = bump_version(db);
    if (!r)
        r = db_commit(db);
    if (r)
        db_rollback(db);
    return r;
}

/* The sub-intervals of `id` in order (new array). */
static int load_subs(struct db *db, int64_t id, json_t **out)
{
    struct db_stmt *st;
    int r = db_prepare(db,
                       "SELECT name, type, time_range, week_days, month_days, months FROM "
                       "sub_intervals WHERE interval_id = ? ORDER BY position",
                       &st);
    if (r)
        return r;
    r = db_bind_int64(st, 1, id);
    json_t *list = json_array();
    if (!list)
        r = SB_ENOMEM;
    while (!r && (r = db_step(st)) == DB_ROW) {
        json_t *o = json_pack("{s:s?, s:s, s:s, s:s, s:s, s:s}", "name", db_col_text(st, 0), "type",
                              db_col_text(st, 1), "time_range", db_col_text(st, 2), "week_days",
                              db_col_text(st, 3), "month_days", db_col_text(st, 4), "months",
                              db_col_text(st, 5));
        r = json_array_append_new(list, o) ? SB_ENOMEM : 0;
    }
    db_finalize(st);
    if (r < 0) {
        json_decref(list);
        return r;
    }
    *out = list;
    return 0;
}

#define INTERVAL_SELECT                                                                            \
    "SELECT i.id, i.name, i.description, i.created_at, i.updated_at, (SELECT COUNT(*) FROM "       \
    "flow_actions a WHERE a.interval_id = i.id) FROM intervals i"

static int interval_from_row(struct db *db, struct db_stmt *st, json_t **out)
{
    int64_t id = db_col_int64(st, 0);
    json_t *o = json_pack("{s:I, s:s, s:s?, s:o, s:o, s:I}", "id", (json_int_t)id, "name",
                          db_col_text(st, 1), "description", db_col_text(st, 2), "created_at",
                          json_time(db_col_int64(st, 3)), "updated_at",
                          json_time(db_col_int64(st, 4)), "flows", (json_int_t)db_col_int64(st, 5));
    if (!o)
        return SB_ENOMEM;
    *out = o;
    return 0;
}

int interval_get(struct db *db, int64_t id, json_t **out)
{
    struct db_stmt *st;
    int r = db_prepare(db, INTERVAL_SELECT " WHERE i.id = ?", &st);
    if (!r)
        r = db_bind_int64(st, 1, id);
    if (!r)
        r = db_step(st);
    json_t *o = NULL;
    if (r == DB_ROW)
        r = interval_from_row(db, st, &o);
    else if (r == DB_DONE)
        r = SB_ENOTFOUND;
    db_finalize(st);
    json_t *subs = NULL;
    if (!r)
        r = load_subs(db, id, &subs);
    if (r) {
        json_decref(o);
        return r;
    }
    json_object_set_new(o, "sub_intervals", subs);
    *out = o;
    return 0;
}

int interval_list(struct db *db, const char *q, int64_t limit, int64_t offset, json_t **items,
                  int64_t *total)
{
    char like[160];
    snprintf(like, sizeof(like), "%%%s%%", q ? q : "");
    const char *where = " WHERE lower(i.name) LIKE lower(?)";
    char sql[512];
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM intervals i%s", where);
    struct db_stmt *st;
    int r = db_prepare(db, sql, &st);
    if (!r)
        r = db_bind_text(st, 1, like, -1);
    if (!r)
        r = db_step(st);
    *total = r == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (r < 0)
        return r;
    snprintf(sql, sizeof(sql), INTERVAL_SELECT "%s ORDER BY i.name LIMIT ? OFFSET ?", where);
    r = db_prepare(db, sql, &st);
    if (!r)
        r = db_bind_all(st, "tii", like, limit, offset);
    json_t *list = json_array();
    if (!list)
        r = r ? r : SB_ENOMEM;
    while (!r && (r = db_step(st)) == DB_ROW) {
        json_t *o = NULL;
        r = interval_from_row(db, st, &o);
        if (!r)
            r = json_array_append_new(list, o) ? SB_ENOMEM : 0;
    }
    db_finalize(st);
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o)
    {
        if (r < 0)
            break;
        json_t *subs = NULL;
        r = load_subs(db, json_integer_value(json_object_get(o, "id")), &subs);
        if (!r)
            json_object_set_new(o, "sub_intervals", subs);
    }
    if (r < 0) {
        json_decref(list);
        return r;
    }
    *items = list;
    return 0;
}

int interval_delete(struct db *db, int64_t id, int64_t *users)
{
    int64_t n = 0, used = 0;
    int r = db_begin(db);
    if (r)
        return r;
    r = db_query_int64(db, "SELECT COUNT(*) FROM flow_actions WHERE interval_id = ?", &used, 1, id);
    if (users)
        *users = used;
    if (!r && used)
        r = SB_ECONFLICT;
    if (!r) {
        r = db_execf(db, &n, "DELETE FROM intervals WHERE id = ?", "i", id);
        /* A flow saved between the count and the delete: the foreign key refuses it. */
        if (r == SB_EINVAL)
            r = SB_ECONFLICT;
    }
    if (!r && !n)
        r = SB_ENOTFOUND;
    if (!r)
        r = bump_version(db);
    if (!r)
        r = db_commit(db);
    if (r)
        db_rollback(db);
    return r;
}

int interval_set_load(struct db *db, struct interval_set **out, int64_t *version)
{
    *out = NULL;
    int64_t v = 0;
    int r = interval_version(db, &v);
    if (r)
        return r;
    struct interval_set *set = interval_set_new();
    if (!set)
        return SB_ENOMEM;
    struct db_stmt *st;
    r = db_prepare(db,
                   "SELECT i.id, s.type, s.time_range, s.week_days, s.month_days, s.months "
                   "FROM intervals i LEFT JOIN sub_intervals s ON s.interval_id = i.id "
                   "ORDER BY i.id, s.position",
                   &st);
    struct sub_interval subs[INTERVAL_SUBS_MAX];
    size_t n = 0;
    int64_t cur = 0;
    while (!r && (r = db_step(st)) == DB_ROW) {
        r = 0;
        int64_t id = db_col_int64(st, 0);
        if (id != cur && cur)
            r = interval_set_add(set, cur, subs, n);
        if (id != cur)
            n = 0;
        cur = id;
        if (r || db_col_is_null(st, 1))
            continue; /* an interval without sub-intervals */
        const char *field, *msg;
        bool always = !strcmp(db_col_text(st, 1), "always");
        if (n == INTERVAL_SUBS_MAX)
            r = SB_EINTERNAL;
        else if (always)
            r = interval_spec_parse(NULL, NULL, NULL, NULL, &subs[n], &field, &msg);
        else
            r = interval_spec_parse(db_col_text(st, 2), db_col_text(st, 3), db_col_text(st, 4),
                                    db_col_text(st, 5), &subs[n], &field, &msg);
        if (r)
            r = SB_EINTERNAL; /* stored specs were validated when written */
        else
            n++;
    }
    db_finalize(st);
    if (!r && cur) /* the loop ended at DB_DONE (0) */
        r = interval_set_add(set, cur, subs, n);
    if (r) {
        interval_set_free(set);
        return r;
    }
    *out = set;
    if (version)
        *version = v;
    return 0;
}
