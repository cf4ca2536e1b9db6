#include "channels/channel_account.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "db/db.h"

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

static int sms_get(struct db *db, int64_t id, struct channel_account *out)
{
    struct db_stmt *st = NULL;
    int r = db_prepare(db,
                       "SELECT list_id, wait_agent, wait_queue, transfer_enabled, "
                       "transfer_timeout, mandatory_disposition, disposition_pause FROM "
                       "sms_accounts WHERE id = ?",
                       &st);
    if (!r)
        r = db_bind_int64(st, 1, id);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        out->id = id;
        out->list_id = db_col_int64(st, 0);
        out->wait_agent = (int)db_col_int64(st, 1);
        out->wait_queue = (int)db_col_int64(st, 2);
        out->transfer_enabled = db_col_int64(st, 3) != 0;
        out->transfer_timeout = (int)db_col_int64(st, 4);
        out->mandatory_disposition = db_col_int64(st, 5) != 0;
        copy(out->disposition_pause, sizeof(out->disposition_pause), db_col_text(st, 6));
        r = 0;
    } else if (r == DB_DONE) {
        r = SB_ENOTFOUND;
    }
    db_finalize(st);
    return r;
}

int channel_account_get(struct db *db, const char *channel, int64_t id, struct channel_account *out)
{
    memset(out, 0, sizeof(*out));
    if (channel && !strcmp(channel, "sms"))
        return sms_get(db, id, out);
    if (!channel || strcmp(channel, "openchannel"))
        return SB_ENOTFOUND;
    struct db_stmt *st = NULL;
    int r = db_prepare(db,
                       "SELECT list_id, wait_agent, wait_queue, transfer_enabled, "
                       "transfer_timeout, reply_url, reply_method FROM openchannel_accounts "
                       "WHERE id = ?",
                       &st);
    if (!r)
        r = db_bind_int64(st, 1, id);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        out->id = id;
        out->list_id = db_col_int64(st, 0);
        out->wait_agent = (int)db_col_int64(st, 1);
        out->wait_queue = (int)db_col_int64(st, 2);
        out->transfer_enabled = db_col_int64(st, 3) != 0;
        out->transfer_timeout = (int)db_col_int64(st, 4);
        copy(out->reply_url, sizeof(out->reply_url), db_col_text(st, 5));
        copy(out->reply_method, sizeof(out->reply_method), db_col_text(st, 6));
        r = 0;
    } else if (r == DB_DONE) {
        r = SB_ENOTFOUND;
    }
    db_finalize(st);
    return r;
}

int channel_account_has_agent(struct db *db, const char *channel, int64_t id, int64_t staff_id,
                              bool *member)
{
    *member = false;
    const char *sql = NULL;
    if (channel && !strcmp(channel, "sms"))
        sql = "SELECT COUNT(*) FROM sms_account_agents WHERE account_id = ? AND staff_id = ?";
    else if (channel && !strcmp(channel, "openchannel"))
        sql = "SELECT COUNT(*) FROM openchannel_account_agents WHERE account_id = ? AND "
              "staff_id = ?";
    if (!sql)
        return 0;
    int64_t n = 0;
    int r = db_query_int64(db, sql, &n, 2, id, staff_id);
    *member = !r && n > 0;
    return r;
}
