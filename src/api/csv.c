#include "api/csv.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/err.h"
#include "http/request.h"
#include "http/respond.h"

int csv_cell(struct buf *b, const char *v, bool last)
{
    int r = buf_add(b, "\"", 1);
    if (!r && v && (*v == '=' || *v == '+' || *v == '-' || *v == '@' || *v == '\t' || *v == '\r'))
        r = buf_add(b, "'", 1);
    for (const char *c = v; !r && c && *c; c++)
        r = *c == '"' ? buf_add(b, "\"\"", 2) : buf_add(b, c, 1);
    if (!r)
        r = buf_adds(b, last ? "\"\r\n" : "\",");
    return r;
}

int csv_reply(struct http_req *req, struct buf *b, const char *filename, const char *extra_name,
              const char *extra_value)
{
    size_t len;
    char *text = buf_take(b, &len);
    struct MHD_Response *resp =
        text ? MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE) : NULL;
    if (!resp) {
        free(text);
        return http_reply_error(req, SB_ENOMEM);
    }
    char disposition[160];
    snprintf(disposition, sizeof(disposition), "attachment; filename=\"%s\"", filename);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/csv; charset=utf-8");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disposition);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (extra_name)
        MHD_add_response_header(resp, extra_name, extra_value);
    http_add_standard_headers(resp);
    req->status = 200;
    int r = MHD_queue_response(req->conn, 200, resp);
    MHD_destroy_response(resp);
    return req->reply_result = r;
}
