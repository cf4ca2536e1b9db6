/* pjsip.c — agent → pjsip.conf sections. The mapping of each settings field is written once,
 * here, and mirrored in SQL by migration 0011's views; docs/asterisk.md has the table. */
#include "staff/pjsip.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"

#define PJSIP_AGENT_MAX   8192 /* one agent's three sections, far above real sizes */
#define PJSIP_TEXT_MAX    512  /* a sanitized free-text value */
#define PJSIP_LIST_MAX    128  /* transport or codec names joined by ',' */
#define PJSIP_IDENT_MAX   255
#define PJSIP_EXPIRES_MIN 60
#define PJSIP_EXPIRES_MAX 86400

/* True when `s` is 1..max characters, each a letter, a digit or one of `extra`. */
static bool ident_ok(const char *s, const char *extra, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              strchr(extra, *p)))
            return false;
    return true;
}

static bool one_of(const char *s, const char *const *list)
{
    for (; s && *list; list++)
        if (!strcmp(s, *list))
            return true;
    return false;
}

static const char *const transports[] = {"udp", "tcp", "tls", "ws", "wss", NULL};
static const char *const codecs[] = {"ulaw", "alaw", "gsm", "g722", "g729", "opus", NULL};
static const char *const nats[] = {"yes", "no", "force_rport", "comedia", "never", "route", NULL};
static const char *const records[] = {"inactive", "wav", "wav49", "gsm", NULL};

void pjsip_sanitize(const char *in, char *out, size_t size)
{
    size_t j = 0;
    for (const unsigned char *p = (const unsigned char *)(in ? in : ""); *p && j + 1 < size; p++) {
        unsigned char c = *p;
        out[j++] = c < 0x20 ? ' ' : c == '[' ? '(' : c == ']' ? ')' : c == ';' ? ',' : (char)c;
    }
    /* Cut inside a UTF-8 sequence (in[j] continues it): drop the sequence's first bytes. */
    if (in && in[j] && ((unsigned char)in[j] & 0xC0) == 0x80) {
        while (j > 0 && ((unsigned char)out[j - 1] & 0xC0) == 0x80)
            j--;
        if (j > 0 && ((unsigned char)out[j - 1] & 0xC0) == 0xC0)
            j--;
    }
    out[j] = '\0';
}

static const char *str_of(const json_t *settings, const char *key)
{
    return json_string_value(json_object_get(settings, key));
}

static bool bool_of(const json_t *settings, const char *key)
{
    return json_is_true(json_object_get(settings, key));
}

/* Joins the names of array `key` (each in `allowed`, no duplicates) with ','. False when the
 * value is missing, empty, or holds anything else. */
static bool list_of(const json_t *settings, const char *key, const char *const *allowed,
                    char out[PJSIP_LIST_MAX])
{
    const json_t *arr = json_object_get(settings, key);
    size_t n = json_is_array(arr) ? json_array_size(arr) : 0, used = 0;
    if (n == 0)
        return false;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const char *v = json_string_value(json_array_get(arr, i));
        if (!one_of(v, allowed))
            return false;
        int w = snprintf(out + used, PJSIP_LIST_MAX - used, "%s%s", i ? "," : "", v);
        if (w < 0 || (size_t)w >= PJSIP_LIST_MAX - used)
            return false;
        used += (size_t)w;
    }
    return true;
}

/* The endpoint's NAT handling for our single `nat` value (chan_sip's meanings):
 *   yes          signalling and media behind NAT: all three on, media through Asterisk
 *   force_rport  signalling only: rport and Contact rewriting
 *   comedia      media only: symmetric RTP
 *   route        NAT assumed without rport: Contact rewriting and symmetric RTP
 *   no, never    none; only these allow direct media between endpoints */
struct nat_map {
    const char *force_rport, *rewrite_contact, *rtp_symmetric, *direct_media;
};

