#include "auth/login.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "admin/settings.h"
#include "app.h"
#include "auth/audit.h"
#include "auth/ldap_auth.h"
#include "auth/mfa.h"
#include "auth/password.h"
#include "auth/throttle.h"
#include "core/err.h"
#include "core/log.h"
#include "ws/hub.h"

#define DAY_MS 86400000LL
/* Live sessions one account may hold (agents hold one: see login_finish). */
#define SESSIONS_PER_ACCOUNT_MAX 50

static void add_error(json_t **errors, const char *field, const char *message);

static struct throttle *by_address;
static struct throttle *by_account;
static char dummy_hash[PASSWORD_HASH_MAX];

int login_init(struct sb_app *app)
{
    const struct sb_config *c = &app->cfg;
    struct throttle_config tc = {
        .max_keys = 65536,
        .free_failures = c->auth_throttle_address_failures,
        .window_ms = (int64_t)c->auth_throttle_window_s * 1000,
        .base_delay_ms = c->auth_throttle_base_delay_ms,
        .max_delay_ms = (int64_t)c->auth_throttle_max_delay_s * 1000,
    };
    int r = throttle_new(&tc, &by_address);
    if (r)
        return r;
    tc.free_failures = c->auth_throttle_account_failures;
    r = throttle_new(&tc, &by_account);
    if (r) {
        throttle_free(by_address);
        by_address = NULL;
        return r;
    }
    /* Unknown usernames are checked against this hash so they cost as much as known ones. */
    return password_hash("no such account: constant work", dummy_hash);
}

void login_cleanup(void)
{
    throttle_free(by_address);
    throttle_free(by_account);
    by_address = by_account = NULL;
}

bool login_password_expired(const struct account *a, int64_t now_ms, int *days_left)
{
    *days_left = -1;
    /* The directory owns the password of an SSO account: no local expiry or forced change. */
    if (login_uses_directory(a))
        return false;
    if (a->must_change_password)
        return true;
    int64_t days = settings_get_int("security.password_expiry_days");
    if (!settings_get_bool("security.suite_enabled") || days <= 0)
        return false;
    int64_t expires = a->password_changed_at + days * DAY_MS;
    if (now_ms >= expires)
        return true;
    int64_t left = (expires - now_ms + DAY_MS - 1) / DAY_MS;
    if (left <= settings_get_int("security.password_expiry_warning_days"))
        *days_left = (int)left;
    return false;
}

bool login_uses_directory(const struct account *a)
{
    if (a->sso_enabled)
        return true;
    if (!strcmp(a->role, "agent"))
        return settings_get_bool("security.enforce_sso_agents");
    if (!strcmp(a->role, "user"))
        return settings_get_bool("security.enforce_sso_users");
    return false;
}

static void ldap_config_of(const struct sb_config *c, struct ldap_auth_config *l)
{
    memset(l, 0, sizeof(*l));
    snprintf(l->url, sizeof(l->url), "%s", c->ldap_url);
    l->starttls = c->ldap_starttls;
    l->verify_cert = c->ldap_verify_cert;
    snprintf(l->bind_template, sizeof(l->bind_template), "%s", c->ldap_bind_template);
    snprintf(l->base_dn, sizeof(l->base_dn), "%s", c->ldap_base_dn);
    snprintf(l->user_filter, sizeof(l->user_filter), "%s", c->ldap_user_filter);
    snprintf(l->service_dn, sizeof(l->service_dn), "%s", c->ldap_service_dn);
    snprintf(l->service_password, sizeof(l->service_password), "%s", c->ldap_service_password);
    l->timeout_ms = c->ldap_timeout_ms;
}

/* Checks the password where the account's credentials live: 0 match, SB_EAUTH mismatch,
 * SB_EUNAVAIL directory down, SB_EINVAL directory required but not configured. */
