#include "auth/guard.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "admin/settings.h"
#include "app.h"
#include "auth/apikey.h"
#include "auth/login.h"
#include "auth/mfa.h"
#include "core/err.h"
#include "http/respond.h"
#include "http/router.h"

enum auth_role auth_role_of(const char *role)
{
    if (!strcmp(role, "admin"))
        return AUTH_ROLE_ADMIN;
    if (!strcmp(role, "user"))
        return AUTH_ROLE_USER;
    return AUTH_ROLE_AGENT;
}

const char *auth_cookie_name(const struct http_req *req)
{
    return strncmp(req->app->cfg.http_public_url, "https://", 8) ? "sb_session"
                                                                 : "__Host-sb_session";
}

int auth_set_cookie(struct http_req *req, const char *token, int64_t max_age_s)
{
    bool secure = !strncmp(req->app->cfg.http_public_url, "https://", 8);
    char v[256];
    snprintf(v, sizeof(v), "%s=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Lax%s",
             auth_cookie_name(req), token ? token : "", token ? (long long)max_age_s : 0LL,
             secure ? "; Secure" : "");
    return http_add_header(req, MHD_HTTP_HEADER_SET_COOKIE, v);
}

const char *auth_client_ip(struct http_req *req)
{
    char buf[INET6_ADDRSTRLEN] = "unknown";
    bool loopback = false;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ci->client_addr;
        inet_ntop(AF_INET, &in->sin_addr, buf, sizeof(buf));
        loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    } else if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ci->client_addr;
        inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof(buf));
        loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
    }
    const char *xff = http_header(req, "X-Forwarded-For");
    if (req->app->cfg.http_trust_proxy && loopback && xff && *xff) {
        /* nginx appends the address it saw last: that entry is the one it vouches for. */
        const char *last = strrchr(xff, ',');
        last = last ? last + 1 : xff;
        while (*last == ' ')
            last++;
        unsigned char tmp[sizeof(struct in6_addr)];
        if (inet_pton(AF_INET, last, tmp) == 1 || inet_pton(AF_INET6, last, tmp) == 1)
            snprintf(buf, sizeof(buf), "%s", last);
    }
    const char *out = arena_strdup(&req->arena, buf);
    return out ? out : "unknown";
}

static int reply_401(struct http_req *req, const char *detail)
{
    http_add_header(req, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"switchboard\"");
    http_reply_problem(req, 401, detail);
    return SB_EAUTH;
}

static int reply_403(struct http_req *req, const char *detail, const char *code)
{
    json_t *p = http_problem_new(403, detail, NULL);
    if (p && code)
        json_object_set_new(p, "code", json_string(code));
    http_reply_problem_json(req, p);
    return SB_EFORBIDDEN;
}

static int check_admin_token(struct http_req *req, const char *token, struct auth_principal *who)
{
    const char *configured = req->app->cfg.server_admin_token;
    if (!configured[0])
        return SB_EAUTH;
    /* Compare fixed-size digests so neither content nor length leaks through timing. */
    unsigned char a[crypto_generichash_BYTES], b[crypto_generichash_BYTES];
    crypto_generichash(a, sizeof(a), (const unsigned char *)token, strlen(token), NULL, 0);
    crypto_generichash(b, sizeof(b), (const unsigned char *)configured, strlen(configured), NULL,
                       0);
    if (sodium_memcmp(a, b, sizeof(a)))
        return SB_EAUTH;
    memset(who, 0, sizeof(*who));
    who->role = AUTH_ROLE_ADMIN;
    return 0;
}

int auth_identify(struct http_req *req, struct auth_principal *who)
{
    const char *token =
        MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, auth_cookie_name(req));
    if (!token)
        return SB_EAUTH;
    struct db *db = app_thread_db(req->app);
    if (!db)
        return SB_EUNAVAIL;
    struct session s;
    int64_t now = clock_now_ms(req->app->clock);
    int r = session_lookup(db, token, now, settings_idle_ms(), &s);
    if (r)
        return r;
    memset(who, 0, sizeof(*who));
    r = account_by_id(db, s.staff_id, &who->account);
    if (r)
        return r == SB_ENOTFOUND ? SB_EAUTH : r;
    who->user_id = s.staff_id;
    who->session_id = s.id;
    who->role = auth_role_of(who->account.role);
    snprintf(who->token, sizeof(who->token), "%s", token);
    return 0;
}

int auth_require(struct http_req *req, enum auth_role min_role, struct auth_principal *who)
{
    const char *h = http_header(req, MHD_HTTP_HEADER_AUTHORIZATION);
    if (h && !strncasecmp(h, "Bearer ", 7) && apikey_looks_like(h + 7)) {
        struct db *db = app_thread_db(req->app);
        int64_t staff_id, key_id;
        int r = db ? apikey_lookup(db, h + 7, clock_now_ms(req->app->clock), &staff_id, &key_id)
                   : SB_EUNAVAIL;
        if (!r) {
            memset(who, 0, sizeof(*who));
            r = account_by_id(db, staff_id, &who->account);
        }
        if (r == SB_EAUTH || r == SB_ENOTFOUND)
            return reply_401(req, "invalid or revoked API key");
        if (r) {
            http_reply_error(req, r);
            return r;
        }
        who->user_id = staff_id;
        who->api_key_id = key_id;
        who->role = auth_role_of(who->account.role);
    } else if (h) {
        if (strncasecmp(h, "Bearer ", 7) || check_admin_token(req, h + 7, who))
            return reply_401(req, "invalid credentials");
    } else {
        int r = auth_identify(req, who);
        if (r == SB_EAUTH)
            return reply_401(req, "not logged in, or the session has ended");
        if (r) {
            http_reply_error(req, r);
            return r;
        }
        bool safe = !strcmp(req->method, "GET") || !strcmp(req->method, "HEAD") ||
                    !strcmp(req->method, "OPTIONS");
        char csrf[SESSION_TOKEN_LEN + 1];
        session_csrf_for(who->token, csrf);
        const char *sent = http_header(req, "X-CSRF-Token");
        if (!safe && (!sent || strlen(sent) != SESSION_TOKEN_LEN ||
                      sodium_memcmp(sent, csrf, SESSION_TOKEN_LEN)))
            return reply_403(req, "missing or invalid X-CSRF-Token header", "csrf");
        int days;
        if (login_password_expired(&who->account, clock_now_ms(req->app->clock), &days) &&
            !(req->route && (req->route->flags & ROUTE_PASSWORD_PENDING_OK)))
            return reply_403(req, "the password must be changed first", "password_change_required");
        if (mfa_enforced_for(&who->account) && !who->account.mfa_enabled &&
            !(req->route && (req->route->flags & ROUTE_MFA_SETUP_OK)))
            return reply_403(req, "multi-factor authentication must be set up first",
                             "mfa_enrollment_required");
    }
    if (who->role < min_role)
        return reply_403(req, "your role may not do this", "role");
    req->caller_id = who->user_id;
    req->caller_role = who->role == AUTH_ROLE_ADMIN  ? "admin"
                       : who->role == AUTH_ROLE_USER ? "user"
                                                     : "agent";
    return 0;
}
