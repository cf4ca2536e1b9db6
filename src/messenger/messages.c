/* messages.c — storing and reading messenger messages (contract in messages.h). */
#include "messenger/messages.h"

#include <stdbool.h>

#include "api/json_out.h"
#include "core/err.h"
#include "db/db.h"
#include "messenger/directory.h"

/* The columns every message answer is built from, in message_from_row's order. */
#define MSG_COLS                                                                                   \
    "m.id, m.sender_id, s.username, s.full_name, s.role, s.deleted_at IS NOT NULL, "               \
    "m.recipient_id, m.group_id, m.body, m.created_at"
#define MSG_FROM " FROM messenger_messages m JOIN staff s ON s.id = m.sender_id"

static json_t *int_or_null(struct db_stmt *st, int col)
{
    return db_col_is_null(st, col) ? json_null() : json_integer(db_col_int64(st, col));
}

static json_t *message_from_row(struct db_stmt *st)
{
    json_t *sender = msgdir_person(db_col_int64(st, 1), db_col_text(st, 2), db_col_text(st, 3),
                                   db_col_text(st, 4), db_col_int64(st, 5) != 0);
    return json_pack("{s:I, s:o, s:o, s:o, s:s, s:o}", "id", (json_int_t)db_col_int64(st, 0),
                     "sender", sender, "recipient_id", int_or_null(st, 6), "group_id",
                     int_or_null(st, 7), "body", db_col_text(st, 8), "created_at",
                     json_time(db_col_int64(st, 9)));
}

static int message_get(struct db *db, int64_t id, json_t **out)
{
    struct db_stmt *st = NULL;
    int r = db_prepare(db, "SELECT " MSG_COLS MSG_FROM " WHERE m.id = ?", &st);
    if (!r)
        r = db_bind_int64(st, 1, id);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        *out = message_from_row(st);
        r = *out ? 0 : SB_ENOMEM;
    } else if (r == DB_DONE) {
        r = SB_ENOTFOUND;
    }
    db_finalize(st);
    return r;
}

/* Runs an INSERT … RETURNING id. */
static int insert_id(struct db_stmt *st, int64_t *id)
{
    int r = db_step(st);
    if (r == DB_ROW) {
        *id = db_col_int64(st, 0);
        return 0;
    }
    return r == DB_DONE ? SB_EINTERNAL : r;
}

/* Reads the message back inside the transaction, then commits: the answer exists before the
 * commit, so a failed commit reports an error with nothing stored, and a success is never
 * followed by a failure (which would make the client retry and store it twice). */
static int finish(struct db *db, int r, int64_t id, json_t **out)
{
    if (!r)
        r = message_get(db, id, out);
    if (!r)
        r = db_commit(db);
    if (r) {
        db_rollback(db);
        json_decref(*out);
        *out = NULL;
    }
    return r;
}

int msg_send_direct(struct db *db, int64_t sender, int64_t recipient, const char *body,
                    int64_t now_ms, json_t **out)
{
    *out = NULL;
    int64_t lo = sender < recipient ? sender : recipient;
    int64_t hi = sender < recipient ? recipient : sender;
    int64_t id = 0;
    int r = db_begin(db);
    if (r)
        return r;
    struct db_stmt *st = NULL;
    r = db_prepare(db,
                   "INSERT INTO messenger_messages(sender_id, recipient_id, pair_lo, pair_hi, "
                   "group_id, body, created_at) VALUES(?, ?, ?, ?, NULL, ?, ?) RETURNING id",
                   &st);
    if (!r)
        r = db_bind_all(st, "iiiiti", sender, recipient, lo, hi, body, now_ms);
    if (!r)
        r = insert_id(st, &id);
    db_finalize(st);
    /* The sender's side: its own message is read. The recipient's: one more to read. */
    if (!r)
        r = db_execf(db, NULL,
                     "INSERT INTO messenger_direct(owner_id, peer_id, last_read_id, "
                     "last_message_id) VALUES(?, ?, ?, ?) ON CONFLICT (owner_id, peer_id) DO "
                     "UPDATE SET last_read_id = excluded.last_read_id, last_message_id = "
                     "excluded.last_message_id",
                     "iiii", sender, recipient, id, id);
    if (!r)
        r = db_execf(db, NULL,
                     "INSERT INTO messenger_direct(owner_id, peer_id, last_read_id, "
                     "last_message_id) VALUES(?, ?, 0, ?) ON CONFLICT (owner_id, peer_id) DO "
                     "UPDATE SET last_message_id = excluded.last_message_id",
                     "iii", recipient, sender, id);
    return finish(db, r, id, out);
}

