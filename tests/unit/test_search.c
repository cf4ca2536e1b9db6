/* test_search.c — the interactions' advanced search (interactions/search.h): every field ×
 * operator against the contract's table, bad searches naming the place, disabled conditions,
 * all/any, the 20-condition cap, values kept out of the SQL text; and the property test of
 * issue #6 ("advanced search results equal a brute-force filter on generated data"): random
 * contacts, interactions and messages (non-ASCII, empty texts, NULLs, tags, LIKE wildcards)
 * and hundreds of random searches, the SQL result compared with a filter written here in C,
 * on SQLite and on PostgreSQL (SB_TEST_PG_CONNINFO). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>

#include "core/clock.h"
#include "core/err.h"
#include "db_fixture.h"
#include "http/respond.h"
#include "interactions/search.h"

/* ---- the contract's table, written out independently of search.c ----------------------- */

static const char *const all_fields[] = {
    "id",
    "status",
    "read",
    "contact.first_name",
    "contact.last_name",
    "contact.phone",
    "contact.email",
    "agent",
    "queue",
    "disposition",
    "tags",
    "created_at",
    "closed_at",
    "last_message_at",
    "message",
};
static const char *const all_ops[] = {"equals",    "not_equals", "contains", "starts_with",
                                      "ends_with", "gt",         "lt",       "between",
                                      "empty",     "not_empty"};
#define NFIELDS (sizeof(all_fields) / sizeof(all_fields[0]))
#define NOPS    (sizeof(all_ops) / sizeof(all_ops[0]))

/* Kind of a field: 'n' integer, 'd' datetime, 'e' enum status, 'b' boolean, 't' text,
 * 'm' message. */
static char kind_of(const char *f)
{
    if (!strcmp(f, "id") || !strcmp(f, "agent") || !strcmp(f, "queue"))
        return 'n';
    if (strstr(f, "_at"))
        return 'd';
    if (!strcmp(f, "status"))
        return 'e';
    if (!strcmp(f, "read"))
        return 'b';
    if (!strcmp(f, "message"))
        return 'm';
    return 't';
}

static bool contract_allows(const char *f, const char *op)
{
    static const char *const text[] = {"equals",    "not_equals", "contains",  "starts_with",
                                       "ends_with", "empty",      "not_empty", NULL};
    static const char *const num[] = {"equals",  "not_equals", "gt",        "lt",
                                      "between", "empty",      "not_empty", NULL};
    static const char *const choice[] = {"equals", "not_equals", NULL};
    static const char *const msg[] = {"equals", "contains", "starts_with", "ends_with", NULL};
    const char *const *set;
    switch (kind_of(f)) {
    case 'n':
    case 'd':
        set = num;
        break;
    case 'e':
    case 'b':
        set = choice;
        break;
    case 'm':
        set = msg;
        break;
    default:
        set = text;
    }
    for (; *set; set++)
        if (!strcmp(*set, op))
            return true;
    return false;
}

/* A good value of field f for op (NULL = none). New reference. */
static json_t *good_value(const char *f, const char *op)
{
    if (!strcmp(op, "empty") || !strcmp(op, "not_empty"))
        return NULL;
    json_t *one;
    switch (kind_of(f)) {
    case 'n':
        one = json_integer(7);
        break;
    case 'd':
        one = json_string("2026-11-22T09:00:00Z");
        break;
    case 'e':
        one = json_string("open");
        break;
    case 'b':
        one = json_true();
        break;
    default:
        one = json_string("Ab%_\\é");
    }
    if (strcmp(op, "between"))
        return one;
    return json_pack("[o, O]", one, one);
}

static int parse_cond_json(json_t *q, struct ixs_query *out, json_t **problem)
{
    *problem = http_problem_new(422, "t", NULL);
    return ixs_parse(q, "q", out, *problem);
}

/* The error fields of a problem, joined by spaces. */
static const char *error_fields(json_t *problem, char *out, size_t cap)
{
    out[0] = 0;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(problem, "errors"), i, e)
    {
        size_t n = strlen(out);
        snprintf(out + n, cap - n, "%s%s", n ? " " : "",
                 json_string_value(json_object_get(e, "field")));
    }
    return out;
}

