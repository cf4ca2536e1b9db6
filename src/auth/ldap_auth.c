#include "auth/ldap_auth.h"

#include <pthread.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include <ldap.h>

#include "core/err.h"
#include "core/log.h"

/* Switchboard usernames are short ([A-Za-z0-9._], see the staff rules); anything longer is
 * refused before it could make a DN or a filter grow. Escaping at most triples a byte. */
#define LA_USERNAME_MAX 128
#define LA_PASSWORD_MAX 1024
#define LA_DN_MAX       1024
#define LA_FILTER_MAX   1024
#define LA_MAIL_MAX     256

#define LA_TIMEOUT_DEFAULT_MS 5000
#define LA_TIMEOUT_MIN_MS     50
#define LA_TIMEOUT_MAX_MS     60000

/* The search must tell "exactly one" from "more than one": two is enough for that. */
#define LA_SIZE_LIMIT 2

static pthread_once_t la_once = PTHREAD_ONCE_INIT;

/* libldap reads ldap.conf and its environment on first use; doing that once, before any worker
 * thread races another into it, costs nothing. */
static void la_global_init(void)
{
    int v = 0;
    (void)ldap_get_option(NULL, LDAP_OPT_PROTOCOL_VERSION, &v);
}

/* True when the fixed-size field holds a NUL-terminated string. */
#define LA_FIELD_OK(f) (strnlen((f), sizeof(f)) < sizeof(f))

/* True when `tmpl` has exactly one "%s" and no other '%': the only substitution we perform.
 * Never passed to printf, so a stray "%n" in a configuration cannot do anything anyway. */
static bool la_template_ok(const char *tmpl)
{
    int slots = 0;
    for (const char *p = tmpl; *p; p++) {
        if (*p != '%')
            continue;
        if (p[1] != 's')
            return false;
        slots++;
        p++;
    }
    return slots == 1;
}

static const char la_hex[] = "0123456789ABCDEF";

/* Escapes `in` as an RFC 4514 attribute value into `out` (cap bytes, NUL-terminated): the
 * specials " + , ; < > \ = get a backslash, a leading space or '#' and a trailing space too,
 * control bytes become \XX. Returns 0 or SB_ETOOBIG (out then holds an empty string). */
