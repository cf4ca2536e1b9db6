/* oc_accounts.h — Open Channel accounts (issue #5 part 9): name, the connector's key, the
 * contact list unknown senders land in, where and how agents' replies are delivered, the
 * follow-up waits, transfers, the agents of the account, and the inbound token.
 *
 * The inbound token ("oct_" + 43 base64url characters, 32 CSPRNG bytes) is shown once, when the
 * account is created or the token is replaced; only its SHA-256 is stored. Every function
 * runs on the caller's connection and returns 0 or a negative sb_err; nothing changes on an
 * error. */
#ifndef SB_CHANNELS_OPENCHANNEL_OC_ACCOUNTS_H
#define SB_CHANNELS_OPENCHANNEL_OC_ACCOUNTS_H

#include <jansson.h>
#include <stdint.h>

struct db;

#define OC_TOKEN_LEN 47 /* "oct_" + 43 */
#define OC_WAIT_MAX  2147483

/* Validates a create (`current` NULL) or a change over the stored object into *clean (every
 * field, defaults applied: reply_method POST, wait_agent 10, wait_queue 10, transfer_enabled
 * false, transfer_timeout 60, list_id = the "Default" list). SB_EINVALID with *errors
 * ({field, message} for each bad field: unknown list, a reply_url that is not http(s), …). */
int oc_account_validate(struct db *db, const json_t *body, const json_t *current, json_t **clean,
                        json_t **errors);

/* Stores a new account with a fresh token (copied to `token`). SB_ECONFLICT (name). */
int oc_account_create(struct db *db, const json_t *clean, int64_t now_ms, int64_t *id_out,
                      char token[OC_TOKEN_LEN + 1]);

/* Replaces the fields of `id` with `clean`. SB_ENOTFOUND, SB_ECONFLICT (name). */
int oc_account_update(struct db *db, int64_t id, const json_t *clean, int64_t now_ms);

/* The account {id, name, description, key, list_id, reply_url, reply_method, wait_agent,
 * wait_queue, transfer_enabled, transfer_timeout, agents: [ids], notify_path, created_at,
 * updated_at} (never the token), or SB_ENOTFOUND. */
int oc_account_get(struct db *db, int64_t id, json_t **out);

/* Every account, ordered by name; `q` (may be NULL) searches names. */
int oc_account_list(struct db *db, const char *q, int64_t limit, int64_t offset, json_t **items,
                    int64_t *total);

/* Deletes the account (its agents, flow, dispositions and canned answers go with it; its
 * interactions stay readable).
 * SB_ENOTFOUND. */
int oc_account_delete(struct db *db, int64_t id);

/* Replaces the token of `id` with a fresh one (copied to `token`). SB_ENOTFOUND. */
int oc_account_new_token(struct db *db, int64_t id, int64_t now_ms, char token[OC_TOKEN_LEN + 1]);

/* 0 when `token` is the account's token (compared in constant time over SHA-256),
 * SB_EAUTH otherwise (also for an unknown account: the caller answers alike). */
int oc_account_check_token(struct db *db, int64_t id, const char *token);

/* Replaces the account's agents with the ids of `ids` (JSON array of live agent ids; all or
 * nothing: SB_EINVALID with *bad = the index of the first unknown one). SB_ENOTFOUND. */
int oc_account_set_agents(struct db *db, int64_t id, const json_t *ids, size_t *bad);

#endif
