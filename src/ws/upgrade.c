/* upgrade.c — the WebSocket opening handshake (contract in upgrade.h).
 *
 * Handing the caller's identity to MHD's upgrade callback: MHD gives an upgrade response no
 * free callback, and it never calls the upgrade handler when the connection dies before the
 * 101 is written, so a heap copy passed as the handler's closure would leak on that path. The
 * identity is parked instead in a small fixed table of pending handshakes; the closure is a
 * token naming the slot. The handler takes the entry back; entries whose handshake never
 * completed are reused after WS_PENDING_TTL_MS, and a handler arriving with a token whose slot
 * was reused finds a mismatch and closes the socket. Nothing is allocated, nothing can leak.
 */
#include "ws/upgrade.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <microhttpd.h>
#include <openssl/evp.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "http/respond.h"

#define WS_KEY_LEN      24 /* base64 of 16 bytes: 22 characters and "==" */
#define WS_PENDING_BITS 10
#define WS_PENDING_MAX  (1u << WS_PENDING_BITS)
/* A 101 is written within a millisecond of being queued; an entry this old belongs to a
 * connection that died before the write. */
#define WS_PENDING_TTL_MS 60000

static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

struct ws_pending {
    uint64_t token; /* 0 = free; else (sequence << WS_PENDING_BITS) | slot index */
    int64_t created_ms;
    struct hub *hub;
    struct hub_identity who;
};

static struct ws_pending ws_pending[WS_PENDING_MAX];
static uint64_t ws_pending_seq = 1;
static pthread_mutex_t ws_pending_lock = PTHREAD_MUTEX_INITIALIZER;

/* Returns a non-zero token, or 0 when every slot holds a live pending handshake. */
static uint64_t pending_put(struct hub *hub, const struct hub_identity *who)
{
    int64_t now = clock_mono_ms(clock_real());
    uint64_t token = 0;
    pthread_mutex_lock(&ws_pending_lock);
    uint64_t seq = ws_pending_seq++;
    for (uint32_t i = 0; i < WS_PENDING_MAX; i++) {
        uint32_t slot = (uint32_t)((seq + i) % WS_PENDING_MAX);
        struct ws_pending *p = &ws_pending[slot];
        if (p->token == 0 || now - p->created_ms >= WS_PENDING_TTL_MS) {
            token = (seq << WS_PENDING_BITS) | slot;
            p->token = token;
            p->created_ms = now;
            p->hub = hub;
            if (who)
                p->who = *who;
            else
                memset(&p->who, 0, sizeof(p->who));
            break;
        }
    }
    pthread_mutex_unlock(&ws_pending_lock);
    return token;
}

/* Removes the entry for `token`; copies it out when `hub`/`who` are non-NULL. Returns false
 * when the entry is gone (expired and reused). */
static bool pending_take(uint64_t token, struct hub **hub, struct hub_identity *who)
{
    bool found = false;
    pthread_mutex_lock(&ws_pending_lock);
    struct ws_pending *p = &ws_pending[token & (WS_PENDING_MAX - 1)];
    if (token != 0 && p->token == token) {
        if (hub)
            *hub = p->hub;
        if (who)
            *who = p->who;
        p->token = 0;
        found = true;
    }
    pthread_mutex_unlock(&ws_pending_lock);
    return found;
}

static bool b64_char(char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '+' || ch == '/';
}

int ws_accept_key(const char *key, char out[29])
{
    if (!key || strnlen(key, WS_KEY_LEN + 1) != WS_KEY_LEN)
        return SB_EINVAL;
    /* 16 bytes encode to exactly 22 significant characters plus two '=' of padding; any
     * other shape decodes to a different length. */
    for (int i = 0; i < WS_KEY_LEN - 2; i++)
        if (!b64_char(key[i]))
            return SB_EINVAL;
    if (key[22] != '=' || key[23] != '=')
        return SB_EINVAL;

    unsigned char cat[WS_KEY_LEN + sizeof(ws_guid) - 1];
    memcpy(cat, key, WS_KEY_LEN);
    memcpy(cat + WS_KEY_LEN, ws_guid, sizeof(ws_guid) - 1);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (EVP_Digest(cat, sizeof(cat), md, &mdlen, EVP_sha1(), NULL) != 1 || mdlen != 20)
        return SB_EINTERNAL;
    EVP_EncodeBlock((unsigned char *)out, md, 20); /* 28 characters and a NUL */
    return 0;
}

