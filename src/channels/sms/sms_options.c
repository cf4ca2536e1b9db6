/* sms_options.c — the account's provider options (credentials.options; docs/providers.md
 * "Custom formats"): which option applies to which type, and what each value may be. The
 * adapters read them at send and webhook time and re-check what matters for safety there
 * (the send URL's host against the allow-list and the address guard, the auth header). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#include "channels/sms/sms_types.h"
#include "core/err.h"

enum opt_kind {
    O_URL = 1, /* send URL template: "{base_url}…" or "https://…" */
    O_METHOD,  /* POST | PUT */
    O_AUTH,    /* bearer[:field] raw[:field] basic header:<Name>[:field] none */
    O_BODY,    /* json | form */
    O_NUMBER,  /* e164 | digits */
    O_FIELD,   /* a body field name, or "-" to leave the field out */
    O_PATH,    /* a dotted path into a JSON document / a form field name */
    O_MAP,     /* {"WORD": "delivered", …} */
    O_MG_SID,  /* Twilio Messaging Service SID: "MG" + 32 hex digits */
    O_PROFILE, /* Telnyx messaging profile id: 1–64 letters, digits or '-' */
    O_API,     /* Infobip: v2 | v3 */
};

/* Types by group: G = the generic [NF] adapters (send side), I = adapters whose webhook
 * field names are configurable. */
#define G "connectel csctelecom intelepeer"
#define I "skebby clicksend connectel csctelecom intelepeer"

static const struct {
    const char *name;
    enum opt_kind kind;
    const char *types; /* space-separated */
} opts[] = {
    {"send_url", O_URL, G},
    {"send_method", O_METHOD, G},
    {"auth", O_AUTH, G},
    {"body_format", O_BODY, G},
    {"field_to", O_FIELD, G},
    {"field_from", O_FIELD, G},
    {"field_text", O_FIELD, G},
    {"field_status_url", O_FIELD, G},
    {"field_reference", O_FIELD, G},
    {"field_media", O_FIELD, G},
    {"number_format", O_NUMBER, G},
    {"id_path", O_PATH, G},
    {"status_path", O_PATH, G},
    {"in_id", O_PATH, I},
    {"in_from", O_PATH, I},
    {"in_to", O_PATH, I},
    {"in_text", O_PATH, I},
    {"dlr_id", O_PATH, I},
    {"dlr_status", O_PATH, I},
    {"dlr_error", O_PATH, I},
    {"records_path", O_PATH, I},
    {"status_map", O_MAP, I},
    {"messaging_service_sid", O_MG_SID, "twilio"},
    {"messaging_profile_id", O_PROFILE, "telnyx"},
    {"api", O_API, "infobip"},
};

static bool applies(const char *types, const char *type)
{
    size_t n = strlen(type);
    for (const char *p = types; (p = strstr(p, type)); p += n)
        if ((p == types || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
            return true;
    return false;
}

static void add_error(json_t *errors, const char *key, const char *message)
{
    char field[128];
    if (key)
        snprintf(field, sizeof(field), "credentials.options.%.64s", key);
    else
        snprintf(field, sizeof(field), "credentials.options");
    json_array_append_new(errors, json_pack("{s:s, s:s}", "field", field, "message", message));
}

/* Letters, digits and `extra`, 1..max bytes. */
static bool word(const char *s, size_t max, const char *extra)
{
    size_t n = s ? strlen(s) : 0;
    if (!n || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr(extra, s[i]))
            return false;
    return true;
}

static bool secret_name(const char *s)
{
    return !strcmp(s, "api_key") || !strcmp(s, "auth_token") || !strcmp(s, "password");
}

static bool auth_valid(const char *s)
{
    if (!strcmp(s, "basic") || !strcmp(s, "none") || !strcmp(s, "bearer") || !strcmp(s, "raw"))
        return true;
    if (!strncmp(s, "bearer:", 7))
        return secret_name(s + 7);
    if (!strncmp(s, "raw:", 4))
        return secret_name(s + 4);
    if (strncmp(s, "header:", 7))
        return false;
    char name[64];
    const char *p = s + 7, *colon = strchr(p, ':');
    size_t n = colon ? (size_t)(colon - p) : strlen(p);
    if (!n || n >= sizeof(name))
        return false;
    memcpy(name, p, n);
    name[n] = '\0';
    /* Not a header that would change how the request is framed or routed. */
    static const char *const reserved[] = {
        "host", "content-length", "content-type", "transfer-encoding", "connection", "expect"};
    for (size_t i = 0; i < sizeof(reserved) / sizeof(*reserved); i++)
        if (!strcasecmp(name, reserved[i]))
            return false;
    return word(name, sizeof(name) - 1, "-_") && (!colon || secret_name(colon + 1));
}

/* A template: "{base_url}" + a path, or an absolute https URL; placeholders {account_id} and
 * {phone} anywhere; no spaces, control characters, backslashes or fragments. The host of an
 * absolute URL is checked against the allow-list when sending. */
static bool url_valid(const char *s)
{
    size_t n = strlen(s);
    if (n > 512 || (strncmp(s, "{base_url}", 10) && strncmp(s, "https://", 8)))
        return false;
    if (!strncmp(s, "https://", 8) && (!s[8] || s[8] == '/' || s[8] == '{'))
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c == 0x7f || c == '\\' || c == '#' || c >= 0x80)
            return false;
        if (c == '{' && strncmp(s + i, "{base_url}", 10) && strncmp(s + i, "{account_id}", 12) &&
            strncmp(s + i, "{phone}", 7))
            return false;
        if (c == '{' && !strncmp(s + i, "{base_url}", 10) && i)
            return false; /* only at the start */
    }
    return true;
}

