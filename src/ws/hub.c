/* hub.c — the WebSocket hub thread (contract in hub.h).
 *
 * One thread, one epoll set: the command queue's eventfd, a stop eventfd, a periodic timerfd for
 * heartbeats and every adopted socket. Connections live in a fixed slot array sized max_conns;
 * a slot's generation moves on each release so a stale ws_ref never reaches a new connection,
 * and the epoll tag carries the generation too, so an event read in the same epoll_wait batch
 * as its connection's release is recognised and dropped.
 *
 * Fan-out: a published message is one refcounted immutable payload. Each subscribed connection
 * queues it with wslay_event_queue_fragmented_msg and a read callback over the shared bytes,
 * so memory is O(message) rather than O(message x connections); the only per-connection copy
 * is wslay's own copy into its 4 KiB frame buffer right before the write, which it makes for
 * every message anyway. wslay_event_queue_msg would malloc+memcpy the whole message per
 * connection up front. The price is that long messages go out as several frames of at most
 * 4 KiB (legal; clients reassemble), and that wslay does not count fragmented messages in
 * wslay_event_get_queued_msg_length, so each connection keeps its own byte count.
 *
 * Heartbeats: one periodic tick (a quarter of the shorter interval, 10 ms..1 s) walks the live
 * list. Silence for ping_interval_ms queues a ping; nothing received within ping_timeout_ms of
 * that ping drops the socket. A connection that is closing (we or wslay queued a close frame)
 * gets ping_timeout_ms for the close handshake, then is dropped. O(live connections) per tick
 * is a few microseconds per thousand connections, cheaper to reason about than a timer wheel.
 */
#include "ws/hub.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>
#include <wslay/wslay.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mpsc.h"

#define HUB_TOPICS_MAX    32
#define HUB_TOPIC_LEN_MAX 64
/* Messages queued per connection; a client this far behind is a slow consumer whatever the
 * byte count says (bounds the ring of payload pointers). */
#define HUB_OUTQ_MAX 8192
/* Bytes read from one socket per wake-up, so one flooding client cannot starve the others. */
#define HUB_RX_BUDGET    (64 * 1024)
#define HUB_CMD_BATCH    256
#define HUB_EPOLL_EVENTS 256
/* Only small messages can be {"type":"ping"}; longer ones skip the JSON parse. */
#define HUB_PING_SNIFF_MAX 256
/* Keeps the connection index plus the tag base inside the low 32 bits of the epoll tag. */
#define HUB_MAX_CONNS_LIMIT (1u << 24)

#define TAG_CMD       1u
#define TAG_WAKE      2u
#define TAG_TIMER     3u
#define TAG_CONN_BASE 4u

static const char hub_pong[] = "{\"type\":\"pong\"}";

struct hub_payload {
    atomic_uint refs;
    size_t len;
    char data[];
};

enum hub_cmd_kind {
    HUB_CMD_ADOPT,
    HUB_CMD_PUBLISH,
    HUB_CMD_PUBLISH_USERS,
    HUB_CMD_SEND,
    HUB_CMD_CLOSE,
    HUB_CMD_CLOSE_USER,
    HUB_CMD_CLOSE_SESSION,
    HUB_CMD_SUB,
    HUB_CMD_UNSUB,
};

struct hub_cmd {
    enum hub_cmd_kind kind;
    struct ws_ref ref; /* SEND, CLOSE, SUB, UNSUB; CLOSE_USER: the one to keep */
    uint16_t code;
    int64_t user_id;
    int fd; /* ADOPT; -1 once taken */
    struct MHD_UpgradeResponseHandle *urh;
    struct hub_identity who;
    struct hub_payload *payload; /* PUBLISH, SEND; NULL once taken */
    int64_t *users;              /* PUBLISH_USERS: sorted, unique */
    size_t nusers;
    char topic[HUB_TOPIC_LEN_MAX + 1];
};

struct ws_conn {
    struct hub *hub;
    uint32_t idx;
    uint32_t gen;
    bool live;
    bool closing; /* close frame queued (by us or wslay): the close deadline applies */
    bool ping_outstanding;
    bool dirty;
    int fd;
    struct MHD_UpgradeResponseHandle *urh;
    wslay_event_context_ptr ctx;
    struct hub_identity who;
    uint32_t events;
    int64_t last_rx_ms;
    int64_t ping_sent_ms;
    int64_t close_deadline_ms;
    size_t rx_budget;
    const char *close_why; /* static string for the disconnect log line */
    /* A close asked for by the application waits until the messages queued before it are
     * sent: wslay sends control frames ahead of data, so "you were logged out" would be lost
     * behind its own close. Bounded by the close deadline. */
    uint16_t drain_close_code;
    /* Shared payloads queued in wslay, in its send order; the head is the one being read. */
    struct hub_payload **outq;
    size_t outq_cap;
    size_t outq_head;
    size_t outq_len;
    size_t out_head_off;
    size_t out_bytes; /* unread bytes of the payloads in outq */
    char *topics[HUB_TOPICS_MAX];
    unsigned ntopics;
    struct ws_conn *live_prev, *live_next;
    struct ws_conn *dirty_prev, *dirty_next;
};

struct hub {
    struct hub_config cfg;
    hub_msg_fn on_msg;
    void *user;
    struct mpsc q;
    bool q_ok;
    int epfd;
    int timerfd;
    int wakefd;
    pthread_t thread;
    struct ws_conn *slots;
    uint32_t *free_idx;
    size_t nfree;
    struct ws_conn *live_head;
    struct ws_conn *dirty_head;
    int64_t now_ms;
    bool shutting_down;
    int64_t shutdown_deadline_ms;
    atomic_bool stop_requested;
    atomic_int grace_ms;
    atomic_size_t conn_count;
    atomic_uint_fast64_t closed_slow;
};

