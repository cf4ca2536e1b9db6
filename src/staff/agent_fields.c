/* agent_fields.c — one table of agent settings fields (docs/staff-fields.md §1.1, 1.2, 1.4–1.11)
 * and the cross-field rules of §2.
 *
 * Every field is a row of `fields[]`: JSON name, type, default (JSON text, with an optional
 * per-typology override), range or length cap, enum choices, the typologies whose tab it
 * belongs to, nullability and an optional format check. Defaults are parsed from the JSON text
 * on each call, so the table is the only place a default is written. Values of every field are
 * checked whatever the typology (type, range, choices, format); the cross-field rules only look
 * at the current typology (§2 rule 2, PROPOSED). */
#include "staff/agent_fields.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

enum af_typology { AT_PHONEBAR, AT_EXTERNAL, AT_WEBRTC, AT_MOBILE, AT_COUNT_ };

#define T_PB  (1u << AT_PHONEBAR)
#define T_EXT (1u << AT_EXTERNAL)
#define T_WR  (1u << AT_WEBRTC)
#define T_MOB (1u << AT_MOBILE)
#define T_ALL (T_PB | T_EXT | T_WR | T_MOB)

static const char *const typology_names[AT_COUNT_] = {"phonebar", "external", "webrtc", "mobile"};

enum af_type {
    AF_BOOL,
    AF_INT,
    AF_STRING,
    AF_ENUM,
    AF_ENUM_LIST, /* array of distinct values of `choices` */
    AF_BOOL_MAP   /* object {key of `choices`: boolean}; a patch merges keys */
};

/* A format check for a string value: NULL when fine, else the error message. */
typedef const char *(*af_check_fn)(const char *s);

struct agent_field {
    const char *name;
    const char *label;   /* English label of the console form */
    const char *section; /* the tab of the agent editor (agent_fields_describe) */
    enum af_type type;
    unsigned applies;                  /* typology mask (documentation + rule 2) */
    bool nullable;                     /* JSON null accepted */
    bool nonempty;                     /* AF_ENUM_LIST: at least one value */
    const char *def;                   /* JSON text */
    const char *def_by_typ[AT_COUNT_]; /* per-typology override of `def`, NULL = `def` */
    json_int_t min, max;               /* AF_INT range; AF_STRING: max = length cap */
    const char *choices;               /* "a|b|c" for enums, lists and map keys */
    af_check_fn check;                 /* AF_STRING extra format */
};

#define PORT_MAX  65535
#define DELAY_MAX 3600
#define CAP_MAX   1000

static const char *check_host(const char *s);
static const char *check_context(const char *s);
static const char *check_group(const char *s);
static const char *check_dialable(const char *s);
static const char *check_host_port(const char *s);

/* Rows of the table below take their section from SEC, redefined before each block. */
#define BOOL_F(n, l, app, d)                                                                       \
    {                                                                                              \
        .name = (n), .label = (l), .section = SEC, .type = AF_BOOL, .applies = (app), .def = (d)   \
    }
#define INT_F(n, l, app, d, lo, hi)                                                                \
    {                                                                                              \
        .name = (n), .label = (l), .section = SEC, .type = AF_INT, .applies = (app), .def = (d),   \
        .min = (lo), .max = (hi)                                                                   \
    }
#define CAPACITY_F(n, l) INT_F(n, l, T_ALL, "0", 0, CAP_MAX)

/* Module keys of module_permissions: the seed names only `voice` (Q22); the rest is PROPOSED. */
#define MODULE_KEYS "voice|chat|mail|sms|openchannel|fax|whatsapp|contacts"

