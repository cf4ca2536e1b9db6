/* outbox_sms.h — one attempt to send an outbox row of the SMS channel through its account's
 * provider (channels/sms/provider.h, net.h), for the outbox (channels/outbox.h). An attempt has
 * two halves: outbox_sms_prepare() reads the account on the outbox thread (its database
 * connection), outbox_sms_send() talks to the provider and may run on any thread, so the outbox
 * can send to several providers at once. */
#ifndef SB_CHANNELS_OUTBOX_SMS_H
#define SB_CHANNELS_OUTBOX_SMS_H

#include <jansson.h>
#include <stdint.h>

#include "channels/sms/net.h"
#include "channels/sms/provider.h"

struct arena;
struct db;
struct sb_app;

/* What became of one attempt. Strings point into the arena of the attempt (or are static). */
struct outbox_result {
    const char *state; /* "sent", "failed" or "pending" (try again later) */
    char why[300];     /* for the row's last_error and the log; never a secret */
    const char *provider_id, *provider_status, *error_code;
};

/* An account read for one attempt: what outbox_sms_send() needs, nothing shared. */
struct outbox_sms_job {
    json_t *pub, *clear; /* keep the strings of creds and status_url alive */
    const struct sms_provider *p;
    struct sms_account_creds creds;
    struct sms_env env;
    const char *status_url;
    char session[4097]; /* Skebby: a session is made for each attempt */
};

/* Reads SMS account `account_id` for one attempt. Returns true when the job is ready for
 * outbox_sms_send(); false with *out filled otherwise: "pending" when the database is busy,
 * "failed" when the account is gone or cannot send (credentials that no longer open, unknown
 * type). Strings go into `a`. outbox_sms_job_free() in both cases. The outbox thread. */
bool outbox_sms_prepare(struct sb_app *app, struct db *db, int64_t account_id, struct arena *a,
                        struct outbox_sms_job *job, struct outbox_result *out);

/* Sends `body` to `to` with a prepared job. ACCEPTED by the provider is "sent" (with its
 * message id: never sent again); a retryable answer or no answer is "pending"; a refusal is
 * "failed". The account's delivery-report URL goes with the message where the provider takes
 * one. Blocking (≤ 3 × SMS_TIMEOUT_MS with a login); any thread, one job per thread; `a` is
 * that thread's. */
void outbox_sms_send(struct outbox_sms_job *job, int64_t message_id, const char *to,
                     const char *body, struct arena *a, struct outbox_result *out);

/* Releases what outbox_sms_prepare() kept. NULL-safe fields; any thread. */
void outbox_sms_job_free(struct outbox_sms_job *job);

#endif
