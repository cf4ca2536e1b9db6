/* test_ws.c — the WebSocket handshake helpers, the MHD upgrade path and the hub.
 *
 * Hub tests adopt one end of an AF_UNIX socketpair and play the client on the other end with a
 * small RFC 6455 frame writer (masked, as clients must) and reader. "Exactly once" and "not
 * delivered" are proven without sleeps: after the messages under test a marker is published,
 * and the marker must be the very next message. Waits have a generous hang guard only; no test
 * asserts an upper bound on time. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "core/err.h"
#include "ws/hub.h"
#include "ws/upgrade.h"

#define GUARD_MS 15000 /* hang guard for a wait that should take milliseconds */

#define OP_CONT  0x0
#define OP_TEXT  0x1
#define OP_BIN   0x2
#define OP_CLOSE 0x8
#define OP_PING  0x9
#define OP_PONG  0xa

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#define WAIT_UNTIL(cond)                                                                           \
    do {                                                                                           \
        int64_t t0_ = mono_ms();                                                                   \
        while (!(cond)) {                                                                          \
            if (mono_ms() - t0_ > GUARD_MS)                                                        \
                fail_msg("hang guard expired waiting for: %s", #cond);                             \
            usleep(1000);                                                                          \
        }                                                                                          \
    } while (0)

/* ---- raw socket helpers ---------------------------------------------------------------- */

static void write_all(int fd, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n) {
        ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        assert_true(w > 0);
        b += w;
        n -= (size_t)w;
    }
}

/* Returns 0 when n bytes were read, 1 on EOF before the first byte, -1 on EOF mid-way or an
 * error. Returns -2 if nothing arrived within the hang guard (thread-safe: no cmocka). */
static int read_full(int fd, void *buf, size_t n)
{
    uint8_t *b = buf;
    size_t got = 0;
    while (got < n) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int pr = poll(&pfd, 1, GUARD_MS);
        if (pr == 0)
            return -2;
        if (pr < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        ssize_t r = recv(fd, b + got, n - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            return got == 0 ? 1 : -1;
        got += (size_t)r;
    }
    return 0;
}

/* ---- client-side framing ----------------------------------------------------------------- */

static void cli_send_frame(int fd, bool fin, uint8_t opcode, const void *data, size_t len)
{
    uint8_t *buf = malloc(14 + len);
    assert_non_null(buf);
    size_t h = 0;
    buf[h++] = (uint8_t)((fin ? 0x80 : 0) | opcode);
    if (len < 126) {
        buf[h++] = (uint8_t)(0x80 | len);
    } else if (len <= 0xffff) {
        buf[h++] = 0x80 | 126;
        buf[h++] = (uint8_t)(len >> 8);
        buf[h++] = (uint8_t)len;
    } else {
        buf[h++] = 0x80 | 127;
        for (int i = 7; i >= 0; i--)
            buf[h++] = (uint8_t)((uint64_t)len >> (8 * i));
    }
    const uint8_t mask[4] = {0x37, 0xfa, 0x21, 0x3d};
    memcpy(buf + h, mask, 4);
    h += 4;
    for (size_t i = 0; i < len; i++)
        buf[h + i] = ((const uint8_t *)data)[i] ^ mask[i % 4];
    write_all(fd, buf, h + len);
    free(buf);
}

static void cli_send(int fd, uint8_t opcode, const void *data, size_t len)
{
    cli_send_frame(fd, true, opcode, data, len);
}

static void cli_send_text(int fd, const char *s)
{
    cli_send(fd, OP_TEXT, s, strlen(s));
}

static void cli_send_close(int fd, uint16_t code)
{
    uint8_t p[2] = {(uint8_t)(code >> 8), (uint8_t)code};
    cli_send(fd, OP_CLOSE, p, 2);
}

struct msg {
    uint8_t opcode;
    char *data; /* NUL-terminated for convenience */
    size_t len;
    uint16_t code; /* close frames */
};

static void msg_free(struct msg *m)
{
    free(m->data);
    m->data = NULL;
}

/* Reads one message: data frames are reassembled, a control frame is returned as it comes.
 * Returns 0, 1 on clean EOF, negative on error/garbage/hang guard. Thread-safe. */
static int cli_recv(int fd, struct msg *m)
{
    memset(m, 0, sizeof(*m));
    char *acc = NULL;
    size_t acc_len = 0;
    uint8_t acc_op = 0;
    for (;;) {
        uint8_t h[2];
        int r = read_full(fd, h, 2);
        if (r) {
            free(acc);
            return acc ? -1 : r;
        }
        bool fin = h[0] & 0x80;
        uint8_t op = h[0] & 0x0f;
        if (h[1] & 0x80) {
            free(acc);
            return -3; /* servers never mask */
        }
        uint64_t len = h[1] & 0x7f;
        if (len == 126 || len == 127) {
            uint8_t ext[8];
            size_t n = len == 126 ? 2 : 8;
            if (read_full(fd, ext, n)) {
                free(acc);
                return -1;
            }
            len = 0;
            for (size_t i = 0; i < n; i++)
                len = (len << 8) | ext[i];
        }
        if (len > (1u << 24)) {
            free(acc);
            return -4;
        }
        char *payload = malloc(len + 1);
        if (!payload || (len && read_full(fd, payload, len))) {
            free(payload);
            free(acc);
            return -1;
        }
        payload[len] = 0;
        if (op >= 0x8) {
            free(acc); /* a control frame interleaved; tests never need the partial */
            m->opcode = op;
            m->data = payload;
            m->len = len;
            if (op == OP_CLOSE && len >= 2)
                m->code = (uint16_t)(((uint8_t)payload[0] << 8) | (uint8_t)payload[1]);
            return 0;
        }
        if (op != OP_CONT)
            acc_op = op;
        char *n = realloc(acc, acc_len + len + 1);
        if (!n) {
            free(acc);
            free(payload);
            return -1;
        }
        acc = n;
        memcpy(acc + acc_len, payload, len);
        acc_len += len;
        acc[acc_len] = 0;
        free(payload);
        if (fin) {
            m->opcode = acc_op;
            m->data = acc;
            m->len = acc_len;
            return 0;
        }
    }
}

static void expect_text(int fd, const char *want)
{
    struct msg m;
    assert_int_equal(cli_recv(fd, &m), 0);
    assert_int_equal(m.opcode, OP_TEXT);
    assert_string_equal(m.data, want);
    msg_free(&m);
}

static void expect_close(int fd, uint16_t code)
{
    struct msg m;
    assert_int_equal(cli_recv(fd, &m), 0);
    assert_int_equal(m.opcode, OP_CLOSE);
    assert_int_equal(m.code, code);
    msg_free(&m);
}

static void expect_eof(int fd)
{
    struct msg m;
    assert_int_equal(cli_recv(fd, &m), 1);
}

/* ---- the on_msg callback's record -------------------------------------------------------- */

#define RX_MAX 64

struct rx_item {
    struct ws_ref from;
    struct hub_identity who;
    char msg[1200];
    size_t len;
};

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int n;
    struct rx_item items[RX_MAX];
    bool blocked;  /* the hub thread sits in the callback */
    bool released; /* lets it go */
} g_rx = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void on_msg(struct hub *h, struct ws_ref from, const struct hub_identity *who,
                   const char *msg, size_t len, void *user)
{
    pthread_mutex_lock(&g_rx.mu);
    if (g_rx.n < RX_MAX) {
        struct rx_item *it = &g_rx.items[g_rx.n];
        it->from = from;
        it->who = *who;
        it->len = len;
        size_t n = len < sizeof(it->msg) - 1 ? len : sizeof(it->msg) - 1;
        memcpy(it->msg, msg, n);
        it->msg[n] = 0;
    }
    g_rx.n++;
    if (memmem(msg, len, "\"block\"", 7)) {
        g_rx.blocked = true;
        pthread_cond_broadcast(&g_rx.cv);
        while (!g_rx.released)
            pthread_cond_wait(&g_rx.cv, &g_rx.mu);
    }
    pthread_mutex_unlock(&g_rx.mu);
}

