/* groups.c — messenger groups storage (contract in groups.h). */
#include "messenger/groups.h"

#include <stdlib.h>

#include "api/json_out.h"
#include "core/err.h"
#include "db/db.h"
#include "messenger/directory.h"

static int id_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Inserts members with one prepared statement; `read_to` is their starting read marker. */
static int add_members(struct db *db, int64_t id, const int64_t *members, size_t n, int64_t read_to,
                       int64_t now_ms)
{
    if (n == 0)
        return 0;
    struct db_stmt *st = NULL;
    int r = db_prepare(db,
                       "INSERT INTO messenger_group_members(group_id, staff_id, last_read_id, "
                       "added_at) VALUES(?, ?, ?, ?)",
                       &st);
    for (size_t i = 0; !r && i < n; i++) {
        r = db_bind_all(st, "iiii", id, members[i], read_to, now_ms);
        if (!r)
            r = db_step(st);
        if (r == DB_DONE)
            r = db_reset(st);
    }
    db_finalize(st);
    return r;
}

int mgroup_create(struct db *db, const char *name, bool writable, int64_t creator,
                  const int64_t *members, size_t n, int64_t now_ms, int64_t *id_out)
{
    int r = db_begin(db);
    if (r)
        return r;
    struct db_stmt *st = NULL;
    r = db_prepare(db,
                   "INSERT INTO messenger_groups(name, writable, created_by, created_at, "
                   "updated_at) VALUES(?, ?, ?, ?, ?) RETURNING id",
                   &st);
    if (!r)
        r = db_bind_all(st, "tiiii", name, (int64_t)writable, creator, now_ms, now_ms);
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
        r = add_members(db, *id_out, members, n, 0, now_ms);
    if (!r)
        r = db_commit(db);
    if (r)
        db_rollback(db);
    return r;
}

int mgroup_load(struct db *db, int64_t id, struct mgroup *out)
{
    struct db_stmt *st = NULL;
    int r = db_prepare(db,
                       "SELECT id, writable, created_by, last_message_id FROM messenger_groups "
                       "WHERE id = ? AND deleted_at IS NULL",
                       &st);
    if (!r)
        r = db_bind_int64(st, 1, id);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        *out = (struct mgroup){db_col_int64(st, 0), db_col_int64(st, 1) != 0, db_col_int64(st, 2),
                               db_col_int64(st, 3)};
        r = 0;
    } else if (r == DB_DONE) {
        r = SB_ENOTFOUND;
    }
    db_finalize(st);
    return r;
}

int mgroup_is_member(struct db *db, int64_t id, int64_t staff_id, bool *member)
{
    int64_t n = 0;
    int r = db_query_int64(db,
                           "SELECT COUNT(*) FROM messenger_group_members WHERE group_id = ? AND "
                           "staff_id = ?",
                           &n, 2, id, staff_id);
    *member = !r && n > 0;
    return r;
}

int mgroup_member_ids(struct db *db, int64_t id, bool usable_only, int64_t **ids, size_t *n)
{
    *ids = NULL;
    *n = 0;
    struct db_stmt *st = NULL;
    int r = db_prepare(db,
                       usable_only
                           ? "SELECT gm.staff_id FROM messenger_group_members gm JOIN "
                             "messenger_staff s ON s.id = gm.staff_id WHERE gm.group_id = ? AND "
                             "s.usable = 1 ORDER BY gm.staff_id"
                           : "SELECT staff_id FROM messenger_group_members WHERE group_id = ? "
                             "ORDER BY staff_id",
                       &st);
    if (!r)
        r = db_bind_int64(st, 1, id);
    size_t cap = 0;
    int64_t *out = NULL;
    while (!r && (r = db_step(st)) == DB_ROW) {
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            int64_t *p = realloc(out, ncap * sizeof(*p));
            if (!p) {
                r = SB_ENOMEM;
                break;
            }
            out = p;
            cap = ncap;
        }
        out[(*n)++] = db_col_int64(st, 0);
        r = 0;
    }
    db_finalize(st);
    if (r < 0) {
        free(out);
        *n = 0;
        return r;
    }
    *ids = out;
    return 0;
}

