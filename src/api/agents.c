/* /api/v1/agents — agents: create (password hashed on a worker), read, list with search,
 * filter, sort and paging, change (identity fields and every setting of
 * docs/staff-fields.md), delete, CSV export. Admins may do everything; a supervisor what its
 * profile allows in the "agents" section, on the agents of its queues only
 * (auth/permissions.h). Creating an agent is admin-only: a new agent belongs to no queue, so it
 * would be outside every supervisor's scope the moment it exists. */
#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/settings.h"
#include "api/csv.h"
#include "api/fields.h"
#include "api/handlers.h"
#include "api/staff_security.h"
#include "api/json_out.h"
#include "app.h"
#include "auth/audit.h"
#include "auth/guard.h"
#include "auth/mfa.h"
#include "auth/permissions.h"
#include "auth/password.h"
#include "core/buf.h"
#include "core/err.h"
#include "http/respond.h"
#include "staff/agent_fields.h"
#include "staff/agents.h"
#include "staff/client_logs_notify.h"
#include "staff/avatar_store.h"
#include "ws/hub.h"

/* Identity fields handled here; every other key of a request body is an agent setting. */
static const char *const identity_keys[] = {"username", "full_name", "email",       "password",
                                            "typology", "internal",  "alias",       "description",
                                            "disabled", "ad_sso",    "mfa_enabled", "locked"};
static const char *const read_only_keys[] = {"id", "locked_at", "created_at",
                                             "last_password_reset_at", "avatar_url"};

static bool in_list(const char *k, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(k, list[i]))
            return true;
    return false;
}

static void add_err(json_t *p, const char *field, const char *msg)
{
    http_problem_add_error(p, field, msg);
}

/* Validates the identity part of a create or change; settings go to *settings_patch (new
 * object of the remaining keys). */
static void check_identity(struct http_req *req, json_t *body, bool create, json_t *p,
                           json_t *settings_patch)
{
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v)
    {
        if (in_list(k, read_only_keys, sizeof(read_only_keys) / sizeof(*read_only_keys)))
            add_err(p, k, "is read-only");
        else if (!in_list(k, identity_keys, sizeof(identity_keys) / sizeof(*identity_keys)))
            json_object_set(settings_patch, k, v);
    }
    if (create) {
        const char *u = json_string_value(json_object_get(body, "username"));
        if (!u || !account_username_valid(u))
            add_err(p, "username", "is required: 1 to 64 letters, digits, '.' or '_'");
    } else if (json_object_get(body, "username")) {
        add_err(p, "username", "cannot be changed");
    }
    field_string(body, "full_name", ACCOUNT_NAME_MAX, create, p);
    if (field_string(body, "email", ACCOUNT_EMAIL_MAX, false, p))
        field_email(body, "email", p);
    field_string(body, "alias", ACCOUNT_NAME_MAX, false, p);
    field_string(body, "description", 1024, false, p);
    json_t *typ = json_object_get(body, "typology");
    if (typ && !agent_typology_valid(json_string_value(typ)))
        add_err(p, "typology", "must be one of phonebar, external, webrtc, mobile");
    json_t *internal = json_object_get(body, "internal");
    if (internal && !json_is_null(internal) &&
        (!json_is_integer(internal) || json_integer_value(internal) < 1 ||
         json_integer_value(internal) > 99999999))
        add_err(p, "internal", "must be an integer from 1 to 99999999");
    field_bool(body, "disabled", p);
    field_bool(body, "ad_sso", p);
    /* Only an administrator's "unlock" and "disable MFA" actions: never set to true. */
    static const char *const only_false[] = {"locked", "mfa_enabled"};
    for (size_t i = 0; i < 2; i++) {
        json_t *f = json_object_get(body, only_false[i]);
        if (f && (create || !json_is_false(f)))
            add_err(p, only_false[i], create ? "is read-only" : "can only be set to false");
    }
    if (create) {
        field_new_password(body, "password", p);
    } else if (json_object_get(body, "password")) {
        add_err(p, "password", "is changed with POST /api/v1/agents/{id}/password");
    }
    /* The seed: the full name may not equal the extension. */
    const char *fn = json_string_value(json_object_get(body, "full_name"));
    if (fn && json_is_integer(internal)) {
        char num[24];
        snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(internal));
        if (!strcmp(fn, num))
            add_err(p, "full_name", "may not equal the internal extension");
    }
}

