/* net.c — see net.h. */
#include "channels/sms/net.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "channels/sms/sms_impl.h"
#include "core/err.h"

static bool v4_public(uint32_t a)
{
    uint8_t b0 = (uint8_t)(a >> 24), b1 = (uint8_t)(a >> 16), b2 = (uint8_t)(a >> 8);
    if (b0 == 0 || b0 == 10 || b0 == 127 || b0 >= 224) /* this net, private, loopback, mcast+ */
        return false;
    if (b0 == 100 && (b1 & 0xc0) == 64) /* 100.64/10 CGNAT */
        return false;
    if (b0 == 169 && b1 == 254) /* link-local, cloud metadata */
        return false;
    if (b0 == 172 && (b1 & 0xf0) == 16) /* 172.16/12 */
        return false;
    if (b0 == 192 && b1 == 168) /* 192.168/16 */
        return false;
    if (b0 == 192 && b1 == 0 && (b2 == 0 || b2 == 2)) /* IETF protocol, TEST-NET-1 */
        return false;
    if (b0 == 198 && (b1 & 0xfe) == 18) /* 198.18/15 benchmarking */
        return false;
    if (b0 == 198 && b1 == 51 && b2 == 100) /* TEST-NET-2 */
        return false;
    if (b0 == 203 && b1 == 0 && b2 == 113) /* TEST-NET-3 */
        return false;
    return true;
}

bool sms_addr_public(const struct sockaddr *sa)
{
    if (!sa)
        return false;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        return v4_public(ntohl(in->sin_addr.s_addr));
    }
    if (sa->sa_family != AF_INET6)
        return false;
    const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
    const uint8_t *b = a->s6_addr;
    if (IN6_IS_ADDR_UNSPECIFIED(a) || IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_LINKLOCAL(a) ||
        IN6_IS_ADDR_SITELOCAL(a) || IN6_IS_ADDR_MULTICAST(a))
        return false;
    if ((b[0] & 0xfe) == 0xfc) /* fc00::/7 unique local */
        return false;
    /* ::ffff:a.b.c.d, ::a.b.c.d, 64:ff9b::/96 (NAT64): judge the embedded IPv4. */
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const uint8_t compat[12] = {0};
    static const uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
    if (!memcmp(b, mapped, 12) || !memcmp(b, compat, 12) || !memcmp(b, nat64, 12)) {
        uint32_t v4 = (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 | b[15];
        return v4_public(v4);
    }
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) /* 2001:db8::/32 doc */
        return false;
    if (b[0] == 0x20 && b[1] == 0x02) /* 6to4: may wrap a private IPv4 */
        return v4_public((uint32_t)b[2] << 24 | (uint32_t)b[3] << 16 | (uint32_t)b[4] << 8 | b[5]);
    return true;
}

int sms_net_pin(const char *host, int port, char *resolve, size_t cap, const char **why)
{
    *why = NULL;
    if (sms_empty(host) || strlen(host) > 253 || strchr(host, ':') || port <= 0 || port > 65535)
        return SB_EINVAL;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    if (getaddrinfo(host, NULL, &hints, &res) || !res) {
        *why = "host does not resolve";
        return SB_EUNAVAIL;
    }
    char ip[INET6_ADDRSTRLEN] = "";
    int rc = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        if (!sms_addr_public(ai->ai_addr)) {
            *why = "host resolves to a private or reserved address";
            rc = SB_EFORBIDDEN;
            break;
        }
        if (!ip[0]) {
            const void *src = ai->ai_family == AF_INET
                                  ? (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr
                                  : (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
            inet_ntop(ai->ai_family, src, ip, sizeof(ip));
        }
    }
    freeaddrinfo(res);
    if (rc)
        return rc;
    bool v6 = strchr(ip, ':') != NULL;
    int n = snprintf(resolve, cap, v6 ? "%s:%d:[%s]" : "%s:%d:%s", host, port, ip);
    return n < 0 || (size_t)n >= cap ? SB_EINVAL : 0;
}

static size_t collect(char *p, size_t s, size_t n, void *u)
{
    struct buf *b = u;
    size_t len = s * n;
    size_t room = b->max - b->len;
    if (room)
        (void)buf_add(b, p, len < room ? len : room); /* the rest is dropped, not an error */
    return len;
}

static curl_socket_t open_checked(void *u, curlsocktype purpose, struct curl_sockaddr *a)
{
    (void)u;
    if (purpose != CURLSOCKTYPE_IPCXN || !sms_addr_public(&a->addr))
        return CURL_SOCKET_BAD;
    return socket(a->family, a->socktype, a->protocol);
}

int sms_curl_prepare(CURL *c, const struct sms_http_out *rq, const struct sms_env *env,
                     struct sms_curl *s, const char **why)
{
    *why = NULL;
    bool test = env && !sms_empty(env->test_base_url);
    buf_init(&s->answer, SMS_ANSWER_MAX);
    for (size_t i = 0; i < rq->n_headers; i++) {
        char line[8192];
        int n = snprintf(line, sizeof(line), "%s: %s", rq->headers[i].name, rq->headers[i].value);
        if (n < 0 || (size_t)n >= sizeof(line) || strpbrk(line, "\r\n"))
            return SB_EINVAL;
        struct curl_slist *h = curl_slist_append(s->headers, line);
        if (!h)
            return SB_ENOMEM;
        s->headers = h;
    }
    struct curl_slist *h = curl_slist_append(s->headers, "Expect:");
    if (!h)
        return SB_ENOMEM;
    s->headers = h;
    if (rq->pin && !test) {
        char entry[512];
        int r = sms_net_pin(rq->host, 443, entry, sizeof(entry), why);
        if (r)
            return r;
        s->resolve = curl_slist_append(NULL, entry);
        if (!s->resolve)
            return SB_ENOMEM;
        s->check_socket = true;
        curl_easy_setopt(c, CURLOPT_RESOLVE, s->resolve);
        curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_checked);
        curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    }
    curl_easy_setopt(c, CURLOPT_URL, rq->url);
    if (!strcmp(rq->method, "GET")) {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, rq->method);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, s->headers);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, test ? "http,https" : "https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)SMS_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)SMS_CONNECT_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s->answer);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "Switchboard/" SB_VERSION);
    return 0;
}