static int64_t hub_now(void)
{
    return clock_mono_ms(clock_real());
}

/* ---- payloads ---------------------------------------------------------------------------- */

static struct hub_payload *payload_new(const char *json, size_t len)
{
    struct hub_payload *p = malloc(sizeof(*p) + len);
    if (!p)
        return NULL;
    atomic_init(&p->refs, 1);
    p->len = len;
    memcpy(p->data, json, len);
    return p;
}

static void payload_ref(struct hub_payload *p)
{
    atomic_fetch_add_explicit(&p->refs, 1, memory_order_relaxed);
}

static void payload_unref(struct hub_payload *p)
{
    if (p && atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel) == 1)
        free(p);
}

/* ---- sockets we do not (or no longer) drive through wslay ----------------------------------- */

static void sock_release(int fd, struct MHD_UpgradeResponseHandle *urh)
{
    /* MHD owns the descriptor of an upgraded connection; closing it ourselves would race
     * with MHD's own cleanup. */
    if (urh)
        MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
    else if (fd >= 0)
        close(fd);
}

/* Best effort: a refused client learns why (1013 try later, 1001 going away) if the 4-byte
 * close frame fits in the socket buffer, which it always does on a fresh connection. */
static void sock_refuse(int fd, struct MHD_UpgradeResponseHandle *urh, uint16_t code)
{
    if (fd >= 0) {
        uint8_t frame[4] = {0x88, 0x02, (uint8_t)(code >> 8), (uint8_t)(code & 0xff)};
        ssize_t w = send(fd, frame, sizeof(frame), MSG_NOSIGNAL | MSG_DONTWAIT);
        (void)w;
    }
    sock_release(fd, urh);
}

/* ---- commands ---------------------------------------------------------------------------- */

static void cmd_free(struct hub_cmd *cmd, uint16_t refuse_code)
{
    if (!cmd)
        return;
    if (cmd->kind == HUB_CMD_ADOPT && (cmd->fd >= 0 || cmd->urh))
        sock_refuse(cmd->fd, cmd->urh, refuse_code);
    payload_unref(cmd->payload);
    free(cmd->users);
    free(cmd);
}

static struct hub_cmd *cmd_new(enum hub_cmd_kind kind)
{
    struct hub_cmd *cmd = calloc(1, sizeof(*cmd));
    if (!cmd)
        return NULL;
    cmd->kind = kind;
    cmd->fd = -1;
    return cmd;
}

/* Takes `cmd` in all cases. */
static int hub_push(struct hub *h, struct hub_cmd *cmd)
{
    if (atomic_load(&h->stop_requested)) {
        cmd_free(cmd, WSLAY_CODE_GOING_AWAY);
        return SB_EUNAVAIL;
    }
    int rc = mpsc_push(&h->q, cmd);
    if (rc) {
        cmd_free(cmd, 1013);
        return rc;
    }
    return 0;
}

static bool topic_ok(const char *topic)
{
    if (!topic)
        return false;
    size_t n = strnlen(topic, HUB_TOPIC_LEN_MAX + 1);
    return n > 0 && n <= HUB_TOPIC_LEN_MAX;
}

static bool close_code_ok(uint16_t code)
{
    /* Codes a peer may legitimately receive (RFC 6455 §7.4 plus the registered 1012-1014). */
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
           (code >= 3000 && code <= 4999);
}

/* ---- connection lists -------------------------------------------------------------------- */

static struct ws_ref conn_ref(const struct ws_conn *c)
{
    return (struct ws_ref){.id = c->idx + 1, .gen = c->gen};
}

static uint64_t conn_tag(const struct ws_conn *c)
{
    return ((uint64_t)c->gen << 32) | (c->idx + TAG_CONN_BASE);
}

static void live_add(struct hub *h, struct ws_conn *c)
{
    c->live_prev = NULL;
    c->live_next = h->live_head;
    if (h->live_head)
        h->live_head->live_prev = c;
    h->live_head = c;
}

static void live_remove(struct hub *h, struct ws_conn *c)
{
    if (c->live_prev)
        c->live_prev->live_next = c->live_next;
    else
        h->live_head = c->live_next;
    if (c->live_next)
        c->live_next->live_prev = c->live_prev;
    c->live_prev = c->live_next = NULL;
}

/* Dirty connections have queued output; they are flushed once per loop iteration so a burst
 * of publishes costs one send pass per connection, not one per message. */
static void dirty_add(struct ws_conn *c)
{
    struct hub *h = c->hub;
    if (c->dirty)
        return;
    c->dirty = true;
    c->dirty_prev = NULL;
    c->dirty_next = h->dirty_head;
    if (h->dirty_head)
        h->dirty_head->dirty_prev = c;
    h->dirty_head = c;
}

static void dirty_remove(struct ws_conn *c)
{
    struct hub *h = c->hub;
    if (!c->dirty)
        return;
    if (c->dirty_prev)
        c->dirty_prev->dirty_next = c->dirty_next;
    else
        h->dirty_head = c->dirty_next;
    if (c->dirty_next)
        c->dirty_next->dirty_prev = c->dirty_prev;
    c->dirty_prev = c->dirty_next = NULL;
    c->dirty = false;
}

static struct ws_conn *hub_lookup(struct hub *h, struct ws_ref r)
{
    if (r.id == 0 || r.id > h->cfg.max_conns)
        return NULL;
    struct ws_conn *c = &h->slots[r.id - 1];
    if (!c->live || c->gen != r.gen)
        return NULL;
    return c;
}