static const struct agent_field fields[] = {
#define SEC "personal"
    /* 1.1 Personal info (non-identity) */
    BOOL_F("voicemail", "Voicemail", T_ALL, "false"),
    BOOL_F("remote_control", "Remote control", T_PB, "false"),
    BOOL_F("hotdesk", "Hot desk", T_EXT, "false"),
    BOOL_F("login_in_pause", "Login in pause", T_ALL, "false"),
    {.name = "notification_position",
     .label = "Toast notification position",
     .section = SEC,
     .type = AF_ENUM,
     .applies = T_ALL,
     .def = "\"top-right\"",
     .choices = "top-left|top-center|top-right|bottom-left|bottom-center|bottom-right"},
#undef SEC
#define SEC "security"
    /* 1.2 Security suite (non-identity) */
    BOOL_F("mask_sensitive_data", "Mask sensitive data", T_ALL, "false"),
#undef SEC
#define SEC "voice"
    /* 1.4 Voice */
    {.name = "transport",
     .label = "Transport (in order of preference)",
     .section = SEC,
     .type = AF_ENUM_LIST,
     .applies = T_ALL,
     .nonempty = true,
     .def = "[\"udp\",\"tcp\"]",
     .def_by_typ = {[AT_WEBRTC] = "[\"wss\"]"},
     .choices = "udp|tcp|tls|ws|wss"},
    {.name = "host",
     .label = "Host",
     .section = SEC,
     .type = AF_STRING,
     .applies = T_ALL,
     .def = "\"dynamic\"",
     .max = 64,
     .check = check_host},
    {.name = "nat",
     .label = "NAT",
     .section = SEC,
     .type = AF_ENUM,
     .applies = T_ALL,
     .def = "\"force_rport\"",
     .choices = "yes|no|force_rport|comedia|never|route"},
    {.name = "type",
     .label = "Type",
     .section = SEC,
     .type = AF_ENUM,
     .applies = T_ALL,
     .def = "\"friend\"",
     .choices = "friend|user|peer"},
    {.name = "codecs",
     .label = "Allowed codecs",
     .section = SEC,
     .type = AF_ENUM_LIST,
     .applies = T_ALL,
     .nonempty = true,
     .def = "[\"ulaw\",\"alaw\"]",
     .def_by_typ = {[AT_WEBRTC] = "[\"opus\",\"ulaw\",\"alaw\"]"},
     .choices = "ulaw|alaw|gsm|g722|g729|opus"},
    {.name = "caller_id",
     .label = "Caller ID",
     .section = SEC,
     .type = AF_STRING,
     .applies = T_ALL,
     .nullable = true,
     .def = "null",
     .max = 128},
    {.name = "context",
     .label = "Context",
     .section = SEC,
     .type = AF_STRING,
     .applies = T_ALL,
     .def = "\"from-sip\"",
     .max = 80,
     .check = check_context},
    {.name = "call_group",
     .label = "Call group",
     .section = SEC,
     .type = AF_STRING,
     .applies = T_ALL,
     .nullable = true,
     .def = "null",
     .max = 255,
     .check = check_group},
    {.name = "pickup_group",
     .label = "Pickup group",
     .section = SEC,
     .type = AF_STRING,
     .applies = T_ALL,
     .nullable = true,
     .def = "null",
     .max = 255,
     .check = check_group},
    BOOL_F("chanspy", "ChanSpy", T_ALL, "false"),
    BOOL_F("video_support", "Video support", T_ALL, "false"),
    {.name = "record_calls",
     .label = "Record calls",
     .section = SEC,
     .type = AF_ENUM,
     .applies = T_ALL,
     .def = "\"inactive\"",
     .choices = "inactive|wav|wav49|gsm"},
    {.name = "encryption",
     .label = "SRTP encryption",
     .section = SEC,
     .type = AF_BOOL,
     .applies = T_ALL,
     .def = "false",
     .def_by_typ = {[AT_WEBRTC] = "true"}},
#undef SEC
#define SEC "other_channels"
    /* 1.5 Capacities (0 = unlimited) */
    CAPACITY_F("chat_capacity", "Chat capacity"),
    CAPACITY_F("mail_capacity", "E-mail capacity"),
    CAPACITY_F("sms_capacity", "SMS capacity"),
    CAPACITY_F("openchannel_capacity", "Open Channel capacity"),
    CAPACITY_F("fax_capacity", "Fax capacity"),
    CAPACITY_F("whatsapp_capacity", "WhatsApp capacity"),
    /* 1.6 Auto answer and advanced search */
    BOOL_F("chat_auto_answer", "Chat auto answer", T_ALL, "false"),
    BOOL_F("mail_auto_answer", "E-mail auto answer", T_ALL, "false"),
    BOOL_F("sms_auto_answer", "SMS auto answer", T_ALL, "false"),
    BOOL_F("openchannel_auto_answer", "Open Channel auto answer", T_ALL, "false"),
    BOOL_F("fax_auto_answer", "Fax auto answer", T_ALL, "false"),
    BOOL_F("whatsapp_auto_answer", "WhatsApp auto answer", T_ALL, "false"),
    INT_F("channel_auto_answer_delay", "Auto answer delay (seconds)", T_ALL, "0", 0, DELAY_MAX),
    BOOL_F("advanced_search", "Advanced search", T_ALL, "false"),
#undef SEC
#define SEC "phonebar"
    /* 1.7 Phonebar (remote_control is in 1.1) */
    BOOL_F("phonebar_enable_settings", "Enable settings", T_PB, "false"),
    BOOL_F("phonebar_auto_answer", "Auto answer", T_PB, "false"),
    INT_F("phonebar_auto_answer_delay", "Auto answer delay (seconds)", T_PB, "0", 0, DELAY_MAX),
    BOOL_F("phonebar_ring_in_use", "Ring in use", T_PB, "false"),
    INT_F("phonebar_remote_control_port", "Remote control port", T_PB, "9888", 1, PORT_MAX),
    BOOL_F("phonebar_enable_recording", "Enable recording", T_PB, "false"),
    BOOL_F("phonebar_dtmf_tones", "DTMF tones", T_PB, "false"),
    BOOL_F("phonebar_dnd_on_pause", "Do not disturb during pause", T_PB, "true"),
    BOOL_F("phonebar_unanswered_call_badge", "Unanswered call badge", T_PB, "false"),
    BOOL_F("phonebar_jaws_integration", "Jaws integration", T_PB, "false"),
    BOOL_F("phonebar_screen_recording_by_agent", "Screen recording by agent", T_PB, "false"),
    BOOL_F("phonebar_automatic_screen_recording", "Automatic screen recording", T_PB, "false"),
    INT_F("phonebar_sip_expires", "SIP expires (seconds)", T_PB, "3600", 60, 86400),
    INT_F("phonebar_sip_source_port", "SIP source port", T_PB, "5160", 1, PORT_MAX),
    /* Nullable in the type check so other typologies may store null; rule 12 refuses null for
     * phonebar agents. */
    {.name = "phonebar_sip_destination_port",
     .label = "SIP destination port",
     .section = SEC,
     .type = AF_INT,
     .applies = T_PB,
     .nullable = true,
     .def = "5060",
     .min = 1,
     .max = PORT_MAX},
    BOOL_F("phonebar_call_forwarding_unconditional", "Unconditional call forwarding", T_PB,
           "false"),
    {.name = "phonebar_call_forwarding_number",
     .label = "Call forwarding number",
     .section = SEC,
     .type = AF_STRING,
     .applies = T_PB,
     .nullable = true,
     .def = "null",
     .max = 32,
     .check = check_dialable},
#undef SEC
#define SEC "webrtc"
    /* 1.8 WebRTC (wss_port is read-only server configuration, not stored) */
    BOOL_F("webrtc_enable_settings", "Enable settings", T_WR, "false"),
    BOOL_F("webrtc_auto_answer", "Auto answer", T_WR, "false"),
    INT_F("webrtc_auto_answer_delay", "Auto answer delay (seconds)", T_WR, "0", 0, DELAY_MAX),
    BOOL_F("webrtc_auto_answer_notification", "Auto answer notification", T_WR, "false"),
    BOOL_F("webrtc_enable_recording", "Enable recording", T_WR, "false"),
    BOOL_F("webrtc_dtmf_tones", "DTMF tones", T_WR, "false"),
    BOOL_F("webrtc_dnd_on_pause", "Do not disturb during pause", T_WR, "true"),
    BOOL_F("webrtc_ignore_break_for_preview", "Ignore break status for preview calls", T_WR,
           "false"),
    BOOL_F("webrtc_ring_in_use", "Ring in use", T_WR, "false"),
    INT_F("webrtc_sip_expires", "SIP expires (seconds)", T_WR, "3600", 60, 86400),
#undef SEC
#define SEC "mobile"
    /* 1.9 Mobile */
    {.name = "mobile_push_gateway",
     .label = "Mobile app push gateway (host:port)",
     .section = SEC,
     .type = AF_STRING,
     .applies = T_MOB,
     .nullable = true,
     .def = "null",
     .max = 261, /* 255-byte DNS name + ":65535" */
     .check = check_host_port},
#undef SEC
#define SEC "permissions"
    /* 1.10 Permissions */
    BOOL_F("perm_internal_messenger", "Internal messenger", T_ALL, "true"),
    BOOL_F("perm_messenger_sound", "Messenger sound", T_ALL, "true"),
    BOOL_F("perm_prefix_required", "Prefix required", T_ALL, "false"),
    BOOL_F("perm_select_recall_me_campaign", "Select recall-me campaign", T_ALL, "false"),
    BOOL_F("perm_reschedule_hopper_calls", "Reschedule hopper calls", T_ALL, "false"),
    BOOL_F("perm_download_attachments", "Download attachments", T_ALL, "true"),
    BOOL_F("perm_download_interactions", "Download omnichannel interactions", T_ALL, "true"),
    BOOL_F("perm_download_voice_recordings", "Download voice recordings", T_ALL, "true"),
    {.name = "module_permissions",
     .label = "Modules",
     .section = SEC,
     .type = AF_BOOL_MAP,
     .applies = T_ALL,
     .def = "{\"voice\":true,\"chat\":true,\"mail\":true,\"sms\":true,\"openchannel\":true,"
            "\"fax\":true,\"whatsapp\":true,\"contacts\":true}",
     .choices = MODULE_KEYS},
#undef SEC
#define SEC "client_logs"
    /* 1.11 Client logs */
    BOOL_F("client_logs_enabled", "Send client logs", T_ALL, "false"),
    {.name = "client_log_level",
     .label = "Minimum log level",
     .section = SEC,
     .type = AF_ENUM,
     .applies = T_ALL,
     .def = "\"error\"",
     .choices = "error|warning|info|debug"},
};
#undef SEC

