/* search.h — the interactions' advanced search (issue #6 §5, docs/interactions-search.md): a
 * JSON search `q` ({"match": "all"|"any", "conditions": [{field, op, value, disabled}]})
 * parsed and validated into a small fixed-size AST, and rendered into a parameterised SQL
 * condition for either backend. Values are never written into the SQL text: every value is a
 * parameter (struct ixs_params) the caller binds with ixs_bind().
 *
 * Pure: no I/O, no globals, any thread. The rendered SQL names the interaction `i` (FROM
 * interactions i …; a join of its contact may be there or not: contact conditions read
 * contacts in a subquery); a `message` condition reads messages (and, on SQLite, the FTS5
 * table messages_fts of migration 0021).
 *
 * Text comparisons fold ASCII letters only (A–Z = a–z); every other character, including
 * non-ASCII letters, compares exactly. */
#ifndef SB_INTERACTIONS_SEARCH_H
#define SB_INTERACTIONS_SEARCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "db/db.h"

#define IXS_CONDITIONS_MAX 20      /* conditions in one search, disabled ones included */
#define IXS_TEXT_MAX       256     /* bytes of a text value */
#define IXS_JSON_MAX       (16384) /* bytes of `q` as JSON text */
/* At most two parameters per condition (between; a message condition on SQLite), plus the
 * list's own filters sharing the array (api/interactions_search.c: channel, selection, account,
 * dates, status, agent, up to 20 tags, and the supervisor scope's
 * PERM_INTERACTION_SCOPE_PARAMS). */
#define IXS_PARAMS_MAX (2 * IXS_CONDITIONS_MAX + 64)

enum ixs_field {
    IXS_F_ID,
    IXS_F_STATUS,
    IXS_F_READ,
    IXS_F_FIRST_NAME,
    IXS_F_LAST_NAME,
    IXS_F_PHONE,
    IXS_F_EMAIL,
    IXS_F_AGENT,
    IXS_F_QUEUE,
    IXS_F_DISPOSITION,
    IXS_F_TAGS,
    IXS_F_CREATED_AT,
    IXS_F_CLOSED_AT,
    IXS_F_LAST_MESSAGE_AT,
    IXS_F_MESSAGE,
    IXS_F_COUNT
};

enum ixs_type { IXS_T_INTEGER, IXS_T_ENUM, IXS_T_BOOLEAN, IXS_T_TEXT, IXS_T_DATETIME };

enum ixs_op {
    IXS_EQUALS,
    IXS_NOT_EQUALS,
    IXS_CONTAINS,
    IXS_STARTS_WITH,
    IXS_ENDS_WITH,
    IXS_GT,
    IXS_LT,
    IXS_BETWEEN,
    IXS_EMPTY,
    IXS_NOT_EMPTY,
    IXS_OP_COUNT
};

/* One enabled condition. Integers, datetimes (UTC ms) and booleans (0/1) are in num[0] (and
 * num[1] for between, low ≤ high); text and enum values in text (1–IXS_TEXT_MAX bytes). */
struct ixs_cond {
    enum ixs_field field;
    enum ixs_op op;
    int64_t num[2];
    char text[IXS_TEXT_MAX + 1];
};

/* A validated search: only its enabled conditions, in order. n == 0 matches everything. */
struct ixs_query {
    bool any; /* match "any" (OR); otherwise "all" (AND) */
    size_t n;
    size_t given; /* conditions given, disabled ones included */
    struct ixs_cond cond[IXS_CONDITIONS_MAX];
};

/* A parameter of the rendered SQL: an integer ('i') or a text ('t'). */
struct ixs_param {
    char type;
    int64_t i;
    char t[2 * IXS_TEXT_MAX + 3]; /* a LIKE pattern: every byte escaped, plus two '%' */
};

struct ixs_params {
    size_t n;
    struct ixs_param v[IXS_PARAMS_MAX];
};

/* The search's vocabulary, for GET …/search-fields and the tests. */
const char *ixs_field_name(enum ixs_field f);
enum ixs_type ixs_field_type(enum ixs_field f);
const char *ixs_op_name(enum ixs_op op);
/* True when `op` applies to field `f`. */
bool ixs_op_allowed(enum ixs_field f, enum ixs_op op);

/* Validates search `q` (any JSON value; NULL = no search) into *out. Every problem is added
 * to `problem`'s errors (http_problem_add_error) under a field named from `prefix` ("q"):
 * "q", "q.match", "q.conditions", "q.conditions[2]", "q.conditions[2].field", ".op",
 * ".value", ".disabled", or "q.<key>" for an unknown key. Disabled conditions are validated
 * like the others but left out of *out. Returns 0, or SB_EINVALID when anything was wrong
 * (*out is then unspecified), or SB_ENOMEM when an error could not be recorded. */
int ixs_parse(const json_t *q, const char *prefix, struct ixs_query *out, json_t *problem);

/* ixs_parse of a JSON text (a query string's `q`): NULL or "" = no search; more than
 * IXS_JSON_MAX bytes or malformed JSON is an error on `prefix`. Same returns. */
int ixs_parse_text(const char *text, const char *prefix, struct ixs_query *out, json_t *problem);

/* Appends to `sql` one parenthesised SQL condition equivalent to the search on backend `be`
 * ("(1 = 1)" when it has no condition), with a `?` for each parameter appended to *params
 * (which the caller initialises with n = 0 and may already hold earlier parameters). Returns
 * 0, SB_ETOOBIG/SB_ENOMEM from the buffer, or SB_EFULL when params has no room; on error the
 * outputs are unspecified. */
int ixs_render(const struct ixs_query *q, enum db_backend be, struct buf *sql,
               struct ixs_params *params);

/* Binds params->v[0..n) to `st` from index `first` (1-based). Returns 0 or a bind error. */
int ixs_bind(struct db_stmt *st, int first, const struct ixs_params *params);

/* Appends a parameter to *params. Returns 0 or SB_EFULL (SB_ETOOBIG for a text longer than
 * the parameter holds). For callers that add their own conditions next to a search. */
int ixs_param_int(struct ixs_params *params, int64_t v);
int ixs_param_text(struct ixs_params *params, const char *s);

/* Appends `expr` folded for a case-insensitive LIKE on backend `be` (PostgreSQL: translate of
 * A–Z to a–z; SQLite: as is, its LIKE folds ASCII) and " LIKE ?" with the pattern of `value`
 * for `op` (equals: exact; contains, starts_with, ends_with) as a parameter. Same returns as
 * ixs_render. */
int ixs_render_like(enum db_backend be, const char *expr, enum ixs_op op, const char *value,
                    struct buf *sql, struct ixs_params *params);

/* GET /api/v1/interactions/search-fields: [{field, type, ops: [...], values?: [...]}], a new
 * reference (NULL on allocation failure). */
json_t *ixs_fields_json(void);

#endif
