/* flow_expr.c — compiler and evaluator of GotoIf conditions (grammar in flow_expr.h). A
 * recursive-descent parser builds a small tree in one array; its depth is bounded when it is
 * built, so evaluation needs no checks. */
#include "routing/flow_expr.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"

/* The variables a flow may read; the router supplies their values (docs/flows.md). */
static const char *const known_vars[] = {
    "interaction.id",         "interaction.channel",
    "interaction.account_id", "interaction.status",
    "interaction.unread",     "interaction.owner_id",
    "interaction.queue_id",   "interaction.disposition",
    "interaction.tags",       "interaction.thread_id",
    "interaction.created_at", "interaction.messages",
    "message.body",           "message.from",
    "message.direction",      "message.attachments",
    "message.created_at",     "contact.id",
    "contact.first_name",     "contact.last_name",
    "contact.phone",          "contact.email",
    "contact.channel_key",    "contact.list_id",
};

bool flow_var_known(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof(known_vars) / sizeof(known_vars[0]); i++)
        if (strlen(known_vars[i]) == len && !memcmp(known_vars[i], name, len))
            return true;
    return false;
}

const char *flow_var_get(const struct flow_vars *vars, const char *name)
{
    for (size_t i = 0; vars && i < vars->n; i++)
        if (vars->v[i].name && !strcmp(vars->v[i].name, name))
            return vars->v[i].value ? vars->v[i].value : "";
    return "";
}

enum node_kind { N_TEXT = 1, N_VAR, N_NOT, N_AND, N_OR, N_CMP };
enum cmp_op { OP_EQ = 1, OP_NE, OP_GT, OP_LT, OP_GE, OP_LE, OP_CONTAINS, OP_STARTS };

struct node {
    unsigned char kind, op;
    short a, b; /* children (node indexes) */
    char *s;    /* N_TEXT: the text; N_VAR: the variable name */
};

struct flow_expr {
    struct node nodes[FLOW_EXPR_MAX_NODES];
    int n, root;
};

/* ---- parser ------------------------------------------------------------------------------ */

struct parser {
    const char *src, *p;
    struct flow_expr *e;
    int depth;
    int err; /* 0, SB_EINVALID or SB_ENOMEM */
    char *msg;
    size_t cap;
};

