#include "channels/outbox_sms.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "channels/sms/net.h"
#include "channels/sms/provider.h"
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

void outbox_sms_attempt(struct sb_app *app, struct db *db, int64_t account_id, int64_t message_id,
                        const char *to, const char *body, struct arena *a,
                        struct outbox_result *out)
{
    json_t *pub = NULL, *clear = NULL;
    char type[16] = "";
    int r = sms_account_get(db, account_id, &pub);
    if (!r)
        r = sms_account_credentials(db, account_id, type, &clear);
    const struct sms_provider *p = r ? NULL : sms_provider_find(type);
    struct sms_account_creds c;
    if (p)
        r = sms_creds_from_account(type, clear, json_string_value(json_object_get(pub, "phone")),
                                   json_string_value(json_object_get(pub, "proxy_token")), a, &c);
    if (r == SB_EBUSY || r == SB_EIO || r == SB_EUNAVAIL) {
        fail(out, "pending", "storage unavailable", NULL);
    } else if (r || !p) {
        fail(out, "failed", "the SMS account cannot send",
             r == SB_ENOTFOUND ? "deleted" : "credentials do not open or unknown type");
    } else {
        struct sms_env env = {app->cfg.sms_test_base_url[0] ? app->cfg.sms_test_base_url : NULL,
                              app->cfg.sms_allowed_hosts[0] ? app->cfg.sms_allowed_hosts : NULL};
        char reference[24];
        snprintf(reference, sizeof(reference), "%lld", (long long)message_id);
        struct sms_outbound m = {.to = to,
                                 .from = NULL,
                                 .body = body,
                                 .status_url =
                                     json_string_value(json_object_get(pub, "status_url")),
                                 .reference = reference};
        /* A session (Skebby) is made for each attempt: sends are rare enough per account. */
        char session[4097] = "";
        struct sms_send_result res;
        const char *why = NULL;
        r = sms_send_blocking(p, &c, &env, &m, session, sizeof(session), a, &res, &why);
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
    json_decref(pub);
    json_decref(clear);
}
