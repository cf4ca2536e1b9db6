/* directory.c — the messenger's view of staff (contract in directory.h). */
#include "messenger/directory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "db/db.h"

int msgdir_status(struct db *db, int64_t id, struct msgdir_status *out)
{
    *out = (struct msgdir_status){0};
    struct db_stmt *st = NULL;
    int r = db_prepare(
        db, "SELECT usable, sound, deleted_at IS NOT NULL FROM messenger_staff WHERE id = ?", &st);
    if (!r)
        r = db_bind_int64(st, 1, id);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        out->usable = db_col_int64(st, 0) != 0;
        out->sound = db_col_int64(st, 1) != 0;
        out->deleted = db_col_int64(st, 2) != 0;
        r = 0;
    } else if (r == DB_DONE) {
        r = SB_ENOTFOUND;
    }
    db_finalize(st);
    return r;
}

json_t *msgdir_person(int64_t id, const char *username, const char *full_name, const char *role,
                      bool deleted)
{
    if (deleted)
        return json_pack("{s:I, s:s, s:n, s:s, s:b}", "id", (json_int_t)id, "name",
                         MSGDIR_DELETED_NAME, "username", "role", role ? role : "", "deleted", 1);
    return json_pack("{s:I, s:s, s:s, s:s, s:b}", "id", (json_int_t)id, "name",
                     full_name ? full_name : "", "username", username ? username : "", "role",
                     role ? role : "", "deleted", 0);
}

int msgdir_recipients(struct db *db, int64_t self, const char *q, msgdir_row_fn fn, void *arg)
{
    char like[300] = "";
    const char *qq = q ? q : "";
    if (*qq)
        snprintf(like, sizeof(like), "%%%s%%", qq);
    struct db_stmt *st = NULL;
    int r = db_prepare(
        db,
        "SELECT s.id, s.username, s.full_name, s.role, COALESCE(d.last_message_id, 0), "
        "CASE WHEN d.last_message_id > d.last_read_id THEN (SELECT COUNT(*) FROM "
        "messenger_messages m WHERE m.recipient_id = d.owner_id AND m.sender_id = d.peer_id AND "
        "m.id > d.last_read_id) ELSE 0 END "
        "FROM messenger_staff s LEFT JOIN messenger_direct d ON d.owner_id = ? AND d.peer_id = "
        "s.id WHERE s.usable = 1 AND s.id <> ? AND (? = '' OR lower(s.username) LIKE lower(?) "
        "OR lower(s.full_name) LIKE lower(?)) "
        "ORDER BY COALESCE(d.last_message_id, 0) DESC, s.full_name, s.id",
        &st);
    if (!r)
        r = db_bind_all(st, "iittt", self, self, qq, like, like);
    while (!r && (r = db_step(st)) == DB_ROW) {
        struct msgdir_row row = {
            .id = db_col_int64(st, 0),
            .username = db_col_text(st, 1),
            .full_name = db_col_text(st, 2),
            .role = db_col_text(st, 3),
            .last_message_id = db_col_int64(st, 4),
            .unread = db_col_int64(st, 5),
        };
        r = fn(&row, arg) ? 0 : DB_DONE;
    }
    db_finalize(st);
    return r < 0 ? r : 0;
}

int msgdir_search(struct db *db, const char *q, int64_t limit, json_t **items)
{
    *items = NULL;
    char like[300];
    snprintf(like, sizeof(like), "%%%s%%", q);
    json_t *out = json_array();
    struct db_stmt *st = NULL;
    int r = out ? db_prepare(db,
                             "SELECT id, username, full_name, role FROM messenger_staff WHERE "
                             "usable = 1 AND (lower(username) LIKE lower(?) OR lower(full_name) "
                             "LIKE lower(?)) ORDER BY full_name, id LIMIT ?",
                             &st)
                : SB_ENOMEM;
    if (!r)
        r = db_bind_all(st, "tti", like, like, limit);
    while (!r && (r = db_step(st)) == DB_ROW) {
        json_t *p = msgdir_person(db_col_int64(st, 0), db_col_text(st, 1), db_col_text(st, 2),
                                  db_col_text(st, 3), false);
        r = json_array_append_new(out, p) ? SB_ENOMEM : 0;
    }
    db_finalize(st);
    if (r < 0) {
        json_decref(out);
        return r;
    }
    *items = out;
    return 0;
}

/* Runs the usable check for each id with one prepared statement; *bad = first failing index. */
static int check_each(struct db *db, const int64_t *ids, size_t n, bool *ok, size_t *bad)
{
    struct db_stmt *st = NULL;
    int r = db_prepare(db, "SELECT usable FROM messenger_staff WHERE id = ?", &st);
    for (size_t i = 0; !r && i < n; i++) {
        r = db_bind_int64(st, 1, ids[i]);
        if (!r)
            r = db_step(st);
        if (r >= 0) {
            ok[i] = r == DB_ROW && db_col_int64(st, 0) != 0;
            if (!ok[i] && *bad == (size_t)-1)
                *bad = i;
            r = db_reset(st);
        }
    }
    db_finalize(st);
    return r;
}

int msgdir_all_usable(struct db *db, const int64_t *ids, size_t n, size_t *bad)
{
    *bad = (size_t)-1;
    if (n == 0)
        return 0;
    bool *ok = calloc(n, sizeof(*ok));
    if (!ok)
        return SB_ENOMEM;
    int r = check_each(db, ids, n, ok, bad);
    free(ok);
    if (r)
        return r;
    return *bad == (size_t)-1 ? 0 : SB_EINVALID;
}
