/* outbound.h — agents' replies, internal notes and the flows' automatic replies: the message
 * row and, for a reply, its durable outbox row, in one transaction (acknowledged = committed;
 * the outbox thread delivers it, channels/outbox.h). */
#ifndef SB_INTERACTIONS_OUTBOUND_H
#define SB_INTERACTIONS_OUTBOUND_H

#include <stdbool.h>
#include <stdint.h>

struct db;

#define OUTBOUND_BODY_MAX (16 * 1024)

struct outbound_msg {
    int64_t interaction_id;
    int64_t sender_id;            /* staff id; 0 = the system (Auto Reply) */
    const char *body;             /* text, 1..OUTBOUND_BODY_MAX bytes (may be empty with
                                     attachments) */
    const char *attachments_json; /* JSON array text; NULL = [] */
    bool internal;                /* an internal note: stored, never sent */
};

/* Stores `m`. A reply needs an open interaction whose account has a reply destination
 * (SB_ECONFLICT with *why = "closed" or "no_reply_url" otherwise; an SMS needs the contact's
 * phone: "no_phone"); a note needs only the
 * interaction. SB_ENOTFOUND (interaction), SB_EINVAL (body too long), storage errors. On
 * error nothing is stored. *message_id (may be NULL) gets the new message's id. */
int outbound_store(struct db *db, const struct outbound_msg *m, int64_t now_ms, int64_t *message_id,
                   const char **why);

#endif