/* ---- connection lifecycle ---------------------------------------------------------------- */

static void conn_release(struct ws_conn *c, const char *why, enum log_level lvl)
{
    struct hub *h = c->hub;
    if (h->cfg.on_conn && c->who.user_id > 0)
        h->cfg.on_conn(h, conn_ref(c), &c->who, false, h->cfg.on_conn_user);
    epoll_ctl(h->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    log_msgf(lvl, "ws disconnect conn=%u.%u user=%lld code_sent=%u code_recv=%u why=%s", c->idx + 1,
             c->gen, (long long)c->who.user_id, (unsigned)wslay_event_get_status_code_sent(c->ctx),
             (unsigned)wslay_event_get_status_code_received(c->ctx),
             c->close_why ? c->close_why : why);
    sock_release(c->fd, c->urh);
    wslay_event_context_free(c->ctx);
    for (size_t i = 0; i < c->outq_len; i++)
        payload_unref(c->outq[(c->outq_head + i) % c->outq_cap]);
    free(c->outq);
    for (unsigned i = 0; i < c->ntopics; i++)
        free(c->topics[i]);
    live_remove(h, c);
    dirty_remove(c);

    uint32_t idx = c->idx;
    uint32_t gen = c->gen + 1;
    memset(c, 0, sizeof(*c));
    c->hub = h;
    c->idx = idx;
    c->gen = gen ? gen : 1;
    c->fd = -1;
    h->free_idx[h->nfree++] = idx;
    atomic_fetch_sub(&h->conn_count, 1);
}

static void conn_mark_closing(struct ws_conn *c, const char *why)
{
    if (c->closing)
        return;
    c->closing = true;
    c->close_deadline_ms = c->hub->now_ms + c->hub->cfg.ping_timeout_ms;
    if (!c->close_why)
        c->close_why = why;
}

/* Starts the close handshake; the connection is released once wslay has sent our close and
 * read the peer's, or at the close deadline. */
static void conn_close(struct ws_conn *c, uint16_t code, const char *why)
{
    if (c->closing)
        return;
    /* NO_MORE_MSG means wslay already queued a close of its own; nothing to add. */
    (void)wslay_event_queue_close(c->ctx, code, (const uint8_t *)why, strlen(why));
    conn_mark_closing(c, why);
    dirty_add(c);
}

static size_t conn_queued(const struct ws_conn *c)
{
    return wslay_event_get_queued_msg_length(c->ctx) + c->out_bytes;
}

/* Queues the deferred close once everything queued before it has been written. */
static void conn_close_if_drained(struct ws_conn *c)
{
    if (!c->drain_close_code || conn_queued(c) || wslay_event_want_write(c->ctx))
        return;
    (void)wslay_event_queue_close(c->ctx, c->drain_close_code, (const uint8_t *)c->close_why,
                                  strlen(c->close_why));
    c->drain_close_code = 0;
}

/* Closes after the messages already queued to `c` are sent (application closes: logout,
 * shutdown). Protocol errors and slow consumers use conn_close() and close at once. */
static void conn_close_after_drain(struct ws_conn *c, uint16_t code, const char *why)
{
    if (c->closing)
        return;
    c->drain_close_code = code;
    conn_mark_closing(c, why);
    conn_close_if_drained(c);
    dirty_add(c);
}

/* Returns true when `len` more bytes fit under send_cap; otherwise closes the connection as a
 * slow consumer (counted once) and returns false. */
static bool conn_room_for(struct ws_conn *c, size_t len)
{
    struct hub *h = c->hub;
    if (conn_queued(c) + len <= h->cfg.send_cap && c->outq_len < HUB_OUTQ_MAX)
        return true;
    atomic_fetch_add(&h->closed_slow, 1);
    log_msgf(LOG_INFO, "ws slow consumer conn=%u.%u user=%lld queued=%zu", c->idx + 1, c->gen,
             (long long)c->who.user_id, conn_queued(c));
    conn_close(c, WSLAY_CODE_POLICY_VIOLATION, "slow consumer");
    return false;
}

static int conn_outq_grow(struct ws_conn *c)
{
    size_t ncap = c->outq_cap ? c->outq_cap * 2 : 8;
    if (ncap > HUB_OUTQ_MAX)
        ncap = HUB_OUTQ_MAX;
    struct hub_payload **n = malloc(ncap * sizeof(*n));
    if (!n)
        return SB_ENOMEM;
    for (size_t i = 0; i < c->outq_len; i++)
        n[i] = c->outq[(c->outq_head + i) % c->outq_cap];
    free(c->outq);
    c->outq = n;
    c->outq_cap = ncap;
    c->outq_head = 0;
    return 0;
}

static ssize_t conn_read_payload_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len,
                                    const union wslay_event_msg_source *source, int *eof,
                                    void *user)
{
    struct ws_conn *c = user;
    struct hub_payload *p = source->data;
    /* wslay sends data messages in queue order, so the one it reads is always our head. */
    if (c->outq_len == 0 || c->outq[c->outq_head] != p) {
        log_error("ws hub: payload queue out of order on conn=%u.%u", c->idx + 1, c->gen);
        return -1;
    }
    size_t n = p->len - c->out_head_off;
    if (n > len)
        n = len;
    memcpy(buf, p->data + c->out_head_off, n);
    c->out_head_off += n;
    c->out_bytes -= n;
    if (c->out_head_off == p->len) {
        *eof = 1;
        c->outq_head = (c->outq_head + 1) % c->outq_cap;
        c->outq_len--;
        c->out_head_off = 0;
        payload_unref(p);
    }
    return (ssize_t)n;
}

