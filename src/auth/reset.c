#include "auth/reset.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "admin/settings.h"
#include "app.h"
#include "auth/audit.h"
#include "auth/password.h"
#include "auth/session.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mailer.h"
#include "db/db.h"
#include "staff/accounts.h"
#include "ws/hub.h"

#define RESET_MAX_ACCOUNTS 5

bool reset_available(const struct sb_app *app)
{
    return app->cfg.smtp_host[0] != 0;
}

/* Creates a token for `a` (voiding older ones) unless one was made in the last minute. */
static int make_token(struct db *db, int64_t staff_id, int64_t now, char token[44], bool *made)
{
    int64_t recent = 0;
    *made = false;
    int r = db_query_int64(db,
                           "SELECT COUNT(*) FROM password_resets WHERE staff_id = ? AND "
                           "created_at > ?",
                           &recent, 2, staff_id, now - 60000);
    if (r || recent)
        return r;
    unsigned char b[32];
    randombytes_buf(b, sizeof(b));
    sodium_bin2base64(token, 44, b, sizeof(b), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(b, sizeof(b));
    char hash[65];
    session_hash(token, hash);
    r = db_begin(db);
    if (r)
        return r;
    int64_t dummy;
    r = db_query_int64(db,
                       "UPDATE password_resets SET used_at = ? WHERE staff_id = ? AND used_at IS "
                       "NULL RETURNING id",
                       &dummy, 2, now, staff_id);
    struct db_stmt *st = NULL;
    if (!r)
        r = db_prepare(db,
                       "INSERT INTO password_resets(staff_id, token_hash, created_at, expires_at) "
                       "VALUES(?, ?, ?, ?)",
                       &st);
    if (!r)
        r = db_bind_int64(st, 1, staff_id);
    if (!r)
        r = db_bind_text(st, 2, hash, -1);
    if (!r)
        r = db_bind_int64(st, 3, now);
    if (!r)
        r = db_bind_int64(st, 4, now + RESET_TTL_MS);
    if (!r)
        r = db_step(st) == DB_DONE ? 0 : SB_EINTERNAL;
    db_finalize(st);
    if (!r)
        r = db_commit(db);
    if (r) {
        db_rollback(db);
        return r;
    }
    *made = true;
    return 0;
}

static int send_link(struct sb_app *app, const struct account *a, const char *token)
{
    char base[300], url[400], body[1400];
    if (app->cfg.http_public_url[0])
        snprintf(base, sizeof(base), "%s", app->cfg.http_public_url);
    else
        snprintf(base, sizeof(base), "http://%s:%d", app->cfg.http_address, app->cfg.http_port);
    size_t bl = strlen(base);
    if (bl && base[bl - 1] == '/')
        base[bl - 1] = 0;
    snprintf(url, sizeof(url), "%s/reset-password?token=%s", base, token);
    snprintf(body, sizeof(body),
             "Hello %s,\n\n"
             "someone, hopefully you, asked to reset the password of the Switchboard account "
             "\"%s\".\n"
             "Open this link within one hour to choose a new password:\n\n%s\n\n"
             "The link works once. If you did not ask for this, ignore this message: your "
             "password stays as it is.\n",
             a->full_name, a->username, url);
    struct mailer_config mc;
    app_mailer_config(app, &mc);
    struct mailer_message msg = {
        .to = a->email, .subject = "Switchboard password reset", .text = body};
    int r = mailer_send(&mc, &msg);
    sodium_memzero(&mc, sizeof(mc));
    sodium_memzero(url, sizeof(url));
    sodium_memzero(body, sizeof(body));
    return r;
}

int reset_request(struct sb_app *app, struct db *db, const char *email, const char *ip)
{
    int64_t now = clock_now_ms(app->clock);
    struct db_stmt *st;
    int64_t ids[RESET_MAX_ACCOUNTS];
    int n = 0;
    int r = db_prepare(db,
                       "SELECT id FROM staff WHERE lower(email) = lower(?) AND deleted_at IS NULL "
                       "AND disabled = 0 ORDER BY id LIMIT 5",
                       &st);
    if (r)
        return r;
    r = db_bind_text(st, 1, email, -1);
    while (!r && (r = db_step(st)) == DB_ROW) {
        ids[n++] = db_col_int64(st, 0);
        r = 0;
    }
    db_finalize(st);
    if (r != DB_DONE)
        return r;
    if (!n)
        return audit_record(db, now, 0, "password.reset_request", NULL, 0, ip,
                            json_pack("{s:s, s:b}", "email", email, "account_found", 0));
    for (int i = 0; i < n; i++) {
        struct account a;
        char token[44];
        bool made;
        r = account_by_id(db, ids[i], &a);
        if (!r)
            r = make_token(db, a.id, now, token, &made);
        if (r)
            return r;
        if (!made)
            continue;
        r = send_link(app, &a, token);
        sodium_memzero(token, sizeof(token));
        audit_record(db, now, 0, "password.reset_request", "staff", a.id, ip,
                     json_pack("{s:b}", "mail_sent", r == 0));
        if (r)
            log_warn("password-reset mail for account %lld not sent (%d)", (long long)a.id, r);
    }
    return 0;
}

static void add_error(json_t **errors, const char *field, const char *msg)
{
    if (!*errors)
        *errors = json_array();
    json_array_append_new(*errors, json_pack("{s:s, s:s}", "field", field, "message", msg));
}

int reset_complete(struct sb_app *app, struct db *db, const char *token, const char *new_pw,
                   const char *ip, json_t **errors)
{
    *errors = NULL;
    int64_t now = clock_now_ms(app->clock);
    char hash[65];
    session_hash(token, hash);
    struct db_stmt *st;
    int64_t reset_id = 0, staff_id = 0;
    int r = db_prepare(db,
                       "SELECT id, staff_id FROM password_resets WHERE token_hash = ? AND used_at "
                       "IS NULL AND expires_at > ?",
                       &st);
    if (r)
        return r;
    r = db_bind_text(st, 1, hash, -1);
    if (!r)
        r = db_bind_int64(st, 2, now);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        reset_id = db_col_int64(st, 0);
        staff_id = db_col_int64(st, 1);
        r = 0;
    }
    db_finalize(st);
    if (r < 0)
        return r;
    if (!reset_id) { /* DB_DONE: no such live token */
        add_error(errors, "token", "is unknown, already used or expired: ask for a new link");
        return SB_EINVALID;
    }
    struct account a;
    r = account_by_id(db, staff_id, &a);
    if (r == SB_ENOTFOUND || (!r && a.disabled)) {
        add_error(errors, "token", "is unknown, already used or expired: ask for a new link");
        return SB_EINVALID;
    }
    if (r)
        return r;
    unsigned broken = password_policy_check(new_pw, settings_get_bool("security.suite_enabled"));
    if (broken) {
        *errors = json_array();
        password_policy_errors(broken, "new_password", *errors);
        return SB_EINVALID;
    }
    bool reused;
    int history = settings_get_bool("security.enforce_password_history")
                      ? (int)settings_get_int("security.password_history_count")
                      : 0;
    r = account_password_reused(db, &a, new_pw, history, &reused);
    if (r)
        return r;
    if (reused) {
        add_error(errors, "new_password", "must differ from your current and recent passwords");
        return SB_EINVALID;
    }
    /* Claim the token first: of two concurrent completions only one may win. */
    int64_t claimed = 0;
    r = db_query_int64(db,
                       "UPDATE password_resets SET used_at = ? WHERE id = ? AND used_at IS NULL "
                       "RETURNING id",
                       &claimed, 2, now, reset_id);
    if (r)
        return r;
    if (!claimed) {
        add_error(errors, "token", "is unknown, already used or expired: ask for a new link");
        return SB_EINVALID;
    }
    char h[PASSWORD_HASH_MAX];
    r = password_hash(new_pw, h);
    if (!r)
        r = account_set_password(db, a.id, h, false, now);
    sodium_memzero(h, sizeof(h));
    if (r)
        return r;
    /* A lock stays: the seed sends locked users to the administrator either way. */
    int n = 0;
    session_revoke_all(db, a.id, 0, "password reset", now, &n);
    if (app->hub)
        hub_close_user(app->hub, a.id, 4001, (struct ws_ref){0, 0});
    audit_record(db, now, a.id, "password.reset", "staff", a.id, ip,
                 json_pack("{s:s, s:i}", "by", "e-mail link", "sessions_revoked", n));
    return 0;
}
