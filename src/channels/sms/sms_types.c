#include "channels/sms/sms_types.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"

enum field_kind {
    F_TEXT = 1,    /* 1–256 characters, no control characters */
    F_SECRET,      /* the same, shown masked */
    F_BOOL,        /* true/false, default false */
    F_METHOD,      /* Skebby: basic, classic, classic_plus */
    F_SENDER,      /* a phone number or an alphanumeric sender of 1–11 characters */
    F_TWILIO_SID,  /* "AC" + 32 hex digits */
    F_PLIVO_ID,    /* 20 capital letters or digits */
    F_DIGITS,      /* 1–16 digits (Bandwidth account id) */
    F_APP_ID,      /* 1–64 letters, digits or '-' (Bandwidth application id) */
    F_URL,         /* an https base URL (CSCTelecom) */
    F_URL_INFOBIP, /* https://xxxxx.api.infobip.com or https://api.infobip.com */
    F_PUBKEY,      /* base64 of a 32-byte Ed25519 public key (Telnyx) */
};

struct cred_field {
    const char *name;
    enum field_kind kind;
    bool required;
};

struct sms_type {
    const char *name;
    enum sms_inbound_auth auth;
    bool needs_phone;
    struct cred_field fields[6];
};

static const struct sms_type types[SMS_TYPE_COUNT] = {
    {"twilio",
     SMS_AUTH_TWILIO,
     false,
     {{"account_sid", F_TWILIO_SID, true}, {"auth_token", F_SECRET, true}}},
    {"skebby",
     SMS_AUTH_TOKEN,
     false,
     {{"method", F_METHOD, true},
      {"username", F_TEXT, true},
      {"password", F_SECRET, true},
      {"sender", F_SENDER, false},
      {"delivery_report", F_BOOL, false}}},
    {"connectel",
     SMS_AUTH_TOKEN,
     false,
     {{"auth_token", F_SECRET, true},
      {"sender", F_SENDER, false},
      {"delivery_report", F_BOOL, false}}},
    {"clicksend",
     SMS_AUTH_TOKEN,
     false,
     {{"username", F_TEXT, true},
      {"password", F_SECRET, false},
      {"api_key", F_SECRET, false},
      {"sender", F_SENDER, false},
      {"delivery_report", F_BOOL, false}}},
    {"plivo",
     SMS_AUTH_PLIVO,
     false,
     {{"auth_id", F_PLIVO_ID, true}, {"auth_token", F_SECRET, true}, {"sender", F_SENDER, false}}},
    {"clickatell", SMS_AUTH_TOKEN, false, {{"api_key", F_SECRET, true}}},
    {"csctelecom", SMS_AUTH_TOKEN, false, {{"api_key", F_SECRET, true}, {"base_url", F_URL, true}}},
    {"infobip",
     SMS_AUTH_TOKEN,
     false,
     {{"username", F_TEXT, true}, {"password", F_SECRET, true}, {"base_url", F_URL_INFOBIP, true}}},
    {"intelepeer", SMS_AUTH_TOKEN, true, {{"api_key", F_SECRET, true}}},
    {"bandwidth",
     SMS_AUTH_BASIC,
     true,
     {{"account_id", F_DIGITS, true},
      {"username", F_TEXT, true},
      {"password", F_SECRET, true},
      {"application_id", F_APP_ID, true}}},
    {"telnyx",
     SMS_AUTH_TELNYX,
     false,
     {{"api_key", F_SECRET, true}, {"public_key", F_PUBKEY, true}}},
};

static const struct sms_type *find(const char *name)
{
    for (size_t i = 0; name && i < SMS_TYPE_COUNT; i++)
        if (!strcmp(types[i].name, name))
            return &types[i];
    return NULL;
}

const char *const *sms_type_names(size_t *n)
{
    static const char *const names[SMS_TYPE_COUNT] = {
        "twilio",     "skebby",  "connectel",  "clicksend", "plivo", "clickatell",
        "csctelecom", "infobip", "intelepeer", "bandwidth", "telnyx"};
    *n = SMS_TYPE_COUNT;
    return names;
}

bool sms_type_valid(const char *type)
{
    return find(type) != NULL;
}

enum sms_inbound_auth sms_type_inbound_auth(const char *type)
{
    const struct sms_type *t = find(type);
    return t ? t->auth : 0;
}

