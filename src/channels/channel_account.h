/* channel_account.h — what routing and replies need from any channel's account, read from the
 * channel's own table (Open Channel and SMS now; the others plug in here). */
#ifndef SB_CHANNELS_CHANNEL_ACCOUNT_H
#define SB_CHANNELS_CHANNEL_ACCOUNT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
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
    bool mandatory_disposition; /* agents must dispose when they close (SMS accounts) */
    char disposition_pause[64]; /* pause reason applied while disposing; "" = none */
};

/* Reads account `id` of `channel` ("openchannel", "sms", …). 0, SB_ENOTFOUND (no such account
 * or a channel without accounts yet), or a storage error. Any thread with its own connection.
 * SMS accounts have no reply URL here (replies go through the provider adapters): reply_url
 * is "" for them. */
int channel_account_get(struct db *db, const char *channel, int64_t id,
                        struct channel_account *out);

/* Sets *member to whether agent `staff_id` is one of the agents of account `id` of `channel`
 * (false for a channel without accounts). 0 or a storage error. */
int channel_account_has_agent(struct db *db, const char *channel, int64_t id, int64_t staff_id,
                              bool *member);

/* Replaces the agents of account `id` of `channel` ("openchannel", "sms") with the ids of
 * `ids` (a JSON array of live agent ids), all or nothing: SB_EINVALID with *bad = the index of
 * the first that is not a live agent; SB_ENOTFOUND for an unknown account or a channel
 * without accounts; storage errors. */
int channel_account_set_agents(struct db *db, const char *channel, int64_t id, const json_t *ids,
                               size_t *bad);

#endif
