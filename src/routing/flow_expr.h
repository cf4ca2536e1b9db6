/* flow_expr.h — the condition language of the GotoIf action, and the variables it reads
 * (docs/flows.md has the full description with examples).
 *
 *   condition := or
 *   or        := and ( "||" and )*
 *   and       := unary ( "&&" unary )*
 *   unary     := "!" unary | compare
 *   compare   := operand [ op operand ]      op: == != > < >= <= contains startsWith
 *   operand   := "(" or ")" | ${variable} | 'text' | "text" | number
 *
 * Every value is text. == and != compare numerically when both sides are numbers
 * (-?digits[.digits]) and byte for byte otherwise; > < >= <= compare numerically when both
 * sides are numbers, else byte-wise; contains and startsWith ignore ASCII case. A value alone
 * is true unless it is empty, "0" or "false" (any case). A variable the caller did not supply
 * is the empty text. Backslash escapes the next character inside quotes.
 *
 * Compiling refuses unknown variables, unknown words, more than FLOW_EXPR_MAX_NODES nodes or
 * FLOW_EXPR_MAX_DEPTH levels, and sources over FLOW_EXPR_MAX_LEN bytes; evaluation is then
 * bounded by construction, never fails and touches nothing but its inputs. Pure: any thread. */
#ifndef SB_ROUTING_FLOW_EXPR_H
#define SB_ROUTING_FLOW_EXPR_H

#include <stdbool.h>
#include <stddef.h>

#define FLOW_EXPR_MAX_LEN   1024
#define FLOW_EXPR_MAX_NODES 128
#define FLOW_EXPR_MAX_DEPTH 32

/* A variable the caller supplies: name without ${} ("contact.phone") and its value (NULL =
 * empty). */
struct flow_var {
    const char *name;
    const char *value;
};

struct flow_vars {
    const struct flow_var *v;
    size_t n;
};

/* True when `name` (without ${}) is one of the variables of docs/flows.md: interaction.*,
 * message.*, contact.* from the fixed list in flow_expr.c. */
bool flow_var_known(const char *name, size_t len);

/* The value of variable `name` in `vars` (the first with that name), or "" when absent. */
const char *flow_var_get(const struct flow_vars *vars, const char *name);

struct flow_expr;

/* Compiles `src`. Returns 0 with *out (free with flow_expr_free), or SB_EINVALID with a
 * message in msg (cap bytes) naming what is wrong and at which character, or SB_ENOMEM. */
int flow_expr_compile(const char *src, struct flow_expr **out, char *msg, size_t cap);

/* Evaluates the condition against `vars` (NULL = none supplied). */
bool flow_expr_eval(const struct flow_expr *e, const struct flow_vars *vars);

void flow_expr_free(struct flow_expr *e);

/* Checks that every ${...} of `tmpl` names a known variable. Returns 0, or SB_EINVALID with a
 * message in msg. */
int flow_template_check(const char *tmpl, char *msg, size_t cap);

/* Writes `tmpl` with every ${variable} replaced by its value into out (cap > 0 bytes, always
 * NUL-terminated, cut at cap - 1). Returns the length written. */
size_t flow_template_expand(const char *tmpl, const struct flow_vars *vars, char *out, size_t cap);

#endif