static void test_every_field_and_op(void **state)
{
    (void)state;
    json_t *fields = ixs_fields_json();
    assert_int_equal(json_array_size(fields), NFIELDS);
    for (size_t f = 0; f < NFIELDS; f++) {
        assert_string_equal(json_string_value(json_object_get(json_array_get(fields, f), "field")),
                            all_fields[f]);
        for (size_t o = 0; o < NOPS; o++) {
            json_t *cond = json_pack("{s:s, s:s}", "field", all_fields[f], "op", all_ops[o]);
            json_t *v = good_value(all_fields[f], all_ops[o]);
            if (v)
                json_object_set_new(cond, "value", v);
            json_t *q = json_pack("{s:s, s:[o]}", "match", "all", "conditions", cond);
            struct ixs_query out;
            json_t *p;
            int r = parse_cond_json(q, &out, &p);
            char errs[256];
            bool allowed = contract_allows(all_fields[f], all_ops[o]);
            if (allowed != (r == 0))
                fail_msg("%s %s: parse %d (%s)", all_fields[f], all_ops[o], r,
                         error_fields(p, errs, sizeof(errs)));
            if (!allowed)
                assert_string_equal(error_fields(p, errs, sizeof(errs)), "q.conditions[0].op");
            if (allowed) {
                assert_int_equal(out.n, 1);
                /* Renders on both backends, values only as parameters. */
                for (int be = 0; be < 2; be++) {
                    struct buf sql;
                    buf_init(&sql, 1 << 16);
                    struct ixs_params *prm = calloc(1, sizeof(*prm));
                    assert_int_equal(ixs_render(&out, (enum db_backend)be, &sql, prm), 0);
                    assert_null(strstr(sql.data, "Ab"));
                    assert_null(strstr(sql.data, "2026"));
                    assert_null(strstr(sql.data, "'open'"));
                    size_t marks = 0;
                    for (const char *c = sql.data; *c; c++)
                        marks += *c == '?';
                    assert_int_equal(marks, prm->n);
                    buf_free(&sql);
                    free(prm);
                }
            }
            json_decref(p);
            json_decref(q);
        }
    }
    json_decref(fields);
}

/* Parses `text` and expects exactly the error fields `want` ("" = valid). */
static void expect(const char *text, const char *want)
{
    struct ixs_query out;
    json_t *p = http_problem_new(422, "t", NULL);
    int r = ixs_parse_text(text, "q", &out, p);
    char errs[512];
    error_fields(p, errs, sizeof(errs));
    if (strcmp(errs, want) || (r == 0) != !*want)
        fail_msg("%s: got %d [%s], want [%s]", text, r, errs, want);
    json_decref(p);
}

static void test_bad_searches(void **state)
{
    (void)state;
    expect("", "");
    expect("{}", "");
    expect("[]", "q");
    expect("{\"conditions\": [", "q");
    expect("{\"match\": \"most\"}", "q.match");
    expect("{\"conditions\": {}}", "q.conditions");
    expect("{\"sort\": 1}", "q.sort");
    expect("{\"conditions\": [1]}", "q.conditions[0]");
    expect("{\"conditions\": [{\"field\": \"colour\", \"op\": \"equals\", \"value\": 1}]}",
           "q.conditions[0].field");
    expect("{\"conditions\": [{\"field\": \"id\", \"op\": \"like\", \"value\": 1}]}",
           "q.conditions[0].op");
    expect("{\"conditions\": [{\"field\": \"id\"}]}", "q.conditions[0].op");
    expect("{\"conditions\": [{\"field\": \"id\", \"op\": \"equals\"}]}", "q.conditions[0].value");
    expect("{\"conditions\": [{\"field\": \"id\", \"op\": \"equals\", \"value\": \"7\"}]}",
           "q.conditions[0].value");
    expect("{\"conditions\": [{\"field\": \"id\", \"op\": \"between\", \"value\": [1]}]}",
           "q.conditions[0].value");
    expect("{\"conditions\": [{\"field\": \"id\", \"op\": \"between\", \"value\": [2, 1]}]}",
           "q.conditions[0].value");
    expect("{\"conditions\": [{\"field\": \"created_at\", \"op\": \"gt\", \"value\": "
           "\"2026-11-22T09:00:00\"}]}",
           "q.conditions[0].value");
    expect("{\"conditions\": [{\"field\": \"read\", \"op\": \"equals\", \"value\": 1}]}",
           "q.conditions[0].value");
    expect("{\"conditions\": [{\"field\": \"status\", \"op\": \"equals\", \"value\": \"Open\"}]}",
           "q.conditions[0].value");
    expect("{\"conditions\": [{\"field\": \"tags\", \"op\": \"equals\", \"value\": \"\"}]}",
           "q.conditions[0].value");
    expect("{\"conditions\": [{\"field\": \"tags\", \"op\": \"empty\", \"value\": \"x\"}]}",
           "q.conditions[0].value");
    expect("{\"conditions\": [{\"field\": \"tags\", \"op\": \"empty\", \"value\": null}]}", "");
    expect("{\"conditions\": [{\"field\": \"id\", \"op\": \"gt\", \"value\": 1, \"disabled\": "
           "\"yes\"}]}",
           "q.conditions[0].disabled");
    expect("{\"conditions\": [{\"field\": \"id\", \"op\": \"gt\", \"value\": 1, \"x\": 1}]}",
           "q.conditions[0].x");
    /* Every error at once, each at its place. */
    expect("{\"match\": 1, \"conditions\": [{\"field\": \"id\", \"op\": \"gt\", \"value\": 1}, "
           "{\"field\": \"message\", \"op\": \"not_equals\", \"value\": \"a\"}, {\"field\": "
           "\"email\", \"op\": \"equals\", \"value\": \"a\"}]}",
           "q.match q.conditions[1].op q.conditions[2].field");
    /* A text value: 1 to 256 bytes. */
    char big[400];
    snprintf(big, sizeof(big),
             "{\"conditions\": [{\"field\": \"message\", \"op\": \"contains\", \"value\": "
             "\"%0257d\"}]}",
             0);
    expect(big, "q.conditions[0].value");
    snprintf(big, sizeof(big),
             "{\"conditions\": [{\"field\": \"message\", \"op\": \"contains\", \"value\": "
             "\"%0256d\"}]}",
             0);
    expect(big, "");
    /* JSON text cap. */
    char *huge = malloc(IXS_JSON_MAX + 2);
    memset(huge, ' ', IXS_JSON_MAX + 1);
    huge[0] = '{';
    huge[IXS_JSON_MAX] = '}';
    huge[IXS_JSON_MAX + 1] = 0;
    expect(huge, "q");
    free(huge);
}