const char *sms_inbound_auth_name(enum sms_inbound_auth a)
{
    switch (a) {
    case SMS_AUTH_TOKEN:
        return "token";
    case SMS_AUTH_TWILIO:
        return "twilio_signature";
    case SMS_AUTH_PLIVO:
        return "plivo_signature";
    case SMS_AUTH_TELNYX:
        return "telnyx_signature";
    case SMS_AUTH_BASIC:
        return "basic";
    }
    return "";
}

bool sms_type_needs_phone(const char *type)
{
    const struct sms_type *t = find(type);
    return t && t->needs_phone;
}

bool sms_type_has_status_url(const char *type, const json_t *creds)
{
    if (!find(type))
        return false;
    bool report = json_is_true(json_object_get(creds, "delivery_report"));
    if (!strcmp(type, "skebby")) {
        const char *m = json_string_value(json_object_get(creds, "method"));
        return report && m && !strcmp(m, "classic_plus");
    }
    if (!strcmp(type, "connectel") || !strcmp(type, "clicksend"))
        return report;
    return true;
}

static bool all_chars(const char *s, size_t from, const char *extra)
{
    for (size_t i = from; s[i]; i++)
        if (!isalnum((unsigned char)s[i]) && !(extra && strchr(extra, s[i])))
            return false;
    return true;
}

bool sms_phone_valid(const char *p)
{
    if (!p)
        return false;
    size_t n = strlen(p);
    const char *dash = strchr(p, '-');
    if (dash) {
        size_t cc = (size_t)(dash - p), code = n - cc - 1;
        if (cc < 1 || cc > 4 || code < 1 || code > 15)
            return false;
        for (size_t i = 0; i < cc; i++)
            if (!isdigit((unsigned char)p[i]))
                return false;
        return all_chars(dash + 1, 0, NULL);
    }
    const char *d = p[0] == '+' ? p + 1 : p;
    size_t digits = strlen(d);
    if (digits < 3 || digits > 15 || d[0] == '0')
        return false;
    for (size_t i = 0; i < digits; i++)
        if (!isdigit((unsigned char)d[i]))
            return false;
    return true;
}

bool sms_phone_e164(const char *in, char out[SMS_E164_MAX])
{
    if (!in)
        return false;
    size_t n = 0, digits = 0;
    const char *p = in;
    while (*p == ' ')
        p++;
    if (p[0] == '+')
        p++;
    else if (p[0] == '0' && p[1] == '0')
        p += 2;
    else
        return false;
    out[n++] = '+';
    for (; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')')
            continue; /* how people write numbers: "+39 (06) 123-45.67" */
        if (!isdigit(c) || digits == 15 || (digits == 0 && c == '0'))
            return false;
        out[n++] = (char)c;
        digits++;
    }
    out[n] = '\0';
    return digits >= 7;
}

void sms_mask(const char *secret, char out[SMS_MASK_MAX])
{
    size_t n = secret ? strlen(secret) : 0;
    if (n >= SMS_MASK_SHOW_FROM)
        snprintf(out, SMS_MASK_MAX, "****%s", secret + n - 4);
    else
        snprintf(out, SMS_MASK_MAX, "****");
}

static bool plain_text(const char *s, size_t min, size_t max)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return false;
        if ((*p & 0xc0) != 0x80)
            n++; /* count characters, not bytes */
    }
    return n >= min && n <= max;
}

/* Splits an https:// URL: the host (lowercased into host[], at most 253 characters), whether a
 * path follows. Refuses user info, a port other than 443, a query, a fragment, spaces and
 * control characters, IP literals and hosts without a dot. */
static bool https_parts(const char *url, char host[256], const char **path)
{
    if (!url || strncmp(url, "https://", 8) || strlen(url) > 255)
        return false;
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p <= ' ' || *p == 0x7f || *p == '#' || *p == '?' || *p == '\\')
            return false;
    const char *a = url + 8;
    size_t alen = strcspn(a, "/");
    *path = a + alen;
    const char *colon = memchr(a, ':', alen);
    if (memchr(a, '@', alen))
        return false;
    size_t hlen = colon ? (size_t)(colon - a) : alen;
    if (colon && (alen - hlen - 1 != 3 || strncmp(colon + 1, "443", 3)))
        return false;
    if (hlen < 3 || hlen > 253)
        return false;
    bool all_digits = true, dot = false;
    for (size_t i = 0; i < hlen; i++) {
        char c = (char)tolower((unsigned char)a[i]);
        if (!isalnum((unsigned char)c) && c != '.' && c != '-')
            return false;
        if (isalpha((unsigned char)c))
            all_digits = false;
        dot = dot || c == '.';
        host[i] = c;
    }
    host[hlen] = 0;
    if (all_digits || !dot || host[0] == '.' || host[0] == '-' || host[hlen - 1] == '.' ||
        host[hlen - 1] == '-' || strstr(host, ".."))
        return false;
    if (!strcmp(host, "localhost") || (hlen > 10 && !strcmp(host + hlen - 10, ".localhost")))
        return false;
    return true;
}