static int rx_count(void)
{
    pthread_mutex_lock(&g_rx.mu);
    int n = g_rx.n;
    pthread_mutex_unlock(&g_rx.mu);
    return n;
}

static bool rx_blocked(void)
{
    pthread_mutex_lock(&g_rx.mu);
    bool b = g_rx.blocked;
    pthread_mutex_unlock(&g_rx.mu);
    return b;
}

static bool rx_find(const char *needle, struct rx_item *out)
{
    bool found = false;
    pthread_mutex_lock(&g_rx.mu);
    for (int i = 0; i < g_rx.n && i < RX_MAX && !found; i++) {
        if (strstr(g_rx.items[i].msg, needle)) {
            *out = g_rx.items[i];
            found = true;
        }
    }
    pthread_mutex_unlock(&g_rx.mu);
    return found;
}

static int rx_reset(void **state)
{
    pthread_mutex_lock(&g_rx.mu);
    g_rx.n = 0;
    g_rx.blocked = false;
    g_rx.released = false;
    pthread_mutex_unlock(&g_rx.mu);
    return 0;
}

/* The hub names connections only in callbacks, so a test learns a ref by having the client
 * say hello with a unique tag. */
static struct ws_ref ref_of(int cli, const char *tag)
{
    char msg[128];
    snprintf(msg, sizeof(msg), "{\"type\":\"hello\",\"tag\":\"%s\"}", tag);
    char needle[80];
    snprintf(needle, sizeof(needle), "\"%s\"", tag);
    cli_send_text(cli, msg);
    struct rx_item it;
    WAIT_UNTIL(rx_find(needle, &it));
    return it.from;
}

/* ---- hub fixtures ------------------------------------------------------------------------ */

static struct hub_config cfg_default(void)
{
    return (struct hub_config){
        .max_conns = 256,
        .max_msg_in = 4096,
        .send_cap = 64 * 1024,
        .ping_interval_ms = 60000,
        .ping_timeout_ms = 60000,
        .queue_cap = 4096,
    };
}

static struct hub *start_hub(const struct hub_config *cfg)
{
    struct hub *h = NULL;
    assert_int_equal(hub_start(cfg, on_msg, NULL, &h), 0);
    assert_non_null(h);
    return h;
}

/* Adopts one end of a fresh socketpair; returns the client end. */
static int adopt_pair_fd(struct hub *h, int64_t user, const char *role, int *hub_fd)
{
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    struct hub_identity who = {.user_id = user};
    snprintf(who.role, sizeof(who.role), "%s", role ? role : "");
    snprintf(who.session_id, sizeof(who.session_id), "sess-%lld", (long long)user);
    if (hub_fd)
        *hub_fd = sv[0];
    assert_int_equal(hub_adopt(h, sv[0], NULL, &who), 0);
    return sv[1];
}

static int adopt_pair(struct hub *h, int64_t user, const char *role)
{
    return adopt_pair_fd(h, user, role, NULL);
}

/* ---- handshake helpers ------------------------------------------------------------------- */