/* Queues a shared payload (takes a reference on success). */
static void conn_enqueue(struct ws_conn *c, struct hub_payload *p)
{
    if (c->closing || !conn_room_for(c, p->len))
        return;
    if (c->outq_len == c->outq_cap && conn_outq_grow(c) != 0) {
        conn_close(c, WSLAY_CODE_INTERNAL_SERVER_ERROR, "out of memory");
        return;
    }
    struct wslay_event_fragmented_msg fm = {
        .opcode = WSLAY_TEXT_FRAME,
        .source.data = p,
        .read_callback = conn_read_payload_cb,
    };
    int r = wslay_event_queue_fragmented_msg(c->ctx, &fm);
    if (r) {
        if (r == WSLAY_ERR_NOMEM)
            conn_close(c, WSLAY_CODE_INTERNAL_SERVER_ERROR, "out of memory");
        return;
    }
    payload_ref(p);
    c->outq[(c->outq_head + c->outq_len) % c->outq_cap] = p;
    c->outq_len++;
    c->out_bytes += p->len;
    dirty_add(c);
}

/* Small hub-generated text (pong); copying 15 bytes beats a payload allocation. */
static void conn_enqueue_small(struct ws_conn *c, const char *text, size_t len)
{
    if (c->closing || !conn_room_for(c, len))
        return;
    struct wslay_event_msg m = {
        .opcode = WSLAY_TEXT_FRAME, .msg = (const uint8_t *)text, .msg_length = len};
    if (wslay_event_queue_msg(c->ctx, &m) == 0)
        dirty_add(c);
}

static bool conn_has_topic(const struct ws_conn *c, const char *topic)
{
    for (unsigned i = 0; i < c->ntopics; i++)
        if (strcmp(c->topics[i], topic) == 0)
            return true;
    return false;
}

static int conn_topic_add(struct ws_conn *c, const char *topic)
{
    if (conn_has_topic(c, topic))
        return 0;
    if (c->ntopics == HUB_TOPICS_MAX)
        return SB_EFULL;
    char *t = strdup(topic);
    if (!t)
        return SB_ENOMEM;
    c->topics[c->ntopics++] = t;
    return 0;
}

static void conn_topic_remove(struct ws_conn *c, const char *topic)
{
    for (unsigned i = 0; i < c->ntopics; i++) {
        if (strcmp(c->topics[i], topic) == 0) {
            free(c->topics[i]);
            c->topics[i] = c->topics[--c->ntopics];
            c->topics[c->ntopics] = NULL;
            return;
        }
    }
}

/* ---- wslay callbacks --------------------------------------------------------------------- */

static ssize_t conn_recv_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags,
                            void *user)
{
    struct ws_conn *c = user;
    if (c->rx_budget == 0) {
        /* Level-triggered epoll reports the rest on the next iteration. */
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    if (len > c->rx_budget)
        len = c->rx_budget;
    ssize_t r;
    do
        r = recv(c->fd, buf, len, 0);
    while (r < 0 && errno == EINTR);
    if (r > 0) {
        c->rx_budget -= (size_t)r;
        c->last_rx_ms = c->hub->now_ms;
        c->ping_outstanding = false;
        return r;
    }
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    if (!c->close_why)
        c->close_why = r == 0 ? "peer closed the socket" : "read error";
    wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
    return -1;
}

static ssize_t conn_send_cb(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags,
                            void *user)
{
    struct ws_conn *c = user;
    int sflags = MSG_NOSIGNAL;
    if (flags & WSLAY_MSG_MORE)
        sflags |= MSG_MORE;
    ssize_t r;
    do
        r = send(c->fd, data, len, sflags);
    while (r < 0 && errno == EINTR);
    if (r >= 0)
        return r;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
    } else {
        if (!c->close_why)
            c->close_why = "write error";
        wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
    }
    return -1;
}

static int conn_genmask_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, void *user)
{
    /* Servers never mask (RFC 6455 §5.1); wslay only asks client contexts. */
    return -1;
}

static bool msg_is_ping(const uint8_t *msg, size_t len)
{
    if (len > HUB_PING_SNIFF_MAX || !memmem(msg, len, "ping", 4))
        return false;
    json_t *j = json_loadb((const char *)msg, len, 0, NULL);
    const char *type = json_string_value(json_object_get(j, "type"));
    bool ping = type && strcmp(type, "ping") == 0;
    json_decref(j);
    return ping;
}

static void conn_msg_cb(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *arg,
                        void *user)
{
    struct ws_conn *c = user;
    struct hub *h = c->hub;
    if (arg->opcode == WSLAY_TEXT_FRAME) {
        if (c->closing)
            return;
        if (msg_is_ping(arg->msg, arg->msg_length)) {
            conn_enqueue_small(c, hub_pong, sizeof(hub_pong) - 1);
            return;
        }
        if (h->on_msg)
            h->on_msg(h, conn_ref(c), &c->who, (const char *)arg->msg, arg->msg_length, h->user);
    } else if (arg->opcode == WSLAY_BINARY_FRAME) {
        conn_close(c, WSLAY_CODE_UNSUPPORTED_DATA, "text frames only");
    }
    /* Pongs need nothing: any received byte already counted as a sign of life. Close frames
     * are answered by wslay itself. */
}

static const struct wslay_event_callbacks conn_callbacks = {
    .recv_callback = conn_recv_cb,
    .send_callback = conn_send_cb,
    .genmask_callback = conn_genmask_cb,
    .on_msg_recv_callback = conn_msg_cb,
};

