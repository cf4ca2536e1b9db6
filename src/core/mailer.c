/* mailer.c — builds one RFC 5322 message and hands it to libcurl's SMTP client.
 *
 * The message is built whole in memory (bounded), then served to curl by a read callback.
 * Body encoding: 7bit when the text is printable ASCII with lines <= 998 bytes, otherwise
 * quoted-printable. We do not send 8bit: curl cannot say BODY=8BITMIME, and QP is 7-bit clean
 * for every relay while keeping mostly-ASCII text readable. Dot-stuffing is curl's job (it
 * escapes "\r\n." on upload); we never stuff dots ourselves. */
#include "core/mailer.h"

#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"

#define MAILER_ADDR_MAX    254     /* RFC 5321 path limit minus the angle brackets */
#define MAILER_SUBJECT_MAX 998     /* bytes of UTF-8 */
#define MAILER_TEXT_MAX    1048576 /* body text bytes; a notification, not an attachment */
/* Worst case QP is 3 bytes per input byte plus a soft break every 75; headers are small. */
#define MAILER_MESSAGE_MAX (4 * MAILER_TEXT_MAX + 65536)
#define MAILER_LINE_MAX    998 /* RFC 5322 2.1.1, without the CRLF */
#define MAILER_FOLD_AT     78  /* RFC 5322 recommended line length */
#define MAILER_QP_LINE     76  /* RFC 2045 6.7 (5), including the soft-break '=' */
/* RFC 2047: an encoded-word is at most 75 chars; "=?UTF-8?B?" + "?=" leaves 63 for base64,
 * i.e. 60 chars = 45 input bytes. */
#define MAILER_EW_BYTES    45
#define MAILER_TIMEOUT_DEF 30000

static pthread_once_t mailer_once = PTHREAD_ONCE_INIT;
static CURLcode mailer_global_rc = CURLE_FAILED_INIT;
static int mailer_sodium_rc = -1;

static void mailer_global_init(void)
{
    mailer_global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    mailer_sodium_rc = sodium_init() < 0 ? -1 : 0;
}

bool mailer_configured(const struct mailer_config *cfg)
{
    return cfg && cfg->host[0] != '\0';
}

/* True when `s` fits in a char[cap] field, i.e. it is NUL-terminated inside it. */
static bool mailer_field_ok(const char *s, size_t cap)
{
    return strnlen(s, cap) < cap;
}

/* RFC 5322 atext plus '.', the characters of an unquoted local part. */
static bool mailer_local_char(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~.", c) != NULL;
}

static bool mailer_domain_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
}

/* Accepts a bare ASCII address "local@domain" (no display name, no quoting, no brackets).
 * Anything else could change the meaning of a header line or of MAIL FROM/RCPT TO (CR, LF,
 * '>', spaces that start ESMTP parameters), so it is refused rather than escaped. */
static bool mailer_addr_ok(const char *a)
{
    if (!a)
        return false;
    size_t n = strnlen(a, MAILER_ADDR_MAX + 1);
    if (n == 0 || n > MAILER_ADDR_MAX)
        return false;
    const char *at = strchr(a, '@');
    if (!at || at == a || strchr(at + 1, '@'))
        return false;
    for (const char *p = a; p < at; p++)
        if (!mailer_local_char((unsigned char)*p))
            return false;
    const char *d = at + 1;
    if (*d == '\0' || *d == '.' || a[n - 1] == '.' || strstr(d, ".."))
        return false;
    for (const char *p = d; *p; p++)
        if (!mailer_domain_char((unsigned char)*p))
            return false;
    return true;
}

/* Returns the length of the UTF-8 sequence at s (1..4), or 0 when it is not well-formed
 * (overlong, surrogate, above U+10FFFF, truncated). */
static size_t mailer_utf8_len(const unsigned char *s)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t n;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* A subject is any well-formed UTF-8 without CR or LF, at most MAILER_SUBJECT_MAX bytes. */
static bool mailer_subject_ok(const char *s)
{
    size_t n = strnlen(s, MAILER_SUBJECT_MAX + 1);
    if (n > MAILER_SUBJECT_MAX)
        return false;
    for (size_t i = 0; i < n;) {
        if (s[i] == '\r' || s[i] == '\n')
            return false;
        size_t k = mailer_utf8_len((const unsigned char *)s + i);
        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

/* Appends "Date: …" in RFC 5322 form, always in UTC. Locale-independent on purpose. */
static int mailer_add_date(struct buf *b)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)(clock_now_ms(clock_real()) / 1000);
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        return SB_EINTERNAL;
    return buf_addf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday],
                    tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                    tm.tm_sec);
}