#define N_FIELDS (sizeof fields / sizeof fields[0])

/* Read-only fields of the spec that a patch may not carry (§2 rule 9; the spec proposes to
 * ignore them silently, the API contract here rejects them so a client learns it early). */
static const char *const read_only_fields[] = {"wss_port", "last_password_reset_at"};

static const char *field_names[N_FIELDS];
static pthread_once_t field_names_once = PTHREAD_ONCE_INIT;

static void field_names_init(void)
{
    for (size_t i = 0; i < N_FIELDS; i++)
        field_names[i] = fields[i].name;
}

/* ---- small helpers ---------------------------------------------------------------------- */

static int typology_index(const char *typology)
{
    if (!typology)
        return -1;
    for (int i = 0; i < AT_COUNT_; i++)
        if (strcmp(typology, typology_names[i]) == 0)
            return i;
    return -1;
}

/* True when `value` is one of the '|'-separated `choices`. */
static bool choice_has(const char *choices, const char *value)
{
    size_t n = strlen(value);
    const char *p = choices;
    for (;;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && memcmp(p, value, n) == 0)
            return true;
        if (!bar)
            return false;
        p = bar + 1;
    }
}

static const struct agent_field *field_find(const char *name)
{
    for (size_t i = 0; i < N_FIELDS; i++)
        if (strcmp(fields[i].name, name) == 0)
            return &fields[i];
    return NULL;
}