static int check_password(struct sb_app *app, const struct account *a, const char *password)
{
    if (!login_uses_directory(a))
        return a->password_hash[0] && password_verify(a->password_hash, password) == 0 ? 0
                                                                                       : SB_EAUTH;
    if (!app->cfg.ldap_url[0])
        return SB_EINVAL;
    struct ldap_auth_config l;
    ldap_config_of(&app->cfg, &l);
    const char *name = strcmp(app->cfg.ldap_map_by, "email") ? a->username : a->email;
    int r = name[0] ? ldap_auth_check(&l, name, password, NULL, 0) : SB_EAUTH;
    sodium_memzero(&l, sizeof(l));
    return r == SB_EUNAVAIL ? SB_EUNAVAIL : r == 0 ? 0 : r == SB_EINVAL ? SB_EINVAL : SB_EAUTH;
}

static void key_for(char *out, size_t n, const char *kind, const char *v)
{
    snprintf(out, n, "%s:%s", kind, v ? v : "");
}

/* Publishes to a user's sockets, then closes them (the hub keeps the order). */
static void force_logout_sockets(struct sb_app *app, int64_t staff_id, const char *reason)
{
    if (!app->hub)
        return;
    char topic[32], msg[160];
    snprintf(topic, sizeof(topic), "user:%lld", (long long)staff_id);
    int n = snprintf(msg, sizeof(msg),
                     "{\"type\":\"session.revoked\",\"data\":{\"reason\":\"%s\"}}", reason);
    hub_publish(app->hub, topic, msg, (size_t)n);
    hub_close_user(app->hub, staff_id, 4001, (struct ws_ref){0, 0});
}

int login_attempt(struct sb_app *app, struct db *db, const char *username, const char *password,
                  const char *ip, const char *user_agent, struct login_result *res)
{
    memset(res, 0, sizeof(*res));
    res->password_days_left = -1;
    int64_t now = clock_now_ms(app->clock);
    char ipkey[96], userkey[96];
    key_for(ipkey, sizeof(ipkey), "ip", ip);
    key_for(userkey, sizeof(userkey), "user", username);
    int64_t wait = 0, wait2 = 0;
    if (throttle_check(by_address, ipkey, now, &wait) ||
        throttle_check(by_account, userkey, now, &wait2)) {
        res->outcome = LOGIN_THROTTLED;
        res->retry_after_ms = wait > wait2 ? wait : wait2;
        return 0;
    }

    struct account *a = &res->account;
    int r = account_by_username(db, username, a);
    if (r == SB_ENOTFOUND) {
        password_verify(dummy_hash, password);
        throttle_fail(by_address, ipkey, now);
        throttle_fail(by_account, userkey, now);
        audit_record(db, now, 0, "login.failure", NULL, 0, ip,
                     json_pack("{s:s}", "username", username));
        res->outcome = LOGIN_BAD_CREDENTIALS;
        return 0;
    }
    if (r)
        return r;

    /* Automatic unlock once the configured minutes have passed. */
    int64_t unlock_min = settings_get_int("security.unlock_after_minutes");
    if (a->locked_at && unlock_min > 0 && now >= a->locked_at + unlock_min * 60000) {
        r = account_unlock(db, a->id, now);
        if (r)
            return r;
        audit_record(db, now, 0, "account.unlock", "staff", a->id, ip,
                     json_pack("{s:s}", "by", "timeout"));
        a->locked_at = 0;
        a->failed_attempts = 0;
    }
    if (a->locked_at) {
        /* The password is still checked so the answer costs the same either way. */
        password_verify(a->password_hash, password);
        throttle_fail(by_address, ipkey, now);
        res->outcome = LOGIN_LOCKED;
        return 0;
    }

    int pr = check_password(app, a, password);
    if (pr == SB_EUNAVAIL || pr == SB_EINVAL) {
        /* The directory's fault, not the user's: nothing is counted. */
        log_warn("directory login for account %lld impossible (%s)", (long long)a->id,
                 pr == SB_EINVAL ? "LDAP not configured" : "LDAP unreachable");
        res->outcome = pr == SB_EINVAL ? LOGIN_SSO_UNCONFIGURED : LOGIN_DIRECTORY_DOWN;
        return 0;
    }
    if (pr) {
        bool locked = false;
        r = account_record_failure(db, a->id, (int)settings_get_int("security.max_login_attempts"),
                                   now, &locked);
        if (r)
            return r;
        throttle_fail(by_address, ipkey, now);
        throttle_fail(by_account, userkey, now);
        audit_record(db, now, 0, "login.failure", "staff", a->id, ip, NULL);
        if (locked) {
            audit_record(db, now, 0, "account.lock", "staff", a->id, ip,
                         json_pack("{s:i}", "failed_attempts", a->failed_attempts + 1));
            res->outcome = LOGIN_LOCKED;
        } else {
            res->outcome = LOGIN_BAD_CREDENTIALS;
        }
        return 0;
    }
    if (a->disabled) {
        audit_record(db, now, 0, "login.refused", "staff", a->id, ip,
                     json_pack("{s:s}", "reason", "disabled"));
        res->outcome = LOGIN_DISABLED;
        return 0;
    }

    throttle_clear(by_account, userkey);
    throttle_clear(by_address, ipkey);
    if (a->failed_attempts && (r = account_clear_failures(db, a->id)))
        return r;
    if (!login_uses_directory(a) && password_needs_rehash(a->password_hash)) {
        char h[PASSWORD_HASH_MAX];
        if (!password_hash(password, h) && !account_update_hash(db, a->id, h))
            memcpy(a->password_hash, h, sizeof(h));
    }
    if (mfa_needed_at_login(a)) {
        if (!strcmp(a->mfa_method, "email")) {
            r = mfa_email_challenge(app, db, a, "login", now, res->mfa_token);
            if (r == SB_EUNAVAIL) {
                /* No way to deliver the code: the recovery codes still work. */
                r = mfa_challenge_create(db, a->id, now, res->mfa_token);
                log_warn("MFA code for account %lld could not be mailed", (long long)a->id);
            }
        } else {
            r = mfa_challenge_create(db, a->id, now, res->mfa_token);
        }
        if (r)
            return r;
        audit_record(db, now, a->id, "login.mfa_challenge", "staff", a->id, ip, NULL);
        res->outcome = LOGIN_MFA_REQUIRED;
        return 0;
    }
    return login_finish(app, db, a, ip, user_agent, "password", res);
}

