#include "channels/channel_account.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "db/db.h"

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

int channel_account_get(struct db *db, const char *channel, int64_t id, struct channel_account *out)
{
    memset(out, 0, sizeof(*out));
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