static void merge_setting_errors(json_t *p, json_t *errors)
{
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e)
    {
        add_err(p, json_string_value(json_object_get(e, "field")),
                json_string_value(json_object_get(e, "message")));
    }
    json_decref(errors);
}

struct create_job {
    json_t *body;     /* owned */
    json_t *settings; /* owned, validated */
    int64_t actor;
    const char *ip;
};

static void create_work(struct http_req *req, void *arg)
{
    struct create_job *j = arg;
    const char *pw = json_string_value(json_object_get(j->body, "password"));
    char hash[PASSWORD_HASH_MAX];
    int r = password_hash(pw, hash);
    struct db *db = app_thread_db(req->app);
    if (!db)
        r = SB_EUNAVAIL;
    const char *typ = json_string_value(json_object_get(j->body, "typology"));
    struct agent_new a = {
        .username = json_string_value(json_object_get(j->body, "username")),
        .full_name = json_string_value(json_object_get(j->body, "full_name")),
        .email = json_string_value(json_object_get(j->body, "email")),
        .alias = json_string_value(json_object_get(j->body, "alias")),
        .description = json_string_value(json_object_get(j->body, "description")),
        .typology = typ ? typ : "phonebar",
        .password_hash = hash,
        .must_change = settings_get_bool("security.suite_enabled"),
        .internal = json_integer_value(json_object_get(j->body, "internal")),
        .min_internal = settings_get_int("general.min_internal"),
        .settings = j->settings,
        .sip_realm = req->app->cfg.asterisk_realm,
    };
    int64_t id = 0, internal = 0, now = clock_now_ms(req->app->clock);
    const char *conflict = NULL;
    if (!r)
        r = agent_create(db, &a, now, &id, &internal, &conflict);
    sodium_memzero(hash, sizeof(hash));
    json_t *out = NULL;
    if (!r && json_is_true(json_object_get(j->body, "ad_sso")))
        r = db_execf(db, NULL, "UPDATE staff SET sso_enabled = 1 WHERE id = ?", "i", id);
    if (!r) {
        audit_record(
            db, now, j->actor, "agent.create", "staff", id, j->ip,
            json_pack("{s:s, s:I}", "username", a.username, "internal", (json_int_t)internal));
        r = agent_get(db, id, &out);
    }
    json_decref(j->body);
    json_decref(j->settings);
    staff_create_result(req, r, conflict, out, "agent");
}

int api_agents_create(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_ADMIN, &who))
        return http_replied(req);
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    json_t *p = http_problem_new(422, "invalid agent", NULL);
    json_t *patch = json_object();
    check_identity(req, body, true, p, patch);
    const char *typ = json_string_value(json_object_get(body, "typology"));
    json_t *settings = NULL, *errors = NULL;
    if (!typ || agent_typology_valid(typ)) {
        int r = agent_settings_apply(typ ? typ : "phonebar", NULL, patch,
                                     req->app->cfg.license_mobile, &settings, &errors);
        if (r == SB_EINVALID)
            merge_setting_errors(p, errors);
        else if (r)
            add_err(p, "body", "could not be processed");
    }
    json_decref(patch);
    if (json_object_get(p, "errors")) {
        json_decref(settings);
        json_decref(body);
        return http_reply_problem_json(req, p);
    }
    json_decref(p);
    struct create_job *j = arena_calloc(&req->arena, sizeof(*j));
    if (!j) {
        json_decref(settings);
        json_decref(body);
        return http_reply_error(req, SB_ENOMEM);
    }
    j->body = body;
    j->settings = settings;
    j->actor = who.user_id;
    j->ip = auth_client_ip(req);
    return http_defer(req, create_work, j);
}

