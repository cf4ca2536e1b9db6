/* outbox.h — the outbound delivery thread (DESIGN "outbox (1 thread)"): it sends the rows of
 * the `outbox` table (written in the same transaction as their message, interactions/
 * outbound.h) to their destination and retries with exponential backoff until the receiver
 * answers 2xx or the attempts run out.
 *
 * Delivery is at least once: a row sent just before a kill -9 is sent again after the restart;
 * receivers de-duplicate with the body's `message_id`. A 2xx marks the row and its message
 * `sent`; 4xx other than 408/429 fails it at once (the receiver refused it: retrying cannot
 * help), everything else (5xx, timeouts, refused connections) is retried: 1 s, 2 s, 4 s … at
 * most 5 minutes apart, OUTBOX_MAX_ATTEMPTS in all, then `failed`. The owner agent is told
 * over the WebSocket (interaction.message_status). Messages of one interaction go out in
 * order: a row waits while an earlier row of its interaction is still pending (retrying), so a
 * receiver never gets a later reply before an earlier one. The rows due at one time (at most
 * OUTBOX_BATCH, one per interaction) are sent at once, each on a thread of its own with a 10 s
 * limit (SMS: up to three requests with a provider login), and their results are stored when
 * the batch is over: a receiver that hangs delays other receivers' messages by at most one
 * attempt's limit, never one limit per hung message. */
#ifndef SB_CHANNELS_OUTBOX_H
#define SB_CHANNELS_OUTBOX_H

#include <stdint.h>

struct outbox;
struct sb_app;

#define OUTBOX_MAX_ATTEMPTS 12
#define OUTBOX_BATCH        32

/* Starts the thread. 0, SB_ENOMEM, SB_EIO. Main thread. */
int outbox_start(struct sb_app *app, struct outbox **out);

/* Wakes the thread: a new row is committed. Any thread; NULL is fine. */
void outbox_poke(struct outbox *o);

/* Stops the thread (a send in progress finishes first) and frees it. NULL is fine. */
void outbox_stop(struct outbox *o);

/* The delay before attempt `attempts + 1` after `attempts` failed ones (ms). */
int64_t outbox_backoff_ms(int attempts);

#endif