bool sms_https_url_valid(const char *url)
{
    char host[256];
    const char *path;
    return https_parts(url, host, &path);
}

/* The normalized base URL of `url` into out (no trailing slash), or false. */
static bool normalize_base(const char *url, bool infobip, char out[300])
{
    char host[256];
    const char *path;
    if (!https_parts(url, host, &path))
        return false;
    if (infobip) {
        size_t n = strlen(host);
        const char *suffix = ".api.infobip.com";
        size_t sl = strlen(suffix);
        bool sub = n > sl && !strcmp(host + n - sl, suffix);
        if (sub) {
            for (size_t i = 0; i < n - sl; i++)
                if (!isalnum((unsigned char)host[i]))
                    return false;
        } else if (strcmp(host, "api.infobip.com")) {
            return false;
        }
        if (*path && strcmp(path, "/"))
            return false;
        snprintf(out, 300, "https://%s", host);
        return true;
    }
    size_t pl = strlen(path);
    while (pl && path[pl - 1] == '/')
        pl--;
    snprintf(out, 300, "https://%s%.*s", host, (int)pl, path);
    return true;
}

static void add_error(json_t *errors, const char *name, const char *message)
{
    char field[96];
    snprintf(field, sizeof(field), "credentials.%s", name);
    json_array_append_new(errors, json_pack("{s:s, s:s}", "field", field, "message", message));
}

static bool sender_valid(const char *s)
{
    if (sms_phone_valid(s) && !strchr(s, '-'))
        return true;
    size_t n = strlen(s);
    return n >= 1 && n <= 11 && s[0] != ' ' && all_chars(s, 0, " ");
}

/* Checks one present, non-null value; on success stores the clean value under f->name. */
static void check_field(const struct cred_field *f, json_t *v, json_t *clean, json_t *errors)
{
    const char *s = json_string_value(v);
    if (f->kind == F_BOOL) {
        if (!json_is_boolean(v))
            add_error(errors, f->name, "must be true or false");
        else
            json_object_set(clean, f->name, v);
        return;
    }
    if (!s) {
        add_error(errors, f->name, "must be a string");
        return;
    }
    if (!plain_text(s, 1, SMS_CRED_TEXT_MAX)) {
        add_error(errors, f->name, "must be 1 to 256 characters without control characters");
        return;
    }
    size_t n = strlen(s);
    char norm[300];
    unsigned char key[64];
    size_t key_len = 0;
    switch (f->kind) {
    case F_METHOD:
        if (strcmp(s, "basic") && strcmp(s, "classic") && strcmp(s, "classic_plus")) {
            add_error(errors, f->name, "must be basic, classic or classic_plus");
            return;
        }
        break;
    case F_SENDER:
        if (!sender_valid(s)) {
            add_error(errors, f->name,
                      "must be a phone number or 1 to 11 letters, digits or spaces");
            return;
        }
        break;
    case F_TWILIO_SID:
        if (n != 34 || strncmp(s, "AC", 2) || strspn(s + 2, "0123456789abcdefABCDEF") != 32) {
            add_error(errors, f->name, "must be \"AC\" followed by 32 hexadecimal digits");
            return;
        }
        break;
    case F_PLIVO_ID:
        if (n != 20 || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != 20) {
            add_error(errors, f->name, "must be 20 capital letters or digits");
            return;
        }
        break;
    case F_DIGITS:
        if (n > 16 || strspn(s, "0123456789") != n) {
            add_error(errors, f->name, "must be 1 to 16 digits");
            return;
        }
        break;
    case F_APP_ID:
        if (n > 64 || !all_chars(s, 0, "-")) {
            add_error(errors, f->name, "must be 1 to 64 letters, digits or '-'");
            return;
        }
        break;
    case F_URL:
    case F_URL_INFOBIP:
        if (!normalize_base(s, f->kind == F_URL_INFOBIP, norm)) {
            add_error(errors, f->name,
                      f->kind == F_URL_INFOBIP
                          ? "must be https://<your id>.api.infobip.com (or https://api.infobip.com)"
                          : "must be an https:// URL on a host name (port 443, no user, query "
                            "or fragment)");
            return;
        }
        json_object_set_new(clean, f->name, json_string(norm));
        return;
    case F_PUBKEY:
        if (sodium_base642bin(key, sizeof(key), s, n, NULL, &key_len, NULL,
                              sodium_base64_VARIANT_ORIGINAL) ||
            key_len != 32) {
            add_error(errors, f->name, "must be the base64 of a 32-byte Ed25519 public key");
            return;
        }
        break;
    default:
        break;
    }
    json_object_set(clean, f->name, v);
}

