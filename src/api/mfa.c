/* MFA: enrol (secret + otpauth URI + QR), activate (recovery codes, shown once), turn off
 * (own, with the password; refused where enforced), and an admin turning it off for one
 * account (lost phone). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/json_out.h"
#include "app.h"
#include "auth/audit.h"
#include "auth/guard.h"
#include "auth/login.h"
#include "auth/mfa.h"
#include "auth/password.h"
#include "core/err.h"
#include "http/respond.h"

static int reply_403_code(struct http_req *req, const char *detail, const char *code)
{
    json_t *p = http_problem_new(403, detail, NULL);
    json_object_set_new(p, "code", json_string(code));
    return http_reply_problem_json(req, p);
}

/* The checks every enrolment route shares: a real account (not the admin token) and MFA not
 * disabled for all. Queues the refusal and returns false otherwise. */
static bool enrolment_allowed(struct http_req *req, const struct auth_principal *who)
{
    if (!who->user_id) {
        http_reply_problem(req, 400, "the admin token has no account");
        return false;
    }
    if (mfa_disabled_globally()) {
        reply_403_code(req, "multi-factor authentication is disabled for all users",
                       "mfa_disabled");
        return false;
    }
    return true;
}

int api_mfa_enroll(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_AGENT, &who))
        return http_replied(req);
    if (!enrolment_allowed(req, &who))
        return http_replied(req);
    char base32[TOTP_BASE32_LEN + 1], *uri = NULL, *svg = NULL;
    struct db *db = app_thread_db(req->app);
    int r = db ? mfa_enroll_start(db, &who.account, base32, &uri, &svg) : SB_EUNAVAIL;
    if (r)
        return http_reply_error(req, r);
    json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:i, s:i}", "secret", base32, "otpauth_uri", uri,
                             "qr_svg", svg, "algorithm", "SHA1", "digits", 6, "period", 30);
    sodium_memzero(base32, sizeof(base32));
    free(uri);
    free(svg);
    return http_reply_json(req, 200, body);
}

/* The domain call that confirms an enrolment: TOTP or e-mail. */
typedef int (*activate_fn)(struct db *db, const struct account *a, const char *code, int64_t now_ms,
                           char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_LEN + 1]);

/* Shared by both activation routes: checks, the confirming code, MFA on, the recovery codes
 * shown once. `wrong_code` is the field message when the code does not match. */
static int activate(struct http_req *req, const char *method, activate_fn fn,
                    const char *wrong_code)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_AGENT, &who))
        return http_replied(req);
    if (!enrolment_allowed(req, &who))
        return http_replied(req);
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    const char *code = json_string_value(json_object_get(body, "code"));
    char c[TOTP_RECOVERY_LEN + 1] = "";
    if (code && strlen(code) < sizeof(c))
        snprintf(c, sizeof(c), "%s", code);
    json_decref(body);
    struct db *db = app_thread_db(req->app);
    char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_LEN + 1];
    int64_t now = clock_now_ms(req->app->clock);
    int r = db ? fn(db, &who.account, c, now, codes) : SB_EUNAVAIL;
    if (r == SB_EINVALID) {
        json_t *p = http_problem_new(422, "MFA was not activated", NULL);
        http_problem_add_error(p, "code", wrong_code);
        return http_reply_problem_json(req, p);
    }
    if (r)
        return http_reply_error(req, r);
    audit_record(db, now, who.user_id, "mfa.enable", "staff", who.user_id, auth_client_ip(req),
                 json_pack("{s:s}", "method", method));
    json_t *list = json_array();
    for (int i = 0; i < TOTP_RECOVERY_CODES; i++)
        json_array_append_new(list, json_string(codes[i]));
    sodium_memzero(codes, sizeof(codes));
    return http_reply_json(
        req, 200,
        json_pack("{s:b, s:s, s:o}", "enabled", 1, "method", method, "recovery_codes", list));
}

int api_mfa_activate(struct http_req *req)
{
    return activate(req, "totp", mfa_enroll_activate,
                    "is not the current code of the secret being enrolled (start enrolment "
                    "first)");
}

struct disable_job {
    struct auth_principal who;
    char password[PASSWORD_MAX_BYTES + 1];
};