static int la_escape_dn_value(const char *in, char *out, size_t cap)
{
    size_t len = strlen(in), o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (o + 4 > cap)
            goto fail;
        if (c < 0x20 || c == 0x7f) {
            out[o++] = '\\';
            out[o++] = la_hex[c >> 4];
            out[o++] = la_hex[c & 0xf];
        } else if (strchr("\"+,;<>\\=", c) || (i == 0 && (c == ' ' || c == '#')) ||
                   (i == len - 1 && c == ' ')) {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = 0;
    return 0;
fail:
    out[0] = 0;
    return SB_ETOOBIG;
}

/* Escapes `in` as an RFC 4515 assertion value into `out` (cap bytes, NUL-terminated): '*', '(',
 * ')', '\' and control bytes become \XX, so a username can never add a wildcard or a clause.
 * Returns 0 or SB_ETOOBIG (out then holds an empty string). */
static int la_escape_filter_value(const char *in, char *out, size_t cap)
{
    size_t o = 0;
    for (const char *p = in; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (o + 4 > cap)
            goto fail;
        if (c < 0x20 || c == 0x7f || c == '*' || c == '(' || c == ')' || c == '\\') {
            out[o++] = '\\';
            out[o++] = la_hex[c >> 4];
            out[o++] = la_hex[c & 0xf];
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = 0;
    return 0;
fail:
    out[0] = 0;
    return SB_ETOOBIG;
}

/* Writes `tmpl` with its single "%s" replaced by `value` into `out` (cap bytes). The template
 * was checked by la_template_ok. Returns 0 or SB_ETOOBIG. */
static int la_expand(const char *tmpl, const char *value, char *out, size_t cap)
{
    const char *slot = strstr(tmpl, "%s");
    size_t pre = (size_t)(slot - tmpl), vlen = strlen(value), post = strlen(slot + 2);
    if (pre + vlen + post + 1 > cap)
        return SB_ETOOBIG;
    memcpy(out, tmpl, pre);
    memcpy(out + pre, value, vlen);
    memcpy(out + pre + vlen, slot + 2, post + 1);
    return 0;
}

/* Maps a libldap result code. Failing closed: anything not understood is "directory
 * unavailable", never success. */
static int la_map(int rc)
{
    switch (rc) {
    case LDAP_SUCCESS:
        return 0;
    case LDAP_INVALID_CREDENTIALS: /* AD also uses it for locked, disabled, expired */
    case LDAP_INAPPROPRIATE_AUTH:  /* the entry has no password */
    case LDAP_INVALID_DN_SYNTAX:   /* a username that makes no DN */
    case LDAP_NO_SUCH_OBJECT:
        return SB_EAUTH;
    case LDAP_NO_MEMORY:
        return SB_ENOMEM;
    case LDAP_FILTER_ERROR: /* user_filter is not a filter */
    case LDAP_PARAM_ERROR:
    case LDAP_NOT_SUPPORTED:
        return SB_EINVAL;
    default: /* SERVER_DOWN, CONNECT_ERROR, TIMEOUT, BUSY, UNAVAILABLE, TLS, protocol... */
        return SB_EUNAVAIL;
    }
}

/* Logs a failure that an operator must see (never the username or a password). */
static void la_log_failure(LDAP *ld, const char *what, const struct ldap_auth_config *cfg, int rc)
{
    char *diag = NULL;
    if (ld)
        (void)ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
    log_warn("ldap: %s failed for %.200s: %s%s%.300s", what, cfg->url, ldap_err2string(rc),
             diag && *diag ? ": " : "", diag ? diag : "");
    ldap_memfree(diag);
}

/* Opens a handle on cfg->url with every option set and, when configured, STARTTLS done.
 * On success *out owns the handle (ldap_unbind_ext_s). Returns 0, SB_EINVAL (bad URL) or
 * SB_EUNAVAIL/SB_ENOMEM; on error *out is NULL. */
static int la_open(const struct ldap_auth_config *cfg, const struct timeval *tv, LDAP **out)
{
    LDAP *ld = NULL;
    int rc, err;
    bool ldaps = strncasecmp(cfg->url, "ldaps://", 8) == 0;
    *out = NULL;

    rc = ldap_initialize(&ld, cfg->url);
    if (rc != LDAP_SUCCESS || !ld) {
        err = rc == LDAP_NO_MEMORY ? SB_ENOMEM : SB_EINVAL;
        la_log_failure(NULL, "initialize", cfg, rc);
        goto fail;
    }
    int version = LDAP_VERSION3;
    err = SB_EINTERNAL;
    if (ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version) != LDAP_OPT_SUCCESS ||
        ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, tv) != LDAP_OPT_SUCCESS ||
        ldap_set_option(ld, LDAP_OPT_TIMEOUT, tv) != LDAP_OPT_SUCCESS ||
        ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) != LDAP_OPT_SUCCESS)
        goto fail;

    if (ldaps || cfg->starttls) {
        /* Per-handle TLS settings take effect only in a context made after them. */
        int req = cfg->verify_cert ? LDAP_OPT_X_TLS_DEMAND : LDAP_OPT_X_TLS_NEVER;
        int min = LDAP_OPT_X_TLS_PROTOCOL_TLS1_2;
        int is_server = 0;
        err = SB_EUNAVAIL;
        if (ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &req) != LDAP_OPT_SUCCESS ||
            ldap_set_option(ld, LDAP_OPT_X_TLS_PROTOCOL_MIN, &min) != LDAP_OPT_SUCCESS) {
            la_log_failure(ld, "TLS options", cfg, LDAP_LOCAL_ERROR);
            goto fail;
        }
        rc = ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &is_server);
        if (rc != LDAP_OPT_SUCCESS) {
            la_log_failure(ld, "TLS context", cfg, rc);
            goto fail;
        }
    }
    if (cfg->starttls && !ldaps) {
        rc = ldap_start_tls_s(ld, NULL, NULL);
        if (rc != LDAP_SUCCESS) {
            /* Whatever the server said, the channel is not protected: never go on. */
            err = rc == LDAP_NO_MEMORY ? SB_ENOMEM : SB_EUNAVAIL;
            la_log_failure(ld, "STARTTLS", cfg, rc);
            goto fail;
        }
    }
    *out = ld;
    return 0;