void sms_curl_release(struct sms_curl *s)
{
    curl_slist_free_all(s->headers);
    curl_slist_free_all(s->resolve);
    buf_free(&s->answer);
    s->headers = s->resolve = NULL;
}

int sms_http_perform(const struct sms_http_out *rq, const struct sms_env *env, struct arena *a,
                     long *status, const char **answer, size_t *len, const char **why)
{
    *status = 0;
    *answer = NULL;
    *len = 0;
    *why = NULL;
    CURL *c = curl_easy_init();
    if (!c)
        return SB_ENOMEM;
    struct sms_curl s = {0};
    int r = sms_curl_prepare(c, rq, env, &s, why);
    if (!r) {
        if (curl_easy_perform(c) == CURLE_OK)
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
        *answer = arena_strndup(a, s.answer.data ? s.answer.data : "", s.answer.len);
        *len = s.answer.len;
        if (!*answer)
            r = SB_ENOMEM;
    }
    sms_curl_release(&s);
    curl_easy_cleanup(c);
    return r;
}

/* Logs in and stores the session in the caller's cache. 0; SB_EAUTH (refused); SB_EUNAVAIL
 * (no answer: try later); builder and pinning errors. */
static int login(const struct sms_provider *p, const struct sms_account_creds *c,
                 const struct sms_env *env, char *session, size_t cap, struct arena *a,
                 const char **why)
{
    struct sms_http_out rq;
    int r = sms_build_login(p, c, env, a, &rq, why);
    long st;
    const char *ans, *got = NULL;
    size_t len;
    if (!r)
        r = sms_http_perform(&rq, env, a, &st, &ans, &len, why);
    if (!r)
        r = sms_parse_login(p, st, ans, len, a, &got);
    if (r == SB_EAUTH && !*why)
        *why = "login refused";
    if (!r && strlen(got) >= cap)
        r = SB_ETOOBIG;
    if (!r)
        memcpy(session, got, strlen(got) + 1);
    return r;
}

int sms_send_blocking(const struct sms_provider *p, const struct sms_account_creds *c,
                      const struct sms_env *env, const struct sms_outbound *m, char *session,
                      size_t session_cap, struct arena *a, struct sms_send_result *out,
                      const char **why)
{
    memset(out, 0, sizeof(*out));
    *why = NULL;
    bool sessions = sms_needs_session(p, c);
    for (int attempt = 0; attempt < 2; attempt++) {
        if (sessions && !session[0]) {
            int r = login(p, c, env, session, session_cap, a, why);
            if (r == SB_EUNAVAIL) {
                out->outcome = SMS_SEND_RETRY;
                out->error_code = "login: no answer";
                return 0;
            }
            if (r)
                return r;
        }
        struct sms_http_out rq;
        int r = sms_build_send(p, c, env, m, sessions ? session : NULL, a, &rq, why);
        long st;
        const char *ans;
        size_t len;
        if (!r)
            r = sms_http_perform(&rq, env, a, &st, &ans, &len, why);
        if (!r)
            r = sms_parse_send(p, c, st, ans, len, a, out);
        if (r)
            return r;
        if (out->outcome != SMS_SEND_REAUTH)
            return 0;
        session[0] = 0; /* expired: log in again, once */
    }
    out->outcome = SMS_SEND_RETRY; /* refused right after a fresh login: try later */
    return 0;
}