static json_t *n_conditions(size_t n, bool disabled_every_other)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a,
                              json_pack("{s:s, s:s, s:I, s:b}", "field", "id", "op", "gt", "value",
                                        (json_int_t)i, "disabled", disabled_every_other && i % 2));
    return json_pack("{s:s, s:o}", "match", "any", "conditions", a);
}

static void test_cap_disabled_and_match(void **state)
{
    (void)state;
    struct ixs_query out;
    json_t *p;
    json_t *q = n_conditions(20, true);
    assert_int_equal(parse_cond_json(q, &out, &p), 0);
    assert_int_equal(out.n, 10);
    assert_int_equal(out.given, 20);
    assert_true(out.any);
    for (size_t i = 0; i < out.n; i++)
        assert_int_equal(out.cond[i].num[0], (int64_t)(2 * i));
    json_decref(q);
    json_decref(p);
    q = n_conditions(21, false);
    assert_int_equal(parse_cond_json(q, &out, &p), SB_EINVALID);
    char errs[128];
    assert_string_equal(error_fields(p, errs, sizeof(errs)), "q.conditions");
    json_decref(q);
    json_decref(p);
    /* All disabled: everything. */
    q = json_pack("{s:[{s:s, s:s, s:i, s:b}]}", "conditions", "field", "id", "op", "equals",
                  "value", 1, "disabled", 1);
    assert_int_equal(parse_cond_json(q, &out, &p), 0);
    assert_int_equal(out.n, 0);
    struct buf sql;
    buf_init(&sql, 1024);
    struct ixs_params prm = {0};
    assert_int_equal(ixs_render(&out, DB_SQLITE, &sql, &prm), 0);
    assert_string_equal(sql.data, "(1 = 1)");
    assert_int_equal(prm.n, 0);
    buf_free(&sql);
    json_decref(q);
    json_decref(p);
    /* all → AND, any → OR */
    q = json_pack("{s:s, s:[{s:s, s:s, s:i}, {s:s, s:s, s:i}]}", "match", "all", "conditions",
                  "field", "id", "op", "gt", "value", 1, "field", "id", "op", "lt", "value", 9);
    assert_int_equal(parse_cond_json(q, &out, &p), 0);
    buf_init(&sql, 1024);
    assert_int_equal(ixs_render(&out, DB_PG, &sql, &prm), 0);
    assert_string_equal(sql.data, "((i.id > ?) AND (i.id < ?))");
    buf_free(&sql);
    json_decref(q);
    json_decref(p);
}

