/* Fuzzes the interactions' advanced search (interactions/search.h): any text as `q`. Safety
 * properties: parsing either succeeds or names at least one error, every error field starts
 * with "q"; what parsed renders on both backends with exactly one `?` per parameter, and no
 * text value of the search appears in the SQL. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "http/respond.h"
#include "interactions/search.h"

/* Unlike assert(), stays in release builds (NDEBUG). */
#define CHECK(c) ((c) ? (void)0 : (fprintf(stderr, "check failed: %s\n", #c), abort()))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > IXS_JSON_MAX + 16)
        return 0;
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = 0;
    json_t *p = http_problem_new(422, "fuzz", NULL);
    struct ixs_query *q = malloc(sizeof(*q));
    struct ixs_params *prm = malloc(sizeof(*prm));
    if (!p || !q || !prm)
        goto done;
    int r = ixs_parse_text(s, "q", q, p);
    CHECK(r == 0 || r == SB_EINVALID || r == SB_ENOMEM);
    json_t *errs = json_object_get(p, "errors");
    if (r == SB_EINVALID)
        CHECK(json_array_size(errs) > 0);
    size_t i;
    json_t *e;
    json_array_foreach(errs, i, e)
    {
        const char *f = json_string_value(json_object_get(e, "field"));
        CHECK(f && f[0] == 'q');
    }
    if (r == 0) {
        CHECK(q->n <= IXS_CONDITIONS_MAX && q->n <= q->given);
        for (int be = 0; be < 2; be++) {
            struct buf sql;
            buf_init(&sql, 1 << 20);
            prm->n = 0;
            CHECK(ixs_render(q, (enum db_backend)be, &sql, prm) == 0);
            size_t marks = 0;
            for (const char *c = sql.data; *c; c++)
                marks += *c == '?';
            CHECK(marks == prm->n);
            /* values with a quote or a semicolon can never reach the SQL text */
            for (size_t k = 0; k < q->n; k++)
                if (q->cond[k].text[0] && strpbrk(q->cond[k].text, "';"))
                    CHECK(!strstr(sql.data, q->cond[k].text));
            buf_free(&sql);
        }
    }
done:
    json_decref(p);
    free(q);
    free(prm);
    free(s);
    return 0;
}
