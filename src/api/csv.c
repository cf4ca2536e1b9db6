#include "api/csv.h"

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