static struct nat_map nat_map_of(const char *nat)
{
    bool rport = !strcmp(nat, "yes") || !strcmp(nat, "force_rport");
    bool rewrite = rport || !strcmp(nat, "route");
    bool symmetric = !strcmp(nat, "yes") || !strcmp(nat, "comedia") || !strcmp(nat, "route");
    bool direct = !strcmp(nat, "no") || !strcmp(nat, "never");
    return (struct nat_map){rport ? "yes" : "no", rewrite ? "yes" : "no", symmetric ? "yes" : "no",
                            direct ? "yes" : "no"};
}

/* The registration lifetime the agent's client asks for: phonebar and WebRTC agents have one
 * (docs/staff-fields.md rows 64 and 76); 0 = Asterisk's defaults. */
static json_int_t expires_of(const struct pjsip_agent *a)
{
    const char *key = !strcmp(a->typology, "phonebar") ? "phonebar_sip_expires"
                      : !strcmp(a->typology, "webrtc") ? "webrtc_sip_expires"
                                                       : NULL;
    json_t *v = key ? json_object_get(a->settings, key) : NULL;
    return json_is_integer(v) ? json_integer_value(v) : 0;
}

static bool host_ok(const char *host)
{
    unsigned char addr[sizeof(struct in6_addr)];
    return !strcmp(host, "dynamic") || inet_pton(AF_INET, host, addr) == 1 ||
           inet_pton(AF_INET6, host, addr) == 1;
}

/* Checks everything that goes out verbatim; returns the bad field or NULL. */
static const char *agent_check(const struct pjsip_agent *a, char transport_list[PJSIP_LIST_MAX],
                               char codec_list[PJSIP_LIST_MAX])
{
    const json_t *s = a->settings;
    const char *cg = str_of(s, "call_group"), *pg = str_of(s, "pickup_group");
    const char *host = str_of(s, "host"), *nat = str_of(s, "nat");
    const char *rec = str_of(s, "record_calls");
    json_int_t expires = expires_of(a);
    if (!ident_ok(a->username, "._", 64))
        return "username";
    if (!a->typology || !json_is_object(s))
        return "settings";
    if (!ident_ok(a->realm, "._-", 64))
        return "realm";
    if (!a->md5_cred || strlen(a->md5_cred) != 32 || !ident_ok(a->md5_cred, "", 32) ||
        strspn(a->md5_cred, "0123456789abcdef") != 32)
        return "md5_cred";
    if (!list_of(s, "transport", transports, transport_list))
        return "transport";
    if (!list_of(s, "codecs", codecs, codec_list))
        return "codecs";
    if (!ident_ok(str_of(s, "context"), "_-", 80))
        return "context";
    if (cg && !ident_ok(cg, ",-", PJSIP_IDENT_MAX))
        return "call_group";
    if (pg && !ident_ok(pg, ",-", PJSIP_IDENT_MAX))
        return "pickup_group";
    if (!one_of(nat, nats))
        return "nat";
    if (host && !host_ok(host))
        return "host";
    if (rec && !one_of(rec, records))
        return "record_calls";
    if (expires && (expires < PJSIP_EXPIRES_MIN || expires > PJSIP_EXPIRES_MAX))
        return "sip_expires";
    if (a->internal < 0)
        return "internal";
    return NULL;
}

