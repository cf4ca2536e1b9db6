#include "interactions/inbound.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "db/db.h"
#include "db/writer.h"

/* Conflicting concurrent creates retry; each retry sees the winner's rows. */
#define INBOUND_TRIES 8

static bool channel_valid(const char *c)
{
    static const char *const channels[] = {"chat",        "email", "sms",
                                           "openchannel", "fax",   "whatsapp"};
    for (size_t i = 0; c && i < sizeof(channels) / sizeof(*channels); i++)
        if (!strcmp(c, channels[i]))
            return true;
    return false;
}

static bool short_text(const char *s)
{
    return !s || strlen(s) <= INBOUND_FIELD_MAX;
}

static const char *set(const char *s)
{
    return s && *s ? s : NULL;
}

/* The contact's identifying column and value: the first of phone, email, channel_key. */
static bool contact_key(const struct inbound_msg *m, const char **col, const char **val)
{
    if (set(m->phone)) {
        *col = "phone";
        *val = m->phone;
    } else if (set(m->email)) {
        *col = "email";
        *val = m->email;
    } else if (set(m->channel_key)) {
        *col = "channel_key";
        *val = m->channel_key;
    } else {
        return false;
    }
    return true;
}

/* Runs a one-row, one-column SELECT; *found says whether there was a row. */
static int select_id(struct db *db, const char *sql, const char *types, int64_t *out, bool *found,
                     ...)
{
    *found = false;
    struct db_stmt *st = NULL;
    int r = db_prepare(db, sql, &st);
    if (!r) {
        va_list ap;
        va_start(ap, found);
        r = db_bind_allv(st, types, ap);
        va_end(ap);
    }
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        *out = db_col_int64(st, 0);
        *found = true;
        r = 0;
    }
    db_finalize(st);
    return r < 0 ? r : 0;
}

/* INSERT … RETURNING id. */
static int insert_id(struct db *db, const char *sql, const char *types, int64_t *out, ...)
{
    struct db_stmt *st = NULL;
    int r = db_prepare(db, sql, &st);
    if (!r) {
        va_list ap;
        va_start(ap, out);
        r = db_bind_allv(st, types, ap);
        va_end(ap);
    }
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        *out = db_col_int64(st, 0);
        r = 0;
    } else if (r == DB_DONE) {
        r = SB_EINTERNAL;
    }
    db_finalize(st);
    return r;
}

/* One attempt inside an open transaction. */
static int store_once(struct db *db, const struct inbound_msg *m, int64_t list_id, int64_t now_ms,
                      struct inbound_result *out)
{
    memset(out, 0, sizeof(*out));
    bool found;
    int r = 0;
    if (m->provider_id) {
        r = select_id(db,
                      "SELECT message_id FROM inbound_seen WHERE channel = ? AND account_id = ? "
                      "AND provider_id = ?",
                      "tit", &out->message_id, &found, m->channel, m->account_id, m->provider_id);
        if (!r && found) {
            out->duplicate = true;
            return select_id(db,
                             "SELECT i.id, i.contact_id FROM messages g JOIN interactions i ON "
                             "i.id = g.interaction_id WHERE g.id = ?",
                             "i", &out->interaction_id, &found, out->message_id);
        }
    }
    const char *col, *val;
    contact_key(m, &col, &val);
    char sql[256];
    snprintf(sql, sizeof(sql), "SELECT id FROM contacts WHERE list_id = ? AND %s = ?", col);
    if (!r)
        r = select_id(db, sql, "it", &out->contact_id, &found, list_id, val);
    if (!r && !found) {
        r = insert_id(db,
                      "INSERT INTO contacts(list_id, first_name, last_name, phone, email, "
                      "channel_key, created_at, updated_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?) "
                      "RETURNING id",
                      "itttttii", &out->contact_id, list_id, set(m->first_name), set(m->last_name),
                      set(m->phone), set(m->email), set(m->channel_key), now_ms, now_ms);
        out->new_contact = true;
    }
    if (!r)
        r = select_id(db,
                      "SELECT id FROM interactions WHERE channel = ? AND account_id = ? AND "
                      "contact_id = ? AND status = 'open'",
                      "tii", &out->interaction_id, &found, m->channel, m->account_id,
                      out->contact_id);
    if (!r && !found) {
        r = insert_id(db,
                      "INSERT INTO interactions(channel, account_id, contact_id, status, "
                      "thread_id, created_at, updated_at) VALUES(?, ?, ?, 'open', ?, ?, ?) "
                      "RETURNING id",
                      "tiitii", &out->interaction_id, m->channel, m->account_id, out->contact_id,
                      set(m->thread_id), now_ms, now_ms);
        out->new_interaction = true;
    }
    if (!r)
        r = insert_id(db,
                      "INSERT INTO messages(interaction_id, direction, body, attachments, "
                      "provider_id, delivery_status, created_at, updated_at) VALUES(?, 'in', ?, "
                      "?, ?, 'received', ?, ?) RETURNING id",
                      "itttii", &out->message_id, out->interaction_id, m->body ? m->body : "",
                      m->attachments_json ? m->attachments_json : "[]", m->provider_id, now_ms,
                      now_ms);
    if (!r && m->provider_id)
        r = db_execf(db, NULL,
                     "INSERT INTO inbound_seen(channel, account_id, provider_id, message_id) "
                     "VALUES(?, ?, ?, ?)",
                     "titi", m->channel, m->account_id, m->provider_id, out->message_id);
    if (!r)
        r = db_execf(db, NULL,
                     "UPDATE interactions SET last_message_at = ?, updated_at = ?, unread = 1 "
                     "WHERE id = ?",
                     "iii", now_ms, now_ms, out->interaction_id);
    return r;
}

