#include "interactions/canned.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/channel_account.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/json_fields.h"
#include "db/db.h"

static const char *const variables[] = {
    "agent.alias",   "agent.full_name",    "agent.username",    "agent.internal",
    "agent.email",   "contact.first_name", "contact.last_name", "contact.full_name",
    "contact.phone", "contact.email",      "interaction.id",    "interaction.channel",
    "account.name",  "account.key"};
#define VAR_COUNT (sizeof(variables) / sizeof(*variables))

const char *const *canned_variable_names(size_t *n)
{
    *n = VAR_COUNT;
    return variables;
}

/* At `p` (just after "{{"): a well-formed variable is optional spaces, a name of [a-z_.]
 * characters, optional spaces, "}}". Returns the name's start and length and where the text
 * goes on, or false. */
static bool parse_var(const char *p, const char **name, size_t *len, const char **next)
{
    while (*p == ' ')
        p++;
    const char *s = p;
    while (islower((unsigned char)*p) || *p == '_' || *p == '.')
        p++;
    if (p == s || p - s > 64)
        return false;
    *name = s;
    *len = (size_t)(p - s);
    while (*p == ' ')
        p++;
    if (p[0] != '}' || p[1] != '}')
        return false;
    *next = p + 2;
    return true;
}

static int var_index(const char *name, size_t len)
{
    for (size_t i = 0; i < VAR_COUNT; i++)
        if (strlen(variables[i]) == len && !memcmp(variables[i], name, len))
            return (int)i;
    return -1;
}

int canned_check(const char *tmpl, char *bad, size_t cap)
{
    for (const char *p = tmpl; p && (p = strstr(p, "{{"));) {
        const char *name, *next;
        size_t len;
        if (!parse_var(p + 2, &name, &len, &next)) {
            p += 2;
            continue;
        }
        if (var_index(name, len) < 0) {
            if (cap)
                snprintf(bad, cap, "%.*s", (int)len, name);
            return SB_EINVALID;
        }
        p = next;
    }
    return 0;
}

struct out_buf {
    char *p;
    size_t len, cap;
    bool full;
};