/* ---- I/O --------------------------------------------------------------------------------- */

static void conn_update_events(struct ws_conn *c)
{
    /* EPOLLIN is dropped once wslay stops reading (after a protocol error or a received
     * close); keeping it would spin on a peer that goes on sending. HUP/ERR still arrive. */
    uint32_t want = 0;
    if (wslay_event_want_read(c->ctx))
        want |= EPOLLIN;
    if (wslay_event_want_write(c->ctx))
        want |= EPOLLOUT;
    if (want == c->events)
        return;
    struct epoll_event ev = {.events = want, .data.u64 = conn_tag(c)};
    if (epoll_ctl(c->hub->epfd, EPOLL_CTL_MOD, c->fd, &ev) != 0) {
        conn_release(c, "epoll_ctl failed", LOG_WARN);
        return;
    }
    c->events = want;
}

/* Writes what wslay has queued, then releases the connection if both directions are done. */
static void conn_flush(struct ws_conn *c)
{
    dirty_remove(c);
    if (wslay_event_want_write(c->ctx) && wslay_event_send(c->ctx) != 0) {
        conn_release(c, "write error", LOG_DEBUG);
        return;
    }
    if (c->drain_close_code) {
        conn_close_if_drained(c);
        if (wslay_event_want_write(c->ctx) && wslay_event_send(c->ctx) != 0) {
            conn_release(c, "write error", LOG_DEBUG);
            return;
        }
    }
    if (!wslay_event_want_read(c->ctx) && !wslay_event_want_write(c->ctx)) {
        conn_release(c, "closed", LOG_DEBUG);
        return;
    }
    /* wslay stops reading when it queues a close of its own (1002, 1007, 1009, or the echo of
     * the peer's close); that handshake gets the same deadline as ours. */
    if (!wslay_event_get_read_enabled(c->ctx))
        conn_mark_closing(c, "closed by protocol");
    /* Pongs and close echoes wslay queues itself count against the cap too. */
    if (!c->closing && conn_queued(c) > c->hub->cfg.send_cap)
        conn_room_for(c, 0);
    conn_update_events(c);
}

static void conn_on_event(struct hub *h, uint64_t tag, uint32_t events)
{
    uint32_t low = (uint32_t)tag;
    if (low < TAG_CONN_BASE || low - TAG_CONN_BASE >= h->cfg.max_conns)
        return;
    struct ws_conn *c = &h->slots[low - TAG_CONN_BASE];
    if (!c->live || c->gen != (uint32_t)(tag >> 32))
        return; /* released earlier in this batch */
    if (wslay_event_want_read(c->ctx) && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
        c->rx_budget = HUB_RX_BUDGET;
        if (wslay_event_recv(c->ctx) != 0) {
            conn_release(c, "read error", LOG_DEBUG);
            return;
        }
    } else if (events & (EPOLLHUP | EPOLLERR)) {
        conn_release(c, "hangup", LOG_DEBUG);
        return;
    }
    conn_flush(c);
}

/* ---- command execution (hub thread) ------------------------------------------------------ */

static void hub_adopt_now(struct hub *h, struct hub_cmd *cmd)
{
    int fd = cmd->fd;
    struct MHD_UpgradeResponseHandle *urh = cmd->urh;
    cmd->fd = -1;
    cmd->urh = NULL;
    if (h->shutting_down) {
        sock_refuse(fd, urh, WSLAY_CODE_GOING_AWAY);
        return;
    }
    if (h->nfree == 0) {
        log_info("ws refused: max_conns (%zu) reached", h->cfg.max_conns);
        sock_refuse(fd, urh, 1013);
        return;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
        sock_refuse(fd, urh, WSLAY_CODE_INTERNAL_SERVER_ERROR);
        return;
    }

    struct ws_conn *c = &h->slots[h->free_idx[h->nfree - 1]];
    char topic[HUB_TOPIC_LEN_MAX + 1];
    c->fd = fd;
    c->urh = urh;
    c->who = cmd->who;
    c->who.role[sizeof(c->who.role) - 1] = 0;
    c->who.session_id[sizeof(c->who.session_id) - 1] = 0;
    if (wslay_event_context_server_init(&c->ctx, &conn_callbacks, c) != 0)
        goto fail;
    wslay_event_config_set_max_recv_msg_length(c->ctx, h->cfg.max_msg_in);
    if (conn_topic_add(c, "all") != 0)
        goto fail;
    if (c->who.user_id > 0) {
        snprintf(topic, sizeof(topic), "user:%lld", (long long)c->who.user_id);
        if (conn_topic_add(c, topic) != 0)
            goto fail;
    }
    if (c->who.role[0]) {
        snprintf(topic, sizeof(topic), "role:%s", c->who.role);
        if (conn_topic_add(c, topic) != 0)
            goto fail;
    }
    c->events = EPOLLIN;
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = conn_tag(c)};
    if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
        goto fail;

    h->nfree--;
    c->live = true;
    c->last_rx_ms = h->now_ms;
    live_add(h, c);
    atomic_fetch_add(&h->conn_count, 1);
    log_debug("ws connect conn=%u.%u user=%lld role=%s", c->idx + 1, c->gen,
              (long long)c->who.user_id, c->who.role);
    if (h->cfg.on_conn && c->who.user_id > 0)
        h->cfg.on_conn(h, conn_ref(c), &c->who, true, h->cfg.on_conn_user);
    return;

