/* channel_account.h — what routing and replies need from any channel's account, read from the
 * channel's own table (Open Channel now; SMS and the others plug in here). */
#ifndef SB_CHANNELS_CHANNEL_ACCOUNT_H
#define SB_CHANNELS_CHANNEL_ACCOUNT_H

#include <stdbool.h>
#include <stdint.h>

struct db;

#define CHANNEL_URL_MAX 1024

struct channel_account {
    int64_t id;
    int64_t list_id;
    int wait_agent; /* seconds a follow-up waits for the agent who closed its tab */
    int wait_queue; /* then for that agent's queue */
    bool transfer_enabled;
    int transfer_timeout;            /* seconds before a transfer nobody took returns, unread */
    char reply_url[CHANNEL_URL_MAX]; /* "" = agents cannot reply */
    char reply_method[8];
};

/* Reads account `id` of `channel` ("openchannel", …). 0, SB_ENOTFOUND (no such account or a
 * channel without accounts yet), or a storage error. Any thread with its own connection. */
int channel_account_get(struct db *db, const char *channel, int64_t id,
                        struct channel_account *out);

#endif