static int render(struct buf *b, const struct pjsip_agent *a, const char *transport_list,
                  const char *codec_list)
{
    const json_t *s = a->settings;
    char first[8], callerid[PJSIP_TEXT_MAX + 32];
    snprintf(first, sizeof(first), "%.*s", (int)strcspn(transport_list, ","), transport_list);
    bool webrtc = !strcmp(a->typology, "webrtc") || !strcmp(first, "ws") || !strcmp(first, "wss");
    struct nat_map nat = nat_map_of(str_of(s, "nat"));
    const char *caller_id = str_of(s, "caller_id");
    const char *cg = str_of(s, "call_group"), *pg = str_of(s, "pickup_group");
    const char *host = str_of(s, "host"), *rec = str_of(s, "record_calls");
    json_int_t expires = expires_of(a);

    if (caller_id) {
        pjsip_sanitize(caller_id, callerid, PJSIP_TEXT_MAX);
    } else {
        /* The default of docs/staff-fields.md row 26: "full_name" <internal>; a quote in the
         * name would end the quoted part early, so it becomes an apostrophe. */
        char name[PJSIP_TEXT_MAX];
        pjsip_sanitize(a->full_name, name, sizeof(name));
        for (char *p = name; *p; p++)
            if (*p == '"')
                *p = '\'';
        if (a->internal)
            snprintf(callerid, sizeof(callerid), "\"%s\" <%lld>", name, (long long)a->internal);
        else
            snprintf(callerid, sizeof(callerid), "\"%s\"", name);
    }

    int r =
        buf_addf(b,
                 "[%s]\n"
                 "type=endpoint\n"
                 "transport=transport-%s\n"
                 "context=%s\n"
                 "disallow=all\n"
                 "allow=%s%s\n"
                 "aors=%s\n"
                 "auth=%s-auth\n"
                 "callerid=%s\n"
                 "force_rport=%s\n"
                 "rewrite_contact=%s\n"
                 "rtp_symmetric=%s\n"
                 "direct_media=%s\n"
                 "media_encryption=%s\n"
                 "webrtc=%s\n",
                 a->username, first, str_of(s, "context"), codec_list,
                 bool_of(s, "video_support") ? ",vp8,h264" : "", a->username, a->username, callerid,
                 nat.force_rport, nat.rewrite_contact, nat.rtp_symmetric, nat.direct_media,
                 webrtc                     ? "dtls"
                 : bool_of(s, "encryption") ? "sdes"
                                            : "no",
                 webrtc ? "yes" : "no");
    if (!r && cg)
        r = buf_addf(b, "call_group=%s\n", cg);
    if (!r && pg)
        r = buf_addf(b, "pickup_group=%s\n", pg);
    if (!r && bool_of(s, "voicemail") && a->internal)
        r = buf_addf(b, "mailboxes=%lld@default\n", (long long)a->internal);
    if (!r && rec && strcmp(rec, "inactive"))
        r = buf_addf(b, "set_var=SB_RECORD_FORMAT=%s\n", rec);
    if (!r)
        r = buf_addf(b,
                     "\n[%s-auth]\n"
                     "type=auth\n"
                     "auth_type=md5\n"
                     "username=%s\n"
                     "realm=%s\n"
                     "md5_cred=%s\n"
                     "\n[%s]\n"
                     "type=aor\n"
                     "max_contacts=1\n"
                     "remove_existing=yes\n",
                     a->username, a->username, a->realm, a->md5_cred, a->username);
    if (!r && expires)
        r = buf_addf(b, "default_expiration=%lld\nmaximum_expiration=%lld\n", (long long)expires,
                     (long long)expires);
    if (!r && host && strcmp(host, "dynamic"))
        r = buf_addf(b, strchr(host, ':') ? "contact=sip:%s@[%s]\n" : "contact=sip:%s@%s\n",
                     a->username, host);
    if (!r)
        r = buf_adds(b, "\n");
    return r;
}

int pjsip_render_agent(struct buf *out, const struct pjsip_agent *a, const char **bad_field)
{
    char transport_list[PJSIP_LIST_MAX], codec_list[PJSIP_LIST_MAX];
    const char *bad = agent_check(a, transport_list, codec_list);
    if (bad_field)
        *bad_field = bad;
    if (bad)
        return SB_EINVALID;
    /* Rendered apart first, so a full `out` is left as it was. */
    struct buf one;
    buf_init(&one, PJSIP_AGENT_MAX);
    int r = render(&one, a, transport_list, codec_list);
    if (!r)
        r = buf_add(out, one.data, one.len);
    buf_free(&one);
    return r;
}