/* ---- the property test ----------------------------------------------------------------- */

#define P_CONTACTS 90
#define P_IXS      260
#define P_MSGS     520
#define P_QUERIES  450
#define P_TAGS     4
#define P_STAFF    5
#define P_QUEUES   4

static uint64_t rng_state;

static uint32_t rnd(void)
{
    /* xorshift64*: deterministic across platforms */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * UINT64_C(2685821657736338717)) >> 32);
}

static uint32_t below(uint32_t n)
{
    return rnd() % n;
}

/* Pieces texts are made of: ASCII both cases, LIKE's wildcards and escape, non-ASCII letters
 * (two cases of É, ß, Greek, an emoji), spaces and punctuation. */
static const char *const pieces[] = {"a",  "B",     "c",   "D", "e", "x",  "Y",   "z", "ab", "AB",
                                     "in", "voice", "Ann", "%", "_", "\\", "é",   "É", "ß",  "Σ",
                                     "σ",  "😀",     " ",   "-", "'", "+1", "555", "@"};

static char *rand_text(size_t max_pieces)
{
    char tmp[256] = "";
    size_t n = below((uint32_t)max_pieces + 1);
    for (size_t i = 0; i < n; i++) {
        const char *p = pieces[below(sizeof(pieces) / sizeof(pieces[0]))];
        if (strlen(tmp) + strlen(p) < sizeof(tmp))
            strcat(tmp, p);
    }
    return strdup(tmp);
}

/* NULL (1/6), "" (1/6) or a text. */
static char *rand_opt_text(void)
{
    uint32_t k = below(6);
    if (k == 0)
        return NULL;
    if (k == 1)
        return strdup("");
    return rand_text(5);
}

struct p_contact {
    int64_t id;
    char *f[4]; /* first_name, last_name, phone, email */
};

struct p_ix {
    int64_t id, contact, owner, queue; /* 0 = NULL */
    bool open;
    int unread;
    char *disposition;
    size_t ntags;
    char *tags[P_TAGS];
    int64_t created, closed, last; /* -1 = NULL */
};

struct p_msg {
    int64_t ix;
    char *body;
};

static struct p_contact contacts[P_CONTACTS];
static struct p_ix ixs[P_IXS];
static struct p_msg msgs[P_MSGS];

#define T0 INT64_C(1767225600000) /* 2026-01-01 */

static int64_t rand_time(void)
{
    return T0 + (int64_t)below(1000) * 3600000;
}

static void generate(void)
{
    for (int k = 0; k < P_CONTACTS; k++) {
        contacts[k].id = k + 1;
        for (int f = 0; f < 4; f++)
            contacts[k].f[f] = rand_opt_text();
    }
    for (int k = 0; k < P_IXS; k++) {
        struct p_ix *x = &ixs[k];
        x->id = k + 1;
        x->contact = 1 + below(P_CONTACTS);
        x->open = below(3) == 0;
        x->unread = (int)below(2);
        x->owner = below(3) ? 1 + below(P_STAFF) : 0;
        x->queue = below(4) ? 1 + below(P_QUEUES) : 0;
        x->disposition = rand_opt_text();
        x->ntags = below(P_TAGS + 1);
        for (size_t t = 0; t < x->ntags; t++) {
            x->tags[t] = rand_text(3);
            if (!*x->tags[t]) {
                free(x->tags[t]);
                x->tags[t] = strdup("t");
            }
        }
        x->created = rand_time();
        x->closed = x->open ? -1 : x->created + below(100) * 60000;
        x->last = below(4) ? x->created + below(50) * 60000 : -1;
    }
    for (int k = 0; k < P_MSGS; k++) {
        msgs[k].ix = 1 + below(P_IXS);
        msgs[k].body = rand_text(12);
    }
}

static void free_data(void)
{
    for (int k = 0; k < P_CONTACTS; k++)
        for (int f = 0; f < 4; f++)
            free(contacts[k].f[f]);
    for (int k = 0; k < P_IXS; k++) {
        free(ixs[k].disposition);
        for (size_t t = 0; t < ixs[k].ntags; t++)
            free(ixs[k].tags[t]);
    }
    for (int k = 0; k < P_MSGS; k++)
        free(msgs[k].body);
}