static void test_accept_key_rfc_vector(void **state)
{
    char out[29];
    /* RFC 6455 §1.3 */
    assert_int_equal(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", out), 0);
    assert_string_equal(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    /* A second key, checked against an independent SHA-1/base64 computation. */
    assert_int_equal(ws_accept_key("AQIDBAUGBwgJCgsMDQ4PEA==", out), 0);
    assert_string_equal(out, "C/0nmHhBztSRGR1CwL6Tf4ZjwpY=");
}

static void test_accept_key_rejects_invalid(void **state)
{
    static const char *const bad[] = {
        "",
        "dGhlIHNhbXBsZSBub25jZQ",    /* padding missing */
        "dGhlIHNhbXBsZSBub25jZQ=",   /* 23 characters */
        "dGhlIHNhbXBsZSBub25jZQ===", /* 25 characters */
        "AAAAAAAAAAAAAAAAAAAA",      /* 15 bytes */
        "AAAAAAAAAAAAAAAAAAAAAAA=",  /* 17 bytes */
        "AAAAAAAAAAAAAAAAAAAAAAAA",  /* 18 bytes */
        "dGhlIHNhbXBsZSBub25j*Q==",  /* not base64 */
        "dGhlIHNh=XBsZSBub25jZQ==",  /* padding inside */
        "dGhlIHNhbXBsZSBub25jZQ== ", /* trailing junk */
        "dGhlIHNhbXBsZSBub25jZQ==dGhlIHNhbXBsZSBub25jZQ==",
    };
    char out[29];
    assert_int_equal(ws_accept_key(NULL, out), SB_EINVAL);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (ws_accept_key(bad[i], out) != SB_EINVAL)
            fail_msg("key accepted: \"%s\"", bad[i]);
    }
}

static void test_origin_rules(void **state)
{
    const char *list = " https://app.example.com ,https://admin.example.com:8443,, ";
    /* Missing Origin: non-browser clients. */
    assert_true(ws_origin_allowed(NULL, "x", list));
    assert_true(ws_origin_allowed(NULL, NULL, ""));
    /* Explicit list: exact entries only, spaces around entries ignored. */
    assert_true(ws_origin_allowed("https://app.example.com", "evil", list));
    assert_true(ws_origin_allowed("https://admin.example.com:8443", NULL, list));
    assert_false(ws_origin_allowed("https://admin.example.com", "admin.example.com", list));
    assert_false(ws_origin_allowed("http://app.example.com", "app.example.com", list));
    assert_false(ws_origin_allowed("https://app.example.com.evil.net", NULL, list));
    assert_false(ws_origin_allowed("https://app.example.co", NULL, list));
    assert_false(ws_origin_allowed("", NULL, list));
    assert_false(ws_origin_allowed("null", NULL, list));
    /* With a list, a matching Host does not make an unlisted Origin acceptable. */
    assert_false(ws_origin_allowed("https://sb.local", "sb.local", list));
    /* Empty list: same origin as the Host header. */
    assert_true(ws_origin_allowed("https://sb.local:8443", "sb.local:8443", ""));
    assert_true(ws_origin_allowed("http://SB.local", "sb.local", NULL));
    assert_true(ws_origin_allowed("https://sb.local", "sb.local", " , "));
    assert_false(ws_origin_allowed("https://sb.local", "sb.local:8443", ""));
    assert_false(ws_origin_allowed("https://evil.net", "sb.local", ""));
    assert_false(ws_origin_allowed("https://sb.local/path", "sb.local/path", ""));
    assert_false(ws_origin_allowed("null", "null", ""));
    assert_false(ws_origin_allowed("ftp://sb.local", "sb.local", ""));
    assert_false(ws_origin_allowed("https://sb.local", NULL, ""));
    assert_false(ws_origin_allowed("https://", "", ""));
}

/* ---- the MHD upgrade path ---------------------------------------------------------------- */

static const char *const test_allowed = "https://app.example.com, https://admin.example.com";

static enum MHD_Result test_ahc(void *cls, struct MHD_Connection *conn, const char *url,
                                const char *method, const char *version, const char *upload_data,
                                size_t *upload_data_size, void **req_cls)
{
    struct hub_identity who = {.user_id = 42, .role = "agent", .session_id = "s-42"};
    return (enum MHD_Result)ws_upgrade_respond(conn, cls, &who, test_allowed, NULL);
}

/* Sends a GET with `headers` (each ending in \r\n) and reads the response head into `head`.
 * Returns the status code; the socket stays open in *fd_out. */
static int http_get(uint16_t port, const char *headers, char *head, size_t cap, int *fd_out)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    char req[2048];
    int n = snprintf(req, sizeof(req), "GET /api/v1/ws HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n%s\r\n",
                     port, headers);
    assert_true(n > 0 && (size_t)n < sizeof(req));
    write_all(fd, req, (size_t)n);
    size_t len = 0;
    /* Byte by byte so not one byte of the WebSocket stream after the head is consumed. */
    while (len + 1 < cap) {
        assert_int_equal(read_full(fd, head + len, 1), 0);
        len++;
        if (len >= 4 && memcmp(head + len - 4, "\r\n\r\n", 4) == 0)
            break;
    }
    head[len] = 0;
    int status = 0;
    assert_int_equal(sscanf(head, "HTTP/1.1 %d", &status), 1);
    *fd_out = fd;
    return status;
}

#define WS_HDRS(extra)                                                                             \
    "Upgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"                                    \
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" extra