fail:
    log_warn("ws adopt failed (out of memory or epoll)");
    wslay_event_context_free(c->ctx);
    for (unsigned i = 0; i < c->ntopics; i++)
        free(c->topics[i]);
    uint32_t idx = c->idx, gen = c->gen;
    memset(c, 0, sizeof(*c));
    c->hub = h;
    c->idx = idx;
    c->gen = gen;
    c->fd = -1;
    sock_refuse(fd, urh, WSLAY_CODE_INTERNAL_SERVER_ERROR);
}

static int id_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void hub_exec(struct hub *h, struct hub_cmd *cmd)
{
    struct ws_conn *c;
    switch (cmd->kind) {
    case HUB_CMD_ADOPT:
        hub_adopt_now(h, cmd);
        break;
    case HUB_CMD_PUBLISH:
        for (c = h->live_head; c; c = c->live_next)
            if (!c->closing && conn_has_topic(c, cmd->topic))
                conn_enqueue(c, cmd->payload);
        break;
    case HUB_CMD_PUBLISH_USERS:
        for (c = h->live_head; c; c = c->live_next)
            if (!c->closing && c->who.user_id > 0 &&
                bsearch(&c->who.user_id, cmd->users, cmd->nusers, sizeof(int64_t), id_cmp))
                conn_enqueue(c, cmd->payload);
        break;
    case HUB_CMD_SEND:
        if ((c = hub_lookup(h, cmd->ref)))
            conn_enqueue(c, cmd->payload);
        break;
    case HUB_CMD_CLOSE:
        if ((c = hub_lookup(h, cmd->ref)))
            conn_close_after_drain(c, cmd->code, "closed by server");
        break;
    case HUB_CMD_CLOSE_USER:
        for (c = h->live_head; c; c = c->live_next) {
            struct ws_ref r = conn_ref(c);
            if (c->who.user_id == cmd->user_id && !(r.id == cmd->ref.id && r.gen == cmd->ref.gen))
                conn_close_after_drain(c, cmd->code, "closed by server");
        }
        break;
    case HUB_CMD_CLOSE_SESSION:
        for (c = h->live_head; c; c = c->live_next)
            if (c->who.user_id == cmd->user_id && !strcmp(c->who.session_id, cmd->who.session_id))
                conn_close_after_drain(c, cmd->code, "session ended");
        break;
    case HUB_CMD_SUB:
        if ((c = hub_lookup(h, cmd->ref)) && conn_topic_add(c, cmd->topic) != 0)
            log_warn("ws subscribe to %s dropped on conn=%u.%u (topic limit or memory)", cmd->topic,
                     c->idx + 1, c->gen);
        break;
    case HUB_CMD_UNSUB:
        if ((c = hub_lookup(h, cmd->ref)))
            conn_topic_remove(c, cmd->topic);
        break;
    }
}

/* Returns true when commands remain after `budget` of them. */
static bool hub_drain_cmds(struct hub *h, int budget)
{
    for (int i = 0; i < budget; i++) {
        struct hub_cmd *cmd = mpsc_pop(&h->q);
        if (!cmd)
            return false;
        hub_exec(h, cmd);
        cmd_free(cmd, WSLAY_CODE_GOING_AWAY);
    }
    return mpsc_depth(&h->q) > 0;
}

static void hub_flush_dirty(struct hub *h)
{
    while (h->dirty_head)
        conn_flush(h->dirty_head);
}

static void hub_tick(struct hub *h)
{
    struct ws_conn *next;
    for (struct ws_conn *c = h->live_head; c; c = next) {
        next = c->live_next;
        if (c->closing) {
            if (h->now_ms >= c->close_deadline_ms)
                conn_release(c, "close handshake timed out", LOG_INFO);
            continue;
        }
        if (c->ping_outstanding) {
            if (h->now_ms - c->ping_sent_ms >= h->cfg.ping_timeout_ms) {
                c->close_why = "ping timeout";
                conn_release(c, "ping timeout", LOG_INFO);
            }
            continue;
        }
        if (h->now_ms - c->last_rx_ms >= h->cfg.ping_interval_ms) {
            struct wslay_event_msg m = {.opcode = WSLAY_PING, .msg = NULL, .msg_length = 0};
            if (wslay_event_queue_msg(c->ctx, &m) == 0) {
                c->ping_outstanding = true;
                c->ping_sent_ms = h->now_ms;
                dirty_add(c);
            }
        }
    }
}

static void hub_begin_shutdown(struct hub *h)
{
    h->shutting_down = true;
    h->shutdown_deadline_ms = h->now_ms + atomic_load(&h->grace_ms);
    for (struct ws_conn *c = h->live_head; c; c = c->live_next)
        conn_close_after_drain(c, WSLAY_CODE_GOING_AWAY, "server shutdown");
}

static void drain_fd(int fd)
{
    uint64_t v;
    ssize_t r;
    do
        r = read(fd, &v, sizeof(v));
    while (r < 0 && errno == EINTR);
}