static bool inbound_valid(const struct inbound_msg *m)
{
    const char *col, *val;
    return channel_valid(m->channel) && m->account_id > 0 && contact_key(m, &col, &val) &&
           short_text(m->phone) && short_text(m->email) && short_text(m->channel_key) &&
           short_text(m->first_name) && short_text(m->last_name) && short_text(m->provider_id) &&
           short_text(m->thread_id) && !(m->body && strlen(m->body) > INBOUND_BODY_MAX);
}

/* The list the sender's contact belongs to: the given one, or "Default". */
static int resolve_list(struct db *db, int64_t given, int64_t *list_id)
{
    bool found = false;
    *list_id = given;
    int r = given ? select_id(db, "SELECT id FROM contact_lists WHERE id = ?", "i", list_id, &found,
                              given)
                  : select_id(db, "SELECT MIN(id) FROM contact_lists WHERE name = 'Default'", "",
                              list_id, &found);
    if (!r && (!found || !*list_id))
        r = SB_ENOTFOUND;
    return r;
}

struct batched {
    const struct inbound_msg *m;
    int64_t now_ms;
    struct inbound_result *out;
};

static int store_in_batch(struct db *db, void *arg)
{
    struct batched *b = arg;
    int64_t list_id = 0;
    memset(b->out, 0, sizeof(*b->out));
    int r = resolve_list(db, b->m->list_id, &list_id);
    return r ? r : store_once(db, b->m, list_id, b->now_ms, b->out);
}

int inbound_store_batched(struct db_writer *w, const struct inbound_msg *m, int64_t now_ms,
                          struct inbound_result *out)
{
    memset(out, 0, sizeof(*out));
    if (!inbound_valid(m))
        return SB_EINVAL;
    struct batched b = {m, now_ms, out};
    int r = SB_EBUSY;
    for (int attempt = 0; attempt < INBOUND_TRIES; attempt++) {
        r = db_writer_run(w, store_in_batch, &b);
        if (r != SB_ECONFLICT && r != SB_EBUSY)
            return r;
        /* Another node won a unique key: the next attempt reads its rows. */
    }
    return r == SB_ECONFLICT ? SB_EBUSY : r;
}

int inbound_store(struct db *db, const struct inbound_msg *m, int64_t now_ms,
                  struct inbound_result *out)
{
    memset(out, 0, sizeof(*out));
    if (!inbound_valid(m))
        return SB_EINVAL;
    int64_t list_id = 0;
    int r = resolve_list(db, m->list_id, &list_id);
    for (int attempt = 0; !r && attempt < INBOUND_TRIES; attempt++) {
        r = db_begin(db);
        if (r)
            break;
        r = store_once(db, m, list_id, now_ms, out);
        if (!r)
            r = db_commit(db);
        if (!r)
            return 0;
        db_rollback(db);
        if (r != SB_ECONFLICT && r != SB_EBUSY)
            return r;
        r = 0; /* a concurrent webhook won a unique key: read its rows this time */
        if (attempt == INBOUND_TRIES - 1)
            r = SB_EBUSY;
    }
    return r;
}