static void test_upgrade_over_mhd(void **state)
{
    struct hub_config cfg = cfg_default();
    struct hub *h = start_hub(&cfg);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_ALLOW_UPGRADE | MHD_USE_ERROR_LOG, 0, NULL, NULL,
        test_ahc, h, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_END);
    assert_non_null(d);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    assert_non_null(info);
    uint16_t port = info->port;
    char head[4096];
    int fd;

    /* A valid handshake from an allowed Origin: 101 with the RFC accept value, and the socket
     * ends up in the hub with the identity the handler gave. */
    assert_int_equal(http_get(port,
                              WS_HDRS("Sec-WebSocket-Version: 13\r\n"
                                      "Origin: https://app.example.com\r\n"),
                              head, sizeof(head), &fd),
                     101);
    assert_non_null(strcasestr(head, "\r\nUpgrade: websocket\r\n"));
    assert_non_null(strcasestr(head, "\r\nConnection: Upgrade\r\n"));
    assert_non_null(strstr(head, "\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
    cli_send_text(fd, "{\"type\":\"ping\"}");
    expect_text(fd, "{\"type\":\"pong\"}");
    assert_int_equal(hub_conn_count(h), 1);
    cli_send_text(fd, "{\"type\":\"hello\",\"tag\":\"mhd\"}");
    struct rx_item it;
    WAIT_UNTIL(rx_find("\"mhd\"", &it));
    assert_int_equal(it.who.user_id, 42);
    assert_string_equal(it.who.role, "agent");
    assert_string_equal(it.who.session_id, "s-42");
    assert_int_equal(hub_publish(h, "user:42", "{\"type\":\"u\"}", 12), 0);
    expect_text(fd, "{\"type\":\"u\"}");
    /* A clean close: the hub echoes the close and releases the socket through MHD. */
    cli_send_close(fd, 1000);
    expect_close(fd, 1000);
    expect_eof(fd);
    close(fd);
    WAIT_UNTIL(hub_conn_count(h) == 0);

    /* No Origin (a non-browser client) is fine. */
    assert_int_equal(
        http_get(port, WS_HDRS("Sec-WebSocket-Version: 13\r\n"), head, sizeof(head), &fd), 101);
    WAIT_UNTIL(hub_conn_count(h) == 1);
    close(fd);
    WAIT_UNTIL(hub_conn_count(h) == 0);

    /* Wrong version: 426 naming the version we speak. */
    assert_int_equal(
        http_get(port, WS_HDRS("Sec-WebSocket-Version: 8\r\n"), head, sizeof(head), &fd), 426);
    assert_non_null(strcasestr(head, "\r\nSec-WebSocket-Version: 13\r\n"));
    close(fd);
    assert_int_equal(http_get(port, WS_HDRS(""), head, sizeof(head), &fd), 426);
    close(fd);

    /* Bad key, missing upgrade headers: 400. */
    assert_int_equal(http_get(port,
                              "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                              "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: AAAA\r\n",
                              head, sizeof(head), &fd),
                     400);
    close(fd);
    assert_int_equal(http_get(port,
                              "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                              "Sec-WebSocket-Version: 13\r\n",
                              head, sizeof(head), &fd),
                     400);
    close(fd);
    assert_int_equal(http_get(port,
                              "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n",
                              head, sizeof(head), &fd),
                     400);
    close(fd);
    assert_int_equal(http_get(port,
                              "Upgrade: websocket\r\nConnection: keep-alive\r\n"
                              "Sec-WebSocket-Version: 13\r\n"
                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n",
                              head, sizeof(head), &fd),
                     400);
    close(fd);

    /* An Origin outside the list: 403, and nothing reaches the hub. */
    assert_int_equal(http_get(port,
                              WS_HDRS("Sec-WebSocket-Version: 13\r\n"
                                      "Origin: https://evil.example.net\r\n"),
                              head, sizeof(head), &fd),
                     403);
    close(fd);
    assert_int_equal(hub_conn_count(h), 0);

    MHD_stop_daemon(d);
    hub_shutdown(h, 0);
}

/* ---- hub: fan-out ------------------------------------------------------------------------ */

static void test_publish_all_reaches_200_exactly_once(void **state)
{
    enum { N = 200 };
    struct hub_config cfg = cfg_default();
    struct hub *h = start_hub(&cfg);
    int fds[N];
    for (int i = 0; i < N; i++)
        fds[i] = adopt_pair(h, i % 10 + 1, "agent");
    WAIT_UNTIL(hub_conn_count(h) == N);

    const char *m1 = "{\"type\":\"x\",\"data\":{\"n\":1}}";
    const char *m2 = "{\"type\":\"marker\",\"data\":{}}";
    assert_int_equal(hub_publish(h, "all", m1, strlen(m1)), 0);
    assert_int_equal(hub_publish(h, "all", m2, strlen(m2)), 0);
    for (int i = 0; i < N; i++) {
        expect_text(fds[i], m1);
        expect_text(fds[i], m2); /* m1 came exactly once */
    }
    for (int i = 0; i < N; i++)
        close(fds[i]);
    WAIT_UNTIL(hub_conn_count(h) == 0);
    hub_shutdown(h, 0);
}

static void test_publish_large_message_is_shared_and_intact(void **state)
{
    /* Larger than wslay's 4 KiB frame buffer: goes out as several frames read from the one
     * shared payload; every recipient must get the exact bytes. */
    enum { LEN = 10000 };
    struct hub_config cfg = cfg_default();
    struct hub *h = start_hub(&cfg);
    int a = adopt_pair(h, 1, "user");
    int b = adopt_pair(h, 2, "user");
    WAIT_UNTIL(hub_conn_count(h) == 2);
    char *big = malloc(LEN + 1);
    assert_non_null(big);
    int off = snprintf(big, LEN + 1, "{\"type\":\"big\",\"data\":\"");
    for (int i = off; i < LEN - 2; i++)
        big[i] = (char)('a' + i % 26);
    memcpy(big + LEN - 2, "\"}", 3);
    assert_int_equal(hub_publish(h, "all", big, LEN), 0);
    assert_int_equal(hub_publish(h, "all", "{\"type\":\"m\"}", 12), 0);
    expect_text(a, big);
    expect_text(b, big);
    expect_text(a, "{\"type\":\"m\"}");
    expect_text(b, "{\"type\":\"m\"}");
    free(big);
    close(a);
    close(b);
    hub_shutdown(h, 0);
}

static void test_publish_topics_reach_only_subscribers(void **state)
{
    struct hub_config cfg = cfg_default();
    struct hub *h = start_hub(&cfg);
    int u7a = adopt_pair(h, 7, "agent");
    int u7b = adopt_pair(h, 7, "admin");
    int u8 = adopt_pair(h, 8, "agent");
    int u77 = adopt_pair(h, 77, "user");
    int anon = adopt_pair(h, 0, "");
    WAIT_UNTIL(hub_conn_count(h) == 5);

    assert_int_equal(hub_publish(h, "user:7", "{\"type\":\"u7\"}", 13), 0);
    assert_int_equal(hub_publish(h, "role:admin", "{\"type\":\"adm\"}", 14), 0);
    assert_int_equal(hub_publish(h, "user:0", "{\"type\":\"u0\"}", 13), 0);
    assert_int_equal(hub_publish(h, "role:", "{\"type\":\"r\"}", 12), 0);
    assert_int_equal(hub_publish(h, "all", "{\"type\":\"z\"}", 12), 0);

    expect_text(u7a, "{\"type\":\"u7\"}");
    expect_text(u7a, "{\"type\":\"z\"}");
    expect_text(u7b, "{\"type\":\"u7\"}");
    expect_text(u7b, "{\"type\":\"adm\"}");
    expect_text(u7b, "{\"type\":\"z\"}");
    expect_text(u8, "{\"type\":\"z\"}");
    expect_text(u77, "{\"type\":\"z\"}"); /* "user:7" is not a prefix match */
    expect_text(anon, "{\"type\":\"z\"}");

    close(u7a);
    close(u7b);
    close(u8);
    close(u77);
    close(anon);
    hub_shutdown(h, 0);
}

static void test_publish_users_reaches_each_listed_user_once(void **state)
{
    struct hub_config cfg = cfg_default();
    struct hub *h = start_hub(&cfg);
    int u7a = adopt_pair(h, 7, "agent");
    int u7b = adopt_pair(h, 7, "admin");
    int u8 = adopt_pair(h, 8, "agent");
    int u9 = adopt_pair(h, 9, "user");
    int anon = adopt_pair(h, 0, "");
    WAIT_UNTIL(hub_conn_count(h) == 5);

    /* Duplicates, 0, negatives and absent users are harmless. */
    const int64_t ids[] = {9, 7, 7, 0, -1, 42};
    assert_int_equal(hub_publish_users(h, ids, 6, "{\"type\":\"g\"}", 12), 0);
    assert_int_equal(hub_publish(h, "all", "{\"type\":\"z\"}", 12), 0);
    expect_text(u7a, "{\"type\":\"g\"}");
    expect_text(u7a, "{\"type\":\"z\"}");
    expect_text(u7b, "{\"type\":\"g\"}");
    expect_text(u7b, "{\"type\":\"z\"}");
    expect_text(u9, "{\"type\":\"g\"}");
    expect_text(u9, "{\"type\":\"z\"}");
    expect_text(u8, "{\"type\":\"z\"}");
    expect_text(anon, "{\"type\":\"z\"}");

    assert_int_equal(hub_publish_users(h, ids, 0, "{}", 2), SB_EINVAL);
    assert_int_equal(hub_publish_users(h, NULL, 1, "{}", 2), SB_EINVAL);
    assert_int_equal(hub_publish_users(h, ids, HUB_PUBLISH_USERS_MAX + 1, "{}", 2), SB_EINVAL);
    assert_int_equal(hub_publish_users(h, ids, 1, "{}", 0), SB_EINVAL);
    const int64_t nobody[] = {0, -5};
    assert_int_equal(hub_publish_users(h, nobody, 2, "{}", 2), 0);

    close(u7a);
    close(u7b);
    close(u8);
    close(u9);
    close(anon);
    hub_shutdown(h, 0);
}

static struct {
    atomic_int ups, downs;
    atomic_llong last_user;
} g_obs;

static void on_conn(struct hub *h, struct ws_ref ref, const struct hub_identity *who, bool up,
                    void *user)
{
    assert_ptr_equal(user, &g_obs);
    assert_true(ref.id > 0);
    atomic_store(&g_obs.last_user, who->user_id);
    atomic_fetch_add(up ? &g_obs.ups : &g_obs.downs, 1);
}

static void test_conn_observer_reports_signed_in_ups_and_downs(void **state)
{
    atomic_store(&g_obs.ups, 0);
    atomic_store(&g_obs.downs, 0);
    struct hub_config cfg = cfg_default();
    cfg.on_conn = on_conn;
    cfg.on_conn_user = &g_obs;
    struct hub *h = start_hub(&cfg);
    int a = adopt_pair(h, 5, "agent");
    int b = adopt_pair(h, 5, "agent");
    int anon = adopt_pair(h, 0, "");
    WAIT_UNTIL(hub_conn_count(h) == 3);
    assert_int_equal(atomic_load(&g_obs.ups), 2); /* anonymous sockets are not reported */
    assert_int_equal(atomic_load(&g_obs.last_user), 5);
    close(a);
    WAIT_UNTIL(atomic_load(&g_obs.downs) == 1);
    close(anon);
    WAIT_UNTIL(hub_conn_count(h) == 1);
    assert_int_equal(atomic_load(&g_obs.downs), 1);
    hub_shutdown(h, 0); /* releases at shutdown are reported too */
    assert_int_equal(atomic_load(&g_obs.downs), 2);
    assert_int_equal(atomic_load(&g_obs.ups), 2);
    close(b);
}

static void test_publish_argument_checks(void **state)
{
    struct hub_config cfg = cfg_default();
    cfg.send_cap = 1000;
    struct hub *h = start_hub(&cfg);
    char topic[70];
    memset(topic, 't', sizeof(topic));
    topic[65] = 0;
    assert_int_equal(hub_publish(h, "all", "{}", 0), SB_EINVAL);
    assert_int_equal(hub_publish(h, "all", NULL, 2), SB_EINVAL);
    assert_int_equal(hub_publish(h, NULL, "{}", 2), SB_EINVAL);
    assert_int_equal(hub_publish(h, "", "{}", 2), SB_EINVAL);
    assert_int_equal(hub_publish(h, topic, "{}", 2), SB_EINVAL);
    topic[64] = 0;
    assert_int_equal(hub_publish(h, topic, "{}", 2), 0);
    char *big = calloc(1, 1001);
    assert_non_null(big);
    memset(big, ' ', 1001);
    assert_int_equal(hub_publish(h, "all", big, 1001), SB_ETOOBIG);
    assert_int_equal(hub_publish(h, "all", big, 1000), 0);
    free(big);
    assert_int_equal(hub_send(h, (struct ws_ref){1, 1}, "{}", 0), SB_EINVAL);
    assert_int_equal(hub_close(h, (struct ws_ref){1, 1}, 1005), SB_EINVAL);
    assert_int_equal(hub_close(h, (struct ws_ref){1, 1}, 999), SB_EINVAL);
    assert_int_equal(hub_close_user(h, 0, 1000, (struct ws_ref){0, 0}), SB_EINVAL);
    assert_int_equal(hub_subscribe(h, (struct ws_ref){1, 1}, ""), SB_EINVAL);
    assert_int_equal(hub_unsubscribe(h, (struct ws_ref){1, 1}, NULL), SB_EINVAL);
    hub_shutdown(h, 0);
    hub_shutdown(NULL, 0);
}

/* ---- hub: refs, subscriptions, closing --------------------------------------------------- */

static void test_send_to_stale_ref_is_dropped(void **state)
{
    struct hub_config cfg = cfg_default();
    struct hub *h = start_hub(&cfg);
    int a = adopt_pair(h, 1, "user");
    struct ws_ref ra = ref_of(a, "a");
    assert_int_not_equal(ra.id, 0);
    assert_int_equal(hub_send(h, ra, "{\"type\":\"to-a\"}", 15), 0);
    expect_text(a, "{\"type\":\"to-a\"}");
    close(a);
    WAIT_UNTIL(hub_conn_count(h) == 0);

    int b = adopt_pair(h, 2, "user");
    struct ws_ref rb = ref_of(b, "b");
    /* The slot is reused under a new generation; the old ref must not reach b. */
    assert_int_equal(rb.id, ra.id);
    assert_int_not_equal(rb.gen, ra.gen);
    assert_int_equal(hub_send(h, ra, "{\"type\":\"stale\"}", 16), 0);
    assert_int_equal(hub_close(h, ra, 4000), 0);
    assert_int_equal(hub_subscribe(h, ra, "queue:1"), 0);
    assert_int_equal(hub_send(h, (struct ws_ref){9999, 1}, "{\"type\":\"oob\"}", 14), 0);
    assert_int_equal(hub_send(h, (struct ws_ref){0, 0}, "{\"type\":\"none\"}", 15), 0);
    assert_int_equal(hub_publish(h, "queue:1", "{\"type\":\"q\"}", 12), 0);
    assert_int_equal(hub_send(h, rb, "{\"type\":\"to-b\"}", 15), 0);
    assert_int_equal(hub_publish(h, "all", "{\"type\":\"z\"}", 12), 0);
    expect_text(b, "{\"type\":\"to-b\"}");
    expect_text(b, "{\"type\":\"z\"}");

    /* And the live ref does close b. */
    assert_int_equal(hub_close(h, rb, 4000), 0);
    expect_close(b, 4000);
    cli_send_close(b, 4000);
    expect_eof(b);
    WAIT_UNTIL(hub_conn_count(h) == 0);
    close(b);
    hub_shutdown(h, 0);
}

static void test_subscribe_unsubscribe(void **state)
{
    struct hub_config cfg = cfg_default();
    struct hub *h = start_hub(&cfg);
    int x = adopt_pair(h, 3, "agent");
    int y = adopt_pair(h, 4, "agent");
    struct ws_ref rx = ref_of(x, "x");

    assert_int_equal(hub_subscribe(h, rx, "queue:3"), 0);
    assert_int_equal(hub_subscribe(h, rx, "queue:3"), 0); /* idempotent */
    assert_int_equal(hub_publish(h, "queue:3", "{\"type\":\"q1\"}", 13), 0);
    assert_int_equal(hub_publish(h, "all", "{\"type\":\"z1\"}", 13), 0);
    expect_text(x, "{\"type\":\"q1\"}");
    expect_text(x, "{\"type\":\"z1\"}");
    expect_text(y, "{\"type\":\"z1\"}");

    assert_int_equal(hub_unsubscribe(h, rx, "queue:3"), 0);
    assert_int_equal(hub_publish(h, "queue:3", "{\"type\":\"q2\"}", 13), 0);
    assert_int_equal(hub_publish(h, "all", "{\"type\":\"z2\"}", 13), 0);
    expect_text(x, "{\"type\":\"z2\"}");
    expect_text(y, "{\"type\":\"z2\"}");

    /* 32 topics per connection: "all", "user:3", "role:agent" and 29 more. */
    char t[16];
    for (int i = 0; i < 40; i++) {
        snprintf(t, sizeof(t), "t%d", i);
        assert_int_equal(hub_subscribe(h, rx, t), 0);
    }
    assert_int_equal(hub_publish(h, "t28", "{\"type\":\"t28\"}", 14), 0);
    assert_int_equal(hub_publish(h, "t29", "{\"type\":\"t29\"}", 14), 0);
    assert_int_equal(hub_publish(h, "all", "{\"type\":\"z3\"}", 13), 0);
    expect_text(x, "{\"type\":\"t28\"}");
    expect_text(x, "{\"type\":\"z3\"}");

    close(x);
    close(y);
    hub_shutdown(h, 0);
}

static void test_close_user_keeps_one(void **state)
{
    struct hub_config cfg = cfg_default();
    struct hub *h = start_hub(&cfg);
    int a = adopt_pair(h, 5, "agent");
    int b = adopt_pair(h, 5, "agent");
    int c = adopt_pair(h, 5, "agent");
    int d = adopt_pair(h, 6, "agent");
    struct ws_ref rb = ref_of(b, "keep");
    WAIT_UNTIL(hub_conn_count(h) == 4);

    assert_int_equal(hub_close_user(h, 5, 4001, rb), 0);
    assert_int_equal(hub_publish(h, "all", "{\"type\":\"z\"}", 12), 0);
    expect_close(a, 4001);
    expect_close(c, 4001);
    expect_text(b, "{\"type\":\"z\"}");
    expect_text(d, "{\"type\":\"z\"}");
    cli_send_close(a, 4001);
    cli_send_close(c, 4001);
    expect_eof(a);
    expect_eof(c);
    WAIT_UNTIL(hub_conn_count(h) == 2);

    /* Without a kept ref every connection of the user goes. */
    assert_int_equal(hub_close_user(h, 5, 4001, (struct ws_ref){0, 0}), 0);
    expect_close(b, 4001);
    assert_int_equal(hub_publish(h, "all", "{\"type\":\"z2\"}", 13), 0);
    expect_text(d, "{\"type\":\"z2\"}");

    close(a);
    close(b);
    close(c);
    close(d);
    hub_shutdown(h, 0);
}

static void test_max_conns_refused_with_1013(void **state)
{
    struct hub_config cfg = cfg_default();
    cfg.max_conns = 2;
    struct hub *h = start_hub(&cfg);
    int a = adopt_pair(h, 1, "");
    int b = adopt_pair(h, 2, "");
    int c = adopt_pair(h, 3, "");
    expect_close(c, 1013);
    expect_eof(c);
    assert_int_equal(hub_conn_count(h), 2);

    close(a);
    WAIT_UNTIL(hub_conn_count(h) == 1);
    int d = adopt_pair(h, 4, "");
    assert_int_equal(hub_publish(h, "all", "{\"type\":\"z\"}", 12), 0);
    expect_text(b, "{\"type\":\"z\"}");
    expect_text(d, "{\"type\":\"z\"}");

    close(b);
    close(c);
    close(d);
    hub_shutdown(h, 0);
}

static void test_command_queue_is_bounded(void **state)
{
    struct hub_config cfg = cfg_default();
    cfg.queue_cap = 2;
    struct hub *h = start_hub(&cfg);
    int a = adopt_pair(h, 1, "");
    WAIT_UNTIL(hub_conn_count(h) == 1);

    /* Park the hub thread inside on_msg so nothing drains the queue. */
    cli_send_text(a, "{\"type\":\"block\"}");
    WAIT_UNTIL(rx_blocked());

    assert_int_equal(hub_publish(h, "all", "{\"type\":\"1\"}", 12), 0);
    assert_int_equal(hub_publish(h, "all", "{\"type\":\"2\"}", 12), 0);
    assert_int_equal(hub_queue_depth(h), 2);
    assert_int_equal(hub_publish(h, "all", "{\"type\":\"3\"}", 12), SB_EFULL);
    /* A refused adoption still closes the socket it was given, telling the client why. */
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    struct hub_identity who = {.user_id = 2};
    assert_int_equal(hub_adopt(h, sv[0], NULL, &who), SB_EFULL);
    expect_close(sv[1], 1013);
    expect_eof(sv[1]);
    close(sv[1]);

    pthread_mutex_lock(&g_rx.mu);
    g_rx.released = true;
    pthread_cond_broadcast(&g_rx.cv);
    pthread_mutex_unlock(&g_rx.mu);
    expect_text(a, "{\"type\":\"1\"}");
    expect_text(a, "{\"type\":\"2\"}");
    assert_int_equal(hub_publish(h, "all", "{\"type\":\"4\"}", 12), 0);
    expect_text(a, "{\"type\":\"4\"}");
    assert_int_equal(hub_conn_count(h), 1);

    close(a);
    hub_shutdown(h, 0);
}

/* ---- hub: limits --------------------------------------------------------------------------- */

struct reader {
    pthread_t t;
    int fd;
    int n;
    const char *pad;
    atomic_int got;
    atomic_bool failed;
};

static void seq_msg(char *out, size_t cap, int i, const char *pad)
{
    snprintf(out, cap, "{\"type\":\"seq\",\"data\":{\"i\":%d,\"pad\":\"%s\"}}", i, pad);
}

static void *reader_main(void *arg)
{
    struct reader *r = arg;
    char want[2048];
    for (int i = 0; i < r->n; i++) {
        struct msg m;
        seq_msg(want, sizeof(want), i, r->pad);
        if (cli_recv(r->fd, &m) != 0 || m.opcode != OP_TEXT || strcmp(m.data, want) != 0) {
            msg_free(&m);
            atomic_store(&r->failed, true);
            return NULL;
        }
        msg_free(&m);
        atomic_store(&r->got, i + 1);
    }
    return NULL;
}

static bool readers_caught_up(struct reader *rs, int n, int want)
{
    for (int k = 0; k < n; k++)
        if (atomic_load(&rs[k].got) < want && !atomic_load(&rs[k].failed))
            return false;
    return true;
}

static void test_slow_consumer_closed_1008_others_unaffected(void **state)
{
    enum { FAST = 3, N = 100 };
    struct hub_config cfg = cfg_default();
    cfg.send_cap = 16 * 1024;
    struct hub *h = start_hub(&cfg);

    /* The slow client never reads; tiny socket buffers make the hub's queue fill quickly. */
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    int small = 4096;
    assert_int_equal(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
    assert_int_equal(setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)), 0);
    struct hub_identity who = {.user_id = 99};
    assert_int_equal(hub_adopt(h, sv[0], NULL, &who), 0);
    int slow = sv[1];

    static char pad[901];
    memset(pad, 'p', 900);
    pad[900] = 0;
    struct reader rs[FAST];
    for (int k = 0; k < FAST; k++) {
        rs[k].fd = adopt_pair(h, k + 1, "agent");
        rs[k].n = N;
        rs[k].pad = pad;
        atomic_init(&rs[k].got, 0);
        atomic_init(&rs[k].failed, false);
    }
    WAIT_UNTIL(hub_conn_count(h) == FAST + 1);
    for (int k = 0; k < FAST; k++)
        assert_int_equal(pthread_create(&rs[k].t, NULL, reader_main, &rs[k]), 0);

    /* Lock-step: the fast clients never hold more than one message in the hub, so only the
     * client that stopped reading can cross send_cap. */
    char msg[2048];
    for (int i = 0; i < N; i++) {
        seq_msg(msg, sizeof(msg), i, pad);
        assert_int_equal(hub_publish(h, "all", msg, strlen(msg)), 0);
        WAIT_UNTIL(readers_caught_up(rs, FAST, i + 1));
    }
    for (int k = 0; k < FAST; k++) {
        pthread_join(rs[k].t, NULL);
        assert_false(atomic_load(&rs[k].failed));
        assert_int_equal(atomic_load(&rs[k].got), N);
    }
    assert_int_equal(hub_closed_slow_total(h), 1);

    /* The slow client finally reads: an in-order prefix of the stream, then 1008. */
    int j = 0;
    for (;;) {
        struct msg m;
        assert_int_equal(cli_recv(slow, &m), 0);
        if (m.opcode == OP_CLOSE) {
            assert_int_equal(m.code, 1008);
            msg_free(&m);
            break;
        }
        assert_int_equal(m.opcode, OP_TEXT);
        seq_msg(msg, sizeof(msg), j, pad);
        assert_string_equal(m.data, msg);
        msg_free(&m);
        j++;
    }
    assert_true(j < N);
    cli_send_close(slow, 1008);
    expect_eof(slow);
    WAIT_UNTIL(hub_conn_count(h) == FAST);
    /* Still counted once, and the others still receive. */
    assert_int_equal(hub_closed_slow_total(h), 1);
    assert_int_equal(hub_publish(h, "all", "{\"type\":\"after\"}", 16), 0);
    for (int k = 0; k < FAST; k++) {
        expect_text(rs[k].fd, "{\"type\":\"after\"}");
        close(rs[k].fd);
    }
    close(slow);
    hub_shutdown(h, 0);
}