/* Appends "Message-ID: <128 random bits in hex@domain of from>". */
static int mailer_add_message_id(struct buf *b, const char *from)
{
    unsigned char rnd[16];
    char hex[sizeof(rnd) * 2 + 1];
    randombytes_buf(rnd, sizeof(rnd));
    sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
    return buf_addf(b, "Message-ID: <%s@%s>\r\n", hex, strchr(from, '@') + 1);
}

/* True when the subject can go out as it is: printable ASCII, nothing a decoder could take for
 * an encoded-word, and short enough that "Subject: " + it fits one line. */
static bool mailer_subject_plain(const char *s)
{
    size_t n = strlen(s);
    if (strlen("Subject: ") + n > MAILER_LINE_MAX || strstr(s, "=?"))
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7E)
            return false;
    return true;
}

/* Appends the Subject header. Plain ASCII is folded before a space once a line passes 78
 * columns (unfolding gives the original back). Anything else becomes RFC 2047 "B"
 * encoded-words of whole UTF-8 characters, one per folded line. */
static int mailer_add_subject(struct buf *b, const char *s)
{
    int rc = buf_adds(b, "Subject:");
    if (rc)
        return rc;
    size_t n = strlen(s);
    if (mailer_subject_plain(s)) {
        size_t col = strlen("Subject:");
        rc = buf_adds(b, " ");
        col++;
        for (size_t i = 0; i < n && !rc;) {
            size_t w = strcspn(s + i + 1, " ") + 1; /* this char up to the next space */
            if (i > 0 && s[i] == ' ' && col + w > MAILER_FOLD_AT) {
                rc = buf_adds(b, "\r\n");
                col = 0;
            }
            if (!rc)
                rc = buf_add(b, s + i, w);
            col += w;
            i += w;
        }
        return rc ? rc : buf_adds(b, "\r\n");
    }
    if (n == 0)
        return buf_adds(b, " \r\n");
    for (size_t i = 0; i < n && !rc;) {
        size_t chunk = 0;
        while (i + chunk < n) {
            size_t k = mailer_utf8_len((const unsigned char *)s + i + chunk);
            if (chunk + k > MAILER_EW_BYTES)
                break;
            chunk += k;
        }
        char b64[sodium_base64_ENCODED_LEN(MAILER_EW_BYTES, sodium_base64_VARIANT_ORIGINAL)];
        sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)s + i, chunk,
                          sodium_base64_VARIANT_ORIGINAL);
        /* Whitespace between adjacent encoded-words is dropped by decoders (RFC 2047 6.2). */
        rc = buf_addf(b, "%s=?UTF-8?B?%s?=", i == 0 ? " " : "\r\n ", b64);
        i += chunk;
    }
    return rc ? rc : buf_adds(b, "\r\n");
}

/* True when the body can be sent as 7bit: printable ASCII or tab, and no line (after turning
 * "\r\n" into "\n") longer than MAILER_LINE_MAX. */
static bool mailer_text_7bit(const char *t, size_t n)
{
    size_t col = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c == '\n') {
            col = 0;
            continue;
        }
        if (c == '\r' && i + 1 < n && t[i + 1] == '\n')
            continue;
        if ((c < 0x20 && c != '\t') || c > 0x7E || ++col > MAILER_LINE_MAX)
            return false;
    }
    return true;
}

/* Appends the text with every line ending as CRLF, the last line terminated too. */
static int mailer_add_7bit(struct buf *b, const char *t, size_t n)
{
    int rc = 0;
    size_t i = 0;
    while (i < n && !rc) {
        size_t len = strcspn(t + i, "\n");
        size_t end = i + len;
        size_t keep = (len > 0 && t[end - 1] == '\r') ? len - 1 : len;
        rc = buf_add(b, t + i, keep);
        if (!rc)
            rc = buf_adds(b, "\r\n");
        i = end + 1;
    }
    return rc;
}

/* Appends one input line (without its line break) as quoted-printable, with soft breaks so
 * that no encoded line is longer than MAILER_QP_LINE, then a hard CRLF. */
