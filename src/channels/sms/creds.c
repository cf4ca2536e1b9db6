/* creds.c — the bridge from a stored SMS account (sms_accounts.h: a type and one credentials
 * object with the type's fields, docs/sms.md) to the adapters' struct sms_account_creds. */
#include <jansson.h>
#include <string.h>

#include "channels/sms/sms_impl.h"
#include "core/err.h"

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && *s ? s : NULL;
}

int sms_creds_from_account(const char *type, const void *creds_json, const char *phone,
                           const char *proxy_token, struct arena *a, struct sms_account_creds *out)
{
    memset(out, 0, sizeof(*out));
    const json_t *j = creds_json;
    const struct sms_provider *p = sms_provider_find(type);
    if (!p || (j && !json_is_object(j)))
        return SB_EINVAL;
    /* The type's own name for the account id. */
    out->account_id = p == &sms_twilio  ? str(j, "account_sid")
                      : p == &sms_plivo ? str(j, "auth_id")
                                        : str(j, "account_id");
    out->auth_token = str(j, "auth_token");
    out->username = str(j, "username");
    out->password = str(j, "password");
    out->api_key = str(j, "api_key");
    out->public_key = str(j, "public_key");
    out->base_url = str(j, "base_url");
    out->application_id = str(j, "application_id");
    out->sender = str(j, "sender");
    out->method = str(j, "method");
    out->delivery_report = json_is_true(json_object_get(j, "delivery_report"));
    out->phone = phone && *phone ? phone : NULL;
    if (p == &sms_bandwidth) {
        out->webhook_user = out->username;
        out->webhook_password = out->password;
    } else if (!strcmp(p->auth_scheme, "token") || !strcmp(p->auth_scheme, "basic-or-token")) {
        out->webhook_token = proxy_token;
    }
    json_t *opts = json_object_get(j, "options");
    if (json_is_object(opts)) {
        out->options_json = sms_json_dump(a, json_incref(opts), NULL);
        if (!out->options_json)
            return SB_ENOMEM;
    }
    return 0;
}