static void test_inbound_over_cap_closed_1009(void **state)
{
    struct hub_config cfg = cfg_default();
    cfg.max_msg_in = 1024;
    struct hub *h = start_hub(&cfg);
    char buf[1300];
    const char *head = "{\"type\":\"fit\",\"pad\":\"";
    size_t hl = strlen(head);
    memcpy(buf, head, hl);
    memset(buf + hl, 'x', sizeof(buf) - hl);

    /* Exactly at the cap is delivered, byte for byte. */
    int a = adopt_pair(h, 1, "");
    memcpy(buf + 1022, "\"}", 2);
    cli_send(a, OP_TEXT, buf, 1024);
    WAIT_UNTIL(rx_count() == 1);
    struct rx_item it;
    assert_true(rx_find("\"fit\"", &it));
    assert_int_equal(it.len, 1024);
    assert_memory_equal(it.msg, buf, 1024);

    /* One byte over in a single frame. */
    memcpy(buf + 1022, "xx\"}", 4);
    cli_send(a, OP_TEXT, buf, 1025);
    expect_close(a, 1009);
    expect_eof(a);
    close(a);

    /* Over the cap across fragments. */
    int b = adopt_pair(h, 2, "");
    cli_send_frame(b, false, OP_TEXT, buf, 600);
    cli_send_frame(b, true, OP_CONT, buf + 600, 600);
    expect_close(b, 1009);
    expect_eof(b);
    close(b);
    WAIT_UNTIL(hub_conn_count(h) == 0);
    assert_int_equal(rx_count(), 1);
    hub_shutdown(h, 0);
}