static void put(struct out_buf *o, const char *s, size_t n)
{
    if (!s)
        return;
    if (o->len + n + 1 > o->cap) {
        n = o->cap - o->len - 1;
        o->full = true;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = 0;
}

static void put_str(struct out_buf *o, const char *s)
{
    if (s)
        put(o, s, strlen(s));
}

static void put_var(struct out_buf *o, int i, const struct canned_agent *a,
                    const struct canned_contact *c, const struct canned_interaction *x)
{
    char num[32];
    const char *v = NULL;
    switch (i) {
    case 0: /* agent.alias */
        v = a ? (a->alias && *a->alias ? a->alias : a->full_name) : NULL;
        break;
    case 1:
        v = a ? a->full_name : NULL;
        break;
    case 2:
        v = a ? a->username : NULL;
        break;
    case 3:
        if (a && a->internal > 0) {
            snprintf(num, sizeof(num), "%lld", (long long)a->internal);
            v = num;
        }
        break;
    case 4:
        v = a ? a->email : NULL;
        break;
    case 5:
        v = c ? c->first_name : NULL;
        break;
    case 6:
        v = c ? c->last_name : NULL;
        break;
    case 7: /* contact.full_name */
        if (c) {
            bool first = c->first_name && *c->first_name, last = c->last_name && *c->last_name;
            put_str(o, first ? c->first_name : NULL);
            put_str(o, first && last ? " " : NULL);
            put_str(o, last ? c->last_name : NULL);
        }
        return;
    case 8:
        v = c ? c->phone : NULL;
        break;
    case 9:
        v = c ? c->email : NULL;
        break;
    case 10:
        if (x && x->id > 0) {
            snprintf(num, sizeof(num), "%lld", (long long)x->id);
            v = num;
        }
        break;
    case 11:
        v = x ? x->channel : NULL;
        break;
    case 12:
        v = x ? x->account_name : NULL;
        break;
    case 13:
        v = x ? x->account_key : NULL;
        break;
    default:
        break;
    }
    put_str(o, v);
}

int canned_render(const char *tmpl, const struct canned_agent *agent,
                  const struct canned_contact *contact,
                  const struct canned_interaction *interaction, char *out, size_t cap)
{
    if (!cap)
        return SB_ETOOBIG;
    struct out_buf o = {out, 0, cap, false};
    out[0] = 0;
    const char *p = tmpl ? tmpl : "";
    while (*p && !o.full) {
        const char *open = strstr(p, "{{");
        if (!open) {
            put_str(&o, p);
            break;
        }
        put(&o, p, (size_t)(open - p));
        const char *name, *next;
        size_t len;
        int i = -1;
        if (parse_var(open + 2, &name, &len, &next) && (i = var_index(name, len)) >= 0) {
            put_var(&o, i, agent, contact, interaction);
            p = next;
        } else {
            put(&o, "{{", 2);
            p = open + 2;
        }
    }
    return o.full ? SB_ETOOBIG : 0;
}

/* ---- storage ----------------------------------------------------------------------------- */

static void add_error(json_t **errors, const char *field, const char *message)
{
    if (!*errors)
        *errors = json_array();
    json_array_append_new(*errors, json_pack("{s:s, s:s}", "field", field, "message", message));
}

static json_t *pick(const json_t *body, const json_t *current, const char *k)
{
    json_t *v = json_object_get(body, k);
    return v ? v : json_object_get(current, k);
}

/* Characters of s, or (size_t)-1 when it has control characters other than \n, \r, \t
 * (allow_lines) or any (not allow_lines). */
static size_t text_chars(const char *s, bool allow_lines)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p < 0x20 && !(allow_lines && (*p == '\n' || *p == '\r' || *p == '\t'))) || *p == 0x7f)
            return (size_t)-1;
        n += (*p & 0xc0) != 0x80;
    }
    return n;
}