static int fail(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct parser *ps, const char *fmt, ...)
{
    if (ps->err)
        return -1;
    ps->err = SB_EINVALID;
    char what[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    snprintf(ps->msg, ps->cap, "%s at character %d", what, (int)(ps->p - ps->src) + 1);
    return -1;
}

static int new_node(struct parser *ps, int kind, int op, int a, int b, char *s)
{
    if (ps->e->n == FLOW_EXPR_MAX_NODES) {
        free(s);
        return fail(ps, "too complex: more than %d parts", FLOW_EXPR_MAX_NODES);
    }
    ps->e->nodes[ps->e->n] =
        (struct node){(unsigned char)kind, (unsigned char)op, (short)a, (short)b, s};
    return ps->e->n++;
}

static void skip_ws(struct parser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
        ps->p++;
}

/* Consumes `tok` when it comes next (after spaces); words must not run on into a letter. */
static bool accept(struct parser *ps, const char *tok)
{
    skip_ws(ps);
    size_t n = strlen(tok);
    if (strncmp(ps->p, tok, n))
        return false;
    if (isalpha((unsigned char)tok[0]) && (isalnum((unsigned char)ps->p[n]) || ps->p[n] == '_'))
        return false;
    ps->p += n;
    return true;
}

static int parse_or(struct parser *ps);

static int parse_operand(struct parser *ps)
{
    skip_ws(ps);
    const char *p = ps->p;
    if (*p == '(') {
        ps->p++;
        int n = parse_or(ps);
        if (n < 0)
            return n;
        if (!accept(ps, ")"))
            return fail(ps, "missing )");
        return n;
    }
    if (p[0] == '$' && p[1] == '{') {
        const char *name = p + 2, *end = name;
        while (isalnum((unsigned char)*end) || *end == '_' || *end == '.')
            end++;
        if (*end != '}')
            return fail(ps, "a variable is ${name}");
        if (!flow_var_known(name, (size_t)(end - name)))
            return fail(ps, "unknown variable ${%.*s}", (int)(end - name > 60 ? 60 : end - name),
                        name);
        char *s = strndup(name, (size_t)(end - name));
        if (!s) {
            ps->err = SB_ENOMEM;
            return -1;
        }
        ps->p = end + 1;
        return new_node(ps, N_VAR, 0, -1, -1, s);
    }
    if (*p == '\'' || *p == '"') {
        char quote = *p;
        size_t len = 0;
        char *s = malloc(strlen(p) + 1);
        if (!s) {
            ps->err = SB_ENOMEM;
            return -1;
        }
        const char *q = p + 1;
        for (; *q && *q != quote; q++) {
            if (*q == '\\' && q[1])
                q++;
            s[len++] = *q;
        }
        s[len] = 0;
        if (*q != quote) {
            free(s);
            return fail(ps, "unterminated text");
        }
        ps->p = q + 1;
        return new_node(ps, N_TEXT, 0, -1, -1, s);
    }
    if (isdigit((unsigned char)*p) || (*p == '-' && isdigit((unsigned char)p[1]))) {
        const char *q = p + 1;
        while (isdigit((unsigned char)*q))
            q++;
        if (*q == '.' && isdigit((unsigned char)q[1]))
            for (q++; isdigit((unsigned char)*q);)
                q++;
        if (isalpha((unsigned char)*q) || *q == '_' || *q == '.')
            return fail(ps, "bad number");
        char *s = strndup(p, (size_t)(q - p));
        if (!s) {
            ps->err = SB_ENOMEM;
            return -1;
        }
        ps->p = q;
        return new_node(ps, N_TEXT, 0, -1, -1, s);
    }
    if (isalpha((unsigned char)*p)) {
        const char *q = p;
        while (isalnum((unsigned char)*q) || *q == '_')
            q++;
        return fail(ps, "unknown word \"%.*s\" (quote text, write variables as ${name})",
                    (int)(q - p > 40 ? 40 : q - p), p);
    }
    if (!*p)
        return fail(ps, "a value is missing");
    return fail(ps, "unexpected \"%c\"", *p);
}

static int parse_compare(struct parser *ps)
{
    int left = parse_operand(ps);
    if (left < 0)
        return left;
    static const struct {
        const char *tok;
        int op;
    } ops[] = {{"==", OP_EQ},
               {"!=", OP_NE},
               {">=", OP_GE},
               {"<=", OP_LE},
               {">", OP_GT},
               {"<", OP_LT},
               {"contains", OP_CONTAINS},
               {"startsWith", OP_STARTS}};
    int op = 0;
    for (size_t i = 0; !op && i < sizeof(ops) / sizeof(ops[0]); i++)
        if (accept(ps, ops[i].tok))
            op = ops[i].op;
    if (!op) {
        skip_ws(ps);
        if (*ps->p == '=')
            return fail(ps, "use == to compare");
        return left;
    }
    int right = parse_operand(ps);
    if (right < 0)
        return right;
    int lk = ps->e->nodes[left].kind, rk = ps->e->nodes[right].kind;
    if ((lk != N_TEXT && lk != N_VAR) || (rk != N_TEXT && rk != N_VAR))
        return fail(ps, "only values can be compared, not conditions");
    return new_node(ps, N_CMP, op, left, right, NULL);
}

static int parse_unary(struct parser *ps)
{
    skip_ws(ps);
    if (ps->p[0] == '!' && ps->p[1] != '=') {
        ps->p++;
        if (++ps->depth > FLOW_EXPR_MAX_DEPTH)
            return fail(ps, "nested too deeply (more than %d levels)", FLOW_EXPR_MAX_DEPTH);
        int n = parse_unary(ps);
        ps->depth--;
        return n < 0 ? n : new_node(ps, N_NOT, 0, n, -1, NULL);
    }
    return parse_compare(ps);
}

static int parse_and(struct parser *ps)
{
    int left = parse_unary(ps);
    while (left >= 0 && accept(ps, "&&")) {
        int right = parse_unary(ps);
        left = right < 0 ? right : new_node(ps, N_AND, 0, left, right, NULL);
    }
    return left;
}

static int parse_or(struct parser *ps)
{
    if (++ps->depth > FLOW_EXPR_MAX_DEPTH)
        return fail(ps, "nested too deeply (more than %d levels)", FLOW_EXPR_MAX_DEPTH);
    int left = parse_and(ps);
    while (left >= 0 && accept(ps, "||")) {
        int right = parse_and(ps);
        left = right < 0 ? right : new_node(ps, N_OR, 0, left, right, NULL);
    }
    ps->depth--;
    return left;
}

void flow_expr_free(struct flow_expr *e)
{
    if (!e)
        return;
    for (int i = 0; i < e->n; i++)
        free(e->nodes[i].s);
    free(e);
}

int flow_expr_compile(const char *src, struct flow_expr **out, char *msg, size_t cap)
{
    *out = NULL;
    if (cap)
        msg[0] = 0;
    if (!src || strlen(src) > FLOW_EXPR_MAX_LEN) {
        snprintf(msg, cap, "must be 1 to %d characters", FLOW_EXPR_MAX_LEN);
        return SB_EINVALID;
    }
    struct flow_expr *e = calloc(1, sizeof(*e));
    if (!e)
        return SB_ENOMEM;
    struct parser ps = {src, src, e, 0, 0, msg, cap};
    int root = parse_or(&ps);
    skip_ws(&ps);
    if (root >= 0 && *ps.p) {
        if (*ps.p == '&' || *ps.p == '|')
            fail(&ps, "use && and || (doubled)");
        else
            fail(&ps, "unexpected \"%.20s\"", ps.p);
    }
    if (ps.err) {
        flow_expr_free(e);
        return ps.err;
    }
    e->root = root;
    *out = e;
    return 0;
}

/* ---- evaluation -------------------------------------------------------------------------- */

/* A number as the language reads it: -?digits[.digits], nothing else. */
static bool as_number(const char *s, double *out)
{
    const char *p = s;
    if (*p == '-')
        p++;
    if (!isdigit((unsigned char)*p))
        return false;
    while (isdigit((unsigned char)*p))
        p++;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return false;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (*p)
        return false;
    *out = strtod(s, NULL);
    return true;
}

static bool truthy(const char *s)
{
    return *s && strcmp(s, "0") && strcasecmp(s, "false");
}

static const char *value_of(const struct flow_expr *e, int i, const struct flow_vars *vars)
{
    const struct node *n = &e->nodes[i];
    return n->kind == N_VAR ? flow_var_get(vars, n->s) : n->s;
}

static bool starts_with_nocase(const char *s, const char *prefix)
{
    return !strncasecmp(s, prefix, strlen(prefix));
}

static bool compare(int op, const char *l, const char *r)
{
    double a, b;
    bool num = as_number(l, &a) && as_number(r, &b);
    int c = num ? (a > b) - (a < b) : strcmp(l, r);
    switch (op) {
    case OP_EQ:
        return c == 0;
    case OP_NE:
        return c != 0;
    case OP_GT:
        return c > 0;
    case OP_LT:
        return c < 0;
    case OP_GE:
        return c >= 0;
    case OP_LE:
        return c <= 0;
    case OP_CONTAINS:
        return strcasestr(l, r) != NULL;
    case OP_STARTS:
        return starts_with_nocase(l, r);
    }
    return false;
}

static bool eval_node(const struct flow_expr *e, int i, const struct flow_vars *vars)
{
    const struct node *n = &e->nodes[i];
    switch (n->kind) {
    case N_TEXT:
    case N_VAR:
        return truthy(value_of(e, i, vars));
    case N_NOT:
        return !eval_node(e, n->a, vars);
    case N_AND:
        return eval_node(e, n->a, vars) && eval_node(e, n->b, vars);
    case N_OR:
        return eval_node(e, n->a, vars) || eval_node(e, n->b, vars);
    case N_CMP:
        return compare(n->op, value_of(e, n->a, vars), value_of(e, n->b, vars));
    }
    return false;
}

bool flow_expr_eval(const struct flow_expr *e, const struct flow_vars *vars)
{
    return e && e->n && eval_node(e, e->root, vars);
}

/* ---- templates (the Noop value) ---------------------------------------------------------- */

int flow_template_check(const char *tmpl, char *msg, size_t cap)
{
    for (const char *p = tmpl; (p = strstr(p, "${"));) {
        const char *end = strchr(p, '}');
        if (!end) {
            snprintf(msg, cap, "a variable is ${name}: missing } at character %d",
                     (int)(p - tmpl) + 1);
            return SB_EINVALID;
        }
        if (!flow_var_known(p + 2, (size_t)(end - p - 2))) {
            snprintf(msg, cap, "unknown variable ${%.*s}",
                     (int)(end - p - 2 > 60 ? 60 : end - p - 2), p + 2);
            return SB_EINVALID;
        }
        p = end + 1;
    }
    return 0;
}

size_t flow_template_expand(const char *tmpl, const struct flow_vars *vars, char *out, size_t cap)
{
    size_t len = 0;
    char name[64];
    for (const char *p = tmpl; *p && len + 1 < cap;) {
        const char *end = p[0] == '$' && p[1] == '{' ? strchr(p, '}') : NULL;
        if (end && (size_t)(end - p - 2) < sizeof(name)) {
            memcpy(name, p + 2, (size_t)(end - p - 2));
            name[end - p - 2] = 0;
            const char *v = flow_var_get(vars, name);
            for (; *v && len + 1 < cap; v++)
                out[len++] = *v;
            p = end + 1;
        } else {
            out[len++] = *p++;
        }
    }
    if (cap)
        out[len] = 0;
    return len;
}