static void test_ping_json_gets_pong_and_others_reach_on_msg(void **state)
{
    struct hub_config cfg = cfg_default();
    struct hub *h = start_hub(&cfg);
    int a = adopt_pair(h, 9, "user");

    cli_send_text(a, "{\"type\":\"ping\"}");
    expect_text(a, "{\"type\":\"pong\"}");
    cli_send_text(a, "{ \"type\" : \"ping\", \"ts\": 12 }");
    expect_text(a, "{\"type\":\"pong\"}");
    /* A protocol-level ping is answered by wslay with a pong frame echoing the payload. */
    cli_send(a, OP_PING, "abc", 3);
    struct msg m;
    assert_int_equal(cli_recv(a, &m), 0);
    assert_int_equal(m.opcode, OP_PONG);
    assert_string_equal(m.data, "abc");
    msg_free(&m);

    const char *hello = "{\"type\":\"pinger\",\"data\":{\"k\":1}}";
    cli_send_text(a, hello);
    WAIT_UNTIL(rx_count() == 1);
    /* Pings were handled by the hub: the first thing on_msg saw is the later message. */
    pthread_mutex_lock(&g_rx.mu);
    struct rx_item it = g_rx.items[0];
    pthread_mutex_unlock(&g_rx.mu);
    assert_int_equal(it.len, strlen(hello));
    assert_string_equal(it.msg, hello);
    assert_int_equal(it.who.user_id, 9);
    assert_string_equal(it.who.role, "user");
    assert_string_equal(it.who.session_id, "sess-9");

    /* Binary frames are not part of the protocol. */
    cli_send(a, OP_BIN, "\x01\x02", 2);
    expect_close(a, 1003);
    cli_send_close(a, 1003);
    expect_eof(a);
    WAIT_UNTIL(hub_conn_count(h) == 0);
    close(a);
    hub_shutdown(h, 0);
}

