#include <stdio.h>
#include <string.h>

#include "api/handlers.h"
#include "app.h"
#include "auth/guard.h"
#include "http/server.h"
#include "ws/hub.h"
#include "ws/upgrade.h"

static const char *role_name(enum auth_role r)
{
    return r == AUTH_ROLE_ADMIN ? "admin" : r == AUTH_ROLE_USER ? "user" : "agent";
}

int api_ws_get(struct http_req *req)
{
    /* Browsers cannot set headers on a WebSocket: they come anonymous until session cookies
     * land (identity issue) and see only "all". Integrations may present credentials, which
     * then must be valid: they subscribe the socket to its user and role topics. */
    struct hub_identity who = {0};
    if (http_header(req, "Authorization")) {
        struct auth_principal p;
        if (auth_require(req, AUTH_ROLE_AGENT, &p))
            return http_replied(req);
        who.user_id = p.user_id;
        snprintf(who.role, sizeof(who.role), "%s", role_name(p.role));
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