int canned_validate(struct db *db, const json_t *body, const json_t *current, json_t **clean,
                    json_t **errors)
{
    *errors = NULL;
    *clean = json_object();
    if (!*clean)
        return SB_ENOMEM;
    static const char *const known[] = {"name", "body", "scope", "channel", "account_id"};
    static const char *const read_only[] = {"id", "created_at", "updated_at"};
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)body, k, v)
    {
        bool ok = false, ro = false;
        for (size_t i = 0; i < sizeof(known) / sizeof(*known); i++)
            ok = ok || !strcmp(k, known[i]);
        for (size_t i = 0; i < sizeof(read_only) / sizeof(*read_only); i++)
            ro = ro || !strcmp(k, read_only[i]);
        if (!ok)
            add_error(errors, k, ro ? "is read-only" : "is not a field of a canned answer");
    }
    v = pick(body, current, "name");
    size_t n;
    if (!v || json_is_null(v))
        add_error(errors, "name", "is required");
    else if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v) ||
             (n = text_chars(json_string_value(v), false)) < 1 || n > CANNED_NAME_MAX)
        add_error(errors, "name", "must be 1 to 128 characters without control characters");
    else
        json_object_set(*clean, "name", v);

    v = pick(body, current, "body");
    if (!v || json_is_null(v)) {
        add_error(errors, "body", "is required");
    } else if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v) ||
               (n = text_chars(json_string_value(v), true)) < 1 || n > CANNED_BODY_MAX) {
        add_error(errors, "body", "must be 1 to 4096 characters");
    } else {
        char bad[72], m[128];
        if (canned_check(json_string_value(v), bad, sizeof(bad))) {
            snprintf(m, sizeof(m), "unknown variable {{%s}}", bad);
            add_error(errors, "body", m);
        } else {
            json_object_set(*clean, "body", v);
        }
    }

    v = pick(body, current, "scope");
    const char *scope = !v || json_is_null(v) ? "global" : json_string_value(v);
    int r = 0;
    if (!scope || (strcmp(scope, "global") && strcmp(scope, "account"))) {
        add_error(errors, "scope", "must be global or account");
    } else if (!strcmp(scope, "global")) {
        json_t *ch = json_object_get(body, "channel"), *acc = json_object_get(body, "account_id");
        if (ch && !json_is_null(ch))
            add_error(errors, "channel", "is only for scope account");
        if (acc && !json_is_null(acc))
            add_error(errors, "account_id", "is only for scope account");
        json_object_set_new(*clean, "scope", json_string("global"));
        json_object_set_new(*clean, "channel", json_null());
        json_object_set_new(*clean, "account_id", json_null());
    } else {
        json_t *ch = pick(body, current, "channel"), *acc = pick(body, current, "account_id");
        const char *c = json_string_value(ch);
        bool ch_ok = c && (!strcmp(c, "sms") || !strcmp(c, "openchannel"));
        bool acc_ok = json_is_integer(acc) && json_integer_value(acc) > 0;
        if (!ch_ok)
            add_error(errors, "channel", "must be sms or openchannel");
        if (!acc_ok)
            add_error(errors, "account_id", "must be the id of an account");
        if (ch_ok && acc_ok) {
            struct channel_account a;
            r = channel_account_get(db, c, json_integer_value(acc), &a);
            if (r == SB_ENOTFOUND) {
                add_error(errors, "account_id", "no such account");
                r = 0;
            }
        }
        json_object_set_new(*clean, "scope", json_string("account"));
        json_object_set(*clean, "channel", ch);
        json_object_set(*clean, "account_id", acc);
    }
    return jf_finish(r, clean, errors);
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static int64_t num(const json_t *o, const char *k)
{
    return (int64_t)json_integer_value(json_object_get(o, k));
}

int canned_create(struct db *db, const json_t *c, int64_t now, int64_t *id_out)
{
    int64_t count = 0;
    struct db_stmt *st = NULL;
    int r = db_prepare(db,
                       "SELECT COUNT(*) FROM canned_answers WHERE COALESCE(channel, '') = ? AND "
                       "COALESCE(account_id, 0) = ?",
                       &st);
    if (!r)
        r = db_bind_all(st, "ti", str(c, "channel") ? str(c, "channel") : "", num(c, "account_id"));
    if (!r && (r = db_step(st)) == DB_ROW) {
        count = db_col_int64(st, 0);
        r = 0;
    }
    db_finalize(st);
    st = NULL;
    if (r)
        return r;
    if (count >= CANNED_SCOPE_MAX)
        return SB_ETOOBIG;
    int64_t acc = num(c, "account_id");
    r = db_prepare(db,
                   "INSERT INTO canned_answers (name, body, channel, account_id, created_at, "
                   "updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                   &st);
    if (!r)
        r = db_bind_all(st, "ttt", str(c, "name"), str(c, "body"), str(c, "channel"));
    if (!r)
        r = acc ? db_bind_int64(st, 4, acc) : db_bind_null(st, 4);
    if (!r)
        r = db_bind_int64(st, 5, now);
    if (!r)
        r = db_bind_int64(st, 6, now);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        *id_out = db_col_int64(st, 0);
        r = 0;
    } else if (r == DB_DONE) {
        r = SB_EINTERNAL;
    }
    db_finalize(st);
    return r;
}