static bool has_control_char(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return true;
    return false;
}

static const char *check_host(const char *s)
{
    unsigned char buf[sizeof(struct in6_addr)];
    if (strcmp(s, "dynamic") == 0 || inet_pton(AF_INET, s, buf) == 1 ||
        inet_pton(AF_INET6, s, buf) == 1)
        return NULL;
    return "must be \"dynamic\" or an IP address";
}

static const char *check_context(const char *s)
{
    for (const char *p = s; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-'))
            return "may only contain letters, digits, '_' and '-'";
    return NULL;
}

/* Parses a decimal 0–63 at *p, advancing it; -1 when there is none. */
static int group_number(const char **p)
{
    int v = 0, digits = 0;
    while (**p >= '0' && **p <= '9' && digits < 3) {
        v = v * 10 + (**p - '0');
        (*p)++;
        digits++;
    }
    if (digits == 0 || (**p >= '0' && **p <= '9') || v > 63)
        return -1;
    return v;
}

/* Asterisk group syntax (PROPOSED, Q12): comma list of 0–63 or ranges a-b with a <= b. */
static const char *check_group(const char *s)
{
    static const char msg[] = "must be a comma-separated list of numbers 0-63 or ranges like 1-5";
    const char *p = s;
    for (;;) {
        int lo = group_number(&p);
        if (lo < 0)
            return msg;
        if (*p == '-') {
            p++;
            int hi = group_number(&p);
            if (hi < lo)
                return msg;
        }
        if (*p == '\0')
            return NULL;
        if (*p != ',')
            return msg;
        p++;
    }
}

static const char *check_dialable(const char *s)
{
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || *p == '+' || *p == '*' || *p == '#'))
            return "may only contain digits, '+', '*' and '#'";
    return NULL;
}

