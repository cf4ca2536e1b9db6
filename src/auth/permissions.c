#include "auth/permissions.h"

#include <jansson.h>
#include <string.h>

#include "app.h"
#include "core/err.h"
#include "db/db.h"
#include "http/request.h"

#define AGENT_SCOPE_SQL                                                                            \
    "IN (SELECT e.staff_id FROM queue_members_effective e JOIN profile_resources r "               \
    "ON r.kind = 'queue' AND r.resource_id = e.queue_id WHERE r.profile_id = ?)"
#define QUEUE_SCOPE_SQL                                                                            \
    "IN (SELECT r.resource_id FROM profile_resources r WHERE r.kind = 'queue' AND "                \
    "r.profile_id = ?)"
static const char agent_scope_sql[] = AGENT_SCOPE_SQL;
static const char queue_scope_sql[] = QUEUE_SCOPE_SQL;
/* The interaction rule (perm_interaction_scope_sql): PERM_INTERACTION_SCOPE_PARAMS `?`. */
static const char interaction_scope_sql[] =
    "(i.queue_id " QUEUE_SCOPE_SQL " OR i.owner_id " AGENT_SCOPE_SQL
    " OR i.last_owner_id " AGENT_SCOPE_SQL ")";

/* The PERM_* bits of a permission type name; 0 for anything else. */
static unsigned actions_of(const char *type)
{
    if (!type)
        return 0;
    if (!strcmp(type, "read"))
        return PERM_READ;
    if (!strcmp(type, "read_edit"))
        return PERM_READ | PERM_EDIT;
    if (!strcmp(type, "read_delete"))
        return PERM_READ | PERM_DELETE;
    if (!strcmp(type, "read_edit_delete"))
        return PERM_READ | PERM_EDIT | PERM_DELETE;
    return 0;
}

/* The actions profile `id` allows in `section` (0 when the section is not enabled). */
static int section_actions(struct db *db, int64_t id, const char *section, unsigned *out)
{
    *out = 0;
    struct db_stmt *st;
    int r = db_prepare(db, "SELECT default_permission, sections FROM profiles WHERE id = ?", &st);
    if (r)
        return r;
    r = db_bind_int64(st, 1, id);
    if (!r && (r = db_step(st)) == DB_ROW) {
        r = 0;
        json_t *sections = json_loads(db_col_text(st, 1), 0, NULL);
        json_t *v = json_object_get(sections, section);
        const char *type = json_string_value(v);
        if (type && !strcmp(type, "default"))
            type = db_col_text(st, 0);
        *out = actions_of(type);
        json_decref(sections);
    } else if (r == DB_DONE) {
        r = 0; /* the profile is gone: nothing allowed */
    }
    db_finalize(st);
    return r;
}

int perm_profile_section(struct db *db, int64_t profile_id, const char *section, unsigned *actions)
{
    return section_actions(db, profile_id, section, actions);
}

int perm_require(struct http_req *req, const char *section, enum perm_action action,
                 struct perm_ctx *ctx)
{
    memset(ctx, 0, sizeof(*ctx));
    int r = auth_require(req, AUTH_ROLE_USER, &ctx->who);
    if (r)
        return r;
    if (ctx->who.role == AUTH_ROLE_ADMIN) {
        ctx->all = true;
        ctx->actions = PERM_READ | PERM_EDIT | PERM_DELETE;
        return 0;
    }
    ctx->profile_id = ctx->who.account.profile_id;
    struct db *db = app_thread_db(req->app);
    r = db ? 0 : SB_EUNAVAIL;
    if (!r && ctx->profile_id)
        r = section_actions(db, ctx->profile_id, section, &ctx->actions);
    if (r) {
        http_reply_error(req, r);
        return r;
    }
    if (!(ctx->actions & action)) {
        http_reply_problem(req, 403, "your profile does not allow this");
        return SB_EFORBIDDEN;
    }
    return 0;
}

