/* Fuzzes what an administrator types into a flow or an interval: the GotoIf condition
 * compiler and evaluator, Noop templates, and sub-interval specs ("a|b|c|d" splits the input
 * into the four fields). Safety properties: compiling either succeeds or explains itself,
 * evaluation of what compiled terminates, an expansion is always terminated within its
 * buffer, and a parsed spec holds only valid bits. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "routing/flow_expr.h"
#include "routing/intervals.h"

/* Unlike assert(), stays in release builds (NDEBUG). */
#define CHECK(c) ((c) ? (void)0 : (fprintf(stderr, "check failed: %s\n", #c), abort()))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = 0;
    static const struct flow_var v[] = {{"message.body", "Hello URGENT 42"},
                                        {"interaction.unread", "3"},
                                        {"contact.phone", "+390612345"}};
    struct flow_vars vars = {v, 3};
    struct flow_expr *e = NULL;
    char msg[200];
    int r = flow_expr_compile(s, &e, msg, sizeof(msg));
    CHECK(r == 0 || r == SB_EINVALID || r == SB_ENOMEM);
    if (r == SB_EINVALID)
        CHECK(msg[0] && strlen(msg) < sizeof(msg));
    if (!r) {
        CHECK(e != NULL);
        (void)flow_expr_eval(e, &vars);
        (void)flow_expr_eval(e, NULL);
    }
    flow_expr_free(e);
    char out[64];
    memset(out, 'x', sizeof(out));
    size_t n = flow_template_expand(s, &vars, out, sizeof(out));
    CHECK(n < sizeof(out) && out[n] == 0);
    (void)flow_template_check(s, msg, sizeof(msg));
    char *f[4] = {s, NULL, NULL, NULL};
    for (int i = 1; i < 4 && f[i - 1]; i++) {
        char *bar = strchr(f[i - 1], '|');
        if (bar) {
            *bar = 0;
            f[i] = bar + 1;
        }
    }
    struct sub_interval sub;
    const char *field = NULL, *why = NULL;
    if (!interval_spec_parse(f[0], f[1], f[2], f[3], &sub, &field, &why)) {
        CHECK(sub.start_min >= -1 && sub.start_min < 1440 && sub.end_min >= -1 &&
              sub.end_min < 1440);
        CHECK(!(sub.wdays & 0x80) && !(sub.mdays & 1u) && !(sub.months & 0xf000));
    } else {
        CHECK(field && why);
    }
    free(s);
    return 0;
}
