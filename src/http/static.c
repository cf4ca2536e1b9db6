#include "http/static.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "http/respond.h"

static int root_fd = -1;

int static_init(const char *root)
{
    root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0) {
        log_warn("web root %s cannot be opened: static files will answer 404", root);
        return SB_EIO;
    }
    return 0;
}

void static_cleanup(void)
{
    if (root_fd >= 0)
        close(root_fd);
    root_fd = -1;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t static_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    char *w = s;
    for (const char *r = s; *r;) {
        if (r[0] == '%') {
            int hi = hexval(r[1]), lo = hi < 0 ? -1 : hexval(r[2]);
            if (hi >= 0 && lo >= 0 && (hi | lo)) {
                *w++ = (char)(hi * 16 + lo);
                r += 3;
                continue;
            }
        }
        *w++ = *r++;
    }
    *w = 0;
    return (size_t)(w - s);
}

/* True when every segment of `path` (which starts with '/') is a plain name. */
bool static_path_is_clean(const char *path)
{
    if (path[0] != '/')
        return false;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '\\' || *p == '%')
            return false;
    const char *seg = path + 1;
    while (*seg) {
        const char *end = strchrnul(seg, '/');
        size_t n = (size_t)(end - seg);
        if (n == 0 && *end) /* "//" */
            return false;
        if ((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
            return false;
        if (!*end)
            break;
        seg = end + 1;
    }
    return true;
}

static int open_beneath(const char *rel)
{
    struct open_how how = {
        .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
    };
    long fd = syscall(SYS_openat2, root_fd, rel, &how, sizeof(how));
    return (int)fd;
}

static const char *content_type(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"},
        {".map", "application/json"},
        {".webmanifest", "application/manifest+json"},
    };
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (dot && (!slash || dot > slash))
        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
            if (!strcasecmp(dot, types[i].ext))
                return types[i].type;
    return "application/octet-stream";
}

static bool has_extension(const char *path)
{
    const char *slash = strrchr(path, '/');
    return strchr(slash ? slash : path, '.') != NULL;
}

static void http_date(time_t t, char out[40])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 40, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static int not_found(struct http_req *req)
{
    return http_reply_problem(req, 404, "no such file");
}

/* `path` decides caching (the URL), `name` the content type (the file really served). */
static int serve_fd(struct http_req *req, int fd, const char *path, const char *name)
{
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        close(fd);
        return not_found(req);
    }
    char etag[64], lastmod[40];
    snprintf(etag, sizeof(etag), "\"%llx-%llx\"", (unsigned long long)st.st_size,
             (unsigned long long)st.st_mtim.tv_sec * 1000000000ull +
                 (unsigned long long)st.st_mtim.tv_nsec);
    http_date(st.st_mtim.tv_sec, lastmod);
    const char *cache =
        strncmp(path, "/assets/", 8) ? "no-cache" : "public, max-age=31536000, immutable";

    const char *inm =
        MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    const char *ims =
        MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
    bool fresh =
        inm ? (strstr(inm, etag) != NULL || !strcmp(inm, "*")) : (ims && !strcmp(ims, lastmod));
    struct MHD_Response *resp;
    int status;
    if (fresh) {
        close(fd);
        resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        status = 304;
    } else {
        resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd); /* takes fd */
        status = 200;
        if (!resp)
            close(fd);
    }
    if (!resp)
        return MHD_NO;
    if (status == 200)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type(name));
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED, lastmod);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
    http_add_standard_headers(resp);
    req->status = status;
    int r = MHD_queue_response(req->conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return r;
}

int static_serve(struct http_req *req)
{
    const char *path = req->path;
    if (root_fd < 0 || !static_path_is_clean(path))
        return not_found(req);
    char rel[1024];
    int n = snprintf(rel, sizeof(rel), "%s%s", path + 1,
                     path[strlen(path) - 1] == '/' ? "index.html" : "");
    if (n < 0 || (size_t)n >= sizeof(rel))
        return not_found(req);
    if (!rel[0])
        snprintf(rel, sizeof(rel), "index.html");
    int fd = open_beneath(rel);
    if (fd >= 0)
        return serve_fd(req, fd, path, rel);
    if (errno != ENOENT || has_extension(path) || !strncmp(path, "/api/", 5))
        return not_found(req); /* EXDEV/ELOOP: escape attempt; or a missing asset */
    fd = open_beneath("index.html");
    if (fd < 0)
        return not_found(req);
    return serve_fd(req, fd, "/index.html", "index.html");
}