/* Applies the difference between the current members and `members`. */
static int set_members(struct db *db, int64_t id, const int64_t *members, size_t n, int64_t read_to,
                       int64_t now_ms)
{
    int64_t *cur = NULL, *want = NULL, *add = NULL;
    size_t ncur = 0, nadd = 0;
    int r = mgroup_member_ids(db, id, false, &cur, &ncur);
    if (!r && n) {
        want = malloc(n * sizeof(*want));
        add = malloc(n * sizeof(*add));
        if (!want || !add)
            r = SB_ENOMEM;
    }
    if (!r && n) {
        for (size_t i = 0; i < n; i++)
            want[i] = members[i];
        qsort(want, n, sizeof(*want), id_cmp);
    }
    struct db_stmt *del = NULL;
    if (!r)
        r = db_prepare(
            db, "DELETE FROM messenger_group_members WHERE group_id = ? AND staff_id = ?", &del);
    for (size_t i = 0; !r && i < ncur; i++) {
        if (n && bsearch(&cur[i], want, n, sizeof(*want), id_cmp))
            continue;
        r = db_bind_all(del, "ii", id, cur[i]);
        if (!r)
            r = db_step(del);
        if (r == DB_DONE)
            r = db_reset(del);
    }
    db_finalize(del);
    for (size_t i = 0; !r && i < n; i++)
        if (!ncur || !bsearch(&want[i], cur, ncur, sizeof(*cur), id_cmp))
            add[nadd++] = want[i];
    if (!r)
        r = add_members(db, id, add, nadd, read_to, now_ms);
    free(cur);
    free(want);
    free(add);
    return r;
}

int mgroup_update(struct db *db, int64_t id, const char *name, int writable, const int64_t *members,
                  size_t n, int64_t now_ms)
{
    struct mgroup g;
    int r = db_begin(db);
    if (r)
        return r;
    r = mgroup_load(db, id, &g);
    if (!r && name)
        r = db_execf(db, NULL, "UPDATE messenger_groups SET name = ? WHERE id = ?", "ti", name, id);
    if (!r && writable >= 0)
        r = db_execf(db, NULL, "UPDATE messenger_groups SET writable = ? WHERE id = ?", "ii",
                     (int64_t)writable, id);
    if (!r && members)
        r = set_members(db, id, members, n, g.last_message_id, now_ms);
    if (!r)
        r = db_execf(db, NULL, "UPDATE messenger_groups SET updated_at = ? WHERE id = ?", "ii",
                     now_ms, id);
    if (!r)
        r = db_commit(db);
    if (r)
        db_rollback(db);
    return r;
}

int mgroup_delete(struct db *db, int64_t id, int64_t now_ms)
{
    int64_t changed = 0;
    int r = db_begin(db);
    if (r)
        return r;
    r = db_execf(db, &changed,
                 "UPDATE messenger_groups SET deleted_at = ?, updated_at = ? WHERE id = ? AND "
                 "deleted_at IS NULL",
                 "iii", now_ms, now_ms, id);
    if (!r && changed == 0)
        r = SB_ENOTFOUND;
    if (!r)
        r = db_execf(db, NULL, "DELETE FROM messenger_group_members WHERE group_id = ?", "i", id);
    if (!r)
        r = db_commit(db);
    if (r)
        db_rollback(db);
    return r;
}

#define GROUP_COLS                                                                                 \
    "g.id, g.name, g.writable, g.created_by, s.username, s.full_name, s.role, "                    \
    "s.deleted_at IS NOT NULL, g.created_at, g.updated_at, g.last_message_id, "                    \
    "(SELECT COUNT(*) FROM messenger_group_members c WHERE c.group_id = g.id), "                   \
    "COALESCE((SELECT CASE WHEN g.last_message_id > gm.last_read_id THEN (SELECT COUNT(*) FROM "   \
    "messenger_messages m WHERE m.group_id = g.id AND m.id > gm.last_read_id AND m.sender_id <> "  \
    "gm.staff_id) ELSE 0 END FROM messenger_group_members gm WHERE gm.group_id = g.id AND "        \
    "gm.staff_id = ?), 0)"
