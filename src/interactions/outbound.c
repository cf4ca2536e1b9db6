#include "interactions/outbound.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/channel_account.h"
#include "core/err.h"
#include "db/db.h"

struct ix_row {
    char channel[16];
    char status[8];
    int64_t account_id, contact_id;
    json_t *contact; /* for the reply body */
    char thread_id[256];
};

static int load_ix(struct db *db, int64_t id, struct ix_row *out)
{
    struct db_stmt *st = NULL;
    int r = db_prepare(db,
                       "SELECT i.channel, i.status, i.account_id, i.contact_id, i.thread_id, "
                       "c.first_name, c.last_name, c.phone, c.email, c.channel_key "
                       "FROM interactions i JOIN contacts c ON c.id = i.contact_id WHERE i.id = ?",
                       &st);
    if (!r)
        r = db_bind_int64(st, 1, id);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        snprintf(out->channel, sizeof(out->channel), "%s", db_col_text(st, 0));
        snprintf(out->status, sizeof(out->status), "%s", db_col_text(st, 1));
        out->account_id = db_col_int64(st, 2);
        out->contact_id = db_col_int64(st, 3);
        snprintf(out->thread_id, sizeof(out->thread_id), "%s",
                 db_col_text(st, 4) ? db_col_text(st, 4) : "");
        out->contact = json_pack("{s:I, s:s?, s:s?, s:s?, s:s?, s:s?}", "id",
                                 (json_int_t)out->contact_id, "first_name", db_col_text(st, 5),
                                 "last_name", db_col_text(st, 6), "phone", db_col_text(st, 7),
                                 "email", db_col_text(st, 8), "map_key", db_col_text(st, 9));
        r = out->contact ? 0 : SB_ENOMEM;
    } else if (r == DB_DONE) {
        r = SB_ENOTFOUND;
    }
    db_finalize(st);
    return r;
}

static int insert_message(struct db *db, const struct outbound_msg *m, const char *status,
                          int64_t now, int64_t *id)
{
    struct db_stmt *st = NULL;
    int r = db_prepare(db,
                       "INSERT INTO messages (interaction_id, direction, body, attachments, "
                       "delivery_status, sender_id, internal, created_at, updated_at) VALUES "
                       "(?, 'out', ?, ?, ?, NULLIF(?, 0), ?, ?, ?) RETURNING id",
                       &st);
    if (!r)
        r = db_bind_all(st, "itttiiii", m->interaction_id, m->body ? m->body : "",
                        m->attachments_json ? m->attachments_json : "[]", status, m->sender_id,
                        (int64_t)m->internal, now, now);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        *id = db_col_int64(st, 0);
        r = 0;
    } else if (r == DB_DONE) {
        r = SB_EINTERNAL;
    }
    db_finalize(st);
    return r;
}

/* The JSON the connector receives: the message, the contact and the interaction. */
static char *reply_body(const struct outbound_msg *m, const struct ix_row *ix, int64_t msg_id)
{
    json_t *att = json_loads(m->attachments_json ? m->attachments_json : "[]", 0, NULL);
    json_t *o = json_pack(
        "{s:I, s:I, s:s, s:o, s:O, s:{s:I, s:I, s:s?}, s:I}", "message_id", (json_int_t)msg_id,
        "account_id", (json_int_t)ix->account_id, "body", m->body ? m->body : "", "attachments",
        att ? att : json_array(), "contact", ix->contact, "interaction", "id",
        (json_int_t)m->interaction_id, "account_id", (json_int_t)ix->account_id, "thread_id",
        ix->thread_id[0] ? ix->thread_id : NULL, "sender_id", (json_int_t)m->sender_id);
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return s;
}

int outbound_store(struct db *db, const struct outbound_msg *m, int64_t now, int64_t *message_id,
                   const char **why)
{
    static const char *unused;
    if (!why)
        why = &unused;
    *why = NULL;
    if (m->body && strlen(m->body) > OUTBOUND_BODY_MAX)
        return SB_EINVAL;
    struct ix_row ix = {0};
    int r = load_ix(db, m->interaction_id, &ix);
    if (r)
        return r;
    struct channel_account acc;
    bool sms = !strcmp(ix.channel, "sms");
    if (!m->internal) {
        if (strcmp(ix.status, "open")) {
            *why = "closed";
            r = SB_ECONFLICT;
        } else if (channel_account_get(db, ix.channel, ix.account_id, &acc)) {
            *why = "no_reply_url";
            r = SB_ECONFLICT;
        } else if (sms) {
            /* An SMS goes to the contact's phone through the account's provider. */
            if (!json_string_value(json_object_get(ix.contact, "phone"))) {
                *why = "no_phone";
                r = SB_ECONFLICT;
            }
        } else if (!acc.reply_url[0]) {
            *why = "no_reply_url";
            r = SB_ECONFLICT;
        }
    }
    int64_t id = 0;
    char *body = NULL;
    if (!r)
        r = db_begin(db);
    if (r) {
        json_decref(ix.contact);
        return r;
    }
    r = insert_message(db, m, m->internal ? "sent" : "queued", now, &id);
    if (!r && !m->internal) {
        /* Open Channel: the JSON the connector gets, to its reply URL. SMS: the recipient in
         * `url` with method "SMS"; the outbox builds the provider's request when it sends. */
        const char *phone = json_string_value(json_object_get(ix.contact, "phone"));
        body = sms ? strdup(m->body ? m->body : "") : reply_body(m, &ix, id);
        r = body ? db_execf(db, NULL,
                            "INSERT INTO outbox (channel, account_id, message_id, url, method, "
                            "body, status, attempts, next_attempt_at, created_at, updated_at) "
                            "VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)",
                            "tiitttiii", ix.channel, ix.account_id, id, sms ? phone : acc.reply_url,
                            sms ? "SMS" : acc.reply_method, body, now, now, now)
                 : SB_ENOMEM;
    }
    if (!r)
        r = db_execf(db, NULL,
                     "UPDATE interactions SET updated_at = ?, last_message_at = ? WHERE id = ?",
                     "iii", now, now, m->interaction_id);
    if (!r)
        r = db_commit(db);
    if (r)
        db_rollback(db);
    free(body);
    json_decref(ix.contact);
    if (!r && message_id)
        *message_id = id;
    return r;
}