int canned_update(struct db *db, int64_t id, const json_t *c, int64_t now)
{
    int64_t changed = 0, acc = num(c, "account_id");
    struct db_stmt *st = NULL;
    int r = db_prepare(db,
                       "UPDATE canned_answers SET name = ?, body = ?, channel = ?, account_id = ?, "
                       "updated_at = ? WHERE id = ?",
                       &st);
    if (!r)
        r = db_bind_all(st, "ttt", str(c, "name"), str(c, "body"), str(c, "channel"));
    if (!r)
        r = acc ? db_bind_int64(st, 4, acc) : db_bind_null(st, 4);
    if (!r)
        r = db_bind_int64(st, 5, now);
    if (!r)
        r = db_bind_int64(st, 6, id);
    if (!r)
        r = db_step(st);
    if (r == DB_DONE) {
        changed = db_changes(st);
        r = 0;
    } else if (r == DB_ROW) {
        r = SB_EINTERNAL;
    }
    db_finalize(st);
    return r ? r : changed ? 0 : SB_ENOTFOUND;
}

#define C_COLUMNS "id, name, body, channel, account_id, created_at, updated_at"

static json_t *row_json(struct db_stmt *st)
{
    char created[32], updated[32];
    bool global = db_col_is_null(st, 4);
    return json_pack("{s:I, s:s, s:s, s:s, s:s?, s:o, s:s, s:s}", "id",
                     (json_int_t)db_col_int64(st, 0), "name", db_col_text(st, 1), "body",
                     db_col_text(st, 2), "scope", global ? "global" : "account", "channel",
                     db_col_text(st, 3), "account_id",
                     global ? json_null() : json_integer(db_col_int64(st, 4)), "created_at",
                     clock_iso8601(db_col_int64(st, 5), created), "updated_at",
                     clock_iso8601(db_col_int64(st, 6), updated));
}

int canned_get(struct db *db, int64_t id, json_t **out)
{
    *out = NULL;
    struct db_stmt *st = NULL;
    int r = db_prepare(db, "SELECT " C_COLUMNS " FROM canned_answers WHERE id = ?", &st);
    if (!r)
        r = db_bind_int64(st, 1, id);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        *out = row_json(st);
        r = *out ? 0 : SB_ENOMEM;
    } else if (r == DB_DONE) {
        r = SB_ENOTFOUND;
    }
    db_finalize(st);
    return r;
}

int canned_delete(struct db *db, int64_t id)
{
    int64_t changed = 0;
    int r = db_execf(db, &changed, "DELETE FROM canned_answers WHERE id = ?", "i", id);
    return r ? r : changed ? 0 : SB_ENOTFOUND;
}

static const char agent_sql[] =
    "(account_id IS NULL OR (channel = 'sms' AND account_id IN (SELECT account_id FROM "
    "sms_account_agents WHERE staff_id = ?)) OR (channel = 'openchannel' AND account_id IN "
    "(SELECT account_id FROM openchannel_account_agents WHERE staff_id = ?)))";

static void like_pattern(const char *q, char *out, size_t cap)
{
    size_t o = 0;
    out[o++] = '%';
    for (; q && *q && o + 3 < cap; q++) {
        if (*q == '%' || *q == '_' || *q == '\\')
            out[o++] = '\\';
        out[o++] = *q;
    }
    out[o++] = '%';
    out[o] = 0;
}