static void test_ping_timeout_drops_silent_peer(void **state)
{
    struct hub_config cfg = cfg_default();
    cfg.ping_interval_ms = 50;
    cfg.ping_timeout_ms = 100;
    struct hub *h = start_hub(&cfg);
    int a = adopt_pair(h, 1, "");
    WAIT_UNTIL(hub_conn_count(h) == 1);
    struct msg m;
    assert_int_equal(cli_recv(a, &m), 0);
    assert_int_equal(m.opcode, OP_PING);
    msg_free(&m);
    /* No answer: the hub drops the socket (no second ping while one is outstanding). */
    expect_eof(a);
    WAIT_UNTIL(hub_conn_count(h) == 0);
    close(a);
    hub_shutdown(h, 0);
}

static void test_answered_pings_keep_connection(void **state)
{
    struct hub_config cfg = cfg_default();
    cfg.ping_interval_ms = 30;
    cfg.ping_timeout_ms = 10000;
    struct hub *h = start_hub(&cfg);
    int a = adopt_pair(h, 1, "");
    for (int k = 0; k < 3; k++) {
        struct msg m;
        assert_int_equal(cli_recv(a, &m), 0);
        assert_int_equal(m.opcode, OP_PING);
        cli_send(a, OP_PONG, m.data, m.len);
        msg_free(&m);
    }
    cli_send_text(a, "{\"type\":\"ping\"}");
    for (;;) {
        struct msg m;
        assert_int_equal(cli_recv(a, &m), 0);
        if (m.opcode == OP_PING) {
            cli_send(a, OP_PONG, NULL, 0);
            msg_free(&m);
            continue;
        }
        assert_int_equal(m.opcode, OP_TEXT);
        assert_string_equal(m.data, "{\"type\":\"pong\"}");
        msg_free(&m);
        break;
    }
    assert_int_equal(hub_conn_count(h), 1);
    close(a);
    hub_shutdown(h, 0);
}