static int mailer_add_qp_line(struct buf *b, const unsigned char *p, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t col = 0;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        unsigned char c = p[i];
        char tok[3];
        size_t tl;
        bool last = i + 1 == n;
        /* Trailing white space would be stripped in transit, so it is encoded (6.7 (3)). */
        if ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last)) {
            tok[0] = (char)c;
            tl = 1;
        } else {
            tok[0] = '=';
            tok[1] = hex[c >> 4];
            tok[2] = hex[c & 0x0F];
            tl = 3;
        }
        /* Keep room for the '=' of a soft break unless this token ends the line. */
        size_t limit = last ? MAILER_QP_LINE : MAILER_QP_LINE - 1;
        if (col + tl > limit) {
            rc = buf_adds(b, "=\r\n");
            col = 0;
        }
        if (!rc)
            rc = buf_add(b, tok, tl);
        col += tl;
    }
    return rc ? rc : buf_adds(b, "\r\n");
}

static int mailer_add_qp(struct buf *b, const char *t, size_t n)
{
    int rc = 0;
    size_t i = 0;
    while (i < n && !rc) {
        const char *nl = memchr(t + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - t) : n;
        size_t len = end - i;
        if (nl && len > 0 && t[end - 1] == '\r')
            len--;
        rc = mailer_add_qp_line(b, (const unsigned char *)t + i, len);
        i = end + 1;
    }
    return rc;
}

/* Builds the whole message into b. Inputs are already validated. */
static int mailer_build(struct buf *b, const char *from, const struct mailer_message *msg,
                        const char *subject, const char *text, size_t text_len)
{
    bool plain = mailer_text_7bit(text, text_len);
    int rc = mailer_add_date(b);
    if (!rc)
        rc = buf_addf(b, "From: %s\r\nTo: %s\r\n", from, msg->to);
    if (!rc)
        rc = mailer_add_subject(b, subject);
    if (!rc)
        rc = mailer_add_message_id(b, from);
    if (!rc)
        rc = buf_addf(b,
                      "MIME-Version: 1.0\r\n"
                      "Content-Type: text/plain; charset=utf-8\r\n"
                      "Content-Transfer-Encoding: %s\r\n\r\n",
                      plain ? "7bit" : "quoted-printable");
    if (!rc)
        rc = plain ? mailer_add_7bit(b, text, text_len) : mailer_add_qp(b, text, text_len);
    return rc;
}

struct mailer_upload {
    const char *data;
    size_t len;
    size_t pos;
};

static size_t mailer_read_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct mailer_upload *up = userdata;
    size_t room = size * nmemb;
    size_t left = up->len - up->pos;
    size_t n = left < room ? left : room;
    memcpy(ptr, up->data + up->pos, n);
    up->pos += n;
    return n;
}

/* Writes "smtp[s]://host[:port]" into url; IPv6 literals get their brackets. Returns 0 or
 * SB_EINVAL for a host that could change the URL's meaning or a port out of range. */
static int mailer_url(char *url, size_t cap, const struct mailer_config *cfg)
{
    const char *h = cfg->host;
    for (const char *p = h; *p; p++)
        if (!mailer_domain_char((unsigned char)*p) && *p != ':' && *p != '[' && *p != ']')
            return SB_EINVAL;
    if (cfg->port < 0 || cfg->port > 65535)
        return SB_EINVAL;
    bool v6 = strchr(h, ':') && h[0] != '[';
    char port[16] = "";
    if (cfg->port > 0)
        snprintf(port, sizeof(port), ":%d", cfg->port);
    int n = snprintf(url, cap, "%s://%s%s%s%s", cfg->tls == MAILER_TLS_SMTPS ? "smtps" : "smtp",
                     v6 ? "[" : "", h, v6 ? "]" : "", port);
    return (n < 0 || (size_t)n >= cap) ? SB_EINVAL : 0;
}

static long mailer_use_ssl(enum mailer_tls tls)
{
    switch (tls) {
    case MAILER_TLS_AUTO:
        return (long)CURLUSESSL_TRY;
    case MAILER_TLS_STARTTLS:
    case MAILER_TLS_SMTPS:
        return (long)CURLUSESSL_ALL;
    case MAILER_TLS_NONE:
        return (long)CURLUSESSL_NONE;
    }
    return (long)CURLUSESSL_ALL; /* an unknown mode fails closed */
}