static void exec_ok(struct db *db, const char *sql, const char *types, ...)
{
    struct db_stmt *st = NULL;
    int r = db_prepare(db, sql, &st);
    if (!r) {
        va_list ap;
        va_start(ap, types);
        r = db_bind_allv(st, types, ap);
        va_end(ap);
    }
    if (!r)
        r = db_step(st);
    if (r != DB_DONE)
        fail_msg("%s: %d %s", sql, r, db_errmsg(db));
    db_finalize(st);
}

static void store(struct db *db)
{
    assert_int_equal(db_begin(db), 0);
    for (int s = 1; s <= P_STAFF; s++) {
        char name[16];
        snprintf(name, sizeof(name), "agent%d", s);
        exec_ok(db,
                "INSERT INTO staff (id, username, full_name, role, created_at, updated_at) "
                "VALUES (?, ?, ?, 'agent', 0, 0)",
                "itt", (int64_t)s + 1000, name, name);
    }
    for (int q = 1; q <= P_QUEUES; q++) {
        char name[16];
        snprintf(name, sizeof(name), "q%d", q);
        exec_ok(db,
                "INSERT INTO queues (id, channel, name, strategy, agent_timeout, created_at, "
                "updated_at) VALUES (?, 'sms', ?, 'beepall', 10, 0, 0)",
                "it", (int64_t)q + 1000, name);
    }
    /* One contact list each: a phone or an e-mail is unique within a list, and the random
     * data repeats them. */
    for (int k = 0; k < P_CONTACTS; k++) {
        char name[16];
        snprintf(name, sizeof(name), "list%d", k);
        exec_ok(db,
                "INSERT INTO contact_lists (id, name, created_at, updated_at) VALUES (?, ?, 0, 0)",
                "it", contacts[k].id + 1000, name);
    }
    for (int k = 0; k < P_CONTACTS; k++)
        exec_ok(db,
                "INSERT INTO contacts (id, list_id, first_name, last_name, phone, email, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, 0)",
                "iitttt", contacts[k].id, contacts[k].id + 1000, contacts[k].f[0], contacts[k].f[1],
                contacts[k].f[2], contacts[k].f[3]);
    for (int k = 0; k < P_IXS; k++) {
        struct p_ix *x = &ixs[k];
        json_t *tags = json_array();
        for (size_t t = 0; t < x->ntags; t++)
            json_array_append_new(tags, json_string(x->tags[t]));
        char *tj = json_dumps(tags, JSON_COMPACT);
        json_decref(tags);
        struct db_stmt *st = NULL;
        assert_int_equal(
            db_prepare(db,
                       "INSERT INTO interactions (id, channel, account_id, contact_id, status, "
                       "unread, owner_id, queue_id, disposition, tags, created_at, updated_at, "
                       "closed_at, last_message_at) VALUES (?, 'sms', ?, ?, ?, ?, ?, ?, ?, ?, "
                       "?, 0, ?, ?)",
                       &st),
            0);
        /* one account per interaction: a contact has one open interaction per account */
        assert_int_equal(db_bind_all(st, "iiitiiitti", x->id, x->id, x->contact,
                                     x->open ? "open" : "closed", (int64_t)x->unread,
                                     x->owner ? x->owner + 1000 : 0, x->queue ? x->queue + 1000 : 0,
                                     x->disposition, tj, x->created),
                         0);
        if (!x->owner)
            db_bind_null(st, 6);
        if (!x->queue)
            db_bind_null(st, 7);
        if (x->closed < 0)
            db_bind_null(st, 11);
        else
            db_bind_int64(st, 11, x->closed);
        if (x->last < 0)
            db_bind_null(st, 12);
        else
            db_bind_int64(st, 12, x->last);
        if (db_step(st) != DB_DONE)
            fail_msg("insert interaction: %s", db_errmsg(db));
        db_finalize(st);
        free(tj);
    }
    for (int k = 0; k < P_MSGS; k++)
        exec_ok(db,
                "INSERT INTO messages (interaction_id, direction, body, delivery_status, "
                "created_at, updated_at) VALUES (?, 'in', ?, 'received', 0, 0)",
                "it", msgs[k].ix, msgs[k].body);
    assert_int_equal(db_commit(db), 0);
}

/* ---- the brute force: ASCII letters fold, nothing else ---------------------------------- */

static void fold(const char *s, char *out)
{
    for (; *s; s++, out++)
        *out = (*s >= 'A' && *s <= 'Z') ? (char)(*s - 'A' + 'a') : *s;
    *out = 0;
}

