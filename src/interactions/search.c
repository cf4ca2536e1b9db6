#include "interactions/search.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/iso8601.h"
#include "http/respond.h"

static const struct {
    const char *name;
    enum ixs_type type;
} fields[IXS_F_COUNT] = {
    [IXS_F_ID] = {"id", IXS_T_INTEGER},
    [IXS_F_STATUS] = {"status", IXS_T_ENUM},
    [IXS_F_READ] = {"read", IXS_T_BOOLEAN},
    [IXS_F_FIRST_NAME] = {"contact.first_name", IXS_T_TEXT},
    [IXS_F_LAST_NAME] = {"contact.last_name", IXS_T_TEXT},
    [IXS_F_PHONE] = {"contact.phone", IXS_T_TEXT},
    [IXS_F_EMAIL] = {"contact.email", IXS_T_TEXT},
    [IXS_F_AGENT] = {"agent", IXS_T_INTEGER},
    [IXS_F_QUEUE] = {"queue", IXS_T_INTEGER},
    [IXS_F_DISPOSITION] = {"disposition", IXS_T_TEXT},
    [IXS_F_TAGS] = {"tags", IXS_T_TEXT},
    [IXS_F_CREATED_AT] = {"created_at", IXS_T_DATETIME},
    [IXS_F_CLOSED_AT] = {"closed_at", IXS_T_DATETIME},
    [IXS_F_LAST_MESSAGE_AT] = {"last_message_at", IXS_T_DATETIME},
    [IXS_F_MESSAGE] = {"message", IXS_T_TEXT},
};

static const char *const op_names[IXS_OP_COUNT] = {
    [IXS_EQUALS] = "equals",
    [IXS_NOT_EQUALS] = "not_equals",
    [IXS_CONTAINS] = "contains",
    [IXS_STARTS_WITH] = "starts_with",
    [IXS_ENDS_WITH] = "ends_with",
    [IXS_GT] = "gt",
    [IXS_LT] = "lt",
    [IXS_BETWEEN] = "between",
    [IXS_EMPTY] = "empty",
    [IXS_NOT_EMPTY] = "not_empty",
};

/* The enum's values: status. */
static const char *const status_values[] = {"open", "closed"};

#define BIT(op) (1u << (op))
#define TEXT_OPS                                                                                   \
    (BIT(IXS_EQUALS) | BIT(IXS_NOT_EQUALS) | BIT(IXS_CONTAINS) | BIT(IXS_STARTS_WITH) |            \
     BIT(IXS_ENDS_WITH) | BIT(IXS_EMPTY) | BIT(IXS_NOT_EMPTY))
#define NUMBER_OPS                                                                                 \
    (BIT(IXS_EQUALS) | BIT(IXS_NOT_EQUALS) | BIT(IXS_GT) | BIT(IXS_LT) | BIT(IXS_BETWEEN) |        \
     BIT(IXS_EMPTY) | BIT(IXS_NOT_EMPTY))
#define CHOICE_OPS (BIT(IXS_EQUALS) | BIT(IXS_NOT_EQUALS))
/* A message condition is a positive LIKE on the full-text index. */
#define MESSAGE_OPS                                                                                \
    (BIT(IXS_EQUALS) | BIT(IXS_CONTAINS) | BIT(IXS_STARTS_WITH) | BIT(IXS_ENDS_WITH))

static unsigned ops_of(enum ixs_field f)
{
    if (f == IXS_F_MESSAGE)
        return MESSAGE_OPS;
    switch (fields[f].type) {
    case IXS_T_INTEGER:
    case IXS_T_DATETIME:
        return NUMBER_OPS;
    case IXS_T_ENUM:
    case IXS_T_BOOLEAN:
        return CHOICE_OPS;
    case IXS_T_TEXT:
        return TEXT_OPS;
    }
    return 0;
}

const char *ixs_field_name(enum ixs_field f)
{
    return f < IXS_F_COUNT ? fields[f].name : NULL;
}

enum ixs_type ixs_field_type(enum ixs_field f)
{
    return fields[f].type;
}

const char *ixs_op_name(enum ixs_op op)
{
    return op < IXS_OP_COUNT ? op_names[op] : NULL;
}

bool ixs_op_allowed(enum ixs_field f, enum ixs_op op)
{
    return f < IXS_F_COUNT && op < IXS_OP_COUNT && (ops_of(f) & BIT(op));
}

