/* csv.h — CSV output for exports (RFC 4180, CRLF). Cells that a spreadsheet would run as a
 * formula (starting with = + - @ tab or CR) get a leading apostrophe (OWASP CSV injection). */
#ifndef SB_API_CSV_H
#define SB_API_CSV_H

#include <stdbool.h>

#include "core/buf.h"

/* Appends one quoted cell (NULL = empty), then ',' or, when `last`, CRLF. Returns 0 or a
 * buf error (SB_ETOOBIG at the buffer's cap). */
int csv_cell(struct buf *b, const char *v, bool last);

struct http_req;

/* Sends the buffer's CSV as an attachment named `filename` (taking the buffer's data), with
 * the standard headers plus `extra_name: extra_value` when extra_name is not NULL. Returns the
 * MHD_Result. */
int csv_reply(struct http_req *req, struct buf *b, const char *filename, const char *extra_name,
              const char *extra_value);

#endif