/* equals / contains / starts_with / ends_with on a non-NULL text. */
static bool text_op(const char *x, enum ixs_op op, const char *v)
{
    char fx[1024], fv[1024];
    fold(x, fx);
    fold(v, fv);
    size_t lx = strlen(fx), lv = strlen(fv);
    switch (op) {
    case IXS_EQUALS:
        return !strcmp(fx, fv);
    case IXS_CONTAINS:
        return strstr(fx, fv) != NULL;
    case IXS_STARTS_WITH:
        return lx >= lv && !memcmp(fx, fv, lv);
    case IXS_ENDS_WITH:
        return lx >= lv && !memcmp(fx + lx - lv, fv, lv);
    default:
        fail_msg("text op %d", op);
    }
    return false;
}

static bool text_match(const char *x, const struct ixs_cond *c)
{
    switch (c->op) {
    case IXS_EMPTY:
        return !x || !*x;
    case IXS_NOT_EMPTY:
        return x && *x;
    case IXS_NOT_EQUALS:
        return !x || !text_op(x, IXS_EQUALS, c->text);
    default:
        return x && text_op(x, c->op, c->text);
    }
}

/* has = false means NULL. */
static bool num_match(bool has, int64_t x, const struct ixs_cond *c)
{
    switch (c->op) {
    case IXS_EQUALS:
        return has && x == c->num[0];
    case IXS_NOT_EQUALS:
        return !has || x != c->num[0];
    case IXS_GT:
        return has && x > c->num[0];
    case IXS_LT:
        return has && x < c->num[0];
    case IXS_BETWEEN:
        return has && x >= c->num[0] && x <= c->num[1];
    case IXS_EMPTY:
        return !has;
    case IXS_NOT_EMPTY:
        return has;
    default:
        fail_msg("number op %d", c->op);
    }
    return false;
}

static bool cond_match(const struct p_ix *x, const struct ixs_cond *c)
{
    const struct p_contact *ct = &contacts[x->contact - 1];
    switch (c->field) {
    case IXS_F_ID:
        return num_match(true, x->id, c);
    case IXS_F_AGENT:
        return num_match(x->owner != 0, x->owner + 1000, c);
    case IXS_F_QUEUE:
        return num_match(x->queue != 0, x->queue + 1000, c);
    case IXS_F_CREATED_AT:
        return num_match(true, x->created, c);
    case IXS_F_CLOSED_AT:
        return num_match(x->closed >= 0, x->closed, c);
    case IXS_F_LAST_MESSAGE_AT:
        return num_match(x->last >= 0, x->last, c);
    case IXS_F_STATUS:
        return (!strcmp(c->text, x->open ? "open" : "closed")) == (c->op == IXS_EQUALS);
    case IXS_F_READ:
        return ((x->unread == 0) == (c->num[0] != 0)) == (c->op == IXS_EQUALS);
    case IXS_F_FIRST_NAME:
        return text_match(ct->f[0], c);
    case IXS_F_LAST_NAME:
        return text_match(ct->f[1], c);
    case IXS_F_PHONE:
        return text_match(ct->f[2], c);
    case IXS_F_EMAIL:
        return text_match(ct->f[3], c);
    case IXS_F_DISPOSITION:
        return text_match(x->disposition, c);
    case IXS_F_TAGS:
        if (c->op == IXS_EMPTY)
            return x->ntags == 0;
        if (c->op == IXS_NOT_EMPTY)
            return x->ntags > 0;
        for (size_t t = 0; t < x->ntags; t++)
            if (text_op(x->tags[t], c->op == IXS_NOT_EQUALS ? IXS_EQUALS : c->op, c->text))
                return c->op != IXS_NOT_EQUALS;
        return c->op == IXS_NOT_EQUALS;
    case IXS_F_MESSAGE:
        for (int k = 0; k < P_MSGS; k++)
            if (msgs[k].ix == x->id && text_op(msgs[k].body, c->op, c->text))
                return true;
        return false;
    case IXS_F_COUNT:
        break;
    }
    fail_msg("field %d", c->field);
    return false;
}

static bool query_match(const struct p_ix *x, const struct ixs_query *q)
{
    if (!q->n)
        return true;
    for (size_t i = 0; i < q->n; i++) {
        bool m = cond_match(x, &q->cond[i]);
        if (q->any && m)
            return true;
        if (!q->any && !m)
            return false;
    }
    return !q->any;
}

/* ---- random searches --------------------------------------------------------------------- */

/* A text value: often a piece of stored data (so that searches match), with its ASCII case
 * flipped at random; sometimes random. Never empty. */
