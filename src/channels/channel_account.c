#include "channels/channel_account.h"

#include <jansson.h>

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

/* The account and agents tables of a channel that has accounts. */
static bool agent_tables(const char *channel, const char **accounts, const char **agents)
{
    if (channel && !strcmp(channel, "sms")) {
        *accounts = "sms_accounts";
        *agents = "sms_account_agents";
    } else if (channel && !strcmp(channel, "openchannel")) {
        *accounts = "openchannel_accounts";
        *agents = "openchannel_account_agents";
    } else {
        return false;
    }
    return true;
}

int channel_account_set_agents(struct db *db, const char *channel, int64_t id, const json_t *ids,
                               size_t *bad)
{
    const char *accounts, *agents;
    if (!agent_tables(channel, &accounts, &agents))
        return SB_ENOTFOUND;
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        int64_t found = 0;
        int r = json_is_integer(v) ? db_query_int64(db,
                                                    "SELECT COUNT(*) FROM staff WHERE id = ? AND "
                                                    "role = 'agent' AND deleted_at IS NULL",
                                                    &found, 1, (int64_t)json_integer_value(v))
                                   : 0;
        if (r)
            return r;
        if (!found) {
            *bad = i;
            return SB_EINVALID;
        }
    }
    char sql[160];
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s WHERE id = ?", accounts);
    int64_t exists = 0;
    int r = db_query_int64(db, sql, &exists, 1, id);
    if (r)
        return r;
    if (!exists)
        return SB_ENOTFOUND;
    r = db_begin(db);
    snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE account_id = ?", agents);
    if (!r)
        r = db_execf(db, NULL, sql, "i", id);
    snprintf(sql, sizeof(sql),
             "INSERT INTO %s (account_id, staff_id) VALUES (?, ?) ON CONFLICT DO NOTHING", agents);
    json_array_foreach(ids, i, v) if (!r) r =
        db_execf(db, NULL, sql, "ii", id, (int64_t)json_integer_value(v));
    if (!r)
        r = db_commit(db);
    if (r)
        db_rollback(db);
    return r;
}
