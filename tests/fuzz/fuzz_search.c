/* Fuzzes the interactions' advanced search (interactions/search.h): any text as `q`. Safety
 * properties: parsing either succeeds or names at least one error, every error field starts
 * with "q"; what parsed renders on both backends with exactly one `?` per parameter, and the
 * SQL text does not depend on the search's values. */
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
            /* The SQL text depends on the search's shape, never on its values: the same
             * search with every text replaced by "x" (or "xxx" for 3 characters or more, the
             * full-text index's threshold) renders the same SQL. */
            struct ixs_query *blank = malloc(sizeof(*blank));
            struct ixs_params *p2 = malloc(sizeof(*p2));
            CHECK(blank && p2);
            memcpy(blank, q, sizeof(*q));
            for (size_t k = 0; k < blank->n; k++) {
                size_t chars = 0;
                for (const char *c = blank->cond[k].text; *c; c++)
                    chars += ((unsigned char)*c & 0xC0) != 0x80;
                if (chars)
                    snprintf(blank->cond[k].text, sizeof(blank->cond[k].text), "%s",
                             chars >= 3 ? "xxx" : "x");
            }
            struct buf sql2;
            buf_init(&sql2, 1 << 20);
            p2->n = 0;
            CHECK(ixs_render(blank, (enum db_backend)be, &sql2, p2) == 0);
            CHECK(!strcmp(sql.data, sql2.data) && p2->n == prm->n);
            buf_free(&sql2);
            free(blank);
            free(p2);
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