int msg_send_group(struct db *db, int64_t sender, int64_t group_id, const char *body,
                   int64_t now_ms, json_t **out)
{
    *out = NULL;
    int64_t id = 0;
    int r = db_begin(db);
    if (r)
        return r;
    struct db_stmt *st = NULL;
    r = db_prepare(db,
                   "INSERT INTO messenger_messages(sender_id, recipient_id, pair_lo, pair_hi, "
                   "group_id, body, created_at) VALUES(?, NULL, NULL, NULL, ?, ?, ?) RETURNING id",
                   &st);
    if (!r)
        r = db_bind_all(st, "iiti", sender, group_id, body, now_ms);
    if (!r)
        r = insert_id(st, &id);
    db_finalize(st);
    if (!r)
        r = db_execf(db, NULL, "UPDATE messenger_groups SET last_message_id = ? WHERE id = ?", "ii",
                     id, group_id);
    if (!r)
        r = db_execf(db, NULL,
                     "UPDATE messenger_group_members SET last_read_id = ? WHERE group_id = ? AND "
                     "staff_id = ?",
                     "iii", id, group_id, sender);
    return finish(db, r, id, out);
}

/* Runs a history query whose parameters are (conversation…, before, limit). */
static int history(struct db_stmt *st, json_t **items)
{
    json_t *out = json_array();
    int r = out ? 0 : SB_ENOMEM;
    while (!r && (r = db_step(st)) == DB_ROW)
        r = json_array_append_new(out, message_from_row(st)) ? SB_ENOMEM : 0;
    if (r < 0) {
        json_decref(out);
        return r;
    }
    *items = out;
    return 0;
}

int msg_history_direct(struct db *db, int64_t self, int64_t peer, int64_t before, int64_t limit,
                       json_t **items, int64_t *total)
{
    *items = NULL;
    int64_t lo = self < peer ? self : peer, hi = self < peer ? peer : self;
    int r = db_query_int64(db,
                           "SELECT COUNT(*) FROM messenger_messages WHERE pair_lo = ? AND "
                           "pair_hi = ?",
                           total, 2, lo, hi);
    struct db_stmt *st = NULL;
    if (!r)
        r = db_prepare(db,
                       "SELECT " MSG_COLS MSG_FROM " WHERE m.pair_lo = ? AND m.pair_hi = ? AND "
                       "(? = 0 OR m.id < ?) ORDER BY m.id DESC LIMIT ?",
                       &st);
    if (!r)
        r = db_bind_all(st, "iiiii", lo, hi, before, before, limit);
    if (!r)
        r = history(st, items);
    db_finalize(st);
    return r;
}

int msg_history_group(struct db *db, int64_t group_id, int64_t before, int64_t limit,
                      json_t **items, int64_t *total)
{
    *items = NULL;
    int r = db_query_int64(db, "SELECT COUNT(*) FROM messenger_messages WHERE group_id = ?", total,
                           1, group_id);
    struct db_stmt *st = NULL;
    if (!r)
        r = db_prepare(db,
                       "SELECT " MSG_COLS MSG_FROM " WHERE m.group_id = ? AND (? = 0 OR m.id < ?) "
                       "ORDER BY m.id DESC LIMIT ?",
                       &st);
    if (!r)
        r = db_bind_all(st, "iiii", group_id, before, before, limit);
    if (!r)
        r = history(st, items);
    db_finalize(st);
    return r;
}

/* Moves a marker: `newest_sql` reads (last_read_id, newest) for params (a, b); `update_sql`
 * sets the marker to param 1 for params (a, b) where it is lower. */
static int read_marker(struct db *db, const char *newest_sql, const char *update_sql, int64_t a,
                       int64_t b, int64_t up_to, int64_t *marker)
{
    *marker = 0;
    struct db_stmt *st = NULL;
    int64_t cur = 0, newest = 0;
    int r = db_prepare(db, newest_sql, &st);
    if (!r)
        r = db_bind_all(st, "ii", a, b);
    if (!r)
        r = db_step(st);
    bool found = r == DB_ROW;
    if (found) {
        cur = db_col_int64(st, 0);
        newest = db_col_int64(st, 1);
    }
    db_finalize(st);
    if (r < 0)
        return r;
    if (!found)
        return 0;
    int64_t target = up_to > 0 && up_to < newest ? up_to : newest;
    if (target > cur) {
        r = db_execf(db, NULL, update_sql, "iiii", target, a, b, target);
        if (r)
            return r;
        cur = target;
    }
    *marker = cur;
    return 0;
}