static void rand_value_text(enum ixs_field f, char *out)
{
    const char *src = NULL;
    uint32_t k = below(10);
    if (k < 7) {
        const struct p_ix *x = &ixs[below(P_IXS)];
        const struct p_contact *ct = &contacts[x->contact - 1];
        switch (f) {
        case IXS_F_FIRST_NAME:
        case IXS_F_LAST_NAME:
        case IXS_F_PHONE:
        case IXS_F_EMAIL:
            src = ct->f[f - IXS_F_FIRST_NAME];
            break;
        case IXS_F_DISPOSITION:
            src = x->disposition;
            break;
        case IXS_F_TAGS:
            src = x->ntags ? x->tags[below((uint32_t)x->ntags)] : NULL;
            break;
        default:
            src = msgs[below(P_MSGS)].body;
        }
    }
    char tmp[512] = "";
    if (src && *src) {
        /* a random byte range, widened to whole UTF-8 characters */
        size_t len = strlen(src), a = below((uint32_t)len), b = a + 1 + below((uint32_t)(len - a));
        while (a > 0 && ((unsigned char)src[a] & 0xC0) == 0x80)
            a--;
        while (b < len && ((unsigned char)src[b] & 0xC0) == 0x80)
            b++;
        if (below(2)) /* often the whole text, for equals */
            a = 0, b = len;
        memcpy(tmp, src + a, b - a);
        tmp[b - a] = 0;
    } else {
        char *t = rand_text(3);
        snprintf(tmp, sizeof(tmp), "%s", t);
        free(t);
    }
    if (!*tmp)
        snprintf(tmp, sizeof(tmp), "a");
    for (char *c = tmp; *c; c++)
        if (below(3) == 0 && ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')))
            *c ^= 0x20;
    tmp[IXS_TEXT_MAX] = 0;
    while (strlen(tmp) && ((unsigned char)tmp[strlen(tmp) - 1] & 0xC0) == 0xC0)
        tmp[strlen(tmp) - 1] = 0; /* never cut a character in two */
    if (!*tmp)
        strcpy(tmp, "a");
    memcpy(out, tmp, strlen(tmp) + 1); /* at most IXS_TEXT_MAX bytes: cut above */
}

static json_t *rand_scalar(enum ixs_field f)
{
    char iso[32];
    switch (ixs_field_type(f)) {
    case IXS_T_INTEGER:
        if (f == IXS_F_ID)
            return json_integer(below(P_IXS + 10));
        return json_integer(1000 + below(P_STAFF + 2));
    case IXS_T_DATETIME:
        return json_string(clock_iso8601(rand_time() + below(3) * 60000, iso));
    case IXS_T_BOOLEAN:
        return json_boolean(below(2));
    case IXS_T_ENUM:
        return json_string(below(2) ? "open" : "closed");
    case IXS_T_TEXT: {
        char t[IXS_TEXT_MAX + 1];
        rand_value_text(f, t);
        return json_string(t);
    }
    }
    return NULL;
}

static json_t *rand_query(void)
{
    json_t *conds = json_array();
    size_t n = below(5);
    for (size_t i = 0; i < n; i++) {
        enum ixs_field f = (enum ixs_field)below(IXS_F_COUNT);
        enum ixs_op op;
        do
            op = (enum ixs_op)below(IXS_OP_COUNT);
        while (!ixs_op_allowed(f, op));
        json_t *c = json_pack("{s:s, s:s}", "field", ixs_field_name(f), "op", ixs_op_name(op));
        if (op == IXS_BETWEEN) {
            json_t *a = rand_scalar(f), *b = rand_scalar(f);
            if (json_integer_value(a) > json_integer_value(b) ||
                (json_is_string(a) && strcmp(json_string_value(a), json_string_value(b)) > 0)) {
                json_t *t = a;
                a = b;
                b = t;
            }
            json_object_set_new(c, "value", json_pack("[o, o]", a, b));
        } else if (op != IXS_EMPTY && op != IXS_NOT_EMPTY) {
            json_object_set_new(c, "value", rand_scalar(f));
        }
        if (below(6) == 0)
            json_object_set_new(c, "disabled", json_true());
        json_array_append_new(conds, c);
    }
    return json_pack("{s:s, s:o}", "match", below(2) ? "any" : "all", "conditions", conds);
}

static void test_property(void **state)
{
    struct db *db = *state;
    rng_state = UINT64_C(0x5eed5eed12345678);
    generate();
    store(db);
    size_t nonempty = 0, partial = 0;
    for (int qn = 0; qn < P_QUERIES; qn++) {
        json_t *jq = rand_query();
        struct ixs_query q;
        json_t *p = http_problem_new(422, "t", NULL);
        if (ixs_parse(jq, "q", &q, p)) {
            char *s = json_dumps(p, 0), *t = json_dumps(jq, 0);
            fail_msg("generated search refused: %s for %s", s, t);
        }
        json_decref(p);
        struct buf sql;
        buf_init(&sql, 1 << 16);
        struct ixs_params *prm = calloc(1, sizeof(*prm));
        assert_int_equal(buf_adds(&sql, "SELECT i.id FROM interactions i JOIN contacts c ON c.id "
                                        "= i.contact_id WHERE "),
                         0);
        assert_int_equal(ixs_render(&q, db_backend_of(db), &sql, prm), 0);
        assert_int_equal(buf_adds(&sql, " ORDER BY i.id"), 0);
        struct db_stmt *st = NULL;
        int r = db_prepare(db, sql.data, &st);
        if (!r)
            r = ixs_bind(st, 1, prm);
        bool got[P_IXS + 1] = {0};
        size_t ngot = 0;
        while (!r && (r = db_step(st)) == DB_ROW) {
            int64_t id = db_col_int64(st, 0);
            assert_true(id >= 1 && id <= P_IXS);
            got[id] = true;
            ngot++;
            r = 0;
        }
        if (r < 0)
            fail_msg("query %d failed: %d %s\n%s", qn, r, db_errmsg(db), sql.data);
        db_finalize(st);
        size_t want = 0;
        for (int k = 0; k < P_IXS; k++) {
            bool m = query_match(&ixs[k], &q);
            want += m;
            if (m != got[ixs[k].id]) {
                char *t = json_dumps(jq, JSON_ENSURE_ASCII);
                fail_msg("search %d: interaction %lld: SQL %d, brute force %d\n%s\n%s", qn,
                         (long long)ixs[k].id, got[ixs[k].id], m, t, sql.data);
            }
        }
        assert_int_equal(ngot, want);
        nonempty += want > 0;
        partial += want > 0 && want < P_IXS;
        buf_free(&sql);
        free(prm);
        json_decref(jq);
    }
    /* The generator must exercise the search, not only answer "nothing" or "everything". */
    print_message("%zu searches, %zu with matches, %zu partial\n", (size_t)P_QUERIES, nonempty,
                  partial);
    assert_true(partial > P_QUERIES / 3);
    /* Deleting messages keeps the full-text index in step (SQLite triggers). */
    exec_ok(db, "DELETE FROM interactions WHERE id <= 100", "");
    struct ixs_query q = {0};
    q.n = 1;
    q.cond[0].field = IXS_F_MESSAGE;
    q.cond[0].op = IXS_CONTAINS;
    snprintf(q.cond[0].text, sizeof(q.cond[0].text), "voice");
    struct buf sql;
    buf_init(&sql, 1 << 16);
    struct ixs_params prm = {0};
    buf_adds(&sql, "SELECT COUNT(*) FROM interactions i WHERE i.id <= 100 AND ");
    assert_int_equal(ixs_render(&q, db_backend_of(db), &sql, &prm), 0);
    struct db_stmt *st = NULL;
    assert_int_equal(db_prepare(db, sql.data, &st), 0);
    assert_int_equal(ixs_bind(st, 1, &prm), 0);
    assert_int_equal(db_step(st), DB_ROW);
    assert_int_equal(db_col_int64(st, 0), 0);
    db_finalize(st);
    buf_free(&sql);
    if (db_backend_of(db) == DB_SQLITE) {
        int64_t n = -1;
        assert_int_equal(db_query_int64(db,
                                        "SELECT COUNT(*) FROM messages_fts WHERE messages_fts "
                                        "MATCH 'voice' AND rowid NOT IN (SELECT id FROM messages)",
                                        &n, 0),
                         0);
        assert_int_equal(n, 0);
    }
    free_data();
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_every_field_and_op),
        cmocka_unit_test(test_bad_searches),
        cmocka_unit_test(test_cap_disabled_and_match),
    };
    const struct CMUnitTest stored[] = {
        cmocka_unit_test_setup_teardown(test_property, setup_migrated, teardown),
    };
    int failures = cmocka_run_group_tests_name("search", pure, NULL, NULL);
    failures += db_fixture_main("search", stored, sizeof(stored) / sizeof(stored[0]));
    return failures;
}