/* host:port with host an IPv4 address or DNS name, or [IPv6]; port 1–65535. */
static const char *check_host_port(const char *s)
{
    static const char msg[] = "must be host:port (IP address or DNS name, port 1-65535)";
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s || colon[1] == '\0')
        return msg;
    long port = 0;
    for (const char *p = colon + 1; *p; p++) {
        if (*p < '0' || *p > '9' || port > PORT_MAX)
            return msg;
        port = port * 10 + (*p - '0');
    }
    if (port < 1 || port > PORT_MAX)
        return msg;
    size_t hlen = (size_t)(colon - s);
    char host[256];
    if (s[0] == '[') {
        unsigned char buf[sizeof(struct in6_addr)];
        if (hlen < 3 || s[hlen - 1] != ']' || hlen - 2 >= sizeof host)
            return msg;
        memcpy(host, s + 1, hlen - 2);
        host[hlen - 2] = '\0';
        return inet_pton(AF_INET6, host, buf) == 1 ? NULL : msg;
    }
    if (hlen > 253)
        return msg;
    /* DNS name (an IPv4 literal is a special case of it): labels of 1–63 letters, digits or
     * '-', not starting or ending with '-'. */
    size_t label = 0;
    for (size_t i = 0; i <= hlen; i++) {
        char c = i < hlen ? s[i] : '.';
        if (c == '.') {
            if (label == 0 || s[i - 1] == '-')
                return msg;
            label = 0;
        } else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                   c == '-') {
            if ((label == 0 && c == '-') || ++label > 63)
                return msg;
        } else {
            return msg;
        }
    }
    return NULL;
}

/* Appends {field, message} to `errors`; message is printf-formatted. 0 or SB_ENOMEM. */
__attribute__((format(printf, 3, 4))) static int add_error(json_t *errors, const char *field,
                                                           const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *e = json_pack("{s:s, s:s}", "field", field, "message", msg);
    if (!e || json_array_append_new(errors, e) != 0)
        return SB_ENOMEM;
    return 0;
}

/* "a|b|c" -> "a, b, c" into buf. */
static const char *choices_human(const char *choices, char *buf, size_t size)
{
    size_t j = 0;
    for (const char *p = choices; *p && j + 3 < size; p++) {
        if (*p == '|') {
            buf[j++] = ',';
            buf[j++] = ' ';
        } else {
            buf[j++] = *p;
        }
    }
    buf[j] = '\0';
    return buf;
}

/* Checks one value against its field definition. Appends at most one error; returns 1 when the
 * value is bad, 0 when good, SB_ENOMEM. */
static int field_check(const struct agent_field *f, const json_t *v, json_t *errors)
{
    char human[256];
    int rc;

    if (json_is_null(v)) {
        if (f->nullable)
            return 0;
        rc = add_error(errors, f->name, "must not be null");
        return rc ? rc : 1;
    }
    switch (f->type) {
    case AF_BOOL:
        if (json_is_boolean(v))
            return 0;
        rc = add_error(errors, f->name, "must be true or false");
        break;
    case AF_INT:
        if (json_is_integer(v) && json_integer_value(v) >= f->min &&
            json_integer_value(v) <= f->max)
            return 0;
        rc = add_error(errors, f->name,
                       "must be an integer from %" JSON_INTEGER_FORMAT " to %" JSON_INTEGER_FORMAT,
                       f->min, f->max);
        break;
    case AF_STRING: {
        const char *s = json_string_value(v);
        const char *why = NULL;
        if (!s)
            rc = add_error(errors, f->name, "must be a string");
        else if (json_string_length(v) == 0)
            rc = add_error(errors, f->name, "must not be empty (use null for none)");
        else if ((json_int_t)json_string_length(v) > f->max)
            rc = add_error(errors, f->name, "must be at most %" JSON_INTEGER_FORMAT " characters",
                           f->max);
        else if (strlen(s) != json_string_length(v) || has_control_char(s))
            rc = add_error(errors, f->name, "must not contain control characters");
        else if (f->check && (why = f->check(s)) != NULL)
            rc = add_error(errors, f->name, "%s", why);
        else
            return 0;
        break;
    }
    case AF_ENUM:
        if (json_is_string(v) && choice_has(f->choices, json_string_value(v)))
            return 0;
        rc = add_error(errors, f->name, "must be one of %s",
                       choices_human(f->choices, human, sizeof human));
        break;
    case AF_ENUM_LIST: {
        size_t n = json_is_array(v) ? json_array_size(v) : 0;
        bool ok = json_is_array(v) && (!f->nonempty || n > 0);
        for (size_t i = 0; ok && i < n; i++) {
            const char *s = json_string_value(json_array_get(v, i));
            ok = s && choice_has(f->choices, s);
            for (size_t k = 0; ok && k < i; k++)
                ok = strcmp(s, json_string_value(json_array_get(v, k))) != 0;
        }
        if (ok)
            return 0;
        rc = add_error(errors, f->name, "must be a %slist of distinct values among %s",
                       f->nonempty ? "non-empty " : "",
                       choices_human(f->choices, human, sizeof human));
        break;
    }
    case AF_BOOL_MAP: {
        bool ok = json_is_object(v);
        const char *key;
        json_t *item;
        if (ok) {
            json_object_foreach((json_t *)v, key, item)
            {
                if (!choice_has(f->choices, key) || !json_is_boolean(item)) {
                    ok = false;
                    break;
                }
            }
        }
        if (ok)
            return 0;
        rc = add_error(errors, f->name, "must be an object mapping %s to true or false",
                       choices_human(f->choices, human, sizeof human));
        break;
    }
    default:
        rc = add_error(errors, f->name, "has an unsupported type");
        break;
    }
    return rc ? rc : 1;
}

