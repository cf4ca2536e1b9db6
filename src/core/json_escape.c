#include "core/json_escape.h"

#include <stdio.h>

int json_escape_buf(struct buf *b, const char *s)
{
    size_t start = b->len;
    int r = buf_add(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; !r && *p; p++) {
        switch (*p) {
        case '"':
            r = buf_add(b, "\\\"", 2);
            break;
        case '\\':
            r = buf_add(b, "\\\\", 2);
            break;
        case '\n':
            r = buf_add(b, "\\n", 2);
            break;
        case '\r':
            r = buf_add(b, "\\r", 2);
            break;
        case '\t':
            r = buf_add(b, "\\t", 2);
            break;
        default:
            if (*p < 0x20)
                r = buf_addf(b, "\\u%04x", *p);
            else
                r = buf_add(b, p, 1);
        }
    }
    if (!r)
        r = buf_add(b, "\"", 1);
    if (r) {
        b->len = start;
        if (b->data)
            b->data[start] = 0;
    }
    return r;
}