static void *hub_main(void *arg)
{
    struct hub *h = arg;
    struct epoll_event evs[HUB_EPOLL_EVENTS];
    bool more_cmds = false;
    for (;;) {
        int timeout = -1;
        h->now_ms = hub_now();
        if (more_cmds) {
            timeout = 0;
        } else if (h->shutting_down) {
            int64_t left = h->shutdown_deadline_ms - h->now_ms;
            timeout = left <= 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
        }
        int n = epoll_wait(h->epfd, evs, HUB_EPOLL_EVENTS, timeout);
        if (n < 0) {
            if (errno != EINTR) {
                log_error("ws hub: epoll_wait failed (errno %d); dropping every connection", errno);
                break;
            }
            n = 0;
        }
        h->now_ms = hub_now();
        bool cmd_ready = more_cmds;
        for (int i = 0; i < n; i++) {
            uint64_t tag = evs[i].data.u64;
            if (tag == TAG_CMD) {
                mpsc_clear_wakeup(&h->q);
                cmd_ready = true;
            } else if (tag == TAG_WAKE) {
                drain_fd(h->wakefd);
                if (atomic_load(&h->stop_requested) && !h->shutting_down)
                    hub_begin_shutdown(h);
            } else if (tag == TAG_TIMER) {
                drain_fd(h->timerfd);
                hub_tick(h);
            } else {
                conn_on_event(h, tag, evs[i].events);
            }
        }
        more_cmds = cmd_ready && hub_drain_cmds(h, HUB_CMD_BATCH);
        hub_flush_dirty(h);
        if (h->shutting_down &&
            (atomic_load(&h->conn_count) == 0 || h->now_ms >= h->shutdown_deadline_ms))
            break;
    }
    while (h->live_head)
        conn_release(h->live_head, "shutdown", LOG_DEBUG);
    struct hub_cmd *cmd;
    while ((cmd = mpsc_pop(&h->q)))
        cmd_free(cmd, WSLAY_CODE_GOING_AWAY);
    return NULL;
}

/* ---- public API -------------------------------------------------------------------------- */

static void hub_free(struct hub *h)
{
    if (h->epfd >= 0)
        close(h->epfd);
    if (h->timerfd >= 0)
        close(h->timerfd);
    if (h->wakefd >= 0)
        close(h->wakefd);
    if (h->q_ok)
        mpsc_cleanup(&h->q);
    free(h->slots);
    free(h->free_idx);
    free(h);
}

static int epoll_add_tag(int epfd, int fd, uint64_t tag)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag};
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

int hub_start(const struct hub_config *cfg, hub_msg_fn on_msg, void *user, struct hub **out)
{
    *out = NULL;
    if (!cfg || cfg->max_conns == 0 || cfg->max_conns > HUB_MAX_CONNS_LIMIT ||
        cfg->max_msg_in == 0 || cfg->send_cap == 0 || cfg->ping_interval_ms <= 0 ||
        cfg->ping_timeout_ms <= 0 || cfg->queue_cap == 0)
        return SB_EINVAL;

    int rc = SB_ENOMEM;
    struct hub *h = calloc(1, sizeof(*h));
    if (!h)
        return SB_ENOMEM;
    h->epfd = h->timerfd = h->wakefd = -1;
    h->cfg = *cfg;
    h->on_msg = on_msg;
    h->user = user;
    atomic_init(&h->stop_requested, false);
    atomic_init(&h->grace_ms, 0);
    atomic_init(&h->conn_count, 0);
    atomic_init(&h->closed_slow, 0);

    h->slots = calloc(cfg->max_conns, sizeof(*h->slots));
    h->free_idx = calloc(cfg->max_conns, sizeof(*h->free_idx));
    if (!h->slots || !h->free_idx)
        goto fail;
    for (size_t i = 0; i < cfg->max_conns; i++) {
        struct ws_conn *c = &h->slots[i];
        c->hub = h;
        c->idx = (uint32_t)i;
        c->gen = 1;
        c->fd = -1;
        /* Lowest slot on top of the stack: ids stay small and dense. */
        h->free_idx[h->nfree++] = (uint32_t)(cfg->max_conns - 1 - i);
    }
    rc = mpsc_init(&h->q, cfg->queue_cap);
    if (rc)
        goto fail;
    h->q_ok = true;

    rc = SB_EIO;
    h->epfd = epoll_create1(EPOLL_CLOEXEC);
    h->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    h->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (h->epfd < 0 || h->timerfd < 0 || h->wakefd < 0)
        goto fail;
    if (epoll_add_tag(h->epfd, mpsc_fd(&h->q), TAG_CMD) != 0 ||
        epoll_add_tag(h->epfd, h->wakefd, TAG_WAKE) != 0 ||
        epoll_add_tag(h->epfd, h->timerfd, TAG_TIMER) != 0)
        goto fail;

    int tick =
        cfg->ping_interval_ms < cfg->ping_timeout_ms ? cfg->ping_interval_ms : cfg->ping_timeout_ms;
    tick /= 4;
    if (tick < 10)
        tick = 10;
    if (tick > 1000)
        tick = 1000;
    struct itimerspec its = {
        .it_interval = {.tv_sec = tick / 1000, .tv_nsec = (long)(tick % 1000) * 1000000L},
    };
    its.it_value = its.it_interval;
    if (timerfd_settime(h->timerfd, 0, &its, NULL) != 0)
        goto fail;

    if (pthread_create(&h->thread, NULL, hub_main, h) != 0)
        goto fail;
    *out = h;
    return 0;

fail:
    hub_free(h);
    return rc;
}

int hub_adopt(struct hub *h, int fd, struct MHD_UpgradeResponseHandle *urh,
              const struct hub_identity *who)
{
    struct hub_cmd *cmd = cmd_new(HUB_CMD_ADOPT);
    if (!cmd) {
        sock_refuse(fd, urh, WSLAY_CODE_INTERNAL_SERVER_ERROR);
        return SB_ENOMEM;
    }
    cmd->fd = fd;
    cmd->urh = urh;
    if (who)
        cmd->who = *who;
    return hub_push(h, cmd);
}