/* Keeps an account's rows bounded: ended sessions, challenges and reset tokens older than a
 * day are deleted, and beyond SESSIONS_PER_ACCOUNT_MAX live sessions the oldest end. */
static int prune_account(struct db *db, int64_t staff_id, int64_t now)
{
    int64_t day_ago = now - DAY_MS;
    int r = db_execf(db, NULL,
                     "DELETE FROM sessions WHERE staff_id = ? AND (revoked_at IS NOT NULL OR "
                     "expires_at <= ?) AND created_at < ?",
                     "iii", staff_id, now, day_ago);
    if (!r)
        r = db_execf(db, NULL,
                     "UPDATE sessions SET revoked_at = ?, revoked_reason = 'too many sessions' "
                     "WHERE staff_id = ? AND revoked_at IS NULL AND id NOT IN (SELECT id FROM "
                     "sessions WHERE staff_id = ? AND revoked_at IS NULL ORDER BY created_at "
                     "DESC, id DESC LIMIT ?)",
                     "iiii", now, staff_id, staff_id, (int64_t)(SESSIONS_PER_ACCOUNT_MAX - 1));
    if (!r)
        r = db_execf(db, NULL, "DELETE FROM mfa_challenges WHERE staff_id = ? AND expires_at < ?",
                     "ii", staff_id, day_ago);
    if (!r)
        r = db_execf(db, NULL, "DELETE FROM password_resets WHERE staff_id = ? AND expires_at < ?",
                     "ii", staff_id, day_ago);
    return r;
}

