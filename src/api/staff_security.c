/* Admin actions on an account's security state: unlock, end all its sessions. The full staff
 * resource (create, edit every seed section) comes with the staff issue. */
#include "api/handlers.h"
#include "api/json_out.h"
#include "app.h"
#include "auth/audit.h"
#include "auth/guard.h"
#include "auth/session.h"
#include "core/err.h"
#include "staff/accounts.h"
#include "ws/hub.h"

static int load_target(struct http_req *req, struct db **db, struct account *a)
{
    int64_t id;
    if (http_param_id(req, "id", &id)) {
        http_reply_problem(req, 404, "no such staff member");
        return SB_ENOTFOUND;
    }
    *db = app_thread_db(req->app);
    int r = *db ? account_by_id(*db, id, a) : SB_EUNAVAIL;
    if (r == SB_ENOTFOUND)
        http_reply_problem(req, 404, "no such staff member");
    else if (r)
        http_reply_error(req, r);
    return r;
}

int api_staff_unlock(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_ADMIN, &who))
        return http_replied(req);
    struct db *db;
    struct account a;
    if (load_target(req, &db, &a))
        return http_replied(req);
    int64_t now = clock_now_ms(req->app->clock);
    int r = account_unlock(db, a.id, now);
    if (r)
        return http_reply_error(req, r);
    audit_record(db, now, who.user_id, "account.unlock", "staff", a.id, auth_client_ip(req),
                 json_pack("{s:s}", "by", "administrator"));
    account_by_id(db, a.id, &a);
    return http_reply_json(req, 200, json_account(&a));
}

int api_staff_sessions_delete(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_ADMIN, &who))
        return http_replied(req);
    struct db *db;
    struct account a;
    if (load_target(req, &db, &a))
        return http_replied(req);
    int64_t now = clock_now_ms(req->app->clock);
    int n = 0;
    int r = session_revoke_all(db, a.id, 0, "revoked by administrator", now, &n);
    if (r)
        return http_reply_error(req, r);
    hub_close_user(req->app->hub, a.id, 4001, (struct ws_ref){0, 0});
    audit_record(db, now, who.user_id, "session.revoke", "staff", a.id, auth_client_ip(req),
                 json_pack("{s:s, s:i}", "reason", "revoked by administrator", "count", n));
    return http_reply_json(req, 200, json_pack("{s:i}", "revoked", n));
}