static const char *check_value(enum opt_kind kind, const json_t *v)
{
    if (kind == O_MAP) {
        if (!json_is_object(v) || json_object_size(v) > 64)
            return "must be an object of at most 64 provider words and their states";
        const char *k;
        json_t *st;
        json_object_foreach((json_t *)v, k, st)
        {
            const char *s = json_string_value(st);
            if (!word(k, 64, "-_. ") || !s ||
                (strcmp(s, "queued") && strcmp(s, "sent") && strcmp(s, "delivered") &&
                 strcmp(s, "undelivered") && strcmp(s, "failed")))
                return "each word (1 to 64 letters, digits, '-', '_', '.' or spaces) must map to "
                       "queued, sent, delivered, undelivered or failed";
        }
        return NULL;
    }
    const char *s = json_string_value(v);
    if (!s)
        return "must be a string";
    switch (kind) {
    case O_URL:
        return url_valid(s) ? NULL
                            : "must be {base_url} followed by a path, or an https:// URL; "
                              "{account_id} and {phone} may appear; at most 512 characters";
    case O_METHOD:
        return !strcmp(s, "POST") || !strcmp(s, "PUT") ? NULL : "must be POST or PUT";
    case O_AUTH:
        return auth_valid(s) ? NULL
                             : "must be bearer[:field], raw[:field], basic, none or "
                               "header:<Name>[:field] with field api_key, auth_token or password";
    case O_BODY:
        return !strcmp(s, "json") || !strcmp(s, "form") ? NULL : "must be json or form";
    case O_NUMBER:
        return !strcmp(s, "e164") || !strcmp(s, "digits") ? NULL : "must be e164 or digits";
    case O_FIELD:
        return !strcmp(s, "-") || word(s, 64, "_-.") ? NULL
                                                     : "must be 1 to 64 letters, digits, '_', "
                                                       "'-' or '.', or - to leave it out";
    case O_PATH:
        return word(s, 128, "_-.") ? NULL
                                   : "must be a field name or a dotted path (1 to 128 letters, "
                                     "digits, '_', '-' or '.')";
    case O_MG_SID:
        return strlen(s) == 34 && !strncmp(s, "MG", 2) &&
                       strspn(s + 2, "0123456789abcdefABCDEF") == 32
                   ? NULL
                   : "must be \"MG\" followed by 32 hexadecimal digits";
    case O_PROFILE:
        return word(s, 64, "-") ? NULL : "must be 1 to 64 letters, digits or '-'";
    case O_API:
        return !strcmp(s, "v2") || !strcmp(s, "v3") ? NULL : "must be v2 or v3";
    default:
        return "is not supported";
    }
}

int sms_options_validate(const char *type, const json_t *given, json_t **clean, json_t *errors)
{
    *clean = NULL;
    if (!json_is_object(given)) {
        add_error(errors, NULL, "must be an object (docs/providers.md \"Custom formats\")");
        return SB_EINVALID;
    }
    size_t before = json_array_size(errors);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)given, k, v)
    {
        size_t i = 0;
        while (i < sizeof(opts) / sizeof(*opts) && strcmp(opts[i].name, k))
            i++;
        if (i == sizeof(opts) / sizeof(*opts)) {
            add_error(errors, k, "is not a provider option");
            continue;
        }
        if (!applies(opts[i].types, type)) {
            char m[96];
            snprintf(m, sizeof(m), "is not an option of the %s type", type);
            add_error(errors, k, m);
            continue;
        }
        const char *why = check_value(opts[i].kind, v);
        if (why)
            add_error(errors, k, why);
    }
    if (json_array_size(errors) == before) {
        char *text = json_dumps(given, JSON_COMPACT);
        bool big = !text || strlen(text) > SMS_OPTIONS_MAX;
        free(text);
        if (big)
            add_error(errors, NULL, "must be at most 4096 bytes of JSON");
    }
    if (json_array_size(errors) != before)
        return SB_EINVALID;
    *clean = json_deep_copy(given);
    return *clean ? 0 : SB_ENOMEM;
}
