/* paging.h — the list query parameters shared by the SMS account, disposition and canned
 * answer lists: limit (1–500, default 50), offset (≥ 0), q (≤ 64 characters) and integer ids.
 * HTTP threads. */
#ifndef SB_API_PAGING_H
#define SB_API_PAGING_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "http/request.h"

/* Reads limit, offset and q (NULL when absent); each bad one is added to `problem`'s errors. */
void api_paging(struct http_req *req, int64_t *limit, int64_t *offset, const char **q,
                json_t *problem);

/* Reads query parameter `name` as a positive id into *out (0 when absent); a value that is not
 * one is added to `problem`'s errors. */
void api_query_id(struct http_req *req, const char *name, int64_t *out, json_t *problem);

/* True when `problem` has errors. */
bool api_problem_has_errors(const json_t *problem);

#endif
