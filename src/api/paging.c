#include "api/paging.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "http/respond.h"

/* Parses a decimal integer that fills the whole text. */
static bool parse_int(const char *s, long long *out)
{
    if (!s || !*s || strlen(s) > 19)
        return false;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

void api_paging(struct http_req *req, int64_t *limit, int64_t *offset, const char **q,
                json_t *problem)
{
    const char *ls = http_query(req, "limit"), *os = http_query(req, "offset");
    long long l = 50, o = 0;
    *q = http_query(req, "q");
    if (*q && strlen(*q) > 64)
        http_problem_add_error(problem, "q", "must be at most 64 characters");
    if (ls && (!parse_int(ls, &l) || l < 1 || l > 500))
        http_problem_add_error(problem, "limit", "must be 1 to 500");
    if (os && (!parse_int(os, &o) || o < 0))
        http_problem_add_error(problem, "offset", "must be 0 or more");
    *limit = l;
    *offset = o;
}

void api_query_id(struct http_req *req, const char *name, int64_t *out, json_t *problem)
{
    const char *s = http_query(req, name);
    long long v = 0;
    *out = 0;
    if (!s)
        return;
    if (!parse_int(s, &v) || v < 1)
        http_problem_add_error(problem, name, "must be a positive integer id");
    else
        *out = v;
}

bool api_problem_has_errors(const json_t *problem)
{
    return json_array_size(json_object_get(problem, "errors")) > 0;
}
