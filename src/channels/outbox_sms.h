/* outbox_sms.h — one attempt to send an outbox row of the SMS channel through its account's
 * provider (channels/sms/provider.h, net.h), for the outbox thread (channels/outbox.h). */
#ifndef SB_CHANNELS_OUTBOX_SMS_H
#define SB_CHANNELS_OUTBOX_SMS_H

#include <stdint.h>

struct arena;
struct db;
struct sb_app;

/* What became of one attempt. Strings point into the arena of the attempt (or are static). */
struct outbox_result {
    const char *state; /* "sent", "failed" or "pending" (try again later) */
    char why[300];     /* for the row's last_error and the log; never a secret */
    const char *provider_id, *provider_status, *error_code;
};

/* Sends `body` to `to` through SMS account `account_id`. ACCEPTED by the provider is "sent"
 * (with its message id: never sent again); a retryable answer or no answer is "pending"; a
 * refusal, an account that cannot send (misconfigured, gone) is "failed". The provider's
 * delivery-report URL of the account goes with the message where the provider takes one.
 * Blocking (the outbox thread). */
void outbox_sms_attempt(struct sb_app *app, struct db *db, int64_t account_id, int64_t message_id,
                        const char *to, const char *body, struct arena *a,
                        struct outbox_result *out);

#endif