int canned_list(struct db *db, const struct canned_filter *f, int64_t limit, int64_t offset,
                json_t **items, int64_t *total)
{
    *items = json_array();
    *total = 0;
    /* Every clause is always present and switched off by its parameters, so one statement
     * text serves every filter. */
    char like[300];
    like_pattern(f->q, like, sizeof(like));
    const char *scope = f->scope ? f->scope : "";
    char where[1200];
    snprintf(where, sizeof(where),
             " FROM canned_answers WHERE (? = '' OR (? = 'global' AND account_id IS NULL) OR (? "
             "= 'account' AND account_id IS NOT NULL)) AND (? = 0 OR (channel = ? AND account_id "
             "= ?) OR (? = 1 AND account_id IS NULL)) AND (lower(name) LIKE lower(?) ESCAPE '\\' "
             "OR lower(body) LIKE lower(?) ESCAPE '\\') AND (? = 0 OR %s)",
             agent_sql);
    int64_t acc = f->account_id > 0 ? f->account_id : 0, app = f->applicable ? 1 : 0;
    const char *ch = f->channel ? f->channel : "";
    char sql[1600];
    struct db_stmt *st = NULL;
    snprintf(sql, sizeof(sql), "SELECT COUNT(*)%s", where);
    int r = db_prepare(db, sql, &st);
    if (!r)
        r = db_bind_all(st, "tttitiittiii", scope, scope, scope, acc, ch, acc, app, like, like,
                        f->agent_id, f->agent_id, f->agent_id);
    if (!r && (r = db_step(st)) == DB_ROW) {
        *total = db_col_int64(st, 0);
        r = 0;
    }
    db_finalize(st);
    st = NULL;
    snprintf(sql, sizeof(sql), "SELECT " C_COLUMNS "%s ORDER BY name, id LIMIT ? OFFSET ?", where);
    if (!r)
        r = db_prepare(db, sql, &st);
    if (!r)
        r = db_bind_all(st, "tttitiittiiiii", scope, scope, scope, acc, ch, acc, app, like, like,
                        f->agent_id, f->agent_id, f->agent_id, limit, offset);
    while (!r && (r = db_step(st)) == DB_ROW) {
        json_t *o = row_json(st);
        r = o ? 0 : SB_ENOMEM;
        json_array_append_new(*items, o);
    }
    db_finalize(st);
    if (r < 0) {
        json_decref(*items);
        *items = NULL;
        return r;
    }
    return 0;
}

int canned_visible_to_agent(struct db *db, int64_t id, int64_t agent_id, bool *visible)
{
    *visible = false;
    int64_t exists = 0, n = 0;
    int r = db_query_int64(db, "SELECT COUNT(*) FROM canned_answers WHERE id = ?", &exists, 1, id);
    if (r)
        return r;
    if (!exists)
        return SB_ENOTFOUND;
    char sql[700];
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM canned_answers WHERE id = ? AND %s",
             agent_sql);
    r = db_query_int64(db, sql, &n, 3, id, agent_id, agent_id);
    *visible = !r && n > 0;
    return r;
}

/* Copies a nullable column into a new string (NULL for SQL NULL). */
static char *dup_col(struct db_stmt *st, int col)
{
    const char *s = db_col_text(st, col);
    return s ? strdup(s) : NULL;
}

/* The agent, contact and account of one rendering, read once. */
struct render_ctx {
    char *a_alias, *a_full, *a_user, *a_email;
    char *c_first, *c_last, *c_phone, *c_email;
    char *x_channel, *acc_name, *acc_key;
    int64_t internal, account_id, interaction_id;
};

static void ctx_free(struct render_ctx *c)
{
    char **all[] = {&c->a_alias, &c->a_full,  &c->a_user,    &c->a_email,  &c->c_first, &c->c_last,
                    &c->c_phone, &c->c_email, &c->x_channel, &c->acc_name, &c->acc_key};
    for (size_t i = 0; i < sizeof(all) / sizeof(*all); i++) {
        free(*all[i]);
        *all[i] = NULL;
    }
}

