/* transcript.h — an interaction's transcript as a ZIP archive (libzip), for supervisors and
 * the agent holding it (issue #6 §5; docs/sms.md "Transcripts").
 *
 * The archive holds:
 *   transcript.txt           a header (interaction, account, contact, status, disposition,
 *                            tags) then one line per message, oldest first:
 *                            "<ISO time> <IN|OUT|NOTE> <author>: <text>"; lines of a
 *                            multi-line text after the first are indented by four spaces
 *   attachments/index.json   the attachments as stored: [{message_id, created_at, url,
 *                            content_type}] — references to media kept by the provider; the
 *                            media themselves are not stored by Switchboard, so not included
 * Memory is bounded: the text is built in a buffer capped at `max_bytes`, then compressed into
 * an in-memory archive (at most about the same size again). */
#ifndef SB_INTERACTIONS_TRANSCRIPT_H
#define SB_INTERACTIONS_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>

struct db;

#define TRANSCRIPT_MAX_MESSAGES 100000

/* Who the transcript names for the contact (already masked by the caller when it must be). */
struct transcript_contact {
    const char *first_name, *last_name, *phone, *email;
};

/* Builds the archive of interaction `id` into *zip (malloc'd, *len bytes; the caller frees).
 * 0; SB_ENOTFOUND (no such interaction); SB_ETOOBIG (the text would pass max_bytes or the
 * interaction has more than TRANSCRIPT_MAX_MESSAGES messages: nothing is returned);
 * SB_ENOMEM; SB_EIO (libzip failed); storage errors. Any thread with its own connection. */
int transcript_zip(struct db *db, int64_t id, const struct transcript_contact *contact,
                   size_t max_bytes, void **zip, size_t *len);

#endif