/* The start of every item route: a caller whose profile allows `action` on agents, and an
 * agent `{id}` that exists and is in the caller's scope (404 otherwise: an agent outside a
 * supervisor's queues is not revealed). *out (may be NULL) gets the agent. Queues the refusal
 * and returns false otherwise. */
static bool agent_route(struct http_req *req, enum perm_action action, struct perm_ctx *ctx,
                        int64_t *id, json_t **out)
{
    if (perm_require(req, PERM_SECTION_AGENTS, action, ctx))
        return false;
    json_t *agent = NULL;
    struct db *db = app_thread_db(req->app);
    int r = http_param_id(req, "id", id);
    if (!r && !perm_agent_in_scope(req, ctx, *id))
        r = SB_ENOTFOUND;
    if (!r)
        r = db ? agent_get(db, *id, &agent) : SB_EUNAVAIL;
    if (r == SB_ENOTFOUND) {
        http_reply_problem(req, 404, "no such agent");
        return false;
    }
    if (r) {
        http_reply_error(req, r);
        return false;
    }
    if (out)
        *out = agent;
    else
        json_decref(agent);
    return true;
}

int api_agents_get(struct http_req *req)
{
    struct perm_ctx ctx;
    int64_t id;
    json_t *out = NULL;
    if (!agent_route(req, PERM_READ, &ctx, &id, &out))
        return http_replied(req);
    return http_reply_json(req, 200, out);
}

int api_agents_patch(struct http_req *req)
{
    struct perm_ctx ctx;
    int64_t id;
    if (!agent_route(req, PERM_EDIT, &ctx, &id, NULL))
        return http_replied(req);
    const struct auth_principal who = ctx.who;
    struct db *db = app_thread_db(req->app);
    char typology[16];
    json_t *current = NULL;
    int r = db ? agent_load_settings(db, id, typology, &current) : SB_EUNAVAIL;
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such agent");
    if (r)
        return http_reply_error(req, r);
    json_t *body = http_body_object(req);
    if (!body) {
        json_decref(current);
        return http_replied(req);
    }
    json_t *p = http_problem_new(422, "invalid change", NULL);
    json_t *patch = json_object();
    check_identity(req, body, false, p, patch);
    const char *typ = json_string_value(json_object_get(body, "typology"));
    if (typ && agent_typology_valid(typ))
        snprintf(typology, sizeof(typology), "%s", typ);
    json_t *settings = NULL, *errors = NULL;
    struct client_logs_state logs_before = client_logs_state_of(current);
    r = agent_settings_apply(typology, current, patch, req->app->cfg.license_mobile, &settings,
                             &errors);
    if (r == SB_EINVALID)
        merge_setting_errors(p, errors);
    json_decref(patch);
    json_decref(current);
    if (json_object_get(p, "errors")) {
        json_decref(settings);
        json_decref(body);
        return http_reply_problem_json(req, p);
    }
    json_decref(p);
    const char *conflict = NULL;
    int64_t now = clock_now_ms(req->app->clock);
    r = r ? r : agent_update(db, id, body, typology, settings, now, &conflict);
    if (!r)
        client_logs_announce(req->app->hub, id, logs_before, settings);
    json_decref(settings);
    if (r == SB_ECONFLICT) {
        json_decref(body);
        json_t *c = http_problem_new(409, "already taken", NULL);
        http_problem_add_error(c, "internal", "this extension belongs to someone else");
        return http_reply_problem_json(req, c);
    }
    if (r) {
        json_decref(body);
        return http_reply_error(req, r);
    }
    if (json_is_false(json_object_get(body, "locked")))
        account_unlock(db, id, now);
    if (json_is_false(json_object_get(body, "mfa_enabled")))
        mfa_disable(db, id);
    audit_record(db, now, who.user_id, "agent.update", "staff", id, auth_client_ip(req),
                 json_pack("{s:O}", "changes", body));
    if (json_is_true(json_object_get(body, "disabled"))) {
        /* A disabled agent's sessions end at once (the guard refuses them anyway). */
        session_revoke_all(db, id, 0, "account disabled", now, NULL);
        hub_close_user(req->app->hub, id, 4001, (struct ws_ref){0, 0});
    }
    json_decref(body);
    json_t *out = NULL;
    r = agent_get(db, id, &out);
    return r ? http_reply_error(req, r) : http_reply_json(req, 200, out);
}