static const char *type_name(enum ixs_type t)
{
    static const char *const names[] = {[IXS_T_INTEGER] = "integer",
                                        [IXS_T_ENUM] = "enum",
                                        [IXS_T_BOOLEAN] = "boolean",
                                        [IXS_T_TEXT] = "text",
                                        [IXS_T_DATETIME] = "datetime"};
    return names[t];
}

/* ---- parsing -------------------------------------------------------------------------------- */

struct perr {
    json_t *problem;
    const char *prefix;
    int err; /* SB_EINVALID once anything was wrong, SB_ENOMEM when recording failed */
};

/* Records an error on "<prefix><suffix>" (suffix printf-style). */
static void fail(struct perr *e, const char *message, const char *suffix_fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(struct perr *e, const char *message, const char *suffix_fmt, ...)
{
    char name[96];
    int n = snprintf(name, sizeof(name), "%s", e->prefix);
    va_list ap;
    va_start(ap, suffix_fmt);
    if (n >= 0 && (size_t)n < sizeof(name))
        vsnprintf(name + n, sizeof(name) - (size_t)n, suffix_fmt, ap);
    va_end(ap);
    if (e->err != SB_ENOMEM)
        e->err = SB_EINVALID;
    if (http_problem_add_error(e->problem, name, message))
        e->err = SB_ENOMEM;
}

static int field_by_name(const char *s)
{
    for (int f = 0; s && f < IXS_F_COUNT; f++)
        if (!strcmp(s, fields[f].name))
            return f;
    return -1;
}

static int op_by_name(const char *s)
{
    for (int o = 0; s && o < IXS_OP_COUNT; o++)
        if (!strcmp(s, op_names[o]))
            return o;
    return -1;
}

/* Parses one scalar value `v` of field `f` into slot `k` of *c; false when it is not one. */
static bool scalar(enum ixs_field f, const json_t *v, struct ixs_cond *c, int k)
{
    switch (fields[f].type) {
    case IXS_T_INTEGER:
        if (!json_is_integer(v))
            return false;
        c->num[k] = json_integer_value(v);
        return true;
    case IXS_T_DATETIME: {
        const char *s = json_string_value(v);
        return s && strlen(s) <= 40 && iso8601_parse(s, &c->num[k]);
    }
    case IXS_T_BOOLEAN:
        if (!json_is_boolean(v))
            return false;
        c->num[k] = json_is_true(v);
        return true;
    case IXS_T_ENUM: {
        const char *s = json_string_value(v);
        for (size_t i = 0; s && i < sizeof(status_values) / sizeof(status_values[0]); i++)
            if (!strcmp(s, status_values[i])) {
                snprintf(c->text, sizeof(c->text), "%s", s);
                return true;
            }
        return false;
    }
    case IXS_T_TEXT: {
        const char *s = json_string_value(v);
        size_t len = s ? json_string_length(v) : 0;
        if (!s || !len || len > IXS_TEXT_MAX || strlen(s) != len)
            return false;
        memcpy(c->text, s, len + 1);
        return true;
    }
    }
    return false;
}

static const char *value_message(enum ixs_field f, enum ixs_op op)
{
    if (op == IXS_EMPTY || op == IXS_NOT_EMPTY)
        return "takes no value";
    switch (fields[f].type) {
    case IXS_T_INTEGER:
        return op == IXS_BETWEEN ? "must be [low, high]: two integers, low <= high"
                                 : "must be an integer";
    case IXS_T_DATETIME:
        return op == IXS_BETWEEN
                   ? "must be [from, to]: two ISO-8601 times such as 2026-11-22T09:00:00Z, "
                     "from <= to"
                   : "must be an ISO-8601 time with a zone, such as 2026-11-22T09:00:00Z, or a "
                     "date such as 2026-11-22";
    case IXS_T_BOOLEAN:
        return "must be true or false";
    case IXS_T_ENUM:
        return "must be open or closed";
    case IXS_T_TEXT:
        return "must be a text of 1 to 256 bytes";
    }
    return "is not valid";
}

/* Validates condition `i` (`v`); when it is enabled and valid, appends it to *out. */
static void parse_cond(struct perr *e, size_t i, const json_t *v, struct ixs_query *out)
{
    if (!json_is_object(v)) {
        fail(e, "must be an object {field, op, value, disabled}", ".conditions[%zu]", i);
        return;
    }
    const char *key;
    json_t *m;
    json_object_foreach((json_t *)v, key, m)
    {
        if (strcmp(key, "field") && strcmp(key, "op") && strcmp(key, "value") &&
            strcmp(key, "disabled"))
            fail(e, "is not a key of a condition (field, op, value, disabled)",
                 ".conditions[%zu].%.32s", i, key);
    }
    json_t *jf = json_object_get(v, "field"), *jo = json_object_get(v, "op");
    json_t *jv = json_object_get(v, "value"), *jd = json_object_get(v, "disabled");
    int f = field_by_name(json_string_value(jf));
    int op = op_by_name(json_string_value(jo));
    bool ok = true;
    if (f < 0) {
        fail(e, "must be one of the search fields (GET /api/v1/interactions/search-fields)",
             ".conditions[%zu].field", i);
        ok = false;
    }
    if (op < 0) {
        fail(e,
             "must be one of equals, not_equals, contains, starts_with, ends_with, gt, lt, "
             "between, empty, not_empty",
             ".conditions[%zu].op", i);
        ok = false;
    } else if (f >= 0 && !ixs_op_allowed((enum ixs_field)f, (enum ixs_op)op)) {
        char msg[160];
        int n = snprintf(msg, sizeof(msg), "is not an operator of %s:", fields[f].name);
        for (int o = 0; o < IXS_OP_COUNT && n > 0 && (size_t)n < sizeof(msg); o++)
            if (ops_of((enum ixs_field)f) & BIT(o))
                n += snprintf(msg + n, sizeof(msg) - (size_t)n, " %s", op_names[o]);
        fail(e, msg, ".conditions[%zu].op", i);
        ok = false;
    }
    if (jd && !json_is_boolean(jd))
        fail(e, "must be true or false", ".conditions[%zu].disabled", i);
    if (!ok)
        return;
    struct ixs_cond c;
    memset(&c, 0, sizeof(c));
    c.field = (enum ixs_field)f;
    c.op = (enum ixs_op)op;
    bool good;
    if (op == IXS_EMPTY || op == IXS_NOT_EMPTY)
        good = !jv || json_is_null(jv);
    else if (op == IXS_BETWEEN)
        good = json_is_array(jv) && json_array_size(jv) == 2 &&
               scalar(c.field, json_array_get(jv, 0), &c, 0) &&
               scalar(c.field, json_array_get(jv, 1), &c, 1) && c.num[0] <= c.num[1];
    else
        good = jv && scalar(c.field, jv, &c, 0);
    if (!good) {
        fail(e, value_message(c.field, c.op), ".conditions[%zu].value", i);
        return;
    }
    if (json_is_true(jd) || e->err)
        return;
    out->cond[out->n++] = c;
}

int ixs_parse(const json_t *q, const char *prefix, struct ixs_query *out, json_t *problem)
{
    struct perr e = {problem, prefix, 0};
    memset(out, 0, offsetof(struct ixs_query, cond));
    if (!q || json_is_null(q))
        return 0;
    if (!json_is_object(q)) {
        fail(&e, "must be a search {\"match\": \"all\"|\"any\", \"conditions\": [...]}", "%s", "");
        return e.err;
    }
    const char *key;
    json_t *m;
    json_object_foreach((json_t *)q, key, m)
    {
        if (strcmp(key, "match") && strcmp(key, "conditions"))
            fail(&e, "is not a key of a search (match, conditions)", ".%.32s", key);
    }
    json_t *match = json_object_get(q, "match"), *conds = json_object_get(q, "conditions");
    const char *ms = json_string_value(match);
    if (match && !(ms && (!strcmp(ms, "all") || !strcmp(ms, "any"))))
        fail(&e, "must be all or any", ".match");
    out->any = ms && !strcmp(ms, "any");
    if (conds && !json_is_array(conds)) {
        fail(&e, "must be an array of conditions", ".conditions");
        return e.err;
    }
    if (json_array_size(conds) > IXS_CONDITIONS_MAX) {
        fail(&e, "must hold at most 20 conditions", ".conditions");
        return e.err;
    }
    out->given = json_array_size(conds);
    size_t i;
    json_t *c;
    json_array_foreach(conds, i, c) parse_cond(&e, i, c, out);
    return e.err;
}

int ixs_parse_text(const char *text, const char *prefix, struct ixs_query *out, json_t *problem)
{
    if (!text || !*text)
        return ixs_parse(NULL, prefix, out, problem);
    struct perr e = {problem, prefix, 0};
    if (strlen(text) > IXS_JSON_MAX) {
        fail(&e, "must be at most 16384 bytes of JSON", "%s", "");
        return e.err;
    }
    json_error_t err;
    json_t *q = json_loads(text, JSON_REJECT_DUPLICATES, &err);
    if (!q) {
        char msg[200];
        snprintf(msg, sizeof(msg), "must be a JSON search: %.80s at character %d", err.text,
                 err.position);
        fail(&e, msg, "%s", "");
        return e.err;
    }
    int r = ixs_parse(q, prefix, out, problem);
    json_decref(q);
    return r;
}

/* ---- rendering ------------------------------------------------------------------------------ */

int ixs_param_int(struct ixs_params *p, int64_t v)
{
    if (p->n >= IXS_PARAMS_MAX)
        return SB_EFULL;
    p->v[p->n].type = 'i';
    p->v[p->n].i = v;
    p->n++;
    return 0;
}

int ixs_param_text(struct ixs_params *p, const char *s)
{
    if (p->n >= IXS_PARAMS_MAX)
        return SB_EFULL;
    size_t len = strlen(s);
    if (len >= sizeof(p->v[0].t))
        return SB_ETOOBIG;
    p->v[p->n].type = 't';
    memcpy(p->v[p->n].t, s, len + 1);
    p->n++;
    return 0;
}

/* The LIKE pattern of `value` for `op`: wildcards and the escape character escaped with '\'
 * (when `escape`; the SQLite FTS5 prefilter cannot take an ESCAPE clause, so its pattern keeps
 * them as wildcards: a superset that the exact recheck narrows), ASCII folded to lower case
 * (when `fold`). */
static void like_pattern(const char *value, enum ixs_op op, bool escape, bool fold,
                         char *out /* 2 * IXS_TEXT_MAX + 3 */)
{
    char *o = out;
    if (op == IXS_CONTAINS || op == IXS_ENDS_WITH)
        *o++ = '%';
    for (const char *s = value; *s; s++) {
        char ch = *s;
        if (escape && (ch == '%' || ch == '_' || ch == '\\'))
            *o++ = '\\';
        if (fold && ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        *o++ = ch;
    }
    if (op == IXS_CONTAINS || op == IXS_STARTS_WITH)
        *o++ = '%';
    *o = 0;
}

static int add_pattern(struct ixs_params *p, const char *value, enum ixs_op op, bool escape,
                       bool fold)
{
    if (p->n >= IXS_PARAMS_MAX)
        return SB_EFULL;
    if (strlen(value) > IXS_TEXT_MAX)
        return SB_ETOOBIG;
    p->v[p->n].type = 't';
    like_pattern(value, op, escape, fold, p->v[p->n].t);
    p->n++;
    return 0;
}

#define PG_FOLD_FROM "'ABCDEFGHIJKLMNOPQRSTUVWXYZ'"
#define PG_FOLD_TO   "'abcdefghijklmnopqrstuvwxyz'"

/* Appends `expr` as the LIKE's left side: folded on PostgreSQL (its LIKE is case-sensitive,
 * and lower() folds per locale), as is on SQLite (LIKE folds ASCII only, without ICU). */
static int folded(enum db_backend be, const char *expr, struct buf *sql)
{
    if (be == DB_PG)
        return buf_addf(sql, "translate(%s, " PG_FOLD_FROM ", " PG_FOLD_TO ")", expr);
    return buf_adds(sql, expr);
}

/* " LIKE ?" with the escape clause of the backend (PostgreSQL's default escape is '\' already,
 * and an explicit one would hide the pattern from pg_trgm's planner support). */
static const char *like_op(enum db_backend be)
{
    return be == DB_PG ? " LIKE ?" : " LIKE ? ESCAPE '\\'";
}

int ixs_render_like(enum db_backend be, const char *expr, enum ixs_op op, const char *value,
                    struct buf *sql, struct ixs_params *params)
{
    int r = folded(be, expr, sql);
    if (!r)
        r = buf_adds(sql, like_op(be));
    if (!r)
        r = add_pattern(params, value, op == IXS_NOT_EQUALS ? IXS_EQUALS : op, true, be == DB_PG);
    return r;
}

static const char *column_of(enum ixs_field f)
{
    switch (f) {
    case IXS_F_ID:
        return "i.id";
    case IXS_F_STATUS:
        return "i.status";
    case IXS_F_READ:
        return "i.unread";
    case IXS_F_FIRST_NAME:
        return "c2.first_name";
    case IXS_F_LAST_NAME:
        return "c2.last_name";
    case IXS_F_PHONE:
        return "c2.phone";
    case IXS_F_EMAIL:
        return "c2.email";
    case IXS_F_AGENT:
        return "i.owner_id";
    case IXS_F_QUEUE:
        return "i.queue_id";
    case IXS_F_DISPOSITION:
        return "i.disposition";
    case IXS_F_TAGS:
        return "i.tags";
    case IXS_F_CREATED_AT:
        return "i.created_at";
    case IXS_F_CLOSED_AT:
        return "i.closed_at";
    case IXS_F_LAST_MESSAGE_AT:
        return "i.last_message_at";
    case IXS_F_MESSAGE:
    case IXS_F_COUNT:
        break;
    }
    return NULL;
}

static int render_number(const struct ixs_cond *c, struct buf *sql, struct ixs_params *p)
{
    const char *col = column_of(c->field);
    int r = 0;
    switch (c->op) {
    case IXS_EQUALS:
        r = buf_addf(sql, "%s = ?", col);
        break;
    case IXS_NOT_EQUALS:
        r = buf_addf(sql, "(%s IS NULL OR %s <> ?)", col, col);
        break;
    case IXS_GT:
        r = buf_addf(sql, "%s > ?", col);
        break;
    case IXS_LT:
        r = buf_addf(sql, "%s < ?", col);
        break;
    case IXS_BETWEEN:
        r = buf_addf(sql, "%s BETWEEN ? AND ?", col);
        if (!r)
            r = ixs_param_int(p, c->num[0]);
        if (!r)
            r = ixs_param_int(p, c->num[1]);
        return r;
    case IXS_EMPTY:
        return buf_addf(sql, "%s IS NULL", col);
    case IXS_NOT_EMPTY:
        return buf_addf(sql, "%s IS NOT NULL", col);
    default:
        return SB_EINTERNAL;
    }
    return r ? r : ixs_param_int(p, c->num[0]);
}

static int render_text(const struct ixs_cond *c, enum db_backend be, struct buf *sql,
                       struct ixs_params *p)
{
    const char *col = column_of(c->field);
    int r;
    switch (c->op) {
    case IXS_EMPTY:
        return buf_addf(sql, "(%s IS NULL OR %s = '')", col, col);
    case IXS_NOT_EMPTY:
        return buf_addf(sql, "(%s IS NOT NULL AND %s <> '')", col, col);
    case IXS_NOT_EQUALS:
        r = buf_addf(sql, "(%s IS NULL OR NOT (", col);
        if (!r)
            r = ixs_render_like(be, col, IXS_EQUALS, c->text, sql, p);
        return r ? r : buf_adds(sql, "))");
    default:
        return ixs_render_like(be, col, c->op, c->text, sql, p);
    }
}

/* Tags are a JSON array of texts in i.tags: a condition on "one tag". */
static int render_tags(const struct ixs_cond *c, enum db_backend be, struct buf *sql,
                       struct ixs_params *p)
{
    const char *each =
        be == DB_PG ? "json_array_elements_text(i.tags::json) t(v)" : "json_each(i.tags) t";
    const char *val = be == DB_PG ? "t.v" : "t.value";
    const char *len = be == DB_PG ? "json_array_length(i.tags::json)" : "json_array_length(i.tags)";
    if (c->op == IXS_EMPTY)
        return buf_addf(sql, "%s = 0", len);
    if (c->op == IXS_NOT_EMPTY)
        return buf_addf(sql, "%s > 0", len);
    int r = buf_addf(sql, "%sEXISTS (SELECT 1 FROM %s WHERE ",
                     c->op == IXS_NOT_EQUALS ? "NOT " : "", each);
    if (!r)
        r = ixs_render_like(be, val, c->op, c->text, sql, p);
    return r ? r : buf_adds(sql, ")");
}

/* Characters (UTF-8 code points) in s. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Any message of the interaction. SQLite: the FTS5 trigram index finds candidates (a LIKE on
 * messages_fts; it needs a run of 3 characters, so shorter values scan messages instead), then
 * the exact pattern is checked on messages.body. PostgreSQL: the pg_trgm index on the folded
 * body serves the LIKE directly. */
static int render_message(const struct ixs_cond *c, enum db_backend be, struct buf *sql,
                          struct ixs_params *p)
{
    int r = buf_adds(sql, "i.id IN (SELECT m.interaction_id FROM messages m WHERE ");
    if (!r && be == DB_SQLITE && utf8_chars(c->text) >= 3) {
        r = buf_adds(sql, "m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts.body "
                          "LIKE ?) AND ");
        if (!r)
            r = add_pattern(p, c->text, c->op, false, false);
    }
    if (!r)
        r = ixs_render_like(be, "m.body", c->op, c->text, sql, p);
    return r ? r : buf_adds(sql, ")");
}

static int render_cond(const struct ixs_cond *c, enum db_backend be, struct buf *sql,
                       struct ixs_params *p)
{
    switch (c->field) {
    case IXS_F_STATUS: {
        int r = buf_adds(sql, c->op == IXS_EQUALS ? "i.status = ?" : "i.status <> ?");
        return r ? r : ixs_param_text(p, c->text);
    }
    case IXS_F_READ: {
        /* read = true means unread = 0 */
        bool want_read = (c->num[0] != 0) == (c->op == IXS_EQUALS);
        return buf_adds(sql, want_read ? "i.unread = 0" : "i.unread <> 0");
    }
    case IXS_F_TAGS:
        return render_tags(c, be, sql, p);
    case IXS_F_MESSAGE:
        return render_message(c, be, sql, p);
    default:
        break;
    }
    if (c->field >= IXS_F_FIRST_NAME && c->field <= IXS_F_EMAIL) {
        /* The contact's side on its own: the matching contacts drive the interactions through
         * interactions(contact_id) instead of a contact lookup for every interaction. Each
         * interaction has exactly one contact, so this is the same set as a join. */
        int r = buf_adds(sql, "i.contact_id IN (SELECT c2.id FROM contacts c2 WHERE ");
        if (!r)
            r = render_text(c, be, sql, p);
        return r ? r : buf_adds(sql, ")");
    }
    if (fields[c->field].type == IXS_T_TEXT)
        return render_text(c, be, sql, p);
    return render_number(c, sql, p);
}

int ixs_render(const struct ixs_query *q, enum db_backend be, struct buf *sql,
               struct ixs_params *params)
{
    if (!q || !q->n)
        return buf_adds(sql, "(1 = 1)");
    int r = buf_adds(sql, "(");
    for (size_t i = 0; !r && i < q->n; i++) {
        if (i)
            r = buf_adds(sql, q->any ? " OR " : " AND ");
        if (!r)
            r = buf_adds(sql, "(");
        if (!r)
            r = render_cond(&q->cond[i], be, sql, params);
        if (!r)
            r = buf_adds(sql, ")");
    }
    return r ? r : buf_adds(sql, ")");
}

int ixs_bind(struct db_stmt *st, int first, const struct ixs_params *params)
{
    int r = 0;
    for (size_t k = 0; !r && k < params->n; k++)
        r = params->v[k].type == 'i' ? db_bind_int64(st, first + (int)k, params->v[k].i)
                                     : db_bind_text(st, first + (int)k, params->v[k].t, -1);
    return r;
}

json_t *ixs_fields_json(void)
{
    json_t *items = json_array();
    for (int f = 0; items && f < IXS_F_COUNT; f++) {
        json_t *ops = json_array();
        for (int o = 0; ops && o < IXS_OP_COUNT; o++)
            if (ops_of((enum ixs_field)f) & BIT(o))
                json_array_append_new(ops, json_string(op_names[o]));
        json_t *it = json_pack("{s:s, s:s, s:o?}", "field", fields[f].name, "type",
                               type_name(fields[f].type), "ops", ops);
        if (it && f == IXS_F_STATUS)
            json_object_set_new(it, "values", json_pack("[s, s]", "open", "closed"));
        if (!it || json_array_append_new(items, it)) {
            json_decref(items);
            return NULL;
        }
    }
    return items;
}