fail:
    if (ld)
        ldap_unbind_ext_s(ld, NULL, NULL);
    return err;
}

/* Simple bind; returns the raw libldap code. `pw` is never empty here (that would be an
 * unauthenticated bind, which "succeeds"). */
static int la_bind(LDAP *ld, const char *dn, const char *pw)
{
    struct berval cred = {.bv_len = strlen(pw), .bv_val = (char *)pw};
    return ldap_sasl_bind_s(ld, dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
}

/* Finds the one entry matching user_filter under base_dn. On success `dn` (dn_cap bytes) gets
 * its DN and `mail` (mail_cap bytes) its first mail value, or "" when it has none or it does
 * not fit. Returns 0, SB_EAUTH (none or several), or a mapped error. */
static int la_search(LDAP *ld, const struct ldap_auth_config *cfg, const struct timeval *tv,
                     const char *username, char *dn, size_t dn_cap, char *mail, size_t mail_cap)
{
    char value[3 * LA_USERNAME_MAX + 1];
    char filter[LA_FILTER_MAX];
    static char mail_attr[] = "mail";
    char *attrs[] = {mail_attr, NULL};
    LDAPMessage *res = NULL;
    struct berval **vals = NULL;
    char *found = NULL;
    int err;

    dn[0] = 0;
    mail[0] = 0;
    err = la_escape_filter_value(username, value, sizeof value);
    if (err)
        goto fail;
    err = la_expand(cfg->user_filter, value, filter, sizeof filter);
    if (err)
        goto fail;

    struct timeval stv = *tv;
    int rc = ldap_search_ext_s(ld, cfg->base_dn, LDAP_SCOPE_SUBTREE, filter, attrs, 0, NULL, NULL,
                               &stv, LA_SIZE_LIMIT, &res);
    if (rc == LDAP_SIZELIMIT_EXCEEDED || rc == LDAP_NO_SUCH_OBJECT) {
        /* Ambiguous, or a base that does not exist (worth a word to the operator). */
        if (rc == LDAP_NO_SUCH_OBJECT)
            la_log_failure(ld, "search (base_dn)", cfg, rc);
        err = SB_EAUTH;
        goto fail;
    }
    if (rc != LDAP_SUCCESS) {
        err = la_map(rc);
        la_log_failure(ld, "search", cfg, rc);
        goto fail;
    }
    /* Search references (AD's continuation referrals) are not entries and do not count. */
    err = SB_EAUTH;
    if (ldap_count_entries(ld, res) != 1)
        goto fail;
    LDAPMessage *entry = ldap_first_entry(ld, res);
    if (!entry)
        goto fail;
    found = ldap_get_dn(ld, entry);
    if (!found || !found[0] || strlen(found) >= dn_cap)
        goto fail;
    memcpy(dn, found, strlen(found) + 1);

    vals = ldap_get_values_len(ld, entry, mail_attr);
    if (vals && vals[0] && vals[0]->bv_len < mail_cap &&
        !memchr(vals[0]->bv_val, 0, vals[0]->bv_len)) {
        memcpy(mail, vals[0]->bv_val, vals[0]->bv_len);
        mail[vals[0]->bv_len] = 0;
    }
    err = 0;
fail:
    if (vals)
        ldap_value_free_len(vals);
    ldap_memfree(found);
    if (res)
        ldap_msgfree(res);
    if (err)
        dn[0] = 0;
    return err;
}

/* Checks the configuration; returns 0 or SB_EINVAL. */
static int la_config_ok(const struct ldap_auth_config *cfg)
{
    if (!LA_FIELD_OK(cfg->url) || !LA_FIELD_OK(cfg->bind_template) || !LA_FIELD_OK(cfg->base_dn) ||
        !LA_FIELD_OK(cfg->user_filter) || !LA_FIELD_OK(cfg->service_dn) ||
        !LA_FIELD_OK(cfg->service_password))
        return SB_EINVAL;
    if (strncasecmp(cfg->url, "ldap://", 7) != 0 && strncasecmp(cfg->url, "ldaps://", 8) != 0)
        return SB_EINVAL;
    if (cfg->bind_template[0])
        return la_template_ok(cfg->bind_template) ? 0 : SB_EINVAL;
    if (!cfg->user_filter[0] || !la_template_ok(cfg->user_filter))
        return SB_EINVAL;
    /* A service DN without its password would be an unauthenticated bind. */
    if (cfg->service_dn[0] && !cfg->service_password[0])
        return SB_EINVAL;
    return 0;
}

int ldap_auth_check(const struct ldap_auth_config *cfg, const char *username, const char *password,
                    char *email_out, unsigned n)
{
    char dn[LA_DN_MAX];
    char mail[LA_MAIL_MAX] = "";
    char value[3 * LA_USERNAME_MAX + 1];
    LDAP *ld = NULL;
    int err, rc;

    if (email_out && n > 0)
        email_out[0] = 0;
    if (!cfg || !username || !password)
        return SB_EINVAL;
    err = la_config_ok(cfg);
    if (err)
        return err;
    /* Before any connection: an empty password would be an anonymous bind that succeeds. */
    size_t ulen = strnlen(username, LA_USERNAME_MAX + 1);
    if (!password[0] || strnlen(password, LA_PASSWORD_MAX + 1) > LA_PASSWORD_MAX || ulen == 0 ||
        ulen > LA_USERNAME_MAX)
        return SB_EAUTH;

    pthread_once(&la_once, la_global_init);
    int ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : LA_TIMEOUT_DEFAULT_MS;
    if (ms < LA_TIMEOUT_MIN_MS)
        ms = LA_TIMEOUT_MIN_MS;
    if (ms > LA_TIMEOUT_MAX_MS)
        ms = LA_TIMEOUT_MAX_MS;
    struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};

    if (cfg->bind_template[0]) {
        err = la_escape_dn_value(username, value, sizeof value);
        if (!err)
            err = la_expand(cfg->bind_template, value, dn, sizeof dn);
        if (err) {
            err = SB_EAUTH;
            goto fail;
        }
    }

    err = la_open(cfg, &tv, &ld);
    if (err)
        goto fail;

    if (!cfg->bind_template[0]) {
        if (cfg->service_dn[0]) {
            rc = la_bind(ld, cfg->service_dn, cfg->service_password);
            if (rc != LDAP_SUCCESS) {
                /* Not the user's fault: a rejected service account makes the directory
                 * unusable, so it is reported as unavailable, never as a wrong password. */
                err = rc == LDAP_NO_MEMORY ? SB_ENOMEM : SB_EUNAVAIL;
                la_log_failure(ld, "service bind", cfg, rc);
                goto fail;
            }
        }
        err = la_search(ld, cfg, &tv, username, dn, sizeof dn, mail, sizeof mail);
        if (err)
            goto fail;
    }

    /* A rebind on the same (possibly TLS-protected) connection. */
    rc = la_bind(ld, dn, password);
    if (rc != LDAP_SUCCESS) {
        err = la_map(rc);
        if (err != SB_EAUTH)
            la_log_failure(ld, "bind", cfg, rc);
        goto fail;
    }
    if (email_out && n > 0 && strlen(mail) < n)
        memcpy(email_out, mail, strlen(mail) + 1);
    err = 0;
fail:
    if (ld)
        ldap_unbind_ext_s(ld, NULL, NULL);
    return err;
}