int sms_credentials_validate(const char *type, const json_t *given, const json_t *current,
                             json_t **clean, json_t *errors)
{
    *clean = NULL;
    const struct sms_type *t = find(type);
    if (!t)
        return SB_EINVALID; /* the caller names "type" */
    json_t *out = json_object();
    if (!out)
        return SB_ENOMEM;
    size_t before = json_array_size(errors);
    if (given && !json_is_object(given)) {
        json_array_append_new(errors, json_pack("{s:s, s:s}", "field", "credentials", "message",
                                                "must be an object of the type's fields"));
        json_decref(out);
        return SB_EINVALID;
    }
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)given, k, v)
    {
        bool known = !strcmp(k, "options"); /* checked by sms_options_validate */
        for (size_t i = 0; i < 6 && t->fields[i].name; i++)
            known = known || !strcmp(k, t->fields[i].name);
        if (!known) {
            char m[80];
            snprintf(m, sizeof(m), "is not a credential of the %s type", t->name);
            add_error(errors, k, m);
        }
    }
    for (size_t i = 0; i < 6 && t->fields[i].name; i++) {
        const struct cred_field *f = &t->fields[i];
        json_t *g = json_object_get(given, f->name), *cur = json_object_get(current, f->name);
        if (f->kind == F_SECRET && json_is_string(g) && json_is_string(cur)) {
            char mask[SMS_MASK_MAX];
            sms_mask(json_string_value(cur), mask);
            if (!strcmp(mask, json_string_value(g)))
                g = cur; /* the masked value sent back: unchanged */
        }
        json_t *use = g ? g : cur;
        if (!use || json_is_null(use)) {
            if (f->required)
                add_error(errors, f->name, "is required");
            else
                json_object_set_new(out, f->name, f->kind == F_BOOL ? json_false() : json_null());
            continue;
        }
        check_field(f, use, out, errors);
    }
    /* Provider options: absent keeps the current ones, null removes them, an object replaces
     * them whole. */
    json_t *og = json_object_get(given, "options"), *oc = json_object_get(current, "options");
    json_t *ouse = og ? og : oc;
    if (ouse && !json_is_null(ouse)) {
        json_t *oclean = NULL;
        if (!sms_options_validate(t->name, ouse, &oclean, errors))
            json_object_set_new(out, "options", oclean);
    }
    if (json_array_size(errors) == before) {
        if (!strcmp(t->name, "skebby")) {
            const char *m = json_string_value(json_object_get(out, "method"));
            if (!strcmp(m, "basic") && !json_is_null(json_object_get(out, "sender")))
                add_error(errors, "sender", "is only for the classic and classic_plus methods");
            if (strcmp(m, "classic_plus") && json_is_true(json_object_get(out, "delivery_report")))
                add_error(errors, "delivery_report", "is only for the classic_plus method");
        } else if (!strcmp(t->name, "clicksend")) {
            if (json_is_null(json_object_get(out, "password")) &&
                json_is_null(json_object_get(out, "api_key")))
                add_error(errors, "password", "give the password or the api_key");
        }
    }
    if (json_array_size(errors) != before) {
        json_decref(out);
        return SB_EINVALID;
    }
    *clean = out;
    return 0;
}

json_t *sms_credentials_public(const char *type, const json_t *creds)
{
    const struct sms_type *t = find(type);
    json_t *out = json_object();
    for (size_t i = 0; out && t && i < 6 && t->fields[i].name; i++) {
        const struct cred_field *f = &t->fields[i];
        json_t *v = json_object_get(creds, f->name);
        if (f->kind == F_SECRET && json_is_string(v)) {
            char mask[SMS_MASK_MAX];
            sms_mask(json_string_value(v), mask);
            json_object_set_new(out, f->name, json_string(mask));
        } else {
            json_object_set_new(out, f->name, v ? json_incref(v) : json_null());
        }
    }
    json_t *o = json_object_get(creds, "options");
    if (out && json_is_object(o)) /* not secret: formats and field names */
        json_object_set_new(out, "options", json_deep_copy(o));
    return out;
}