int login_finish(struct sb_app *app, struct db *db, struct account *a, const char *ip,
                 const char *user_agent, const char *how, struct login_result *res)
{
    int64_t now = clock_now_ms(app->clock);
    int r;
    /* The seed's rule: an agent may be logged in once; the newest login wins and the earlier
     * browser is told over its WebSocket. */
    if (!strcmp(a->role, "agent")) {
        int n = 0;
        r = session_revoke_all(db, a->id, 0, "logged in elsewhere", now, &n);
        if (r)
            return r;
        if (n) {
            force_logout_sockets(app, a->id, "logged in elsewhere");
            audit_record(db, now, a->id, "session.revoke", "staff", a->id, ip,
                         json_pack("{s:s, s:i}", "reason", "logged in elsewhere", "count", n));
        }
    }
    r = prune_account(db, a->id, now);
    if (r)
        return r;
    int64_t absolute = settings_get_int("security.session_absolute_hours") * 3600000;
    r = session_create(db, a->id, ip, user_agent, now, absolute, res->token, res->csrf,
                       &res->session_id);
    if (r)
        return r;
    if (&res->account != a)
        res->account = *a;
    res->expires_at = now + absolute;
    res->password_expired = login_password_expired(a, now, &res->password_days_left);
    res->mfa_enrollment_required = mfa_enforced_for(a) && !a->mfa_enabled;
    audit_record(db, now, a->id, "login.success", "staff", a->id, ip,
                 json_pack("{s:I, s:s}", "session_id", (json_int_t)res->session_id, "factor", how));
    res->outcome = LOGIN_OK;
    return 0;
}

static void add_error(json_t **errors, const char *field, const char *message)
{
    if (!*errors)
        *errors = json_array();
    json_array_append_new(*errors, json_pack("{s:s, s:s}", "field", field, "message", message));
}

int login_change_password(struct sb_app *app, struct db *db, const struct account *a,
                          const char *current, const char *next, int64_t keep_session,
                          const char *ip, json_t **errors)
{
    *errors = NULL;
    int64_t now = clock_now_ms(app->clock);
    char userkey[96];
    key_for(userkey, sizeof(userkey), "user", a->username);
    int64_t wait = 0;
    if (throttle_check(by_account, userkey, now, &wait))
        return SB_ETHROTTLED;
    if (login_uses_directory(a)) {
        add_error(errors, "new_password", "is managed by Active Directory: change it there");
        return SB_EINVALID;
    }
    if (password_verify(a->password_hash, current) != 0) {
        throttle_fail(by_account, userkey, now);
        add_error(errors, "current_password", "is not your current password");
        return SB_EINVALID;
    }
    unsigned broken = password_policy_check(next, settings_get_bool("security.suite_enabled"));
    if (broken) {
        *errors = json_array();
        password_policy_errors(broken, "new_password", *errors);
        return SB_EINVALID;
    }
    bool reused = false;
    int history = settings_get_bool("security.enforce_password_history")
                      ? (int)settings_get_int("security.password_history_count")
                      : 0;
    int r = account_password_reused(db, a, next, history, &reused);
    if (r)
        return r;
    if (reused) {
        add_error(errors, "new_password",
                  history ? "must differ from your current and your last passwords"
                          : "must differ from your current password");
        return SB_EINVALID;
    }
    char h[PASSWORD_HASH_MAX];
    r = password_hash(next, h);
    if (r)
        return r;
    r = account_set_password(db, a->id, h, false, now);
    sodium_memzero(h, sizeof(h));
    if (r)
        return r;
    int n = 0;
    session_revoke_all(db, a->id, keep_session, "password changed", now, &n);
    audit_record(db, now, a->id, "password.change", "staff", a->id, ip,
                 json_pack("{s:i}", "other_sessions_revoked", n));
    return 0;
}

void login_generate_password(char out[21])
{
    static const char *const classes[] = {"abcdefghijkmnpqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ",
                                          "23456789", "~!@#$%^&-_=+[{]}"};
    static const char all[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
                              "~!@#$%^&-_=+";
    for (int i = 0; i < 20; i++) {
        /* The first four positions take one of each class; the rest from all. */
        const char *set = i < 4 ? classes[i] : all;
        out[i] = set[randombytes_uniform((uint32_t)strlen(set))];
    }
    /* Shuffle so the class characters are not always in front (Fisher-Yates). */
    for (int i = 19; i > 0; i--) {
        int j = (int)randombytes_uniform((uint32_t)i + 1);
        char t = out[i];
        out[i] = out[j];
        out[j] = t;
    }
    out[20] = 0;
}
