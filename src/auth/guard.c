#include "auth/guard.h"

#include <microhttpd.h>
#include <sodium.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "core/err.h"
#include "http/respond.h"

static int reply_401(struct http_req *req, const char *detail)
{
    json_t *p = http_problem_new(401, detail, NULL);
    char *text = p ? json_dumps(p, JSON_COMPACT) : NULL;
    json_decref(p);
    struct MHD_Response *resp =
        text ? MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE) : NULL;
    if (!resp) {
        free(text);
        req->reply_result = MHD_NO;
        return SB_EAUTH;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/problem+json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"switchboard\"");
    http_add_standard_headers(resp);
    req->status = 401;
    req->reply_result = MHD_queue_response(req->conn, 401, resp);
    MHD_destroy_response(resp);
    return SB_EAUTH;
}

int auth_require(struct http_req *req, enum auth_role min_role, struct auth_principal *who)
{
    const char *h = http_header(req, MHD_HTTP_HEADER_AUTHORIZATION);
    const char *configured = req->app->cfg.server_admin_token;
    if (!h || strncasecmp(h, "Bearer ", 7))
        return reply_401(req, "credentials are required");
    const char *token = h + 7;
    if (!configured[0])
        return reply_401(req, "invalid credentials");
    /* Compare fixed-size digests so neither content nor length leaks through timing. */
    unsigned char a[crypto_generichash_BYTES], b[crypto_generichash_BYTES];
    crypto_generichash(a, sizeof(a), (const unsigned char *)token, strlen(token), NULL, 0);
    crypto_generichash(b, sizeof(b), (const unsigned char *)configured, strlen(configured), NULL,
                       0);
    if (sodium_memcmp(a, b, sizeof(a)))
        return reply_401(req, "invalid credentials");
    who->user_id = 0;
    who->role = AUTH_ROLE_ADMIN;
    if (who->role < min_role) {
        http_reply_problem(req, 403, "your role may not do this");
        return SB_EFORBIDDEN;
    }
    return 0;
}