static int hub_push_payload(struct hub *h, enum hub_cmd_kind kind, struct ws_ref to,
                            const char *topic, const char *json, size_t len)
{
    /* Empty messages are refused: wslay cannot send an empty fragmented message. A message
     * larger than send_cap could never be queued and would only close every recipient. */
    if (!json || len == 0)
        return SB_EINVAL;
    if (len > h->cfg.send_cap)
        return SB_ETOOBIG;
    struct hub_cmd *cmd = cmd_new(kind);
    if (!cmd)
        return SB_ENOMEM;
    cmd->payload = payload_new(json, len);
    if (!cmd->payload) {
        free(cmd);
        return SB_ENOMEM;
    }
    cmd->ref = to;
    if (topic)
        strcpy(cmd->topic, topic);
    return hub_push(h, cmd);
}

int hub_publish(struct hub *h, const char *topic, const char *json, size_t len)
{
    if (!topic_ok(topic))
        return SB_EINVAL;
    return hub_push_payload(h, HUB_CMD_PUBLISH, (struct ws_ref){0}, topic, json, len);
}

int hub_publish_users(struct hub *h, const int64_t *ids, size_t n, const char *json, size_t len)
{
    if (!ids || n == 0 || n > HUB_PUBLISH_USERS_MAX || !json || len == 0)
        return SB_EINVAL;
    if (len > h->cfg.send_cap)
        return SB_ETOOBIG;
    int64_t *users = malloc(n * sizeof(*users));
    if (!users)
        return SB_ENOMEM;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (ids[i] > 0)
            users[m++] = ids[i];
    qsort(users, m, sizeof(*users), id_cmp);
    size_t u = 0;
    for (size_t i = 0; i < m; i++)
        if (u == 0 || users[u - 1] != users[i])
            users[u++] = users[i];
    if (u == 0) {
        free(users);
        return 0;
    }
    struct hub_cmd *cmd = cmd_new(HUB_CMD_PUBLISH_USERS);
    if (!cmd || !(cmd->payload = payload_new(json, len))) {
        free(cmd);
        free(users);
        return SB_ENOMEM;
    }
    cmd->users = users;
    cmd->nusers = u;
    return hub_push(h, cmd);
}

int hub_send(struct hub *h, struct ws_ref to, const char *json, size_t len)
{
    return hub_push_payload(h, HUB_CMD_SEND, to, NULL, json, len);
}

int hub_close(struct hub *h, struct ws_ref to, uint16_t code)
{
    if (!close_code_ok(code))
        return SB_EINVAL;
    struct hub_cmd *cmd = cmd_new(HUB_CMD_CLOSE);
    if (!cmd)
        return SB_ENOMEM;
    cmd->ref = to;
    cmd->code = code;
    return hub_push(h, cmd);
}

int hub_close_user(struct hub *h, int64_t user_id, uint16_t code, struct ws_ref keep)
{
    /* user_id 0 would mean every anonymous connection, never what a forced logout wants. */
    if (user_id <= 0 || !close_code_ok(code))
        return SB_EINVAL;
    struct hub_cmd *cmd = cmd_new(HUB_CMD_CLOSE_USER);
    if (!cmd)
        return SB_ENOMEM;
    cmd->user_id = user_id;
    cmd->code = code;
    cmd->ref = keep;
    return hub_push(h, cmd);
}

int hub_close_session(struct hub *h, int64_t user_id, const char *session_id, uint16_t code)
{
    if (user_id <= 0 || !session_id || !*session_id ||
        strlen(session_id) >= sizeof(((struct hub_identity *)0)->session_id) ||
        !close_code_ok(code))
        return SB_EINVAL;
    struct hub_cmd *cmd = cmd_new(HUB_CMD_CLOSE_SESSION);
    if (!cmd)
        return SB_ENOMEM;
    cmd->user_id = user_id;
    cmd->code = code;
    snprintf(cmd->who.session_id, sizeof(cmd->who.session_id), "%s", session_id);
    return hub_push(h, cmd);
}

static int hub_push_topic(struct hub *h, enum hub_cmd_kind kind, struct ws_ref ref,
                          const char *topic)
{
    if (!topic_ok(topic))
        return SB_EINVAL;
    struct hub_cmd *cmd = cmd_new(kind);
    if (!cmd)
        return SB_ENOMEM;
    cmd->ref = ref;
    strcpy(cmd->topic, topic);
    return hub_push(h, cmd);
}

int hub_subscribe(struct hub *h, struct ws_ref ref, const char *topic)
{
    return hub_push_topic(h, HUB_CMD_SUB, ref, topic);
}

int hub_unsubscribe(struct hub *h, struct ws_ref ref, const char *topic)
{
    return hub_push_topic(h, HUB_CMD_UNSUB, ref, topic);
}

size_t hub_conn_count(struct hub *h)
{
    return atomic_load(&h->conn_count);
}

size_t hub_queue_depth(struct hub *h)
{
    return mpsc_depth(&h->q);
}

uint64_t hub_closed_slow_total(struct hub *h)
{
    return atomic_load(&h->closed_slow);
}

void hub_shutdown(struct hub *h, int grace_ms)
{
    if (!h)
        return;
    atomic_store(&h->grace_ms, grace_ms < 0 ? 0 : grace_ms);
    atomic_store(&h->stop_requested, true);
    uint64_t one = 1;
    ssize_t w;
    do
        w = write(h->wakefd, &one, sizeof(one));
    while (w < 0 && errno == EINTR);
    pthread_join(h->thread, NULL);
    /* A producer that raced the stop flag may have pushed after the thread's last drain. */
    struct hub_cmd *cmd;
    while ((cmd = mpsc_pop(&h->q)))
        cmd_free(cmd, WSLAY_CODE_GOING_AWAY);
    hub_free(h);
}