int api_agents_delete(struct http_req *req)
{
    struct perm_ctx ctx;
    int64_t id;
    if (!agent_route(req, PERM_DELETE, &ctx, &id, NULL))
        return http_replied(req);
    const struct auth_principal who = ctx.who;
    struct db *db = app_thread_db(req->app);
    int64_t now = clock_now_ms(req->app->clock);
    char avatar[AVATAR_NAME_MAX] = "";
    if (db && avatar_get_name(db, id, avatar))
        avatar[0] = 0; /* agent_delete decides whether there is an agent to delete */
    int r = db ? agent_delete(db, id, now) : SB_EUNAVAIL;
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such agent");
    if (r)
        return http_reply_error(req, r);
    /* After the commit that cleared the column (a picture set in between is left orphaned). */
    avatar_file_remove(req->app->cfg.server_data_dir, avatar);
    session_revoke_all(db, id, 0, "account deleted", now, NULL);
    hub_close_user(req->app->hub, id, 4001, (struct ws_ref){0, 0});
    audit_record(db, now, who.user_id, "agent.delete", "staff", id, auth_client_ip(req), NULL);
    return http_reply_empty(req, 204);
}

/* Parses list parameters; queues a 422 and returns false on a bad one. */
static bool list_query(struct http_req *req, const struct perm_ctx *ctx, struct agent_query *q,
                       int64_t max_limit)
{
    memset(q, 0, sizeof(*q));
    q->scope_in = perm_scope_sql(ctx, "agent");
    q->scope_profile = ctx->profile_id;
    q->limit = 50;
    json_t *p = http_problem_new(422, "invalid query", NULL);
    const char *s = http_query(req, "limit");
    if (s) {
        char *end;
        long long v = strtoll(s, &end, 10);
        if (!*s || *end || v < 1 || v > max_limit)
            add_err(p, "limit", "is out of range");
        q->limit = v;
    }
    s = http_query(req, "offset");
    if (s) {
        char *end;
        long long v = strtoll(s, &end, 10);
        if (!*s || *end || v < 0 || v > INT32_MAX)
            add_err(p, "offset", "must be 0 or more");
        q->offset = v;
    }
    q->q = http_query(req, "q");
    if (q->q && strlen(q->q) > 100)
        add_err(p, "q", "must be at most 100 characters");
    q->typology = http_query(req, "typology");
    if (q->typology && !agent_typology_valid(q->typology))
        add_err(p, "typology", "must be one of phonebar, external, webrtc, mobile");
    q->sort = http_query(req, "sort");
    if (q->sort) {
        const char *n = q->sort[0] == '-' ? q->sort + 1 : q->sort;
        if (strcmp(n, "username") && strcmp(n, "full_name") && strcmp(n, "internal") &&
            strcmp(n, "created_at"))
            add_err(p, "sort",
                    "must be username, full_name, internal or created_at (- for "
                    "descending)");
    }
    if (json_object_get(p, "errors")) {
        http_reply_problem_json(req, p);
        return false;
    }
    json_decref(p);
    return true;
}