static bool in_scope(struct http_req *req, const struct perm_ctx *ctx, const char *column_sql,
                     const char *scope_sql, int64_t id)
{
    if (ctx->all)
        return true;
    if (!ctx->profile_id)
        return false;
    struct db *db = app_thread_db(req->app);
    if (!db)
        return false;
    char sql[512];
    snprintf(sql, sizeof(sql), "SELECT 1 WHERE %s %s", column_sql, scope_sql);
    struct db_stmt *st;
    if (db_prepare(db, sql, &st))
        return false;
    bool yes = !db_bind_all(st, "ii", id, ctx->profile_id) && db_step(st) == DB_ROW;
    db_finalize(st);
    return yes;
}

bool perm_agent_in_scope(struct http_req *req, const struct perm_ctx *ctx, int64_t id)
{
    return in_scope(req, ctx, "?", agent_scope_sql, id);
}

bool perm_queue_in_scope(struct http_req *req, const struct perm_ctx *ctx, int64_t id)
{
    return in_scope(req, ctx, "?", queue_scope_sql, id);
}

const char *perm_scope_sql(const struct perm_ctx *ctx, const char *kind)
{
    if (ctx->all)
        return NULL;
    return strcmp(kind, "queue") ? agent_scope_sql : queue_scope_sql;
}

const char *perm_interaction_scope_sql(const struct perm_ctx *ctx)
{
    return ctx->all ? NULL : interaction_scope_sql;
}

bool perm_interaction_in_scope(struct http_req *req, const struct perm_ctx *ctx, int64_t id)
{
    if (ctx->all)
        return true;
    if (!ctx->profile_id)
        return false;
    struct db *db = app_thread_db(req->app);
    if (!db)
        return false;
    struct db_stmt *st;
    if (db_prepare(db,
                   "SELECT 1 FROM interactions i WHERE i.id = ? AND "
                   "(i.queue_id " QUEUE_SCOPE_SQL " OR i.owner_id " AGENT_SCOPE_SQL
                   " OR i.last_owner_id " AGENT_SCOPE_SQL ")",
                   &st))
        return false;
    bool yes = !db_bind_all(st, "iiii", id, ctx->profile_id, ctx->profile_id, ctx->profile_id) &&
               db_step(st) == DB_ROW;
    db_finalize(st);
    return yes;
}

/* Appends the names of the PERM_* bits of `actions` to array `a`; 0 or -1. */
static int actions_names(unsigned actions, json_t *a)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {{PERM_READ, "read"}, {PERM_EDIT, "edit"}, {PERM_DELETE, "delete"}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if ((actions & names[i].bit) && json_array_append_new(a, json_string(names[i].name)))
            return -1;
    return 0;
}

int perm_profile_describe(struct db *db, int64_t profile_id, json_t **out)
{
    *out = NULL;
    json_t *sections = json_object();
    if (!sections)
        return SB_ENOMEM;
    struct db_stmt *st = NULL;
    int r = profile_id ? db_prepare(db,
                                    "SELECT default_permission, sections FROM profiles "
                                    "WHERE id = ?",
                                    &st)
                       : 0;
    if (!r && st && !(r = db_bind_int64(st, 1, profile_id)) && (r = db_step(st)) == DB_ROW) {
        r = 0;
        json_t *stored = json_loads(db_col_text(st, 1), 0, NULL);
        const char *def = db_col_text(st, 0);
        const char *k;
        json_t *v;
        json_object_foreach(stored, k, v)
        {
            const char *type = json_string_value(v);
            if (type && !strcmp(type, "default"))
                type = def;
            unsigned actions = actions_of(type);
            json_t *a = json_array();
            if (!actions) {
                json_decref(a);
                continue;
            }
            if (!a || actions_names(actions, a) || json_object_set_new(sections, k, a)) {
                r = SB_ENOMEM;
                break;
            }
        }
        json_decref(stored);
    } else if (r == DB_DONE) {
        r = 0; /* the profile is gone: nothing allowed */
    }
    if (st)
        db_finalize(st);
    if (r) {
        json_decref(sections);
        return r;
    }
    *out = json_pack("{s:o}", "sections", sections);
    return *out ? 0 : SB_ENOMEM;
}