static int open_once(struct db *db, const char *channel, int64_t account_id, int64_t list_id,
                     const char *phone, int64_t now_ms, struct interaction_open_result *out)
{
    memset(out, 0, sizeof(*out));
    bool found;
    int r = select_id(db, "SELECT id FROM contacts WHERE list_id = ? AND phone = ?", "it",
                      &out->contact_id, &found, list_id, phone);
    if (!r && !found) {
        r = insert_id(db,
                      "INSERT INTO contacts(list_id, phone, created_at, updated_at) VALUES(?, ?, "
                      "?, ?) RETURNING id",
                      "itii", &out->contact_id, list_id, phone, now_ms, now_ms);
        out->new_contact = true;
    }
    if (!r)
        r = select_id(db,
                      "SELECT id FROM interactions WHERE channel = ? AND account_id = ? AND "
                      "contact_id = ? AND status = 'open'",
                      "tii", &out->interaction_id, &found, channel, account_id, out->contact_id);
    if (!r && found)
        return select_id(db, "SELECT COALESCE(owner_id, 0) FROM interactions WHERE id = ?", "i",
                         &out->owner_id, &found, out->interaction_id);
    if (!r) {
        /* 'idle' and read: nothing for the flow to do until the ACD assigns it or the
         * contact answers. */
        r = insert_id(db,
                      "INSERT INTO interactions(channel, account_id, contact_id, status, unread, "
                      "route_state, created_at, updated_at) VALUES(?, ?, ?, 'open', 0, 'idle', "
                      "?, ?) RETURNING id",
                      "tiiii", &out->interaction_id, channel, account_id, out->contact_id, now_ms,
                      now_ms);
        out->new_interaction = true;
    }
    return r;
}

int interaction_open_for_phone(struct db *db, const char *channel, int64_t account_id,
                               int64_t list_id, const char *phone, int64_t now_ms,
                               struct interaction_open_result *out)
{
    memset(out, 0, sizeof(*out));
    if (!channel_valid(channel) || account_id <= 0 || !set(phone) || !short_text(phone))
        return SB_EINVAL;
    int64_t list = 0;
    int r = resolve_list(db, list_id, &list);
    for (int attempt = 0; !r && attempt < INBOUND_TRIES; attempt++) {
        r = db_begin(db);
        if (r)
            break;
        r = open_once(db, channel, account_id, list, phone, now_ms, out);
        if (!r)
            r = db_commit(db);
        if (!r)
            return 0;
        db_rollback(db);
        if (r != SB_ECONFLICT && r != SB_EBUSY)
            return r;
        r = 0;
        if (attempt == INBOUND_TRIES - 1)
            r = SB_EBUSY;
    }
    return r;
}

int interaction_close(struct db *db, int64_t id, const char *disposition, int64_t now_ms)
{
    int64_t n = 0;
    int r = db_execf(db, &n,
                     "UPDATE interactions SET status = 'closed', closed_at = ?, updated_at = ?, "
                     "disposition = COALESCE(?, disposition) WHERE id = ? AND status = 'open'",
                     "iiti", now_ms, now_ms, set(disposition), id);
    if (r || n)
        return r;
    int64_t exists = 0;
    r = db_query_int64(db, "SELECT COUNT(*) FROM interactions WHERE id = ?", &exists, 1, id);
    return r ? r : exists ? SB_ECONFLICT : SB_ENOTFOUND;
}

int report_queue_joined(struct db *db, const char *channel, int64_t interaction_id,
                        int64_t queue_id, int64_t at_ms)
{
    if (!channel_valid(channel))
        return SB_EINVAL;
    return db_execf(db, NULL,
                    "INSERT INTO report_queue(channel, interaction_id, queue_id, joined_at) "
                    "VALUES(?, ?, ?, ?)",
                    "tiii", channel, interaction_id, queue_id, at_ms);
}

int report_queue_left(struct db *db, int64_t interaction_id, int64_t queue_id, int64_t at_ms,
                      const char *reason, int64_t agent_id)
{
    bool accepted = reason && !strcmp(reason, "accepted");
    if (!reason || (!accepted && strcmp(reason, "timeout") && strcmp(reason, "abandoned")))
        return SB_EINVAL;
    static const char sql[] =
        "UPDATE report_queue SET left_at = ?, reason = ?, accepted_at = ?, agent_id = ? WHERE "
        "interaction_id = ? AND queue_id = ? AND left_at IS NULL";
    int64_t n = 0;
    int r = accepted ? db_execf(db, &n, sql, "itiiii", at_ms, reason, at_ms, agent_id,
                                interaction_id, queue_id)
                     : db_execf(db, &n, sql, "itnnii", at_ms, reason, interaction_id, queue_id);
    return r ? r : n ? 0 : SB_ENOTFOUND;
}