/* ---- hub: shutdown ----------------------------------------------------------------------- */

static void test_shutdown_sends_1001_and_closes_everything(void **state)
{
    enum { N = 5 };
    struct hub_config cfg = cfg_default();
    struct hub *h = start_hub(&cfg);
    int cli[N + 1], srv[N + 1];
    for (int i = 0; i < N; i++)
        cli[i] = adopt_pair_fd(h, i + 1, "agent", &srv[i]);
    WAIT_UNTIL(hub_conn_count(h) == N);
    /* Queued output and a last-moment adoption are both handled by the shutdown. */
    assert_int_equal(hub_publish(h, "all", "{\"type\":\"bye\"}", 14), 0);
    cli[N] = adopt_pair_fd(h, 77, "", &srv[N]);
    hub_shutdown(h, 200);

    for (int i = 0; i <= N; i++) {
        struct msg m;
        assert_int_equal(cli_recv(cli[i], &m), 0);
        if (m.opcode == OP_TEXT) {
            assert_string_equal(m.data, "{\"type\":\"bye\"}");
            msg_free(&m);
            assert_int_equal(cli_recv(cli[i], &m), 0);
        }
        assert_int_equal(m.opcode, OP_CLOSE);
        assert_int_equal(m.code, 1001);
        msg_free(&m);
        expect_eof(cli[i]);
        /* The hub closed its end: the descriptor is gone. */
        errno = 0;
        assert_int_equal(fcntl(srv[i], F_GETFD), -1);
        assert_int_equal(errno, EBADF);
        close(cli[i]);
    }
}

static void test_start_rejects_bad_config(void **state)
{
    struct hub *h = (struct hub *)1;
    struct hub_config cfg = cfg_default();
    cfg.max_conns = 0;
    assert_int_equal(hub_start(&cfg, on_msg, NULL, &h), SB_EINVAL);
    assert_null(h);
    cfg = cfg_default();
    cfg.ping_timeout_ms = 0;
    assert_int_equal(hub_start(&cfg, on_msg, NULL, &h), SB_EINVAL);
    cfg = cfg_default();
    cfg.queue_cap = 0;
    assert_int_equal(hub_start(&cfg, on_msg, NULL, &h), SB_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accept_key_rfc_vector),
        cmocka_unit_test(test_accept_key_rejects_invalid),
        cmocka_unit_test(test_origin_rules),
        cmocka_unit_test_setup(test_upgrade_over_mhd, rx_reset),
        cmocka_unit_test_setup(test_publish_all_reaches_200_exactly_once, rx_reset),
        cmocka_unit_test_setup(test_publish_large_message_is_shared_and_intact, rx_reset),
        cmocka_unit_test_setup(test_publish_topics_reach_only_subscribers, rx_reset),
        cmocka_unit_test_setup(test_publish_argument_checks, rx_reset),
        cmocka_unit_test_setup(test_publish_users_reaches_each_listed_user_once, rx_reset),
        cmocka_unit_test_setup(test_conn_observer_reports_signed_in_ups_and_downs, rx_reset),
        cmocka_unit_test_setup(test_send_to_stale_ref_is_dropped, rx_reset),
        cmocka_unit_test_setup(test_subscribe_unsubscribe, rx_reset),
        cmocka_unit_test_setup(test_close_user_keeps_one, rx_reset),
        cmocka_unit_test_setup(test_max_conns_refused_with_1013, rx_reset),
        cmocka_unit_test_setup(test_command_queue_is_bounded, rx_reset),
        cmocka_unit_test_setup(test_slow_consumer_closed_1008_others_unaffected, rx_reset),
        cmocka_unit_test_setup(test_inbound_over_cap_closed_1009, rx_reset),
        cmocka_unit_test_setup(test_ping_json_gets_pong_and_others_reach_on_msg, rx_reset),
        cmocka_unit_test_setup(test_ping_timeout_drops_silent_peer, rx_reset),
        cmocka_unit_test_setup(test_answered_pings_keep_connection, rx_reset),
        cmocka_unit_test_setup(test_shutdown_sends_1001_and_closes_everything, rx_reset),
        cmocka_unit_test(test_start_rejects_bad_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
