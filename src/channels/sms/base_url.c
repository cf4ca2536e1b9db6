/* base_url.c — the pure half of the SSRF guard for provider base URLs set by users (reference
 * §2.9): scheme, port, host allow-list. Addresses are checked when connecting (net.c). The
 * URL is read by libcurl's own parser, the one that will later connect to it. */
#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "channels/sms/sms_impl.h"
#include "core/err.h"

/* Whether host is "api.infobip.com" or "<[a-z0-9]+>.api.infobip.com". */
static bool infobip_host(const char *h)
{
    static const char suffix[] = "api.infobip.com";
    size_t n = strlen(h), s = sizeof(suffix) - 1;
    if (n == s)
        return !strcmp(h, suffix);
    if (n < s + 2 || strcmp(h + n - s, suffix) || h[n - s - 1] != '.')
        return false;
    for (size_t i = 0; i < n - s - 1; i++)
        if (!islower((unsigned char)h[i]) && !isdigit((unsigned char)h[i]))
            return false;
    return true;
}

/* Whether host is one of the comma-separated entries of list (case-blind, spaces ignored). */
static bool listed(const char *list, const char *host)
{
    size_t hl = strlen(host);
    for (const char *p = list; p && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t n = strcspn(p, ", ");
        if (n == hl && !strncasecmp(p, host, n))
            return true;
        p += n;
    }
    return false;
}

static bool ip_literal(const char *h)
{
    if (strchr(h, ':') || h[0] == '[')
        return true;
    /* All digits and dots (also the short and octal/hex forms inet_aton takes). */
    bool digits_dots = true;
    for (const char *p = h; *p; p++)
        if (!isdigit((unsigned char)*p) && *p != '.')
            digits_dots = false;
    if (digits_dots)
        return true;
    return !strncasecmp(h, "0x", 2);
}

int sms_base_url_check(const struct sms_provider *p, const char *base_url,
                       const struct sms_env *env, char *host, size_t cap, const char **why)
{
    const char *w = NULL;
    int rc = SB_EINVALID;
    char *h = NULL, *scheme = NULL, *port = NULL, *user = NULL, *query = NULL, *frag = NULL;
    char *path = NULL;
    char url[SMS_URL_MAX + 16];
    if (cap)
        host[0] = 0;
    if (sms_empty(base_url) || strlen(base_url) > SMS_URL_MAX) {
        w = "base_url is empty or too long";
        goto out;
    }
    for (const char *c = base_url; *c; c++)
        if ((unsigned char)*c <= ' ' || *c == '\\' || (unsigned char)*c >= 0x7f) {
            w = "base_url has spaces, backslashes or non-ASCII characters";
            goto out;
        }
    /* Infobip shows the base URL without a scheme ("xxxxx.api.infobip.com"). */
    snprintf(url, sizeof(url), "%s%s", strstr(base_url, "://") ? "" : "https://", base_url);
    CURLU *u = curl_url();
    if (!u) {
        rc = SB_ENOMEM;
        goto out;
    }
    if (curl_url_set(u, CURLUPART_URL, url, 0) || curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) ||
        curl_url_get(u, CURLUPART_HOST, &h, 0)) {
        curl_url_cleanup(u);
        w = "base_url is not a URL";
        goto out;
    }
    curl_url_get(u, CURLUPART_PORT, &port, 0);
    curl_url_get(u, CURLUPART_USER, &user, 0);
    curl_url_get(u, CURLUPART_QUERY, &query, 0);
    curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0);
    curl_url_get(u, CURLUPART_PATH, &path, 0);
    curl_url_cleanup(u);
    bool test = env && !sms_empty(env->test_base_url);
    size_t hl = strlen(h);
    while (hl && h[hl - 1] == '.')
        h[--hl] = 0;
    for (char *c = h; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    if (!hl || hl >= cap) {
        w = "base_url host is empty or too long";
    } else if (test) {
        w = NULL; /* tests point providers at loopback */
    } else if (strcmp(scheme, "https")) {
        w = "base_url must use https";
    } else if (port && strcmp(port, "443")) {
        w = "base_url must use the default port";
    } else if (user) {
        w = "base_url must not hold credentials";
    } else if (query || frag || (path && strcmp(path, "/"))) {
        w = "base_url must be a host only (no path, query or fragment)";
    } else if (ip_literal(h)) {
        w = "base_url must name a host, not an IP address";
    } else if (p == &sms_infobip ? !infobip_host(h) : !(env && listed(env->allowed_hosts, h))) {
        w = p == &sms_infobip ? "base_url must be <name>.api.infobip.com"
                              : "base_url host is not in the allowed hosts";
    }
    if (!w) {
        memcpy(host, h, hl + 1);
        rc = 0;
    }
out:
    curl_free(h);
    curl_free(scheme);
    curl_free(port);
    curl_free(user);
    curl_free(query);
    curl_free(frag);
    curl_free(path);
    if (why)
        *why = w;
    return rc;
}

int sms_user_endpoint(struct sms_ctx *x, const char *path, const char **url, const char **host)
{
    char h[256];
    const char *w = NULL;
    *url = *host = NULL;
    int r = sms_base_url_check(x->p, x->c->base_url, x->env, h, sizeof(h), &w);
    if (r) {
        x->why = w ? w : "base_url";
        return r;
    }
    *host = arena_strdup(x->a, h);
    if (x->env && !sms_empty(x->env->test_base_url))
        *url = sms_endpoint(x, NULL, path);
    else
        *url = arena_sprintf(x->a, "https://%s%s", h, path);
    return *url && *host ? 0 : SB_ENOMEM;
}