/* The default of field `f` for typology index `t` (new reference or NULL on ENOMEM). */
static json_t *field_default(const struct agent_field *f, int t)
{
    const char *text = f->def_by_typ[t] ? f->def_by_typ[t] : f->def;
    return json_loads(text, JSON_DECODE_ANY, NULL);
}

/* ---- public API ------------------------------------------------------------------------- */

bool agent_typology_valid(const char *typology)
{
    return typology_index(typology) >= 0;
}

json_t *agent_settings_defaults(const char *typology)
{
    int t = typology_index(typology);
    if (t < 0)
        return NULL;
    json_t *obj = json_object();
    if (!obj)
        return NULL;
    for (size_t i = 0; i < N_FIELDS; i++) {
        json_t *v = field_default(&fields[i], t);
        if (!v || json_object_set_new(obj, fields[i].name, v) != 0) {
            json_decref(obj);
            return NULL;
        }
    }
    return obj;
}

/* The tabs of the agent editor, in the seed's order (§1), with their English labels. */
static const char *const section_ids[][2] = {
    {"personal", "Personal info"},
    {"security", "Security"},
    {"voice", "Voice"},
    {"other_channels", "Other channels"},
    {"phonebar", "Phonebar"},
    {"webrtc", "WebRTC"},
    {"mobile", "Mobile"},
    {"permissions", "Permissions"},
    {"client_logs", "Client logs"},
};

static const char *const type_names[] = {
    [AF_BOOL] = "boolean", [AF_INT] = "integer",         [AF_STRING] = "string",
    [AF_ENUM] = "enum",    [AF_ENUM_LIST] = "enum_list", [AF_BOOL_MAP] = "bool_map",
};

/* "a|b|c" -> ["a","b","c"] (new reference or NULL). */
static json_t *choices_array(const char *choices)
{
    json_t *a = json_array();
    const char *p = choices;
    while (a && p) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (json_array_append_new(a, json_stringn(p, len)) != 0) {
            json_decref(a);
            return NULL;
        }
        p = bar ? bar + 1 : NULL;
    }
    return a;
}