static int ctx_load(struct db *db, int64_t interaction_id, int64_t agent_id, struct render_ctx *c)
{
    memset(c, 0, sizeof(*c));
    c->interaction_id = interaction_id;
    struct db_stmt *st = NULL;
    int r = db_prepare(
        db, "SELECT alias, full_name, username, email, internal FROM staff WHERE id = ?", &st);
    if (!r)
        r = db_bind_int64(st, 1, agent_id);
    if (!r && (r = db_step(st)) == DB_ROW) {
        c->a_alias = dup_col(st, 0);
        c->a_full = dup_col(st, 1);
        c->a_user = dup_col(st, 2);
        c->a_email = dup_col(st, 3);
        c->internal = db_col_is_null(st, 4) ? 0 : db_col_int64(st, 4);
        r = 0;
    } else if (r == DB_DONE) {
        r = 0; /* no such staff (the operator's admin token): agent variables render empty */
    }
    db_finalize(st);
    st = NULL;
    if (!r)
        r = db_prepare(db,
                       "SELECT i.channel, i.account_id, c.first_name, c.last_name, c.phone, "
                       "c.email FROM interactions i JOIN contacts c ON c.id = i.contact_id WHERE "
                       "i.id = ?",
                       &st);
    if (!r)
        r = db_bind_int64(st, 1, interaction_id);
    if (!r && (r = db_step(st)) == DB_ROW) {
        c->x_channel = dup_col(st, 0);
        c->account_id = db_col_int64(st, 1);
        c->c_first = dup_col(st, 2);
        c->c_last = dup_col(st, 3);
        c->c_phone = dup_col(st, 4);
        c->c_email = dup_col(st, 5);
        r = 0;
    } else if (r == DB_DONE) {
        r = SB_ENOTFOUND;
    }
    db_finalize(st);
    st = NULL;
    const char *acc_sql = NULL;
    if (!r && c->x_channel && !strcmp(c->x_channel, "sms"))
        acc_sql = "SELECT name, account_key FROM sms_accounts WHERE id = ?";
    else if (!r && c->x_channel && !strcmp(c->x_channel, "openchannel"))
        acc_sql = "SELECT name, account_key FROM openchannel_accounts WHERE id = ?";
    if (acc_sql) {
        r = db_prepare(db, acc_sql, &st);
        if (!r)
            r = db_bind_int64(st, 1, c->account_id);
        if (!r && (r = db_step(st)) == DB_ROW) {
            c->acc_name = dup_col(st, 0);
            c->acc_key = dup_col(st, 1);
        }
        r = r < 0 ? r : 0;
        db_finalize(st);
    }
    if (r)
        ctx_free(c);
    return r;
}

/* Renders `tmpl` into a new buffer of CANNED_RENDER_MAX bytes (*out, free()); on SB_ETOOBIG
 * *out still holds the truncated text. */
static int ctx_render(const struct render_ctx *c, const char *tmpl, char **out)
{
    struct canned_agent a = {c->a_alias, c->a_full, c->a_user, c->a_email, c->internal};
    struct canned_contact k = {c->c_first, c->c_last, c->c_phone, c->c_email};
    struct canned_interaction x = {c->interaction_id, c->x_channel, c->acc_name, c->acc_key};
    *out = malloc(CANNED_RENDER_MAX);
    if (!*out)
        return SB_ENOMEM;
    return canned_render(tmpl ? tmpl : "", &a, &k, &x, *out, CANNED_RENDER_MAX);
}

int canned_render_stored(struct db *db, int64_t id, int64_t interaction_id, int64_t agent_id,
                         char **out)
{
    *out = NULL;
    json_t *answer = NULL;
    int r = canned_get(db, id, &answer);
    if (r)
        return r;
    struct render_ctx c;
    r = ctx_load(db, interaction_id, agent_id, &c);
    if (!r) {
        char *buf = NULL;
        r = ctx_render(&c, json_string_value(json_object_get(answer, "body")), &buf);
        if (!r)
            *out = buf;
        else
            free(buf);
        ctx_free(&c);
    }
    json_decref(answer);
    return r;
}

int canned_render_items(struct db *db, json_t *items, int64_t interaction_id, int64_t agent_id)
{
    struct render_ctx c;
    int r = ctx_load(db, interaction_id, agent_id, &c);
    bool loaded = !r;
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        if (r)
            break;
        char *buf = NULL;
        int e = ctx_render(&c, json_string_value(json_object_get(item, "body")), &buf);
        if (e == SB_ENOMEM) {
            r = e;
            break;
        }
        json_object_set_new(item, "text", json_string(buf));
        if (e == SB_ETOOBIG)
            json_object_set_new(item, "truncated", json_true());
        free(buf);
    }
    if (loaded)
        ctx_free(&c);
    return r;
}