int msg_read_direct(struct db *db, int64_t self, int64_t peer, int64_t up_to, int64_t *marker)
{
    return read_marker(db,
                       "SELECT last_read_id, last_message_id FROM messenger_direct WHERE owner_id "
                       "= ? AND peer_id = ?",
                       "UPDATE messenger_direct SET last_read_id = ? WHERE owner_id = ? AND "
                       "peer_id = ? AND last_read_id < ?",
                       self, peer, up_to, marker);
}

int msg_read_group(struct db *db, int64_t self, int64_t group_id, int64_t up_to, int64_t *marker)
{
    return read_marker(db,
                       "SELECT gm.last_read_id, g.last_message_id FROM messenger_group_members gm "
                       "JOIN messenger_groups g ON g.id = gm.group_id WHERE gm.staff_id = ? AND "
                       "gm.group_id = ?",
                       "UPDATE messenger_group_members SET last_read_id = ? WHERE staff_id = ? "
                       "AND group_id = ? AND last_read_id < ?",
                       self, group_id, up_to, marker);
}

static const char unread_direct_sql[] =
    "SELECT d.peer_id, (SELECT COUNT(*) FROM messenger_messages m WHERE m.recipient_id = "
    "d.owner_id AND m.sender_id = d.peer_id AND m.id > d.last_read_id) FROM messenger_direct d "
    "WHERE d.owner_id = ? AND d.last_message_id > d.last_read_id ORDER BY d.last_message_id DESC";

static const char unread_group_sql[] =
    "SELECT gm.group_id, (SELECT COUNT(*) FROM messenger_messages m WHERE m.group_id = "
    "gm.group_id AND m.id > gm.last_read_id AND m.sender_id <> gm.staff_id) FROM "
    "messenger_group_members gm JOIN messenger_groups g ON g.id = gm.group_id WHERE gm.staff_id "
    "= ? AND g.deleted_at IS NULL AND g.last_message_id > gm.last_read_id ORDER BY "
    "g.last_message_id DESC";

/* Appends {key: id, count: n} for each row with n > 0; adds to *total. */
static int unread_rows(struct db *db, const char *sql, int64_t self, const char *key, json_t *arr,
                       int64_t *total)
{
    struct db_stmt *st = NULL;
    int r = db_prepare(db, sql, &st);
    if (!r)
        r = db_bind_int64(st, 1, self);
    while (!r && (r = db_step(st)) == DB_ROW) {
        r = 0;
        int64_t n = db_col_int64(st, 1);
        if (n <= 0)
            continue;
        *total += n;
        if (arr)
            r = json_array_append_new(arr,
                                      json_pack("{s:I, s:I}", key, (json_int_t)db_col_int64(st, 0),
                                                "count", (json_int_t)n))
                    ? SB_ENOMEM
                    : 0;
    }
    db_finalize(st);
    return r < 0 ? r : 0;
}

int msg_unread(struct db *db, int64_t self, json_t **out)
{
    *out = NULL;
    int64_t total = 0;
    json_t *direct = json_array(), *groups = json_array();
    int r = direct && groups ? 0 : SB_ENOMEM;
    if (!r)
        r = unread_rows(db, unread_direct_sql, self, "peer_id", direct, &total);
    if (!r)
        r = unread_rows(db, unread_group_sql, self, "group_id", groups, &total);
    if (r) {
        json_decref(direct);
        json_decref(groups);
        return r;
    }
    *out = json_pack("{s:I, s:o, s:o}", "total", (json_int_t)total, "direct", direct, "groups",
                     groups);
    return *out ? 0 : SB_ENOMEM;
}

int msg_unread_total(struct db *db, int64_t self, int64_t *total)
{
    *total = 0;
    int r = unread_rows(db, unread_direct_sql, self, "peer_id", NULL, total);
    if (!r)
        r = unread_rows(db, unread_group_sql, self, "group_id", NULL, total);
    return r;
}
