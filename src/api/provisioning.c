/* Asterisk provisioning (docs/asterisk.md): the agents as pjsip.conf sections for an
 * administrator, an administrator's rotation of an agent's SIP secret, and an agent's own SIP
 * account for its softphone. The secret is shown only by the last two, to those two people. */
#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "app.h"
#include "auth/audit.h"
#include "auth/guard.h"
#include "core/err.h"
#include "core/log.h"
#include "http/respond.h"
#include "staff/agents.h"
#include "staff/asterisk.h"
#include "staff/sip_secret.h"

/* Gives agents created without a key file (CLI) or before a realm change their credentials;
 * cheap when there is nothing to do. A failure only means some agents stay left out. */
static void sip_backfill(struct http_req *req, struct db *db)
{
    int changed = 0;
    if (sip_secret_backfill(db, req->app->cfg.asterisk_realm, clock_now_ms(req->app->clock),
                            &changed))
        log_warn("SIP credential backfill failed: %s", db_errmsg(db));
    else if (changed)
        log_info("SIP credentials created or updated for %d agent(s)", changed);
}

/* Queues `text` (taken) as a text/plain attachment. */
static int reply_text_attachment(struct http_req *req, char *text, size_t len, const char *filename)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        return http_reply_error(req, SB_ENOMEM);
    }
    char disposition[160];
    snprintf(disposition, sizeof(disposition), "attachment; filename=\"%s\"", filename);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disposition);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    http_add_standard_headers(resp);
    req->status = 200;
    int r = MHD_queue_response(req->conn, 200, resp);
    MHD_destroy_response(resp);
    return req->reply_result = r;
}

int api_provisioning_pjsip_get(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_ADMIN, &who))
        return http_replied(req);
    struct db *db = app_thread_db(req->app);
    if (!db)
        return http_reply_error(req, SB_EUNAVAIL);
    sip_backfill(req, db);
    char *text = NULL;
    size_t len = 0;
    int r = asterisk_pjsip_conf(db, &text, &len);
    if (r)
        return http_reply_error(req, r);
    /* md5_cred authenticates to this realm: who took a copy is worth knowing. */
    audit_record(db, clock_now_ms(req->app->clock), who.user_id, "asterisk.pjsip_conf", NULL, 0,
                 auth_client_ip(req), json_pack("{s:I}", "bytes", (json_int_t)len));
    return reply_text_attachment(req, text, len, "pjsip_switchboard.conf");
}

int api_agents_sip_secret_rotate(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_ADMIN, &who))
        return http_replied(req);
    int64_t id;
    struct db *db = app_thread_db(req->app);
    json_t *agent = NULL;
    int r = http_param_id(req, "id", &id);
    if (!r)
        r = db ? agent_get(db, id, &agent) : SB_EUNAVAIL;
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such agent");
    if (r)
        return http_reply_error(req, r);
    const char *realm = req->app->cfg.asterisk_realm;
    char username[ACCOUNT_USERNAME_MAX + 1], secret[SIP_SECRET_LEN + 1];
    snprintf(username, sizeof(username), "%s",
             json_string_value(json_object_get(agent, "username")));
    json_decref(agent);
    int64_t now = clock_now_ms(req->app->clock);
    r = sip_secret_rotate(db, id, username, realm, now, secret);
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such agent");
    if (r)
        return http_reply_error(req, r);
    audit_record(db, now, who.user_id, "agent.sip_secret.rotate", "staff", id, auth_client_ip(req),
                 NULL);
    json_t *out =
        json_pack("{s:s, s:s, s:s}", "username", username, "secret", secret, "realm", realm);
    sodium_memzero(secret, sizeof(secret));
    return out ? http_reply_json(req, 200, out) : http_reply_error(req, SB_ENOMEM);
}

int api_auth_me_sip(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_AGENT, &who))
        return http_replied(req);
    if (!who.user_id || strcmp(who.account.role, "agent"))
        return http_reply_problem(req, 404, "only agents have a SIP account");
    struct db *db = app_thread_db(req->app);
    if (!db)
        return http_reply_error(req, SB_EUNAVAIL);
    char typology[16], secret[SIP_SECRET_BUF_SZ], realm[SIP_REALM_MAX + 1];
    json_t *settings = NULL;
    int r = agent_load_settings(db, who.user_id, typology, &settings);
    if (!r) {
        r = sip_secret_reveal(db, who.user_id, secret, realm);
        if (r == SB_ENOTFOUND) { /* made by the CLI without the key file: create it now */
            sip_backfill(req, db);
            r = sip_secret_reveal(db, who.user_id, secret, realm);
        }
    }
    if (r == SB_ENOTFOUND) {
        json_decref(settings);
        return http_reply_problem(req, 404, "this agent has no SIP account");
    }
    if (r) {
        json_decref(settings);
        sodium_memzero(secret, sizeof(secret));
        return http_reply_error(req, r);
    }
    json_t *transports = json_object_get(settings, "transport");
    json_t *out = json_pack("{s:s, s:s, s:s, s:s, s:O}", "username", who.account.username, "secret",
                            secret, "realm", realm, "typology", typology, "transports",
                            transports ? transports : json_null());
    sodium_memzero(secret, sizeof(secret));
    json_decref(settings);
    if (!out)
        return http_reply_error(req, SB_ENOMEM);
    audit_record(db, clock_now_ms(req->app->clock), who.user_id, "agent.sip_secret.read", "staff",
                 who.user_id, auth_client_ip(req), NULL);
    return http_reply_json(req, 200, out);
}