int api_agents_list(struct http_req *req)
{
    struct perm_ctx ctx;
    if (perm_require(req, PERM_SECTION_AGENTS, PERM_READ, &ctx))
        return http_replied(req);
    struct agent_query q;
    if (!list_query(req, &ctx, &q, 500))
        return http_replied(req);
    struct db *db = app_thread_db(req->app);
    json_t *items = NULL;
    int64_t total = 0;
    int r = db ? agent_list(db, &q, &items, &total) : SB_EUNAVAIL;
    if (r)
        return http_reply_error(req, r);
    return http_reply_json(req, 200,
                           json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total));
}

/* Parses `ids` ("1,2,3": the agents selected for an export) into q->ids (request arena).
 * Queues a 422 naming `ids` and returns false when it is not a list of 1 to
 * AGENT_QUERY_IDS_MAX positive ids. */
static bool export_ids(struct http_req *req, struct agent_query *q)
{
    const char *s = http_query(req, "ids");
    if (!s)
        return true;
    size_t n = 1;
    for (const char *c = s; *c; c++)
        n += *c == ',';
    int64_t *ids = n <= AGENT_QUERY_IDS_MAX ? arena_alloc(&req->arena, n * sizeof(*ids)) : NULL;
    bool ok = ids != NULL;
    const char *c = s;
    for (size_t i = 0; ok && i < n; i++) {
        char *end;
        ok = *c >= '1' && *c <= '9';
        long long v = ok ? strtoll(c, &end, 10) : 0;
        ok = ok && v > 0 && v < INT64_MAX && (*end == ',' || !*end) && (*end || i + 1 == n);
        if (ok) {
            ids[i] = v;
            c = end + (*end == ',');
        }
    }
    if (!ok) {
        json_t *p = http_problem_new(422, "invalid query", NULL);
        http_problem_add_error(p, "ids", "must be 1 to 5000 agent ids separated by commas");
        http_reply_problem_json(req, p);
        return false;
    }
    q->ids = ids;
    q->nids = n;
    return true;
}

int api_agents_export(struct http_req *req)
{
    struct perm_ctx ctx;
    if (perm_require(req, PERM_SECTION_AGENTS, PERM_READ, &ctx))
        return http_replied(req);
    struct agent_query q;
    if (!list_query(req, &ctx, &q, 50000) || !export_ids(req, &q))
        return http_replied(req);
    if (!http_query(req, "limit"))
        q.limit = 50000;
    struct db *db = app_thread_db(req->app);
    json_t *items = NULL;
    int64_t total = 0;
    int r = db ? agent_list(db, &q, &items, &total) : SB_EUNAVAIL;
    if (r)
        return http_reply_error(req, r);
    static const char *const cols[] = {"id",       "username", "full_name", "email",  "alias",
                                       "internal", "typology", "disabled",  "locked", "created_at"};
    const size_t ncols = sizeof(cols) / sizeof(cols[0]);
    struct buf b;
    buf_init(&b, 64u << 20);
    for (size_t c = 0; !r && c < ncols; c++)
        r = csv_cell(&b, cols[c], c + 1 == ncols);
    size_t i;
    json_t *row;
    json_array_foreach(items, i, row)
    {
        for (size_t c = 0; !r && c < ncols; c++) {
            json_t *v = json_object_get(row, cols[c]);
            char tmp[32];
            const char *text = json_string_value(v);
            if (json_is_integer(v)) {
                snprintf(tmp, sizeof(tmp), "%lld", (long long)json_integer_value(v));
                text = tmp;
            } else if (json_is_boolean(v)) {
                text = json_is_true(v) ? "true" : "false";
            }
            r = csv_cell(&b, text, c + 1 == ncols);
        }
        if (r)
            break;
    }
    json_decref(items);
    if (r) {
        buf_free(&b);
        return http_reply_error(req, SB_ENOMEM);
    }
    return csv_reply(req, &b, "agents.csv", NULL, NULL);
}

int api_agents_password(struct http_req *req)
{
    struct perm_ctx ctx;
    int64_t id;
    if (!agent_route(req, PERM_EDIT, &ctx, &id, NULL))
        return http_replied(req);
    return staff_password_set(req, id, ctx.who.user_id);
}
