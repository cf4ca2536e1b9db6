/* server.h — the libmicrohttpd daemon: epoll thread pool, limits, dispatch to the router or
 * static files, access log and metrics, and the graceful drain on SIGTERM. */
#ifndef SB_HTTP_SERVER_H
#define SB_HTTP_SERVER_H

#include <stdint.h>

struct sb_app;
struct http_server;

/* Starts listening on cfg.http_address:cfg.http_port. Returns 0, SB_EIO (bind failed) or
 * SB_ENOMEM. */
int http_server_start(struct sb_app *app, struct http_server **out);

/* The bound port (useful when the configured port was 0). */
uint16_t http_server_port(const struct http_server *s);

/* Requests accepted and not yet completed (WebSockets count only until their 101). */
int http_server_in_flight(const struct http_server *s);

/* Marks `req` as no longer in flight (a WebSocket after its 101: it lives on in the hub and
 * must not hold up the SIGTERM drain). Idempotent. HTTP threads. */
struct http_req;
void http_server_detach(struct http_req *req);

/* Stops accepting new connections; open ones continue. */
void http_server_quiesce(struct http_server *s);

/* Stops the daemon (closing whatever is left) and frees it. NULL is fine. */
void http_server_stop(struct http_server *s);

#endif
