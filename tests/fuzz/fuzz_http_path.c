/* Fuzzes what an attacker controls in a URL: our unescaper, the static-path check and the
 * router, and asserts the safety property: a path that passes the check has no dot segment,
 * no NUL before its end and no backslash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/request.h"
#include "http/router.h"
#include "http/static.h"

/* Unlike CHECK(), stays in release builds (NDEBUG). */
#define CHECK(c) ((c) ? (void)0 : (fprintf(stderr, "check failed: %s\n", #c), abort()))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = 0;
    size_t n = static_unescape(NULL, NULL, s);
    CHECK(n == strlen(s));
    if (static_path_is_clean(s)) {
        CHECK(s[0] == '/');
        CHECK(!strstr(s, "/../") && !strstr(s, "/./") && !strchr(s, '\\'));
        size_t len = strlen(s);
        CHECK(!(len >= 3 && !strcmp(s + len - 3, "/..")));
        CHECK(!(len >= 2 && !strcmp(s + len - 2, "/.")));
    }
    struct http_req req;
    memset(&req, 0, sizeof(req));
    arena_init(&req.arena, 1 << 16);
    char allow[96];
    static const char *const methods[] = {"GET", "POST", "PATCH", "DELETE"};
    enum route_match m = router_match(&req, methods[size % 4], s, allow, sizeof(allow));
    if (m == ROUTE_FOUND)
        CHECK(req.route && req.nparams <= HTTP_MAX_PARAMS);
    arena_cleanup(&req.arena);
    free(s);
    return 0;
}
