/* static.h — serving the built web app (web/dist) safely and fast.
 *
 * Files are opened beneath the root with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS), so
 * `..`, absolute paths and symlinks leading out of the root are refused by the kernel; paths
 * with `.`/`..` segments, empty segments, backslashes, control characters or `%` (an escape
 * the server refused to decode, like %00) are refused before that. Bodies go out with
 * sendfile (libmicrohttpd fd responses). ETag/Last-Modified with 304s; the assets/ folder (hashed
 * by Vite) is cached immutably, everything else revalidates. Unknown paths without a file extension
 * get index.html (SPA routes); the rest get 404 problem+json. */
#ifndef SB_HTTP_STATIC_H
#define SB_HTTP_STATIC_H

#include <stdbool.h>

#include "http/request.h"

/* Opens the web root. Returns 0 or SB_EIO (then every static request answers 404 and a
 * warning is logged once). Call once before serving. */
int static_init(const char *root);

/* Serves req->path (GET or HEAD). Returns the MHD_Result. */
int static_serve(struct http_req *req);

/* Closes the root. */
void static_cleanup(void);

/* True when `path` (decoded, starting with '/') has only plain segments: no dot or empty
 * segments, backslashes, control characters or '%'. */
bool static_path_is_clean(const char *path);

/* libmicrohttpd unescape callback: percent-decodes in place but leaves "%00" (and malformed
 * escapes) undecoded, so a NUL never truncates a path. */
size_t static_unescape(void *cls, struct MHD_Connection *conn, char *s);

#endif
