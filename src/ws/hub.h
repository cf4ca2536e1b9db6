/* hub.h — the WebSocket hub: one thread on epoll owns every WebSocket (DESIGN).
 *
 * Other threads never touch a connection: they name it by a ws_ref (slot id + generation, so a
 * reused slot is never confused with an old connection) and talk to the hub through a bounded
 * MPSC queue woken by an eventfd. Messages are JSON text frames `{"type":…,"data":…}`.
 *
 * Topics: "all" (every connection), "user:<id>", "role:<admin|user|agent>", "queue:<id>", plus
 * any other string a later module subscribes a connection to. A connection is subscribed to
 * "all", its user and its role topics at adoption.
 *
 * Limits: a received message over max_msg_in closes the connection with 1009; when a
 * connection's queued outbound bytes would exceed send_cap it is closed with 1008 (never
 * buffered without bound); a peer that answers no ping within ping_timeout_ms is dropped. */
#ifndef SB_WS_HUB_H
#define SB_WS_HUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hub;
struct MHD_UpgradeResponseHandle;

struct ws_ref {
    uint32_t id;  /* slot index + 1; 0 = none */
    uint32_t gen; /* slot generation at adoption */
};

struct hub_identity;

/* Called on the hub thread when a connection of a signed-in user (user_id > 0) is adopted
 * (`up` true) and when it is released (`up` false), exactly once each, also for releases at
 * shutdown. Must not block: hand the news to another thread. May call any hub_* function
 * except hub_shutdown. */
typedef void (*hub_conn_fn)(struct hub *h, struct ws_ref ref, const struct hub_identity *who,
                            bool up, void *user);

struct hub_config {
    size_t max_conns;     /* slots; adoption beyond is refused (closed with 1013) */
    size_t max_msg_in;    /* bytes per received message */
    size_t send_cap;      /* queued outbound bytes per connection */
    int ping_interval_ms; /* send a ping after this much silence */
    int ping_timeout_ms;  /* drop if nothing arrives this long after a ping */
    size_t queue_cap;     /* commands queued to the hub thread */
    hub_conn_fn on_conn;  /* optional connection observer (NULL = none) */
    void *on_conn_user;   /* its last argument */
};

/* Who is on the other end, known at handshake time (from the session). */
struct hub_identity {
    int64_t user_id; /* 0 = anonymous */
    char role[16];   /* "admin" | "user" | "agent" | "" */
    char session_id[48];
};

/* Called on the hub thread for each text message a client sends (already size-checked and
 * UTF-8 checked by wslay). `msg` is not NUL-terminated. The hub answers {"type":"ping"} with
 * {"type":"pong"} itself before calling this. */
typedef void (*hub_msg_fn)(struct hub *h, struct ws_ref from, const struct hub_identity *who,
                           const char *msg, size_t len, void *user);

/* Starts the hub thread. Returns 0, SB_EINVAL (bad config), SB_ENOMEM or SB_EIO. */
int hub_start(const struct hub_config *cfg, hub_msg_fn on_msg, void *user, struct hub **out);

/* Hands an upgraded socket to the hub (called from the MHD upgrade callback). The hub owns
 * `fd` and `urh` from now on, also on error (it closes them). Any thread. */
int hub_adopt(struct hub *h, int fd, struct MHD_UpgradeResponseHandle *urh,
              const struct hub_identity *who);

/* Queues `json` (copied) to every connection subscribed to `topic`. Returns 0, SB_EFULL,
 * SB_ENOMEM, SB_EINVAL (empty message or bad topic), SB_ETOOBIG (larger than send_cap: it
 * could never be queued) or SB_EUNAVAIL (shutting down). Any thread. Delivery is asynchronous.
 *
 * Every hub_* call below returns SB_EUNAVAIL once hub_shutdown() has begun, SB_EINVAL for
 * invalid arguments (bad close code, user_id <= 0), and SB_EFULL when the command queue is
 * full. on_msg callbacks may call any hub_* function except hub_shutdown (deadlock). */
int hub_publish(struct hub *h, const char *topic, const char *json, size_t len);

/* The most user ids one hub_publish_users() call takes. */
#define HUB_PUBLISH_USERS_MAX 100000

/* Queues `json` (copied once, shared) to every connection of the users `ids[0..n)` (copied;
 * duplicates and ids <= 0 are ignored): one command and one walk of the live connections
 * however many users, for fan-out to a group. Returns 0, SB_EINVAL (n is 0 or above
 * HUB_PUBLISH_USERS_MAX, or the message is empty), SB_ETOOBIG, SB_ENOMEM, SB_EFULL or
 * SB_EUNAVAIL as hub_publish. Any thread. */
int hub_publish_users(struct hub *h, const int64_t *ids, size_t n, const char *json, size_t len);

/* Queues `json` (copied) to one connection; silently dropped if it is gone. Any thread. */
int hub_send(struct hub *h, struct ws_ref to, const char *json, size_t len);

/* Closes one connection with `code` (1000, 1008, 4001…). Any thread. */
int hub_close(struct hub *h, struct ws_ref to, uint16_t code);

/* Closes every connection of `user_id` with `code` except `keep` (forced logout). */
int hub_close_user(struct hub *h, int64_t user_id, uint16_t code, struct ws_ref keep);

/* Closes every connection of `user_id` opened with session `session_id` (its hub_identity)
 * with `code`: a logout ends that session's sockets, not the user's other devices. */
int hub_close_session(struct hub *h, int64_t user_id, const char *session_id, uint16_t code);

/* Adds/removes a topic subscription for one connection. Any thread. */
int hub_subscribe(struct hub *h, struct ws_ref ref, const char *topic);
int hub_unsubscribe(struct hub *h, struct ws_ref ref, const char *topic);

/* Snapshots for /metrics. Any thread. */
size_t hub_conn_count(struct hub *h);
size_t hub_queue_depth(struct hub *h);
uint64_t hub_closed_slow_total(struct hub *h);

/* Closes every connection with 1001 (going away), flushing what it can for up to
 * `grace_ms`, then stops the thread and frees the hub. NULL is fine. */
void hub_shutdown(struct hub *h, int grace_ms);

#endif