static bool is_ows(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* Calls `match` on each trimmed, non-empty element of a comma-separated list until it returns
 * true. Returns whether one did. */
static bool list_any(const char *list, bool (*match)(const char *s, size_t n, const void *arg),
                     const void *arg)
{
    if (!list)
        return false;
    const char *p = list;
    while (*p) {
        const char *end = strchr(p, ',');
        if (!end)
            end = p + strlen(p);
        const char *a = p, *b = end;
        while (a < b && is_ows(*a))
            a++;
        while (b > a && is_ows(b[-1]))
            b--;
        if (b > a && match(a, (size_t)(b - a), arg))
            return true;
        p = *end ? end + 1 : end;
    }
    return false;
}

static bool match_nonempty(const char *s, size_t n, const void *arg)
{
    return true;
}

static bool match_exact(const char *s, size_t n, const void *arg)
{
    const char *want = arg;
    return strlen(want) == n && memcmp(s, want, n) == 0;
}

static bool match_token_ci(const char *s, size_t n, const void *arg)
{
    const char *want = arg;
    return strlen(want) == n && strncasecmp(s, want, n) == 0;
}

bool ws_origin_allowed(const char *origin, const char *host, const char *allowed)
{
    if (!origin)
        return true;
    if (list_any(allowed, match_nonempty, NULL))
        return list_any(allowed, match_exact, origin);
    /* Same-origin rule: the Origin's authority must be the Host the browser connected to. An
     * opaque origin ("null") or one with a path never matches. */
    const char *authority;
    if (strncasecmp(origin, "http://", 7) == 0)
        authority = origin + 7;
    else if (strncasecmp(origin, "https://", 8) == 0)
        authority = origin + 8;
    else
        return false;
    if (!*authority || strchr(authority, '/') || !host)
        return false;
    return strcasecmp(authority, host) == 0;
}

static void ws_on_upgrade(void *cls, struct MHD_Connection *connection, void *con_cls,
                          const char *extra_in, size_t extra_in_size, MHD_socket sock,
                          struct MHD_UpgradeResponseHandle *urh)
{
    struct hub *hub = NULL;
    struct hub_identity who;
    if (!pending_take((uint64_t)(uintptr_t)cls, &hub, &who)) {
        log_warn("ws upgrade: handshake state expired; closing");
        MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
        return;
    }
    /* RFC 6455 §4.1: a client must wait for the 101 before sending frames, so bytes here are
     * a protocol violation, and replaying them would need a side channel into the hub. */
    if (extra_in_size > 0) {
        log_info("ws upgrade: client sent %zu bytes before the handshake completed; closing",
                 extra_in_size);
        MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
        return;
    }
    /* The hub owns sock and urh from here, also when adoption fails. */
    (void)hub_adopt(hub, sock, urh, &who);
}

static int ws_queue_426(struct MHD_Connection *conn)
{
    int ret = MHD_NO;
    char *body = NULL;
    struct MHD_Response *resp = NULL;
    json_t *problem =
        http_problem_new(MHD_HTTP_UPGRADE_REQUIRED, "Sec-WebSocket-Version must be 13", NULL);
    if (!problem)
        goto fail;
    size_t len = json_dumpb(problem, NULL, 0, JSON_COMPACT);
    if (len == 0 || !(body = malloc(len)) || json_dumpb(problem, body, len, JSON_COMPACT) != len)
        goto fail;
    resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!resp)
        goto fail;
    body = NULL;
    if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/problem+json") !=
            MHD_YES ||
        MHD_add_response_header(resp, "Sec-WebSocket-Version", "13") != MHD_YES)
        goto fail;
    http_add_standard_headers(resp);
    ret = MHD_queue_response(conn, MHD_HTTP_UPGRADE_REQUIRED, resp);
fail:
    if (resp)
        MHD_destroy_response(resp);
    free(body);
    json_decref(problem);
    return ret;
}

static bool header_has_token(struct MHD_Connection *conn, const char *name, const char *token)
{
    const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
    return list_any(v, match_token_ci, token);
}

/* The method is not checked here: MHD exposes it only to the access handler, and the router
 * sends nothing but GET /api/v1/ws to this function. */
int ws_upgrade_respond(struct MHD_Connection *conn, struct hub *hub, const struct hub_identity *who,
                       const char *allowed_origins, int *status_out)
{
    int status_ignored;
    if (!status_out)
        status_out = &status_ignored;
    *status_out = 400;
    if (!header_has_token(conn, MHD_HTTP_HEADER_UPGRADE, "websocket") ||
        !header_has_token(conn, MHD_HTTP_HEADER_CONNECTION, "upgrade"))
        return http_queue_problem(conn, MHD_HTTP_BAD_REQUEST,
                                  "expected a WebSocket upgrade (Upgrade: websocket, "
                                  "Connection: Upgrade)");
    const char *version =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Sec-WebSocket-Version");
    if (!version || strcmp(version, "13") != 0) {
        *status_out = 426;
        return ws_queue_426(conn);
    }
    char accept[29];
    const char *key = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Sec-WebSocket-Key");
    if (ws_accept_key(key, accept) != 0)
        return http_queue_problem(conn, MHD_HTTP_BAD_REQUEST,
                                  "Sec-WebSocket-Key must be the base64 encoding of 16 bytes");
    const char *origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ORIGIN);
    const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    *status_out = 403;
    if (!ws_origin_allowed(origin, host, allowed_origins))
        return http_queue_problem(conn, MHD_HTTP_FORBIDDEN, "Origin not allowed");
    *status_out = 503;
    if (!hub)
        return http_queue_problem(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "WebSocket hub not running");

    uint64_t token = pending_put(hub, who);
    if (!token)
        return http_queue_problem(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
                                  "too many WebSocket handshakes in progress");
    int ret = MHD_NO;
    struct MHD_Response *resp =
        MHD_create_response_for_upgrade(ws_on_upgrade, (void *)(uintptr_t)token);
    if (!resp)
        goto fail;
    if (MHD_add_response_header(resp, MHD_HTTP_HEADER_UPGRADE, "websocket") != MHD_YES ||
        MHD_add_response_header(resp, "Sec-WebSocket-Accept", accept) != MHD_YES)
        goto fail;
    http_add_standard_headers(resp);
    ret = MHD_queue_response(conn, MHD_HTTP_SWITCHING_PROTOCOLS, resp);
    if (ret == MHD_YES)
        *status_out = 101;
fail:
    if (resp)
        MHD_destroy_response(resp);
    if (ret != MHD_YES)
        pending_take(token, NULL, NULL);
    return ret;
}
