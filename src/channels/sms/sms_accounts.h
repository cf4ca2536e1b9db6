/* sms_accounts.h — SMS accounts (issue #6 part 1): name, key, proxy domain, contact list,
 * phone, description, provider type and its credentials, the follow-up waits, transfers, the
 * mandatory disposition, the agents of the account and the proxy token; docs/sms.md.
 *
 * Credentials and the proxy token are sealed at rest (core/seal.h); the credentials leave this
 * module in clear only through sms_account_get_private / sms_account_credentials (for
 * validation and the provider adapters), never in the public form. Every function runs on the
 * caller's connection (any thread with its own) and returns 0 or a negative sb_err; nothing
 * changes on an error. */
#ifndef SB_CHANNELS_SMS_SMS_ACCOUNTS_H
#define SB_CHANNELS_SMS_SMS_ACCOUNTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;

#define SMS_ACCOUNT_MAX 1000    /* SMS accounts in all */
#define SMS_TOKEN_LEN   47      /* "smt_" + 43 base64url characters */
#define SMS_KEY_MAX     5       /* characters of an account key */
#define SMS_NAME_MAX    128     /* characters of a name */
#define SMS_TEXT_MAX    1024    /* characters of a description */
#define SMS_DOMAIN_MAX  255     /* characters of the proxy domain */
#define SMS_WAIT_MAX    2147483 /* seconds, the seed's bound */
#define SMS_PAUSE_MAX   63      /* characters of the disposing pause reason */
#define SMS_AGENTS_MAX  10000   /* ids in one PUT …/agents */

/* Validates a create (`current` NULL) or a change over `current` (sms_account_get_private's
 * object) into *clean: every field with defaults applied (domain = `default_domain` without a
 * trailing slash, also when a change sets it to null or ""; list_id = the "Default" list,
 * wait_agent/wait_queue 10, transfer_enabled false, transfer_timeout 60, mandatory_disposition
 * false, disposition_pause null) and the credentials in clear. A changed type needs its credentials
 * anew; an unchanged one keeps the stored ones that the body leaves out. SB_EINVALID with *errors
 * ({field, message} for every bad field: "key", "credentials.auth_token", …), a storage error, or
 * SB_ENOMEM. */
int sms_account_validate(struct db *db, const json_t *body, const json_t *current,
                         const char *default_domain, json_t **clean, json_t **errors);

/* Stores a new account from `clean` with a fresh proxy token. SB_ECONFLICT when the name or
 * the key is taken (sms_account_taken says which), SB_ETOOBIG past SMS_ACCOUNT_MAX. */
int sms_account_create(struct db *db, const json_t *clean, int64_t now_ms, int64_t *id_out);

/* Replaces the fields of `id` with `clean`. SB_ENOTFOUND, SB_ECONFLICT. */
int sms_account_update(struct db *db, int64_t id, const json_t *clean, int64_t now_ms);

/* After SB_ECONFLICT: *field = "name" or "key" (static text), whichever another account than
 * `except_id` (0 = none) holds; "name" when neither is found any more. */
int sms_account_taken(struct db *db, const json_t *clean, int64_t except_id, const char **field);

/* The account as the API shows it: {id, name, key, domain, list_id, phone, description, type,
 * credentials (secrets masked), wait_agent, wait_queue, transfer_enabled, transfer_timeout,
 * mandatory_disposition, disposition_pause, proxy_token, inbound_auth, receive_url,
 * status_url (null when the type shows none), agents: [ids], created_at, updated_at}.
 * SB_ENOTFOUND. A token or credentials that no longer open (another key) show as null. */
int sms_account_get(struct db *db, int64_t id, json_t **out);

/* The stored fields as sms_account_validate takes them, credentials in clear ({} when they no
 * longer open). Never send this object anywhere. SB_ENOTFOUND. */
int sms_account_get_private(struct db *db, int64_t id, json_t **out);

/* The type (into type[16]) and clear credentials (*creds, new object) of `id`, for the
 * provider adapters. SB_ENOTFOUND; SB_EINVAL when they no longer open. */
int sms_account_credentials(struct db *db, int64_t id, char type[16], json_t **creds);

/* Accounts ordered by name; `q` (may be NULL) searches names and keys, `type` (may be NULL)
 * filters. *items are public forms. */
int sms_account_list(struct db *db, const char *q, const char *type, int64_t limit, int64_t offset,
                     json_t **items, int64_t *total);

/* Deletes the account with its agents, flow, dispositions and canned answers (its
 * interactions stay readable). SB_ENOTFOUND. */
int sms_account_delete(struct db *db, int64_t id);

/* Replaces the proxy token of `id` with a fresh one. SB_ENOTFOUND. */
int sms_account_new_token(struct db *db, int64_t id, int64_t now_ms);

/* 0 when `token` is the proxy token of account `id` (compared in constant time over SHA-256
 * digests), SB_EAUTH otherwise, also for an unknown account. For the receive and status
 * routes. */
int sms_account_check_token(struct db *db, int64_t id, const char *token);

/* Replaces the account's agents with `ids` (JSON array of live agent ids; all or nothing:
 * SB_EINVALID with *bad = the index of the first that is not an agent). SB_ENOTFOUND. */
int sms_account_set_agents(struct db *db, int64_t id, const json_t *ids, size_t *bad);

/* Sets *member to whether agent `staff_id` is one of the agents of SMS account `id`. */
int sms_account_has_agent(struct db *db, int64_t id, int64_t staff_id, bool *member);

/* Checks a proxy domain: http:// or https://, a host, optional port and path, no user info,
 * query, fragment, spaces or control characters, at most SMS_DOMAIN_MAX characters. */
bool sms_domain_valid(const char *domain);

#endif
