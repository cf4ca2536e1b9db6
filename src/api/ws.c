#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

#include "api/handlers.h"
#include "app.h"
#include "auth/guard.h"
#include "core/err.h"
#include "http/server.h"
#include "ws/hub.h"
#include "ws/upgrade.h"

static const char *role_name(enum auth_role r)
{
    return r == AUTH_ROLE_ADMIN ? "admin" : r == AUTH_ROLE_USER ? "user" : "agent";
}

int api_ws_get(struct http_req *req)
{
    /* Browsers present the session cookie (the Origin allow-list stops other sites from
     * riding it); integrations may present a bearer credential. Either, when present, must be
     * valid; without any the socket is anonymous and sees only "all". */
    struct hub_identity who = {0};
    struct auth_principal p;
    bool has_cookie =
        MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, auth_cookie_name(req)) != NULL;
    if (http_header(req, "Authorization")) {
        if (auth_require(req, AUTH_ROLE_AGENT, &p))
            return http_replied(req);
    } else if (has_cookie) {
        int r = auth_identify(req, &p);
        if (r == SB_EAUTH)
            return http_reply_problem(req, 401, "not logged in, or the session has ended");
        if (r)
            return http_reply_error(req, r);
    }
    if (http_header(req, "Authorization") || has_cookie) {
        who.user_id = p.user_id;
        snprintf(who.role, sizeof(who.role), "%s", role_name(p.role));
        snprintf(who.session_id, sizeof(who.session_id), "%lld", (long long)p.session_id);
    }
    int status = 0;
    int r = ws_upgrade_respond(req->conn, req->app->hub, &who, req->app->cfg.ws_allowed_origins,
                               &status);
    req->status = status;
    req->reply_result = r;
    if (status == 101)
        http_server_detach(req);
    return r;
}