int mailer_send(const struct mailer_config *cfg, const struct mailer_message *msg)
{
    struct buf m;
    CURL *h = NULL;
    struct curl_slist *rcpt = NULL;
    char url[300];
    char errbuf[CURL_ERROR_SIZE] = "";
    struct mailer_upload up = {0};
    const char *subject, *text;
    size_t text_len;
    CURLcode cc = CURLE_OK;
    int rc;

    buf_init(&m, MAILER_MESSAGE_MAX);
    if (!mailer_configured(cfg)) {
        rc = SB_EUNAVAIL;
        goto fail;
    }
    if (!msg || !mailer_field_ok(cfg->host, sizeof(cfg->host)) ||
        !mailer_field_ok(cfg->username, sizeof(cfg->username)) ||
        !mailer_field_ok(cfg->password, sizeof(cfg->password)) ||
        !mailer_field_ok(cfg->from, sizeof(cfg->from)) || !mailer_addr_ok(cfg->from) ||
        !mailer_addr_ok(msg->to)) {
        rc = SB_EINVAL;
        goto fail;
    }
    subject = msg->subject ? msg->subject : "";
    text = msg->text ? msg->text : "";
    text_len = strnlen(text, MAILER_TEXT_MAX + 1);
    if (!mailer_subject_ok(subject) || text_len > MAILER_TEXT_MAX) {
        rc = SB_EINVAL;
        goto fail;
    }
    rc = mailer_url(url, sizeof(url), cfg);
    if (rc)
        goto fail;

    pthread_once(&mailer_once, mailer_global_init);
    if (mailer_global_rc != CURLE_OK || mailer_sodium_rc != 0) {
        log_error("mailer: library initialization failed");
        rc = SB_EUNAVAIL;
        goto fail;
    }

    rc = mailer_build(&m, cfg->from, msg, subject, text, text_len);
    if (rc)
        goto fail;
    up.data = m.data;
    up.len = m.len;

    h = curl_easy_init();
    rcpt = curl_slist_append(NULL, msg->to);
    if (!h || !rcpt) {
        rc = SB_ENOMEM;
        goto fail;
    }
    /* The first failing option stops the chain; its code is kept. */
#define MAILER_SET(opt, val)                                                                       \
    do {                                                                                           \
        if (cc == CURLE_OK)                                                                        \
            cc = curl_easy_setopt(h, opt, val);                                                    \
    } while (0)
    MAILER_SET(CURLOPT_URL, url);
    MAILER_SET(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    MAILER_SET(CURLOPT_NOSIGNAL, 1L); /* we run on worker threads */
    MAILER_SET(CURLOPT_VERBOSE, 0L);  /* verbose output would show the AUTH exchange */
    MAILER_SET(CURLOPT_ERRORBUFFER, errbuf);
    MAILER_SET(CURLOPT_TIMEOUT_MS,
               (long)(cfg->timeout_ms > 0 ? cfg->timeout_ms : MAILER_TIMEOUT_DEF));
    MAILER_SET(CURLOPT_USE_SSL, mailer_use_ssl(cfg->tls));
    MAILER_SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    MAILER_SET(CURLOPT_SSL_VERIFYPEER, cfg->verify_peer ? 1L : 0L);
    MAILER_SET(CURLOPT_SSL_VERIFYHOST, cfg->verify_peer ? 2L : 0L);
    MAILER_SET(CURLOPT_MAIL_FROM, cfg->from);
    MAILER_SET(CURLOPT_MAIL_RCPT, rcpt);
    if (cfg->username[0] != '\0') {
        MAILER_SET(CURLOPT_USERNAME, cfg->username);
        MAILER_SET(CURLOPT_PASSWORD, cfg->password);
    }
    MAILER_SET(CURLOPT_UPLOAD, 1L);
    MAILER_SET(CURLOPT_INFILESIZE_LARGE, (curl_off_t)m.len); /* lets curl send SIZE= */
    MAILER_SET(CURLOPT_READFUNCTION, mailer_read_cb);
    MAILER_SET(CURLOPT_READDATA, &up);
#undef MAILER_SET
    if (cc == CURLE_OK)
        cc = curl_easy_perform(h);
    if (cc != CURLE_OK) {
        long code = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
        log_warn("mailer: sending through %s failed: %s (%s; last reply %ld)", url,
                 curl_easy_strerror(cc), errbuf[0] ? errbuf : "-", code);
        rc = cc == CURLE_OUT_OF_MEMORY ? SB_ENOMEM : SB_EUNAVAIL;
        goto fail;
    }
    rc = 0;
fail:
    curl_slist_free_all(rcpt);
    if (h)
        curl_easy_cleanup(h);
    buf_free(&m);
    return rc;
}
