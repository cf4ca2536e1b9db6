/* inbound.h — storing an inbound message of any digital channel, and the interaction life
 * around it (issue "Routing engine": interactions and messages, channel-generic).
 *
 * A new inbound message from the same contact on the same account joins the open interaction;
 * after it is closed, the next one starts a new interaction. Unknown senders become contacts
 * in the account's list. A provider's message id is stored once per account: a retried
 * webhook finds the message it already stored. All of it holds under concurrent webhooks on
 * any number of threads and nodes: unique indexes decide, a losing transaction is retried. */
#ifndef SB_INTERACTIONS_INBOUND_H
#define SB_INTERACTIONS_INBOUND_H

#include <stdbool.h>
#include <stdint.h>

struct db;

#define INBOUND_BODY_MAX  (64 * 1024)
#define INBOUND_FIELD_MAX 256

struct inbound_msg {
    const char *channel; /* chat | email | sms | openchannel | fax | whatsapp */
    int64_t account_id;
    int64_t list_id; /* the account's default contact list; 0 = the "Default" list */
    /* The sender: the first of phone, email, channel_key that is set identifies the contact. */
    const char *phone, *email, *channel_key;
    const char *first_name, *last_name; /* stored for a new contact only; may be NULL */
    const char *body;                   /* may be empty (an attachment-only message) */
    const char *attachments_json;       /* a JSON array as text; NULL = [] */
    const char *provider_id;            /* NULL = no de-duplication */
    const char *thread_id;              /* stored on a new interaction; may be NULL */
};

struct inbound_result {
    int64_t contact_id, interaction_id, message_id;
    bool new_contact, new_interaction;
    bool duplicate; /* the provider id was seen: nothing stored, ids are the earlier ones */
};

/* Stores `m` in one transaction (acknowledged = committed). SB_EINVAL for a bad channel, no
 * sender, an over-long field or body; SB_ENOTFOUND for an unknown list; storage errors as
 * usual (SB_EBUSY after the bounded retries). */
int inbound_store(struct db *db, const struct inbound_msg *m, int64_t now_ms,
                  struct inbound_result *out);

/* Like inbound_store, through the group-commit writer (db/writer.h): many webhooks share one
 * transaction and one fsync; returns 0 only once the message is committed. Same errors, plus
 * SB_EFULL when the writer's queue is full. Any thread but the writer's. */
struct db_writer;
int inbound_store_batched(struct db_writer *w, const struct inbound_msg *m, int64_t now_ms,
                          struct inbound_result *out);

/* An agent starts an outbound conversation with `phone` (E.164, checked by the caller) on
 * account (channel, account_id): finds or creates the contact in list `list_id` (0 = the
 * "Default" list) and returns the contact's open interaction of that account, or a new one in
 * routing state 'idle' (the ACD assigns it: no flow runs for it). *owner_id gets the open
 * interaction's owner (0 = nobody holds it). One transaction, retried when a concurrent
 * webhook or agent wins a unique key. SB_EINVAL (bad channel, empty or over-long phone),
 * SB_ENOTFOUND (list), storage errors (SB_EBUSY after the bounded retries). Any thread with
 * its own connection. */
struct interaction_open_result {
    int64_t contact_id, interaction_id, owner_id;
    bool new_contact, new_interaction;
};
int interaction_open_for_phone(struct db *db, const char *channel, int64_t account_id,
                               int64_t list_id, const char *phone, int64_t now_ms,
                               struct interaction_open_result *out);

/* Closes open interaction `id` with an optional disposition. SB_ENOTFOUND when there is no
 * such interaction, SB_ECONFLICT when it is already closed. */
int interaction_close(struct db *db, int64_t id, const char *disposition, int64_t now_ms);

/* Report rows, one per (interaction, queue) attempt (`report_<channel>_queue`). joined opens a
 * row; left closes the open row of that interaction and queue with reason accepted, timeout or
 * abandoned (agent_id for accepted, else 0). SB_ENOTFOUND when no row is open. */
int report_queue_joined(struct db *db, const char *channel, int64_t interaction_id,
                        int64_t queue_id, int64_t at_ms);
int report_queue_left(struct db *db, int64_t interaction_id, int64_t queue_id, int64_t at_ms,
                      const char *reason, int64_t agent_id);

#endif
