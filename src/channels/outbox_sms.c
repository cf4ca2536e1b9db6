#include "channels/outbox_sms.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "channels/sms/sms_accounts.h"
#include "core/arena.h"
#include "core/err.h"

/* state, and why = prefix + ": " + detail (detail may be NULL). */
static void fail(struct outbox_result *out, const char *state, const char *prefix,
                 const char *detail)
{
    out->state = state;
    snprintf(out->why, sizeof(out->why), "%s%s%s", prefix, detail ? ": " : "",
             detail ? detail : "");
}

bool outbox_sms_prepare(struct sb_app *app, struct db *db, int64_t account_id, struct arena *a,
                        struct outbox_sms_job *job, struct outbox_result *out)
{
    memset(job, 0, sizeof(*job));
    char type[16] = "";
    int r = sms_account_get(db, account_id, &job->pub);
    if (!r)
        r = sms_account_credentials(db, account_id, type, &job->clear);
    job->p = r ? NULL : sms_provider_find(type);
    if (job->p)
        r = sms_creds_from_account(
            type, job->clear, json_string_value(json_object_get(job->pub, "phone")),
            json_string_value(json_object_get(job->pub, "proxy_token")), a, &job->creds);
    if (r == SB_EBUSY || r == SB_EIO || r == SB_EUNAVAIL) {
        fail(out, "pending", "storage unavailable", NULL);
        return false;
    }
    if (r || !job->p) {
        fail(out, "failed", "the SMS account cannot send",
             r == SB_ENOTFOUND ? "deleted" : "credentials do not open or unknown type");
        return false;
    }
    job->env = (struct sms_env){app->cfg.sms_test_base_url[0] ? app->cfg.sms_test_base_url : NULL,
                                app->cfg.sms_allowed_hosts[0] ? app->cfg.sms_allowed_hosts : NULL};
    job->status_url = json_string_value(json_object_get(job->pub, "status_url"));
    return true;
}

void outbox_sms_send(struct outbox_sms_job *job, int64_t message_id, const char *to,
                     const char *body, struct arena *a, struct outbox_result *out)
{
    char reference[24];
    snprintf(reference, sizeof(reference), "%lld", (long long)message_id);
    struct sms_outbound m = {.to = to,
                             .from = NULL,
                             .body = body,
                             .status_url = job->status_url,
                             .reference = reference};
    struct sms_send_result res;
    const char *why = NULL;
    job->session[0] = 0;
    int r = sms_send_blocking(job->p, &job->creds, &job->env, &m, job->session,
                              sizeof(job->session), a, &res, &why);
    if (r == SB_EUNAVAIL || r == SB_ENOMEM) {
        fail(out, "pending", "provider unreachable", why);
    } else if (r) {
        fail(out, "failed", "the account cannot send", why);
    } else if (res.outcome == SMS_SEND_ACCEPTED) {
        out->state = "sent";
        out->provider_id = res.provider_id;
        out->provider_status = res.provider_status;
    } else if (res.outcome == SMS_SEND_RETRY || res.outcome == SMS_SEND_REAUTH) {
        fail(out, "pending", "provider answered", res.error_code);
        out->error_code = res.error_code;
    } else {
        fail(out, "failed", "provider refused it", res.error_code);
        out->error_code = res.error_code;
        out->provider_status = res.provider_status;
    }
}

void outbox_sms_job_free(struct outbox_sms_job *job)
{
    json_decref(job->pub);
    json_decref(job->clear);
    job->pub = job->clear = NULL;
}