static void disable_work(struct http_req *req, void *arg)
{
    struct disable_job *j = arg;
    bool ok = j->who.account.password_hash[0] &&
              password_verify(j->who.account.password_hash, j->password) == 0;
    sodium_memzero(j->password, sizeof(j->password));
    if (!ok) {
        json_t *p = http_problem_new(422, "MFA was not turned off", NULL);
        http_problem_add_error(p, "password", "is not your current password");
        http_async_result(req, 422, p);
        return;
    }
    struct db *db = app_thread_db(req->app);
    int r = db ? mfa_disable(db, j->who.user_id) : SB_EUNAVAIL;
    if (r) {
        http_async_result(req, sb_err_status(r), http_problem_new(sb_err_status(r), NULL, NULL));
        return;
    }
    audit_record(db, clock_now_ms(req->app->clock), j->who.user_id, "mfa.disable", "staff",
                 j->who.user_id, NULL, json_pack("{s:s}", "by", "self"));
    http_async_result(req, 204, NULL);
}

int api_mfa_disable_own(struct http_req *req)
{
    struct disable_job *j = arena_calloc(&req->arena, sizeof(*j));
    if (!j)
        return http_reply_error(req, SB_ENOMEM);
    if (auth_require(req, AUTH_ROLE_AGENT, &j->who))
        return http_replied(req);
    if (!j->who.user_id)
        return http_reply_problem(req, 400, "the admin token has no account");
    if (mfa_enforced_for(&j->who.account))
        return reply_403_code(req, "multi-factor authentication is enforced for your role",
                              "mfa_enforced");
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    json_t *pw = json_object_get(body, "password");
    const char *s = json_string_value(pw);
    if (!s || !*s || json_string_length(pw) > PASSWORD_MAX_BYTES ||
        strlen(s) != json_string_length(pw)) {
        json_decref(body);
        json_t *p = http_problem_new(422, "MFA was not turned off", NULL);
        http_problem_add_error(p, "password", "is required to turn MFA off");
        return http_reply_problem_json(req, p);
    }
    snprintf(j->password, sizeof(j->password), "%s", s);
    json_decref(body);
    return http_defer(req, disable_work, j);
}

int api_staff_mfa_delete(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_ADMIN, &who))
        return http_replied(req);
    int64_t id;
    struct db *db = app_thread_db(req->app);
    struct account a;
    if (http_param_id(req, "id", &id))
        return http_reply_problem(req, 404, "no such staff member");
    int r = db ? account_by_id(db, id, &a) : SB_EUNAVAIL;
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such staff member");
    if (!r)
        r = mfa_disable(db, id);
    if (r)
        return http_reply_error(req, r);
    audit_record(db, clock_now_ms(req->app->clock), who.user_id, "mfa.disable", "staff", id,
                 auth_client_ip(req), json_pack("{s:s}", "by", "administrator"));
    account_by_id(db, id, &a);
    return http_reply_json(req, 200, json_account(&a));
}

/* Masks an address for display: "a***@example.com". */
static void mask_email(const char *email, char *out, size_t n)
{
    const char *at = strchr(email, '@');
    if (!at || at == email) {
        snprintf(out, n, "***");
        return;
    }
    snprintf(out, n, "%c***%s", email[0], at);
}

static void email_enroll_work(struct http_req *req, void *arg)
{
    struct auth_principal *who = arg;
    struct db *db = app_thread_db(req->app);
    char token[44];
    int r = db ? mfa_email_challenge(req->app, db, &who->account, "enroll",
                                     clock_now_ms(req->app->clock), token)
               : SB_EUNAVAIL;
    sodium_memzero(token, sizeof(token));
    if (r) {
        http_async_result(req, 503,
                          http_problem_new(503, "the code could not be sent by e-mail", NULL));
        return;
    }
    char masked[300];
    mask_email(who->account.email, masked, sizeof(masked));
    http_async_result(req, 202, json_pack("{s:s, s:i}", "sent_to", masked, "valid_minutes", 10));
}

int api_mfa_email_enroll(struct http_req *req)
{
    struct auth_principal *who = arena_calloc(&req->arena, sizeof(*who));
    if (!who)
        return http_reply_error(req, SB_ENOMEM);
    if (auth_require(req, AUTH_ROLE_AGENT, who))
        return http_replied(req);
    if (!enrolment_allowed(req, who))
        return http_replied(req);
    if (!req->app->cfg.smtp_host[0])
        return http_reply_problem(req, 503,
                                  "the e-mail method is unavailable: no SMTP server "
                                  "is configured");
    if (!who->account.email[0]) {
        json_t *p = http_problem_new(422, "no e-mail address", NULL);
        http_problem_add_error(p, "email", "your account has no e-mail address");
        return http_reply_problem_json(req, p);
    }
    return http_defer(req, email_enroll_work, who);
}

int api_mfa_email_activate(struct http_req *req)
{
    return activate(req, "email", mfa_email_activate,
                    "is not the code that was mailed, or it expired");
}