#define GROUP_FROM " FROM messenger_groups g JOIN staff s ON s.id = g.created_by"

static json_t *group_from_row(struct db_stmt *st)
{
    json_t *creator = msgdir_person(db_col_int64(st, 3), db_col_text(st, 4), db_col_text(st, 5),
                                    db_col_text(st, 6), db_col_int64(st, 7) != 0);
    return json_pack("{s:I, s:s, s:b, s:o, s:o, s:o, s:I, s:I, s:I}", "id",
                     (json_int_t)db_col_int64(st, 0), "name", db_col_text(st, 1), "writable",
                     (int)(db_col_int64(st, 2) != 0), "created_by", creator, "created_at",
                     json_time(db_col_int64(st, 8)), "updated_at", json_time(db_col_int64(st, 9)),
                     "last_message_id", (json_int_t)db_col_int64(st, 10), "member_count",
                     (json_int_t)db_col_int64(st, 11), "unread", (json_int_t)db_col_int64(st, 12));
}

static int members_json(struct db *db, int64_t id, json_t **out)
{
    *out = json_array();
    struct db_stmt *st = NULL;
    int r = *out ? db_prepare(db,
                              "SELECT s.id, s.username, s.full_name, s.role FROM "
                              "messenger_group_members gm JOIN staff s ON s.id = gm.staff_id "
                              "WHERE gm.group_id = ? AND s.deleted_at IS NULL ORDER BY "
                              "s.full_name, s.id",
                              &st)
                 : SB_ENOMEM;
    if (!r)
        r = db_bind_int64(st, 1, id);
    while (!r && (r = db_step(st)) == DB_ROW)
        r = json_array_append_new(*out,
                                  msgdir_person(db_col_int64(st, 0), db_col_text(st, 1),
                                                db_col_text(st, 2), db_col_text(st, 3), false))
                ? SB_ENOMEM
                : 0;
    db_finalize(st);
    if (r < 0) {
        json_decref(*out);
        *out = NULL;
        return r;
    }
    return 0;
}

int mgroup_json(struct db *db, int64_t id, int64_t self, bool with_members, json_t **out)
{
    *out = NULL;
    struct db_stmt *st = NULL;
    int r = db_prepare(
        db, "SELECT " GROUP_COLS GROUP_FROM " WHERE g.id = ? AND g.deleted_at IS NULL", &st);
    if (!r)
        r = db_bind_all(st, "ii", self, id);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        *out = group_from_row(st);
        r = *out ? 0 : SB_ENOMEM;
    } else if (r == DB_DONE) {
        r = SB_ENOTFOUND;
    }
    db_finalize(st);
    json_t *members = NULL;
    if (!r && with_members && !(r = members_json(db, id, &members)))
        json_object_set_new(*out, "members", members);
    if (r) {
        json_decref(*out);
        *out = NULL;
    }
    return r;
}

int mgroup_list(struct db *db, int64_t self, bool all, json_t **items)
{
    *items = json_array();
    struct db_stmt *st = NULL;
    int r = *items ? db_prepare(db,
                                "SELECT " GROUP_COLS GROUP_FROM
                                " WHERE g.deleted_at IS NULL AND (? = 1 OR g.created_by = ? OR "
                                "EXISTS (SELECT 1 FROM messenger_group_members x WHERE "
                                "x.group_id = g.id AND x.staff_id = ?)) ORDER BY "
                                "g.last_message_id DESC, g.name, g.id",
                                &st)
                   : SB_ENOMEM;
    if (!r)
        r = db_bind_all(st, "iiii", self, (int64_t)all, self, self);
    while (!r && (r = db_step(st)) == DB_ROW)
        r = json_array_append_new(*items, group_from_row(st)) ? SB_ENOMEM : 0;
    db_finalize(st);
    if (r < 0) {
        json_decref(*items);
        *items = NULL;
        return r;
    }
    return 0;
}
