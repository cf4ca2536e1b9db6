/* Fuzzes the WebSocket handshake helpers with hostile header values: the first line is the
 * Sec-WebSocket-Key, the second the Origin, the third the Host, the rest the allow-list. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws/upgrade.h"

/* Unlike CHECK(), stays in release builds (NDEBUG). */
#define CHECK(c) ((c) ? (void)0 : (fprintf(stderr, "check failed: %s\n", #c), abort()))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192)
        return 0;
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = 0;
    char *parts[4] = {s, "", "", ""};
    for (int i = 1; i < 4; i++) {
        char *nl = strchr(parts[i - 1], '\n');
        if (!nl)
            break;
        *nl = 0;
        parts[i] = nl + 1;
    }
    char accept[29];
    if (ws_accept_key(parts[0], accept) == 0)
        CHECK(strlen(accept) == 28);
    ws_origin_allowed(parts[1], parts[2], parts[3]);
    ws_origin_allowed(NULL, parts[2], parts[3]);
    free(s);
    return 0;
}