/* The description of one field (new reference or NULL on ENOMEM). */
static json_t *field_describe(const struct agent_field *f)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:o, s:o, s:[]}", "name", f->name, "label",
                          f->label, "section", f->section, "type", type_names[f->type], "nullable",
                          f->nullable, "default", field_default(f, AT_PHONEBAR), "defaults",
                          json_object(), "typologies");
    if (!o)
        return NULL;
    json_t *defs = json_object_get(o, "defaults"), *typs = json_object_get(o, "typologies");
    int bad = 0;
    for (int t = 0; t < AT_COUNT_; t++) {
        bad |= json_object_set_new(defs, typology_names[t], field_default(f, t));
        if (f->applies & (1u << t))
            bad |= json_array_append_new(typs, json_string(typology_names[t]));
    }
    if (f->type == AF_INT) {
        bad |= json_object_set_new(o, "min", json_integer(f->min));
        bad |= json_object_set_new(o, "max", json_integer(f->max));
    } else if (f->type == AF_STRING) {
        bad |= json_object_set_new(o, "max_length", json_integer(f->max));
    }
    if (f->choices)
        bad |= json_object_set_new(o, "choices", choices_array(f->choices));
    if (f->type == AF_ENUM_LIST)
        bad |= json_object_set_new(o, "nonempty", json_boolean(f->nonempty));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *agent_fields_describe(void)
{
    json_t *out =
        json_pack("{s:[ssss], s:[], s:[]}", "typologies", typology_names[0], typology_names[1],
                  typology_names[2], typology_names[3], "sections", "fields");
    if (!out)
        return NULL;
    json_t *secs = json_object_get(out, "sections"), *list = json_object_get(out, "fields");
    for (size_t i = 0; i < sizeof section_ids / sizeof section_ids[0]; i++) {
        if (json_array_append_new(secs, json_pack("{s:s, s:s}", "id", section_ids[i][0], "label",
                                                  section_ids[i][1])) != 0) {
            json_decref(out);
            return NULL;
        }
    }
    for (size_t i = 0; i < N_FIELDS; i++) {
        json_t *d = field_describe(&fields[i]);
        if (!d || json_array_append_new(list, d) != 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

int agent_settings_fields(const char *const **names)
{
    pthread_once(&field_names_once, field_names_init);
    *names = field_names;
    return (int)N_FIELDS;
}

/* Builds the candidate object: defaults of typology `t`, overlaid by the known fields of
 * `current` (missing module keys of an existing agent are false: new modules are not enabled
 * for existing agents, row 86), then by `patch`. Unknown and read-only patch keys are reported
 * in `errors`. 0 or SB_ENOMEM. */
static int settings_merge(int t, const json_t *current, const json_t *patch, json_t **out,
                          json_t *errors)
{
    json_t *obj = agent_settings_defaults(typology_names[t]);
    const char *key;
    json_t *v;
    int rc = SB_ENOMEM;

    if (!obj)
        return SB_ENOMEM;
    if (current) {
        for (size_t i = 0; i < N_FIELDS; i++) {
            const struct agent_field *f = &fields[i];
            json_t *cv = json_object_get(current, f->name);
            if (f->type == AF_BOOL_MAP) {
                json_t *m = json_object_get(obj, f->name);
                json_object_foreach(m, key, v)
                {
                    json_t *have = json_is_object(cv) ? json_object_get(cv, key) : NULL;
                    if (json_object_set(m, key, have ? have : json_false()) != 0)
                        goto fail;
                }
                if (cv && !json_is_object(cv) && json_object_set(obj, f->name, cv) != 0)
                    goto fail;
            } else if (cv && json_object_set_new(obj, f->name, json_deep_copy(cv)) != 0) {
                goto fail;
            }
        }
    }
    json_object_foreach((json_t *)patch, key, v)
    {
        const struct agent_field *f = field_find(key);
        if (!f) {
            bool ro = false;
            for (size_t i = 0; i < sizeof read_only_fields / sizeof read_only_fields[0]; i++)
                ro = ro || strcmp(key, read_only_fields[i]) == 0;
            if (add_error(errors, key, ro ? "is read-only" : "unknown field") != 0)
                goto fail;
            continue;
        }
        json_t *m = json_object_get(obj, key);
        if (f->type == AF_BOOL_MAP && json_is_object(v) && json_is_object(m)) {
            if (json_object_update(m, v) != 0)
                goto fail;
        } else if (json_object_set_new(obj, key, json_deep_copy(v)) != 0) {
            goto fail;
        }
    }
    *out = obj;
    return 0;
fail:
    json_decref(obj);
    return rc;
}

static bool list_has(const json_t *list, const char *value)
{
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item)
    {
        if (json_is_string(item) && strcmp(json_string_value(item), value) == 0)
            return true;
    }
    return false;
}

/* Index of `name` in fields[] (the table is static, so a miss is a programming error). */
static size_t field_index(const char *name)
{
    const struct agent_field *f = field_find(name);
    return f ? (size_t)(f - fields) : 0;
}

/* The cross-field rules of §2 for typology `t`. `bad[i]` marks fields whose own check failed;
 * a rule involving such a field is skipped (its error is already reported). */
static int cross_check(int t, bool mobile_allowed, json_t *obj, const bool *bad, json_t *errors)
{
#define OK(name)  (!bad[field_index(name)])
#define GET(name) json_object_get(obj, name)
    int rc = 0;

    /* Rule 1: g729 with phonebar or webrtc. */
    if ((t == AT_PHONEBAR || t == AT_WEBRTC) && OK("codecs") && list_has(GET("codecs"), "g729"))
        rc = add_error(errors, "codecs", "g729 is not allowed for Phonebar and WebRTC agents");
    if (rc)
        return rc;

    /* Rule 3: transports per typology. */
    if (OK("transport")) {
        json_t *tr = GET("transport");
        if ((t == AT_PHONEBAR || t == AT_MOBILE) && (list_has(tr, "ws") || list_has(tr, "wss")))
            rc = add_error(errors, "transport", "must only contain udp, tcp, tls for %s agents",
                           t == AT_PHONEBAR ? "Phonebar" : "Mobile");
        else if (t == AT_WEBRTC && (!list_has(tr, "wss") || list_has(tr, "udp") ||
                                    list_has(tr, "tcp") || list_has(tr, "tls")))
            rc = add_error(errors, "transport",
                           "must contain wss and only ws, wss for WebRTC agents");
        if (rc)
            return rc;
    }

    /* Rule 4: mobile needs the licence and a push gateway. */
    if (t == AT_MOBILE) {
        if (!mobile_allowed &&
            (rc = add_error(errors, "typology", "mobile agents are not enabled on the licence")))
            return rc;
        if (OK("mobile_push_gateway") && json_is_null(GET("mobile_push_gateway")) &&
            (rc = add_error(errors, "mobile_push_gateway", "is required for Mobile agents")))
            return rc;
    }

    if (t == AT_PHONEBAR) {
        /* Rule 5: the two screen-recording modes exclude each other. */
        if (OK("phonebar_screen_recording_by_agent") && OK("phonebar_automatic_screen_recording") &&
            json_is_true(GET("phonebar_screen_recording_by_agent")) &&
            json_is_true(GET("phonebar_automatic_screen_recording"))) {
            rc = add_error(errors, "phonebar_screen_recording_by_agent",
                           "cannot be enabled together with automatic screen recording");
            if (!rc)
                rc = add_error(errors, "phonebar_automatic_screen_recording",
                               "cannot be enabled together with screen recording by the agent");
            if (rc)
                return rc;
        }
        /* Rule 12: SIP destination port required. */
        if (OK("phonebar_sip_destination_port") &&
            json_is_null(GET("phonebar_sip_destination_port")) &&
            (rc = add_error(errors, "phonebar_sip_destination_port",
                            "is required for Phonebar agents")))
            return rc;
        /* Rule 11 (PROPOSED): remote-control port differs from the SIP source port. */
        if (OK("remote_control") && OK("phonebar_remote_control_port") &&
            OK("phonebar_sip_source_port") && json_is_true(GET("remote_control")) &&
            json_integer_value(GET("phonebar_remote_control_port")) ==
                json_integer_value(GET("phonebar_sip_source_port")) &&
            (rc = add_error(errors, "phonebar_remote_control_port",
                            "must differ from the SIP source port")))
            return rc;
    }

    /* Rule 6 (PROPOSED): the notification is forced off without WebRTC auto answer. */
    if (t == AT_WEBRTC && OK("webrtc_auto_answer") && !json_is_true(GET("webrtc_auto_answer")) &&
        json_object_set(obj, "webrtc_auto_answer_notification", json_false()) != 0)
        return SB_ENOMEM;
    return 0;
#undef OK
#undef GET
}

int agent_settings_apply(const char *typology, const json_t *current, const json_t *patch,
                         bool mobile_allowed, json_t **merged, json_t **errors)
{
    json_t *errs = json_array();
    json_t *obj = NULL;
    bool bad[N_FIELDS] = {false};
    int rc = SB_ENOMEM;
    int t = typology_index(typology);

    *merged = NULL;
    *errors = NULL;
    if (!errs)
        return SB_ENOMEM;
    if (t < 0) {
        char human[64];
        if (add_error(errs, "typology", "must be one of %s",
                      choices_human("phonebar|external|webrtc|mobile", human, sizeof human)))
            goto fail;
        rc = SB_EINVALID;
        goto fail;
    }
    if ((current && !json_is_object(current)) || (patch && !json_is_object(patch))) {
        if (add_error(errs, "settings", "must be an object"))
            goto fail;
        rc = SB_EINVALID;
        goto fail;
    }
    if (settings_merge(t, current, patch, &obj, errs) != 0)
        goto fail;
    for (size_t i = 0; i < N_FIELDS; i++) {
        int r = field_check(&fields[i], json_object_get(obj, fields[i].name), errs);
        if (r < 0)
            goto fail;
        bad[i] = r > 0;
    }
    if (cross_check(t, mobile_allowed, obj, bad, errs) != 0)
        goto fail;
    if (json_array_size(errs) > 0) {
        rc = SB_EINVALID;
        goto fail;
    }
    json_decref(errs);
    *merged = obj;
    return 0;
fail:
    json_decref(obj);
    if (rc == SB_EINVALID) {
        *errors = errs;
    } else {
        json_decref(errs);
    }
    return rc;
}
