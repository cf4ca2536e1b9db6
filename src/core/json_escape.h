/* json_escape.h — JSON string escaping for hand-built output (logs, metrics labels), where
 * building a jansson tree would be wasteful. */
#ifndef SB_CORE_JSON_ESCAPE_H
#define SB_CORE_JSON_ESCAPE_H

#include "core/buf.h"

/* Appends `s` as a quoted JSON string: ", \, and control characters escaped; bytes >= 0x80
 * passed through (callers give UTF-8). Returns 0 or a buf_add error (buffer unchanged). */
int json_escape_buf(struct buf *b, const char *s);

#endif
